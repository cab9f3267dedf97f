//! `gauntlet repro`: replay a saved finding, confirm its signature and tell
//! its story.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use clap::Args;
use gauntlet_harnesses::pump::{self, PumpRecord};
use gauntlet_harnesses::{Kind, Target, Variant, Verdict};
use serde::Deserialize;

use super::common::parse_target;
use super::{Exec, Outcome};
use crate::input::read_regular;
use crate::text::{escape_bytes, quoted, HumanPath, OneLine};

/// Replay a saved finding or an input file and explain it
///
/// PATH is a finding directory (`findings/<target>/<signature>/` of a report,
/// holding finding.json and the input) or an input file with --target. The
/// input (the minimised one when there is one) goes through the target
/// again; for a finding directory its signature must be the saved one.
/// Prints what the finding is, its CWE, the measured cost, how the cost
/// grows with the input (the pump: prefix + pumpⁿ + suffix and its fitted
/// class, for super-linear time, amplification, hash collisions and memory),
/// what the hardened twin does with the same input, and the commands that
/// reproduce it under cargo fuzz.
///
/// Every file read must be a regular file (a FIFO or a device is refused)
/// and is read up to a cap: the input up to --max-input, finding.json up to
/// 1 MiB. In a finding directory, finding.json, input and minimized may be
/// symlinks only to files inside that directory. finding.json must name a
/// known target and kind, and a signature of the form
/// `<kind-slug>-<16 lowercase hex digits>` (`superlinear-time-0123456789abcdef`).
///
/// Exit status: 0 the finding reproduces (with the saved signature), 1 it
/// does not, 2 a usage or I/O error, or an invalid finding directory.
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct Repro {
    /// A finding directory, or an input file (with --target)
    path: PathBuf,

    /// The target, for an input file (a finding directory names its own)
    #[arg(long)]
    target: Option<String>,

    /// Refuse an input larger than BYTES
    #[arg(long, value_name = "BYTES", default_value_t = 16 << 20)]
    max_input: u64,
}

/// The largest finding.json read: gauntlet writes a few KiB.
const MAX_FINDING_JSON: u64 = 1 << 20;

/// finding.json as written, before it is checked; repro reads these fields.
#[derive(Deserialize)]
struct SavedText {
    target: String,
    kind: String,
    signature: String,
}

/// The fields of a finding.json that repro reads, checked.
struct Saved {
    target: &'static Target,
    kind: Kind,
    /// `<kind-slug>-<16 lowercase hex digits>`, the slug of `kind`.
    signature: String,
}

impl Exec for Repro {
    fn exec(&self, out: &mut dyn Write) -> anyhow::Result<Outcome> {
        let shown = HumanPath(&self.path);
        let meta = fs::metadata(&self.path).with_context(|| format!("cannot read {shown}"))?;
        let (target, input_path, saved) = if meta.is_dir() {
            let saved = load(&self.path)?;
            let target = saved.target;
            if let Some(given) = &self.target {
                if given != target.name {
                    bail!("{shown} is a finding of {}, not {}", target.name, OneLine(given));
                }
            }
            let input = match member(&self.path, "minimized")? {
                Some(minimized) => minimized,
                None => member(&self.path, "input")?
                    .ok_or_else(|| anyhow!("{shown} holds no input file"))?,
            };
            (target, input, Some(saved))
        } else {
            let name = self
                .target
                .as_ref()
                .ok_or_else(|| anyhow!("{shown} is a file: say which target with --target"))?;
            (parse_target(name)?, self.path.clone(), None)
        };
        let mut input = Vec::new();
        read_regular(&input_path, self.max_input, "the --max-input cap", &mut input)?;
        let verdict = target.check(&input);
        story(out, target, &input_path, &input, &verdict, saved.as_ref())
    }
}

/// Reads and checks `dir/finding.json`.
fn load(dir: &Path) -> anyhow::Result<Saved> {
    let json = member(dir, "finding.json")?
        .ok_or_else(|| anyhow!("{} holds no finding.json", HumanPath(dir)))?;
    let shown = HumanPath(&json);
    let mut text = Vec::new();
    read_regular(&json, MAX_FINDING_JSON, "the finding.json size limit", &mut text)?;
    let raw: SavedText =
        serde_json::from_slice(&text).with_context(|| format!("{shown} is not a finding.json"))?;
    check(raw).with_context(|| format!("{shown} is not a valid finding.json"))
}

/// The fields of a finding.json, checked: a known target, a known kind, and
/// a signature of that kind's shape.
fn check(raw: SavedText) -> anyhow::Result<Saved> {
    let target = parse_target(&raw.target)?;
    let kind = Kind::from_name(&raw.kind).ok_or_else(|| {
        let known: Vec<&str> = Kind::ALL.iter().map(|k| k.name()).collect();
        anyhow!("unknown kind {}; known kinds: {}", quoted(&raw.kind), known.join(", "))
    })?;
    let digits = raw.signature.strip_prefix(kind.slug()).and_then(|s| s.strip_prefix('-'));
    let well_formed = digits.is_some_and(|d| {
        d.len() == 16 && d.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    });
    if !well_formed {
        bail!(
            "signature {} is not {}-<16 lowercase hex digits>",
            quoted(&raw.signature),
            kind.slug()
        );
    }
    Ok(Saved { target, kind, signature: raw.signature })
}

/// `dir/name` if there is such an entry: the entry itself, or the file a
/// symlink leads to, which must be inside `dir` (a finding directory holds
/// its own files; a link out of it is refused).
fn member(dir: &Path, name: &str) -> anyhow::Result<Option<PathBuf>> {
    let path = dir.join(name);
    let shown = HumanPath(&path);
    let meta = match fs::symlink_metadata(&path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read {shown}")),
    };
    if !meta.file_type().is_symlink() {
        return Ok(Some(path));
    }
    let real =
        fs::canonicalize(&path).with_context(|| format!("cannot follow the link {shown}"))?;
    let home = fs::canonicalize(dir).with_context(|| format!("cannot read {}", HumanPath(dir)))?;
    if !real.starts_with(&home) {
        bail!(
            "{shown} is a link to {}, outside the finding directory; refusing to follow it",
            HumanPath(&real)
        );
    }
    // The resolved path, so that a link swapped after the check is not
    // followed.
    Ok(Some(real))
}

fn story(
    out: &mut dyn Write,
    target: &'static Target,
    path: &Path,
    input: &[u8],
    verdict: &Verdict,
    saved: Option<&Saved>,
) -> anyhow::Result<Outcome> {
    let outcome = match (verdict, saved) {
        (Verdict::Finding(f), Some(s)) if f.signature == s.signature => {
            writeln!(out, "CONFIRMED {} {} [{}]", target.name, f.kind, f.signature)?;
            Outcome::Passed
        }
        (Verdict::Finding(f), Some(s)) => {
            writeln!(
                out,
                "CHANGED {}: saved {} [{}], now {} [{}]",
                target.name, s.kind, s.signature, f.kind, f.signature
            )?;
            Outcome::Failed
        }
        (Verdict::Finding(f), None) => {
            writeln!(out, "FINDING {} {} [{}]", target.name, f.kind, f.signature)?;
            Outcome::Passed
        }
        (other, Some(s)) => {
            writeln!(
                out,
                "NOT REPRODUCED {}: saved {} [{}], now {}",
                target.name,
                s.kind,
                s.signature,
                other.status()
            )?;
            Outcome::Failed
        }
        (other, None) => {
            writeln!(out, "NO FINDING {}: {}", target.name, other.status())?;
            Outcome::Failed
        }
    };
    if let Verdict::Finding(f) = verdict {
        let expected = if target.is_expected(f.kind) {
            "expected: this twin is built to have this bug"
        } else {
            "UNEXPECTED: this target should not have this bug"
        };
        writeln!(out, "  what:     {} (CWE-{}), {expected}", f.kind, f.cwe)?;
        writeln!(out, "  summary:  {}", OneLine(&f.summary))?;
        let c = f.cost;
        writeln!(
            out,
            "  cost:     steps {}, bytes_out {}, depth {}, probes {} (for {} input bytes)",
            c.steps,
            c.bytes_out,
            c.depth,
            c.probes,
            input.len()
        )?;
        writeln!(out, "  cwe:      https://cwe.mitre.org/data/definitions/{}.html", f.cwe)?;
        if pump::KINDS.contains(&f.kind) {
            // Derived again from the input (deterministic, metered): what
            // finding.json says is not trusted for the story.
            let grows = match pump::derive(target, input, f.kind) {
                Some(p) => PumpRecord::of(&p, |b| escape_bytes(b, 80)).describe(),
                None => "no repeated part of the input makes the cost grow".to_owned(),
            };
            writeln!(out, "  grows:    {}", OneLine(&grows))?;
        }
    }
    let path = HumanPath(path);
    writeln!(out, "  input:    {path} ({} bytes)", input.len())?;
    writeln!(out, "            {}", escape_bytes(input, 300))?;
    writeln!(out, "  code:     {}", target.source)?;
    let twin = target.family.targets.iter().find(|t| t.variant == Variant::Hardened);
    if let Some(twin) = twin.filter(|t| t.name != target.name) {
        let answer = match twin.check(input) {
            Verdict::Clean { cost } => format!("clean ({cost})"),
            Verdict::Rejected { reason, cost } => {
                format!("refuses it: {} ({cost})", OneLine(&reason))
            }
            Verdict::Finding(f) => {
                format!("ALSO FINDS {} [{}]: {}", f.kind, f.signature, OneLine(&f.summary))
            }
        };
        writeln!(out, "  hardened: {} {answer}", twin.name)?;
        writeln!(out, "            ({})", twin.source)?;
    }
    writeln!(out, "  reproduce (from the repository root):")?;
    writeln!(out, "    gauntlet run {} {path}", target.name)?;
    writeln!(out, "    cargo fuzz run --sanitizer none {} {path}", target.fuzz_name())?;
    Ok(outcome)
}
