//! Shared conformance-vector runner: loads `tests/conformance/*.json` and
//! compares a report (as JSON) with a vector's expectations, per the
//! vectors' README. Used by the library test and the CLI test.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use serde_json::Value;
use std::path::PathBuf;

/// The vectors directory of the workspace.
pub fn vectors_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/conformance")
}

/// Every vector: (file name, parsed JSON), sorted by name.
pub fn load_vectors() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(vectors_dir()).expect("tests/conformance exists") {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let v: Value =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        out.push((path.file_name().unwrap().to_string_lossy().into_owned(), v));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!out.is_empty(), "no conformance vectors found");
    out
}

/// What an entry point produced for a vector.
pub enum Outcome {
    /// A report as JSON.
    Report(Value),
    /// An error: kind and message.
    Error { kind: String, message: String },
}

fn instant_ms(s: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|d| d.timestamp_millis())
}

fn same_value(expected: &Value, actual: Option<&Value>, key: &str) -> bool {
    let actual = actual.unwrap_or(&Value::Null);
    match (expected, actual) {
        (Value::Null, Value::Null) => true,
        (Value::Number(e), Value::Number(a)) => {
            let (e, a) = (e.as_f64().unwrap(), a.as_f64().unwrap());
            if key == "value" || key == "consumed" {
                (e - a).abs() < 5e-7
            } else {
                e == a
            }
        }
        (Value::String(e), Value::String(a))
            if key.ends_with("_at") || key.starts_with("window_") && key != "window_state" =>
        {
            instant_ms(e).is_some() && instant_ms(e) == instant_ms(a) || e == a
        }
        (e, a) => e == a,
    }
}

/// Look a flat expectation key up in a report row.
fn row_field<'a>(row: &'a Value, key: &str) -> Option<&'a Value> {
    match key {
        "window_start" => row.pointer("/window/start"),
        "window_end" => row.pointer("/window/end"),
        "window_state" => row.pointer("/window/state"),
        k => row
            .get(k)
            .or_else(|| row.get("counts").and_then(|c| c.get(k))),
    }
}

/// Compare; return a list of human-readable differences (empty = pass).
pub fn check(vector: &Value, outcome: &Outcome) -> Vec<String> {
    let mut diffs = Vec::new();
    match (vector.get("expect_error"), outcome) {
        (Some(err), Outcome::Error { kind, message }) => {
            if err["kind"].as_str() != Some(kind.as_str()) {
                diffs.push(format!(
                    "error kind: expected {}, got {kind} ({message})",
                    err["kind"]
                ));
            }
            for m in err["mentions"].as_array().into_iter().flatten() {
                let m = m.as_str().unwrap();
                if !message.contains(m) {
                    diffs.push(format!("error message {message:?} does not mention {m:?}"));
                }
            }
        }
        (Some(err), Outcome::Report(_)) => {
            diffs.push(format!("expected an error {err}, got a report"))
        }
        (None, Outcome::Error { kind, message }) => {
            diffs.push(format!("unexpected {kind} error: {message}"))
        }
        (None, Outcome::Report(report)) => {
            let expect = &vector["expect"];
            let rows = report["results"].as_array().cloned().unwrap_or_default();
            if let Some(exp_rows) = expect.get("results").and_then(Value::as_array) {
                if exp_rows.len() != rows.len() {
                    diffs.push(format!(
                        "expected {} result rows, got {}: {}",
                        exp_rows.len(),
                        rows.len(),
                        rows.iter()
                            .map(|r| format!(
                                "{}@{}{}",
                                r["sla"], r["window"]["start"], r["segment"]
                            ))
                            .collect::<Vec<_>>()
                            .join(" ")
                    ));
                }
                for er in exp_rows {
                    let ws = instant_ms(er["window_start"].as_str().unwrap_or(""));
                    let found = rows.iter().find(|r| {
                        r["sla"] == er["sla"]
                            && instant_ms(r["window"]["start"].as_str().unwrap_or("")) == ws
                            && r["segment"] == er["segment"]
                    });
                    let Some(row) = found else {
                        diffs.push(format!(
                            "missing row sla={} window_start={} segment={}",
                            er["sla"], er["window_start"], er["segment"]
                        ));
                        continue;
                    };
                    for (k, ev) in er.as_object().unwrap() {
                        if k == "sla" || k == "segment" {
                            continue;
                        }
                        if !same_value(ev, row_field(row, k), k) {
                            diffs.push(format!(
                                "row {} {} {}: {k} expected {ev}, got {}",
                                er["sla"],
                                er["window_start"],
                                er["segment"],
                                row_field(row, k).unwrap_or(&Value::Null)
                            ));
                        }
                    }
                }
            }
            if let Some(exp_deps) = expect.get("deployments").and_then(Value::as_array) {
                let deps = report["deployments"]
                    .as_array()
                    .cloned()
                    .unwrap_or_default();
                let slas: std::collections::BTreeSet<&str> =
                    exp_deps.iter().filter_map(|d| d["sla"].as_str()).collect();
                let actual_count = deps
                    .iter()
                    .filter(|d| d["sla"].as_str().is_some_and(|s| slas.contains(s)))
                    .count();
                if actual_count != exp_deps.len() {
                    diffs.push(format!(
                        "expected {} deployment entries for {slas:?}, got {actual_count}",
                        exp_deps.len()
                    ));
                }
                for ed in exp_deps {
                    let Some(d) = deps
                        .iter()
                        .find(|d| d["deployment"] == ed["deployment"] && d["sla"] == ed["sla"])
                    else {
                        diffs.push(format!(
                            "missing deployment entry {} / {}",
                            ed["deployment"], ed["sla"]
                        ));
                        continue;
                    };
                    for (k, ev) in ed.as_object().unwrap() {
                        if !same_value(ev, d.get(k), k) {
                            diffs.push(format!(
                                "deployment {} / {}: {k} expected {ev}, got {}",
                                ed["deployment"],
                                ed["sla"],
                                d.get(k).unwrap_or(&Value::Null)
                            ));
                        }
                    }
                }
            }
        }
    }
    diffs
}

/// Run every vector through `run` and fail with a list of every failing vector and its diff.
pub fn run_all(run: impl Fn(&Value) -> Outcome) {
    let vectors = load_vectors();
    let mut failed = Vec::new();
    for (name, v) in &vectors {
        let diffs = check(v, &run(v));
        if !diffs.is_empty() {
            failed.push(format!("FAIL {name}\n  {}", diffs.join("\n  ")));
        }
    }
    eprintln!(
        "conformance: {} of {} vectors passed",
        vectors.len() - failed.len(),
        vectors.len()
    );
    assert!(
        failed.is_empty(),
        "{} vector(s) failed:\n{}",
        failed.len(),
        failed.join("\n")
    );
}
