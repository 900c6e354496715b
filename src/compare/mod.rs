//! Regression checking: compare a result document against a baseline, field by field.
//!
//! ```text
//!  result.json ──┐                      ┌─ Tolerances (built-in classes, tolerance file)
//!                ├─ Document ─ compare ─┤
//!  baseline.json ┘   (identity)         └─▶ Comparison ──render──▶ table | json | markdown
//! ```
//!
//! * [`document`] loads a document and refuses pairs that describe different things (schema,
//!   kind, scenario hash, seed).
//! * [`path`] names values (`latency.e2e.p99_ms`) and matches tolerance patterns
//!   (`regions.*.utilisation_mean`).
//! * [`classes`] holds the built-in defaults: a field's class (by its unit suffix), its
//!   tolerance, and which way is worse.
//! * [`tolerance`] is one tolerance (`"5%"`, `0.02`, `"5% or 1"`, `"exact"`, ...).
//! * [`config`] reads a tolerance file and picks the rule for each field.
//! * [`walk`] pairs the two JSON trees; [`judge`] decides each pair.
//! * [`render`] prints the outcome.

pub mod classes;
pub mod config;
pub mod document;
mod error;
pub mod judge;
pub mod path;
pub mod render;
pub mod tolerance;
mod walk;

use std::path::Path;

pub use classes::{Class, Direction};
pub use config::Tolerances;
pub use document::{Document, DocumentKind};
pub use error::{CompareError, Mismatch};
pub use judge::{Difference, Verdict};
pub use render::{Format, render};
pub use tolerance::Tolerance;
pub use walk::Tally;

use path::FieldPath;
use walk::Walk;

/// The outcome of comparing a result with its baseline.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// How the user named the two files.
    pub baseline: String,
    pub result: String,
    pub kind: DocumentKind,
    pub schema_version: u64,
    /// The scenario's name, if the documents have one.
    pub scenario: Option<String>,
    /// The identity fields shared by both documents, e.g. (`scenario.seed`, `42`).
    pub identity: Vec<(&'static str, serde_json::Value)>,
    pub tally: Tally,
    /// Everything beyond tolerance (and `info` fields that moved): failures first
    /// (worse, changed), then better, not significant, info; in document order within each.
    pub differences: Vec<Difference>,
}

impl Comparison {
    /// How many differences have `verdict`.
    pub fn count(&self, verdict: Verdict) -> usize {
        self.differences
            .iter()
            .filter(|d| d.verdict == verdict)
            .count()
    }

    /// Differences that fail the check.
    pub fn regressions(&self) -> usize {
        self.differences
            .iter()
            .filter(|d| d.verdict.fails())
            .count()
    }

    /// Whether the result is within tolerance of the baseline.
    pub fn passed(&self) -> bool {
        self.regressions() == 0
    }
}

/// Compares `result` against `baseline` under `tolerances`.
pub fn compare(
    baseline: &Document,
    result: &Document,
    tolerances: &Tolerances,
) -> Result<Comparison, CompareError> {
    baseline.check_comparable(result)?;
    let mut walk = Walk::new(tolerances);
    walk.walk(
        &FieldPath::default(),
        Some(&baseline.value),
        Some(&result.value),
        None,
    );
    let fields: Vec<Vec<String>> = walk.fields.into_iter().collect();
    let containers: Vec<Vec<String>> = walk.containers.into_iter().collect();
    tolerances.check_all_used(&fields, &containers)?;
    let mut differences = walk.differences;
    // Stable: document order within each verdict.
    differences.sort_by_key(|d| d.verdict);
    Ok(Comparison {
        baseline: baseline.label.clone(),
        result: result.label.clone(),
        kind: baseline.kind,
        schema_version: baseline.schema_version,
        scenario: baseline.scenario_name().map(str::to_string),
        identity: baseline.identity(),
        tally: walk.tally,
        differences,
    })
}

/// Loads the three files and compares: the result, the baseline and, optionally, a
/// tolerance file.
pub fn compare_files(
    result: &Path,
    baseline: &Path,
    tolerance: Option<&Path>,
) -> Result<Comparison, CompareError> {
    let result = Document::load(result)?;
    let baseline = Document::load(baseline)?;
    let tolerances = match tolerance {
        Some(p) => Tolerances::load(p)?,
        None => Tolerances::builtin(),
    };
    compare(&baseline, &result, &tolerances)
}
