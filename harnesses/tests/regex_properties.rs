//! Properties of the regex family on generated (pattern, haystack) pairs.

mod support;

use gauntlet_harnesses::adapters::prop_check;
use gauntlet_harnesses::regex::reference::Reference;
use gauntlet_harnesses::regex::{fuse_for, join, reference, DIFFERENTIAL, FAMILY};
use gauntlet_harnesses::Verdict;
use gauntlet_targets::meter::Meter;
use gauntlet_targets::regex::{hardened, linear_bound, vulnerable, Match};
use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

/// Patterns over a small alphabet with every construct the twins support,
/// nested a few levels deep: ambiguous ones (`(a|a?)+`) come up often.
fn pattern() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just(".".to_owned()),
        Just(r"\s".to_owned()),
        Just("[ab]".to_owned()),
        Just("[^a]".to_owned()),
        Just(r"\b".to_owned()),
        Just("^".to_owned()),
        Just("$".to_owned()),
        Just("é".to_owned()),
        Just(String::new()),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(x, y)| format!("{x}{y}")),
            (inner.clone(), inner.clone()).prop_map(|(x, y)| format!("(?:{x}|{y})")),
            inner.clone().prop_map(|x| format!("({x})")),
            (inner, 0..9usize).prop_map(|(x, op)| {
                let op = ["*", "+", "?", "*?", "+?", "??", "{1,3}", "{2}", "{0,2}?"][op];
                format!("(?:{x}){op}")
            }),
        ]
    })
}

/// Haystacks mixing ASCII, whitespace, a two-byte codepoint and invalid
/// UTF-8: a lone lead byte, lone continuation bytes (which decide where
/// regex-automata lets a match end) and a byte that is never UTF-8.
fn haystack() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        Just(vec![b'a']),
        Just(vec![b'b']),
        Just(vec![b' ']),
        Just(vec![b'\n']),
        Just("é".as_bytes().to_vec()),
        Just(vec![0xC3]),
        Just(vec![0xA9]),
        Just(vec![0x80]),
        Just(vec![0xFF]),
    ];
    proptest::collection::vec(piece, 0..16).prop_map(|v| v.concat())
}

/// The twin's answer `got` is the reference's, unless the reference had to
/// search again past a match that split a codepoint: the documented
/// `Exception::Utf8EmptyRestart`, where the twins keep what they learnt.
fn agrees(p: &str, h: &[u8], got: Option<Match>) -> Result<(), TestCaseError> {
    let Ok(answer) = Reference::new(p).unwrap().answer(h) else { return Ok(()) };
    if answer.researches == 0 {
        prop_assert_eq!(got, answer.found, "pattern {:?}", p);
        prop_assert_eq!(got, reference(p, h).unwrap(), "pattern {:?}", p);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn hardened_agrees_with_regex_automata_within_its_bound(p in pattern(), h in haystack()) {
        let re = hardened::Regex::new(&p).unwrap();
        let mut meter = Meter::new(fuse_for(re.step_bound(h.len())));
        let got = re.find(&h, &mut meter).unwrap();
        agrees(&p, &h, got)?;
        prop_assert!(meter.cost().steps <= re.step_bound(h.len()));
        prop_assert_eq!(meter.cost().depth, 0);
    }

    #[test]
    fn vulnerable_agrees_whenever_it_finishes(p in pattern(), h in haystack()) {
        let re = vulnerable::Regex::new(&p).unwrap();
        let mut meter = Meter::new(fuse_for(linear_bound(re.state_count(), h.len())));
        if let Ok(got) = re.find(&h, &mut meter) {
            agrees(&p, &h, got)?;
        }
    }

    #[test]
    fn no_target_gives_an_undeclared_finding_and_the_differential_none(
        p in pattern(),
        h in haystack(),
    ) {
        let input = join(&p, &h);
        support::no_unexpected_finding(&FAMILY, &input)?;
        // Clean, or a refusal that names a documented difference.
        match prop_check(DIFFERENTIAL, &input)? {
            Verdict::Clean { .. } => {}
            Verdict::Rejected { reason, .. } => {
                prop_assert!(reason.contains("documented difference"), "{}", reason);
            }
            Verdict::Finding(f) => prop_assert!(false, "{}", f),
        }
    }
}
