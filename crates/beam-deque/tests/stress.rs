//! Release-mode stress: one owner, several thieves, millions of values.
//!
//! Ignored by plain `cargo test`; `cargo xtask verify --only stress` runs it
//! with `--release -- --ignored`.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::thread;

use beam_deque::{Steal, Worker};

/// The owner pushes `values` distinct values into a deque of `capacity`,
/// popping some itself; `thieves` threads alternate `steal` and
/// `steal_batch_and_pop`. Every value must be seen exactly once.
fn stress(fifo: bool, capacity: usize, values: usize, thieves: usize) {
    let owner = if fifo {
        Worker::new_fifo(capacity)
    } else {
        Worker::new(capacity)
    };
    let seen: Vec<AtomicBool> = (0..values).map(|_| AtomicBool::new(false)).collect();
    let taken = AtomicUsize::new(0);
    let by_thieves = AtomicUsize::new(0);
    let mark = |v: usize| {
        assert!(!seen[v].swap(true, SeqCst), "value {v} taken twice");
    };
    thread::scope(|scope| {
        for t in 0..thieves {
            let stealer = owner.stealer();
            let (mark, taken, by_thieves) = (&mark, &taken, &by_thieves);
            scope.spawn(move || {
                let mine = Worker::new(capacity);
                let mut count = 0;
                let mut round = t;
                while taken.load(SeqCst) < values {
                    round += 1;
                    let attempt = if round % 2 == 0 {
                        stealer.steal()
                    } else {
                        stealer.steal_batch_and_pop(&mine)
                    };
                    match attempt {
                        Steal::Success(v) => {
                            mark(v);
                            count += 1;
                            while let Some(v) = mine.pop() {
                                mark(v);
                                count += 1;
                            }
                            taken.fetch_add(count, SeqCst);
                            by_thieves.fetch_add(count, SeqCst);
                            count = 0;
                        }
                        Steal::Retry => std::hint::spin_loop(),
                        Steal::Empty => thread::yield_now(),
                    }
                }
            });
        }
        let mut popped = 0;
        for v in 0..values {
            let mut value = v;
            while let Err(back) = owner.push(value) {
                value = back;
                // Full: half the time leave the thieves room to work.
                if v % 2 == 0 {
                    thread::yield_now();
                } else if let Some(p) = owner.pop() {
                    mark(p);
                    popped += 1;
                }
            }
            if v % 4 == 0 {
                if let Some(p) = owner.pop() {
                    mark(p);
                    popped += 1;
                }
            }
            if popped >= 1024 {
                taken.fetch_add(popped, SeqCst);
                popped = 0;
            }
        }
        while let Some(p) = owner.pop() {
            mark(p);
            popped += 1;
        }
        taken.fetch_add(popped, SeqCst);
    });
    assert_eq!(taken.load(SeqCst), values);
    assert!(seen.iter().all(|s| s.load(SeqCst)), "a value was lost");
    eprintln!(
        "fifo={fifo} cap={capacity}: thieves took {} of {values}",
        by_thieves.load(SeqCst)
    );
    assert!(
        by_thieves.load(SeqCst) > 0,
        "the thieves never stole anything"
    );
}

#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn lifo_owner_four_thieves_millions() {
    stress(false, 256, 4_000_000, 4);
}

#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn fifo_owner_four_thieves_millions() {
    stress(true, 256, 4_000_000, 4);
}

#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn tiny_capacity_wraps_constantly() {
    stress(false, 4, 1_000_000, 3);
    stress(true, 4, 1_000_000, 3);
}

/// A deque filled to the largest capacity is full, not empty: its length,
/// a steal and the owner's pop all see the values. (At the old limit of
/// 2^31 the length's sign bit was set and the deque looked empty.)
#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn full_deque_at_the_largest_capacity_is_full() {
    let max = 1usize << 30;
    let w = Worker::<()>::new(max);
    assert_eq!(w.capacity(), max);
    for _ in 0..max {
        w.push(()).unwrap();
    }
    assert_eq!(w.push(()), Err(()));
    assert_eq!(w.len(), max);
    let s = w.stealer();
    assert_eq!(s.len(), max);
    assert!(matches!(s.steal(), Steal::Success(())));
    assert_eq!(w.pop(), Some(()));
    assert_eq!(w.len(), max - 2);
}

/// A FIFO owner alone fills its deque and empties it, in order, until its
/// `u32` positions have wrapped (2^32 values through 1,024 slots, about
/// 20 s here): every value comes out once, in order, and a full deque
/// refuses one more. Before the fix an in-order pop left the slot's mark a
/// lap stale, and at the wrap a push into the full deque read a mark of
/// 2^32 positions before as "free": at the wrap the full deque took 2,048
/// values into its 1,024 slots, each overwriting a live one (planted back,
/// this test fails there). (The unit tests check
/// the marks themselves after each step; this is the consequence, end to
/// end.) Not under ThreadSanitizer: one thread, and ten times the time.
#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn fifo_owner_fills_and_empties_across_the_position_wrap() {
    const CAPACITY: u64 = 1024;
    let w = Worker::new_fifo(CAPACITY as usize);
    let (mut next, mut expected) = (0u64, 0u64);
    for round in 0..(1u64 << 32) / CAPACITY + 2 {
        while w.push(next).is_ok() {
            next += 1;
        }
        assert_eq!(
            next - expected,
            CAPACITY,
            "round {round}: full at the capacity"
        );
        while let Some(v) = w.pop() {
            assert_eq!(v, expected, "round {round}: oldest first, each once");
            expected += 1;
        }
    }
    assert!(next > 1 << 32, "the positions wrapped");
}

/// `Stealer::len` is a snapshot the deque had: on a deque that never holds
/// more than one value (the owner pops, then pushes, over and over), no
/// thief ever reads more than 1. Before the fix `len` loaded `heads`, then
/// `pushes`, and an owner pop and push in between made it count a value
/// twice, up to the whole capacity (64 on a capacity-64 deque).
#[test]
#[ignore = "stress: run in release by `cargo xtask verify --only stress`"]
fn len_never_counts_more_than_the_deque_held() {
    use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
    for fifo in [false, true] {
        let worker = if fifo {
            Worker::new_fifo(64)
        } else {
            Worker::new(64)
        };
        let stealer = worker.stealer();
        let stop = AtomicBool::new(false);
        let max_seen = std::thread::scope(|s| {
            let reader = s.spawn(|| {
                let mut max_seen = 0;
                while !stop.load(Relaxed) {
                    max_seen = max_seen.max(stealer.len());
                }
                max_seen
            });
            worker.push(0u64).unwrap();
            for i in 1..20_000_000u64 {
                assert!(worker.pop().is_some());
                worker.push(i).unwrap();
            }
            stop.store(true, Relaxed);
            reader.join().unwrap()
        });
        assert!(
            max_seen <= 1,
            "fifo {fifo}: len() said {max_seen} of a deque holding one value"
        );
    }
}
