//! Charts of runs, comparisons and capacity plans, drawn with plotters as PNG or SVG.
//!
//! ```text
//!  RunResult / ComparedRun ──from_run──▶ chart data (plain structs) ──draw──▶ PNG / SVG bytes
//!  PlanDocument ─────────────────────from_plan──▲
//! ```
//!
//! Each chart is a plain data struct in its own file ([`LatencyCdf`], [`LatencyOverDay`],
//! [`LoadCapacity`], [`CapacityHeatmap`], [`CostBreakdown`], [`FailoverTimeline`],
//! [`WorldMap`]) implementing [`Chart`]; [`from_run`] fills them from simulation results,
//! [`from_plan`] from a plan document, and anything else can fill them from its own figures. Text is
//! drawn with the bundled DejaVu Sans ([`font`]), so rendering never depends on the fonts
//! installed on the machine, and colours come from the Okabe-Ito palette ([`palette`]).

mod cdf;
mod cost;
mod failover;
pub mod font;
pub mod from_plan;
pub mod from_run;
mod heatmap;
mod load;
mod over_day;
pub mod palette;
mod render;
mod world_map;

pub use cdf::LatencyCdf;
pub use cost::{CostBar, CostBreakdown, CostSegment};
pub use failover::{FailoverMarker, FailoverTimeline};
pub use heatmap::CapacityHeatmap;
pub use load::{LoadCapacity, RegionLoad};
pub use over_day::{LatencyOverDay, RegionPercentiles};
pub use render::{
    AnyChart, Chart, ChartError, ChartFormat, DrawError, NamedChart, render_png, render_svg,
    write_charts,
};

/// Charts with their file stems, in the order they are written and shown.
pub type AnyChartList = Vec<NamedChart>;
pub use world_map::{MapRegion, MapSite, WorldMap};

/// A named line: `(x, y)` points in the chart's units.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Shown in the legend (a region code, a topology name).
    pub name: String,
    pub points: Vec<(f64, f64)>,
}
