//! [`DequeChannel`], the shared handle, and its [`Builder`].

use core::fmt;
use core::marker::PhantomData;

use beam_deque::Stealer;
use crossbeam_utils::CachePadded;
use vyukov_mpmc::ArrayQueue;

use crate::full::Full;
use crate::stats::{Counters, WorkerStats};
use crate::sync::Arc;
use crate::worker::Worker;

/// Default capacity of each worker's deque.
pub const DEFAULT_LOCAL_CAPACITY: usize = 256;
/// Smallest default capacity of the global queue.
pub const MIN_DEFAULT_GLOBAL_CAPACITY: usize = 4096;

/// What every handle shares.
pub(crate) struct Shared<T> {
    /// Worker `i`'s thieves' handle at index `i`. Each on its own cache
    /// line, so thieves probing neighbours do not false-share.
    pub(crate) stealers: Box<[CachePadded<Stealer<T>>]>,
    /// Worker `i`'s counters at index `i`, each on its own cache line: only
    /// worker `i` writes them (through its own `Arc`, one hop away).
    pub(crate) counters: Box<[Arc<CachePadded<Counters>>]>,
    /// The overflow queue, and the inbox of producers that are not workers.
    pub(crate) global: ArrayQueue<T>,
}

/// A work-stealing multi-producer multi-consumer channel.
///
/// Each of `workers` threads owns a [`Worker`] with a bounded local deque.
/// A worker's [`send`](Worker::send) pushes onto its own deque; when that is
/// full it moves the oldest half to the shared global queue in one batch and
/// retries. Its [`recv`](Worker::recv) pops its own newest value first
/// (cache-hot), then takes the oldest from the global queue, then steals
/// about half of a random other worker's deque. Nothing blocks: `recv`
/// returns `None` when it found nothing.
///
/// `DequeChannel` itself is the shared handle (`Clone + Send + Sync`):
/// producers that are not workers [`send`](DequeChannel::send) into the
/// global queue, and anyone can ask for [`len`](DequeChannel::len) or the
/// workers' [`stats`](DequeChannel::stats).
///
/// The channel is bounded: every deque and the global queue have a capacity,
/// and a send that finds them all full returns [`Full`] with the value.
///
/// # Examples
///
/// ```
/// use deque_channel::DequeChannel;
/// use std::thread;
///
/// let (channel, workers) = DequeChannel::new(2);
/// for i in 0..10 {
///     channel.send(i).unwrap(); // external producer: into the global queue
/// }
/// let handles: Vec<_> = workers
///     .into_iter()
///     .map(|w| {
///         thread::spawn(move || {
///             let mut sum = 0;
///             while let Some(v) = w.recv() {
///                 sum += v;
///             }
///             sum
///         })
///     })
///     .collect();
/// let total: i32 = handles.into_iter().map(|h| h.join().unwrap()).sum();
/// assert_eq!(total, 45);
/// ```
pub struct DequeChannel<T> {
    pub(crate) shared: Arc<Shared<T>>,
}

impl<T> DequeChannel<T> {
    /// Creates a channel with `workers` workers and default capacities
    /// (local 256, global `max(4096, workers * 256)`).
    ///
    /// Returns the shared handle and the workers, `Vec` index = worker id.
    ///
    /// # Panics
    ///
    /// If `workers` is 0.
    pub fn new(workers: usize) -> (DequeChannel<T>, Vec<Worker<T>>) {
        Self::builder().workers(workers).build()
    }

    /// A builder for a channel with chosen capacities.
    ///
    /// ```
    /// let (channel, workers) = deque_channel::DequeChannel::<u64>::builder()
    ///     .workers(4)
    ///     .local_capacity(64)
    ///     .global_capacity(1024)
    ///     .build();
    /// assert_eq!((channel.workers(), workers.len()), (4, 4));
    /// ```
    pub fn builder() -> Builder<T> {
        Builder {
            workers: 0,
            local_capacity: DEFAULT_LOCAL_CAPACITY,
            global_capacity: None,
            _values: PhantomData,
        }
    }

    /// The number of workers.
    pub fn workers(&self) -> usize {
        self.shared.stealers.len()
    }

    /// Values in the channel: the global queue plus every worker's deque.
    /// Approximate while workers run, exact when they are quiescent.
    pub fn len(&self) -> usize {
        self.shared.global.len() + self.shared.stealers.iter().map(|s| s.len()).sum::<usize>()
    }

    /// Whether the channel holds no values (see [`len`](Self::len)).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sends from a thread that is not a worker: straight into the global
    /// queue, where every worker's `recv` finds it.
    ///
    /// # Errors
    ///
    /// [`Full`] with the value when the global queue is full.
    pub fn send(&self, value: T) -> Result<(), Full<T>> {
        self.shared.global.push(value).map_err(Full)
    }

    /// A snapshot of every worker's counters, index = worker id.
    pub fn stats(&self) -> Vec<WorkerStats> {
        self.shared.counters.iter().map(|c| c.snapshot()).collect()
    }
}

impl<T> Clone for DequeChannel<T> {
    fn clone(&self) -> Self {
        DequeChannel {
            shared: Arc::clone(&self.shared),
        }
    }
}

impl<T> fmt::Debug for DequeChannel<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DequeChannel")
            .field("workers", &self.workers())
            .field("len", &self.len())
            .field("global_capacity", &self.shared.global.capacity())
            .finish()
    }
}

/// Configures a [`DequeChannel`]; made by [`DequeChannel::builder`].
pub struct Builder<T> {
    workers: usize,
    local_capacity: usize,
    global_capacity: Option<usize>,
    _values: PhantomData<fn() -> T>,
}

impl<T> Builder<T> {
    /// The number of workers (required, at least 1).
    pub fn workers(mut self, n: usize) -> Builder<T> {
        self.workers = n;
        self
    }

    /// Capacity of each worker's deque (default 256; rounded up to a power
    /// of two).
    pub fn local_capacity(mut self, n: usize) -> Builder<T> {
        self.local_capacity = n;
        self
    }

    /// Exact capacity of the global queue (default
    /// `max(4096, workers * local_capacity)`).
    pub fn global_capacity(mut self, n: usize) -> Builder<T> {
        self.global_capacity = Some(n);
        self
    }

    /// Creates the channel: the shared handle and the workers, `Vec` index =
    /// worker id.
    ///
    /// # Panics
    ///
    /// If `workers` is 0 (or was never set), or a capacity is 0.
    pub fn build(self) -> (DequeChannel<T>, Vec<Worker<T>>) {
        assert!(
            self.workers > 0,
            "deque_channel: `workers` must be at least 1 (use DequeChannel::new(n) or Builder::workers(n))"
        );
        assert!(
            self.local_capacity > 0,
            "deque_channel: `local_capacity` must be at least 1"
        );
        let global_capacity = self.global_capacity.unwrap_or_else(|| {
            MIN_DEFAULT_GLOBAL_CAPACITY.max(self.workers.saturating_mul(self.local_capacity))
        });
        assert!(
            global_capacity > 0,
            "deque_channel: `global_capacity` must be at least 1"
        );
        let locals: Vec<beam_deque::Worker<T>> = (0..self.workers)
            .map(|_| beam_deque::Worker::new(self.local_capacity))
            .collect();
        let shared = Arc::new(Shared {
            stealers: locals
                .iter()
                .map(|l| CachePadded::new(l.stealer()))
                .collect(),
            counters: (0..self.workers).map(|_| Arc::default()).collect(),
            global: ArrayQueue::new(global_capacity),
        });
        let channel = DequeChannel { shared };
        let workers = locals
            .into_iter()
            .enumerate()
            .map(|(id, local)| Worker::new(id, local, channel.clone()))
            .collect();
        (channel, workers)
    }
}

impl<T> fmt::Debug for Builder<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("workers", &self.workers)
            .field("local_capacity", &self.local_capacity)
            .field("global_capacity", &self.global_capacity)
            .finish()
    }
}
