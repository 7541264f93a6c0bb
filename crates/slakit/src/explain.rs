//! `explain`: one deployment's clocks as a human timeline, like an ITSM
//! "SLA timeline": start, each pause and closed stretch of the calendar,
//! stop, elapsed against target.

use schemars::JsonSchema;
use serde::Serialize;

use crate::error::{Error, ErrorCode, Result};
use crate::evaluate::{
    ClockOutcome, build_world, in_scope, is_about, judge_availability, judge_duration,
    outages_by_service, precedence, run_clock, window_for,
};
use crate::instant;
use crate::policy::{Policy, SlaKind, Target};
use crate::record::Record;
use crate::units::format_duration;

/// The explanation of one deployment.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct Explanation {
    /// The deployment id.
    pub deployment: String,
    /// The evaluation instant.
    pub as_of: String,
    /// The anchor instant (§5.1).
    pub anchor: String,
    /// Its service.
    pub service: Option<String>,
    /// Its tier.
    pub tier: String,
    /// Its team.
    pub team: Option<String>,
    /// Its environment.
    pub environment: Option<String>,
    /// Its release type.
    pub release_type: Option<String>,
    /// Its lifecycle events at or before as_of, in order.
    pub events: Vec<TimelineEvent>,
    /// One entry per SLA of the policy.
    pub slas: Vec<SlaExplanation>,
}

/// One lifecycle event.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct TimelineEvent {
    /// When.
    pub time: String,
    /// The lifecycle name.
    pub event: String,
    /// The record id, if given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// The deployment under one SLA.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct SlaExplanation {
    /// SLA id.
    pub sla: String,
    /// SLA kind.
    pub kind: String,
    /// The state, or `out_of_scope` / `outside_window`.
    pub state: String,
    /// Why, in words.
    pub summary: String,
    /// The clock's calendar (duration SLAs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// The window start it counts in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window_start: Option<String>,
    /// The target (duration SLAs).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_ms: Option<i64>,
    /// Business elapsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<i64>,
    /// Wall time minus pauses.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_elapsed_ms: Option<i64>,
    /// max − elapsed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining_ms: Option<i64>,
    /// When a running clock reaches max.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breach_at: Option<Option<String>>,
    /// The steps of the clock, in time order.
    pub timeline: Vec<Step>,
    /// A versioned policy (§9b): the `effective_from` of the version this
    /// SLA was judged under (the one in force at its window's start); absent
    /// under the base policy, or when the policy has no versions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub policy_version: Option<String>,
}

/// One step of a clock's timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Step {
    /// Start of the step.
    pub from: String,
    /// End of the step (absent for instants such as `start`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// `start`, `counting`, `closed`, `paused`, `stop`, `as_of`, `breach_at`, `cancel`.
    pub kind: String,
    /// What happened, in words.
    pub detail: String,
    /// Business time counted in this step.
    pub counted_ms: i64,
    /// Business time counted up to the end of this step.
    pub elapsed_ms: i64,
}

fn step(from: i64, to: Option<i64>, kind: &str, detail: String, counted: i64, total: i64) -> Step {
    Step {
        from: instant::format(from),
        to: to.map(instant::format),
        kind: kind.into(),
        detail,
        counted_ms: counted,
        elapsed_ms: total,
    }
}

/// Explain one deployment's clocks at `as_of`. Under a versioned policy
/// (§9b) each SLA is explained under the version in force at the start of
/// the window the deployment counts in, and says which (`policy_version`).
pub fn explain(
    policy: &Policy,
    records: &[Record],
    deployment: &str,
    as_of: i64,
) -> Result<Explanation> {
    if policy.versions.is_empty() {
        return explain_one(policy, records, deployment, as_of);
    }
    let mut per_era = Vec::new();
    for era in policy.eras().into_iter().filter(|e| e.from <= as_of) {
        per_era.push((era, explain_one(era.policy, records, deployment, as_of)?));
    }
    let Some((_, mut out)) = per_era.last().cloned() else {
        return explain_one(policy, records, deployment, as_of);
    };
    let label = |era: &crate::policy::Era<'_>| era.label.map(str::to_string);
    let mut slas = Vec::new();
    for id in policy.sla_order() {
        // The era whose range holds the window this deployment counts in.
        let counted = per_era.iter().find_map(|(era, ex)| {
            ex.slas
                .iter()
                .find(|s| {
                    s.sla == id
                        && s.window_start
                            .as_deref()
                            .and_then(|w| instant::parse(w).ok())
                            .is_some_and(|w| era.holds(w))
                })
                .map(|s| (era, s))
        });
        // Not counted in any window (out of scope, not applicable): as the
        // version in force at the anchor sees it, else the current one.
        let anchor = instant::parse(&out.anchor).unwrap_or(as_of);
        let chosen = counted.or_else(|| {
            per_era
                .iter()
                .filter(|(era, _)| era.holds(anchor))
                .chain(per_era.last())
                .find_map(|(era, ex)| ex.slas.iter().find(|s| s.sla == id).map(|s| (era, s)))
        });
        if let Some((era, s)) = chosen {
            let mut s = s.clone();
            s.policy_version = label(era);
            let under = match era.label {
                Some(l) => format!("policy version effective from {l}"),
                None => "the base policy, before the first version".to_string(),
            };
            s.summary = if s.summary.is_empty() {
                format!("under {under}")
            } else {
                format!("{} (under {under})", s.summary)
            };
            slas.push(s);
        }
    }
    out.slas = slas;
    Ok(out)
}

/// [`explain`] under one compiled policy (no versions).
fn explain_one(
    policy: &Policy,
    records: &[Record],
    deployment: &str,
    as_of: i64,
) -> Result<Explanation> {
    let world = build_world(policy, records, as_of)?;
    let Some(dep) = world.deployments.iter().find(|d| d.id == deployment) else {
        return Err(Error::new(
            ErrorCode::UnknownDeployment,
            format!(
                "deployment `{deployment}` has no event at or before {}",
                instant::format(as_of)
            ),
        ));
    };
    let mut slas = Vec::new();
    for sla in &policy.slas {
        let base = SlaExplanation {
            sla: sla.id.clone(),
            kind: sla.kind.as_str().into(),
            state: "out_of_scope".into(),
            summary: String::new(),
            calendar: sla.clock.as_ref().map(|c| c.calendar_name.clone()),
            window_start: None,
            max_ms: None,
            elapsed_ms: None,
            actual_elapsed_ms: None,
            remaining_ms: None,
            breach_at: None,
            timeline: Vec::new(),
            policy_version: None,
        };
        if sla.kind == SlaKind::TimeToRestore {
            slas.push(SlaExplanation {
                state: "not_applicable".into(),
                summary: "time_to_restore measures incidents, not deployments: see the report's entries with `subject: incident`".into(),
                ..base
            });
            continue;
        }
        if !in_scope(sla, dep) {
            slas.push(SlaExplanation {
                summary: "the deployment is outside this SLA's scope or has no target for its tier"
                    .into(),
                ..base
            });
            continue;
        }
        if !is_about(sla, dep) {
            slas.push(SlaExplanation {
                state: "not_applicable".into(),
                summary: match sla.kind {
                    SlaKind::RollbackTime => {
                        "the deployment did not fail: there is no rollback to time".into()
                    }
                    _ => "the deployment has not succeeded: there is nothing to watch yet".into(),
                },
                ..base
            });
            continue;
        }
        let Some(ws) = window_for(sla, as_of, dep.anchor) else {
            slas.push(SlaExplanation {
                state: "outside_window".into(),
                summary: "the anchor lies outside the rolling window".into(),
                ..base
            });
            continue;
        };
        let mut e = SlaExplanation {
            window_start: Some(instant::format(ws.start)),
            ..base
        };
        if let Some(j) = precedence(&world, dep) {
            e.state = j.state.as_str().into();
            e.summary = match (j.exception(), j.exclusion(), j.reason()) {
                (Some(x), _, _) => format!("suspended by exception `{x}`"),
                (_, Some(x), _) => format!("excluded by exclusion `{x}`"),
                (_, _, Some(r)) => format!("excluded: {r}"),
                _ => String::new(),
            };
            slas.push(e);
            continue;
        }
        match (sla.kind, sla.target_for(dep.tier()), &sla.clock) {
            (SlaKind::PostDeployAvailability, Some(Target::Duration { max_ms, .. }), _) => {
                let outages = outages_by_service(&world);
                let mine = dep.service().and_then(|svc| outages.get(svc));
                let j = judge_availability(&world, sla, dep, *max_ms, mine);
                e.state = j.state.as_str().into();
                e.max_ms = Some(*max_ms);
                e.elapsed_ms = j.elapsed();
                e.actual_elapsed_ms = j.actual();
                e.remaining_ms = j.remaining();
                e.summary = match j.elapsed() {
                    Some(down) => format!(
                        "{}: {} of outage within {} after the deploy succeeded, against at most {}",
                        j.state.as_str(),
                        format_duration(down),
                        format_duration(sla.watch_ms),
                        format_duration(*max_ms)
                    ),
                    None => "the deployment has not succeeded: nothing to watch yet".into(),
                };
            }
            (
                SlaKind::Duration | SlaKind::RollbackTime,
                Some(Target::Duration { max_ms, .. }),
                Some(clock),
            ) => {
                let max = *max_ms;
                let j = judge_duration(&world, sla, dep, max);
                e.state = j.state.as_str().into();
                e.max_ms = Some(max);
                e.elapsed_ms = j.elapsed();
                e.actual_elapsed_ms = j.actual();
                e.remaining_ms = j.remaining();
                e.breach_at = j.breach_at().map(|b| b.map(instant::format));
                match run_clock(dep, clock, &world, as_of) {
                    ClockOutcome::Unmeasured => {
                        e.summary = format!("no `{}` event: the clock never started", clock.start)
                    }
                    ClockOutcome::Cancelled(c) => {
                        e.summary = format!(
                            "cancelled by `{}` at {}",
                            c.event(),
                            instant::format(c.time)
                        );
                        e.timeline.push(step(
                            c.time,
                            None,
                            "cancel",
                            format!("`{}`: the clock is cancelled", c.event()),
                            0,
                            0,
                        ));
                    }
                    ClockOutcome::Ran(run, start_ev, stop_ev) => {
                        let cal = &clock.calendar;
                        let mut total = 0i64;
                        e.timeline.push(step(
                            run.start,
                            None,
                            "start",
                            format!("`{}` starts the clock", start_ev.event()),
                            0,
                            0,
                        ));
                        // Cut [start, end) at pause boundaries, then at calendar openings.
                        let mut cursor = run.start;
                        let mut pauses = run.paused.iter().peekable();
                        while cursor < run.end {
                            if let Some(&&(pa, pb)) = pauses.peek()
                                && pa <= cursor
                            {
                                let what: Vec<String> = run
                                    .pause_sources
                                    .iter()
                                    .filter(|s| s.from < pb && s.to > pa)
                                    .map(crate::evaluate::PauseSource::what)
                                    .collect();
                                e.timeline.push(step(
                                    pa,
                                    Some(pb),
                                    "paused",
                                    format!("paused: {}", what.join("; ")),
                                    0,
                                    total,
                                ));
                                cursor = pb;
                                pauses.next();
                                continue;
                            }
                            let piece_end = pauses.peek().map_or(run.end, |p| p.0.min(run.end));
                            let mut c = cursor;
                            for (oa, ob) in cal.open_intervals(cursor, piece_end) {
                                if oa > c {
                                    e.timeline.push(step(
                                        c,
                                        Some(oa),
                                        "closed",
                                        format!("calendar `{}` is closed", clock.calendar_name),
                                        0,
                                        total,
                                    ));
                                }
                                total += ob - oa;
                                e.timeline.push(step(
                                    oa,
                                    Some(ob),
                                    "counting",
                                    format!("counting {}", format_duration(ob - oa)),
                                    ob - oa,
                                    total,
                                ));
                                c = ob;
                            }
                            if c < piece_end {
                                e.timeline.push(step(
                                    c,
                                    Some(piece_end),
                                    "closed",
                                    format!("calendar `{}` is closed", clock.calendar_name),
                                    0,
                                    total,
                                ));
                            }
                            cursor = piece_end;
                        }
                        let verdict = format!(
                            "{} elapsed against a target of {}",
                            format_duration(run.elapsed),
                            format_duration(max)
                        );
                        match stop_ev {
                            Some(s) => {
                                e.timeline.push(step(
                                    s.time,
                                    None,
                                    "stop",
                                    format!("`{}` stops the clock: {verdict}", s.event()),
                                    0,
                                    run.elapsed,
                                ));
                                e.summary = format!("{}: {verdict}", j.state.as_str());
                            }
                            None => {
                                e.timeline.push(step(
                                    as_of,
                                    None,
                                    "as_of",
                                    format!("still running at as_of: {verdict}"),
                                    0,
                                    run.elapsed,
                                ));
                                let deadline = j.breach_at().flatten();
                                if let Some(b) = deadline {
                                    let detail = if b <= as_of {
                                        format!(
                                            "the target of {} was reached here: breached",
                                            format_duration(max)
                                        )
                                    } else {
                                        format!(
                                            "breaches at {} unless stopped before",
                                            instant::format(b)
                                        )
                                    };
                                    // In time order: a deadline already passed sits among the steps.
                                    let at = e
                                        .timeline
                                        .iter()
                                        .position(|s| {
                                            instant::parse(&s.from).is_ok_and(|from| from > b)
                                        })
                                        .unwrap_or(e.timeline.len());
                                    e.timeline
                                        .insert(at, step(b, None, "breach_at", detail, 0, max));
                                }
                                e.summary = format!(
                                    "{}: {verdict}; deadline {}",
                                    j.state.as_str(),
                                    deadline.map_or(
                                        "never (the calendar does not open again)".to_string(),
                                        instant::format
                                    )
                                );
                            }
                        }
                    }
                }
            }
            _ => {
                let (state, ev) = dep.outcome();
                e.state = state.as_str().into();
                e.summary = match ev {
                    Some(ev) => format!(
                        "outcome `{}` from `{}` at {}",
                        state.as_str(),
                        ev.event(),
                        instant::format(ev.time)
                    ),
                    None => "no outcome yet: neither succeeded nor failed".into(),
                };
            }
        }
        slas.push(e);
    }
    Ok(Explanation {
        deployment: dep.id.to_string(),
        as_of: instant::format(as_of),
        anchor: instant::format(dep.anchor),
        service: dep.service().map(str::to_string),
        tier: dep.tier().to_string(),
        team: dep.team().map(str::to_string),
        environment: dep.environment().map(str::to_string),
        release_type: dep.release_type().map(str::to_string),
        events: dep
            .events
            .iter()
            .map(|ev| TimelineEvent {
                time: instant::format(ev.time),
                event: ev.event().to_string(),
                id: ev.id().map(str::to_string),
            })
            .collect(),
        slas,
    })
}

impl Policy {
    /// Explain one deployment's clocks at `as_of` (UTC ms).
    pub fn explain(&self, records: &[Record], deployment: &str, as_of: i64) -> Result<Explanation> {
        crate::limits::check_spans(self, records, as_of)?;
        explain(self, records, deployment, as_of)
    }
}
