//! The project's task runner, run as `cargo xtask <command>` (an alias in
//! `.cargo/config.toml`).
//!
//! std only, so it compiles in seconds on a fresh machine. Each subcommand
//! lives in its own module; `main` only picks one and turns its outcome into
//! an exit code.
//!
//! Why std only, with a JSON reader of our own (`bench/json.rs`, about 400
//! lines with its tests) rather than `serde_json`: every `cargo xtask` on a
//! fresh checkout (CI, a contributor's first `verify`) builds the runner
//! first. Measured on the project's 2-core machine (2026-12-01): xtask
//! alone builds in 2.2 s from nothing; `serde_json` and what it pulls in
//! (serde, itoa, ryu, memchr) take 3.4 s on their own, more than doubling
//! that, and would be a dependency outside the project's list. The reader
//! only has to read criterion's `benchmark.json` and `estimates.json` and
//! our own result files, whose shapes we control; its tests pin what it
//! accepts. If the bench reporting grows to need more of JSON than that,
//! revisit.

mod bench;
mod command;
mod consumer;
mod verify;
mod workspace;

use std::process::ExitCode;

/// Usage text for `cargo xtask help`, and after a usage error.
const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  verify    run the test matrix (fmt, clippy, tests, doc tests, loom, miri, stress)
            and print a table of stages; see `cargo xtask verify --help`
  bench     run the benchmarks, ours against the peers, and write a table, JSON
            and charts under target/bench/; see `cargo xtask bench --help`
  consumer-lockfile
            check that a crate depending on every library crate locks no loom
            and no peer (run by `cargo xtask verify --only package`)
  help      print this message
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((subcommand, rest)) = args.split_first() else {
        eprint!("error: no command given\n\n{USAGE}");
        return ExitCode::from(2);
    };
    match subcommand.as_str() {
        "verify" => verify::main(rest),
        "bench" => bench::main(rest),
        "consumer-lockfile" => consumer::main(rest),
        "help" | "-h" | "--help" => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        other => {
            eprint!("error: unknown command `{other}`\n\n{USAGE}");
            ExitCode::from(2)
        }
    }
}
