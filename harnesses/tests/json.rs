//! The JSON twins on the family's attacks, the oracles' verdicts, and the
//! hardened twin's limits and errors.

use gauntlet_harnesses::guard::deep;
use gauntlet_harnesses::json::{
    attacks, documents, exact_integer, fuse_for, number_overflow, reference, DIFFERENTIAL,
    HARDENED, VULNERABLE,
};
use gauntlet_harnesses::{Kind, Verdict};
use gauntlet_targets::json::{
    djbx33a, hardened, probe_bound, vulnerable, ErrorKind, NumberValue, Value,
};
use gauntlet_targets::meter::{Fuse, Meter};

fn hardened_error(input: &[u8]) -> gauntlet_targets::json::Error {
    hardened::parse(input, &mut Meter::default()).expect_err("hardened refuses")
}

fn vulnerable_parse(input: &[u8]) -> Result<Value, gauntlet_targets::json::Error> {
    let input = input.to_vec();
    deep(move || vulnerable::parse(&input, &mut Meter::default()))
}

#[test]
fn a_bracket_flood_is_unbounded_recursion_for_vulnerable_and_a_depth_error_for_hardened() {
    let input = attacks::bracket_flood(100_000);
    let f = VULNERABLE.check(&input);
    let f = f.finding().expect("a finding");
    assert_eq!((f.kind, f.cwe), (Kind::UnboundedRecursion, 674));
    assert_eq!(f.cost.depth, Fuse::DEPTH);

    let e = hardened_error(&input);
    assert_eq!(e.kind, ErrorKind::DepthLimit { depth: 129, limit: 128 });
    assert_eq!(e.offset, 128);
    let Verdict::Rejected { reason, cost } = HARDENED.check(&input) else { panic!("not rejected") };
    assert!(reason.starts_with("depth limit: "), "{reason}");
    assert_eq!(cost.depth, 128);
    assert_eq!(DIFFERENTIAL.check(&input).status(), "rejected");
}

#[test]
fn a_deep_object_nest_is_the_same_story() {
    let input = attacks::object_nest(5_000);
    let f = VULNERABLE.check(&input);
    assert_eq!(f.finding().map(|f| f.kind), Some(Kind::UnboundedRecursion));
    let e = hardened_error(&input);
    assert_eq!(e.kind, ErrorKind::DepthLimit { depth: 129, limit: 128 });
    assert_eq!(e.offset, 128 * 5, "the 129th '{{'");
}

#[test]
fn nesting_up_to_the_limit_is_accepted_and_serde_json_stops_one_short() {
    for n in [127, 128] {
        let input = attacks::nested_arrays(n);
        let mut meter = Meter::default();
        let v = hardened::parse(&input, &mut meter).expect("within the limit");
        assert_eq!((v.depth(), meter.cost().depth), (n, n as u64));
        assert_eq!(HARDENED.check(&input).status(), "clean");
        // The depth-128 exception: serde_json refuses exactly 128.
        assert_eq!(reference(&input).is_ok(), n == 127, "serde_json at {n}");
        assert_eq!(DIFFERENTIAL.check(&input).status(), "clean", "{n}");
        assert_eq!(VULNERABLE.check(&input).status(), "clean", "{n}");
    }
    let input = attacks::nested_arrays(129);
    assert!(reference(&input).is_err());
    assert_eq!(DIFFERENTIAL.check(&input).status(), "rejected");
}

#[test]
fn colliding_keys_all_share_one_hash() {
    let keys = attacks::colliding_keys(1000);
    assert_eq!(keys.len(), 1000);
    let mut unique = keys.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 1000);
    assert!(keys.iter().all(|k| k.len() == 20), "ten blocks count to 1000");
    let h = djbx33a(keys[0].as_bytes());
    assert!(keys.iter().all(|k| djbx33a(k.as_bytes()) == h));
    assert_eq!(attacks::colliding_keys(1), ["Ez"]);
    assert_eq!(attacks::colliding_keys(4), ["EzEz", "EzFY", "FYEz", "FYFY"]);
}

#[test]
fn colliding_keys_are_quadratic_for_vulnerable_and_linear_for_hardened() {
    let mut previous = 0;
    for n in [128, 256, 512, 1024] {
        let input = attacks::colliding_object(n);
        let mut meter = Meter::unlimited();
        let v = vulnerable::parse(&input, &mut meter).expect("parses");
        assert!(matches!(&v, Value::Object(m) if m.len() == n));
        let probes = meter.cost().probes;
        // Twice the keys, four times the probes (n²/2 plus the rehashes).
        if previous > 0 {
            assert!(probes >= 4 * previous - 4 * n as u64, "n={n}: {probes} after {previous}");
        }
        assert!(probes as usize >= n * (n - 1) / 2, "n={n}: {probes}");
        previous = probes;

        let mut meter = Meter::unlimited();
        let h = hardened::parse(&input, &mut meter).expect("parses");
        assert_eq!(h, v, "the same members, in the same order");
        let cost = meter.cost();
        assert_eq!(cost.probes, n as u64, "one probe per lookup");
        assert_eq!(cost.steps, n as u64 + 1, "one step per value");
        assert!(cost.probes <= probe_bound(cost.steps));
    }
}

#[test]
fn the_cost_oracle_reports_hash_collision_for_the_vulnerable_twin_only() {
    for n in [256, 4096] {
        let input = attacks::colliding_object(n);
        let f = VULNERABLE.check(&input);
        let f = f.finding().unwrap_or_else(|| panic!("no finding for {n} keys"));
        assert_eq!((f.kind, f.cwe), (Kind::HashCollision, 407));
        assert!(f.cost.probes > probe_bound(f.cost.steps), "{}", f.summary);
        assert_eq!(HARDENED.check(&input).status(), "clean");
        assert_eq!(DIFFERENTIAL.check(&input).status(), "clean");
    }
    // At 4096 keys the fuse stops the flood: the whole decision is linear.
    let input = attacks::colliding_object(4096);
    let f = VULNERABLE.check(&input);
    let f = f.finding().unwrap();
    assert_eq!(f.cost.probes, fuse_for(input.len()).probes + 1, "{}", f.summary);
    assert!(f.summary.contains("fuse tripped"), "{}", f.summary);
    // The same number of keys that spread over the buckets: clean.
    let spread = attacks::spread_object(4096);
    assert_eq!(VULNERABLE.check(&spread).status(), "clean");
}

#[test]
fn a_benign_megabyte_is_clean_on_every_target() {
    let doc = documents::benign(1 << 20);
    assert!(doc.len() >= 1 << 20);
    for t in [&VULNERABLE, &HARDENED, &DIFFERENTIAL] {
        let v = t.check(&doc);
        assert_eq!(v.status(), "clean", "{}: {v:?}", t.name);
    }
    let mut meter = Meter::default();
    let value = hardened::parse(&doc, &mut meter).unwrap();
    let cost = meter.cost();
    assert!(cost.steps < doc.len() as u64 / 4, "{cost}");
    assert!(cost.probes < cost.steps, "{cost}");
    assert_eq!(cost.depth, 3);
    let mut meter = Meter::default();
    assert_eq!(vulnerable::parse(&doc, &mut meter).unwrap(), value);
    assert!(meter.cost().probes <= probe_bound(meter.cost().steps), "{}", meter.cost());
}

#[test]
fn numbers_that_overflow_are_findings_and_exact_ones_are_not() {
    let overflow = [
        ("1e400", "float-saturation"),
        ("-1e400", "float-saturation"),
        ("9223372036854775808", "integer-accumulation"),
        ("18446744073709551615", "integer-accumulation"),
        ("[0, {\"a\": 123456789012345678901234567890}]", "integer-accumulation"),
    ];
    for (input, location) in overflow {
        let v = VULNERABLE.check(input.as_bytes());
        let f = v.finding().unwrap_or_else(|| panic!("{input}: {v:?}"));
        assert_eq!((f.kind, f.cwe, f.location.as_str()), (Kind::IntegerOverflow, 190, location));
        assert_ne!(HARDENED.check(input.as_bytes()).status(), "finding", "{input}");
    }
    let exact = ["-0", "-0.0", "0", "9223372036854775807", "-9223372036854775808", "007", "1e308"];
    for input in exact {
        assert_eq!(VULNERABLE.check(input.as_bytes()).status(), "clean", "{input}");
    }
    // Exactly what the vulnerable twin wrote down for 2^63.
    let Ok(Value::Number(n)) = vulnerable_parse(b"9223372036854775808") else { panic!() };
    assert_eq!(n.value(), NumberValue::NegInt(i64::MIN));
    assert!(number_overflow(&n).is_some());
    assert_eq!(exact_integer("-0"), Some(0));
    assert_eq!(exact_integer("1.0"), None);
}

#[test]
fn hardened_numbers_are_classified_like_serde_json_and_keep_their_literal() {
    let cases: [(&str, NumberValue); 8] = [
        ("0", NumberValue::PosInt(0)),
        ("-0", NumberValue::Float(-0.0)),
        ("18446744073709551615", NumberValue::PosInt(u64::MAX)),
        ("-9223372036854775808", NumberValue::NegInt(i64::MIN)),
        ("-9223372036854775809", NumberValue::Float(-9223372036854775808.0)),
        ("18446744073709551616", NumberValue::Float(18446744073709551616.0)),
        ("1E+2", NumberValue::Float(100.0)),
        ("1e-400", NumberValue::Float(0.0)),
    ];
    for (literal, want) in cases {
        let Ok(Value::Number(n)) = hardened::parse(literal.as_bytes(), &mut Meter::default())
        else {
            panic!("{literal}")
        };
        assert_eq!(n.value(), want, "{literal}");
        assert_eq!(n.literal(), literal);
        assert_eq!(DIFFERENTIAL.check(literal.as_bytes()).status(), "clean", "{literal}");
    }
    let hundred = "1".repeat(100);
    let Ok(Value::Number(n)) = hardened::parse(hundred.as_bytes(), &mut Meter::default()) else {
        panic!()
    };
    assert_eq!(n.literal(), hundred, "the exact literal survives");
    assert_eq!(n.value(), NumberValue::Float(hundred.parse().unwrap()));
}

#[test]
fn duplicate_keys_are_last_wins_in_vulnerable_and_refused_by_hardened() {
    let input = br#"{"role": "user", "name": "x", "role": "admin"}"#;
    let v = vulnerable_parse(input).unwrap();
    assert_eq!(v.get("role"), Some(&Value::String("admin".into())));
    assert!(matches!(&v, Value::Object(m) if m.len() == 2 && m[0].0 == "role"));
    assert_eq!(VULNERABLE.check(input).status(), "clean");

    let e = hardened_error(input);
    assert_eq!((e.kind, e.offset), (ErrorKind::DuplicateKey { key: "role".into() }, 30));
    let Verdict::Rejected { reason, .. } = DIFFERENTIAL.check(input) else { panic!() };
    assert!(reason.contains("duplicate key") && reason.contains("duplicate-keys"), "{reason}");

    // Past the small-object scan, through the hash index: escapes are
    // compared unescaped.
    let mut big = String::from("{");
    for i in 0..100 {
        big.push_str(&format!("\"k{i}\": {i}, "));
    }
    big.push_str("\"k\\u0037\": 0}");
    let e = hardened_error(big.as_bytes());
    assert_eq!(e.kind, ErrorKind::DuplicateKey { key: "k7".into() });
    assert_eq!(e.offset, big.rfind('"').unwrap() - 8, "the opening quote");
}

#[test]
fn strings_are_strict_in_hardened_and_lossy_in_vulnerable() {
    let cases: [(&[u8], ErrorKind, usize); 7] = [
        (br#"["\ud800"]"#, ErrorKind::LoneSurrogate { unit: 0xd800 }, 2),
        (br#"["\udc00\ud800"]"#, ErrorKind::LoneSurrogate { unit: 0xdc00 }, 2),
        (br#"["\ud800\u0041"]"#, ErrorKind::LoneSurrogate { unit: 0xd800 }, 2),
        (b"[\"a\xffb\"]", ErrorKind::InvalidUtf8, 3),
        (b"[\"a\tb\"]", ErrorKind::ControlCharacter { byte: b'\t' }, 3),
        (br#"["\x"]"#, ErrorKind::InvalidEscape { byte: b'x' }, 2),
        (br#"["\u12G4"]"#, ErrorKind::InvalidHex { byte: b'G' }, 6),
    ];
    for (input, kind, offset) in cases {
        let e = hardened_error(input);
        assert_eq!((e.kind, e.offset), (kind, offset), "{}", String::from_utf8_lossy(input));
    }
    let lossy = [
        (&br#"["\ud800"]"#[..], "\u{fffd}"),
        (br#"["\ud800\u0041"]"#, "\u{fffd}A"),
        (b"[\"a\xffb\"]", "a\u{fffd}b"),
        (b"[\"a\tb\"]", "a\tb"),
    ];
    for (input, want) in lossy {
        let v = vulnerable_parse(input).unwrap();
        assert_eq!(v, Value::Array(vec![Value::String(want.into())]));
        assert_eq!(VULNERABLE.check(input).status(), "clean");
    }
    let v = hardened::parse(br#""\ud83d\ude00 \u00e9\/""#, &mut Meter::default()).unwrap();
    assert_eq!(v, Value::String("😀 é/".into()));
}

#[test]
fn hardened_limits_are_settings_with_their_own_errors() {
    let config = hardened::Config { depth_limit: 2, ..hardened::Config::default() };
    let mut meter = Meter::default();
    assert!(hardened::parse_with(&config, b"[[1]]", &mut meter).is_ok());
    let e = hardened::parse_with(&config, b"[[{}]]", &mut meter).unwrap_err();
    assert_eq!((e.kind, e.offset), (ErrorKind::DepthLimit { depth: 3, limit: 2 }, 2));

    let config = hardened::Config { number_digits_limit: 5, ..hardened::Config::default() };
    assert!(hardened::parse_with(&config, b"[1.2e-34]", &mut meter).is_ok());
    let e = hardened::parse_with(&config, b"[1, 12.3e-456]", &mut meter).unwrap_err();
    assert_eq!((e.kind, e.offset), (ErrorKind::NumberTooLong { digits: 5 + 1, limit: 5 }, 4));

    let config = hardened::Config { max_input_len: 4, ..hardened::Config::default() };
    assert!(hardened::parse_with(&config, b"true", &mut meter).is_ok());
    let e = hardened::parse_with(&config, b"false", &mut meter).unwrap_err();
    assert_eq!(e.kind, ErrorKind::InputTooLarge { len: 5, limit: 4 });

    let e = hardened_error(b"1e400");
    assert_eq!((e.kind, e.offset), (ErrorKind::NumberOutOfRange, 0));

    // The digit limit's exception in the differential: serde_json reads
    // 5,000 digits, the hardened twin does not.
    let long = "1".repeat(300) + "." + &"1".repeat(4_700);
    let Verdict::Rejected { reason, .. } = DIFFERENTIAL.check(long.as_bytes()) else { panic!() };
    assert!(reason.contains("number too long") && reason.contains("number-digits"), "{reason}");
}

#[test]
fn grammar_errors_name_the_rule_and_the_offset() {
    let cases: [(&str, ErrorKind, usize); 12] = [
        ("[1,]", ErrorKind::TrailingComma, 2),
        ("{\"a\":1 , }", ErrorKind::TrailingComma, 7),
        ("01", ErrorKind::LeadingZero, 0),
        ("[-00]", ErrorKind::LeadingZero, 2),
        ("-", ErrorKind::InvalidNumber, 1),
        ("1.", ErrorKind::InvalidNumber, 2),
        ("1e+", ErrorKind::InvalidNumber, 3),
        ("[1] x", ErrorKind::TrailingCharacters, 4),
        ("", ErrorKind::UnexpectedEnd { expected: "a value" }, 0),
        ("[1 2]", ErrorKind::UnexpectedByte { byte: b'2', expected: "',' or ']'" }, 3),
        ("{1:2}", ErrorKind::UnexpectedByte { byte: b'1', expected: "a string key or '}'" }, 1),
        ("tru", ErrorKind::UnexpectedEnd { expected: "true" }, 3),
    ];
    for (input, kind, offset) in cases {
        let e = hardened_error(input.as_bytes());
        assert_eq!((&e.kind, e.offset), (&kind, offset), "{input:?}");
        assert!(e.to_string().ends_with(&format!(" at byte {offset}")), "{e}");
    }
}

#[test]
fn findings_of_one_bug_share_a_signature() {
    let a = VULNERABLE.check(&attacks::bracket_flood(3000));
    let b = VULNERABLE.check(&attacks::object_nest(2500));
    assert_eq!(a.finding().unwrap().signature, b.finding().unwrap().signature);
    let a = VULNERABLE.check(&attacks::colliding_object(100));
    let b = VULNERABLE.check(&attacks::colliding_object(300));
    assert_eq!(a.finding().unwrap().signature, b.finding().unwrap().signature);
    let a = VULNERABLE.check(b"[99999999999999999999]");
    let b = VULNERABLE.check(b"{\"n\": -99999999999999999999}");
    let c = VULNERABLE.check(b"1e999");
    assert_eq!(a.finding().unwrap().signature, b.finding().unwrap().signature);
    assert_ne!(a.finding().unwrap().signature, c.finding().unwrap().signature);
}

#[test]
fn the_checked_in_colliding_keys_come_from_the_generator() {
    let path =
        concat!(env!("CARGO_MANIFEST_DIR"), "/../corpora/json/reproducers/colliding-keys.json");
    let committed = std::fs::read(path).expect("the reproducer is committed");
    assert_eq!(committed, attacks::colliding_object(256));
    let attack = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../corpora/json/reproducers/bracket-flood.json"
    ))
    .unwrap();
    assert_eq!(attack, attacks::bracket_flood(100_000));
}

#[test]
fn the_structural_mutator_builds_colliding_keys_and_long_numbers_in_one_step() {
    // A loop that keeps no corpus: every mutation starts from the same small
    // document. Colliding keys need no climbing: a product of neighbouring
    // blocks whose drawn offset happens to collide under the twin's hash;
    // nor does a number literal too long for the twin's integers.
    // (Deep nesting climbs, a doubling at a time, on libFuzzer's corpus.)
    use gauntlet_harnesses::json::mutate::mutate;
    let mut kinds = std::collections::BTreeMap::new();
    for seed in 0..20_000u32 {
        let Some(next) = mutate(b"[1]", 16_384, seed) else { continue };
        if let Verdict::Finding(f) = gauntlet_harnesses::json::VULNERABLE.check(&next) {
            kinds.entry(f.kind).or_insert(seed);
        }
    }
    for kind in [Kind::HashCollision, Kind::IntegerOverflow] {
        assert!(kinds.contains_key(&kind), "{kind} within 20,000 mutations: {kinds:?}");
    }
}
