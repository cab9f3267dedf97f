//! Reads a report directory back and checks that its files parse and agree:
//! `report.json`, `report.sarif` (as SARIF 2.1.0, with `serde-sarif`) and
//! `junit.xml` (with `quick-junit`). CI runs it on its campaign's report.
//!
//! Usage: `cargo run --example check_report -- reports/<run-id>`

use std::path::PathBuf;
use std::process::ExitCode;

fn check(dir: &std::path::Path) -> Result<String, String> {
    let read =
        |name: &str| std::fs::read_to_string(dir.join(name)).map_err(|e| format!("{name}: {e}"));
    let json: serde_json::Value =
        serde_json::from_str(&read("report.json")?).map_err(|e| format!("report.json: {e}"))?;
    if json["schema_version"] != 1 {
        return Err("report.json: schema_version is not 1".into());
    }
    let targets = json["targets"].as_array().ok_or("report.json: no targets")?;
    let findings: usize =
        targets.iter().map(|t| t["findings"].as_array().map_or(0, Vec::len)).sum();

    let sarif: serde_sarif::sarif::Sarif =
        serde_json::from_str(&read("report.sarif")?).map_err(|e| format!("report.sarif: {e}"))?;
    if sarif.version != "2.1.0" {
        return Err(format!("report.sarif: version {}", sarif.version));
    }
    // Fixed findings of a baseline are results too (baselineState absent).
    let fixed = json["baseline"]["fixed_findings"].as_array().map_or(0, Vec::len);
    let results = sarif.runs.first().and_then(|r| r.results.as_ref()).map_or(0, Vec::len);
    if results != findings + fixed {
        return Err(format!(
            "report.sarif has {results} results, report.json {findings} findings and {fixed} fixed"
        ));
    }
    for run in &sarif.runs {
        let rules = run.tool.driver.rules.as_deref().unwrap_or_default();
        for result in run.results.iter().flatten() {
            let fingerprinted = result.partial_fingerprints.as_ref().is_some_and(|f| !f.is_empty());
            if !fingerprinted || result.rule_id.is_none() || result.locations.is_none() {
                return Err("report.sarif: a result lacks a rule, location or fingerprint".into());
            }
            // The rule a result names by index is the one it names by id.
            let rule = result
                .rule_index
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| rules.get(i))
                .filter(|rule| result.rule_id.as_ref() == Some(&rule.id));
            if rule.is_none() {
                return Err(format!(
                    "report.sarif: result of {:?} has no such rule",
                    result.rule_id
                ));
            }
        }
    }

    let junit = quick_junit::Report::deserialize_from_str(&read("junit.xml")?)
        .map_err(|e| format!("junit.xml: {e}"))?;
    let cases: usize = junit.test_suites.iter().map(|s| s.test_cases.len()).sum();
    let replay = usize::from(!json["replay"].is_null());
    if cases != targets.len() + replay {
        return Err(format!("junit.xml has {cases} test cases for {} targets", targets.len()));
    }
    Ok(format!(
        "report OK: {} targets, {findings} findings, {results} SARIF results, {cases} JUnit cases",
        targets.len()
    ))
}

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: check_report REPORT_DIR");
        return ExitCode::from(2);
    };
    match check(&dir) {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("check_report: {}: {e}", dir.display());
            ExitCode::from(1)
        }
    }
}
