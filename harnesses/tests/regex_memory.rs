//! The regex family's memory oracle and the bounded reference: the hardened
//! twin under its bound with its stack and path counted and limited, the
//! vulnerable twin's recursion reported as memory amplification below its
//! depth fuse, and the differential target's call to regex-automata bounded
//! on the `x*` / `\x80` shape that makes regex-automata quadratic.
//!
//! `cargo test --release --test regex_memory -- --nocapture` prints the
//! bytes held per haystack byte quoted in `targets/src/regex/hardened.rs`.

use gauntlet_harnesses::regex::{
    attacks, join, memory_bound, reference, split, Exception, Reference, DIFFERENTIAL, HARDENED,
    RESEARCH_LIMIT, VULNERABLE,
};
use gauntlet_harnesses::{Kind, Verdict};
use gauntlet_targets::meter::{Fuse, Meter, Resource};
use gauntlet_targets::regex::vulnerable::FRAME_BYTES;
use gauntlet_targets::regex::{hardened, ErrorKind, Match};
use proptest::prelude::*;

fn pattern_of(input: &[u8]) -> (&str, &[u8]) {
    let (pattern, haystack) = split(input);
    (std::str::from_utf8(pattern).unwrap(), haystack)
}

/// Every attack generator, and searches that hold the most per byte.
fn inputs() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("nested plus 100k", attacks::nested_plus(100_000)),
        ("fibonacci 10k", attacks::fibonacci_alternation(10_000)),
        ("trailing whitespace 10k", attacks::trailing_whitespace(10_000)),
        ("star run 1500", attacks::star_run(1_500)),
        ("star run 100k", attacks::star_run(100_000)),
        ("split codepoint run 100k", attacks::split_codepoint_run(100_000)),
        ("[a-z]* 1,000,000", join("[a-z]*", &vec![b'a'; 1_000_000])),
        (r"\w* 10k", join(r"\w*", &vec![b'a'; 10_000])),
        ("lazy alternation", join("(?:ab|cd|ef)*?z", &b"ab".repeat(20_000))),
        ("e-mail", join(r"[\w.]+@\w+\.\w+", "name.surname ".repeat(2_000).as_bytes())),
        ("empty alternatives", join("(?:|a){1500}", b"")),
    ]
}

#[test]
fn hardened_stays_under_its_bound_and_gives_everything_back() {
    for (name, input) in inputs() {
        let (pattern, haystack) = pattern_of(&input);
        let re = hardened::Regex::new(pattern).unwrap();
        let mut meter = Meter::new(Fuse::unlimited());
        let found = re.find(haystack, &mut meter);
        let memory = meter.cost().memory;
        println!(
            "{name}: {} states, {memory} held, {:.1} a haystack byte{}",
            re.state_count(),
            memory as f64 / haystack.len().max(1) as f64,
            if found.is_err() { " (refused)" } else { "" }
        );
        assert!(memory <= re.memory_bound(haystack.len()), "{name}: {memory}");
        let bound = memory_bound(re.state_count()).of(input.len());
        assert!(memory <= bound, "{name}: {memory} > {bound}");
        assert_eq!(meter.held(), 0, "{name}: the search gave back what it held");
        for target in [&HARDENED, &DIFFERENTIAL] {
            let v = target.check(&input);
            let kind = v.finding().map(|f| f.kind);
            assert_ne!(kind, Some(Kind::MemoryAmplification), "{}: {name}: {v:?}", target.name);
        }
    }
}

#[test]
fn a_greedy_star_holds_about_35_bytes_a_haystack_byte() {
    // A frame (24 bytes) and two path states (4 bytes each) per byte, the
    // buffers' capacities rounded up to powers of two, and 2 x 5 memo bits.
    let n = 1_000_000;
    let input = join("[a-z]*", &vec![b'a'; n]);
    let (pattern, haystack) = pattern_of(&input);
    let re = hardened::Regex::new(pattern).unwrap();
    let mut meter = Meter::default();
    assert_eq!(re.find(haystack, &mut meter).unwrap(), Some(Match { start: 0, end: n }));
    let frames = (1u64 << 20) * 24;
    let path = (1u64 << 21) * 4;
    let memo = 2 * (5 * (n as u64 + 1)).div_ceil(64) * 8;
    assert_eq!(meter.cost().memory, frames + path + memo);
    assert!(meter.cost().memory / n as u64 == 34, "{}", meter.cost());
}

#[test]
fn a_haystack_too_long_for_the_stack_limit_is_refused_at_the_limit() {
    // The 564 MB of the attack report: `[a-z]*` on 10 MB of `a`. The memo
    // fits (12.5 MB), the stack and path stop at 32 MiB.
    let input = join("[a-z]*", &vec![b'a'; 10_000_000]);
    let (pattern, haystack) = pattern_of(&input);
    let re = hardened::Regex::new(pattern).unwrap();
    let mut meter = Meter::default();
    let e = re.find(haystack, &mut meter).unwrap_err();
    let limit = hardened::Config::STACK_LIMIT;
    let ErrorKind::StackLimit { needed, limit: l } = e.kind else { panic!("{e}") };
    assert_eq!(l, limit);
    assert!(needed > limit, "{needed}");
    let memo = 2 * (5 * 10_000_001u64).div_ceil(64) * 8;
    assert!(meter.cost().memory <= memo + limit as u64, "{}", meter.cost());
    assert_eq!(meter.held(), 0);
    let Verdict::Rejected { reason, .. } = HARDENED.check(&input) else { panic!("not refused") };
    assert!(reason.contains("exceed the stack limit of 33554432 bytes"), "{reason}");
    let Verdict::Rejected { reason, .. } = DIFFERENTIAL.check(&input) else { panic!() };
    assert!(reason.contains("hardening-limit"), "{reason}");
}

#[test]
fn the_stack_limit_is_a_setting_with_its_own_error() {
    let small = hardened::Config { stack_limit: 1_000, ..hardened::Config::default() };
    let re = hardened::Regex::with_config("a*", small).unwrap();
    let e = re.find(&[b'a'; 1_000], &mut Meter::default()).unwrap_err();
    let ErrorKind::StackLimit { needed, limit: 1_000 } = e.kind else { panic!("{e}") };
    assert!(needed > 1_000);
    assert!(e.to_string().contains("exceed the stack limit of 1000 bytes"), "{e}");
    // Within the limit, the same pattern on a shorter haystack is fine.
    assert!(re.find(&[b'a'; 10], &mut Meter::default()).is_ok());
}

#[test]
fn the_memory_fuse_stops_a_search_before_it_allocates() {
    let input = attacks::star_run(100_000);
    let (pattern, haystack) = pattern_of(&input);
    let re = hardened::Regex::new(pattern).unwrap();
    let mut meter = Meter::new(Fuse::default().with_memory(50_000));
    let e = re.find(haystack, &mut meter).unwrap_err();
    let ErrorKind::Fuse(blown) = e.kind else { panic!("{e}") };
    assert_eq!(blown.resource, Resource::Memory);
    assert_eq!(meter.held(), 0);
}

#[test]
fn a_long_star_run_is_memory_amplification_for_the_vulnerable_twin() {
    let input = attacks::star_run(1_500);
    let v = VULNERABLE.check(&input);
    let f = v.finding().unwrap_or_else(|| panic!("no finding: {v:?}"));
    assert_eq!((f.kind, f.cwe), (Kind::MemoryAmplification, 789), "{}", f.summary);
    assert!((1_500..Fuse::DEPTH).contains(&f.cost.depth), "below the depth fuse: {}", f.cost);
    assert!(f.cost.memory >= 1_500 * FRAME_BYTES, "{}", f.cost);
    assert!(f.cost.steps <= 4 * 5 * 1_501, "linear time: {}", f.cost);
    assert_eq!(HARDENED.check(&input).status(), "clean");
    assert_eq!(DIFFERENTIAL.check(&input).status(), "clean");
    // A short run stays under the 64 KiB base.
    assert_eq!(VULNERABLE.check(&attacks::star_run(100)).status(), "clean");
    // Past the depth fuse, the recursion oracle keeps its verdict.
    let v = VULNERABLE.check(&attacks::star_run(5_000));
    assert_eq!(v.finding().map(|f| f.kind), Some(Kind::UnboundedRecursion));
}

#[test]
fn the_reference_is_bounded_on_the_split_codepoint_shape() {
    // regex-automata re-searches from every start (O(n²)); the bounded
    // reference stops after RESEARCH_LIMIT re-searches and says so.
    // n `x`s and the `\x80`: n + 1 bytes, n + 2 searches (one per start).
    for n in [RESEARCH_LIMIT - 1, RESEARCH_LIMIT, 100_000] {
        let input = attacks::split_codepoint_run(n);
        let (pattern, haystack) = pattern_of(&input);
        let got = Reference::new(pattern).unwrap().find(haystack);
        if n < RESEARCH_LIMIT {
            assert_eq!(got, Ok(Some(Match { start: n + 1, end: n + 1 })), "n={n}");
            assert_eq!(got.unwrap(), reference(pattern, haystack).unwrap());
            assert_eq!(DIFFERENTIAL.check(&input).status(), "clean");
            continue;
        }
        assert_eq!(got, Err(Exception::Utf8EmptyResearch), "n={n}");
        let Verdict::Rejected { reason, cost } = DIFFERENTIAL.check(&input) else {
            panic!("n={n}: not the documented exception");
        };
        assert!(reason.contains("documented difference from regex-automata: utf8-empty-research"));
        // The hardened twin still ran, linear in steps and memory.
        let re = hardened::Regex::new(pattern).unwrap();
        assert!(cost.steps <= re.step_bound(haystack.len()), "{cost}");
        assert!(cost.memory <= re.memory_bound(haystack.len()), "{cost}");
    }
}

#[test]
fn the_regressions_are_the_generator_output_and_answered_as_regex_automata_does() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpora/regex/regressions/differential");
    let run = std::fs::read(format!("{dir}/split-codepoint-run.txt")).unwrap();
    assert_eq!(run, attacks::split_codepoint_run(10_000));
    let star = concat!(env!("CARGO_MANIFEST_DIR"), "/../corpora/regex/reproducers/star-run.txt");
    assert_eq!(std::fs::read(star).unwrap(), attacks::star_run(1_500));
    let input = std::fs::read(format!("{dir}/match-ending-before-continuation-byte.txt")).unwrap();
    let (pattern, haystack) = pattern_of(&input);
    let bounded = Reference::new(pattern).unwrap().find(haystack).unwrap();
    assert_eq!(bounded, reference(pattern, haystack).unwrap());
}

/// Patterns for the reference property: ones that can match the empty
/// string (where regex-automata's UTF-8 rule applies), ones that cannot,
/// anchors and word boundaries.
fn reference_pattern() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "x*",
        "x*?",
        "[^,]*",
        "(?:x|é)*",
        "é*",
        "a|",
        "|a",
        r"\b",
        r"\B",
        "^",
        "$",
        "(?m:$)",
        "x",
        "é",
        "x+",
        "(?:xé)+",
        r"\w*",
        r"\W*",
        "(?s:.)*",
        "x*$",
        "^x*",
        r"\bx*",
        r"[^\s\S]",
        r"(?:[^\s\S])*",
        r"[^\s\S]|x*",
        r"(?:\b)+",
        "x{0}",
        r"\b|x",
    ])
}

/// Haystacks of up to 80 pieces, so that chains of skipped matches longer
/// than [`RESEARCH_LIMIT`] come up.
fn reference_haystack() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop::sample::select(vec![
        &b"x"[..],
        &b"xx"[..],
        &b","[..],
        &b" "[..],
        "é".as_bytes(),
        &b"\xC3"[..],
        &b"\xA9"[..],
        &b"\x80"[..],
        &b"\xFF"[..],
    ]);
    prop::collection::vec(piece, 0..80).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn the_bounded_reference_answers_as_regex_automata_does(
        p in reference_pattern(),
        h in reference_haystack(),
    ) {
        let full = reference(p, &h).unwrap();
        match Reference::new(p).unwrap().find(&h) {
            Ok(m) => prop_assert_eq!(m, full, "pattern {:?}", p),
            // regex-automata searched again from every start up to past
            // the limit: its answer, if any, starts after it.
            Err(x) => {
                prop_assert_eq!(x, Exception::Utf8EmptyResearch);
                prop_assert!(full.is_none_or(|m| m.start > RESEARCH_LIMIT), "{:?} {:?}", p, full);
            }
        }
    }
}
