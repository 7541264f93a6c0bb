//! Baseline (SPEC §9b): suggested targets reproduce the stated compliance
//! when fed back; percentile edges; empty and eventless histories.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeMap;

use proptest::prelude::*;
use slakit::baseline::{Baseline, Compliance, Segment, baseline, baseline_default};
use slakit::policy::{PolicyDoc, SlaDoc};
use slakit::{ErrorCode, Policy, Record, Report, instant, parse_records};

#[derive(serde::Deserialize)]
struct Snippet {
    slas: Vec<SlaDoc>,
}

/// Paste the snippet's `slas:` into the policy (or, without one, read the
/// snippet as the complete policy it is).
fn fed_back(policy: Option<&Policy>, b: &Baseline) -> Policy {
    let yaml = b.to_yaml();
    match policy {
        None => Policy::from_yaml(&yaml).unwrap_or_else(|e| panic!("{e:?}\n{yaml}")),
        Some(p) => {
            let snippet: Snippet =
                serde_saphyr::from_str(&yaml).unwrap_or_else(|e| panic!("{e}\n{yaml}"));
            let mut doc: PolicyDoc = p.doc.clone();
            doc.slas = snippet.slas;
            Policy::compile(doc).unwrap_or_else(|e| panic!("{e:?}\n{yaml}"))
        }
    }
}

fn segment_matches(
    row: &slakit::report::ResultRow,
    tier: &str,
    group: &BTreeMap<String, Option<String>>,
) -> bool {
    row.tier == tier && group.iter().all(|(k, v)| row.segment.get(k) == Some(v))
}

/// The compliance the fed-back evaluation shows for one segment.
fn observed(
    report: &Report,
    sla: &str,
    kind: &str,
    seg: &Segment,
    group: &BTreeMap<String, Option<String>>,
) -> (u64, u64) {
    let rows = report
        .results
        .iter()
        .filter(|r| r.sla == sla && segment_matches(r, &seg.tier, group));
    match kind {
        "duration" | "rollback_time" | "time_to_restore" => rows.fold((0, 0), |(m, n), r| {
            (m + r.met.unwrap() as u64, n + r.measured as u64)
        }),
        "deployment_frequency" => rows
            .filter(|r| r.window.state == "closed" || r.window.unit == "rolling")
            .fold((0, 0), |(m, n), r| {
                (m + u64::from(r.status == "met"), n + 1)
            }),
        _ => rows.filter(|r| r.measured > 0).fold((0, 0), |(m, n), r| {
            (m + u64::from(r.status == "met"), n + 1)
        }),
    }
}

/// Every stated compliance (tier suggestions and groups under them) equals
/// what `evaluate` reports once the snippet is pasted back. Returns how many
/// figures were checked.
fn assert_reproduces(policy: Option<&Policy>, records: &[Record], as_of: i64) -> usize {
    let b = baseline(policy, records, Some(as_of)).unwrap();
    let p = fed_back(policy, &b);
    let report = p.evaluate(records, as_of).unwrap();
    let mut checked = 0;
    for sla in &b.slas {
        for tier in &sla.tiers {
            let Some(s) = &tier.suggestion else { continue };
            let check = |c: &Compliance, group: &BTreeMap<String, Option<String>>| {
                let (met, of) = observed(&report, &sla.sla, &sla.kind, tier, group);
                assert_eq!(
                    (c.met, c.of),
                    (met, of),
                    "sla {} tier {} group {group:?}\n{}",
                    sla.sla,
                    tier.tier,
                    b.to_yaml()
                );
            };
            check(&s.compliance, &BTreeMap::new());
            checked += 1;
            for g in &tier.groups {
                check(g.under_suggestion.as_ref().unwrap(), &g.group);
                checked += 1;
            }
        }
    }
    checked
}

fn example() -> (Policy, Vec<Record>, i64) {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/");
    let policy =
        Policy::from_yaml(&std::fs::read_to_string(format!("{root}policy.yaml")).unwrap()).unwrap();
    let records =
        parse_records(&std::fs::read_to_string(format!("{root}records.jsonl")).unwrap()).unwrap();
    let as_of = instant::parse("2026-03-31T20:45:00Z").unwrap();
    (policy, records, as_of)
}

#[test]
fn the_example_suggestions_reproduce_their_compliance_when_fed_back() {
    let (policy, records, as_of) = example();
    let n = assert_reproduces(Some(&policy), &records, as_of);
    // 6 SLAs: 4+2+4+4+4+3 tiers, plus their groups.
    assert!(n >= 21, "only {n} figures checked");
    let n = assert_reproduces(None, &records, as_of);
    assert!(n >= 6, "only {n} figures checked with the default policy");
}

#[test]
fn the_yaml_states_the_method_and_the_compliance() {
    let (policy, records, as_of) = example();
    let b = policy.baseline(&records, as_of).unwrap();
    let yaml = b.to_yaml();
    assert!(yaml.contains("nearest-rank"));
    assert!(yaml.contains("# replace the `slas:` section"));
    let lead = &b.slas[0];
    let tier1 = &lead.tiers[0];
    assert_eq!(tier1.tier, "tier1");
    let s = tier1.suggestion.as_ref().unwrap();
    assert_eq!(s.percentile.as_deref(), Some("p90"), "the objective is 90%");
    assert!(yaml.contains(&format!("{} would have met it", s.compliance.describe())));
    assert!(yaml.contains(&format!(
        "tier1: {{max: {}, objective: 90%}}",
        s.target["max"].as_str().unwrap()
    )));
    // docs/baseline.md quotes these lines of the worked example.
    for quoted in [
        "      tier1: {max: 8h26m, objective: 90%}\n",
        "#     with max 8h26m: 69 of 77 deployments (89.6%) would have met it\n",
        "#   service=payments-api: 27 stopped clocks, its own p90 10h53m; under the suggestion 23 of 28 deployments (82.1%) met\n",
        "#   3 windows with data, overall 11.6%; lowest first: [10.3%, 10.9%, 13.6%]\n",
        "      tier1: {max: 13.7%}\n",
    ] {
        assert!(
            yaml.contains(quoted),
            "docs/baseline.md quotes `{quoted}`:\n{yaml}"
        );
    }
    // Nothing lost: every judged deployment is measured or has a reason.
    for sla in &b.slas {
        for t in &sla.tiers {
            let rest: u64 = t.not_measured.values().sum();
            assert_eq!(t.measured + rest, t.judged, "{} {}", sla.sla, t.tier);
        }
        let tiers: u64 = sla.tiers.iter().map(|t| t.judged).sum();
        assert_eq!(tiers, sla.judged, "{}", sla.sla);
        if let Some(n) = sla.not_judged {
            assert!(n + sla.judged >= b.inputs.deployments, "{}", sla.sla);
        }
    }
    // Deterministic: the same bytes twice, and for shuffled records.
    let mut shuffled = records.clone();
    shuffled.reverse();
    let again = policy.baseline(&shuffled, as_of).unwrap();
    assert_eq!(again.to_yaml(), yaml);
    assert_eq!(again.to_json(), b.to_json());
}

fn clock_policy(objective: &str) -> Policy {
    Policy::from_yaml(&format!(
        "slakit: 1\nslas:\n  - id: lt\n    clock: {{start: merged, stop: succeeded}}\n    window: month\n    targets: {{default: {{max: 1h, objective: {objective}}}}}\n"
    ))
    .unwrap()
}

/// One deployment per duration (minutes), all merged on 2026-03-02.
fn clocks(minutes: &[i64]) -> Vec<Record> {
    let mut out = String::new();
    for (i, m) in minutes.iter().enumerate() {
        let start = instant::parse("2026-03-02T00:00:00Z").unwrap() + i as i64 * 1000;
        out += &format!(
            "{{\"deployment\":\"d{i}\",\"event\":\"merged\",\"time\":\"{}\",\"service\":\"api\"}}\n{{\"deployment\":\"d{i}\",\"event\":\"succeeded\",\"time\":\"{}\"}}\n",
            instant::format(start),
            instant::format(start + m * 60_000)
        );
    }
    parse_records(&out).unwrap()
}

fn as_of() -> i64 {
    instant::parse("2026-03-20T00:00:00Z").unwrap()
}

fn suggestion(p: &Policy, records: &[Record]) -> (String, Compliance) {
    let b = p.baseline(records, as_of()).unwrap();
    let s = b.slas[0].tiers[0].suggestion.clone().unwrap();
    (s.target["max"].as_str().unwrap().to_string(), s.compliance)
}

#[test]
fn percentile_edges() {
    // One sample: every percentile is it.
    let (max, c) = suggestion(&clock_policy("90%"), &clocks(&[42]));
    assert_eq!(max, "42m");
    assert_eq!((c.met, c.of), (1, 1));
    // All equal.
    let (max, c) = suggestion(&clock_policy("50%"), &clocks(&[30; 7]));
    assert_eq!(max, "30m");
    assert_eq!((c.met, c.of), (7, 7));
    // p100 is the largest.
    let (max, c) = suggestion(&clock_policy("100%"), &clocks(&[5, 90, 10, 20]));
    assert_eq!(max, "1h30m");
    assert_eq!((c.met, c.of), (4, 4));
    // Ties at the rank: p50 of [10, 20, 20, 20, 30] is 20, and every tie meets it.
    let (max, c) = suggestion(&clock_policy("50%"), &clocks(&[30, 20, 10, 20, 20]));
    assert_eq!(max, "20m");
    assert_eq!((c.met, c.of), (4, 5));
    // Nearest rank, not interpolation: p90 of 1..=10 minutes is the 9th.
    let ten: Vec<i64> = (1..=10).collect();
    let (max, c) = suggestion(&clock_policy("90%"), &clocks(&ten));
    assert_eq!(max, "9m");
    assert_eq!((c.met, c.of), (9, 10));
    // A zero-length clock still gets a positive target.
    let (max, _) = suggestion(&clock_policy("90%"), &clocks(&[0, 0]));
    assert_eq!(max, "1s");
    // Listed percentiles.
    let b = clock_policy("97.5%")
        .baseline(&clocks(&ten), as_of())
        .unwrap();
    let names: Vec<&str> = b.slas[0].tiers[0]
        .percentiles
        .iter()
        .map(|c| c.percentile.as_str())
        .collect();
    assert_eq!(names, ["p50", "p90", "p95", "p97.5", "p99"]);
    assert_eq!(b.slas[0].tiers[0].percentiles[0].value_ms, 5 * 60_000);
}

#[test]
fn a_running_clock_past_the_suggestion_counts_as_breached() {
    let mut records = clocks(&[10, 20, 30]);
    records.extend(
        parse_records(
            "{\"deployment\":\"late\",\"event\":\"merged\",\"time\":\"2026-03-19T00:00:00Z\",\"service\":\"api\"}",
        )
        .unwrap(),
    );
    let p = clock_policy("100%");
    let b = p.baseline(&records, as_of()).unwrap();
    let t = &b.slas[0].tiers[0];
    assert_eq!(t.measured, 3);
    assert_eq!(t.not_measured.get("in flight"), Some(&1));
    let c = &t.suggestion.as_ref().unwrap().compliance;
    // 30m suggested; the clock running for 24h already exceeds it.
    assert_eq!((c.met, c.of), (3, 4));
    assert_reproduces(Some(&p), &records, as_of());
}

#[test]
fn an_empty_history_says_so_without_failing() {
    let b = clock_policy("90%").baseline(&[], as_of()).unwrap();
    assert_eq!(b.inputs.deployments, 0);
    assert!(b.slas[0].tiers.is_empty());
    assert!(b.slas[0].note.as_deref().unwrap().contains("no deployment"));
    let yaml = b.to_yaml();
    assert!(yaml.contains("the history holds no deployment"));
    // The target is kept, so the snippet is still a valid policy section.
    assert!(
        yaml.contains("default: {max: 1h, objective: 90%}"),
        "{yaml}"
    );
    // Without an as_of there is nothing to default to: a usage error, not a panic.
    let e = baseline_default(&[], None).unwrap_err();
    assert_eq!(e.code, ErrorCode::NoAsOf);
    // The default policy with an as_of and no records: a complete, valid policy.
    let b = baseline_default(&[], Some(as_of())).unwrap();
    Policy::from_yaml(&b.to_yaml()).unwrap();
}

#[test]
fn records_without_the_needed_events_are_accounted_for() {
    // Only `started` events: no lead-time clock can start, nothing succeeded.
    let records = parse_records(
        "{\"deployment\":\"a\",\"event\":\"started\",\"time\":\"2026-03-02T10:00:00Z\",\"service\":\"api\"}\n\
         {\"deployment\":\"b\",\"event\":\"started\",\"time\":\"2026-03-03T10:00:00Z\",\"service\":\"api\"}",
    )
    .unwrap();
    let b = baseline_default(&records, Some(as_of())).unwrap();
    let lead = b.slas.iter().find(|s| s.sla == "lead-time").unwrap();
    let t = &lead.tiers[0];
    assert_eq!(t.measured, 0);
    assert_eq!(
        t.not_measured.get("unmeasured: no `merged` event"),
        Some(&2)
    );
    assert!(t.suggestion.is_none());
    assert!(
        lead.note
            .as_deref()
            .unwrap()
            .contains("nothing was measured")
    );
    let yaml = b.to_yaml();
    assert!(yaml.contains("placeholder, nothing measured"), "{yaml}");
    Policy::from_yaml(&yaml).unwrap();
    let success = b.slas.iter().find(|s| s.sla == "success-rate").unwrap();
    assert_eq!(success.tiers[0].not_measured.get("in progress"), Some(&2));
}

#[test]
fn bad_input_is_an_error_with_a_location() {
    let records = parse_records(
        "{\"deployment\":\"a\",\"event\":\"started\",\"time\":\"2026-03-02T10:00:00Z\",\"service\":\"api\"}\n\
         {\"deployment\":\"a\",\"event\":\"succeeded\",\"time\":\"2026-03-02T11:00:00Z\",\"service\":\"web\"}",
    )
    .unwrap();
    let e = baseline_default(&records, Some(as_of())).unwrap_err();
    assert_eq!(e.code, ErrorCode::ConflictingAttribute);
}

// ---------------------------------------------------------------------------
// Property: any history reproduces its stated compliance when fed back.
// ---------------------------------------------------------------------------

fn wide_policy() -> Policy {
    Policy::from_yaml(
        r#"slakit: 1
timezone: America/New_York
calendars:
  biz: {hours: {mon-fri: ["09:00-17:00"]}}
tiers: [gold, silver]
services:
  a: {tier: gold}
  b: {tier: gold}
  c: {tier: silver}
slas:
  - id: lead
    clock: {start: merged, stop: succeeded, calendar: biz, cancel: [rollback_completed]}
    window: week
    group_by: [service]
    targets: {gold: {max: 2h, objective: 75%}, default: {max: 4h, objective: 90%}}
  - id: exec
    clock: {start: started, stop: succeeded, pauses: []}
    window: {rolling: 10d}
    targets: {default: {max: 30m, objective: 95%}}
  - id: rollback
    kind: rollback_time
    window: month
    targets: {default: {max: 15m}}
  - id: ok
    kind: success_rate
    window: week
    group_by: [environment]
    targets: {default: {min: 90%}}
  - id: cfr
    kind: change_failure_rate
    window: week
    targets: {gold: {max: 10%}, silver: {max: 20%}}
  - id: freq
    kind: deployment_frequency
    window: day
    group_by: [service]
    targets: {default: {min_per_day: 0.5}}
"#,
    )
    .unwrap()
}

/// (service, env, merged→started min, started→succeeded min or none,
/// outcome 0 ok / 1 failed+rollback / 2 failed, day offset, hour)
type Dep = (usize, bool, i64, Option<i64>, u8, i64, i64);

fn deps() -> impl Strategy<Value = Vec<Dep>> {
    prop::collection::vec(
        (
            0usize..4,
            any::<bool>(),
            0i64..3000,
            prop::option::weighted(0.85, 0i64..120),
            0u8..3,
            0i64..30,
            0i64..24,
        ),
        0..40,
    )
}

fn history(deps: &[Dep]) -> Vec<Record> {
    let services = ["a", "b", "c", "d"];
    let base = instant::parse("2026-03-01T00:00:00Z").unwrap();
    let mut out = String::new();
    for (i, &(svc, prod, wait, run, outcome, day, hour)) in deps.iter().enumerate() {
        let env = if prod { "production" } else { "staging" };
        let merged = base + day * 86_400_000 + hour * 3_600_000;
        let started = merged + wait * 60_000;
        let mut ev = |name: &str, t: i64| {
            out += &format!(
                "{{\"deployment\":\"d{i}\",\"event\":\"{name}\",\"time\":\"{}\",\"service\":\"{}\",\"environment\":\"{env}\"}}\n",
                instant::format(t),
                services[svc]
            );
        };
        ev("merged", merged);
        ev("started", started);
        if let Some(r) = run {
            let end = started + r * 60_000;
            match outcome {
                0 => ev("succeeded", end),
                1 => {
                    ev("failed", end);
                    ev("rollback_completed", end + (r % 40) * 60_000);
                }
                _ => ev("failed", end),
            }
        }
    }
    parse_records(&out).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// Suggested targets reproduce the stated compliance when fed back,
    /// for random histories read at a random instant.
    #[test]
    fn suggestions_reproduce_their_compliance(deps in deps(), as_of_day in 1i64..40) {
        let records = history(&deps);
        let as_of = instant::parse("2026-03-01T00:00:00Z").unwrap() + as_of_day * 86_400_000;
        let p = wide_policy();
        assert_reproduces(Some(&p), &records, as_of);
        assert_reproduces(None, &records, as_of);
    }

    /// The suggested max always reaches the objective over the stopped clocks.
    #[test]
    fn the_suggestion_meets_the_objective_over_stopped_clocks(minutes in prop::collection::vec(0i64..600, 1..30), objective in 1i64..=100) {
        let p = clock_policy(&format!("{objective}%"));
        let b = p.baseline(&clocks(&minutes), as_of()).unwrap();
        let s = b.slas[0].tiers[0].suggestion.clone().unwrap();
        let c = s.compliance;
        // No clock is running: met / of ≥ objective, exactly.
        prop_assert!(c.met * 100 >= objective as u64 * c.of);
        prop_assert_eq!(c.of, minutes.len() as u64);
    }
}

#[test]
fn names_with_control_characters_cannot_break_the_snippet() {
    let records = parse_records(
        "{\"deployment\":\"a\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\",\"service\":\"api\\nslas: []\",\"environment\":\"prod\\n  - id: x\"}\n\
         {\"deployment\":\"a\",\"event\":\"health_validated\",\"time\":\"2026-03-02T11:00:00Z\"}",
    )
    .unwrap();
    let b = baseline_default(&records, Some(as_of())).unwrap();
    assert!(b.to_yaml().contains("environment=prod\\n  - id: x"));
    assert!(assert_reproduces(None, &records, as_of()) >= 1);
}

#[test]
fn a_versioned_policy_says_the_snippet_holds_its_base_slas() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/");
    let policy =
        Policy::from_yaml(&std::fs::read_to_string(format!("{root}policy-versions.yaml")).unwrap())
            .unwrap();
    let (_, records, as_of) = example();
    let yaml = policy.baseline(&records, as_of).unwrap().to_yaml();
    assert!(yaml.contains("# this policy has `versions:`"), "{yaml}");
    let (plain, _, _) = example();
    assert!(
        !plain
            .baseline(&records, as_of)
            .unwrap()
            .to_yaml()
            .contains("`versions:`")
    );
}
