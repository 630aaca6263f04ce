//! [`Full`], the back-pressure error.

use core::fmt;

/// The channel is saturated: the value could not be sent and comes back.
///
/// Returned by [`Worker::send`](crate::Worker::send) when the worker's
/// deque is full and the global queue cannot take the overflow. Every value
/// sent before is still in the channel. (Outside sends return
/// [`SendError`](crate::SendError), which also says "closed".)
///
/// ```
/// use deque_channel::{DequeChannel, Full};
///
/// let (_channel, workers) = DequeChannel::builder()
///     .workers(1)
///     .local_capacity(1)
///     .global_capacity(1)
///     .build();
/// workers[0].send("a").unwrap();
/// workers[0].send("b").unwrap(); // "a" moves to the global queue
/// let err: Full<&str> = workers[0].send("c").unwrap_err();
/// assert_eq!(err.to_string(), "sending on a full channel");
/// assert_eq!(err.into_inner(), "c");
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub struct Full<T>(pub T);

impl<T> Full<T> {
    /// Returns the value that could not be sent.
    ///
    /// ```
    /// assert_eq!(deque_channel::Full(3).into_inner(), 3);
    /// ```
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
