//! The "each worker sends and receives" pattern on deque-channel and on its
//! peers, side by side and interleaved.
//!
//! ```text
//! cargo run --release -p deque-channel --example vs_peers [-- WORKERS [VALUES [ROUNDS]]]
//! ```
//!
//! WORKERS threads (default 4) each send VALUES / WORKERS values (default
//! 2,000,000 in all) in bursts of 16, receiving up to 16 (from anywhere)
//! after each burst, then receive until every value is in: the loop of
//! `benches/benches/deque_channel.rs`'s `send_recv`. The peers: the same
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

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::thread;
use std::time::Instant;

/// One worker thread's view of a channel.
trait Port: Send {
    fn send(&mut self, v: usize);
    fn recv(&mut self) -> Option<usize>;
}

struct Ours(deque_channel::Worker<usize>);
impl Port for Ours {
    fn send(&mut self, v: usize) {
        // The default capacities hold this pattern with room to spare.
        self.0.send(v).expect("deque-channel full");
    }
    fn recv(&mut self) -> Option<usize> {
        self.0.recv()
    }
}

/// rayon's loop: the local LIFO deque, then a batch from the global
/// injector, then a batch from each other worker, retrying on `Retry`.
struct Injector {
    id: usize,
    local: crossbeam_deque::Worker<usize>,
    global: Arc<crossbeam_deque::Injector<usize>>,
    stealers: Arc<Vec<crossbeam_deque::Stealer<usize>>>,
}
impl Port for Injector {
    fn send(&mut self, v: usize) {
        self.local.push(v);
    }
    fn recv(&mut self) -> Option<usize> {
        self.local.pop().or_else(|| {
            std::iter::repeat_with(|| {
                self.global.steal_batch_and_pop(&self.local).or_else(|| {
                    self.stealers
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != self.id)
                        .map(|(_, s)| s.steal_batch_and_pop(&self.local))
                        .collect()
                })
            })
            .find(|s| !s.is_retry())
            .and_then(|s| s.success())
        })
    }
}

struct CrossbeamChannel(
    crossbeam_channel::Sender<usize>,
    crossbeam_channel::Receiver<usize>,
);
impl Port for CrossbeamChannel {
    fn send(&mut self, v: usize) {
        self.0.send(v).unwrap();
    }
    fn recv(&mut self) -> Option<usize> {
        self.1.try_recv().ok()
    }
}

struct Flume(flume::Sender<usize>, flume::Receiver<usize>);
impl Port for Flume {
    fn send(&mut self, v: usize) {
        self.0.send(v).unwrap();
    }
    fn recv(&mut self) -> Option<usize> {
        self.1.try_recv().ok()
    }
}

const NAMES: [&str; 4] = [
    "deque-channel",
    "crossbeam-deque Injector loop",
    "crossbeam-channel unbounded",
    "flume unbounded",
];

/// Runs implementation `which` once; returns values per second.
fn run_one(which: usize, workers: usize, values: usize) -> f64 {
    match which {
        0 => {
            let (_channel, ws) = deque_channel::DequeChannel::new(workers);
            run(ws.into_iter().map(Ours).collect(), values)
        }
        1 => {
            let locals: Vec<_> = (0..workers)
                .map(|_| crossbeam_deque::Worker::new_lifo())
                .collect();
            let stealers = Arc::new(locals.iter().map(|w| w.stealer()).collect::<Vec<_>>());
            let global = Arc::new(crossbeam_deque::Injector::new());
            let ports = locals
                .into_iter()
                .enumerate()
                .map(|(id, local)| Injector {
                    id,
                    local,
                    global: Arc::clone(&global),
                    stealers: Arc::clone(&stealers),
                })
                .collect();
            run(ports, values)
        }
        2 => {
            let (tx, rx) = crossbeam_channel::unbounded();
            let ports = (0..workers)
                .map(|_| CrossbeamChannel(tx.clone(), rx.clone()))
                .collect();
            run(ports, values)
        }
        _ => {
            let (tx, rx) = flume::unbounded();
            let ports = (0..workers)
                .map(|_| Flume(tx.clone(), rx.clone()))
                .collect();
            run(ports, values)
        }
    }
}

const BURST: usize = 16;

/// Each port's thread sends its share in bursts of 16, receiving up to 16
/// after each burst, then receives until all values are in.
fn run<P: Port>(ports: Vec<P>, values: usize) -> f64 {
    let workers = ports.len();
    let received = AtomicUsize::new(0);
    let start = Instant::now();
    thread::scope(|scope| {
        for (i, mut port) in ports.into_iter().enumerate() {
            let to_send = values / workers + usize::from(i < values % workers);
            let received = &received;
            scope.spawn(move || {
                let mut sent = 0;
                let mut mine = 0;
                loop {
                    if sent < to_send {
                        let burst = BURST.min(to_send - sent);
                        for v in sent..sent + burst {
                            port.send(v);
                        }
                        sent += burst;
                    }
                    for _ in 0..BURST {
                        match port.recv() {
                            Some(v) => {
                                black_box(v);
                                mine += 1;
                            }
                            None => break,
                        }
                    }
                    if mine >= 64 || sent == to_send {
                        received.fetch_add(mine, Relaxed);
                        mine = 0;
                    }
                    if sent == to_send && received.load(Relaxed) >= values {
                        return;
                    }
                    if sent == to_send {
                        // Idle: give the core to a worker that still has work.
                        thread::yield_now();
                    }
                }
            });
        }
    });
    values as f64 / start.elapsed().as_secs_f64()
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
