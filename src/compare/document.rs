//! Loading a result document and deciding whether two documents can be compared at all.
//!
//! Every document carries `schema_version` (its layout) and `kind`; each kind names the
//! fields that identify what was computed (for a run: the scenario's content hash and the
//! seed; a plan likewise). Two documents are comparable only when all of these agree; the
//! field-by-field comparison itself does not depend on the kind.

use std::path::Path;

use serde_json::Value;

use super::error::{CompareError, Mismatch, io_reason};

/// What a document is the result of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DocumentKind {
    /// `meridian run --json`.
    Run,
    /// `meridian plan --json`.
    Plan,
}

impl DocumentKind {
    pub const ALL: [DocumentKind; 2] = [DocumentKind::Run, DocumentKind::Plan];

    pub fn name(self) -> &'static str {
        match self {
            DocumentKind::Run => "run",
            DocumentKind::Plan => "plan",
        }
    }

    fn from_name(name: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Fields (besides `schema_version` and `kind`) that must be equal for two documents
    /// of this kind to be comparable, with the JSON type each must have.
    fn identity(self) -> &'static [(&'static str, Expect)] {
        match self {
            // A plan is identified like the run it plans: same file, same seed.
            DocumentKind::Run | DocumentKind::Plan => &[
                ("scenario.content_hash", Expect::String),
                ("scenario.seed", Expect::Integer),
            ],
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Expect {
    String,
    Integer,
}

impl Expect {
    fn accepts(self, v: &Value) -> bool {
        match self {
            Expect::String => v.is_string(),
            Expect::Integer => v.is_u64(),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Expect::String => "a string",
            Expect::Integer => "a non-negative integer",
        }
    }
}

/// A parsed, validated document.
#[derive(Debug, Clone)]
pub struct Document {
    /// How the user named the file (used in messages).
    pub label: String,
    pub value: Value,
    pub kind: DocumentKind,
    pub schema_version: u64,
}

fn get<'a>(v: &'a Value, dotted: &str) -> Option<&'a Value> {
    dotted.split('.').try_fold(v, |v, k| v.get(k))
}

impl Document {
    /// Reads and validates the document at `path`.
    pub fn load(path: &Path) -> Result<Document, CompareError> {
        let label = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| CompareError::Read {
            path: label.clone(),
            reason: io_reason(&e),
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| CompareError::Json {
            path: label.clone(),
            reason: e.to_string(),
        })?;
        Document::from_value(&label, value)
    }

    /// Validates an already parsed document; `label` names it in messages.
    pub fn from_value(label: &str, value: Value) -> Result<Document, CompareError> {
        let invalid = |reason: String| CompareError::NotADocument {
            path: label.to_string(),
            reason,
        };
        if !value.is_object() {
            return Err(invalid(
                "the top level is not an object (expected the output of `meridian run --json`)"
                    .into(),
            ));
        }
        let schema_version = match value.get("schema_version") {
            Some(v) => v
                .as_u64()
                .ok_or_else(|| invalid(format!("`schema_version` is {v}, not an integer")))?,
            None => {
                return Err(invalid(
                    "it has no `schema_version` (expected the output of `meridian run --json`)"
                        .into(),
                ));
            }
        };
        let kind = match value.get("kind") {
            Some(Value::String(k)) => DocumentKind::from_name(k).ok_or_else(|| {
                invalid(format!(
                    "its kind \"{k}\" cannot be checked by this meridian (known kinds: {})",
                    DocumentKind::ALL.map(|k| k.name()).join(", ")
                ))
            })?,
            Some(v) => return Err(invalid(format!("`kind` is {v}, not a string"))),
            None => return Err(invalid("it has no `kind`".into())),
        };
        for (field, expect) in kind.identity() {
            match get(&value, field) {
                Some(v) if expect.accepts(v) => {}
                Some(v) => {
                    return Err(invalid(format!(
                        "`{field}` is {v}, not {}",
                        expect.describe()
                    )));
                }
                None => return Err(invalid(format!("it has no `{field}`"))),
            }
        }
        Ok(Document {
            label: label.to_string(),
            value,
            kind,
            schema_version,
        })
    }

    /// The scenario's name, when the document has one.
    pub fn scenario_name(&self) -> Option<&str> {
        get(&self.value, "scenario.name").and_then(Value::as_str)
    }

    /// The value of an identity field, e.g. `scenario.content_hash`, as text.
    pub fn identity_text(&self, field: &str) -> Option<String> {
        get(&self.value, field).map(|v| match v {
            Value::String(s) => s.clone(),
            v => v.to_string(),
        })
    }

    /// The identity fields of this document's kind with their values.
    pub fn identity(&self) -> Vec<(&'static str, Value)> {
        self.kind
            .identity()
            .iter()
            .map(|(f, _)| (*f, get(&self.value, f).cloned().unwrap_or(Value::Null)))
            .collect()
    }

    /// Checks that `result` can be compared against `self` (the baseline): same layout,
    /// same kind, same identity.
    pub fn check_comparable(&self, result: &Document) -> Result<(), CompareError> {
        let differs = |field: &str, b: String, r: String, hint: String| {
            Err(CompareError::NotComparable(Box::new(Mismatch {
                baseline: self.label.clone(),
                result: result.label.clone(),
                field: field.to_string(),
                in_baseline: b,
                in_result: r,
                hint,
            })))
        };
        let bless = format!(
            "if that is intended, make the result the new baseline: meridian check {} --baseline {} --bless",
            result.label, self.label
        );
        if self.schema_version != result.schema_version {
            return differs(
                "schema_version",
                self.schema_version.to_string(),
                result.schema_version.to_string(),
                format!(
                    "the documents have different layouts; regenerate the older one with this meridian ({bless})"
                ),
            );
        }
        if self.kind != result.kind {
            return differs(
                "kind",
                self.kind.name().into(),
                result.kind.name().into(),
                "only documents of the same kind can be compared".into(),
            );
        }
        for (field, _) in self.kind.identity() {
            let (b, r) = (self.identity_text(field), result.identity_text(field));
            if b != r {
                let why = match *field {
                    "scenario.content_hash" => {
                        "the documents come from different scenario files (or an edited one)"
                    }
                    "scenario.seed" => {
                        "the runs used different seeds, so they simulated different requests; rerun with the baseline's --seed"
                    }
                    _ => "the documents describe different computations",
                };
                return differs(
                    field,
                    b.unwrap_or_default(),
                    r.unwrap_or_default(),
                    format!("{why}; {bless}"),
                );
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Value {
        json!({
            "schema_version": 1,
            "kind": "run",
            "scenario": { "name": "x", "content_hash": "abc", "seed": 42 },
        })
    }

    #[test]
    fn valid_document() {
        let d = Document::from_value("a.json", doc()).unwrap();
        assert_eq!(d.kind, DocumentKind::Run);
        assert_eq!(d.schema_version, 1);
        assert_eq!(d.scenario_name(), Some("x"));
        assert_eq!(
            d.identity(),
            [
                ("scenario.content_hash", json!("abc")),
                ("scenario.seed", json!(42))
            ]
        );
    }

    #[test]
    fn invalid_documents_say_why() {
        let cases: Vec<(Value, &str)> = vec![
            (json!([1, 2]), "top level"),
            (json!({"kind": "run"}), "schema_version"),
            (
                json!({"schema_version": "1", "kind": "run"}),
                "not an integer",
            ),
            (json!({"schema_version": 1}), "no `kind`"),
            (json!({"schema_version": 1, "kind": "plan"}), "\"plan\""),
            (
                json!({"schema_version": 1, "kind": "run", "scenario": {"seed": 1}}),
                "scenario.content_hash",
            ),
            (
                json!({"schema_version": 1, "kind": "run", "scenario": {"content_hash": "a", "seed": -1}}),
                "scenario.seed",
            ),
        ];
        for (v, want) in cases {
            let e = Document::from_value("a.json", v.clone())
                .unwrap_err()
                .to_string();
            assert!(
                e.starts_with("a.json is not a meridian result document") && e.contains(want),
                "{v}: {e}"
            );
        }
    }

    #[test]
    fn identity_must_match() {
        let base = Document::from_value("b.json", doc()).unwrap();
        assert!(base.check_comparable(&base.clone()).is_ok());
        for (field, change) in [
            ("schema_version", json!(2)),
            ("scenario.content_hash", json!("abd")),
            ("scenario.seed", json!(43)),
        ] {
            let mut v = doc();
            let mut slot = &mut v;
            for k in field.split('.') {
                slot = slot.get_mut(k).unwrap();
            }
            *slot = change;
            let r = Document::from_value("r.json", v).unwrap();
            let e = base.check_comparable(&r).unwrap_err().to_string();
            assert!(
                e.contains(&format!("`{field}` differs")) && e.contains("--bless"),
                "{field}: {e}"
            );
        }
    }
}
