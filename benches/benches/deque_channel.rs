//! deque-channel against crossbeam-channel, flume, and the same loop built by
//! hand from crossbeam-deque's `Injector`/`Worker`/`Stealer` (as rayon does).
//!
//! - `send_recv/N`: N workers each send bursts of 16 values and receive 16
//!   (from anywhere), until every value is received.
//! - `imbalanced/N`: worker 0 sends every value; all N receive.
//! - `one_producer/N`: a thread that is not a worker sends every value (for
//!   ours, `DequeChannel::send` into the global queue; for the Injector loop,
//!   `Injector::push`); N workers receive.
//! - `unbounded/*-4`: the unbounded flavour (`Builder::unbounded`) against
//!   crossbeam-channel's and flume's `unbounded()`: `one_producer-4` (an
//!   outside thread sends every value, never waiting, four workers
//!   receive) and `imbalanced-4` (worker 0 sends every value, so its
//!   overflow all goes through the unbounded global queue).
//! - `wake_latency/4`: four receivers all asleep in a blocking receive; an
//!   outside thread sends one value and waits for its echo (round trips per
//!   second), against crossbeam-channel's and flume's blocking `recv`.
//! - `bursts/4`: an outside producer sends 10,000 values (waiting for room),
//!   waits until they are received, pauses 1 ms, repeats; four receivers on
//!   blocking receives (values per second of burst). CPU time per value:
//!   `examples/bursts.rs`.
//! - `tree_search/T1-2`, `tree_search/T3-2`: the `tree_search` example's
//!   UTS sample trees T1 and T3 (about 4.1 million nodes each, counts
//!   checked against the published ones every iteration) to completion on
//!   two workers: ours (`recv_blocking`, ends by "done") against rayon's
//!   `scope` (one spawn per node) and crossbeam-channel (an outstanding
//!   counter and a spin loop).
//! - `parallel_walk/50k-N`: the `parallel_walk` example's walk of a
//!   generated tree of 50,000 entries (`--generated 50000`; made once, then
//!   warm in the page cache), one `symlink_metadata` per entry, counts
//!   checked against walkdir's every iteration, at N = 2 and 4 threads:
//!   ours (`recv_blocking`, ends by "done") against `ignore::WalkParallel`
//!   (filters off) and `jwalk`. `parallel_walk/50k-N-stat-by-path` is the
//!   same with ours taking each entry's metadata by its whole path, as the
//!   peers do, where `50k-N` lets it take it relative to the open
//!   directory (`fstatat`): the channel's part without the system call's.

use std::hint::black_box;
use std::time::{Duration, Instant};

use benches::blocking::{Blocking, bursts, wake_round_trips};

use benches::channel::{
    Feed, MakeFed, Port, crossbeam_channel, crossbeam_channel_fed, flume, flume_fed, injector,
    injector_fed, ours, ours_fed, ours_unbounded, ours_unbounded_fed, run, run_fed,
};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};

/// Makes one port per worker for a fresh channel.
type Make<P> = fn(usize) -> Vec<P>;

fn scenario<P: Port>(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    param: &str,
    make: Make<P>,
    sends: &[usize],
) {
    // One set of threads per sample, running `iters` times the workload, so
    // thread start-up (the same for every peer) does not blur the ratios.
    group.bench_function(BenchmarkId::new(name, param), |b| {
        b.iter_custom(|iters| {
            let scaled: Vec<usize> = sends.iter().map(|s| s * iters as usize).collect();
            let ports = make(sends.len());
            let start = Instant::now();
            run(ports, &scaled);
            start.elapsed()
        })
    });
}

fn all_peers(c: &mut Criterion, group_name: &str, sends_for: impl Fn(usize) -> Vec<usize>) {
    let mut group = c.benchmark_group(group_name);
    group.sample_size(20);
    for workers in [4, 8] {
        let sends = sends_for(workers);
        let param = format!("{workers}");
        group.throughput(Throughput::Elements(sends.iter().sum::<usize>() as u64));
        scenario(&mut group, "deque-channel", &param, ours, &sends);
        scenario(
            &mut group,
            "crossbeam-channel",
            &param,
            crossbeam_channel,
            &sends,
        );
        scenario(&mut group, "flume", &param, flume, &sends);
        scenario(
            &mut group,
            "crossbeam-deque-injector",
            &param,
            injector,
            &sends,
        );
    }
    group.finish();
}

const VALUES: usize = 50_000;

fn send_recv(c: &mut Criterion) {
    all_peers(c, "deque_channel/send_recv", |workers| {
        vec![VALUES / workers; workers]
    });
}

fn imbalanced(c: &mut Criterion) {
    all_peers(c, "deque_channel/imbalanced", |workers| {
        let mut sends = vec![0; workers];
        sends[0] = VALUES;
        sends
    });
}

fn one_producer(c: &mut Criterion) {
    fn scenario<F: Feed, P: Port>(
        group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
        name: &str,
        workers: usize,
        make: MakeFed<F, P>,
    ) {
        // As in `scenario`: one set of threads per sample.
        group.bench_function(BenchmarkId::new(name, workers), |b| {
            b.iter_custom(|iters| {
                let (feed, ports) = make(workers);
                let start = Instant::now();
                run_fed(feed, ports, VALUES * iters as usize);
                start.elapsed()
            })
        });
    }
    let mut group = c.benchmark_group("deque_channel/one_producer");
    group.sample_size(20);
    group.throughput(Throughput::Elements(VALUES as u64));
    for workers in [4, 8] {
        scenario(&mut group, "deque-channel", workers, ours_fed);
        scenario(
            &mut group,
            "crossbeam-channel",
            workers,
            crossbeam_channel_fed,
        );
        scenario(&mut group, "flume", workers, flume_fed);
        scenario(
            &mut group,
            "crossbeam-deque-injector",
            workers,
            injector_fed,
        );
    }
    group.finish();
}

/// The unbounded flavour against the peers' unbounded channels (which the
/// other groups use too): one outside producer, and one worker sending.
fn unbounded(c: &mut Criterion) {
    fn fed<F: Feed, P: Port>(
        group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
        name: &str,
        make: MakeFed<F, P>,
    ) {
        group.bench_function(BenchmarkId::new(name, "one_producer-4"), |b| {
            b.iter_custom(|iters| {
                let (feed, ports) = make(4);
                let start = Instant::now();
                run_fed(feed, ports, VALUES * iters as usize);
                start.elapsed()
            })
        });
    }
    let mut group = c.benchmark_group("deque_channel/unbounded");
    group.sample_size(20);
    group.throughput(Throughput::Elements(VALUES as u64));
    fed(&mut group, "deque-channel", ours_unbounded_fed);
    fed(&mut group, "crossbeam-channel", crossbeam_channel_fed);
    fed(&mut group, "flume", flume_fed);
    let mut sends = vec![0; 4];
    sends[0] = VALUES;
    scenario(
        &mut group,
        "deque-channel",
        "imbalanced-4",
        ours_unbounded,
        &sends,
    );
    scenario(
        &mut group,
        "crossbeam-channel",
        "imbalanced-4",
        crossbeam_channel,
        &sends,
    );
    scenario(&mut group, "flume", "imbalanced-4", flume, &sends);
    group.finish();
}

/// One worker, no contention: send 256, receive 256. The fast path alone.
fn local_burst(c: &mut Criterion) {
    fn burst<P: Port>(port: &mut P) {
        for v in 0..256 {
            port.send(black_box(v));
        }
        for _ in 0..256 {
            black_box(port.recv());
        }
    }
    let mut group = c.benchmark_group("deque_channel/local_burst");
    group.throughput(Throughput::Elements(512));
    let mut port = ours(1).pop().unwrap();
    group.bench_function("deque-channel", |b| b.iter(|| burst(&mut port)));
    let mut port = injector(1).pop().unwrap();
    group.bench_function("crossbeam-deque-injector", |b| b.iter(|| burst(&mut port)));
    let mut port = crossbeam_channel(1).pop().unwrap();
    group.bench_function("crossbeam-channel", |b| b.iter(|| burst(&mut port)));
    let mut port = flume(1).pop().unwrap();
    group.bench_function("flume", |b| b.iter(|| burst(&mut port)));
    group.finish();
}

/// Wake latency: see the module docs. The pause before each round (not
/// timed) lets every receiver fall asleep; criterion's clock only sees the
/// round trips, so its warm-up and measurement times are kept short.
fn wake_latency(c: &mut Criterion) {
    let mut group = c.benchmark_group("deque_channel/wake_latency");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(100));
    group.measurement_time(Duration::from_millis(300));
    group.throughput(Throughput::Elements(1));
    for kind in Blocking::ALL {
        group.bench_function(BenchmarkId::new(kind.name(), 4), |b| {
            b.iter_custom(|iters| wake_round_trips(kind, 4, iters, Duration::from_micros(200)))
        });
    }
    group.finish();
}

/// Bursts: see the module docs (pauses not timed, as in `wake_latency`).
fn burst_throughput(c: &mut Criterion) {
    const BURST: usize = 10_000;
    let mut group = c.benchmark_group("deque_channel/bursts");
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(200));
    group.measurement_time(Duration::from_secs(1));
    group.throughput(Throughput::Elements(BURST as u64));
    for kind in Blocking::ALL {
        group.bench_function(BenchmarkId::new(kind.name(), 4), |b| {
            b.iter_custom(|iters| bursts(kind, 4, iters as usize, BURST, Duration::from_millis(1)))
        });
    }
    group.finish();
}

/// The example's UTS searches to completion, on two workers.
#[path = "../../crates/deque-channel/examples/tree_search/tree.rs"]
#[allow(dead_code, unreachable_pub)]
mod tree;
#[path = "../../crates/deque-channel/examples/tree_search/uts.rs"]
#[allow(dead_code, unreachable_pub)]
mod uts;

fn tree_search(c: &mut Criterion) {
    use tree::{crossbeam_ports, search_blocking, search_rayon, search_spinning, total};
    const WORKERS: usize = 2;
    let mut group = c.benchmark_group("deque_channel/tree_search");
    // A whole sample tree takes 0.2-0.6 s: the fewest samples criterion takes.
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    for name in ["T1", "T3"] {
        let sample = uts::sample(name).expect("a sample tree");
        let (tree, expected) = (&sample.tree, sample.expected);
        group.throughput(Throughput::Elements(expected.nodes));
        let param = format!("{name}-{WORKERS}");
        group.bench_function(BenchmarkId::new("deque-channel", &param), |b| {
            b.iter(|| assert_eq!(total(&search_blocking(tree, WORKERS).0), expected))
        });
        group.bench_function(BenchmarkId::new("rayon", &param), |b| {
            b.iter(|| assert_eq!(total(&search_rayon(tree, WORKERS)), expected))
        });
        group.bench_function(BenchmarkId::new("crossbeam-channel", &param), |b| {
            b.iter(|| {
                let ports = crossbeam_ports(WORKERS);
                assert_eq!(total(&search_spinning(tree, ports)), expected)
            })
        });
    }
    group.finish();
}

/// The example's walks of a generated tree.
#[path = "../../crates/deque-channel/examples/parallel_walk/generate.rs"]
#[allow(dead_code, unreachable_pub)]
mod generate;
#[path = "../../crates/deque-channel/examples/parallel_walk/peers.rs"]
#[allow(dead_code, unreachable_pub)]
mod peers;
#[path = "../../crates/deque-channel/examples/parallel_walk/walk.rs"]
#[allow(dead_code, unreachable_pub)]
mod walk;

fn parallel_walk(c: &mut Criterion) {
    use peers::{walk_ignore, walk_jwalk, walk_walkdir};
    use walk::{StatBy, walk_deque_channel};
    const ENTRIES: usize = 50_000;
    let tree = generate::GeneratedTree::new("bench-parallel-walk", ENTRIES)
        .expect("a temporary directory to generate the tree in");
    let root = tree.root();
    let expected = walk_walkdir(root);
    let mut group = c.benchmark_group("deque_channel/parallel_walk");
    // A walk takes 50-200 ms.
    group.sample_size(10);
    group.warm_up_time(Duration::from_millis(500));
    group.measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Elements(expected.entries()));
    for threads in [2, 4] {
        for (stat, suffix) in [(StatBy::OpenDirectory, ""), (StatBy::Path, "-stat-by-path")] {
            let param = format!("50k-{threads}{suffix}");
            group.bench_function(BenchmarkId::new("deque-channel", &param), |b| {
                b.iter(|| assert_eq!(walk_deque_channel(root, threads, stat).0, expected))
            });
            group.bench_function(BenchmarkId::new("ignore", &param), |b| {
                b.iter(|| assert_eq!(walk_ignore(root, threads), expected))
            });
            group.bench_function(BenchmarkId::new("jwalk", &param), |b| {
                b.iter(|| assert_eq!(walk_jwalk(root, threads), expected))
            });
        }
    }
    group.finish();
}

criterion_group!(
    benches,
    local_burst,
    send_recv,
    imbalanced,
    one_producer,
    unbounded,
    wake_latency,
    burst_throughput,
    tree_search,
    parallel_walk
);
criterion_main!(benches);
