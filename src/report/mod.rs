//! Rendering results: the terminal summary, the stable JSON document, CSV and the HTML
//! report. Collecting
//! (metrics) and rendering (here) stay apart.

mod atomic;
mod csv;
pub(crate) mod document;
pub mod html;
pub(crate) mod json;
mod table;

pub use atomic::{write_bytes_atomically, write_text_atomically};
pub use csv::{
    REGIONS_HEADER, TIMESERIES_HEADER, record as csv_record, regions_csv, timeseries_csv,
};
pub use document::{RunDocument, schemas};
pub use json::{SCHEMA_VERSION, run_document, run_document_typed, write_json_atomically};
pub use table::{SummaryTable, Table, run_summary, run_summary_markdown, summary_parts};
