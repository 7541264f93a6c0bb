//! The bundled example (`examples/policy.yaml` + `examples/records.jsonl`)
//! must keep exercising what `examples/README.md` says it does, so that the
//! example cannot silently rot when the engine, the policy or the generator
//! changes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;
use slakit::record::Record;
use slakit::report::{DeploymentEntry, Report, ResultRow};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
}

struct Example {
    policy: slakit::Policy,
    records: Vec<Record>,
    as_of: i64,
    report: Report,
    /// scenario tag (`attrs.scenario` of a scripted deployment) -> deployment id
    scenarios: BTreeMap<String, String>,
}

fn example() -> Example {
    let policy = slakit::Policy::from_yaml(&read("examples/policy.yaml")).unwrap();
    let records = slakit::parse_records(&read("examples/records.jsonl")).unwrap();
    let as_of = slakit::evaluate::latest_event_time(&records).unwrap();
    let report = policy.evaluate(&records, as_of).unwrap();
    let mut scenarios = BTreeMap::new();
    for r in &records {
        if let Record::Event(e) = r
            && let Some(tag) = e
                .attrs()
                .and_then(|a| a.get("scenario"))
                .and_then(Value::as_str)
        {
            scenarios.insert(tag.to_string(), e.deployment.to_string());
        }
    }
    Example {
        policy,
        records,
        as_of,
        report,
        scenarios,
    }
}

impl Example {
    fn dep(&self, tag: &str) -> &str {
        self.scenarios
            .get(tag)
            .unwrap_or_else(|| panic!("no scripted deployment `{tag}` in records.jsonl"))
    }

    fn entry(&self, sla: &str, tag: &str) -> &DeploymentEntry {
        let id = self.dep(tag);
        self.report
            .deployments
            .iter()
            .find(|d| d.sla == sla && d.deployment == id)
            .unwrap_or_else(|| panic!("{id} ({tag}) has no entry for SLA `{sla}`"))
    }

    fn rows(&self, sla: &str) -> Vec<&ResultRow> {
        self.report
            .results
            .iter()
            .filter(|r| r.sla == sla)
            .collect()
    }

    /// Wall time between the first `from` and the first `to` event of a deployment.
    fn wall(&self, id: &str, from: &str, to: &str) -> i64 {
        let at = |name: &str| {
            self.records
                .iter()
                .filter_map(|r| match r {
                    Record::Event(e) if e.deployment == id && e.event == name => Some(e.time),
                    _ => None,
                })
                .min()
                .unwrap_or_else(|| panic!("{id} has no `{name}` event"))
        };
        at(to) - at(from)
    }
}

#[test]
fn the_policy_checks_clean_and_the_report_has_no_warnings() {
    let ex = example();
    assert_eq!(ex.policy.check(), vec![], "`slakit check` must be silent");
    assert_eq!(
        ex.report.warnings,
        vec![],
        "records carry only defined fields"
    );
    assert_eq!(ex.report.policy.name, "acme-release-sla");
}

#[test]
fn the_data_is_one_quarter_ending_at_the_latest_event() {
    let ex = example();
    assert_eq!(ex.report.as_of, "2026-03-31T20:45:00Z");
    assert_eq!(slakit::instant::format(ex.as_of), ex.report.as_of);
    assert_eq!(ex.report.inputs.ignored_future, 0);
    let n = ex.report.inputs.deployments;
    assert!((300..=500).contains(&n), "{n} deployments");
    let size = std::fs::metadata(root().join("examples/records.jsonl"))
        .unwrap()
        .len();
    assert!(size < 400_000, "records.jsonl is {size} bytes");
    let kinds: BTreeSet<&str> = ex.records.iter().map(Record::kind).collect();
    assert_eq!(
        kinds,
        BTreeSet::from(["event", "exception", "exclusion", "incident", "outage"])
    );
    // The last month is the open window.
    let open: BTreeSet<&str> = ex
        .rows("lead-time")
        .iter()
        .filter(|r| r.window.state == "open")
        .map(|r| r.window.start.as_str())
        .collect();
    assert_eq!(open, BTreeSet::from(["2026-03-01T05:00:00Z"]));
}

#[test]
fn every_rule_kind_produces_rows_with_a_mix_of_statuses() {
    let ex = example();
    let kinds: BTreeSet<&str> = ex.report.results.iter().map(|r| r.kind.as_str()).collect();
    assert_eq!(
        kinds,
        BTreeSet::from([
            "change_failure_rate",
            "deployment_frequency",
            "duration",
            "success_rate"
        ])
    );
    for sla in [
        "lead-time",
        "lead-time-eu",
        "success-rate",
        "change-failure-rate",
        "deployment-frequency",
    ] {
        let statuses: BTreeSet<&str> = ex.rows(sla).iter().map(|r| r.status.as_str()).collect();
        assert!(
            statuses.contains("met") && statuses.contains("breached"),
            "{sla}: {statuses:?}"
        );
    }
    // at_risk: an in-flight clock past warn_at, and an open week below target.
    assert!(
        ex.rows("lead-time")
            .iter()
            .any(|r| r.status == "at_risk" && r.window.state == "open")
    );
    assert!(
        ex.rows("deployment-frequency")
            .iter()
            .any(|r| r.status == "at_risk" && r.window.state == "open")
    );
    assert!(ex.report.has_breach(), "`--fail-on-breach` would fail");
    let tiers: BTreeSet<&str> = ex.report.results.iter().map(|r| r.tier.as_str()).collect();
    assert_eq!(
        tiers,
        BTreeSet::from(["default", "tier1", "tier2", "tier3"])
    );
}

#[test]
fn every_deployment_state_appears() {
    let ex = example();
    let states = |sla: &str| -> BTreeSet<&str> {
        ex.report
            .deployments
            .iter()
            .filter(|d| d.sla == sla)
            .map(|d| d.state.as_str())
            .collect()
    };
    assert_eq!(
        states("lead-time"),
        BTreeSet::from([
            "breached",
            "cancelled",
            "excluded",
            "in_flight",
            "met",
            "suspended",
            "unmeasured"
        ])
    );
    assert_eq!(
        states("success-rate"),
        BTreeSet::from([
            "excluded",
            "failed",
            "in_progress",
            "succeeded",
            "suspended"
        ])
    );
    // The counts of a row partition its deployments: summed over the rows
    // of one SLA and window, they give every deployment entry of that window.
    let mut rows: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for r in &ex.report.results {
        let counted = r.measured
            + r.excluded
            + r.suspended
            + r.unmeasured.unwrap_or(0)
            + r.cancelled.unwrap_or(0)
            + r.in_flight.unwrap_or(0)
            + r.in_progress.unwrap_or(0);
        let judged = r.met.unwrap_or(0) + r.breached.unwrap_or(0);
        let rated = r.succeeded.unwrap_or(0) + r.failed.unwrap_or(0);
        assert_eq!(r.measured, judged.max(rated), "{}", r.id);
        *rows.entry((&r.sla, &r.window.start)).or_default() += counted;
    }
    let mut entries: BTreeMap<(&str, &str), i64> = BTreeMap::new();
    for d in &ex.report.deployments {
        *entries.entry((&d.sla, &d.window_start)).or_default() += 1;
    }
    assert_eq!(rows, entries);
}

#[test]
fn exclusions_exceptions_and_pauses_do_what_the_readme_says() {
    let ex = example();
    // One-off maintenance window, effect exclude: excluded from every SLA,
    // even the deployment that failed inside it.
    for tag in [
        "excluded-by-maintenance-window",
        "failed-inside-maintenance-window",
    ] {
        for sla in ["lead-time", "success-rate", "change-failure-rate"] {
            let e = ex.entry(sla, tag);
            assert_eq!(e.state, "excluded");
            assert_eq!(e.exclusion.as_deref(), Some("mw-2026-02-14-dc-migration"));
        }
    }
    let e = ex.entry("success-rate", "preflight-aborted");
    assert_eq!(
        (e.state.as_str(), e.reason.as_deref()),
        ("excluded", Some("preflight_failed"))
    );

    // The approval pause: the clock stopped over the weekend.
    let id = ex.dep("approval-over-weekend");
    let e = ex.entry("lead-time", "approval-over-weekend");
    assert_eq!(e.state, "met");
    assert_eq!(e.elapsed_ms, Some(2 * 3_600_000 + 5 * 60_000));
    assert!(e.actual_elapsed_ms.unwrap() < ex.wall(id, "merged", "health_validated"));
    let explained = ex.policy.explain(&ex.records, id, ex.as_of).unwrap();
    let lead = explained
        .slas
        .iter()
        .find(|s| s.sla == "lead-time")
        .unwrap();
    assert!(
        lead.timeline
            .iter()
            .any(|s| s.kind == "paused" && s.detail.contains("approval_requested"))
    );

    // The recurring Sunday maintenance pauses a 24x7 clock: 2h50m of wall
    // time, 50m counted, within the 90m target.
    let id = ex.dep("paused-by-sunday-maintenance");
    let e = ex.entry("deploy-duration", "paused-by-sunday-maintenance");
    assert_eq!(ex.wall(id, "started", "health_validated"), 170 * 60_000);
    assert_eq!((e.state.as_str(), e.elapsed_ms), ("met", Some(50 * 60_000)));

    // The vendor exclusion record pauses checkout's clocks.
    let e = ex.entry("deploy-duration", "paused-by-vendor-exclusion");
    assert!(
        e.elapsed_ms.unwrap()
            < ex.wall(
                ex.dep("paused-by-vendor-exclusion"),
                "started",
                "health_validated"
            )
    );
    assert!(
        ex.rows("lead-time")
            .iter()
            .any(|r| r.exclusions.iter().any(|x| x == "EXC-2026-007-edgecdn"))
    );

    // Emergencies: out of lead-time scope, suspended everywhere else.
    let emergencies: Vec<&String> = ex
        .scenarios
        .iter()
        .filter(|(tag, _)| tag.starts_with("emergency-"))
        .map(|(_, id)| id)
        .collect();
    assert_eq!(emergencies.len(), 6);
    for id in emergencies {
        for d in ex.report.deployments.iter().filter(|d| d.deployment == id) {
            assert_ne!(d.sla, "lead-time", "emergencies are exempt from lead time");
            assert_eq!(d.state, "suspended", "{id} under {}", d.sla);
        }
    }
    // The planned exception in the policy is in force at as_of.
    assert!(
        ex.report
            .deployments
            .iter()
            .any(|d| d.exception.as_deref() == Some("EX-2026-010-reco-replatform"))
    );
    let in_force: Vec<&str> = ex
        .report
        .in_force
        .exceptions
        .iter()
        .map(|x| x.id.as_str())
        .collect();
    assert_eq!(in_force, ["EX-2026-010-reco-replatform"]);
}

#[test]
fn findings_flag_unjustified_emergencies_and_too_many_exceptions() {
    let ex = example();
    let mut got: Vec<(String, String)> = ex
        .report
        .findings
        .iter()
        .map(|f| {
            let key = f
                .details
                .get("exception")
                .or_else(|| f.details.get("service"))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            (f.kind.clone(), key)
        })
        .collect();
    got.sort();
    let want = [
        ("exception_frequency", "checkout"),
        ("unjustified_emergency", "EX-2026-002"), // never justified
        ("unjustified_emergency", "EX-2026-003"), // justified after the deadline
    ];
    assert_eq!(
        got,
        want.map(|(a, b)| (a.to_string(), b.to_string())).to_vec()
    );
}

#[test]
fn in_flight_clocks_report_consumption_and_deadlines() {
    let ex = example();
    let e = ex.entry("lead-time", "in-flight-at-risk");
    assert_eq!(e.state, "in_flight");
    assert_eq!(e.warn, Some(0.75));
    assert!(e.consumed.unwrap() >= 0.75 && e.consumed.unwrap() < 1.0);
    assert!(matches!(&e.breach_at, Some(Some(t)) if t.as_str() > ex.report.as_of.as_str()));

    let e = ex.entry("lead-time", "in-flight-already-breached");
    assert_eq!(e.state, "breached", "a running clock past max is breached");
    assert!(matches!(&e.breach_at, Some(Some(t)) if t.as_str() < ex.report.as_of.as_str()));

    let e = ex.entry("lead-time", "in-flight-awaiting-approval");
    assert_eq!(e.state, "in_flight");
    assert_eq!(e.warn, None);

    let e = ex.entry("lead-time-eu", "in-flight-eu-at-risk");
    assert_eq!((e.state.as_str(), e.warn), ("in_flight", Some(0.75)));
}

#[test]
fn change_failure_rate_charges_the_right_changes() {
    let ex = example();
    let charged: BTreeMap<String, Vec<String>> = ex
        .rows("change-failure-rate")
        .iter()
        .flat_map(|r| r.breaches.iter())
        .map(|b| {
            let ids = b
                .records
                .iter()
                .filter_map(|e| e.id.as_deref().map(str::to_string))
                .collect();
            (b.deployment.to_string(), ids)
        })
        .collect();
    // An outage 6 minutes after the change's health check is charged to it.
    let id = ex.dep("outage-charged-to-change");
    assert_eq!(charged[id], ["OUT-2026-012"]);
    let all: Vec<&String> = charged.values().flatten().collect();
    // A vendor's outage, an outage with no change before it, and one after a
    // suspended emergency change are charged to nobody.
    for free in ["OUT-2026-031", "OUT-2026-004", "OUT-2026-019"] {
        assert!(!all.iter().any(|x| *x == free), "{free} was charged");
    }
    // Incidents linked to changes; the ticket sent twice counts once.
    let incidents = all.iter().filter(|x| x.starts_with("INC-")).count();
    assert_eq!(incidents, 9);
    assert!(
        ex.rows("change-failure-rate")
            .iter()
            .all(|r| r.caused_failure.unwrap() >= r.failed.unwrap())
    );
}

#[test]
fn windows_follow_the_policy_time_zones() {
    let ex = example();
    // Berlin months for the EU SLA, New York months and weeks elsewhere.
    assert_eq!(
        ex.rows("lead-time-eu")[0].window.start,
        "2025-12-31T23:00:00Z"
    );
    assert_eq!(ex.rows("lead-time")[0].window.start, "2026-01-01T05:00:00Z");
    // The rolling window ends at as_of and lists only what it holds.
    let rolling = ex.rows("deploy-duration");
    assert!(
        rolling
            .iter()
            .all(|r| r.window.start == "2026-03-03T20:45:00Z"
                && r.window.end == ex.report.as_of
                && r.window.state == "open")
    );
    assert!(
        ex.report
            .deployments
            .iter()
            .filter(|d| d.sla == "deploy-duration")
            .all(|d| d.anchor.as_str() >= "2026-03-03T20:45:00Z")
    );
    // A quiet week is a row with value 0; weeks in March start at 04:00Z (DST).
    let quiet = ex
        .rows("deployment-frequency")
        .into_iter()
        .find(|r| {
            r.window.start == "2026-02-23T05:00:00Z"
                && r.segment.get("team") == Some(&Some("internal-tools".to_string()))
        })
        .unwrap();
    assert_eq!(
        (quiet.status.as_str(), quiet.value.clone()),
        ("breached", Some(Value::from(0)))
    );
    assert!(
        ex.rows("deployment-frequency")
            .iter()
            .any(|r| r.window.start == "2026-03-09T04:00:00Z")
    );
}

#[test]
fn the_report_does_not_depend_on_record_order() {
    let ex = example();
    let mut reversed = ex.records.clone();
    reversed.reverse();
    let again = ex.policy.evaluate(&reversed, ex.as_of).unwrap();
    assert_eq!(again.to_json(), ex.report.to_json());
}

#[test]
fn the_readme_names_the_scripted_deployments_correctly() {
    let ex = example();
    let readme = read("examples/README.md");
    let mut seen = 0;
    for line in readme.lines() {
        // rows such as: | `approval-over-weekend` | `D-1271` | ... |
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        if cells.len() < 4 {
            continue;
        }
        let (tag, id) = (cells[1].trim_matches('`'), cells[2].trim_matches('`'));
        if !id.starts_with("D-") {
            continue;
        }
        assert_eq!(
            ex.dep(tag),
            id,
            "examples/README.md names the wrong id for `{tag}`"
        );
        seen += 1;
    }
    assert_eq!(
        seen,
        ex.scenarios.len(),
        "every scripted deployment is in the README table"
    );
}

#[test]
fn the_records_are_what_the_generator_writes() {
    // The generator is the source of truth for records.jsonl; skip (loudly)
    // where no Python is installed.
    let out = std::process::Command::new("python3")
        .arg(root().join("examples/generate_records.py"))
        .arg("--stdout")
        .output();
    match out {
        Ok(out) if out.status.success() => assert!(
            out.stdout == read("examples/records.jsonl").into_bytes(),
            "examples/records.jsonl is stale: run `python3 examples/generate_records.py`"
        ),
        Ok(out) => panic!(
            "generate_records.py failed: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Err(e) => eprintln!("skipped: python3 is not available ({e})"),
    }
}
