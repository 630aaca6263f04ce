//! `ArrayQueue`: every method and every edge.
#![cfg(not(vyukov_mpmc_loom))]

mod common;

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;

use common::{DropTable, Tracked, scaled};
use vyukov_mpmc::{ArrayQueue, POP_BATCH_INLINE_BYTES, POP_BATCH_MAX, PopBatch};

/// The capacities every test walks through. Under miri the large one is
/// 100: miri's cost per atomic access grows with the number of atomics in
/// the allocation, and 1000 slots make the suite take many minutes.
const CAPS: [usize; 5] = [1, 2, 3, 7, scaled(1000, 100)];

#[test]
#[should_panic(expected = "capacity must be non-zero")]
fn zero_capacity_panics() {
    let _ = ArrayQueue::<u8>::new(0);
}

#[test]
#[should_panic(expected = "capacity is too large")]
fn huge_capacity_panics() {
    // Checked before anything is allocated.
    let _ = ArrayQueue::<u8>::new(usize::MAX);
}

#[test]
fn capacity_is_exact() {
    for cap in CAPS.into_iter().chain([4, 5, 8, 9, 1023, 1024, 1025]) {
        let q = ArrayQueue::<u32>::new(cap);
        assert_eq!(q.capacity(), cap);
        assert_eq!(q.len(), 0);
        assert!(q.is_empty());
        assert!(!q.is_full());
    }
}

#[test]
fn fill_then_drain() {
    for cap in CAPS {
        let q = ArrayQueue::new(cap);
        for i in 0..cap {
            assert!(!q.is_full());
            assert_eq!(q.push(i), Ok(()));
            assert_eq!(q.len(), i + 1);
            assert!(!q.is_empty());
        }
        assert!(q.is_full());
        assert_eq!(q.len(), cap);
        // Full: the very value comes back, and nothing changes.
        assert_eq!(q.push(usize::MAX), Err(usize::MAX));
        assert_eq!(q.len(), cap);
        for i in 0..cap {
            assert_eq!(q.pop(), Some(i));
            assert_eq!(q.len(), cap - i - 1);
            assert!(!q.is_full());
        }
        assert!(q.is_empty());
        assert_eq!(q.pop(), None);
        assert_eq!(q.pop(), None);
        assert_eq!(q.len(), 0);
    }
}

#[test]
fn wraps_around_many_times() {
    for cap in CAPS {
        let q = ArrayQueue::new(cap);
        let mut model = VecDeque::new();
        let mut next = 0u64;
        // Batches of varying size so head and tail sit at every offset,
        // for at least 20 laps (fewer under miri, but always several).
        let laps = scaled(20, 3);
        let mut batch: usize = 1;
        while next < (cap * laps) as u64 {
            for _ in 0..batch {
                match q.push(next) {
                    Ok(()) => model.push_back(next),
                    Err(v) => {
                        assert_eq!(v, next);
                        assert_eq!(model.len(), cap);
                    }
                }
                next += 1;
            }
            assert_eq!(q.len(), model.len());
            for _ in 0..batch.div_ceil(2) {
                assert_eq!(q.pop(), model.pop_front());
            }
            assert_eq!(q.len(), model.len());
            assert!(q.len() <= cap);
            batch = batch % (cap + 2) + 1;
        }
        while let Some(v) = model.pop_front() {
            assert_eq!(q.pop(), Some(v));
        }
        assert_eq!(q.pop(), None);
    }
}

#[test]
fn force_push_not_full_is_push() {
    for cap in CAPS {
        let q = ArrayQueue::new(cap);
        for i in 0..cap {
            assert_eq!(q.force_push(i), None);
        }
        assert!(q.is_full());
        for i in 0..cap {
            assert_eq!(q.pop(), Some(i));
        }
    }
}

#[test]
fn force_push_on_full_evicts_oldest() {
    for cap in CAPS {
        let q = ArrayQueue::new(cap);
        for i in 0..cap {
            q.push(i).unwrap();
        }
        // Several laps of evictions: each returns the oldest.
        let rounds = scaled(3 * cap, cap + 3);
        for i in cap..cap + rounds {
            assert_eq!(q.force_push(i), Some(i - cap));
            assert!(q.is_full());
            assert_eq!(q.len(), cap);
        }
        let end = cap + rounds;
        for i in end - cap..end {
            assert_eq!(q.pop(), Some(i));
        }
        assert_eq!(q.pop(), None);
    }
}

#[test]
fn force_push_after_wrap_and_partial_pop() {
    let q = ArrayQueue::new(3);
    for i in 0..5 {
        q.push(i).unwrap();
        assert_eq!(q.pop(), Some(i));
    }
    // head and tail at index 2 of lap 1.
    assert_eq!(q.force_push(10), None);
    assert_eq!(q.force_push(11), None);
    assert_eq!(q.pop(), Some(10));
    assert_eq!(q.force_push(12), None);
    assert_eq!(q.force_push(13), None);
    assert_eq!(q.force_push(14), Some(11));
    assert_eq!(q.into_iter().collect::<Vec<_>>(), [12, 13, 14]);
}

#[test]
fn push_mut_and_pop_mut() {
    for cap in CAPS {
        let mut q = ArrayQueue::new(cap);
        for lap in 0..3 {
            for i in 0..cap {
                assert_eq!(q.push_mut(lap * cap + i), Ok(()));
            }
            assert_eq!(q.push_mut(usize::MAX), Err(usize::MAX));
            assert!(q.is_full());
            // Mix shared and exclusive pops: the stamps stay consistent.
            for i in 0..cap {
                let v = if i % 2 == 0 { q.pop_mut() } else { q.pop() };
                assert_eq!(v, Some(lap * cap + i));
            }
            assert_eq!(q.pop_mut(), None);
            // And shared pushes after exclusive ones.
            q.push(7).unwrap();
            assert_eq!(q.pop_mut(), Some(7));
        }
    }
}

#[test]
fn into_iter_oldest_first_after_wrap() {
    for cap in CAPS {
        let q = ArrayQueue::new(cap);
        // Move head and tail off zero first.
        for i in 0..cap + cap / 2 + 1 {
            q.push(i).unwrap();
            q.pop().unwrap();
        }
        for i in 0..cap {
            q.push(i).unwrap();
        }
        let mut it = q.into_iter();
        assert_eq!(it.len(), cap);
        assert_eq!(it.size_hint(), (cap, Some(cap)));
        for i in 0..cap {
            assert_eq!(it.next(), Some(i));
            assert_eq!(it.len(), cap - i - 1);
        }
        assert_eq!(it.next(), None);
        assert_eq!(it.next(), None); // fused
        assert_eq!(it.len(), 0);
    }
}

#[test]
fn debug_output() {
    let q = ArrayQueue::new(3);
    assert_eq!(format!("{q:?}"), "ArrayQueue { capacity: 3, len: 0, .. }");
    q.push(String::from("x")).unwrap();
    q.push(String::from("y")).unwrap();
    assert_eq!(format!("{q:?}"), "ArrayQueue { capacity: 3, len: 2, .. }");
    let mut it = q.into_iter();
    it.next();
    assert_eq!(format!("{it:?}"), "IntoIter { remaining: 1, .. }");
}

#[test]
fn drops_left_in_queue_exactly_once() {
    for cap in CAPS {
        let n = cap * 3 + 1;
        let table = DropTable::new(n);
        {
            let q = ArrayQueue::new(cap);
            let mut id = 0;
            // Wrap a few times, popping (and dropping) some, then leave the
            // queue full, with head and tail away from index 0.
            while id < n - cap {
                q.push(table.make(id)).unwrap();
                id += 1;
                if q.len() > cap / 2 {
                    let v = q.pop().unwrap();
                    assert_eq!(table.drops(v.id), 0);
                }
            }
            while id < n {
                match q.push(table.make(id)) {
                    Ok(()) => {}
                    Err(v) => drop(q.force_push(v)),
                }
                id += 1;
            }
            assert!(q.is_full());
        }
        table.assert_all_dropped_once();
    }
}

#[test]
fn rejected_and_evicted_values_are_handed_back() {
    let table = DropTable::new(4);
    let q = ArrayQueue::new(2);
    q.push(table.make(0)).unwrap();
    q.push(table.make(1)).unwrap();
    let back = q.push(table.make(2)).unwrap_err();
    assert_eq!(back.id, 2);
    assert_eq!(table.drops(2), 0);
    drop(back);
    let evicted = q.force_push(table.make(3)).unwrap();
    assert_eq!(evicted.id, 0);
    assert_eq!(table.drops(0), 0);
    drop(evicted);
    drop(q);
    table.assert_all_dropped_once();
}

#[test]
fn partially_consumed_into_iter_drops_the_rest_once() {
    let table = DropTable::new(7);
    let q = ArrayQueue::new(7);
    for id in 0..7 {
        q.push(table.make(id)).unwrap();
    }
    q.pop(); // 0 dropped here
    let mut it = q.into_iter();
    assert_eq!(it.next().map(|t| t.id), Some(1));
    assert_eq!(it.next().map(|t| t.id), Some(2));
    for id in 0..3 {
        assert_eq!(table.drops(id), 1);
    }
    for id in 3..7 {
        assert_eq!(table.drops(id), 0);
    }
    drop(it);
    table.assert_all_dropped_once();
}

#[test]
fn pop_batch_takes_the_oldest_values_in_order_across_the_wrap() {
    for cap in CAPS {
        let q = ArrayQueue::new(cap);
        // Move head and tail away from index 0, so batches cross the wrap.
        for i in 0..cap / 2 + 1 {
            q.push(i).unwrap();
            assert_eq!(q.pop(), Some(i));
        }
        let mut expected: VecDeque<usize> = (0..cap).collect();
        for &v in &expected {
            q.push(v).unwrap();
        }
        let mut max = 1;
        while !expected.is_empty() {
            let batch = q.pop_batch(max);
            let want = max.min(POP_BATCH_MAX).min(expected.len());
            assert_eq!(batch.len(), want);
            let got: Vec<usize> = batch.collect();
            let wanted: Vec<usize> = expected.drain(..want).collect();
            assert_eq!(got, wanted, "capacity {cap}, batch of up to {max}");
            assert_eq!(q.len(), expected.len());
            max += 1;
        }
        assert_eq!(q.pop_batch(cap).len(), 0);
    }
}

#[test]
fn pop_batch_of_zero_or_from_an_empty_queue_takes_nothing() {
    let q = ArrayQueue::new(3);
    assert_eq!(q.pop_batch(5).next(), None);
    q.push('a').unwrap();
    let mut none = q.pop_batch(0);
    assert_eq!((none.len(), none.next()), (0, None));
    assert_eq!(q.len(), 1);
    let mut one = q.pop_batch(usize::MAX);
    assert_eq!(one.len(), 1);
    assert_eq!(
        (one.next(), one.next(), one.next()),
        (Some('a'), None, None)
    );
}

#[test]
fn a_held_pop_batch_holds_up_no_producer() {
    let q = ArrayQueue::new(3);
    for i in 0..3 {
        q.push(i).unwrap();
    }
    let mut batch = q.pop_batch(2);
    // Both slots are free already, while the batch still holds 0 and 1.
    q.push(3).unwrap();
    q.push(4).unwrap();
    assert_eq!(q.push(5), Err(5));
    assert_eq!(batch.next(), Some(0));
    assert_eq!(q.into_iter().collect::<Vec<_>>(), [2, 3, 4]);
    assert_eq!(batch.next(), Some(1));
}

#[test]
fn pop_batch_takes_at_most_pop_batch_max() {
    let q = ArrayQueue::new(POP_BATCH_MAX + 5);
    for i in 0..POP_BATCH_MAX + 5 {
        q.push(i).unwrap();
    }
    assert_eq!(q.pop_batch(usize::MAX).len(), POP_BATCH_MAX);
    assert_eq!(q.pop_batch(usize::MAX).len(), 5);
}

#[test]
fn dropped_pop_batch_drops_the_rest_once() {
    let table = DropTable::new(6);
    let q = ArrayQueue::new(4);
    for id in 0..4 {
        q.push(table.make(id)).unwrap();
    }
    let mut batch = q.pop_batch(3);
    assert_eq!(format!("{batch:?}"), "PopBatch { remaining: 3, .. }");
    let first = batch.next().unwrap();
    assert_eq!(first.id, 0);
    drop(batch);
    assert_eq!([0, 1, 2, 3].map(|id| table.drops(id)), [0, 1, 1, 0]);
    drop(first);
    // The batch's slots are free again: the queue takes two more.
    q.push(table.make(4)).unwrap();
    q.push(table.make(5)).unwrap();
    drop(q);
    table.assert_all_dropped_once();
}

/// Panics in its destructor when `bomb` is set.
struct Bomb {
    bomb: bool,
    drops: Arc<AtomicUsize>,
}

impl Drop for Bomb {
    fn drop(&mut self) {
        self.drops.fetch_add(1, Ordering::Relaxed);
        if self.bomb {
            panic!("boom");
        }
    }
}

#[test]
fn a_panicking_destructor_in_a_dropped_pop_batch_still_frees_every_slot() {
    let drops = Arc::new(AtomicUsize::new(0));
    let q = ArrayQueue::new(3);
    for bomb in [false, true, false] {
        let drops = Arc::clone(&drops);
        assert!(q.push(Bomb { bomb, drops }).is_ok());
    }
    let batch = q.pop_batch(3);
    let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(batch)));
    assert!(unwound.is_err());
    // Every value was dropped once, the one after the bomb included, and
    // every slot is free: the queue takes a full load again.
    assert_eq!(drops.load(Ordering::Relaxed), 3);
    assert!(q.is_empty());
    for _ in 0..3 {
        let drops = Arc::clone(&drops);
        assert!(q.push(Bomb { bomb: false, drops }).is_ok());
    }
}

#[test]
fn zero_sized_types() {
    for cap in CAPS {
        let q = ArrayQueue::new(cap);
        for _ in 0..cap {
            q.push(()).unwrap();
        }
        assert_eq!(q.push(()), Err(()));
        assert!(q.is_full());
        assert_eq!(q.len(), cap);
        assert_eq!(q.force_push(()), Some(()));
        assert_eq!(q.pop(), Some(()));
        assert_eq!(q.len(), cap - 1);
        assert_eq!(q.into_iter().count(), cap - 1);
    }
}

#[test]
fn zero_sized_type_with_drop() {
    static DROPS: AtomicUsize = AtomicUsize::new(0);
    struct Zst;
    impl Drop for Zst {
        fn drop(&mut self) {
            DROPS.fetch_add(1, Ordering::Relaxed);
        }
    }
    assert_eq!(std::mem::size_of::<Zst>(), 0);
    let q = ArrayQueue::new(5);
    for _ in 0..5 {
        assert!(q.push(Zst).is_ok());
    }
    drop(q.push(Zst)); // rejected: dropped by us (1)
    drop(q.force_push(Zst)); // evicts one (2)
    drop(q.pop()); // (3)
    let mut it = q.into_iter();
    drop(it.next()); // (4)
    assert_eq!(DROPS.load(Ordering::Relaxed), 4);
    drop(it); // the 3 left
    assert_eq!(DROPS.load(Ordering::Relaxed), 7);
}

#[test]
fn len_never_above_capacity_mid_race() {
    let cap = 3;
    let q = Arc::new(ArrayQueue::new(cap));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (q, stop) = (Arc::clone(&q), Arc::clone(&stop));
            thread::spawn(move || {
                let mut i = 0u32;
                while !stop.load(Ordering::Relaxed) {
                    let _ = q.push(i);
                    let _ = q.force_push(i);
                    q.pop();
                    i = i.wrapping_add(1);
                }
            })
        })
        .collect();
    for _ in 0..scaled(100_000, 300) {
        let len = q.len();
        assert!(len <= cap, "len {len} > capacity {cap}");
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    assert!(q.len() <= cap);
}

#[test]
fn two_producers_two_consumers_exactly_once() {
    two_producers_two_consumers(false);
}

/// As above, with one consumer taking up to three values per `pop_batch`.
#[test]
fn two_producers_a_consumer_and_a_batch_consumer_exactly_once() {
    two_producers_two_consumers(true);
}

/// Two producers, two consumers (the second taking batches if `batch`):
/// every value comes out exactly once, in order per producer.
fn two_producers_two_consumers(batch: bool) {
    const PER_PRODUCER: usize = scaled(5000, 200);
    const PRODUCERS: usize = 2;
    const TOTAL: usize = PER_PRODUCER * PRODUCERS;
    let q = Arc::new(ArrayQueue::new(4));
    let taken = Arc::new(AtomicUsize::new(0));

    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let q = Arc::clone(&q);
            thread::spawn(move || {
                for i in 0..PER_PRODUCER {
                    let mut v = p * PER_PRODUCER + i;
                    while let Err(back) = q.push(v) {
                        v = back;
                        thread::yield_now();
                    }
                }
            })
        })
        .collect();
    let consumers: Vec<_> = (0..2)
        .map(|c| {
            let (q, taken) = (Arc::clone(&q), Arc::clone(&taken));
            let max = if batch && c == 1 { 3 } else { 1 };
            thread::spawn(move || {
                let mut got = Vec::new();
                let mut last = [None::<usize>; PRODUCERS];
                while taken.load(Ordering::Relaxed) < TOTAL {
                    let before = got.len();
                    if max == 1 {
                        got.extend(q.pop());
                    } else {
                        got.extend(q.pop_batch(max));
                    }
                    if got.len() == before {
                        thread::yield_now();
                        continue;
                    }
                    taken.fetch_add(got.len() - before, Ordering::Relaxed);
                    for &v in &got[before..] {
                        // FIFO per producer, as seen by one consumer.
                        let p = v / PER_PRODUCER;
                        assert!(last[p] < Some(v), "producer {p} out of order");
                        last[p] = Some(v);
                    }
                }
                got
            })
        })
        .collect();

    for p in producers {
        p.join().unwrap();
    }
    let mut seen = vec![false; TOTAL];
    for c in consumers {
        for v in c.join().unwrap() {
            assert!(!seen[v], "value {v} popped twice");
            seen[v] = true;
        }
    }
    assert!(seen.iter().all(|&s| s), "a value was lost");
    assert!(q.is_empty());
}

/// A batch lives on its caller's stack: 32 values of 64 KiB (2 MiB) in one
/// overflowed a thread's stack before batches were bounded in bytes.
#[test]
#[cfg_attr(miri, ignore = "moves megabytes byte by byte under miri")]
fn a_batch_of_large_values_fits_on_a_small_stack() {
    type Large = [u8; 65536];
    let taken = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(|| {
            let mut q = ArrayQueue::<Large>::new(3);
            for i in 0..3u8 {
                // (`push_mut`: a debug build's `push` copies a value more
                // often than a 1 MiB stack holds 64 KiB ones.)
                q.push_mut([i; 65536]).unwrap();
            }
            let mut firsts = Vec::new();
            for _ in 0..3 {
                let mut batch = q.pop_batch(1);
                let value = batch.next().unwrap();
                assert!(value.iter().all(|&b| b == value[0]));
                firsts.push(value[0]);
                assert_eq!(batch.next(), None);
            }
            assert_eq!(q.pop_batch(1).len(), 0);
            firsts
        })
        .unwrap()
        .join()
        .unwrap();
    assert_eq!(taken, [0, 1, 2]);
}

#[test]
fn batches_of_mid_sized_values_hold_as_many_as_fit_in_their_bytes() {
    type Mid = [u64; 8]; // 64 bytes: 8 fit in 512
    assert_eq!(PopBatch::<Mid>::CAPACITY, POP_BATCH_INLINE_BYTES / 64);
    let q = ArrayQueue::new(20);
    for i in 0..20u64 {
        q.push([i; 8]).unwrap();
    }
    let mut batch = q.pop_batch(usize::MAX);
    assert_eq!(batch.len(), 8);
    assert_eq!(batch.next_back(), Some([7; 8]));
    assert_eq!(batch.next(), Some([0; 8]));
    drop(batch);
    assert_eq!(q.len(), 12);
    assert_eq!(q.pop(), Some([8; 8]));
}

#[test]
fn a_boxed_batch_of_one_drops_its_value_once() {
    let table = DropTable::new(2);
    let q = ArrayQueue::new(2);
    q.push((table.make(0), [0u8; 1024])).unwrap();
    q.push((table.make(1), [0u8; 1024])).unwrap();
    let batch = q.pop_batch(2);
    assert_eq!(batch.len(), 1);
    drop(batch);
    assert_eq!([table.drops(0), table.drops(1)], [1, 0]);
    let mut batch = q.pop_batch(2);
    assert_eq!(PopBatch::<(Tracked, [u8; 1024])>::CAPACITY, 1);
    let (value, _) = batch.next_back().unwrap();
    assert_eq!(
        (value.id, batch.len(), batch.next().is_none()),
        (1, 0, true)
    );
    drop(value);
    table.assert_all_dropped_once();
}

/// Dropping the queue used to stop at the value whose destructor panicked:
/// the values after it leaked, and the buffer too. (miri checks the buffer.)
#[test]
fn a_panicking_destructor_in_a_dropped_queue_still_drops_every_other_value() {
    for bomb_at in 0..4 {
        let drops = Arc::new(AtomicUsize::new(0));
        let q = ArrayQueue::new(4);
        // Start mid-buffer, so the drop crosses the wrap.
        let _ = q.push(Bomb {
            bomb: false,
            drops: Arc::clone(&drops),
        });
        drop(q.pop());
        for i in 0..4 {
            let drops = Arc::clone(&drops);
            assert!(
                q.push(Bomb {
                    bomb: i == bomb_at,
                    drops
                })
                .is_ok()
            );
        }
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(q)));
        assert!(unwound.is_err());
        assert_eq!(drops.load(Ordering::Relaxed), 5, "bomb at {bomb_at}");
    }
}
