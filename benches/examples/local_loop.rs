//! The fast path alone: every thread sends 16 values to its own deque and
//! receives them back, round after round, with no stealing and no shared
//! state, on deque-channel and on crossbeam-deque's `Worker` (the Injector
//! loop's local deque).
//!
//! ```text
//! cargo run --release -p benches --example local_loop [-- THREADS [ROUNDS [RUNS]]]
//! ```
//!
//! THREADS (default 2, one per CPU here) threads each run ROUNDS (default
//! 2,000,000) rounds of 16 sends then 16 receives; the two implementations
//! alternate, RUNS times each (default 11), and it prints the tables of
//! `benches::interleaved` (throughput of all threads together). This is
//! what `vs_peers` spends most of its time on, without the scheduler
//! deciding which workers share a CPU.

use std::hint::black_box;
use std::thread;
use std::time::Instant;

use benches::interleaved::{self, arg};

const BURST: usize = 16;

#[inline(never)]
fn channel_rounds(worker: &deque_channel::Worker<usize>, rounds: usize) {
    for round in 0..rounds {
        for v in round..round + BURST {
            worker.send(v).expect("a 256-value deque holds 16");
        }
        for _ in 0..BURST {
            black_box(worker.recv());
        }
    }
}

#[inline(never)]
fn crossbeam_rounds(worker: &crossbeam_deque::Worker<usize>, rounds: usize) {
    for round in 0..rounds {
        for v in round..round + BURST {
            worker.push(v);
        }
        for _ in 0..BURST {
            black_box(worker.pop());
        }
    }
}

/// Seconds for `threads` threads to each run `rounds` rounds.
fn time_channel(threads: usize, rounds: usize) -> f64 {
    let (_channel, workers) = deque_channel::DequeChannel::new(threads);
    let start = Instant::now();
    thread::scope(|scope| {
        for worker in workers {
            scope.spawn(move || channel_rounds(&worker, rounds));
        }
    });
    start.elapsed().as_secs_f64()
}

fn time_crossbeam(threads: usize, rounds: usize) -> f64 {
    let start = Instant::now();
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(move || crossbeam_rounds(&crossbeam_deque::Worker::new_lifo(), rounds));
        }
    });
    start.elapsed().as_secs_f64()
}

fn main() {
    let threads = arg(1, 2).max(1);
    let rounds = arg(2, 2_000_000).max(1);
    let runs = arg(3, 11).max(1);
    println!(
        "{threads} threads x {rounds} rounds of {BURST} sends + {BURST} receives, {runs} runs each, order rotating"
    );
    let values = (threads * rounds * BURST) as f64;
    let rates = interleaved::rounds(2, runs, |which| {
        values
            / match which {
                0 => time_channel(threads, rounds),
                _ => time_crossbeam(threads, rounds),
            }
    });
    interleaved::print_tables(&["deque-channel", "crossbeam-deque Worker"], &rates);
}
