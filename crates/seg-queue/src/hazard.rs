//! Hazard pointers: how a thread keeps a segment alive while it uses it.
//!
//! A thread that wants to use the segment that the queue's `head` or `tail`
//! points to *claims a slot* of the queue's hazard table with that pointer
//! (one compare-and-swap from null), then *validates*: reloads `head` (or
//! `tail`) and checks that it still points to the same segment, retrying
//! with the new pointer if not. From then until it clears its slot, the
//! segment is protected: the pool recycles or frees an unlinked segment
//! only after a scan of every slot shows no hazard on it (`protects`).
//!
//! Why that is enough, for a segment `S`. The consumer that unlinks `S`
//! (moves `head` past it, `tail` being past it already) then issues a
//! `SeqCst` fence and scans the slots; the protecting thread writes its
//! slot, issues a `SeqCst` fence and validates. The two fences are ordered
//! one way or the other in the single total order of `SeqCst` fences:
//!
//! - the protector's fence first: the scan, after the unlinker's fence,
//!   sees the hazard write (or a later value of the slot, written only
//!   once the protector is done with `S`), so `S` is kept;
//! - the unlinker's fence first: the validating load, after the
//!   protector's fence, sees `head` and `tail` past `S` (they never come
//!   back to a segment that is not recycled yet), and the thread retries
//!   without ever touching `S`.
//!
//! (The C++20 fence rules that Rust uses, via "coherence-ordered before":
//! also when the unlinker saw `tail` past `S` in a failed compare-and-swap
//! rather than moving it itself.) The argument rests on the fences alone,
//! which loom models, so the loom build checks exactly this code; the
//! accesses around them are `SeqCst` as well, which loom checks only as
//! `AcqRel` and the argument does not need. (Read-modify-writes instead of
//! the fences, a scan that writes each slot back, do not do: a hazard
//! write can read its owner's own earlier clear, a plain store that
//! carries nothing from the scan; loom finds that interleaving.)
//!
//! A slot is cleared with a `Release` store; the next write of it is a
//! compare-and-swap (which continues that release sequence, and acquires
//! it), so a scan that reads any value written after the clear also
//! acquires everything the thread did to `S`: the recycler's writes happen
//! after all of them.
//!
//! Slots are per queue, and a slot is held only for one operation: each
//! operation claims a free slot, starting at a per-thread index
//! (`start_hint`), so concurrent threads start on different slots (each
//! slot has its own cache line). When every inline slot is in use at once,
//! extra slots are allocated on a push-only list, freed with the queue: the
//! table grows to the peak number of concurrent operations, and a thread is
//! never refused protection.

use alloc::boxed::Box;
use core::marker::PhantomData;
use core::ptr;

use crate::segment::Segment;
use crate::sync::{AtomicPtr, LeakTrack, Ordering, fence};

/// Inline hazard slots per queue: 2 KiB. Enough that up to 32 threads
/// inside one queue at once each find their own slot first try (threads
/// past that probe other slots and may reach the extra list, which costs
/// them cache misses on every operation: with 8 slots, 16 threads ran at
/// half the speed they do with 32). A scan reads them all, but scans are
/// rare (one per segment retired). Small under loom: fewer loads per scan,
/// and three threads then reach the extra slots too.
#[cfg(not(seg_queue_loom))]
const SLOTS: usize = 32;
#[cfg(seg_queue_loom)]
const SLOTS: usize = 2;

/// One hazard slot: null when free, else the segment its owner protects.
///
/// Each on its own 64-byte cache line, so threads writing their own slots
/// do not false-share. 64, not `CachePadded`'s 128 on x86-64 (which also
/// keeps apart the pairs of lines the adjacent-line prefetcher fetches
/// together): measured no slower here, at half the size of the table.
#[repr(align(64))]
struct Slot<T>(AtomicPtr<Segment<T>>);

impl<T> core::ops::Deref for Slot<T> {
    type Target = AtomicPtr<Segment<T>>;
    #[inline(always)]
    fn deref(&self) -> &AtomicPtr<Segment<T>> {
        &self.0
    }
}

/// A queue's hazard slots.
pub(crate) struct Hazards<T> {
    /// The inline slots.
    slots: [Slot<T>; SLOTS],
    /// Extra slots, a push-only list, for when all inline slots are in use.
    extra: AtomicPtr<Extra<T>>,
}

/// An extra slot on the [`Hazards::extra`] list.
struct Extra<T> {
    slot: Slot<T>,
    /// The next extra slot. Written before this one is published (by the
    /// `Release` compare-and-swap on the list head), never after.
    next: *mut Extra<T>,
    /// Loom's leak check (zero-sized outside loom).
    _track: LeakTrack,
}

impl<T> Hazards<T> {
    /// An empty table.
    #[cfg(not(seg_queue_loom))]
    pub(crate) const fn new() -> Self {
        Self {
            slots: [const { Slot(AtomicPtr::new(ptr::null_mut())) }; SLOTS],
            extra: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// An empty table.
    #[cfg(seg_queue_loom)]
    pub(crate) fn new() -> Self {
        Self {
            slots: core::array::from_fn(|_| Slot(AtomicPtr::new(ptr::null_mut()))),
            extra: AtomicPtr::new(ptr::null_mut()),
        }
    }

    /// Protects the segment that `src` (the queue's `head` or `tail`)
    /// points to; `None` if it is null (no segment yet).
    #[inline(always)]
    pub(crate) fn protect<'a>(&'a self, src: &AtomicPtr<Segment<T>>) -> Option<Guard<'a, T>> {
        // Relaxed: a first guess, validated below.
        let mut seg = src.load(Ordering::Relaxed);
        if seg.is_null() {
            // No segment yet: the queue is empty, the caller answers so.
            // Decide it again with a SeqCst load, the first being only a
            // guess: the first segment is installed by a SeqCst
            // compare-and-swap (`push_first`), so a SeqCst load that still
            // reads null is a point of the total order S where the queue
            // was empty, as every other "empty" of the queue is. Without
            // it, C++20 allows `push(1); r1 = f.load(SeqCst)` against
            // `f.store(true, SeqCst); r2 = pop()` to end with `r1 == false
            // && r2 == None`, and the unbounded channel's first value could
            // lose its wake-up on weak hardware (a wake-up check is a
            // Dekker pair of SeqCst operations). A plain `mov` on x86, and
            // cold: only until the first push. loom checks SeqCst as AcqRel
            // and cannot see the difference.
            seg = src.load(Ordering::SeqCst);
            if seg.is_null() {
                return None;
            }
        }
        let slot = self.claim(seg);
        let seg = validate(slot, seg, src);
        // SAFETY: `validate` returned a segment protected by `slot`.
        let generation = unsafe { (*seg).liveness.enter() };
        Some(Guard {
            slot,
            seg,
            generation,
            _segment: PhantomData,
        })
    }

    /// Claims a free slot, publishing `seg` in it.
    #[inline(always)]
    fn claim(&self, seg: *mut Segment<T>) -> &AtomicPtr<Segment<T>> {
        let start = start_hint();
        // The fast path: this thread's own slot is free (it is, unless more
        // threads than slots are inside the queue at once).
        let slot = &self.slots[start % SLOTS];
        // The hazard write of the protocol (module docs), ordered before
        // the validating load by the fence in `validate` (SeqCst is more
        // than the protocol needs). As a read-modify-write it acquires, and
        // continues the release sequence of, the previous owner's clear.
        if slot
            .compare_exchange(ptr::null_mut(), seg, Ordering::SeqCst, Ordering::Relaxed)
            .is_ok()
        {
            return slot;
        }
        self.claim_other(start, seg)
    }

    /// Claims a free slot other than the thread's own, which is in use.
    #[cold]
    fn claim_other(&self, start: usize, seg: *mut Segment<T>) -> &AtomicPtr<Segment<T>> {
        for i in 1..SLOTS {
            let slot = &self.slots[(start + i) % SLOTS];
            // Relaxed: only a hint, to skip slots in use without taking
            // their cache line away; the compare-and-swap decides.
            if slot.load(Ordering::Relaxed).is_null()
                // SeqCst: as in `claim`.
                && slot
                    .compare_exchange(ptr::null_mut(), seg, Ordering::SeqCst, Ordering::Relaxed)
                    .is_ok()
            {
                return slot;
            }
        }
        self.claim_extra(seg)
    }

    /// Claims a free extra slot, adding one if none is free.
    #[cold]
    fn claim_extra(&self, seg: *mut Segment<T>) -> &AtomicPtr<Segment<T>> {
        // Acquire: pairs with the Release compare-and-swap that published
        // each extra slot, so its fields are initialised.
        let mut extra = self.extra.load(Ordering::Acquire);
        while !extra.is_null() {
            // SAFETY: extra slots are freed only in `drop`, with `&mut`.
            let e = unsafe { &*extra };
            // Relaxed and SeqCst: as in `claim`.
            if e.slot.load(Ordering::Relaxed).is_null()
                && e.slot
                    .compare_exchange(ptr::null_mut(), seg, Ordering::SeqCst, Ordering::Relaxed)
                    .is_ok()
            {
                return &e.slot;
            }
            extra = e.next;
        }

        // All in use: add one, already holding `seg`. It becomes visible to
        // scans with the compare-and-swap that links it, which is then the
        // hazard write of the protocol.
        let new = Box::into_raw(Box::new(Extra {
            slot: Slot(AtomicPtr::new(seg)),
            next: ptr::null_mut(),
            _track: LeakTrack::new(()),
        }));
        // Relaxed: a first guess for the compare-and-swap.
        let mut head = self.extra.load(Ordering::Relaxed);
        loop {
            // SAFETY: `new` is ours alone until the compare-and-swap below
            // publishes it.
            unsafe { (*new).next = head };
            // SeqCst on success: publishes the extra slot (Release: pairs
            // with the Acquire/SeqCst loads of the list head) and is the
            // hazard write, ordered before the validating load by the fence
            // in `validate`, as in `claim`.
            match self
                .extra
                .compare_exchange_weak(head, new, Ordering::SeqCst, Ordering::Relaxed)
            {
                // SAFETY: published; freed only in `drop`, with `&mut`.
                Ok(_) => return unsafe { &(*new).slot },
                Err(current) => head = current,
            }
        }
    }

    /// Whether any slot protects `seg`.
    ///
    /// `seg` is unlinked (neither `head` nor `tail` points to it), and the
    /// unlink happens before this call (it is the caller's own, or the
    /// caller acquired it), so it happens before the fence below.
    pub(crate) fn protects(&self, seg: *mut Segment<T>) -> bool {
        // The unlinker's fence of the protocol (module docs): pairs with
        // the protector's fence in `validate`. One per retirement.
        fence(Ordering::SeqCst);
        // SeqCst (every load here): the scan of the protocol (Acquire would
        // do: the fence above orders it). At least Acquire: a value written
        // after an owner's Release clear in `Guard::drop` makes everything
        // that owner did before the clear happen before our caller's reuse.
        if self
            .slots
            .iter()
            .any(|slot| slot.load(Ordering::SeqCst) == seg)
        {
            return true;
        }
        let mut extra = self.extra.load(Ordering::SeqCst);
        while !extra.is_null() {
            // SAFETY: extra slots are freed only in `drop`, with `&mut`.
            let e = unsafe { &*extra };
            if e.slot.load(Ordering::SeqCst) == seg {
                return true;
            }
            extra = e.next;
        }
        false
    }
}

impl<T> Drop for Hazards<T> {
    fn drop(&mut self) {
        // Relaxed: `&mut self`, every guard is gone.
        let mut extra = self.extra.load(Ordering::Relaxed);
        while !extra.is_null() {
            // SAFETY: each extra slot came from `Box::into_raw` and is on the
            // list once; `&mut self` means no one else can reach it.
            let e = unsafe { Box::from_raw(extra) };
            extra = e.next;
        }
    }
}

/// Validates the protection of `seg`, published in `slot`: reloads `src`
/// until it points to the segment the slot protects, and returns that one.
#[inline(always)]
fn validate<T>(
    slot: &AtomicPtr<Segment<T>>,
    mut seg: *mut Segment<T>,
    src: &AtomicPtr<Segment<T>>,
) -> *mut Segment<T> {
    loop {
        // The protector's fence of the protocol (module docs), between our
        // hazard write and the validating load: pairs with the unlinker's
        // fence in `protects`. If the load below still sees `seg`, no scan
        // that missed our hazard can follow an unlink of `seg`.
        fence(Ordering::SeqCst);
        // SeqCst: the validating load of the protocol (Acquire would do:
        // the fence above orders it). As an Acquire, it pairs with the
        // SeqCst head/tail compare-and-swap that stored `seg`, whose thread
        // had acquired the segment's initialisation from the producer that
        // linked it.
        let now = src.load(Ordering::SeqCst);
        if now == seg {
            return seg;
        }
        // `head` and `tail` never go back to null.
        debug_assert!(!now.is_null());
        seg = now;
        // SeqCst: a hazard write of the protocol, as in `claim` (the fence
        // at the top of the loop orders it before the next validating
        // load); also a Release of our earlier uses of the slot's previous
        // segment.
        slot.store(seg, Ordering::SeqCst);
    }
}

/// Where a thread starts looking for a free slot, so that threads running
/// at once start on different slots and keep reusing their own (warm)
/// cache line: two threads starting on one slot would bounce its line
/// between their cores on every operation.
///
/// With `std`: a number given to each thread on its first use of any
/// queue, so the first `SLOTS` threads never collide. Without `std` (no
/// thread-locals): a hash of the stack address, which differs between
/// threads but may collide. Fixed under loom, whose executions must be
/// deterministic.
#[inline(always)]
fn start_hint() -> usize {
    #[cfg(seg_queue_loom)]
    {
        0
    }
    #[cfg(all(not(seg_queue_loom), feature = "std"))]
    {
        use core::sync::atomic::AtomicUsize;
        /// The next thread's number.
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        std::thread_local! {
            // Relaxed: the number only has to be unique, nothing is
            // published with it.
            static THREAD: usize = NEXT.fetch_add(1, core::sync::atomic::Ordering::Relaxed);
        }
        // A thread-local being torn down (a queue used from another
        // thread-local's destructor) falls back to slot 0: still correct.
        THREAD.try_with(|&n| n).unwrap_or(0)
    }
    #[cfg(all(not(seg_queue_loom), not(feature = "std")))]
    {
        let marker = 0u8;
        // Thread stacks lie megabytes apart, and one thread's calls stay
        // within a few kilobytes: drop the low bits, then Fibonacci-hash
        // the rest into `0..SLOTS` (SLOTS is a power of two).
        let page = (&raw const marker).addr() >> 16;
        const _: () = assert!(SLOTS.is_power_of_two());
        page.wrapping_mul(0x9E37_79B9_7F4A_7C15_u64 as usize) >> (usize::BITS - SLOTS.ilog2())
    }
}

/// A claimed hazard slot and the segment it protects. Dropping the guard
/// clears the slot.
pub(crate) struct Guard<'a, T> {
    slot: &'a AtomicPtr<Segment<T>>,
    seg: *mut Segment<T>,
    /// The segment's generation when protection began (loom's check).
    generation: usize,
    _segment: PhantomData<&'a Segment<T>>,
}

impl<T> Guard<'_, T> {
    /// The protected segment's address.
    #[inline]
    pub(crate) fn ptr(&self) -> *mut Segment<T> {
        self.seg
    }

    /// The protected segment.
    #[inline]
    pub(crate) fn segment(&self) -> &Segment<T> {
        // Only shared references are ever made to a linked segment.
        // SAFETY: the segment is protected for as long as `self` lives and
        // protects it (module docs), so it is live.
        unsafe { &*self.seg }
    }

    /// Moves the protection to the segment `src` points to now, and
    /// returns it.
    #[inline]
    pub(crate) fn reprotect(&mut self, src: &AtomicPtr<Segment<T>>) -> &Segment<T> {
        // Loom's check: our uses of the old segment end here, before
        // `validate` may move the slot off it.
        self.segment().liveness.leave(self.generation);
        // Our slot already holds the old segment: validation either confirms
        // it or moves the slot on to what `src` holds now.
        self.seg = validate(self.slot, self.seg, src);
        self.generation = self.segment().liveness.enter();
        self.segment()
    }
}

impl<T> Drop for Guard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        self.segment().liveness.leave(self.generation);
        // Release: pairs with the SeqCst (so Acquire) loads of the scan in
        // `protects`: every use we made of the segment happens before a
        // recycler that sees this clear, or any later write of the slot.
        self.slot.store(ptr::null_mut(), Ordering::Release);
    }
}

#[cfg(all(test, not(seg_queue_loom)))]
mod tests {
    use super::*;
    use std::vec::Vec;

    #[test]
    fn protect_claim_scan_and_release() {
        let hazards = Hazards::<u8>::new();
        let a = Segment::<u8>::alloc(1);
        let b = Segment::<u8>::alloc(1);
        let src = AtomicPtr::new(ptr::null_mut());
        assert!(hazards.protect(&src).is_none());

        src.store(a, Ordering::Relaxed);
        let mut guard = hazards.protect(&src).unwrap();
        assert_eq!(guard.ptr(), a);
        assert!(hazards.protects(a));
        assert!(!hazards.protects(b));

        src.store(b, Ordering::Relaxed);
        guard.reprotect(&src);
        assert_eq!(guard.ptr(), b);
        assert!(!hazards.protects(a));
        assert!(hazards.protects(b));

        drop(guard);
        assert!(!hazards.protects(b));
        // SAFETY: never linked anywhere, no guard left.
        unsafe {
            Segment::free(a);
            Segment::free(b);
        }
    }

    #[test]
    fn more_guards_than_slots_use_extra_slots() {
        let hazards = Hazards::<u8>::new();
        let segs: Vec<_> = (0..SLOTS + 3).map(|_| Segment::<u8>::alloc(1)).collect();
        let srcs: Vec<_> = segs.iter().map(|&s| AtomicPtr::new(s)).collect();
        let guards: Vec<_> = srcs
            .iter()
            .map(|src| hazards.protect(src).unwrap())
            .collect();
        assert!(segs.iter().all(|&s| hazards.protects(s)));
        drop(guards);
        assert!(segs.iter().all(|&s| !hazards.protects(s)));
        // The extra slots are reused, not added again.
        let guards: Vec<_> = srcs
            .iter()
            .map(|src| hazards.protect(src).unwrap())
            .collect();
        drop(guards);
        let mut extras = 0;
        let mut e = hazards.extra.load(Ordering::Relaxed);
        while !e.is_null() {
            extras += 1;
            // SAFETY: the list lives as long as `hazards`.
            e = unsafe { (*e).next };
        }
        assert_eq!(extras, 3);
        for s in segs {
            // SAFETY: never linked anywhere, no guard left.
            unsafe { Segment::free(s) };
        }
    }
}
