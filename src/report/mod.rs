//! The report of a fuzz run or campaign, and its four renderings:
//! `report.json`, `report.md`, `report.sarif` (SARIF 2.1.0) and
//! `junit.xml`.
//!
//! Every file is written to a temporary name in the same directory and
//! renamed into place ([`write_atomic`]), so a reader never sees a
//! half-written file and a failed write (a full disk) leaves no file behind.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use serde::Serialize;

use crate::fuzzer::Stats;

/// The version of the `report.json` layout.
pub const SCHEMA_VERSION: u32 = 1;

/// Everything a run found out.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// `<UTC time>-<short git hash>`, also the directory name.
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
    /// Whether the run passed (what the exit code says).
    pub passed: bool,
}

/// The machine and tools of a run.
#[derive(Clone, Debug, Serialize)]
pub struct Environment {
    /// `rustc --version`.
    pub rustc: String,
    /// `cargo fuzz --version`.
    pub cargo_fuzz: String,
    /// The sanitizer the fuzz targets were built with.
    pub sanitizer: String,
    /// libFuzzer flags common to every target (per-target ones are in each
    /// target's entry).
    pub libfuzzer_flags: Vec<String>,
    /// `git rev-parse HEAD`, or `unknown`.
    pub git_hash: String,
    /// Whether the work tree had uncommitted changes.
    pub git_dirty: bool,
    /// OS and CPU architecture.
    pub machine: String,
    /// Logical CPUs available.
    pub cpus: usize,
}

/// One target's fuzzing and its findings.
#[derive(Clone, Debug, Serialize)]
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
    pub expected_kinds: Vec<String>,
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
    /// `PASS` or `FAIL`.
    pub verdict: String,
    /// Why, in one line.
    pub reason: String,
}

/// One unique finding (one signature) of a target.
#[derive(Clone, Debug, Serialize)]
pub struct FindingRecord {
    /// Target name.
    pub target: String,
    /// Finding kind.
    pub kind: String,
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
    /// Command lines that reproduce it, run from the repository root.
    pub reproduce: Vec<String>,
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
}

impl From<gauntlet_harnesses::Cost> for CostRecord {
    fn from(c: gauntlet_harnesses::Cost) -> CostRecord {
        CostRecord { steps: c.steps, bytes_out: c.bytes_out, depth: c.depth, probes: c.probes }
    }
}

/// The replay's results.
#[derive(Clone, Debug, Serialize)]
pub struct ReplayReport {
    /// Files that did what was expected.
    pub passed: usize,
    /// Files that did not.
    pub failed: usize,
    /// One entry per file and target.
    pub results: Vec<ReplayRecord>,
}

/// One replayed file.
#[derive(Clone, Debug, Serialize)]
pub struct ReplayRecord {
    /// Target name.
    pub target: String,
    /// File, relative to the repository root.
    pub file: String,
    /// `seed`, `reproducer` or `regression`.
    pub source: String,
    /// What was expected.
    pub expected: String,
    /// What happened: `clean`, `rejected` or the finding kind.
    pub got: String,
    /// Whether it matched.
    pub pass: bool,
}

/// Writes `bytes` to `dir/name` through a temporary file and a rename.
pub fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> anyhow::Result<PathBuf> {
    let path = safe_join(dir, name)?;
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let result = (|| -> std::io::Result<()> {
        let mut file = fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        fs::rename(&tmp, &path)
    })();
    if let Err(e) = result {
        let _ = fs::remove_file(&tmp);
        return Err(e).with_context(|| format!("cannot write {}", path.display()));
    }
    Ok(path)
}

/// `dir/name`, refusing any `name` that is not one plain path component, so
/// nothing derived from a target name or signature can leave `dir`.
pub fn safe_join(dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
    if !plain {
        bail!("refusing to write {name:?} under {}: not a plain file name", dir.display());
    }
    Ok(dir.join(name))
}

impl Report {
    /// The failing targets and replay files, for the summary.
    pub fn failures(&self) -> Vec<String> {
        let mut out: Vec<String> = self
            .targets
            .iter()
            .filter(|t| t.verdict != "PASS")
            .map(|t| format!("{}: {}", t.name, t.reason))
            .collect();
        if let Some(replay) = &self.replay {
            out.extend(replay.results.iter().filter(|r| !r.pass).map(|r| {
                format!("replay {} {}: expected {}, got {}", r.target, r.file, r.expected, r.got)
            }));
        }
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
            "verdict".to_owned(),
        ]];
        for t in &self.targets {
            let expected = t.findings.iter().filter(|f| f.expected).count();
            let unexpected = t.findings.len() - expected;
            let kinds: Vec<&str> = t.findings.iter().map(|f| f.kind.as_str()).collect();
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
                t.verdict.clone(),
            ]);
        }
        let widths: Vec<usize> =
            (0..7).map(|i| rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0)).collect();
        let mut out = String::new();
        for row in &rows {
            let cells: Vec<String> =
                row.iter().zip(&widths).map(|(c, w)| format!("{c:<w$}")).collect();
            let _ = writeln!(out, "{}", cells.join("  ").trim_end());
        }
        if let Some(r) = &self.replay {
            let _ = writeln!(out, "replay: {} passed, {} failed", r.passed, r.failed);
        }
        out
    }

    /// `report.md`.
    pub fn markdown(&self) -> String {
        let mut md = String::new();
        let status = if self.passed { "PASS" } else { "FAIL" };
        let partial = if self.partial { " (PARTIAL: interrupted)" } else { "" };
        let _ = writeln!(md, "# gauntlet {} {}: {status}{partial}\n", self.command, self.run_id);
        let e = &self.environment;
        let _ = writeln!(
            md,
            "{} · {} · sanitizer {} · git {}{} · {} ({} CPUs) · {:.0} s\n",
            e.rustc,
            e.cargo_fuzz,
            e.sanitizer,
            e.git_hash,
            if e.git_dirty { " (dirty)" } else { "" },
            e.machine,
            e.cpus,
            self.elapsed_secs
        );
        let _ = writeln!(
            md,
            "| target | variant | budget | execs | exec/s | cov | corpus | findings | verdict |"
        );
        let _ = writeln!(md, "|---|---|---|---|---|---|---|---|---|");
        for t in &self.targets {
            let kinds: Vec<String> = t
                .findings
                .iter()
                .map(|f| format!("{}{}", f.kind, if f.expected { "" } else { " (unexpected)" }))
                .collect();
            let _ = writeln!(
                md,
                "| `{}` | {} | {} s | {} | {} | {} | {} | {} | **{}** {} |",
                t.name,
                t.variant,
                t.time_budget_secs,
                t.stats.executions,
                t.stats.exec_per_sec,
                t.stats.coverage,
                t.corpus_files,
                if kinds.is_empty() { "—".to_owned() } else { kinds.join(", ") },
                t.verdict,
                escape_md(&t.reason)
            );
        }
        if let Some(r) = &self.replay {
            let _ = writeln!(
                md,
                "\nReplay of committed files: {} passed, {} failed.",
                r.passed, r.failed
            );
            for x in r.results.iter().filter(|x| !x.pass) {
                let _ = writeln!(
                    md,
                    "- FAIL `{}` `{}`: expected {}, got {}",
                    x.target,
                    x.file,
                    x.expected,
                    escape_md(&x.got)
                );
            }
        }
        let findings: Vec<&FindingRecord> = self.targets.iter().flat_map(|t| &t.findings).collect();
        if !findings.is_empty() {
            let _ = writeln!(md, "\n## Findings\n");
        }
        for f in findings {
            let _ = writeln!(
                md,
                "### {} — {} (CWE-{}){}\n",
                f.target,
                f.kind,
                f.cwe,
                if f.expected { "" } else { " — UNEXPECTED" }
            );
            let _ = writeln!(md, "- signature: `{}`", f.signature);
            let _ = writeln!(md, "- summary: {}", escape_md(&f.summary));
            let c = f.cost;
            let _ = writeln!(
                md,
                "- cost: steps {}, bytes_out {}, depth {}, probes {}",
                c.steps, c.bytes_out, c.depth, c.probes
            );
            let _ = writeln!(md, "- artifacts with this signature: {}", f.artifacts);
            let shown = f.minimized.as_deref().unwrap_or(&f.input);
            let bytes = hex_decode(&f.input_hex);
            let _ = writeln!(md, "- input (`{shown}`, {} bytes):\n", bytes.len());
            let _ = writeln!(md, "  ```text\n  {}\n  ```", escape_bytes(&bytes, 600));
            if bytes.iter().any(|&b| b >= 0x80 || (b < 0x20 && b != b'\n' && b != b'\t')) {
                let _ = writeln!(md, "  hex: `{}`", truncate(&f.input_hex, 400));
            }
            let _ = writeln!(md, "- reproduce:\n");
            for cmd in &f.reproduce {
                let _ = writeln!(md, "  ```sh\n  {cmd}\n  ```");
            }
            let _ = writeln!(md);
        }
        md
    }

    /// `report.sarif`: one rule per finding kind, one result per unique
    /// finding, located at the target's source file, fingerprinted by
    /// signature.
    pub fn sarif(&self) -> serde_sarif::sarif::Sarif {
        use serde_sarif::sarif::{
            ArtifactLocation, Location, Message, MultiformatMessageString, PhysicalLocation,
            PropertyBag, ReportingDescriptor, Result as SarifResult, ResultLevel, Run, Sarif, Tool,
            ToolComponent,
        };
        let findings: Vec<&FindingRecord> = self.targets.iter().flat_map(|t| &t.findings).collect();
        let mut kinds: BTreeMap<&str, u32> = BTreeMap::new();
        for f in &findings {
            kinds.entry(&f.kind).or_insert(f.cwe);
        }
        let rule_index: BTreeMap<&str, i64> =
            kinds.keys().enumerate().map(|(i, k)| (*k, i as i64)).collect();
        let rules: Vec<ReportingDescriptor> = kinds
            .iter()
            .map(|(kind, cwe)| {
                let text = format!("{} (CWE-{cwe})", rule_text(kind));
                ReportingDescriptor::builder()
                    .id(*kind)
                    .name(*kind)
                    .short_description(MultiformatMessageString::builder().text(text).build())
                    .help_uri(format!("https://cwe.mitre.org/data/definitions/{cwe}.html"))
                    .properties(PropertyBag {
                        tags: Some(vec!["security".to_owned(), format!("external/cwe/cwe-{cwe}")]),
                        ..Default::default()
                    })
                    .build()
            })
            .collect();
        let results: Vec<SarifResult> = findings
            .iter()
            .map(|f| {
                let source = self
                    .targets
                    .iter()
                    .find(|t| t.name == f.target)
                    .map(|t| t.source.clone())
                    .unwrap_or_default();
                let mut fingerprints = BTreeMap::new();
                fingerprints.insert("gauntletSignature/v1".to_owned(), f.signature.clone());
                let mut props = BTreeMap::new();
                props.insert("target".to_owned(), serde_json::json!(f.target));
                props.insert("expected".to_owned(), serde_json::json!(f.expected));
                props.insert("cwe".to_owned(), serde_json::json!(f.cwe));
                props.insert("cost".to_owned(), serde_json::json!(f.cost));
                props.insert(
                    "input".to_owned(),
                    serde_json::json!(f.minimized.as_ref().unwrap_or(&f.input)),
                );
                let location = Location {
                    physical_location: Some(PhysicalLocation {
                        artifact_location: Some(ArtifactLocation {
                            uri: Some(source),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }),
                    ..Default::default()
                };
                let message = Message {
                    text: Some(format!("{}: {}", f.target, f.summary)),
                    ..Default::default()
                };
                SarifResult::builder()
                    .rule_id(f.kind.clone())
                    .rule_index(rule_index.get(f.kind.as_str()).copied().unwrap_or(0))
                    .level(if f.expected { ResultLevel::Note } else { ResultLevel::Error })
                    .message(message)
                    .locations(vec![location])
                    .partial_fingerprints(fingerprints)
                    .properties(PropertyBag { additional_properties: props, ..Default::default() })
                    .build()
            })
            .collect();
        let driver = ToolComponent::builder()
            .name("gauntlet")
            .version(env!("CARGO_PKG_VERSION"))
            .information_uri(env!("CARGO_PKG_REPOSITORY"))
            .rules(rules)
            .build();
        let run =
            Run::builder().tool(Tool::builder().driver(driver).build()).results(results).build();
        Sarif::builder()
            .schema("https://json.schemastore.org/sarif-2.1.0.json")
            .version(serde_json::json!("2.1.0"))
            .runs(vec![run])
            .build()
    }

    /// `junit.xml`: one test case per target (failed when the target's
    /// verdict is FAIL), plus one per failing replayed file.
    pub fn junit(&self) -> quick_junit::Report {
        use quick_junit::{NonSuccessKind, Report as Junit, TestCase, TestCaseStatus, TestSuite};
        let mut suite = TestSuite::new(format!("gauntlet {}", self.command));
        for t in &self.targets {
            let status = if t.verdict == "PASS" {
                TestCaseStatus::success()
            } else {
                let mut s = TestCaseStatus::non_success(NonSuccessKind::Failure);
                s.set_message(t.reason.clone());
                let detail: Vec<String> = t
                    .findings
                    .iter()
                    .filter(|f| !f.expected)
                    .map(|f| format!("{} (CWE-{}) [{}]: {}", f.kind, f.cwe, f.signature, f.summary))
                    .collect();
                s.set_description(detail.join("\n"));
                s
            };
            let mut case = TestCase::new(t.name.clone(), status);
            case.set_classname(format!("gauntlet.{}", t.family));
            case.set_time(std::time::Duration::from_secs_f64(t.stats.elapsed_secs.max(0.0)));
            suite.add_test_case(case);
        }
        if let Some(replay) = &self.replay {
            let mut failed = TestCaseStatus::success();
            let failures: Vec<String> = replay
                .results
                .iter()
                .filter(|r| !r.pass)
                .map(|r| format!("{} {}: expected {}, got {}", r.target, r.file, r.expected, r.got))
                .collect();
            if !failures.is_empty() {
                failed = TestCaseStatus::non_success(NonSuccessKind::Failure);
                failed.set_message(format!("{} replayed files failed", failures.len()));
                failed.set_description(failures.join("\n"));
            }
            let mut case = TestCase::new("replay", failed);
            case.set_classname("gauntlet.replay");
            suite.add_test_case(case);
        }
        let mut report = Junit::new("gauntlet");
        report.add_test_suite(suite);
        report
    }
}

/// Reads `report.json`, `report.sarif` and `junit.xml` back from `dir` and
/// checks that they parse (the SARIF one as SARIF 2.1.0).
pub fn check_parses(dir: &Path) -> anyhow::Result<()> {
    let read = |name: &str| {
        let path = dir.join(name);
        fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))
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

fn rule_text(kind: &str) -> &'static str {
    match kind {
        "SuperlinearTime" => "Work grows faster than linearly in the input",
        "Amplification" => "Output grows far beyond the input",
        "UnboundedRecursion" => "Recursion or nesting without a limit",
        "HashCollision" => "Hash table degraded by colliding keys",
        "SecretLeak" => "A planted secret appears in the output",
        "PathEscape" => "A path resolves outside its root",
        "IntegerOverflow" => "An integer wraps, saturates or is truncated",
        "DifferentialMismatch" => "Disagreement with the reference implementation",
        "Panic" => "The target panicked",
        _ => "gauntlet finding",
    }
}

fn escape_md(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        s.to_owned()
    } else {
        format!("{}… ({} more)", &s[..max], s.len() - max)
    }
}

/// Lowercase hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn hex_decode(s: &str) -> Vec<u8> {
    (0..s.len() / 2).filter_map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()).collect()
}

/// Bytes as printable text: ASCII as is, everything else `\xNN`, newlines
/// `\n`; at most `max` input bytes.
pub fn escape_bytes(bytes: &[u8], max: usize) -> String {
    let mut s = String::new();
    for &b in bytes.iter().take(max) {
        match b {
            b'\n' => s.push_str("\\n"),
            b'\t' => s.push_str("\\t"),
            b'\\' => s.push_str("\\\\"),
            b'`' => s.push_str("\\x60"),
            0x20..=0x7e => s.push(b as char),
            _ => {
                let _ = write!(s, "\\x{b:02x}");
            }
        }
    }
    if bytes.len() > max {
        let _ = write!(s, "… ({} more bytes)", bytes.len() - max);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_join_refuses_anything_but_a_plain_name() {
        let dir = Path::new("/r");
        for bad in ["", ".", "..", "../x", "a/b", "/etc", "a\\b", "a b", "a\0"] {
            assert!(safe_join(dir, bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            safe_join(dir, "superlinear-time-00ff").unwrap(),
            dir.join("superlinear-time-00ff")
        );
    }

    fn sample() -> Report {
        let finding = |expected: bool, kind: &str| FindingRecord {
            target: "regex-vulnerable".into(),
            kind: kind.into(),
            cwe: 1333,
            signature: format!("{}-0123456789abcdef", kind.to_lowercase()),
            location: "backtrack".into(),
            summary: "many | steps".into(),
            expected,
            cost: CostRecord { steps: 10, ..Default::default() },
            artifacts: 2,
            dir: "findings/regex-vulnerable/x".into(),
            input: "findings/regex-vulnerable/x/input".into(),
            minimized: None,
            input_hex: hex(b"(a+)+$\n\xff"),
            reproduce: vec!["gauntlet repro x".into()],
        };
        let target = |name: &str, verdict: &str, findings: Vec<FindingRecord>| TargetReport {
            name: name.into(),
            family: "regex".into(),
            variant: "vulnerable".into(),
            source: "targets/src/regex/vulnerable.rs".into(),
            expected_kinds: vec!["SuperlinearTime".into()],
            time_budget_secs: 5,
            libfuzzer_flags: vec!["-max_total_time=5".into()],
            stats: Stats { executions: 100, ..Default::default() },
            corpus_files: 3,
            findings,
            unreproduced: vec![],
            verdict: verdict.into(),
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
                target("regex-vulnerable", "PASS", vec![finding(true, "SuperlinearTime")]),
                target("regex-hardened", "FAIL", vec![finding(false, "Panic")]),
            ],
            replay: Some(ReplayReport { passed: 1, failed: 0, results: vec![] }),
            passed: false,
        }
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

        let sarif: serde_sarif::sarif::Sarif =
            serde_json::from_str(&fs::read_to_string(dir.join("report.sarif")).unwrap()).unwrap();
        let results = sarif.runs[0].results.as_ref().unwrap();
        assert_eq!(results.len(), 2);
        let rules = sarif.runs[0].tool.driver.rules.as_ref().unwrap();
        assert_eq!(rules.len(), 2, "one rule per kind");
        let fp = results[0].partial_fingerprints.as_ref().unwrap();
        assert_eq!(fp["gauntletSignature/v1"], "superlineartime-0123456789abcdef");

        let junit = quick_junit::Report::deserialize_from_str(
            &fs::read_to_string(dir.join("junit.xml")).unwrap(),
        )
        .unwrap();
        assert_eq!(junit.test_suites[0].test_cases.len(), 3);
        assert_eq!(junit.failures, 1);

        let md = fs::read_to_string(dir.join("report.md")).unwrap();
        assert!(md.contains("UNEXPECTED") && md.contains("many \\| steps"), "{md}");
        assert!(md.contains("hex: `28612b292b240aff`"), "{md}");
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_failed_write_leaves_no_file() {
        let missing = std::env::temp_dir().join("gauntlet-no-such-dir/deeper");
        assert!(write_atomic(&missing, "report.json", b"{}").is_err());
        assert!(!missing.join("report.json").exists());
    }

    #[test]
    fn bytes_are_escaped_for_people() {
        assert_eq!(escape_bytes(b"(a+)+$\naa\xff`", 100), "(a+)+$\\naa\\xff\\x60");
        assert_eq!(escape_bytes(b"abcdef", 3), "abc… (3 more bytes)");
        assert_eq!(hex_decode(&hex(b"\x00\xffA")), b"\x00\xffA");
    }
}
