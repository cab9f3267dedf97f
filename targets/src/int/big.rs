//! Two representations of a big integer and their decimal conversions: the
//! vulnerable twin's binary limbs and the hardened twin's decimal ones.
//!
//! # Time complexity
//!
//! For n decimal digits:
//!
//! - [`Binary`], limbs of 2³² (CPython's representation, with 2³⁰):
//!   parsing multiplies the whole number by ten and adds each digit, one
//!   pass over about n / 9.63 limbs a digit, so about n² / 19.3 limb
//!   operations; printing divides the whole number by ten for each digit,
//!   as many again. O(n²) both ways, one meter step per limb operation.
//! - [`Decimal`], limbs of 10⁹: each limb is nine digits, read and written
//!   on their own, so parsing and printing are O(n), one meter step per
//!   digit read and per limb written.
//!
//! # Resource limits
//!
//! Both hold their limbs on the meter as they grow (4 bytes each), and the
//! printed text before they build it (one byte a digit, plus the sign).

use super::{Error, ErrorKind};
use crate::held;
use crate::meter::Meter;

/// A big integer in binary limbs: sign and magnitude, least significant
/// limb first, no zero limb on top (zero has no limbs).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Binary {
    /// Whether it is below zero.
    pub negative: bool,
    /// The magnitude in base 2³².
    pub limbs: Vec<u32>,
}

impl Binary {
    /// Parses ASCII `digits` (the sign already taken off), multiplying the
    /// whole number by ten for every digit: O(n²). `offset` is where the
    /// digits start in the input line, for errors.
    pub fn parse(
        negative: bool,
        digits: &[u8],
        offset: usize,
        meter: &mut Meter,
    ) -> Result<Binary, Error> {
        let mut limbs: Vec<u32> = Vec::new();
        for (i, &b) in digits.iter().enumerate() {
            if !b.is_ascii_digit() {
                return Err(Error::at(ErrorKind::InvalidDigit, offset + i));
            }
            meter.steps(limbs.len() as u64 + 1)?;
            let mut carry = u64::from(b - b'0');
            for limb in limbs.iter_mut() {
                let x = u64::from(*limb) * 10 + carry;
                *limb = x as u32;
                carry = x >> 32;
            }
            if carry != 0 {
                held::reserve(&mut limbs, 1, meter)?;
                limbs.push(carry as u32);
            }
        }
        Ok(Binary { negative: negative && !limbs.is_empty(), limbs })
    }

    /// Prints the number in decimal, dividing a copy of it by ten for every
    /// digit: O(n²).
    pub fn print(&self, meter: &mut Meter) -> Result<String, Error> {
        let mut work: Vec<u32> = Vec::new();
        held::reserve(&mut work, self.limbs.len(), meter)?;
        work.extend_from_slice(&self.limbs);
        let mut digits: Vec<u8> = Vec::new();
        while !work.is_empty() {
            meter.steps(work.len() as u64)?;
            let mut rem = 0u64;
            for limb in work.iter_mut().rev() {
                let x = (rem << 32) | u64::from(*limb);
                *limb = (x / 10) as u32;
                rem = x % 10;
            }
            meter.produce(1)?;
            held::reserve(&mut digits, 1, meter)?;
            digits.push(b'0' + rem as u8);
            while work.last() == Some(&0) {
                work.pop();
            }
        }
        if digits.is_empty() {
            meter.produce(1)?;
            digits.push(b'0');
        }
        if self.negative {
            meter.produce(1)?;
            held::reserve(&mut digits, 1, meter)?;
            digits.push(b'-');
        }
        digits.reverse();
        Ok(digits.into_iter().map(char::from).collect())
    }
}

/// A big integer in decimal limbs: sign and magnitude, least significant
/// limb first, each limb below 10⁹, no zero limb on top.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Decimal {
    /// Whether it is below zero.
    pub negative: bool,
    /// The magnitude in base 10⁹.
    pub limbs: Vec<u32>,
}

/// Decimal digits per [`Decimal`] limb.
pub const DIGITS_PER_LIMB: usize = 9;

impl Decimal {
    /// Parses ASCII `digits` (the sign already taken off), nine at a time
    /// from the right: O(n). `offset` is where the digits start in the
    /// input line, for errors.
    pub fn parse(
        negative: bool,
        digits: &[u8],
        offset: usize,
        meter: &mut Meter,
    ) -> Result<Decimal, Error> {
        meter.steps(digits.len() as u64)?;
        if let Some(i) = digits.iter().position(|b| !b.is_ascii_digit()) {
            return Err(Error::at(ErrorKind::InvalidDigit, offset + i));
        }
        let start = digits.iter().position(|&b| b != b'0').unwrap_or(digits.len());
        let significant = &digits[start..];
        let count = significant.len().div_ceil(DIGITS_PER_LIMB);
        meter.hold(held::bytes::<u32>(count))?;
        let mut limbs = Vec::with_capacity(count);
        for chunk in significant.rchunks(DIGITS_PER_LIMB) {
            limbs.push(chunk.iter().fold(0u32, |acc, &b| acc * 10 + u32::from(b - b'0')));
        }
        Ok(Decimal { negative: negative && !limbs.is_empty(), limbs })
    }

    /// Prints the number in decimal, each limb on its own: O(n).
    pub fn print(&self, meter: &mut Meter) -> Result<String, Error> {
        let Some((top, rest)) = self.limbs.split_last() else {
            meter.produce(1)?;
            return Ok("0".to_owned());
        };
        let top = top.to_string();
        let len = top.len() + rest.len() * DIGITS_PER_LIMB + usize::from(self.negative);
        meter.steps(self.limbs.len() as u64)?;
        meter.produce(len as u64)?;
        meter.hold(len as u64)?;
        let mut text = String::with_capacity(len);
        if self.negative {
            text.push('-');
        }
        text.push_str(&top);
        for limb in rest.iter().rev() {
            use std::fmt::Write as _;
            let _ = write!(text, "{limb:09}");
        }
        Ok(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn both(digits: &str) -> (String, String) {
        let mut m = Meter::default();
        let (neg, d) = digits.strip_prefix('-').map_or((false, digits), |d| (true, d));
        let b = Binary::parse(neg, d.as_bytes(), 0, &mut m).unwrap().print(&mut m).unwrap();
        let c = Decimal::parse(neg, d.as_bytes(), 0, &mut m).unwrap().print(&mut m).unwrap();
        (b, c)
    }

    #[test]
    fn both_print_what_they_parsed_without_leading_zeros() {
        for (input, printed) in [
            ("0", "0"),
            ("000", "0"),
            ("-0", "0"),
            ("7", "7"),
            ("-00012", "-12"),
            ("4294967296", "4294967296"),
            ("1000000000", "1000000000"),
            ("123456789012345678901234567890", "123456789012345678901234567890"),
        ] {
            assert_eq!(both(input), (printed.to_owned(), printed.to_owned()), "{input}");
        }
        assert_eq!(both(&u128::MAX.to_string()).0, u128::MAX.to_string());
    }

    #[test]
    fn binary_costs_quadratic_steps_and_decimal_linear() {
        let cost = |n: usize| {
            let digits = "9".repeat(n);
            let mut b = Meter::default();
            Binary::parse(false, digits.as_bytes(), 0, &mut b).unwrap().print(&mut b).unwrap();
            let mut d = Meter::default();
            Decimal::parse(false, digits.as_bytes(), 0, &mut d).unwrap().print(&mut d).unwrap();
            (b.cost().steps, d.cost().steps)
        };
        let (b1, d1) = cost(1000);
        let (b2, d2) = cost(2000);
        // Twice the digits: four times the binary steps, twice the decimal.
        assert!((3.8..4.2).contains(&(b2 as f64 / b1 as f64)), "{b1} {b2}");
        assert!((1.9..2.1).contains(&(d2 as f64 / d1 as f64)), "{d1} {d2}");
        // About n²/9.6 limb operations for parse and print together.
        assert!((90_000..120_000).contains(&b1), "{b1}");
    }
}
