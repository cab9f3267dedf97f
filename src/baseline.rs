//! What changed since an earlier run: each finding of this run is **new**
//! or **persisting**, and each finding of the baseline that this run does
//! not show any more is **fixed** — keyed by signature, which depends only
//! on target, kind and normalised location and so is the same on every
//! machine and every run ([`gauntlet_harnesses::verdict::signature`]).
//!
//! "Not shown any more" is checked, not assumed: a baseline finding that
//! the fuzzer did not meet again is replayed from the bytes the baseline
//! recorded (`input_hex`), and it is fixed only when the target no longer
//! gives that signature. A nightly run with another seed cannot call a bug
//! fixed just because it did not stumble on it again.
//!
//! The baseline is a run directory holding `report.json`: the one named by
//! `--baseline`, else the newest other run directory under `--out`. Its
//! report is read with a size cap and parsed leniently (only the fields
//! used here), so a report of an older schema still serves.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use gauntlet_harnesses::{Kind, Target, Verdict};
use serde::{Deserialize, Serialize};

use crate::input::read_regular;
use crate::report::FindingRecord;
use crate::text::{hex_decode, HumanPath};

/// The largest baseline `report.json` read (a nightly report of every
/// target is well under a megabyte).
const MAX_REPORT: u64 = 64 << 20;

/// A finding's state against the baseline, as SARIF names it
/// (`baselineState`), with "persisting" for SARIF's "unchanged".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Not in the baseline.
    New,
    /// In the baseline and in this run.
    Persisting,
    /// In the baseline, and the target no longer gives it.
    Fixed,
}

impl State {
    /// `new`, `persisting` or `fixed`.
    pub fn name(self) -> &'static str {
        match self {
            State::New => "new",
            State::Persisting => "persisting",
            State::Fixed => "fixed",
        }
    }

    /// SARIF's `baselineState`: `new`, `unchanged` or `absent`.
    pub fn sarif(self) -> &'static str {
        match self {
            State::New => "new",
            State::Persisting => "unchanged",
            State::Fixed => "absent",
        }
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Which earlier run a report is compared with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaselineChoice {
    /// The newest run directory under the output directory, if any.
    Newest,
    /// This one.
    Dir(PathBuf),
    /// None.
    None,
}

/// A finding of the baseline, as its report.json recorded it.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct Known {
    /// Target name.
    pub target: String,
    /// Finding kind.
    pub kind: Kind,
    /// CWE number.
    pub cwe: u32,
    /// Signature.
    pub signature: String,
    /// Its one-line summary in the baseline.
    pub summary: String,
    /// Whether the target was expected to produce it.
    pub expected: bool,
    /// The input's bytes, hex.
    #[serde(default)]
    pub input_hex: String,
}

/// The part of a baseline report.json that is read.
#[derive(Deserialize)]
struct Earlier {
    run_id: String,
    targets: Vec<EarlierTarget>,
}

#[derive(Deserialize)]
struct EarlierTarget {
    #[serde(default)]
    findings: Vec<Known>,
}

/// An earlier run to compare with.
#[derive(Debug)]
pub struct Baseline {
    /// Its run directory.
    pub dir: PathBuf,
    /// Its run id.
    pub run_id: String,
    /// Its findings.
    pub findings: Vec<Known>,
}

/// What `report.json` says about the baseline.
#[derive(Debug, Serialize)]
pub struct BaselineReport {
    /// The baseline's run id.
    pub run_id: String,
    /// Its directory, as given or found.
    pub dir: String,
    /// Findings of this run not in the baseline.
    pub new: usize,
    /// Findings of this run in the baseline, and baseline findings the
    /// fuzzer did not meet again but whose input still gives them.
    pub persisting: usize,
    /// Baseline findings whose input no longer gives them.
    pub fixed: usize,
    /// Baseline findings that the fuzzer did not meet again and whose
    /// replay still gives the same signature (they are not in this run's
    /// findings, so they are listed here).
    pub replayed: Vec<Known>,
    /// The fixed ones.
    pub fixed_findings: Vec<Known>,
}

impl Baseline {
    /// Reads the baseline in `dir` (a run directory with `report.json`).
    pub fn load(dir: &Path) -> anyhow::Result<Baseline> {
        let path = dir.join("report.json");
        let mut bytes = Vec::new();
        read_regular(&path, MAX_REPORT, "the baseline report size limit", &mut bytes)
            .with_context(|| format!("cannot read the baseline {}", HumanPath(dir)))?;
        let earlier: Earlier = serde_json::from_slice(&bytes).with_context(|| {
            format!("the baseline {} is not a gauntlet report.json", HumanPath(&path))
        })?;
        Ok(Baseline {
            dir: dir.to_path_buf(),
            run_id: earlier.run_id,
            findings: earlier.targets.into_iter().flat_map(|t| t.findings).collect(),
        })
    }

    /// The newest run under `out` whose report loads (looked for before
    /// this run makes its own): the default baseline.
    /// A run whose report.json cannot be read (an older layout, a file
    /// someone edited) is passed over with a warning on stderr rather than
    /// failing the run, as a `--baseline` named on the command line would.
    pub fn newest_readable(out: &Path) -> Option<Baseline> {
        Self::runs(out).iter().rev().find_map(|dir| match Baseline::load(dir) {
            Ok(baseline) => Some(baseline),
            Err(e) => {
                eprintln!("gauntlet: warning: {e:#}; not a baseline, passed over");
                None
            }
        })
    }

    /// The run directories under `out` with a `report.json`, oldest first:
    /// run ids start with a UTC time, so the newest is the greatest name.
    fn runs(out: &Path) -> Vec<PathBuf> {
        let Ok(entries) = std::fs::read_dir(out) else { return Vec::new() };
        let mut runs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .map(|e| e.path())
            .filter(|p| p.join("report.json").is_file())
            .collect();
        runs.sort();
        runs
    }

    /// Marks each finding of `targets` (this run's, by target name) new or
    /// persisting, and sorts out the baseline's other findings of the same
    /// targets: replayed through `registry` (persisting when the target
    /// still gives the signature) or fixed.
    pub fn compare(
        &self,
        findings: &mut [&mut FindingRecord],
        registry: &[&'static Target],
    ) -> anyhow::Result<BaselineReport> {
        let known: BTreeSet<&str> = self.findings.iter().map(|k| k.signature.as_str()).collect();
        let mut report = BaselineReport {
            run_id: self.run_id.clone(),
            dir: HumanPath(&self.dir).to_string(),
            new: 0,
            persisting: 0,
            fixed: 0,
            replayed: Vec::new(),
            fixed_findings: Vec::new(),
        };
        for f in findings.iter_mut() {
            let state =
                if known.contains(f.signature.as_str()) { State::Persisting } else { State::New };
            f.baseline = Some(state);
            match state {
                State::New => report.new += 1,
                _ => report.persisting += 1,
            }
        }
        let seen: BTreeSet<&str> = findings.iter().map(|f| f.signature.as_str()).collect();
        for k in &self.findings {
            if seen.contains(k.signature.as_str()) {
                continue;
            }
            // Only targets this run fuzzed can tell whether a finding is
            // gone.
            let Some(target) = registry.iter().find(|t| t.name == k.target) else { continue };
            if k.input_hex.len() % 2 != 0 || !k.input_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                bail!(
                    "the baseline {} has a finding {} whose input_hex is not hex",
                    HumanPath(&self.dir),
                    k.signature
                );
            }
            let input = hex_decode(&k.input_hex);
            let still =
                matches!(target.check(&input), Verdict::Finding(f) if f.signature == k.signature);
            if still {
                report.persisting += 1;
                report.replayed.push(k.clone());
            } else {
                report.fixed += 1;
                report.fixed_findings.push(k.clone());
            }
        }
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    fn known(target: &str, signature: &str, input: &[u8]) -> Known {
        Known {
            target: target.into(),
            kind: Kind::SuperlinearTime,
            cwe: 1333,
            signature: signature.into(),
            summary: "s".into(),
            expected: false,
            input_hex: crate::text::hex(input),
        }
    }

    #[test]
    fn findings_are_new_persisting_or_fixed_by_signature_and_replay() {
        let regex = gauntlet_harnesses::find("regex-vulnerable").unwrap();
        // A real finding of regex-vulnerable: its signature, from its input.
        let redos = b"(a+)+$\naaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!";
        let Verdict::Finding(still) = regex.check(redos) else { panic!("no finding") };
        let mut report = sample();
        let baseline = Baseline {
            dir: PathBuf::from("/b"),
            run_id: "b".into(),
            findings: vec![
                known("regex-vulnerable", &report.targets[0].findings[0].signature, b"x"),
                known("regex-vulnerable", &still.signature, redos),
                known("regex-vulnerable", "superlineartime-ffffffffffffffff", b"a\nb"),
                known("json-hardened", "panic-ffffffffffffffff", b"[]"),
            ],
        };
        let mut findings: Vec<&mut FindingRecord> =
            report.targets.iter_mut().flat_map(|t| t.findings.iter_mut()).collect();
        let r = baseline.compare(&mut findings, &[regex]).unwrap();
        assert_eq!(report.targets[0].findings[0].baseline, Some(State::Persisting));
        assert_eq!(report.targets[1].findings[0].baseline, Some(State::New));
        // The second baseline finding was not met by the fuzzer but its
        // input still gives it; the third does not any more; json-hardened
        // was not fuzzed, so its finding is neither.
        assert_eq!((r.new, r.persisting, r.fixed), (1, 2, 1));
        assert_eq!(r.replayed[0].signature, still.signature);
        assert_eq!(r.fixed_findings[0].signature, "superlineartime-ffffffffffffffff");
    }

    #[test]
    fn the_newest_other_run_with_a_report_is_the_default() {
        let out = std::env::temp_dir().join(format!("gauntlet-baseline-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        for (name, report) in [
            ("20261201T000000Z-a", true),
            ("20261202T000000Z-b", true),
            ("20261203T000000Z-c", false),
            ("20261204T000000Z-d", true),
        ] {
            std::fs::create_dir_all(out.join(name)).unwrap();
            if report {
                std::fs::write(out.join(name).join("report.json"), "{}").unwrap();
            }
        }
        assert_eq!(Baseline::runs(&out).pop(), Some(out.join("20261204T000000Z-d")));
        std::fs::remove_file(out.join("20261204T000000Z-d/report.json")).unwrap();
        assert_eq!(Baseline::runs(&out).pop(), Some(out.join("20261202T000000Z-b")));
        assert_eq!(Baseline::runs(&out.join("none")).pop(), None);
        std::fs::remove_dir_all(&out).unwrap();
    }

    #[test]
    fn the_default_baseline_passes_over_a_report_that_does_not_load() {
        let out =
            std::env::temp_dir().join(format!("gauntlet-baseline-skip-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&out);
        let good = out.join("20261201T000000Z-a");
        let bad = out.join("20261202T000000Z-b");
        for dir in [&good, &bad] {
            std::fs::create_dir_all(dir).unwrap();
        }
        std::fs::write(good.join("report.json"), r#"{"run_id": "a", "targets": []}"#).unwrap();
        std::fs::write(bad.join("report.json"), "{ half a report").unwrap();
        assert_eq!(Baseline::runs(&out).pop(), Some(bad));
        let found = Baseline::newest_readable(&out).expect("the older, readable one");
        assert_eq!((found.run_id.as_str(), found.dir), ("a", good));
        std::fs::remove_dir_all(&out).unwrap();
    }

    #[test]
    fn a_baseline_that_is_not_a_report_is_a_clear_error() {
        let dir =
            std::env::temp_dir().join(format!("gauntlet-baseline-bad-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("report.json"), "[1, 2]").unwrap();
        let err = format!("{:#}", Baseline::load(&dir).unwrap_err());
        assert!(err.contains("is not a gauntlet report.json"), "{err}");
        let err = format!("{:#}", Baseline::load(&dir.join("missing")).unwrap_err());
        assert!(err.contains("cannot read the baseline"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
