//! From libFuzzer's artifacts to de-duplicated, minimised findings with a
//! directory each: `findings/<target>/<signature>/` holding `input` (the
//! smallest original artifact), `minimized` (when `cargo fuzz tmin` kept the
//! signature and the cost's growth) and `finding.json`, which holds the
//! pump of a cost that grows with the input
//! ([`gauntlet_harnesses::pump`]).

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Context;
use gauntlet_harnesses::pump::{self, PumpRecord};
use gauntlet_harnesses::{Finding, Target, Verdict};

use crate::fuzzer::CargoFuzz;
use crate::input::read_regular;
use crate::report::files::{safe_join, write_atomic};
use crate::report::{Determinism, FindingRecord};
use crate::text::{escape_bytes, hex, HumanPath};

/// The largest artifact read back (libFuzzer's inputs are far smaller).
const MAX_ARTIFACT: u64 = 16 << 20;

/// How many more times each finding's input is replayed for the
/// determinism gate.
const REPLAYS: u32 = 2;

/// The prefixes libFuzzer gives the inputs it saves.
const ARTIFACT_PREFIXES: [&str; 5] = ["crash-", "timeout-", "oom-", "slow-unit-", "leak-"];

/// What became of a target's artifacts.
#[derive(Debug, Default)]
pub struct Collected {
    /// One record per signature.
    pub findings: Vec<FindingRecord>,
    /// Artifacts whose replay gave no finding.
    pub unreproduced: Vec<String>,
}

struct Group {
    finding: Finding,
    input: Vec<u8>,
    count: u64,
}

/// Replays every artifact in `artifacts` through `target`, groups them by
/// signature, minimises the smallest of each group (unless `minimise` is
/// false) and writes the finding directories under `run_dir/findings/`.
/// `shown` is how `run_dir` should be written in reproduce commands.
pub fn collect(
    fuzz: &CargoFuzz,
    target: &'static Target,
    artifacts: &Path,
    run_dir: &Path,
    shown: &Path,
    minimise: bool,
) -> anyhow::Result<Collected> {
    let mut collected = Collected::default();
    let mut groups: BTreeMap<String, Group> = BTreeMap::new();
    let mut names: Vec<(String, PathBuf)> = match fs::read_dir(artifacts) {
        Ok(entries) => entries
            .filter_map(Result::ok)
            .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
            .filter(|(name, _)| ARTIFACT_PREFIXES.iter().any(|p| name.starts_with(p)))
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    for (name, path) in names {
        let input = read_capped(&path)?;
        match target.check(&input) {
            Verdict::Finding(finding) => {
                let group = groups.entry(finding.signature.clone()).or_insert_with(|| Group {
                    finding: finding.clone(),
                    input: input.clone(),
                    count: 0,
                });
                group.count += 1;
                if input.len() < group.input.len() {
                    group.input = input;
                    group.finding = finding;
                }
            }
            _ => collected.unreproduced.push(name),
        }
    }
    let target_dir = safe_join(&run_dir.join("findings"), target.name)?;
    for (signature, group) in groups {
        let dir = safe_join(&target_dir, &signature)?;
        fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", HumanPath(&dir)))?;
        write_atomic(&dir, "input", &group.input)?;
        let mut finding = group.finding;
        let mut best = group.input;
        let mut minimized = None;
        let grows = pump::KINDS.contains(&finding.kind);
        let mut pumped = if grows { pump::derive(target, &best, finding.kind) } else { None };
        if minimise && best.len() > 1 {
            let scratch = dir.join(".tmin");
            let candidate =
                fuzz.tmin(target, &dir.join("input"), &scratch, 255, Duration::from_secs(30))?;
            if let Some(candidate) = candidate {
                let bytes = read_capped(&candidate)?;
                if let Verdict::Finding(f) = target.check(&bytes) {
                    if f.signature == signature && bytes.len() < best.len() {
                        // Shorter is better unless minimising lost the
                        // growth: then the original, whose cost grows
                        // with the input, is the one shown.
                        let small = if grows { pump::derive(target, &bytes, f.kind) } else { None };
                        let lost = pumped.as_ref().is_some_and(|p| p.outgrows(small.as_ref()));
                        if !lost {
                            write_atomic(&dir, "minimized", &bytes)?;
                            minimized = Some("minimized");
                            best = bytes;
                            finding = f;
                            pumped = small;
                        }
                    }
                }
            }
            let _ = fs::remove_dir_all(&scratch);
        }
        let pump = pumped.as_ref().map(|p| PumpRecord::of(p, |b| escape_bytes(b, 200)));
        let determinism = Determinism::check(target, &best, &finding, REPLAYS);
        let rel = Path::new("findings").join(target.name).join(&signature);
        let shown_dir = shown.join(&rel);
        let shown_input = shown_dir.join(minimized.unwrap_or("input"));
        let record = FindingRecord {
            target: target.name.to_owned(),
            kind: finding.kind,
            cwe: finding.cwe,
            signature: signature.clone(),
            location: finding.location.clone(),
            summary: finding.summary.clone(),
            expected: target.is_expected(finding.kind),
            cost: finding.cost.into(),
            artifacts: group.count,
            dir: rel.display().to_string(),
            input: rel.join("input").display().to_string(),
            minimized: minimized.map(|m| rel.join(m).display().to_string()),
            input_hex: hex(&best),
            pump,
            reproduce: vec![
                format!("gauntlet repro {}", shown_dir.display()),
                fuzz.reproduce_command(target, &shown_input),
                format!("gauntlet run {} {}", target.name, shown_input.display()),
            ],
            determinism,
            baseline: None,
        };
        let json = serde_json::to_vec_pretty(&record).context("cannot encode finding.json")?;
        write_atomic(&dir, "finding.json", &json)?;
        collected.findings.push(record);
    }
    Ok(collected)
}

fn read_capped(path: &Path) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    read_regular(path, MAX_ARTIFACT, "the artifact size limit", &mut bytes)?;
    Ok(bytes)
}

/// The input of a libFuzzer artifact (`crash-…`, `timeout-…`, …) at `path`,
/// read with the same cap as [`collect`]; an error for anything else.
pub fn read_artifact(path: &Path) -> anyhow::Result<Vec<u8>> {
    let name = path.file_name().map(|n| n.to_string_lossy()).unwrap_or_default();
    if !ARTIFACT_PREFIXES.iter().any(|p| name.starts_with(p)) {
        anyhow::bail!("{} is not a libFuzzer artifact", path.display());
    }
    read_capped(path)
}
