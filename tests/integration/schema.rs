//! The JSON documents conform to the schema `meridian schema` prints.
//!
//! A deliberately small validator for the subset of JSON Schema that schemars emits here
//! (`$ref` to `#/$defs`, `type`, `properties`, `required`, `additionalProperties`, `items`,
//! `minimum`, unsigned formats): enough to catch a document that drifts from its schema, a
//! NaN serialised as `null`, or a negative count.

use meridian::report::{run_document, schemas};
use meridian::run::{RunOptions, run};
use serde_json::Value;

use crate::support::{shipped, shipped_names};

fn type_matches(t: &str, v: &Value) -> bool {
    match t {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "boolean" => v.is_boolean(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "null" => v.is_null(),
        _ => false,
    }
}

/// Appends to `errors` every way `v` (at `path`) violates `schema`.
fn validate(root: &Value, schema: &Value, v: &Value, path: &str, errors: &mut Vec<String>) {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        let name = r.strip_prefix("#/$defs/").expect("local reference");
        return validate(root, &root["$defs"][name], v, path, errors);
    }
    match schema.get("type") {
        Some(Value::String(t)) if !type_matches(t, v) => {
            errors.push(format!("{path}: expected {t}, got {v}"));
            return;
        }
        Some(Value::Array(ts)) if !ts.iter().any(|t| type_matches(t.as_str().unwrap_or(""), v)) => {
            errors.push(format!("{path}: expected one of {ts:?}, got {v}"));
            return;
        }
        _ => {}
    }
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
        && v.as_f64().is_some_and(|x| x < min)
    {
        errors.push(format!("{path}: {v} below minimum {min}"));
    }
    if let Some(obj) = v.as_object() {
        let props = schema.get("properties").and_then(Value::as_object);
        for req in schema
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = req.as_str().unwrap_or("");
            if !obj.contains_key(key) {
                errors.push(format!("{path}: missing required `{key}`"));
            }
        }
        for (k, child) in obj {
            let child_path = format!("{path}.{k}");
            match (
                props.and_then(|p| p.get(k)),
                schema.get("additionalProperties"),
            ) {
                (Some(s), _) => validate(root, s, child, &child_path, errors),
                (None, Some(Value::Bool(false))) => {
                    errors.push(format!("{child_path}: not in the schema"))
                }
                (None, Some(s)) if s.is_object() => validate(root, s, child, &child_path, errors),
                (None, _) => {}
            }
        }
    }
    if let (Some(items), Some(arr)) = (schema.get("items"), v.as_array()) {
        for (i, child) in arr.iter().enumerate() {
            validate(root, items, child, &format!("{path}[{i}]"), errors);
        }
    }
}

#[test]
fn every_shipped_run_document_matches_its_schema() {
    let schema = &schemas()["run"];
    assert_eq!(schema["title"], "meridian run document");
    for name in shipped_names() {
        let doc = run_document(&run(
            &shipped(&name),
            RunOptions {
                replications: Some(2),
                ..Default::default()
            },
        ));
        let mut errors = Vec::new();
        validate(schema, schema, &doc, "$", &mut errors);
        assert!(errors.is_empty(), "{name}:\n{}", errors.join("\n"));
    }
}

#[test]
fn a_plan_document_matches_its_schema() {
    let schema = &schemas()["plan"];
    assert_eq!(schema["title"], "meridian plan document");
    let scenario = crate::support::inline(
        r#"
name = "schema-plan"
[simulation]
duration_s = 3600
seed = 3
start_utc_hour = 14
[traffic]
total_rate_rps = 1.0
sites = [{ name = "london" }, { name = "new-york" }]
[[regions]]
code = "eu-west-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 1
[[regions]]
code = "us-east-1"
profile = "llama-2-7b@g5.2xlarge"
instances = 1
[routing]
policy = "latency"
[slo]
ttft = { percentile = 95, max_ms = 4000 }
availability_pct = 99
[plan]
horizon_h = 2
replications = 2
search_window_s = 600
resilience = { ttft = { percentile = 95, max_ms = 8000 } }
"#,
    );
    let doc = meridian::plan::plan(
        &scenario,
        &crate::support::catalog(),
        RunOptions::default(),
        &std::sync::atomic::AtomicBool::new(false),
    )
    .unwrap();
    let value = serde_json::to_value(&doc).unwrap();
    assert!(!value["candidates"][0]["plan"].is_null(), "{value:#}");
    let mut errors = Vec::new();
    validate(schema, schema, &value, "$", &mut errors);
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn the_validator_catches_drift() {
    let schema = &schemas()["run"];
    let mut doc = run_document(&run(
        &shipped("single-region.toml"),
        RunOptions {
            replications: Some(1),
            ..Default::default()
        },
    ));
    doc["outcomes"]["completed"] = Value::from(-1);
    doc["latency"]["ttft"]["p99_ms"] = Value::Null;
    doc["surprise"] = Value::from(1);
    doc.as_object_mut().unwrap().remove("cost");
    let mut errors = Vec::new();
    validate(schema, schema, &doc, "$", &mut errors);
    let text = errors.join("\n");
    for needle in [
        "$.outcomes.completed",
        "$.latency.ttft.p99_ms",
        "$.surprise",
        "missing required `cost`",
    ] {
        assert!(text.contains(needle), "{needle} not reported:\n{text}");
    }
}

#[test]
fn schema_subcommand_prints_the_same_schema() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_meridian"))
        .args(["schema", "--kind", "run"])
        .output()
        .expect("meridian runs");
    assert!(out.status.success());
    let printed: Value = serde_json::from_slice(&out.stdout).expect("valid JSON");
    assert_eq!(printed, schemas()["run"]);
    let all = std::process::Command::new(env!("CARGO_BIN_EXE_meridian"))
        .arg("schema")
        .output()
        .expect("meridian runs");
    let all: Value = serde_json::from_slice(&all.stdout).expect("valid JSON");
    assert!(all.get("run").is_some());
}
