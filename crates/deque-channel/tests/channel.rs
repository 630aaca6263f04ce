//! The plans' own test list, on one thread and a few.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::thread;

use deque_channel::{DequeChannel, Full, SendError};

fn scaled(native: usize, under_miri: usize) -> usize {
    if cfg!(miri) { under_miri } else { native }
}

#[test]
fn single_worker_send_recv_lifo_and_no_self_steal() {
    let (channel, workers) = DequeChannel::new(1);
    let w = &workers[0];
    assert_eq!(w.id(), 0);
    assert_eq!(w.recv(), None::<i32>);
    for i in 0..5 {
        w.send(i).unwrap();
    }
    assert_eq!(channel.len(), 5);
    let got: Vec<_> = std::iter::from_fn(|| w.recv()).collect();
    assert_eq!(got, [4, 3, 2, 1, 0]);
    assert_eq!(w.recv(), None);
    assert!(channel.is_empty());
    // A lone worker never tries to steal from itself.
    assert_eq!(w.stats().stolen, 0);
    assert_eq!(w.stats().failed_steal_rounds, 0);
}

#[test]
fn overflow_moves_the_oldest_half_to_global() {
    let (channel, workers) = DequeChannel::builder()
        .workers(2)
        .local_capacity(8)
        .global_capacity(64)
        .build();
    let w = &workers[0];
    for i in 0..9 {
        w.send(i).unwrap();
    }
    let stats = w.stats();
    assert_eq!((stats.offloads, stats.offloaded), (1, 4));
    assert_eq!(channel.len(), 9);
    // The other worker finds the oldest half in the global queue, FIFO: it
    // takes all four with one claim, receives the oldest, and the other
    // three from its own deque, oldest first.
    let other = &workers[1];
    let from_global: Vec<_> = (0..4).map(|_| other.recv().unwrap()).collect();
    assert_eq!(from_global, [0, 1, 2, 3]);
    let s = other.stats();
    assert_eq!((s.recv_global, s.taken_global, s.recv_local), (1, 4, 3));
    // The owner keeps the newest, newest first.
    assert_eq!(w.recv(), Some(8));
}

#[test]
fn back_pressure_returns_the_very_value_and_loses_nothing() {
    let (channel, workers) = DequeChannel::builder()
        .workers(1)
        .local_capacity(4)
        .global_capacity(6)
        .build();
    let w = &workers[0];
    let mut accepted = Vec::new();
    let mut rejected = None;
    for i in 0..100 {
        match w.send(Box::new(i)) {
            Ok(()) => accepted.push(i),
            Err(Full(value)) => {
                rejected = Some(*value);
                break;
            }
        }
    }
    assert_eq!(rejected, Some(accepted.len()));
    assert_eq!(accepted.len(), 10, "4 local + 6 global");
    assert_eq!(channel.len(), 10);
    assert_eq!(w.stats().full, 1);
    let mut drained: Vec<_> = std::iter::from_fn(|| w.recv()).map(|b| *b).collect();
    drained.sort_unstable();
    assert_eq!(drained, accepted);
}

#[test]
fn external_send_goes_global_and_reaches_workers() {
    let (channel, workers) = DequeChannel::builder()
        .workers(3)
        .global_capacity(2)
        .build();
    let producer = channel.clone();
    thread::spawn(move || {
        producer.send(1).unwrap();
        producer.send(2).unwrap();
        assert_eq!(producer.send(3), Err(SendError::Full(3)));
    })
    .join()
    .unwrap();
    assert_eq!(workers[2].recv(), Some(1));
    assert_eq!(workers[1].recv(), Some(2));
    assert_eq!(workers[0].recv(), None);
}

#[test]
fn recv_priority_local_then_global_then_steal() {
    let (channel, workers) = DequeChannel::new(2);
    let (w0, w1) = (&workers[0], &workers[1]);
    w0.send("w0-a").unwrap();
    w0.send("w0-b").unwrap();
    channel.send("global").unwrap();
    w1.send("w1").unwrap();
    assert_eq!(w1.recv(), Some("w1"));
    assert_eq!(w1.recv(), Some("global"));
    // Steals w0's oldest (half of 2 is 1).
    assert_eq!(w1.recv(), Some("w0-a"));
    assert_eq!(w1.recv(), Some("w0-b"));
    assert_eq!(w1.recv(), None);
    let s = w1.stats();
    assert_eq!(
        (s.recv_local, s.recv_global, s.recv_stolen, s.stolen),
        (1, 1, 2, 2)
    );
    assert_eq!(s.failed_steal_rounds, 1);
    assert_eq!(w0.recv(), None);
}

#[test]
fn recv_takes_a_batch_from_global_that_thieves_can_share() {
    let (channel, workers) = DequeChannel::builder()
        .workers(2)
        .local_capacity(8)
        .global_capacity(64)
        .build();
    for i in 0..10 {
        channel.send(i).unwrap();
    }
    let (w0, w1) = (&workers[0], &workers[1]);
    // Up to 1 + 8 / 2 values per batch: the oldest returned, four moved.
    assert_eq!(w0.recv(), Some(0));
    let s = w0.stats();
    assert_eq!((s.recv_global, s.taken_global), (1, 5));
    assert_eq!(channel.len(), 9);
    // The next batch goes to whoever asks: w1 takes 5..=9.
    assert_eq!(w1.recv(), Some(5));
    // w0 receives its batch oldest first.
    assert_eq!(w0.recv(), Some(1));
    // With the global queue empty, w1's own deque serves it, then a steal
    // of w0's oldest.
    let w1_rest: Vec<_> = std::iter::from_fn(|| w1.recv()).collect();
    assert_eq!(w1_rest[..4], [6, 7, 8, 9]);
    let w0_rest: Vec<_> = std::iter::from_fn(|| w0.recv()).collect();
    let mut all: Vec<_> = [0, 5, 1]
        .into_iter()
        .chain(w1_rest)
        .chain(w0_rest)
        .collect();
    all.sort_unstable();
    assert_eq!(all, (0..10).collect::<Vec<_>>());
    assert!(channel.is_empty());
}

#[test]
fn batch_steal_moves_half_into_the_thief() {
    let (_channel, workers) = DequeChannel::new(2);
    for i in 0..10 {
        workers[0].send(i).unwrap();
    }
    assert_eq!(workers[1].recv(), Some(4));
    let s = workers[1].stats();
    assert_eq!((s.recv_stolen, s.stolen), (1, 5));
    // The rest of the batch is now local to worker 1.
    assert_eq!(workers[1].recv(), Some(3));
    assert_eq!(workers[1].stats().recv_local, 1);
}

#[test]
fn values_survive_their_senders_handle() {
    let (channel, mut workers) = DequeChannel::new(2);
    workers[0].send(10).unwrap();
    workers[0].send(11).unwrap();
    drop(workers.remove(0));
    let w1 = &workers[0];
    let mut got: Vec<_> = std::iter::from_fn(|| w1.recv()).collect();
    got.sort_unstable();
    assert_eq!(got, [10, 11]);
    assert!(channel.is_empty());
}

#[derive(Debug)]
struct Counted(Arc<AtomicUsize>);
impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

#[test]
fn everything_left_is_dropped_exactly_once() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (channel, workers) = DequeChannel::builder()
        .workers(2)
        .local_capacity(4)
        .global_capacity(16)
        .build();
    for _ in 0..7 {
        workers[0].send(Counted(Arc::clone(&drops))).unwrap();
    }
    workers[1].send(Counted(Arc::clone(&drops))).unwrap();
    channel.send(Counted(Arc::clone(&drops))).unwrap();
    drop(workers[1].recv());
    assert_eq!(drops.load(SeqCst), 1);
    drop(workers);
    assert_eq!(drops.load(SeqCst), 1, "the channel handle keeps the values");
    drop(channel);
    assert_eq!(drops.load(SeqCst), 9);
}

#[test]
#[should_panic(expected = "`workers` must be at least 1")]
fn zero_workers_panics() {
    let _ = DequeChannel::<u8>::new(0);
}

#[test]
#[should_panic(expected = "`local_capacity` must be at least 1")]
fn zero_local_capacity_panics() {
    let _ = DequeChannel::<u8>::builder()
        .workers(1)
        .local_capacity(0)
        .build();
}

#[test]
#[should_panic(expected = "`global_capacity` must be at least 1")]
fn zero_global_capacity_panics() {
    let _ = DequeChannel::<u8>::builder()
        .workers(1)
        .global_capacity(0)
        .build();
}

#[test]
fn defaults_and_debug() {
    let (channel, workers) = DequeChannel::<u8>::new(3);
    assert_eq!(channel.workers(), 3);
    assert_eq!(
        format!("{channel:?}"),
        "DequeChannel { workers: 3, len: 0, global_capacity: 4096, closed: false, done: false }"
    );
    assert_eq!(
        format!("{:?}", workers[2]),
        "Worker { id: 2, local_len: 0, local_capacity: 256 }"
    );
    let (big, _) = DequeChannel::<u8>::new(32);
    assert!(format!("{big:?}").contains("global_capacity: 8192"));
    assert_eq!(format!("{:?}", Full(1)), "Full(..)");
    assert_eq!(format!("{:?}", SendError::Closed(1)), "Closed(..)");
    assert_eq!(channel.stats().len(), 3);
}

#[test]
fn workers_send_and_receive_across_threads() {
    let per_worker = scaled(20_000, 200);
    let (channel, workers) = DequeChannel::builder()
        .workers(3)
        .local_capacity(16)
        .global_capacity(64)
        .build();
    let received = AtomicUsize::new(0);
    let total = 3 * per_worker;
    let seen: Vec<Vec<usize>> = thread::scope(|scope| {
        let handles: Vec<_> = workers
            .into_iter()
            .map(|w| {
                let received = &received;
                scope.spawn(move || {
                    let mut mine = Vec::new();
                    let mut next = 0;
                    while received.load(SeqCst) < total {
                        if next < per_worker {
                            let value = w.id() * per_worker + next;
                            // Full: receive below, then try again.
                            if w.send(value).is_ok() {
                                next += 1;
                            }
                        }
                        if let Some(v) = w.recv() {
                            mine.push(v);
                            received.fetch_add(1, SeqCst);
                        }
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut all = HashSet::new();
    for v in seen.into_iter().flatten() {
        assert!(all.insert(v), "{v} received twice");
    }
    assert_eq!(all.len(), total);
    assert!(channel.is_empty());
}

#[test]
fn counts_reach_the_channel_stats_while_running_and_exactly_on_drop() {
    let (channel, mut workers) = DequeChannel::<u32>::new(2);
    let w = workers.remove(0);
    // Sends and receives that never leave the fast path.
    for round in 0..1500 {
        w.send(round).unwrap();
        assert_eq!(w.recv(), Some(round));
    }
    let seen = channel.stats()[0];
    // Published at the 1024th send, which came before the 1024th receive.
    assert_eq!(
        (seen.sent_local, seen.recv_local),
        (1024, 1023),
        "published every 1024 sends"
    );
    // A value stolen in a batch counts as received locally when popped,
    // never as sent.
    for i in 0..4 {
        workers[0].send(i).unwrap();
    }
    assert_eq!(w.recv(), Some(1)); // steals 0 and 1, hands back 1
    assert_eq!(w.recv(), Some(0));
    let own = w.stats();
    assert_eq!(
        (own.sent_local, own.recv_local, own.stolen),
        (1500, 1501, 2)
    );
    w.send(7).unwrap();
    drop(w);
    let after = channel.stats()[0];
    assert_eq!((after.sent_local, after.recv_local), (1501, 1501));
}

/// A receive from the global queue took a batch of up to 32 values on the
/// stack whatever their size: 24 KiB values (768 KiB a batch) overflowed a
/// spawned thread's stack in a debug build.
#[test]
#[cfg_attr(miri, ignore = "moves hundreds of kilobytes byte by byte under miri")]
fn large_values_from_the_global_queue_fit_on_a_small_stack() {
    type Large = [u8; 24 * 1024];
    let (channel, mut workers) = DequeChannel::<Large>::new(1);
    for i in 0..3u8 {
        channel.send([i; 24 * 1024]).unwrap();
    }
    let worker = workers.pop().unwrap();
    let firsts = thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(move || {
            let mut firsts = Vec::new();
            while let Some(value) = worker.recv() {
                assert!(value.iter().all(|&b| b == value[0]));
                firsts.push(value[0]);
            }
            firsts
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(firsts, [0, 1, 2]);
}

#[test]
fn unbounded_sends_are_never_refused_and_every_value_comes_out_once() {
    let (channel, workers) = DequeChannel::builder()
        .workers(2)
        .local_capacity(4)
        .unbounded()
        .build();
    let n = scaled(5_000, 300);
    for i in 0..n {
        channel.send(i).unwrap();
        workers[0].send(n + i).unwrap();
    }
    assert!(channel.send_blocking(2 * n).is_ok(), "never waits for room");
    assert_eq!(channel.len(), 2 * n + 1);
    assert!(workers[0].stats().offloads > 0);
    assert_eq!(workers[0].stats().full, 0);
    let mut got: Vec<usize> = std::iter::from_fn(|| workers[1].recv()).collect();
    got.extend(std::iter::from_fn(|| workers[0].recv()));
    got.sort_unstable();
    assert_eq!(got, (0..=2 * n).collect::<Vec<_>>());
    assert!(
        format!("{channel:?}").contains("global: unbounded"),
        "{channel:?}"
    );
}

#[test]
#[should_panic(expected = "an unbounded channel has no `global_capacity`")]
fn unbounded_with_a_global_capacity_panics() {
    let _ = DequeChannel::<u8>::builder()
        .workers(1)
        .global_capacity(8)
        .unbounded()
        .build();
}

#[test]
fn unbounded_recursive_job_ends_by_done() {
    let (channel, workers) = DequeChannel::builder().workers(3).unbounded().build();
    drop(channel);
    workers[0].send(12u32).unwrap();
    let leaves = AtomicUsize::new(0);
    thread::scope(|scope| {
        for w in workers {
            let leaves = &leaves;
            scope.spawn(move || {
                while let Ok(n) = w.recv_blocking() {
                    if n < 2 {
                        leaves.fetch_add(1, SeqCst);
                    } else {
                        w.send(n - 1).unwrap();
                        w.send(n - 2).unwrap();
                    }
                }
            });
        }
    });
    // fib(13) leaves in the call tree of fib(12).
    assert_eq!(leaves.load(SeqCst), 233);
}
