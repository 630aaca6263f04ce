//! The `parallel_walk` example's walk on a tree made to be awkward: very
//! deep, very wide (more subdirectories in one directory than a worker's
//! deque holds), symlink loops and a dangling link, a socket, empty
//! directories, directories that appear and vanish during the walk, and a
//! directory this user may not read (unless it is root, which reads every
//! directory: then that one is counted as read, and walkdir must agree
//! either way). Its counts must be walkdir's, with 1 to 8 workers, many
//! times over (a termination race would show as a wrong count or a hang);
//! the peers the example measures against must count alike.

#![cfg(unix)]

#[path = "../examples/parallel_walk/peers.rs"]
mod peers;
#[path = "../examples/parallel_walk/walk.rs"]
mod walk;

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::os::unix::net::UnixListener;
use std::path::{Path, PathBuf};

use peers::{walk_ignore, walk_jwalk, walk_walkdir};
use walk::{Counts, StatBy, walk_deque_channel};

/// How deep the deep chain goes, and how many subdirectories the wide
/// directory has (well over the 256 a worker's deque holds).
const DEPTH: usize = 120;
const WIDTH: usize = 2_000;

/// The awkward tree, removed when dropped (permissions restored first).
struct AwkwardTree {
    root: PathBuf,
    locked: PathBuf,
    /// Whether this user could not read `locked` (root can).
    locked_is_unreadable: bool,
}

impl AwkwardTree {
    fn new(name: &str) -> AwkwardTree {
        let root = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(&root).unwrap();

        let mut deep = root.join("deep");
        for level in 0..DEPTH {
            deep.push(format!("{}", level % 10));
        }
        fs::create_dir_all(&deep).unwrap();
        fs::write(deep.join("bottom"), b"12345").unwrap();

        let wide = root.join("wide");
        fs::create_dir(&wide).unwrap();
        for i in 0..WIDTH {
            let sub = wide.join(format!("{i}"));
            fs::create_dir(&sub).unwrap();
            if i % 10 == 0 {
                fs::write(sub.join("f"), b"ab").unwrap();
            }
        }

        let links = root.join("links");
        fs::create_dir(&links).unwrap();
        symlink(".", links.join("self")).unwrap();
        symlink("..", links.join("parent")).unwrap();
        symlink("b", links.join("a")).unwrap();
        symlink("a", links.join("b")).unwrap();
        symlink("nowhere", links.join("dangling")).unwrap();

        // A socket file: neither file, directory nor link.
        let socket = root.join("socket");
        drop(UnixListener::bind(&socket).unwrap());

        for empty in ["empty1", "empty2/empty3"] {
            fs::create_dir_all(root.join(empty)).unwrap();
        }

        let locked = root.join("locked");
        fs::create_dir(&locked).unwrap();
        fs::write(locked.join("hidden"), b"secret").unwrap();
        fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
        let locked_is_unreadable = fs::read_dir(&locked).is_err();

        AwkwardTree {
            root,
            locked,
            locked_is_unreadable,
        }
    }

    /// What a walk must count, worked out from the construction.
    fn expected(&self) -> Counts {
        let readable_locked = u64::from(!self.locked_is_unreadable);
        Counts {
            // root, deep chain, wide + its subdirectories, links, the
            // three empty ones, locked.
            dirs: 1 + (1 + DEPTH as u64) + (1 + WIDTH as u64) + 1 + 3 + 1,
            files: 1 + (WIDTH as u64 / 10) + readable_locked,
            symlinks: 5,
            others: 1,
            file_bytes: 5 + 2 * (WIDTH as u64 / 10) + 6 * readable_locked,
            unreadable: u64::from(self.locked_is_unreadable),
        }
    }
}

impl Drop for AwkwardTree {
    fn drop(&mut self) {
        let _ = fs::set_permissions(&self.locked, fs::Permissions::from_mode(0o755));
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn root(tree: &AwkwardTree) -> &Path {
    &tree.root
}

#[test]
#[cfg_attr(miri, ignore = "miri's isolation has no file system")]
fn walkdir_counts_what_the_tree_was_made_of() {
    let tree = AwkwardTree::new("walk-reference");
    assert_eq!(walk_walkdir(root(&tree)), tree.expected());
}

#[test]
#[cfg_attr(miri, ignore = "miri's isolation has no file system")]
fn the_channel_walk_counts_what_walkdir_counts_every_time() {
    let tree = AwkwardTree::new("walk-channel");
    let expected = walk_walkdir(root(&tree));
    for threads in [1, 2, 3, 4, 8] {
        for round in 0..12 {
            let stat = if round % 2 == 0 {
                StatBy::OpenDirectory
            } else {
                StatBy::Path
            };
            let (counts, stats) = walk_deque_channel(root(&tree), threads, stat);
            assert_eq!(
                counts, expected,
                "{threads} workers, round {round}, {stat:?}"
            );
            let read: u64 = stats
                .iter()
                .map(|s| s.recv_local + s.recv_global + s.recv_stolen)
                .sum();
            // Every directory was received once: the readable ones and the
            // one that could not be read.
            assert_eq!(read, expected.dirs, "{threads} workers, round {round}");
        }
    }
}

#[test]
#[cfg_attr(miri, ignore = "miri's isolation has no file system")]
fn the_wide_directory_spills_into_the_global_queue_and_is_shared() {
    let tree = AwkwardTree::new("walk-wide");
    let (_, stats) = walk_deque_channel(&tree.root.join("wide"), 2, StatBy::OpenDirectory);
    let offloaded: u64 = stats.iter().map(|s| s.offloaded).sum();
    assert!(
        offloaded > 0,
        "{WIDTH} subdirectories in one directory must overflow a 256-slot deque: {stats:?}"
    );
}

#[test]
#[cfg_attr(miri, ignore = "miri's isolation has no file system")]
fn a_root_that_is_no_directory_is_one_entry() {
    let tree = AwkwardTree::new("walk-odd-roots");
    let file = tree.root.join("wide/0/f");
    let (counts, _) = walk_deque_channel(&file, 2, StatBy::OpenDirectory);
    assert_eq!(counts, walk_walkdir(&file));
    assert_eq!(
        (counts.files, counts.file_bytes, counts.entries()),
        (1, 2, 1)
    );
    let socket = tree.root.join("socket");
    let (counts, stats) = walk_deque_channel(&socket, 2, StatBy::OpenDirectory);
    assert_eq!(counts, walk_walkdir(&socket));
    assert_eq!((counts.others, counts.entries()), (1, 1));
    assert!(
        stats.is_empty(),
        "no channel for a root that is no directory"
    );
    let missing = tree.root.join("missing");
    let (counts, _) = walk_deque_channel(&missing, 2, StatBy::OpenDirectory);
    assert_eq!(counts, walk_walkdir(&missing));
    assert_eq!((counts.unreadable, counts.entries()), (1, 0));
}

#[test]
#[cfg_attr(miri, ignore = "miri's isolation has no file system")]
fn entries_that_vanish_mid_walk_are_counted_never_a_panic() {
    let tree = AwkwardTree::new("walk-churn");
    let stable = walk_walkdir(root(&tree));
    let churn = tree.root.join("churn");
    fs::create_dir(&churn).unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    std::thread::scope(|scope| {
        // Directories (each with a file) appear and vanish under the walk.
        scope.spawn(|| {
            let mut round = 0u32;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let dir = churn.join(format!("{}", round % 8));
                if fs::create_dir(&dir).is_ok() {
                    let _ = fs::write(dir.join("f"), b"x");
                } else {
                    let _ = fs::remove_dir_all(&dir);
                }
                round += 1;
            }
        });
        for round in 0..20 {
            let (counts, _) = walk_deque_channel(root(&tree), 1 + round % 4, StatBy::OpenDirectory);
            // Everything outside `churn/` is as it was; `churn` itself is
            // one more directory; what vanished is `unreadable`, or was
            // never seen.
            assert!(
                counts.dirs > stable.dirs
                    && counts.files >= stable.files
                    && counts.unreadable >= stable.unreadable
                    && counts.dirs <= stable.dirs + 9
                    && counts.files <= stable.files + 8,
                "round {round}: {counts:?} against {stable:?} before the churn"
            );
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
    });
}

#[test]
#[cfg_attr(miri, ignore = "miri's isolation has no file system")]
fn the_peers_count_what_walkdir_counts() {
    let tree = AwkwardTree::new("walk-peers");
    let expected = walk_walkdir(root(&tree));
    for threads in [1, 2, 4] {
        assert_eq!(
            walk_ignore(root(&tree), threads),
            expected,
            "ignore, {threads}"
        );
        assert_eq!(
            walk_jwalk(root(&tree), threads),
            expected,
            "jwalk, {threads}"
        );
    }
}
