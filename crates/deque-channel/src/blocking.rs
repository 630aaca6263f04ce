//! The blocking receives: [`Worker::recv_blocking`], [`Worker::recv_timeout`]
//! and [`Worker::recv_deadline`]. The protocol they follow (registering,
//! the final check, who wakes whom, when the channel is done) is argued in
//! `sleep.rs`; this file is the worker's side of it, step by step.

use std::time::{Duration, Instant};

use crate::errors::{RecvError, RecvTimeoutError};
use crate::sleep::Parked;
use crate::sync::yield_now;
use crate::worker::Worker;

/// How many times a worker looks for work (yielding between looks) before
/// it registers to sleep: a value that arrives within a few scheduler
/// quanta is taken without a park and a wake-up's system calls, and an idle
/// worker stops burning CPU after that.
const LOOKS_BEFORE_SLEEP: u32 = if cfg!(deque_channel_loom) { 1 } else { 16 };

/// How long a worker parks, at most, when the sleepers' half of the
/// barrier was refused on its thread (`barrier.rs`): it polls instead of
/// sleeping, so a value it could not be sure to see waits no longer.
const POLL_WITHOUT_BARRIER: Duration = Duration::from_millis(1);

impl<T> Worker<T> {
    /// Receives a value, waiting while there is none: this worker's newest,
    /// else the global queue's oldest, else a steal (as [`recv`]); if all
    /// of that finds nothing, the thread parks (no CPU) until a send wakes
    /// it.
    ///
    /// # Errors
    ///
    /// [`RecvError`] once the channel is *done*: closed (by
    /// [`DequeChannel::close`] or the drop of the last outside handle),
    /// nothing left in any queue, and every live worker waiting in a
    /// blocking receive. No value can arrive after that, and every blocking
    /// receive returns the error from then on. (A worker that keeps
    /// polling with [`recv`], or has returned from its blocking receive
    /// without dropping its handle, holds the channel open: it may still
    /// send.) A worker that sends after done breaks "from then on": the
    /// send succeeds (it cannot fail for that), and a later receive on any
    /// worker may take the value; one that nobody takes is dropped with the
    /// channel. A program whose workers stop at this error never does it.
    ///
    /// Move each `Worker` into its thread (as below), rather than lending
    /// it: a job that panics then drops the handle as the thread unwinds,
    /// and the other workers still finish (done no longer waits for it). A
    /// borrowed handle outlives the panic, and the others wait for it for
    /// ever.
    ///
    /// A recursive job (each value may send more) ends this way, with no
    /// counting of its own:
    ///
    /// ```
    /// use deque_channel::DequeChannel;
    /// use std::thread;
    ///
    /// // Dropping the outside handle closes the channel: only the
    /// // workers' own sends remain.
    /// let (_, workers) = DequeChannel::new(4);
    /// workers[0].send(20u64).unwrap();
    /// let handles: Vec<_> = workers
    ///     .into_iter()
    ///     .map(|w| {
    ///         thread::spawn(move || {
    ///             let mut leaves = 0u64;
    ///             while let Ok(n) = w.recv_blocking() {
    ///                 if n < 2 {
    ///                     leaves += 1;
    ///                 } else {
    ///                     w.send(n - 1).unwrap();
    ///                     w.send(n - 2).unwrap();
    ///                 }
    ///             }
    ///             leaves
    ///         })
    ///     })
    ///     .collect();
    /// let leaves: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    /// assert_eq!(leaves, 10946); // fib(21): the leaves of fib's call tree
    /// ```
    ///
    /// [`recv`]: Worker::recv
    /// [`DequeChannel::close`]: crate::DequeChannel::close
    #[inline]
    pub fn recv_blocking(&self) -> Result<T, RecvError> {
        if let Some(value) = self.local.pop() {
            return Ok(value);
        }
        self.wait_for_value(None).map_err(|_| RecvError)
    }

    /// Like [`recv_blocking`](Self::recv_blocking), waiting at most
    /// `timeout`.
    ///
    /// # Errors
    ///
    /// [`RecvTimeoutError::Timeout`] if nothing arrived in time,
    /// [`RecvTimeoutError::Disconnected`] if the channel is done, whatever
    /// the timeout (zero included): on a closed channel a timed receive
    /// takes part in the done check before it answers `Timeout`.
    ///
    /// ```
    /// use deque_channel::{DequeChannel, RecvTimeoutError};
    /// use std::time::Duration;
    ///
    /// let (channel, workers) = DequeChannel::new(1);
    /// let w = &workers[0];
    /// assert_eq!(w.recv_timeout(Duration::from_millis(5)), Err(RecvTimeoutError::Timeout));
    /// channel.send(7).unwrap();
    /// assert_eq!(w.recv_timeout(Duration::from_millis(5)), Ok(7));
    /// channel.close(); // closed, empty, and its only worker waits: done
    /// assert_eq!(w.recv_timeout(Duration::ZERO), Err(RecvTimeoutError::Disconnected));
    /// ```
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        match Instant::now().checked_add(timeout) {
            Some(deadline) => self.recv_deadline(deadline),
            // Beyond what `Instant` can hold: no deadline at all.
            None => self.recv_blocking().map_err(RecvTimeoutError::from),
        }
    }

    /// Like [`recv_blocking`](Self::recv_blocking), waiting at most until
    /// `deadline`. A deadline already past still takes a value that is
    /// there.
    ///
    /// # Errors
    ///
    /// [`RecvTimeoutError::Timeout`] if nothing arrived in time,
    /// [`RecvTimeoutError::Disconnected`] if the channel is done.
    ///
    /// ```
    /// use deque_channel::{DequeChannel, RecvTimeoutError};
    /// use std::time::Instant;
    ///
    /// let (channel, workers) = DequeChannel::new(1);
    /// channel.send('x').unwrap();
    /// let past = Instant::now();
    /// assert_eq!(workers[0].recv_deadline(past), Ok('x'));
    /// assert_eq!(workers[0].recv_deadline(past), Err(RecvTimeoutError::Timeout));
    /// ```
    pub fn recv_deadline(&self, deadline: Instant) -> Result<T, RecvTimeoutError> {
        if let Some(value) = self.local.pop() {
            return Ok(value);
        }
        self.wait_for_value(Some(deadline))
    }

    /// The blocking receives' slow path: look, register, final check,
    /// park; until a value, done, or the deadline (`None`: none).
    #[cold]
    #[inline(never)]
    fn wait_for_value(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError> {
        let shared = &*self.channel.shared;
        let sleep = &shared.sleep;
        // Whether this worker counts in `searching`: true after a waker
        // woke it, until it finds work, gives up or registers again.
        let mut searching = false;
        // Whether a park already ran out of time (then the deadline has
        // passed, whatever the clock says on the next look).
        let mut timed_out = false;
        loop {
            // 1. Look: own deque, global queue, steal; a few times,
            //    yielding between, before paying for sleep (once when the
            //    deadline has passed: a value that is there is still taken).
            timed_out = timed_out || deadline.is_some_and(|d| Instant::now() >= d);
            let looks = if timed_out { 1 } else { LOOKS_BEFORE_SLEEP };
            for look in 0..looks {
                if let Some(value) = self.local.pop().or_else(|| self.recv_shared()) {
                    if searching {
                        sleep.found_work();
                    }
                    return Ok(value);
                }
                if sleep.is_done() || look + 1 == looks {
                    break;
                }
                yield_now();
            }

            // 2. Nothing. Done? A searcher leaving here passes its wake-up
            //    on if work came meanwhile.
            timed_out = timed_out || deadline.is_some_and(|d| Instant::now() >= d);
            if sleep.is_done() {
                if searching {
                    sleep.give_up_search(|| shared.has_values());
                }
                return Err(RecvTimeoutError::Disconnected);
            }
            // Out of time on a channel that is not closed: it cannot be
            // done before this worker waits again (done needs every live
            // worker registered), so there is no done check to take part
            // in. On a closed one, go on: register and run the done check
            // (steps 3 and 4) before answering `Timeout` (step 5), or a
            // short timeout would never hear "done".
            if timed_out && !sleep.load().is_closed() {
                if searching {
                    sleep.give_up_search(|| shared.has_values());
                }
                return Err(RecvTimeoutError::Timeout);
            }

            // 3. Register (leaving `searching` in the same step), then,
            //    after the barrier inside `register`, the final check: any
            //    value a sender published before its own barrier is seen
            //    here, or that sender sees us and wakes us.
            let was_searching = searching;
            let registered = sleep.register(self.id, searching);
            let state = registered.state;
            searching = false;
            if shared.has_values() {
                if !sleep.deregister(self.id) {
                    // A waker got to us first: we are its searcher.
                    searching = true;
                } else if was_searching {
                    // We left `searching` in `register`, and a sender that
                    // saw us there woke nobody, counting on us to find its
                    // value and wake the next (`found_work`). We are an
                    // ordinary running worker now, whose find wakes no
                    // one: pass the wake-up on here, or the values the
                    // check found wait for us alone while others sleep.
                    sleep.pass_wake_up_on();
                }
                if timed_out {
                    // Out of time, with a value in sight that the looks
                    // could not take (a thread is mid-claim on it, and
                    // will move it where it can be taken): answer now.
                    if searching {
                        sleep.give_up_search(|| shared.has_values());
                    }
                    return Err(RecvTimeoutError::Timeout);
                }
                // The value may be held up by a thread mid-claim (a thief
                // or an owner's batch), which `recv` reports as nothing:
                // let it run before looking again.
                yield_now();
                continue;
            }

            // 4. Every live worker asleep in a closed channel: try to
            //    finish. If done (by us or already), leave as a searcher
            //    would (`try_finish` woke everyone, us included).
            if state.is_done()
                || (state.is_closed()
                    && state.sleepers() == state.live()
                    && sleep.try_finish(|| shared.is_quiet()))
            {
                self.leave_at_done();
                return Err(RecvTimeoutError::Disconnected);
            }

            // 5. Out of time (the channel is closed, but not done: a
            //    worker still runs): take the registration back. But first
            //    yield once, still registered: done needs every worker
            //    registered at one time, and workers on short timeouts that
            //    are descheduled only while unregistered (yielding between
            //    looks) would never all be (three workers on microsecond
            //    timeouts, two CPUs). Those that run now see us registered,
            //    and the last of them to register finishes (step 4).
            if timed_out {
                yield_now();
                if sleep.load().is_done() {
                    self.leave_at_done();
                    return Err(RecvTimeoutError::Disconnected);
                }
                if sleep.deregister(self.id) {
                    return Err(RecvTimeoutError::Timeout);
                }
                // A waker took us off the list first: the wake-up is ours.
                // Look once more (step 1); finding nothing, step 3 leaves
                // `searching` through a registration and its final check,
                // which see the value the waker published, if any.
                self.counters().wakeups.add(1);
                searching = true;
                continue;
            }

            // 6. Park until woken or the deadline. If the sleepers' barrier
            //    could not be had (`Registered::ordered`), the final check
            //    may have missed a value that no sender saw us for: park
            //    for a short while only, and look again.
            self.counters().parks.add(1);
            let park_until = if registered.ordered {
                deadline
            } else {
                let poll = Instant::now() + POLL_WITHOUT_BARRIER;
                Some(deadline.map_or(poll, |d| d.min(poll)))
            };
            match sleep.park(self.id, park_until) {
                Parked::Woken => {
                    self.counters().wakeups.add(1);
                    searching = true;
                }
                Parked::TimedOut
                    if park_until != deadline && deadline.is_none_or(|d| Instant::now() < d) =>
                {
                    // A poll's end, not the caller's deadline.
                    if !sleep.deregister(self.id) {
                        self.counters().wakeups.add(1);
                        searching = true;
                    }
                }
                Parked::TimedOut => {
                    if sleep.deregister(self.id) {
                        return Err(RecvTimeoutError::Timeout);
                    }
                    // Woken just as the deadline passed: the wake-up is
                    // ours. Look once more (step 1); finding nothing, it
                    // is passed on (step 2, or the registration of step 3)
                    // before `Timeout`.
                    self.counters().wakeups.add(1);
                    searching = true;
                    timed_out = true;
                }
            }
        }
    }

    /// Leaves a blocking receive on a done channel: takes the registration
    /// back, or, if `try_finish`'s wake-up took it first, leaves the search
    /// that wake-up started.
    fn leave_at_done(&self) {
        let sleep = &self.channel.shared.sleep;
        if !sleep.deregister(self.id) {
            sleep.leave_search_at_done();
        }
    }
}
