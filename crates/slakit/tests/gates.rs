//! Gates (SPEC §9a): each gate at its edges, the emergency override, and the
//! law that more breached history never turns a deny into an allow.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use slakit::gate::{Decision, Proposed, parse_proposed};
use slakit::{ErrorCode, Policy, instant, parse_records};

fn policy(gates: &str) -> Policy {
    Policy::from_yaml(&format!(
        r#"slakit: 1
name: gates
timezone: Europe/Berlin
calendars:
  office: {{hours: {{mon-fri: ["09:00-17:00"]}}}}
services:
  checkout: {{tier: tier1, team: payments}}
  ledger: {{tier: tier1, team: payments}}
  search: {{tier: tier2, team: discovery}}
  wiki: {{tier: tier3, team: it}}
tiers: [tier1, tier2, tier3]
slas:
  - id: lead
    clock: {{start: merged, stop: succeeded}}
    window: month
    group_by: [service]
    targets: {{default: {{max: 1h, objective: 50%}}}}
  - id: success
    kind: success_rate
    window: month
    targets: {{default: {{min: 50%}}}}
gates:
{gates}
"#
    ))
    .unwrap()
}

fn decide(p: &Policy, records: &str, proposed: &str, at: &str) -> Decision {
    let r = parse_records(records).unwrap();
    p.gate(
        &r,
        &parse_proposed(proposed).unwrap(),
        instant::parse(at).unwrap(),
    )
    .unwrap()
}

fn gates_of(d: &Decision) -> Vec<(String, Option<String>)> {
    d.reasons
        .iter()
        .map(|r| (r.gate.clone(), r.id.clone()))
        .collect()
}

const CHECKOUT: &str = r#"{"deployment":"new","service":"checkout"}"#;
const WIKI: &str = r#"{"deployment":"new","service":"wiki"}"#;

#[test]
fn fixed_blackout_is_half_open() {
    let p = policy(
        r#"  blackouts:
    - {id: freeze, reason: year-end freeze, from: "2026-12-20T00:00:00Z", to: "2027-01-04T00:00:00Z"}"#,
    );
    let d = decide(&p, "", CHECKOUT, "2026-12-20T00:00:00Z");
    assert_eq!(
        (d.decision.as_str(), gates_of(&d)),
        ("deny", vec![("blackout".into(), Some("freeze".into()))])
    );
    assert!(d.reasons[0].message.contains("year-end freeze"));
    assert!(decide(&p, "", CHECKOUT, "2027-01-04T00:00:00Z").allowed());
    assert!(decide(&p, "", CHECKOUT, "2026-12-19T23:59:59.999Z").allowed());
}

#[test]
fn quarter_close_blackout_follows_local_midnight_across_dst() {
    // Q1 2026 ends Tue 31 March; Berlin springs forward on Sun 29 March.
    // The last 3 local days start at 2026-03-29T00:00+01:00 = 2026-03-28T23:00Z.
    let p = policy(
        "  blackouts:\n    - {id: quarter-close, quarterly_last_days: 3, tiers: [tier1, tier2]}\n    - {id: month-close, monthly_last_days: 1}",
    );
    assert!(decide(&p, "", CHECKOUT, "2026-03-28T22:59:59.999Z").allowed());
    let d = decide(&p, "", CHECKOUT, "2026-03-28T23:00:00Z");
    assert_eq!(
        gates_of(&d),
        vec![("blackout".into(), Some("quarter-close".into()))]
    );
    assert!(
        d.reasons[0].message.contains("2026-03-29 to 2026-03-31"),
        "{}",
        d.reasons[0].message
    );
    // The quarter's last local instant is 2026-03-31T23:59:59.999+02:00 = 21:59:59.999Z.
    let d = decide(&p, "", CHECKOUT, "2026-03-31T21:59:59.999Z");
    assert_eq!(gates_of(&d).len(), 2); // quarter-close and month-close
    assert!(decide(&p, "", CHECKOUT, "2026-03-31T22:00:00Z").allowed());
    // Tier 3 is not in the quarter-close blackout, but month-close applies to all.
    let d = decide(&p, "", WIKI, "2026-03-30T10:00:00Z");
    assert!(d.allowed());
    let d = decide(&p, "", WIKI, "2026-03-31T10:00:00Z");
    assert_eq!(
        gates_of(&d),
        vec![("blackout".into(), Some("month-close".into()))]
    );
}

#[test]
fn deploy_hours_name_the_next_opening() {
    let p = policy("  deploy_hours: {calendar: office, tiers: [tier1]}");
    // Saturday 2026-03-07 in Berlin.
    let d = decide(&p, "", CHECKOUT, "2026-03-07T10:00:00Z");
    assert_eq!(
        gates_of(&d),
        vec![("deploy_hours".into(), Some("office".into()))]
    );
    assert!(
        d.reasons[0]
            .message
            .contains("opens at 2026-03-09T08:00:00Z"),
        "{}",
        d.reasons[0].message
    );
    assert!(decide(&p, "", WIKI, "2026-03-07T10:00:00Z").allowed());
    assert!(decide(&p, "", CHECKOUT, "2026-03-09T08:00:00Z").allowed());
}

#[test]
fn canary_must_have_passed_before_at() {
    let p = policy("  require_canary: [tier1]");
    let no = decide(&p, "", CHECKOUT, "2026-03-09T10:00:00Z");
    assert_eq!(
        gates_of(&no),
        vec![("require_canary".into(), Some("tier1".into()))]
    );
    let passed = r#"{"deployment":"new","event":"canary_passed","time":"2026-03-09T09:00:00Z","service":"checkout"}"#;
    assert!(decide(&p, passed, CHECKOUT, "2026-03-09T10:00:00Z").allowed());
    // A canary result after `at` has not happened yet.
    assert!(!decide(&p, passed, CHECKOUT, "2026-03-09T08:59:59Z").allowed());
    let failed_later = format!(
        "{passed}\n{}",
        r#"{"deployment":"new","event":"canary_failed","time":"2026-03-09T09:30:00Z"}"#
    );
    let d = decide(&p, &failed_later, CHECKOUT, "2026-03-09T10:00:00Z");
    assert!(
        d.reasons[0].message.contains("canary_failed"),
        "{}",
        d.reasons[0].message
    );
    assert!(decide(&p, "", WIKI, "2026-03-09T10:00:00Z").allowed());
}

/// `n` breached deployments of `service` (2 h against 1 h) in March 2026.
fn breached(n: usize, service: &str, offset: usize) -> String {
    (0..n)
        .map(|i| {
            let day = 2 + (i + offset) % 25;
            format!(
                "{{\"deployment\":\"{service}-b{}\",\"event\":\"merged\",\"time\":\"2026-03-{day:02}T08:00:00Z\",\"service\":\"{service}\"}}\n{{\"deployment\":\"{service}-b{}\",\"event\":\"succeeded\",\"time\":\"2026-03-{day:02}T10:00:00Z\"}}\n",
                i + offset,
                i + offset
            )
        })
        .collect()
}

#[test]
fn circuit_breaker_opens_at_exactly_max_breached() {
    let p = policy("  circuit_breaker: {max_breached: 3, scope: team}");
    let at = "2026-03-28T12:00:00Z";
    assert!(decide(&p, &breached(2, "checkout", 0), CHECKOUT, at).allowed());
    let d = decide(&p, &breached(3, "checkout", 0), CHECKOUT, at);
    assert_eq!(
        gates_of(&d),
        vec![("circuit_breaker".into(), Some("team".into()))]
    );
    assert_eq!(
        d.reasons[0].evidence,
        vec!["lead/checkout-b0", "lead/checkout-b1", "lead/checkout-b2"]
    );
    // Same team, other service: counted; other team: not.
    let mixed = format!("{}{}", breached(2, "checkout", 0), breached(1, "ledger", 5));
    assert!(!decide(&p, &mixed, CHECKOUT, at).allowed());
    assert!(decide(&p, &breached(5, "search", 0), CHECKOUT, at).allowed());
    // Breaches in a closed window (February) do not count.
    let p = policy("  circuit_breaker: {max_breached: 1}");
    let feb = breached(1, "checkout", 0).replace("2026-03-", "2026-02-");
    assert!(decide(&p, &feb, CHECKOUT, at).allowed());
}

#[test]
fn error_budget_denies_only_the_exhausted_segment() {
    let p = policy("  error_budget: deny_when_exhausted");
    let at = "2026-03-28T12:00:00Z";
    // 1 met + 1 breached at 50%: allowed 1, remaining 0 → still allowed.
    let met = r#"{"deployment":"m1","event":"merged","time":"2026-03-20T08:00:00Z","service":"checkout"}
{"deployment":"m1","event":"succeeded","time":"2026-03-20T08:30:00Z"}
"#;
    assert!(
        decide(
            &p,
            &format!("{met}{}", breached(1, "checkout", 0)),
            CHECKOUT,
            at
        )
        .allowed()
    );
    let d = decide(
        &p,
        &format!("{met}{}", breached(2, "checkout", 0)),
        CHECKOUT,
        at,
    );
    assert_eq!(
        gates_of(&d),
        vec![("error_budget".into(), Some("lead".into()))]
    );
    assert!(
        d.reasons[0]
            .evidence
            .contains(&"lead/checkout-b1".to_string())
    );
    // The lead SLA groups by service: search's budget is untouched.
    assert!(
        decide(
            &p,
            &format!("{met}{}", breached(2, "checkout", 0)),
            r#"{"deployment":"x","service":"search"}"#,
            at
        )
        .allowed()
    );
    // A breached rate row denies too.
    let failed =
        r#"{"deployment":"f1","event":"failed","time":"2026-03-20T08:00:00Z","service":"search"}"#;
    let d = decide(&p, failed, r#"{"deployment":"x","service":"search"}"#, at);
    assert_eq!(
        gates_of(&d),
        vec![("error_budget".into(), Some("success".into()))]
    );
}

#[test]
fn emergency_override_turns_denials_into_findings() {
    let p = policy("  blackouts:\n    - {id: month-close, monthly_last_days: 1}");
    let ex = r#"{"kind":"exception","id":"EX-9","services":["checkout"],"from":"2026-03-31T00:00:00Z","to":"2026-03-31T23:00:00Z","emergency":true,"approved_by":"vp"}"#;
    let emergency = r#"{"deployment":"hotfix","service":"checkout","release_type":"emergency"}"#;
    let d = decide(&p, ex, emergency, "2026-03-31T10:00:00Z");
    assert!(d.allowed());
    assert!(d.reasons.is_empty());
    assert_eq!(d.findings.len(), 1);
    assert_eq!(d.findings[0].kind, "emergency_override");
    assert_eq!(d.findings[0].details["exception"], "EX-9");
    // Not an emergency release, or no emergency exception: denied.
    assert!(!decide(&p, ex, CHECKOUT, "2026-03-31T10:00:00Z").allowed());
    assert!(!decide(&p, "", emergency, "2026-03-31T10:00:00Z").allowed());
}

#[test]
fn proposed_deployment_is_validated() {
    assert_eq!(
        parse_proposed("{\"service\":\"a\"}").unwrap_err().code,
        ErrorCode::MissingRecordField
    );
    let e = parse_proposed("{\"deployment\":\"d\",\"servce\":\"a\"}").unwrap_err();
    assert_eq!(
        (e.code, e.location.path.as_deref()),
        (ErrorCode::InvalidRecordField, Some("/servce"))
    );
    assert_eq!(
        parse_proposed("[1]").unwrap_err().code,
        ErrorCode::InvalidRecordField
    );
    assert_eq!(
        parse_proposed("{").unwrap_err().code,
        ErrorCode::RecordSyntax
    );
    let p = Proposed::from_value(serde_json::json!({"deployment": "d", "service": null})).unwrap();
    assert_eq!(p.service, None);
    let e = Policy::from_yaml("slakit: 1\nslas: []\ngates:\n  blackouts:\n    - {id: b, monthly_last_days: 1, quarterly_last_days: 2}\n").unwrap_err();
    assert!(e.message.contains("exactly one"), "{e}");
    let e = Policy::from_yaml("slakit: 1\nslas: []\ngates:\n  deploy_hours: {calendar: nope}\n")
        .unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownCalendar);
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// More breached history never turns a deny into an allow.
    #[test]
    fn more_breaches_never_allow_what_was_denied(k in 0usize..6, m in 0usize..4, max in 1u32..5) {
        let p = policy(&format!("  circuit_breaker: {{max_breached: {max}}}\n  error_budget: deny_when_exhausted"));
        let at = "2026-03-28T12:00:00Z";
        let before = decide(&p, &breached(k, "checkout", 0), CHECKOUT, at);
        let after = decide(&p, &format!("{}{}", breached(k, "checkout", 0), breached(m, "checkout", k)), CHECKOUT, at);
        prop_assert!(before.allowed() || !after.allowed(), "k={k} m={m} max={max}");
    }
}

#[test]
fn history_before_the_open_windows_does_not_change_a_decision() {
    let p = policy("  circuit_breaker: {max_breached: 1}\n  require_canary: [tier1]");
    let at = "2026-03-10T12:00:00Z";
    // Anchored in February, finished (breached) in March: a closed window, not counted.
    let straddling = r#"{"deployment":"old","event":"merged","time":"2026-02-27T08:00:00Z","service":"checkout"}
{"deployment":"old","event":"succeeded","time":"2026-03-02T10:00:00Z"}
"#;
    // The proposed deployment's canary passed in February: it still counts.
    let canary = r#"{"deployment":"new","event":"canary_passed","time":"2026-02-20T09:00:00Z","service":"checkout"}
"#;
    let d = decide(&p, &format!("{straddling}{canary}"), CHECKOUT, at);
    assert!(d.allowed(), "{:?}", d.reasons);
    // The same breach anchored in March opens the breaker.
    let march = straddling.replace("2026-02-27", "2026-03-01");
    let d = decide(&p, &format!("{march}{canary}"), CHECKOUT, at);
    assert_eq!(
        gates_of(&d),
        vec![("circuit_breaker".into(), Some("org".into()))]
    );
}

#[test]
fn own_lateness_canary_ties_and_expired_approvals() {
    // The proposed deployment is itself late: that neither trips the breaker nor spends the budget.
    let p = policy("  circuit_breaker: {max_breached: 1}\n  error_budget: deny_when_exhausted");
    let late = r#"{"deployment":"new","event":"merged","time":"2026-03-09T08:00:00Z","service":"checkout"}"#;
    assert!(decide(&p, late, CHECKOUT, "2026-03-10T12:00:00Z").allowed());
    // A canary failure at the same instant as a pass wins: fail closed.
    let p = policy("  require_canary: [tier1]");
    let tie = r#"{"deployment":"new","event":"canary_passed","time":"2026-03-09T09:00:00Z","service":"checkout"}
{"deployment":"new","event":"canary_failed","time":"2026-03-09T09:00:00Z"}"#;
    assert!(!decide(&p, tie, CHECKOUT, "2026-03-09T10:00:00Z").allowed());
    // An emergency exception listing the deployment overrides only while it is in force.
    let p = policy("  blackouts:\n    - {id: month-close, monthly_last_days: 1}");
    let ex = r#"{"kind":"exception","id":"EX-1","deployments":["hotfix"],"from":"2026-03-31T08:00:00Z","to":"2026-03-31T09:00:00Z","emergency":true}"#;
    let emergency = r#"{"deployment":"hotfix","service":"checkout","release_type":"emergency"}"#;
    let d = decide(&p, ex, emergency, "2026-03-31T08:30:00Z");
    assert!(d.allowed());
    assert_eq!(d.findings[0].details["justify_by"], "2026-04-05T09:00:00Z");
    assert!(!decide(&p, ex, emergency, "2026-03-31T09:00:00Z").allowed());
    // An empty blackout is refused.
    let e = Policy::from_yaml("slakit: 1\nslas: []\ngates:\n  blackouts:\n    - {id: b, from: \"2026-01-01T00:00:00Z\", to: \"2026-01-01T00:00:00Z\"}\n").unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidPolicyInstant);
}
