//! What every registered target must do, whatever its family: generic tests
//! over `gauntlet_harnesses::targets()` and `FAMILIES`, never a list of
//! families of their own. A new family is tested here the day it is added
//! to the list, from its seeds and its dictionary.
//!
//! - hostile bytes (empty, NUL, invalid UTF-8, long runs, the family's
//!   dictionary tokens and seeds cut short) never make a target panic nor
//!   give a finding of a kind it does not declare;
//! - neither do arbitrary bytes nor the family's seeds mutated;
//! - every seed goes through every target of its family without a finding.

mod support;

use gauntlet_harnesses::manifest::Expect;
use gauntlet_harnesses::FAMILIES;
use proptest::prelude::*;
use support::{
    assert_verdict, hex, hostile_inputs, mutated_seed, no_unexpected_finding, Failures, CORPORA,
};

#[test]
fn every_family_gives_the_generic_tests_seeds_and_dictionary_tokens() {
    assert_eq!(CORPORA.len(), FAMILIES.len());
    for corpus in CORPORA.iter() {
        let name = corpus.family.name;
        assert!(!corpus.seeds.is_empty(), "{name}: no seeds");
        assert!(corpus.tokens.len() >= 10, "{name}: {} dictionary tokens", corpus.tokens.len());
    }
}

#[test]
fn hostile_inputs_never_panic_nor_give_an_undeclared_finding() {
    let mut failures = Failures::default();
    let mut runs = 0;
    for corpus in CORPORA.iter() {
        for (what, input) in hostile_inputs(corpus) {
            for target in corpus.family.targets {
                failures.check(support::check(target, &what, &input, &Expect::NoUnexpectedFinding));
                runs += 1;
            }
        }
    }
    assert!(runs > 1000, "only {runs} runs");
    failures.assert_none();
}

#[test]
fn seeds_give_no_finding_on_any_target() {
    for corpus in CORPORA.iter() {
        for (name, seed) in &corpus.seeds {
            for target in corpus.family.targets {
                assert_verdict(target, name, seed, &Expect::NoFinding);
            }
        }
    }
}

#[test]
fn the_support_module_reads_what_its_formats_say() {
    assert_eq!(hex("00 ff\n7A").unwrap(), [0x00, 0xff, 0x7a]);
    assert!(hex("0").is_err() && hex("zz").is_err());
    assert_eq!(support::escape(b"a\"\n\xff\xc3\xa9"), r#""a\"\n\xffé""#);

    let family = FAMILIES[0];
    let target = &family.targets[0];
    let wrong = match target.check(b"\xff").status() {
        "clean" => Expect::Rejected(None),
        _ => Expect::Clean,
    };
    let message = support::check(target, "the case", b"\xff", &wrong).unwrap_err();
    for part in [target.name, "\"the case\"", &format!("expected {wrong}"), r#"input: "\xff""#] {
        assert!(message.contains(part), "{part} not in {message}");
    }

    let table = format!(
        "[[case]]\nname = \"a\"\ninput_hex = \"61 62\"\n{} = \"rejected: x\"\n\
         [[case]]\nname = \"b\"\nparts = [[\"ab\", 2], [\"c\", 1]]\nmore = 1\n",
        target.name
    );
    let cases: Vec<support::Case<toml::Table>> = support::parse(family, &table).unwrap();
    assert_eq!((cases[0].input.as_slice(), cases[1].input.as_slice()), (&b"ab"[..], &b"ababc"[..]));
    assert_eq!(cases[0].stated(target), Some(&Expect::Rejected(Some("x".into()))));
    assert_eq!(cases[1].fields.get("more").and_then(|v| v.as_integer()), Some(1));

    let bad = [
        "[[case]]\nname = \"a\"\n",
        "[[case]]\nname = \"a\"\ninput = \"x\"\ninput_hex = \"78\"\n",
        "[[case]]\nname = \"a\"\ninput = \"x\"\n[[case]]\nname = \"a\"\ninput = \"y\"\n",
        "[[case]]\nname = \"a\"\ninput_hex = \"7\"\n",
    ];
    for text in bad {
        assert!(support::parse::<toml::Table>(family, text).is_err(), "{text}");
    }
    let other = FAMILIES[1].targets[0].name;
    let text = format!("[[case]]\nname = \"a\"\ninput = \"x\"\n{other} = \"clean\"\n");
    assert!(support::parse::<toml::Table>(family, &text).is_err(), "another family's target");
    let text = format!("[[case]]\nname = \"a\"\ninput = \"x\"\n{} = \"fine\"\n", target.name);
    assert!(support::parse::<toml::Table>(family, &text).is_err(), "not a verdict");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    #[test]
    fn arbitrary_bytes_give_no_undeclared_finding(input in prop::collection::vec(any::<u8>(), 0..512)) {
        for family in FAMILIES {
            no_unexpected_finding(family, &input)?;
        }
    }

    #[test]
    fn mutated_seeds_give_no_undeclared_finding((family, input) in mutated_seed()) {
        no_unexpected_finding(CORPORA[family].family, &input)?;
    }
}
