//! Choices the engine makes where SPEC is silent (each documented in docs/).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use slakit::{Policy, instant, parse_records};

fn eval(policy: &str, records: &str, as_of: &str) -> slakit::Report {
    let p = Policy::from_yaml(policy).unwrap();
    p.evaluate(
        &parse_records(records).unwrap(),
        instant::parse(as_of).unwrap(),
    )
    .unwrap()
}

#[test]
fn rolling_frequency_reports_a_zero_row_for_a_quiet_known_segment() {
    let policy = "slakit: 1\nslas:\n  - {id: f, kind: deployment_frequency, window: {rolling: 7d}, group_by: [service], targets: {default: {min: 1}}}\n";
    let records = r#"{"deployment":"a1","event":"succeeded","time":"2026-03-01T10:00:00Z","service":"a"}
{"deployment":"b1","event":"succeeded","time":"2026-03-20T10:00:00Z","service":"b"}"#;
    let r = eval(policy, records, "2026-03-21T00:00:00Z");
    assert_eq!(r.results.len(), 2);
    let a = &r.results[0];
    assert_eq!(
        (
            a.segment["service"].as_deref(),
            a.status.as_str(),
            a.value.clone()
        ),
        (Some("a"), "breached", Some(0.into()))
    );
    assert_eq!(
        (a.window.unit.as_str(), a.window.label.as_str()),
        ("rolling", "rolling 7d")
    );
    assert_eq!(r.results[1].status, "met");
    // a1 is outside the window, so it is not listed.
    assert_eq!(
        r.deployments
            .iter()
            .map(|d| d.deployment.as_str())
            .collect::<Vec<_>>(),
        vec!["b1"]
    );
}

#[test]
fn window_labels_are_local() {
    let policy = "slakit: 1\ntimezone: America/New_York\nslas:\n  - {id: s, kind: success_rate, window: quarter, targets: {default: {min: 50%}}}\n  - {id: w, kind: success_rate, window: week, targets: {default: {min: 50%}}}\n";
    let records =
        r#"{"deployment":"a1","event":"succeeded","time":"2026-04-01T02:00:00Z","service":"a"}"#;
    let r = eval(policy, records, "2026-04-02T00:00:00Z");
    assert_eq!(r.results[0].window.label, "2026-Q1"); // 22:00 on 31 March in New York
    assert_eq!(r.results[1].window.label, "week of 2026-03-30");
}

#[test]
fn change_failure_entries_say_what_the_change_caused() {
    let policy = "slakit: 1\nslas:\n  - {id: cfr, kind: change_failure_rate, window: month, targets: {default: {max: 50%}}}\n";
    let records = r#"{"deployment":"d1","event":"succeeded","time":"2026-03-02T10:00:00Z","service":"a"}
{"kind":"outage","id":"OUT-1","service":"a","from":"2026-03-02T10:30:00Z","to":"2026-03-02T10:40:00Z"}
{"deployment":"d2","event":"succeeded","time":"2026-03-03T10:00:00Z","service":"a"}"#;
    let r = eval(policy, records, "2026-03-31T00:00:00Z");
    let d1 = &r.deployments[0];
    assert_eq!(
        (
            d1.deployment.as_str(),
            d1.caused_failure,
            d1.reason.as_deref()
        ),
        ("d1", Some(true), Some("outage `OUT-1`"))
    );
    assert_eq!(r.deployments[1].caused_failure, Some(false));
    assert_eq!(r.results[0].breaches.len(), 1);
    assert_eq!(
        r.results[0].breaches[0].records[1].id.as_deref(),
        Some("OUT-1")
    );
    // Every cause of one change, in order, a comma between: it failed (a
    // rollback), an incident links it, and it is the latest change before
    // an outage.
    let more = format!(
        "{records}\n{}",
        r#"{"deployment":"d3","event":"succeeded","time":"2026-03-04T10:00:00Z","service":"a"}
{"deployment":"d3","event":"rollback_started","time":"2026-03-04T10:20:00Z"}
{"kind":"incident","id":"INC-9","service":"a","opened":"2026-03-04T10:25:00Z","deployment":"d3"}
{"kind":"outage","id":"OUT-2","service":"a","from":"2026-03-04T10:30:00Z","to":"2026-03-04T10:40:00Z"}"#
    );
    let r = eval(policy, &more, "2026-03-31T00:00:00Z");
    let d3 = &r.deployments[2];
    assert_eq!(
        (
            d3.deployment.as_str(),
            d3.caused_failure,
            d3.reason.as_deref()
        ),
        (
            "d3",
            Some(true),
            Some("the deployment failed, incident `INC-9`, outage `OUT-2`")
        )
    );
}

#[test]
fn a_pause_exclusion_that_removes_no_business_time_is_not_listed() {
    let policy = r#"slakit: 1
calendars:
  office: {timezone: UTC, hours: {mon-fri: ["09:00-17:00"]}}
  sunday: {timezone: UTC, hours: {sun: ["02:00-04:00"]}}
exclusions:
  - {id: sunday-maint, calendar: sunday}
slas:
  - {id: lead, clock: {start: merged, stop: succeeded, calendar: office}, window: month, targets: {default: {max: 8h, objective: 50%}}}
  - {id: wall, clock: {start: merged, stop: succeeded}, window: month, targets: {default: {max: 80h, objective: 50%}}}
"#;
    // Fri 2026-03-06 16:00 → Mon 2026-03-09 10:00: the Sunday window is closed business time.
    let records = r#"{"deployment":"d1","event":"merged","time":"2026-03-06T16:00:00Z","service":"a"}
{"deployment":"d1","event":"succeeded","time":"2026-03-09T10:00:00Z"}"#;
    let r = eval(policy, records, "2026-03-31T00:00:00Z");
    assert!(r.results[0].exclusions.is_empty());
    assert_eq!(r.results[1].exclusions, vec!["sunday-maint".to_string()]);
    assert_eq!(r.deployments[0].elapsed_ms, Some(2 * 3_600_000));
    assert_eq!(r.deployments[0].actual_elapsed_ms, Some(64 * 3_600_000)); // 66h wall − 2h paused
    assert_eq!(r.deployments[1].elapsed_ms, Some(64 * 3_600_000));
}

#[test]
fn unknown_record_fields_are_warned_once_and_org_wide_exceptions_are_flagged() {
    let policy = "slakit: 1\nslas:\n  - {id: s, kind: success_rate, window: month, targets: {default: {min: 50%}}}\n";
    let records = r#"{"deployment":"d1","event":"succeeded","time":"2026-03-02T10:00:00Z","service":"a","host":"x"}
{"deployment":"d2","event":"succeeded","time":"2026-03-02T11:00:00Z","service":"a","host":"y"}
{"kind":"exception","id":"EX","from":"2026-03-01T00:00:00Z","to":"2026-03-02T00:00:00Z"}"#;
    let r = eval(policy, records, "2026-03-31T00:00:00Z");
    let codes: Vec<&str> = r.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(codes, vec!["W001", "W003"]);
    assert!(r.warnings[0].message.contains("`host`"));
    assert!(r.warnings[1].message.contains("`EX`"));
}

#[test]
fn emergency_findings_and_exception_frequency() {
    let policy = "slakit: 1\njustify_within: 2d\nexception_review: {max: 1, per: quarter}\nslas:\n  - {id: s, kind: success_rate, window: month, targets: {default: {min: 50%}}}\n";
    let records = r#"{"kind":"exception","id":"E1","services":["a"],"from":"2026-03-01T00:00:00Z","to":"2026-03-02T00:00:00Z","emergency":true,"approved_by":"vp"}
{"kind":"exception","id":"E2","services":["a"],"from":"2026-03-05T00:00:00Z","to":"2026-03-06T00:00:00Z","emergency":true,"approved_by":"vp","justified_at":"2026-03-07T00:00:00Z"}
{"kind":"exception","id":"E3","services":["b"],"from":"2026-03-29T00:00:00Z","to":"2026-03-30T00:00:00Z","emergency":true,"approved_by":"vp"}
{"deployment":"d1","event":"succeeded","time":"2026-03-02T10:00:00Z","service":"a"}"#;
    let r = eval(policy, records, "2026-03-31T00:00:00Z");
    let kinds: Vec<(&str, &str)> = r
        .findings
        .iter()
        .map(|f| {
            (
                f.kind.as_str(),
                f.details
                    .get("exception")
                    .or(f.details.get("service"))
                    .and_then(|v| v.as_str())
                    .unwrap_or(""),
            )
        })
        .collect();
    // E1: deadline 03-04 passed, never justified; E2 justified in time; E3 deadline not yet reached.
    assert_eq!(
        kinds,
        vec![
            ("unjustified_emergency", "E1"),
            ("exception_frequency", "a")
        ]
    );
    assert_eq!(r.in_force.exceptions.len(), 0);
}

#[test]
fn yaml_duplicate_keys_read_well() {
    let e = Policy::from_yaml("slakit: 1\nservices:\n  a: {tier: t}\n  a: {tier: u}\nslas: []\n")
        .unwrap_err();
    assert_eq!(e.code, slakit::ErrorCode::DuplicateKey);
    assert_eq!(e.message, "duplicate key `a`");
    assert_eq!(e.location.line, Some(4));
}

/// A recurring exclusion pauses a long clock once per occurrence; its
/// evidence names the exclusion once, while timed evidence (an approval
/// pause pair per occurrence) is listed per record.
#[test]
fn a_breach_names_a_recurring_exclusion_once() {
    let policy = "slakit: 1\ncalendars:\n  sunday: {hours: {sun: [\"00:00-04:00\"]}}\nexclusions:\n  - {id: weekly, calendar: sunday}\nslas:\n  - {id: lead, clock: {start: merged, stop: succeeded}, window: month, targets: {default: {max: 1h, objective: 90%}}}\n";
    // Three Sundays inside the clock, and two approval waits.
    let records = r#"{"deployment":"d1","event":"merged","time":"2026-03-02T10:00:00Z","service":"a"}
{"deployment":"d1","event":"approval_requested","time":"2026-03-03T10:00:00Z"}
{"deployment":"d1","event":"approval_granted","time":"2026-03-03T11:00:00Z"}
{"deployment":"d1","event":"approval_requested","time":"2026-03-10T10:00:00Z"}
{"deployment":"d1","event":"approval_granted","time":"2026-03-10T11:00:00Z"}
{"deployment":"d1","event":"succeeded","time":"2026-03-23T10:00:00Z"}"#;
    let r = eval(policy, records, "2026-03-31T00:00:00Z");
    let b = &r.results[0].breaches[0];
    let roles: Vec<(&str, Option<&str>)> = b
        .records
        .iter()
        .map(|e| (e.role.as_str(), e.id.as_deref().or(e.event.as_deref())))
        .collect();
    assert_eq!(
        roles,
        vec![
            ("start", Some("merged")),
            ("stop", Some("succeeded")),
            ("pause", Some("approval_requested")),
            ("resume", Some("approval_granted")),
            // Sunday 8 March, its first occurrence, in time order.
            ("pause", Some("weekly")),
            ("pause", Some("approval_requested")),
            ("resume", Some("approval_granted")),
        ]
    );
    // Its three occurrences still all paused the clock: 21 days less two
    // approval hours and three 4-hour Sunday windows.
    let expected = (21 * 24 - 2 - 3 * 4) * 3_600_000_i64;
    assert_eq!(b.elapsed_ms, Some(expected));
    assert!(b.reason.ends_with("paused by weekly"), "{}", b.reason);
}

/// A row lists every exclusion that paused one of its clocks, once and in
/// order, however many different pause lists its deployments have (the
/// rows tally the shared lists as they group the verdicts, and keep a
/// repeat they cannot place cheaply).
#[test]
fn a_row_names_every_pausing_exclusion_once_across_many_pause_lists() {
    let policy = "slakit: 1\nslas:\n  - {id: lead, clock: {start: merged, stop: succeeded}, window: month, targets: {default: {max: 100h, objective: 50%}}}\n";
    let mut records = String::new();
    // Exclusion k covers hour k of 2 March; deployment k runs from the start
    // of hour k to the end of hour k + 1, so it is paused by k and k + 1: a
    // list of its own. Deployments 13 and up run over hours 0-1 again, a
    // list first seen a dozen lists before.
    for k in 0..14 {
        records.push_str(&format!(
            "{{\"kind\":\"exclusion\",\"id\":\"x{k:02}\",\"from\":\"2026-03-02T{k:02}:10:00Z\",\"to\":\"2026-03-02T{k:02}:20:00Z\"}}\n"
        ));
    }
    for d in 0..16 {
        let k = if d < 13 { d } else { 0 };
        records.push_str(&format!(
            "{{\"deployment\":\"d{d:02}\",\"event\":\"merged\",\"time\":\"2026-03-02T{k:02}:00:00Z\",\"service\":\"a\"}}\n\
             {{\"deployment\":\"d{d:02}\",\"event\":\"succeeded\",\"time\":\"2026-03-02T{:02}:59:00Z\"}}\n",
            k + 1
        ));
    }
    let r = eval(policy, &records, "2026-03-31T00:00:00Z");
    assert_eq!(r.results.len(), 1);
    let expected: Vec<String> = (0..14).map(|k| format!("x{k:02}")).collect();
    assert_eq!(r.results[0].exclusions, expected);
    // Each clock (1h59m) lost the ten minutes of each of its two exclusions.
    assert!(
        r.deployments
            .iter()
            .all(|e| e.elapsed_ms == Some(99 * 60_000))
    );
    assert_eq!(r.results[0].measured, 16);
}
