//! `gauntlet run`: inputs through one target, one verdict per input.
//!
//! # Resource limits
//!
//! Inputs are read one at a time, each whole into one reused buffer, so
//! memory stays at the largest input plus one directory's list of names. An
//! input over `--max-input` bytes (16 MiB by default) is refused: a regular
//! file by its size before it is read, anything (a stream such as stdin or a
//! pipe, a file whose size is wrong or grows) once it has given one byte
//! more than the cap. The target's own work is bounded by its meter's fuse.
//!
//! # Time complexity
//!
//! O(n + d log d) besides the targets' work, n the total input bytes and d
//! the number of files in the largest directory (its names are sorted).

use std::fmt;
use std::fs::{self, File};
use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{anyhow, Context};
use clap::Args;
use gauntlet_harnesses::{Kind, Target, Verdict};
use serde::Serialize;

use super::common::{parse_target, summary};
use super::{Exec, Outcome};
use crate::input::{read_capped, read_regular};
use crate::report::CostRecord;
use crate::text::{HumanPath, OneLine};

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
/// file directly inside it (not recursive; symlinks followed), in name order;
/// subdirectories, FIFOs, sockets and devices in it are passed over. `-`, or
/// no input at all, reads stdin.
///
/// A bad input named on the command line stops the run: at an input that is
/// missing, unreadable or over --max-input, or a directory with no files,
/// gauntlet prints the results of the inputs before it, then the error, and
/// exits with 2 without running the rest.
///
/// A bad entry of a directory does not: an entry that cannot be read (a
/// dangling or looping symlink, no permission, over --max-input) is reported
/// on stderr as one line, `gauntlet: warning: <why>; skipped`, where its
/// result would have been; every other input still gets its result, and at
/// the end gauntlet says how many entries it skipped and exits with 2.
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

    /// Refuse an input larger than BYTES
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_INPUT)]
    max_input: u64,
}

const EXIT_STATUS: &str = "\
JSON Lines (--json), one object per input:
  target, input       the target's name; the input's path as the text output
                      shows it (control characters, backslashes and bytes
                      that are not UTF-8 escaped), or <stdin>
  input_bytes         the input's size
  verdict             \"clean\", \"rejected\" or \"finding\"
  kind, cwe           the finding's kind and CWE number (null unless a finding)
  expected            whether the target is expected to produce the finding
                      (null unless a finding)
  summary             the finding's summary or the rejection reason (null when
                      clean)
  signature           the finding's de-duplication signature (null unless a
                      finding)
  answer              what the twin answered, in words, for a family that
                      says (the int family's values); null otherwise
  cost                metered work: {steps, bytes_out, depth, probes, memory}
  elapsed_us          wall time of the check in microseconds (informational)

Exit status:
  0  every input ran and none gave a finding
  1  at least one input gave a finding, expected or not
  2  a usage or I/O error: an unknown target, or an input that is missing,
     unreadable or over --max-input, or a directory with no files (the run
     stops at that input); or a directory entry that could not be read (the
     run goes on without it, and exits with 2 even if an input gave a
     finding)";

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
            skipped: 0,
        };
        for input in inputs {
            if input == Path::new("-") {
                runner.stdin()?;
                continue;
            }
            let meta =
                fs::metadata(input).with_context(|| format!("cannot read {}", HumanPath(input)))?;
            if meta.is_dir() {
                let entries = entries_in(input)?;
                if entries.is_empty() {
                    return Err(anyhow!("{} holds no input files", HumanPath(input)));
                }
                for entry in entries {
                    runner.entry(entry)?;
                }
            } else {
                runner.file(input)?;
            }
        }
        if runner.skipped > 0 {
            let n = runner.skipped;
            let entries = if n == 1 { "entry" } else { "entries" };
            return Err(anyhow!(
                "skipped {n} directory {entries} that could not be read (see the warnings above)"
            ));
        }
        Ok(runner.outcome)
    }
}

/// An entry of an input directory that is a file or should be one: a
/// regular file, or a symlink that leads to one or cannot be followed (the
/// reason why).
type Entry = (PathBuf, Option<anyhow::Error>);

/// The entries of `dir` that are files or should be (see [`Entry`]), sorted
/// by name.
///
/// Other entries are passed over: subdirectories, and FIFOs, sockets and
/// devices, which could block or never end.
fn entries_in(dir: &Path) -> anyhow::Result<Vec<Entry>> {
    let context = || format!("cannot read directory {}", HumanPath(dir));
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir).with_context(context)? {
        let entry = entry.with_context(context)?;
        let path = entry.path();
        let include = entry.file_type().and_then(|kind| {
            if kind.is_symlink() {
                fs::metadata(&path).map(|meta| meta.is_file())
            } else {
                Ok(kind.is_file())
            }
        });
        match include {
            Ok(true) => entries.push((path, None)),
            Ok(false) => {}
            Err(e) => {
                let err =
                    anyhow::Error::new(e).context(format!("cannot read {}", HumanPath(&path)));
                entries.push((path, Some(err)));
            }
        }
    }
    // All in one directory: ordering the paths orders the file names.
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(entries)
}

/// What an input is called in the output.
#[derive(Clone, Copy)]
enum Label<'a> {
    Stdin,
    File(&'a Path),
}

impl fmt::Display for Label<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Label::Stdin => f.write_str(STDIN),
            Label::File(path) => HumanPath(path).fmt(f),
        }
    }
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
    /// Directory entries skipped because they could not be read.
    skipped: usize,
}

impl Runner<'_> {
    fn stdin(&mut self) -> anyhow::Result<()> {
        self.buf.clear();
        read_capped(io::stdin().lock(), &mut self.buf, self.max_input)
            .with_context(|| format!("cannot read {STDIN}"))?;
        self.check_buf(Label::Stdin, None)
    }

    /// An input named on the command line: a file, or a stream (a FIFO,
    /// `/dev/stdin`, a process substitution) read up to the cap.
    fn file(&mut self, path: &Path) -> anyhow::Result<()> {
        let context = || format!("cannot read {}", HumanPath(path));
        let file = File::open(path).with_context(context)?;
        let meta = file.metadata().with_context(context)?;
        let label = Label::File(path);
        if meta.is_file() && meta.len() > self.max_input {
            return Err(too_big(label, Some(meta.len()), self.max_input));
        }
        self.buf.clear();
        read_capped(file, &mut self.buf, self.max_input).with_context(context)?;
        self.check_buf(label, meta.is_file().then_some(meta.len()))
    }

    /// An entry of an input directory: a regular file, or a warning on
    /// stderr and one more skipped entry. Only an error writing the output
    /// is returned.
    fn entry(&mut self, (path, problem): Entry) -> anyhow::Result<()> {
        let read = match problem {
            Some(err) => Err(err),
            None => read_regular(&path, self.max_input, "the --max-input cap", &mut self.buf),
        };
        if let Err(err) = read {
            // In order with the results around it, on a terminal.
            self.out.flush()?;
            let _ = writeln!(
                io::stderr(),
                "gauntlet: warning: {}; skipped",
                OneLine(&format!("{err:#}"))
            );
            self.skipped += 1;
            return Ok(());
        }
        self.check_buf(Label::File(&path), None)
    }

    /// Checks the input in `buf`, named `label`; `size` is the size the file
    /// had before it was read, if known.
    fn check_buf(&mut self, label: Label<'_>, size: Option<u64>) -> anyhow::Result<()> {
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

    fn write_human(&mut self, label: Label<'_>, verdict: &Verdict) -> io::Result<()> {
        match verdict {
            Verdict::Clean { cost } => match self.target.answer(&self.buf) {
                Some(answer) => writeln!(self.out, "{label}: clean: {} ({cost})", OneLine(&answer)),
                None => writeln!(self.out, "{label}: clean ({cost})"),
            },
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

    fn write_json(
        &mut self,
        label: Label<'_>,
        verdict: &Verdict,
        elapsed_us: u64,
    ) -> io::Result<()> {
        let finding = verdict.finding();
        let input = label.to_string();
        let record = Record {
            target: self.target.name,
            input: &input,
            input_bytes: self.buf.len() as u64,
            verdict: verdict.status(),
            kind: finding.map(|f| f.kind),
            cwe: finding.map(|f| f.cwe),
            expected: finding.map(|f| self.target.is_expected(f.kind)),
            summary: summary(verdict),
            signature: finding.map(|f| f.signature.as_str()),
            answer: match verdict {
                Verdict::Clean { .. } => self.target.answer(&self.buf),
                _ => None,
            },
            cost: verdict.cost().into(),
            elapsed_us,
        };
        serde_json::to_writer(&mut *self.out, &record)?;
        self.out.write_all(b"\n")
    }
}

/// The error for an input over `--max-input`; `size` is its size if known.
fn too_big(label: Label<'_>, size: Option<u64>, cap: u64) -> anyhow::Error {
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
    /// What the twin answered, in words, when clean and its family says
    /// (`-2147483648 (i32)`); null otherwise.
    answer: Option<String>,
    cost: CostRecord,
    elapsed_us: u64,
}
