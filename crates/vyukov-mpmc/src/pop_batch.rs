//! [`PopBatch`]: values taken from an [`ArrayQueue`](crate::ArrayQueue)
//! together, with one claim.

use core::fmt;
use core::iter::FusedIterator;
use core::mem::MaybeUninit;
use core::ptr;

/// The most values one [`ArrayQueue::pop_batch`](crate::ArrayQueue::pop_batch)
/// takes.
pub const POP_BATCH_MAX: usize = 32;

/// The values taken by one [`ArrayQueue::pop_batch`](crate::ArrayQueue::pop_batch),
/// oldest first (or newest first, from the back).
///
/// The batch holds its values itself (at most [`POP_BATCH_MAX`], inline):
/// `pop_batch` moved them out of the queue and freed their slots before it
/// returned, so holding a batch never holds up a producer. Values not taken
/// are dropped with the batch.
///
/// ```
/// use vyukov_mpmc::ArrayQueue;
///
/// let q = ArrayQueue::new(8);
/// for i in 0..5 {
///     q.push(i).unwrap();
/// }
/// let mut batch = q.pop_batch(4);
/// assert_eq!(batch.len(), 4);
/// assert_eq!(batch.next(), Some(0));
/// assert_eq!(batch.next_back(), Some(3));
/// drop(batch); // drops 1 and 2
/// assert_eq!(q.pop(), Some(4));
/// ```
pub struct PopBatch<T> {
    /// `values[next..end]` are initialised: the values not yet taken.
    values: [MaybeUninit<T>; POP_BATCH_MAX],
    next: usize,
    end: usize,
}

impl<T> PopBatch<T> {
    /// An empty batch.
    pub(crate) fn new() -> Self {
        PopBatch {
            values: [const { MaybeUninit::uninit() }; POP_BATCH_MAX],
            next: 0,
            end: 0,
        }
    }

    /// Appends `value`.
    ///
    /// # Panics
    ///
    /// If the batch already holds [`POP_BATCH_MAX`] values (the callers
    /// never push more than that).
    #[inline]
    pub(crate) fn push(&mut self, value: T) {
        self.values[self.end].write(value);
        self.end += 1;
    }
}

impl<T> Iterator for PopBatch<T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        if self.next == self.end {
            return None;
        }
        let index = self.next;
        self.next += 1;
        // `values[index]` was initialised by `push` (`index < end`), and
        // `next` has moved past it, so it is never read or dropped again.
        // SAFETY: so this reads an initialised value, once.
        Some(unsafe { self.values[index].assume_init_read() })
    }

    #[inline]
    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.end - self.next;
        (len, Some(len))
    }
}

impl<T> DoubleEndedIterator for PopBatch<T> {
    #[inline]
    fn next_back(&mut self) -> Option<T> {
        if self.next == self.end {
            return None;
        }
        self.end -= 1;
        // `values[end]` was initialised by `push` (`next <= end` before the
        // decrement), and `end` has moved below it, so it is never read or
        // dropped again.
        // SAFETY: so this reads an initialised value, once.
        Some(unsafe { self.values[self.end].assume_init_read() })
    }
}

impl<T> ExactSizeIterator for PopBatch<T> {}

impl<T> FusedIterator for PopBatch<T> {}

impl<T> Drop for PopBatch<T> {
    fn drop(&mut self) {
        let rest = ptr::slice_from_raw_parts_mut(
            self.values[self.next..self.end].as_mut_ptr().cast::<T>(),
            self.end - self.next,
        );
        // `values[next..end]` are the initialised values not taken, and
        // `MaybeUninit<T>` has `T`'s layout. Dropping them as a slice goes
        // on to the next one if a destructor panics, as a `Vec` does.
        // SAFETY: so each is dropped once; nothing reads them after.
        unsafe { ptr::drop_in_place(rest) };
    }
}

impl<T> fmt::Debug for PopBatch<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PopBatch")
            .field("remaining", &self.len())
            .finish_non_exhaustive()
    }
}
