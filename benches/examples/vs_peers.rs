//! The "each worker sends and receives" pattern on deque-channel and on its
//! peers, side by side and interleaved.
//!
//! ```text
//! cargo run --release -p benches --example vs_peers [-- WORKERS [VALUES [ROUNDS]]]
//! ```
//!
//! WORKERS threads (default 4) each send VALUES / WORKERS values (default
//! 2,000,000 in all) in bursts of 16, receiving up to 16 (from anywhere)
//! after each burst, then receive until every value is in: the loop of the
//! `send_recv` benchmark (`benches::channel::run`). The peers: the same
//! loop built by hand from crossbeam-deque's `Injector`, `Worker` and
//! `Stealer` (as rayon does it), crossbeam-channel unbounded, and flume
//! unbounded.
//!
//! Why not only criterion: on a small, shared machine a threaded run's speed
//! drifts by tens of percent over minutes, and criterion measures one
//! implementation after the other, so the order alone moves the ratio (the
//! same binary read 0.78x-1.16x against the Injector loop depending on which
//! ran first). Here every round runs all four, in an order that rotates
//! from round to round, and the ratios are taken within a round: the table
//! gives each implementation's median throughput (min, max) and, for each
//! peer, the median and quartiles of the per-round ratios.

use std::time::Instant;

use benches::channel::{Port, crossbeam_channel, flume, injector, ours, run};

const NAMES: [&str; 4] = [
    "deque-channel",
    "crossbeam-deque Injector loop",
    "crossbeam-channel unbounded",
    "flume unbounded",
];

/// Runs implementation `which` once; returns values per second.
fn run_one(which: usize, workers: usize, values: usize) -> f64 {
    // Worker `i` sends its share; the shares add up to `values`.
    let sends: Vec<usize> = (0..workers)
        .map(|i| values / workers + usize::from(i < values % workers))
        .collect();
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

fn arg(position: usize, default: usize) -> usize {
    std::env::args().nth(position).map_or(default, |a| {
        a.replace('_', "")
            .parse()
            .unwrap_or_else(|_| panic!("argument {position} must be a number, got {a:?}"))
    })
}

/// The value at quantile `q` of sorted `v`.
fn quantile(v: &[f64], q: f64) -> f64 {
    v[((v.len() - 1) as f64 * q).round() as usize]
}

fn main() {
    let workers = arg(1, 4).max(1);
    let values = arg(2, 2_000_000);
    let rounds = arg(3, 21).max(1);
    println!(
        "{workers} workers, {values} values per run, {rounds} rounds (all four per round, order rotating)"
    );
    let mut rates: Vec<Vec<f64>> = vec![Vec::new(); NAMES.len()];
    for round in 0..rounds {
        for k in 0..NAMES.len() {
            let which = (round + k) % NAMES.len();
            rates[which].push(run_one(which, workers, values));
        }
    }
    println!(
        "\n| {:<30} | {:>15} | {:>15} | {:>15} |",
        "implementation", "median Mval/s", "min", "max"
    );
    println!("|{:-<32}|{:->17}|{:->17}|{:->17}|", "", "", "", "");
    for (name, r) in NAMES.iter().zip(&rates) {
        let mut sorted = r.clone();
        sorted.sort_by(f64::total_cmp);
        println!(
            "| {:<30} | {:>15.1} | {:>15.1} | {:>15.1} |",
            name,
            quantile(&sorted, 0.5) / 1e6,
            sorted[0] / 1e6,
            sorted[sorted.len() - 1] / 1e6
        );
    }
    println!(
        "\n| {:<30} | {:>15} | {:>23} |",
        "deque-channel / peer", "median ratio", "quartiles"
    );
    println!("|{:-<32}|{:->17}|{:->25}|", "", "", "");
    for (name, peer) in NAMES.iter().zip(&rates).skip(1) {
        let mut ratios: Vec<f64> = rates[0].iter().zip(peer).map(|(o, p)| o / p).collect();
        ratios.sort_by(f64::total_cmp);
        println!(
            "| {:<30} | {:>14.2}x | {:>10.2}x - {:>9.2}x |",
            name,
            quantile(&ratios, 0.5),
            quantile(&ratios, 0.25),
            quantile(&ratios, 0.75)
        );
    }
}
