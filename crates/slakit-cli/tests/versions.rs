//! `slakit check` and `evaluate` on versioned policies (SPEC §9b): a version
//! approved inside an audit freeze exits 2 naming the freeze; the bundled
//! versioned example checks clean and its rows carry `policy_version`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn slakit(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_slakit"))
        .args(args)
        .current_dir(root())
        .output()
        .unwrap()
}

/// The versioned example with its Q2 approval moved into the 2025 year-end freeze.
fn frozen_policy(name: &str) -> PathBuf {
    let text = std::fs::read_to_string(root().join("examples/policy-versions.yaml")).unwrap();
    let moved = text.replace(
        "approved_at: \"2026-03-18T15:00:00-04:00\"",
        "approved_at: \"2025-12-20T10:00:00-05:00\"",
    );
    assert_ne!(moved, text, "the example's Q2 approval moved");
    let path = std::env::temp_dir().join(format!(
        "slakit-versions-{}-{name}.yaml",
        std::process::id()
    ));
    std::fs::write(&path, moved).unwrap();
    path
}

#[test]
fn check_exits_2_naming_the_freeze() {
    let path = frozen_policy("text");
    let out = slakit(&["check", "--policy", path.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(stderr.contains("E132"), "{stderr}");
    assert!(stderr.contains("`year-end-audit-2025`"), "{stderr}");
    assert!(stderr.contains("/versions/1/approved_at"), "{stderr}");

    let out = slakit(&[
        "check",
        "--policy",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["error"]["code"], "E132");
    assert_eq!(doc["error"]["kind"], "policy");
    assert_eq!(doc["error"]["location"]["path"], "/versions/1/approved_at");
    assert!(
        doc["error"]["message"]
            .as_str()
            .unwrap()
            .contains("year-end-audit-2025")
    );
    let _ = std::fs::remove_file(path);
}

#[test]
fn the_versioned_example_checks_and_evaluates() {
    let out = slakit(&[
        "check",
        "--policy",
        "examples/policy-versions.yaml",
        "--format",
        "json",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let check: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        check["slas"],
        serde_json::json!(["lead-time", "deploys-weekly"])
    );
    let out = slakit(&[
        "evaluate",
        "--policy",
        "examples/policy-versions.yaml",
        "--records",
        "examples/records.jsonl",
        "--as-of",
        "2026-04-20T00:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["policy"]["version"], "2026-04-01T04:00:00Z");
    let rows = report["results"].as_array().unwrap();
    // Q1 months under the Q1 version, April and the weekly rows under Q2.
    for row in rows {
        let start = row["window"]["start"].as_str().unwrap();
        let expected = if start >= "2026-04-01T04:00:00Z" {
            "2026-04-01T04:00:00Z"
        } else {
            "2026-01-01T05:00:00Z"
        };
        assert_eq!(row["policy_version"], expected, "{}", row["id"]);
    }
    assert!(rows.iter().any(|r| r["sla"] == "deploys-weekly"));
}
