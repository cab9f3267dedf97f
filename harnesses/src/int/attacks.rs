//! Attack and benign line generators shared by tests, benches and the CLI.

use crate::dos::{geometric, Attack};
use crate::growth::Class;

/// The digits of the big-integer attacks: `8765432109` over and over, so
/// the number has no leading zero and every limb is busy.
fn digits(n: usize) -> impl Iterator<Item = u8> {
    b"8765432109".iter().copied().cycle().take(n.max(1))
}

/// `big` + n digits: a big integer of n digits (an (n + 4)-byte line).
/// The vulnerable twin converts it through binary limbs, about n² / 9.6
/// limb operations to parse it and print it back; the hardened twin reads
/// and writes it nine digits a limb, O(n) — and, with its default limits,
/// refuses it past 4,300 digits.
pub fn big_digits(n: usize) -> Vec<u8> {
    let mut line = b"big ".to_vec();
    line.extend(digits(n));
    line
}

/// `parse u64 ` + n − 1 zeros + `1`: a fixed-width number padded with
/// leading zeros. Both twins read each digit once: linear, and the
/// hardened twin accepts it as `str::parse` does.
pub fn leading_zeros(n: usize) -> Vec<u8> {
    let mut line = b"parse u64 ".to_vec();
    line.extend(std::iter::repeat_n(b'0', n.saturating_sub(1)));
    line.push(b'1');
    line
}

/// Benign lines both twins answer, and identically: every operation, in
/// range.
pub const BENIGN: &[&str] = &[
    "parse i32 42",
    "parse i32 -2147483648",
    "parse u8 255",
    "parse i128 -170141183460469231731687303715884105728",
    "parse u128 340282366920938463463374607431768211455",
    "parse usize +7",
    "abs i64 -9223372036854775807",
    "abs u16 65535",
    "neg i16 -32767",
    "neg u32 0",
    "narrow i64 u16 65535",
    "narrow u8 i32 200",
    "narrow i32 i8 -128",
    "alloc 1024 4 4096",
    "alloc 0 4294967295 0",
    "big -000123456789012345678901234567890",
    "big 0",
];

/// The family's attacks for `gauntlet dos`, the benches and the tests.
pub fn all() -> Vec<Attack> {
    vec![
        Attack::new(
            "big-digits",
            "big + n digits: parse a big integer and print it back (CVE-2020-10735); the hardened \
             twin is measured with its digit limit raised to 1,000,000 (by default it refuses \
             past 4,300 digits)",
            geometric(128, 131_072, 2.0),
            Class::Quadratic,
            big_digits,
        ),
        Attack::new(
            "leading-zeros",
            "parse u64 + n-1 zeros + 1: a fixed-width parse of a long number (linear in both)",
            geometric(64, 65_536, 4.0),
            Class::Linear,
            leading_zeros,
        ),
    ]
}
