//! [`Worker`]: one thread's handle, with its own deque.

use core::cell::{Cell, RefCell};
use core::fmt;
use core::sync::atomic::Ordering::SeqCst;
use core::sync::atomic::compiler_fence;

use beam_deque::Steal;

use crate::channel::DequeChannel;
use crate::full::Full;
use crate::stats::{Counters, WorkerStats};
use crate::sync::Arc;
use crossbeam_utils::CachePadded;

/// One worker thread's handle: its own bounded deque, plus access to the
/// global queue and to the other workers' deques.
///
/// `Send` but neither `Sync` nor `Clone`: exactly one thread uses a worker
/// at a time. Values it sent stay receivable by the others (by stealing)
/// after it is dropped.
///
/// ```
/// use std::thread;
/// use deque_channel::DequeChannel;
///
/// let (channel, workers) = DequeChannel::new(2);
/// drop(channel); // no outside sender: the job ends when the workers run dry
/// workers[0].send(10u32).unwrap();
/// let handles: Vec<_> = workers
///     .into_iter()
///     .map(|w| {
///         thread::spawn(move || {
///             let mut sum = 0;
///             while let Ok(n) = w.recv_blocking() {
///                 sum += n;
///                 if n > 0 {
///                     w.send(n - 1).unwrap(); // consumers are producers too
///                 }
///             }
///             sum
///         })
///     })
///     .collect();
/// let total: u32 = handles.into_iter().map(|h| h.join().unwrap()).sum();
/// assert_eq!(total, 55); // 10 + 9 + ... + 0
/// ```
pub struct Worker<T> {
    pub(crate) id: usize,
    pub(crate) local: beam_deque::Worker<T>,
    /// A handle that does not count as outside (see `DequeChannel::inside`).
    pub(crate) channel: DequeChannel<T>,
    /// This worker's counters (also in the channel, for its `stats`).
    counters: Arc<CachePadded<Counters>>,
    /// Victim picker, seeded with the worker id so a run can be replayed.
    rng: RefCell<fastrand::Rng>,
    /// Values that entered `local` other than by this worker's sends: moved
    /// in by batch steals, or pushed back by an offload's rollback. With
    /// `local.pushed()` it gives `sent_local` (see `publish_local_counts`).
    not_sent: Cell<u64>,
}

/// How often, in local sends, a worker publishes its `sent_local` and
/// `recv_local` counts while it never leaves the fast path. A power of two,
/// so the check is a mask of a count `send` has at hand. (Only `send`
/// checks: a worker that only receives runs its deque dry, which publishes.)
const PUBLISH_EVERY: u64 = 1024;

impl<T> Worker<T> {
    pub(crate) fn new(id: usize, local: beam_deque::Worker<T>, channel: DequeChannel<T>) -> Self {
        let counters = Arc::clone(&channel.shared.counters[id]);
        Worker {
            id,
            local,
            channel,
            counters,
            rng: RefCell::new(fastrand::Rng::with_seed(0x9E37_79B9_7F4A_7C15 ^ id as u64)),
            not_sent: Cell::new(0),
        }
    }

    /// This worker's id: `0..workers`, its index in the `Vec` the channel
    /// was built with.
    ///
    /// ```
    /// let (_channel, workers) = deque_channel::DequeChannel::<u8>::new(3);
    /// assert_eq!(workers.iter().map(|w| w.id()).collect::<Vec<_>>(), [0, 1, 2]);
    /// ```
    pub fn id(&self) -> usize {
        self.id
    }

    /// The channel this worker belongs to.
    ///
    /// ```
    /// let (channel, workers) = deque_channel::DequeChannel::new(1);
    /// // An outside handle made from a worker counts as one (see `close`).
    /// let outside = workers[0].channel().clone();
    /// drop(channel);
    /// outside.send(5).unwrap();
    /// assert_eq!(workers[0].recv(), Some(5));
    /// ```
    pub fn channel(&self) -> &DequeChannel<T> {
        &self.channel
    }

    /// A snapshot of this worker's counters, exact (unlike
    /// [`DequeChannel::stats`] while this worker runs).
    ///
    /// ```
    /// let (_channel, workers) = deque_channel::DequeChannel::new(1);
    /// workers[0].send('x').unwrap();
    /// assert_eq!(workers[0].recv(), Some('x'));
    /// let stats = workers[0].stats();
    /// assert_eq!((stats.sent_local, stats.recv_local), (1, 1));
    /// ```
    pub fn stats(&self) -> WorkerStats {
        self.publish_local_counts();
        self.counters().snapshot()
    }

    #[inline(always)]
    pub(crate) fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Brings the shared `sent_local` and `recv_local` counters up to date.
    ///
    /// The fast paths do not count: the local deque already counts its
    /// pushes and pops, owner-side and for free, and a counter update per
    /// value cost about a tenth of a send + receive. This runs whenever a
    /// worker leaves its fast path, every `PUBLISH_EVERY` local sends, on
    /// `stats`, and on drop.
    #[cold]
    #[inline(never)]
    fn publish_local_counts(&self) {
        let counters = self.counters();
        counters
            .sent_local
            .set(self.local.pushed() - self.not_sent.get());
        counters.recv_local.set(self.local.popped());
    }

    /// Sends a value: onto this worker's deque, where it is the first this
    /// worker receives and the last a thief takes. If a worker sleeps (in a
    /// blocking receive) and none is already looking for work, wakes one to
    /// come and steal; that check is one load of a word that changes only
    /// when workers fall asleep or wake, behind a barrier that, on Linux,
    /// is a compiler fence (the worker falling asleep pays for it with
    /// `membarrier(2)`; elsewhere a `fence(SeqCst)`). It never misses a
    /// worker falling asleep at that moment: a worker that sends and then
    /// waits for something else does not leave the value waiting while
    /// another sleeps.
    ///
    /// When the deque is full, its oldest half moves to the global queue in
    /// one batch (one claim on the deque, whatever the batch's length) and
    /// the push is retried. If the deque refuses while not full (a thief is
    /// still moving out the value in the slot the push needs), the value
    /// goes straight to the global queue instead: the thief is already
    /// making room, and `send` never waits for it.
    ///
    /// # Errors
    ///
    /// [`Full`] with the value when the deque refuses it (full, or its next
    /// slot held by a thief for a moment) and the global queue cannot take
    /// more; never on an [unbounded](crate::Builder::unbounded) channel.
    /// Every value sent before is still in the channel.
    ///
    /// ```
    /// use deque_channel::DequeChannel;
    ///
    /// let (_channel, workers) = DequeChannel::builder()
    ///     .workers(1)
    ///     .local_capacity(2)
    ///     .global_capacity(1)
    ///     .build();
    /// let w = &workers[0];
    /// w.send(1).unwrap();
    /// w.send(2).unwrap();
    /// w.send(3).unwrap(); // 1 moved to the global queue
    /// assert_eq!(w.send(4).unwrap_err().into_inner(), 4);
    /// let mut got: Vec<i32> = std::iter::from_fn(|| w.recv()).collect();
    /// got.sort();
    /// assert_eq!(got, [1, 2, 3]);
    /// ```
    #[inline]
    pub fn send(&self, value: T) -> Result<(), Full<T>> {
        match self.local.push(value) {
            Ok(()) => {
                if self.local.pushed() % PUBLISH_EVERY == 0 {
                    self.publish_local_counts();
                }
                self.announce_local_values();
                Ok(())
            }
            Err(value) => self.send_overflowing(value),
        }
    }

    /// Values went onto this worker's deque, where other workers can steal
    /// them (a send, or a batch moved in from the global queue or from a
    /// victim): the senders' half of the barrier, then one relaxed load of
    /// the state word, and a wake-up only if someone sleeps. Pairs with the
    /// heavy barrier of a worker registering to sleep (`sleep.rs`, "Why no
    /// wake-up is lost").
    #[inline(always)]
    fn announce_local_values(&self) {
        // The light barrier's asymmetric case, inlined (`barrier.rs`): the
        // push above stays before the load below. Where the barriers are
        // symmetric, the word's `SYMMETRIC` bit sends every call to
        // `notify`, whose `fence(SeqCst)` comes before the read that
        // decides.
        compiler_fence(SeqCst);
        if self.channel.shared.sleep.may_need_wake_up() {
            self.wake_a_sleeper();
        }
    }

    /// Values went where other workers can take them (this deque, or the
    /// global queue): wake a sleeper, if one sleeps and none is already
    /// searching.
    #[cold]
    #[inline(never)]
    fn wake_a_sleeper(&self) {
        if self.channel.shared.sleep.notify() {
            self.counters().wakes.add(1);
        }
    }

    /// The slow path of `send`: the local deque is full.
    #[cold]
    #[inline(never)]
    fn send_overflowing(&self, value: T) -> Result<(), Full<T>> {
        let sent = self.offload_then_push(value);
        self.publish_local_counts();
        sent
    }

    /// Moves the oldest half of the full local deque to the global queue,
    /// then pushes `value` (see `send`).
    ///
    /// A local push also fails when the deque is not full but a thief is
    /// still moving out the value a lap before the tail: that slot is free
    /// only once the thief is done, whatever leaves from the head. Then,
    /// and whenever the local deque still refuses after an offload, the
    /// value goes to the global queue itself.
    fn offload_then_push(&self, value: T) -> Result<(), Full<T>> {
        let global = &self.channel.shared.global;
        let counters = self.counters();
        let half = (self.local.capacity() / 2).max(1);
        // Move no more than the global queue seems to have room for, so
        // the rollback below stays the rare race it is (unbounded: all the
        // room there is, and no rollback).
        let room = global.room();
        let batch_size = half.min(room);
        if batch_size == 0 {
            counters.full.add(1);
            return Err(Full(value));
        }
        if self.local.len() < self.local.capacity() {
            // Not full: a thief holds the tail's slot for a moment.
            return self.send_global(value);
        }

        let mut batch = self.local.drain_oldest(batch_size);
        let mut moved = 0u64;
        let mut bounced = None;
        for oldest in batch.by_ref() {
            match global.push(oldest) {
                Ok(()) => moved += 1,
                Err(oldest) => {
                    bounced = Some(oldest);
                    break;
                }
            }
        }
        if let Some(first) = bounced {
            // Other senders filled the global queue under us. Take the rest
            // out of the batch (dropping it would drop them), free the
            // batch's slots, and put them back.
            let rest: Vec<T> = core::iter::once(first).chain(batch.by_ref()).collect();
            drop(batch);
            for value in rest {
                moved += u64::from(self.push_back(value));
            }
        } else {
            drop(batch);
        }
        if moved > 0 {
            counters.offloads.add(1);
            counters.offloaded.add(moved);
        }
        // The batch went to the global queue, or (rolled back) onto this
        // deque again: either way it was in no queue for a moment, and a
        // worker falling asleep then may have missed it.
        self.wake_a_sleeper();
        match self.local.push(value) {
            Ok(()) => {
                self.announce_local_values();
                Ok(())
            }
            // Thieves took the oldest values while we drained, and one is
            // still moving out of the tail's slot.
            Err(value) => self.send_global(value),
        }
    }

    /// Sends `value` through the global queue: `Full` if it has no room.
    fn send_global(&self, value: T) -> Result<(), Full<T>> {
        match self.channel.shared.global.push(value) {
            Ok(()) => {
                self.counters().sent_global.add(1);
                self.wake_a_sleeper();
                Ok(())
            }
            Err(value) => {
                self.counters().full.add(1);
                Err(Full(value))
            }
        }
    }

    /// Puts a value this worker holds but did not send (one an offload took
    /// out of the local deque and could not move, or one of a batch from
    /// the global queue) onto the local deque, where there is usually a
    /// free slot; or, while a thief is still moving out the value a lap
    /// before the tail, onto the global queue, if it has room. Not a send
    /// either way (see `publish_local_counts`). Returns whether it went to
    /// the global queue.
    ///
    /// Waits only while both refuse: that thief is mid-steal and the global
    /// queue is full (bounded), a race of three parties.
    fn push_back(&self, mut value: T) -> bool {
        loop {
            match self.local.push(value) {
                Ok(()) => {
                    self.not_sent.set(self.not_sent.get() + 1);
                    return false;
                }
                Err(back) => value = back,
            }
            match self.channel.shared.global.push(value) {
                Ok(()) => return true,
                Err(back) => value = back,
            }
            core::hint::spin_loop();
        }
    }

    /// Receives a value without blocking: this worker's newest, else the
    /// global queue's oldest (up to 32 of them taken at once: this one
    /// returned, the others moved onto this worker's deque for the next
    /// calls, oldest first), else about half of a random other worker's
    /// oldest values (likewise). `None` when all of that found nothing.
    ///
    /// A lone worker never steals from itself.
    ///
    /// ```
    /// use deque_channel::DequeChannel;
    ///
    /// let (_channel, workers) = DequeChannel::new(1);
    /// workers[0].send('a').unwrap();
    /// workers[0].send('b').unwrap();
    /// assert_eq!(workers[0].recv(), Some('b')); // local: newest first
    /// assert_eq!(workers[0].recv(), Some('a'));
    /// assert_eq!(workers[0].recv(), None);
    /// ```
    #[inline]
    pub fn recv(&self) -> Option<T> {
        if let Some(value) = self.local.pop() {
            // Not counted here: see `publish_local_counts`.
            return Some(value);
        }
        self.recv_shared()
    }

    /// The slow path of `recv`: the local deque is empty. Out of line, so
    /// that `recv`'s fast path (one local pop) stays small enough to inline
    /// into the caller's loop.
    #[cold]
    #[inline(never)]
    pub(crate) fn recv_shared(&self) -> Option<T> {
        self.publish_local_counts();
        self.take_from_global().or_else(|| self.steal())
    }

    /// Takes up to 32 of the global queue's oldest values (fewer if they are
    /// large: `PopBatch::CAPACITY`) with one claim on it: returns the oldest, and moves the others onto this worker's
    /// deque, newest first, so that the next `recv`s pop them oldest first
    /// (and thieves find them there too).
    ///
    /// Why a batch: with many workers receiving from the global queue (one
    /// outside producer feeding a pool, say), one claim per value makes its
    /// head the contended line of the whole channel; a claim per batch, and
    /// local pops for the rest, do not (crossbeam's `Injector` takes
    /// batches for the same reason).
    fn take_from_global(&self) -> Option<T> {
        // Only called when `recv` found the deque empty: half the capacity
        // for the batch leaves the other half to thieves' batches from it.
        let room = self.local.capacity() / 2;
        let shared = &*self.channel.shared;
        let mut batch = shared.global.pop_batch(1 + room);
        let oldest = batch.next()?;
        // Room made: a producer in `send_blocking` may wait for it.
        shared.outside.room_made();
        let mut moved = 0u64;
        let rest = batch.len();
        for value in batch.rev() {
            // The deque is empty, so this lands on it, unless thieves are
            // still moving out values they claimed before it emptied: each
            // holds its slot until done, and a value that meets one goes
            // back to the global queue.
            moved += u64::from(!self.push_back(value));
        }
        if rest > 0 {
            // Between the claim on the global queue and these pushes, the
            // values were in no queue: a worker falling asleep then saw
            // none of them. Publish them as a send does.
            self.announce_local_values();
        }
        self.counters().recv_global.add(1);
        self.counters().taken_global.add(1 + moved);
        Some(oldest)
    }

    /// Visits every other worker once, starting from a random one, and
    /// steals about half of the first non-empty deque found. One sweep is
    /// enough: a beam-deque steal never returns `Retry` (it retries a lost
    /// race itself, and other thieves mid-steal on the same victim do not
    /// hold it up), so `Empty` from every victim means each was empty when
    /// visited.
    ///
    /// A random start spreads thieves over victims; the sweep guarantees a
    /// value sitting in any deque is found (random probes alone can miss
    /// the one busy victim and report `None`, which costs the caller far
    /// more than the sweep). Batch stealing pays: one claim moves about half
    /// of the victim's values, so the next `recv`s are local pops instead of
    /// more contended steals, and work spreads in halves.
    #[cold]
    fn steal(&self) -> Option<T> {
        let stealers = &self.channel.shared.stealers;
        let others = stealers.len() - 1;
        if others == 0 {
            return None;
        }
        let start = self.rng.borrow_mut().usize(..others);
        for k in 0..others {
            // Victims are numbered 0..others, skipping this worker.
            let mut victim = (start + k) % others;
            if victim >= self.id {
                victim += 1;
            }
            let pushed_before = self.local.pushed();
            match stealers[victim].steal_batch_and_pop(&self.local) {
                Steal::Success(value) => {
                    let moved_in = self.local.pushed() - pushed_before;
                    if moved_in > 0 {
                        // The rest of the batch was in no queue while it
                        // moved (claimed from the victim, not yet pushed
                        // here): publish it as a send does.
                        self.announce_local_values();
                    }
                    self.not_sent.set(self.not_sent.get() + moved_in);
                    self.counters().recv_stolen.add(1);
                    self.counters().stolen.add(1 + moved_in);
                    return Some(value);
                }
                // `Retry` never comes (see above); were it to, the value is
                // still in the victim's deque, where a sleeper's final
                // check (`Shared::has_values`) finds it.
                Steal::Empty | Steal::Retry => {}
            }
        }
        self.counters().failed_steal_rounds.add(1);
        None
    }
}

impl<T> Drop for Worker<T> {
    fn drop(&mut self) {
        // The values stay in the channel; the counts must reach it too.
        self.publish_local_counts();
        // Leave the live count (a done check no longer waits for this
        // worker) and wake a sleeper to steal what this deque still holds.
        if self.channel.shared.sleep.leave() {
            // The last worker: nobody is left to receive. Close, so that
            // outside sends, those waiting for room included, get their
            // values back as `Closed` instead of waiting for ever.
            self.channel.close();
        }
    }
}

impl<T> fmt::Debug for Worker<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Worker")
            .field("id", &self.id)
            .field("local_len", &self.local.len())
            .field("local_capacity", &self.local.capacity())
            .finish()
    }
}
