//! How a cost grows with the attacker's input: least-squares fits and the
//! growth class they name.
//!
//! Two models, both fitted by ordinary least squares on the logarithm of
//! the cost, so their goodness of fit (R² on ln cost) can be compared:
//!
//! - **power law** `cost = a · nᵏ`: a line on log–log axes;
//! - **exponential** `cost = c · bⁿ`: a line on log-linear axes, so `b`
//!   reads "times more work per repetition".
//!
//! Both are fitted against the generator's size parameter `n` (pump
//! repetitions, nesting levels, keys, ...), not the input's length: every
//! generator's input grows linearly in `n` once past its fixed head (the
//! colliding keys' logarithmic width aside), so the class is the same, and
//! `n` has no fixed offset to bend a small size's slope. What the attacker
//! pays in bytes is in the per-byte figures ([`crate::dos::Growth`]).
//!
//! The class ([`Class`]) comes from the better model: exponential when its
//! fit is the better one *and* the curve bends upward on log–log axes (the
//! local exponent of the upper half of the sizes is at least 1.2× that of
//! the lower half, as `bⁿ` does and a power law does not); otherwise the
//! power law's exponent `k` names it: n log n when `k` is between 1.05 and
//! 1.6 and `cost / (n · ln n)` is flat within ±0.05 in exponent; else at
//! most [`LINEAR_MAX`] linear (which includes constant: a refusal that costs
//! the same at every size), quadratic within ±0.25 of 2, polynomial of
//! degree `k` otherwise.
//!
//! Fitting is pure arithmetic: the same points always give the same class,
//! which is what lets a test decide on metered steps.

use std::fmt;

/// The exponent up to which a cost counts as linear in the input: the
/// issue's bar for a hardened twin ("a step exponent of at most 1.15").
pub const LINEAR_MAX: f64 = 1.15;

/// The growth class a fit names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Class {
    /// At most linear (exponent ≤ [`LINEAR_MAX`]; constant included).
    Linear,
    /// `n log n`.
    Nlogn,
    /// `n²` (exponent within 0.25 of 2).
    Quadratic,
    /// `nᵏ` for another `k` (see [`Fit::exponent`]).
    Polynomial,
    /// `bⁿ` (see [`Fit::base`]).
    Exponential,
}

impl Class {
    /// `linear`, `nlogn`, `quadratic`, `polynomial` or `exponential`.
    pub fn name(self) -> &'static str {
        match self {
            Class::Linear => "linear",
            Class::Nlogn => "nlogn",
            Class::Quadratic => "quadratic",
            Class::Polynomial => "polynomial",
            Class::Exponential => "exponential",
        }
    }

    /// Whether the cost grows faster than n log n: what a hardened twin
    /// must never show.
    pub fn is_superlinear(self) -> bool {
        !matches!(self, Class::Linear | Class::Nlogn)
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One measured point: the generator's size parameter and the cost.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Point {
    /// The size parameter `n` (repetitions, levels, keys, ...).
    pub n: f64,
    /// The cost (steps, nanoseconds, bytes held, ...).
    pub cost: f64,
}

/// A fitted growth.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct Fit {
    /// The class the fit names.
    pub class: Class,
    /// The power-law exponent `k` in `cost = a · nᵏ` (reported whatever
    /// the class).
    pub exponent: f64,
    /// The power law's coefficient `a`.
    pub coefficient: f64,
    /// The exponential's base `b` per unit of `n`, when the class is
    /// exponential.
    pub base: Option<f64>,
    /// The exponential's coefficient `c` in `c · bⁿ`, when exponential.
    pub scale: Option<f64>,
    /// R² (on ln cost) of the model that named the class.
    pub r2: f64,
    /// The fitted formula, for people: `19·n^1.00` or `3.2·2.000^n`.
    pub formula: String,
}

/// A least-squares line `y = intercept + slope · x` and its R².
#[derive(Clone, Copy, Debug)]
struct Line {
    slope: f64,
    intercept: f64,
    r2: f64,
}

fn line(xs: &[f64], ys: &[f64]) -> Option<Line> {
    let n = xs.len() as f64;
    if xs.len() < 2 || xs.len() != ys.len() {
        return None;
    }
    let mx = xs.iter().sum::<f64>() / n;
    let my = ys.iter().sum::<f64>() / n;
    let sxx: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    let sxy: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let syy: f64 = ys.iter().map(|y| (y - my) * (y - my)).sum();
    if sxx <= f64::EPSILON {
        return None;
    }
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    // A flat cost is fitted exactly by a flat line.
    let r2 = if syy <= 1e-12 { 1.0 } else { (sxy * sxy / (sxx * syy)).clamp(0.0, 1.0) };
    Some(Line { slope, intercept, r2 })
}

/// Fits `points` (at least three with a positive size and cost, sizes
/// distinct; points with a zero cost are left out) and names the class;
/// `None` when too few points remain.
pub fn fit(points: &[Point]) -> Option<Fit> {
    let pts: Vec<Point> = points.iter().copied().filter(|p| p.cost > 0.0 && p.n > 0.0).collect();
    if pts.len() < 3 {
        return None;
    }
    let lx: Vec<f64> = pts.iter().map(|p| p.n.ln()).collect();
    let ly: Vec<f64> = pts.iter().map(|p| p.cost.ln()).collect();
    let ns: Vec<f64> = pts.iter().map(|p| p.n).collect();
    let power = line(&lx, &ly)?;
    let exponential = line(&ns, &ly);

    let half = pts.len() / 2;
    let lower = line(&lx[..=half.min(pts.len() - 1)], &ly[..=half.min(pts.len() - 1)]);
    let upper = line(&lx[half..], &ly[half..]);
    let bends = match (lower, upper) {
        (Some(lo), Some(up)) => up.slope > 1.0 && up.slope >= 1.2 * lo.slope.max(0.5),
        _ => false,
    };
    if let Some(exp) = exponential {
        if exp.slope > 0.0 && exp.r2 > power.r2 && bends {
            let base = exp.slope.exp();
            let scale = exp.intercept.exp();
            return Some(Fit {
                class: Class::Exponential,
                exponent: power.slope,
                coefficient: power.intercept.exp(),
                base: Some(base),
                scale: Some(scale),
                r2: exp.r2,
                formula: format!("{}·{base:.3}^n", sci(scale)),
            });
        }
    }
    let k = power.slope;
    // cost / (n ln n) flat: n log n (tested first: over a 500x range
    // n log n has a power-law exponent of only about 1.14).
    let ly_nlogn: Vec<f64> =
        pts.iter().map(|p| (p.cost / (p.n * p.n.ln().max(1.0))).ln()).collect();
    let nlogn = k > 1.05 && k < 1.6 && line(&lx, &ly_nlogn).is_some_and(|l| l.slope.abs() <= 0.05);
    let class = if nlogn {
        Class::Nlogn
    } else if k <= LINEAR_MAX {
        Class::Linear
    } else if (k - 2.0).abs() <= 0.25 {
        Class::Quadratic
    } else {
        Class::Polynomial
    };
    let a = power.intercept.exp();
    Some(Fit {
        class,
        exponent: k,
        coefficient: a,
        base: None,
        scale: None,
        r2: power.r2,
        formula: format!("{}·n^{k:.2}", sci(a)),
    })
}

/// A number in short scientific notation: `3.2e4`, `0.52`.
pub fn sci(v: f64) -> String {
    if v == 0.0 || (0.01..1000.0).contains(&v.abs()) {
        format!("{v:.3}").trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        format!("{v:.2e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(f: impl Fn(f64) -> f64, ns: impl IntoIterator<Item = u32>) -> Vec<Point> {
        ns.into_iter()
            .map(|n| {
                let n = f64::from(n);
                Point { n, cost: f(n) }
            })
            .collect()
    }

    fn sizes() -> Vec<u32> {
        (0..8).map(|i| 10 * 2u32.pow(i)).collect()
    }

    #[test]
    fn a_line_with_an_offset_is_linear() {
        let fit = fit(&points(|n| 7.0 * n + 300.0, sizes())).unwrap();
        assert_eq!(fit.class, Class::Linear, "{fit:?}");
        assert!(fit.exponent < LINEAR_MAX);
    }

    #[test]
    fn a_constant_is_linear_with_exponent_zero() {
        let fit = fit(&points(|_| 500.0, sizes())).unwrap();
        assert_eq!(fit.class, Class::Linear);
        assert!(fit.exponent.abs() < 1e-9, "{fit:?}");
    }

    #[test]
    fn squares_are_quadratic_and_cubes_polynomial() {
        let fit2 = fit(&points(|n| n * n / 2.0 + n, sizes())).unwrap();
        assert_eq!(fit2.class, Class::Quadratic, "{fit2:?}");
        let fit3 = fit(&points(|n| n * n * n, sizes())).unwrap();
        assert_eq!(fit3.class, Class::Polynomial, "{fit3:?}");
        assert!((fit3.exponent - 3.0).abs() < 0.01);
    }

    #[test]
    fn n_log_n_is_told_from_linear_and_quadratic() {
        let ns: Vec<u32> = (0..10).map(|i| 100 * 2u32.pow(i)).collect();
        let fit = fit(&points(|n| n * n.ln(), ns)).unwrap();
        assert_eq!(fit.class, Class::Nlogn, "{fit:?}");
    }

    #[test]
    fn doubling_per_repetition_is_exponential_with_base_two() {
        let fit = fit(&points(|n| 3.0 * 2f64.powf(n), 4..=24)).unwrap();
        assert_eq!(fit.class, Class::Exponential, "{fit:?}");
        assert!((fit.base.unwrap() - 2.0).abs() < 1e-6);
        assert!(fit.r2 > 0.999);
    }

    #[test]
    fn too_few_points_fit_nothing() {
        assert!(fit(&points(|n| n, [1, 2])).is_none());
        assert!(fit(&points(|_| 0.0, sizes())).is_none());
    }
}
