//! Properties of the JSON family on generated documents: the hardened twin
//! agrees with serde_json (on documents, on damaged documents and on
//! serde_json's own output), stays within its stated costs, and no target
//! gives a finding of a kind it does not declare on damaged documents.

mod support;

use gauntlet_harnesses::adapters::prop_check;
use gauntlet_harnesses::guard::deep;
use gauntlet_harnesses::json::{difference, fuse_for, number_overflow, DIFFERENTIAL, FAMILY};
use gauntlet_targets::json::{hardened, probe_bound, vulnerable, Value};
use gauntlet_targets::meter::Meter;
use proptest::prelude::*;

/// Whitespace, mostly none.
fn ws() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => Just(String::new()),
        1 => "[ \t\r\n]{1,3}",
    ]
}

/// Number literals: grammatical ones of every shape, with the edges of i64,
/// u64 and f64 and digit runs long enough to overflow.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?(0|[1-9][0-9]{0,3})",
        "-?(0|[1-9][0-9]{0,30})(\\.[0-9]{1,30})?([eE][+-]?[0-9]{1,3})?",
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_filter("finite", |x| x.is_finite()).prop_map(|x| format!("{x:e}")),
        any::<f64>().prop_filter("finite", |x| x.is_finite()).prop_map(|x| format!("{x:?}")),
        Just("-0".to_owned()),
        Just("9223372036854775808".to_owned()),
        Just("-9223372036854775809".to_owned()),
        Just("18446744073709551616".to_owned()),
        Just("1e400".to_owned()),
        Just("2.2250738585072011e-308".to_owned()),
    ]
}

/// String literals with plain text, every escape, surrogate pairs, and now
/// and then a lone surrogate or a raw control character.
fn string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        6 => "[a-zA-Z0-9 ]{1,6}",
        1 => Just("é中😀".to_owned()),
        1 => Just("\\\"".to_owned()),
        1 => Just("\\\\".to_owned()),
        1 => Just("\\/".to_owned()),
        1 => Just("\\b\\f\\n\\r\\t".to_owned()),
        1 => "\\\\u00[0-7][0-9a-fA-F]",
        1 => "\\\\u[1-9a-c][0-9a-fA-F]{3}",
        1 => Just("\\ud83d\\ude00".to_owned()),
        1 => Just("\\ud800".to_owned()),
        1 => Just("\t".to_owned()),
    ];
    proptest::collection::vec(piece, 0..4).prop_map(|p| format!("\"{}\"", p.concat()))
}

/// Keys from a small set, so that duplicates come up.
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-h]".prop_map(|k| format!("\"{k}\"")),
        1 => Just("\"\\u0061\"".to_owned()),
        1 => string(),
    ]
}

/// Keys from a large set, for objects wide enough to need the hardened
/// twin's hash index; now and then two collide.
fn wide_key() -> impl Strategy<Value = String> {
    prop_oneof![
        20 => "k[0-9]{1,3}".prop_map(|k| format!("\"{k}\"")),
        1 => Just("\"k\\u0031\"".to_owned()),
    ]
}

/// JSON texts, nested a few levels, with whitespace between tokens.
fn document() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("null".to_owned()),
        Just("true".to_owned()),
        Just("false".to_owned()),
        number(),
        string(),
    ];
    let value = leaf.clone().prop_recursive(5, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec((ws(), inner.clone(), ws()), 0..6).prop_map(|items| {
                let items: Vec<String> =
                    items.into_iter().map(|(a, v, b)| format!("{a}{v}{b}")).collect();
                format!("[{}]", items.join(","))
            }),
            proptest::collection::vec((key(), ws(), inner.clone()), 0..8).prop_map(object),
            proptest::collection::vec((wide_key(), ws(), leaf.clone()), 12..40).prop_map(object),
        ]
    });
    (ws(), value, ws()).prop_map(|(a, v, b)| format!("{a}{v}{b}"))
}

fn object(members: Vec<(String, String, String)>) -> String {
    let members: Vec<String> =
        members.into_iter().map(|(k, w, v)| format!("{k}{w}:{w}{v}")).collect();
    format!("{{{}}}", members.join(","))
}

/// A document with a few bytes inserted, removed or replaced: mostly
/// ungrammatical, and the twins must still agree with serde_json on
/// refusing it.
fn damaged() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        Just(b','),
        Just(b']'),
        Just(b'}'),
        Just(b'['),
        Just(b'{'),
        Just(b'"'),
        Just(b'\\'),
        Just(b'0'),
        Just(b'-'),
        Just(b'.'),
        Just(b'e'),
        Just(b' '),
        Just(0x1f),
        Just(0xc3),
        Just(0xff),
        any::<u8>(),
    ];
    let edit = (any::<prop::sample::Index>(), 0..3u8, byte);
    (document(), proptest::collection::vec(edit, 1..4)).prop_map(|(doc, edits)| {
        let mut bytes = doc.into_bytes();
        for (at, op, b) in edits {
            let i = at.index(bytes.len() + 1);
            match op {
                0 => bytes.insert(i, b),
                1 if i < bytes.len() => {
                    bytes.remove(i);
                }
                _ if i < bytes.len() => bytes[i] = b,
                _ => bytes.push(b),
            }
        }
        bytes
    })
}

/// Arbitrary serde_json values.
fn serde_value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::Bool),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_filter("finite", |x| x.is_finite()).prop_map(serde_json::Value::from),
        any::<String>().prop_map(serde_json::Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::Array),
            proptest::collection::btree_map(any::<String>(), inner, 0..12)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

fn members(value: &Value) -> u64 {
    match value {
        Value::Array(items) => items.iter().map(members).sum(),
        Value::Object(m) => m.len() as u64 + m.iter().map(|(_, v)| members(v)).sum::<u64>(),
        _ => 0,
    }
}

fn overflows(value: &Value) -> bool {
    match value {
        Value::Number(n) => number_overflow(n).is_some(),
        Value::Array(items) => items.iter().any(overflows),
        Value::Object(m) => m.iter().any(|(_, v)| overflows(v)),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn the_differential_target_finds_nothing_on_documents(doc in document()) {
        prop_check(DIFFERENTIAL, doc.as_bytes())?;
    }

    #[test]
    fn no_target_gives_an_undeclared_finding_on_damaged_documents(doc in damaged()) {
        support::no_unexpected_finding(&FAMILY, &doc)?;
    }

    #[test]
    fn hardened_reads_serde_json_output_back_exactly(value in serde_value(), pretty in any::<bool>()) {
        let text = if pretty {
            serde_json::to_vec_pretty(&value).unwrap()
        } else {
            serde_json::to_vec(&value).unwrap()
        };
        let ours = hardened::parse(&text, &mut Meter::default()).map_err(|e| {
            TestCaseError::fail(format!("{e} in {}", String::from_utf8_lossy(&text)))
        })?;
        prop_assert_eq!(difference(&ours, &value), None);
    }

    #[test]
    fn hardened_costs_stay_within_their_bounds(doc in document()) {
        let mut meter = Meter::new(fuse_for(doc.len()));
        let result = hardened::parse(doc.as_bytes(), &mut meter);
        let cost = meter.cost();
        prop_assert!(cost.steps <= doc.len() as u64, "{} steps for {} bytes", cost.steps, doc.len());
        prop_assert!(cost.probes <= cost.steps, "{}", cost);
        prop_assert!(cost.probes <= probe_bound(cost.steps), "{}", cost);
        prop_assert!(cost.depth <= hardened::Config::DEPTH_LIMIT as u64);
        if let Ok(value) = result {
            prop_assert_eq!(cost.probes, members(&value), "one probe per member");
            prop_assert_eq!(cost.depth, value.depth() as u64);
        }
    }

    #[test]
    fn vulnerable_reads_what_hardened_reads_unless_a_number_overflows(doc in document()) {
        let Ok(ours) = hardened::parse(doc.as_bytes(), &mut Meter::default()) else {
            return Ok(());
        };
        let input = doc.clone();
        let theirs = deep(move || vulnerable::parse(input.as_bytes(), &mut Meter::default()));
        let theirs = theirs.map_err(|e| TestCaseError::fail(format!("vulnerable refuses: {e}")))?;
        if !overflows(&theirs) {
            // Numbers compared by literal: `-0` is the integer 0 for the
            // vulnerable twin, -0.0 for the hardened one, and both are exact.
            prop_assert_eq!(literals(&theirs), literals(&ours));
        }
    }
}

/// A value with each number replaced by its literal, for comparing readings.
fn literals(value: &Value) -> Value {
    match value {
        Value::Number(n) => Value::String(format!("#{}", n.literal())),
        Value::Array(items) => Value::Array(items.iter().map(literals).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, v)| (k.clone(), literals(v))).collect())
        }
        other => other.clone(),
    }
}
