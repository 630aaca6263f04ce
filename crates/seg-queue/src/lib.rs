//! An unbounded multi-producer multi-consumer FIFO queue, made of bounded
//! segments linked in a list.
//!
//! [`SegQueue`] is a drop-in replacement for `crossbeam_queue::SegQueue`:
//! same methods, same meaning (`push` never fails, FIFO `pop`, `len`,
//! `is_empty`, owned iteration oldest first, a `const` [`SegQueue::new`]).
//! Unlike crossbeam's, it gives drained segments back for reuse, so a queue
//! that is pushed and popped at the same rate allocates nothing in the
//! steady state, and its memory follows the number of values queued.
//!
//! ```
//! use std::sync::Arc;
//! use std::thread;
//! use seg_queue::SegQueue;
//!
//! let q = Arc::new(SegQueue::new());
//!
//! let producers: Vec<_> = (0..2)
//!     .map(|p| {
//!         let q = Arc::clone(&q);
//!         thread::spawn(move || {
//!             for i in 0..1000 {
//!                 q.push(p * 1000 + i); // never full
//!             }
//!         })
//!     })
//!     .collect();
//!
//! let mut sum = 0;
//! let mut got = 0;
//! while got < 2000 {
//!     match q.pop() {
//!         Some(v) => {
//!             sum += v;
//!             got += 1;
//!         }
//!         None => thread::yield_now(),
//!     }
//! }
//! for p in producers {
//!     p.join().unwrap();
//! }
//! assert_eq!(sum, (0..2000).sum());
//! assert!(q.is_empty());
//! ```
//!
//! # How it works
//!
//! Each segment is a `vyukov_mpmc::ClosableQueue`: Dmitry Vyukov's bounded
//! ring whose tail word has a `CLOSED` bit. The queue keeps a `head` pointer
//! (the segment consumers pop from) and a `tail` pointer (the segment
//! producers push into).
//!
//! * **Push** tries the tail segment with `push_or_close`: it either
//!   reserves a slot, or finds the segment full and closes it, atomically
//!   with slot reservation (one compare-and-swap on the ring's tail word).
//!   A closed segment never accepts another value. The producer then links
//!   a new segment, already holding its value, after the closed one (a
//!   compare-and-swap of its `next` from null; the loser of a race takes
//!   its value back and returns its segment to the pool) and moves `tail`.
//! * **Pop** pops from the head segment. `Empty` means the segment is open,
//!   so it is the last one: the queue is empty. `Drained` means it is closed
//!   and every value it will ever hold has been taken: the consumer moves
//!   `tail` (if it lags) and then `head` to the next segment, and the one
//!   whose compare-and-swap moved `head` retires the drained segment.
//!
//! This fixes the two flaws of the plain "list of bounded queues" design:
//!
//! 1. **No lost values.** A producer that read the tail segment and then
//!    stalled cannot push into it after consumers drained it and moved on:
//!    to be drained it must be closed, and a closed segment refuses every
//!    push (the closing is part of the same atomic word as reservation, so
//!    there is no check-then-act window). The value comes back and goes to
//!    the next segment.
//! 2. **No leak.** Drained segments are recycled (two spares kept, so that
//!    the steady state allocates nothing) or freed while the queue lives,
//!    once no thread can still touch them, by the scheme below.
//!
//! # Segment sizes
//!
//! A segment is a ring: while consumers keep up, producers go round the
//! tail segment lap after lap and no segment is added. One is added only
//! when the last one overflows, that is when the queue grows; then each new
//! segment of a [`SegQueue::new`] queue holds twice as many values as the
//! one before, from [`FIRST_SEGMENT_CAPACITY`] up to
//! [`SegQueue::max_segment_capacity`] (1024 slots, fewer for values over a
//! few bytes: see [`MAX_SEGMENT_BYTES`]). A queue that stays short keeps
//! small segments; a long one crosses a segment boundary (linking, a hazard
//! scan, a spare or an allocation) once per thousand values rather than
//! once per 32, which is what makes it faster than a queue of fixed small
//! blocks. [`SegQueue::with_segment_capacity`] fixes the size instead.
//!
//! # Reclamation: hazard pointers, per queue
//!
//! A thread uses a linked segment only while it *protects* it. To protect
//! the segment `head` (or `tail`) points to, it claims a free slot of the
//! queue's hazard table by a compare-and-swap that writes the segment's
//! address into it, then reloads `head` (or `tail`) and checks that it still
//! points there, retrying with the new address if not. It clears the slot
//! (a `Release` store) when its operation ends. The thread whose
//! compare-and-swap moves `head` past a drained segment, `tail` being past
//! it already, retires the segment: it scans every slot; if none holds the
//! segment's address, the segment is reset and kept as a spare (if it has
//! the largest capacity and fewer than two spares are kept), or freed;
//! otherwise it goes on a retired list that every later retirement (and a
//! producer that finds no spare) scans again.
//!
//! **Why it is safe.** A thread issues a `SeqCst` fence between its
//! hazard write and its validating reload; the unlinking thread issues one
//! between its unlink and its scan. The two fences fall one way or the
//! other in the single total order of `SeqCst` fences. If the thread's
//! fence comes first, the scan sees its hazard (or a later value, written
//! only after the thread is done with the segment), and the segment is
//! kept. If the unlinker's fence comes first, the thread's validating
//! reload finds `head` and `tail` past the segment (they never come back to
//! a segment before it is recycled), and the thread retries without having
//! touched it. A scan that finds a slot cleared (or reused after clearing)
//! acquires that clear, so everything the protecting thread did to the
//! segment happens before the reset or free. Since a protected segment is
//! never recycled, the compare-and-swaps that move `head` and `tail` away
//! from a protected segment cannot be fooled by its address coming back
//! (ABA).
//!
//! The cost on the fast path is one compare-and-swap on the thread's own,
//! usually uncontended, slot (each slot has its own cache line), one
//! `SeqCst` fence and a plain store to clear the slot; the scan happens once per segment. A slot is held
//! for one operation only; an operation starts looking for a free slot at
//! a per-thread index (see Features), and when every inline
//! slot is in use, extra slots are added to a list that lives as long as
//! the queue, so no thread ever waits for a slot.
//!
//! Memory held: the segments from head to tail, two spares, and retired
//! segments that some thread still protected at their retirement (at most
//! one per slot in use at that moment, each freed at the next retirement
//! after its protector leaves).
//!
//! The source narrates every step and what each atomic ordering pairs with
//! (`src/queue.rs`, `src/hazard.rs`, `src/pool.rs`). Loom models, miri,
//! ThreadSanitizer, a counting-allocator test and release-mode stress
//! tests check it. The loom models run the shipped code, fences included.
//! What they do not cover: loom checks `SeqCst` accesses only as `AcqRel`
//! (the argument above needs no more); it explores a bounded number of
//! preemptions, with two or three threads and segments of one or two
//! slots, so long runs (many segments recycled through the pool, more
//! threads than inline hazard slots at full speed) are left to the stress
//! tests and ThreadSanitizer.
//!
//! # Memory ordering
//!
//! A `push` happens before the `pop` or `pop_batch` that returns its value
//! (and before the owned iterator yields it), as in crossbeam-queue:
//! whatever the producer wrote before the push is visible to the consumer
//! that takes the value.
//!
//! # Progress
//!
//! Segment changes never wait: a producer that finds the tail segment
//! closed and not yet linked links its own, and a consumer that finds the
//! head segment drained and not yet linked reports the queue empty (the
//! producer's value is not in the queue until its link succeeds). Within a
//! segment, the queue inherits the ring's guarantee: a producer preempted
//! between reserving a slot and writing it holds up the consumer of that
//! slot (see `vyukov_mpmc`'s docs), so the queue is **not lock-free in the
//! strict sense**; this is also true of crossbeam's `SegQueue`.
//!
//! # Sources
//!
//! * Maged M. Michael, "Hazard pointers: safe memory reclamation for
//!   lock-free objects", IEEE TPDS 15(6), 2004.
//! * The closed bit in the tail word: LCRQ, Adam Morrison and Yehuda Afek,
//!   "Fast concurrent queues for x86 processors", PPoPP 2013.
//! * crossbeam's `SegQueue` (crossbeam-queue), whose API this follows.
//!
//! # Features
//!
//! * `std` (default): each thread gets its own hazard slot to start from
//!   (a thread-local number), so threads do not contend for slots. Without
//!   it the crate is `#![no_std]` + `alloc`, and a hash of the stack
//!   address picks the starting slot.
#![no_std]

extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

mod hazard;
mod into_iter;
mod pool;
mod queue;
mod segment;
mod sync;

pub use into_iter::IntoIter;
pub use queue::{FIRST_SEGMENT_CAPACITY, MAX_SEGMENT_BYTES, MAX_SEGMENT_CAPACITY, SegQueue};
/// The values taken by one [`SegQueue::pop_batch`] (vyukov-mpmc's type).
pub use vyukov_mpmc::PopBatch;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(all(test, not(seg_queue_loom)))]
mod static_facts {
    use core::cell::Cell;
    use core::mem::align_of;
    use std::rc::Rc;

    use static_assertions::{assert_impl_all, assert_not_impl_any, const_assert};

    use crate::{IntoIter, SegQueue};

    // Shared freely between threads when the values can move between them.
    assert_impl_all!(SegQueue<u64>: Send, Sync, Default, core::fmt::Debug);
    assert_impl_all!(IntoIter<u64>: Send, Sync, ExactSizeIterator);
    // No `T: Send`, no crossing threads.
    assert_not_impl_any!(SegQueue<Rc<u8>>: Send, Sync);
    // Values need not be `Sync`: they move, they are never shared.
    assert_impl_all!(SegQueue<Cell<u8>>: Send, Sync);

    // `head` and `tail` each sit alone on their cache line(s).
    const_assert!(align_of::<SegQueue<u64>>() >= 64);
}
