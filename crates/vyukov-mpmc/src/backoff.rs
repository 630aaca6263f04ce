//! Exponential backoff for the queue's retry loops, visible to loom.
//!
//! The ring retries in two situations, and they want different waits:
//!
//! * [`Backoff::spin`]: a compare-and-swap lost to another thread, or a
//!   full/empty check found the other side in the middle of an operation.
//!   Somebody made progress; retry after a short, growing pause that takes
//!   the pressure off the contended cache line.
//! * [`Backoff::snooze`]: the slot we need is still held by a thread that
//!   claimed it and has not published it yet. Only that thread can unblock
//!   us, so after a while of spinning we give the CPU away (with the `std`
//!   feature) in case it is that thread that is waiting for a core.
//!
//! The shape and the limits are crossbeam-utils' `Backoff`. It lives here,
//! rather than being imported, so that under `--cfg vyukov_mpmc_loom` every
//! pause is a `loom::thread::yield_now()`: loom then knows the thread is
//! waiting for another one and schedules that one, instead of exploring an
//! unbounded busy loop it cannot see through.

use core::cell::Cell;

/// Up to `2^SPIN_LIMIT` spin hints per pause.
const SPIN_LIMIT: u32 = 6;
/// After this many snoozes, the step stops growing.
const YIELD_LIMIT: u32 = 10;

/// Per-operation backoff state: create one per call, on the stack.
#[derive(Debug)]
pub(crate) struct Backoff {
    step: Cell<u32>,
}

impl Backoff {
    /// A fresh backoff: the first pause is a single spin hint.
    #[inline]
    pub(crate) const fn new() -> Self {
        Self { step: Cell::new(0) }
    }

    /// Pause after losing a race that somebody else won.
    #[inline]
    pub(crate) fn spin(&self) {
        #[cfg(vyukov_mpmc_loom)]
        loom::thread::yield_now();
        #[cfg(not(vyukov_mpmc_loom))]
        for _ in 0..1u32 << self.step.get().min(SPIN_LIMIT) {
            core::hint::spin_loop();
        }

        if self.step.get() <= SPIN_LIMIT {
            self.step.set(self.step.get() + 1);
        }
    }

    /// Pause while waiting for another thread to finish what it started.
    #[inline]
    pub(crate) fn snooze(&self) {
        #[cfg(vyukov_mpmc_loom)]
        loom::thread::yield_now();
        #[cfg(not(vyukov_mpmc_loom))]
        {
            if self.step.get() <= SPIN_LIMIT {
                for _ in 0..1u32 << self.step.get() {
                    core::hint::spin_loop();
                }
            } else {
                #[cfg(feature = "std")]
                std::thread::yield_now();
                #[cfg(not(feature = "std"))]
                for _ in 0..1u32 << SPIN_LIMIT {
                    core::hint::spin_loop();
                }
            }
        }

        if self.step.get() <= YIELD_LIMIT {
            self.step.set(self.step.get() + 1);
        }
    }
}

#[cfg(all(test, not(vyukov_mpmc_loom)))]
mod tests {
    use super::*;

    #[test]
    fn steps_saturate() {
        let b = Backoff::new();
        for _ in 0..20 {
            b.spin();
        }
        assert_eq!(b.step.get(), SPIN_LIMIT + 1);
        for _ in 0..20 {
            b.snooze();
        }
        assert_eq!(b.step.get(), YIELD_LIMIT + 1);
    }
}
