//! [`Global`]: the channel's shared queue, bounded or unbounded.
//!
//! The bounded flavour (the default) is a `vyukov_mpmc::ArrayQueue`: an
//! overflowing worker or an outside sender finds it full and gets the value
//! back (back-pressure). The unbounded flavour
//! ([`Builder::unbounded`](crate::Builder::unbounded)) is a
//! `seg_queue::SegQueue`, which takes every value: sends never return
//! `Full` and offloads never fail. Both take a batch of the oldest values
//! with one claim, so receivers behave alike.
//!
//! Only the channel's slow paths touch this queue (an offload, an outside
//! send, a receive that found its own deque empty), so the flavour's one
//! branch there costs the fast paths nothing.

use seg_queue::SegQueue;
use vyukov_mpmc::{ArrayQueue, PopBatch};

/// The shared queue of a channel.
#[allow(
    clippy::large_enum_variant,
    reason = "one per channel, in its shared `Arc`: the size costs nothing, a `Box` would cost a pointer chase"
)]
pub(crate) enum Global<T> {
    /// At most its capacity of values.
    Bounded(ArrayQueue<T>),
    /// Any number of values.
    Unbounded(SegQueue<T>),
}

impl<T> Global<T> {
    /// Pushes `value` at the back; `Err(value)` only when bounded and full.
    #[inline]
    pub(crate) fn push(&self, value: T) -> Result<(), T> {
        match self {
            Global::Bounded(queue) => queue.push(value),
            Global::Unbounded(queue) => {
                queue.push(value);
                Ok(())
            }
        }
    }

    /// Takes up to `max` of the oldest values with one claim (see
    /// `ArrayQueue::pop_batch` and `SegQueue::pop_batch`): empty only if
    /// the queue is.
    #[inline]
    pub(crate) fn pop_batch(&self, max: usize) -> PopBatch<T> {
        match self {
            Global::Bounded(queue) => queue.pop_batch(max),
            Global::Unbounded(queue) => queue.pop_batch(max),
        }
    }

    /// The number of values (a snapshot).
    pub(crate) fn len(&self) -> usize {
        match self {
            Global::Bounded(queue) => queue.len(),
            Global::Unbounded(queue) => queue.len(),
        }
    }

    /// Whether the queue is empty (a snapshot).
    pub(crate) fn is_empty(&self) -> bool {
        match self {
            Global::Bounded(queue) => queue.is_empty(),
            Global::Unbounded(queue) => queue.is_empty(),
        }
    }

    /// Whether a push would fail now: never for the unbounded flavour.
    pub(crate) fn is_full(&self) -> bool {
        match self {
            Global::Bounded(queue) => queue.is_full(),
            Global::Unbounded(_) => false,
        }
    }

    /// How many more values a push would take now (a snapshot): unlimited
    /// (`usize::MAX`) for the unbounded flavour.
    pub(crate) fn room(&self) -> usize {
        match self {
            Global::Bounded(queue) => queue.capacity().saturating_sub(queue.len()),
            Global::Unbounded(_) => usize::MAX,
        }
    }

    /// The capacity, `None` for the unbounded flavour.
    pub(crate) fn capacity(&self) -> Option<usize> {
        match self {
            Global::Bounded(queue) => Some(queue.capacity()),
            Global::Unbounded(_) => None,
        }
    }
}
