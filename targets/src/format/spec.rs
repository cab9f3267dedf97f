//! The format-spec mini-language, `[[fill]align][sign][#][0][width][,|_]
//! [.precision][type]`, and the rendering of a scalar under a spec, shared
//! by both twins: they differ in what they let a spec ask for (the
//! hardened twin's caps are checked by its engine rules before anything is
//! built), not in what a spec means.
//!
//! # Guarantees
//!
//! [`Spec::parse`] accepts exactly Python's grammar for the types the graph
//! holds (`str`, `int`, `float`) and reads width and precision up to
//! `i64::MAX` ([`ErrorKind::TooManyDigits`] above, as CPython's "Too many
//! decimal digits"). [`zeros`] is the part of [`body`]'s result that grows with
//! the precision, so a caller that charges it first has counted the bytes
//! before they exist.
//!
//! # Time complexity
//!
//! Parsing is O(s) in the spec's length. [`body`] is O(p + 330) for a
//! precision p (an `f64`'s digits and p − 1,100 appended zeros); padding is
//! O(w) for a width w.

use super::{ErrorKind, Scalar};

/// A value as a spec sees it: a scalar of the graph or a converted string.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Arg<'a> {
    /// A string.
    Str(&'a str),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
}

impl From<Scalar> for Arg<'static> {
    fn from(s: Scalar) -> Arg<'static> {
        match s {
            Scalar::Str(s) => Arg::Str(s),
            Scalar::Int(i) => Arg::Int(i),
            Scalar::Float(x) => Arg::Float(x),
        }
    }
}

/// A parsed spec.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Spec {
    /// The fill character, when one was given.
    pub fill: Option<char>,
    /// `<`, `>`, `^` or `=`, when given.
    pub align: Option<char>,
    /// `+`, `-` or ` `, when given.
    pub sign: Option<char>,
    /// `#`: the alternate form (a radix prefix).
    pub alternate: bool,
    /// `0` before the width: sign-aware zero padding.
    pub zero: bool,
    /// The minimum width in characters.
    pub width: Option<u64>,
    /// `,` or `_`: digit grouping.
    pub grouping: Option<char>,
    /// The precision.
    pub precision: Option<u64>,
    /// The presentation type.
    pub ty: Option<char>,
}

fn digits(s: &[char], i: &mut usize) -> Result<Option<u64>, ErrorKind> {
    let start = *i;
    let mut v: u64 = 0;
    while let Some(d) = s.get(*i).and_then(|c| c.to_digit(10)) {
        v = v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(d)))
            .filter(|&v| v <= i64::MAX as u64)
            .ok_or(ErrorKind::TooManyDigits)?;
        *i += 1;
    }
    Ok((*i > start).then_some(v))
}

impl Spec {
    /// Parses a spec (nested fields already substituted).
    pub fn parse(text: &str) -> Result<Spec, ErrorKind> {
        let s: Vec<char> = text.chars().collect();
        let mut spec = Spec::default();
        let mut i = 0;
        let is_align = |c: Option<&char>| matches!(c, Some('<' | '>' | '=' | '^'));
        if s.len() >= 2 && is_align(s.get(1)) {
            spec.fill = Some(s[0]);
            spec.align = Some(s[1]);
            i = 2;
        } else if is_align(s.first()) {
            spec.align = Some(s[0]);
            i = 1;
        }
        if let Some(&c @ ('+' | '-' | ' ')) = s.get(i) {
            spec.sign = Some(c);
            i += 1;
        }
        if s.get(i) == Some(&'#') {
            spec.alternate = true;
            i += 1;
        }
        if s.get(i) == Some(&'0') {
            spec.zero = true;
            i += 1;
        }
        spec.width = digits(&s, &mut i)?;
        if let Some(&c @ (',' | '_')) = s.get(i) {
            spec.grouping = Some(c);
            i += 1;
        }
        if s.get(i) == Some(&'.') {
            i += 1;
            spec.precision = Some(digits(&s, &mut i)?.ok_or(ErrorKind::InvalidSpec)?);
        }
        if let Some(&c) = s.get(i) {
            spec.ty = Some(c);
            i += 1;
        }
        if i != s.len() {
            return Err(ErrorKind::InvalidSpec);
        }
        Ok(spec)
    }
}

/// Past this many digits after the point an `f64` has only zeros (its exact
/// decimal expansion ends within 1,074 places; 767 significant digits).
const EXACT_DIGITS: u64 = 1_100;

/// The zeros [`body`] appends past an `f64`'s exact digits for `value`
/// under `spec`: what a caller charges before asking for the body, so that
/// a huge precision is counted before it is built. The rest of a body is
/// at most 1,600 bytes (309 integer digits, 1,100 decimals, grouping).
pub fn zeros(value: &Arg<'_>, spec: &Spec) -> u64 {
    match value {
        Arg::Str(_) => 0,
        _ => spec.precision.unwrap_or(0).saturating_sub(EXACT_DIGITS),
    }
}

/// A rendered value before padding: the sign and radix prefix (kept apart
/// for `=` alignment) and the digits.
pub struct Body {
    /// Sign and prefix (`-0x`).
    pub prefix: String,
    /// The rest.
    pub digits: String,
}

fn group(int: &str, sep: char, every: usize) -> String {
    let n = int.len();
    let mut out = String::with_capacity(n + n / every);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (n - i) % every == 0 {
            out.push(sep);
        }
        out.push(c);
    }
    out
}

fn sign_of(negative: bool, sign: Option<char>) -> &'static str {
    match (negative, sign) {
        (true, _) => "-",
        (false, Some('+')) => "+",
        (false, Some(' ')) => " ",
        _ => "",
    }
}

/// Python's exponent: `e+05`, at least two digits.
fn py_exponent(rust: &str, upper: bool) -> String {
    let (mantissa, exp) = rust.split_once('e').unwrap_or((rust, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let e = if upper { 'E' } else { 'e' };
    let sign = if exp < 0 { '-' } else { '+' };
    format!("{mantissa}{e}{sign}{:02}", exp.unsigned_abs())
}

fn fixed(x: f64, p: u64) -> String {
    let mut s = format!("{:.*}", p.min(EXACT_DIGITS) as usize, x);
    s.extend(std::iter::repeat_n('0', p.saturating_sub(EXACT_DIGITS) as usize));
    s
}

fn exponent(x: f64, p: u64, upper: bool) -> String {
    let mut s = format!("{:.*e}", p.min(EXACT_DIGITS) as usize, x);
    if p > EXACT_DIGITS {
        let at = s.find('e').unwrap_or(s.len());
        let zeros: String = std::iter::repeat_n('0', (p - EXACT_DIGITS) as usize).collect();
        s.insert_str(at, &zeros);
    }
    py_exponent(&s, upper)
}

fn strip_zeros(s: &str) -> String {
    let (m, e) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    };
    let m = if m.contains('.') { m.trim_end_matches('0').trim_end_matches('.') } else { m };
    format!("{m}{e}")
}

/// Python's `g`: `p` significant digits, fixed or scientific by the
/// exponent, trailing zeros stripped unless `alternate`.
fn general(x: f64, p: u64, upper: bool, alternate: bool, repr: bool) -> String {
    let p = p.max(1);
    // No type with a precision: scientific from an exponent of p - 1 on.
    let top = if repr { p as i64 - 1 } else { p as i64 };
    let sci = format!("{:.*e}", (p - 1).min(EXACT_DIGITS) as usize, x);
    let exp: i64 = sci.split_once('e').and_then(|(_, e)| e.parse().ok()).unwrap_or(0);
    let s = if -4 <= exp && exp < top {
        fixed(x, (p as i64 - 1 - exp) as u64)
    } else {
        exponent(x, p - 1, upper)
    };
    if alternate {
        s
    } else {
        strip_zeros(&s)
    }
}

/// Python's `repr` of a float, for the graph's values: Rust's shortest
/// round-trip digits, with `.0` on integral values.
pub fn float_repr(x: f64) -> String {
    if x.is_finite() && x == x.trunc() && x.abs() < 1e16 {
        format!("{x:.1}")
    } else {
        format!("{x}")
    }
}

fn float_body(x: f64, spec: &Spec) -> Result<Body, ErrorKind> {
    let upper = matches!(spec.ty, Some('E' | 'F' | 'G'));
    let neg = x.is_sign_negative();
    let a = x.abs();
    let mut digits = match spec.ty {
        Some('f' | 'F') => fixed(a, spec.precision.unwrap_or(6)),
        Some('e' | 'E') => exponent(a, spec.precision.unwrap_or(6), upper),
        Some('g' | 'G') => general(a, spec.precision.unwrap_or(6), upper, spec.alternate, false),
        Some('%') => fixed(a * 100.0, spec.precision.unwrap_or(6)) + "%",
        None => match spec.precision {
            None => float_repr(a),
            Some(p) => {
                let s = general(a, p, false, spec.alternate, true);
                if s.contains(['.', 'e']) {
                    s
                } else {
                    s + ".0"
                }
            }
        },
        _ => return Err(ErrorKind::UnsupportedSpec),
    };
    if spec.alternate && !digits.contains('.') && spec.ty.is_some() {
        let at = digits.find(['e', 'E', '%']).unwrap_or(digits.len());
        digits.insert(at, '.');
    }
    if let Some(sep) = spec.grouping {
        let end = digits.find(|c: char| !c.is_ascii_digit()).unwrap_or(digits.len());
        digits = group(&digits[..end], sep, 3) + &digits[end..];
    }
    Ok(Body { prefix: sign_of(neg, spec.sign).to_owned(), digits })
}

/// Renders `value` under `spec`, without padding.
pub fn body(value: &Arg<'_>, spec: &Spec) -> Result<Body, ErrorKind> {
    match *value {
        Arg::Str(s) => {
            if spec.sign.is_some() || spec.alternate || spec.grouping.is_some() {
                return Err(ErrorKind::UnsupportedSpec);
            }
            if !matches!(spec.ty, None | Some('s')) || spec.align == Some('=') {
                return Err(ErrorKind::UnsupportedSpec);
            }
            let digits = match spec.precision {
                Some(p) => s.chars().take(p.min(s.len() as u64) as usize).collect(),
                None => s.to_owned(),
            };
            Ok(Body { prefix: String::new(), digits })
        }
        Arg::Float(x) => float_body(x, spec),
        Arg::Int(v) => {
            if matches!(spec.ty, Some('e' | 'E' | 'f' | 'F' | 'g' | 'G' | '%')) {
                return float_body(v as f64, spec);
            }
            if spec.precision.is_some() {
                return Err(ErrorKind::UnsupportedSpec);
            }
            let m = v.unsigned_abs();
            let (radix, prefix) = match spec.ty {
                None | Some('d' | 'n') => (format!("{m}"), ""),
                Some('x') => (format!("{m:x}"), "0x"),
                Some('X') => (format!("{m:X}"), "0X"),
                Some('o') => (format!("{m:o}"), "0o"),
                Some('b') => (format!("{m:b}"), "0b"),
                Some('c') => {
                    if spec.sign.is_some() || spec.alternate || spec.grouping.is_some() {
                        return Err(ErrorKind::UnsupportedSpec);
                    }
                    let c = u32::try_from(v).ok().and_then(char::from_u32);
                    let c = c.ok_or(ErrorKind::UnsupportedSpec)?;
                    return Ok(Body { prefix: String::new(), digits: c.to_string() });
                }
                _ => return Err(ErrorKind::UnsupportedSpec),
            };
            let digits = match (spec.grouping, spec.ty) {
                (None, _) => radix,
                (Some(','), None | Some('d')) | (Some('_'), None | Some('d')) => {
                    group(&radix, spec.grouping.unwrap_or(','), 3)
                }
                (Some('_'), Some('x' | 'X' | 'o' | 'b')) => group(&radix, '_', 4),
                _ => return Err(ErrorKind::UnsupportedSpec),
            };
            let mut p = sign_of(v < 0, spec.sign).to_owned();
            if spec.alternate {
                p.push_str(prefix);
            }
            Ok(Body { prefix: p, digits })
        }
    }
}

/// The fill, the alignment and the number of fill characters `spec` asks
/// for around a body of `len` characters.
pub fn padding(value: &Arg<'_>, spec: &Spec, len: u64) -> (char, char, u64) {
    let numeric = !matches!(value, Arg::Str(_));
    let (mut fill, mut align) = (spec.fill.unwrap_or(' '), spec.align);
    if spec.zero && spec.fill.is_none() {
        fill = '0';
        if numeric && align.is_none() {
            align = Some('=');
        }
    }
    let align = align.unwrap_or(if numeric { '>' } else { '<' });
    (fill, align, spec.width.unwrap_or(0).saturating_sub(len))
}

/// The body padded: `pad` fill characters placed by `align`.
pub fn pad(body: Body, fill: char, align: char, pad: u64) -> String {
    let fills = |n: u64| std::iter::repeat_n(fill, n as usize);
    let mut out = String::new();
    match align {
        '<' => {
            out.push_str(&body.prefix);
            out.push_str(&body.digits);
            out.extend(fills(pad));
        }
        '^' => {
            out.extend(fills(pad / 2));
            out.push_str(&body.prefix);
            out.push_str(&body.digits);
            out.extend(fills(pad - pad / 2));
        }
        '=' => {
            out.push_str(&body.prefix);
            out.extend(fills(pad));
            out.push_str(&body.digits);
        }
        _ => {
            out.extend(fills(pad));
            out.push_str(&body.prefix);
            out.push_str(&body.digits);
        }
    }
    out
}
