//! Cost breakdown: stacked bars, one per region (a run) or per topology (a comparison),
//! stacked by cost component.

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::{GRID, GRID_LIGHT, category};
use super::render::{
    Chart, DrawError, category_label, legend, no_data, num, padded_range, styled_mesh, text, titled,
};

/// One component of a bar, USD.
#[derive(Debug, Clone, PartialEq)]
pub struct CostSegment {
    /// Cost component, e.g. `instances`, `tokens`, `request fees`; one legend entry each.
    pub component: String,
    pub usd: f64,
}

/// One bar: a region or a topology.
#[derive(Debug, Clone, PartialEq)]
pub struct CostBar {
    pub label: String,
    pub segments: Vec<CostSegment>,
}

/// Stacked cost bars.
#[derive(Debug, Clone, PartialEq)]
pub struct CostBreakdown {
    pub title: String,
    /// What one bar covers, for the y axis, e.g. `cost per run [USD]`.
    pub y_desc: String,
    pub bars: Vec<CostBar>,
}

impl CostBreakdown {
    /// Component names in order of first appearance (legend order, colour order).
    pub fn components(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in self.bars.iter().flat_map(|b| &b.segments) {
            if !out.contains(&s.component.as_str()) {
                out.push(&s.component);
            }
        }
        out
    }
}

impl Chart for CostBreakdown {
    fn size(&self) -> (u32, u32) {
        ((300 + 150 * self.bars.len() as u32).clamp(900, 1800), 680)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let body = titled(root, &self.title)?;
        if self.bars.is_empty() {
            return no_data(&body, "cost");
        }
        let totals: Vec<f64> = self
            .bars
            .iter()
            .map(|b| b.segments.iter().map(|s| s.usd.max(0.0)).sum())
            .collect();
        let (_, y1) = padded_range(totals.iter().copied(), true);
        let n = self.bars.len();
        let mut chart = ChartBuilder::on(&body)
            .margin(14)
            .x_label_area_size(60)
            .y_label_area_size(90)
            .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..y1 * 1.05)?;
        styled_mesh(&mut chart.configure_mesh())
            .disable_x_mesh()
            .bold_line_style(GRID)
            .light_line_style(GRID_LIGHT)
            .y_desc(self.y_desc.as_str())
            .y_label_formatter(&|v| num(*v))
            .x_desc("")
            .label_style(text(15))
            .axis_desc_style(text(16))
            .x_labels(2 * n + 2)
            .x_label_formatter(&|v| category_label(*v, &self.bars, |b| b.label.clone()))
            .draw()?;
        for (ci, component) in self.components().into_iter().enumerate() {
            let fill = category(ci);
            let rects = self.bars.iter().enumerate().filter_map(|(bi, bar)| {
                let below: f64 = bar
                    .segments
                    .iter()
                    .take_while(|s| s.component != component)
                    .map(|s| s.usd.max(0.0))
                    .sum();
                let seg = bar.segments.iter().find(|s| s.component == component)?;
                let x = bi as f64;
                Some(Rectangle::new(
                    [(x - 0.35, below), (x + 0.35, below + seg.usd.max(0.0))],
                    fill.filled(),
                ))
            });
            chart
                .draw_series(rects)?
                .label(component)
                .legend(move |(x, y)| Rectangle::new([(x, y - 7), (x + 22, y + 7)], fill.filled()));
        }
        chart.draw_series(totals.iter().enumerate().map(|(i, t)| {
            Text::new(
                format!("${t:.2}"),
                (i as f64, *t),
                text(15).pos(Pos::new(HPos::Center, VPos::Bottom)),
            )
        }))?;
        legend(&mut chart, SeriesLabelPosition::UpperRight)?;
        Ok(())
    }
}
