//! seg-queue's `SegQueue` against crossbeam-queue's `SegQueue`, same
//! workload, one run. concurrent-queue's `unbounded` is a peer measured
//! because issue 6 asks for it.
//!
//! - `throughput/NpNc`: N producers each push their share of 100k values
//!   (never waiting: the queues are unbounded) and N consumers pop until
//!   every value is taken, for N = 1, 2, 4, 8 (`benches::mpmc::run`). Each
//!   sample starts from an empty queue, so segment allocation and recycling
//!   are part of what is measured.

use benches::mpmc::{self, Concurrent, CrossbeamSeg, POINTS, Queue, Seg};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// Values moved through the queue per iteration.
const VALUES: usize = 100_000;

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
    let mut group = c.benchmark_group("seg_queue/throughput");
    group.throughput(Throughput::Elements(VALUES as u64));
    group.sample_size(20);
    for point in POINTS {
        scenario(&mut group, "seg-queue", point, || {
            Seg(seg_queue::SegQueue::new())
        });
        scenario(&mut group, "crossbeam-queue", point, || {
            CrossbeamSeg(crossbeam_queue::SegQueue::new())
        });
        scenario(&mut group, "concurrent-queue", point, || {
            Concurrent(concurrent_queue::ConcurrentQueue::unbounded())
        });
    }
    group.finish();
}

criterion_group!(benches, throughput);
criterion_main!(benches);
