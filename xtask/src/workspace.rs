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

    /// [`Self::target_dir`] as an absolute path.
    pub fn absolute_target_dir(&self) -> PathBuf {
        self.root.join(self.target_dir())
    }

    /// A string field of the root manifest's `[workspace.package]`, such as
    /// `rust-version` or `version`.
    pub fn package_field(&self, key: &str) -> Result<String, String> {
        let path = self.root.join("Cargo.toml");
        let text = std::fs::read_to_string(&path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        section(&text, "workspace.package")
            .and_then(|lines| string_field(lines, key))
            .ok_or_else(|| format!("{} has no [workspace.package] {key}", path.display()))
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

    /// The targets without `std` the crate says it builds for, in its
    /// manifest: `targets = [..]` under `[package.metadata.no_std]` (built
    /// with `--no-default-features` by the `no_std` stage). Empty if it
    /// claims none.
    pub fn no_std_targets(&self) -> Result<Vec<String>, String> {
        let path = self.dir.join("Cargo.toml");
        let text = std::fs::read_to_string(&path)
            .map_err(|error| format!("cannot read {}: {error}", path.display()))?;
        Ok(section(&text, "package.metadata.no_std")
            .and_then(|lines| string_list(lines, "targets"))
            .unwrap_or_default())
    }

    /// Whether the crate's manifest names `package` as a dependency (a line
    /// `package = ...`, in any dependency table).
    pub fn depends_on(&self, package: &str) -> bool {
        let prefix = format!("{package} = ");
        std::fs::read_to_string(self.dir.join("Cargo.toml"))
            .is_ok_and(|text| text.lines().any(|line| line.starts_with(&prefix)))
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

/// The lines of the TOML table `[name]` in `text`, up to the next table.
fn section<'t>(text: &'t str, name: &str) -> Option<Vec<&'t str>> {
    let header = format!("[{name}]");
    let mut lines = text.lines().skip_while(|line| line.trim() != header);
    lines.next()?;
    Some(
        lines
            .take_while(|line| !line.trim_start().starts_with('['))
            .collect(),
    )
}

/// The value of `key = "value"` among `lines`.
fn string_field(lines: Vec<&str>, key: &str) -> Option<String> {
    lines.iter().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        (k.trim() == key).then(|| v.trim().trim_matches('"').to_owned())
    })
}

/// The quoted strings of `key = ["a", "b"]` (on one line) among `lines`.
fn string_list(lines: Vec<&str>, key: &str) -> Option<Vec<String>> {
    lines.iter().find_map(|line| {
        let (k, v) = line.split_once('=')?;
        let inner = v.trim().strip_prefix('[')?.strip_suffix(']')?;
        (k.trim() == key).then(|| {
            inner
                .split(',')
                .map(|item| item.trim().trim_matches('"').to_owned())
                .filter(|item| !item.is_empty())
                .collect()
        })
    })
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
    fn manifest_fields_are_read_from_their_own_table() {
        let text = "[package]\nname = \"x\"\nrust-version = \"1.0\"\n\n\
                    [package.metadata.no_std]\n# why\ntargets = [\"a-b\", \"c\"]\n\
                    [features]\ntargets = [\"not-this\"]\n";
        let metadata = section(text, "package.metadata.no_std").unwrap();
        assert_eq!(string_list(metadata, "targets").unwrap(), ["a-b", "c"]);
        let package = section(text, "package").unwrap();
        assert_eq!(string_field(package, "rust-version").unwrap(), "1.0");
        assert!(section(text, "dependencies").is_none());
    }

    #[test]
    fn this_workspace_declares_its_msrv_and_no_std_targets() {
        let workspace = Workspace::discover().expect("the workspace is readable");
        assert!(workspace.package_field("rust-version").is_ok());
        assert!(
            workspace
                .crates
                .iter()
                .any(|krate| !krate.no_std_targets().unwrap().is_empty())
        );
    }

    /// Clippy denies warnings, and an undeclared cfg warns: a crate added
    /// without its loom cfg in the root `check-cfg` list fails here, with
    /// the one place to edit named.
    #[test]
    fn every_crates_loom_cfg_is_declared_in_the_root_check_cfg_list() {
        let workspace = Workspace::discover().expect("the workspace is readable");
        let root = std::fs::read_to_string(workspace.root.join("Cargo.toml")).unwrap();
        for krate in &workspace.crates {
            let declared = format!("\"cfg({})\"", krate.loom_cfg());
            assert!(
                root.contains(&declared),
                "add {declared} to `unexpected_cfgs` `check-cfg` in the root Cargo.toml"
            );
        }
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
