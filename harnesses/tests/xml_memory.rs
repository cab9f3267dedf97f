//! Memory is a cost (issue 9), for the xml family: what the twins hold is
//! metered, deterministically; the hardened twin stays under the family's
//! memory bound on every document, the attacker's included; the vulnerable
//! twin's memory bomb is a finding.

use gauntlet_harnesses::xml::{
    attacks, parse_hardened, parse_vulnerable, HARDENED, MEMORY, VULNERABLE,
};
use gauntlet_harnesses::{Kind, Verdict};
use gauntlet_targets::meter::{Fuse, Meter};
use gauntlet_targets::xml::{hardened, vulnerable, Document, Error, ErrorKind, VirtualFs};
use proptest::prelude::*;

fn parse_with(config: hardened::Config, input: &[u8]) -> (Result<Document<'_>, Error>, Meter) {
    let mut meter = Meter::new(Fuse::unlimited());
    let result = hardened::parse_with(config, input, &mut VirtualFs::new(), &mut meter);
    (result, meter)
}

/// The attacker's documents: 15 KB, 111 KB and 326 KB. Before memory
/// counted, the hardened twin took them clean while holding 69 MB, 475 MB
/// and 1.39 GB (peak RSS).
const ATTACKS: [(usize, usize); 3] = [(370, 15_097), (2_730, 110_927), (8_030, 326_139)];

#[test]
fn the_attackers_memory_bombs_are_refused_by_hardened_and_found_in_vulnerable() {
    for (refs, len) in ATTACKS {
        let input = attacks::element_flood_entity(refs);
        assert_eq!(input.len(), len);
        let n = input.len();

        let (result, meter, _) = parse_hardened(&input);
        let e = result.expect_err("refused");
        let limit = hardened::Config::default().memory_limit(n);
        assert!(
            matches!(e.kind, ErrorKind::MemoryLimit { held, limit: l } if held > l && l == limit),
            "{refs}: {e}"
        );
        assert!(meter.cost().memory <= MEMORY.of(n), "{refs}: {}", meter.cost());
        let v = HARDENED.check(&input);
        assert!(
            matches!(&v, Verdict::Rejected { reason, .. } if reason.starts_with("memory limit"))
        );

        let v = VULNERABLE.check(&input);
        let f = v.finding().unwrap_or_else(|| panic!("{refs}: {v:?}"));
        assert_eq!(
            (f.kind, f.cwe, f.location.as_str()),
            (Kind::MemoryAmplification, 789, "parse-memory")
        );
        assert!(f.cost.memory > MEMORY.of(n), "{}", f.summary);
        assert!(f.summary.contains("(fuse tripped)"), "stopped at the memory fuse: {}", f.summary);
    }
}

#[test]
fn the_amplification_budget_counts_what_expansion_holds() {
    // With no memory limit to speak of, the budget alone refuses the bomb:
    // 2,000 events of 16 bytes per reference are charged on top of the
    // 4,020 bytes the references cost before memory counted.
    let free = hardened::Config { memory_base: u64::MAX / 2, ..Default::default() };
    for (refs, _) in ATTACKS {
        let input = attacks::element_flood_entity(refs);
        let (result, meter) = parse_with(free, &input);
        let e = result.expect_err("refused");
        let ErrorKind::Amplification { expanded, direct, limit } = e.kind else { panic!("{e}") };
        assert!(expanded > limit * direct, "{e}");
        // Refused after about a ninth of the references: 36 KB charged per
        // reference instead of 4 KB.
        let events = 2_000 * refs as u64;
        assert!(meter.cost().steps < events / 4, "{refs}: {}", meter.cost());
    }
    // The document is otherwise well-formed: a budget ten times as lenient
    // lets every reference through.
    let blind = hardened::Config { memory_base: u64::MAX / 2, amplification_limit: 1_000, ..free };
    let input = attacks::element_flood_entity(370);
    let (result, _) = parse_with(blind, &input);
    assert_eq!(result.expect("accepted").len(), 2 * 370_000 + 2);
}

#[test]
fn a_4mb_flood_of_empty_elements_stays_within_the_bound() {
    let input = attacks::element_flood(1_000_000);
    let n = input.len();
    assert_eq!(n, 4_000_008);
    for parse in [parse_hardened, parse_vulnerable] {
        let (result, meter, _) = parse(&input);
        assert_eq!(result.expect("well-formed").len(), 2_000_002);
        let memory = meter.cost().memory;
        // Two 16-byte events per 4 input bytes, in a vector that doubles:
        // at most 16 bytes per input byte, and a quarter and a sixteenth
        // more reserved up front for attributes and text; far under the
        // bound of 66.
        assert!(memory <= 16 * n as u64 + n as u64 / 2, "{memory}");
        assert!(memory <= MEMORY.of(n), "{memory}");
    }
    assert_eq!(HARDENED.check(&input).status(), "clean");
    assert_eq!(VULNERABLE.check(&input).status(), "clean");
}

#[test]
fn memory_is_metered_deterministically() {
    let inputs = [
        attacks::benign_document(100_000),
        attacks::element_flood_entity(370),
        attacks::element_flood(10_000),
        attacks::billion_laughs(4),
        attacks::quadratic_blowup(1_000, 1_000),
        b"<!DOCTYPE a [<!ENTITY e '<b x=\"&#38;amp;\">t</b>'>]><a>&e;&e;<?p d?><!--c--></a>"
            .to_vec(),
    ];
    for input in &inputs {
        let costs: Vec<_> = (0..3).map(|_| parse_hardened(input).1.cost()).collect();
        assert!(costs.iter().all(|c| *c == costs[0]), "{costs:?}");
        let costs: Vec<_> = (0..3).map(|_| parse_vulnerable(input).1.cost()).collect();
        assert!(costs.iter().all(|c| *c == costs[0]), "{costs:?}");
        assert!(costs[0].memory > 0);
    }
    // Same parser, same memory, wherever the policies agree.
    let input = attacks::benign_document(100_000);
    assert_eq!(parse_hardened(&input).1.cost().memory, parse_vulnerable(&input).1.cost().memory);
}

#[test]
fn the_meter_holds_what_the_result_holds() {
    // After a parse the meter holds the document (events, attributes,
    // buffer, DOCTYPE) and nothing of the parser's tables and stacks; after
    // a refusal, only the error's strings.
    let input = b"<!DOCTYPE r [<!ENTITY e 'x&amp;y'>]><r a='1'>&e;<b/></r>";
    let mut meter = Meter::default();
    let doc = vulnerable::parse(input, &mut VirtualFs::new(), &mut meter).unwrap();
    assert_eq!(doc.text(), "x&y");
    let held = meter.held();
    assert!(held >= 16 * doc.len() as u64 && held < meter.cost().memory, "{}", meter.cost());

    let mut meter = Meter::default();
    let e = vulnerable::parse(b"<abcdef></ghi>", &mut VirtualFs::new(), &mut meter).unwrap_err();
    assert_eq!(e.kind.name(), "syntax");
    assert_eq!(meter.held(), 9, "the two names in {e}");
}

#[test]
fn the_memory_limit_is_a_setting_with_its_own_error() {
    let defaults = hardened::Config::default();
    assert_eq!((defaults.memory_per_byte, defaults.memory_base), (64, 256 << 10));
    for n in [0, 1, 4_096, 1 << 20] {
        assert_eq!(defaults.memory_limit(n), 64 * n as u64 + (256 << 10));
        // The oracle's bound is the hardened twin's own guarantee: its limit
        // plus at most two bytes per input byte of error text.
        assert_eq!(MEMORY.of(n), defaults.memory_bound(n));
        assert_eq!(defaults.memory_bound(n), defaults.memory_limit(n) + 2 * n as u64);
    }

    let input = attacks::element_flood(1_000);
    let tight = hardened::Config { memory_per_byte: 0, memory_base: 1_000, ..defaults };
    let (result, meter) = parse_with(tight, &input);
    let e = result.unwrap_err();
    let ErrorKind::MemoryLimit { held, limit } = e.kind else { panic!("{e}") };
    assert_eq!(limit, 1_000);
    assert!(held > limit, "{e}");
    assert!(e.to_string().starts_with("memory limit: "), "{e}");
    // Refused before holding: the meter never saw more than the limit.
    assert!(meter.cost().memory <= limit, "{}", meter.cost());
    let roomy = hardened::Config { memory_per_byte: 17, memory_base: 0, ..defaults };
    assert!(parse_with(roomy, &input).0.is_ok());
}

/// Entity ladders whose leaves are markup: each level refers up to ten
/// times to the one below, the leaf repeats an element, an attribute, a
/// comment or text, and the root refers to the levels; a comment in the DTD
/// pads the document.
fn markup_bomb() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("<a/>"),
        Just("<a x='1' y='&#38;amp;'/>"),
        Just("<!---->"),
        Just("t"),
        Just("<a>t</a>"),
        Just("<?p?>")
    ];
    (leaf, 1..200usize, proptest::collection::vec(1..10usize, 0..5), 1..60usize, 0..4_000usize)
        .prop_map(|(leaf, repeat, levels, refs, padding)| {
            let mut s = format!("<!DOCTYPE r [<!ENTITY e0 \"{}\">", leaf.repeat(repeat));
            for (i, fan) in levels.iter().enumerate() {
                s.push_str(&format!("<!ENTITY e{} \"{}\">", i + 1, format!("&e{i};").repeat(*fan)));
            }
            s.push_str(&format!("<!--{}-->]><r>", "x".repeat(padding)));
            s.push_str(&format!("&e{};", levels.len()).repeat(refs));
            s.push_str("</r>");
            s
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn hardened_holds_no_more_than_the_bound_on_markup_bombs(doc in markup_bomb()) {
        let n = doc.len();
        let (_, meter, _) = parse_hardened(doc.as_bytes());
        prop_assert!(meter.cost().memory <= MEMORY.of(n), "{} > {}", meter.cost(), MEMORY.of(n));
        let v = HARDENED.check(doc.as_bytes());
        prop_assert!(v.finding().is_none(), "{:?}", v);
        // The vulnerable twin may find, but only what it declares.
        let v = VULNERABLE.check(doc.as_bytes());
        if let Some(f) = v.finding() {
            prop_assert!(VULNERABLE.is_expected(f.kind), "{}", f.summary);
        }
    }
}
