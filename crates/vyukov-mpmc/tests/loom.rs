//! Loom models of every race the design argues about.
//!
//! Run with
//! `RUSTFLAGS="--cfg vyukov_mpmc_loom" CARGO_TARGET_DIR=target/loom
//! LOOM_MAX_PREEMPTIONS=4 cargo test -p vyukov-mpmc --features loom --profile loom --test loom`
//! (`cargo xtask verify --only loom` reads the bound from the crate's
//! `loom-preemptions` file: 4, about 25 s for the whole file on two cores).
//! Even at bound 2 the file catches each mutation we tried on the ring: any
//! of the four stamp `Release`/`Acquire`s weakened to `Relaxed`, "full"
//! decided from the lagging stamp alone, "empty" decided from the stamp
//! alone, `Drained` reported while values remain, and `force_push` not
//! moving the tail.
//!
//! Each model checks exactly-once delivery: every value pushed is, at the
//! end, in exactly one place (popped by a thread, handed back to its pusher,
//! evicted by `force_push`, or still in the queue), and loom checks every
//! access to a slot's value against the happens-before the stamps create.
//! Capacities are tiny (1 to 3) and rings are moved one lap on before the
//! race where that matters, so the lap arithmetic is part of the model.
#![cfg(vyukov_mpmc_loom)]

use loom::sync::Arc;
use loom::thread;
use vyukov_mpmc::{ArrayQueue, ClosableQueue, Pop, PushError};

#[path = "support/loom_orders.rs"]
mod loom_orders;
use loom_orders::{check, run2, run3, with};

/// Moves head and tail `steps` slots on (through the shared paths).
fn advance<T: Default>(q: &ArrayQueue<T>, steps: usize) {
    for _ in 0..steps {
        q.push(T::default()).ok().unwrap();
        q.pop().unwrap();
    }
}

/// Takes what is left, with exclusive access.
fn drain<T>(q: Arc<ArrayQueue<T>>) -> Vec<T> {
    Arc::try_unwrap(q).unwrap().into_iter().collect()
}

/// Pops a closable queue until `Drained` (it must be closed).
fn drain_closed(q: &ClosableQueue<u32>) -> Vec<u32> {
    let mut got = Vec::new();
    loop {
        match q.pop() {
            Pop::Item(v) => got.push(v),
            Pop::Empty => panic!("a closed queue reported Empty"),
            Pop::Drained => return got,
        }
    }
}

fn sorted(mut v: Vec<u32>) -> Vec<u32> {
    v.sort_unstable();
    v
}

/// A producer and a consumer on the same slot (capacity 1, one lap on):
/// the consumer gets the value or `None`, never a torn or missing one, and
/// loom checks the slot's value is never accessed by both at once.
#[test]
fn push_vs_pop_same_slot() {
    check(2, |order| {
        let q = Arc::new(ArrayQueue::<u32>::new(1));
        advance(&q, 1);
        let (pushed, popped) = run2(order, with(&q, |q| q.push(7)), with(&q, |q| q.pop()));
        assert_eq!(pushed, Ok(()));
        let all: Vec<u32> = popped.into_iter().chain(drain(q)).collect();
        assert_eq!(all, [7]);
    });
}

/// A consumer takes the only value of a full ring while a producer pushes
/// into the slot it frees: the push may fail (full) or succeed, never by
/// overwriting the value being popped.
#[test]
fn pop_vs_push_on_full_ring() {
    check(2, |order| {
        let q = Arc::new(ArrayQueue::<u32>::new(1));
        advance(&q, 1);
        q.push(1).unwrap();
        let (popped, pushed) = run2(order, with(&q, |q| q.pop()), with(&q, |q| q.push(2)));
        assert_eq!(popped, Some(1));
        let rest = drain(q);
        match pushed {
            Ok(()) => assert_eq!(rest, [2]),
            Err(v) => {
                assert_eq!(v, 2);
                assert!(rest.is_empty());
            }
        }
    });
}

/// A batch consumer races two pushes across the wrap: it takes the run of
/// values already written (in order), never a slot still being written,
/// and never one a later push fills.
#[test]
fn pop_batch_vs_pushes() {
    check(2, |order| {
        let q = Arc::new(ArrayQueue::<u32>::new(2));
        advance(&q, 1);
        let (pushed, batch) = run2(
            order,
            with(&q, |q| [q.push(1), q.push(2)]),
            with(&q, |q| q.pop_batch(2).collect::<Vec<u32>>()),
        );
        assert_eq!(pushed, [Ok(()), Ok(())]);
        // The batch is a prefix of what was pushed; the rest is still queued.
        assert!(batch.len() <= 2);
        let all: Vec<u32> = batch.into_iter().chain(drain(q)).collect();
        assert_eq!(all, [1, 2]);
    });
}

/// A batch consumer and a single-value consumer race for the same values:
/// each value goes to exactly one of them (the claims are ordered by the
/// head's compare-and-swaps), each in queue order.
#[test]
fn pop_batch_vs_pop() {
    check(2, |order| {
        let q = Arc::new(ArrayQueue::<u32>::new(3));
        advance(&q, 2);
        for v in 1..=3 {
            q.push(v).unwrap();
        }
        let (batch, popped) = run2(
            order,
            with(&q, |q| q.pop_batch(2).collect::<Vec<u32>>()),
            with(&q, |q| q.pop()),
        );
        assert!(!batch.is_empty() && batch.is_sorted());
        let popped = popped.expect("three values for at most three takers");
        let all = sorted(batch.into_iter().chain([popped]).chain(drain(q)).collect());
        assert_eq!(all, [1, 2, 3]);
    });
}

/// A producer a lap behind a batch consumer on a full ring: its push
/// succeeds only into a slot the batch has moved out of, and fails (full)
/// otherwise, never overwriting a value the batch is reading.
#[test]
fn pop_batch_vs_push_a_lap_later() {
    check(2, |order| {
        let q = Arc::new(ArrayQueue::<u32>::new(2));
        advance(&q, 1);
        q.push(1).unwrap();
        q.push(2).unwrap();
        let (batch, pushed) = run2(
            order,
            with(&q, |q| q.pop_batch(2).collect::<Vec<u32>>()),
            with(&q, |q| q.push(3)),
        );
        assert_eq!(batch, [1, 2]);
        match pushed {
            Ok(()) => assert_eq!(drain(q), [3]),
            Err(v) => {
                assert_eq!(v, 3);
                assert!(drain(q).is_empty());
            }
        }
    });
}

/// The pitfall of DESIGN.md (heapless' bug): once a producer has seen that
/// there is room (here through `is_empty`, which reads the head a consumer
/// has already moved), its push must not fail, even though the slot it needs
/// may still show last lap's stamp while that consumer finishes its pop.
/// "Full" comes from head and tail, never from a lagging stamp alone.
#[test]
fn push_after_seeing_room_never_fails() {
    check(2, |order| {
        let q = Arc::new(ArrayQueue::<u32>::new(1));
        advance(&q, 1);
        q.push(1).unwrap();
        let (popped, pushed) = run2(
            order,
            with(&q, |q| q.pop()),
            with(&q, |q| q.is_empty().then(|| q.push(2))),
        );
        assert_eq!(popped, Some(1));
        if let Some(pushed) = pushed {
            assert_eq!(pushed, Ok(()), "push failed after the queue had room");
            assert_eq!(drain(q), [2]);
        }
    });
}

/// The mirror image: once a consumer has seen a value counted (`len`
/// reads the tail a producer has already moved), its pop must not return
/// `None`, even though the producer may not have written the slot yet:
/// "empty" comes from head and tail, and the consumer waits for the value.
#[test]
fn pop_after_seeing_a_value_never_fails() {
    check(2, |order| {
        let q = Arc::new(ArrayQueue::<u32>::new(1));
        advance(&q, 1);
        let (pushed, popped) = run2(
            order,
            with(&q, |q| q.push(7)),
            with(&q, |q| (q.len() == 1).then(|| q.pop())),
        );
        assert_eq!(pushed, Ok(()));
        match popped {
            Some(popped) => assert_eq!(popped, Some(7), "pop failed after a value was counted"),
            None => assert_eq!(drain(q), [7]),
        }
    });
}

/// Two producers race for the last free slot: exactly one wins, the other
/// gets its very value back.
#[test]
fn two_pushers_last_free_slot() {
    check(2, |order| {
        let q = Arc::new(ArrayQueue::<u32>::new(2));
        advance(&q, 1);
        q.push(1).unwrap();
        let (a, b) = run2(order, with(&q, |q| q.push(2)), with(&q, |q| q.push(3)));
        let rest = drain(q);
        match (a, b) {
            (Ok(()), Err(3)) => assert_eq!(rest, [1, 2]),
            (Err(2), Ok(())) => assert_eq!(rest, [1, 3]),
            other => panic!("expected exactly one winner, got {other:?}"),
        }
    });
}

/// Two consumers race for the last value: exactly one gets it.
#[test]
fn two_poppers_last_item() {
    check(2, |order| {
        let q = Arc::new(ArrayQueue::<u32>::new(2));
        advance(&q, 3);
        q.push(5).unwrap();
        let (a, b) = run2(order, with(&q, |q| q.pop()), with(&q, |q| q.pop()));
        let got: Vec<u32> = a.into_iter().chain(b).collect();
        assert_eq!(got, [5]);
        assert!(q.is_empty());
    });
}

/// Two consumers and a producer on a ring of two: the value pushed during
/// the race is neither lost nor doubled.
#[test]
fn two_poppers_and_a_pusher() {
    check(3, |order| {
        let q = Arc::new(ArrayQueue::<u32>::new(2));
        advance(&q, 1);
        q.push(1).unwrap();
        let (a, b, pushed) = run3(
            order,
            with(&q, |q| q.pop()),
            with(&q, |q| q.pop()),
            with(&q, |q| q.push(2)),
        );
        assert_eq!(pushed, Ok(()));
        let all: Vec<u32> = a.into_iter().chain(b).chain(drain(q)).collect();
        assert_eq!(sorted(all), [1, 2]);
    });
}

/// `force_push` on a full ring against a consumer: every value ends up in
/// exactly one place (evicted, popped, or still queued), the oldest goes
/// first, and the forced value is the newest.
#[test]
fn force_push_vs_pop() {
    check(2, |order| {
        let q = Arc::new(ArrayQueue::<u32>::new(2));
        advance(&q, 1);
        q.push(1).unwrap();
        q.push(2).unwrap();
        let (evicted, popped) = run2(order, with(&q, |q| q.force_push(3)), with(&q, |q| q.pop()));
        match (evicted, popped) {
            (Some(1), Some(2)) | (None, Some(1)) => {}
            other => panic!("unexpected (evicted, popped): {other:?}"),
        }
        let rest = drain(q);
        assert_eq!(rest.last(), Some(&3), "the forced value is the newest");
        let all: Vec<u32> = evicted.into_iter().chain(popped).chain(rest).collect();
        assert_eq!(sorted(all), [1, 2, 3]);
    });
}

/// Two `force_push`es on a full ring of one: each evicts exactly one value.
#[test]
fn force_push_vs_force_push() {
    check(2, |order| {
        let q = Arc::new(ArrayQueue::<u32>::new(1));
        q.push(1).unwrap();
        let (a, b) = run2(
            order,
            with(&q, |q| q.force_push(2)),
            with(&q, |q| q.force_push(3)),
        );
        let rest = drain(q);
        assert_eq!(rest.len(), 1);
        let all: Vec<u32> = a.into_iter().chain(b).chain(rest).collect();
        assert_eq!(sorted(all), [1, 2, 3]);
    });
}

/// A close against a push: the push either got in before the close (and
/// its value is popped before `Drained`) or fails with `Closed`; a push
/// that starts after the close has returned always fails.
#[test]
fn close_vs_push() {
    check(2, |order| {
        let q = Arc::new(ClosableQueue::<u32>::new(2));
        q.push(1).unwrap();
        assert_eq!(q.pop(), Pop::Item(1)); // one slot on
        let (pushed, closed_then_pushed) = run2(
            order,
            with(&q, |q| q.push(2)),
            with(&q, |q| {
                assert!(q.close());
                q.push(3)
            }),
        );
        assert_eq!(closed_then_pushed, Err(PushError::Closed(3)));
        let got = drain_closed(&q);
        match pushed {
            Ok(()) => assert_eq!(got, [2]),
            Err(PushError::Closed(2)) => assert!(got.is_empty()),
            other => panic!("unexpected push result {other:?}"),
        }
    });
}

/// A producer, a closer and a consumer that pops until `Drained`: the
/// consumer never reports `Drained` while an accepted value is still in the
/// queue (or still being written).
#[test]
fn close_vs_push_vs_drain() {
    check(3, |order| {
        let q = Arc::new(ClosableQueue::<u32>::new(2));
        let (accepted, got, ()) = run3(
            order,
            with(&q, |q| q.push(1).is_ok()),
            with(&q, |q| {
                let mut got = Vec::new();
                loop {
                    match q.pop() {
                        Pop::Item(v) => got.push(v),
                        Pop::Empty => thread::yield_now(),
                        Pop::Drained => return got,
                    }
                }
            }),
            with(&q, |q| {
                q.close();
            }),
        );
        assert_eq!(got, if accepted { vec![1] } else { vec![] });
    });
}

/// `push_or_close` on a full ring against a consumer freeing a slot: the
/// push either gets in (the consumer made room first) or closes the queue;
/// either way nothing accepted is lost and nothing is accepted after the
/// close.
#[test]
fn push_or_close_vs_pop() {
    check(2, |order| {
        let q = Arc::new(ClosableQueue::<u32>::new(1));
        q.push(1).unwrap();
        let (pushed, popped) = run2(
            order,
            with(&q, |q| q.push_or_close(2)),
            with(&q, |q| q.pop()),
        );
        assert_eq!(popped, Pop::Item(1));
        match pushed {
            Ok(()) => {
                assert!(!q.is_closed());
                assert_eq!(q.pop(), Pop::Item(2));
                assert_eq!(q.pop(), Pop::Empty);
            }
            Err(2) => {
                assert!(q.is_closed());
                assert_eq!(q.push(3), Err(PushError::Closed(3)));
                assert_eq!(q.pop(), Pop::Drained);
            }
            Err(other) => panic!("wrong value back: {other}"),
        }
    });
}

/// Two `push_or_close` on the last free slot: one gets in, the other finds
/// the ring full and closes it; the winner's value is still popped.
#[test]
fn two_push_or_close_last_free_slot() {
    check(2, |order| {
        let q = Arc::new(ClosableQueue::<u32>::new(2));
        q.push(1).unwrap();
        let (a, b) = run2(
            order,
            with(&q, |q| q.push_or_close(2)),
            with(&q, |q| q.push_or_close(3)),
        );
        let winner = match (a, b) {
            (Ok(()), Err(3)) => 2,
            (Err(2), Ok(())) => 3,
            other => panic!("expected one winner and one close, got {other:?}"),
        };
        assert!(q.is_closed());
        assert_eq!(drain_closed(&q), [1, winner]);
    });
}

/// Values left in a queue shared by threads are dropped exactly once, by
/// whichever handle goes last.
#[test]
fn drop_with_values_left() {
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[derive(Debug)]
    struct Counted(std::sync::Arc<AtomicUsize>);
    impl Drop for Counted {
        fn drop(&mut self) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    check(2, |order| {
        let drops = std::sync::Arc::new(AtomicUsize::new(0));
        let q = Arc::new(ArrayQueue::new(2));
        q.push(Counted(drops.clone())).unwrap();
        let (d1, d2) = (drops.clone(), drops.clone());
        let q1 = Arc::clone(&q);
        let q2 = Arc::clone(&q);
        drop(q);
        run2(
            order,
            move || {
                let _ = q1.push(Counted(d1));
                drop(q1.pop());
            },
            move || {
                let _ = q2.push(Counted(d2));
            },
        );
        assert_eq!(drops.load(Ordering::Relaxed), 3);
    });
}
