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
    /// An action from a daily or weekly cron expression, firing within `sim`'s run (the
    /// planner builds its schedules with this).
    pub fn daily(
        name: &str,
        cron: &str,
        min_instances: u32,
        max_instances: u32,
        sim: &Simulation,
    ) -> Result<ScheduledAction, String> {
        let schedule = parse_cron(cron)?;
        Ok(ScheduledAction {
            name: name.to_string(),
            cron: cron.to_string(),
            times: firing_times(&schedule, sim),
            min_instances,
            max_instances,
        })
    }
}

/// Day names as AWS and Unix cron write them, Monday first (index = weekday number).
pub const WEEKDAYS: [&str; 7] = ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"];

/// When a cron expression fires: minutes of the UTC day, on some days of the week.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronSchedule {
    /// Minutes of the day (0–1439), sorted.
    pub minutes: Vec<u32>,
    /// Weekdays it fires on, Monday = 0.
    pub weekdays: [bool; 7],
}

/// Parses a daily or weekly cron expression: `minute hour * * weekday` (Unix, 5 fields) or
/// the AWS form `cron(minute hour ? * weekday *)` (6 fields). The weekday field is `*`,
/// `?`, or day names (`MON`, `MON,WED`, `MON-FRI`); day numbers are refused because AWS
/// counts 1 = Sunday and Unix 0 = Sunday.
pub fn parse_cron(cron: &str) -> Result<CronSchedule, String> {
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
    let mut rest: Vec<&str> = vec![fields[2], fields[3]];
    if fields.len() == 6 {
        rest.push(fields[5]);
    }
    if rest.iter().any(|f| *f != "*" && *f != "?") {
        return Err("only daily and weekly schedules are supported: day of month, month (and year) must be * or ?".into());
    }
    let weekdays = weekday_field(fields[4])?;
    let minutes = field(fields[0], 0, 59).map_err(|e| format!("minute {e}"))?;
    let hours = field(fields[1], 0, 23).map_err(|e| format!("hour {e}"))?;
    let mut all: Vec<u32> = hours
        .iter()
        .flat_map(|h| minutes.iter().map(move |m| h * 60 + m))
        .collect();
    all.sort_unstable();
    Ok(CronSchedule {
        minutes: all,
        weekdays,
    })
}

/// The weekday field: every day, or named days and ranges of them.
fn weekday_field(spec: &str) -> Result<[bool; 7], String> {
    if spec == "*" || spec == "?" {
        return Ok([true; 7]);
    }
    let day = |name: &str| -> Result<usize, String> {
        WEEKDAYS
            .iter()
            .position(|d| d.eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                if name.chars().all(|c| c.is_ascii_digit()) {
                    format!("weekday \"{name}\": use day names (MON … SUN); AWS counts 1 = Sunday, Unix 0 = Sunday")
                } else {
                    format!("weekday \"{name}\" is not MON, TUE, WED, THU, FRI, SAT or SUN")
                }
            })
    };
    let mut out = [false; 7];
    for part in spec.split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(a)?, day(b)?);
                if a > b {
                    return Err(format!(
                        "weekday range \"{part}\" runs backwards (weeks start on MON here)"
                    ));
                }
                out[a..=b].iter_mut().for_each(|d| *d = true);
            }
            None => out[day(part)?] = true,
        }
    }
    Ok(out)
}

/// The simulated times (warm-up included), in order, at which `schedule` fires during
/// `sim`'s run. The UTC day of the measured start is `sim.start_weekday`.
fn firing_times(schedule: &CronSchedule, sim: &Simulation) -> Vec<SimTime> {
    let minutes = &schedule.minutes;
    let end = sim.warmup + sim.duration;
    // Simulated time 0 is `warmup` before the measured window, which starts at
    // start_utc_hour.
    let t0_utc_min = sim.start_utc_hour * 60.0 - sim.warmup.as_secs_f64() / 60.0;
    let mut times = Vec::new();
    let first_day = (t0_utc_min / 1440.0).floor() as i64;
    let last_day = ((t0_utc_min + end.as_secs_f64() / 60.0) / 1440.0).ceil() as i64;
    for day in first_day..=last_day {
        // Day 0 is the measured start's UTC day (start_utc_hour may be 24: the next day).
        let start_day = (sim.start_utc_hour / 24.0).floor() as i64;
        let weekday = (i64::from(sim.start_weekday) + day - start_day).rem_euclid(7) as usize;
        if !schedule.weekdays[weekday] {
            continue;
        }
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

/// Parses a daily cron expression (every day of the week; see [`parse_cron`]). Returns the
/// minutes of the day it fires at.
pub fn daily_minutes(cron: &str) -> Result<Vec<u32>, String> {
    let s = parse_cron(cron)?;
    if s.weekdays != [true; 7] {
        return Err("a daily schedule fires every day: the weekday field must be * or ?".into());
    }
    Ok(s.minutes)
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
        let schedule = parse_cron(&a.cron).map_err(|m| {
            c.err(
                &ap.clone().key("cron"),
                format!("cron \"{}\": {m}", a.cron),
                "e.g. cron = \"0 13 * * *\" (13:00 UTC daily), \"cron(30 6 * * ? *)\" or \"cron(0 8 ? * MON-FRI *)\" (weekdays)",
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
        let times = firing_times(&schedule, sim);
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
        assert!(
            daily_minutes("0 8 ? * MON *")
                .unwrap_err()
                .contains("weekday")
        );
    }

    #[test]
    fn weekly_schedules_fire_on_their_days() {
        let s = parse_cron("cron(0 8 ? * MON-WED,SAT *)").unwrap();
        assert_eq!(s.minutes, vec![480]);
        assert_eq!(s.weekdays, [true, true, true, false, false, true, false]);
        assert!(parse_cron("0 8 * * 1").unwrap_err().contains("day names"));
        assert!(
            parse_cron("0 8 * * FRI-MON")
                .unwrap_err()
                .contains("backwards")
        );
        // A week from Wednesday 00:00 UTC (no warm-up): Mondays 08:00 fire once, on day 5.
        let sim = Simulation {
            duration: SimTime::from_secs(7 * 86_400),
            warmup: SimTime::ZERO,
            seed: 1,
            replications: 1,
            start_utc_hour: 0.0,
            timeseries_step: SimTime::from_secs(3600),
            cell_step: None,
            start_weekday: 2,
        };
        let mon = parse_cron("cron(0 8 ? * MON *)").unwrap();
        assert_eq!(
            firing_times(&mon, &sim),
            vec![SimTime::from_secs(5 * 86_400 + 8 * 3600)]
        );
        // With a day of warm-up, the warm-up day is Tuesday.
        let warm = Simulation {
            warmup: SimTime::from_secs(86_400),
            ..sim.clone()
        };
        let tue = parse_cron("cron(0 8 ? * TUE *)").unwrap();
        assert_eq!(firing_times(&tue, &warm)[0], SimTime::from_secs(8 * 3600));
    }
}
