//! Planning benchmark (issue 4): 24 h × 15 regions × one instance type for a global
//! workload of about 2,000 requests/s at its daily peak (`benches/plan-global-15.toml`).
//! Prints the wall time, the iterations and the simulations the plan took.
//!
//! ```text
//! cargo bench --bench plan                 # the shipped benchmark scenario
//! cargo bench --bench plan -- FILE.toml    # another scenario with a [plan] section
//! ```

mod common;

use std::error::Error;
use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use meridian::catalog::Catalog;
use meridian::plan;
use meridian::run::RunOptions;
use meridian::scenario::Scenario;

fn main() -> Result<(), Box<dyn Error>> {
    let Some(args) = common::bench_args("plan") else {
        return Ok(());
    };
    let path = args.first().map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("benches/plan-global-15.toml"),
        PathBuf::from,
    );
    let catalog = Catalog::embedded()?;
    let scenario = Scenario::from_file(&path, &catalog)?;
    let spec = scenario
        .plan
        .clone()
        .ok_or("the scenario has no [plan] section")?;
    println!(
        "plan: {} — {} regions, {} steps of {} h, mean {} rps, {} replication(s), {} threads",
        scenario.name,
        scenario.deployments.len(),
        spec.steps(),
        spec.step_h,
        scenario.traffic.total_rate_rps,
        spec.replications,
        rayon::current_num_threads()
    );
    let t = Instant::now();
    let doc = plan::plan(
        &scenario,
        &catalog,
        RunOptions::default(),
        &AtomicBool::new(false),
    )?;
    let secs = t.elapsed().as_secs_f64();
    let best = doc
        .candidates
        .first()
        .and_then(|c| c.plan.as_ref())
        .ok_or("no plan")?;
    let peak_rps: f64 = (0..spec.steps())
        .map(|k| {
            best.regions
                .iter()
                .map(|r| r.steps[k].demand_rps)
                .sum::<f64>()
        })
        .fold(0.0, f64::max);
    println!(
        "plan: {:.1} s wall, status {}, {} search iterations, {} window simulations, {} verification runs, peak demand {:.0} rps, {:.0} instance-hours, {:.2} USD/day",
        secs,
        doc.status,
        best.search.iterations,
        best.search.window_runs,
        best.search.horizon_runs,
        peak_rps,
        best.search.planned_instance_hours,
        doc.candidates[0].cost_usd_per_day.unwrap_or(0.0)
    );
    Ok(())
}
