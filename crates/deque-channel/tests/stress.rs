//! Release-mode stress; `cargo xtask verify --only stress` runs it.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::Duration;

use deque_channel::{DequeChannel, Full};

/// 8 workers, each producing `per_worker` values and consuming whatever it
/// finds; every value is received exactly once.
#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn eight_producers_eight_consumers_exactly_once() {
    const WORKERS: usize = 8;
    let per_worker = 500_000;
    let total = WORKERS * per_worker;
    let (channel, workers) = DequeChannel::builder()
        .workers(WORKERS)
        .local_capacity(64)
        .global_capacity(1024)
        .build();
    let seen: Vec<AtomicBool> = (0..total).map(|_| AtomicBool::new(false)).collect();
    let received = AtomicUsize::new(0);
    thread::scope(|scope| {
        for w in workers {
            let (seen, received) = (&seen, &received);
            scope.spawn(move || {
                let mut next = 0;
                let mut local_count = 0;
                while received.load(SeqCst) < total {
                    if next < per_worker {
                        // Full: receive below, then try again.
                        if w.send(w.id() * per_worker + next).is_ok() {
                            next += 1;
                        }
                    }
                    if let Some(v) = w.recv() {
                        assert!(!seen[v].swap(true, SeqCst), "{v} received twice");
                        local_count += 1;
                        if local_count == 256 {
                            received.fetch_add(local_count, SeqCst);
                            local_count = 0;
                        }
                    } else if local_count > 0 {
                        received.fetch_add(local_count, SeqCst);
                        local_count = 0;
                    }
                }
            });
        }
    });
    assert_eq!(received.load(SeqCst), total);
    assert!(seen.iter().all(|s| s.load(SeqCst)), "a value was lost");
    assert!(channel.is_empty());
}

/// One worker makes all the work; seven others only receive. Everything is
/// consumed, and the seven (by the global queue and stealing) do most of it.
#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn one_producer_eight_consumers_spreads_the_work() {
    const WORKERS: usize = 8;
    let total = 2_000_000;
    let (channel, workers) = DequeChannel::builder().workers(WORKERS).build();
    let seen: Vec<AtomicBool> = (0..total).map(|_| AtomicBool::new(false)).collect();
    let received = AtomicUsize::new(0);
    let per_worker: Vec<usize> = thread::scope(|scope| {
        let handles: Vec<_> = workers
            .into_iter()
            .map(|w| {
                let (seen, received) = (&seen, &received);
                scope.spawn(move || {
                    let mut mine = 0;
                    let mut next = 0;
                    // Worker 0 sends a massive burst first, waiting (not
                    // receiving) when the channel is full; then it helps.
                    while w.id() == 0 && next < total {
                        match w.send(next) {
                            Ok(()) => next += 1,
                            Err(Full(_)) => thread::yield_now(),
                        }
                    }
                    while received.load(SeqCst) < total {
                        if let Some(v) = w.recv() {
                            assert!(!seen[v].swap(true, SeqCst), "{v} received twice");
                            received.fetch_add(1, SeqCst);
                            mine += 1;
                        } else {
                            thread::yield_now();
                        }
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(seen.iter().all(|s| s.load(SeqCst)), "a value was lost");
    let consumers: usize = per_worker[1..].iter().sum();
    eprintln!("received per worker: {per_worker:?}");
    assert!(
        consumers > total / 2,
        "the consumers did only {consumers} of {total}: {per_worker:?}"
    );
    let stats = channel.stats();
    assert!(stats[1..].iter().any(|s| s.recv_global > 0 || s.stolen > 0));
}

// ---------------------------------------------------------------------------
// Sleeping, closing, finishing.
// ---------------------------------------------------------------------------

/// Many park/wake rounds: an outside thread sends one value to workers that
/// are all asleep (or falling asleep) and waits for the answer. A lost
/// wake-up hangs the test.
#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn park_and_wake_many_rounds() {
    let rounds = 20_000;
    let (channel, workers) = DequeChannel::new(4);
    let (answers, answered) = std::sync::mpsc::channel();
    let handles: Vec<_> = workers
        .into_iter()
        .map(|w| {
            let answers = answers.clone();
            thread::spawn(move || {
                while let Ok(v) = w.recv_blocking() {
                    answers.send(v).unwrap();
                }
                w.stats()
            })
        })
        .collect();
    for round in 0..rounds {
        // Most rounds: pause, so the workers give up looking and park (a
        // round trip is otherwise shorter than their look before parking).
        if round % 4 != 0 {
            thread::sleep(Duration::from_micros(20));
        }
        channel.send(round).unwrap();
        assert_eq!(answered.recv().unwrap(), round);
    }
    drop(channel);
    let stats: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    let parks: u64 = stats.iter().map(|s| s.parks).sum();
    let wakeups: u64 = stats.iter().map(|s| s.wakeups).sum();
    eprintln!("{rounds} rounds, {parks} parks, {wakeups} wake-ups");
    assert!(parks > 0 && wakeups > 0);
}

/// A recursive job (fib-shaped: `n` sends `n - 1` and `n - 2`) on small
/// deques, repeated: it ends by "done" alone, with the exact leaf count,
/// every time.
#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn recursive_jobs_end_by_done_with_exact_results() {
    for repeat in 0..300 {
        let workers = 2 + repeat % 5;
        let (_, ws) = DequeChannel::builder()
            .workers(workers)
            .local_capacity(16)
            .global_capacity(64)
            .build();
        ws[0].send(18u32).unwrap();
        let leaves: u64 = thread::scope(|scope| {
            let handles: Vec<_> = ws
                .into_iter()
                .map(|w| {
                    scope.spawn(move || {
                        let mut leaves = 0u64;
                        while let Ok(n) = w.recv_blocking() {
                            if n < 2 {
                                leaves += 1;
                            } else {
                                // Full: do the child here instead.
                                for child in [n - 1, n - 2] {
                                    if let Err(Full(c)) = w.send(child) {
                                        leaves += fib_leaves_inline(c);
                                    }
                                }
                            }
                        }
                        leaves
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(leaves, 4181, "repeat {repeat} with {workers} workers");
    }
}

/// The leaves of the fib-shaped call tree of `n`, on this thread.
fn fib_leaves_inline(n: u32) -> u64 {
    if n < 2 {
        1
    } else {
        fib_leaves_inline(n - 1) + fib_leaves_inline(n - 2)
    }
}

/// Four outside producers `send_blocking` into a small global queue, then
/// the last handle goes while values are in flight; four workers receive
/// until done. Every value exactly once.
#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn close_with_values_in_flight_and_blocking_producers() {
    const PRODUCERS: usize = 4;
    let per_producer = 250_000;
    let total = PRODUCERS * per_producer;
    for round in 0..4 {
        let (channel, workers) = DequeChannel::builder()
            .workers(4)
            .local_capacity(32)
            .global_capacity(8)
            .build();
        let seen: Vec<AtomicBool> = (0..total).map(|_| AtomicBool::new(false)).collect();
        thread::scope(|scope| {
            for p in 0..PRODUCERS {
                let channel = channel.clone();
                scope.spawn(move || {
                    for i in 0..per_producer {
                        channel.send_blocking(p * per_producer + i).unwrap();
                    }
                });
            }
            drop(channel);
            for w in workers {
                let seen = &seen;
                scope.spawn(move || {
                    while let Ok(v) = w.recv_blocking() {
                        assert!(!seen[v].swap(true, SeqCst), "{v} received twice");
                    }
                });
            }
        });
        assert!(
            seen.iter().all(|s| s.load(SeqCst)),
            "round {round}: a value was lost"
        );
    }
}

/// Parked workers cost no CPU: four workers park on an empty channel for
/// half a second; each measures its own thread's CPU time over the wait.
/// (A spinning or yielding wait would use about the whole half second.)
#[cfg(target_os = "linux")]
#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn parked_workers_use_no_cpu() {
    /// This thread's user + system CPU time, from `/proc/thread-self/stat`.
    fn thread_cpu() -> Duration {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap();
        // Fields after the command name (which is in parentheses):
        // state is field 3, utime 14, stime 15 (1-based).
        let rest = &stat[stat.rfind(')').unwrap() + 2..];
        let fields: Vec<&str> = rest.split(' ').collect();
        let ticks: u64 = fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap();
        // USER_HZ is 100 on every Linux configuration Rust supports.
        Duration::from_millis(ticks * 10)
    }
    let idle = Duration::from_millis(500);
    let (channel, workers) = DequeChannel::<u64>::new(4);
    let handles: Vec<_> = workers
        .into_iter()
        .map(|w| {
            thread::spawn(move || {
                let before = thread_cpu();
                let got = w.recv_blocking();
                (got, thread_cpu() - before, w.stats().parks)
            })
        })
        .collect();
    thread::sleep(idle);
    drop(channel);
    for h in handles {
        let (got, cpu, parks) = h.join().unwrap();
        eprintln!("idle worker: {cpu:?} CPU over {idle:?}, {parks} parks");
        assert!(got.is_err());
        assert!(parks >= 1);
        assert!(
            cpu < idle / 5,
            "a parked worker used {cpu:?} of CPU in {idle:?}"
        );
    }
}

/// The unbounded flavour: 4 workers each send a burst far larger than their
/// deques (every overflow goes to the segmented global queue, which never
/// refuses), 2 outside producers send too, then everyone drains with
/// `recv_blocking` until done. Every value exactly once; no send is ever
/// refused.
#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn unbounded_bursts_from_workers_and_outside_exactly_once() {
    const WORKERS: usize = 4;
    const OUTSIDE: usize = 2;
    let per_sender = 250_000;
    let total = (WORKERS + OUTSIDE) * per_sender;
    let (channel, workers) = DequeChannel::builder()
        .workers(WORKERS)
        .local_capacity(32)
        .unbounded()
        .build();
    let seen: Vec<AtomicBool> = (0..total).map(|_| AtomicBool::new(false)).collect();
    thread::scope(|scope| {
        for p in 0..OUTSIDE {
            let channel = channel.clone();
            scope.spawn(move || {
                let base = (WORKERS + p) * per_sender;
                for i in 0..per_sender {
                    channel
                        .send(base + i)
                        .expect("an unbounded send is never refused");
                }
            });
        }
        drop(channel);
        for w in workers {
            let seen = &seen;
            scope.spawn(move || {
                let base = w.id() * per_sender;
                for i in 0..per_sender {
                    w.send(base + i)
                        .expect("an unbounded send is never refused");
                }
                while let Ok(v) = w.recv_blocking() {
                    assert!(!seen[v].swap(true, SeqCst), "{v} received twice");
                }
            });
        }
    });
    assert!(seen.iter().all(|s| s.load(SeqCst)), "a value was lost");
}

#[path = "../examples/tree_search/uts.rs"]
#[allow(dead_code)]
mod uts;

/// The UTS generator against a published size: T1 (4,130,071 nodes) by
/// the single-threaded walk, in release (about a second).
#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn uts_t1_has_its_published_size() {
    let t1 = uts::sample("T1").unwrap();
    assert_eq!(t1.tree.walk(), t1.expected);
}
