//! Criterion benches of the hot paths: business time, breach_at, JSON Lines
//! loading and full evaluation. Run with `make bench`; never part of `make test`.
//!
//! The `workload/*` benches read the data `slakit generate` writes: `make bench`
//! generates the 1M-deployment preset into `target/bench-data/1m` and points
//! `SLAKIT_BENCH_DATA` at it. Without that variable they are skipped.
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::BTreeSet;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
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

/// 4096 intervals from one hour to ten days, spread over two years, start
/// and end at any millisecond (a deterministic LCG, no clock).
fn intervals() -> Vec<(i64, i64)> {
    let mut x: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (x >> 33) as i64
    };
    (0..4096)
        .map(|_| {
            let a = JAN_2015 + next() % (730 * DAY);
            let len = 3_600_000 + next() % (10 * DAY);
            (a, a + len)
        })
        .collect()
}

/// Throughput of business(a, b) and breach_at over many intervals: the
/// figure behind the "intervals per second" target.
fn business_throughput(c: &mut Criterion) {
    let cal = office();
    let iv = intervals();
    let mut g = c.benchmark_group("business-throughput");
    g.throughput(Throughput::Elements(iv.len() as u64));
    g.bench_function("business/4096 intervals (1h-10d)", |b| {
        b.iter(|| {
            iv.iter()
                .map(|&(a, z)| cal.business(black_box(a), black_box(z)))
                .sum::<i64>()
        })
    });
    g.bench_function("breach_at/4096 amounts (1h-10d)", |b| {
        b.iter(|| {
            iv.iter()
                .map(|&(a, z)| {
                    cal.breach_at(black_box(a), black_box((z - a) / 4))
                        .unwrap_or(0)
                })
                .sum::<i64>()
        })
    });
    g.finish();
}

/// JSON Lines loading and full evaluation of a generated workload
/// (`SLAKIT_BENCH_DATA=DIR` with `records.jsonl` and `policy.yaml`).
fn workload(c: &mut Criterion) {
    let Ok(dir) = std::env::var("SLAKIT_BENCH_DATA") else {
        eprintln!("workload benches skipped: set SLAKIT_BENCH_DATA (make bench does)");
        return;
    };
    let dir = std::path::Path::new(&dir);
    let text = std::fs::read_to_string(dir.join("records.jsonl")).unwrap();
    let policy =
        slakit::Policy::from_yaml(&std::fs::read_to_string(dir.join("policy.yaml")).unwrap())
            .unwrap();
    let records = slakit::parse_records(&text).unwrap();
    let as_of = slakit::evaluate::latest_event_time(&records).unwrap();
    let mut g = c.benchmark_group("workload");
    g.sample_size(10);
    g.throughput(Throughput::Elements(records.len() as u64));
    g.bench_function("parse_records", |b| {
        b.iter(|| slakit::parse_records(black_box(&text)).unwrap().len())
    });
    g.bench_function("parse_records_parallel", |b| {
        b.iter(|| {
            slakit::parse_records_parallel(black_box(&text))
                .unwrap()
                .len()
        })
    });
    g.bench_function("evaluate", |b| {
        b.iter(|| {
            policy
                .evaluate(black_box(&records), as_of)
                .unwrap()
                .results
                .len()
        })
    });
    // What the CLI runs: the SLAs judged and finished on every core.
    g.bench_function("evaluate_parallel", |b| {
        b.iter(|| {
            policy
                .evaluate_parallel(black_box(&records), as_of)
                .unwrap()
                .results
                .len()
        })
    });
    // What the CLI runs, less the writing: the deployments section left
    // unformatted (`slakit evaluate` formats it as it writes it).
    g.bench_function("evaluate_deferred", |b| {
        b.iter(|| {
            policy
                .evaluate_deferred(black_box(&records), as_of)
                .unwrap()
                .deployment_entries()
        })
    });
    g.finish();
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
    // The same history with a maintenance feed (a two-hour pause a week for
    // each of the 50 services: 5,200 exclusion records) and 1,000
    // exceptions naming one deployment each: each deployment's questions
    // read only the records that can answer them, so this stays near the
    // plain evaluation (reading every record for each question, it took
    // several times as long).
    let mut feed = text.clone();
    for s in 0..50i64 {
        for w in 0..104i64 {
            let from = JAN_2015 + w * 7 * 86_400_000 + s * 3_600_000;
            feed.push_str(&format!(
                "{{\"kind\":\"exclusion\",\"id\":\"mw-{s}-{w}\",\"from\":\"{}\",\"to\":\"{}\",\"services\":[\"s{s}\"],\"effect\":\"pause\"}}\n",
                slakit::instant::format(from),
                slakit::instant::format(from + 2 * 3_600_000)
            ));
        }
    }
    for i in 0..1_000i64 {
        let from = JAN_2015 + i * 10 * 3_600_000;
        feed.push_str(&format!(
            "{{\"kind\":\"exception\",\"id\":\"x{i}\",\"deployments\":[\"d{}\"],\"from\":\"{}\",\"to\":\"{}\",\"emergency\":false,\"approved_by\":\"cab\"}}\n",
            i * 10,
            slakit::instant::format(from),
            slakit::instant::format(from + 86_400_000)
        ));
    }
    let with_feed = slakit::parse_records(&feed).unwrap();
    c.bench_function(
        "evaluate/10k deployments, 5,200 exclusions, 1,000 exceptions",
        |b| {
            b.iter(|| {
                policy
                    .evaluate(black_box(&with_feed), as_of)
                    .unwrap()
                    .results
                    .len()
            })
        },
    );
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

criterion_group!(
    benches,
    business,
    business_throughput,
    evaluate,
    gate,
    hostile,
    workload
);
criterion_main!(benches);
