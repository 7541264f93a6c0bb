//! Property tests of evaluation: determinism, and monotonicity of pauses and exclusions.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use proptest::prelude::*;
use serde_json::{Value, json};
use slakit::record::{Origin, Record, record_from_value};
use slakit::{Policy, instant};

const POLICY: &str = r#"
slakit: 1
name: props
timezone: America/New_York
calendars:
  office: {hours: {mon-fri: ["09:00-12:00", "13:00-17:00"]}, holidays: ["2026-03-10"]}
services:
  checkout: {tier: tier1, team: payments}
  search: {tier: tier2}
tiers: [tier1, tier2]
slas:
  - id: lead
    clock: {start: merged, stop: succeeded, calendar: office}
    window: week
    group_by: [service]
    warn_at: [50%, 75%]
    targets: {tier1: {max: 6h, objective: 80%}, default: {max: 12h, objective: 50%}}
  - id: lead-24x7
    clock: {start: merged, stop: succeeded}
    window: {rolling: 10d}
    targets: {default: {max: 20h, objective: 90%}}
  - id: success
    kind: success_rate
    window: month
    targets: {default: {min: 90%}}
  - id: cfr
    kind: change_failure_rate
    window: month
    group_by: [team]
    targets: {default: {max: 20%}}
  - id: freq
    kind: deployment_frequency
    window: week
    targets: {default: {min: 3}}
"#;

const BASE: i64 = 1_772_323_200_000; // 2026-03-01T00:00:00Z
const H: i64 = 3_600_000;

fn policy() -> Policy {
    Policy::from_yaml(POLICY).unwrap()
}

/// A deployment: service index, merge offset (minutes), duration (minutes), outcome, approval pause.
type Dep = (usize, i64, i64, u8, Option<(i64, i64)>);

fn deps() -> impl Strategy<Value = Vec<Dep>> {
    prop::collection::vec(
        (
            0usize..3,
            0i64..(20 * 24 * 60),
            1i64..(3 * 24 * 60),
            0u8..4,
            prop::option::of((0i64..600, 0i64..900)),
        ),
        1..14,
    )
}

fn time(ms: i64, offset_min: i32) -> String {
    let off = chrono::FixedOffset::east_opt(offset_min * 60).unwrap();
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap()
        .with_timezone(&off)
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, false)
}

fn records(deps: &[Dep], offsets: &[i32]) -> Vec<Value> {
    let services = ["checkout", "search", "wiki"];
    let mut out = Vec::new();
    let mut k = 0usize;
    let mut off = || {
        k += 1;
        offsets.get(k % offsets.len().max(1)).copied().unwrap_or(0)
    };
    for (i, (svc, at, dur, outcome, pause)) in deps.iter().enumerate() {
        let id = format!("d{i}");
        let merged = BASE + at * 60_000;
        let end = merged + dur * 60_000;
        out.push(json!({"deployment": id, "event": "merged", "time": time(merged, off()), "service": services[*svc]}));
        out.push(
            json!({"deployment": id, "event": "started", "time": time(merged + 60_000, off())}),
        );
        if let Some((a, b)) = pause {
            out.push(json!({"deployment": id, "event": "approval_requested", "time": time(merged + a * 60_000, off())}));
            out.push(json!({"deployment": id, "event": "approval_granted", "time": time(merged + (a + b) * 60_000, off())}));
        }
        match outcome {
            0 => {
                out.push(json!({"deployment": id, "event": "succeeded", "time": time(end, off())}))
            }
            1 => out.push(json!({"deployment": id, "event": "failed", "time": time(end, off())})),
            2 => {
                out.push(json!({"deployment": id, "event": "succeeded", "time": time(end, off())}));
                out.push(json!({"kind": "outage", "id": format!("o{i}"), "service": services[*svc], "from": time(end + 600_000, off()), "to": time(end + 1_200_000, off())}));
            }
            _ => {} // still running
        }
    }
    out
}

fn parse(values: &[Value]) -> Vec<Record> {
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            record_from_value(
                v.clone(),
                Origin {
                    index: i,
                    line: None,
                },
            )
            .unwrap()
        })
        .collect()
}

fn as_of() -> i64 {
    BASE + 24 * 24 * H
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Records in any order, with any offsets for the same instants → byte-identical report.
    #[test]
    fn order_and_offsets_do_not_change_the_report(deps in deps(), seed in any::<u64>(), offsets in prop::collection::vec(-720i32..840, 1..5)) {
        let p = policy();
        let plain = records(&deps, &[0]);
        let mut shuffled = records(&deps, &offsets);
        // Deterministic Fisher-Yates from the seed.
        let mut s = seed | 1;
        for i in (1..shuffled.len()).rev() {
            s ^= s << 13; s ^= s >> 7; s ^= s << 17;
            shuffled.swap(i, (s as usize) % (i + 1));
        }
        let a = p.evaluate(&parse(&plain), as_of()).unwrap().to_json();
        let b = p.evaluate(&parse(&shuffled), as_of()).unwrap().to_json();
        prop_assert_eq!(a, b);
    }

    /// Adding a pause never increases elapsed (business or wall): an approval
    /// pair on a deployment that had none, and a `pause` exclusion for everyone.
    /// (A second approval pair on a deployment that already has one can re-match
    /// the first pair's `approval_granted` and shorten it, so it is not a pause added.)
    #[test]
    fn a_pause_never_increases_elapsed(deps in deps(), which in any::<prop::sample::Index>(), a in 0i64..2000, len in 0i64..2000, ex_from in 0i64..(20 * 24 * 60), ex_len in 0i64..3000) {
        let p = policy();
        let mut deps = deps;
        let i = which.index(deps.len());
        deps[i].4 = None;
        let base = records(&deps, &[0]);
        let merged = BASE + deps[i].1 * 60_000;
        let mut more = base.clone();
        more.push(json!({"deployment": format!("d{i}"), "event": "approval_requested", "time": time(merged + a * 60_000, 0)}));
        more.push(json!({"deployment": format!("d{i}"), "event": "approval_granted", "time": time(merged + (a + len) * 60_000, 0)}));
        more.push(json!({"kind": "exclusion", "id": "px", "from": time(BASE + ex_from * 60_000, 0), "to": time(BASE + (ex_from + ex_len) * 60_000, 0)}));
        let before = p.evaluate(&parse(&base), as_of()).unwrap();
        let after = p.evaluate(&parse(&more), as_of()).unwrap();
        prop_assert_eq!(before.deployments.len(), after.deployments.len());
        for (x, y) in before.deployments.iter().zip(after.deployments.iter()) {
            prop_assert_eq!(&x.deployment, &y.deployment);
            if let (Some(e1), Some(e2)) = (x.elapsed_ms, y.elapsed_ms) {
                prop_assert!(e2 <= e1, "{} {}: {} -> {}", x.sla, x.deployment, e1, e2);
            }
            if let (Some(e1), Some(e2)) = (x.actual_elapsed_ms, y.actual_elapsed_ms) {
                prop_assert!(e2 <= e1);
            }
        }
    }

    /// An `exclude` exclusion never increases the breached count; a `pause` one neither.
    #[test]
    fn exclusions_never_increase_breaches(deps in deps(), from in 0i64..(20 * 24), len in 1i64..(5 * 24), exclude in any::<bool>()) {
        let p = policy();
        let base = records(&deps, &[0]);
        let mut more = base.clone();
        more.push(json!({"kind": "exclusion", "id": "x", "from": time(BASE + from * H, 0), "to": time(BASE + (from + len) * H, 0), "effect": if exclude { "exclude" } else { "pause" }}));
        let breached = |r: &slakit::Report| r.results.iter().filter(|row| row.kind == "duration").map(|row| row.breached.unwrap_or(0)).sum::<i64>();
        let before = p.evaluate(&parse(&base), as_of()).unwrap();
        let after = p.evaluate(&parse(&more), as_of()).unwrap();
        prop_assert!(breached(&after) <= breached(&before));
    }

    /// Counts partition the deployments of each duration row; status agrees with integer arithmetic.
    #[test]
    fn duration_rows_are_consistent(deps in deps()) {
        let report = policy().evaluate(&parse(&records(&deps, &[0])), as_of()).unwrap();
        for row in report.results.iter().filter(|r| r.kind == "duration") {
            let (met, breached) = (row.met.unwrap(), row.breached.unwrap());
            prop_assert_eq!(row.measured, met + breached);
            let listed = report.deployments.iter().filter(|d| d.sla == row.sla && d.window_start == row.window.start && Some(d.tier.as_str()) == row.segment.get("tier").and_then(|t| t.as_deref())).count() as i64;
            let total = row.measured + row.excluded + row.suspended + row.unmeasured.unwrap() + row.cancelled.unwrap() + row.in_flight.unwrap();
            if row.sla == "lead-24x7" { prop_assert_eq!(listed, total); }
            let budget = row.error_budget.unwrap();
            prop_assert_eq!(budget.remaining, budget.allowed - breached);
        }
    }
}

#[test]
fn as_of_echoed_and_future_ignored() {
    let deps: Vec<Dep> = vec![(0, 10, 60, 0, None), (1, 30 * 24 * 60, 60, 0, None)];
    let report = policy()
        .evaluate(&parse(&records(&deps, &[0])), as_of())
        .unwrap();
    assert_eq!(report.as_of, instant::format(as_of()));
    assert_eq!(report.inputs.deployments, 1);
    assert_eq!(report.inputs.ignored_future, 3);
}

// ---------------------------------------------------------------------------
// Partial evaluation: random splits of random inputs, merged in any order
// ---------------------------------------------------------------------------

/// The props policy plus every rule that reads interval records or spans
/// partitions: incidents (time_to_restore, CFR links), outages
/// (availability, CFR charging), exception review, quiet rolling windows,
/// rows grouped by team and tier, and the DORA summary over every
/// environment (the records name none) by week.
fn wide_policy() -> Policy {
    let extra = r#"
  - id: restore
    kind: time_to_restore
    window: month
    targets: {default: {max: 2h, objective: 50%}}
  - id: avail
    kind: post_deploy_availability
    window: week
    watch: 2h
    targets: {default: {max_unavailable: 5m, objective: 90%}}
  - id: rollback
    kind: rollback_time
    window: month
    targets: {default: {max: 30m, objective: 90%}}
  - id: freq-rolling
    kind: deployment_frequency
    window: {rolling: 3d}
    group_by: [service]
    targets: {default: {min: 1}}
  - id: lead-by-team
    clock: {start: merged, stop: succeeded, calendar: office}
    window: month
    group_by: [team, tier]
    warn_at: [25%]
    targets: {default: {max: 8h, objective: 75%}}
"#;
    let text = POLICY.replacen(
        "slas:\n",
        "exception_review: {max: 1, per: quarter}\ndora: {window: week, segments: [service, team, tier], scope: {}}\nvendors:\n  - {id: cdn, services: [checkout, search], availability: 99.9%, credits: [{below: 99.9%, credit: 10%}], monthly_fee: 99.5, exit_after: {breaches: 1, within: 2}}\nslas:\n",
        1,
    ) + extra;
    Policy::from_yaml(&text).unwrap()
}

/// Interval records over the deployments: (kind, deployment index, service
/// index, start offset in hours, length in hours, flag).
type Extra = (u8, usize, usize, i64, i64, bool);

fn extras() -> impl Strategy<Value = Vec<Extra>> {
    prop::collection::vec(
        (
            0u8..5,
            0usize..14,
            0usize..3,
            0i64..(22 * 24),
            1i64..30,
            any::<bool>(),
        ),
        0..8,
    )
}

fn extra_records(deps: &[Dep], extras: &[Extra]) -> Vec<Value> {
    let services = ["checkout", "search", "wiki"];
    let mut out = Vec::new();
    for (k, (kind, dep, svc, at, len, flag)) in extras.iter().enumerate() {
        let from = time(BASE + at * H, 0);
        let to = time(BASE + (at + len) * H, 0);
        let dep = format!("d{}", dep % deps.len().max(1));
        let svc = services[*svc];
        out.push(match kind {
            // Incidents: two records for one id sometimes (a ticket updated), a link to any deployment.
            0 => json!({"kind": "incident", "id": format!("inc{}", k % 3), "service": "checkout", "opened": from, "resolved": if *flag { Value::from(to) } else { Value::Null }, "deployment": dep}),
            1 => json!({"kind": "outage", "id": format!("out{k}"), "service": svc, "from": from, "to": to, "vendor": if *flag { Value::from("cdn") } else { Value::Null }}),
            2 => json!({"kind": "exclusion", "id": format!("x{k}"), "from": from, "to": to, "effect": if *flag { "exclude" } else { "pause" }, "services": [svc]}),
            3 => json!({"kind": "exception", "id": format!("e{k}"), "from": from, "to": to, "emergency": *flag, "approved_by": "cab", "deployments": [dep]}),
            _ => json!({"kind": "exception", "id": format!("e{k}"), "from": from, "to": to, "emergency": *flag, "approved_by": "cab", "services": [svc]}),
        });
    }
    // `null` fields are not part of the record format: drop them.
    for v in &mut out {
        if let Value::Object(m) = v {
            m.retain(|_, x| !x.is_null());
        }
    }
    out
}

/// Split: each deployment to a random partition; each interval record to every partition.
fn split_records(records: &[Record], parts: usize, seed: u64) -> Vec<Vec<Record>> {
    let mut out = vec![Vec::new(); parts];
    for r in records {
        match r {
            Record::Event(e) => {
                let mut h = seed;
                for b in e.deployment.bytes() {
                    h = h.wrapping_mul(0x100_0000_01b3) ^ u64::from(b);
                }
                out[(h % parts as u64) as usize].push(r.clone());
            }
            _ => out.iter_mut().for_each(|p| p.push(r.clone())),
        }
    }
    out
}

/// Merge in a random tree: repeatedly merge two partials picked by the seed.
fn merge_randomly(mut partials: Vec<slakit::Partial>, mut seed: u64) -> slakit::Partial {
    while partials.len() > 1 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let i = (seed as usize) % partials.len();
        let a = partials.swap_remove(i);
        let j = (seed as usize >> 8) % partials.len();
        let b = partials.swap_remove(j);
        // Sometimes through bytes, as between processes.
        let b = if seed & 1 == 0 {
            slakit::Partial::from_bytes(&b.to_bytes().unwrap()).unwrap()
        } else {
            b
        };
        partials.push(
            if seed & 2 == 0 {
                a.merge(b)
            } else {
                b.merge(a)
            }
            .unwrap(),
        );
    }
    partials.pop().unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    /// finish(merge(partials)) == evaluate(all), byte for byte, for random
    /// splits merged in random trees.
    #[test]
    fn split_merge_finish_is_evaluate(deps in deps(), extras in extras(), parts in 1usize..6, split_seed in any::<u64>(), merge_seed in any::<u64>()) {
        let p = wide_policy();
        let mut values = records(&deps, &[0]);
        values.extend(extra_records(&deps, &extras));
        let all = parse(&values);
        let whole = p.evaluate(&all, as_of());
        let partials: Result<Vec<_>, _> = split_records(&all, parts, split_seed)
            .iter()
            .map(|r| p.evaluate_partial(r, as_of()))
            .collect();
        match (whole, partials) {
            (Ok(whole), Ok(partials)) => {
                // The DORA section is part of the bytes compared, and not empty.
                prop_assert!(!whole.dora.rows.is_empty());
                let report = merge_randomly(partials, merge_seed | 1).finish(&p).unwrap();
                prop_assert_eq!(&report.dora, &whole.dora);
                prop_assert_eq!(report.to_json(), whole.to_json());
                let pool = rayon::ThreadPoolBuilder::new().num_threads(parts.max(2)).build().unwrap();
                #[cfg(feature = "parallel")]
                {
                    let parallel = pool.install(|| p.evaluate_parallel(&all, as_of())).unwrap();
                    prop_assert_eq!(parallel.to_json(), whole.to_json());
                }
                let deferred = pool.install(|| p.evaluate_deferred(&all, as_of())).unwrap();
                let mut bytes = Vec::new();
                deferred.write_json(&mut bytes).unwrap();
                prop_assert_eq!(String::from_utf8(bytes).unwrap(), whole.to_json());
            }
            (Err(a), Err(b)) => prop_assert_eq!(a.code, b.code),
            (a, b) => prop_assert!(false, "whole {:?} vs parts {:?}", a.err(), b.err()),
        }
    }

    /// merge is commutative and associative on the partials themselves.
    #[test]
    fn merge_is_commutative_and_associative(deps in deps(), extras in extras(), split_seed in any::<u64>()) {
        let p = wide_policy();
        let mut values = records(&deps, &[0]);
        values.extend(extra_records(&deps, &extras));
        let all = parse(&values);
        let Ok(parts) = split_records(&all, 3, split_seed)
            .iter()
            .map(|r| p.evaluate_partial(r, as_of()))
            .collect::<Result<Vec<_>, _>>() else { return Ok(()); };
        let (a, b, c) = (parts[0].clone(), parts[1].clone(), parts[2].clone());
        prop_assert_eq!(a.clone().merge(b.clone()).unwrap(), b.clone().merge(a.clone()).unwrap());
        let left = a.clone().merge(b.clone()).unwrap().merge(c.clone()).unwrap();
        let right = a.merge(b.merge(c).unwrap()).unwrap();
        prop_assert_eq!(left.to_bytes().unwrap(), right.to_bytes().unwrap());
    }
}
