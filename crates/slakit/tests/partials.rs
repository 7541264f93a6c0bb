//! Partial evaluation: split, merge, finish == evaluate, byte for byte; the
//! byte form refuses what it cannot read; threads do not change the report.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use slakit::record::Record;
use slakit::{ErrorCode, Partial, Policy, evaluate_partial};

fn vector_inputs(v: &serde_json::Value) -> Option<(Policy, Vec<Record>, i64)> {
    common::vector::inputs(v).ok()
}

/// Split by deployment into `n` partitions (`key` picks the partition of a
/// deployment id); every interval record goes to every partition.
fn split(records: &[Record], n: usize, key: impl Fn(&str) -> usize) -> Vec<Vec<Record>> {
    let mut parts = vec![Vec::new(); n];
    for r in records {
        match r {
            Record::Event(e) => parts[key(&e.deployment) % n].push(r.clone()),
            _ => {
                for p in &mut parts {
                    p.push(r.clone());
                }
            }
        }
    }
    parts
}

fn hash(s: &str) -> usize {
    s.bytes()
        .fold(5381usize, |h, b| h.wrapping_mul(33) ^ usize::from(b))
}

fn example() -> (Policy, Vec<Record>, i64) {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let policy =
        Policy::from_yaml(&std::fs::read_to_string(root.join("policy.yaml")).unwrap()).unwrap();
    let records =
        slakit::parse_records(&std::fs::read_to_string(root.join("records.jsonl")).unwrap())
            .unwrap();
    let as_of = slakit::resolve_as_of(&records, None).unwrap();
    (policy, records, as_of)
}

fn finish_all(policy: &Policy, parts: Vec<Partial>) -> slakit::Report {
    parts
        .into_iter()
        .reduce(|a, b| a.merge(b).unwrap())
        .unwrap()
        .finish(policy)
        .unwrap()
}

#[test]
fn every_conformance_vector_split_and_merged_is_byte_identical() {
    let mut checked = 0;
    for (name, v) in common::conformance::load_vectors() {
        let Some((policy, records, as_of)) = vector_inputs(&v) else {
            continue;
        };
        let Ok(whole) = policy.evaluate(&records, as_of) else {
            // An input error: every split reports an error too.
            let parts = split(&records, 2, hash);
            assert!(
                parts
                    .iter()
                    .any(|p| evaluate_partial(&policy, p, as_of).is_err())
                    || parts
                        .iter()
                        .map(|p| evaluate_partial(&policy, p, as_of).unwrap())
                        .reduce(|a, b| a.merge(b).unwrap())
                        .unwrap()
                        .finish(&policy)
                        .is_err(),
                "{name}: the whole is an error but the split is not"
            );
            continue;
        };
        let whole = whole.to_json();
        for n in [1, 2, 3, 64] {
            let parts: Vec<Partial> = split(&records, n, hash)
                .iter()
                .map(|p| evaluate_partial(&policy, p, as_of).unwrap())
                .collect();
            // Through bytes, merged in reverse order.
            let parts: Vec<Partial> = parts
                .into_iter()
                .rev()
                .map(|p| Partial::from_bytes(&p.to_bytes().unwrap()).unwrap())
                .collect();
            assert_eq!(
                finish_all(&policy, parts).to_json(),
                whole,
                "{name}: {n} partitions"
            );
        }
        checked += 1;
    }
    assert!(checked > 20, "only {checked} vectors evaluated");
}

#[test]
fn the_example_split_by_service_with_service_intervals_routed() {
    let (policy, records, as_of) = example();
    let whole = policy.evaluate(&records, as_of).unwrap().to_json();
    // Deployment -> service, then one partition per service: outages and
    // incidents go to their service's partition only; the rest to all.
    let mut service_of = std::collections::BTreeMap::new();
    for r in &records {
        if let Record::Event(e) = r
            && let Some(s) = e.service()
        {
            service_of.insert(e.deployment.clone(), slakit::record::Text::from(s));
        }
    }
    let services: Vec<slakit::record::Text> = service_of
        .values()
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut parts: Vec<Vec<Record>> = vec![Vec::new(); services.len()];
    let idx = |s: &str| services.iter().position(|x| x == s);
    for r in &records {
        let target = match r {
            Record::Event(e) => idx(&service_of[&e.deployment]),
            Record::Outage(o) => idx(&o.service),
            Record::Incident(i) => idx(&i.service),
            _ => None,
        };
        match target {
            Some(t) => parts[t].push(r.clone()),
            None if matches!(r, Record::Event(_)) => panic!("no service"),
            None => {
                // An outage or incident of a service without deployments has
                // no partition: broadcast it like the other interval records.
                for p in &mut parts {
                    p.push(r.clone());
                }
            }
        }
    }
    assert!(parts.len() >= 5);
    let partials: Vec<Partial> = parts
        .iter()
        .map(|p| evaluate_partial(&policy, p, as_of).unwrap())
        .collect();
    // Any grouping: ((a b) c) ... and a balanced tree.
    let tree = {
        let mut level = partials.clone();
        while level.len() > 1 {
            let mut next = Vec::new();
            let mut it = level.into_iter();
            while let Some(a) = it.next() {
                next.push(match it.next() {
                    Some(b) => b.merge(a).unwrap(),
                    None => a,
                });
            }
            level = next;
        }
        level.pop().unwrap()
    };
    let linear = partials
        .into_iter()
        .reduce(|a, b| a.merge(b).unwrap())
        .unwrap();
    assert_eq!(tree, linear, "merge order and grouping change the partial");
    assert_eq!(tree.to_bytes().unwrap(), linear.to_bytes().unwrap());
    assert_eq!(tree.finish(&policy).unwrap().to_json(), whole);
}

#[cfg(feature = "parallel")]
#[test]
fn evaluate_parallel_is_byte_identical_at_any_thread_count() {
    let (policy, records, as_of) = example();
    let whole = policy.evaluate(&records, as_of).unwrap().to_json();
    for threads in [1, 2, 4, 7] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let report = pool
            .install(|| policy.evaluate_parallel(&records, as_of))
            .unwrap();
        assert_eq!(report.to_json(), whole, "{threads} threads");
    }
}

#[cfg(feature = "parallel")]
#[test]
fn evaluate_parallel_reports_the_error_evaluate_reports() {
    let (policy, mut records, as_of) = example();
    // Two conflicting services on two deployments, and a duplicate exclusion id.
    let bad = slakit::parse_records(
        r#"{"deployment":"zz-1","event":"merged","time":"2026-02-02T10:00:00Z","service":"a"}
{"deployment":"zz-1","event":"started","time":"2026-02-02T10:00:00Z","service":"b"}
{"deployment":"aa-1","event":"merged","time":"2026-02-02T10:00:00Z","service":"a"}
{"deployment":"aa-1","event":"started","time":"2026-02-02T10:00:00Z","service":"c"}"#,
    )
    .unwrap();
    records.extend(bad);
    let serial = policy.evaluate(&records, as_of).unwrap_err();
    for threads in [2, 4] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let parallel = pool
            .install(|| policy.evaluate_parallel(&records, as_of))
            .unwrap_err();
        assert_eq!(parallel, serial);
    }
}

#[test]
fn broadcast_interval_records_count_once() {
    let (policy, records, as_of) = example();
    let whole = policy.evaluate(&records, as_of).unwrap();
    let parts: Vec<Partial> = split(&records, 5, hash)
        .iter()
        .map(|p| evaluate_partial(&policy, p, as_of).unwrap())
        .collect();
    let intervals = records
        .iter()
        .filter(|r| !matches!(r, Record::Event(_)))
        .count();
    assert!(intervals > 5, "the example has interval records");
    let merged = parts
        .into_iter()
        .reduce(|a, b| a.merge(b).unwrap())
        .unwrap();
    assert_eq!(merged.records(), records.len() as u64);
    assert_eq!(merged.deployments() as u64, whole.inputs.deployments);
    let report = merged.finish(&policy).unwrap();
    assert_eq!(report.inputs, whole.inputs);
    assert_eq!(report.to_json(), whole.to_json());
}

#[test]
fn a_deployment_split_across_partials_is_an_error() {
    let (policy, records, as_of) = example();
    // Partition by event name: a deployment's events land in several partitions.
    let (a, b): (Vec<Record>, Vec<Record>) = records
        .iter()
        .cloned()
        .partition(|r| matches!(r, Record::Event(e) if e.event == "merged"));
    // Some deployments lack `service` on their `merged`-free half: either
    // phase may refuse; if both halves evaluate, finishing must.
    let pa = evaluate_partial(&policy, &a, as_of);
    let pb = evaluate_partial(&policy, &b, as_of);
    if let (Ok(pa), Ok(pb)) = (pa, pb) {
        let e = pa.merge(pb).unwrap().finish(&policy).unwrap_err();
        assert_eq!(e.code, ErrorCode::OverlappingPartials);
        assert!(
            e.message.contains("is in two of the merged partials"),
            "{e:?}"
        );
    }
    // The same partition merged twice.
    let p = evaluate_partial(&policy, &records, as_of).unwrap();
    let e = p.clone().merge(p).unwrap().finish(&policy).unwrap_err();
    assert_eq!(e.code, ErrorCode::OverlappingPartials);
}

#[test]
fn partials_of_different_policies_or_as_of_do_not_merge() {
    let (policy, records, as_of) = example();
    let p = evaluate_partial(&policy, &records, as_of).unwrap();
    let later = evaluate_partial(&policy, &records, as_of + 1).unwrap();
    let e = p.clone().merge(later).unwrap_err();
    assert_eq!(e.code, ErrorCode::IncompatiblePartials);
    assert!(e.message.contains("as_of"), "{}", e.message);

    let mut text = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/policy.yaml"),
    )
    .unwrap();
    text = text.replacen("\nname: ", "\nname: other-", 1);
    let other = Policy::from_yaml(&text).unwrap();
    assert_ne!(other.digest, policy.digest);
    let q = evaluate_partial(&other, &records, as_of).unwrap();
    let e = p.merge(q).unwrap_err();
    assert_eq!(e.code, ErrorCode::IncompatiblePartials);
    assert!(e.message.contains("policies"), "{}", e.message);
}

#[test]
fn bytes_of_another_version_truncated_or_corrupt_are_refused() {
    let (policy, records, as_of) = example();
    let p = evaluate_partial(&policy, &records[..12], as_of).unwrap();
    let bytes = p.to_bytes().unwrap();
    assert_eq!(&bytes[..4], b"SLKP");
    assert_eq!(Partial::from_bytes(&bytes).unwrap(), p);

    let code = |b: &[u8]| Partial::from_bytes(b).unwrap_err();
    // Every truncation, a few paddings.
    for n in 0..bytes.len() {
        let e = code(&bytes[..n]);
        assert_eq!(e.code, ErrorCode::InvalidPartial, "{n}");
    }
    let mut padded = bytes.clone();
    padded.push(0);
    assert!(code(&padded).message.contains("truncated or padded"));
    // A flipped bit anywhere is caught (by the header checks or the checksum).
    assert!(bytes.len() < 8_000, "{} bytes", bytes.len());
    for i in 0..bytes.len() {
        let mut b = bytes.clone();
        b[i] ^= 0x10;
        assert_eq!(code(&b).code, ErrorCode::InvalidPartial, "byte {i}");
    }
    // Another format version.
    let mut v2 = bytes.clone();
    v2[4..6].copy_from_slice(&(slakit::partial::FORMAT_VERSION + 1).to_le_bytes());
    let e = code(&v2);
    assert!(
        e.message.contains(&format!(
            "partial format version {}",
            slakit::partial::FORMAT_VERSION + 1
        )),
        "{}",
        e.message
    );
    assert_eq!(e.kind().as_str(), "usage");
    // Not a partial at all.
    assert!(
        code(b"{\"not\": \"a partial\"} and some more bytes to be long enough")
            .message
            .contains("SLKP")
    );
    // A valid checksum over garbage still fails cleanly.
    let garbage: Vec<u8> = (0..200u32).map(|i| (i * 37 % 251) as u8).collect();
    let mut forged = Vec::new();
    forged.extend_from_slice(b"SLKP");
    forged.extend_from_slice(&slakit::partial::FORMAT_VERSION.to_le_bytes());
    forged.extend_from_slice(&(garbage.len() as u64).to_le_bytes());
    forged.extend_from_slice(&garbage);
    use sha2::Digest;
    forged.extend_from_slice(&sha2::Sha256::digest(&garbage));
    assert_eq!(code(&forged).code, ErrorCode::InvalidPartial);
}

#[test]
fn evaluate_is_finish_of_one_partial() {
    let (policy, records, as_of) = example();
    let p = policy.evaluate_partial(&records, as_of).unwrap();
    assert_eq!(p.as_of(), as_of);
    assert_eq!(p.policy_digest(), policy.digest);
    let size = p.to_bytes().unwrap().len();
    let text: usize = records.iter().map(|r| r.canonical_json().len() + 1).sum();
    // Compact: verdicts plus the digest lines, not much more than the records' text.
    assert!(size < 3 * text, "{size} bytes for {text} bytes of records");
    assert_eq!(
        p.finish(&policy).unwrap().to_json(),
        policy.evaluate(&records, as_of).unwrap().to_json()
    );
}

#[test]
fn a_partition_without_the_interval_records_it_needs_is_an_error() {
    let (policy, records, as_of) = example();
    let whole = policy.evaluate(&records, as_of).unwrap().to_json();
    let parts = split(&records, 3, hash);
    // Drop one interval record from one partition, for every interval record
    // and partition: the result is E313 or — when that partition did not
    // need the record — exactly the whole report; never another report.
    // Up to six records of each interval kind (keeps the test quick).
    let mut per_kind = std::collections::BTreeMap::<&str, usize>::new();
    let intervals: Vec<String> = records
        .iter()
        .filter(|r| !matches!(r, Record::Event(_)))
        .filter(|r| {
            let n = per_kind.entry(r.kind()).or_default();
            *n += 1;
            *n <= 6
        })
        .map(Record::canonical_json)
        .collect();
    let mut refused = std::collections::BTreeMap::<&str, usize>::new();
    for line in &intervals {
        for i in 0..parts.len() {
            let mut broken = parts.clone();
            let Some(pos) = broken[i].iter().position(|r| r.canonical_json() == *line) else {
                continue;
            };
            let kind = broken[i].remove(pos).kind();
            let result = broken
                .iter()
                .map(|p| evaluate_partial(&policy, p, as_of).unwrap())
                .try_fold(None::<Partial>, |acc, p| match acc {
                    None => Ok(Some(p)),
                    Some(a) => a.merge(p).map(Some),
                })
                .and_then(|m| m.unwrap().finish(&policy));
            match result {
                Ok(report) => assert!(
                    report.to_json() == whole,
                    "{line} dropped from {i}: a different report"
                ),
                Err(e) => {
                    assert_eq!(
                        e.code,
                        ErrorCode::PartitionMissesRecords,
                        "{line}: {}",
                        e.message
                    );
                    assert!(
                        e.message.contains("did not receive the interval record"),
                        "{}",
                        e.message
                    );
                    *refused.entry(kind).or_default() += 1;
                }
            }
        }
    }
    for kind in ["outage", "exclusion", "exception"] {
        assert!(
            refused.get(kind).copied().unwrap_or(0) > 0,
            "no {kind} was ever needed: {refused:?}"
        );
    }
}
