//! What one thief costs the owner: the owner's bursts alone and with a
//! thief stealing on the other core, on beam-deque, crossbeam-deque and st3
//! (issue 15's second and fifth goal rows).
//!
//! ```text
//! cargo run --release -p benches --example owner_with_thief [-- BURSTS [ROUNDS]]
//! ```
//!
//! The owner runs BURSTS bursts (default 20,000): push 256 values into its
//! LIFO deque (256 slots; crossbeam's grows), then pop until the deque is
//! empty. *Alone*, that is `push 256 / pop 256`. *With a thief*, one thread
//! pinned to the other core loops on a single-value `steal()` for the whole
//! run (it is running before the owner starts its clock), so some of each
//! burst is stolen and every owner pop and push competes with it. The
//! owner is pinned to the first core. The figure is the owner's
//! nanoseconds per value pushed; every value is accounted for (the sum of
//! what the owner popped and the thief stole is checked).
//!
//! Every round runs all six (three deques, alone and with a thief), the
//! order rotating (`benches::interleaved`). The tables: each one's median
//! ns per value (min, max); ours / each peer alone and with a thief, as
//! per-round ratios of throughput (above 1: ours is faster); and each
//! deque's slowdown, with-thief ns over alone ns in the same round (issue
//! 15 asks for at most 2x).

use std::hint::black_box;
use std::sync::Barrier;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Instant;

use benches::interleaved::{self, arg};
use benches::pin::{Placement, pin, read_cores};

/// Values per burst, and beam-deque's and st3's capacity.
const BURST: usize = 256;

/// What the pattern needs of a deque.
trait Deque: Sized {
    type Thief: Thief;
    fn make() -> Self;
    fn push(&self, v: u64);
    fn pop(&self) -> Option<u64>;
    fn thief(&self) -> Self::Thief;
}

trait Thief: Send {
    /// One steal: `Some(value)`, or `None` (empty or lost a race).
    fn steal(&self) -> Option<u64>;
}

/// Pushes `v`, retrying while the deque refuses it. A burst always fits,
/// but in beam-deque and st3 a thief between its claim and its read keeps
/// its slots from the owner for that long: the push then finds the deque
/// full.
fn push_until_taken<E>(v: u64, push: impl Fn(u64) -> Result<(), E>) {
    while push(v).is_err() {
        std::hint::spin_loop();
    }
}

struct Ours(beam_deque::Worker<u64>);

impl Deque for Ours {
    type Thief = beam_deque::Stealer<u64>;
    fn make() -> Self {
        Ours(beam_deque::Worker::new(BURST))
    }
    fn push(&self, v: u64) {
        push_until_taken(v, |v| self.0.push(v));
    }
    fn pop(&self) -> Option<u64> {
        self.0.pop()
    }
    fn thief(&self) -> Self::Thief {
        self.0.stealer()
    }
}

impl Thief for beam_deque::Stealer<u64> {
    fn steal(&self) -> Option<u64> {
        beam_deque::Stealer::steal(self).success()
    }
}

struct Crossbeam(crossbeam_deque::Worker<u64>);

impl Deque for Crossbeam {
    type Thief = crossbeam_deque::Stealer<u64>;
    fn make() -> Self {
        Crossbeam(crossbeam_deque::Worker::new_lifo())
    }
    fn push(&self, v: u64) {
        self.0.push(v);
    }
    fn pop(&self) -> Option<u64> {
        self.0.pop()
    }
    fn thief(&self) -> Self::Thief {
        self.0.stealer()
    }
}

impl Thief for crossbeam_deque::Stealer<u64> {
    fn steal(&self) -> Option<u64> {
        crossbeam_deque::Stealer::steal(self).success()
    }
}

struct St3(st3::lifo::Worker<u64>);

/// st3 steals only into a destination: a one-slot scratch worker.
struct St3Thief(st3::lifo::Stealer<u64>, st3::lifo::Worker<u64>);

impl Deque for St3 {
    type Thief = St3Thief;
    fn make() -> Self {
        St3(st3::lifo::Worker::new(BURST))
    }
    fn push(&self, v: u64) {
        push_until_taken(v, |v| self.0.push(v));
    }
    fn pop(&self) -> Option<u64> {
        self.0.pop()
    }
    fn thief(&self) -> Self::Thief {
        St3Thief(self.0.stealer(), st3::lifo::Worker::new(1))
    }
}

impl Thief for St3Thief {
    fn steal(&self) -> Option<u64> {
        self.0.steal_and_pop(&self.1, |_| 1).ok().map(|(v, _)| v)
    }
}

/// The owner's bursts; returns the sum of the values it popped.
#[inline(never)]
fn bursts<D: Deque>(deque: &D, bursts: usize) -> u64 {
    let mut sum = 0u64;
    let mut next = 1u64;
    for _ in 0..bursts {
        for _ in 0..BURST {
            deque.push(black_box(next));
            next += 1;
        }
        while let Some(v) = deque.pop() {
            sum += v;
        }
    }
    sum
}

/// One run; returns values pushed per second of the owner's time.
fn run<D: Deque>(burst_count: usize, with_thief: bool) -> f64 {
    let deque = D::make();
    let values = (burst_count * BURST) as u64;
    let done = AtomicBool::new(false);
    let started = Barrier::new(2);
    let (elapsed, owner_sum, stolen_sum) = thread::scope(|scope| {
        let thief = with_thief.then(|| {
            let (thief, done, started) = (deque.thief(), &done, &started);
            scope.spawn(move || {
                pin(Placement::Cross, 1);
                started.wait();
                let mut sum = 0u64;
                // Relaxed: the owner has finished pushing and popping when
                // it sets `done`, and the deque is empty then; the join
                // below orders this thread's sum before the check.
                while !done.load(Ordering::Relaxed) {
                    if let Some(v) = thief.steal() {
                        sum += v;
                    }
                }
                sum
            })
        });
        pin(Placement::Cross, 0);
        if with_thief {
            started.wait();
        }
        let start = Instant::now();
        let owner_sum = bursts(&deque, burst_count);
        let elapsed = start.elapsed();
        done.store(true, Ordering::Relaxed);
        let stolen = thief.map_or(0, |t| t.join().expect("the thief panicked"));
        (elapsed, owner_sum, stolen)
    });
    assert_eq!(
        owner_sum + stolen_sum,
        values * (values + 1) / 2,
        "a value lost or taken twice"
    );
    values as f64 / elapsed.as_secs_f64()
}

const NAMES: [&str; 3] = ["beam-deque", "crossbeam-deque", "st3"];

fn run_one(which: usize, burst_count: usize) -> f64 {
    let with_thief = which >= 3;
    match which % 3 {
        0 => run::<Ours>(burst_count, with_thief),
        1 => run::<Crossbeam>(burst_count, with_thief),
        _ => run::<St3>(burst_count, with_thief),
    }
}

fn main() {
    let burst_count = arg(1, 20_000).max(1);
    let rounds = arg(2, 15).max(1);
    read_cores();
    println!(
        "owner: {burst_count} bursts of push {BURST} / pop until empty, alone and with one thief stealing on the other core; {rounds} rounds (order rotating)"
    );
    let rates = interleaved::rounds(6, rounds, |which| run_one(which, burst_count));
    println!("\nAlone:");
    interleaved::print_tables(&NAMES, &rates[..3]);
    println!("\nWith a thief:");
    interleaved::print_tables(&NAMES, &rates[3..]);
    println!(
        "\n| owner ns per value | alone: median | with a thief: median | slowdown: median (quartiles) |"
    );
    println!("|---|---:|---:|---:|");
    for (k, name) in NAMES.iter().enumerate() {
        let ns = |r: &[f64]| interleaved::quartiles(r.iter().map(|rate| 1e9 / rate).collect()).1;
        let slowdown: Vec<f64> = rates[k]
            .iter()
            .zip(&rates[k + 3])
            .map(|(a, t)| a / t)
            .collect();
        let (low, mid, high) = interleaved::quartiles(slowdown);
        println!(
            "| {name} | {:.2} | {:.2} | {mid:.2}x ({low:.2}x - {high:.2}x) |",
            ns(&rates[k]),
            ns(&rates[k + 3]),
        );
    }
}
