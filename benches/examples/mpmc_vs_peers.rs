//! vyukov-mpmc's `ArrayQueue` or seg-queue's `SegQueue` against their peers,
//! side by side and interleaved.
//!
//! ```text
//! cargo run --release -p benches --example mpmc_vs_peers [-- QUEUE [VALUES [ROUNDS]]]
//! ```
//!
//! QUEUE is `array` (the default: vyukov-mpmc's `ArrayQueue` against
//! crossbeam-queue's `ArrayQueue` and concurrent-queue's `bounded`, all of
//! capacity 1024) or `seg` (seg-queue's `SegQueue` against crossbeam-queue's
//! `SegQueue` and concurrent-queue's `unbounded`). For each of 1, 2, 4 and
//! 8 producer/consumer pairs, every round moves VALUES values (default
//! 2,000,000) through a fresh queue of each implementation with the
//! workload of the criterion benchmarks (`benches::mpmc::run`), ROUNDS
//! rounds (default 11) in rotating order; the tables are those of
//! `benches::interleaved`.

use benches::interleaved::{self, arg};
use benches::mpmc::{self, Concurrent, CrossbeamArray, CrossbeamSeg, POINTS, Queue, Seg, Vyukov};

/// The bounded queues' capacity, as in the criterion benchmark.
const CAPACITY: usize = 1024;

/// Values per second of one run on `queue`.
fn rate(queue: &impl Queue, pairs: usize, values: usize) -> f64 {
    values as f64 / mpmc::run(queue, pairs, values).as_secs_f64()
}

fn main() {
    let bounded = match std::env::args().nth(1).as_deref() {
        None | Some("array") => true,
        Some("seg") => false,
        Some(other) => panic!("argument 1 must be array or seg, got {other:?}"),
    };
    let values = arg(2, 2_000_000);
    let rounds = arg(3, 11).max(1);
    let names = if bounded {
        [
            "vyukov-mpmc ArrayQueue",
            "crossbeam-queue ArrayQueue",
            "concurrent-queue bounded",
        ]
    } else {
        [
            "seg-queue SegQueue",
            "crossbeam-queue SegQueue",
            "concurrent-queue unbounded",
        ]
    };
    for (pairs, point) in POINTS {
        // Every producer pushes the same number of values.
        let values = values / pairs * pairs;
        println!(
            "\n{point}: {values} values per run, {rounds} rounds (all three per round, order rotating)"
        );
        let rates = interleaved::rounds(names.len(), rounds, |which| match (bounded, which) {
            (true, 0) => rate(
                &Vyukov(vyukov_mpmc::ArrayQueue::new(CAPACITY)),
                pairs,
                values,
            ),
            (true, 1) => rate(
                &CrossbeamArray(crossbeam_queue::ArrayQueue::new(CAPACITY)),
                pairs,
                values,
            ),
            (true, _) => rate(
                &Concurrent(concurrent_queue::ConcurrentQueue::bounded(CAPACITY)),
                pairs,
                values,
            ),
            (false, 0) => rate(&Seg(seg_queue::SegQueue::new()), pairs, values),
            (false, 1) => rate(
                &CrossbeamSeg(crossbeam_queue::SegQueue::new()),
                pairs,
                values,
            ),
            (false, _) => rate(
                &Concurrent(concurrent_queue::ConcurrentQueue::unbounded()),
                pairs,
                values,
            ),
        });
        interleaved::print_tables(&names, &rates);
    }
}
