//! The hardened integer code: checked arithmetic and linear big integers.
//!
//! # Guarantees
//!
//! - [`parse`] gives what `str::parse::<T>()` gives for every one of the
//!   twelve types and every input: the same value, or an error of the same
//!   `IntErrorKind` ([`ErrorKind::int_error_kind`]) — `Empty` for nothing,
//!   `InvalidDigit` for a lone sign, a space, a non-ASCII digit or a `-`
//!   before an unsigned number, `PosOverflow` and `NegOverflow` for a
//!   number out of range, the first of them from the left. It accumulates
//!   negative numbers as negative magnitudes up to the type's minimum, so
//!   `-2147483648` is an `i32` (a parser that accumulates positively and
//!   negates at the end refuses it).
//! - `abs`, `neg` and `narrow` give the exact result or refuse with
//!   [`ErrorKind::PosOverflow`] or [`ErrorKind::NegOverflow`] naming the
//!   type it does not fit: `abs i32 -2147483648` is refused, as
//!   `i32::checked_abs` is `None`, and narrowing is `T::try_from`.
//! - `alloc` multiplies count and size with `u32::checked_mul`: a product
//!   that does not fit is [`ErrorKind::PosOverflow`], one over the limit
//!   [`ErrorKind::OverLimit`]. An [`Allocation`] it returns always holds
//!   `count × size` bytes.
//! - `big` prints back exactly the number it read, without leading zeros.
//!
//! # Resource limits
//!
//! [`Limits::max_digits`] (default [`Limits::DEFAULT_DIGITS`] = 4,300, as
//! CPython since 3.11 — `sys.set_int_max_str_digits`) caps the digits of a
//! big integer, sign excluded and leading zeros included, checked before
//! any of them is read ([`ErrorKind::DigitLimit`]). The conversion is
//! linear anyway; the limit is defence in depth, and keeps the memory a
//! number holds (4 bytes per 9 digits, plus the printed text) small.
//! Memory held: at most 1.5 bytes per input byte plus a few bytes.
//!
//! # Time complexity
//!
//! O(n) for an n-byte line, whatever the operation: at most 3 meter steps
//! per byte ([`STEPS_PER_BYTE`]) plus [`STEPS_BASE`], tested.

use super::big::Decimal;
use super::{sign, Allocation, Answer, Big, Error, ErrorKind, Op, Value, Width};
use crate::meter::Meter;

/// Meter steps per input byte the hardened twin stays under.
pub const STEPS_PER_BYTE: u64 = 3;
/// Meter steps the hardened twin may take on top of [`STEPS_PER_BYTE`].
pub const STEPS_BASE: u64 = 16;

/// The hardened twin's limits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The most digits a big integer may have: 4,300 by default.
    pub max_digits: usize,
}

impl Limits {
    /// CPython's default `int_max_str_digits`.
    pub const DEFAULT_DIGITS: usize = 4300;

    /// These limits with a different digit limit.
    pub const fn with_max_digits(mut self, max_digits: usize) -> Limits {
        self.max_digits = max_digits;
        self
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits { max_digits: Limits::DEFAULT_DIGITS }
    }
}

/// Runs the operation the input line names, with the default [`Limits`].
pub fn run(input: &[u8], meter: &mut Meter) -> Result<Answer, Error> {
    run_with(input, &Limits::default(), meter)
}

/// Runs the operation the input line names, with `limits`.
pub fn run_with(input: &[u8], limits: &Limits, meter: &mut Meter) -> Result<Answer, Error> {
    let op = Op::decode(input)?;
    let at = op.text_offset(input);
    match op {
        Op::Parse(width, text) => {
            let value = parse(text, width, at, meter)?;
            Ok(Answer::Fixed { operand: value, result: value })
        }
        Op::Abs(width, text) => {
            let operand = parse(text, width, at, meter)?;
            let result = Value::from_parts(width, false, operand.magnitude())
                .ok_or_else(|| Error::at(ErrorKind::PosOverflow { width }, at))?;
            Ok(Answer::Fixed { operand, result })
        }
        Op::Neg(width, text) => {
            let operand = parse(text, width, at, meter)?;
            let negative = !operand.negative() && operand.magnitude() != 0;
            let result =
                Value::from_parts(width, negative, operand.magnitude()).ok_or_else(|| {
                    let kind = if negative {
                        ErrorKind::NegOverflow { width }
                    } else {
                        ErrorKind::PosOverflow { width }
                    };
                    Error::at(kind, at)
                })?;
            Ok(Answer::Fixed { operand, result })
        }
        Op::Narrow(from, to, text) => {
            let operand = parse(text, from, at, meter)?;
            // `TO::try_from(operand)`.
            let result = Value::from_parts(to, operand.negative(), operand.magnitude())
                .ok_or_else(|| {
                    let kind = if operand.negative() {
                        ErrorKind::NegOverflow { width: to }
                    } else {
                        ErrorKind::PosOverflow { width: to }
                    };
                    Error::at(kind, at)
                })?;
            Ok(Answer::Fixed { operand, result })
        }
        Op::Alloc(count, size, limit) => {
            let offset = |t: &[u8]| (t.as_ptr() as usize).saturating_sub(input.as_ptr() as usize);
            let count = parse(count, Width::U32, offset(count), meter)?.bits() as u32;
            let size = parse(size, Width::U32, offset(size), meter)?.bits() as u32;
            let limit = parse(limit, Width::U32, offset(limit), meter)?.bits() as u32;
            let bytes = count
                .checked_mul(size)
                .ok_or_else(|| Error::at(ErrorKind::PosOverflow { width: Width::U32 }, at))?;
            if bytes > limit {
                let kind = ErrorKind::OverLimit { bytes: u64::from(bytes), limit };
                return Err(Error::at(kind, at));
            }
            Ok(Answer::Alloc(Allocation { count, size, limit, bytes: u64::from(bytes) }))
        }
        Op::Big(text) => big(text, at, limits, meter).map(Answer::Big),
    }
}

/// Parses `text` as a decimal integer of `width`, as `str::parse` does.
/// `offset` is where the text starts in the input line, for errors.
pub fn parse(text: &[u8], width: Width, offset: usize, meter: &mut Meter) -> Result<Value, Error> {
    let (negative, digits) = sign(text, width.signed()).map_err(|kind| Error::at(kind, offset))?;
    let start = offset + (text.len() - digits.len());
    let (limit, overflow) = if negative {
        (width.min_magnitude(), ErrorKind::NegOverflow { width })
    } else {
        (width.max_magnitude(), ErrorKind::PosOverflow { width })
    };
    let mut magnitude: u128 = 0;
    for (i, &b) in digits.iter().enumerate() {
        meter.step()?;
        // The digit is checked before the product, as `str::parse` does:
        // `99999999999x` overflows an `i32` before it reaches the `x`, and
        // `9x99999999999` has an invalid digit first.
        if !b.is_ascii_digit() {
            return Err(Error::at(ErrorKind::InvalidDigit, start + i));
        }
        magnitude = magnitude
            .checked_mul(10)
            .and_then(|m| m.checked_add(u128::from(b - b'0')))
            .filter(|&m| m <= limit)
            .ok_or_else(|| Error::at(overflow.clone(), start + i))?;
    }
    Ok(Value::from_parts(width, negative, magnitude).expect("the magnitude is within the limit"))
}

/// Parses a big decimal integer into decimal limbs and prints it back:
/// O(n), at most `limits.max_digits` digits.
pub fn big(text: &[u8], offset: usize, limits: &Limits, meter: &mut Meter) -> Result<Big, Error> {
    let (negative, digits) = sign(text, true).map_err(|kind| Error::at(kind, offset))?;
    let start = offset + (text.len() - digits.len());
    if digits.len() > limits.max_digits {
        let kind = ErrorKind::DigitLimit { digits: digits.len(), limit: limits.max_digits };
        return Err(Error::at(kind, start));
    }
    let number = Decimal::parse(negative, digits, start, meter)?;
    let text = number.print(meter)?;
    Ok(Big { text, limbs: number.limbs.len() })
}
