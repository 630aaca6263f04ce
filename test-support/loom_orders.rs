//! Running loom models with each racing role started first in turn, shared
//! by every crate's `tests/loom.rs` (each includes this file as a module:
//! `#[path = "../../../test-support/loom_orders.rs"] mod loom_orders;`).
//!
//! Why: loom 0.7's DPOR compares a pending operation only with the *last*
//! access to the same atomic (tokio-rs/loom#166), so some reorderings are
//! only explored when the racing roles start in another order. A model
//! takes an `order` and starts its threads with `run2`/`run3`; `check`
//! runs it once per order, so each role starts first in one of the runs.
// Each crate's models use a different subset of these.
#![allow(dead_code)]

use loom::sync::Arc;
use loom::thread;

/// Runs `model(order)` under loom once for each `order` in `0..orders`.
pub fn check<F: Fn(usize) + Send + Sync + 'static>(orders: usize, model: F) {
    let model = std::sync::Arc::new(model);
    for order in 0..orders {
        let model = std::sync::Arc::clone(&model);
        loom::model(move || model(order));
    }
}

/// Runs `a` and `b` on two loom threads, the one that starts first chosen
/// by `order` (0: `a`, 1: `b`), and returns their results.
pub fn run2<A, B>(
    order: usize,
    a: impl FnOnce() -> A + Send + 'static,
    b: impl FnOnce() -> B + Send + 'static,
) -> (A, B)
where
    A: Send + 'static,
    B: Send + 'static,
{
    if order % 2 == 0 {
        let ta = thread::spawn(a);
        let tb = thread::spawn(b);
        (ta.join().unwrap(), tb.join().unwrap())
    } else {
        let tb = thread::spawn(b);
        let ta = thread::spawn(a);
        (ta.join().unwrap(), tb.join().unwrap())
    }
}

/// Runs `a`, `b` and `c` on three loom threads, started in the rotation
/// `order` picks (0: a b c, 1: b c a, 2: c a b), and returns their results.
pub fn run3<A, B, C>(
    order: usize,
    a: impl FnOnce() -> A + Send + 'static,
    b: impl FnOnce() -> B + Send + 'static,
    c: impl FnOnce() -> C + Send + 'static,
) -> (A, B, C)
where
    A: Send + 'static,
    B: Send + 'static,
    C: Send + 'static,
{
    match order % 3 {
        0 => {
            let ta = thread::spawn(a);
            let tb = thread::spawn(b);
            let tc = thread::spawn(c);
            (ta.join().unwrap(), tb.join().unwrap(), tc.join().unwrap())
        }
        1 => {
            let tb = thread::spawn(b);
            let tc = thread::spawn(c);
            let ta = thread::spawn(a);
            (ta.join().unwrap(), tb.join().unwrap(), tc.join().unwrap())
        }
        _ => {
            let tc = thread::spawn(c);
            let ta = thread::spawn(a);
            let tb = thread::spawn(b);
            (ta.join().unwrap(), tb.join().unwrap(), tc.join().unwrap())
        }
    }
}

/// Clones an `Arc` into a closure: `with(&q, |q| q.pop())`.
pub fn with<Q: Send + Sync + 'static, R>(
    q: &Arc<Q>,
    f: impl FnOnce(&Q) -> R + Send + 'static,
) -> impl FnOnce() -> R + Send + 'static {
    let q = Arc::clone(q);
    move || f(&q)
}
