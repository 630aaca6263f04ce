//! [`Ring`]: the fixed array of slots behind a deque.
//!
//! A ring maps a wrapping `u32` position onto a slot, and each slot keeps
//! one mark: the position it is free for, moved on a lap by whoever takes
//! its value from the head. That mark is how the owner learns, slot by
//! slot, that a thief has finished reading. The protocol in
//! [`crate::queue`] decides when a slot holds a value and who owns it, and
//! states that in the safety contract of each call.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::mem::MaybeUninit;
use core::sync::atomic::Ordering::{Acquire, Release};

use crate::sync::{AtomicU32, UnsafeCell};

/// One slot: a value, and the position whose value the slot may take next.
struct Slot<T> {
    /// The position this slot is free for: `p` once whoever took the
    /// value of `p - capacity` has finished reading it (and `p` itself for
    /// the first lap). Stored with `Release` by the reader that takes a
    /// value ([`Ring::take`]), loaded with `Acquire` by the owner before it
    /// writes ([`Ring::is_free_for`]): that pair orders the read before the
    /// next write. While it is still `p - capacity`, the slot holds a value
    /// or a reader is moving it out.
    free_for: AtomicU32,
    value: UnsafeCell<MaybeUninit<T>>,
}

/// A power-of-two array of possibly-uninitialised slots.
pub(crate) struct Ring<T> {
    /// `capacity - 1`: position `p` lives in slot `p & mask`.
    mask: u32,
    slots: Box<[Slot<T>]>,
}

impl<T> Ring<T> {
    /// Allocates `capacity` slots. `capacity` must be a power of two that
    /// fits in a `u32`.
    pub(crate) fn new(capacity: u32) -> Self {
        debug_assert!(capacity.is_power_of_two());
        let slots: Vec<_> = (0..capacity)
            .map(|position| Slot {
                free_for: AtomicU32::new(position),
                value: UnsafeCell::new(MaybeUninit::uninit()),
            })
            .collect();
        Ring {
            mask: capacity - 1,
            slots: slots.into_boxed_slice(),
        }
    }

    /// Number of slots.
    pub(crate) fn capacity(&self) -> u32 {
        self.mask + 1
    }

    /// The mark of the slot of `position`: the position it is free for.
    #[cfg(test)]
    pub(crate) fn mark(&self, position: u32) -> u32 {
        self.slot(position).free_for.load(Acquire)
    }

    /// Marks each slot free for its position in `first..first + capacity`,
    /// as a new ring is for `0..capacity`: a new ring moved to `first`.
    #[cfg(test)]
    pub(crate) fn mark_free_from(&self, first: u32) {
        for k in 0..self.capacity() {
            let position = first.wrapping_add(k);
            self.slot(position).free_for.store(position, Release);
        }
    }

    #[inline(always)]
    fn slot(&self, position: u32) -> &Slot<T> {
        let index = (position & self.mask) as usize;
        debug_assert!(index < self.slots.len());
        // Unchecked because the compiler cannot see the link between the two
        // fields, and this sits on every push and pop.
        // SAFETY: `slots` has `mask + 1` elements (`new`; neither field
        // changes after), so `position & mask` is in bounds.
        unsafe { self.slots.get_unchecked(index) }
    }

    /// Whether the slot of `position` may take `position`'s value: the
    /// value a lap before has been taken and read to the end (or there was
    /// none). When it says yes, everything that reader did to the slot
    /// happens-before the caller's next write.
    #[inline(always)]
    pub(crate) fn is_free_for(&self, position: u32) -> bool {
        // Acquire: pairs with the Release store in `take`.
        self.slot(position).free_for.load(Acquire) == position
    }

    /// Moves `value` into the slot of `position`.
    ///
    /// # Safety
    ///
    /// The caller has exclusive access to that slot: it is free for
    /// `position` ([`Self::is_free_for`] said so on this thread), and no
    /// other thread reads it until the caller publishes it with a release
    /// store. The slot holds no value that still needs dropping (it would
    /// be leaked).
    #[inline]
    pub(crate) unsafe fn write(&self, position: u32, value: T) {
        self.slot(position).value.with_mut(|slot| {
            // SAFETY: the caller guarantees exclusive access to the slot, so
            // this unique write races with nothing.
            unsafe { slot.write(MaybeUninit::new(value)) }
        });
    }

    /// Moves the value out of the slot of `position`, leaving its mark as
    /// it is: for the owner, where the mark already says the right thing (a
    /// LIFO pop, whose position the owner fills again) or no longer matters
    /// (a dropped deque).
    ///
    /// # Safety
    ///
    /// The slot holds an initialised value (its write happens-before this
    /// call), the caller alone may read it (its own write, or a claim), and
    /// nobody reads it again before it is rewritten.
    #[inline]
    pub(crate) unsafe fn read(&self, position: u32) -> T {
        self.slot(position).value.with(|slot| {
            // SAFETY: the caller guarantees the slot is initialised, ours
            // alone, and read once: moving out leaves no double.
            unsafe { slot.read().assume_init() }
        })
    }

    /// Moves the value out of the slot of `position` and frees the slot for
    /// the position a lap later: for values that leave the deque from the
    /// head (a thief's claim, a FIFO pop, a `Drain`).
    ///
    /// # Safety
    ///
    /// As for [`Self::read`]; and no one else takes this position.
    #[inline]
    pub(crate) unsafe fn take(&self, position: u32) -> T {
        // SAFETY: the caller's contract is `read`'s.
        let value = unsafe { self.read(position) };
        // Release: pairs with the Acquire load in `is_free_for`: our read
        // above happens-before the owner's next write to this slot.
        self.slot(position)
            .free_for
            .store(position.wrapping_add(self.capacity()), Release);
        value
    }
}
