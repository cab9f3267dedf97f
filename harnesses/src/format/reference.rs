//! The format family's differential oracle: the hardened twin against
//! Rust's `format!` ([`reference()`]) on the part of the mini-language the
//! two share — fill (from a fixed set), `<` `>` `^`, `+`, `#` with `x` `o`
//! `b`, sign-aware zero padding, width and precision taken at run time
//! (`width$`, `precision$`), integer types `d` `x` `o` `b`, float types `e`
//! `f`, and strings with a precision. Every field of a formatted template
//! whose value is a scalar is compared, after nested spec fields were
//! substituted; a field outside the subset is an [`Exception`], never a
//! finding. The vulnerable twin, where it finishes too, must give the same
//! text.
//!
//! The reference is bounded: a width or precision above 65,535 (where
//! `core::fmt` panics) is an [`Exception::Limit`] before `format!` is
//! called; the hardened twin refuses those anyway.

use gauntlet_targets::format::{Scalar, Spec};

use super::{format_hardened, format_vulnerable, oracle, DIFFERENTIAL};
use crate::kit;
use crate::verdict::{Finding, Kind, Verdict};

/// The places Python's mini-language and Rust's `format!` differ: a field
/// that falls in one is not compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exception {
    /// `,` and `_` grouping: Rust has none.
    Grouping,
    /// The ` ` sign: Rust has no space flag.
    SpaceSign,
    /// `=` alignment with a fill: Rust's only sign-aware padding is `0`.
    SignAwareFill,
    /// `0` with an explicit fill or alignment: Python pads with `0` on the
    /// side the alignment says (`{:<05}` of 5 is `50000`); Rust ignores
    /// the alignment and pads sign-aware (`00005`).
    ZeroWithAlign,
    /// `0` on a string: Python pads with `0` on the right, Rust ignores
    /// the flag.
    ZeroString,
    /// A negative integer in `x`, `o` or `b`: Python writes sign and
    /// magnitude (`-0x7`), Rust the two's complement.
    TwosComplement,
    /// `e` with sign-aware zero padding: Python's exponent is `e+00`, two
    /// digits at least with a sign, Rust's `e0`; the reference rewrites the
    /// exponent, which would move Rust's padding.
    ExponentForm,
    /// A type or flag Rust does not share: `X` (Rust writes `0xFF`), `E`,
    /// `F`, `g`, `G`, `%`, `c`, `n`, no type on a float (Python's `repr`),
    /// `#` on a decimal or a float.
    OtherType,
    /// A fill character outside [`FILLS`]: Rust's fill is part of the
    /// format string, fixed at compile time.
    CompileTimeFill,
    /// A width or precision above 65,535: `core::fmt` panics.
    Limit,
}

/// The fill characters the reference can ask `format!` for.
pub const FILLS: &[char] = &[' ', '*', '0', '-', '.', '_', '#', 'x', '='];

macro_rules! radix {
    ($v:expr, $w:expr, $zero:expr, $plus:expr, $alt:expr, $t:literal) => {
        match ($zero, $plus, $alt) {
            (true, true, true) => format!(concat!("{:+#0w$", $t, "}"), $v, w = $w),
            (true, true, false) => format!(concat!("{:+0w$", $t, "}"), $v, w = $w),
            (true, false, true) => format!(concat!("{:#0w$", $t, "}"), $v, w = $w),
            (true, false, false) => format!(concat!("{:0w$", $t, "}"), $v, w = $w),
            (false, true, true) => format!(concat!("{:+#", $t, "}"), $v),
            (false, true, false) => format!(concat!("{:+", $t, "}"), $v),
            (false, false, true) => format!(concat!("{:#", $t, "}"), $v),
            (false, false, false) => format!(concat!("{:", $t, "}"), $v),
        }
    };
}

macro_rules! float {
    ($v:expr, $w:expr, $p:expr, $zero:expr, $plus:expr, $t:literal) => {
        match ($zero, $plus) {
            (true, true) => format!(concat!("{:+0w$.p$", $t, "}"), $v, w = $w, p = $p),
            (true, false) => format!(concat!("{:0w$.p$", $t, "}"), $v, w = $w, p = $p),
            (false, true) => format!(concat!("{:+.p$", $t, "}"), $v, p = $p),
            (false, false) => format!(concat!("{:.p$", $t, "}"), $v, p = $p),
        }
    };
}

macro_rules! fill {
    ($b:expr, $w:expr, $align:expr, $f:literal) => {
        match $align {
            '<' => format!(concat!("{:", $f, "<w$}"), $b, w = $w),
            '^' => format!(concat!("{:", $f, "^w$}"), $b, w = $w),
            _ => format!(concat!("{:", $f, ">w$}"), $b, w = $w),
        }
    };
}

/// Rust's exponent `e-5` as Python's `e-05`.
fn python_exponent(s: &str) -> String {
    match s.split_once('e') {
        Some((m, e)) => {
            let e: i32 = e.parse().unwrap_or(0);
            format!("{m}e{}{:02}", if e < 0 { '-' } else { '+' }, e.unsigned_abs())
        }
        None => s.to_owned(),
    }
}

/// What Rust's `format!` makes of `value` under `spec`, or the
/// [`Exception`] that keeps the field out of the comparison.
pub fn reference(value: Scalar, spec: &Spec) -> Result<String, Exception> {
    const MAX: u64 = u16::MAX as u64;
    if spec.width.unwrap_or(0) > MAX || spec.precision.unwrap_or(0) > MAX {
        return Err(Exception::Limit);
    }
    if spec.grouping.is_some() {
        return Err(Exception::Grouping);
    }
    if spec.sign == Some(' ') {
        return Err(Exception::SpaceSign);
    }
    if spec.align == Some('=') {
        return Err(Exception::SignAwareFill);
    }
    if spec.zero && (spec.align.is_some() || spec.fill.is_some()) {
        return Err(Exception::ZeroWithAlign);
    }
    let fill = spec.fill.unwrap_or(' ');
    if !FILLS.contains(&fill) {
        return Err(Exception::CompileTimeFill);
    }
    let w = spec.width.unwrap_or(0) as usize;
    let plus = spec.sign == Some('+');
    let zero = spec.zero && spec.width.is_some();
    let float_ty = |x: f64, p: usize| match spec.ty {
        Some('f') => Ok(float!(x, w, p, zero, plus, "")),
        Some('e') if zero => Err(Exception::ExponentForm),
        Some('e') => Ok(python_exponent(&float!(x, w, p, false, plus, "e"))),
        _ => Err(Exception::OtherType),
    };
    let body = match value {
        Scalar::Str(s) => {
            if spec.zero {
                return Err(Exception::ZeroString);
            }
            match spec.precision {
                Some(p) => format!("{:.p$}", s, p = p as usize),
                None => s.to_owned(),
            }
        }
        Scalar::Int(v) if matches!(spec.ty, Some('e' | 'f')) => {
            if spec.alternate {
                return Err(Exception::OtherType);
            }
            float_ty(v as f64, spec.precision.unwrap_or(6) as usize)?
        }
        Scalar::Int(v) => {
            let alt = spec.alternate;
            match spec.ty {
                None | Some('d') if !alt => radix!(v, w, zero, plus, false, ""),
                Some('x' | 'o' | 'b') if v < 0 => return Err(Exception::TwosComplement),
                Some('x') => radix!(v, w, zero, plus, alt, "x"),
                Some('o') => radix!(v, w, zero, plus, alt, "o"),
                Some('b') => radix!(v, w, zero, plus, alt, "b"),
                _ => return Err(Exception::OtherType),
            }
        }
        Scalar::Float(x) => {
            if spec.alternate {
                return Err(Exception::OtherType);
            }
            float_ty(x, spec.precision.unwrap_or(6) as usize)?
        }
    };
    if zero && !matches!(value, Scalar::Str(_)) {
        return Ok(body);
    }
    let align = spec.align.unwrap_or(if matches!(value, Scalar::Str(_)) { '<' } else { '>' });
    Ok(match fill {
        '*' => fill!(body, w, align, "*"),
        '0' => fill!(body, w, align, "0"),
        '-' => fill!(body, w, align, "-"),
        '.' => fill!(body, w, align, "."),
        '_' => fill!(body, w, align, "_"),
        '#' => fill!(body, w, align, "#"),
        'x' => fill!(body, w, align, "x"),
        '=' => fill!(body, w, align, "="),
        _ => fill!(body, w, align, " "),
    })
}

/// The differential target: the hardened twin under its oracles, then
/// every scalar field against [`reference()`], then the vulnerable twin's
/// text where both finish. The reference is linear in the output: one
/// `format!` a field, bounded by [`Exception::Limit`].
pub fn run_differential(input: &[u8]) -> Verdict {
    let target = DIFFERENTIAL.name;
    let (result, meter) = format_hardened(input);
    if let Some(v) = oracle::oracles(target, input.len(), &result, &meter) {
        return v;
    }
    let cost = meter.cost();
    let formatted = match result {
        Ok(f) => f,
        Err(e) => return kit::rejected(e, &meter),
    };
    let mut mismatch = None;
    for field in &formatted.fields {
        let Some(value) = field.value else { continue };
        let Ok(expected) = reference(value, &field.spec) else { continue };
        let got = &formatted.text[field.range.clone()];
        if got != expected {
            mismatch = Some(format!(
                "{value:?} under {:?}: the hardened twin wrote {got:?}, format! {expected:?}",
                field.spec
            ));
            break;
        }
    }
    if mismatch.is_none() {
        if let (Ok(v), _) = format_vulnerable(input) {
            if v.text != formatted.text {
                mismatch = Some(format!(
                    "the vulnerable twin wrote {:?}, the hardened one {:?}",
                    v.text, formatted.text
                ));
            }
        }
    }
    if let Some(summary) = mismatch {
        let f = Finding::of(target, Kind::DifferentialMismatch, "hardened-vs-format");
        return f.verdict(summary, cost);
    }
    Verdict::Clean { cost }
}
