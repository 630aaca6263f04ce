//! Workloads for blocking receivers, shared by the criterion benchmark
//! (`benches/deque_channel.rs`: `wake_latency`, `bursts`) and the
//! interleaved CPU-time comparison (`examples/bursts.rs`): deque-channel's
//! `recv_blocking` against crossbeam-channel's and flume's blocking `recv`.

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::thread;
use std::time::{Duration, Instant};

use deque_channel::DequeChannel;

/// Which channel a blocking workload runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocking {
    /// deque-channel: outside `send`/`send_blocking`, workers' `recv_blocking`.
    Ours,
    /// crossbeam-channel: blocking `send` and `recv`.
    CrossbeamChannel,
    /// flume: blocking `send` and `recv`.
    Flume,
}

impl Blocking {
    /// Every implementation, ours first.
    pub const ALL: [Blocking; 3] = [Blocking::Ours, Blocking::CrossbeamChannel, Blocking::Flume];

    /// The name the benchmarks report it under.
    pub fn name(self) -> &'static str {
        match self {
            Blocking::Ours => "deque-channel",
            Blocking::CrossbeamChannel => "crossbeam-channel",
            Blocking::Flume => "flume",
        }
    }
}

/// The global queue's capacity for ours, and the bound of the peers'
/// bounded channels in `bursts`: the same room everywhere.
pub const BOUND: usize = 4096;

/// `workers` threads, each looping on a blocking receive and calling
/// `each(Some(value))` with every value, and `each(None)` whenever it is
/// about to block (nothing was ready: a point to publish local counts),
/// until the channel is closed (for ours: done).
/// `feed` runs on the calling thread with a function that sends one value
/// (waiting for room if needed); the channel closes when `feed` returns.
/// Returns what `feed` returned.
fn with_receivers<R>(
    kind: Blocking,
    workers: usize,
    each: &(dyn Fn(Option<u64>) + Sync),
    feed: impl FnOnce(&dyn Fn(u64)) -> R,
) -> R {
    thread::scope(|scope| match kind {
        Blocking::Ours => {
            let (channel, ws) = DequeChannel::builder()
                .workers(workers)
                .global_capacity(BOUND)
                .build();
            for w in ws {
                scope.spawn(move || receive_loop(|| w.recv(), || w.recv_blocking().ok(), each));
            }
            feed(&|v| channel.send_blocking(v).unwrap())
        }
        Blocking::CrossbeamChannel => {
            let (tx, rx) = crossbeam_channel::bounded(BOUND);
            for _ in 0..workers {
                let rx = rx.clone();
                scope.spawn(move || receive_loop(|| rx.try_recv().ok(), || rx.recv().ok(), each));
            }
            feed(&|v| tx.send(v).unwrap())
        }
        Blocking::Flume => {
            let (tx, rx) = flume::bounded(BOUND);
            for _ in 0..workers {
                let rx = rx.clone();
                scope.spawn(move || receive_loop(|| rx.try_recv().ok(), || rx.recv().ok(), each));
            }
            feed(&|v| tx.send(v).unwrap())
        }
    })
}

/// One receiver: take what is ready (`try_recv`), say `each(None)`, then
/// block (`recv`); until `recv` says the channel is closed (`None`).
fn receive_loop(
    try_recv: impl Fn() -> Option<u64>,
    recv: impl Fn() -> Option<u64>,
    each: &(dyn Fn(Option<u64>) + Sync),
) {
    loop {
        while let Some(v) = try_recv() {
            each(Some(v));
        }
        each(None);
        match recv() {
            Some(v) => each(Some(v)),
            None => return,
        }
    }
}

/// Wake latency: `workers` receivers, all asleep (each round starts after
/// `pause`); an outside thread sends one value and waits for a receiver to
/// echo it back. Returns the summed round-trip time of `rounds` rounds
/// (the pauses excluded).
pub fn wake_round_trips(kind: Blocking, workers: usize, rounds: u64, pause: Duration) -> Duration {
    // The echo path is the same for every implementation.
    let (echo_tx, echo_rx) = crossbeam_channel::bounded::<u64>(1);
    let each = move |v: Option<u64>| {
        if let Some(v) = v {
            echo_tx.send(v).unwrap();
        }
    };
    with_receivers(kind, workers, &each, |send| {
        let mut busy = Duration::ZERO;
        for round in 0..rounds {
            thread::sleep(pause);
            let start = Instant::now();
            send(round);
            let echoed = echo_rx.recv().unwrap();
            busy += start.elapsed();
            assert_eq!(echoed, round);
        }
        busy
    })
}

/// Bursts: an outside producer sends `burst` values (waiting for room when
/// the channel holds [`BOUND`]), waits until all are received, pauses for
/// `pause`, and repeats `bursts` times; `workers` receivers take them with
/// blocking receives. Returns the summed time from each burst's first send
/// to its last value received (the pauses excluded).
pub fn bursts(
    kind: Blocking,
    workers: usize,
    bursts: usize,
    burst: usize,
    pause: Duration,
) -> Duration {
    let received = AtomicUsize::new(0);
    let (done_tx, done_rx) = crossbeam_channel::bounded::<()>(bursts);
    let each = |v: Option<u64>| {
        // Counted per receiver, published when it is about to block: a
        // burst is over when the published total reaches a multiple of
        // `burst` (the producer sends no more until then).
        thread_local!(static LOCAL: core::cell::Cell<usize> = const { core::cell::Cell::new(0) });
        if let Some(v) = v {
            black_box(v);
            LOCAL.with(|l| l.set(l.get() + 1));
        } else {
            let mine = LOCAL.with(|l| l.replace(0));
            if mine > 0 {
                let total = received.fetch_add(mine, Relaxed) + mine;
                if total.is_multiple_of(burst) {
                    done_tx.send(()).unwrap();
                }
            }
        }
    };
    with_receivers(kind, workers, &each, |send| {
        let mut busy = Duration::ZERO;
        for b in 0..bursts {
            thread::sleep(pause);
            let start = Instant::now();
            for i in 0..burst {
                send((b * burst + i) as u64);
            }
            done_rx.recv().unwrap();
            busy += start.elapsed();
        }
        busy
    })
}

/// This process's CPU time so far (user + system, all threads, including
/// those that have exited), from `/proc/self/stat`; `None` off Linux. Its
/// resolution is the kernel's clock tick (10 ms), so measure long runs.
pub fn process_cpu_time() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name (in parentheses): utime is field 14,
    // stime 15 (1-based), i.e. 12th and 13th after the name.
    let rest = &stat[stat.rfind(')')? + 2..];
    let mut fields = rest.split(' ').skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    // USER_HZ is 100 on every Linux configuration Rust supports.
    Some(Duration::from_millis((utime + stime) * 10))
}
