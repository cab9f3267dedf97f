//! Attack generators shared by tests, benches, reproducers and the CLI.

use std::fmt::Write as _;

use crate::dos::{geometric, Attack};
use crate::growth::Class;

/// `n` opening brackets and nothing else: one recursion level each for a
/// recursive-descent parser.
pub fn bracket_flood(n: usize) -> Vec<u8> {
    vec![b'['; n]
}

/// `n` nested arrays, closed: `[[[]]]` for 3.
pub fn nested_arrays(n: usize) -> Vec<u8> {
    let mut out = vec![b'['; n];
    out.resize(2 * n, b']');
    out
}

/// `n` nested arrays as the value of one member of an otherwise ordinary
/// record: `{"id":7,"tags":[[[]]]}` for 3.
///
/// The memory attack on a recursive-descent parser, below any depth fuse:
/// every `[` costs the attacker one byte and the parser a stack frame (240
/// bytes for the vulnerable twin) until the matching `]`, so 1,500 levels
/// in about 3 KB hold 360,000 bytes at their deepest, more than the
/// family's bound of 64 bytes per input byte + 64 KiB allows; the frames
/// cross it from about 590 levels on. The wrapper is what a request body
/// looks like: a validator that only checks the outer record lets it in.
pub fn wrapped_nest(n: usize) -> Vec<u8> {
    let mut out = b"{\"id\":7,\"tags\":".to_vec();
    out.extend(nested_arrays(n));
    out.push(b'}');
    out
}

/// `n` nested objects, closed: `{"a":{"a":0}}` for 2.
pub fn object_nest(n: usize) -> Vec<u8> {
    let mut out = b"{\"a\":".repeat(n);
    out.push(b'0');
    out.extend(std::iter::repeat_n(b'}', n));
    out
}

/// `n` distinct keys with one [`djbx33a`] hash.
///
/// The generator: `"Ez"` and `"FY"` hash alike under times-33
/// (69·33 + 122 = 70·33 + 89), and appending equal-hash blocks to
/// equal-length strings of equal hash keeps their hashes equal. So key
/// `i` is `i` written in binary over `w` blocks, `"Ez"` for a 0 bit and
/// `"FY"` for a 1 bit, most significant first, `w` the fewest bits that
/// count to `n` (at least one): for `n = 4`, `EzEz`, `EzFY`, `FYEz`,
/// `FYFY`. Every key is `2w` bytes of ASCII letters.
///
/// [`djbx33a`]: gauntlet_targets::json::djbx33a
pub fn colliding_keys(n: usize) -> Vec<String> {
    let width = (usize::BITS - n.saturating_sub(1).leading_zeros()).max(1) as usize;
    (0..n)
        .map(|i| {
            (0..width).rev().map(|bit| if (i >> bit) & 1 == 1 { "FY" } else { "Ez" }).collect()
        })
        .collect()
}

/// An object of `n` members whose keys all collide (see
/// [`colliding_keys`]), one member a line, each value its index.
pub fn colliding_object(n: usize) -> Vec<u8> {
    object_of(colliding_keys(n))
}

/// The same shape as [`colliding_object`] with keys that spread over the
/// buckets (`k0`, `k1`, ...), for comparison.
pub fn spread_object(n: usize) -> Vec<u8> {
    object_of((0..n).map(|i| format!("k{i}")).collect())
}

fn object_of(keys: Vec<String>) -> Vec<u8> {
    let mut out = String::from("{\n");
    for (i, key) in keys.iter().enumerate() {
        let comma = if i + 1 < keys.len() { "," } else { "" };
        let _ = writeln!(out, "\"{key}\":{i}{comma}");
    }
    out.push_str("}\n");
    out.into_bytes()
}

/// A number of `n` digits, `1` then zeros: one value, as long as the
/// attacker likes.
pub fn long_number(n: usize) -> Vec<u8> {
    let mut out = vec![b'0'; n.max(1)];
    out[0] = b'1';
    out
}

/// The family's attacks for `gauntlet dos`, the benches and the tests.
pub fn all() -> Vec<Attack> {
    vec![
        Attack::new(
            "depth",
            "n nested arrays, closed: one recursion level (and stack frame) per '['",
            geometric(4, 1 << 17, 2.0),
            Class::Linear,
            nested_arrays,
        ),
        Attack::new(
            "colliding-keys",
            "one object of n members whose keys share one times-33 hash: n^2/2 probes",
            geometric(16, 1 << 16, 2.0),
            Class::Quadratic,
            colliding_object,
        ),
        Attack::new(
            "spread-keys",
            "the same object with keys k0, k1, ... that spread over the buckets (the control)",
            geometric(16, 1 << 16, 2.0),
            Class::Linear,
            spread_object,
        ),
        Attack::new(
            "long-number",
            "one number of n digits (the hardened twin stops reading at 4,301)",
            // From past the hardened twin's limit: below it, both read every
            // digit, and reading is not metered (one step a value).
            geometric(8192, 1 << 20, 2.0),
            Class::Linear,
            long_number,
        ),
    ]
}
