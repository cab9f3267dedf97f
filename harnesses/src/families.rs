//! The list of families: the one place the CLI, fuzz targets, tests and
//! benches find every target.
//!
//! Adding a family means writing its folder (`harnesses/src/<family>/`,
//! whose `mod.rs` holds its [`Family`] descriptor) and adding it to
//! [`FAMILIES`].

use crate::target::{Family, Target};

/// Every family, in the order they are listed and fuzzed.
pub static FAMILIES: &[&Family] = &[
    &crate::regex::FAMILY,
    &crate::json::FAMILY,
    &crate::xml::FAMILY,
    &crate::path::FAMILY,
    &crate::format::FAMILY,
    &crate::int::FAMILY,
];

/// Every target of every family, family by family.
pub fn targets() -> impl Iterator<Item = &'static Target> {
    FAMILIES.iter().flat_map(|f| f.targets.iter())
}

/// The target with this name, if any.
pub fn find(name: &str) -> Option<&'static Target> {
    targets().find(|t| t.name == name)
}

/// The family with this name, if any.
pub fn family(name: &str) -> Option<&'static Family> {
    FAMILIES.iter().copied().find(|f| f.name == name)
}

/// Every target name, for "did you mean" messages.
pub fn names() -> Vec<&'static str> {
    targets().map(|t| t.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Variant;

    #[test]
    fn names_are_unique_and_well_formed() {
        let mut seen = std::collections::HashSet::new();
        for t in targets() {
            assert!(seen.insert(t.name), "duplicate target {}", t.name);
            assert_eq!(t.name, format!("{}-{}", t.family.name, t.variant.name()));
            assert_eq!(t.variant == Variant::Vulnerable, !t.expected.is_empty(), "{}", t.name);
            assert!(!t.oracles.is_empty() && !t.cwes.is_empty(), "{}", t.name);
            assert!(std::ptr::eq(family(t.family.name).unwrap(), t.family), "{}", t.name);
        }
    }

    #[test]
    fn every_family_has_its_three_targets_source_dictionary_and_seeds() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for f in FAMILIES {
            let variants: Vec<Variant> = f.targets.iter().map(|t| t.variant).collect();
            assert_eq!(
                variants,
                [Variant::Vulnerable, Variant::Hardened, Variant::Differential],
                "{}",
                f.name
            );
            assert!(root.join(f.dict_path()).is_file(), "{}: missing dictionary", f.name);
            let seeds = root.join(f.seeds_dir());
            let n = std::fs::read_dir(&seeds).map(|d| d.count()).unwrap_or(0);
            assert!(n > 0, "{}: no seeds in {}", f.name, seeds.display());
            for t in f.targets {
                assert!(root.join(t.source).is_file(), "{}: missing {}", t.name, t.source);
            }
        }
    }
}
