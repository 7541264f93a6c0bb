//! Resource limits (issue 9 §3): each refused with its own code, a message
//! that says the limit, and a location; the documented defaults are what
//! `docs/hardening.md` says.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly on purpose"
)]

use slakit::limits::*;
use slakit::{ErrorCode, Policy, instant, parse_records};

fn policy_err(text: &str) -> slakit::Error {
    match Policy::from_text(text) {
        Ok(_) => panic!("expected a policy error"),
        Err(e) => e,
    }
}

#[test]
fn the_documented_defaults() {
    assert_eq!(slakit::policy::MAX_POLICY_BYTES, 4 << 20);
    assert_eq!(
        (
            MAX_CALENDARS,
            MAX_SLAS,
            MAX_PAUSES_PER_CLOCK,
            MAX_SERVICES,
            MAX_TIERS
        ),
        (1_000, 1_000, 100, 100_000, 1_000)
    );
    assert_eq!(
        (
            MAX_RANGES_PER_CALENDAR,
            MAX_HOLIDAYS_PER_CALENDAR,
            MAX_EXCLUSIONS,
            MAX_EXCEPTIONS,
            MAX_BLACKOUTS
        ),
        (1_000, 100_000, 100_000, 100_000, 100_000)
    );
    assert_eq!(MAX_CALENDAR_SPAN_YEARS, 100);
    let docs = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/hardening.md"),
    )
    .unwrap();
    for code in ["E115", "E117", "E118", "E209", "E211", "E212"] {
        assert!(docs.contains(code), "docs/hardening.md lacks {code}");
    }
}

#[test]
fn too_many_calendars_slas_and_pauses() {
    let calendars: String = (0..=MAX_CALENDARS)
        .map(|i| format!("  c{i}: {{hours: {{mon: [\"09:00-17:00\"]}}}}\n"))
        .collect();
    let e = policy_err(&format!("slakit: 1\ncalendars:\n{calendars}"));
    assert_eq!(e.code, ErrorCode::PolicyTooManyItems, "{e}");
    assert!(
        e.message
            .contains("1001 calendars, more than the limit of 1000"),
        "{e}"
    );
    assert_eq!(e.location.path.as_deref(), Some("/calendars"));

    let sla = "  - {id: ID, kind: success_rate, window: month, targets: {default: {min: 90%}}}\n";
    let slas: String = (0..=MAX_SLAS)
        .map(|i| sla.replace("ID", &format!("s{i}")))
        .collect();
    let e = policy_err(&format!("slakit: 1\nslas:\n{slas}"));
    assert_eq!(
        (e.code, e.location.path.as_deref()),
        (ErrorCode::PolicyTooManyItems, Some("/slas"))
    );

    let pauses = vec!["{from: approval_requested, to: approval_granted}"; MAX_PAUSES_PER_CLOCK + 1]
        .join(", ");
    let e = policy_err(&format!(
        "slakit: 1\nslas:\n  - {{id: lead, clock: {{start: merged, stop: succeeded, pauses: [{pauses}]}}, window: month, targets: {{default: {{max: 4h, objective: 90%}}}}}}\n"
    ));
    assert_eq!(e.code, ErrorCode::PolicyTooManyItems, "{e}");
    assert!(
        e.message.contains("101 pauses in the clock of SLA `lead`"),
        "{e}"
    );
    assert_eq!(e.location.path.as_deref(), Some("/slas/0/clock/pauses"));

    // At the limit is fine.
    let pauses =
        vec!["{from: approval_requested, to: approval_granted}"; MAX_PAUSES_PER_CLOCK].join(", ");
    let ok = Policy::from_yaml(&format!(
        "slakit: 1\nslas:\n  - {{id: lead, clock: {{start: merged, stop: succeeded, pauses: [{pauses}]}}, window: month, targets: {{default: {{max: 4h, objective: 90%}}}}}}\n"
    ));
    assert!(ok.is_ok() || ok.as_ref().err().unwrap().code != ErrorCode::PolicyTooManyItems);
}

const BUSINESS: &str = "slakit: 1\ncalendars:\n  ny: {timezone: America/New_York, hours: {mon-fri: [\"09:00-17:00\"]}}\nslas:\n  - {id: lead, clock: {start: merged, stop: succeeded, calendar: ny}, window: month, targets: {default: {max: 4h, objective: 90%}}}\n";

#[test]
fn a_business_calendar_is_walked_over_at_most_a_century() {
    let p = Policy::from_yaml(BUSINESS).unwrap();
    let records = parse_records(
        "{\"deployment\":\"d1\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\",\"service\":\"a\"}\n{\"deployment\":\"d0\",\"event\":\"merged\",\"time\":\"0226-03-02T10:00:00Z\",\"service\":\"a\"}\n",
    )
    .unwrap();
    let as_of = instant::parse("2026-03-31T00:00:00Z").unwrap();
    let e = p.evaluate(&records, as_of).unwrap_err();
    assert_eq!(e.code, ErrorCode::SpanTooLong, "{e}");
    assert_eq!(e.location.record_index, Some(1));
    assert!(
        e.message.contains("0226-03-02T10:00:00Z") && e.message.contains("100 years"),
        "{e}"
    );
    assert_eq!(
        p.explain(&records, "d1", as_of).unwrap_err().code,
        ErrorCode::SpanTooLong
    );
    // Every way to evaluate refuses it alike.
    let refused = [
        p.evaluate_deferred(&records, as_of).err(),
        p.evaluate_owned(records.clone(), as_of).err(),
        p.evaluate_partial(&records, as_of).err(),
    ];
    #[cfg(feature = "parallel")]
    let refused = refused
        .into_iter()
        .chain([p.evaluate_parallel(&records, as_of).err()]);
    for e in refused {
        let e = e.expect("refused");
        assert_eq!(e.code, ErrorCode::SpanTooLong, "{e}");
        assert_eq!(e.location.record_index, Some(1));
    }
    // The gate evaluates only deployments with an event in an open window:
    // d0 is not one of them, so its ancient event walks no calendar...
    let proposed = slakit::gate::parse_proposed(r#"{"deployment":"d9","service":"a"}"#).unwrap();
    assert!(p.gate(&records, &proposed, as_of).is_ok());
    // ...until d0 has an event this month.
    let mut active = records.clone();
    active.extend(
        parse_records(
            "{\"deployment\":\"d0\",\"event\":\"started\",\"time\":\"2026-03-03T10:00:00Z\"}\n",
        )
        .unwrap(),
    );
    let e = p.gate(&active, &proposed, as_of).unwrap_err();
    assert_eq!(e.code, ErrorCode::SpanTooLong);
    assert_eq!(e.location.record_index, Some(1));
    // Within a century: fine. Without a business calendar: no limit.
    assert!(p.evaluate(&records[..1], as_of).is_ok());
    let p24 = Policy::from_yaml(
        "slakit: 1\nslas:\n  - {id: lead, clock: {start: merged, stop: succeeded}, window: month, targets: {default: {max: 4h, objective: 90%}}}\n",
    )
    .unwrap();
    assert!(p24.evaluate(&records, as_of).is_ok());
    // Records after as_of do not count (evaluation ignores them).
    let early = instant::parse("0227-01-01T00:00:00Z").unwrap();
    assert!(p.evaluate(&records[1..], early).is_ok());
}

#[test]
fn a_calendar_that_never_opens_does_not_hang_evaluation() {
    let records = parse_records(
        "{\"deployment\":\"d1\",\"event\":\"merged\",\"time\":\"2026-03-02T10:00:00Z\",\"service\":\"a\"}\n",
    )
    .unwrap();
    let as_of = instant::parse("2026-03-31T00:00:00Z").unwrap();
    let run = |calendar: &str| {
        let p = Policy::from_yaml(&format!(
            "slakit: 1\ncalendars:\n  never: {calendar}\nslas:\n  - {{id: lead, clock: {{start: merged, stop: succeeded, calendar: never}}, window: month, warn_at: [50%], targets: {{default: {{max: 4h, objective: 90%}}}}}}\n"
        ))
        .unwrap();
        p.evaluate(&records, as_of).unwrap().to_value()["deployments"][0].clone()
    };
    // No hours at all: elapsed 0, no breach_at, ever.
    let entry = run("{hours: {}}");
    assert_eq!(entry["elapsed_ms"], 0, "{entry:#}");
    assert!(
        entry.get("breach_at").is_none_or(|b| b.is_null()),
        "{entry:#}"
    );
    // Every day a holiday for 400 days: closed until 2027-02-05, then open
    // around the clock, so the 4 h are used up at 04:00 that day.
    let holidays: Vec<String> = (0..400)
        .map(|d| {
            (chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(d))
                .to_string()
        })
        .collect();
    let entry = run(&format!(
        "{{hours: {{mon-sun: [\"00:00-24:00\"]}}, holidays: [{}]}}",
        holidays.join(", ")
    ));
    assert_eq!(entry["elapsed_ms"], 0, "{entry:#}");
    assert_eq!(entry["breach_at"], "2027-02-05T04:00:00Z", "{entry:#}");
}
