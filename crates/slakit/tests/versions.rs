//! Policy versions and audit freezes (SPEC §9b): each window is judged under
//! the version in force at its start, appending a version never rewrites a
//! closed window, every entry point agrees, and bad versions are refused.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use slakit::gate::parse_proposed;
use slakit::partial::{Partial, evaluate_partial};
use slakit::{ErrorCode, Policy, Record, Report, instant, parse_records};

const BASE: &str = r#"slakit: 1
name: versioned
services:
  api: {tier: tier1, team: payments}
  web: {tier: tier2, team: storefront}
tiers: [tier1, tier2]
slas:
  - id: lead
    clock: {start: merged, stop: succeeded}
    window: month
    targets: {default: {max: 4h, objective: 90%}}
  - id: success
    kind: success_rate
    window: month
    targets: {default: {min: 50%}}
"#;

/// A version tightening `lead` to `max` from `eff`, approved at `approved`.
fn version(eff: &str, approved: &str, max: &str) -> String {
    format!(
        r#"  - effective_from: "{eff}"
    approved_at: "{approved}"
    slas:
      - id: lead
        clock: {{start: merged, stop: succeeded}}
        window: month
        targets: {{default: {{max: {max}, objective: 90%}}}}
      - id: success
        kind: success_rate
        window: month
        targets: {{default: {{min: 50%}}}}
"#
    )
}

fn versioned(versions: &[String], extra: &str) -> String {
    let mut out = format!("{BASE}{extra}");
    if !versions.is_empty() {
        out.push_str("versions:\n");
        for v in versions {
            out.push_str(v);
        }
    }
    out
}

/// Three deployments a month, Jan to Jun 2026, each taking 3h from merge to
/// success (met under 4h, breached under 2h).
fn records() -> Vec<Record> {
    let mut out = String::new();
    for m in 1..=6 {
        for (d, day) in [(0, 2), (1, 14), (2, 20)] {
            let id = format!("m{m}d{d}");
            let svc = if d == 1 { "web" } else { "api" };
            out += &format!(
                "{{\"deployment\":\"{id}\",\"event\":\"merged\",\"time\":\"2026-{m:02}-{day:02}T10:00:00Z\",\"service\":\"{svc}\"}}\n"
            );
            out += &format!(
                "{{\"deployment\":\"{id}\",\"event\":\"started\",\"time\":\"2026-{m:02}-{day:02}T10:30:00Z\"}}\n"
            );
            out += &format!(
                "{{\"deployment\":\"{id}\",\"event\":\"succeeded\",\"time\":\"2026-{m:02}-{day:02}T13:00:00Z\"}}\n"
            );
        }
    }
    parse_records(&out).unwrap()
}

fn at(s: &str) -> i64 {
    instant::parse(s).unwrap()
}

fn eval(policy: &str, as_of: &str) -> Report {
    Policy::from_yaml(policy)
        .unwrap()
        .evaluate(&records(), at(as_of))
        .unwrap()
}

fn err(policy: &str) -> slakit::Error {
    Policy::from_yaml(policy).unwrap_err()
}

fn lead_rows(r: &Report) -> Vec<&slakit::report::ResultRow> {
    r.results.iter().filter(|x| x.sla == "lead").collect()
}

#[test]
fn a_window_straddling_an_effective_date_uses_the_version_at_its_start() {
    // The version takes effect mid-March: March (started 1 March) stays under
    // the base 4h, April onwards is judged against 2h.
    let p = versioned(
        &[version(
            "2026-03-15T00:00:00Z",
            "2026-03-01T00:00:00Z",
            "2h",
        )],
        "",
    );
    let r = eval(&p, "2026-06-30T00:00:00Z");
    let march: Vec<_> = lead_rows(&r)
        .into_iter()
        .filter(|x| x.window.start == "2026-03-01T00:00:00Z")
        .collect();
    assert!(!march.is_empty());
    for row in &march {
        assert_eq!(row.policy_version, None, "{}", row.id);
        assert_eq!(row.target.max_ms, Some(4 * 3_600_000));
        assert_eq!(row.status, "met");
    }
    // The deployment of 20 March, after the effective date, counts under 4h.
    let d = r
        .deployments
        .iter()
        .find(|e| e.deployment == "m3d0" && e.sla == "lead")
        .unwrap();
    assert_eq!(d.state, "met");
    assert_eq!(d.policy_version, None);
    let april: Vec<_> = lead_rows(&r)
        .into_iter()
        .filter(|x| x.window.start == "2026-04-01T00:00:00Z")
        .collect();
    assert!(!april.is_empty());
    for row in &april {
        assert_eq!(row.policy_version.as_deref(), Some("2026-03-15T00:00:00Z"));
        assert_eq!(row.target.max_ms, Some(2 * 3_600_000));
        assert_eq!(row.status, "breached");
    }
    let e = r
        .deployments
        .iter()
        .find(|e| e.deployment == "m4d0" && e.sla == "lead")
        .unwrap();
    assert_eq!(e.state, "breached");
    assert_eq!(e.policy_version.as_deref(), Some("2026-03-15T00:00:00Z"));
    // The header names the version in force at as_of.
    assert_eq!(r.policy.version.as_deref(), Some("2026-03-15T00:00:00Z"));
    let json = r.to_json();
    assert!(json.contains("\"policy_version\": \"2026-03-15T00:00:00Z\""));
}

#[test]
fn before_the_first_version_the_base_policy_is_in_force() {
    let p = versioned(
        &[version(
            "2026-03-15T00:00:00Z",
            "2026-03-01T00:00:00Z",
            "2h",
        )],
        "",
    );
    let r = eval(&p, "2026-03-10T00:00:00Z");
    assert_eq!(r.policy.version, None);
    assert!(r.results.iter().all(|x| x.policy_version.is_none()));
    assert!(!r.to_json().contains("policy_version"));
    // Exactly at effective_from the version is in force.
    let r = eval(&p, "2026-03-15T00:00:00Z");
    assert_eq!(r.policy.version.as_deref(), Some("2026-03-15T00:00:00Z"));
}

#[test]
fn a_window_starting_exactly_at_effective_from_uses_the_new_version() {
    let p = versioned(
        &[version(
            "2026-04-01T00:00:00Z",
            "2026-03-01T00:00:00Z",
            "2h",
        )],
        "",
    );
    let r = eval(&p, "2026-06-30T00:00:00Z");
    for row in lead_rows(&r) {
        let new = row.window.start.as_str() >= "2026-04-01";
        assert_eq!(row.policy_version.is_some(), new, "{}", row.id);
    }
}

#[test]
fn an_unversioned_policy_reports_as_before() {
    // The same policy with one version that changes nothing from long ago:
    // every row is the version's, and equal to the unversioned rows but for
    // the `policy_version` field.
    let plain = eval(BASE, "2026-06-30T00:00:00Z");
    assert!(!plain.to_json().contains("policy_version"));
    let p = versioned(
        &[version(
            "2025-01-01T00:00:00Z",
            "2024-12-01T00:00:00Z",
            "4h",
        )],
        "",
    );
    let v = eval(&p, "2026-06-30T00:00:00Z");
    assert_eq!(plain.results.len(), v.results.len());
    for (a, b) in plain.results.iter().zip(&v.results) {
        let mut b = b.clone();
        assert_eq!(b.policy_version.as_deref(), Some("2025-01-01T00:00:00Z"));
        b.policy_version = None;
        assert_eq!(*a, b);
    }
    assert_eq!(plain.findings, v.findings);
    assert_eq!(plain.inputs, v.inputs);
}

#[test]
fn table_and_csv_name_the_version_of_each_row() {
    let p = versioned(
        &[version(
            "2026-03-15T00:00:00Z",
            "2026-03-01T00:00:00Z",
            "2h",
        )],
        "",
    );
    let r = eval(&p, "2026-06-30T00:00:00Z");
    let csv = slakit::render::csv(&r);
    let mut lines = csv.lines();
    assert!(
        lines
            .next()
            .unwrap()
            .ends_with(",error_budget_remaining,policy_version")
    );
    let lines: Vec<&str> = lines.collect();
    assert_eq!(lines.len(), r.results.len());
    let march = lines
        .iter()
        .find(|l| l.starts_with("lead,duration,2026-03-01T00:00:00Z,"))
        .unwrap();
    assert!(
        march.ends_with(','),
        "base policy: an empty last field: {march}"
    );
    let april = lines
        .iter()
        .find(|l| l.starts_with("lead,duration,2026-04-01T00:00:00Z,"))
        .unwrap();
    assert!(april.ends_with(",2026-03-15T00:00:00Z"), "{april}");
    let table = slakit::render::table(&r);
    assert!(table.contains("POLICY VERSION"), "{table}");
    assert!(table.contains("2026-03-15T00:00:00Z"), "{table}");
    // An unversioned policy: the CSV and the table are as they were.
    let plain = eval(BASE, "2026-06-30T00:00:00Z");
    assert_eq!(
        slakit::render::csv(&plain).lines().next().unwrap(),
        slakit::render::CSV_HEADER.join(",")
    );
    assert!(!slakit::render::table(&plain).contains("POLICY VERSION"));
}

/// The rows (as JSON) of windows starting before `t`, and the deployment entries.
fn closed_before(r: &Report, t: i64) -> (Vec<String>, Vec<String>) {
    let rows = r
        .results
        .iter()
        .filter(|x| at(&x.window.start) < t && x.window.state == "closed")
        .map(|x| serde_json::to_string(x).unwrap())
        .collect();
    let entries = r
        .deployments
        .iter()
        .filter(|x| at(&x.window_start) < t)
        .map(|x| serde_json::to_string(x).unwrap())
        .collect();
    (rows, entries)
}

#[test]
fn appending_a_later_version_leaves_closed_windows_byte_identical() {
    let v1 = version("2026-02-10T00:00:00Z", "2026-02-01T00:00:00Z", "2h");
    let v2 = version("2026-05-01T00:00:00Z", "2026-04-20T00:00:00Z", "8h");
    let before = eval(
        &versioned(std::slice::from_ref(&v1), ""),
        "2026-06-30T00:00:00Z",
    );
    let after = eval(&versioned(&[v1, v2], ""), "2026-06-30T00:00:00Z");
    let t = at("2026-05-01T00:00:00Z");
    let (a, b) = (closed_before(&before, t), closed_before(&after, t));
    assert!(a.0.len() >= 8, "{} rows", a.0.len());
    assert_eq!(a, b);
    // ... and the later windows did change: May is met again under 8h.
    let may = lead_rows(&after)
        .into_iter()
        .find(|x| x.window.start == "2026-05-01T00:00:00Z" && x.tier == "tier1")
        .unwrap();
    assert_eq!(may.status, "met");
    assert_eq!(may.policy_version.as_deref(), Some("2026-05-01T00:00:00Z"));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Whatever the dates, adding a version never changes the rows and
    /// entries of windows that started before it took effect.
    #[test]
    fn appended_versions_never_rewrite_history(
        first in 0i64..180,
        gap in 1i64..180,
        hour in 0i64..24,
        max in prop::sample::select(vec!["1h", "2h", "5h", "10m"]),
    ) {
        let day = 86_400_000i64;
        let jan1 = at("2026-01-01T00:00:00Z");
        let e1 = jan1 + first * day;
        let e2 = e1 + gap * day + hour * 3_600_000;
        let fmt = instant::format;
        let v1 = version(&fmt(e1), &fmt(e1 - day), "2h");
        let v2 = version(&fmt(e2), &fmt(e2 - day), max);
        let as_of = "2026-07-15T00:00:00Z";
        let before = eval(&versioned(std::slice::from_ref(&v1), ""), as_of);
        let after = eval(&versioned(&[v1, v2], ""), as_of);
        prop_assert_eq!(closed_before(&before, e2), closed_before(&after, e2));
        // Base-only vs one version: the same for the version's own date.
        let base = eval(BASE, as_of);
        let (rows, entries) = closed_before(&base, e1);
        prop_assert_eq!((rows, entries), closed_before(&before, e1));
    }
}

#[test]
fn versions_go_through_every_entry_point_with_the_same_bytes() {
    let p = Policy::from_yaml(&versioned(
        &[
            version("2026-02-10T00:00:00Z", "2026-02-01T00:00:00Z", "2h"),
            version("2026-05-01T00:00:00Z", "2026-04-20T00:00:00Z", "8h"),
        ],
        "",
    ))
    .unwrap();
    let records = records();
    let as_of = at("2026-06-30T00:00:00Z");
    let whole = p.evaluate(&records, as_of).unwrap().to_json();
    assert!(whole.contains("\"policy_version\": \"2026-02-10T00:00:00Z\""));
    assert!(whole.contains("\"policy_version\": \"2026-05-01T00:00:00Z\""));
    for threads in [2, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        #[cfg(feature = "parallel")]
        {
            let report = pool
                .install(|| p.evaluate_parallel(&records, as_of))
                .unwrap();
            assert_eq!(report.to_json(), whole, "{threads} threads");
        }
        // The CLI's deferred report: the same bytes under a versioned policy.
        let deferred = pool
            .install(|| p.evaluate_deferred(&records, as_of))
            .unwrap();
        let mut bytes = Vec::new();
        deferred.write_json(&mut bytes).unwrap();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            whole,
            "{threads} threads"
        );
    }
    // Split by deployment (odd/even month), through bytes, merged both ways.
    let (odd, even): (Vec<Record>, Vec<Record>) = records.iter().cloned().partition(|r| match r {
        Record::Event(e) => e.deployment.as_bytes()[1] % 2 == 1,
        _ => true,
    });
    let a = evaluate_partial(&p, &odd, as_of).unwrap();
    let b = evaluate_partial(&p, &even, as_of).unwrap();
    let b = Partial::from_bytes(&b.to_bytes().unwrap()).unwrap();
    let ab = a.clone().merge(b.clone()).unwrap().finish(&p).unwrap();
    let ba = b.merge(a).unwrap().finish(&p).unwrap();
    assert_eq!(ab.to_json(), whole);
    assert_eq!(ba.to_json(), whole);
}

#[test]
fn a_partial_of_another_version_set_is_refused() {
    let one = Policy::from_yaml(&versioned(
        &[version(
            "2026-02-10T00:00:00Z",
            "2026-02-01T00:00:00Z",
            "2h",
        )],
        "",
    ))
    .unwrap();
    let plain = Policy::from_yaml(BASE).unwrap();
    let as_of = at("2026-06-30T00:00:00Z");
    let p = evaluate_partial(&one, &records(), as_of).unwrap();
    let e = p.finish(&plain).unwrap_err();
    assert_eq!(e.code, ErrorCode::IncompatiblePartials);
    let q = evaluate_partial(&plain, &records(), as_of).unwrap();
    let p = evaluate_partial(&one, &records(), as_of).unwrap();
    assert_eq!(
        p.merge(q).unwrap_err().code,
        ErrorCode::IncompatiblePartials
    );
}

#[test]
fn explain_says_which_version_applied() {
    let p = Policy::from_yaml(&versioned(
        &[version(
            "2026-03-15T00:00:00Z",
            "2026-03-01T00:00:00Z",
            "2h",
        )],
        "",
    ))
    .unwrap();
    let as_of = at("2026-06-30T00:00:00Z");
    let march = p.explain(&records(), "m3d2", as_of).unwrap();
    let lead = march.slas.iter().find(|s| s.sla == "lead").unwrap();
    assert_eq!(lead.policy_version, None);
    assert_eq!(lead.max_ms, Some(4 * 3_600_000));
    assert!(lead.summary.contains("base policy"), "{}", lead.summary);
    let april = p.explain(&records(), "m4d0", as_of).unwrap();
    let lead = april.slas.iter().find(|s| s.sla == "lead").unwrap();
    assert_eq!(lead.policy_version.as_deref(), Some("2026-03-15T00:00:00Z"));
    assert_eq!(lead.max_ms, Some(2 * 3_600_000));
    assert_eq!(lead.state, "breached");
    assert!(
        lead.summary
            .contains("policy version effective from 2026-03-15T00:00:00Z"),
        "{}",
        lead.summary
    );
    // Explain agrees with the report's entry.
    let r = p.evaluate(&records(), as_of).unwrap();
    let e = r
        .deployments
        .iter()
        .find(|e| e.deployment == "m4d0" && e.sla == "lead")
        .unwrap();
    assert_eq!(e.state, lead.state);
}

#[test]
fn slas_added_and_dropped_by_a_version() {
    // From April `success` is dropped and `deploys` added.
    let v = r#"  - effective_from: "2026-04-01T00:00:00Z"
    approved_at: "2026-03-20T00:00:00Z"
    slas:
      - id: lead
        clock: {start: merged, stop: succeeded}
        window: month
        targets: {default: {max: 4h, objective: 90%}}
      - id: deploys
        kind: deployment_frequency
        window: month
        targets: {default: {min: 1}}
"#;
    let p = Policy::from_yaml(&versioned(&[v.to_string()], "")).unwrap();
    assert_eq!(p.check_report().slas, ["lead", "success", "deploys"]);
    let r = p.evaluate(&records(), at("2026-06-30T00:00:00Z")).unwrap();
    let slas: Vec<&str> = r.results.iter().map(|x| x.sla.as_str()).collect();
    let first = |s: &str| slas.iter().position(|x| *x == s).unwrap();
    assert!(first("lead") < first("success") && first("success") < first("deploys"));
    assert!(
        r.results
            .iter()
            .filter(|x| x.sla == "success")
            .all(|x| x.window.start.as_str() < "2026-04")
    );
    assert!(
        r.results
            .iter()
            .filter(|x| x.sla == "deploys")
            .all(|x| x.window.start.as_str() >= "2026-04")
    );
    assert!(r.results.iter().any(|x| x.sla == "deploys"));
}

#[test]
fn the_gate_judges_under_the_version_in_force() {
    let p = Policy::from_yaml(&versioned(
        &[version(
            "2026-03-15T00:00:00Z",
            "2026-03-01T00:00:00Z",
            "2h",
        )],
        "",
    ))
    .unwrap();
    let proposed = parse_proposed(r#"{"deployment":"new","service":"api"}"#).unwrap();
    let d = p
        .gate(&records(), &proposed, at("2026-04-02T00:00:00Z"))
        .unwrap();
    assert_eq!(d.policy.version.as_deref(), Some("2026-03-15T00:00:00Z"));
    let d = p
        .gate(&records(), &proposed, at("2026-03-02T00:00:00Z"))
        .unwrap();
    assert_eq!(d.policy.version, None);
}

// --- audit freezes ----------------------------------------------------------

const FREEZE: &str = r#"audit_freezes:
  - {id: year-end-audit, from: "2026-12-15T00:00:00Z", to: "2027-01-05T00:00:00Z"}
"#;

fn approved(at_: &str) -> String {
    versioned(&[version("2027-01-10T00:00:00Z", at_, "2h")], FREEZE)
}

#[test]
fn a_version_approved_exactly_at_a_freeze_start_is_refused() {
    let e = err(&approved("2026-12-15T00:00:00Z"));
    assert_eq!(e.code, ErrorCode::ApprovedInFreeze);
    assert_eq!(e.code.as_str(), "E132");
    assert_eq!(e.location.path.as_deref(), Some("/versions/0/approved_at"));
    assert!(e.message.contains("`year-end-audit`"), "{}", e.message);
    assert!(e.message.contains("2026-12-15T00:00:00Z"), "{}", e.message);
}

#[test]
fn a_version_approved_exactly_at_a_freeze_end_is_accepted() {
    let p = Policy::from_yaml(&approved("2027-01-05T00:00:00Z")).unwrap();
    assert_eq!(p.versions.len(), 1);
    assert_eq!(p.audit_freezes.len(), 1);
    // One millisecond earlier is still inside.
    let e = err(&approved("2027-01-04T23:59:59.999Z"));
    assert_eq!(e.code, ErrorCode::ApprovedInFreeze);
    // And just before the freeze is fine.
    Policy::from_yaml(&approved("2026-12-14T23:59:59.999Z")).unwrap();
}

#[test]
fn a_freeze_without_an_id_is_named_by_position() {
    let p = versioned(
        &[version(
            "2027-01-10T00:00:00Z",
            "2026-12-20T00:00:00Z",
            "2h",
        )],
        "audit_freezes:\n  - {from: \"2026-12-15T00:00:00Z\", to: \"2027-01-05T00:00:00Z\"}\n",
    );
    let e = err(&p);
    assert_eq!(e.code, ErrorCode::ApprovedInFreeze);
    assert!(e.message.contains("`audit_freezes[0]`"), "{}", e.message);
}

#[test]
fn a_freeze_that_ends_before_it_starts_is_refused() {
    let e = err(&versioned(
        &[],
        "audit_freezes:\n  - {from: \"2026-12-15T00:00:00Z\", to: \"2026-12-15T00:00:00Z\"}\n",
    ));
    assert_eq!(e.code, ErrorCode::InvalidPolicyInstant);
    assert_eq!(e.location.path.as_deref(), Some("/audit_freezes/0/to"));
}

// --- bad versions -----------------------------------------------------------

#[test]
fn versions_out_of_order_or_repeated_are_refused() {
    let v1 = version("2026-05-01T00:00:00Z", "2026-04-01T00:00:00Z", "2h");
    let v2 = version("2026-03-01T00:00:00Z", "2026-02-01T00:00:00Z", "2h");
    let e = err(&versioned(&[v1.clone(), v2], ""));
    assert_eq!(e.code, ErrorCode::VersionOrder);
    assert_eq!(e.code.as_str(), "E130");
    assert_eq!(
        e.location.path.as_deref(),
        Some("/versions/1/effective_from")
    );
    assert!(e.message.contains("before"), "{}", e.message);
    // The same instant in another offset is a repeat.
    let same = version("2026-04-30T20:00:00-04:00", "2026-04-01T00:00:00Z", "3h");
    let e = err(&versioned(&[v1, same], ""));
    assert_eq!(e.code, ErrorCode::VersionOrder);
    assert!(e.message.contains("the same as"), "{}", e.message);
}

#[test]
fn a_version_cannot_set_name_versions_freezes_or_format() {
    for (field, value) in [
        ("name", "other"),
        ("versions", "[]"),
        ("audit_freezes", "[]"),
        ("slakit", "1"),
    ] {
        let v = format!(
            "  - effective_from: \"2026-05-01T00:00:00Z\"\n    approved_at: \"2026-04-01T00:00:00Z\"\n    {field}: {value}\n"
        );
        let e = err(&versioned(&[v], ""));
        assert_eq!(e.code, ErrorCode::VersionSection, "{field}");
        assert_eq!(e.code.as_str(), "E131");
        assert_eq!(
            e.location.path.as_deref(),
            Some(format!("/versions/0/{field}").as_str())
        );
    }
}

#[test]
fn a_version_naming_an_unknown_section_is_refused_with_a_suggestion() {
    let v = "  - effective_from: \"2026-05-01T00:00:00Z\"\n    approved_at: \"2026-04-01T00:00:00Z\"\n    sla: []\n".to_string();
    let e = err(&versioned(&[v], ""));
    assert_eq!(e.code, ErrorCode::UnknownField);
    assert_eq!(e.location.path.as_deref(), Some("/versions/0/sla"));
    assert!(e.message.contains("did you mean `slas`"), "{}", e.message);
    assert!(e.location.line.is_some());
}

#[test]
fn a_version_without_dates_or_with_bad_instants_is_refused() {
    let e = err(&versioned(
        &["  - approved_at: \"2026-04-01T00:00:00Z\"\n".to_string()],
        "",
    ));
    assert_eq!(e.code, ErrorCode::MissingField);
    assert!(e.message.contains("effective_from"), "{}", e.message);
    let e = err(&versioned(
        &[version("2026-05-01T00:00:00", "2026-04-01T00:00:00Z", "2h")],
        "",
    ));
    assert_eq!(e.code, ErrorCode::InvalidPolicyInstant);
    assert_eq!(
        e.location.path.as_deref(),
        Some("/versions/0/effective_from")
    );
    let e = err(&versioned(
        &[version("2026-05-01T00:00:00Z", "tomorrow", "2h")],
        "",
    ));
    assert_eq!(e.code, ErrorCode::InvalidPolicyInstant);
    assert_eq!(e.location.path.as_deref(), Some("/versions/0/approved_at"));
}

#[test]
fn an_error_inside_a_version_section_is_located_in_the_version() {
    let e = err(&versioned(
        &[version(
            "2026-05-01T00:00:00Z",
            "2026-04-01T00:00:00Z",
            "two hours",
        )],
        "",
    ));
    assert_eq!(e.code, ErrorCode::InvalidDuration);
    assert_eq!(
        e.location.path.as_deref(),
        Some("/versions/0/slas/0/targets/default/max")
    );
    // A base section that only breaks under the version's tiers: said to
    // arise under the version.
    let v = "  - effective_from: \"2026-05-01T00:00:00Z\"\n    approved_at: \"2026-04-01T00:00:00Z\"\n    tiers: [gold]\n".to_string();
    let e = err(&versioned(&[v], ""));
    assert_eq!(e.code, ErrorCode::UnknownTier);
    assert!(e.message.contains("`/versions/0`"), "{}", e.message);
}

#[test]
fn a_retroactive_version_is_a_warning() {
    // Approved after it took effect: W020 in check and in every report.
    let p = Policy::from_yaml(&versioned(
        &[version(
            "2026-03-01T00:00:00Z",
            "2026-03-20T09:00:00Z",
            "2h",
        )],
        "",
    ))
    .unwrap();
    let w: Vec<_> = p.check().into_iter().filter(|w| w.code == "W020").collect();
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].message.contains("2026-03-20T09:00:00Z"),
        "{}",
        w[0].message
    );
    for as_of in ["2026-02-01T00:00:00Z", "2026-06-01T00:00:00Z"] {
        let r = p.evaluate(&records(), at(as_of)).unwrap();
        assert!(r.warnings.iter().any(|w| w.code == "W020"), "{as_of}");
    }
    // Approved before (or at) it takes effect: no warning.
    let p = Policy::from_yaml(&versioned(
        &[version(
            "2026-03-01T00:00:00Z",
            "2026-03-01T00:00:00Z",
            "2h",
        )],
        "",
    ))
    .unwrap();
    assert!(p.check().iter().all(|w| w.code != "W020"));
}

#[test]
fn the_policy_digest_covers_versions_and_freezes() {
    let a = Policy::from_yaml(&versioned(
        &[version(
            "2026-03-01T00:00:00Z",
            "2026-02-01T00:00:00Z",
            "2h",
        )],
        "",
    ))
    .unwrap();
    let b = Policy::from_yaml(&versioned(
        &[version(
            "2026-03-01T00:00:00Z",
            "2026-02-01T00:00:00Z",
            "3h",
        )],
        "",
    ))
    .unwrap();
    let plain = Policy::from_yaml(BASE).unwrap();
    assert_ne!(a.digest, b.digest);
    assert_ne!(a.digest, plain.digest);
    let r = a.evaluate(&records(), at("2026-06-01T00:00:00Z")).unwrap();
    assert_eq!(r.policy.digest, a.digest);
}

#[test]
fn too_many_versions_are_refused() {
    let versions: Vec<String> = (0..101)
        .map(|i| {
            let t = instant::format(at("2026-01-01T00:00:00Z") + i * 86_400_000);
            format!("  - {{effective_from: \"{t}\", approved_at: \"2025-12-01T00:00:00Z\"}}\n")
        })
        .collect();
    let e = err(&versioned(&versions, ""));
    assert_eq!(e.code, ErrorCode::PolicyTooManyItems);
    assert_eq!(e.location.path.as_deref(), Some("/versions"));
    // 100 are fine.
    Policy::from_yaml(&versioned(&versions[..100], "")).unwrap();
}

#[test]
fn a_version_bringing_a_business_calendar_brings_the_span_limit() {
    let v = r#"  - effective_from: "2026-03-01T00:00:00Z"
    approved_at: "2026-02-01T00:00:00Z"
    calendars:
      office: {hours: {mon-fri: ["09:00-17:00"]}}
"#;
    let p = Policy::from_yaml(&versioned(&[v.to_string()], "")).unwrap();
    let old = parse_records(
        r#"{"deployment":"x","event":"merged","time":"1900-01-02T10:00:00Z","service":"api"}"#,
    )
    .unwrap();
    let e = p.evaluate(&old, at("2026-06-01T00:00:00Z")).unwrap_err();
    assert_eq!(e.code.as_str(), "E212");
}
