//! `slakit baseline`: the YAML snippet and JSON document, pasted back into
//! the policy, the default policy, and the error contract.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::PathBuf;
use std::process::{Command, Stdio};

use serde_json::Value;

const HEAD: &str =
    "slakit: 1\nname: cli-baseline\nservices:\n  checkout: {tier: tier1, team: payments}\n";

const SLAS: &str = r#"slas:
  - id: lead-time
    clock: {start: merged, stop: succeeded}
    window: month
    targets:
      tier1: {max: 4h, objective: 80%}
      default: {max: 8h, objective: 50%}
  - id: success
    kind: success_rate
    window: week
    targets: {default: {min: 90%}}
"#;

/// Five checkout changes of 1h..5h (one failed after 5h), one uncatalogued
/// `wiki` change still running, one without a `merged` event.
fn records() -> String {
    let mut out = String::new();
    for (i, hours) in [1, 2, 3, 4, 5].iter().enumerate() {
        let day = 2 + i;
        let end = if *hours == 5 { "failed" } else { "succeeded" };
        out += &format!(
            "{{\"deployment\":\"c{i}\",\"event\":\"merged\",\"time\":\"2026-03-{day:02}T08:00:00Z\",\"service\":\"checkout\"}}\n\
             {{\"deployment\":\"c{i}\",\"event\":\"succeeded\",\"time\":\"2026-03-{day:02}T{:02}:00:00Z\"}}\n",
            8 + hours
        );
        if end == "failed" {
            out += &format!(
                "{{\"deployment\":\"c{i}\",\"event\":\"failed\",\"time\":\"2026-03-{day:02}T14:00:00Z\"}}\n"
            );
        }
    }
    out += "{\"deployment\":\"w1\",\"event\":\"merged\",\"time\":\"2026-03-09T08:00:00Z\",\"service\":\"wiki\"}\n";
    out += "{\"deployment\":\"w2\",\"event\":\"started\",\"time\":\"2026-03-09T09:00:00Z\",\"service\":\"wiki\"}\n";
    out
}

const AS_OF: &str = "2026-03-10T00:00:00Z";

struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("slakit-cli-baseline-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn slakit(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_slakit"))
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn the_pasted_snippet_reproduces_the_stated_compliance() {
    let s = Scratch::new("paste");
    let policy = s.file("policy.yaml", &format!("{HEAD}{SLAS}"));
    let records = s.file("records.jsonl", &records());
    let args = [
        "baseline",
        "--policy",
        &policy,
        "--records",
        &records,
        "--as-of",
        AS_OF,
    ];
    let (code, yaml, err) = slakit(&args);
    assert_eq!(code, 0, "{err}");
    assert!(yaml.contains("nearest-rank"), "{yaml}");
    // tier1: p80 of 1h..5h is 4h; the failed change stopped at 5h too.
    assert!(
        yaml.contains("      tier1: {max: 4h, objective: 80%}\n"),
        "{yaml}"
    );
    assert!(
        yaml.contains("4 of 5 deployments (80.0%) would have met it"),
        "{yaml}"
    );
    assert!(yaml.contains("1 unmeasured: no `merged` event"), "{yaml}");
    assert!(yaml.contains("1 in flight"), "{yaml}");
    let (code, json, _) = slakit(&[&args[..], &["--format", "json"]].concat());
    assert_eq!(code, 0);
    let doc: Value = serde_json::from_str(&json).unwrap();
    let tier1 = doc["slas"][0]["tiers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["tier"] == "tier1")
        .unwrap();
    let stated = &tier1["suggestion"]["compliance"];
    assert_eq!(
        (stated["met"].as_u64(), stated["of"].as_u64()),
        (Some(4), Some(5))
    );

    // Paste: the policy's head with the snippet as its `slas:`.
    let pasted = s.file("pasted.yaml", &format!("{HEAD}{yaml}"));
    let (code, _, err) = slakit(&["check", "--policy", &pasted]);
    assert_eq!(code, 0, "{err}");
    let (code, report, _) = slakit(&[
        "evaluate",
        "--policy",
        &pasted,
        "--records",
        &records,
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    assert_eq!(code, 0);
    let report: Value = serde_json::from_str(&report).unwrap();
    let row = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["sla"] == "lead-time" && r["tier"] == "tier1")
        .unwrap();
    assert_eq!(row["met"], stated["met"]);
    assert_eq!(row["measured"], stated["of"]);

    // Deterministic, and --out writes the same bytes.
    let out = s.0.join("out.yaml").to_string_lossy().into_owned();
    let (code, _, _) = slakit(&[&args[..], &["--out", &out]].concat());
    assert_eq!(code, 0);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), yaml);
}

#[test]
fn without_a_policy_the_output_is_a_complete_policy() {
    let s = Scratch::new("default");
    let records = s.file("records.jsonl", &records());
    let (code, yaml, err) = slakit(&["baseline", "--records", &records]);
    assert_eq!(code, 0, "{err}");
    assert!(
        yaml.contains("slakit: 1\nname: baseline\nslas:\n"),
        "{yaml}"
    );
    let pasted = s.file("baseline.yaml", &yaml);
    let (code, out, err) = slakit(&["check", "--policy", &pasted]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("lead-time, deploy-duration, rollback-time"),
        "{out}"
    );
}

#[test]
fn errors_exit_2_with_a_location() {
    let s = Scratch::new("errors");
    let bad = s.file(
        "bad.jsonl",
        "{\"deployment\":\"d\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00\",\"service\":\"a\"}\n",
    );
    let (code, out, _) = slakit(&[
        "baseline",
        "--records",
        &bad,
        "--as-of",
        AS_OF,
        "--format",
        "json",
    ]);
    assert_eq!(code, 2);
    let doc: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["error"]["code"], "E203");
    assert!(
        doc["error"]["location"]["file"]
            .as_str()
            .unwrap()
            .ends_with("bad.jsonl")
    );
    // An empty history: no as_of to default to, then a clear message with one.
    let empty = s.file("empty.jsonl", "");
    let (code, _, err) = slakit(&["baseline", "--records", &empty]);
    assert_eq!(code, 2);
    assert!(err.contains("E301"), "{err}");
    let (code, yaml, _) = slakit(&["baseline", "--records", &empty, "--as-of", AS_OF]);
    assert_eq!(code, 0);
    assert!(yaml.contains("# the history holds no deployment"), "{yaml}");
    let (code, _, err) = slakit(&["baseline", "--records", &empty, "--format", "toml"]);
    assert_eq!(code, 2);
    assert!(err.contains("E303"), "{err}");
}
