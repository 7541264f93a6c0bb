//! The DORA summary (issue #7 item 6): each metric on a small history
//! computed by hand, each denominator edge, the `dora:` policy block, and the
//! same section from `evaluate`, `evaluate_parallel` and split partials.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use slakit::dora::DoraRow;
use slakit::record::Record;
use slakit::{ErrorCode, Policy, instant, parse_records};

const H: i64 = 3_600_000;

const POLICY: &str = r#"
slakit: 1
name: dora-test
tiers: [tier1, tier2]
services:
  checkout: {tier: tier1, team: payments}
  search:   {tier: tier2, team: discovery}
exclusions:
  - {id: mw, reason: maintenance, from: "2026-03-20T00:00:00Z", to: "2026-03-20T06:00:00Z", effect: exclude}
slas:
  - id: cfr
    kind: change_failure_rate
    window: month
    targets: {default: {max: 50%}}
"#;

/// January: one change. February: none. March: every denominator edge.
/// April (open at as_of): none.
const RECORDS: &str = r#"
{"deployment":"j1","event":"merged","time":"2026-01-15T00:00:00Z","service":"checkout","environment":"production","release_type":"minor"}
{"deployment":"j1","event":"started","time":"2026-01-15T01:00:00Z"}
{"deployment":"j1","event":"succeeded","time":"2026-01-15T03:00:00Z"}
{"deployment":"c1","event":"merged","time":"2026-03-02T10:00:00Z","service":"checkout","environment":"production","release_type":"minor"}
{"deployment":"c1","event":"started","time":"2026-03-02T11:00:00Z"}
{"deployment":"c1","event":"succeeded","time":"2026-03-02T12:00:00Z"}
{"deployment":"c2","event":"merged","time":"2026-03-03T08:00:00Z","service":"checkout","environment":"production","release_type":"minor"}
{"deployment":"c2","event":"started","time":"2026-03-03T09:00:00Z"}
{"deployment":"c2","event":"succeeded","time":"2026-03-03T14:00:00Z"}
{"kind":"outage","id":"OUT-1","service":"checkout","from":"2026-03-03T14:30:00Z","to":"2026-03-03T15:00:00Z"}
{"deployment":"c3","event":"merged","time":"2026-03-04T00:00:00Z","service":"checkout","environment":"production","release_type":"patch"}
{"deployment":"c3","event":"started","time":"2026-03-05T00:00:00Z"}
{"deployment":"c3","event":"succeeded","time":"2026-03-05T01:00:00Z"}
{"deployment":"c3","event":"rollback_started","time":"2026-03-05T02:00:00Z"}
{"deployment":"c4","event":"started","time":"2026-03-06T10:00:00Z","service":"checkout","environment":"production","release_type":"patch"}
{"deployment":"c4","event":"succeeded","time":"2026-03-06T11:00:00Z"}
{"kind":"outage","id":"OUT-2","service":"checkout","from":"2026-03-06T12:30:00Z","to":"2026-03-06T12:40:00Z"}
{"deployment":"c5","event":"started","time":"2026-03-25T00:00:00Z","service":"checkout","environment":"production","release_type":"minor"}
{"deployment":"s1","event":"merged","time":"2026-03-10T00:00:00Z","service":"search","environment":"production","release_type":"minor"}
{"deployment":"s1","event":"started","time":"2026-03-10T01:00:00Z"}
{"deployment":"s1","event":"succeeded","time":"2026-03-10T10:00:00Z"}
{"kind":"outage","id":"OUT-CDN","service":"search","from":"2026-03-10T10:30:00Z","to":"2026-03-10T11:00:00Z","vendor":"cdn"}
{"kind":"incident","id":"INC-1","service":"search","opened":"2026-03-11T00:00:00Z","resolved":"2026-03-11T02:00:00Z","deployment":"s1"}
{"deployment":"s2","event":"started","time":"2026-03-20T01:00:00Z","service":"search","environment":"production"}
{"deployment":"s2","event":"succeeded","time":"2026-03-20T02:00:00Z"}
{"deployment":"s3","event":"started","time":"2026-03-21T00:00:00Z","service":"search","environment":"production"}
{"deployment":"s3","event":"preflight_failed","time":"2026-03-21T00:05:00Z"}
{"deployment":"s4","event":"merged","time":"2026-03-21T23:00:00Z","service":"search","environment":"production","release_type":"hotfix"}
{"deployment":"s4","event":"started","time":"2026-03-22T00:00:00Z"}
{"deployment":"s4","event":"succeeded","time":"2026-03-22T00:30:00Z"}
{"kind":"exception","id":"EX-1","deployments":["s4"],"from":"2026-03-22T00:00:00Z","to":"2026-03-22T01:00:00Z","emergency":false,"approved_by":"cab"}
{"deployment":"s5","event":"started","time":"2026-03-23T00:00:00Z","service":"search","environment":"staging","release_type":"minor"}
{"deployment":"s5","event":"succeeded","time":"2026-03-23T00:10:00Z"}
{"kind":"incident","id":"INC-2","service":"checkout","opened":"2026-03-28T00:00:00Z"}
"#;

const AS_OF: &str = "2026-04-10T00:00:00Z";

fn records() -> Vec<Record> {
    parse_records(RECORDS).unwrap()
}

fn report(policy: &str) -> slakit::Report {
    Policy::from_yaml(policy)
        .unwrap()
        .evaluate(&records(), instant::parse(AS_OF).unwrap())
        .unwrap()
}

fn row<'a>(r: &'a slakit::Report, label: &str, by: &str, value: Option<&str>) -> &'a DoraRow {
    r.dora
        .rows
        .iter()
        .find(|x| {
            x.window.label == label && x.segment.by == by && x.segment.value.as_deref() == value
        })
        .unwrap_or_else(|| panic!("no dora row {label} {by}={value:?}"))
}

/// (deployments, succeeded, failed, in_progress, excluded, suspended)
fn counts(r: &DoraRow) -> (i64, i64, i64, i64, i64, i64) {
    (
        r.deployments,
        r.succeeded,
        r.failed,
        r.in_progress,
        r.excluded,
        r.suspended,
    )
}

#[test]
fn the_whole_organisation_month_by_month() {
    let r = report(POLICY);
    let d = &r.dora;
    assert_eq!(d.window, "month");
    assert_eq!(d.segments, ["all", "service", "team", "release_type"]);
    assert_eq!(d.attribution_ms, H);

    // January: a single change: p50 = p90 = its lead time.
    let jan = row(&r, "2026-01", "all", None);
    assert_eq!(counts(jan), (1, 1, 0, 0, 0, 0));
    assert_eq!(jan.window.state, "closed");
    assert_eq!(
        (
            jan.deployment_frequency.count,
            jan.deployment_frequency.days
        ),
        (1, 31)
    );
    assert_eq!(jan.deployment_frequency.per_day, 0.032258);
    assert_eq!(
        (
            jan.lead_time_for_changes.samples,
            jan.lead_time_for_changes.p50_ms,
            jan.lead_time_for_changes.p90_ms
        ),
        (1, Some(3 * H), Some(3 * H))
    );
    assert_eq!(jan.change_failure_rate.value, Some(0.0));

    // February: no deployment at all — a row of zeros, no rate, no percentile.
    let feb = row(&r, "2026-02", "all", None);
    assert_eq!(counts(feb), (0, 0, 0, 0, 0, 0));
    assert_eq!(
        (
            feb.deployment_frequency.count,
            feb.deployment_frequency.days
        ),
        (0, 28)
    );
    assert_eq!(feb.deployment_frequency.per_day, 0.0);
    assert_eq!(feb.lead_time_for_changes.p50_ms, None);
    assert_eq!(feb.change_failure_rate.measured, 0);
    assert_eq!(feb.change_failure_rate.value, None);
    assert_eq!(feb.time_to_restore.incidents, 0);

    // March: s5 (staging) is out of scope; s2 excluded (exclusion `mw` at its
    // anchor), s3 excluded (preflight_failed), s4 suspended (EX-1), c5 in progress.
    let mar = row(&r, "2026-03", "all", None);
    assert_eq!(counts(mar), (9, 4, 1, 1, 2, 1));
    assert_eq!(mar.deployment_frequency.count, 4);
    assert_eq!(mar.deployment_frequency.per_day, 0.129032); // 4 / 31
    // Lead times of c1, c2, s1: 2h, 6h, 10h; c4 has no `merged`; c3 failed.
    assert_eq!(
        (
            mar.lead_time_for_changes.samples,
            mar.lead_time_for_changes.unmeasured,
            mar.lead_time_for_changes.p50_ms,
            mar.lead_time_for_changes.p90_ms
        ),
        (3, 1, Some(6 * H), Some(10 * H))
    );
    // Caused a failure: c3 (rolled back), c2 (OUT-1 within 1h of its success),
    // s1 (INC-1 links it; the cdn outage is a vendor's and charges nobody).
    // OUT-2 came 1h30 after c4's success: outside the default 1h attribution.
    let cfr = &mar.change_failure_rate;
    assert_eq!(
        (cfr.measured, cfr.caused_failure, cfr.value),
        (5, 3, Some(0.6))
    );
    // INC-1 restored in 2h; INC-2 still open at as_of.
    let ttr = &mar.time_to_restore;
    assert_eq!(
        (
            ttr.incidents,
            ttr.restored,
            ttr.unresolved,
            ttr.p50_ms,
            ttr.p90_ms
        ),
        (2, 1, 1, Some(2 * H), Some(2 * H))
    );

    // April is open: nothing yet; per-day over the 10 days begun by as_of.
    let apr = row(&r, "2026-04", "all", None);
    assert_eq!(apr.window.state, "open");
    assert_eq!(counts(apr), (0, 0, 0, 0, 0, 0));
    assert_eq!(apr.deployment_frequency.days, 10);
    assert_eq!(
        r.dora.rows.iter().filter(|x| x.segment.by == "all").count(),
        4
    );
}

#[test]
fn segments_by_service_team_and_release_type() {
    let r = report(POLICY);
    let checkout = row(&r, "2026-03", "service", Some("checkout"));
    assert_eq!(counts(checkout), (5, 3, 1, 1, 0, 0));
    assert_eq!(
        (
            checkout.change_failure_rate.caused_failure,
            checkout.change_failure_rate.value
        ),
        (2, Some(0.5))
    );
    // [2h, 6h]: p50 is rank 1, p90 rank 2.
    assert_eq!(
        (
            checkout.lead_time_for_changes.p50_ms,
            checkout.lead_time_for_changes.p90_ms
        ),
        (Some(2 * H), Some(6 * H))
    );
    assert_eq!(
        (
            checkout.time_to_restore.incidents,
            checkout.time_to_restore.unresolved,
            checkout.time_to_restore.p50_ms
        ),
        (1, 1, None)
    );
    // The team comes from the catalog: the same figures as its only service.
    let payments = row(&r, "2026-03", "team", Some("payments"));
    assert_eq!(counts(payments), counts(checkout));

    let search = row(&r, "2026-03", "service", Some("search"));
    assert_eq!(counts(search), (4, 1, 0, 0, 2, 1));
    assert_eq!(search.change_failure_rate.value, Some(1.0));
    assert_eq!(search.time_to_restore.p50_ms, Some(2 * H));
    // checkout had a quiet February; search starts in March.
    assert_eq!(
        counts(row(&r, "2026-02", "service", Some("checkout"))),
        (0, 0, 0, 0, 0, 0)
    );
    assert!(
        !r.dora
            .rows
            .iter()
            .any(|x| x.window.label == "2026-02" && x.segment.value.as_deref() == Some("search"))
    );

    // Release types: INC-1 counts for its linked change's type (minor);
    // INC-2 links nothing: release type unknown (null), with s2 and s3.
    let minor = row(&r, "2026-03", "release_type", Some("minor"));
    assert_eq!(counts(minor), (4, 3, 0, 1, 0, 0));
    assert_eq!(minor.change_failure_rate.value, Some(0.666667));
    assert_eq!(minor.time_to_restore.restored, 1);
    let unknown = row(&r, "2026-03", "release_type", None);
    assert_eq!(counts(unknown), (2, 0, 0, 0, 2, 0));
    assert_eq!(unknown.time_to_restore.unresolved, 1);
    let hotfix = row(&r, "2026-03", "release_type", Some("hotfix"));
    assert_eq!(counts(hotfix), (1, 0, 0, 0, 0, 1));
    assert_eq!(hotfix.change_failure_rate.value, None);

    // Order: window, then `all`, service, team, release_type, values null first.
    let march: Vec<String> = r
        .dora
        .rows
        .iter()
        .filter(|x| x.window.label == "2026-03")
        .map(|x| {
            format!(
                "{}={}",
                x.segment.by,
                x.segment.value.as_deref().unwrap_or("-")
            )
        })
        .collect();
    assert_eq!(
        march,
        [
            "all=-",
            "service=checkout",
            "service=search",
            "team=discovery",
            "team=payments",
            "release_type=-",
            "release_type=hotfix",
            "release_type=minor",
            "release_type=patch"
        ]
    );
    let ids: Vec<&str> = r.dora.rows.iter().map(|x| x.id.as_str()).collect();
    assert!(ids.contains(&"dora/2026-03-01T00:00:00Z/service=checkout"));
    assert!(ids.contains(&"dora/2026-03-01T00:00:00Z/release_type=-"));
}

#[test]
fn the_dora_block_sets_window_segments_scope_and_attribution() {
    // Quarters, by tier only, every environment, outages charged up to 2h back.
    let policy = POLICY.replacen(
        "slas:",
        "dora:\n  window: quarter\n  segments: [tier]\n  scope: {}\n  attribution: 2h\nslas:",
        1,
    );
    let r = report(&policy);
    assert_eq!(r.dora.window, "quarter");
    assert_eq!(r.dora.segments, ["all", "tier"]);
    let q1 = row(&r, "2026-Q1", "all", None);
    // s5 (staging) now counts: 11 deployments, 6 succeeded.
    assert_eq!(counts(q1), (11, 6, 1, 1, 2, 1));
    let tier2 = row(&r, "2026-Q1", "tier", Some("tier2"));
    assert_eq!(counts(tier2), (5, 2, 0, 0, 2, 1));
    assert_eq!(q1.deployment_frequency.days, 90);

    // Attribution 2h: OUT-2 now reaches c4 (1h30 before it); OUT-1 still
    // goes to c2 alone, the latest change, not to c1 as well.
    assert_eq!(q1.change_failure_rate.caused_failure, 4);

    // Scope by service: only search, and only its incidents.
    let policy = POLICY.replacen(
        "slas:",
        "dora:\n  scope: {services: [search]}\n  segments: []\nslas:",
        1,
    );
    let r = report(&policy);
    let mar = row(&r, "2026-03", "all", None);
    assert_eq!(counts(mar), (5, 2, 0, 0, 2, 1));
    assert_eq!(mar.time_to_restore.incidents, 1);
    assert!(r.dora.rows.iter().all(|x| x.segment.by == "all"));
}

fn policy_error(block: &str) -> slakit::Error {
    Policy::from_yaml(&POLICY.replacen("slas:", &format!("{block}\nslas:"), 1)).unwrap_err()
}

#[test]
fn a_bad_dora_block_is_refused_with_its_location() {
    let e = policy_error("dora:\n  windw: month");
    assert_eq!(e.code, ErrorCode::UnknownField);
    assert!(e.message.contains("windw"), "{}", e.message);
    assert_eq!(e.location.path.as_deref(), Some("/dora/windw"));
    assert!(e.location.line.is_some(), "{e:?}");

    let e = policy_error("dora:\n  window: {rolling: 28d}");
    assert_eq!(e.location.path.as_deref(), Some("/dora/window"), "{e:?}");

    let e = policy_error("dora:\n  segments: [service, owner]");
    assert!(e.message.contains("owner"), "{}", e.message);
    assert_eq!(
        e.location.path.as_deref(),
        Some("/dora/segments/1"),
        "{e:?}"
    );

    let e = policy_error("dora:\n  segments: [team, team]");
    assert_eq!(e.code, ErrorCode::InvalidValue);
    assert_eq!(e.location.path.as_deref(), Some("/dora/segments/1"));

    let e = policy_error("dora:\n  scope: {tiers: [gold]}");
    assert_eq!(e.code, ErrorCode::UnknownTier);
    assert_eq!(e.location.path.as_deref(), Some("/dora/scope/tiers/0"));

    let e = policy_error("dora:\n  attribution: 0m");
    assert_eq!(
        e.location.path.as_deref(),
        Some("/dora/attribution"),
        "{e:?}"
    );
}

#[test]
fn the_same_section_from_evaluate_parallel_and_partials() {
    let policy = Policy::from_yaml(POLICY).unwrap();
    let records = records();
    let as_of = instant::parse(AS_OF).unwrap();
    let whole = policy.evaluate(&records, as_of).unwrap();
    assert!(!whole.dora.rows.is_empty());
    #[cfg(feature = "parallel")]
    {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let parallel = pool
            .install(|| policy.evaluate_parallel(&records, as_of))
            .unwrap();
        assert_eq!(parallel.to_json(), whole.to_json());
    }
    // One partition per deployment, interval records everywhere, merged backwards.
    let mut ids: Vec<&str> = records
        .iter()
        .filter_map(|r| match r {
            Record::Event(e) => Some(e.deployment.as_str()),
            _ => None,
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let partials: Vec<slakit::Partial> = ids
        .iter()
        .map(|id| {
            let part: Vec<Record> = records
                .iter()
                .filter(|r| !matches!(r, Record::Event(e) if e.deployment != *id))
                .cloned()
                .collect();
            let p = policy.evaluate_partial(&part, as_of).unwrap();
            slakit::Partial::from_bytes(&p.to_bytes().unwrap()).unwrap()
        })
        .collect();
    let merged = partials
        .into_iter()
        .rev()
        .reduce(|a, b| a.merge(b).unwrap())
        .unwrap();
    let report = merged.finish(&policy).unwrap();
    assert_eq!(report.dora, whole.dora);
    assert_eq!(report.to_json(), whole.to_json());
}

#[test]
fn the_section_reads_back_and_is_in_the_example() {
    let r = report(POLICY);
    let back = slakit::Report::from_json(&r.to_json()).unwrap();
    assert_eq!(back.dora, r.dora);
    // A stored report from before the section still reads (as an empty section).
    let mut v = r.to_value();
    v.as_object_mut().unwrap().remove("dora");
    let old = slakit::Report::from_value(v).unwrap();
    assert!(old.dora.rows.is_empty());
}
