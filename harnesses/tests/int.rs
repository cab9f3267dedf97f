//! The integer twins and targets: both twins' exact answers as a table
//! (`testdata/int/answers.toml`), the hardened parse against `str::parse`
//! for all twelve widths on arbitrary text and near every bound (the
//! property the family's differential stands for), the big-integer round
//! trip, the CPython digit limit, the length product, and the hardened
//! twin's step guarantee.

mod support;

use gauntlet_harnesses::int::{
    attacks, int_hardened, int_vulnerable, reference, reference::canonical, FAMILY, HARDENED,
    VULNERABLE,
};
use gauntlet_harnesses::manifest::Expect;
use gauntlet_harnesses::{Kind, Verdict};
use gauntlet_targets::int::hardened::{self, Limits, STEPS_BASE, STEPS_PER_BYTE};
use gauntlet_targets::int::{vulnerable, Answer, Error, ErrorKind, Width};
use gauntlet_targets::meter::Meter;
use proptest::prelude::*;
use serde::Deserialize;
use support::{load, run_table};

/// The int family's own fields of the answers table.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    /// What the vulnerable twin answers.
    vulnerable: String,
    /// What the hardened twin answers.
    hardened: String,
}

/// An answer as the table writes it.
fn show(result: &Result<Answer, Error>) -> String {
    match result {
        Ok(Answer::Fixed { result, .. }) => result.to_string(),
        Ok(Answer::Alloc(a)) => format!("alloc {}", a.bytes),
        Ok(Answer::Big(b)) => b.text.clone(),
        Err(e) => format!("error: {}", e.kind.name()),
    }
}

#[test]
fn both_twins_answer_as_the_table_says() {
    let cases = load::<Fields>(&FAMILY, "answers");
    assert!(cases.len() >= 40);
    run_table(
        &FAMILY,
        &cases,
        |c| c.input.clone(),
        |case, target| {
            let answer = if target.name == VULNERABLE.name {
                &case.fields.vulnerable
            } else {
                &case.fields.hardened
            };
            Some(match answer.strip_prefix("error: ") {
                Some(kind) => Expect::Rejected(Some(kind.to_owned())),
                None => Expect::Clean,
            })
        },
        |case, input, failures| {
            for (twin, (result, _), wanted) in [
                ("vulnerable", int_vulnerable(input), &case.fields.vulnerable),
                ("hardened", int_hardened(input), &case.fields.hardened),
            ] {
                if show(&result) != *wanted {
                    failures.push(&case.name, format!("{twin}: {result:?}, expected {wanted}"));
                }
            }
        },
    );
}

/// The hardened parse and `str::parse` on `text` in every width.
fn agree(text: &str) -> Result<(), TestCaseError> {
    for w in Width::ALL {
        let theirs = reference(w, text);
        let mine = hardened::parse(text.as_bytes(), w, 0, &mut Meter::unlimited())
            .map(|v| (v.negative(), v.magnitude()))
            .map_err(|e| e.kind.int_error_kind());
        let mine = mine.map_err(|k| k.expect("a parse error is an IntErrorKind"));
        prop_assert_eq!(&mine, &theirs, "{:?} as {}", text, w);
    }
    Ok(())
}

/// Text near a bound of some width: the bound's magnitude moved by a
/// little, with a sign and leading zeros or not.
fn near_bounds() -> impl Strategy<Value = String> {
    (0..Width::ALL.len(), any::<bool>(), -3i32..=3, 0..3usize, 0..4usize).prop_map(
        |(w, low, delta, sign, zeros)| {
            let w = Width::ALL[w];
            let bound = if low { w.min_magnitude() } else { w.max_magnitude() };
            let m = if delta < 0 {
                bound.saturating_sub(delta.unsigned_abs().into()).to_string()
            } else if bound == u128::MAX && delta > 0 {
                // Past u128::MAX: 2^128 + delta − 1, as text.
                format!("34028236692093846346337460743176821145{}", 5 + delta)
            } else {
                (bound + delta as u128).to_string()
            };
            let sign = ["", "-", "+"][if low { 1 } else { sign }];
            format!("{sign}{}{m}", "0".repeat(zeros))
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn hardened_parse_is_str_parse_on_arbitrary_text(text in any::<String>()) {
        agree(&text)?;
    }

    #[test]
    fn hardened_parse_is_str_parse_on_decimal_text(text in "[+-]?[0-9 x]{0,45}") {
        agree(&text)?;
    }

    #[test]
    fn hardened_parse_is_str_parse_near_every_bound(text in near_bounds()) {
        agree(&text)?;
    }

    #[test]
    fn the_differential_target_agrees_on_every_operation(
        op in prop::sample::select(vec!["parse", "abs", "neg", "narrow"]),
        from in 0..12usize,
        to in 0..12usize,
        text in prop_oneof![near_bounds(), "[+-]?[0-9]{0,40}"],
    ) {
        let (from, to) = (Width::ALL[from], Width::ALL[to]);
        let line = match op {
            "narrow" => format!("narrow {from} {to} {text}"),
            _ => format!("{op} {from} {text}"),
        };
        let v = FAMILY.targets[2].check(line.as_bytes());
        prop_assert!(v.finding().is_none(), "{}: {:?}", line, v);
        // The vulnerable twin, when it answers, is right or reported.
        let (result, _) = int_vulnerable(line.as_bytes());
        let verdict = VULNERABLE.check(line.as_bytes());
        if let (Ok(Answer::Fixed { result, .. }), Ok(Answer::Fixed { result: exact, .. })) =
            (&result, &int_hardened(line.as_bytes()).0)
        {
            prop_assert_eq!(result != exact, verdict.finding().is_some(), "{}", line);
        }
    }

    #[test]
    fn big_integers_print_back_without_leading_zeros(
        sign in prop::sample::select(vec!["", "-", "+"]),
        zeros in 0..20usize,
        digits in "[0-9]{1,3000}",
    ) {
        let text = format!("{sign}{}{digits}", "0".repeat(zeros));
        let line = format!("big {text}");
        let raised = Limits::default().with_max_digits(usize::MAX);
        let mine = hardened::run_with(line.as_bytes(), &raised, &mut Meter::unlimited());
        let expected = canonical(text.as_bytes(), &raised).unwrap();
        prop_assert_eq!(show(&mine), expected.clone());
        if text.len() <= 600 {
            let theirs = vulnerable::run(line.as_bytes(), &mut Meter::unlimited());
            prop_assert_eq!(show(&theirs), expected);
        }
    }

    #[test]
    fn the_length_product_is_undersized_exactly_when_it_wraps(
        count in prop_oneof![any::<u32>(), 0..70_000u32],
        size in prop_oneof![any::<u32>(), 0..70_000u32],
        limit in any::<u32>(),
    ) {
        let line = format!("alloc {count} {size} {limit}");
        let product = u64::from(count) * u64::from(size);
        let wrapped = count.wrapping_mul(size);
        let v = VULNERABLE.check(line.as_bytes());
        let undersized = product > u64::from(u32::MAX) && wrapped <= limit;
        prop_assert_eq!(
            v.finding().map(|f| (f.kind, f.cwe)),
            undersized.then_some((Kind::UndersizedAllocation, 680)),
            "{}", line
        );
        let (h, _) = int_hardened(line.as_bytes());
        match h {
            Ok(Answer::Alloc(a)) => prop_assert_eq!(a.bytes, product),
            Err(Error { kind: ErrorKind::PosOverflow { .. }, .. }) => {
                prop_assert!(product > u64::from(u32::MAX))
            }
            Err(Error { kind: ErrorKind::OverLimit { .. }, .. }) => {
                prop_assert!(product > u64::from(limit))
            }
            other => prop_assert!(false, "{:?}", other),
        }
    }
}

#[test]
fn the_digit_limit_is_cpythons_by_default_and_configurable() {
    assert_eq!(Limits::default().max_digits, 4300);
    let at = attacks::big_digits(4300);
    let past = attacks::big_digits(4301);
    assert!(matches!(HARDENED.check(&at), Verdict::Clean { .. }));
    let refused = hardened::run(&past, &mut Meter::unlimited()).unwrap_err();
    assert_eq!(refused.kind, ErrorKind::DigitLimit { digits: 4301, limit: 4300 });
    assert_eq!(refused.to_string(), "digit limit: 4301 digits exceed the limit of 4300 at byte 4");
    // The sign is not a digit; leading zeros are.
    assert!(hardened::run(
        format!("big -{}", "7".repeat(4300)).as_bytes(),
        &mut Meter::unlimited()
    )
    .is_ok());
    assert!(hardened::run(
        format!("big 0{}", "7".repeat(4300)).as_bytes(),
        &mut Meter::unlimited()
    )
    .is_err());
    // The refusal reads no digit.
    let mut meter = Meter::unlimited();
    let _ = hardened::run(&attacks::big_digits(100_000), &mut meter);
    assert_eq!(meter.cost().steps, 0);
    // Configured lower and higher.
    let ten = Limits::default().with_max_digits(10);
    assert!(hardened::run_with(b"big 12345678901", &ten, &mut Meter::unlimited()).is_err());
    let raised = Limits::default().with_max_digits(200_000);
    let mut meter = Meter::unlimited();
    let big = hardened::run_with(&attacks::big_digits(100_000), &raised, &mut meter).unwrap();
    let Answer::Big(big) = big else { panic!("{big:?}") };
    assert_eq!(big.text.len(), 100_000);
    assert_eq!(big.limbs, 100_000usize.div_ceil(9));
}

#[test]
fn the_hardened_twin_keeps_its_step_guarantee() {
    let raised = Limits::default().with_max_digits(usize::MAX);
    let mut inputs: Vec<Vec<u8>> = attacks::BENIGN.iter().map(|l| l.as_bytes().to_vec()).collect();
    for attack in (FAMILY.attacks)() {
        inputs.extend([1, 100, 10_000, 100_000].map(|n| attack.input(n)));
    }
    let dir = support::root().join(FAMILY.reproducers_dir());
    for entry in std::fs::read_dir(dir).unwrap() {
        inputs.push(std::fs::read(entry.unwrap().path()).unwrap());
    }
    for input in &inputs {
        let mut meter = Meter::unlimited();
        let _ = hardened::run_with(input, &raised, &mut meter);
        let cost = meter.cost();
        let n = input.len() as u64;
        assert!(cost.steps <= STEPS_PER_BYTE * n + STEPS_BASE, "{cost} for {n} bytes");
        assert!(cost.memory <= n * 3 / 2 + 16, "{cost} for {n} bytes");
    }
}

#[test]
fn the_vulnerable_conversion_is_quadratic_and_caught_early() {
    // About n²/9.6 limb operations: a finding from about 140 digits on.
    let first =
        (1..1000).find(|&n| VULNERABLE.check(&attacks::big_digits(n)).finding().is_some()).unwrap();
    assert!((100..200).contains(&first), "{first}");
    let f = VULNERABLE.check(&attacks::big_digits(100_000));
    let f = f.finding().unwrap();
    assert_eq!((f.kind, f.cwe), (Kind::SuperlinearTime, 407));
    assert!(f.summary.contains("fuse tripped"), "{}", f.summary);
    // The fuse stops it at four times the bound: linear in the line.
    assert!(f.cost.steps <= 4 * gauntlet_harnesses::int::bound(100_004) + 100_000);
}
