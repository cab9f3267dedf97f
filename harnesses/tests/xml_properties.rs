//! Properties of the xml family on generated documents.

mod support;

use gauntlet_harnesses::adapters::prop_check;
use gauntlet_harnesses::xml::{
    bound, items, parse_hardened, parse_vulnerable, reference, Reference, DIFFERENTIAL, FAMILY,
};
use proptest::prelude::*;

/// Element and attribute names, some with a prefix or non-ASCII letters.
fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a".to_owned()),
        Just("b".to_owned()),
        Just("item".to_owned()),
        Just("x:y".to_owned()),
        Just("é-1.2".to_owned()),
        Just("_z".to_owned()),
    ]
}

/// Pieces of character data: plain text, whitespace and line ends,
/// references, CDATA, non-ASCII.
fn text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("text".to_owned()),
        Just(" ".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\r".to_owned()),
        Just("\t".to_owned()),
        Just("&amp;".to_owned()),
        Just("&lt;&gt;&quot;&apos;".to_owned()),
        Just("&#65;".to_owned()),
        Just("&#x263A;".to_owned()),
        Just("&#13;".to_owned()),
        Just("<![CDATA[<raw> & ]]>".to_owned()),
        Just("<![CDATA[]]>".to_owned()),
        Just("]x]".to_owned()),
        Just(">".to_owned()),
        Just("caf\u{e9} \u{2603}".to_owned()),
    ];
    proptest::collection::vec(piece, 0..5).prop_map(|v| v.concat())
}

fn attr_value() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("v".to_owned()),
        Just(" ".to_owned()),
        Just("\t".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("&amp;".to_owned()),
        Just("&lt;".to_owned()),
        Just("&#10;".to_owned()),
        Just("&#x9;".to_owned()),
        Just("&quot;".to_owned()),
        Just("'".to_owned()),
        Just(">".to_owned()),
        Just("\u{e9}".to_owned()),
    ];
    proptest::collection::vec(piece, 0..4).prop_map(|v| v.concat())
}

fn start_tag(name: &str, attrs: &[(String, String)], close: &str) -> String {
    let mut s = format!("<{name}");
    let mut seen = Vec::new();
    for (k, v) in attrs {
        if seen.contains(&k) {
            continue;
        }
        seen.push(k);
        s.push_str(&format!(" {k}=\"{}\"", v.replace('"', "&quot;")));
    }
    s.push_str(close);
    s
}

/// Well-formed elements nested a few levels, with comments and processing
/// instructions in content.
fn element() -> impl Strategy<Value = String> {
    let attrs = || proptest::collection::vec((name(), attr_value()), 0..3);
    let leaf = (name(), attrs(), text(), any::<bool>()).prop_map(|(n, a, t, empty)| {
        if empty {
            start_tag(&n, &a, "/>")
        } else {
            format!("{}{t}</{n}>", start_tag(&n, &a, ">"))
        }
    });
    leaf.prop_recursive(4, 32, 4, move |inner| {
        let child = prop_oneof![
            inner,
            text(),
            Just("<!-- note - here -->".to_owned()),
            Just("<?render mode='x'?>".to_owned()),
            Just("<?p?>".to_owned()),
        ];
        (name(), attrs(), proptest::collection::vec(child, 0..5))
            .prop_map(|(n, a, kids)| format!("{}{}</{n}>", start_tag(&n, &a, ">"), kids.concat()))
    })
}

/// A DOCTYPE-free document: optional declaration, misc, the root, misc.
fn document() -> impl Strategy<Value = String> {
    let misc = prop_oneof![
        Just(String::new()),
        Just("\n".to_owned()),
        Just("<!-- c -->\n".to_owned()),
        Just("<?pi data?>".to_owned()),
    ];
    let decl = prop_oneof![
        Just(String::new()),
        Just("<?xml version=\"1.0\"?>\n".to_owned()),
        Just("<?xml version='1.0' encoding='UTF-8' standalone='no'?>".to_owned()),
        Just("\u{feff}".to_owned()),
    ];
    (decl, misc.clone(), element(), misc).prop_map(|(d, m1, e, m2)| format!("{d}{m1}{e}{m2}"))
}

/// A document with an internal subset: `k` entities, each mixing text with
/// references to entities declared before it (no cycles) or, sometimes, to
/// any entity (cycles possible), used in content and attributes.
fn entity_document() -> impl Strategy<Value = String> {
    let value = proptest::collection::vec((0..4usize, 0..8usize, any::<bool>()), 0..12);
    let values = proptest::collection::vec(value, 1..8);
    let uses = proptest::collection::vec(0..8usize, 0..30);
    (values, uses, any::<bool>()).prop_map(|(values, uses, cyclic)| {
        let k = values.len();
        let mut s = String::from("<!DOCTYPE d [\n");
        for (i, parts) in values.iter().enumerate() {
            let mut v = String::new();
            for &(what, j, markup) in parts {
                match what {
                    0 if i > 0 || cyclic => {
                        let target = if cyclic { j % k } else { j % i.max(1) };
                        v.push_str(&format!("&e{target};"));
                    }
                    1 => v.push_str(&"x".repeat(j * 7)),
                    2 if markup => v.push_str("<m>y</m>"),
                    _ => v.push_str("&#38;amp;"),
                }
            }
            s.push_str(&format!("<!ENTITY e{i} \"{v}\">\n"));
        }
        s.push_str("]>\n<d>");
        for u in uses {
            s.push_str(&format!("&e{};", u % k));
        }
        s.push_str("</d>");
        s
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn hardened_agrees_with_quick_xml_and_the_vulnerable_twin(doc in document()) {
        let (h, meter, _) = parse_hardened(doc.as_bytes());
        let h = h.map_err(|e| TestCaseError::fail(format!("{e} in {doc:?}")))?;
        prop_assert_eq!(reference(doc.as_bytes()), Reference::Items(items(&h)), "{:?}", doc);
        let (v, _, _) = parse_vulnerable(doc.as_bytes());
        prop_assert_eq!(v.as_ref(), Ok(&h));
        // Without entities, output and steps never pass the input size.
        prop_assert!(meter.cost().bytes_out <= doc.len() as u64);
        prop_assert!(meter.cost().steps <= doc.len() as u64);
        let verdict = prop_check(DIFFERENTIAL, doc.as_bytes())?;
        prop_assert_eq!(verdict.status(), "clean");
    }

    #[test]
    fn the_differential_target_finds_nothing_in_damaged_documents(
        doc in document(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0..6usize), 1..4),
    ) {
        let mut bytes = doc.into_bytes();
        for (at, what) in edits {
            let i = at.index(bytes.len() + 1);
            let insert: &[u8] = [&b"<"[..], b"&", b"]]>", b"\"", b"</a>", b"\x01"][what];
            bytes.splice(i..i, insert.iter().copied());
        }
        prop_check(DIFFERENTIAL, &bytes)?;
    }

    #[test]
    fn hardened_stays_within_its_bound_and_no_target_gives_an_undeclared_finding(
        doc in entity_document(),
    ) {
        let (_, meter, _) = parse_hardened(doc.as_bytes());
        let cost = meter.cost();
        prop_assert!(cost.bytes_out <= bound(doc.len()), "{} > bound", cost.bytes_out);
        prop_assert!(cost.steps <= bound(doc.len()), "{} > bound", cost.steps);
        prop_assert!(cost.depth <= 2 + 20);
        support::no_unexpected_finding(&FAMILY, doc.as_bytes())?;
    }

    #[test]
    fn the_twins_agree_wherever_the_hardened_one_accepts(doc in entity_document()) {
        let (h, _, _) = parse_hardened(doc.as_bytes());
        if let Ok(h) = h {
            let (v, _, _) = parse_vulnerable(doc.as_bytes());
            prop_assert_eq!(v, Ok(h));
        }
    }
}
