//! The command line of `cargo xtask verify`: `--only` and `--skip`.

use std::fmt::Write as _;

use super::stage::Stage;

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    /// `--help`: print usage and do nothing else.
    Help,
    /// Run these stages (in [`Stage::ALL`] order).
    Run(Vec<Stage>),
}

/// Parses the words after `verify`.
///
/// `--only` and `--skip` take stage names, comma-separated, and may repeat;
/// `--only=NAMES` works too. With no `--only` every stage is selected; then
/// `--skip` removes stages.
pub fn parse(args: &[String]) -> Result<Parsed, String> {
    let mut only: Vec<Stage> = Vec::new();
    let mut skip: Vec<Stage> = Vec::new();
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let (flag, inline_value) = match word.split_once('=') {
            Some((flag, value)) => (flag, Some(value.to_owned())),
            None => (word.as_str(), None),
        };
        let list = match flag {
            "-h" | "--help" | "help" => return Ok(Parsed::Help),
            "--only" => &mut only,
            "--skip" => &mut skip,
            _ => return Err(format!("unexpected argument `{word}`")),
        };
        let value = match inline_value {
            Some(value) => value,
            None => words
                .next()
                .cloned()
                .ok_or_else(|| format!("`{flag}` needs a stage name"))?,
        };
        for name in value
            .split(',')
            .map(str::trim)
            .filter(|name| !name.is_empty())
        {
            let stages = Stage::by_name(name).ok_or_else(|| {
                format!("unknown stage `{name}`; valid stages: {}", valid_names())
            })?;
            list.extend(stages);
        }
    }
    let selected = Stage::ALL
        .into_iter()
        .filter(|stage| only.is_empty() || only.contains(stage))
        .filter(|stage| !skip.contains(stage))
        .collect();
    Ok(Parsed::Run(selected))
}

/// Usage text for `cargo xtask verify --help`.
pub fn usage() -> String {
    let mut text = String::from(
        "usage: cargo xtask verify [--only STAGES]... [--skip STAGES]...\n\n\
         Runs the stages in this order, keeps going after a failure, prints a table\n\
         of results and exits non-zero if any stage failed. STAGES is a name or a\n\
         comma-separated list; both options may repeat.\n\nstages:\n",
    );
    for stage in Stage::ALL {
        let _ = writeln!(text, "  {:<9}{}", stage.name(), stage.description());
    }
    for (group, stages) in Stage::GROUPS {
        let members: Vec<_> = stages.iter().map(|stage| stage.name()).collect();
        let _ = writeln!(text, "  {group:<9}= {}", members.join(" + "));
    }
    text.push_str(
        "\nenvironment:\n  \
         LOOM_MAX_PREEMPTIONS  overrides every crate's loom-preemptions file (default 2)\n",
    );
    text
}

/// Every name `--only` and `--skip` accept, for error messages.
fn valid_names() -> String {
    let stages = Stage::ALL.into_iter().map(Stage::name);
    let groups = Stage::GROUPS.iter().map(|(group, _)| *group);
    stages.chain(groups).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &[&str]) -> Result<Parsed, String> {
        let args: Vec<String> = words.iter().map(|word| word.to_string()).collect();
        parse(&args)
    }

    fn names(parsed: Result<Parsed, String>) -> Vec<&'static str> {
        match parsed {
            Ok(Parsed::Run(stages)) => stages.into_iter().map(Stage::name).collect(),
            other => panic!("expected stages, got {other:?}"),
        }
    }

    #[test]
    fn no_options_selects_every_stage_in_order() {
        assert_eq!(names(parse_words(&[])), Stage::ALL.map(Stage::name));
    }

    #[test]
    fn only_accepts_lists_repeats_and_inline_values_in_run_order() {
        let parsed = parse_words(&["--only", "clippy,fmt", "--only=stress"]);
        assert_eq!(names(parsed), ["fmt", "clippy", "stress"]);
    }

    #[test]
    fn miri_selects_both_borrow_models() {
        assert_eq!(
            names(parse_words(&["--only", "miri"])),
            ["miri-sb", "miri-tb"]
        );
        let parsed = parse_words(&["--only", "miri", "--skip", "miri-tb"]);
        assert_eq!(names(parsed), ["miri-sb"]);
    }

    #[test]
    fn skip_removes_from_everything() {
        let parsed = parse_words(&["--skip", "miri,stress,tsan", "--skip", "loom"]);
        assert_eq!(
            names(parsed),
            ["fmt", "clippy", "test", "doc", "no_std", "msrv", "package"]
        );
    }

    #[test]
    fn unknown_stage_lists_the_valid_names() {
        let error = parse_words(&["--only", "fmt,lint"]).unwrap_err();
        assert!(error.contains("`lint`"), "{error}");
        assert!(error.contains(
            "fmt, clippy, test, doc, no_std, msrv, package, loom, miri-sb, miri-tb, tsan, stress, miri"
        ));
    }

    #[test]
    fn missing_value_and_stray_words_are_errors() {
        assert!(parse_words(&["--only"]).is_err());
        assert!(parse_words(&["fmt"]).is_err());
    }

    #[test]
    fn help_wins() {
        assert_eq!(parse_words(&["--only", "fmt", "--help"]), Ok(Parsed::Help));
    }
}
