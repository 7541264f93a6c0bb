//! The monthly SLA dashboard: a report as one self-contained HTML page.
//!
//! [`dashboard`] turns a [`Report`] into a single HTML document — inline CSS
//! and inline SVG charts, no script, no font, no network — that opens from
//! an email attachment or a CI artifact and prints to PDF. It is a view of
//! the report, like the table and Markdown renderings: pure, so the same
//! report always gives byte-identical HTML (nothing about the moment of
//! rendering is written; every list has a fixed order).
//!
//! The page is rendered by an askama template (`templates/dashboard.html`),
//! compiled into the crate and type-checked against the view model below;
//! askama escapes every value for HTML, so text from telemetry (a service
//! named `<script>`) stays text. The charts come from [`chart`], which
//! escapes its own text.
//!
//! A dashboard over a huge report stays usable: long tables stop at
//! [`Limits::rows`] rows and each SLA draws at most [`Limits::charts`] small
//! multiples, worst first; the page says how many more the JSON report has.

pub mod chart;

use std::collections::BTreeMap;

use askama::Template;

use crate::error::{Error, ErrorCode, Result};
use crate::evaluation::{EntryRef, Section};
use crate::render::{
    is_count_kind, not_counted, percent, segment_text, short_instant, target_text, value_text,
};
use crate::report::{Breach, DeploymentEntry, Evidence, Report, ResultRow, VendorRow};
use crate::units::format_duration;
use chart::{BudgetBar, LineChart, Point, Scale, Status};

/// How much of a large report the page shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Rows of each table (breaches, in-flight deployments, current
    /// windows, findings); the rest is counted, not listed.
    pub rows: usize,
    /// Small multiples per SLA, worst segments first.
    pub charts: usize,
}

impl Default for Limits {
    /// 200 table rows, 24 charts per SLA.
    fn default() -> Self {
        Limits {
            rows: 200,
            charts: 24,
        }
    }
}

/// The report as a self-contained HTML dashboard, with the default [`Limits`].
pub fn dashboard(report: &Report) -> Result<String> {
    dashboard_with(report, Limits::default())
}

/// The report as a self-contained HTML dashboard.
pub fn dashboard_with(report: &Report, limits: Limits) -> Result<String> {
    dashboard_of(report, Section::of_report(report), limits)
}

/// The deployment entries the dashboard reads: running clocks, and the
/// entries of the breaches it shows (breached clocks, failed deployments,
/// and those that caused a failure).
pub(crate) fn dashboard_lists(state: &str, caused_failure: bool) -> bool {
    caused_failure || matches!(state, "breached" | "failed" | "in_flight")
}

/// [`dashboard_with`], the deployments section read from `section` (of
/// which only the entries [`dashboard_lists`] are read).
pub(crate) fn dashboard_of(
    report: &Report,
    section: Section<'_>,
    limits: Limits,
) -> Result<String> {
    let page = Page::build(report, section, limits);
    let html = page.render().map_err(|e| {
        Error::new(
            ErrorCode::Internal,
            format!("the dashboard could not be rendered: {e}"),
        )
    })?;
    // A NUL (JSON allows `\u0000` in a service name) is not HTML; browsers
    // show U+FFFD for it, and C strings could not carry it.
    Ok(if html.contains('\0') {
        html.replace('\0', "\u{FFFD}")
    } else {
        html
    })
}

impl Report {
    /// The report as a self-contained HTML dashboard (see [`dashboard`]).
    pub fn to_html(&self) -> Result<String> {
        dashboard(self)
    }
}

/// Width of a small multiple and of a budget chart, in CSS pixels.
const CHART_W: f64 = 330.0;
const CHART_H: f64 = 170.0;
const BUDGET_W: f64 = 640.0;

// ---------------------------------------------------------------------------
// The view model: plain strings, already formatted, in display order.

/// The whole page.
#[derive(Template)]
#[template(path = "dashboard.html")]
struct Page {
    title: String,
    policy_name: String,
    /// What the header says about the policy version (§9b).
    policy_version: String,
    policy_digest: String,
    engine: String,
    as_of: String,
    as_of_short: String,
    records: u64,
    deployments: u64,
    ignored_future: u64,
    records_digest: String,
    tiles: Vec<Tile>,
    slas: Vec<SlaSection>,
    breaches: Table<BreachRow>,
    in_flight: Table<InFlightRow>,
    exclusions: Vec<ExclusionRow>,
    exceptions: Vec<ExceptionRow>,
    findings: Table<FindingRow>,
    vendors: Table<VendorLine>,
    credits: Vec<String>,
    warnings: Vec<(String, String)>,
    limits: Limits,
}

/// A capped list: the rows shown and how many were left out.
struct Table<T> {
    rows: Vec<T>,
    total: usize,
    hidden: usize,
}

impl<T> Table<T> {
    fn capped(mut rows: Vec<T>, cap: usize) -> Table<T> {
        let total = rows.len();
        rows.truncate(cap);
        Table {
            hidden: total - rows.len(),
            total,
            rows,
        }
    }
}

/// A summary tile: one SLA's current window.
struct Tile {
    sla: String,
    anchor: String,
    kind: String,
    window: String,
    status: String,
    status_text: String,
    headline: String,
    detail: String,
    budget: String,
    breaches: usize,
    segments: String,
}

/// One SLA: its charts, its budget and its current rows.
struct SlaSection {
    sla: String,
    anchor: String,
    kind: String,
    target: String,
    charts: Vec<String>,
    charts_hidden: usize,
    segments: usize,
    budget_svg: Option<String>,
    budget_window: String,
    /// Which policy versions judged the windows (empty: an unversioned policy).
    versions: String,
    current: Table<CurrentRow>,
}

/// One row of the current window of an SLA.
struct CurrentRow {
    id: String,
    segment: String,
    status: String,
    status_text: String,
    value: String,
    target: String,
    measured: i64,
    breaches: usize,
    budget: String,
    trend: String,
    not_counted: String,
}

/// One breach.
struct BreachRow {
    id: String,
    sla: String,
    window: String,
    deployment: String,
    service: String,
    team: String,
    elapsed: String,
    target: String,
    over: String,
    wall: String,
    reason: String,
    pauses: Vec<String>,
    vendor: Vec<String>,
    evidence: Vec<String>,
}

/// One deployment whose clock is still running.
struct InFlightRow {
    deployment: String,
    sla: String,
    service: String,
    team: String,
    elapsed: String,
    remaining: String,
    consumed: String,
    breach_at: String,
    at_risk: bool,
}

struct ExclusionRow {
    id: String,
    effect: String,
    period: String,
    services: String,
    reason: String,
}

struct ExceptionRow {
    id: String,
    period: String,
    emergency: bool,
    scope: String,
    approved_by: String,
}

struct FindingRow {
    kind: String,
    message: String,
}

/// A vendor in one month (§9).
struct VendorLine {
    vendor: String,
    month: String,
    down: String,
    availability: String,
    promised: String,
    status: String,
    status_text: String,
    credit: String,
    amount: String,
    outages: String,
}

// ---------------------------------------------------------------------------
// Building it.

fn status_word(status: &str) -> String {
    match status {
        "breached" => "BREACHED".to_string(),
        "at_risk" => "AT RISK".to_string(),
        "met" => "MET".to_string(),
        "no_data" => "NO DATA".to_string(),
        other => other.replace('_', " ").to_uppercase(),
    }
}

/// The tier and the group_by values of a row: `tier1 · service=checkout`.
fn segment_label(row: &ResultRow) -> String {
    match segment_text(row) {
        Some(rest) => format!("{} · {rest}", row.tier),
        None => row.tier.clone(),
    }
}

/// An anchor for an SLA section (ids may hold any character).
fn anchor(sla: &str) -> String {
    let slug: String = sla
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("sla-{slug}")
}

fn value_of(row: &ResultRow) -> Option<f64> {
    row.value.as_ref().and_then(|v| v.as_f64())
}

/// The line a row is judged against, on the chart's scale.
fn target_of(row: &ResultRow) -> Option<f64> {
    let t = &row.target;
    match row.kind.as_str() {
        "duration" => t.objective,
        "deployment_frequency" => t.required.or(t.min),
        "change_failure_rate" => t.max,
        _ => t.min.or(t.max),
    }
}

/// A value for reading, not auditing: percentages with at most two
/// decimals (`71.43%`), counts as they are. The status badge carries the
/// verdict; the JSON report and the chart tooltips keep the exact value.
fn shown_value(row: &ResultRow) -> String {
    match value_of(row) {
        None => "no data".to_string(),
        Some(v) if is_count_kind(&row.kind) => value_text(row).unwrap_or_else(|| v.to_string()),
        Some(v) => {
            let text = format!("{:.2}", v * 100.0);
            let text = text.trim_end_matches('0').trim_end_matches('.');
            format!("{}%", if text == "-0" { "0" } else { text })
        }
    }
}

/// The exact value, as the table and Markdown renderings print it.
fn exact_value(row: &ResultRow) -> String {
    value_text(row).unwrap_or_else(|| "no data".to_string())
}

fn budget_text(row: &ResultRow) -> String {
    match row.error_budget {
        Some(b) if b.remaining >= 0 => format!("{} of {} left", b.remaining, b.allowed),
        Some(b) => format!("overspent by {} ({} allowed)", -b.remaining, b.allowed),
        None => "—".to_string(),
    }
}

fn instant(text: &str) -> String {
    format!("{}Z", short_instant(text))
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

impl Page {
    fn build(report: &Report, entries: Section<'_>, limits: Limits) -> Page {
        // Rows by SLA, in report order (the policy's SLA order is kept by
        // first appearance; rows are sorted by the engine).
        let mut order: Vec<&str> = Vec::new();
        let mut by_sla: BTreeMap<&str, Vec<&ResultRow>> = BTreeMap::new();
        for row in &report.results {
            if !by_sla.contains_key(row.sla.as_str()) {
                order.push(row.sla.as_str());
            }
            by_sla.entry(row.sla.as_str()).or_default().push(row);
        }
        let mut tiles = Vec::new();
        let mut slas = Vec::new();
        for sla in &order {
            let rows = by_sla.get(sla).map(Vec::as_slice).unwrap_or(&[]);
            let current = current_rows(rows);
            tiles.push(tile(sla, &current));
            slas.push(section(sla, rows, &current, limits));
        }

        let mut breaches: Vec<(&ResultRow, &Breach)> = report
            .results
            .iter()
            .flat_map(|r| r.breaches.iter().map(move |b| (r, b)))
            .collect();
        breaches.sort_by(|(ra, a), (rb, b)| {
            // Worst first: the furthest over target, then rate breaches
            // (no duration), newest window first, then by SLA and id.
            b.over_ms
                .is_some()
                .cmp(&a.over_ms.is_some())
                .then(b.over_ms.cmp(&a.over_ms))
                .then(rb.window.start.cmp(&ra.window.start))
                .then(ra.sla.cmp(&rb.sla))
                .then(a.deployment.cmp(&b.deployment))
                .then(ra.id.cmp(&rb.id))
        });
        let shown = breaches.get(..limits.rows).unwrap_or(&breaches);
        // The deployment entries of the breaches shown, and only those: the
        // section can hold millions.
        let wanted: std::collections::BTreeSet<(&str, &str)> = shown
            .iter()
            .map(|(row, b)| (row.sla.as_str(), b.deployment.as_str()))
            .collect();
        let mut shown_entries: BTreeMap<(&str, &str), DeploymentEntry> = BTreeMap::new();
        if !wanted.is_empty() {
            for d in entries.iter() {
                if let Some(&key) = wanted.get(&(d.sla, d.deployment)) {
                    shown_entries.insert(key, d.to_entry());
                }
            }
        }
        let breach_rows: Vec<BreachRow> = shown
            .iter()
            .map(|(row, b)| {
                breach_row(
                    row,
                    b,
                    shown_entries.get(&(row.sla.as_str(), b.deployment.as_str())),
                )
            })
            .collect();
        let breaches = Table {
            total: breaches.len(),
            hidden: breaches.len() - breach_rows.len(),
            rows: breach_rows,
        };

        let mut running: Vec<DeploymentEntry> = entries
            .iter()
            .filter(|d| d.state == "in_flight")
            .map(EntryRef::to_entry)
            .collect();
        // Soonest deadline first; a deadline that never comes last.
        running.sort_by(|a, b| {
            let da = a.breach_at.as_ref().and_then(|x| x.as_deref());
            let db = b.breach_at.as_ref().and_then(|x| x.as_deref());
            da.is_none()
                .cmp(&db.is_none())
                .then(da.cmp(&db))
                .then(a.sla.cmp(&b.sla))
                .then(a.deployment.cmp(&b.deployment))
        });
        let in_flight = Table::capped(running.iter().map(in_flight_row).collect(), limits.rows);

        let exclusions = report
            .in_force
            .exclusions
            .iter()
            .map(|e| ExclusionRow {
                id: e.id.clone(),
                effect: e.effect.clone(),
                period: format!("{} → {}", instant(&e.from), instant(&e.to)),
                services: e
                    .services
                    .as_ref()
                    .map(|s| s.join(", "))
                    .unwrap_or_else(|| "all services".to_string()),
                reason: match (&e.reason, &e.vendor) {
                    (Some(r), Some(v)) => format!("{r} (vendor {v})"),
                    (Some(r), None) => r.clone(),
                    (None, Some(v)) => format!("vendor {v}"),
                    (None, None) => "—".to_string(),
                },
            })
            .collect();
        let exceptions = report
            .in_force
            .exceptions
            .iter()
            .map(|e| {
                let mut scope = Vec::new();
                if let Some(s) = &e.services {
                    scope.push(format!("services {}", s.join(", ")));
                }
                if let Some(d) = &e.deployments {
                    scope.push(format!("deployments {}", d.join(", ")));
                }
                ExceptionRow {
                    id: e.id.clone(),
                    period: format!("{} → {}", instant(&e.from), instant(&e.to)),
                    emergency: e.emergency,
                    scope: if scope.is_empty() {
                        "everything".to_string()
                    } else {
                        scope.join("; ")
                    },
                    approved_by: e.approved_by.clone().unwrap_or_else(|| "—".to_string()),
                }
            })
            .collect();
        let findings = Table::capped(
            report
                .findings
                .iter()
                .map(|f| FindingRow {
                    kind: f.kind.clone(),
                    message: f.message.clone(),
                })
                .collect(),
            limits.rows,
        );

        let vendors = Table::capped(
            report.vendors.iter().map(vendor_line).collect(),
            limits.rows,
        );
        let credits = credits_due(&report.vendors);

        Page {
            title: format!(
                "{} — SLA dashboard at {}",
                report.policy.name,
                instant(&report.as_of)
            ),
            policy_name: report.policy.name.clone(),
            policy_version: version_header(report),
            policy_digest: report.policy.digest.clone(),
            engine: format!("{} {}", report.engine.name, report.engine.version),
            as_of: report.as_of.clone(),
            as_of_short: instant(&report.as_of),
            records: report.inputs.records,
            deployments: report.inputs.deployments,
            ignored_future: report.inputs.ignored_future,
            records_digest: report.inputs.digest.clone(),
            tiles,
            slas,
            breaches,
            in_flight,
            exclusions,
            exceptions,
            findings,
            vendors,
            credits,
            warnings: report
                .warnings
                .iter()
                .map(|w| (w.code.clone(), w.message.clone()))
                .collect(),
            limits,
        }
    }
}

/// The rows of an SLA's current window: the open one, else the latest.
fn current_rows<'a>(rows: &[&'a ResultRow]) -> Vec<&'a ResultRow> {
    let open: Vec<&ResultRow> = rows
        .iter()
        .copied()
        .filter(|r| r.window.state == "open")
        .collect();
    if !open.is_empty() {
        return open;
    }
    let latest = rows.iter().map(|r| r.window.start.as_str()).max();
    rows.iter()
        .copied()
        .filter(|r| Some(r.window.start.as_str()) == latest)
        .collect()
}

/// The worst row: highest severity, then lowest margin to target.
fn worst<'a>(rows: &[&'a ResultRow]) -> Option<&'a ResultRow> {
    rows.iter().copied().max_by(|a, b| {
        Status::parse(&a.status)
            .severity()
            .cmp(&Status::parse(&b.status).severity())
            .then(margin(b).total_cmp(&margin(a)))
            // max_by keeps the last of equals: prefer the first segment.
            .then(b.id.cmp(&a.id))
    })
}

/// How far a row is on the good side of its target (negative: the bad side).
fn margin(row: &ResultRow) -> f64 {
    match (value_of(row), target_of(row)) {
        (Some(v), Some(t)) if row.kind == "change_failure_rate" => t - v,
        (Some(v), Some(t)) => v - t,
        _ => 0.0,
    }
}

fn tile(sla: &str, current: &[&ResultRow]) -> Tile {
    let worst_row = worst(current);
    let status = worst_row
        .map(|r| r.status.clone())
        .unwrap_or_else(|| "no_data".into());
    let met = current.iter().filter(|r| r.status == "met").count();
    let (headline, detail) = match worst_row {
        Some(r) => {
            let value = shown_value(r);
            let target = target_text(r);
            if current.len() == 1 {
                (value, format!("target {target}"))
            } else {
                (
                    value,
                    format!("worst segment {}, target {target}", segment_label(r)),
                )
            }
        }
        None => ("no data".to_string(), String::new()),
    };
    let budgets: Vec<_> = current.iter().filter_map(|r| r.error_budget).collect();
    let budget = if budgets.is_empty() {
        "—".to_string()
    } else {
        let allowed: i64 = budgets.iter().map(|b| b.allowed).sum();
        let remaining: i64 = budgets.iter().map(|b| b.remaining).sum();
        if remaining >= 0 {
            format!("{remaining} of {allowed} left")
        } else {
            format!("overspent by {} ({allowed} allowed)", -remaining)
        }
    };
    Tile {
        sla: sla.to_string(),
        anchor: anchor(sla),
        kind: current.first().map(|r| r.kind.clone()).unwrap_or_default(),
        window: current
            .first()
            .map(|r| format!("{} ({})", r.window.label, r.window.state))
            .unwrap_or_default(),
        status_text: status_word(&status),
        status,
        headline,
        detail,
        budget,
        breaches: current.iter().map(|r| r.breaches.len()).sum(),
        segments: format!("{met} of {} met", plural(current.len(), "segment")),
    }
}

fn section(sla: &str, rows: &[&ResultRow], current: &[&ResultRow], limits: Limits) -> SlaSection {
    let kind = rows.first().map(|r| r.kind.clone()).unwrap_or_default();
    let scale = if is_count_kind(&kind) {
        Scale::Count
    } else {
        Scale::Ratio
    };
    // Every window of the SLA, so the small multiples share an x axis.
    let windows: BTreeMap<&str, &str> = rows
        .iter()
        .map(|r| (r.window.start.as_str(), r.window.label.as_str()))
        .collect();
    let mut segments: BTreeMap<String, Vec<&ResultRow>> = BTreeMap::new();
    for r in rows {
        segments.entry(segment_label(r)).or_default().push(r);
    }
    let mut ranked: Vec<(usize, &String, &Vec<&ResultRow>)> = segments
        .iter()
        .map(|(label, rs)| {
            (
                rs.iter().filter(|r| r.status == "breached").count(),
                label,
                rs,
            )
        })
        .collect();
    // Worst segments first (most breached windows), then by name.
    ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let charts: Vec<String> = ranked
        .iter()
        .take(limits.charts)
        .map(|(_, label, rs)| {
            let by_start: BTreeMap<&str, &ResultRow> =
                rs.iter().map(|r| (r.window.start.as_str(), *r)).collect();
            let points = windows
                .iter()
                .map(|(start, label)| match by_start.get(start) {
                    Some(r) => Point {
                        label: (*label).to_string(),
                        value: value_of(r),
                        target: target_of(r),
                        status: Status::parse(&r.status),
                        tooltip: format!(
                            "{}: {} against {} — {}",
                            r.window.label,
                            exact_value(r),
                            target_text(r),
                            status_word(&r.status)
                        ),
                    },
                    None => Point {
                        label: (*label).to_string(),
                        value: None,
                        target: None,
                        status: Status::NoData,
                        tooltip: format!("{label}: no deployments in scope"),
                    },
                })
                .collect();
            let title = if segments.len() == 1 {
                format!("{sla} ({label})")
            } else {
                (*label).clone()
            };
            LineChart {
                title,
                scale,
                points,
                width: CHART_W,
                height: CHART_H,
            }
            .svg()
        })
        .collect();

    let bars: Vec<BudgetBar> = current
        .iter()
        .filter_map(|r| {
            r.error_budget.map(|b| BudgetBar {
                label: segment_label(r),
                allowed: b.allowed,
                used: b.allowed - b.remaining,
            })
        })
        .collect();
    let budget_window = current
        .first()
        .map(|r| r.window.label.clone())
        .unwrap_or_default();
    let budget_svg = (!bars.is_empty()).then(|| {
        chart::budget_bars(
            &anchor(sla),
            &format!("{sla}: error budget of {budget_window}"),
            &bars,
            BUDGET_W,
        )
    });

    let mut current_sorted: Vec<&ResultRow> = current.to_vec();
    current_sorted.sort_by(|a, b| {
        Status::parse(&b.status)
            .severity()
            .cmp(&Status::parse(&a.status).severity())
            .then(margin(a).total_cmp(&margin(b)))
            .then(a.id.cmp(&b.id))
    });
    let current_rows = current_sorted
        .iter()
        .map(|r| CurrentRow {
            id: r.id.clone(),
            segment: segment_label(r),
            status: r.status.clone(),
            status_text: status_word(&r.status),
            value: shown_value(r),
            target: target_text(r),
            measured: r.measured,
            breaches: r.breaches.len(),
            budget: budget_text(r),
            trend: trend_text(r),
            not_counted: not_counted(r).unwrap_or_default(),
        })
        .collect();

    SlaSection {
        sla: sla.to_string(),
        anchor: anchor(sla),
        target: rows
            .first()
            .map(|r| match r.kind.as_str() {
                "duration" => "compliance (share of deployments within the target time) per window against the objective".to_string(),
                "deployment_frequency" => "deployments per window against the required count".to_string(),
                "change_failure_rate" => "change failure rate per window against the highest allowed (lower is better)".to_string(),
                _ => "success rate per window against the lowest allowed".to_string(),
            })
            .unwrap_or_default(),
        kind,
        charts_hidden: ranked.len().saturating_sub(charts.len()),
        segments: ranked.len(),
        charts,
        budget_svg,
        budget_window,
        versions: versions_note(rows),
        current: Table::capped(current_rows, limits.rows),
    }
}

fn evidence_line(e: &Evidence) -> String {
    let mut what = match (&e.event, &e.id) {
        (Some(ev), Some(id)) => format!("{ev} {id}"),
        (Some(ev), None) => ev.to_string(),
        (None, Some(id)) => format!("{} {id}", e.kind),
        (None, None) => e.kind.to_string(),
    };
    if let Some(t) = &e.time {
        what.push_str(&format!(" at {}", instant(t)));
    }
    format!("{what} ({})", e.role)
}

fn breach_row(row: &ResultRow, b: &Breach, entry: Option<&DeploymentEntry>) -> BreachRow {
    let pauses: Vec<String> = b
        .records
        .iter()
        .filter(|e| matches!(e.role.as_str(), "pause" | "resume" | "exclude" | "suspend"))
        .map(evidence_line)
        .collect();
    let evidence: Vec<String> = b
        .records
        .iter()
        .filter(|e| !matches!(e.role.as_str(), "pause" | "resume" | "exclude" | "suspend"))
        .map(evidence_line)
        .collect();
    BreachRow {
        id: b.id.clone(),
        sla: row.sla.clone(),
        window: row.window.label.clone(),
        deployment: b.deployment.to_string(),
        service: b.service.as_deref().unwrap_or("—").to_string(),
        team: entry
            .and_then(|d| d.team.as_deref())
            .unwrap_or("—")
            .to_string(),
        elapsed: b
            .elapsed_ms
            .map(format_duration)
            .unwrap_or_else(|| "—".into()),
        target: b
            .max_ms
            .map(format_duration)
            .unwrap_or_else(|| target_text(row)),
        over: b.over_ms.map(format_duration).unwrap_or_else(|| "—".into()),
        wall: entry
            .and_then(|d| d.actual_elapsed_ms)
            .filter(|_| b.elapsed_ms.is_some())
            .map(format_duration)
            .unwrap_or_default(),
        reason: b.reason.clone(),
        pauses,
        vendor: b
            .vendor_overlap
            .iter()
            .map(|v| {
                format!(
                    "overlapped {} of {} outage",
                    format_duration(v.ms),
                    v.vendor
                )
            })
            .collect(),
        evidence,
    }
}

fn in_flight_row(d: &DeploymentEntry) -> InFlightRow {
    InFlightRow {
        deployment: d.deployment.to_string(),
        sla: d.sla.to_string(),
        service: d.service.as_deref().unwrap_or("—").to_string(),
        team: d.team.as_deref().unwrap_or("—").to_string(),
        elapsed: d
            .elapsed_ms
            .map(format_duration)
            .unwrap_or_else(|| "—".into()),
        remaining: d
            .remaining_ms
            .map(format_duration)
            .unwrap_or_else(|| "—".into()),
        consumed: d.consumed.map(percent).unwrap_or_else(|| "—".into()),
        breach_at: match &d.breach_at {
            Some(Some(t)) => instant(t),
            Some(None) => "never (the calendar does not open again)".to_string(),
            None => "—".to_string(),
        },
        at_risk: d.warn.is_some(),
    }
}

/// The change against the previous window, in the row's unit: `▲ +5 pts`
/// (rates and compliance, in percentage points) or `▼ −2` (counts).
fn trend_text(row: &ResultRow) -> String {
    let Some(t) = &row.trend else {
        return "—".to_string();
    };
    let arrow = match t.direction.as_str() {
        "up" => "▲",
        "down" => "▼",
        _ => "■",
    };
    let sign = if t.delta > 0.0 {
        "+"
    } else if t.delta < 0.0 {
        "−"
    } else {
        "±"
    };
    let size = t.delta.abs();
    let amount = if is_count_kind(&row.kind) {
        let text = format!("{size:.2}");
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        let text = format!("{:.2}", size * 100.0);
        format!("{} pts", text.trim_end_matches('0').trim_end_matches('.'))
    };
    format!("{arrow} {sign}{amount}")
}

fn vendor_line(v: &VendorRow) -> VendorLine {
    let status = if v.met { "met" } else { "breached" };
    VendorLine {
        vendor: v.vendor.clone(),
        month: if v.window.state == "open" {
            format!("{} (so far)", v.window.label)
        } else {
            v.window.label.clone()
        },
        down: format_duration(v.down_ms),
        availability: percent(v.availability),
        promised: percent(v.promised),
        status: status.to_string(),
        status_text: if v.met { "MET" } else { "MISSED" }.to_string(),
        credit: if v.credit > 0.0 {
            percent(v.credit)
        } else {
            "—".to_string()
        },
        amount: match v.credit_amount {
            Some(a) if a > 0.0 => format!("{a:.2}"),
            Some(_) => "0.00".to_string(),
            None if v.credit > 0.0 => "no fee in the policy".to_string(),
            None => "—".to_string(),
        },
        outages: plural(v.outages.len(), "outage"),
    }
}

/// One sentence per vendor that owes a credit: the months and the total
/// amount (where the policy gives a monthly fee), in the report's vendor order.
fn credits_due(rows: &[VendorRow]) -> Vec<String> {
    let mut order: Vec<&str> = Vec::new();
    let mut by_vendor: BTreeMap<&str, Vec<&VendorRow>> = BTreeMap::new();
    for v in rows.iter().filter(|v| v.credit > 0.0) {
        if !by_vendor.contains_key(v.vendor.as_str()) {
            order.push(v.vendor.as_str());
        }
        by_vendor.entry(v.vendor.as_str()).or_default().push(v);
    }
    order
        .iter()
        .map(|vendor| {
            let months = by_vendor.get(vendor).map(Vec::as_slice).unwrap_or(&[]);
            let list: Vec<String> = months
                .iter()
                .map(|m| {
                    let open = if m.window.state == "open" {
                        ", so far"
                    } else {
                        ""
                    };
                    format!("{} ({}{open})", m.window.label, percent(m.credit))
                })
                .collect();
            let amounts: Vec<f64> = months.iter().filter_map(|m| m.credit_amount).collect();
            // Cents, so the sum is exact.
            let total: i64 = amounts.iter().map(|a| (a * 100.0).round() as i64).sum();
            let money = if amounts.len() == months.len() {
                format!(": {}.{:02} in all", total / 100, total % 100)
            } else {
                String::new()
            };
            format!("{vendor} owes a credit for {}{money}", list.join(", "))
        })
        .collect()
}

/// The header's policy version (§9b): the dated version in force at as_of,
/// else the base version — the file's top-level sections, which is all an
/// unversioned policy has (the report cannot tell the two apart, and need
/// not: either way the top-level sections were in force).
fn version_header(report: &Report) -> String {
    match &report.policy.version {
        Some(v) => format!("version effective from {} (in force at as_of)", instant(v)),
        None => {
            "base version (its top-level sections; no dated version in force at as_of)".to_string()
        }
    }
}

/// For a versioned policy, which version judged which windows of an SLA:
/// runs of consecutive windows under one version, oldest first, e.g.
/// `2026-01 to 2026-03 under the base version; 2026-04 to 2026-06 under the
/// version effective from 2026-04-01T04:00Z`. Empty for an unversioned
/// policy.
fn versions_note(rows: &[&ResultRow]) -> String {
    if rows.iter().all(|r| r.policy_version.is_none()) {
        return String::new();
    }
    // One version per window (every segment of a window shares it).
    let windows: BTreeMap<&str, (&str, Option<&str>)> = rows
        .iter()
        .map(|r| {
            (
                r.window.start.as_str(),
                (r.window.label.as_str(), r.policy_version.as_deref()),
            )
        })
        .collect();
    let mut runs: Vec<(&str, &str, Option<&str>)> = Vec::new();
    for (label, version) in windows.values() {
        match runs.last_mut() {
            Some(run) if run.2 == *version => run.1 = label,
            _ => runs.push((label, label, *version)),
        }
    }
    runs.iter()
        .map(|(first, last, version)| {
            let span = if first == last {
                (*first).to_string()
            } else {
                format!("{first} to {last}")
            };
            match version {
                Some(v) => format!("{span} under the version effective from {}", instant(v)),
                None => format!("{span} under the base version"),
            }
        })
        .collect::<Vec<_>>()
        .join("; ")
}
