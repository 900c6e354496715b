//! World map: user sites and regions on an equirectangular projection; each site is
//! coloured by the region that served most of its traffic and sized by its traffic.
//!
//! No coastlines are drawn (the catalog has none, and shipping a map would add data with its
//! own licence); a 30° graticule gives the bearings.

use plotters::coord::Shift;
use plotters::prelude::*;

use super::palette::{GRID, INK, line};
use super::render::{Chart, DrawError, legend, styled_mesh, text, titled};

/// A region on the map; its index is the colour its sites get.
#[derive(Debug, Clone, PartialEq)]
pub struct MapRegion {
    pub code: String,
    pub lat_deg: f64,
    pub lon_deg: f64,
}

/// A user site.
#[derive(Debug, Clone, PartialEq)]
pub struct MapSite {
    pub name: String,
    pub lat_deg: f64,
    pub lon_deg: f64,
    /// Requests from the site (any unit; circle area is proportional to it).
    pub requests: f64,
    /// Index into [`WorldMap::regions`] of the region that served most of its requests;
    /// `None` when nothing was served.
    pub served_by: Option<usize>,
}

/// Sites and regions on a map.
#[derive(Debug, Clone, PartialEq)]
pub struct WorldMap {
    pub title: String,
    pub regions: Vec<MapRegion>,
    pub sites: Vec<MapSite>,
}

impl Chart for WorldMap {
    fn size(&self) -> (u32, u32) {
        (1400, 800)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        let body = titled(root, &self.title)?;
        let mut chart = ChartBuilder::on(&body)
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(64)
            .build_cartesian_2d(-180f64..180f64, -65f64..80f64)?;
        styled_mesh(&mut chart.configure_mesh())
            .x_desc("longitude [°]")
            .y_desc("latitude [°]")
            .x_labels(13)
            .y_labels(6)
            .label_style(text(14))
            .axis_desc_style(text(15))
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .draw()?;
        let max = self.sites.iter().map(|s| s.requests).fold(0.0f64, f64::max);
        let radius = |r: f64| {
            if max > 0.0 {
                (4.0 + 22.0 * (r.max(0.0) / max).sqrt()) as i32
            } else {
                5
            }
        };
        // Largest first, so small sites stay visible on top.
        let mut order: Vec<&MapSite> = self.sites.iter().collect();
        order.sort_by(|a, b| b.requests.total_cmp(&a.requests));
        chart.draw_series(order.iter().map(|s| {
            let color = s.served_by.map_or(RGBColor(150, 150, 150), line);
            EmptyElement::at((s.lon_deg, s.lat_deg))
                + Circle::new((0, 0), radius(s.requests), color.mix(0.7).filled())
                + Circle::new((0, 0), radius(s.requests), INK.mix(0.6).stroke_width(1))
        }))?;
        for (i, r) in self.regions.iter().enumerate() {
            let color = line(i);
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((r.lon_deg, r.lat_deg))
                        + TriangleMarker::new((0, 0), 12, color.filled())
                        + TriangleMarker::new((0, 0), 12, INK.stroke_width(2))
                        + Text::new(r.code.clone(), (10, -22), text(15)),
                ))?
                .label(format!("{} (region; its sites)", r.code))
                .legend(move |(x, y)| {
                    EmptyElement::at((x + 10, y)) + TriangleMarker::new((0, 0), 8, color.filled())
                });
        }
        legend(&mut chart, SeriesLabelPosition::LowerLeft)?;
        body.draw(&Text::new(
            "circle area ∝ requests from the site; colour = region that served most of them",
            (80, body.dim_in_pixel().1 as i32 - 20),
            text(14),
        ))?;
        Ok(())
    }
}
