//! The leadership report (`--format markdown`, issue #7 item 7): the
//! committed sample of the bundled example is what the renderer gives,
//! its sections and segments are there, telemetry cannot break its tables,
//! and the bytes do not depend on record order.
//!
//! `SLAKIT_WRITE_LEADERSHIP=1 cargo test -p slakit --test leadership`
//! rewrites `docs/leadership-report.md` (also `make leadership-report`).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;

use slakit::{Policy, instant, parse_records, render};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The example, evaluated as `slakit evaluate` does without `--as-of`.
fn example_markdown() -> String {
    let policy =
        Policy::from_yaml(&std::fs::read_to_string(root().join("examples/policy.yaml")).unwrap())
            .unwrap();
    let records =
        parse_records(&std::fs::read_to_string(root().join("examples/records.jsonl")).unwrap())
            .unwrap();
    render::markdown(&policy.evaluate_at(&records, None).unwrap())
}

#[test]
fn the_committed_sample_is_the_rendered_example() {
    let md = example_markdown();
    let path = root().join("docs/leadership-report.md");
    if std::env::var_os("SLAKIT_WRITE_LEADERSHIP").is_some() {
        std::fs::write(&path, &md).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == md,
        "docs/leadership-report.md is stale: run `make leadership-report` and commit it"
    );
}

/// The lines of the section under `heading`, up to the next heading of
/// the same or a higher level.
fn section<'a>(md: &'a str, heading: &str) -> Vec<&'a str> {
    let level = heading.chars().take_while(|c| *c == '#').count();
    let mut lines = md.lines().skip_while(|l| *l != heading);
    assert!(lines.next().is_some(), "no heading {heading:?}");
    lines
        .take_while(|l| {
            let h = l.chars().take_while(|c| *c == '#').count();
            h == 0 || h > level || !l.starts_with('#')
        })
        .collect()
}

#[test]
fn the_example_report_has_every_section_and_segment() {
    let md = example_markdown();
    assert!(md.starts_with("# SLA report: acme-release-sla\n"));
    // Compliance per SLA, in words, with the tiers' targets spelled out.
    let glance = section(&md, "## At a glance");
    for sla in [
        "lead-time",
        "lead-time-eu",
        "deploy-duration",
        "success-rate",
        "change-failure-rate",
        "deployment-frequency",
    ] {
        assert!(
            glance.iter().any(|l| l.starts_with(&format!("| {sla} |"))),
            "{sla} missing from at a glance"
        );
    }
    assert!(md.contains("tier1: 90% within 8 hours"));
    // Segmented by application, team and deployment type.
    let apps = section(&md, "## Compliance by application");
    for app in ["checkout", "ledger-eu", "status-page", "wiki"] {
        assert!(
            apps.iter().any(|l| l.starts_with(&format!("| {app} |"))),
            "{app}"
        );
    }
    let teams = section(&md, "## Compliance by team");
    for team in [
        "payments",
        "discovery",
        "finance-eu",
        "internal-tools",
        "sre",
    ] {
        assert!(
            teams.iter().any(|l| l.starts_with(&format!("| {team} |"))),
            "{team}"
        );
    }
    let types = section(&md, "## Compliance by deployment type");
    for t in ["hotfix", "major", "minor", "patch"] {
        assert!(
            types.iter().any(|l| l.starts_with(&format!("| {t} |"))),
            "{t}"
        );
    }
    // Breaches with their reasons, pauses and deciding records; capped.
    let breaches = section(&md, "## Breaches");
    assert!(
        breaches
            .iter()
            .any(|l| l.contains("paused by exclusion sunday-maintenance")
                && l.contains("start: merged at"))
    );
    assert!(
        breaches
            .iter()
            .any(|l| l.starts_with("… and ") && l.contains("more breaches"))
    );
    let table_rows = breaches.iter().filter(|l| l.starts_with("| ")).count();
    assert_eq!(table_rows, 16, "header + 15 capped rows");
    // Exceptions used, by id, with what they suspended.
    let used = section(&md, "## Exceptions and exclusions used");
    assert!(
        used.iter()
            .any(|l| l.contains("exception EX-2026-010-reco-replatform")
                && l.contains("| 4 | recommendations |"))
    );
    assert!(
        used.iter()
            .any(|l| l.contains("aborted by pre-flight checks"))
    );
    // Vendor credits due (EdgeCDN missed February), trends, DORA by segment.
    let vendors = section(&md, "## Vendors and service credits");
    assert!(vendors.contains(
        &"A service credit is due for 1 vendor month(s), 400.00 in total where a monthly fee is known."
    ));
    assert!(vendors.contains(
        &"| edgecdn | 2026-02 | 55 minutes | 99.8635% | 99.9% | **MISSED** | 10% of the fee | 400.00 |"
    ));
    assert!(
        section(&md, "## Trends")
            .iter()
            .any(|l| l.contains("week of 2026-03-23"))
    );
    let dora = section(&md, "## Delivery performance (DORA)");
    for h in [
        "### Whole organisation",
        "### By application, 2026-03 (in progress)",
        "### By team, 2026-03 (in progress)",
        "### By deployment type, 2026-03 (in progress)",
    ] {
        assert!(dora.contains(&h), "{h}");
    }
    assert!(
        dora.iter()
            .any(|l| l.starts_with("| 2026-01 | 93 (3 a day) |"))
    );
    // Findings for review, in words.
    assert!(md.contains("- **Too many exceptions**: service `checkout` had 3 exceptions"));
    // No internal key names leak into headings.
    for l in md.lines().filter(|l| l.starts_with('#')) {
        assert!(!l.contains("release_type") && !l.contains("no_data"), "{l}");
    }
}

const POLICY: &str = r#"
slakit: 1
name: "escape | test"
dora: {scope: {}}
slas:
  - id: lead
    clock: {start: merged, stop: succeeded}
    window: month
    group_by: [service, release_type]
    targets: {default: {max: 1h, objective: 90%}}
"#;

/// Telemetry with pipes, newlines and HTML in names and reasons.
const RECORDS: &str = r#"
{"deployment":"d|1","event":"merged","time":"2026-03-02T10:00:00Z","service":"web|front\nend","release_type":"minor\r\n|x"}
{"deployment":"d|1","event":"succeeded","time":"2026-03-02T13:00:00Z"}
{"deployment":"d2","event":"merged","time":"2026-03-03T10:00:00Z","service":"<b>api</b>"}
{"deployment":"d2","event":"succeeded","time":"2026-03-03T10:30:00Z"}
{"kind":"exclusion","id":"x|1","reason":"line one\nline | two","from":"2026-03-30T00:00:00Z","to":"2026-04-02T00:00:00Z","effect":"pause"}
"#;

#[test]
fn telemetry_cannot_break_the_tables() {
    let policy = Policy::from_yaml(POLICY).unwrap();
    let records = parse_records(RECORDS).unwrap();
    let as_of = instant::parse("2026-03-31T00:00:00Z").unwrap();
    let md = render::markdown(&policy.evaluate(&records, as_of).unwrap());
    // Every table line is one line, and has as many cell separators as its header.
    let mut header_pipes = None;
    for line in md.lines() {
        let pipes = line.matches('|').count() - line.matches("\\|").count();
        if line.starts_with('|') {
            assert!(line.ends_with(" |") || line.ends_with('|'), "{line}");
            match header_pipes {
                None => header_pipes = Some(pipes),
                Some(n) => assert_eq!(pipes, n, "{line}\n{md}"),
            }
        } else {
            header_pipes = None;
            assert!(!line.contains("end\""), "{line}");
        }
    }
    // The values are there, escaped: `|` as `\|`, line breaks as spaces, HTML inert.
    assert!(md.contains("| web\\|front end |"), "{md}");
    assert!(md.contains("d\\|1"), "{md}");
    assert!(md.contains("deployment type minor \\|x"), "{md}");
    assert!(md.contains("&lt;b>api&lt;/b>"), "{md}");
    assert!(!md.contains("<b>"), "{md}");
    assert!(
        md.contains("- exclusion `x|1` (pause) from 2026-03-30T00:00:00Z to 2026-04-02T00:00:00Z, reason: line one line | two"),
        "{md}"
    );
    assert!(md.starts_with("# SLA report: escape | test\n"), "{md}");
}

#[test]
fn the_bytes_do_not_depend_on_record_order() {
    let policy = Policy::from_yaml(POLICY).unwrap();
    let as_of = instant::parse("2026-03-31T00:00:00Z").unwrap();
    let records = parse_records(RECORDS).unwrap();
    let mut reversed = records.clone();
    reversed.reverse();
    let a = render::markdown(&policy.evaluate(&records, as_of).unwrap());
    let b = render::markdown(&policy.evaluate(&reversed, as_of).unwrap());
    assert_eq!(a, b);
    assert_eq!(example_markdown(), example_markdown());
}

#[test]
fn a_versioned_policy_names_the_version_in_force() {
    let read = |rel: &str| std::fs::read_to_string(root().join(rel)).unwrap();
    let policy = slakit::Policy::from_yaml(&read("examples/policy-versions.yaml")).unwrap();
    let records = slakit::parse_records(&read("examples/records.jsonl")).unwrap();
    let at = slakit::instant::parse("2026-04-20T00:00:00Z").unwrap();
    let md = slakit::render::markdown(&policy.evaluate(&records, at).unwrap());
    assert!(
        md.contains("Policy version: the one effective from 2026-04-01 04:00 UTC is in force;"),
        "{}",
        &md[..md.len().min(1500)]
    );
    // An unversioned policy has no such line.
    assert!(!example_markdown().contains("Policy version:"));
}
