//! From measurements to scenarios: ours against the best peer, the ratio and
//! the spread; the markdown table and the JSON file that hold them.
//!
//! A scenario is one group and parameter (e.g. `vyukov_mpmc/throughput` at
//! `4p4c`). "Ours" is the implementation named exactly like one of the
//! workspace's crates (`vyukov-mpmc`); every other implementation in the
//! scenario is a peer.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::criterion::{Measurement, natural_key};
use super::json::{self, Value};

/// How the spread column is computed, for the output's notes.
pub const SPREAD_RULE: &str = "spread = width of the median's confidence interval \
     (criterion's bootstrap, 95%) / the median, for ours and for the best peer";

/// One implementation's throughput in one scenario (units per second).
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The implementation, e.g. `crossbeam-queue`.
    pub name: String,
    /// From the median time per iteration.
    pub median: f64,
    /// The low end of the median's confidence interval.
    pub lower: f64,
    /// The high end of the median's confidence interval.
    pub upper: f64,
}

impl Figure {
    /// The confidence interval's width relative to the median.
    pub fn spread(&self) -> f64 {
        (self.upper - self.lower) / self.median
    }
}

/// Ours and the peers in one group and parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Scenario {
    /// The criterion group, e.g. `vyukov_mpmc/throughput`.
    pub group: String,
    /// The parameter, e.g. `4p4c`, if the group has one.
    pub parameter: Option<String>,
    /// What the figures count per second, e.g. `elem/s`.
    pub unit: String,
    /// Our implementation; its name is our crate's name.
    pub ours: Figure,
    /// Every other implementation, fastest first.
    pub peers: Vec<Figure>,
}

impl Scenario {
    /// `group/parameter`, or the group alone.
    pub fn name(&self) -> String {
        match &self.parameter {
            Some(parameter) => format!("{}/{parameter}", self.group),
            None => self.group.clone(),
        }
    }

    /// The crate this scenario measures: ours' name.
    pub fn crate_name(&self) -> &str {
        &self.ours.name
    }

    /// The fastest peer, if there is any.
    pub fn best_peer(&self) -> Option<&Figure> {
        self.peers.first()
    }

    /// Ours / best peer, from the medians: above 1 means ours is faster.
    pub fn ratio(&self) -> Option<f64> {
        self.best_peer().map(|peer| self.ours.median / peer.median)
    }
}

/// Groups measurements into scenarios, one per group, parameter and our
/// implementation in it. Scenarios without one of ours are left out; their
/// names come back second, for a note.
pub fn scenarios(measurements: &[Measurement], ours: &[String]) -> (Vec<Scenario>, Vec<String>) {
    let mut by_scenario: BTreeMap<_, Vec<&Measurement>> = BTreeMap::new();
    for m in measurements {
        let key = (
            m.group.clone(),
            m.parameter.as_deref().map(natural_key),
            m.parameter.clone(),
        );
        by_scenario.entry(key).or_default().push(m);
    }
    let mut built = Vec::new();
    let mut without_ours = Vec::new();
    for ((group, _, parameter), members) in by_scenario {
        let figure = |m: &Measurement| Figure {
            name: m.implementation.clone(),
            median: m.median,
            lower: m.lower,
            upper: m.upper,
        };
        let mut peers: Vec<Figure> = members
            .iter()
            .filter(|m| !ours.contains(&m.implementation))
            .map(|m| figure(m))
            .collect();
        peers.sort_by(|a, b| b.median.total_cmp(&a.median));
        let mut found = false;
        for m in members.iter().filter(|m| ours.contains(&m.implementation)) {
            found = true;
            built.push(Scenario {
                group: group.clone(),
                parameter: parameter.clone(),
                unit: m.unit.clone(),
                ours: figure(m),
                peers: peers.clone(),
            });
        }
        if !found {
            without_ours.push(match &parameter {
                Some(parameter) => format!("{group}/{parameter}"),
                None => group,
            });
        }
    }
    (built, without_ours)
}

/// A throughput with an SI prefix and three significant digits:
/// `45.2 Melem/s`, `1.23 Gelem/s`, `812 Kelem/s`.
pub fn format_rate(per_second: f64, unit: &str) -> String {
    let (scaled, prefix) = [(1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "K")]
        .into_iter()
        .find(|(scale, _)| per_second >= *scale)
        .map_or((per_second, ""), |(scale, prefix)| {
            (per_second / scale, prefix)
        });
    let digits = if scaled >= 100.0 {
        0
    } else if scaled >= 10.0 {
        1
    } else {
        2
    };
    format!("{scaled:.digits$} {prefix}{unit}")
}

/// A fraction as a whole percentage: `0.043` gives `4%`.
pub fn percent(fraction: f64) -> String {
    format!("{:.0}%", fraction * 100.0)
}

/// The table as markdown, columns padded so it also reads well as plain
/// text: scenario | ours | best peer | ours / best peer | spread.
pub fn markdown(scenarios: &[Scenario]) -> String {
    let mut rows = vec![[
        "scenario".to_owned(),
        "ours".to_owned(),
        "best peer".to_owned(),
        "ours / best peer".to_owned(),
        "spread (ours / peer)".to_owned(),
    ]];
    for s in scenarios {
        let ours = format!("{} {}", s.ours.name, format_rate(s.ours.median, &s.unit));
        let (peer, ratio, spread) = match s.best_peer() {
            Some(peer) => (
                format!("{} {}", peer.name, format_rate(peer.median, &s.unit)),
                format!("{:.2}x", s.ours.median / peer.median),
                format!("{} / {}", percent(s.ours.spread()), percent(peer.spread())),
            ),
            None => ("-".into(), "-".into(), percent(s.ours.spread())),
        };
        rows.push([s.name(), ours, peer, ratio, spread]);
    }
    let widths: Vec<usize> = (0..5)
        .map(|col| {
            rows.iter()
                .map(|row| row[col].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| {
        let mut text = String::from("|");
        for (col, cell) in cells.iter().enumerate() {
            let pad = widths[col] - cell.chars().count();
            // Numbers read best right-aligned; names left-aligned.
            if col == 3 {
                let _ = write!(text, " {}{cell} |", " ".repeat(pad));
            } else {
                let _ = write!(text, " {cell}{} |", " ".repeat(pad));
            }
        }
        text
    };
    let mut table = line(&rows[0]);
    table.push('\n');
    let rule: Vec<String> = widths
        .iter()
        .enumerate()
        .map(|(col, &width)| {
            if col == 3 {
                format!("{}:", "-".repeat(width - 1))
            } else {
                "-".repeat(width)
            }
        })
        .collect();
    table.push_str(&line(&rule));
    table.push('\n');
    for row in &rows[1..] {
        table.push_str(&line(row));
        table.push('\n');
    }
    table
}

/// The notes printed under the table.
pub fn notes(scenarios: &[Scenario]) -> String {
    let below: Vec<String> = scenarios
        .iter()
        .filter(|s| s.ratio().is_some_and(|ratio| ratio < 1.0))
        .map(Scenario::name)
        .collect();
    let mut text = String::from(
        "Throughput from criterion's median time per iteration; ratio above 1.00x: ours is faster.\n",
    );
    let _ = writeln!(text, "{SPREAD_RULE}.");
    if below.is_empty() {
        text.push_str("No scenario is below 1.0x against its best peer.\n");
    } else {
        let _ = writeln!(
            text,
            "Below 1.0x against the best peer: {}.",
            below.join(", ")
        );
    }
    text
}

/// The figures as JSON: every scenario with ours, all peers (fastest
/// first), the best peer and the ratio; throughputs in units per second.
pub fn to_json(scenarios: &[Scenario], date: &str, command: &str) -> String {
    let figure = |f: &Figure| {
        format!(
            "{{\"name\": {}, \"median\": {}, \"lower\": {}, \"upper\": {}}}",
            json::quote(&f.name),
            json::number(f.median),
            json::number(f.lower),
            json::number(f.upper)
        )
    };
    let mut out = String::from("{\n");
    let _ = writeln!(out, "  \"format\": 1,");
    let _ = writeln!(out, "  \"date\": {},", json::quote(date));
    let _ = writeln!(out, "  \"command\": {},", json::quote(command));
    let _ = writeln!(
        out,
        "  \"figures\": {},",
        json::quote(
            "throughput per second from criterion's median time per iteration; lower/upper: the median's confidence interval"
        )
    );
    out.push_str("  \"scenarios\": [");
    for (i, s) in scenarios.iter().enumerate() {
        out.push_str(if i == 0 { "\n" } else { ",\n" });
        let peers: Vec<String> = s.peers.iter().map(figure).collect();
        let parameter = s.parameter.as_deref().map_or("null".into(), json::quote);
        let (best, ratio) = match (s.best_peer(), s.ratio()) {
            (Some(peer), Some(ratio)) => (json::quote(&peer.name), json::number(ratio)),
            _ => ("null".into(), "null".into()),
        };
        let _ = write!(
            out,
            "    {{\"scenario\": {}, \"group\": {}, \"parameter\": {parameter}, \"crate\": {}, \
             \"unit\": {},\n      \"ours\": {},\n      \"peers\": [{}],\n      \
             \"best_peer\": {best}, \"ratio\": {ratio}}}",
            json::quote(&s.name()),
            json::quote(&s.group),
            json::quote(s.crate_name()),
            json::quote(&s.unit),
            figure(&s.ours),
            peers.join(", "),
        );
    }
    out.push_str("\n  ]\n}\n");
    out
}

/// Reads back the scenarios of a `results.json` (a saved baseline).
pub fn from_json(text: &str) -> Result<Vec<Scenario>, String> {
    let root = json::parse(text)?;
    let list = root
        .get("scenarios")
        .and_then(Value::as_array)
        .ok_or("no `scenarios` array")?;
    let figure = |value: &Value| -> Result<Figure, String> {
        let number = |key: &str| {
            value
                .get(key)
                .and_then(Value::as_f64)
                .ok_or_else(|| format!("a figure has no number `{key}`"))
        };
        Ok(Figure {
            name: value
                .get("name")
                .and_then(Value::as_str)
                .ok_or("a figure has no `name`")?
                .to_owned(),
            median: number("median")?,
            lower: number("lower")?,
            upper: number("upper")?,
        })
    };
    list.iter()
        .map(|item| {
            let text = |key: &str| item.get(key).and_then(Value::as_str).map(str::to_owned);
            Ok(Scenario {
                group: text("group").ok_or("a scenario has no `group`")?,
                parameter: text("parameter"),
                unit: text("unit").ok_or("a scenario has no `unit`")?,
                ours: figure(item.get("ours").ok_or("a scenario has no `ours`")?)?,
                peers: item
                    .get("peers")
                    .and_then(Value::as_array)
                    .ok_or("a scenario has no `peers`")?
                    .iter()
                    .map(figure)
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    /// A measurement with a ±`spread`/2 interval around `median`.
    pub fn measurement(group: &str, name: &str, param: Option<&str>, median: f64) -> Measurement {
        Measurement {
            group: group.into(),
            implementation: name.into(),
            parameter: param.map(Into::into),
            unit: "elem/s".into(),
            median,
            lower: median * 0.95,
            upper: median * 1.05,
            confidence: 0.95,
        }
    }

    pub fn ours() -> Vec<String> {
        vec!["vyukov-mpmc".into(), "beam-deque".into()]
    }

    pub fn sample() -> Vec<Scenario> {
        let g = "vyukov_mpmc/throughput";
        let measurements = [
            measurement(g, "vyukov-mpmc", Some("1p1c"), 40e6),
            measurement(g, "crossbeam-queue", Some("1p1c"), 20e6),
            measurement(g, "concurrent-queue", Some("1p1c"), 32e6),
            measurement(g, "vyukov-mpmc", Some("8p8c"), 10e6),
            measurement(g, "crossbeam-queue", Some("8p8c"), 12.5e6),
            measurement("beam_deque/two_owners", "beam-deque", None, 1.5e9),
            measurement("other/thing", "somebody", None, 1.0),
        ];
        scenarios(&measurements, &ours()).0
    }

    #[test]
    fn ours_against_the_fastest_peer() {
        let all = sample();
        let names: Vec<_> = all.iter().map(Scenario::name).collect();
        assert_eq!(
            names,
            [
                "beam_deque/two_owners",
                "vyukov_mpmc/throughput/1p1c",
                "vyukov_mpmc/throughput/8p8c"
            ]
        );
        let one = &all[1];
        assert_eq!(one.crate_name(), "vyukov-mpmc");
        assert_eq!(one.best_peer().unwrap().name, "concurrent-queue");
        assert_eq!(one.peers[1].name, "crossbeam-queue");
        assert!((one.ratio().unwrap() - 1.25).abs() < 1e-12);
        assert!((all[2].ratio().unwrap() - 0.8).abs() < 1e-12);
        assert_eq!(all[0].ratio(), None);
        assert!((one.ours.spread() - 0.1).abs() < 1e-12);
    }

    #[test]
    fn scenarios_without_ours_are_named_not_kept() {
        let m = [measurement("other/thing", "somebody", Some("4"), 1.0)];
        let (kept, dropped) = scenarios(&m, &ours());
        assert!(kept.is_empty());
        assert_eq!(dropped, ["other/thing/4"]);
    }

    #[test]
    fn rates_get_prefixes_and_three_digits() {
        assert_eq!(format_rate(45_230_000.0, "elem/s"), "45.2 Melem/s");
        assert_eq!(format_rate(1_234_000_000.0, "elem/s"), "1.23 Gelem/s");
        assert_eq!(format_rate(812_000.0, "elem/s"), "812 Kelem/s");
        assert_eq!(format_rate(5.0, "iter/s"), "5.00 iter/s");
        assert_eq!(percent(0.043), "4%");
    }

    #[test]
    fn markdown_table_has_one_row_per_scenario() {
        let table = markdown(&sample());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 5, "{table}");
        assert!(lines[0].starts_with("| scenario "), "{table}");
        assert!(lines[1].starts_with("| ---"), "{table}");
        assert!(lines[1].contains(": |"), "{table}");
        let row = lines[3];
        for cell in [
            "vyukov_mpmc/throughput/1p1c",
            "vyukov-mpmc 40.0 Melem/s",
            "concurrent-queue 32.0 Melem/s",
            "1.25x",
            "10% / 10%",
        ] {
            assert!(row.contains(cell), "{cell} missing in {row}");
        }
        assert!(lines[2].contains("| - "), "{table}");
        // Every line is as wide as the header.
        assert!(
            lines
                .iter()
                .all(|l| l.chars().count() == lines[0].chars().count())
        );
        let notes = notes(&sample());
        assert!(
            notes.contains("Below 1.0x against the best peer: vyukov_mpmc/throughput/8p8c."),
            "{notes}"
        );
    }

    #[test]
    fn json_round_trips() {
        let all = sample();
        let text = to_json(&all, "2025-01-02", "cargo xtask bench --quick");
        let root = json::parse(&text).unwrap();
        assert_eq!(root.get("date").and_then(Value::as_str), Some("2025-01-02"));
        let first = &root.get("scenarios").and_then(Value::as_array).unwrap()[1];
        assert_eq!(
            first.get("best_peer").and_then(Value::as_str),
            Some("concurrent-queue")
        );
        assert_eq!(first.get("ratio").and_then(Value::as_f64), Some(1.25));
        assert_eq!(from_json(&text).unwrap(), all);
        assert!(from_json("{}").is_err());
    }
}
