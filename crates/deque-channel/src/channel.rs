//! [`DequeChannel`], the shared handle, and its [`Builder`].

use core::fmt;
use core::marker::PhantomData;
use std::time::{Duration, Instant};

use beam_deque::Stealer;
use crossbeam_utils::CachePadded;
use seg_queue::SegQueue;
use vyukov_mpmc::ArrayQueue;

use crate::errors::SendError;
use crate::global::Global;
use crate::outside::Outside;
use crate::sleep::{MAX_WORKERS, Sleep};
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
    /// The overflow queue, and the inbox of producers that are not workers:
    /// bounded (the default) or unbounded (`global.rs`).
    pub(crate) global: Global<T>,
    /// Who sleeps, who searches, closed and done (`sleep.rs`).
    pub(crate) sleep: Sleep,
    /// Outside producers: the closing gate, the handle count, the wait for
    /// room (`outside.rs`).
    pub(crate) outside: Outside,
}

impl<T> Shared<T> {
    /// Whether any queue holds a value: the final check of a worker going
    /// to sleep (peeks only; a value mid-steal is held by a running thief).
    pub(crate) fn has_values(&self) -> bool {
        !self.global.is_empty() || self.stealers.iter().any(|s| !s.is_empty())
    }

    /// Nothing anywhere and no outside send in flight: the done check.
    /// The gate first: a send seen gone has its value in the queue.
    pub(crate) fn is_quiet(&self) -> bool {
        self.outside.is_quiet() && !self.has_values()
    }
}

/// A work-stealing multi-producer multi-consumer channel.
///
/// Each of `workers` threads owns a [`Worker`] with a bounded local deque.
/// A worker's [`send`](Worker::send) pushes onto its own deque; when that is
/// full it moves the oldest half to the shared global queue in one batch and
/// retries. Its [`recv`](Worker::recv) pops its own newest value first
/// (cache-hot), then takes the oldest from the global queue, then steals
/// about half of a random other worker's deque. `recv` returns `None` when
/// it found nothing; [`recv_blocking`](Worker::recv_blocking) parks until a
/// send wakes it, or the channel is done (see [`close`](Self::close)).
///
/// `DequeChannel` itself is the shared handle (`Clone + Send + Sync`):
/// producers that are not workers [`send`](DequeChannel::send) into the
/// global queue, and anyone can ask for [`len`](DequeChannel::len) or the
/// workers' [`stats`](DequeChannel::stats).
///
/// The channel is bounded by default: every deque and the global queue have
/// a capacity, and a send that finds them all full returns the value:
/// [`Full`](crate::Full) from a worker, [`SendError::Full`] from outside.
/// [`Builder::unbounded`] makes the global queue unbounded instead.
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
    /// Whether this handle counts as an outside handle (all do but the
    /// ones the workers hold): the last one's drop closes the channel.
    outside: bool,
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
    ///
    /// ```
    /// use deque_channel::DequeChannel;
    ///
    /// let (channel, workers) = DequeChannel::new(3);
    /// assert_eq!(workers.len(), 3);
    /// assert_eq!(workers[2].id(), 2);
    /// channel.send("job").unwrap();
    /// assert_eq!(workers[0].recv(), Some("job"));
    /// ```
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
            unbounded: false,
            _values: PhantomData,
        }
    }

    /// The number of workers.
    ///
    /// ```
    /// let (channel, _workers) = deque_channel::DequeChannel::<u8>::new(2);
    /// assert_eq!(channel.workers(), 2);
    /// ```
    pub fn workers(&self) -> usize {
        self.shared.stealers.len()
    }

    /// Values in the channel: the global queue plus every worker's deque.
    /// Approximate while workers run, exact when they are quiescent.
    ///
    /// ```
    /// let (channel, workers) = deque_channel::DequeChannel::new(2);
    /// workers[0].send(1).unwrap();
    /// channel.send(2).unwrap();
    /// assert_eq!(channel.len(), 2);
    /// assert!(!channel.is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.shared.global.len() + self.shared.stealers.iter().map(|s| s.len()).sum::<usize>()
    }

    /// Whether the channel holds no values (see [`len`](Self::len)).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Sends from a thread that is not a worker: straight into the global
    /// queue, where every worker's `recv` finds it. Wakes a sleeping worker
    /// if none is already looking for work. Never waits.
    ///
    /// # Errors
    ///
    /// [`SendError::Full`] with the value when the global queue is full;
    /// [`SendError::Closed`] with the value when the channel is closed.
    ///
    /// ```
    /// use deque_channel::{DequeChannel, SendError};
    ///
    /// let (channel, workers) = DequeChannel::builder().workers(1).global_capacity(1).build();
    /// channel.send(1).unwrap();
    /// assert_eq!(channel.send(2), Err(SendError::Full(2))); // the value comes back
    /// assert_eq!(workers[0].recv(), Some(1));
    /// channel.close();
    /// assert_eq!(channel.send(3), Err(SendError::Closed(3)));
    /// ```
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        let shared = &*self.shared;
        let result = if shared.outside.enter() {
            shared.global.push(value).map_err(SendError::Full)
        } else {
            Err(SendError::Closed(value))
        };
        shared.outside.leave();
        // After leaving the gate, whatever happened: a value pushed needs a
        // worker, and a done check that saw this send in flight declined
        // and needs running again (`Sleep::try_finish`). One fence and one
        // load when nobody sleeps.
        shared.sleep.notify();
        result
    }

    /// Sends from a thread that is not a worker, waiting while the global
    /// queue is full. Woken when a worker takes from the global queue (the
    /// workers pay for that only while a producer waits).
    ///
    /// # Errors
    ///
    /// [`SendError::Closed`] with the value when the channel is closed,
    /// also while waiting (the drop of the last worker closes it: see
    /// [`close`](Self::close)).
    ///
    /// ```
    /// use deque_channel::DequeChannel;
    /// use std::thread;
    ///
    /// let (channel, workers) = DequeChannel::builder().workers(1).global_capacity(2).build();
    /// let producer = thread::spawn(move || {
    ///     for i in 0..100 {
    ///         channel.send_blocking(i).unwrap(); // waits while the queue holds 2
    ///     }
    ///     // `channel`, the only outside handle, is dropped: closed.
    /// });
    /// let w = &workers[0];
    /// let mut sum = 0;
    /// while let Ok(v) = w.recv_blocking() {
    ///     sum += v;
    /// }
    /// producer.join().unwrap();
    /// assert_eq!(sum, 4950);
    /// ```
    pub fn send_blocking(&self, value: T) -> Result<(), SendError<T>> {
        self.send_until(value, None)
    }

    /// Like [`send_blocking`](Self::send_blocking), waiting at most
    /// `timeout` for room.
    ///
    /// # Errors
    ///
    /// [`SendError::Full`] with the value if the queue was still full at
    /// the deadline; [`SendError::Closed`] if the channel is closed.
    ///
    /// ```
    /// use deque_channel::DequeChannel;
    /// use std::time::Duration;
    ///
    /// let (channel, _workers) = DequeChannel::builder().workers(1).global_capacity(1).build();
    /// channel.send(1).unwrap();
    /// let err = channel.send_timeout(2, Duration::from_millis(1)).unwrap_err();
    /// assert!(err.is_full());
    /// ```
    pub fn send_timeout(&self, value: T, timeout: Duration) -> Result<(), SendError<T>> {
        self.send_until(value, Instant::now().checked_add(timeout))
    }

    /// `send`, then wait for room and retry, until `deadline` (`None`:
    /// forever).
    fn send_until(&self, mut value: T, deadline: Option<Instant>) -> Result<(), SendError<T>> {
        let shared = &*self.shared;
        loop {
            match self.send(value) {
                Err(SendError::Full(back)) => value = back,
                done => return done,
            }
            if shared
                .outside
                .wait_for_room(|| shared.global.is_full(), deadline)
            {
                // Deadline: one last try, `Full` if still no room.
                return self.send(value);
            }
        }
    }

    /// Closes the channel to outside senders: from now on every outside
    /// send returns [`SendError::Closed`], including `send_blocking` and
    /// `send_timeout` calls already waiting. Workers keep receiving what is
    /// in the channel and may still send (the work in the channel may make
    /// more). Once nothing is left and every live worker waits in a
    /// blocking receive, the channel is *done* and those receives return an
    /// error. Returns `true` if this call closed it.
    ///
    /// The channel also closes when the last outside handle is dropped
    /// (every `DequeChannel` except the ones the workers hold inside; a
    /// clone of [`Worker::channel`] counts as outside), and when the last
    /// [`Worker`] is dropped: nobody is left to receive, so a
    /// `send_blocking` waiting for room returns `Closed` instead of
    /// waiting for ever. (An outside send that got in just before that
    /// drop returns `Ok`, and its value, never received, is dropped with
    /// the channel, as any value left when the last handle goes. With no
    /// worker left the channel is closed but never *done*: `is_done`
    /// stays `false`.)
    ///
    /// ```
    /// use deque_channel::{DequeChannel, SendError};
    ///
    /// let (channel, workers) = DequeChannel::builder().workers(2).global_capacity(1).build();
    /// channel.send(1).unwrap();
    /// drop(workers);
    /// assert!(channel.is_closed());
    /// assert_eq!(channel.send_blocking(2), Err(SendError::Closed(2)));
    /// ```
    ///
    /// ```
    /// use deque_channel::{DequeChannel, SendError};
    ///
    /// let (channel, workers) = DequeChannel::new(1);
    /// channel.send(1).unwrap();
    /// assert!(channel.close());
    /// assert!(!channel.close());
    /// assert!(channel.is_closed());
    /// assert_eq!(channel.send(2), Err(SendError::Closed(2)));
    /// assert_eq!(workers[0].recv_blocking(), Ok(1)); // sent before the close
    /// assert!(workers[0].recv_blocking().is_err()); // done
    /// ```
    pub fn close(&self) -> bool {
        let shared = &*self.shared;
        let closed_here = shared.outside.close();
        if closed_here {
            shared.sleep.close();
        }
        closed_here
    }

    /// Whether the channel is closed (see [`close`](Self::close)).
    ///
    /// ```
    /// let (channel, _workers) = deque_channel::DequeChannel::<u8>::new(1);
    /// assert!(!channel.is_closed());
    /// channel.close();
    /// assert!(channel.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.shared.outside.is_closed()
    }

    /// Whether the channel is *done*: closed, nothing left, every live
    /// worker waiting in a blocking receive (see [`close`](Self::close)).
    /// Final once true.
    ///
    /// ```
    /// use std::thread;
    /// use deque_channel::DequeChannel;
    ///
    /// let (channel, mut workers) = DequeChannel::new(1);
    /// channel.send(1).unwrap();
    /// let w = workers.pop().unwrap();
    /// let receiver = thread::spawn(move || while w.recv_blocking().is_ok() {});
    /// channel.close();
    /// receiver.join().unwrap(); // the receive returned Err: done
    /// assert!(channel.is_done());
    /// ```
    pub fn is_done(&self) -> bool {
        self.shared.sleep.is_done()
    }

    /// A snapshot of every worker's counters, index = worker id.
    ///
    /// ```
    /// let (channel, workers) = deque_channel::DequeChannel::new(2);
    /// workers[0].send(1).unwrap();
    /// assert_eq!(workers[1].recv(), Some(1)); // stolen from worker 0
    /// let stats = channel.stats();
    /// assert_eq!(stats[1].stolen, 1);
    /// ```
    pub fn stats(&self) -> Vec<WorkerStats> {
        self.shared.counters.iter().map(|c| c.snapshot()).collect()
    }
}

impl<T> DequeChannel<T> {
    /// The handle a worker holds inside: not counted as outside.
    pub(crate) fn inside(&self) -> DequeChannel<T> {
        DequeChannel {
            shared: Arc::clone(&self.shared),
            outside: false,
        }
    }
}

/// Every clone is an outside handle, even one made from
/// [`Worker::channel`]: it keeps the channel open until it is dropped.
impl<T> Clone for DequeChannel<T> {
    fn clone(&self) -> Self {
        self.shared.outside.add_handle();
        DequeChannel {
            shared: Arc::clone(&self.shared),
            outside: true,
        }
    }
}

/// Dropping the last outside handle closes the channel.
impl<T> Drop for DequeChannel<T> {
    fn drop(&mut self) {
        if self.outside && self.shared.outside.drop_handle() {
            self.close();
        }
    }
}

impl<T> fmt::Debug for DequeChannel<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("DequeChannel");
        d.field("workers", &self.workers())
            .field("len", &self.len());
        match self.shared.global.capacity() {
            Some(capacity) => d.field("global_capacity", &capacity),
            None => d.field("global", &format_args!("unbounded")),
        };
        d.field("closed", &self.is_closed())
            .field("done", &self.is_done())
            .finish()
    }
}

/// Configures a [`DequeChannel`]; made by [`DequeChannel::builder`].
///
/// ```
/// use deque_channel::DequeChannel;
///
/// let (channel, workers) = DequeChannel::<u64>::builder()
///     .workers(2)
///     .local_capacity(32) // rounded up to a power of two
///     .global_capacity(100) // exact
///     .build();
/// assert_eq!(workers.len(), 2);
/// assert!(channel.is_empty());
/// ```
pub struct Builder<T> {
    workers: usize,
    local_capacity: usize,
    global_capacity: Option<usize>,
    unbounded: bool,
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
    /// `max(4096, workers * local_capacity)`). Not with
    /// [`unbounded`](Builder::unbounded).
    pub fn global_capacity(mut self, n: usize) -> Builder<T> {
        self.global_capacity = Some(n);
        self
    }

    /// Makes the global queue unbounded: a `seg_queue::SegQueue` instead of
    /// a bounded `vyukov_mpmc::ArrayQueue`, as crossbeam-channel's and
    /// flume's `unbounded()`. Sends never return [`Full`](crate::Full) or
    /// [`SendError::Full`]: a worker whose deque is full moves its oldest
    /// half to the global queue, which always takes it, and an outside
    /// `send_blocking` never waits. The workers' deques stay bounded. The
    /// cost: memory grows with what is queued, and nothing pushes back on
    /// a producer that outruns the workers. Not with
    /// [`global_capacity`](Builder::global_capacity).
    ///
    /// ```
    /// use deque_channel::DequeChannel;
    ///
    /// let (channel, workers) = DequeChannel::builder()
    ///     .workers(1)
    ///     .local_capacity(2)
    ///     .unbounded()
    ///     .build();
    /// for i in 0..10_000 {
    ///     channel.send(i).unwrap(); // never Full
    ///     workers[0].send(i).unwrap(); // offloads never fail either
    /// }
    /// assert_eq!(channel.len(), 20_000);
    /// ```
    pub fn unbounded(mut self) -> Builder<T> {
        self.unbounded = true;
        self
    }

    /// Creates the channel: the shared handle and the workers, `Vec` index =
    /// worker id.
    ///
    /// # Panics
    ///
    /// If `workers` is 0 (or was never set) or more than
    /// [`MAX_WORKERS`](crate::MAX_WORKERS), or a capacity is 0, or both
    /// [`unbounded`](Builder::unbounded) and
    /// [`global_capacity`](Builder::global_capacity) were asked for.
    ///
    /// ```
    /// let (channel, workers) = deque_channel::DequeChannel::<char>::builder().workers(4).build();
    /// assert_eq!((channel.workers(), workers.len()), (4, 4));
    /// ```
    pub fn build(self) -> (DequeChannel<T>, Vec<Worker<T>>) {
        assert!(
            self.workers > 0,
            "deque_channel: `workers` must be at least 1 (use DequeChannel::new(n) or Builder::workers(n))"
        );
        assert!(
            self.workers <= MAX_WORKERS,
            "deque_channel: at most {MAX_WORKERS} workers, not {}",
            self.workers
        );
        assert!(
            self.local_capacity > 0,
            "deque_channel: `local_capacity` must be at least 1"
        );
        let global = if self.unbounded {
            assert!(
                self.global_capacity.is_none(),
                "deque_channel: an unbounded channel has no `global_capacity`; ask for one or the other"
            );
            Global::Unbounded(SegQueue::new())
        } else {
            let global_capacity = self.global_capacity.unwrap_or_else(|| {
                MIN_DEFAULT_GLOBAL_CAPACITY.max(self.workers.saturating_mul(self.local_capacity))
            });
            assert!(
                global_capacity > 0,
                "deque_channel: `global_capacity` must be at least 1"
            );
            Global::Bounded(ArrayQueue::new(global_capacity))
        };
        let locals: Vec<beam_deque::Worker<T>> = (0..self.workers)
            .map(|_| beam_deque::Worker::new(self.local_capacity))
            .collect();
        let shared = Arc::new(Shared {
            stealers: locals
                .iter()
                .map(|l| CachePadded::new(l.stealer()))
                .collect(),
            counters: (0..self.workers).map(|_| Arc::default()).collect(),
            global,
            sleep: Sleep::new(self.workers),
            outside: Outside::new(),
        });
        // The one outside handle `Outside::new` counts.
        let channel = DequeChannel {
            shared,
            outside: true,
        };
        let workers = locals
            .into_iter()
            .enumerate()
            .map(|(id, local)| Worker::new(id, local, channel.inside()))
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
            .field("unbounded", &self.unbounded)
            .finish()
    }
}
