//! Every method and edge of the deque, on one thread.

#[path = "support/counted.rs"]
mod common;

use beam_deque::{Steal, Worker};
use common::{Counted, drop_counter, drops, scaled};

#[test]
fn capacity_rounds_up_to_a_power_of_two() {
    for (asked, got) in [(1, 1), (2, 2), (3, 4), (5, 8), (256, 256), (257, 512)] {
        assert_eq!(Worker::<u8>::new(asked).capacity(), got);
        assert_eq!(Worker::<u8>::new_fifo(asked).capacity(), got);
    }
}

#[test]
#[should_panic(expected = "capacity must be at least 1")]
fn zero_capacity_panics() {
    let _ = Worker::<u8>::new(0);
}

#[test]
#[should_panic(expected = "capacity must be at least 1")]
fn zero_capacity_fifo_panics() {
    let _ = Worker::<u8>::new_fifo(0);
}

#[test]
#[should_panic(expected = "exceeds the maximum")]
fn huge_capacity_panics() {
    let _ = Worker::<u8>::new((1 << 31) + 1);
}

/// 2^31 was accepted once, and a full deque of that size read as empty
/// (its length has the sign bit set): the limit is 2^30 now.
#[test]
#[should_panic(expected = "exceeds the maximum of 2^30")]
fn capacity_of_2_pow_31_panics() {
    let _ = Worker::<()>::new(1 << 31);
}

#[test]
fn empty_deque() {
    for w in [Worker::<i32>::new(4), Worker::new_fifo(4)] {
        let s = w.stealer();
        assert!(w.is_empty() && s.is_empty());
        assert_eq!(w.len(), 0);
        assert_eq!(w.pop(), None);
        assert_eq!(s.steal(), Steal::Empty);
        let dest = Worker::new(4);
        assert_eq!(s.steal_batch(&dest), Steal::Empty);
        assert_eq!(s.steal_batch_and_pop(&dest), Steal::Empty);
        assert_eq!(w.drain_oldest(10).count(), 0);
    }
}

#[test]
fn lifo_owner_pops_newest() {
    let w = Worker::new(8);
    for i in 0..5 {
        w.push(i).unwrap();
    }
    assert_eq!(w.len(), 5);
    assert_eq!(
        (0..5).map(|_| w.pop().unwrap()).collect::<Vec<_>>(),
        [4, 3, 2, 1, 0]
    );
    assert_eq!(w.pop(), None);
}

#[test]
fn fifo_owner_pops_oldest() {
    let w = Worker::new_fifo(8);
    for i in 0..5 {
        w.push(i).unwrap();
    }
    assert_eq!(
        (0..5).map(|_| w.pop().unwrap()).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4]
    );
    assert_eq!(w.pop(), None);
}

#[test]
fn thieves_take_oldest_in_both_flavors() {
    for w in [Worker::new(8), Worker::new_fifo(8)] {
        let s = w.stealer();
        for i in 0..4 {
            w.push(i).unwrap();
        }
        assert_eq!(s.steal(), Steal::Success(0));
        assert_eq!(s.clone().steal(), Steal::Success(1));
        assert_eq!(s.len(), 2);
    }
}

#[test]
fn full_push_returns_the_very_value() {
    for w in [Worker::new(4), Worker::new_fifo(4)] {
        for i in 0..4 {
            w.push(Box::new(i)).unwrap();
        }
        let rejected = w.push(Box::new(99)).unwrap_err();
        assert_eq!(*rejected, 99);
        assert_eq!(w.len(), 4);
        // Taking one makes room for exactly one.
        assert!(w.stealer().steal().is_success());
        w.push(Box::new(5)).unwrap();
        assert!(w.push(Box::new(6)).is_err());
    }
}

#[test]
fn capacity_one() {
    for w in [Worker::new(1), Worker::new_fifo(1)] {
        let s = w.stealer();
        for round in 0..scaled(100, 10) {
            w.push(round).unwrap();
            assert_eq!(w.push(round + 1), Err(round + 1));
            if round % 2 == 0 {
                assert_eq!(w.pop(), Some(round));
            } else {
                assert_eq!(s.steal(), Steal::Success(round));
            }
            assert!(w.is_empty());
        }
    }
}

#[test]
fn wraps_around_many_times() {
    for fifo in [false, true] {
        let w = if fifo {
            Worker::new_fifo(4)
        } else {
            Worker::new(4)
        };
        let s = w.stealer();
        let mut next = 0u64;
        let mut expected_stolen = 0u64;
        for _ in 0..scaled(10_000, 200) {
            // Fill, steal the two oldest, pop the rest.
            let first = next;
            for _ in 0..4 {
                w.push(next).unwrap();
                next += 1;
            }
            assert_eq!(s.steal(), Steal::Success(first));
            assert_eq!(s.steal(), Steal::Success(first + 1));
            expected_stolen += 2;
            let rest: Vec<_> = std::iter::from_fn(|| w.pop()).collect();
            if fifo {
                assert_eq!(rest, [first + 2, first + 3]);
            } else {
                assert_eq!(rest, [first + 3, first + 2]);
            }
        }
        assert_eq!(expected_stolen * 2, next);
    }
}

#[test]
fn steal_batch_moves_half_keeping_order() {
    let victim = Worker::new(16);
    for i in 0..10 {
        victim.push(i).unwrap();
    }
    let dest = Worker::new_fifo(16);
    assert_eq!(victim.stealer().steal_batch(&dest), Steal::Success(()));
    assert_eq!(dest.len(), 5);
    assert_eq!(victim.len(), 5);
    assert_eq!(
        std::iter::from_fn(|| dest.pop()).collect::<Vec<_>>(),
        [0, 1, 2, 3, 4]
    );

    // An odd count rounds up; a LIFO dest pops the batch newest first.
    let dest = Worker::new(16);
    let victim = Worker::new_fifo(16);
    for i in 0..5 {
        victim.push(i).unwrap();
    }
    assert_eq!(victim.stealer().steal_batch(&dest), Steal::Success(()));
    assert_eq!(
        std::iter::from_fn(|| dest.pop()).collect::<Vec<_>>(),
        [2, 1, 0]
    );
}

#[test]
fn steal_batch_respects_dest_room() {
    let victim = Worker::new(32);
    for i in 0..32 {
        victim.push(i).unwrap();
    }
    let dest = Worker::new(4);
    dest.push(100).unwrap();
    // Half would be 16; only 3 fit.
    assert_eq!(victim.stealer().steal_batch(&dest), Steal::Success(()));
    assert_eq!(dest.len(), 4);
    assert_eq!(victim.len(), 29);
    // Full dest: nothing moves.
    assert_eq!(victim.stealer().steal_batch(&dest), Steal::Empty);
    assert_eq!(victim.len(), 29);
    // ... but steal_batch_and_pop still takes the one it hands back.
    assert_eq!(
        victim.stealer().steal_batch_and_pop(&dest),
        Steal::Success(3)
    );
    assert_eq!(victim.len(), 28);
    assert_eq!(dest.len(), 4);
}

#[test]
fn steal_batch_and_pop_hands_back_what_dest_would_pop() {
    let victim = Worker::new(16);
    for i in 0..8 {
        victim.push(i).unwrap();
    }
    let lifo = Worker::new(16);
    assert_eq!(
        victim.stealer().steal_batch_and_pop(&lifo),
        Steal::Success(3)
    );
    assert_eq!(
        std::iter::from_fn(|| lifo.pop()).collect::<Vec<_>>(),
        [2, 1, 0]
    );

    let fifo = Worker::new_fifo(16);
    assert_eq!(
        victim.stealer().steal_batch_and_pop(&fifo),
        Steal::Success(4)
    );
    assert_eq!(std::iter::from_fn(|| fifo.pop()).collect::<Vec<_>>(), [5]);
    assert_eq!(victim.len(), 2);

    // A single value: handed back, nothing moves.
    let one = Worker::new(2);
    one.push(42).unwrap();
    let dest = Worker::new(2);
    assert_eq!(one.stealer().steal_batch_and_pop(&dest), Steal::Success(42));
    assert!(dest.is_empty() && one.is_empty());
}

#[test]
fn stealing_into_the_same_deque_is_harmless() {
    let w = Worker::new_fifo(8);
    for i in 0..6 {
        w.push(i).unwrap();
    }
    assert_eq!(w.stealer().steal_batch(&w), Steal::Success(()));
    // Only two slots are free, so only the two oldest move.
    assert_eq!(
        std::iter::from_fn(|| w.pop()).collect::<Vec<_>>(),
        [2, 3, 4, 5, 0, 1]
    );
}

#[test]
fn drain_oldest_takes_the_oldest() {
    for fifo in [false, true] {
        let w = if fifo {
            Worker::new_fifo(8)
        } else {
            Worker::new(8)
        };
        for i in 0..8 {
            w.push(i).unwrap();
        }
        let drain = w.drain_oldest(3);
        assert_eq!(drain.len(), 3);
        assert_eq!(drain.collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(w.len(), 5);
        assert_eq!(w.drain_oldest(100).collect::<Vec<_>>(), [3, 4, 5, 6, 7]);
        assert!(w.is_empty());
    }
}

#[test]
fn owner_keeps_working_while_a_drain_is_open() {
    for fifo in [false, true] {
        let w = if fifo {
            Worker::new_fifo(4)
        } else {
            Worker::new(4)
        };
        let s = w.stealer();
        for i in 0..4 {
            w.push(i).unwrap();
        }
        let mut drain = w.drain_oldest(2);
        assert_eq!(drain.next(), Some(0));
        // A value taken from the batch frees its slot at once; the one
        // still in the batch keeps its own.
        w.push(4).unwrap();
        assert_eq!(w.push(9), Err(9));
        // Thieves take what comes after the batch, at once.
        assert_eq!(s.steal(), Steal::Success(2));
        // The owner pops from the rest.
        assert_eq!(w.pop(), Some(if fifo { 3 } else { 4 }));
        assert_eq!(drain.next(), Some(1));
        assert_eq!(drain.next(), None);
        drop(drain);
        // Every slot free again.
        while w.push(5).is_ok() {}
        assert_eq!(w.len(), 4);
        assert!(s.steal().is_success());
    }
}

#[test]
fn stealer_outlives_worker() {
    let w = Worker::new(4);
    w.push(1).unwrap();
    w.push(2).unwrap();
    let s = w.stealer();
    drop(w);
    assert_eq!(s.steal(), Steal::Success(1));
    assert_eq!(s.steal(), Steal::Success(2));
    assert_eq!(s.steal(), Steal::Empty);
}

#[test]
fn zero_sized_values() {
    for w in [Worker::new(4), Worker::new_fifo(4)] {
        let s = w.stealer();
        for _ in 0..scaled(1000, 50) {
            for _ in 0..4 {
                w.push(()).unwrap();
            }
            assert_eq!(w.push(()), Err(()));
            assert_eq!(s.steal(), Steal::Success(()));
            let dest = Worker::new(4);
            assert_eq!(s.steal_batch(&dest), Steal::Success(()));
            assert_eq!(w.len() + dest.len(), 3);
            while w.pop().is_some() {}
            assert_eq!(w.drain_oldest(4).count(), 0);
        }
    }
}

#[test]
fn debug_output() {
    let w = Worker::new(4);
    w.push(1).unwrap();
    assert_eq!(
        format!("{w:?}"),
        "Worker { flavor: Lifo, len: 1, capacity: 4 }"
    );
    assert_eq!(
        format!("{:?}", w.stealer()),
        "Stealer { len: 1, capacity: 4 }"
    );
    assert_eq!(format!("{:?}", w.drain_oldest(1)), "Drain { left: 1 }");
    assert_eq!(format!("{:?}", Steal::Success(3)), "Success(..)");
}

#[test]
fn steal_combinators() {
    assert!(Steal::<u8>::Empty.is_empty());
    assert!(Steal::<u8>::Retry.is_retry());
    assert_eq!(Steal::Success(1).success(), Some(1));
    assert_eq!(Steal::Empty.or_else(|| Steal::Retry::<u8>), Steal::Retry);
    assert_eq!(
        Steal::Retry.or_else(|| Steal::Success(2)),
        Steal::Success(2)
    );
    let none: Steal<u8> = std::iter::empty().collect();
    assert_eq!(none, Steal::Empty);
}

#[test]
fn pushed_and_popped_count_what_the_owner_did() {
    for w in [Worker::new(4), Worker::new_fifo(4)] {
        for i in 0..4 {
            w.push(i).unwrap();
        }
        assert_eq!(w.push(9), Err(9));
        assert!(w.pop().is_some());
        assert!(w.stealer().steal().is_success());
        let _ = w.drain_oldest(1).count();
        assert_eq!(
            (w.pushed(), w.popped()),
            (4, 1),
            "refusals, steals and drains are not counted"
        );

        // Values a batch steal moves in count as pushed.
        let victim = Worker::new(8);
        for i in 0..4 {
            victim.push(i).unwrap();
        }
        let moved_before = w.len();
        assert_eq!(victim.stealer().steal_batch(&w), Steal::Success(()));
        let moved = (w.len() - moved_before) as u64;
        assert_eq!(w.pushed(), 4 + moved);
        while w.pop().is_some() {}
        assert_eq!(w.popped(), 1 + 1 + moved);
    }
}

#[test]
fn owner_sees_room_and_values_thieves_changed_behind_its_back() {
    // The owner works from its last readings of the thieves' words: a full
    // deque must notice the room a thief made, and a pop must notice the
    // values a thief took, however stale those readings are.
    for w in [Worker::new(4), Worker::new_fifo(4)] {
        let s = w.stealer();
        for round in 0..scaled(1000, 50) {
            for i in 0..4 {
                w.push(round * 4 + i).unwrap();
            }
            assert_eq!(w.push(usize::MAX), Err(usize::MAX));
            let stolen: Vec<usize> = std::iter::from_fn(|| s.steal().success()).take(3).collect();
            assert_eq!(stolen, [round * 4, round * 4 + 1, round * 4 + 2]);
            // Room for three again, although the owner last saw a full deque.
            for i in 0..3 {
                w.push(usize::MAX - i).unwrap();
            }
            // The thief takes the remaining old value; the owner's pops see it gone.
            assert_eq!(s.steal(), Steal::Success(round * 4 + 3));
            let mut left: Vec<usize> = std::iter::from_fn(|| w.pop()).collect();
            left.sort();
            assert_eq!(left, [usize::MAX - 2, usize::MAX - 1, usize::MAX]);
            assert_eq!(w.pop(), None);
        }
    }
}

/// A `Drain` leaked after its last value used to keep its claim for good:
/// every later push failed and every steal said `Retry`, forever.
#[test]
fn a_drain_leaked_after_its_last_value_leaves_the_deque_as_new() {
    for fifo in [false, true] {
        let w = if fifo {
            Worker::new_fifo(4)
        } else {
            Worker::new(4)
        };
        let s = w.stealer();
        for i in 0..4 {
            w.push(i).unwrap();
        }
        let mut drain = w.drain_oldest(1);
        assert_eq!(drain.next(), Some(0));
        std::mem::forget(drain);
        while w.pop().is_some() {}
        for i in 10..14 {
            assert_eq!(w.push(i), Ok(()), "fifo {fifo}");
        }
        assert_eq!(s.steal(), Steal::Success(10));
        assert_eq!(w.len(), 3);
    }
}

/// A `Drain` leaked with values still in it leaks them and keeps their
/// slots, and nothing else: thieves take the values after the batch and
/// then see an empty deque (never `Retry`, which a thief loops on), the
/// owner pops the rest, pushes fill every other slot and fail only when the
/// tail comes round to a leaked value's slot, and nothing is dropped twice.
#[test]
#[cfg_attr(miri, ignore = "leaks a value on purpose, which miri reports")]
fn a_drain_leaked_with_values_in_it_keeps_only_their_slots() {
    for fifo in [false, true] {
        let counter = drop_counter();
        let w = if fifo {
            Worker::new_fifo(4)
        } else {
            Worker::new(4)
        };
        let s = w.stealer();
        for i in 0..4 {
            w.push(Counted::new(i, &counter)).unwrap();
        }
        let mut drain = w.drain_oldest(2);
        drop(drain.next());
        std::mem::forget(drain);
        assert_eq!(s.steal().success().map(|v| v.id), Some(2), "fifo {fifo}");
        assert_eq!(w.pop().map(|v| v.id), Some(3), "fifo {fifo}");
        for _ in 0..1000 {
            assert!(s.steal().is_empty(), "fifo {fifo}");
        }
        // LIFO: the tail is at 3 (popped: its slot is the owner's again),
        // then 4 (0's slot, taken); 5 is 1's slot, leaked. FIFO: the tail
        // is at 4; 5 is 1's slot.
        let mut accepted = 0;
        while w.push(Counted::new(10 + accepted, &counter)).is_ok() {
            accepted += 1;
        }
        assert_eq!(accepted, if fifo { 1 } else { 2 }, "fifo {fifo}");
        assert_eq!(w.len(), accepted);
        drop(w);
        drop(s);
        // 0 taken from the batch, 2 stolen, 3 popped, the pushes accepted
        // and the one refused; 1 leaked with the batch.
        assert_eq!(drops(&counter), 3 + accepted + 1);
    }
}

/// crossbeam-deque's names: `new_lifo`, and the batch steals with a limit
/// (at most `limit`, at most half, at most the room in `dest`).
#[test]
fn crossbeam_names_and_batch_limits() {
    let victim = Worker::new_lifo(64);
    assert_eq!(victim.capacity(), 64);
    let s = victim.stealer();
    for i in 0..40 {
        victim.push(i).unwrap();
    }
    // Limit below half: the limit wins.
    let dest = Worker::new_fifo(64);
    assert_eq!(s.steal_batch_with_limit(&dest, 7), Steal::Success(()));
    assert_eq!(dest.len(), 7);
    assert_eq!(dest.pop(), Some(0));
    // Limit above half: half of the 33 left (rounded up) wins.
    let dest = Worker::new_fifo(64);
    assert_eq!(s.steal_batch_with_limit(&dest, 1000), Steal::Success(()));
    assert_eq!(dest.len(), 17);
    assert_eq!(dest.pop(), Some(7));
    // Room in `dest` below both: room wins.
    let small = Worker::new_fifo(4);
    small.push(100).unwrap();
    assert_eq!(s.steal_batch_with_limit(&small, 10), Steal::Success(()));
    assert_eq!(small.len(), 4);
    // And with pop: `limit` counts the value handed back.
    let dest = Worker::new_fifo(64);
    assert_eq!(
        s.steal_batch_with_limit_and_pop(&dest, 3),
        Steal::Success(27)
    );
    assert_eq!(dest.len(), 2);
    assert_eq!(
        s.steal_batch_with_limit_and_pop(&dest, 1),
        Steal::Success(30)
    );
    assert_eq!(dest.len(), 2);
    // Every value exactly once, somewhere.
    assert_eq!(victim.len(), 40 - 7 - 17 - 3 - 3 - 1);
}

/// The limit holds into a destination that has been used: one whose owner
/// already knows many of its slots free (it pushed and popped them) must
/// still take no more than the limit, with or without the value handed
/// back.
#[test]
fn a_batch_limit_holds_into_a_used_destination() {
    for fifo in [false, true] {
        let victim = Worker::new(64);
        let s = victim.stealer();
        for i in 0..40 {
            victim.push(i).unwrap();
        }
        let dest = if fifo {
            Worker::new_fifo(64)
        } else {
            Worker::new(64)
        };
        for i in 0..64 {
            dest.push(100 + i).unwrap();
        }
        while dest.pop().is_some() {}
        assert_eq!(s.steal_batch_with_limit(&dest, 7), Steal::Success(()));
        assert_eq!(dest.len(), 7, "fifo {fifo}");
        while dest.pop().is_some() {}
        assert!(s.steal_batch_with_limit_and_pop(&dest, 5).is_success());
        assert_eq!(dest.len(), 4, "fifo {fifo}");
        assert_eq!(victim.len(), 40 - 7 - 5);
    }
}

#[test]
#[should_panic(expected = "a batch steal's limit must be at least 1")]
fn batch_steal_with_a_zero_limit_panics() {
    let victim = Worker::<u8>::new(4);
    let _ = victim.stealer().steal_batch_with_limit(&Worker::new(4), 0);
}

/// `Empty` from a batch steal also means "no room in `dest`", which a
/// crossbeam user never sees (crossbeam's deques grow): the caller tells
/// the two apart by `dest`'s length.
#[test]
fn a_batch_steal_into_a_full_destination_is_empty_and_says_so() {
    let victim = Worker::new(4);
    victim.push(1).unwrap();
    let full = Worker::new(2);
    full.push(8).unwrap();
    full.push(9).unwrap();
    let s = victim.stealer();
    assert_eq!(s.steal_batch(&full), Steal::Empty);
    assert_eq!(full.len(), full.capacity());
    assert_eq!(s.steal_batch_with_limit(&full, 5), Steal::Empty);
    assert_eq!(victim.len(), 1, "nothing moved");
    // With pop, the one value handed back needs no room.
    assert_eq!(s.steal_batch_and_pop(&full), Steal::Success(1));
}
