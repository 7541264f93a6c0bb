//! The reliability rules of SPEC §6.3: rollback_time, post_deploy_availability,
//! time_to_restore — edges of each.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use slakit::{ErrorCode, Policy, Report, instant, parse_records};

const POLICY: &str = r#"
slakit: 1
name: reliability
services:
  checkout: {tier: tier1, team: payments}
  search: {tier: tier2, team: discovery}
tiers: [tier1, tier2]
exclusions:
  - {id: mw, from: "2026-03-05T10:20:00Z", to: "2026-03-05T10:25:00Z", services: [search]}
slas:
  - id: rollback
    kind: rollback_time
    window: month
    warn_at: [50%]
    targets: {default: {max: 15m, objective: 50%}}
  - id: availability
    kind: post_deploy_availability
    window: month
    watch: 1h
    targets: {default: {max_unavailable: 5m}}
  - id: restore
    kind: time_to_restore
    window: month
    group_by: [service]
    targets: {tier1: {max: 1h, objective: 90%}, default: {max: 4h, objective: 90%}}
"#;

fn eval(records: &str, as_of: &str) -> Report {
    let p = Policy::from_yaml(POLICY).unwrap();
    p.evaluate(
        &parse_records(records).unwrap(),
        instant::parse(as_of).unwrap(),
    )
    .unwrap()
}

fn entry<'r>(r: &'r Report, sla: &str, id: &str) -> &'r slakit::report::DeploymentEntry {
    r.deployments
        .iter()
        .find(|d| d.sla == sla && d.deployment == id)
        .unwrap_or_else(|| panic!("no entry {sla}/{id}"))
}

const ROLLBACKS: &str = r#"{"deployment":"ok","event":"started","time":"2026-03-02T09:55:00Z","service":"checkout"}
{"deployment":"ok","event":"succeeded","time":"2026-03-02T10:00:00Z"}
{"deployment":"exact","event":"started","time":"2026-03-03T09:55:00Z","service":"checkout"}
{"deployment":"exact","event":"failed","time":"2026-03-03T10:00:00Z"}
{"deployment":"exact","event":"rollback_completed","time":"2026-03-03T10:15:00Z"}
{"deployment":"late","event":"started","time":"2026-03-04T09:55:00Z","service":"checkout"}
{"deployment":"late","event":"failed","time":"2026-03-04T10:00:00Z"}
{"deployment":"late","event":"rollback_completed","time":"2026-03-04T10:15:00.001Z"}
{"deployment":"stuck","event":"started","time":"2026-03-05T09:55:00Z","service":"search"}
{"deployment":"stuck","event":"failed","time":"2026-03-05T10:00:00Z"}
{"deployment":"fresh","event":"started","time":"2026-03-06T09:55:00Z","service":"search"}
{"deployment":"fresh","event":"failed","time":"2026-03-06T11:55:00Z"}"#;

#[test]
fn rollback_deadline_exactly_met_and_one_ms_late() {
    let r = eval(ROLLBACKS, "2026-03-06T12:00:00Z");
    assert_eq!(entry(&r, "rollback", "exact").state, "met");
    assert_eq!(entry(&r, "rollback", "exact").elapsed_ms, Some(900_000));
    assert_eq!(entry(&r, "rollback", "late").state, "breached");
    // A failure with no rollback by failed + max is breached even while in flight.
    let stuck = entry(&r, "rollback", "stuck");
    assert_eq!(
        (stuck.state.as_str(), stuck.breach_at.clone()),
        ("breached", Some(Some("2026-03-05T10:15:00Z".into())))
    );
    // Still within its 15 minutes: in flight, at 5/15 = 33% (below the 50% warning).
    let fresh = entry(&r, "rollback", "fresh");
    assert_eq!(
        (fresh.state.as_str(), fresh.consumed),
        ("in_flight", Some(0.333333))
    );
    assert_eq!(fresh.breach_at, Some(Some("2026-03-06T12:10:00Z".into())));
    // A deployment that never failed is not judged by the rollback SLA.
    assert!(
        r.deployments
            .iter()
            .all(|d| !(d.sla == "rollback" && d.deployment == "ok"))
    );
    let rows: Vec<_> = r
        .results
        .iter()
        .filter(|row| row.sla == "rollback")
        .collect();
    assert_eq!(rows.len(), 2); // tier1 (exact, late) and tier2 (stuck, fresh)
    assert_eq!(
        (rows[0].met, rows[0].breached, rows[0].status.as_str()),
        (Some(1), Some(1), "met")
    );
    assert_eq!(
        (rows[1].breached, rows[1].in_flight, rows[1].status.as_str()),
        (Some(1), Some(1), "breached")
    );
    assert!(
        rows[1].breaches[0].reason.contains("no rollback completed"),
        "{}",
        rows[1].breaches[0].reason
    );
}

const OUTAGES: &str = r#"{"deployment":"a","event":"succeeded","time":"2026-03-02T10:00:00Z","service":"checkout"}
{"kind":"outage","id":"o1","service":"checkout","from":"2026-03-02T10:00:00Z","to":"2026-03-02T10:03:00Z"}
{"kind":"outage","id":"o2","service":"checkout","from":"2026-03-02T10:02:00Z","to":"2026-03-02T10:05:00Z"}
{"deployment":"b","event":"succeeded","time":"2026-03-03T10:00:00Z","service":"checkout"}
{"kind":"outage","id":"o3","service":"checkout","from":"2026-03-03T10:57:00Z","to":"2026-03-03T11:30:00Z"}
{"kind":"outage","id":"o4","service":"checkout","from":"2026-03-03T09:00:00Z","to":"2026-03-03T10:03:00Z"}
{"deployment":"c","event":"succeeded","time":"2026-03-05T10:00:00Z","service":"search"}
{"kind":"outage","id":"o5","service":"search","from":"2026-03-05T10:15:00Z","to":"2026-03-05T10:26:00Z"}
{"deployment":"d","event":"failed","time":"2026-03-05T11:00:00Z","service":"search"}
{"deployment":"e","event":"succeeded","time":"2026-03-06T11:30:00Z","service":"search"}
{"kind":"outage","id":"o6","service":"search","from":"2026-03-06T11:40:00Z"}"#;

#[test]
fn post_deploy_availability_unions_outages_cuts_at_watch_and_pauses() {
    let r = eval(OUTAGES, "2026-03-06T11:45:00Z");
    // o1 and o2 overlap: 10:00-10:05 = 5m, exactly the limit (an outage at success counts).
    let a = entry(&r, "availability", "a");
    assert_eq!((a.state.as_str(), a.elapsed_ms), ("met", Some(300_000)));
    // o4 before the deploy counts from success (3m); o3 counts until the watch ends (3m): 6m.
    let b = entry(&r, "availability", "b");
    assert_eq!(
        (b.state.as_str(), b.elapsed_ms),
        ("breached", Some(360_000))
    );
    // o5 is 11m, of which the `mw` pause exclusion removes 5m: 6m.
    let c = entry(&r, "availability", "c");
    assert_eq!(
        (c.state.as_str(), c.elapsed_ms),
        ("breached", Some(360_000))
    );
    // A failed deployment never succeeded: nothing to watch.
    assert!(
        r.deployments
            .iter()
            .all(|x| !(x.sla == "availability" && x.deployment == "d"))
    );
    // Still inside its watch with an ongoing outage of 5m: in flight.
    let e = entry(&r, "availability", "e");
    assert_eq!(
        (e.state.as_str(), e.elapsed_ms),
        ("in_flight", Some(300_000))
    );
    let row = r
        .results
        .iter()
        .find(|x| x.sla == "availability" && x.tier == "tier1")
        .unwrap();
    assert_eq!(
        (row.measured, row.breached, row.status.as_str()),
        (2, Some(1), "breached")
    );
    let breach = &row.breaches[0];
    assert!(
        breach.reason.contains("6m of outage within 1h"),
        "{}",
        breach.reason
    );
    let ids: Vec<_> = breach.records.iter().filter_map(|e| e.id.clone()).collect();
    assert_eq!(ids, vec!["o3".to_string(), "o4".to_string()]);
    let search = r
        .results
        .iter()
        .find(|x| x.sla == "availability" && x.tier == "tier2")
        .unwrap();
    assert_eq!(search.exclusions, vec!["mw".to_string()]);
}

#[test]
fn time_to_restore_counts_incidents_by_opened_and_service() {
    let records = r#"{"kind":"incident","id":"INC-1","service":"checkout","opened":"2026-02-28T23:30:00Z","resolved":"2026-03-01T00:20:00Z"}
{"kind":"incident","id":"INC-2","service":"checkout","opened":"2026-03-02T10:00:00Z"}
{"kind":"incident","id":"INC-2","service":"checkout","opened":"2026-03-02T10:00:00Z","resolved":"2026-03-02T11:00:00.001Z"}
{"kind":"incident","id":"INC-3","service":"search","opened":"2026-03-03T10:00:00Z"}
{"kind":"incident","id":"INC-4","service":"search","opened":"2026-03-09T10:00:00Z"}"#;
    let r = eval(records, "2026-03-09T13:00:00Z");
    let rows: Vec<_> = r.results.iter().filter(|x| x.sla == "restore").collect();
    // Windows by `opened`: INC-1 is in February, even though it was resolved in March.
    assert_eq!(rows.len(), 3);
    assert_eq!(
        (rows[0].window.label.as_str(), rows[0].met),
        ("2026-02", Some(1))
    );
    assert_eq!(rows[1].segment["service"].as_deref(), Some("checkout"));
    assert_eq!(rows[1].breached, Some(1)); // INC-2: 1h + 1ms against 1h
    assert_eq!(rows[2].segment["service"].as_deref(), Some("search"));
    assert_eq!((rows[2].breached, rows[2].in_flight), (Some(1), Some(1))); // INC-3 past 4h, INC-4 at 3h
    let inc4 = entry(&r, "restore", "INC-4");
    assert_eq!(
        (
            inc4.subject.as_deref(),
            inc4.state.as_str(),
            inc4.tier.as_str()
        ),
        (Some("incident"), "in_flight", "tier2")
    );
    assert_eq!(inc4.breach_at, Some(Some("2026-03-09T14:00:00Z".into())));
    assert!(
        rows[2].breaches[0].reason.contains("still unresolved"),
        "{}",
        rows[2].breaches[0].reason
    );
}

#[test]
fn reliability_rules_are_validated() {
    let bad = |yaml: &str| Policy::from_yaml(yaml).unwrap_err();
    let e = bad(
        "slakit: 1\nslas:\n  - {id: r, kind: time_to_restore, window: month, clock: {start: opened}, targets: {default: {max: 1h}}}\n",
    );
    assert_eq!(e.code, ErrorCode::InvalidValue);
    assert!(
        e.message.contains("opened") && e.message.contains("resolved"),
        "{e}"
    );
    let e = bad(
        "slakit: 1\nslas:\n  - {id: a, kind: post_deploy_availability, window: month, targets: {default: {max: 5m}}}\n",
    );
    assert_eq!(e.code, ErrorCode::InvalidTarget);
    assert!(e.message.contains("`max`"), "{e}");
    let e = bad(
        "slakit: 1\nslas:\n  - {id: a, kind: post_deploy_availability, window: month, targets: {default: {objective: 90%}}}\n",
    );
    assert!(e.message.contains("max_unavailable"), "{e}");
    let e = bad(
        "slakit: 1\nslas:\n  - {id: a, kind: success_rate, window: month, watch: 1h, targets: {default: {min: 90%}}}\n",
    );
    assert!(e.message.contains("watch"), "{e}");
    let e = bad(
        "slakit: 1\nslas:\n  - {id: a, kind: rollback_time, window: month, targets: {default: {max: 0s}}}\n",
    );
    assert_eq!(e.code, ErrorCode::InvalidDuration);
}

#[test]
fn explain_shows_the_reliability_rules() {
    let p = Policy::from_yaml(POLICY).unwrap();
    let records = parse_records(ROLLBACKS).unwrap();
    let x = p
        .explain(
            &records,
            "stuck",
            instant::parse("2026-03-06T12:00:00Z").unwrap(),
        )
        .unwrap();
    let states: Vec<(&str, &str)> = x
        .slas
        .iter()
        .map(|s| (s.sla.as_str(), s.state.as_str()))
        .collect();
    assert_eq!(
        states,
        vec![
            ("rollback", "breached"),
            ("availability", "not_applicable"),
            ("restore", "not_applicable")
        ]
    );
    assert!(x.slas[0].timeline.iter().any(|s| s.kind == "breach_at"));
}
