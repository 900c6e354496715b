//! The built-in defaults: every field of a document falls into a class by its name (units
//! are in the key names), and the class gives its default tolerance; the name also says
//! which way is worse.

use std::fmt;

use serde_json::Value;

use super::path::{FieldPath, Seg};
use super::tolerance::Tolerance;

/// A family of fields sharing a default tolerance, overridable by name in the `[default]`
/// table of a tolerance file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// `*_ms`: latencies and their SLO targets.
    Latency,
    /// `*_usd`, `*_usd_*`, `usd_*`, `instance_hours`: money and what it is charged on.
    Cost,
    /// `*_pct`: percentages such as availability (absolute, in percentage points).
    Percent,
    /// `utilisation*`, `*_share`: fractions between 0 and 1.
    Share,
    /// `queue_length*`: requests waiting.
    Queue,
    /// `*_rps`, `*_per_s`: throughput.
    Rate,
    /// Any other integer: counts of requests, tokens, samples, instances.
    Count,
    /// Any other number.
    Figure,
    /// `ci95`: the half-width of a confidence interval, i.e. noise.
    Spread,
    /// Strings, booleans, nulls, and keys or list elements present on one side only.
    Text,
    /// `meridian_version`.
    Version,
    /// `engine.*`: the simulator's own bookkeeping (events processed).
    Engine,
}

impl Class {
    pub const ALL: [Class; 12] = [
        Class::Latency,
        Class::Cost,
        Class::Percent,
        Class::Share,
        Class::Queue,
        Class::Rate,
        Class::Count,
        Class::Figure,
        Class::Spread,
        Class::Text,
        Class::Version,
        Class::Engine,
    ];

    /// The name used in tolerance files and reports.
    pub fn name(self) -> &'static str {
        match self {
            Class::Latency => "latency",
            Class::Cost => "cost",
            Class::Percent => "percent",
            Class::Share => "share",
            Class::Queue => "queue",
            Class::Rate => "rate",
            Class::Count => "count",
            Class::Figure => "figure",
            Class::Spread => "spread",
            Class::Text => "text",
            Class::Version => "version",
            Class::Engine => "engine",
        }
    }

    pub fn from_name(name: &str) -> Option<Class> {
        Class::ALL.into_iter().find(|c| c.name() == name)
    }

    /// The built-in tolerance of the class.
    ///
    /// Latency moves with the tail of a distribution, so 5 % (at least 1 ms, for waits that
    /// are zero in the baseline); money is a product of counts and prices, so 1 %;
    /// availability and shares are absolute (0.1 percentage points, 0.01); counts are
    /// exact — the same scenario and seed give the same requests, so a count that moves
    /// means the model changed.
    pub fn default_tolerance(self) -> Tolerance {
        match self {
            Class::Latency => Tolerance::Within {
                relative_pct: 5.0,
                absolute: 1.0,
            },
            Class::Cost => Tolerance::relative(1.0),
            Class::Percent => Tolerance::absolute(0.1),
            Class::Share => Tolerance::absolute(0.01),
            Class::Queue => Tolerance::Within {
                relative_pct: 5.0,
                absolute: 1.0,
            },
            Class::Rate => Tolerance::relative(1.0),
            Class::Count => Tolerance::Exact,
            Class::Figure => Tolerance::relative(1.0),
            Class::Spread => Tolerance::Info,
            Class::Text => Tolerance::Exact,
            Class::Version => Tolerance::Info,
            Class::Engine => Tolerance::Info,
        }
    }
}

impl fmt::Display for Class {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which way a move is a regression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Latency, cost, queues, failed requests: up is worse.
    HigherIsWorse,
    /// Availability, completed requests, throughput, an SLO's `pass`: down is worse.
    LowerIsWorse,
    /// Anything else: a move is a change, neither better nor worse.
    Neutral,
}

/// Keys that qualify the figure named by their parent rather than name one themselves:
/// `summary_ci95.ttft_p95_ms.mean` is a latency, `slo.availability_pct.measured` a percent.
const QUALIFIERS: [&str; 4] = ["mean", "measured", "target", "per_replication"];

/// The name that says what a value is: its key, or for qualifiers like `mean` the nearest
/// ancestor key that is not one (list indices are skipped: a time series element is named
/// by its series).
pub fn figure_name(path: &FieldPath) -> &str {
    path.keys()
        .rev()
        .find(|k| !QUALIFIERS.contains(k))
        .unwrap_or("")
}

/// The class of the value at `path`, from whichever side has it.
pub fn classify(path: &FieldPath, baseline: Option<&Value>, result: Option<&Value>) -> Class {
    if path.is("meridian_version") {
        return Class::Version;
    }
    if matches!(path.segments().first(), Some(Seg::Key(k)) if k == "engine") {
        return Class::Engine;
    }
    let values = [baseline, result];
    let present = || values.iter().flatten();
    if present().any(|v| !v.is_number()) {
        return Class::Text;
    }
    if path.keys().next_back() == Some("ci95") {
        return Class::Spread;
    }
    let name = figure_name(path);
    if name.ends_with("_ms") {
        Class::Latency
    } else if name.ends_with("_usd")
        || name.contains("_usd_")
        || name.starts_with("usd_")
        || name == "instance_hours"
    {
        Class::Cost
    } else if name.ends_with("_pct") {
        Class::Percent
    } else if name.starts_with("utilisation") || name.ends_with("_share") {
        Class::Share
    } else if name.starts_with("queue_length") {
        Class::Queue
    } else if name.ends_with("_rps") || name.ends_with("_per_s") {
        Class::Rate
    } else if present().all(|v| v.is_i64() || v.is_u64()) {
        Class::Count
    } else {
        Class::Figure
    }
}

/// Which way is worse for the value at `path` of class `class`.
pub fn direction(path: &FieldPath, class: Class) -> Direction {
    let name = figure_name(path);
    match class {
        Class::Latency | Class::Cost | Class::Queue => Direction::HigherIsWorse,
        Class::Rate => Direction::LowerIsWorse,
        Class::Percent if name.contains("availability") => Direction::LowerIsWorse,
        Class::Share if name == "waited_share" => Direction::HigherIsWorse,
        Class::Count => match name {
            "rejected"
            | "timed_out"
            | "throttled"
            | "failed"
            | "in_flight_at_end"
            | "retries"
            | "residency_violations" => Direction::HigherIsWorse,
            "completed" => Direction::LowerIsWorse,
            _ => Direction::Neutral,
        },
        Class::Text if name == "pass" => Direction::LowerIsWorse,
        _ => Direction::Neutral,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(dotted: &str) -> FieldPath {
        dotted
            .split('.')
            .fold(FieldPath::default(), |p, k| p.key(k))
    }

    fn class(dotted: &str, v: Value) -> Class {
        classify(&path(dotted), Some(&v), Some(&v))
    }

    #[test]
    fn classes_by_name() {
        assert_eq!(class("latency.e2e.p99_ms", json!(1.5)), Class::Latency);
        assert_eq!(
            class("summary_ci95.ttft_p95_ms.mean", json!(1.5)),
            Class::Latency
        );
        assert_eq!(
            class("summary_ci95.ttft_p95_ms.ci95", json!(1.5)),
            Class::Spread
        );
        assert_eq!(class("summary_ci95.ttft_p95_ms.n", json!(4)), Class::Count);
        assert_eq!(class("cost.instances_usd", json!(1.5)), Class::Cost);
        assert_eq!(class("cost.usd_per_1k_requests", json!(1.5)), Class::Cost);
        assert_eq!(
            class("regions.x.price_usd_per_hour", json!(1.5)),
            Class::Cost
        );
        assert_eq!(class("regions.x.instance_hours", json!(2.0)), Class::Cost);
        assert_eq!(
            class("outcomes.availability_pct", json!(99.9)),
            Class::Percent
        );
        assert_eq!(
            class("slo.availability_pct.per_replication.mean", json!(99.9)),
            Class::Percent
        );
        assert_eq!(
            class("regions.x.utilisation_mean", json!(0.5)),
            Class::Share
        );
        assert_eq!(
            classify(
                &path("regions.x.timeseries.utilisation").index(3),
                Some(&json!(0.5)),
                None
            ),
            Class::Share
        );
        assert_eq!(
            class("regions.x.queue_length_max", json!(3.0)),
            Class::Queue
        );
        assert_eq!(
            class("summary_ci95.throughput_rps.mean", json!(3.0)),
            Class::Rate
        );
        assert_eq!(class("outcomes.completed", json!(3)), Class::Count);
        assert_eq!(class("scenario.duration_s", json!(3600.0)), Class::Figure);
        assert_eq!(class("slo.x.pass", json!(true)), Class::Text);
        assert_eq!(class("scenario.name", json!("a")), Class::Text);
        assert_eq!(class("meridian_version", json!("0.1.0")), Class::Version);
        assert_eq!(class("engine.events", json!(5)), Class::Engine);
    }

    #[test]
    fn directions() {
        let d = |dotted: &str, v: Value| {
            let p = path(dotted);
            direction(&p, classify(&p, Some(&v), Some(&v)))
        };
        assert_eq!(
            d("latency.e2e.p99_ms", json!(1.5)),
            Direction::HigherIsWorse
        );
        assert_eq!(
            d("cost.instances_usd", json!(1.5)),
            Direction::HigherIsWorse
        );
        assert_eq!(d("outcomes.rejected", json!(1)), Direction::HigherIsWorse);
        assert_eq!(d("outcomes.completed", json!(1)), Direction::LowerIsWorse);
        assert_eq!(d("outcomes.generated", json!(1)), Direction::Neutral);
        assert_eq!(
            d("outcomes.availability_pct", json!(99.0)),
            Direction::LowerIsWorse
        );
        assert_eq!(
            d("summary_ci95.throughput_rps.mean", json!(1.0)),
            Direction::LowerIsWorse
        );
        assert_eq!(
            d("slo.e2e_p99_ms.pass", json!(true)),
            Direction::LowerIsWorse
        );
        assert_eq!(
            d("regions.x.utilisation_mean", json!(0.5)),
            Direction::Neutral
        );
        assert_eq!(d("waited_share", json!(0.5)), Direction::HigherIsWorse);
    }
}
