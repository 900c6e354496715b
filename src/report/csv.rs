//! CSV output: the per-region headline figures of a run, its time series, and the file
//! writer they share. Units are in the header names (`_s`, `_ms`, `_usd`, `_pct`).

use std::fmt::Write as _;

use super::document::RunDocument;

/// One CSV record (RFC 4180: a field with a comma, quote or line break is quoted, quotes
/// doubled), ending in a newline.
pub fn record<S: AsRef<str>>(fields: &[S]) -> String {
    let mut out = String::new();
    for (i, f) in fields.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let f = f.as_ref();
        if f.contains([',', '"', '\n', '\r']) {
            let _ = write!(out, "\"{}\"", f.replace('"', "\"\""));
        } else {
            out.push_str(f);
        }
    }
    out.push('\n');
    out
}

/// Header of [`timeseries_csv`].
pub const TIMESERIES_HEADER: &str =
    "region,bucket_start_s,utilisation,queue_length_mean,queue_length_max,instances";

/// The run document's `regions.*.timeseries` as CSV: one row per region and bucket, regions
/// in the document's (sorted) order. Utilisation is a share (0–1), queue lengths are
/// requests, instances are time-averaged running instances.
pub fn timeseries_csv(doc: &RunDocument) -> String {
    let mut out = format!("{TIMESERIES_HEADER}\n");
    for (code, r) in &doc.regions {
        let ts = &r.timeseries;
        for (i, start) in ts.bucket_start_s.iter().enumerate() {
            let at = |v: &[f64]| v.get(i).map(|x| x.to_string()).unwrap_or_default();
            out.push_str(&record(&[
                code.clone(),
                start.to_string(),
                at(&ts.utilisation),
                at(&ts.queue_length_mean),
                at(&ts.queue_length_max),
                at(&ts.instances),
            ]));
        }
    }
    out
}

/// Header of [`regions_csv`].
pub const REGIONS_HEADER: &str = "region,instances_mean,served_pct,ttft_p95_ms,e2e_p99_ms,\
utilisation_pct,queue_length_max,completed,rejected,timed_out,cost_usd";

/// One row per region with the headline figures of the summary table; cost is per
/// replication (instances, tokens and request fees).
pub fn regions_csv(doc: &RunDocument) -> String {
    let mut out = format!("{REGIONS_HEADER}\n");
    for (code, r) in &doc.regions {
        let cost = r.instance_cost_usd + r.token_cost_usd + r.request_fees_usd;
        out.push_str(&record(&[
            code.clone(),
            r.instances_mean.to_string(),
            format!("{:.4}", 100.0 * r.served_share),
            r.ttft.p95_ms.to_string(),
            r.e2e.p99_ms.to_string(),
            format!("{:.4}", 100.0 * r.utilisation_mean),
            r.queue_length_max.to_string(),
            r.outcomes.completed.to_string(),
            r.outcomes.rejected.to_string(),
            r.outcomes.timed_out.to_string(),
            format!("{cost:.4}"),
        ]));
    }
    out
}
