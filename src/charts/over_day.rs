//! Latency percentiles over the simulated day, one panel per region: the p50 line with
//! shaded p50–p95 and p95–p99 bands.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::palette::line;
use super::render::{
    Chart, DrawError, clock, legend, line_swatch, no_data, num, padded_range, styled_mesh, text,
    titled,
};

/// One region's percentiles per time bucket; `None` where the bucket had no samples.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionPercentiles {
    pub name: String,
    /// Bucket start, UTC hour of day (values past 24 are the next day).
    pub hours: Vec<f64>,
    pub p50_ms: Vec<Option<f64>>,
    pub p95_ms: Vec<Option<f64>>,
    pub p99_ms: Vec<Option<f64>>,
}

/// Latency percentiles over time, one panel per region.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyOverDay {
    pub title: String,
    /// What was measured, for the y axis: e.g. `end-to-end latency`.
    pub metric: String,
    pub regions: Vec<RegionPercentiles>,
}

const PANEL_HEIGHT: u32 = 300;

impl Chart for LatencyOverDay {
    fn size(&self) -> (u32, u32) {
        (1200, 70 + PANEL_HEIGHT * self.regions.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let body = titled(root, &self.title)?;
        if self.regions.is_empty() {
            return no_data(&body, &self.metric);
        }
        let panels = body.split_evenly((self.regions.len(), 1));
        for (i, (r, area)) in self.regions.iter().zip(&panels).enumerate() {
            panel(area, r, &self.metric, line(i))?;
        }
        Ok(())
    }
}

/// Runs of consecutive buckets where all three percentiles are known.
fn known_runs(r: &RegionPercentiles) -> Vec<Vec<(f64, f64, f64, f64)>> {
    let mut runs = vec![Vec::new()];
    for i in 0..r.hours.len() {
        let at = |v: &[Option<f64>]| v.get(i).copied().flatten();
        match (at(&r.p50_ms), at(&r.p95_ms), at(&r.p99_ms)) {
            (Some(a), Some(b), Some(c)) => runs
                .last_mut()
                .expect("non-empty")
                .push((r.hours[i], a, b, c)),
            _ => runs.push(Vec::new()),
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

fn band(run: &[(f64, f64, f64, f64)], lower: usize, upper: usize) -> Vec<(f64, f64)> {
    let pick = |p: &(f64, f64, f64, f64), k: usize| match k {
        1 => p.1,
        2 => p.2,
        _ => p.3,
    };
    let mut pts: Vec<(f64, f64)> = run.iter().map(|p| (p.0, pick(p, upper))).collect();
    pts.extend(run.iter().rev().map(|p| (p.0, pick(p, lower))));
    pts
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    r: &RegionPercentiles,
    metric: &str,
    color: RGBColor,
) -> Result<(), DrawError>
where
    DB::ErrorType: 'static,
{
    let runs = known_runs(r);
    if runs.is_empty() {
        return no_data(area, &r.name);
    }
    let (x0, x1) = padded_range(r.hours.iter().copied(), false);
    let (_, y1) = padded_range(runs.iter().flatten().map(|p| p.3), true);
    let mut chart = ChartBuilder::on(area)
        .caption(&r.name, text(18))
        .margin(10)
        .x_label_area_size(48)
        .y_label_area_size(80)
        .build_cartesian_2d(x0..x1, 0f64..y1)?;
    styled_mesh(&mut chart.configure_mesh())
        .x_desc("time of day [UTC]")
        .y_desc(format!("{metric} [ms]"))
        .y_label_formatter(&|v| num(*v))
        .x_label_formatter(&|h| clock(*h))
        .draw()?;
    let styles = [
        ("p95–p99", 3, 2, color.mix(0.18)),
        ("p50–p95", 2, 1, color.mix(0.4)),
    ];
    for (label, upper, lower, fill) in styles {
        let mut first = true;
        for run in &runs {
            let s = chart.draw_series(std::iter::once(Polygon::new(
                band(run, lower, upper),
                fill.filled(),
            )))?;
            if first {
                s.label(label).legend(move |(x, y)| {
                    Rectangle::new([(x, y - 6), (x + 26, y + 6)], fill.filled())
                });
                first = false;
            }
        }
    }
    let line = color.stroke_width(3);
    let mut first = true;
    for run in &runs {
        let s = chart.draw_series(LineSeries::new(run.iter().map(|p| (p.0, p.1)), line))?;
        if first {
            s.label("p50").legend(line_swatch(line));
            first = false;
        }
    }
    legend(&mut chart, SeriesLabelPosition::UpperRight)?;
    Ok(())
}
