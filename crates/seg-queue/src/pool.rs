//! Where unlinked segments go: retired until no hazard protects them, then
//! kept as spares (so the steady state allocates nothing) or freed.

use core::ptr;

use crate::hazard::Hazards;
use crate::segment::Segment;
use crate::sync::{AtomicPtr, Ordering};

/// How many empty segments a queue keeps for reuse (only segments of the
/// queue's largest capacity are kept: smaller ones exist only while a new
/// queue's segments are growing). Two, not one: when
/// two producers race to link the next segment, each takes a spare, and
/// the loser's goes back; with one spare the second producer would
/// allocate, and a later recycling would free.
const SPARES: usize = 2;

/// A queue's spare segments and its list of retired segments.
pub(crate) struct Pool<T> {
    /// Empty, open segments ready to be linked, or nulls. Producers take
    /// one instead of allocating; recyclers put one back instead of freeing.
    spares: [AtomicPtr<Segment<T>>; SPARES],

    /// Unlinked segments that were still protected when they were retired,
    /// linked through `Segment::retired_next` (a stack). Every retirement
    /// scans them again, so the list stays as short as the number of
    /// threads that hold stale pointers.
    retired: AtomicPtr<Segment<T>>,

    /// The capacity of the queue's first segment.
    first: usize,

    /// The capacity segments grow to: each new segment has twice the
    /// capacity of the one it follows, up to this (`first` and `max` are
    /// equal when the user fixed the capacity).
    max: usize,
}

impl<T> Pool<T> {
    /// An empty pool for segments that start at `first` slots and grow
    /// to `max` (`first <= max`).
    #[cfg(not(seg_queue_loom))]
    pub(crate) const fn new(first: usize, max: usize) -> Self {
        Self {
            spares: [const { AtomicPtr::new(ptr::null_mut()) }; SPARES],
            retired: AtomicPtr::new(ptr::null_mut()),
            first,
            max,
        }
    }

    /// An empty pool for segments that start at `first` slots and grow
    /// to `max` (`first <= max`).
    #[cfg(seg_queue_loom)]
    pub(crate) fn new(first: usize, max: usize) -> Self {
        Self {
            spares: core::array::from_fn(|_| AtomicPtr::new(ptr::null_mut())),
            retired: AtomicPtr::new(ptr::null_mut()),
            first,
            max,
        }
    }

    /// The capacity of the queue's first segment.
    #[inline]
    pub(crate) fn first_capacity(&self) -> usize {
        self.first
    }

    /// The capacity segments grow to.
    #[inline]
    pub(crate) fn max_capacity(&self) -> usize {
        self.max
    }

    /// The capacity of the segment to link after one of `capacity`:
    /// double, up to the maximum. Segments grow only when the queue does
    /// (a segment is added only when the last one overflows), so a queue
    /// that stays short keeps small segments, and a long one crosses few
    /// segment boundaries.
    #[inline]
    pub(crate) fn next_capacity(&self, capacity: usize) -> usize {
        capacity.saturating_mul(2).min(self.max)
    }

    /// An empty, open, unlinked segment of `capacity` slots, the caller's
    /// alone: for the largest capacity, a spare if there is one, else a
    /// retired segment whose protectors have left since it was retired;
    /// else a new one.
    pub(crate) fn take(&self, hazards: &Hazards<T>, capacity: usize) -> *mut Segment<T> {
        if capacity == self.max {
            if let Some(seg) = self.take_spare() {
                return seg;
            }
            if self.reclaim_deferred(hazards) {
                if let Some(seg) = self.take_spare() {
                    return seg;
                }
            }
        }
        Segment::alloc(capacity)
    }

    /// A spare, if there is one.
    fn take_spare(&self) -> Option<*mut Segment<T>> {
        for spare in &self.spares {
            // Relaxed: only a hint, to skip the swap when there is no spare.
            if !spare.load(Ordering::Relaxed).is_null() {
                // Acquire: pairs with the Release compare-and-swap in
                // `give`: the recycler's reset happens before our use.
                let seg = spare.swap(ptr::null_mut(), Ordering::Acquire);
                if !seg.is_null() {
                    return Some(seg);
                }
            }
        }
        None
    }

    /// Takes back an empty segment that no other thread can reach: keeps it
    /// as a spare if it has the largest capacity and there is room, frees
    /// it otherwise.
    ///
    /// # Safety
    ///
    /// `seg` is live, empty and exclusively the caller's (never linked, or
    /// unlinked and unprotected), and the caller does not use it again.
    pub(crate) unsafe fn give(&self, seg: *mut Segment<T>) {
        // SAFETY: the caller's promise: live, and ours alone.
        if unsafe { (*seg).queue.capacity() } != self.max {
            // SAFETY: the caller's promise.
            unsafe { Segment::free(seg) };
            return;
        }
        // SAFETY: the caller's promise.
        unsafe { Segment::reset(seg) };
        for spare in &self.spares {
            // Relaxed (load): a hint. Release (compare-and-swap): pairs with
            // the Acquire swap in `take`, which then sees the reset segment.
            if spare.load(Ordering::Relaxed).is_null()
                && spare
                    .compare_exchange(ptr::null_mut(), seg, Ordering::Release, Ordering::Relaxed)
                    .is_ok()
            {
                return;
            }
        }
        // SAFETY: still exclusively ours: every spare slot was taken.
        unsafe { Segment::free(seg) };
    }

    /// Retires `seg`, which the caller has just unlinked: gives it back at
    /// once if no hazard protects it, or defers it. Then retries the
    /// segments deferred before (as does `take` when it finds no spare).
    ///
    /// # Safety
    ///
    /// The caller's own `SeqCst` compare-and-swap moved `head` past `seg`,
    /// and `tail` was past it before that; `seg` is drained, and retired
    /// only once (by the one thread whose compare-and-swap succeeded).
    pub(crate) unsafe fn retire(&self, seg: *mut Segment<T>, hazards: &Hazards<T>) {
        // SAFETY: unlinked, drained, retired once (the caller's promise).
        unsafe { self.give_or_defer(seg, hazards) };
        self.reclaim_deferred(hazards);
    }

    /// Scans the segments deferred so far again, giving back those that no
    /// hazard protects any more. `true` if there were any to scan.
    fn reclaim_deferred(&self, hazards: &Hazards<T>) -> bool {
        // Relaxed: a hint, to skip the swap when nothing is deferred.
        if self.retired.load(Ordering::Relaxed).is_null() {
            return false;
        }
        // Acquire: pairs with the Release compare-and-swap in `defer`: the
        // deferring thread's unlink (and everything before it) happens
        // before our scan, so the scan comes after the unlink in the total
        // order too, as the hazard protocol needs.
        let mut seg = self.retired.swap(ptr::null_mut(), Ordering::Acquire);
        let any = !seg.is_null();
        while !seg.is_null() {
            // Relaxed: written before the Release in `defer` we acquired.
            // SAFETY: a deferred segment is live until given back, and we
            // took the whole list: the link is ours to read.
            let next = unsafe { (*seg).retired_next.load(Ordering::Relaxed) };
            // SAFETY: unlinked and drained when deferred; we took it off the
            // list, so no one else will give it back.
            unsafe { self.give_or_defer(seg, hazards) };
            seg = next;
        }
        any
    }

    /// Gives `seg` back if no hazard protects it, defers it otherwise.
    ///
    /// # Safety
    ///
    /// `seg` is unlinked and drained, and the caller is the only thread
    /// deciding its fate.
    unsafe fn give_or_defer(&self, seg: *mut Segment<T>, hazards: &Hazards<T>) {
        if hazards.protects(seg) {
            self.defer(seg);
        } else {
            // Unlinked, so no thread can newly protect it (validation would
            // fail); the scan saw no hazard and acquired every earlier clear.
            // SAFETY: so it is exclusively ours, as `give` requires.
            unsafe { self.give(seg) };
        }
    }

    /// Pushes an unlinked, still protected segment on the retired list.
    fn defer(&self, seg: *mut Segment<T>) {
        // Relaxed: a first guess for the compare-and-swap.
        let mut head = self.retired.load(Ordering::Relaxed);
        loop {
            // Relaxed: published by the Release compare-and-swap below.
            // SAFETY: `seg` is live (unlinked but not given back), and only
            // the thread deciding its fate writes `retired_next`.
            unsafe { (*seg).retired_next.store(head, Ordering::Relaxed) };
            // Release: pairs with the Acquire swap in `retire` (and the
            // loads in `drop`): the link, and our unlink of `seg`, happen
            // before whoever takes the list.
            match self.retired.compare_exchange_weak(
                head,
                seg,
                Ordering::Release,
                Ordering::Relaxed,
            ) {
                Ok(_) => return,
                Err(current) => head = current,
            }
        }
    }
}

impl<T> Drop for Pool<T> {
    fn drop(&mut self) {
        // Relaxed everywhere: `&mut self`, no other thread is left.
        for spare in &self.spares {
            let spare = spare.load(Ordering::Relaxed);
            if !spare.is_null() {
                // SAFETY: a spare is unlinked and exclusively the pool's.
                unsafe { Segment::free(spare) };
            }
        }
        let mut seg = self.retired.load(Ordering::Relaxed);
        while !seg.is_null() {
            // SAFETY: a retired segment is unlinked, and with `&mut self`
            // no hazard can be left on it; it is on the list once.
            let next = unsafe { (*seg).retired_next.load(Ordering::Relaxed) };
            // SAFETY: as just above.
            unsafe { Segment::free(seg) };
            seg = next;
        }
    }
}
