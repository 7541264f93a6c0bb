//! Vendors (SPEC §9): availability, credits at their exact boundaries, the
//! exit clause at exactly N, coverage gaps, and vendor time inside breaches.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use slakit::{ErrorCode, Policy, instant, parse_records};

const POLICY: &str = r#"
slakit: 1
name: vendors
services:
  checkout: {tier: tier1, availability: 99.95%}
  search: {tier: tier2, availability: 99.8%}
tiers: [tier1, tier2]
vendors:
  - id: cloudco
    services: [checkout, search]
    availability: 99.9%
    credits: [{below: 99.9%, credit: 10%}, {below: 99%, credit: 25%}, {below: 95%, credit: 100%}]
    monthly_fee: 12000
    exit_after: {breaches: 2, within: 3}
slas:
  - id: lead
    clock: {start: merged, stop: succeeded}
    window: month
    targets: {default: {max: 1h, objective: 90%}}
"#;

/// March 2026 (UTC) is 31 days: 0.1% of it is 44m38.4s, 1% is 7h26m24s.
const MARCH: i64 = 31 * 86_400_000;

fn deploy(id: &str, from: &str, to: &str) -> String {
    format!(
        "{{\"deployment\":\"{id}\",\"event\":\"merged\",\"time\":\"{from}\",\"service\":\"checkout\"}}\n{{\"deployment\":\"{id}\",\"event\":\"succeeded\",\"time\":\"{to}\"}}\n"
    )
}

fn outage(id: &str, from: i64, to: i64, vendor: Option<&str>) -> String {
    let v = vendor.map_or(String::new(), |v| format!(",\"vendor\":\"{v}\""));
    format!(
        "{{\"kind\":\"outage\",\"id\":\"{id}\",\"service\":\"checkout\",\"from\":\"{}\",\"to\":\"{}\"{v}}}\n",
        instant::format(from),
        instant::format(to)
    )
}

fn at(s: &str) -> i64 {
    instant::parse(s).unwrap()
}

fn eval(policy: &str, records: &str, as_of: &str) -> slakit::Report {
    Policy::from_yaml(policy)
        .unwrap()
        .evaluate(&parse_records(records).unwrap(), at(as_of))
        .unwrap()
}

/// The March row of cloudco with `down` ms of outage starting on March 10.
fn march(down: i64) -> slakit::report::VendorRow {
    let start = at("2026-03-10T00:00:00Z");
    let records = deploy("d1", "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z")
        + &outage("o1", start, start + down, Some("cloudco"));
    let r = eval(POLICY, &records, "2026-04-01T00:00:00Z");
    r.vendors
        .iter()
        .find(|v| v.window.label == "2026-03")
        .unwrap()
        .clone()
}

#[test]
fn availability_is_one_minus_down_over_the_month_in_ppm() {
    let row = march(MARCH / 1000);
    assert_eq!(row.down_ms, 2_678_400);
    assert_eq!(row.availability, 0.999);
    assert_eq!(row.window.start, "2026-03-01T00:00:00Z");
    assert_eq!(row.window.end, "2026-04-01T00:00:00Z");
    assert_eq!(row.window.state, "closed");
    assert_eq!(row.outages.len(), 1);
}

#[test]
fn credit_tiers_apply_strictly_below_their_threshold() {
    // Exactly at the promise: met, no credit.
    let row = march(MARCH / 1000);
    assert!(row.met);
    assert_eq!((row.credit, row.credit_amount), (0.0, Some(0.0)));
    // One millisecond more: below 99.9%, 10%.
    let row = march(MARCH / 1000 + 1);
    assert!(!row.met);
    assert_eq!(row.availability, 0.998999);
    assert_eq!((row.credit, row.credit_amount), (0.1, Some(1200.0)));
    // Exactly 99%: still the 10% step, not the 25% one.
    let row = march(MARCH / 100);
    assert_eq!(row.availability, 0.99);
    assert_eq!(row.credit, 0.1);
    // Just under 99%: 25%.
    let row = march(MARCH / 100 + 1);
    assert_eq!((row.credit, row.credit_amount), (0.25, Some(3000.0)));
    // Exactly 95%: 25%; just under: 100%.
    assert_eq!(march(MARCH / 20).credit, 0.25);
    assert_eq!(march(MARCH / 20 + 1).credit, 1.0);
}

#[test]
fn overlapping_outages_count_once_and_pause_exclusions_do_not_count() {
    let s = at("2026-03-10T00:00:00Z");
    let min = 60_000;
    let records = deploy("d1", "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z")
        + &outage("o1", s, s + 30 * min, Some("cloudco"))
        + &outage("o2", s + 10 * min, s + 40 * min, Some("cloudco"))
        // Not the vendor's: ignored.
        + &outage("o3", s + 100 * min, s + 200 * min, None)
        // The vendor's announced maintenance pauses the last 10 minutes.
        + &format!(
            "{{\"kind\":\"exclusion\",\"id\":\"mw\",\"from\":\"{}\",\"to\":\"{}\",\"vendor\":\"cloudco\",\"effect\":\"pause\"}}\n",
            instant::format(s + 30 * min),
            instant::format(s + 60 * min)
        );
    let r = eval(POLICY, &records, "2026-04-01T00:00:00Z");
    let row = r
        .vendors
        .iter()
        .find(|v| v.window.label == "2026-03")
        .unwrap();
    assert_eq!(row.down_ms, 30 * min);
    assert_eq!(row.outages.len(), 2);
}

#[test]
fn rows_cover_every_month_from_the_first_deployment_to_as_of() {
    let records = deploy("d1", "2026-01-15T10:00:00Z", "2026-01-15T10:30:00Z");
    let r = eval(POLICY, &records, "2026-03-05T00:00:00Z");
    let labels: Vec<(&str, &str, bool)> = r
        .vendors
        .iter()
        .map(|v| (v.window.label.as_str(), v.window.state.as_str(), v.met))
        .collect();
    assert_eq!(
        labels,
        vec![
            ("2026-01", "closed", true),
            ("2026-02", "closed", true),
            ("2026-03", "open", true)
        ]
    );
}

fn exit_findings(months_breached: &[&str]) -> Vec<slakit::report::Finding> {
    let mut records = deploy("d1", "2026-01-02T10:00:00Z", "2026-01-02T10:30:00Z");
    for (i, m) in months_breached.iter().enumerate() {
        let s = at(&format!("{m}-10T00:00:00Z"));
        records += &outage(&format!("o{i}"), s, s + 3_600_000, Some("cloudco"));
    }
    let r = eval(POLICY, &records, "2026-06-30T00:00:00Z");
    r.findings
        .into_iter()
        .filter(|f| f.kind == "vendor_exit_clause")
        .collect()
}

#[test]
fn exit_clause_is_reached_at_exactly_n_breached_months_within_m() {
    // Jan and Mar breached: 2 within the 3 months Jan..Mar.
    let f = exit_findings(&["2026-01", "2026-03"]);
    assert_eq!(f.len(), 1, "{f:?}");
    assert_eq!(f[0].details["month"], "2026-03");
    assert_eq!(
        f[0].details["breached_months"],
        serde_json::json!(["2026-01", "2026-03"])
    );
    assert!(f[0].message.contains("cloudco"), "{}", f[0].message);
}

#[test]
fn exit_clause_is_not_reached_below_n_or_outside_m() {
    assert!(exit_findings(&["2026-02"]).is_empty());
    // Jan and Apr: never 2 within any 3 consecutive months.
    assert!(exit_findings(&["2026-01", "2026-04"]).is_empty());
}

#[test]
fn coverage_gap_when_a_service_promises_more_than_its_vendors_multiply_to() {
    let r = eval(
        POLICY,
        &deploy("d1", "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z"),
        "2026-03-05T00:00:00Z",
    );
    let gaps: Vec<_> = r
        .findings
        .iter()
        .filter(|f| f.kind == "coverage_gap")
        .collect();
    // checkout (99.95%) > cloudco (99.9%); search (99.8%) is covered.
    assert_eq!(gaps.len(), 1, "{gaps:?}");
    assert_eq!(gaps[0].details["service"], "checkout");
    assert!(gaps[0].message.contains("99.95%"), "{}", gaps[0].message);
}

#[test]
fn coverage_gap_uses_the_exact_product_of_several_promises() {
    let policy = |own: &str| {
        format!(
            "slakit: 1\nservices:\n  api: {{availability: {own}}}\nvendors:\n  - {{id: a, services: [api], availability: 99.9%}}\n  - {{id: b, services: [api], availability: 99.9%}}\nslas: []\n"
        )
    };
    // 99.9% × 99.9% = 99.8001%.
    let gaps = |own: &str| {
        eval(&policy(own), "", "2026-03-05T00:00:00Z")
            .findings
            .iter()
            .filter(|f| f.kind == "coverage_gap")
            .count()
    };
    assert_eq!(gaps("99.8%"), 0);
    assert_eq!(gaps("99.8001%"), 0);
    assert_eq!(gaps("99.8002%"), 1);
}

#[test]
fn a_breach_says_how_much_vendor_outage_it_overlapped() {
    let s = at("2026-03-02T10:30:00Z");
    let records = deploy("d1", "2026-03-02T10:00:00Z", "2026-03-02T12:00:00Z")
        + &outage("o1", s, s + 40 * 60_000, Some("cloudco"));
    let r = eval(POLICY, &records, "2026-04-01T00:00:00Z");
    let b = &r.results[0].breaches[0];
    assert_eq!(b.vendor_overlap.len(), 1);
    assert_eq!(
        (b.vendor_overlap[0].vendor.as_str(), b.vendor_overlap[0].ms),
        ("cloudco", 40 * 60_000)
    );
    assert!(
        b.reason.ends_with("; overlapped 40m of cloudco outage"),
        "{}",
        b.reason
    );
    // Without the vendor, the same outage is not vendor time.
    let records = deploy("d1", "2026-03-02T10:00:00Z", "2026-03-02T12:00:00Z")
        + &outage("o1", s, s + 40 * 60_000, None);
    let r = eval(POLICY, &records, "2026-04-01T00:00:00Z");
    let b = &r.results[0].breaches[0];
    assert!(b.vendor_overlap.is_empty());
    assert!(!b.reason.contains("overlapped"), "{}", b.reason);
    assert!(!r.to_json().contains("vendor_overlap"));
}

#[test]
fn vendor_policy_errors_name_the_field() {
    let bad = |vendors: &str| {
        Policy::from_yaml(&format!("slakit: 1\nvendors:\n{vendors}\nslas: []\n")).unwrap_err()
    };
    let e = bad("  - {id: a, availability: 99%}\n  - {id: a, availability: 98%}");
    assert_eq!(e.code, ErrorCode::DuplicateId);
    assert_eq!(e.location.path.as_deref(), Some("/vendors/1/id"));
    let e = bad("  - {id: a, availability: 99%, exit_after: {breaches: 4, within: 3}}");
    assert_eq!(e.code, ErrorCode::InvalidValue);
    assert_eq!(e.location.path.as_deref(), Some("/vendors/0/exit_after"));
    let e = bad("  - {id: a, availability: 99%, monthly_fee: 10.005}");
    assert_eq!(e.code, ErrorCode::InvalidValue);
    assert!(e.message.contains("2 decimals"), "{}", e.message);
    let e = bad(
        "  - {id: a, availability: 99%, credits: [{below: 99%, credit: 5%}, {below: 99%, credit: 6%}]}",
    );
    assert_eq!(
        e.location.path.as_deref(),
        Some("/vendors/0/credits/1/below")
    );
    let e = bad("  - {id: a, availability: 99%, sla: 1}");
    assert_eq!(e.code, ErrorCode::UnknownField);
}

#[test]
fn the_markdown_report_lists_vendor_months_and_credits_due() {
    let s = at("2026-03-10T00:00:00Z");
    let records = deploy("d1", "2026-03-02T10:00:00Z", "2026-03-02T10:30:00Z")
        + &outage("o1", s, s + 3_600_000, Some("cloudco"));
    let r = eval(POLICY, &records, "2026-04-01T00:00:00Z");
    let md = slakit::render::markdown(&r);
    assert!(md.contains("\n## Vendors and service credits\n"), "{md}");
    assert!(
        md.contains("A service credit is due for 1 vendor month(s), 1200.00 in total"),
        "{md}"
    );
    assert!(
        md.contains(
            "| cloudco | 2026-03 | 1 hour | 99.8655% | 99.9% | **MISSED** | 10% of the fee | 1200.00 |"
        ),
        "{md}"
    );
}

/// A vendor outage recorded against another service still overlaps a
/// breach of every service the vendor serves; an outage of a vendor that
/// does not serve the breached service does not.
#[test]
fn vendor_overlap_follows_the_services_the_vendor_serves() {
    let s = at("2026-03-02T10:30:00Z");
    let on_search = |id: &str, vendor: &str, minutes: i64| {
        outage(id, s, s + minutes * 60_000, Some(vendor)).replace("\"checkout\"", "\"search\"")
    };
    let records = deploy("d1", "2026-03-02T10:00:00Z", "2026-03-02T12:00:00Z")
        + &on_search("o1", "cloudco", 25)
        + &on_search("o2", "othercdn", 50);
    let r = eval(POLICY, &records, "2026-04-01T00:00:00Z");
    let b = &r.results[0].breaches[0];
    assert_eq!(b.vendor_overlap.len(), 1, "{:?}", b.vendor_overlap);
    assert_eq!(
        (b.vendor_overlap[0].vendor.as_str(), b.vendor_overlap[0].ms),
        ("cloudco", 25 * 60_000)
    );
    assert!(
        b.reason.ends_with("; overlapped 25m of cloudco outage"),
        "{}",
        b.reason
    );
}
