//! `gauntlet run`: inputs through one target, one verdict per input.
//!
//! # Resource limits
//!
//! Inputs are read one at a time, each whole into one reused buffer, so
//! memory stays at the largest input plus one directory's list of names. An
//! input over `--max-input` bytes (16 MiB by default) is refused before it is
//! read: a regular file by its size, a stream (stdin, a pipe) once it has
//! given one byte more than the cap. The target's own work is bounded by its
//! meter's fuse.
//!
//! # Time complexity
//!
//! O(n + d log d) besides the targets' work, n the total input bytes and d
//! the number of files in the largest directory (its names are sorted).

use std::fs::{self, File};
use std::io::{self, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, Context};
use clap::Args;
use gauntlet_harnesses::{Kind, Target, Verdict};
use serde::Serialize;

use super::common::{parse_target, summary};
use super::{Exec, Outcome};
use crate::report::CostRecord;
use crate::text::OneLine;

/// The default `--max-input`: 16 MiB.
const DEFAULT_MAX_INPUT: u64 = 16 * 1024 * 1024;

/// How stdin is named in the output.
const STDIN: &str = "<stdin>";

/// Run inputs through one target and print each verdict and its cost
///
/// Each input goes through the target's harness once: decoded, run under the
/// cost meter, judged by the target's oracles. A line per input says whether
/// it was clean, rejected by the target (with the reason) or gave a finding
/// (kind, CWE, whether the target is expected to produce it, signature,
/// summary), with the metered cost.
///
/// Inputs are taken in the order given. A directory stands for every regular
/// file directly inside it (not recursive; symlinks followed), in name order.
/// `-`, or no input at all, reads stdin.
///
/// Bad input stops the run: at an input that is missing, unreadable or over
/// --max-input, or a directory with no files, gauntlet prints the results of
/// the inputs before it, then the error, and exits with 2 without running
/// the rest.
#[derive(Args)]
#[command(verbatim_doc_comment, after_long_help = EXIT_STATUS)]
pub struct Run {
    /// The target to run the inputs through (see `gauntlet list`)
    target: String,

    /// Files, directories, or `-` for stdin [default: stdin].
    #[arg(value_name = "FILE|DIR|-")]
    inputs: Vec<PathBuf>,

    /// Print JSON Lines: one object per input
    #[arg(long)]
    json: bool,

    /// Refuse an input larger than BYTES, before reading it
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_INPUT)]
    max_input: u64,
}

const EXIT_STATUS: &str = "\
JSON Lines (--json), one object per input:
  target, input       the target's name; the input's path, or <stdin>
  input_bytes         the input's size
  verdict             \"clean\", \"rejected\" or \"finding\"
  kind, cwe           the finding's kind and CWE number (null unless a finding)
  expected            whether the target is expected to produce the finding
                      (null unless a finding)
  summary             the finding's summary or the rejection reason (null when
                      clean)
  signature           the finding's de-duplication signature (null unless a
                      finding)
  cost                metered work: {steps, bytes_out, depth, probes}
  elapsed_us          wall time of the check in microseconds (informational)

Exit status:
  0  every input ran and none gave a finding
  1  at least one input gave a finding, expected or not
  2  a usage or I/O error: an unknown target, or an input that is missing,
     unreadable or over --max-input, or a directory with no files (the run
     stops at that input)";

impl Exec for Run {
    fn exec(&self, out: &mut dyn Write) -> anyhow::Result<Outcome> {
        let target = parse_target(&self.target)?;
        let stdin_only = [PathBuf::from("-")];
        let inputs = if self.inputs.is_empty() {
            if io::stdin().is_terminal() {
                let _ = writeln!(io::stderr(), "gauntlet: reading the input from the terminal");
            }
            &stdin_only[..]
        } else {
            &self.inputs[..]
        };

        let mut runner = Runner {
            target,
            json: self.json,
            max_input: self.max_input,
            out,
            buf: Vec::new(),
            outcome: Outcome::Passed,
        };
        for input in inputs {
            if input == Path::new("-") {
                runner.stdin()?;
                continue;
            }
            let meta =
                fs::metadata(input).with_context(|| format!("cannot read {}", input.display()))?;
            if meta.is_dir() {
                let files = files_in(input)?;
                if files.is_empty() {
                    return Err(anyhow!("{} holds no input files", input.display()));
                }
                for file in files {
                    runner.file(&file)?;
                }
            } else {
                runner.file(input)?;
            }
        }
        Ok(runner.outcome)
    }
}

/// The regular files directly in `dir` (symlinks followed), sorted by name.
///
/// Other entries are skipped: subdirectories, and FIFOs, sockets and devices,
/// which could block or never end.
fn files_in(dir: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let context = || format!("cannot read directory {}", dir.display());
    let mut files = Vec::new();
    for entry in fs::read_dir(dir).with_context(context)? {
        let entry = entry.with_context(context)?;
        let path = entry.path();
        let kind = entry.file_type().with_context(|| format!("cannot read {}", path.display()))?;
        let is_file = kind.is_file()
            || kind.is_symlink()
                && fs::metadata(&path)
                    .with_context(|| format!("cannot read {}", path.display()))?
                    .is_file();
        if is_file {
            files.push(path);
        }
    }
    // All in one directory: ordering the paths orders the file names.
    files.sort_unstable();
    Ok(files)
}

/// Runs inputs through one target and writes a result line for each.
struct Runner<'a> {
    target: &'static Target,
    json: bool,
    max_input: u64,
    out: &'a mut dyn Write,
    /// The current input, reused from one input to the next.
    buf: Vec<u8>,
    outcome: Outcome,
}

impl Runner<'_> {
    fn stdin(&mut self) -> anyhow::Result<()> {
        self.buf.clear();
        read_capped(io::stdin().lock(), &mut self.buf, self.max_input)
            .with_context(|| format!("cannot read {STDIN}"))?;
        self.check_buf(STDIN, None)
    }

    fn file(&mut self, path: &Path) -> anyhow::Result<()> {
        let context = || format!("cannot read {}", path.display());
        let file = File::open(path).with_context(context)?;
        let meta = file.metadata().with_context(context)?;
        let label = path.to_string_lossy();
        if meta.is_file() && meta.len() > self.max_input {
            return Err(too_big(&label, Some(meta.len()), self.max_input));
        }
        self.buf.clear();
        read_capped(file, &mut self.buf, self.max_input).with_context(context)?;
        self.check_buf(&label, meta.is_file().then_some(meta.len()))
    }

    /// Checks the input in `buf`, named `label`; `size` is the size the file
    /// had before it was read, if known.
    fn check_buf(&mut self, label: &str, size: Option<u64>) -> anyhow::Result<()> {
        if self.buf.len() as u64 > self.max_input {
            // A stream, or a file that grew while it was read.
            return Err(too_big(label, size.filter(|&s| s > self.max_input), self.max_input));
        }
        let start = Instant::now();
        let verdict = self.target.check(&self.buf);
        let elapsed = start.elapsed();
        if verdict.finding().is_some() {
            self.outcome = Outcome::Failed;
        }
        let elapsed_us = u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX);
        if self.json {
            self.write_json(label, &verdict, elapsed_us)?;
        } else {
            self.write_human(label, &verdict)?;
        }
        Ok(())
    }

    fn write_human(&mut self, label: &str, verdict: &Verdict) -> io::Result<()> {
        let label = OneLine(label);
        match verdict {
            Verdict::Clean { cost } => writeln!(self.out, "{label}: clean ({cost})"),
            Verdict::Rejected { reason, cost } => {
                writeln!(self.out, "{label}: rejected: {} ({cost})", OneLine(reason))
            }
            Verdict::Finding(f) => {
                let expected =
                    if self.target.is_expected(f.kind) { "expected" } else { "unexpected" };
                writeln!(
                    self.out,
                    "{label}: finding {} (CWE-{}, {expected}) [{}] {}",
                    f.kind,
                    f.cwe,
                    f.signature,
                    OneLine(&f.summary)
                )
            }
        }
    }

    fn write_json(&mut self, label: &str, verdict: &Verdict, elapsed_us: u64) -> io::Result<()> {
        let finding = verdict.finding();
        let record = Record {
            target: self.target.name,
            input: label,
            input_bytes: self.buf.len() as u64,
            verdict: verdict.status(),
            kind: finding.map(|f| f.kind),
            cwe: finding.map(|f| f.cwe),
            expected: finding.map(|f| self.target.is_expected(f.kind)),
            summary: summary(verdict),
            signature: finding.map(|f| f.signature.as_str()),
            cost: verdict.cost().into(),
            elapsed_us,
        };
        serde_json::to_writer(&mut *self.out, &record)?;
        self.out.write_all(b"\n")
    }
}

/// Reads `reader` to its end into `buf`, but at most `cap + 1` bytes: enough
/// to tell that an input is over the cap without reading all of it.
fn read_capped(reader: impl Read, buf: &mut Vec<u8>, cap: u64) -> io::Result<()> {
    reader.take(cap.saturating_add(1)).read_to_end(buf).map(drop)
}

/// The error for an input over `--max-input`; `size` is its size if known.
fn too_big(label: &str, size: Option<u64>, cap: u64) -> anyhow::Error {
    match size {
        Some(size) => anyhow!("{label} is {size} bytes, over the --max-input cap of {cap} bytes"),
        None => anyhow!("{label} is over the --max-input cap of {cap} bytes"),
    }
}

/// One input's result as a JSON object.
#[derive(Serialize)]
struct Record<'a> {
    target: &'static str,
    input: &'a str,
    input_bytes: u64,
    verdict: &'static str,
    kind: Option<Kind>,
    cwe: Option<u32>,
    /// Whether the target is expected to produce this finding; null unless a
    /// finding.
    expected: Option<bool>,
    /// The finding's summary or the rejection reason; null when clean.
    summary: Option<&'a str>,
    signature: Option<&'a str>,
    cost: CostRecord,
    elapsed_us: u64,
}
