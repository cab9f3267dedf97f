//! The regex family's cost and memory oracles.
//!
//! # Cost oracle
//!
//! Both twins count one step per NFA state visit. A memoised search visits
//! each (state, position) pair at most once, so
//! [`linear_bound`]`(m, n)` = m·(n+1) steps is the most a correct linear
//! matcher needs, m the number of NFA states and n the haystack length. A
//! run that takes more than [`SLACK`] times that is a
//! [`Kind::SuperlinearTime`] finding (CWE-1333): the slack keeps a few
//! redundant visits on a tiny input (`^*^a` on an empty haystack costs 6
//! steps against a bound of 5) from counting as a denial of service, while
//! anything that grows faster than the input crosses it quickly. The fuse
//! stops a run at `4 * SLACK` times the bound (at least a million steps), so
//! a finding is decided in time linear in the input. A recursive run deeper
//! than the depth fuse is a [`Kind::UnboundedRecursion`] finding (CWE-674).
//!
//! # Memory oracle
//!
//! Both twins hold on the meter what their search keeps: the hardened twin
//! its visited sets, explicit stack and path; the vulnerable twin its
//! `active` and `undo` tables and [`FRAME_BYTES`] of call stack per level of
//! recursion. A run whose peak is over [`memory_bound`]`(m)` =
//! [`BYTES_PER_PAIR`] · m bytes per input byte + [`MEMORY_BASE`] is a
//! [`Kind::MemoryAmplification`] finding (CWE-789); the fuse stops a run at
//! four times that. Why those numbers:
//!
//! - **32 · m bytes per input byte.** Like the step bound, the memory bound
//!   is per (state, position) pair: a memoised backtracker needs room for
//!   every pair it may visit. The hardened twin holds at most
//!   [`hardened::BYTES_PER_PAIR`] = 29 bytes a pair (a 24-byte stack frame
//!   for a union pair, a 4-byte path entry, two memo bits), neither buffer
//!   growing past the number of pairs, so at most 29·m·(n+1) + 16 bytes;
//!   32 rounds it up. An input of N bytes has a haystack of n ≤ N − 1 bytes
//!   (the pattern line ends in `\n`; without one the haystack is empty and
//!   there is one position), so m·(n+1) ≤ m·N.
//! - **Linear in the input.** m is the pattern's, and the hardened pattern
//!   limits bound it: at least 24 bytes of NFA a state (measured: `a{10000}`
//!   compiles to 10,003 states in 240,540 bytes) under a size limit of
//!   1 MiB, so m ≤ 43,690 and the bound is at most 32 · 43,690 · N + 64 KiB
//!   for any input of N bytes.
//! - **64 KiB.** The memo's rounding to whole words (16 bytes) and the
//!   minimum capacities of small searches, with room to spare; and the
//!   vulnerable twin's first 150 levels of recursion on a short haystack.
//!
//! The vulnerable twin crosses the bound where its recursion holds more than
//! a memoised search would: a 432-byte frame per level against 32 · m bytes
//! per byte. `a*` against 1,500 `a`s (m = 5) recurses 1,500 deep and holds
//! about 700 KB against a bound of 306,016 (see [`attacks::star_run`]);
//! deeper than the depth fuse of 2,000, the recursion oracle speaks first.
//!
//! [`FRAME_BYTES`]: gauntlet_targets::regex::vulnerable::FRAME_BYTES
//! [`hardened::BYTES_PER_PAIR`]: gauntlet_targets::regex::hardened::BYTES_PER_PAIR
//! [`attacks::star_run`]: super::attacks::star_run

use gauntlet_targets::meter::{Fuse, Meter};
use gauntlet_targets::regex::linear_bound;

use crate::kit::{self, MemoryBound};
use crate::verdict::{Finding, Kind, Verdict};

/// How many times the linear bound a run may take before the cost oracle
/// calls it super-linear.
pub const SLACK: u64 = 4;

/// Bytes a run may hold per (state, position) pair, so per input byte for
/// each NFA state: [`gauntlet_targets::regex::hardened::BYTES_PER_PAIR`]
/// rounded up.
pub const BYTES_PER_PAIR: u64 = 32;

/// Bytes a run may hold whatever the input.
pub const MEMORY_BASE: u64 = 64 << 10;

/// The memory bound for a pattern of `states` NFA states:
/// [`BYTES_PER_PAIR`] · `states` bytes per input byte + [`MEMORY_BASE`].
pub fn memory_bound(states: usize) -> MemoryBound {
    MemoryBound { per_byte: BYTES_PER_PAIR.saturating_mul(states as u64), base: MEMORY_BASE }
}

/// The fuse for a search whose linear bound is `bound` steps (memory at
/// the meter's default).
pub fn fuse_for(bound: u64) -> Fuse {
    Fuse::default().with_steps(bound.saturating_mul(4 * SLACK).max(1_000_000))
}

/// The fuse for a search of a pattern of `states` NFA states over a
/// `haystack`-byte haystack in an `input`-byte input: steps as
/// [`fuse_for`], memory at four times [`memory_bound`].
pub fn fuse(states: usize, haystack: usize, input: usize) -> Fuse {
    fuse_for(linear_bound(states, haystack)).with_memory(memory_bound(states).fuse(input))
}

/// The cost and memory oracles on a finished (or fused) search of a
/// pattern of `states` NFA states over an `n`-byte haystack in an
/// `input`-byte input: recursion at the depth fuse, then steps, then
/// memory.
pub fn verdict(
    target: &'static str,
    meter: &Meter,
    states: usize,
    n: usize,
    input: usize,
) -> Verdict {
    let cost = meter.cost();
    if let Some(depth) = kit::depth_fuse(meter) {
        let summary =
            format!("recursion reached the depth fuse of {depth} frames on a {n}-byte haystack");
        return Finding::of(target, Kind::UnboundedRecursion, "backtrack-recursion")
            .verdict(summary, cost);
    }
    let bound = linear_bound(states, n);
    if let Some(fused) = kit::over(cost.steps, bound.saturating_mul(SLACK), meter) {
        let summary = format!(
            "super-linear backtracking: {} steps > {SLACK} x linear bound {bound} ({states} \
             states x {} positions){fused}",
            cost.steps,
            n + 1
        );
        return Finding::of(target, Kind::SuperlinearTime, "backtrack")
            .cwe(1333)
            .verdict(summary, cost);
    }
    memory(target, meter, states, input).unwrap_or(Verdict::Clean { cost })
}

/// The memory oracle alone, for a run a twin refused after it began (what
/// it held before the refusal was held all the same).
pub fn memory(target: &'static str, meter: &Meter, states: usize, input: usize) -> Option<Verdict> {
    kit::memory(target, "backtrack-memory", meter, input, memory_bound(states))
}
