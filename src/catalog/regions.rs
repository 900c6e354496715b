//! `regions.toml`: the AWS regions a deployment can use.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::check::{At, empty_list, entry_label, parse_toml};
use super::{CatalogError, Region};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegionsFile {
    regions: Vec<RawRegion>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegion {
    code: String,
    name: String,
    city: String,
    country: String,
    lat_deg: f64,
    lon_deg: f64,
    geography: String,
}

/// Parses and checks `regions.toml`; the map is keyed by region code.
pub(super) fn parse_regions(
    file: &str,
    text: &str,
) -> Result<BTreeMap<String, Region>, CatalogError> {
    let raw: RawRegionsFile = parse_toml(file, text)?;
    if raw.regions.is_empty() {
        return Err(empty_list(file, "regions", "region"));
    }
    let mut regions = BTreeMap::new();
    for (index, r) in raw.regions.into_iter().enumerate() {
        let at = At {
            file,
            entry: entry_label("region", index, &r.code),
        };
        let region = Region {
            code: at.identifier("code", &r.code)?,
            name: at.non_empty("name", &r.name)?,
            city: at.non_empty("city", &r.city)?,
            country: at.non_empty("country", &r.country)?,
            lat_deg: at.latitude(r.lat_deg)?,
            lon_deg: at.longitude(r.lon_deg)?,
            geography: at.non_empty("geography", &r.geography)?,
        };
        if regions.contains_key(&region.code) {
            return Err(CatalogError::Duplicate {
                file: file.to_owned(),
                kind: "region",
                name: region.code,
            });
        }
        regions.insert(region.code.clone(), region);
    }
    Ok(regions)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"regions = [
  { code = "us-east-1", name = "US East (N. Virginia)", city = "Ashburn", country = "United States", lat_deg = 39.0458, lon_deg = -77.4874, geography = "US" },
]"#;

    #[test]
    fn parses_a_region() {
        let regions = parse_regions("regions.toml", ONE).expect("valid");
        let r = &regions["us-east-1"];
        assert_eq!(r.city, "Ashburn");
        assert_eq!(r.geography, "US");
        assert!((r.lon_deg - -77.4874).abs() < 1e-12);
    }

    #[test]
    fn longitude_out_of_range_names_the_field() {
        let text = ONE.replace("-77.4874", "-200.0");
        let err = parse_regions("regions.toml", &text).expect_err("invalid");
        assert!(matches!(err, CatalogError::Invalid { ref field, .. } if field == "lon_deg"));
        let msg = err.to_string();
        assert!(
            msg.contains("regions.toml") && msg.contains("us-east-1"),
            "{msg}"
        );
    }

    #[test]
    fn duplicate_code_is_rejected() {
        let line = ONE.lines().nth(1).expect("line");
        let text = format!("regions = [\n{line}\n{line}\n]");
        let err = parse_regions("regions.toml", &text).expect_err("duplicate");
        assert!(matches!(
            err,
            CatalogError::Duplicate { kind: "region", .. }
        ));
    }

    #[test]
    fn unknown_field_is_a_parse_error_with_position() {
        let text = ONE.replace("geography = \"US\"", "geography = \"US\", zone = 1");
        let err = parse_regions("regions.toml", &text).expect_err("unknown field");
        match err {
            CatalogError::Parse { line, message, .. } => {
                assert_eq!(line, 2);
                assert!(message.contains("zone"), "{message}");
            }
            other => panic!("expected Parse, got {other:?}"),
        }
    }
}
