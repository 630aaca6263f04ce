//! Unbalanced tree search on the work-stealing channel.
//!
//! A binomial tree in the style of the UTS benchmark: the root has `--root`
//! children; every other node has `--m` children with probability `--q`,
//! else none, decided by a splittable hash of the node. The tree is
//! deterministic and very uneven: some subtrees die at once, others run
//! deep. Workers receive a node, do `--work` rounds of hashing on it, and
//! send its children.
//!
//! The search on deque-channel is the way a user writes it: each worker
//! loops on `recv_blocking` and the job ends when the channel is *done*
//! (closed, empty, every worker waiting): no counter of outstanding work,
//! no spinning, no idle heuristic. The node count is checked against a
//! single-threaded walk, and the same search runs on three peers: rayon
//! (`scope`, one spawn per node), crossbeam-channel (an outstanding-work
//! counter and a spin loop, as its users must write it), and deque-channel
//! driven that same spinning way (what the blocking receive replaced).
//!
//! ```text
//! cargo run --release -p deque-channel --example tree_search -- --workers 4 --root 20000
//! ```

use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

use deque_channel::DequeChannel;

mod tree;
use tree::{
    Params, Spinning, count_sequential, crossbeam_ports, search_blocking, search_rayon,
    search_spinning,
};

fn parse_args() -> Result<Params, String> {
    let mut p = Params {
        workers: thread::available_parallelism().map_or(2, |n| n.get()),
        root_children: 10_000,
        m: 4,
        q: 0.249,
        seed: 7,
        work: 32,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let bad = || format!("bad value for {flag}: {value}");
        match flag.as_str() {
            "--workers" => p.workers = value.parse().map_err(|_| bad())?,
            "--root" => p.root_children = value.parse().map_err(|_| bad())?,
            "--m" => p.m = value.parse().map_err(|_| bad())?,
            "--q" => p.q = value.parse().map_err(|_| bad())?,
            "--seed" => p.seed = value.parse().map_err(|_| bad())?,
            "--work" => p.work = value.parse().map_err(|_| bad())?,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if p.workers == 0 {
        return Err("--workers must be at least 1".into());
    }
    if f64::from(p.m) * p.q >= 1.0 {
        return Err("--m times --q must be below 1, or the tree is infinite".into());
    }
    Ok(p)
}

fn rate(nodes: u64, took: Duration) -> f64 {
    nodes as f64 / took.as_secs_f64() / 1e6
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

fn main() -> ExitCode {
    let p = match parse_args() {
        Ok(p) => p,
        Err(why) => {
            if !why.is_empty() {
                eprintln!("error: {why}");
            }
            eprintln!(
                "usage: tree_search [--workers N] [--root N] [--m N] [--q P] [--seed N] [--work N]"
            );
            return ExitCode::from(2);
        }
    };
    println!(
        "tree_search: binomial tree (root {} children, m = {}, q = {}, seed {}), {} rounds of hashing per node, {} workers",
        p.root_children, p.m, p.q, p.seed, p.work, p.workers
    );

    let start = Instant::now();
    let expected = count_sequential(&p);
    let sequential = start.elapsed();
    report("single thread", expected, sequential);

    let start = Instant::now();
    let (shares, stats) = search_blocking(&p);
    let ours = start.elapsed();
    let total: u64 = shares.iter().sum();
    report("deque-channel", total, ours);
    for (id, (nodes, s)) in shares.iter().zip(&stats).enumerate() {
        let received = s.recv_local + s.recv_global + s.recv_stolen;
        // Values a batch from the global queue or a batch steal moved into
        // this worker's deque are popped later as local ones: count them
        // where they came from.
        let global = s.taken_global.min(received);
        let stolen = s.stolen.min(received - global);
        let own = received - global - stolen;
        println!(
            "  worker {id}: {:>5.1}% of nodes; received {:>5.1}% from its own sends, {:>5.1}% from the global queue, {:>5.1}% stolen; {} offloads, {} parks, {} wake-ups received, {} given",
            percent(*nodes, total),
            percent(own, received),
            percent(global, received),
            percent(stolen, received),
            s.offloads,
            s.parks,
            s.wakeups,
            s.wakes,
        );
    }

    let start = Instant::now();
    let rayon_total = search_rayon(&p);
    let rayon = start.elapsed();
    report("rayon scope", rayon_total, rayon);

    let ports = crossbeam_ports(p.workers);
    let start = Instant::now();
    let crossbeam_total: u64 = search_spinning(&p, ports).iter().sum();
    let crossbeam = start.elapsed();
    report("crossbeam-channel", crossbeam_total, crossbeam);

    let (_channel, workers) = DequeChannel::builder()
        .workers(p.workers)
        .global_capacity(1 << 16)
        .build();
    let ports: Vec<Spinning> = workers
        .into_iter()
        .map(|worker| Spinning {
            worker,
            spill: Vec::new(),
        })
        .collect();
    let start = Instant::now();
    let spinning_total: u64 = search_spinning(&p, ports).iter().sum();
    let spinning = start.elapsed();
    report("deque-channel spin", spinning_total, spinning);

    println!(
        "deque-channel (recv_blocking, ends by done): {:.2}x the single thread, {:.2}x rayon scope, {:.2}x crossbeam-channel, {:.2}x its own spinning version",
        sequential.as_secs_f64() / ours.as_secs_f64(),
        rayon.as_secs_f64() / ours.as_secs_f64(),
        crossbeam.as_secs_f64() / ours.as_secs_f64(),
        spinning.as_secs_f64() / ours.as_secs_f64(),
    );

    let counts = [total, rayon_total, crossbeam_total, spinning_total];
    if counts.iter().any(|&c| c != expected) {
        eprintln!(
            "MISMATCH: expected {expected} nodes; deque-channel {total}, rayon {rayon_total}, crossbeam {crossbeam_total}, spinning {spinning_total}"
        );
        return ExitCode::FAILURE;
    }
    println!("node counts match the single-threaded walk: OK");
    ExitCode::SUCCESS
}

/// One line of results.
fn report(name: &str, nodes: u64, took: Duration) {
    println!(
        "{:<20}{nodes:>10} nodes in {:>8.1} ms  ({:.2} Mnodes/s)",
        format!("{name}:"),
        took.as_secs_f64() * 1e3,
        rate(nodes, took)
    );
}
