//! Scheduled scaling actions (Application Auto Scaling `put_scheduled_action`): at times
//! given by a cron expression in UTC, a region's autoscaling range changes.

use super::error::{FieldPath, ScenarioError};
use super::raw::RawScheduledAction;
use super::validate::Checker;
use super::{Autoscaling, Simulation};
use crate::engine::SimTime;

/// One scheduled action with its firing times.
#[derive(Debug, Clone, PartialEq)]
pub struct ScheduledAction {
    pub name: String,
    /// The cron expression as given.
    pub cron: String,
    /// When it fires (simulated time, warm-up included), in order.
    pub times: Vec<SimTime>,
    pub min_instances: u32,
    pub max_instances: u32,
}

impl ScheduledAction {
    /// An action from a daily cron expression, firing within `sim`'s run (the planner
    /// builds its schedules with this).
    pub fn daily(
        name: &str,
        cron: &str,
        min_instances: u32,
        max_instances: u32,
        sim: &Simulation,
    ) -> Result<ScheduledAction, String> {
        let minutes = daily_minutes(cron)?;
        Ok(ScheduledAction {
            name: name.to_string(),
            cron: cron.to_string(),
            times: firing_times(&minutes, sim),
            min_instances,
            max_instances,
        })
    }
}

/// The simulated times (warm-up included), in order, at which a daily schedule firing at
/// these minutes of the UTC day fires during `sim`'s run.
fn firing_times(minutes: &[u32], sim: &Simulation) -> Vec<SimTime> {
    let end = sim.warmup + sim.duration;
    // Simulated time 0 is `warmup` before the measured window, which starts at
    // start_utc_hour.
    let t0_utc_min = sim.start_utc_hour * 60.0 - sim.warmup.as_secs_f64() / 60.0;
    let mut times = Vec::new();
    let first_day = (t0_utc_min / 1440.0).floor() as i64;
    let last_day = ((t0_utc_min + end.as_secs_f64() / 60.0) / 1440.0).ceil() as i64;
    for day in first_day..=last_day {
        for m in minutes {
            let at_min = day as f64 * 1440.0 + f64::from(*m) - t0_utc_min;
            if at_min >= 0.0 {
                let at = SimTime::from_secs_ceil(at_min * 60.0);
                if at < end {
                    times.push(at);
                }
            }
        }
    }
    times.sort_unstable();
    times
}

/// Values a cron field allows, or why it is not supported.
fn field(spec: &str, lo: u32, hi: u32) -> Result<Vec<u32>, String> {
    if spec == "*" {
        return Ok((lo..=hi).collect());
    }
    if let Some(step) = spec.strip_prefix("*/") {
        let n: u32 = step
            .parse()
            .map_err(|_| format!("\"{spec}\": the step must be a whole number"))?;
        if n == 0 {
            return Err(format!("\"{spec}\": the step must be at least 1"));
        }
        return Ok((lo..=hi).step_by(n as usize).collect());
    }
    let mut out = Vec::new();
    for part in spec.split(',') {
        let v: u32 = part
            .parse()
            .map_err(|_| format!("\"{part}\" is not a number, `*`, `*/n` or a list"))?;
        if v < lo || v > hi {
            return Err(format!("{v} is outside {lo}–{hi}"));
        }
        out.push(v);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Parses a daily cron expression: `minute hour * * *` (Unix, 5 fields) or the AWS form
/// `cron(minute hour * * ? *)` (6 fields). Returns the minutes of the day it fires at.
pub fn daily_minutes(cron: &str) -> Result<Vec<u32>, String> {
    let inner = cron
        .trim()
        .strip_prefix("cron(")
        .and_then(|s| s.strip_suffix(')'))
        .unwrap_or(cron.trim());
    let fields: Vec<&str> = inner.split_whitespace().collect();
    if fields.len() != 5 && fields.len() != 6 {
        return Err(format!(
            "{} fields; a cron expression has 5 (minute hour day month weekday) or 6 in AWS form",
            fields.len()
        ));
    }
    if fields[2..].iter().any(|f| *f != "*" && *f != "?") {
        return Err("only daily schedules are supported: day of month, month, weekday (and year) must be * or ?".into());
    }
    let minutes = field(fields[0], 0, 59).map_err(|e| format!("minute {e}"))?;
    let hours = field(fields[1], 0, 23).map_err(|e| format!("hour {e}"))?;
    Ok(hours
        .iter()
        .flat_map(|h| minutes.iter().map(move |m| h * 60 + m))
        .collect())
}

pub(super) fn check(
    c: &Checker,
    p: &FieldPath,
    raw: &[RawScheduledAction],
    autoscaling: Option<&Autoscaling>,
    sim: &Simulation,
) -> Result<Vec<ScheduledAction>, ScenarioError> {
    if !raw.is_empty() && autoscaling.is_none() {
        return Err(c.err(&p.clone().index(0), "scheduled actions change the autoscaling range, but this region has no autoscaling".into(), "add autoscaling = { min_instances = ..., max_instances = ..., target_utilisation = ... }"));
    }
    let mut out = Vec::with_capacity(raw.len());
    for (i, a) in raw.iter().enumerate() {
        let ap = p.clone().index(i);
        let minutes = daily_minutes(&a.cron).map_err(|m| {
            c.err(
                &ap.clone().key("cron"),
                format!("cron \"{}\": {m}", a.cron),
                "e.g. cron = \"0 13 * * *\" (13:00 UTC daily) or \"cron(30 6 * * ? *)\"",
            )
        })?;
        // As in Application Auto Scaling, a scheduled minimum may be 0 (target tracking still
        // launches an instance when requests come).
        if a.max_instances == 0
            || a.min_instances > a.max_instances
            || a.max_instances > super::validate::MAX_INSTANCES
        {
            return Err(c.err(
                &ap.clone().key("max_instances"),
                format!(
                    "min_instances {} and max_instances {} do not make a range",
                    a.min_instances, a.max_instances
                ),
                "use 0 ≤ min_instances ≤ max_instances, max_instances ≥ 1",
            ));
        }
        let times = firing_times(&minutes, sim);
        out.push(ScheduledAction {
            name: a.name.clone(),
            cron: a.cron.clone(),
            times,
            min_instances: a.min_instances,
            max_instances: a.max_instances,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_daily_schedules_in_both_forms() {
        assert_eq!(daily_minutes("0 13 * * *").unwrap(), vec![780]);
        assert_eq!(daily_minutes("cron(30 6 * * ? *)").unwrap(), vec![390]);
        assert_eq!(
            daily_minutes("0,30 */12 * * *").unwrap(),
            vec![0, 30, 720, 750]
        );
        assert!(daily_minutes("0 13 1 * *").unwrap_err().contains("daily"));
        assert!(daily_minutes("61 1 * * *").unwrap_err().contains("minute"));
        assert!(daily_minutes("0 13 * *").unwrap_err().contains("fields"));
    }
}
