//! Where the workspace is, and which library crates it holds.
//!
//! Crates are discovered from the filesystem (`crates/*/Cargo.toml`), so a
//! new crate joins every task by being in the workspace: there is no list to
//! edit here.

use std::io;
use std::path::{Path, PathBuf};

/// The workspace root and its library crates.
#[derive(Debug, Clone)]
pub struct Workspace {
    /// The directory holding the root `Cargo.toml`; tasks run from here.
    pub root: PathBuf,
    /// Every `crates/<name>/` with a `Cargo.toml`, sorted by name.
    pub crates: Vec<LibCrate>,
}

/// One library crate under `crates/`. By convention its directory name is
/// its package name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LibCrate {
    /// The package name, e.g. `beam-deque`.
    pub name: String,
    /// `crates/<name>/`.
    pub dir: PathBuf,
}

impl Workspace {
    /// Finds the root (the parent of this crate's manifest directory) and
    /// lists the library crates.
    pub fn discover() -> io::Result<Self> {
        let root = xtask_manifest_dir()
            .parent()
            .map(Path::to_path_buf)
            .ok_or_else(|| io::Error::other("xtask/ has no parent directory"))?;
        let crates = LibCrate::find_all(&root.join("crates"))?;
        Ok(Self { root, crates })
    }

    /// The target directory of commands run at the root: `CARGO_TARGET_DIR`
    /// when set, else `target` (relative paths are relative to the root).
    pub fn target_dir(&self) -> PathBuf {
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| PathBuf::from("target"), PathBuf::from)
    }
}

impl LibCrate {
    /// Every subdirectory of `crates_dir` with a `Cargo.toml`, sorted by name.
    fn find_all(crates_dir: &Path) -> io::Result<Vec<Self>> {
        let mut crates = Vec::new();
        for entry in std::fs::read_dir(crates_dir)? {
            let dir = entry?.path();
            if dir.join("Cargo.toml").is_file() {
                let name = dir
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default();
                crates.push(Self { name, dir });
            }
        }
        crates.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(crates)
    }

    /// Whether the crate has the integration test `tests/<test>.rs`.
    pub fn has_integration_test(&self, test: &str) -> bool {
        self.dir.join("tests").join(format!("{test}.rs")).is_file()
    }

    /// The cfg that switches this crate's `sync` shim to loom:
    /// `beam-deque` gives `beam_deque_loom`.
    pub fn loom_cfg(&self) -> String {
        format!("{}_loom", self.name.replace('-', "_"))
    }

    /// The loom preemption bound the crate asks for in its optional
    /// `loom-preemptions` file (one integer), if it has one.
    pub fn loom_preemptions(&self) -> Result<Option<u32>, String> {
        let path = self.dir.join("loom-preemptions");
        match std::fs::read_to_string(&path) {
            Ok(text) => text.trim().parse().map(Some).map_err(|_| {
                format!(
                    "{} must hold one integer, found {:?}",
                    path.display(),
                    text.trim()
                )
            }),
            Err(error) if error.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(error) => Err(format!("cannot read {}: {error}", path.display())),
        }
    }
}

/// This crate's directory, `<root>/xtask`: from `CARGO_MANIFEST_DIR` as
/// `cargo run` sets it, else as it was when the binary was built.
fn xtask_manifest_dir() -> PathBuf {
    std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loom_cfg_replaces_dashes() {
        let beam_deque = LibCrate {
            name: "beam-deque".into(),
            dir: PathBuf::from("crates/beam-deque"),
        };
        assert_eq!(beam_deque.loom_cfg(), "beam_deque_loom");
    }

    #[test]
    fn discovery_finds_this_workspace() {
        let workspace = Workspace::discover().expect("the workspace is readable");
        assert!(workspace.root.join("Cargo.toml").is_file());
        assert!(workspace.root.join("xtask").is_dir());
        let names: Vec<_> = workspace.crates.iter().map(|c| c.name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
    }
}
