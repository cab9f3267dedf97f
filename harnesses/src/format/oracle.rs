//! The format family's oracles, checked in the order canary, recursion,
//! amplification, memory: a run that trips several is reported as the
//! first.
//!
//! # Canary oracle
//!
//! The graph's `CONFIG["SECRET_KEY"]` is the [`CANARY`]. A run that
//! rendered a value holding it (the twin says so: [`Formatted::secret_read`])
//! and whose output contains it is a [`Kind::SecretLeak`] finding (CWE-200)
//! at `reflective-traversal`. Asking that the secret was *read* means a
//! template that merely spells the canary out is not a leak.
//!
//! # Recursion oracle
//!
//! A run that reaches the meter's depth fuse (2,000 nested fields) is a
//! [`Kind::UnboundedRecursion`] finding (CWE-674) at `nested-spec-fields`.
//!
//! # Amplification oracle
//!
//! Both twins charge every byte they produce (output and nested fields'
//! text) before building it. The hardened twin guarantees at most
//! [`bound`]`(n)` = 4,096 + 64·n bytes for an n-byte template (its output
//! budget with the defaults). A run that produces more is a
//! [`Kind::Amplification`] finding (CWE-400) at `width-precision`: only a
//! width or a precision can multiply the template that much. The fuse
//! stops a run at four times the bound.
//!
//! # Memory oracle
//!
//! Both twins hold what they produce plus one field record (at most 128 bytes) per
//! top-level field, at most one per two template bytes: under 128·n +
//! 4,096 for the hardened twin. A peak over [`MEMORY`] = 128·n + 64 KiB is
//! a [`Kind::MemoryAmplification`] finding (CWE-789) through
//! [`kit::memory`]; neither twin reaches it before the amplification oracle
//! fires, and neither declares it.
//!
//! [`Formatted::secret_read`]: gauntlet_targets::format::Formatted::secret_read

use gauntlet_targets::format::{hardened, Error, Formatted, CANARY};
use gauntlet_targets::meter::Meter;

use crate::kit::{self, MemoryBound};
use crate::verdict::{Finding, Kind, Verdict};

/// The most bytes a bounded formatting of an `n`-byte template may
/// produce: the hardened twin's default budget, 4,096 + 64·n.
pub fn bound(n: usize) -> u64 {
    hardened::Config::default().budget(n)
}

/// The family's memory bound: 128 bytes per template byte plus 64 KiB (see
/// the module documentation).
pub const MEMORY: MemoryBound = MemoryBound { per_byte: 128, base: 64 << 10 };

/// The canary, recursion, amplification and memory oracles on one run of
/// an `n`-byte template, in that order; `None` when none fires.
pub fn oracles(
    target: &'static str,
    n: usize,
    result: &Result<Formatted, Error>,
    meter: &Meter,
) -> Option<Verdict> {
    let cost = meter.cost();
    if let Ok(f) = result {
        if f.secret_read && f.text.contains(CANARY) {
            let summary = format!(
                "the secret key came back in {} bytes of output from a {n}-byte template",
                f.text.len()
            );
            let finding = Finding::of(target, Kind::SecretLeak, "reflective-traversal").cwe(200);
            return Some(finding.verdict(summary, cost));
        }
    }
    if let Some(depth) = kit::depth_fuse(meter) {
        let summary = format!(
            "replacement fields nested past the depth fuse of {depth} in a {n}-byte template"
        );
        let f = Finding::of(target, Kind::UnboundedRecursion, "nested-spec-fields");
        return Some(f.verdict(summary, cost));
    }
    let limit = bound(n);
    if let Some(fused) = kit::over(cost.bytes_out, limit, meter) {
        let summary = format!(
            "{} bytes produced from a {n}-byte template, bound {limit} (4096 + 64 x input): a \
             width or precision the template did not pay for{fused}",
            cost.bytes_out
        );
        let f = Finding::of(target, Kind::Amplification, "width-precision").cwe(400);
        return Some(f.verdict(summary, cost));
    }
    kit::memory(target, "format-memory", meter, n, MEMORY)
}

/// Every oracle of the family on one run; a refusal no oracle reports is a
/// rejection.
pub fn verdict(
    target: &'static str,
    n: usize,
    result: &Result<Formatted, Error>,
    meter: &Meter,
) -> Verdict {
    if let Some(v) = oracles(target, n, result, meter) {
        return v;
    }
    match result {
        Ok(_) => Verdict::Clean { cost: meter.cost() },
        Err(e) => kit::rejected(e, meter),
    }
}
