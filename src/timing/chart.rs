//! The timing chart of one attack: an SVG drawn with plotters.
//!
//! Two panels side by side, both on log–log axes over the attack's size
//! parameter n: the metered work (steps + probes + bytes out: it decides
//! the class) and
//! the wall time. Each twin is a colour (vulnerable red, hardened blue): its
//! measured sizes as dots and its fitted curve as a line, the legend naming
//! the class and the formula. On log–log axes a power law is a straight
//! line whose slope is its exponent, and an exponential bends upward away
//! from every straight line: what a learner should see.

use gauntlet_harnesses::dos::Sample;
use gauntlet_harnesses::growth::{sci, Fit};
use gauntlet_harnesses::Variant;
use plotters::coord::Shift;
use plotters::prelude::*;

use super::{AttackTiming, TwinTiming};

/// Which panel.
#[derive(Clone, Copy)]
enum Panel {
    Work,
    Time,
}

impl Panel {
    fn value(self, s: &Sample) -> Option<f64> {
        match self {
            Panel::Work => Some(s.work() as f64),
            Panel::Time => s.time_ns,
        }
        .filter(|v| *v > 0.0)
    }

    fn fit(self, twin: &TwinTiming) -> Option<&Fit> {
        match self {
            Panel::Work => twin.growth.steps.as_ref(),
            Panel::Time => twin.growth.time.as_ref(),
        }
    }
}

/// The fitted cost at `n`.
fn fitted(fit: &Fit, n: f64) -> f64 {
    match (fit.base, fit.scale) {
        (Some(b), Some(c)) => c * b.powf(n),
        _ => fit.coefficient * n.powf(fit.exponent),
    }
}

/// The chart of `timing` as an SVG document.
pub fn svg(timing: &AttackTiming) -> anyhow::Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (1200, 520)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_error)?;
        let title = format!(
            "{}/{}: defender cost vs attacker size (log-log)",
            timing.family.name, timing.attack
        );
        let root = root.titled(&title, ("sans-serif", 20)).map_err(plot_error)?;
        let (left, right) = root.split_horizontally(600);
        panel(&left, timing, Panel::Work)?;
        panel(&right, timing, Panel::Time)?;
        root.present().map_err(plot_error)?;
    }
    Ok(out)
}

fn plot_error(e: impl std::fmt::Display) -> anyhow::Error {
    anyhow::anyhow!("cannot draw the chart: {e}")
}

fn panel(
    area: &DrawingArea<SVGBackend<'_>, Shift>,
    timing: &AttackTiming,
    which: Panel,
) -> anyhow::Result<()> {
    let points: Vec<(f64, f64)> = timing
        .twins
        .iter()
        .flat_map(|t| t.series.measured().filter_map(move |s| Some((s.n as f64, which.value(s)?))))
        .collect();
    let caption = match which {
        Panel::Work => "metered work: steps + probes + bytes out (decides the class)".to_owned(),
        Panel::Time => "wall time, ns (median of repeats)".to_owned(),
    };
    if points.is_empty() {
        area.draw(&Text::new(format!("{caption}: nothing measured"), (40, 40), ("sans-serif", 16)))
            .map_err(plot_error)?;
        return Ok(());
    }
    let (x0, x1) = bounds(points.iter().map(|p| p.0));
    let (y0, y1) = bounds(points.iter().map(|p| p.1));
    let mut chart = ChartBuilder::on(area)
        .caption(caption, ("sans-serif", 16))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(70)
        .build_cartesian_2d((x0..x1).log_scale(), (y0..y1).log_scale())
        .map_err(plot_error)?;
    chart
        .configure_mesh()
        .x_desc("n (attack size)")
        .y_desc(if matches!(which, Panel::Work) { "work" } else { "ns" })
        .x_label_formatter(&|v| sci(*v))
        .y_label_formatter(&|v| sci(*v))
        .light_line_style(WHITE.mix(0.0))
        .draw()
        .map_err(plot_error)?;
    for twin in &timing.twins {
        let color = match twin.target.variant {
            Variant::Vulnerable => RGBColor(200, 30, 30),
            _ => RGBColor(30, 80, 200),
        };
        let dots: Vec<(f64, f64)> =
            twin.series.measured().filter_map(|s| Some((s.n as f64, which.value(s)?))).collect();
        chart
            .draw_series(dots.iter().map(|&p| Circle::new(p, 4, color.filled())))
            .map_err(plot_error)?;
        let Some(fit) = which.fit(twin) else { continue };
        let (a, b) = bounds(dots.iter().map(|p| p.0));
        let curve: Vec<(f64, f64)> = (0..=60)
            .map(|i| {
                let n = a * (b / a).powf(f64::from(i) / 60.0);
                (n, fitted(fit, n))
            })
            .filter(|&(_, y)| y >= y0 && y <= y1 && y.is_finite())
            .collect();
        let label = format!(
            "{}: {} {} (r² {:.3})",
            twin.target.variant.name(),
            fit.class,
            fit.formula,
            fit.r2
        );
        chart
            .draw_series(LineSeries::new(curve, color.stroke_width(2)))
            .map_err(plot_error)?
            .label(label)
            .legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
            });
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .label_font(("sans-serif", 13))
        .draw()
        .map_err(plot_error)?;
    Ok(())
}

/// A positive range around `values`, padded a little on log axes.
fn bounds(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values
        .filter(|v| *v > 0.0 && v.is_finite())
        .fold((f64::INFINITY, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if !lo.is_finite() {
        return (1.0, 10.0);
    }
    let (lo, hi) = (lo / 1.5, hi * 1.5);
    if hi / lo < 10.0 {
        (lo / 2.0, hi * 2.0)
    } else {
        (lo, hi)
    }
}
