//! The HTML dashboard (`slakit::html`): what it holds, that it is
//! self-contained, deterministic and escaped, and that it caps long tables.
//! The real-browser check lives in `tests/html/` (`make test-html`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use slakit::html::{Limits, dashboard_with};
use slakit::report::Report;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

fn example() -> Report {
    let policy = slakit::Policy::from_yaml(&read("examples/policy.yaml")).unwrap();
    let records = slakit::parse_records(&read("examples/records.jsonl")).unwrap();
    policy.evaluate_at(&records, None).unwrap()
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

#[test]
fn the_example_dashboard_holds_every_sla_and_every_breach() {
    let report = example();
    let html = report.to_html().unwrap();
    let slas: BTreeSet<&str> = report.results.iter().map(|r| r.sla.as_str()).collect();
    assert_eq!(slas.len(), 6);
    for sla in &slas {
        // A tile, a section with its charts, and the section's anchor.
        assert!(html.contains(&format!(r#"data-sla="{sla}""#)), "{sla}");
        assert!(html.contains(&format!(r#"id="sla-{sla}""#)), "{sla}");
    }
    assert_eq!(count(&html, "<article class=\"tile "), 6);
    // Every breach of the report is a row (78 < the 200 cap), by its id.
    let breaches: Vec<&str> = report
        .results
        .iter()
        .flat_map(|r| r.breaches.iter().map(|b| b.id.as_str()))
        .collect();
    assert_eq!(breaches.len(), 78);
    assert_eq!(count(&html, r#"<tr class="breach""#), breaches.len());
    for id in &breaches {
        assert!(html.contains(&format!(r#"data-breach="{id}""#)), "{id}");
    }
    assert!(!html.contains("more are in the JSON report"));
    // Header evidence.
    assert!(html.contains(&report.policy.digest));
    assert!(html.contains(&report.inputs.digest));
    assert!(html.contains("2026-03-31T20:45:00Z"));
    // The at-risk in-flight deployment and its deadline.
    assert!(html.contains("D-1366"));
    assert!(html.contains("2026-04-01 13:10Z"));
    // In force and findings.
    assert!(html.contains("EX-2026-010-reco-replatform"));
    assert_eq!(count(&html, "unjustified_emergency"), 2);
    assert!(html.contains("exception_frequency"));
    // One chart per segment: 7 + 2 + 8 + 6 + 4 + 5 (deployment-frequency
    // has one segment per team and tier) = at least 32 line charts.
    let charts = count(&html, r#"<svg class="chart line""#);
    let segments: BTreeSet<(String, String)> = report
        .results
        .iter()
        .map(|r| (r.sla.clone(), format!("{:?}", r.segment)))
        .collect();
    assert_eq!(charts, segments.len());
    // Budget charts for the three duration SLAs only.
    assert_eq!(count(&html, r#"<svg class="chart budget""#), 3);
}

#[test]
fn the_breaches_table_is_worst_first() {
    let report = example();
    let html = report.to_html().unwrap();
    // The breach ids in page order.
    let shown: Vec<&str> = html
        .match_indices(r#"data-breach=""#)
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    let over = |id: &str| -> Option<i64> {
        report
            .results
            .iter()
            .flat_map(|r| r.breaches.iter())
            .find(|b| b.id == id)
            .unwrap()
            .over_ms
    };
    let overs: Vec<Option<i64>> = shown.iter().map(|id| over(id)).collect();
    let clocks = overs.iter().take_while(|o| o.is_some()).count();
    assert!(clocks > 10 && clocks < overs.len());
    // Clock breaches first, furthest over target first; then the rest.
    assert!(
        overs[..clocks].windows(2).all(|w| w[0] >= w[1]),
        "{overs:?}"
    );
    assert!(overs[clocks..].iter().all(Option::is_none));
    let max = report
        .results
        .iter()
        .flat_map(|r| r.breaches.iter())
        .filter_map(|b| b.over_ms)
        .max();
    assert_eq!(overs[0], max);
}

#[test]
fn the_same_report_gives_byte_identical_html() {
    let a = example().to_html().unwrap();
    let b = example().to_html().unwrap();
    assert_eq!(a, b);
    assert!(a.len() > 50_000);
}

#[test]
fn the_page_is_self_contained() {
    let html = example().to_html().unwrap();
    for forbidden in [
        "http://", "https://", "<script", "<link", "@import", "src=", "<iframe", "<img",
    ] {
        let found = html
            .match_indices(forbidden)
            // The SVG namespace is the one URL allowed; askama writes none.
            .filter(|(i, _)| !html[*i..].starts_with("http://www.w3.org/2000/svg"))
            .count();
        assert_eq!(found, 0, "`{forbidden}` in the page");
    }
    // url(...) only for in-page hatch patterns.
    for (i, _) in html.match_indices("url(") {
        assert!(html[i..].starts_with("url(#hatch-"), "{}", &html[i..i + 40]);
    }
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("@media print"));
}

const INJECTION: &str = "<script>alert(1)</script>";

#[test]
fn telemetry_text_stays_text() {
    let policy = slakit::Policy::from_yaml(
        r#"
slakit: 1
name: "<img src=x onerror=alert(2)>"
slas:
  - id: lead-time
    clock: {start: merged, stop: succeeded}
    window: month
    group_by: [service]
    targets: {default: {max: 1h, objective: 90%}}
"#,
    )
    .unwrap();
    let service = serde_json::to_string(INJECTION).unwrap();
    let records = slakit::parse_records(&format!(
        r#"
{{"deployment":"d\"1<b>","event":"merged","time":"2026-03-02T10:00:00Z","service":{service},"team":"a&b"}}
{{"deployment":"d\"1<b>","event":"succeeded","time":"2026-03-02T14:00:00Z"}}
{{"deployment":"d2","event":"merged","time":"2026-03-03T10:00:00Z","service":{service}}}
"#
    ))
    .unwrap();
    let report = policy
        .evaluate(
            &records,
            slakit::instant::parse("2026-03-04T00:00:00Z").unwrap(),
        )
        .unwrap();
    assert!(report.has_breach());
    let html = report.to_html().unwrap();
    // askama writes numeric entities (`&#60;`), the charts named ones (`&lt;`).
    let html = html
        .replace("&#60;", "&lt;")
        .replace("&#62;", "&gt;")
        .replace("&#34;", "&quot;")
        .replace("&#38;", "&amp;");
    // Nothing from the inputs became markup.
    assert!(!html.contains("<script"), "a <script> tag in the page");
    assert!(!html.contains("<img"));
    assert!(!html.contains("<b>"));
    // ... and it is all there as text, escaped.
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("&lt;img src=x onerror=alert(2)&gt;"));
    assert!(html.contains("a&amp;b"));
    assert!(html.contains("d&quot;1&lt;b&gt;"));
    // In the charts too (titles and tooltips).
    let svg_start = html.find(r#"<svg class="chart line""#).unwrap();
    let svg = &html[svg_start..html[svg_start..].find("</svg>").unwrap() + svg_start];
    assert!(svg.contains("&lt;script&gt;"), "{svg}");
}

#[test]
fn long_tables_are_capped_and_say_so() {
    let report = example();
    let html = dashboard_with(&report, Limits { rows: 5, charts: 2 }).unwrap();
    assert_eq!(count(&html, r#"<tr class="breach""#), 5);
    assert!(html.contains("Showing the worst 5 of 78 breaches; 73 more are in the JSON report"));
    // lead-time has 7 segments: 2 drawn, 5 counted.
    assert!(
        html.contains("5 more segments are not drawn (the 2 with the most breached windows are)")
    );
    // deploy-duration's open window has 8 segments: the worst 5 are listed.
    assert!(html.contains("Showing the worst 5 of 8 segments; 3 more are in the JSON report"));
    assert!(html.contains("Tables show at most 5 rows and each SLA at most 2 charts"));
}

#[test]
fn an_empty_report_renders() {
    let policy = slakit::Policy::from_yaml(
        "slakit: 1\nname: empty\nslas:\n  - id: x\n    clock: {start: merged, stop: succeeded}\n    window: month\n    targets: {default: {max: 1h, objective: 90%}}\n",
    )
    .unwrap();
    let report = policy
        .evaluate(&[], slakit::instant::parse("2026-03-04T00:00:00Z").unwrap())
        .unwrap();
    let html = report.to_html().unwrap();
    assert!(html.contains("No breaches."));
    assert!(html.contains("No deployment is in flight."));
    assert!(html.contains("No findings."));
    assert!(html.ends_with("</html>\n") || html.ends_with("</html>"));
}

#[test]
fn a_report_reads_back_from_its_json_unchanged() {
    let mut report = example();
    // A running clock whose calendar never opens again: `breach_at: null`.
    let running = report
        .deployments
        .iter_mut()
        .find(|d| d.state == "in_flight")
        .unwrap();
    running.breach_at = Some(None);
    let text = report.to_json();
    assert!(text.contains("\"breach_at\": null"));
    let back = Report::from_json(&text).unwrap();
    assert_eq!(back, report);
    assert_eq!(back.to_json(), text);
    assert_eq!(Report::from_value(report.to_value()).unwrap(), report);
    // The dashboard of the read-back report is the same page.
    assert_eq!(back.to_html().unwrap(), report.to_html().unwrap());
}

#[test]
fn a_document_that_is_not_a_report_is_a_located_usage_error() {
    let mut value = example().to_value();
    value["results"][3]["window"]["start"] = serde_json::json!(42);
    let e = Report::from_value(value).unwrap_err();
    assert_eq!(e.code.as_str(), "E303");
    assert_eq!(e.location.path.as_deref(), Some("/results/3/window/start"));
    assert!(
        e.message.starts_with("not a slakit report: invalid type"),
        "{}",
        e.message
    );

    let e = Report::from_json(r#"{"engine": {"name": "slakit", "version": "0.1.0"}}"#).unwrap_err();
    assert_eq!(e.code.as_str(), "E303");
    assert!(e.message.contains("missing field 'as_of'"), "{}", e.message);

    let e = Report::from_json("{\"as_of\": ").unwrap_err();
    assert_eq!(e.code.as_str(), "E303");
    assert!(
        e.message.starts_with("the report is not valid JSON"),
        "{}",
        e.message
    );
    assert_eq!(e.location.line, Some(1));

    let e = Report::from_json(&format!("{} x", example().to_json())).unwrap_err();
    assert_eq!(e.code.as_str(), "E303");
}

/// The part of the page between two markers.
fn between<'a>(html: &'a str, from: &str, to: &str) -> &'a str {
    let a = html.find(from).unwrap_or_else(|| panic!("no {from}"));
    let b = html[a..].find(to).unwrap_or_else(|| panic!("no {to}")) + a;
    &html[a..b]
}

#[test]
fn vendor_credits_are_shown_when_the_report_has_vendors() {
    let report = example();
    assert_eq!(report.vendors.len(), 3, "edgecdn, January to March");
    let html = report.to_html().unwrap();
    assert!(html.contains(r##"<a href="#vendors">Vendors</a>"##));
    let section = between(&html, r#"<section id="vendors">"#, "</section>");
    assert_eq!(count(section, r#"<tr data-vendor="edgecdn">"#), 3);
    // February: 55 minutes of OUT-2026-021 in a 672-hour month.
    assert!(
        section.contains("<td>2026-02</td><td class=\"num\">55m</td><td class=\"num\">99.8635%</td><td class=\"num\">99.9%</td><td><span class=\"badge breached\">MISSED</span></td><td class=\"num\">10%</td><td class=\"num\">400.00</td>"),
        "{section}"
    );
    // March is met: its outage is paused by the exclusion naming the vendor.
    assert!(
        section.contains(
            "<td>2026-03 (so far)</td><td class=\"num\">0s</td><td class=\"num\">100%</td>"
        )
    );
    assert!(section.contains("edgecdn owes a credit for 2026-02 (10%): 400.00 in all"));
}

#[test]
fn no_vendor_section_without_vendors() {
    let policy = slakit::Policy::from_yaml(
        "slakit: 1\nname: plain\nslas:\n  - id: x\n    clock: {start: merged, stop: succeeded}\n    window: month\n    targets: {default: {max: 1h, objective: 90%}}\n",
    )
    .unwrap();
    let report = policy
        .evaluate(&[], slakit::instant::parse("2026-03-04T00:00:00Z").unwrap())
        .unwrap();
    let html = report.to_html().unwrap();
    assert!(!html.contains(r#"id="vendors""#));
    assert!(!html.contains(r##"href="#vendors""##));
}

/// A vendor without a fee, a breach overlapped by its outage, and two
/// closed windows so the second carries a trend.
fn vendor_breach_report() -> Report {
    let policy = slakit::Policy::from_yaml(
        r#"
slakit: 1
name: vendor-breach
vendors:
  - {id: cloudco, services: [api], availability: 99.9%, credits: [{below: 99.9%, credit: 25%}]}
slas:
  - id: lead-time
    clock: {start: merged, stop: succeeded}
    window: month
    targets: {default: {max: 1h, objective: 50%}}
"#,
    )
    .unwrap();
    let records = slakit::parse_records(
        r#"
{"deployment":"a1","event":"merged","time":"2026-01-05T10:00:00Z","service":"api"}
{"deployment":"a1","event":"succeeded","time":"2026-01-05T10:30:00Z"}
{"deployment":"b1","event":"merged","time":"2026-02-03T10:00:00Z","service":"api"}
{"deployment":"b1","event":"succeeded","time":"2026-02-03T13:00:00Z"}
{"kind":"outage","id":"OUT-9","service":"api","vendor":"cloudco","from":"2026-02-03T11:00:00Z","to":"2026-02-03T12:30:00Z"}
"#,
    )
    .unwrap();
    policy
        .evaluate(
            &records,
            slakit::instant::parse("2026-03-10T00:00:00Z").unwrap(),
        )
        .unwrap()
}

#[test]
fn a_breach_says_how_much_vendor_outage_it_overlapped() {
    let report = vendor_breach_report();
    let html = report.to_html().unwrap();
    let row = between(&html, r#"<tr class="breach""#, "</tr>");
    assert!(row.contains(">b1<"), "{row}");
    assert!(
        row.contains(r#"<ul class="vendor"><li>overlapped 1h30m of cloudco outage</li></ul>"#),
        "{row}"
    );
    // No fee in the policy: the credit is a share, with no amount.
    let section = between(&html, r#"<section id="vendors">"#, "</section>");
    assert!(
        section.contains(r#"<td class="num">25%</td><td class="num">no fee in the policy</td>"#),
        "{section}"
    );
    assert!(
        section.contains("cloudco owes a credit for 2026-02 (25%)</strong>"),
        "{section}"
    );
}

#[test]
fn current_rows_show_the_change_against_the_previous_window() {
    let report = vendor_breach_report();
    let feb = report
        .results
        .iter()
        .find(|r| r.window.label == "2026-02")
        .unwrap();
    let trend = feb.trend.as_ref().expect("February follows January");
    assert_eq!((trend.direction.as_str(), trend.delta), ("down", -1.0));
    let html = report.to_html().unwrap();
    assert!(html.contains("<th>vs previous window</th>"));
    // March has no deployment, so February (closed) is the current window,
    // and its compliance fell from 100% to 0%.
    assert!(
        html.contains(r#"<td class="trend">▼ −100 pts</td>"#),
        "{}",
        between(&html, r#"<table class="current">"#, "</table>")
    );
}

fn versioned_report(as_of: &str) -> Report {
    let policy = slakit::Policy::from_yaml(&read("examples/policy-versions.yaml")).unwrap();
    let records = slakit::parse_records(&read("examples/records.jsonl")).unwrap();
    policy
        .evaluate(&records, slakit::instant::parse(as_of).unwrap())
        .unwrap()
}

#[test]
fn the_header_names_the_policy_version_in_force() {
    let html = versioned_report("2026-04-20T00:00:00Z").to_html().unwrap();
    assert!(html.contains(
        "<dt>Policy</dt><dd><code>acme-release-sla-versioned</code>, version effective from 2026-04-01 04:00Z (in force at as_of)</dd>"
    ));
    // The digest is still there, named for what it is.
    assert!(html.contains("<dt>Policy digest</dt><dd><code class=\"digest\">sha256:"));
    // Each SLA says which version judged which windows.
    assert!(html.contains(
        "Policy versions: 2026-01 to 2026-03 under the version effective from 2026-01-01 05:00Z."
    ));
    // Earlier, the Q1 version was in force.
    let html = versioned_report("2026-03-20T00:00:00Z").to_html().unwrap();
    assert!(html.contains(", version effective from 2026-01-01 05:00Z (in force at as_of)</dd>"));
}

#[test]
fn an_unversioned_policy_shows_its_base_version_and_no_version_notes() {
    let html = example().to_html().unwrap();
    assert!(html.contains(
        "<dt>Policy</dt><dd><code>acme-release-sla</code>, base version (its top-level sections; no dated version in force at as_of)</dd>"
    ));
    assert!(!html.contains("Policy versions:"));
}

#[test]
fn windows_under_the_base_version_are_named() {
    let policy = slakit::Policy::from_yaml(
        r#"
slakit: 1
name: base-then-q2
slas:
  - id: lead-time
    clock: {start: merged, stop: succeeded}
    window: month
    targets: {default: {max: 1h, objective: 50%}}
versions:
  - effective_from: "2026-03-01T00:00:00Z"
    approved_at: "2026-02-20T00:00:00Z"
    slas:
      - id: lead-time
        clock: {start: merged, stop: succeeded}
        window: month
        targets: {default: {max: 2h, objective: 50%}}
"#,
    )
    .unwrap();
    let records = slakit::parse_records(
        r#"
{"deployment":"a","event":"merged","time":"2026-01-05T10:00:00Z","service":"api"}
{"deployment":"a","event":"succeeded","time":"2026-01-05T10:30:00Z"}
{"deployment":"b","event":"merged","time":"2026-02-05T10:00:00Z","service":"api"}
{"deployment":"b","event":"succeeded","time":"2026-02-05T10:30:00Z"}
{"deployment":"c","event":"merged","time":"2026-03-05T10:00:00Z","service":"api"}
{"deployment":"c","event":"succeeded","time":"2026-03-05T11:30:00Z"}
"#,
    )
    .unwrap();
    let at = |t: &str| slakit::instant::parse(t).unwrap();
    let html = policy
        .evaluate(&records, at("2026-03-10T00:00:00Z"))
        .unwrap()
        .to_html()
        .unwrap();
    assert!(html.contains(
        "Policy versions: 2026-01 to 2026-02 under the base version; 2026-03 under the version effective from 2026-03-01 00:00Z."
    ), "{}", between(&html, "<section class=\"sla\"", "</section>"));
    // Before the dated version, the base version is in force.
    let html = policy
        .evaluate(&records, at("2026-02-10T00:00:00Z"))
        .unwrap()
        .to_html()
        .unwrap();
    assert!(html.contains(
        ", base version (its top-level sections; no dated version in force at as_of)</dd>"
    ));
}
