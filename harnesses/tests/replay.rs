//! Every committed seed, reproducer and regression against its expectation.

mod support;

use gauntlet_harnesses::manifest::{self, Source};
use gauntlet_harnesses::{targets, Variant, FAMILIES};
use support::root;

#[test]
fn every_committed_file_does_what_its_manifest_says() {
    let results = manifest::replay(root(), &[]).expect("corpora are well-formed");
    let failures: Vec<String> = results
        .iter()
        .filter(|r| !r.pass())
        .map(|r| {
            format!(
                "{} {}: expected {}, got {:?}",
                r.target.name,
                r.file.display(),
                r.expect,
                r.verdict
            )
        })
        .collect();
    assert!(failures.is_empty(), "{} failures:\n{}", failures.len(), failures.join("\n"));

    // Every reproducer was replayed through every target of its family.
    for family in FAMILIES {
        let manifest = manifest::load(root(), family).unwrap().expect("a manifest");
        for t in family.targets {
            let n = results
                .iter()
                .filter(|r| r.source == Source::Reproducer && r.target.name == t.name)
                .count();
            assert_eq!(n, manifest.cases.len(), "{}", t.name);
        }
    }
    // Each vulnerable twin's declared kinds are all demonstrated.
    for t in targets().filter(|t| t.variant == Variant::Vulnerable) {
        for kind in t.expected {
            let shown = results.iter().any(|r| {
                r.target.name == t.name && r.verdict.finding().is_some_and(|f| f.kind == *kind)
            });
            assert!(shown, "{}: no reproducer shows {kind}", t.name);
        }
    }
}

/// Every regression (a fixed bug, or a finding `gauntlet campaign
/// --promote` wrote as a failing case) has an entry in its folder's
/// README.md with its root cause.
#[test]
fn every_regression_has_a_root_cause_note() {
    let missing = manifest::regression_notes(root()).expect("corpora are well-formed");
    assert!(
        missing.is_empty(),
        "{} regressions unexplained:\n{}",
        missing.len(),
        missing.join("\n")
    );
}

#[test]
fn a_regression_without_a_note_or_with_an_unknown_root_cause_is_listed() {
    let dir = std::env::temp_dir().join(format!("gauntlet-notes-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let target = gauntlet_harnesses::find("json-hardened").unwrap();
    let folder = dir.join(target.regressions_path());
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join("a.json"), "[]").unwrap();
    std::fs::write(folder.join("b.json"), "[]").unwrap();
    let note = format!("- `b.json` — Panic. Root cause: {}\n", manifest::ROOT_CAUSE_UNKNOWN);
    std::fs::write(folder.join("README.md"), note).unwrap();
    let missing = manifest::regression_notes(&dir).unwrap();
    assert_eq!(missing.len(), 2, "{missing:?}");
    assert!(missing[0].ends_with("a.json: no entry in corpora/json/regressions/hardened/README.md"));
    assert!(missing[1].contains("root cause not written yet"), "{}", missing[1]);
    std::fs::write(folder.join("README.md"), "- `a.json` x\n- `b.json` — Panic. Root cause: y\n")
        .unwrap();
    assert_eq!(manifest::regression_notes(&dir).unwrap(), Vec::<String>::new());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_reproducer_missing_from_the_manifest_is_an_error() {
    let dir = std::env::temp_dir().join(format!("gauntlet-manifest-{}", std::process::id()));
    let family = dir.join(gauntlet_harnesses::regex::FAMILY.reproducers_dir());
    std::fs::create_dir_all(&family).unwrap();
    std::fs::write(family.join("manifest.toml"), "").unwrap();
    std::fs::write(family.join("stray.txt"), "a\nb").unwrap();
    let err = manifest::load(&dir, &gauntlet_harnesses::regex::FAMILY).unwrap_err();
    assert!(err.message.contains("no case"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}
