//! Findings that grow with the attacker's input: the pump of an input.
//!
//! A fuzzer's cost finding is often exponential in a tiny input (a 16-byte
//! pattern on a 7-byte haystack): true, but not what an engineer puts in a
//! ticket. The ticket wants how the cost grows as the attacker sends more.
//! As recheck does for regexes, an input is read as `prefix + pumpⁿ +
//! suffix` where the pump is a part that already repeats in it (a tandem
//! repeat: `aaaa`, `[[[[`, `&a;&a;`), and the cost is measured at several
//! `n` — on the metered work, or the peak memory for a memory finding —
//! and fitted with [`crate::growth`]. [`derive()`] tries the input's tandem
//! repeats (the largest first) and keeps the one whose cost grows fastest.
//!
//! Everything is metered, so a pump and its class are deterministic; the
//! measurement is cut off at [`MAX_WORK`] so deriving a pump from an
//! exponential finding stays a fraction of a second.

use serde::Serialize;

use crate::dos::{measure, Attack, Plan, Sample};
use crate::growth::{Class, Fit};
use crate::target::Target;
use crate::verdict::Kind;

/// Work past which a pumped input is not grown further.
pub const MAX_WORK: u64 = 2_000_000;

/// The longest input a pump is derived from, and grown to.
pub const MAX_INPUT: usize = 1 << 20;

/// How many tandem repeats are tried.
pub const CANDIDATES: usize = 8;

/// An input as `prefix + pumpⁿ + suffix`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pump {
    /// What comes before the repeated part.
    pub prefix: Vec<u8>,
    /// The repeated unit.
    pub pump: Vec<u8>,
    /// What comes after.
    pub suffix: Vec<u8>,
    /// How many times the unit repeats in the input it came from.
    pub repeats: usize,
}

impl Pump {
    /// `prefix + pumpⁿ + suffix`.
    pub fn render(&self, n: usize) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(self.prefix.len() + n * self.pump.len() + self.suffix.len());
        out.extend_from_slice(&self.prefix);
        for _ in 0..n {
            out.extend_from_slice(&self.pump);
        }
        out.extend_from_slice(&self.suffix);
        out
    }

    /// The sizes the pump is measured at: from a 64th of the input's own
    /// count (a finding is often past the cut-off already) to 32 times it,
    /// while the input stays under [`MAX_INPUT`].
    fn sizes(&self) -> Vec<usize> {
        let r = self.repeats.max(1);
        let mut sizes = vec![
            r / 64,
            r / 32,
            r / 16,
            r / 8,
            r / 4,
            r / 2,
            3 * r / 4,
            r.saturating_sub(2),
            r.saturating_sub(1),
            r,
            r + 1,
            r + 2,
            r + 4,
            r + 8,
            2 * r,
            4 * r,
            8 * r,
            16 * r,
            32 * r,
        ];
        let fixed = self.prefix.len() + self.suffix.len();
        sizes.retain(|&n| n > 0 && fixed + n * self.pump.len() <= MAX_INPUT);
        sizes.sort_unstable();
        sizes.dedup();
        sizes
    }
}

/// Whether `unit` is not itself a repetition of a shorter unit (`abab`
/// is `ab` twice): only primitive units are tried.
fn primitive(unit: &[u8]) -> bool {
    (1..unit.len()).all(|d| unit.len() % d != 0 || unit.chunks(d).any(|c| c != &unit[..d]))
}

/// The input's tandem repeats — a unit of 1 to 32 bytes repeated at least
/// twice in a row — as pumps, the ones covering most bytes first.
pub fn candidates(input: &[u8]) -> Vec<Pump> {
    let mut found: Vec<Pump> = Vec::new();
    for unit in 1..=32.min(input.len() / 2) {
        let mut i = 0;
        while i + 2 * unit <= input.len() {
            let first = &input[i..i + unit];
            let mut r = 1;
            while i + (r + 1) * unit <= input.len()
                && &input[i + r * unit..i + (r + 1) * unit] == first
            {
                r += 1;
            }
            if r >= 2 && primitive(first) {
                found.push(Pump {
                    prefix: input[..i].to_vec(),
                    pump: first.to_vec(),
                    suffix: input[i + r * unit..].to_vec(),
                    repeats: r,
                });
                i += r * unit;
            } else {
                i += 1;
            }
        }
    }
    found.sort_by_key(|p| (std::cmp::Reverse(p.pump.len() * p.repeats), p.pump.len()));
    found.truncate(CANDIDATES);
    found
}

/// A pump measured: its sizes, costs and fitted growth.
#[derive(Clone, Debug)]
pub struct Pumped {
    /// The pump.
    pub pump: Pump,
    /// What was fitted: `work` (steps + probes + bytes out) or
    /// `peak_bytes`.
    pub dimension: &'static str,
    /// The measured sizes.
    pub samples: Vec<Sample>,
    /// The fitted growth of `dimension` over n.
    pub fit: Fit,
}

impl Pumped {
    /// The largest measured size: the cost stated for the finding.
    pub fn stated(&self) -> &Sample {
        self.samples.last().expect("a fit has at least three samples")
    }

    /// The fitted dimension of a sample.
    pub fn value(&self, s: &Sample) -> u64 {
        if self.dimension == "peak_bytes" {
            s.peak_bytes
        } else {
            s.work()
        }
    }
}

/// How fast a fit grows: any exponential above any power law.
fn rank(fit: &Fit) -> f64 {
    fit.base.map_or(fit.exponent, |b| 1e6 + b)
}

impl Pumped {
    /// Whether this pump's cost grows clearly faster than `other`'s: an
    /// exponential against a power law, or an exponent larger by more than
    /// 0.25 (what `gauntlet` uses to prefer an original input over its
    /// minimised form when minimising lost the growth).
    pub fn outgrows(&self, other: Option<&Pumped>) -> bool {
        match other {
            None => true,
            Some(o) => match (self.fit.base, o.fit.base) {
                (Some(_), None) => true,
                (None, None) => self.fit.exponent > o.fit.exponent + 0.25,
                _ => false,
            },
        }
    }
}

/// The kinds whose findings get a pump: the costs that grow with the input.
pub const KINDS: [Kind; 4] =
    [Kind::SuperlinearTime, Kind::Amplification, Kind::HashCollision, Kind::MemoryAmplification];

/// The pump of `input` whose metered cost on `target`'s twin grows fastest
/// — on the peak memory for a [`Kind::MemoryAmplification`] finding, on the
/// work otherwise — or `None` when no tandem repeat grows measurably.
pub fn derive(target: &'static Target, input: &[u8], kind: Kind) -> Option<Pumped> {
    derive_within(target, input, kind, MAX_WORK)
}

/// [`derive()`] with another cut-off than [`MAX_WORK`].
pub fn derive_within(
    target: &'static Target,
    input: &[u8],
    kind: Kind,
    max_work: u64,
) -> Option<Pumped> {
    if input.len() > MAX_INPUT {
        return None;
    }
    let dimension = if kind == Kind::MemoryAmplification { "peak_bytes" } else { "work" };
    let mut best: Option<Pumped> = None;
    for pump in candidates(input) {
        let sizes = pump.sizes();
        let shape = pump.clone();
        let attack =
            Attack::new("pump", "", sizes.clone(), Class::Linear, move |n| shape.render(n));
        let series = measure(target, &attack, &Plan::metered(sizes, max_work), |_| {});
        let growth = series.growth();
        let fit = if dimension == "peak_bytes" { growth.memory } else { growth.steps };
        let Some(fit) = fit else { continue };
        // A pump whose cost does not grow at all is no pump.
        if fit.exponent <= 0.05 && fit.base.is_none() {
            continue;
        }
        if best.as_ref().is_none_or(|b| rank(&fit) > rank(&b.fit)) {
            let samples = series.measured().cloned().collect();
            best = Some(Pumped { pump, dimension, samples, fit });
        }
    }
    best
}

/// A pump as report files hold it.
#[derive(Clone, Debug, Serialize)]
pub struct PumpRecord {
    /// The prefix, escaped for reading.
    pub prefix: String,
    /// The repeated unit, escaped.
    pub pump: String,
    /// The suffix, escaped.
    pub suffix: String,
    /// The three parts in hex, `prefix|pump|suffix`.
    pub hex: String,
    /// How many times the unit repeats in the finding's input.
    pub repeats: usize,
    /// `work` or `peak_bytes`.
    pub dimension: &'static str,
    /// The class of its growth over n.
    pub class: Class,
    /// The power-law exponent.
    pub exponent: f64,
    /// The base per repetition, when exponential.
    pub base: Option<f64>,
    /// R² of the fit.
    pub r2: f64,
    /// The fitted formula.
    pub formula: String,
    /// The measured n.
    pub sizes: Vec<usize>,
    /// The dimension at each n.
    pub costs: Vec<u64>,
    /// The stated size: the largest measured n.
    pub stated_n: usize,
    /// The input's length at the stated size.
    pub stated_input_bytes: usize,
    /// The dimension at the stated size.
    pub stated_cost: u64,
}

impl PumpRecord {
    /// The record of `p`, with `escape` turning bytes into readable text.
    pub fn of(p: &Pumped, escape: impl Fn(&[u8]) -> String) -> PumpRecord {
        let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
        let stated = p.stated();
        PumpRecord {
            prefix: escape(&p.pump.prefix),
            pump: escape(&p.pump.pump),
            suffix: escape(&p.pump.suffix),
            hex: format!("{}|{}|{}", hex(&p.pump.prefix), hex(&p.pump.pump), hex(&p.pump.suffix)),
            repeats: p.pump.repeats,
            dimension: p.dimension,
            class: p.fit.class,
            exponent: p.fit.exponent,
            base: p.fit.base,
            r2: p.fit.r2,
            formula: p.fit.formula.clone(),
            sizes: p.samples.iter().map(|s| s.n).collect(),
            costs: p.samples.iter().map(|s| p.value(s)).collect(),
            stated_n: stated.n,
            stated_input_bytes: stated.input_bytes,
            stated_cost: p.value(stated),
        }
    }

    /// One line for people: `"a"ⁿ between "(a+)+$\n" and "!": exponential
    /// 2.01^n (r² 1.000); n = 26, 34 bytes: 1.2e8 work`.
    pub fn describe(&self) -> String {
        let growth = match self.base {
            Some(b) => format!("{} {b:.2}^n", self.class),
            None => format!("{} n^{:.2}", self.class, self.exponent),
        };
        format!(
            "\"{}\"^n between \"{}\" and \"{}\" (n = {} in the input): {growth} (r² {:.3}); at n = \
             {} ({} bytes): {} {}",
            self.pump,
            self.prefix,
            self.suffix,
            self.repeats,
            self.r2,
            self.stated_n,
            self.stated_input_bytes,
            crate::growth::sci(self.stated_cost as f64),
            self.dimension
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_primitive_tandem_repeats_largest_first() {
        let c = candidates(b"(a+)+$\naaaaaaa!");
        assert_eq!(c[0].pump, b"a");
        assert_eq!(c[0].repeats, 7);
        assert_eq!(c[0].prefix, b"(a+)+$\n");
        assert_eq!(c[0].render(2), b"(a+)+$\naa!");
        assert!(c.iter().all(|p| primitive(&p.pump)));
        assert!(candidates(b"abcdef").is_empty());
        let entities = candidates(b"x&a;&a;&a;y");
        assert!(entities.iter().any(|p| p.pump == b"&a;" && p.repeats == 3), "{entities:?}");
    }

    #[test]
    fn the_pump_of_a_redos_finding_is_exponential_and_of_the_hardened_twin_linear() {
        let input = b"(a+)+$\naaaaaaaaaaaa!";
        let p =
            derive_within(crate::regex::VULNERABLE, input, Kind::SuperlinearTime, 200_000).unwrap();
        assert_eq!(p.pump.pump, b"a");
        assert_eq!(p.fit.class, Class::Exponential, "{:?}", p.fit);
        let h =
            derive_within(crate::regex::HARDENED, input, Kind::SuperlinearTime, 200_000).unwrap();
        assert_eq!(h.fit.class, Class::Linear, "{:?}", h.fit);
    }
}
