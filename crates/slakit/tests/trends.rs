//! Trends (SPEC §9b): row-to-row change of consecutive closed windows, and
//! the `trend_rising` finding.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use slakit::{ErrorCode, Policy, instant, parse_records};

fn policy(extra: &str) -> String {
    format!(
        "slakit: 1\n{extra}slas:\n  - {{id: cfr, kind: change_failure_rate, window: month, targets: {{default: {{max: 50%}}}}}}\n  - {{id: success, kind: success_rate, window: month, targets: {{default: {{min: 50%}}}}}}\n"
    )
}

/// `failed[i]` of `total` deployments fail in month i (Jan, Feb, ...).
fn records(per_month: &[(usize, usize)]) -> String {
    let mut out = String::new();
    for (m, (failed, total)) in per_month.iter().enumerate() {
        for d in 0..*total {
            let ev = if d < *failed { "failed" } else { "succeeded" };
            out += &format!(
                "{{\"deployment\":\"m{m}d{d}\",\"event\":\"{ev}\",\"time\":\"2026-{:02}-10T10:{:02}:00Z\",\"service\":\"api\"}}\n",
                m + 1,
                d
            );
        }
    }
    out
}

fn eval(policy: &str, records: &str, as_of: &str) -> slakit::Report {
    Policy::from_yaml(policy)
        .unwrap()
        .evaluate(
            &parse_records(records).unwrap(),
            instant::parse(as_of).unwrap(),
        )
        .unwrap()
}

fn rising(r: &slakit::Report) -> Vec<&slakit::report::Finding> {
    r.findings
        .iter()
        .filter(|f| f.kind == "trend_rising")
        .collect()
}

#[test]
fn closed_rows_carry_the_change_against_the_previous_window() {
    // Jan 1/4, Feb 2/4, Mar 2/4, Apr (open) 3/4.
    let r = eval(
        &policy(""),
        &records(&[(1, 4), (2, 4), (2, 4), (3, 4)]),
        "2026-04-20T00:00:00Z",
    );
    let cfr: Vec<_> = r.results.iter().filter(|x| x.sla == "cfr").collect();
    assert_eq!(cfr.len(), 4);
    assert!(
        cfr[0].trend.is_none(),
        "the first window has no predecessor"
    );
    let t = cfr[1].trend.as_ref().unwrap();
    assert_eq!(
        (t.previous_value, t.delta, t.direction.as_str()),
        (0.25, 0.25, "up")
    );
    assert_eq!(t.previous_window, "2026-01-01T00:00:00Z");
    assert_eq!(cfr[2].trend.as_ref().unwrap().direction, "flat");
    assert!(cfr[3].trend.is_none(), "an open window has no trend yet");
    let success: Vec<_> = r.results.iter().filter(|x| x.sla == "success").collect();
    let t = success[1].trend.as_ref().unwrap();
    assert_eq!((t.delta, t.direction.as_str()), (-0.25, "down"));
}

#[test]
fn a_gap_month_breaks_the_chain() {
    // Jan and Mar only: not consecutive.
    let r = eval(
        &policy(""),
        &records(&[(1, 4), (0, 0), (2, 4)]),
        "2026-04-20T00:00:00Z",
    );
    assert!(r.results.iter().all(|x| x.trend.is_none()));
}

#[test]
fn trend_rising_after_n_strictly_rising_closed_windows() {
    // Failure rate 10%, 20%, 30% over Jan..Mar: three rising windows.
    let recs = records(&[(1, 10), (2, 10), (3, 10)]);
    let r = eval(&policy(""), &recs, "2026-04-20T00:00:00Z");
    let f = rising(&r);
    // Both the CFR and (1 − success) rise.
    assert_eq!(f.len(), 2, "{f:?}");
    assert_eq!(f[0].details["sla"], "cfr");
    assert_eq!(
        f[0].details["windows"],
        serde_json::json!(["2026-01", "2026-02", "2026-03"])
    );
    assert!(
        f[0].message
            .contains("2026-01 10.00% → 2026-02 20.00% → 2026-03 30.00%"),
        "{}",
        f[0].message
    );
    // Configurable: 4 windows are needed now.
    let r = eval(&policy("trend_windows: 4\n"), &recs, "2026-04-20T00:00:00Z");
    assert!(rising(&r).is_empty());
}

#[test]
fn no_trend_rising_when_a_step_is_flat_or_the_last_window_is_open() {
    let r = eval(
        &policy(""),
        &records(&[(1, 10), (2, 10), (2, 10)]),
        "2026-04-20T00:00:00Z",
    );
    assert!(rising(&r).is_empty());
    // The third rising month is still open.
    let r = eval(
        &policy(""),
        &records(&[(1, 10), (2, 10), (3, 10)]),
        "2026-03-20T00:00:00Z",
    );
    assert!(rising(&r).is_empty());
}

#[test]
fn trend_windows_below_two_is_an_error() {
    let e = Policy::from_yaml(&policy("trend_windows: 1\n")).unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidValue);
    assert_eq!(e.location.path.as_deref(), Some("/trend_windows"));
}
