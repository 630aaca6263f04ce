//! The store-load barriers of the sleep protocol, made asymmetric where the
//! kernel allows it.
//!
//! Every wake-up argument in `sleep.rs` is a Dekker pair: a sender
//! *publishes* a value (a store) and then reads the state word for
//! sleepers (a load); a worker going to sleep *registers* in the state word
//! (a read-modify-write) and then reads every queue (loads). Each side
//! needs its store ordered before its loads, a StoreLoad barrier, or both
//! can miss the other: the value waits while the worker sleeps.
//!
//! A `fence(SeqCst)` on both sides is the textbook answer, but the senders'
//! side is a worker's `send`, the channel's fast path: an `mfence` on every
//! local push costs about a quarter of a send and a receive. Going to sleep
//! is rare and already pays system calls. So, where the kernel has it, the
//! barrier is made asymmetric (Linux's `membarrier(2)`, the technique of
//! folly's `asymmetricHeavyBarrier` and of userspace RCU):
//!
//! - [`Barrier::light`], the senders' half: a compiler fence only. It keeps
//!   the program order of the publish and the load as written (the
//!   compiler may not swap them), and costs no instruction.
//! - [`Barrier::heavy`], the sleepers' half: `fence(SeqCst)`, then
//!   `membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED)`, which returns only
//!   after every CPU running a thread of this process has executed a full
//!   memory barrier (an interrupt), and every thread not running has been
//!   switched out (a context switch orders as much).
//!
//! Why that is enough: the heavy barrier puts a full fence *F* into the
//! sender's thread at some point of its program, between two of its
//! instructions. If *F* falls before the sender's load of the state word,
//! that load comes after everything the sleeper did before the heavy
//! barrier, its registration included: the sender sees the sleeper and
//! wakes it. Otherwise *F* falls after the load, hence after the publish
//! (the compiler fence kept the publish first): the publish is visible to
//! everything the sleeper does after the heavy barrier, its final check of
//! the queues included. Either way one side sees the other, as with two
//! `fence(SeqCst)`s.
//!
//! Where `membarrier` is missing (not Linux, an old kernel, a seccomp
//! filter that refuses it, miri, loom), both halves are `fence(SeqCst)`: the
//! plain symmetric protocol. The choice is made once per process, the first
//! time a channel is built. A thread that a seccomp filter added later
//! forbids the call gets `false` from [`Barrier::heavy`], and its worker
//! polls (a short timed park) instead of sleeping; nothing waits for ever.
//!
//! What checks what: the loom models run the symmetric protocol (loom has
//! no `membarrier`), and so does miri; that the asymmetric pair orders as
//! much rests on the argument above and on the kernel's documented
//! guarantee, which no test here can tell from a missing compiler fence
//! (x86 rarely reorders a store with a later load in so short a window).

use core::sync::atomic::Ordering::SeqCst;
use core::sync::atomic::compiler_fence;

use crate::sync::fence;

/// Which barriers a channel uses (also recorded in the state word, where a
/// worker's send reads it for free: `SYMMETRIC` in `sleep.rs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Barrier {
    /// `membarrier` works here: the light half is a compiler fence.
    asymmetric: bool,
}

impl Barrier {
    /// The barriers this process can use (asymmetric where the kernel
    /// allows it; decided once per process).
    pub(crate) fn new() -> Barrier {
        Barrier {
            asymmetric: membarrier::available(),
        }
    }

    /// Whether the light half is a compiler fence only.
    pub(crate) fn is_asymmetric(self) -> bool {
        self.asymmetric
    }

    /// The senders' half: between a publish and the load of the state
    /// word that decides whether to wake a sleeper. (A worker's send
    /// inlines the asymmetric case without this branch: see
    /// `Sleep::may_need_wake_up`.)
    #[inline(always)]
    pub(crate) fn light(self) {
        if self.asymmetric {
            // Pairs with the `membarrier` in `heavy` (see the module docs):
            // only program order is needed here.
            compiler_fence(SeqCst);
        } else {
            // Pairs with the fence in `heavy`.
            fence(SeqCst);
        }
    }

    /// The sleepers' half: between a registration (or leaving `searching`)
    /// and the look at the queues that follows. `false` if it could not be
    /// had: the system call was refused on this thread (a seccomp filter
    /// installed after the process first asked, on this thread only). The
    /// senders have skipped their fences by then, so the caller's look may
    /// miss a value: it must not sleep on it (it polls instead, see
    /// `blocking.rs`), and a wake-up it owes is passed on unconditionally.
    #[must_use]
    pub(crate) fn heavy(self) -> bool {
        // Pairs with the fence of a symmetric `light`, and orders the
        // caller's own accesses around the system call.
        fence(SeqCst);
        !self.asymmetric || membarrier::heavy()
    }
}

#[cfg(all(target_os = "linux", not(miri), not(deque_channel_loom)))]
mod membarrier {
    //! `membarrier(2)`, private expedited: registered once per process.

    use core::sync::atomic::AtomicU8;
    use core::sync::atomic::Ordering::Relaxed;

    // From <linux/membarrier.h>.
    const CMD_QUERY: libc::c_long = 0;
    const CMD_PRIVATE_EXPEDITED: libc::c_long = 1 << 3;
    const CMD_REGISTER_PRIVATE_EXPEDITED: libc::c_long = 1 << 4;

    /// 0: not asked yet; 1: registered; 2: not available.
    static STATE: AtomicU8 = AtomicU8::new(0);

    fn membarrier(cmd: libc::c_long) -> libc::c_long {
        // SAFETY: `membarrier(cmd, flags = 0, cpu_id = 0)` reads and writes
        // no memory of ours; with an unknown or refused command it only
        // returns -1.
        unsafe {
            libc::syscall(
                libc::SYS_membarrier,
                cmd,
                0 as libc::c_long,
                0 as libc::c_long,
            )
        }
    }

    /// Whether the private expedited command works here (registering this
    /// process for it the first time).
    pub(super) fn available() -> bool {
        // Relaxed: the answer is about the kernel, not about memory; two
        // threads racing here both ask, and both get the same answer.
        match STATE.load(Relaxed) {
            1 => return true,
            2 => return false,
            _ => {}
        }
        let supported = membarrier(CMD_QUERY);
        let works = supported >= 0
            && supported & CMD_PRIVATE_EXPEDITED != 0
            && membarrier(CMD_REGISTER_PRIVATE_EXPEDITED) == 0;
        STATE.store(if works { 1 } else { 2 }, Relaxed);
        works
    }

    /// Every running thread of this process executes a full barrier before
    /// this returns `true`.
    pub(super) fn heavy() -> bool {
        // The registration of `available` holds for the whole process (a
        // child made by `fork` inherits it; `exec` starts afresh), so this
        // fails only where a seccomp filter added since refuses the call.
        membarrier(CMD_PRIVATE_EXPEDITED) == 0
    }
}

#[cfg(not(all(target_os = "linux", not(miri), not(deque_channel_loom))))]
mod membarrier {
    //! No `membarrier` here: the symmetric fences.

    pub(super) fn available() -> bool {
        false
    }

    pub(super) fn heavy() -> bool {
        true
    }
}
