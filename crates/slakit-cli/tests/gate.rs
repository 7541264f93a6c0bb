//! `slakit gate`: exit 0 allow, 1 deny, 2 bad input; JSON as in SPEC §9a.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;
use std::process::Command;

fn dir() -> PathBuf {
    let d = std::env::temp_dir().join(format!("slakit-gate-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(name: &str, text: &str) -> String {
    let p = dir().join(name);
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_slakit"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const POLICY: &str = r#"slakit: 1
name: pipeline
timezone: America/New_York
services:
  checkout: {tier: tier1, team: payments}
tiers: [tier1, tier2]
slas:
  - {id: lead, clock: {start: merged, stop: succeeded}, window: month, targets: {default: {max: 1h, objective: 90%}}}
gates:
  blackouts:
    - {id: month-close, monthly_last_days: 1, tiers: [tier1]}
  require_canary: [tier1]
"#;

const RECORDS: &str = r#"{"deployment":"d-1","event":"canary_passed","time":"2026-03-10T14:00:00Z","service":"checkout"}
"#;

#[test]
fn allow_deny_and_errors_have_their_exit_codes() {
    let p = write("policy.yaml", POLICY);
    let r = write("records.jsonl", RECORDS);
    let proposed = r#"{"deployment":"d-1","service":"checkout","environment":"production"}"#;
    let (code, out, err) = run(&[
        "gate",
        "-p",
        &p,
        "-r",
        &r,
        "--deployment",
        proposed,
        "--at",
        "2026-03-10T15:00:00Z",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.starts_with("ALLOW"), "{out}");
    // The last local day of March in New York: denied, and the canary of another deployment does not count.
    let other = r#"{"deployment":"d-2","service":"checkout"}"#;
    let (code, out, _) = run(&[
        "gate",
        "-p",
        &p,
        "-r",
        &r,
        "--deployment",
        other,
        "--at",
        "2026-03-31T15:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(code, 1, "{out}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["decision"], "deny");
    let gates: Vec<&str> = doc["reasons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["gate"].as_str().unwrap())
        .collect();
    assert_eq!(gates, vec!["blackout", "require_canary"]);
    assert_eq!(doc["reasons"][0]["id"], "month-close");
    // @FILE reads the proposed deployment from a file.
    let f = write("proposed.json", proposed);
    let (code, _, _) = run(&[
        "gate",
        "-p",
        &p,
        "-r",
        &r,
        "--deployment",
        &format!("@{f}"),
        "--at",
        "2026-03-10T15:00:00Z",
    ]);
    assert_eq!(code, 0);
    // Bad input: exit 2, the error document on stdout with --format json.
    let (code, out, _) = run(&[
        "gate",
        "-p",
        &p,
        "-r",
        &r,
        "--deployment",
        "{\"service\":\"x\"}",
        "--at",
        "2026-03-10T15:00:00Z",
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["error"]["code"], "E201");
    let (code, _, err) = run(&[
        "gate",
        "-p",
        &p,
        "-r",
        &r,
        "--deployment",
        proposed,
        "--at",
        "yesterday",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("E300"), "{err}");
    let (code, _, _) = run(&["gate", "-p", &p, "-r", &r, "--deployment", proposed]);
    assert_eq!(code, 2);
}
