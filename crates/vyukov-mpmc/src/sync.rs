//! The one place the crate names its synchronisation primitives.
//!
//! Under `--cfg vyukov_mpmc_loom` every atomic and cell comes from
//! [loom](https://docs.rs/loom), so the model checker sees each access and
//! each possible interleaving; in a normal build they are `core`'s own, at no
//! cost. Users never build loom: the cfg is set only for the loom test run
//! (`tests/loom.rs`, `cargo xtask verify --only loom` in the repository).

#[cfg(vyukov_mpmc_loom)]
pub(crate) use loom::cell::UnsafeCell;
#[cfg(vyukov_mpmc_loom)]
pub(crate) use loom::sync::atomic::Ordering;

#[cfg(not(vyukov_mpmc_loom))]
pub(crate) use core::sync::atomic::Ordering;

/// The integer that holds a stamp (`lap | index`, see `ring.rs`).
///
/// 64 bits wherever the target has 64-bit atomics, as in crossbeam: the lap
/// counter then takes centuries to wrap, so a thread that stalls between
/// reading a stamp and its compare-and-swap cannot be fooled by a stamp that
/// came round again (ABA).
#[cfg(target_has_atomic = "64")]
pub(crate) type Index = u64;
/// The atomic that holds an [`Index`].
#[cfg(all(target_has_atomic = "64", not(vyukov_mpmc_loom)))]
pub(crate) type AtomicIndex = core::sync::atomic::AtomicU64;
/// The atomic that holds an [`Index`].
#[cfg(all(target_has_atomic = "64", vyukov_mpmc_loom))]
pub(crate) type AtomicIndex = loom::sync::atomic::AtomicU64;

/// The integer that holds a stamp (`lap | index`, see `ring.rs`).
#[cfg(not(target_has_atomic = "64"))]
pub(crate) type Index = usize;
/// The atomic that holds an [`Index`].
#[cfg(all(not(target_has_atomic = "64"), not(vyukov_mpmc_loom)))]
pub(crate) type AtomicIndex = core::sync::atomic::AtomicUsize;
/// The atomic that holds an [`Index`].
#[cfg(all(not(target_has_atomic = "64"), vyukov_mpmc_loom))]
pub(crate) type AtomicIndex = loom::sync::atomic::AtomicUsize;

/// `core::cell::UnsafeCell` behind loom's closure API, so the same code
/// compiles against both.
#[cfg(not(vyukov_mpmc_loom))]
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(core::cell::UnsafeCell<T>);

#[cfg(not(vyukov_mpmc_loom))]
impl<T> UnsafeCell<T> {
    /// Wraps `value`.
    #[inline(always)]
    pub(crate) const fn new(value: T) -> Self {
        Self(core::cell::UnsafeCell::new(value))
    }

    /// Runs `f` with a pointer to the contents, for reading.
    ///
    /// Kept for parity with loom's API; the ring only ever moves values in
    /// and out, which is `with_mut`.
    #[allow(dead_code)]
    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Runs `f` with a pointer to the contents, for writing (or moving out).
    #[inline(always)]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}
