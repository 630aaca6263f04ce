//! The "each worker sends and receives" loop shared by the deque-channel
//! benchmark (`benches/deque_channel.rs`) and the interleaved comparison
//! (`examples/vs_peers.rs`): one port type per implementation, and the loop.

use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::thread;

/// One worker thread's view of a channel.
pub trait Port: Send {
    /// Sends `v`; never loses it.
    fn send(&mut self, v: usize);
    /// Receives a value, or `None` when none was found.
    fn recv(&mut self) -> Option<usize>;
}

/// A deque-channel worker.
#[derive(Debug)]
pub struct Ours {
    /// The worker this port drives.
    pub worker: deque_channel::Worker<usize>,
    /// Values the bounded channel refused (never expected at these sizes,
    /// but the loop must not lose them).
    pub spill: Vec<usize>,
}
impl Port for Ours {
    fn send(&mut self, v: usize) {
        if let Err(full) = self.worker.send(v) {
            self.spill.push(full.into_inner());
        }
    }
    fn recv(&mut self) -> Option<usize> {
        self.spill.pop().or_else(|| self.worker.recv())
    }
}
/// One port per worker on a fresh channel: deque-channel with its default capacities.
pub fn ours(workers: usize) -> Vec<Ours> {
    let (_channel, ws) = deque_channel::DequeChannel::new(workers);
    ws.into_iter()
        .map(|worker| Ours {
            worker,
            spill: Vec::new(),
        })
        .collect()
}

/// A crossbeam-channel unbounded channel's two ends.
#[derive(Debug)]
pub struct CrossbeamChannel(
    pub crossbeam_channel::Sender<usize>,
    pub crossbeam_channel::Receiver<usize>,
);
impl Port for CrossbeamChannel {
    fn send(&mut self, v: usize) {
        self.0.send(v).unwrap();
    }
    fn recv(&mut self) -> Option<usize> {
        self.1.try_recv().ok()
    }
}
/// One port per worker on a fresh channel: crossbeam-channel, unbounded.
pub fn crossbeam_channel(workers: usize) -> Vec<CrossbeamChannel> {
    let (tx, rx) = crossbeam_channel::unbounded();
    (0..workers)
        .map(|_| CrossbeamChannel(tx.clone(), rx.clone()))
        .collect()
}

/// A flume unbounded channel's two ends.
#[derive(Debug)]
pub struct Flume(pub flume::Sender<usize>, pub flume::Receiver<usize>);
impl Port for Flume {
    fn send(&mut self, v: usize) {
        self.0.send(v).unwrap();
    }
    fn recv(&mut self) -> Option<usize> {
        self.1.try_recv().ok()
    }
}
/// One port per worker on a fresh channel: flume, unbounded.
pub fn flume(workers: usize) -> Vec<Flume> {
    let (tx, rx) = flume::unbounded();
    (0..workers)
        .map(|_| Flume(tx.clone(), rx.clone()))
        .collect()
}

/// The rayon-style loop: a LIFO local deque, then the global injector
/// (batch), then the other workers' stealers (batch), retrying on `Retry`.
#[derive(Debug)]
pub struct Injector {
    /// This worker's index in `stealers`.
    pub id: usize,
    /// This worker's deque.
    pub local: crossbeam_deque::Worker<usize>,
    /// The queue every worker shares.
    pub global: std::sync::Arc<crossbeam_deque::Injector<usize>>,
    /// Every worker's stealer, this one's included.
    pub stealers: std::sync::Arc<Vec<crossbeam_deque::Stealer<usize>>>,
}
impl Port for Injector {
    fn send(&mut self, v: usize) {
        self.local.push(v);
    }
    fn recv(&mut self) -> Option<usize> {
        self.local.pop().or_else(|| {
            std::iter::repeat_with(|| {
                self.global.steal_batch_and_pop(&self.local).or_else(|| {
                    self.stealers
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != self.id)
                        .map(|(_, s)| s.steal_batch_and_pop(&self.local))
                        .collect()
                })
            })
            .find(|s| !s.is_retry())
            .and_then(|s| s.success())
        })
    }
}
/// One port per worker on a fresh channel: the crossbeam-deque Injector loop.
pub fn injector(workers: usize) -> Vec<Injector> {
    let locals: Vec<_> = (0..workers)
        .map(|_| crossbeam_deque::Worker::new_lifo())
        .collect();
    let stealers = std::sync::Arc::new(locals.iter().map(|w| w.stealer()).collect::<Vec<_>>());
    let global = std::sync::Arc::new(crossbeam_deque::Injector::new());
    locals
        .into_iter()
        .enumerate()
        .map(|(id, local)| Injector {
            id,
            local,
            global: global.clone(),
            stealers: stealers.clone(),
        })
        .collect()
}

/// Values a worker sends, then at most receives, per round.
pub const BURST: usize = 16;

/// Runs the pattern: worker `i` sends `sends[i]` values in bursts of 16,
/// receiving up to 16 after each burst, then receives until all are in.
pub fn run<P: Port>(ports: Vec<P>, sends: &[usize]) {
    let total: usize = sends.iter().sum();
    let received = AtomicUsize::new(0);
    thread::scope(|scope| {
        // Each thread owns its port (moved in), as a real worker would.
        for (mut port, &to_send) in ports.into_iter().zip(sends) {
            let received = &received;
            scope.spawn(move || {
                let mut sent = 0;
                let mut mine = 0;
                loop {
                    if sent < to_send {
                        let burst = BURST.min(to_send - sent);
                        for v in sent..sent + burst {
                            port.send(v);
                        }
                        sent += burst;
                    }
                    for _ in 0..BURST {
                        match port.recv() {
                            Some(v) => {
                                black_box(v);
                                mine += 1;
                            }
                            None => break,
                        }
                    }
                    if mine >= 64 || sent == to_send {
                        received.fetch_add(mine, Relaxed);
                        mine = 0;
                    }
                    if sent == to_send && received.load(Relaxed) >= total {
                        return;
                    }
                    if sent == to_send {
                        // Idle: give the core to a worker that still has
                        // work (the machine may have fewer cores than
                        // workers).
                        thread::yield_now();
                    }
                }
            });
        }
    });
}
