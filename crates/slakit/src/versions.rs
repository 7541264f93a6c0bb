//! Policy versions (SPEC §9b): one report out of the reports of each version.
//!
//! A versioned policy is compiled into one [`Policy`] per era (the base, then
//! each version with every section it does not name inherited,
//! [`Policy::eras`]). Each era in force by as_of judges the records under its
//! own rules (the partials carry one phase-1 result per era, see
//! [`crate::partial`]); `compose` then keeps, from each era's report, the
//! windows that *start* in that era, so every window is judged under the
//! version in force at its start and a closed window never changes when a
//! later version is appended.
//!
//! From the version in force at as_of come the report's `vendors`,
//! `findings`, `in_force` and `warnings` (what to act on now); trends and
//! `trend_rising` are recomputed over the composed rows.

use crate::instant;
use crate::policy::{Era, Policy};
use crate::report::{Report, Text};

/// The report of a versioned policy: `reports` are the finished reports of
/// the eras in force by `as_of`, in era order (the base first).
pub(crate) fn compose(policy: &Policy, as_of: i64, reports: Vec<(Era<'_>, Report)>) -> Report {
    let order = policy.sla_order();
    let rank = |sla: &str| order.iter().position(|s| s == sla).unwrap_or(order.len());
    let at = |text: &str| instant::parse(text).unwrap_or(i64::MIN);
    let current = reports
        .iter()
        .rposition(|(era, _)| era.from <= as_of)
        .unwrap_or(0);
    let mut results = Vec::new();
    let mut entries = Vec::new();
    let mut base: Option<Report> = None;
    let mut now: Option<(Era<'_>, Report)> = None;
    for (i, (era, mut report)) in reports.into_iter().enumerate() {
        let label = era.label.map(str::to_string);
        for mut row in std::mem::take(&mut report.results) {
            if era.holds(at(&row.window.start)) {
                row.policy_version = label.clone();
                row.trend = None;
                results.push(row);
            }
        }
        for mut entry in std::mem::take(&mut report.deployments) {
            if era.holds(at(&entry.window_start)) {
                entry.policy_version = label.as_deref().map(Text::from);
                entries.push(entry);
            }
        }
        if i == 0 {
            base = Some(report.clone());
        }
        if i == current {
            now = Some((era, report));
        }
    }
    // Eras are in time order and each era's rows are sorted (§5.4), so a
    // stable sort by SLA keeps window, tier and segment order within an SLA.
    results.sort_by_key(|r| rank(&r.sla));
    entries.sort_by_key(|e| (rank(&e.sla), at(&e.anchor)));
    crate::trends::annotate(&mut results);

    let Some((era, mut report)) = now else {
        // No era is in force: unreachable (the base always is), but never panic.
        return Report {
            results,
            deployments: entries,
            ..base.unwrap_or_else(|| empty(policy, as_of))
        };
    };
    let mut findings: Vec<_> = std::mem::take(&mut report.findings)
        .into_iter()
        .filter(|f| f.kind != "trend_rising")
        .collect();
    findings.extend(crate::trends::findings(era.policy, &results));
    report.findings = findings;
    report.results = results;
    report.deployments = entries;
    if let Some(b) = base {
        // The inputs figures do not depend on the policy; only the base
        // partial keeps the event lines of the inputs digest.
        report.inputs = b.inputs;
    }
    report.policy.version = era.label.map(str::to_string);
    report
}

/// A report with nothing in it (a defensive fallback).
fn empty(policy: &Policy, as_of: i64) -> Report {
    Report {
        engine: crate::report::Engine {
            name: "slakit".into(),
            version: crate::VERSION.into(),
        },
        as_of: instant::format(as_of),
        policy: crate::report::PolicyInfo {
            name: policy.name.clone(),
            digest: policy.digest.clone(),
            version: None,
        },
        inputs: crate::report::Inputs {
            records: 0,
            deployments: 0,
            ignored_future: 0,
            digest: String::new(),
        },
        results: Vec::new(),
        deployments: Vec::new(),
        vendors: Vec::new(),
        dora: crate::dora::Dora::default(),
        findings: Vec::new(),
        in_force: crate::report::InForce::default(),
        warnings: Vec::new(),
    }
}
