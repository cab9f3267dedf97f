//! `gauntlet campaign`: the main job.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;
use gauntlet_harnesses::TARGETS;

use super::replay::{parse_targets, repo_root};
use super::{Exec, Outcome};
use crate::campaign::{self, Plan};
use crate::fuzzer::Sanitizer;

/// Fuzz every target, replay the committed corpora, write the report
///
/// Builds the fuzz targets once, then fuzzes each target in turn (a
/// progress bar per target and one overall, with live exec/s and findings),
/// turns crash, timeout and OOM artifacts into de-duplicated, minimised
/// findings, replays every committed seed, reproducer and regression, and
/// writes `<out>/<UTC time>-<git hash>/`: report.json, report.md,
/// report.sarif (SARIF 2.1.0), junit.xml and `findings/<target>/<signature>/`.
///
/// Exit status:
///   0    every vulnerable target found its declared bug class, no hardened
///        or differential target found anything, the replay passed
///   1    an unexpected finding, a vulnerable target whose bug class was
///        not found within its budget, or a replay failure
///   2    a usage or I/O error (nothing is left half-written)
///   130  interrupted with Ctrl-C: findings saved so far are kept and a
///        report marked partial is written
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct Campaign {
    /// Fuzzing time of each hardened and differential target, seconds
    #[arg(long, value_name = "S", default_value_t = 20)]
    time_per_target: u64,

    /// Longest wait for a vulnerable target's first finding, seconds:
    /// without --jobs, libFuzzer stops at the first finding, so a vulnerable
    /// target usually takes a few seconds of this
    #[arg(long, value_name = "S", default_value_t = 120)]
    vulnerable_time: u64,

    /// Only these targets (default: every target), comma-separated or
    /// repeated
    #[arg(long, value_delimiter = ',', value_name = "TARGET")]
    targets: Vec<String>,

    /// Directory the run directory is created in (default: `<root>/reports`)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// libFuzzer workers per target; above 1, fork mode
    #[arg(long, default_value_t = 1)]
    jobs: u32,

    /// Sanitizer to build with (address needs a nightly toolchain)
    #[arg(long, value_enum, default_value_t = Sanitizer::None)]
    sanitizer: Sanitizer,

    /// Fail instead of installing cargo-fuzz when it is missing
    #[arg(long)]
    no_install: bool,

    /// Fixed libFuzzer seed, for a reproducible run
    #[arg(long)]
    seed: Option<u64>,

    /// Per-input timeout in seconds (-timeout)
    #[arg(long, default_value_t = 10)]
    timeout: u64,

    /// Memory limit in MB (-rss_limit_mb)
    #[arg(long, default_value_t = 2048)]
    rss_limit_mb: u64,

    /// Skip `cargo fuzz tmin` on findings
    #[arg(long)]
    no_minimize: bool,

    /// The repository root (default: the nearest ancestor of the current
    /// directory with corpora/)
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

impl Exec for Campaign {
    fn exec(&self, out: &mut dyn Write) -> anyhow::Result<Outcome> {
        let targets = if self.targets.is_empty() {
            TARGETS.iter().collect()
        } else {
            parse_targets(&self.targets)?
        };
        let root = repo_root(self.root.as_deref())?;
        let plan = Plan {
            command: "campaign",
            targets,
            seconds: self.time_per_target,
            vulnerable_seconds: self.vulnerable_time,
            jobs: self.jobs.max(1),
            sanitizer: self.sanitizer,
            install: !self.no_install,
            seed: self.seed,
            timeout: self.timeout,
            rss_limit_mb: self.rss_limit_mb,
            out: self.out.clone().unwrap_or_else(|| root.join("reports")),
            root,
            replay: true,
            minimise: !self.no_minimize,
        };
        campaign::execute(&plan, out)
    }
}
