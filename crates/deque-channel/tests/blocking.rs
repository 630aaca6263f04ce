//! Blocking receives, closing and "done", on real threads (scaled down
//! under miri). The races themselves are model-checked in `tests/loom.rs`.

use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use deque_channel::{DequeChannel, RecvError, RecvTimeoutError, SendError, Worker};

fn scaled(native: usize, under_miri: usize) -> usize {
    if cfg!(miri) { under_miri } else { native }
}

/// Receives with `recv_blocking` until the channel is done.
fn recv_until_done<T>(w: &Worker<T>) -> Vec<T> {
    std::iter::from_fn(|| w.recv_blocking().ok()).collect()
}

/// The fib-shaped recursive job of the crate docs: `n` sends `n - 1` and
/// `n - 2`; returns the leaves each worker counted.
fn fib_leaves(workers: Vec<Worker<u32>>, n: u32) -> Vec<u64> {
    workers[0].send(n).unwrap();
    let handles: Vec<_> = workers
        .into_iter()
        .map(|w| {
            thread::spawn(move || {
                let mut leaves = 0u64;
                while let Ok(n) = w.recv_blocking() {
                    if n < 2 {
                        leaves += 1;
                    } else {
                        w.send(n - 1).unwrap();
                        w.send(n - 2).unwrap();
                    }
                }
                // Done is final: asking again answers at once.
                assert_eq!(w.recv_blocking(), Err(RecvError));
                leaves
            })
        })
        .collect();
    handles.into_iter().map(|h| h.join().unwrap()).collect()
}

fn fib(n: u32) -> u64 {
    let (mut a, mut b) = (1u64, 1u64);
    for _ in 0..n {
        (a, b) = (b, a + b);
    }
    a
}

#[test]
fn a_parked_worker_is_woken_by_an_outside_send() {
    let (channel, mut workers) = DequeChannel::new(1);
    let w = workers.pop().unwrap();
    let receiver = thread::spawn(move || {
        let got = w.recv_blocking();
        (got, w.stats())
    });
    // Long enough for the worker to give up looking and park.
    thread::sleep(Duration::from_millis(50));
    channel.send(42).unwrap();
    let (got, stats) = receiver.join().unwrap();
    assert_eq!(got, Ok(42));
    assert!(stats.parks >= 1, "{stats:?}");
    assert_eq!(stats.parks, stats.wakeups, "{stats:?}");
}

#[test]
fn park_and_wake_rounds_with_one_value_each() {
    let rounds = scaled(2_000, 20);
    let (channel, workers) = DequeChannel::new(2);
    let (answers, answered) = mpsc::channel();
    let handles: Vec<_> = workers
        .into_iter()
        .map(|w| {
            let answers = answers.clone();
            thread::spawn(move || {
                while let Ok(v) = w.recv_blocking() {
                    answers.send(v).unwrap();
                }
            })
        })
        .collect();
    for round in 0..rounds {
        channel.send(round).unwrap();
        assert_eq!(answered.recv().unwrap(), round);
    }
    drop(channel);
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn recursive_job_finishes_by_done_alone() {
    let (repeats, n) = (scaled(100, 2), scaled(14, 6) as u32);
    for workers in [1, 2, 4] {
        for _ in 0..repeats {
            let (_, ws) = DequeChannel::builder()
                .workers(workers)
                .local_capacity(8)
                .global_capacity(16)
                .build();
            let leaves = fib_leaves(ws, n);
            assert_eq!(leaves.iter().sum::<u64>(), fib(n));
        }
    }
}

#[test]
fn close_with_values_in_flight_delivers_each_once() {
    let total = scaled(20_000, 200);
    let (channel, workers) = DequeChannel::builder()
        .workers(3)
        .global_capacity(64)
        .build();
    let handles: Vec<_> = workers
        .into_iter()
        .map(|w| thread::spawn(move || recv_until_done(&w)))
        .collect();
    for v in 0..total {
        channel.send_blocking(v).unwrap();
    }
    assert!(channel.close());
    assert_eq!(channel.send(0), Err(SendError::Closed(0)));
    let mut all: Vec<usize> = handles
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort_unstable();
    assert_eq!(all, (0..total).collect::<Vec<_>>());
    assert!(channel.is_done());
}

#[test]
fn send_blocking_waits_for_slow_receivers() {
    let per_producer = scaled(2_000, 40);
    let (channel, workers) = DequeChannel::builder()
        .workers(2)
        .local_capacity(2)
        .global_capacity(2)
        .build();
    let receivers: Vec<_> = workers
        .into_iter()
        .map(|w| {
            thread::spawn(move || {
                let mut sum = 0usize;
                while let Ok(v) = w.recv_blocking() {
                    if v % 64 == 0 {
                        thread::sleep(Duration::from_micros(100));
                    }
                    sum += v;
                }
                sum
            })
        })
        .collect();
    let producers: Vec<_> = (0..2)
        .map(|p| {
            let channel = channel.clone();
            thread::spawn(move || {
                for i in 0..per_producer {
                    channel.send_blocking(p * per_producer + i).unwrap();
                }
            })
        })
        .collect();
    drop(channel);
    for p in producers {
        p.join().unwrap();
    }
    // The producers' handles were the last outside ones: closed, then done.
    let sum: usize = receivers.into_iter().map(|h| h.join().unwrap()).sum();
    let n = 2 * per_producer;
    assert_eq!(sum, n * (n - 1) / 2);
}

#[test]
fn close_wakes_a_producer_waiting_for_room() {
    let (channel, _workers) = DequeChannel::builder()
        .workers(1)
        .global_capacity(1)
        .build();
    channel.send(1).unwrap();
    let producer = {
        let channel = channel.clone();
        thread::spawn(move || channel.send_blocking(2))
    };
    thread::sleep(Duration::from_millis(20));
    assert!(channel.close());
    assert_eq!(producer.join().unwrap(), Err(SendError::Closed(2)));
}

#[test]
fn send_timeout_gives_the_value_back_when_still_full() {
    let (channel, workers) = DequeChannel::builder()
        .workers(1)
        .global_capacity(1)
        .build();
    channel.send(1).unwrap();
    let start = Instant::now();
    let err = channel
        .send_timeout(2, Duration::from_millis(10))
        .unwrap_err();
    assert!(start.elapsed() >= Duration::from_millis(10));
    assert_eq!(err, SendError::Full(2));
    assert_eq!(workers[0].recv(), Some(1));
    channel.send_timeout(3, Duration::from_millis(10)).unwrap();
}

#[test]
fn recv_timeout_times_out_then_still_wakes_for_values() {
    let (channel, mut workers) = DequeChannel::new(1);
    let w = workers.pop().unwrap();
    let start = Instant::now();
    assert_eq!(
        w.recv_timeout(Duration::from_millis(10)),
        Err(RecvTimeoutError::Timeout)
    );
    assert!(start.elapsed() >= Duration::from_millis(10));
    // The timed-out registration left nothing behind: a later wait is
    // woken as usual.
    let receiver = thread::spawn(move || w.recv_timeout(Duration::from_secs(60)));
    thread::sleep(Duration::from_millis(20));
    channel.send(5).unwrap();
    assert_eq!(receiver.join().unwrap(), Ok(5));
}

#[test]
fn dropped_worker_values_are_received_by_a_sleeper() {
    let n = scaled(100, 10);
    let (_, mut workers) = DequeChannel::builder()
        .workers(2)
        .local_capacity(256)
        .build();
    let w1 = workers.pop().unwrap();
    let w0 = workers.pop().unwrap();
    let sleeper = thread::spawn(move || recv_until_done(&w1));
    thread::sleep(Duration::from_millis(20));
    for v in 0..n {
        w0.send(v).unwrap();
    }
    drop(w0);
    let mut got = sleeper.join().unwrap();
    got.sort_unstable();
    assert_eq!(got, (0..n).collect::<Vec<_>>());
}

#[test]
fn a_clone_of_a_workers_channel_keeps_it_open() {
    let (channel, workers) = DequeChannel::<u8>::new(1);
    let clone = workers[0].channel().clone();
    drop(channel);
    assert!(!clone.is_closed());
    assert_eq!(
        workers[0].recv_timeout(Duration::from_millis(1)),
        Err(RecvTimeoutError::Timeout)
    );
    drop(clone);
    assert!(workers[0].channel().is_closed());
    assert_eq!(workers[0].recv_blocking(), Err(RecvError));
    assert!(workers[0].channel().is_done());
}

#[test]
fn workers_may_send_after_close_until_done() {
    let (channel, workers) = DequeChannel::new(2);
    channel.send(3u32).unwrap();
    channel.close();
    let leaves: u64 = fib_leaves(workers, 0).iter().sum();
    // fib_leaves seeds 0 as well: the 3 sent before the close still
    // unfolds into fib(3) leaves.
    assert_eq!(leaves, fib(3) + 1);
}

#[test]
fn not_done_while_a_worker_is_not_waiting() {
    let (channel, mut workers) = DequeChannel::<u8>::new(2);
    let w1 = workers.pop().unwrap();
    let w0 = workers.pop().unwrap();
    channel.close();
    // Worker 0 is live and not in a blocking receive: worker 1 may not
    // hear "done" (it times out instead).
    assert_eq!(
        w1.recv_timeout(Duration::from_millis(10)),
        Err(RecvTimeoutError::Timeout)
    );
    assert!(!channel.is_done());
    drop(w0);
    assert_eq!(w1.recv_blocking(), Err(RecvError));
}

#[test]
#[should_panic(expected = "at most 4095 workers")]
fn too_many_workers_panics() {
    let _ = DequeChannel::<u8>::new(deque_channel::MAX_WORKERS + 1);
}
