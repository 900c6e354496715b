//! Managed model APIs in scenarios (Bedrock style): validation of `managed = ...` regions and
//! of cross-region inference profiles.

use super::error::{FieldPath, ScenarioError, did_you_mean};
use super::geo::region_index;
use super::raw::{RawFrontend, RawRegion};
use super::validate::Checker;
use super::{Deployment, DeploymentKind, Frontend, ManagedApi};
use crate::catalog::{Catalog, Region};
use crate::engine::SimTime;

/// Inference-profile prefixes and the region geography each spans.
const PROFILES: [(&str, &str); 3] = [("us", "US"), ("eu", "EU"), ("apac", "APAC")];

pub(super) fn check_managed(
    c: &Checker,
    p: &FieldPath,
    r: &RawRegion,
    region: &Region,
    catalog: &Catalog,
) -> Result<ManagedApi, ScenarioError> {
    let name = r.managed.as_deref().unwrap_or_default();
    for (key, set) in [
        ("profile", r.profile.is_some()),
        ("instances", r.instances.is_some()),
        ("max_batch", r.max_batch.is_some()),
        ("service", r.service.is_some()),
        ("autoscaling", r.autoscaling.is_some()),
    ] {
        if set {
            return Err(c.err(&p.clone().key(key), format!("`{key}` is for self-hosted deployments, but this region uses managed \"{name}\""), format!("remove `{key}`, or `managed`")));
        }
    }
    let model = catalog.managed_models.get(name).ok_or_else(|| {
        let hint = match did_you_mean(name, catalog.managed_models.keys().map(String::as_str)) {
            Some(best) => format!("did you mean \"{best}\"?"),
            None => format!(
                "use one of: {}",
                catalog
                    .managed_models
                    .keys()
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        c.err(
            &p.clone().key("managed"),
            format!("unknown managed model \"{name}\""),
            hint,
        )
    })?;
    let (input, output) = match (
        model.input_usd_per_1m_tokens.get(&region.code),
        model.output_usd_per_1m_tokens.get(&region.code),
    ) {
        (Some(i), Some(o)) => (*i, *o),
        _ => {
            return Err(c.err(
                &p.clone().key("managed"),
                format!("{name} has no price in {} in the catalog", region.code),
                format!(
                    "use a region where it is offered: {}",
                    model
                        .input_usd_per_1m_tokens
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ));
        }
    };
    let need = |v: Option<f64>, key: &str, what: &str| {
        v.ok_or_else(|| c.err(&p.clone().key(key), format!("a managed model needs `{key}` ({what})"), "the catalog has no public latency figures for managed models: measure yours and give it here"))
    };
    let ttft_ms = c.positive(
        &p.clone().key("ttft_ms"),
        need(
            r.ttft_ms,
            "ttft_ms",
            "time to first token in the region, ms",
        )?,
        600_000.0,
        "ms",
    )?;
    let tps = c.positive(
        &p.clone().key("output_tokens_per_s"),
        need(
            r.output_tokens_per_s,
            "output_tokens_per_s",
            "streaming speed",
        )?,
        100_000.0,
        "tokens/s",
    )?;
    let quota = |v: Option<f64>, default: u64, key: &str| -> Result<f64, ScenarioError> {
        let q = v.unwrap_or(default as f64);
        if q == 0.0 {
            return Err(c.err(
                &p.clone().key(key),
                "a quota of 0 would throttle every request".into(),
                "give a positive quota, or remove the region",
            ));
        }
        c.positive(&p.clone().key(key), q, 1.0e12, "per minute")
    };
    let inference_profile = match &r.inference_profile {
        None => None,
        Some(prefix) => {
            let (_, geography) =
                PROFILES
                    .iter()
                    .find(|(pfx, _)| pfx == prefix)
                    .ok_or_else(|| {
                        c.err(
                            &p.clone().key("inference_profile"),
                            format!("unknown inference profile \"{prefix}\""),
                            "use \"us\", \"eu\" or \"apac\"",
                        )
                    })?;
            if region.geography != *geography {
                return Err(c.err(
                    &p.clone().key("inference_profile"),
                    format!(
                        "{} is not in the \"{prefix}.\" geography ({geography})",
                        region.code
                    ),
                    "a profile spans regions of one geography; use the region's own",
                ));
            }
            Some(prefix.clone())
        }
    };
    Ok(ManagedApi {
        model: name.to_string(),
        ttft_ms,
        output_tokens_per_s: tps,
        rpm_quota: quota(r.rpm_quota, model.default_rpm_quota, "rpm_quota")?,
        tpm_quota: quota(r.tpm_quota, model.default_tpm_quota, "tpm_quota")?,
        input_usd_per_1m_tokens: input,
        output_usd_per_1m_tokens: output,
        spill_to: Vec::new(),
        inference_profile,
    })
}

/// Checks a serverless front end; its backend must serve a model (not be a front end only).
pub(super) fn check_frontend(
    c: &Checker,
    p: &FieldPath,
    f: &RawFrontend,
    deployments: &[Deployment],
) -> Result<Frontend, ScenarioError> {
    let backend = region_index(c, &p.clone().key("backend"), &f.backend, deployments)?;
    if matches!(deployments[backend].kind, DeploymentKind::FrontendOnly) {
        return Err(c.err(
            &p.clone().key("backend"),
            format!("{} only forwards requests itself", f.backend),
            "point the front end at a region that serves the model (profile or managed)",
        ));
    }
    if f.concurrency == 0 || f.concurrency > 1_000_000 {
        return Err(c.err(
            &p.clone().key("concurrency"),
            format!("concurrency {} is not allowed", f.concurrency),
            "use 1 to 1000000 (Lambda's default account limit is 1000 per region)",
        ));
    }
    let cold_start_ms = c.range(
        &p.clone().key("cold_start_ms"),
        f.cold_start_ms,
        0.0,
        60_000.0,
        "ms",
    )?;
    let idle_timeout_s = c.positive(
        &p.clone().key("idle_timeout_s"),
        f.idle_timeout_s,
        86_400.0,
        "s",
    )?;
    let fee = c.range(
        &p.clone().key("usd_per_million_requests"),
        f.usd_per_million_requests,
        0.0,
        1.0e6,
        "USD per million requests",
    )?;
    Ok(Frontend {
        backend,
        concurrency: f.concurrency,
        cold_start_ms,
        idle_timeout: SimTime::from_secs_ceil(idle_timeout_s),
        usd_per_million_requests: fee,
    })
}

/// Links each profiled managed deployment to the others of the same model and profile.
pub(super) fn link_profiles(deployments: &mut [Deployment]) {
    let keys: Vec<Option<(String, String)>> = deployments
        .iter()
        .map(|d| {
            d.managed()
                .and_then(|m| m.inference_profile.clone().map(|p| (m.model.clone(), p)))
        })
        .collect();
    for (i, d) in deployments.iter_mut().enumerate() {
        if let (DeploymentKind::Managed(m), Some(key)) = (&mut d.kind, &keys[i]) {
            m.spill_to = keys
                .iter()
                .enumerate()
                .filter(|(j, k)| *j != i && k.as_ref() == Some(key))
                .map(|(j, _)| j)
                .collect();
        }
    }
}
