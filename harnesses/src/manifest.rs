//! Replaying the committed corpora: seeds, curated reproducers and
//! regressions, each against what it is expected to do.
//!
//! # Layout and expectations
//!
//! - `corpora/<family>/seeds/*` — seeds, shared by the family's targets.
//!   Benign inputs: any finding fails.
//! - `corpora/<family>/reproducers/manifest.toml` — curated attacks. Each
//!   `[[case]]` names a `file` in the same directory, says what it is
//!   (`about`) and gives, for **every** target of the family, the expected
//!   answer in `[case.expect]`:
//!   - `"clean"` — no oracle fires and the target accepts the input;
//!   - `"rejected"` or `"rejected: <text>"` — the target refuses it (with
//!     `<text>` somewhere in its reason);
//!   - a kind name such as `"SuperlinearTime"` — a finding of that kind.
//!
//!   Every file in the directory must have a case, and every case must cover
//!   every target of its family.
//! - `corpora/<family>/regressions/<variant>/*` — inputs of fixed bugs: an
//!   unexpected finding fails (files ending in `.md` are notes, not inputs).
//!   The folder's `README.md` names every file (as `` `file` ``) with its
//!   root cause; [`regression_notes`] lists what is missing, and an entry
//!   whose root cause is still [`ROOT_CAUSE_UNKNOWN`] (as `gauntlet campaign
//!   --promote` writes it) counts as missing.

use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::families::{self, targets};
use crate::target::{Family, Target};
use crate::verdict::{Kind, Verdict};

/// A parsed `manifest.toml`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    /// The cases, one per reproducer file.
    #[serde(rename = "case", default)]
    pub cases: Vec<Case>,
}

/// One reproducer and what each target of its family does with it.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// File name, relative to the manifest's directory.
    pub file: String,
    /// What the attack is, for people.
    pub about: String,
    /// Target name to expected answer.
    pub expect: BTreeMap<String, String>,
}

/// An expected answer, parsed from a manifest string.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// No finding, not rejected.
    Clean,
    /// Refused; the reason contains the text when one is given.
    Rejected(Option<String>),
    /// A finding of this kind.
    Finding(Kind),
    /// Anything but a finding (seeds).
    NoFinding,
    /// Anything but an unexpected finding (regressions).
    NoUnexpectedFinding,
}

impl Expect {
    /// Parses `"clean"`, `"rejected"`, `"rejected: text"` or a kind name.
    pub fn parse(s: &str) -> Result<Expect, String> {
        let s = s.trim();
        if s == "clean" {
            return Ok(Expect::Clean);
        }
        if s == "rejected" {
            return Ok(Expect::Rejected(None));
        }
        if let Some(text) = s.strip_prefix("rejected:") {
            return Ok(Expect::Rejected(Some(text.trim().to_owned())));
        }
        Kind::from_name(s).map(Expect::Finding).ok_or_else(|| {
            format!("expected \"clean\", \"rejected[: text]\" or a finding kind, found {s:?}")
        })
    }

    /// Whether `verdict` meets this expectation for `target`.
    pub fn admits(&self, target: &Target, verdict: &Verdict) -> bool {
        match (self, verdict) {
            (Expect::Clean, Verdict::Clean { .. }) => true,
            (Expect::Rejected(None), Verdict::Rejected { .. }) => true,
            (Expect::Rejected(Some(text)), Verdict::Rejected { reason, .. }) => {
                reason.contains(text.as_str())
            }
            (Expect::Finding(kind), Verdict::Finding(f)) => f.kind == *kind,
            (Expect::NoFinding, v) => v.finding().is_none(),
            (Expect::NoUnexpectedFinding, v) => {
                v.finding().is_none_or(|f| target.is_expected(f.kind))
            }
            _ => false,
        }
    }
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Clean => f.write_str("clean"),
            Expect::Rejected(None) => f.write_str("rejected"),
            Expect::Rejected(Some(text)) => write!(f, "rejected: {text}"),
            Expect::Finding(kind) => write!(f, "{kind}"),
            Expect::NoFinding => f.write_str("no finding"),
            Expect::NoUnexpectedFinding => f.write_str("no unexpected finding"),
        }
    }
}

/// Where a replayed file comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `corpora/<family>/seeds/`.
    Seed,
    /// `corpora/<family>/reproducers/`.
    Reproducer,
    /// `corpora/<family>/regressions/<variant>/`.
    Regression,
}

impl Source {
    /// `"seed"`, `"reproducer"` or `"regression"`.
    pub fn name(self) -> &'static str {
        match self {
            Source::Seed => "seed",
            Source::Reproducer => "reproducer",
            Source::Regression => "regression",
        }
    }
}

/// One file through one target, and whether it did what was expected.
#[derive(Clone, Debug)]
pub struct Replayed {
    /// The target.
    pub target: &'static Target,
    /// The file, relative to the repository root.
    pub file: PathBuf,
    /// Seed, reproducer or regression.
    pub source: Source,
    /// What was expected.
    pub expect: Expect,
    /// What happened.
    pub verdict: Verdict,
}

impl Replayed {
    /// Whether the verdict met the expectation.
    pub fn pass(&self) -> bool {
        self.expect.admits(self.target, &self.verdict)
    }
}

/// A problem with the corpora themselves (not with a target's answer).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorpusError {
    /// The file or directory at fault, relative to the repository root.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for CorpusError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for CorpusError {}

fn corpus_error(path: impl Into<PathBuf>, message: impl ToString) -> CorpusError {
    CorpusError { path: path.into(), message: message.to_string() }
}

/// The regular files of `dir`, sorted; an absent directory has none.
fn files_in(root: &Path, dir: &Path) -> Result<Vec<PathBuf>, CorpusError> {
    let entries = match fs::read_dir(root.join(dir)) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(corpus_error(dir, e)),
    };
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| corpus_error(dir, e))?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') || !entry.file_type().map_err(|e| corpus_error(dir, e))?.is_file()
        {
            continue;
        }
        files.push(dir.join(&*name));
    }
    files.sort();
    Ok(files)
}

/// What a regressions README says of a promoted finding until someone
/// writes its root cause.
pub const ROOT_CAUSE_UNKNOWN: &str = "UNKNOWN (fix the bug, then write the root cause here)";

/// Every regression file of every target that its folder's `README.md`
/// does not name, and every README entry whose root cause is still
/// [`ROOT_CAUSE_UNKNOWN`]: one line each, empty when every regression is
/// explained.
pub fn regression_notes(root: &Path) -> Result<Vec<String>, CorpusError> {
    let mut out = Vec::new();
    for target in targets() {
        let dir = target.regressions_path();
        let files: Vec<PathBuf> = files_in(root, &dir)?
            .into_iter()
            .filter(|f| f.extension().is_none_or(|e| e != "md"))
            .collect();
        if files.is_empty() {
            continue;
        }
        let readme = dir.join("README.md");
        let text = match fs::read_to_string(root.join(&readme)) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(corpus_error(&readme, e)),
        };
        for file in &files {
            let name = file.file_name().unwrap_or_default().to_string_lossy();
            if !text.lines().any(|l| l.contains(&format!("`{name}`"))) {
                out.push(format!("{}: no entry in {}", file.display(), readme.display()));
            }
        }
        for line in text.lines().filter(|l| l.contains(ROOT_CAUSE_UNKNOWN)) {
            out.push(format!("{}: root cause not written yet: {line}", readme.display()));
        }
    }
    Ok(out)
}

fn read(root: &Path, file: &Path) -> Result<Vec<u8>, CorpusError> {
    fs::read(root.join(file)).map_err(|e| corpus_error(file, e))
}

/// Reads and checks one family's manifest: every file has a case, every
/// case's file exists and covers every target of the family.
pub fn load(root: &Path, family: &Family) -> Result<Option<Manifest>, CorpusError> {
    let dir = family.reproducers_dir();
    let path = dir.join("manifest.toml");
    let text = match fs::read_to_string(root.join(&path)) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(corpus_error(path, e)),
    };
    let manifest: Manifest = toml::from_str(&text).map_err(|e| corpus_error(&path, e))?;
    let listed: Vec<PathBuf> = manifest.cases.iter().map(|c| dir.join(&c.file)).collect();
    for file in files_in(root, &dir)? {
        if file != path && !listed.contains(&file) {
            return Err(corpus_error(file, "reproducer has no case in manifest.toml"));
        }
    }
    for case in &manifest.cases {
        if !root.join(&dir).join(&case.file).is_file() {
            return Err(corpus_error(&path, format!("case names missing file {:?}", case.file)));
        }
        for name in case.expect.keys() {
            if families::find(name).is_none_or(|t| !std::ptr::eq(t.family, family)) {
                let msg =
                    format!("case {:?} names {name:?}, not a {} target", case.file, family.name);
                return Err(corpus_error(&path, msg));
            }
        }
        for t in family.targets {
            let Some(expect) = case.expect.get(t.name) else {
                let msg = format!("case {:?} gives no expectation for {}", case.file, t.name);
                return Err(corpus_error(&path, msg));
            };
            Expect::parse(expect)
                .map_err(|e| corpus_error(&path, format!("{}: {e}", case.file)))?;
        }
    }
    Ok(Some(manifest))
}

/// Replays every seed, reproducer and regression of the given targets (all
/// targets when `only` is empty), `root` being the repository root.
pub fn replay(root: &Path, only: &[&'static Target]) -> Result<Vec<Replayed>, CorpusError> {
    let targets: Vec<&'static Target> =
        if only.is_empty() { targets().collect() } else { only.to_vec() };
    let mut out = Vec::new();
    let mut families: Vec<&'static Family> = Vec::new();
    for t in &targets {
        if !families.iter().any(|f| std::ptr::eq(*f, t.family)) {
            families.push(t.family);
        }
    }
    families.sort_unstable_by_key(|f| f.name);
    for family in families {
        let Some(manifest) = load(root, family)? else { continue };
        let dir = family.reproducers_dir();
        for case in &manifest.cases {
            let file = dir.join(&case.file);
            let input = read(root, &file)?;
            for &target in targets.iter().filter(|t| std::ptr::eq(t.family, family)) {
                // `load` checked that every target has a valid expectation.
                let Some(Ok(expect)) = case.expect.get(target.name).map(|s| Expect::parse(s))
                else {
                    continue;
                };
                let verdict = target.check(&input);
                out.push(Replayed {
                    target,
                    file: file.clone(),
                    source: Source::Reproducer,
                    expect,
                    verdict,
                });
            }
        }
    }
    for &target in &targets {
        let seeds = target.seeds_path();
        let regressions = target.regressions_path();
        for (dir, source, expect) in [
            (seeds, Source::Seed, Expect::NoFinding),
            (regressions, Source::Regression, Expect::NoUnexpectedFinding),
        ] {
            for file in files_in(root, &dir)? {
                if file.extension().is_some_and(|e| e == "md") {
                    continue;
                }
                let verdict = target.check(&read(root, &file)?);
                out.push(Replayed { target, file, source, expect: expect.clone(), verdict });
            }
        }
    }
    Ok(out)
}
