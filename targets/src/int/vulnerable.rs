//! The vulnerable integer code: arithmetic as the machine does it.
//!
//! # Vulnerability
//!
//! - **Wrapping accumulation (CWE-190, CWE-191).** [`parse`] computes
//!   `acc = acc * 10 + digit` with wrapping arithmetic and negates at the
//!   end, so `parse i32 2147483648` is −2147483648 and `parse u32
//!   4294967296` is 0; it also takes a `-` before an unsigned number and
//!   wraps it (`parse u32 -1` is 4294967295). Nine or ten bytes turn a
//!   number that passed a check as text into another one.
//! - **`abs` of the minimum (CWE-190).** [`Answer::Fixed`] for `abs i32
//!   -2147483648` is −2147483648: `wrapping_abs` has nowhere to put 2³¹.
//!   `neg` wraps the same way, and negates unsigned numbers modulo 2ⁿ.
//! - **Narrowing with `as` (CWE-681).** `narrow i64 u8 300` is 44 and
//!   `narrow i32 u32 -1` is 4294967295: the cast keeps the low bits.
//! - **Wrapping length product (CWE-680).** `alloc COUNT SIZE LIMIT` checks
//!   `count.wrapping_mul(size) <= limit` in `u32`, so `alloc 1073741825 4
//!   4096` allocates 4 bytes for 4,294,967,300 — the reader then writes
//!   past them.
//! - **Quadratic big integers (CWE-407, CVE-2020-10735).** `big DIGITS`
//!   converts through binary limbs ([`Binary`]), multiplying the whole
//!   number by ten for each digit and dividing it by ten for each digit it
//!   prints: about n² / 9.6 limb operations for n digits, with no digit
//!   limit. 100,000 digits (100 KB) cost about 10⁹ of them.
//!
//! What it costs the defender: a wrong number wherever it is used next (an
//! index, a length, a balance), a heap overflow, or CPU time quadratic in
//! the attacker's bytes.
//!
//! The fix is [`super::hardened`].
//!
//! # Time complexity
//!
//! O(n) for the fixed-width operations and `alloc`; O(n²) for `big`.
//!
//! [`Binary`]: super::big::Binary

use super::big::Binary;
use super::{sign, Allocation, Answer, Big, Error, ErrorKind, Op, Value, Width};
use crate::meter::Meter;

/// Runs the operation the input line names.
pub fn run(input: &[u8], meter: &mut Meter) -> Result<Answer, Error> {
    let op = Op::decode(input)?;
    let at = op.text_offset(input);
    match op {
        Op::Parse(width, text) => {
            let value = parse(text, width, at, meter)?;
            Ok(Answer::Fixed { operand: value, result: value })
        }
        Op::Abs(width, text) => {
            let operand = parse(text, width, at, meter)?;
            let result = if operand.negative() {
                Value::from_bits(width, operand.bits().wrapping_neg())
            } else {
                operand
            };
            Ok(Answer::Fixed { operand, result })
        }
        Op::Neg(width, text) => {
            let operand = parse(text, width, at, meter)?;
            Ok(Answer::Fixed {
                operand,
                result: Value::from_bits(width, operand.bits().wrapping_neg()),
            })
        }
        Op::Narrow(from, to, text) => {
            let operand = parse(text, from, at, meter)?;
            // `operand as TO`: sign-extend, then keep the low bits.
            Ok(Answer::Fixed { operand, result: Value::from_bits(to, operand.extended()) })
        }
        Op::Alloc(count, size, limit) => {
            let offset = |t: &[u8]| (t.as_ptr() as usize).saturating_sub(input.as_ptr() as usize);
            let count = parse(count, Width::U32, offset(count), meter)?.bits() as u32;
            let size = parse(size, Width::U32, offset(size), meter)?.bits() as u32;
            let limit = parse(limit, Width::U32, offset(limit), meter)?.bits() as u32;
            let bytes = count.wrapping_mul(size);
            if bytes > limit {
                let kind = ErrorKind::OverLimit { bytes: u64::from(bytes), limit };
                return Err(Error::at(kind, at));
            }
            Ok(Answer::Alloc(Allocation { count, size, limit, bytes: u64::from(bytes) }))
        }
        Op::Big(text) => big(text, at, meter).map(Answer::Big),
    }
}

/// Parses `text` as a decimal integer of `width`, wrapping. `offset` is
/// where the text starts in the input line, for errors.
///
/// The accumulator is a `u128` cut to the width at the end: wrapping in
/// 128 bits and keeping the low bits is the same, digit for digit, as
/// wrapping in the width itself (both are arithmetic modulo 2ⁿ), so this is
/// the `i32` loop of every hand-written parser, for all twelve widths.
pub fn parse(text: &[u8], width: Width, offset: usize, meter: &mut Meter) -> Result<Value, Error> {
    let (negative, digits) = sign(text, true).map_err(|kind| Error::at(kind, offset))?;
    let start = offset + (text.len() - digits.len());
    let mut acc: u128 = 0;
    for (i, &b) in digits.iter().enumerate() {
        meter.step()?;
        if !b.is_ascii_digit() {
            return Err(Error::at(ErrorKind::InvalidDigit, start + i));
        }
        acc = acc.wrapping_mul(10).wrapping_add(u128::from(b - b'0'));
    }
    let bits = if negative { acc.wrapping_neg() } else { acc };
    Ok(Value::from_bits(width, bits))
}

/// Parses a big decimal integer through binary limbs and prints it back:
/// O(n²), no digit limit.
pub fn big(text: &[u8], offset: usize, meter: &mut Meter) -> Result<Big, Error> {
    let (negative, digits) = sign(text, true).map_err(|kind| Error::at(kind, offset))?;
    let start = offset + (text.len() - digits.len());
    let number = Binary::parse(negative, digits, start, meter)?;
    let text = number.print(meter)?;
    Ok(Big { text, limbs: number.limbs.len() })
}
