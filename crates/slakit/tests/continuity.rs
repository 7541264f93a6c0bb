//! Continuity (SPEC §9b): tiers with `{name, rto, rpo}`, and the `W010`
//! warning when a rollback or restore target exceeds the tier's RTO.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use slakit::{ErrorCode, Policy};

fn warnings(targets_rollback: &str, targets_restore: &str) -> Vec<String> {
    let text = format!(
        r#"
slakit: 1
tiers:
  - {{name: tier1, rto: 15m, rpo: 5m}}
  - tier2
slas:
  - id: rollback
    kind: rollback_time
    window: month
    targets: {targets_rollback}
  - id: restore
    kind: time_to_restore
    window: month
    targets: {targets_restore}
  - id: lead
    clock: {{start: merged, stop: succeeded}}
    window: month
    targets: {{tier1: {{max: 4h, objective: 90%}}}}
"#
    );
    Policy::from_yaml(&text)
        .unwrap()
        .check()
        .into_iter()
        .filter(|w| w.code == "W010")
        .map(|w| w.message)
        .collect()
}

#[test]
fn a_target_at_or_under_the_rto_is_quiet() {
    let w = warnings(
        "{tier1: {max: 15m, objective: 90%}, tier2: {max: 2h, objective: 90%}}",
        "{tier1: {max: 10m, objective: 90%}}",
    );
    assert!(w.is_empty(), "{w:?}");
}

#[test]
fn a_target_over_the_rto_warns_naming_sla_tier_and_both_durations() {
    let w = warnings(
        "{tier1: {max: 16m, objective: 90%}}",
        "{tier1: {max: 15m, objective: 90%}}",
    );
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0].contains("SLA `rollback` allows 16m (its `tier1` target) for tier `tier1`, longer than the tier's RTO of 15m"), "{}", w[0]);
}

#[test]
fn a_default_target_that_tier1_falls_back_to_is_checked_too() {
    let w = warnings(
        "{tier1: {max: 15m, objective: 90%}}",
        "{default: {max: 4h, objective: 90%}}",
    );
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("SLA `restore` allows 4h (its `default` target) for tier `tier1`"),
        "{}",
        w[0]
    );
}

#[test]
fn plain_tier_names_keep_their_canonical_form_and_digest() {
    let a = Policy::from_yaml("slakit: 1\ntiers: [tier1, tier2]\nslas: []\n").unwrap();
    assert!(slakit::policy::canonical_json(&a.doc).contains(r#""tiers":["tier1","tier2"]"#));
    let b = Policy::from_yaml("slakit: 1\ntiers: [{name: tier1}, tier2]\nslas: []\n").unwrap();
    assert_eq!(b.tiers, vec!["tier1".to_string(), "tier2".to_string()]);
}

#[test]
fn tier_entries_are_validated_with_their_path() {
    let e =
        Policy::from_yaml("slakit: 1\ntiers: [{name: tier1, rta: 15m}]\nslas: []\n").unwrap_err();
    assert_eq!(e.code, ErrorCode::UnknownField, "{e:?}");
    let e =
        Policy::from_yaml("slakit: 1\ntiers: [{name: tier1, rto: soon}]\nslas: []\n").unwrap_err();
    assert_eq!(e.code, ErrorCode::InvalidDuration, "{e:?}");
    assert_eq!(e.location.path.as_deref(), Some("/tiers/0/rto"));
    let e = Policy::from_yaml("slakit: 1\ntiers: [{name: a}, a]\nslas: []\n").unwrap_err();
    assert_eq!(e.code, ErrorCode::DuplicateId);
}
