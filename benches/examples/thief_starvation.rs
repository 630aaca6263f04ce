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
//! It also counts the thieves' empty-handed rounds before their first
//! value, and how many of those ended with the victim holding values
//! (`len() > 0` read right after the failed round). The first count is
//! mostly the scheduler's: on a machine with fewer cores than threads, a
//! thief that runs only while the owner does not finds the deque drained
//! by the others. The second is the protocol's: a steal that comes back
//! empty-handed from a deque that had values all along (a lost race, or a
//! thief held up by another's claim) would show there.
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
    /// The victim's length, as a thief reads it.
    fn victim_len(thief: &Self::Thief) -> usize;
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
    fn victim_len(thief: &Self::Thief) -> usize {
        thief.len()
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
    fn victim_len(thief: &Self::Thief) -> usize {
        thief.len()
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

/// One run's figures.
#[derive(Debug, Default, Clone, Copy)]
struct Figures {
    /// Owner rounds until everyone had taken a value.
    rounds: usize,
    /// The thieves' values per second.
    steals_per_second: f64,
    /// Milliseconds until everyone had a value (a faster owner fits more
    /// rounds into the same wait).
    ms: f64,
    /// The thieves' empty-handed rounds before their first value, in all.
    misses: usize,
    /// Those of `misses` after which the victim held values.
    misses_with_values: usize,
}

/// One run.
fn run<D: Deque>(thieves: usize, seed: u64) -> Figures {
    let owner = D::make();
    let done = AtomicBool::new(false);
    let hits: Vec<Arc<AtomicUsize>> = (0..thieves).map(|_| Arc::default()).collect();
    let start = Instant::now();
    let (rounds, elapsed, (misses, misses_with_values)) = thread::scope(|scope| {
        let thief_threads: Vec<_> = hits
            .iter()
            .map(|h| {
                let (thief, done, h) = (owner.thief(), &done, Arc::clone(h));
                scope.spawn(move || {
                    let own = D::make();
                    let (mut misses, mut misses_with_values) = (0, 0);
                    while !done.load(SeqCst) {
                        let got = D::thief_round(&thief, &own);
                        if got > 0 {
                            h.fetch_add(got, SeqCst);
                        } else if h.load(SeqCst) == 0 {
                            misses += 1;
                            if D::victim_len(&thief) > 0 {
                                misses_with_values += 1;
                            }
                        }
                    }
                    (misses, misses_with_values)
                })
            })
            .collect();
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
        let elapsed = start.elapsed();
        done.store(true, SeqCst);
        let misses = thief_threads
            .into_iter()
            .map(|t| t.join().expect("a thief panicked"))
            .fold((0, 0), |(a, b), (m, v)| (a + m, b + v));
        (rounds, elapsed, misses)
    });
    let elapsed = elapsed.as_secs_f64();
    let stolen: usize = hits.iter().map(|h| h.load(SeqCst)).sum();
    Figures {
        rounds,
        steals_per_second: stolen as f64 / elapsed,
        ms: elapsed * 1e3,
        misses,
        misses_with_values,
    }
}

fn main() {
    let runs = arg(1, 15).max(1);
    let thieves = arg(2, 8).max(1);
    println!("{thieves} thieves, one LIFO owner; {runs} runs each, alternating");
    let mut results: [Vec<Figures>; 3] = Default::default();
    for r in 0..runs {
        let seed = r as u64;
        results[0].push(run::<Beam<0>>(thieves, seed));
        results[1].push(run::<crossbeam_deque::Worker<usize>>(thieves, seed));
        results[2].push(run::<Beam<32>>(thieves, seed));
    }
    println!(
        "| implementation  | owner rounds until every thief had a value: median | max | runs over 230 | ms until then: median | max | thieves' steals, median Mval/s | empty-handed rounds before a first value, median per run | of which the victim had values after |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    let names = [
        "beam-deque",
        "crossbeam-deque (batches of at most 32)",
        "beam-deque, batches capped at 32",
    ];
    for (name, figures) in names.into_iter().zip(results) {
        let sorted = |key: fn(&Figures) -> f64| {
            let mut v: Vec<f64> = figures.iter().map(key).collect();
            v.sort_by(f64::total_cmp);
            v
        };
        let median = |v: &[f64]| v[v.len() / 2];
        let rounds = sorted(|f| f.rounds as f64);
        let ms = sorted(|f| f.ms);
        println!(
            "| {name} | {} | {} | {} | {:.1} | {:.1} | {:.1} | {} | {} |",
            median(&rounds),
            rounds[rounds.len() - 1],
            rounds.iter().filter(|&&r| r > 230.0).count(),
            median(&ms),
            ms[ms.len() - 1],
            median(&sorted(|f| f.steals_per_second)) / 1e6,
            median(&sorted(|f| f.misses as f64)),
            median(&sorted(|f| f.misses_with_values as f64)),
        );
    }
}
