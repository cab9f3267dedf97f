//! The xml family's amplification, recursion, memory and canary oracles,
//! checked in the order canary, recursion, amplification, memory: a run
//! that trips several is reported as the first.
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
//! # Memory oracle
//!
//! Both twins hold on the meter everything they keep that grows with the
//! input, before allocating it. A run whose peak passes [`MEMORY`]`(n)` =
//! 66·n + 256 KiB is a [`Kind::MemoryAmplification`] finding (CWE-789) at
//! `parse-memory`, through [`kit::memory`]. The fuse stops a run at four
//! times the bound.
//!
//! The constants are the hardened twin's own guarantee
//! ([`hardened::Config::memory_bound`](gauntlet_targets::xml::hardened::Config::memory_bound)
//! with the defaults), fixed overheads included:
//!
//! - `per_byte` = 66: the twin's memory limit of 64 bytes per input byte,
//!   plus 2 for the strings of the error a refused parse ends with (names
//!   and URIs copied from the document). 64 is about three times what a
//!   document without entities can hold: two 16-byte events for every
//!   five bytes of `<a/>x`, in a vector that may just have doubled, is
//!   under 20 bytes per input byte; the benign 1 MB catalogue holds 2.5.
//!   The rest is room for entity expansion, about twenty times the
//!   document in repeated text.
//! - `base` = 256 KiB: the twin's base allowance, four times the 64 KiB
//!   activation threshold of its amplification budget, so that what the
//!   budget lets a small document expand (text and events, each in a
//!   buffer that may have doubled) fits. The parser's fixed allocations
//!   are a few hundred bytes, held or not.
//!
//! The vulnerable twin shares the parser, so on a document without
//! entities it holds what the hardened one does, under the bound; the
//! attacker's memory bomb (`attacks::element_flood_entity`: an entity of
//! a thousand `<a/>` referred to hundreds of times, within a budget that
//! counts bytes) would pass it more than tenfold at 15 KB, and is a
//! finding once it passes it (the memory fuse stops it at four times).
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
