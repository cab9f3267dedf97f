//! Asymmetric denial-of-service cost: named attack generators, a twin
//! measured across sizes, and how its cost grows.
//!
//! Each family lists its [`Attack`]s (`attack(n) -> input`, shared by the
//! tests, the criterion benches and `gauntlet dos`) and runs a twin on one
//! input under a caller's meter ([`Twin`]). [`measure`] walks an attack's
//! sizes on one twin: the metered cost of every size (deterministic: it
//! decides the class, see [`crate::growth`]) and, when asked, the wall time
//! (median of repeated runs after a warm-up: it shows that the steps are an
//! honest proxy). A twin is cut off after the first size whose run takes
//! longer than the time budget or trips the fuse, so a vulnerable twin on an
//! exponential attack stops near the budget instead of running for hours.

use std::time::{Duration, Instant};

use gauntlet_targets::meter::{Blown, Cost, Fuse, Meter};
use serde::Serialize;

use crate::growth::{fit, sci, Class, Fit, Point};
use crate::target::{Family, Target, Variant};

/// Prepares one twin of a family for one input — decoding it, compiling a
/// pattern: the work the meter does not count — and returns the metered
/// run, which can be called again for each timed repeat; `Err` when the
/// input cannot be prepared (a pattern that does not compile).
pub type Twin = for<'i> fn(Variant, &'i [u8]) -> Result<Run<'i>, String>;

/// A prepared twin: one metered run a call.
pub type Run<'i> = Box<dyn Fn(&mut Meter) -> Ending + 'i>;

/// How a twin's run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Ending {
    /// It parsed or matched to the end.
    Finished,
    /// It refused the input (a syntax error or one of its limits).
    Refused(String),
    /// The meter's fuse stopped it.
    Fused(Blown),
}

impl Ending {
    /// From a twin's result and its meter: the fuse first (a twin may turn
    /// a blown fuse into its own error), then the error, else finished.
    pub fn of<T, E: std::fmt::Display>(result: &Result<T, E>, meter: &Meter) -> Ending {
        match (meter.tripped(), result) {
            (Some(blown), _) => Ending::Fused(blown),
            (None, Err(e)) => Ending::Refused(e.to_string()),
            (None, Ok(_)) => Ending::Finished,
        }
    }

    /// `finished`, `refused: …` or `fused: …`, for reports.
    pub fn describe(&self) -> String {
        match self {
            Ending::Finished => "finished".to_owned(),
            Ending::Refused(why) => format!("refused: {why}"),
            Ending::Fused(blown) => format!("fused: {blown}"),
        }
    }
}

/// The fuse of a measured run: the depth fuse every recursive twin is
/// sized for (its stack is [`crate::guard::deep`]'s), memory at 1 GiB
/// counted, and steps, probes and output far past what the time budget
/// lets a run reach.
pub const FUSE: Fuse = Fuse::unlimited()
    .with_depth(Fuse::DEPTH)
    .with_memory(1 << 30)
    .with_bytes_out(1 << 32)
    .with_steps(1 << 32)
    .with_probes(1 << 32);

/// A named attack generator: `generate(n)` is the input of size `n`.
pub struct Attack {
    /// Short name, unique in its family: `nested-plus`, `billion-laughs`.
    pub name: String,
    /// One line for `gauntlet dos --list`.
    pub about: String,
    /// The sizes `gauntlet dos` and the benches walk by default,
    /// ascending, spanning at least 100× so a hardened twin's exponent is
    /// measured over a range that means something.
    pub sizes: Vec<usize>,
    /// The growth class the vulnerable twin shows on it.
    pub vulnerable: Class,
    /// Whether the campaign's timing stage measures it (the ReDoS table's
    /// sixty cases are for `gauntlet dos` and the tests).
    pub in_campaign: bool,
    generate: Box<dyn Fn(usize) -> Vec<u8> + Send + Sync>,
}

impl Attack {
    /// An attack from its generator.
    pub fn new(
        name: impl Into<String>,
        about: impl Into<String>,
        sizes: Vec<usize>,
        vulnerable: Class,
        generate: impl Fn(usize) -> Vec<u8> + Send + Sync + 'static,
    ) -> Attack {
        Attack {
            name: name.into(),
            about: about.into(),
            sizes,
            vulnerable,
            in_campaign: true,
            generate: Box::new(generate),
        }
    }

    /// Leaves this attack out of the campaign's timing stage.
    pub fn not_in_campaign(mut self) -> Attack {
        self.in_campaign = false;
        self
    }

    /// The input of size `n`.
    pub fn input(&self, n: usize) -> Vec<u8> {
        (self.generate)(n)
    }
}

impl std::fmt::Debug for Attack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Attack")
            .field("name", &self.name)
            .field("sizes", &self.sizes)
            .field("vulnerable", &self.vulnerable)
            .finish_non_exhaustive()
    }
}

/// Sizes from `start` multiplying by `factor` up to `end` (both included
/// when reached): `geometric(10, 10_000, 10)` is 10, 100, 1,000, 10,000.
pub fn geometric(start: usize, end: usize, factor: f64) -> Vec<usize> {
    let mut sizes = Vec::new();
    let mut x = start.max(1) as f64;
    while (x.round() as usize) <= end {
        let n = x.round() as usize;
        if sizes.last() != Some(&n) {
            sizes.push(n);
        }
        x *= factor;
    }
    sizes
}

/// One measured size.
#[derive(Clone, Debug, Serialize)]
pub struct Sample {
    /// The generator's size parameter.
    pub n: usize,
    /// The input's length in bytes.
    pub input_bytes: usize,
    /// Steps counted.
    pub steps: u64,
    /// Hash probes counted.
    pub probes: u64,
    /// Bytes produced.
    pub bytes_out: u64,
    /// The deepest recursion.
    pub depth: u64,
    /// Peak bytes held.
    pub peak_bytes: u64,
    /// Median wall time of a run, in nanoseconds (when timed).
    pub time_ns: Option<f64>,
    /// How the run ended.
    pub ending: String,
}

impl Sample {
    /// All metered work: steps, probes and bytes produced — a backtracker's
    /// state visits, a hash table's probes, an expansion's output. The class
    /// is decided on it: whichever of them grows fastest dominates it as
    /// the input grows.
    pub fn work(&self) -> u64 {
        self.steps.saturating_add(self.probes).saturating_add(self.bytes_out)
    }
}

/// What to measure.
#[derive(Clone, Debug)]
pub struct Plan {
    /// The sizes, ascending.
    pub sizes: Vec<usize>,
    /// A twin is cut off after a size whose first run takes longer.
    pub budget: Duration,
    /// Whether to time the runs (else only the meter is read).
    pub timed: bool,
    /// A twin is cut off after a size whose metered work ([`Sample::work`])
    /// passes this: the deterministic cut-off tests use.
    pub max_work: u64,
    /// Timed runs per size after the warm-up (fewer when one run is long:
    /// the repeats of a size stop at the budget).
    pub repeats: usize,
}

impl Plan {
    /// [`FUSE`], with steps, probes and output also stopped at
    /// `max_work`: a run past it is cut off anyway, and a first size that is
    /// already far past it (a pumped billion laughs) ends at once.
    pub fn fuse(&self) -> Fuse {
        let cap = |limit: u64| limit.min(self.max_work.saturating_add(1));
        FUSE.with_steps(cap(FUSE.steps))
            .with_probes(cap(FUSE.probes))
            .with_bytes_out(cap(FUSE.bytes_out))
    }

    /// Metered cost only, cut off deterministically at `max_work`: what a
    /// test can rely on.
    pub fn metered(sizes: Vec<usize>, max_work: u64) -> Plan {
        Plan { sizes, budget: Duration::MAX, timed: false, max_work, repeats: 0 }
    }
}

/// An attack measured on one twin.
#[derive(Clone, Debug, Serialize)]
pub struct Series {
    /// The target (twin).
    pub target: &'static str,
    /// The attack.
    pub attack: String,
    /// The sizes measured, in order.
    pub samples: Vec<Sample>,
    /// Why bigger sizes were not measured, if they were not.
    pub cut_off: Option<String>,
}

/// Growth of a series: the class from the metered work, the time fit
/// alongside, and the per-byte figures at the largest size.
#[derive(Clone, Debug, Serialize)]
pub struct Growth {
    /// Fitted on the metered work ([`Sample::work`]): decides the class.
    pub steps: Option<Fit>,
    /// Fitted on the wall time, when timed.
    pub time: Option<Fit>,
    /// Fitted on the peak bytes held.
    pub memory: Option<Fit>,
    /// Defender nanoseconds per attacker byte at the largest size.
    pub ns_per_byte: Option<f64>,
    /// Metered work per attacker byte at the largest size.
    pub steps_per_byte: Option<f64>,
    /// Peak bytes held per attacker byte at the largest size.
    pub peak_per_byte: Option<f64>,
}

impl Series {
    /// The samples that finished or were refused (a fused run's cost is the
    /// fuse, not the twin's).
    pub fn measured(&self) -> impl Iterator<Item = &Sample> {
        self.samples.iter().filter(|s| !s.ending.starts_with("fused"))
    }

    fn points(&self, f: impl Fn(&Sample) -> Option<f64>) -> Vec<Point> {
        self.measured().filter_map(|s| Some(Point { n: s.n as f64, cost: f(s)? })).collect()
    }

    /// The growth of this series.
    pub fn growth(&self) -> Growth {
        let last = self.measured().last();
        let per_byte = |v: f64| last.map(|s| v / s.input_bytes.max(1) as f64);
        Growth {
            steps: fit(&self.points(|s| Some(s.work() as f64))),
            time: fit(&self.points(|s| s.time_ns)),
            memory: fit(&self.points(|s| Some(s.peak_bytes as f64))),
            ns_per_byte: last.and_then(|s| s.time_ns).and_then(per_byte),
            steps_per_byte: last.and_then(|s| per_byte(s.work() as f64)),
            peak_per_byte: last.and_then(|s| per_byte(s.peak_bytes as f64)),
        }
    }

    /// The sample at size `n`, if measured.
    pub fn at(&self, n: usize) -> Option<&Sample> {
        self.measured().find(|s| s.n == n)
    }
}

/// One metered run of `target`'s twin on `input` under [`FUSE`], on a deep
/// stack: its cost and how it ended.
pub fn run_once(target: &Target, input: &[u8]) -> (Cost, Ending) {
    match (target.family.twin)(target.variant, input) {
        Ok(run) => metered(&run, FUSE),
        Err(why) => (Cost::default(), Ending::Refused(why)),
    }
}

/// One run of a prepared twin under `fuse`, on a deep stack: its cost and
/// how it ended (what the benches time, under [`FUSE`]).
pub fn metered(run: &Run<'_>, fuse: Fuse) -> (Cost, Ending) {
    crate::guard::deep(|| {
        let mut meter = Meter::new(fuse);
        let ending = run(&mut meter);
        (meter.cost(), ending)
    })
}

/// What the last two sizes predict the next one costs in time, by the
/// power law through them: a twin whose cost doubles per byte has a local
/// exponent in the tens, so it is not handed a size thirty bytes longer.
fn predict(prev: (usize, f64), last: (usize, f64), next: usize) -> f64 {
    let (n0, t0) = (prev.0 as f64, prev.1.max(1.0));
    let (n1, t1) = (last.0 as f64, last.1.max(1.0));
    let n2 = next as f64;
    if t1 <= t0 || n1 <= n0 {
        return t1;
    }
    let k = (t1 / t0).ln() / (n1 / n0).ln();
    t1 * (n2 / n1).powf(k)
}

/// Measures `attack` on `target` (a vulnerable or hardened twin) at
/// `plan.sizes`, calling `progress` after each size.
pub fn measure(
    target: &'static Target,
    attack: &Attack,
    plan: &Plan,
    mut progress: impl FnMut(&Sample),
) -> Series {
    let mut series =
        Series { target: target.name, attack: attack.name.clone(), samples: vec![], cut_off: None };
    let fuse = plan.fuse();
    let mut timed: Vec<(usize, f64)> = Vec::new();
    for &n in &plan.sizes {
        if let [.., prev, last] = timed[..] {
            let predicted = predict(prev, last, n);
            if predicted > 4.0 * plan.budget.as_secs_f64() * 1e9 {
                series.cut_off = Some(format!(
                    "size {n}: predicted {} s, over the budget",
                    sci(predicted / 1e9)
                ));
                break;
            }
        }
        let input = attack.input(n);
        let run = (target.family.twin)(target.variant, &input);
        let started = Instant::now();
        let (cost, ending) = match &run {
            Ok(run) => metered(run, fuse),
            Err(why) => (Cost::default(), Ending::Refused(why.clone())),
        };
        let first = started.elapsed();
        timed.push((n, first.as_secs_f64() * 1e9));
        let mut times = vec![first.as_secs_f64() * 1e9];
        if plan.timed && first < plan.budget {
            // The warm-up run above is not counted; the repeats stop at the
            // budget, however many were asked for.
            times.clear();
            let spent = Instant::now();
            for _ in 0..plan.repeats.max(1) {
                let t = Instant::now();
                if let Ok(run) = &run {
                    std::hint::black_box(metered(run, fuse));
                }
                times.push(t.elapsed().as_secs_f64() * 1e9);
                if spent.elapsed() > plan.budget {
                    break;
                }
            }
        }
        times.sort_by(f64::total_cmp);
        let sample = Sample {
            n,
            input_bytes: input.len(),
            steps: cost.steps,
            probes: cost.probes,
            bytes_out: cost.bytes_out,
            depth: cost.depth,
            peak_bytes: cost.memory,
            time_ns: plan.timed.then(|| times[times.len() / 2]),
            ending: ending.describe(),
        };
        progress(&sample);
        series.samples.push(sample);
        if let Ending::Fused(blown) = ending {
            series.cut_off = Some(format!("size {n}: {blown}"));
            break;
        }
        if cost.steps.saturating_add(cost.probes).saturating_add(cost.bytes_out) > plan.max_work {
            series.cut_off = Some(format!("size {n}: work over {}", plan.max_work));
            break;
        }
        if first > plan.budget {
            series.cut_off =
                Some(format!("size {n} took {:.2} s, over the budget", first.as_secs_f64()));
            break;
        }
    }
    series
}

/// The twins of `family` that have a twin to measure: vulnerable, hardened.
pub fn twins(family: &'static Family) -> impl Iterator<Item = &'static Target> {
    family.targets.iter().filter(|t| t.variant != Variant::Differential)
}

/// The attack of `family` called `name`.
pub fn attack(family: &Family, name: &str) -> Option<Attack> {
    (family.attacks)().into_iter().find(|a| a.name == name)
}
