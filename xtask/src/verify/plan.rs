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
        Stage::Doc => doc(),
        Stage::NoStd => no_std(workspace),
        Stage::Msrv => msrv(workspace),
        Stage::Package => package(workspace),
        Stage::Loom => loom(workspace),
        Stage::MiriStackedBorrows => miri(workspace, MIRI_FLAGS.to_owned()),
        Stage::MiriTreeBorrows => miri(workspace, format!("{MIRI_FLAGS} -Zmiri-tree-borrows")),
        Stage::Tsan => tsan(workspace),
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
        Self::checks(vec![Check::all(command)])
    }

    /// A plan of these checks, with no setup.
    fn checks(checks: Vec<Check>) -> Self {
        Self {
            setup: Vec::new(),
            checks,
            skip_reason: None,
        }
    }

    /// A plan that runs nothing, for `reason`.
    fn skipped(reason: impl Into<String>) -> Self {
        Self {
            setup: Vec::new(),
            checks: Vec::new(),
            skip_reason: Some(reason.into()),
        }
    }

    /// This plan with `setup` run first.
    fn after(mut self, setup: Vec<Invocation>) -> Self {
        self.setup = setup;
        self
    }
}

impl Check {
    /// A workspace-wide check.
    fn all(command: Invocation) -> Self {
        Self {
            crate_name: None,
            command: Ok(command),
        }
    }

    /// A check named `name` in the failure note (a crate, or a target).
    fn named(name: impl Into<String>, command: Result<Invocation, String>) -> Self {
        Self {
            crate_name: Some(name.into()),
            command,
        }
    }
}

/// `-p <crate>` for every library crate.
fn each_library(workspace: &Workspace) -> Vec<String> {
    workspace
        .crates
        .iter()
        .flat_map(|krate| ["-p".to_owned(), krate.name.clone()])
        .collect()
}

/// `rustup component add` of nightly's `rust-src`, which `-Zbuild-std`
/// builds `core`, `alloc` and `std` from.
fn nightly_rust_src() -> Invocation {
    Invocation::new("rustup").args(["component", "add", "--toolchain", "nightly", "rust-src"])
}

/// The doc tests, and rustdoc itself with warnings denied (broken
/// intra-doc links, malformed examples, missing docs...).
fn doc() -> Plan {
    Plan::checks(vec![
        Check::all(Invocation::cargo().args(["test", "--workspace", "--doc"])),
        Check::all(
            Invocation::cargo()
                .env("RUSTDOCFLAGS", "-D warnings")
                .args(["doc", "--workspace", "--no-deps"]),
        ),
    ])
}

/// Every crate that names targets under `[package.metadata.no_std]`, built
/// for each with `--no-default-features` and nightly's `-Zbuild-std` (so
/// that no rustup target has to be installed): one check per target,
/// covering every crate that names it.
fn no_std(workspace: &Workspace) -> Plan {
    let mut by_target: Vec<(String, Vec<String>)> = Vec::new();
    let mut checks = Vec::new();
    for krate in &workspace.crates {
        match krate.no_std_targets() {
            Ok(targets) => {
                for target in targets {
                    match by_target.iter_mut().find(|(t, _)| *t == target) {
                        Some((_, crates)) => crates.push(krate.name.clone()),
                        None => by_target.push((target, vec![krate.name.clone()])),
                    }
                }
            }
            Err(why) => checks.push(Check::named(krate.name.clone(), Err(why))),
        }
    }
    if by_target.is_empty() && checks.is_empty() {
        return Plan::skipped("no crate names targets under [package.metadata.no_std]");
    }
    let target_dir = workspace.target_dir().join("no_std");
    for (target, crates) in by_target {
        let command = Invocation::nightly_cargo()
            .args(["build", "-Zbuild-std=core,alloc", "--no-default-features"])
            .args(["--target", &target])
            .args([
                "--target-dir".to_owned(),
                target_dir.to_string_lossy().into_owned(),
            ])
            .args(
                crates
                    .iter()
                    .flat_map(|name| ["-p".to_owned(), name.clone()]),
            );
        checks.push(Check::named(target, Ok(command)));
    }
    Plan::checks(checks).after(vec![nightly_rust_src()])
}

/// The library crates' unit and integration tests on the toolchain of the
/// workspace's `rust-version` (installed if missing), in their own target
/// directory: the promise that `rust-version` makes, kept.
fn msrv(workspace: &Workspace) -> Plan {
    let version = match workspace.package_field("rust-version") {
        Ok(version) => version,
        Err(why) => return Plan::checks(vec![Check::named("rust-version", Err(why))]),
    };
    let install =
        Invocation::new("rustup").args(["toolchain", "install", &version, "--profile", "minimal"]);
    let target_dir = workspace.target_dir().join("msrv");
    let test = Invocation::toolchain_cargo(&version)
        .args(["test", "--lib", "--tests", "--target-dir"])
        .args([target_dir.to_string_lossy()])
        .args(each_library(workspace));
    Plan::one(test).after(vec![install])
}

/// `cargo package` for every library crate, each `.crate` unpacked, then
/// each packaged crate's library and tests built from its unpacked
/// sources, with its siblings patched to their unpacked packages too: what
/// a user who downloads the crate, or a distribution that runs its tests,
/// gets. Then the lock file a user's crate gets (`cargo xtask
/// consumer-lockfile`): no loom, no peer.
///
/// `--no-verify`, and the build done here instead: cargo's own
/// verification builds the siblings from a local registry that it extracts
/// into `$CARGO_HOME/registry/src` once per name and version, so a second
/// run with changed sources but the same version builds the stale copy.
///
/// The packages go to a directory outside the workspace (under the system's
/// temporary directory), so that cargo does not take the unpacked crates
/// for misplaced members of this workspace.
fn package(workspace: &Workspace) -> Plan {
    let version = match workspace.package_field("version") {
        Ok(version) => version,
        Err(why) => return Plan::checks(vec![Check::named("version", Err(why))]),
    };
    let out = std::env::temp_dir().join("beam-family-package");
    let unpacked_dir = out.join("unpacked");
    let packaged = |name: &str| unpacked_dir.join(format!("{name}-{version}"));
    let make = Invocation::cargo()
        .args(["package", "--no-verify", "--allow-dirty", "--target-dir"])
        .args([out.to_string_lossy()])
        .args(each_library(workspace));
    // A fresh directory each run: no file left over from an older package.
    let clear = Invocation::new("rm").args([
        "-rf".to_owned(),
        unpacked_dir.to_string_lossy().into_owned(),
    ]);
    let create = Invocation::new("mkdir")
        .args(["-p".to_owned(), unpacked_dir.to_string_lossy().into_owned()]);
    let mut setup = vec![make, clear, create];
    for krate in &workspace.crates {
        let file = out
            .join("package")
            .join(format!("{}-{version}.crate", krate.name));
        // `-m`: files dated now, not with the fixed date `cargo package`
        // gives every file, which would make cargo take an older build of
        // changed sources for fresh.
        setup.push(Invocation::new("tar").args([
            "-xzmf".to_owned(),
            file.to_string_lossy().into_owned(),
            "-C".to_owned(),
            unpacked_dir.to_string_lossy().into_owned(),
        ]));
    }
    let test_target_dir = workspace.absolute_target_dir().join("package-tests");
    let checks = workspace
        .crates
        .iter()
        .map(|krate| {
            let mut command = Invocation::cargo()
                .args(["test", "--no-run", "--manifest-path"])
                .args([packaged(&krate.name).join("Cargo.toml").to_string_lossy()])
                .args(["--target-dir"])
                .args([test_target_dir.to_string_lossy()]);
            for sibling in workspace
                .crates
                .iter()
                .filter(|other| *other != krate && krate.depends_on(&other.name))
            {
                let path = packaged(&sibling.name);
                command = command.args([
                    "--config".to_owned(),
                    format!(
                        "patch.crates-io.{}.path={:?}",
                        sibling.name,
                        path.to_string_lossy()
                    ),
                ]);
            }
            Check::named(krate.name.clone(), Ok(command))
        })
        .chain([Check::named(
            "consumer lock file",
            Ok(Invocation::cargo().args(["xtask", "consumer-lockfile"])),
        )])
        .collect();
    Plan::checks(checks).after(setup)
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
/// crates it depends on switch to loom too) and its `loom` feature on (loom
/// is an optional dependency, and each crate's feature turns on its
/// siblings'), in one shared target directory (so loom and the other
/// crates are built once for all of them).
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
            .args(["test", "-p", &krate.name, "--features", "loom"])
            .args(["--profile", "loom", "--test", "loom"]))
    })
}

/// miri (nightly) on the library crates' unit and integration tests, with
/// `miri_flags`; installs miri first if it is missing.
fn miri(workspace: &Workspace, miri_flags: String) -> Plan {
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
        .args(["miri", "test"])
        .args(each_library(workspace))
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

/// Tests that ThreadSanitizer's runs leave out, by name, none of them
/// about races: those that measure stack use (TSan's instrumentation makes
/// every frame larger, so their deliberately small stacks overflow) or CPU
/// time (TSan's own thread spends some), the counting-allocator test, and
/// the single-threaded runs of 2^30 and 2^32 values (minutes each under
/// TSan).
const TSAN_SKIPPED_TESTS: [&str; 5] = [
    "small_stack",
    "use_no_cpu",
    "memory_follows_what_is_queued",
    "full_deque_at_the_largest_capacity_is_full",
    "fifo_owner_fills_and_empties_across_the_position_wrap",
];

/// The suppressions file for the peers the tests measure against, from
/// the workspace root.
const TSAN_SUPPRESSIONS: &str = "xtask/tsan-suppressions.txt";

/// ThreadSanitizer (nightly, `-Zsanitizer=thread`, with `std` rebuilt by
/// `-Zbuild-std` so that it is instrumented too) on the library crates'
/// unit and integration tests, then on their stress tests, optimised. It
/// checks the shipped code with its real orderings on real threads, which
/// loom cannot (loom checks `SeqCst` accesses as `AcqRel`, and bounds its
/// preemptions). The peers some tests compare against (rayon, `ignore`,
/// `jwalk`, all on crossbeam-deque) race by design; their reports are
/// suppressed by [`TSAN_SUPPRESSIONS`], ours never. Skipped on hosts TSan
/// does not support.
fn tsan(workspace: &Workspace) -> Plan {
    let host = match host_triple() {
        Ok(host) => host,
        Err(why) => return Plan::checks(vec![Check::named("host", Err(why))]),
    };
    if !TSAN_HOSTS.contains(&host.as_str()) {
        return Plan::skipped(format!("ThreadSanitizer does not support {host}"));
    }
    let mut rustflags: Vec<String> = std::env::var("RUSTFLAGS").into_iter().collect();
    rustflags.push("-Zsanitizer=thread".to_owned());
    let rustflags = rustflags.join(" ");
    let target_dir = workspace.target_dir().join("tsan");
    // Stop at the first report: a race is a failure, not a warning. The
    // suppressions name only the peers' known speculative reads (the file
    // says which and why), never a frame of ours.
    let tsan_options = format!(
        "halt_on_error=1 suppressions={}",
        workspace.root.join(TSAN_SUPPRESSIONS).display()
    );
    // Both checks build with the `loom` profile (optimised, with debug
    // assertions and overflow checks): one instrumented `std` for both, and
    // stress tests fast enough under TSan.
    let tsan_cargo = || {
        Invocation::nightly_cargo()
            .env("RUSTFLAGS", rustflags.as_str())
            .env("TSAN_OPTIONS", tsan_options.as_str())
            .args([
                "test",
                "-Zbuild-std",
                "--target",
                &host,
                "--profile",
                "loom",
            ])
            .args([
                "--target-dir".to_owned(),
                target_dir.to_string_lossy().into_owned(),
            ])
    };
    let skips = || TSAN_SKIPPED_TESTS.iter().flat_map(|name| ["--skip", name]);
    let tests = tsan_cargo()
        .args(each_library(workspace))
        .args(["--tests", "--"])
        .args(skips());
    let mut checks = vec![Check::all(tests)];
    let stressed: Vec<&LibCrate> = workspace
        .crates
        .iter()
        .filter(|krate| krate.has_integration_test("stress"))
        .collect();
    if !stressed.is_empty() {
        let stress = tsan_cargo()
            .args(
                stressed
                    .iter()
                    .flat_map(|krate| ["-p", krate.name.as_str()]),
            )
            .args(["--test", "stress", "--"])
            .args(["--ignored", "--test-threads=1"])
            .args(skips());
        checks.push(Check::all(stress));
    }
    Plan::checks(checks).after(vec![nightly_rust_src()])
}

/// The hosts ThreadSanitizer runs on (rustc's supported list, less the
/// ones this project has no machine to try).
const TSAN_HOSTS: [&str; 2] = ["x86_64-unknown-linux-gnu", "aarch64-unknown-linux-gnu"];

/// The host's target triple, from `rustc -vV`.
fn host_triple() -> Result<String, String> {
    let output = std::process::Command::new("rustc")
        .arg("-vV")
        .output()
        .map_err(|error| format!("could not run `rustc -vV`: {error}"))?;
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .find_map(|line| line.strip_prefix("host: "))
        .map(str::to_owned)
        .ok_or_else(|| "`rustc -vV` printed no host".to_owned())
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    /// The suppressions file exists, holds only `race:` lines, and none of
    /// them could match a frame of one of this workspace's crates. TSan
    /// matches a pattern anywhere in a frame's name, `*` standing for any
    /// text, so each pattern must start with a peer's crate name that no
    /// name of ours contains (`crossbeam_deque` is fine: `beam_deque` is
    /// inside it, not the other way round).
    #[test]
    fn tsan_suppressions_name_only_peers() {
        let xtask = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = xtask.parent().expect("xtask lives in the workspace root");
        let file = root.join(super::TSAN_SUPPRESSIONS);
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", file.display()));
        let ours: Vec<String> = std::fs::read_dir(root.join("crates"))
            .expect("the workspace has a crates/ folder")
            .map(|entry| entry.expect("readable crates/ entry").file_name())
            .map(|name| name.to_string_lossy().replace('-', "_"))
            .collect();
        assert!(!ours.is_empty(), "no crates found under crates/");
        let rules: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect();
        assert!(!rules.is_empty(), "{} has no rules", file.display());
        for rule in rules {
            let pattern = rule
                .strip_prefix("race:")
                .unwrap_or_else(|| panic!("only race: suppressions belong here, not {rule:?}"));
            let anchor = pattern.split('*').next().unwrap_or_default();
            assert!(
                anchor.contains('_') || anchor.contains("::"),
                "{rule:?} must start with a crate name, not {anchor:?}"
            );
            for krate in &ours {
                assert!(
                    !krate.contains(anchor),
                    "{rule:?} could hide a race in {krate}"
                );
            }
        }
    }
}
