//! What every test file of the harnesses shares, written once: the table
//! schema of `harnesses/testdata/` with its loader and hex decoder, the
//! verdict assertion and the one table runner.
//!
//! Each test file includes it with `mod support;`, the way ripgrep's tests
//! share `tests/util.rs` and quick-xml's share `tests/helpers/`.
//!
//! # The table schema
//!
//! `harnesses/testdata/<family>/<table>.toml` is a list of `[[case]]`s, and
//! every case has:
//!
//! - `name`, unique in its table;
//! - its input, given as exactly one of
//!   - `input`: a TOML string, read as its UTF-8 bytes;
//!   - `input_hex`: bytes in hex, whitespace allowed between digit pairs;
//!   - `parts`: `[[text, count], ...]`, each text repeated `count` times,
//!     in order (deep nesting, long runs);
//! - optionally, what a target of the family answers, keyed by the target's
//!   name and written as in the reproducer manifests
//!   ([`gauntlet_harnesses::manifest::Expect`]): `"clean"`, `"rejected"`,
//!   `"rejected: text in the reason"` or a finding kind
//!   (`json-vulnerable = "IntegerOverflow"`). A target the case does not
//!   name is held to what the family's test derives from the case's own
//!   fields, if anything.
//!
//! Every other field is the family's own (a regex `pattern` and `span`, an
//! xml `output`, a json `rule`), read into the type the family's test gives
//! [`load`], which denies fields it does not know.

// Every test file includes this module and uses only part of it.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use gauntlet_harnesses::manifest::Expect;
use gauntlet_harnesses::{Family, Target, Verdict};
use serde::de::DeserializeOwned;

/// The repository root.
pub fn root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// One case of a table: its name, its input, the verdicts it states, and
/// the family's own fields `F`.
#[derive(Debug)]
pub struct Case<F> {
    /// Unique in its table.
    pub name: String,
    /// The decoded `input`, `input_hex` or `parts`.
    pub input: Vec<u8>,
    /// Target name and the verdict the case states for it.
    pub verdicts: Vec<(&'static Target, Expect)>,
    /// The family's own fields.
    pub fields: F,
}

impl<F> Case<F> {
    /// The verdict the case states for `target`, if it names it.
    pub fn stated(&self, target: &Target) -> Option<&Expect> {
        self.verdicts.iter().find(|(t, _)| t.name == target.name).map(|(_, e)| e)
    }
}

/// Reads `testdata/<family>/<table>.toml`.
///
/// # Panics
///
/// With the file and the case's name when the table breaks the schema: no
/// cases, a duplicate name, not exactly one input field, bad hex, a verdict
/// that does not parse, or a field neither the schema nor `F` knows.
pub fn load<F: DeserializeOwned>(family: &Family, table: &str) -> Vec<Case<F>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("testdata")
        .join(family.name)
        .join(format!("{table}.toml"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let cases = parse(family, &text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert!(!cases.is_empty(), "{}: no cases", path.display());
    cases
}

/// Parses a table's text (see [`load`]).
pub fn parse<F: DeserializeOwned>(family: &Family, text: &str) -> Result<Vec<Case<F>>, String> {
    let mut top: toml::Table = toml::from_str(text).map_err(|e| e.to_string())?;
    let Some(toml::Value::Array(raw)) = top.remove("case") else {
        return Err("expected [[case]] tables".into());
    };
    if let Some(key) = top.keys().next() {
        return Err(format!("unknown top-level key {key:?}"));
    }
    let mut names = BTreeSet::new();
    let mut cases = Vec::new();
    for (i, raw) in raw.into_iter().enumerate() {
        let toml::Value::Table(mut fields) = raw else {
            return Err(format!("case {i} is not a table"));
        };
        let name = match fields.remove("name") {
            Some(toml::Value::String(name)) => name,
            _ => return Err(format!("case {i} has no name")),
        };
        let (input, verdicts) =
            schema_fields(family, &mut fields).map_err(|e| format!("case {name:?}: {e}"))?;
        let fields = toml::Value::Table(fields)
            .try_into()
            .map_err(|e| format!("case {name:?}: {}", e.to_string().trim_end()))?;
        if !names.insert(name.clone()) {
            return Err(format!("duplicate case name {name:?}"));
        }
        cases.push(Case { name, input, verdicts, fields });
    }
    Ok(cases)
}

type SchemaFields = (Vec<u8>, Vec<(&'static Target, Expect)>);

/// Takes the input and the verdicts out of `fields`, leaving the family's
/// own.
fn schema_fields(family: &Family, fields: &mut toml::Table) -> Result<SchemaFields, String> {
    let input = match (fields.remove("input"), fields.remove("input_hex"), fields.remove("parts")) {
        (Some(toml::Value::String(s)), None, None) => s.into_bytes(),
        (None, Some(toml::Value::String(h)), None) => hex(&h)?,
        (None, None, Some(parts)) => {
            let parts: Vec<(String, usize)> =
                parts.try_into().map_err(|_| "parts must be [[text, count], ...]")?;
            parts.iter().flat_map(|(text, n)| text.as_bytes().repeat(*n)).collect()
        }
        _ => return Err("give exactly one of input (a string), input_hex, parts".into()),
    };
    let mut verdicts = Vec::new();
    for target in gauntlet_harnesses::targets() {
        let Some(value) = fields.remove(target.name) else { continue };
        if !std::ptr::eq(target.family, family) {
            return Err(format!("{} is not a {} target", target.name, family.name));
        }
        let toml::Value::String(s) = value else {
            return Err(format!("{}: expected a string", target.name));
        };
        let expect = Expect::parse(&s).map_err(|e| format!("{}: {e}", target.name))?;
        verdicts.push((target, expect));
    }
    Ok((input, verdicts))
}

/// Hex digits to bytes; whitespace may stand between pairs.
pub fn hex(text: &str) -> Result<Vec<u8>, String> {
    let digits: Vec<u8> = text.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if digits.len() % 2 != 0 {
        return Err(format!("odd number of hex digits in {text:?}"));
    }
    digits
        .chunks(2)
        .map(|pair| {
            let pair = std::str::from_utf8(pair).map_err(|_| format!("not hex: {text:?}"))?;
            u8::from_str_radix(pair, 16).map_err(|_| format!("not hex: {pair:?} in {text:?}"))
        })
        .collect()
}

/// `bytes` for a failure message, as a Rust string literal would show
/// them (`\n`, `\"`, `é`), with `\xNN` for bytes that are not UTF-8; a
/// long input is cut in the middle, its length said.
pub fn escape(bytes: &[u8]) -> String {
    const HEAD: usize = 160;
    const TAIL: usize = 40;
    if bytes.len() > HEAD + TAIL {
        let (head, tail) = (&bytes[..HEAD], &bytes[bytes.len() - TAIL..]);
        return format!("{} ... {} ({} bytes)", escape(head), escape(tail), bytes.len());
    }
    let mut out = String::from("\"");
    for chunk in bytes.utf8_chunks() {
        let _ = write!(out, "{}", chunk.valid().escape_debug());
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out.push('"');
    out
}

/// A verdict in one line: `clean`, `rejected: reason`, or the finding.
pub fn describe(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Clean { cost } => format!("clean ({cost})"),
        Verdict::Rejected { reason, .. } => format!("rejected: {reason}"),
        Verdict::Finding(f) => format!("finding {f}"),
    }
}

/// Runs `input` through `target` (panics caught) and checks the verdict
/// against `expect`: the verdict, or a message naming the target, the case,
/// the input (escaped), what was expected and what came.
pub fn check(
    target: &Target,
    case: &str,
    input: &[u8],
    expect: &Expect,
) -> Result<Verdict, String> {
    let verdict = target.check(input);
    if expect.admits(target, &verdict) {
        return Ok(verdict);
    }
    let (name, got, input) = (target.name, describe(&verdict), escape(input));
    Err(format!("{name} on case {case:?}: expected {expect}, got {got}\n    input: {input}"))
}

/// [`check`], panicking with its message.
#[track_caller]
pub fn assert_verdict(target: &Target, case: &str, input: &[u8], expect: &Expect) -> Verdict {
    check(target, case, input, expect).unwrap_or_else(|msg| panic!("{msg}"))
}

/// Failures collected over a table, reported together.
#[derive(Debug, Default)]
pub struct Failures(Vec<String>);

impl Failures {
    /// Records a failure of `case`.
    pub fn push(&mut self, case: &str, what: impl std::fmt::Display) {
        self.0.push(format!("{case}: {what}"));
    }

    /// Records `result`'s message, if it is one.
    pub fn check<T>(&mut self, result: Result<T, String>) -> Option<T> {
        result.map_err(|msg| self.0.push(msg)).ok()
    }

    /// Panics listing every failure, if there were any.
    #[track_caller]
    pub fn assert_none(self) {
        assert!(self.0.is_empty(), "{} failures:\n{}", self.0.len(), self.0.join("\n"));
    }
}

/// The one table runner: every case through every target of `family`.
///
/// `input` gives the bytes the targets read (the case's input, or, for a
/// family whose format has more than one part, the parts joined). Each
/// target is held to the verdict the case states for it, or else to
/// `derive`'s, from the case's own fields; a case that gives a target no
/// verdict at all fails. `more` runs the family's own checks of the case.
/// Every failure is collected, and the runner panics once, listing them.
#[track_caller]
pub fn run_table<F>(
    family: &Family,
    cases: &[Case<F>],
    input: impl Fn(&Case<F>) -> Vec<u8>,
    derive: impl Fn(&Case<F>, &Target) -> Option<Expect>,
    mut more: impl FnMut(&Case<F>, &[u8], &mut Failures),
) {
    let mut failures = Failures::default();
    for case in cases {
        let bytes = input(case);
        for target in family.targets {
            match case.stated(target).cloned().or_else(|| derive(case, target)) {
                Some(expect) => _ = failures.check(check(target, &case.name, &bytes, &expect)),
                None => failures.push(&case.name, format!("no verdict for {}", target.name)),
            }
        }
        more(case, &bytes, &mut failures);
    }
    failures.assert_none();
}
