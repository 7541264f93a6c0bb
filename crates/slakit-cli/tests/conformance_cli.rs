//! Every conformance vector through the `slakit` binary with JSON output:
//! the policy written as JSON, the records as JSON Lines, the report (or the
//! error document, exit 2) read back from standard output.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../../slakit/tests/common/conformance.rs"]
mod conformance;

use std::cell::Cell;
use std::path::PathBuf;
use std::process::Command;

use conformance::{Outcome, run_all};
use serde_json::Value;

/// A scratch directory removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "slakit-cli-conformance-{}-{tag}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn run_vector(v: &Value, scratch: &Scratch, n: usize) -> Outcome {
    let policy = scratch.0.join(format!("{n:03}-policy.json"));
    let records = scratch.0.join(format!("{n:03}-records.jsonl"));
    std::fs::write(&policy, serde_json::to_string_pretty(&v["policy"]).unwrap()).unwrap();
    let mut jsonl = String::new();
    for r in v["records"].as_array().unwrap() {
        jsonl.push_str(&serde_json::to_string(r).unwrap());
        jsonl.push('\n');
    }
    std::fs::write(&records, jsonl).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_slakit"))
        .arg("evaluate")
        .arg("--policy")
        .arg(&policy)
        .arg("--records")
        .arg(&records)
        .arg("--as-of")
        .arg(v["as_of"].as_str().unwrap())
        .args(["--format", "json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    let doc: Value = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "vector {}: stdout is not JSON ({e}), exit {:?}\nstdout: {stdout}\nstderr: {stderr}",
            v["name"], out.status
        )
    });
    match out.status.code() {
        Some(0) => Outcome::Report(doc),
        Some(2) => {
            let err = &doc["error"];
            assert!(
                err["code"].as_str().is_some_and(|c| c.starts_with('E')),
                "vector {}: error document without a code: {doc}",
                v["name"]
            );
            Outcome::Error {
                kind: err["kind"].as_str().unwrap_or("").to_string(),
                message: err["message"].as_str().unwrap_or("").to_string(),
            }
        }
        other => panic!(
            "vector {}: unexpected exit {other:?}\nstdout: {stdout}\nstderr: {stderr}",
            v["name"]
        ),
    }
}

#[test]
fn every_vector_through_the_cli() {
    let scratch = Scratch::new("all");
    let n = Cell::new(0usize);
    run_all(|v| {
        n.set(n.get() + 1);
        run_vector(v, &scratch, n.get())
    });
}

#[test]
fn the_cli_report_is_the_library_report() {
    // The bytes on stdout are the library's `to_json()` plus a newline.
    let scratch = Scratch::new("bytes");
    let vectors = conformance::load_vectors();
    let (_, v) = vectors.iter().find(|(n, _)| n.starts_with("001")).unwrap();
    let Outcome::Report(cli) = run_vector(v, &scratch, 1) else {
        panic!("vector 001 is a report");
    };
    let policy = slakit::Policy::from_json(&v["policy"].to_string()).unwrap();
    let jsonl: String = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| format!("{r}\n"))
        .collect();
    let records = slakit::parse_records(&jsonl).unwrap();
    let as_of = slakit::instant::parse(v["as_of"].as_str().unwrap()).unwrap();
    let lib = policy.evaluate(&records, as_of).unwrap();
    assert_eq!(cli, lib.to_value());
}
