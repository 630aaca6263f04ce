//! Release-mode stress: millions of values through 8 producers and 8
//! consumers. Run with
//! `cargo test -p vyukov-mpmc --release --test stress -- --ignored`
//! (or `cargo xtask verify --only stress`).
#![cfg(not(vyukov_mpmc_loom))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Instant;

use vyukov_mpmc::{ArrayQueue, ClosableQueue, Pop};

const PRODUCERS: usize = 8;
const CONSUMERS: usize = 8;
const PER_PRODUCER: usize = 500_000;
const TOTAL: usize = PRODUCERS * PER_PRODUCER;

/// A value: its producer in the high bits, its sequence number below.
fn encode(producer: usize, seq: usize) -> u64 {
    ((producer as u64) << 32) | seq as u64
}

fn decode(v: u64) -> (usize, usize) {
    ((v >> 32) as usize, (v & 0xffff_ffff) as usize)
}

/// Checks one consumer's log: each producer's values in increasing order
/// (FIFO per producer), and marks them in `seen`.
fn check_log(log: &[u64], seen: &mut [bool]) {
    let mut last = [None::<usize>; PRODUCERS];
    for &v in log {
        let (p, seq) = decode(v);
        assert!(p < PRODUCERS && seq < PER_PRODUCER, "bogus value {v:#x}");
        assert!(
            last[p] < Some(seq),
            "producer {p}: {seq} seen after {:?} by one consumer",
            last[p]
        );
        last[p] = Some(seq);
        let i = p * PER_PRODUCER + seq;
        assert!(!seen[i], "value {v:#x} popped twice");
        seen[i] = true;
    }
}

/// 8 producers, 8 consumers (taking up to `batch` values per call: 1 is
/// `pop`, more is `pop_batch`), `capacity` slots: every value exactly once,
/// in order per producer.
fn run_mpmc(capacity: usize, batch: usize) {
    let start_time = Instant::now();
    let q = Arc::new(ArrayQueue::new(capacity));
    let start = Arc::new(Barrier::new(PRODUCERS + CONSUMERS));
    let taken = Arc::new(AtomicUsize::new(0));

    let producers: Vec<_> = (0..PRODUCERS)
        .map(|p| {
            let (q, start) = (Arc::clone(&q), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                for seq in 0..PER_PRODUCER {
                    let mut v = encode(p, seq);
                    while let Err(back) = q.push(v) {
                        v = back;
                        thread::yield_now();
                    }
                }
            })
        })
        .collect();
    let consumers: Vec<_> = (0..CONSUMERS)
        .map(|_| {
            let (q, start, taken) = (Arc::clone(&q), Arc::clone(&start), Arc::clone(&taken));
            thread::spawn(move || {
                start.wait();
                let mut log = Vec::with_capacity(TOTAL / CONSUMERS * 2);
                loop {
                    let before = log.len();
                    if batch == 1 {
                        log.extend(q.pop());
                    } else {
                        log.extend(q.pop_batch(batch));
                    }
                    match log.len() - before {
                        0 if taken.load(Ordering::Relaxed) == TOTAL => return log,
                        0 => thread::yield_now(),
                        n => {
                            taken.fetch_add(n, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();

    for p in producers {
        p.join().unwrap();
    }
    let mut seen = vec![false; TOTAL];
    for c in consumers {
        check_log(&c.join().unwrap(), &mut seen);
    }
    assert!(seen.iter().all(|&s| s), "a value was lost");
    assert!(q.is_empty());
    eprintln!(
        "8P/8C, capacity {capacity}, batches of up to {batch}, {TOTAL} values: {:?}",
        start_time.elapsed()
    );
}

#[test]
#[ignore = "stress: run in release by cargo xtask verify --only stress"]
fn eight_producers_eight_consumers_capacity_1024() {
    run_mpmc(1024, 1);
}

#[test]
#[ignore = "stress: run in release by cargo xtask verify --only stress"]
fn eight_producers_eight_batch_consumers_capacity_1024() {
    run_mpmc(1024, 16);
}

#[test]
#[ignore = "stress: run in release by cargo xtask verify --only stress"]
fn eight_producers_eight_consumers_capacity_7() {
    // A tiny odd capacity: full and empty all the time, laps wrap constantly.
    run_mpmc(7, 1);
}

#[test]
#[ignore = "stress: run in release by cargo xtask verify --only stress"]
fn eight_producers_eight_batch_consumers_capacity_7() {
    // Batches that cross the wrap and stop at slots still being written.
    run_mpmc(7, 4);
}

/// `force_push` from every producer into a small ring that consumers drain:
/// each value ends up in exactly one place (popped, evicted, or left), and
/// the values one consumer pops from one producer stay in order.
#[test]
#[ignore = "stress: run in release by cargo xtask verify --only stress"]
fn force_push_stress() {
    const PER: usize = 250_000;
    const N: usize = 4;
    let q = Arc::new(ArrayQueue::new(16));
    let start = Arc::new(Barrier::new(2 * N));
    let done = Arc::new(AtomicUsize::new(0));

    let producers: Vec<_> = (0..N)
        .map(|p| {
            let (q, start, done) = (Arc::clone(&q), Arc::clone(&start), Arc::clone(&done));
            thread::spawn(move || {
                start.wait();
                let mut evicted = Vec::new();
                for seq in 0..PER {
                    if let Some(old) = q.force_push(encode(p, seq)) {
                        evicted.push(old);
                    }
                }
                done.fetch_add(1, Ordering::Release);
                evicted
            })
        })
        .collect();
    let consumers: Vec<_> = (0..N)
        .map(|_| {
            let (q, start, done) = (Arc::clone(&q), Arc::clone(&start), Arc::clone(&done));
            thread::spawn(move || {
                start.wait();
                let mut log = Vec::new();
                let mut last = [None::<usize>; N];
                loop {
                    match q.pop() {
                        Some(v) => {
                            let (p, seq) = decode(v);
                            assert!(last[p] < Some(seq), "producer {p} out of order");
                            last[p] = Some(seq);
                            log.push(v);
                        }
                        None if done.load(Ordering::Acquire) == N => return log,
                        None => thread::yield_now(),
                    }
                }
            })
        })
        .collect();

    let mut all: Vec<u64> = producers
        .into_iter()
        .flat_map(|p| p.join().unwrap())
        .collect();
    for c in consumers {
        all.extend(c.join().unwrap());
    }
    let q = Arc::try_unwrap(q).unwrap();
    all.extend(q);
    assert_eq!(all.len(), N * PER, "values lost or duplicated");
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), N * PER, "a value appeared twice");
}

/// The closable ring as seg-queue uses it: producers `push_or_close` into a
/// chain of small segments, moving to the next segment when one closes;
/// consumers move on when a segment is drained. Every value exactly once,
/// FIFO per producer per consumer.
#[test]
#[ignore = "stress: run in release by cargo xtask verify --only stress"]
fn closable_segments_stress() {
    const PER: usize = 100_000;
    const N: usize = 4;
    const CAPACITY: usize = 8;
    // A segment closes only when full, so each closed one took at least
    // CAPACITY values: this many segments always suffice.
    const SEGMENTS: usize = N * PER / CAPACITY + 1;
    let segments: Arc<Vec<ClosableQueue<u64>>> = Arc::new(
        (0..SEGMENTS)
            .map(|_| ClosableQueue::new(CAPACITY))
            .collect(),
    );
    let start = Arc::new(Barrier::new(2 * N));

    let producers: Vec<_> = (0..N)
        .map(|p| {
            let (segs, start) = (Arc::clone(&segments), Arc::clone(&start));
            thread::spawn(move || {
                start.wait();
                let mut s = 0;
                for seq in 0..PER {
                    let mut v = encode(p, seq);
                    loop {
                        match segs[s].push_or_close(v) {
                            Ok(()) => break,
                            Err(back) => {
                                v = back;
                                s += 1;
                                assert!(s < SEGMENTS, "ran out of segments");
                            }
                        }
                    }
                }
            })
        })
        .collect();
    let taken = Arc::new(AtomicUsize::new(0));
    let consumers: Vec<_> = (0..N)
        .map(|_| {
            let (segs, start, taken) = (
                Arc::clone(&segments),
                Arc::clone(&start),
                Arc::clone(&taken),
            );
            thread::spawn(move || {
                start.wait();
                let mut s = 0;
                let mut log = Vec::new();
                let mut last = [None::<usize>; N];
                while taken.load(Ordering::Relaxed) < N * PER {
                    match segs[s].pop() {
                        Pop::Item(v) => {
                            let (p, seq) = decode(v);
                            assert!(last[p] < Some(seq), "producer {p} out of order");
                            last[p] = Some(seq);
                            log.push(v);
                            taken.fetch_add(1, Ordering::Relaxed);
                        }
                        Pop::Empty => thread::yield_now(),
                        Pop::Drained => s += 1,
                    }
                }
                log
            })
        })
        .collect();

    for p in producers {
        p.join().unwrap();
    }
    let mut all: Vec<u64> = consumers
        .into_iter()
        .flat_map(|c| c.join().unwrap())
        .collect();
    assert_eq!(all.len(), N * PER);
    all.sort_unstable();
    all.dedup();
    assert_eq!(all.len(), N * PER, "a value appeared twice");
}
