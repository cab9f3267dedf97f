//! `gauntlet fuzz`: one target through libFuzzer, findings into a report.

use std::io::Write;

use clap::Args;

use super::common::parse_target;
use super::options::{outcome, FuzzOptions};
use super::{Exec, Outcome};
use crate::campaign;

/// Fuzz one target with cargo fuzz and write its findings and report
///
/// Runs `cargo fuzz run` with the target's dictionary, a working corpus
/// seeded from `corpora/<family>/seeds/` (the committed seeds are only read;
/// `--no-seeds` starts from an empty corpus with the dictionary only),
/// -max_total_time, a per-input -timeout, -rss_limit_mb, -print_final_stats
/// and an artifact prefix inside the run directory. Every crash, timeout and
/// OOM artifact is replayed through the harness, de-duplicated by signature
/// and minimised with `cargo fuzz tmin`; the run directory
/// `<out>/<UTC time>-<git hash>/` gets findings/, report.json, report.md,
/// report.sarif and junit.xml.
///
/// A vulnerable target is fuzzed until every declared bug class has been
/// found (fork mode, `-ignore_crashes=1`), or --time runs out.
///
/// Exit status: 0 the target's verdict is PASS (a vulnerable target found
/// every declared bug class; a hardened or differential one found nothing),
/// 1 FAIL, 2 a usage or I/O error, 130 interrupted (partial report written).
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct Fuzz {
    /// The target to fuzz (see `gauntlet list`)
    target: String,

    /// Fuzzing time in seconds
    #[arg(long, default_value_t = 60)]
    time: u64,

    #[command(flatten)]
    options: FuzzOptions,
}

impl Exec for Fuzz {
    fn exec(&self, out: &mut dyn Write) -> anyhow::Result<Outcome> {
        let targets = vec![parse_target(&self.target)?];
        let plan = self.options.plan("fuzz", targets, self.time, self.time, false, false)?;
        Ok(outcome(&campaign::execute(&plan, out)?))
    }
}
