//! `sites.toml`: user metro areas with their default traffic shares.
//!
//! Shares are relative weights. They are checked to be positive but not to sum to 1, because a
//! catalog copy may carry unnormalised weights; scenarios normalise them. The shipped file sums
//! to 1 (a test pins that).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::check::{At, empty_list, entry_label, parse_toml};
use super::{CatalogError, Continent, Site};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSitesFile {
    sites: Vec<RawSite>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSite {
    name: String,
    country: String,
    continent: String,
    lat_deg: f64,
    lon_deg: f64,
    utc_offset_hours: f64,
    traffic_share: f64,
}

/// Parses and checks `sites.toml`; the map is keyed by site name.
pub(super) fn parse_sites(file: &str, text: &str) -> Result<BTreeMap<String, Site>, CatalogError> {
    let raw: RawSitesFile = parse_toml(file, text)?;
    if raw.sites.is_empty() {
        return Err(empty_list(file, "sites", "site"));
    }
    let mut sites = BTreeMap::new();
    for (index, s) in raw.sites.into_iter().enumerate() {
        let at = At {
            file,
            entry: entry_label("site", index, &s.name),
        };
        let continent = Continent::from_code(&s.continent).ok_or_else(|| {
            at.invalid(
                "continent",
                format!("is `{}`; use one of NA, SA, EU, AS, OC, AF", s.continent),
            )
        })?;
        let utc_offset_hours = at.in_range(
            "utc_offset_hours",
            s.utc_offset_hours,
            (-12.0, 14.0),
            "give the standard-time offset from UTC in hours",
        )?;
        // Real offsets are whole, half or quarter hours; anything else is a typo.
        if (utc_offset_hours * 4.0).fract() != 0.0 {
            return Err(at.invalid(
                "utc_offset_hours",
                format!("is {utc_offset_hours}; use a multiple of 0.25 hours (e.g. 5.5 for India)"),
            ));
        }
        let site = Site {
            name: at.identifier("name", &s.name)?,
            country: at.non_empty("country", &s.country)?,
            continent,
            lat_deg: at.latitude(s.lat_deg)?,
            lon_deg: at.longitude(s.lon_deg)?,
            utc_offset_hours,
            traffic_share: at.positive("traffic_share", s.traffic_share)?,
        };
        if sites.contains_key(&site.name) {
            return Err(CatalogError::Duplicate {
                file: file.to_owned(),
                kind: "site",
                name: site.name,
            });
        }
        sites.insert(site.name.clone(), site);
    }
    Ok(sites)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"sites = [
  { name = "new-york", country = "United States", continent = "NA", lat_deg = 40.7128, lon_deg = -74.0060, utc_offset_hours = -5.0, traffic_share = 0.05 },
]"#;

    #[test]
    fn parses_a_site() {
        let sites = parse_sites("sites.toml", ONE).expect("valid");
        let s = &sites["new-york"];
        assert_eq!(s.continent, Continent::NorthAmerica);
        assert_eq!(s.utc_offset_hours, -5.0);
    }

    #[test]
    fn unknown_continent_code_lists_the_valid_ones() {
        let text = ONE.replace("\"NA\"", "\"XX\"");
        let err = parse_sites("sites.toml", &text).expect_err("bad continent");
        assert!(err.to_string().contains("NA, SA, EU, AS, OC, AF"), "{err}");
    }

    #[test]
    fn zero_share_is_rejected() {
        let text = ONE.replace("0.05", "0.0");
        let err = parse_sites("sites.toml", &text).expect_err("zero share");
        assert!(matches!(err, CatalogError::Invalid { ref field, .. } if field == "traffic_share"));
    }

    #[test]
    fn odd_utc_offset_is_rejected() {
        let text = ONE.replace("-5.0", "-5.3");
        let err = parse_sites("sites.toml", &text).expect_err("odd offset");
        assert!(err.to_string().contains("0.25"), "{err}");
    }

    #[test]
    fn upper_case_name_is_rejected() {
        let text = ONE.replace("\"new-york\"", "\"New York\"");
        let err = parse_sites("sites.toml", &text).expect_err("bad name");
        assert!(matches!(err, CatalogError::Invalid { ref field, .. } if field == "name"));
    }
}
