//! Line coverage of the code under attack: `cargo fuzz coverage` runs a
//! target's corpus through a coverage-instrumented build, llvm-cov turns
//! the profile into lcov, and the lcov becomes a per-file table.
//!
//! The tools are the `llvm-tools` rustup component's (`llvm-profdata`,
//! `llvm-cov`, in `<sysroot>/lib/rustlib/<host>/bin/`), whose LLVM matches
//! the compiler's; a system llvm-cov of another version cannot read the
//! profile, so it is not looked for.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context};
use serde::Serialize;

/// The llvm-tools binaries of the active toolchain.
#[derive(Debug)]
pub struct LlvmTools {
    /// `llvm-cov`.
    pub cov: PathBuf,
    /// `llvm-profdata`.
    pub profdata: PathBuf,
}

/// What to do when llvm-tools is missing.
pub const INSTALL_HINT: &str = "rustup component add llvm-tools-preview";

impl LlvmTools {
    /// Finds `llvm-cov` and `llvm-profdata` of the active toolchain, or
    /// says how to install them.
    pub fn find() -> anyhow::Result<LlvmTools> {
        let sysroot = stdout(Command::new("rustc").args(["--print", "sysroot"]))
            .context("cannot run rustc --print sysroot")?;
        let verbose = stdout(Command::new("rustc").arg("-vV")).context("cannot run rustc -vV")?;
        let host = verbose
            .lines()
            .find_map(|l| l.strip_prefix("host: "))
            .context("rustc -vV names no host")?;
        let bin = Path::new(sysroot.trim()).join("lib/rustlib").join(host.trim()).join("bin");
        let tools = LlvmTools { cov: bin.join("llvm-cov"), profdata: bin.join("llvm-profdata") };
        if !tools.cov.is_file() || !tools.profdata.is_file() {
            bail!(
                "gauntlet coverage needs llvm-cov and llvm-profdata from the llvm-tools \
                 component, and {} lacks them; install them with `{INSTALL_HINT}`",
                crate::text::HumanPath(&bin)
            );
        }
        Ok(tools)
    }
}

fn stdout(command: &mut Command) -> anyhow::Result<String> {
    let out = command.output()?;
    if !out.status.success() {
        bail!("{:?} failed ({})", command, out.status);
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Line coverage of one source file.
#[derive(Clone, Debug, Serialize, PartialEq, Eq)]
pub struct FileCoverage {
    /// The file, relative to the repository root.
    pub file: String,
    /// Lines with code (lcov's `LF`).
    pub lines: u64,
    /// Of those, lines run at least once (`LH`).
    pub hit: u64,
}

impl FileCoverage {
    /// Percentage of lines hit (100 for a file without code lines).
    pub fn percent(&self) -> f64 {
        if self.lines == 0 {
            100.0
        } else {
            100.0 * self.hit as f64 / self.lines as f64
        }
    }
}

/// The files of an lcov trace under `root`, relative to it, whose path
/// starts with one of `prefixes` (`targets/src/`), in path order. Counts
/// come from `DA` lines (a file listed twice is merged), so the numbers do
/// not depend on whether the producer wrote `LF`/`LH`.
pub fn parse_lcov(text: &str, root: &Path, prefixes: &[&str]) -> Vec<FileCoverage> {
    let root = root.to_string_lossy();
    let root = root.trim_end_matches('/');
    let mut files: BTreeMap<String, BTreeMap<u64, bool>> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        if let Some(path) = line.strip_prefix("SF:") {
            let rel = path.strip_prefix(root).map(|p| p.trim_start_matches('/')).unwrap_or(path);
            current = prefixes.iter().any(|p| rel.starts_with(p)).then(|| rel.to_owned());
        } else if line == "end_of_record" {
            current = None;
        } else if let (Some(file), Some(da)) = (&current, line.strip_prefix("DA:")) {
            let mut parts = da.split(',');
            let (Some(Ok(n)), Some(Ok(count))) =
                (parts.next().map(str::parse::<u64>), parts.next().map(str::parse::<u64>))
            else {
                continue;
            };
            *files.entry(file.clone()).or_default().entry(n).or_default() |= count > 0;
        }
    }
    files
        .into_iter()
        .map(|(file, lines)| FileCoverage {
            file,
            lines: lines.len() as u64,
            hit: lines.values().filter(|&&h| h).count() as u64,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcov_lines_are_counted_per_file_under_the_root() {
        let lcov = "SF:/r/targets/src/json/hardened.rs\nDA:1,5\nDA:2,0\nDA:3,1\nLF:3\nLH:2\n\
                    end_of_record\nSF:/home/u/.cargo/registry/x.rs\nDA:1,1\nend_of_record\n\
                    SF:/r/targets/src/json/mod.rs\nDA:7,0\nend_of_record\n\
                    SF:/r/targets/src/json/hardened.rs\nDA:2,4\nDA:9,0\nend_of_record\n";
        let files = parse_lcov(lcov, Path::new("/r/"), &["targets/src/"]);
        assert_eq!(
            files,
            [
                FileCoverage { file: "targets/src/json/hardened.rs".into(), lines: 4, hit: 3 },
                FileCoverage { file: "targets/src/json/mod.rs".into(), lines: 1, hit: 0 },
            ]
        );
        assert_eq!(files[0].percent(), 75.0);
    }
}
