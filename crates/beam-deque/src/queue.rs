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
//! the packed `heads` word, and only then moves the values out. While it
//! reads, the claimed slots still count as occupied for the owner's `push`,
//! so the owner cannot wrap around onto them; once the thief is done it
//! *releases* them. Only one claim is open at a time: a thief that finds a
//! claim open gets [`Steal::Retry`](crate::Steal::Retry). The owner never
//! waits for a thief: it pops from its own end, or (FIFO) claims past the
//! open claim.
//!
//! # The two flavors
//!
//! The owner of a LIFO deque pops at the tail, the thieves' opposite end; the
//! owner of a FIFO deque pops at the head, the thieves' own end. Each needs a
//! different packing of `heads` (both 32-bit halves, so an ABA on the packed
//! word would need 2^32 operations while one thief is preempted):
//!
//! | flavor | `heads` (high, low) | tail position | oldest slot in use |
//! |--------|---------------------|---------------|--------------------|
//! | LIFO   | (`pops`, `head`)    | `pushes - pops` | `released` |
//! | FIFO   | (`released`, `head`) | `pushes`      | `released` |
//!
//! - **LIFO** (after st3's `lifo` queue): the owner pops by bumping `pops`
//!   with a fetch-add on `heads`. That changes the very word a thief must
//!   swap to claim, so a thief that computed the tail from a stale `pops`
//!   always fails its CAS and recomputes: the owner's pops and the thieves'
//!   claims are totally ordered by `heads`' modification order, and no pop
//!   can hand out a value a thief also claimed. A pop that finds every
//!   value claimed takes its bump back with a fetch-sub; meanwhile thieves
//!   compute a tail one below `head` and see an empty deque. A thief
//!   releases its claim by storing its end into the separate `released`
//!   word.
//! - **FIFO** (after tokio's run queue): owner and thieves both take from
//!   `head`. The owner's pop swaps `head` forward, and also `released` when
//!   no claim is open. A thief's claim moves only `head`; its release swaps
//!   `released` up to wherever `head` is then, past any values the owner
//!   popped meanwhile.
//!
//! A claim is open exactly when `released != head`.

use core::cell::Cell;
use core::sync::atomic::Ordering::{AcqRel, Acquire, Relaxed, Release};

use crossbeam_utils::CachePadded;

use crate::ring::Ring;
use crate::sync::{AtomicBool, AtomicU32, AtomicU64};

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

/// A run of claimed positions `start..end`, not yet released.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Claim {
    pub(crate) start: u32,
    pub(crate) end: u32,
}

/// Why a claim took nothing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NoClaim {
    /// Nothing to take (or asked for zero).
    Empty,
    /// Another claim is open.
    Busy,
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
    /// The owner's last reading of the oldest slot in use (`oldest_in_use`):
    /// `push` reads the shared word only when this says the deque is full.
    oldest_seen: Cell<u32>,
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
            oldest_seen: Cell::new(0),
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
}

/// The state shared by a [`Worker`](crate::Worker) and its
/// [`Stealer`](crate::Stealer)s.
///
/// Invariants (positions compared with wrapping arithmetic):
/// - `released <= head <= tail` and `tail - released <= capacity`;
/// - slots `head..tail` hold initialised values that nobody has claimed;
/// - slots `released..head` hold values claimed by the one open claim (or,
///   LIFO, by an owner `Drain`) that are being moved out;
/// - all other slots are logically uninitialised;
/// - only the owner writes `pushes` and slots, and only the owner changes
///   `pops`.
pub(crate) struct Queue<T> {
    /// Number of values ever pushed (wrapping). Written only by the owner,
    /// with `Release`, after the slot is written; thieves load it with
    /// `Acquire` before reading a slot.
    pushes: CachePadded<AtomicU32>,
    /// The packed word thieves claim on; see the module docs for its halves.
    heads: CachePadded<AtomicU64>,
    /// LIFO only: every slot below this position has been moved out by the
    /// thief that claimed it. Stored with `Release` by that thief, loaded
    /// with `Acquire` by the owner before it overwrites a slot.
    released: CachePadded<AtomicU32>,
    /// Whether the open claim, if any, is the owner's own ([`Drain`]):
    /// thieves that find it open report `Empty` rather than `Retry`, since
    /// a `Drain` leaked before its last value never releases its claim,
    /// and a thief looping on `Retry` would spin for good. Written only by
    /// the owner (rarely: once per drain), so it may share a line.
    ///
    /// [`Drain`]: crate::Drain
    owner_claim_open: AtomicBool,
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
            released: CachePadded::new(AtomicU32::new(0)),
            owner_claim_open: AtomicBool::new(false),
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

    /// The tail position implied by `pushes` and the high half of `heads`.
    #[inline(always)]
    fn tail_of(&self, pushes: u32, high: u32) -> u32 {
        match self.flavor {
            Flavor::Lifo => pushes.wrapping_sub(high),
            Flavor::Fifo => pushes,
        }
    }

    /// Number of values in the deque, clamped to the capacity. Exact when no
    /// other thread is acting on the deque, a snapshot otherwise.
    pub(crate) fn len(&self) -> usize {
        // Acquire: pairs with the Release of every write to `heads` (owner's
        // pop, a thief's claim, a FIFO release), so the `pushes` loaded next
        // is at least what that writer saw, and `tail >= head` below.
        let (high, head) = unpack(self.heads.load(Acquire));
        // Acquire: pairs with the Release store in `push`.
        let pushes = self.pushes.load(Acquire);
        let len = self.tail_of(pushes, high).wrapping_sub(head);
        if (len as i32) < 0 {
            // A LIFO pop that found every value claimed, not yet taken back
            // (see `pop_newest`): the deque is empty.
            return 0;
        }
        // `head` may be older than `pushes`: clamp rather than report more
        // than can fit.
        len.min(self.capacity()) as usize
    }

    // ----- owner side: only the thread holding the `Worker` calls these -----

    /// Pushes `value` at the tail: position `pushes - pops` (`pushes` for
    /// FIFO).
    ///
    /// Reads no shared word on the fast path: the counters are the owner's
    /// own, and the room check uses `owner.oldest_seen`; only when that
    /// stale bound says "full" is the real oldest slot in use read.
    ///
    /// # Safety
    ///
    /// `owner` is this queue's [`Owner`], used by the calling thread alone.
    #[inline]
    pub(crate) unsafe fn push(&self, owner: &Owner, value: T) -> Result<(), T> {
        let pushed = owner.pushes.get() + 1;
        let tail = owner.tail();
        let mask = self.ring.mask();
        if tail.wrapping_sub(owner.oldest_seen.get()) > mask
            && tail.wrapping_sub(self.refresh_oldest(owner)) > mask
        {
            return Err(value);
        }
        // The slot of `tail` is outside `oldest_seen..tail`, which covers
        // every slot anybody else may touch: the Acquire load in
        // `oldest_in_use` that produced `oldest_seen` made the thieves'
        // reads of the slots below it happen-before this point.
        // SAFETY: so nobody else touches the slot (only the owner writes
        // slots), and it holds no value: `tail` is past the end.
        unsafe { self.ring.write(tail, value) };
        owner.pushes.set(pushed);
        // Release: pairs with the Acquire loads of `pushes` in `claim` and
        // `len`, publishing the slot write above.
        self.pushes.store(pushed as u32, Release);
        Ok(())
    }

    /// Free slots at the tail, as the owner sees them (thieves only ever
    /// add to this).
    pub(crate) fn free_slots(&self, owner: &Owner) -> u32 {
        let used = owner.tail().wrapping_sub(self.refresh_oldest(owner));
        self.capacity() - used
    }

    /// Writes `values` into the free slots at the tail, oldest first, and
    /// publishes them with one store: a batch `push`, for batch steals into
    /// this deque.
    ///
    /// # Safety
    ///
    /// `owner` is this queue's [`Owner`], used by the calling thread alone,
    /// and `values` yields at most `free_slots(owner)` values.
    pub(crate) unsafe fn push_batch(&self, owner: &Owner, values: impl Iterator<Item = T>) {
        let tail = owner.tail();
        let mut count = 0u32;
        for value in values {
            debug_assert!(count < self.capacity());
            // The caller keeps `count` below `free_slots`, which refreshed
            // `oldest_seen` (the reasoning of `push` holds).
            // SAFETY: so the slot is free, and only the owner writes slots.
            unsafe { self.ring.write(tail.wrapping_add(count), value) };
            count += 1;
        }
        let pushed = owner.pushes.get() + u64::from(count);
        owner.pushes.set(pushed);
        // Release: pairs with the Acquire loads of `pushes` in `claim` and
        // `len`, publishing the slot writes above.
        self.pushes.store(pushed as u32, Release);
    }

    /// Reads the oldest slot in use into `owner.oldest_seen`, and returns it.
    #[inline(never)]
    fn refresh_oldest(&self, owner: &Owner) -> u32 {
        let oldest = self.oldest_in_use();
        owner.oldest_seen.set(oldest);
        oldest
    }

    /// The oldest position whose slot someone may still be reading: the
    /// owner must not overwrite a slot at or after it, a capacity apart.
    #[inline(always)]
    fn oldest_in_use(&self) -> u32 {
        match self.flavor {
            // Acquire: pairs with the Release store in `release`, so the
            // thief's reads of the slots below happen-before our overwrite.
            Flavor::Lifo => self.released.load(Acquire),
            // Acquire: pairs with the Release of the release swap in
            // `release`, for the same reason.
            Flavor::Fifo => unpack(self.heads.load(Acquire)).0,
        }
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
            let restored = self.heads.fetch_sub(POP, Release) - POP;
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

    /// FIFO owner pop: takes the value at `head`.
    ///
    /// The expected value of the compare-and-swap is `owner.heads_seen`,
    /// not a fresh load of the contended word: thieves move both halves of
    /// `heads` only forward, so a stale guess fails the CAS once and
    /// retries with the value it returns.
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
            let (released, head) = unpack(heads);
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
            let next = head.wrapping_add(1);
            // With no claim open, the popped slot is free again the moment
            // we have read it, and nobody else can reach it meanwhile: move
            // `released` along. With a claim open, leave `released` for the
            // thief's release, which will catch up past our pop.
            let popped = if released == head {
                pack(next, next)
            } else {
                pack(released, next)
            };
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
        // only this thread writes slots, so moving `released` past it
        // before reading cannot let anyone overwrite it.
        // SAFETY: so the slot is ours alone, read once; this thread wrote it.
        Some(unsafe { self.ring.read(position) })
    }

    // ----- claims: thieves, and the owner's `Drain` -----

    /// Claims the oldest values, as many as `take` says of those available.
    ///
    /// Returns `Busy` when another claim is open: this keeps at most one
    /// claim open, which is what lets a release be a single store.
    pub(crate) fn claim(&self, take: Take) -> Result<Claim, NoClaim> {
        let mut heads = self.heads.load(Acquire);
        loop {
            let (high, head) = unpack(heads);
            let released = match self.flavor {
                // Acquire: pairs with the Release store in `release`.
                Flavor::Lifo => self.released.load(Acquire),
                Flavor::Fifo => high,
            };
            if released != head {
                // Relaxed: only says which answer to give. The owner sets
                // it after its claim and clears it before its release, so
                // a thief that sees a thief's claim (whose claim acquired
                // the owner's release) never reads a stale `true`; one
                // that sees the owner's claim before the flag says `Retry`
                // once more.
                return Err(if self.owner_claim_open.load(Relaxed) {
                    NoClaim::Empty
                } else {
                    NoClaim::Busy
                });
            }
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
                return Err(NoClaim::Empty);
            }
            if available > self.capacity() {
                // Only possible when the owner popped and pushed again after
                // our `heads` snapshot (a stale `pops` against a newer
                // `pushes`); the CAS below would fail anyway. Start over.
                heads = self.heads.load(Acquire);
                continue;
            }
            let count = take.count(available);
            if count == 0 {
                return Err(NoClaim::Empty);
            }
            let end = head.wrapping_add(count);
            // AcqRel: Release so a later claimer that loads our `heads`
            // also sees a `pushes` at least as new as ours; Acquire keeps
            // the slot reads after the claim. Fails if the owner popped or
            // another thief claimed since our snapshot: then recompute.
            match self
                .heads
                .compare_exchange_weak(heads, pack(high, end), AcqRel, Acquire)
            {
                Ok(_) => return Ok(Claim { start: head, end }),
                Err(now) => heads = now,
            }
        }
    }

    /// The owner's claim, for a [`Drain`](crate::Drain): while it is open,
    /// thieves get `Empty` (see `owner_claim_open`). Ends with
    /// [`Self::release_owner_claim`].
    pub(crate) fn claim_for_owner(&self, take: Take) -> Result<Claim, NoClaim> {
        let claim = self.claim(take)?;
        // Relaxed: see `owner_claim_open` and its load in `claim`.
        self.owner_claim_open.store(true, Relaxed);
        Ok(claim)
    }

    /// Ends a claim made by [`Self::claim_for_owner`].
    pub(crate) fn release_owner_claim(&self, claim: Claim) {
        // Relaxed: sequenced before the Release in `release`, which every
        // later claim acquires (see the load in `claim`).
        self.owner_claim_open.store(false, Relaxed);
        self.release(claim);
    }

    /// Moves the value at `position` out of a claim.
    ///
    /// # Safety
    ///
    /// `position` lies in a claim held by the caller, and is read once.
    #[inline]
    pub(crate) unsafe fn take_claimed(&self, position: u32) -> T {
        // The owner does not overwrite a claimed slot until the release,
        // nobody else claims it, and the Acquire in `claim` made its
        // initialising write visible.
        // SAFETY: so the claim made the slot ours, and the caller reads it once.
        unsafe { self.ring.read(position) }
    }

    /// Ends a claim whose values have all been moved out.
    pub(crate) fn release(&self, claim: Claim) {
        match self.flavor {
            // Release: pairs with the Acquire loads of `released` in the
            // owner's `push` and in `claim`: our slot reads happen-before
            // the owner reuses those slots.
            Flavor::Lifo => self.released.store(claim.end, Release),
            Flavor::Fifo => {
                let mut heads = self.heads.load(Relaxed);
                loop {
                    let (released, head) = unpack(heads);
                    debug_assert_eq!(released, claim.start);
                    // Everything up to `head` is free now: our claim, and any
                    // values the owner popped past it meanwhile.
                    //
                    // Release: pairs with the Acquire loads of `heads` in the
                    // owner's `push`, ordering our slot reads before reuse.
                    match self.heads.compare_exchange_weak(
                        heads,
                        pack(head, head),
                        Release,
                        Relaxed,
                    ) {
                        Ok(_) => return,
                        Err(now) => heads = now,
                    }
                }
            }
        }
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
