//! `gauntlet repro`: replay a saved finding, confirm its signature and tell
//! its story.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context};
use clap::Args;
use gauntlet_harnesses::Variant;
use gauntlet_harnesses::{Target, Verdict};
use serde::Deserialize;

use super::common::parse_target;
use super::{Exec, Outcome};
use crate::text::{escape_bytes, OneLine};

/// Replay a saved finding or an input file and explain it
///
/// PATH is a finding directory (`findings/<target>/<signature>/` of a report,
/// holding finding.json and the input) or an input file with --target. The
/// input (the minimised one when there is one) goes through the target
/// again; for a finding directory its signature must be the saved one.
/// Prints what the finding is, its CWE, the measured cost, what the
/// hardened twin does with the same input, and the commands that reproduce
/// it under cargo fuzz.
///
/// Exit status: 0 the finding reproduces (with the saved signature), 1 it
/// does not, 2 a usage or I/O error.
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

/// The parts of finding.json that repro reads.
#[derive(Deserialize)]
struct Saved {
    target: String,
    signature: String,
    /// Only printed, never compared (the signature decides), and kept as
    /// text: a finding.json from another version may name a kind this one
    /// does not know.
    kind: String,
}

impl Exec for Repro {
    fn exec(&self, out: &mut dyn Write) -> anyhow::Result<Outcome> {
        let meta = fs::metadata(&self.path)
            .with_context(|| format!("cannot read {}", self.path.display()))?;
        let (target, input_path, saved) = if meta.is_dir() {
            let json = self.path.join("finding.json");
            let text = fs::read_to_string(&json)
                .with_context(|| format!("cannot read {}", json.display()))?;
            let saved: Saved = serde_json::from_str(&text)
                .with_context(|| format!("{} is not a finding.json", json.display()))?;
            let target = parse_target(&saved.target)?;
            if let Some(given) = &self.target {
                if given != target.name {
                    bail!("{} is a finding of {}, not {given}", self.path.display(), target.name);
                }
            }
            let minimized = self.path.join("minimized");
            let input = if minimized.is_file() { minimized } else { self.path.join("input") };
            (target, input, Some(saved))
        } else {
            let name = self.target.as_ref().ok_or_else(|| {
                anyhow!("{} is a file: say which target with --target", self.path.display())
            })?;
            (parse_target(name)?, self.path.clone(), None)
        };
        let input = read_capped(&input_path, self.max_input)?;
        let verdict = target.check(&input);
        story(out, target, &input_path, &input, &verdict, saved.as_ref())
    }
}

fn read_capped(path: &Path, cap: u64) -> anyhow::Result<Vec<u8>> {
    let len = fs::metadata(path).with_context(|| format!("cannot read {}", path.display()))?.len();
    if len > cap {
        bail!("{} is {len} bytes, over the --max-input cap of {cap} bytes", path.display());
    }
    fs::read(path).with_context(|| format!("cannot read {}", path.display()))
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
    }
    writeln!(out, "  input:    {} ({} bytes)", path.display(), input.len())?;
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
    writeln!(out, "    gauntlet run {} {}", target.name, path.display())?;
    writeln!(out, "    cargo fuzz run --sanitizer none {} {}", target.fuzz_name(), path.display())?;
    Ok(outcome)
}
