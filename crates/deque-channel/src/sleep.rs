//! The sleep protocol: which workers sleep, who wakes them, and when the
//! channel is *done*.
//!
//! Assembled from rayon-core's `sleep` module (the final check after
//! registering, SeqCst fences on both sides), tokio's idle workers
//! (`num_searching`: wake one only when nobody searches; the last searcher
//! to find work wakes the next) and Go's scheduler (`wakep`, the re-check
//! after dropping "spinning").
//!
//! # The state word
//!
//! One padded `AtomicU64`, [`Sleep::state`], holds
//!
//! | bits   | field       | meaning |
//! |--------|-------------|---------|
//! | 0-11   | `sleepers`  | workers registered to sleep (and not yet woken) |
//! | 12     | `SYMMETRIC` | set for good when `membarrier(2)` is missing: every worker's send then pays a `fence(SeqCst)` (`barrier.rs`) |
//! | 13-24  | `searching` | workers a waker woke that have not yet found work or gone back to sleep |
//! | 25-36  | `live`      | workers not dropped |
//! | 37     | `CLOSED`    | no more values from outside |
//! | 38     | `DONE`      | closed, nothing anywhere, every live worker asleep: final |
//! | 39-63  | generation  | bumped by every change, so a compare-and-swap on the word cannot be fooled by a change and its undo (ABA) |
//!
//! It changes only when a worker goes to sleep, is woken, stops searching or
//! is dropped, and on close. The senders' fast path reads it once, relaxed
//! (`may_need_wake_up`: `sleepers` and `SYMMETRIC` side by side, so one
//! test of the low 13 bits sends the rare cases to the slow path);
//! everything else here is out of line.
//!
//! Beside it, under a mutex, the list of sleepers (id and thread), changed
//! together with `sleepers` under that mutex, so that under the lock the
//! count is the list's length; and per worker a `woken` flag, set by the
//! waker that took it off the list.
//!
//! # Why no wake-up is lost
//!
//! Every path that makes a value visible to other workers is a *publish*:
//! a worker's send onto its own deque, an offload to the global queue, an
//! outside send, and a batch that a receiver moves into its own deque
//! (from the global queue, or the rest of a stolen batch: while it moves,
//! the values are in no queue a sleeper looks at). Each publish is followed
//! by the senders' half of a barrier and a read of the state word
//! ([`Sleep::notify`]; a worker's send reads the word itself first, and
//! calls `notify` only if someone sleeps). A worker going to sleep does:
//! register (a SeqCst read-modify-write of the word), the sleepers' half
//! of the barrier, then look at every queue once more (the *final check*,
//! in the worker). The barrier (`barrier.rs`: `fence(SeqCst)` on both
//! sides, or a compiler fence against `membarrier(2)` where Linux has it)
//! orders the two pairs: if the sender's half comes first, the sleeper's
//! final check sees the value; if the sleeper's comes first, the sender's
//! read of the word sees the registration and wakes it (or sees a
//! searcher, next paragraph). Either way the value does not sit while
//! everyone sleeps. There is no exception: a worker that sends and then
//! blocks on something else (a pipeline stage waiting for a reply) has
//! woken a sleeper, or a sleeper saw its value.
//!
//! A sender that sees `searching > 0` wakes nobody: the searcher will find
//! the value, or go to sleep through the same register-barrier-final-check
//! (its registration also leaves `searching`, in the same read-modify-write),
//! and the argument above applies to it. A searcher that gives up without
//! sleeping (its `recv_timeout` ran out, or the channel is done) re-checks
//! after leaving, behind the sleepers' half of the barrier, and passes the
//! wake-up on if there is work ([`Sleep::give_up_search`]).
//!
//! # Done
//!
//! A registering worker that sees `CLOSED` and `sleepers == live` tries to
//! finish ([`Sleep::try_finish`]): it reads the word, checks that no outside
//! send is in flight and that every queue is empty, and sets `DONE` with a
//! compare-and-swap against the word it read. Every change bumps the
//! generation, so the swap fails if anybody woke, deregistered or was
//! dropped meanwhile. While it holds, every live worker sleeps, and a
//! sleeper changes no queue, outside sends are shut out (the gate in
//! `outside.rs`), so the queues it found empty are still empty: no value is
//! left behind. Then it wakes everyone, and they all return "done".

use std::time::Instant;

use crossbeam_utils::CachePadded;

use crate::barrier::Barrier;
use crate::sync::{AtomicBool, AtomicU64, Mutex, Thread, current_thread, fence, lock, park_until};
use core::sync::atomic::Ordering::{Acquire, Relaxed, Release, SeqCst};

/// Width of each count in the state word.
const FIELD_BITS: u32 = 12;
const FIELD_MASK: u64 = (1 << FIELD_BITS) - 1;
const SLEEPER: u64 = 1;
/// Set for good when the channel's barriers are symmetric (`barrier.rs`).
const SYMMETRIC: u64 = 1 << FIELD_BITS;
const SEARCHER: u64 = SYMMETRIC << 1;
const LIVE: u64 = SEARCHER << FIELD_BITS;
const CLOSED: u64 = LIVE << FIELD_BITS;
const DONE: u64 = CLOSED << 1;
/// The generation's unit; its bits run off the top of the word and wrap.
const GENERATION: u64 = DONE << 1;

/// The most workers a channel can have: the state word counts them in 12
/// bits.
pub const MAX_WORKERS: usize = FIELD_MASK as usize;

/// A copy of the state word, with its fields named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct State(u64);

impl State {
    pub(crate) fn sleepers(self) -> u64 {
        self.0 & FIELD_MASK
    }
    pub(crate) fn searching(self) -> u64 {
        (self.0 / SEARCHER) & FIELD_MASK
    }
    pub(crate) fn live(self) -> u64 {
        (self.0 / LIVE) & FIELD_MASK
    }
    pub(crate) fn is_closed(self) -> bool {
        self.0 & CLOSED != 0
    }
    pub(crate) fn is_done(self) -> bool {
        self.0 & DONE != 0
    }
}

/// What [`Sleep::register`] returns.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Registered {
    /// The state word right after the registration.
    pub(crate) state: State,
    /// Whether the sleepers' half of the barrier held. If not (a thread a
    /// late seccomp filter forbids `membarrier`), the final check may have
    /// missed a value a sender published without a fence, and no sender
    /// may have seen this registration: the worker must not park without a
    /// deadline, and polls.
    pub(crate) ordered: bool,
}

/// A registered sleeper: which worker, and the thread to unpark.
struct Sleeper {
    id: usize,
    thread: Thread,
}

/// How a registered worker's park ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Parked {
    /// A waker took it off the list: it now counts as searching.
    Woken,
    /// Its deadline passed first (it may still have been woken meanwhile:
    /// see `deregister`).
    TimedOut,
}

/// The sleep state of one channel.
pub(crate) struct Sleep {
    /// The state word (see the module docs).
    state: CachePadded<AtomicU64>,
    /// Who sleeps. Changed only with `sleepers` in `state`, under this lock.
    sleepers: Mutex<Vec<Sleeper>>,
    /// Per worker: set (under the lock) by the waker that took it off the
    /// list; cleared by the worker when it sees it.
    woken: Box<[AtomicBool]>,
    /// The store-load barriers of the Dekker pairs (`barrier.rs`).
    barrier: Barrier,
}

impl Sleep {
    pub(crate) fn new(workers: usize) -> Sleep {
        assert!(
            workers <= MAX_WORKERS,
            "deque_channel: at most {MAX_WORKERS} workers, not {workers}"
        );
        let barrier = Barrier::new();
        let symmetric = if barrier.is_asymmetric() {
            0
        } else {
            SYMMETRIC
        };
        Sleep {
            state: CachePadded::new(AtomicU64::new((workers as u64 * LIVE) | symmetric)),
            sleepers: Mutex::new(Vec::with_capacity(workers)),
            woken: (0..workers).map(|_| AtomicBool::new(false)).collect(),
            barrier,
        }
    }

    /// The state word now (SeqCst: callers order it against their fences).
    pub(crate) fn load(&self) -> State {
        State(self.state.load(SeqCst))
    }

    /// Adds `delta` (wrapping; a field it lowers is at least 1, so no borrow
    /// crosses fields) and a generation, returning the word before.
    fn change(&self, delta: u64) -> State {
        State(self.state.fetch_add(delta.wrapping_add(GENERATION), SeqCst))
    }

    /// A worker's send's check, one relaxed load and one test: call after
    /// the publish and a compiler fence; `true` sends the caller to
    /// [`notify`](Self::notify). With asymmetric barriers the compiler
    /// fence is the senders' whole half (`barrier.rs`), so a "nobody
    /// sleeps" here is never stale while a sleeper's final check missed
    /// the value. Without them, `SYMMETRIC` is set for good and every call
    /// answers `true`: `notify` then pays the `fence(SeqCst)` and reads
    /// the word again, and that second read decides.
    #[inline(always)]
    pub(crate) fn may_need_wake_up(&self) -> bool {
        self.state.load(Relaxed) & (FIELD_MASK | SYMMETRIC) != 0
    }

    /// The sender's half of the Dekker pair: call after publishing work that
    /// other workers can take. Wakes one sleeper if nobody searches.
    pub(crate) fn notify(&self) -> bool {
        // Pairs with the heavy barrier in `register` and `give_up_search`:
        // our publish is before this barrier, the sleeper's final check
        // after its own.
        self.barrier.light();
        self.wake_one()
    }

    /// Wakes one sleeper, if some sleep and no worker is searching; the
    /// woken worker counts as searching from here, so a second sender does
    /// not wake another. Returns whether it woke one.
    fn wake_one(&self) -> bool {
        let seen = self.load();
        if seen.sleepers() == 0 || seen.searching() > 0 {
            return false;
        }
        let sleeper = {
            let mut sleepers = lock(&self.sleepers);
            // Under the lock the count is the list's length; `searching`
            // may have grown since we looked (another waker, serialised by
            // this lock, or nobody else: only wakers raise it).
            if self.load().searching() > 0 {
                return false;
            }
            let Some(sleeper) = sleepers.pop() else {
                return false;
            };
            self.change(SEARCHER.wrapping_sub(SLEEPER));
            // Release: pairs with the Acquire swap in `park`; the worker
            // sees the count change above before it acts on being woken.
            self.woken[sleeper.id].store(true, Release);
            sleeper
        };
        sleeper.thread.unpark();
        true
    }

    /// Wakes every sleeper (each counts as searching until it sees `DONE`
    /// and leaves). Used once the channel is done.
    fn wake_all(&self) {
        let woken = {
            let mut sleepers = lock(&self.sleepers);
            let woken = core::mem::take(&mut *sleepers);
            let n = woken.len() as u64;
            if n > 0 {
                self.change((SEARCHER.wrapping_sub(SLEEPER)).wrapping_mul(n));
            }
            for sleeper in &woken {
                self.woken[sleeper.id].store(true, Release);
            }
            woken
        };
        for sleeper in woken {
            sleeper.thread.unpark();
        }
    }

    /// Worker `id` registers to sleep, leaving `searching` in the same step
    /// if it was counted there. Returns the word after, and whether the
    /// barrier that follows held (the sleeper's half of the Dekker pair:
    /// the caller's final check of the queues comes after it; see
    /// [`Registered::ordered`]).
    pub(crate) fn register(&self, id: usize, was_searching: bool) -> Registered {
        let delta = if was_searching {
            SLEEPER.wrapping_sub(SEARCHER)
        } else {
            SLEEPER
        };
        let thread = current_thread();
        let after = {
            let mut sleepers = lock(&self.sleepers);
            sleepers.push(Sleeper { id, thread });
            let before = self.change(delta);
            State(before.0.wrapping_add(delta).wrapping_add(GENERATION))
        };
        // Pairs with the light barrier of every publish (`notify`, a
        // worker's send; see the module docs).
        let ordered = self.barrier.heavy();
        Registered {
            state: after,
            ordered,
        }
    }

    /// Takes back worker `id`'s registration (its final check found work,
    /// or its wait timed out). `true`: done, it is an ordinary running
    /// worker again. `false`: a waker took it off the list first, so a
    /// wake-up is already its own and it counts as searching.
    pub(crate) fn deregister(&self, id: usize) -> bool {
        let mut sleepers = lock(&self.sleepers);
        if let Some(at) = sleepers.iter().position(|s| s.id == id) {
            sleepers.swap_remove(at);
            self.change(SLEEPER.wrapping_neg());
            true
        } else {
            // The waker set the flag under this lock: clear it, the wake-up
            // is taken here.
            self.woken[id].store(false, Relaxed);
            false
        }
    }

    /// Parks registered worker `id` until a waker takes it off the list or
    /// `deadline` passes. Spurious returns loop.
    pub(crate) fn park(&self, id: usize, deadline: Option<Instant>) -> Parked {
        loop {
            if self.take_wake_up(id) {
                return Parked::Woken;
            }
            if park_until(deadline) {
                return if self.take_wake_up(id) {
                    Parked::Woken
                } else {
                    Parked::TimedOut
                };
            }
        }
    }

    /// Clears worker `id`'s `woken` flag; `true` if it was set.
    fn take_wake_up(&self, id: usize) -> bool {
        // Acquire: pairs with the waker's Release store. A compare-and-swap
        // rather than `swap(false)`: loom 0.7.3 lets that `swap` read a
        // stale `false` after the waker's store and unpark (a false
        // deadlock in the models); the two mean the same here.
        self.woken[id]
            .compare_exchange(true, false, Acquire, Relaxed)
            .is_ok()
    }

    /// A searching worker found work: it stops searching and, if it was
    /// the last searcher, wakes one more sleeper (the chain: work that
    /// needed one worker may need another, and there is no herd).
    pub(crate) fn found_work(&self) {
        let before = self.change(SEARCHER.wrapping_neg());
        if before.searching() == 1 && before.sleepers() > 0 {
            self.wake_one();
        }
    }

    /// A worker that was searching until its registration, and whose final
    /// check then found values, passes the wake-up on as `found_work`
    /// would have (it no longer counts as a searcher, so a second searcher
    /// that a sender woke meanwhile keeps the chain instead: `wake_one`
    /// wakes nobody while one searches).
    pub(crate) fn pass_wake_up_on(&self) {
        self.wake_one();
    }

    /// A searching worker stops without work and without sleeping (its
    /// deadline passed, or the channel is done). A sender may have counted
    /// on it (seen `searching > 0` and woken nobody): after leaving, it
    /// looks once more (`has_work`, after a fence that pairs with the
    /// sender's) and passes the wake-up on if there is work.
    pub(crate) fn give_up_search(&self, has_work: impl FnOnce() -> bool) {
        self.change(SEARCHER.wrapping_neg());
        // Pairs with the light barrier of the sender that saw us searching.
        // Without it, our look may miss that sender's value: pass the
        // wake-up on whatever we see (a spare wake-up costs a look).
        if !self.barrier.heavy() || has_work() {
            self.wake_one();
        }
    }

    /// A searching worker leaves because the channel is done: nothing can
    /// arrive that needs the wake-up passed on, so no barrier and no look.
    pub(crate) fn leave_search_at_done(&self) {
        self.change(SEARCHER.wrapping_neg());
    }

    /// Called by a worker whose registration made every live worker a
    /// sleeper of a closed channel (the caller's check is a shortcut; this
    /// checks again, and is the authority): sets `DONE` if that still holds
    /// and no value is left anywhere (`quiet`: no outside send in flight,
    /// every queue empty). Returns whether the channel is done.
    pub(crate) fn try_finish(&self, quiet: impl Fn() -> bool) -> bool {
        loop {
            let seen = self.load();
            if seen.is_done() {
                return true;
            }
            if !seen.is_closed() || seen.sleepers() != seen.live() {
                return false;
            }
            if !quiet() {
                // Whoever made it not quiet wakes a sleeper (an outside
                // sender on leaving the gate, see `outside.rs`).
                return false;
            }
            // Against the word read before `quiet`: any change since (a
            // wake, a deregistration, a drop) bumped the generation.
            if self
                .state
                .compare_exchange(seen.0, seen.0 | DONE, SeqCst, SeqCst)
                .is_ok()
            {
                self.wake_all();
                return true;
            }
        }
    }

    /// Marks the channel closed (called once, by whoever closed the
    /// outside gate) and wakes a sleeper, so that a done check runs even
    /// if every worker was already asleep.
    pub(crate) fn close(&self) {
        self.change(CLOSED);
        // The change above is a SeqCst read-modify-write; the fence keeps
        // the pattern of `notify` (its woken worker re-registers and so
        // re-checks, seeing `CLOSED`).
        fence(SeqCst);
        self.wake_one();
    }

    /// A worker is dropped: it leaves the live count (its deque's values
    /// stay stealable) and wakes a sleeper, who takes them or, if the
    /// channel is now done, finds that out. Returns whether it was the last
    /// live worker (then nobody is left to receive: the caller closes the
    /// channel).
    pub(crate) fn leave(&self) -> bool {
        let before = self.change(LIVE.wrapping_neg());
        // A read-modify-write of the word sleepers register in: ordered
        // with each registration either way. The fence keeps the pattern
        // of `notify` for the values this worker's deque still holds.
        fence(SeqCst);
        self.wake_one();
        before.live() == 1
    }

    /// The channel is done: final.
    pub(crate) fn is_done(&self) -> bool {
        self.state.load(Acquire) & DONE != 0
    }
}

impl core::fmt::Debug for Sleep {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let s = self.load();
        f.debug_struct("Sleep")
            .field("sleepers", &s.sleepers())
            .field("searching", &s.searching())
            .field("live", &s.live())
            .field("closed", &s.is_closed())
            .field("done", &s.is_done())
            .finish()
    }
}
