//! `instances.toml`: GPU/Inferentia instance types and their hourly prices per region.
//!
//! The file holds only measured prices plus the per-region median price multipliers. Gaps are
//! filled here, in one place, as `us-east-1 price × region multiplier` and marked
//! [`PriceOrigin::DerivedFromMultiplier`], so a reader can always tell a published price from an
//! estimate. A region with neither gets no price: the type cannot be placed there.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::check::{At, entry_label, parse_toml};
use super::error::ItemKind;
use super::{CatalogError, InstancePrice, InstanceType, PriceOrigin, Region};

/// The region the multipliers are relative to (they are ratios to its price).
const BASE_PRICE_REGION: &str = "us-east-1";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstancesFile {
    /// Region code → median ratio of its GPU prices to `us-east-1`.
    region_price_multipliers: BTreeMap<String, f64>,
    instance_type: Vec<RawInstanceType>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInstanceType {
    name: String,
    accelerator: String,
    accelerator_count: u32,
    /// Region code → published on-demand price, USD per hour.
    measured_usd_per_hour: BTreeMap<String, f64>,
}

/// Parses and checks `instances.toml` and derives the missing regional prices; the map is keyed
/// by instance type name.
pub(super) fn parse_instance_types(
    file: &str,
    text: &str,
    regions: &BTreeMap<String, Region>,
) -> Result<BTreeMap<String, InstanceType>, CatalogError> {
    let raw: RawInstancesFile = parse_toml(file, text)?;
    let multipliers = check_multipliers(file, &raw.region_price_multipliers, regions)?;
    let mut types = BTreeMap::new();
    for (index, t) in raw.instance_type.into_iter().enumerate() {
        let at = At {
            file,
            entry: entry_label("instance type", index, &t.name),
        };
        let name = at.token("name", &t.name)?;
        let accelerator = at.non_empty("accelerator", &t.accelerator)?;
        if t.accelerator_count == 0 {
            return Err(at.invalid("accelerator_count", "is 0; it must be at least 1"));
        }
        let mut prices = BTreeMap::new();
        for (region, &usd_per_hour) in &t.measured_usd_per_hour {
            let field = format!("measured_usd_per_hour.{region}");
            if !regions.contains_key(region) {
                return Err(at.unknown(&field, ItemKind::Region, region));
            }
            let price = InstancePrice {
                usd_per_hour: at.positive(&field, usd_per_hour)?,
                origin: PriceOrigin::Measured,
            };
            prices.insert(region.clone(), price);
        }
        fill_derived_prices(&mut prices, &multipliers, regions);
        if types.contains_key(&name) {
            return Err(CatalogError::Duplicate {
                file: file.to_owned(),
                kind: "instance type",
                name,
            });
        }
        let instance = InstanceType {
            name: name.clone(),
            accelerator,
            accelerator_count: t.accelerator_count,
            prices,
        };
        types.insert(name, instance);
    }
    Ok(types)
}

fn check_multipliers(
    file: &str,
    raw: &BTreeMap<String, f64>,
    regions: &BTreeMap<String, Region>,
) -> Result<BTreeMap<String, f64>, CatalogError> {
    let at = At {
        file,
        entry: "region_price_multipliers".to_owned(),
    };
    raw.iter()
        .map(|(region, &multiplier)| {
            if !regions.contains_key(region) {
                return Err(at.unknown(region, ItemKind::Region, region));
            }
            Ok((region.clone(), at.positive(region, multiplier)?))
        })
        .collect()
}

/// Adds a derived price for every catalog region that has no measured price but has a
/// multiplier, when the type has a measured base-region price to scale.
fn fill_derived_prices(
    prices: &mut BTreeMap<String, InstancePrice>,
    multipliers: &BTreeMap<String, f64>,
    regions: &BTreeMap<String, Region>,
) {
    let Some(base) = prices.get(BASE_PRICE_REGION).map(|p| p.usd_per_hour) else {
        return;
    };
    for code in regions.keys() {
        if prices.contains_key(code) {
            continue;
        }
        if let Some(&multiplier) = multipliers.get(code) {
            // Rounded to 1e-6 USD so that reports and JSON show e.g. 1.7574, not 1.7574000000000001.
            let usd_per_hour = (base * multiplier * 1e6).round() / 1e6;
            let price = InstancePrice {
                usd_per_hour,
                origin: PriceOrigin::DerivedFromMultiplier,
            };
            prices.insert(code.clone(), price);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::check::test_regions as regions;
    use super::*;

    const SAMPLE: &str = r#"
[region_price_multipliers]
us-east-1 = 1.0
ap-northeast-1 = 1.45

[[instance_type]]
name = "g5.2xlarge"
accelerator = "A10G"
accelerator_count = 1
[instance_type.measured_usd_per_hour]
us-east-1 = 1.212
"#;

    #[test]
    fn measured_kept_derived_filled_and_unpriceable_region_left_out() {
        let regions = regions(&["us-east-1", "ap-northeast-1", "sa-east-1"]);
        let types = parse_instance_types("instances.toml", SAMPLE, &regions).expect("valid");
        let prices = &types["g5.2xlarge"].prices;
        assert_eq!(
            prices["us-east-1"],
            InstancePrice {
                usd_per_hour: 1.212,
                origin: PriceOrigin::Measured
            }
        );
        assert_eq!(
            prices["ap-northeast-1"].origin,
            PriceOrigin::DerivedFromMultiplier
        );
        assert!((prices["ap-northeast-1"].usd_per_hour - 1.7574).abs() < 1e-9);
        assert!(!prices.contains_key("sa-east-1"));
    }

    #[test]
    fn price_in_unknown_region_is_an_unknown_reference() {
        let text = SAMPLE.replace("us-east-1 = 1.212", "us-east-1 = 1.212\nmars-1 = 2.0");
        let regions = regions(&["us-east-1", "ap-northeast-1"]);
        let err = parse_instance_types("instances.toml", &text, &regions).expect_err("unknown");
        assert!(matches!(err, CatalogError::UnknownReference { ref name, .. } if name == "mars-1"));
    }

    #[test]
    fn zero_price_is_rejected() {
        let text = SAMPLE.replace("us-east-1 = 1.212", "us-east-1 = 0.0");
        let regions = regions(&["us-east-1", "ap-northeast-1"]);
        let err = parse_instance_types("instances.toml", &text, &regions).expect_err("zero");
        assert!(
            err.to_string().contains("measured_usd_per_hour.us-east-1"),
            "{err}"
        );
    }

    #[test]
    fn zero_accelerators_is_rejected() {
        let text = SAMPLE.replace("accelerator_count = 1", "accelerator_count = 0");
        let regions = regions(&["us-east-1", "ap-northeast-1"]);
        let err = parse_instance_types("instances.toml", &text, &regions).expect_err("zero");
        assert!(
            matches!(err, CatalogError::Invalid { ref field, .. } if field == "accelerator_count")
        );
    }
}
