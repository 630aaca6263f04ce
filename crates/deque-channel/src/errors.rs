//! The errors of the blocking and closing API: [`SendError`] for outside
//! sends, [`RecvError`] and [`RecvTimeoutError`] for blocking receives.

use core::fmt;

/// An outside send could not deliver its value, which comes back.
///
/// Returned by [`DequeChannel::send`](crate::DequeChannel::send) and its
/// waiting variants. `Full`: the global queue had no room (for
/// [`send_timeout`](crate::DequeChannel::send_timeout), none until the
/// deadline); a later send may succeed. `Closed`: the channel is closed
/// and takes no more values from outside, ever.
///
/// ```
/// use deque_channel::{DequeChannel, SendError};
///
/// let (channel, _workers) = DequeChannel::builder().workers(1).global_capacity(1).build();
/// channel.send(1).unwrap();
/// let full = channel.send(2).unwrap_err();
/// assert!(full.is_full());
/// assert_eq!(full.to_string(), "sending on a full channel");
/// channel.close();
/// assert_eq!(channel.send(3), Err(SendError::Closed(3)));
/// assert_eq!(channel.send(4).unwrap_err().into_inner(), 4);
/// ```
#[derive(PartialEq, Eq, Clone, Copy)]
pub enum SendError<T> {
    /// The global queue is full.
    Full(T),
    /// The channel is closed.
    Closed(T),
}

impl<T> SendError<T> {
    /// Returns the value that was not sent.
    ///
    /// ```
    /// use deque_channel::SendError;
    ///
    /// assert_eq!(SendError::Full(7).into_inner(), 7);
    /// assert_eq!(SendError::Closed("job").into_inner(), "job");
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            SendError::Full(value) | SendError::Closed(value) => value,
        }
    }

    /// Whether the global queue was full.
    ///
    /// ```
    /// assert!(deque_channel::SendError::Full(1).is_full());
    /// assert!(!deque_channel::SendError::Closed(1).is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        matches!(self, SendError::Full(_))
    }

    /// Whether the channel was closed.
    ///
    /// ```
    /// assert!(deque_channel::SendError::Closed(1).is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        matches!(self, SendError::Closed(_))
    }
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Full(_) => f.pad("Full(..)"),
            SendError::Closed(_) => f.pad("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendError::Full(_) => f.pad("sending on a full channel"),
            SendError::Closed(_) => f.pad("sending on a closed channel"),
        }
    }
}

impl<T> std::error::Error for SendError<T> {}

/// A blocking receive found the channel *done*: closed, empty, and every
/// live worker waiting. No value will ever arrive (unless a worker sends
/// after done, a mistake: see
/// [`Worker::recv_blocking`](crate::Worker::recv_blocking)).
///
/// ```
/// use deque_channel::{DequeChannel, RecvError};
///
/// let (channel, workers) = DequeChannel::<u8>::new(1);
/// drop(channel); // the last outside handle: the channel is closed
/// assert_eq!(workers[0].recv_blocking(), Err(RecvError));
/// assert_eq!(RecvError.to_string(), "receiving on a done channel");
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub struct RecvError;

impl fmt::Display for RecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("receiving on a done channel")
    }
}

impl std::error::Error for RecvError {}

/// Why [`Worker::recv_timeout`](crate::Worker::recv_timeout) or
/// [`recv_deadline`](crate::Worker::recv_deadline) returned no value.
///
/// ```
/// use deque_channel::{DequeChannel, RecvTimeoutError};
/// use std::time::Duration;
///
/// let (channel, workers) = DequeChannel::<u8>::new(1);
/// let w = &workers[0];
/// assert_eq!(w.recv_timeout(Duration::from_millis(1)), Err(RecvTimeoutError::Timeout));
/// channel.close();
/// assert_eq!(w.recv_timeout(Duration::from_secs(60)), Err(RecvTimeoutError::Disconnected));
/// ```
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
pub enum RecvTimeoutError {
    /// Nothing arrived before the deadline.
    Timeout,
    /// The channel is done (see [`RecvError`]).
    Disconnected,
}

impl fmt::Display for RecvTimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvTimeoutError::Timeout => f.pad("timed out waiting on a channel"),
            RecvTimeoutError::Disconnected => f.pad("receiving on a done channel"),
        }
    }
}

impl std::error::Error for RecvTimeoutError {}

impl From<RecvError> for RecvTimeoutError {
    fn from(_: RecvError) -> Self {
        RecvTimeoutError::Disconnected
    }
}
