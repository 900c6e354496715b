//! The benchmark setting, simulated: N closed-loop users with no think time next to one
//! instance, every network delay off, fixed prompt and output sizes.

use super::CalibrateError;
use crate::catalog::{Catalog, ServingProfile};
use crate::run::{RunOptions, run};
use crate::scenario::Scenario;

/// What the simulated benchmark measured.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClosedLoopResult {
    /// Generated tokens/s across all users (measured window).
    pub throughput_tok_s: f64,
    /// Median request latency ÷ generated tokens, ms.
    pub ms_per_token_p50: f64,
}

/// Measured window of the simulated benchmark, s: long enough for hundreds of requests per
/// user at the slowest published setting (~25 s per request).
const DURATION_S: u32 = 1800;

/// Runs the closed-loop benchmark against `profile` on one instance. The instance's batch
/// limit is raised to `users` when lower: the benchmark server ran that many sequences at
/// once (profile limits are KV-cache bounds at a much longer request mix).
pub fn simulate_closed_loop(
    catalog: &Catalog,
    profile: &ServingProfile,
    users: u32,
    prompt_tokens: u32,
    output_tokens: u32,
) -> Result<ClosedLoopResult, CalibrateError> {
    let mut catalog = catalog.clone();
    catalog
        .serving_profiles
        .insert(profile.name.clone(), profile.clone());
    let region_code = catalog
        .instance_types
        .get(&profile.instance_type)
        .and_then(|t| t.prices.keys().next().cloned())
        .ok_or_else(|| {
            CalibrateError::Fit(format!(
                "instance type {} is not offered in any catalog region",
                profile.instance_type
            ))
        })?;
    let region = &catalog.regions[&region_code];
    let src = format!(
        "[simulation]\nduration_s = {DURATION_S}\nwarmup_s = 120\nseed = 1\n\
         [network]\nlast_mile_ms = 0\nbackbone_overhead_ms = 0\njitter_ms = 0\nnew_connection_share = 0\n\
         [requests]\nprompt_tokens = {{ dist = \"constant\", value = {prompt_tokens} }}\n\
         output_tokens = {{ dist = \"constant\", value = {output_tokens} }}\n\
         [routing]\npolicy = \"latency\"\n\
         [[regions]]\ncode = {region_code:?}\nprofile = {:?}\ninstances = 1\nmax_batch = {}\ntimeout_s = 3600\n\
         [traffic]\nsites = [{{ name = \"bench-client\", lat = {}, lon = {}, utc_offset_hours = 0, country = {:?}, continent = {:?}, virtual_users = {users} }}]\n",
        profile.name,
        profile.max_batch.max(users),
        region.lat_deg,
        region.lon_deg,
        region.country,
        region.continent().code(),
    );
    let scenario = Scenario::from_toml(&src, "closed-loop benchmark", &catalog)
        .map_err(|e| CalibrateError::Fit(e.to_string()))?;
    let r = run(&scenario, RunOptions::default());
    let output: u64 = r.merged.regions.iter().map(|m| m.output_tokens).sum();
    Ok(ClosedLoopResult {
        throughput_tok_s: output as f64 / f64::from(DURATION_S),
        ms_per_token_p50: r.merged.latency.e2e.percentile_ms(50.0) / f64::from(output_tokens),
    })
}
