//! Gates (SPEC §9a): "may this deployment proceed now?" for CI/CD pipelines.
//!
//! `gate(policy, records, proposed, at)` evaluates the history at `at` and
//! checks every configured gate; the decision lists every gate that denied,
//! each naming the gate, its id and the evidence. An `emergency` deployment
//! covered by an `emergency: true` exception is allowed anyway, and the
//! denials become `emergency_override` findings, to be justified (§8).

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Months, NaiveDate};
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

use crate::calendar::local_date;
use crate::error::{Error, ErrorCode, Result};
use crate::evaluate::{Deployment, build_world, in_scope};
use crate::instant;
use crate::policy::{BlackoutSpan, BreakerScope, Policy, SlaKind, Window};
use crate::record::Record;
use crate::report::{Finding, PolicyInfo, Report, Text};
use crate::window::window_of;

/// The deployment a pipeline proposes: the attributes of a deployment record.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, JsonSchema)]
pub struct Proposed {
    /// Deployment id (its `canary_passed` events are looked up by it).
    pub deployment: String,
    /// The service to deploy.
    pub service: Option<String>,
    /// The target environment.
    pub environment: Option<String>,
    /// The release type (`emergency` may override denials).
    pub release_type: Option<String>,
    /// The team, when the catalog names none.
    pub team: Option<String>,
}

impl Proposed {
    /// Read a proposed deployment from a JSON object. Unknown fields are an
    /// error here (a typo would silently widen or narrow the gates).
    pub fn from_value(value: Value) -> Result<Proposed> {
        let Value::Object(map) = value else {
            return Err(Error::new(
                ErrorCode::InvalidRecordField,
                "the proposed deployment must be a JSON object such as {\"deployment\": \"d-1\", \"service\": \"checkout\"}",
            ));
        };
        let mut p = Proposed::default();
        for (k, v) in map {
            let text = match v {
                Value::String(s) => Some(s),
                Value::Null => None,
                other => {
                    return Err(Error::new(
                        ErrorCode::InvalidRecordField,
                        format!(
                            "field `{k}` of the proposed deployment must be a string, not `{other}`"
                        ),
                    )
                    .at_path(format!("/{k}")));
                }
            };
            match k.as_str() {
                "deployment" => p.deployment = text.unwrap_or_default(),
                "service" => p.service = text,
                "environment" => p.environment = text,
                "release_type" => p.release_type = text,
                "team" => p.team = text,
                "event" | "time" | "kind" | "id" => {}
                other => {
                    return Err(Error::new(
                        ErrorCode::InvalidRecordField,
                        format!(
                            "unknown field `{other}` in the proposed deployment; expected deployment, service, environment, release_type, team"
                        ),
                    )
                    .at_path(format!("/{other}")));
                }
            }
        }
        if p.deployment.is_empty() {
            return Err(Error::new(
                ErrorCode::MissingRecordField,
                "the proposed deployment needs a `deployment` id",
            )
            .at_path("/deployment"));
        }
        Ok(p)
    }
}

/// One gate that denied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct GateReason {
    /// `blackout`, `deploy_hours`, `require_canary`, `circuit_breaker`, `error_budget`.
    pub gate: String,
    /// The blackout id, calendar name or similar.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Why, in words.
    pub message: String,
    /// Ids of what decided it: breached rows, breaches, records.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// The gate decision (§9a).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Decision {
    /// `allow` or `deny`.
    pub decision: String,
    /// The proposed deployment id.
    pub deployment: String,
    /// The instant of the decision.
    pub at: String,
    /// The deployment's tier (from the catalog).
    pub tier: String,
    /// Every gate that denied (empty when allowed, or moved to findings by an emergency override).
    pub reasons: Vec<GateReason>,
    /// `emergency_override` findings.
    pub findings: Vec<Finding>,
    /// The policy.
    pub policy: PolicyInfo,
}

impl Decision {
    /// True when the deployment may proceed.
    pub fn allowed(&self) -> bool {
        self.decision == "allow"
    }

    /// Pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }
}

fn applies(tiers: &Option<Vec<String>>, tier: &str) -> bool {
    tiers.as_ref().is_none_or(|t| t.iter().any(|x| x == tier))
}

/// The last `n` local days of the month or quarter containing `date`: (first, last).
fn last_days(date: NaiveDate, months: u32, n: u32) -> Option<(NaiveDate, NaiveDate)> {
    let first_month = if months == 3 {
        (date.month0() / 3) * 3 + 1
    } else {
        date.month()
    };
    let start = NaiveDate::from_ymd_opt(date.year(), first_month, 1)?;
    let last = start.checked_add_months(Months::new(months))?.pred_opt()?;
    let first = last.checked_sub_days(chrono::Days::new(u64::from(n.saturating_sub(1))))?;
    Some((first, last))
}

/// Decide whether `proposed` may deploy at `at` (UTC ms).
pub fn gate(policy: &Policy, records: &[Record], proposed: &Proposed, at: i64) -> Result<Decision> {
    // A versioned policy (§9b): the pipeline is judged by the version in force at `at`.
    let era = policy.era_at(at);
    let mut decision = decide(era.policy, records, proposed, at, true)?;
    decision.policy.version = era.label.map(str::to_string);
    Ok(decision)
}

/// The gate; `prune: false` evaluates every deployment of the recent history
/// (the reference the pruned decision is tested against).
fn decide(
    policy: &Policy,
    records: &[Record],
    proposed: &Proposed,
    at: i64,
    prune: bool,
) -> Result<Decision> {
    // Gates read only open windows (and the proposed deployment's own events),
    // so history before the earliest open window is left out up front.
    crate::evaluate::check_as_of(at)?;
    let recent = recent_history(policy, records, proposed, at);
    // Only what is evaluated walks a calendar, so only that is bounded.
    crate::limits::check_span(policy, recent.iter().copied(), at)?;
    let mut world = build_world(policy, recent.iter().map(|&(_, r)| r), at)?;
    let entry = policy.service_entry(proposed.service.as_deref());
    let tier = policy.tier_of(proposed.service.as_deref()).to_string();
    let team = entry
        .and_then(|s| s.team.clone())
        .or_else(|| proposed.team.clone());
    let g = &policy.gates;
    let mut reasons = Vec::new();

    let today = local_date(policy.tz, at);
    for b in g.blackouts.iter().filter(|b| applies(&b.tiers, &tier)) {
        let why = b
            .reason
            .as_deref()
            .map(|r| format!(" ({r})"))
            .unwrap_or_default();
        let denied = match b.span {
            BlackoutSpan::Fixed { from, to } => (from <= at && at < to).then(|| {
                format!(
                    "blackout `{}`{why} from {} to {}",
                    b.id,
                    instant::format(from),
                    instant::format(to)
                )
            }),
            BlackoutSpan::MonthlyLast(n) | BlackoutSpan::QuarterlyLast(n) => {
                let (months, unit) = if matches!(b.span, BlackoutSpan::MonthlyLast(_)) {
                    (1, "month")
                } else {
                    (3, "quarter")
                };
                last_days(today, months, n).filter(|(first, last)| (*first..=*last).contains(&today)).map(|(first, last)| {
                    format!(
                        "blackout `{}`{why}: the last {n} day(s) of the {unit}, {first} to {last} in {}",
                        b.id,
                        policy.tz.name()
                    )
                })
            }
        };
        if let Some(message) = denied {
            reasons.push(GateReason {
                gate: "blackout".into(),
                id: Some(b.id.clone()),
                message,
                evidence: Vec::new(),
            });
        }
    }

    if let Some((name, cal, tiers)) = &g.deploy_hours
        && applies(tiers, &tier)
        && !cal.is_open(at)
    {
        let next = cal
            .open_intervals(at, at.saturating_add(400 * 86_400_000))
            .first()
            .map(|iv| iv.0);
        reasons.push(GateReason {
            gate: "deploy_hours".into(),
            id: Some(name.clone()),
            message: format!(
                "outside deploy hours: calendar `{name}` is closed at {}{}",
                instant::format(at),
                next.map(|n| format!("; it opens at {}", instant::format(n)))
                    .unwrap_or_default()
            ),
            evidence: Vec::new(),
        });
    }

    if g.require_canary.contains(&tier) {
        let latest = world
            .deployments
            .iter()
            .find(|d| d.id == proposed.deployment)
            .and_then(|d| {
                d.events
                    .iter()
                    .rev()
                    .filter(|e| e.event() == "canary_passed" || e.event() == "canary_failed")
                    // The latest result; at the same instant a failure wins (fail closed).
                    .max_by_key(|e| (e.time, e.event() == "canary_failed"))
            });
        let ok = latest.is_some_and(|e| e.event() == "canary_passed");
        if !ok {
            let message = match latest {
                Some(e) => format!(
                    "tier `{tier}` requires a passed canary; the latest canary result of `{}` is `canary_failed` at {}",
                    proposed.deployment,
                    instant::format(e.time)
                ),
                None => format!(
                    "tier `{tier}` requires a `canary_passed` event of `{}` before {}",
                    proposed.deployment,
                    instant::format(at)
                ),
            };
            reasons.push(GateReason {
                gate: "require_canary".into(),
                id: Some(tier.clone()),
                message,
                evidence: Vec::new(),
            });
        }
    }

    if g.circuit_breaker.is_some() || g.error_budget {
        let names = crate::evaluate::Names::new(
            proposed.service.as_deref(),
            proposed.environment.as_deref(),
            proposed.release_type.as_deref(),
            &tier,
            team.as_deref(),
        );
        let pseudo = Deployment::new(
            Text::from(proposed.deployment.as_str()),
            Vec::new(),
            at,
            std::sync::Arc::new(names),
            crate::evaluate::NO_SIG,
        );
        if prune {
            keep_relevant(policy, &mut world.deployments, &pseudo);
        }
        // The gate reads rows and entries only: no input counts, no digest.
        let report = crate::evaluate::evaluate_world(policy, &[], &world, false);
        if let Some((max, scope)) = g.circuit_breaker {
            reasons.extend(circuit_breaker(
                &report,
                max,
                scope,
                proposed,
                team.as_deref(),
            ));
        }
        if g.error_budget {
            reasons.extend(error_budget(policy, &report, &pseudo));
        }
    }

    let mut findings = Vec::new();
    let emergency = proposed.release_type.as_deref() == Some("emergency");
    let cover = world
        .exceptions
        .iter()
        // An emergency approval overrides gates only while it is in force.
        .filter(|x| x.emergency && x.from <= at && at < x.to)
        .filter(|x| match &x.deployments {
            Some(list) => list.contains(&proposed.deployment),
            None => x
                .services
                .as_ref()
                .is_none_or(|s| proposed.service.as_ref().is_some_and(|svc| s.contains(svc))),
        })
        .min_by(|a, b| (a.from, &a.id).cmp(&(b.from, &b.id)));
    let decision = match (reasons.is_empty(), emergency, cover) {
        (true, _, _) => "allow",
        (false, true, Some(x)) => {
            for r in reasons.drain(..) {
                let mut details = BTreeMap::new();
                details.insert("gate".into(), Value::from(r.gate.clone()));
                if let Some(id) = &r.id {
                    details.insert("id".into(), Value::from(id.clone()));
                }
                details.insert("exception".into(), Value::from(x.id.clone()));
                let deadline = x.to.saturating_add(policy.justify_within_ms);
                details.insert("justify_by".into(), Value::from(instant::format(deadline)));
                if !r.evidence.is_empty() {
                    details.insert("evidence".into(), Value::from(r.evidence.clone()));
                }
                details.insert(
                    "deployment".into(),
                    Value::from(proposed.deployment.clone()),
                );
                findings.push(Finding {
                    kind: "emergency_override".into(),
                    message: format!(
                        "emergency deployment `{}` proceeds under exception `{}` despite: {}; justify it by {}",
                        proposed.deployment,
                        x.id,
                        r.message,
                        instant::format(deadline)
                    ),
                    details,
                });
            }
            "allow"
        }
        (false, _, _) => "deny",
    };
    Ok(Decision {
        decision: decision.into(),
        deployment: proposed.deployment.clone(),
        at: instant::format(at),
        tier,
        reasons,
        findings,
        policy: PolicyInfo {
            name: policy.name.clone(),
            digest: policy.digest.clone(),
            version: None,
        },
    })
}

/// The records a gate decision can depend on: every non-event record, the
/// proposed deployment's events, and every event of a deployment with an
/// event in or after the earliest open window of any SLA. A deployment with
/// no event since then is anchored in a closed window, which no gate reads.
///
/// One pass over the history: older events are set aside as (index, filter
/// slot) pairs and kept afterwards only when their deployment turned out to
/// be active, so a long history is read once. The result is in input order,
/// with input positions (for error locations).
fn recent_history<'a>(
    policy: &Policy,
    records: &'a [Record],
    proposed: &Proposed,
    at: i64,
) -> Vec<(usize, &'a Record)> {
    let cutoff = policy
        .slas
        .iter()
        .map(|s| match s.window {
            Window::Calendar(unit) => window_of(unit, s.tz, at).start,
            Window::Rolling(d) => at.saturating_sub(d),
        })
        .min()
        .unwrap_or(at);
    // A hash set (FxHash: fast on short ids), only looked up, never iterated,
    // so no order reaches output.
    let mut active: rustc_hash::FxHashSet<&str> = rustc_hash::FxHashSet::default();
    let mut filter = IdFilter::default();
    active.insert(proposed.deployment.as_str());
    filter.insert(&proposed.deployment);
    let mut kept: Vec<usize> = Vec::new();
    // Most of a long history is older: room for all of it up front (untouched
    // capacity costs nothing), so the pass never stops to copy the list.
    // Each entry is one word: the record's position above its filter slot.
    let mut older: Vec<u64> = Vec::with_capacity(records.len());
    for (i, r) in records.iter().enumerate() {
        match r {
            Record::Event(e) if e.time < cutoff => {
                older.push(((i as u64) << 16) | u64::from(IdFilter::key(&e.deployment)));
            }
            Record::Event(e) => {
                active.insert(e.deployment.as_str());
                filter.insert(&e.deployment);
                kept.push(i);
            }
            _ => kept.push(i),
        }
    }
    // The filter first: it turns most older events away without touching
    // their records again.
    kept.extend(
        older
            .into_iter()
            .filter(|&slot| filter.has(slot as u16))
            .filter_map(|slot| match records.get((slot >> 16) as usize) {
                Some(Record::Event(e)) if active.contains(e.deployment.as_str()) => {
                    Some((slot >> 16) as usize)
                }
                _ => None,
            }),
    );
    kept.sort_unstable();
    kept.into_iter()
        .filter_map(|i| records.get(i).map(|r| (i, r)))
        .collect()
}

/// A 65 536-bit membership filter keyed on an id's length and last eight
/// bytes: most of a long history belongs to no active deployment, and this
/// turns those away with a few instructions, before the hash set is asked.
/// A false positive only costs the hash-set lookup.
struct IdFilter {
    bits: Vec<u64>,
}

impl Default for IdFilter {
    fn default() -> Self {
        IdFilter {
            bits: vec![0; 1024],
        }
    }
}

impl IdFilter {
    /// The filter position of an id: a multiplicative hash of its length and
    /// last eight bytes.
    fn key(id: &str) -> u16 {
        let bytes = id.as_bytes();
        let n = bytes.len();
        // The last eight bytes as one word (a shorter id: its first and last
        // four bytes, or its bytes), mixed with the length: a couple of
        // loads, no per-byte loop or copy on the hot path.
        let word4 = |at: usize| {
            bytes
                .get(at..at + 4)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map_or(0, |w| u64::from(u32::from_le_bytes(w)))
        };
        let tail = match bytes.get(n.saturating_sub(8)..).map(<[u8; 8]>::try_from) {
            Some(Ok(word)) => u64::from_le_bytes(word),
            _ if n >= 4 => (word4(0) << 32) | word4(n - 4),
            _ => bytes.iter().fold(0, |k, &b| (k << 8) | u64::from(b)),
        };
        let key = tail ^ (n as u64).rotate_right(8);
        (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 48) as u16
    }

    fn insert(&mut self, id: &str) {
        let key = Self::key(id);
        if let Some(w) = self.bits.get_mut(usize::from(key >> 6)) {
            *w |= 1 << (key & 63);
        }
    }

    fn has(&self, key: u16) -> bool {
        self.bits
            .get(usize::from(key >> 6))
            .is_some_and(|w| w & (1 << (key & 63)) != 0)
    }
}

/// Drop the deployments no gate can read: the circuit breaker counts only
/// its scope (team, service or org), and the error budget reads only the
/// proposed deployment's own rows (same tier and group values). What is kept
/// is closed over services, because a change-failure outage is charged to the
/// latest change of its service, so a service is judged whole or not at all.
/// Every kept deployment is judged exactly as with the full history.
fn keep_relevant(policy: &Policy, deployments: &mut Vec<Deployment>, pseudo: &Deployment) {
    let g = &policy.gates;
    let budget_slas: Vec<_> = if g.error_budget {
        policy.slas.iter().filter(|s| in_scope(s, pseudo)).collect()
    } else {
        Vec::new()
    };
    let relevant = |d: &Deployment| {
        d.id == pseudo.id
            || match g.circuit_breaker.map(|(_, scope)| scope) {
                Some(BreakerScope::Org) => true,
                Some(BreakerScope::Team) => pseudo.team().is_some() && d.team() == pseudo.team(),
                Some(BreakerScope::Service) => {
                    pseudo.service().is_some() && d.service() == pseudo.service()
                }
                None => false,
            }
            || (d.tier() == pseudo.tier()
                && budget_slas.iter().any(|s| {
                    s.group_by
                        .iter()
                        .all(|k| d.group_value(*k) == pseudo.group_value(*k))
                }))
    };
    let services: BTreeSet<Text> = deployments
        .iter()
        .filter(|d| relevant(d))
        .filter_map(|d| d.names.service.clone())
        .collect();
    deployments.retain(|d| relevant(d) || d.service().is_some_and(|s| services.contains(s)));
}

fn open_windows(report: &Report) -> BTreeSet<(&str, &str)> {
    report
        .results
        .iter()
        .filter(|r| r.window.state == "open")
        .map(|r| (r.sla.as_str(), r.window.start.as_str()))
        .collect()
}

/// The breaker opens when `max` deployments (in scope) are breached in open windows.
fn circuit_breaker(
    report: &Report,
    max: u32,
    scope: BreakerScope,
    proposed: &Proposed,
    team: Option<&str>,
) -> Option<GateReason> {
    let open = open_windows(report);
    let mut breached: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for d in &report.deployments {
        let in_scope = match scope {
            BreakerScope::Org => true,
            BreakerScope::Team => team.is_some() && d.team.as_deref() == team,
            BreakerScope::Service => {
                proposed.service.is_some() && d.service.as_deref() == proposed.service.as_deref()
            }
        };
        // The proposed deployment's own lateness does not block it.
        if d.state == "breached"
            && d.deployment != proposed.deployment
            && d.subject.is_none()
            && in_scope
            && open.contains(&(d.sla.as_str(), d.window_start.as_str()))
        {
            breached
                .entry(d.deployment.as_str())
                .or_default()
                .push(format!("{}/{}", d.sla, d.deployment));
        }
    }
    let count = breached.len();
    if (count as u64) < u64::from(max) {
        return None;
    }
    let scope_text = match scope {
        BreakerScope::Org => "in the organisation".to_string(),
        BreakerScope::Team => format!("in team `{}`", team.unwrap_or("-")),
        BreakerScope::Service => format!(
            "in service `{}`",
            proposed.service.as_deref().unwrap_or("-")
        ),
    };
    Some(GateReason {
        gate: "circuit_breaker".into(),
        id: Some(match scope {
            BreakerScope::Org => "org".into(),
            BreakerScope::Team => "team".into(),
            BreakerScope::Service => "service".into(),
        }),
        message: format!(
            "{count} deployment(s) {scope_text} are breached in open windows; the breaker opens at {max}"
        ),
        evidence: breached.into_values().flatten().collect(),
    })
}

/// Deny while an applicable error budget is spent: a duration-like row of an
/// open window (this deployment's SLA scope, tier and segment) with remaining
/// < 0, or a breached success-rate or change-failure-rate row.
fn error_budget(policy: &Policy, report: &Report, pseudo: &Deployment) -> Vec<GateReason> {
    let mut out = Vec::new();
    for sla in policy.slas.iter().filter(|s| in_scope(s, pseudo)) {
        let values: Vec<(&str, Option<String>)> = sla
            .group_by
            .iter()
            .map(|g| (g.as_str(), pseudo.group_value(*g)))
            .collect();
        for row in report
            .results
            .iter()
            .filter(|r| r.sla == sla.id && r.window.state == "open" && r.tier == pseudo.tier())
        {
            if !values
                .iter()
                .all(|(k, v)| row.segment.get(*k).cloned().flatten() == *v)
            {
                continue;
            }
            let spent = match sla.kind {
                SlaKind::SuccessRate | SlaKind::ChangeFailureRate => row.status == "breached",
                SlaKind::DeploymentFrequency => false,
                // The proposed deployment's own breach does not block it.
                _ => row.error_budget.is_some_and(|b| {
                    let own = row.breaches.iter().any(|x| x.deployment == pseudo.id);
                    b.remaining + i64::from(own) < 0
                }),
            };
            if spent {
                let detail = match row.error_budget {
                    Some(b) => format!(
                        "error budget of `{}` is spent ({} breaches allowed, {} remaining)",
                        sla.id, b.allowed, b.remaining
                    ),
                    None => format!("`{}` is breached in the open window", sla.id),
                };
                out.push(GateReason {
                    gate: "error_budget".into(),
                    id: Some(sla.id.clone()),
                    message: format!("{detail}: row `{}`", row.id),
                    evidence: std::iter::once(row.id.clone())
                        .chain(row.breaches.iter().map(|b| b.id.clone()))
                        .collect(),
                });
            }
        }
    }
    out
}

impl Policy {
    /// May `proposed` deploy at `at` (UTC ms)? See [`gate`].
    pub fn gate(&self, records: &[Record], proposed: &Proposed, at: i64) -> Result<Decision> {
        gate(self, records, proposed, at)
    }
}

/// Parse a proposed deployment from JSON text.
pub fn parse_proposed(text: &str) -> Result<Proposed> {
    let v: Value = serde_json::from_str(text).map_err(|e| {
        Error::new(
            ErrorCode::RecordSyntax,
            format!("the proposed deployment is not valid JSON: {e}"),
        )
        .at_record(0, Some(e.line()))
    })?;
    Proposed::from_value(v)
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing, reason = "test code")]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SCOPES: [&str; 3] = ["org", "team", "service"];

    fn policy(scope: &str, max_breached: u32, lead_group: &str) -> Policy {
        let services: String = (0..6)
            .map(|i| format!("  s{i}: {{tier: t{}, team: team{}}}\n", i % 2, i % 3))
            .collect();
        Policy::from_yaml(&format!(
            "slakit: 1\ntimezone: UTC\nservices:\n{services}tiers: [t0, t1]\nslas:\n\
  - {{id: lead, clock: {{start: merged, stop: succeeded}}, window: month, group_by: [{lead_group}], targets: {{default: {{max: 3h, objective: 90%}}}}}}\n\
  - {{id: lead-team, clock: {{start: merged, stop: succeeded}}, window: week, group_by: [team], targets: {{t0: {{max: 2h, objective: 50%}}}}}}\n\
  - {{id: sr, kind: success_rate, window: month, group_by: [team], targets: {{default: {{min: 80%}}}}}}\n\
  - {{id: cfr, kind: change_failure_rate, window: month, group_by: [team], attribution: 1d, targets: {{default: {{max: 20%}}}}}}\n\
  - {{id: rb, kind: rollback_time, clock: {{start: failed, stop: rollback_completed}}, window: month, group_by: [{lead_group}], targets: {{default: {{max: 30m}}}}}}\n\
gates:\n  circuit_breaker: {{max_breached: {max_breached}, scope: {scope}}}\n  error_budget: deny_when_exhausted\n"
        ))
        .unwrap()
    }

    /// (service, offset in minutes, lead minutes, outcome 0 ok / 1 failed /
    /// 2 failed+rollback, team); s6 is not in the catalog, so its team comes
    /// from the event and differs between its deployments.
    fn history(
        deps: &[(usize, i64, i64, u8, usize)],
        outages: &[(usize, i64, i64)],
    ) -> Vec<Record> {
        let base = 1_735_689_600_000_i64; // 2025-01-01
        let min = 60_000;
        let fmt = instant::format;
        let mut text = String::new();
        for (i, (svc, off, lead, outcome, team)) in deps.iter().enumerate() {
            let t = base + off * min;
            let end = t + lead * min;
            let stop = if *outcome == 0 { "succeeded" } else { "failed" };
            text.push_str(&format!(
                "{{\"deployment\":\"d{i}\",\"event\":\"merged\",\"time\":\"{}\",\"service\":\"s{svc}\",\"team\":\"team{team}\"}}\n\
                 {{\"deployment\":\"d{i}\",\"event\":\"{stop}\",\"time\":\"{}\"}}\n",
                fmt(t),
                fmt(end)
            ));
            if *outcome == 2 {
                text.push_str(&format!(
                    "{{\"deployment\":\"d{i}\",\"event\":\"rollback_completed\",\"time\":\"{}\"}}\n",
                    fmt(end + lead * min / 2)
                ));
            }
        }
        for (k, (svc, off, len)) in outages.iter().enumerate() {
            let t = base + off * min;
            text.push_str(&format!(
                "{{\"kind\":\"outage\",\"id\":\"o{k}\",\"service\":\"s{svc}\",\"from\":\"{}\",\"to\":\"{}\"}}\n",
                fmt(t),
                fmt(t + len * min)
            ));
        }
        crate::record::parse_records(&text).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Pruning the history to what the gates read never changes a decision.
        #[test]
        fn pruned_decision_equals_full(
            deps in prop::collection::vec((0usize..7, 0i64..20_000, 1i64..400, 0u8..3, 0usize..3), 0..60),
            outages in prop::collection::vec((0usize..7, 0i64..20_000, 1i64..120), 0..12),
            scope in 0usize..3,
            max_breached in 1u32..6,
            svc in 0usize..7,
            team in 0usize..3,
            by_service in any::<bool>(),
            at_min in 10_000i64..25_000,
        ) {
            let policy = policy(SCOPES[scope], max_breached, if by_service { "service" } else { "team" });
            let records = history(&deps, &outages);
            let proposed = parse_proposed(&format!(
                "{{\"deployment\": \"new\", \"service\": \"s{svc}\", \"team\": \"team{team}\"}}"
            ))
            .unwrap();
            let at = 1_735_689_600_000_i64 + at_min * 60_000;
            let pruned = decide(&policy, &records, &proposed, at, true).unwrap();
            let full = decide(&policy, &records, &proposed, at, false).unwrap();
            prop_assert_eq!(pruned.to_json(), full.to_json());
        }
    }

    #[test]
    fn pruning_keeps_whole_services() {
        // s6 is not in the catalog: d0 (team0) then d1 (team1) change it, and
        // its outage is charged to d1, the latest change. Dropping d1 (another
        // team) would charge d0 instead and deny team0 on its failure rate.
        let records = history(&[(6, 0, 30, 0, 0), (6, 60, 30, 0, 1)], &[(6, 120, 10)]);
        let policy = policy("team", 5, "team");
        let proposed =
            parse_proposed("{\"deployment\": \"new\", \"service\": \"s6\", \"team\": \"team0\"}")
                .unwrap();
        let at = 1_735_689_600_000_i64 + 180 * 60_000;
        let full = decide(&policy, &records, &proposed, at, false).unwrap();
        assert_eq!(full.decision, "allow", "{}", full.to_json());
        let pruned = decide(&policy, &records, &proposed, at, true).unwrap();
        assert_eq!(pruned.to_json(), full.to_json());
    }

    #[test]
    fn the_id_filter_has_no_false_negatives_at_any_length() {
        // Lengths 0-3 (bytes), 4-7 (two overlapping words), 8+ (last word).
        let ids: Vec<String> = (0..2_000)
            .map(|i| match i % 4 {
                0 => format!("{}", i % 1000),
                1 => format!("d{i}"),
                2 => format!("deploy-{i:06}"),
                _ => format!("a-much-longer-deployment-id-{i}"),
            })
            .chain(["".to_string(), "é".to_string(), "ü-1".to_string()])
            .collect();
        let mut filter = IdFilter::default();
        for id in ids.iter().step_by(2) {
            filter.insert(id);
        }
        for id in ids.iter().step_by(2) {
            assert!(filter.has(IdFilter::key(id)), "{id:?} was inserted");
        }
        // It filters: most of the ids never inserted are turned away.
        let passed = ids
            .iter()
            .skip(1)
            .step_by(2)
            .filter(|id| filter.has(IdFilter::key(id)))
            .count();
        assert!(passed < 100, "{passed} of 1,001 false positives");
        // Ids that differ only before their last eight bytes share a slot
        // (a false positive costs a lookup, never a wrong answer).
        assert_eq!(IdFilter::key("x-12345678"), IdFilter::key("y-12345678"));
        assert_ne!(IdFilter::key("d1"), IdFilter::key("d2"));
    }

    #[test]
    fn pruning_keeps_denials() {
        // Three breached lead times in s0 (team0): the team breaker opens at 3.
        let deps: Vec<_> = (0..3)
            .map(|i| (0usize, 40_000 + i * 60, 300i64, 0u8, 0usize))
            .collect();
        let records = history(&deps, &[]);
        let policy = policy("team", 3, "service");
        let proposed = parse_proposed("{\"deployment\": \"new\", \"service\": \"s3\"}").unwrap();
        let at = 1_735_689_600_000_i64 + 41_000 * 60_000;
        let d = decide(&policy, &records, &proposed, at, true).unwrap();
        assert_eq!(d.decision, "deny", "{}", d.to_json());
        assert!(d.reasons.iter().any(|r| r.gate == "circuit_breaker"));
    }
}
