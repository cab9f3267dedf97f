//! The RFC 8259 conformance table in `testdata/json/conformance.toml`,
//! through every JSON engine: the vulnerable twin, the hardened twin and
//! serde_json. The table's header says what each field means.

use std::collections::{BTreeMap, BTreeSet};

use gauntlet_harnesses::guard::deep;
use gauntlet_harnesses::json::{difference, number_overflow, reference};
use gauntlet_targets::json::{hardened, vulnerable, Value};
use gauntlet_targets::meter::Meter;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Table {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    rule: String,
    expect: String,
    note: Option<String>,
    input: Option<String>,
    input_hex: Option<String>,
    parts: Option<Vec<(String, usize)>>,
    hardened: Option<String>,
    serde_json: Option<String>,
    vulnerable: Option<String>,
    #[serde(default)]
    vulnerable_overflows: bool,
    error: Option<String>,
    offset: Option<usize>,
}

/// Every rule of RFC 8259's ABNF grammar (§2 to §7).
const RULES: [&str; 30] = [
    "JSON-text",
    "ws",
    "begin-array",
    "begin-object",
    "end-array",
    "end-object",
    "name-separator",
    "value-separator",
    "value",
    "false",
    "null",
    "true",
    "object",
    "member",
    "array",
    "number",
    "decimal-point",
    "digit1-9",
    "e",
    "exp",
    "frac",
    "int",
    "minus",
    "plus",
    "zero",
    "string",
    "char",
    "escape",
    "quotation-mark",
    "unescaped",
];

impl Case {
    fn input(&self) -> Vec<u8> {
        match (&self.input, &self.input_hex, &self.parts) {
            (Some(s), None, None) => s.as_bytes().to_vec(),
            (None, Some(hex), None) => {
                let hex: Vec<u8> = hex.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
                hex.chunks(2)
                    .map(|pair| {
                        let pair = std::str::from_utf8(pair).unwrap();
                        u8::from_str_radix(pair, 16)
                            .unwrap_or_else(|e| panic!("{}: {e}", self.name))
                    })
                    .collect()
            }
            (None, None, Some(parts)) => {
                parts.iter().flat_map(|(text, n)| text.as_bytes().repeat(*n)).collect()
            }
            _ => panic!("{}: exactly one of input, input_hex, parts", self.name),
        }
    }

    /// Whether `engine` ("hardened", "serde_json", "vulnerable") should
    /// accept the input.
    fn accepts(&self, engine: &str) -> bool {
        let explicit = match engine {
            "hardened" => &self.hardened,
            "serde_json" => &self.serde_json,
            _ => &self.vulnerable,
        };
        let verdict = match (self.expect.as_str(), explicit) {
            ("either", Some(v)) => v.as_str(),
            ("either", None) => panic!("{}: \"either\" needs {engine}", self.name),
            (_, Some(v)) if engine == "vulnerable" => v.as_str(),
            (_, Some(_)) => panic!("{}: only \"either\" cases name {engine}", self.name),
            (expect, None) => expect,
        };
        match verdict {
            "accept" => true,
            "reject" => false,
            other => panic!("{}: {engine}: {other:?} is not accept or reject", self.name),
        }
    }
}

fn table() -> Vec<Case> {
    let text = include_str!("../testdata/json/conformance.toml");
    toml::from_str::<Table>(text).expect("testdata/json/conformance.toml parses").case
}

/// The vulnerable twin's reading agrees with the hardened twin's: the same
/// structure, strings and number literals. (Number *values* are judged by
/// the number oracle instead: the vulnerable twin reads `-0` as the integer
/// 0, which is exact but not serde_json's class.)
fn same_reading(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.literal() == y.literal(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_reading(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter().zip(y).all(|((kx, x), (ky, y))| kx == ky && same_reading(x, y))
        }
        _ => a == b,
    }
}

fn overflows(value: &Value) -> bool {
    match value {
        Value::Number(n) => number_overflow(n).is_some(),
        Value::Array(items) => items.iter().any(overflows),
        Value::Object(members) => members.iter().any(|(_, v)| overflows(v)),
        _ => false,
    }
}

#[test]
fn every_engine_agrees_with_the_conformance_table() {
    let cases = table();
    let mut names = BTreeSet::new();
    let mut failures = Vec::new();
    for case in &cases {
        assert!(names.insert(case.name.as_str()), "duplicate case name {}", case.name);
        assert!(RULES.contains(&case.rule.as_str()), "{}: unknown rule {}", case.name, case.rule);
        let input = case.input();
        let mut fail = |what: String| failures.push(format!("{}: {what}", case.name));

        let ours = hardened::parse(&input, &mut Meter::default());
        let theirs = reference(&input);
        match (&ours, case.accepts("hardened")) {
            (Ok(_), true) => {}
            (Err(e), false) => {
                let want = (case.error.as_deref(), case.offset);
                if want != (Some(e.kind.name()), Some(e.offset)) {
                    fail(format!("hardened refuses with {e}, the table says {want:?}"));
                }
            }
            (Ok(_), false) => fail("hardened accepts".into()),
            (Err(e), true) => fail(format!("hardened refuses: {e}")),
        }
        if ours.is_ok() && (case.error.is_some() || case.offset.is_some()) {
            fail("error and offset are for cases the hardened twin refuses".into());
        }
        match (&theirs, case.accepts("serde_json")) {
            (Ok(_), true) | (Err(_), false) => {}
            (Ok(_), false) => fail("serde_json accepts".into()),
            (Err(e), true) => fail(format!("serde_json refuses: {e}")),
        }
        if let (Ok(ours), Ok(theirs)) = (&ours, &theirs) {
            if let Some(diff) = difference(ours, theirs) {
                fail(format!("values differ {diff}"));
            }
        }

        let copy = input.clone();
        let vulnerable = deep(move || {
            vulnerable::parse(&copy, &mut Meter::default()).map(|v| (overflows(&v), v))
        });
        match (&vulnerable, case.accepts("vulnerable")) {
            (Ok((overflowed, value)), true) => {
                if *overflowed != case.vulnerable_overflows {
                    fail(format!("vulnerable number overflow: {overflowed}"));
                }
                if let Ok(ours) = &ours {
                    if !same_reading(value, ours) {
                        fail("vulnerable and hardened read it differently".into());
                    }
                }
            }
            (Err(_), false) => {}
            (Ok(_), false) => fail("vulnerable accepts".into()),
            (Err(e), true) => fail(format!("vulnerable refuses: {e}")),
        }
        if case.vulnerable_overflows && !case.accepts("vulnerable") {
            fail("vulnerable_overflows on a case the vulnerable twin refuses".into());
        }
        if case.expect == "either" && case.note.is_none() && case.hardened != case.serde_json {
            fail("a disagreement between hardened and serde_json needs a note".into());
        }
    }
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn every_grammar_rule_has_an_accepting_and_a_rejecting_case() {
    let mut seen: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let cases = table();
    for case in &cases {
        let entry = seen.entry(case.rule.as_str()).or_default();
        match case.expect.as_str() {
            "accept" => entry.0 += 1,
            "reject" => entry.1 += 1,
            "either" => {}
            other => panic!("{}: expect {other:?}", case.name),
        }
    }
    for rule in RULES {
        let (accept, reject) = seen.get(rule).copied().unwrap_or_default();
        assert!(accept > 0 && reject > 0, "{rule}: {accept} accepting, {reject} rejecting cases");
    }
}
