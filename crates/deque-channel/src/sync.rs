//! The one place the crate names its synchronisation primitives, swapped
//! for loom's under `--cfg deque_channel_loom` so the model checker sees the
//! last handle's drop and every step of the sleep protocol (`sleep.rs`,
//! `outside.rs`). The per-worker counters stay plain `core` atomics even
//! then: they are statistics, order nothing, and would only multiply loom's
//! interleavings.
//!
//! Two things loom does not model, and what stands in for them here:
//! `thread::park_timeout` and `Condvar::wait_timeout`. Under loom a timed
//! wait is a timer that fires at once ([`park_until`] and [`wait_until`]
//! yield and report the deadline passed), so the models race every timeout
//! against every wake-up; the untimed waits are loom's own.

use std::time::Instant;

#[cfg(deque_channel_loom)]
pub(crate) use loom::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, fence};
#[cfg(deque_channel_loom)]
pub(crate) use loom::sync::{Arc, Condvar, Mutex, MutexGuard};
#[cfg(deque_channel_loom)]
pub(crate) use loom::thread::{Thread, current as current_thread, yield_now};

#[cfg(not(deque_channel_loom))]
pub(crate) use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, fence};
#[cfg(not(deque_channel_loom))]
pub(crate) use std::sync::{Arc, Condvar, Mutex, MutexGuard};
#[cfg(not(deque_channel_loom))]
pub(crate) use std::thread::{Thread, current as current_thread, yield_now};

/// Locks `mutex`, ignoring poison: the crate's mutexes guard bookkeeping
/// that no user code runs under, so a panic elsewhere cannot leave it
/// half-written.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Parks the calling thread until it is unparked (or spuriously) or, with a
/// deadline, until the deadline. Returns whether the deadline has passed.
pub(crate) fn park_until(deadline: Option<Instant>) -> bool {
    match deadline {
        None => {
            park();
            false
        }
        Some(deadline) => park_timed(deadline),
    }
}

/// Waits on `condvar` until notified (or spuriously) or, with a deadline,
/// until the deadline. Returns the guard and whether the deadline has passed.
pub(crate) fn wait_until<'a, T>(
    condvar: &Condvar,
    guard: MutexGuard<'a, T>,
    deadline: Option<Instant>,
) -> (MutexGuard<'a, T>, bool) {
    match deadline {
        None => (
            condvar.wait(guard).unwrap_or_else(|p| p.into_inner()),
            false,
        ),
        Some(deadline) => wait_timed(condvar, guard, deadline),
    }
}

#[cfg(not(deque_channel_loom))]
use std::thread::park;

#[cfg(not(deque_channel_loom))]
fn park_timed(deadline: Instant) -> bool {
    let now = Instant::now();
    if now >= deadline {
        return true;
    }
    std::thread::park_timeout(deadline - now);
    Instant::now() >= deadline
}

#[cfg(not(deque_channel_loom))]
fn wait_timed<'a, T>(
    condvar: &Condvar,
    guard: MutexGuard<'a, T>,
    deadline: Instant,
) -> (MutexGuard<'a, T>, bool) {
    let now = Instant::now();
    if now >= deadline {
        return (guard, true);
    }
    let (guard, _) = condvar
        .wait_timeout(guard, deadline - now)
        .unwrap_or_else(|p| p.into_inner());
    (guard, Instant::now() >= deadline)
}

#[cfg(deque_channel_loom)]
use loom::thread::park;

/// Loom's stand-in: a timer that fires at once.
#[cfg(deque_channel_loom)]
fn park_timed(_deadline: Instant) -> bool {
    loom::thread::yield_now();
    true
}

/// Loom's stand-in: a timer that fires at once.
#[cfg(deque_channel_loom)]
fn wait_timed<'a, T>(
    _condvar: &Condvar,
    guard: MutexGuard<'a, T>,
    _deadline: Instant,
) -> (MutexGuard<'a, T>, bool) {
    (guard, true)
}
