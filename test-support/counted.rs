//! Drop counting for integration tests, shared by beam-deque's and
//! seg-queue's (each includes this file as its `common` module, through a
//! symlink in its own `tests/support/`:
//! `#[path = "support/counted.rs"] mod common;`).
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};

/// Counts its drops, and panics in its destructor when `bomb` is set: for
/// the tests that a panicking destructor leaks nothing.
pub struct Bomb {
    pub bomb: bool,
    pub drops: std::rc::Rc<std::cell::Cell<usize>>,
}

impl Drop for Bomb {
    fn drop(&mut self) {
        self.drops.set(self.drops.get() + 1);
        if self.bomb {
            panic!("boom");
        }
    }
}

/// Scales an iteration count down under miri, which runs ~1000x slower.
pub fn scaled(native: usize, under_miri: usize) -> usize {
    if cfg!(miri) { under_miri } else { native }
}

/// A value that counts its drops, to prove each is dropped exactly once.
#[derive(Debug)]
pub struct Counted {
    pub id: usize,
    drops: Arc<AtomicUsize>,
}

impl Counted {
    pub fn new(id: usize, drops: &Arc<AtomicUsize>) -> Self {
        Counted {
            id,
            drops: Arc::clone(drops),
        }
    }
}

impl Drop for Counted {
    fn drop(&mut self) {
        self.drops.fetch_add(1, SeqCst);
    }
}

pub fn drop_counter() -> Arc<AtomicUsize> {
    Arc::new(AtomicUsize::new(0))
}

pub fn drops(counter: &Arc<AtomicUsize>) -> usize {
    counter.load(SeqCst)
}
