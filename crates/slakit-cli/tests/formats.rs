//! `slakit evaluate --format table|markdown|csv|html` renders from the
//! evaluation, reading the deployments section entry by entry: its output
//! must be the library's rendering of the whole report, ending in a newline,
//! for the bundled example and its versioned policy.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

#[test]
fn every_text_format_is_the_librarys_rendering_of_the_report() {
    let records = slakit::parse_records(&read("examples/records.jsonl")).unwrap();
    let as_of = slakit::evaluate::latest_event_time(&records).unwrap();
    for policy_file in ["examples/policy.yaml", "examples/policy-versions.yaml"] {
        let policy = slakit::Policy::from_yaml(&read(policy_file)).unwrap();
        let report = policy.evaluate(&records, as_of).unwrap();
        let expected = [
            ("table", slakit::render::table(&report)),
            ("markdown", slakit::render::markdown(&report)),
            ("csv", slakit::render::csv(&report)),
            ("html", report.to_html().unwrap()),
        ];
        for (format, text) in expected {
            let out = Command::new(env!("CARGO_BIN_EXE_slakit"))
                .args([
                    "evaluate",
                    "--policy",
                    policy_file,
                    "--records",
                    "examples/records.jsonl",
                    "--format",
                    format,
                ])
                .current_dir(root())
                .output()
                .unwrap();
            let stdout = String::from_utf8(out.stdout).unwrap();
            assert!(
                out.status.success(),
                "{policy_file} {format}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            // The CLI ends its output with a newline, adding one if missing.
            let text = if text.ends_with('\n') {
                text
            } else {
                text + "\n"
            };
            assert_eq!(stdout, text, "{policy_file} {format}");
        }
    }
}
