//! Geography in scenarios: data-residency rules and the geolocation / geoproximity routing
//! maps, validated against the scenario's sites and regions.

use std::collections::BTreeMap;

use super::error::{FieldPath, ScenarioError, did_you_mean};
use super::raw::{RawGeoTarget, RawResidency};
use super::validate::Checker;
use super::{Deployment, UserSite};
use crate::catalog::Continent;

/// Users of a continent or country whose requests may only be served by some regions.
#[derive(Debug, Clone, PartialEq)]
pub struct ResidencyRule {
    /// e.g. `EU` or `Germany`.
    pub jurisdiction: String,
    /// Index-aligned with the scenario's sites: the rule applies to that site's users.
    pub sites: Vec<bool>,
    /// Index-aligned with the deployments: regions allowed to serve them.
    pub regions: Vec<bool>,
}

/// For each site, the regions allowed to serve it (`None`: no rule applies). When several
/// rules apply, a region must satisfy all of them.
pub fn allowed_regions(
    rules: &[ResidencyRule],
    sites: usize,
    regions: usize,
) -> Vec<Option<Vec<bool>>> {
    (0..sites)
        .map(|s| {
            let mut mask: Option<Vec<bool>> = None;
            for rule in rules.iter().filter(|r| r.sites[s]) {
                let m = mask.get_or_insert_with(|| vec![true; regions]);
                for (a, b) in m.iter_mut().zip(&rule.regions) {
                    *a &= *b;
                }
            }
            mask
        })
        .collect()
}

/// Index of the deployment in region `code`, or an error at `p` with a suggestion.
pub(super) fn region_index(
    c: &Checker,
    p: &FieldPath,
    code: &str,
    deployments: &[Deployment],
) -> Result<usize, ScenarioError> {
    deployments
        .iter()
        .position(|d| d.region.code == code)
        .ok_or_else(|| {
            let codes: Vec<&str> = deployments.iter().map(|d| d.region.code.as_str()).collect();
            let hint = match did_you_mean(code, codes.iter().copied()) {
                Some(best) => format!("did you mean \"{best}\"?"),
                None => format!("use one of the scenario's regions: {}", codes.join(", ")),
            };
            c.err(p, format!("\"{code}\" has no [[regions]] entry"), hint)
        })
}

pub(super) fn check_residency(
    c: &Checker,
    raw: &[RawResidency],
    sites: &[UserSite],
    deployments: &[Deployment],
) -> Result<Vec<ResidencyRule>, ScenarioError> {
    let mut out = Vec::with_capacity(raw.len());
    for (i, r) in raw.iter().enumerate() {
        let p = FieldPath::default().key("residency").index(i);
        let (jurisdiction, site_mask): (String, Vec<bool>) = match (&r.continent, &r.country) {
            (Some(code), None) => {
                let cont = Continent::from_code(code).ok_or_else(|| {
                    c.err(
                        &p.clone().key("continent"),
                        format!("unknown continent \"{code}\""),
                        "use one of NA, SA, EU, AS, OC, AF",
                    )
                })?;
                (
                    code.clone(),
                    sites.iter().map(|s| s.site.continent == cont).collect(),
                )
            }
            (None, Some(country)) => (
                country.clone(),
                sites.iter().map(|s| &s.site.country == country).collect(),
            ),
            _ => {
                return Err(c.err(
                    &p,
                    "a residency rule needs exactly one of `continent` and `country`".into(),
                    "e.g. continent = \"EU\" or country = \"Germany\"",
                ));
            }
        };
        if !site_mask.iter().any(|b| *b) {
            return Err(c.err(
                &p,
                format!("no user site is in {jurisdiction}"),
                "the rule would change nothing: add such a site or remove the rule",
            ));
        }
        let mut regions = vec![false; deployments.len()];
        for (j, code) in r.regions.iter().enumerate() {
            regions[region_index(c, &p.clone().key("regions").index(j), code, deployments)?] = true;
        }
        if !regions.iter().any(|b| *b) {
            return Err(c.err(
                &p.clone().key("regions"),
                format!("no eligible region for {jurisdiction}"),
                "list at least one deployed region that may serve these users",
            ));
        }
        out.push(ResidencyRule {
            jurisdiction,
            sites: site_mask,
            regions,
        });
    }
    Ok(out)
}

/// Geolocation: for each site, candidate regions from the most specific matching location
/// (country, then continent, then `*`; each location's regions in their listed order),
/// without repeats.
pub(super) fn check_geolocation(
    c: &Checker,
    p: &FieldPath,
    geo: &BTreeMap<String, RawGeoTarget>,
    sites: &[UserSite],
    deployments: &[Deployment],
    allowed: &[Option<Vec<bool>>],
) -> Result<Vec<Vec<usize>>, ScenarioError> {
    let mut mapped: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (location, target) in geo {
        let known = location == "*"
            || Continent::from_code(location).is_some()
            || sites.iter().any(|s| &s.site.country == location);
        if !known {
            return Err(c.err(&p.clone().key(location), format!("\"{location}\" is neither a continent code, a country of the scenario's sites, nor \"*\""), "use NA, SA, EU, AS, OC, AF, a country name as in models/sites.toml, or \"*\" for the default"));
        }
        let codes = target.regions();
        if codes.is_empty() {
            return Err(c.err(
                &p.clone().key(location),
                format!("no region for \"{location}\""),
                "give a region code, or a list tried in order",
            ));
        }
        let mut regions = Vec::with_capacity(codes.len());
        for code in codes {
            regions.push(region_index(
                c,
                &p.clone().key(location),
                code,
                deployments,
            )?);
        }
        mapped.insert(location.as_str(), regions);
    }
    let mut out = Vec::with_capacity(sites.len());
    for (i, s) in sites.iter().enumerate() {
        let mut chain = Vec::new();
        for key in [s.site.country.as_str(), s.site.continent.code(), "*"] {
            for r in mapped.get(key).into_iter().flatten() {
                if !chain.contains(r) {
                    chain.push(*r);
                }
            }
        }
        if chain.is_empty() {
            return Err(c.err(
                p,
                format!(
                    "users in {} ({}) match no location",
                    s.site.name, s.site.country
                ),
                "add their country or continent, or a \"*\" default",
            ));
        }
        if let Some(mask) = &allowed[i]
            && !chain.iter().any(|r| mask[*r])
        {
            return Err(c.err(p, format!("users in {} may only be served in their jurisdiction, but no matching location routes them there", s.site.name), "map their country or continent to an eligible region"));
        }
        out.push(chain);
    }
    Ok(out)
}

/// Geoproximity: a bias per deployment (−99…99, Route 53's range), default 0.
pub(super) fn check_bias(
    c: &Checker,
    p: &FieldPath,
    bias: &BTreeMap<String, f64>,
    deployments: &[Deployment],
) -> Result<Vec<f64>, ScenarioError> {
    let mut out = vec![0.0; deployments.len()];
    for (code, b) in bias {
        let i = region_index(c, &p.clone().key(code), code, deployments)?;
        out[i] = c.range(&p.clone().key(code), *b, -99.0, 99.0, "(Route 53 bias)")?;
    }
    Ok(out)
}
