//! Options shared by `gauntlet fuzz` and `gauntlet campaign`, and how their
//! report becomes an exit code.

use std::path::{absolute, PathBuf};

use anyhow::Context;
use clap::Args;
use gauntlet_harnesses::Target;

use super::common::repo_root;
use super::Outcome;
use crate::baseline::BaselineChoice;
use crate::campaign::{Mode, Plan};
use crate::fuzzer::Sanitizer;
use crate::report::Report;
use crate::text::HumanPath;

/// How libFuzzer runs and where the report goes.
#[derive(Args)]
pub struct FuzzOptions {
    /// libFuzzer workers; above 1, fork mode that keeps going after crashes
    #[arg(long, default_value_t = 1)]
    pub jobs: u32,

    /// Sanitizer to build with (address needs a nightly toolchain)
    #[arg(long, value_enum, default_value_t = Sanitizer::None)]
    sanitizer: Sanitizer,

    /// Directory the run directory is created in, relative to the current
    /// directory (default: `<root>/reports`)
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

    /// Start from an empty corpus with the dictionary only, leaving out the
    /// committed seeds: what the fuzzer finds by itself
    #[arg(long)]
    no_seeds: bool,

    /// The repository root, relative to the current directory (default: the
    /// nearest ancestor of the current directory with corpora/)
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,

    /// A working corpus kept between runs (a nightly job's cache): libFuzzer
    /// reads and grows `DIR/<fuzz target>/` instead of a fresh corpus in the
    /// run directory
    #[arg(long, value_name = "DIR")]
    corpus: Option<PathBuf>,

    /// The earlier run directory (holding report.json) to compare with:
    /// findings become new, persisting or fixed, and only new unexpected
    /// ones fail the run (default: the newest run directory under --out)
    #[arg(long, value_name = "DIR", conflicts_with = "no_baseline")]
    baseline: Option<PathBuf>,

    /// Compare with no earlier run: every finding is new
    #[arg(long)]
    no_baseline: bool,

    /// Copy each new unexpected finding into its family's regressions
    /// folder (`corpora/<family>/regressions/<variant>/`) as a failing case,
    /// with a README entry whose root cause is to be written
    #[arg(long)]
    promote: bool,
}

impl FuzzOptions {
    /// The plan for `targets`, each hardened or differential one fuzzed for
    /// `seconds` and each vulnerable one for `vulnerable_seconds`.
    pub fn plan(
        &self,
        command: &'static str,
        targets: Vec<&'static Target>,
        seconds: u64,
        vulnerable_seconds: u64,
        replay: bool,
        timing: bool,
    ) -> anyhow::Result<Plan> {
        let root = repo_root(self.root.as_deref())?;
        // Absolute: cargo fuzz runs in the root, and a relative --out would
        // name another directory there than the one gauntlet created.
        let out = match &self.out {
            Some(out) => {
                absolute(out).with_context(|| format!("cannot resolve --out {}", HumanPath(out)))?
            }
            None => root.join("reports"),
        };
        let absolute_of = |p: &PathBuf, what: &str| {
            absolute(p).with_context(|| format!("cannot resolve {what} {}", HumanPath(p)))
        };
        let baseline = match (&self.baseline, self.no_baseline) {
            (Some(dir), _) => BaselineChoice::Dir(absolute_of(dir, "--baseline")?),
            (None, true) => BaselineChoice::None,
            (None, false) => BaselineChoice::Newest,
        };
        let corpus = self.corpus.as_ref().map(|c| absolute_of(c, "--corpus")).transpose()?;
        Ok(Plan {
            command,
            mode: Mode::Standard,
            corpus,
            baseline,
            promote: self.promote,
            targets,
            seconds,
            vulnerable_seconds,
            jobs: self.jobs.max(1),
            sanitizer: self.sanitizer,
            install: !self.no_install,
            seed: self.seed,
            timeout: self.timeout,
            rss_limit_mb: self.rss_limit_mb,
            out,
            root,
            replay,
            timing,
            minimise: !self.no_minimize,
            seeds: !self.no_seeds,
        })
    }
}

/// What the report of a fuzz run or campaign means for its exit code: an
/// interrupted run is [`Outcome::Interrupted`] whatever it found, else
/// [`Outcome::Passed`] or [`Outcome::Failed`] as the report says.
pub fn outcome(report: &Report) -> Outcome {
    if report.partial {
        Outcome::Interrupted
    } else if report.passed {
        Outcome::Passed
    } else {
        Outcome::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn an_interrupted_run_is_interrupted_whatever_it_found() {
        let mut report = sample();
        for (partial, passed, expected) in [
            (false, true, Outcome::Passed),
            (false, false, Outcome::Failed),
            (true, false, Outcome::Interrupted),
            (true, true, Outcome::Interrupted),
        ] {
            (report.partial, report.passed) = (partial, passed);
            assert_eq!(outcome(&report), expected, "partial {partial}, passed {passed}");
        }
    }
}
