//! The stages of `cargo xtask verify`, their names and the order they run in.

/// One stage of the test matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// `cargo fmt --check`.
    Fmt,
    /// `cargo clippy` on all targets, warnings denied.
    Clippy,
    /// Unit, integration and example tests (no doc tests, no benches).
    Test,
    /// Doc tests, and rustdoc with warnings denied.
    Doc,
    /// The crates that claim `no_std`, built for the targets they name.
    NoStd,
    /// The library crates' tests on the declared `rust-version`.
    Msrv,
    /// `cargo package`, and each packaged crate's tests built from it.
    Package,
    /// Each crate's `tests/loom.rs`, model-checked under its loom cfg.
    Loom,
    /// miri under stacked borrows.
    MiriStackedBorrows,
    /// miri under tree borrows.
    MiriTreeBorrows,
    /// ThreadSanitizer on the library crates' tests and stress tests.
    Tsan,
    /// Each crate's `tests/stress.rs`, in release, ignored tests included.
    Stress,
}

impl Stage {
    /// Every stage, in the order they run: cheap and likely to fail first.
    pub const ALL: [Stage; 12] = [
        Stage::Fmt,
        Stage::Clippy,
        Stage::Test,
        Stage::Doc,
        Stage::NoStd,
        Stage::Msrv,
        Stage::Package,
        Stage::Loom,
        Stage::MiriStackedBorrows,
        Stage::MiriTreeBorrows,
        Stage::Tsan,
        Stage::Stress,
    ];

    /// Names on the command line that stand for several stages.
    pub const GROUPS: [(&'static str, &'static [Stage]); 1] =
        [("miri", &[Stage::MiriStackedBorrows, Stage::MiriTreeBorrows])];

    /// The name used on the command line and in the table.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Fmt => "fmt",
            Stage::Clippy => "clippy",
            Stage::Test => "test",
            Stage::Doc => "doc",
            Stage::NoStd => "no_std",
            Stage::Msrv => "msrv",
            Stage::Package => "package",
            Stage::Loom => "loom",
            Stage::MiriStackedBorrows => "miri-sb",
            Stage::MiriTreeBorrows => "miri-tb",
            Stage::Tsan => "tsan",
            Stage::Stress => "stress",
        }
    }

    /// One line on what the stage checks, for `--help` and the log.
    pub fn description(self) -> &'static str {
        match self {
            Stage::Fmt => "formatting (cargo fmt --check)",
            Stage::Clippy => "clippy on all targets, warnings denied",
            Stage::Test => "unit, integration and example tests",
            Stage::Doc => "doc tests, and cargo doc with warnings denied",
            Stage::NoStd => {
                "crates claiming no_std, built without std for the targets their manifests name"
            }
            Stage::Msrv => "library crates' tests on the workspace's rust-version",
            Stage::Package => {
                "cargo package, each packaged crate's tests built from the .crate, \
                 and a consumer's lock file checked free of loom and peers"
            }
            Stage::Loom => "loom models: tests/loom.rs of each crate, under --cfg <crate>_loom",
            Stage::MiriStackedBorrows => {
                "miri (nightly) on lib and integration tests, stacked borrows"
            }
            Stage::MiriTreeBorrows => "miri (nightly) on lib and integration tests, tree borrows",
            Stage::Tsan => "ThreadSanitizer (nightly) on lib, integration and stress tests",
            Stage::Stress => "tests/stress.rs of each crate, release build, ignored tests included",
        }
    }

    /// The stages a command-line name stands for: one stage, or a group.
    pub fn by_name(name: &str) -> Option<Vec<Stage>> {
        if let Some(stage) = Stage::ALL.into_iter().find(|stage| stage.name() == name) {
            return Some(vec![stage]);
        }
        Stage::GROUPS
            .iter()
            .find(|(group, _)| *group == name)
            .map(|(_, stages)| stages.to_vec())
    }
}
