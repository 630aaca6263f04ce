//! Loom models of the channel's races. `cargo xtask verify --only loom` sets
//! `--cfg deque_channel_loom` (and the cfgs of beam-deque and vyukov-mpmc,
//! so the deques and the global queue are modelled too).
#![cfg(deque_channel_loom)]

use deque_channel::{DequeChannel, Full, Worker};
use loom::thread;

#[path = "../../../test-support/loom_orders.rs"]
mod loom_orders;
use loom_orders::{check, run2};

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
