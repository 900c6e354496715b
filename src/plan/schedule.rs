//! A capacity plan's instance counts per region and step, and the scheduled scaling
//! actions (daily cron, UTC) that realise them.

use crate::engine::SimTime;

/// Instances per self-hosted deployment and planning step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceSchedule {
    /// Region code per deployment.
    regions: Vec<String>,
    /// `[deployment][step]`; empty for deployments without instances.
    counts: Vec<Vec<u32>>,
    /// The horizon is a whole day or week: step 0 follows the last step.
    wraps: bool,
    /// The horizon is longer than a day: actions name their weekday.
    weekly: bool,
}

/// One scheduled scaling action of a plan: at `cron` (UTC, daily) the region's capacity
/// becomes `desired`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedAction {
    /// Index of the deployment in the scenario.
    pub deployment: usize,
    pub region: String,
    /// E.g. `us-east-1-up-0855`.
    pub name: String,
    /// AWS form, e.g. `cron(55 8 * * ? *)`.
    pub cron: String,
    /// Minute of the UTC day it fires at.
    pub utc_minute: u32,
    /// Day of the week it fires on (0 = Monday) when the plan is longer than a day.
    pub weekday: Option<u32>,
    /// The step whose capacity it provides.
    pub step: usize,
    pub desired: u32,
}

impl InstanceSchedule {
    /// A schedule with `value` instances in every step of every deployment listed in
    /// `hosted` (the self-hosted ones).
    pub fn uniform(
        regions: Vec<String>,
        hosted: &[bool],
        steps: usize,
        horizon_h: u32,
        value: u32,
    ) -> InstanceSchedule {
        InstanceSchedule {
            counts: hosted
                .iter()
                .map(|h| if *h { vec![value; steps] } else { Vec::new() })
                .collect(),
            regions,
            wraps: horizon_h == 24 || horizon_h == 168,
            weekly: horizon_h > 24,
        }
    }

    /// Instances of deployment `d` in `step` (0 for deployments without instances).
    pub fn at(&self, d: usize, step: usize) -> u32 {
        self.counts[d].get(step).copied().unwrap_or(0)
    }

    pub fn set(&mut self, d: usize, step: usize, value: u32) {
        self.counts[d][step] = value;
    }

    /// Deployments with instances.
    pub fn hosted(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.counts.len()).filter(|d| !self.counts[*d].is_empty())
    }

    pub fn steps(&self) -> usize {
        self.counts.iter().map(Vec::len).max().unwrap_or(0)
    }

    pub fn region(&self, d: usize) -> &str {
        &self.regions[d]
    }

    /// The counts of deployment `d`, one per step.
    pub fn row(&self, d: usize) -> &[u32] {
        &self.counts[d]
    }

    /// Instance-steps in the whole plan.
    pub fn total(&self) -> u64 {
        self.counts.iter().flatten().map(|c| u64::from(*c)).sum()
    }

    /// What deployment `d` runs just before the horizon starts: the last step's count
    /// when the plan repeats daily, else the first step's.
    pub fn count_before_start(&self, d: usize) -> u32 {
        let row = &self.counts[d];
        match (self.wraps, row.last(), row.first()) {
            (true, Some(last), _) => *last,
            (false, _, Some(first)) => *first,
            _ => 0,
        }
    }

    /// The scheduled actions that realise the schedule: a scale-up `lead` (rounded up to
    /// whole minutes) before the step that needs it, so instances are ready when it
    /// starts; a scale-down when the step starts. Daily cron expressions for plans of up to
    /// a day; weekly ones (`cron(55 8 ? * MON *)`) for longer plans, whose first step is
    /// on `start_weekday` (0 = Monday). Ordered by deployment, then step.
    pub fn actions(
        &self,
        start_utc_hour: f64,
        start_weekday: u32,
        step: SimTime,
        lead: SimTime,
    ) -> Vec<PlannedAction> {
        const DAY: u64 = 1440;
        const WEEK: u64 = 7 * DAY;
        let lead_min = lead.as_us().div_ceil(60_000_000);
        let step_min = step.as_us() / 60_000_000;
        let start_min = u64::from(start_weekday % 7) * DAY + (start_utc_hour * 60.0).round() as u64;
        let mut out = Vec::new();
        for d in self.hosted() {
            let row = &self.counts[d];
            for (h, &desired) in row.iter().enumerate() {
                let prev = match h {
                    0 if self.wraps => row[row.len() - 1],
                    0 => continue,
                    _ => row[h - 1],
                };
                if desired == prev {
                    continue;
                }
                // Minute of the week, kept non-negative by adding a week first.
                let boundary = start_min + h as u64 * step_min + WEEK;
                let at = if desired > prev {
                    boundary - lead_min
                } else {
                    boundary
                } % WEEK;
                let (day, hh, mm) = (at / DAY, at % DAY / 60, at % 60);
                let direction = if desired > prev { "up" } else { "down" };
                let (name, cron, weekday) = if self.weekly {
                    let wd = crate::scenario::WEEKDAYS[day as usize];
                    (
                        format!("{}-{direction}-{wd}-{hh:02}{mm:02}", self.regions[d]),
                        format!("cron({mm} {hh} ? * {wd} *)"),
                        Some(day as u32),
                    )
                } else {
                    (
                        format!("{}-{direction}-{hh:02}{mm:02}", self.regions[d]),
                        format!("cron({mm} {hh} * * ? *)"),
                        None,
                    )
                };
                out.push(PlannedAction {
                    deployment: d,
                    region: self.regions[d].clone(),
                    name,
                    cron,
                    utc_minute: (at % DAY) as u32,
                    weekday,
                    step: h,
                    desired,
                });
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_ups_fire_a_lead_time_early_and_scale_downs_on_time() {
        let mut s = InstanceSchedule::uniform(
            vec!["us-east-1".into(), "x".into()],
            &[true, false],
            24,
            24,
            2,
        );
        s.set(0, 9, 5);
        let a = s.actions(0.0, 0, SimTime::from_secs(3600), SimTime::from_secs(270));
        assert_eq!(a.len(), 2);
        // Up to 5 for 09:00: 270 s → 5 minutes early.
        assert_eq!(a[0].cron, "cron(55 8 * * ? *)");
        assert_eq!((a[0].desired, a[0].step), (5, 9));
        assert_eq!(a[0].name, "us-east-1-up-0855");
        // Back to 2 at 10:00.
        assert_eq!(a[1].cron, "cron(0 10 * * ? *)");
        assert_eq!(s.count_before_start(0), 2);
        // A scale-up at step 0 of a daily plan wraps to the previous evening.
        s.set(0, 0, 3);
        let a = s.actions(0.0, 0, SimTime::from_secs(3600), SimTime::from_secs(600));
        assert_eq!(a[0].cron, "cron(50 23 * * ? *)");
        assert_eq!(s.total(), 2 * 22 + 5 + 3);
    }

    #[test]
    fn weekly_plans_name_their_days() {
        // A week from Monday 00:00 UTC in hourly steps.
        let mut s = InstanceSchedule::uniform(vec!["eu-west-1".into()], &[true], 168, 168, 1);
        // Tuesday 09:00 needs 4; the first hour of the week (Monday 00:00) needs 2.
        s.set(0, 24 + 9, 4);
        s.set(0, 0, 2);
        let a = s.actions(0.0, 0, SimTime::from_secs(3600), SimTime::from_secs(300));
        let crons: Vec<&str> = a.iter().map(|x| x.cron.as_str()).collect();
        assert_eq!(
            crons,
            vec![
                // Up for Monday 00:00 fires Sunday 23:55 (the week wraps).
                "cron(55 23 ? * SUN *)",
                "cron(0 1 ? * MON *)",
                "cron(55 8 ? * TUE *)",
                "cron(0 10 ? * TUE *)",
            ]
        );
        assert_eq!(a[2].name, "eu-west-1-up-TUE-0855");
        assert_eq!(a[2].weekday, Some(1));
        // The same plan starting on a Friday shifts every day by four.
        let f = s.actions(0.0, 4, SimTime::from_secs(3600), SimTime::from_secs(300));
        assert_eq!(f[2].cron, "cron(55 8 ? * SAT *)");
    }
}
