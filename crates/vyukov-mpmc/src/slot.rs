//! One cell of the ring: a value and the stamp that says whose turn it is.

use core::mem::MaybeUninit;

use crate::sync::{AtomicIndex, Index, UnsafeCell};

/// A slot of the ring buffer.
///
/// The `stamp` is the whole synchronisation protocol of the slot (Vyukov's
/// per-cell sequence number, in crossbeam's `lap | index` encoding). For a
/// slot at `index`, during lap `lap`:
///
/// * `stamp == lap | index`: the slot is **empty** and waits for the producer
///   whose tail is `lap | index`;
/// * `stamp == (lap | index) + 1`: the slot is **full** and waits for the
///   consumer whose head is `lap | index`;
/// * once that consumer is done it stores `(lap + one_lap) | index`: empty
///   again, for the producer one lap later.
///
/// A thread only touches `value` after winning the compare-and-swap on the
/// ring's head or tail that matches the stamp it saw, and releases the slot
/// by storing the next stamp with `Release`; the next owner loads the stamp
/// with `Acquire` before touching `value`. So at most one thread accesses
/// `value` at a time, and each sees the previous owner's write.
pub(crate) struct Slot<T> {
    /// Whose turn it is: see the type's docs.
    pub(crate) stamp: AtomicIndex,

    /// The value, initialised exactly while the stamp says "full" (and
    /// transiently while its owner is writing or reading it).
    value: UnsafeCell<MaybeUninit<T>>,
}

impl<T> Slot<T> {
    /// An empty slot whose first producer will hold tail `stamp`.
    pub(crate) fn new(stamp: Index) -> Self {
        Self {
            stamp: AtomicIndex::new(stamp),
            value: UnsafeCell::new(MaybeUninit::uninit()),
        }
    }

    /// Moves `value` into the slot.
    ///
    /// # Safety
    ///
    /// The caller owns the slot (it won the tail compare-and-swap for the
    /// stamp it observed, or has `&mut` to the ring) and the slot is empty:
    /// any value it held was moved out before, or it would be leaked.
    #[inline(always)]
    pub(crate) unsafe fn write(&self, value: T) {
        // The pointer comes from our own cell: valid and aligned for
        // `MaybeUninit<T>`.
        // SAFETY: the caller owns the slot: no other thread touches it now.
        self.value
            .with_mut(|p| unsafe { p.write(MaybeUninit::new(value)) });
    }

    /// Moves the value out of the slot, leaving it logically empty.
    ///
    /// # Safety
    ///
    /// The caller owns the slot (it won the head compare-and-swap for the
    /// stamp it observed, or has `&mut` to the ring) and the slot is full:
    /// a producer wrote it and released it with the stamp the caller
    /// acquired. The value must not be read again until it is rewritten.
    #[inline(always)]
    pub(crate) unsafe fn read(&self) -> T {
        // The value was published by the producer's `Release` store of the
        // stamp, which the caller's `Acquire` load observed. Reading moves
        // it out; the caller promises not to read it twice.
        // SAFETY: the caller owns the slot and it holds an initialised value.
        self.value.with_mut(|p| unsafe { p.read().assume_init() })
    }

    /// Swaps `value` in and moves the previous value out.
    ///
    /// # Safety
    ///
    /// As for [`Slot::read`]: the caller owns the slot and it is full.
    #[inline(always)]
    pub(crate) unsafe fn replace(&self, value: T) -> T {
        // `replace` moves the old value out and leaves `value` in its
        // place, so the slot stays full.
        // SAFETY: the caller owns the slot and it holds an initialised value.
        self.value
            .with_mut(|p| unsafe { p.replace(MaybeUninit::new(value)).assume_init() })
    }
}
