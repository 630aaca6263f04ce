//! The shared state of one deque and the claim protocol every operation uses.
//!
//! # Positions
//!
//! Every value ever pushed gets a `u32` position, counted with wrapping
//! arithmetic; position `p` lives in ring slot `p % capacity`. Values that
//! are in the deque occupy the positions `head..tail` (oldest first). The
//! capacity is at most 2^30, so `tail - head` never wraps ambiguously, and
//! a count with its sign bit set (`as i32` below 0) is never a real length:
//! it is the transient "minus one" of a LIFO pop (see `len`).
//!
//! # Claim, then read
//!
//! A thief never reads a slot that the owner may be writing. It first
//! *claims* a run of positions `head..head + n` with one compare-and-swap of
//! the packed `heads` word, and only then moves the values out. Moving a
//! value out of the slot of `p` marks the slot free for `p + capacity`
//! (see [`Ring`]); the owner writes a slot only once it is marked free for
//! the position it is pushing, so it never overwrites a value a thief is
//! still reading. Claims are disjoint (each starts where the last ended), so
//! any number may be open at once and finish in any order: a thief that
//! stops mid-steal holds up nobody but the owner's pushes into the slots
//! it holds. The owner never waits for a thief: it pops from its own end,
//! or (FIFO) claims past the open claims.
//!
//! # The two flavors
//!
//! The owner of a LIFO deque pops at the tail, the thieves' opposite end; the
//! owner of a FIFO deque pops at the head, the thieves' own end. `heads`,
//! the word every claim compares and swaps, is:
//!
//! | flavor | `heads`                                   | its low 32 bits | tail position |
//! |--------|-------------------------------------------|-----------------|---------------|
//! | LIFO   | (`pops`, `head`), two 32-bit halves        | `head`          | `pushes - pops` |
//! | FIFO   | values ever taken from the head, 64 bits  | `head`          | `pushes`      |
//!
//! A claim is computed from one reading of `heads` and `pushes` and made by
//! a compare-and-swap of `heads` alone, so a thief stalled between the two
//! must find `heads` changed if anything it computed from went stale (the
//! ABA problem). FIFO: every pop and claim adds to the 64-bit count, which
//! never comes back to a value it had (2^64 takes: centuries); `pushes`
//! cannot move by 2^32 while no value is taken (the deque holds at most
//! its capacity). LIFO: `(pops, head)` comes back to a reading with values
//! to take after a multiple of 2^32 successful owner pops, or of 2^32
//! values claimed from the head (by thieves, or the owner's
//! `drain_oldest`), while the thief stalls between its load of `heads` and
//! its compare-and-swap: a push-only owner drained by thieves gets there
//! in under a minute of steals. (A pop that finds every value claimed
//! takes its bump back at once, but then the deque was empty, and the
//! thief, whose `pushes` is read after `heads`, plans nothing.) That
//! remains (see the crate docs, "Progress"); tokio's and st3's packed
//! words share it, crossbeam-deque's 64-bit indices do not.
//!
//! - **LIFO** (after st3's `lifo` queue): the owner pops by bumping `pops`
//!   with a fetch-add on `heads`. That changes the very word a thief must
//!   swap to claim, so a thief that computed the tail from a stale `pops`
//!   always fails its CAS and recomputes: the owner's pops and the thieves'
//!   claims are totally ordered by `heads`' modification order, and no pop
//!   can hand out a value a thief also claimed. A pop that finds every
//!   value claimed takes its bump back with a fetch-sub; meanwhile thieves
//!   compute a tail one below `head` and see an empty deque. The owner's
//!   pops leave their slots marked free for the position popped, which the
//!   owner's next push fills again.
//! - **FIFO** (after tokio's run queue): owner and thieves both take from
//!   `head`; the owner's pop is a claim of one value.

use core::cell::Cell;
use core::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};

use crossbeam_utils::CachePadded;

use crate::ring::Ring;
use crate::sync::{AtomicU32, AtomicU64};

/// Which end the owner pops from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Flavor {
    /// Owner pops the newest value.
    Lifo,
    /// Owner pops the oldest value.
    Fifo,
}

/// The largest capacity: positions are `u32`, and a length must stay below
/// 2^31, so that a difference with the sign bit set always means the
/// transient negative of a LIFO pop, never a full deque. (At 2^31 a full
/// deque read as empty: `len() == 0`, `steal()` returned `Empty`.)
pub(crate) const MAX_CAPACITY: usize = 1 << 30;

/// Adding this to a LIFO `heads` word adds one to its `pops` half.
const POP: u64 = 1 << 32;

/// Packs the two halves of the `heads` word.
#[inline(always)]
pub(crate) fn pack(high: u32, low: u32) -> u64 {
    (u64::from(high) << 32) | u64::from(low)
}

/// Splits the `heads` word into `(high, low)`.
#[inline(always)]
pub(crate) fn unpack(word: u64) -> (u32, u32) {
    ((word >> 32) as u32, word as u32)
}

/// A run of claimed positions `start..end`, whose values the claimer moves
/// out (each move frees its slot).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Claim {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

/// A claim computed from one reading of `heads`, not yet made.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Planned {
    /// The reading the claim was computed from: its compare-and-swap
    /// expects `heads` still to be this.
    heads: u64,
    /// `heads` once the claim is made.
    next: u64,
    /// The positions it takes.
    claim: Claim,
}

/// What [`Queue::plan_claim`] found.
#[derive(Debug)]
pub(crate) enum Plan {
    /// A claim to make.
    Claim(Planned),
    /// Nothing to take.
    Empty,
    /// The reading of `heads` is older than the `pushes` read after it:
    /// read `heads` again.
    Stale,
}

/// How many of the `available` values a claim takes.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Take {
    /// Up to `max` values.
    Upto(u32),
    /// Half, rounded up, but at most `max`.
    Half(u32),
}

impl Take {
    fn count(self, available: u32) -> u32 {
        match self {
            Take::Upto(max) => available.min(max),
            Take::Half(max) => available.div_ceil(2).min(max),
        }
    }
}

/// The owner's private view of its deque, kept in the
/// [`Worker`](crate::Worker) rather than shared: the counters only the owner
/// writes, and its last readings of the words thieves move. The owner's
/// fast paths work from these and touch shared words only to publish, or
/// when a stale reading gets in the way.
///
/// The counters are exact (only the owner changes them); the readings are
/// lower bounds of the shared values, which only ever move forward.
#[derive(Debug)]
pub(crate) struct Owner {
    /// Values pushed so far, counting batch steals into the deque; its low
    /// 32 bits are `Queue::pushes`, which only the owner writes.
    pushes: Cell<u64>,
    /// Values the owner popped so far. LIFO: its low 32 bits are the `pops`
    /// half of `Queue::heads`, which only the owner changes.
    pops: Cell<u64>,
    /// All ones for LIFO, zero for FIFO: `pops & pops_mask` is what the
    /// tail is below `pushes`, without a branch on the flavor.
    pops_mask: u64,
    /// `Queue::heads` as the owner last read or wrote it (LIFO: at least
    /// the last time a pop found thieves had moved `head`). LIFO: its
    /// `head` tells a pop whether to look at the shared word at all; FIFO:
    /// the expected value of the pop's compare-and-swap.
    heads_seen: Cell<u64>,
    /// The positions `tail..free_until` hold no value and their slots are
    /// known free for them: the owner saw each marked so, or took the value
    /// a lap before itself. `push` reads a slot's mark only at
    /// `free_until`. A LIFO pop lowers the tail onto a position whose slot
    /// stays free for it; a FIFO pop of `free_until - capacity` moves
    /// `free_until` on by one (and marks the slot, as every take from the
    /// head does: marks are never stale, see `Queue`). The range is never
    /// more than a capacity long (a slot free for `p` means the value of
    /// `p - capacity` is gone, so `p - capacity < head <= tail`).
    free_until: Cell<u32>,
}

impl Owner {
    /// The view of a new, empty queue of the given flavor.
    pub(crate) fn new(flavor: Flavor) -> Owner {
        Owner {
            pushes: Cell::new(0),
            pops: Cell::new(0),
            pops_mask: match flavor {
                Flavor::Lifo => u64::MAX,
                Flavor::Fifo => 0,
            },
            heads_seen: Cell::new(0),
            free_until: Cell::new(0),
        }
    }

    /// Values pushed so far (by `push` and by batch steals into the deque).
    pub(crate) fn pushed(&self) -> u64 {
        self.pushes.get()
    }

    /// Values the owner popped so far.
    pub(crate) fn popped(&self) -> u64 {
        self.pops.get()
    }

    /// The tail position.
    #[inline(always)]
    fn tail(&self) -> u32 {
        (self.pushes.get() - (self.pops.get() & self.pops_mask)) as u32
    }

    /// How many positions from `tail` on are known free (`free_until -
    /// tail`, or 0 once the tail has passed `free_until`).
    #[inline(always)]
    fn known_free(&self, tail: u32) -> u32 {
        let ahead = self.free_until.get().wrapping_sub(tail);
        // The range is at most a capacity (<= 2^30) long, so a difference
        // with the sign bit set means the tail is past it.
        if (ahead as i32) < 0 { 0 } else { ahead }
    }
}

/// The state shared by a [`Worker`](crate::Worker) and its
/// [`Stealer`](crate::Stealer)s.
///
/// Invariants (positions compared with wrapping arithmetic):
/// - `head <= tail` and `tail - head <= capacity`;
/// - slots `head..tail` hold initialised values that nobody has claimed;
/// - a slot whose last value was claimed (position `p < head`) is marked
///   free for `p + capacity` once its claimer has moved the value out, and
///   until then still holds it or is being read;
/// - marks are never stale: the slot of a value at `p` (`head <= p <
///   tail`) is marked free for `p` itself, and every other slot for the
///   next position it takes, or a lap below that while a claimer is still
///   moving its value out. A mark left unwritten while its slot is reused
///   would, 2^32 positions after it was written, read as "free" for a slot
///   still in use (positions are wrapping `u32`s); the `invariants` tests
///   check this after every step;
/// - all other slots are logically uninitialised;
/// - only the owner writes `pushes` and values, and only the owner changes
///   `pops`.
pub(crate) struct Queue<T> {
    /// Number of values ever pushed (wrapping). Written only by the owner,
    /// with `Release`, after the slot is written; thieves load it with
    /// `Acquire` before reading a slot.
    pushes: CachePadded<AtomicU32>,
    /// The packed word thieves claim on; see the module docs for its halves.
    heads: CachePadded<AtomicU64>,
    /// The slots, each marked with the position it is free for.
    ring: Ring<T>,
    flavor: Flavor,
}

// SAFETY: the queue moves values of `T` between threads (pushed on the
// owner's, taken on a thief's), which needs `T: Send`; all shared mutation
// goes through atomics and the claim protocol, so `&Queue` may be shared.
unsafe impl<T: Send> Send for Queue<T> {}
// SAFETY: as above; no `&T` is ever handed out, so `T: Sync` is not needed.
unsafe impl<T: Send> Sync for Queue<T> {}

impl<T> Queue<T> {
    /// A new, empty queue of `capacity` slots (a power of two).
    pub(crate) fn new(capacity: u32, flavor: Flavor) -> Self {
        Queue {
            pushes: CachePadded::new(AtomicU32::new(0)),
            heads: CachePadded::new(AtomicU64::new(0)),
            ring: Ring::new(capacity),
            flavor,
        }
    }

    pub(crate) fn flavor(&self) -> Flavor {
        self.flavor
    }

    pub(crate) fn capacity(&self) -> u32 {
        self.ring.capacity()
    }

    /// `heads` after `count` more values are taken from the head (a claim,
    /// or a FIFO owner's pop): LIFO, `head` moves on in the low half and
    /// wraps there, leaving `pops` alone; FIFO, the 64-bit count of takes
    /// grows (see the module docs: it never comes back to a value).
    #[inline(always)]
    fn heads_after_taking(&self, heads: u64, count: u32) -> u64 {
        match self.flavor {
            Flavor::Lifo => {
                let (pops, head) = unpack(heads);
                pack(pops, head.wrapping_add(count))
            }
            Flavor::Fifo => heads.wrapping_add(u64::from(count)),
        }
    }

    /// The tail position implied by `pushes` and the high half of `heads`.
    #[inline(always)]
    fn tail_of(&self, pushes: u32, high: u32) -> u32 {
        match self.flavor {
            Flavor::Lifo => pushes.wrapping_sub(high),
            Flavor::Fifo => pushes,
        }
    }

    /// Number of values in the deque, clamped to the capacity. Exact when no
    /// other thread is acting on the deque, a snapshot otherwise: a pair
    /// of `pushes` and `heads` that held at one moment.
    ///
    /// `heads`, then `pushes`, is not one: an owner pop and push in between
    /// pair the old `pops` with the new `pushes` and count the value twice
    /// (a LIFO deque that never held more than one value read as full, 64
    /// of 64). So `pushes` is read on both sides of `heads`, and the pair is
    /// used only when `pushes` did not move meanwhile: it then had that
    /// value when `heads` was read (only the owner writes it, and a 2^32
    /// wrap between two adjacent loads is out of reach). Lock-free, not
    /// wait-free: each retry means the owner pushed between two loads.
    pub(crate) fn len(&self) -> usize {
        // Acquire: pairs with the Release store in `push`.
        let mut pushes = self.pushes.load(Acquire);
        loop {
            // Acquire: pairs with the Release of every write to `heads`
            // (owner's pop, a claim), so the `pushes` loaded next is at
            // least what that writer saw, and `tail >= head` below.
            let heads = self.heads.load(Acquire);
            // Acquire: as the first load.
            let again = self.pushes.load(Acquire);
            if again == pushes {
                return self.count(pushes, heads);
            }
            pushes = again;
        }
    }

    /// At least the number of values in the deque when `heads` was read
    /// (clamped to the capacity), in one pass: `heads`, then `pushes`,
    /// which is at least as new. Zero only if the deque was empty then.
    /// For the callers that need no more: `is_empty` (the sleepers' final
    /// check in deque-channel must not loop while an owner pushes), and the
    /// size of a batch steal.
    pub(crate) fn len_upper_bound(&self) -> usize {
        // Acquire: as in `len`.
        let heads = self.heads.load(Acquire);
        // Acquire: pairs with the Release store in `push`.
        let pushes = self.pushes.load(Acquire);
        self.count(pushes, heads)
    }

    /// The values between `heads`'s head and the tail that `pushes` gives.
    fn count(&self, pushes: u32, heads: u64) -> usize {
        let (high, head) = unpack(heads);
        let len = self.tail_of(pushes, high).wrapping_sub(head);
        if (len as i32) < 0 {
            // A LIFO pop that found every value claimed, not yet taken back
            // (see `pop_newest`): the deque is empty.
            return 0;
        }
        // `pushes` may be newer than `heads` (`len_upper_bound`): clamp
        // rather than report more than can fit.
        len.min(self.capacity()) as usize
    }

    // ----- owner side: only the thread holding the `Worker` calls these -----

    /// Pushes `value` at the tail: position `pushes - pops` (`pushes` for
    /// FIFO).
    ///
    /// Reads no word a thief writes on the fast path: the counters are the
    /// owner's own, and the tail's slot is usually known free already
    /// (`Owner::free_until`); otherwise its mark is read, on the cache line
    /// the push writes anyway.
    ///
    /// # Safety
    ///
    /// `owner` is this queue's [`Owner`], used by the calling thread alone.
    #[inline]
    pub(crate) unsafe fn push(&self, owner: &Owner, value: T) -> Result<(), T> {
        let pushed = owner.pushes.get() + 1;
        let tail = owner.tail();
        if owner.known_free(tail) == 0 {
            if !self.ring.is_free_for(tail) {
                // The value a lap before is still in the deque (full), or
                // a thief is still moving it out.
                return Err(value);
            }
            owner.free_until.set(tail.wrapping_add(1));
        }
        // The slot of `tail` is free for it: whoever took the value a lap
        // before has finished reading it (this thread itself, or another
        // whose read the Acquire in `is_free_for`, now or at an earlier
        // push or scan, ordered before this point), and no claim covers
        // `tail`, which is past the end.
        // SAFETY: so nobody else touches the slot (only the owner writes
        // values), and it holds no value.
        unsafe { self.ring.write(tail, value) };
        owner.pushes.set(pushed);
        // Release: pairs with the Acquire loads of `pushes` in `claim` and
        // `len`, publishing the slot write above.
        self.pushes.store(pushed as u32, Release);
        Ok(())
    }

    /// Free slots at the tail, counted up to `wanted`: at least
    /// `min(wanted, n)` when the `n` slots after the tail are free. Thieves
    /// only ever add to the free slots, so the count stays true until the
    /// owner pushes.
    ///
    /// Reads the mark of each slot past `Owner::free_until`, stopping at
    /// the first not yet free: a claim that is still being read, or the
    /// values of a full deque.
    pub(crate) fn free_slots(&self, owner: &Owner, wanted: u32) -> u32 {
        let tail = owner.tail();
        let wanted = wanted.min(self.capacity());
        let mut free = owner.known_free(tail);
        while free < wanted && self.ring.is_free_for(tail.wrapping_add(free)) {
            free += 1;
        }
        owner.free_until.set(tail.wrapping_add(free));
        free
    }

    /// Writes `values` into the free slots at the tail, oldest first, and
    /// publishes them with one store: a batch `push`, for batch steals into
    /// this deque.
    ///
    /// # Safety
    ///
    /// `owner` is this queue's [`Owner`], used by the calling thread alone,
    /// and `values` yields at most the count a `free_slots` call returned,
    /// with no push since.
    pub(crate) unsafe fn push_batch(&self, owner: &Owner, values: impl Iterator<Item = T>) {
        let tail = owner.tail();
        let mut count = 0u32;
        for value in values {
            debug_assert!(count < owner.known_free(tail));
            // The caller keeps `count` below what `free_slots` found free,
            // and recorded in `free_until` (the reasoning of `push` holds).
            // SAFETY: so the slot is free, and only the owner writes values.
            unsafe { self.ring.write(tail.wrapping_add(count), value) };
            count += 1;
        }
        let pushed = owner.pushes.get() + u64::from(count);
        owner.pushes.set(pushed);
        // Release: pairs with the Acquire loads of `pushes` in `claim` and
        // `len`, publishing the slot writes above.
        self.pushes.store(pushed as u32, Release);
    }

    /// LIFO owner pop: takes the value at `tail - 1`.
    ///
    /// One fetch-add on `heads` bumps `pops` unconditionally (a
    /// compare-and-swap would cost more, and a loop). The `head` it returns
    /// says whether the pop stands: below `tail`, the value at `tail - 1`
    /// is ours; equal, thieves had claimed every value, and a fetch-sub
    /// takes the bump back.
    ///
    /// # Safety
    ///
    /// `owner` is this queue's [`Owner`], used by the calling thread alone.
    #[inline]
    pub(crate) unsafe fn pop_newest(&self, owner: &Owner) -> Option<T> {
        debug_assert_eq!(self.flavor, Flavor::Lifo);
        let tail = owner.tail();
        if unpack(owner.heads_seen.get()).1 == tail {
            // Empty by the owner's last reading. Only a fresh one decides:
            // after 2^32 pushes without a pop, an old `head` could equal
            // the tail by wrapping around.
            let now = self.heads.load(Relaxed);
            owner.heads_seen.set(now);
            if unpack(now).1 == tail {
                return None;
            }
        }
        // Release: pairs with the Acquire loads of `heads` in `claim` and
        // `len`: whoever sees the new `pops` also sees a `pushes` at least
        // as new as ours, so it computes `tail >= head`. Claims and pops
        // are totally ordered by `heads`' modification order: a claim
        // before ours ended at the `head` we get back, and a claim after
        // ours computes its end from the new `pops`.
        let before = self.heads.fetch_add(POP, Release);
        let head = unpack(before).1;
        if head == tail {
            // Thieves claimed everything, our value included. Until the
            // fetch-sub lands, thieves see a tail below `head`, and report
            // `Empty`, which is what the deque is.
            //
            // Release: as above (nothing new to publish, but every write of
            // `heads` keeps the pairing uniform).
            // Wrapping: the fetch-add may have carried `pops` from 2^32 - 1
            // to 0 out of the word, and this takes it back.
            let restored = self.heads.fetch_sub(POP, Release).wrapping_sub(POP);
            owner.heads_seen.set(restored);
            return None;
        }
        // `heads_seen` is left alone: it stays a lower bound of `head`
        // (only thieves move `head`, and only forward), which is all the
        // check above needs.
        owner.pops.set(owner.pops.get() + 1);
        let position = tail.wrapping_sub(1);
        // `head <= position < tail` when our fetch-add landed, so no claim
        // covers `position`, and any later claim sees the new `pops`.
        // SAFETY: so the slot is ours alone, read once; this thread wrote it.
        Some(unsafe { self.ring.read(position) })
    }

    /// FIFO owner pop: takes the value at `head`, a claim of one value.
    ///
    /// The expected value of the compare-and-swap is `owner.heads_seen`,
    /// not a fresh load of the contended word: thieves move `head` only
    /// forward, so a stale guess fails the CAS once and retries with the
    /// value it returns.
    ///
    /// # Safety
    ///
    /// `owner` is this queue's [`Owner`], used by the calling thread alone.
    #[inline]
    pub(crate) unsafe fn pop_oldest(&self, owner: &Owner) -> Option<T> {
        debug_assert_eq!(self.flavor, Flavor::Fifo);
        let pushes = owner.tail();
        let mut heads = owner.heads_seen.get();
        // Whether `heads` was read from the shared word just now.
        let mut fresh = false;
        loop {
            let head = unpack(heads).1;
            if head == pushes {
                // Empty by this reading; only a fresh one decides, as in
                // `pop_newest`.
                if fresh {
                    owner.heads_seen.set(heads);
                    return None;
                }
                heads = self.heads.load(Relaxed);
                fresh = true;
                continue;
            }
            // One more take (`heads_after_taking`'s FIFO case, without its
            // branch on the flavor).
            let popped = heads.wrapping_add(1);
            // Release: pairs with the Acquire loads of `heads` in `claim` and
            // `len` (they then see `pushes >= head`).
            match self
                .heads
                .compare_exchange_weak(heads, popped, Release, Relaxed)
            {
                Ok(_) => {
                    owner.heads_seen.set(popped);
                    owner.pops.set(owner.pops.get() + 1);
                    break;
                }
                Err(now) => {
                    heads = now;
                    fresh = true;
                }
            }
        }
        let position = unpack(heads).1;
        // Our CAS moved `head` past `position`, so no claim covers it, and
        // this thread wrote it.
        // SAFETY: so the slot is ours alone, taken once.
        let value = unsafe { self.ring.take(position) };
        let free_until = owner.free_until.get();
        if position == free_until.wrapping_sub(self.capacity()) {
            // The positions a lap below `tail..free_until` are gone
            // (`free_until`'s invariant), and this is the next one: its
            // slot is now known free a lap on, so the push there need not
            // read the mark. The mark is written all the same (`take`): a
            // mark left behind would be a lap stale after every such pop,
            // and after 2^32 positions a stale mark reads as "free" for a
            // slot that still holds a value.
            owner.free_until.set(free_until.wrapping_add(1));
        }
        Some(value)
    }

    // ----- claims: thieves, and the owner's `Drain` -----

    /// Claims the oldest values, as many as `take` says of those available;
    /// `None` when there are none (or `take` asks for none).
    ///
    /// Claims never wait for each other: each starts where the one before
    /// ended, and a thief that loses the compare-and-swap to another
    /// recomputes from the word it got back.
    pub(crate) fn claim(&self, take: Take) -> Option<Claim> {
        // Acquire: pairs with the Release of every write to `heads` (owner's
        // pop, other claims), so the `pushes` loaded next is at least what
        // that writer saw.
        let mut heads = self.heads.load(Acquire);
        loop {
            match self.plan_claim(heads, take) {
                Plan::Claim(planned) => match self.commit_claim(&planned) {
                    Ok(claim) => return Some(claim),
                    Err(now) => heads = now,
                },
                Plan::Empty => return None,
                // Acquire: as the first load.
                Plan::Stale => heads = self.heads.load(Acquire),
            }
        }
    }

    /// The claim `take` makes of the deque as `heads` (just read) and a
    /// fresh `pushes` show it, not yet made (see [`commit_claim`]).
    ///
    /// [`commit_claim`]: Queue::commit_claim
    #[inline(always)]
    fn plan_claim(&self, heads: u64, take: Take) -> Plan {
        let (high, head) = unpack(heads);
        // Acquire: pairs with the Release stores of `pushes`, so the slots
        // below it are initialised when we read them. Loaded after
        // `heads` (Acquire), so it is at least as new as the `pushes`
        // every writer of `heads` saw: `tail >= head`.
        let pushes = self.pushes.load(Acquire);
        let available = self.tail_of(pushes, high).wrapping_sub(head);
        if (available as i32) < 0 {
            // A LIFO pop that found every value claimed has not taken
            // its bump of `pops` back yet (see `pop_newest`): the deque
            // is empty, and this says so without waiting for the owner.
            return Plan::Empty;
        }
        if available > self.capacity() {
            // Only possible when the owner popped and pushed again after
            // our `heads` snapshot (a stale `pops` against a newer
            // `pushes`); the CAS would fail anyway. Start over.
            return Plan::Stale;
        }
        let count = take.count(available);
        if count == 0 {
            return Plan::Empty;
        }
        Plan::Claim(Planned {
            heads,
            next: self.heads_after_taking(heads, count),
            claim: Claim {
                start: head,
                end: head.wrapping_add(count),
            },
        })
    }

    /// Makes a planned claim: `Err` with `heads` as it is now if it moved
    /// since the plan's reading (then plan again).
    #[inline(always)]
    fn commit_claim(&self, planned: &Planned) -> Result<Claim, u64> {
        // AcqRel: Release so a later claimer that loads our `heads` also
        // sees a `pushes` at least as new as ours; Acquire keeps the slot
        // reads after the claim. Fails if the owner popped or another
        // thief claimed since the plan's reading (or spuriously).
        self.heads
            .compare_exchange_weak(planned.heads, planned.next, AcqRel, Acquire)
            .map(|_| planned.claim)
    }

    /// Moves the value at `position` out of a claim, and marks its slot
    /// free for the owner's push a lap later.
    ///
    /// # Safety
    ///
    /// `position` lies in a claim held by the caller, and is taken once.
    #[inline]
    pub(crate) unsafe fn take_claimed(&self, position: u32) -> T {
        // The owner does not write a claimed slot until it is marked free,
        // nobody else claims it, and the Acquire in `claim` made its
        // initialising write visible.
        // SAFETY: so the claim made the slot ours, and the caller takes it
        // once.
        unsafe { self.ring.take(position) }
    }
}

impl<T> Drop for Queue<T> {
    fn drop(&mut self) {
        // `&mut self`: every handle is gone and `Arc`'s drop made all their
        // writes visible.
        let (high, head) = unpack(self.heads.load(Relaxed));
        let tail = self.tail_of(self.pushes.load(Relaxed), high);
        // (A claim left open by a leaked `Drain` leaks its values rather
        // than dropping them twice.) If a value's destructor panics, `rest`
        // drops the values after it while unwinding.
        let mut rest = DropValues {
            ring: &self.ring,
            next: head,
            end: tail,
        };
        rest.drop_all();
    }
}

/// The values a dropped deque still holds, `next..end` on its ring: a
/// guard, so that a panicking destructor leaks none of the values after
/// it (as std's collections do; a second panic while unwinding aborts).
struct DropValues<'a, T> {
    ring: &'a Ring<T>,
    next: u32,
    end: u32,
}

impl<T> DropValues<'_, T> {
    /// Drops every value left, oldest first.
    fn drop_all(&mut self) {
        while self.next != self.end {
            let position = self.next;
            // Moved past `position` before its value drops: a panic out of
            // that destructor never drops it again.
            self.next = position.wrapping_add(1);
            // The dropped deque's slots `head..tail` hold initialised
            // values nobody took (see `Queue::drop`); `next` only moves on.
            // SAFETY: so each is initialised and read exactly once.
            drop(unsafe { self.ring.read(position) });
        }
    }
}

impl<T> Drop for DropValues<'_, T> {
    fn drop(&mut self) {
        // Nothing left after a normal `drop_all`; the values after the one
        // that panicked when unwinding out of it.
        self.drop_all();
    }
}

#[cfg(test)]
mod invariants;
