//! The Unbalanced Tree Search benchmark (UTS) on the work-stealing channel.
//!
//! UTS (Olivier et al., LCPC 2006) counts the nodes of an implicit tree
//! whose every node's child count comes from a SHA-1 random stream
//! (`uts.rs`): every implementation walks the same tree, so the counts can
//! be checked against the published sample trees (T1 to T5, about 4
//! million nodes each; T3, binomial and 1572 deep, is the hard one for
//! stealing). The search on deque-channel is the way a user writes it:
//! each worker loops on `recv_blocking`, and the job ends when the channel
//! is *done* (closed, empty, every worker waiting): no counter of
//! outstanding work, no spinning. The same search runs single-threaded,
//! on rayon (`scope`, one spawn per node, as a rayon user writes UTS), on
//! crossbeam-channel (an outstanding-work counter and a spin loop, as its
//! users must write it), and on deque-channel driven that same spinning way.
//!
//! ```text
//! cargo run --release -p deque-channel --example tree_search -- [--tree T3] [--workers N] [--large]
//! ```
//!
//! `--tree` names a sample tree (T1 to T5; T1L, T2L, T3L, about 100
//! million nodes, need `--large`); `--workers` defaults to every core. Any
//! count that differs from the published one is an error (exit status 1).

use std::process::ExitCode;
use std::thread;
use std::time::{Duration, Instant};

mod tree;
mod uts;

use tree::{
    crossbeam_ports, search_blocking, search_rayon, search_spinning, spinning_ports, total,
};
use uts::{Counts, SAMPLES, Sample, sample};

/// The command line.
struct Args {
    sample: &'static Sample,
    workers: usize,
}

fn parse_args() -> Result<Args, String> {
    let mut name = String::from("T3");
    let mut workers = thread::available_parallelism().map_or(2, |n| n.get());
    let mut large = false;
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        match flag.as_str() {
            "--help" | "-h" => return Err(String::new()),
            "--large" => large = true,
            "--tree" | "--workers" => {
                let value = args.next().ok_or(format!("{flag} needs a value"))?;
                if flag == "--tree" {
                    name = value;
                } else {
                    workers = value
                        .parse()
                        .map_err(|_| format!("bad value for --workers: {value}"))?;
                }
            }
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    let names: Vec<&str> = SAMPLES.iter().map(|s| s.name).collect();
    let sample = sample(&name).ok_or(format!(
        "no sample tree {name}; the trees: {}",
        names.join(", ")
    ))?;
    if sample.large && !large {
        return Err(format!(
            "{} has about 100 million nodes: add --large",
            sample.name
        ));
    }
    if workers == 0 {
        return Err("--workers must be at least 1".into());
    }
    Ok(Args { sample, workers })
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

fn main() -> ExitCode {
    let Args { sample, workers } = match parse_args() {
        Ok(args) => args,
        Err(why) => {
            if !why.is_empty() {
                eprintln!("error: {why}");
            }
            eprintln!("usage: tree_search [--tree T1..T5|T1L|T2L|T3L] [--workers N] [--large]");
            return ExitCode::from(2);
        }
    };
    let tree = &sample.tree;
    println!(
        "tree_search: UTS sample tree {} ({}), {workers} workers; published: {} nodes, {} leaves, depth {}",
        sample.name,
        sample.flags,
        sample.expected.nodes,
        sample.expected.leaves,
        sample.expected.depth
    );

    let start = Instant::now();
    let single = tree.walk();
    let one_thread = start.elapsed();
    let mut runs = vec![report("single thread", single, one_thread, one_thread)];

    let start = Instant::now();
    let (parts, stats) = search_blocking(tree, workers);
    let ours = start.elapsed();
    let ours_total = total(&parts);
    runs.push(report("deque-channel", ours_total, ours, one_thread));
    for (id, (part, s)) in parts.iter().zip(&stats).enumerate() {
        let received = s.recv_local + s.recv_global + s.recv_stolen;
        // Values a batch from the global queue or a batch steal moved into
        // this worker's deque are popped later as local ones: count them
        // where they came from.
        let global = s.taken_global.min(received);
        let stolen = s.stolen.min(received - global);
        let own = received - global - stolen;
        println!(
            "  worker {id}: {:>5.1}% of nodes; received {:>5.1}% from its own sends, {:>5.1}% from the global queue, {:>5.1}% stolen; {} offloads, {} parks, {} wake-ups received, {} given",
            percent(part.nodes, ours_total.nodes),
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
    let rayon_parts = search_rayon(tree, workers);
    let rayon = start.elapsed();
    runs.push(report(
        "rayon scope",
        total(&rayon_parts),
        rayon,
        one_thread,
    ));
    let shares: Vec<String> = rayon_parts
        .iter()
        .map(|p| format!("{:.1}%", percent(p.nodes, single.nodes)))
        .collect();
    println!("  shares by pool thread: {}", shares.join(", "));

    let start = Instant::now();
    let crossbeam_total = total(&search_spinning(tree, crossbeam_ports(workers)));
    let crossbeam = start.elapsed();
    runs.push(report(
        "crossbeam-channel",
        crossbeam_total,
        crossbeam,
        one_thread,
    ));

    let start = Instant::now();
    let spinning_total = total(&search_spinning(tree, spinning_ports(workers)));
    let spinning = start.elapsed();
    runs.push(report(
        "deque-channel spin",
        spinning_total,
        spinning,
        one_thread,
    ));

    println!(
        "deque-channel (recv_blocking, ends by done): {:.2}x the single thread, {:.2}x rayon scope, {:.2}x crossbeam-channel, {:.2}x its own spinning version",
        one_thread.as_secs_f64() / ours.as_secs_f64(),
        rayon.as_secs_f64() / ours.as_secs_f64(),
        crossbeam.as_secs_f64() / ours.as_secs_f64(),
        spinning.as_secs_f64() / ours.as_secs_f64(),
    );

    let wrong: Vec<String> = runs
        .iter()
        .filter(|(_, counts)| *counts != sample.expected)
        .map(|(name, counts)| format!("{name}: {counts:?}"))
        .collect();
    if !wrong.is_empty() {
        eprintln!(
            "MISMATCH with the published {:?}: {}",
            sample.expected,
            wrong.join("; ")
        );
        return ExitCode::FAILURE;
    }
    println!(
        "every search found the published {} nodes, {} leaves, depth {}: OK",
        sample.expected.nodes, sample.expected.leaves, sample.expected.depth
    );
    ExitCode::SUCCESS
}

/// Prints one line of results; gives back the name and counts to check.
fn report(
    name: &'static str,
    counts: Counts,
    took: Duration,
    one_thread: Duration,
) -> (&'static str, Counts) {
    println!(
        "{:<20}{:>10} nodes {:>10} leaves depth {:>5} in {:>8.1} ms  ({:>6.2} Mnodes/s, {:.2}x one thread)",
        format!("{name}:"),
        counts.nodes,
        counts.leaves,
        counts.depth,
        took.as_secs_f64() * 1e3,
        counts.nodes as f64 / took.as_secs_f64() / 1e6,
        one_thread.as_secs_f64() / took.as_secs_f64(),
    );
    (name, counts)
}
