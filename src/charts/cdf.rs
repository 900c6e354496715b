//! Latency CDF: time to first token and end-to-end side by side, one line per region (a
//! run) or per topology (a comparison), on a log-scaled latency axis.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::Series;
use super::palette::line;
use super::render::{
    Chart, DrawError, legend, line_swatch, no_data, num, styled_mesh, text, titled,
};

/// Two CDF panels. Points are `(latency [ms], share of requests at or below, 0–1)`.
#[derive(Debug, Clone, PartialEq)]
pub struct LatencyCdf {
    pub title: String,
    /// Time to first token, one series per region or topology.
    pub ttft: Vec<Series>,
    /// End-to-end latency, one series per region or topology.
    pub e2e: Vec<Series>,
}

impl Chart for LatencyCdf {
    fn size(&self) -> (u32, u32) {
        (1400, 640)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let body = titled(root, &self.title)?;
        let panels = body.split_evenly((1, 2));
        panel(&panels[0], "Time to first token", &self.ttft)?;
        panel(&panels[1], "End-to-end latency", &self.e2e)?;
        Ok(())
    }
}

/// The positive latencies' range as a log axis: whole decades around the data.
fn log_range(series: &[Series]) -> Option<(f64, f64)> {
    let xs = series
        .iter()
        .flat_map(|s| s.points.iter().map(|p| p.0))
        .filter(|x| x.is_finite() && *x > 0.0);
    let (lo, hi) = xs.fold((f64::INFINITY, 0.0f64), |(l, h), x| (l.min(x), h.max(x)));
    if !lo.is_finite() {
        return None;
    }
    let lo = 10f64.powf(lo.log10().floor());
    let hi = 10f64.powf(hi.log10().ceil()).max(lo * 10.0);
    Some((lo, hi))
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    series: &[Series],
) -> Result<(), DrawError>
where
    DB::ErrorType: 'static,
{
    let Some((lo, hi)) = log_range(series) else {
        return no_data(area, caption);
    };
    let mut chart = ChartBuilder::on(area)
        .caption(caption, text(20))
        .margin(14)
        .x_label_area_size(56)
        .y_label_area_size(72)
        .build_cartesian_2d((lo..hi).log_scale(), 0f64..100f64)?;
    styled_mesh(&mut chart.configure_mesh())
        .x_desc("latency [ms] (log scale)")
        .y_desc("requests at or below [%]")
        .y_label_formatter(&|v| num(*v))
        .x_label_formatter(&|v| format_ms(*v))
        .draw()?;
    for (i, s) in series.iter().enumerate() {
        let color = line(i);
        let style = color.stroke_width(3);
        chart
            .draw_series(LineSeries::new(
                s.points
                    .iter()
                    .filter(|p| p.0 > 0.0 && p.0.is_finite())
                    .map(|&(x, y)| (x, y * 100.0)),
                style,
            ))?
            .label(s.name.as_str())
            .legend(line_swatch(style));
    }
    legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    Ok(())
}

/// `1 ms`, `250 ms`, `12 s` for axis ticks.
fn format_ms(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{} s", trim(ms / 1000.0))
    } else {
        format!("{} ms", trim(ms))
    }
}

fn trim(x: f64) -> String {
    let s = format!("{x:.2}");
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_range_covers_whole_decades() {
        let s = vec![Series {
            name: "a".into(),
            points: vec![(0.0, 0.0), (35.0, 0.5), (2_400.0, 1.0)],
        }];
        assert_eq!(log_range(&s), Some((10.0, 10_000.0)));
        assert_eq!(log_range(&[]), None);
        assert_eq!(format_ms(2500.0), "2.5 s");
        assert_eq!(format_ms(100.0), "100 ms");
    }
}
