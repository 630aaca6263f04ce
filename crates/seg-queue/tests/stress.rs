//! Release-mode stress: 8 producers and 8 consumers, millions of values.
//!
//! Ignored by plain `cargo test`; `cargo xtask verify --only stress` runs it
//! with `--release -- --ignored`.

#[path = "support/counted.rs"]
mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::Instant;

use common::{Counted, drop_counter, drops};
use seg_queue::SegQueue;

/// `producers` threads push `per` values each, tagged with the producer;
/// `consumers` threads pop until every value is taken. Every value must be
/// seen exactly once, and each consumer must see each producer's values in
/// the order they were pushed.
fn stress(capacity: Option<usize>, producers: usize, consumers: usize, per: usize) {
    let started = Instant::now();
    // `None`: `SegQueue::new`, whose segments grow.
    let q = capacity.map_or_else(
        SegQueue::<(usize, usize)>::new,
        SegQueue::with_segment_capacity,
    );
    let total = producers * per;
    let seen: Vec<AtomicBool> = (0..total).map(|_| AtomicBool::new(false)).collect();
    let taken = AtomicUsize::new(0);
    let empty_pops = AtomicUsize::new(0);
    thread::scope(|s| {
        // Consumers first, so they are already popping as values arrive.
        for _ in 0..consumers {
            let (q, seen, taken, empty_pops) = (&q, &seen, &taken, &empty_pops);
            s.spawn(move || {
                let mut last = vec![None; producers];
                let mut mine = 0;
                let mut empties = 0;
                loop {
                    match q.pop() {
                        Some((p, i)) => {
                            assert!(last[p] < Some(i), "producer {p}'s values out of order");
                            last[p] = Some(i);
                            assert!(!seen[p * per + i].swap(true, SeqCst), "({p}, {i}) twice");
                            mine += 1;
                            if mine == 1024 {
                                taken.fetch_add(mine, SeqCst);
                                mine = 0;
                            }
                        }
                        None => {
                            taken.fetch_add(mine, SeqCst);
                            mine = 0;
                            if taken.load(SeqCst) == total {
                                break;
                            }
                            empties += 1;
                            thread::yield_now();
                        }
                    }
                }
                empty_pops.fetch_add(empties, SeqCst);
            });
        }
        for p in 0..producers {
            let q = &q;
            s.spawn(move || {
                for i in 0..per {
                    q.push((p, i));
                }
            });
        }
    });
    assert_eq!(taken.load(SeqCst), total);
    assert!(seen.iter().all(|s| s.load(SeqCst)), "a value was lost");
    assert!(q.is_empty());
    assert_eq!(q.pop(), None);
    eprintln!(
        "segment capacity {capacity:?}: {producers}P/{consumers}C, {total} values in {:.2?} \
         ({} empty pops)",
        started.elapsed(),
        empty_pops.load(SeqCst)
    );
}

#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn eight_producers_eight_consumers_millions_growing_segments() {
    stress(None, 8, 8, 1_000_000);
}

#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn tiny_segments_cross_a_boundary_every_other_value() {
    stress(Some(2), 8, 8, 250_000);
}

#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn single_slot_segments() {
    stress(Some(1), 4, 4, 250_000);
}

#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn every_value_dropped_exactly_once_under_load() {
    let counter = drop_counter();
    let q = SegQueue::with_segment_capacity(4);
    let per = 200_000;
    thread::scope(|s| {
        for p in 0..8 {
            let (q, counter) = (&q, &counter);
            s.spawn(move || {
                for i in 0..per {
                    q.push(Counted::new(p * per + i, counter));
                }
            });
        }
        for _ in 0..8 {
            let q = &q;
            s.spawn(move || {
                // About half are popped (and dropped here), the rest stay
                // queued for the queue's `Drop`.
                for _ in 0..per / 2 {
                    drop(q.pop());
                }
            });
        }
    });
    let left = q.len();
    assert_eq!(drops(&counter) + left, 8 * per);
    drop(q);
    assert_eq!(drops(&counter), 8 * per);
}
