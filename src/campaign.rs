//! The campaign: build the fuzz targets once, fuzz each target in turn with
//! progress bars, turn artifacts into findings, replay the committed
//! corpora, and write the report.
//!
//! `gauntlet fuzz` is a campaign of one target without the replay.
//!
//! # Verdicts
//!
//! - A vulnerable target passes when fuzzing found a finding of every one
//!   of its declared kinds (its bug classes) and none of an undeclared
//!   kind. It is fuzzed in fork mode with `-ignore_crashes=1`, so the run
//!   goes on after a finding; the campaign classifies each new artifact as
//!   it appears, records the seconds to the first finding of each kind, and
//!   stops the fuzzer as soon as every declared kind is in (or the budget is
//!   spent).
//! - A hardened or differential target passes when fuzzing found nothing.
//! - The replay passes when every committed file did what its manifest
//!   says.
//!
//! The run passes ([`Report::passed`]) when all of these pass. Ctrl-C stops
//! the run after the current target, keeps every finding already saved and
//! writes a report marked partial ([`Report::partial`]). [`execute`] returns
//! that report; the command that called it turns it into an exit code.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{bail, Context};
use gauntlet_harnesses::dos::Plan as DosPlan;
use gauntlet_harnesses::manifest;
use gauntlet_harnesses::Variant;
use gauntlet_harnesses::{Family, Kind, Target, Verdict};
use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::baseline::{Baseline, BaselineChoice};
use crate::findings;
use crate::fuzzer::{CargoFuzz, RunOptions, Sanitizer, Stats};
use crate::report::files::{safe_join, write_atomic};
use crate::report::{
    ClassRecord, Environment, FindingRecord, ReplayRecord, ReplayReport, Report, Status,
    TargetReport, TimingReport, SCHEMA_VERSION, UNEXPECTED,
};

use crate::text::HumanPath;

/// How a campaign spends its time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Mode {
    /// The budgets given, every target (the default).
    Standard,
    /// A pull request's check: short budgets, and the run stops at the
    /// first target with an unexpected finding.
    Pr,
    /// A nightly job: long budgets, and hardened and differential targets
    /// go on after a finding (fork mode, `-ignore_crashes=1`), so every
    /// class of bug a night can find is in its report.
    Nightly,
    /// No fuzzing: `cargo fuzz cmin` on each target's working corpus
    /// (`--corpus`) keeps only the inputs that add coverage.
    Prune,
}

impl Mode {
    /// `standard`, `pr`, `nightly` or `prune`.
    pub fn name(self) -> &'static str {
        match self {
            Mode::Standard => "standard",
            Mode::Pr => "pr",
            Mode::Nightly => "nightly",
            Mode::Prune => "prune",
        }
    }
}

/// What to run.
#[derive(Debug)]
pub struct Plan {
    /// `"campaign"` or `"fuzz"`.
    pub command: &'static str,
    /// How the time is spent.
    pub mode: Mode,
    /// The working corpus kept between runs (`DIR/<fuzz target>/`), or
    /// none (a fresh one in the run directory).
    pub corpus: Option<PathBuf>,
    /// The run to compare with.
    pub baseline: BaselineChoice,
    /// Whether new unexpected findings become regressions.
    pub promote: bool,
    /// The targets, in order.
    pub targets: Vec<&'static Target>,
    /// Fuzzing time of a hardened or differential target, seconds.
    pub seconds: u64,
    /// Fuzzing time of a vulnerable target, seconds (it stops at its first
    /// finding unless `jobs` > 1).
    pub vulnerable_seconds: u64,
    /// libFuzzer workers per target (fork mode above 1).
    pub jobs: u32,
    /// Sanitizer.
    pub sanitizer: Sanitizer,
    /// Whether cargo-fuzz may be installed when missing.
    pub install: bool,
    /// A fixed libFuzzer seed.
    pub seed: Option<u64>,
    /// Per-input timeout, seconds.
    pub timeout: u64,
    /// Memory limit, MB.
    pub rss_limit_mb: u64,
    /// The directory the run directory is created in.
    pub out: PathBuf,
    /// The repository root.
    pub root: PathBuf,
    /// Whether to replay the committed corpora.
    pub replay: bool,
    /// Whether to run the timing stage (every attack of every family of the
    /// targets, on both twins, with a short budget).
    pub timing: bool,
    /// Whether to minimise findings.
    pub minimise: bool,
    /// Whether libFuzzer reads the committed seeds (else it starts from an
    /// empty corpus and the dictionary).
    pub seeds: bool,
}

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static HANDLER: Once = Once::new();

fn install_interrupt_handler() {
    HANDLER.call_once(|| {
        // If no handler can be installed, Ctrl-C simply ends the process as
        // usual; the files already renamed into place stay intact.
        let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
    });
}

fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Runs the plan, writes the report into a new run directory and prints its
/// summary to `out`; returns the report.
///
/// An `Err` is an I/O error or a tool that cannot run (cargo-fuzz missing,
/// the build failing), not a finding: findings are in the report.
pub fn execute(plan: &Plan, out: &mut dyn Write) -> anyhow::Result<Report> {
    install_interrupt_handler();
    let started = Instant::now();
    let started_utc = SystemTime::now();
    // The baseline is read before any fuzzing, so a bad one costs nothing.
    let baseline = match &plan.baseline {
        BaselineChoice::None => None,
        BaselineChoice::Dir(dir) => Some(Baseline::load(dir)?),
        BaselineChoice::Newest => Baseline::newest_readable(&plan.out),
    };
    let run_dir = create_run_dir(&plan.out, &plan.root)?;
    let shown = shown_path(&run_dir, &plan.root);
    let fuzz = CargoFuzz::ensure(&plan.root, plan.sanitizer, plan.install)?;

    let multi = MultiProgress::with_draw_target(if std::io::stderr().is_terminal() {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    });
    let overall = multi.add(ProgressBar::new(plan.targets.len() as u64));
    overall.set_style(
        ProgressStyle::with_template("{prefix:>12} [{bar:30}] {pos}/{len} targets  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    overall.set_prefix(plan.command);
    overall.set_message("building fuzz targets");
    overall.enable_steady_tick(Duration::from_millis(200));
    // Ctrl-C during the build stops cargo too; that still ends in a (partial)
    // report rather than a bare error.
    if let Err(e) = fuzz.build() {
        if !interrupted() {
            return Err(e);
        }
    }

    let opts = RunOptions {
        seconds: plan.seconds,
        jobs: plan.jobs,
        timeout: plan.timeout,
        rss_limit_mb: plan.rss_limit_mb,
        seed: plan.seed,
        keep_going: false,
        seeds: plan.seeds,
        quiet_kinds: None,
    };
    let mut reports: Vec<TargetReport> = Vec::new();
    let mut total_findings = 0;
    let mut stopped = None;
    for &target in &plan.targets {
        if interrupted() {
            break;
        }
        if plan.mode == Mode::Pr {
            if let Some(t) = reports.iter().find(|t| t.findings.iter().any(|f| !f.expected)) {
                stopped = Some(format!(
                    "--mode pr stops at the first unexpected finding ({}); {} targets not fuzzed",
                    t.name,
                    plan.targets.len() - reports.len()
                ));
                break;
            }
        }
        overall.set_message(format!("{}  ({total_findings} findings so far)", target.name));
        let seconds = match target.variant {
            Variant::Vulnerable => plan.vulnerable_seconds,
            _ => plan.seconds,
        };
        // A vulnerable twin is fuzzed until every declared kind has been
        // found (or its budget is spent), not just the first; at night,
        // every target goes on after a finding.
        let keep_going = target.variant == Variant::Vulnerable || plan.mode == Mode::Nightly;
        let opts = RunOptions { seconds, keep_going, ..opts.clone() };
        let corpus = plan.corpus.as_deref();
        let report =
            fuzz_one(&fuzz, target, &opts, &run_dir, &shown, &multi, plan.minimise, corpus)?;
        total_findings += report.findings.len();
        let line = format!(
            "{}: {} — {} ({} execs, {} exec/s, {} findings)",
            report.name,
            report.verdict,
            report.reason,
            report.stats.executions,
            report.stats.exec_per_sec,
            report.findings.len()
        );
        multi.suspend(|| writeln!(out, "{line}").and_then(|()| out.flush()))?;
        reports.push(report);
        overall.inc(1);
    }
    overall.finish_and_clear();

    let replay =
        if plan.replay && !interrupted() { Some(replay(&plan.root, &plan.targets)?) } else { None };
    let timing = if plan.timing && !interrupted() {
        timing_stage(&plan.targets, &run_dir, &multi)?
    } else {
        Vec::new()
    };
    let partial = interrupted();
    let baseline = match &baseline {
        Some(b) => Some(compare(b, &plan.targets[..reports.len()], &mut reports)?),
        None => None,
    };
    let run_id = run_dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut promoted = Vec::new();
    if plan.promote {
        for (report, &target) in reports.iter().zip(&plan.targets) {
            promoted.extend(crate::promote::promote(
                &plan.root,
                target,
                &report.findings,
                &run_id,
            )?);
        }
    }
    let mut flags = CargoFuzz::flags(plan.targets[0], &opts, Path::new("<run>/artifacts/<target>"));
    flags.truncate(flags.len() - plan.targets[0].fuzz_args().len());
    flags[0] = "-dict=corpora/<family>/<family>.dict".to_owned();
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        run_id,
        command: plan.command.to_owned(),
        partial,
        started: rfc3339(started_utc),
        elapsed_secs: started.elapsed().as_secs_f64(),
        environment: environment(&plan.root, &fuzz, flags),
        targets: reports,
        replay,
        timing,
        mode: plan.mode.name().to_owned(),
        stopped,
        baseline,
        promoted,
        passed: false,
    };
    report.passed = report.judge();
    report.write_all(&run_dir)?;
    writeln!(out)?;
    write!(out, "{}", report.summary_table())?;
    for failure in report.failures() {
        writeln!(out, "FAIL {failure}")?;
    }
    if let Some(why) = &report.stopped {
        writeln!(out, "stopped: {why}")?;
    }
    for file in &report.promoted {
        writeln!(out, "promoted: {file} (a failing regression until the bug is fixed)")?;
    }
    writeln!(out, "report: {}", HumanPath(&shown))?;
    if partial {
        eprintln!("gauntlet: interrupted: partial report written to {}", HumanPath(&shown));
    }
    Ok(report)
}

#[allow(clippy::too_many_arguments)]
/// `--mode prune`: `cargo fuzz cmin` on each target's working corpus under
/// `--corpus`, printing the number of inputs before and after. Targets
/// without a working corpus yet are skipped.
pub fn prune(plan: &Plan, out: &mut dyn Write) -> anyhow::Result<crate::cmd::Outcome> {
    let Some(corpus) = &plan.corpus else {
        bail!("--mode prune minimises a working corpus: name it with --corpus DIR");
    };
    let fuzz = CargoFuzz::ensure(&plan.root, plan.sanitizer, plan.install)?;
    fuzz.build()?;
    let count = |dir: &Path| std::fs::read_dir(dir).map_or(0, |d| d.filter_map(Result::ok).count());
    for &target in &plan.targets {
        let dir = corpus.join(target.fuzz_name());
        let before = count(&dir);
        if before == 0 {
            writeln!(out, "{}: no working corpus in {}; skipped", target.name, HumanPath(&dir))?;
            continue;
        }
        let log = corpus.join(format!(".{}.cmin.log", target.fuzz_name()));
        let quiet = crate::fuzzer::every_kind_quiet(corpus, ".quiet-kinds")?;
        fuzz.cmin(target, &dir, &quiet, &log)?;
        writeln!(out, "{}: {before} inputs -> {} (cargo fuzz cmin)", target.name, count(&dir))?;
    }
    Ok(crate::cmd::Outcome::Passed)
}

/// Marks each finding new or persisting against `baseline` and sorts out
/// the baseline's findings this run did not meet again.
fn compare(
    baseline: &Baseline,
    fuzzed: &[&'static Target],
    reports: &mut [TargetReport],
) -> anyhow::Result<crate::baseline::BaselineReport> {
    let mut findings: Vec<&mut FindingRecord> =
        reports.iter_mut().flat_map(|t| t.findings.iter_mut()).collect();
    baseline.compare(&mut findings, fuzzed)
}

#[allow(clippy::too_many_arguments)]
fn fuzz_one(
    fuzz: &CargoFuzz,
    target: &'static Target,
    opts: &RunOptions,
    run_dir: &Path,
    shown: &Path,
    multi: &MultiProgress,
    minimise: bool,
    corpus_root: Option<&Path>,
) -> anyhow::Result<TargetReport> {
    let bar = multi.add(ProgressBar::new(opts.seconds));
    bar.set_style(
        ProgressStyle::with_template("{prefix:>20} [{bar:30}] {pos:>4}/{len}s  {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_prefix(target.name);
    let done = Arc::new(AtomicBool::new(false));
    let ticker = {
        let (bar, done) = (bar.clone(), done.clone());
        let start = Instant::now();
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                bar.set_position(start.elapsed().as_secs());
                std::thread::sleep(Duration::from_millis(200));
            }
        })
    };
    let corpus = corpus_root.unwrap_or(&run_dir.join("corpus")).join(target.fuzz_name());
    let artifacts = run_dir.join("artifacts").join(target.fuzz_name());
    let logs = run_dir.join("logs");
    std::fs::create_dir_all(&logs)
        .with_context(|| format!("cannot create {}", HumanPath(&logs)))?;
    let log = logs.join(format!("{}.log", target.fuzz_name()));
    let stop = AtomicBool::new(false);
    // A vulnerable twin fuzzed on after its findings: each class found is
    // written here, and the jobs after it keep that class's inputs instead
    // of crashing on them (see `adapters::QUIET_KINDS_ENV`).
    let quiet = (target.variant == Variant::Vulnerable && opts.keep_going)
        .then(|| (logs.clone(), format!("{}.found-kinds", target.fuzz_name())));
    let opts = &RunOptions {
        quiet_kinds: quiet.as_ref().map(|(dir, name)| dir.join(name)),
        ..opts.clone()
    };
    let classes = ClassWatch::new(target, quiet);
    let result = std::thread::scope(|scope| {
        if target.variant == Variant::Vulnerable {
            scope.spawn(|| classes.watch(&artifacts, &stop, &done));
        }
        let result =
            fuzz.run(target, &corpus, &artifacts, opts, &log, &stop, |_, stats: &Stats| {
                bar.set_message(format!(
                    "exec/s {}  cov {}  findings {}  classes {}/{}",
                    stats.exec_per_sec,
                    stats.coverage,
                    stats.crashes,
                    classes.found(),
                    target.expected.len()
                ));
            });
        done.store(true, Ordering::Relaxed);
        result
    });
    let _ = ticker.join();
    bar.finish_and_clear();
    let stats = result?;
    let collected =
        findings::collect(fuzz, target, &artifacts, run_dir, shown, minimise && !interrupted())?;
    let corpus_files =
        std::fs::read_dir(&corpus).map(|d| d.filter_map(Result::ok).count() as u64).unwrap_or(0);
    let classes = classes.records(&collected.findings);
    let (verdict, reason) = judge(target, opts.seconds, &stats, &collected.findings, &classes);
    Ok(TargetReport {
        name: target.name.to_owned(),
        family: target.family.name.to_owned(),
        variant: target.variant.name().to_owned(),
        source: target.source.to_owned(),
        expected_kinds: target.expected.to_vec(),
        classes,
        time_budget_secs: opts.seconds,
        libfuzzer_flags: CargoFuzz::flags(target, opts, &artifacts),
        stats,
        corpus_files,
        findings: collected.findings,
        unreproduced: collected.unreproduced,
        verdict,
        reason,
    })
}

/// When each declared kind of a vulnerable twin first showed up among the
/// artifacts, watched while the fuzzer runs; the fuzzer is stopped once
/// every kind is in.
struct ClassWatch {
    target: &'static Target,
    started: Instant,
    first: Mutex<BTreeMap<Kind, f64>>,
    /// Where the kinds found so far are written (directory, file name).
    quiet: Option<(PathBuf, String)>,
}

impl ClassWatch {
    fn new(target: &'static Target, quiet: Option<(PathBuf, String)>) -> ClassWatch {
        ClassWatch { target, started: Instant::now(), first: Mutex::new(BTreeMap::new()), quiet }
    }

    /// Writes the kinds found so far for the fuzzer's next jobs.
    fn publish(&self, first: &BTreeMap<Kind, f64>) {
        if let Some((dir, name)) = &self.quiet {
            let names: Vec<&str> = first.keys().map(|k| k.name()).collect();
            // Best effort: without the file the jobs only crash more often.
            let _ = write_atomic(dir, name, names.join("\n").as_bytes());
        }
    }

    /// How many declared kinds have been seen so far.
    fn found(&self) -> usize {
        self.first.lock().map_or(0, |m| m.len())
    }

    /// Classifies every new artifact in `dir` through the harness until
    /// `done`; sets `stop` when every declared kind has been seen.
    fn watch(&self, dir: &Path, stop: &AtomicBool, done: &AtomicBool) {
        let mut seen = std::collections::HashSet::new();
        loop {
            let finished = done.load(Ordering::Relaxed);
            let mut names: Vec<PathBuf> = std::fs::read_dir(dir)
                .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
                .unwrap_or_default();
            names.sort();
            for path in names {
                if !seen.insert(path.clone()) {
                    continue;
                }
                let Ok(input) = findings::read_artifact(&path) else { continue };
                let secs = self.started.elapsed().as_secs_f64();
                if let Verdict::Finding(f) = self.target.check(&input) {
                    if self.target.is_expected(f.kind) {
                        if let Ok(mut first) = self.first.lock() {
                            if let std::collections::btree_map::Entry::Vacant(e) =
                                first.entry(f.kind)
                            {
                                e.insert(secs);
                                self.publish(&first);
                            }
                        }
                    }
                }
            }
            if self.found() == self.target.expected.len() {
                stop.store(true, Ordering::Relaxed);
            }
            if finished {
                return;
            }
            std::thread::sleep(Duration::from_millis(250));
        }
    }

    /// One record per declared kind: found (by the watch, or among the
    /// collected findings) and when.
    fn records(&self, findings: &[FindingRecord]) -> Vec<ClassRecord> {
        let first = self.first.lock().map(|m| m.clone()).unwrap_or_default();
        self.target
            .expected
            .iter()
            .map(|&kind| ClassRecord {
                kind,
                found: first.contains_key(&kind) || findings.iter().any(|f| f.kind == kind),
                first_secs: first.get(&kind).copied(),
            })
            .collect()
    }
}

/// A target's verdict and the reason for it.
fn judge(
    target: &Target,
    seconds: u64,
    stats: &Stats,
    findings: &[FindingRecord],
    classes: &[ClassRecord],
) -> (Status, String) {
    let unexpected: Vec<&str> =
        findings.iter().filter(|f| !f.expected).map(|f| f.kind.name()).collect();
    if !unexpected.is_empty() {
        return (Status::Fail, format!("{UNEXPECTED}: {}", unexpected.join(", ")));
    }
    if stats.executions == 0 && findings.is_empty() {
        let code = stats.exit_code.map_or("a signal".to_owned(), |c| format!("exit code {c}"));
        return (Status::Fail, format!("libFuzzer did not run ({code}); see its log"));
    }
    if interrupted() && findings.is_empty() {
        return (Status::Fail, "interrupted before a verdict".to_owned());
    }
    match target.variant {
        Variant::Vulnerable if findings.is_empty() => {
            let kinds: Vec<&str> = target.expected.iter().map(|k| k.name()).collect();
            (
                Status::Fail,
                format!("declared bug class ({}) not found in {seconds} s", kinds.join(" or ")),
            )
        }
        Variant::Vulnerable => {
            let missing: Vec<&str> =
                classes.iter().filter(|c| !c.found).map(|c| c.kind.name()).collect();
            let found: Vec<String> =
                classes.iter().filter(|c| c.found).map(ClassRecord::describe).collect();
            if missing.is_empty() {
                (Status::Pass, format!("found every declared bug class: {}", found.join(", ")))
            } else {
                (
                    Status::Fail,
                    format!(
                        "declared bug class not found in {seconds} s: {} (found: {})",
                        missing.join(", "),
                        found.join(", ")
                    ),
                )
            }
        }
        _ => (Status::Pass, format!("no finding in {} executions", stats.executions)),
    }
}

fn replay(root: &Path, targets: &[&'static Target]) -> anyhow::Result<ReplayReport> {
    let results = manifest::replay(root, targets).context("cannot replay the corpora")?;
    let records: Vec<ReplayRecord> = results
        .iter()
        .map(|r| ReplayRecord {
            target: r.target.name.to_owned(),
            file: HumanPath(&r.file).to_string(),
            source: r.source.name().to_owned(),
            expected: r.expect.to_string(),
            got: match &r.verdict {
                Verdict::Clean { .. } => "clean".to_owned(),
                Verdict::Rejected { reason, .. } => format!("rejected: {reason}"),
                Verdict::Finding(f) => f.kind.name().to_owned(),
            },
            pass: r.pass(),
        })
        .collect();
    let failed = records.iter().filter(|r| !r.pass).count();
    Ok(ReplayReport { passed: records.len() - failed, failed, results: records })
}

/// How long one run of the timing stage may take before bigger sizes are
/// skipped for that twin: the stage stays a few seconds a family.
const TIMING_BUDGET: Duration = Duration::from_millis(100);

/// The timing stage: every campaign attack of every family among
/// `targets`, on both twins, charts and JSON into `run_dir/timing/`.
fn timing_stage(
    targets: &[&'static Target],
    run_dir: &Path,
    multi: &MultiProgress,
) -> anyhow::Result<Vec<TimingReport>> {
    let mut families: Vec<&'static Family> = Vec::new();
    for t in targets {
        if !families.iter().any(|f| std::ptr::eq(*f, t.family)) {
            families.push(t.family);
        }
    }
    let bar = multi.add(ProgressBar::new_spinner());
    bar.set_prefix("timing");
    bar.set_style(
        ProgressStyle::with_template("{prefix:>12} {spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    let mut out = Vec::new();
    for family in families {
        let twins: Vec<&'static Target> = gauntlet_harnesses::dos::twins(family).collect();
        for attack in (family.attacks)().iter().filter(|a| a.in_campaign) {
            if interrupted() {
                break;
            }
            let plan = DosPlan {
                sizes: attack.sizes.clone(),
                budget: TIMING_BUDGET,
                timed: true,
                max_work: u64::MAX,
                repeats: 3,
            };
            let timing = crate::timing::measure_attack(family, attack, &twins, &plan, |t, s| {
                bar.set_message(format!("{} {} n={}", t.name, attack.name, s.n));
                bar.tick();
            });
            let chart = crate::timing::write_files(run_dir, &timing)?;
            out.push(TimingReport {
                family: family.name.to_owned(),
                attack: timing.attack.clone(),
                chart,
                twins: timing.records(),
            });
        }
    }
    bar.finish_and_clear();
    Ok(out)
}

/// Creates `out/<run-id>/`, a directory that did not exist before, so no
/// earlier report can be touched.
pub(crate) fn create_run_dir(out: &Path, root: &Path) -> anyhow::Result<PathBuf> {
    std::fs::create_dir_all(out)
        .with_context(|| format!("cannot create the --out directory {}", HumanPath(out)))?;
    let hash = git(root, &["rev-parse", "--short", "HEAD"]);
    let base = format!("{}-{}", run_stamp(SystemTime::now()), hash.as_deref().unwrap_or(NO_GIT));
    for n in 0..100 {
        let name = if n == 0 { base.clone() } else { format!("{base}-{n}") };
        let dir = safe_join(out, &name)?;
        match std::fs::create_dir(&dir) {
            Ok(()) => {
                // A probe write: a full or read-only file system fails here,
                // before any fuzzing time is spent.
                write_atomic(&dir, ".write-probe", b"ok")?;
                let _ = std::fs::remove_file(dir.join(".write-probe"));
                return Ok(dir);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e).with_context(|| format!("cannot create {}", HumanPath(&dir)));
            }
        }
    }
    bail!("cannot find a free run directory name under {}", HumanPath(out))
}

/// `path` relative to `root` when it is inside it (for commands run from
/// the root), else as is.
fn shown_path(path: &Path, root: &Path) -> PathBuf {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let (path, root) = (canon(path), canon(root));
    path.strip_prefix(&root).map(Path::to_path_buf).unwrap_or(path)
}

/// What stands for the git hash when git cannot give one (git is not
/// installed, or the root is not a git work tree): the run id ends in
/// `-nogit` and report.json's `environment.git_hash` is `"nogit"`.
const NO_GIT: &str = "nogit";

/// What stands for the rustc version when `rustc --version` does not answer.
const UNKNOWN: &str = "unknown";

/// The trimmed standard output of `command`, when it ran, succeeded and
/// printed something.
fn stdout_of(command: &mut Command) -> Option<String> {
    let output = command.output().ok().filter(|o| o.status.success())?;
    let text = String::from_utf8_lossy(&output.stdout).trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// `git ARGS` run in `root`, as [`stdout_of`].
fn git(root: &Path, args: &[&str]) -> Option<String> {
    stdout_of(Command::new("git").args(args).current_dir(root))
}

fn environment(root: &Path, fuzz: &CargoFuzz, flags: Vec<String>) -> Environment {
    let rustc = stdout_of(Command::new("rustc").arg("--version"));
    // No output: a clean tree, or git cannot tell (then it is not dirty).
    let dirty = git(root, &["status", "--porcelain", "--untracked-files=no"]).is_some();
    Environment {
        rustc: rustc.unwrap_or_else(|| UNKNOWN.to_owned()),
        cargo_fuzz: fuzz.version.clone(),
        sanitizer: fuzz.sanitizer().name().to_owned(),
        libfuzzer_flags: flags,
        git_hash: git(root, &["rev-parse", "HEAD"]).unwrap_or_else(|| NO_GIT.to_owned()),
        git_dirty: dirty,
        machine: format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH),
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
    }
}

/// (year, month, day, hour, minute, second) in UTC.
fn utc(time: SystemTime) -> (i64, u32, u32, u32, u32, u32) {
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs()) as i64;
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day, (rem / 3600) as u32, (rem % 3600 / 60) as u32, (rem % 60) as u32)
}

/// `20261124T043000Z`.
fn run_stamp(time: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = utc(time);
    format!("{y:04}{mo:02}{d:02}T{h:02}{mi:02}{s:02}Z")
}

/// `2026-11-24T04:30:00Z`.
fn rfc3339(time: SystemTime) -> String {
    let (y, mo, d, h, mi, s) = utc(time);
    format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_dates_are_right() {
        let t = UNIX_EPOCH + Duration::from_secs(1_795_494_600); // 2026-11-24T04:30:00Z
        assert_eq!(rfc3339(t), "2026-11-24T04:30:00Z");
        assert_eq!(run_stamp(t), "20261124T043000Z");
        assert_eq!(rfc3339(UNIX_EPOCH + Duration::from_secs(951_782_400)), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn without_git_the_run_is_named_nogit() {
        let tmp = std::env::temp_dir().join(format!("gauntlet-nogit-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&tmp);
        // Not a git work tree (as long as the temporary directory is not in
        // one); `out` inside it.
        let (root, out) = (tmp.join("root"), tmp.join("reports"));
        std::fs::create_dir_all(&root).unwrap();
        assert_eq!(git(&root, &["rev-parse", "HEAD"]), None);
        let first = create_run_dir(&out, &root).unwrap();
        let second = create_run_dir(&out, &root).unwrap();
        let name = |dir: &Path| dir.file_name().unwrap().to_string_lossy().into_owned();
        assert!(name(&first).ends_with("-nogit"), "{}", name(&first));
        assert_ne!(first, second, "a run never reuses a directory");
        assert!(std::fs::read_dir(&first).unwrap().next().is_none(), "the probe is removed");
        std::fs::remove_dir_all(&tmp).unwrap();
    }
}
