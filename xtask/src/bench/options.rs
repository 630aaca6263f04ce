//! The command line of `cargo xtask bench`.

use super::compare::MIN_CHANGE;

/// Criterion settings for `--quick`: short warm-up and measurement. (Groups
/// that set their own sample size keep it; criterion's own `--quick` stops
/// after two samples, too few for a confidence interval worth the name.)
pub const QUICK_ARGS: [&str; 4] = ["--warm-up-time", "0.5", "--measurement-time", "1"];

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// `--help`: print usage and do nothing else.
    Help,
    /// Run (or just read) the benchmarks.
    Run(Options),
}

/// The options of one run.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// `--quick`: shorter warm-up and measurement.
    pub quick: bool,
    /// Criterion's name filter (a regular expression on the benchmark id).
    pub filter: Option<String>,
    /// `--save NAME`: keep this run's JSON as a baseline.
    pub save: Option<String>,
    /// `--compare NAME`: compare with that baseline.
    pub compare: Option<String>,
    /// `--no-run`: only read what criterion already wrote.
    pub no_run: bool,
    /// Words after `--`, handed to criterion unchanged.
    pub criterion_extra: Vec<String>,
}

impl Options {
    /// The words after `cargo bench ... --`: the filter, `--noplot` (the
    /// charts are ours), the quick settings, then any extra words.
    pub fn criterion_args(&self) -> Vec<String> {
        let mut args: Vec<String> = self.filter.iter().cloned().collect();
        args.push("--noplot".into());
        if self.quick {
            args.extend(QUICK_ARGS.map(String::from));
        }
        args.extend(self.criterion_extra.iter().cloned());
        args
    }

    /// The command that reproduces this run, for the outputs.
    pub fn command_line(&self) -> String {
        let mut words = vec!["cargo xtask bench".to_owned()];
        if self.quick {
            words.push("--quick".into());
        }
        if self.no_run {
            words.push("--no-run".into());
        }
        words.extend(self.filter.iter().cloned());
        if !self.criterion_extra.is_empty() {
            words.push("--".into());
            words.extend(self.criterion_extra.iter().cloned());
        }
        words.join(" ")
    }
}

/// Parses the words after `bench`.
pub fn parse(args: &[String]) -> Result<Parsed, String> {
    let mut options = Options::default();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let (flag, inline_value) = match word.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
            _ => (word.as_str(), None),
        };
        let mut value = |what: &str| {
            inline_value
                .clone()
                .or_else(|| words.next().cloned())
                .ok_or_else(|| format!("`{flag}` needs {what}"))
        };
        match flag {
            "-h" | "--help" | "help" => return Ok(Parsed::Help),
            "--quick" => options.quick = true,
            "--no-run" => options.no_run = true,
            "--save" => options.save = Some(baseline_name(value("a baseline name")?)?),
            "--compare" => options.compare = Some(baseline_name(value("a baseline name")?)?),
            "--" => {
                options.criterion_extra = words.by_ref().cloned().collect();
            }
            _ if word.starts_with('-') => return Err(format!("unexpected option `{word}`")),
            _ if options.filter.is_some() => {
                return Err(format!("only one FILTER allowed, got a second: `{word}`"));
            }
            _ => options.filter = Some(word.clone()),
        }
    }
    if options.no_run && (options.quick || !options.criterion_extra.is_empty()) {
        return Err("`--no-run` runs nothing, so `--quick` and `-- ARGS` mean nothing".into());
    }
    Ok(Parsed::Run(options))
}

/// A baseline name becomes a file name, so it is kept plain.
fn baseline_name(name: String) -> Result<String, String> {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_.".contains(c);
    if !name.is_empty() && !name.starts_with('.') && name.chars().all(plain) {
        Ok(name)
    } else {
        Err(format!(
            "baseline name `{name}`: use letters, digits, `-`, `_` and `.` (not first)"
        ))
    }
}

/// Usage text for `cargo xtask bench --help`.
pub fn usage() -> String {
    format!(
        "\
usage: cargo xtask bench [--quick] [FILTER] [--save NAME] [--compare NAME]
                         [--no-run] [-- CRITERION_ARGS...]

Runs the criterion benchmarks of `benches/` (ours and the peers, side by side):
  cargo bench -p benches --benches --no-fail-fast -- \\
      [FILTER] --noplot [quick settings] [ARGS]
then reads criterion's results (<target>/criterion/**/new/*.json) and
writes one table: scenario (group/parameter), ours, best peer, ours / best
peer, spread. \"Ours\" is the implementation named like one of our crates
(crates/*); every other implementation in the scenario is a peer. If a
benchmark fails, the others still run and the table is still written, but
the command exits 1 (and `--save` keeps nothing).

Outputs, under <target>/bench/ (<target> is $CARGO_TARGET_DIR or target/):
  results.md     the table, as markdown (also printed)
  results.json   the figures: every implementation, median and interval
  <crate>.svg    a bar chart per crate: ours against the peers

options:
  --quick          warm up 0.5 s and measure 1 s per benchmark
                   (criterion's {quick})
  FILTER           only benchmarks whose id matches this regular expression,
                   e.g. `vyukov_mpmc` or `deque_channel/send_recv`
  --save NAME      also keep the JSON as <target>/bench/baselines/NAME.json
  --compare NAME   compare ours with that baseline, print the change per
                   scenario, and exit 1 if any scenario got slower beyond noise
  --no-run         run nothing: rebuild the outputs from criterion's latest
                   results already on disk (normally only this run's are used);
                   FILTER is then a plain substring of the benchmark id
  -- ARGS          hand ARGS to criterion (e.g. `-- --sample-size 50`)

figures: throughput from criterion's median time per iteration; spread is
the width of the median's 95% confidence interval divided by the median.

noise (--compare): a scenario of ours is SLOWER only when both hold:
  - the fast end of this run's interval is below the slow end of the
    baseline's interval (the 95% intervals of the medians do not overlap);
  - its median dropped by more than {min_change:.0}%.
FASTER is the mirror image; anything else is within noise. Scenarios in only
one of the two runs are listed but never fail the comparison.
",
        quick = QUICK_ARGS.join(" "),
        min_change = MIN_CHANGE * 100.0,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &[&str]) -> Result<Parsed, String> {
        let args: Vec<String> = words.iter().map(|word| word.to_string()).collect();
        parse(&args)
    }

    fn options(words: &[&str]) -> Options {
        match parse_words(words) {
            Ok(Parsed::Run(options)) => options,
            other => panic!("expected options, got {other:?}"),
        }
    }

    #[test]
    fn nothing_runs_everything_without_quick() {
        let o = options(&[]);
        assert_eq!(o, Options::default());
        assert_eq!(o.criterion_args(), ["--noplot"]);
        assert_eq!(o.command_line(), "cargo xtask bench");
    }

    #[test]
    fn quick_filter_save_compare_and_extra_words() {
        let o = options(&[
            "--quick",
            "vyukov",
            "--save=main",
            "--compare",
            "before-1.2",
            "--",
            "--sample-size",
            "50",
        ]);
        assert!(o.quick);
        assert_eq!(o.filter.as_deref(), Some("vyukov"));
        assert_eq!(o.save.as_deref(), Some("main"));
        assert_eq!(o.compare.as_deref(), Some("before-1.2"));
        assert_eq!(
            o.criterion_args(),
            [
                "vyukov",
                "--noplot",
                "--warm-up-time",
                "0.5",
                "--measurement-time",
                "1",
                "--sample-size",
                "50"
            ]
        );
        assert_eq!(
            o.command_line(),
            "cargo xtask bench --quick vyukov -- --sample-size 50"
        );
    }

    #[test]
    fn errors() {
        assert!(parse_words(&["a", "b"]).is_err());
        assert!(parse_words(&["--save"]).is_err());
        assert!(parse_words(&["--save", "../x"]).is_err());
        assert!(parse_words(&["--save", ".hidden"]).is_err());
        assert!(parse_words(&["--fast"]).is_err());
        assert!(parse_words(&["--no-run", "--quick"]).is_err());
        assert_eq!(parse_words(&["x", "--help"]), Ok(Parsed::Help));
    }

    #[test]
    fn usage_states_the_noise_rule() {
        let text = usage();
        assert!(text.contains("do not overlap"), "{text}");
        assert!(text.contains("dropped by more than 5%"), "{text}");
        assert!(
            text.lines().all(|line| line.chars().count() <= 80),
            "{text}"
        );
    }
}
