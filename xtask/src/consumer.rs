//! `cargo xtask consumer-lockfile`: what a user's lock file holds.
//!
//! Writes a binary crate outside the workspace (under the system's
//! temporary directory) that depends on every library crate by path, as a
//! user's would, generates its lock file, and fails if the lock file names
//! a package a user should never see: loom (an optional dependency, only
//! under our loom cfgs) or any of the peers we measure against (dev and
//! bench dependencies only). The `package` stage of `cargo xtask verify`
//! runs it.

use std::path::Path;
use std::process::ExitCode;

use crate::command::Invocation;
use crate::workspace::Workspace;

/// Packages that must never reach a user's lock file.
const FORBIDDEN: [&str; 9] = [
    "loom",
    "crossbeam-deque",
    "crossbeam-queue",
    "crossbeam-channel",
    "st3",
    "flume",
    "concurrent-queue",
    "rayon",
    "criterion",
];

/// Entry point: `args` are the words after `consumer-lockfile` (none).
pub fn main(args: &[String]) -> ExitCode {
    if !args.is_empty() {
        eprintln!("error: `cargo xtask consumer-lockfile` takes no arguments");
        return ExitCode::from(2);
    }
    let result = Workspace::discover()
        .map_err(|error| format!("cannot read the workspace: {error}"))
        .and_then(|workspace| check(&workspace));
    match result {
        Ok(packages) => {
            println!(
                "a consumer of every library crate locks {} packages: {}",
                packages.len(),
                packages.join(", ")
            );
            ExitCode::SUCCESS
        }
        Err(why) => {
            eprintln!("error: {why}");
            ExitCode::FAILURE
        }
    }
}

/// Builds the consumer's lock file and returns the package names in it,
/// or why it is wrong.
fn check(workspace: &Workspace) -> Result<Vec<String>, String> {
    let dir = std::env::temp_dir().join("beam-family-consumer");
    write(&dir.join("src").join("main.rs"), "fn main() {}\n")?;
    write(&dir.join("Cargo.toml"), &manifest(workspace))?;
    let lock = dir.join("Cargo.lock");
    if lock.exists() {
        std::fs::remove_file(&lock)
            .map_err(|error| format!("cannot remove {}: {error}", lock.display()))?;
    }
    Invocation::cargo()
        .args(["generate-lockfile", "--manifest-path"])
        .args([dir.join("Cargo.toml").to_string_lossy()])
        .run(&workspace.root)?;
    let text = std::fs::read_to_string(&lock)
        .map_err(|error| format!("cannot read {}: {error}", lock.display()))?;
    let packages = locked_packages(&text);
    let forbidden: Vec<&str> = FORBIDDEN
        .into_iter()
        .filter(|name| packages.iter().any(|package| package == name))
        .collect();
    if forbidden.is_empty() {
        Ok(packages)
    } else {
        Err(format!(
            "a consumer's lock file ({}) names {}",
            lock.display(),
            forbidden.join(", ")
        ))
    }
}

/// The consumer's manifest: a path dependency on every library crate, and
/// an empty `[workspace]` so that it is its own workspace wherever it is.
fn manifest(workspace: &Workspace) -> String {
    let mut text = String::from(
        "[package]\nname = \"beam-family-consumer\"\nversion = \"0.0.0\"\n\
         edition = \"2024\"\npublish = false\n\n[dependencies]\n",
    );
    for krate in &workspace.crates {
        let path = workspace.root.join(&krate.dir);
        text.push_str(&format!(
            "{} = {{ path = {:?} }}\n",
            krate.name,
            path.to_string_lossy()
        ));
    }
    text.push_str("\n[workspace]\n");
    text
}

/// The `name = "..."` of every `[[package]]` in a lock file.
fn locked_packages(lock: &str) -> Vec<String> {
    lock.lines()
        .filter_map(|line| line.strip_prefix("name = "))
        .map(|name| name.trim_matches('"').to_owned())
        .collect()
}

/// Writes `contents` to `path`, creating its directory.
fn write(path: &Path, contents: &str) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|error| format!("cannot create {}: {error}", parent.display()))?;
    }
    std::fs::write(path, contents)
        .map_err(|error| format!("cannot write {}: {error}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_file_names_are_read() {
        let lock = "version = 4\n\n[[package]]\nname = \"a-b\"\nversion = \"1.0.0\"\n\n\
                    [[package]]\nname = \"loom\"\nversion = \"0.7.3\"\n";
        assert_eq!(locked_packages(lock), ["a-b", "loom"]);
    }

    #[test]
    fn the_consumer_depends_on_every_crate_by_path() {
        let workspace = Workspace::discover().expect("the workspace is readable");
        let text = manifest(&workspace);
        for krate in &workspace.crates {
            assert!(
                text.contains(&format!("{} = {{ path = ", krate.name)),
                "{text}"
            );
        }
        assert!(text.ends_with("[workspace]\n"));
    }
}
