//! The JSON family's differential oracle against serde_json.
//!
//! `json-differential` runs the hardened twin (default [`hardened::Config`])
//! and `serde_json::from_slice::<serde_json::Value>` (built with its
//! `float_roundtrip` feature, so that its floats are correctly rounded, as
//! `str::parse::<f64>` is) on every input. They must make the same
//! accept/reject decision, and where both accept, the values must be equal:
//! the same members (serde_json's map is sorted, ours in document order, so
//! members are matched by key), and numbers of the same class and value —
//! `u64` for `u64`, `i64` for `i64`, and floats bit for bit, so `-0` must be
//! `-0.0` on both sides. The vulnerable twin is not compared: it is meant to
//! differ.
//!
//! The only disagreements allowed are the variants of [`Exception`], each
//! named in the verdict.

use std::fmt;

use gauntlet_targets::json::{hardened, ErrorKind, Number, NumberValue, Value};
use gauntlet_targets::meter::Meter;

use super::{fuse_for, oracle, DIFFERENTIAL};
use crate::kit;
use crate::verdict::{Finding, Kind, Verdict};

/// The reference: `serde_json::from_slice::<serde_json::Value>`.
pub fn reference(input: &[u8]) -> Result<serde_json::Value, serde_json::Error> {
    serde_json::from_slice(input)
}

/// The documented disagreements with serde_json: what the differential
/// target reports as a rejection naming the exception, never as a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exception {
    /// serde_json keeps the last of duplicate keys; the hardened twin refuses
    /// the document. RFC 8259 §4 leaves the behaviour to the implementation,
    /// and refusing is the only answer that cannot disagree with another
    /// parser about the value.
    DuplicateKeys,
    /// serde_json's recursion counter starts at 128 and fails when it
    /// reaches zero, so it refuses a document nested exactly 128 deep; the
    /// hardened twin's limit of 128 admits it. Both refuse 129.
    Depth128,
    /// serde_json reads number literals of any length; the hardened twin
    /// refuses more than [`hardened::Config::NUMBER_DIGITS_LIMIT`] digits.
    NumberDigits,
    /// serde_json has no input limit; the hardened twin refuses more than
    /// [`hardened::Config::MAX_INPUT_LEN`] bytes.
    InputSize,
}

impl Exception {
    /// The exception under which serde_json may accept what the hardened
    /// twin refuses with `kind`.
    pub fn of_refusal(kind: &ErrorKind) -> Option<Exception> {
        match kind {
            ErrorKind::DuplicateKey { .. } => Some(Exception::DuplicateKeys),
            ErrorKind::NumberTooLong { .. } => Some(Exception::NumberDigits),
            ErrorKind::InputTooLarge { .. } => Some(Exception::InputSize),
            _ => None,
        }
    }

    /// Whether serde_json's refusal `error` of a document the hardened twin
    /// accepted at nesting depth `depth` is [`Exception::Depth128`].
    pub fn is_depth_128(error: &serde_json::Error, depth: u64) -> bool {
        depth == hardened::Config::DEPTH_LIMIT as u64
            && error.to_string().starts_with("recursion limit exceeded")
    }

    /// A lowercase name for reasons and reports.
    pub fn name(self) -> &'static str {
        match self {
            Exception::DuplicateKeys => "duplicate-keys",
            Exception::Depth128 => "depth-128",
            Exception::NumberDigits => "number-digits",
            Exception::InputSize => "input-size",
        }
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Where `ours` and `theirs` first differ, as a path and the two sides; `None`
/// when they are equal under the differential oracle's rules.
pub fn difference(ours: &Value, theirs: &serde_json::Value) -> Option<String> {
    let mut stack = vec![(ours, theirs, String::from("$"))];
    while let Some((ours, theirs, path)) = stack.pop() {
        let equal = match (ours, theirs) {
            (Value::Null, serde_json::Value::Null) => true,
            (Value::Bool(a), serde_json::Value::Bool(b)) => a == b,
            (Value::String(a), serde_json::Value::String(b)) => a == b,
            (Value::Number(a), serde_json::Value::Number(b)) => same_number(a, b),
            (Value::Array(a), serde_json::Value::Array(b)) if a.len() == b.len() => {
                for (i, (x, y)) in a.iter().zip(b).enumerate().rev() {
                    stack.push((x, y, format!("{path}[{i}]")));
                }
                true
            }
            (Value::Object(a), serde_json::Value::Object(b)) if a.len() == b.len() => {
                let mut all = true;
                for (key, x) in a.iter().rev() {
                    match b.get(key) {
                        Some(y) => stack.push((x, y, format!("{path}.{key:?}"))),
                        None => all = false,
                    }
                }
                all
            }
            _ => false,
        };
        if !equal {
            return Some(format!("at {path}: hardened {} vs serde_json {}", show(ours), theirs));
        }
    }
    None
}

fn same_number(ours: &Number, theirs: &serde_json::Number) -> bool {
    match ours.value() {
        NumberValue::PosInt(n) => theirs.is_u64() && theirs.as_u64() == Some(n),
        NumberValue::NegInt(n) => !theirs.is_u64() && theirs.as_i64() == Some(n),
        NumberValue::Float(x) => {
            theirs.is_f64() && theirs.as_f64().map(f64::to_bits) == Some(x.to_bits())
        }
    }
}

/// A short rendering of a value for messages.
fn show(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format!("{} ({})", n.literal(), n.value()),
        Value::String(s) => format!("{:?}", oracle::abbreviate(s)),
        Value::Array(items) => format!("an array of {}", items.len()),
        Value::Object(members) => format!("an object of {} members", members.len()),
    }
}

pub(super) fn run_differential(input: &[u8]) -> Verdict {
    let name = DIFFERENTIAL.name;
    let mut meter = Meter::new(fuse_for(input.len()));
    let ours = hardened::parse(input, &mut meter);
    let theirs = reference(input);
    let mismatch = |location: &str, summary: String| {
        Finding::of(name, Kind::DifferentialMismatch, location).verdict(summary, meter.cost())
    };
    match (&ours, theirs) {
        (Ok(value), Ok(theirs)) => {
            if let Some(diff) = difference(value, &theirs) {
                return mismatch("value", format!("both accept, values differ {diff}"));
            }
        }
        (Err(_), Err(_)) => {}
        (Err(e), Ok(_)) => match Exception::of_refusal(&e.kind) {
            Some(exception) => {
                let reason = format!("{e} (serde_json accepts: documented exception {exception})");
                return kit::rejected(reason, &meter);
            }
            None => {
                return mismatch(
                    "hardened-refuses",
                    format!("hardened refuses ({e}), serde_json accepts"),
                )
            }
        },
        (Ok(_), Err(e)) => {
            if !Exception::is_depth_128(&e, meter.cost().depth) {
                return mismatch(
                    "hardened-accepts",
                    format!("hardened accepts, serde_json refuses ({e})"),
                );
            }
        }
    }
    let limit = hardened::Config::DEPTH_LIMIT as u64;
    oracle::verdict(name, ours, &meter, input.len(), Some(limit))
}
