//! `--promote`: each new unexpected finding becomes a failing case in its
//! family's regressions folder, `corpora/<family>/regressions/<variant>/`,
//! so that fixing the bug is the only way to turn CI green again.
//!
//! A promoted file is named by its signature (`<signature>.<ext>`, the
//! extension of the family's seeds) and holds the finding's smallest
//! input. The replay (`cargo test`, `gauntlet replay`, the campaign) expects
//! no unexpected finding from any regression, so it fails on the file until
//! the twin is fixed. The folder's `README.md` gets an entry naming the
//! file, the finding and the run that found it, with the root cause marked
//! [`UNKNOWN`]; `harnesses/tests/replay.rs` fails while any entry still
//! says so, so the fix comes with the note that explains it.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::Context;
use gauntlet_harnesses::Target;

use crate::report::files::{safe_join, write_atomic};
use crate::report::FindingRecord;
use crate::text::{hex_decode, HumanPath};

/// What a promoted entry says until someone writes the root cause; the
/// replay test fails while a regressions README still holds it.
pub const UNKNOWN: &str = gauntlet_harnesses::manifest::ROOT_CAUSE_UNKNOWN;

/// Writes each finding in `findings` (of `target`) that is unexpected and
/// not persisting from a baseline into the target's regressions folder
/// under `root`, and notes it in the folder's README.md. Returns the files
/// written, relative to `root`. A file already there is left as it is.
pub fn promote(
    root: &Path,
    target: &Target,
    findings: &[FindingRecord],
    run_id: &str,
) -> anyhow::Result<Vec<String>> {
    let rel_dir = target.regressions_path();
    let dir = root.join(&rel_dir);
    let ext = seed_extension(&root.join(target.seeds_path()));
    let mut written = Vec::new();
    let mut notes = String::new();
    for f in findings {
        let new = f.baseline.is_none_or(|s| s == crate::baseline::State::New);
        if f.expected || !new {
            continue;
        }
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", HumanPath(&dir)))?;
        let name = format!("{}{ext}", f.signature);
        if safe_join(&dir, &name)?.exists() {
            continue;
        }
        write_atomic(&dir, &name, &hex_decode(&f.input_hex))?;
        let _ = writeln!(
            notes,
            "- `{name}` — {} (CWE-{}): {}. Promoted by `gauntlet campaign --promote`, run \
             `{run_id}`. Root cause: {UNKNOWN}",
            f.kind,
            f.cwe,
            f.summary.replace('\n', " ")
        );
        written.push(rel_dir.join(&name).display().to_string());
    }
    if !notes.is_empty() {
        let readme = dir.join("README.md");
        let mut text = match fs::read_to_string(&readme) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                format!("# {} regressions\n\n", target.name)
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", HumanPath(&readme))),
        };
        if !text.is_empty() && !text.ends_with('\n') {
            text.push('\n');
        }
        text.push_str(&notes);
        write_atomic(&dir, "README.md", text.as_bytes())?;
    }
    Ok(written)
}

/// `.xml` when the family's seeds are XML files (the most common extension
/// among them), or nothing.
fn seed_extension(seeds: &Path) -> String {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for entry in fs::read_dir(seeds).into_iter().flatten().filter_map(Result::ok) {
        if let Some(ext) = Path::new(&entry.file_name()).extension() {
            let ext = ext.to_string_lossy();
            if ext.bytes().all(|b| b.is_ascii_alphanumeric()) {
                *counts.entry(format!(".{ext}")).or_default() += 1;
            }
        }
    }
    counts.into_iter().max_by_key(|(_, n)| *n).map(|(e, _)| e).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::baseline::State;
    use crate::report::tests::sample;

    #[test]
    fn new_unexpected_findings_become_failing_regressions_with_a_note() {
        let root = std::env::temp_dir().join(format!("gauntlet-promote-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        let target = gauntlet_harnesses::find("regex-hardened").unwrap();
        fs::create_dir_all(root.join(target.seeds_path())).unwrap();
        fs::write(root.join(target.seeds_path()).join("a.txt"), "a\na").unwrap();
        let report = sample();
        let mut findings = report.targets[1].findings.clone();
        let mut persisting = findings[0].clone();
        persisting.signature = "panic-1111111111111111".into();
        persisting.baseline = Some(State::Persisting);
        let mut expected = findings[0].clone();
        expected.signature = "panic-2222222222222222".into();
        expected.expected = true;
        findings.extend([persisting, expected]);

        let written = promote(&root, target, &findings, "run-1").unwrap();
        let name = format!("{}.txt", findings[0].signature);
        assert_eq!(written, [format!("corpora/regex/regressions/hardened/{name}")]);
        let dir = root.join("corpora/regex/regressions/hardened");
        assert_eq!(fs::read(dir.join(&name)).unwrap(), b"(a+)+$\n\xff");
        let readme = fs::read_to_string(dir.join("README.md")).unwrap();
        assert!(readme.starts_with("# regex-hardened regressions\n"), "{readme}");
        assert!(readme.contains(&format!("`{name}` — Panic (CWE-1333)")), "{readme}");
        assert!(readme.contains(UNKNOWN), "{readme}");

        // Promoting again writes nothing: the file is there.
        assert!(promote(&root, target, &findings, "run-2").unwrap().is_empty());
        fs::remove_dir_all(&root).unwrap();
    }
}
