//! Capacity heat map: instances per region and hour, with each region's cost. Fed by a run
//! (time-averaged running instances) or by a capacity plan (planned counts).

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::palette::{INK, text_on, viridis};
use super::render::{Chart, DrawError, category_label, no_data, styled_mesh, text, titled};

/// Instances per cell, rows are regions, columns are hours.
#[derive(Debug, Clone, PartialEq)]
pub struct CapacityHeatmap {
    pub title: String,
    /// Row labels (region codes), top to bottom.
    pub regions: Vec<String>,
    /// Column labels, e.g. `14:00` (UTC).
    pub hours: Vec<String>,
    /// `instances[row][column]`, instances (may be fractional: time-averaged).
    pub instances: Vec<Vec<f64>>,
    /// Cost of each region over the window shown, USD.
    pub cost_usd: Vec<f64>,
}

impl Chart for CapacityHeatmap {
    fn size(&self) -> (u32, u32) {
        let w = (340 + 56 * self.hours.len() as u32).clamp(900, 1800);
        (w, 170 + 56 * self.regions.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let body = titled(root, &self.title)?;
        let (rows, cols) = (self.regions.len(), self.hours.len());
        if rows == 0 || cols == 0 {
            return no_data(&body, "instances");
        }
        let max = self
            .instances
            .iter()
            .flatten()
            .copied()
            .filter(|v| v.is_finite())
            .fold(0.0f64, f64::max)
            .max(1.0);
        let (main, scale) = body.split_horizontally(body.dim_in_pixel().0 - 130);
        let labels: Vec<String> = self
            .regions
            .iter()
            .enumerate()
            .map(|(i, r)| match self.cost_usd.get(i) {
                Some(c) => format!("{r}  ${c:.2}"),
                None => r.clone(),
            })
            .collect();
        let mut chart = ChartBuilder::on(&main)
            .margin(12)
            .x_label_area_size(56)
            .y_label_area_size(230)
            .build_cartesian_2d(-0.5f64..cols as f64 - 0.5, -0.5f64..rows as f64 - 0.5)?;
        styled_mesh(&mut chart.configure_mesh())
            .disable_mesh()
            .x_desc("hour [UTC]")
            .y_desc("region  (cost of the window)")
            .x_labels(2 * cols + 2)
            .y_labels(2 * rows + 2)
            .x_label_formatter(&|v| category_label(*v, &self.hours, String::clone))
            // Row 0 at the top.
            .y_label_formatter(&|v| category_label(rows as f64 - 1.0 - *v, &labels, String::clone))
            .draw()?;
        for (ri, row) in self.instances.iter().enumerate().take(rows) {
            let y = (rows - 1 - ri) as f64;
            for (c, &v) in row.iter().enumerate().take(cols) {
                let x = c as f64;
                let fill = viridis(v / max);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.5, y - 0.5), (x + 0.5, y + 0.5)],
                    fill.filled(),
                )))?;
                let label = if (v - v.round()).abs() < 0.05 {
                    format!("{}", v.round())
                } else {
                    format!("{v:.1}")
                };
                chart.draw_series(std::iter::once(Text::new(
                    label,
                    (x, y),
                    text(14)
                        .color(&text_on(fill))
                        .pos(Pos::new(HPos::Center, VPos::Center)),
                )))?;
            }
        }
        colour_scale(&scale, max)
    }
}

/// A vertical viridis ramp labelled 0 … `max` instances.
fn colour_scale<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    max: f64,
) -> Result<(), DrawError>
where
    DB::ErrorType: 'static,
{
    let (_, h) = area.dim_in_pixel();
    let (top, bottom) = (30i32, h as i32 - 70);
    let steps = 40;
    for i in 0..steps {
        let t = i as f64 / (steps - 1) as f64;
        let y0 = bottom - ((bottom - top) as f64 * (i + 1) as f64 / steps as f64) as i32;
        let y1 = bottom - ((bottom - top) as f64 * i as f64 / steps as f64) as i32;
        area.draw(&Rectangle::new([(20, y0), (44, y1)], viridis(t).filled()))?;
    }
    area.draw(&Rectangle::new(
        [(20, top), (44, bottom)],
        INK.stroke_width(1),
    ))?;
    area.draw(&Text::new(format!("{max:.0}"), (50, top - 6), text(14)))?;
    area.draw(&Text::new("0", (50, bottom - 8), text(14)))?;
    area.draw(&Text::new("instances", (6, bottom + 14), text(14)))?;
    Ok(())
}
