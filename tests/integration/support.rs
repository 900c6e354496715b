//! Shared helpers for the integration tests.

use std::path::PathBuf;

use meridian::catalog::Catalog;
use meridian::scenario::Scenario;

/// The embedded catalog; panics with the loader's message if it is broken.
pub fn catalog() -> Catalog {
    Catalog::embedded().expect("embedded catalog loads")
}

/// Path of a shipped scenario.
pub fn scenario_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("scenarios")
        .join(name)
}

/// File names of every shipped scenario, sorted.
pub fn shipped_names() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("scenarios/ exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    names.sort();
    names
}

/// Loads a shipped scenario by file name.
pub fn shipped(name: &str) -> Scenario {
    Scenario::from_file(&scenario_path(name), &catalog()).expect("shipped scenario is valid")
}

/// Parses an inline scenario.
pub fn inline(src: &str) -> Scenario {
    Scenario::from_toml(src, "inline.toml", &catalog()).unwrap_or_else(|e| panic!("{e}"))
}

/// Asserts `got` is within `rel` (relative) of `want`.
#[allow(dead_code)] // used by some test modules only
#[track_caller]
pub fn assert_close(got: f64, want: f64, rel: f64, what: &str) {
    let err = (got - want).abs() / want.abs();
    assert!(
        err <= rel,
        "{what}: got {got}, want {want} (relative error {err:.4} > {rel})"
    );
}
