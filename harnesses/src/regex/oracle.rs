//! The regex family's cost oracle.
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

use gauntlet_targets::meter::{Fuse, Meter};
use gauntlet_targets::regex::linear_bound;

use crate::kit;
use crate::verdict::{Finding, Kind, Verdict};

/// How many times the linear bound a run may take before the cost oracle
/// calls it super-linear.
pub const SLACK: u64 = 4;

/// The fuse for a search whose linear bound is `bound` steps.
pub fn fuse_for(bound: u64) -> Fuse {
    Fuse::default().with_steps(bound.saturating_mul(4 * SLACK).max(1_000_000))
}

/// The cost oracle on a finished (or fused) search of a pattern of `states`
/// NFA states over an `n`-byte haystack.
pub fn verdict(target: &'static str, meter: &Meter, states: usize, n: usize) -> Verdict {
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
    Verdict::Clean { cost }
}
