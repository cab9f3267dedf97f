//! The xml family's amplification, recursion and canary oracles.
//!
//! # Amplification oracle
//!
//! Both twins count one meter step per token and produce every output byte
//! before appending it. The hardened twin guarantees at most
//! [`bound`]`(n)` = 64 KiB + 101·n of each for an n-byte document
//! ([`hardened::Config::bound`](gauntlet_targets::xml::hardened::Config::bound) with the defaults): every byte it outputs and
//! every token it reads comes from the document or from a replacement text
//! charged to its amplification budget. A run that produces more bytes, or
//! takes more steps, than that is a [`Kind::Amplification`] finding
//! (CWE-776) — empty-entity bombs show up in steps, the others in bytes. The
//! fuse stops a run at twice the bound, so a finding is decided in time
//! linear in the input.
//!
//! # Recursion oracle
//!
//! A run that reaches the meter's depth fuse (2,000 levels of elements and
//! entities together) is a [`Kind::UnboundedRecursion`] finding (CWE-674):
//! `entity-recursion` when an entity was being expanded, `element-nesting`
//! otherwise.
//!
//! # Canary oracle
//!
//! The resolver is a [`VirtualFs`]. Once it has served a resource holding
//! the [`CANARY`], the canary appearing in the output (in-band XXE), in a
//! URI the parser then asked for (out-of-band XXE) or in the error message
//! (error-based XXE) is a [`Kind::SecretLeak`] finding (CWE-611). Asking for
//! the served secret first means a document that merely spells the canary
//! out is not a leak.

use gauntlet_targets::meter::Meter;
use gauntlet_targets::xml::{Document, Error, VirtualFs, CANARY};

use super::{bound, MEMORY};
use crate::kit;
use crate::verdict::{Finding, Kind, Verdict};

/// The canary, recursion, amplification and memory oracles on one run, in
/// that order; `None` when none fires.
pub fn oracles(
    target: &'static str,
    n: usize,
    result: &Result<Document<'_>, Error>,
    meter: &Meter,
    fs: &VirtualFs,
) -> Option<Verdict> {
    if fs.served_secret() {
        let (location, channel) = match result {
            Ok(doc) if doc.contains(CANARY) => ("xxe-in-band", "in the document's output"),
            Err(e) if e.to_string().contains(CANARY) => {
                ("xxe-error-message", "in the error message")
            }
            _ if fs.requests().iter().any(|r| r.contains(CANARY)) => {
                ("xxe-out-of-band", "inside a URI the parser fetched")
            }
            _ => ("", ""),
        };
        if !location.is_empty() {
            let fetched: Vec<&str> = fs.requests().iter().map(|r| truncate(r, 48)).collect();
            let summary = format!(
                "external entity disclosed the canary {channel} (fetched: {})",
                fetched.join(", ")
            );
            let f = Finding::of(target, Kind::SecretLeak, location).cwe(611);
            return Some(f.verdict(summary, meter.cost()));
        }
    }
    let cost = meter.cost();
    if let Some(depth) = kit::depth_fuse(meter) {
        let in_entity = matches!(result, Err(e) if e.entity.is_some());
        let (location, what) = if in_entity {
            ("entity-recursion", "entity expansion")
        } else {
            ("element-nesting", "element nesting")
        };
        let summary =
            format!("{what} reached the depth fuse of {depth} levels in a {n}-byte document");
        return Some(
            Finding::of(target, Kind::UnboundedRecursion, location).verdict(summary, cost),
        );
    }
    let limit = bound(n);
    if let Some(fused) = kit::over(cost.bytes_out.max(cost.steps), limit, meter) {
        let summary = format!(
            "entity expansion: {} bytes out and {} steps from a {n}-byte document, bound {limit} \
             (64 KiB + 101 x input){fused}",
            cost.bytes_out, cost.steps
        );
        let f = Finding::of(target, Kind::Amplification, "entity-expansion");
        return Some(f.verdict(summary, cost));
    }
    kit::memory(target, "parse-memory", meter, n, MEMORY)
}

fn truncate(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Every oracle of the family on one run of an `n`-byte document; a
/// refusal no oracle reports is a rejection.
pub fn verdict(
    target: &'static str,
    n: usize,
    result: &Result<Document<'_>, Error>,
    meter: &Meter,
    fs: &VirtualFs,
) -> Verdict {
    if let Some(v) = oracles(target, n, result, meter, fs) {
        return v;
    }
    match result {
        Ok(_) => Verdict::Clean { cost: meter.cost() },
        Err(e) => kit::rejected(e, meter),
    }
}
