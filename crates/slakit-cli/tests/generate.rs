//! `slakit generate`: byte-identical output for a seed, a policy that
//! `check` accepts, records that `evaluate` reads, clear usage errors.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn scratch(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "slakit-generate-test-{}-{test}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn slakit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slakit"))
        .args(args)
        .output()
        .unwrap()
}

fn generate(dir: &Path, extra: &[&str]) -> Output {
    let out = dir.to_str().unwrap();
    let mut args = vec!["generate", "--out", out, "--services", "30"];
    args.extend_from_slice(extra);
    slakit(&args)
}

fn read(dir: &Path, name: &str) -> Vec<u8> {
    std::fs::read(dir.join(name)).unwrap()
}

#[test]
fn the_same_seed_writes_the_same_bytes_and_another_seed_does_not() {
    let root = scratch("seed");
    let (a, b, c) = (root.join("a"), root.join("b"), root.join("c"));
    for (dir, seed) in [(&a, "11"), (&b, "11"), (&c, "12")] {
        let run = generate(dir, &["--deployments", "2000", "--seed", seed]);
        assert!(run.status.success(), "{run:?}");
    }
    assert_eq!(read(&a, "records.jsonl"), read(&b, "records.jsonl"));
    assert_eq!(read(&a, "policy.yaml"), read(&b, "policy.yaml"));
    assert_ne!(read(&a, "records.jsonl"), read(&c, "records.jsonl"));
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn the_policy_is_valid_and_the_records_evaluate() {
    let dir = scratch("valid");
    let run = generate(&dir, &["--deployments", "3000", "--seed", "3"]);
    assert!(run.status.success(), "{run:?}");
    let stdout = String::from_utf8(run.stdout).unwrap();
    assert!(stdout.contains("3000 deployments"), "{stdout}");

    let policy = dir.join("policy.yaml");
    let records = dir.join("records.jsonl");
    let check = slakit(&["check", "--policy", policy.to_str().unwrap(), "-f", "json"]);
    assert!(check.status.success(), "{check:?}");
    let doc: Value = serde_json::from_slice(&check.stdout).unwrap();
    assert_eq!(doc["warnings"], Value::Array(vec![]), "{doc}");

    let eval = slakit(&[
        "evaluate",
        "--policy",
        policy.to_str().unwrap(),
        "--records",
        records.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(eval.status.success(), "{eval:?}");
    let report: Value = serde_json::from_slice(&eval.stdout).unwrap();
    assert_eq!(report["inputs"]["deployments"], 3000);
    assert_eq!(report["warnings"], Value::Array(vec![]));
    let results = report["results"].as_array().unwrap();
    // Every SLA has rows, and the data is not all good or all bad.
    for sla in [
        "lead-time",
        "lead-time-business-new-york",
        "lead-time-business-sydney",
        "success-rate",
        "change-failure-rate",
        "deployment-frequency",
        "rollback-15m",
        "post-deploy-downtime",
        "time-to-restore",
    ] {
        assert!(results.iter().any(|r| r["sla"] == sla), "no rows for {sla}");
    }
    for status in ["met", "breached"] {
        assert!(
            results.iter().any(|r| r["status"] == status),
            "no {status} row"
        );
    }
    // The weekly maintenance window paused some clock.
    let text = String::from_utf8(eval.stdout).unwrap();
    assert!(text.contains("weekly-maintenance"));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_sizes_are_usage_errors() {
    let dir = scratch("usage");
    for extra in [
        &["--deployments", "0"][..],
        &["--preset", "1m", "--deployments", "10"][..],
        &["--preset", "5m"][..],
        &["--services", "0", "--deployments", "10"][..],
        &["--months", "0", "--deployments", "10"][..],
    ] {
        let run = generate(&dir, extra);
        assert_eq!(run.status.code(), Some(2), "{extra:?}: {run:?}");
        let stderr = String::from_utf8(run.stderr).unwrap();
        assert!(stderr.starts_with("error[E"), "{stderr}");
    }
    assert!(!dir.join("records.jsonl").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unwritable_directory_is_an_io_error() {
    let dir = scratch("io");
    let file = dir.join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let run = generate(&file.join("sub"), &["--deployments", "10"]);
    assert_eq!(run.status.code(), Some(2), "{run:?}");
    let stderr = String::from_utf8(run.stderr).unwrap();
    assert!(stderr.contains("cannot create"), "{stderr}");
    let _ = std::fs::remove_dir_all(&dir);
}
