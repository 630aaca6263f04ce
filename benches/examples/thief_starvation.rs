//! How long the last of several thieves waits for its first value: the
//! pattern of crossbeam-deque's `no_starvation` test, measured on
//! beam-deque and on crossbeam-deque (issue 15).
//!
//! ```text
//! cargo run --release -p benches --example thief_starvation [-- RUNS [THIEVES]]
//! ```
//!
//! THIEVES threads (default 8) loop on `steal`, `steal_batch` and
//! `steal_batch_and_pop` from one LIFO owner (into a deque of their own,
//! which they then empty). The owner works in rounds: each round pushes a
//! random number of values (below 50,000), or, one time in three while it
//! has taken nothing yet, pops everything. A run ends after the first round
//! at whose end the owner and every thief have taken a value; its figure
//! is that round count, and the wall time to that point (a faster owner
//! fits more rounds into the same wait for the scheduler to run the last
//! thief, so the two can disagree). RUNS runs per implementation (default
//! 15), alternating; the table gives each one's median and maximum, and
//! the total steal throughput (values the thieves took per second).
//!
//! beam-deque is bounded: its deques have 2^16 slots (above the largest
//! round), and a push that finds the deque full is dropped from the count
//! (the owner goes on). A third row runs beam-deque with its batch steals
//! capped at 32 values, as crossbeam-deque's are.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::SeqCst};
use std::thread;
use std::time::Instant;

use benches::interleaved::arg;

const COUNT: usize = 50_000;
const SLOTS: usize = 1 << 16;

/// One implementation's owner side and thief side.
trait Deque: Sized {
    type Thief: Send;
    fn make() -> Self;
    fn push(&self, v: usize);
    fn pop(&self) -> Option<usize>;
    fn thief(&self) -> Self::Thief;
    /// One thief round: the three steals, then emptying `own`; how many
    /// values it took.
    fn thief_round(thief: &Self::Thief, own: &Self) -> usize;
}

/// beam-deque; its batch steals take "about half" when `CAP` is 0, else
/// at most `CAP` values (`steal_batch_with_limit`), crossbeam-deque's 32
/// for the third row.
struct Beam<const CAP: usize>(beam_deque::Worker<usize>);

impl<const CAP: usize> Deque for Beam<CAP> {
    type Thief = beam_deque::Stealer<usize>;
    fn make() -> Self {
        Beam(beam_deque::Worker::new(SLOTS))
    }
    fn push(&self, v: usize) {
        let _ = self.0.push(v);
    }
    fn pop(&self) -> Option<usize> {
        self.0.pop()
    }
    fn thief(&self) -> Self::Thief {
        self.0.stealer()
    }
    fn thief_round(s: &Self::Thief, own: &Self) -> usize {
        let own = &own.0;
        let mut hits = usize::from(s.steal().is_success());
        let popped = if CAP == 0 {
            let _ = s.steal_batch(own);
            s.steal_batch_and_pop(own)
        } else {
            let _ = s.steal_batch_with_limit(own, CAP);
            s.steal_batch_with_limit_and_pop(own, CAP)
        };
        hits += usize::from(popped.is_success());
        while own.pop().is_some() {
            hits += 1;
        }
        hits
    }
}

impl Deque for crossbeam_deque::Worker<usize> {
    type Thief = crossbeam_deque::Stealer<usize>;
    fn make() -> Self {
        crossbeam_deque::Worker::new_lifo()
    }
    fn push(&self, v: usize) {
        crossbeam_deque::Worker::push(self, v);
    }
    fn pop(&self) -> Option<usize> {
        crossbeam_deque::Worker::pop(self)
    }
    fn thief(&self) -> Self::Thief {
        self.stealer()
    }
    fn thief_round(s: &Self::Thief, own: &Self) -> usize {
        let mut hits = usize::from(s.steal().is_success());
        let _ = s.steal_batch(own);
        hits += usize::from(s.steal_batch_and_pop(own).is_success());
        while own.pop().is_some() {
            hits += 1;
        }
        hits
    }
}

/// One run: the owner rounds until everyone has taken a value, the
/// thieves' values per second, and the milliseconds until everyone had a
/// value (a faster owner fits more rounds into the same wait).
fn run<D: Deque>(thieves: usize, seed: u64) -> (usize, f64, f64) {
    let owner = D::make();
    let done = AtomicBool::new(false);
    let hits: Vec<Arc<AtomicUsize>> = (0..thieves).map(|_| Arc::default()).collect();
    let start = Instant::now();
    let rounds = thread::scope(|scope| {
        for h in &hits {
            let (thief, done, h) = (owner.thief(), &done, Arc::clone(h));
            scope.spawn(move || {
                let own = D::make();
                while !done.load(SeqCst) {
                    let got = D::thief_round(&thief, &own);
                    if got > 0 {
                        h.fetch_add(got, SeqCst);
                    }
                }
            });
        }
        let mut rng = fastrand::Rng::with_seed(seed);
        let mut mine = 0;
        let mut rounds = 0;
        loop {
            rounds += 1;
            for i in 0..rng.usize(0..COUNT) {
                if rng.u32(0..3) == 0 && mine == 0 {
                    while owner.pop().is_some() {
                        mine += 1;
                    }
                } else {
                    owner.push(i);
                }
            }
            if mine > 0 && hits.iter().all(|h| h.load(SeqCst) > 0) {
                break;
            }
        }
        done.store(true, SeqCst);
        rounds
    });
    let elapsed = start.elapsed().as_secs_f64();
    let stolen: usize = hits.iter().map(|h| h.load(SeqCst)).sum();
    (rounds, stolen as f64 / elapsed, elapsed * 1e3)
}

fn main() {
    let runs = arg(1, 15).max(1);
    let thieves = arg(2, 8).max(1);
    println!("{thieves} thieves, one LIFO owner; {runs} runs each, alternating");
    let mut results: [Vec<(usize, f64, f64)>; 3] = Default::default();
    for r in 0..runs {
        let seed = r as u64;
        results[0].push(run::<Beam<0>>(thieves, seed));
        results[1].push(run::<crossbeam_deque::Worker<usize>>(thieves, seed));
        results[2].push(run::<Beam<32>>(thieves, seed));
    }
    println!(
        "| implementation  | owner rounds until every thief had a value: median | max | runs over 230 | ms until then: median | max | thieves' steals, median Mval/s |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|");
    let names = [
        "beam-deque",
        "crossbeam-deque (batches of at most 32)",
        "beam-deque, batches capped at 32",
    ];
    for (name, mut figures) in names.into_iter().zip(results) {
        let mut rounds: Vec<usize> = figures.iter().map(|f| f.0).collect();
        rounds.sort_unstable();
        let mut ms: Vec<f64> = figures.iter().map(|f| f.2).collect();
        ms.sort_by(f64::total_cmp);
        figures.sort_by(|a, b| a.1.total_cmp(&b.1));
        println!(
            "| {name} | {} | {} | {} | {:.1} | {:.1} | {:.1} |",
            rounds[rounds.len() / 2],
            rounds[rounds.len() - 1],
            rounds.iter().filter(|&&r| r > 230).count(),
            ms[ms.len() / 2],
            ms[ms.len() - 1],
            figures[figures.len() / 2].1 / 1e6,
        );
    }
}
