//! [`Ring`]: the fixed array of slots behind a deque.
//!
//! A ring knows nothing about who may touch which slot; it only maps a
//! wrapping `u32` position onto a slot. The protocol in [`crate::queue`]
//! decides when a slot holds a value and who owns it, and states that in the
//! safety contract of each call.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::mem::MaybeUninit;

use crate::sync::UnsafeCell;

/// A power-of-two array of possibly-uninitialised slots.
pub(crate) struct Ring<T> {
    /// `capacity - 1`: position `p` lives in slot `p & mask`.
    mask: u32,
    slots: Box<[UnsafeCell<MaybeUninit<T>>]>,
}

impl<T> Ring<T> {
    /// Allocates `capacity` slots. `capacity` must be a power of two that
    /// fits in a `u32`.
    pub(crate) fn new(capacity: u32) -> Self {
        debug_assert!(capacity.is_power_of_two());
        let slots: Vec<_> = (0..capacity)
            .map(|_| UnsafeCell::new(MaybeUninit::uninit()))
            .collect();
        Ring {
            mask: capacity - 1,
            slots: slots.into_boxed_slice(),
        }
    }

    /// Number of slots, less one.
    #[inline(always)]
    pub(crate) fn mask(&self) -> u32 {
        self.mask
    }

    /// Number of slots.
    pub(crate) fn capacity(&self) -> u32 {
        self.mask + 1
    }

    #[inline(always)]
    fn slot(&self, position: u32) -> &UnsafeCell<MaybeUninit<T>> {
        let index = (position & self.mask) as usize;
        debug_assert!(index < self.slots.len());
        // Unchecked because the compiler cannot see the link between the two
        // fields, and this sits on every push and pop.
        // SAFETY: `slots` has `mask + 1` elements (`new`; neither field
        // changes after), so `position & mask` is in bounds.
        unsafe { self.slots.get_unchecked(index) }
    }

    /// Moves `value` into the slot of `position`.
    ///
    /// # Safety
    ///
    /// The caller has exclusive access to that slot: no other thread reads
    /// or writes it until the caller publishes it with a release store. The
    /// slot holds no value that still needs dropping (it would be leaked).
    #[inline]
    pub(crate) unsafe fn write(&self, position: u32, value: T) {
        self.slot(position).with_mut(|slot| {
            // SAFETY: the caller guarantees exclusive access to the slot, so
            // this unique write races with nothing.
            unsafe { slot.write(MaybeUninit::new(value)) }
        });
    }

    /// Moves the value out of the slot of `position`.
    ///
    /// # Safety
    ///
    /// The slot holds an initialised value (its write happens-before this
    /// call), the caller has claimed it so nobody writes it concurrently,
    /// and nobody reads it again before it is rewritten.
    #[inline]
    pub(crate) unsafe fn read(&self, position: u32) -> T {
        self.slot(position).with(|slot| {
            // SAFETY: the caller guarantees the slot is initialised, claimed
            // by this thread, and read once: moving out leaves no double.
            unsafe { slot.read().assume_init() }
        })
    }
}
