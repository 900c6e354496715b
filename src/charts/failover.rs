//! Failover timeline around one fault: the success ratio and p99 latency per 10 s, with
//! markers for fault start, detection by health checks, DNS TTL expiry, recovery and the
//! fault's end.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::palette::{INK, category};
use super::render::{
    Chart, DrawError, legend, line_swatch, num, padded_range, styled_mesh, text, titled,
};

/// A moment on the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct FailoverMarker {
    /// e.g. `fault start`, `detected`, `DNS TTL expired`, `recovered`.
    pub label: String,
    /// Seconds from the fault's start.
    pub t_s: f64,
}

/// One fault's timeline. Buckets start at `t_s` (seconds from the fault's start).
#[derive(Debug, Clone, PartialEq)]
pub struct FailoverTimeline {
    pub title: String,
    pub t_s: Vec<f64>,
    /// Served share of the requests first sent in each bucket, %.
    pub success_pct: Vec<f64>,
    /// p99 end-to-end latency of served requests per bucket, ms.
    pub p99_ms: Vec<Option<f64>>,
    /// The success ratio target recovery is judged against, %.
    pub target_pct: Option<f64>,
    pub markers: Vec<FailoverMarker>,
}

impl Chart for FailoverTimeline {
    fn size(&self) -> (u32, u32) {
        (1300, 760)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let body = titled(root, &self.title)?;
        let (top, bottom) = body.split_vertically(body.dim_in_pixel().1 / 2);
        let xs = self
            .t_s
            .iter()
            .copied()
            .chain(self.markers.iter().map(|m| m.t_s));
        let (x0, x1) = padded_range(xs, false);
        let lowest = self
            .success_pct
            .iter()
            .copied()
            .chain(self.target_pct)
            .fold(100.0f64, f64::min);
        let y0 = (lowest - (100.0 - lowest) * 0.1 - 0.5).max(0.0);
        self.panel(&top, (x0, x1), (y0, 100.5), true)?;
        let (_, p1) = padded_range(self.p99_ms.iter().flatten().copied(), true);
        self.panel(&bottom, (x0, x1), (0.0, p1), false)
    }
}

impl FailoverTimeline {
    fn panel<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        (x0, x1): (f64, f64),
        (y0, y1): (f64, f64),
        success: bool,
    ) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let (caption, y_desc) = if success {
            ("Success ratio per 10 s", "requests served [%]")
        } else {
            ("p99 end-to-end latency per 10 s", "p99 latency [ms]")
        };
        let mut chart = ChartBuilder::on(area)
            .caption(caption, text(18))
            .margin(10)
            .x_label_area_size(48)
            .y_label_area_size(80)
            .build_cartesian_2d(x0..x1, y0..y1)?;
        styled_mesh(&mut chart.configure_mesh())
            .x_desc("time since fault start [s]")
            .x_label_formatter(&|v| num(*v))
            .y_desc(y_desc)
            .y_label_formatter(&|v| num(*v))
            .draw()?;
        let line = category(4).stroke_width(3);
        if success {
            chart
                .draw_series(LineSeries::new(
                    self.t_s
                        .iter()
                        .copied()
                        .zip(self.success_pct.iter().copied()),
                    line,
                ))?
                .label("success ratio [%]")
                .legend(line_swatch(line));
            if let Some(t) = self.target_pct {
                let style = INK.stroke_width(1);
                chart
                    .draw_series(DashedLineSeries::new([(x0, t), (x1, t)], 6, 4, style))?
                    .label(format!("target {t} %"))
                    .legend(line_swatch(style));
            }
        } else {
            let pts = self
                .t_s
                .iter()
                .zip(&self.p99_ms)
                .filter_map(|(t, p)| p.map(|p| (*t, p)));
            chart
                .draw_series(LineSeries::new(pts, line))?
                .label("p99 latency [ms]")
                .legend(line_swatch(line));
        }
        for (i, m) in self.markers.iter().enumerate() {
            // Skip the line's own blue and the yellow that is faint on white.
            let color = category([0, 1, 2, 5, 6, 7][i % 6]);
            let style = color.stroke_width(2);
            let s = chart.draw_series(DashedLineSeries::new(
                [(m.t_s, y0), (m.t_s, y1)],
                10,
                4,
                style,
            ))?;
            if success {
                s.label(format!("{} ({:.0} s)", m.label, m.t_s))
                    .legend(line_swatch(style));
            }
        }
        legend(&mut chart, SeriesLabelPosition::LowerRight)?;
        Ok(())
    }
}
