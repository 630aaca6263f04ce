//! [`ClosableQueue`]: a bounded MPMC queue that can be closed for good,
//! atomically with slot reservation. The segment of an unbounded
//! segmented queue (the `seg-queue` crate).

use core::fmt;
use core::panic::{RefUnwindSafe, UnwindSafe};

use crate::pop_batch::PopBatch;
use crate::ring::{CLOSED, Ring};

/// A bounded MPMC queue that can be *closed*: after the close no push ever
/// succeeds again, while everything pushed before it can still be popped.
///
/// It is the same ring as [`ArrayQueue`](crate::ArrayQueue) (same slots,
/// same stamps, same FIFO order, same progress guarantee), with the top bit
/// of the tail word reserved as a `CLOSED` flag. Producers reserve a slot
/// with a compare-and-swap on a tail they read *without* that bit, so
/// closing and reserving are ordered by the one history of that word: every
/// push either reserved its slot before the close (its value is in the
/// queue and will be popped) or fails with the value handed back. There is
/// no window in which a push that checked "open" can still land after the
/// close, as there would be with a separate flag checked before reserving.
///
/// This is what an unbounded queue made of linked segments needs: a
/// producer that stalled holding a pointer to an old segment must not be
/// able to push into it after the consumers have drained it and moved on,
/// or its value is lost. Close the segment when it overflows
/// ([`push_or_close`]) and that cannot happen; consumers move on when
/// [`pop`] says [`Pop::Drained`].
///
/// [`push_or_close`]: ClosableQueue::push_or_close
/// [`pop`]: ClosableQueue::pop
///
/// # The protocol for a segmented queue
///
/// * Producers call [`push_or_close`]. `Ok` ends the push. `Err(value)`
///   means the segment is closed (this call may have closed it, because
///   it was full): take `value` to the next segment, appending one if
///   there is none yet.
/// * Consumers call [`pop`]. [`Pop::Item`] ends the pop. [`Pop::Empty`]
///   means the segment is open and empty: the whole queue is empty if this
///   is the tail segment. [`Pop::Drained`] means the segment is closed and
///   every value ever pushed into it has been claimed by a consumer: it
///   will never yield a value again, so move to the next segment.
/// * `Drained` says nothing about threads that still hold a pointer to the
///   segment: a consumer that claimed the last value may still be moving
///   it out, and any thread may be about to read a slot's stamp. Freeing
///   or recycling the segment needs the segmented queue's own reclamation
///   scheme (hazard pointers, reference counts, epochs). With exclusive
///   access again (`&mut`), [`reopen`](ClosableQueue::reopen) makes a
///   drained segment reusable without reallocating.
///
/// # Examples
///
/// ```
/// use vyukov_mpmc::{ClosableQueue, Pop, PushError};
///
/// let q = ClosableQueue::new(2);
/// assert_eq!(q.push_or_close(1), Ok(()));
/// assert_eq!(q.push(2), Ok(()));
///
/// // Full: `push` reports it and leaves the queue open...
/// assert_eq!(q.push(3), Err(PushError::Full(3)));
/// assert!(!q.is_closed());
/// // ...`push_or_close` closes it for good and hands the value back.
/// assert_eq!(q.push_or_close(3), Err(3));
/// assert!(q.is_closed());
///
/// assert_eq!(q.pop(), Pop::Item(1));
/// assert_eq!(q.push(4), Err(PushError::Closed(4))); // room, but closed
/// assert_eq!(q.pop(), Pop::Item(2));
/// assert_eq!(q.pop(), Pop::Drained); // and from now on, forever
/// ```
pub struct ClosableQueue<T> {
    /// The shared ring, with the `CLOSED` bit in its tail word.
    ring: Ring<T, true>,
}

// As for `ArrayQueue`: no user code runs while a slot is claimed, so a
// panic never leaves the queue in a broken state.
impl<T> UnwindSafe for ClosableQueue<T> {}
impl<T> RefUnwindSafe for ClosableQueue<T> {}

/// Why [`ClosableQueue::push`] refused a value. The value comes back in
/// either case.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum PushError<T> {
    /// The queue is full (and still open): a later push may succeed.
    Full(T),
    /// The queue is closed: no push will ever succeed.
    Closed(T),
}

impl<T> PushError<T> {
    /// The value that was not pushed.
    ///
    /// ```
    /// use vyukov_mpmc::PushError;
    /// assert_eq!(PushError::Full(7).into_inner(), 7);
    /// ```
    pub fn into_inner(self) -> T {
        match self {
            PushError::Full(value) | PushError::Closed(value) => value,
        }
    }

    /// Whether the queue was full.
    pub fn is_full(&self) -> bool {
        matches!(self, PushError::Full(_))
    }

    /// Whether the queue was closed.
    pub fn is_closed(&self) -> bool {
        matches!(self, PushError::Closed(_))
    }
}

impl<T> fmt::Debug for PushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushError::Full(_) => f.pad("Full(..)"),
            PushError::Closed(_) => f.pad("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for PushError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PushError::Full(_) => f.pad("pushing into a full queue"),
            PushError::Closed(_) => f.pad("pushing into a closed queue"),
        }
    }
}

impl<T> core::error::Error for PushError<T> {}

/// What [`ClosableQueue::pop`] found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Pop<T> {
    /// The oldest value, now the caller's.
    Item(T),
    /// The queue is empty and open: values may still come.
    Empty,
    /// The queue is closed and every value ever pushed into it has been
    /// claimed by a consumer: it will never yield a value again, and every
    /// later `pop` returns `Drained` too.
    Drained,
}

impl<T> Pop<T> {
    /// The value, if there was one.
    ///
    /// ```
    /// use vyukov_mpmc::Pop;
    /// assert_eq!(Pop::Item(3).item(), Some(3));
    /// assert_eq!(Pop::<i32>::Drained.item(), None);
    /// ```
    pub fn item(self) -> Option<T> {
        match self {
            Pop::Item(value) => Some(value),
            Pop::Empty | Pop::Drained => None,
        }
    }

    /// Whether it is [`Pop::Item`].
    pub fn is_item(&self) -> bool {
        matches!(self, Pop::Item(_))
    }

    /// Whether it is [`Pop::Empty`].
    pub fn is_empty(&self) -> bool {
        matches!(self, Pop::Empty)
    }

    /// Whether it is [`Pop::Drained`].
    pub fn is_drained(&self) -> bool {
        matches!(self, Pop::Drained)
    }
}

impl<T> ClosableQueue<T> {
    /// Creates an empty, open queue that holds exactly `capacity` values.
    ///
    /// # Panics
    ///
    /// If `capacity` is zero ("capacity must be non-zero"), or too large.
    ///
    /// ```
    /// let q = vyukov_mpmc::ClosableQueue::<u8>::new(31);
    /// assert_eq!(q.capacity(), 31);
    /// assert!(!q.is_closed());
    /// ```
    pub fn new(capacity: usize) -> ClosableQueue<T> {
        ClosableQueue {
            ring: Ring::new(capacity),
        }
    }

    /// Pushes `value` at the back, or hands it back: [`PushError::Closed`]
    /// if the queue is closed, [`PushError::Full`] if it is full and open.
    /// Never closes the queue.
    ///
    /// Closed is checked first: a full, closed queue reports `Closed`.
    ///
    /// ```
    /// use vyukov_mpmc::{ClosableQueue, PushError};
    ///
    /// let q = ClosableQueue::new(1);
    /// assert_eq!(q.push(1), Ok(()));
    /// assert_eq!(q.push(2), Err(PushError::Full(2)));
    /// q.close();
    /// assert_eq!(q.push(2), Err(PushError::Closed(2)));
    /// ```
    #[inline]
    pub fn push(&self, value: T) -> Result<(), PushError<T>> {
        self.ring
            .push_with(value, PushError::Closed, |value, tail, _, _| {
                if self.ring.is_full_at(tail) {
                    Err(PushError::Full(value))
                } else {
                    Ok(value)
                }
            })
    }

    /// Pushes `value` at the back; if the queue is full, closes it instead,
    /// atomically, and hands the value back. `Err(value)` always means the
    /// queue is closed for good: closed before this call, or closed by it
    /// because it was full.
    ///
    /// "Full" is decided as in [`ArrayQueue::push`](crate::ArrayQueue::push)
    /// from the head and the tail. The close is a compare-and-swap from the
    /// tail that was found full to the same tail with the `CLOSED` bit, so
    /// no value is accepted between the moment the queue was seen full and
    /// the close; if one was (or a consumer made room), the push retries.
    ///
    /// ```
    /// let q = vyukov_mpmc::ClosableQueue::new(1);
    /// assert_eq!(q.push_or_close('a'), Ok(()));
    /// assert!(!q.is_closed());
    /// assert_eq!(q.push_or_close('b'), Err('b'));
    /// assert!(q.is_closed());
    /// ```
    #[inline]
    pub fn push_or_close(&self, value: T) -> Result<(), T> {
        self.ring.push_with(
            value,
            |value| value,
            |value, tail, _, _| {
                if self.ring.close_if_full(tail) {
                    Err(value)
                } else {
                    Ok(value)
                }
            },
        )
    }

    /// Pops the value at the front (the oldest).
    ///
    /// [`Pop::Item`] with the value; [`Pop::Empty`] if the queue is empty
    /// and open; [`Pop::Drained`] if it is empty and closed, that is, every
    /// value ever pushed into it has been claimed, and it will never yield
    /// one again. A value whose producer reserved its slot before the close
    /// is waited for (briefly: it is being written), never skipped: the
    /// queue reports `Drained` only once the head has caught up with the
    /// frozen tail.
    ///
    /// ```
    /// use vyukov_mpmc::{ClosableQueue, Pop};
    ///
    /// let q = ClosableQueue::new(4);
    /// assert_eq!(q.pop(), Pop::<u8>::Empty);
    /// q.push(5).unwrap();
    /// q.close();
    /// assert_eq!(q.pop(), Pop::Item(5));
    /// assert_eq!(q.pop(), Pop::Drained);
    /// ```
    #[inline]
    pub fn pop(&self) -> Pop<T> {
        match self.ring.pop() {
            Ok(value) => Pop::Item(value),
            Err(tail) if tail & CLOSED != 0 => Pop::Drained,
            Err(_) => Pop::Empty,
        }
    }

    /// Pops up to `max` values at once, oldest first, with one claim on the
    /// head: as [`ArrayQueue::pop_batch`](crate::ArrayQueue::pop_batch)
    /// (at most [`PopBatch::CAPACITY`](crate::PopBatch::CAPACITY), the
    /// values ready at the head), with [`pop`](ClosableQueue::pop)'s
    /// answer when there are none: [`Pop::Item`] with a non-empty batch,
    /// [`Pop::Empty`] or [`Pop::Drained`]. `max == 0` gives `Pop::Empty`.
    ///
    /// ```
    /// use vyukov_mpmc::{ClosableQueue, Pop};
    ///
    /// let q = ClosableQueue::new(8);
    /// for i in 0..5 {
    ///     q.push(i).unwrap();
    /// }
    /// q.close();
    /// let batch = q.pop_batch(3).item().unwrap();
    /// assert_eq!(batch.collect::<Vec<_>>(), [0, 1, 2]);
    /// assert_eq!(q.pop_batch(8).item().unwrap().len(), 2);
    /// assert!(q.pop_batch(8).is_drained());
    /// ```
    pub fn pop_batch(&self, max: usize) -> Pop<PopBatch<T>> {
        match self.ring.pop_batch(max) {
            Ok(batch) if batch.len() > 0 => Pop::Item(batch),
            Ok(_) => Pop::Empty,
            Err(tail) if tail & CLOSED != 0 => Pop::Drained,
            Err(_) => Pop::Empty,
        }
    }

    /// Pops through an exclusive reference (no atomic read-modify-write, no
    /// waiting), closed or not. For draining a segment one owns, e.g. in
    /// an owning iterator or `Drop`.
    ///
    /// ```
    /// let mut q = vyukov_mpmc::ClosableQueue::new(2);
    /// q.push(1).unwrap();
    /// q.close();
    /// assert_eq!(q.pop_mut(), Some(1));
    /// assert_eq!(q.pop_mut(), None);
    /// ```
    pub fn pop_mut(&mut self) -> Option<T> {
        self.ring.pop_mut()
    }

    /// Closes the queue: from now on every push fails. Values already in
    /// it (and those whose producers already reserved a slot) can still be
    /// popped. Idempotent; returns `true` if this call closed it, `false` if
    /// it was closed already.
    ///
    /// ```
    /// let q = vyukov_mpmc::ClosableQueue::<u8>::new(4);
    /// assert!(q.close());
    /// assert!(!q.close());
    /// assert!(q.is_closed());
    /// ```
    pub fn close(&self) -> bool {
        self.ring.close()
    }

    /// Whether the queue is closed. Once `true`, it stays `true` (until
    /// [`reopen`](ClosableQueue::reopen), which needs `&mut`).
    pub fn is_closed(&self) -> bool {
        self.ring.tail_word() & CLOSED != 0
    }

    /// Whether the queue is closed and every value ever pushed has been
    /// claimed by a consumer: the state in which [`pop`](ClosableQueue::pop)
    /// returns [`Pop::Drained`]. Once `true`, it stays `true`.
    ///
    /// ```
    /// let q = vyukov_mpmc::ClosableQueue::new(4);
    /// q.push(1).unwrap();
    /// q.close();
    /// assert!(!q.is_drained());
    /// q.pop();
    /// assert!(q.is_drained());
    /// ```
    pub fn is_drained(&self) -> bool {
        self.ring.is_drained()
    }

    /// Opens a closed queue again, keeping its values; `true` if it was
    /// closed. Needs exclusive access: for recycling a drained segment that
    /// no other thread can reach any more.
    ///
    /// ```
    /// use vyukov_mpmc::{ClosableQueue, Pop};
    ///
    /// let mut q = ClosableQueue::new(1);
    /// q.close();
    /// assert_eq!(q.pop(), Pop::<u8>::Drained);
    /// assert!(q.reopen());
    /// assert_eq!(q.pop(), Pop::Empty);
    /// q.push(1).unwrap();
    /// ```
    pub fn reopen(&mut self) -> bool {
        self.ring.reopen()
    }

    /// The capacity: exactly the number passed to [`ClosableQueue::new`].
    #[inline]
    pub fn capacity(&self) -> usize {
        self.ring.capacity()
    }

    /// The number of values in the queue (including those whose producers
    /// have reserved a slot and are still writing it), from a consistent
    /// snapshot of head and tail: never above the capacity.
    ///
    /// ```
    /// let q = vyukov_mpmc::ClosableQueue::new(4);
    /// q.push(1).unwrap();
    /// q.close();
    /// assert_eq!(q.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.ring.len()
    }

    /// Whether the queue is empty (closed or not).
    pub fn is_empty(&self) -> bool {
        self.ring.is_empty()
    }

    /// Whether the queue is full (closed or not).
    pub fn is_full(&self) -> bool {
        self.ring.is_full()
    }
}

/// Shows the capacity, the length and whether it is closed.
///
/// ```
/// let q = vyukov_mpmc::ClosableQueue::new(4);
/// q.push(1).unwrap();
/// q.close();
/// assert_eq!(
///     format!("{q:?}"),
///     "ClosableQueue { capacity: 4, len: 1, closed: true, .. }"
/// );
/// ```
impl<T> fmt::Debug for ClosableQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClosableQueue")
            .field("capacity", &self.capacity())
            .field("len", &self.len())
            .field("closed", &self.is_closed())
            .finish_non_exhaustive()
    }
}
