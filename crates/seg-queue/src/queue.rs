//! [`SegQueue`]: the list of segments, and how producers and consumers move
//! along it.
//!
//! # Invariants
//!
//! * Segments form a list from `head` to `tail` and on through `next`
//!   pointers. `head` and `tail` are null until the first push, then never
//!   null again; each only ever moves to the `next` of the segment it points
//!   to, and `tail` is never behind `head`: a consumer moves `tail` past a
//!   drained segment before it moves `head` past it.
//! * Only the last segment is open. A segment is closed when a producer
//!   finds it full (`push_or_close`, atomically with slot reservation), and
//!   only then does any producer link a next one. So every segment strictly
//!   between the head and the tail segments is full.
//! * A thread reads or writes a linked segment only while a hazard protects
//!   it (`hazard.rs`): protection obtained from `head` or `tail`, never from
//!   a `next` pointer. A `next` pointer is only ever a value to store into
//!   `tail` or `head` by a compare-and-swap from the protected segment.
//! * The thread whose compare-and-swap moves `head` past a segment retires
//!   it (`pool.rs`); it is recycled or freed once no hazard protects it.
//!   Since a protected segment is never recycled, `head` and `tail` never
//!   come back to it meanwhile, and compare-and-swaps from it cannot suffer
//!   ABA.

use core::fmt;
use core::marker::PhantomData;
use core::panic::{RefUnwindSafe, UnwindSafe};
use core::ptr;

use crossbeam_utils::CachePadded;
use vyukov_mpmc::{Pop, PopBatch};

use crate::hazard::{Guard, Hazards};
use crate::pool::Pool;
use crate::segment::Segment;
use crate::sync::{AtomicPtr, Ordering, retry_hint};

/// The capacity of the first segment of a queue made by [`SegQueue::new`].
/// Each segment added after it has twice the capacity of the one before,
/// up to [`SegQueue::max_segment_capacity`].
pub const FIRST_SEGMENT_CAPACITY: usize = 32;

/// The most slots a segment of a queue made by [`SegQueue::new`] grows to
/// (fewer for large values: see [`MAX_SEGMENT_BYTES`]).
pub const MAX_SEGMENT_CAPACITY: usize = 1024;

/// About how many bytes of values a segment of a queue made by
/// [`SegQueue::new`] grows to: segments of large values stop growing
/// sooner (but never below [`FIRST_SEGMENT_CAPACITY`] slots).
pub const MAX_SEGMENT_BYTES: usize = 16 * 1024;

/// The capacity segments of a `SegQueue<T>` made by `new` grow to.
const fn max_segment_capacity<T>() -> usize {
    // Each slot holds a value and a lap stamp (a `usize`).
    let slot = size_of::<T>() + size_of::<usize>();
    let by_bytes = MAX_SEGMENT_BYTES / slot;
    let capped = if by_bytes < MAX_SEGMENT_CAPACITY {
        by_bytes
    } else {
        MAX_SEGMENT_CAPACITY
    };
    if capped > FIRST_SEGMENT_CAPACITY {
        capped
    } else {
        FIRST_SEGMENT_CAPACITY
    }
}

/// An unbounded multi-producer multi-consumer FIFO queue: a linked list of
/// bounded segments.
///
/// A drop-in replacement for `crossbeam_queue::SegQueue`: same methods, same
/// meaning. See the [crate docs](crate) for how it works.
///
/// ```
/// use seg_queue::SegQueue;
///
/// let q = SegQueue::new();
/// q.push('a');
/// q.push('b');
/// assert_eq!(q.len(), 2);
/// assert_eq!(q.pop(), Some('a'));
/// assert_eq!(q.pop(), Some('b'));
/// assert_eq!(q.pop(), None);
/// ```
pub struct SegQueue<T> {
    /// The segment consumers pop from; null until the first push.
    head: CachePadded<AtomicPtr<Segment<T>>>,

    /// The segment producers push into (the last one, or the one before it
    /// while a producer that linked a new segment has not moved `tail` to it
    /// yet); null until the first push.
    tail: CachePadded<AtomicPtr<Segment<T>>>,

    /// What keeps a segment alive while a thread uses it.
    hazards: Hazards<T>,

    /// The spare segment and the retired ones.
    pool: Pool<T>,

    /// The queue owns `T`s (through raw pointers the compiler cannot see).
    _owns: PhantomData<T>,
}

// SAFETY: the queue owns its values and moves them between threads, so it
// can be sent when `T` can.
unsafe impl<T: Send> Send for SegQueue<T> {}
// SAFETY: shared access only moves whole values in and out (through the
// segments' rings, whose slots are accessed by one thread at a time), and
// the segments themselves are shared under the hazard protocol. Values
// cross threads but are never shared: `T: Send` suffices, as for a channel.
unsafe impl<T: Send> Sync for SegQueue<T> {}

// No user code runs while the queue is mid-update (values are only moved),
// so a panic cannot leave it broken.
impl<T> UnwindSafe for SegQueue<T> {}
impl<T> RefUnwindSafe for SegQueue<T> {}

impl<T> SegQueue<T> {
    /// Creates an empty queue. Allocates nothing: the first segment is made
    /// by the first push. `const`, so it can initialise a `static`.
    ///
    /// The first segment holds [`FIRST_SEGMENT_CAPACITY`] values; each one
    /// added after it (only when the last one overflows, that is when the
    /// queue grows) holds twice as many as the one before, up to
    /// [`SegQueue::max_segment_capacity`]. So a short queue stays small,
    /// and a long one crosses a segment boundary (a few atomic operations
    /// and, without a recycled spare, an allocation) rarely.
    ///
    /// ```
    /// use seg_queue::SegQueue;
    ///
    /// static JOBS: SegQueue<u32> = SegQueue::new();
    /// JOBS.push(7);
    /// assert_eq!(JOBS.pop(), Some(7));
    /// ```
    #[cfg(not(seg_queue_loom))]
    pub const fn new() -> SegQueue<T> {
        SegQueue {
            head: CachePadded::new(AtomicPtr::new(ptr::null_mut())),
            tail: CachePadded::new(AtomicPtr::new(ptr::null_mut())),
            hazards: Hazards::new(),
            pool: Pool::new(FIRST_SEGMENT_CAPACITY, max_segment_capacity::<T>()),
            _owns: PhantomData,
        }
    }

    /// Creates an empty queue whose segments grow (not `const` under loom,
    /// whose atomics are not).
    #[cfg(seg_queue_loom)]
    pub fn new() -> SegQueue<T> {
        SegQueue {
            head: CachePadded::new(AtomicPtr::new(ptr::null_mut())),
            tail: CachePadded::new(AtomicPtr::new(ptr::null_mut())),
            hazards: Hazards::new(),
            pool: Pool::new(FIRST_SEGMENT_CAPACITY, max_segment_capacity::<T>()),
            _owns: PhantomData,
        }
    }

    /// Creates an empty queue whose segments all hold `capacity` values
    /// (no growth).
    ///
    /// Larger segments mean fewer segment changes (each costs a few atomic
    /// operations and, without a spare, an allocation); smaller ones mean
    /// less memory held when the queue is nearly empty. Allocates nothing
    /// until the first push.
    ///
    /// # Panics
    ///
    /// If `capacity` is zero. (A capacity too large for memory fails at the
    /// first push, as any allocation that large would.)
    ///
    /// ```
    /// let q = seg_queue::SegQueue::with_segment_capacity(2);
    /// for i in 0..5 {
    ///     q.push(i); // three segments
    /// }
    /// assert_eq!(q.len(), 5);
    /// assert_eq!(q.max_segment_capacity(), 2);
    /// ```
    pub fn with_segment_capacity(capacity: usize) -> SegQueue<T> {
        assert!(capacity > 0, "segment capacity must be non-zero");
        SegQueue {
            head: CachePadded::new(AtomicPtr::new(ptr::null_mut())),
            tail: CachePadded::new(AtomicPtr::new(ptr::null_mut())),
            hazards: Hazards::new(),
            pool: Pool::new(capacity, capacity),
            _owns: PhantomData,
        }
    }

    /// The most values a segment holds: the capacity given to
    /// [`SegQueue::with_segment_capacity`], or the capacity that the
    /// segments of a queue made by [`SegQueue::new`] grow to
    /// ([`MAX_SEGMENT_CAPACITY`], or fewer for values so large that
    /// segments would pass [`MAX_SEGMENT_BYTES`]).
    ///
    /// ```
    /// use seg_queue::{FIRST_SEGMENT_CAPACITY, MAX_SEGMENT_CAPACITY, SegQueue};
    ///
    /// assert_eq!(SegQueue::<u64>::new().max_segment_capacity(), MAX_SEGMENT_CAPACITY);
    /// assert_eq!(SegQueue::<[u8; 4096]>::new().max_segment_capacity(), FIRST_SEGMENT_CAPACITY);
    /// assert_eq!(SegQueue::<u64>::with_segment_capacity(7).max_segment_capacity(), 7);
    /// ```
    pub fn max_segment_capacity(&self) -> usize {
        self.pool.max_capacity()
    }

    /// Pushes `value` at the back of the queue. Never fails (short of
    /// running out of memory, which aborts as any allocation does).
    ///
    /// ```
    /// let q = seg_queue::SegQueue::new();
    /// q.push(10);
    /// q.push(20);
    /// assert_eq!(q.pop(), Some(10));
    /// ```
    pub fn push(&self, mut value: T) {
        let mut guard = loop {
            match self.hazards.protect(&self.tail) {
                Some(guard) => break guard,
                None => match self.push_first(value) {
                    Ok(()) => return,
                    Err(back) => value = back,
                },
            }
        };
        loop {
            match guard.segment().queue.push_or_close(value) {
                Ok(()) => return,
                // Closed for good (perhaps by us, because it was full): the
                // value goes to the next segment.
                Err(back) => value = back,
            }
            match self.append(&guard, value) {
                Ok(()) => return,
                Err(back) => value = back,
            }
            retry_hint();
            guard.reprotect(&self.tail);
        }
    }

    /// The first push: makes the first segment, holding `value` already,
    /// and installs it as `head` and `tail`. `Err(value)` if another
    /// producer installed one first; then `tail` is set when this returns.
    #[cold]
    fn push_first(&self, value: T) -> Result<(), T> {
        let seg = self.unlinked_segment_with(value, self.pool.first_capacity(), 0);

        // SeqCst: a head write, in the total order that the hazard
        // protocol's validating loads read; as a Release it publishes the
        // segment (and its value) to consumers' loads of `head`. Acquire on
        // failure: we store the winner's segment into `tail` below, so our
        // Release there must carry its initialisation; SeqCst on failure
        // too, so that our `tail` write comes after the winner's `head`
        // write in the total order S (an Acquire read between two SeqCst
        // writes orders them by happens-before only, not in S: see
        // `advance_head`).
        match self
            .head
            .compare_exchange(ptr::null_mut(), seg, Ordering::SeqCst, Ordering::SeqCst)
        {
            Ok(_) => {
                // SeqCst: a tail write, as above; Release publishes the
                // segment to producers.
                let _ = self.tail.compare_exchange(
                    ptr::null_mut(),
                    seg,
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                );
                Ok(())
            }
            Err(first) => {
                // SAFETY: never published, so still ours alone.
                let value = unsafe { (*seg).queue.pop_mut() }.expect("we pushed one value");
                // SAFETY: never published, empty again, not used again.
                unsafe { self.pool.give(seg) };
                // Help the winner: while `tail` is null no producer can
                // reach the first segment, so nobody can close it and
                // `head` cannot have moved on from it.
                // SeqCst and Relaxed: as above.
                let _ = self.tail.compare_exchange(
                    ptr::null_mut(),
                    first,
                    Ordering::SeqCst,
                    Ordering::Relaxed,
                );
                Err(value)
            }
        }
    }

    /// A segment to link after `last`, holding `value` already: its
    /// capacity grows from `last`'s, its position follows `last`'s. Not
    /// linked yet, so the caller's alone.
    fn segment_after(&self, last: &Segment<T>, value: T) -> *mut Segment<T> {
        let capacity = self.pool.next_capacity(last.queue.capacity());
        self.unlinked_segment_with(value, capacity, last.next_position())
    }

    /// An empty segment of `capacity` slots from the pool, at `position`,
    /// holding `value`. Not linked yet, so the caller's alone.
    fn unlinked_segment_with(&self, value: T, capacity: usize, position: usize) -> *mut Segment<T> {
        let seg = self.pool.take(&self.hazards, capacity);
        // SAFETY: fresh from the pool: live, and ours alone until linked.
        unsafe { Segment::set_position(seg, position) };
        // SAFETY: as just above; only shared references are made to it.
        unsafe { &*seg }
            .queue
            .push(value)
            .expect("an empty, open segment has room");
        seg
    }

    /// The tail segment that `guard` protects is closed. Links a new segment
    /// after it that holds `value` already and moves `tail` to it; or, if
    /// another producer linked one first, helps move `tail` to that one and
    /// gives `value` back.
    #[cold]
    fn append(&self, guard: &Guard<'_, T>, value: T) -> Result<(), T> {
        let seg = guard.ptr();
        // Acquire: pairs with the Release compare-and-swap below by the
        // producer that linked `next`, so that our Release store of it into
        // `tail` carries its initialisation to other threads. SeqCst: the
        // `tail` write below then follows the link in S (see
        // `advance_head`).
        let next = guard.segment().next.load(Ordering::SeqCst);
        if !next.is_null() {
            // SeqCst: a tail write (see `push_first`).
            let _ = self
                .tail
                .compare_exchange(seg, next, Ordering::SeqCst, Ordering::Relaxed);
            return Err(value);
        }

        let new = self.segment_after(guard.segment(), value);

        // Release on success: publishes the new segment (its reset, index
        // and value) to the Acquire loads of `next` here and in
        // `advance_head`. SeqCst, not just Release: the push of the value
        // takes effect here, a write in the total order S that the SeqCst
        // re-load of `next` in `advance_head` is ordered against, so that
        // an "empty" answer is a point in S (see there). SeqCst on failure:
        // see the load above.
        match guard.segment().next.compare_exchange(
            ptr::null_mut(),
            new,
            Ordering::SeqCst,
            Ordering::SeqCst,
        ) {
            Ok(_) => {
                // SeqCst: a tail write (see `push_first`).
                let _ = self
                    .tail
                    .compare_exchange(seg, new, Ordering::SeqCst, Ordering::Relaxed);
                Ok(())
            }
            Err(next) => {
                // Another producer linked its segment first. Ours was never
                // published: take the value back and return the segment.
                // SAFETY: `new` is still ours alone.
                let value = unsafe { (*new).queue.pop_mut() }.expect("we pushed one value");
                // SAFETY: never published, empty again, not used again.
                unsafe { self.pool.give(new) };
                // SeqCst: a tail write (see `push_first`).
                let _ = self
                    .tail
                    .compare_exchange(seg, next, Ordering::SeqCst, Ordering::Relaxed);
                Err(value)
            }
        }
    }

    /// Pops the value at the front of the queue (the oldest), or `None` if
    /// the queue is empty.
    ///
    /// ```
    /// let q = seg_queue::SegQueue::new();
    /// assert_eq!(q.pop(), None);
    /// q.push(1);
    /// assert_eq!(q.pop(), Some(1));
    /// assert_eq!(q.pop(), None);
    /// ```
    pub fn pop(&self) -> Option<T> {
        let mut guard = self.hazards.protect(&self.head)?;
        loop {
            match guard.segment().queue.pop() {
                Pop::Item(value) => return Some(value),
                // Open, so the last segment, and empty.
                Pop::Empty => return None,
                // Closed, and every value in it taken: move on.
                Pop::Drained => {}
            }
            if !self.advance_head(&mut guard) {
                return None;
            }
            retry_hint();
        }
    }

    /// Pops up to `max` values at once, oldest first, with one claim on the
    /// head segment where [`pop`](SegQueue::pop) needs one per value: for
    /// consumers that move values on in bulk. A batch never spans two
    /// segments, so it may hold fewer than `max` even when the queue holds
    /// more; at most [`PopBatch::CAPACITY`] (32 values of up to 16 bytes).
    /// Empty only if the queue is (as `pop` returning `None`); `max == 0`
    /// takes nothing.
    ///
    /// The values are moved out of the queue before this returns: the
    /// batch holds them, and values not taken drop with it.
    ///
    /// ```
    /// let q = seg_queue::SegQueue::new();
    /// for i in 0..5 {
    ///     q.push(i);
    /// }
    /// assert_eq!(q.pop_batch(3).collect::<Vec<_>>(), [0, 1, 2]);
    /// assert_eq!(q.pop_batch(3).collect::<Vec<_>>(), [3, 4]);
    /// assert_eq!(q.pop_batch(3).len(), 0);
    /// ```
    pub fn pop_batch(&self, max: usize) -> PopBatch<T> {
        if max == 0 {
            return PopBatch::default();
        }
        let Some(mut guard) = self.hazards.protect(&self.head) else {
            return PopBatch::default();
        };
        loop {
            match guard.segment().queue.pop_batch(max) {
                // Moved out of the segment already: the guard may go.
                Pop::Item(batch) => return batch,
                Pop::Empty => return PopBatch::default(),
                // Closed, and every value in it taken: move on, as `pop`.
                Pop::Drained => {}
            }
            if !self.advance_head(&mut guard) {
                return PopBatch::default();
            }
            retry_hint();
        }
    }

    /// The head segment that `guard` protects is drained. Moves `head` to
    /// the next segment (after making sure `tail` is past the drained one),
    /// retires the drained segment if this thread's compare-and-swap moved
    /// `head`, and protects the new head. `false` if there is no next
    /// segment yet: the producer that closed this one is still linking it,
    /// and until then the queue is empty.
    #[cold]
    fn advance_head(&self, guard: &mut Guard<'_, T>) -> bool {
        let seg = guard.ptr();
        // Acquire: as in `append`: our Release stores of `next` into `tail`
        // and `head` must carry its initialisation. SeqCst, for two
        // reasons, both about the total order S of SeqCst operations:
        // - Null is the "empty" verdict (the caller answers `None`), and it
        //   is decided at a point of S, as every other "empty" of the queue
        //   is (the ring's SeqCst head and tail loads, `Hazards::protect`'s
        //   null check), against the SeqCst link in `append`. Without it,
        //   C++20 allows `push(1); r1 = f.load(SeqCst)` against
        //   `f.store(true, SeqCst); r2 = pop()` to end with `r1 == false &&
        //   r2 == None`, and a caller's Dekker pair built on SeqCst
        //   operations (a wake-up check) could lose its wake-up.
        // - Not null, we copy it into `tail` and `head` below. A SeqCst
        //   write after an Acquire read of another SeqCst write is ordered
        //   after it by happens-before, but not in S; read with SeqCst,
        //   the link comes before our copies in S, so a thread that finds
        //   the new segment through them (and pushes into it) cannot have
        //   its push judged "not yet" by an "empty" verdict ordered after
        //   it. Every copy of a segment pointer into `head` or `tail` reads
        //   it so (here, `append`, `push_first`).
        // A plain `mov` on x86 either way; cold (the head segment drained).
        // loom checks SeqCst as AcqRel and cannot see the difference.
        let next = guard.segment().next.load(Ordering::SeqCst);
        if next.is_null() {
            return false;
        }
        // `tail` first, so it is never behind `head`.
        // SeqCst on success: a tail write (see `push_first`). SeqCst on
        // failure too: the hazard protocol needs "tail is past `seg`" to
        // come before the scan in `retire` in the total order.
        let _ = self
            .tail
            .compare_exchange(seg, next, Ordering::SeqCst, Ordering::SeqCst);
        // SeqCst: the unlink of the hazard protocol (`hazard.rs`): after it
        // in the total order, no validation finds `seg` in `head` or `tail`.
        let unlinked = self
            .head
            .compare_exchange(seg, next, Ordering::SeqCst, Ordering::Relaxed)
            .is_ok();
        // Our own hazard moves off `seg` before it is retired.
        guard.reprotect(&self.head);
        if unlinked {
            // SAFETY: our compare-and-swap moved `head` past `seg`, `tail`
            // was past it already; it is drained; only we retire it.
            unsafe { self.pool.retire(seg, &self.hazards) };
        }
        true
    }

    /// The number of values in the queue.
    ///
    /// Exact when no other thread is pushing or popping. Under concurrency
    /// it counts the head segment, the tail segment and the full segments
    /// between them at slightly different moments, so it may be off by the
    /// values that moved meanwhile (as any length of a concurrent queue is
    /// stale by the time it is used).
    ///
    /// ```
    /// let q = seg_queue::SegQueue::with_segment_capacity(4);
    /// for i in 0..10 {
    ///     q.push(i);
    /// }
    /// q.pop();
    /// assert_eq!(q.len(), 9);
    /// ```
    pub fn len(&self) -> usize {
        loop {
            let Some(head) = self.hazards.protect(&self.head) else {
                return 0;
            };
            let Some(tail) = self.hazards.protect(&self.tail) else {
                // The first push is installing the first segment.
                return head.segment().queue.len();
            };
            let (h, t) = (head.segment(), tail.segment());
            let len = if head.ptr() == tail.ptr() {
                h.queue.len()
            } else {
                // `tail` was read after `head` and is never behind it, so
                // `t` comes after `h`; the segments between are full (and
                // closed, untouched by consumers).
                let between = t.position().wrapping_sub(h.next_position());
                h.queue
                    .len()
                    .saturating_add(between)
                    .saturating_add(t.queue.len())
            };
            // SeqCst: checks, in the same total order as the protecting
            // loads, that neither end moved to another segment while we
            // counted (else count again).
            if self.head.load(Ordering::SeqCst) == head.ptr()
                && self.tail.load(Ordering::SeqCst) == tail.ptr()
            {
                return len;
            }
            retry_hint();
        }
    }

    /// Whether the queue is empty.
    ///
    /// Exact when no other thread is pushing or popping.
    ///
    /// ```
    /// let q = seg_queue::SegQueue::new();
    /// assert!(q.is_empty());
    /// q.push(());
    /// assert!(!q.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        let Some(head) = self.hazards.protect(&self.head) else {
            return true;
        };
        let h = &head.segment().queue;
        if !h.is_empty() {
            return false;
        }
        if !h.is_closed() {
            // Empty and open: the last segment.
            return true;
        }
        drop(head);
        // Drained: the values, if any, are further on.
        self.len() == 0
    }

    /// Pushes through an exclusive reference: no hazards, no contention.
    ///
    /// ```
    /// let mut q = seg_queue::SegQueue::new();
    /// q.push_mut(1);
    /// assert_eq!(q.pop_mut(), Some(1));
    /// ```
    pub fn push_mut(&mut self, value: T) {
        // Relaxed everywhere: `&mut self`, so no other thread is in the
        // queue, and whatever gave us the `&mut` ordered their work before.
        let tail = self.tail.load(Ordering::Relaxed);
        if tail.is_null() {
            if let Err(value) = self.push_first(value) {
                // `head` was set but not `tail` (impossible once every push
                // has returned, but harmless): `push_first` fixed `tail`.
                self.push_mut(value);
            }
            return;
        }
        // SAFETY: linked segments are live, and `&mut self` excludes every
        // other user.
        let last = unsafe { &*tail };
        let value = match last.queue.push_or_close(value) {
            Ok(()) => return,
            Err(value) => value,
        };
        let next = last.next.load(Ordering::Relaxed);
        if !next.is_null() {
            // `tail` lagged (impossible once every push has returned, but
            // harmless): catch up and retry.
            self.tail.store(next, Ordering::Relaxed);
            return self.push_mut(value);
        }
        let new = self.segment_after(last, value);
        last.next.store(new, Ordering::Relaxed);
        self.tail.store(new, Ordering::Relaxed);
    }

    /// Pops through an exclusive reference: no hazards, no contention.
    ///
    /// ```
    /// let mut q = seg_queue::SegQueue::with_segment_capacity(1);
    /// q.push(1);
    /// q.push(2);
    /// assert_eq!(q.pop_mut(), Some(1));
    /// assert_eq!(q.pop_mut(), Some(2));
    /// assert_eq!(q.pop_mut(), None);
    /// ```
    pub fn pop_mut(&mut self) -> Option<T> {
        // Relaxed everywhere: `&mut self`, see `push_mut`.
        loop {
            let head = self.head.load(Ordering::Relaxed);
            if head.is_null() {
                return None;
            }
            // SAFETY: linked segments are live, and `&mut self` excludes
            // every other user, so a unique reference is sound.
            let seg = unsafe { &mut *head };
            if let Some(value) = seg.queue.pop_mut() {
                return Some(value);
            }
            let next = seg.next.load(Ordering::Relaxed);
            if next.is_null() {
                return None;
            }
            if self.tail.load(Ordering::Relaxed) == head {
                self.tail.store(next, Ordering::Relaxed);
            }
            self.head.store(next, Ordering::Relaxed);
            // SAFETY: unlinked, empty, and with `&mut self` no hazard is
            // left on it: ours alone, not used again.
            unsafe { self.pool.give(head) };
        }
    }
}

impl<T> Drop for SegQueue<T> {
    fn drop(&mut self) {
        // Relaxed: `&mut self`, see `push_mut`. Each linked segment is freed
        // once, dropping the values still in it, oldest first. If a value's
        // destructor panics, its segment still drops the rest of its values
        // (the ring's own guard), and `rest` frees the later segments while
        // unwinding. The pool and the hazard table free what they hold when
        // they drop next.
        let mut rest = FreeSegmentsFrom(self.head.load(Ordering::Relaxed));
        rest.free_all();
    }
}

/// The segments of a dropped queue not freed yet: the first, and those
/// linked after it. A guard, so that unwinding out of one segment's values
/// still frees the later ones.
struct FreeSegmentsFrom<T>(*mut Segment<T>);

impl<T> FreeSegmentsFrom<T> {
    /// Frees every segment left, first to last.
    fn free_all(&mut self) {
        while !self.0.is_null() {
            let seg = self.0;
            // Relaxed: as in `SegQueue::drop`.
            // SAFETY: linked segments are live; the queue being dropped
            // (`&mut`) excludes every other user.
            self.0 = unsafe { (*seg).next.load(Ordering::Relaxed) };
            // The cursor has moved past `seg` before it is freed, so a panic
            // out of its values never frees it again.
            // SAFETY: linked once, reached once on this walk, not used again.
            unsafe { Segment::free(seg) };
        }
    }
}

impl<T> Drop for FreeSegmentsFrom<T> {
    fn drop(&mut self) {
        // Nothing left after a normal `free_all`; the segments after the one
        // that panicked when unwinding out of it.
        self.free_all();
    }
}

/// Shows the length and the largest segment capacity.
///
/// ```
/// let q = seg_queue::SegQueue::with_segment_capacity(8);
/// q.push(1);
/// assert_eq!(
///     format!("{q:?}"),
///     "SegQueue { len: 1, max_segment_capacity: 8, .. }"
/// );
/// ```
impl<T> fmt::Debug for SegQueue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SegQueue")
            .field("len", &self.len())
            .field("max_segment_capacity", &self.max_segment_capacity())
            .finish_non_exhaustive()
    }
}

impl<T> Default for SegQueue<T> {
    /// An empty queue, as [`SegQueue::new`].
    fn default() -> SegQueue<T> {
        SegQueue::new()
    }
}
