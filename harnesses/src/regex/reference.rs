//! The regex family's differential oracle: both twins against
//! `regex_automata::meta::Regex`, with its default configuration (which is
//! also the twins' syntax configuration), asked in bounded time.
//!
//! The hardened twin must report the same leftmost-first match (or none) as
//! the reference; the vulnerable twin must too, wherever it finishes inside
//! its fuse. The only disagreements allowed are named by [`Exception`].
//!
//! # The reference, bounded
//!
//! regex-automata's default configuration (`meta::Config::utf8_empty`)
//! does not report a match of a pattern that can match the empty string
//! when the match ends inside a codepoint; it searches again from the next
//! start position, once per start, until a match does not split a codepoint
//! (`util/empty.rs`, `skip_splits_fwd`). Each search is O(m·n), so a
//! haystack where every start leads to such a match costs O(m·n²): `x*`
//! against 100,000 `x`s and a lone `\x80` takes 20 s where the hardened
//! twin takes about 10 ms (the measurements are in
//! `corpora/regex/regressions/differential/README.md`). Asked directly, the
//! reference would make the harness the easiest denial of service in the
//! family.
//!
//! So [`Reference`] runs regex-automata's own search without the UTF-8 rule
//! (`utf8_empty(false)`, a single O(m·n) search: the same engines, the same
//! leftmost-first match) and applies the rule itself exactly as
//! `skip_splits_fwd` does, one start further each time, for at most
//! [`RESEARCH_LIMIT`] re-searches. Where regex-automata would need more, the
//! differential reports the documented [`Exception::Utf8EmptyResearch`] and
//! compares nothing. The reference's worst case is thus
//! (1 + [`RESEARCH_LIMIT`]) searches of O(m·n): linear. That the bounded
//! reference answers as `meta::Regex::find` does wherever it answers is a
//! property test (`harnesses/tests/regex_memory.rs`); [`reference()`] is the
//! unbounded call, for tests on small inputs.

use std::fmt;

use gauntlet_targets::meter::Meter;
use gauntlet_targets::regex::{hardened, vulnerable, ErrorKind, Match};
use std::cell::OnceCell;

use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::{meta, Input};

use super::{decode, fuse, oracle, DIFFERENTIAL};
use crate::guard::deep;
use crate::kit::rejected;
use crate::verdict::{Finding, Kind, Verdict};

/// The documented differences from regex-automata: refusals by the
/// hardened twin that the differential target reports as rejections naming
/// the exception, never as findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exception {
    /// A limit of the hardened twin (pattern length, nesting, compiled size,
    /// memo size, stack size) that regex-automata, with its larger limits,
    /// does not share. The reference is not asked.
    HardeningLimit,
    /// regex-automata would search again more than [`RESEARCH_LIMIT`] times
    /// for a match that does not split a codepoint (see the module
    /// documentation): its answer would cost O(m·n²), so it is not asked.
    /// The hardened twin still runs under its cost and memory oracles.
    Utf8EmptyResearch,
}

impl Exception {
    /// The exception covering a refusal by the hardened twin, if any.
    pub fn of(kind: &ErrorKind) -> Option<Exception> {
        match kind {
            ErrorKind::PatternTooLong { .. }
            | ErrorKind::NestLimit { .. }
            | ErrorKind::SizeLimit { .. }
            | ErrorKind::MemoLimit { .. }
            | ErrorKind::StackLimit { .. } => Some(Exception::HardeningLimit),
            _ => None,
        }
    }

    /// A lowercase name for reasons and reports.
    pub fn name(self) -> &'static str {
        match self {
            Exception::HardeningLimit => "hardening-limit",
            Exception::Utf8EmptyResearch => "utf8-empty-research",
        }
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The reference, unbounded: regex-automata's meta regex with its default
/// configuration. O(m·n²) in the worst case (see the module
/// documentation): for tests on small inputs; the differential target asks
/// [`Reference`].
pub fn reference(pattern: &str, haystack: &[u8]) -> Result<Option<Match>, String> {
    let re = meta::Regex::new(pattern).map_err(|e| e.to_string())?;
    Ok(re.find(haystack).map(|m| Match { start: m.start(), end: m.end() }))
}

/// The most searches again that [`Reference::find`] makes for
/// regex-automata's UTF-8 rule before it gives up with
/// [`Exception::Utf8EmptyResearch`]: 64, so the reference costs at most 65
/// linear searches. Every haystack of at most 64 bytes is answered in full.
pub const RESEARCH_LIMIT: usize = 64;

/// regex-automata's default `meta::Regex`, asked in bounded time (see the
/// module documentation).
#[derive(Clone, Debug)]
pub struct Reference {
    /// The meta regex without the UTF-8 rule: `utf8_empty(false)`.
    regex: meta::Regex,
    pattern: String,
    /// Whether the rule applies. regex-automata's engines apply it when
    /// their NFA `has_empty()` (a match state is reachable without
    /// consuming a byte) and is in UTF-8 mode, which the default
    /// configuration is. Asked of a Thompson NFA only the first time a
    /// match splits a codepoint: compiling one costs about 40% of what the
    /// meta regex cost (measured on `\w+`), and most searches never need
    /// it.
    utf8_empty: OnceCell<bool>,
}

impl Reference {
    /// Compiles `pattern` as the default `meta::Regex` would; the error is
    /// regex-automata's message.
    pub fn new(pattern: &str) -> Result<Reference, String> {
        let regex = meta::Regex::builder()
            .configure(meta::Regex::config().utf8_empty(false))
            .build(pattern)
            .map_err(|e| e.to_string())?;
        Ok(Reference { regex, pattern: pattern.to_owned(), utf8_empty: OnceCell::new() })
    }

    /// The match `meta::Regex::find` reports on `haystack`, or
    /// [`Exception::Utf8EmptyResearch`] where finding it would take more
    /// than [`RESEARCH_LIMIT`] searches again.
    pub fn find(&self, haystack: &[u8]) -> Result<Option<Match>, Exception> {
        let mut input = Input::new(haystack);
        for _ in 0..=RESEARCH_LIMIT {
            let Some(m) = self.regex.search(&input) else { return Ok(None) };
            if input.is_char_boundary(m.end()) || !self.utf8_empty() {
                return Ok(Some(Match { start: m.start(), end: m.end() }));
            }
            // `skip_splits_fwd`: the match splits a codepoint, so search
            // again from one start further.
            input.set_start(input.start() + 1);
        }
        Err(Exception::Utf8EmptyResearch)
    }

    fn utf8_empty(&self) -> bool {
        *self.utf8_empty.get_or_init(|| {
            let config = thompson::Config::new().which_captures(WhichCaptures::None);
            // The meta regex compiled the same pattern, so this cannot fail;
            // if it did, applying the rule is what the default would do.
            thompson::Compiler::new()
                .configure(config)
                .build(&self.pattern)
                .map_or(true, |nfa| nfa.has_empty())
        })
    }
}

fn show(m: Option<Match>) -> String {
    match m {
        Some(m) => format!("{}..{}", m.start, m.end),
        None => "no match".to_owned(),
    }
}

/// A refusal by the hardened twin: a rejection, naming the exception when
/// one covers it.
fn refused(e: &gauntlet_targets::regex::Error, meter: &Meter) -> Verdict {
    match Exception::of(&e.kind) {
        Some(x) => rejected(format!("{e} (documented difference from regex-automata: {x})"), meter),
        None => rejected(e, meter),
    }
}

pub(super) fn run_differential(input: &[u8]) -> Verdict {
    let meter = Meter::default();
    let (pattern, haystack) = match decode(input) {
        Ok(d) => d,
        Err(reason) => return rejected(reason, &meter),
    };
    let re = match hardened::Regex::new(pattern) {
        Ok(re) => re,
        Err(e) => return refused(&e, &meter),
    };
    let reference = match Reference::new(pattern) {
        Ok(r) => r,
        Err(e) => {
            // The twins compile with the reference's own parser and a smaller
            // size limit, so the reference refusing what they accept is a
            // disagreement in itself.
            let summary = format!("hardened accepts {pattern:?} but regex-automata refuses: {e}");
            return Finding::of(DIFFERENTIAL.name, Kind::DifferentialMismatch, "accept-reject")
                .verdict(summary, meter.cost());
        }
    };
    let (states, n) = (re.state_count(), haystack.len());
    let mut meter = Meter::new(fuse(states, n, input.len()));
    let got = match re.find(haystack, &mut meter) {
        Ok(m) => m,
        Err(e) if matches!(e.kind, ErrorKind::Fuse(_)) => {
            return oracle::verdict(DIFFERENTIAL.name, &meter, states, n, input.len());
        }
        Err(e) => {
            return oracle::memory(DIFFERENTIAL.name, &meter, states, input.len())
                .unwrap_or_else(|| refused(&e, &meter));
        }
    };
    let expected = match reference.find(haystack) {
        Ok(m) => m,
        Err(x) => {
            return match oracle::verdict(DIFFERENTIAL.name, &meter, states, n, input.len()) {
                Verdict::Clean { .. } => {
                    let reason = format!(
                        "regex-automata not asked: it would search again more than \
                         {RESEARCH_LIMIT} times for a match that does not split a codepoint \
                         (documented difference from regex-automata: {x})"
                    );
                    rejected(reason, &meter)
                }
                v => v,
            };
        }
    };
    if got != expected {
        let summary = format!(
            "hardened reports {} but regex-automata reports {} for {pattern:?} on a {}-byte \
             haystack",
            show(got),
            show(expected),
            haystack.len()
        );
        return Finding::of(
            DIFFERENTIAL.name,
            Kind::DifferentialMismatch,
            "hardened-vs-regex-automata",
        )
        .verdict(summary, meter.cost());
    }
    if let Some(v) = vulnerable_disagrees(pattern, haystack, expected, input.len()) {
        return v;
    }
    oracle::verdict(DIFFERENTIAL.name, &meter, states, n, input.len())
}

/// The vulnerable twin's answer against the reference, when it finishes
/// inside its fuse.
fn vulnerable_disagrees(
    pattern: &str,
    haystack: &[u8],
    expected: Option<Match>,
    input: usize,
) -> Option<Verdict> {
    let re = vulnerable::Regex::new(pattern).ok()?;
    let mut meter = Meter::new(fuse(re.state_count(), haystack.len(), input));
    let got = deep(|| re.find(haystack, &mut meter)).ok()?;
    (got != expected).then(|| {
        let summary = format!(
            "vulnerable reports {} but regex-automata reports {} for {pattern:?} on a {}-byte \
             haystack",
            show(got),
            show(expected),
            haystack.len()
        );
        Finding::of(DIFFERENTIAL.name, Kind::DifferentialMismatch, "vulnerable-vs-regex-automata")
            .verdict(summary, meter.cost())
    })
}
