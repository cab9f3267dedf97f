//! The vocabulary every family uses: [`Family`], [`Target`], [`Variant`]
//! and [`Oracle`].
//!
//! A family says once what its targets share (the input format, the
//! dictionary, the fuzzing policy, the custom mutator); a target says only
//! what is its own (which twin, which oracles, what it is expected to find).
//! The list of families lives in [`crate::families`], which imports this
//! module and never the other way round.

use std::fmt;
use std::path::PathBuf;

use crate::verdict::{Kind, Verdict};

/// Which twin a target is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// The classic mistake: expected to produce findings of its declared
    /// kinds.
    Vulnerable,
    /// The fix: any finding is unexpected.
    Hardened,
    /// The hardened twin (and the vulnerable one where it finishes) compared
    /// with a reference library: any finding is unexpected.
    Differential,
}

impl Variant {
    /// `"vulnerable"`, `"hardened"` or `"differential"`.
    pub fn name(self) -> &'static str {
        match self {
            Variant::Vulnerable => "vulnerable",
            Variant::Hardened => "hardened",
            Variant::Differential => "differential",
        }
    }
}

/// How a target's harness decides a finding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Oracle {
    /// Metered work against a bound proportional to the input.
    Cost,
    /// A planted secret appearing in the output.
    Canary,
    /// Comparison with a reference implementation.
    Differential,
}

impl Oracle {
    /// `"cost"`, `"canary"` or `"differential"`.
    pub fn name(self) -> &'static str {
        match self {
            Oracle::Cost => "cost",
            Oracle::Canary => "canary",
            Oracle::Differential => "differential",
        }
    }
}

/// A family's [`Family::answer`]: what `target`'s twin answers for an
/// input, in words, if anything.
pub type Answer = fn(&Target, &[u8]) -> Option<String>;

/// A structure-aware mutation for libFuzzer (`LLVMFuzzerCustomMutator`):
/// `(input, max_size, seed)` to a new input no longer than `max_size`, or
/// `None` to leave this round to libFuzzer's own mutations.
pub type Mutator = fn(&[u8], usize, u32) -> Option<Vec<u8>>;

/// One family of twins: what its targets share.
pub struct Family {
    /// `regex`, `json`, `xml`, ...: the first half of every target name and
    /// the name of its folders (`targets/src/<name>/`,
    /// `harnesses/src/<name>/`, `corpora/<name>/`).
    pub name: &'static str,
    /// One line describing the input format.
    pub input_format: &'static str,
    /// Extra libFuzzer flags for every target of the family (`-max_len=...`),
    /// passed by `gauntlet fuzz` and the campaign after the common ones.
    pub fuzz_args: &'static [&'static str],
    /// Whether an input the target rejects stays eligible for libFuzzer's
    /// corpus. A family whose way to an attack runs through malformed inputs
    /// (a half-written DTD) keeps them as stepping stones; the others reject
    /// them, so the corpus holds only inputs the twin accepts.
    pub keep_rejected: bool,
    /// The family's structure-aware mutator, if bytes are not enough.
    pub mutator: Option<Mutator>,
    /// The family's targets: vulnerable, hardened, differential.
    pub targets: &'static [Target],
    /// Runs the vulnerable or hardened twin on one input under a meter, with
    /// no oracle: what `gauntlet dos`, the benches and the pumps measure.
    pub twin: crate::dos::Twin,
    /// The family's named attack generators.
    pub attacks: fn() -> Vec<crate::dos::Attack>,
    /// What a target's twin answers for an input, in words (the value a
    /// number parsed to, the buffer a length field sized), for people:
    /// `gauntlet run` prints it beside a clean or rejected verdict, `--json`
    /// as `answer`. `None` for a family whose verdict says it all.
    pub answer: Option<Answer>,
}

impl Family {
    /// The family's corpora folder, relative to the repository root.
    pub fn corpora_dir(&self) -> PathBuf {
        PathBuf::from("corpora").join(self.name)
    }

    /// The seeds every target of the family starts from.
    pub fn seeds_dir(&self) -> PathBuf {
        self.corpora_dir().join("seeds")
    }

    /// The curated reproducers and their `manifest.toml`.
    pub fn reproducers_dir(&self) -> PathBuf {
        self.corpora_dir().join("reproducers")
    }

    /// Inputs of fixed bugs, one folder per variant
    /// (`regressions/differential/`).
    pub fn regressions_dir(&self) -> PathBuf {
        self.corpora_dir().join("regressions")
    }

    /// The libFuzzer dictionary.
    pub fn dict_path(&self) -> PathBuf {
        self.corpora_dir().join(format!("{}.dict", self.name))
    }
}

impl fmt::Debug for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let targets: Vec<&str> = self.targets.iter().map(|t| t.name).collect();
        f.debug_struct("Family")
            .field("name", &self.name)
            .field("keep_rejected", &self.keep_rejected)
            .field("mutator", &self.mutator.is_some())
            .field("targets", &targets)
            .finish_non_exhaustive()
    }
}

/// One target: a twin (or a differential pairing) and its harness.
pub struct Target {
    /// `<family>-<variant>`, as used on the command line.
    pub name: &'static str,
    /// The family it belongs to.
    pub family: &'static Family,
    /// Which twin.
    pub variant: Variant,
    /// CWEs this target demonstrates or defends against.
    pub cwes: &'static [u32],
    /// Finding kinds this target is expected to produce (vulnerable twins
    /// only; empty for the others).
    pub expected: &'static [Kind],
    /// The oracles its harness applies.
    pub oracles: &'static [Oracle],
    /// The source file of the code under attack, relative to the repository
    /// root (where reports locate findings).
    pub source: &'static str,
    /// Runs one input through the harness. Panics propagate; use
    /// [`Target::check`] to turn them into findings.
    pub run: fn(&[u8]) -> Verdict,
}

impl Target {
    /// Runs one input, turning a panic in the target into a
    /// [`Kind::Panic`] finding.
    pub fn check(&self, input: &[u8]) -> Verdict {
        crate::guard::check(self, input)
    }

    /// Whether a finding of `kind` is expected from this target.
    pub fn is_expected(&self, kind: Kind) -> bool {
        self.expected.contains(&kind)
    }

    /// The cargo-fuzz target name: the name with `_` for `-`.
    pub fn fuzz_name(&self) -> String {
        self.name.replace('-', "_")
    }

    /// What this target's twin answers for `input`, in words, if its
    /// family says ([`Family::answer`]).
    pub fn answer(&self, input: &[u8]) -> Option<String> {
        self.family.answer.and_then(|answer| answer(self, input))
    }

    /// The family's input format.
    pub fn input_format(&self) -> &'static str {
        self.family.input_format
    }

    /// The libFuzzer dictionary, relative to the repository root.
    pub fn dict_path(&self) -> PathBuf {
        self.family.dict_path()
    }

    /// The seed corpus directory, relative to the repository root.
    pub fn seeds_path(&self) -> PathBuf {
        self.family.seeds_dir()
    }

    /// This target's regressions directory, relative to the repository root.
    pub fn regressions_path(&self) -> PathBuf {
        self.family.regressions_dir().join(self.variant.name())
    }

    /// Extra libFuzzer flags (the family's).
    pub fn fuzz_args(&self) -> &'static [&'static str] {
        self.family.fuzz_args
    }
}

impl fmt::Debug for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Target")
            .field("name", &self.name)
            .field("family", &self.family.name)
            .field("variant", &self.variant)
            .field("expected", &self.expected)
            .finish_non_exhaustive()
    }
}
