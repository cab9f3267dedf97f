//! The regex family's cost and memory oracles.
//!
//! # Cost oracle
//!
//! Both twins count one step per NFA state visit. A memoised search visits
//! each (state, position) pair at most once, so
//! [`linear_bound`]`(m, n)` = m·(n+1) steps is the most a correct linear
//! matcher needs, m the number of NFA states and n the haystack length.
//!
//! Super-linearity is decided by growth, on the meter. A run over
//! [`TRIGGER`] steps a position (or the linear bound, if that is less) is
//! measured again with the
//! haystack's repeated part doubled ([`pumped`]: the longest run of two or
//! more copies of a unit of 1–16 bytes, given as many copies again): a
//! linear search at most keeps pace with the haystack, r times the steps
//! for r times the positions, while a super-linear one outgrows it. Steps
//! that grow by more than r^1.5, to more than twice the doubled haystack's
//! linear bound (which no linear search of either twin exceeds: a search
//! that stops at an early match on the first haystack and finds none on
//! the second also grows fast), are a [`Kind::SuperlinearTime`] finding
//! (CWE-1333), and the summary gives both measurements. So a linear pattern
//! that spends 5–7 steps a state per byte is not flagged, and a quadratic
//! one with thousands of states is flagged as soon as it outgrows the
//! trigger, not at a fixed multiple of its size. A haystack with no
//! repeated part falls back to the fixed rule, more than [`SLACK`] times
//! the bound; a run over [`HARD`] times the bound, or one the fuse stopped
//! (at `4 * SLACK` times the bound, at least a million steps), is a finding
//! without a second measurement, and a second measurement the fuse stopped
//! outgrows the first. Both
//! runs are deterministic, so the verdict is too. A recursive run deeper
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

use gauntlet_targets::meter::{Fuse, Meter, Resource};
use gauntlet_targets::regex::linear_bound;

use crate::kit::{self, MemoryBound};
use crate::verdict::{Finding, Kind, Verdict};

/// How many times the linear bound a run may take before the cost oracle
/// calls it super-linear without a growth measurement (a haystack with no
/// repeated part).
pub const SLACK: u64 = 4;

/// Steps per haystack position a run may take before the cost oracle
/// measures its growth, whatever the pattern's size: 16 (plus
/// [`TRIGGER_BASE`]). A pattern of thousands of states whose search is
/// quadratic does far fewer than m steps a position on a short haystack,
/// so a trigger proportional to m would only notice it late.
pub const TRIGGER: u64 = 16;

/// Steps any run may take before the cost oracle measures its growth.
pub const TRIGGER_BASE: u64 = 256;

/// The steps of the same search (same twin, same pattern) on another
/// haystack, under the fuse for it, and which fuse stopped it, if one did:
/// how the oracle measures growth.
pub type Rerun<'a> = &'a dyn Fn(&[u8]) -> (u64, Option<Resource>);

/// The [`Rerun`] of a search: `find` (the twin's search of one haystack on
/// the meter it is given) under the fuse for that haystack, for a pattern
/// of `states` NFA states in an `input`-byte input.
pub fn rerun<'a>(
    states: usize,
    input: usize,
    find: impl Fn(&[u8], &mut Meter) + 'a,
) -> impl Fn(&[u8]) -> (u64, Option<Resource>) + 'a {
    move |haystack: &[u8]| {
        let mut meter = Meter::new(fuse(states, haystack.len(), input + haystack.len()));
        find(haystack, &mut meter);
        (meter.cost().steps, meter.tripped().map(|b| b.resource))
    }
}

/// How many times the linear bound a run may take before it is a finding
/// without a growth measurement: 16, four times [`SLACK`] — the fuse's
/// multiple. No linear search of either twin comes near it (the vulnerable
/// twin's linear patterns take at most a few times the bound).
pub const HARD: u64 = 4 * SLACK;

/// The haystack with its repeated part doubled: the longest run of two or
/// more whole copies of a unit of 1 to 16 bytes (the shortest unit on a
/// tie, the first run on a tie), followed by as many copies again. `None`
/// when no unit repeats.
pub fn pumped(haystack: &[u8]) -> Option<Vec<u8>> {
    let mut best: Option<(usize, usize, usize)> = None; // (start, copies, unit)
    for unit in 1..=16usize.min(haystack.len() / 2) {
        let mut run = 0usize; // bytes equal to the byte `unit` before them
        for j in unit..=haystack.len() {
            if j < haystack.len() && haystack[j] == haystack[j - unit] {
                run += 1;
                continue;
            }
            let copies = (run + unit) / unit;
            if copies >= 2 && best.is_none_or(|(_, c, u)| copies * unit > c * u) {
                best = Some((j - run - unit, copies, unit));
            }
            run = 0;
        }
    }
    let (start, copies, unit) = best?;
    let end = start + copies * unit;
    let mut out = Vec::with_capacity(haystack.len() + copies * unit);
    out.extend_from_slice(&haystack[..end]);
    out.extend_from_slice(&haystack[start..end]);
    out.extend_from_slice(&haystack[end..]);
    Some(out)
}

/// Whether `steps2` on `n2` positions outgrows `steps1` on `n1`: more than
/// (n2/n1)^1.5 times.
fn outgrows(steps1: u64, n1: usize, steps2: u64, n2: usize) -> bool {
    let r = (n2 as f64) / (n1.max(1) as f64);
    steps2 as f64 > steps1 as f64 * r.powf(1.5)
}

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
    haystack: &[u8],
    input: usize,
    rerun: Rerun<'_>,
) -> Verdict {
    let n = haystack.len();
    let cost = meter.cost();
    if let Some(depth) = kit::depth_fuse(meter) {
        let summary =
            format!("recursion reached the depth fuse of {depth} frames on a {n}-byte haystack");
        return Finding::of(target, Kind::UnboundedRecursion, "backtrack-recursion")
            .verdict(summary, cost);
    }
    let bound = linear_bound(states, n);
    let found = |summary: String| {
        Finding::of(target, Kind::SuperlinearTime, "backtrack").cwe(1333).verdict(summary, cost)
    };
    let trigger = TRIGGER.saturating_mul(n as u64 + 1).saturating_add(TRIGGER_BASE).min(bound);
    if let Some(fused) = kit::over(cost.steps, trigger, meter) {
        let over = format!(
            "super-linear backtracking: {} steps on {} positions ({states} states, linear bound \
             {bound})",
            cost.steps,
            n + 1
        );
        if !fused.is_empty() || cost.steps > bound.saturating_mul(HARD) {
            return found(format!("{over}, over {HARD} x the bound{fused}"));
        }
        match pumped(haystack) {
            Some(more) => match rerun(&more) {
                // Stopped at the step fuse: at least 16 times its own bound.
                (steps2, Some(Resource::Steps)) => {
                    return found(format!(
                        "{over}, and over {steps2} steps with its repeated part doubled ({} \
                         positions, fuse tripped)",
                        more.len() + 1
                    ));
                }
                // Stopped by the depth or memory fuse: its steps say nothing
                // of its growth, so the fixed rule decides.
                (_, Some(_)) => {
                    if cost.steps > bound.saturating_mul(SLACK) {
                        return found(format!(
                            "{over}, over {SLACK} x the bound (its growth could not be \
                             measured: the doubled input hit another fuse)"
                        ));
                    }
                }
                (steps2, None) => {
                    // Growth alone is not enough: a linear search that found
                    // an early match on the first haystack and none on the
                    // second grows too. The second run must also be past
                    // what any linear search of either twin takes on it
                    // (the hardened twin: at most twice the bound).
                    let bound2 = linear_bound(states, more.len());
                    if outgrows(cost.steps, n + 1, steps2, more.len() + 1)
                        && steps2 > bound2.saturating_mul(2)
                    {
                        return found(format!(
                            "{over}, and {steps2} steps with its repeated part doubled ({} \
                             positions): the work grows faster than the haystack",
                            more.len() + 1
                        ));
                    }
                }
            },
            None if cost.steps > bound.saturating_mul(SLACK) => {
                return found(format!(
                    "super-linear backtracking: {} steps > {SLACK} x linear bound {bound} \
                     ({states} states x {} positions; no repeated part to measure growth on)",
                    cost.steps,
                    n + 1
                ));
            }
            None => {}
        }
    }
    memory(target, meter, states, input).unwrap_or(Verdict::Clean { cost })
}

/// The memory oracle alone, for a run a twin refused after it began (what
/// it held before the refusal was held all the same).
pub fn memory(target: &'static str, meter: &Meter, states: usize, input: usize) -> Option<Verdict> {
    kit::memory(target, "backtrack-memory", meter, input, memory_bound(states))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_repeated_part_is_doubled() {
        assert_eq!(pumped(b"aaaa!").unwrap(), b"aaaaaaaa!");
        assert_eq!(pumped(b"x    x").unwrap(), b"x        x");
        assert_eq!(pumped(b"-abab-ab").unwrap(), b"-abababab-ab");
        assert_eq!(pumped(b"abc"), None);
        assert_eq!(pumped(b""), None);
    }

    #[test]
    fn growth_is_judged_against_the_haystack() {
        // Twice the positions: linear doubles, quadratic quadruples.
        assert!(!outgrows(100, 10, 200, 20));
        assert!(outgrows(100, 10, 400, 20));
        assert!(!outgrows(100, 10, 280, 20));
    }
}
