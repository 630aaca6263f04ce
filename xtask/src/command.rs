//! Building, echoing and running the external commands a task is made of.
//!
//! Every command carries its own environment changes, set on the child
//! process only, so one stage's `RUSTFLAGS` never leaks into the next.

use std::ffi::OsString;
use std::fmt;
use std::path::Path;
use std::process::Command;

/// Variables that `cargo run` (and the rustup proxy in front of it) set to
/// the pinned stable toolchain. A command that must run another toolchain
/// (nightly for miri) removes them, or it would silently get stable's.
const TOOLCHAIN_PINNING_VARS: &[&str] = &[
    "RUSTUP_TOOLCHAIN",
    "RUSTUP_TOOLCHAIN_SOURCE",
    "CARGO",
    "RUSTC",
    "RUSTDOC",
    "RUST_RECURSION_COUNT",
];

/// One external command: program, arguments and the environment changes it
/// runs with. The working directory is the caller's concern (see [`Self::run`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invocation {
    /// What to execute: a name looked up in `PATH`, or a path.
    program: OsString,
    /// Arguments, in order.
    args: Vec<String>,
    /// Variables set for the child only, in the order they were added.
    env_set: Vec<(String, String)>,
    /// Variables removed from the child's environment.
    env_removed: Vec<String>,
}

impl Invocation {
    /// A command that runs `program` with no arguments yet.
    pub fn new(program: impl Into<OsString>) -> Self {
        Self {
            program: program.into(),
            args: Vec::new(),
            env_set: Vec::new(),
            env_removed: Vec::new(),
        }
    }

    /// `cargo` of the pinned toolchain: the binary named by `CARGO` (set when
    /// the task runner itself was started by `cargo run`), else `cargo` from
    /// `PATH`, which the rustup proxy resolves through `rust-toolchain.toml`.
    pub fn cargo() -> Self {
        Self::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
    }

    /// `cargo` of the nightly toolchain, as `rustup run nightly cargo`.
    ///
    /// `cargo +nightly` only works when `cargo` is the rustup proxy, which the
    /// `CARGO` variable set by `cargo run` is not; `rustup run` always works.
    /// The variables that pin the stable toolchain are removed. (`cargo run`
    /// also puts stable's library directories on `LD_LIBRARY_PATH`; that is
    /// harmless, since rustup puts nightly's first and the compiler's
    /// libraries carry a per-version hash in their names.)
    pub fn nightly_cargo() -> Self {
        Self::toolchain_cargo("nightly")
    }

    /// `cargo` of the rustup toolchain `toolchain` (a channel such as
    /// `nightly`, or a version such as `1.85`), as `rustup run <toolchain>
    /// cargo`, unpinned from the stable toolchain as [`Self::nightly_cargo`].
    pub fn toolchain_cargo(toolchain: &str) -> Self {
        let mut invocation = Self::new("rustup").args(["run", toolchain, "cargo"]);
        for var in TOOLCHAIN_PINNING_VARS {
            invocation = invocation.env_remove(*var);
        }
        invocation
    }

    /// Appends several arguments.
    pub fn args<I>(mut self, args: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets a variable for this command only.
    pub fn env(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        let key = key.into();
        self.env_removed.retain(|removed| *removed != key);
        self.env_set.retain(|(set, _)| *set != key);
        self.env_set.push((key, value.into()));
        self
    }

    /// Removes a variable from this command's environment.
    pub fn env_remove(mut self, key: impl Into<String>) -> Self {
        let key = key.into();
        self.env_set.retain(|(set, _)| *set != key);
        self.env_removed.push(key);
        self
    }

    /// Prints the command as `$ VAR=value program args`, then runs it in
    /// `dir` with the task runner's stdin, stdout and stderr, and waits.
    ///
    /// `Err` says why it failed: it could not start, it exited non-zero, or
    /// it was killed by a signal.
    pub fn run(&self, dir: &Path) -> Result<(), String> {
        println!("$ {self}");
        let mut command = Command::new(&self.program);
        command.args(&self.args).current_dir(dir);
        for key in &self.env_removed {
            command.env_remove(key);
        }
        for (key, value) in &self.env_set {
            command.env(key, value);
        }
        let status = command
            .status()
            .map_err(|error| format!("could not start `{}`: {error}", self.program_name()))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("`{}` failed ({status})", self.program_name()))
        }
    }

    /// The program's file name (`cargo` rather than the full path that
    /// `CARGO` holds): short in the echo, and the same command when pasted
    /// into a shell at the workspace root, where `rust-toolchain.toml` pins
    /// the toolchain.
    fn program_name(&self) -> String {
        Path::new(&self.program)
            .file_name()
            .unwrap_or(self.program.as_os_str())
            .to_string_lossy()
            .into_owned()
    }
}

/// Shell form, ready to paste: the variables it sets, then the command.
/// (Removed variables are not shown: they only matter under `cargo run`.)
impl fmt::Display for Invocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (key, value) in &self.env_set {
            write!(f, "{key}={} ", shell_quote(value))?;
        }
        write!(f, "{}", shell_quote(&self.program_name()))?;
        for arg in &self.args {
            write!(f, " {}", shell_quote(arg))?;
        }
        Ok(())
    }
}

/// `word` as a POSIX shell reads it back: unchanged when it holds only
/// characters the shell leaves alone, else in single quotes.
fn shell_quote(word: &str) -> String {
    let is_plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c);
    if !word.is_empty() && word.chars().all(is_plain) {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_shows_set_variables_then_the_quoted_command() {
        let invocation = Invocation::new("/some/toolchain/bin/cargo")
            .args(["test", "-p", "beam-deque"])
            .env("RUSTFLAGS", "--cfg a_loom --cfg b_loom")
            .env("LOOM_MAX_PREEMPTIONS", "2");
        assert_eq!(
            invocation.to_string(),
            "RUSTFLAGS='--cfg a_loom --cfg b_loom' LOOM_MAX_PREEMPTIONS=2 cargo test -p beam-deque"
        );
    }

    #[test]
    fn setting_a_variable_twice_keeps_the_last_value() {
        let invocation = Invocation::new("x").env("A", "1").env("A", "2");
        assert_eq!(invocation.to_string(), "A=2 x");
    }

    #[test]
    fn shell_quote_escapes_single_quotes_and_empty_words() {
        assert_eq!(shell_quote("plain-word_1.0"), "plain-word_1.0");
        assert_eq!(shell_quote(""), "''");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn nightly_cargo_unpins_the_stable_toolchain() {
        let invocation = Invocation::nightly_cargo();
        assert!(
            invocation
                .to_string()
                .starts_with("rustup run nightly cargo")
        );
        for var in TOOLCHAIN_PINNING_VARS {
            assert!(invocation.env_removed.iter().any(|removed| removed == var));
        }
    }
}
