//! Scale-out measurements for `docs/scale-out.md`: the example policy over a
//! synthetic workload of N deployments (default 1,000,000), evaluated
//! serially, on rayon pools of 1, 2, ... threads, and as partials (size of the
//! byte form, cost of merge and finish).
//!
//! ```text
//! cargo run --release -p slakit --example scale -- 1000000 1,2
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::time::Instant;

use slakit::record::{Event, EventDetails, Record};

const SERVICES: [&str; 9] = [
    "checkout",
    "payments-api",
    "search",
    "recommendations",
    "ledger-eu",
    "invoicing-eu",
    "wiki",
    "build-cache",
    "status-page",
];
const JAN_2024: i64 = 1_704_067_200_000;
const MIN: i64 = 60_000;

/// A deterministic workload: deployments spread evenly over two years, with
/// merged, (approval pair), started, succeeded/failed, health_validated or a
/// rollback; an outage every 500 deployments and an incident every 2,000.
fn workload(n: usize) -> Vec<Record> {
    let mut out = Vec::with_capacity(n * 5);
    let span = 2 * 365 * 24 * 60 * MIN;
    let mut s = 0x9e37_79b9_7f4a_7c15_u64;
    let mut rnd = move |m: u64| {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        (s % m) as i64
    };
    let ev = |dep: &str, name: &str, time: i64, service: Option<&str>, env: Option<&str>| {
        Record::Event(Event::new(dep, name, time).with_details(EventDetails {
            service: service.map(Into::into),
            environment: env.map(Into::into),
            ..EventDetails::default()
        }))
    };
    for i in 0..n {
        let dep = format!("D-{i:07}");
        let svc = SERVICES[i % SERVICES.len()];
        let env = if i % 4 == 0 { "staging" } else { "production" };
        let merged = JAN_2024 + (i as i64) * (span / n as i64) + rnd(30) * MIN;
        out.push(ev(&dep, "merged", merged, Some(svc), Some(env)));
        let mut t = merged + rnd(240) * MIN;
        if i % 3 == 0 {
            out.push(ev(&dep, "approval_requested", t, None, None));
            t += rnd(600) * MIN;
            out.push(ev(&dep, "approval_granted", t, None, None));
        }
        t += rnd(120) * MIN;
        out.push(ev(&dep, "started", t, None, None));
        t += 5 * MIN + rnd(90) * MIN;
        match rnd(20) {
            0 => {
                out.push(ev(&dep, "failed", t, None, None));
                out.push(ev(&dep, "rollback_started", t + MIN, None, None));
                out.push(ev(
                    &dep,
                    "rollback_completed",
                    t + rnd(40) * MIN,
                    None,
                    None,
                ));
            }
            _ => {
                out.push(ev(&dep, "succeeded", t, None, None));
                out.push(ev(&dep, "health_validated", t + rnd(30) * MIN, None, None));
            }
        }
        if i % 500 == 499 {
            let line = format!(
                r#"{{"kind":"outage","id":"OUT-{i}","service":"{svc}","from":"{}","to":"{}"}}"#,
                slakit::instant::format(t + 20 * MIN),
                slakit::instant::format(t + 50 * MIN)
            );
            out.extend(slakit::parse_records(&line).unwrap());
        }
        if i % 2000 == 1999 {
            let line = format!(
                r#"{{"kind":"incident","id":"INC-{i}","service":"{svc}","opened":"{}","resolved":"{}","deployment":"{dep}"}}"#,
                slakit::instant::format(t + 30 * MIN),
                slakit::instant::format(t + 200 * MIN)
            );
            out.extend(slakit::parse_records(&line).unwrap());
        }
    }
    out
}

fn secs(t: Instant) -> f64 {
    t.elapsed().as_secs_f64()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let n: usize = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let threads: Vec<usize> = args
        .get(2)
        .map(|a| a.split(',').filter_map(|x| x.parse().ok()).collect())
        .unwrap_or_else(|| vec![1, 2]);
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let policy =
        slakit::Policy::from_yaml(&std::fs::read_to_string(root.join("policy.yaml")).unwrap())
            .unwrap();

    let t = Instant::now();
    let records = workload(n);
    let as_of = slakit::resolve_as_of(&records, None).unwrap();
    println!(
        "workload: {n} deployments, {} records ({:.1} s to generate)",
        records.len(),
        secs(t)
    );

    let t = Instant::now();
    let serial = policy.evaluate(&records, as_of).unwrap();
    let serial_s = secs(t);
    println!(
        "evaluate (serial): {serial_s:.2} s, {:.0} records/s, {} rows, {} entries",
        records.len() as f64 / serial_s,
        serial.results.len(),
        serial.deployments.len()
    );
    let json = serial.to_json();

    for &k in &threads {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(k)
            .build()
            .unwrap();
        let t = Instant::now();
        let report = pool
            .install(|| policy.evaluate_parallel(&records, as_of))
            .unwrap();
        let s = secs(t);
        assert_eq!(report.to_json(), json, "{k} threads: a different report");
        println!(
            "evaluate_parallel ({k} thread(s)): {s:.2} s, {:.0} records/s, speed-up over serial x{:.2}",
            records.len() as f64 / s,
            serial_s / s
        );
    }

    // Partials: two halves by deployment, interval records to both.
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for r in &records {
        match r {
            Record::Event(e) if e.deployment.as_bytes().last().is_some_and(|c| c % 2 == 0) => {
                a.push(r.clone())
            }
            Record::Event(_) => b.push(r.clone()),
            _ => {
                a.push(r.clone());
                b.push(r.clone());
            }
        }
    }
    let t = Instant::now();
    let pa = policy.evaluate_partial(&a, as_of).unwrap();
    let pa_s = secs(t);
    let pb = policy.evaluate_partial(&b, as_of).unwrap();
    println!(
        "evaluate_partial (half, {} records): {pa_s:.2} s, {:.0} records/s",
        a.len(),
        a.len() as f64 / pa_s
    );
    let t = Instant::now();
    let bytes = pa.to_bytes().unwrap();
    let enc_s = secs(t);
    let t = Instant::now();
    let back = slakit::Partial::from_bytes(&bytes).unwrap();
    let dec_s = secs(t);
    println!(
        "partial bytes (half): {:.1} MB ({:.0} bytes/deployment); to_bytes {enc_s:.2} s, from_bytes {dec_s:.2} s",
        bytes.len() as f64 / 1e6,
        bytes.len() as f64 / pa.deployments() as f64
    );
    let t = Instant::now();
    let merged = back.merge(pb).unwrap();
    let merge_s = secs(t);
    let t = Instant::now();
    let report = merged.finish(&policy).unwrap();
    let finish_s = secs(t);
    assert_eq!(report.to_json(), json);
    println!("merge (2 halves): {merge_s:.2} s; finish: {finish_s:.2} s");

    // Without the inputs digest lines: how much of the partial they are.
    let text: usize = records.iter().map(|r| r.canonical_json().len() + 1).sum();
    println!("records as canonical JSON: {:.1} MB", text as f64 / 1e6);
}
