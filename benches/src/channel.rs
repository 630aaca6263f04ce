//! The "each worker sends and receives" loop shared by the deque-channel
//! benchmark (`benches/deque_channel.rs`) and the interleaved comparison
//! (`examples/vs_peers.rs`): one port type per implementation, the loop,
//! and the one-outside-producer variant (`Feed`, `run_fed`).

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
    ours_fed(workers).1
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

/// A producer that is not one of the workers.
pub trait Feed: Send + Sync {
    /// Sends `v`, or hands it back while the channel is full.
    fn feed(&self, v: usize) -> Result<(), usize>;
}

impl Feed for deque_channel::DequeChannel<usize> {
    fn feed(&self, v: usize) -> Result<(), usize> {
        self.send(v).map_err(deque_channel::SendError::into_inner)
    }
}

impl Feed for crossbeam_channel::Sender<usize> {
    fn feed(&self, v: usize) -> Result<(), usize> {
        self.send(v).unwrap();
        Ok(())
    }
}

impl Feed for flume::Sender<usize> {
    fn feed(&self, v: usize) -> Result<(), usize> {
        self.send(v).unwrap();
        Ok(())
    }
}

impl Feed for std::sync::Arc<crossbeam_deque::Injector<usize>> {
    fn feed(&self, v: usize) -> Result<(), usize> {
        self.push(v);
        Ok(())
    }
}

/// Makes a fresh channel: its outside producer and one port per worker.
pub type MakeFed<F, P> = fn(usize) -> (F, Vec<P>);

/// A fresh deque-channel (default capacities): the channel handle, whose
/// `send` goes straight into the global queue, and one port per worker.
pub fn ours_fed(workers: usize) -> (deque_channel::DequeChannel<usize>, Vec<Ours>) {
    let (channel, ws) = deque_channel::DequeChannel::new(workers);
    (channel, ours_ports(ws))
}

/// A fresh unbounded deque-channel (`Builder::unbounded`, default local
/// capacity): the channel handle and one port per worker.
pub fn ours_unbounded_fed(workers: usize) -> (deque_channel::DequeChannel<usize>, Vec<Ours>) {
    let (channel, ws) = deque_channel::DequeChannel::builder()
        .workers(workers)
        .unbounded()
        .build();
    (channel, ours_ports(ws))
}

/// One port per worker.
fn ours_ports(workers: Vec<deque_channel::Worker<usize>>) -> Vec<Ours> {
    workers
        .into_iter()
        .map(|worker| Ours {
            worker,
            spill: Vec::new(),
        })
        .collect()
}

/// One port per worker on a fresh unbounded deque-channel.
pub fn ours_unbounded(workers: usize) -> Vec<Ours> {
    ours_unbounded_fed(workers).1
}

/// A fresh crossbeam-channel (unbounded): a sender and one port per worker.
pub fn crossbeam_channel_fed(
    workers: usize,
) -> (crossbeam_channel::Sender<usize>, Vec<CrossbeamChannel>) {
    let ports = crossbeam_channel(workers);
    (ports[0].0.clone(), ports)
}

/// A fresh flume channel (unbounded): a sender and one port per worker.
pub fn flume_fed(workers: usize) -> (flume::Sender<usize>, Vec<Flume>) {
    let ports = flume(workers);
    (ports[0].0.clone(), ports)
}

/// A fresh Injector loop: its `Injector` and one port per worker.
pub fn injector_fed(
    workers: usize,
) -> (
    std::sync::Arc<crossbeam_deque::Injector<usize>>,
    Vec<Injector>,
) {
    let ports = injector(workers);
    (ports[0].global.clone(), ports)
}

/// One outside producer sends `values` values (retrying while the channel
/// is full); the workers receive until all are in.
pub fn run_fed<F: Feed, P: Port>(feed: F, ports: Vec<P>, values: usize) {
    let received = AtomicUsize::new(0);
    thread::scope(|scope| {
        let feed = &feed;
        scope.spawn(move || {
            for v in 0..values {
                let mut v = v;
                while let Err(back) = feed.feed(v) {
                    v = back;
                    thread::yield_now();
                }
            }
        });
        for mut port in ports {
            let received = &received;
            scope.spawn(move || {
                let mut mine = 0;
                loop {
                    match port.recv() {
                        Some(v) => {
                            black_box(v);
                            mine += 1;
                            if mine == 64 {
                                received.fetch_add(mine, Relaxed);
                                mine = 0;
                            }
                        }
                        None => {
                            received.fetch_add(mine, Relaxed);
                            mine = 0;
                            if received.load(Relaxed) >= values {
                                return;
                            }
                            thread::yield_now();
                        }
                    }
                }
            });
        }
    });
}
