//! The deque under stealing, when the thief always finds work: beam-deque
//! against crossbeam-deque on the pattern of issue 15.
//!
//! ```text
//! cargo run --release -p benches --example thief_finds_work [-- VALUES [ROUNDS [THIEVES [cross|same]]]]
//! ```
//!
//! The threads are pinned (on two cores the figures are otherwise bimodal):
//! `cross` (the default) puts the owner on the first core and the thieves
//! on the others; `same` puts every thread on the first core, where the
//! owner usually ends its 2 M values within one time slice before the thief
//! runs (0% stolen when I tried it): that figure is the owner nearly alone.
//!
//! An owner pushes VALUES values (default 2,000,000) one at a time into a
//! LIFO deque of 256 slots (crossbeam's grows: it has no bound), checking
//! `len()` before each push and popping one itself only when
//! `len() >= 255`; THIEVES threads (default 1) loop on a single-value
//! `steal()` until the owner is done and the deque is empty.
//! Throughput: values through the deque per second. Every value is counted
//! once (the sum of what the owner popped and the thieves stole is checked).
//! Rounds interleave the implementations (`benches::interleaved`). A third
//! row runs beam-deque with 512 slots, the pattern unchanged: the same
//! occupancy as crossbeam's grown buffer, so the owner's writes at the tail
//! are not next to the thief's reads at the head.

use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Instant;

use benches::interleaved::{self, arg};
use benches::pin::{Placement, pin, read_cores};

const CAPACITY: usize = 256;

/// What the pattern needs of a deque.
trait Deque: Send + 'static {
    type Thief: Thief;
    fn make() -> Self;
    fn len(&self) -> usize;
    fn push(&self, v: u64);
    fn pop(&self) -> Option<u64>;
    fn thief(&self) -> Self::Thief;
}

trait Thief: Send + 'static {
    /// One steal: `Some(value)`, or `None` (empty or lost a race).
    fn steal(&self) -> Option<u64>;
}

/// beam-deque with `SLOTS` slots (the pattern keeps about 255 values in it).
struct Ours<const SLOTS: usize>(beam_deque::Worker<u64>);
struct OursThief(beam_deque::Stealer<u64>);

impl<const SLOTS: usize> Deque for Ours<SLOTS> {
    type Thief = OursThief;
    fn make() -> Self {
        Ours(beam_deque::Worker::new(SLOTS))
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn push(&self, v: u64) {
        self.0
            .push(v)
            .expect("the owner pops before the deque fills");
    }
    fn pop(&self) -> Option<u64> {
        self.0.pop()
    }
    fn thief(&self) -> OursThief {
        OursThief(self.0.stealer())
    }
}

impl Thief for OursThief {
    fn steal(&self) -> Option<u64> {
        self.0.steal().success()
    }
}

struct Crossbeam(crossbeam_deque::Worker<u64>);
struct CrossbeamThief(crossbeam_deque::Stealer<u64>);

impl Deque for Crossbeam {
    type Thief = CrossbeamThief;
    fn make() -> Self {
        Crossbeam(crossbeam_deque::Worker::new_lifo())
    }
    fn len(&self) -> usize {
        self.0.len()
    }
    fn push(&self, v: u64) {
        self.0.push(v);
    }
    fn pop(&self) -> Option<u64> {
        self.0.pop()
    }
    fn thief(&self) -> CrossbeamThief {
        CrossbeamThief(self.0.stealer())
    }
}

impl Thief for CrossbeamThief {
    fn steal(&self) -> Option<u64> {
        self.0.steal().success()
    }
}

/// Runs the pattern once; returns values per second.
fn run<D: Deque>(values: u64, thieves: usize, placement: Placement) -> f64 {
    let deque = D::make();
    let done = AtomicBool::new(false);
    let start = Instant::now();
    let (owner_sum, stolen_sum) = thread::scope(|scope| {
        let handles: Vec<_> = (0..thieves)
            .map(|index| {
                let thief = deque.thief();
                let done = &done;
                scope.spawn(move || {
                    pin(placement, 1 + index);
                    let mut sum = 0u64;
                    loop {
                        match thief.steal() {
                            Some(v) => sum += v,
                            // Acquire: pairs with the owner's Release store;
                            // after it, one last look finds what is left.
                            None if done.load(Ordering::Acquire) => {
                                while let Some(v) = thief.steal() {
                                    sum += v;
                                }
                                break sum;
                            }
                            None => {}
                        }
                    }
                })
            })
            .collect();
        pin(placement, 0);
        let mut sum = 0u64;
        for v in 1..=values {
            if deque.len() >= CAPACITY - 1 {
                sum += deque.pop().unwrap_or(0);
            }
            deque.push(v);
        }
        while let Some(v) = deque.pop() {
            sum += v;
        }
        // Release: pairs with the thieves' Acquire load.
        done.store(true, Ordering::Release);
        let stolen: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
        (sum, stolen)
    });
    let elapsed = start.elapsed();
    if std::env::var_os("SHOW_SHARES").is_some() {
        eprintln!(
            "{}: stolen {:.1}% of the value sum",
            std::any::type_name::<D>(),
            100.0 * stolen_sum as f64 / (owner_sum + stolen_sum) as f64
        );
    }
    assert_eq!(
        owner_sum + stolen_sum,
        values * (values + 1) / 2,
        "a value lost or taken twice"
    );
    values as f64 / elapsed.as_secs_f64()
}

fn main() {
    let values = arg(1, 2_000_000) as u64;
    let rounds = arg(2, 15).max(1);
    let thieves = arg(3, 1);
    read_cores();
    let placement = match std::env::args().nth(4).as_deref() {
        None | Some("cross") => Placement::Cross,
        Some("same") => Placement::Same,
        Some(other) => panic!("argument 4 must be cross or same, got {other:?}"),
    };
    println!(
        "owner pushes {values} values into a {CAPACITY}-slot LIFO deque (pops one when len >= {}), {thieves} thieves steal one at a time; {rounds} rounds",
        CAPACITY - 1
    );
    let rates = interleaved::rounds(3, rounds, |which| match which {
        0 => run::<Ours<CAPACITY>>(values, thieves, placement),
        1 => run::<Crossbeam>(values, thieves, placement),
        _ => run::<Ours<{ 2 * CAPACITY }>>(values, thieves, placement),
    });
    interleaved::print_tables(
        &[
            "beam-deque (256 slots)",
            "crossbeam-deque (grows)",
            "beam-deque (512 slots)",
        ],
        &rates,
    );
}
