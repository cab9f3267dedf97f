//! `gauntlet coverage`: line coverage of the code under attack, per file.

use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};
use clap::Args;
use gauntlet_harnesses::Target;
use serde::Serialize;

use super::common::{every_target, parse_targets, repo_root};
use super::{Exec, Outcome};
use crate::campaign::create_run_dir;
use crate::coverage::{parse_lcov, FileCoverage, LlvmTools};
use crate::fuzzer::{every_kind_quiet, CargoFuzz, Sanitizer};
use crate::report::files::write_atomic;
use crate::text::HumanPath;

/// Line coverage of the code under attack, per file, from each target's corpus
///
/// For each target: builds its coverage-instrumented fuzz binary and runs
/// the family's committed seeds, reproducers and the target's regressions
/// (and its working corpus under --corpus) through it (`cargo fuzz
/// coverage`), exports the profile as lcov with llvm-cov, and counts the
/// lines run in each file under targets/src/. Findings do not stop the run:
/// every kind is kept, as a fuzzer that already found it would keep it.
///
/// Writes `<out>/<UTC time>-<git hash>/`: report.md (a per-file table per
/// target), coverage.json, `lcov/<target>.info`, and `html/<target>/`
/// (llvm-cov's HTML report) unless --no-html.
///
/// Needs llvm-cov and llvm-profdata of the toolchain's own LLVM: `rustup
/// component add llvm-tools-preview`. Without them it stops at once with
/// that hint (exit 2).
///
/// Exit status: 0 written, 2 a usage or I/O error or a tool that failed.
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct Coverage {
    /// The targets (see `gauntlet list`)
    #[arg(value_name = "TARGET", required_unless_present = "all", conflicts_with = "all")]
    targets: Vec<String>,

    /// Every target
    #[arg(long)]
    all: bool,

    /// A working corpus (as `gauntlet campaign --corpus`):
    /// `DIR/<fuzz target>/` is run too
    #[arg(long, value_name = "DIR")]
    corpus: Option<PathBuf>,

    /// Directory the run directory is created in (default: `<root>/reports`)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Skip llvm-cov's HTML report
    #[arg(long)]
    no_html: bool,

    /// Fail instead of installing cargo-fuzz when it is missing
    #[arg(long)]
    no_install: bool,

    /// The repository root (default: the nearest ancestor of the current
    /// directory with corpora/)
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

/// The part of the tree whose coverage is reported: the code under attack,
/// `targets/src/`; of it, a target's table shows its family's folder and
/// the files every family shares (the meter).
const UNDER_ATTACK: &[&str] = &["targets/src/"];

#[cfg(test)]
mod tests {
    use super::attacked_by;

    #[test]
    fn a_target_is_shown_its_own_twin_and_the_shared_code() {
        let hardened = gauntlet_harnesses::find("json-hardened").unwrap();
        let vulnerable = gauntlet_harnesses::find("json-vulnerable").unwrap();
        for (file, h, v) in [
            ("targets/src/json/hardened.rs", true, false),
            ("targets/src/json/vulnerable.rs", false, true),
            ("targets/src/json/mod.rs", true, true),
            ("targets/src/meter.rs", true, true),
            ("targets/src/xml/parser.rs", false, false),
        ] {
            assert_eq!(
                (attacked_by(file, hardened), attacked_by(file, vulnerable)),
                (h, v),
                "{file}"
            );
        }
    }
}

/// Whether `file` (under [`UNDER_ATTACK`]) is what `target` runs: its
/// family's code but the other twin (a differential target runs the
/// hardened one), or code every family shares.
fn attacked_by(file: &str, target: &Target) -> bool {
    let rest = file.strip_prefix(UNDER_ATTACK[0]).unwrap_or(file);
    let Some(own) = rest.strip_prefix(&format!("{}/", target.family.name)) else {
        return !rest.contains('/');
    };
    let other = match target.variant {
        gauntlet_harnesses::Variant::Vulnerable => "hardened.rs",
        _ => "vulnerable.rs",
    };
    own != other
}

/// One target's coverage.
#[derive(Serialize)]
struct TargetCoverage {
    target: &'static str,
    /// The corpus directories run, relative to the root where they are in it.
    corpus: Vec<String>,
    /// Inputs run.
    inputs: usize,
    lcov: String,
    html: Option<String>,
    files: Vec<FileCoverage>,
}

impl Exec for Coverage {
    fn exec(&self, out: &mut dyn Write) -> anyhow::Result<Outcome> {
        let targets: Vec<&'static Target> =
            if self.all { every_target().collect() } else { parse_targets(&self.targets)? };
        let tools = LlvmTools::find()?;
        let root = repo_root(self.root.as_deref())?;
        let out_dir = match &self.out {
            Some(o) => std::path::absolute(o)
                .with_context(|| format!("cannot resolve --out {}", HumanPath(o)))?,
            None => root.join("reports"),
        };
        let fuzz = CargoFuzz::ensure(&root, Sanitizer::None, !self.no_install)?;
        let run_dir = create_run_dir(&out_dir, &root)?;
        for sub in ["lcov", "logs"] {
            std::fs::create_dir_all(run_dir.join(sub))
                .with_context(|| format!("cannot create {}", HumanPath(&run_dir.join(sub))))?;
        }
        // Every kind quiet: a finding is kept, not a crash that would end
        // the run before the rest of the corpus.
        let quiet = every_kind_quiet(&run_dir.join("logs"), "quiet-kinds")?;
        let mut all = Vec::new();
        for target in targets {
            let dirs = corpus_dirs(&root, target, self.corpus.as_deref());
            let inputs = dirs.iter().map(|d| count_files(d)).sum();
            let log = run_dir.join("logs").join(format!("{}.coverage.log", target.fuzz_name()));
            writeln!(out, "{}: running {inputs} inputs through the coverage build", target.name)?;
            out.flush()?;
            let (binary, profile) = fuzz.coverage(target, &dirs, &quiet, &log)?;
            let lcov_name = format!("{}.info", target.fuzz_name());
            let lcov = export_lcov(&tools, &binary, &profile)?;
            write_atomic(&run_dir.join("lcov"), &lcov_name, lcov.as_bytes())?;
            let html = if self.no_html {
                None
            } else {
                let dir = run_dir.join("html").join(target.fuzz_name());
                html_report(&tools, &binary, &profile, &dir, &root)?;
                Some(format!("html/{}/index.html", target.fuzz_name()))
            };
            let mut files = parse_lcov(&lcov, &root, UNDER_ATTACK);
            files.retain(|f| attacked_by(&f.file, target));
            if files.is_empty() {
                bail!("the coverage of {} names no file under targets/src/", target.name);
            }
            all.push(TargetCoverage {
                target: target.name,
                corpus: dirs.iter().map(|d| shown(d, &root)).collect(),
                inputs,
                lcov: format!("lcov/{lcov_name}"),
                html,
                files,
            });
        }
        let md = markdown(&all);
        write_atomic(&run_dir, "report.md", md.as_bytes())?;
        let json = serde_json::to_vec_pretty(&all).context("cannot encode coverage.json")?;
        write_atomic(&run_dir, "coverage.json", &json)?;
        write!(out, "{md}")?;
        writeln!(out, "report: {}", HumanPath(&run_dir))?;
        Ok(Outcome::Passed)
    }
}

/// The directories run for `target`: the family's seeds and reproducers,
/// the target's regressions, and its working corpus, those that exist.
fn corpus_dirs(root: &Path, target: &Target, corpus: Option<&Path>) -> Vec<PathBuf> {
    let mut dirs = vec![
        root.join(target.seeds_path()),
        root.join(target.family.reproducers_dir()),
        root.join(target.regressions_path()),
    ];
    dirs.extend(corpus.map(|c| c.join(target.fuzz_name())));
    dirs.retain(|d| d.is_dir());
    dirs
}

fn count_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .map(|d| d.filter_map(Result::ok).filter(|e| e.path().is_file()).count())
        .unwrap_or(0)
}

fn shown(dir: &Path, root: &Path) -> String {
    dir.strip_prefix(root).unwrap_or(dir).display().to_string()
}

/// Files that are not the project's own: the standard library, crates.io
/// sources and cargo's generated code.
const NOT_OURS: &str = r"(/rustc/|/\.cargo/registry/|/\.rustup/|/rustlib/)";

fn export_lcov(tools: &LlvmTools, binary: &Path, profile: &Path) -> anyhow::Result<String> {
    let output = std::process::Command::new(&tools.cov)
        .args(["export", "-format=lcov", "-ignore-filename-regex", NOT_OURS, "-instr-profile"])
        .arg(profile)
        .arg(binary)
        .output()
        .context("cannot run llvm-cov export")?;
    if !output.status.success() {
        bail!(
            "llvm-cov export failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    String::from_utf8(output.stdout).context("llvm-cov export wrote something that is not UTF-8")
}

fn html_report(
    tools: &LlvmTools,
    binary: &Path,
    profile: &Path,
    dir: &Path,
    root: &Path,
) -> anyhow::Result<()> {
    let status = std::process::Command::new(&tools.cov)
        .args(["show", "-format=html", "-ignore-filename-regex", NOT_OURS, "-instr-profile"])
        .arg(profile)
        .arg(format!("-output-dir={}", dir.display()))
        .arg(format!("-path-equivalence={},.", root.display()))
        .arg(binary)
        .stdout(std::process::Stdio::null())
        .status()
        .context("cannot run llvm-cov show")?;
    if !status.success() {
        bail!("llvm-cov show failed ({status})");
    }
    Ok(())
}

/// One table per target: file, lines, lines hit, percent.
fn markdown(all: &[TargetCoverage]) -> String {
    let mut md = String::from(
        "# gauntlet coverage\n\nLine coverage of the code under attack \
                               (targets/src/) by each target's corpus.\n",
    );
    for t in all {
        let _ = writeln!(
            md,
            "\n## {}\n\n{} inputs from {}; lcov `{}`{}\n",
            t.target,
            t.inputs,
            t.corpus.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
            t.lcov,
            t.html.as_ref().map(|h| format!(", HTML `{h}`")).unwrap_or_default()
        );
        let (lines, hit) = t.files.iter().fold((0, 0), |(l, h), f| (l + f.lines, h + f.hit));
        let total = FileCoverage { file: String::new(), lines, hit };
        let _ = writeln!(md, "| file | lines | hit | coverage |");
        let _ = writeln!(md, "|---|---:|---:|---:|");
        for f in &t.files {
            let _ =
                writeln!(md, "| `{}` | {} | {} | {:.1}% |", f.file, f.lines, f.hit, f.percent());
        }
        let _ = writeln!(md, "| **all** | {lines} | {hit} | {:.1}% |", total.percent());
    }
    md
}
