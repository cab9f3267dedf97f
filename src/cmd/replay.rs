//! `gauntlet replay`: every committed seed, reproducer and regression
//! through its targets, against what its manifest expects.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Args;
use gauntlet_harnesses::manifest::{self, Replayed};
use gauntlet_harnesses::{Kind, Verdict};
use serde::Serialize;

use super::common::{parse_targets, repo_root, summary};
use super::{Exec, Outcome};
use crate::report::Status;
use crate::text::{HumanPath, OneLine};

/// Replay committed seeds, reproducers and regressions; PASS/FAIL per file
///
/// Seeds (`corpora/<family>/seeds/`) must give no finding through any of
/// the family's targets; reproducers (`corpora/<family>/reproducers/`) must
/// give what their manifest.toml says for each target; regressions
/// (`corpora/<family>/regressions/<variant>/`) must give no unexpected
/// finding. Exit 1 if any file fails.
#[derive(Args)]
pub struct Replay {
    /// Only these targets (default: every target)
    targets: Vec<String>,

    /// Print JSON Lines: one object per file and target
    #[arg(long)]
    json: bool,

    /// The repository root holding corpora/ (default: the nearest ancestor
    /// of the current directory that has one)
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

#[derive(Serialize)]
struct Record<'a> {
    target: &'static str,
    file: String,
    source: &'static str,
    expected: String,
    verdict: &'static str,
    kind: Option<Kind>,
    summary: Option<&'a str>,
    pass: bool,
}

fn got(verdict: &Verdict) -> String {
    match verdict {
        Verdict::Clean { .. } => "clean".to_owned(),
        Verdict::Rejected { reason, .. } => format!("rejected: {}", OneLine(reason)),
        Verdict::Finding(f) => format!("{} ({})", f.kind, OneLine(&f.summary)),
    }
}

impl Exec for Replay {
    fn exec(&self, out: &mut dyn Write) -> anyhow::Result<Outcome> {
        let targets = parse_targets(&self.targets)?;
        let root = repo_root(self.root.as_deref())?;
        let results = manifest::replay(&root, &targets).context("cannot replay the corpora")?;
        let failed = results.iter().filter(|r| !r.pass()).count();
        for r in &results {
            write_one(out, r, self.json)?;
        }
        if !self.json {
            writeln!(out, "{} passed, {failed} failed", results.len() - failed)?;
        }
        Ok(if failed == 0 { Outcome::Passed } else { Outcome::Failed })
    }
}

fn write_one(out: &mut dyn Write, r: &Replayed, json: bool) -> anyhow::Result<()> {
    let pass = r.pass();
    if json {
        let finding = r.verdict.finding();
        let record = Record {
            target: r.target.name,
            file: HumanPath(&r.file).to_string(),
            source: r.source.name(),
            expected: r.expect.to_string(),
            verdict: r.verdict.status(),
            kind: finding.map(|f| f.kind),
            summary: summary(&r.verdict),
            pass,
        };
        serde_json::to_writer(&mut *out, &record)?;
        writeln!(out)?;
    } else {
        let mark = Status::of(pass);
        write!(out, "{mark} {:<18} {:<10} {}", r.target.name, r.source.name(), HumanPath(&r.file))?;
        if pass {
            writeln!(out, " ({})", r.expect)?;
        } else {
            writeln!(out, " (expected {}, got {})", r.expect, got(&r.verdict))?;
        }
    }
    Ok(())
}
