//! One segment of the queue: a closable bounded ring and the link to the
//! next segment.

use alloc::boxed::Box;
use core::ptr;

use vyukov_mpmc::ClosableQueue;

use crate::sync::{AtomicPtr, LeakTrack, Liveness, Ordering};

/// A node of the queue's list of segments.
///
/// Life cycle: made (or taken from the pool) by a producer, which links it
/// after the last segment; filled by producers until one finds it full and
/// closes it ([`ClosableQueue::push_or_close`]); emptied by consumers until
/// it is drained; unlinked by the consumer that moves the queue's head past
/// it; then recycled or freed by the pool once no hazard protects it.
pub(crate) struct Segment<T> {
    /// The values. Closed for good once it overflows: no push lands in it
    /// after that (the fix for a producer that stalled holding an old tail).
    pub(crate) queue: ClosableQueue<T>,

    /// The next segment; null while this one is the last. Set once, by the
    /// compare-and-swap from null of the producer that links the next
    /// segment, and unchanged from then until the segment is recycled.
    pub(crate) next: AtomicPtr<Segment<T>>,

    /// The link of the pool's list of unlinked segments that were still
    /// protected when they were retired (`Pool::defer`).
    pub(crate) retired_next: AtomicPtr<Segment<T>>,

    /// The total capacity of the segments before this one in the list
    /// (wrapping). Written only with exclusive access, before the segment
    /// is linked; `SegQueue::len` counts the values in the full segments
    /// between head and tail by it.
    position: usize,

    /// Loom's check that no protected thread still uses the segment when it
    /// is recycled or freed (zero-sized outside loom).
    pub(crate) liveness: Liveness,

    /// Loom's leak check (zero-sized outside loom).
    _track: LeakTrack,
}

impl<T> Segment<T> {
    /// A new, empty, open segment of `capacity` slots, on the heap, owned by
    /// the caller (free it with [`Segment::free`]).
    pub(crate) fn alloc(capacity: usize) -> *mut Segment<T> {
        Box::into_raw(Box::new(Segment {
            queue: ClosableQueue::new(capacity),
            next: AtomicPtr::new(ptr::null_mut()),
            retired_next: AtomicPtr::new(ptr::null_mut()),
            position: 0,
            liveness: Liveness::new(),
            _track: LeakTrack::new(()),
        }))
    }

    /// The total capacity of the segments before this one (see the field).
    #[inline]
    pub(crate) fn position(&self) -> usize {
        self.position
    }

    /// Where the segment after this one starts: its `position`.
    #[inline]
    pub(crate) fn next_position(&self) -> usize {
        self.position.wrapping_add(self.queue.capacity())
    }

    /// Sets the position of a segment about to be linked.
    ///
    /// # Safety
    ///
    /// `seg` is live and the caller has exclusive access to it: it was just
    /// made or taken from the pool, and is not linked yet.
    #[inline]
    pub(crate) unsafe fn set_position(seg: *mut Segment<T>, position: usize) {
        // SAFETY: the caller owns `seg` exclusively; no reference to it is
        // in use by any thread.
        unsafe { (*seg).position = position };
    }

    /// Makes an unlinked, empty segment ready to be linked again: open, no
    /// next segment, a new generation.
    ///
    /// # Safety
    ///
    /// `seg` is live and the caller has exclusive access to it: it was
    /// unlinked and no hazard protects it, or it was never linked.
    pub(crate) unsafe fn reset(seg: *mut Segment<T>) {
        // Every earlier use by another thread happens before this (the
        // pool's hazard scan acquired their release).
        // SAFETY: exclusive access (the caller's promise): a unique
        // reference is sound.
        let seg = unsafe { &mut *seg };
        seg.liveness.end();
        debug_assert!(seg.queue.is_empty(), "recycling a segment with values");
        seg.queue.reopen();
        // Relaxed: exclusive access; whoever takes the segment from the pool
        // synchronises with our release of it.
        seg.next.store(ptr::null_mut(), Ordering::Relaxed);
    }

    /// Frees a segment, dropping any values still in it.
    ///
    /// # Safety
    ///
    /// As for [`Segment::reset`]: `seg` is live and exclusively the
    /// caller's. It must not be used again.
    pub(crate) unsafe fn free(seg: *mut Segment<T>) {
        // SAFETY: exclusive access (the caller's promise).
        unsafe { (*seg).liveness.end() };
        // SAFETY: `seg` came from `Box::into_raw` in `alloc` and, being the
        // caller's alone, is given back exactly once, here.
        drop(unsafe { Box::from_raw(seg) });
    }
}
