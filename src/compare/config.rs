//! The tolerance file: per-field overrides of the built-in defaults.
//!
//! ```toml
//! "latency.e2e.p99_ms" = "5%"            # one field
//! "regions.*.utilisation_mean" = 0.02    # `*`: any one key (absolute: a number)
//! "**.p999_ms" = "10% or 5"              # `**`: any number of keys
//! "outcomes.completed" = "1%"            # a count that may move
//! "regions.*.timeseries.**" = "info"     # report, never fail
//!
//! [default]                              # the classes' defaults (see `Class`)
//! latency = "3%"
//! ```
//!
//! The most specific matching pattern wins (more literal keys, then partial globs such as
//! `*_ms`, then `*`, then fewer `**`; on a tie, the one written first). Unquoted dotted keys
//! and `[table]` headers are joined with dots, so `latency.e2e.p99_ms = "5%"` works too.
//! A pattern that matches no field of either document is an error: a typo must not
//! silently change what is checked.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::Path;

use toml_edit::{Item, Table, Value as TomlValue};

use super::classes::Class;
use super::error::{CompareError, io_reason};
use super::path::{FieldPath, Pattern};
use super::tolerance::Tolerance;
use crate::scenario::{Diagnostic, did_you_mean};

/// One per-field rule of a tolerance file.
#[derive(Debug, Clone)]
struct FieldRule {
    pattern: Pattern,
    tolerance: Tolerance,
    /// Byte range of the key in the file, for messages.
    span: Option<Range<usize>>,
}

/// The tolerances in force: built-in class defaults, the file's `[default]` overrides and
/// its per-field rules.
#[derive(Debug, Clone, Default)]
pub struct Tolerances {
    /// The file's name and text, for located messages.
    source: Option<(String, String)>,
    /// In file order.
    rules: Vec<FieldRule>,
    classes: BTreeMap<Class, Tolerance>,
}

/// The tolerance chosen for one field and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    pub tolerance: Tolerance,
    /// The winning pattern of the tolerance file, if any (otherwise the class decided).
    pub pattern: Option<String>,
}

impl Tolerances {
    /// The built-in defaults only.
    pub fn builtin() -> Tolerances {
        Tolerances::default()
    }

    /// Reads a tolerance file.
    pub fn load(path: &Path) -> Result<Tolerances, CompareError> {
        let label = path.display().to_string();
        let src = std::fs::read_to_string(path).map_err(|e| CompareError::ToleranceRead {
            path: label.clone(),
            reason: io_reason(&e),
        })?;
        Tolerances::from_toml(&src, &label)
    }

    /// Parses a tolerance file's text; `file` names it in messages.
    pub fn from_toml(src: &str, file: &str) -> Result<Tolerances, CompareError> {
        let at = Source { file, src };
        let err = |span, msg, hint: &str| at.err(span, msg, hint);
        let doc = toml_edit::Document::parse(src).map_err(|e| {
            err(
                e.span(),
                e.message().trim().to_lowercase(),
                "a tolerance file is TOML: \"field.path\" = \"5%\" lines, optionally a [default] table",
            )
        })?;
        let mut out = Tolerances {
            source: Some((file.to_string(), src.to_string())),
            ..Tolerances::default()
        };
        let root = doc.as_table();
        for (key, item) in root.iter() {
            let key_span = root.key(key).and_then(|k| k.span());
            if key == "default" {
                out.read_defaults(item, key_span, &at)?;
            } else {
                out.read_rules(key, key_span, item, &at)?;
            }
        }
        // Resolve ties by file position, whatever the nesting.
        out.rules
            .sort_by_key(|r| r.span.as_ref().map_or(usize::MAX, |s| s.start));
        for (i, r) in out.rules.iter().enumerate() {
            if out.rules[..i].iter().any(|o| o.pattern == r.pattern) {
                return Err(err(
                    r.span.clone(),
                    format!("the pattern `{}` is given twice", r.pattern),
                    "keep one of them",
                ));
            }
        }
        Ok(out)
    }

    fn read_defaults(
        &mut self,
        item: &Item,
        key_span: Option<Range<usize>>,
        at: &Source<'_>,
    ) -> Result<(), CompareError> {
        let err = |span, msg, hint: &str| at.err(span, msg, hint);
        let names = Class::ALL.map(|c| c.name()).join(", ");
        let entries = table_entries(item).ok_or_else(|| {
            err(
                key_span.clone(),
                "`default` must be a table of class = tolerance".into(),
                &format!("classes: {names}"),
            )
        })?;
        for (name, span, value) in entries {
            let value = value
                .ok_or_else(|| err(span.clone(), format!("`{name}`: expected a tolerance"), ""))?;
            let class = Class::from_name(&name).ok_or_else(|| {
                let hint = match did_you_mean(&name, Class::ALL.map(|c| c.name())) {
                    Some(best) => format!("did you mean `{best}`? classes: {names}"),
                    None => format!("classes: {names}"),
                };
                err(span.clone(), format!("unknown class `{name}`"), &hint)
            })?;
            let tolerance =
                tolerance_of(value).map_err(|m| err(value.span().or(span.clone()), m, ""))?;
            if class == Class::Text && matches!(tolerance, Tolerance::Within { .. }) {
                return Err(err(
                    value.span(),
                    "text compares exactly; it cannot move by an amount".into(),
                    "use \"exact\", \"info\" or \"ignore\"",
                ));
            }
            self.classes.insert(class, tolerance);
        }
        Ok(())
    }

    fn read_rules(
        &mut self,
        key: &str,
        key_span: Option<Range<usize>>,
        item: &Item,
        at: &Source<'_>,
    ) -> Result<(), CompareError> {
        let err = |span, msg, hint: &str| at.err(span, msg, hint);
        if let Some(entries) = table_entries(item) {
            for (k, span, value) in entries {
                let joined = format!("{key}.{k}");
                let item = value.map_or(Item::None, |v| Item::Value(v.clone()));
                self.read_rules(&joined, span, &item, at)?;
            }
            return Ok(());
        }
        let Some(value) = item.as_value() else {
            return Err(err(
                key_span,
                format!("`{key}`: expected a tolerance"),
                "write \"field.path\" = \"5%\"",
            ));
        };
        let pattern = Pattern::parse(key).map_err(|m| err(key_span.clone(), m, ""))?;
        let tolerance =
            tolerance_of(value).map_err(|m| err(value.span().or(key_span.clone()), m, ""))?;
        self.rules.push(FieldRule {
            pattern,
            tolerance,
            span: key_span,
        });
        Ok(())
    }

    /// The tolerance of the field at `path`, of class `class`.
    pub fn resolve(&self, path: &FieldPath, class: Class) -> Resolved {
        let keys: Vec<&str> = path.keys().collect();
        let best = self
            .rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.pattern.matches_keys(&keys))
            // Most specific first; among equals the earliest in the file.
            .max_by_key(|(i, r)| (r.pattern.specificity(), std::cmp::Reverse(*i)));
        match best {
            Some((_, r)) => Resolved {
                tolerance: r.tolerance,
                pattern: Some(r.pattern.to_string()),
            },
            None => Resolved {
                tolerance: self.class_tolerance(class),
                pattern: None,
            },
        }
    }

    /// The tolerance of a class: the file's `[default]` entry or the built-in one.
    pub fn class_tolerance(&self, class: Class) -> Tolerance {
        self.classes
            .get(&class)
            .copied()
            .unwrap_or_else(|| class.default_tolerance())
    }

    /// Fails on the first rule (in file order) that matches none of `fields` (the keys of
    /// every value compared); `containers` are the paths of objects and lists, for a hint.
    pub(crate) fn check_all_used(
        &self,
        fields: &[Vec<String>],
        containers: &[Vec<String>],
    ) -> Result<(), CompareError> {
        let Some((file, src)) = &self.source else {
            return Ok(());
        };
        for r in &self.rules {
            let hit = |paths: &[Vec<String>]| {
                paths.iter().any(|keys| {
                    let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
                    r.pattern.matches_keys(&keys)
                })
            };
            if hit(fields) {
                continue;
            }
            let text = r.pattern.as_str();
            let hint = if hit(containers) {
                format!(
                    "`{text}` is a table or list of named entries, not a value; `{text}.**` covers everything in it"
                )
            } else {
                match suggestion(text, fields) {
                    Some(best) => format!("did you mean `{best}`?"),
                    None => "patterns name fields as `meridian check` reports them, e.g. `latency.e2e.p99_ms` or `regions.*.utilisation_mean`".into(),
                }
            };
            let d = Diagnostic::at(
                file,
                src,
                r.span.clone(),
                format!("`{text}` matches no field of either document"),
            )
            .with_hint(hint);
            return Err(CompareError::Tolerance(Box::new(d)));
        }
        Ok(())
    }
}

/// The tolerance file being read, for located errors.
struct Source<'a> {
    file: &'a str,
    src: &'a str,
}

impl Source<'_> {
    /// An error at `span` of the file, with an optional hint.
    fn err(&self, span: Option<Range<usize>>, message: String, hint: &str) -> CompareError {
        let mut d = Diagnostic::at(self.file, self.src, span, message);
        if !hint.is_empty() {
            d = d.with_hint(hint);
        }
        CompareError::Tolerance(Box::new(d))
    }
}

/// A key of a table with its span and value (`None`: not a value, e.g. `[[array]]`).
type Entry<'a> = (String, Option<Range<usize>>, Option<&'a TomlValue>);

/// Entries of a table item (a `[table]`, a dotted-key table or an inline table), nested
/// tables flattened with dotted names; `None` when `item` is not a table.
fn table_entries(item: &Item) -> Option<Vec<Entry<'_>>> {
    fn from_table<'a>(t: &'a Table, prefix: &str, out: &mut Vec<Entry<'a>>) {
        for (k, item) in t.iter() {
            let name = if prefix.is_empty() {
                k.to_string()
            } else {
                format!("{prefix}.{k}")
            };
            let span = t.key(k).and_then(|k| k.span());
            match item {
                Item::Table(sub) => from_table(sub, &name, out),
                Item::Value(v) => out.push((name, span, Some(v))),
                _ => out.push((name, span, None)),
            }
        }
    }
    match item {
        Item::Table(t) => {
            let mut out = Vec::new();
            from_table(t, "", &mut out);
            Some(out)
        }
        Item::Value(TomlValue::InlineTable(t)) => Some(
            t.iter()
                .map(|(k, v)| (k.to_string(), t.key(k).and_then(|k| k.span()), Some(v)))
                .collect(),
        ),
        _ => None,
    }
}

fn tolerance_of(v: &TomlValue) -> Result<Tolerance, String> {
    match v {
        TomlValue::String(s) => Tolerance::parse(s.value()),
        TomlValue::Integer(i) => Tolerance::parse(&i.value().to_string()),
        TomlValue::Float(f) => Tolerance::parse(&f.value().to_string()),
        TomlValue::InlineTable(t) => {
            // Nested inline tables are flattened by the caller; reaching here means a
            // table where a tolerance belongs.
            Err(format!(
                "expected a tolerance, found a table with {} entries",
                t.len()
            ))
        }
        other => Err(format!(
            "expected a tolerance such as \"5%\", 0.02, \"5% or 1\", \"exact\", \"info\" or \"ignore\", found {}",
            other.type_name()
        )),
    }
}

/// The field closest to a mistyped pattern; wildcard keys of the pattern are kept.
fn suggestion(pattern: &str, fields: &[Vec<String>]) -> Option<String> {
    let pat: Vec<&str> = pattern.split('.').collect();
    let mut candidates: Vec<String> = fields
        .iter()
        .filter(|f| f.len() == pat.len())
        .map(|f| {
            f.iter()
                .zip(&pat)
                .map(|(k, p)| if p.contains('*') { *p } else { k.as_str() })
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect();
    candidates.sort();
    candidates.dedup();
    did_you_mean(pattern, candidates.iter().map(String::as_str)).map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(dotted: &str) -> FieldPath {
        dotted
            .split('.')
            .fold(FieldPath::default(), |p, k| p.key(k))
    }

    fn parse(src: &str) -> Tolerances {
        Tolerances::from_toml(src, "tol.toml").unwrap_or_else(|e| panic!("{e}"))
    }

    fn parse_err(src: &str) -> String {
        Tolerances::from_toml(src, "tol.toml")
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn builtin_uses_classes() {
        let t = Tolerances::builtin();
        let r = t.resolve(&path("latency.e2e.p99_ms"), Class::Latency);
        assert_eq!(r.tolerance, Class::Latency.default_tolerance());
        assert_eq!(r.pattern, None);
    }

    #[test]
    fn most_specific_rule_wins() {
        let t = parse(
            r#"
"**.p99_ms" = "10%"
"latency.*.p99_ms" = "7%"
"latency.e2e.p99_ms" = "6%"
"regions.*.utilisation_mean" = 0.02
latency.ttft.p50_ms = "exact"

[default]
latency = "3%"
count = "1%"
"#,
        );
        let tol = |p: &str, c: Class| t.resolve(&path(p), c).tolerance.to_string();
        assert_eq!(tol("latency.e2e.p99_ms", Class::Latency), "6%");
        assert_eq!(tol("latency.ttft.p99_ms", Class::Latency), "7%");
        assert_eq!(tol("regions.x.e2e.p99_ms", Class::Latency), "10%");
        assert_eq!(tol("latency.ttft.p50_ms", Class::Latency), "exact");
        assert_eq!(tol("latency.ttft.p95_ms", Class::Latency), "3%");
        assert_eq!(tol("outcomes.completed", Class::Count), "1%");
        assert_eq!(
            tol("regions.eu-west-1.utilisation_mean", Class::Share),
            "0.02"
        );
        assert_eq!(
            t.resolve(&path("latency.e2e.p99_ms"), Class::Latency)
                .pattern
                .as_deref(),
            Some("latency.e2e.p99_ms")
        );
    }

    #[test]
    fn ties_go_to_the_first_written() {
        let t = parse("\"*.e2e.p99_ms\" = \"1%\"\n\"latency.*.p99_ms\" = \"2%\"\n");
        assert_eq!(
            t.resolve(&path("latency.e2e.p99_ms"), Class::Latency)
                .tolerance,
            Tolerance::relative(1.0)
        );
    }

    #[test]
    fn tables_are_joined_with_dots() {
        let t = parse("[regions.\"*\"]\nutilisation_mean = \"0.05\"\n");
        assert_eq!(
            t.resolve(&path("regions.x.utilisation_mean"), Class::Share)
                .tolerance,
            Tolerance::absolute(0.05)
        );
    }

    #[test]
    fn errors_are_located() {
        let e = parse_err("\"latency.e2e.p99_ms\" = \"5 percent\"\n");
        assert!(
            e.contains("tol.toml:1:") && e.contains("not a tolerance"),
            "{e}"
        );
        let e = parse_err("[default]\nlatensy = \"5%\"\n");
        assert!(
            e.contains("tol.toml:2:1") && e.contains("did you mean `latency`"),
            "{e}"
        );
        let e = parse_err("[default]\ntext = \"5%\"\n");
        assert!(e.contains("text compares exactly"), "{e}");
        let e = parse_err("\"slo[0].pass\" = \"exact\"\n");
        assert!(e.contains("names a list"), "{e}");
        let e = parse_err("a = [1]\n");
        assert!(e.contains("expected a tolerance"), "{e}");
        let e = parse_err("\"a.b\" = 1\na.b = 2\n");
        assert!(e.contains("given twice"), "{e}");
        let e = parse_err("a = \n");
        assert!(e.contains("tol.toml:1:"), "{e}");
    }

    #[test]
    fn unused_rules_are_errors_with_a_suggestion() {
        let fields = vec![
            vec!["regions".to_string(), "x".into(), "utilisation_mean".into()],
            vec!["slo".to_string(), "ttft_p95_ms".into(), "pass".into()],
        ];
        let containers = vec![vec!["slo".to_string()]];
        let t = parse("\"regions.*.utilisaton_mean\" = 0.02\n");
        let e = t
            .check_all_used(&fields, &containers)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("matches no field")
                && e.contains("did you mean `regions.*.utilisation_mean`"),
            "{e}"
        );
        let t = parse("slo = \"info\"\n");
        let e = t
            .check_all_used(&fields, &containers)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`slo.**` covers"), "{e}");
        let t = parse("\"slo.**\" = \"info\"\n");
        assert!(t.check_all_used(&fields, &containers).is_ok());
    }
}
