//! Every value is dropped exactly once: by whoever took it, or by the deque.

#[path = "support/counted.rs"]
mod common;

use beam_deque::{Steal, Worker};
use common::{Bomb, Counted, drop_counter, drops};

#[test]
fn values_left_inside_are_dropped_once() {
    for fifo in [false, true] {
        let counter = drop_counter();
        let w = if fifo {
            Worker::new_fifo(8)
        } else {
            Worker::new(8)
        };
        let s = w.stealer();
        for i in 0..8 {
            w.push(Counted::new(i, &counter)).unwrap();
        }
        drop(w.pop());
        drop(s.steal());
        assert_eq!(drops(&counter), 2);
        drop(w);
        assert_eq!(drops(&counter), 2, "the stealer still holds the deque");
        drop(s);
        assert_eq!(drops(&counter), 8);
    }
}

#[test]
fn rejected_push_does_not_drop() {
    let counter = drop_counter();
    let w = Worker::new(1);
    w.push(Counted::new(0, &counter)).unwrap();
    let back = w.push(Counted::new(1, &counter)).unwrap_err();
    assert_eq!(back.id, 1);
    assert_eq!(drops(&counter), 0);
    drop(back);
    drop(w);
    assert_eq!(drops(&counter), 2);
}

#[test]
fn wrapped_values_are_dropped_once() {
    let counter = drop_counter();
    let w = Worker::new(4);
    let s = w.stealer();
    let mut pushed = 0;
    for _ in 0..10 {
        while w.push(Counted::new(pushed, &counter)).is_ok() {
            pushed += 1;
        }
        // Rejected values drop when the Err is discarded.
        drop(s.steal());
        drop(w.pop());
    }
    let taken = 20;
    // 10 rejected (dropped immediately) + 20 taken.
    assert_eq!(drops(&counter), taken + 10);
    drop((w, s));
    assert_eq!(drops(&counter), pushed + 10);
}

#[test]
fn batch_moves_do_not_duplicate() {
    let counter = drop_counter();
    let victim = Worker::new(16);
    for i in 0..16 {
        victim.push(Counted::new(i, &counter)).unwrap();
    }
    let dest = Worker::new(16);
    let s = victim.stealer();
    assert!(matches!(s.steal_batch(&dest), Steal::Success(())));
    let handed = s.steal_batch_and_pop(&dest).success().unwrap();
    assert_eq!(drops(&counter), 0);
    drop(handed);
    drop((victim, s));
    drop(dest);
    assert_eq!(drops(&counter), 16);
}

#[test]
fn partly_consumed_drain_drops_the_rest_once() {
    for fifo in [false, true] {
        let counter = drop_counter();
        let w = if fifo {
            Worker::new_fifo(8)
        } else {
            Worker::new(8)
        };
        for i in 0..8 {
            w.push(Counted::new(i, &counter)).unwrap();
        }
        let mut drain = w.drain_oldest(5);
        let first = drain.next().unwrap();
        assert_eq!(first.id, 0);
        drop(drain);
        assert_eq!(drops(&counter), 4);
        drop(first);
        assert_eq!(w.len(), 3);
        drop(w);
        assert_eq!(drops(&counter), 8);
    }
}

/// Dropping the deque used to stop at the value whose destructor panicked,
/// leaking the values after it.
#[test]
fn a_panicking_destructor_still_drops_every_other_value() {
    for fifo in [false, true] {
        for bomb_at in 0..4 {
            let drops = std::rc::Rc::new(std::cell::Cell::new(0));
            let w = if fifo {
                Worker::new_fifo(4)
            } else {
                Worker::new(4)
            };
            // Start mid-ring, so the drop crosses the wrap.
            for _ in 0..3 {
                let drops = std::rc::Rc::clone(&drops);
                assert!(w.push(Bomb { bomb: false, drops }).is_ok());
            }
            let taken: Vec<_> = std::iter::from_fn(|| w.pop()).collect();
            drop(taken);
            for i in 0..4 {
                let drops = std::rc::Rc::clone(&drops);
                assert!(
                    w.push(Bomb {
                        bomb: i == bomb_at,
                        drops
                    })
                    .is_ok()
                );
            }
            let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(w)));
            assert!(unwound.is_err());
            assert_eq!(drops.get(), 7, "fifo {fifo}, bomb at {bomb_at}");
        }
    }
}
