//! `cargo xtask verify`: the test matrix.
//!
//! Runs every selected stage in order, keeps going after a failure, then
//! prints a table of stages (pass, fail or skipped, and seconds) and exits
//! non-zero if any stage failed. The stages are named in [`stage`], what each
//! one runs is in [`plan`], the command line is in [`options`] and the table
//! is in [`report`].

mod options;
mod plan;
mod report;
mod stage;

use std::process::ExitCode;
use std::time::Instant;

use crate::command::Invocation;
use crate::workspace::Workspace;
use options::Parsed;
use plan::Plan;
use report::{Outcome, Verdict};
use stage::Stage;

/// Entry point: `args` are the words after `verify`.
pub fn main(args: &[String]) -> ExitCode {
    let selection = match options::parse(args) {
        Ok(Parsed::Help) => {
            print!("{}", options::usage());
            return ExitCode::SUCCESS;
        }
        Ok(Parsed::Run(selection)) => selection,
        Err(message) => {
            eprintln!("error: {message}\nrun `cargo xtask verify --help` for usage");
            return ExitCode::from(2);
        }
    };
    let workspace = match Workspace::discover() {
        Ok(workspace) => workspace,
        Err(error) => {
            eprintln!("error: cannot read the workspace: {error}");
            return ExitCode::FAILURE;
        }
    };

    let mut runner = StageRunner::new(&workspace);
    let outcomes: Vec<Outcome> = Stage::ALL
        .iter()
        .map(|&stage| {
            if selection.contains(&stage) {
                runner.run(stage)
            } else {
                Outcome::skipped(stage, "not selected")
            }
        })
        .collect();

    report::print_table(&outcomes);
    if outcomes
        .iter()
        .any(|outcome| outcome.verdict == Verdict::Fail)
    {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

/// Runs stages one after another, remembering which setup commands already
/// succeeded so that stages sharing one (the two miri stages) run it once.
#[derive(Debug)]
struct StageRunner<'a> {
    /// The workspace every command runs in.
    workspace: &'a Workspace,
    /// Setup commands that have succeeded during this run.
    setups_done: Vec<Invocation>,
}

impl<'a> StageRunner<'a> {
    /// A runner for `workspace` that has run nothing yet.
    fn new(workspace: &'a Workspace) -> Self {
        Self {
            workspace,
            setups_done: Vec::new(),
        }
    }

    /// Runs one stage: its setup commands (stopping at the first failure),
    /// then all of its checks (each one, even after a failure).
    fn run(&mut self, stage: Stage) -> Outcome {
        println!("\n==> {}: {}", stage.name(), stage.description());
        let plan = plan::plan(stage, self.workspace);
        if let Some(reason) = plan.skip_reason {
            println!("skipped: {reason}");
            return Outcome::skipped(stage, reason);
        }
        let started = Instant::now();
        let result = self.run_plan(plan);
        let seconds = started.elapsed().as_secs_f64();
        match result {
            Ok(()) => Outcome::ran(stage, Verdict::Pass, seconds, String::new()),
            Err(note) => Outcome::ran(stage, Verdict::Fail, seconds, note),
        }
    }

    /// Runs a plan that is not skipped and returns why it failed, if it did:
    /// the setup's error, or the crates whose check failed.
    fn run_plan(&mut self, plan: Plan) -> Result<(), String> {
        let root = &self.workspace.root;
        for setup in plan.setup {
            if self.setups_done.contains(&setup) {
                continue;
            }
            if let Err(why) = setup.run(root) {
                eprintln!("error: setup failed: {why}");
                return Err(format!("setup failed: {why}"));
            }
            self.setups_done.push(setup);
        }
        let mut failed_crates = Vec::new();
        let mut any_failed = false;
        for check in plan.checks {
            if let Err(why) = check.command.and_then(|command| command.run(root)) {
                any_failed = true;
                match check.crate_name {
                    Some(name) => {
                        eprintln!("error: {name}: {why}");
                        failed_crates.push(name);
                    }
                    None => eprintln!("error: {why}"),
                }
            }
        }
        match (any_failed, failed_crates.is_empty()) {
            (false, _) => Ok(()),
            (true, true) => Err(String::new()),
            (true, false) => Err(format!("failed: {}", failed_crates.join(", "))),
        }
    }
}
