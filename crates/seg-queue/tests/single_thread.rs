//! Every method and edge case, on one thread.

#[path = "support/counted.rs"]
mod common;

use common::{Bomb, Counted, drop_counter, drops, scaled};
use seg_queue::{FIRST_SEGMENT_CAPACITY, MAX_SEGMENT_BYTES, MAX_SEGMENT_CAPACITY, SegQueue};

#[test]
fn fifo_across_thousands_of_segment_boundaries() {
    for capacity in [1, 2, 3, 4] {
        let q = SegQueue::with_segment_capacity(capacity);
        let n = scaled(20_000, 200);
        for i in 0..n {
            q.push(i);
        }
        assert_eq!(q.len(), n);
        for i in 0..n {
            assert_eq!(q.pop(), Some(i), "capacity {capacity}");
        }
        assert_eq!(q.pop(), None);
        assert!(q.is_empty());
    }
}

#[test]
fn interleaved_push_pop_keeps_order_and_length() {
    for capacity in [2, 4] {
        let q = SegQueue::with_segment_capacity(capacity);
        let mut next_out = 0;
        let mut next_in = 0;
        for round in 0..scaled(3_000, 60) {
            // Push 3, pop 2: the queue grows across boundaries as it runs.
            for _ in 0..3 {
                q.push(next_in);
                next_in += 1;
            }
            for _ in 0..2 {
                assert_eq!(q.pop(), Some(next_out), "round {round}");
                next_out += 1;
            }
            assert_eq!(q.len(), next_in - next_out);
        }
        while let Some(v) = q.pop() {
            assert_eq!(v, next_out);
            next_out += 1;
        }
        assert_eq!(next_out, next_in);
    }
}

#[test]
fn new_queue_is_empty_and_allocates_lazily() {
    let q: SegQueue<String> = SegQueue::new();
    assert!(q.is_empty());
    assert_eq!(q.len(), 0);
    assert_eq!(q.pop(), None);
    // A `String` and a lap stamp per slot: 512 slots make 16 KiB.
    let slot = size_of::<String>() + size_of::<usize>();
    assert_eq!(q.max_segment_capacity(), MAX_SEGMENT_BYTES / slot);
    q.push("a".to_owned());
    assert!(!q.is_empty());
    assert_eq!(q.len(), 1);
    assert_eq!(q.pop().as_deref(), Some("a"));
    assert!(q.is_empty());
}

#[test]
fn const_new_in_a_static() {
    static Q: SegQueue<u32> = SegQueue::new();
    Q.push(1);
    Q.push(2);
    assert_eq!(Q.pop(), Some(1));
    assert_eq!(Q.pop(), Some(2));
    assert_eq!(Q.pop(), None);
}

#[test]
fn default_is_new() {
    let q: SegQueue<u8> = SegQueue::default();
    assert!(q.is_empty());
    assert_eq!(q.max_segment_capacity(), MAX_SEGMENT_CAPACITY);
}

#[test]
#[should_panic(expected = "segment capacity must be non-zero")]
fn zero_segment_capacity_panics() {
    let _ = SegQueue::<u8>::with_segment_capacity(0);
}

#[test]
fn len_counts_across_segments() {
    let q = SegQueue::with_segment_capacity(3);
    for i in 0..10 {
        q.push(i);
        assert_eq!(q.len(), i + 1);
    }
    for i in 0..10 {
        assert_eq!(q.len(), 10 - i);
        assert!(!q.is_empty());
        q.pop();
    }
    assert_eq!(q.len(), 0);
    assert!(q.is_empty());
}

#[test]
fn is_empty_looks_past_a_drained_head_segment() {
    let q = SegQueue::with_segment_capacity(1);
    q.push(1);
    q.push(2); // closes the first segment, links a second
    let mut q2 = SegQueue::with_segment_capacity(1);
    q2.push_mut(1);
    q2.push_mut(2);
    for q in [&q, &q2] {
        assert!(!q.is_empty());
        assert_eq!(q.pop(), Some(1));
        // The head segment is drained now; the value is in the next one.
        assert!(!q.is_empty());
        assert_eq!(q.len(), 1);
        assert_eq!(q.pop(), Some(2));
        assert!(q.is_empty());
        assert_eq!(q.pop(), None);
    }
}

#[test]
fn reuse_after_emptying() {
    let q = SegQueue::with_segment_capacity(2);
    for round in 0..scaled(200, 20) {
        for i in 0..5 {
            q.push(round * 10 + i);
        }
        for i in 0..5 {
            assert_eq!(q.pop(), Some(round * 10 + i));
        }
        assert_eq!(q.pop(), None);
    }
}

#[test]
fn push_mut_and_pop_mut_mix_with_shared_methods() {
    let mut q = SegQueue::with_segment_capacity(2);
    for i in 0..7 {
        if i % 2 == 0 {
            q.push_mut(i);
        } else {
            q.push(i);
        }
    }
    assert_eq!(q.len(), 7);
    for i in 0..7 {
        let v = if i % 3 == 0 { q.pop_mut() } else { q.pop() };
        assert_eq!(v, Some(i));
    }
    assert_eq!(q.pop_mut(), None);
    assert_eq!(q.pop(), None);
    q.push_mut(9);
    assert_eq!(q.pop(), Some(9));
}

#[test]
fn debug_shows_length_and_segment_capacity() {
    let q = SegQueue::with_segment_capacity(4);
    assert_eq!(
        format!("{q:?}"),
        "SegQueue { len: 0, max_segment_capacity: 4, .. }"
    );
    q.push(1);
    q.push(2);
    assert_eq!(
        format!("{q:?}"),
        "SegQueue { len: 2, max_segment_capacity: 4, .. }"
    );
    let it = q.into_iter();
    assert_eq!(format!("{it:?}"), "IntoIter { len: 2, .. }");
}

#[test]
fn into_iter_yields_oldest_first() {
    let q = SegQueue::with_segment_capacity(3);
    for i in 0..10 {
        q.push(i);
    }
    q.pop();
    let it = q.into_iter();
    assert_eq!(it.len(), 9);
    assert_eq!(it.collect::<Vec<_>>(), (1..10).collect::<Vec<_>>());

    let empty: SegQueue<u8> = SegQueue::new();
    assert_eq!(empty.into_iter().next(), None);
}

#[test]
fn for_loop_over_a_queue() {
    let q = SegQueue::new();
    q.push("x");
    q.push("y");
    let mut seen = Vec::new();
    for v in q {
        seen.push(v);
    }
    assert_eq!(seen, ["x", "y"]);
}

#[test]
fn partially_consumed_iterator_drops_the_rest_exactly_once() {
    let counter = drop_counter();
    let q = SegQueue::with_segment_capacity(2);
    for i in 0..9 {
        q.push(Counted::new(i, &counter));
    }
    let mut it = q.into_iter();
    for i in 0..4 {
        assert_eq!(it.next().unwrap().id, i);
    }
    assert_eq!(drops(&counter), 4);
    assert_eq!(it.len(), 5);
    drop(it);
    assert_eq!(drops(&counter), 9);
}

#[test]
fn drop_drops_every_value_exactly_once() {
    for capacity in [1, 2, 4, 32] {
        let counter = drop_counter();
        let q = SegQueue::with_segment_capacity(capacity);
        for i in 0..50 {
            q.push(Counted::new(i, &counter));
        }
        // Some popped (and dropped by us), the rest left in the queue.
        for i in 0..17 {
            assert_eq!(q.pop().unwrap().id, i);
        }
        assert_eq!(drops(&counter), 17);
        drop(q);
        assert_eq!(drops(&counter), 50, "capacity {capacity}");
    }
}

#[test]
fn zero_sized_values() {
    let q = SegQueue::with_segment_capacity(3);
    for _ in 0..scaled(1_000, 50) {
        q.push(());
    }
    assert_eq!(q.len(), scaled(1_000, 50));
    for _ in 0..scaled(1_000, 50) {
        assert_eq!(q.pop(), Some(()));
    }
    assert_eq!(q.pop(), None);

    // Zero-sized values with a destructor: counted exactly.
    struct Zst;
    static DROPS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    impl Drop for Zst {
        fn drop(&mut self) {
            DROPS.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
    let q = SegQueue::with_segment_capacity(2);
    for _ in 0..7 {
        q.push(Zst);
    }
    drop(q.pop());
    drop(q);
    assert_eq!(DROPS.load(std::sync::atomic::Ordering::SeqCst), 7);
}

#[test]
fn boxed_values_move_through_unchanged() {
    let q = SegQueue::with_segment_capacity(2);
    for i in 0..20 {
        q.push(Box::new([i; 8]));
    }
    for i in 0..20 {
        assert_eq!(*q.pop().unwrap(), [i; 8]);
    }
}

#[test]
fn growing_segments_keep_fifo_and_an_exact_len() {
    // 32, 64, ..., 1024, 1024, ...: every size, and many boundaries of the
    // largest; pops interleaved so head and tail sit in segments of
    // different sizes while `len` counts the ones between.
    let q = SegQueue::new();
    let n = scaled(20_000, 3 * FIRST_SEGMENT_CAPACITY + 10);
    let (mut next_in, mut next_out) = (0, 0);
    while next_in < n {
        for _ in 0..7 {
            q.push(next_in);
            next_in += 1;
        }
        assert_eq!(q.pop(), Some(next_out));
        next_out += 1;
        assert_eq!(q.len(), next_in - next_out);
    }
    while let Some(v) = q.pop() {
        assert_eq!(v, next_out);
        next_out += 1;
    }
    assert_eq!(next_out, n.next_multiple_of(7));
    assert!(q.is_empty());
}

#[test]
fn large_values_stop_growing_at_the_first_capacity() {
    let q = SegQueue::<[u8; 4096]>::new();
    assert_eq!(q.max_segment_capacity(), FIRST_SEGMENT_CAPACITY);
    for i in 0..3 * FIRST_SEGMENT_CAPACITY {
        q.push([i as u8; 4096]);
    }
    for i in 0..3 * FIRST_SEGMENT_CAPACITY {
        assert_eq!(q.pop().map(|v| v[0]), Some(i as u8));
    }
}

/// Dropping the queue used to stop at the segment whose value panicked:
/// every later segment, and its values, leaked. (miri checks that no
/// segment or buffer leaks either.)
#[test]
fn a_panicking_destructor_still_drops_every_other_value() {
    for bomb_at in [0, 1, 5, 11] {
        let drops = std::rc::Rc::new(std::cell::Cell::new(0));
        let q = SegQueue::with_segment_capacity(2);
        for i in 0..12 {
            let drops = std::rc::Rc::clone(&drops);
            q.push(Bomb {
                bomb: i == bomb_at,
                drops,
            });
        }
        let unwound = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| drop(q)));
        assert!(unwound.is_err());
        assert_eq!(drops.get(), 12, "bomb at {bomb_at}");
    }
}

#[test]
fn pop_batch_takes_the_oldest_of_the_head_segment_in_order() {
    let counter = drop_counter();
    let q = SegQueue::with_segment_capacity(4);
    for i in 0..10 {
        q.push(Counted::new(i, &counter));
    }
    let mut taken = Vec::new();
    loop {
        let batch = q.pop_batch(3);
        if batch.len() == 0 {
            break;
        }
        assert!(batch.len() <= 3);
        taken.extend(batch.map(|v| v.id));
    }
    assert_eq!(taken, (0..10).collect::<Vec<_>>());
    assert!(q.is_empty());
    assert_eq!(q.pop_batch(0).len(), 0);
    // A batch dropped with values in it drops them once.
    q.push(Counted::new(10, &counter));
    q.push(Counted::new(11, &counter));
    drop(q.pop_batch(5));
    assert_eq!(drops(&counter), 12);
    drop(q);
    assert_eq!(drops(&counter), 12);
}
