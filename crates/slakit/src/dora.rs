//! The DORA summary (issue #7): the four key delivery metrics — deployment
//! frequency, lead time for changes, change failure rate and time to
//! restore — per calendar window and segment, for a leadership audience.
//!
//! Computed in two phases, like the SLA rows, so that `evaluate`,
//! `evaluate_parallel` and merged partials give the same section:
//!
//! 1. `facts` (per partition): one `Fact` per deployment in the DORA
//!    scope — its attributes, its §6.2 outcome after §5.5 precedence
//!    (`excluded`/`suspended` first), its "succeeded" instant and its lead
//!    time. No events are kept.
//! 2. `section` (once, over every fact): charges outages to the latest
//!    change and reads incident links (the change failure rate of §6.2),
//!    measures incidents (time to restore), and fills one row per window and
//!    segment, quiet windows included.
//!
//! The definitions, in a release manager's words, are in `docs/dora.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use rustc_hash::FxHashMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ErrorCode, Result};
use crate::evaluate::{Names, State, World, precedence};
use crate::instant;
use crate::policy::{GroupKey, Policy, PolicyDoc, ScopeDoc, ScopeList, WindowUnit, perr};
use crate::report::{Text, WindowInfo};
use crate::units::{Duration, ratio6};
use crate::window::{CalWindow, WindowCursor, next_window, window_of};

/// The default attribution of an outage to the latest change (1h, as §6.2).
const DEFAULT_ATTRIBUTION_MS: i64 = 3_600_000;
/// Bound on the windows one segment may span (a guard, as for quiet rows).
const MAX_WINDOWS: usize = 100_000;

/// `dora:` as written: every key optional.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DoraDoc {
    /// The window: `day`, `week`, `month` (default), `quarter` or `year`,
    /// cut in the policy's time zone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<WindowUnit>,
    /// The breakdowns besides the whole organisation (default
    /// `[service, team, release_type]`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub segments: Option<Vec<GroupKey>>,
    /// Which deployments count (§3.4 lists; default `{environments: [production]}`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<ScopeDoc>,
    /// How long before an outage a change may have caused it (default 1h).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<Duration>,
}

/// The compiled `dora:` block.
#[derive(Debug, Clone, PartialEq)]
pub struct DoraConfig {
    /// The window unit.
    pub window: WindowUnit,
    /// The breakdowns, in order, without duplicates.
    pub segments: Vec<GroupKey>,
    /// Which deployments count.
    pub scope: ScopeDoc,
    /// Outage attribution, in ms.
    pub attribution_ms: i64,
}

impl Default for DoraConfig {
    fn default() -> Self {
        DoraConfig {
            window: WindowUnit::Month,
            segments: vec![GroupKey::Service, GroupKey::Team, GroupKey::ReleaseType],
            scope: production_only(),
            attribution_ms: DEFAULT_ATTRIBUTION_MS,
        }
    }
}

fn production_only() -> ScopeDoc {
    ScopeDoc {
        environments: Some(ScopeList::Include(vec!["production".into()])),
        ..ScopeDoc::default()
    }
}

/// Validate the `dora:` block (absent: the defaults).
pub(crate) fn compile(doc: &PolicyDoc) -> Result<DoraConfig> {
    let mut config = DoraConfig::default();
    let Some(d) = &doc.dora else {
        return Ok(config);
    };
    if let Some(w) = d.window {
        config.window = w;
    }
    if let Some(segments) = &d.segments {
        let mut out: Vec<GroupKey> = Vec::new();
        for (i, g) in segments.iter().enumerate() {
            if out.contains(g) {
                return Err(perr(
                    ErrorCode::InvalidValue,
                    format!("/dora/segments/{i}"),
                    format!(
                        "segment `{}` is listed twice in `dora.segments`",
                        g.as_str()
                    ),
                ));
            }
            out.push(*g);
        }
        config.segments = out;
    }
    if let Some(scope) = &d.scope {
        let declared: BTreeSet<&str> = doc.tiers.iter().map(|t| t.name()).collect();
        if let Some(list) = &scope.tiers {
            let values = match list {
                ScopeList::Include(v) => v,
                ScopeList::Exempt { exempt } => exempt,
            };
            for (i, t) in values.iter().enumerate() {
                if !declared.is_empty() && t != "default" && !declared.contains(t.as_str()) {
                    let path = match list {
                        ScopeList::Include(_) => format!("/dora/scope/tiers/{i}"),
                        ScopeList::Exempt { .. } => format!("/dora/scope/tiers/exempt/{i}"),
                    };
                    return Err(perr(
                        ErrorCode::UnknownTier,
                        path,
                        format!("tier `{t}` is not declared in `tiers`"),
                    ));
                }
            }
        }
        config.scope = scope.clone();
    }
    if let Some(a) = d.attribution {
        if a.ms <= 0 {
            return Err(perr(
                ErrorCode::InvalidDuration,
                "/dora/attribution",
                "`dora.attribution` must be longer than zero",
            ));
        }
        config.attribution_ms = a.ms;
    }
    Ok(config)
}

// ---------------------------------------------------------------------------
// Phase 1: facts

/// One deployment in the DORA scope, as phase 2 needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Fact {
    // Inline text (one fact per deployment): no allocation per field.
    pub id: Text,
    pub anchor: i64,
    /// Shared with the other facts of its combination.
    pub names: Arc<Names>,
    /// `Succeeded`, `Failed`, `InProgress`, `Excluded` or `Suspended`.
    pub state: State,
    /// The first `succeeded`, else the first `health_validated` (§6.2).
    pub succeeded_at: Option<i64>,
    /// Succeeded deployments: merged → succeeded_at, when `merged` came first.
    pub lead_ms: Option<i64>,
}

impl Fact {
    fn value(&self, key: GroupKey) -> Option<&str> {
        self.names.get(key)
    }

    fn counted(&self) -> bool {
        matches!(self.state, State::Succeeded | State::Failed)
    }
}

/// Phase 1: the facts of the world's deployments in the DORA scope, in the
/// world's (anchor, id) order.
pub(crate) fn facts(policy: &Policy, world: &World) -> Vec<Fact> {
    let scope = crate::evaluate::Scope::of(&policy.dora.scope);
    world
        .deployments
        .iter()
        .filter(|d| scope.admits(d))
        .map(|dep| {
            let state = match precedence(world, dep) {
                Some(j) => j.state,
                None => dep.outcome().0,
            };
            let succeeded = dep.succeeded().map(|e| e.time);
            let lead_ms = match (state, dep.first("merged"), succeeded) {
                (State::Succeeded, Some(m), Some(s)) if s >= m.time => Some(s - m.time),
                _ => None,
            };
            Fact {
                id: dep.id.clone(),
                anchor: dep.anchor,
                names: Arc::clone(&dep.names),
                state,
                succeeded_at: succeeded,
                lead_ms,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------
// The report section

/// The report's `dora` section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
pub struct Dora {
    /// The window unit (`month` by default).
    pub window: String,
    /// The zone windows are cut in (the policy's).
    pub timezone: String,
    /// The breakdowns: `all`, then the configured ones.
    pub segments: Vec<String>,
    /// Which deployments count, as the `dora.scope` block reads.
    pub scope: Value,
    /// Outage attribution to the latest change, in ms.
    pub attribution_ms: i64,
    /// One row per window and segment, by window start, then segment (in
    /// `segments` order), then value (null first).
    pub rows: Vec<DoraRow>,
}

/// A DORA segment: the whole organisation, or one value of one breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DoraSegment {
    /// `all`, `service`, `team`, `tier`, `environment` or `release_type`.
    pub by: String,
    /// The value (null for `all`, or where the deployment lacks it).
    pub value: Option<String>,
}

/// Deployment frequency: succeeded deployments in the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Frequency {
    /// Succeeded deployments (the count).
    pub count: i64,
    /// Local days of the window (for the open window: up to and including as_of's day).
    pub days: i64,
    /// count / days (6 decimals).
    pub per_day: f64,
}

/// Lead time for changes: merged → succeeded of the succeeded deployments.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LeadTime {
    /// Succeeded deployments with a `merged` event at or before their success.
    pub samples: i64,
    /// Succeeded deployments without one (not in the percentiles).
    pub unmeasured: i64,
    /// Median, nearest-rank (null without samples).
    pub p50_ms: Option<i64>,
    /// 90th percentile, nearest-rank.
    pub p90_ms: Option<i64>,
}

/// Change failure rate: deployments that caused a failure / (succeeded + failed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ChangeFailure {
    /// The denominator: succeeded + failed.
    pub measured: i64,
    /// Deployments that failed, were linked by an incident, or were charged an outage.
    pub caused_failure: i64,
    /// caused_failure / measured (6 decimals; null when measured is 0).
    pub value: Option<f64>,
}

/// Time to restore: incidents opened in the window, opened → resolved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Restore {
    /// Incidents opened in the window.
    pub incidents: i64,
    /// Those resolved at or before as_of (the samples).
    pub restored: i64,
    /// Those still open at as_of (not in the percentiles).
    pub unresolved: i64,
    /// Median, nearest-rank.
    pub p50_ms: Option<i64>,
    /// 90th percentile, nearest-rank.
    pub p90_ms: Option<i64>,
}

/// One window and segment of the DORA summary.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DoraRow {
    /// Stable id: `dora/<window start>/<by>=<value>` (`-` for null).
    pub id: String,
    /// The window.
    pub window: WindowInfo,
    /// The segment.
    pub segment: DoraSegment,
    /// Deployments in scope anchored in the window, whatever their state.
    pub deployments: i64,
    /// Of those: succeeded (§6.2 outcome).
    pub succeeded: i64,
    /// Failed or rolled back.
    pub failed: i64,
    /// Neither yet.
    pub in_progress: i64,
    /// Excluded (an `exclude` exclusion or `preflight_failed`).
    pub excluded: i64,
    /// Suspended by an exception.
    pub suspended: i64,
    /// Deployment frequency.
    pub deployment_frequency: Frequency,
    /// Lead time for changes.
    pub lead_time_for_changes: LeadTime,
    /// Change failure rate.
    pub change_failure_rate: ChangeFailure,
    /// Time to restore.
    pub time_to_restore: Restore,
}

/// The nearest-rank percentile `p` (1..=100) of sorted samples: the value at
/// rank ⌈p·n/100⌉ (1-based).
pub fn nearest_rank(sorted: &[i64], p: u32) -> Option<i64> {
    // The baseline's percentile, in parts per million.
    crate::baseline::nearest_rank(sorted, i64::from(p) * 10_000)
}

/// A segment key: (breakdown position, 0 for `all`; value).
type SegKey = (usize, Option<String>);

#[derive(Default)]
struct Acc {
    deployments: i64,
    succeeded: i64,
    failed: i64,
    in_progress: i64,
    excluded: i64,
    suspended: i64,
    caused: i64,
    lead: Vec<i64>,
    lead_unmeasured: i64,
    incidents: i64,
    restore: Vec<i64>,
    unresolved: i64,
}

impl Acc {
    /// Add another accumulation's figures (the samples in any order: they
    /// are sorted before they are read).
    fn add(&mut self, other: &Acc) {
        self.deployments += other.deployments;
        self.succeeded += other.succeeded;
        self.failed += other.failed;
        self.in_progress += other.in_progress;
        self.excluded += other.excluded;
        self.suspended += other.suspended;
        self.caused += other.caused;
        self.lead.extend_from_slice(&other.lead);
        self.lead_unmeasured += other.lead_unmeasured;
        self.incidents += other.incidents;
        self.restore.extend_from_slice(&other.restore);
        self.unresolved += other.unresolved;
    }
}

/// An incident as the summary reads it.
struct Inc {
    opened: i64,
    restore_ms: Option<i64>,
    /// Segment values per breakdown (several for links to deployments of several kinds).
    values: Vec<BTreeSet<Option<String>>>,
}

/// Phase 2: the `dora` section from every partition's facts (in (anchor, id)
/// order) and the world's interval records.
pub(crate) fn section(policy: &Policy, world: &World, facts: &[Fact]) -> Dora {
    let config = &policy.dora;
    let as_of = world.as_of;
    let caused = caused_failure(config, world, facts);
    let incidents = incidents(policy, world, facts);

    let unit = config.window;
    let tz = policy.tz;
    let mut windows: BTreeMap<i64, (CalWindow, BTreeMap<SegKey, Acc>)> = BTreeMap::new();
    let touch = |t: i64, windows: &mut BTreeMap<i64, (CalWindow, BTreeMap<SegKey, Acc>)>| {
        let w = window_of(unit, tz, t);
        windows
            .entry(w.start)
            .or_insert_with(|| (w, BTreeMap::new()))
            .0
    };
    // Deployments, accumulated first by window start and combination of
    // names (the facts of one combination share their `Names`: one lookup
    // of two numbers per fact), then each combination's figures added under
    // its borrowed keys (window start, breakdown, value), and those moved
    // into the windows once per segment. The facts are in anchor order, so
    // one window is cut per window, not per deployment.
    let mut by_names: FxHashMap<(i64, *const Names), (Acc, &Fact)> = FxHashMap::default();
    let mut cursor = WindowCursor::new(unit, tz);
    let mut last = None;
    for (i, f) in facts.iter().enumerate() {
        let w = cursor.at(f.anchor);
        if last != Some(w.start) {
            windows
                .entry(w.start)
                .or_insert_with(|| (w, BTreeMap::new()));
            last = Some(w.start);
        }
        let (acc, _) = by_names
            .entry((w.start, Arc::as_ptr(&f.names)))
            .or_insert_with(|| (Acc::default(), f));
        acc.deployments += 1;
        match f.state {
            State::Succeeded => acc.succeeded += 1,
            State::Failed => acc.failed += 1,
            State::Excluded => acc.excluded += 1,
            State::Suspended => acc.suspended += 1,
            _ => acc.in_progress += 1,
        }
        if f.counted() && caused.get(i).copied().unwrap_or(false) {
            acc.caused += 1;
        }
        if f.state == State::Succeeded {
            match f.lead_ms {
                Some(ms) => acc.lead.push(ms),
                None => acc.lead_unmeasured += 1,
            }
        }
    }
    let mut by_key: FxHashMap<(i64, usize, Option<&str>), Acc> = FxHashMap::default();
    for ((start, _), (acc, f)) in by_names {
        let keys = std::iter::once((0usize, None)).chain(
            config
                .segments
                .iter()
                .enumerate()
                .map(|(k, g)| (k + 1, f.value(*g))),
        );
        for (k, value) in keys {
            by_key.entry((start, k, value)).or_default().add(&acc);
        }
    }
    for ((start, k, value), acc) in by_key {
        if let Some((_, segs)) = windows.get_mut(&start) {
            segs.insert((k, value.map(str::to_string)), acc);
        }
    }
    // Incidents.
    for inc in &incidents {
        let w = touch(inc.opened, &mut windows);
        let Some((_, segs)) = windows.get_mut(&w.start) else {
            continue;
        };
        let mut keys: Vec<SegKey> = vec![(0, None)];
        for (k, values) in inc.values.iter().enumerate() {
            keys.extend(values.iter().map(|v| (k + 1, v.clone())));
        }
        for key in keys {
            let acc = segs.entry(key).or_default();
            acc.incidents += 1;
            match inc.restore_ms {
                Some(ms) => acc.restore.push(ms),
                None => acc.unresolved += 1,
            }
        }
    }
    fill_quiet(policy, &mut windows, as_of);

    let mut rows = Vec::new();
    for (start, (w, segs)) in windows {
        let open = w.start <= as_of && as_of < w.end;
        let days = if open {
            (crate::calendar::local_date(tz, as_of) - w.first_day).num_days() + 1
        } else {
            w.days()
        };
        let window = WindowInfo {
            start: instant::format(start),
            end: instant::format(w.end),
            state: if open { "open" } else { "closed" }.into(),
            unit: unit_name(unit).into(),
            label: label(unit, &w),
        };
        for ((k, value), mut acc) in segs {
            let by = if k == 0 {
                "all"
            } else {
                config.segments.get(k - 1).map_or("all", |g| g.as_str())
            };
            acc.lead.sort_unstable();
            acc.restore.sort_unstable();
            let measured = acc.succeeded + acc.failed;
            rows.push(DoraRow {
                id: format!(
                    "dora/{}/{by}={}",
                    window.start,
                    value.as_deref().unwrap_or("-")
                ),
                window: window.clone(),
                segment: DoraSegment {
                    by: by.into(),
                    value,
                },
                deployments: acc.deployments,
                succeeded: acc.succeeded,
                failed: acc.failed,
                in_progress: acc.in_progress,
                excluded: acc.excluded,
                suspended: acc.suspended,
                deployment_frequency: Frequency {
                    count: acc.succeeded,
                    days,
                    per_day: ratio6(i128::from(acc.succeeded), i128::from(days.max(1)))
                        .unwrap_or(0.0),
                },
                lead_time_for_changes: LeadTime {
                    samples: acc.lead.len() as i64,
                    unmeasured: acc.lead_unmeasured,
                    p50_ms: nearest_rank(&acc.lead, 50),
                    p90_ms: nearest_rank(&acc.lead, 90),
                },
                change_failure_rate: ChangeFailure {
                    measured,
                    caused_failure: acc.caused,
                    value: ratio6(i128::from(acc.caused), i128::from(measured)),
                },
                time_to_restore: Restore {
                    incidents: acc.incidents,
                    restored: acc.restore.len() as i64,
                    unresolved: acc.unresolved,
                    p50_ms: nearest_rank(&acc.restore, 50),
                    p90_ms: nearest_rank(&acc.restore, 90),
                },
            });
        }
    }
    Dora {
        window: unit_name(unit).into(),
        timezone: policy.tz.name().to_string(),
        segments: std::iter::once("all".to_string())
            .chain(config.segments.iter().map(|g| g.as_str().to_string()))
            .collect(),
        scope: serde_json::to_value(&config.scope).unwrap_or(Value::Null),
        attribution_ms: config.attribution_ms,
        rows,
    }
}

/// Every deployment id an incident links (`unknown_fields` holds a merged
/// incident's links, see `build_world`), with the last of `items` of that
/// id, if any. Only the links are indexed and each item looked up: an
/// index of every fact was a map of millions on 10M events.
fn linked<'w, T>(
    world: &'w World,
    items: impl Iterator<Item = (&'w str, T)>,
) -> FxHashMap<&'w str, Option<T>> {
    let mut found: FxHashMap<&str, Option<T>> = world
        .incidents
        .iter()
        .flat_map(|inc| inc.unknown_fields.iter().map(|d| (d.as_str(), None)))
        .collect();
    if !found.is_empty() {
        for (id, item) in items {
            if let Some(slot) = found.get_mut(id) {
                *slot = Some(item);
            }
        }
    }
    found
}

/// Which facts caused a failure (§6.2): failed, linked by an incident, or
/// the latest change of its service before an outage without a vendor.
fn caused_failure(config: &DoraConfig, world: &World, facts: &[Fact]) -> Vec<bool> {
    let mut caused: Vec<bool> = facts.iter().map(|f| f.state == State::Failed).collect();
    // The deployments incidents link, each with the last counted fact of its id.
    let counted = facts
        .iter()
        .enumerate()
        .filter(|(_, f)| f.counted())
        .map(|(i, f)| (f.id.as_str(), i));
    for i in linked(world, counted).into_values().flatten() {
        if let Some(c) = caused.get_mut(i) {
            *c = true;
        }
    }
    let mut by_service: BTreeMap<&str, Vec<(i64, usize)>> = BTreeMap::new();
    for (i, f) in facts.iter().enumerate().filter(|(_, f)| f.counted()) {
        if let (Some(svc), Some(t)) = (f.names.service.as_deref(), f.succeeded_at) {
            by_service.entry(svc).or_default().push((t, i));
        }
    }
    for list in by_service.values_mut() {
        list.sort_unstable();
    }
    for o in world.outages.iter().filter(|o| o.vendor.is_none()) {
        let Some(list) = by_service.get(o.service.as_str()) else {
            continue;
        };
        let charged = crate::evaluate::charged_changes(list, o.from, config.attribution_ms);
        for (_, i) in charged {
            if let Some(c) = caused.get_mut(*i) {
                *c = true;
            }
        }
    }
    caused
}

/// The incidents in the DORA scope (its `services` and `tiers` lists), with
/// their segment values: service, its catalog tier and team (else the team
/// of the deployments it links); environment and release type of the
/// deployments it links (null when it links none).
fn incidents(policy: &Policy, world: &World, facts: &[Fact]) -> Vec<Inc> {
    let config = &policy.dora;
    // The linked deployments' facts (the last of each id).
    let by_id = linked(world, facts.iter().map(|f| (f.id.as_str(), f)));
    let mut out = Vec::new();
    for inc in &world.incidents {
        let entry = policy.service_entry(Some(&inc.service));
        let tier = policy.tier_of(Some(&inc.service)).to_string();
        let scope = &config.scope;
        if !scope
            .services
            .as_ref()
            .is_none_or(|l| l.admits(Some(&inc.service)))
            || !scope.tiers.as_ref().is_none_or(|l| l.admits(Some(&tier)))
        {
            continue;
        }
        let linked: Vec<&Fact> = inc
            .unknown_fields
            .iter()
            .filter_map(|d| by_id.get(d.as_str()).copied().flatten())
            .collect();
        let from_links = |key: GroupKey| -> BTreeSet<Option<String>> {
            let set: BTreeSet<Option<String>> = linked
                .iter()
                .map(|f| f.value(key).map(str::to_string))
                .collect();
            if set.is_empty() {
                BTreeSet::from([None])
            } else {
                set
            }
        };
        let values = config
            .segments
            .iter()
            .map(|g| match g {
                GroupKey::Service => BTreeSet::from([Some(inc.service.clone())]),
                GroupKey::Tier => BTreeSet::from([Some(tier.clone())]),
                GroupKey::Team => match entry.and_then(|s| s.team.clone()) {
                    Some(team) => BTreeSet::from([Some(team)]),
                    None => from_links(GroupKey::Team),
                },
                GroupKey::Environment | GroupKey::ReleaseType => from_links(*g),
            })
            .collect();
        let restore_ms = inc
            .resolved
            .filter(|r| *r <= world.as_of)
            .map(|r| (r - inc.opened).max(0));
        out.push(Inc {
            opened: inc.opened,
            restore_ms,
            values,
        });
    }
    out
}

/// Every segment gets a row in each window from its first one up to the
/// window containing as_of (a quiet month is a row of zeros); a retired
/// service's rows stop after its `retired` date.
fn fill_quiet(
    policy: &Policy,
    windows: &mut BTreeMap<i64, (CalWindow, BTreeMap<SegKey, Acc>)>,
    as_of: i64,
) {
    let unit = policy.dora.window;
    let mut first: BTreeMap<SegKey, CalWindow> = BTreeMap::new();
    for (w, segs) in windows.values() {
        for seg in segs.keys() {
            first.entry(seg.clone()).or_insert(*w);
        }
    }
    let service_pos = policy
        .dora
        .segments
        .iter()
        .position(|g| *g == GroupKey::Service)
        .map(|p| p + 1);
    for (seg, mut w) in first {
        let retired_from = match (&seg, service_pos) {
            ((k, Some(svc)), Some(p)) if *k == p => policy
                .services
                .get(svc)
                .and_then(|e| e.retired)
                .map(|d| crate::calendar::local_to_utc(policy.tz, d.succ_opt().unwrap_or(d), 0)),
            _ => None,
        };
        for _ in 0..MAX_WINDOWS {
            if w.start > as_of || retired_from.is_some_and(|r| w.start >= r) {
                break;
            }
            windows
                .entry(w.start)
                .or_insert_with(|| (w, BTreeMap::new()))
                .1
                .entry(seg.clone())
                .or_default();
            w = next_window(unit, policy.tz, &w);
        }
    }
}

fn unit_name(unit: WindowUnit) -> &'static str {
    match unit {
        WindowUnit::Day => "day",
        WindowUnit::Week => "week",
        WindowUnit::Month => "month",
        WindowUnit::Quarter => "quarter",
        WindowUnit::Year => "year",
    }
}

fn label(unit: WindowUnit, w: &CalWindow) -> String {
    use chrono::Datelike;
    let d = w.first_day;
    match unit {
        WindowUnit::Day => d.format("%Y-%m-%d").to_string(),
        WindowUnit::Week => format!("week of {}", d.format("%Y-%m-%d")),
        WindowUnit::Month => d.format("%Y-%m").to_string(),
        WindowUnit::Quarter => format!("{}-Q{}", d.year(), d.month0() / 3 + 1),
        WindowUnit::Year => d.format("%Y").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::nearest_rank;

    #[test]
    fn nearest_rank_percentiles() {
        assert_eq!(nearest_rank(&[], 50), None);
        assert_eq!(nearest_rank(&[7], 50), Some(7));
        assert_eq!(nearest_rank(&[7], 90), Some(7));
        // n = 10: p50 is rank 5, p90 rank 9.
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 50), Some(5));
        assert_eq!(nearest_rank(&ten, 90), Some(9));
        // n = 4: p50 rank 2, p90 rank ⌈3.6⌉ = 4.
        assert_eq!(nearest_rank(&[1, 2, 3, 4], 50), Some(2));
        assert_eq!(nearest_rank(&[1, 2, 3, 4], 90), Some(4));
        assert_eq!(nearest_rank(&[1, 2, 3, 4], 100), Some(4));
    }
}
