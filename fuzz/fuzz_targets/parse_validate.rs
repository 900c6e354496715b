//! Scenario parsing and validation must never panic, whatever the bytes: every input ends
//! in `Ok(Scenario)` or a `ScenarioError` whose rendering (line, column, caret — slicing
//! the source by spans) also must not panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use meridian::catalog::Catalog;
use meridian::scenario::Scenario;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::embedded().expect("embedded catalog loads"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = std::str::from_utf8(data) else {
        return;
    };
    match Scenario::from_toml(src, "fuzz.toml", catalog()) {
        Ok(s) => {
            // Cheap derived values must be well defined for any accepted scenario.
            let expected = s.expected_requests_per_replication();
            assert!(expected.is_finite() && expected > 0.0, "{expected}");
            assert!(!s.deployments.is_empty());
            assert!(!s.traffic.sites.is_empty());
            let shares: f64 = s.traffic.sites.iter().map(|u| u.share).sum();
            assert!((shares - 1.0).abs() < 1e-9, "site shares sum to {shares}");
        }
        Err(e) => {
            let shown = e.to_string();
            assert!(!shown.is_empty());
            if let Some(d) = e.diagnostic() {
                let _ = d.to_string();
            }
        }
    }
});
