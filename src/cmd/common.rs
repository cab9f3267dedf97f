//! Helpers that several subcommands use: finding the repository root,
//! naming targets, and the text a verdict carries.
//!
//! The commands reach the list of targets through here only, so a change to
//! how the harness crate lists its targets is a change to this file.

use std::path::{absolute, Path, PathBuf};

use anyhow::{anyhow, Context};
use gauntlet_harnesses::{targets, Target, Verdict};

use crate::text::{quoted, HumanPath};

/// Every registered target, in registry order.
pub fn every_target() -> impl Iterator<Item = &'static Target> {
    targets()
}

/// The target named `name`, or an error naming the valid ones.
pub fn parse_target(name: &str) -> anyhow::Result<&'static Target> {
    every_target().find(|t| t.name == name).ok_or_else(|| {
        let valid: Vec<&str> = every_target().map(|t| t.name).collect();
        anyhow!("unknown target {}; valid targets: {}", quoted(name), valid.join(", "))
    })
}

/// [`parse_target`] for each of `names`, in order.
pub fn parse_targets(names: &[String]) -> anyhow::Result<Vec<&'static Target>> {
    names.iter().map(|name| parse_target(name)).collect()
}

/// The repository root, as an absolute path (commands run in it, so a
/// relative path would change meaning): `given`, or the nearest ancestor of
/// the current directory with a `corpora/` directory.
pub fn repo_root(given: Option<&Path>) -> anyhow::Result<PathBuf> {
    if let Some(root) = given {
        if !root.join("corpora").is_dir() {
            return Err(anyhow!("{} has no corpora/ directory", HumanPath(root)));
        }
        return absolute(root).with_context(|| format!("cannot resolve {}", HumanPath(root)));
    }
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    cwd.ancestors().find(|dir| dir.join("corpora").is_dir()).map(Path::to_path_buf).ok_or_else(
        || anyhow!("no corpora/ directory in {} or above; pass --root", HumanPath(&cwd)),
    )
}

/// The text a verdict carries: a finding's summary or the rejection reason;
/// `None` when clean.
pub fn summary(verdict: &Verdict) -> Option<&str> {
    match verdict {
        Verdict::Clean { .. } => None,
        Verdict::Rejected { reason, .. } => Some(reason),
        Verdict::Finding(f) => Some(&f.summary),
    }
}
