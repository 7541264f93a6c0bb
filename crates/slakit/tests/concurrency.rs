//! Determinism under concurrency (issue 9 §5): one compiled policy shared by
//! eight threads gives the same bytes as one thread — reports, explanations
//! and gate decisions. The bindings' threads (Python, Node workers, C
//! pthreads) go through this same shared `Policy`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly on purpose"
)]

use std::path::Path;
use std::sync::Barrier;

use slakit::{Policy, instant, parse_records};

fn example(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../examples")
            .join(name),
    )
    .unwrap()
}

const fn shared<T: Send + Sync>() {}
const _: () = shared::<Policy>();
const _: () = shared::<slakit::Record>();

#[test]
fn eight_threads_sharing_one_policy_give_identical_bytes() {
    let policy = Policy::from_yaml(&example("policy.yaml")).unwrap();
    let records = parse_records(&example("records.jsonl")).unwrap();
    let as_of = instant::parse("2026-03-31T00:00:00Z").unwrap();
    let proposed =
        slakit::gate::parse_proposed(r#"{"deployment":"D-new","service":"checkout"}"#).unwrap();
    let one = |records: &[slakit::Record]| {
        (
            policy.evaluate(records, as_of).unwrap().to_json(),
            serde_json::to_string(&policy.explain(records, "D-1001", as_of).unwrap()).unwrap(),
            policy.gate(records, &proposed, as_of).unwrap().to_json(),
        )
    };
    let expected = one(&records);
    let barrier = Barrier::new(8);
    let results: Vec<_> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|i| {
                let (barrier, records, one) = (&barrier, &records, &one);
                s.spawn(move || {
                    barrier.wait();
                    // Half the threads also parse their own copy of the records.
                    (0..2)
                        .map(|j| {
                            if (i + j) % 2 == 0 {
                                one(records)
                            } else {
                                one(&parse_records(&example("records.jsonl")).unwrap())
                            }
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(results.len(), 16);
    for r in &results {
        assert!(
            r == &expected,
            "a thread's output differs from the single-threaded one"
        );
    }
}
