//! The one place the crate names its synchronisation primitives.
//!
//! Under `--cfg seg_queue_loom` every atomic comes from
//! [loom](https://docs.rs/loom), so the model checker sees each access and
//! each interleaving; in a normal build they are `core`'s own, at no cost.
//! Users never build loom: the cfg is set only for the loom test run
//! (`tests/loom.rs`, `cargo xtask verify --only loom` in the repository).
//!
//! Two helpers exist only for loom's sake and compile to nothing otherwise
//! (the fences of the hazard protocol are real `SeqCst` fences in both
//! builds: loom checks the very orderings we ship):
//!
//! * [`Liveness`]: catches a use-after-free or use-after-recycle of a
//!   segment. Loom's `UnsafeCell` flags a read that is not ordered with a
//!   write; protected code reads a segment's liveness cell at the start and
//!   end of each protected use, and freeing or recycling writes it.
//! * [`LeakTrack`]: `loom::alloc::Track`, which fails a model that ends with
//!   an allocation still alive: a leaked segment or hazard record.

#[cfg(seg_queue_loom)]
pub(crate) use loom::sync::atomic::{AtomicPtr, Ordering, fence};

#[cfg(not(seg_queue_loom))]
pub(crate) use core::sync::atomic::{AtomicPtr, Ordering, fence};

/// Under loom, tells the scheduler that this thread is retrying because
/// another one moved on (loom then runs that other one instead of exploring
/// the retry loop); otherwise nothing: retries here happen at segment
/// boundaries, where the other thread has already made progress.
#[inline(always)]
pub(crate) fn retry_hint() {
    #[cfg(seg_queue_loom)]
    loom::thread::yield_now();
}

/// A segment's generation, tracked by loom (see the module docs); a
/// zero-sized no-op otherwise.
#[cfg(seg_queue_loom)]
#[derive(Debug)]
pub(crate) struct Liveness(loom::cell::UnsafeCell<usize>);

#[cfg(seg_queue_loom)]
impl Liveness {
    /// A segment's first generation.
    pub(crate) fn new() -> Self {
        Self(loom::cell::UnsafeCell::new(0))
    }

    /// Reads the generation, as a protected thread begins using the
    /// segment.
    pub(crate) fn enter(&self) -> usize {
        // SAFETY: a plain read of a `usize`; loom checks that it is not
        // concurrent with `recycle`/`free`'s write, which is the point.
        self.0.with(|p| unsafe { *p })
    }

    /// Checks that the segment is still the generation `enter` saw, as a
    /// protected thread stops using it.
    pub(crate) fn leave(&self, generation: usize) {
        assert_eq!(
            self.enter(),
            generation,
            "a segment was recycled while a thread still used it"
        );
    }

    /// Starts a new generation: the segment is recycled or about to be
    /// freed, which must happen after every protected use of it.
    pub(crate) fn end(&self) {
        // SAFETY: as in `enter`; loom checks that no read is concurrent.
        self.0.with_mut(|p| unsafe { *p += 1 });
    }
}

/// A segment's generation, tracked by loom (see the module docs); a
/// zero-sized no-op otherwise.
#[cfg(not(seg_queue_loom))]
#[derive(Debug)]
pub(crate) struct Liveness;

#[cfg(not(seg_queue_loom))]
impl Liveness {
    /// A segment's first generation.
    #[inline(always)]
    pub(crate) fn new() -> Self {
        Self
    }

    /// Reads the generation, as a protected thread begins using the
    /// segment.
    #[inline(always)]
    pub(crate) fn enter(&self) -> usize {
        0
    }

    /// Checks the generation, as a protected thread stops using it.
    #[inline(always)]
    pub(crate) fn leave(&self, _generation: usize) {}

    /// Starts a new generation.
    #[inline(always)]
    pub(crate) fn end(&self) {}
}

/// Loom's leak tracker for one allocation; zero-sized otherwise.
#[cfg(seg_queue_loom)]
pub(crate) type LeakTrack = loom::alloc::Track<()>;

/// Loom's leak tracker for one allocation; zero-sized otherwise.
#[cfg(not(seg_queue_loom))]
#[derive(Debug)]
pub(crate) struct LeakTrack;

#[cfg(not(seg_queue_loom))]
impl LeakTrack {
    /// Starts tracking (nothing to do outside loom).
    #[inline(always)]
    pub(crate) fn new(_: ()) -> Self {
        Self
    }
}
