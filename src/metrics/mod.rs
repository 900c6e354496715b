//! Streaming, mergeable statistics: nothing here stores individual requests.
//!
//! [`LatencyHistogram`] keeps latencies with ≤ 1 % relative error in fixed memory;
//! [`TimeWeightedSeries`] keeps time averages per bucket; [`Outcomes`] counts what happened
//! to every request. All merge across replications in a fixed order, so merged results are
//! identical whatever the number of threads.

mod cells;
mod histogram;
mod outcomes;
mod replication;
mod stats;
mod success;
mod timelines;
mod timeseries;

pub use cells::{Cell, CellGrid};
pub use histogram::LatencyHistogram;
pub use outcomes::Outcomes;
pub use replication::{
    ContinentMetrics, FaultObservation, LatencySet, RegionMetrics, ReplicationMetrics,
};
pub use stats::{MeanCi, mean_ci95};
pub use success::{SUCCESS_BUCKET, SuccessSeries};
pub use timelines::{LatencyTimeline, Timelines};
pub use timeseries::TimeWeightedSeries;
