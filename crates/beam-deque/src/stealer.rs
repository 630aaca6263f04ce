//! [`Stealer`]: the thieves' handle.

use core::fmt;

use crate::queue::{Claim, Flavor, Queue, Take};
use crate::steal::Steal;
use crate::sync::Arc;
use crate::worker::Worker;

/// A thieves' handle to a [`Worker`]'s deque: takes the oldest values.
///
/// `Stealer` is `Clone + Send + Sync` (for `T: Send`) and keeps working
/// after its `Worker` is dropped: it can still take what is left.
///
/// Every steal *claims* its values with one compare-and-swap before it reads
/// them, so a thief never reads a slot the owner could be writing.
///
/// # Examples
///
/// ```
/// use beam_deque::{Steal, Worker};
/// use std::thread;
///
/// let w = Worker::new(64);
/// for i in 0..64 {
///     w.push(i).unwrap();
/// }
/// let s = w.stealer();
/// let stolen = thread::spawn(move || {
///     let mine = Worker::new(64);
///     let _ = s.steal_batch(&mine);
///     mine.len()
/// })
/// .join()
/// .unwrap();
/// assert_eq!(stolen + w.len(), 64);
/// ```
pub struct Stealer<T> {
    queue: Arc<Queue<T>>,
}

impl<T> Stealer<T> {
    pub(crate) fn new(queue: Arc<Queue<T>>) -> Self {
        Stealer { queue }
    }

    /// Steals the oldest value: [`Steal::Success`] or [`Steal::Empty`]
    /// (never `Retry`: a race lost to another thief or the owner is retried
    /// here).
    ///
    /// ```
    /// use beam_deque::{Steal, Worker};
    ///
    /// let w = Worker::new(4);
    /// w.push(1).unwrap();
    /// w.push(2).unwrap();
    /// assert_eq!(w.stealer().steal(), Steal::Success(1));
    /// ```
    pub fn steal(&self) -> Steal<T> {
        match self.queue.claim(Take::Upto(1)) {
            Some(claim) => {
                // SAFETY: the claim covers exactly `claim.start`.
                Steal::Success(unsafe { self.queue.take_claimed(claim.start) })
            }
            None => Steal::Empty,
        }
    }

    /// Moves about half of the values (the oldest, rounded up) into `dest`,
    /// never more than `dest` has room for.
    ///
    /// The moved values keep their relative age in `dest`, so `dest`'s own
    /// pop order applies to them. Returns [`Steal::Empty`] when there was
    /// nothing to move or `dest` had no room at its tail: full, or its next
    /// slot still being read by one of `dest`'s own thieves (then nothing
    /// moves; `dest.len() == dest.capacity()` tells a full `dest` apart).
    ///
    /// ```
    /// use beam_deque::{Steal, Worker};
    ///
    /// let victim = Worker::new(8);
    /// for i in 0..6 {
    ///     victim.push(i).unwrap();
    /// }
    /// let mine = Worker::new_fifo(8);
    /// assert_eq!(victim.stealer().steal_batch(&mine), Steal::Success(()));
    /// assert_eq!(mine.pop(), Some(0));
    /// assert_eq!(mine.len() + victim.len(), 5);
    /// ```
    pub fn steal_batch(&self, dest: &Worker<T>) -> Steal<()> {
        self.steal_batch_upto(dest, u32::MAX)
    }

    /// Like [`steal_batch`](Stealer::steal_batch), moving at most `limit`
    /// values: crossbeam-deque's `steal_batch_with_limit`. At most `limit`,
    /// at most about half of the deque (rounded up), at most the room in
    /// `dest`.
    ///
    /// # Panics
    ///
    /// If `limit` is 0 (as crossbeam's does).
    ///
    /// ```
    /// use beam_deque::{Steal, Worker};
    ///
    /// let victim = Worker::new(16);
    /// for i in 0..10 {
    ///     victim.push(i).unwrap();
    /// }
    /// let mine = Worker::new_fifo(16);
    /// // Half of 10 is 5; the limit says 3.
    /// assert_eq!(victim.stealer().steal_batch_with_limit(&mine, 3), Steal::Success(()));
    /// assert_eq!(mine.len(), 3);
    /// assert_eq!(mine.pop(), Some(0));
    /// ```
    pub fn steal_batch_with_limit(&self, dest: &Worker<T>, limit: usize) -> Steal<()> {
        self.steal_batch_upto(dest, checked_limit(limit))
    }

    /// `steal_batch`, moving at most `limit` values.
    fn steal_batch_upto(&self, dest: &Worker<T>, limit: u32) -> Steal<()> {
        // `free_slots` may count more than it was asked to (slots it knew
        // free already): the limit still holds.
        let room = dest.free_slots(self.half_of_len().min(limit)).min(limit);
        match self.queue.claim(Take::Half(room)) {
            Some(claim) => {
                // SAFETY: we hold the claim; it fits in `room`.
                unsafe { dest.adopt(&self.queue, claim.start, claim.end) };
                Steal::Success(())
            }
            None => Steal::Empty,
        }
    }

    /// Like [`steal_batch`](Stealer::steal_batch), and hands one of the moved
    /// values straight back: the one `dest.pop()` would return first among
    /// them (the newest for a LIFO `dest`, the oldest for a FIFO one).
    ///
    /// It takes one more value than fits in `dest`, since one never enters
    /// it; with `dest` full it still steals that one value.
    ///
    /// ```
    /// use beam_deque::{Steal, Worker};
    ///
    /// let victim = Worker::new(8);
    /// for i in 0..4 {
    ///     victim.push(i).unwrap();
    /// }
    /// let mine = Worker::new(8);
    /// // Half of 4 is 2: values 0 and 1 move; LIFO `mine` would pop 1 first.
    /// assert_eq!(victim.stealer().steal_batch_and_pop(&mine), Steal::Success(1));
    /// assert_eq!(mine.pop(), Some(0));
    /// ```
    pub fn steal_batch_and_pop(&self, dest: &Worker<T>) -> Steal<T> {
        self.steal_batch_and_pop_upto(dest, u32::MAX)
    }

    /// Like [`steal_batch_and_pop`](Stealer::steal_batch_and_pop), taking
    /// at most `limit` values in all, the one handed back included:
    /// crossbeam-deque's `steal_batch_with_limit_and_pop`. At most `limit`,
    /// at most about half of the deque (rounded up), at most one more than
    /// the room in `dest`.
    ///
    /// # Panics
    ///
    /// If `limit` is 0 (as crossbeam's does).
    ///
    /// ```
    /// use beam_deque::{Steal, Worker};
    ///
    /// let victim = Worker::new(16);
    /// for i in 0..10 {
    ///     victim.push(i).unwrap();
    /// }
    /// let mine = Worker::new_fifo(16);
    /// // Three taken: 0 handed back (FIFO `mine` pops the oldest), 1 and 2 moved.
    /// let s = victim.stealer();
    /// assert_eq!(s.steal_batch_with_limit_and_pop(&mine, 3), Steal::Success(0));
    /// assert_eq!(mine.len(), 2);
    /// ```
    pub fn steal_batch_with_limit_and_pop(&self, dest: &Worker<T>, limit: usize) -> Steal<T> {
        self.steal_batch_and_pop_upto(dest, checked_limit(limit))
    }

    /// `steal_batch_and_pop`, taking at most `limit` values in all.
    fn steal_batch_and_pop_upto(&self, dest: &Worker<T>, limit: u32) -> Steal<T> {
        let wanted = self.half_of_len().min(limit);
        // One value more than `dest` takes: it is handed back.
        let room = dest
            .free_slots(wanted.saturating_sub(1))
            .saturating_add(1)
            .min(limit);
        match self.queue.claim(Take::Half(room)) {
            Some(claim) => {
                let (handed, rest) = split_for(dest.flavor(), claim);
                // SAFETY: `handed` lies in our claim, and `adopt` below does
                // not cover it.
                let value = unsafe { self.queue.take_claimed(handed) };
                // SAFETY: we hold the claim on `rest`, which fits in `room - 1`.
                unsafe { dest.adopt(&self.queue, rest.start, rest.end) };
                Steal::Success(value)
            }
            None => Steal::Empty,
        }
    }

    /// Half the values in the deque now, rounded up: what a batch steal
    /// takes at most, so the free slots of its destination need counting
    /// only that far.
    fn half_of_len(&self) -> u32 {
        (self.queue.len_upper_bound() as u32).div_ceil(2)
    }

    /// The number of values in the deque (a snapshot).
    pub fn len(&self) -> usize {
        self.queue.len()
    }

    /// Whether the deque is empty (a snapshot: `true` only if it was empty
    /// at some moment during the call).
    pub fn is_empty(&self) -> bool {
        self.queue.len_upper_bound() == 0
    }
}

/// Splits a claim into the position handed back to the thief and the run
/// that moves into a `dest` of the given flavor.
fn split_for(dest: Flavor, claim: Claim) -> (u32, Claim) {
    match dest {
        Flavor::Lifo => {
            let newest = claim.end.wrapping_sub(1);
            let rest = Claim {
                start: claim.start,
                end: newest,
            };
            (newest, rest)
        }
        Flavor::Fifo => {
            let rest = Claim {
                start: claim.start.wrapping_add(1),
                end: claim.end,
            };
            (claim.start, rest)
        }
    }
}

/// A batch limit as the claim takes it: `limit`, saturated to `u32`.
///
/// # Panics
///
/// If `limit` is 0.
fn checked_limit(limit: usize) -> u32 {
    assert!(
        limit > 0,
        "beam_deque::Stealer: a batch steal's limit must be at least 1"
    );
    u32::try_from(limit).unwrap_or(u32::MAX)
}

impl<T> Clone for Stealer<T> {
    fn clone(&self) -> Self {
        Stealer {
            queue: Arc::clone(&self.queue),
        }
    }
}

impl<T> fmt::Debug for Stealer<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Stealer")
            .field("len", &self.len())
            .field("capacity", &self.queue.capacity())
            .finish()
    }
}
