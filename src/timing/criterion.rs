//! Times from criterion instead of measuring them: `gauntlet dos
//! --from-criterion` reads what `cargo bench` left in criterion's directory.
//!
//! The benches name each group `<family>/<attack>` and each benchmark
//! `BenchmarkId::new(<variant>, n)`, so criterion's
//! `<dir>/<group>/<variant>/<n>/new/benchmark.json` says which it is and
//! `estimates.json` next to it holds the median (nanoseconds per
//! iteration).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

use crate::input::read_regular;
use crate::text::HumanPath;

/// criterion's files are small; anything bigger is not one of them.
const CAP: u64 = 1 << 20;

#[derive(Deserialize)]
struct Benchmark {
    group_id: String,
    function_id: Option<String>,
    value_str: Option<String>,
}

#[derive(Deserialize)]
struct Estimates {
    median: Estimate,
}

#[derive(Deserialize)]
struct Estimate {
    point_estimate: f64,
}

/// Where criterion writes: `$CRITERION_HOME`, else `criterion/` in cargo's
/// target directory (`$CARGO_TARGET_DIR` or `<root>/target`).
pub fn default_dir(root: &Path) -> PathBuf {
    if let Some(home) = std::env::var_os("CRITERION_HOME") {
        return PathBuf::from(home);
    }
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
    let dir = target.join("criterion");
    if dir.is_dir() {
        dir
    } else {
        root.join("target").join("criterion")
    }
}

fn read_json<T: for<'de> Deserialize<'de>>(path: &Path) -> anyhow::Result<T> {
    let mut buf = Vec::new();
    read_regular(path, CAP, "criterion file", &mut buf)?;
    serde_json::from_slice(&buf).with_context(|| format!("cannot parse {}", HumanPath(path)))
}

/// The median time in nanoseconds of every size of `variant` in the group
/// `<family>/<attack>` under `dir`.
pub fn times(dir: &Path, group: &str, variant: &str) -> anyhow::Result<BTreeMap<usize, f64>> {
    let mut found = BTreeMap::new();
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read criterion's directory {}", HumanPath(dir)))?;
    for group_dir in entries.flatten() {
        let Ok(functions) = std::fs::read_dir(group_dir.path().join(variant)) else { continue };
        for size_dir in functions.flatten() {
            let new = size_dir.path().join("new");
            let Ok(bench) = read_json::<Benchmark>(&new.join("benchmark.json")) else { continue };
            if bench.group_id != group || bench.function_id.as_deref() != Some(variant) {
                continue;
            }
            let Some(n) = bench.value_str.and_then(|v| v.parse::<usize>().ok()) else { continue };
            let estimates: Estimates = read_json(&new.join("estimates.json"))?;
            found.insert(n, estimates.median.point_estimate);
        }
    }
    Ok(found)
}
