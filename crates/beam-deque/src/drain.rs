//! [`Drain`]: the owner's batch of its oldest values.

use core::fmt;
use core::iter::FusedIterator;

use crate::queue::{Claim, Queue};

/// The oldest values of a deque, claimed by its owner with
/// [`Worker::drain_oldest`](crate::Worker::drain_oldest), handed out oldest
/// first.
///
/// Dropping it drops the values not taken and frees their slots.
pub struct Drain<'a, T> {
    queue: &'a Queue<T>,
    /// The claim, or `None` for an empty batch.
    claim: Option<Claim>,
    /// The next position to hand out.
    next: u32,
}

impl<'a, T> Drain<'a, T> {
    pub(crate) fn new(queue: &'a Queue<T>, claim: Option<Claim>) -> Self {
        let next = claim.map_or(0, |c| c.start);
        Drain { queue, claim, next }
    }
}

impl<T> Iterator for Drain<'_, T> {
    type Item = T;

    #[inline]
    fn next(&mut self) -> Option<T> {
        let claim = self.claim?;
        let position = self.next;
        self.next = position.wrapping_add(1);
        // `position` is in our claim (the claim is dropped, and `None`,
        // once `next` reaches its end), and `next` moved past it.
        // SAFETY: so the slot is ours and is taken exactly once.
        let value = unsafe { self.queue.take_claimed(position) };
        if self.next == claim.end {
            // Every slot of the claim is taken (and so free again): a
            // `Drain` leaked now leaves the deque as good as new.
            self.claim = None;
        }
        Some(value)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self
            .claim
            .map_or(0, |c| c.end.wrapping_sub(self.next) as usize);
        (left, Some(left))
    }
}

impl<T> ExactSizeIterator for Drain<'_, T> {}
impl<T> FusedIterator for Drain<'_, T> {}

impl<T> Drop for Drain<'_, T> {
    fn drop(&mut self) {
        /// Drops the values not taken (each frees its slot): a guard, so
        /// that if one's destructor panics, unwinding still drops the rest
        /// and frees their slots.
        struct DropRest<'b, 'a, T>(&'b mut Drain<'a, T>);
        impl<T> Drop for DropRest<'_, '_, T> {
            fn drop(&mut self) {
                self.0.by_ref().for_each(drop);
            }
        }
        let rest = DropRest(self);
        rest.0.by_ref().for_each(drop);
    }
}

impl<T> fmt::Debug for Drain<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Drain").field("left", &self.len()).finish()
    }
}
