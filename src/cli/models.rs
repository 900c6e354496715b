//! `meridian models`: what the catalog holds — regions, user sites, instance types with
//! prices, serving profiles and managed model APIs — as tables, CSV, markdown or JSON.

use clap::{Args, ValueEnum};
use serde_json::{Map, Value, json};

use super::CliError;
use crate::catalog::{Catalog, PriceOrigin};
use crate::report::Table;
use crate::scenario::did_you_mean;

/// Region whose prices are shown when `--region` is not given.
const DEFAULT_PRICE_REGION: &str = "us-east-1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum ModelsFormat {
    /// Aligned text tables.
    #[default]
    Table,
    /// One CSV block per section, each after a `# section` line, blocks separated by a
    /// blank line.
    Csv,
    /// Markdown tables under `##` headings.
    Markdown,
    /// One JSON object with an array per section, keys sorted, units in key names.
    Json,
}

#[derive(Debug, Args)]
pub struct ModelsArgs {
    /// Show only this region: its row, instance prices there and the managed models
    /// available there.
    #[arg(long, value_name = "CODE")]
    pub region: Option<String>,
    /// Show only this instance type and its serving profiles.
    #[arg(long = "type", value_name = "NAME")]
    pub instance_type: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ModelsFormat::Table)]
    pub format: ModelsFormat,
}

/// One cell: the text shown in tables and the value written to JSON.
struct Cell(String, Value);

fn text(s: &str) -> Cell {
    Cell(s.to_string(), Value::String(s.to_string()))
}

fn num(v: f64, decimals: usize) -> Cell {
    Cell(format!("{v:.decimals$}"), json!(v))
}

fn int(v: u64) -> Cell {
    Cell(v.to_string(), json!(v))
}

/// A section of the listing: title, columns (table header, JSON key) and rows.
struct Section {
    title: String,
    key: &'static str,
    columns: Vec<(String, &'static str)>,
    rows: Vec<Vec<Cell>>,
}

impl Section {
    fn new(title: impl Into<String>, key: &'static str, columns: &[(&str, &'static str)]) -> Self {
        Section {
            title: title.into(),
            key,
            columns: columns.iter().map(|(h, k)| (h.to_string(), *k)).collect(),
            rows: Vec::new(),
        }
    }

    fn table(&self) -> Table {
        let headers: Vec<&str> = self.columns.iter().map(|(h, _)| h.as_str()).collect();
        let mut t = Table::new(&headers);
        for r in &self.rows {
            t.row(r.iter().map(|c| c.0.clone()).collect());
        }
        t
    }

    fn json(&self) -> Value {
        Value::Array(
            self.rows
                .iter()
                .map(|r| {
                    let mut o = Map::new();
                    for ((_, key), cell) in self.columns.iter().zip(r) {
                        o.insert(key.to_string(), cell.1.clone());
                    }
                    Value::Object(o)
                })
                .collect(),
        )
    }
}

fn unknown(what: &str, given: &str, candidates: Vec<&str>) -> CliError {
    let hint = did_you_mean(given, candidates.iter().copied())
        .map(|c| format!("; did you mean \"{c}\"?"))
        .unwrap_or_default();
    CliError::Usage(format!(
        "unknown {what} \"{given}\"{hint} (`meridian models` lists them all)"
    ))
}

fn range(values: &[f64]) -> (f64, f64) {
    let lo = values.iter().cloned().fold(f64::INFINITY, f64::min);
    let hi = values.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    (lo, hi)
}

impl ModelsArgs {
    pub fn execute(&self, catalog: &Catalog) -> Result<String, CliError> {
        if let Some(code) = &self.region
            && !catalog.regions.contains_key(code)
        {
            return Err(unknown(
                "region",
                code,
                catalog.regions.keys().map(String::as_str).collect(),
            ));
        }
        if let Some(name) = &self.instance_type
            && !catalog.instance_types.contains_key(name)
        {
            return Err(unknown(
                "instance type",
                name,
                catalog.instance_types.keys().map(String::as_str).collect(),
            ));
        }
        let sections = self.sections(catalog);
        Ok(match self.format {
            ModelsFormat::Table => sections
                .iter()
                .map(|s| format!("{}\n{}", s.title, s.table().render()))
                .collect::<Vec<_>>()
                .join("\n"),
            ModelsFormat::Markdown => sections
                .iter()
                .map(|s| format!("## {}\n\n{}", s.title, s.table().render_markdown()))
                .collect::<Vec<_>>()
                .join("\n"),
            ModelsFormat::Csv => sections
                .iter()
                .map(|s| format!("# {}\n{}", s.key, s.table().render_csv()))
                .collect::<Vec<_>>()
                .join("\n"),
            ModelsFormat::Json => {
                let mut o = Map::new();
                for s in &sections {
                    o.insert(s.key.to_string(), s.json());
                }
                let mut text = serde_json::to_string_pretty(&Value::Object(o))
                    .expect("the listing is plain JSON");
                text.push('\n');
                text
            }
        })
    }

    fn sections(&self, catalog: &Catalog) -> Vec<Section> {
        let only_region = |code: &str| self.region.as_deref().is_none_or(|r| r == code);
        let only_type = |name: &str| self.instance_type.as_deref().is_none_or(|t| t == name);
        let price_region = self.region.as_deref().unwrap_or(DEFAULT_PRICE_REGION);

        let mut regions = Section::new(
            "Regions",
            "regions",
            &[
                ("code", "code"),
                ("city", "city"),
                ("country", "country"),
                ("geography", "geography"),
                ("continent", "continent"),
            ],
        );
        for r in catalog.regions.values().filter(|r| only_region(&r.code)) {
            regions.rows.push(vec![
                text(&r.code),
                text(&r.city),
                text(&r.country),
                text(&r.geography),
                text(r.continent().code()),
            ]);
        }

        let mut sites = Section::new(
            "User sites",
            "sites",
            &[
                ("name", "name"),
                ("country", "country"),
                ("continent", "continent"),
                ("lat [°]", "lat_deg"),
                ("lon [°]", "lon_deg"),
                ("UTC offset [h]", "utc_offset_hours"),
                ("traffic share [%]", "traffic_share_pct"),
            ],
        );
        let total_share: f64 = catalog.sites.values().map(|s| s.traffic_share).sum();
        for s in catalog.sites.values() {
            let pct = if total_share > 0.0 {
                100.0 * s.traffic_share / total_share
            } else {
                0.0
            };
            sites.rows.push(vec![
                text(&s.name),
                text(&s.country),
                text(s.continent.code()),
                num(s.lat_deg, 2),
                num(s.lon_deg, 2),
                num(s.utc_offset_hours, 1),
                Cell(format!("{pct:.2}"), json!((pct * 1e4).round() / 1e4)),
            ]);
        }

        let price_header = format!("price in {price_region} [USD/h]");
        let mut types = Section::new(
            "Instance types",
            "instance_types",
            &[
                ("name", "name"),
                ("accelerators", "accelerators"),
                (price_header.as_str(), "usd_per_hour"),
                ("price", "price_origin"),
            ],
        );
        for t in catalog
            .instance_types
            .values()
            .filter(|t| only_type(&t.name))
        {
            let price = t.prices.get(price_region);
            if self.region.is_some() && price.is_none() {
                continue;
            }
            let accel = Cell(
                format!("{} × {}", t.accelerator, t.accelerator_count),
                json!({ "model": t.accelerator, "count": t.accelerator_count }),
            );
            let (usd, origin) = match price {
                Some(p) => (
                    num(p.usd_per_hour, 4),
                    text(match p.origin {
                        PriceOrigin::Measured => "measured",
                        PriceOrigin::DerivedFromMultiplier => "derived",
                    }),
                ),
                None => (
                    Cell("–".into(), Value::Null),
                    Cell("not offered".into(), Value::Null),
                ),
            };
            types.rows.push(vec![text(&t.name), accel, usd, origin]);
        }

        let mut profiles = Section::new(
            "Serving profiles",
            "serving_profiles",
            &[
                ("name", "name"),
                ("instance type", "instance_type"),
                ("prefill [tok/s]", "prefill_tokens_per_s"),
                ("TPOT batch 1 [ms]", "tpot_ms_batch1"),
                ("TPOT slope [ms/seq]", "tpot_ms_per_extra_seq"),
                ("max batch", "max_batch"),
            ],
        );
        for p in catalog
            .serving_profiles
            .values()
            .filter(|p| only_type(&p.instance_type))
        {
            profiles.rows.push(vec![
                text(&p.name),
                text(&p.instance_type),
                num(p.prefill_tokens_per_s, 0),
                num(p.tpot_ms_batch1, 2),
                num(p.tpot_ms_per_extra_seq, 3),
                int(u64::from(p.max_batch)),
            ]);
        }

        let mut managed = Section::new(
            match &self.region {
                Some(code) => format!("Managed models in {code}"),
                None => "Managed models".to_string(),
            },
            "managed_models",
            &[
                ("name", "name"),
                ("model id", "model_id"),
                ("default RPM [req/min]", "default_rpm_quota"),
                ("default TPM [tok/min]", "default_tpm_quota"),
                ("input [USD/1M tok]", "input_usd_per_1m_tokens"),
                ("output [USD/1M tok]", "output_usd_per_1m_tokens"),
            ],
        );
        let price_range = |prices: &std::collections::BTreeMap<String, f64>| {
            let v: Vec<f64> = prices
                .iter()
                .filter(|(code, _)| only_region(code))
                .map(|(_, p)| *p)
                .collect();
            let (lo, hi) = range(&v);
            let shown = if lo == hi {
                format!("{lo:.3}")
            } else {
                format!("{lo:.3}–{hi:.3}")
            };
            Cell(shown, json!({ "min": lo, "max": hi }))
        };
        for m in catalog.managed_models.values() {
            let available = m.input_usd_per_1m_tokens.keys().any(|c| only_region(c))
                && m.output_usd_per_1m_tokens.keys().any(|c| only_region(c));
            if !available {
                continue;
            }
            managed.rows.push(vec![
                text(&m.name),
                text(&m.model_id),
                int(m.default_rpm_quota),
                int(m.default_tpm_quota),
                price_range(&m.input_usd_per_1m_tokens),
                price_range(&m.output_usd_per_1m_tokens),
            ]);
        }

        vec![regions, sites, types, profiles, managed]
    }
}
