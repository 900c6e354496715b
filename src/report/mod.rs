//! Rendering results: the terminal summary and the stable JSON document. Collecting
//! (metrics) and rendering (here) stay apart.

mod document;
mod json;
mod table;

pub use document::{RunDocument, schemas};
pub use json::{SCHEMA_VERSION, run_document, run_document_typed, write_json_atomically};
pub use table::{Table, run_summary};
