//! A bounded work-stealing deque.
//!
//! One thread, the owner, holds a [`Worker`]: it pushes values and pops them
//! back, newest first ([`Worker::new`]) or oldest first
//! ([`Worker::new_fifo`]). Other threads hold [`Stealer`]s and take the
//! oldest values, one at a time ([`Stealer::steal`]) or about half at once
//! ([`Stealer::steal_batch`], [`Stealer::steal_batch_and_pop`]). The API
//! follows `crossbeam_deque`'s `Worker`/`Stealer`/[`Steal`]; unlike it, the
//! deque is bounded: a power-of-two ring, allocated once, that never grows,
//! so it needs no epoch garbage collector, and `push` hands the value back
//! when full.
//!
//! ```
//! use beam_deque::{Steal, Worker};
//! use std::thread;
//!
//! let worker = Worker::new(256);
//! for task in 0..100 {
//!     worker.push(task).unwrap();
//! }
//!
//! let stealer = worker.stealer();
//! let thief = thread::spawn(move || {
//!     let mine = Worker::new(256);
//!     let mut done = 0;
//!     loop {
//!         match stealer.steal_batch_and_pop(&mine) {
//!             Steal::Success(_) => done += 1 + std::iter::from_fn(|| mine.pop()).count(),
//!             Steal::Retry => continue,
//!             Steal::Empty => return done,
//!         }
//!     }
//! });
//!
//! let mut done = 0;
//! while worker.pop().is_some() {
//!     done += 1;
//! }
//! assert_eq!(done + thief.join().unwrap(), 100);
//! ```
//!
//! # How it stays correct
//!
//! Thieves *claim, then read*: a thief reserves the values it will take with
//! one compare-and-swap on a packed `(counter, head)` word and only then
//! moves them out, so it never reads a slot the owner might be rewriting
//! after a wrap-around (the data race of a textbook Chase–Lev thief that
//! reads before its CAS). The owner of a LIFO deque pops with one
//! fetch-add on that same word, which orders every pop against every claim
//! (and takes it back with a fetch-sub in the rare pop that finds thieves
//! claimed everything); the owner never waits for a thief. A thief that has
//! moved a value out marks its slot free for the owner's push a lap later,
//! so claims never wait for each other and may finish in any order, and the
//! owner's `push` reads no word a thief writes but the mark of the slot it
//! is about to fill (and usually not even that). The protocol, its
//! invariants and the pairing of every atomic ordering are written out in
//! the source (`src/queue.rs`, `src/ring.rs`), and checked by loom models,
//! miri and release-mode stress tests (`cargo xtask verify` in the
//! repository).
//!
//! # Memory ordering
//!
//! A `push` happens before the `pop`, steal or `drain_oldest` that returns
//! its value, as in crossbeam-deque: whatever the pushing thread wrote
//! before the push is visible to the thread that takes the value (values
//! moved by a batch steal keep that edge for the thief that pops them).
//!
//! # Progress
//!
//! - The owner never waits for a thief. [`Worker::push`] and a LIFO
//!   [`Worker::pop`] are wait-free (no loop: a few loads and stores, and for
//!   the pop one fetch-add, rarely two). A FIFO `pop` and
//!   [`Worker::drain_oldest`] are lock-free: their compare-and-swap fails
//!   only when a thief's claim landed first (or spuriously, on machines
//!   whose compare-and-swap is a load-linked/store-conditional pair).
//! - Stealing is lock-free: a thief's compare-and-swap fails only when
//!   another claim or an owner's pop landed first (or spuriously, as
//!   above), and claims never wait for each other. A thief preempted
//!   mid-steal holds up nobody but the owner's pushes into the slots it
//!   holds (they report the deque full until it has moved its values
//!   out). A steal never returns
//!   [`Steal::Retry`]: a lost race is retried inside the call, and `Retry`
//!   stays in the enum for crossbeam's API.
//! - A stalled thief: a claim is computed from one reading of the deque and
//!   made by one compare-and-swap, which fails if that reading went stale.
//!   On a FIFO deque the word it compares counts every value ever taken in
//!   64 bits and never comes back to an old value. On a LIFO deque it
//!   packs the owner's pop count and the head position in 32 bits each,
//!   and comes back after a multiple of 2^32 successful owner pops, or of
//!   2^32 values claimed from the head, while one thief stalls between
//!   reading the word and its compare-and-swap (a push-only owner whose
//!   values thieves take gets there in under a minute): the thief's claim
//!   would then go through on a stale reading. tokio's and st3's run
//!   queues pack the same way; closing it without a cost to the owner's
//!   pop is open.
//!
//! `#![no_std]`: the crate needs only `alloc`, on a target with 64-bit
//! atomics (`target_has_atomic = "64"`: every 64-bit target, and 32-bit x86
//! and ARMv7-A; not ARMv7-M or RISC-V 32): the two heads share one
//! `AtomicU64`, so that a thief claims with a single compare-and-swap.
#![no_std]

#[cfg(not(target_has_atomic = "64"))]
compile_error!(
    "beam-deque needs 64-bit atomics (`target_has_atomic = \"64\"`): its two heads share one AtomicU64"
);

extern crate alloc;
#[cfg(test)]
extern crate std;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod drain;
mod queue;
mod ring;
mod steal;
mod stealer;
mod sync;
mod worker;

pub use drain::Drain;
pub use steal::Steal;
pub use stealer::Stealer;
pub use worker::Worker;

#[cfg(test)]
mod static_facts {
    use core::cell::Cell;
    use core::mem::{align_of, size_of};
    use std::rc::Rc;

    use crossbeam_utils::CachePadded;
    use static_assertions::{assert_impl_all, assert_not_impl_any, const_assert};

    use crate::sync::{AtomicU32, AtomicU64};
    use crate::{Stealer, Worker, queue::Queue};

    // The owner's handle moves between threads but is never shared.
    assert_impl_all!(Worker<u64>: Send);
    assert_not_impl_any!(Worker<u64>: Sync, Clone);
    // Thieves share their handle freely.
    assert_impl_all!(Stealer<u64>: Send, Sync, Clone);
    // No `T: Send`, no crossing threads.
    assert_not_impl_any!(Worker<Rc<u8>>: Send, Sync);
    assert_not_impl_any!(Stealer<Rc<u8>>: Send, Sync);
    // Values need not be `Sync`: they move, they are never shared.
    assert_impl_all!(Stealer<Cell<u8>>: Send, Sync);

    // Each hot word sits alone on its cache line(s).
    const_assert!(align_of::<CachePadded<AtomicU64>>() >= 64);
    const_assert!(size_of::<CachePadded<AtomicU32>>() >= 64);
    const_assert!(align_of::<Queue<u64>>() >= 64);
    const_assert!(size_of::<Queue<u64>>() >= 3 * 64);
}
