//! The tree and the searches of the `tree_search` example, also run by the
//! criterion benchmark (`benches/benches/deque_channel.rs` includes this
//! file): the tree's generator, the single-threaded walk, the search on
//! deque-channel with `recv_blocking`, and the peers' searches.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::thread;

use crossbeam_utils::CachePadded;
use deque_channel::{DequeChannel, Full, WorkerStats};

/// The knobs, from the command line.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    pub workers: usize,
    pub root_children: u32,
    pub m: u32,
    pub q: f64,
    pub seed: u64,
    pub work: u32,
}

/// One tree node: its hash state and depth.
#[derive(Debug, Clone, Copy)]
pub struct Node {
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
    pub fn root(&self) -> Node {
        Node {
            state: splitmix(self.seed),
            depth: 0,
        }
    }

    pub fn children(&self, node: Node) -> u32 {
        if node.depth == 0 {
            return self.root_children;
        }
        let unit = (node.state >> 11) as f64 / (1u64 << 53) as f64;
        if unit < self.q { self.m } else { 0 }
    }

    pub fn child(&self, node: Node, index: u32) -> Node {
        Node {
            state: splitmix(node.state ^ u64::from(index + 1).wrapping_mul(0xD6E8_FEB8_6659_FD93)),
            depth: node.depth + 1,
        }
    }

    /// The per-node work: `work` rounds of hashing, kept from being
    /// optimised away.
    pub fn visit(&self, node: Node) {
        let mut x = node.state;
        for _ in 0..self.work {
            x = splitmix(x);
        }
        std::hint::black_box(x);
    }
}

/// The single-threaded reference walk.
pub fn count_sequential(p: &Params) -> u64 {
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

/// The search on deque-channel as a user writes it: `recv_blocking` until
/// the channel is done. Returns each worker's node count and counters.
///
/// A send that finds the channel full (deque and global queue) hands the
/// node back; the worker then walks that subtree itself, depth first, so
/// no node is ever held while it blocks.
pub fn search_blocking(p: &Params) -> (Vec<u64>, Vec<WorkerStats>) {
    // The outside handle is dropped at once: only the workers' sends
    // remain, and the channel is done when they have all run dry.
    let (_, workers) = DequeChannel::builder()
        .workers(p.workers)
        .global_capacity(1 << 16)
        .build();
    workers[0]
        .send(p.root())
        .expect("an empty channel has room");
    thread::scope(|scope| {
        let handles: Vec<_> = workers
            .into_iter()
            .map(|w| {
                scope.spawn(move || {
                    let mut visited = 0u64;
                    let mut inline = Vec::new();
                    while let Ok(node) = w.recv_blocking() {
                        inline.push(node);
                        while let Some(node) = inline.pop() {
                            p.visit(node);
                            visited += 1;
                            for i in 0..p.children(node) {
                                if let Err(Full(child)) = w.send(p.child(node, i)) {
                                    inline.push(child);
                                }
                            }
                        }
                    }
                    (visited, w.stats())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).unzip()
    })
}

/// The search on rayon as a rayon user writes it: a scope, one spawn per
/// node. Counts per pool thread, each on its own cache line.
pub fn search_rayon(p: &Params) -> u64 {
    fn walk<'s>(
        s: &rayon::Scope<'s>,
        p: &'s Params,
        node: Node,
        counts: &'s [CachePadded<AtomicU64>],
    ) {
        p.visit(node);
        let me = rayon::current_thread_index().unwrap_or(0);
        counts[me].fetch_add(1, Ordering::Relaxed);
        for i in 0..p.children(node) {
            let child = p.child(node, i);
            s.spawn(move |s| walk(s, p, child, counts));
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(p.workers)
        .build()
        .expect("a rayon pool");
    let counts: Vec<CachePadded<AtomicU64>> =
        (0..p.workers).map(|_| CachePadded::default()).collect();
    pool.scope(|s| walk(s, p, p.root(), &counts));
    counts.iter().map(|c| c.load(Ordering::Relaxed)).sum()
}

/// What a worker thread needs from a channel, for the spinning searches.
pub trait Port: Send {
    fn send(&mut self, node: Node);
    fn recv(&mut self) -> Option<Node>;
}

/// The search a channel without "done" needs: each worker spins on a
/// non-blocking receive, and `outstanding` counts nodes sent but not yet
/// visited. Increments are made before the children are sent; a worker's
/// decrements are batched and flushed whenever it runs dry. So
/// `outstanding` never falls below the true number, and reads 0 only when
/// the search is done. Returns the node count of each worker.
pub fn search_spinning<P: Port>(p: &Params, ports: Vec<P>) -> Vec<u64> {
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

/// deque-channel driven the spinning way, with `recv`. A send that finds
/// the channel full keeps the node in a private spill stack (processed
/// first), so the search never loses work.
pub struct Spinning {
    pub worker: deque_channel::Worker<Node>,
    pub spill: Vec<Node>,
}

impl Port for Spinning {
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
pub struct Crossbeam {
    pub tx: crossbeam_channel::Sender<Node>,
    pub rx: crossbeam_channel::Receiver<Node>,
}

/// One port per worker on one unbounded crossbeam-channel.
pub fn crossbeam_ports(workers: usize) -> Vec<Crossbeam> {
    let (tx, rx) = crossbeam_channel::unbounded();
    (0..workers)
        .map(|_| Crossbeam {
            tx: tx.clone(),
            rx: rx.clone(),
        })
        .collect()
}

impl Port for Crossbeam {
    fn send(&mut self, node: Node) {
        self.tx.send(node).expect("receivers live");
    }
    fn recv(&mut self) -> Option<Node> {
        self.rx.try_recv().ok()
    }
}
