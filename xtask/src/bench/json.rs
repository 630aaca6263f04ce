//! Just enough JSON for the benchmark task: a reader for criterion's
//! `benchmark.json` and `estimates.json` and for our own `results.json`, and
//! the escaping the writer needs. std only, so no serde.
//!
//! The reader takes any valid JSON text (RFC 8259) into a [`Value`]; numbers
//! become `f64`, which holds every figure criterion writes.

use std::fmt::Write as _;

/// A parsed JSON value. Objects keep their members in document order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// Any number.
    Number(f64),
    /// A string, unescaped.
    String(String),
    /// An array.
    Array(Vec<Value>),
    /// An object: `(key, value)` pairs in document order.
    Object(Vec<(String, Value)>),
}

impl Value {
    /// The member `key` of an object (the first, if repeated); `None` for a
    /// missing key or a value that is not an object.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Object(members) => members.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// Follows a path of object keys: `value.at(&["median", "point_estimate"])`.
    pub fn at(&self, path: &[&str]) -> Option<&Value> {
        path.iter().try_fold(self, |value, key| value.get(key))
    }

    /// The number, if this is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Number(n) => Some(*n),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The elements, if this is an array.
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) => Some(items),
            _ => None,
        }
    }
}

/// Parses a whole JSON text. The error names the byte offset where reading
/// stopped.
pub fn parse(text: &str) -> Result<Value, String> {
    let mut parser = Parser {
        bytes: text.as_bytes(),
        pos: 0,
    };
    let value = parser.value(0)?;
    parser.skip_whitespace();
    if parser.pos != parser.bytes.len() {
        return Err(parser.error("trailing characters after the JSON value"));
    }
    Ok(value)
}

/// `text` as a JSON string literal, quotes included.
pub fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if u32::from(c) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `n` as a JSON number; JSON has no NaN or infinity, so those become `null`.
pub fn number(n: f64) -> String {
    if n.is_finite() {
        format!("{n}")
    } else {
        "null".to_owned()
    }
}

/// Nesting deeper than this is refused rather than overflowing the stack.
const MAX_DEPTH: usize = 128;

/// A recursive-descent reader over the text's bytes.
struct Parser<'a> {
    /// The whole text.
    bytes: &'a [u8],
    /// The next byte to read.
    pos: usize,
}

impl Parser<'_> {
    /// An error message that says where reading stopped.
    fn error(&self, what: &str) -> String {
        format!("invalid JSON at byte {}: {what}", self.pos)
    }

    fn skip_whitespace(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.bytes.get(self.pos) {
            self.pos += 1;
        }
    }

    /// Consumes `literal` if the text continues with it.
    fn eat(&mut self, literal: &str) -> bool {
        if self.bytes[self.pos..].starts_with(literal.as_bytes()) {
            self.pos += literal.len();
            true
        } else {
            false
        }
    }

    /// One value, after optional whitespace.
    fn value(&mut self, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err(self.error("nested too deeply"));
        }
        self.skip_whitespace();
        match self.bytes.get(self.pos) {
            None => Err(self.error("unexpected end of text")),
            Some(b'{') => self.object(depth),
            Some(b'[') => self.array(depth),
            Some(b'"') => self.string().map(Value::String),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(_) if self.eat("null") => Ok(Value::Null),
            Some(_) if self.eat("true") => Ok(Value::Bool(true)),
            Some(_) if self.eat("false") => Ok(Value::Bool(false)),
            Some(_) => Err(self.error("expected a value")),
        }
    }

    fn object(&mut self, depth: usize) -> Result<Value, String> {
        self.pos += 1; // '{'
        let mut members = Vec::new();
        self.skip_whitespace();
        if self.eat("}") {
            return Ok(Value::Object(members));
        }
        loop {
            self.skip_whitespace();
            if self.bytes.get(self.pos) != Some(&b'"') {
                return Err(self.error("expected a string key"));
            }
            let key = self.string()?;
            self.skip_whitespace();
            if !self.eat(":") {
                return Err(self.error("expected `:`"));
            }
            let value = self.value(depth + 1)?;
            members.push((key, value));
            self.skip_whitespace();
            if self.eat("}") {
                return Ok(Value::Object(members));
            }
            if !self.eat(",") {
                return Err(self.error("expected `,` or `}`"));
            }
        }
    }

    fn array(&mut self, depth: usize) -> Result<Value, String> {
        self.pos += 1; // '['
        let mut items = Vec::new();
        self.skip_whitespace();
        if self.eat("]") {
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_whitespace();
            if self.eat("]") {
                return Ok(Value::Array(items));
            }
            if !self.eat(",") {
                return Err(self.error("expected `,` or `]`"));
            }
        }
    }

    /// A string literal, the opening quote at `pos`.
    fn string(&mut self) -> Result<String, String> {
        self.pos += 1; // '"'
        let mut out = String::new();
        loop {
            // Copy the run of plain bytes up to the next quote or backslash;
            // it is valid UTF-8 because the text is a `&str` and the run
            // ends at an ASCII byte.
            let run_start = self.pos;
            while let Some(&b) = self.bytes.get(self.pos) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.pos += 1;
            }
            out.push_str(
                std::str::from_utf8(&self.bytes[run_start..self.pos])
                    .map_err(|_| self.error("invalid UTF-8"))?,
            );
            match self.bytes.get(self.pos) {
                None => return Err(self.error("unterminated string")),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    self.pos += 1;
                    self.escape(&mut out)?;
                }
                Some(_) => return Err(self.error("control character in a string")),
            }
        }
    }

    /// The escape after a backslash, appended to `out`.
    fn escape(&mut self, out: &mut String) -> Result<(), String> {
        let Some(&b) = self.bytes.get(self.pos) else {
            return Err(self.error("unterminated escape"));
        };
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                let code = if (0xD800..0xDC00).contains(&high) {
                    // A surrogate pair: the low half must follow.
                    if !self.eat("\\u") {
                        return Err(self.error("unpaired surrogate"));
                    }
                    let low = self.hex4()?;
                    if !(0xDC00..0xE000).contains(&low) {
                        return Err(self.error("unpaired surrogate"));
                    }
                    0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                } else {
                    high
                };
                char::from_u32(code).ok_or_else(|| self.error("invalid \\u escape"))?
            }
            _ => return Err(self.error("unknown escape")),
        };
        out.push(c);
        Ok(())
    }

    /// Four hex digits of a `\u` escape.
    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self
            .bytes
            .get(self.pos..self.pos + 4)
            .and_then(|digits| std::str::from_utf8(digits).ok())
            .filter(|digits| digits.bytes().all(|b| b.is_ascii_hexdigit()))
            .ok_or_else(|| self.error("expected four hex digits"))?;
        let code = u32::from_str_radix(digits, 16).map_err(|_| self.error("bad hex digits"))?;
        self.pos += 4;
        Ok(code)
    }

    /// A number: `-? int frac? exp?` as RFC 8259 spells it.
    fn number(&mut self) -> Result<Value, String> {
        let start = self.pos;
        let digits = |parser: &mut Self| {
            let from = parser.pos;
            while let Some(b'0'..=b'9') = parser.bytes.get(parser.pos) {
                parser.pos += 1;
            }
            parser.pos > from
        };
        self.eat("-");
        if !self.eat("0") && !digits(self) {
            return Err(self.error("expected digits"));
        }
        if self.eat(".") && !digits(self) {
            return Err(self.error("expected digits after `.`"));
        }
        if matches!(self.bytes.get(self.pos), Some(b'e' | b'E')) {
            self.pos += 1;
            if !self.eat("+") {
                self.eat("-");
            }
            if !digits(self) {
                return Err(self.error("expected exponent digits"));
            }
        }
        // The slice is ASCII by construction.
        let text = std::str::from_utf8(&self.bytes[start..self.pos]).unwrap_or_default();
        text.parse()
            .map(Value::Number)
            .map_err(|_| self.error("number out of range"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_criterion_benchmark_json() {
        let text = r#"{"group_id":"vyukov_mpmc/throughput","function_id":"concurrent-queue","value_str":"4p4c","throughput":{"Elements":100000},"full_id":"vyukov_mpmc/throughput/concurrent-queue/4p4c","directory_name":"vyukov_mpmc_throughput/concurrent-queue/4p4c","title":"vyukov_mpmc/throughput/concurrent-queue/4p4c"}"#;
        let value = parse(text).unwrap();
        assert_eq!(
            value.get("group_id").and_then(Value::as_str),
            Some("vyukov_mpmc/throughput")
        );
        assert_eq!(
            value
                .at(&["throughput", "Elements"])
                .and_then(Value::as_f64),
            Some(100_000.0)
        );
        assert_eq!(value.get("missing"), None);
    }

    #[test]
    fn reads_criterion_estimates_json() {
        let text = r#"{"mean":{"confidence_interval":{"confidence_level":0.95,"lower_bound":2605596.802134354,"upper_bound":3203365.837619047},"point_estimate":2881998.8206802723,"standard_error":153815.4522764357},"median":{"confidence_interval":{"confidence_level":0.95,"lower_bound":2525106.4714285713,"upper_bound":3196583.7023809524},"point_estimate":2693411.4795918367,"standard_error":173101.23213838617},"slope":null}"#;
        let value = parse(text).unwrap();
        let median = value.get("median").unwrap();
        assert_eq!(
            median.get("point_estimate").and_then(Value::as_f64),
            Some(2693411.4795918367)
        );
        assert_eq!(
            median
                .at(&["confidence_interval", "lower_bound"])
                .and_then(Value::as_f64),
            Some(2525106.4714285713)
        );
        assert_eq!(value.get("slope"), Some(&Value::Null));
    }

    #[test]
    fn reads_every_kind_of_value() {
        let value =
            parse(" [true, false, null, -1.5e3, 0, \"a\\\"b\\\\c\\u00e9\\ud83d\\ude00\", {}, []] ")
                .unwrap();
        assert_eq!(
            value,
            Value::Array(vec![
                Value::Bool(true),
                Value::Bool(false),
                Value::Null,
                Value::Number(-1500.0),
                Value::Number(0.0),
                Value::String("a\"b\\c\u{e9}\u{1f600}".into()),
                Value::Object(vec![]),
                Value::Array(vec![]),
            ])
        );
    }

    #[test]
    fn rejects_malformed_text() {
        for bad in [
            "",
            "{",
            "[1,]",
            "{\"a\" 1}",
            "01",
            "1.",
            "tru",
            "\"abc",
            "[1] 2",
            "{1:2}",
            "\"\\x\"",
            "\"\\ud800\"",
        ] {
            assert!(parse(bad).is_err(), "accepted {bad:?}");
        }
        assert!(parse(&"[".repeat(1000)).is_err());
    }

    #[test]
    fn quote_and_number_round_trip() {
        let text = "tab\there \"quoted\" back\\slash \u{1} é";
        assert_eq!(parse(&quote(text)).unwrap(), Value::String(text.to_owned()));
        assert_eq!(parse(&number(1.25e7)).unwrap(), Value::Number(1.25e7));
        assert_eq!(number(f64::NAN), "null");
    }
}
