//! The JSON family's cost and number oracles.
//!
//! # Cost oracle
//!
//! Both twins count one step per value parsed, one level of depth per open
//! array or object, and member-key probes (see
//! [`gauntlet_targets::json`]). A run that reaches the meter's depth fuse
//! ([`Fuse::DEPTH`](gauntlet_targets::meter::Fuse::DEPTH), 2,000 levels) is a [`Kind::UnboundedRecursion`] finding
//! (CWE-674): the hardened twin refuses at its limit of 128 long before. A
//! run whose probes exceed [`probe_bound`]`(steps)` =
//! 4 × values + 64 is a [`Kind::HashCollision`] finding (CWE-407): a member
//! table with short chains spends a bounded number of probes per member,
//! while n keys in one chain cost n²/2. The fuse stops the probing at four
//! times the bound for the whole input (at least a million), so a flood is
//! decided in time linear in the input. The hardened twin is also held to its
//! own depth limit.
//!
//! # Memory oracle
//!
//! Both twins hold on the meter every buffer that grows with the input —
//! values, strings, number literals, array and member buffers by capacity,
//! the member tables — and the vulnerable twin [`FRAME_BYTES`] of stack
//! for each level of its recursion. A run whose peak is over
//! [`MEMORY`] = 64 bytes per input byte + 64 KiB is a
//! [`Kind::MemoryAmplification`] finding (CWE-789); the fuse stops a run at
//! four times that. Why those numbers:
//!
//! - **64 bytes per input byte.** A value is 32 bytes and a member 56
//!   (`size_of::<Value>()`, `size_of::<(String, Value)>()` on 64-bit). The
//!   densest document for the hardened twin is a flat array of one-digit
//!   numbers, two input bytes a value: its shared buffer doubles (up to
//!   64 bytes a value), and the array is then allocated at its exact size
//!   (32 more), 96 bytes for 2 input bytes: 48 a byte. Objects are sparser:
//!   the shortest distinct keys (`"a":0,`, 6 bytes) cost 56 × 3 bytes in the
//!   member buffer and the object, up to 64 + 32 bytes of key index while it
//!   doubles, and the key, under 45 a byte. Strings and literals cost their
//!   length. So 48 is the worst case and 64 leaves a third to spare
//!   (`harnesses/tests/json_memory.rs` measures the shapes and prints the
//!   figures), while a recursive parser's 240-byte frame for each one-byte
//!   `[` crosses it.
//! - **64 KiB.** The fixed part: tables of a few dozen slots, the explicit
//!   stack of at most 129 frames, and room for the minimum capacities of
//!   small documents. It is also what lets a vulnerable twin nest 585
//!   levels of closed arrays (372 of unclosed ones) before its frames count
//!   as amplification: CPython's `json` allows about 1,000, serde_json 128.
//!
//! The hardened twin stays under the bound for every input (the figures
//! above; `harnesses/tests/json_memory.rs` checks the attacks and large
//! benign documents). The vulnerable twin crosses it by nesting deeper than
//! that and less deep than its depth fuse of 2,000: at their deepest point,
//! 1,500 nested arrays (3,000 bytes) hold 360,000 bytes of frames against a
//! bound of 257,536. Deeper than the fuse, the recursion oracle speaks
//! first.
//!
//! # Number oracle
//!
//! A number is an [`Kind::IntegerOverflow`] finding (CWE-190) when its parsed
//! value says something its literal does not:
//! - it is an integer ([`NumberValue::PosInt`] or [`NumberValue::NegInt`])
//!   that differs from the exact value of an integer literal ([`exact_integer`],
//!   or a literal beyond `i128`, or one with a fraction or exponent), or
//! - it is an infinite float, when every JSON literal is finite.
//!
//! A float that is the nearest `f64` to its literal (a 100-digit integer
//! kept as `1e99` next to its exact literal, `-0` as `-0.0`) is an honest
//! approximation, not a finding. The check is exact and deterministic. Its
//! reference is exact arithmetic on the literal, so the family lists it as
//! the twins' differential oracle.
//!
//! [`FRAME_BYTES`]: gauntlet_targets::json::vulnerable::FRAME_BYTES

use gauntlet_targets::json::{probe_bound, Error, Number, NumberValue, Value};
use gauntlet_targets::meter::Meter;

use crate::kit::{self, MemoryBound};
use crate::verdict::{Finding, Kind, Verdict};

/// The JSON family's memory bound: 64 bytes per input byte plus 64 KiB (see
/// the module documentation for why).
pub const MEMORY: MemoryBound = MemoryBound { per_byte: 64, base: 64 << 10 };

/// Every oracle of the family on one run of `len` input bytes: the cost
/// oracle, the twin's own depth `limit` if it has one (a hardened twin is
/// held to it), the number oracle on the value, then the memory oracle,
/// which also judges a refused run (what was held before the refusal was
/// held all the same). A refusal is otherwise a rejection.
pub fn verdict(
    target: &'static str,
    result: Result<Value, Error>,
    meter: &Meter,
    len: usize,
    limit: Option<u64>,
) -> Verdict {
    if let Some(f) = cost_finding(target, meter, len) {
        return Verdict::Finding(f);
    }
    let cost = meter.cost();
    if let Some(limit) = limit.filter(|&limit| cost.depth > limit) {
        let summary = format!("nesting reached depth {} past the limit of {limit}", cost.depth);
        return Finding::of(target, Kind::UnboundedRecursion, "depth-limit").verdict(summary, cost);
    }
    if let Ok(value) = &result {
        if let Some(f) = number_finding(target, value, meter) {
            return Verdict::Finding(f);
        }
    }
    if let Some(v) = kit::memory(target, "held-memory", meter, len, MEMORY) {
        return v;
    }
    match result {
        Ok(_) => Verdict::Clean { cost },
        Err(e) => kit::rejected(e, meter),
    }
}

/// The cost oracle on a finished (or fused) run of `len` input bytes.
fn cost_finding(target: &'static str, meter: &Meter, len: usize) -> Option<Finding> {
    let cost = meter.cost();
    if let Some(depth) = kit::depth_fuse(meter) {
        let summary =
            format!("recursion reached the depth fuse of {depth} levels on a {len}-byte input");
        let f = Finding::of(target, Kind::UnboundedRecursion, "recursive-descent");
        return Some(f.build(summary, cost));
    }
    let bound = probe_bound(cost.steps);
    let fused = kit::over(cost.probes, bound, meter)?;
    let summary = format!(
        "member table degraded: {} hash probes > linear bound {bound} for {} values on a \
         {len}-byte input{fused}",
        cost.probes, cost.steps
    );
    Some(Finding::of(target, Kind::HashCollision, "member-table").build(summary, cost))
}

/// The exact value of an integer literal (`-0`, `007` and `12` included), or
/// `None` for a literal with a fraction or exponent or beyond `i128`.
pub fn exact_integer(literal: &str) -> Option<i128> {
    if literal.bytes().any(|b| matches!(b, b'.' | b'e' | b'E')) {
        return None;
    }
    literal.parse::<i128>().ok()
}

/// The number oracle on one number: `(location, summary)` when its value
/// says something its literal does not.
pub fn number_overflow(number: &Number) -> Option<(&'static str, String)> {
    let literal = number.literal();
    let claimed: i128 = match number.value() {
        NumberValue::Float(x) if x.is_infinite() => {
            let summary = format!("the finite literal {} parsed as {x}", abbreviate(&literal));
            return Some(("float-saturation", summary));
        }
        NumberValue::Float(_) => return None,
        NumberValue::PosInt(n) => i128::from(n),
        NumberValue::NegInt(n) => i128::from(n),
    };
    if exact_integer(&literal) == Some(claimed) {
        return None;
    }
    let summary = format!(
        "the integer literal {} ({} digits) parsed as {claimed}",
        abbreviate(&literal),
        literal.bytes().filter(u8::is_ascii_digit).count()
    );
    Some(("integer-accumulation", summary))
}

pub(super) fn abbreviate(text: &str) -> String {
    if text.len() <= 40 {
        return text.to_owned();
    }
    format!("{}…{}", &text[..20], &text[text.len() - 12..])
}

/// The number oracle over a whole value, without recursion.
fn number_finding(target: &'static str, value: &Value, meter: &Meter) -> Option<Finding> {
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        match value {
            Value::Number(n) => {
                if let Some((location, summary)) = number_overflow(n) {
                    let f = Finding::of(target, Kind::IntegerOverflow, location);
                    return Some(f.build(summary, meter.cost()));
                }
            }
            Value::Array(items) => stack.extend(items.iter().rev()),
            Value::Object(members) => stack.extend(members.iter().rev().map(|(_, v)| v)),
            _ => {}
        }
    }
    None
}
