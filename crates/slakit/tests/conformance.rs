//! Every conformance vector through the library.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
use common::conformance::{Outcome, run_all};
use common::vector::inputs;

fn run(v: &serde_json::Value) -> Outcome {
    let result = inputs(v).and_then(|(policy, records, as_of)| policy.evaluate(&records, as_of));
    match result {
        Ok(report) => Outcome::Report(report.to_value()),
        Err(e) => Outcome::Error {
            kind: e.kind().as_str().to_string(),
            message: e.message,
        },
    }
}

#[test]
fn every_vector_through_the_library() {
    run_all(run);
}

/// The deferred report, borrowing the records and (the CLI's) owning them:
/// every vector, the bytes `write_json` writes and the report `into_report`
/// gives equal `evaluate`'s.
/// The CLI's way (`evaluate --format json`): the SLAs judged while the
/// report is written, on one thread and on three; and (`--format csv`)
/// judged for the rows alone.
#[test]
fn every_vector_through_evaluate_streamed() {
    let vectors = common::conformance::load_vectors();
    assert!(vectors.len() >= 71, "{} vectors", vectors.len());
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        for (name, v) in &vectors {
            let Ok((policy, records, as_of)) = inputs(v) else {
                continue;
            };
            let whole = policy.evaluate(&records, as_of);
            let rows = pool.install(|| policy.evaluate_streamed(records.clone(), as_of));
            let streamed = pool.install(|| policy.evaluate_streamed(records, as_of));
            match (whole, streamed) {
                (Ok(whole), Ok(streamed)) => {
                    let mut bytes = Vec::new();
                    let (report, written) = pool.install(|| streamed.write_json(&mut bytes));
                    written.unwrap();
                    assert_eq!(String::from_utf8(bytes).unwrap(), whole.to_json(), "{name}");
                    assert_eq!(report.results, whole.results, "{name}");
                    // The rows alone (`--format csv`): the whole report but
                    // its deployments section.
                    let rows = pool.install(|| rows.unwrap().evaluate_rows());
                    let mut without = whole.clone();
                    without.deployments = Vec::new();
                    assert_eq!(rows, without, "{name}");
                }
                (Err(a), Err(b)) => assert_eq!(a, b, "{name}"),
                (a, b) => panic!("{name}: evaluate {:?}, streamed {:?}", a.err(), b.err()),
            }
        }
    }
}

#[test]
fn every_vector_through_evaluate_deferred() {
    let vectors = common::conformance::load_vectors();
    assert!(vectors.len() >= 71, "{} vectors", vectors.len());
    for (name, v) in &vectors {
        let Ok((policy, records, as_of)) = inputs(v) else {
            continue;
        };
        let whole = policy.evaluate(&records, as_of);
        // Borrowing the records, and taking them (freed once read).
        let deferred = [
            ("deferred", policy.evaluate_deferred(&records, as_of)),
            ("owned", policy.evaluate_owned(records.clone(), as_of)),
        ];
        for (how, deferred) in deferred {
            match (&whole, deferred) {
                (Ok(whole), Ok(deferred)) => {
                    assert_eq!(
                        deferred.deployment_entries(),
                        whole.deployments.len(),
                        "{name} {how}"
                    );
                    let mut bytes = Vec::new();
                    deferred.write_json(&mut bytes).unwrap();
                    assert_eq!(
                        String::from_utf8(bytes).unwrap(),
                        whole.to_json(),
                        "{name} {how}"
                    );
                    assert_eq!(&deferred.into_report(), whole, "{name} {how}");
                }
                (Err(a), Err(b)) => assert_eq!(a, &b, "{name} {how}"),
                (a, b) => panic!(
                    "{name}: evaluate {:?}, {how} {:?}",
                    a.as_ref().err(),
                    b.err()
                ),
            }
        }
    }
}

#[test]
fn the_runner_detects_a_wrong_expectation() {
    let vectors = common::conformance::load_vectors();
    let (_, v) = vectors.iter().find(|(n, _)| n.starts_with("001")).unwrap();
    let outcome = run(v);
    assert!(common::conformance::check(v, &outcome).is_empty());
    let mut wrong = v.clone();
    wrong["expect"]["results"][0]["met"] = serde_json::json!(3);
    wrong["expect"]["deployments"][0]["elapsed_ms"] = serde_json::json!(1);
    let diffs = common::conformance::check(&wrong, &outcome);
    assert_eq!(diffs.len(), 2, "{diffs:?}");
}
