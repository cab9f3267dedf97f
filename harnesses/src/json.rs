//! The JSON family's harnesses: the cost oracle, the number oracle, the
//! differential oracle against serde_json, and the attack and document
//! generators the tests and benches share.
//!
//! # Cost oracle
//!
//! Both twins count one step per value parsed, one level of depth per open
//! array or object, and member-key probes (see
//! [`gauntlet_targets::json`]). A run that reaches the meter's depth fuse
//! ([`Fuse::DEPTH`], 2,000 levels) is a [`Kind::UnboundedRecursion`] finding
//! (CWE-674): the hardened twin refuses at its limit of 128 long before. A
//! run whose probes exceed [`probe_bound`]`(steps)` =
//! 4 × values + 64 is a [`Kind::HashCollision`] finding (CWE-407): a member
//! table with short chains spends a bounded number of probes per member,
//! while n keys in one chain cost n²/2. The fuse stops the probing at four
//! times the bound for the whole input (at least a million), so a flood is
//! decided in time linear in the input. The hardened twin is also held to its
//! own depth limit.
//!
//! # Number oracle
//!
//! A number is an [`Kind::IntegerOverflow`] finding (CWE-190) when its parsed
//! value says something its literal does not:
//! - it is an integer ([`NumberValue::PosInt`] or [`NumberValue::NegInt`])
//!   that differs from the exact value of an integer literal ([`exact_integer`],
//!   or a literal beyond `i128`, or one with a fraction or exponent), or
//! - it is an infinite float, when every JSON literal is finite.
//!
//! A float that is the nearest `f64` to its literal (a 100-digit integer
//! kept as `1e99` next to its exact literal, `-0` as `-0.0`) is an honest
//! approximation, not a finding. The check is exact and deterministic. Its
//! reference is exact arithmetic on the literal, so the registry lists it as
//! the twins' differential oracle.
//!
//! # Differential oracle
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
//! The only disagreements allowed are these, each named in the verdict:
//!
//! - [`EXCEPTION_DUPLICATE_KEYS`]: serde_json keeps the last of duplicate
//!   keys; the hardened twin refuses the document. RFC 8259 §4 leaves the
//!   behaviour to the implementation, and refusing is the only answer that
//!   cannot disagree with another parser about the value.
//! - [`EXCEPTION_DEPTH_128`]: serde_json's recursion counter starts at 128
//!   and fails when it reaches zero, so it refuses a document nested exactly
//!   128 deep; the hardened twin's limit of 128 admits it. Both refuse 129.
//! - [`EXCEPTION_NUMBER_DIGITS`]: serde_json reads number literals of any
//!   length; the hardened twin refuses more than 4,300 digits.
//! - [`EXCEPTION_INPUT_SIZE`]: serde_json has no input limit; the hardened
//!   twin refuses more than 64 MiB.

use gauntlet_targets::json::{hardened, probe_bound, vulnerable, Number, NumberValue, Value};
use gauntlet_targets::meter::{Fuse, Meter, Resource};

use crate::guard::on_big_stack;
use crate::registry::{Oracle, Target, Variant};
use crate::verdict::{Finding, Kind, Verdict};

const FORMAT: &str = "a JSON text (RFC 8259), as bytes";

/// The vulnerable twin under the cost and number oracles.
pub const VULNERABLE: Target = Target {
    name: "json-vulnerable",
    family: "json",
    variant: Variant::Vulnerable,
    cwes: &[674, 407, 190],
    expected: &[Kind::UnboundedRecursion, Kind::HashCollision, Kind::IntegerOverflow],
    oracles: &[Oracle::Cost, Oracle::Differential],
    input_format: FORMAT,
    source: "targets/src/json/vulnerable.rs",
    fuzz_args: &[],
    run: run_vulnerable,
};

/// The hardened twin under the cost and number oracles.
pub const HARDENED: Target = Target {
    name: "json-hardened",
    family: "json",
    variant: Variant::Hardened,
    cwes: &[674, 407, 190],
    expected: &[],
    oracles: &[Oracle::Cost, Oracle::Differential],
    input_format: FORMAT,
    source: "targets/src/json/hardened.rs",
    fuzz_args: &[],
    run: run_hardened,
};

/// The hardened twin against `serde_json::Value`.
pub const DIFFERENTIAL: Target = Target {
    name: "json-differential",
    family: "json",
    variant: Variant::Differential,
    cwes: &[436],
    expected: &[],
    oracles: &[Oracle::Differential, Oracle::Cost],
    input_format: FORMAT,
    source: "targets/src/json/hardened.rs",
    fuzz_args: &[],
    run: run_differential,
};

/// serde_json keeps the last of duplicate keys; the hardened twin refuses.
pub const EXCEPTION_DUPLICATE_KEYS: &str = "duplicate-keys";
/// serde_json refuses a document nested exactly 128 deep; the hardened twin
/// admits it.
pub const EXCEPTION_DEPTH_128: &str = "depth-128";
/// serde_json reads numbers of any length; the hardened twin refuses more
/// than [`hardened::Config::NUMBER_DIGITS_LIMIT`] digits.
pub const EXCEPTION_NUMBER_DIGITS: &str = "number-digits";
/// serde_json has no input limit; the hardened twin refuses more than
/// [`hardened::Config::MAX_INPUT_LEN`] bytes.
pub const EXCEPTION_INPUT_SIZE: &str = "input-size";

/// The fuse for an input of `len` bytes: steps never trip (a value takes at
/// least a byte), probes trip at four times [`probe_bound`] of the whole
/// input (at least a million), depth at [`Fuse::DEPTH`].
pub fn fuse_for(len: usize) -> Fuse {
    let n = len as u64;
    Fuse::default()
        .with_steps(Fuse::STEPS.max(n.saturating_add(1)))
        .with_probes(probe_bound(n).saturating_mul(4).max(1_000_000))
}

fn rejected(reason: impl ToString, meter: &Meter) -> Verdict {
    Verdict::Rejected { reason: reason.to_string(), cost: meter.cost() }
}

/// The cost oracle on a finished (or fused) run of `len` input bytes.
fn cost_finding(target: &'static str, meter: &Meter, len: usize) -> Option<Finding> {
    let cost = meter.cost();
    if meter.tripped().map(|b| b.resource) == Some(Resource::Depth) {
        let summary = format!(
            "recursion reached the depth fuse of {} levels on a {len}-byte input",
            meter.fuse().depth
        );
        return Some(Finding::new(
            target,
            Kind::UnboundedRecursion,
            674,
            "recursive-descent",
            summary,
            cost,
        ));
    }
    let bound = probe_bound(cost.steps);
    if cost.probes > bound {
        let fused = if meter.tripped().is_some() { " (fuse tripped)" } else { "" };
        let summary = format!(
            "member table degraded: {} hash probes > linear bound {bound} for {} values on a \
             {len}-byte input{fused}",
            cost.probes, cost.steps
        );
        return Some(Finding::new(target, Kind::HashCollision, 407, "member-table", summary, cost));
    }
    None
}

/// The exact value of an integer literal (`-0`, `007` and `12` included), or
/// `None` for a literal with a fraction or exponent or beyond `i128`.
pub fn exact_integer(literal: &str) -> Option<i128> {
    if literal.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return None;
    }
    literal.parse::<i128>().ok()
}

/// The number oracle on one number: `(location, summary)` when its value
/// says something its literal does not.
pub fn number_overflow(number: &Number) -> Option<(&'static str, String)> {
    let literal = number.literal();
    let claimed: i128 = match number.value() {
        NumberValue::Float(x) if x.is_infinite() => {
            let summary = format!("the finite literal {} parsed as {x}", abbreviate(&literal));
            return Some(("float-saturation", summary));
        }
        NumberValue::Float(_) => return None,
        NumberValue::PosInt(n) => i128::from(n),
        NumberValue::NegInt(n) => i128::from(n),
    };
    if exact_integer(&literal) == Some(claimed) {
        return None;
    }
    let summary = format!(
        "the integer literal {} ({} digits) parsed as {claimed}",
        abbreviate(&literal),
        literal.bytes().filter(u8::is_ascii_digit).count()
    );
    Some(("integer-accumulation", summary))
}

fn abbreviate(text: &str) -> String {
    if text.len() <= 40 {
        return text.to_owned();
    }
    format!("{}…{}", &text[..20], &text[text.len() - 12..])
}

/// The number oracle over a whole value, without recursion.
fn number_finding(target: &'static str, value: &Value, meter: &Meter) -> Option<Finding> {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Number(n) => {
                if let Some((location, summary)) = number_overflow(n) {
                    return Some(Finding::new(
                        target,
                        Kind::IntegerOverflow,
                        190,
                        location,
                        summary,
                        meter.cost(),
                    ));
                }
            }
            Value::Array(items) => stack.extend(items.iter().rev()),
            Value::Object(members) => stack.extend(members.iter().rev().map(|(_, v)| v)),
            _ => {}
        }
    }
    None
}

fn run_vulnerable(input: &[u8]) -> Verdict {
    // The whole run, the value's recursive drop included, on a big stack.
    on_big_stack(|| {
        let mut meter = Meter::new(fuse_for(input.len()));
        let result = vulnerable::parse(input, &mut meter);
        if let Some(f) = cost_finding(VULNERABLE.name, &meter, input.len()) {
            return Verdict::Finding(f);
        }
        match result {
            Ok(value) => match number_finding(VULNERABLE.name, &value, &meter) {
                Some(f) => Verdict::Finding(f),
                None => Verdict::Clean { cost: meter.cost() },
            },
            Err(e) => rejected(e, &meter),
        }
    })
}

/// The hardened twin's own checks: the cost oracle, its depth limit and the
/// number oracle.
fn hardened_verdict(
    target: &'static str,
    result: Result<Value, gauntlet_targets::json::Error>,
    meter: &Meter,
    len: usize,
) -> Verdict {
    if let Some(f) = cost_finding(target, meter, len) {
        return Verdict::Finding(f);
    }
    let cost = meter.cost();
    if cost.depth > hardened::Config::DEPTH_LIMIT as u64 {
        let summary = format!(
            "nesting reached depth {} past the limit of {}",
            cost.depth,
            hardened::Config::DEPTH_LIMIT
        );
        let f = Finding::new(target, Kind::UnboundedRecursion, 674, "depth-limit", summary, cost);
        return Verdict::Finding(f);
    }
    match result {
        Ok(value) => match number_finding(target, &value, meter) {
            Some(f) => Verdict::Finding(f),
            None => Verdict::Clean { cost },
        },
        Err(e) => rejected(e, meter),
    }
}

fn run_hardened(input: &[u8]) -> Verdict {
    let mut meter = Meter::new(fuse_for(input.len()));
    let result = hardened::parse(input, &mut meter);
    hardened_verdict(HARDENED.name, result, &meter, input.len())
}

/// The reference: `serde_json::from_slice::<serde_json::Value>`.
pub fn reference(input: &[u8]) -> Result<serde_json::Value, serde_json::Error> {
    serde_json::from_slice(input)
}

/// The named exception under which serde_json may accept what the hardened
/// twin refuses with `kind`.
pub fn refusal_exception(kind: &gauntlet_targets::json::ErrorKind) -> Option<&'static str> {
    use gauntlet_targets::json::ErrorKind;
    match kind {
        ErrorKind::DuplicateKey { .. } => Some(EXCEPTION_DUPLICATE_KEYS),
        ErrorKind::NumberTooLong { .. } => Some(EXCEPTION_NUMBER_DIGITS),
        ErrorKind::InputTooLarge { .. } => Some(EXCEPTION_INPUT_SIZE),
        _ => None,
    }
}

/// Whether serde_json's refusal `error` of a document the hardened twin
/// accepted at nesting depth `depth` is [`EXCEPTION_DEPTH_128`].
pub fn is_depth_128(error: &serde_json::Error, depth: u64) -> bool {
    depth == hardened::Config::DEPTH_LIMIT as u64
        && error.to_string().starts_with("recursion limit exceeded")
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
        Value::String(s) => format!("{:?}", abbreviate(s)),
        Value::Array(items) => format!("an array of {}", items.len()),
        Value::Object(members) => format!("an object of {} members", members.len()),
    }
}

fn run_differential(input: &[u8]) -> Verdict {
    let name = DIFFERENTIAL.name;
    let mut meter = Meter::new(fuse_for(input.len()));
    let ours = hardened::parse(input, &mut meter);
    let theirs = reference(input);
    let mismatch = |location: &str, summary: String| {
        Verdict::Finding(Finding::new(
            name,
            Kind::DifferentialMismatch,
            436,
            location,
            summary,
            meter.cost(),
        ))
    };
    match (&ours, theirs) {
        (Ok(value), Ok(theirs)) => {
            if let Some(diff) = difference(value, &theirs) {
                return mismatch("value", format!("both accept, values differ {diff}"));
            }
        }
        (Err(_), Err(_)) => {}
        (Err(e), Ok(_)) => match refusal_exception(&e.kind) {
            Some(exception) => {
                let reason = format!("{e} (serde_json accepts: documented exception {exception})");
                return rejected(reason, &meter);
            }
            None => {
                return mismatch(
                    "hardened-refuses",
                    format!("hardened refuses ({e}), serde_json accepts"),
                )
            }
        },
        (Ok(_), Err(e)) => {
            if !is_depth_128(&e, meter.cost().depth) {
                return mismatch(
                    "hardened-accepts",
                    format!("hardened accepts, serde_json refuses ({e})"),
                );
            }
        }
    }
    hardened_verdict(name, ours, &meter, input.len())
}

/// Attack generators shared by tests, benches, reproducers and the CLI.
pub mod attacks {
    use std::fmt::Write as _;

    /// `n` opening brackets and nothing else: one recursion level each for a
    /// recursive-descent parser.
    pub fn bracket_flood(n: usize) -> Vec<u8> {
        vec![b'['; n]
    }

    /// `n` nested arrays, closed: `[[[]]]` for 3.
    pub fn nested_arrays(n: usize) -> Vec<u8> {
        let mut out = vec![b'['; n];
        out.resize(2 * n, b']');
        out
    }

    /// `n` nested objects, closed: `{"a":{"a":0}}` for 2.
    pub fn object_nest(n: usize) -> Vec<u8> {
        let mut out = b"{\"a\":".repeat(n);
        out.push(b'0');
        out.extend(std::iter::repeat_n(b'}', n));
        out
    }

    /// `n` distinct keys with one [`djbx33a`] hash.
    ///
    /// The generator: `"Ez"` and `"FY"` hash alike under times-33
    /// (69·33 + 122 = 70·33 + 89), and appending equal-hash blocks to
    /// equal-length strings of equal hash keeps their hashes equal. So key
    /// `i` is `i` written in binary over `w` blocks, `"Ez"` for a 0 bit and
    /// `"FY"` for a 1 bit, most significant first, `w` the fewest bits that
    /// count to `n` (at least one): for `n = 4`, `EzEz`, `EzFY`, `FYEz`,
    /// `FYFY`. Every key is `2w` bytes of ASCII letters.
    ///
    /// [`djbx33a`]: gauntlet_targets::json::djbx33a
    pub fn colliding_keys(n: usize) -> Vec<String> {
        let width = (usize::BITS - n.saturating_sub(1).leading_zeros()).max(1) as usize;
        (0..n)
            .map(|i| {
                (0..width).rev().map(|bit| if (i >> bit) & 1 == 1 { "FY" } else { "Ez" }).collect()
            })
            .collect()
    }

    /// An object of `n` members whose keys all collide (see
    /// [`colliding_keys`]), one member a line, each value its index.
    pub fn colliding_object(n: usize) -> Vec<u8> {
        object_of(colliding_keys(n))
    }

    /// The same shape as [`colliding_object`] with keys that spread over the
    /// buckets (`k0`, `k1`, ...), for comparison.
    pub fn spread_object(n: usize) -> Vec<u8> {
        object_of((0..n).map(|i| format!("k{i}")).collect())
    }

    fn object_of(keys: Vec<String>) -> Vec<u8> {
        let mut out = String::from("{\n");
        for (i, key) in keys.iter().enumerate() {
            let comma = if i + 1 < keys.len() { "," } else { "" };
            let _ = writeln!(out, "\"{key}\":{i}{comma}");
        }
        out.push_str("}\n");
        out.into_bytes()
    }
}

/// Benign documents for benches and tests.
pub mod documents {
    use std::fmt::Write as _;

    /// A benign document of at least `len` bytes: an array of user records
    /// mixing every JSON type — integers (negative ones too), decimals,
    /// booleans, `null`, nested objects and arrays, escapes and non-ASCII
    /// text — the shape of a typical API response. Deterministic.
    pub fn benign(len: usize) -> Vec<u8> {
        let mut out = String::with_capacity(len + 1024);
        out.push_str("[\n");
        let mut i: u64 = 0;
        while out.len() < len {
            if i > 0 {
                out.push_str(",\n");
            }
            // A fixed pseudo-random mix (an LCG), so the document is the
            // same on every run.
            let r = i.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407) >> 33;
            let _ = write!(
                out,
                "  {{\"id\": {i}, \"name\": \"user {i}\", \"email\": \"user{i}@example.com\", \
                 \"active\": {}, \"score\": {}.{:02}, \"balance\": {}, \"manager\": null, \
                 \"tags\": [\"alpha\", \"beta-{}\", \"gamma\"], \
                 \"address\": {{\"street\": \"{} Main Street\", \"city\": \"Zürich\", \
                 \"zip\": \"{:05}\"}}, \
                 \"bio\": \"Line one\\nLine \\\"two\\\" caf\\u00e9\\t{}\"}}",
                r % 3 != 0,
                r % 100,
                r % 97,
                (r % 20_000) as i64 - 10_000,
                r % 7,
                r % 900 + 1,
                r % 100_000,
                r,
            );
            i += 1;
        }
        out.push_str("\n]\n");
        out.into_bytes()
    }
}
