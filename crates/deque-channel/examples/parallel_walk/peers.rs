//! The walkers deque-channel's walk is checked and measured against, each
//! counting as [`Counts::add`] says (one `symlink_metadata` per entry, the
//! root included, symlinks not followed) and written the way its own docs
//! show:
//!
//! - `walkdir`: one thread; the reference every other walker must match.
//! - `ignore::WalkParallel`, ripgrep's and fd's walker (crossbeam-deque
//!   underneath), with every filter off so it sees every entry.
//! - `jwalk` (rayon underneath), its `symlink_metadata` taken in its
//!   `process_read_dir` callback, which its pool runs in parallel, so the
//!   iterating thread only adds up.

use std::fs::Metadata;
use std::io;
use std::path::Path;
use std::sync::{Arc, Mutex};

use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};
use jwalk::{Parallelism, WalkDirGeneric};

use crate::walk::Counts;

/// `walkdir`, single-threaded.
pub fn walk_walkdir(root: &Path) -> Counts {
    let mut counts = Counts::default();
    for entry in walkdir::WalkDir::new(root) {
        match entry {
            Ok(entry) => {
                counts.add(entry.metadata().map_err(io::Error::from));
            }
            // A directory that could not be read (walkdir has yielded the
            // directory itself already), or an entry that vanished.
            Err(_) => counts.unreadable += 1,
        }
    }
    counts
}

/// One `ignore` walker thread's visitor: its counts, added to the total
/// when the walker drops it (as the thread finishes).
struct IgnoreTally {
    counts: Counts,
    total: Arc<Mutex<Counts>>,
}

impl ParallelVisitor for IgnoreTally {
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        match entry {
            Ok(entry) => {
                self.counts.add(entry.metadata().map_err(io::Error::other));
            }
            // A directory that could not be read (the walker has visited
            // the directory itself already), or an entry that vanished.
            Err(_) => self.counts.unreadable += 1,
        }
        WalkState::Continue
    }
}

impl Drop for IgnoreTally {
    fn drop(&mut self) {
        self.total
            .lock()
            .expect("no walker thread panics holding the total")
            .merge(&self.counts);
    }
}

/// Makes each `ignore` walker thread's [`IgnoreTally`].
struct IgnoreTallies {
    total: Arc<Mutex<Counts>>,
}

impl<'s> ParallelVisitorBuilder<'s> for IgnoreTallies {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(IgnoreTally {
            counts: Counts::default(),
            total: Arc::clone(&self.total),
        })
    }
}

/// `ignore::WalkParallel` with `threads` threads and no filters (no
/// ignore files, hidden files included, links not followed).
pub fn walk_ignore(root: &Path, threads: usize) -> Counts {
    let total = Arc::new(Mutex::new(Counts::default()));
    WalkBuilder::new(root)
        .standard_filters(false)
        .hidden(false)
        .follow_links(false)
        .threads(threads)
        .build_parallel()
        .visit(&mut IgnoreTallies {
            total: Arc::clone(&total),
        });
    *total.lock().expect("no walker thread panicked")
}

/// What jwalk's `process_read_dir` keeps with each entry: its
/// `symlink_metadata`, taken on the pool thread that read its directory.
type JwalkState = ((), Option<io::Result<Metadata>>);

/// `jwalk` on a rayon pool of `threads` threads, entries unsorted.
pub fn walk_jwalk(root: &Path, threads: usize) -> Counts {
    let mut counts = Counts::default();
    let walk = WalkDirGeneric::<JwalkState>::new(root)
        .parallelism(Parallelism::RayonNewPool(threads))
        .sort(false)
        .skip_hidden(false)
        .follow_links(false)
        .process_read_dir(|_depth, _dir, _state, children| {
            for child in children.iter_mut().flatten() {
                child.client_state = Some(child.metadata().map_err(io::Error::other));
            }
        });
    for entry in walk {
        match entry {
            Ok(mut entry) => {
                let metadata = entry
                    .client_state
                    .take()
                    .unwrap_or_else(|| entry.metadata().map_err(io::Error::other));
                counts.add(metadata);
                if entry.read_children_error.is_some() {
                    counts.unreadable += 1;
                }
            }
            Err(_) => counts.unreadable += 1,
        }
    }
    counts
}
