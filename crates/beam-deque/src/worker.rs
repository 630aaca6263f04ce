//! [`Worker`]: the owner's handle.

use core::fmt;

use crate::drain::Drain;
use crate::queue::{Flavor, MAX_CAPACITY, Owner, Queue, Take};
use crate::stealer::Stealer;
use crate::sync::Arc;

/// The owner's end of a bounded work-stealing deque.
///
/// One thread owns a `Worker`: it pushes values and pops them back, newest
/// first ([`new`](Worker::new)) or oldest first
/// ([`new_fifo`](Worker::new_fifo)). Any number of [`Stealer`]s take the
/// oldest values from other threads.
///
/// `Worker` is `Send` but neither `Sync` nor `Clone`: exactly one thread at a
/// time uses the owner's end, which is what lets `push` be a plain store.
///
/// # Examples
///
/// ```
/// use beam_deque::{Steal, Worker};
///
/// let w = Worker::new(4);
/// let s = w.stealer();
/// for i in 1..=4 {
///     w.push(i).unwrap();
/// }
/// assert_eq!(w.push(5), Err(5)); // full: the value comes back
/// assert_eq!(w.pop(), Some(4)); // the owner takes the newest
/// assert_eq!(s.steal(), Steal::Success(1)); // thieves take the oldest
/// ```
pub struct Worker<T> {
    queue: Arc<Queue<T>>,
    /// What this thread knows of the deque without reading shared words.
    owner: Owner,
}

impl<T> Worker<T> {
    /// Creates a deque whose owner pops the newest value (LIFO), holding at
    /// least `capacity` values.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0 or above 2^30.
    ///
    /// ```
    /// let w = beam_deque::Worker::new(3);
    /// assert_eq!(w.capacity(), 4); // rounded up to a power of two
    /// w.push('a').unwrap();
    /// w.push('b').unwrap();
    /// assert_eq!(w.pop(), Some('b'));
    /// ```
    pub fn new(capacity: usize) -> Worker<T> {
        Self::with_flavor(capacity, Flavor::Lifo)
    }

    /// The same as [`new`](Worker::new), under crossbeam-deque's name: a
    /// deque whose owner pops the newest value, holding at least
    /// `capacity` values (crossbeam's `new_lifo()` takes none: its deques
    /// grow, ours are bounded).
    ///
    /// # Panics
    ///
    /// If `capacity` is 0 or above 2^30.
    ///
    /// ```
    /// let w = beam_deque::Worker::new_lifo(2);
    /// w.push(1).unwrap();
    /// w.push(2).unwrap();
    /// assert_eq!(w.pop(), Some(2));
    /// ```
    pub fn new_lifo(capacity: usize) -> Worker<T> {
        Self::new(capacity)
    }

    /// Creates a deque whose owner pops the oldest value (FIFO), holding at
    /// least `capacity` values.
    ///
    /// # Panics
    ///
    /// If `capacity` is 0 or above 2^30.
    ///
    /// ```
    /// let w = beam_deque::Worker::new_fifo(4);
    /// w.push('a').unwrap();
    /// w.push('b').unwrap();
    /// assert_eq!(w.pop(), Some('a'));
    /// ```
    pub fn new_fifo(capacity: usize) -> Worker<T> {
        Self::with_flavor(capacity, Flavor::Fifo)
    }

    /// The shared queue and the owner's view of it, for the queue's own
    /// tests.
    #[cfg(test)]
    pub(crate) fn parts(&self) -> (&Queue<T>, &Owner) {
        (&self.queue, &self.owner)
    }

    fn with_flavor(capacity: usize, flavor: Flavor) -> Worker<T> {
        assert!(
            capacity > 0,
            "beam_deque::Worker: capacity must be at least 1"
        );
        assert!(
            capacity <= MAX_CAPACITY,
            "beam_deque::Worker: capacity {capacity} exceeds the maximum of 2^30"
        );
        let capacity = capacity.next_power_of_two() as u32;
        Worker {
            queue: Arc::new(Queue::new(capacity, flavor)),
            owner: Owner::new(flavor),
        }
    }

    /// The number of values the deque holds when full: the requested
    /// capacity rounded up to a power of two.
    pub fn capacity(&self) -> usize {
        self.queue.capacity() as usize
    }

    /// The number of values in the deque (a snapshot while thieves steal).
    ///
    /// ```
    /// let w = beam_deque::Worker::new(8);
    /// w.push(1).unwrap();
    /// assert_eq!(w.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether the deque is empty (a snapshot while thieves steal).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Pushes `value` at the owner's end.
    ///
    /// # Errors
    ///
    /// When the deque is full, the very `value` comes back in `Err`; nothing
    /// is dropped. Values claimed by a thief that is still moving them out
    /// count as occupying their slots until it finishes (and, in a FIFO
    /// deque, so do slots the owner popped meanwhile).
    ///
    /// ```
    /// let w = beam_deque::Worker::new(1);
    /// assert_eq!(w.push("x"), Ok(()));
    /// assert_eq!(w.push("y"), Err("y"));
    /// ```
    #[inline]
    pub fn push(&self, value: T) -> Result<(), T> {
        // SAFETY: `Worker` is not `Sync`, so this thread alone uses `owner`,
        // which belongs to this queue.
        unsafe { self.queue.push(&self.owner, value) }
    }

    /// Pops a value: the newest for a [`new`](Worker::new) deque, the oldest
    /// for a [`new_fifo`](Worker::new_fifo) one. `None` when empty.
    ///
    /// ```
    /// let w = beam_deque::Worker::new(2);
    /// assert_eq!(w.pop(), None::<u8>);
    /// ```
    #[inline]
    pub fn pop(&self) -> Option<T> {
        match self.queue.flavor() {
            // SAFETY: `Worker` is not `Sync`, so this thread alone uses
            // `owner`, which belongs to this queue.
            Flavor::Lifo => unsafe { self.queue.pop_newest(&self.owner) },
            // SAFETY: as above.
            Flavor::Fifo => unsafe { self.queue.pop_oldest(&self.owner) },
        }
    }

    /// How many values have entered this deque since it was made: by
    /// [`push`](Worker::push), and by batch steals into it
    /// ([`Stealer::steal_batch`] and
    /// [`steal_batch_and_pop`](Stealer::steal_batch_and_pop)). Kept by the
    /// owner anyway, so reading it is free; it never wraps in practice
    /// (`u64`).
    ///
    /// ```
    /// let w = beam_deque::Worker::new(2);
    /// w.push(1).unwrap();
    /// w.push(2).unwrap();
    /// assert_eq!(w.push(3), Err(3)); // refused: not counted
    /// assert_eq!(w.pushed(), 2);
    /// ```
    pub fn pushed(&self) -> u64 {
        self.owner.pushed()
    }

    /// How many values the owner has taken with [`pop`](Worker::pop) since
    /// the deque was made (not counting steals, or
    /// [`drain_oldest`](Worker::drain_oldest)).
    ///
    /// ```
    /// let w = beam_deque::Worker::new(2);
    /// w.push(1).unwrap();
    /// assert_eq!(w.pop(), Some(1));
    /// assert_eq!(w.pop(), None); // nothing taken: not counted
    /// assert_eq!(w.popped(), 1);
    /// ```
    pub fn popped(&self) -> u64 {
        self.owner.popped()
    }

    /// Creates a thieves' handle to this deque.
    pub fn stealer(&self) -> Stealer<T> {
        Stealer::new(Arc::clone(&self.queue))
    }

    /// Takes up to `limit` of the *oldest* values out of the deque with one
    /// compare-and-swap, and returns them, oldest first, as an iterator.
    ///
    /// This is the owner's overflow path: when its deque is full, a
    /// scheduler moves the oldest part (the part thieves would take anyway)
    /// to a shared queue and keeps the newest, cache-hot values. The whole
    /// batch costs one atomic read-modify-write (the claim), whatever its
    /// length.
    ///
    /// The batch is a claim like a thief's: the owner may keep pushing and
    /// popping while it is open, thieves take the values after it, and each
    /// slot is free for the owner's pushes once its value has been taken
    /// from the iterator. Values not taken from the iterator are dropped
    /// with it, like `Vec::drain`.
    ///
    /// Leaking the iterator (`mem::forget`) after its last value leaves the
    /// deque as it would be after a drop. Leaking it before leaks the
    /// values not taken and keeps their slots for good: thieves and the
    /// owner go on with the other values, and pushes fail once the tail
    /// comes round to a leaked value's slot. Never a value dropped twice.
    ///
    /// ```
    /// let w = beam_deque::Worker::new(8);
    /// for i in 0..8 {
    ///     w.push(i).unwrap();
    /// }
    /// let oldest: Vec<i32> = w.drain_oldest(4).collect();
    /// assert_eq!(oldest, [0, 1, 2, 3]);
    /// assert_eq!(w.pop(), Some(7));
    /// ```
    pub fn drain_oldest(&self, limit: usize) -> Drain<'_, T> {
        let limit = u32::try_from(limit).unwrap_or(u32::MAX);
        Drain::new(&self.queue, self.queue.claim(Take::Upto(limit)))
    }

    /// Free slots at the tail, counted up to `wanted` (see
    /// `Queue::free_slots`; thieves only add to this).
    pub(crate) fn free_slots(&self, wanted: u32) -> u32 {
        self.queue.free_slots(&self.owner, wanted)
    }

    /// Moves the claimed values at positions `from..to` of `source` into
    /// the free slots at this deque's tail, oldest first, and publishes them
    /// with one store.
    ///
    /// # Safety
    ///
    /// The caller holds a claim on `source` covering `from..to`, and
    /// `to - from` is at most what `self.free_slots` returned, with no push
    /// since. (It runs on the owner's thread: a `&Worker` cannot be had
    /// elsewhere.)
    pub(crate) unsafe fn adopt(&self, source: &Queue<T>, from: u32, to: u32) {
        let count = to.wrapping_sub(from);
        debug_assert!(count <= self.free_slots(count));
        let claimed = (0..count).map(|offset| {
            // SAFETY: the caller's claim covers `from + offset`; each offset
            // is visited once, so each value is read once.
            unsafe { source.take_claimed(from.wrapping_add(offset)) }
        });
        // SAFETY: this thread alone uses `owner` (`Worker` is not `Sync`),
        // and `claimed` yields no more values than `free_slots` found.
        unsafe { self.queue.push_batch(&self.owner, claimed) };
    }

    pub(crate) fn flavor(&self) -> Flavor {
        self.queue.flavor()
    }
}

impl<T> fmt::Debug for Worker<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("flavor", &self.queue.flavor())
            .field("len", &self.len())
            .field("capacity", &self.capacity())
            .finish()
    }
}
