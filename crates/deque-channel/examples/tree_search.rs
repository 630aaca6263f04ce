//! Unbalanced tree search on the work-stealing channel.
//!
//! A binomial tree in the style of the UTS benchmark: the root has `--root`
//! children; every other node has `--m` children with probability `--q`,
//! else none, decided by a splittable hash of the node. The tree is
//! deterministic and very uneven: some subtrees die at once, others run
//! deep. Workers receive a node, do `--work` rounds of hashing on it, and
//! send its children. The node count is checked against a single-threaded
//! walk, and the same search runs on crossbeam-channel for comparison.
//!
//! ```text
//! cargo run --release -p deque-channel --example tree_search -- --workers 4 --root 20000
//! ```

use std::process::ExitCode;
use std::sync::atomic::{AtomicI64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use deque_channel::{DequeChannel, Full, WorkerStats};

/// The knobs, from the command line.
#[derive(Debug, Clone, Copy)]
struct Params {
    workers: usize,
    root_children: u32,
    m: u32,
    q: f64,
    seed: u64,
    work: u32,
}

/// One tree node: its hash state and depth.
#[derive(Debug, Clone, Copy)]
struct Node {
    state: u64,
    depth: u32,
}

fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl Params {
    fn root(&self) -> Node {
        Node {
            state: splitmix(self.seed),
            depth: 0,
        }
    }

    fn children(&self, node: Node) -> u32 {
        if node.depth == 0 {
            return self.root_children;
        }
        let unit = (node.state >> 11) as f64 / (1u64 << 53) as f64;
        if unit < self.q { self.m } else { 0 }
    }

    fn child(&self, node: Node, index: u32) -> Node {
        Node {
            state: splitmix(node.state ^ u64::from(index + 1).wrapping_mul(0xD6E8_FEB8_6659_FD93)),
            depth: node.depth + 1,
        }
    }

    /// The per-node work: `work` rounds of hashing, kept from being
    /// optimised away.
    fn visit(&self, node: Node) {
        let mut x = node.state;
        for _ in 0..self.work {
            x = splitmix(x);
        }
        std::hint::black_box(x);
    }
}

/// The single-threaded reference walk.
fn count_sequential(p: &Params) -> u64 {
    let mut stack = vec![p.root()];
    let mut count = 0;
    while let Some(node) = stack.pop() {
        p.visit(node);
        count += 1;
        for i in 0..p.children(node) {
            stack.push(p.child(node, i));
        }
    }
    count
}

/// What a worker thread needs from a channel.
trait Port: Send {
    fn send(&mut self, node: Node);
    fn recv(&mut self) -> Option<Node>;
}

/// Runs the parallel search over `ports` (one per worker). Returns the node
/// count of each worker.
///
/// Termination: `outstanding` counts nodes sent but not yet visited.
/// Increments are made before the children are sent; a worker's decrements
/// are batched and flushed whenever it runs dry. So `outstanding` never
/// falls below the true number, and reads 0 only when the search is done.
fn search<P: Port>(p: &Params, ports: Vec<P>) -> Vec<u64> {
    let outstanding = AtomicI64::new(1);
    let mut ports = ports;
    ports[0].send(p.root());
    thread::scope(|scope| {
        let handles: Vec<_> = ports
            .into_iter()
            .map(|mut port| {
                let outstanding = &outstanding;
                scope.spawn(move || {
                    let mut visited = 0u64;
                    let mut unflushed = 0i64;
                    loop {
                        match port.recv() {
                            Some(node) => {
                                p.visit(node);
                                visited += 1;
                                unflushed += 1;
                                let kids = p.children(node);
                                if kids > 0 {
                                    outstanding.fetch_add(i64::from(kids), Ordering::Relaxed);
                                    for i in 0..kids {
                                        port.send(p.child(node, i));
                                    }
                                }
                            }
                            None => {
                                if unflushed > 0 {
                                    outstanding.fetch_sub(unflushed, Ordering::Relaxed);
                                    unflushed = 0;
                                }
                                if outstanding.load(Ordering::Relaxed) == 0 {
                                    return visited;
                                }
                                std::hint::spin_loop();
                            }
                        }
                    }
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    })
}

/// Our channel. A send that finds the channel full keeps the node in a
/// private spill stack (processed first), so the search never loses work.
struct Ours {
    worker: deque_channel::Worker<Node>,
    spill: Vec<Node>,
}

impl Port for Ours {
    fn send(&mut self, node: Node) {
        if let Err(Full(node)) = self.worker.send(node) {
            self.spill.push(node);
        }
    }
    fn recv(&mut self) -> Option<Node> {
        self.spill.pop().or_else(|| self.worker.recv())
    }
}

/// crossbeam-channel, unbounded, shared by all workers.
struct Crossbeam {
    tx: crossbeam_channel::Sender<Node>,
    rx: crossbeam_channel::Receiver<Node>,
}

impl Port for Crossbeam {
    fn send(&mut self, node: Node) {
        self.tx.send(node).expect("receivers live");
    }
    fn recv(&mut self) -> Option<Node> {
        self.rx.try_recv().ok()
    }
}

fn parse_args() -> Result<Params, String> {
    let mut p = Params {
        workers: thread::available_parallelism().map_or(2, |n| n.get()),
        root_children: 10_000,
        m: 4,
        q: 0.249,
        seed: 7,
        work: 32,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--help" || flag == "-h" {
            return Err(String::new());
        }
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        let bad = || format!("bad value for {flag}: {value}");
        match flag.as_str() {
            "--workers" => p.workers = value.parse().map_err(|_| bad())?,
            "--root" => p.root_children = value.parse().map_err(|_| bad())?,
            "--m" => p.m = value.parse().map_err(|_| bad())?,
            "--q" => p.q = value.parse().map_err(|_| bad())?,
            "--seed" => p.seed = value.parse().map_err(|_| bad())?,
            "--work" => p.work = value.parse().map_err(|_| bad())?,
            _ => return Err(format!("unknown flag {flag}")),
        }
    }
    if p.workers == 0 {
        return Err("--workers must be at least 1".into());
    }
    if f64::from(p.m) * p.q >= 1.0 {
        return Err("--m times --q must be below 1, or the tree is infinite".into());
    }
    Ok(p)
}

fn rate(nodes: u64, took: Duration) -> f64 {
    nodes as f64 / took.as_secs_f64() / 1e6
}

fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        100.0 * part as f64 / whole as f64
    }
}

fn main() -> ExitCode {
    let p = match parse_args() {
        Ok(p) => p,
        Err(why) => {
            if !why.is_empty() {
                eprintln!("error: {why}");
            }
            eprintln!(
                "usage: tree_search [--workers N] [--root N] [--m N] [--q P] [--seed N] [--work N]"
            );
            return ExitCode::from(2);
        }
    };
    println!(
        "tree_search: binomial tree (root {} children, m = {}, q = {}, seed {}), {} rounds of hashing per node, {} workers",
        p.root_children, p.m, p.q, p.seed, p.work, p.workers
    );

    let start = Instant::now();
    let expected = count_sequential(&p);
    let sequential = start.elapsed();
    println!(
        "single thread:      {expected:>10} nodes in {:>8.1} ms  ({:.2} Mnodes/s)",
        sequential.as_secs_f64() * 1e3,
        rate(expected, sequential)
    );

    let (channel, workers) = DequeChannel::builder()
        .workers(p.workers)
        .global_capacity(1 << 16)
        .build();
    let ports: Vec<Ours> = workers
        .into_iter()
        .map(|worker| Ours {
            worker,
            spill: Vec::new(),
        })
        .collect();
    let start = Instant::now();
    let shares = search(&p, ports);
    let ours = start.elapsed();
    let total: u64 = shares.iter().sum();
    println!(
        "deque-channel:      {total:>10} nodes in {:>8.1} ms  ({:.2} Mnodes/s)",
        ours.as_secs_f64() * 1e3,
        rate(total, ours)
    );
    let stats: Vec<WorkerStats> = channel.stats();
    for (id, (nodes, s)) in shares.iter().zip(&stats).enumerate() {
        let received = s.recv_local + s.recv_global + s.recv_stolen;
        // Values a batch from the global queue or a batch steal moved into
        // this worker's deque are popped later as local ones: count them
        // where they came from.
        let global = s.taken_global.min(received);
        let stolen = s.stolen.min(received - global);
        let own = received - global - stolen;
        println!(
            "  worker {id}: {:>5.1}% of nodes; they came {:>5.1}% from its own sends, {:>5.1}% from the global queue, {:>5.1}% stolen; {} offload batches, {} empty steal sweeps",
            percent(*nodes, total),
            percent(own, received),
            percent(global, received),
            percent(stolen, received),
            s.offloads,
            s.failed_steal_rounds,
        );
    }

    let (tx, rx) = crossbeam_channel::unbounded();
    let ports: Vec<Crossbeam> = (0..p.workers)
        .map(|_| Crossbeam {
            tx: tx.clone(),
            rx: rx.clone(),
        })
        .collect();
    drop((tx, rx));
    let start = Instant::now();
    let theirs_total: u64 = search(&p, ports).iter().sum();
    let theirs = start.elapsed();
    println!(
        "crossbeam-channel:  {theirs_total:>10} nodes in {:>8.1} ms  ({:.2} Mnodes/s)",
        theirs.as_secs_f64() * 1e3,
        rate(theirs_total, theirs)
    );
    println!(
        "deque-channel vs crossbeam-channel (unbounded): {:.2}x the throughput",
        theirs.as_secs_f64() / ours.as_secs_f64()
    );

    if total != expected || theirs_total != expected {
        eprintln!(
            "MISMATCH: expected {expected} nodes, deque-channel {total}, crossbeam {theirs_total}"
        );
        return ExitCode::FAILURE;
    }
    println!("node counts match the single-threaded walk: OK");
    ExitCode::SUCCESS
}
