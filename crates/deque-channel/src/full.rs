//! [`Full`], the back-pressure error.

use core::fmt;

/// The channel is saturated: the value could not be sent and comes back.
///
/// Returned by [`Worker::send`](crate::Worker::send) when the worker's
/// deque is full and the global queue cannot take the overflow, and by
/// [`DequeChannel::send`](crate::DequeChannel::send) when the global queue is
/// full. Every value sent before is still in the channel.
///
/// ```
/// use deque_channel::{DequeChannel, Full};
///
/// let (channel, _workers) = DequeChannel::builder()
///     .workers(1)
///     .global_capacity(1)
///     .build();
/// channel.send("a").unwrap();
/// let err: Full<&str> = channel.send("b").unwrap_err();
/// assert_eq!(err.to_string(), "sending on a full channel");
/// assert_eq!(err.into_inner(), "b");
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct Full<T>(pub T);

impl<T> Full<T> {
    /// Returns the value that could not be sent.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Full(..)")
    }
}

impl<T> fmt::Display for Full<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("sending on a full channel")
    }
}

impl<T> std::error::Error for Full<T> {}
