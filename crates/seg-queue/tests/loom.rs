//! Loom models of every race the queue's design argues about.
//!
//! Run with `cargo xtask verify --only loom` (it sets `--cfg seg_queue_loom`
//! and the other crates' loom cfgs, so vyukov-mpmc's rings are modelled
//! too), or by hand:
//! `RUSTFLAGS="--cfg vyukov_mpmc_loom --cfg seg_queue_loom"
//! CARGO_TARGET_DIR=target/loom LOOM_MAX_PREEMPTIONS=2
//! cargo test -p seg-queue --features loom --profile loom --test loom`.
//!
//! Each model uses segments of one or two values and two or three threads,
//! and checks that every value comes out exactly once, in order per
//! producer. Under loom the queue also checks itself: every segment carries
//! a loom-tracked generation cell that each protected use reads (when it
//! starts and when it ends) and each recycling or free writes, so a
//! use-after-free or use-after-recycle fails the model ("causality
//! violation", or a generation mismatch); and every segment and hazard
//! record is a tracked allocation, so a leak fails it too.
//!
//! The models keep to schedules in which at most one thread can be waiting
//! for another's half-finished ring operation (the rings' documented
//! window: a consumer that claimed a slot and has not released it yet holds
//! up the producer one lap later). Two threads spinning on a third make
//! loom's exploration unbounded ("exceeded maximum number of branches")
//! without adding anything to what is checked here.
//!
//! Mutations this file catches (each tried by hand, at preemption bound 2;
//! the models that fail it in brackets):
//! a hazard not validated against `head`/`tail` after it is published (7 of
//! 9); the scan in `Hazards::protects` ignoring hazards (5); a hazard
//! cleared with a `Relaxed` instead of a `Release` store (7); validation
//! without the store-then-load fence (the `SeqCst` fence in `validate` removed:
//! 4); and the original plan's lost-item flaw, segments never closed, so
//! producers push into any segment with room and consumers move on from an
//! empty one that has a successor (`stalled_producer_mid_reservation`).
//! Not caught: the unlinker's fence in `Hazards::protects` removed (its
//! head compare-and-swap and scan loads are `SeqCst`, which in C++ would
//! still order them with the protector's fence, but loom models them as
//! `AcqRel`: these models never reach a scan that reads a slot's older
//! value; the fence stays, since the argument is made with it, and
//! ThreadSanitizer runs the shipped code). Also not caught, and not a bug
//! on its own: `advance_head` not helping a
//! lagging `tail` first; the producer that linked the next segment still
//! protects the old one until it has moved `tail`, so the old one cannot be
//! recycled meanwhile. The help is there so that the retiring thread itself
//! sees `tail` past the segment before its scan, which is what the hazard
//! argument in `hazard.rs` uses.
#![cfg(seg_queue_loom)]

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

use loom::sync::Arc;
use loom::thread;
use seg_queue::SegQueue;

#[path = "support/loom_orders.rs"]
mod loom_orders;
use loom_orders::{check, run2, with};

/// Pops until the queue reports empty.
fn drain<T>(q: &SegQueue<T>) -> Vec<T> {
    std::iter::from_fn(|| q.pop()).collect()
}

/// Every value exactly once.
fn assert_exactly(mut got: Vec<usize>, expected: impl IntoIterator<Item = usize>) {
    got.sort_unstable();
    assert_eq!(got, expected.into_iter().collect::<Vec<_>>());
}

/// Strictly increasing: FIFO as one consumer sees one producer's values.
fn assert_increasing(got: &[usize]) {
    assert!(got.windows(2).all(|w| w[0] < w[1]), "out of order: {got:?}");
}

/// The stalled-producer race, the lost-item flaw of the original plan.
/// The producer may read the tail segment `A` and stall while the other
/// thread finds `A` full, closes it, links `B`, pops `A`'s value, moves
/// `head` past `A` (retiring it while the producer still protects it) and
/// pops on. When the producer resumes, its push must not land in the
/// drained `A`: it finds `A` closed and goes on to the newer segment.
/// Nothing is lost, nothing is freed under the producer.
#[test]
fn stalled_producer_on_a_drained_segment_loses_nothing() {
    check(2, |order| {
        let q = Arc::new(SegQueue::with_segment_capacity(1));
        q.push(0); // `A` is full
        let (popped, ()) = run2(
            order,
            with(&q, |q| {
                q.push(2); // closes `A`, links `B`
                let mut got = Vec::new();
                for _ in 0..3 {
                    got.extend(q.pop());
                }
                got
            }),
            with(&q, |q| q.push(1)),
        );
        assert_eq!(popped.first(), Some(&0));
        let mut got = popped;
        got.extend(drain(&q));
        assert_exactly(got, 0..3);
    });
}

/// The stalled-producer race again, with room in the segment: the
/// producer reads the tail of `A`'s ring and stalls before reserving the
/// slot; the other thread fills `A`, which closes it, and drains it. The
/// stalled reservation must fail on the closed ring (the `CLOSED` bit is in
/// the very word it compares against) rather than succeed into a drained
/// segment that no consumer will visit again.
#[test]
fn stalled_producer_mid_reservation_loses_nothing() {
    check(2, |order| {
        let q = Arc::new(SegQueue::with_segment_capacity(2));
        q.push(0);
        let (popped, ()) = run2(
            order,
            with(&q, |q| {
                q.push(2);
                q.push(3); // closes `A`
                (0..3).filter_map(|_| q.pop()).collect::<Vec<_>>()
            }),
            with(&q, |q| q.push(1)),
        );
        assert_eq!(popped.first(), Some(&0));
        let mut got = popped;
        got.extend(drain(&q));
        assert_exactly(got, 0..4);
    });
}

/// Two producers find the tail segment full at once and race to link the
/// next one. Exactly one link wins; the loser takes its value back out of
/// its own segment and returns the segment to the pool (loom's leak check
/// fails the model if it is lost). Both values arrive, after the first.
#[test]
fn two_producers_race_to_link_the_next_segment() {
    check(2, |order| {
        let q = Arc::new(SegQueue::with_segment_capacity(1));
        q.push(0);
        run2(order, with(&q, |q| q.push(1)), with(&q, |q| q.push(2)));
        let got = drain(&q);
        assert_eq!(got[0], 0);
        assert_exactly(got, 0..3);
    });
}

/// A producer links `B` after the full `A` and stalls before moving `tail`
/// to it; the other thread drains `A`, moves on to `B` and pushes again.
/// `tail` must never be left behind `head`: if it were, the drained `A`
/// would be recycled while `tail` still pointed to it, and the next push
/// would land in a segment no consumer will ever reach again.
#[test]
fn lagging_tail_is_moved_before_head_passes_it() {
    check(2, |order| {
        let q = Arc::new(SegQueue::with_segment_capacity(1));
        q.push(0);
        let (mut got, ()) = run2(
            order,
            with(&q, |q| {
                let mut got: Vec<usize> = (0..2).filter_map(|_| q.pop()).collect();
                q.push(2);
                got.extend(q.pop());
                got
            }),
            with(&q, |q| q.push(1)),
        );
        got.extend(drain(&q));
        assert_exactly(got, 0..3);
    });
}

/// Two producers race to make the first segment of an empty queue (it is
/// allocated lazily, so `new` can be `const`): one installs it, the other
/// gives its segment back and pushes into the winner's. A consumer may pop
/// meanwhile.
#[test]
fn two_producers_race_to_make_the_first_segment() {
    check(2, |order| {
        let q = Arc::new(SegQueue::with_segment_capacity(2));
        let (early, ()) = run2(
            order,
            with(&q, |q| {
                q.push(2);
                q.pop()
            }),
            with(&q, |q| q.push(1)),
        );
        let mut got: Vec<usize> = early.into_iter().collect();
        got.extend(drain(&q));
        assert_exactly(got, 1..3);
    });
}

/// A consumer moves `head` past a drained segment and retires it while the
/// other consumer still protects it and is about to read it. The segment
/// must not be recycled or freed under the slow consumer (the generation
/// check fails the model if it is), and each consumer sees values in FIFO
/// order.
#[test]
fn consumer_advances_head_while_another_reads_the_old_segment() {
    check(2, |order| {
        let q = Arc::new(SegQueue::with_segment_capacity(1));
        for v in 0..3 {
            q.push(v); // segments [0] [1] [2]
        }
        let pop2 = |q: &SegQueue<usize>| -> Vec<usize> { (0..2).filter_map(|_| q.pop()).collect() };
        let (a, b) = run2(order, with(&q, pop2), with(&q, pop2));
        assert_increasing(&a);
        assert_increasing(&b);
        let mut got = a;
        got.extend(b);
        got.extend(drain(&q));
        assert_exactly(got, 0..3);
    });
}

/// Recycling under load: a consumer retires drained segments while a
/// producer takes spares and links them again, and another consumer may
/// still protect an old segment. A recycled segment must never be reset
/// under a thread that still uses its previous life.
#[test]
fn recycled_segment_is_not_reset_under_a_stale_consumer() {
    loom::model(|| {
        let q = Arc::new(SegQueue::with_segment_capacity(1));
        q.push(0);
        q.push(1);
        let c = thread::spawn(with(&q, |q| q.pop()));
        let p = thread::spawn(with(&q, |q| {
            q.push(2);
            q.push(3);
        }));
        let mut got: Vec<usize> = q.pop().into_iter().collect();
        got.extend(c.join().unwrap());
        p.join().unwrap();
        got.extend(drain(&q));
        let pos = |v| got.iter().position(|&x| x == v).unwrap();
        assert!(pos(2) < pos(3) || pos(3) < 2, "{got:?}");
        assert_exactly(got, 0..4);
    });
}

/// `len` and `is_empty` protect two segments at once while a consumer
/// moves `head` and retires segments: no use-after-free, and the answers
/// stay within what the queue held.
#[test]
fn len_races_with_head_advancing() {
    check(2, |order| {
        let q = Arc::new(SegQueue::with_segment_capacity(1));
        q.push(0);
        q.push(1);
        let (len, popped) = run2(
            order,
            with(&q, |q| {
                let len = q.len();
                let _ = q.is_empty();
                len
            }),
            with(&q, |q| drain(q).len()),
        );
        assert!(len <= 2, "len {len}");
        assert_eq!(popped, 2);
        assert_eq!(q.len(), 0);
    });
}

/// A value that counts its drops.
struct Counted(std::sync::Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, SeqCst);
    }
}

/// The queue is dropped with several segments still linked (and spares,
/// and perhaps a retired segment), by whichever thread lets go of it last:
/// every value is dropped exactly once and every segment is freed (loom's
/// leak check).
#[test]
fn drop_while_segments_are_linked() {
    check(2, |order| {
        let drops = std::sync::Arc::new(AtomicUsize::new(0));
        let q = Arc::new(SegQueue::with_segment_capacity(1));
        q.push(Counted(std::sync::Arc::clone(&drops)));
        let (d1, d2) = (std::sync::Arc::clone(&drops), std::sync::Arc::clone(&drops));
        let (q1, q2) = (Arc::clone(&q), Arc::clone(&q));
        drop(q);
        run2(
            order,
            move || {
                q1.push(Counted(std::sync::Arc::clone(&d1)));
                q1.push(Counted(d1));
            },
            move || {
                drop(q2.pop());
                q2.push(Counted(d2));
            },
        );
        assert_eq!(drops.load(SeqCst), 4);
    });
}

/// `pop_batch` against a producer crossing segment boundaries: a batch
/// takes the ready values of the head segment only, moves on from a
/// drained one as `pop` does, and loses or repeats nothing; one consumer
/// sees one producer's values in order.
#[test]
fn pop_batch_while_a_producer_crosses_segments() {
    check(2, |order| {
        let q = Arc::new(SegQueue::with_segment_capacity(2));
        q.push(0);
        let (taken, ()) = run2(
            order,
            with(&q, |q| {
                let mut got: Vec<usize> = Vec::new();
                for _ in 0..2 {
                    got.extend(q.pop_batch(2));
                }
                got
            }),
            with(&q, |q| {
                q.push(1);
                q.push(2); // closes the first segment, links a second
            }),
        );
        assert_increasing(&taken);
        let mut got = taken;
        got.extend(q.pop_batch(8));
        got.extend(drain(&q));
        assert_increasing(&got);
        assert_exactly(got, 0..3);
    });
}
