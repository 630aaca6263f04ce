//! A work-stealing multi-producer multi-consumer channel.
//!
//! For schedulers, thread pools and pipelines whose consumers are also
//! producers: each worker thread sends onto its own bounded deque
//! ([`beam_deque`]) and receives from it first, so the common case touches
//! no shared cache line at all. Overflow goes, in batches, to a shared
//! bounded queue ([`vyukov_mpmc::ArrayQueue`]; or, for an unbounded channel,
//! [`seg_queue::SegQueue`]: [`Builder::unbounded`]); idle workers take from
//! that queue (up to 32 values per claim on it) and then steal about half
//! of a random busy worker's oldest values.
//!
//! ```text
//!   worker 0          worker 1          worker N-1
//!  [local deque]     [local deque]     [local deque]     send: local push; when full,
//!       |  ^ steal (oldest half) ^         |             oldest half -> global (1 claim)
//!       v  |                      |        v
//!  +------------------ global queue ------------------+  recv: local pop (newest)
//!  |  overflow + values from non-worker producers     |        -> global (oldest, a batch)
//!  +--------------------------------------------------+        -> steal from a random victim
//! ```
//!
//! ```
//! use deque_channel::DequeChannel;
//! use std::thread;
//!
//! // Each worker sends and receives: a tiny recursive computation. The
//! // outside handle is dropped at once, so the channel is closed, and it is
//! // *done* when nothing is left and every worker waits: then
//! // `recv_blocking` returns `Err` and the loops end.
//! let (_, workers) = DequeChannel::new(4);
//! workers[0].send(20u64).unwrap();
//! let handles: Vec<_> = workers
//!     .into_iter()
//!     .map(|w| {
//!         thread::spawn(move || {
//!             let mut leaves = 0u64;
//!             while let Ok(n) = w.recv_blocking() {
//!                 match n {
//!                     0 | 1 => leaves += 1,
//!                     n => {
//!                         w.send(n - 1).unwrap();
//!                         w.send(n - 2).unwrap();
//!                     }
//!                 }
//!             }
//!             leaves
//!         })
//!     })
//!     .collect();
//! let leaves: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
//! assert_eq!(leaves, 10946); // fib(21): the leaves of fib's call tree
//! ```
//!
//! # Sleeping, closing, finishing
//!
//! [`Worker::recv`] never blocks. [`Worker::recv_blocking`] (and
//! [`recv_timeout`](Worker::recv_timeout), [`recv_deadline`](Worker::recv_deadline))
//! looks the same way, then parks the thread (`std::thread::park`: a futex
//! on Linux, no CPU while parked, no extra dependency) until a send wakes
//! it. A send wakes at most one sleeper, and only when none is already
//! looking for work; a woken worker that finds work wakes the next. The
//! senders' fast path pays one relaxed load of a word that changes only
//! when workers sleep or wake, behind a store-load barrier that on Linux is
//! a compiler fence (the worker going to sleep pays with `membarrier(2)`;
//! elsewhere both sides pay a `fence(SeqCst)`). No value waits while a
//! worker sleeps: every path that makes values visible (a send, an
//! offload, a batch a receiver moves into its own deque) wakes one when
//! one sleeps and none is looking. The protocol, and why no wake-up is
//! lost, is argued in the source (`sleep.rs`, `barrier.rs`) and
//! model-checked with loom.
//!
//! [`DequeChannel::close`] (or dropping the last outside handle, or the
//! last [`Worker`]) closes the channel to outside senders; workers drain it
//! and may still send. When it is closed, empty, and every live worker
//! waits in a blocking receive, it is *done*: every blocking receive returns [`RecvError`] from then on
//! (provided no worker sends after that: see
//! [`Worker::recv_blocking`](crate::Worker::recv_blocking)). A timed
//! receive takes part in that check too, whatever its timeout.
//!
//! A worker thread should *own* its [`Worker`] (move it into the thread):
//! if a job panics, the unwind drops the handle, the channel stops waiting
//! for that worker, and the others finish (the values in its deque stay
//! stealable; the value the panicking job held is gone with it). A thread
//! that only borrows its handle (`thread::scope` over `&workers[i]`) keeps
//! it alive while it unwinds, so the others wait for it for ever.
//!
//! # Guarantees
//!
//! - `send`, `recv` and `DequeChannel::send` return at once;
//!   `recv_blocking` and `send_blocking` wait, parked. None of them is
//!   lock-free in the strict sense: the global queue is `vyukov-mpmc`'s (a
//!   sender preempted mid-push holds up the receiver of that slot), and a
//!   worker preempted mid-steal makes other thieves pass its deque by (see
//!   the `beam-deque` and `vyukov-mpmc` docs, "Progress").
//! - Bounded with back-pressure (by default; [`Builder::unbounded`] makes
//!   the global queue unbounded, and no send is ever refused): a send that
//!   finds its deque and the global
//!   queue full returns [`Full`] (from outside: [`SendError::Full`]) with the
//!   value, and every value sent before is still in the channel.
//! - A value sent before the close, or by a worker at any time before the
//!   channel is done, is received exactly once; none is stranded in a
//!   dropped worker's deque (it stays stealable, and the drop wakes a
//!   sleeper to take it).
//! - Every value is received at most once, and a value still in the channel
//!   when the last handle goes is dropped exactly once.
//! - No global order: a worker receives its own values newest first, the
//!   global queue is FIFO, a steal takes a victim's oldest.
//! - `recv` may return `None` while another worker's deque has values, if
//!   every victim it tried was mid-steal, moving its own oldest values to
//!   the global queue, or empty at that instant;
//!   `recv_blocking` does not sleep on that: it registers, looks at every
//!   queue once more, and only then parks.
//! - Happens-before: a send happens before the receive that returns its
//!   value (as in `std::sync::mpsc`), whichever path the value took.
//!
//! Dependencies: `beam-deque`, `vyukov-mpmc` and `seg-queue` (siblings),
//! `crossbeam-utils` (`CachePadded`), `fastrand` (victim choice, seeded per
//! worker), and on Linux `libc` (the `membarrier(2)` system call of
//! `barrier.rs`; std has no binding).

mod barrier;
mod blocking;
mod channel;
mod errors;
mod full;
mod global;
mod outside;
mod sleep;
mod stats;
mod sync;
mod worker;

pub use channel::{Builder, DEFAULT_LOCAL_CAPACITY, DequeChannel, MIN_DEFAULT_GLOBAL_CAPACITY};
pub use errors::{RecvError, RecvTimeoutError, SendError};
pub use full::Full;
pub use sleep::MAX_WORKERS;
pub use stats::WorkerStats;
pub use worker::Worker;

/// The README's examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

#[cfg(test)]
mod static_facts {
    use core::mem::{align_of, size_of};
    use std::rc::Rc;

    use beam_deque::Stealer;
    use crossbeam_utils::CachePadded;
    use static_assertions::{assert_impl_all, assert_not_impl_any, const_assert};

    use crate::{Builder, DequeChannel, Full, RecvError, RecvTimeoutError, SendError, Worker};

    assert_impl_all!(DequeChannel<u64>: Send, Sync, Clone);
    assert_impl_all!(SendError<u64>: std::error::Error, Send, Sync, Clone, Copy, PartialEq);
    assert_impl_all!(RecvError: std::error::Error, Send, Sync, Clone, Copy, PartialEq, Eq);
    assert_impl_all!(RecvTimeoutError: std::error::Error, Send, Sync, Clone, Copy, PartialEq, Eq);
    assert_impl_all!(Worker<u64>: Send);
    assert_not_impl_any!(Worker<u64>: Sync, Clone);
    assert_not_impl_any!(DequeChannel<Rc<u8>>: Send, Sync);
    assert_impl_all!(Full<u64>: std::error::Error, Send, Sync);
    assert_impl_all!(Builder<Rc<u8>>: Send, Sync);

    // Stealers sit one per cache line (two lines where the target pads to
    // 128 bytes), so thieves probing neighbours do not false-share.
    const_assert!(align_of::<CachePadded<Stealer<u64>>>() >= 64);
    const_assert!(
        size_of::<CachePadded<Stealer<u64>>>() == align_of::<CachePadded<Stealer<u64>>>()
    );
}
