//! Owner and thieves at once, small enough for miri.

#[path = "support/counted.rs"]
mod common;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::thread;

use beam_deque::{Steal, Worker};
use common::scaled;

/// One owner pushing and popping, `thieves` threads mixing all three steal
/// operations; every value must be taken exactly once.
fn owner_and_thieves(fifo: bool, capacity: usize, values: usize, thieves: usize) {
    let owner = if fifo {
        Worker::new_fifo(capacity)
    } else {
        Worker::new(capacity)
    };
    let seen: Vec<AtomicBool> = (0..values).map(|_| AtomicBool::new(false)).collect();
    let taken = AtomicUsize::new(0);
    let mark = |v: usize| {
        assert!(!seen[v].swap(true, SeqCst), "value {v} taken twice");
        taken.fetch_add(1, SeqCst);
    };
    thread::scope(|scope| {
        for t in 0..thieves {
            let stealer = owner.stealer();
            let (mark, taken) = (&mark, &taken);
            scope.spawn(move || {
                let mine = Worker::new(capacity);
                let mut round = 0usize;
                while taken.load(SeqCst) < values {
                    round += 1;
                    let attempt = match (round + t) % 3 {
                        0 => stealer.steal(),
                        1 => stealer.steal_batch(&mine).map_unit(),
                        _ => stealer.steal_batch_and_pop(&mine),
                    };
                    if let Steal::Success(v) = attempt {
                        mark(v);
                    }
                    while let Some(v) = mine.pop() {
                        mark(v);
                    }
                    thread::yield_now();
                }
            });
        }
        for v in 0..values {
            let mut value = v;
            while let Err(back) = owner.push(value) {
                value = back;
                if let Some(popped) = owner.pop() {
                    mark(popped);
                }
            }
            if v % 3 == 0 {
                if let Some(popped) = owner.pop() {
                    mark(popped);
                }
            }
        }
        while taken.load(SeqCst) < values {
            if let Some(popped) = owner.pop() {
                mark(popped);
            }
        }
    });
    assert!(seen.iter().all(|s| s.load(SeqCst)));
}

/// `steal_batch` returns `Steal<()>`; the thief's values then sit in its own
/// deque. This maps it so the caller can treat all three alike.
trait MapUnit {
    fn map_unit(self) -> Steal<usize>;
}
impl MapUnit for Steal<()> {
    fn map_unit(self) -> Steal<usize> {
        match self {
            Steal::Success(()) | Steal::Empty => Steal::Empty,
            Steal::Retry => Steal::Retry,
        }
    }
}

#[test]
fn lifo_owner_with_two_thieves() {
    owner_and_thieves(false, 16, scaled(20_000, 300), 2);
}

#[test]
fn fifo_owner_with_two_thieves() {
    owner_and_thieves(true, 16, scaled(20_000, 300), 2);
}

#[test]
fn tiny_deque_wraps_under_contention() {
    owner_and_thieves(false, 2, scaled(10_000, 200), 2);
    owner_and_thieves(true, 2, scaled(10_000, 200), 2);
}

#[test]
fn drain_races_thieves() {
    let values = scaled(20_000, 300);
    let owner = Worker::new(8);
    let total = AtomicUsize::new(0);
    let sum = AtomicUsize::new(0);
    thread::scope(|scope| {
        let stealer = owner.stealer();
        let (total, sum) = (&total, &sum);
        scope.spawn(move || {
            while total.load(SeqCst) < values {
                if let Steal::Success(v) = stealer.steal() {
                    sum.fetch_add(v, SeqCst);
                    total.fetch_add(1, SeqCst);
                }
                thread::yield_now();
            }
        });
        for v in 0..values {
            if owner.push(v).is_err() {
                for drained in owner.drain_oldest(4) {
                    sum.fetch_add(drained, SeqCst);
                    total.fetch_add(1, SeqCst);
                }
                // Full and a thief mid-steal: the pop makes room.
                while let Err(back) = owner.push(v) {
                    let _ = back;
                    if let Some(p) = owner.pop() {
                        sum.fetch_add(p, SeqCst);
                        total.fetch_add(1, SeqCst);
                    }
                }
            }
        }
        while let Some(p) = owner.pop() {
            sum.fetch_add(p, SeqCst);
            total.fetch_add(1, SeqCst);
        }
    });
    assert_eq!(total.load(SeqCst), values);
    assert_eq!(sum.load(SeqCst), values * (values - 1) / 2);
}
