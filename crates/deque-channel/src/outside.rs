//! The outside producers' side of the channel: the gate that closing shuts,
//! the count of outside handles, and the wait for room in the global queue.

use std::time::Instant;

use crossbeam_utils::CachePadded;

use crate::sync::{AtomicUsize, Condvar, Mutex, fence, lock, wait_until};
use core::sync::atomic::Ordering::{Relaxed, Release, SeqCst};

/// The gate's closed bit; the rest of the word counts sends in flight, in
/// units of [`IN_FLIGHT`].
const GATE_CLOSED: usize = 1;
const IN_FLIGHT: usize = 2;

/// Outside producers: who may still send, and who waits for room.
pub(crate) struct Outside {
    /// `GATE_CLOSED` plus `IN_FLIGHT` per outside send between `enter` and
    /// `leave`. Closing and entering are read-modify-writes of this one
    /// word, so every send either entered before the close (and its value
    /// is counted in flight until it is in the global queue) or sees the
    /// bit and hands its value back: none can land after a done check
    /// found the gate closed and empty.
    gate: CachePadded<AtomicUsize>,
    /// Outside handles alive; the last one's drop closes the channel.
    handles: AtomicUsize,
    /// Producers waiting in `send_blocking`/`send_timeout`: read by workers
    /// after each batch they take from the global queue, on its own line
    /// so that read does not pull the gate's line away from producers.
    waiting: CachePadded<AtomicUsize>,
    /// Where they wait, and what wakes them.
    room_lock: Mutex<()>,
    room: Condvar,
}

impl Outside {
    /// One outside handle (the one `build` returns), gate open.
    pub(crate) fn new() -> Outside {
        Outside {
            gate: CachePadded::new(AtomicUsize::new(0)),
            handles: AtomicUsize::new(1),
            waiting: CachePadded::new(AtomicUsize::new(0)),
            room_lock: Mutex::new(()),
            room: Condvar::new(),
        }
    }

    /// A send enters the gate: `false` if the channel is closed (the caller
    /// must then call `leave` too, and hand the value back).
    pub(crate) fn enter(&self) -> bool {
        self.gate.fetch_add(IN_FLIGHT, SeqCst) & GATE_CLOSED == 0
    }

    /// The send is over: its value is in the global queue, or not at all.
    /// Release: pairs with the done check's SeqCst load in `is_quiet`
    /// (through the release sequence of the gate's read-modify-writes), so
    /// a check that sees this send gone also sees its value.
    pub(crate) fn leave(&self) {
        self.gate.fetch_sub(IN_FLIGHT, Release);
    }

    /// No outside send is in flight (the done check's half; the caller
    /// knows the gate is closed).
    pub(crate) fn is_quiet(&self) -> bool {
        self.gate.load(SeqCst) < IN_FLIGHT
    }

    /// Shuts the gate; `true` if this call shut it.
    pub(crate) fn close(&self) -> bool {
        let closed_here = self.gate.fetch_or(GATE_CLOSED, SeqCst) & GATE_CLOSED == 0;
        if closed_here {
            // Producers waiting for room give up with `Closed`.
            let _guard = lock(&self.room_lock);
            self.room.notify_all();
        }
        closed_here
    }

    /// Whether the gate is shut.
    pub(crate) fn is_closed(&self) -> bool {
        self.gate.load(SeqCst) & GATE_CLOSED != 0
    }

    /// Another outside handle.
    pub(crate) fn add_handle(&self) {
        self.handles.fetch_add(1, Relaxed);
    }

    /// An outside handle is dropped; `true` if it was the last.
    pub(crate) fn drop_handle(&self) -> bool {
        self.handles.fetch_sub(1, SeqCst) == 1
    }

    /// Waits until the global queue may have room (`is_full` false), the
    /// gate is shut, or `deadline` passes. Returns whether the deadline
    /// passed. Spurious returns are fine: the caller tries again.
    pub(crate) fn wait_for_room(
        &self,
        is_full: impl Fn() -> bool,
        deadline: Option<Instant>,
    ) -> bool {
        let guard = lock(&self.room_lock);
        self.waiting.fetch_add(1, SeqCst);
        // Pairs with the fence in `room_made`: either the worker that made
        // room sees `waiting` and notifies (under the lock, so after we
        // wait), or we see the room here.
        fence(SeqCst);
        let timed_out = if is_full() && !self.is_closed() {
            let (_guard, timed_out) = wait_until(&self.room, guard, deadline);
            timed_out
        } else {
            false
        };
        self.waiting.fetch_sub(1, Relaxed);
        timed_out
    }

    /// A worker took values from the global queue: wake waiting producers.
    /// Costs a fence and a load when nobody waits.
    pub(crate) fn room_made(&self) {
        // Pairs with the fence in `wait_for_room` (see there).
        fence(SeqCst);
        if self.waiting.load(Relaxed) > 0 {
            let _guard = lock(&self.room_lock);
            self.room.notify_all();
        }
    }
}

impl core::fmt::Debug for Outside {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Outside")
            .field("closed", &self.is_closed())
            .field("handles", &self.handles.load(Relaxed))
            .field("waiting", &self.waiting.load(Relaxed))
            .finish()
    }
}
