//! `gauntlet campaign`: the main job.

use std::io::Write;

use clap::Args;

use super::common::{every_target, parse_targets};
use super::options::{outcome, FuzzOptions};
use super::{Exec, Outcome};
use crate::campaign::{self, Mode};

/// Fuzz every target, replay the committed corpora, write the report
///
/// Builds the fuzz targets once, then fuzzes each target in turn (a
/// progress bar per target and one overall, with live exec/s and findings),
/// turns crash, timeout and OOM artifacts into de-duplicated, minimised
/// findings, replays every committed seed, reproducer and regression,
/// measures each family's attacks on both twins (the timing stage: growth
/// class, exponents, cost per attacker byte, `gauntlet dos` with a 0.1 s
/// budget), and writes `<out>/<UTC time>-<git hash>/`: report.json,
/// report.md, report.sarif (SARIF 2.1.0), junit.xml,
/// `findings/<target>/<signature>/` and `timing/` (JSON and SVG charts).
///
/// With a baseline (--baseline DIR, else the newest run under --out), each
/// finding is new or persisting and each earlier one no longer reproduced
/// is fixed; an unexpected finding that persists is reported, not failed on
/// again. --promote turns each new unexpected finding into a failing
/// regression in `corpora/<family>/regressions/<variant>/`. Every finding is
/// replayed twice more and must give the same signature and cost.
///
/// Exit status:
///   0    every vulnerable target found every one of its declared bug
///        classes, no hardened or differential target found anything, the
///        replay passed
///   1    a new unexpected finding, a finding that replays differently, a
///        vulnerable target with a declared bug
///        class not found within its budget, a replay failure, or a
///        hardened twin whose cost grew faster than linearly
///   2    a usage or I/O error (nothing is left half-written)
///   130  interrupted with Ctrl-C: findings saved so far are kept and a
///        report marked partial is written
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct Campaign {
    /// How the time is spent: standard (the budgets given), pr (10 s a
    /// target, stop at the first unexpected finding), nightly (600 s a
    /// target, every target goes on after a finding), prune (no fuzzing:
    /// `cargo fuzz cmin` on each target's working corpus under --corpus)
    #[arg(long, value_enum, default_value_t = Mode::Standard)]
    mode: Mode,

    /// Fuzzing time of each hardened and differential target, seconds
    /// (default: 20; 10 with --mode pr; 600 with --mode nightly)
    #[arg(long, value_name = "S")]
    time_per_target: Option<u64>,

    /// Longest fuzzing of a vulnerable target, seconds: it is fuzzed until
    /// every declared bug class has been found, which usually takes a few
    /// seconds of this (default: 600)
    #[arg(long, value_name = "S")]
    vulnerable_time: Option<u64>,

    /// Only these targets (default: every target), comma-separated or
    /// repeated
    #[arg(long, value_delimiter = ',', value_name = "TARGET")]
    targets: Vec<String>,

    /// Skip the timing stage (each family's attacks measured on both twins)
    #[arg(long)]
    no_timing: bool,

    #[command(flatten)]
    options: FuzzOptions,
}

impl Exec for Campaign {
    fn exec(&self, out: &mut dyn Write) -> anyhow::Result<Outcome> {
        let targets = if self.targets.is_empty() {
            every_target().collect()
        } else {
            parse_targets(&self.targets)?
        };
        let default_seconds = match self.mode {
            Mode::Pr => 10,
            Mode::Nightly => 600,
            Mode::Standard | Mode::Prune => 20,
        };
        let seconds = self.time_per_target.unwrap_or(default_seconds);
        let vulnerable = self.vulnerable_time.unwrap_or(600);
        let mut plan =
            self.options.plan("campaign", targets, seconds, vulnerable, true, !self.no_timing)?;
        plan.mode = self.mode;
        if self.mode == Mode::Prune {
            return campaign::prune(&plan, out);
        }
        Ok(outcome(&campaign::execute(&plan, out)?))
    }
}
