//! The `slakit` binary: exit codes, error documents, inputs, formats.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

const POLICY: &str = r#"slakit: 1
name: cli-test
services:
  checkout: {tier: tier1, team: payments}
slas:
  - id: lead-time
    description: merge to success
    clock: {start: merged, stop: succeeded}
    window: month
    targets:
      tier1: {max: 4h, objective: 90%}
      default: {max: 8h, objective: 50%}
    warn_at: [50%]
"#;

/// d1 met (2h), d2 breached (6h against 4h), d3 still running with a
/// one-hour approval pause (3h counted at 12:00, deadline 13:00).
const RECORDS: &str = r#"{"deployment":"d1","event":"merged","time":"2026-03-02T10:00:00Z","service":"checkout"}
{"deployment":"d1","event":"succeeded","time":"2026-03-02T12:00:00Z"}
{"deployment":"d2","event":"merged","time":"2026-03-03T10:00:00Z","service":"checkout"}
{"deployment":"d2","event":"succeeded","time":"2026-03-03T16:00:00Z","id":"ev-d2-stop"}
{"deployment":"d3","event":"merged","time":"2026-03-05T08:00:00Z","service":"checkout"}
{"deployment":"d3","event":"approval_requested","time":"2026-03-05T09:00:00Z"}
{"deployment":"d3","event":"approval_granted","time":"2026-03-05T10:00:00Z"}
"#;

const AS_OF: &str = "2026-03-05T12:00:00Z";

/// A scratch directory for one test, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("slakit-cli-test-{}-{test}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    /// Write a file and return its path as a string.
    fn file(&self, name: &str, text: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).to_string_lossy().into_owned()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    fn error(&self) -> Value {
        assert_eq!(
            self.code, 2,
            "stdout: {}\nstderr: {}",
            self.stdout, self.stderr
        );
        let doc = self.json();
        let keys: Vec<&String> = doc.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["error"], "{doc}");
        let err = doc["error"].clone();
        for key in ["kind", "code", "message", "location"] {
            assert!(
                err.get(key).is_some(),
                "error document lacks `{key}`: {doc}"
            );
        }
        err
    }
}

fn slakit(args: &[&str]) -> Run {
    slakit_stdin(args, None)
}

fn slakit_stdin(args: &[&str], stdin: Option<&str>) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_slakit"))
        .args(args)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(text.as_bytes()).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().expect("exited normally"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn fixture(test: &str) -> (Scratch, String, String) {
    let s = Scratch::new(test);
    let p = s.file("policy.yaml", POLICY);
    let r = s.file("records.jsonl", RECORDS);
    (s, p, r)
}

// ---------------------------------------------------------------------------
// Exit codes.

#[test]
fn exit_0_for_a_report_even_with_a_breach() {
    let (_s, p, r) = fixture("exit0");
    let run = slakit(&["evaluate", "-p", &p, "-r", &r, "--as-of", AS_OF]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "{}", run.stderr);
}

/// `evaluate --fail-on-breach --format json` of `policy` and `records`.
fn fail_on_breach<'a>(policy: &'a str, records: &'a str) -> [&'a str; 10] {
    [
        "evaluate",
        "-p",
        policy,
        "-r",
        records,
        "--as-of",
        AS_OF,
        "--fail-on-breach",
        "--format",
        "json",
    ]
}

#[test]
fn exit_1_with_fail_on_breach_on_a_breached_row() {
    let (_s, p, r) = fixture("exit1");
    let run = slakit(&fail_on_breach(&p, &r));
    assert_eq!(run.code, 1, "{}", run.stderr);
    let report = run.json();
    assert_eq!(report["results"][0]["status"], "breached");
}

/// The report is written while the SLAs are judged; a reader that went away
/// (a closed pipe) does not lose the breach: every SLA is still judged. Both
/// when the failed write only shows as the output is finished (the small
/// fixture) and when it shows while the entries are still being written (a
/// generated report of about 22 MB, several of the writer's 4 MB buffers).
#[test]
fn exit_1_with_fail_on_breach_when_the_reader_is_gone() {
    let (s, p, r) = fixture("exit1-closed");
    let generated = s.path("generated");
    let run = slakit(&[
        "generate",
        "--out",
        &generated,
        "--deployments",
        "5000",
        "--services",
        "50",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (gp, gr) = (
        format!("{generated}/policy.yaml"),
        format!("{generated}/records.jsonl"),
    );
    let small = fail_on_breach(&p, &r);
    // The generated workload's default as_of (its latest event): all of it.
    let large = [
        "evaluate",
        "-p",
        &gp,
        "-r",
        &gr,
        "--fail-on-breach",
        "--format",
        "json",
    ];
    for args in [&small[..], &large[..]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_slakit"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        drop(child.stdout.take());
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(1), "{args:?}");
    }
}

#[test]
fn exit_0_with_fail_on_breach_when_nothing_is_breached() {
    let s = Scratch::new("exit0-fob");
    let p = s.file("policy.yaml", POLICY);
    let met: String = RECORDS.lines().take(2).map(|l| format!("{l}\n")).collect();
    let r = s.file("met.jsonl", &met);
    let run = slakit(&[
        "evaluate",
        "-p",
        &p,
        "-r",
        &r,
        "--as-of",
        AS_OF,
        "--fail-on-breach",
    ]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
}

#[test]
fn exit_2_for_a_bad_policy_naming_the_file() {
    let s = Scratch::new("bad-policy");
    let p = s.file("policy.yaml", &POLICY.replace("4h", "4 hours"));
    let r = s.file("records.jsonl", RECORDS);
    let run = slakit(&[
        "evaluate", "-p", &p, "-r", &r, "--as-of", AS_OF, "-f", "json",
    ]);
    let err = run.error();
    assert_eq!(err["kind"], "policy");
    assert_eq!(err["code"], "E104", "{err}");
    assert_eq!(err["location"]["file"], p.as_str());
    assert!(
        err["message"].as_str().unwrap().contains("4 hours"),
        "{err}"
    );
    assert_eq!(
        err["location"]["path"], "/slas/0/targets/tier1/max",
        "{err}"
    );
}

#[test]
fn exit_2_for_a_bad_as_of() {
    let (_s, p, r) = fixture("bad-as-of");
    for bad in ["2026-02-30T00:00:00Z", "2026-03-01T00:00:00", "yesterday"] {
        let run = slakit(&["evaluate", "-p", &p, "-r", &r, "--as-of", bad, "-f", "json"]);
        let err = run.error();
        assert_eq!(err["kind"], "usage", "{err}");
        assert_eq!(err["code"], "E300", "{err}");
        assert!(err["message"].as_str().unwrap().contains(bad), "{err}");
    }
}

#[test]
fn exit_2_for_a_missing_file_naming_it() {
    let (s, p, r) = fixture("missing");
    let missing = s.path("no-such-records.jsonl");
    let run = slakit(&["evaluate", "-p", &p, "-r", &r, "-r", &missing, "-f", "json"]);
    let err = run.error();
    assert_eq!(err["code"], "E302");
    assert_eq!(err["kind"], "usage");
    assert_eq!(err["location"]["file"], missing.as_str());
    assert!(
        err["message"]
            .as_str()
            .unwrap()
            .contains("no-such-records.jsonl"),
        "{err}"
    );
    // The text form goes to stderr.
    let run = slakit(&["check", "-p", &missing]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    assert!(
        run.stderr.starts_with("error[E302]: cannot read `"),
        "{}",
        run.stderr
    );
}

#[test]
fn exit_2_for_an_unknown_flag() {
    let (_s, p, r) = fixture("unknown-flag");
    let run = slakit(&[
        "evaluate", "-p", &p, "-r", &r, "--bogus", "--format", "json",
    ]);
    let err = run.error();
    assert_eq!(err["code"], "E303");
    assert_eq!(err["kind"], "usage");
    assert!(
        err["message"].as_str().unwrap().contains("`--bogus`"),
        "{err}"
    );
    let run = slakit(&["evaluate", "-p", &p, "-r", &r, "--bogus"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error[E303]: "), "{}", run.stderr);
    assert!(run.stderr.contains("--bogus"), "{}", run.stderr);
    // A missing required flag and an unknown subcommand are usage errors too.
    let run = slakit(&["evaluate", "--format=json"]);
    assert_eq!(run.error()["code"], "E303");
    assert_eq!(slakit(&["frobnicate"]).code, 2);
    assert_eq!(slakit(&[]).code, 2);
    // Asking for a format a subcommand lacks is refused by clap.
    assert_eq!(slakit(&["check", "-p", &p, "--format", "csv"]).code, 2);
}

#[test]
fn help_and_version_exit_0() {
    let run = slakit(&["--version"]);
    assert_eq!(run.code, 0);
    assert_eq!(
        run.stdout.trim(),
        format!("slakit {}", env!("CARGO_PKG_VERSION"))
    );
    let run = slakit(&["--help"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("evaluate") && run.stdout.contains("Exit codes"));
    let run = slakit(&["help", "evaluate"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("--fail-on-breach"), "{}", run.stdout);
    assert!(run.stdout.contains("--as-of"), "{}", run.stdout);
}

// ---------------------------------------------------------------------------
// Error documents and locations.

#[test]
fn a_bad_record_line_is_located_by_file_and_line() {
    let s = Scratch::new("bad-line");
    let p = s.file("policy.yaml", POLICY);
    let good = s.file("good.jsonl", RECORDS);
    let text = RECORDS.replacen(
        "{\"deployment\":\"d1\",\"event\":\"succeeded\"",
        "{\"deployment\":\"d1\" \"event\":\"succeeded\"",
        1,
    );
    let bad = s.file("bad.jsonl", &format!("\n{text}"));
    let run = slakit(&[
        "evaluate", "-p", &p, "-r", &good, "-r", &bad, "--format", "json",
    ]);
    let err = run.error();
    assert_eq!(err["kind"], "input", "{err}");
    assert_eq!(err["code"], "E200", "{err}");
    assert_eq!(err["location"]["file"], bad.as_str(), "{err}");
    assert_eq!(
        err["location"]["line"], 3,
        "the blank first line counts: {err}"
    );
    // Text form: code, message, then the location.
    let run = slakit(&["evaluate", "-p", &p, "-r", &bad]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error[E200]: "), "{}", run.stderr);
    assert!(run.stderr.contains("bad.jsonl, line 3"), "{}", run.stderr);
}

#[test]
fn a_conflict_found_across_files_names_the_later_file() {
    let s = Scratch::new("conflict");
    let p = s.file("policy.yaml", POLICY);
    let a = s.file("a.jsonl", RECORDS);
    let b = s.file(
        "b.jsonl",
        "\n{\"deployment\":\"d1\",\"event\":\"health_validated\",\"time\":\"2026-03-02T12:30:00Z\",\"service\":\"search\"}\n",
    );
    let err = slakit(&["evaluate", "-p", &p, "-r", &a, "-r", &b, "-f", "json"]).error();
    assert_eq!(err["code"], "E205", "{err}");
    assert_eq!(err["location"]["file"], b.as_str(), "{err}");
    assert_eq!(err["location"]["record_index"], 0, "{err}");
    assert_eq!(err["location"]["line"], 2, "{err}");
}

/// The span limit of business calendars (ADVERSARIAL: at most a century
/// is walked) holds in `evaluate`, whose engine call takes the records.
#[test]
fn a_record_a_millennium_back_is_refused_with_a_business_calendar() {
    let s = Scratch::new("span");
    let p = s.file(
        "policy.yaml",
        "slakit: 1\ncalendars:\n  ny: {timezone: America/New_York, hours: {mon-fri: [\"09:00-17:00\"]}}\nslas:\n  - {id: lead, clock: {start: merged, stop: succeeded, calendar: ny}, window: month, targets: {default: {max: 4h, objective: 90%}}}\n",
    );
    let r = s.file(
        "records.jsonl",
        "{\"deployment\":\"d1\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\",\"service\":\"a\"}\n{\"deployment\":\"d0\",\"event\":\"merged\",\"time\":\"0226-03-02T10:00:00Z\",\"service\":\"a\"}\n",
    );
    let err = slakit(&["evaluate", "-p", &p, "-r", &r, "-f", "json"]).error();
    assert_eq!(err["code"], "E212", "{err}");
    assert_eq!(err["location"]["file"], r.as_str(), "{err}");
    assert_eq!(err["location"]["line"], 2, "{err}");
}

#[test]
fn invalid_utf8_in_records_is_an_input_error() {
    let s = Scratch::new("utf8");
    let p = s.file("policy.yaml", POLICY);
    let path = s.path("latin1.jsonl");
    let mut bytes = RECORDS.as_bytes().to_vec();
    bytes.extend_from_slice(b"{\"deployment\":\"caf\xe9\"}\n");
    std::fs::write(&path, bytes).unwrap();
    let err = slakit(&["evaluate", "-p", &p, "-r", &path, "-f", "json"]).error();
    assert_eq!(err["kind"], "input");
    assert_eq!(err["location"]["line"], 8, "{err}");
    assert!(err["message"].as_str().unwrap().contains("UTF-8"), "{err}");
}

// ---------------------------------------------------------------------------
// Inputs and as_of.

#[test]
fn records_from_stdin() {
    let (_s, p, r) = fixture("stdin");
    let from_file = slakit(&[
        "evaluate", "-p", &p, "-r", &r, "--as-of", AS_OF, "-f", "json",
    ]);
    let from_stdin = slakit_stdin(
        &[
            "evaluate", "-p", &p, "-r", "-", "--as-of", AS_OF, "-f", "json",
        ],
        Some(RECORDS),
    );
    assert_eq!(from_stdin.code, 0, "{}", from_stdin.stderr);
    assert_eq!(from_stdin.stdout, from_file.stdout);
    // Standard input cannot be read twice.
    let twice = slakit_stdin(
        &["evaluate", "-p", &p, "-r", "-", "-r", "-", "-f", "json"],
        Some(RECORDS),
    );
    assert_eq!(twice.error()["code"], "E303");
}

#[test]
fn several_records_files_are_concatenated() {
    let (s, p, r) = fixture("concat");
    let lines: Vec<&str> = RECORDS.lines().collect();
    let a = s.file("a.jsonl", &(lines[..3].join("\n") + "\n"));
    // The second file as a JSON array: formats may differ per file.
    let b = s.file("b.json", &format!("[{}]", lines[3..].join(",\n")));
    let one = slakit(&[
        "evaluate", "-p", &p, "-r", &r, "--as-of", AS_OF, "-f", "json",
    ]);
    let two = slakit(&[
        "evaluate",
        "-p",
        &p,
        "-r",
        &a,
        "--records",
        &b,
        "--as-of",
        AS_OF,
        "-f",
        "json",
    ]);
    assert_eq!(two.code, 0, "{}", two.stdout);
    assert_eq!(one.stdout, two.stdout);
    assert_eq!(one.json()["inputs"]["records"], 7);
}

#[test]
fn as_of_defaults_to_the_latest_event() {
    let (_s, p, r) = fixture("default-as-of");
    let run = slakit(&["evaluate", "-p", &p, "-r", &r, "-f", "json"]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(run.json()["as_of"], "2026-03-05T10:00:00Z");
}

#[test]
fn as_of_now_reads_the_clock_and_is_echoed() {
    let (_s, p, r) = fixture("now");
    let before = chrono::Utc::now().timestamp_millis();
    let run = slakit(&[
        "evaluate", "-p", &p, "-r", &r, "--as-of", "now", "-f", "json",
    ]);
    let after = chrono::Utc::now().timestamp_millis();
    assert_eq!(run.code, 0, "{}", run.stdout);
    let as_of = run.json()["as_of"].as_str().unwrap().to_string();
    let ms = slakit::instant::parse(&as_of).unwrap();
    assert!(before <= ms && ms <= after, "{as_of}");
}

#[test]
fn an_empty_records_file_with_as_of_is_an_empty_report() {
    let s = Scratch::new("empty");
    let p = s.file("policy.yaml", POLICY);
    for (name, text) in [("empty.jsonl", ""), ("blank.jsonl", "\n  \n\n")] {
        let r = s.file(name, text);
        let run = slakit(&[
            "evaluate", "-p", &p, "-r", &r, "--as-of", AS_OF, "-f", "json",
        ]);
        assert_eq!(run.code, 0, "{name}: {}", run.stdout);
        let report = run.json();
        assert_eq!(report["results"], Value::Array(vec![]), "{name}");
        assert_eq!(report["inputs"]["records"], 0, "{name}");
        assert_eq!(report["as_of"], AS_OF);
    }
}

#[test]
fn an_empty_records_file_without_as_of_is_a_usage_error() {
    let s = Scratch::new("empty-no-as-of");
    let p = s.file("policy.yaml", POLICY);
    let r = s.file("empty.jsonl", "\n");
    let err = slakit(&["evaluate", "-p", &p, "-r", &r, "-f", "json"]).error();
    assert_eq!(err["code"], "E301");
    assert_eq!(err["kind"], "usage");
    assert!(
        err["message"].as_str().unwrap().contains("--as-of"),
        "{err}"
    );
    // Records without any lifecycle event are just as empty.
    let outage = s.file(
        "outage.jsonl",
        r#"{"kind":"outage","service":"checkout","from":"2026-03-01T00:00:00Z","to":"2026-03-01T01:00:00Z"}"#,
    );
    let err = slakit(&["evaluate", "-p", &p, "-r", &outage, "-f", "json"]).error();
    assert_eq!(err["code"], "E301");
}

#[test]
fn json_output_is_byte_identical_for_shuffled_records() {
    let (s, p, r) = fixture("shuffled");
    let mut lines: Vec<&str> = RECORDS.lines().collect();
    lines.reverse();
    lines.swap(1, 4);
    let shuffled = s.file("shuffled.jsonl", &(lines.join("\n") + "\n"));
    let a = slakit(&[
        "evaluate", "-p", &p, "-r", &r, "--as-of", AS_OF, "-f", "json",
    ]);
    let b = slakit(&[
        "evaluate", "-p", &p, "-r", &shuffled, "--as-of", AS_OF, "-f", "json",
    ]);
    assert_eq!(a.code, 0);
    assert_eq!(a.stdout, b.stdout);
    assert!(a.stdout.ends_with("}\n"));
    // The bytes are the library's report plus one newline.
    let policy = slakit::Policy::from_yaml(POLICY).unwrap();
    let records = slakit::parse_records(RECORDS).unwrap();
    let as_of = slakit::instant::parse(AS_OF).unwrap();
    let report = policy.evaluate(&records, as_of).unwrap();
    assert_eq!(a.stdout, format!("{}\n", report.to_json()));
}

// ---------------------------------------------------------------------------
// Formats.

#[test]
fn table_format_shows_breached() {
    let (_s, p, r) = fixture("table");
    let run = slakit(&["evaluate", "-p", &p, "-r", &r, "--as-of", AS_OF]);
    assert_eq!(run.code, 0);
    let row = run
        .stdout
        .lines()
        .find(|l| l.contains("BREACHED") && !l.contains("MEASURED"))
        .unwrap_or_else(|| panic!("no BREACHED row:\n{}", run.stdout));
    assert!(row.trim_start().starts_with('!'), "{row}");
    assert!(run.stdout.contains("d2"), "breached deployment listed");
    assert!(
        run.stdout.contains("2026-03-05T13:00:00Z"),
        "in-flight deadline"
    );
}

#[test]
fn markdown_and_csv_formats() {
    let (_s, p, r) = fixture("md-csv");
    let md = slakit(&[
        "evaluate", "-p", &p, "-r", &r, "--as-of", AS_OF, "-f", "markdown",
    ]);
    assert_eq!(md.code, 0);
    assert!(md.stdout.starts_with("# SLA report"), "{}", md.stdout);
    assert!(md.stdout.contains("|---|"), "{}", md.stdout);
    let csv = slakit(&[
        "evaluate", "-p", &p, "-r", &r, "--as-of", AS_OF, "-f", "csv",
    ]);
    assert_eq!(csv.code, 0);
    let lines: Vec<&str> = csv.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", csv.stdout);
    assert!(lines[0].starts_with("sla,kind,window_start,"));
    assert!(lines[1].starts_with("lead-time,duration,2026-03-01T00:00:00Z,"));
    assert!(lines[1].contains(",breached,"), "{}", lines[1]);
}

#[test]
fn html_format_writes_a_self_contained_dashboard() {
    let (s, p, r) = fixture("html");
    let out = s.path("report.html");
    let run = slakit(&[
        "evaluate", "-p", &p, "-r", &r, "--as-of", AS_OF, "-f", "html", "--out", &out,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.starts_with("<!DOCTYPE html>"), "{written}");
    assert!(written.contains(r#"data-sla="lead-time""#));
    assert!(written.contains("BREACHED"));
    // Byte-identical for shuffled records, and the library's page plus a newline.
    let mut lines: Vec<&str> = RECORDS.lines().collect();
    lines.reverse();
    let shuffled = s.file("shuffled.jsonl", &(lines.join("\n") + "\n"));
    let again = slakit(&[
        "evaluate",
        "-p",
        &p,
        "-r",
        &shuffled,
        "--as-of",
        AS_OF,
        "--format=html",
    ]);
    assert_eq!(again.stdout, written);
    let policy = slakit::Policy::from_yaml(POLICY).unwrap();
    let records = slakit::parse_records(RECORDS).unwrap();
    let report = policy
        .evaluate(&records, slakit::instant::parse(AS_OF).unwrap())
        .unwrap();
    assert_eq!(written, format!("{}\n", report.to_html().unwrap()));
}

#[test]
fn out_writes_the_report_to_a_file() {
    let (s, p, r) = fixture("out");
    let out = s.path("report.json");
    let run = slakit(&[
        "evaluate", "-p", &p, "-r", &r, "--as-of", AS_OF, "-f", "json", "--out", &out,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    let written = std::fs::read_to_string(&out).unwrap();
    let direct = slakit(&[
        "evaluate", "-p", &p, "-r", &r, "--as-of", AS_OF, "-f", "json",
    ]);
    assert_eq!(written, direct.stdout);
    // An unwritable target is an I/O error naming it.
    let bad = Path::new(&s.0).join("no-dir").join("r.json");
    let bad = bad.to_string_lossy();
    let err = slakit(&[
        "evaluate", "-p", &p, "-r", &r, "--as-of", AS_OF, "-f", "json", "--out", &bad,
    ])
    .error();
    assert_eq!(err["code"], "E302");
    assert_eq!(err["location"]["file"], bad.as_ref());
}

// ---------------------------------------------------------------------------
// check.

#[test]
fn check_accepts_a_valid_policy_with_a_w002_warning() {
    let s = Scratch::new("check-w002");
    let p = s.file(
        "policy.yaml",
        r#"slakit: 1
name: business-days
calendars:
  ny-business:
    timezone: America/New_York
    hours: {mon-fri: ["09:00-17:00"]}
slas:
  - id: lead-time
    clock: {start: merged, stop: succeeded, calendar: ny-business}
    window: month
    targets: {default: {max: 2d, objective: 90%}}
"#,
    );
    let run = slakit(&["check", "--policy", &p]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("warning[W002]"), "{}", run.stdout);
    assert!(run.stdout.contains("ok"), "{}", run.stdout);
    let run = slakit(&["check", "--policy", &p, "--format", "json"]);
    assert_eq!(run.code, 0);
    let doc = run.json();
    assert_eq!(doc["ok"], true);
    assert_eq!(doc["policy"]["name"], "business-days");
    assert_eq!(doc["warnings"][0]["code"], "W002", "{doc}");
    assert!(
        doc["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("2d"),
        "{doc}"
    );
}

#[test]
fn check_names_an_unknown_field() {
    let s = Scratch::new("check-clok");
    let p = s.file("policy.yaml", &POLICY.replace("clock:", "clok:"));
    let run = slakit(&["check", "--policy", &p]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("`clok`"), "{}", run.stderr);
    assert!(run.stderr.starts_with("error[E101]"), "{}", run.stderr);
    let err = slakit(&["check", "--policy", &p, "--format", "json"]).error();
    assert_eq!(err["kind"], "policy");
    assert_eq!(err["code"], "E101");
    assert!(err["message"].as_str().unwrap().contains("`clok`"), "{err}");
    assert_eq!(err["location"]["file"], p.as_str());
    assert_eq!(err["location"]["line"], 8, "{err}");
    assert_eq!(err["location"]["path"], "/slas/0/clok", "{err}");
}

#[test]
fn check_an_empty_policy_is_a_policy_error() {
    let s = Scratch::new("check-empty");
    let p = s.file("policy.yaml", "");
    let err = slakit(&["check", "-p", &p, "-f", "json"]).error();
    assert_eq!(err["kind"], "policy", "{err}");
}

// ---------------------------------------------------------------------------
// explain.

#[test]
fn explain_shows_the_pause_and_the_deadline_of_a_running_clock() {
    let (_s, p, r) = fixture("explain");
    let run = slakit(&[
        "explain",
        "-p",
        &p,
        "-r",
        &r,
        "--deployment",
        "d3",
        "--as-of",
        AS_OF,
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let text = &run.stdout;
    let header = text
        .lines()
        .find(|l| l.starts_with("lead-time"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(header.contains("in flight"), "{header}");
    assert!(header.contains("3h elapsed of 4h"), "{header}");
    assert!(
        header.contains("breach at 2026-03-05T13:00:00Z"),
        "{header}"
    );
    assert!(text.contains("calendar 24x7"), "{text}");
    let pause = text
        .lines()
        .find(|l| l.contains("paused"))
        .unwrap_or_else(|| panic!("no pause line:\n{text}"));
    assert!(pause.contains("2026-03-05 09:00 → 10:00"), "{pause}");
    let deadline = text
        .lines()
        .find(|l| l.contains("breach at") && !l.starts_with("lead-time"))
        .unwrap_or_else(|| panic!("no breach_at line:\n{text}"));
    assert!(deadline.contains("2026-03-05 13:00"), "{deadline}");
    assert!(
        deadline.trim_end().ends_with("4h"),
        "cumulative elapsed: {deadline}"
    );
    // The JSON form is the core's explanation.
    let run = slakit(&[
        "explain", "-p", &p, "-r", &r, "-d", "d3", "--as-of", AS_OF, "-f", "json",
    ]);
    let doc = run.json();
    assert_eq!(doc["deployment"], "d3");
    assert_eq!(doc["slas"][0]["breach_at"], "2026-03-05T13:00:00Z");
}

#[test]
fn explain_an_unknown_deployment_is_a_usage_error() {
    let (_s, p, r) = fixture("explain-unknown");
    let err = slakit(&["explain", "-p", &p, "-r", &r, "-d", "d99", "-f", "json"]).error();
    assert_eq!(err["code"], "E304");
    assert_eq!(err["kind"], "usage");
    assert!(err["message"].as_str().unwrap().contains("`d99`"), "{err}");
    let run = slakit(&["explain", "-p", &p, "-r", &r, "-d", "d99"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.starts_with("error[E304]"), "{}", run.stderr);
}
