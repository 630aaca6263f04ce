//! A bounded multi-producer multi-consumer queue: Dmitry Vyukov's design,
//! with crossbeam's lap stamps so that any capacity works.
//!
//! [`ArrayQueue`] is a drop-in replacement for `crossbeam_queue::ArrayQueue`:
//! same methods, same meaning (exact capacity, `push` hands the value back
//! when full, `force_push` evicts the oldest, FIFO `pop`, `len` that is
//! never above the capacity, owned iteration oldest first). One addition:
//! [`ArrayQueue::pop_batch`] takes up to [`POP_BATCH_MAX`] ready values
//! with one claim on the head, where `pop` needs one per value.
//!
//! ```
//! use std::sync::Arc;
//! use std::thread;
//! use vyukov_mpmc::ArrayQueue;
//!
//! let q = Arc::new(ArrayQueue::new(64));
//!
//! let producers: Vec<_> = (0..2)
//!     .map(|p| {
//!         let q = Arc::clone(&q);
//!         thread::spawn(move || {
//!             for i in 0..1000 {
//!                 let mut v = p * 1000 + i;
//!                 while let Err(back) = q.push(v) {
//!                     v = back; // full: try again
//!                     thread::yield_now();
//!                 }
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
//! [`ClosableQueue`] is the same ring with one more ability, for unbounded
//! queues built from linked segments (the `seg-queue` crate): it can be
//! closed for good, atomically with slot reservation, so no push can land in
//! a segment after it was closed; [`ClosableQueue::pop`] says when a closed
//! queue has given out every value it will ever hold ([`Pop::Drained`]).
//!
//! # How it works
//!
//! Each slot carries a stamp saying whose turn it is: the producer of lap
//! *n*, or the consumer of lap *n*. A producer reads the tail, checks that
//! the slot there waits for that tail, claims it by moving the tail one step
//! with a compare-and-swap, writes the value and publishes it by moving the
//! slot's stamp on; a consumer does the same with the head. Full and empty
//! are decided from the head and the tail, never from a lagging slot stamp.
//! The head and the tail live on their own cache lines. The source
//! (`src/ring.rs`) narrates every step and what each atomic ordering pairs
//! with; loom models, miri and stress tests check it.
//!
//! # Memory ordering
//!
//! A `push` (or `force_push`) happens before the `pop`, `pop_batch` or
//! owned iteration that returns its value, as in crossbeam-queue: whatever
//! the producer wrote before the push is visible to the consumer that takes
//! the value.
//!
//! # Progress
//!
//! The queue is **not lock-free in the strict sense**. A producer that is
//! preempted between claiming a slot (its compare-and-swap on the tail) and
//! publishing it (its store of the slot's stamp) holds up the consumer that
//! comes for that slot: that consumer waits, spinning and then yielding,
//! until the producer runs again. Symmetrically, a consumer preempted
//! between claiming a slot and releasing it holds up the producer one lap
//! later. Other operations proceed: other producers claim other slots,
//! and `push`/`pop` on a queue that is full/empty return at once. The
//! window is a handful of instructions, so in practice it is rare, but it
//! is there; this is the price of the design's speed (one compare-and-swap
//! per operation and no contention between producers and consumers).
//!
//! # Sources
//!
//! * Dmitry Vyukov, "Bounded MPMC queue", 1024cores.net:
//!   <https://www.1024cores.net/home/lock-free-algorithms/queues/bounded-mpmc-queue>
//! * crossbeam's `ArrayQueue` (crossbeam-queue, `src/array_queue.rs`), whose
//!   lap-stamp encoding, `force_push` and consistent `len` this crate
//!   follows: <https://github.com/crossbeam-rs/crossbeam>
//! * The closed bit in the tail word: LCRQ, Adam Morrison and Yehuda Afek,
//!   "Fast concurrent queues for x86 processors", PPoPP 2013.
//!
//! # Features
//!
//! `#![no_std]`: the crate needs only `alloc`. The default `std` feature
//! only lets a thread that has waited a while for a preempted peer yield its
//! CPU (`std::thread::yield_now`); without it, waiting spins.
#![no_std]

extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

mod array_queue;
mod backoff;
mod closable;
mod pop_batch;
mod ring;
mod slot;
mod sync;

pub use array_queue::{ArrayQueue, IntoIter};
pub use closable::{ClosableQueue, Pop, PushError};
pub use pop_batch::{POP_BATCH_INLINE_BYTES, POP_BATCH_MAX, PopBatch};

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
