//! The searches of the `tree_search` example, also run by the criterion
//! benchmark (`benches/benches/deque_channel.rs` includes this file and
//! `uts.rs`): the search on deque-channel with `recv_blocking`, and the
//! peers' searches. Each counts nodes, leaves and the greatest depth, per
//! worker.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::thread;

use crossbeam_utils::CachePadded;
use deque_channel::{DequeChannel, Full, WorkerStats};

use crate::uts::{Counts, Node, Uts};

/// The search on deque-channel as a user writes it: `recv_blocking` until
/// the channel is done. Returns each worker's counts and counters.
///
/// A send that finds the channel full (deque and global queue) hands the
/// node back; the worker then walks that subtree itself, depth first, so
/// no node is ever held while it blocks.
pub fn search_blocking(tree: &Uts, workers: usize) -> (Vec<Counts>, Vec<WorkerStats>) {
    // The outside handle is dropped at once: only the workers' sends
    // remain, and the channel is done when they have all run dry.
    let (_, workers) = DequeChannel::builder()
        .workers(workers)
        .global_capacity(1 << 16)
        .build();
    workers[0]
        .send(tree.root())
        .expect("an empty channel has room");
    thread::scope(|scope| {
        let handles: Vec<_> = workers
            .into_iter()
            .map(|w| {
                scope.spawn(move || {
                    let mut counts = Counts::default();
                    let mut inline = Vec::new();
                    while let Ok(node) = w.recv_blocking() {
                        inline.push(node);
                        while let Some(node) = inline.pop() {
                            let children = tree.children(&node);
                            counts.add(&node, children);
                            for i in 0..children {
                                if let Err(Full(child)) = w.send(tree.child(&node, i)) {
                                    inline.push(child);
                                }
                            }
                        }
                    }
                    (counts, w.stats())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).unzip()
    })
}

/// One pool thread's counts, on its own cache line.
#[derive(Default)]
struct AtomicCounts {
    nodes: AtomicU64,
    leaves: AtomicU64,
    depth: AtomicU64,
}

/// The search on rayon as a rayon user writes it: a scope, one spawn per
/// node. Counts per pool thread.
pub fn search_rayon(tree: &Uts, workers: usize) -> Vec<Counts> {
    fn walk<'s>(
        s: &rayon::Scope<'s>,
        tree: &'s Uts,
        node: Node,
        counts: &'s [CachePadded<AtomicCounts>],
    ) {
        let children = tree.children(&node);
        let mine = &counts[rayon::current_thread_index().unwrap_or(0)];
        // Relaxed: each thread adds to its own; the scope's end publishes.
        mine.nodes.fetch_add(1, Ordering::Relaxed);
        mine.leaves
            .fetch_add(u64::from(children == 0), Ordering::Relaxed);
        mine.depth
            .fetch_max(u64::from(node.height), Ordering::Relaxed);
        for i in 0..children {
            let child = tree.child(&node, i);
            s.spawn(move |s| walk(s, tree, child, counts));
        }
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers)
        .build()
        .expect("a rayon pool");
    let counts: Vec<CachePadded<AtomicCounts>> =
        (0..workers).map(|_| CachePadded::default()).collect();
    pool.scope(|s| walk(s, tree, tree.root(), &counts));
    counts
        .iter()
        .map(|c| Counts {
            nodes: c.nodes.load(Ordering::Relaxed),
            leaves: c.leaves.load(Ordering::Relaxed),
            depth: c.depth.load(Ordering::Relaxed) as u32,
        })
        .collect()
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
/// the search is done. Returns the counts of each worker.
pub fn search_spinning<P: Port>(tree: &Uts, ports: Vec<P>) -> Vec<Counts> {
    let outstanding = AtomicI64::new(1);
    let mut ports = ports;
    ports[0].send(tree.root());
    thread::scope(|scope| {
        let handles: Vec<_> = ports
            .into_iter()
            .map(|mut port| {
                let outstanding = &outstanding;
                scope.spawn(move || {
                    let mut counts = Counts::default();
                    let mut unflushed = 0i64;
                    loop {
                        match port.recv() {
                            Some(node) => {
                                let children = tree.children(&node);
                                counts.add(&node, children);
                                unflushed += 1;
                                if children > 0 {
                                    // Relaxed: a count only; the channel
                                    // carries the nodes themselves.
                                    outstanding.fetch_add(i64::from(children), Ordering::Relaxed);
                                    for i in 0..children {
                                        port.send(tree.child(&node, i));
                                    }
                                }
                            }
                            None => {
                                if unflushed > 0 {
                                    outstanding.fetch_sub(unflushed, Ordering::Relaxed);
                                    unflushed = 0;
                                }
                                if outstanding.load(Ordering::Relaxed) == 0 {
                                    return counts;
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

/// One spinning port per worker on a fresh deque-channel.
pub fn spinning_ports(workers: usize) -> Vec<Spinning> {
    let (_channel, workers) = DequeChannel::builder()
        .workers(workers)
        .global_capacity(1 << 16)
        .build();
    workers
        .into_iter()
        .map(|worker| Spinning {
            worker,
            spill: Vec::new(),
        })
        .collect()
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

/// The counts of a whole search, from each worker's.
pub fn total(parts: &[Counts]) -> Counts {
    parts.iter().fold(Counts::default(), |a, &b| a.merge(b))
}
