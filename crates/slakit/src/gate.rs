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
use crate::report::{Finding, PolicyInfo, Report};
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
    // Gates read only open windows (and the proposed deployment's own events),
    // so history before the earliest open window is left out up front.
    crate::evaluate::check_as_of(at)?;
    let recent = recent_history(policy, records, proposed, at);
    let records = recent.as_slice();
    let world = build_world(policy, records, at)?;
    let entry = policy.service_entry(proposed.service.as_deref());
    let tier = entry
        .and_then(|s| s.tier.clone())
        .unwrap_or_else(|| "default".to_string());
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
                    .filter(|e| e.event == "canary_passed" || e.event == "canary_failed")
                    // The latest result; at the same instant a failure wins (fail closed).
                    .max_by_key(|e| (e.time, e.event == "canary_failed"))
                    .copied()
            });
        let ok = latest.is_some_and(|e| e.event == "canary_passed");
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
        let report = crate::evaluate::evaluate_world(policy, records, &world, false)?;
        let pseudo = Deployment {
            id: &proposed.deployment,
            events: Vec::new(),
            anchor: at,
            service: proposed.service.as_deref(),
            environment: proposed.environment.as_deref(),
            release_type: proposed.release_type.as_deref(),
            tier: tier.clone(),
            team: team.clone(),
        };
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
        },
    })
}

/// The records a gate decision can depend on: every non-event record, the
/// proposed deployment's events, and every event of a deployment with an
/// event in or after the earliest open window of any SLA. A deployment with
/// no event since then is anchored in a closed window, which no gate reads.
fn recent_history(
    policy: &Policy,
    records: &[Record],
    proposed: &Proposed,
    at: i64,
) -> Vec<Record> {
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
    let active: rustc_hash::FxHashSet<&str> = records
        .iter()
        .filter_map(|r| match r {
            Record::Event(e) if e.time >= cutoff => Some(e.deployment.as_str()),
            _ => None,
        })
        .collect();
    records
        .iter()
        .filter(|r| match r {
            Record::Event(e) => {
                e.deployment == proposed.deployment || active.contains(e.deployment.as_str())
            }
            _ => true,
        })
        .cloned()
        .collect()
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
            BreakerScope::Service => proposed.service.is_some() && d.service == proposed.service,
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
fn error_budget(policy: &Policy, report: &Report, pseudo: &Deployment<'_>) -> Vec<GateReason> {
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
            .filter(|r| r.sla == sla.id && r.window.state == "open" && r.tier == pseudo.tier)
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
