//! Why two documents could not be compared. Every variant means "unusable input" (exit 2);
//! a regression is a result of the comparison, not an error.

use crate::scenario::Diagnostic;

/// Errors of `meridian check` before or instead of a verdict.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompareError {
    /// A document could not be read (missing, a directory, not UTF-8, ...).
    #[error("cannot read {path}: {reason}")]
    Read { path: String, reason: String },
    /// A document is not JSON.
    #[error("{path} is not JSON: {reason}")]
    Json { path: String, reason: String },
    /// A document is JSON but not a meridian document (or of a kind this build cannot
    /// compare).
    #[error("{path} is not a meridian result document: {reason}")]
    NotADocument { path: String, reason: String },
    /// The two documents describe different things, so their differences mean nothing.
    #[error("{0}")]
    NotComparable(Box<Mismatch>),
    /// The tolerance file could not be read.
    #[error("cannot read tolerance file {path}: {reason}")]
    ToleranceRead { path: String, reason: String },
    /// The tolerance file is not valid, or names fields that do not exist.
    #[error("invalid tolerance file: {0}")]
    Tolerance(Box<Diagnostic>),
}

/// Which identity field differs between two documents, and what to do about it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error(
    "{baseline} and {result} are not comparable: `{field}` differs (baseline {in_baseline}, result {in_result})\n  = help: {hint}"
)]
pub struct Mismatch {
    pub baseline: String,
    pub result: String,
    pub field: String,
    pub in_baseline: String,
    pub in_result: String,
    pub hint: String,
}

impl CompareError {
    /// Process exit code: always 2, unusable input.
    pub fn exit_code(&self) -> i32 {
        2
    }
}

/// An I/O error as a lowercase reason, the way the other commands print them.
pub(crate) fn io_reason(e: &std::io::Error) -> String {
    let s = e.to_string();
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => s,
    }
}
