//! Comparing topologies side by side (`meridian compare A.toml B.toml ...`).
//!
//! ```text
//!  scenarios ──run (same options)──▶ RunResults ──build──▶ ComparisonDocument ──render──▶ table
//!                                        │                    ▲                              markdown
//!                                        └── pairing: same ───┘ paired-t or Welch            json
//!                                            requests?            differences
//! ```
//!
//! * [`pairing`] decides whether the runs saw the same requests replication by replication
//!   (common random numbers), which makes their differences paired.
//! * [`difference`] computes one figure's difference with a paired Student-t or a Welch
//!   95 % interval.
//! * [`questions`] answers the seed's questions (latency under 100 ms, 99.99 % availability,
//!   residency, cost multiple) from measured values.
//! * [`document`] is the typed JSON document and its schema; [`build`] fills it from the runs.
//! * [`sections`] lays the document out as rows; [`render`] prints them.
//!
//! The first scenario is the reference: every difference and cost multiple is against it.

pub mod build;
pub mod difference;
pub mod document;
pub mod pairing;
pub mod questions;
pub mod render;
pub mod sections;

use std::sync::atomic::AtomicBool;

use rayon::prelude::*;

pub use document::{COMPARISON_SCHEMA_VERSION, ComparisonDocument, schema};
pub use pairing::{PAIRED_WHEN, Pairing};
pub use render::{Format, render};

use crate::metrics::MeanCi;
use crate::run::{Interrupted, RunOptions, RunResult, run_with_progress};
use crate::scenario::Scenario;

/// One finished run and the file it came from (as given, for the report).
#[derive(Debug, Clone)]
pub struct ComparedRun {
    pub file: String,
    pub result: RunResult,
}

/// Runs every scenario with the same options (in parallel, each on the shared rayon pool);
/// stops soon after `cancel` is set. Results are in the order given and do not depend on
/// which thread ran what.
pub fn run_all(
    scenarios: &[Scenario],
    options: RunOptions,
    cancel: &AtomicBool,
) -> Result<Vec<RunResult>, Interrupted> {
    run_all_with_progress(scenarios, options, cancel, &|| {})
}

/// Like [`run_all`], calling `replication_done` each time any replication of any scenario
/// finishes (for a progress bar; it cannot change the results).
pub fn run_all_with_progress(
    scenarios: &[Scenario],
    options: RunOptions,
    cancel: &AtomicBool,
    replication_done: &(dyn Fn() + Sync),
) -> Result<Vec<RunResult>, Interrupted> {
    scenarios
        .par_iter()
        .map(|s| run_with_progress(s, options, cancel, replication_done))
        .collect()
}

/// The comparison of `runs`, the first being the reference.
///
/// # Panics
/// If `runs` is empty.
pub fn compare(runs: &[ComparedRun]) -> ComparisonDocument {
    build::document(runs)
}

/// Rounds to `d` decimals so documents do not carry float noise (and never show −0).
fn round(x: f64, d: i32) -> f64 {
    let f = 10f64.powi(d);
    let r = (x * f).round() / f;
    if r == 0.0 { 0.0 } else { r }
}

fn mean_ci_doc(m: &MeanCi, d: i32) -> document::MeanCiDoc {
    document::MeanCiDoc {
        mean: round(m.mean, d),
        ci95: round(m.ci95, d),
        n: m.n,
    }
}
