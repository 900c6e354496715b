//! Real workloads: request traces read from CSV, their statistics, and fitted token-length
//! distributions.
//!
//! A trace is a list of requests with an arrival timestamp and prompt/output token counts
//! (the Azure LLM inference trace 2023 format loads as is; other column names are mapped
//! with [`TraceColumns`]). [`Trace::load`] checks every row and refuses bad input with a
//! [`TraceError`] naming the file and the row: nothing downstream sees an unchecked row.
//! [`stats`] measures a trace (rate, burstiness, token percentiles) and fits log-normal
//! token distributions that a scenario can use as a synthetic mix.

pub mod stats;
mod timestamp;
mod trace;

pub use timestamp::parse_timestamp_ns;
pub use trace::{Trace, TraceColumns, TraceError};
