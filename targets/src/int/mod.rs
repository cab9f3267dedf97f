//! Integer arithmetic on untrusted numbers: the integer family.
//!
//! # The story
//!
//! Every parser turns digits into numbers, and every binary-format reader
//! multiplies a count by a size before it allocates. Done with the machine's
//! wrapping arithmetic, each step is a classic mistake:
//!
//! - **Wrapping accumulation (CWE-190, CWE-191).** `acc = acc * 10 + d` in an
//!   `i32` turns `2147483648` into −2147483648 and `4294967296` in a `u32`
//!   into 0: a balance, a port or an index that passed every check as text
//!   becomes another number in memory. A `-` in front of an unsigned
//!   number wraps it to a huge one.
//! - **`abs` of the minimum (CWE-190).** −(−2147483648) does not fit an
//!   `i32`: `wrapping_abs` gives back −2147483648, still negative after a
//!   function whose whole promise is "not negative" (Rust's `i32::MIN.abs()`
//!   panics in debug builds and wraps in release; `checked_abs` is `None`).
//! - **Narrowing casts (CWE-681).** `value as u8` keeps the low byte: 300
//!   becomes 44, −1 becomes 255, for a protocol field that was checked in
//!   the wider type.
//! - **Wrapping length products (CWE-680).** `count * size <= limit` in
//!   32-bit arithmetic: 1,073,741,825 elements of 4 bytes make 4, which is
//!   under any limit, so the reader allocates 4 bytes and then writes four
//!   gigabytes into them — the integer overflow to buffer overflow of
//!   libpng, ImageMagick and every image decoder with a `width * height`.
//! - **Quadratic base conversion (CWE-407, CVE-2020-10735).** CPython
//!   converted decimal strings to its binary integers digit by digit, each
//!   digit multiplying the whole number by ten: O(n²) for n digits, the
//!   same to print it back. 400,000 digits took about 0.6 s to parse and
//!   1.9 s to print; a JSON body of a few hundred kilobytes held a CPU for
//!   seconds. Since 3.11 (and 3.10.7) CPython refuses more than 4,300 digits
//!   (`ValueError: Exceeds the limit (4300 digits)`, configurable with
//!   `sys.set_int_max_str_digits`).
//!
//! - [`vulnerable`]: wraps, casts with `as`, multiplies the length in 32
//!   bits and converts big integers through binary limbs with no digit
//!   limit;
//! - [`hardened`]: checked arithmetic with the error kinds of Rust's
//!   `IntErrorKind` (`-2147483648` is still an `i32`), `try_from`
//!   narrowing, a checked length product, and big integers in base-10⁹
//!   limbs, linear to parse and to print, behind a digit limit
//!   ([`hardened::Limits`], 4,300 by default, as CPython).
//!
//! # Input format
//!
//! One line (a single trailing `\n` is ignored) naming an operation and its
//! operands, separated by single spaces:
//!
//! - `parse TYPE TEXT` — TEXT as a decimal integer of TYPE;
//! - `abs TYPE TEXT`, `neg TYPE TEXT` — TEXT parsed as TYPE, then its
//!   absolute value or its negation in TYPE;
//! - `narrow FROM TO TEXT` — TEXT parsed as FROM, then converted to TO;
//! - `alloc COUNT SIZE LIMIT` — three `u32`s: the buffer a reader allocates
//!   for COUNT elements of SIZE bytes, at most LIMIT bytes;
//! - `big DIGITS` — a decimal integer of any length, optionally signed,
//!   parsed into a big integer and printed back.
//!
//! TYPE, FROM and TO are Rust's names: `i8` `i16` `i32` `i64` `i128`
//! `isize` `u8` `u16` `u32` `u64` `u128` `usize` ([`Width`]). TEXT is
//! every byte after the single space that follows the type, exactly as
//! given: signs, spaces, non-ASCII bytes and all, so ` 42` and `42 ` are
//! not numbers. A line that names no operation, or whose operands are
//! missing, is a [`ErrorKind::Syntax`] error.
//!
//! # What the twins return
//!
//! An [`Answer`]: the parsed operand and the result of a fixed-width
//! operation, the [`Allocation`] a reader would make, or the printed
//! [`Big`] integer; or an [`Error`] whose [`ErrorKind`] names the refusal.

pub mod big;
pub mod hardened;
pub mod vulnerable;

use std::fmt;

use crate::meter::Blown;

/// The twelve integer types of Rust.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Width {
    /// `i8`.
    I8,
    /// `i16`.
    I16,
    /// `i32`.
    I32,
    /// `i64`.
    I64,
    /// `i128`.
    I128,
    /// `isize`.
    Isize,
    /// `u8`.
    U8,
    /// `u16`.
    U16,
    /// `u32`.
    U32,
    /// `u64`.
    U64,
    /// `u128`.
    U128,
    /// `usize`.
    Usize,
}

impl Width {
    /// Every width, signed first.
    pub const ALL: [Width; 12] = [
        Width::I8,
        Width::I16,
        Width::I32,
        Width::I64,
        Width::I128,
        Width::Isize,
        Width::U8,
        Width::U16,
        Width::U32,
        Width::U64,
        Width::U128,
        Width::Usize,
    ];

    /// Rust's name for the type (`i32`).
    pub fn name(self) -> &'static str {
        match self {
            Width::I8 => "i8",
            Width::I16 => "i16",
            Width::I32 => "i32",
            Width::I64 => "i64",
            Width::I128 => "i128",
            Width::Isize => "isize",
            Width::U8 => "u8",
            Width::U16 => "u16",
            Width::U32 => "u32",
            Width::U64 => "u64",
            Width::U128 => "u128",
            Width::Usize => "usize",
        }
    }

    /// The width with this name.
    pub fn from_name(name: &[u8]) -> Option<Width> {
        Width::ALL.into_iter().find(|w| w.name().as_bytes() == name)
    }

    /// Bits in the type (`isize` and `usize` as this platform has them).
    pub fn bits(self) -> u32 {
        match self {
            Width::I8 | Width::U8 => 8,
            Width::I16 | Width::U16 => 16,
            Width::I32 | Width::U32 => 32,
            Width::I64 | Width::U64 => 64,
            Width::I128 | Width::U128 => 128,
            Width::Isize | Width::Usize => usize::BITS,
        }
    }

    /// Whether the type is signed.
    pub fn signed(self) -> bool {
        matches!(
            self,
            Width::I8 | Width::I16 | Width::I32 | Width::I64 | Width::I128 | Width::Isize
        )
    }

    /// The bits of the type set: `0xff` for `u8` and `i8`.
    pub fn mask(self) -> u128 {
        u128::MAX >> (128 - self.bits())
    }

    /// The magnitude of the largest value (`i32`: 2³¹ − 1).
    pub fn max_magnitude(self) -> u128 {
        if self.signed() {
            self.mask() >> 1
        } else {
            self.mask()
        }
    }

    /// The magnitude of the smallest value (`i32`: 2³¹; unsigned: 0).
    pub fn min_magnitude(self) -> u128 {
        if self.signed() {
            (self.mask() >> 1) + 1
        } else {
            0
        }
    }
}

impl fmt::Display for Width {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A value of one of the twelve types: its two's-complement bits in the
/// type's width, exactly what the machine holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Value {
    width: Width,
    bits: u128,
}

impl Value {
    /// The value of `width` whose bits are the low bits of `bits`: what
    /// `bits as T` gives.
    pub fn from_bits(width: Width, bits: u128) -> Value {
        Value { width, bits: bits & width.mask() }
    }

    /// The value of `width` with this sign and magnitude, if it is in the
    /// type's range.
    pub fn from_parts(width: Width, negative: bool, magnitude: u128) -> Option<Value> {
        if negative && magnitude != 0 {
            (magnitude <= width.min_magnitude())
                .then(|| Value::from_bits(width, magnitude.wrapping_neg()))
        } else {
            (magnitude <= width.max_magnitude()).then(|| Value::from_bits(width, magnitude))
        }
    }

    /// Its type.
    pub fn width(self) -> Width {
        self.width
    }

    /// Its bits, zero-extended.
    pub fn bits(self) -> u128 {
        self.bits
    }

    /// Its bits, sign-extended to 128 when the type is signed: the first
    /// half of an `as` cast.
    pub fn extended(self) -> u128 {
        if self.negative() {
            self.bits | !self.width.mask()
        } else {
            self.bits
        }
    }

    /// Whether it is below zero.
    pub fn negative(self) -> bool {
        self.width.signed() && (self.bits >> (self.width.bits() - 1)) & 1 == 1
    }

    /// Its absolute value, exactly (2³¹ for `i32::MIN`).
    pub fn magnitude(self) -> u128 {
        if self.negative() {
            self.extended().wrapping_neg()
        } else {
            self.bits
        }
    }
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.negative() {
            write!(f, "-{}", self.magnitude())
        } else {
            write!(f, "{}", self.bits)
        }
    }
}

/// An operation named by the input line, operands not yet parsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op<'a> {
    /// `parse TYPE TEXT`.
    Parse(Width, &'a [u8]),
    /// `abs TYPE TEXT`.
    Abs(Width, &'a [u8]),
    /// `neg TYPE TEXT`.
    Neg(Width, &'a [u8]),
    /// `narrow FROM TO TEXT`.
    Narrow(Width, Width, &'a [u8]),
    /// `alloc COUNT SIZE LIMIT`, each operand's text.
    Alloc(&'a [u8], &'a [u8], &'a [u8]),
    /// `big DIGITS`.
    Big(&'a [u8]),
}

impl<'a> Op<'a> {
    /// Reads the input line (see the module docs). Both twins read it this
    /// way; they differ in what they do with the operands.
    pub fn decode(input: &'a [u8]) -> Result<Op<'a>, Error> {
        let line = input.strip_suffix(b"\n").unwrap_or(input);
        let syntax = |offset: usize, what: &'static str| Error::at(ErrorKind::Syntax(what), offset);
        let (name, rest) = split(line).ok_or_else(|| syntax(0, "expected an operation"))?;
        let at = name.len() + 1;
        let width = |text: &[u8], offset: usize| {
            Width::from_name(text).ok_or_else(|| syntax(offset, "expected an integer type"))
        };
        match name {
            b"parse" | b"abs" | b"neg" => {
                let (ty, text) = split(rest).ok_or_else(|| syntax(at, "expected TYPE TEXT"))?;
                let ty = width(ty, at)?;
                Ok(match name {
                    b"parse" => Op::Parse(ty, text),
                    b"abs" => Op::Abs(ty, text),
                    _ => Op::Neg(ty, text),
                })
            }
            b"narrow" => {
                let (from, rest) =
                    split(rest).ok_or_else(|| syntax(at, "expected FROM TO TEXT"))?;
                let at_to = at + from.len() + 1;
                let (to, text) =
                    split(rest).ok_or_else(|| syntax(at_to, "expected FROM TO TEXT"))?;
                Ok(Op::Narrow(width(from, at)?, width(to, at_to)?, text))
            }
            b"alloc" => {
                let (count, rest) =
                    split(rest).ok_or_else(|| syntax(at, "expected COUNT SIZE LIMIT"))?;
                let (size, limit) =
                    split(rest).ok_or_else(|| syntax(at, "expected COUNT SIZE LIMIT"))?;
                Ok(Op::Alloc(count, size, limit))
            }
            b"big" => Ok(Op::Big(rest)),
            _ => Err(syntax(0, "unknown operation")),
        }
    }

    /// The fixed-width text and its type, for `parse`, `abs`, `neg` and
    /// `narrow` (the type parsed into first).
    pub fn fixed(&self) -> Option<(Width, &'a [u8])> {
        match *self {
            Op::Parse(w, t) | Op::Abs(w, t) | Op::Neg(w, t) | Op::Narrow(w, _, t) => Some((w, t)),
            Op::Alloc(..) | Op::Big(_) => None,
        }
    }

    /// Where the operand text starts in the input line.
    pub fn text_offset(&self, input: &[u8]) -> usize {
        let text = match *self {
            Op::Parse(_, t) | Op::Abs(_, t) | Op::Neg(_, t) | Op::Narrow(_, _, t) => t,
            Op::Alloc(c, _, _) => c,
            Op::Big(d) => d,
        };
        (text.as_ptr() as usize).saturating_sub(input.as_ptr() as usize)
    }
}

/// The word before the first space and everything after that space.
fn split(line: &[u8]) -> Option<(&[u8], &[u8])> {
    let space = line.iter().position(|&b| b == b' ')?;
    Some((&line[..space], &line[space + 1..]))
}

/// What a twin answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// A fixed-width operation: the operand as parsed and the result
    /// (the same value for `parse`).
    Fixed {
        /// TEXT as the twin parsed it.
        operand: Value,
        /// The operation's result.
        result: Value,
    },
    /// The buffer a reader allocates.
    Alloc(Allocation),
    /// A big integer, printed back.
    Big(Big),
}

/// The buffer a binary-format reader allocates for `count` elements of
/// `size` bytes. The twins compute it; nothing is allocated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Allocation {
    /// Elements the header announces, as the twin parsed it.
    pub count: u32,
    /// Bytes per element, as the twin parsed it.
    pub size: u32,
    /// The limit the product was checked against.
    pub limit: u32,
    /// Bytes the reader allocates, the product as the twin computed it;
    /// it then writes `count` elements of `size` bytes into them.
    pub bytes: u64,
}

/// A big integer as a twin printed it back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Big {
    /// The decimal text: no leading zeros, `-` only before a non-zero
    /// number.
    pub text: String,
    /// Limbs the twin's representation used.
    pub limbs: usize,
}

/// A refused line or operand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    /// What went wrong.
    pub kind: ErrorKind,
    /// The byte offset in the input line the error is about.
    pub offset: usize,
}

impl Error {
    pub(crate) fn at(kind: ErrorKind, offset: usize) -> Error {
        Error { kind, offset }
    }
}

impl From<Blown> for Error {
    fn from(blown: Blown) -> Error {
        Error { kind: ErrorKind::Fuse(blown), offset: 0 }
    }
}

/// The kinds of [`Error`]. The first four are Rust's `IntErrorKind`s, with
/// the same meaning, so the hardened twin can be compared with
/// `str::parse` error for error; the overflow kinds also say that an
/// `abs`, a `neg`, a narrowing or a length product does not fit.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The line names no operation, or its operands are missing.
    Syntax(&'static str),
    /// An empty number.
    Empty,
    /// A byte that is not an ASCII digit where one was expected (a lone
    /// sign, a space, a non-ASCII digit, `-` before an unsigned number).
    InvalidDigit,
    /// Too large for the type.
    PosOverflow {
        /// The type it did not fit.
        width: Width,
    },
    /// Too small for the type.
    NegOverflow {
        /// The type it did not fit.
        width: Width,
    },
    /// A length product over the reader's limit.
    OverLimit {
        /// The product.
        bytes: u64,
        /// The limit.
        limit: u32,
    },
    /// A big integer of more digits than the limit (hardened).
    DigitLimit {
        /// Digits in the input.
        digits: usize,
        /// The limit.
        limit: usize,
    },
    /// The meter's fuse stopped the run.
    Fuse(Blown),
}

impl ErrorKind {
    /// The kind's stable lowercase name, the start of its message.
    pub fn name(&self) -> &'static str {
        match self {
            ErrorKind::Syntax(_) => "syntax",
            ErrorKind::Empty => "empty",
            ErrorKind::InvalidDigit => "invalid digit",
            ErrorKind::PosOverflow { .. } => "positive overflow",
            ErrorKind::NegOverflow { .. } => "negative overflow",
            ErrorKind::OverLimit { .. } => "over limit",
            ErrorKind::DigitLimit { .. } => "digit limit",
            ErrorKind::Fuse(_) => "fuse",
        }
    }

    /// The `IntErrorKind` this kind stands for, if it is one of them.
    pub fn int_error_kind(&self) -> Option<std::num::IntErrorKind> {
        use std::num::IntErrorKind as K;
        match self {
            ErrorKind::Empty => Some(K::Empty),
            ErrorKind::InvalidDigit => Some(K::InvalidDigit),
            ErrorKind::PosOverflow { .. } => Some(K::PosOverflow),
            ErrorKind::NegOverflow { .. } => Some(K::NegOverflow),
            _ => None,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: ", self.kind.name())?;
        match &self.kind {
            ErrorKind::Syntax(what) => f.write_str(what)?,
            ErrorKind::Empty => f.write_str("cannot parse integer from empty string")?,
            ErrorKind::InvalidDigit => f.write_str("invalid digit found in string")?,
            ErrorKind::PosOverflow { width } => write!(f, "number too large to fit in {width}")?,
            ErrorKind::NegOverflow { width } => write!(f, "number too small to fit in {width}")?,
            ErrorKind::OverLimit { bytes, limit } => {
                write!(f, "{bytes} bytes exceed the limit of {limit}")?
            }
            ErrorKind::DigitLimit { digits, limit } => {
                write!(f, "{digits} digits exceed the limit of {limit}")?
            }
            ErrorKind::Fuse(blown) => write!(f, "{blown}")?,
        }
        write!(f, " at byte {}", self.offset)
    }
}

impl std::error::Error for Error {}

/// The sign and digits of a decimal integer, as both twins split it:
/// one optional `+` or `-` (`-` only when `minus` allows it), then the
/// rest. A lone sign is an invalid digit and nothing at all is empty, as
/// in `str::parse`.
pub(crate) fn sign(text: &[u8], minus: bool) -> Result<(bool, &[u8]), ErrorKind> {
    match text {
        [] => Err(ErrorKind::Empty),
        [b'+' | b'-'] => Err(ErrorKind::InvalidDigit),
        [b'+', rest @ ..] => Ok((false, rest)),
        [b'-', rest @ ..] if minus => Ok((true, rest)),
        _ => Ok((false, text)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_hold_two_complement_bits() {
        let min = Value::from_parts(Width::I32, true, 1 << 31).unwrap();
        assert_eq!(
            (min.to_string(), min.magnitude(), min.bits()),
            ("-2147483648".into(), 1 << 31, 0x8000_0000)
        );
        assert_eq!(Value::from_parts(Width::I32, false, 1 << 31), None);
        assert_eq!(Value::from_bits(Width::U8, 300).to_string(), "44");
        assert_eq!(Value::from_bits(Width::I8, 255).to_string(), "-1");
        assert_eq!(Value::from_bits(Width::I8, 255).extended(), u128::MAX);
        let top = Value::from_parts(Width::I128, true, 1 << 127).unwrap();
        assert_eq!(top.to_string(), i128::MIN.to_string());
        assert_eq!(Value::from_bits(Width::U128, u128::MAX).to_string(), u128::MAX.to_string());
    }

    #[test]
    fn lines_decode_into_operations() {
        assert_eq!(Op::decode(b"parse i32  42 \n"), Ok(Op::Parse(Width::I32, b" 42 ")));
        assert_eq!(Op::decode(b"parse u8 "), Ok(Op::Parse(Width::U8, b"")));
        assert_eq!(Op::decode(b"narrow i64 u8 300"), Ok(Op::Narrow(Width::I64, Width::U8, b"300")));
        assert_eq!(Op::decode(b"alloc 1 2 3"), Ok(Op::Alloc(b"1", b"2", b"3")));
        assert_eq!(Op::decode(b"big 12"), Ok(Op::Big(b"12")));
        for bad in [&b""[..], b"parse", b"parse i32", b"parse i33 1", b"mul i32 1", b"alloc 1 2"] {
            assert!(matches!(Op::decode(bad), Err(Error { kind: ErrorKind::Syntax(_), .. })));
        }
        let input = b"abs i8 -5";
        assert_eq!(Op::decode(input).unwrap().text_offset(input), 7);
    }
}
