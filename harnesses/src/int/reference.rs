//! The integer family's differential oracle: the hardened twin against
//! Rust's own integers.
//!
//! On every line that names a fixed-width operation (`parse`, `abs`, `neg`,
//! `narrow`), the operand's text is parsed by the hardened twin and by
//! `str::parse` into **each of the twelve types**: the two must give the
//! same value or an error of the same `IntErrorKind` ([`reference()`]).
//! The operation's own answer is then compared with std's: `checked_abs`
//! (the identity on unsigned types), `checked_neg` and `try_from`, an
//! overflow being `PosOverflow` or `NegOverflow` by the sign of the exact
//! result. On `alloc`, the three operands are `u32`s by `str::parse` and
//! the product `u32::checked_mul`; on `big`, the printed text must be the
//! input without leading zeros (and `-0` is `0`), and, up to 38 digits,
//! what `i128`'s `Display` prints.
//!
//! Every reference here is one pass over the text (twelve for the widths),
//! so the harness is not DoS-able: O(n) for an n-byte line. A line that is
//! not UTF-8 is given to `str::parse` lossily: each invalid sequence
//! becomes U+FFFD, an invalid digit in the same place, so the first error
//! from the left is the same.

use std::num::IntErrorKind;

use gauntlet_targets::int::hardened::{self, Limits};
use gauntlet_targets::int::{Answer, Big, Error, ErrorKind, Op, Value, Width};
use gauntlet_targets::meter::Meter;

use super::{int_hardened, oracle, DIFFERENTIAL};
use crate::verdict::{Finding, Kind, Verdict};

/// What std answers for a text in one width: the value's sign and
/// magnitude, or the error kind.
pub type StdParse = Result<(bool, u128), IntErrorKind>;

/// `text.parse::<T>()` for the `T` of `width`, as sign and magnitude.
#[allow(clippy::unnecessary_cast)]
pub fn reference(width: Width, text: &str) -> StdParse {
    macro_rules! parse {
        ($($s:ident => $st:ty),*; $($u:ident => $ut:ty),*) => {
            match width {
                $(Width::$s => text.parse::<$st>().map(|v| (v < 0, (v as i128).unsigned_abs())),)*
                $(Width::$u => text.parse::<$ut>().map(|v| (false, v as u128)),)*
            }
        };
    }
    let parsed = parse!(I8 => i8, I16 => i16, I32 => i32, I64 => i64, I128 => i128,
        Isize => isize; U8 => u8, U16 => u16, U32 => u32, U64 => u64, U128 => u128,
        Usize => usize);
    parsed.map_err(|e| *e.kind())
}

/// std's bounds of `width`: the magnitudes of `T::MIN` and `T::MAX`.
fn std_bounds(width: Width) -> (u128, u128) {
    macro_rules! bounds {
        ($($w:ident => $t:ty),*) => {
            match width {
                $(Width::$w => ((<$t>::MIN as i128).unsigned_abs(), <$t>::MAX as u128),)*
            }
        };
    }
    bounds!(I8 => i8, I16 => i16, I32 => i32, I64 => i64, I128 => i128, Isize => isize,
        U8 => u8, U16 => u16, U32 => u32, U64 => u64, U128 => u128, Usize => usize)
}

/// A sign and magnitude in `width` by std's bounds, or the overflow kind.
fn fit(width: Width, negative: bool, magnitude: u128) -> StdParse {
    let (min, max) = std_bounds(width);
    match (negative && magnitude != 0, magnitude) {
        (true, m) if m > min => Err(IntErrorKind::NegOverflow),
        (false, m) if m > max => Err(IntErrorKind::PosOverflow),
        (negative, m) => Ok((negative, m)),
    }
}

/// A twin's value or error in the shape of [`StdParse`].
fn ours(result: Result<Value, Error>) -> Result<Result<(bool, u128), IntErrorKind>, String> {
    match result {
        Ok(v) => Ok(Ok((v.negative(), v.magnitude()))),
        Err(e) => e.kind.int_error_kind().map(Err).ok_or_else(|| e.to_string()),
    }
}

/// The first disagreement between the hardened twin and std on `input`:
/// `(location, summary)`.
pub fn compare(input: &[u8], result: &Result<Answer, Error>) -> Option<(&'static str, String)> {
    let op = Op::decode(input).ok()?;
    if let Some((width, text)) = op.fixed() {
        let lossy = String::from_utf8_lossy(text);
        for w in Width::ALL {
            let theirs = reference(w, &lossy);
            let mine = ours(hardened::parse(text, w, 0, &mut Meter::unlimited()));
            if mine != Ok(theirs) {
                let summary = format!("{lossy:?} as {w}: hardened {mine:?}, str::parse {theirs:?}");
                return Some(("str-parse", summary));
            }
        }
        let parsed = reference(width, &lossy);
        let expected = parsed.and_then(|(negative, magnitude)| match op {
            Op::Abs(..) => fit(width, false, magnitude),
            Op::Neg(..) => fit(width, !negative, magnitude),
            Op::Narrow(_, to, _) => fit(to, negative, magnitude),
            _ => Ok((negative, magnitude)),
        });
        let mine = match result {
            Ok(Answer::Fixed { result, .. }) => Ok(Ok((result.negative(), result.magnitude()))),
            Ok(other) => Err(format!("{other:?}")),
            Err(e) => e.kind.int_error_kind().map(Err).ok_or_else(|| e.to_string()),
        };
        return (mine != Ok(expected))
            .then(|| ("checked-ops", format!("{lossy:?}: hardened {mine:?}, std {expected:?}")));
    }
    match op {
        Op::Alloc(count, size, limit) => {
            let parse = |t: &[u8]| String::from_utf8_lossy(t).parse::<u32>();
            let expected = match (parse(count), parse(size), parse(limit)) {
                (Err(e), ..) | (_, Err(e), _) | (.., Err(e)) => Sized::Refused(*e.kind()),
                (Ok(c), Ok(s), Ok(l)) => match c.checked_mul(s) {
                    None => Sized::Overflow,
                    Some(bytes) if bytes > l => Sized::OverLimit,
                    Some(bytes) => Sized::Bytes(u64::from(bytes)),
                },
            };
            let mine = match result {
                Ok(Answer::Alloc(a)) => Sized::Bytes(a.bytes),
                Err(e) if matches!(e.kind, ErrorKind::OverLimit { .. }) => Sized::OverLimit,
                // The product's overflow is the only one once the operands
                // parsed.
                Err(e)
                    if matches!(e.kind, ErrorKind::PosOverflow { .. })
                        && !matches!(expected, Sized::Refused(_)) =>
                {
                    Sized::Overflow
                }
                Err(e) => e.kind.int_error_kind().map_or(Sized::Other, Sized::Refused),
                Ok(_) => Sized::Other,
            };
            (mine != expected).then(|| {
                ("length-product", format!("hardened {mine:?}, std checked_mul {expected:?}"))
            })
        }
        Op::Big(text) => {
            let expected = canonical(text, &Limits::default());
            let mine = match result {
                Ok(Answer::Big(Big { text, .. })) => Ok(text.clone()),
                Ok(other) => Err(format!("{other:?}")),
                Err(e) => Err(e.kind.name().to_owned()),
            };
            if mine != expected {
                let summary = format!("hardened {mine:?}, reference {expected:?}");
                return Some(("big-round-trip", summary));
            }
            let short = mine.as_ref().ok().filter(|t| t.len() <= 38)?;
            let via_i128 = short.parse::<i128>().map(|v| v.to_string());
            (via_i128.as_ref() != Ok(short))
                .then(|| ("big-round-trip", format!("hardened {short:?}, i128 {via_i128:?}")))
        }
        _ => None,
    }
}

/// What a length check answers.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Sized {
    /// The buffer's size.
    Bytes(u64),
    /// The product does not fit a `u32`.
    Overflow,
    /// The product is over the limit.
    OverLimit,
    /// An operand is not a `u32`.
    Refused(IntErrorKind),
    /// Anything else (a bug).
    Other,
}

/// What a big integer's text must print as: the sign (`-` only before a
/// non-zero number) and the digits without leading zeros; or the name of
/// the error kind (`empty`, `invalid digit`, `digit limit`).
pub fn canonical(text: &[u8], limits: &Limits) -> Result<String, String> {
    let (negative, digits) = match text {
        [] => return Err("empty".into()),
        [b'+' | b'-'] => return Err("invalid digit".into()),
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, text),
    };
    if digits.len() > limits.max_digits {
        return Err("digit limit".into());
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return Err("invalid digit".into());
    }
    let significant = &digits[digits.iter().position(|&b| b != b'0').unwrap_or(digits.len())..];
    Ok(match (negative, significant) {
        (_, []) => "0".to_owned(),
        (true, s) => format!("-{}", String::from_utf8_lossy(s)),
        (false, s) => String::from_utf8_lossy(s).into_owned(),
    })
}

/// The differential target: the hardened twin's verdict (its oracles
/// first), or a [`Kind::DifferentialMismatch`] finding (CWE-436) where it
/// disagrees with std.
pub fn run_differential(input: &[u8]) -> Verdict {
    let (result, meter) = int_hardened(input);
    if let Some(v) = oracle::oracles(DIFFERENTIAL.name, input, &result, &meter) {
        return v;
    }
    if let Some((location, summary)) = compare(input, &result) {
        let f = Finding::of(DIFFERENTIAL.name, Kind::DifferentialMismatch, location);
        return f.verdict(summary, meter.cost());
    }
    oracle::verdict(DIFFERENTIAL.name, input, &result, &meter)
}
