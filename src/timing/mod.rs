//! The asymmetric cost of each attack: `gauntlet dos`'s engine, shared with
//! the campaign's timing stage.
//!
//! An attack is measured on both twins of its family ([`measure_attack`]):
//! metered cost and wall time at each size, the growth fitted on each
//! (metered work decides the class; see `gauntlet_harnesses::growth`), and
//! the asymmetry — defender nanoseconds, work and peak memory per attacker
//! byte at the largest size, and the vulnerable/hardened ratio at the
//! largest size both twins reached. [`write_files`] puts
//! `timing/<target>-<attack>.json` (one [`Record`] each) and
//! `timing/<family>-<attack>.svg` ([`chart`]) into a run directory.

pub mod chart;
pub mod criterion;

use std::path::Path;

use gauntlet_harnesses::dos::{measure, Attack, Growth, Plan, Sample, Series};
use gauntlet_harnesses::growth::Class;
use gauntlet_harnesses::{Family, Target, Variant};
use serde::Serialize;

use crate::report::files::write_atomic;

/// One twin's measurement of an attack.
#[derive(Clone, Debug)]
pub struct TwinTiming {
    /// The twin.
    pub target: &'static Target,
    /// What was measured.
    pub series: Series,
    /// Its fitted growth.
    pub growth: Growth,
}

/// An attack measured on one or both twins.
#[derive(Clone, Debug)]
pub struct AttackTiming {
    /// The family.
    pub family: &'static Family,
    /// The attack's name.
    pub attack: String,
    /// What the attack is.
    pub about: String,
    /// The class the family declares for the vulnerable twin.
    pub declared: Class,
    /// The twins, vulnerable first.
    pub twins: Vec<TwinTiming>,
    /// Where the times came from: `measured` or `criterion`.
    pub source: &'static str,
}

/// The vulnerable twin's cost over the hardened one's at one size.
#[derive(Clone, Copy, Debug, Serialize)]
pub struct Ratio {
    /// The size: the largest both twins were measured at.
    pub n: usize,
    /// Metered work (steps + probes + bytes out), vulnerable / hardened.
    pub work: f64,
    /// Wall time, vulnerable / hardened (when timed).
    pub time: Option<f64>,
}

impl AttackTiming {
    /// The twin of `variant`, if measured.
    pub fn twin(&self, variant: Variant) -> Option<&TwinTiming> {
        self.twins.iter().find(|t| t.target.variant == variant)
    }

    /// Vulnerable over hardened at the largest size both reached.
    pub fn ratio(&self) -> Option<Ratio> {
        let v = self.twin(Variant::Vulnerable)?;
        let h = self.twin(Variant::Hardened)?;
        let (sv, sh) = v.series.measured().filter_map(|s| Some((s, h.series.at(s.n)?))).last()?;
        let div = |a: f64, b: f64| (b > 0.0).then(|| a / b);
        Some(Ratio {
            n: sv.n,
            work: div(sv.work() as f64, sh.work() as f64)?,
            time: sv.time_ns.zip(sh.time_ns).and_then(|(a, b)| div(a, b)),
        })
    }

    /// Whether a hardened twin grew faster than linearly: what makes
    /// `gauntlet dos` exit 1.
    pub fn hardened_superlinear(&self) -> bool {
        self.twin(Variant::Hardened)
            .and_then(|t| t.growth.steps.as_ref())
            .is_some_and(|fit| fit.class.is_superlinear())
    }
}

/// Measures `attack` on each of `twins` with `plan`; `progress` is called
/// after each size with the twin and the sample.
pub fn measure_attack(
    family: &'static Family,
    attack: &Attack,
    twins: &[&'static Target],
    plan: &Plan,
    mut progress: impl FnMut(&Target, &Sample),
) -> AttackTiming {
    let twins = twins
        .iter()
        .map(|&target| {
            let series = measure(target, attack, plan, |s| progress(target, s));
            let growth = series.growth();
            TwinTiming { target, series, growth }
        })
        .collect();
    AttackTiming {
        family,
        attack: attack.name.clone(),
        about: attack.about.clone(),
        declared: attack.vulnerable,
        twins,
        source: "measured",
    }
}

/// The attack's times from criterion's estimates under `dir` (the sizes
/// the benches ran), its metered cost measured at those sizes.
pub fn from_criterion(
    family: &'static Family,
    attack: &Attack,
    twins: &[&'static Target],
    dir: &Path,
) -> anyhow::Result<AttackTiming> {
    let group = format!("{}/{}", family.name, attack.name);
    let mut timed = Vec::new();
    for &target in twins {
        let times = criterion::times(dir, &group, target.variant.name())?;
        if times.is_empty() {
            anyhow::bail!(
                "no criterion estimates for {group}/{} under {}; run `cargo bench --bench {}` first",
                target.variant.name(),
                crate::text::HumanPath(dir),
                family.name
            );
        }
        let plan = Plan::metered(times.keys().copied().collect(), u64::MAX);
        let mut series = measure(target, attack, &plan, |_| {});
        for sample in &mut series.samples {
            sample.time_ns = times.get(&sample.n).copied();
        }
        let growth = series.growth();
        timed.push(TwinTiming { target, series, growth });
    }
    Ok(AttackTiming {
        family,
        attack: attack.name.clone(),
        about: attack.about.clone(),
        declared: attack.vulnerable,
        twins: timed,
        source: "criterion",
    })
}

/// One twin on one attack, as `--json` prints it (one object a line) and
/// `timing/<target>-<attack>.json` holds it.
#[derive(Debug, Serialize)]
pub struct Record {
    /// The twin.
    pub target: &'static str,
    /// Its family.
    pub family: &'static str,
    /// `vulnerable` or `hardened`.
    pub variant: &'static str,
    /// The attack.
    pub attack: String,
    /// What the attack is.
    pub about: String,
    /// The generator's size parameter of each measured size.
    pub sizes: Vec<usize>,
    /// The input's length at each size.
    pub input_bytes: Vec<usize>,
    /// Steps at each size.
    pub steps: Vec<u64>,
    /// Hash probes at each size.
    pub probes: Vec<u64>,
    /// Bytes produced at each size.
    pub bytes_out: Vec<u64>,
    /// Median wall time at each size, nanoseconds.
    pub time_ns: Vec<Option<f64>>,
    /// Peak bytes held at each size.
    pub peak_bytes: Vec<u64>,
    /// How each run ended (`finished`, `refused: …`, `fused: …`).
    pub endings: Vec<String>,
    /// The growth class of the metered work (steps + probes + bytes out):
    /// linear, nlogn, quadratic, polynomial or exponential.
    pub class: Option<Class>,
    /// The power-law exponent of the metered work.
    pub exponent: Option<f64>,
    /// The growth base per unit of n, when exponential.
    pub base: Option<f64>,
    /// R² of the fit that named the class.
    pub r2: Option<f64>,
    /// The fitted formula.
    pub formula: Option<String>,
    /// The class the family declares for the vulnerable twin on this attack.
    pub declared_class: Class,
    /// The power-law exponent of the wall time.
    pub time_exponent: Option<f64>,
    /// The time fit's class.
    pub time_class: Option<Class>,
    /// The power-law exponent of the peak memory.
    pub memory_exponent: Option<f64>,
    /// Defender nanoseconds per attacker byte at the largest size.
    pub ns_per_byte: Option<f64>,
    /// Metered work per attacker byte at the largest size.
    pub steps_per_byte: Option<f64>,
    /// Peak bytes held per attacker byte at the largest size.
    pub peak_per_byte: Option<f64>,
    /// Vulnerable over hardened at the largest size both reached.
    pub ratio: Option<Ratio>,
    /// Why bigger sizes were not measured.
    pub cut_off: Option<String>,
    /// `measured` or `criterion`.
    pub time_source: &'static str,
}

impl AttackTiming {
    /// One record per twin.
    pub fn records(&self) -> Vec<Record> {
        let ratio = self.ratio();
        self.twins
            .iter()
            .map(|t| {
                let samples: Vec<&Sample> = t.series.measured().collect();
                let fit = t.growth.steps.as_ref();
                Record {
                    target: t.target.name,
                    family: self.family.name,
                    variant: t.target.variant.name(),
                    attack: self.attack.clone(),
                    about: self.about.clone(),
                    sizes: samples.iter().map(|s| s.n).collect(),
                    input_bytes: samples.iter().map(|s| s.input_bytes).collect(),
                    steps: samples.iter().map(|s| s.steps).collect(),
                    probes: samples.iter().map(|s| s.probes).collect(),
                    bytes_out: samples.iter().map(|s| s.bytes_out).collect(),
                    time_ns: samples.iter().map(|s| s.time_ns).collect(),
                    peak_bytes: samples.iter().map(|s| s.peak_bytes).collect(),
                    endings: samples.iter().map(|s| s.ending.clone()).collect(),
                    class: fit.map(|f| f.class),
                    exponent: fit.map(|f| f.exponent),
                    base: fit.and_then(|f| f.base),
                    r2: fit.map(|f| f.r2),
                    formula: fit.map(|f| f.formula.clone()),
                    declared_class: self.declared,
                    time_exponent: t.growth.time.as_ref().map(|f| f.exponent),
                    time_class: t.growth.time.as_ref().map(|f| f.class),
                    memory_exponent: t.growth.memory.as_ref().map(|f| f.exponent),
                    ns_per_byte: t.growth.ns_per_byte,
                    steps_per_byte: t.growth.steps_per_byte,
                    peak_per_byte: t.growth.peak_per_byte,
                    ratio,
                    cut_off: t.series.cut_off.clone(),
                    time_source: self.source,
                }
            })
            .collect()
    }
}

/// Writes `timing/<target>-<attack>.json` for each twin and
/// `timing/<family>-<attack>.svg` under `run_dir`; returns the chart's
/// path relative to `run_dir`.
pub fn write_files(run_dir: &Path, timing: &AttackTiming) -> anyhow::Result<String> {
    let dir = run_dir.join("timing");
    std::fs::create_dir_all(&dir)
        .map_err(|e| anyhow::anyhow!("cannot create {}: {e}", crate::text::HumanPath(&dir)))?;
    for record in timing.records() {
        let mut json = serde_json::to_vec_pretty(&record)?;
        json.push(b'\n');
        write_atomic(&dir, &format!("{}-{}.json", record.target, record.attack), &json)?;
    }
    let name = format!("{}-{}.svg", timing.family.name, timing.attack);
    write_atomic(&dir, &name, chart::svg(timing)?.as_bytes())?;
    Ok(format!("timing/{name}"))
}

/// The growth of one twin in a few words: `exponential 2.01^n`,
/// `quadratic n^1.98`.
pub fn describe(fit: Option<&gauntlet_harnesses::growth::Fit>) -> String {
    match fit {
        Some(f) => match f.base {
            Some(b) => format!("{} {b:.2}^n", f.class),
            None => format!("{} n^{:.2}", f.class, f.exponent),
        },
        None => "too few sizes".to_owned(),
    }
}

/// The human table of `timings`: one row a twin, the ratio under each
/// attack.
pub fn table(timings: &[AttackTiming]) -> String {
    let mut rows = vec![[
        "attack".to_owned(),
        "twin".to_owned(),
        "growth (work)".to_owned(),
        "time k".to_owned(),
        "r2".to_owned(),
        "n range".to_owned(),
        "ns/byte".to_owned(),
        "work/byte".to_owned(),
        "peak B/byte".to_owned(),
        "note".to_owned(),
    ]];
    let f = |v: Option<f64>| v.map_or("-".to_owned(), gauntlet_harnesses::growth::sci);
    for t in timings {
        for twin in &t.twins {
            let g = &twin.growth;
            let measured: Vec<&Sample> = twin.series.measured().collect();
            let range = match (measured.first(), measured.last()) {
                (Some(a), Some(b)) => format!("{}..{}", a.n, b.n),
                _ => "-".to_owned(),
            };
            let note = match (twin.target.variant, &g.steps) {
                (Variant::Vulnerable, Some(fit)) if fit.class != t.declared => {
                    format!("declared {}", t.declared)
                }
                (Variant::Hardened, Some(fit)) if fit.class.is_superlinear() => {
                    "SUPER-LINEAR".to_owned()
                }
                _ => {
                    twin.series.cut_off.clone().map(|c| format!("cut off: {c}")).unwrap_or_default()
                }
            };
            rows.push([
                t.attack.clone(),
                twin.target.name.to_owned(),
                describe(g.steps.as_ref()),
                g.time.as_ref().map_or("-".to_owned(), |f| format!("{:.2}", f.exponent)),
                g.steps.as_ref().map_or("-".to_owned(), |f| format!("{:.3}", f.r2)),
                range,
                f(g.ns_per_byte),
                f(g.steps_per_byte),
                f(g.peak_per_byte),
                crate::text::truncate(&note, 60),
            ]);
        }
        if let Some(r) = t.ratio() {
            let time = r.time.map(|x| format!(", time {}x", gauntlet_harnesses::growth::sci(x)));
            rows.push([
                String::new(),
                format!(
                    "  vulnerable/hardened at n={}: work {}x{}",
                    r.n,
                    gauntlet_harnesses::growth::sci(r.work),
                    time.unwrap_or_default()
                ),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]);
        }
    }
    let widths: Vec<usize> = (0..10)
        .map(|i| {
            rows.iter()
                .filter(|r| !r[1].starts_with("  "))
                .map(|r| r[i].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    for row in &rows {
        if row[1].starts_with("  ") {
            out.push_str(&format!("{:w$}  {}\n", "", row[1], w = widths[0]));
            continue;
        }
        let line: Vec<String> = row.iter().zip(&widths).map(|(c, &w)| format!("{c:<w$}")).collect();
        out.push_str(line.join("  ").trim_end());
        out.push('\n');
    }
    out
}
