//! What a run of a target concluded: [`Verdict`], [`Finding`] and [`Kind`].

use std::fmt;

use gauntlet_targets::meter::Cost;
use serde::{Deserialize, Serialize};

/// The classes of bug an oracle can report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Kind {
    /// Work grows faster than linearly in the input (ReDoS, quadratic parsing).
    SuperlinearTime,
    /// Output grows far beyond the input (entity expansion, padding).
    Amplification,
    /// Recursion or nesting without a limit (stack exhaustion).
    UnboundedRecursion,
    /// A hash table degraded by colliding keys.
    HashCollision,
    /// Memory held grows far beyond the input (a DOM per byte, a stack per
    /// level, an unbounded buffer).
    MemoryAmplification,
    /// A planted secret appeared in the output.
    SecretLeak,
    /// A path resolved outside its root.
    PathEscape,
    /// An integer wrapped, saturated or was truncated.
    IntegerOverflow,
    /// A size computed with an arithmetic that wrapped: the buffer
    /// allocated is smaller than the data it was checked for.
    UndersizedAllocation,
    /// The target disagrees with its reference implementation.
    DifferentialMismatch,
    /// The target panicked.
    Panic,
}

impl Kind {
    /// Every kind, in declaration order.
    pub const ALL: [Kind; 11] = [
        Kind::SuperlinearTime,
        Kind::Amplification,
        Kind::UnboundedRecursion,
        Kind::HashCollision,
        Kind::MemoryAmplification,
        Kind::SecretLeak,
        Kind::PathEscape,
        Kind::IntegerOverflow,
        Kind::UndersizedAllocation,
        Kind::DifferentialMismatch,
        Kind::Panic,
    ];

    /// The name used in manifests, JSON and reports (`SuperlinearTime`).
    pub fn name(self) -> &'static str {
        match self {
            Kind::SuperlinearTime => "SuperlinearTime",
            Kind::Amplification => "Amplification",
            Kind::UnboundedRecursion => "UnboundedRecursion",
            Kind::HashCollision => "HashCollision",
            Kind::MemoryAmplification => "MemoryAmplification",
            Kind::SecretLeak => "SecretLeak",
            Kind::PathEscape => "PathEscape",
            Kind::IntegerOverflow => "IntegerOverflow",
            Kind::UndersizedAllocation => "UndersizedAllocation",
            Kind::DifferentialMismatch => "DifferentialMismatch",
            Kind::Panic => "Panic",
        }
    }

    /// The kind with this [`Kind::name`].
    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// A lowercase, hyphenated form for file names (`superlinear-time`).
    pub fn slug(self) -> &'static str {
        match self {
            Kind::SuperlinearTime => "superlinear-time",
            Kind::Amplification => "amplification",
            Kind::UnboundedRecursion => "unbounded-recursion",
            Kind::HashCollision => "hash-collision",
            Kind::MemoryAmplification => "memory-amplification",
            Kind::SecretLeak => "secret-leak",
            Kind::PathEscape => "path-escape",
            Kind::IntegerOverflow => "integer-overflow",
            Kind::UndersizedAllocation => "undersized-allocation",
            Kind::DifferentialMismatch => "differential-mismatch",
            Kind::Panic => "panic",
        }
    }

    /// One line that says what this kind of finding is, for people and for
    /// the rules of a SARIF report ("Work grows faster than linearly in the
    /// input").
    pub fn description(self) -> &'static str {
        match self {
            Kind::SuperlinearTime => "Work grows faster than linearly in the input",
            Kind::Amplification => "Output grows far beyond the input",
            Kind::UnboundedRecursion => "Recursion or nesting without a limit",
            Kind::HashCollision => "Hash table degraded by colliding keys",
            Kind::MemoryAmplification => "Memory held grows far beyond the input",
            Kind::SecretLeak => "A planted secret appears in the output",
            Kind::PathEscape => "A path resolves outside its root",
            Kind::IntegerOverflow => "An integer wraps, saturates or is truncated",
            Kind::UndersizedAllocation => "A wrapped size calculation allocates too little",
            Kind::DifferentialMismatch => "Disagreement with the reference implementation",
            Kind::Panic => "The target panicked",
        }
    }

    /// The CWE usually reported for this kind; a harness may report a more
    /// specific one (CWE-1333 for a regex's super-linear time).
    pub fn default_cwe(self) -> u32 {
        match self {
            Kind::SuperlinearTime => 407,
            Kind::Amplification => 776,
            Kind::UnboundedRecursion => 674,
            Kind::HashCollision => 407,
            Kind::MemoryAmplification => 789,
            Kind::SecretLeak => 200,
            Kind::PathEscape => 22,
            Kind::IntegerOverflow => 190,
            Kind::UndersizedAllocation => 680,
            Kind::DifferentialMismatch => 436,
            Kind::Panic => 248,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A bug an oracle found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The target's registry name.
    pub target: &'static str,
    /// The class of bug.
    pub kind: Kind,
    /// The CWE number.
    pub cwe: u32,
    /// One line with the measured cost, for people.
    pub summary: String,
    /// The normalised location the signature is made from: the oracle's
    /// name for the bug, or `file:line` of a panic. Not input-specific.
    pub location: String,
    /// Stable identifier for de-duplication: the same for every input that
    /// hits the same bug. See [`signature`].
    pub signature: String,
    /// What the run cost when the oracle fired.
    pub cost: Cost,
}

impl Finding {
    /// A finding, its signature computed from target, kind and location.
    pub fn new(
        target: &'static str,
        kind: Kind,
        cwe: u32,
        location: impl Into<String>,
        summary: impl Into<String>,
        cost: Cost,
    ) -> Finding {
        let location = location.into();
        let signature = signature(target, kind, &location);
        Finding { target, kind, cwe, summary: summary.into(), location, signature, cost }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} (CWE-{}) [{}]: {}",
            self.target, self.kind, self.cwe, self.signature, self.summary
        )
    }
}

/// The conclusion of one input through one target.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The target handled the input and no oracle fired.
    Clean {
        /// What the run cost.
        cost: Cost,
    },
    /// The target refused the input (a syntax error, a limit); no oracle
    /// fired.
    Rejected {
        /// The target's own message.
        reason: String,
        /// What the run cost.
        cost: Cost,
    },
    /// An oracle fired.
    Finding(Finding),
}

impl Verdict {
    /// What the run cost.
    pub fn cost(&self) -> Cost {
        match self {
            Verdict::Clean { cost } | Verdict::Rejected { cost, .. } => *cost,
            Verdict::Finding(f) => f.cost,
        }
    }

    /// `"clean"`, `"rejected"` or `"finding"`.
    pub fn status(&self) -> &'static str {
        match self {
            Verdict::Clean { .. } => "clean",
            Verdict::Rejected { .. } => "rejected",
            Verdict::Finding(_) => "finding",
        }
    }

    /// The finding, if this is one.
    pub fn finding(&self) -> Option<&Finding> {
        match self {
            Verdict::Finding(f) => Some(f),
            _ => None,
        }
    }
}

/// The de-duplication signature: `<kind-slug>-<16 hex digits>`, the digits
/// an FNV-1a hash of target, kind and normalised location. Safe as a
/// directory name, and the same on every machine and every run.
pub fn signature(target: &str, kind: Kind, location: &str) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for part in [target.as_bytes(), kind.name().as_bytes(), location.as_bytes()] {
        for &b in part.iter().chain(std::iter::once(&0u8)) {
            hash ^= u64::from(b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{}-{hash:016x}", kind.slug())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_depends_on_target_kind_and_location_only() {
        let a = Finding::new("t", Kind::Panic, 248, "a.rs:1", "one", Cost::default());
        let b = Finding::new("t", Kind::Panic, 248, "a.rs:1", "two", Cost { steps: 9, ..a.cost });
        assert_eq!(a.signature, b.signature);
        assert_ne!(a.signature, signature("t", Kind::Panic, "a.rs:2"));
        assert_ne!(a.signature, signature("u", Kind::Panic, "a.rs:1"));
        assert!(a.signature.starts_with("panic-"));
        assert_eq!(a.signature.len(), "panic-".len() + 16);
    }

    #[test]
    fn kind_names_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_name(k.name()), Some(k));
        }
    }
}
