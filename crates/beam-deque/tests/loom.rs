//! Loom models of every race the deque's design argues about.
//!
//! Run with `cargo xtask verify --only loom` (it sets
//! `--cfg beam_deque_loom`). Each model uses a tiny capacity and two or
//! three threads, and checks that every value is taken exactly once; loom's
//! `UnsafeCell` also fails a model if the owner could write a slot while a
//! thief reads it.
#![cfg(beam_deque_loom)]

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use beam_deque::{Steal, Stealer, Worker};
use loom::sync::Arc;
use loom::thread;

#[path = "support/loom_orders.rs"]
mod loom_orders;
use loom_orders::{check, run2, run3};

/// Steals until the deque is seen empty (retrying on `Retry`).
fn steal_all(s: &Stealer<usize>) -> Vec<usize> {
    let mut got = Vec::new();
    loop {
        match s.steal() {
            Steal::Success(v) => got.push(v),
            Steal::Retry => thread::yield_now(),
            Steal::Empty => return got,
        }
    }
}

fn drain_owner(w: &Worker<usize>) -> Vec<usize> {
    std::iter::from_fn(|| w.pop()).collect()
}

fn assert_exactly(mut got: Vec<usize>, expected: impl IntoIterator<Item = usize>) {
    got.sort_unstable();
    assert_eq!(got, expected.into_iter().collect::<Vec<_>>());
}

fn worker(fifo: bool, capacity: usize) -> Worker<usize> {
    if fifo {
        Worker::new_fifo(capacity)
    } else {
        Worker::new(capacity)
    }
}

/// The owner's pop and a thief race for the last value: exactly one wins.
#[test]
fn pop_vs_steal_on_the_last_item() {
    for fifo in [false, true] {
        loom::model(move || {
            let w = worker(fifo, 2);
            w.push(7).unwrap();
            let s = w.stealer();
            let thief = thread::spawn(move || s.steal().success());
            let popped = w.pop();
            let stolen = thief.join().unwrap();
            assert_exactly(popped.into_iter().chain(stolen).collect(), [7]);
        });
    }
}

/// A LIFO pop whose fetch-add finds every value claimed has bumped `pops`
/// past `head` and must take the bump back. Meanwhile a thief must see an
/// empty deque (not a huge one, nor spin waiting for the owner), and after
/// it the deque must work on: the owner pushes and pops again.
#[test]
fn pop_that_finds_everything_claimed_takes_its_bump_back() {
    check(2, |order| {
        let w = Worker::new(2);
        w.push(1).unwrap();
        let s = w.stealer();
        let ((w, owner_got), thief_got) = run2(
            order,
            move || {
                let mut got: Vec<usize> = w.pop().into_iter().collect();
                w.push(2).unwrap();
                got.extend(w.pop());
                (w, got)
            },
            move || {
                let mut got = Vec::new();
                for _ in 0..2 {
                    // A snapshot the deque had: never more than the
                    // capacity.
                    let len = s.len();
                    assert!(len <= 2, "a thief saw {len} values in a deque of 2");
                    got.extend(s.steal().success());
                }
                got
            },
        );
        let mut got = owner_got;
        got.extend(thief_got);
        got.extend(drain_owner(&w));
        assert_exactly(got, [1, 2]);
    });
}

/// Two thieves, two values: each value to exactly one of them (claims
/// may be open at once; a thief that loses the compare-and-swap to the
/// other recomputes rather than reporting empty).
#[test]
fn steal_vs_steal() {
    loom::model(|| {
        let w = worker(false, 2);
        w.push(1).unwrap();
        w.push(2).unwrap();
        let s1 = w.stealer();
        let s2 = w.stealer();
        let t1 = thread::spawn(move || steal_all(&s1));
        let t2 = thread::spawn(move || steal_all(&s2));
        let mut got = t1.join().unwrap();
        got.extend(t2.join().unwrap());
        assert_exactly(got, [1, 2]);
    });
}

/// A batch steal claims the older half while the owner pops the newer
/// values: the owner's pops invalidate a claim computed from a stale tail.
#[test]
fn steal_batch_vs_pop() {
    for fifo in [false, true] {
        loom::model(move || {
            let w = worker(fifo, 4);
            for v in 0..3 {
                w.push(v).unwrap();
            }
            let s = w.stealer();
            let thief = thread::spawn(move || {
                let mine = Worker::new(4);
                let first = s.steal_batch_and_pop(&mine).success();
                first
                    .into_iter()
                    .chain(drain_owner(&mine))
                    .collect::<Vec<_>>()
            });
            let mut got = drain_owner(&w);
            got.extend(thief.join().unwrap());
            assert_exactly(got, 0..3);
        });
    }
}

/// Capacity 2: the owner wraps around onto the slot a slow thief claimed.
/// The owner's push must see the slot occupied until the thief has read it
/// (loom's cell tracking fails the model on a concurrent read and write).
#[test]
fn push_after_wrap_around_vs_slow_thief() {
    for fifo in [false, true] {
        loom::model(move || {
            let w = worker(fifo, 2);
            w.push(0).unwrap();
            w.push(1).unwrap();
            let s = w.stealer();
            let thief = thread::spawn(move || s.steal().success());
            let mut got = Vec::new();
            // Make room at the owner's end and refill past the wrap.
            got.extend(w.pop());
            let mut next = 2;
            while next < 4 {
                match w.push(next) {
                    Ok(()) => next += 1,
                    Err(_) => match w.pop() {
                        Some(v) => got.push(v),
                        None => thread::yield_now(),
                    },
                }
            }
            got.extend(thief.join().unwrap());
            got.extend(drain_owner(&w));
            assert_exactly(got, 0..4);
        });
    }
}

/// The owner's batch (`drain_oldest`) racing a thief and its own pops.
#[test]
fn drain_oldest_vs_steal() {
    for fifo in [false, true] {
        loom::model(move || {
            let w = worker(fifo, 4);
            for v in 0..3 {
                w.push(v).unwrap();
            }
            let s = w.stealer();
            let thief = thread::spawn(move || steal_all(&s));
            let mut got: Vec<usize> = w.drain_oldest(2).collect();
            got.extend(drain_owner(&w));
            got.extend(thief.join().unwrap());
            assert_exactly(got, 0..3);
        });
    }
}

/// FIFO: the owner pops past a thief's open claim and pushes again: the
/// slot the owner popped is free at once, the claimed one only once the
/// thief has read it, and no slot is reused while claimed.
#[test]
fn fifo_pop_past_open_claim_then_push() {
    loom::model(|| {
        let w = worker(true, 2);
        w.push(0).unwrap();
        w.push(1).unwrap();
        let s = w.stealer();
        let thief = thread::spawn(move || s.steal().success());
        let mut got: Vec<usize> = w.pop().into_iter().collect();
        let mut next = 2;
        while next < 4 {
            match w.push(next) {
                Ok(()) => next += 1,
                Err(_) => match w.pop() {
                    Some(v) => got.push(v),
                    None => thread::yield_now(),
                },
            }
        }
        got.extend(thief.join().unwrap());
        got.extend(drain_owner(&w));
        assert_exactly(got, 0..4);
    });
}

/// Capacity 2, both values claimed by two thieves at once, read in either
/// order: the owner refills past the wrap onto both slots, and may write
/// each only after its own thief has read it, whichever finishes first
/// (loom's cell tracking fails the model on a concurrent read and write).
/// The slot's mark, stored with `Release` after the read and loaded with
/// `Acquire` before the write, is all that orders them.
#[test]
fn claims_finish_out_of_order_while_the_owner_wraps_onto_them() {
    for fifo in [false, true] {
        check(3, move |order| {
            let w = worker(fifo, 2);
            w.push(0).unwrap();
            w.push(1).unwrap();
            let (s1, s2) = (w.stealer(), w.stealer());
            let ((w, mut got), first, second) = run3(
                order,
                move || {
                    let mut got = Vec::new();
                    let mut next = 2;
                    while next < 4 {
                        match w.push(next) {
                            Ok(()) => next += 1,
                            Err(_) => thread::yield_now(),
                        }
                    }
                    got.extend(drain_owner(&w));
                    (w, got)
                },
                move || s1.steal().success(),
                move || s2.steal().success(),
            );
            got.extend(first);
            got.extend(second);
            got.extend(drain_owner(&w));
            // The owner waited for both thieves: each took one value, the
            // owner got the other two back.
            assert_exactly(got, 0..4);
        });
    }
}

/// A batch steal into a deque whose own thief is mid-steal: the thief of
/// `mine` has claimed its oldest value while `mine`'s owner pops one and
/// then moves two values in from `victim`, past the wrap, onto both slots.
/// The free slots are counted by each slot's mark, in order, so the batch
/// stops short of the slot still being read: a FIFO owner's pop frees the
/// *later* slot first when the thief holds the earlier one, so a count that
/// trusted the last slot's mark for the ones before it would write into
/// the thief's slot.
#[test]
fn batch_steal_into_a_deque_whose_thief_is_mid_steal() {
    for fifo in [false, true] {
        check(2, move |order| {
            let victim = Worker::new(4);
            for v in 10..14 {
                victim.push(v).unwrap();
            }
            let mine = worker(fifo, 2);
            mine.push(0).unwrap();
            mine.push(1).unwrap();
            let thief = mine.stealer();
            let ((mine, victim, mut got), stolen) = run2(
                order,
                move || {
                    let mut got: Vec<usize> = mine.pop().into_iter().collect();
                    // Half of the victim's 4 is 2: the next two positions
                    // of `mine`, on the slots of 0 and 1.
                    let moved = victim.stealer().steal_batch(&mine);
                    assert!(moved.is_success() || moved.is_empty());
                    got.extend(drain_owner(&mine));
                    (mine, victim, got)
                },
                move || thief.steal().success(),
            );
            got.extend(stolen);
            got.extend(drain_owner(&mine));
            got.extend(drain_owner(&victim));
            assert_exactly(got, [0, 1, 10, 11, 12, 13]);
        });
    }
}

/// A value that counts its drops.
struct Counted(Arc<AtomicUsize>);
impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// The worker is dropped while a stealer lives and steals: every value is
/// dropped exactly once, by the thief or by the last handle.
#[test]
fn drop_while_stealers_live() {
    loom::model(|| {
        let drops = Arc::new(AtomicUsize::new(0));
        let w = Worker::new(2);
        w.push(Counted(Arc::clone(&drops))).ok().unwrap();
        w.push(Counted(Arc::clone(&drops))).ok().unwrap();
        let s = w.stealer();
        let thief = thread::spawn(move || drop(s.steal()));
        drop(w);
        thief.join().unwrap();
        assert_eq!(drops.load(SeqCst), 2);
    });
}
