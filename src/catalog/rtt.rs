//! `rtt.toml`: the measured inter-region RTT matrix.
//!
//! The file keeps the measurement as it is, directed (row = from, column = to). Callers get a
//! symmetric value, the mean of both directions: the two directions differ by a median of 1.3 ms
//! (at most 12 ms), below what a request-level model can use, and a symmetric lookup keeps
//! "latency from A to B" and "from B to A" from disagreeing in reports.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::check::{At, empty_list, parse_toml};
use super::error::ItemKind;
use super::{CatalogError, Region};

/// Measured p50 round-trip times between regions, in ms.
#[derive(Debug, Clone, PartialEq)]
pub struct RttMatrix {
    /// Region code → row/column index into `directed_ms`.
    index: BTreeMap<String, usize>,
    /// Row-major `n × n` directed RTTs: `directed_ms[from * n + to]`.
    directed_ms: Vec<f64>,
}

impl RttMatrix {
    /// Symmetrised p50 RTT in ms between two region codes (mean of both directions); the
    /// intra-region value when a == b; None if either code is not in the matrix.
    pub fn rtt_ms(&self, a: &str, b: &str) -> Option<f64> {
        let i = *self.index.get(a)?;
        let j = *self.index.get(b)?;
        if i == j {
            self.directed(i, i)
        } else {
            Some((self.directed(i, j)? + self.directed(j, i)?) / 2.0)
        }
    }

    /// Region codes that have RTT data, in sorted order.
    pub fn region_codes(&self) -> impl Iterator<Item = &str> {
        self.index.keys().map(String::as_str)
    }

    fn directed(&self, from: usize, to: usize) -> Option<f64> {
        let n = self.index.len();
        self.directed_ms.get(from * n + to).copied()
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRttFile {
    /// Column order of every row.
    to_regions: Vec<String>,
    /// Row per source region.
    rtt_p50_ms: BTreeMap<String, Vec<f64>>,
}

/// Parses and checks `rtt.toml`: a square matrix over unique codes that all exist in
/// `regions`, with finite positive values.
pub(super) fn parse_rtt(
    file: &str,
    text: &str,
    regions: &BTreeMap<String, Region>,
) -> Result<RttMatrix, CatalogError> {
    let raw: RawRttFile = parse_toml(file, text)?;
    if raw.to_regions.is_empty() {
        return Err(empty_list(file, "to_regions", "region code"));
    }
    let n = raw.to_regions.len();
    let mut index = BTreeMap::new();
    for (position, code) in raw.to_regions.iter().enumerate() {
        let at = At {
            file,
            entry: "to_regions".to_owned(),
        };
        if !regions.contains_key(code) {
            return Err(at.unknown("to_regions", ItemKind::Region, code));
        }
        if index.insert(code.clone(), position).is_some() {
            return Err(CatalogError::Duplicate {
                file: file.to_owned(),
                kind: "column region",
                name: code.clone(),
            });
        }
    }
    for from in raw.rtt_p50_ms.keys() {
        if !index.contains_key(from) {
            let at = At {
                file,
                entry: format!("row `{from}`"),
            };
            return Err(at.invalid(
                "rtt_p50_ms",
                format!("has a row for `{from}`, which is not listed in `to_regions`; add it there or drop the row"),
            ));
        }
    }
    let mut directed_ms = vec![0.0; n * n];
    for (from_position, from) in raw.to_regions.iter().enumerate() {
        let at = At {
            file,
            entry: format!("row `{from}`"),
        };
        let Some(row) = raw.rtt_p50_ms.get(from) else {
            return Err(at.invalid(
                "rtt_p50_ms",
                format!("has no row for `{from}`, which `to_regions` lists; every listed region needs a row"),
            ));
        };
        if row.len() != n {
            return Err(at.invalid(
                "rtt_p50_ms",
                format!(
                    "has {} values; it needs {n}, one per entry of `to_regions`, in that order",
                    row.len()
                ),
            ));
        }
        for (to_position, &value) in row.iter().enumerate() {
            let field = format!("rtt_p50_ms to {}", raw.to_regions[to_position]);
            directed_ms[from_position * n + to_position] = at.positive(&field, value)?;
        }
    }
    Ok(RttMatrix { index, directed_ms })
}

#[cfg(test)]
mod tests {
    use super::super::check::test_regions as regions;
    use super::*;

    const TWO: &str = r#"
to_regions = ["a-1", "b-1"]
[rtt_p50_ms]
a-1 = [3.0, 10.0]
b-1 = [14.0, 4.0]
"#;

    #[test]
    fn lookup_is_symmetric_mean_and_diagonal_is_intra_region() {
        let m = parse_rtt("rtt.toml", TWO, &regions(&["a-1", "b-1"])).expect("valid");
        assert_eq!(m.rtt_ms("a-1", "b-1"), Some(12.0));
        assert_eq!(m.rtt_ms("b-1", "a-1"), Some(12.0));
        assert_eq!(m.rtt_ms("a-1", "a-1"), Some(3.0));
        assert_eq!(m.rtt_ms("b-1", "b-1"), Some(4.0));
        assert_eq!(m.rtt_ms("a-1", "zz-1"), None);
        assert_eq!(m.region_codes().collect::<Vec<_>>(), ["a-1", "b-1"]);
    }

    #[test]
    fn short_row_is_rejected() {
        let text = TWO.replace("[14.0, 4.0]", "[14.0]");
        let err = parse_rtt("rtt.toml", &text, &regions(&["a-1", "b-1"])).expect_err("short");
        assert!(err.to_string().contains("needs 2"), "{err}");
    }

    #[test]
    fn missing_row_is_rejected() {
        let text = TWO.replace("b-1 = [14.0, 4.0]\n", "");
        let err = parse_rtt("rtt.toml", &text, &regions(&["a-1", "b-1"])).expect_err("missing");
        assert!(err.to_string().contains("no row for `b-1`"), "{err}");
    }

    #[test]
    fn code_not_in_regions_is_an_unknown_reference() {
        let err = parse_rtt("rtt.toml", TWO, &regions(&["a-1"])).expect_err("unknown");
        assert!(matches!(err, CatalogError::UnknownReference { ref name, .. } if name == "b-1"));
    }

    #[test]
    fn non_positive_value_is_rejected() {
        let text = TWO.replace("10.0", "-1.0");
        let err = parse_rtt("rtt.toml", &text, &regions(&["a-1", "b-1"])).expect_err("negative");
        assert!(matches!(err, CatalogError::Invalid { .. }), "{err}");
    }
}
