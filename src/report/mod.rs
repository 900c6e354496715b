//! Rendering results: the terminal summary and the stable JSON document. Collecting
//! (metrics) and rendering (here) stay apart.

mod json;
mod table;

pub use json::{SCHEMA_VERSION, run_document, write_json_atomically};
pub use table::{Table, run_summary};
