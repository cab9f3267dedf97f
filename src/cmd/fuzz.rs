//! `gauntlet fuzz`: one target through libFuzzer, findings into a report.

use std::io::Write;
use std::path::PathBuf;

use clap::Args;

use super::replay::{parse_targets, repo_root};
use super::{Exec, Outcome};
use crate::campaign::{self, Plan};
use crate::fuzzer::Sanitizer;

/// Fuzz one target with cargo fuzz and write its findings and report
///
/// Runs `cargo fuzz run` with the target's dictionary, a working corpus
/// seeded from `corpora/<target>/` (the committed seeds are only read),
/// -max_total_time, a per-input -timeout, -rss_limit_mb, -print_final_stats
/// and an artifact prefix inside the run directory. Every crash, timeout and
/// OOM artifact is replayed through the harness, de-duplicated by signature
/// and minimised with `cargo fuzz tmin`; the run directory
/// `<out>/<UTC time>-<git hash>/` gets findings/, report.json, report.md,
/// report.sarif and junit.xml.
///
/// Exit status: 0 the target's verdict is PASS (a vulnerable target found
/// its declared bug class; a hardened or differential one found nothing),
/// 1 FAIL, 2 a usage or I/O error, 130 interrupted (partial report written).
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct Fuzz {
    /// The target to fuzz (see `gauntlet list`)
    target: String,

    /// Fuzzing time in seconds
    #[arg(long, default_value_t = 60)]
    time: u64,

    /// libFuzzer workers; above 1, fork mode that keeps going after crashes
    #[arg(long, default_value_t = 1)]
    jobs: u32,

    /// Sanitizer to build with (address needs a nightly toolchain)
    #[arg(long, value_enum, default_value_t = Sanitizer::None)]
    sanitizer: Sanitizer,

    /// Directory the run directory is created in (default: `<root>/reports`)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

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

impl Exec for Fuzz {
    fn exec(&self, out: &mut dyn Write) -> anyhow::Result<Outcome> {
        let targets = parse_targets(std::slice::from_ref(&self.target))?;
        let root = repo_root(self.root.as_deref())?;
        let plan = Plan {
            command: "fuzz",
            targets,
            seconds: self.time,
            vulnerable_seconds: self.time,
            jobs: self.jobs.max(1),
            sanitizer: self.sanitizer,
            install: !self.no_install,
            seed: self.seed,
            timeout: self.timeout,
            rss_limit_mb: self.rss_limit_mb,
            out: self.out.clone().unwrap_or_else(|| root.join("reports")),
            root,
            replay: false,
            minimise: !self.no_minimize,
        };
        campaign::execute(&plan, out)
    }
}
