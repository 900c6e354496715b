//! `serving_profiles.toml`: self-hosted model × instance performance profiles.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::check::{At, entry_label, parse_toml};
use super::error::ItemKind;
use super::{CatalogError, InstanceType, ServingProfile};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawServingFile {
    profile: Vec<RawProfile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: String,
    model: String,
    instance_type: String,
    prefill_tokens_per_s: f64,
    tpot_ms_batch1: f64,
    tpot_ms_per_extra_seq: f64,
    max_batch: u32,
    source: String,
}

/// Parses and checks `serving_profiles.toml`; every profile's instance type must exist. The map
/// is keyed by profile name.
pub(super) fn parse_serving_profiles(
    file: &str,
    text: &str,
    instance_types: &BTreeMap<String, InstanceType>,
) -> Result<BTreeMap<String, ServingProfile>, CatalogError> {
    let raw: RawServingFile = parse_toml(file, text)?;
    let mut profiles = BTreeMap::new();
    for (index, p) in raw.profile.into_iter().enumerate() {
        let at = At {
            file,
            entry: entry_label("profile", index, &p.name),
        };
        let name = at.token("name", &p.name)?;
        let instance_type = at.token("instance_type", &p.instance_type)?;
        if !instance_types.contains_key(&instance_type) {
            return Err(at.unknown("instance_type", ItemKind::InstanceType, &instance_type));
        }
        // Scenarios refer to profiles as `model@instance`; a mismatch would silently put the
        // model on other hardware than its name says.
        let suffix = format!("@{instance_type}");
        if !name.ends_with(&suffix) || name.len() == suffix.len() {
            return Err(at.invalid(
                "name",
                format!("is `{name}`; it must be `<model>{suffix}`, matching `instance_type`"),
            ));
        }
        if p.max_batch == 0 {
            return Err(at.invalid(
                "max_batch",
                "is 0; at least one sequence must fit in a batch",
            ));
        }
        let profile = ServingProfile {
            name: name.clone(),
            model: at.non_empty("model", &p.model)?,
            instance_type,
            prefill_tokens_per_s: at.positive("prefill_tokens_per_s", p.prefill_tokens_per_s)?,
            tpot_ms_batch1: at.positive("tpot_ms_batch1", p.tpot_ms_batch1)?,
            tpot_ms_per_extra_seq: at
                .non_negative("tpot_ms_per_extra_seq", p.tpot_ms_per_extra_seq)?,
            max_batch: p.max_batch,
            source: at.non_empty("source", &p.source)?,
        };
        if profiles.contains_key(&name) {
            return Err(CatalogError::Duplicate {
                file: file.to_owned(),
                kind: "serving profile",
                name,
            });
        }
        profiles.insert(name, profile);
    }
    Ok(profiles)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn instance_types(names: &[&str]) -> BTreeMap<String, InstanceType> {
        names
            .iter()
            .map(|name| {
                let t = InstanceType {
                    name: (*name).to_owned(),
                    accelerator: "A10G".to_owned(),
                    accelerator_count: 1,
                    prices: BTreeMap::new(),
                };
                ((*name).to_owned(), t)
            })
            .collect()
    }

    const ONE: &str = r#"
[[profile]]
name = "llama-2-7b@g5.2xlarge"
model = "Llama-2-7B"
instance_type = "g5.2xlarge"
prefill_tokens_per_s = 1818.0
tpot_ms_batch1 = 31.199
tpot_ms_per_extra_seq = 1.5592
max_batch = 11
source = "test"
"#;

    #[test]
    fn parses_a_profile() {
        let profiles = parse_serving_profiles(
            "serving_profiles.toml",
            ONE,
            &instance_types(&["g5.2xlarge"]),
        )
        .expect("valid");
        let p = &profiles["llama-2-7b@g5.2xlarge"];
        assert_eq!(p.max_batch, 11);
        assert_eq!(p.tpot_ms_per_extra_seq, 1.5592);
    }

    #[test]
    fn unknown_instance_type_is_an_unknown_reference() {
        let err = parse_serving_profiles(
            "serving_profiles.toml",
            ONE,
            &instance_types(&["g5.xlarge"]),
        )
        .expect_err("unknown instance type");
        assert!(matches!(
            err,
            CatalogError::UnknownReference {
            kind: ItemKind::InstanceType, ref name, .. } if name == "g5.2xlarge"
        ));
        assert!(err.to_string().contains("instances.toml"), "{err}");
    }

    #[test]
    fn name_must_end_with_the_instance_type() {
        let text = ONE.replace(
            "name = \"llama-2-7b@g5.2xlarge\"",
            "name = \"llama-2-7b@g5.xlarge\"",
        );
        let err = parse_serving_profiles(
            "serving_profiles.toml",
            &text,
            &instance_types(&["g5.2xlarge"]),
        )
        .expect_err("mismatch");
        assert!(matches!(err, CatalogError::Invalid { ref field, .. } if field == "name"));
    }

    #[test]
    fn zero_max_batch_is_rejected() {
        let text = ONE.replace("max_batch = 11", "max_batch = 0");
        let err = parse_serving_profiles(
            "serving_profiles.toml",
            &text,
            &instance_types(&["g5.2xlarge"]),
        )
        .expect_err("zero batch");
        assert!(matches!(err, CatalogError::Invalid { ref field, .. } if field == "max_batch"));
    }

    #[test]
    fn negative_slope_is_rejected() {
        let text = ONE.replace("1.5592", "-0.5");
        let err = parse_serving_profiles(
            "serving_profiles.toml",
            &text,
            &instance_types(&["g5.2xlarge"]),
        )
        .expect_err("negative slope");
        assert!(
            matches!(err, CatalogError::Invalid { ref field, .. } if field == "tpot_ms_per_extra_seq")
        );
    }
}
