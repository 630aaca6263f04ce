//! The deque-channel benchmark's patterns on deque-channel and on its peers,
//! side by side and interleaved.
//!
//! ```text
//! cargo run --release -p benches --example vs_peers [-- WORKERS [VALUES [ROUNDS [PATTERN]]]]
//! ```
//!
//! PATTERN is one of the benchmark's groups:
//! - `send_recv` (the default): WORKERS threads (default 4) each send
//!   VALUES / WORKERS values (default 2,000,000 in all) in bursts of 16,
//!   receiving up to 16 (from anywhere) after each burst, then receive until
//!   every value is in (`benches::channel::run`);
//! - `imbalanced`: the same loop, but worker 0 sends every value;
//! - `one_producer`: a thread that is not a worker sends every value, the
//!   workers only receive (`benches::channel::run_fed`).
//!
//! The peers: the same loops built by hand from crossbeam-deque's
//! `Injector`, `Worker` and `Stealer` (as rayon does it), crossbeam-channel
//! unbounded, and flume unbounded.
//!
//! Every round runs all four, in an order that rotates from round to round
//! (why: `benches::interleaved`); the tables give each implementation's
//! median throughput (min, max) and, for each peer, the median and
//! quartiles of the per-round ratios and the number of rounds deque-channel
//! was the faster of the two.

use std::time::Instant;

use benches::channel::{
    Feed, Port, crossbeam_channel, crossbeam_channel_fed, flume, flume_fed, injector, injector_fed,
    ours, ours_fed, run, run_fed,
};
use benches::interleaved::{self, arg};

const NAMES: [&str; 4] = [
    "deque-channel",
    "crossbeam-deque Injector loop",
    "crossbeam-channel unbounded",
    "flume unbounded",
];

/// The benchmark pattern a run measures.
#[derive(Debug, Clone, Copy)]
enum Pattern {
    SendRecv,
    Imbalanced,
    OneProducer,
}

/// Runs implementation `which` once; returns values per second.
fn run_one(which: usize, pattern: Pattern, workers: usize, values: usize) -> f64 {
    let sends: Vec<usize> = match pattern {
        // Worker `i` sends its share; the shares add up to `values`.
        Pattern::SendRecv => (0..workers)
            .map(|i| values / workers + usize::from(i < values % workers))
            .collect(),
        Pattern::Imbalanced => (0..workers)
            .map(|i| if i == 0 { values } else { 0 })
            .collect(),
        Pattern::OneProducer => {
            return match which {
                0 => timed_fed(ours_fed(workers), values),
                1 => timed_fed(injector_fed(workers), values),
                2 => timed_fed(crossbeam_channel_fed(workers), values),
                _ => timed_fed(flume_fed(workers), values),
            };
        }
    };
    match which {
        0 => timed(ours(workers), &sends),
        1 => timed(injector(workers), &sends),
        2 => timed(crossbeam_channel(workers), &sends),
        _ => timed(flume(workers), &sends),
    }
}

/// Values per second of one `run`.
fn timed<P: Port>(ports: Vec<P>, sends: &[usize]) -> f64 {
    let start = Instant::now();
    run(ports, sends);
    sends.iter().sum::<usize>() as f64 / start.elapsed().as_secs_f64()
}

/// Values per second of one `run_fed`.
fn timed_fed<F: Feed, P: Port>((feed, ports): (F, Vec<P>), values: usize) -> f64 {
    let start = Instant::now();
    run_fed(feed, ports, values);
    values as f64 / start.elapsed().as_secs_f64()
}

fn main() {
    let workers = arg(1, 4).max(1);
    let values = arg(2, 2_000_000);
    let rounds = arg(3, 21).max(1);
    let pattern = match std::env::args().nth(4).as_deref() {
        None | Some("send_recv") => Pattern::SendRecv,
        Some("imbalanced") => Pattern::Imbalanced,
        Some("one_producer") => Pattern::OneProducer,
        Some(other) => {
            panic!("argument 4 must be send_recv, imbalanced or one_producer, got {other:?}")
        }
    };
    println!(
        "{pattern:?}: {workers} workers, {values} values per run, {rounds} rounds (all four per round, order rotating)"
    );
    let rates = interleaved::rounds(NAMES.len(), rounds, |which| {
        run_one(which, pattern, workers, values)
    });
    interleaved::print_tables(&NAMES, &rates);
}
