//! The format twins and targets: CPython's own results as a table
//! (`testdata/format/python.toml`), the benign reproducers formatted
//! identically by both twins, the hardened twin against Rust's `format!`
//! over generated specs (the property the family's differential stands
//! for), and the hardened twin's refusals of the attacks.

mod support;

use gauntlet_harnesses::format::{
    attacks, format_hardened, format_vulnerable, reference, FAMILY, HARDENED, VULNERABLE,
};
use gauntlet_harnesses::manifest::Expect;
use gauntlet_harnesses::{Kind, Verdict};
use gauntlet_targets::format::{ErrorKind, Scalar, Spec};
use proptest::prelude::*;
use serde::Deserialize;
use support::{run_table, Case};

/// The format family's own fields of the tables.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    /// What CPython's `str.format` printed.
    output: String,
}

#[test]
fn both_twins_format_as_cpython() {
    let text = include_str!("../testdata/format/python.toml");
    let cases: Vec<Case<Fields>> = support::parse(&FAMILY, text).unwrap();
    assert!(cases.len() >= 20);
    run_table(
        &FAMILY,
        &cases,
        |c| c.input.clone(),
        |_, _| Some(Expect::Clean),
        |case, input, failures| {
            for (twin, (result, _)) in
                [("vulnerable", format_vulnerable(input)), ("hardened", format_hardened(input))]
            {
                match result {
                    Ok(f) if f.text == case.fields.output => {}
                    other => failures.push(
                        &case.name,
                        format!("{twin}: {other:?}, CPython {:?}", case.fields.output),
                    ),
                }
            }
        },
    );
}

#[test]
fn benign_reproducers_format_identically_in_both_twins() {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
        .join(FAMILY.reproducers_dir());
    let mut seen = 0;
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if !name.starts_with("benign-") {
            continue;
        }
        let input = std::fs::read(&path).unwrap();
        let v = format_vulnerable(&input).0.unwrap();
        let h = format_hardened(&input).0.unwrap();
        assert_eq!(v, h, "{name}");
        seen += 1;
    }
    assert!(seen >= 4, "{seen} benign reproducers");
    for template in attacks::BENIGN {
        let v = format_vulnerable(template.as_bytes()).0.unwrap();
        assert_eq!(v, format_hardened(template.as_bytes()).0.unwrap(), "{template}");
    }
}

#[test]
fn the_hardened_twin_refuses_each_attack_by_its_rule() {
    let refused = |t: &[u8]| format_hardened(t).0.unwrap_err().kind;
    assert!(matches!(refused(&attacks::width(100)), ErrorKind::WidthLimit { .. }));
    assert!(matches!(refused(&attacks::nested(100)), ErrorKind::NestingLimit { depth: 3, .. }));
    assert!(matches!(refused(b"{:>65535}"), ErrorKind::OutputBudget { .. }));
    assert!(matches!(refused(b"{user.__class__}"), ErrorKind::PrivateName { .. }));
    assert!(matches!(refused(b"{event.handlers}"), ErrorKind::NotAllowed { .. }));
    let v = VULNERABLE.check(&attacks::nested(9000));
    assert_eq!(v.finding().map(|f| f.kind), Some(Kind::UnboundedRecursion));
    assert!(matches!(HARDENED.check(&attacks::nested(9000)), Verdict::Rejected { .. }));
    // The field record the twins hold per top-level field, as their docs say.
    assert!(std::mem::size_of::<gauntlet_targets::format::Field>() <= 128);
}

fn spec_text() -> impl Strategy<Value = String> {
    let fill = prop::sample::select(vec!["", " ", "*", "0", "-", "x", "~", "é"]);
    let align = prop::sample::select(vec!["", "<", ">", "^", "="]);
    let sign = prop::sample::select(vec!["", "+", "-", " "]);
    let alt = prop::sample::select(vec!["", "#"]);
    let zero = prop::sample::select(vec!["", "0"]);
    let width = prop::option::of(0u32..60);
    let grouping = prop::sample::select(vec!["", "", "", ",", "_"]);
    let precision = prop::option::of(0u32..30);
    let ty = prop::sample::select(vec!["", "d", "x", "o", "b", "e", "f", "s", "X", "g", "%"]);
    (fill, align, sign, alt, zero, width, grouping, precision, ty).prop_map(
        |(fill, align, sign, alt, zero, width, grouping, precision, ty)| {
            let fill = if align.is_empty() { "" } else { fill };
            let width = width.map(|w| w.to_string()).unwrap_or_default();
            let precision = precision.map(|p| format!(".{p}")).unwrap_or_default();
            format!("{fill}{align}{sign}{alt}{zero}{width}{grouping}{precision}{ty}")
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    /// On every generated spec, each field the hardened twin formats
    /// equals Rust's `format!` unless an `Exception` covers it.
    #[test]
    fn hardened_equals_format_on_the_shared_subset(arg in 0usize..4, spec in spec_text()) {
        let template = format!("{{{arg}:{spec}}}");
        let (result, _) = format_hardened(template.as_bytes());
        let Ok(formatted) = result else { return Ok(()) };
        let field = &formatted.fields[0];
        let parsed = Spec::parse(&spec).unwrap();
        prop_assert_eq!(field.spec, parsed);
        let value: Scalar = field.value.unwrap();
        if let Ok(expected) = reference(value, &field.spec) {
            prop_assert_eq!(&formatted.text, &expected, "{}", template);
        }
    }
}
