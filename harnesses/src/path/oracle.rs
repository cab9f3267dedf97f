//! The path family's oracles, checked in the order containment, cost,
//! memory: a run that trips several is reported as the first.
//!
//! # Containment and canary oracle
//!
//! A twin returns the file it would serve ([`Served`]): its path in the
//! in-memory filesystem after every symlink, and its content. A served file
//! that lies outside [`ROOT`] (compared by components, so
//! `/srv/app/public-old` is outside), or whose content holds the
//! [`CANARY`] planted in `/etc/passwd` and `/srv/app/private`, is a
//! [`Kind::PathEscape`] finding (CWE-22): `canary-served` when a secret came
//! back, `outside-root` otherwise.
//!
//! # Cost oracle
//!
//! Both twins count a meter step for every byte each of their passes reads
//! or copies. The hardened twin guarantees at most
//! [`STEPS_PER_BYTE`]·n + [`STEPS_BASE`] = 6·n + 4,096 steps for an
//! n-byte request. A resolver that reads the request a fixed number of
//! times is linear: the vulnerable twin, when its clean-up and its decoding
//! each stop after one or two passes, takes 6–8 steps per byte of the path
//! joined to the root (strip, two searches, the extension, the join, a
//! decoding pass, the `\` rewrite and the walk; measured on the seeds).
//! A run over [`bound`]`(n)` = 16·n + 4,096 steps has repeated a pass over
//! the whole request at least a few times more than any linear resolver
//! would: a [`Kind::SuperlinearTime`] finding (CWE-407) at `repeat-until-
//! stable`. Every pass the clean-up or the decoding repeats costs about n
//! steps, so a request of n bytes with k slashes in a row (or k nested
//! `%25`) costs about k·n: quadratic when k grows with n. The fuse stops a
//! run at four times the bound, so the verdict takes time linear in the
//! request.
//!
//! # Memory oracle
//!
//! Both twins hold on the meter the buffers they build. A run whose peak
//! passes [`MEMORY`] = 32 bytes per request byte + 64 KiB is a
//! [`Kind::MemoryAmplification`] finding (CWE-789), through
//! [`kit::memory`]. Neither twin comes near it: the vulnerable twin holds at
//! most two copies of the path (each n + 16 bytes) and the components its
//! walk has left, 16 bytes each, at most one per byte; the hardened twin the
//! decoded path and at most 257 components of 32 bytes and as many
//! directories of 8 (see its module docs). Neither declares the kind; the
//! oracle is there to say so if that changes.
//!
//! [`CANARY`]: gauntlet_targets::path::CANARY
//! [`STEPS_PER_BYTE`]: gauntlet_targets::path::hardened::STEPS_PER_BYTE
//! [`STEPS_BASE`]: gauntlet_targets::path::hardened::STEPS_BASE

use gauntlet_targets::meter::Meter;
use gauntlet_targets::path::{hardened, Error, Served, ROOT};

use crate::kit::{self, MemoryBound};
use crate::verdict::{Finding, Kind, Verdict};

/// Steps per request byte the cost oracle allows: 16, about twice what
/// the vulnerable twin's single passes take and over twice the hardened
/// twin's guarantee.
pub const STEPS_PER_BYTE: u64 = 16;

/// The most meter steps a linear resolution of an `n`-byte request may
/// take: 16·n + 4,096 (the hardened twin's [`hardened::STEPS_BASE`] on top).
pub fn bound(n: usize) -> u64 {
    STEPS_PER_BYTE.saturating_mul(n as u64).saturating_add(hardened::STEPS_BASE)
}

/// The family's memory bound: 32 bytes per request byte plus 64 KiB (see
/// the module documentation).
pub const MEMORY: MemoryBound = MemoryBound { per_byte: 32, base: 64 << 10 };

/// The containment and canary oracle on a served file: `(location,
/// summary)` when it escaped.
pub fn escape(served: &Served) -> Option<(&'static str, String)> {
    if served.holds_canary() {
        let summary = format!("served {}, which holds the canary secret", served.path);
        return Some(("canary-served", summary));
    }
    if !served.inside_root() {
        let summary = format!("served {}, outside the root {ROOT}", served.path);
        return Some(("outside-root", summary));
    }
    None
}

/// The containment, cost and memory oracles on one run of an `n`-byte
/// request, in that order; `None` when none fires.
pub fn oracles(
    target: &'static str,
    n: usize,
    result: &Result<Served, Error>,
    meter: &Meter,
) -> Option<Verdict> {
    let cost = meter.cost();
    if let Some((location, summary)) = result.as_ref().ok().and_then(escape) {
        let summary = format!("{summary} for a {n}-byte request");
        return Some(Finding::of(target, Kind::PathEscape, location).verdict(summary, cost));
    }
    let limit = bound(n);
    if let Some(fused) = kit::over(cost.steps, limit, meter) {
        let summary = format!(
            "{} steps to resolve a {n}-byte request, bound {limit} ({STEPS_PER_BYTE} x input + \
             {}): a pass repeated until nothing changes{fused}",
            cost.steps,
            hardened::STEPS_BASE
        );
        let f = Finding::of(target, Kind::SuperlinearTime, "repeat-until-stable");
        return Some(f.verdict(summary, cost));
    }
    kit::memory(target, "held-memory", meter, n, MEMORY)
}

/// Every oracle of the family on one run; a refusal no oracle reports is a
/// rejection.
pub fn verdict(
    target: &'static str,
    n: usize,
    result: &Result<Served, Error>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bound_leaves_the_hardened_guarantee_room() {
        for n in [0, 1, 100, 4096] {
            let hardened = hardened::STEPS_PER_BYTE * n as u64 + hardened::STEPS_BASE;
            assert!(bound(n) >= hardened, "{n}");
        }
        assert!(gauntlet_targets::path::CANARY.len() > 16);
    }
}
