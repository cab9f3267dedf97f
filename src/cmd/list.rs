//! `gauntlet list`: every target in the registry, as a table or JSON Lines.

use std::io::{self, Write};

use clap::Args;
use gauntlet_harnesses::Target;
use serde::Serialize;

use super::common::every_target;
use super::{Exec, Outcome};

/// List every target with its CWEs, oracles and expected findings
///
/// Prints a table, one target per row: name, family, variant, CWE numbers,
/// oracles, expected finding kinds ("-" for hardened and differential
/// targets, where every finding is unexpected) and input format.
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct List {
    /// Print JSON Lines instead: one object per target
    ///
    /// The keys: name, family, variant, cwes (numbers), oracles, expected
    /// (finding kinds), input_format, source (the file under attack), and
    /// what a fuzzing engine needs to run it without gauntlet: fuzz_target
    /// (the cargo fuzz binary), dict and seeds (paths relative to the
    /// repository root) and fuzz_args (its libFuzzer flags).
    #[arg(long, verbatim_doc_comment)]
    json: bool,
}

impl Exec for List {
    fn exec(&self, out: &mut dyn Write) -> anyhow::Result<Outcome> {
        if self.json {
            for target in every_target() {
                serde_json::to_writer(&mut *out, &Record::new(target)).map_err(io::Error::from)?;
                out.write_all(b"\n")?;
            }
        } else {
            write_table(out, every_target())?;
        }
        Ok(Outcome::Passed)
    }
}

/// One target as a JSON object.
#[derive(Serialize)]
struct Record {
    name: &'static str,
    family: &'static str,
    variant: &'static str,
    cwes: &'static [u32],
    oracles: Vec<&'static str>,
    expected: Vec<&'static str>,
    input_format: &'static str,
    source: &'static str,
    fuzz_target: String,
    dict: String,
    seeds: String,
    fuzz_args: &'static [&'static str],
}

impl Record {
    fn new(t: &Target) -> Record {
        Record {
            name: t.name,
            family: t.family.name,
            variant: t.variant.name(),
            cwes: t.cwes,
            oracles: t.oracles.iter().map(|o| o.name()).collect(),
            expected: t.expected.iter().map(|k| k.name()).collect(),
            input_format: t.input_format(),
            source: t.source,
            fuzz_target: t.fuzz_name(),
            dict: t.dict_path().display().to_string(),
            seeds: t.seeds_path().display().to_string(),
            fuzz_args: t.fuzz_args(),
        }
    }
}

const HEADER: [&str; 7] = ["NAME", "FAMILY", "VARIANT", "CWE", "ORACLES", "EXPECTED", "INPUT"];

/// Writes `targets` as columns padded to their widest cell, two spaces
/// apart; the last column (the long input format) is not padded.
fn write_table(
    out: &mut dyn Write,
    targets: impl Iterator<Item = &'static Target>,
) -> io::Result<()> {
    let rows: Vec<[String; 7]> = targets.map(row).collect();
    let mut widths = HEADER.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let header = HEADER.map(str::to_owned);
    for row in std::iter::once(&header).chain(&rows) {
        let [padded @ .., last] = row;
        for (cell, width) in padded.iter().zip(widths) {
            write!(out, "{cell:<width$}  ")?;
        }
        writeln!(out, "{last}")?;
    }
    Ok(())
}

fn row(t: &Target) -> [String; 7] {
    let join = |items: Vec<String>| if items.is_empty() { "-".to_owned() } else { items.join(",") };
    [
        t.name.to_owned(),
        t.family.name.to_owned(),
        t.variant.name().to_owned(),
        join(t.cwes.iter().map(u32::to_string).collect()),
        join(t.oracles.iter().map(|o| o.name().to_owned()).collect()),
        join(t.expected.iter().map(|k| k.name().to_owned()).collect()),
        t.input_format().to_owned(),
    ]
}
