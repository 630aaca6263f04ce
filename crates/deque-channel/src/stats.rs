//! Per-worker counters: cheap enough to leave on, read as a snapshot.

use core::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// A snapshot of one worker's counters, for tuning capacities.
///
/// Each counter is written only by its worker (a plain load and store, not a
/// read-modify-write) and read by anyone with relaxed loads. A worker's own
/// [`Worker::stats`](crate::Worker::stats) is exact. Through
/// [`DequeChannel::stats`](crate::DequeChannel::stats), a running worker's
/// counts may lag: `sent_local` and `recv_local`, which are not counted on
/// the fast path, are published every 1024 local sends, whenever the
/// worker's deque fills or runs dry, and when it is dropped; the other
/// counters lag by at most the operation in flight.
///
/// ```
/// use deque_channel::DequeChannel;
///
/// let (_channel, workers) = DequeChannel::new(1);
/// workers[0].send(1).unwrap();
/// assert_eq!(workers[0].recv(), Some(1));
/// let stats = workers[0].stats();
/// assert_eq!((stats.sent_local, stats.recv_local), (1, 1));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct WorkerStats {
    /// Values this worker sent into its own deque.
    pub sent_local: u64,
    /// Values this worker sent straight to the global queue, because its
    /// deque was full while a thief was mid-steal on it.
    pub sent_global: u64,
    /// Batches this worker moved from its full deque to the global queue.
    pub offloads: u64,
    /// Values moved by those batches.
    pub offloaded: u64,
    /// Sends that returned [`Full`](crate::Full).
    pub full: u64,
    /// Values received from this worker's own deque (including values an
    /// earlier batch from the global queue or batch steal moved into it).
    pub recv_local: u64,
    /// Values received straight from the global queue.
    pub recv_global: u64,
    /// Values taken from the global queue (the one received plus those
    /// moved into this worker's deque by the same batch).
    pub taken_global: u64,
    /// Values received straight from a steal.
    pub recv_stolen: u64,
    /// Values taken from other workers' deques (the one received plus those
    /// moved into this worker's deque by the same batch steal).
    pub stolen: u64,
    /// `recv` calls that tried every victim and got nothing.
    pub failed_steal_rounds: u64,
    /// Times this worker parked in a blocking receive.
    pub parks: u64,
    /// Times this worker was woken from a park by a wake-up (not counting
    /// spurious returns and timeouts).
    pub wakeups: u64,
    /// Wake-ups this worker's sends gave to sleeping workers.
    pub wakes: u64,
}

/// The live counters behind a [`WorkerStats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub(crate) sent_local: Counter,
    pub(crate) sent_global: Counter,
    pub(crate) offloads: Counter,
    pub(crate) offloaded: Counter,
    pub(crate) full: Counter,
    pub(crate) recv_local: Counter,
    pub(crate) recv_global: Counter,
    pub(crate) taken_global: Counter,
    pub(crate) recv_stolen: Counter,
    pub(crate) stolen: Counter,
    pub(crate) failed_steal_rounds: Counter,
    pub(crate) parks: Counter,
    pub(crate) wakeups: Counter,
    pub(crate) wakes: Counter,
}

impl Counters {
    pub(crate) fn snapshot(&self) -> WorkerStats {
        WorkerStats {
            sent_local: self.sent_local.get(),
            sent_global: self.sent_global.get(),
            offloads: self.offloads.get(),
            offloaded: self.offloaded.get(),
            full: self.full.get(),
            recv_local: self.recv_local.get(),
            recv_global: self.recv_global.get(),
            taken_global: self.taken_global.get(),
            recv_stolen: self.recv_stolen.get(),
            stolen: self.stolen.get(),
            failed_steal_rounds: self.failed_steal_rounds.get(),
            parks: self.parks.get(),
            wakeups: self.wakeups.get(),
            wakes: self.wakes.get(),
        }
    }
}

/// A counter with one writer: its worker.
#[derive(Debug, Default)]
pub(crate) struct Counter(AtomicU64);

impl Counter {
    /// Adds `n`. Only the owning worker calls this, so a load and a store
    /// (no locked instruction) cannot lose an update.
    #[inline(always)]
    pub(crate) fn add(&self, n: u64) {
        self.0.store(self.0.load(Relaxed).wrapping_add(n), Relaxed);
    }

    /// Sets the value (only the owning worker calls this).
    #[inline(always)]
    pub(crate) fn set(&self, n: u64) {
        self.0.store(n, Relaxed);
    }

    fn get(&self) -> u64 {
        self.0.load(Relaxed)
    }
}
