//! Baseline (SPEC §9b): suggest targets from history alone, so that
//! objectives are achievable, not aspirational.
//!
//! The policy is evaluated once at `as_of` (the engine measures every clock:
//! calendars, pauses, exclusions, exceptions, scopes), then the report's
//! `deployments` and `results` sections are read back:
//!
//! * duration kinds (`duration`, `rollback_time`, `time_to_restore`): the
//!   elapsed times of the clocks that stopped, per tier (and per `group_by`
//!   group), summarised by nearest-rank percentiles (p50, p90, p95, p99 and
//!   the percentile of the tier's objective). The suggested `max` is the
//!   objective's percentile, rounded up to a whole minute (a whole second
//!   under a minute);
//! * `success_rate` / `change_failure_rate`: the rate of each result row with
//!   data; the suggestion is the rate that [`WINDOW_SHARE_PPM`] of the rows
//!   reached, rounded to 0.1% in the achievable direction;
//! * `deployment_frequency`: the count of each judged row (closed calendar
//!   windows, and a rolling window); the suggested `min` is the count that
//!   [`WINDOW_SHARE_PPM`] of them reached.
//!
//! Each suggestion states the compliance it would have had over the same
//! history, computed exactly as the engine would judge it when the target is
//! pasted back: met / (met + breached), where a clock still running counts
//! as breached once its elapsed time already exceeds the suggested `max`.
//! The module reads no clock and does no I/O; its output is deterministic.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

use crate::error::Result;
use crate::policy::{Policy, SlaDoc, SlaKind, Target, TargetDoc, WindowDoc};
use crate::record::Record;
use crate::report::{DeploymentEntry, Engine, Inputs, Report, ResultRow, Warning};
use crate::units::{Ppm, format_duration, ratio6};

/// The percentile method, named in every output.
pub const METHOD: &str = "nearest-rank";

/// Rate and frequency suggestions: the value this share of judged windows
/// reached (90%).
pub const WINDOW_SHARE_PPM: i64 = 900_000;

/// The percentiles every duration segment lists (ppm), besides its objective's.
const PERCENTILES: [i64; 4] = [500_000, 900_000, 950_000, 990_000];

const PPM: i128 = 1_000_000;

/// The policy used when none is given: the common clocks and rates, built
/// from SPEC's built-in event names (documented in `docs/baseline.md`).
/// Its targets are placeholders; only the measurements matter.
pub const DEFAULT_POLICY: &str = r#"slakit: 1
name: baseline
description: slakit's default baseline policy (docs/baseline.md)
slas:
  - id: lead-time
    description: merged to health-validated, 24x7, approval waits paused, failed changes not timed
    clock: {start: merged, stop: health_validated, cancel: [failed, rollback_started]}
    window: month
    group_by: [environment]
    targets: {default: {max: 24h, objective: 90%}}
  - id: deploy-duration
    description: started to succeeded, 24x7, failed deployments not timed
    clock: {start: started, stop: succeeded, pauses: [], cancel: [failed, rollback_started]}
    window: month
    group_by: [environment]
    targets: {default: {max: 1h, objective: 90%}}
  - id: rollback-time
    description: failed to rollback completed, 24x7
    kind: rollback_time
    window: month
    group_by: [environment]
    targets: {default: {max: 30m, objective: 90%}}
  - id: success-rate
    kind: success_rate
    window: month
    group_by: [environment]
    targets: {default: {min: 90%}}
  - id: change-failure-rate
    kind: change_failure_rate
    window: month
    group_by: [environment]
    targets: {default: {max: 15%}}
  - id: deployment-frequency
    description: succeeded deployments per week
    kind: deployment_frequency
    window: week
    group_by: [environment]
    targets: {default: {min: 1}}
"#;

/// The default baseline policy ([`DEFAULT_POLICY`]), compiled.
pub fn default_policy() -> Result<Policy> {
    Policy::from_yaml(DEFAULT_POLICY)
}

/// Suggested targets from history: the result of [`Policy::baseline`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Baseline {
    /// The engine that produced it.
    pub engine: Engine,
    /// The instant the history was read at (RFC 3339 UTC).
    pub as_of: String,
    /// The policy whose SLAs were measured.
    pub policy: BaselinePolicy,
    /// The percentile method: always `nearest-rank`.
    pub method: String,
    /// Rate and frequency suggestions: the share of judged windows that reach them.
    pub window_share: f64,
    /// What the history held (as in the report).
    pub inputs: Inputs,
    /// One entry per SLA, in policy order.
    pub slas: Vec<SlaBaseline>,
    /// The evaluation's warnings about the inputs.
    pub warnings: Vec<Warning>,
    /// The SLA documents, for the YAML snippet.
    #[serde(skip)]
    docs: Vec<SlaDoc>,
    /// The policy has `versions:` (the snippet shows the base SLAs).
    #[serde(skip)]
    versioned: bool,
}

/// The policy a baseline measured with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BaselinePolicy {
    /// Its name.
    pub name: String,
    /// `sha256:` of the policy document.
    pub digest: String,
    /// True when the policy is [`DEFAULT_POLICY`] (no policy was given).
    pub default: bool,
}

/// One SLA's baseline.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SlaBaseline {
    /// The SLA id.
    pub sla: String,
    /// The SLA kind.
    pub kind: String,
    /// Its window (`month`, `week`, `rolling 28d`, ...).
    pub window: String,
    /// Its `group_by` keys.
    pub group_by: Vec<String>,
    /// Deployments (incidents for `time_to_restore`) the SLA judged.
    pub judged: u64,
    /// Deployments of the history it did not judge: out of its scope, outside
    /// a rolling window, a tier without a target, or — for `rollback_time` —
    /// never failed. Absent for `time_to_restore` (it judges incidents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_judged: Option<u64>,
    /// One entry per tier with history, in `tiers:` order.
    pub tiers: Vec<Segment>,
    /// Why nothing could be suggested, when that is the case.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A tier, or one `group_by` group inside a tier.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Segment {
    /// The tier.
    pub tier: String,
    /// For a group: its `group_by` values (null where the deployment lacks it).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub group: BTreeMap<String, Option<String>>,
    /// Subjects judged in this segment.
    pub judged: u64,
    /// Subjects measured: stopped clocks (duration kinds), succeeded + failed
    /// deployments (rates), succeeded deployments (frequency).
    pub measured: u64,
    /// The rest, by reason (`in flight`, ``unmeasured: no `merged` event``,
    /// `excluded: <id>`, `suspended: <id>`, `in progress`, ...).
    pub not_measured: BTreeMap<String, u64>,
    /// Duration kinds: the percentiles of the stopped clocks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub percentiles: Vec<Candidate>,
    /// Rates and frequency: the judged windows (result rows) with their values.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub windows: Option<Windows>,
    /// Tiers: the suggested target (none without measurements).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<Suggestion>,
    /// Groups: how the group would have fared under its tier's suggestion.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub under_suggestion: Option<Compliance>,
    /// Tiers of an SLA with `group_by`: the groups.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<Segment>,
}

/// A percentile of the stopped clocks, and the target it would make.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    /// `p50`, `p90`, `p95`, `p99`, or the objective's (`p97.5`).
    pub percentile: String,
    /// The nearest-rank value, in milliseconds.
    pub value_ms: i64,
    /// The value rounded up to a target (`7h40m`).
    pub max: String,
    /// The same, in milliseconds.
    pub max_ms: i64,
    /// How the history would have fared with `max`.
    pub compliance: Compliance,
}

/// The result rows of a rate or frequency segment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Windows {
    /// Rows judged (rates: with data; frequency: closed or rolling).
    pub judged: u64,
    /// The overall rate over those rows (rates), or the mean count (frequency).
    pub overall: Option<f64>,
    /// Frequency: succeeded deployments per week over the judged windows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_week: Option<f64>,
    /// Each judged row's value, lowest first.
    pub values: Vec<f64>,
}

/// A suggested target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Suggestion {
    /// The target as it goes into the policy (`{max: 7h40m, objective: 90%}`).
    pub target: BTreeMap<String, Value>,
    /// Duration kinds: the percentile it is (`p90`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentile: Option<String>,
    /// What it is: ``p90 of 120 stopped clocks (the objective's percentile)``.
    pub basis: String,
    /// How the history would have fared with it.
    pub compliance: Compliance,
}

/// How the history would have fared with a target.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Compliance {
    /// Deployments that would have met it (duration kinds), or windows.
    pub met: u64,
    /// Out of this many (met + breached), as the engine would count them.
    pub of: u64,
    /// `deployments`, `incidents` or `windows`.
    pub unit: String,
    /// met / of (6 decimals); null when `of` is 0.
    pub ratio: Option<f64>,
}

impl Compliance {
    fn new(met: u64, of: u64, unit: &str) -> Compliance {
        Compliance {
            met,
            of,
            unit: unit.to_string(),
            ratio: ratio6(i128::from(met), i128::from(of)),
        }
    }

    /// `109 of 120 deployments (90.8%)`.
    pub fn describe(&self) -> String {
        let pct = self
            .ratio
            .map(|r| format!(" ({})", percent_text(r)))
            .unwrap_or_default();
        format!(
            "{} of {} {}{pct}",
            group_digits(self.met),
            group_digits(self.of),
            self.unit
        )
    }
}

impl Policy {
    /// Suggest targets for this policy's SLAs from `records` at `as_of`
    /// (see [`crate::baseline`]). Invalid input is an error, as for
    /// [`Policy::evaluate`]; an empty history is a baseline with nothing
    /// measured, each SLA saying so.
    pub fn baseline(&self, records: &[Record], as_of: i64) -> Result<Baseline> {
        let report = self.evaluate(records, as_of)?;
        // The default policy, however it was reached, gives the same output.
        let default = default_policy().is_ok_and(|p| p.digest == self.digest);
        Ok(build(self, records, &report, default))
    }

    /// [`Policy::baseline`] with the as_of default of [`Policy::evaluate_at`].
    pub fn baseline_at(&self, records: &[Record], as_of: Option<i64>) -> Result<Baseline> {
        self.baseline(records, crate::resolve_as_of(records, as_of)?)
    }
}

/// A baseline without a policy: [`DEFAULT_POLICY`]'s common clocks and rates.
pub fn baseline_default(records: &[Record], as_of: Option<i64>) -> Result<Baseline> {
    default_policy()?.baseline_at(records, as_of)
}

/// [`Policy::baseline_at`] when `policy` is given, else [`baseline_default`]:
/// the one entry point of the bindings and the CLI.
pub fn baseline(
    policy: Option<&Policy>,
    records: &[Record],
    as_of: Option<i64>,
) -> Result<Baseline> {
    match policy {
        Some(p) => p.baseline_at(records, as_of),
        None => baseline_default(records, as_of),
    }
}

// ---------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------

/// Segment key: tier rank, then the group values in `group_by` order.
type Key = ((usize, String), Vec<Option<String>>);

/// Per tier (by rank), per group: what was collected.
type ByTier<T> = BTreeMap<(usize, String), BTreeMap<Vec<Option<String>>, T>>;

fn build(policy: &Policy, records: &[Record], report: &Report, default: bool) -> Baseline {
    // Environment and release type per deployment (the entries carry
    // service, team and tier already); conflicting values were refused by
    // the evaluation.
    let mut attrs: BTreeMap<&str, (Option<&str>, Option<&str>)> = BTreeMap::new();
    for r in records {
        if let Record::Event(e) = r {
            let a = attrs.entry(e.deployment.as_str()).or_default();
            if a.0.is_none() {
                a.0 = e.environment();
            }
            if a.1.is_none() {
                a.1 = e.release_type();
            }
        }
    }
    let mut by_sla: BTreeMap<&str, Vec<&DeploymentEntry>> = BTreeMap::new();
    for d in &report.deployments {
        by_sla.entry(d.sla.as_str()).or_default().push(d);
    }
    let mut rows_by_sla: BTreeMap<&str, Vec<&ResultRow>> = BTreeMap::new();
    for r in &report.results {
        rows_by_sla.entry(r.sla.as_str()).or_default().push(r);
    }
    let slas = policy
        .slas
        .iter()
        .map(|sla| {
            let entries = by_sla.get(sla.id.as_str()).map_or(&[][..], Vec::as_slice);
            let rows = rows_by_sla
                .get(sla.id.as_str())
                .map_or(&[][..], Vec::as_slice);
            let ctx = Ctx {
                policy,
                sla,
                attrs: &attrs,
            };
            ctx.measure(entries, rows, report.inputs.deployments)
        })
        .collect();
    Baseline {
        engine: report.engine.clone(),
        as_of: report.as_of.clone(),
        policy: BaselinePolicy {
            name: policy.name.clone(),
            digest: policy.digest.clone(),
            default,
        },
        method: METHOD.to_string(),
        window_share: ppm_ratio(WINDOW_SHARE_PPM),
        inputs: report.inputs.clone(),
        slas,
        warnings: report.warnings.clone(),
        docs: policy.doc.slas.clone(),
        versioned: !policy.doc.versions.is_empty(),
    }
}

struct Ctx<'a> {
    policy: &'a Policy,
    sla: &'a crate::policy::Sla,
    attrs: &'a BTreeMap<&'a str, (Option<&'a str>, Option<&'a str>)>,
}

/// One subject's contribution to a duration segment.
enum Sample {
    /// A stopped clock.
    Stopped(i64),
    /// A running clock, elapsed to as_of.
    Running(i64),
    /// Not measured, with the reason.
    Not(String),
}

impl Ctx<'_> {
    fn is_clock(&self) -> bool {
        matches!(
            self.sla.kind,
            SlaKind::Duration | SlaKind::RollbackTime | SlaKind::TimeToRestore
        )
    }

    fn unit(&self) -> &'static str {
        if self.sla.kind == SlaKind::TimeToRestore {
            "incidents"
        } else {
            "deployments"
        }
    }

    fn key_of_entry(&self, d: &DeploymentEntry) -> Key {
        let (env, rel) = if d.subject.is_none() {
            self.attrs
                .get(d.deployment.as_str())
                .copied()
                .unwrap_or_default()
        } else {
            (None, None)
        };
        let group = self
            .sla
            .group_by
            .iter()
            .map(|g| match g.as_str() {
                "service" => d.service.as_deref().map(str::to_string),
                "team" => d.team.as_deref().map(str::to_string),
                "tier" => Some(d.tier.to_string()),
                "environment" => env.map(str::to_string),
                _ => rel.map(str::to_string),
            })
            .collect();
        (self.policy.tier_rank(&d.tier), group)
    }

    fn key_of_row(&self, r: &ResultRow) -> Key {
        let group = self
            .sla
            .group_by
            .iter()
            .map(|g| r.segment.get(g.as_str()).cloned().flatten())
            .collect();
        (self.policy.tier_rank(&r.tier), group)
    }

    fn group_map(&self, values: &[Option<String>]) -> BTreeMap<String, Option<String>> {
        self.sla
            .group_by
            .iter()
            .zip(values)
            .map(|(g, v)| (g.as_str().to_string(), v.clone()))
            .collect()
    }

    fn measure(
        &self,
        entries: &[&DeploymentEntry],
        rows: &[&ResultRow],
        history: u64,
    ) -> SlaBaseline {
        let sla = self.sla;
        let judged = entries.len() as u64;
        let not_judged = (sla.kind != SlaKind::TimeToRestore).then(|| {
            let ids: BTreeSet<&str> = entries.iter().map(|d| d.deployment.as_str()).collect();
            history.saturating_sub(ids.len() as u64)
        });
        let tiers = match sla.kind {
            SlaKind::PostDeployAvailability => Vec::new(),
            _ if self.is_clock() => self.duration_tiers(entries),
            _ => self.window_tiers(entries, rows),
        };
        let note = if sla.kind == SlaKind::PostDeployAvailability {
            Some(
                "post_deploy_availability is not baselined: outage time after a deploy is \
                 usually zero; set `max_unavailable` from the service's error budget"
                    .to_string(),
            )
        } else if judged == 0 {
            Some(
                "no deployment in the history falls under this SLA: targets kept as written"
                    .to_string(),
            )
        } else if tiers.iter().all(|t| t.suggestion.is_none()) {
            Some("nothing was measured (see `not_measured`): targets kept as written".to_string())
        } else {
            None
        };
        SlaBaseline {
            sla: sla.id.clone(),
            kind: sla.kind.as_str().to_string(),
            window: window_text(sla.window),
            group_by: sla
                .group_by
                .iter()
                .map(|g| g.as_str().to_string())
                .collect(),
            judged,
            not_judged,
            tiers,
            note,
        }
    }

    // -- duration kinds ----------------------------------------------------

    fn sample(d: &DeploymentEntry) -> Sample {
        let running = d.breach_at.is_some();
        match (d.state.as_str(), d.elapsed_ms) {
            ("met" | "breached", Some(e)) if !running => Sample::Stopped(e),
            ("breached" | "in_flight", Some(e)) if running => Sample::Running(e),
            (state, _) => Sample::Not(reason_of(state, d)),
        }
    }

    fn duration_tiers(&self, entries: &[&DeploymentEntry]) -> Vec<Segment> {
        // tier -> group -> samples
        let mut tiers: ByTier<Vec<Sample>> = BTreeMap::new();
        let mut names: BTreeMap<(usize, String), String> = BTreeMap::new();
        for d in entries {
            let (tier, group) = self.key_of_entry(d);
            names
                .entry(tier.clone())
                .or_insert_with(|| d.tier.to_string());
            tiers
                .entry(tier)
                .or_default()
                .entry(group)
                .or_default()
                .push(Self::sample(d));
        }
        let mut out = Vec::new();
        for (rank, groups) in tiers {
            let tier = names.get(&rank).cloned().unwrap_or_default();
            let all: Vec<&Sample> = groups.values().flatten().collect();
            let objective = match self.sla.target_for(&tier) {
                Some(Target::Duration { objective, .. }) => *objective,
                _ => Ppm(PPM as i64),
            };
            let mut seg = self.duration_segment(&tier, BTreeMap::new(), &all, objective);
            if !self.sla.group_by.is_empty() {
                let tier_max = suggested_max_ms(&seg);
                for (group, samples) in &groups {
                    let samples: Vec<&Sample> = samples.iter().collect();
                    let mut g =
                        self.duration_segment(&tier, self.group_map(group), &samples, objective);
                    g.suggestion = None;
                    g.under_suggestion = tier_max.map(|m| compliance_at(&samples, m, self.unit()));
                    seg.groups.push(g);
                }
            }
            out.push(seg);
        }
        out
    }

    fn duration_segment(
        &self,
        tier: &str,
        group: BTreeMap<String, Option<String>>,
        samples: &[&Sample],
        objective: Ppm,
    ) -> Segment {
        let mut stopped: Vec<i64> = Vec::new();
        let mut not_measured: BTreeMap<String, u64> = BTreeMap::new();
        for s in samples {
            match s {
                Sample::Stopped(e) => stopped.push(*e),
                Sample::Running(_) => {
                    *not_measured.entry("in flight".to_string()).or_default() += 1
                }
                Sample::Not(r) => *not_measured.entry(r.clone()).or_default() += 1,
            }
        }
        stopped.sort_unstable();
        let mut wanted: Vec<i64> = PERCENTILES.to_vec();
        if !wanted.contains(&objective.0) {
            wanted.push(objective.0);
            wanted.sort_unstable();
        }
        let unit = self.unit();
        let percentiles: Vec<Candidate> = wanted
            .iter()
            .filter_map(|&p| {
                let value = nearest_rank(&stopped, p)?;
                let max_ms = round_up(value);
                Some(Candidate {
                    percentile: format!("p{}", ppm_number(p)),
                    value_ms: value,
                    max: format_target_duration(max_ms),
                    max_ms,
                    compliance: compliance_at(samples, max_ms, unit),
                })
            })
            .collect();
        let suggestion = percentiles
            .iter()
            .find(|c| c.percentile == format!("p{}", ppm_number(objective.0)))
            .map(|c| {
                let mut target = BTreeMap::new();
                target.insert("max".to_string(), Value::from(c.max.clone()));
                target.insert("objective".to_string(), Value::from(ppm_text(objective.0)));
                Suggestion {
                    target,
                    percentile: Some(c.percentile.clone()),
                    basis: format!(
                        "{} of {} stopped clocks (the objective's percentile), rounded up",
                        c.percentile,
                        group_digits(stopped.len() as u64)
                    ),
                    compliance: c.compliance.clone(),
                }
            });
        Segment {
            tier: tier.to_string(),
            group,
            judged: samples.len() as u64,
            measured: stopped.len() as u64,
            not_measured,
            percentiles,
            windows: None,
            suggestion,
            under_suggestion: None,
            groups: Vec::new(),
        }
    }

    // -- rates and frequency -------------------------------------------------

    fn window_tiers(&self, entries: &[&DeploymentEntry], rows: &[&ResultRow]) -> Vec<Segment> {
        let mut tiers: ByTier<Bucket<'_>> = BTreeMap::new();
        let mut names: BTreeMap<(usize, String), String> = BTreeMap::new();
        for d in entries {
            let (tier, group) = self.key_of_entry(d);
            names
                .entry(tier.clone())
                .or_insert_with(|| d.tier.to_string());
            tiers
                .entry(tier)
                .or_default()
                .entry(group)
                .or_default()
                .entries
                .push(d);
        }
        for r in rows {
            let (tier, group) = self.key_of_row(r);
            names.entry(tier.clone()).or_insert_with(|| r.tier.clone());
            tiers
                .entry(tier)
                .or_default()
                .entry(group)
                .or_default()
                .rows
                .push(r);
        }
        let mut out = Vec::new();
        for (rank, groups) in tiers {
            let tier = names.get(&rank).cloned().unwrap_or_default();
            let all = Bucket {
                entries: groups
                    .values()
                    .flat_map(|b| b.entries.iter().copied())
                    .collect(),
                rows: groups
                    .values()
                    .flat_map(|b| b.rows.iter().copied())
                    .collect(),
            };
            let mut seg = self.window_segment(&tier, BTreeMap::new(), &all, true);
            if !self.sla.group_by.is_empty() {
                for (group, bucket) in &groups {
                    let mut g = self.window_segment(&tier, self.group_map(group), bucket, false);
                    g.under_suggestion = seg
                        .suggestion
                        .as_ref()
                        .and_then(|s| self.rows_meeting(&bucket.rows, &s.target));
                    seg.groups.push(g);
                }
            }
            out.push(seg);
        }
        out
    }

    /// Whether a row counts as a judged window, with its exact value as a
    /// fraction (rates) or count (frequency, denominator 1).
    fn row_value(&self, r: &ResultRow) -> Option<(i128, i128)> {
        match self.sla.kind {
            SlaKind::DeploymentFrequency => {
                let judged = r.window.state == "closed" || r.window.unit == "rolling";
                judged.then(|| (i128::from(r.succeeded.unwrap_or(0)), 1))
            }
            SlaKind::SuccessRate => (r.measured > 0)
                .then(|| (i128::from(r.succeeded.unwrap_or(0)), i128::from(r.measured))),
            _ => (r.measured > 0).then(|| {
                (
                    i128::from(r.caused_failure.unwrap_or(0)),
                    i128::from(r.measured),
                )
            }),
        }
    }

    /// Rows meeting a suggested target, as the engine would judge them.
    fn rows_meeting(
        &self,
        rows: &[&ResultRow],
        target: &BTreeMap<String, Value>,
    ) -> Option<Compliance> {
        let values: Vec<(i128, i128)> = rows.iter().filter_map(|r| self.row_value(r)).collect();
        let met = match self.sla.kind {
            SlaKind::DeploymentFrequency => {
                let min = i128::from(target.get("min")?.as_i64()?);
                values.iter().filter(|(n, _)| *n >= min).count()
            }
            SlaKind::SuccessRate => {
                let min = i128::from(parse_ppm(target.get("min")?.as_str()?)?);
                values.iter().filter(|(n, d)| n * PPM >= min * d).count()
            }
            _ => {
                let max = i128::from(parse_ppm(target.get("max")?.as_str()?)?);
                values.iter().filter(|(n, d)| n * PPM <= max * d).count()
            }
        };
        Some(Compliance::new(met as u64, values.len() as u64, "windows"))
    }

    fn window_segment(
        &self,
        tier: &str,
        group: BTreeMap<String, Option<String>>,
        bucket: &Bucket<'_>,
        suggest: bool,
    ) -> Segment {
        let kind = self.sla.kind;
        let mut measured = 0u64;
        let mut not_measured: BTreeMap<String, u64> = BTreeMap::new();
        for d in &bucket.entries {
            let counted = match (kind, d.state.as_str()) {
                (SlaKind::DeploymentFrequency, "succeeded") => true,
                (SlaKind::DeploymentFrequency, _) => false,
                (_, "succeeded" | "failed") => true,
                _ => false,
            };
            if counted {
                measured += 1;
            } else {
                *not_measured.entry(reason_of(&d.state, d)).or_default() += 1;
            }
        }
        let mut values: Vec<(i128, i128)> = bucket
            .rows
            .iter()
            .filter_map(|r| self.row_value(r))
            .collect();
        values.sort_by(|a, b| (a.0 * b.1).cmp(&(b.0 * a.1)));
        let (num, den): (i128, i128) = match kind {
            SlaKind::DeploymentFrequency => {
                (values.iter().map(|v| v.0).sum(), values.len() as i128)
            }
            _ => (
                values.iter().map(|v| v.0).sum(),
                values.iter().map(|v| v.1).sum(),
            ),
        };
        let per_week = (kind == SlaKind::DeploymentFrequency)
            .then(|| {
                let span: i64 = bucket
                    .rows
                    .iter()
                    .filter(|r| self.row_value(r).is_some())
                    .filter_map(|r| {
                        let a = crate::instant::parse(&r.window.start).ok()?;
                        let b = crate::instant::parse(&r.window.end).ok()?;
                        Some(b - a)
                    })
                    .sum();
                ratio6(num * 7 * 86_400_000, i128::from(span))
            })
            .flatten();
        let windows = Windows {
            judged: values.len() as u64,
            overall: ratio6(num, den),
            per_week,
            values: values.iter().filter_map(|(n, d)| ratio6(*n, *d)).collect(),
        };
        let suggestion = if suggest {
            self.suggest_rate(&values, bucket)
        } else {
            None
        };
        Segment {
            tier: tier.to_string(),
            group,
            judged: bucket.entries.len() as u64,
            measured,
            not_measured,
            percentiles: Vec::new(),
            windows: Some(windows),
            suggestion,
            under_suggestion: None,
            groups: Vec::new(),
        }
    }

    fn suggest_rate(&self, sorted: &[(i128, i128)], bucket: &Bucket<'_>) -> Option<Suggestion> {
        let n = sorted.len();
        if n == 0 {
            return None;
        }
        // The value `WINDOW_SHARE` of the windows reached: the k-th best.
        let k = ceil_rank(WINDOW_SHARE_PPM, n);
        let share = ppm_number(WINDOW_SHARE_PPM);
        let mut target = BTreeMap::new();
        let basis = match self.sla.kind {
            SlaKind::DeploymentFrequency => {
                // Best = highest count: the k-th from the top.
                let (count, _) = *sorted.get(n - k)?;
                target.insert("min".to_string(), Value::from(i64::try_from(count).ok()?));
                format!("the count {share}% of {n} judged windows reached")
            }
            SlaKind::SuccessRate => {
                let (s, m) = *sorted.get(n - k)?;
                // Round down to 0.1%: still reached by those windows.
                let ppm = (s * PPM / m) / 1_000 * 1_000;
                target.insert("min".to_string(), Value::from(ppm_text(ppm as i64)));
                format!("the rate {share}% of {n} windows with data reached, rounded down to 0.1%")
            }
            _ => {
                // Best = lowest failure rate: the k-th from the bottom.
                let (c, m) = *sorted.get(k - 1)?;
                let ppm = ((c * PPM + m - 1) / m + 999) / 1_000 * 1_000;
                target.insert(
                    "max".to_string(),
                    Value::from(ppm_text(ppm.min(PPM) as i64)),
                );
                format!(
                    "the rate {share}% of {n} windows with data stayed within, rounded up to 0.1%"
                )
            }
        };
        let compliance = self.rows_meeting(&bucket.rows, &target)?;
        Some(Suggestion {
            target,
            percentile: None,
            basis,
            compliance,
        })
    }
}

#[derive(Default)]
struct Bucket<'a> {
    entries: Vec<&'a DeploymentEntry>,
    rows: Vec<&'a ResultRow>,
}

fn suggested_max_ms(seg: &Segment) -> Option<i64> {
    let p = seg.suggestion.as_ref()?.percentile.as_deref()?;
    seg.percentiles
        .iter()
        .find(|c| c.percentile == p)
        .map(|c| c.max_ms)
}

/// met / (met + breached) with `max`, as the engine counts it: stopped
/// clocks by their elapsed time, running clocks only once already past max.
fn compliance_at(samples: &[&Sample], max: i64, unit: &str) -> Compliance {
    let mut met = 0u64;
    let mut breached = 0u64;
    for s in samples {
        match s {
            Sample::Stopped(e) if *e <= max => met += 1,
            Sample::Stopped(_) => breached += 1,
            Sample::Running(e) if *e > max => breached += 1,
            _ => {}
        }
    }
    Compliance::new(met, met + breached, unit)
}

/// Why an entry was not measured, as a short phrase.
fn reason_of(state: &str, d: &DeploymentEntry) -> String {
    match state {
        "excluded" => format!(
            "excluded: {}",
            d.exclusion
                .as_deref()
                .map(str::to_string)
                .or_else(|| d.reason.clone())
                .unwrap_or_default()
        ),
        "suspended" => format!("suspended: {}", d.exception.clone().unwrap_or_default()),
        "unmeasured" => match &d.reason {
            Some(r) => format!("unmeasured: {r}"),
            None => "unmeasured".to_string(),
        },
        "cancelled" => d.reason.clone().unwrap_or_else(|| "cancelled".to_string()),
        "in_progress" => "in progress".to_string(),
        "in_flight" => "in flight".to_string(),
        other => other.to_string(),
    }
}

// ---------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------

/// The 1-based nearest rank of percentile `ppm` among `n` values:
/// ceil(ppm × n / 10^6), at least 1.
fn ceil_rank(ppm: i64, n: usize) -> usize {
    let n128 = n as i128;
    let k = (i128::from(ppm) * n128 + PPM - 1) / PPM;
    usize::try_from(k.clamp(1, n128.max(1))).unwrap_or(1)
}

/// The nearest-rank percentile of sorted values: the ceil(p × n)-th smallest.
pub fn nearest_rank(sorted: &[i64], ppm: i64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    sorted.get(ceil_rank(ppm, sorted.len()) - 1).copied()
}

/// Round a duration up to a target a person writes: a whole minute, or a
/// whole second under a minute; at least `1s` (a target must be > 0).
pub fn round_up(ms: i64) -> i64 {
    let unit = if ms < 60_000 { 1_000 } else { 60_000 };
    let up = ms.saturating_add(unit - 1) / unit * unit;
    up.max(1_000)
}

/// A duration for a target: `7h40m`, `45s`.
fn format_target_duration(ms: i64) -> String {
    format_duration(ms)
}

/// Ppm as a percent number: 975000 → `97.5`.
fn ppm_number(ppm: i64) -> String {
    let whole = ppm / 10_000;
    let frac = (ppm % 10_000).abs();
    if frac == 0 {
        whole.to_string()
    } else {
        let f = format!("{frac:04}");
        format!("{whole}.{}", f.trim_end_matches('0'))
    }
}

/// Ppm as a percentage: `97.5%`.
fn ppm_text(ppm: i64) -> String {
    format!("{}%", ppm_number(ppm))
}

fn ppm_ratio(ppm: i64) -> f64 {
    Ppm(ppm).ratio()
}

fn parse_ppm(text: &str) -> Option<i64> {
    crate::units::parse_percentage(text).ok().map(|p| p.0)
}

/// A ratio as a percentage with one decimal, rounded half-up: `90.8%`.
fn percent_text(ratio: f64) -> String {
    let tenths = (ratio * 1000.0).round() as i64;
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// `1204` → `1,204`.
fn group_digits(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn window_text(w: crate::policy::Window) -> String {
    match w {
        crate::policy::Window::Calendar(u) => serde_json::to_value(u)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        crate::policy::Window::Rolling(ms) => format!("rolling {}", duration_text(ms)),
    }
}

/// A window or policy duration: whole days as `28d`, else `1h30m`.
fn duration_text(ms: i64) -> String {
    if ms > 0 && ms % 86_400_000 == 0 {
        format!("{}d", ms / 86_400_000)
    } else {
        format_duration(ms)
    }
}

// ---------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------

impl Baseline {
    /// The baseline as pretty JSON (2-space indent, no trailing newline).
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// The baseline as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// The YAML snippet for a release manager: a `slas:` section with the
    /// suggested targets, every figure in comments beside them. Without a
    /// policy it is a complete policy (`slakit check` accepts it).
    pub fn to_yaml(&self) -> String {
        let mut o = String::new();
        let line = |o: &mut String, s: &str| {
            o.push_str(s);
            o.push('\n');
        };
        line(&mut o, "# slakit baseline: targets suggested from history");
        if self.policy.default {
            line(
                &mut o,
                "# policy: none given, so slakit's default clocks and rates (docs/baseline.md)",
            );
        } else {
            line(
                &mut o,
                &format!("# policy: `{}` ({})", self.policy.name, self.policy.digest),
            );
        }
        line(
            &mut o,
            &format!(
                "# history: {} deployments in {} records, read at as_of {}",
                group_digits(self.inputs.deployments),
                group_digits(self.inputs.records),
                self.as_of
            ),
        );
        line(
            &mut o,
            "# percentiles: nearest-rank, the p-th percentile of n values is the",
        );
        line(
            &mut o,
            "#   ceil(p/100 x n)-th smallest: always a time that really happened",
        );
        line(
            &mut o,
            "# duration max: the objective's percentile, rounded up to a whole minute",
        );
        line(&mut o, "#   (a whole second under a minute)");
        line(
            &mut o,
            &format!(
                "# rates and frequency: the value {}% of the judged windows reached",
                ppm_number(WINDOW_SHARE_PPM)
            ),
        );
        line(
            &mut o,
            "# \"would have met\": judged as slakit evaluate would, over the same history",
        );
        if self.inputs.deployments == 0 {
            line(
                &mut o,
                "# the history holds no deployment: nothing to suggest, targets kept as written",
            );
        }
        if self.versioned {
            line(
                &mut o,
                "# this policy has `versions:`: each window was measured under the version in",
            );
            line(
                &mut o,
                "#   force at its start, and the snippet shows the base `slas:` only; review the",
            );
            line(
                &mut o,
                "#   versions' own `slas:` before pasting (docs/baseline.md#limits)",
            );
        }
        if self.policy.default {
            line(
                &mut o,
                "# this is a complete policy: `slakit check` it, then adapt scopes and windows",
            );
            line(&mut o, "slakit: 1");
            line(&mut o, "name: baseline");
        } else {
            line(
                &mut o,
                "# replace the `slas:` section of your policy with this one",
            );
        }
        line(&mut o, "slas:");
        for (sla, doc) in self.slas.iter().zip(&self.docs) {
            write_sla(&mut o, sla, doc, self.policy.default);
        }
        o
    }
}

fn write_sla(o: &mut String, b: &SlaBaseline, doc: &SlaDoc, default_policy: bool) {
    let mut push = |s: String| {
        o.push_str(&s);
        o.push('\n');
    };
    push(format!("  - id: {}", flow(&Value::from(doc.id.clone()))));
    if let Some(d) = &doc.description {
        push(format!(
            "    description: {}",
            flow(&Value::from(d.clone()))
        ));
    }
    if doc.kind != SlaKind::Duration {
        push(format!("    kind: {}", doc.kind.as_str()));
    }
    if let Some(s) = &doc.scope {
        push(format!(
            "    scope: {}",
            flow(&serde_json::to_value(s).unwrap_or(Value::Null))
        ));
    }
    if let Some(c) = &doc.clock {
        push(format!(
            "    clock: {}",
            flow(&serde_json::to_value(c).unwrap_or(Value::Null))
        ));
    }
    match doc.window {
        WindowDoc::Calendar(u) => push(format!(
            "    window: {}",
            flow(&serde_json::to_value(u).unwrap_or(Value::Null))
        )),
        WindowDoc::Rolling { rolling } => {
            push(format!(
                "    window: {{rolling: {}}}",
                duration_text(rolling.ms)
            ));
        }
    }
    if let Some(tz) = &doc.timezone {
        push(format!("    timezone: {}", flow(&Value::from(tz.clone()))));
    }
    if !doc.group_by.is_empty() {
        let keys: Vec<Value> = doc
            .group_by
            .iter()
            .map(|g| Value::from(g.as_str()))
            .collect();
        push(format!("    group_by: {}", flow(&Value::Array(keys))));
    }
    if !doc.warn_at.is_empty() {
        let w: Vec<String> = doc.warn_at.iter().map(|p| ppm_text(p.0)).collect();
        push(format!("    warn_at: [{}]", w.join(", ")));
    }
    if let Some(a) = &doc.attribution {
        push(format!("    attribution: {}", duration_text(a.ms)));
    }
    if let Some(w) = &doc.watch {
        push(format!("    watch: {}", duration_text(w.ms)));
    }
    // What was measured.
    let unit = if b.kind == "time_to_restore" {
        "incidents"
    } else {
        "deployments"
    };
    let mut head = format!("    # {} {unit} judged", group_digits(b.judged));
    if let Some(n) = b.not_judged {
        head.push_str(&format!(
            "; {} not judged (out of scope or window, or a tier without a target)",
            group_digits(n)
        ));
    }
    push(head);
    if let Some(note) = &b.note {
        push(comment_safe(&format!("    # {note}")));
    }
    push("    targets:".to_string());
    let mut suggested: BTreeSet<&str> = BTreeSet::new();
    for t in &b.tiers {
        for l in segment_comment(b, t, "      # ") {
            push(comment_safe(&l));
        }
        if let Some(s) = &t.suggestion {
            push(format!(
                "      {}: {}",
                flow_key(&t.tier),
                target_flow(&s.target)
            ));
            suggested.insert(t.tier.as_str());
        }
    }
    for (key, target) in &doc.targets.0 {
        if suggested.contains(key.as_str()) {
            continue;
        }
        let why = if default_policy {
            "placeholder, nothing measured: set your own"
        } else {
            "kept as written: nothing measured in this tier"
        };
        push(comment_safe(&format!("      # {key}: {why}")));
        push(format!("      {}: {}", flow_key(key), kept_target(target)));
    }
}

/// A comment line with every control character escaped, so that a name or
/// id from the records (a newline in a service name) cannot end the comment.
fn comment_safe(line: &str) -> String {
    line.chars()
        .flat_map(|c| {
            let escaped: Vec<char> = if c.is_control() {
                c.escape_default().collect()
            } else {
                vec![c]
            };
            escaped
        })
        .collect()
}

fn segment_comment(b: &SlaBaseline, t: &Segment, pre: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut head = format!("{pre}{}: {}", t.tier, measured_text(b, t));
    if !t.not_measured.is_empty() {
        let rest: Vec<String> = t
            .not_measured
            .iter()
            .map(|(k, v)| format!("{} {k}", group_digits(*v)))
            .collect();
        head.push_str(&format!("; not measured: {}", rest.join(", ")));
    }
    out.push(head);
    if !t.percentiles.is_empty() {
        let ps: Vec<String> = t
            .percentiles
            .iter()
            .map(|c| format!("{} {}", c.percentile, format_duration(c.value_ms)))
            .collect();
        out.push(format!("{pre}  {}", ps.join(", ")));
        for c in &t.percentiles {
            out.push(format!(
                "{pre}    with max {}: {} would have met it",
                c.max,
                c.compliance.describe()
            ));
        }
    }
    if let Some(w) = &t.windows {
        out.push(format!("{pre}  {}", windows_text(b, w)));
    }
    match &t.suggestion {
        Some(s) => out.push(format!(
            "{pre}  suggested: {} ({}): {} would have met it",
            target_flow(&s.target),
            s.basis,
            s.compliance.describe()
        )),
        None => out.push(format!("{pre}  nothing measured: no suggestion")),
    }
    for g in &t.groups {
        let name: Vec<String> = g
            .group
            .iter()
            .map(|(k, v)| format!("{k}={}", v.as_deref().unwrap_or("-")))
            .collect();
        let mut l = format!("{pre}  {}: {}", name.join(","), measured_text(b, g));
        let wanted = t.suggestion.as_ref().and_then(|s| s.percentile.as_deref());
        if let Some(c) = g
            .percentiles
            .iter()
            .find(|c| Some(c.percentile.as_str()) == wanted)
        {
            l.push_str(&format!(
                ", its own {} {}",
                c.percentile,
                format_duration(c.value_ms)
            ));
        }
        if let Some(w) = &g.windows {
            l.push_str(&format!(", {}", windows_text(b, w)));
        }
        if let Some(c) = &g.under_suggestion {
            l.push_str(&format!("; under the suggestion {} met", c.describe()));
        }
        out.push(l);
    }
    out
}

fn measured_text(b: &SlaBaseline, t: &Segment) -> String {
    match b.kind.as_str() {
        "deployment_frequency" => format!("{} succeeded deployments", group_digits(t.measured)),
        "success_rate" | "change_failure_rate" => {
            format!(
                "{} deployments succeeded or failed",
                group_digits(t.measured)
            )
        }
        _ => format!("{} stopped clocks", group_digits(t.measured)),
    }
}

fn windows_text(b: &SlaBaseline, w: &Windows) -> String {
    let what = if b.kind == "deployment_frequency" {
        "judged windows"
    } else {
        "windows with data"
    };
    let values: Vec<String> = w
        .values
        .iter()
        .map(|v| {
            if b.kind == "deployment_frequency" {
                format!("{v}")
            } else {
                percent_text(*v)
            }
        })
        .collect();
    let overall = match (b.kind.as_str(), w.overall) {
        (_, None) => String::new(),
        ("deployment_frequency", Some(m)) => format!(", mean {m} a window"),
        (_, Some(r)) => format!(", overall {}", percent_text(r)),
    };
    let week = w
        .per_week
        .map(|p| format!(", {p} a week"))
        .unwrap_or_default();
    let shown = if values.len() > 12 {
        let mut v: Vec<String> = values.iter().take(6).cloned().collect();
        v.push("...".to_string());
        v.extend(values.iter().skip(values.len() - 6).cloned());
        v
    } else {
        values
    };
    format!(
        "{} {what}{overall}{week}; lowest first: [{}]",
        w.judged,
        shown.join(", ")
    )
}

/// A suggested target as a YAML flow mapping: `{max: 7h40m, objective: 90%}`.
fn target_flow(target: &BTreeMap<String, Value>) -> String {
    // max before objective, min alone: the order people write them in.
    let order = ["max", "min", "objective"];
    let parts: Vec<String> = order
        .iter()
        .filter_map(|k| target.get(*k).map(|v| format!("{k}: {}", flow(v))))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

/// A target kept as written.
fn kept_target(t: &TargetDoc) -> String {
    let scalar = |s: &crate::policy::Scalar| match s {
        crate::policy::Scalar::Text(t) => flow(&Value::from(t.clone())),
        other => other.to_string(),
    };
    let mut parts = Vec::new();
    if let Some(v) = &t.max {
        parts.push(format!("max: {}", scalar(v)));
    }
    if let Some(v) = &t.objective {
        parts.push(format!("objective: {}", scalar(v)));
    }
    if let Some(v) = &t.min {
        parts.push(format!("min: {}", scalar(v)));
    }
    if let Some(v) = &t.min_per_day {
        parts.push(format!("min_per_day: {}", ppm_decimal(v.0)));
    }
    if let Some(v) = &t.max_unavailable {
        parts.push(format!("max_unavailable: {}", scalar(v)));
    }
    format!("{{{}}}", parts.join(", "))
}

/// Millionths as a decimal: 200000 → `0.2`.
fn ppm_decimal(micro: i64) -> String {
    let whole = micro / 1_000_000;
    let frac = micro % 1_000_000;
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{frac:06}").trim_end_matches('0'))
    }
}

fn flow_key(k: &str) -> String {
    flow(&Value::from(k))
}

/// A JSON value as YAML flow: plain scalars where YAML reads them back as
/// the same string, double-quoted (JSON escapes) otherwise.
fn flow(v: &Value) -> String {
    match v {
        Value::String(s) => {
            if plain_ok(s) {
                s.clone()
            } else {
                Value::String(s.clone()).to_string()
            }
        }
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(flow).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{}: {}", flow(&Value::from(k.clone())), flow(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
        other => other.to_string(),
    }
}

/// True when `s` reads back from YAML as the same string unquoted.
fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    let reserved = [
        "true", "false", "null", "yes", "no", "on", "off", "y", "n", "~",
    ];
    first.is_ascii_alphabetic()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '%'))
        && !reserved.contains(&s.to_ascii_lowercase().as_str())
        || (first.is_ascii_digit()
            && s.chars().any(|c| c.is_ascii_alphabetic() || c == '%')
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '%')))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_edges() {
        assert_eq!(nearest_rank(&[], 900_000), None);
        assert_eq!(nearest_rank(&[7], 500_000), Some(7));
        assert_eq!(nearest_rank(&[7], 1_000_000), Some(7));
        assert_eq!(
            nearest_rank(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 900_000),
            Some(9)
        );
        assert_eq!(
            nearest_rank(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 910_000),
            Some(10)
        );
        assert_eq!(
            nearest_rank(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 1_000_000),
            Some(10)
        );
        assert_eq!(nearest_rank(&[1, 2, 3], 0), Some(1));
        assert_eq!(nearest_rank(&[4, 4, 4, 4], 500_000), Some(4));
    }

    #[test]
    fn rounding_and_text() {
        assert_eq!(round_up(0), 1_000);
        assert_eq!(round_up(1), 1_000);
        assert_eq!(round_up(59_001), 60_000);
        assert_eq!(round_up(60_000), 60_000);
        assert_eq!(round_up(60_001), 120_000);
        assert_eq!(ppm_text(975_000), "97.5%");
        assert_eq!(ppm_text(900_000), "90%");
        assert_eq!(ppm_text(999_999), "99.9999%");
        assert_eq!(group_digits(1204), "1,204");
        assert_eq!(group_digits(120), "120");
        assert_eq!(percent_text(0.908333), "90.8%");
        assert!(plain_ok("7h40m") && plain_ok("90%") && plain_ok("tier1"));
        assert!(!plain_ok("yes") && !plain_ok("12") && !plain_ok("a b") && !plain_ok(""));
    }
}
