//! Load and capacity per region over the day: request rate against provisioned capacity
//! with the instance count as a step line (left), utilisation (right).

use plotters::coord::Shift;
use plotters::prelude::*;

use super::palette::{INK, line};
use super::render::{
    Chart, DrawError, clock, legend, line_swatch, num, padded_range, styled_mesh, text, titled,
};

/// One region's load and capacity. Points are `(UTC hour of day, value)`; a step series
/// holds each value until the next point (the last one until `end_hour`).
#[derive(Debug, Clone, PartialEq)]
pub struct RegionLoad {
    pub name: String,
    /// Requests arriving (served or not), req/s.
    pub request_rate_rps: Vec<(f64, f64)>,
    /// Requests the provisioned instances can serve, req/s; empty when unknown (managed
    /// APIs, front ends).
    pub capacity_rps: Vec<(f64, f64)>,
    /// Instances running (a run) or planned (a plan), step series.
    pub instances: Vec<(f64, f64)>,
    /// Share of batch slots in use, %.
    pub utilisation_pct: Vec<(f64, f64)>,
}

/// Load and capacity of every region, one row per region.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadCapacity {
    pub title: String,
    /// Where the last step of each step series ends, UTC hour.
    pub end_hour: f64,
    pub regions: Vec<RegionLoad>,
}

const ROW_HEIGHT: u32 = 320;

impl Chart for LoadCapacity {
    fn size(&self) -> (u32, u32) {
        (1400, 70 + ROW_HEIGHT * self.regions.len().max(1) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let body = titled(root, &self.title)?;
        if self.regions.is_empty() {
            return super::render::no_data(&body, "regions");
        }
        let rows = body.split_evenly((self.regions.len(), 1));
        for (i, (r, row)) in self.regions.iter().zip(&rows).enumerate() {
            let (left, right) = row.split_horizontally(row.dim_in_pixel().0 * 62 / 100);
            rate_panel(&left, r, self.end_hour, line(i))?;
            utilisation_panel(&right, r, self.end_hour, line(i))?;
        }
        Ok(())
    }
}

/// `points` as a staircase ending at `end`.
pub(super) fn steps(points: &[(f64, f64)], end: f64) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(points.len() * 2);
    for (i, &(x, y)) in points.iter().enumerate() {
        let next = points.get(i + 1).map_or(end, |p| p.0);
        out.push((x, y));
        out.push((next, y));
    }
    out
}

fn x_range(r: &RegionLoad, end: f64) -> (f64, f64) {
    let xs = r
        .request_rate_rps
        .iter()
        .chain(&r.instances)
        .chain(&r.utilisation_pct)
        .map(|p| p.0)
        .chain(std::iter::once(end));
    let (lo, hi) = padded_range(xs, false);
    (lo, hi.min(end.max(lo + 1e-6)))
}

fn rate_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    r: &RegionLoad,
    end: f64,
    color: RGBColor,
) -> Result<(), DrawError>
where
    DB::ErrorType: 'static,
{
    let (x0, x1) = x_range(r, end);
    let (_, y1) = padded_range(
        r.request_rate_rps
            .iter()
            .chain(&r.capacity_rps)
            .map(|p| p.1),
        true,
    );
    let (_, i1) = padded_range(r.instances.iter().map(|p| p.1), true);
    let mut chart = ChartBuilder::on(area)
        .caption(format!("{}: load and capacity", r.name), text(18))
        .margin(10)
        .x_label_area_size(48)
        .y_label_area_size(72)
        .right_y_label_area_size(64)
        .build_cartesian_2d(x0..x1, 0f64..y1)?
        .set_secondary_coord(x0..x1, 0f64..i1.ceil().max(1.0));
    styled_mesh(&mut chart.configure_mesh())
        .x_desc("time of day [UTC]")
        .y_desc("request rate [req/s]")
        .y_label_formatter(&|v| num(*v))
        .x_label_formatter(&|h| clock(*h))
        .draw()?;
    chart
        .configure_secondary_axes()
        .y_desc("instances")
        .y_label_formatter(&|v| num(*v))
        .label_style(text(14))
        .axis_desc_style(text(15))
        .draw()?;
    let rate = color.stroke_width(2);
    chart
        .draw_series(LineSeries::new(r.request_rate_rps.iter().copied(), rate))?
        .label("request rate [req/s]")
        .legend(line_swatch(rate));
    if !r.capacity_rps.is_empty() {
        let cap = INK.stroke_width(2);
        chart
            .draw_series(DashedLineSeries::new(
                steps(&r.capacity_rps, end),
                8,
                5,
                cap,
            ))?
            .label("capacity at 100 % slots [req/s]")
            .legend(line_swatch(cap));
    }
    let inst = RGBColor(120, 120, 120).stroke_width(3);
    chart
        .draw_secondary_series(LineSeries::new(steps(&r.instances, end), inst))?
        .label("instances (right axis)")
        .legend(line_swatch(inst));
    legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
    Ok(())
}

fn utilisation_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    r: &RegionLoad,
    end: f64,
    color: RGBColor,
) -> Result<(), DrawError>
where
    DB::ErrorType: 'static,
{
    let (x0, x1) = x_range(r, end);
    let mut chart = ChartBuilder::on(area)
        .caption(format!("{}: utilisation", r.name), text(18))
        .margin(10)
        .x_label_area_size(48)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, 0f64..105f64)?;
    styled_mesh(&mut chart.configure_mesh())
        .x_desc("time of day [UTC]")
        .y_desc("batch slots in use [%]")
        .y_label_formatter(&|v| num(*v))
        .x_labels(5)
        .x_label_formatter(&|h| clock(*h))
        .draw()?;
    let style = color.stroke_width(2);
    chart
        .draw_series(LineSeries::new(steps(&r.utilisation_pct, end), style))?
        .label("utilisation [%]")
        .legend(line_swatch(style));
    legend(&mut chart, SeriesLabelPosition::LowerRight)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_hold_each_value_until_the_next_point() {
        assert_eq!(
            steps(&[(0.0, 2.0), (1.0, 3.0)], 1.5),
            vec![(0.0, 2.0), (1.0, 2.0), (1.0, 3.0), (1.5, 3.0)]
        );
    }
}
