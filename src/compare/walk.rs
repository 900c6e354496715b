//! Pairing two JSON trees value by value.
//!
//! Objects pair by key. Lists of objects that all carry a distinct `name` (the SLOs) pair
//! by that name, which becomes the path key (`slo.ttft_p95_ms.pass`); other lists pair by
//! index (`...utilisation[3]`). A key or element on one side only is one `changed`
//! difference, however large the subtree under it.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::classes::{Class, classify, direction};
use super::config::Tolerances;
use super::judge::{Difference, Field, Judgement, judge};
use super::path::FieldPath;

/// How many values met which fate.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// Values compared (a key present on one side counts once).
    pub compared: usize,
    pub identical: usize,
    pub within_tolerance: usize,
    pub ignored: usize,
}

/// The state of one comparison.
pub(crate) struct Walk<'a> {
    tolerances: &'a Tolerances,
    pub tally: Tally,
    pub differences: Vec<Difference>,
    /// The keys of every value seen, and of every object or list (for the tolerance file's
    /// unused-pattern check).
    pub fields: BTreeSet<Vec<String>>,
    pub containers: BTreeSet<Vec<String>>,
}

impl<'a> Walk<'a> {
    pub fn new(tolerances: &'a Tolerances) -> Walk<'a> {
        Walk {
            tolerances,
            tally: Tally::default(),
            differences: Vec::new(),
            fields: BTreeSet::new(),
            containers: BTreeSet::new(),
        }
    }

    /// Compares `baseline` and `result` at `path` and everything below.
    pub fn walk(
        &mut self,
        path: &FieldPath,
        baseline: Option<&Value>,
        result: Option<&Value>,
        ci95: Option<(f64, f64)>,
    ) {
        match (baseline, result) {
            (Some(Value::Object(b)), Some(Value::Object(r))) => {
                self.container(path);
                let keys: BTreeSet<&String> = b.keys().chain(r.keys()).collect();
                let ci = ci_pair(b, r);
                for k in keys {
                    let child_ci = if k == "mean" { ci } else { None };
                    self.walk(&path.key(k), b.get(k), r.get(k), child_ci);
                }
            }
            (Some(Value::Array(b)), Some(Value::Array(r))) => {
                self.container(path);
                match (named(b), named(r)) {
                    (Some(bn), Some(rn)) => {
                        let names: BTreeSet<&str> = bn.iter().chain(&rn).map(|(n, _)| *n).collect();
                        for n in names {
                            self.walk(&path.key(n), find(&bn, n), find(&rn, n), None);
                        }
                    }
                    _ => {
                        for i in 0..b.len().max(r.len()) {
                            self.walk(&path.index(i), b.get(i), r.get(i), None);
                        }
                    }
                }
            }
            _ => self.leaf(path, baseline, result, ci95),
        }
    }

    fn container(&mut self, path: &FieldPath) {
        self.containers
            .insert(path.keys().map(str::to_string).collect());
    }

    fn leaf(
        &mut self,
        path: &FieldPath,
        baseline: Option<&Value>,
        result: Option<&Value>,
        ci95: Option<(f64, f64)>,
    ) {
        self.fields
            .insert(path.keys().map(str::to_string).collect());
        self.tally.compared += 1;
        let one_sided_container = [baseline, result]
            .iter()
            .flatten()
            .any(|v| v.is_object() || v.is_array());
        let class = if one_sided_container {
            Class::Text
        } else {
            classify(path, baseline, result)
        };
        let rule = self.tolerances.resolve(path, class);
        let field = Field {
            path: path.to_string(),
            class,
            direction: direction(path, class),
            rule: &rule,
            ci95,
        };
        match judge(&field, baseline, result) {
            Judgement::Identical => self.tally.identical += 1,
            Judgement::WithinTolerance => self.tally.within_tolerance += 1,
            Judgement::Ignored => self.tally.ignored += 1,
            Judgement::Reported(d) => self.differences.push(*d),
        }
    }
}

/// The element called `name` of a named list.
fn find<'v>(list: &[(&str, &'v Value)], name: &str) -> Option<&'v Value> {
    list.iter().find(|(n, _)| *n == name).map(|(_, v)| *v)
}

/// The `ci95` of both sides when both objects are `{mean, ci95, ...}` with numbers.
fn ci_pair(b: &Map<String, Value>, r: &Map<String, Value>) -> Option<(f64, f64)> {
    let ci = |m: &Map<String, Value>| {
        m.get("mean")
            .filter(|v| v.is_number())
            .and(m.get("ci95"))
            .and_then(Value::as_f64)
    };
    ci(b).zip(ci(r))
}

/// The elements keyed by their `name` when every element is an object with a distinct
/// string `name` (an empty list qualifies).
fn named(list: &[Value]) -> Option<Vec<(&str, &Value)>> {
    let mut seen = BTreeSet::new();
    list.iter()
        .map(|v| {
            let n = v.get("name")?.as_str()?;
            seen.insert(n).then_some((n, v))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(b: Value, r: Value) -> Walk<'static> {
        static BUILTIN: std::sync::OnceLock<Tolerances> = std::sync::OnceLock::new();
        let mut w = Walk::new(BUILTIN.get_or_init(Tolerances::builtin));
        w.walk(&FieldPath::default(), Some(&b), Some(&r), None);
        w
    }

    #[test]
    fn named_lists_pair_by_name() {
        let w = run(
            json!({"slo": [{"name": "a", "pass": true}, {"name": "b", "pass": true}]}),
            json!({"slo": [{"name": "b", "pass": false}, {"name": "a", "pass": true}]}),
        );
        assert_eq!(w.differences.len(), 1, "{:?}", w.differences);
        assert_eq!(w.differences[0].field, "slo.b.pass");
        assert!(
            w.fields
                .contains(&vec!["slo".to_string(), "a".into(), "pass".into()])
        );
    }

    #[test]
    fn plain_lists_pair_by_index_and_report_extra_elements() {
        let w = run(json!({"s": [1.0, 2.0]}), json!({"s": [1.0, 2.0, 3.0]}));
        assert_eq!(w.differences.len(), 1);
        assert_eq!(w.differences[0].field, "s[2]");
        assert_eq!(w.differences[0].baseline, None);
        assert_eq!(w.tally.compared, 3);
        assert_eq!(w.tally.identical, 2);
    }

    #[test]
    fn a_missing_subtree_is_one_difference() {
        let w = run(
            json!({"regions": {"a": {"x": 1, "y": 2}}}),
            json!({"regions": {"a": {"x": 1, "y": 2}, "b": {"x": 1, "y": 2}}}),
        );
        assert_eq!(w.differences.len(), 1);
        assert_eq!(w.differences[0].field, "regions.b");
    }

    #[test]
    fn ci_reaches_the_mean_only() {
        let w = run(
            json!({"s": {"lat_ms": {"mean": 100.0, "ci95": 10.0, "n": 4}}}),
            json!({"s": {"lat_ms": {"mean": 110.0, "ci95": 10.0, "n": 4}}}),
        );
        assert_eq!(w.differences.len(), 1);
        let d = &w.differences[0];
        assert_eq!(d.field, "s.lat_ms.mean");
        assert_eq!(d.significance_threshold, Some(10f64.hypot(10.0)));
    }
}
