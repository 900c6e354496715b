//! The catalog: real-world reference data loaded from `models/`.
//!
//! Regions, the measured inter-region RTT matrix, user sites (metro areas), GPU instance
//! types with per-region prices, serving profiles (model × instance) and managed model APIs.
//! Every file in `models/` names its sources; this module only parses and checks them.
//! The shipped catalog is embedded in the binary at compile time (`Catalog::embedded`), so a
//! scenario runs from any working directory; `Catalog::load_dir` reads an alternative copy.
//!
//! Loading follows "parse, then validate": each file is parsed into private raw structs that
//! mirror the TOML (`deny_unknown_fields`), then checked and converted into the typed structs
//! below, in dependency order:
//!
//! ```text
//!  regions.toml ──▶ regions ─┬──▶ rtt.toml            (every RTT code must be a region)
//!                            ├──▶ instances.toml ──▶ serving_profiles.toml
//!                            │    (price regions exist;  (instance_type exists)
//!                            │     gaps derived from multipliers)
//!                            └──▶ managed_models.toml (price regions exist)
//!  sites.toml (independent)
//! ```
//!
//! Bad data never panics: every problem comes back as a [`CatalogError`] naming the file, the
//! entry and the field (and line:column for TOML syntax or layout errors).

mod check;
mod error;
mod instances;
mod load;
mod managed;
mod regions;
mod rtt;
mod serving;
mod sites;

pub use error::{CatalogError, ItemKind};
pub use load::{Catalog, DataSource};
pub use rtt::RttMatrix;

use std::collections::BTreeMap;

/// An AWS region where a deployment can run.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    /// Region code, e.g. `us-east-1`.
    pub code: String,
    /// Human name, e.g. `US East (N. Virginia)`.
    pub name: String,
    /// City the coordinates refer to (city centre, not the data centre).
    pub city: String,
    /// Country name as spelled in `models/regions.toml`, e.g. `United States`; sites use the
    /// same spellings so residency rules can compare them.
    pub country: String,
    /// Latitude of `city` in decimal degrees, north positive, in [-90, 90].
    pub lat_deg: f64,
    /// Longitude of `city` in decimal degrees, east positive, in [-180, 180].
    pub lon_deg: f64,
    /// Geography group used by cross-region inference profiles: `US`, `EU`, `APAC`, ...
    /// (the source CSV's grouping, also `NA-Canada`, `NA-Mexico`, `SouthAmerica`, `MiddleEast`,
    /// `Africa`).
    pub geography: String,
}

impl Region {
    /// The continent the region's city is on, for partitions and residency rules.
    pub fn continent(&self) -> Continent {
        match self.geography.as_str() {
            "US" => Continent::NorthAmerica,
            g if g.starts_with("NA") => Continent::NorthAmerica,
            "SouthAmerica" => Continent::SouthAmerica,
            "EU" => Continent::Europe,
            "Africa" => Continent::Africa,
            _ if matches!(self.country.as_str(), "Australia" | "New Zealand") => Continent::Oceania,
            _ => Continent::Asia,
        }
    }
}

/// Continents used to group users in reports and for residency rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Continent {
    NorthAmerica,
    SouthAmerica,
    Europe,
    Asia,
    Oceania,
    Africa,
}

impl Continent {
    /// Short code used in scenario files and reports (`NA`, `SA`, `EU`, `AS`, `OC`, `AF`).
    pub fn code(self) -> &'static str {
        match self {
            Continent::NorthAmerica => "NA",
            Continent::SouthAmerica => "SA",
            Continent::Europe => "EU",
            Continent::Asia => "AS",
            Continent::Oceania => "OC",
            Continent::Africa => "AF",
        }
    }

    /// Parses the short code; `None` for anything else.
    pub fn from_code(code: &str) -> Option<Continent> {
        Some(match code {
            "NA" => Continent::NorthAmerica,
            "SA" => Continent::SouthAmerica,
            "EU" => Continent::Europe,
            "AS" => Continent::Asia,
            "OC" => Continent::Oceania,
            "AF" => Continent::Africa,
            _ => return None,
        })
    }

    /// All continents in report order.
    pub const ALL: [Continent; 6] = [
        Continent::NorthAmerica,
        Continent::SouthAmerica,
        Continent::Europe,
        Continent::Asia,
        Continent::Oceania,
        Continent::Africa,
    ];
}

/// A metro area where users live.
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Lower-case identifier used in scenarios, e.g. `new-york`.
    pub name: String,
    /// Country name, spelled as in `models/regions.toml` where the country has a region.
    pub country: String,
    /// Continent for reports and residency rules (Istanbul counts as Europe, Middle-East metros
    /// as Asia).
    pub continent: Continent,
    /// City-centre latitude in decimal degrees, north positive.
    pub lat_deg: f64,
    /// City-centre longitude in decimal degrees, east positive.
    pub lon_deg: f64,
    /// Standard-time offset from UTC in hours (e.g. -5.0 for New York); DST is not modelled.
    pub utc_offset_hours: f64,
    /// Default relative share of global traffic (weights; normalised by the scenario).
    pub traffic_share: f64,
}

/// Where a price came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PriceOrigin {
    /// Read from the published price list.
    Measured,
    /// Not published for this region in our snapshot: us-east-1 price × the region's measured
    /// median GPU price multiplier.
    DerivedFromMultiplier,
}

/// An hourly price of one instance type in one region.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InstancePrice {
    /// On-demand Linux price in USD per instance-hour (> 0).
    pub usd_per_hour: f64,
    /// Published, or estimated from the region's price multiplier.
    pub origin: PriceOrigin,
}

/// A GPU (or Inferentia) instance type.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceType {
    /// EC2 name, e.g. `g5.2xlarge`.
    pub name: String,
    /// Accelerator model, e.g. `A10G`.
    pub accelerator: String,
    /// Number of accelerators in one instance (>= 1).
    pub accelerator_count: u32,
    /// On-demand Linux price per region code. A region that is absent cannot host the type:
    /// it has neither a published price nor a price multiplier.
    pub prices: BTreeMap<String, InstancePrice>,
}

/// How fast one instance serves one model under continuous batching.
///
/// Time per output token grows linearly with the number of sequences in the batch:
/// `tpot_ms(b) = tpot_ms_batch1 + tpot_ms_per_extra_seq * (b - 1)`. Prefill of a prompt takes
/// `prompt_tokens / prefill_tokens_per_s` at batch 1 and slows by the same factor
/// `tpot_ms(b) / tpot_ms(1)` under load.
#[derive(Debug, Clone, PartialEq)]
pub struct ServingProfile {
    /// Identifier used in scenarios, e.g. `llama-2-7b@g5.2xlarge`.
    pub name: String,
    /// Model name, e.g. `Llama-2-7B`.
    pub model: String,
    /// Instance type name; must exist in the catalog.
    pub instance_type: String,
    /// Prompt tokens processed per second at batch size 1.
    pub prefill_tokens_per_s: f64,
    /// Time per output token with one sequence in the batch, in ms.
    pub tpot_ms_batch1: f64,
    /// Extra ms per output token for each additional sequence in the batch.
    pub tpot_ms_per_extra_seq: f64,
    /// Maximum sequences decoded at once (continuous batching limit).
    pub max_batch: u32,
    /// Where the numbers come from and how they were fitted.
    pub source: String,
}

/// A managed model API (Bedrock style): priced per token, limited by per-region quotas.
#[derive(Debug, Clone, PartialEq)]
pub struct ManagedModel {
    /// Identifier used in scenarios, e.g. `claude-3-5-sonnet`.
    pub name: String,
    /// Provider model id, e.g. `anthropic.claude-3-5-sonnet-20241022-v2:0`.
    pub model_id: String,
    /// Price per million input tokens by region code, in USD.
    pub input_usd_per_1m_tokens: BTreeMap<String, f64>,
    /// Price per million output tokens by region code, in USD.
    pub output_usd_per_1m_tokens: BTreeMap<String, f64>,
    /// Default requests-per-minute quota per region.
    pub default_rpm_quota: u64,
    /// Default tokens-per-minute quota per region (input + output).
    pub default_tpm_quota: u64,
}
