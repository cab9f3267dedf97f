//! Driving `cargo fuzz`: finding or installing it, building the fuzz
//! targets, running one with live statistics, and minimising an input.
//!
//! cargo-fuzz is looked for on `PATH` and in the project-local root
//! `target/tools/bin`; when it is missing it is installed there with
//! `cargo install cargo-fuzz --locked --root target/tools` (after saying
//! so), unless the caller forbids installing.

use std::ffi::OsString;
use std::fs;
use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use gauntlet_harnesses::Target;
use serde::Serialize;

use crate::text::HumanPath;

/// Which sanitizer the fuzz targets are built with.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Sanitizer {
    /// No sanitizer: works on stable Rust.
    None,
    /// AddressSanitizer: needs a nightly toolchain.
    Address,
}

impl Sanitizer {
    /// The value `cargo fuzz --sanitizer` takes.
    pub fn name(self) -> &'static str {
        match self {
            Sanitizer::None => "none",
            Sanitizer::Address => "address",
        }
    }
}

/// A usable `cargo fuzz`, bound to a repository root.
#[derive(Debug)]
pub struct CargoFuzz {
    root: PathBuf,
    path: OsString,
    sanitizer: Sanitizer,
    /// `Some("nightly")` when the sanitizer needs `cargo +nightly`.
    toolchain: Option<&'static str>,
    /// `cargo fuzz --version`.
    pub version: String,
}

/// Options of one libFuzzer run.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// `-max_total_time`, in seconds.
    pub seconds: u64,
    /// `--jobs`: above 1, libFuzzer's fork mode with that many workers.
    pub jobs: u32,
    /// `-timeout` per input, in seconds.
    pub timeout: u64,
    /// `-rss_limit_mb`.
    pub rss_limit_mb: u64,
    /// `-seed`, when fixed.
    pub seed: Option<u64>,
    /// Go on after a finding: fork mode with `-ignore_crashes=1` (and
    /// timeouts and OOMs) even with one job, so one run collects several
    /// distinct findings.
    pub keep_going: bool,
    /// Whether the committed seeds are read as a second corpus.
    pub seeds: bool,
    /// The file of kinds already found, passed to the target as
    /// [`gauntlet_harnesses::adapters::QUIET_KINDS_ENV`].
    pub quiet_kinds: Option<PathBuf>,
}

/// What libFuzzer said about a run.
#[derive(Debug, Default, Serialize)]
pub struct Stats {
    /// Inputs executed.
    pub executions: u64,
    /// Executions per second.
    pub exec_per_sec: u64,
    /// Coverage: edges (`cov:`).
    pub coverage: u64,
    /// Features (`ft:`).
    pub features: u64,
    /// Units in the working corpus.
    pub corpus_units: u64,
    /// Peak resident memory, MB.
    pub peak_rss_mb: u64,
    /// Inputs the target crashed on, as reported live (fork mode counts
    /// every one; otherwise libFuzzer stops at the first).
    pub crashes: u64,
    /// Wall time of the run, seconds.
    pub elapsed_secs: f64,
    /// libFuzzer's exit code (0 finished, 77 a crash, 70 a timeout, 71 out
    /// of memory, 72 interrupted...), `None` if killed by a signal.
    pub exit_code: Option<i32>,
}

impl Stats {
    /// Folds one line of libFuzzer's output into the statistics.
    ///
    /// Understands the status lines (`#1234 NEW cov: 56 ft: 78 corp: 9/10b
    /// exec/s: 111 rss: 32Mb`), fork mode's (`#1234: cov: 56 ft: 78 corp: 9
    /// exec/s 111 oom/timeout/crash: 0/0/1 time: 10s`) and the final
    /// `-print_final_stats=1` lines (`stat::number_of_executed_units: 1234`).
    pub fn absorb(&mut self, line: &str) {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("stat::") {
            let (key, value) = rest.split_once(':').unwrap_or((rest, ""));
            let value = value.trim().parse::<u64>().ok();
            match (key, value) {
                // A fork-mode parent runs no input itself and reports 0 for
                // both: keep what its status lines said.
                ("number_of_executed_units", Some(v)) => self.executions = self.executions.max(v),
                ("average_exec_per_sec", Some(v)) if v > 0 => self.exec_per_sec = v,
                ("peak_rss_mb", Some(v)) => self.peak_rss_mb = v,
                _ => {}
            }
            return;
        }
        if line.contains("gauntlet finding:") {
            self.crashes += 1;
        }
        let Some(rest) = line.strip_prefix('#') else { return };
        let mut words = rest.split_whitespace();
        if let Some(n) = words.next().and_then(|w| w.trim_end_matches(':').parse().ok()) {
            self.executions = self.executions.max(n);
        }
        let words: Vec<&str> = rest.split_whitespace().collect();
        for pair in words.windows(2) {
            let number = |s: &str| {
                s.split(['/', 'b', 'M', 'K', 's']).next().and_then(|n| n.parse::<u64>().ok())
            };
            match pair[0] {
                "cov:" => self.coverage = number(pair[1]).unwrap_or(self.coverage),
                "ft:" => self.features = number(pair[1]).unwrap_or(self.features),
                "corp:" => self.corpus_units = number(pair[1]).unwrap_or(self.corpus_units),
                "exec/s:" | "exec/s" => {
                    self.exec_per_sec = number(pair[1]).unwrap_or(self.exec_per_sec)
                }
                "rss:" => {
                    let rss = number(pair[1]).unwrap_or(0);
                    self.peak_rss_mb = self.peak_rss_mb.max(rss);
                }
                "oom/timeout/crash:" => {
                    if let Some(c) = pair[1].rsplit('/').next().and_then(|c| c.parse().ok()) {
                        self.crashes = self.crashes.max(c);
                    }
                }
                _ => {}
            }
        }
    }
}

impl CargoFuzz {
    /// Finds cargo-fuzz, installing it into `target/tools` when it is
    /// missing and `install` allows it; checks the toolchain the sanitizer
    /// needs.
    pub fn ensure(root: &Path, sanitizer: Sanitizer, install: bool) -> anyhow::Result<CargoFuzz> {
        let tools = root.join("target/tools");
        let mut dirs = vec![tools.join("bin")];
        dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()));
        let path = std::env::join_paths(dirs).context("cannot build PATH")?;
        let toolchain = match sanitizer {
            Sanitizer::None => None,
            Sanitizer::Address => Some("nightly"),
        };
        let mut fuzz = CargoFuzz {
            root: root.to_path_buf(),
            path,
            sanitizer,
            toolchain,
            version: String::new(),
        };
        if let Some(toolchain) = toolchain {
            let ok = fuzz.cargo().arg("--version").output().is_ok_and(|o| o.status.success());
            if !ok {
                bail!(
                    "--sanitizer address needs a {toolchain} toolchain (`rustup toolchain list` \
                     shows none); use --sanitizer none"
                );
            }
        }
        if let Some(version) = fuzz.probe() {
            fuzz.version = version;
            return Ok(fuzz);
        }
        if !install {
            bail!("cargo-fuzz is not installed and --no-install forbids installing it");
        }
        eprintln!(
            "gauntlet: cargo-fuzz not found: installing it into {} \
             (cargo install cargo-fuzz --locked --root {0})",
            HumanPath(&tools)
        );
        let status = Command::new("cargo")
            .args(["install", "cargo-fuzz", "--locked", "--root"])
            .arg(&tools)
            .status()
            .context("cannot run cargo install")?;
        if !status.success() {
            bail!("cargo install cargo-fuzz failed ({status})");
        }
        fuzz.version =
            fuzz.probe().ok_or_else(|| anyhow!("cargo-fuzz installed but not runnable"))?;
        Ok(fuzz)
    }

    fn probe(&self) -> Option<String> {
        let out = self.cargo().args(["fuzz", "--version"]).output().ok()?;
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// `cargo` (or `cargo +nightly`) with our PATH, in the repository root.
    fn cargo(&self) -> Command {
        let mut cmd = Command::new("cargo");
        if let Some(toolchain) = self.toolchain {
            cmd.arg(format!("+{toolchain}"));
        }
        cmd.env("PATH", &self.path).current_dir(&self.root);
        cmd
    }

    /// The sanitizer in use.
    pub fn sanitizer(&self) -> Sanitizer {
        self.sanitizer
    }

    /// The command line that reproduces `input` on `target`, for people.
    pub fn reproduce_command(&self, target: &Target, input: &Path) -> String {
        let plus = self.toolchain.map(|t| format!("+{t} ")).unwrap_or_default();
        format!(
            "cargo {plus}fuzz run --sanitizer {} {} {}",
            self.sanitizer.name(),
            target.fuzz_name(),
            input.display()
        )
    }

    /// Builds every fuzz target (release, with debug assertions as cargo
    /// fuzz does), printing cargo's output to stderr.
    pub fn build(&self) -> anyhow::Result<()> {
        let status = self
            .cargo()
            .args(["fuzz", "build", "--sanitizer", self.sanitizer.name()])
            .stdout(Stdio::null())
            .status()
            .context("cannot run cargo fuzz build")?;
        if !status.success() {
            bail!("cargo fuzz build failed ({status})");
        }
        Ok(())
    }

    /// The libFuzzer flags of a run, in order.
    pub fn flags(target: &Target, opts: &RunOptions, artifacts: &Path) -> Vec<String> {
        let mut flags = vec![
            format!("-dict={}", target.dict_path().display()),
            format!("-max_total_time={}", opts.seconds),
            format!("-timeout={}", opts.timeout),
            format!("-rss_limit_mb={}", opts.rss_limit_mb),
            "-print_final_stats=1".to_owned(),
            format!("-artifact_prefix={}/", artifacts.display()),
        ];
        if opts.jobs > 1 || opts.keep_going {
            flags.push(format!("-fork={}", opts.jobs.max(1)));
            flags.extend(
                ["-ignore_crashes=1", "-ignore_timeouts=1", "-ignore_ooms=1"].map(String::from),
            );
        }
        if let Some(seed) = opts.seed {
            flags.push(format!("-seed={seed}"));
        }
        flags.extend(target.fuzz_args().iter().map(|a| (*a).to_owned()));
        flags
    }

    /// Runs libFuzzer on `target` with `corpus` as the working corpus and the
    /// committed seeds as a read-only second corpus. Every output line goes
    /// to `log` and to `on_line` (with the statistics so far). Setting
    /// `stop` ends the run early: cargo fuzz and libFuzzer run in a process
    /// group of their own, which gets SIGTERM (not SIGINT: in fork mode
    /// libFuzzer waits for each job with `system()`, which ignores SIGINT in
    /// the waiting parent, so the parent would go on to the next job).
    #[allow(clippy::too_many_arguments)]
    pub fn run(
        &self,
        target: &Target,
        corpus: &Path,
        artifacts: &Path,
        opts: &RunOptions,
        log: &Path,
        stop: &AtomicBool,
        mut on_line: impl FnMut(&str, &Stats),
    ) -> anyhow::Result<Stats> {
        fs::create_dir_all(corpus)
            .with_context(|| format!("cannot create {}", HumanPath(corpus)))?;
        fs::create_dir_all(artifacts)
            .with_context(|| format!("cannot create {}", HumanPath(artifacts)))?;
        let mut cmd = self.cargo();
        cmd.args(["fuzz", "run", "--sanitizer", self.sanitizer.name()]);
        cmd.arg(target.fuzz_name()).arg(corpus);
        let seeds = self.root.join(target.seeds_path());
        if opts.seeds && seeds.is_dir() {
            cmd.arg(target.seeds_path());
        }
        cmd.arg("--").args(Self::flags(target, opts, artifacts));
        if let Some(quiet) = &opts.quiet_kinds {
            cmd.env(gauntlet_harnesses::adapters::QUIET_KINDS_ENV, quiet);
        }
        cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
        cmd.process_group(0);
        let started = Instant::now();
        let mut child = cmd.spawn().context("cannot run cargo fuzz run")?;
        let group = child.id();
        let finished = AtomicBool::new(false);
        let mut log_file =
            fs::File::create(log).with_context(|| format!("cannot create {}", HumanPath(log)))?;
        // stdout is small (cargo-fuzz's own notes); read it on a thread so
        // neither pipe can fill up and stall the child.
        let stdout = child.stdout.take();
        let out_thread = std::thread::spawn(move || {
            let mut text = Vec::new();
            if let Some(mut s) = stdout {
                let _ = std::io::Read::read_to_end(&mut s, &mut text);
            }
            text
        });
        let mut stats = Stats::default();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                while !finished.load(Ordering::Relaxed) {
                    if stop.load(Ordering::Relaxed) {
                        signal_group(group, "TERM");
                        // A worker caught by the signal while it was
                        // printing a crash can hang on a lock; after a grace
                        // period the group is killed outright.
                        let grace = Instant::now();
                        while !finished.load(Ordering::Relaxed) {
                            if grace.elapsed() > Duration::from_secs(5) {
                                signal_group(group, "KILL");
                                break;
                            }
                            std::thread::sleep(Duration::from_millis(100));
                        }
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(100));
                }
            });
            if let Some(stderr) = child.stderr.take() {
                let mut reader = BufReader::new(stderr);
                let mut raw = Vec::new();
                loop {
                    raw.clear();
                    match reader.read_until(b'\n', &mut raw) {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                    let _ = std::io::Write::write_all(&mut log_file, &raw);
                    let line = String::from_utf8_lossy(&raw);
                    stats.absorb(&line);
                    on_line(line.trim_end(), &stats);
                }
            }
            finished.store(true, Ordering::Relaxed);
        });
        let status = child.wait().context("cannot wait for cargo fuzz run")?;
        let _ = std::io::Write::write_all(&mut log_file, &out_thread.join().unwrap_or_default());
        stats.exit_code = status.code();
        stats.elapsed_secs = started.elapsed().as_secs_f64();
        if stats.executions > 0 && stats.exec_per_sec == 0 && stats.elapsed_secs > 0.0 {
            stats.exec_per_sec = (stats.executions as f64 / stats.elapsed_secs) as u64;
        }
        Ok(stats)
    }

    /// Builds `target` with coverage instrumentation and runs every input
    /// of `dirs` through it (`cargo fuzz coverage`), with the finding kinds
    /// in the file `quiet` kept rather than crashing
    /// ([`gauntlet_harnesses::adapters::QUIET_KINDS_ENV`]); cargo fuzz's
    /// output goes to `log`. Returns the instrumented binary and the merged
    /// profile.
    pub fn coverage(
        &self,
        target: &Target,
        dirs: &[PathBuf],
        quiet: &Path,
        log: &Path,
    ) -> anyhow::Result<(PathBuf, PathBuf)> {
        let file =
            fs::File::create(log).with_context(|| format!("cannot create {}", HumanPath(log)))?;
        let name = target.fuzz_name();
        let status = self
            .cargo()
            .args(["fuzz", "coverage", "--sanitizer", self.sanitizer.name()])
            .arg(&name)
            .args(dirs)
            .env(gauntlet_harnesses::adapters::QUIET_KINDS_ENV, quiet)
            .stdin(Stdio::null())
            .stdout(file.try_clone().context("cannot share the log file")?)
            .stderr(file)
            .status()
            .context("cannot run cargo fuzz coverage")?;
        if !status.success() {
            bail!("cargo fuzz coverage {name} failed ({status}); see {}", HumanPath(log));
        }
        let profile = self.root.join("fuzz/coverage").join(&name).join("coverage.profdata");
        let triple = "x86_64-unknown-linux-gnu";
        let target_dirs = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .into_iter()
            .chain([self.root.join("fuzz/target"), self.root.join("target")]);
        // The one just built is the newest of the places cargo fuzz may use.
        let binary = target_dirs
            .map(|d| d.join(triple).join("coverage").join(triple).join("release").join(&name))
            .filter_map(|b| Some((fs::metadata(&b).ok()?.modified().ok()?, b)))
            .max()
            .map(|(_, b)| b)
            .ok_or_else(|| {
                anyhow!("cargo fuzz coverage built no {name} binary that gauntlet can find")
            })?;
        if !profile.is_file() {
            bail!("cargo fuzz coverage wrote no profile {}", HumanPath(&profile));
        }
        Ok((binary, profile))
    }

    /// Minimises the working corpus `corpus` of `target` in place with
    /// `cargo fuzz cmin` (libFuzzer's `-merge=1`): only inputs that add
    /// coverage stay. The finding kinds in the file `quiet` are kept, not
    /// crashed on (a vulnerable twin's corpus is full of stepping stones to
    /// its findings). cargo fuzz's output goes to `log`.
    pub fn cmin(
        &self,
        target: &Target,
        corpus: &Path,
        quiet: &Path,
        log: &Path,
    ) -> anyhow::Result<()> {
        let file =
            fs::File::create(log).with_context(|| format!("cannot create {}", HumanPath(log)))?;
        let status = self
            .cargo()
            .args(["fuzz", "cmin", "--sanitizer", self.sanitizer.name()])
            .arg(target.fuzz_name())
            .arg(corpus)
            .arg("--")
            .arg(format!("-dict={}", target.dict_path().display()))
            .args(target.fuzz_args())
            .env(gauntlet_harnesses::adapters::QUIET_KINDS_ENV, quiet)
            .stdin(Stdio::null())
            .stdout(file.try_clone().context("cannot share the log file")?)
            .stderr(file)
            .status()
            .context("cannot run cargo fuzz cmin")?;
        if !status.success() {
            bail!(
                "cargo fuzz cmin {} failed ({status}); see {}",
                target.fuzz_name(),
                HumanPath(log)
            );
        }
        Ok(())
    }

    /// Minimises a crashing input with `cargo fuzz tmin`; returns the
    /// smallest crashing input it wrote into `dir`, if any.
    pub fn tmin(
        &self,
        target: &Target,
        input: &Path,
        dir: &Path,
        runs: u32,
        deadline: Duration,
    ) -> anyhow::Result<Option<PathBuf>> {
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", HumanPath(dir)))?;
        let mut child = self
            .cargo()
            .args(["fuzz", "tmin", "--sanitizer", self.sanitizer.name(), "-r"])
            .arg(runs.to_string())
            .arg(target.fuzz_name())
            .arg(input)
            .arg("--")
            .arg(format!("-artifact_prefix={}/", dir.display()))
            .arg(format!("-max_total_time={}", deadline.as_secs().max(1)))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot run cargo fuzz tmin")?;
        let started = Instant::now();
        // tmin re-runs the target many times; a deadline keeps a campaign's
        // wall time predictable.
        while child.try_wait().context("cannot wait for cargo fuzz tmin")?.is_none() {
            if started.elapsed() > deadline + Duration::from_secs(30) {
                let _ = child.kill();
                let _ = child.wait();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut best: Option<(u64, PathBuf)> = None;
        for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", HumanPath(dir)))? {
            let entry = entry?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if !(name.starts_with("minimized-from-") || name.starts_with("crash-")) {
                continue;
            }
            let len = entry.metadata()?.len();
            if best.as_ref().is_none_or(|(l, _)| len < *l) {
                best = Some((len, entry.path()));
            }
        }
        Ok(best.map(|(_, p)| p))
    }
}

/// Writes the file of every finding kind, for
/// [`gauntlet_harnesses::adapters::QUIET_KINDS_ENV`], as `dir/name`: a run
/// over a corpus (coverage, minimisation) keeps every input instead of
/// crashing on the first finding.
pub fn every_kind_quiet(dir: &Path, name: &str) -> anyhow::Result<PathBuf> {
    let names: Vec<&str> = gauntlet_harnesses::Kind::ALL.iter().map(|k| k.name()).collect();
    crate::report::files::write_atomic(dir, name, names.join("\n").as_bytes())
}

/// Sends `signal` (`TERM`, `KILL`) to the process group `group` with the
/// POSIX `kill` utility, so the fuzz binary and its fork-mode workers get it
/// too.
fn signal_group(group: u32, signal: &str) {
    let _ = Command::new("kill")
        .args(["-s", signal, "--", &format!("-{group}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_are_read() {
        let mut s = Stats::default();
        s.absorb("#62787\tNEW    cov: 2471 ft: 8198 corp: 975/9706b lim: 25 exec/s: 8969 rss: 35Mb L: 23/25 MS: 3 CrossOver-");
        assert_eq!(
            (s.executions, s.coverage, s.features, s.corpus_units, s.exec_per_sec, s.peak_rss_mb),
            (62787, 2471, 8198, 975, 8969, 35)
        );
        s.absorb("#70000: cov: 2500 ft: 8300 corp: 990 exec/s 9100 oom/timeout/crash: 0/0/3 time: 12s job: 4 dft_time: 0");
        assert_eq!((s.executions, s.coverage, s.exec_per_sec, s.crashes), (70000, 2500, 9100, 3));
        s.absorb("stat::number_of_executed_units: 71234");
        s.absorb("stat::average_exec_per_sec:     9000");
        s.absorb("stat::peak_rss_mb:              40");
        assert_eq!((s.executions, s.exec_per_sec, s.peak_rss_mb), (71234, 9000, 40));
        s.absorb("thread '<unnamed>' panicked at x.rs:1:1:");
        s.absorb("gauntlet finding: regex-vulnerable SuperlinearTime (CWE-1333) [s]: x");
        assert_eq!(s.crashes, 4);
        // A fork-mode parent's final statistics count none of its jobs'.
        s.absorb("stat::number_of_executed_units: 0");
        s.absorb("stat::average_exec_per_sec:     0");
        assert_eq!((s.executions, s.exec_per_sec), (71234, 9000));
    }
}
