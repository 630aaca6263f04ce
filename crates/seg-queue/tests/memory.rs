//! Memory follows what is queued, not what was ever pushed: a counting
//! global allocator shows that millions of push/pop rounds leave the live
//! heap within a few segments of where it started, and that the steady
//! state allocates (almost) nothing: drained segments are recycled.
//!
//! One `#[test]` only: the allocator counts every thread of this test
//! binary, so the scenarios run one after another, alone. Threads keep
//! freeing after a scope has joined them (their thread-local destructor
//! list, for one, is freed as the thread exits), so the single-threaded
//! scenarios count only the calling thread's bytes: exact, whatever other
//! threads are doing.
//! `cargo test -p seg-queue --test memory -- --nocapture` prints the
//! figures.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering::Relaxed};
use std::thread;

use seg_queue::SegQueue;

/// Counts live bytes and allocations, then defers to the system allocator.
struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// Live bytes this thread allocated minus those it freed. A `const`
    /// cell with no destructor: reading it never allocates and works while
    /// the thread exits.
    static THREAD_LIVE: Cell<isize> = const { Cell::new(0) };
}

fn count(bytes: isize) {
    LIVE.fetch_add(bytes, Relaxed);
    THREAD_LIVE.with(|live| live.set(live.get() + bytes));
}

// SAFETY: every method forwards to `System` with the caller's arguments,
// and only adds bookkeeping on relaxed atomics (no allocation of its own).
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            count(layout.size() as isize);
            ALLOCATIONS.fetch_add(1, Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-(layout.size() as isize));
        // SAFETY: the caller's contract, forwarded.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: the caller's contract, forwarded.
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            count(new_size as isize - layout.size() as isize);
            ALLOCATIONS.fetch_add(1, Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Live bytes of the whole process, every thread's.
fn live() -> isize {
    LIVE.load(Relaxed)
}

/// Live bytes the calling thread allocated and has not freed itself.
fn this_thread_live() -> isize {
    THREAD_LIVE.with(Cell::get)
}

fn allocations() -> usize {
    ALLOCATIONS.load(Relaxed)
}

const CAPACITY: usize = 64;

/// Bytes of one segment of `CAPACITY` `u64`s (the segment and its ring),
/// measured: the first push of an empty queue allocates exactly one.
fn segment_bytes() -> isize {
    let q = SegQueue::<u64>::with_segment_capacity(CAPACITY);
    let before = this_thread_live();
    q.push(0);
    let bytes = this_thread_live() - before;
    drop(q);
    bytes
}

/// `threads` threads at once each push `backlog` values, then run `rounds`
/// rounds of push-then-pop on one queue. Returns the live bytes above the
/// start (before the first push) at the end of the rounds, with the backlog
/// still queued, and the number of allocations the rounds made.
fn rounds(threads: usize, backlog: usize, rounds: usize) -> (isize, usize) {
    let q = SegQueue::<u64>::with_segment_capacity(CAPACITY);
    // Spawn the threads first, so that the threads' own allocations are not
    // counted as the queue's.
    let start = std::sync::Barrier::new(threads + 1);
    let filled = std::sync::Barrier::new(threads + 1);
    let done = std::sync::Barrier::new(threads + 1);
    let figures = thread::scope(|s| {
        for t in 0..threads {
            let (q, start, filled, done) = (&q, &start, &filled, &done);
            s.spawn(move || {
                start.wait();
                for i in 0..backlog {
                    q.push(i as u64);
                }
                filled.wait();
                for i in 0..rounds {
                    q.push((t * rounds + i) as u64);
                    assert!(q.pop().is_some());
                }
                done.wait();
            });
        }
        let base = live();
        start.wait();
        filled.wait();
        let allocs_before = allocations();
        done.wait();
        (live() - base, allocations() - allocs_before)
    });
    assert_eq!(q.len(), threads * backlog);
    figures
}

#[test]
fn memory_follows_what_is_queued() {
    let segment = segment_bytes();
    let n = if cfg!(miri) { 256 } else { 10_000_000 };
    println!("segment capacity {CAPACITY}: one segment (u64) = {segment} bytes");

    // Without a backlog the queue never holds more than a segment: its
    // ring is reused lap after lap. With one, values flow through segments
    // and a segment boundary is crossed every `CAPACITY` rounds.
    for (threads, backlog) in [(1, 0), (2, 0), (1, 100), (2, 100)] {
        let per_thread = n / threads;
        let (grown, allocs) = rounds(threads, backlog, per_thread);
        let queued = threads * backlog;
        let boundaries = if backlog == 0 { 0 } else { n / CAPACITY };
        println!(
            "{threads} thread(s), {queued} values queued, {n} push/pop rounds \
             (~{boundaries} segment boundaries): live heap {grown:+} bytes \
             ({:.2} segments), {allocs} allocations during the rounds",
            grown as f64 / segment as f64
        );
        // The segments holding the backlog (one more where it straddles a
        // boundary), the two spares, and at most one retired segment per thread
        // still protected by a hazard.
        let allowed = (queued / CAPACITY + 2 + 1 + threads) as isize * segment;
        assert!(
            grown <= allowed,
            "live heap grew by {grown} bytes (allowed {allowed}): more than a few segments"
        );
        // The steady state recycles instead of allocating: a handful of
        // segments (when producers race to link, or a retired segment is
        // still protected and the spares run out), not one per boundary.
        assert!(
            allocs <= 16 + boundaries / 100,
            "{allocs} allocations for {boundaries} segment boundaries"
        );
    }

    // A burst on this thread alone: the heap grows with the backlog, then
    // shrinks back. Only this thread's bytes: the threads of the rounds above
    // may still be exiting and freeing theirs.
    let q = SegQueue::<u64>::with_segment_capacity(CAPACITY);
    let base = this_thread_live();
    let burst = if cfg!(miri) { 200 } else { 200_000 };
    for i in 0..burst {
        q.push(i);
    }
    let peak = this_thread_live() - base;
    while q.pop().is_some() {}
    let after = this_thread_live() - base;
    drop(q);
    let left_after_drop = this_thread_live() - base;
    // Printed only now: a captured `println!` may grow the capture buffer,
    // which this thread's count would see.
    println!(
        "burst of {burst}: live heap {peak:+} bytes at the peak, {after:+} bytes once popped \
         ({:.2} segments), {left_after_drop:+} once dropped",
        after as f64 / segment as f64
    );
    assert!(peak >= (burst as isize / CAPACITY as isize - 1) * segment);
    // The current segment and the two spares.
    assert!(after <= 3 * segment, "{after} bytes left after the burst");
    assert_eq!(left_after_drop, 0, "dropping the queue frees everything");
}
