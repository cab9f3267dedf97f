//! The regex family: a pattern and a haystack through a backtracking
//! matcher.
//!
//! - [`oracle`]: the cost oracle (super-linear steps, recursion at the depth
//!   fuse) and the memory oracle;
//! - [`mod@reference`]: the differential oracle against regex-automata;
//! - [`attacks`]: the attack generators the tests, benches and CLI share;
//! - [`mutate`]: the structure-aware mutator the fuzz targets use.
//!
//! Input format: the first line is the pattern (UTF-8, regex syntax), the
//! rest the haystack (any bytes).

use gauntlet_targets::meter::Meter;
use gauntlet_targets::regex::{hardened, vulnerable, ErrorKind};

use crate::dos::{Ending, Run};
use crate::guard::deep;
use crate::kit::rejected;
use crate::target::{Family, Oracle, Target, Variant};
use crate::verdict::{Kind, Verdict};

pub mod attacks;
pub mod mutate;
pub mod oracle;
pub mod reference;

pub use oracle::{fuse, fuse_for, memory_bound, SLACK};
pub use reference::{reference, Exception, Reference, RESEARCH_LIMIT};

/// The regex family: its three targets and what they share.
pub static FAMILY: Family = Family {
    name: "regex",
    input_format: "first line: pattern (UTF-8, regex syntax); rest: haystack (any bytes)",
    fuzz_args: &[],
    keep_rejected: false,
    mutator: Some(mutate::mutate),
    twin,
    attacks: attacks::all,
    answer: Some(answer),
    targets: &[
        Target {
            name: "regex-vulnerable",
            family: &FAMILY,
            variant: Variant::Vulnerable,
            cwes: &[1333, 674, 789],
            expected: &[Kind::SuperlinearTime, Kind::UnboundedRecursion, Kind::MemoryAmplification],
            oracles: &[Oracle::Cost],
            source: "targets/src/regex/vulnerable.rs",
            run: run_vulnerable,
        },
        Target {
            name: "regex-hardened",
            family: &FAMILY,
            variant: Variant::Hardened,
            cwes: &[1333, 674, 789],
            expected: &[],
            oracles: &[Oracle::Cost],
            source: "targets/src/regex/hardened.rs",
            run: run_hardened,
        },
        Target {
            name: "regex-differential",
            family: &FAMILY,
            variant: Variant::Differential,
            cwes: &[436],
            expected: &[],
            oracles: &[Oracle::Differential, Oracle::Cost],
            source: "targets/src/regex/hardened.rs",
            run: reference::run_differential,
        },
    ],
};

/// The vulnerable twin under the cost oracle.
pub static VULNERABLE: &Target = &FAMILY.targets[0];
/// The hardened twin under the cost oracle.
pub static HARDENED: &Target = &FAMILY.targets[1];
/// Both twins against `regex_automata::meta::Regex`.
pub static DIFFERENTIAL: &Target = &FAMILY.targets[2];

/// Splits an input into pattern bytes and haystack at the first `\n`.
pub fn split(input: &[u8]) -> (&[u8], &[u8]) {
    match input.iter().position(|&b| b == b'\n') {
        Some(i) => (&input[..i], &input[i + 1..]),
        None => (input, &[]),
    }
}

/// Joins a pattern and a haystack into the family's input format.
pub fn join(pattern: &str, haystack: &[u8]) -> Vec<u8> {
    let mut input = Vec::with_capacity(pattern.len() + 1 + haystack.len());
    input.extend_from_slice(pattern.as_bytes());
    input.push(b'\n');
    input.extend_from_slice(haystack);
    input
}

fn decode(input: &[u8]) -> Result<(&str, &[u8]), String> {
    let (pattern, haystack) = split(input);
    match std::str::from_utf8(pattern) {
        Ok(p) => Ok((p, haystack)),
        Err(e) => Err(format!("pattern is not valid UTF-8 ({e})")),
    }
}

/// Decodes `input` and compiles its pattern with `compile`; a refusal
/// (`refuse` names it) is the verdict.
fn prepare<R, E>(
    input: &[u8],
    compile: impl FnOnce(&str) -> Result<R, E>,
    refuse: impl FnOnce(E, &Meter) -> Verdict,
) -> Result<(R, &str, &[u8]), Box<Verdict>> {
    let meter = Meter::default();
    let (pattern, haystack) = decode(input).map_err(|reason| Box::new(rejected(reason, &meter)))?;
    let re = compile(pattern).map_err(|e| Box::new(refuse(e, &meter)))?;
    Ok((re, pattern, haystack))
}

/// What `target`'s twin answers for `input`, in words: where the leftmost
/// match is (`match at 2..5: "bab"`), or that there is none.
fn answer(target: &Target, input: &[u8]) -> Option<String> {
    let (pattern, haystack) = decode(input).ok()?;
    let found = match target.variant {
        Variant::Vulnerable => {
            let re = vulnerable::Regex::new(pattern).ok()?;
            let mut meter = Meter::new(fuse(re.state_count(), haystack.len(), input.len()));
            deep(|| re.find(haystack, &mut meter)).ok()?
        }
        _ => {
            let re = hardened::Regex::new(pattern).ok()?;
            let mut meter = Meter::new(fuse(re.state_count(), haystack.len(), input.len()));
            re.find(haystack, &mut meter).ok()?
        }
    };
    Some(match found {
        Some(m) => format!(
            "match at {}..{}: {:?}",
            m.start,
            m.end,
            String::from_utf8_lossy(&haystack[m.start..m.end.min(m.start + 60)])
        ),
        None => "no match".to_owned(),
    })
}

fn run_vulnerable(input: &[u8]) -> Verdict {
    let (re, _, haystack) = match prepare(input, vulnerable::Regex::new, rejected) {
        Ok(p) => p,
        Err(v) => return *v,
    };
    let states = re.state_count();
    let mut meter = Meter::new(fuse(states, haystack.len(), input.len()));
    // A fuse error is the oracle's business, not a rejection.
    let _ = deep(|| re.find(haystack, &mut meter));
    let rerun = oracle::rerun(states, input.len(), |h, meter| _ = deep(|| re.find(h, meter)));
    oracle::verdict(VULNERABLE.name, &meter, states, haystack, input.len(), &rerun)
}

fn run_hardened(input: &[u8]) -> Verdict {
    let (re, _, haystack) = match prepare(input, hardened::Regex::new, rejected) {
        Ok(p) => p,
        Err(v) => return *v,
    };
    let states = re.state_count();
    let mut meter = Meter::new(fuse(states, haystack.len(), input.len()));
    match re.find(haystack, &mut meter) {
        Err(e) if !matches!(e.kind, ErrorKind::Fuse(_)) => {
            oracle::memory(HARDENED.name, &meter, states, input.len())
                .unwrap_or_else(|| rejected(e, &meter))
        }
        _ => {
            let rerun = oracle::rerun(states, input.len(), |h, meter| _ = re.find(h, meter));
            oracle::verdict(HARDENED.name, &meter, states, haystack, input.len(), &rerun)
        }
    }
}

/// One twin on one input, with no oracle (see [`crate::dos`]): the pattern
/// is compiled while preparing (unmetered, untimed), the search is the run.
fn twin(variant: Variant, input: &[u8]) -> Result<Run<'_>, String> {
    let (pattern, haystack) = decode(input)?;
    Ok(match variant {
        Variant::Vulnerable => {
            let re = vulnerable::Regex::new(pattern).map_err(|e| e.to_string())?;
            Box::new(move |meter: &mut Meter| Ending::of(&re.find(haystack, meter), meter))
        }
        _ => {
            let re = hardened::Regex::new(pattern).map_err(|e| e.to_string())?;
            Box::new(move |meter: &mut Meter| Ending::of(&re.find(haystack, meter), meter))
        }
    })
}
