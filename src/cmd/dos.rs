//! `gauntlet dos`: how a twin's cost grows with the attacker's input.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use anyhow::{bail, Context};
use clap::Args;
use gauntlet_harnesses::dos::{twins, Attack, Plan};
use gauntlet_harnesses::{families, Family, Target, FAMILIES};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::common::repo_root;
use super::{Exec, Outcome};
use crate::campaign::create_run_dir;
use crate::text::{quoted, HumanPath};
use crate::timing::{self, criterion, AttackTiming};

/// The largest size a generator is asked for: every generator's input stays
/// under about 64 MB there.
const MAX_SIZE: usize = 1 << 20;

/// Measure how a twin's cost grows with the attacker's input
///
/// Runs a family's attack generators (`--list` names them) across sizes on
/// the vulnerable and the hardened twin, in process: the metered cost of
/// every size (steps, probes, bytes out, depth, peak memory) and the wall
/// time (median of --repeats runs after a warm-up). A twin is cut off after
/// the first size that takes longer than --budget or trips its fuse.
///
/// The growth is fitted twice: the metered work decides the class (linear,
/// nlogn, quadratic, polynomial, exponential: deterministic), the wall time
/// shows the steps are an honest proxy. Printed per twin: the class and
/// formula, both exponents, R², and defender nanoseconds, work and peak
/// bytes per attacker byte at the largest size; per attack, the
/// vulnerable/hardened ratio at the largest size both reached.
///
/// Files: `<out>/<run id>/timing/<target>-<attack>.json` and
/// `<family>-<attack>.svg` (log-log chart, both twins, fitted curves).
///
/// Exit status: 0 done, 1 a hardened twin grew faster than linearly, 2 a
/// usage or I/O error.
#[derive(Args)]
#[command(verbatim_doc_comment)]
pub struct Dos {
    /// A family (both twins: `regex`) or one twin (`regex-vulnerable`)
    target: Option<String>,

    /// Only this attack (repeatable); `all` adds the real-world ReDoS
    /// table's cases (default: the family's textbook attacks)
    #[arg(long, value_name = "NAME")]
    attack: Vec<String>,

    /// The sizes n to measure, comma-separated (default: the attack's own
    /// range); at most 1048576
    #[arg(long, value_delimiter = ',', value_name = "N,...")]
    sizes: Vec<usize>,

    /// Seconds one run may take before bigger sizes are skipped for that
    /// twin
    #[arg(long, default_value_t = 1.0, value_name = "SECS")]
    budget: f64,

    /// Timed runs per size after the warm-up (fewer when the budget runs
    /// out)
    #[arg(long, default_value_t = 5)]
    repeats: usize,

    /// Directory the run directory is created in (default: `<root>/reports`)
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,

    /// Write no files, only print
    #[arg(long)]
    no_files: bool,

    /// Print JSON Lines: one object per (twin, attack)
    #[arg(long)]
    json: bool,

    /// Read the times from criterion's estimates (`cargo bench` first)
    /// instead of measuring them; the metered cost is still measured
    #[arg(long)]
    from_criterion: bool,

    /// criterion's directory for --from-criterion (default:
    /// `$CRITERION_HOME`, else `criterion/` in cargo's target directory)
    #[arg(long, value_name = "DIR", requires = "from_criterion")]
    criterion_dir: Option<PathBuf>,

    /// List the attacks (of TARGET's family, or of every family) and exit
    #[arg(long)]
    list: bool,

    /// The repository root (default: the nearest ancestor with corpora/)
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
}

/// A family or one twin, by name.
fn parse_subject(name: &str) -> anyhow::Result<(&'static Family, Vec<&'static Target>)> {
    if let Some(family) = families::family(name) {
        return Ok((family, twins(family).collect()));
    }
    if let Some(target) = gauntlet_harnesses::find(name) {
        if target.variant == gauntlet_harnesses::Variant::Differential {
            bail!("{} has no twin of its own to measure: name a family or a twin", quoted(name));
        }
        return Ok((target.family, vec![target]));
    }
    let mut known: Vec<&str> = FAMILIES.iter().map(|f| f.name).collect();
    known.extend(FAMILIES.iter().flat_map(|f| twins(f).map(|t| t.name)));
    bail!("unknown family or twin {}; valid: {}", quoted(name), known.join(", "))
}

impl Dos {
    fn attacks(&self, family: &Family) -> anyhow::Result<Vec<Attack>> {
        let all = (family.attacks)();
        if self.attack.is_empty() {
            return Ok(all.into_iter().filter(|a| a.in_campaign).collect());
        }
        if self.attack.iter().any(|a| a == "all") {
            return Ok(all);
        }
        let mut chosen = Vec::new();
        let mut all = all;
        for name in &self.attack {
            match all.iter().position(|a| &a.name == name) {
                Some(i) => chosen.push(all.remove(i)),
                None if chosen.iter().any(|a: &Attack| &a.name == name) => {}
                None => bail!(
                    "unknown attack {} for the {} family; `gauntlet dos {} --list` names them",
                    quoted(name),
                    family.name,
                    family.name
                ),
            }
        }
        Ok(chosen)
    }

    fn plan(&self, attack: &Attack) -> anyhow::Result<Plan> {
        let mut sizes =
            if self.sizes.is_empty() { attack.sizes.clone() } else { self.sizes.clone() };
        sizes.sort_unstable();
        sizes.dedup();
        if let Some(&n) = sizes.iter().find(|&&n| n == 0 || n > MAX_SIZE) {
            bail!("size {n} is out of range: sizes are 1 to {MAX_SIZE}");
        }
        if !(self.budget.is_finite() && self.budget > 0.0 && self.budget <= 600.0) {
            bail!("--budget must be a number of seconds above 0 and at most 600");
        }
        Ok(Plan {
            sizes,
            budget: Duration::from_secs_f64(self.budget),
            timed: true,
            max_work: u64::MAX,
            repeats: self.repeats.clamp(1, 100),
        })
    }

    fn list(&self, out: &mut dyn Write) -> anyhow::Result<Outcome> {
        let families: Vec<&'static Family> = match &self.target {
            Some(name) => vec![parse_subject(name)?.0],
            None => FAMILIES.to_vec(),
        };
        for family in families {
            for attack in (family.attacks)() {
                let table = if attack.in_campaign { "" } else { "  [--attack all]" };
                writeln!(
                    out,
                    "{:<6} {:<44} {:<11} {}{table}",
                    family.name, attack.name, attack.vulnerable, attack.about
                )?;
            }
        }
        Ok(Outcome::Passed)
    }
}

impl Exec for Dos {
    fn exec(&self, out: &mut dyn Write) -> anyhow::Result<Outcome> {
        if self.list {
            return self.list(out);
        }
        let Some(name) = &self.target else {
            bail!("name a family or a twin (gauntlet dos regex), or --list the attacks");
        };
        let (family, twins) = parse_subject(name)?;
        let attacks = self.attacks(family)?;
        let plans = attacks.iter().map(|a| self.plan(a)).collect::<anyhow::Result<Vec<_>>>()?;
        let root = repo_root(self.root.as_deref())?;
        let criterion_dir = self
            .from_criterion
            .then(|| self.criterion_dir.clone().unwrap_or_else(|| criterion::default_dir(&root)));
        // The run directory first: a bad --out fails before any measuring.
        let run_dir = if self.no_files {
            None
        } else {
            let dir = match &self.out {
                Some(o) => std::path::absolute(o)
                    .with_context(|| format!("cannot resolve --out {}", HumanPath(o)))?,
                None => root.join("reports"),
            };
            Some(create_run_dir(&dir, &root)?)
        };

        let total: usize = plans.iter().map(|p| p.sizes.len() * twins.len()).sum();
        let bar = ProgressBar::with_draw_target(
            Some(total as u64),
            if std::io::stderr().is_terminal() && !self.json {
                ProgressDrawTarget::stderr()
            } else {
                ProgressDrawTarget::hidden()
            },
        );
        bar.set_style(
            ProgressStyle::with_template("{prefix:>8} [{bar:30}] {pos}/{len} sizes  {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        bar.set_prefix("dos");

        let mut timings: Vec<AttackTiming> = Vec::new();
        for (attack, plan) in attacks.iter().zip(&plans) {
            let timing = match &criterion_dir {
                Some(dir) => timing::from_criterion(family, attack, &twins, dir)?,
                None => timing::measure_attack(family, attack, &twins, plan, |t, s| {
                    bar.set_message(format!("{} {} n={}", t.name, attack.name, s.n));
                    bar.inc(1);
                }),
            };
            if let Some(dir) = &run_dir {
                timing::write_files(dir, &timing)?;
            }
            if self.json {
                for record in timing.records() {
                    serde_json::to_writer(&mut *out, &record)?;
                    out.write_all(b"\n")?;
                }
                out.flush()?;
            }
            timings.push(timing);
        }
        bar.finish_and_clear();
        if !self.json {
            out.write_all(timing::table(&timings).as_bytes())?;
            if let Some(dir) = &run_dir {
                writeln!(out, "timing: {}", HumanPath(&dir.join("timing")))?;
            }
        }
        Ok(if timings.iter().any(AttackTiming::hardened_superlinear) {
            Outcome::Failed
        } else {
            Outcome::Passed
        })
    }
}
