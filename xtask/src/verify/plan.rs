//! What each stage runs: the exact cargo commands and their environment.

use crate::command::Invocation;
use crate::workspace::{LibCrate, Workspace};

use super::stage::Stage;

/// Loom's preemption bound when neither the crate's `loom-preemptions` file
/// nor the user's `LOOM_MAX_PREEMPTIONS` says otherwise.
const DEFAULT_LOOM_PREEMPTIONS: u32 = 2;

/// miri's checks beyond the defaults: no integer-to-pointer casts, and
/// alignment judged by what the program may assume, not by luck.
const MIRI_FLAGS: &str = "-Zmiri-strict-provenance -Zmiri-symbolic-alignment-check";

/// The commands of one stage.
#[derive(Debug)]
pub struct Plan {
    /// Commands that prepare the stage (installing miri). The stage stops at
    /// the first that fails; one that succeeded is not run again by a later
    /// stage in the same run.
    pub setup: Vec<Invocation>,
    /// The checks proper; every one runs, even after another fails.
    pub checks: Vec<Check>,
    /// Why the stage has nothing to run, if so.
    pub skip_reason: Option<String>,
}

/// One check of a stage.
#[derive(Debug)]
pub struct Check {
    /// The crate checked, for checks that run per crate.
    pub crate_name: Option<String>,
    /// The command, or why no command could be built (a malformed
    /// `loom-preemptions` file): the check then fails with that message.
    pub command: Result<Invocation, String>,
}

/// The commands that `stage` runs in `workspace`.
pub fn plan(stage: Stage, workspace: &Workspace) -> Plan {
    match stage {
        Stage::Fmt => Plan::one(Invocation::cargo().args(["fmt", "--all", "--", "--check"])),
        Stage::Clippy => Plan::one(Invocation::cargo().args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ])),
        Stage::Test => Plan::one(Invocation::cargo().args([
            "test",
            "--workspace",
            "--lib",
            "--bins",
            "--tests",
            "--examples",
        ])),
        Stage::Doc => Plan::one(Invocation::cargo().args(["test", "--workspace", "--doc"])),
        Stage::Loom => loom(workspace),
        Stage::MiriStackedBorrows => miri(MIRI_FLAGS.to_owned()),
        Stage::MiriTreeBorrows => miri(format!("{MIRI_FLAGS} -Zmiri-tree-borrows")),
        Stage::Stress => per_crate(workspace, "stress", |krate| {
            Ok(Invocation::cargo()
                .args(["test", "--release", "-p", &krate.name, "--test", "stress"])
                .args(["--", "--ignored", "--test-threads=1"]))
        }),
    }
}

impl Plan {
    /// A plan of one workspace-wide command.
    fn one(command: Invocation) -> Self {
        Self {
            setup: Vec::new(),
            checks: vec![Check {
                crate_name: None,
                command: Ok(command),
            }],
            skip_reason: None,
        }
    }
}

/// `cargo test --test <test>` for each crate that has `tests/<test>.rs`,
/// built by `command`; skipped when no crate has one.
fn per_crate(
    workspace: &Workspace,
    test: &str,
    command: impl Fn(&LibCrate) -> Result<Invocation, String>,
) -> Plan {
    let checks: Vec<Check> = workspace
        .crates
        .iter()
        .filter(|krate| krate.has_integration_test(test))
        .map(|krate| Check {
            crate_name: Some(krate.name.clone()),
            command: command(krate),
        })
        .collect();
    let skip_reason = checks
        .is_empty()
        .then(|| format!("no crate has tests/{test}.rs"));
    Plan {
        setup: Vec::new(),
        checks,
        skip_reason,
    }
}

/// Each crate's `tests/loom.rs`, with every crate's loom cfg set (so the
/// crates it depends on switch to loom too), in one shared target directory
/// (so loom and the other crates are built once for all of them).
fn loom(workspace: &Workspace) -> Plan {
    let mut rustflags: Vec<String> = std::env::var("RUSTFLAGS").into_iter().collect();
    rustflags.extend(
        workspace
            .crates
            .iter()
            .map(|krate| format!("--cfg {}", krate.loom_cfg())),
    );
    let rustflags = rustflags.join(" ");
    let target_dir = workspace.target_dir().join("loom");
    let user_preemptions = std::env::var("LOOM_MAX_PREEMPTIONS").ok();

    per_crate(workspace, "loom", |krate| {
        let preemptions = match &user_preemptions {
            Some(value) => value.clone(),
            None => krate
                .loom_preemptions()?
                .unwrap_or(DEFAULT_LOOM_PREEMPTIONS)
                .to_string(),
        };
        Ok(Invocation::cargo()
            .env("RUSTFLAGS", rustflags.as_str())
            .env("CARGO_TARGET_DIR", target_dir.to_string_lossy())
            .env("LOOM_MAX_PREEMPTIONS", preemptions)
            .args(["test", "-p", &krate.name])
            .args(["--profile", "loom", "--test", "loom"]))
    })
}

/// miri (nightly) on the library crates' unit and integration tests, with
/// `miri_flags`; installs miri first if it is missing.
fn miri(miri_flags: String) -> Plan {
    let install = Invocation::new("rustup").args([
        "component",
        "add",
        "--toolchain",
        "nightly",
        "miri",
        "rust-src",
    ]);
    let setup = Invocation::nightly_cargo().args(["miri", "setup"]);
    let test = Invocation::nightly_cargo()
        .env("MIRIFLAGS", miri_flags)
        .args(["miri", "test", "--workspace"])
        .args(["--exclude", "xtask", "--exclude", "benches"])
        .args(["--lib", "--tests"]);
    Plan {
        setup: vec![install, setup],
        checks: vec![Check {
            crate_name: None,
            command: Ok(test),
        }],
        skip_reason: None,
    }
}
