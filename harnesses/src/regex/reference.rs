//! The regex family's differential oracle: both twins against
//! regex-automata's PikeVM, with its default configuration (which is also
//! the twins' syntax configuration), asked in bounded time.
//!
//! The PikeVM, not `meta::Regex`: on invalid UTF-8, where a pattern that
//! can match the empty string meets a match that splits a codepoint,
//! regex-automata's engines do not all agree — `(?:..|(?:(a))?)` on
//! `ab\xa9` is `0..1` for `meta::Regex::find` but `1..1` for the PikeVM
//! and the bounded backtracker (regex-automata 0.4; its documentation leaves
//! the UTF-8 rule on invalid UTF-8 unspecified). The PikeVM is the engine
//! whose search the rule was written for (`util/empty.rs`), so it is the
//! reference.
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

use regex_automata::nfa::thompson::{self, pikevm::PikeVM};
use regex_automata::Input;

use super::{fuse, oracle, prepare, DIFFERENTIAL};
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
    /// The reference searched again after a match that split a codepoint,
    /// and the twin answers differently. regex-automata searches again from
    /// the next start with everything forgotten (O(m·n) per start, so
    /// O(m·n²) in all); the hardened twin goes on to the next start keeping
    /// what it learnt (O(m·n) in all), so it may report a later match.
    /// Both answers avoid splitting a codepoint, and regex-automata's
    /// documentation leaves this rule on invalid UTF-8 unspecified — its own
    /// engines differ here (see the module documentation).
    Utf8EmptyRestart,
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
            Exception::Utf8EmptyRestart => "utf8-empty-restart",
        }
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The reference, unbounded: regex-automata's PikeVM with its default
/// configuration. O(m·n²) in the worst case (see the module
/// documentation): for tests on small inputs; the differential target asks
/// [`Reference`].
pub fn reference(pattern: &str, haystack: &[u8]) -> Result<Option<Match>, String> {
    let re = PikeVM::builder()
        .thompson(thompson::Config::new().nfa_size_limit(Some(NFA_SIZE_LIMIT)))
        .build(pattern)
        .map_err(|e| e.to_string())?;
    let mut cache = re.create_cache();
    Ok(re.find(&mut cache, haystack).map(|m| Match { start: m.start(), end: m.end() }))
}

/// The compiled size the reference allows: 10 MiB, `meta::Regex`'s default.
/// A bare PikeVM has no limit, so `\w{1000}{1000}` would take gigabytes to
/// compile: the harness would be the easiest denial of service in the
/// family.
pub const NFA_SIZE_LIMIT: usize = 10 << 20;

/// The most searches again that [`Reference::find`] makes for
/// regex-automata's UTF-8 rule before it gives up with
/// [`Exception::Utf8EmptyResearch`]: 64, so the reference costs at most 65
/// linear searches. Every haystack of at most 64 bytes is answered in full.
pub const RESEARCH_LIMIT: usize = 64;

/// regex-automata's default PikeVM, asked in bounded time (see the module
/// documentation).
#[derive(Clone, Debug)]
pub struct Reference {
    /// The PikeVM without the UTF-8 rule: its NFA compiled with
    /// `utf8(false)`, which changes nothing but the rule.
    regex: PikeVM,
    /// Whether the rule applies: the NFA can match the empty string
    /// (`has_empty`), and the default configuration is in UTF-8 mode.
    utf8_empty: bool,
}

/// What the reference answered, and how many times it searched again for a
/// match that does not split a codepoint.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The leftmost-first match, if any.
    pub found: Option<Match>,
    /// Searches again after a match that split a codepoint.
    pub researches: usize,
}

impl Reference {
    /// Compiles `pattern` as the default PikeVM would; the error is
    /// regex-automata's message.
    pub fn new(pattern: &str) -> Result<Reference, String> {
        let regex = PikeVM::builder()
            .thompson(thompson::Config::new().utf8(false).nfa_size_limit(Some(NFA_SIZE_LIMIT)))
            .build(pattern)
            .map_err(|e| e.to_string())?;
        let utf8_empty = regex.get_nfa().has_empty();
        Ok(Reference { regex, utf8_empty })
    }

    /// The match the default PikeVM reports on `haystack`, or
    /// [`Exception::Utf8EmptyResearch`] where finding it would take more
    /// than [`RESEARCH_LIMIT`] searches again.
    pub fn find(&self, haystack: &[u8]) -> Result<Option<Match>, Exception> {
        self.answer(haystack).map(|a| a.found)
    }

    /// [`Reference::find`], with how many searches again it took.
    pub fn answer(&self, haystack: &[u8]) -> Result<Answer, Exception> {
        let mut cache = self.regex.create_cache();
        let mut input = Input::new(haystack);
        for researches in 0..=RESEARCH_LIMIT {
            let Some(m) = self.regex.find(&mut cache, input.clone()) else {
                return Ok(Answer { found: None, researches });
            };
            if input.is_char_boundary(m.end()) || !self.utf8_empty {
                let found = Some(Match { start: m.start(), end: m.end() });
                return Ok(Answer { found, researches });
            }
            // `skip_splits_fwd`: the match splits a codepoint, so search
            // again from one start further.
            input.set_start(input.start() + 1);
        }
        Err(Exception::Utf8EmptyResearch)
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
    let (re, pattern, haystack) = match prepare(input, hardened::Regex::new, |e, m| refused(&e, m))
    {
        Ok(p) => p,
        Err(v) => return *v,
    };
    let meter = Meter::default();
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
    let rerun = oracle::rerun(states, input.len(), |h, meter| _ = re.find(h, meter));
    let cost_verdict = |meter: &Meter| {
        oracle::verdict(DIFFERENTIAL.name, meter, states, haystack, input.len(), &rerun)
    };
    let mut meter = Meter::new(fuse(states, n, input.len()));
    let got = match re.find(haystack, &mut meter) {
        Ok(m) => m,
        Err(e) if matches!(e.kind, ErrorKind::Fuse(_)) => {
            return cost_verdict(&meter);
        }
        Err(e) => {
            return oracle::memory(DIFFERENTIAL.name, &meter, states, input.len())
                .unwrap_or_else(|| refused(&e, &meter));
        }
    };
    let answer = match reference.answer(haystack) {
        Ok(a) => a,
        Err(x) => {
            return match cost_verdict(&meter) {
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
    let expected = answer.found;
    if got != expected && answer.researches > 0 {
        return restarted("hardened", got, expected, answer, &meter);
    }
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
    if let Some(v) = vulnerable_disagrees(pattern, haystack, answer, input.len()) {
        return v;
    }
    cost_verdict(&meter)
}

/// The vulnerable twin's answer against the reference, when it finishes
/// inside its fuse.
fn vulnerable_disagrees(
    pattern: &str,
    haystack: &[u8],
    answer: Answer,
    input: usize,
) -> Option<Verdict> {
    let expected = answer.found;
    let re = vulnerable::Regex::new(pattern).ok()?;
    let mut meter = Meter::new(fuse(re.state_count(), haystack.len(), input));
    let got = deep(|| re.find(haystack, &mut meter)).ok()?;
    if got != expected && answer.researches > 0 {
        return Some(restarted("vulnerable", got, expected, answer, &meter));
    }
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

/// A disagreement after the reference searched again for a match that does
/// not split a codepoint: [`Exception::Utf8EmptyRestart`], a rejection.
fn restarted(
    twin: &str,
    got: Option<Match>,
    expected: Option<Match>,
    answer: Answer,
    meter: &Meter,
) -> Verdict {
    let reason = format!(
        "{twin} reports {} but regex-automata, after {} searches again past matches that \
         split a codepoint, reports {} (documented difference from regex-automata: {})",
        show(got),
        answer.researches,
        show(expected),
        Exception::Utf8EmptyRestart
    );
    rejected(reason, meter)
}
