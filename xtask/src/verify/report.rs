//! The table printed at the end of `cargo xtask verify`.

use super::stage::Stage;

/// How a stage ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Every command succeeded.
    Pass,
    /// A command failed (or could not start).
    Fail,
    /// Not run: not selected, or nothing to run.
    Skipped,
}

/// One row of the table.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The stage.
    pub stage: Stage,
    /// How it ended.
    pub verdict: Verdict,
    /// Wall-clock seconds, for stages that ran.
    pub seconds: Option<f64>,
    /// Why it failed or was skipped; may be empty.
    pub note: String,
}

impl Outcome {
    /// A stage that ran for `seconds`.
    pub fn ran(stage: Stage, verdict: Verdict, seconds: f64, note: String) -> Self {
        Self {
            stage,
            verdict,
            seconds: Some(seconds),
            note,
        }
    }

    /// A stage that did not run, and why.
    pub fn skipped(stage: Stage, reason: impl Into<String>) -> Self {
        Self {
            stage,
            verdict: Verdict::Skipped,
            seconds: None,
            note: reason.into(),
        }
    }
}

impl Verdict {
    /// The word shown in the table.
    fn word(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Skipped => "skipped",
        }
    }
}

/// Prints the table of outcomes, a total, and a one-line summary.
pub fn print_table(outcomes: &[Outcome]) {
    println!("\n{}", render_table(outcomes));
}

/// The table as text: stage | result | seconds | note, then the total time
/// and counts.
fn render_table(outcomes: &[Outcome]) -> String {
    let mut lines = vec![row("stage", "result", "seconds", "note")];
    lines.push(row("-------", "-------", "-------", "----"));
    for outcome in outcomes {
        let seconds = outcome
            .seconds
            .map_or_else(|| "-".to_owned(), |seconds| format!("{seconds:.1}"));
        lines.push(row(
            outcome.stage.name(),
            outcome.verdict.word(),
            &seconds,
            &outcome.note,
        ));
    }
    let total: f64 = outcomes.iter().filter_map(|outcome| outcome.seconds).sum();
    let count = |verdict| outcomes.iter().filter(|o| o.verdict == verdict).count();
    lines.push(row("total", "", &format!("{total:.1}"), ""));
    lines.push(format!(
        "\nverify: {} passed, {} failed, {} skipped",
        count(Verdict::Pass),
        count(Verdict::Fail),
        count(Verdict::Skipped)
    ));
    lines.join("\n")
}

/// One line of the table, columns padded to fixed widths.
fn row(stage: &str, result: &str, seconds: &str, note: &str) -> String {
    format!("{stage:<8} {result:<8} {seconds:>8}  {note}")
        .trim_end()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lists_every_stage_with_result_seconds_and_total() {
        let outcomes = [
            Outcome::ran(Stage::Fmt, Verdict::Pass, 1.24, String::new()),
            Outcome::ran(
                Stage::Loom,
                Verdict::Fail,
                10.0,
                "failed: beam-deque".into(),
            ),
            Outcome::skipped(Stage::Stress, "not selected"),
        ];
        let table = render_table(&outcomes);
        assert!(table.contains("fmt      pass          1.2"), "{table}");
        assert!(
            table.contains("loom     fail         10.0  failed: beam-deque"),
            "{table}"
        );
        assert!(
            table.contains("stress   skipped         -  not selected"),
            "{table}"
        );
        assert!(table.contains("total                 11.2"), "{table}");
        assert!(
            table.ends_with("verify: 1 passed, 1 failed, 1 skipped"),
            "{table}"
        );
    }
}
