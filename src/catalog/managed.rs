//! `managed_models.toml`: managed model APIs (Bedrock style) with per-region token prices and
//! default quotas.
//!
//! The file groups regions that share a price (`[[model.price]] regions = [...]`) and names
//! the source rows of each group; here the groups are flattened into per-region maps. A region
//! may appear in only one group per model, so no price silently overrides another.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::check::{At, entry_label, parse_toml};
use super::error::ItemKind;
use super::{CatalogError, ManagedModel, Region};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManagedFile {
    model: Vec<RawManagedModel>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawManagedModel {
    name: String,
    model_id: String,
    default_rpm_quota: u64,
    default_tpm_quota: u64,
    /// Where the quota numbers come from and how confident they are (documentation only).
    quota_source: String,
    price: Vec<RawPrice>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPrice {
    regions: Vec<String>,
    input_usd_per_1m_tokens: f64,
    output_usd_per_1m_tokens: f64,
    /// Which source rows give this price (documentation only).
    source: String,
}

/// Parses and checks `managed_models.toml`; the map is keyed by model name.
pub(super) fn parse_managed_models(
    file: &str,
    text: &str,
    regions: &BTreeMap<String, Region>,
) -> Result<BTreeMap<String, ManagedModel>, CatalogError> {
    let raw: RawManagedFile = parse_toml(file, text)?;
    let mut models = BTreeMap::new();
    for (index, m) in raw.model.into_iter().enumerate() {
        let at = At {
            file,
            entry: entry_label("model", index, &m.name),
        };
        let name = at.identifier("name", &m.name)?;
        let model_id = at.non_empty("model_id", &m.model_id)?;
        at.non_empty("quota_source", &m.quota_source)?;
        if m.default_rpm_quota == 0 {
            return Err(at.invalid("default_rpm_quota", "is 0; give requests per minute >= 1"));
        }
        if m.default_tpm_quota == 0 {
            return Err(at.invalid("default_tpm_quota", "is 0; give tokens per minute >= 1"));
        }
        if m.price.is_empty() {
            return Err(at.invalid("price", "is empty; give at least one [[model.price]] group"));
        }
        let mut input_usd_per_1m_tokens = BTreeMap::new();
        let mut output_usd_per_1m_tokens = BTreeMap::new();
        for (group, price) in m.price.iter().enumerate() {
            let field = |name: &str| format!("price[{group}].{name}");
            if price.regions.is_empty() {
                return Err(at.invalid(
                    &field("regions"),
                    "is empty; list the regions this price applies to",
                ));
            }
            at.non_empty(&field("source"), &price.source)?;
            let input = at.positive(
                &field("input_usd_per_1m_tokens"),
                price.input_usd_per_1m_tokens,
            )?;
            let output = at.positive(
                &field("output_usd_per_1m_tokens"),
                price.output_usd_per_1m_tokens,
            )?;
            for region in &price.regions {
                if !regions.contains_key(region) {
                    return Err(at.unknown(&field("regions"), ItemKind::Region, region));
                }
                if input_usd_per_1m_tokens
                    .insert(region.clone(), input)
                    .is_some()
                {
                    return Err(at.invalid(
                        &field("regions"),
                        format!("lists `{region}`, which already has a price for this model; give each region one price"),
                    ));
                }
                output_usd_per_1m_tokens.insert(region.clone(), output);
            }
        }
        if models.contains_key(&name) {
            return Err(CatalogError::Duplicate {
                file: file.to_owned(),
                kind: "managed model",
                name,
            });
        }
        let model = ManagedModel {
            name: name.clone(),
            model_id,
            input_usd_per_1m_tokens,
            output_usd_per_1m_tokens,
            default_rpm_quota: m.default_rpm_quota,
            default_tpm_quota: m.default_tpm_quota,
        };
        models.insert(name, model);
    }
    Ok(models)
}

#[cfg(test)]
mod tests {
    use super::super::check::test_regions;
    use super::*;

    const ONE: &str = r#"
[[model]]
name = "claude-3-5-sonnet"
model_id = "anthropic.claude-3-5-sonnet-20241022-v2:0"
default_rpm_quota = 50
default_tpm_quota = 400000
quota_source = "test"

[[model.price]]
regions = ["us-east-1", "us-west-2"]
input_usd_per_1m_tokens = 3.0
output_usd_per_1m_tokens = 15.0
source = "test"

[[model.price]]
regions = ["eu-west-1"]
input_usd_per_1m_tokens = 3.5
output_usd_per_1m_tokens = 16.0
source = "test"
"#;

    #[test]
    fn price_groups_flatten_into_per_region_maps() {
        let regions = test_regions(&["us-east-1", "us-west-2", "eu-west-1"]);
        let models = parse_managed_models("managed_models.toml", ONE, &regions).expect("valid");
        let m = &models["claude-3-5-sonnet"];
        assert_eq!(m.input_usd_per_1m_tokens["us-west-2"], 3.0);
        assert_eq!(m.output_usd_per_1m_tokens["eu-west-1"], 16.0);
        assert_eq!(m.input_usd_per_1m_tokens.len(), 3);
        assert_eq!(m.default_tpm_quota, 400_000);
    }

    #[test]
    fn region_priced_twice_is_rejected() {
        let text = ONE.replace("[\"eu-west-1\"]", "[\"us-east-1\"]");
        let regions = test_regions(&["us-east-1", "us-west-2", "eu-west-1"]);
        let err = parse_managed_models("managed_models.toml", &text, &regions).expect_err("twice");
        assert!(err.to_string().contains("already has a price"), "{err}");
    }

    #[test]
    fn unknown_region_is_an_unknown_reference() {
        let regions = test_regions(&["us-east-1", "us-west-2"]);
        let err = parse_managed_models("managed_models.toml", ONE, &regions).expect_err("unknown");
        assert!(
            matches!(err, CatalogError::UnknownReference { ref name, .. } if name == "eu-west-1")
        );
    }

    #[test]
    fn zero_quota_is_rejected() {
        let text = ONE.replace("default_rpm_quota = 50", "default_rpm_quota = 0");
        let regions = test_regions(&["us-east-1", "us-west-2", "eu-west-1"]);
        let err = parse_managed_models("managed_models.toml", &text, &regions).expect_err("zero");
        assert!(
            matches!(err, CatalogError::Invalid { ref field, .. } if field == "default_rpm_quota")
        );
    }
}
