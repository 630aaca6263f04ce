//! beam-deque against crossbeam-deque and st3, same workload, one run.
//!
//! - `push_pop_256`: one thread pushes 256 values then pops them all
//!   (owner LIFO and owner FIFO).
//! - `owner_and_thief`: the owner pushes a stream of values (popping one in
//!   four itself) while one thief steals, until every value is taken; the
//!   owner pinned to the first core, the thief to the second.
//! - `two_owners`: two threads, one on each core, each pushing and popping
//!   bursts on its own deque.

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::thread;

use benches::pin::{Placement, pin, read_cores};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

const BURST: usize = 256;

/// The operations the benchmarks need from a deque's owner handle.
trait Owner: Send + 'static {
    type Thief: Thief;
    fn make(capacity: usize, fifo: bool) -> Self;
    fn push(&self, v: usize) -> bool;
    fn pop(&self) -> Option<usize>;
    fn thief(&self) -> Self::Thief;
}

/// The operations the benchmarks need from a thief handle.
trait Thief: Send + 'static {
    type Owner: Owner;
    /// One steal attempt; returns how many values it took.
    fn steal_one(&self) -> usize;
    /// One batch steal into `dest`, popping them all; returns how many.
    fn steal_batch(&self, dest: &Self::Owner) -> usize;
}

struct Ours(beam_deque::Worker<usize>);
struct OursThief(beam_deque::Stealer<usize>);
impl Owner for Ours {
    type Thief = OursThief;
    fn make(capacity: usize, fifo: bool) -> Self {
        Ours(if fifo {
            beam_deque::Worker::new_fifo(capacity)
        } else {
            beam_deque::Worker::new(capacity)
        })
    }
    fn push(&self, v: usize) -> bool {
        self.0.push(v).is_ok()
    }
    fn pop(&self) -> Option<usize> {
        self.0.pop()
    }
    fn thief(&self) -> OursThief {
        OursThief(self.0.stealer())
    }
}
impl Thief for OursThief {
    type Owner = Ours;
    fn steal_one(&self) -> usize {
        usize::from(self.0.steal().is_success())
    }
    fn steal_batch(&self, dest: &Ours) -> usize {
        match self.0.steal_batch_and_pop(&dest.0) {
            beam_deque::Steal::Success(v) => {
                black_box(v);
                1 + std::iter::from_fn(|| dest.0.pop()).map(black_box).count()
            }
            _ => 0,
        }
    }
}

struct Crossbeam(crossbeam_deque::Worker<usize>);
struct CrossbeamThief(crossbeam_deque::Stealer<usize>);
impl Owner for Crossbeam {
    type Thief = CrossbeamThief;
    fn make(_capacity: usize, fifo: bool) -> Self {
        Crossbeam(if fifo {
            crossbeam_deque::Worker::new_fifo()
        } else {
            crossbeam_deque::Worker::new_lifo()
        })
    }
    fn push(&self, v: usize) -> bool {
        self.0.push(v);
        true
    }
    fn pop(&self) -> Option<usize> {
        self.0.pop()
    }
    fn thief(&self) -> CrossbeamThief {
        CrossbeamThief(self.0.stealer())
    }
}
impl Thief for CrossbeamThief {
    type Owner = Crossbeam;
    fn steal_one(&self) -> usize {
        usize::from(self.0.steal().is_success())
    }
    fn steal_batch(&self, dest: &Crossbeam) -> usize {
        match self.0.steal_batch_and_pop(&dest.0) {
            crossbeam_deque::Steal::Success(v) => {
                black_box(v);
                1 + std::iter::from_fn(|| dest.0.pop()).map(black_box).count()
            }
            _ => 0,
        }
    }
}

/// st3 has only a LIFO-owner flavor with the same meaning as ours
/// (`st3::fifo` differs), so it runs in the LIFO scenarios only.
struct St3(st3::lifo::Worker<usize>);
/// st3 steals only into a destination, so a one-value steal keeps a
/// one-slot scratch worker (made once, as a real thief would).
struct St3Thief(st3::lifo::Stealer<usize>, st3::lifo::Worker<usize>);
impl Owner for St3 {
    type Thief = St3Thief;
    fn make(capacity: usize, fifo: bool) -> Self {
        assert!(!fifo);
        St3(st3::lifo::Worker::new(capacity))
    }
    fn push(&self, v: usize) -> bool {
        self.0.push(v).is_ok()
    }
    fn pop(&self) -> Option<usize> {
        self.0.pop()
    }
    fn thief(&self) -> St3Thief {
        St3Thief(self.0.stealer(), st3::lifo::Worker::new(1))
    }
}
impl Thief for St3Thief {
    type Owner = St3;
    fn steal_one(&self) -> usize {
        match self.0.steal_and_pop(&self.1, |_| 1) {
            Ok((v, _)) => {
                black_box(v);
                1
            }
            Err(_) => 0,
        }
    }
    fn steal_batch(&self, dest: &St3) -> usize {
        match self.0.steal_and_pop(&dest.0, |n| n - n / 2) {
            Ok((v, _)) => {
                black_box(v);
                1 + std::iter::from_fn(|| dest.0.pop()).map(black_box).count()
            }
            Err(_) => 0,
        }
    }
}

fn push_pop_burst<O: Owner>(owner: &O) {
    for v in 0..BURST {
        assert!(owner.push(black_box(v)));
    }
    for _ in 0..BURST {
        black_box(owner.pop());
    }
}

fn push_pop_256(c: &mut Criterion) {
    let mut group = c.benchmark_group("beam_deque/push_pop_256");
    group.throughput(Throughput::Elements(2 * BURST as u64));
    for fifo in [false, true] {
        let flavor = if fifo { "fifo" } else { "lifo" };
        let ours = Ours::make(BURST, fifo);
        group.bench_function(BenchmarkId::new("beam-deque", flavor), |b| {
            b.iter(|| push_pop_burst(&ours))
        });
        let crossbeam = Crossbeam::make(BURST, fifo);
        group.bench_function(BenchmarkId::new("crossbeam-deque", flavor), |b| {
            b.iter(|| push_pop_burst(&crossbeam))
        });
        if !fifo {
            let st3 = St3::make(BURST, fifo);
            group.bench_function(BenchmarkId::new("st3", flavor), |b| {
                b.iter(|| push_pop_burst(&st3))
            });
        }
    }
    group.finish();
}

/// Streams `values` through a LIFO owner (popping one in four itself) while
/// one thief steals (`batch`: with `steal_batch_and_pop`) until all are
/// taken. The owner runs on the first core and the thief on the second
/// (`benches::pin`): on two cores an unpinned pair is sometimes on one
/// core, and the figures were bimodal.
fn owner_and_thief<O: Owner>(values: usize, batch: bool)
where
    O::Thief: Thief<Owner = O>,
{
    let owner = O::make(256, false);
    let thief = owner.thief();
    let taken = AtomicUsize::new(0);
    let stolen = thread::scope(|scope| {
        let taken = &taken;
        let handle = scope.spawn(move || {
            pin(Placement::Cross, 1);
            let dest = O::make(256, false);
            let mut mine = 0;
            while taken.load(Relaxed) < values {
                let got = if batch {
                    thief.steal_batch(&dest)
                } else {
                    thief.steal_one()
                };
                if got > 0 {
                    mine += got;
                    taken.fetch_add(got, Relaxed);
                } else {
                    std::hint::spin_loop();
                }
            }
            mine
        });
        scope.spawn(move || {
            pin(Placement::Cross, 0);
            let mut popped = 0;
            for v in 0..values {
                while !owner.push(v) {
                    if owner.pop().is_some() {
                        popped += 1;
                    }
                }
                if v % 4 == 0 && owner.pop().is_some() {
                    popped += 1;
                }
                if popped == 64 {
                    taken.fetch_add(popped, Relaxed);
                    popped = 0;
                }
            }
            taken.fetch_add(popped, Relaxed);
            while taken.load(Relaxed) < values {
                if owner.pop().is_some() {
                    taken.fetch_add(1, Relaxed);
                }
            }
        });
        handle.join().unwrap()
    });
    black_box(stolen);
}

fn owner_with_thief(c: &mut Criterion) {
    const VALUES: usize = 100_000;
    // Read the core list here, on the unpinned main thread.
    read_cores();
    let mut group = c.benchmark_group("beam_deque/owner_and_thief");
    group.throughput(Throughput::Elements(VALUES as u64));
    group.sample_size(20);
    for (mode, batch) in [("steal", false), ("steal_batch_and_pop", true)] {
        group.bench_function(BenchmarkId::new("beam-deque", mode), |b| {
            b.iter(|| owner_and_thief::<Ours>(VALUES, batch))
        });
        group.bench_function(BenchmarkId::new("crossbeam-deque", mode), |b| {
            b.iter(|| owner_and_thief::<Crossbeam>(VALUES, batch))
        });
        group.bench_function(BenchmarkId::new("st3", mode), |b| {
            b.iter(|| owner_and_thief::<St3>(VALUES, batch))
        });
    }
    group.finish();
}

/// Two owners on two threads, each pushing and popping bursts of 16 on its
/// own deque: no stealing, so any slowdown against `push_pop_256` is the
/// cost of running beside another busy deque.
fn two_owners(c: &mut Criterion) {
    fn run<O: Owner>(rounds: usize) {
        thread::scope(|scope| {
            for index in 0..2 {
                scope.spawn(move || {
                    pin(Placement::Cross, index);
                    let owner = O::make(256, false);
                    for _ in 0..rounds {
                        for v in 0..16 {
                            assert!(owner.push(black_box(v)));
                        }
                        for _ in 0..16 {
                            black_box(owner.pop());
                        }
                    }
                });
            }
        });
    }
    read_cores();
    let mut group = c.benchmark_group("beam_deque/two_owners");
    const ROUNDS: usize = 10_000;
    group.throughput(Throughput::Elements((2 * 2 * 16 * ROUNDS) as u64));
    group.sample_size(20);
    group.bench_function("beam-deque", |b| b.iter(|| run::<Ours>(ROUNDS)));
    group.bench_function("crossbeam-deque", |b| b.iter(|| run::<Crossbeam>(ROUNDS)));
    group.bench_function("st3", |b| b.iter(|| run::<St3>(ROUNDS)));
    group.finish();
}

criterion_group!(benches, push_pop_256, owner_with_thief, two_owners);
criterion_main!(benches);
