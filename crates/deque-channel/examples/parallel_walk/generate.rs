//! A generated tree to walk: the same on every machine (a seeded random
//! shape), uneven as real trees are. The criterion benchmark walks one of
//! about 50,000 entries; `parallel_walk --generated N` walks the same.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// A directory tree made under the system's temporary directory, removed
/// when dropped.
#[derive(Debug)]
pub struct GeneratedTree {
    root: PathBuf,
}

impl GeneratedTree {
    /// Makes a tree of `entries` entries (directories and small files, the
    /// root not counted) in a new directory named after `name` and this
    /// process.
    ///
    /// The shape: directories are filled breadth first from a seeded
    /// random stream; each gets 0 to 15 files of 0 to 255 bytes (one in 64
    /// gets 200) and 0 to 5 subdirectories, so some subtrees are deep and
    /// bushy and others end at once; the last directories made stay empty.
    pub fn new(name: &str, entries: usize) -> io::Result<GeneratedTree> {
        let root = std::env::temp_dir().join(format!("{name}-{}", std::process::id()));
        if root.exists() {
            fs::remove_dir_all(&root)?;
        }
        fs::create_dir_all(&root)?;
        let tree = GeneratedTree { root };
        let mut rng = fastrand::Rng::with_seed(0x5EED_1234);
        let mut made = 0;
        let mut to_fill = std::collections::VecDeque::from([tree.root.clone()]);
        let content = [b'x'; 256];
        while let Some(dir) = to_fill.pop_front() {
            let files = if rng.u32(0..64) == 0 {
                200
            } else {
                rng.usize(0..16)
            };
            let files = files.min(entries - made);
            for f in 0..files {
                fs::write(dir.join(format!("f{f}")), &content[..rng.usize(0..256)])?;
            }
            made += files;
            // Keep at least one directory to fill while short of the size.
            let at_least = usize::from(to_fill.is_empty());
            for d in 0..rng.usize(at_least..6) {
                if made >= entries {
                    break;
                }
                let sub = dir.join(format!("d{d}"));
                fs::create_dir(&sub)?;
                made += 1;
                to_fill.push_back(sub);
            }
        }
        Ok(tree)
    }

    /// The tree's root directory.
    pub fn root(&self) -> &Path {
        &self.root
    }
}

impl Drop for GeneratedTree {
    fn drop(&mut self) {
        // Best effort: a leftover temporary directory is no reason to panic.
        let _ = fs::remove_dir_all(&self.root);
    }
}
