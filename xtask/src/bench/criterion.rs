//! Reading what criterion wrote: one [`Measurement`] per benchmark.
//!
//! Criterion 0.8 keeps each benchmark's latest run in
//! `<criterion home>/<group>/<function>/<parameter>/new/` (each name made
//! file-safe: `/` and a few other characters become `_`), holding
//! `benchmark.json` (the original `group_id`, `function_id`, `value_str` and
//! `throughput`) and `estimates.json` (nanoseconds per iteration: `mean`,
//! `median`, ... each with `point_estimate` and a `confidence_interval`). The
//! names are read from `benchmark.json`, never from the directory names,
//! which lose information.

use std::io;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use super::json::{self, Value};

/// One benchmark's latest result, as throughput.
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// The group, e.g. `vyukov_mpmc/throughput`.
    pub group: String,
    /// The implementation: criterion's function id (e.g. `crossbeam-queue`).
    pub implementation: String,
    /// The parameter (criterion's `value_str`, e.g. `4p4c`), if any.
    pub parameter: Option<String>,
    /// What is counted per second: `elem/s`, `B/s`, `bit/s` or `iter/s`
    /// (when the benchmark set no throughput).
    pub unit: String,
    /// Throughput from the median time per iteration.
    pub median: f64,
    /// Throughput at the slow end of the median's confidence interval.
    pub lower: f64,
    /// Throughput at the fast end of the median's confidence interval.
    pub upper: f64,
    /// The confidence level of that interval (criterion's default is 0.95).
    pub confidence: f64,
}

impl Measurement {
    /// Criterion's id: `group/function/parameter`, without missing parts.
    pub fn id(&self) -> String {
        let mut id = format!("{}/{}", self.group, self.implementation);
        if let Some(parameter) = &self.parameter {
            id.push('/');
            id.push_str(parameter);
        }
        id
    }
}

/// Every benchmark under `home` (criterion's output directory) whose
/// `new/benchmark.json` was written at or after `since` (all of them when
/// `since` is `None`), sorted by group, parameter and implementation.
///
/// A missing `home` gives an empty list; an unreadable or malformed result
/// is an error naming its file.
pub fn read_all(home: &Path, since: Option<SystemTime>) -> Result<Vec<Measurement>, String> {
    let mut dirs = Vec::new();
    find_new_dirs(home, &mut dirs)
        .map_err(|error| format!("cannot list {}: {error}", home.display()))?;
    let mut measurements = Vec::new();
    for dir in dirs {
        let benchmark = dir.join("benchmark.json");
        if let Some(since) = since {
            let written = std::fs::metadata(&benchmark)
                .and_then(|meta| meta.modified())
                .map_err(|error| format!("cannot read {}: {error}", benchmark.display()))?;
            if written < since {
                continue;
            }
        }
        let read = |name: &str| {
            let path = dir.join(name);
            std::fs::read_to_string(&path)
                .map_err(|error| error.to_string())
                .and_then(|text| json::parse(&text))
                .map_err(|error| format!("cannot read {}: {error}", path.display()))
        };
        let measurement = from_json(&read("benchmark.json")?, &read("estimates.json")?)
            .map_err(|error| format!("{}: {error}", dir.display()))?;
        measurements.push(measurement);
    }
    measurements.sort_by(|a, b| {
        (&a.group, a.parameter.as_deref().map(natural_key))
            .cmp(&(&b.group, b.parameter.as_deref().map(natural_key)))
            .then_with(|| a.implementation.cmp(&b.implementation))
    });
    Ok(measurements)
}

/// A measurement from the two files' contents.
pub fn from_json(benchmark: &Value, estimates: &Value) -> Result<Measurement, String> {
    let text = |key: &str| {
        benchmark
            .get(key)
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let group = text("group_id").ok_or("benchmark.json has no group_id")?;
    let function = text("function_id");
    let value = text("value_str");
    // `BenchmarkId::from_parameter(p)` has no function id: then the value
    // names the benchmark and there is no parameter.
    let (implementation, parameter) = match (function, value) {
        (Some(function), value) => (function, value),
        (None, Some(value)) => (value, None),
        (None, None) => (group.clone(), None),
    };
    let (amount, unit) = throughput(benchmark.get("throughput"))?;

    let median = estimates
        .get("median")
        .ok_or("estimates.json has no median")?;
    let number = |path: &[&str]| {
        median
            .at(path)
            .and_then(Value::as_f64)
            .ok_or_else(|| format!("estimates.json has no median.{}", path.join(".")))
    };
    let point = number(&["point_estimate"])?;
    let slow = number(&["confidence_interval", "upper_bound"])?;
    let fast = number(&["confidence_interval", "lower_bound"])?;
    let confidence = number(&["confidence_interval", "confidence_level"])?;
    if !(point > 0.0 && fast > 0.0 && slow >= fast) {
        return Err(format!(
            "implausible median time {point} ns in [{fast}, {slow}]"
        ));
    }
    let per_second = |nanos: f64| amount * 1e9 / nanos;
    Ok(Measurement {
        group,
        implementation,
        parameter,
        unit: unit.to_owned(),
        median: per_second(point),
        lower: per_second(slow),
        upper: per_second(fast),
        confidence,
    })
}

/// Units per iteration and their name, from criterion's serialized
/// `Throughput` (`{"Elements": 100000}`, `{"Bytes": 64}`, ..., or `null`).
fn throughput(value: Option<&Value>) -> Result<(f64, &'static str), String> {
    let Some(Value::Object(members)) = value else {
        return Ok((1.0, "iter/s"));
    };
    let Some((kind, amount)) = members.first() else {
        return Err("empty throughput in benchmark.json".into());
    };
    let amount = match (kind.as_str(), amount) {
        ("ElementsAndBytes", amount) => amount.get("elements").and_then(Value::as_f64),
        (_, amount) => amount.as_f64(),
    };
    let unit = match kind.as_str() {
        "Elements" | "ElementsAndBytes" => "elem/s",
        "Bytes" | "BytesDecimal" => "B/s",
        "Bits" => "bit/s",
        other => return Err(format!("unknown throughput kind `{other}`")),
    };
    match amount {
        Some(amount) if amount > 0.0 => Ok((amount, unit)),
        _ => Err(format!("bad {kind} throughput in benchmark.json")),
    }
}

/// Every `new/` directory holding a `benchmark.json` under `dir`, depth
/// first. (Criterion's `base/`, `change/` and saved baselines are skipped.)
fn find_new_dirs(dir: &Path, found: &mut Vec<PathBuf>) -> io::Result<()> {
    let entries = match std::fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(error) => return Err(error),
    };
    for entry in entries {
        let entry = entry?;
        if !entry.file_type()?.is_dir() {
            continue;
        }
        let path = entry.path();
        if entry.file_name() == "new" {
            if path.join("benchmark.json").is_file() {
                found.push(path);
            }
        } else {
            find_new_dirs(&path, found)?;
        }
    }
    Ok(())
}

/// A sort key that orders digit runs by value, so `2p2c` sorts before
/// `16p16c` and `8` before `16`.
pub fn natural_key(text: &str) -> Vec<(u8, u64, String)> {
    let mut key = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.len() - rest.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 {
            let (run, tail) = rest.split_at(digits);
            key.push((0, run.parse().unwrap_or(u64::MAX), run.to_owned()));
            rest = tail;
        } else {
            let letters = rest
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(rest.len());
            let (run, tail) = rest.split_at(letters);
            key.push((1, 0, run.to_owned()));
            rest = tail;
        }
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn benchmark(function: &str, value: &str, throughput: &str) -> Value {
        json::parse(&format!(
            r#"{{"group_id":"g/h","function_id":{function},"value_str":{value},"throughput":{throughput},"full_id":"x","directory_name":"x","title":"x"}}"#
        ))
        .unwrap()
    }

    fn estimates(lower: f64, point: f64, upper: f64) -> Value {
        json::parse(&format!(
            r#"{{"mean":{{"confidence_interval":{{"confidence_level":0.95,"lower_bound":1,"upper_bound":2}},"point_estimate":1.5,"standard_error":0.1}},
                "median":{{"confidence_interval":{{"confidence_level":0.95,"lower_bound":{lower},"upper_bound":{upper}}},"point_estimate":{point},"standard_error":0.1}},
                "slope":null}}"#
        ))
        .unwrap()
    }

    #[test]
    fn median_time_becomes_throughput_with_the_interval_flipped() {
        let m = from_json(
            &benchmark("\"ours\"", "\"4p4c\"", r#"{"Elements":100000}"#),
            &estimates(2_000_000.0, 2_500_000.0, 4_000_000.0),
        )
        .unwrap();
        assert_eq!(m.group, "g/h");
        assert_eq!(m.implementation, "ours");
        assert_eq!(m.parameter.as_deref(), Some("4p4c"));
        assert_eq!(m.unit, "elem/s");
        // 100k elements in 2.5 ms: 40 M/s; the slow end of the time
        // interval (4 ms) is the low end of the throughput interval.
        assert!((m.median - 40e6).abs() < 1e-3, "{}", m.median);
        assert!((m.lower - 25e6).abs() < 1e-3, "{}", m.lower);
        assert!((m.upper - 50e6).abs() < 1e-3, "{}", m.upper);
        assert_eq!(m.confidence, 0.95);
        assert_eq!(m.id(), "g/h/ours/4p4c");
    }

    #[test]
    fn missing_parameter_function_or_throughput() {
        let m = from_json(
            &benchmark("\"st3\"", "null", "null"),
            &estimates(1.0, 2.0, 4.0),
        )
        .unwrap();
        assert_eq!((m.implementation.as_str(), m.parameter), ("st3", None));
        assert_eq!(m.unit, "iter/s");
        assert!((m.median - 5e8).abs() < 1e-3);

        let m = from_json(
            &benchmark("null", "\"only-value\"", r#"{"Bytes":10}"#),
            &estimates(1.0, 2.0, 4.0),
        )
        .unwrap();
        assert_eq!(
            (m.implementation.as_str(), m.parameter, m.unit.as_str()),
            ("only-value", None, "B/s")
        );
    }

    #[test]
    fn malformed_files_are_errors() {
        let good = benchmark("\"a\"", "null", r#"{"Elements":1}"#);
        assert!(from_json(&good, &json::parse("{}").unwrap()).is_err());
        assert!(from_json(&good, &estimates(3.0, 2.0, 1.0)).is_err());
        let weird = benchmark("\"a\"", "null", r#"{"Furlongs":1}"#);
        assert!(from_json(&weird, &estimates(1.0, 2.0, 3.0)).is_err());
    }

    #[test]
    fn reads_a_criterion_directory_tree() {
        let home = std::env::temp_dir().join(format!("xtask-criterion-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&home);
        for (function, param) in [("b", "16"), ("a", "2"), ("a", "16")] {
            for kind in ["new", "base"] {
                let dir = home.join("g_h").join(function).join(param).join(kind);
                std::fs::create_dir_all(&dir).unwrap();
                let bench = format!(
                    r#"{{"group_id":"g/h","function_id":"{function}","value_str":"{param}","throughput":{{"Elements":10}}}}"#
                );
                std::fs::write(dir.join("benchmark.json"), bench).unwrap();
                let est = r#"{"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":9,"upper_bound":11},"point_estimate":10}}"#;
                std::fs::write(dir.join("estimates.json"), est).unwrap();
            }
        }
        let all = read_all(&home, None).unwrap();
        let ids: Vec<_> = all
            .iter()
            .map(|m| format!("{}/{}", m.implementation, m.parameter.as_deref().unwrap()))
            .collect();
        assert_eq!(ids, ["a/2", "a/16", "b/16"]);
        let future = SystemTime::now() + std::time::Duration::from_secs(3600);
        assert!(read_all(&home, Some(future)).unwrap().is_empty());
        assert!(read_all(&home.join("missing"), None).unwrap().is_empty());
        std::fs::remove_dir_all(&home).unwrap();
    }

    #[test]
    fn natural_order_compares_digit_runs_by_value() {
        let mut params = ["16p16c", "2p2c", "1p1c", "8", "16", "lifo", "fifo"];
        params.sort_by_key(|p| natural_key(p));
        assert_eq!(
            params,
            ["1p1c", "2p2c", "8", "16", "16p16c", "fifo", "lifo"]
        );
    }
}
