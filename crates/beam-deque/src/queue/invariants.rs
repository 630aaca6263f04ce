//! The queue's invariants that the public API cannot see, checked after
//! every step of single-threaded runs: the slot marks are never stale (see
//! [`Queue`]), and the `u32` counters wrap around cleanly. The wrap is
//! reached by moving a new queue's counters to where `n` pushes, each
//! popped at once by the owner, would leave them, instead of running 2^32
//! operations.
//!
//! Why the marks: a mark the owner leaves unwritten while it reuses the
//! slot goes a lap stale on every reuse, and 2^32 positions after it was
//! written it reads as "free" for a slot that holds a value (the push then
//! overwrites a live value, and the next pops return the new one twice).
//! A FIFO owner popping in order did exactly that, found by review; no test
//! that runs fewer than 2^32 operations sees the overwrite itself, but
//! every one of them can see the stale mark.

use std::vec::Vec;

use super::{Flavor, Owner, Plan, Queue, Take, pack, unpack};
use crate::Worker;
use core::sync::atomic::Ordering::Relaxed;

impl<T> Queue<T> {
    /// Panics unless every mark is exact, with no claim open: the slot of
    /// each position `p` in `head..head + capacity` is marked free for `p`
    /// (a value at `p` keeps the mark it was pushed with; an empty slot is
    /// free for the next position it takes).
    fn assert_marks_exact(&self, owner: &Owner) {
        let (_, head) = unpack(self.heads.load(Relaxed));
        let tail = owner.tail();
        for k in 0..self.capacity() {
            let position = head.wrapping_add(k);
            assert_eq!(
                self.ring.mark(position),
                position,
                "the slot of position {position} (head {head}, tail {tail}) has a stale mark"
            );
        }
    }

    /// Moves a new, empty queue and its owner's view to where `n` pushes,
    /// each popped at once by the owner, leave them: LIFO, the `pops` half
    /// of `heads` at `n` and the positions where they were; FIFO, every
    /// position `n` on, the marks with them.
    fn skip_push_pop_pairs(&self, owner: &Owner, n: u64) {
        assert_eq!(owner.pushed(), 0, "only a new queue is moved");
        owner.pushes.set(n);
        owner.pops.set(n);
        self.pushes.store(n as u32, Relaxed);
        let heads = match self.flavor {
            Flavor::Lifo => pack(n as u32, 0),
            Flavor::Fifo => {
                owner.free_until.set(n as u32);
                self.ring.mark_free_from(n as u32);
                // n values taken from the head, one by one.
                self.heads_after_taking(0, 0).wrapping_add(n)
            }
        };
        self.heads.store(heads, Relaxed);
        owner.heads_seen.set(heads);
    }

    /// Moves an empty FIFO queue (no claim open) on by `n` positions, as
    /// `n` push/pop pairs of its owner would, in `n / 2^31` steps of the
    /// words: `pushes`, the takes counted in `heads`, the marks.
    fn fast_forward_empty_fifo(&self, owner: &Owner, n: u64) {
        assert_eq!(self.flavor, Flavor::Fifo);
        let mut left = n;
        while left > 0 {
            let step = left.min(1 << 31) as u32;
            left -= u64::from(step);
            let tail = owner.tail();
            assert_eq!(unpack(self.heads.load(Relaxed)).1, tail, "empty");
            owner.pushes.set(owner.pushes.get() + u64::from(step));
            owner.pops.set(owner.pops.get() + u64::from(step));
            self.pushes.store(owner.pushes.get() as u32, Relaxed);
            let heads = self.heads_after_taking(self.heads.load(Relaxed), step);
            self.heads.store(heads, Relaxed);
            owner.heads_seen.set(heads);
            let new_tail = tail.wrapping_add(step);
            owner.free_until.set(new_tail);
            self.ring.mark_free_from(new_tail);
        }
    }
}

/// The ABA of the beam-deque soundness review, FIFO: a thief reads the
/// deque (three values) and stalls before its compare-and-swap, while the
/// owner pops all three and runs 2^32 - 3 push/pop pairs (about 23 s for
/// real; here the counters are moved). `heads` must not look as it did:
/// with 32-bit positions it did, the claim went through, and the thief
/// took values the owner had popped (a double drop for a `Box`) and left
/// `head` past the tail.
#[test]
fn fifo_claim_stalled_across_a_position_wrap_fails() {
    let w: Worker<u64> = Worker::new_fifo(4);
    for v in 0..3 {
        w.push(v).unwrap();
    }
    let (queue, owner) = w.parts();
    let Plan::Claim(planned) = queue.plan_claim(queue.heads.load(Relaxed), Take::Upto(1)) else {
        panic!("three values to claim");
    };
    for v in 0..3 {
        assert_eq!(w.pop(), Some(v));
    }
    queue.fast_forward_empty_fifo(owner, (1 << 32) - 3);
    assert_eq!(
        unpack(queue.heads.load(Relaxed)).1,
        unpack(planned.heads).1,
        "the low half is back where the thief read it"
    );
    assert!(
        queue.commit_claim(&planned).is_err(),
        "a claim planned 2^32 positions ago went through"
    );
    // The deque is sound on: empty, then one value, then empty again.
    assert!(w.stealer().steal().is_empty());
    w.push(7).unwrap();
    assert_marks_exact(&w);
    assert_eq!(w.stealer().steal().success(), Some(7));
    assert_eq!(w.pop(), None);
}

/// A worker of `flavor` whose counters stand `n` push/pop pairs on.
fn worker_after(flavor: Flavor, capacity: usize, n: u64) -> Worker<u64> {
    let worker = match flavor {
        Flavor::Lifo => Worker::new(capacity),
        Flavor::Fifo => Worker::new_fifo(capacity),
    };
    let (queue, owner) = worker.parts();
    queue.skip_push_pop_pairs(owner, n);
    queue.assert_marks_exact(owner);
    worker
}

fn assert_marks_exact(worker: &Worker<u64>) {
    let (queue, owner) = worker.parts();
    queue.assert_marks_exact(owner);
}

/// The review's case, one lap: a FIFO owner fills its deque, pops it all
/// in order, and fills it again. Before the fix the second fill sat in
/// slots still marked for the first.
#[test]
fn fifo_pops_in_order_leave_no_stale_mark() {
    let w: Worker<u64> = Worker::new_fifo(4);
    for lap in 0..3 {
        for v in 0..4 {
            w.push(lap * 4 + v).unwrap();
            assert_marks_exact(&w);
        }
        assert_eq!(w.push(99), Err(99), "full");
        for v in 0..4 {
            assert_eq!(w.pop(), Some(lap * 4 + v));
            assert_marks_exact(&w);
        }
    }
}

/// The LIFO pop that finds its value stolen takes its bump of `pops` back
/// with a fetch-sub: when the bump carried `pops` from 2^32 - 1 to 0, that
/// must wrap back, not overflow (a panic with overflow checks on).
#[test]
fn lifo_pop_rollback_across_the_pops_wrap() {
    let w = worker_after(Flavor::Lifo, 4, u64::from(u32::MAX));
    let thief = w.stealer();
    w.push(1).unwrap();
    assert_eq!(thief.steal().success(), Some(1));
    // The owner's view still says one value: the pop goes to the word.
    assert_eq!(w.pop(), None);
    assert_eq!(w.len(), 0);
    w.push(2).unwrap();
    w.push(3).unwrap();
    assert_eq!(w.pop(), Some(3));
    assert_eq!(thief.steal().success(), Some(2));
    assert_eq!(w.pop(), None);
    assert_marks_exact(&w);
}

/// FIFO positions wrap through zero while the deque fills and empties,
/// with the owner's pops and a thief's steals taking turns.
#[test]
fn fifo_positions_wrap_through_zero() {
    let capacity = 8u64;
    let w = worker_after(Flavor::Fifo, 8, (1u64 << 32) - 2 * capacity - 3);
    let thief = w.stealer();
    let mut next = 0u64;
    let mut expected = 0u64;
    for lap in 0..6 {
        while w.push(next).is_ok() {
            next += 1;
            assert_marks_exact(&w);
        }
        assert_eq!(w.len() as u64, capacity, "lap {lap}: full at capacity");
        for k in 0.. {
            let got = if k % 3 == 0 {
                thief.steal().success()
            } else {
                w.pop()
            };
            let Some(v) = got else { break };
            assert_eq!(v, expected, "lap {lap}: oldest first");
            expected += 1;
            assert_marks_exact(&w);
        }
    }
    assert_eq!(expected, next);
}

/// A small xorshift generator: the test needs no crate for it.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// Random steps on a victim and a destination of every flavor pairing and
/// a few capacities, from position 0 and from just before the wrap: every
/// operation a single thread can make, the marks of both checked after
/// each, and every value accounted for once at the end.
#[test]
fn random_steps_keep_every_mark_exact() {
    // Under miri every step checks every mark slowly: fewer steps there.
    let steps = if cfg!(miri) { 40 } else { 3_000 };
    let flavors = [Flavor::Lifo, Flavor::Fifo];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for victim_flavor in flavors {
        for dest_flavor in flavors {
            for capacity in [1, 2, 4, 16] {
                for start in [0, (1u64 << 32) - 40] {
                    let victim = worker_after(victim_flavor, capacity, start);
                    let dest = worker_after(dest_flavor, capacity, start);
                    let thief = victim.stealer();
                    let mut next = 0u64;
                    let mut taken = Vec::new();
                    for _ in 0..steps {
                        match rng.below(9) {
                            0..=2 => {
                                if victim.push(next).is_ok() {
                                    next += 1;
                                }
                            }
                            3 => taken.extend(victim.pop()),
                            4 => taken.extend(thief.steal().success()),
                            5 => {
                                let _ = thief.steal_batch(&dest);
                            }
                            6 => taken.extend(thief.steal_batch_and_pop(&dest).success()),
                            7 => {
                                let limit = rng.below(4) as usize;
                                taken.extend(victim.drain_oldest(limit));
                            }
                            _ => taken.extend(dest.pop()),
                        }
                        assert_marks_exact(&victim);
                        assert_marks_exact(&dest);
                    }
                    taken.extend(core::iter::from_fn(|| victim.pop()));
                    taken.extend(core::iter::from_fn(|| dest.pop()));
                    taken.sort_unstable();
                    assert!(
                        taken.iter().copied().eq(0..next),
                        "every value pushed taken exactly once"
                    );
                }
            }
        }
    }
}
