//! Release-mode stress; `cargo xtask verify --only stress` runs it.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::thread;

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
