//! `ClosableQueue`: close semantics, drained detection, and close racing
//! pushes.
#![cfg(not(vyukov_mpmc_loom))]

mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;

use common::{DropTable, scaled};
use vyukov_mpmc::{ClosableQueue, Pop, PushError};

/// The capacities every test walks through. Under miri the large one is
/// 100: miri's cost per atomic access grows with the number of atomics in
/// the allocation, and 1000 slots make the suite take many minutes.
const CAPS: [usize; 5] = [1, 2, 3, 7, scaled(1000, 100)];

#[test]
#[should_panic(expected = "capacity must be non-zero")]
fn zero_capacity_panics() {
    let _ = ClosableQueue::<u8>::new(0);
}

#[test]
#[should_panic(expected = "capacity is too large")]
fn capacity_reaching_the_closed_bit_panics() {
    // One lap would be 2^63, the CLOSED bit itself: refused before
    // anything is allocated.
    let _ = ClosableQueue::<u8>::new((usize::MAX >> 2) + 1);
}

#[test]
fn behaves_like_a_bounded_queue_while_open() {
    for cap in CAPS {
        let q = ClosableQueue::new(cap);
        assert_eq!(q.capacity(), cap);
        // A few laps, so the stamps wrap.
        for lap in 0..3 {
            assert_eq!(q.pop(), Pop::Empty);
            for i in 0..cap {
                assert_eq!(q.push(lap * cap + i), Ok(()));
            }
            assert!(q.is_full());
            assert_eq!(q.len(), cap);
            assert_eq!(q.push(0), Err(PushError::Full(0)));
            assert!(!q.is_closed());
            for i in 0..cap {
                assert_eq!(q.pop(), Pop::Item(lap * cap + i));
            }
            assert!(q.is_empty());
            assert_eq!(q.pop(), Pop::Empty);
            assert!(!q.is_drained());
        }
    }
}

#[test]
fn push_or_close_closes_exactly_when_full() {
    for cap in CAPS {
        let q = ClosableQueue::new(cap);
        // Off index 0 first.
        for i in 0..cap / 2 + 1 {
            q.push_or_close(i).unwrap();
            assert_eq!(q.pop(), Pop::Item(i));
        }
        for i in 0..cap {
            assert_eq!(q.push_or_close(i), Ok(()));
            assert!(!q.is_closed());
        }
        assert_eq!(q.push_or_close(99), Err(99));
        assert!(q.is_closed());
        assert!(q.is_full());
        assert_eq!(q.len(), cap);
        // Closed for good: room does not reopen it.
        assert_eq!(q.pop(), Pop::Item(0));
        assert_eq!(q.push_or_close(100), Err(100));
        assert_eq!(q.push(101), Err(PushError::Closed(101)));
        for i in 1..cap {
            assert_eq!(q.pop(), Pop::Item(i));
        }
        assert!(q.is_drained());
        assert_eq!(q.pop(), Pop::Drained);
        assert_eq!(q.pop(), Pop::Drained);
    }
}

#[test]
fn close_is_idempotent_and_keeps_values() {
    let q = ClosableQueue::new(4);
    q.push('a').unwrap();
    q.push('b').unwrap();
    assert!(!q.is_closed());
    assert!(q.close());
    assert!(!q.close());
    assert!(q.is_closed());
    assert_eq!(q.len(), 2);
    assert!(!q.is_empty());
    assert!(!q.is_full());
    assert!(!q.is_drained());
    assert_eq!(q.push('c'), Err(PushError::Closed('c')));
    assert_eq!(q.push_or_close('d'), Err('d'));
    assert_eq!(q.pop(), Pop::Item('a'));
    assert_eq!(q.pop(), Pop::Item('b'));
    assert_eq!(q.pop(), Pop::Drained);
    assert!(q.is_drained());
    assert!(q.is_empty());
    assert_eq!(q.len(), 0);
}

#[test]
fn closing_an_empty_queue_drains_it_at_once() {
    let q = ClosableQueue::<u8>::new(3);
    assert!(q.close());
    assert!(q.is_drained());
    assert_eq!(q.pop(), Pop::Drained);
}

#[test]
fn full_closed_queue_reports_closed() {
    let q = ClosableQueue::new(1);
    q.push(1).unwrap();
    q.close();
    assert_eq!(q.push(2), Err(PushError::Closed(2)));
}

#[test]
fn reopen_recycles_a_drained_queue() {
    for cap in CAPS {
        let mut q = ClosableQueue::new(cap);
        for round in 0..3 {
            for i in 0..cap {
                q.push_or_close(round * cap + i).unwrap();
            }
            assert_eq!(q.push_or_close(0), Err(0));
            for i in 0..cap {
                assert_eq!(q.pop(), Pop::Item(round * cap + i));
            }
            assert_eq!(q.pop(), Pop::Drained);
            assert!(q.reopen());
            assert!(!q.reopen());
            assert!(!q.is_closed());
            assert_eq!(q.pop(), Pop::Empty);
        }
    }
}

#[test]
fn reopen_keeps_values() {
    let mut q = ClosableQueue::new(2);
    q.push(1).unwrap();
    q.close();
    q.reopen();
    q.push(2).unwrap();
    assert_eq!(q.pop(), Pop::Item(1));
    assert_eq!(q.pop(), Pop::Item(2));
}

#[test]
fn pop_mut_ignores_closed() {
    let mut q = ClosableQueue::new(3);
    q.push(1).unwrap();
    q.push(2).unwrap();
    q.close();
    assert_eq!(q.pop_mut(), Some(1));
    assert_eq!(q.pop(), Pop::Item(2));
    assert_eq!(q.pop_mut(), None);
    assert_eq!(q.pop(), Pop::Drained);
}

#[test]
fn debug_output() {
    let q = ClosableQueue::new(3);
    q.push(1).unwrap();
    assert_eq!(
        format!("{q:?}"),
        "ClosableQueue { capacity: 3, len: 1, closed: false, .. }"
    );
    q.close();
    assert_eq!(
        format!("{q:?}"),
        "ClosableQueue { capacity: 3, len: 1, closed: true, .. }"
    );
}

#[test]
fn push_error_and_pop_helpers() {
    let full = PushError::Full(1);
    let closed = PushError::Closed(2);
    assert!(full.is_full() && !full.is_closed());
    assert!(closed.is_closed() && !closed.is_full());
    assert_eq!(format!("{full:?} {closed:?}"), "Full(..) Closed(..)");
    assert_eq!(full.to_string(), "pushing into a full queue");
    assert_eq!(closed.to_string(), "pushing into a closed queue");
    assert_eq!(full.into_inner() + closed.into_inner(), 3);
    let _: &dyn std::error::Error = &PushError::Full(());

    assert!(Pop::Item(1).is_item());
    assert!(Pop::<u8>::Empty.is_empty());
    assert!(Pop::<u8>::Drained.is_drained());
    assert_eq!(Pop::Item(1).item(), Some(1));
    assert_eq!(Pop::<u8>::Empty.item(), None);
}

#[test]
fn drops_exactly_once() {
    let table = DropTable::new(10);
    {
        let q = ClosableQueue::new(4);
        for id in 0..4 {
            q.push(table.make(id)).unwrap();
        }
        drop(q.pop()); // 0
        // Pushed: there was room after the pop.
        assert!(q.push_or_close(table.make(4)).is_ok());
        let back = q.push_or_close(table.make(5)).unwrap_err(); // full: closes
        assert_eq!(back.id, 5);
        drop(back);
        let back = q.push(table.make(6)).unwrap_err().into_inner();
        drop(back);
        assert!(q.is_closed());
        for id in 7..10 {
            drop(table.make(id));
        }
        // 1, 2, 3, 4 are left in the closed queue.
        for id in 1..5 {
            assert_eq!(table.drops(id), 0);
        }
    }
    table.assert_all_dropped_once();
}

#[test]
fn zero_sized_types() {
    let q = ClosableQueue::new(3);
    for _ in 0..3 {
        q.push_or_close(()).unwrap();
    }
    assert_eq!(q.push_or_close(()), Err(()));
    assert_eq!(q.len(), 3);
    assert_eq!(q.pop(), Pop::Item(()));
    assert_eq!(q.len(), 2);
}

/// Producers push until they see the queue closed; a closer closes it in
/// the middle; consumers pop until `Drained`. Every accepted value is popped
/// exactly once, and once a producer has seen "closed", no push succeeds.
#[test]
fn close_racing_pushes() {
    const PRODUCERS: usize = 3;
    const CONSUMERS: usize = 2;
    const MAX_PER_PRODUCER: usize = 1 << 20;
    let rounds = scaled(20, 3);
    for round in 0..rounds {
        let q = Arc::new(ClosableQueue::new(4));
        let start = Arc::new(Barrier::new(PRODUCERS + CONSUMERS + 1));
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let (q, start) = (Arc::clone(&q), Arc::clone(&start));
                thread::spawn(move || {
                    start.wait();
                    let mut accepted = Vec::new();
                    for i in 0..MAX_PER_PRODUCER {
                        let v = p * MAX_PER_PRODUCER + i;
                        match q.push(v) {
                            Ok(()) => accepted.push(v),
                            Err(PushError::Full(_)) => thread::yield_now(),
                            Err(PushError::Closed(back)) => {
                                assert_eq!(back, v);
                                assert!(q.is_closed());
                                // Closed for good.
                                for _ in 0..10 {
                                    assert_eq!(q.push(v), Err(PushError::Closed(v)));
                                    assert_eq!(q.push_or_close(v), Err(v));
                                }
                                return accepted;
                            }
                        }
                    }
                    panic!("never saw the close");
                })
            })
            .collect();
        let consumers: Vec<_> = (0..CONSUMERS)
            .map(|_| {
                let (q, start) = (Arc::clone(&q), Arc::clone(&start));
                thread::spawn(move || {
                    start.wait();
                    let mut got = Vec::new();
                    loop {
                        match q.pop() {
                            Pop::Item(v) => got.push(v),
                            Pop::Empty => thread::yield_now(),
                            Pop::Drained => {
                                assert!(q.is_drained());
                                assert_eq!(q.pop(), Pop::Drained);
                                return got;
                            }
                        }
                    }
                })
            })
            .collect();

        start.wait();
        // Let some values through first, varying how long.
        let mut spins = 0;
        while spins < scaled(1 << (round % 10), 2) {
            thread::yield_now();
            spins += 1;
        }
        assert!(q.close());

        let mut accepted: Vec<usize> = producers
            .into_iter()
            .flat_map(|p| p.join().unwrap())
            .collect();
        let mut popped: Vec<usize> = consumers
            .into_iter()
            .flat_map(|c| c.join().unwrap())
            .collect();
        accepted.sort_unstable();
        popped.sort_unstable();
        assert_eq!(accepted, popped, "accepted values and popped values differ");
    }
}

/// Producers `push_or_close` into a small queue that consumers drain: it is
/// closed by the first push that finds it full. Everything accepted is
/// popped exactly once; nothing is accepted after the close.
#[test]
fn push_or_close_racing_pops() {
    const PRODUCERS: usize = 2;
    let rounds = scaled(20, 3);
    for _ in 0..rounds {
        let q = Arc::new(ClosableQueue::new(2));
        let accepted_total = Arc::new(AtomicUsize::new(0));
        let closed_seen = Arc::new(AtomicBool::new(false));
        let producers: Vec<_> = (0..PRODUCERS)
            .map(|p| {
                let (q, total, seen) = (
                    Arc::clone(&q),
                    Arc::clone(&accepted_total),
                    Arc::clone(&closed_seen),
                );
                thread::spawn(move || {
                    let mut accepted = Vec::new();
                    for i in 0.. {
                        let v = p << 32 | i;
                        match q.push_or_close(v) {
                            Ok(()) => {
                                total.fetch_add(1, Ordering::Relaxed);
                                accepted.push(v);
                            }
                            Err(back) => {
                                assert_eq!(back, v);
                                assert!(q.is_closed());
                                seen.store(true, Ordering::Relaxed);
                                return accepted;
                            }
                        }
                    }
                    unreachable!()
                })
            })
            .collect();
        let consumer = {
            let q = Arc::clone(&q);
            thread::spawn(move || {
                let mut got = Vec::new();
                loop {
                    match q.pop() {
                        Pop::Item(v) => got.push(v),
                        // Slow consumer: the producers soon fill the queue.
                        Pop::Empty => thread::yield_now(),
                        Pop::Drained => return got,
                    }
                }
            })
        };
        let mut accepted: Vec<usize> = producers
            .into_iter()
            .flat_map(|p| p.join().unwrap())
            .collect();
        let mut popped = consumer.join().unwrap();
        assert!(closed_seen.load(Ordering::Relaxed));
        assert_eq!(accepted.len(), accepted_total.load(Ordering::Relaxed));
        accepted.sort_unstable();
        popped.sort_unstable();
        assert_eq!(accepted, popped);
    }
}

#[test]
fn pop_batch_says_empty_then_drained_after_the_close() {
    let q = ClosableQueue::new(4);
    assert!(q.pop_batch(4).is_empty());
    for i in 0..3 {
        q.push(i).unwrap();
    }
    assert!(q.pop_batch(0).is_empty(), "max 0 takes nothing");
    assert_eq!(q.pop_batch(2).item().unwrap().collect::<Vec<_>>(), [0, 1]);
    q.close();
    assert_eq!(q.pop_batch(9).item().unwrap().collect::<Vec<_>>(), [2]);
    assert!(q.pop_batch(9).is_drained());
}
