//! Throughput of `seg_queue::SegQueue` against `crossbeam_queue::SegQueue`,
//! side by side.
//!
//! ```text
//! cargo run --release -p seg-queue --example vs_crossbeam [-- VALUES [RUNS [SEGMENT]]]
//! ```
//!
//! Each scenario: N producers push VALUES values in total (never waiting:
//! both queues are unbounded), N consumers pop until each has its share.
//! A run starts from a new, empty queue (so segment allocation, or for
//! seg-queue recycling, is part of what is measured) and is timed from the
//! moment all threads are released to the last join. The two queues run
//! alternately, RUNS times each (default 5); the table shows the median
//! throughput with the min and max, the ratio of the medians (ours /
//! crossbeam) and the median of the per-round ratios. SEGMENT sets
//! seg-queue's fixed segment capacity (default: `SegQueue::new`'s growing
//! segments);
//! crossbeam's blocks hold 31 values.
//!
//! The quick, throwaway check of the issue; the criterion benches in
//! `benches/` are the tracked ones.

use std::hint::spin_loop;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

/// The two methods a run needs.
trait Queue: Send + Sync + 'static {
    const NAME: &'static str;
    fn make(segment: Option<usize>) -> Self;
    fn push(&self, v: u64);
    fn pop(&self) -> Option<u64>;
}

impl Queue for seg_queue::SegQueue<u64> {
    const NAME: &'static str = "seg_queue";
    fn make(segment: Option<usize>) -> Self {
        segment.map_or_else(Self::new, Self::with_segment_capacity)
    }
    #[inline]
    fn push(&self, v: u64) {
        self.push(v)
    }
    #[inline]
    fn pop(&self) -> Option<u64> {
        self.pop()
    }
}

impl Queue for crossbeam_queue::SegQueue<u64> {
    const NAME: &'static str = "crossbeam";
    fn make(_: Option<usize>) -> Self {
        Self::new()
    }
    #[inline]
    fn push(&self, v: u64) {
        self.push(v)
    }
    #[inline]
    fn pop(&self) -> Option<u64> {
        self.pop()
    }
}

/// The consumer's wait when the queue is empty: the same for both queues.
/// Spin a little, then give the core away (the machine may have fewer
/// cores than threads).
#[inline]
fn wait(failures: &mut u32) {
    *failures += 1;
    if *failures < 64 {
        spin_loop();
    } else {
        thread::yield_now();
    }
}

/// One timed run: `n` producers, `n` consumers, `values` in total.
fn run<Q: Queue>(n: usize, values: usize, segment: Option<usize>) -> Duration {
    let q = Arc::new(Q::make(segment));
    let start = Arc::new(Barrier::new(2 * n + 1));
    let per = values / n;
    let mut handles = Vec::with_capacity(2 * n);
    for p in 0..n {
        let (q, start) = (Arc::clone(&q), Arc::clone(&start));
        handles.push(thread::spawn(move || {
            start.wait();
            for i in 0..per {
                q.push((p * per + i) as u64);
            }
            0
        }));
    }
    for _ in 0..n {
        let (q, start) = (Arc::clone(&q), Arc::clone(&start));
        handles.push(thread::spawn(move || {
            start.wait();
            let mut sum = 0u64;
            for _ in 0..per {
                let mut failures = 0;
                loop {
                    match q.pop() {
                        Some(v) => {
                            sum = sum.wrapping_add(v);
                            break;
                        }
                        None => wait(&mut failures),
                    }
                }
            }
            sum
        }));
    }
    start.wait();
    let t0 = Instant::now();
    let sum = handles
        .into_iter()
        .map(|h| h.join().unwrap())
        .fold(0u64, u64::wrapping_add);
    let elapsed = t0.elapsed();
    let total = (n * per) as u64;
    assert_eq!(sum, total * (total - 1) / 2, "{}: values lost", Q::NAME);
    assert!(q.pop().is_none());
    elapsed
}

/// Median, min and max throughput in millions of values per second.
fn stats(values: usize, times: &[Duration]) -> (f64, f64, f64) {
    let mut mops: Vec<f64> = times
        .iter()
        .map(|t| values as f64 / t.as_secs_f64() / 1e6)
        .collect();
    mops.sort_by(f64::total_cmp);
    (mops[mops.len() / 2], mops[0], mops[mops.len() - 1])
}

/// Median of the per-round ratios (crossbeam's time / ours): each round
/// runs both queues back to back, so slow phases of a shared machine hit
/// both sides of a ratio alike.
fn median_paired_ratio(ours: &[Duration], theirs: &[Duration]) -> f64 {
    let mut r: Vec<f64> = ours
        .iter()
        .zip(theirs)
        .map(|(o, t)| t.as_secs_f64() / o.as_secs_f64())
        .collect();
    r.sort_by(f64::total_cmp);
    r[r.len() / 2]
}

fn main() {
    let mut args = std::env::args().skip(1);
    let values: usize = args
        .next()
        .map_or(4_000_000, |s| s.parse().expect("VALUES"));
    let runs: usize = args.next().map_or(5, |s| s.parse().expect("RUNS"));
    let segment: Option<usize> = args.next().map(|s| s.parse().expect("SEGMENT"));
    let cores = thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "seg_queue segment capacity {} (crossbeam: 31 per block), {values} values per \
         run, {runs} runs each, alternating; {cores} cores",
        segment.map_or("growing (SegQueue::new)".to_owned(), |c| c.to_string())
    );
    println!(
        "{:<6} {:>26} {:>26} {:>7} {:>7}",
        "", "seg_queue Mops/s", "crossbeam Mops/s", "ratio", "paired"
    );
    println!(
        "{:<6} {:>26} {:>26} {:>7} {:>7}",
        "", "median [min-max]", "median [min-max]", "medians", "median"
    );

    let points: Vec<usize> = std::env::var("POINTS").map_or(vec![1, 2, 4], |s| {
        s.split(',')
            .map(|n| n.parse().expect("POINTS: e.g. 1,2,4"))
            .collect()
    });
    for n in points {
        let values = values / n * n;
        // Warm up both (thread creation, page faults, frequency).
        run::<seg_queue::SegQueue<u64>>(n, values / 10, segment);
        run::<crossbeam_queue::SegQueue<u64>>(n, values / 10, segment);

        let mut ours = Vec::new();
        let mut theirs = Vec::new();
        for round in 0..runs {
            // Alternate which goes first, so neither always follows the other.
            if round % 2 == 0 {
                ours.push(run::<seg_queue::SegQueue<u64>>(n, values, segment));
                theirs.push(run::<crossbeam_queue::SegQueue<u64>>(n, values, segment));
            } else {
                theirs.push(run::<crossbeam_queue::SegQueue<u64>>(n, values, segment));
                ours.push(run::<seg_queue::SegQueue<u64>>(n, values, segment));
            }
        }
        let (om, olo, ohi) = stats(values, &ours);
        let (tm, tlo, thi) = stats(values, &theirs);
        println!(
            "{:<6} {:>10.2} [{:>6.2}-{:>6.2}] {:>10.2} [{:>6.2}-{:>6.2}] {:>6.2}x {:>6.2}x",
            format!("{n}P{n}C"),
            om,
            olo,
            ohi,
            tm,
            tlo,
            thi,
            om / tm,
            median_paired_ratio(&ours, &theirs),
        );
    }
}
