//! `--compare NAME`: this run's figures against a saved baseline.
//!
//! The rule (also in `--help` and the README): a scenario of ours is
//! **slower** only when both hold:
//! - the intervals do not overlap: this run's upper bound (the fast end of
//!   the median's confidence interval) is below the baseline's lower bound;
//! - the median dropped by more than [`MIN_CHANGE`] (5%).
//!
//! **Faster** is the mirror image; anything else is within noise. A slower
//! scenario makes the command exit non-zero. Scenarios in only one of the two
//! runs are listed but never fail the comparison.

use std::fmt::Write as _;

use super::results::{Figure, Scenario, format_rate};

/// The smallest relative change of the median that can count as a change.
pub const MIN_CHANGE: f64 = 0.05;

/// The rule, for `--help` and the output.
pub const RULE: &str = "a scenario is slower when the fast end of its median's 95% interval is \
     below the slow end of the baseline's interval and its median dropped by more than 5% \
     (faster: the mirror image; anything else is noise)";

/// What happened to one scenario of ours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Slower beyond the noise: fails the comparison.
    Slower,
    /// Faster beyond the noise.
    Faster,
    /// Within the noise.
    Same,
    /// Only in this run.
    New,
    /// Only in the baseline.
    Gone,
}

impl Verdict {
    /// The word shown in the table.
    fn word(self) -> &'static str {
        match self {
            Verdict::Slower => "SLOWER",
            Verdict::Faster => "faster",
            Verdict::Same => "noise",
            Verdict::New => "new",
            Verdict::Gone => "not run",
        }
    }
}

/// Judges our figure now against the baseline's, by the rule above.
pub fn judge(before: &Figure, now: &Figure) -> Verdict {
    let change = now.median / before.median - 1.0;
    if now.upper < before.lower && change < -MIN_CHANGE {
        Verdict::Slower
    } else if now.lower > before.upper && change > MIN_CHANGE {
        Verdict::Faster
    } else {
        Verdict::Same
    }
}

/// One line of the comparison.
#[derive(Debug, Clone)]
pub struct Change {
    /// The scenario's name (`group/parameter`).
    pub scenario: String,
    /// The unit of the figures.
    pub unit: String,
    /// Ours in the baseline and ours now (either may be missing).
    pub before: Option<Figure>,
    /// Ours now.
    pub now: Option<Figure>,
    /// Ours / best peer in the baseline and now.
    pub ratios: (Option<f64>, Option<f64>),
    /// The verdict.
    pub verdict: Verdict,
}

/// Every scenario of either run, in this run's order, then the baseline's
/// leftovers. Scenarios match by name and crate.
pub fn compare(baseline: &[Scenario], now: &[Scenario]) -> Vec<Change> {
    let key = |s: &Scenario| (s.name(), s.crate_name().to_owned());
    let mut changes: Vec<Change> = now
        .iter()
        .map(|s| {
            let before = baseline.iter().find(|b| key(b) == key(s));
            Change {
                scenario: s.name(),
                unit: s.unit.clone(),
                before: before.map(|b| b.ours.clone()),
                now: Some(s.ours.clone()),
                ratios: (before.and_then(Scenario::ratio), s.ratio()),
                verdict: before.map_or(Verdict::New, |b| judge(&b.ours, &s.ours)),
            }
        })
        .collect();
    for b in baseline {
        if !now.iter().any(|s| key(s) == key(b)) {
            changes.push(Change {
                scenario: b.name(),
                unit: b.unit.clone(),
                before: Some(b.ours.clone()),
                now: None,
                ratios: (b.ratio(), None),
                verdict: Verdict::Gone,
            });
        }
    }
    changes
}

/// Whether any scenario got slower beyond its noise.
pub fn any_slower(changes: &[Change]) -> bool {
    changes.iter().any(|c| c.verdict == Verdict::Slower)
}

/// The comparison as a plain-text table.
pub fn render(changes: &[Change], baseline_name: &str) -> String {
    let mut rows = vec![[
        "scenario".to_owned(),
        format!("ours in `{baseline_name}`"),
        "ours now".to_owned(),
        "change".to_owned(),
        "ratio to best peer".to_owned(),
        "verdict".to_owned(),
    ]];
    let rate = |f: &Option<Figure>, unit: &str| {
        f.as_ref()
            .map_or_else(|| "-".to_owned(), |f| format_rate(f.median, unit))
    };
    let ratio = |r: Option<f64>| r.map_or_else(|| "-".to_owned(), |r| format!("{r:.2}x"));
    for c in changes {
        let change = match (&c.before, &c.now) {
            (Some(before), Some(now)) => {
                format!("{:+.1}%", (now.median / before.median - 1.0) * 100.0)
            }
            _ => "-".to_owned(),
        };
        rows.push([
            c.scenario.clone(),
            rate(&c.before, &c.unit),
            rate(&c.now, &c.unit),
            change,
            format!("{} -> {}", ratio(c.ratios.0), ratio(c.ratios.1)),
            c.verdict.word().to_owned(),
        ]);
    }
    let widths: Vec<usize> = (0..6)
        .map(|col| {
            rows.iter()
                .map(|row| row[col].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut text = String::new();
    for row in &rows {
        let mut line = String::new();
        for (col, cell) in row.iter().enumerate() {
            let _ = write!(line, "{cell:<width$}  ", width = widths[col]);
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    let slower = changes
        .iter()
        .filter(|c| c.verdict == Verdict::Slower)
        .count();
    let faster = changes
        .iter()
        .filter(|c| c.verdict == Verdict::Faster)
        .count();
    let _ = writeln!(
        text,
        "\ncompare: {slower} slower, {faster} faster, {} within noise; rule: {RULE}",
        changes
            .iter()
            .filter(|c| c.verdict == Verdict::Same)
            .count()
    );
    text
}

#[cfg(test)]
mod tests {
    use super::super::results::tests::sample;
    use super::*;

    fn figure(median: f64, lower: f64, upper: f64) -> Figure {
        Figure {
            name: "ours".into(),
            median,
            lower,
            upper,
        }
    }

    #[test]
    fn slower_needs_separate_intervals_and_a_drop_over_five_percent() {
        let before = figure(100.0, 95.0, 105.0);
        // Clearly slower: intervals apart, 20% drop.
        assert_eq!(judge(&before, &figure(80.0, 76.0, 84.0)), Verdict::Slower);
        // Big drop but the intervals overlap: noise.
        assert_eq!(judge(&before, &figure(80.0, 60.0, 96.0)), Verdict::Same);
        // Intervals apart but only a 4% drop: noise.
        assert_eq!(
            judge(&figure(100.0, 99.5, 100.5), &figure(96.0, 95.5, 96.5)),
            Verdict::Same
        );
        // The mirror image.
        assert_eq!(
            judge(&before, &figure(120.0, 114.0, 126.0)),
            Verdict::Faster
        );
        assert_eq!(judge(&before, &before), Verdict::Same);
    }

    #[test]
    fn compare_matches_scenarios_and_flags_only_slower() {
        let baseline = sample();
        let mut now = sample();
        // 1p1c: ours halves, the interval well apart.
        now[1].ours.median /= 2.0;
        now[1].ours.lower /= 2.0;
        now[1].ours.upper /= 2.0;
        let gone = now.remove(2);
        let changes = compare(&baseline, &now);
        let verdicts: Vec<_> = changes
            .iter()
            .map(|c| (c.scenario.as_str(), c.verdict))
            .collect();
        assert_eq!(
            verdicts,
            [
                ("beam_deque/two_owners", Verdict::Same),
                ("vyukov_mpmc/throughput/1p1c", Verdict::Slower),
                (gone.name().as_str(), Verdict::Gone),
            ]
        );
        assert!(any_slower(&changes));
        let text = render(&changes, "main");
        assert!(text.contains("-50.0%"), "{text}");
        assert!(text.contains("1.25x -> 0.62x"), "{text}");
        assert!(
            text.contains("1 slower, 0 faster, 1 within noise"),
            "{text}"
        );

        let new_only = compare(&[], &sample());
        assert!(new_only.iter().all(|c| c.verdict == Verdict::New));
        assert!(!any_slower(&new_only));
    }
}
