//! The regex family's differential oracle: both twins against
//! `regex_automata::meta::Regex`, with its default configuration (which is
//! also the twins' syntax configuration).
//!
//! The hardened twin must report the same leftmost-first match (or none) as
//! the reference; the vulnerable twin must too, wherever it finishes inside
//! its fuse. The only disagreement allowed is named by [`Exception`].

use std::fmt;

use gauntlet_targets::meter::Meter;
use gauntlet_targets::regex::{hardened, linear_bound, vulnerable, ErrorKind, Match};
use regex_automata::meta;

use super::{decode, fuse_for, oracle, DIFFERENTIAL};
use crate::guard::deep;
use crate::kit::rejected;
use crate::verdict::{Finding, Kind, Verdict};

/// The documented differences from regex-automata: refusals by the
/// hardened twin that the differential target reports as rejections naming
/// the exception, never as findings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exception {
    /// A limit of the hardened twin (pattern length, nesting, compiled size,
    /// memo size) that regex-automata, with its larger limits, does not
    /// share. The reference is not asked.
    HardeningLimit,
}

impl Exception {
    /// The exception covering a refusal by the hardened twin, if any.
    pub fn of(kind: &ErrorKind) -> Option<Exception> {
        match kind {
            ErrorKind::PatternTooLong { .. }
            | ErrorKind::NestLimit { .. }
            | ErrorKind::SizeLimit { .. }
            | ErrorKind::MemoLimit { .. } => Some(Exception::HardeningLimit),
            _ => None,
        }
    }

    /// A lowercase name for reasons and reports.
    pub fn name(self) -> &'static str {
        match self {
            Exception::HardeningLimit => "hardening-limit",
        }
    }
}

impl fmt::Display for Exception {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The reference: regex-automata's meta regex with its default
/// configuration.
pub fn reference(pattern: &str, haystack: &[u8]) -> Result<Option<Match>, String> {
    let re = meta::Regex::new(pattern).map_err(|e| e.to_string())?;
    Ok(re.find(haystack).map(|m| Match { start: m.start(), end: m.end() }))
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
    let expected = match reference(pattern, haystack) {
        Ok(m) => m,
        Err(e) => {
            // The twins compile with the reference's own parser and a smaller
            // size limit, so the reference refusing what they accept is a
            // disagreement in itself.
            let summary = format!("hardened accepts {pattern:?} but regex-automata refuses: {e}");
            return Finding::of(DIFFERENTIAL.name, Kind::DifferentialMismatch, "accept-reject")
                .verdict(summary, meter.cost());
        }
    };
    let mut meter = Meter::new(fuse_for(re.step_bound(haystack.len())));
    let got = match re.find(haystack, &mut meter) {
        Ok(m) => m,
        Err(e) if matches!(e.kind, ErrorKind::Fuse(_)) => {
            return oracle::verdict(DIFFERENTIAL.name, &meter, re.state_count(), haystack.len());
        }
        Err(e) => return refused(&e, &meter),
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
    if let Some(v) = vulnerable_disagrees(pattern, haystack, expected) {
        return v;
    }
    oracle::verdict(DIFFERENTIAL.name, &meter, re.state_count(), haystack.len())
}

/// The vulnerable twin's answer against the reference, when it finishes
/// inside its fuse.
fn vulnerable_disagrees(
    pattern: &str,
    haystack: &[u8],
    expected: Option<Match>,
) -> Option<Verdict> {
    let re = vulnerable::Regex::new(pattern).ok()?;
    let mut meter = Meter::new(fuse_for(linear_bound(re.state_count(), haystack.len())));
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
