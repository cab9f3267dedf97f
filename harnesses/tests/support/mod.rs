//! What every test file of the harnesses shares, written once: the table
//! schema of `harnesses/testdata/` with its loader and hex decoder, the
//! verdict assertion, and the inputs the generic tests give every target
//! (hostile bytes, seeds, dictionary tokens, mutations).
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
use std::sync::LazyLock;

use gauntlet_harnesses::adapters::to_proptest;
use gauntlet_harnesses::manifest::Expect;
use gauntlet_harnesses::{Family, Target, Verdict, FAMILIES};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
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

/// A proptest case: `input` through every target of `family`; an
/// unexpected finding (any finding of a hardened or differential target,
/// an undeclared kind from a vulnerable one, a panic) fails it.
pub fn no_unexpected_finding(family: &Family, input: &[u8]) -> Result<(), TestCaseError> {
    for target in family.targets {
        let verdict = target.check(input);
        to_proptest(target, &verdict)
            .map_err(|e| TestCaseError::fail(format!("{e}\n    input: {}", escape(input))))?;
    }
    Ok(())
}

/// What the generic tests know of one family: its seeds and the tokens of
/// its libFuzzer dictionary.
#[derive(Debug)]
pub struct Corpus {
    /// The family.
    pub family: &'static Family,
    /// Seed file name and bytes, sorted by name.
    pub seeds: Vec<(String, Vec<u8>)>,
    /// The dictionary's tokens, unescaped, in file order.
    pub tokens: Vec<Vec<u8>>,
}

/// Every registered family's corpus, read once.
pub static CORPORA: LazyLock<Vec<Corpus>> = LazyLock::new(|| {
    FAMILIES
        .iter()
        .map(|&family| Corpus { family, seeds: seeds(family), tokens: dictionary(family) })
        .collect()
});

/// The family's seeds, sorted by file name.
pub fn seeds(family: &Family) -> Vec<(String, Vec<u8>)> {
    let dir = root().join(family.seeds_dir());
    let mut seeds: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            (path.file_name().unwrap().to_string_lossy().into_owned(), bytes)
        })
        .collect();
    seeds.sort();
    seeds
}

/// The tokens of the family's libFuzzer dictionary (`family.dict_path()`),
/// read by the library's own reader ([`kit::dictionary`]).
///
/// [`kit::dictionary`]: gauntlet_harnesses::kit::dictionary
pub fn dictionary(family: &Family) -> Vec<Vec<u8>> {
    let path = root().join(family.dict_path());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    gauntlet_harnesses::kit::dictionary(&text)
}

/// Bytes no target may panic on, nor answer with a finding of a kind it
/// does not declare: the same list for every family, then the family's
/// own structures cut short.
///
/// - empty, NUL, line ends, invalid UTF-8 (a lone continuation byte, a
///   truncated lead, an overlong NUL, a surrogate, past U+10FFFF, a UTF-16
///   byte order mark), each alone and repeated to 64 KiB;
/// - every token of the family's dictionary alone, every proper prefix of
///   it, and repeated to 4 KiB (libFuzzer's default `-max_len`); the whole
///   dictionary run together;
/// - every proper prefix of every seed.
pub fn hostile_inputs(corpus: &Corpus) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = Vec::new();
    let basics: [(&str, &[u8]); 12] = [
        ("empty", b""),
        ("nul", b"\0"),
        ("newline", b"\n"),
        ("crlf", b"\r\n"),
        ("0xff", b"\xff"),
        ("continuation byte", b"\x80"),
        ("truncated lead", b"\xc3"),
        ("overlong nul", b"\xc0\x80"),
        ("surrogate", b"\xed\xa0\x80"),
        ("past U+10FFFF", b"\xf4\x90\x80\x80"),
        ("utf-16 bom", b"\xff\xfe"),
        ("letter", b"a"),
    ];
    for (what, bytes) in basics {
        out.push((what.to_owned(), bytes.to_vec()));
        if !bytes.is_empty() {
            out.push((format!("{what} to 64 KiB"), bytes.repeat((64 << 10) / bytes.len())));
        }
    }
    for token in &corpus.tokens {
        let shown = token.escape_ascii();
        out.push((format!("token \"{shown}\""), token.clone()));
        for cut in 1..token.len() {
            out.push((format!("token \"{shown}\" cut at {cut}"), token[..cut].to_vec()));
        }
        out.push((format!("token \"{shown}\" to 4 KiB"), token.repeat(4096 / token.len())));
    }
    out.push(("the whole dictionary".to_owned(), corpus.tokens.concat()));
    for (name, seed) in &corpus.seeds {
        for cut in 1..seed.len() {
            out.push((format!("seed {name} cut at {cut}"), seed[..cut].to_vec()));
        }
    }
    out
}

/// One edit of a mutated seed. Positions and choices are [`Index`]es, so
/// that one strategy serves seeds and dictionaries of any size.
///
/// [`Index`]: proptest::sample::Index
#[derive(Clone, Debug)]
pub enum Edit {
    /// Insert a dictionary token.
    Token(prop::sample::Index, prop::sample::Index),
    /// Insert a byte.
    Byte(prop::sample::Index, u8),
    /// Remove up to this many bytes.
    Remove(prop::sample::Index, usize),
    /// Repeat a slice of up to this many bytes this many times in place.
    Repeat(prop::sample::Index, usize, usize),
    /// Cut the input here.
    Truncate(prop::sample::Index),
    /// The family's own structure-aware mutator, with this seed, if it has
    /// one.
    Family(u32),
}

fn edit() -> impl Strategy<Value = Edit> {
    let at = any::<prop::sample::Index>;
    prop_oneof![
        4 => (at(), at()).prop_map(|(p, t)| Edit::Token(p, t)),
        2 => (at(), any::<u8>()).prop_map(|(p, b)| Edit::Byte(p, b)),
        2 => (at(), 1..16usize).prop_map(|(p, n)| Edit::Remove(p, n)),
        1 => (at(), 1..16usize, 2..64usize).prop_map(|(p, n, k)| Edit::Repeat(p, n, k)),
        1 => at().prop_map(Edit::Truncate),
        2 => any::<u32>().prop_map(Edit::Family),
    ]
}

/// Applies `edits` to `input` with the corpus's tokens and mutator.
pub fn mutate(corpus: &Corpus, input: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = input.to_vec();
    for edit in edits {
        match edit {
            Edit::Token(at, token) if !corpus.tokens.is_empty() => {
                let i = at.index(out.len() + 1);
                out.splice(i..i, corpus.tokens[token.index(corpus.tokens.len())].iter().copied());
            }
            Edit::Token(..) => {}
            Edit::Byte(at, b) => out.insert(at.index(out.len() + 1), *b),
            Edit::Remove(at, n) => {
                let i = at.index(out.len() + 1);
                out.drain(i..(i + n).min(out.len()));
            }
            Edit::Repeat(at, n, times) => {
                let i = at.index(out.len() + 1);
                let piece = out[i..(i + n).min(out.len())].to_vec();
                out.splice(i..i, piece.repeat(times - 1));
            }
            Edit::Truncate(at) => out.truncate(at.index(out.len() + 1)),
            Edit::Family(seed) => {
                // 4096: libFuzzer's default -max_len.
                if let Some(next) = corpus.family.mutator.and_then(|m| m(&out, 4096, *seed)) {
                    out = next;
                }
            }
        }
    }
    out
}

/// A family (by its index in [`CORPORA`]) and one of its seeds mutated by
/// dictionary tokens, byte edits and the family's own mutator.
pub fn mutated_seed() -> impl Strategy<Value = (usize, Vec<u8>)> {
    let families = CORPORA.len();
    (0..families, any::<prop::sample::Index>(), prop::collection::vec(edit(), 1..8)).prop_map(
        |(f, seed, edits)| {
            let corpus = &CORPORA[f];
            let (_, bytes) = &corpus.seeds[seed.index(corpus.seeds.len())];
            (f, mutate(corpus, bytes, &edits))
        },
    )
}
