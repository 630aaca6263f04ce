//! The walk on deque-channel, and what every walker counts. Also compiled
//! into the integration test (`tests/parallel_walk.rs`) and the criterion
//! benchmark (`benches/benches/deque_channel.rs`), by `#[path]`.
//!
//! Every walker counts the same things the same way: each entry under the
//! root, the root included, gets one `symlink_metadata` (symlinks are
//! counted, never followed), and [`Counts::add`] files it by the type that
//! returns. A directory that cannot be read, an entry that vanished between
//! its directory's read and its `symlink_metadata`, and an error the
//! directory listing itself returns are each one `unreadable`; the walk goes
//! on.

use std::fs::{self, Metadata};
use std::io;
use std::path::{Path, PathBuf};
use std::thread;

use deque_channel::{DequeChannel, WorkerStats};

/// What a walk found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    /// Directories, the root included when it is one.
    pub dirs: u64,
    /// Regular files.
    pub files: u64,
    /// Symbolic links (not followed).
    pub symlinks: u64,
    /// Everything else: sockets, pipes, devices.
    pub others: u64,
    /// The regular files' lengths, summed.
    pub file_bytes: u64,
    /// Directories that could not be read, entries that vanished, listing
    /// errors.
    pub unreadable: u64,
}

impl Counts {
    /// Files one entry by its `symlink_metadata`. Returns whether it is a
    /// directory, to read next.
    pub fn add(&mut self, metadata: io::Result<Metadata>) -> bool {
        let Ok(metadata) = metadata else {
            self.unreadable += 1;
            return false;
        };
        let kind = metadata.file_type();
        if kind.is_dir() {
            self.dirs += 1;
            true
        } else if kind.is_file() {
            self.files += 1;
            self.file_bytes += metadata.len();
            false
        } else if kind.is_symlink() {
            self.symlinks += 1;
            false
        } else {
            self.others += 1;
            false
        }
    }

    /// Adds another part of the same walk.
    pub fn merge(&mut self, other: &Counts) {
        self.dirs += other.dirs;
        self.files += other.files;
        self.symlinks += other.symlinks;
        self.others += other.others;
        self.file_bytes += other.file_bytes;
        self.unreadable += other.unreadable;
    }

    /// Entries found: directories, files, symlinks and others.
    pub fn entries(&self) -> u64 {
        self.dirs + self.files + self.symlinks + self.others
    }
}

/// The walk on deque-channel, as a user writes it: each of `threads`
/// workers loops on `recv_blocking`, reads the directory it got, sends the
/// subdirectories it finds and counts the rest; the walk ends when the
/// channel is *done* (closed, empty, every worker waiting). There is no
/// counter of outstanding directories, and an idle worker sleeps.
///
/// The channel is [unbounded](deque_channel::Builder::unbounded), so a
/// worker's `send` never fails: a directory with a million subdirectories
/// spills from the worker's deque into the global queue, where every worker
/// can take them. (With a bounded channel a worker would have to keep what
/// does not fit and walk it alone, or block while it may be the one who
/// would drain the channel.) What the channel holds is the directories
/// found and not yet read, a path each: as much as `ignore`'s walker holds.
///
/// `stat` says how each entry's `symlink_metadata` is taken.
///
/// Returns the counts and each worker's counters.
pub fn walk_deque_channel(root: &Path, threads: usize, stat: StatBy) -> (Counts, Vec<WorkerStats>) {
    let mut counts = Counts::default();
    if !counts.add(fs::symlink_metadata(root)) {
        return (counts, Vec::new());
    }
    let (channel, workers) = DequeChannel::builder().workers(threads).unbounded().build();
    channel
        .send(root.to_path_buf())
        .expect("an open, unbounded channel takes every send");
    // Only the workers send from now on: the channel is done when they
    // have all run dry.
    channel.close();
    let parts: Vec<Counts> = thread::scope(|scope| {
        let handles: Vec<_> = workers
            .into_iter()
            .map(|worker| {
                scope.spawn(move || {
                    let mut counts = Counts::default();
                    while let Ok(dir) = worker.recv_blocking() {
                        read_one(&dir, stat, &mut counts, |subdir| {
                            worker
                                .send(subdir)
                                .expect("an unbounded channel takes every worker's send");
                        });
                    }
                    counts
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("a walker thread panicked"))
            .collect()
    });
    for part in &parts {
        counts.merge(part);
    }
    (counts, channel.stats())
}

/// How a walk takes an entry's `symlink_metadata`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatBy {
    /// `std::fs::DirEntry::metadata`: relative to the directory being read
    /// (`fstatat` on Linux), so no path is built for an entry that is not
    /// a directory and the kernel does not walk the path again. What this
    /// walk uses.
    OpenDirectory,
    /// `std::fs::symlink_metadata` of the entry's whole path, as `walkdir`,
    /// `ignore` and `jwalk` do: the same system calls as the peers, so
    /// that the comparison shows the channel's part alone.
    Path,
}

/// Reads one directory: counts each entry by its `symlink_metadata` and
/// hands each subdirectory's path to `found_dir`.
pub fn read_one(dir: &Path, stat: StatBy, counts: &mut Counts, mut found_dir: impl FnMut(PathBuf)) {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(_) => {
            counts.unreadable += 1;
            return;
        }
    };
    for entry in entries {
        match entry {
            Ok(entry) => {
                let metadata = match stat {
                    StatBy::OpenDirectory => entry.metadata(),
                    StatBy::Path => fs::symlink_metadata(entry.path()),
                };
                if counts.add(metadata) {
                    found_dir(entry.path());
                }
            }
            Err(_) => counts.unreadable += 1,
        }
    }
}
