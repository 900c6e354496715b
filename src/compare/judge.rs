//! Judging one pair of values: identical, within tolerance, or a reported difference with a
//! verdict.
//!
//! Numbers move within a tolerance. A figure that carries a confidence interval in both
//! documents (`{mean, ci95, n}`) is judged on its `mean`, and a move counts only when it
//! also exceeds `sqrt(ci95_baseline² + ci95_result²)`: a Welch-style test at the 5 % level,
//! conservative because each half-width already uses the Student-t quantile of its own
//! n − 1 degrees of freedom (never fewer than Welch's). Text, booleans, types and
//! presence compare exactly.

use serde_json::Value;

use super::classes::{Class, Direction};
use super::config::Resolved;
use super::tolerance::Tolerance;

/// What a reported difference means.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Verdict {
    /// Moved the bad way beyond tolerance: a regression.
    Worse,
    /// Moved beyond tolerance where no direction is better (or changed type, appeared,
    /// disappeared): a regression, since nobody has judged it.
    Changed,
    /// Moved the good way beyond tolerance: reported, not a failure.
    Better,
    /// Moved beyond tolerance but within the two documents' confidence intervals: noise,
    /// reported, not a failure.
    NotSignificant,
    /// A field compared as information only (e.g. `meridian_version`): reported, not a
    /// failure.
    Info,
}

impl Verdict {
    pub const ALL: [Verdict; 5] = [
        Verdict::Worse,
        Verdict::Changed,
        Verdict::Better,
        Verdict::NotSignificant,
        Verdict::Info,
    ];

    /// Whether this verdict fails the check.
    pub fn fails(self) -> bool {
        matches!(self, Verdict::Worse | Verdict::Changed)
    }

    /// As shown in tables.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Worse => "worse",
            Verdict::Changed => "changed",
            Verdict::Better => "better",
            Verdict::NotSignificant => "not significant",
            Verdict::Info => "info",
        }
    }

    /// As written in the JSON report.
    pub fn key(self) -> &'static str {
        match self {
            Verdict::NotSignificant => "not_significant",
            v => v.label(),
        }
    }
}

/// A value that moved beyond its tolerance (or an `info` field that moved at all).
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// Where, e.g. `latency.e2e.p99_ms` or `regions.x.timeseries.utilisation[3]`.
    pub field: String,
    /// `None` when the field is absent from that document.
    pub baseline: Option<Value>,
    pub result: Option<Value>,
    /// result − baseline, for two numbers.
    pub change: Option<f64>,
    /// The change in % of the baseline, for two numbers with a non-zero baseline.
    pub change_pct: Option<f64>,
    pub tolerance: Tolerance,
    pub class: Class,
    /// The tolerance-file pattern that set the tolerance, if any.
    pub pattern: Option<String>,
    pub verdict: Verdict,
    /// `sqrt(ci95_baseline² + ci95_result²)` for a figure with confidence intervals.
    pub significance_threshold: Option<f64>,
}

/// The fate of one pair of values.
#[derive(Debug, Clone, PartialEq)]
pub enum Judgement {
    Identical,
    WithinTolerance,
    Ignored,
    Reported(Box<Difference>),
}

/// What is known about one field besides its two values.
#[derive(Debug, Clone)]
pub struct Field<'a> {
    pub path: String,
    pub class: Class,
    pub direction: Direction,
    pub rule: &'a Resolved,
    /// The `ci95` half-widths of baseline and result, when the field is a CI's mean.
    pub ci95: Option<(f64, f64)>,
}

/// Judges `baseline` against `result` (either may be absent, not both).
pub fn judge(f: &Field<'_>, baseline: Option<&Value>, result: Option<&Value>) -> Judgement {
    let tolerance = f.rule.tolerance;
    if tolerance == Tolerance::Ignore {
        return Judgement::Ignored;
    }
    let numbers = match (baseline, result) {
        (Some(Value::Number(b)), Some(Value::Number(r))) => b.as_f64().zip(r.as_f64()),
        _ => None,
    };
    let same = match numbers {
        Some((b, r)) => b == r,
        None => baseline == result,
    };
    if same {
        return Judgement::Identical;
    }
    let (change, change_pct) = match numbers {
        Some((b, r)) => (Some(r - b), (b != 0.0).then(|| (r - b) / b.abs() * 100.0)),
        None => (None, None),
    };
    let significance_threshold = f.ci95.map(|(a, b)| a.hypot(b));
    let verdict = if tolerance == Tolerance::Info {
        Verdict::Info
    } else if let Some((b, r)) = numbers {
        let delta = r - b;
        if tolerance.allows(b, delta) {
            return Judgement::WithinTolerance;
        }
        match significance_threshold {
            Some(t) if delta.abs() <= t => Verdict::NotSignificant,
            _ => directed(f.direction, delta > 0.0),
        }
    } else {
        match (baseline, result) {
            (Some(Value::Bool(b)), Some(Value::Bool(r))) => directed(f.direction, r > b),
            _ => Verdict::Changed,
        }
    };
    Judgement::Reported(Box::new(Difference {
        field: f.path.clone(),
        baseline: baseline.cloned(),
        result: result.cloned(),
        change,
        change_pct,
        tolerance,
        class: f.class,
        pattern: f.rule.pattern.clone(),
        verdict,
        significance_threshold,
    }))
}

fn directed(direction: Direction, went_up: bool) -> Verdict {
    match (direction, went_up) {
        (Direction::HigherIsWorse, true) | (Direction::LowerIsWorse, false) => Verdict::Worse,
        (Direction::HigherIsWorse, false) | (Direction::LowerIsWorse, true) => Verdict::Better,
        (Direction::Neutral, _) => Verdict::Changed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn field(
        class: Class,
        direction: Direction,
        tolerance: Tolerance,
    ) -> (Resolved, Class, Direction) {
        (
            Resolved {
                tolerance,
                pattern: None,
            },
            class,
            direction,
        )
    }

    fn verdict(
        t: Tolerance,
        direction: Direction,
        ci95: Option<(f64, f64)>,
        b: Value,
        r: Value,
    ) -> Option<Verdict> {
        let (rule, class, direction) = field(Class::Latency, direction, t);
        let f = Field {
            path: "x".into(),
            class,
            direction,
            rule: &rule,
            ci95,
        };
        match judge(&f, Some(&b), Some(&r)) {
            Judgement::Reported(d) => Some(d.verdict),
            _ => None,
        }
    }

    #[test]
    fn numbers() {
        let t = Tolerance::relative(5.0);
        let up = Direction::HigherIsWorse;
        assert_eq!(
            verdict(t, up, None, json!(100.0), json!(110.0)),
            Some(Verdict::Worse)
        );
        assert_eq!(
            verdict(t, up, None, json!(100.0), json!(90.0)),
            Some(Verdict::Better)
        );
        assert_eq!(verdict(t, up, None, json!(100.0), json!(101.0)), None);
        assert_eq!(
            verdict(t, Direction::LowerIsWorse, None, json!(100.0), json!(90.0)),
            Some(Verdict::Worse)
        );
        assert_eq!(
            verdict(t, Direction::Neutral, None, json!(100.0), json!(90.0)),
            Some(Verdict::Changed)
        );
        assert_eq!(
            verdict(Tolerance::Exact, up, None, json!(3), json!(3.0)),
            None,
            "3 and 3.0 are the same number"
        );
        assert_eq!(
            verdict(Tolerance::Info, up, None, json!(3), json!(4)),
            Some(Verdict::Info)
        );
    }

    #[test]
    fn significance() {
        let t = Tolerance::relative(5.0);
        let up = Direction::HigherIsWorse;
        // Moved 10 (beyond 5 %) but the CIs combine to sqrt(8² + 8²) = 11.3.
        assert_eq!(
            verdict(t, up, Some((8.0, 8.0)), json!(100.0), json!(110.0)),
            Some(Verdict::NotSignificant)
        );
        assert_eq!(
            verdict(t, up, Some((5.0, 5.0)), json!(100.0), json!(110.0)),
            Some(Verdict::Worse)
        );
        // Within tolerance stays within, however narrow the CIs.
        assert_eq!(
            verdict(t, up, Some((0.0, 0.0)), json!(100.0), json!(104.0)),
            None
        );
    }

    #[test]
    fn text_and_presence() {
        let up = Direction::LowerIsWorse;
        let t = Tolerance::Exact;
        assert_eq!(
            verdict(t, up, None, json!(true), json!(false)),
            Some(Verdict::Worse)
        );
        assert_eq!(
            verdict(t, up, None, json!(false), json!(true)),
            Some(Verdict::Better)
        );
        assert_eq!(
            verdict(Tolerance::relative(50.0), up, None, json!("a"), json!("b")),
            Some(Verdict::Changed),
            "a numeric tolerance does not loosen text"
        );
        assert_eq!(
            verdict(t, up, None, json!(1), json!("1")),
            Some(Verdict::Changed)
        );
        let (rule, class, direction) = field(Class::Text, Direction::Neutral, t);
        let f = Field {
            path: "x".into(),
            class,
            direction,
            rule: &rule,
            ci95: None,
        };
        match judge(&f, None, Some(&json!(1))) {
            Judgement::Reported(d) => assert_eq!(d.verdict, Verdict::Changed),
            j => panic!("{j:?}"),
        }
    }
}
