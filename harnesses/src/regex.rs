//! The regex family's harnesses: decoding, the cost oracle, the differential
//! oracle against regex-automata, and the attack generators the tests and
//! benches share.
//!
//! # Cost oracle
//!
//! Both twins count one step per NFA state visit. A memoised search visits
//! each (state, position) pair at most once, so
//! [`linear_bound`]`(m, n)` = m·(n+1) steps is the most a correct linear
//! matcher needs, m the number of NFA states and n the haystack length. A
//! run that takes more than [`SLACK`] times that is a
//! [`Kind::SuperlinearTime`] finding (CWE-1333): the slack keeps a few
//! redundant visits on a tiny input (`^*^a` on an empty haystack costs 6
//! steps against a bound of 5) from counting as a denial of service, while
//! anything that grows faster than the input crosses it quickly. The fuse
//! stops a run at `4 * SLACK` times the bound (at least a million steps), so
//! a finding is decided in time linear in the input. A recursive run deeper
//! than the depth fuse is a [`Kind::UnboundedRecursion`] finding (CWE-674).

use gauntlet_targets::meter::{Fuse, Meter, Resource};
use gauntlet_targets::regex::{hardened, linear_bound, vulnerable, ErrorKind, Match};
use regex_automata::meta;

use crate::guard::on_big_stack;
use crate::registry::{Oracle, Target, Variant};
use crate::verdict::{Finding, Kind, Verdict};

const FORMAT: &str = "first line: pattern (UTF-8, regex syntax); rest: haystack (any bytes)";

/// The vulnerable twin under the cost oracle.
pub const VULNERABLE: Target = Target {
    name: "regex-vulnerable",
    family: "regex",
    variant: Variant::Vulnerable,
    cwes: &[1333, 674],
    expected: &[Kind::SuperlinearTime, Kind::UnboundedRecursion],
    oracles: &[Oracle::Cost],
    input_format: FORMAT,
    source: "targets/src/regex/vulnerable.rs",
    fuzz_args: &[],
    run: run_vulnerable,
};

/// The hardened twin under the cost oracle.
pub const HARDENED: Target = Target {
    name: "regex-hardened",
    family: "regex",
    variant: Variant::Hardened,
    cwes: &[1333, 674],
    expected: &[],
    oracles: &[Oracle::Cost],
    input_format: FORMAT,
    source: "targets/src/regex/hardened.rs",
    fuzz_args: &[],
    run: run_hardened,
};

/// Both twins against `regex_automata::meta::Regex`.
pub const DIFFERENTIAL: Target = Target {
    name: "regex-differential",
    family: "regex",
    variant: Variant::Differential,
    cwes: &[436],
    expected: &[],
    oracles: &[Oracle::Differential, Oracle::Cost],
    input_format: FORMAT,
    source: "targets/src/regex/hardened.rs",
    fuzz_args: &[],
    run: run_differential,
};

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

/// How many times the linear bound a run may take before the cost oracle
/// calls it super-linear.
pub const SLACK: u64 = 4;

/// The fuse for a search whose linear bound is `bound` steps.
pub fn fuse_for(bound: u64) -> Fuse {
    Fuse::default().with_steps(bound.saturating_mul(4 * SLACK).max(1_000_000))
}

fn rejected(reason: impl ToString, meter: &Meter) -> Verdict {
    Verdict::Rejected { reason: reason.to_string(), cost: meter.cost() }
}

/// Applies the cost oracle to a finished (or fused) run.
fn cost_verdict(target: &'static str, meter: &Meter, states: usize, n: usize) -> Verdict {
    let cost = meter.cost();
    let bound = linear_bound(states, n);
    let limit = bound.saturating_mul(SLACK);
    if meter.tripped().map(|b| b.resource) == Some(Resource::Depth) {
        let summary = format!(
            "recursion reached the depth fuse of {} frames on a {n}-byte haystack",
            meter.fuse().depth
        );
        return Verdict::Finding(Finding::new(
            target,
            Kind::UnboundedRecursion,
            674,
            "backtrack-recursion",
            summary,
            cost,
        ));
    }
    if cost.steps > limit {
        let fused = if meter.tripped().is_some() { " (fuse tripped)" } else { "" };
        let summary = format!(
            "super-linear backtracking: {} steps > {SLACK} x linear bound {bound} ({states} \
             states x {} positions){fused}",
            cost.steps,
            n + 1
        );
        return Verdict::Finding(Finding::new(
            target,
            Kind::SuperlinearTime,
            1333,
            "backtrack",
            summary,
            cost,
        ));
    }
    Verdict::Clean { cost }
}

fn run_vulnerable(input: &[u8]) -> Verdict {
    let mut meter = Meter::default();
    let (pattern, haystack) = match decode(input) {
        Ok(d) => d,
        Err(reason) => return rejected(reason, &meter),
    };
    let re = match vulnerable::Regex::new(pattern) {
        Ok(re) => re,
        Err(e) => return rejected(e, &meter),
    };
    let states = re.state_count();
    meter = Meter::new(fuse_for(linear_bound(states, haystack.len())));
    // A fuse error is the oracle's business, not a rejection.
    let _ = on_big_stack(|| re.find(haystack, &mut meter));
    cost_verdict(VULNERABLE.name, &meter, states, haystack.len())
}

fn run_hardened(input: &[u8]) -> Verdict {
    let mut meter = Meter::default();
    let (pattern, haystack) = match decode(input) {
        Ok(d) => d,
        Err(reason) => return rejected(reason, &meter),
    };
    let re = match hardened::Regex::new(pattern) {
        Ok(re) => re,
        Err(e) => return rejected(e, &meter),
    };
    meter = Meter::new(fuse_for(re.step_bound(haystack.len())));
    match re.find(haystack, &mut meter) {
        Err(e) if !matches!(e.kind, ErrorKind::Fuse(_)) => rejected(e, &meter),
        _ => cost_verdict(HARDENED.name, &meter, re.state_count(), haystack.len()),
    }
}

/// The reference: regex-automata's meta regex with its default
/// configuration, which is also the twins' syntax configuration.
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

fn run_differential(input: &[u8]) -> Verdict {
    let mut meter = Meter::default();
    let (pattern, haystack) = match decode(input) {
        Ok(d) => d,
        Err(reason) => return rejected(reason, &meter),
    };
    let re = match hardened::Regex::new(pattern) {
        Ok(re) => re,
        Err(e) => return rejected(e, &meter),
    };
    let expected = match reference(pattern, haystack) {
        Ok(m) => m,
        Err(e) => {
            // The twins compile with the reference's own parser and a smaller
            // size limit, so the reference refusing what they accept is a
            // disagreement in itself.
            let summary = format!("hardened accepts {pattern:?} but regex-automata refuses: {e}");
            let finding = Finding::new(
                DIFFERENTIAL.name,
                Kind::DifferentialMismatch,
                436,
                "accept-reject",
                summary,
                meter.cost(),
            );
            return Verdict::Finding(finding);
        }
    };
    meter = Meter::new(fuse_for(re.step_bound(haystack.len())));
    let got = match re.find(haystack, &mut meter) {
        Ok(m) => m,
        Err(e) if matches!(e.kind, ErrorKind::Fuse(_)) => {
            return cost_verdict(DIFFERENTIAL.name, &meter, re.state_count(), haystack.len());
        }
        Err(e) => return rejected(e, &meter),
    };
    let cost = meter.cost();
    if got != expected {
        let summary = format!(
            "hardened reports {} but regex-automata reports {} for {pattern:?} on a {}-byte \
             haystack",
            show(got),
            show(expected),
            haystack.len()
        );
        return Verdict::Finding(Finding::new(
            DIFFERENTIAL.name,
            Kind::DifferentialMismatch,
            436,
            "hardened-vs-regex-automata",
            summary,
            cost,
        ));
    }
    if let Some(v) = vulnerable_disagrees(pattern, haystack, expected) {
        return v;
    }
    cost_verdict(DIFFERENTIAL.name, &meter, re.state_count(), haystack.len())
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
    let got = on_big_stack(|| re.find(haystack, &mut meter)).ok()?;
    (got != expected).then(|| {
        let summary = format!(
            "vulnerable reports {} but regex-automata reports {} for {pattern:?} on a {}-byte \
             haystack",
            show(got),
            show(expected),
            haystack.len()
        );
        Verdict::Finding(Finding::new(
            DIFFERENTIAL.name,
            Kind::DifferentialMismatch,
            436,
            "vulnerable-vs-regex-automata",
            summary,
            meter.cost(),
        ))
    })
}

/// Attack generators shared by tests, benches and the CLI.
pub mod attacks {
    use super::join;

    /// `(a+)+$` against n `a`s and a `!`: exponential for a naive
    /// backtracker.
    pub fn nested_plus(n: usize) -> Vec<u8> {
        let mut hay = vec![b'a'; n];
        hay.push(b'!');
        join("(a+)+$", &hay)
    }

    /// `(a|aa)*$` against n `a`s and a `!`: grows as 1.618ⁿ.
    pub fn fibonacci_alternation(n: usize) -> Vec<u8> {
        let mut hay = vec![b'a'; n];
        hay.push(b'!');
        join("(a|aa)*$", &hay)
    }

    /// `\s+$` against n spaces and an `x`: quadratic (the 2016 Stack Overflow
    /// outage).
    pub fn trailing_whitespace(n: usize) -> Vec<u8> {
        let mut hay = vec![b' '; n];
        hay.push(b'x');
        join(r"\s+$", &hay)
    }
}
