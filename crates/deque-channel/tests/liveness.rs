//! "No value waits while a worker sleeps, and every wait ends", on real
//! threads (scaled down under miri): the release counterparts of the loom
//! models at the end of `tests/loom.rs`. A failure here is a wait that a
//! correct channel never makes, detected by a generous deadline (seconds,
//! where the correct answer takes microseconds), never a timing claim.

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use deque_channel::{DequeChannel, RecvTimeoutError, SendError, Worker};

fn scaled(native: usize, under_miri: usize) -> usize {
    if cfg!(miri) { under_miri } else { native }
}

/// Longer than any correct wait in these tests, by orders of magnitude.
const STUCK: Duration = Duration::from_secs(10);

/// A flag one thread sets and another waits for, with a deadline.
#[derive(Default)]
struct Signal {
    set: Mutex<bool>,
    changed: Condvar,
}

impl Signal {
    fn set(&self) {
        *self.set.lock().unwrap() = true;
        self.changed.notify_all();
    }

    /// Waits until set; `false` if `STUCK` passed first.
    fn wait(&self) -> bool {
        let guard = self.set.lock().unwrap();
        let (guard, _) = self
            .changed
            .wait_timeout_while(guard, STUCK, |set| !*set)
            .unwrap();
        *guard
    }
}

/// Defect 1: an outside producer sends a round of values; the worker that
/// receives the round's first value holds it (a long job) until the others
/// are handled. If a batch moved onto the holder's deque hid them from the
/// other worker falling asleep, and nothing woke it, the others wait
/// behind the long job: the holder's wait runs out.
#[test]
fn values_batched_behind_a_long_job_reach_a_sleeping_worker() {
    const ROUND: usize = 4;
    let rounds = scaled(2_000, 5);
    let (channel, workers) = DequeChannel::new(2);
    let handled = Arc::new(AtomicUsize::new(0));
    let stuck = Arc::new(AtomicUsize::new(0));
    let round_done = Arc::new((Mutex::new(0usize), Condvar::new()));
    let threads: Vec<_> = workers
        .into_iter()
        .map(|w| {
            let (handled, stuck, round_done) = (handled.clone(), stuck.clone(), round_done.clone());
            thread::spawn(move || {
                while let Ok(v) = w.recv_blocking() {
                    if v % ROUND == 0 {
                        // The long job: wait for the rest of the round.
                        let start = Instant::now();
                        while handled.load(SeqCst) % ROUND != ROUND - 1 {
                            if start.elapsed() > STUCK {
                                stuck.fetch_add(1, SeqCst);
                                break;
                            }
                            thread::yield_now();
                        }
                    }
                    if handled.fetch_add(1, SeqCst) % ROUND == ROUND - 1 {
                        let (lock, cvar) = &*round_done;
                        *lock.lock().unwrap() += 1;
                        cvar.notify_all();
                    }
                    if stuck.load(SeqCst) > 0 {
                        break;
                    }
                }
            })
        })
        .collect();
    for round in 0..rounds {
        for v in 0..ROUND {
            channel.send(round * ROUND + v).unwrap();
        }
        let (lock, cvar) = &*round_done;
        let guard = lock.lock().unwrap();
        let (_guard, timeout) = cvar
            .wait_timeout_while(guard, STUCK * 2, |done| *done <= round)
            .unwrap();
        assert!(
            !timeout.timed_out() && stuck.load(SeqCst) == 0,
            "round {round}: values waited behind a long job while a worker slept"
        );
    }
    drop(channel);
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(handled.load(SeqCst), rounds * ROUND);
}

/// Defect 2: worker 0 sends a value onto its own deque, then waits,
/// holding its handle, until worker 1 has handled it (a pipeline stage
/// waiting for a reply). Worker 1 falls asleep between rounds; the send
/// must wake it.
#[test]
fn a_local_send_then_a_wait_elsewhere_wakes_a_sleeper() {
    send_and_wait_for_replies(
        scaled(2_000, 5),
        Duration::ZERO,
        || true,
        "the value waited in the sender's deque while the other worker slept",
    );
}

/// Worker 0 sends `rounds` values onto its own deque, one at a time after
/// `pause` each, and waits (holding its handle) until worker 1, on a thread
/// of its own where `prepare` ran first, has received it; `stuck` says what
/// went wrong if a reply never comes. `prepare` returning `false` skips
/// the rounds (what it needed is missing here).
fn send_and_wait_for_replies(rounds: usize, pause: Duration, prepare: fn() -> bool, stuck: &str) {
    let (_channel, mut workers) = DequeChannel::new(2);
    let w1 = workers.pop().unwrap();
    let w0 = workers.pop().unwrap();
    let replies: Arc<Vec<Signal>> = Arc::new((0..rounds).map(|_| Signal::default()).collect());
    let replier = {
        let replies = Arc::clone(&replies);
        thread::spawn(move || {
            if !prepare() {
                eprintln!("skipped: what the replying worker needed is missing here");
                for reply in replies.iter() {
                    reply.set();
                }
                return w1;
            }
            for _ in 0..rounds {
                let round: usize = w1.recv_blocking().unwrap();
                replies[round].set();
            }
            w1
        })
    };
    for round in 0..rounds {
        if !pause.is_zero() {
            thread::sleep(pause);
        }
        w0.send(round).unwrap();
        assert!(replies[round].wait(), "round {round}: {stuck}");
    }
    let _w1 = replier.join().expect("the replying worker panicked");
}

/// Defect 3, one worker: on a closed, empty channel every timed receive
/// says `Disconnected`, whatever its timeout, zero and past deadlines
/// included.
#[test]
fn a_timed_receive_on_a_done_channel_is_disconnected() {
    let (channel, mut workers) = DequeChannel::<u8>::new(1);
    let w = workers.pop().unwrap();
    channel.close();
    for _ in 0..scaled(10_000, 10) {
        assert_eq!(
            w.recv_timeout(Duration::from_micros(1)),
            Err(RecvTimeoutError::Disconnected)
        );
    }
    assert_eq!(
        w.recv_timeout(Duration::ZERO),
        Err(RecvTimeoutError::Disconnected)
    );
    assert_eq!(
        w.recv_deadline(Instant::now()),
        Err(RecvTimeoutError::Disconnected)
    );
    // A deadline already past on an open channel is a plain `Timeout`.
    let (_open, mut workers) = DequeChannel::<u8>::new(1);
    let w = workers.pop().unwrap();
    assert_eq!(
        w.recv_deadline(Instant::now()),
        Err(RecvTimeoutError::Timeout)
    );
}

/// Defect 3, three workers on microsecond timeouts after the close: done
/// comes (each hears `Disconnected`), instead of each spinning on
/// `Timeout` for ever.
#[test]
fn workers_on_short_timeouts_hear_done() {
    let (channel, workers) = DequeChannel::<u8>::new(3);
    channel.close();
    let threads: Vec<_> = workers
        .into_iter()
        .map(|w| {
            thread::spawn(move || {
                let start = Instant::now();
                let mut timeouts = 0u64;
                loop {
                    match w.recv_timeout(Duration::from_micros(1)) {
                        Err(RecvTimeoutError::Timeout) => timeouts += 1,
                        Err(RecvTimeoutError::Disconnected) => return (timeouts, w),
                        Ok(v) => panic!("received {v} from an empty channel"),
                    }
                    assert!(
                        start.elapsed() < STUCK,
                        "done never came ({timeouts} timeouts)"
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

/// Defect 4: once every worker is dropped, nobody can make room: a full
/// channel's waiting sends return `Closed` with their value, whether they
/// were already waiting when the last worker went or came after.
#[test]
fn sends_waiting_for_room_end_when_the_last_worker_goes() {
    // Already waiting when the last worker is dropped.
    let (channel, workers) = DequeChannel::builder()
        .workers(2)
        .global_capacity(1)
        .build();
    channel.send(1).unwrap();
    let producer = {
        let channel = channel.clone();
        thread::spawn(move || channel.send_blocking(2))
    };
    let timed = {
        let channel = channel.clone();
        thread::spawn(move || channel.send_timeout(3, STUCK * 2))
    };
    thread::sleep(Duration::from_millis(scaled(20, 1) as u64));
    drop(workers);
    assert_eq!(producer.join().unwrap(), Err(SendError::Closed(2)));
    assert_eq!(timed.join().unwrap(), Err(SendError::Closed(3)));
    // And after: closed at once.
    assert!(channel.is_closed());
    assert_eq!(channel.send_blocking(4), Err(SendError::Closed(4)));
    assert_eq!(channel.send_timeout(5, STUCK), Err(SendError::Closed(5)));
    assert_eq!(channel.send(6), Err(SendError::Closed(6)));
}

/// Defect 5: a worker thread that owns its `Worker` and panics drops it
/// while unwinding, so the others still finish: every value is received
/// once (the one the panicking job held included), and `done` comes.
#[test]
fn a_panicking_owned_worker_lets_the_others_finish() {
    let values = scaled(1_000, 40);
    let poison = values / 2;
    let (channel, workers) = DequeChannel::builder().workers(3).unbounded().build();
    for v in 0..values {
        channel.send(v).unwrap();
    }
    drop(channel);
    let seen: Arc<Vec<AtomicUsize>> = Arc::new((0..values).map(|_| AtomicUsize::new(0)).collect());
    let threads: Vec<_> = workers
        .into_iter()
        .map(|w: Worker<usize>| {
            let seen = Arc::clone(&seen);
            thread::spawn(move || {
                while let Ok(v) = w.recv_blocking() {
                    seen[v].fetch_add(1, SeqCst);
                    if v == poison {
                        panic!("job {v} failed");
                    }
                }
            })
        })
        .collect();
    // (The panic's message is printed: the hook is global, and other tests
    // run beside this one.)
    let panics = threads
        .into_iter()
        .map(|t| t.join())
        .filter(Result::is_err)
        .count();
    assert_eq!(panics, 1);
    for (v, count) in seen.iter().enumerate() {
        assert_eq!(count.load(SeqCst), 1, "value {v}");
    }
}

/// A worker whose thread may not call `membarrier(2)` (a seccomp filter
/// added after the channel was built, as sandboxes do to their worker
/// threads) cannot pay the sleepers' half of the barrier: it must neither
/// panic nor sleep on a final check that may have missed a value. Worker 0
/// sends onto its own deque (no fence: the barriers are asymmetric here)
/// and waits for the reply while the filtered worker 1 falls asleep.
#[cfg(all(target_os = "linux", not(miri)))]
#[test]
fn a_worker_forbidden_membarrier_polls_instead_of_sleeping() {
    send_and_wait_for_replies(
        20,
        // Long enough for worker 1 to register and park.
        Duration::from_millis(5),
        seccomp::deny_membarrier_on_this_thread,
        "the value waited while the worker without membarrier slept",
    );
}

#[cfg(all(target_os = "linux", not(miri)))]
mod seccomp {
    /// Makes `membarrier(2)` fail with `EPERM` on the calling thread only;
    /// `false` if no filter could be installed.
    pub fn deny_membarrier_on_this_thread() -> bool {
        const LD_W_ABS: u16 = 0x20; // load the system call number
        const JEQ_K: u16 = 0x15;
        const RET_K: u16 = 0x06;
        const RET_ERRNO: u32 = 0x0005_0000;
        const RET_ALLOW: u32 = 0x7fff_0000;
        let filter = [
            libc::sock_filter {
                code: LD_W_ABS,
                jt: 0,
                jf: 0,
                k: 0,
            },
            libc::sock_filter {
                code: JEQ_K,
                jt: 0,
                jf: 1,
                k: libc::SYS_membarrier as u32,
            },
            libc::sock_filter {
                code: RET_K,
                jt: 0,
                jf: 0,
                k: RET_ERRNO | libc::EPERM as u32,
            },
            libc::sock_filter {
                code: RET_K,
                jt: 0,
                jf: 0,
                k: RET_ALLOW,
            },
        ];
        let program = libc::sock_fprog {
            len: filter.len() as u16,
            filter: filter.as_ptr().cast_mut(),
        };
        // SAFETY: `prctl` with these commands reads `program` (valid, and
        // alive across the call) and changes only this thread's system
        // call filter.
        unsafe {
            libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0
                && libc::prctl(
                    libc::PR_SET_SECCOMP,
                    libc::SECCOMP_MODE_FILTER,
                    &raw const program as libc::c_ulong,
                    0,
                    0,
                ) == 0
        }
    }
}
