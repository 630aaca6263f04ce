//! vyukov-mpmc's `ArrayQueue` against crossbeam-queue's `ArrayQueue`, same
//! workload, one run. concurrent-queue's `bounded` is a peer measured because
//! issue 6 asks for it.
//!
//! - `throughput/NpNc`: capacity 1024; N producers each push their share of
//!   100k values (waiting while the queue is full) and N consumers pop until
//!   every value is taken, for N = 1, 2, 4, 8 (`benches::mpmc::run`).

use benches::mpmc::{self, Concurrent, CrossbeamArray, POINTS, Queue, Vyukov};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// Values moved through the queue per iteration.
const VALUES: usize = 100_000;
/// The queue's capacity in every scenario.
const CAPACITY: usize = 1024;

fn throughput(c: &mut Criterion) {
    fn scenario<Q: Queue>(
        group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
        name: &str,
        (pairs, param): (usize, &str),
        make: fn() -> Q,
    ) {
        // A fresh queue and one set of threads per sample, moving `iters`
        // times the values, so thread start-up does not blur the ratios.
        group.bench_function(BenchmarkId::new(name, param), |b| {
            b.iter_custom(|iters| mpmc::run(&make(), pairs, VALUES * iters as usize))
        });
    }
    let mut group = c.benchmark_group("vyukov_mpmc/throughput");
    group.throughput(Throughput::Elements(VALUES as u64));
    group.sample_size(20);
    for point in POINTS {
        scenario(&mut group, "vyukov-mpmc", point, || {
            Vyukov(vyukov_mpmc::ArrayQueue::new(CAPACITY))
        });
        scenario(&mut group, "crossbeam-queue", point, || {
            CrossbeamArray(crossbeam_queue::ArrayQueue::new(CAPACITY))
        });
        scenario(&mut group, "concurrent-queue", point, || {
            Concurrent(concurrent_queue::ConcurrentQueue::bounded(CAPACITY))
        });
    }
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
