//! Errors from loading the catalog.
//!
//! Every message names the file; parse errors add `line:column`; validation errors add the entry
//! and field at fault and say what to change. Messages are lowercase so that `main` can prefix
//! them (`error: ...`).

use std::path::PathBuf;

/// Why a catalog could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CatalogError {
    /// A catalog file could not be read (missing, unreadable or not UTF-8).
    #[error(
        "cannot read catalog file {}: {source}; a catalog directory must hold regions.toml, rtt.toml, sites.toml, instances.toml, serving_profiles.toml and managed_models.toml",
        path.display()
    )]
    Read {
        /// The path that was tried.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: std::io::Error,
    },

    /// A file is not valid TOML, or its layout does not match (unknown, missing or mistyped field).
    #[error(
        "{file}:{line}:{column}: {message}; fix the TOML at that position (the expected fields are described at the top of the shipped file in models/)"
    )]
    Parse {
        /// File label: the path, or `models/<name>` for the embedded catalog.
        file: String,
        /// 1-based line of the offending token (1 when the parser gave no position).
        line: usize,
        /// 1-based column, in characters (1 when the parser gave no position).
        column: usize,
        /// The parser's description of the problem.
        message: String,
    },

    /// A field holds a value outside its allowed range or format.
    #[error("{file}: {entry}: `{field}` {problem}")]
    Invalid {
        /// File label.
        file: String,
        /// Which entry, e.g. ``site `new-york` ``.
        entry: String,
        /// Which field of the entry, e.g. `lat_deg`.
        field: String,
        /// What is wrong and what to change, e.g. `is 95, outside [-90, 90] ...`.
        problem: String,
    },

    /// Two entries of one kind share a name that must be unique.
    #[error("{file}: {kind} `{name}` is defined more than once; keep one definition or rename one")]
    Duplicate {
        /// File label.
        file: String,
        /// What kind of entry, e.g. `site`.
        kind: &'static str,
        /// The repeated name.
        name: String,
    },

    /// An entry names a region, instance type or other item that the catalog does not define.
    #[error(
        "{file}: {entry}: `{field}` names unknown {kind} `{name}`; define it in {} or fix the spelling",
        kind.defined_in()
    )]
    UnknownReference {
        /// File label.
        file: String,
        /// Which entry holds the reference.
        entry: String,
        /// Which field holds the reference.
        field: String,
        /// What kind of item was expected.
        kind: ItemKind,
        /// The name that was not found.
        name: String,
    },
}

/// Kinds of catalog items that other entries refer to by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ItemKind {
    /// A region code from `regions.toml`.
    Region,
    /// An instance type name from `instances.toml`.
    InstanceType,
}

impl ItemKind {
    /// The catalog file that defines items of this kind.
    pub fn defined_in(self) -> &'static str {
        match self {
            ItemKind::Region => "regions.toml",
            ItemKind::InstanceType => "instances.toml",
        }
    }
}

impl std::fmt::Display for ItemKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            ItemKind::Region => "region",
            ItemKind::InstanceType => "instance type",
        })
    }
}
