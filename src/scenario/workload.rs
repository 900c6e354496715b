//! Validation of real-workload settings: `[traffic.trace]` (trace replay) and closed-loop
//! sites (`virtual_users`, `think_mean_s`).

use std::path::Path;
use std::sync::Arc;

use super::error::{FieldPath, ScenarioError};
use super::raw::{RawSite, RawTrace};
use super::validate::Checker;
use super::{ClosedLoop, TraceReplay, UserSite};
use crate::workload::{Trace, TraceColumns};

/// Most virtual users one site may run (each is a request in flight at all times).
const MAX_VIRTUAL_USERS: u32 = 1_000_000;
/// Largest replay speed-up; beyond it a trace's gaps shrink below the µs clock.
const MAX_SPEEDUP: f64 = 1.0e4;
const NS_PER_HOUR: f64 = 3.6e12;

impl TraceReplay {
    /// Mean arrival rate of the replay, requests/s (the trace's rate × speed-up).
    pub fn mean_rate_rps(&self) -> f64 {
        self.trace.len() as f64 / (self.trace.period_ns() as f64 * 1e-9) * self.speedup
    }
}

pub(super) fn check_closed_loop(
    c: &Checker,
    p: &FieldPath,
    raw: &RawSite,
) -> Result<Option<ClosedLoop>, ScenarioError> {
    let Some(users) = raw.virtual_users else {
        if raw.think_mean_s.is_some() {
            return Err(c.err(
                &p.clone().key("think_mean_s"),
                "a think time without `virtual_users`".into(),
                "think time belongs to closed-loop users: add virtual_users = N, or drop think_mean_s",
            ));
        }
        return Ok(None);
    };
    if users == 0 || users > MAX_VIRTUAL_USERS {
        return Err(c.err(
            &p.clone().key("virtual_users"),
            format!("{users} virtual users is not allowed"),
            format!("use 1 to {MAX_VIRTUAL_USERS}"),
        ));
    }
    let think_mean_s = c.range(
        &p.clone().key("think_mean_s"),
        raw.think_mean_s.unwrap_or(0.0),
        0.0,
        86_400.0,
        "s",
    )?;
    Ok(Some(ClosedLoop {
        virtual_users: users,
        think_mean_s,
    }))
}

pub(super) fn check_trace(
    c: &Checker,
    p: &FieldPath,
    raw: &RawTrace,
    sites: &[UserSite],
) -> Result<TraceReplay, ScenarioError> {
    if sites.iter().all(|s| s.closed_loop.is_some()) {
        return Err(c.err(
            p,
            "a trace, but every site is closed-loop".into(),
            "a trace drives open-loop sites: add a site without virtual_users, or drop [traffic.trace]",
        ));
    }
    let speedup = c.positive(
        &p.clone().key("speedup"),
        raw.speedup,
        MAX_SPEEDUP,
        "(× recorded speed)",
    )?;
    let recorded = raw
        .recorded_utc_offset_hours
        .map(|h| {
            c.range(
                &p.clone().key("recorded_utc_offset_hours"),
                h,
                -12.0,
                14.0,
                "h",
            )
        })
        .transpose()?;
    let defaults = TraceColumns::default();
    let columns = TraceColumns {
        timestamp: raw.timestamp_column.clone().unwrap_or(defaults.timestamp),
        prompt_tokens: raw.prompt_column.clone().unwrap_or(defaults.prompt_tokens),
        output_tokens: raw.output_column.clone().unwrap_or(defaults.output_tokens),
        site: raw.site_column.clone(),
    };
    // Relative to the scenario file, so a scenario and its trace move together.
    let base = Path::new(c.file).parent().unwrap_or(Path::new(""));
    let path = base.join(&raw.file);
    let shown = path.display().to_string();
    let trace = Trace::load(&path, &shown, &columns)
        .map_err(|e| c.err(&p.clone().key("file"), e.to_string(), e.hint()))?;
    let site_of_row = match &trace.site_of_row {
        None => None,
        Some(rows) => {
            let mut to_scenario = Vec::with_capacity(trace.site_names.len());
            for name in &trace.site_names {
                let i = sites
                    .iter()
                    .position(|s| &s.site.name == name && s.closed_loop.is_none())
                    .ok_or_else(|| {
                        c.err(
                            &p.clone().key("site_column"),
                            format!(
                                "trace {shown}: site \"{name}\" is not an open-loop site of this scenario"
                            ),
                            "list every site the trace names under [traffic] sites",
                        )
                    })?;
                to_scenario.push(i as u32);
            }
            Some(Arc::new(
                rows.iter().map(|r| to_scenario[*r as usize]).collect(),
            ))
        }
    };
    let shift_ns = sites
        .iter()
        .map(|s| match recorded {
            Some(rec) => ((s.site.utc_offset_hours - rec) * NS_PER_HOUR).round() as i64,
            None => 0,
        })
        .collect();
    Ok(TraceReplay {
        trace: Arc::new(trace),
        speedup,
        looping: raw.looping,
        shift_ns,
        site_of_row,
    })
}
