//! Loom models of the channel's races. `cargo xtask verify --only loom` sets
//! `--cfg deque_channel_loom` (and the cfgs of beam-deque and vyukov-mpmc,
//! so the deques and the global queue are modelled too).
#![cfg(deque_channel_loom)]

use deque_channel::{DequeChannel, Full, Worker};
use loom::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use loom::thread;

#[path = "support/loom_orders.rs"]
mod loom_orders;
use loom_orders::{check, run2, run3};

/// Worker 0 sends `value` while worker 1 receives once, raced by `run2`;
/// then both drain. Returns what `send` said and every value received.
fn send_races_recv(
    order: usize,
    w0: Worker<usize>,
    value: usize,
    w1: Worker<usize>,
) -> (Result<(), Full<usize>>, Vec<usize>) {
    let ((w0, sent), (w1, mut got)) = run2(
        order,
        move || {
            let sent = w0.send(value);
            (w0, sent)
        },
        recv_once(w1),
    );
    got.extend(drain(&w0));
    got.extend(drain(&w1));
    (sent, got)
}

/// A thread body: `w` receives once; gives back `w` and what it got.
fn recv_once(w: Worker<usize>) -> impl FnOnce() -> (Worker<usize>, Vec<usize>) + Send + 'static {
    move || {
        let got: Vec<usize> = w.recv().into_iter().collect();
        (w, got)
    }
}

/// A channel of two workers, each with a deque of 2 slots, and a global
/// queue of `global_capacity`: the models' tiny configuration.
fn two_workers(global_capacity: usize) -> (DequeChannel<usize>, Worker<usize>, Worker<usize>) {
    let (channel, mut workers) = DequeChannel::builder()
        .workers(2)
        .local_capacity(2)
        .global_capacity(global_capacity)
        .build();
    let w1 = workers.pop().unwrap();
    let w0 = workers.pop().unwrap();
    (channel, w0, w1)
}

/// A channel of one worker and a global queue of `global_capacity`.
fn one_worker(global_capacity: usize) -> (DequeChannel<usize>, Worker<usize>) {
    let (channel, mut workers) = DequeChannel::builder()
        .workers(1)
        .global_capacity(global_capacity)
        .build();
    let w = workers.pop().unwrap();
    (channel, w)
}

fn drain(w: &Worker<usize>) -> Vec<usize> {
    std::iter::from_fn(|| w.recv()).collect()
}

fn sorted(mut v: Vec<usize>) -> Vec<usize> {
    v.sort_unstable();
    v
}

/// Worker 0's send overflows (offloading its oldest value to the global
/// queue) while worker 1 receives: from the global queue or by stealing.
/// Nothing is lost or doubled.
#[test]
fn send_with_offload_races_a_thief_and_a_global_consumer() {
    check(2, |order| {
        let (_channel, w0, w1) = two_workers(2);
        w0.send(0).unwrap();
        w0.send(1).unwrap();
        // Full local deque: the send moves the oldest value to the global
        // queue.
        let (sent, got) = send_races_recv(order, w0, 2, w1);
        sent.unwrap();
        assert_eq!(sorted(got), [0, 1, 2]);
    });
}

/// The unbounded flavour: worker 0's deque refuses a push while worker 1
/// is still moving out the value a lap before the tail (its steal took half
/// of the full two-slot deque), whether worker 0 sees that before its
/// offload or after it. The send must not fail: the value goes through the
/// global queue. Each value is received exactly once.
#[test]
fn unbounded_send_meets_a_thief_mid_steal_on_the_tails_slot() {
    check(2, |order| {
        let (_channel, mut workers) = DequeChannel::builder()
            .workers(2)
            .local_capacity(2)
            .unbounded()
            .build();
        let w1 = workers.pop().unwrap();
        let w0 = workers.pop().unwrap();
        w0.send(0).unwrap();
        w0.send(1).unwrap();
        let (sent, got) = send_races_recv(order, w0, 2, w1);
        sent.unwrap();
        assert_eq!(sorted(got), [0, 1, 2]);
    });
}

/// Worker 1 takes a batch from the global queue (returning the oldest,
/// moving the other onto its deque) while worker 0, its own deque empty,
/// takes from the global queue too, or steals what worker 1 just moved, or
/// finds nothing yet. Each value is received exactly once.
#[test]
fn batch_from_global_races_a_consumer_and_a_thief() {
    check(2, |order| {
        let (channel, w0, w1) = two_workers(4);
        channel.send(0).unwrap();
        channel.send(1).unwrap();
        let ((w0, got0), (w1, got1)) = run2(order, recv_once(w0), recv_once(w1));
        // Whoever claimed first got a value.
        assert!(!(got0.is_empty() && got1.is_empty()));
        let rest: Vec<usize> = drain(&w0).into_iter().chain(drain(&w1)).collect();
        let all: Vec<usize> = got0.into_iter().chain(got1).chain(rest).collect();
        assert_eq!(sorted(all), [0, 1]);
    });
}

/// The back-pressure path: worker 0's deque and the global queue are full,
/// and worker 1 receives (from the global queue, or by stealing) while
/// worker 0 sends. Whatever `send` accepted is received exactly once; what
/// it refused comes back.
#[test]
fn back_pressure_races_a_steal() {
    check(2, |order| {
        let (channel, w0, w1) = two_workers(1);
        w0.send(0).unwrap();
        w0.send(1).unwrap();
        channel.send(10).unwrap();
        let (sent, got) = send_races_recv(order, w0, 2, w1);
        let mut expected = vec![0, 1, 10];
        match sent {
            Ok(()) => expected.push(2),
            Err(Full(v)) => assert_eq!(v, 2),
        }
        assert_eq!(sorted(got), sorted(expected));
    });
}

/// The offload's rollback: an outside producer fills the global queue
/// between worker 0's room check and its batch, and worker 1 steals. The
/// bounced values go back to worker 0's deque; nothing is lost.
#[test]
fn offload_rollback_races_a_producer_and_a_steal() {
    // Three threads here: at 2 preemptions loom's path outgrows its branch
    // limit (the global queue's wait-for-publisher loops multiply; still so
    // with `max_branches` raised to 20 000), so this model is bounded at 1;
    // the two-thread models above run at the crate's bound. It does reach
    // the rollback (3 executions) and the thief-holds-the-batch path (68).
    let mut model = loom::model::Builder::new();
    model.preemption_bound = Some(1);
    model.check(|| {
        let (channel, w0, w1) = two_workers(1);
        w0.send(0).unwrap();
        w0.send(1).unwrap();
        let producer = {
            let channel = channel.clone();
            thread::spawn(move || channel.send(10).is_ok())
        };
        let thief = thread::spawn(recv_once(w1));
        let mut expected = vec![0, 1];
        match w0.send(2) {
            Ok(()) => expected.push(2),
            Err(Full(v)) => assert_eq!(v, 2),
        }
        if producer.join().unwrap() {
            expected.push(10);
        }
        let (w1, mut got) = thief.join().unwrap();
        got.extend(drain(&w0));
        got.extend(drain(&w1));
        assert_eq!(sorted(got), sorted(expected));
    });
}

// ---------------------------------------------------------------------------
// The sleep protocol (`src/sleep.rs`): a lost wake-up shows as loom's
// "deadlock" (every thread parked), an early "done" as a missing value.
// ---------------------------------------------------------------------------

/// A model bounded at `preemptions` (the sleep models need fewer than the
/// crate's default to stay within CI's budget), run once per role order.
fn check_bounded<F: Fn(usize) + Send + Sync + 'static>(
    preemptions: usize,
    orders: usize,
    model: F,
) {
    let model = std::sync::Arc::new(model);
    for order in 0..orders {
        let model = std::sync::Arc::clone(&model);
        let mut builder = loom::model::Builder::new();
        // `LOOM_MAX_PREEMPTIONS`, when lower, still wins.
        builder.preemption_bound = Some(
            builder
                .preemption_bound
                .map_or(preemptions, |b| b.min(preemptions)),
        );
        // A blocking receive that looks, registers, re-checks and parks,
        // over deques and a queue that are themselves modelled, runs past
        // loom's default of 1000 branches in one execution.
        builder.max_branches = 20_000;
        builder.check(move || model(order));
    }
}

/// A thread body: `w` receives with `recv_blocking` until the channel is
/// done; gives back everything it got.
fn recv_until_done(w: Worker<usize>) -> impl FnOnce() -> Vec<usize> + Send + 'static {
    move || std::iter::from_fn(|| w.recv_blocking().ok()).collect()
}

/// An outside send races a lone worker going to sleep: the worker must get
/// the value (the sender's publish-fence-read against the sleeper's
/// register-fence-final check).
#[test]
fn outside_send_wakes_a_sleeping_worker() {
    check_bounded(3, 2, |order| {
        let (channel, mut workers) = DequeChannel::builder()
            .workers(1)
            .global_capacity(2)
            .build();
        let w = workers.pop().unwrap();
        let producer = channel.clone();
        let (got, sent) = run2(order, move || w.recv_blocking(), move || producer.send(7));
        sent.unwrap();
        assert_eq!(got, Ok(7));
    });
}

/// The unbounded flavour: an outside send into the segmented global queue
/// (its first push allocates and installs the first segment) races a lone
/// worker going to sleep, then the channel closes: the worker gets the
/// value, then learns it is done.
#[test]
fn unbounded_outside_send_wakes_a_sleeping_worker() {
    check_bounded(2, 2, |order| {
        let (channel, mut workers) = DequeChannel::builder().workers(1).unbounded().build();
        let w = workers.pop().unwrap();
        let producer = channel.clone();
        let (got, sent) = run2(
            order,
            move || {
                let first = w.recv_blocking();
                (first, w)
            },
            move || producer.send(7),
        );
        sent.unwrap();
        let (first, w) = got;
        assert_eq!(first, Ok(7));
        drop(channel);
        assert!(w.recv_blocking().is_err());
    });
}

/// Worker 0 fills its deque and offloads to the global queue while worker 1
/// goes to sleep: worker 1 is woken (by a local push that saw it, or by the
/// offload, which cannot miss it) and gets a value.
#[test]
fn offload_wakes_a_sleeping_worker() {
    check_bounded(2, 2, |order| {
        let (_channel, w0, w1) = two_workers(2);
        let ((w0, sent), got) = run2(
            order,
            move || {
                let sent: Vec<bool> = (0..3).map(|v| w0.send(v).is_ok()).collect();
                (w0, sent)
            },
            move || (w1.recv_blocking(), w1),
        );
        assert_eq!(sent, [true, true, true]);
        let (first, w1) = got;
        let first = first.unwrap();
        let mut all = vec![first];
        all.extend(drain(&w0));
        all.extend(drain(&w1));
        assert_eq!(sorted(all), [0, 1, 2]);
    });
}

/// Closing (the last outside handle's drop) races two workers falling
/// asleep on an empty channel: both learn it is done.
#[test]
fn close_races_workers_going_to_sleep() {
    check_bounded(2, 3, |order| {
        let (channel, w0, w1) = two_workers(2);
        let (a, b, ()) = run3(
            order,
            move || w0.recv_blocking(),
            move || w1.recv_blocking(),
            move || drop(channel),
        );
        assert!(a.is_err() && b.is_err());
    });
}

/// The body of a recursive job's worker: receive until done; a value
/// `n > 0` sends `n - 1`. `outstanding` counts values sent and not yet
/// handled (children counted before they are sent, a value uncounted once
/// handled): whoever hears "done" must find it at 0, or "done" came while
/// a value was left or a worker still held one. Gives back what it received.
fn recursive_body(
    w: Worker<usize>,
    outstanding: &loom::sync::Arc<AtomicUsize>,
) -> impl FnOnce() -> Vec<usize> + Send + 'static {
    let outstanding = loom::sync::Arc::clone(outstanding);
    move || {
        let mut got = Vec::new();
        while let Ok(n) = w.recv_blocking() {
            got.push(n);
            // Holding a value, this worker may be descheduled: let the
            // others run (a switch point even at preemption bound 0).
            thread::yield_now();
            if n > 0 {
                outstanding.fetch_add(1, SeqCst);
                w.send(n - 1).unwrap();
            }
            outstanding.fetch_sub(1, SeqCst);
        }
        assert_eq!(outstanding.load(SeqCst), 0, "done with work left");
        got
    }
}

/// A channel of `workers` tiny workers, closed, with one value `seed` sent
/// by worker 0, and the `outstanding` counter for `recursive_body`.
fn seeded_job(workers: usize, seed: usize) -> (Vec<Worker<usize>>, loom::sync::Arc<AtomicUsize>) {
    let (_, ws) = DequeChannel::builder()
        .workers(workers)
        .local_capacity(2)
        .global_capacity(2)
        .build();
    ws[0].send(seed).unwrap();
    (ws, loom::sync::Arc::new(AtomicUsize::new(1)))
}

/// Two workers on a recursive job seeded with one value on a closed
/// channel: each value is received once, and nobody hears "done" while a
/// value is left or a worker holds one.
#[test]
fn recursive_job_on_two_workers() {
    check_bounded(2, 2, |order| {
        let (mut ws, outstanding) = seeded_job(2, 2);
        let w1 = ws.pop().unwrap();
        let w0 = ws.pop().unwrap();
        let (a, b) = run2(
            order,
            recursive_body(w0, &outstanding),
            recursive_body(w1, &outstanding),
        );
        let all: Vec<usize> = a.into_iter().chain(b).collect();
        assert_eq!(sorted(all), [0, 1, 2]);
    });
}

/// The same on three workers, each role first in turn. Three blocking
/// workers over modelled deques and queues do not fit CI's budget even at
/// one preemption (over 15 minutes), so this model runs at bound 0: loom
/// switches threads only where one blocks, parks or yields, and the yield
/// of a worker that holds a value (in `recursive_body`) is where "done"
/// would come early. It catches the planted early-done bug at once.
#[test]
fn recursive_job_on_three_workers() {
    check_bounded(0, 3, |order| {
        let (mut ws, outstanding) = seeded_job(3, 1);
        let w2 = ws.pop().unwrap();
        let w1 = ws.pop().unwrap();
        let w0 = ws.pop().unwrap();
        let (a, b, c) = run3(
            order,
            recursive_body(w0, &outstanding),
            recursive_body(w1, &outstanding),
            recursive_body(w2, &outstanding),
        );
        let all: Vec<usize> = a.into_iter().chain(b).chain(c).collect();
        assert_eq!(sorted(all), [0, 1]);
    });
}

/// A worker's `recv_timeout` (under loom, its timer fires at once) races an
/// outside send's wake-up, while worker 1 sleeps in `recv_blocking`. If the
/// wake-up lands on the timing-out worker, it must take the value or pass
/// the wake-up on: with `Timeout` back (and worker 0 still alive, so no
/// drop wakes anyone), worker 1 must get the value.
#[test]
fn timeout_passes_a_wake_up_on() {
    use deque_channel::RecvTimeoutError;
    check_bounded(1, 2, |order| {
        let (channel, w0, w1) = two_workers(2);
        let sleeper = thread::spawn(move || (w1.recv_blocking(), w1));
        let timer = move || (w0.recv_timeout(std::time::Duration::from_secs(1)), w0);
        let sender = move || {
            channel.send(5).unwrap();
            // The only outside handle: the channel is closed.
            drop(channel);
        };
        let (timer, sender) = if order == 0 {
            (thread::spawn(timer), thread::spawn(sender))
        } else {
            let sender = thread::spawn(sender);
            (thread::spawn(timer), sender)
        };
        let (timed, w0) = timer.join().unwrap();
        match timed {
            Ok(v) => {
                assert_eq!(v, 5);
                // Worker 0 leaves: the channel is done for worker 1.
                drop(w0);
                assert!(sleeper.join().unwrap().0.is_err());
            }
            Err(RecvTimeoutError::Timeout) => {
                assert_eq!(sleeper.join().unwrap().0, Ok(5));
                drop(w0);
            }
            Err(RecvTimeoutError::Disconnected) => panic!("done with a value left"),
        }
        sender.join().unwrap();
    });
}

/// Worker 0 sends two values onto its own deque and is dropped while
/// worker 1 sleeps on the closed channel: worker 1 is woken, steals both,
/// and only then hears "done".
#[test]
fn dropped_worker_values_reach_a_sleeper() {
    check_bounded(2, 2, |order| {
        let (_, w0, w1) = two_workers(2);
        let ((), got) = run2(
            order,
            move || {
                w0.send(1).unwrap();
                w0.send(2).unwrap();
                drop(w0);
            },
            recv_until_done(w1),
        );
        assert_eq!(sorted(got), [1, 2]);
    });
}

/// An outside producer `send_blocking`s two values into a global queue of
/// one slot while the lone worker receives until done: the producer is
/// woken when the worker makes room, and the worker gets both.
#[test]
fn send_blocking_waits_for_room() {
    check_bounded(2, 2, |order| {
        let (channel, mut workers) = DequeChannel::builder()
            .workers(1)
            .global_capacity(1)
            .build();
        let w = workers.pop().unwrap();
        let ((), got) = run2(
            order,
            move || {
                channel.send_blocking(1).unwrap();
                channel.send_blocking(2).unwrap();
            },
            recv_until_done(w),
        );
        assert_eq!(got, [1, 2]);
    });
}

// ---------------------------------------------------------------------------
// "No value waits while a worker sleeps, and every wait ends" (issue 23):
// each model below deadlocked, or answered wrong, on the code before it.
// ---------------------------------------------------------------------------

/// Two workers each receive once while an outside thread sends two values:
/// the first receiver takes both from the global queue in one batch (one
/// returned, one moved onto its deque), so while the batch moves it is in
/// no queue the other's final check looks at. The move must wake the other
/// worker (each keeps its handle, so no drop wakes anyone). Before the fix:
/// a deadlock at preemption bound 0.
#[test]
fn batch_moved_from_global_wakes_a_sleeping_worker() {
    check_bounded(1, 3, |order| {
        let (channel, w0, w1) = two_workers(2);
        let producer = channel.clone();
        let (a, b, ()) = run3(
            order,
            move || (w0.recv_blocking(), w0),
            move || (w1.recv_blocking(), w1),
            move || {
                producer.send(1).unwrap();
                producer.send(2).unwrap();
            },
        );
        let got = sorted(vec![a.0.unwrap(), b.0.unwrap()]);
        assert_eq!(got, [1, 2]);
        drop(channel);
    });
}

/// Worker 0 sends one value onto its own deque, then waits (on a condvar,
/// holding its handle) until worker 1 has received it: a pipeline stage
/// handing a value on and waiting for the reply. Worker 1 falls asleep
/// meanwhile; the send must see it, or its final check must see the
/// value. Before the fix (a relaxed read of the state word after the push,
/// with no store-load barrier): a deadlock at preemption bound 0.
#[test]
fn local_send_then_wait_wakes_a_sleeping_worker() {
    check_bounded(1, 2, |order| {
        let (_channel, w0, w1) = two_workers(2);
        let handled =
            loom::sync::Arc::new((loom::sync::Mutex::new(false), loom::sync::Condvar::new()));
        let reply = loom::sync::Arc::clone(&handled);
        let ((), got) = run2(
            order,
            move || {
                w0.send(7).unwrap();
                let (lock, cvar) = &*handled;
                let mut done = lock.lock().unwrap();
                while !*done {
                    done = cvar.wait(done).unwrap();
                }
                drop(done);
                drop(w0);
            },
            move || {
                let got = w1.recv_blocking();
                let (lock, cvar) = &*reply;
                *lock.lock().unwrap() = true;
                cvar.notify_one();
                (got, w1)
            },
        );
        assert_eq!(got.0, Ok(7));
    });
}

/// A timed receive with a zero timeout, looping while the channel's only
/// outside handle is dropped: once the close lands, the channel is done
/// (closed, empty, its only worker waiting), and the receive says so
/// whatever its timeout. Before the fix: `Timeout` for ever (the loop ran
/// past loom's branch limit).
#[test]
fn timed_receive_on_a_done_channel_is_disconnected() {
    use deque_channel::RecvTimeoutError;
    check_bounded(2, 2, |order| {
        let (channel, w) = one_worker(1);
        let (got, ()) = run2(
            order,
            move || {
                // Until the close lands, `Timeout` is the right answer.
                loop {
                    match w.recv_timeout(std::time::Duration::ZERO) {
                        Err(RecvTimeoutError::Timeout) => thread::yield_now(),
                        other => break other,
                    }
                }
            },
            move || drop(channel),
        );
        assert_eq!(got, Err(RecvTimeoutError::Disconnected));
    });
}

/// An outside producer waits for room in a full global queue while the
/// only worker is dropped: nobody is left to make room, so the channel
/// closes and the waiting send returns `Closed` with its value. Before the
/// fix: a deadlock (the producer waited for ever).
#[test]
fn last_worker_dropped_closes_a_waiting_send() {
    use deque_channel::SendError;
    check_bounded(2, 2, |order| {
        let (channel, w) = one_worker(1);
        channel.send(1).unwrap();
        let (sent, ()) = run2(order, move || channel.send_blocking(2), move || drop(w));
        assert_eq!(sent, Err(SendError::Closed(2)));
    });
}
