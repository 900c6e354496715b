//! The [`Catalog`]: all reference data, loaded from the six files of `models/`.

use std::collections::BTreeMap;
use std::path::Path;

use super::instances::parse_instance_types;
use super::managed::parse_managed_models;
use super::regions::parse_regions;
use super::rtt::{RttMatrix, parse_rtt};
use super::serving::parse_serving_profiles;
use super::sites::parse_sites;
use super::{CatalogError, InstanceType, ManagedModel, Region, ServingProfile, Site};

/// All reference data: regions, network, users, hardware, serving speeds and managed APIs.
///
/// Every map is keyed by the entry's own name (region code, site name, ...), sorted, so that
/// iteration order and anything serialised from it are stable.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    /// Regions by code, e.g. `us-east-1`.
    pub regions: BTreeMap<String, Region>,
    /// Measured inter-region RTT (covers 32 of the shipped regions; see `models/rtt.toml`).
    pub rtt: RttMatrix,
    /// User metro areas by name, e.g. `new-york`.
    pub sites: BTreeMap<String, Site>,
    /// Instance types by EC2 name, each with measured or derived prices per region.
    pub instance_types: BTreeMap<String, InstanceType>,
    /// Serving profiles by `model@instance` name.
    pub serving_profiles: BTreeMap<String, ServingProfile>,
    /// Managed model APIs by name, e.g. `claude-3-5-sonnet`.
    pub managed_models: BTreeMap<String, ManagedModel>,
}

/// The text of one catalog file and the label used for it in error messages.
struct FileText<'a> {
    label: &'a str,
    text: &'a str,
}

/// The six catalog files, in the order they are parsed.
struct CatalogFiles<'a> {
    regions: FileText<'a>,
    rtt: FileText<'a>,
    sites: FileText<'a>,
    instances: FileText<'a>,
    serving_profiles: FileText<'a>,
    managed_models: FileText<'a>,
}

/// File names inside a catalog directory, in the field order of [`CatalogFiles`].
const FILE_NAMES: [&str; 6] = [
    "regions.toml",
    "rtt.toml",
    "sites.toml",
    "instances.toml",
    "serving_profiles.toml",
    "managed_models.toml",
];

/// The shipped files, embedded so the binary needs no data directory at run time.
const EMBEDDED: [&str; 6] = [
    include_str!("../../models/regions.toml"),
    include_str!("../../models/rtt.toml"),
    include_str!("../../models/sites.toml"),
    include_str!("../../models/instances.toml"),
    include_str!("../../models/serving_profiles.toml"),
    include_str!("../../models/managed_models.toml"),
];

/// Labels of the embedded files in error messages.
const EMBEDDED_LABELS: [&str; 6] = [
    "models/regions.toml",
    "models/rtt.toml",
    "models/sites.toml",
    "models/instances.toml",
    "models/serving_profiles.toml",
    "models/managed_models.toml",
];

impl Catalog {
    /// The catalog shipped in `models/`, embedded at compile time with include_str!.
    ///
    /// Parses and validates on every call (a few milliseconds); call it once and share the
    /// result.
    pub fn embedded() -> Result<Catalog, CatalogError> {
        Catalog::from_texts(EMBEDDED_LABELS, EMBEDDED)
    }

    /// Reads the same files from another directory (same file names).
    pub fn load_dir(dir: &Path) -> Result<Catalog, CatalogError> {
        let mut labels: [String; 6] = Default::default();
        let mut texts: [String; 6] = Default::default();
        for ((name, label), text) in FILE_NAMES.iter().zip(&mut labels).zip(&mut texts) {
            let path = dir.join(name);
            *text = std::fs::read_to_string(&path).map_err(|source| CatalogError::Read {
                path: path.clone(),
                source,
            })?;
            *label = path.display().to_string();
        }
        Catalog::from_texts(
            labels.each_ref().map(String::as_str),
            texts.each_ref().map(String::as_str),
        )
    }

    /// Parses six file texts given in [`FILE_NAMES`] order.
    fn from_texts(labels: [&str; 6], texts: [&str; 6]) -> Result<Catalog, CatalogError> {
        let [l0, l1, l2, l3, l4, l5] = labels;
        let [t0, t1, t2, t3, t4, t5] = texts;
        let file = |label, text| FileText { label, text };
        Catalog::from_files(&CatalogFiles {
            regions: file(l0, t0),
            rtt: file(l1, t1),
            sites: file(l2, t2),
            instances: file(l3, t3),
            serving_profiles: file(l4, t4),
            managed_models: file(l5, t5),
        })
    }

    /// Parses and validates in dependency order: regions first, since every other file but
    /// `sites` refers to region codes; instance types before the profiles that use them.
    fn from_files(files: &CatalogFiles<'_>) -> Result<Catalog, CatalogError> {
        let regions = parse_regions(files.regions.label, files.regions.text)?;
        let rtt = parse_rtt(files.rtt.label, files.rtt.text, &regions)?;
        let sites = parse_sites(files.sites.label, files.sites.text)?;
        let instance_types =
            parse_instance_types(files.instances.label, files.instances.text, &regions)?;
        let serving_profiles = parse_serving_profiles(
            files.serving_profiles.label,
            files.serving_profiles.text,
            &instance_types,
        )?;
        let managed_models = parse_managed_models(
            files.managed_models.label,
            files.managed_models.text,
            &regions,
        )?;
        Ok(Catalog {
            regions,
            rtt,
            sites,
            instance_types,
            serving_profiles,
            managed_models,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Continent, ItemKind, PriceOrigin};
    use super::*;

    fn catalog() -> Catalog {
        match Catalog::embedded() {
            Ok(c) => c,
            Err(e) => panic!("embedded catalog must load: {e}"),
        }
    }

    /// Embedded texts with one file's text replaced, parsed like a catalog directory would be.
    fn with_replaced(file_name: &str, text: &str) -> Result<Catalog, CatalogError> {
        let mut texts = EMBEDDED;
        let position = FILE_NAMES
            .iter()
            .position(|name| *name == file_name)
            .expect("known file name");
        texts[position] = text;
        Catalog::from_texts(EMBEDDED_LABELS, texts)
    }

    fn embedded_text(file_name: &str) -> &'static str {
        let position = FILE_NAMES
            .iter()
            .position(|name| *name == file_name)
            .expect("known file name");
        EMBEDDED[position]
    }

    /// A scratch directory unique to this test process and `tag`, removed on drop.
    struct ScratchDir(std::path::PathBuf);

    impl ScratchDir {
        fn new(tag: &str) -> ScratchDir {
            let dir =
                std::env::temp_dir().join(format!("meridian-catalog-{}-{tag}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).expect("create scratch dir");
            ScratchDir(dir)
        }
    }

    impl Drop for ScratchDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn embedded_catalog_loads_with_minimum_contents() {
        let c = catalog();
        assert!(c.regions.len() >= 16, "{} regions", c.regions.len());
        assert!(c.sites.len() >= 40, "{} sites", c.sites.len());
        assert!(c.serving_profiles.len() >= 3);
        assert!(c.managed_models.len() >= 3);
        let priced_in_us_east_1 = c
            .instance_types
            .values()
            .filter(|t| t.prices.contains_key("us-east-1"))
            .count();
        assert!(
            priced_in_us_east_1 >= 5,
            "{priced_in_us_east_1} types priced in us-east-1"
        );
        for code in [
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
            "ca-central-1",
            "sa-east-1",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "eu-central-1",
            "eu-north-1",
            "ap-south-1",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-northeast-1",
            "ap-northeast-2",
        ] {
            assert!(c.regions.contains_key(code), "missing region {code}");
            assert!(c.rtt.rtt_ms(code, code).is_some(), "no RTT for {code}");
        }
    }

    #[test]
    fn rtt_us_east_1_to_eu_west_1_is_about_70_ms_and_symmetric() {
        let c = catalog();
        let there = c
            .rtt
            .rtt_ms("us-east-1", "eu-west-1")
            .expect("both in matrix");
        let back = c
            .rtt
            .rtt_ms("eu-west-1", "us-east-1")
            .expect("both in matrix");
        assert!((there - 70.0).abs() <= 2.0, "{there}");
        assert_eq!(there, back);
        let intra = c.rtt.rtt_ms("us-east-1", "us-east-1").expect("diagonal");
        assert!((2.0..=8.0).contains(&intra), "{intra}");
        assert_eq!(c.rtt.rtt_ms("us-east-1", "ap-east-2"), None);
    }

    #[test]
    fn rtt_is_symmetric_for_every_pair() {
        let c = catalog();
        let codes: Vec<&str> = c.rtt.region_codes().collect();
        assert_eq!(codes.len(), 32);
        for a in &codes {
            for b in &codes {
                assert_eq!(c.rtt.rtt_ms(a, b), c.rtt.rtt_ms(b, a), "{a} {b}");
            }
        }
    }

    #[test]
    fn measured_price_is_kept_exactly() {
        let c = catalog();
        let price = c.instance_types["g5.2xlarge"].prices["us-east-1"];
        assert_eq!(price.usd_per_hour, 1.212);
        assert_eq!(price.origin, PriceOrigin::Measured);
    }

    #[test]
    fn derived_price_is_us_east_1_times_region_multiplier() {
        let c = catalog();
        // No g5.2xlarge row for ap-northeast-1 in the snapshot: 1.212 × 1.450.
        let price = c.instance_types["g5.2xlarge"].prices["ap-northeast-1"];
        assert_eq!(price.origin, PriceOrigin::DerivedFromMultiplier);
        assert!(
            (price.usd_per_hour - 1.7574).abs() < 1e-9,
            "{}",
            price.usd_per_hour
        );
        // Neither a price nor a multiplier for sa-east-1: the type cannot be placed there.
        assert!(
            !c.instance_types["g5.2xlarge"]
                .prices
                .contains_key("sa-east-1")
        );
    }

    #[test]
    fn every_main_region_except_sa_east_1_can_host_every_type() {
        let c = catalog();
        for t in c.instance_types.values() {
            for code in ["us-east-1", "eu-west-1", "ap-northeast-1", "ap-southeast-1"] {
                assert!(
                    t.prices.contains_key(code),
                    "{} has no price in {code}",
                    t.name
                );
            }
        }
    }

    #[test]
    fn site_shares_sum_to_one() {
        let c = catalog();
        let total: f64 = c.sites.values().map(|s| s.traffic_share).sum();
        assert!((total - 1.0).abs() <= 0.001, "{total}");
    }

    #[test]
    fn site_shares_follow_the_reference_area_split() {
        // REFERENCE.md section 7: NA 35%, EU 30%, APAC 25%, SA 5%, other 5%.
        let c = catalog();
        let share = |continents: &[Continent]| -> f64 {
            c.sites
                .values()
                .filter(|s| continents.contains(&s.continent))
                .map(|s| s.traffic_share)
                .sum()
        };
        assert!((share(&[Continent::NorthAmerica]) - 0.35).abs() < 1e-9);
        assert!((share(&[Continent::SouthAmerica]) - 0.05).abs() < 1e-9);
        assert!((share(&[Continent::Europe]) - 0.30).abs() < 1e-9);
        // Asia + Oceania hold APAC (0.25) and the Middle-East half of "other".
        let africa = share(&[Continent::Africa]);
        assert!(africa > 0.0 && africa < 0.05);
    }

    #[test]
    fn serving_profiles_refer_to_priced_instance_types() {
        let c = catalog();
        for p in c.serving_profiles.values() {
            let t = &c.instance_types[&p.instance_type];
            assert!(t.prices.contains_key("us-east-1"), "{}", p.name);
            assert!(p.max_batch >= 1);
        }
    }

    #[test]
    fn managed_models_are_priced_in_us_east_1() {
        let c = catalog();
        for m in c.managed_models.values() {
            assert!(
                m.input_usd_per_1m_tokens.contains_key("us-east-1"),
                "{}",
                m.name
            );
            assert_eq!(
                m.input_usd_per_1m_tokens.keys().collect::<Vec<_>>(),
                m.output_usd_per_1m_tokens.keys().collect::<Vec<_>>()
            );
        }
        let sonnet = &c.managed_models["claude-3-5-sonnet"];
        assert_eq!(sonnet.input_usd_per_1m_tokens["eu-west-1"], 3.0);
        assert_eq!(sonnet.output_usd_per_1m_tokens["us-east-2"], 15.0);
    }

    #[test]
    fn site_with_latitude_95_is_invalid_and_names_file_site_and_field() {
        let text = embedded_text("sites.toml").replacen("lat_deg = 40.7128", "lat_deg = 95.0", 1);
        let err = with_replaced("sites.toml", &text).expect_err("lat 95 must fail");
        assert!(
            matches!(err, CatalogError::Invalid { ref field, ref entry, .. }
                if field == "lat_deg" && entry.contains("new-york")),
            "{err:?}"
        );
        let msg = err.to_string();
        assert!(
            msg.starts_with("models/sites.toml: site `new-york`: `lat_deg` is 95"),
            "{msg}"
        );
        assert!(msg.contains("[-90, 90]"), "{msg}");
    }

    #[test]
    fn profile_with_unknown_instance_type_is_an_unknown_reference() {
        let text = embedded_text("serving_profiles.toml").replacen(
            "instance_type = \"g5.2xlarge\"",
            "instance_type = \"g9.huge\"",
            1,
        );
        let err = with_replaced("serving_profiles.toml", &text).expect_err("must fail");
        assert!(
            matches!(err, CatalogError::UnknownReference { ref name, kind: ItemKind::InstanceType, .. }
                if name == "g9.huge"),
            "{err:?}"
        );
        let msg = err.to_string();
        assert!(msg.contains("models/serving_profiles.toml"), "{msg}");
        assert!(msg.contains("instances.toml"), "{msg}");
    }

    #[test]
    fn malformed_toml_is_a_parse_error_with_line_and_column() {
        let text = "# a comment\nregions = [\n  { code = \"us-east-1\", name = }\n]\n";
        let err = with_replaced("regions.toml", text).expect_err("must fail");
        match &err {
            CatalogError::Parse {
                file, line, column, ..
            } => {
                assert_eq!(file, "models/regions.toml");
                assert_eq!(*line, 3);
                assert!(*column > 1, "{column}");
            }
            other => panic!("expected Parse, got {other:?}"),
        }
        assert!(
            err.to_string().starts_with("models/regions.toml:3:"),
            "{err}"
        );
    }

    #[test]
    fn load_dir_reads_the_same_catalog_as_embedded() {
        let dir = ScratchDir::new("roundtrip");
        for (name, text) in FILE_NAMES.iter().zip(EMBEDDED) {
            std::fs::write(dir.0.join(name), text).expect("write catalog file");
        }
        let loaded = match Catalog::load_dir(&dir.0) {
            Ok(c) => c,
            Err(e) => panic!("load_dir failed: {e}"),
        };
        assert_eq!(loaded, catalog());
    }

    #[test]
    fn load_dir_missing_file_names_the_path() {
        let dir = ScratchDir::new("missing");
        for (name, text) in FILE_NAMES.iter().zip(EMBEDDED) {
            if *name != "sites.toml" {
                std::fs::write(dir.0.join(name), text).expect("write catalog file");
            }
        }
        let err = Catalog::load_dir(&dir.0).expect_err("sites.toml is missing");
        let expected = dir.0.join("sites.toml");
        assert!(
            matches!(err, CatalogError::Read { ref path, .. } if *path == expected),
            "{err:?}"
        );
        assert!(
            err.to_string().contains(&expected.display().to_string()),
            "{err}"
        );
    }

    #[test]
    fn load_dir_errors_are_labelled_with_the_real_path() {
        let dir = ScratchDir::new("label");
        for (name, text) in FILE_NAMES.iter().zip(EMBEDDED) {
            let text = if *name == "rtt.toml" {
                "to_regions = ["
            } else {
                text
            };
            std::fs::write(dir.0.join(name), text).expect("write catalog file");
        }
        let err = Catalog::load_dir(&dir.0).expect_err("rtt.toml is malformed");
        let expected = dir.0.join("rtt.toml").display().to_string();
        assert!(
            matches!(err, CatalogError::Parse { ref file, .. } if *file == expected),
            "{err:?}"
        );
    }
}

/// Where one catalog file's numbers come from: its `# source:` comment lines, for reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataSource {
    /// The file, e.g. `models/regions.toml`.
    pub file: String,
    /// Each `# source:` line, without the leading `# `.
    pub notes: Vec<String>,
}

fn source_notes(file: &str, text: &str) -> DataSource {
    DataSource {
        file: file.to_string(),
        notes: text
            .lines()
            .map(str::trim)
            .filter(|l| l.starts_with("# source:"))
            .map(|l| l.trim_start_matches("# ").to_string())
            .collect(),
    }
}

impl Catalog {
    /// The sources named by the shipped catalog files.
    pub fn embedded_sources() -> Vec<DataSource> {
        EMBEDDED_LABELS
            .iter()
            .zip(EMBEDDED)
            .map(|(f, t)| source_notes(f, t))
            .collect()
    }

    /// The sources named by the catalog files in `dir`; files that cannot be read are
    /// listed without notes (the catalog itself was loaded, so this is only a report).
    pub fn dir_sources(dir: &Path) -> Vec<DataSource> {
        FILE_NAMES
            .iter()
            .map(|name| {
                let path = dir.join(name);
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                source_notes(&path.display().to_string(), &text)
            })
            .collect()
    }
}
