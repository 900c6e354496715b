//! Chart data from simulation results: a run's charts and a comparison's charts. Counts and
//! costs in a merged result are sums over replications; everything here is per replication.

use super::{
    AnyChartList, CapacityHeatmap, CostBar, CostBreakdown, CostSegment, FailoverMarker,
    FailoverTimeline, LatencyCdf, LatencyOverDay, LoadCapacity, MapRegion, MapSite, NamedChart,
    RegionLoad, RegionPercentiles, Series, WorldMap,
};
use crate::charts::render::AnyChart;
use crate::comparison::ComparedRun;
use crate::metrics::{LatencyHistogram, LatencyTimeline, SUCCESS_BUCKET};
use crate::run::RunResult;
use crate::scenario::{DeploymentKind, Scenario};

/// Percentiles sampled for a CDF line: every percent, then the tail.
const CDF_PERCENTILES: [f64; 6] = [99.25, 99.5, 99.75, 99.9, 99.95, 99.99];

/// Seconds shown before a fault's start on its timeline.
const FAILOVER_LEAD_S: f64 = 120.0;
/// Seconds shown after the last marker (recovery or the fault's end).
const FAILOVER_TAIL_S: f64 = 300.0;

/// `(latency [ms], share at or below)` points of a histogram; empty without samples.
pub fn cdf_points(h: &LatencyHistogram) -> Vec<(f64, f64)> {
    if h.count() == 0 {
        return Vec::new();
    }
    (0..=99)
        .map(f64::from)
        .chain(CDF_PERCENTILES)
        .map(|p| (h.percentile_ms(p.max(0.01)), p / 100.0))
        .collect()
}

fn reps(r: &RunResult) -> f64 {
    f64::from(r.replications.max(1))
}

fn region_codes(s: &Scenario) -> Vec<String> {
    s.deployments
        .iter()
        .map(|d| d.region.code.clone())
        .collect()
}

/// UTC hour at `t_s` seconds into the measured window.
fn hour_at(s: &Scenario, t_s: f64) -> f64 {
    s.simulation.start_utc_hour + t_s / 3600.0
}

/// TTFT and end-to-end CDFs, one line per region and one for all regions.
pub fn run_latency_cdf(r: &RunResult) -> LatencyCdf {
    let m = &r.merged;
    let mut ttft = Vec::new();
    let mut e2e = Vec::new();
    for (code, rm) in region_codes(&r.scenario).into_iter().zip(&m.regions) {
        if rm.latency.e2e.count() == 0 && rm.latency.ttft.count() == 0 {
            continue;
        }
        ttft.push(Series {
            name: code.clone(),
            points: cdf_points(&rm.latency.ttft),
        });
        e2e.push(Series {
            name: code,
            points: cdf_points(&rm.latency.e2e),
        });
    }
    if ttft.len() > 1 {
        ttft.push(Series {
            name: "all regions".into(),
            points: cdf_points(&m.latency.ttft),
        });
        e2e.push(Series {
            name: "all regions".into(),
            points: cdf_points(&m.latency.e2e),
        });
    }
    LatencyCdf {
        title: format!("{}: latency CDF by serving region", r.scenario.name),
        ttft,
        e2e,
    }
}

/// Which latency a chart shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LatencyMetric {
    Ttft,
    EndToEnd,
}

/// Percentile bands over the day per region.
pub fn run_latency_over_day(r: &RunResult, metric: LatencyMetric) -> LatencyOverDay {
    let t = &r.merged.timelines;
    let (series, what): (&[LatencyTimeline], &str) = match metric {
        LatencyMetric::Ttft => (&t.region_ttft, "time to first token"),
        LatencyMetric::EndToEnd => (&t.region_e2e, "end-to-end latency"),
    };
    let regions = region_codes(&r.scenario)
        .into_iter()
        .zip(series)
        .map(|(name, tl)| {
            let p50_ms = tl.percentiles_ms(50.0);
            let hours = (0..p50_ms.len())
                .map(|i| hour_at(&r.scenario, i as f64 * tl.step_s()))
                .collect();
            RegionPercentiles {
                name,
                hours,
                p50_ms,
                p95_ms: tl.percentiles_ms(95.0),
                p99_ms: tl.percentiles_ms(99.0),
            }
        })
        .collect();
    LatencyOverDay {
        title: format!("{}: {what} percentiles over the day", r.scenario.name),
        metric: what.into(),
        regions,
    }
}

/// Request rate, capacity, instances and utilisation per region over the day.
///
/// Capacity is what the running instances serve with every batch slot busy, at the run's
/// measured slot-holding time per request (busy slot-seconds ÷ completed requests, Little's
/// law); it is left out for managed APIs and front ends, which have no slots.
pub fn run_load_capacity(r: &RunResult) -> LoadCapacity {
    let s = &r.scenario;
    let n = reps(r);
    let duration_s = s.simulation.duration.as_secs_f64();
    let step_s = s.simulation.timeseries_step.as_secs_f64().max(1.0);
    let bucket_s = SUCCESS_BUCKET.as_secs_f64();
    let regions = s
        .deployments
        .iter()
        .zip(&r.merged.regions)
        .zip(&r.merged.timelines.region_requests)
        .map(|((d, rm), requests)| {
            // 10 s request counts regrouped into the time-series step.
            let mut rate: Vec<(f64, f64)> = Vec::new();
            let mut group = (usize::MAX, 0u64, 0.0f64);
            let flush = |g: (usize, u64, f64), rate: &mut Vec<(f64, f64)>| {
                if g.0 != usize::MAX && g.2 > 0.0 {
                    let t = g.0 as f64 * step_s;
                    rate.push((hour_at(s, t), g.1 as f64 / n / g.2));
                }
            };
            for (i, c) in requests.totals().into_iter().enumerate() {
                let start = i as f64 * bucket_s;
                let k = (start / step_s) as usize;
                if k != group.0 {
                    flush(group, &mut rate);
                    group = (k, 0, 0.0);
                }
                group.1 += c;
                group.2 += bucket_s.min(duration_s - start);
            }
            flush(group, &mut rate);
            let starts = rm.instances.bucket_starts_s();
            let at_hours = |v: &[f64], scale: f64| -> Vec<(f64, f64)> {
                starts
                    .iter()
                    .zip(v)
                    .map(|(t, y)| (hour_at(s, *t), y * scale))
                    .collect()
            };
            let instances = at_hours(&rm.instances.means(), 1.0);
            let capacity_rps = match &d.kind {
                DeploymentKind::SelfHosted(h) if rm.outcomes.completed > 0 => {
                    let slots = f64::from(h.max_batch);
                    let busy_slot_s = rm.utilisation.overall_mean()
                        * rm.instances.overall_mean()
                        * slots
                        * duration_s;
                    let per_rep = rm.outcomes.completed as f64 / n;
                    let hold_s = busy_slot_s / per_rep;
                    if hold_s > 0.0 {
                        at_hours(&rm.instances.means(), slots / hold_s)
                    } else {
                        Vec::new()
                    }
                }
                _ => Vec::new(),
            };
            RegionLoad {
                name: d.region.code.clone(),
                request_rate_rps: rate,
                capacity_rps,
                instances,
                utilisation_pct: at_hours(&rm.utilisation.means(), 100.0),
            }
        })
        .collect();
    LoadCapacity {
        title: format!("{}: load and capacity per region", s.name),
        end_hour: hour_at(s, duration_s),
        regions,
    }
}

/// Time-averaged running instances per region and UTC hour, with each region's cost.
pub fn run_capacity_heatmap(r: &RunResult) -> CapacityHeatmap {
    let s = &r.scenario;
    let n = reps(r);
    let first_hour = s.simulation.start_utc_hour.floor();
    let duration_s = s.simulation.duration.as_secs_f64();
    let columns = ((hour_at(s, duration_s) - first_hour).ceil() as usize).max(1);
    let hours = (0..columns)
        .map(|c| super::render::clock(first_hour + c as f64))
        .collect();
    let instances = r
        .merged
        .regions
        .iter()
        .map(|rm| {
            let mut sum = vec![0.0; columns];
            let mut weight = vec![0.0; columns];
            let step = s.simulation.timeseries_step.as_secs_f64();
            for (t, v) in rm
                .instances
                .bucket_starts_s()
                .iter()
                .zip(rm.instances.means())
            {
                let c = ((hour_at(s, *t) - first_hour) as usize).min(columns - 1);
                let w = step.min(duration_s - t);
                sum[c] += v * w;
                weight[c] += w;
            }
            sum.iter()
                .zip(&weight)
                .map(|(a, w)| if *w > 0.0 { a / w } else { 0.0 })
                .collect()
        })
        .collect();
    let cost_usd = r
        .merged
        .regions
        .iter()
        .map(|rm| (rm.instance_cost_usd + rm.token_cost_usd + rm.request_fees_usd) / n)
        .collect();
    CapacityHeatmap {
        title: format!("{}: instances per region and hour", s.name),
        regions: region_codes(s),
        hours,
        instances,
        cost_usd,
    }
}

/// (component, USD per replication) of one region's costs, in a fixed order.
pub(super) fn components(instances: f64, tokens: f64, fees: f64) -> Vec<CostSegment> {
    [
        ("instances", instances),
        ("tokens", tokens),
        ("request fees", fees),
    ]
    .into_iter()
    .map(|(c, usd)| CostSegment {
        component: c.into(),
        usd,
    })
    .collect()
}

/// Drops components that are zero in every bar (a run without managed APIs has no tokens).
pub(super) fn drop_empty_components(bars: &mut [CostBar]) {
    let used: Vec<String> = bars
        .iter()
        .flat_map(|b| &b.segments)
        .filter(|s| s.usd > 0.0)
        .map(|s| s.component.clone())
        .collect();
    for b in bars {
        b.segments.retain(|s| used.contains(&s.component));
    }
}

/// Cost per region stacked by component, per replication (one measured window).
pub fn run_cost_breakdown(r: &RunResult) -> CostBreakdown {
    let n = reps(r);
    let mut bars: Vec<CostBar> = region_codes(&r.scenario)
        .into_iter()
        .zip(&r.merged.regions)
        .map(|(label, rm)| CostBar {
            label,
            segments: components(
                rm.instance_cost_usd / n,
                rm.token_cost_usd / n,
                rm.request_fees_usd / n,
            ),
        })
        .collect();
    drop_empty_components(&mut bars);
    CostBreakdown {
        title: format!("{}: cost by region and component", r.scenario.name),
        y_desc: "cost per run [USD]".into(),
        bars,
    }
}

/// One timeline per scenario fault, from `FAILOVER_LEAD_S` before it to a while after
/// recovery (or its end).
pub fn run_failover_timelines(r: &RunResult) -> Vec<FailoverTimeline> {
    let s = &r.scenario;
    let Some(latency) = &r.merged.timelines.fault_e2e else {
        return Vec::new();
    };
    let ratios = r.merged.success.ratios();
    let starts = r.merged.success.bucket_starts_s();
    let p99 = latency.percentiles_ms(99.0);
    r.faults
        .iter()
        .map(|f| {
            let mut markers = vec![FailoverMarker {
                label: "fault start".into(),
                t_s: 0.0,
            }];
            if f.detected_after_s.n > 0 {
                let detected = f.detected_after_s.mean;
                markers.push(FailoverMarker {
                    label: "detected by health checks".into(),
                    t_s: detected,
                });
                if let Some(dns) = &s.dns {
                    let ttl = dns.ttl.as_secs_f64();
                    markers.push(FailoverMarker {
                        label: "DNS TTL expired".into(),
                        t_s: detected + ttl,
                    });
                    if dns.stale_share > 0.0 && dns.stale_ttl_factor > 1.0 {
                        markers.push(FailoverMarker {
                            label: "stale resolvers expired".into(),
                            t_s: detected + ttl * dns.stale_ttl_factor,
                        });
                    }
                }
            }
            if f.recovery_s.n > 0 {
                markers.push(FailoverMarker {
                    label: "recovered".into(),
                    t_s: f.recovery_s.mean,
                });
            }
            markers.push(FailoverMarker {
                label: "fault end".into(),
                t_s: f.duration_s,
            });
            let last = markers.iter().map(|m| m.t_s).fold(0.0, f64::max);
            let (from, to) = (
                f.start_s - FAILOVER_LEAD_S,
                f.start_s + last + FAILOVER_TAIL_S,
            );
            let shown: Vec<usize> = (0..starts.len())
                .filter(|&i| starts[i] >= from && starts[i] <= to)
                .collect();
            FailoverTimeline {
                title: format!("{}: {}", s.name, f.label),
                t_s: shown.iter().map(|&i| starts[i] - f.start_s).collect(),
                success_pct: shown.iter().map(|&i| ratios[i] * 100.0).collect(),
                p99_ms: shown
                    .iter()
                    .map(|&i| p99.get(i).copied().flatten())
                    .collect(),
                target_pct: Some(f.recovery_target_pct),
                markers,
            }
        })
        .collect()
}

/// Sites sized by their traffic share, coloured by the region that served most of them.
pub fn run_world_map(r: &RunResult) -> WorldMap {
    let s = &r.scenario;
    let t = &r.merged.timelines;
    WorldMap {
        title: format!("{}: where users are and which region served them", s.name),
        regions: s
            .deployments
            .iter()
            .map(|d| MapRegion {
                code: d.region.code.clone(),
                lat_deg: d.region.lat_deg,
                lon_deg: d.region.lon_deg,
            })
            .collect(),
        sites: s
            .traffic
            .sites
            .iter()
            .enumerate()
            .map(|(i, u)| {
                let served = t.served_by(i);
                // Ties go to the first region, so the map is deterministic.
                let best =
                    served
                        .iter()
                        .enumerate()
                        .fold(None, |acc: Option<(usize, u64)>, (j, &c)| match acc {
                            Some((_, b)) if b >= c => acc,
                            _ if c > 0 => Some((j, c)),
                            _ => acc,
                        });
                MapSite {
                    name: u.site.name.clone(),
                    lat_deg: u.site.lat_deg,
                    lon_deg: u.site.lon_deg,
                    requests: u.share,
                    served_by: best.map(|b| b.0),
                }
            })
            .collect(),
    }
}

/// Every chart of a run, with its file stem: `latency-cdf`, `latency-over-day-ttft`,
/// `latency-over-day-e2e`, `load-capacity`, `capacity-heatmap`, `cost-breakdown`,
/// `world-map`, and `failover-<n>` per fault (from 1).
pub fn run_charts(r: &RunResult) -> AnyChartList {
    let named = |stem: &str, chart: AnyChart| NamedChart {
        stem: stem.into(),
        chart,
    };
    let mut out = vec![
        named("latency-cdf", AnyChart::LatencyCdf(run_latency_cdf(r))),
        named(
            "latency-over-day-ttft",
            AnyChart::LatencyOverDay(run_latency_over_day(r, LatencyMetric::Ttft)),
        ),
        named(
            "latency-over-day-e2e",
            AnyChart::LatencyOverDay(run_latency_over_day(r, LatencyMetric::EndToEnd)),
        ),
        named(
            "load-capacity",
            AnyChart::LoadCapacity(run_load_capacity(r)),
        ),
        named(
            "capacity-heatmap",
            AnyChart::CapacityHeatmap(run_capacity_heatmap(r)),
        ),
        named(
            "cost-breakdown",
            AnyChart::CostBreakdown(run_cost_breakdown(r)),
        ),
        named("world-map", AnyChart::WorldMap(run_world_map(r))),
    ];
    for (i, f) in run_failover_timelines(r).into_iter().enumerate() {
        out.push(named(
            &format!("failover-{}", i + 1),
            AnyChart::FailoverTimeline(f),
        ));
    }
    out
}

/// A compared run's short label: the topology after `#`, else the file's stem.
pub fn short_label(file: &str) -> String {
    match file.rsplit_once('#') {
        Some((_, t)) => t.to_string(),
        None => std::path::Path::new(file)
            .file_stem()
            .map_or_else(|| file.to_string(), |s| s.to_string_lossy().into_owned()),
    }
}

/// The charts of a comparison: `latency-cdf` (one line per topology) and
/// `cost-breakdown` (one bar per topology, stacked by component).
pub fn comparison_charts(runs: &[ComparedRun]) -> AnyChartList {
    let mut ttft = Vec::new();
    let mut e2e = Vec::new();
    let mut bars = Vec::new();
    for run in runs {
        let label = short_label(&run.file);
        let m = &run.result.merged;
        ttft.push(Series {
            name: label.clone(),
            points: cdf_points(&m.latency.ttft),
        });
        e2e.push(Series {
            name: label.clone(),
            points: cdf_points(&m.latency.e2e),
        });
        let n = reps(&run.result);
        let sum =
            |f: fn(&crate::metrics::RegionMetrics) -> f64| m.regions.iter().map(f).sum::<f64>() / n;
        bars.push(CostBar {
            label,
            segments: components(
                sum(|r| r.instance_cost_usd),
                sum(|r| r.token_cost_usd),
                sum(|r| r.request_fees_usd),
            ),
        });
    }
    drop_empty_components(&mut bars);
    vec![
        NamedChart {
            stem: "latency-cdf".into(),
            chart: AnyChart::LatencyCdf(LatencyCdf {
                title: "Latency CDF by topology".into(),
                ttft,
                e2e,
            }),
        },
        NamedChart {
            stem: "cost-breakdown".into(),
            chart: AnyChart::CostBreakdown(CostBreakdown {
                title: "Cost by topology and component".into(),
                y_desc: "cost per run [USD]".into(),
                bars,
            }),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_labels_name_the_topology_or_file() {
        assert_eq!(short_label("scenarios/a.toml#anycast"), "anycast");
        assert_eq!(short_label("scenarios/a.toml"), "a");
    }

    #[test]
    fn cdf_points_rise_to_one() {
        let mut h = LatencyHistogram::new();
        for i in 1..=1000 {
            h.record_us(i * 1000);
        }
        let pts = cdf_points(&h);
        assert!(pts.windows(2).all(|w| w[0].0 <= w[1].0 && w[0].1 < w[1].1));
        assert!((pts.last().unwrap().1 - 0.9999).abs() < 1e-12);
        assert!(cdf_points(&LatencyHistogram::new()).is_empty());
    }
}
