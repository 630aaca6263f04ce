//! The one place the crate names its synchronisation primitives.
//!
//! Under `--cfg beam_deque_loom` every atomic, cell and `Arc` comes from
//! [loom](https://docs.rs/loom), so the model checker sees each access; in a
//! normal build they are `core`/`alloc`'s own, at no cost. Users never build
//! loom: the cfg is set only by `cargo xtask verify --only loom`.

#[cfg(beam_deque_loom)]
pub(crate) use loom::cell::UnsafeCell;
#[cfg(beam_deque_loom)]
pub(crate) use loom::sync::Arc;
#[cfg(beam_deque_loom)]
pub(crate) use loom::sync::atomic::{AtomicU32, AtomicU64};

#[cfg(not(beam_deque_loom))]
pub(crate) use alloc::sync::Arc;
#[cfg(not(beam_deque_loom))]
pub(crate) use core::sync::atomic::{AtomicU32, AtomicU64};

/// `core::cell::UnsafeCell` behind loom's closure API, so the same code
/// compiles against both.
#[cfg(not(beam_deque_loom))]
#[derive(Debug)]
pub(crate) struct UnsafeCell<T>(core::cell::UnsafeCell<T>);

#[cfg(not(beam_deque_loom))]
impl<T> UnsafeCell<T> {
    pub(crate) const fn new(value: T) -> Self {
        Self(core::cell::UnsafeCell::new(value))
    }

    /// Runs `f` with a shared pointer to the contents.
    #[inline(always)]
    pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Runs `f` with a unique pointer to the contents.
    #[inline(always)]
    pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}
