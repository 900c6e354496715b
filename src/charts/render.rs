//! Turning a chart into PNG or SVG bytes, and writing a set of charts to a directory.

use std::path::{Path, PathBuf};

use plotters::coord::Shift;
use plotters::prelude::*;

use super::{
    CapacityHeatmap, CostBreakdown, FailoverTimeline, LatencyCdf, LatencyOverDay, LoadCapacity,
    WorldMap, font,
};

/// Anything that went wrong while drawing (a plotters backend error, as text).
pub type DrawError = Box<dyn std::error::Error>;

/// A chart: a data struct that knows its pixel size and how to draw itself on any plotters
/// backend.
pub trait Chart {
    /// Width and height, px (SVG user units).
    fn size(&self) -> (u32, u32) {
        (1200, 720)
    }

    /// Draws the whole chart (title, axes, legend) on `root`.
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static;
}

/// File formats a chart is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartFormat {
    /// 8-bit RGB PNG, for slides and documents.
    Png,
    /// SVG with text as `<text>` elements, for the HTML report and scaling.
    Svg,
}

impl ChartFormat {
    /// File extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ChartFormat::Png => "png",
            ChartFormat::Svg => "svg",
        }
    }
}

/// Why a chart could not be produced.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ChartError {
    /// plotters failed while drawing.
    #[error("cannot draw chart {chart}: {reason}")]
    Draw { chart: String, reason: String },
    /// The PNG encoder failed.
    #[error("cannot encode chart {chart} as png: {reason}")]
    Encode { chart: String, reason: String },
    /// A chart file could not be written.
    #[error("cannot write {path}: {reason}")]
    Write { path: String, reason: String },
}

/// One chart with the file name (without extension) it is written under.
#[derive(Debug, Clone)]
pub struct NamedChart {
    /// File stem, e.g. `latency-cdf`; also the chart's id in the HTML report.
    pub stem: String,
    pub chart: AnyChart,
}

/// Every kind of chart, so that a list of charts can be rendered in one place.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum AnyChart {
    LatencyCdf(LatencyCdf),
    LatencyOverDay(LatencyOverDay),
    LoadCapacity(LoadCapacity),
    CapacityHeatmap(CapacityHeatmap),
    CostBreakdown(CostBreakdown),
    FailoverTimeline(FailoverTimeline),
    WorldMap(WorldMap),
}

impl AnyChart {
    /// The chart's title (also the alt text in the report).
    pub fn title(&self) -> &str {
        match self {
            AnyChart::LatencyCdf(c) => &c.title,
            AnyChart::LatencyOverDay(c) => &c.title,
            AnyChart::LoadCapacity(c) => &c.title,
            AnyChart::CapacityHeatmap(c) => &c.title,
            AnyChart::CostBreakdown(c) => &c.title,
            AnyChart::FailoverTimeline(c) => &c.title,
            AnyChart::WorldMap(c) => &c.title,
        }
    }
}

impl Chart for AnyChart {
    fn size(&self) -> (u32, u32) {
        match self {
            AnyChart::LatencyCdf(c) => c.size(),
            AnyChart::LatencyOverDay(c) => c.size(),
            AnyChart::LoadCapacity(c) => c.size(),
            AnyChart::CapacityHeatmap(c) => c.size(),
            AnyChart::CostBreakdown(c) => c.size(),
            AnyChart::FailoverTimeline(c) => c.size(),
            AnyChart::WorldMap(c) => c.size(),
        }
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), DrawError>
    where
        DB::ErrorType: 'static,
    {
        match self {
            AnyChart::LatencyCdf(c) => c.draw(root),
            AnyChart::LatencyOverDay(c) => c.draw(root),
            AnyChart::LoadCapacity(c) => c.draw(root),
            AnyChart::CapacityHeatmap(c) => c.draw(root),
            AnyChart::CostBreakdown(c) => c.draw(root),
            AnyChart::FailoverTimeline(c) => c.draw(root),
            AnyChart::WorldMap(c) => c.draw(root),
        }
    }
}

fn draw_error(chart: &str, e: impl std::fmt::Display) -> ChartError {
    ChartError::Draw {
        chart: chart.to_string(),
        reason: e.to_string(),
    }
}

/// The chart as an SVG document.
pub fn render_svg<C: Chart>(chart: &C, name: &str) -> Result<String, ChartError> {
    font::ensure_registered();
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, chart.size()).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_error(name, e))?;
        chart.draw(&root).map_err(|e| draw_error(name, e))?;
        root.present().map_err(|e| draw_error(name, e))?;
    }
    Ok(out)
}

/// The chart as PNG file bytes (8-bit RGB).
pub fn render_png<C: Chart>(chart: &C, name: &str) -> Result<Vec<u8>, ChartError> {
    font::ensure_registered();
    let (w, h) = chart.size();
    let mut pixels = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| draw_error(name, e))?;
        chart.draw(&root).map_err(|e| draw_error(name, e))?;
        root.present().map_err(|e| draw_error(name, e))?;
    }
    let encode = |e: png::EncodingError| ChartError::Encode {
        chart: name.to_string(),
        reason: e.to_string(),
    };
    let mut out = Vec::new();
    let mut encoder = png::Encoder::new(&mut out, w, h);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    // Charts are mostly flat colour: the strongest settings halve the files at little cost.
    encoder.set_compression(png::Compression::Best);
    encoder.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    let mut writer = encoder.write_header().map_err(encode)?;
    writer.write_image_data(&pixels).map_err(encode)?;
    writer.finish().map_err(encode)?;
    Ok(out)
}

/// Writes every chart in every format to `dir` as `<stem>.<ext>`, each file atomically;
/// returns the paths written, in order.
pub fn write_charts(
    dir: &Path,
    charts: &[NamedChart],
    formats: &[ChartFormat],
) -> Result<Vec<PathBuf>, ChartError> {
    let mut written = Vec::new();
    for c in charts {
        for &format in formats {
            let bytes = match format {
                ChartFormat::Png => render_png(&c.chart, &c.stem)?,
                ChartFormat::Svg => render_svg(&c.chart, &c.stem)?.into_bytes(),
            };
            let path = dir.join(format!("{}.{}", c.stem, format.extension()));
            crate::report::write_bytes_atomically(&path, &bytes).map_err(|e| {
                ChartError::Write {
                    path: path.display().to_string(),
                    reason: e.to_string().to_lowercase(),
                }
            })?;
            written.push(path);
        }
    }
    Ok(written)
}

/// Text style of the given size in the bundled font.
pub(super) fn text(size: u32) -> TextStyle<'static> {
    (super::font::FAMILY, size)
        .into_font()
        .color(&super::palette::INK)
}

/// The chart's title drawn at the top of `root`; returns the area below it.
pub(super) fn titled<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
) -> Result<DrawingArea<DB, Shift>, DrawError>
where
    DB::ErrorType: 'static,
{
    Ok(root.titled(title, text(26))?)
}

/// Writes "no data" in the middle of `area` (a region or run without samples).
pub(super) fn no_data<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    what: &str,
) -> Result<(), DrawError>
where
    DB::ErrorType: 'static,
{
    let (w, h) = area.dim_in_pixel();
    area.draw(&Text::new(
        format!("{what}: no data"),
        (w as i32 / 2 - 80, h as i32 / 2),
        text(18),
    ))?;
    Ok(())
}

/// A finite `[lo, hi]` range around `values` with a little headroom; `(0, 1)` without values.
pub(super) fn padded_range(values: impl Iterator<Item = f64>, floor_zero: bool) -> (f64, f64) {
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    if floor_zero {
        lo = lo.min(0.0);
    }
    if hi - lo < 1e-9 {
        hi = lo + lo.abs().max(1.0);
    }
    (lo, hi + (hi - lo) * 0.08)
}

/// Hour of day as `HH:MM` (hours past 24 wrap to the next day).
pub(super) fn clock(hours: f64) -> String {
    let minutes = (hours * 60.0).round() as i64;
    let m = minutes.rem_euclid(24 * 60);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// A tick label without trailing zeros: `30000`, `2.5`, `0.25`.
pub(super) fn num(v: f64) -> String {
    let s = format!("{v:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// The shared look of a chart's axes: label sizes and light grid lines.
pub(super) fn styled_mesh<'m, 'a, 'b, X, Y, DB>(
    mesh: &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut plotters::chart::MeshStyle<'a, 'b, X, Y, DB>
where
    X: plotters::coord::ranged1d::Ranged,
    Y: plotters::coord::ranged1d::Ranged,
    DB: DrawingBackend,
{
    mesh.label_style(text(14))
        .axis_desc_style(text(15))
        .light_line_style(super::palette::GRID_LIGHT)
        .bold_line_style(super::palette::GRID)
}

/// Draws the legend box of `chart` at `position`.
pub(super) fn legend<'a, DB, CT>(
    chart: &mut ChartContext<'a, DB, CT>,
    position: SeriesLabelPosition,
) -> Result<(), DrawError>
where
    DB: DrawingBackend + 'a,
    DB::ErrorType: 'static,
    CT: plotters::coord::CoordTranslate,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.9))
        .border_style(super::palette::INK)
        .label_font(text(14))
        .draw()?;
    Ok(())
}

/// A legend swatch for a line drawn in `style`.
pub(super) fn line_swatch(style: ShapeStyle) -> impl Fn((i32, i32)) -> PathElement<(i32, i32)> {
    move |(x, y)| PathElement::new(vec![(x, y), (x + 26, y)], style)
}

/// The label of category `v` on an axis where category `i` sits at `i` (ticks between
/// categories get no label).
pub(super) fn category_label<T>(v: f64, items: &[T], label: impl Fn(&T) -> String) -> String {
    let i = v.round();
    if (v - i).abs() > 1e-6 || i < 0.0 {
        return String::new();
    }
    items.get(i as usize).map(label).unwrap_or_default()
}
