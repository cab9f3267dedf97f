//! The RFC 8259 conformance table in `testdata/json/conformance.toml`,
//! through every JSON engine (the vulnerable twin, the hardened twin and
//! serde_json) and every JSON target. The table's header says what each
//! field means.

mod support;

use std::collections::BTreeMap;

use gauntlet_harnesses::guard::deep;
use gauntlet_harnesses::json::{difference, reference, DIFFERENTIAL, FAMILY, HARDENED, VULNERABLE};
use gauntlet_harnesses::manifest::Expect;
use gauntlet_harnesses::{Target, Variant};
use gauntlet_targets::json::{hardened, vulnerable, Value};
use gauntlet_targets::meter::Meter;
use serde::Deserialize;
use support::{run_table, Case, Failures};

/// The JSON family's own fields of `testdata/json/conformance.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    rule: String,
    expect: String,
    note: Option<String>,
    serde_json: Option<String>,
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

/// The verdict of a target the case does not name: the RFC's (`expect`)
/// for the twins, `json-hardened`'s for the differential target.
fn derive(case: &Case<Fields>, target: &Target) -> Option<Expect> {
    if target.variant == Variant::Differential {
        if let Some(hardened) = case.stated(HARDENED) {
            return Some(hardened.clone());
        }
    }
    match case.fields.expect.as_str() {
        "accept" => Some(Expect::Clean),
        "reject" => Some(Expect::Rejected(None)),
        _ => None,
    }
}

/// The verdict `target` is held to: stated or derived.
fn verdict(case: &Case<Fields>, target: &Target) -> Option<Expect> {
    case.stated(target).cloned().or_else(|| derive(case, target))
}

/// Whether a twin whose target answers `expect` reads the input: a clean
/// verdict, or a finding on the value it read (a number overflow).
fn accepts(expect: &Expect) -> bool {
    matches!(expect, Expect::Clean | Expect::Finding(_))
}

/// Whether serde_json should read the input.
fn serde_json_accepts(fields: &Fields) -> Result<bool, String> {
    match (fields.serde_json.as_deref(), fields.expect.as_str()) {
        (Some("accept"), "either") | (None, "accept") => Ok(true),
        (Some("reject"), "either") | (None, "reject") => Ok(false),
        (got, expect) => Err(format!("serde_json = {got:?} with expect = {expect:?}")),
    }
}

/// The JSON family's own checks of one case: the table's shape, the
/// hardened twin's error and offset, serde_json's decision and value, and
/// the vulnerable twin's reading.
fn engines(case: &Case<Fields>, input: &[u8], failures: &mut Failures) {
    let fields = &case.fields;
    let mut fail = |what: String| failures.push(&case.name, what);
    if !RULES.contains(&fields.rule.as_str()) {
        fail(format!("unknown rule {}", fields.rule));
    }
    let either = fields.expect == "either";
    let named = [case.stated(HARDENED), case.stated(VULNERABLE)].map(|e| e.is_some());
    if either && (named != [true, true] || fields.serde_json.is_none()) {
        fail("an \"either\" case names json-hardened, json-vulnerable and serde_json".into());
    }
    if !either && (named[0] || fields.serde_json.is_some()) {
        fail("only \"either\" cases name json-hardened or serde_json".into());
    }
    let (Some(hardened_verdict), Some(vulnerable_verdict)) =
        (verdict(case, HARDENED), verdict(case, VULNERABLE))
    else {
        return fail(format!("expect = {:?} gives the twins no verdict", fields.expect));
    };
    let serde_accepts = match serde_json_accepts(fields) {
        Ok(accepts) => accepts,
        Err(e) => return fail(e),
    };

    let ours = hardened::parse(input, &mut Meter::default());
    match (&ours, accepts(&hardened_verdict)) {
        (Ok(_), true) => {}
        (Err(e), false) => {
            let want = (fields.error.as_deref(), fields.offset);
            if want != (Some(e.kind.name()), Some(e.offset)) {
                fail(format!("hardened refuses with {e}, the table says {want:?}"));
            }
        }
        (Ok(_), false) => fail("hardened accepts".into()),
        (Err(e), true) => fail(format!("hardened refuses: {e}")),
    }
    if ours.is_ok() && (fields.error.is_some() || fields.offset.is_some()) {
        fail("error and offset are for cases the hardened twin refuses".into());
    }

    let theirs = reference(input);
    match (&theirs, serde_accepts) {
        (Ok(_), true) | (Err(_), false) => {}
        (Ok(_), false) => fail("serde_json accepts".into()),
        (Err(e), true) => fail(format!("serde_json refuses: {e}")),
    }
    if let (Ok(ours), Ok(theirs)) = (&ours, &theirs) {
        if let Some(diff) = difference(ours, theirs) {
            fail(format!("values differ {diff}"));
        }
    }
    if serde_accepts != accepts(&hardened_verdict) {
        if case.stated(DIFFERENTIAL).is_none() {
            fail("hardened and serde_json disagree: json-differential needs a verdict".into());
        }
        if fields.note.is_none() {
            fail("a disagreement between hardened and serde_json needs a note".into());
        }
    }

    let copy = input.to_vec();
    let theirs = deep(move || vulnerable::parse(&copy, &mut Meter::default()));
    match (&theirs, accepts(&vulnerable_verdict)) {
        (Ok(value), true) => {
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
}

#[test]
fn every_engine_and_every_target_agrees_with_the_conformance_table() {
    let cases = support::load::<Fields>(&FAMILY, "conformance");
    run_table(&FAMILY, &cases, |case| case.input.clone(), derive, engines);
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

#[test]
fn every_grammar_rule_has_an_accepting_and_a_rejecting_case() {
    let mut seen: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for case in support::load::<Fields>(&FAMILY, "conformance") {
        let entry = seen.entry(case.fields.rule).or_default();
        match case.fields.expect.as_str() {
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
