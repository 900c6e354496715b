//! `meridian schema`: the JSON Schema of the documents meridian writes.

use clap::Args;

use super::CliError;
use crate::report;

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Print only the schema of this kind of document.
    #[arg(long, value_parser = ["run", "comparison"])]
    pub kind: Option<String>,
}

impl SchemaArgs {
    pub fn execute(&self) -> Result<String, CliError> {
        let all = report::schemas();
        let value = match &self.kind {
            Some(kind) => all[kind.as_str()].clone(),
            None => all,
        };
        let mut text = serde_json::to_string_pretty(&value).expect("a schema is plain JSON");
        text.push('\n');
        Ok(text)
    }
}
