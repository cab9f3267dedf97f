//! The shared oracle kit: the checks, wordings and feedback every family's
//! oracles are made of, written once.
//!
//! - [`rejected`]: a refusal with the target's reason and the run's cost.
//! - [`depth_fuse`]: whether the run was stopped by the depth fuse — the
//!   recursion oracle of every recursive twin.
//! - [`over`]: the over-bound check of a cost oracle, with the
//!   " (fuse tripped)" wording its summary carries when the fuse, not the
//!   end of the input, stopped the run.
//! - [`MemoryBound`] and [`memory`]: the memory oracle every family
//!   applies — peak bytes held above a bound linear in the input.
//! - [`FindingBuilder`] (from [`Finding::of`]): a finding that takes its
//!   kind's default CWE unless told otherwise.
//! - [`cost_feedback`]: the metered cost turned into libFuzzer coverage.
//! - [`Rng`] and [`dictionary`]: what the families' structure-aware
//!   mutators draw on — a deterministic generator and the tokens of the
//!   family's libFuzzer dictionary.

use gauntlet_targets::meter::{Cost, Meter, Resource};

use crate::verdict::{Finding, Kind, Verdict};

/// A rejection: the target refused the input for `reason`.
pub fn rejected(reason: impl ToString, meter: &Meter) -> Verdict {
    Verdict::Rejected { reason: reason.to_string(), cost: meter.cost() }
}

/// The depth the fuse allowed, when the depth fuse stopped the run.
pub fn depth_fuse(meter: &Meter) -> Option<u64> {
    (meter.tripped().map(|b| b.resource) == Some(Resource::Depth)).then(|| meter.fuse().depth)
}

/// The over-bound check: `Some(wording)` when `measured > bound`, the
/// wording being `" (fuse tripped)"` when a fuse stopped the run (the cost
/// is then a lower bound of what the input would take) and `""` otherwise.
pub fn over(measured: u64, bound: u64, meter: &Meter) -> Option<&'static str> {
    (measured > bound).then(|| if meter.tripped().is_some() { " (fuse tripped)" } else { "" })
}

/// A bound on the memory a run may hold at its peak, linear in the input:
/// `per_byte · n + base` for an n-byte input. Each family states its own
/// constants next to its oracles, and its hardened twin guarantees to stay
/// under them for every input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MemoryBound {
    /// Bytes a target may hold per input byte.
    pub per_byte: u64,
    /// Bytes a target may hold whatever the input (tables, buffers).
    pub base: u64,
}

impl MemoryBound {
    /// The bound for an `n`-byte input.
    pub const fn of(&self, n: usize) -> u64 {
        self.per_byte.saturating_mul(n as u64).saturating_add(self.base)
    }

    /// The memory fuse for an `n`-byte input: four times the bound, so a
    /// run over it is stopped while the oracle can still call it.
    pub const fn fuse(&self, n: usize) -> u64 {
        self.of(n).saturating_mul(4)
    }
}

/// The memory oracle: a [`Kind::MemoryAmplification`] finding (CWE-789)
/// at `location` when the run's peak held memory is over `bound` for its
/// `n`-byte input.
pub fn memory(
    target: &'static str,
    location: &str,
    meter: &Meter,
    n: usize,
    bound: MemoryBound,
) -> Option<Verdict> {
    let cost = meter.cost();
    let limit = bound.of(n);
    let fused = over(cost.memory, limit, meter)?;
    let summary = format!(
        "memory held peaked at {} bytes for a {n}-byte input, bound {limit} ({} x input + \
         {}){fused}",
        cost.memory, bound.per_byte, bound.base
    );
    Some(Finding::of(target, Kind::MemoryAmplification, location).verdict(summary, cost))
}

/// A finding under construction: target, kind and location fixed, the CWE
/// the kind's default until [`FindingBuilder::cwe`] says otherwise.
#[derive(Clone, Debug)]
#[must_use]
pub struct FindingBuilder {
    target: &'static str,
    kind: Kind,
    cwe: u32,
    location: String,
}

impl Finding {
    /// Starts a finding of `kind` by `target` at `location` (the oracle's
    /// name for the bug: the signature is made from it).
    pub fn of(target: &'static str, kind: Kind, location: impl Into<String>) -> FindingBuilder {
        FindingBuilder { target, kind, cwe: kind.default_cwe(), location: location.into() }
    }
}

impl FindingBuilder {
    /// A more specific CWE than the kind's default (CWE-1333 for a regex's
    /// super-linear time, CWE-611 for XXE).
    pub fn cwe(mut self, cwe: u32) -> FindingBuilder {
        self.cwe = cwe;
        self
    }

    /// The finding, with its one-line summary and the measured cost.
    pub fn build(self, summary: impl Into<String>, cost: Cost) -> Finding {
        Finding::new(self.target, self.kind, self.cwe, self.location, summary, cost)
    }

    /// The finding as a verdict.
    pub fn verdict(self, summary: impl Into<String>, cost: Cost) -> Verdict {
        Verdict::Finding(self.build(summary, cost))
    }
}

/// The metered cost as libFuzzer coverage (PerfFuzz's idea, Lemieux et al.,
/// ISSTA 2018).
///
/// libFuzzer keeps an input that reaches new edges, but a backtracker, an
/// entity expansion or a degraded hash table runs through the same edges
/// whether it does a kilobyte of work or a gigabyte, so edge coverage alone
/// gives the fuzzer no reason to keep an input that costs more. One branch
/// per power of two of every meter dimension — steps, bytes out, depth,
/// probes, memory — absolute and per input byte, gives it one: an input that
/// doubles any of them reaches a new edge and is kept, and the next mutation
/// starts from it. The fuzz adapter calls this after every run; it costs a
/// few dozen comparisons and changes no verdict.
pub fn cost_feedback(cost: Cost, input_len: usize) {
    if !feedback_enabled() {
        return;
    }
    let n = (input_len as u64).max(1);
    // Unrolled on purpose: each rung must be its own branch to be its own
    // edge, and `black_box` keeps the compiler from merging them. Each
    // dimension expands the macro anew, so its rungs are edges of its own.
    macro_rules! rungs {
        ($x:expr; $($k:literal)*) => {{
            let x: u64 = $x;
            $( if x >> $k != 0 { std::hint::black_box($k); } )*
        }};
    }
    rungs!(cost.steps; 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24);
    rungs!(cost.steps / n; 0 1 2 3 4 5 6 7 8 9 10 11 12);
    rungs!(cost.bytes_out; 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24);
    rungs!(cost.bytes_out / n; 0 1 2 3 4 5 6 7 8 9 10 11 12);
    rungs!(cost.depth; 1 2 3 4 5 6 7 8 9 10 11);
    rungs!(cost.depth.saturating_mul(64) / n; 0 1 2 3 4 5 6);
    rungs!(cost.probes; 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24);
    rungs!(cost.probes / n; 0 1 2 3 4 5 6 7 8 9 10 11 12);
    rungs!(cost.memory; 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28);
    rungs!(cost.memory / n; 0 1 2 3 4 5 6 7 8 9 10 11 12);
}

/// Whether [`cost_feedback`] is on: it is unless the environment sets
/// `GAUNTLET_COST_FEEDBACK=0`, read once per process — the switch for
/// measuring what the feedback buys.
pub fn feedback_enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("GAUNTLET_COST_FEEDBACK").is_none_or(|v| v != "0"))
}

/// A small deterministic generator for mutators (SplitMix64): the same seed
/// gives the same mutation, so a libFuzzer run replays.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    /// A generator seeded with libFuzzer's seed for this mutation.
    pub fn new(seed: u32) -> Rng {
        Rng(u64::from(seed))
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (0 when `n` is 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// `n` random bytes, for `arbitrary::Unstructured`.
    pub fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next_u64() as u8).collect()
    }
}

/// The tokens of a libFuzzer dictionary (`name="value"` or `"value"` lines,
/// `#` comments), with `\\`, `\"` and `\xNN` escapes decoded. Lines that do
/// not parse are skipped, as libFuzzer would refuse them.
pub fn dictionary(text: &str) -> Vec<Vec<u8>> {
    let mut tokens = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || !line.ends_with('"') {
            continue;
        }
        let Some(open) = line.find('"').filter(|&open| open < line.len() - 1) else {
            continue;
        };
        let body = &line.as_bytes()[open + 1..line.len() - 1];
        let mut token = Vec::with_capacity(body.len());
        let mut rest = body;
        while let Some((&c, tail)) = rest.split_first() {
            rest = tail;
            if c != b'\\' {
                token.push(c);
                continue;
            }
            match rest {
                [b'x', hi, lo, tail @ ..] => {
                    let hex = [*hi, *lo];
                    let Some(b) =
                        std::str::from_utf8(&hex).ok().and_then(|h| u8::from_str_radix(h, 16).ok())
                    else {
                        break;
                    };
                    token.push(b);
                    rest = tail;
                }
                [escaped, tail @ ..] => {
                    token.push(*escaped);
                    rest = tail;
                }
                [] => break,
            }
        }
        tokens.push(token);
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;
    use gauntlet_targets::meter::Fuse;

    #[test]
    fn a_finding_takes_its_kind_default_cwe_unless_told() {
        let f = Finding::of("t", Kind::UnboundedRecursion, "here").build("s", Cost::default());
        assert_eq!(f.cwe, 674);
        let f = Finding::of("t", Kind::SecretLeak, "here").cwe(611).build("s", Cost::default());
        assert_eq!((f.cwe, f.kind), (611, Kind::SecretLeak));
    }

    #[test]
    fn memory_over_its_linear_bound_is_a_finding() {
        let bound = MemoryBound { per_byte: 8, base: 100 };
        assert_eq!(bound.of(10), 180);
        let mut m = Meter::new(Fuse::default().with_memory(bound.fuse(10)));
        m.hold(180).unwrap();
        assert!(memory("t", "here", &m, 10, bound).is_none());
        m.hold(1).unwrap();
        let f = memory("t", "here", &m, 10, bound).unwrap();
        let f = f.finding().unwrap();
        assert_eq!((f.kind, f.cwe, f.cost.memory), (Kind::MemoryAmplification, 789, 181));
        assert!(f.summary.contains("181 bytes for a 10-byte input, bound 180"), "{}", f.summary);
    }

    #[test]
    fn dictionaries_are_read_as_libfuzzer_reads_them() {
        let text = "# c\n\"a\\\"b\"\nkw=\"\\x41\\\\\"\n\n  \"x\"  \nbad\n";
        assert_eq!(dictionary(text), [b"a\"b".to_vec(), b"A\\".to_vec(), b"x".to_vec()]);
        let mut rng = Rng::new(7);
        assert!((0..100).all(|_| rng.below(3) < 3));
        assert_eq!(Rng::new(7).bytes(8), Rng::new(7).bytes(8));
    }

    #[test]
    fn over_says_whether_the_fuse_stopped_the_run() {
        let mut m = Meter::new(Fuse::default().with_steps(2));
        assert_eq!(over(1, 1, &m), None);
        assert_eq!(over(2, 1, &m), Some(""));
        assert!(m.steps(3).is_err());
        assert_eq!(over(3, 1, &m), Some(" (fuse tripped)"));
        assert_eq!(depth_fuse(&m), None);
        let mut m = Meter::new(Fuse::default().with_depth(1));
        m.enter().unwrap();
        assert!(m.enter().is_err());
        assert_eq!(depth_fuse(&m), Some(1));
    }
}
