//! The regex twins and targets against the shared table in
//! `testdata/regex/matches.toml` and against regex-automata, plus the cost
//! oracle's verdicts on known attacks.

mod support;

use gauntlet_harnesses::manifest::Expect;
use gauntlet_harnesses::regex::{
    attacks, join, reference, split, DIFFERENTIAL, FAMILY, HARDENED, VULNERABLE,
};
use gauntlet_harnesses::{Kind, Verdict};
use gauntlet_targets::meter::{Fuse, Meter};
use gauntlet_targets::regex::{hardened, linear_bound, vulnerable, ErrorKind, Match};
use serde::Deserialize;
use support::{assert_verdict, run_table, Case, Failures};

/// The regex family's own fields of `testdata/regex/matches.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    pattern: String,
    span: Option<[usize; 2]>,
    error: Option<String>,
}

/// Every engine refuses the pattern, with `error` in both twins' messages.
fn refused(case: &Case<Fields>, error: &str, fail: &mut Failures) {
    let name = &case.name;
    let pattern = &case.fields.pattern;
    if case.fields.span.is_some() {
        fail.push(name, "a case with an error has no span");
    }
    if let Ok(m) = reference(pattern, &case.input) {
        fail.push(name, format!("regex-automata accepts the pattern: {m:?}"));
    }
    for (twin, e) in [
        ("hardened", hardened::Regex::new(pattern).err()),
        ("vulnerable", vulnerable::Regex::new(pattern).err()),
    ] {
        match e {
            Some(e) if e.to_string().contains(error) => {}
            Some(e) => fail.push(name, format!("{twin} refuses with {e}, not {error:?}")),
            None => fail.push(name, format!("{twin} accepts the pattern")),
        }
    }
}

/// Every engine reports `span`; the hardened twin within its step bound.
fn matched(case: &Case<Fields>, fail: &mut Failures) {
    let (name, pattern, hay) = (&case.name, &case.fields.pattern, &case.input);
    let want = case.fields.span.map(|[start, end]| Match { start, end });
    match reference(pattern, hay) {
        Ok(got) if got == want => {}
        got => fail.push(name, format!("the table says {want:?}, regex-automata {got:?}")),
    }
    let h = match hardened::Regex::new(pattern) {
        Ok(h) => h,
        Err(e) => return fail.push(name, format!("hardened refuses: {e}")),
    };
    let mut meter = Meter::default();
    match h.find(hay, &mut meter) {
        Ok(got) if got == want => {}
        got => fail.push(name, format!("the table says {want:?}, hardened {got:?}")),
    }
    if meter.cost().steps > h.step_bound(hay.len()) {
        fail.push(name, format!("hardened: {} steps past its bound", meter.cost().steps));
    }
    let v = match vulnerable::Regex::new(pattern) {
        Ok(v) => v,
        Err(e) => return fail.push(name, format!("vulnerable refuses: {e}")),
    };
    match v.find(hay, &mut Meter::default()) {
        Ok(got) if got == want => {}
        got => fail.push(name, format!("the table says {want:?}, vulnerable {got:?}")),
    }
}

#[test]
fn every_engine_and_every_target_agrees_with_the_match_table() {
    let cases = support::load::<Fields>(&FAMILY, "matches");
    run_table(
        &FAMILY,
        &cases,
        |case| join(&case.fields.pattern, &case.input),
        |case, _| match &case.fields.error {
            Some(error) => Some(Expect::Rejected(Some(error.clone()))),
            None => Some(Expect::Clean),
        },
        |case, _, fail| match &case.fields.error {
            Some(error) => refused(case, error, fail),
            None => matched(case, fail),
        },
    );
}

#[test]
fn a_pattern_line_that_is_not_utf8_is_rejected_by_every_target() {
    // The family's input format: the pattern line must be UTF-8 (a table's
    // `pattern` is a TOML string, so this case cannot be in the table).
    let expect = Expect::Rejected(Some("pattern is not valid UTF-8".to_owned()));
    for target in FAMILY.targets {
        assert_verdict(target, "pattern-not-utf8", b"\xff\nabc", &expect);
    }
}

#[test]
fn vulnerable_is_exponential_and_hardened_linear_on_nested_plus() {
    let mut previous = 0;
    for n in [8, 10, 12, 14, 16] {
        let input = attacks::nested_plus(n);
        let (pattern, hay) = split(&input);
        let pattern = std::str::from_utf8(pattern).unwrap();
        let v = vulnerable::Regex::new(pattern).unwrap();
        let mut meter = Meter::new(Fuse::unlimited());
        assert_eq!(v.find(hay, &mut meter).unwrap(), None);
        let steps = meter.cost().steps;
        // Each extra `a` at least doubles the work: two more `a`s, 4x.
        if previous > 0 {
            assert!(steps >= 4 * previous, "n={n}: {steps} after {previous}");
        }
        previous = steps;

        let h = hardened::Regex::new(pattern).unwrap();
        let mut meter = Meter::new(Fuse::unlimited());
        assert_eq!(h.find(hay, &mut meter).unwrap(), None);
        assert!(meter.cost().steps <= linear_bound(h.state_count(), hay.len()));
    }
}

#[test]
fn hardened_stays_within_its_bound_on_a_million_bytes() {
    let input = attacks::nested_plus(1_000_000);
    let (_, hay) = split(&input);
    let h = hardened::Regex::new("(a+)+$").unwrap();
    let mut meter = Meter::new(Fuse::unlimited());
    assert_eq!(h.find(hay, &mut meter).unwrap(), None);
    let bound = h.step_bound(hay.len());
    assert!(meter.cost().steps <= bound, "{} > {bound}", meter.cost().steps);
    assert_eq!(meter.cost().depth, 0, "the hardened twin never recurses");
}

#[test]
fn the_cost_oracle_reports_superlinear_time_for_the_vulnerable_twin_only() {
    for input in [attacks::nested_plus(24), attacks::fibonacci_alternation(30)] {
        let Verdict::Finding(f) = VULNERABLE.check(&input) else {
            panic!("no finding for {:?}", String::from_utf8_lossy(&input));
        };
        assert_eq!((f.kind, f.cwe), (Kind::SuperlinearTime, 1333));
        assert!(f.cost.steps > 1_000_000, "stopped by the fuse: {}", f.summary);
        assert_eq!(HARDENED.check(&input).status(), "clean");
        assert_eq!(DIFFERENTIAL.check(&input).status(), "clean");
    }
    // Quadratic, not exponential: still over the linear bound.
    let f = VULNERABLE.check(&attacks::trailing_whitespace(400));
    assert_eq!(f.finding().map(|f| f.kind), Some(Kind::SuperlinearTime));
}

#[test]
fn findings_of_one_bug_share_a_signature() {
    let a = VULNERABLE.check(&attacks::nested_plus(20));
    let b = VULNERABLE.check(&attacks::trailing_whitespace(300));
    assert_eq!(a.finding().unwrap().signature, b.finding().unwrap().signature);
}

#[test]
fn deep_haystacks_are_unbounded_recursion_not_a_stack_overflow() {
    let mut input = b"(?s).*!\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 100_000));
    let f = VULNERABLE.check(&input);
    let f = f.finding().expect("a finding");
    assert_eq!((f.kind, f.cwe), (Kind::UnboundedRecursion, 674));
    assert_eq!(f.cost.depth, Fuse::DEPTH);
    assert_eq!(HARDENED.check(&input).status(), "clean");
}

#[test]
fn the_utf8_rule_stays_linear_in_the_hardened_twin() {
    // Every start's match of `[a-z]*` ends before the continuation byte, so
    // every start is skipped: regex-automata re-searches from each one
    // (quadratic); the hardened twin remembers the skipped path.
    let re = hardened::Regex::new("[a-z]*").unwrap();
    for n in [3_000, 300_000] {
        let mut hay = vec![b'a'; n];
        hay.push(0x80);
        let mut meter = Meter::new(Fuse::unlimited());
        let got = re.find(&hay, &mut meter).unwrap();
        assert_eq!(got, Some(Match { start: n + 1, end: n + 1 }));
        assert!(meter.cost().steps <= re.step_bound(hay.len()), "n={n}: {}", meter.cost().steps);
        if n <= 3_000 {
            assert_eq!(reference("[a-z]*", &hay).unwrap(), got);
        }
    }
}

#[test]
fn hardened_limits_are_settings_with_their_own_errors() {
    let small = hardened::Config { nest_limit: 3, ..hardened::Config::default() };
    let e = hardened::Regex::with_config("((((a))))", small).unwrap_err();
    assert_eq!(e.kind, ErrorKind::NestLimit { limit: 3 });

    let short = hardened::Config { pattern_len_limit: 4, ..hardened::Config::default() };
    let e = hardened::Regex::with_config("abcde", short).unwrap_err();
    assert_eq!(e.kind, ErrorKind::PatternTooLong { len: 5, limit: 4 });

    let tiny = hardened::Config { size_limit: 1000, ..hardened::Config::default() };
    let e = hardened::Regex::with_config(r"\w{50}", tiny).unwrap_err();
    assert_eq!(e.kind, ErrorKind::SizeLimit { limit: 1000 });

    let memo = hardened::Config { memo_limit: 16, ..hardened::Config::default() };
    let re = hardened::Regex::with_config("a+b", memo).unwrap();
    let e = re.find(&[b'a'; 1000], &mut Meter::default()).unwrap_err();
    let ErrorKind::MemoLimit { states, haystack: 1000, needed, limit: 16 } = e.kind else {
        panic!("{e}");
    };
    // `a+b` cannot match the empty string: one bit per pair.
    assert_eq!(needed, (states * 1001).div_ceil(8));
    // `a*` can, so the UTF-8 rule's skip set doubles it.
    let re = hardened::Regex::with_config("a*", memo).unwrap();
    let e = re.find(&[b'a'; 1000], &mut Meter::default()).unwrap_err();
    let ErrorKind::MemoLimit { states, needed, .. } = e.kind else { panic!("{e}") };
    assert_eq!(needed, (2 * states * 1001).div_ceil(8));

    let e = hardened::Regex::new("(").unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Syntax { .. }));
    assert_eq!(e.span, Some(0..1));
}
