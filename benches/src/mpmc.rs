//! The producers/consumers workload shared by the MPMC queue benchmarks
//! (`vyukov_mpmc`, `seg_queue`) and `examples/mpmc_vs_peers.rs`: every
//! implementation runs this same loop, through the newtypes below.

use std::hint::black_box;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::thread;
use std::time::{Duration, Instant};

/// The operations the workload needs from an MPMC queue of `usize`.
///
/// Implemented here on thin newtypes around each queue, so that the
/// benchmarks and the examples share them.
pub trait Queue: Sync {
    /// Pushes `v`, or hands it back when a bounded queue is full.
    fn push(&self, v: usize) -> Result<(), usize>;
    /// Takes a value, or `None` when the queue looks empty.
    fn pop(&self) -> Option<usize>;
}

/// vyukov-mpmc's bounded `ArrayQueue`.
#[derive(Debug)]
pub struct Vyukov(pub vyukov_mpmc::ArrayQueue<usize>);
impl Queue for Vyukov {
    fn push(&self, v: usize) -> Result<(), usize> {
        self.0.push(v)
    }
    fn pop(&self) -> Option<usize> {
        self.0.pop()
    }
}

/// seg-queue's unbounded `SegQueue`.
#[derive(Debug)]
pub struct Seg(pub seg_queue::SegQueue<usize>);
impl Queue for Seg {
    fn push(&self, v: usize) -> Result<(), usize> {
        self.0.push(v);
        Ok(())
    }
    fn pop(&self) -> Option<usize> {
        self.0.pop()
    }
}

/// crossbeam-queue's bounded `ArrayQueue`.
#[derive(Debug)]
pub struct CrossbeamArray(pub crossbeam_queue::ArrayQueue<usize>);
impl Queue for CrossbeamArray {
    fn push(&self, v: usize) -> Result<(), usize> {
        self.0.push(v)
    }
    fn pop(&self) -> Option<usize> {
        self.0.pop()
    }
}

/// crossbeam-queue's unbounded `SegQueue`.
#[derive(Debug)]
pub struct CrossbeamSeg(pub crossbeam_queue::SegQueue<usize>);
impl Queue for CrossbeamSeg {
    fn push(&self, v: usize) -> Result<(), usize> {
        self.0.push(v);
        Ok(())
    }
    fn pop(&self) -> Option<usize> {
        self.0.pop()
    }
}

/// concurrent-queue's `ConcurrentQueue`, `bounded` or `unbounded`.
#[derive(Debug)]
pub struct Concurrent(pub concurrent_queue::ConcurrentQueue<usize>);
impl Queue for Concurrent {
    fn push(&self, v: usize) -> Result<(), usize> {
        self.0.push(v).map_err(|error| error.into_inner())
    }
    fn pop(&self) -> Option<usize> {
        self.0.pop().ok()
    }
}

/// The wait every implementation uses when its queue is full (producer) or
/// empty (consumer): spin a little, then give the core away, since the 8P8C
/// point runs 16 threads on however few cores the machine has.
#[derive(Debug, Default)]
pub struct Wait(u32);

impl Wait {
    /// Spins 1, 2, 4, ... 32 times on successive calls, then yields the thread.
    pub fn wait(&mut self) {
        if self.0 < 6 {
            for _ in 0..1 << self.0 {
                std::hint::spin_loop();
            }
            self.0 += 1;
        } else {
            thread::yield_now();
        }
    }

    /// Back to spinning after progress.
    pub fn reset(&mut self) {
        self.0 = 0;
    }
}

/// Moves `values` through `queue` with `pairs` producers and `pairs`
/// consumers and returns how long that took, thread start-up included (the
/// same for every implementation; callers scale `values` by criterion's
/// iteration count so it is paid once per sample).
///
/// Producer `p` pushes the values `v` with `v % pairs == p`, waiting while
/// the queue is full; consumers pop until all `values` are taken.
///
/// # Panics
///
/// If the queue loses values: when every producer is done and no consumer
/// has taken a value for [`STALL`], the consumers stop and this panics
/// (rather than leaving the benchmark suite hanging).
pub fn run<Q: Queue>(queue: &Q, pairs: usize, values: usize) -> Duration {
    run_with_stall(queue, pairs, values, STALL)
}

/// [`run`], giving up on lost values after `stall`.
fn run_with_stall<Q: Queue>(queue: &Q, pairs: usize, values: usize, stall: Duration) -> Duration {
    let taken = AtomicUsize::new(0);
    let producers_done = AtomicUsize::new(0);
    let stalled = AtomicBool::new(false);
    let start = Instant::now();
    thread::scope(|scope| {
        for p in 0..pairs {
            let producers_done = &producers_done;
            scope.spawn(move || {
                let mut wait = Wait::default();
                for v in (p..values).step_by(pairs) {
                    let mut v = v;
                    while let Err(back) = queue.push(v) {
                        v = back;
                        wait.wait();
                    }
                    wait.reset();
                }
                producers_done.fetch_add(1, Relaxed);
            });
        }
        for _ in 0..pairs {
            let (taken, producers_done, stalled) = (&taken, &producers_done, &stalled);
            scope.spawn(move || {
                let mut wait = Wait::default();
                // Counted locally, published every 64 and whenever the
                // queue looks empty, so the shared counter is not a hot spot.
                let mut mine = 0;
                // The shared count when this consumer last saw it move.
                let mut last_seen = (usize::MAX, Instant::now());
                loop {
                    if let Some(v) = queue.pop() {
                        black_box(v);
                        mine += 1;
                        wait.reset();
                        if mine == 64 {
                            taken.fetch_add(mine, Relaxed);
                            mine = 0;
                        }
                    } else {
                        taken.fetch_add(mine, Relaxed);
                        mine = 0;
                        let now_taken = taken.load(Relaxed);
                        if now_taken >= values || stalled.load(Relaxed) {
                            return;
                        }
                        if now_taken != last_seen.0 {
                            last_seen = (now_taken, Instant::now());
                        } else if producers_done.load(Relaxed) == pairs
                            && last_seen.1.elapsed() > stall
                        {
                            stalled.store(true, Relaxed);
                            return;
                        }
                        wait.wait();
                    }
                }
            });
        }
    });
    let elapsed = start.elapsed();
    let taken = taken.into_inner();
    assert!(
        !stalled.into_inner(),
        "the queue lost values: all pushed, {taken} of {values} taken, nothing left to pop"
    );
    assert_eq!(taken, values, "every value is taken once");
    elapsed
}

/// How long consumers wait, after the producers are done, for a value that
/// never comes before declaring it lost.
pub const STALL: Duration = Duration::from_secs(5);

/// Thread counts of the scenarios, as `(pairs, "NpNc")`.
pub const POINTS: [(usize, &str); 4] = [(1, "1p1c"), (2, "2p2c"), (4, "4p4c"), (8, "8p8c")];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;
    use std::sync::Mutex;

    /// A locked deque that, when `leak` is set, drops every 100th value.
    struct Locked {
        queue: Mutex<VecDeque<usize>>,
        leak: bool,
    }
    impl Queue for Locked {
        fn push(&self, v: usize) -> Result<(), usize> {
            let mut queue = self.queue.lock().unwrap();
            if queue.len() >= 16 {
                return Err(v);
            }
            if !(self.leak && v % 100 == 99) {
                queue.push_back(v);
            }
            Ok(())
        }
        fn pop(&self) -> Option<usize> {
            self.queue.lock().unwrap().pop_front()
        }
    }

    fn locked(leak: bool) -> Locked {
        Locked {
            queue: Mutex::new(VecDeque::new()),
            leak,
        }
    }

    #[test]
    fn every_value_goes_through_at_every_point() {
        for (pairs, _) in POINTS {
            run(&locked(false), pairs, 1000);
        }
    }

    #[test]
    #[should_panic(expected = "the queue lost values")]
    fn lost_values_panic_instead_of_hanging() {
        run_with_stall(&locked(true), 2, 1000, Duration::from_millis(50));
    }
}
