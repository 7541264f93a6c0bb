//! Criterion benches of the hot paths: business time, breach_at, evaluation.
//! Run with `make bench`; never part of `make test`.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use slakit::calendar::Calendar;

const DAY: i64 = 86_400_000;
const JAN_2015: i64 = 1_420_070_400_000;

fn office() -> Calendar {
    let nine_to_five = vec![(9 * 60, 17 * 60)];
    let week = [
        nine_to_five.clone(),
        nine_to_five.clone(),
        nine_to_five.clone(),
        nine_to_five.clone(),
        nine_to_five,
        vec![],
        vec![],
    ];
    Calendar::new(chrono_tz::America::New_York, week, BTreeSet::new())
}

fn business(c: &mut Criterion) {
    let cal = office();
    c.bench_function("business/3 days", |b| {
        b.iter(|| {
            cal.business(
                black_box(JAN_2015 + 3_600_000),
                black_box(JAN_2015 + 3 * DAY),
            )
        })
    });
    c.bench_function("business/10 years", |b| {
        b.iter(|| cal.business(black_box(JAN_2015), black_box(JAN_2015 + 3653 * DAY)))
    });
    c.bench_function("breach_at/16h", |b| {
        b.iter(|| cal.breach_at(black_box(JAN_2015 + 3_600_000), black_box(16 * 3_600_000)))
    });
}

fn evaluate(c: &mut Criterion) {
    let policy = slakit::Policy::from_yaml(
        "slakit: 1\ncalendars: {office: {timezone: America/New_York, hours: {mon-fri: [\"09:00-17:00\"]}}}\nslas:\n  - {id: lead, clock: {start: merged, stop: succeeded, calendar: office}, window: month, group_by: [service], targets: {default: {max: 8h, objective: 90%}}}\n  - {id: sr, kind: success_rate, window: month, targets: {default: {min: 95%}}}\n",
    )
    .unwrap();
    let mut text = String::new();
    for i in 0..10_000i64 {
        let t = JAN_2015 + i * 3_600_000;
        let fmt = |ms: i64| slakit::instant::format(ms);
        text.push_str(&format!(
            "{{\"deployment\":\"d{i}\",\"event\":\"merged\",\"time\":\"{}\",\"service\":\"s{}\"}}\n{{\"deployment\":\"d{i}\",\"event\":\"succeeded\",\"time\":\"{}\"}}\n",
            fmt(t),
            i % 50,
            fmt(t + (i % 17) * 3_600_000)
        ));
    }
    let records = slakit::parse_records(&text).unwrap();
    let as_of = slakit::evaluate::latest_event_time(&records).unwrap();
    c.bench_function("parse_records/20k events", |b| {
        b.iter(|| slakit::parse_records(black_box(&text)).unwrap().len())
    });
    c.bench_function("evaluate/10k deployments", |b| {
        b.iter(|| {
            policy
                .evaluate(black_box(&records), as_of)
                .unwrap()
                .results
                .len()
        })
    });
}

/// A gate decision over a 100k-record history (25k deployments over two years).
fn gate(c: &mut Criterion) {
    let services: String = (0..50)
        .map(|i| format!("  s{i}: {{tier: tier{}, team: t{}}}\n", 1 + i % 3, i % 7))
        .collect();
    let policy = slakit::Policy::from_yaml(&format!(
        "slakit: 1\ntimezone: America/New_York\ncalendars: {{office: {{hours: {{mon-fri: [\"09:00-17:00\"]}}}}}}\nservices:\n{services}tiers: [tier1, tier2, tier3]\nslas:\n  - {{id: lead, clock: {{start: merged, stop: succeeded, calendar: office}}, window: month, group_by: [service], targets: {{default: {{max: 6h, objective: 90%}}}}}}\n  - {{id: sr, kind: success_rate, window: month, group_by: [team], targets: {{default: {{min: 95%}}}}}}\ngates:\n  blackouts: [{{id: qc, quarterly_last_days: 3, tiers: [tier1]}}]\n  deploy_hours: {{calendar: office, tiers: [tier1]}}\n  require_canary: [tier1]\n  circuit_breaker: {{max_breached: 50, scope: team}}\n  error_budget: deny_when_exhausted\n"
    ))
    .unwrap();
    let start = 1_733_011_200_000_i64; // 2024-12-01
    let mut text = String::new();
    for i in 0..25_000i64 {
        let t = start + (i * 2_522_880) % (730 * DAY);
        let fmt = slakit::instant::format;
        let svc = i % 50;
        text.push_str(&format!(
            "{{\"deployment\":\"d{i}\",\"event\":\"merged\",\"time\":\"{}\",\"service\":\"s{svc}\"}}\n{{\"deployment\":\"d{i}\",\"event\":\"started\",\"time\":\"{}\"}}\n{{\"deployment\":\"d{i}\",\"event\":\"canary_passed\",\"time\":\"{}\"}}\n{{\"deployment\":\"d{i}\",\"event\":\"{}\",\"time\":\"{}\"}}\n",
            fmt(t),
            fmt(t + 1_800_000),
            fmt(t + 2_400_000),
            if i % 20 == 0 { "failed" } else { "succeeded" },
            fmt(t + 3_600_000 * (1 + i % 9))
        ));
    }
    let records = slakit::parse_records(&text).unwrap();
    let proposed =
        slakit::gate::parse_proposed("{\"deployment\": \"d1\", \"service\": \"s1\"}").unwrap();
    let at = start + 720 * DAY;
    c.bench_function("gate/100k records", |b| {
        b.iter(|| {
            policy
                .gate(black_box(&records), &proposed, at)
                .unwrap()
                .decision
        })
    });
}

/// ADVERSARIAL 27: a 9 x 9 YAML billion-laughs document (~300 bytes, 387
/// million strings expanded) is refused; the catalog asks for under 50 ms.
fn hostile(c: &mut Criterion) {
    let mut laughs = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        laughs.push_str(&format!(
            "{name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 9].join(", ")
        ));
    }
    let typed = format!(
        "slakit: 1\nname: &n x\ntiers: [{}]\n",
        vec!["*n"; 1_001].join(", ")
    );
    c.bench_function("refuse/billion laughs", |b| {
        b.iter(|| slakit::Policy::from_yaml(&laughs).is_err())
    });
    c.bench_function("refuse/1001 aliases", |b| {
        b.iter(|| slakit::Policy::from_yaml(&typed).is_err())
    });
}

criterion_group!(benches, business, evaluate, gate, hostile);
criterion_main!(benches);
