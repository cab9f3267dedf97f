//! Every target gauntlet knows: the one list the CLI, fuzz targets, tests
//! and benches all go through.
//!
//! Adding a family means adding its harness module and appending its
//! targets to [`TARGETS`]; nothing else in the core changes.

use crate::guard;
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

/// One target: a twin (or a differential pairing) and its harness.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    /// `<family>-<variant>`, as used on the command line.
    pub name: &'static str,
    /// The family (`regex`, `xml`, ...).
    pub family: &'static str,
    /// Which twin.
    pub variant: Variant,
    /// CWEs this target demonstrates or defends against.
    pub cwes: &'static [u32],
    /// Finding kinds this target is expected to produce (vulnerable twins
    /// only; empty for the others).
    pub expected: &'static [Kind],
    /// The oracles its harness applies.
    pub oracles: &'static [Oracle],
    /// One line describing the input format.
    pub input_format: &'static str,
    /// The source file of the code under attack, relative to the repository
    /// root (where reports locate findings).
    pub source: &'static str,
    /// Extra libFuzzer flags for this target (`-max_len=...`), passed by
    /// `gauntlet fuzz` and the campaign after the common ones.
    pub fuzz_args: &'static [&'static str],
    /// Runs one input through the harness. Panics propagate; use
    /// [`Target::check`] to turn them into findings.
    pub run: fn(&[u8]) -> Verdict,
}

impl Target {
    /// Runs one input, turning a panic in the target into a
    /// [`Kind::Panic`] finding.
    pub fn check(&self, input: &[u8]) -> Verdict {
        guard::check(self, input)
    }

    /// Whether a finding of `kind` is expected from this target.
    pub fn is_expected(&self, kind: Kind) -> bool {
        self.expected.contains(&kind)
    }

    /// The cargo-fuzz target name: the name with `_` for `-`.
    pub fn fuzz_name(&self) -> String {
        self.name.replace('-', "_")
    }

    /// The libFuzzer dictionary, relative to the repository root.
    pub fn dict_path(&self) -> String {
        format!("corpora/dicts/{}.dict", self.family)
    }

    /// The seed corpus directory, relative to the repository root.
    pub fn seeds_path(&self) -> String {
        format!("corpora/{}", self.fuzz_name())
    }
}

/// Every target, grouped by family.
pub static TARGETS: &[Target] = &[
    crate::regex::VULNERABLE,
    crate::regex::HARDENED,
    crate::regex::DIFFERENTIAL,
    crate::json::VULNERABLE,
    crate::json::HARDENED,
    crate::json::DIFFERENTIAL,
    crate::xml::VULNERABLE,
    crate::xml::HARDENED,
    crate::xml::DIFFERENTIAL,
];

/// The target with this name, if any.
pub fn find(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// Every target name, for "did you mean" messages.
pub fn names() -> Vec<&'static str> {
    TARGETS.iter().map(|t| t.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for t in TARGETS {
            assert!(seen.insert(t.name), "duplicate target {}", t.name);
            assert_eq!(t.name, format!("{}-{}", t.family, t.variant.name()));
            assert_eq!(t.variant == Variant::Vulnerable, !t.expected.is_empty(), "{}", t.name);
            assert!(!t.oracles.is_empty() && !t.cwes.is_empty(), "{}", t.name);
        }
    }

    #[test]
    fn every_target_has_its_source_dictionary_and_seeds() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for t in TARGETS {
            assert!(root.join(t.source).is_file(), "{}: missing {}", t.name, t.source);
            assert!(root.join(t.dict_path()).is_file(), "{}: missing dictionary", t.name);
            let seeds = root.join(t.seeds_path());
            let n = std::fs::read_dir(&seeds).map(|d| d.count()).unwrap_or(0);
            assert!(n > 0, "{}: no seeds in {}", t.name, seeds.display());
        }
    }
}
