//! Every error path: code, message and location. And no input panics.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use slakit::{ErrorCode, ErrorKind, Policy, parse_records};

const BASE: &str = r#"slakit: 1
name: t
calendars:
  office:
    timezone: America/New_York
    hours:
      mon-fri: ["09:00-17:00"]
slas:
  - id: lead
    clock: {start: merged, stop: succeeded, calendar: office}
    window: month
    targets:
      default: {max: 4h, objective: 90%}
"#;

fn policy_err(text: &str) -> slakit::Error {
    match Policy::from_text(text) {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(e) => e,
    }
}

fn assert_err(e: &slakit::Error, code: ErrorCode, mentions: &[&str]) {
    assert_eq!(e.code, code, "{e}");
    for m in mentions {
        assert!(e.message.contains(m), "message {:?} lacks {m:?}", e.message);
    }
    assert!(
        !e.message.ends_with('.'),
        "no trailing period: {:?}",
        e.message
    );
    assert!(
        e.message.chars().next().is_some_and(|c| !c.is_uppercase()),
        "lowercase: {:?}",
        e.message
    );
}

#[test]
fn base_policy_is_valid() {
    let p = Policy::from_yaml(BASE).unwrap();
    assert!(p.check().is_empty());
    assert_eq!(p.digest.len(), 71);
    // The same document in JSON has the same digest.
    let json = r#"{"slakit":1,"name":"t","calendars":{"office":{"timezone":"America/New_York","hours":{"mon-fri":["09:00-17:00"]}}},
      "slas":[{"id":"lead","clock":{"start":"merged","stop":"succeeded","calendar":"office"},"window":"month","targets":{"default":{"max":"4h","objective":"90%"}}}]}"#;
    assert_eq!(Policy::from_json(json).unwrap().digest, p.digest);
}

#[test]
fn a_policy_from_a_native_value_has_paths_and_the_same_digest() {
    let yaml = Policy::from_yaml(BASE).unwrap();
    let value = serde_json::to_value(&yaml.doc).unwrap();
    assert_eq!(Policy::from_value(value).unwrap().digest, yaml.digest);
    let bad = serde_json::json!({"slakit": 1, "slas": [{"id": "x", "window": "month", "targets": {"default": {"max": "1h", "objectve": "9%"}}}]});
    let e = Policy::from_value(bad).unwrap_err();
    assert_err(
        &e,
        ErrorCode::UnknownField,
        &["`objectve`", "did you mean `objective`"],
    );
    assert!(
        e.location
            .path
            .as_deref()
            .is_some_and(|p| p.starts_with("/slas/0/targets/default")),
        "{e:?}"
    );
    assert_eq!(e.location.line, None);
    assert_eq!(slakit::VERSION, env!("CARGO_PKG_VERSION"));
}

#[test]
fn yaml_syntax_error_has_a_line() {
    let e = policy_err("slakit: 1\nslas: [\n  {id: x\n");
    assert_eq!(e.kind(), ErrorKind::Policy);
    assert!(
        matches!(e.code, ErrorCode::PolicySyntax | ErrorCode::InvalidValue),
        "{e}"
    );
    assert!(e.location.line.is_some(), "{e:?}");
}

#[test]
fn json_syntax_error_has_line_and_column() {
    let e = policy_err("{\"slakit\": 1,\n \"slas\": [}");
    assert_err(&e, ErrorCode::PolicySyntax, &[]);
    assert_eq!(e.location.line, Some(2));
    assert!(e.location.column.is_some());
}

#[test]
fn misspelt_field_is_named_with_a_suggestion_and_path() {
    let e = policy_err(&BASE.replace("objective: 90%", "objectve: 90%"));
    assert_err(
        &e,
        ErrorCode::UnknownField,
        &["`objectve`", "did you mean `objective`"],
    );
    assert!(
        e.location
            .path
            .as_deref()
            .is_some_and(|p| p.starts_with("/slas/0/targets/default")),
        "{e:?}"
    );
    assert_eq!(e.location.line, Some(13));
    let json = r#"{"slakit":1,"slas":[{"id":"l","clock":{"start":"a","stop":"b"},"window":"month","targets":{"default":{"max":"1h","objectve":"90%"}}}]}"#;
    let e = policy_err(json);
    assert_err(
        &e,
        ErrorCode::UnknownField,
        &["`objectve`", "did you mean `objective`"],
    );
    assert!(
        e.location
            .path
            .as_deref()
            .is_some_and(|p| p.starts_with("/slas/0/targets/default")),
        "{e:?}"
    );
    let e = policy_err(&BASE.replace("window: month", "window: month\n    clok: {}"));
    assert_err(&e, ErrorCode::UnknownField, &["clok", "clock"]);
}

#[test]
fn missing_field() {
    let e = policy_err(
        "slakit: 1\nslas:\n  - window: month\n    targets: {default: {min: 1}}\n    kind: deployment_frequency\n",
    );
    assert_err(&e, ErrorCode::MissingField, &["`id`"]);
    let e = policy_err("name: x\nslas: []\n");
    assert_err(&e, ErrorCode::MissingField, &["`slakit`"]);
    let e = policy_err(&BASE.replace(
        "    clock: {start: merged, stop: succeeded, calendar: office}\n",
        "",
    ));
    assert_err(&e, ErrorCode::MissingField, &["clock"]);
    assert_eq!(e.location.path.as_deref(), Some("/slas/0"));
}

#[test]
fn invalid_values() {
    let e = policy_err(&BASE.replace("window: month", "window: fortnight"));
    assert_err(&e, ErrorCode::InvalidValue, &["`fortnight`"]);
    assert_eq!(e.location.path.as_deref(), Some("/slas/0/window"));
    let e = policy_err(&BASE.replace("    window: month", "    kind: uptime\n    window: month"));
    assert_eq!(e.code, ErrorCode::InvalidValue, "{e}");
    assert!(e.message.contains("uptime"), "{e}");
    assert_eq!(e.location.path.as_deref(), Some("/slas/0/kind"));
    // A clock on a rate SLA is refused, not ignored.
    let e = policy_err(&BASE.replace(
        "    window: month",
        "    kind: success_rate\n    window: month",
    ));
    assert_err(&e, ErrorCode::InvalidValue, &["`clock`", "success_rate"]);
}

#[test]
fn durations() {
    for (bad, mention) in [
        ("4 hours", "`4 hours`"),
        ("-5m", "negative"),
        ("99999999999999999999d", "too large"),
        ("0s", "0s"),
    ] {
        let e = policy_err(&BASE.replace("max: 4h", &format!("max: \"{bad}\"")));
        assert_err(&e, ErrorCode::InvalidDuration, &[mention]);
        assert_eq!(
            e.location.path.as_deref(),
            Some("/slas/0/targets/default/max"),
            "{bad}"
        );
    }
    let e = policy_err(&BASE.replace("max: 4h", "max: 240"));
    assert_err(&e, ErrorCode::InvalidDuration, &["`240`", "unit"]);
}

#[test]
fn percentages() {
    for (bad, mention) in [
        ("99.99995%", "finer than 1 ppm"),
        ("120%", "120%"),
        ("ninety", "`ninety`"),
    ] {
        let e = policy_err(&BASE.replace("objective: 90%", &format!("objective: \"{bad}\"")));
        assert_err(&e, ErrorCode::InvalidPercentage, &[mention]);
        assert_eq!(
            e.location.path.as_deref(),
            Some("/slas/0/targets/default/objective")
        );
    }
    let e = policy_err(&BASE.replace("objective: 90%", "objective: 1.5"));
    assert_err(&e, ErrorCode::InvalidPercentage, &["1.5"]);
}

#[test]
fn numbers_out_of_range_are_refused() {
    for bad in ["1e400", "18446744073709551616000"] {
        let text = format!(
            r#"{{"slakit":1,"slas":[{{"id":"f","kind":"deployment_frequency","window":"week","targets":{{"default":{{"min_per_day":{bad}}}}}}}]}}"#
        );
        let e = policy_err(&text);
        assert_eq!(e.kind(), ErrorKind::Policy, "{e}");
    }
    let e = policy_err(
        "slakit: 1\nslas:\n  - id: f\n    kind: deployment_frequency\n    window: week\n    targets: {default: {min_per_day: .nan}}\n",
    );
    assert_eq!(e.kind(), ErrorKind::Policy, "{e}");
    assert!(
        e.message.contains("min_per_day")
            || e.location
                .path
                .as_deref()
                .is_some_and(|p| p.contains("min_per_day")),
        "{e}"
    );
    let e = policy_err(
        "slakit: 1\nslas:\n  - id: f\n    kind: deployment_frequency\n    window: week\n    targets: {default: {min_per_day: 0.1234567}}\n",
    );
    assert_err(&e, ErrorCode::InvalidValue, &["min_per_day", "0.1234567"]);
}

#[test]
fn calendars() {
    let e = policy_err(&BASE.replace("09:00-17:00", "25:00-26:00"));
    assert_err(&e, ErrorCode::InvalidHours, &["25:00"]);
    assert_eq!(
        e.location.path.as_deref(),
        Some("/calendars/office/hours/mon-fri/0")
    );
    let e = policy_err(&BASE.replace("09:00-17:00", "17:00-09:00"));
    assert_err(&e, ErrorCode::InvalidHours, &["17:00-09:00"]);
    let e = policy_err(&BASE.replace("mon-fri:", "monday:"));
    assert_err(&e, ErrorCode::InvalidHours, &["monday"]);
    let e = policy_err(&BASE.replace(
        "      mon-fri",
        "    holidays: [\"2026-13-01\"]\n      mon-fri",
    ));
    assert!(
        matches!(
            e.code,
            ErrorCode::InvalidHours
                | ErrorCode::UnknownField
                | ErrorCode::PolicySyntax
                | ErrorCode::InvalidValue
        ),
        "{e}"
    );
    let e = policy_err(&BASE.replace(
        "    timezone: America/New_York\n",
        "    timezone: America/New_York\n    holidays: [\"2026-02-30\"]\n",
    ));
    assert_err(&e, ErrorCode::InvalidHours, &["2026-02-30"]);
    assert_eq!(
        e.location.path.as_deref(),
        Some("/calendars/office/holidays/0")
    );
    let e = policy_err(&BASE.replace("America/New_York", "America/New_Yrok"));
    assert_err(&e, ErrorCode::UnknownTimeZone, &["America/New_Yrok"]);
    assert_eq!(
        e.location.path.as_deref(),
        Some("/calendars/office/timezone")
    );
    let e = policy_err(&BASE.replace("calendar: office", "calendar: offise"));
    assert_err(
        &e,
        ErrorCode::UnknownCalendar,
        &["`offise`", "did you mean `office`"],
    );
    let e = policy_err(
        &BASE
            .replace("  office:", "  24x7:")
            .replace("calendar: office", "calendar: 24x7"),
    );
    assert_err(&e, ErrorCode::InvalidHours, &["24x7", "built in"]);
}

#[test]
fn tiers_and_ids() {
    let e = policy_err(&BASE.replace(
        "slas:",
        "tiers: [tier1]\nservices:\n  a: {tier: tier9}\nslas:",
    ));
    assert_err(&e, ErrorCode::UnknownTier, &["tier9"]);
    assert_eq!(e.location.path.as_deref(), Some("/services/a/tier"));
    let e = policy_err(
        &BASE
            .replace("slas:", "tiers: [tier1]\nslas:")
            .replace("default:", "gold:"),
    );
    assert_err(&e, ErrorCode::UnknownTier, &["gold"]);
    let twice = format!(
        "{BASE}  - id: lead\n    kind: success_rate\n    window: month\n    targets: {{default: {{min: 90%}}}}\n"
    );
    let e = policy_err(&twice);
    assert_err(&e, ErrorCode::DuplicateId, &["`lead`"]);
    assert_eq!(e.location.path.as_deref(), Some("/slas/1/id"));
    let ex = BASE.replace(
        "slas:",
        "exclusions:\n  - {id: mw, from: \"2026-03-01T00:00:00Z\", to: \"2026-03-01T01:00:00Z\"}\n  - {id: mw, from: \"2026-03-02T00:00:00Z\", to: \"2026-03-02T01:00:00Z\"}\nslas:",
    );
    assert_err(&policy_err(&ex), ErrorCode::DuplicateId, &["`mw`"]);
}

#[test]
fn duplicate_keys_are_refused_in_yaml_and_json() {
    let e = policy_err(&BASE.replace("name: t\n", "name: t\nname: u\n"));
    assert_eq!(e.code, ErrorCode::DuplicateKey, "{e}");
    let json = r#"{"slakit":1,"calendars":{"a":{"hours":{}},"a":{"hours":{}}},"slas":[]}"#;
    let e = policy_err(json);
    assert_err(&e, ErrorCode::DuplicateKey, &["`a`"]);
    let json = r#"{"slakit":1,"slakit":1,"slas":[]}"#;
    assert_eq!(policy_err(json).code, ErrorCode::DuplicateKey);
}

#[test]
fn version_targets_and_instants() {
    assert_err(
        &policy_err(&BASE.replace("slakit: 1", "slakit: 2")),
        ErrorCode::UnsupportedVersion,
        &["slakit: 2"],
    );
    let e = policy_err(&BASE.replace("{max: 4h, objective: 90%}", "{max: 4h}"));
    assert_err(&e, ErrorCode::InvalidTarget, &["objective"]);
    let e = policy_err(&BASE.replace(
        "{max: 4h, objective: 90%}",
        "{max: 4h, objective: 90%, min: 3}",
    ));
    assert_err(&e, ErrorCode::InvalidTarget, &["min"]);
    let ex = BASE.replace(
        "slas:",
        "exclusions:\n  - {id: mw, from: \"2026-03-01\", to: \"2026-03-01T01:00:00Z\"}\nslas:",
    );
    let e = policy_err(&ex);
    assert_err(&e, ErrorCode::InvalidPolicyInstant, &["2026-03-01"]);
    assert_eq!(e.location.path.as_deref(), Some("/exclusions/0/from"));
}

#[test]
fn empty_and_oversized_policies() {
    assert_err(&policy_err(""), ErrorCode::EmptyPolicy, &["empty"]);
    assert_err(&policy_err("  \n\n"), ErrorCode::EmptyPolicy, &["empty"]);
    let big = format!(
        "slakit: 1\nname: \"{}\"\nslas: []\n",
        "x".repeat(slakit::policy::MAX_POLICY_BYTES)
    );
    assert_err(&policy_err(&big), ErrorCode::PolicyTooLarge, &["limit"]);
    assert_eq!(policy_err("slakit: 1\u{0}").code, ErrorCode::PolicySyntax);
}

#[test]
fn yaml_billion_laughs_fails_fast() {
    let doc = r#"a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"#;
    let start = std::time::Instant::now();
    let e = policy_err(doc);
    // Not a timing assertion on speed, only a guard against a hang.
    assert!(start.elapsed().as_secs() < 10);
    assert_eq!(e.kind(), ErrorKind::Policy);
    assert!(
        matches!(e.code, ErrorCode::PolicyTooDeep | ErrorCode::UnknownField),
        "{e}"
    );
}

#[test]
fn deep_json_nesting_is_an_error_not_a_stack_overflow() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let e = policy_err(&format!("{{\"slakit\":1,\"name\":{deep}}}"));
    assert_eq!(e.kind(), ErrorKind::Policy);
    let e = parse_records(&format!("{{\"deployment\":\"d\",\"attrs\":{deep}}}")).unwrap_err();
    assert_eq!(e.code, ErrorCode::RecordSyntax);
    let e = parse_records(&deep).unwrap_err();
    assert_eq!(e.code, ErrorCode::RecordSyntax);
    let yaml_deep = format!("slakit: 1\nname: {}\n", "[".repeat(10_000));
    assert_eq!(policy_err(&yaml_deep).kind(), ErrorKind::Policy);
}

fn record_err(text: &str) -> slakit::Error {
    parse_records(text).expect_err("expected a record error")
}

#[test]
fn record_errors_name_line_index_and_field() {
    let ok = r#"{"deployment":"d1","event":"merged","time":"2026-03-01T00:00:00Z","service":"a"}"#;
    let e = record_err(&format!(
        "{ok}\n\n{{\"deployment\":\"d1\",\"event\":\"merged\"\n"
    ));
    assert_err(&e, ErrorCode::RecordSyntax, &["invalid JSON"]);
    assert_eq!(
        (e.location.line, e.location.record_index),
        (Some(3), Some(1))
    );
    let e = record_err(&format!(
        "{ok}\n{{\"event\":\"merged\",\"time\":\"2026-03-01T00:00:00Z\"}}"
    ));
    assert_err(&e, ErrorCode::MissingRecordField, &["`deployment`"]);
    assert_eq!(
        (e.location.line, e.location.path.as_deref()),
        (Some(2), Some("/deployment"))
    );
    let e = record_err(r#"{"deployment":7,"event":"merged","time":"2026-03-01T00:00:00Z"}"#);
    assert_err(&e, ErrorCode::InvalidRecordField, &["`deployment`", "7"]);
    let e = record_err(
        r#"{"kind":"deploy","deployment":"d","event":"merged","time":"2026-03-01T00:00:00Z"}"#,
    );
    assert_err(&e, ErrorCode::UnknownRecordKind, &["`deploy`"]);
    let e = record_err(
        r#"{"kind":"outage","service":"a","from":"2026-03-02T00:00:00Z","to":"2026-03-01T00:00:00Z"}"#,
    );
    assert_err(&e, ErrorCode::InvalidInterval, &["before it starts"]);
    let e = record_err("[1, 2]");
    assert_err(&e, ErrorCode::RecordSyntax, &["object"]);
    assert_eq!(e.location.record_index, Some(0));
    let e = record_err("[{\"deployment\": \"d\"},");
    assert_err(&e, ErrorCode::RecordSyntax, &["JSON array"]);
    assert_eq!(record_err("{\"a\":1}\u{0}").code, ErrorCode::RecordSyntax);
}

#[test]
fn invalid_instants() {
    for (bad, mention) in [
        ("2016-12-31T23:59:60Z", "leap second"),
        ("2026-03-01T00:00:00", "no UTC offset"),
        ("2024-02-30T00:00:00Z", "2024-02-30"),
        ("2024-02-01T24:00:00Z", "24:00:00"),
        ("2024-02-01T00:00:00+25:00", "+25:00"),
        ("10000-01-01T00:00:00Z", "10000"),
    ] {
        let e = record_err(&format!(
            r#"{{"deployment":"d","event":"merged","time":"{bad}","service":"a"}}"#
        ));
        assert_err(&e, ErrorCode::InvalidInstant, &[mention, "time"]);
        assert_eq!(e.location.path.as_deref(), Some("/time"));
    }
    // The far edge of the supported range is fine.
    assert!(
        parse_records(
            r#"{"deployment":"d","event":"merged","time":"9999-12-31T23:59:59Z","service":"a"}"#
        )
        .is_ok()
    );
}

#[test]
fn record_limits_are_checked_before_allocation() {
    let limits = slakit::record::Limits {
        max_records: 2,
        max_line_bytes: 200,
        max_input_bytes: 10_000,
    };
    let line = r#"{"deployment":"d","event":"merged","time":"2026-03-01T00:00:00Z","service":"a"}"#;
    let e =
        slakit::record::parse_records_with_limits(&format!("{line}\n{line}\n{line}\n"), &limits)
            .unwrap_err();
    assert_err(&e, ErrorCode::InputTooLarge, &["more than 2 records"]);
    let long = format!("{{\"deployment\":\"{}\"}}", "x".repeat(300));
    let e = slakit::record::parse_records_with_limits(&long, &limits).unwrap_err();
    assert_err(&e, ErrorCode::InputTooLarge, &["limit of 200"]);
    let e = slakit::record::parse_records_with_limits(&"\n".repeat(10_001), &limits).unwrap_err();
    assert_err(&e, ErrorCode::InputTooLarge, &["10001 bytes"]);
}

fn eval_err(records: &str) -> slakit::Error {
    let p = Policy::from_yaml(BASE).unwrap();
    let r = parse_records(records).unwrap();
    p.evaluate(&r, slakit::instant::parse("2026-03-31T00:00:00Z").unwrap())
        .expect_err("expected an evaluation error")
}

/// Of several deployments in error, the one with the least id is reported,
/// whatever the order of the records and however many good ones there are.
#[test]
fn the_least_deployment_id_in_error_is_reported() {
    let conflict = "{\"deployment\":\"d-a\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\",\"service\":\"a\"}\n{\"deployment\":\"d-a\",\"event\":\"started\",\"time\":\"2026-03-02T11:00:00Z\",\"service\":\"b\"}\n";
    let missing =
        "{\"deployment\":\"d-b\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\"}\n";
    let good: String = (0..300)
        .map(|i| format!("{{\"deployment\":\"g{i}\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\",\"service\":\"a\"}}\n"))
        .collect();
    for text in [
        format!("{good}{conflict}{missing}"),
        format!("{missing}{good}{conflict}"),
        format!("{missing}{conflict}{good}"),
    ] {
        let e = eval_err(&text);
        assert_err(&e, ErrorCode::ConflictingAttribute, &["`d-a`"]);
    }
    let e = eval_err(&format!("{good}{missing}"));
    assert_err(&e, ErrorCode::MissingService, &["`d-b`"]);
    // Many deployments in error, in and against id order: the least id.
    let bad = |i: usize| {
        format!(
            "{{\"deployment\":\"m{i}\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\"}}\n"
        )
    };
    let forward: String = (0..200).map(bad).collect();
    let backward: String = (0..200).rev().map(bad).collect();
    for text in [format!("{forward}{good}"), format!("{good}{backward}")] {
        let e = eval_err(&text);
        assert_err(&e, ErrorCode::MissingService, &["`m0`"]);
    }
}

#[test]
fn evaluation_errors() {
    let e = eval_err(
        "{\"deployment\":\"d1\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\",\"service\":\"a\"}\n{\"deployment\":\"d1\",\"event\":\"succeeded\",\"time\":\"2026-03-02T11:00:00Z\",\"service\":\"b\"}\n",
    );
    assert_err(
        &e,
        ErrorCode::ConflictingAttribute,
        &["`d1`", "`service`", "`a`", "`b`"],
    );
    assert_eq!(e.location.record_index, Some(1));
    let e = eval_err(
        "{\"deployment\":\"d1\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\"}\n",
    );
    assert_err(&e, ErrorCode::MissingService, &["`d1`"]);
    let e = eval_err(
        "{\"kind\":\"incident\",\"id\":\"INC-1\",\"service\":\"a\",\"opened\":\"2026-03-02T10:00:00Z\"}\n{\"kind\":\"incident\",\"id\":\"INC-1\",\"service\":\"b\",\"opened\":\"2026-03-02T10:00:00Z\"}\n",
    );
    assert_err(&e, ErrorCode::ConflictingIncident, &["INC-1", "`a`", "`b`"]);
    let e = eval_err(
        "{\"kind\":\"exclusion\",\"id\":\"x\",\"from\":\"2026-03-02T10:00:00Z\",\"to\":\"2026-03-02T11:00:00Z\"}\n{\"kind\":\"exception\",\"id\":\"x\",\"from\":\"2026-03-02T10:00:00Z\",\"to\":\"2026-03-02T11:00:00Z\"}\n",
    );
    assert_err(&e, ErrorCode::DuplicateRecordId, &["`x`"]);
    assert_eq!(e.location.record_index, Some(1));
    let p = Policy::from_yaml(BASE).unwrap();
    let e = p.evaluate(&[], i64::MAX).unwrap_err();
    assert_eq!(
        (e.code, e.kind()),
        (ErrorCode::InvalidAsOf, ErrorKind::Usage)
    );
    let e = p.explain(&[], "nope", 0).unwrap_err();
    assert_err(&e, ErrorCode::UnknownDeployment, &["`nope`"]);
}

#[test]
fn every_error_code_is_documented() {
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/errors.md"),
    )
    .unwrap_or_default();
    if docs.is_empty() {
        return; // docs/errors.md lands with the docs; once there, every code must be in it
    }
    for code in ErrorCode::ALL {
        assert!(docs.contains(code.as_str()), "docs/errors.md lacks {code}");
    }
}

/// Truncated and garbled policies and records: always an error or a value, never a panic.
#[test]
fn garbled_inputs_never_panic() {
    let records = "{\"deployment\":\"d1\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\",\"service\":\"a\"}\n{\"kind\":\"outage\",\"service\":\"a\",\"from\":\"2026-03-02T10:00:00Z\"}\n{\"kind\":\"exception\",\"id\":\"e\",\"from\":\"2026-03-02T10:00:00Z\",\"to\":\"2026-03-02T11:00:00Z\"}\n";
    let json_policy = r#"{"slakit":1,"calendars":{"o":{"hours":{"mon-fri":["09:00-17:00"]}}},"slas":[{"id":"l","clock":{"start":"merged","stop":"succeeded","calendar":"o"},"window":{"rolling":"7d"},"targets":{"default":{"max":"4h","objective":"90%"}}}]}"#;
    let as_of = slakit::instant::parse("2026-03-31T00:00:00Z").unwrap();
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for text in [BASE, json_policy] {
        let bytes = text.as_bytes();
        for cut in 0..bytes.len() {
            let t = String::from_utf8_lossy(&bytes[..cut]);
            if let Ok(p) = Policy::from_text(&t) {
                let _ = p.evaluate(&parse_records(records).unwrap(), as_of);
            }
        }
        for _ in 0..400 {
            let mut b = bytes.to_vec();
            for _ in 0..3 {
                let i = (next() as usize) % b.len();
                b[i] = b"{}[]:,\"'-&*!|>#\n 0129%hdmsT"[(next() as usize) % 26];
            }
            let t = String::from_utf8_lossy(&b);
            if let Ok(p) = Policy::from_text(&t) {
                let _ = p.evaluate(&parse_records(records).unwrap(), as_of);
            }
        }
    }
    let policy = Policy::from_yaml(BASE).unwrap();
    let bytes = records.as_bytes();
    for cut in 0..bytes.len() {
        if let Ok(r) = parse_records(&String::from_utf8_lossy(&bytes[..cut])) {
            let _ = policy.evaluate(&r, as_of);
        }
    }
    for _ in 0..600 {
        let mut b = bytes.to_vec();
        for _ in 0..3 {
            let i = (next() as usize) % b.len();
            b[i] = b"{}[]:,\"-+Z09T\n x"[(next() as usize) % 16];
        }
        if let Ok(r) = parse_records(&String::from_utf8_lossy(&b)) {
            let _ = policy.evaluate(&r, as_of);
        }
    }
}
