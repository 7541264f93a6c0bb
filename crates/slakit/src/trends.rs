//! Trends (SPEC §9b): a pure post-pass over the finished result rows, so it
//! is the same for `evaluate` and for merged partials.
//!
//! - Each row of a **closed** window whose previous window of the same SLA
//!   and segment is also a closed row that immediately precedes it (its end
//!   is this row's start) and both have a value carries `trend`: the
//!   previous value, `delta` = value − previous (6 decimals, exact on the
//!   rows' 6-decimal values) and `direction` (`up`, `down`, `flat`).
//! - Finding `trend_rising`: a failure rate — a `change_failure_rate` row's
//!   value, or 1 − a `success_rate` row's value — that rose strictly at each
//!   step over `trend_windows` (default 3) consecutive closed windows of one
//!   SLA and segment. One finding per maximal rising run, at its last window.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::policy::Policy;
use crate::report::{Finding, ResultRow, Trend};

/// The default `trend_windows`.
pub const DEFAULT_TREND_WINDOWS: u32 = 3;

fn micro(v: &Option<Value>) -> Option<i64> {
    v.as_ref()
        .and_then(Value::as_f64)
        .map(|x| (x * 1_000_000.0).round() as i64)
}

/// The key of a row's series: its SLA and segment.
fn series_key(r: &ResultRow) -> (String, String) {
    let seg: Vec<String> = r
        .segment
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_deref().unwrap_or("\u{0}")))
        .collect();
    (r.sla.clone(), seg.join("\u{1}"))
}

/// Row indices per series, in window order (rows are sorted by window start within an SLA).
fn series(results: &[ResultRow]) -> BTreeMap<(String, String), Vec<usize>> {
    let mut out: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for (i, r) in results.iter().enumerate() {
        out.entry(series_key(r)).or_default().push(i);
    }
    out
}

/// Whether row `b` directly follows closed row `a`, both closed.
fn consecutive(a: &ResultRow, b: &ResultRow) -> bool {
    a.window.state == "closed" && b.window.state == "closed" && a.window.end == b.window.start
}

/// Fill `trend` on every row that has a consecutive closed predecessor.
pub(crate) fn annotate(results: &mut [ResultRow]) {
    for idx in series(results).into_values() {
        for pair in idx.windows(2) {
            let (Some(&a), Some(&b)) = (pair.first(), pair.get(1)) else {
                continue;
            };
            let (Some(prev), Some(cur)) = (results.get(a), results.get(b)) else {
                continue;
            };
            if !consecutive(prev, cur) {
                continue;
            }
            let (Some(pv), Some(cv)) = (micro(&prev.value), micro(&cur.value)) else {
                continue;
            };
            let trend = Trend {
                previous_window: prev.window.start.clone(),
                previous_value: pv as f64 / 1_000_000.0,
                delta: (cv - pv) as f64 / 1_000_000.0,
                direction: match cv.cmp(&pv) {
                    std::cmp::Ordering::Greater => "up",
                    std::cmp::Ordering::Less => "down",
                    std::cmp::Ordering::Equal => "flat",
                }
                .into(),
            };
            if let Some(r) = results.get_mut(b) {
                r.trend = Some(trend);
            }
        }
    }
}

/// The failure rate of a row, in millionths: CFR as is, success rate as 1 − value.
fn failure_rate(r: &ResultRow) -> Option<i64> {
    let v = micro(&r.value)?;
    match r.kind.as_str() {
        "change_failure_rate" => Some(v),
        "success_rate" => Some(1_000_000 - v),
        _ => None,
    }
}

/// `trend_rising` findings.
pub(crate) fn findings(policy: &Policy, results: &[ResultRow]) -> Vec<Finding> {
    let n = policy.doc.trend_windows.unwrap_or(DEFAULT_TREND_WINDOWS) as usize;
    let mut found: Vec<(usize, Finding)> = Vec::new();
    for idx in series(results).into_values() {
        // The current rising run, as row indices.
        let mut run: Vec<usize> = Vec::new();
        let flush = |run: &Vec<usize>, found: &mut Vec<(usize, Finding)>| {
            if run.len() >= n
                && let Some(&last) = run.last()
            {
                found.push((last, finding(results, run)));
            }
        };
        for &i in &idx {
            let Some(row) = results.get(i) else { continue };
            let rate = failure_rate(row).filter(|_| row.window.state == "closed");
            let extends = match (run.last().and_then(|&l| results.get(l)), rate) {
                (Some(prev), Some(r)) => {
                    consecutive(prev, row) && failure_rate(prev).is_some_and(|p| r > p)
                }
                _ => false,
            };
            if extends {
                run.push(i);
            } else {
                flush(&run, &mut found);
                run.clear();
                if rate.is_some() {
                    run.push(i);
                }
            }
        }
        flush(&run, &mut found);
    }
    // In report order: by the row that ends the run.
    found.sort_by_key(|(i, _)| *i);
    found.into_iter().map(|(_, f)| f).collect()
}

fn finding(results: &[ResultRow], run: &[usize]) -> Finding {
    let rows: Vec<&ResultRow> = run.iter().filter_map(|&i| results.get(i)).collect();
    let rates: Vec<f64> = rows
        .iter()
        .filter_map(|r| failure_rate(r))
        .map(|m| m as f64 / 1_000_000.0)
        .collect();
    let labels: Vec<String> = rows.iter().map(|r| r.window.label.clone()).collect();
    let (sla, segment) = rows
        .first()
        .map(|r| (r.sla.clone(), r.segment.clone()))
        .unwrap_or_default();
    let seg_text: Vec<String> = segment
        .iter()
        .map(|(k, v)| format!("{k} {}", v.as_deref().unwrap_or("(none)")))
        .collect();
    let mut details = BTreeMap::new();
    details.insert("sla".into(), Value::from(sla.clone()));
    details.insert(
        "segment".into(),
        serde_json::to_value(&segment).unwrap_or(Value::Null),
    );
    details.insert("windows".into(), Value::from(labels.clone()));
    details.insert("failure_rates".into(), Value::from(rates.clone()));
    Finding {
        kind: "trend_rising".into(),
        message: format!(
            "the failure rate of SLA `{sla}` ({}) rose {} windows in a row: {}",
            seg_text.join(", "),
            rows.len(),
            labels
                .iter()
                .zip(&rates)
                .map(|(l, r)| format!("{l} {:.2}%", r * 100.0))
                .collect::<Vec<_>>()
                .join(" → ")
        ),
        details,
    }
}
