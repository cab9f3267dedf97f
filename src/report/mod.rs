//! The report of a fuzz run or campaign: the model ([`Report`] and its
//! parts) and its four renderings, one module each: `report.json` (the model
//! itself, through serde), `report.md` ([`markdown`]), `report.sarif`
//! (SARIF 2.1.0, [`sarif`]) and `junit.xml` ([`junit`]).
//!
//! Every file is written through [`files::write_atomic`], so a reader never
//! sees a half-written file and a failed write (a full disk) leaves no file
//! behind.

use std::fmt::Write as _;
use std::fs;
use std::path::Path;

use anyhow::{bail, Context};
use gauntlet_harnesses::Kind;
use serde::Serialize;

use crate::fuzzer::Stats;
use crate::text::HumanPath;

pub mod files;
mod junit;
mod markdown;
mod sarif;

use files::write_atomic;

/// The version of the `report.json` layout.
pub const SCHEMA_VERSION: u32 = 1;

/// A target's verdict: `PASS` or `FAIL` in every rendering.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Status {
    /// The target did what its variant promises.
    Pass,
    /// It did not; the target's `reason` says why.
    Fail,
}

impl Status {
    /// [`Status::Pass`] when `passed`, else [`Status::Fail`].
    pub fn of(passed: bool) -> Status {
        if passed {
            Status::Pass
        } else {
            Status::Fail
        }
    }

    /// `"PASS"` or `"FAIL"`, as serialised.
    pub fn name(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
        }
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Everything a run found out.
#[derive(Debug, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `<UTC time>-<short git hash>` (`<UTC time>-nogit` when git cannot
    /// give a hash), with `-<n>` appended if that name was taken; also the
    /// run directory's name.
    pub run_id: String,
    /// `"campaign"` or `"fuzz"`.
    pub command: String,
    /// True when the run was interrupted and this report covers only what
    /// was done before.
    pub partial: bool,
    /// Start, UTC, RFC 3339.
    pub started: String,
    /// Wall time of the whole run, seconds.
    pub elapsed_secs: f64,
    /// Where and how it ran.
    pub environment: Environment,
    /// One entry per target fuzzed.
    pub targets: Vec<TargetReport>,
    /// The replay of committed seeds, reproducers and regressions, if run.
    pub replay: Option<ReplayReport>,
    /// The timing stage: each attack of each family measured on both
    /// twins (empty when not run).
    pub timing: Vec<TimingReport>,
    /// `pr`, `nightly` or `standard` (no `--mode`).
    pub mode: String,
    /// Why the run stopped before its last target, when it did (`--mode
    /// pr` stops at the first unexpected finding).
    pub stopped: Option<String>,
    /// What changed since the baseline run, when there was one.
    pub baseline: Option<crate::baseline::BaselineReport>,
    /// Regression files `--promote` wrote, relative to the repository root.
    pub promoted: Vec<String>,
    /// Whether the run passed: every target's verdict is PASS (or, with a
    /// baseline, FAIL only by unexpected findings that persist from it),
    /// every finding passed the determinism gate, the replay, if run, had
    /// no failure and no hardened twin grew faster than linearly in the
    /// timing stage. Always false for a partial run.
    pub passed: bool,
}

/// One attack of the timing stage.
#[derive(Debug, Serialize)]
pub struct TimingReport {
    /// The family.
    pub family: String,
    /// The attack.
    pub attack: String,
    /// The chart, relative to the run directory (`timing/<family>-<attack>.svg`).
    pub chart: String,
    /// One record per twin, as `gauntlet dos --json` prints them.
    pub twins: Vec<crate::timing::Record>,
}

impl TimingReport {
    /// `vulnerable exponential 2.01^n, hardened linear n^0.99, work ratio
    /// 1.7e6x at n=24`.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = self
            .twins
            .iter()
            .map(|r| {
                let growth = match (r.class, r.base, r.exponent) {
                    (Some(c), Some(b), _) => format!("{c} {b:.2}^n"),
                    (Some(c), None, Some(k)) => format!("{c} n^{k:.2}"),
                    _ => "too few sizes".to_owned(),
                };
                format!("{} {growth}", r.variant)
            })
            .collect();
        if let Some(ratio) = self.twins.first().and_then(|r| r.ratio) {
            parts.push(format!(
                "work ratio {}x at n={}",
                gauntlet_harnesses::growth::sci(ratio.work),
                ratio.n
            ));
        }
        parts.join(", ")
    }

    /// The failure this attack adds, if a hardened twin grew faster than
    /// linearly.
    pub fn failure(&self) -> Option<String> {
        self.twins
            .iter()
            .find(|r| r.variant == "hardened" && r.class.is_some_and(|c| c.is_superlinear()))
            .map(|r| {
                format!(
                    "timing {}/{}: {} grew {} (work exponent {:.2})",
                    self.family,
                    self.attack,
                    r.target,
                    r.class.map_or("?", |c| c.name()),
                    r.exponent.unwrap_or(f64::NAN)
                )
            })
    }
}

/// The machine and tools of a run.
#[derive(Debug, Serialize)]
pub struct Environment {
    /// `rustc --version`, or `unknown` when it does not answer.
    pub rustc: String,
    /// `cargo fuzz --version`.
    pub cargo_fuzz: String,
    /// The sanitizer the fuzz targets were built with.
    pub sanitizer: String,
    /// libFuzzer flags common to every target (per-target ones are in each
    /// target's entry).
    pub libfuzzer_flags: Vec<String>,
    /// `git rev-parse HEAD`, or `nogit` when git cannot give one (git is not
    /// installed, or the repository root is not a git work tree).
    pub git_hash: String,
    /// Whether tracked files had uncommitted changes; false when git cannot
    /// tell.
    pub git_dirty: bool,
    /// OS and CPU architecture.
    pub machine: String,
    /// Logical CPUs available.
    pub cpus: usize,
}

/// One target's fuzzing and its findings.
#[derive(Debug, Serialize)]
pub struct TargetReport {
    /// Registry name.
    pub name: String,
    /// Family.
    pub family: String,
    /// `vulnerable`, `hardened` or `differential`.
    pub variant: String,
    /// The source file under attack.
    pub source: String,
    /// Declared finding kinds (vulnerable twins).
    pub expected_kinds: Vec<Kind>,
    /// For a vulnerable twin, each declared kind: found or not, and when.
    pub classes: Vec<ClassRecord>,
    /// Time budget, seconds.
    pub time_budget_secs: u64,
    /// Every libFuzzer flag of this target's run.
    pub libfuzzer_flags: Vec<String>,
    /// libFuzzer's statistics.
    pub stats: Stats,
    /// Inputs in the working corpus at the end.
    pub corpus_files: u64,
    /// Unique findings, one per signature.
    pub findings: Vec<FindingRecord>,
    /// Artifacts whose replay gave no finding (a libFuzzer timeout or OOM
    /// that the harness does not reproduce), by file name.
    pub unreproduced: Vec<String>,
    /// Whether the target did what its variant promises.
    pub verdict: Status,
    /// Why, in one line.
    pub reason: String,
}

impl TargetReport {
    /// Whether this target fails the run: its verdict is FAIL, unless a
    /// baseline says every unexpected finding that failed it persists from
    /// the baseline (then it is reported, not failed on again).
    pub fn blocks(&self) -> bool {
        if self.verdict == Status::Pass {
            return false;
        }
        let unexpected: Vec<&FindingRecord> =
            self.findings.iter().filter(|f| !f.expected).collect();
        let only_persisting = !unexpected.is_empty()
            && self.reason.starts_with(UNEXPECTED)
            && self.classes.iter().all(|c| c.found)
            && unexpected.iter().all(|f| f.baseline == Some(crate::baseline::State::Persisting));
        !only_persisting
    }
}

/// How the reason of a target failed by an unexpected finding begins.
pub const UNEXPECTED: &str = "unexpected finding";

/// Whether fuzzing rediscovered one declared bug class of a vulnerable twin.
#[derive(Clone, Debug, Serialize)]
pub struct ClassRecord {
    /// The declared kind.
    pub kind: Kind,
    /// Whether a finding of it was found.
    pub found: bool,
    /// Seconds from the start of the fuzzer to the first artifact of this
    /// kind, as the campaign saw it appear.
    pub first_secs: Option<f64>,
}

impl ClassRecord {
    /// `Kind 1.2 s` or `Kind not found`.
    pub fn describe(&self) -> String {
        match (self.found, self.first_secs) {
            (true, Some(s)) => format!("{} {s:.1} s", self.kind),
            (true, None) => format!("{} found", self.kind),
            (false, _) => format!("{} not found", self.kind),
        }
    }
}

/// One unique finding (one signature) of a target.
#[derive(Clone, Debug, Serialize)]
pub struct FindingRecord {
    /// Target name.
    pub target: String,
    /// Finding kind.
    pub kind: Kind,
    /// CWE number.
    pub cwe: u32,
    /// De-duplication signature.
    pub signature: String,
    /// Normalised location.
    pub location: String,
    /// One-line summary with the measured cost (of the minimised input).
    pub summary: String,
    /// Whether the target is expected to produce it.
    pub expected: bool,
    /// Measured cost.
    pub cost: CostRecord,
    /// How many artifacts had this signature.
    pub artifacts: u64,
    /// The finding directory, relative to the report directory.
    pub dir: String,
    /// The original input, relative to the report directory.
    pub input: String,
    /// The minimised input, relative to the report directory, when
    /// minimisation kept the signature.
    pub minimized: Option<String>,
    /// The minimised (or original) input's bytes, hex.
    pub input_hex: String,
    /// For a cost that grows with the input (super-linear time,
    /// amplification, hash collisions, memory): the input as prefix +
    /// pumpⁿ + suffix, and how the cost grows with n.
    pub pump: Option<gauntlet_harnesses::pump::PumpRecord>,
    /// Command lines that reproduce it, run from the repository root.
    pub reproduce: Vec<String>,
    /// The determinism gate: the input replayed twice more through the
    /// harness must give the same signature and the same cost.
    pub determinism: Determinism,
    /// New or persisting against the baseline, when there is one.
    pub baseline: Option<crate::baseline::State>,
}

/// The determinism gate of one finding: the meter promises that the same
/// input costs the same on every run, and a finding is only worth a
/// signature if it does.
#[derive(Clone, Debug, Serialize)]
pub struct Determinism {
    /// Replays after the one that made the finding.
    pub replays: u32,
    /// Whether every replay gave the same signature and cost.
    pub same: bool,
    /// What differed, when something did.
    pub detail: Option<String>,
}

impl Determinism {
    /// Replays `input` through `target` `replays` times and compares each
    /// verdict with `finding`.
    pub fn check(
        target: &gauntlet_harnesses::Target,
        input: &[u8],
        finding: &gauntlet_harnesses::Finding,
        replays: u32,
    ) -> Determinism {
        let mut detail = None;
        for n in 1..=replays {
            let differs = match target.check(input) {
                gauntlet_harnesses::Verdict::Finding(f) if f.signature != finding.signature => {
                    Some(format!("signature {} instead of {}", f.signature, finding.signature))
                }
                gauntlet_harnesses::Verdict::Finding(f) if f.cost != finding.cost => {
                    Some(format!("cost {:?} instead of {:?}", f.cost, finding.cost))
                }
                gauntlet_harnesses::Verdict::Finding(_) => None,
                other => Some(format!("no finding ({})", other.status())),
            };
            if let Some(d) = differs {
                detail = Some(format!("replay {n}: {d}"));
                break;
            }
        }
        Determinism { replays, same: detail.is_none(), detail }
    }
}

/// The meter's totals.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct CostRecord {
    /// Steps.
    pub steps: u64,
    /// Bytes produced.
    pub bytes_out: u64,
    /// Deepest recursion.
    pub depth: u64,
    /// Hash probes.
    pub probes: u64,
    /// Peak bytes held.
    pub memory: u64,
}

impl From<gauntlet_harnesses::Cost> for CostRecord {
    fn from(c: gauntlet_harnesses::Cost) -> CostRecord {
        CostRecord {
            steps: c.steps,
            bytes_out: c.bytes_out,
            depth: c.depth,
            probes: c.probes,
            memory: c.memory,
        }
    }
}

/// The replay's results.
#[derive(Debug, Serialize)]
pub struct ReplayReport {
    /// Files that did what was expected.
    pub passed: usize,
    /// Files that did not.
    pub failed: usize,
    /// One entry per file and target.
    pub results: Vec<ReplayRecord>,
}

/// One replayed file.
#[derive(Debug, Serialize)]
pub struct ReplayRecord {
    /// Target name.
    pub target: String,
    /// File, relative to the repository root.
    pub file: String,
    /// `seed`, `reproducer` or `regression`.
    pub source: String,
    /// What was expected.
    pub expected: String,
    /// What happened: `clean`, `rejected: <reason>` or the finding kind.
    pub got: String,
    /// Whether it matched.
    pub pass: bool,
}

impl std::fmt::Display for ReplayRecord {
    /// `<target> <file>: expected <expected>, got <got>`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: expected {}, got {}", self.target, self.file, self.expected, self.got)
    }
}

impl Report {
    /// The failing targets and replay files, for the summary.
    pub fn failures(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .targets
            .iter()
            .filter(|t| t.blocks())
            .map(|t| format!("{}: {}", t.name, t.reason))
            .collect();
        out.extend(self.findings().filter(|f| !f.determinism.same).map(|f| {
            format!(
                "{} {}: not deterministic: {}",
                f.target,
                f.signature,
                f.determinism.detail.as_deref().unwrap_or("?")
            )
        }));
        if let Some(replay) = &self.replay {
            out.extend(replay.results.iter().filter(|r| !r.pass).map(|r| format!("replay {r}")));
        }
        out.extend(self.timing.iter().filter_map(TimingReport::failure));
        out
    }

    /// Writes `report.json`, `report.md`, `report.sarif` and `junit.xml`
    /// into `dir`, then reads the SARIF and JUnit files back to check that
    /// they parse.
    pub fn write_all(&self, dir: &Path) -> anyhow::Result<()> {
        let json = serde_json::to_vec_pretty(self).context("cannot encode report.json")?;
        write_atomic(dir, "report.json", &json)?;
        write_atomic(dir, "report.md", self.markdown().as_bytes())?;
        let sarif = serde_json::to_vec_pretty(&self.sarif()).context("cannot encode SARIF")?;
        write_atomic(dir, "report.sarif", &sarif)?;
        let junit = self.junit().to_string().context("cannot encode junit.xml")?;
        write_atomic(dir, "junit.xml", junit.as_bytes())?;
        check_parses(dir)
    }

    /// The table a person reads first.
    pub fn summary_table(&self) -> String {
        let mut rows = vec![[
            "target".to_owned(),
            "variant".to_owned(),
            "execs".to_owned(),
            "exec/s".to_owned(),
            "cov".to_owned(),
            "findings".to_owned(),
            "classes".to_owned(),
            "verdict".to_owned(),
        ]];
        for t in &self.targets {
            let expected = t.findings.iter().filter(|f| f.expected).count();
            let unexpected = t.findings.len() - expected;
            let kinds: Vec<&str> = t.findings.iter().map(|f| f.kind.name()).collect();
            let findings = if t.findings.is_empty() {
                "0".to_owned()
            } else {
                format!("{expected} expected, {unexpected} unexpected ({})", kinds.join(", "))
            };
            rows.push([
                t.name.clone(),
                t.variant.clone(),
                t.stats.executions.to_string(),
                t.stats.exec_per_sec.to_string(),
                t.stats.coverage.to_string(),
                findings,
                t.classes.iter().map(ClassRecord::describe).collect::<Vec<_>>().join(", "),
                t.verdict.to_string(),
            ]);
        }
        let widths: Vec<usize> =
            (0..8).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
        let mut out = String::new();
        for row in &rows {
            let cells: Vec<String> =
                row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
            let _ = writeln!(out, "{}", cells.join("  ").trim_end());
        }
        if let Some(r) = &self.replay {
            let _ = writeln!(out, "replay: {} passed, {} failed", r.passed, r.failed);
        }
        if let Some(b) = &self.baseline {
            let _ = writeln!(
                out,
                "baseline {}: {} new, {} persisting, {} fixed",
                b.run_id, b.new, b.persisting, b.fixed
            );
        }
        for t in &self.timing {
            let _ = writeln!(out, "timing {}/{}: {}", t.family, t.attack, t.summary());
        }
        out
    }

    /// Whether the run passes, from its parts (see [`Report::passed`]).
    pub fn judge(&self) -> bool {
        !self.partial && self.failures().is_empty()
    }

    /// Every finding of every target, in target order.
    fn findings(&self) -> impl Iterator<Item = &FindingRecord> {
        self.targets.iter().flat_map(|t| &t.findings)
    }
}

/// Reads `report.json`, `report.sarif` and `junit.xml` back from `dir` and
/// checks that they parse (the SARIF one as SARIF 2.1.0).
pub fn check_parses(dir: &Path) -> anyhow::Result<()> {
    let read = |name: &str| {
        let path = dir.join(name);
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", HumanPath(&path)))
    };
    serde_json::from_str::<serde_json::Value>(&read("report.json")?)
        .context("report.json does not parse")?;
    let sarif: serde_sarif::sarif::Sarif =
        serde_json::from_str(&read("report.sarif")?).context("report.sarif does not parse")?;
    if sarif.version != serde_json::json!("2.1.0") {
        bail!("report.sarif is not SARIF 2.1.0");
    }
    quick_junit::Report::deserialize_from_str(&read("junit.xml")?)
        .map_err(|e| anyhow::anyhow!("junit.xml does not parse: {e}"))?;
    Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Two targets: a vulnerable one that passed with an expected finding
    /// and a hardened one that failed with an unexpected panic.
    pub(crate) fn sample() -> Report {
        let finding = |expected: bool, kind: Kind| FindingRecord {
            target: "regex-vulnerable".into(),
            kind,
            cwe: 1333,
            signature: format!("{}-0123456789abcdef", kind.name().to_lowercase()),
            location: "backtrack".into(),
            summary: "many | steps".into(),
            expected,
            cost: CostRecord { steps: 10, ..Default::default() },
            artifacts: 2,
            dir: "findings/regex-vulnerable/x".into(),
            input: "findings/regex-vulnerable/x/input".into(),
            minimized: None,
            input_hex: crate::text::hex(b"(a+)+$\n\xff"),
            pump: None,
            reproduce: vec!["gauntlet repro x".into()],
            determinism: Determinism { replays: 2, same: true, detail: None },
            baseline: None,
        };
        let target = |name: &str, verdict: Status, findings: Vec<FindingRecord>| TargetReport {
            name: name.into(),
            family: "regex".into(),
            variant: "vulnerable".into(),
            source: "targets/src/regex/vulnerable.rs".into(),
            expected_kinds: vec![Kind::SuperlinearTime],
            classes: vec![ClassRecord {
                kind: Kind::SuperlinearTime,
                found: true,
                first_secs: Some(1.5),
            }],
            time_budget_secs: 5,
            libfuzzer_flags: vec!["-max_total_time=5".into()],
            stats: Stats { executions: 100, ..Default::default() },
            corpus_files: 3,
            findings,
            unreproduced: vec![],
            verdict,
            reason: "why".into(),
        };
        Report {
            schema_version: SCHEMA_VERSION,
            run_id: "20261124T000000Z-abc".into(),
            command: "campaign".into(),
            partial: false,
            started: "2026-11-24T00:00:00Z".into(),
            elapsed_secs: 1.0,
            environment: Environment {
                rustc: "rustc".into(),
                cargo_fuzz: "cargo-fuzz".into(),
                sanitizer: "none".into(),
                libfuzzer_flags: vec![],
                git_hash: "abc".into(),
                git_dirty: false,
                machine: "linux-x86_64".into(),
                cpus: 2,
            },
            targets: vec![
                target(
                    "regex-vulnerable",
                    Status::Pass,
                    vec![finding(true, Kind::SuperlinearTime)],
                ),
                target("regex-hardened", Status::Fail, vec![finding(false, Kind::Panic)]),
            ],
            replay: Some(ReplayReport { passed: 1, failed: 0, results: vec![] }),
            timing: vec![],
            mode: "standard".into(),
            stopped: None,
            baseline: None,
            promoted: vec![],
            passed: false,
        }
    }

    #[test]
    fn only_new_unexpected_findings_and_unstable_ones_fail_the_run() {
        let mut report = sample();
        report.targets[1].reason = format!("{UNEXPECTED}: Panic");
        assert!(!report.judge(), "an unexpected finding with no baseline fails");
        report.targets[1].findings[0].baseline = Some(crate::baseline::State::New);
        assert!(!report.judge(), "a new one fails");
        report.targets[1].findings[0].baseline = Some(crate::baseline::State::Persisting);
        assert!(report.judge(), "one persisting from the baseline is reported, not failed on");
        assert_eq!(report.targets[1].verdict, Status::Fail, "the target's verdict stays honest");
        report.targets[0].findings[0].determinism.same = false;
        report.targets[0].findings[0].determinism.detail = Some("replay 1: cost …".into());
        assert_eq!(report.failures().len(), 1, "{:?}", report.failures());
        assert!(report.failures()[0].contains("not deterministic: replay 1"));
        report.targets[0].findings[0].determinism.same = true;
        report.partial = true;
        assert!(!report.judge(), "a partial run never passes");
    }

    #[test]
    fn every_rendering_is_written_atomically_and_parses_back() {
        let dir = std::env::temp_dir().join(format!("gauntlet-report-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let report = sample();
        report.write_all(&dir).unwrap();
        let names: Vec<String> = {
            let mut v: Vec<String> = fs::read_dir(&dir)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            v.sort();
            v
        };
        assert_eq!(names, ["junit.xml", "report.json", "report.md", "report.sarif"]);

        let read = |name: &str| fs::read_to_string(dir.join(name)).unwrap();
        assert_eq!(read("report.md"), report.markdown());
        let json: serde_json::Value = serde_json::from_str(&read("report.json")).unwrap();
        assert_eq!(json, serde_json::to_value(&report).unwrap());
        fs::remove_dir_all(&dir).unwrap();
    }
}
