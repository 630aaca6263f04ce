//! [`ArrayQueue`]: the bounded MPMC queue, a drop-in for crossbeam's.

use core::fmt;
use core::iter::FusedIterator;
use core::panic::{RefUnwindSafe, UnwindSafe};

use crate::pop_batch::PopBatch;
use crate::ring::Ring;

/// A bounded multi-producer multi-consumer queue.
///
/// A fixed buffer of exactly `capacity` slots, allocated once in [`new`].
/// [`push`] hands the value back when the queue is full; [`force_push`]
/// instead evicts the oldest value, which makes the queue a ring buffer.
/// Values come out in the order they went in ([`pop`] is FIFO).
///
/// Same methods, same meaning as `crossbeam_queue::ArrayQueue`: replacing
/// `use crossbeam_queue::ArrayQueue;` with `use vyukov_mpmc::ArrayQueue;` is
/// the whole migration.
///
/// [`new`]: ArrayQueue::new
/// [`push`]: ArrayQueue::push
/// [`force_push`]: ArrayQueue::force_push
/// [`pop`]: ArrayQueue::pop
///
/// # Progress
///
/// Not lock-free in the strict sense: a producer that is preempted after
/// claiming a slot and before writing it makes the consumer that comes for
/// that slot wait (and likewise a slow consumer delays the producer one lap
/// later). Nothing else ever waits. See the [crate docs](crate#progress).
///
/// # Examples
///
/// ```
/// use vyukov_mpmc::ArrayQueue;
///
/// let q = ArrayQueue::new(2);
///
/// assert_eq!(q.push('a'), Ok(()));
/// assert_eq!(q.push('b'), Ok(()));
/// assert_eq!(q.push('c'), Err('c'));
/// assert_eq!(q.pop(), Some('a'));
/// ```
pub struct ArrayQueue<T> {
    /// The shared ring, without a `CLOSED` bit: nothing of the closable
    /// queue is on this type's paths.
    ring: Ring<T, false>,
}

// The queue never leaves a value half-moved when a panic unwinds through a
// caller (no user code runs while a slot is claimed), as in crossbeam.
impl<T> UnwindSafe for ArrayQueue<T> {}
impl<T> RefUnwindSafe for ArrayQueue<T> {}

impl<T> ArrayQueue<T> {
    /// Creates an empty queue that holds exactly `capacity` values.
    ///
    /// Any capacity works, not only powers of two.
    ///
    /// # Panics
    ///
    /// If `capacity` is zero ("capacity must be non-zero"), or too large
    /// to address.
    ///
    /// # Examples
    ///
    /// ```
    /// use vyukov_mpmc::ArrayQueue;
    ///
    /// let q = ArrayQueue::<i32>::new(100);
    /// assert_eq!(q.capacity(), 100);
    /// ```
    ///
    /// ```should_panic
    /// let q = vyukov_mpmc::ArrayQueue::<i32>::new(0); // panics
    /// ```
    pub fn new(capacity: usize) -> ArrayQueue<T> {
        ArrayQueue {
            ring: Ring::new(capacity),
        }
    }

    /// Pushes `value` at the back, or hands it back as `Err(value)` if the
    /// queue is full.
    ///
    /// "Full" is decided from the head and the tail, so a push never fails
    /// because a consumer is in the middle of popping the slot it needs: it
    /// waits for that consumer instead.
    ///
    /// # Examples
    ///
    /// ```
    /// use vyukov_mpmc::ArrayQueue;
    ///
    /// let q = ArrayQueue::new(1);
    ///
    /// assert_eq!(q.push(10), Ok(()));
    /// assert_eq!(q.push(20), Err(20));
    /// ```
    #[inline]
    pub fn push(&self, value: T) -> Result<(), T> {
        self.ring.push(value)
    }

    /// Pushes `value` at the back; if the queue is full, evicts the value at
    /// the front and returns it (`None` if nothing was evicted).
    ///
    /// # Examples
    ///
    /// ```
    /// use vyukov_mpmc::ArrayQueue;
    ///
    /// let q = ArrayQueue::new(2);
    ///
    /// assert_eq!(q.force_push(10), None);
    /// assert_eq!(q.force_push(20), None);
    /// assert_eq!(q.force_push(30), Some(10));
    /// assert_eq!(q.pop(), Some(20));
    /// ```
    #[inline]
    pub fn force_push(&self, value: T) -> Option<T> {
        self.ring.force_push(value)
    }

    /// Pops the value at the front (the oldest), or `None` if the queue is
    /// empty.
    ///
    /// # Examples
    ///
    /// ```
    /// use vyukov_mpmc::ArrayQueue;
    ///
    /// let q = ArrayQueue::new(1);
    /// assert_eq!(q.push(10), Ok(()));
    ///
    /// assert_eq!(q.pop(), Some(10));
    /// assert!(q.pop().is_none());
    /// ```
    #[inline]
    pub fn pop(&self) -> Option<T> {
        self.ring.pop().ok()
    }

    /// Pops up to `max` values at once (at most [`PopBatch::CAPACITY`]:
    /// [`POP_BATCH_MAX`](crate::POP_BATCH_MAX) for small values), oldest
    /// first: the values ready at the head of the queue, claimed with one
    /// compare-and-swap for the lot where [`pop`](ArrayQueue::pop) needs
    /// one per value. Consumers that move values on in bulk (a
    /// work-stealing scheduler filling its local queue, say) touch the
    /// contended head once per batch.
    ///
    /// The batch stops at the first value that is not ready: a producer may
    /// still be writing it, or the queue ends there. When not even the
    /// oldest value is ready, this is one [`pop`](ArrayQueue::pop): it
    /// waits for a producer that is writing the head slot, and the batch
    /// holds that value, or none if the queue is empty. So an empty batch
    /// means an empty queue, as `pop` returning `None` does. `max == 0`
    /// takes nothing.
    ///
    /// The values are moved out of the queue, and their slots freed,
    /// before this returns: the [`PopBatch`] holds them, at most
    /// [`PopBatch::CAPACITY`] (32 values of up to 16 bytes; one value, boxed,
    /// if it is larger than 512 bytes), so that a batch on the stack stays
    /// small whatever `T` is.
    ///
    /// # Examples
    ///
    /// ```
    /// use vyukov_mpmc::ArrayQueue;
    ///
    /// let q = ArrayQueue::new(8);
    /// for i in 0..5 {
    ///     q.push(i).unwrap();
    /// }
    /// assert_eq!(q.pop_batch(3).collect::<Vec<_>>(), [0, 1, 2]);
    /// assert_eq!(q.pop_batch(3).collect::<Vec<_>>(), [3, 4]);
    /// assert_eq!(q.pop_batch(3).len(), 0);
    /// ```
    pub fn pop_batch(&self, max: usize) -> PopBatch<T> {
        // An empty ring gives an empty batch, as `pop` gives `None`.
        self.ring.pop_batch(max).unwrap_or_default()
    }

    /// Pushes through an exclusive reference: no atomic read-modify-write,
    /// no waiting. `Err(value)` if the queue is full.
    ///
    /// # Examples
    ///
    /// ```
    /// use vyukov_mpmc::ArrayQueue;
    ///
    /// let mut q = ArrayQueue::new(1);
    ///
    /// assert_eq!(q.push_mut(10), Ok(()));
    /// assert_eq!(q.push_mut(20), Err(20));
    /// ```
    pub fn push_mut(&mut self, value: T) -> Result<(), T> {
        self.ring.push_mut(value)
    }

    /// Pops through an exclusive reference: no atomic read-modify-write, no
    /// waiting.
    ///
    /// # Examples
    ///
    /// ```
    /// use vyukov_mpmc::ArrayQueue;
    ///
    /// let mut q = ArrayQueue::new(1);
    /// assert_eq!(q.push(10), Ok(()));
    ///
    /// assert_eq!(q.pop_mut(), Some(10));
    /// assert!(q.pop_mut().is_none());
    /// ```
    pub fn pop_mut(&mut self) -> Option<T> {
        self.ring.pop_mut()
    }

    /// The capacity: exactly the number passed to [`ArrayQueue::new`].
    ///
    /// # Examples
    ///
    /// ```
    /// use vyukov_mpmc::ArrayQueue;
    ///
    /// let q = ArrayQueue::<i32>::new(100);
    /// assert_eq!(q.capacity(), 100);
    /// ```
    #[inline]
    pub fn capacity(&self) -> usize {
        self.ring.capacity()
    }

    /// Whether the queue is empty.
    ///
    /// Under concurrent use the answer was true at some moment during the
    /// call.
    ///
    /// # Examples
    ///
    /// ```
    /// use vyukov_mpmc::ArrayQueue;
    ///
    /// let q = ArrayQueue::new(100);
    ///
    /// assert!(q.is_empty());
    /// q.push(1).unwrap();
    /// assert!(!q.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.ring.is_empty()
    }

    /// Whether the queue is full.
    ///
    /// Under concurrent use the answer was true at some moment during the
    /// call.
    ///
    /// # Examples
    ///
    /// ```
    /// use vyukov_mpmc::ArrayQueue;
    ///
    /// let q = ArrayQueue::new(1);
    ///
    /// assert!(!q.is_full());
    /// q.push(1).unwrap();
    /// assert!(q.is_full());
    /// ```
    pub fn is_full(&self) -> bool {
        self.ring.is_full()
    }

    /// The number of values in the queue.
    ///
    /// Read from a consistent snapshot of the head and the tail, so it is a
    /// length the queue really had during the call: never above
    /// [`capacity`](ArrayQueue::capacity), even mid-race.
    ///
    /// # Examples
    ///
    /// ```
    /// use vyukov_mpmc::ArrayQueue;
    ///
    /// let q = ArrayQueue::new(100);
    /// assert_eq!(q.len(), 0);
    ///
    /// q.push(10).unwrap();
    /// assert_eq!(q.len(), 1);
    ///
    /// q.push(20).unwrap();
    /// assert_eq!(q.len(), 2);
    /// ```
    pub fn len(&self) -> usize {
        self.ring.len()
    }
}

/// Shows the capacity and the current length.
///
/// ```
/// let q = vyukov_mpmc::ArrayQueue::new(4);
/// q.push(1).unwrap();
/// assert_eq!(format!("{q:?}"), "ArrayQueue { capacity: 4, len: 1, .. }");
/// ```
impl<T> fmt::Debug for ArrayQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ArrayQueue")
            .field("capacity", &self.capacity())
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

impl<T> IntoIterator for ArrayQueue<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;

    /// Turns the queue into an iterator over its values, oldest first.
    ///
    /// ```
    /// let q = vyukov_mpmc::ArrayQueue::new(3);
    /// for i in 1..=3 {
    ///     q.push(i).unwrap();
    /// }
    /// assert_eq!(q.into_iter().collect::<Vec<_>>(), [1, 2, 3]);
    /// ```
    fn into_iter(self) -> IntoIter<T> {
        IntoIter { ring: self.ring }
    }
}

/// An owning iterator over the values of an [`ArrayQueue`], oldest first.
///
/// Made by [`ArrayQueue::into_iter`]. Values not taken are dropped with the
/// iterator.
///
/// ```
/// let q = vyukov_mpmc::ArrayQueue::new(4);
/// q.push('a').unwrap();
/// q.push('b').unwrap();
/// let mut it = q.into_iter();
/// assert_eq!(it.len(), 2);
/// assert_eq!(it.next(), Some('a'));
/// assert_eq!(it.next(), Some('b'));
/// assert_eq!(it.next(), None);
/// ```
pub struct IntoIter<T> {
    /// The queue's ring, now owned by the iterator alone.
    ring: Ring<T, false>,
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        self.ring.pop_mut()
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.ring.len();
        (len, Some(len))
    }
}

impl<T> ExactSizeIterator for IntoIter<T> {}

impl<T> FusedIterator for IntoIter<T> {}

impl<T> fmt::Debug for IntoIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoIter")
            .field("remaining", &self.ring.len())
            .finish_non_exhaustive()
    }
}
