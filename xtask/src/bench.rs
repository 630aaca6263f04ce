//! `cargo xtask bench`: the benchmark suite, ours against the peers.
//!
//! Runs the criterion benchmarks of `benches/`, reads criterion's estimates
//! ([`criterion`]), groups them into scenarios of ours against the peers
//! ([`results`]), prints and writes the table, the JSON and one chart per
//! crate ([`chart`]) under `<target>/bench/`, and keeps or compares
//! baselines ([`compare`]). The command line is in [`options`]; the JSON
//! reader is in [`json`].

mod chart;
mod compare;
mod criterion;
mod json;
mod options;
mod results;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, SystemTime};

use crate::command::Invocation;
use crate::workspace::Workspace;
use options::{Options, Parsed};
use results::Scenario;

/// Entry point: `args` are the words after `bench`.
pub fn main(args: &[String]) -> ExitCode {
    let options = match options::parse(args) {
        Ok(Parsed::Help) => {
            print!("{}", options::usage());
            return ExitCode::SUCCESS;
        }
        Ok(Parsed::Run(options)) => options,
        Err(message) => {
            eprintln!("error: {message}\nrun `cargo xtask bench --help` for usage");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The whole task; `Ok(false)` when `--compare` found a slower scenario.
fn run(options: &Options) -> Result<bool, String> {
    let workspace =
        Workspace::discover().map_err(|error| format!("cannot read the workspace: {error}"))?;
    let target = absolute(&workspace.root, &workspace.target_dir());
    let criterion_home = target.join("criterion");
    let out_dir = target.join("bench");

    // Only results written by this run count (a filtered run must not pick
    // up an older run's figures). The margin covers coarse file timestamps;
    // building the benches alone takes longer than that.
    // A failing bench (`--no-fail-fast`: the others still run) fails the
    // task, but only after the table of what did run is written.
    let mut run_failure = None;
    let since = if options.no_run {
        None
    } else {
        let started = SystemTime::now() - Duration::from_secs(2);
        run_failure = Invocation::cargo()
            .args([
                "bench",
                "-p",
                "benches",
                "--benches",
                "--no-fail-fast",
                "--",
            ])
            .args(options.criterion_args())
            .env("CRITERION_HOME", criterion_home.to_string_lossy())
            .run(&workspace.root)
            .err();
        Some(started)
    };

    let mut measurements = criterion::read_all(&criterion_home, since)?;
    if let (true, Some(filter)) = (options.no_run, &options.filter) {
        // Criterion took the filter as a regular expression; without a
        // run, it is a plain substring of the benchmark id.
        measurements.retain(|m| m.id().contains(filter.as_str()));
    }
    if measurements.is_empty() {
        return Err(run_failure.unwrap_or_else(|| {
            format!(
                "no criterion results in {} (does the filter match any benchmark?)",
                criterion_home.display()
            )
        }));
    }
    let ours: Vec<String> = workspace.crates.iter().map(|c| c.name.clone()).collect();
    let (scenarios, without_ours) = results::scenarios(&measurements, &ours);
    if scenarios.is_empty() {
        return Err("no scenario has an implementation named like one of our crates".into());
    }

    let date = utc_date_time(SystemTime::now());
    let command = options.command_line();
    let table = results::markdown(&scenarios);
    let notes = results::notes(&scenarios);
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let header =
        format!("Run {date} with `{command}` on a machine with {cores} hardware threads.\n");
    println!("\n{header}\n{table}\n{notes}");
    if !without_ours.is_empty() {
        println!(
            "Left out (no implementation named like one of our crates): {}",
            without_ours.join(", ")
        );
    }

    let json_text = results::to_json(&scenarios, &date, &command);
    write_outputs(
        &out_dir,
        &scenarios,
        &format!("{header}\n{table}\n{notes}"),
        &json_text,
    )?;

    let mut passed = true;
    if let Some(name) = &options.compare {
        let path = baseline_path(&out_dir, name);
        let text = std::fs::read_to_string(&path)
            .map_err(|error| format!("cannot read baseline {}: {error}", path.display()))?;
        let baseline = results::from_json(&text)
            .map_err(|error| format!("baseline {}: {error}", path.display()))?;
        let changes = compare::compare(&baseline, &scenarios);
        println!("\n{}", compare::render(&changes, name));
        passed = !compare::any_slower(&changes);
    }
    if let (Some(name), Some(_)) = (&options.save, &run_failure) {
        println!("baseline `{name}` not saved: a benchmark failed");
    } else if let Some(name) = &options.save {
        let path = baseline_path(&out_dir, name);
        write(&path, &json_text)?;
        println!("saved baseline `{name}`: {}", path.display());
    }
    match run_failure {
        Some(why) => Err(format!(
            "{why}: the table above lacks the benchmarks that failed"
        )),
        None => Ok(passed),
    }
}

/// Writes `results.md`, `results.json` and one `<crate>.svg` per crate (old
/// charts removed first, so the charts always match the table).
fn write_outputs(
    out_dir: &Path,
    scenarios: &[Scenario],
    markdown: &str,
    json_text: &str,
) -> Result<(), String> {
    std::fs::create_dir_all(out_dir)
        .map_err(|error| format!("cannot create {}: {error}", out_dir.display()))?;
    if let Ok(entries) = std::fs::read_dir(out_dir) {
        for path in entries.flatten().map(|entry| entry.path()) {
            if path.extension().is_some_and(|ext| ext == "svg") {
                let _ = std::fs::remove_file(path);
            }
        }
    }
    write(&out_dir.join("results.md"), markdown)?;
    write(&out_dir.join("results.json"), json_text)?;
    let mut crates: Vec<&str> = scenarios.iter().map(Scenario::crate_name).collect();
    crates.sort_unstable();
    crates.dedup();
    let subtitle = "bars: median throughput; whiskers: its 95% confidence interval; \
                    each scenario scaled to its fastest";
    let mut written = vec![out_dir.join("results.md"), out_dir.join("results.json")];
    for name in crates {
        let own: Vec<&Scenario> = scenarios
            .iter()
            .filter(|s| s.crate_name() == name)
            .collect();
        let path = out_dir.join(format!("{name}.svg"));
        write(&path, &chart::svg(name, &own, subtitle))?;
        written.push(path);
    }
    println!("wrote:");
    for path in written {
        println!("  {}", path.display());
    }
    Ok(())
}

/// `<out_dir>/baselines/<name>.json`.
fn baseline_path(out_dir: &Path, name: &str) -> PathBuf {
    out_dir.join("baselines").join(format!("{name}.json"))
}

/// Writes `text` to `path`, creating the directory.
fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .map_err(|error| format!("cannot create {}: {error}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|error| format!("cannot write {}: {error}", path.display()))
}

/// `path` made absolute against `root` (where cargo runs), as cargo reads a
/// relative `CARGO_TARGET_DIR`.
fn absolute(root: &Path, path: &Path) -> PathBuf {
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        root.join(path)
    }
}

/// `YYYY-MM-DD HH:MM UTC`.
fn utc_date_time(time: SystemTime) -> String {
    let seconds = time
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.as_secs());
    let (year, month, day) = civil_from_days(seconds / 86_400);
    let minutes = seconds % 86_400 / 60;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        minutes / 60,
        minutes % 60
    )
}

/// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, for non-negative days).
fn civil_from_days(days: u64) -> (u64, u64, u64) {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(civil_from_days(20_089), (2025, 1, 1));
        let time = SystemTime::UNIX_EPOCH + Duration::from_secs(20_089 * 86_400 + 3_723);
        assert_eq!(utc_date_time(time), "2025-01-01 01:02 UTC");
    }

    #[test]
    fn relative_target_dirs_are_under_the_root() {
        let root = Path::new("/r");
        assert_eq!(absolute(root, Path::new("target")), Path::new("/r/target"));
        assert_eq!(absolute(root, Path::new("/t")), Path::new("/t"));
    }
}
