//! The integer family's oracles, checked in the order overflow,
//! allocation, cost, memory: a run that trips several is reported as the
//! first.
//!
//! # Overflow oracle
//!
//! Every fixed-width answer is compared with the mathematically exact one,
//! computed from the operand's text by [`exact`] in sign and magnitude (a
//! `u128` magnitude holds every value of every width, and the negation or
//! absolute value of each): one pass over the text, no arithmetic that can
//! wrap, so the oracle costs O(n) whatever the input. A twin that returned
//! a number which is not the exact one has overflowed: a
//! [`Kind::IntegerOverflow`] finding at
//!
//! - `wrapping-accumulation` when the operand already differs from its
//!   text (CWE-190 when the exact value was too large, CWE-191 when it
//!   was too small — a negative number in an unsigned type included);
//! - `abs-of-minimum` (CWE-190) when `abs` of a correct operand is not its
//!   magnitude;
//! - `wrapping-negation` (CWE-190, or CWE-191 for an unsigned type) when
//!   `neg` of a correct operand is not its negation;
//! - `narrowing-cast` (CWE-681) when `narrow` changed the value.
//!
//! # Allocation oracle
//!
//! An [`Allocation`] of fewer bytes than `count × size`, computed in
//! `u64` (exact for two `u32`s), is a [`Kind::UndersizedAllocation`]
//! finding (CWE-680) at `length-product`: the reader will write
//! `count × size` bytes into it. Operands that wrapped while parsing are
//! an overflow finding first.
//!
//! # Cost oracle
//!
//! Both twins count a meter step for every byte they read and every limb
//! operation of a big-integer conversion. The hardened twin guarantees at
//! most [`hardened::STEPS_PER_BYTE`]·n + [`hardened::STEPS_BASE`] = 3·n +
//! 16 steps for an n-byte line. A run over [`bound`]`(n)` = 8·n + 1,024
//! steps is a [`Kind::SuperlinearTime`] finding (CWE-407) at
//! `quadratic-base-conversion`: only a big integer converted through binary
//! limbs, about n²/9.6 limb operations for n digits, gets there (from about
//! 140 digits on). The fuse stops a run at four times the bound, so the
//! verdict takes time linear in the line.
//!
//! # Memory oracle
//!
//! Both twins hold their limbs and the printed text on the meter (the
//! hardened twin at most 1.5 bytes per input byte, the vulnerable one its
//! binary limbs twice, with the growth of a vector, and the text). A peak
//! over [`MEMORY`] = 8 bytes per input byte + 64 KiB is a
//! [`Kind::MemoryAmplification`] finding (CWE-789) through
//! [`kit::memory`]; neither twin reaches it, and neither declares it.
//!
//! [`hardened::STEPS_PER_BYTE`]: gauntlet_targets::int::hardened::STEPS_PER_BYTE
//! [`hardened::STEPS_BASE`]: gauntlet_targets::int::hardened::STEPS_BASE

use std::fmt;

use gauntlet_targets::int::{Allocation, Answer, Error, Op, Value};
use gauntlet_targets::meter::Meter;

use crate::kit::{self, MemoryBound};
use crate::verdict::{Finding, Kind, Verdict};

/// Steps per input byte the cost oracle allows: 8, over twice the hardened
/// twin's guarantee.
pub const STEPS_PER_BYTE: u64 = 8;

/// Steps any line may take on top of [`STEPS_PER_BYTE`].
pub const STEPS_BASE: u64 = 1024;

/// The most meter steps a linear run on an `n`-byte line may take: 8·n +
/// 1,024.
pub fn bound(n: usize) -> u64 {
    STEPS_PER_BYTE.saturating_mul(n as u64).saturating_add(STEPS_BASE)
}

/// The family's memory bound: 8 bytes per input byte plus 64 KiB (see the
/// module documentation).
pub const MEMORY: MemoryBound = MemoryBound { per_byte: 8, base: 64 << 10 };

/// A decimal integer's exact value: sign and magnitude, or a magnitude of
/// 2¹²⁸ or more ([`Exact::Huge`], outside every width).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exact {
    /// A value whose magnitude fits a `u128`. Zero is never negative.
    Number {
        /// Whether it is below zero.
        negative: bool,
        /// Its absolute value.
        magnitude: u128,
    },
    /// A magnitude past `u128::MAX`.
    Huge {
        /// Whether it is below zero.
        negative: bool,
    },
}

impl Exact {
    /// A number from sign and magnitude (−0 is 0).
    pub fn number(negative: bool, magnitude: u128) -> Exact {
        Exact::Number { negative: negative && magnitude != 0, magnitude }
    }

    /// A fixed-width value, exactly.
    pub fn of(value: Value) -> Exact {
        Exact::number(value.negative(), value.magnitude())
    }

    /// Whether it is below zero.
    pub fn negative(self) -> bool {
        match self {
            Exact::Number { negative, .. } | Exact::Huge { negative } => negative,
        }
    }

    /// Its absolute value.
    pub fn abs(self) -> Exact {
        match self {
            Exact::Number { magnitude, .. } => Exact::number(false, magnitude),
            Exact::Huge { .. } => Exact::Huge { negative: false },
        }
    }

    /// Its negation.
    pub fn negated(self) -> Exact {
        match self {
            Exact::Number { negative, magnitude } => Exact::number(!negative, magnitude),
            Exact::Huge { negative } => Exact::Huge { negative: !negative },
        }
    }
}

impl fmt::Display for Exact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exact::Number { negative, magnitude } => {
                write!(f, "{}{magnitude}", if *negative { "-" } else { "" })
            }
            Exact::Huge { negative: true } => f.write_str("below -2^128"),
            Exact::Huge { negative: false } => f.write_str("at least 2^128"),
        }
    }
}

/// The exact value of `text`: an optional sign and one or more ASCII
/// digits, whatever the width; `None` when it is not a decimal integer.
/// One pass, O(n).
pub fn exact(text: &[u8]) -> Option<Exact> {
    let (negative, digits) = match text {
        [b'-', rest @ ..] => (true, rest),
        [b'+', rest @ ..] => (false, rest),
        _ => (false, text),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut magnitude = Some(0u128);
    for &b in digits {
        magnitude = magnitude
            .and_then(|m| m.checked_mul(10))
            .and_then(|m| m.checked_add(u128::from(b - b'0')));
    }
    Some(match magnitude {
        Some(magnitude) => Exact::number(negative, magnitude),
        None => Exact::Huge { negative },
    })
}

/// A run's overflow: `(location, cwe, summary)`.
type Overflow = (&'static str, u32, String);

/// The overflow oracle on a fixed-width answer.
fn fixed(op: &Op<'_>, operand: Value, result: Value) -> Option<Overflow> {
    let (width, text) = op.fixed()?;
    let shown = String::from_utf8_lossy(text);
    let exact_operand = exact(text)?;
    if Exact::of(operand) != exact_operand {
        let cwe = if exact_operand.negative() { 191 } else { 190 };
        let summary = format!(
            "{shown:?} parsed as {width} gave {operand}, the exact value is {exact_operand}: the \
             accumulation wrapped"
        );
        return Some(("wrapping-accumulation", cwe, summary));
    }
    let (location, cwe, wanted, what) = match *op {
        Op::Parse(..) => return None,
        Op::Abs(..) => ("abs-of-minimum", 190, exact_operand.abs(), "abs"),
        Op::Neg(..) => {
            let cwe = if width.signed() { 190 } else { 191 };
            ("wrapping-negation", cwe, exact_operand.negated(), "neg")
        }
        Op::Narrow(_, to, _) => {
            let what = if to.bits() < width.bits() { "a narrowing cast" } else { "a cast" };
            ("narrowing-cast", 681, exact_operand, what)
        }
        Op::Alloc(..) | Op::Big(_) => return None,
    };
    (Exact::of(result) != wanted).then(|| {
        let summary = format!(
            "{what} of {operand} ({width}) gave {result} ({}), the exact value is {wanted}",
            result.width()
        );
        (location, cwe, summary)
    })
}

/// The overflow and allocation oracles on an allocation.
fn allocation(op: &Op<'_>, alloc: &Allocation) -> Option<(Kind, Overflow)> {
    let Op::Alloc(count, size, limit) = *op else { return None };
    for (text, got) in [(count, alloc.count), (size, alloc.size), (limit, alloc.limit)] {
        let wanted = exact(text)?;
        if wanted != Exact::number(false, u128::from(got)) {
            let summary = format!(
                "{:?} parsed as u32 gave {got}, the exact value is {wanted}: the accumulation \
                 wrapped",
                String::from_utf8_lossy(text)
            );
            let cwe = if wanted.negative() { 191 } else { 190 };
            return Some((Kind::IntegerOverflow, ("wrapping-accumulation", cwe, summary)));
        }
    }
    let needed = u64::from(alloc.count) * u64::from(alloc.size);
    (alloc.bytes < needed).then(|| {
        let summary = format!(
            "a buffer of {} bytes for {} elements of {} bytes ({needed} bytes, limit {}): the \
             length product wrapped past the check",
            alloc.bytes, alloc.count, alloc.size, alloc.limit
        );
        (Kind::UndersizedAllocation, ("length-product", 680, summary))
    })
}

/// The overflow, allocation, cost and memory oracles on one run of
/// `input`, in that order; `None` when none fires.
pub fn oracles(
    target: &'static str,
    input: &[u8],
    result: &Result<Answer, Error>,
    meter: &Meter,
) -> Option<Verdict> {
    let cost = meter.cost();
    let n = input.len();
    if let (Ok(answer), Ok(op)) = (result, Op::decode(input)) {
        let found = match answer {
            Answer::Fixed { operand, result } => {
                fixed(&op, *operand, *result).map(|o| (Kind::IntegerOverflow, o))
            }
            Answer::Alloc(alloc) => allocation(&op, alloc),
            Answer::Big(_) => None,
        };
        if let Some((kind, (location, cwe, summary))) = found {
            return Some(Finding::of(target, kind, location).cwe(cwe).verdict(summary, cost));
        }
    }
    let limit = bound(n);
    if let Some(fused) = kit::over(cost.steps, limit, meter) {
        let summary = format!(
            "{} steps for a {n}-byte line, bound {limit} ({STEPS_PER_BYTE} x input + \
             {STEPS_BASE}): a base conversion that touches the whole number for every \
             digit{fused}",
            cost.steps
        );
        let f = Finding::of(target, Kind::SuperlinearTime, "quadratic-base-conversion");
        return Some(f.verdict(summary, cost));
    }
    kit::memory(target, "held-memory", meter, n, MEMORY)
}

/// Every oracle of the family on one run; a refusal no oracle reports is a
/// rejection.
pub fn verdict(
    target: &'static str,
    input: &[u8],
    result: &Result<Answer, Error>,
    meter: &Meter,
) -> Verdict {
    if let Some(v) = oracles(target, input, result, meter) {
        return v;
    }
    match result {
        Ok(_) => Verdict::Clean { cost: meter.cost() },
        Err(e) => kit::rejected(e, meter),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_targets::int::hardened;

    #[test]
    fn exact_values_never_wrap() {
        assert_eq!(exact(b"-0"), Some(Exact::number(false, 0)));
        assert_eq!(exact(b"+12"), Some(Exact::number(false, 12)));
        assert_eq!(exact(u128::MAX.to_string().as_bytes()), Some(Exact::number(false, u128::MAX)));
        assert_eq!(
            exact(b"-340282366920938463463374607431768211456"),
            Some(Exact::Huge { negative: true })
        );
        for bad in [&b""[..], b"-", b"+", b" 1", b"1 ", b"--1", b"1x"] {
            assert_eq!(exact(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_bound_leaves_the_hardened_guarantee_room() {
        for n in [0, 1, 100, 4096] {
            let hardened = hardened::STEPS_PER_BYTE * n as u64 + hardened::STEPS_BASE;
            assert!(bound(n) >= 2 * hardened, "{n}");
        }
    }
}
