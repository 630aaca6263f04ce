//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A value that records its drop in a shared table, so a test can check
/// that every value was dropped exactly once.
#[derive(Debug)]
pub struct Tracked {
    pub id: usize,
    drops: Arc<Vec<AtomicUsize>>,
}

impl Drop for Tracked {
    fn drop(&mut self) {
        self.drops[self.id].fetch_add(1, Ordering::Relaxed);
    }
}

/// Makes `Tracked` values with ids `0..n` and checks their drops.
#[derive(Debug, Clone)]
pub struct DropTable {
    drops: Arc<Vec<AtomicUsize>>,
}

impl DropTable {
    pub fn new(n: usize) -> Self {
        Self {
            drops: Arc::new((0..n).map(|_| AtomicUsize::new(0)).collect()),
        }
    }

    pub fn make(&self, id: usize) -> Tracked {
        Tracked {
            id,
            drops: Arc::clone(&self.drops),
        }
    }

    /// How many times value `id` has been dropped.
    pub fn drops(&self, id: usize) -> usize {
        self.drops[id].load(Ordering::Relaxed)
    }

    /// Asserts that every value was dropped exactly once.
    pub fn assert_all_dropped_once(&self) {
        for (id, d) in self.drops.iter().enumerate() {
            assert_eq!(
                d.load(Ordering::Relaxed),
                1,
                "value {id} dropped wrong number of times"
            );
        }
    }
}

/// Scales a count down under miri, where each operation is very slow.
pub const fn scaled(normal: usize, miri: usize) -> usize {
    if cfg!(miri) { miri } else { normal }
}
