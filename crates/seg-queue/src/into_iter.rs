//! Owned iteration: [`IntoIter`].

use core::fmt;
use core::iter::FusedIterator;

use crate::SegQueue;

/// An iterator that moves the values out of a [`SegQueue`], oldest first.
///
/// Made by [`SegQueue`]'s [`IntoIterator`] implementation. Values not taken
/// before the iterator is dropped are dropped with it, each exactly once.
///
/// ```
/// let q = seg_queue::SegQueue::with_segment_capacity(2);
/// for i in 0..5 {
///     q.push(i);
/// }
/// let mut it = q.into_iter();
/// assert_eq!(it.next(), Some(0));
/// assert_eq!(it.collect::<Vec<_>>(), [1, 2, 3, 4]);
/// ```
pub struct IntoIter<T> {
    queue: SegQueue<T>,
}

impl<T> IntoIterator for SegQueue<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;

    fn into_iter(self) -> IntoIter<T> {
        IntoIter { queue: self }
    }
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;

    fn next(&mut self) -> Option<T> {
        // We own the queue: pop without hazards or contention. Each drained
        // segment goes back to the pool (or is freed) on the way.
        self.queue.pop_mut()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let len = self.queue.len();
        (len, Some(len))
    }
}

impl<T> ExactSizeIterator for IntoIter<T> {}

impl<T> FusedIterator for IntoIter<T> {}

/// Shows the values left, as [`SegQueue`]'s `Debug` does.
impl<T> fmt::Debug for IntoIter<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IntoIter")
            .field("len", &self.queue.len())
            .finish_non_exhaustive()
    }
}
