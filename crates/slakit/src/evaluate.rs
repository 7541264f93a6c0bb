//! Evaluation: records + policy + as_of → report (SPEC §4.3–§8, §10).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::calendar::Calendar;
use crate::error::{Error, ErrorCode, Result};
use crate::instant;
use crate::policy::{
    Exception, Exclusion, GroupKey, Policy, Sla, SlaKind, Span, Target, Window, WindowUnit,
    org_wide_warning,
};
use crate::record::{Effect, Event, Incident, Outage, Record};
use crate::report::{
    Breach, DeploymentEntry, Engine, ErrorBudget, Evidence, Finding, InForce, InForceException,
    InForceExclusion, Inputs, PolicyInfo, Report, ResultRow, TargetInfo, Text, Warning, WindowInfo,
};
use crate::spans::{SpanIndex, Timed};
use crate::units::ratio6;
use crate::window::{CalWindow, WindowCursor, next_window, window_of};

const PPM: i128 = 1_000_000;

/// A lifecycle event as the engine keeps it once the world is built: its
/// instant and its name and record id, one shared [`Label`] for every
/// event with the same name and no id. Owned and 16 bytes (a record's
/// event is 88, plus its details), so that a world holds nothing of the
/// records and a caller that hands them over ([`crate::Policy::evaluate_owned`])
/// can free them before any SLA is judged.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Ev {
    pub time: i64,
    label: Arc<Label>,
}

/// An event's name and record id.
#[derive(Debug, PartialEq)]
pub(crate) struct Label {
    name: Text,
    id: Option<Text>,
}

impl Label {
    /// The label of events named `name` with this record id.
    pub(crate) fn new(name: &str, id: Option<&str>) -> Arc<Label> {
        Arc::new(Label {
            name: Text::from(name),
            id: id.map(Text::from),
        })
    }
}

impl Ev {
    /// An event labelled `label` at `time`.
    pub(crate) fn new(label: Arc<Label>, time: i64) -> Ev {
        Ev { time, label }
    }

    /// Its lifecycle name, e.g. `started`.
    pub(crate) fn event(&self) -> &str {
        &self.label.name
    }

    /// Its record id, echoed in evidence.
    pub(crate) fn id(&self) -> Option<&str> {
        self.label.id.as_deref()
    }
}

/// One [`Label`] per distinct event name without an id (a history has a
/// few dozen names and millions of events); events with an id have their own.
#[derive(Default)]
struct EventNames<'r>(rustc_hash::FxHashMap<&'r str, Arc<Label>>);

impl<'r> EventNames<'r> {
    fn ev(&mut self, e: &'r Event) -> Ev {
        let label = match e.id() {
            Some(id) => Label::new(&e.event, Some(id)),
            None => Arc::clone(
                self.0
                    .entry(e.event.as_str())
                    .or_insert_with(|| Label::new(&e.event, None)),
            ),
        };
        Ev::new(label, e.time)
    }
}

/// One deployment as the engine sees it at as_of.
#[derive(Debug, Clone)]
pub(crate) struct Deployment {
    pub id: Text,
    /// Events at or before as_of, in §1.5 order.
    pub events: Box<[Ev]>,
    pub anchor: i64,
    /// Its service, environment, release type, tier (from the service
    /// catalog, or `default`) and team: one [`Names`] per combination,
    /// shared with its subject and DORA fact.
    pub names: Arc<Names>,
    /// Its first `preflight_failed` event (§5.5), found once: precedence
    /// asks for every SLA. An index in `events`, or [`ABSENT`].
    preflight: u32,
    /// Its outcome (§6.2) and the event that decided it (an index in
    /// `events`, or [`ABSENT`]), found once: every rate SLA and the DORA
    /// facts ask.
    outcome: State,
    decided_by: u32,
    /// Which (environment, release type, service, tier, team) it has, numbered
    /// among the deployments of its world: scopes and targets depend on
    /// these alone, so an SLA asks once per combination ([`NO_SIG`]: built
    /// elsewhere, asked each time).
    pub sig: u32,
}

/// The [`Deployment::sig`] of a deployment not numbered by `build_world`.
pub(crate) const NO_SIG: u32 = u32::MAX;

/// What a [`Deployment::sig`] numbers: environment, release type, service,
/// tier and team.
type Combination<'d> = (
    Option<&'d str>,
    Option<&'d str>,
    Option<&'d str>,
    &'d str,
    Option<&'d str>,
);

impl Deployment {
    /// A deployment with these events (at or before as_of, in §1.5 order),
    /// its preflight and outcome found here.
    pub(crate) fn new(id: Text, events: Vec<Ev>, anchor: i64, names: Arc<Names>, sig: u32) -> Self {
        let index = |i: Option<usize>| i.and_then(|i| u32::try_from(i).ok()).unwrap_or(ABSENT);
        let preflight = index(events.iter().position(|e| e.event() == "preflight_failed"));
        let (outcome, decided_by) = outcome_of(&events);
        Deployment {
            id,
            events: events.into_boxed_slice(),
            anchor,
            names,
            preflight,
            outcome,
            decided_by: index(decided_by),
            sig,
        }
    }

    /// Its first `preflight_failed` event (§5.5).
    pub(crate) fn preflight(&self) -> Option<&Ev> {
        self.events.get(self.preflight as usize)
    }

    /// Its outcome (§6.2) and the event that decided it.
    pub(crate) fn outcome(&self) -> (State, Option<&Ev>) {
        (self.outcome, self.events.get(self.decided_by as usize))
    }

    pub fn service(&self) -> Option<&str> {
        self.names.service.as_deref()
    }

    pub fn environment(&self) -> Option<&str> {
        self.names.environment.as_deref()
    }

    pub fn release_type(&self) -> Option<&str> {
        self.names.release_type.as_deref()
    }

    pub fn tier(&self) -> &str {
        &self.names.tier
    }

    pub fn team(&self) -> Option<&str> {
        self.names.team.as_deref()
    }

    pub fn first(&self, name: &str) -> Option<&Ev> {
        self.events.iter().find(|e| e.event() == name)
    }

    /// Its "succeeded" event (§6.2): the first `succeeded`, else the first
    /// `health_validated`.
    pub(crate) fn succeeded(&self) -> Option<&Ev> {
        self.first("succeeded")
            .or_else(|| self.first("health_validated"))
    }

    pub(crate) fn group_value(&self, key: GroupKey) -> Option<String> {
        self.names.get(key).map(str::to_string)
    }
}

/// Everything derived from the records once, shared by every SLA.
pub(crate) struct World {
    pub as_of: i64,
    pub deployments: Vec<Deployment>,
    pub exclusions: Vec<Exclusion>,
    pub exceptions: Vec<Exception>,
    /// `exclusions` by service and time, for the questions asked of every
    /// deployment (`excluding`, `run_clock`).
    pub exclusion_index: Box<SpanIndex>,
    /// `exceptions` by service, deployment and time (`suspending`).
    pub exception_index: Box<SpanIndex>,
    pub outages: Vec<Outage>,
    pub incidents: Vec<Incident>,
    pub unknown_fields: BTreeSet<String>,
    /// Deployments whose every event lies after as_of (not in `deployments`).
    pub future_only: Vec<Text>,
}

fn evidence_of(e: &Ev, role: &str) -> Evidence {
    event_evidence(e.id(), e.event(), e.time, role)
}

/// The evidence of a lifecycle event (by id when it has one, else by name
/// and time) in a role.
fn event_evidence(id: Option<&str>, event: &str, time: i64, role: &str) -> Evidence {
    Evidence {
        kind: "event".into(),
        id: id.map(Text::from),
        event: Some(Text::from(event)),
        time: Some(instant::format_text(time)),
        role: role.into(),
    }
}

fn input_err(code: ErrorCode, origin: crate::record::Origin, message: String) -> Error {
    Error::new(code, message).at_record(origin.index, origin.line_number())
}

/// A text's first eight bytes as a big-endian number, zero-padded: where
/// two prefixes differ, the texts compare as they do; where they are
/// equal, the texts must still be compared.
fn id_prefix(text: &str) -> u64 {
    let mut head = [0u8; 8];
    for (h, b) in head.iter_mut().zip(text.as_bytes()) {
        *h = *b;
    }
    u64::from_be_bytes(head)
}

/// An id's first twelve bytes (zero-padded) above its place (32 bits):
/// compared as numbers, the keys of ids whose heads differ are in the ids'
/// byte order, without reading the ids.
fn id_key(text: &str, place: u32) -> u128 {
    let mut head = [0u8; 16];
    for (h, b) in head.iter_mut().take(12).zip(text.as_bytes()) {
        *h = *b;
    }
    u128::from_be_bytes(head) | u128::from(place)
}

/// The places of `len` unique ids (`id_at`) in the ids' byte order. Each
/// id is a key of 16 bytes ([`id_key`]), so only ids with the same first
/// twelve bytes are read while sorting: with eight-byte heads, the ids of
/// 10M events (`d-1234567`) tied by tens and were read at random, most of
/// the sort's time. `pack: false`, or more than 2^32 ids: (eight-byte
/// head, place) pairs (the tests compare both).
fn order_by_id<'i>(
    id_at: impl Fn(usize) -> Option<&'i str> + Sync,
    len: usize,
    parallel: bool,
    pack: bool,
) -> Vec<usize> {
    if pack && u32::try_from(len).is_ok() {
        let mut keys: Vec<u128> = (0..len)
            .map(|i| id_key(id_at(i).unwrap_or_default(), u32::try_from(i).unwrap_or(0)))
            .collect();
        let place = |k: &u128| (k & u128::from(u32::MAX)) as usize;
        par_sort_unstable_by(parallel, &mut keys, |a, b| {
            (a >> 32)
                .cmp(&(b >> 32))
                .then_with(|| id_at(place(a)).cmp(&id_at(place(b))))
        });
        return keys.iter().map(place).collect();
    }
    let mut order: Vec<(u64, usize)> = (0..len)
        .map(|i| (id_prefix(id_at(i).unwrap_or_default()), i))
        .collect();
    par_sort_unstable_by(parallel, &mut order, |a, b| {
        a.0.cmp(&b.0).then_with(|| id_at(a.1).cmp(&id_at(b.1)))
    });
    order.into_iter().map(|(_, i)| i).collect()
}

/// The events of a history grouped by deployment, the deployments in id
/// order: `ids[k]`'s events are `events[starts[k]..starts[k + 1]]`, in
/// input order.
///
/// Made without a list per deployment: each deployment is numbered as
/// first seen (one hash lookup an event), its events counted, the numbers
/// put in id order, and each event then put in its place in one list. A
/// hash map of lists (2.15M of them on 10M events, each grown twice) and
/// the list of its entries took twice the memory, all of it fresh.
struct Groups<'a> {
    ids: Vec<&'a str>,
    starts: Vec<usize>,
    events: Vec<&'a Event>,
}

/// A deployment's number while grouping: `u32` where every event's fits
/// (4 bytes an event), else `usize`.
trait GroupNumber: Copy {
    fn of(n: usize) -> Self;
    fn at(self) -> usize;
}

impl GroupNumber for u32 {
    fn of(n: usize) -> Self {
        u32::try_from(n).unwrap_or(u32::MAX)
    }
    fn at(self) -> usize {
        self as usize
    }
}

impl GroupNumber for usize {
    fn of(n: usize) -> Self {
        n
    }
    fn at(self) -> usize {
        self
    }
}

impl<'a> Groups<'a> {
    /// Group `events`, `count` of them, read twice: numbered by `u32`
    /// where `count` fits in one.
    fn new(
        events: impl Iterator<Item = &'a Event> + Clone,
        count: usize,
        parallel: bool,
    ) -> Groups<'a> {
        if u32::try_from(count).is_ok() {
            Groups::of::<u32>(events, count, parallel)
        } else {
            Groups::of::<usize>(events, count, parallel)
        }
    }

    /// [`Groups::new`] with numbers of type `N` (which holds any number
    /// below `count`).
    fn of<N: GroupNumber>(
        events: impl Iterator<Item = &'a Event> + Clone,
        count: usize,
        parallel: bool,
    ) -> Groups<'a> {
        // FxHash: fast on short ids. Sized for four events a deployment
        // (the generated workloads have 4.7): grown from empty, the map was
        // rehashed twenty times.
        let mut number: rustc_hash::FxHashMap<&'a str, N> =
            rustc_hash::FxHashMap::with_capacity_and_hasher(count / 4, Default::default());
        let mut first_seen: Vec<&'a str> = Vec::with_capacity(count / 4);
        let mut counts: Vec<usize> = Vec::with_capacity(count / 4);
        let mut numbers: Vec<N> = Vec::with_capacity(count);
        // The last event's deployment and number: an event of the same
        // deployment as the one before it (a deployment's events written
        // together, as exports and the generator write them) is numbered
        // without a lookup in the map, which on 2.15M deployments misses
        // the cache nearly every time.
        let mut last: Option<(&'a str, N)> = None;
        numbers.extend(events.clone().map(|e| {
            let id = e.deployment.as_str();
            let n = match last {
                Some((same, n)) if same == id => n,
                _ => *number.entry(id).or_insert_with(|| {
                    first_seen.push(id);
                    counts.push(0);
                    N::of(first_seen.len() - 1)
                }),
            };
            last = Some((id, n));
            if let Some(c) = counts.get_mut(n.at()) {
                *c += 1;
            }
            n
        }));
        drop(number);
        // Sorted as keys (no group moves while sorting).
        let order = order_by_id(
            |i| first_seen.get(i).copied(),
            first_seen.len(),
            parallel,
            true,
        );
        // Where each deployment's next event goes, its groups in id order.
        let mut next = vec![0usize; first_seen.len()];
        let mut starts = Vec::with_capacity(first_seen.len() + 1);
        let mut total = 0;
        for &n in &order {
            if let Some(at) = next.get_mut(n) {
                *at = total;
            }
            starts.push(total);
            total += counts.get(n).copied().unwrap_or(0);
        }
        starts.push(total);
        drop(counts);
        let ids = order
            .iter()
            .filter_map(|&n| first_seen.get(n).copied())
            .collect();
        // Every place is written below (the counts add up to the events):
        // the first event only fills the list until then.
        let mut grouped = match events.clone().next() {
            Some(first) => vec![first; total],
            None => Vec::new(),
        };
        for (e, n) in events.zip(numbers) {
            if let Some(at) = next.get_mut(n.at())
                && let Some(slot) = grouped.get_mut(*at)
            {
                *slot = e;
                *at += 1;
            }
        }
        Groups {
            ids,
            starts,
            events: grouped,
        }
    }

    /// Each deployment's id and its events, in id order.
    fn split(&mut self) -> impl Iterator<Item = (&'a str, &mut [&'a Event])> {
        let mut rest: &mut [&'a Event] = &mut self.events;
        let lens = self.starts.windows(2).map(|w| match w {
            [a, b] => b - a,
            _ => 0,
        });
        self.ids.iter().zip(lens).map(move |(&id, len)| {
            let taken = std::mem::take(&mut rest);
            let (mine, tail) = taken.split_at_mut(len.min(taken.len()));
            rest = tail;
            (id, mine)
        })
    }
}

/// Build the world: merge deployments, incidents, exclusions and exceptions.
pub(crate) fn build_world<'a, I>(policy: &Policy, records: I, as_of: i64) -> Result<World>
where
    I: IntoIterator<Item = &'a Record>,
    I::IntoIter: Clone,
{
    build_world_in(policy, records, as_of, false)
}

/// [`build_world`], its deployments shaped on every core when `parallel`.
pub(crate) fn build_world_in<'a, I>(
    policy: &Policy,
    records: I,
    as_of: i64,
    parallel: bool,
) -> Result<World>
where
    I: IntoIterator<Item = &'a Record>,
    I::IntoIter: Clone,
{
    let mut unknown_fields = BTreeSet::new();
    let records = records.into_iter();
    // The events are grouped by deployment below ([`Groups`]), from a
    // second pass over the records.
    let all = records.clone();
    let mut n_events = 0usize;
    let mut outages = Vec::new();
    let mut incident_recs: BTreeMap<&'a str, Vec<&'a Incident>> = BTreeMap::new();
    let mut exclusions: Vec<Exclusion> = policy.exclusions.clone();
    let mut exceptions: Vec<Exception> = policy.exceptions.clone();
    let mut ids: BTreeMap<String, &'static str> = exclusions
        .iter()
        .map(|x| (x.id.clone(), "exclusion"))
        .chain(exceptions.iter().map(|x| (x.id.clone(), "exception")))
        .collect();

    for r in records {
        for f in r.unknown_fields() {
            unknown_fields.insert(f.clone());
        }
        let future = r.instant().is_some_and(|t| t > as_of);
        match r {
            Record::Event(_) => n_events += 1,
            Record::Outage(o) => {
                if !future {
                    outages.push((**o).clone());
                }
            }
            Record::Incident(i) => incident_recs.entry(i.id.as_str()).or_default().push(i),
            Record::Exclusion(x) => {
                if ids.insert(x.id.clone(), "exclusion").is_some() {
                    return Err(input_err(
                        ErrorCode::DuplicateRecordId,
                        x.origin,
                        format!(
                            "exclusion id `{}` is already used by another exclusion or exception",
                            x.id
                        ),
                    )
                    .at_path("/id"));
                }
                if future {
                    continue;
                }
                let span = match (&x.calendar, x.from, x.to) {
                    (Some(name), _, _) => Span::Calendar {
                        name: name.clone(),
                        calendar: policy.calendar(name).ok_or_else(|| {
                            input_err(
                                ErrorCode::InvalidRecordField,
                                x.origin,
                                format!("exclusion `{}` names calendar `{name}`, which the policy does not define", x.id),
                            )
                            .at_path("/calendar")
                        })?,
                    },
                    (None, Some(from), Some(to)) => Span::Interval { from, to },
                    _ => continue,
                };
                exclusions.push(Exclusion {
                    id: x.id.clone(),
                    reason: x.reason.clone(),
                    span,
                    services: x.services.clone(),
                    vendor: x.vendor.clone(),
                    effect: x.effect,
                    source: "records",
                });
            }
            Record::Exception(x) => {
                if ids.insert(x.id.clone(), "exception").is_some() {
                    return Err(input_err(
                        ErrorCode::DuplicateRecordId,
                        x.origin,
                        format!(
                            "exception id `{}` is already used by another exclusion or exception",
                            x.id
                        ),
                    )
                    .at_path("/id"));
                }
                if future {
                    continue;
                }
                exceptions.push(Exception {
                    id: x.id.clone(),
                    services: x.services.clone(),
                    deployments: x.deployments.clone(),
                    from: x.from,
                    to: x.to,
                    emergency: x.emergency,
                    approved_by: x.approved_by.clone(),
                    justification: x.justification.clone(),
                    justified_at: x.justified_at,
                    source: "records",
                });
            }
        }
    }
    // Policy exceptions that begin after as_of do not exist yet either.
    exceptions.retain(|x| x.from <= as_of);
    exclusions.retain(|x| match x.span {
        Span::Interval { from, .. } => from <= as_of,
        Span::Calendar { .. } => true,
    });

    let events = all.filter_map(|r| match r {
        Record::Event(e) => Some(e),
        _ => None,
    });
    let mut groups = Groups::new(events, n_events, parallel);
    let mut deployments = Vec::with_capacity(groups.ids.len());
    let by_dep = groups.split();
    let mut future_only = Vec::new();
    let mut sigs: rustc_hash::FxHashMap<Combination<'_>, (u32, Arc<Names>)> =
        rustc_hash::FxHashMap::default();
    // Each deployment's events are put in order, its attributes merged and
    // its events labelled on every core, a chunk at a time (a chunk's
    // shapes are all that is held beside the groups); its names are shared
    // and numbered in id order, as is the first error, by one core while
    // the next chunk is shaped (taken in turn, the cores shared the names
    // a third of the time: on 10M events, a second at 60% of two cores).
    let shape_chunk = |part: Vec<(&'a str, &mut [&'a Event])>| {
        let mut names = EventNames::default();
        part.into_iter()
            .map(|(id, events)| shape_deployment(policy, as_of, id, events, &mut names))
            .collect::<Vec<_>>()
    };
    let mut groups = by_dep;
    let mut shaped: Vec<Vec<Result<Shape<'_>>>> = Vec::new();
    loop {
        let chunk: Vec<(&'a str, &mut [&'a Event])> = groups.by_ref().take(SHAPE_CHUNK).collect();
        if chunk.is_empty() && shaped.is_empty() {
            break;
        }
        let last = std::mem::take(&mut shaped);
        let (deployments, future_only, sigs) = (&mut deployments, &mut future_only, &mut sigs);
        let (taken, next) = join2(
            parallel,
            move || -> Result<()> {
                for shape in last.into_iter().flatten() {
                    match shape? {
                        Shape::FutureOnly(id) => future_only.push(Text::from(id)),
                        Shape::Visible {
                            id,
                            events,
                            anchor,
                            combination,
                        } => {
                            let next = u32::try_from(sigs.len()).unwrap_or(NO_SIG);
                            let (sig, shared) = sigs.entry(combination).or_insert_with(|| {
                                let (environment, release_type, service, tier, team) = combination;
                                let names =
                                    Names::new(service, environment, release_type, tier, team);
                                (next, Arc::new(names))
                            });
                            let (sig, shared) = (*sig, Arc::clone(shared));
                            deployments.push(Deployment::new(
                                Text::from(id),
                                events,
                                anchor,
                                shared,
                                sig,
                            ));
                        }
                    }
                }
                Ok(())
            },
            || par_chunks(parallel, chunk, SHAPE_CHUNK / 16, shape_chunk),
        );
        taken?;
        shaped = next;
    }
    // By anchor, then id. They are in id order here, so each one's anchor
    // and place are its whole key: sorting those (16 bytes, no text) and
    // then moving each deployment once beats sorting the deployments.
    let mut order: Vec<(i64, usize)> = deployments
        .iter()
        .enumerate()
        .map(|(i, d)| (d.anchor, i))
        .collect();
    par_sort_unstable_by(parallel, &mut order, Ord::cmp);
    apply_order(
        &mut deployments,
        order.into_iter().map(|(_, i)| i).collect(),
    );

    // Incidents: several records with one id are one incident.
    let mut incidents = Vec::new();
    for (id, recs) in incident_recs {
        let mut merged: Option<Incident> = None;
        let mut links: BTreeSet<String> = BTreeSet::new();
        for r in &recs {
            if let Some(m) = &merged
                && m.service != r.service
            {
                return Err(input_err(
                    ErrorCode::ConflictingIncident,
                    r.origin,
                    format!(
                        "incident `{id}` names two services: `{}` and `{}`",
                        m.service, r.service
                    ),
                )
                .at_path("/service"));
            }
            if r.opened > as_of {
                continue;
            }
            if let Some(d) = &r.deployment {
                links.insert(d.clone());
            }
            merged = Some(match merged {
                None => (*r).clone(),
                Some(mut m) => {
                    m.opened = m.opened.min(r.opened);
                    m.resolved = match (m.resolved, r.resolved) {
                        (Some(a), Some(b)) => Some(a.max(b)),
                        (a, b) => a.or(b),
                    };
                    if m.severity.is_none() {
                        m.severity.clone_from(&r.severity);
                    }
                    m
                }
            });
        }
        if let Some(mut m) = merged {
            m.deployment = None;
            m.unknown_fields = links.into_iter().collect(); // reused as the link list
            incidents.push(m);
        }
    }

    Ok(World {
        as_of,
        deployments,
        // Boxed: a world is moved whole, and held in enums beside smaller kinds.
        exclusion_index: Box::new(SpanIndex::of_exclusions(&exclusions)),
        exception_index: Box::new(SpanIndex::of_exceptions(&exceptions)),
        exclusions,
        exceptions,
        outages,
        incidents,
        unknown_fields,
        future_only,
    })
}

/// Deployments [`build_world`] shapes at a time: each chunk is split among
/// the cores. Under test, small enough that a test's world takes several.
const SHAPE_CHUNK: usize = if cfg!(test) { 1 << 10 } else { 1 << 16 };

/// One deployment of [`build_world`], before its names are shared.
enum Shape<'a> {
    /// Its events at or before as_of (in §1.5 order), its anchor, and what
    /// its names are made of.
    Visible {
        id: &'a str,
        events: Vec<Ev>,
        anchor: i64,
        combination: Combination<'a>,
    },
    /// Every event of it is after as_of.
    FutureOnly(&'a str),
}

/// A deployment's events put in §1.5 order, its attributes merged over
/// them (a conflict, or no `service`, is an input error), and its visible
/// events labelled.
fn shape_deployment<'a, 'e: 'a>(
    policy: &'a Policy,
    as_of: i64,
    id: &'a str,
    events: &mut [&'e Event],
    names: &mut EventNames<'a>,
) -> Result<Shape<'a>> {
    events.sort_by(|a, b| {
        (a.time, &a.event, a.id().unwrap_or(""), &a.deployment).cmp(&(
            b.time,
            &b.event,
            b.id().unwrap_or(""),
            &b.deployment,
        ))
    });
    // Attributes are static facts: merged over every event, future ones included.
    let mut attrs: [(&str, Attr, Option<&'a Event>); 4] = [
        ("service", |e| e.service(), None),
        ("environment", |e| e.environment(), None),
        ("release_type", |e| e.release_type(), None),
        ("team", |e| e.team(), None),
    ];
    for e in events.iter() {
        for (name, attr, holder) in attrs.iter_mut() {
            let value = attr(e);
            if let Some(v) = value {
                match holder {
                    None => *holder = Some(e),
                    Some(prev) => {
                        let pv = attr(prev).unwrap_or_default();
                        if pv != v {
                            let (first, second) = if prev.origin.index <= e.origin.index {
                                (*prev, *e)
                            } else {
                                (*e, *prev)
                            };
                            return Err(input_err(
                                ErrorCode::ConflictingAttribute,
                                second.origin,
                                format!(
                                    "deployment `{id}` has two values for `{name}`: `{}` (record {}) and `{}` (record {})",
                                    attr(first).unwrap_or_default(),
                                    first.origin.index,
                                    attr(second).unwrap_or_default(),
                                    second.origin.index
                                ),
                            )
                            .at_path(format!("/{name}")));
                        }
                    }
                }
            }
        }
    }
    let get = |n: usize| {
        attrs
            .get(n)
            .and_then(|(_, attr, h)| h.and_then(|e| attr(e)))
    };
    let service = get(0);
    if service.is_none() {
        let origin = events.first().map(|e| e.origin).unwrap_or_default();
        return Err(input_err(
            ErrorCode::MissingService,
            origin,
            format!("deployment `{id}` has no `service` on any of its events"),
        )
        .at_path("/service"));
    }
    // In time order: the events at or before as_of are a prefix.
    let visible = events
        .get(..events.partition_point(|e| e.time <= as_of))
        .unwrap_or_default();
    let Some(earliest) = visible.first() else {
        return Ok(Shape::FutureOnly(id));
    };
    let anchor = visible
        .iter()
        .find(|e| e.event == "started")
        .map_or(earliest.time, |e| e.time);
    let entry = policy.service_entry(service);
    let tier = policy.tier_of(service);
    let team = entry.and_then(|s| s.team.as_deref()).or_else(|| get(3));
    let (environment, release_type) = (get(1), get(2));
    let events = visible.iter().map(|e| names.ev(e)).collect();
    Ok(Shape::Visible {
        id,
        events,
        anchor,
        combination: (environment, release_type, service, tier, team),
    })
}

/// Sort `items` by `cmp`, on every core when `parallel`. Unstable: for
/// keys that are unique, or where equal items are alike.
fn par_sort_unstable_by<T: Send>(
    parallel: bool,
    items: &mut [T],
    cmp: impl Fn(&T, &T) -> std::cmp::Ordering + Sync,
) {
    #[cfg(feature = "parallel")]
    if parallel {
        use rayon::prelude::*;
        items.par_sort_unstable_by(cmp);
        return;
    }
    let _ = parallel;
    items.sort_unstable_by(cmp);
}

/// Put `items` in the order `order` gives (`order[k]`: the index of the
/// item that goes to `k`; a permutation of `0..items.len()`), in place:
/// each item is moved along its cycle, no second list is made.
fn apply_order<T>(items: &mut [T], mut order: Vec<usize>) {
    for start in 0..order.len() {
        let mut at = start;
        while let Some(slot) = order.get_mut(at) {
            let from = std::mem::replace(slot, at);
            if from == start || from == at || from >= items.len() {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

/// `f` over consecutive chunks of about `min_len` items of `items`, on
/// every core when `parallel`: the results in the chunks' order.
fn par_chunks<T: Send, R: Send>(
    parallel: bool,
    items: Vec<T>,
    min_len: usize,
    f: impl Fn(Vec<T>) -> R + Sync + Send,
) -> Vec<R> {
    let mut chunks = Vec::new();
    let mut items = items.into_iter();
    loop {
        let chunk: Vec<T> = items.by_ref().take(min_len.max(1)).collect();
        if chunk.is_empty() {
            break;
        }
        chunks.push(chunk);
    }
    par_map(parallel, chunks, f)
}

/// One of an event's deployment attributes (`service`, `environment`, ...).
type Attr = for<'e> fn(&'e Event) -> Option<&'e str>;

// ---------------------------------------------------------------------------
// Clocks
// ---------------------------------------------------------------------------

/// The result of running one duration clock.
#[derive(Debug, Clone)]
pub(crate) struct ClockRun<'a> {
    pub start: i64,
    pub stop: Option<i64>,
    pub end: i64,
    /// The paused set inside [start, end), merged.
    pub paused: Vec<(i64, i64)>,
    /// Where each pause came from (for evidence and timelines).
    pub pause_sources: Vec<PauseSource<'a>>,
    pub elapsed: i64,
    pub actual: i64,
}

/// One pause of a clock and where it came from. Its words and evidence are
/// made only when asked (a breach, a timeline): every clock run has its
/// pauses, few are breached.
#[derive(Debug, Clone)]
pub(crate) struct PauseSource<'a> {
    pub from: i64,
    pub to: i64,
    pub why: PauseWhy<'a>,
}

/// What opened a pause.
#[derive(Debug, Clone, Copy)]
pub(crate) enum PauseWhy<'a> {
    /// A pause pair of the clock (`from → to` event names): its opening
    /// event and the closing one, if it came.
    Pair(&'a (String, String), &'a Ev, Option<&'a Ev>),
    /// A `pause` exclusion.
    Exclusion(&'a Exclusion),
}

impl PauseSource<'_> {
    /// In words, for timelines (`approval_requested → approval_granted`,
    /// `exclusion EXC-7`); also the tie-break of the pauses' order.
    pub(crate) fn what(&self) -> String {
        match self.why {
            PauseWhy::Pair((from, to), ..) => format!("{from} → {to}"),
            PauseWhy::Exclusion(x) => format!("exclusion {}", x.id),
        }
    }

    /// The records behind the pause, as evidence.
    fn evidence(&self) -> impl Iterator<Item = Evidence> + '_ {
        let (first, second) = match self.why {
            PauseWhy::Pair(_, e, closer) => (
                evidence_of(e, "pause"),
                closer.map(|t| evidence_of(t, "resume")),
            ),
            PauseWhy::Exclusion(x) => (
                Evidence {
                    kind: "exclusion".into(),
                    id: Some(Text::from(x.id.as_str())),
                    event: None,
                    time: None,
                    role: "pause".into(),
                },
                None,
            ),
        };
        std::iter::once(first).chain(second)
    }
}

pub(crate) enum ClockOutcome<'a> {
    Unmeasured,
    Cancelled(&'a Ev),
    Ran(ClockRun<'a>, &'a Ev, Option<&'a Ev>),
}

pub(crate) fn run_clock<'a>(
    dep: &'a Deployment,
    clock: &'a crate::policy::Clock,
    world: &'a World,
    as_of: i64,
) -> ClockOutcome<'a> {
    let Some(start_ev) = dep.first(&clock.start) else {
        return ClockOutcome::Unmeasured;
    };
    let start = start_ev.time;
    let stop_ev = dep
        .events
        .iter()
        .find(|e| e.event() == clock.stop && e.time >= start);
    let stop = stop_ev.map(|e| e.time);
    if let Some(c) = dep.events.iter().find(|e| {
        clock.cancel.iter().any(|c| c == e.event())
            && e.time >= start
            && stop.is_none_or(|s| e.time < s)
    }) {
        return ClockOutcome::Cancelled(c);
    }
    let end = stop.unwrap_or(as_of).max(start);
    let mut sources = Vec::new();
    for pair in &clock.pauses {
        let (from_name, to_name) = pair;
        for e in dep.events.iter().filter(|e| e.event() == from_name) {
            let closer = dep
                .events
                .iter()
                .find(|t| t.event() == to_name && t.time >= e.time);
            let close = closer.map_or(end, |t| t.time);
            let (a, b) = (e.time.max(start), close.min(end));
            if a < b {
                sources.push(PauseSource {
                    from: a,
                    to: b,
                    why: PauseWhy::Pair(pair, e, closer),
                });
            }
        }
    }
    // The sources are sorted below: the order the candidates come in does
    // not matter.
    for x in world
        .exclusion_index
        .select(&world.exclusions, dep.service(), &dep.id, start, end)
        .filter(|x| x.effect == Effect::Pause && x.matches_service(dep.service()))
    {
        for (a, b) in x.intervals(start, end) {
            sources.push(PauseSource {
                from: a,
                to: b,
                why: PauseWhy::Exclusion(x),
            });
        }
    }
    // By time, then by the words (made only for a tie).
    sources.sort_by(|a, b| {
        (a.from, a.to)
            .cmp(&(b.from, b.to))
            .then_with(|| a.what().cmp(&b.what()))
    });
    let paused = union(sources.iter().map(|s| (s.from, s.to)));
    let cal = &clock.calendar;
    let paused_business: i64 = paused.iter().map(|&(a, b)| cal.business(a, b)).sum();
    let paused_wall: i64 = paused.iter().map(|&(a, b)| b - a).sum();
    let elapsed = (cal.business(start, end) - paused_business).max(0);
    let actual = ((end - start) - paused_wall).max(0);
    ClockOutcome::Ran(
        ClockRun {
            start,
            stop,
            end,
            paused,
            pause_sources: sources,
            elapsed,
            actual,
        },
        start_ev,
        stop_ev,
    )
}

/// Merge intervals (sorted or not) into a sorted disjoint list.
pub(crate) fn union(iv: impl Iterator<Item = (i64, i64)>) -> Vec<(i64, i64)> {
    let mut v: Vec<(i64, i64)> = iv.filter(|(a, b)| a < b).collect();
    v.sort_unstable();
    // Merged in place: an interval that starts inside the last one kept
    // extends it and goes.
    v.dedup_by(|next, kept| {
        let overlaps = next.0 <= kept.1;
        if overlaps {
            kept.1 = kept.1.max(next.1);
        }
        overlaps
    });
    v
}

/// The instant at which the clock reaches `max` if no further pause happens
/// (§7): the unpaused stretches up to as_of, then the calendar from as_of.
pub(crate) fn breach_at(run: &ClockRun, cal: &Calendar, max: i64, as_of: i64) -> Option<i64> {
    let mut cum = 0i64;
    let mut cursor = run.start;
    let mut pieces = Vec::new();
    for &(a, b) in &run.paused {
        if a > cursor {
            pieces.push((cursor, a));
        }
        cursor = cursor.max(b);
    }
    if cursor < run.end {
        pieces.push((cursor, run.end));
    }
    for (a, b) in pieces {
        let biz = cal.business(a, b);
        if cum + biz >= max {
            return cal.breach_at(a, max - cum);
        }
        cum += biz;
    }
    cal.breach_at(as_of.max(run.end), max - cum)
}

// ---------------------------------------------------------------------------
// Judging one deployment under one SLA
// ---------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub(crate) enum State {
    Met,
    Breached,
    InFlight,
    Unmeasured,
    Cancelled,
    Excluded,
    Suspended,
    Succeeded,
    Failed,
    InProgress,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Met => "met",
            State::Breached => "breached",
            State::InFlight => "in_flight",
            State::Unmeasured => "unmeasured",
            State::Cancelled => "cancelled",
            State::Excluded => "excluded",
            State::Suspended => "suspended",
            State::Succeeded => "succeeded",
            State::Failed => "failed",
            State::InProgress => "in_progress",
        }
    }
}

/// What judging found for one deployment and SLA. One per deployment and
/// SLA is held while an SLA is finished, so what few verdicts have (notes,
/// evidence, a running clock's numbers) is boxed in [`Extra`], and the
/// numbers every measured clock has are sentinels ([`Counted`]), read
/// through [`Judged::elapsed`] and the like: 264 bytes became 48.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "JudgedWire", into = "JudgedWire")]
pub(crate) struct Judged {
    pub state: State,
    pub caused_failure: bool,
    /// The clock's numbers (absent: [`NOT_COUNTED`]); the target's maximum
    /// is `elapsed + remaining`.
    counted: Counted,
    /// The exclusions that paused the clock (§9): most clocks of a workload
    /// with a weekly window have one, and few lists are distinct, so a
    /// judged list is shared ([`Shared`]).
    pause_exclusions: Option<Arc<Vec<Text>>>,
    pub extra: Option<Box<Extra>>,
}

/// The numbers of a measured clock ([`NONE`]: absent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Counted {
    elapsed: i64,
    actual: i64,
    remaining: i64,
}

/// No clock measured.
const NOT_COUNTED: Counted = Counted {
    elapsed: NONE,
    actual: NONE,
    remaining: NONE,
};

/// The parts of a verdict only some have.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Extra {
    pub exclusion: Option<String>,
    pub exception: Option<String>,
    pub reason: Option<String>,
    pub evidence: Vec<Evidence>,
    /// Breached clocks: the measured span `[start, end)` (vendor overlap, §9).
    pub span: Option<(i64, i64)>,
    /// Running clocks: the breach instant, share and warning threshold.
    running: Running,
}

/// A verdict as a partial writes it (the wire keeps its flat shape).
#[derive(Serialize, Deserialize)]
struct JudgedWire {
    state: State,
    elapsed: Option<i64>,
    actual: Option<i64>,
    remaining: Option<i64>,
    breach_at: Option<Option<i64>>,
    consumed: Option<f64>,
    warn: Option<i64>,
    exclusion: Option<String>,
    exception: Option<String>,
    reason: Option<String>,
    #[serde(with = "crate::partial::wire::evidence_list")]
    evidence: Vec<Evidence>,
    pause_exclusions: Vec<Text>,
    caused_failure: bool,
    max_ms: Option<i64>,
    span: Option<(i64, i64)>,
}

impl From<JudgedWire> for Judged {
    fn from(w: JudgedWire) -> Judged {
        let extra = Extra {
            exclusion: w.exclusion,
            exception: w.exception,
            reason: w.reason,
            evidence: w.evidence,
            span: w.span,
            running: Running {
                breach_at: w.breach_at.map_or(NONE, |b| b.unwrap_or(NEVER)),
                consumed: w.consumed.unwrap_or(f64::NAN),
                warn: w.warn.unwrap_or(NONE),
            },
        };
        Judged {
            state: w.state,
            caused_failure: w.caused_failure,
            counted: Counted {
                elapsed: w.elapsed.unwrap_or(NONE),
                actual: w.actual.unwrap_or(NONE),
                remaining: w.remaining.unwrap_or(NONE),
            },
            pause_exclusions: (!w.pause_exclusions.is_empty())
                .then(|| Arc::new(w.pause_exclusions)),
            extra: (extra != Extra::default()).then(|| Box::new(extra)),
        }
    }
}

impl From<Judged> for JudgedWire {
    fn from(j: Judged) -> JudgedWire {
        let (elapsed, actual, remaining) = (j.elapsed(), j.actual(), j.remaining());
        let (breach_at, consumed, warn, max_ms) =
            (j.breach_at(), j.consumed(), j.warn(), j.max_ms());
        let x = j.extra.map(|b| *b).unwrap_or_default();
        JudgedWire {
            state: j.state,
            elapsed,
            actual,
            remaining,
            breach_at,
            consumed,
            warn,
            exclusion: x.exclusion,
            exception: x.exception,
            reason: x.reason,
            evidence: x.evidence,
            pause_exclusions: j
                .pause_exclusions
                .map(|list| Arc::try_unwrap(list).unwrap_or_else(|shared| (*shared).clone()))
                .unwrap_or_default(),
            caused_failure: j.caused_failure,
            max_ms,
            span: x.span,
        }
    }
}

impl Judged {
    fn new(state: State) -> Judged {
        Judged {
            state,
            caused_failure: false,
            counted: NOT_COUNTED,
            pause_exclusions: None,
            extra: None,
        }
    }

    /// A measured clock: what it counted against the target's maximum.
    fn measured(state: State, max: i64, elapsed: i64, actual: i64) -> Judged {
        let mut j = Judged::new(state);
        j.counted = Counted {
            elapsed,
            actual,
            remaining: max - elapsed,
        };
        j
    }

    /// A running clock's breach instant (`None`: the calendar never opens
    /// again), share of its maximum and crossed warning threshold.
    fn running(&mut self, breach_at: Option<i64>, consumed: Option<f64>, warn: Option<i64>) {
        self.extra_mut().running = Running {
            breach_at: breach_at.unwrap_or(NEVER),
            consumed: consumed.unwrap_or(f64::NAN),
            warn: warn.unwrap_or(NONE),
        };
    }

    /// A running clock's numbers ([`NOT_RUNNING`] when not running).
    fn running_numbers(&self) -> Running {
        self.extra.as_ref().map_or(NOT_RUNNING, |x| x.running)
    }

    /// The exclusions that paused the clock (§9).
    pub(crate) fn pause_exclusions(&self) -> &[Text] {
        self.pause_exclusions.as_deref().map_or(&[], Vec::as_slice)
    }

    /// Add `id` to the exclusions that paused the clock, once.
    fn paused_by(&mut self, id: &str) {
        let list = self.pause_exclusions.get_or_insert_with(Arc::default);
        if !list.iter().any(|p| p == id) {
            Arc::make_mut(list).push(Text::from(id));
        }
    }

    /// Business (or wall) time the clock counted.
    pub(crate) fn elapsed(&self) -> Option<i64> {
        opt(self.counted.elapsed)
    }

    /// Wall time the clock counted, pauses removed.
    pub(crate) fn actual(&self) -> Option<i64> {
        opt(self.counted.actual)
    }

    /// The target's maximum less `elapsed`.
    pub(crate) fn remaining(&self) -> Option<i64> {
        opt(self.counted.remaining)
    }

    /// A running clock's breach instant (`Some(None)`: the calendar never
    /// opens again); `None` when the clock is not running.
    pub(crate) fn breach_at(&self) -> Option<Option<i64>> {
        self.running_numbers().breach_at()
    }

    /// A running clock's share of its maximum.
    pub(crate) fn consumed(&self) -> Option<f64> {
        self.running_numbers().consumed()
    }

    /// The warning threshold a running clock has crossed (ppm).
    pub(crate) fn warn(&self) -> Option<i64> {
        self.running_numbers().warn()
    }

    /// The target's maximum, when a clock was measured against it.
    pub(crate) fn max_ms(&self) -> Option<i64> {
        Some(self.elapsed()? + self.remaining()?)
    }

    /// The boxed parts, added on first write.
    fn extra_mut(&mut self) -> &mut Extra {
        self.extra.get_or_insert_with(Box::default)
    }

    pub(crate) fn exclusion(&self) -> Option<&String> {
        self.extra.as_ref()?.exclusion.as_ref()
    }

    pub(crate) fn exception(&self) -> Option<&String> {
        self.extra.as_ref()?.exception.as_ref()
    }

    pub(crate) fn reason(&self) -> Option<&String> {
        self.extra.as_ref()?.reason.as_ref()
    }

    pub(crate) fn evidence(&self) -> &[Evidence] {
        self.extra.as_ref().map_or(&[], |x| x.evidence.as_slice())
    }

    fn span(&self) -> Option<(i64, i64)> {
        self.extra.as_ref()?.span
    }
}

/// Does the SLA hold the deployment to a target? Its scope admits it and
/// the SLA has a target for its tier.
pub(crate) fn in_scope(sla: &Sla, dep: &Deployment) -> bool {
    target_if_in_scope(&Scope::of(&sla.scope), sla, dep).is_some()
}

/// A scope (§3.4) ready to be asked of many deployments, each list ready
/// for lookup (a list may name hundreds of services): what an SLA's scope
/// and the DORA summary's scope admit.
pub(crate) struct Scope<'p> {
    environments: ScopeSet<'p>,
    release_types: ScopeSet<'p>,
    services: ScopeSet<'p>,
    tiers: ScopeSet<'p>,
}

/// A scope list as (include?, values); `None` when the scope sets none.
type ScopeSet<'p> = Option<(bool, Values<'p>)>;

/// A scope list's values: a short list compared in place (most name one
/// or two: `[production]`, `{exempt: [emergency]}`), a long one hashed.
enum Values<'p> {
    Few(Vec<&'p str>),
    Many(rustc_hash::FxHashSet<&'p str>),
}

impl<'p> Values<'p> {
    /// Longer lists are hashed.
    const FEW: usize = 8;

    fn of(values: &'p [String]) -> Self {
        let values = values.iter().map(String::as_str);
        if values.len() <= Self::FEW {
            Values::Few(values.collect())
        } else {
            Values::Many(values.collect())
        }
    }

    fn contains(&self, v: &str) -> bool {
        match self {
            Values::Few(list) => list.contains(&v),
            Values::Many(set) => set.contains(v),
        }
    }
}

impl<'p> Scope<'p> {
    pub(crate) fn of(doc: &'p crate::policy::ScopeDoc) -> Self {
        use crate::policy::ScopeList;
        let set = |l: &'p Option<ScopeList>| -> ScopeSet<'p> {
            l.as_ref().map(|l| match l {
                ScopeList::Include(v) => (true, Values::of(v)),
                ScopeList::Exempt { exempt } => (false, Values::of(exempt)),
            })
        };
        Scope {
            environments: set(&doc.environments),
            release_types: set(&doc.release_types),
            services: set(&doc.services),
            tiers: set(&doc.tiers),
        }
    }

    /// [`crate::policy::ScopeList::admits`] on a set: without the attribute
    /// a deployment is outside an include list and not exempted.
    fn admits_value(list: &ScopeSet<'_>, value: Option<&str>) -> bool {
        match (list, value) {
            (None, _) => true,
            (Some((include, set)), Some(v)) => set.contains(v) == *include,
            (Some((include, _)), None) => !include,
        }
    }

    /// Does every list admit the deployment?
    pub(crate) fn admits(&self, dep: &Deployment) -> bool {
        Self::admits_value(&self.environments, dep.environment())
            && Self::admits_value(&self.release_types, dep.release_type())
            && Self::admits_value(&self.services, dep.service())
            && Self::admits_value(&self.tiers, Some(dep.tier()))
    }
}

/// The exception that suspends a deployment (§8), if any.
pub(crate) fn suspending<'x>(world: &'x World, dep: &Deployment) -> Option<&'x Exception> {
    world
        .exception_index
        .select_at(&world.exceptions, dep.service(), &dep.id, dep.anchor)
        .filter(|x| match &x.deployments {
            Some(list) => list.iter().any(|d| d == dep.id),
            None => {
                x.from <= dep.anchor
                    && dep.anchor < x.to
                    && x.services
                        .as_ref()
                        .is_none_or(|s| dep.service().is_some_and(|svc| s.iter().any(|x| x == svc)))
            }
        })
        .min_by(|a, b| (a.from, &a.id).cmp(&(b.from, &b.id)))
}

/// The `exclude` exclusion that excludes a deployment (§3.5), if any.
pub(crate) fn excluding<'x>(world: &'x World, dep: &Deployment) -> Option<&'x Exclusion> {
    world
        .exclusion_index
        .select_at(&world.exclusions, dep.service(), &dep.id, dep.anchor)
        .filter(|x| x.effect == Effect::Exclude && x.matches_service(dep.service()))
        .filter_map(|x| x.stretch_start(dep.anchor).map(|s| (s, x)))
        .min_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)))
        .map(|(_, x)| x)
}

/// Precedence (§5.5) up to the kind-specific rules.
#[inline]
pub(crate) fn precedence(world: &World, dep: &Deployment) -> Option<Judged> {
    if let Some(x) = suspending(world, dep) {
        let mut j = Judged::new(State::Suspended);
        j.extra_mut().exception = Some(x.id.clone());
        j.extra_mut().evidence.push(Evidence {
            kind: "exception".into(),
            id: Some(Text::from(x.id.as_str())),
            event: None,
            time: None,
            role: "suspend".into(),
        });
        return Some(j);
    }
    if let Some(x) = excluding(world, dep) {
        let mut j = Judged::new(State::Excluded);
        j.extra_mut().exclusion = Some(x.id.clone());
        j.extra_mut().evidence.push(Evidence {
            kind: "exclusion".into(),
            id: Some(Text::from(x.id.as_str())),
            event: None,
            time: None,
            role: "exclude".into(),
        });
        return Some(j);
    }
    if let Some(e) = dep.preflight() {
        let mut j = Judged::new(State::Excluded);
        j.extra_mut().reason = Some("preflight_failed".into());
        j.extra_mut()
            .evidence
            .push(evidence_of(e, "preflight_failed"));
        return Some(j);
    }
    None
}

pub(crate) fn judge_duration(world: &World, sla: &Sla, dep: &Deployment, max: i64) -> Judged {
    let Some(clock) = &sla.clock else {
        return Judged::new(State::Unmeasured);
    };
    match run_clock(dep, clock, world, world.as_of) {
        ClockOutcome::Unmeasured => {
            let mut j = Judged::new(State::Unmeasured);
            j.extra_mut().reason = Some(format!("no `{}` event", clock.start));
            j
        }
        ClockOutcome::Cancelled(e) => {
            let mut j = Judged::new(State::Cancelled);
            j.extra_mut().reason = Some(format!("cancelled by `{}`", e.event()));
            j.extra_mut().evidence.push(evidence_of(e, "cancel"));
            j
        }
        ClockOutcome::Ran(run, start_ev, stop_ev) => {
            let running = run.stop.is_none();
            let state = match (running, run.elapsed > max) {
                (_, true) => State::Breached,
                (false, false) => State::Met,
                (true, false) => State::InFlight,
            };
            let mut j = Judged::measured(state, max, run.elapsed, run.actual);
            // Evidence is read only by breaches; met and running clocks skip it.
            let keep = state == State::Breached;
            if keep {
                j.extra_mut().span = Some((run.start, run.end));
                j.extra_mut().evidence.push(evidence_of(start_ev, "start"));
                if let Some(s) = stop_ev {
                    j.extra_mut().evidence.push(evidence_of(s, "stop"));
                }
            }
            // Each record once: a recurring exclusion pauses a long clock
            // once a week, and its evidence (kind, id, role; no instant) is
            // the same each time — on the 1M workload 5.9M of the 6.3M
            // evidence items were such repeats. Timed evidence (events) is
            // distinct by its instant; only untimed items are compared.
            for s in &run.pause_sources {
                // A pause that removed no business time (e.g. a Sunday window on a
                // Mon-Fri calendar) is evidence, but not an exclusion that applied.
                if let PauseWhy::Exclusion(x) = s.why
                    && clock.calendar.business(s.from, s.to) > 0
                {
                    j.paused_by(&x.id);
                }
                if !keep {
                    continue;
                }
                let evidence = &mut j.extra_mut().evidence;
                for e in s.evidence() {
                    // Untimed (an exclusion): once.
                    if e.time.is_some() || !evidence.contains(&e) {
                        evidence.push(e);
                    }
                }
            }
            if running {
                let warn = sla
                    .warn_at
                    .iter()
                    .rev()
                    .find(|t| i128::from(run.elapsed) * PPM >= i128::from(t.0) * i128::from(max))
                    .map(|t| t.0);
                j.running(
                    breach_at(&run, &clock.calendar, max, world.as_of),
                    ratio6(i128::from(run.elapsed), i128::from(max)),
                    warn,
                );
            }
            j
        }
    }
}

/// Incidents as pseudo-deployments (time_to_restore), in (anchor, id)
/// order: each with the lifecycle events `opened`, and `resolved` when it
/// is visible at as_of.
fn incident_deployments(policy: &Policy, world: &World) -> Vec<Deployment> {
    // Each incident's id is its events' record id.
    let mut out: Vec<Deployment> = world
        .incidents
        .iter()
        .map(|inc| {
            let service = Some(inc.service.as_str());
            let label = |name: &str| Label::new(name, Some(&inc.id));
            let mut events = vec![Ev::new(label("opened"), inc.opened)];
            if let Some(r) = inc.resolved.filter(|r| *r <= world.as_of) {
                events.push(Ev::new(label("resolved"), r.max(inc.opened)));
            }
            let entry = policy.service_entry(service);
            let names = Names::new(
                service,
                None,
                None,
                policy.tier_of(service),
                entry.and_then(|s| s.team.as_deref()),
            );
            Deployment::new(
                Text::from(inc.id.as_str()),
                events,
                inc.opened,
                Arc::new(names),
                NO_SIG,
            )
        })
        .collect();
    out.sort_by(|a, b| (a.anchor, &a.id).cmp(&(b.anchor, &b.id)));
    out
}

/// The changes an outage starting at `from` is charged to (§6.2): those of
/// the latest time in `(from - attribution_ms, from]`, from a list of one
/// service's `(time, change)` sorted by time. Empty when none is that close.
pub(crate) fn charged_changes<T>(list: &[(i64, T)], from: i64, attribution_ms: i64) -> &[(i64, T)] {
    let lo = from.saturating_sub(attribution_ms);
    // Binary search for the latest change in (lo, from].
    let hi = list.partition_point(|(t, _)| *t <= from);
    let latest = hi
        .checked_sub(1)
        .and_then(|i| list.get(i))
        .map(|(t, _)| *t)
        .filter(|t| *t > lo);
    match latest {
        Some(latest) => {
            let first = list.partition_point(|(t, _)| *t < latest);
            list.get(first..hi).unwrap_or_default()
        }
        None => &[],
    }
}

/// The outages of each service, in the world's order and by time (one
/// pass, so judging a deployment reads only the outages of its service that
/// may fall in its watch; an open outage runs on).
pub(crate) fn outages_by_service(world: &World) -> BTreeMap<&str, Timed<'_, Outage>> {
    let mut map: BTreeMap<&str, Vec<&Outage>> = BTreeMap::new();
    for o in &world.outages {
        map.entry(o.service.as_str()).or_default().push(o);
    }
    map.into_iter()
        .map(|(service, list)| {
            let timed = Timed::new(list, |o| (o.from, o.to.unwrap_or(i64::MAX)));
            (service, timed)
        })
        .collect()
}

/// post_deploy_availability (§6.3): outage time of the service within
/// `watch` after `succeeded`, minus `pause` exclusions, against `max`.
/// `mine`: the outages of the deployment's service (from
/// [`outages_by_service`]; `None`: it has none).
pub(crate) fn judge_availability(
    world: &World,
    sla: &Sla,
    dep: &Deployment,
    max: i64,
    mine: Option<&Timed<'_, Outage>>,
) -> Judged {
    let Some(s) = dep.succeeded().map(|e| e.time) else {
        return Judged::new(State::Unmeasured);
    };
    let watch_end = s.saturating_add(sla.watch_ms);
    let end = watch_end.min(world.as_of);
    let down = union(
        mine.into_iter()
            .flat_map(|m| m.meeting(s, end))
            .map(|o| (o.from.max(s), o.to.unwrap_or(world.as_of).min(end))),
    );
    // Pauses only take time off the downtime: without downtime (most
    // deployments) there is nothing to take off, and nothing to name.
    let pauses: Vec<&Exclusion> = if down.is_empty() {
        Vec::new()
    } else {
        // In the exclusions' order, which names them in that order.
        let mut at: Vec<usize> = world
            .exclusion_index
            .candidates(dep.service(), &dep.id, s, end)
            .collect();
        at.sort_unstable();
        at.iter()
            .filter_map(|&at| world.exclusions.get(at))
            .filter(|x| x.effect == Effect::Pause && x.matches_service(dep.service()))
            .collect()
    };
    let paused = union(pauses.iter().flat_map(|x| x.intervals(s, end)));
    let overlap = |a: &[(i64, i64)], b: &[(i64, i64)]| -> i64 {
        a.iter()
            .map(|&(a0, a1)| {
                b.iter()
                    .map(|&(b0, b1)| (a1.min(b1) - a0.max(b0)).max(0))
                    .sum::<i64>()
            })
            .sum()
    };
    let total: i64 = down.iter().map(|(a, b)| b - a).sum();
    let unavailable = total - overlap(&down, &paused);
    let state = if unavailable > max {
        State::Breached
    } else if world.as_of < watch_end {
        State::InFlight
    } else {
        State::Met
    };
    let mut j = Judged::measured(state, max, unavailable, unavailable);
    for x in pauses {
        let iv = x.intervals(s, end);
        if overlap(&down, &iv) > 0 {
            j.paused_by(&x.id);
        }
    }
    if state == State::Breached {
        j.extra_mut().span = Some((s, end));
        if let Some(e) = dep.succeeded() {
            j.extra_mut().evidence.push(evidence_of(e, "succeeded"));
        }
        for o in mine
            .map_or(&[][..], Timed::all)
            .iter()
            .filter(|o| o.from < end && o.to.is_none_or(|t| t > s))
        {
            j.extra_mut().evidence.push(Evidence {
                kind: "outage".into(),
                id: o.id.as_deref().map(Text::from),
                event: None,
                time: Some(instant::format_text(o.from)),
                role: "unavailable".into(),
            });
        }
    }
    j
}

/// §6.2 outcome of a deployment.
/// A deployment's outcome (§6.2) and the event that decided it, from its
/// events in §1.5 order (kept as [`Deployment::outcome`]).
pub(crate) fn outcome_of(events: &[Ev]) -> (State, Option<usize>) {
    if let Some(i) = events.iter().position(|e| {
        matches!(
            e.event(),
            "failed" | "rollback_started" | "rollback_completed"
        )
    }) {
        return (State::Failed, Some(i));
    }
    if let Some(i) = events
        .iter()
        .position(|e| matches!(e.event(), "succeeded" | "health_validated"))
    {
        return (State::Succeeded, Some(i));
    }
    (State::InProgress, None)
}

/// The "succeeded" instant for outage attribution: first `succeeded`, else first `health_validated`.
/// Does the SLA judge this deployment at all? The reliability rules judge
/// only the deployments they are about: rollback_time those that failed
/// (its clock started), post_deploy_availability those that succeeded.
pub(crate) fn is_about(sla: &Sla, dep: &Deployment) -> bool {
    match (sla.kind, &sla.clock) {
        (SlaKind::RollbackTime, Some(c)) => dep.first(&c.start).is_some(),
        (SlaKind::PostDeployAvailability, _) => dep.succeeded().is_some(),
        _ => true,
    }
}

// ---------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------

pub(crate) type SegKey = ((usize, String), Vec<Option<String>>);

/// One row's verdicts, tallied as they are grouped ([`group_verdicts`]
/// reads every verdict once, in order): the row's counts, the distinct
/// lists of exclusions that paused a clock, and where the few verdicts a
/// row reads one by one sit in the SLA's pieces (piece, offset). Those are
/// the verdicts with evidence or notes (an exclusion, an exception, a
/// reason) and every breached, failed or failure-causing one. Reading
/// every verdict again for each row, scattered over the pieces, was two
/// thirds of `make_row`'s time on 10M events (by a profile). The verdicts
/// stay where judging put them (the deployments section takes them in
/// subject order).
#[derive(Default)]
struct Acc {
    /// Verdicts by state, in [`STATES`] order.
    by_state: [i64; STATES.len()],
    /// In-flight verdicts past their warning.
    at_risk: i64,
    /// Verdicts that caused a failure.
    caused: i64,
    /// The pause lists seen (shared lists, once each by pointer while few).
    pauses: Vec<Arc<Vec<Text>>>,
    /// The verdicts read one by one.
    at: Vec<(u32, u32)>,
}

impl Acc {
    /// Tally `j`, found at `at`.
    fn add(&mut self, j: &Judged, at: (u32, u32)) {
        if let Some(n) = self.by_state.get_mut(j.state as usize) {
            *n += 1;
        }
        self.at_risk += i64::from(j.state == State::InFlight && j.warn().is_some());
        self.caused += i64::from(j.caused_failure);
        if let Some(list) = &j.pause_exclusions {
            // Most verdicts of a row share one list: the last few kept are
            // asked (by pointer); a repeat older than that is kept again,
            // and the row's set of names removes it.
            let seen = self
                .pauses
                .iter()
                .rev()
                .take(8)
                .any(|p| Arc::ptr_eq(p, list));
            if !seen {
                self.pauses.push(Arc::clone(list));
            }
        }
        if j.extra.is_some()
            || j.caused_failure
            || matches!(j.state, State::Breached | State::Failed)
        {
            self.at.push(at);
        }
    }

    /// How many of the row's verdicts are in state `s`.
    fn count(&self, s: State) -> i64 {
        self.by_state.get(s as usize).copied().unwrap_or(0)
    }

    /// The verdicts read one by one, as (subject index, verdict).
    fn judged<'v>(&self, pieces: &'v [Vec<Verdict>]) -> impl Iterator<Item = (usize, &'v Judged)> {
        self.at.iter().filter_map(|&(p, o)| {
            let v = pieces.get(p as usize)?.get(o as usize)?;
            Some((v.subject as usize, &v.judged))
        })
    }
}

pub(crate) struct WindowSlot {
    pub start: i64,
    pub end: i64,
    days: i64,
    first_day: Option<chrono::NaiveDate>,
    pub open: bool,
}

pub(crate) fn window_for(sla: &Sla, as_of: i64, anchor: i64) -> Option<WindowSlot> {
    window_at(sla, as_of, anchor, &mut None)
}

/// [`window_for`], the calendar window cut by `cursor` (made on first use):
/// judging asks once per deployment, in anchor order.
fn window_at(
    sla: &Sla,
    as_of: i64,
    anchor: i64,
    cursor: &mut Option<WindowCursor>,
) -> Option<WindowSlot> {
    match sla.window {
        Window::Calendar(unit) => {
            let w = cursor
                .get_or_insert_with(|| WindowCursor::new(unit, sla.tz))
                .at(anchor);
            Some(slot(&w, as_of))
        }
        Window::Rolling(d) => {
            let start = as_of.saturating_sub(d);
            (start <= anchor && anchor <= as_of).then_some(WindowSlot {
                start,
                end: as_of,
                days: 0,
                first_day: None,
                open: true,
            })
        }
    }
}

fn slot(w: &CalWindow, as_of: i64) -> WindowSlot {
    WindowSlot {
        start: w.start,
        end: w.end,
        days: w.days(),
        first_day: Some(w.first_day),
        open: w.start <= as_of && as_of < w.end,
    }
}

fn fmt_segment(seg: &BTreeMap<String, Option<String>>) -> String {
    let mut parts = vec![];
    if let Some(Some(t)) = seg.get("tier") {
        parts.push(format!("tier={t}"));
    }
    for (k, v) in seg {
        if k != "tier" {
            parts.push(format!("{k}={}", v.as_deref().unwrap_or("-")));
        }
    }
    parts.join(",")
}

/// Evaluate a policy against records at `as_of` (ms): one partial over every
/// record, finished (the same code path as a scale-out run, see [`crate::partial`]).
pub fn evaluate(policy: &Policy, records: &[Record], as_of: i64) -> Result<Report> {
    evaluate_with(policy, records, as_of, false).map(crate::evaluation::Evaluation::into_report)
}

/// [`evaluate`], on one thread or (`parallel`) with the SLAs judged and
/// finished, and the inputs digest hashed, on the current rayon pool. Every
/// SLA is judged on its own and the results are put back in policy order,
/// so the report is the same bytes either way.
pub(crate) fn evaluate_with(
    policy: &Policy,
    records: &[Record],
    as_of: i64,
    parallel: bool,
) -> Result<crate::evaluation::Evaluation> {
    crate::limits::check_spans(policy, records, as_of)?;
    // The partial keeps no event lines: with every record at hand, the
    // inputs digest is hashed straight from them (the same bytes). An
    // unversioned policy needs no partial: one world, each SLA judged and
    // finished in one task.
    let report = || {
        if policy.versions.is_empty() {
            return Read::of(policy, records, as_of, parallel)
                .map(|read| read.judge(policy, parallel));
        }
        crate::partial::finish_with(
            policy,
            crate::partial::partial_of(policy, records, as_of, false, parallel)?,
            parallel,
        )
    };
    let (digest, evaluation) = join2(parallel, || inputs_digest(records), report);
    let mut evaluation = evaluation?;
    evaluation.report.inputs.digest = digest;
    Ok(evaluation)
}

/// [`evaluate_with`], the records handed over: they are read (hashed, and
/// their worlds built) and freed before any SLA is judged, so that they and
/// the verdicts are never in memory together. The same evaluation.
pub(crate) fn evaluate_owned(
    policy: &Policy,
    records: Vec<Record>,
    as_of: i64,
    parallel: bool,
) -> Result<crate::evaluation::Evaluation> {
    read_owned(policy, records, as_of, parallel).map(crate::evaluation::Streamed::evaluate)
}

/// [`evaluate_owned`] up to the judging: the records read, hashed and
/// freed, every input error found. A versioned policy (each version builds
/// its own world from the records) is evaluated whole here.
pub(crate) fn read_owned(
    policy: &Policy,
    records: Vec<Record>,
    as_of: i64,
    parallel: bool,
) -> Result<crate::evaluation::Streamed<'_>> {
    use crate::evaluation::Streamed;
    if !policy.versions.is_empty() {
        return evaluate_with(policy, &records, as_of, parallel).map(Streamed::done);
    }
    crate::limits::check_spans(policy, &records, as_of)?;
    let (digest, read) = join2(
        parallel,
        || inputs_digest(&records),
        || Read::of(policy, &records, as_of, parallel),
    );
    free(records, parallel);
    Ok(Streamed::read(policy, read?, digest, parallel))
}

/// What evaluating an unversioned policy needs of the records, read once:
/// the world of every record, the world of the interval records alone and
/// the input counts. Holds nothing of the records themselves.
pub(crate) struct Read {
    world: World,
    intervals: World,
    inputs: Inputs,
}

impl Read {
    /// `parallel`: the world of the interval records is built beside the
    /// world of every record (a core that is done hashing the inputs takes it).
    pub(crate) fn of(
        policy: &Policy,
        records: &[Record],
        as_of: i64,
        parallel: bool,
    ) -> Result<Read> {
        check_as_of(as_of)?;
        // Phase 2 reads the interval records (incidents, outages, exclusions,
        // exceptions) in the order a partial keeps them, by canonical line, so
        // that the report does not depend on their input order and equals the
        // partials' byte for byte.
        let interval_world = || {
            let mut intervals: Vec<(String, &Record)> = records
                .iter()
                .filter(|r| !matches!(r, Record::Event(_)))
                .map(|r| (r.canonical_json(), r))
                .collect();
            intervals.sort_by(|a, b| a.0.cmp(&b.0));
            build_world(policy, intervals.iter().map(|(_, r)| *r), as_of)
        };
        let (world, intervals) = join2(
            parallel,
            || build_world_in(policy, records, as_of, parallel),
            interval_world,
        );
        // The world's error first, as when the two were built in turn.
        let world = world?;
        let intervals = intervals?;
        // One subject per deployment of the world.
        let inputs = inputs_of(records, world.deployments.len(), as_of, String::new());
        Ok(Read {
            world,
            intervals,
            inputs,
        })
    }

    /// Both phases over the world, without a partial: what `finish` of the
    /// one partial of all the records gives (the split/merge property tests
    /// compare the two), less the inputs digest, which the caller hashes.
    pub(crate) fn judge(self, policy: &Policy, parallel: bool) -> crate::evaluation::Evaluation {
        self.judge_into(policy, parallel, &|_, p, _| Some(p))
    }

    /// [`Read::judge`], each SLA's pending entries handed to `sink` with
    /// the subjects they index (those it gives back are the evaluation's).
    pub(crate) fn judge_into(
        self,
        policy: &Policy,
        parallel: bool,
        sink: &SubjectSink<'_>,
    ) -> crate::evaluation::Evaluation {
        let subjects = self.subjects(policy, parallel);
        let (report, pending) = {
            let sink = |at: usize, pending: PendingSla| sink(at, pending, &subjects);
            self.finish(policy, &subjects, parallel, &sink)
        };
        crate::evaluation::Evaluation::new(report, subjects, pending)
    }

    /// The world's deployments as subjects ([`Read::finish`] takes them).
    pub(crate) fn subjects(&self, policy: &Policy, parallel: bool) -> Vec<Subject> {
        subjects_of(policy, &self.world, parallel)
    }

    /// The evaluation instant.
    pub(crate) fn as_of(&self) -> i64 {
        self.world.as_of
    }

    /// The `inputs` of the report (its digest empty: the caller hashes it).
    pub(crate) fn inputs(&self) -> &Inputs {
        &self.inputs
    }

    /// [`Read::judge`] with the subjects at hand, each SLA's pending entries
    /// handed to `sink` as soon as the SLA is finished ([`finish_report_into`]).
    pub(crate) fn finish(
        self,
        policy: &Policy,
        subjects: &[Subject],
        parallel: bool,
        sink: &Sink<'_>,
    ) -> (Report, Vec<PendingSla>) {
        let totals = Totals {
            inputs: self.inputs,
            unknown_fields: self.world.unknown_fields.clone(),
        };
        finish_report_into(
            policy,
            &self.intervals,
            subjects,
            Parts::Judge(self.world),
            totals,
            parallel,
            sink,
        )
    }
}

/// Refuse an as_of outside the supported years (a usage error `E300`).
pub(crate) fn check_as_of(as_of: i64) -> Result<()> {
    if (instant::MIN_INSTANT..=instant::MAX_INSTANT).contains(&as_of) {
        Ok(())
    } else {
        Err(Error::new(
            ErrorCode::InvalidAsOf,
            format!("as_of `{as_of}` ms is outside the supported years 0001-9999"),
        ))
    }
}

/// The report of an already-built world (the gate's: its deployments may
/// be pruned, and the records need not be given). `digest: false` leaves the
/// inputs digest empty. The same two phases as `evaluate`, in one process.
pub(crate) fn evaluate_world(
    policy: &Policy,
    records: &[Record],
    world: &World,
    digest: bool,
) -> Report {
    let (subjects, parts) = judge_world(policy, world, ALL_TIME, false);
    let digest = if digest {
        inputs_digest(records)
    } else {
        String::new()
    };
    let totals = Totals {
        inputs: inputs_of(records, world.deployments.len(), world.as_of, digest),
        unknown_fields: world.unknown_fields.clone(),
    };
    // The gate reads rows and entries only: its report has no DORA facts
    // (its `dora` section is not meaningful and never leaves the gate).
    let parts = Parts::Judged {
        slas: parts,
        dora: Vec::new(),
    };
    let (mut report, pending) = finish_report(policy, world, &subjects, parts, totals, false);
    materialise(&mut report, &subjects, pending);
    report
}

/// The report's `inputs` of all the records at `as_of`.
fn inputs_of(records: &[Record], deployments: usize, as_of: i64, digest: String) -> Inputs {
    Inputs {
        records: records.len() as u64,
        deployments: deployments as u64,
        ignored_future: records
            .iter()
            .filter(|r| r.instant().is_some_and(|t| t > as_of))
            .count() as u64,
        digest,
    }
}

/// SHA-256 over the records in §1.5 order, one canonical JSON line each.
///
/// Streamed: the records are put in order of their instants by position
/// alone, and each line is written into one reused buffer and hashed, so no
/// line is kept. The rest of the §1.5 key is read from the records only
/// where instants tie, and records with equal keys (rare) are ordered by
/// their text.
///
/// An instant and a position usually fit in one `u64` together (the
/// instant as its rank from the earliest, which needs 36 bits for two
/// years of milliseconds; the position 23 bits for 4.7M records): 8 bytes
/// a record where a pair took 16, sorted as plain integers. Otherwise,
/// pairs.
pub fn inputs_digest(records: &[Record]) -> String {
    inputs_digest_by(records, true)
}

/// [`inputs_digest`]; `pack`: in one `u64` a record where they fit (the
/// tests compare both ways).
fn inputs_digest_by(records: &[Record], pack: bool) -> String {
    let mut hash = InOrder::new(records);
    let (lo, hi) = records
        .iter()
        .filter_map(Record::instant)
        .fold((i64::MAX, i64::MIN), |(lo, hi), t| (lo.min(t), hi.max(t)));
    // Ranks: 0 for no instant (the key's `i64::MIN`), else 1 + the
    // instant's distance from the earliest. The largest is `span`.
    let span = if lo > hi {
        0
    } else {
        (i128::from(hi) - i128::from(lo) + 1).unsigned_abs()
    };
    let pos_bits = usize::BITS - records.len().leading_zeros();
    let rank_bits = u128::BITS - span.leading_zeros();
    if pack && lo != i64::MIN && pos_bits + rank_bits <= u64::BITS && pos_bits < u64::BITS {
        let rank = |r: &Record| {
            r.instant().map_or(0, |t| {
                (i128::from(t) - i128::from(lo) + 1).unsigned_abs() as u64
            })
        };
        let mut keys: Vec<u64> = records
            .iter()
            .enumerate()
            .map(|(i, r)| rank(r) << pos_bits | i as u64)
            .collect();
        keys.sort_unstable();
        let pos = (1u64 << pos_bits) - 1;
        for k in keys {
            hash.push(k >> pos_bits, (k & pos) as usize);
        }
    } else {
        let mut keys: Vec<(i64, usize)> = records
            .iter()
            .enumerate()
            .map(|(i, r)| (r.sort_key().0, i))
            .collect();
        keys.sort_unstable();
        for (t, i) in keys {
            // Order-preserving: i64::MIN is 0.
            hash.push((t as u64) ^ (1 << 63), i);
        }
    }
    hash.finish()
}

/// [`inputs_digest`]'s hashing: records pushed in order of their instants,
/// each run of equal instants put in §1.5 order before it is hashed.
struct InOrder<'r> {
    records: &'r [Record],
    sha: sha2::Sha256,
    line: Vec<u8>,
    /// The positions of the records at the instant `at`, not hashed yet.
    run: Vec<usize>,
    at: u64,
}

impl<'r> InOrder<'r> {
    fn new(records: &'r [Record]) -> Self {
        use sha2::Digest;
        InOrder {
            records,
            sha: sha2::Sha256::new(),
            line: Vec::with_capacity(512),
            run: Vec::new(),
            at: 0,
        }
    }

    /// The record at `position`, whose instant has the order `at` (never
    /// less than the last pushed).
    fn push(&mut self, at: u64, position: usize) {
        if at != self.at {
            self.flush();
            self.at = at;
        }
        self.run.push(position);
    }

    fn flush(&mut self) {
        use sha2::Digest;
        let records = self.records;
        let key = |i: &usize| records.get(*i).map(Record::sort_key);
        let mut run = std::mem::take(&mut self.run);
        if run.len() > 1 {
            run.sort_by_key(key);
        }
        for same in run.chunk_by(|a, b| key(a) == key(b)) {
            if let [i] = same {
                if let Some(r) = records.get(*i) {
                    self.line.clear();
                    r.write_canonical_json(&mut self.line);
                    self.line.push(b'\n');
                    self.sha.update(&self.line);
                }
            } else {
                let mut texts: Vec<String> = same
                    .iter()
                    .filter_map(|&i| records.get(i))
                    .map(Record::canonical_json)
                    .collect();
                texts.sort_unstable();
                for t in texts {
                    self.sha.update(t.as_bytes());
                    self.sha.update(b"\n");
                }
            }
        }
        run.clear();
        self.run = run;
    }

    fn finish(mut self) -> String {
        self.flush();
        crate::report::hex_digest(self.sha)
    }
}

// ---------------------------------------------------------------------------
// Phase 1 (per partition): judge every deployment under every SLA
// ---------------------------------------------------------------------------

/// A judged subject (a deployment, or an incident for time_to_restore) as
/// the finishing phase needs it: its attributes, without its events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Subject {
    // Inline text (one subject per deployment): no allocation per field.
    pub id: Text,
    pub anchor: i64,
    /// Its deployment's, shared ([`Deployment::names`]).
    pub names: Arc<Names>,
    /// The "succeeded" instant (§6.2) and its evidence, kept when a
    /// change_failure_rate SLA may charge an outage to this change.
    #[serde(with = "crate::partial::wire::succeeded")]
    pub succeeded: Option<Succeeded>,
}

/// A subject's "succeeded" event (§6.2), as much of it as its evidence
/// needs: its instant and its event's label, shared with the event (16
/// bytes, in place, where the formatted evidence took 128).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Succeeded {
    pub time: i64,
    /// `succeeded` or `health_validated`, and the record id.
    label: Arc<Label>,
}

impl Succeeded {
    pub(crate) fn of(e: &Ev) -> Succeeded {
        Succeeded {
            time: e.time,
            label: Arc::clone(&e.label),
        }
    }

    /// The event named `event` with this record id, at `time`.
    pub(crate) fn new(time: i64, event: &str, id: Option<&str>) -> Succeeded {
        Succeeded {
            time,
            label: Label::new(event, id),
        }
    }

    /// Its evidence: what `evidence_of(event, "succeeded")` gives.
    pub(crate) fn evidence(&self) -> Evidence {
        event_evidence(
            self.label.id.as_deref(),
            &self.label.name,
            self.time,
            "succeeded",
        )
    }
}

/// A deployment's service, environment, release type, tier and team: what
/// scopes, targets and groups read. Built once per combination by
/// `build_world` and shared by its deployments, their subjects and DORA
/// facts (a million deployments have a few thousand combinations); written
/// in a partial's bytes as its five fields, in place (postcard writes a
/// nested struct as its fields).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub(crate) struct Names {
    pub service: Option<Text>,
    pub environment: Option<Text>,
    pub release_type: Option<Text>,
    pub tier: Text,
    pub team: Option<Text>,
}

impl Names {
    pub(crate) fn new(
        service: Option<&str>,
        environment: Option<&str>,
        release_type: Option<&str>,
        tier: &str,
        team: Option<&str>,
    ) -> Names {
        Names {
            service: service.map(Text::from),
            environment: environment.map(Text::from),
            release_type: release_type.map(Text::from),
            tier: Text::from(tier),
            team: team.map(Text::from),
        }
    }

    pub(crate) fn get(&self, key: GroupKey) -> Option<&str> {
        match key {
            GroupKey::Service => self.service.as_deref(),
            GroupKey::Team => self.team.as_deref(),
            GroupKey::Tier => Some(&self.tier),
            GroupKey::Environment => self.environment.as_deref(),
            GroupKey::ReleaseType => self.release_type.as_deref(),
        }
    }
}

impl Subject {
    pub(crate) fn of(dep: &Deployment, keep_succeeded: bool) -> Subject {
        let succeeded = if keep_succeeded {
            dep.succeeded().map(Succeeded::of)
        } else {
            None
        };
        Subject {
            id: dep.id.clone(),
            anchor: dep.anchor,
            names: Arc::clone(&dep.names),
            succeeded,
        }
    }
}

/// One subject's verdict under one SLA, in the window starting at `window`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Verdict {
    /// Index into the subjects.
    pub subject: u32,
    pub window: i64,
    pub judged: Judged,
}

/// What phase 1 found for one SLA.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct SlaPart {
    pub verdicts: Vec<Verdict>,
    /// Segments of in-scope subjects outside a rolling window (quiet rows, §5.2).
    pub seen: BTreeSet<SegKey>,
}

/// Phase 1 over a world: the subjects (the world's deployments, in its
/// order) and, per SLA of the policy, their verdicts. time_to_restore SLAs
/// judge incidents, which are shared by every partition: they are left to
/// [`finish_report`].
/// Every window: the era of an unversioned policy.
pub(crate) const ALL_TIME: (i64, i64) = (i64::MIN, i64::MAX);

/// Phase 1 over a world. `era` is `[from, to)` of the policy version being
/// judged (§9b): clocks of windows starting outside it are not run, since
/// another version judges those windows ([`crate::versions`]). Rate verdicts
/// are kept everywhere: change_failure_rate charges outages to the latest
/// change, whichever window it is in.
pub(crate) fn judge_world(
    policy: &Policy,
    world: &World,
    era: (i64, i64),
    parallel: bool,
) -> (Vec<Subject>, Vec<SlaPart>) {
    let subjects = subjects_of(policy, world, parallel);
    let judge = |sla: &Sla| {
        if sla.kind == SlaKind::TimeToRestore {
            SlaPart::default()
        } else {
            merge_parts(judge_sla(
                policy,
                sla,
                world,
                &world.deployments,
                era,
                parallel,
            ))
        }
    };
    let parts = par_map(parallel, policy.slas.iter().collect(), judge);
    (subjects, parts)
}

/// The world's deployments as subjects, in its order (on the pool when
/// `parallel`). The "succeeded" evidence is kept when a change_failure_rate
/// SLA may charge an outage to the change.
fn subjects_of(policy: &Policy, world: &World, parallel: bool) -> Vec<Subject> {
    let keep_succeeded = policy
        .slas
        .iter()
        .any(|s| s.kind == SlaKind::ChangeFailureRate);
    par_map(parallel, world.deployments.iter().collect(), |d| {
        Subject::of(d, keep_succeeded)
    })
}

/// The segment (§5.2) of a deployment or subject with these names.
fn seg_of(policy: &Policy, sla: &Sla, names: &Names) -> SegKey {
    (
        policy.tier_rank(&names.tier),
        sla.group_by
            .iter()
            .map(|g| names.get(*g).map(str::to_string))
            .collect(),
    )
}

/// Subjects judged per task when one SLA's subjects are split across
/// threads (one SLA can take longer than all the others together).
const JUDGE_CHUNK: usize = 16_384;

/// Judge each subject under one SLA (§5.5, §6): scope, window, precedence,
/// then the kind's rule. `parallel`: in chunks of subjects on the current
/// rayon pool, put back in subject order (the same part).
fn judge_sla(
    policy: &Policy,
    sla: &Sla,
    world: &World,
    subjects: &[Deployment],
    era: (i64, i64),
    parallel: bool,
) -> Vec<SlaPart> {
    let outages = if sla.kind == SlaKind::PostDeployAvailability {
        outages_by_service(world)
    } else {
        BTreeMap::new()
    };
    let scope = Scope::of(&sla.scope);
    let targets = targets_by_sig(&scope, sla, subjects);
    let judge = |(ci, chunk): (usize, &[Deployment])| {
        let ctx = (&scope, &outages, targets.as_slice());
        judge_range(policy, sla, world, ctx, chunk, ci * JUDGE_CHUNK, era)
    };
    if !parallel || subjects.len() <= JUDGE_CHUNK {
        return vec![judge((0, subjects))];
    }
    par_map(
        true,
        subjects.chunks(JUDGE_CHUNK).enumerate().collect(),
        judge,
    )
}

/// For each [`Deployment::sig`] among `subjects`, the SLA's target for it
/// if the scope admits it (`Some(None)`: not admitted or no target), asked
/// of the first deployment with it: a million deployments have a few
/// thousand combinations, and asking by text was 7% of an evaluation.
fn targets_by_sig<'s>(scope: &Scope<'_>, sla: &'s Sla, subjects: &[Deployment]) -> Vec<BySig<'s>> {
    let mut targets: Vec<BySig<'s>> = Vec::new();
    for dep in subjects.iter().filter(|d| d.sig != NO_SIG) {
        let i = dep.sig as usize;
        if targets.len() <= i {
            targets.resize(i + 1, None);
        }
        if let Some(slot @ None) = targets.get_mut(i) {
            *slot = Some(target_if_in_scope(scope, sla, dep));
        }
    }
    targets
}

/// What [`targets_by_sig`] knows of one combination: `None` not asked yet.
type BySig<'s> = Option<Option<&'s Target>>;

/// The SLA's target for the deployment, if its scope admits it (judging
/// asks once per combination, [`targets_by_sig`]).
fn target_if_in_scope<'s>(scope: &Scope<'_>, sla: &'s Sla, dep: &Deployment) -> Option<&'s Target> {
    if scope.admits(dep) {
        sla.target_for(dep.tier())
    } else {
        None
    }
}

/// The pieces of [`judge_sla`] as one part (a partial keeps one per SLA).
/// Finishing reads the pieces as they are: merged, one SLA's verdicts
/// were copied once more and held twice.
fn merge_parts(parts: Vec<SlaPart>) -> SlaPart {
    let mut part = SlaPart {
        verdicts: Vec::with_capacity(parts.iter().map(|p| p.verdicts.len()).sum()),
        seen: BTreeSet::new(),
    };
    for p in parts {
        part.verdicts.extend(p.verdicts);
        part.seen.extend(p.seen);
    }
    part
}

/// One `Arc` per distinct value among those passed to [`Shared::share`]:
/// the pause lists of a million verdicts (a handful are distinct), the
/// names of the subjects read back from a partial's bytes.
pub(crate) struct Shared<T>(rustc_hash::FxHashMap<T, Arc<T>>);

impl<T> Default for Shared<T> {
    fn default() -> Self {
        Shared(rustc_hash::FxHashMap::default())
    }
}

impl<T: std::hash::Hash + Eq + Clone> Shared<T> {
    /// `item`, shared with every equal one seen before.
    pub(crate) fn share(&mut self, item: &mut Arc<T>) {
        match self.0.get(&**item) {
            Some(shared) => *item = Arc::clone(shared),
            None => {
                self.0.insert((**item).clone(), Arc::clone(item));
            }
        }
    }
}

/// [`judge_sla`] over `subjects`, the subjects from index `offset` on.
fn judge_range(
    policy: &Policy,
    sla: &Sla,
    world: &World,
    (scope, outages, targets): (&Scope<'_>, &BTreeMap<&str, Timed<'_, Outage>>, &[BySig<'_>]),
    subjects: &[Deployment],
    offset: usize,
    era: (i64, i64),
) -> SlaPart {
    let clocked = matches!(
        sla.kind,
        SlaKind::Duration | SlaKind::RollbackTime | SlaKind::PostDeployAvailability
    );
    let as_of = world.as_of;
    let mut part = SlaPart {
        verdicts: Vec::with_capacity(subjects.len()),
        seen: BTreeSet::new(),
    };
    let mut cursor = None;
    let mut lists = Shared::default();
    for (i, dep) in subjects.iter().enumerate() {
        let di = offset + i;
        let known = targets.get(dep.sig as usize).copied().flatten();
        let Some(target) = known.unwrap_or_else(|| target_if_in_scope(scope, sla, dep)) else {
            continue;
        };
        if !is_about(sla, dep) {
            continue;
        }
        let Some(ws) = window_at(sla, as_of, dep.anchor, &mut cursor) else {
            // Outside a rolling window: the segment is still known (a quiet row).
            part.seen.insert(seg_of(policy, sla, &dep.names));
            continue;
        };
        if clocked && !(era.0 <= ws.start && ws.start < era.1) {
            // Another policy version judges this window: its clock is not run here.
            continue;
        }
        let j = match precedence(world, dep) {
            Some(j) => j,
            None => match (sla.kind, target) {
                (SlaKind::PostDeployAvailability, Target::Duration { max_ms, .. }) => {
                    let mine = dep.service().and_then(|svc| outages.get(svc));
                    judge_availability(world, sla, dep, *max_ms, mine)
                }
                (_, Target::Duration { max_ms, .. }) => judge_duration(world, sla, dep, *max_ms),
                _ => {
                    let (state, ev) = dep.outcome();
                    let mut j = Judged::new(state);
                    // Evidence is read only by breaches: the failure event.
                    if let (State::Failed, Some(e)) = (state, ev) {
                        j.extra_mut().evidence.push(evidence_of(e, state.as_str()));
                    }
                    j
                }
            },
        };
        let mut j = j;
        if sla.kind == SlaKind::TimeToRestore {
            // The subject is an incident: its evidence names the incident record.
            for e in j.extra.iter_mut().flat_map(|x| &mut x.evidence) {
                if e.kind == "event" {
                    e.kind = "incident".into();
                }
            }
        }
        let Ok(subject) = u32::try_from(di) else {
            continue;
        };
        // A breach keeps this evidence until the report is written: grown
        // one push at a time it had room for four, and most hold one or two.
        if let Some(x) = &mut j.extra {
            x.evidence.shrink_to_fit();
        }
        if let Some(list) = &mut j.pause_exclusions {
            lists.share(list);
        }
        part.verdicts.push(Verdict {
            subject,
            window: ws.start,
            judged: j,
        });
    }
    part
}

// ---------------------------------------------------------------------------
// Phase 2 (once, over merged partials): rows, findings, the report
// ---------------------------------------------------------------------------

/// Both, side by side on the current rayon pool when `parallel`.
pub(crate) fn join2<A: Send, B: Send>(
    parallel: bool,
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    #[cfg(feature = "parallel")]
    if parallel {
        return rayon::join(a, b);
    }
    let _ = parallel;
    (a(), b())
}

/// `items` mapped in order: on the current rayon pool when `parallel`
/// (and the `parallel` feature is on), else one after another.
fn par_map<T: Send, R: Send>(
    parallel: bool,
    items: Vec<T>,
    f: impl Fn(T) -> R + Sync + Send,
) -> Vec<R> {
    #[cfg(feature = "parallel")]
    if parallel {
        use rayon::prelude::*;
        return items.into_par_iter().map(f).collect();
    }
    let _ = parallel;
    items.into_iter().map(f).collect()
}

/// [`par_map`], the items started in their order (each core takes the
/// oldest waiting item, and helps with the parts an item splits into), so
/// that they also tend to finish in it: a sink that writes each SLA's
/// entries in policy order gets them as it can write them, instead of
/// waiting for the first half of the SLAs while the second is done.
fn par_map_in_order<T: Send, R: Send>(
    parallel: bool,
    items: Vec<T>,
    f: impl Fn(T) -> R + Sync + Send,
) -> Vec<R> {
    #[cfg(feature = "parallel")]
    if parallel {
        use std::sync::Mutex;
        let slots: Vec<Mutex<Option<R>>> = items.iter().map(|_| Mutex::new(None)).collect();
        rayon::scope_fifo(|scope| {
            for (item, slot) in items.into_iter().zip(&slots) {
                let f = &f;
                scope.spawn_fifo(move |_| {
                    let r = f(item);
                    *slot
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(r);
                });
            }
        });
        return slots
            .into_iter()
            .filter_map(|slot| {
                slot.into_inner()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
            })
            .collect();
    }
    let _ = parallel;
    par_map(false, items, f)
}

/// The window starting at `start` (a window some verdict was placed in).
fn slot_at(sla: &Sla, as_of: i64, start: i64) -> WindowSlot {
    match sla.window {
        Window::Calendar(unit) => slot(&window_of(unit, sla.tz, start), as_of),
        Window::Rolling(_) => WindowSlot {
            start,
            end: as_of,
            days: 0,
            first_day: None,
            open: true,
        },
    }
}

/// What phase 2 needs besides the verdicts: the inputs figures.
pub(crate) struct Totals {
    pub inputs: Inputs,
    pub unknown_fields: BTreeSet<String>,
}

/// What phase 2 finishes: the parts phase 1 judged, or a world whose
/// deployments each SLA is judged over in its own task.
pub(crate) enum Parts {
    /// One part per SLA of the policy, in order, and the DORA facts of
    /// every partition, in (anchor, id) order.
    Judged {
        slas: Vec<SlaPart>,
        dora: Vec<crate::dora::Fact>,
    },
    /// Judge every SLA over this world's deployments, and make the DORA
    /// facts from them beside the SLAs. The world is freed once they are
    /// judged, before the rest of the report.
    Judge(World),
}

/// Phase 2: aggregate verdicts into rows and build the report. `world`
/// holds the interval records of every partition (its `deployments` are
/// empty); `subjects` are every partition's, in (anchor, id) order.
pub(crate) fn finish_report(
    policy: &Policy,
    world: &World,
    subjects: &[Subject],
    parts: Parts,
    totals: Totals,
    parallel: bool,
) -> (Report, Vec<PendingSla>) {
    finish_report_into(policy, world, subjects, parts, totals, parallel, &|_, p| {
        Some(p)
    })
}

/// Where [`finish_report_into`] hands each SLA's pending entries, with the
/// SLA's position in the policy, as soon as that SLA is finished (SLAs
/// finish in any order when `parallel`): `Some` gives them back to be kept
/// in the evaluation, `None` means the sink took them (a report streamed
/// while the other SLAs are judged, [`crate::evaluation::Streamed`]).
pub(crate) type Sink<'a> = dyn Fn(usize, PendingSla) -> Option<PendingSla> + Sync + 'a;

/// A [`Sink`] that is also given the subjects the entries index (the
/// evaluation's deployments), to read them.
pub(crate) type SubjectSink<'a> =
    dyn Fn(usize, PendingSla, &[Subject]) -> Option<PendingSla> + Sync + 'a;

/// [`finish_report`], each SLA's pending entries handed to `sink` as
/// soon as they are made; those it gives back are the evaluation's.
pub(crate) fn finish_report_into(
    policy: &Policy,
    world: &World,
    subjects: &[Subject],
    parts: Parts,
    totals: Totals,
    parallel: bool,
    sink: &Sink<'_>,
) -> (Report, Vec<PendingSla>) {
    let Totals {
        inputs,
        unknown_fields,
    } = totals;
    // Each SLA with its phase-1 part, if any; the DORA facts judged in
    // phase 1; the world to judge here, if any.
    type Work<'p> = Vec<(usize, (&'p Sla, Option<SlaPart>))>;
    let (work, facts, judge_in): (Work<'_>, _, _) = match parts {
        Parts::Judged { slas, dora } => (
            policy
                .slas
                .iter()
                .zip(slas.into_iter().map(Some))
                .enumerate()
                .collect(),
            dora,
            None,
        ),
        Parts::Judge(w) => (
            policy.slas.iter().map(|s| (s, None)).enumerate().collect(),
            Vec::new(),
            Some(w),
        ),
    };
    let vendor_index = crate::vendors::VendorIndex::new(policy, world);
    let finish_one = |(at, (sla, part)): (usize, (&Sla, Option<SlaPart>))| {
        // Without phase-1 parts (a whole evaluation of an unversioned
        // policy), the SLA is judged here, in the same task: only the
        // verdicts of the SLAs being finished are in memory at once.
        let parts = part.map_or_else(
            || match (sla.kind, &judge_in) {
                (SlaKind::TimeToRestore, _) | (_, None) => Vec::new(),
                (_, Some(w)) => judge_sla(policy, sla, w, &w.deployments, ALL_TIME, parallel),
            },
            |part| vec![part],
        );
        let mut results = Vec::new();
        let mut pending = PendingSla {
            sla: Text::from(sla.id.as_str()),
            kind: sla.kind,
            incidents: None,
            entries: Entries::default(),
        };
        // Breached clocks' spans by breach id, for vendor overlap (§9).
        let mut spans: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        if sla.kind == SlaKind::TimeToRestore {
            // Incidents, seen as pseudo-deployments whose events are `opened` and `resolved`.
            let incidents = incident_deployments(policy, world);
            let parts = judge_sla(policy, sla, world, &incidents, ALL_TIME, parallel);
            let subjects: Vec<Subject> = incidents.iter().map(|d| Subject::of(d, false)).collect();
            collect_spans(sla, &subjects, &parts, &mut spans);
            pending.entries = finish_sla(policy, sla, world, &subjects, parts, &mut results);
            pending.incidents = Some(subjects);
        } else {
            collect_spans(sla, subjects, &parts, &mut spans);
            pending.entries = finish_sla(policy, sla, world, subjects, parts, &mut results);
        }
        // Breach ids start with the SLA's: its spans are all its breaches need.
        vendor_index.annotate(&mut results, &spans);
        (results, sink(at, pending))
    };
    type PerSla = (Vec<ResultRow>, Option<PendingSla>);
    // The DORA section beside the SLAs: it reads only the worlds and the facts.
    let (per_sla, dora) = join2(
        parallel,
        || -> Vec<PerSla> { par_map_in_order(parallel, work, finish_one) },
        || match &judge_in {
            Some(w) => crate::dora::section(policy, world, &crate::dora::facts(policy, w)),
            None => crate::dora::section(policy, world, &facts),
        },
    );
    // The judged world (on the 1M workload, a million deployments and their
    // events) is freed first, on every core: the rest of the report then
    // reuses its memory.
    if let Some(w) = judge_in {
        free_world(w, parallel);
    }
    rest_of_report(
        policy,
        world,
        subjects,
        per_sla,
        dora,
        inputs,
        unknown_fields,
    )
}

/// The report's `engine`, `as_of` and `policy`: what it says before any
/// SLA is judged.
pub(crate) fn report_head(policy: &Policy, as_of: i64) -> (Engine, String, PolicyInfo) {
    (
        Engine {
            name: "slakit".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        instant::format(as_of),
        PolicyInfo {
            name: policy.name.clone(),
            digest: policy.digest.clone(),
            version: None,
        },
    )
}

/// Drop a world, its deployments in parallel chunks when `parallel`.
fn free_world(world: World, parallel: bool) {
    let World { deployments, .. } = world;
    free(deployments, parallel);
}

/// Drop `items`, in parallel chunks when `parallel` (each item owns
/// memory of its own: a million frees take a core a fifth of a second).
fn free<T: Send>(items: Vec<T>, parallel: bool) {
    #[cfg(feature = "parallel")]
    if parallel {
        use rayon::prelude::*;
        items.into_par_iter().with_min_len(4_096).for_each(drop);
        return;
    }
    let _ = parallel;
    drop(items);
}

/// What [`finish_report`] makes of the finished SLAs: their rows and pending
/// entries in SLA order, the vendors, trends, findings and warnings.
fn rest_of_report(
    policy: &Policy,
    world: &World,
    subjects: &[Subject],
    per_sla: Vec<(Vec<ResultRow>, Option<PendingSla>)>,
    dora: crate::dora::Dora,
    inputs: Inputs,
    unknown_fields: BTreeSet<String>,
) -> (Report, Vec<PendingSla>) {
    let as_of = world.as_of;
    // Sized once: grown by doubling, the rows (hundreds of bytes each, a
    // hundred thousand on the 1M workload) were copied and held twice.
    let mut results = Vec::with_capacity(per_sla.iter().map(|(r, _)| r.len()).sum());
    let mut pending = Vec::with_capacity(per_sla.len());
    for (r, e) in per_sla {
        results.extend(r);
        pending.extend(e);
    }
    let vendors = crate::vendors::rows(policy, world, subjects.iter().map(|s| s.anchor).min());

    crate::trends::annotate(&mut results);
    let mut findings = findings(policy, world, subjects);
    findings.extend(crate::vendors::findings(policy, &vendors));
    findings.extend(crate::trends::findings(policy, &results));
    let mut warnings: Vec<Warning> = policy.warnings.clone();
    for f in &unknown_fields {
        warnings.push(Warning {
            code: "W001".into(),
            message: format!(
                "records carry the field `{f}`, which slakit does not define; it is ignored"
            ),
        });
    }
    for x in world.exceptions.iter().filter(|x| x.source == "records") {
        if let Some(w) = org_wide_warning(x) {
            warnings.push(w);
        }
    }
    warnings.sort();
    warnings.dedup();

    let (engine, as_of, policy_info) = report_head(policy, as_of);
    let report = Report {
        engine,
        as_of,
        policy: policy_info,
        inputs,
        results,
        // Formatted from `pending` when written or materialised (`Evaluation`).
        deployments: Vec::new(),
        vendors,
        dora,
        findings,
        in_force: in_force(world),
        warnings,
    };
    (report, pending)
}

/// One deployment's entry under one SLA, kept unformatted (no instant
/// text, no copies of the subject's names) until the deployments section
/// is written or materialised: on a large workload that section is most of
/// a report's memory ([`crate::evaluation::Evaluation`]).
///
/// 8 bytes: the window start, the clock's numbers and the rare texts sit
/// in its SLA's side tables ([`Entries`]); a rate verdict has no clock, one
/// window start serves every entry in the window, and the clocks and notes
/// are in entry order, so an entry says only whether it has them.
#[derive(Debug, Clone)]
pub(crate) struct PendingEntry {
    subject: u32,
    /// The index into [`Entries::windows`] (24 bits: an SLA has at most
    /// one window a day over years 1-9999, 3.7M), the state (4 bits),
    /// whether it caused a failure, has a clock and has notes (1 bit each).
    packed: u32,
}

/// An index that names nothing.
const ABSENT: u32 = u32::MAX;

/// The states, in declaration order (a state's number, as packed in a
/// [`PendingEntry`], is its index here).
const STATES: [State; 10] = [
    State::Met,
    State::Breached,
    State::InFlight,
    State::Unmeasured,
    State::Cancelled,
    State::Excluded,
    State::Suspended,
    State::Succeeded,
    State::Failed,
    State::InProgress,
];

/// The bits of a [`PendingEntry`]'s window index.
const WINDOW_BITS: u32 = (1 << 24) - 1;
const CAUSED: u32 = 1 << 28;
const HAS_CLOCK: u32 = 1 << 29;
const HAS_NOTES: u32 = 1 << 30;

impl PendingEntry {
    fn new(subject: u32, window: u32, state: State, flags: u32) -> Self {
        PendingEntry {
            subject,
            packed: (window & WINDOW_BITS) | ((state as u32) << 24) | flags,
        }
    }

    fn window(&self) -> u32 {
        self.packed & WINDOW_BITS
    }

    fn state(&self) -> State {
        let number = (self.packed >> 24) & 0xF;
        STATES
            .get(number as usize)
            .copied()
            .unwrap_or(State::InProgress)
    }

    fn caused_failure(&self) -> bool {
        self.packed & CAUSED != 0
    }

    fn has_clock(&self) -> bool {
        self.packed & HAS_CLOCK != 0
    }

    fn has_notes(&self) -> bool {
        self.packed & HAS_NOTES != 0
    }
}

/// The numbers of a running clock ([`Entries::running`]). Absent numbers
/// are sentinels ([`NONE`], [`NEVER`], NaN), as in [`Counted`]. (Instants
/// and durations stay within years 1-9999, far from `i64::MIN` and
/// `i64::MAX`.)
#[derive(Debug, Clone, Copy)]
struct Running {
    breach_at: i64,
    consumed: f64,
    warn: i64,
}

impl Running {
    /// The breach instant (`Some(None)`: the calendar never opens again);
    /// `None` when the clock is not running.
    fn breach_at(&self) -> Option<Option<i64>> {
        match self.breach_at {
            NONE => None,
            NEVER => Some(None),
            t => Some(Some(t)),
        }
    }

    /// The share of the target's maximum consumed.
    fn consumed(&self) -> Option<f64> {
        (!self.consumed.is_nan()).then_some(self.consumed)
    }

    /// The warning threshold crossed (ppm).
    fn warn(&self) -> Option<i64> {
        opt(self.warn)
    }
}

impl PartialEq for Running {
    /// Equal numbers; an absent `consumed` (NaN) equals itself.
    fn eq(&self, other: &Running) -> bool {
        (self.breach_at, self.warn) == (other.breach_at, other.warn)
            && self.consumed.to_bits() == other.consumed.to_bits()
    }
}

impl Default for Running {
    fn default() -> Running {
        NOT_RUNNING
    }
}

/// A clock that is not running.
const NOT_RUNNING: Running = Running {
    breach_at: NONE,
    consumed: f64::NAN,
    warn: NONE,
};

/// An absent number of a [`Counted`] or [`Running`].
const NONE: i64 = i64::MIN;
/// A running clock whose breach instant is null (§10).
const NEVER: i64 = i64::MAX;

fn opt(x: i64) -> Option<i64> {
    (x != NONE).then_some(x)
}

/// The exclusion, exception and reason of an entry that has any.
#[derive(Debug, Clone)]
struct Notes {
    exclusion: Option<String>,
    exception: Option<String>,
    reason: Option<String>,
}

/// One SLA's pending entries and the side tables they index.
#[derive(Debug, Clone, Default)]
pub(crate) struct Entries {
    list: Vec<PendingEntry>,
    /// Distinct window starts, in first-seen order.
    windows: Vec<i64>,
    /// The elapsed, actual and remaining numbers of each entry with a
    /// clock, in entry order.
    clocks: Vec<Counted>,
    /// The rest of the clocks that are running (few: those at as_of), by
    /// index into `clocks`, in its order.
    running: Vec<(u32, Running)>,
    /// The notes of each entry with notes, in entry order.
    notes: Vec<Notes>,
    /// Before every [`MARK`]-th entry: how many clocks and notes come
    /// before it (where formatting from there starts reading them).
    marks: Vec<(u32, u32)>,
    /// Window start -> index into `windows`, while entries are added.
    window_index: rustc_hash::FxHashMap<i64, u32>,
}

/// Entries between two [`Entries::marks`].
const MARK: usize = 4_096;

/// Where an entry's clock and notes are in their tables.
#[derive(Debug, Clone, Copy, Default)]
struct Cursor {
    clock: u32,
    notes: u32,
}

impl Cursor {
    /// The cursor of the entry after `e`.
    fn after(self, e: &PendingEntry) -> Cursor {
        Cursor {
            clock: self.clock + u32::from(e.has_clock()),
            notes: self.notes + u32::from(e.has_notes()),
        }
    }
}

impl Entries {
    fn with_capacity(n: usize) -> Entries {
        Entries {
            list: Vec::with_capacity(n),
            ..Entries::default()
        }
    }

    /// Add what an entry needs of a verdict; the rest (evidence, pauses)
    /// was read by the rows and is dropped here.
    fn push(&mut self, subject: u32, window_start: i64, j: Judged) {
        let next = u32::try_from(self.windows.len()).unwrap_or(ABSENT);
        let window = *self.window_index.entry(window_start).or_insert(next);
        if window == next {
            self.windows.push(window_start);
        }
        let mut flags = if j.caused_failure { CAUSED } else { 0 };
        let (counted, running) = (j.counted, j.running_numbers());
        if counted != NOT_COUNTED || running != NOT_RUNNING {
            flags |= HAS_CLOCK;
            if running != NOT_RUNNING {
                let i = u32::try_from(self.clocks.len()).unwrap_or(ABSENT);
                self.running.push((i, running));
            }
            self.clocks.push(counted);
        }
        if let Some(x) = j
            .extra
            .filter(|x| x.exclusion.is_some() || x.exception.is_some() || x.reason.is_some())
        {
            flags |= HAS_NOTES;
            self.notes.push(Notes {
                exclusion: x.exclusion,
                exception: x.exception,
                reason: x.reason,
            });
        }
        self.list
            .push(PendingEntry::new(subject, window, j.state, flags));
    }

    /// The numbers of the clock at `index` in `clocks`.
    fn clock(&self, index: u32) -> (Counted, Running) {
        let Some(&counted) = self.clocks.get(index as usize) else {
            return (NOT_COUNTED, NOT_RUNNING);
        };
        let running = self
            .running
            .binary_search_by_key(&index, |r| r.0)
            .ok()
            .and_then(|i| self.running.get(i))
            .map_or(NOT_RUNNING, |r| r.1);
        (counted, running)
    }

    /// Where the clock and notes of the entry at `position` are.
    fn cursor(&self, position: usize) -> Cursor {
        let from = position / MARK * MARK;
        let mark = self
            .marks
            .get(position / MARK)
            .map_or(Cursor::default(), |&(clock, notes)| Cursor { clock, notes });
        self.list
            .get(from..position)
            .unwrap_or_default()
            .iter()
            .fold(mark, Cursor::after)
    }

    /// Done adding: in subject order (stable; the verdicts come in that
    /// order but for merged partials), the index map freed, the side tables
    /// trimmed to their length (they grew by doubling) and marked.
    fn finish(mut self) -> Entries {
        if !self.list.is_sorted_by_key(|e| e.subject) {
            self.sort();
        }
        self.window_index = rustc_hash::FxHashMap::default();
        self.clocks.shrink_to_fit();
        self.running.shrink_to_fit();
        self.notes.shrink_to_fit();
        self.windows.shrink_to_fit();
        self.mark();
        self
    }

    /// Set [`Entries::marks`] for the entries as they are now.
    fn mark(&mut self) {
        self.marks.clear();
        let mut at = Cursor::default();
        for (i, e) in self.list.iter().enumerate() {
            if i % MARK == 0 {
                self.marks.push((at.clock, at.notes));
            }
            at = at.after(e);
        }
        self.marks.shrink_to_fit();
    }

    /// Keep only the entries `keep` accepts, in order, each
    /// with its clock and notes; the rest, and their side tables, go. The
    /// windows stay (entries name them by index).
    fn retain(&mut self, keep: impl Fn(&PendingEntry) -> bool) {
        for whole in self.take_whole() {
            if keep(&whole.0) {
                self.push_whole(whole);
            }
        }
        self.mark();
    }

    /// Put the entries in subject order (stable), each with its clock and
    /// notes.
    fn sort(&mut self) {
        let mut whole: Vec<Whole> = self.take_whole().collect();
        whole.sort_by_key(|w| w.0.subject);
        for w in whole {
            self.push_whole(w);
        }
    }

    /// Every entry with its clock (and running numbers) and notes, taken
    /// out in order: the entries are empty after, to be
    /// [`Entries::push_whole`]d.
    fn take_whole(&mut self) -> impl Iterator<Item = Whole> + use<> {
        let mut clocks = std::mem::take(&mut self.clocks).into_iter();
        let mut notes = std::mem::take(&mut self.notes).into_iter();
        let mut running = std::mem::take(&mut self.running).into_iter().peekable();
        let mut clock_index = 0u32;
        std::mem::take(&mut self.list).into_iter().map(move |e| {
            let clock = if e.has_clock() {
                let r = running.next_if(|r| r.0 == clock_index).map(|r| r.1);
                clock_index += 1;
                clocks.next().map(|c| (c, r))
            } else {
                None
            };
            let note = if e.has_notes() { notes.next() } else { None };
            (e, clock, note)
        })
    }

    /// Add an entry taken by [`Entries::take_whole`] after those there.
    fn push_whole(&mut self, (e, clock, note): Whole) {
        if let Some((counted, r)) = clock {
            if let Some(r) = r {
                let i = u32::try_from(self.clocks.len()).unwrap_or(ABSENT);
                self.running.push((i, r));
            }
            self.clocks.push(counted);
        }
        self.notes.extend(note);
        self.list.push(e);
    }
}

/// An entry with its side tables' parts: its clock's numbers (and the
/// running ones, if it runs) and its notes.
type Whole = (
    PendingEntry,
    Option<(Counted, Option<Running>)>,
    Option<Notes>,
);

#[derive(Debug, Clone)]
pub(crate) struct PendingSla {
    sla: Text,
    kind: SlaKind,
    /// time_to_restore: its subjects are the incidents, not the deployments.
    incidents: Option<Vec<Subject>>,
    entries: Entries,
}

impl PendingSla {
    /// The number of entries.
    pub(crate) fn len(&self) -> usize {
        self.entries.list.len()
    }

    /// Keep only the entries `keep` accepts by their state (as written,
    /// e.g. `in_flight`) and whether they caused a failure: what a view
    /// that lists a few kinds of entry holds of an SLA once it is judged.
    pub(crate) fn retain(&mut self, keep: impl Fn(&str, bool) -> bool) {
        self.entries
            .retain(|e| keep(e.state().as_str(), e.caused_failure()));
    }

    /// The entries, formatted one at a time. `subjects` are the
    /// evaluation's (the deployments); time_to_restore uses its own.
    pub(crate) fn entries<'s>(
        &'s self,
        subjects: &'s [Subject],
    ) -> impl Iterator<Item = DeploymentEntry> + 's {
        self.entries_in(subjects, 0..self.len())
    }

    /// [`PendingSla::entries`], those at positions `range` only.
    pub(crate) fn entries_in<'s>(
        &'s self,
        subjects: &'s [Subject],
        range: std::ops::Range<usize>,
    ) -> impl Iterator<Item = DeploymentEntry> + 's {
        self.views_in(subjects, range).map(|v| v.to_entry())
    }

    /// Each entry at positions `range` as a borrowed [`EntryView`], in
    /// order: what [`PendingSla::entries_in`] formats, and what
    /// [`crate::evaluation::Evaluation::write_json`] writes directly.
    pub(crate) fn views_in<'s>(
        &'s self,
        subjects: &'s [Subject],
        range: std::ops::Range<usize>,
    ) -> impl Iterator<Item = EntryView<'s>> + 's {
        let subjects = self.incidents.as_deref().unwrap_or(subjects);
        let start = self.entries.cursor(range.start);
        self.entries
            .list
            .get(range)
            .unwrap_or_default()
            .iter()
            .scan(start, |at, e| {
                let here = *at;
                *at = at.after(e);
                Some((here, e))
            })
            .filter_map(move |(at, e)| Some(self.view(subjects.get(e.subject as usize)?, e, at)))
    }

    fn view<'s>(&'s self, dep: &'s Subject, j: &PendingEntry, at: Cursor) -> EntryView<'s> {
        let rated = self.kind == SlaKind::ChangeFailureRate
            && matches!(j.state(), State::Succeeded | State::Failed);
        let side = &self.entries;
        let notes = j
            .has_notes()
            .then(|| side.notes.get(at.notes as usize))
            .flatten();
        let (counted, running) = if j.has_clock() {
            side.clock(at.clock)
        } else {
            (NOT_COUNTED, NOT_RUNNING)
        };
        let window_start = side
            .windows
            .get(j.window() as usize)
            .copied()
            .unwrap_or(NONE);
        EntryView {
            deployment: dep.id.as_str(),
            sla: self.sla.as_str(),
            state: j.state().as_str(),
            anchor: dep.anchor,
            window_start,
            service: dep.names.service.as_deref(),
            tier: dep.names.tier.as_str(),
            team: dep.names.team.as_deref(),
            release_type: dep.names.release_type.as_deref(),
            elapsed_ms: opt(counted.elapsed),
            actual_elapsed_ms: opt(counted.actual),
            remaining_ms: opt(counted.remaining),
            breach_at: running.breach_at(),
            consumed: running.consumed(),
            warn: running.warn().map(|w| w as f64 / 1_000_000.0),
            caused_failure: rated.then_some(j.caused_failure()),
            subject: (self.kind == SlaKind::TimeToRestore).then_some("incident"),
            exclusion: notes.and_then(|n| n.exclusion.as_deref()),
            exception: notes.and_then(|n| n.exception.as_deref()),
            reason: notes.and_then(|n| n.reason.as_deref()),
        }
    }
}

/// A deployments-section entry ([`DeploymentEntry`]) borrowed from the
/// pending entries: its instants still numbers, its text still where the
/// subjects and the SLA hold it. Formatted only as it is written.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct EntryView<'a> {
    pub deployment: &'a str,
    pub sla: &'a str,
    pub state: &'a str,
    pub anchor: i64,
    pub window_start: i64,
    pub service: Option<&'a str>,
    pub tier: &'a str,
    pub team: Option<&'a str>,
    pub release_type: Option<&'a str>,
    pub elapsed_ms: Option<i64>,
    pub actual_elapsed_ms: Option<i64>,
    pub remaining_ms: Option<i64>,
    /// `Some(None)`: running, and the calendar never opens again.
    pub breach_at: Option<Option<i64>>,
    pub consumed: Option<f64>,
    pub warn: Option<f64>,
    pub caused_failure: Option<bool>,
    pub subject: Option<&'a str>,
    pub exclusion: Option<&'a str>,
    pub exception: Option<&'a str>,
    pub reason: Option<&'a str>,
}

impl EntryView<'_> {
    /// The entry, formatted (pending entries carry no policy version).
    pub(crate) fn to_entry(self) -> DeploymentEntry {
        DeploymentEntry {
            deployment: Text::from(self.deployment),
            sla: Text::from(self.sla),
            state: Text::from(self.state),
            anchor: instant::format_text(self.anchor),
            window_start: instant::format_text(self.window_start),
            service: self.service.map(Text::from),
            tier: Text::from(self.tier),
            team: self.team.map(Text::from),
            release_type: self.release_type.map(Text::from),
            elapsed_ms: self.elapsed_ms,
            actual_elapsed_ms: self.actual_elapsed_ms,
            remaining_ms: self.remaining_ms,
            breach_at: self.breach_at.map(|b| b.map(instant::format_text)),
            consumed: self.consumed,
            warn: self.warn,
            caused_failure: self.caused_failure,
            subject: self.subject.map(Text::from),
            exclusion: self.exclusion.map(Text::from),
            exception: self.exception.map(Text::from),
            reason: self.reason.map(String::from),
            policy_version: None,
        }
    }
}

/// Fill a report's deployments section from its pending entries.
pub(crate) fn materialise(report: &mut Report, subjects: &[Subject], pending: Vec<PendingSla>) {
    report.deployments = Vec::with_capacity(pending.iter().map(PendingSla::len).sum());
    for p in pending {
        report.deployments.extend(p.entries(subjects));
    }
}

/// Remember the span of each breached clock under its breach id.
fn collect_spans(
    sla: &Sla,
    subjects: &[Subject],
    parts: &[SlaPart],
    spans: &mut BTreeMap<String, (i64, i64)>,
) {
    for v in parts.iter().flat_map(|p| &p.verdicts) {
        if let (Some(span), Some(s)) = (v.judged.span(), subjects.get(v.subject as usize)) {
            spans.insert(format!("{}/{}", sla.id, s.id), span);
        }
    }
}

/// Group one SLA's verdicts by window and segment, keeping their order
/// within a group; a group lists where its verdicts sit (they are not
/// moved: a million verdicts copied into groups cost more than reading
/// them in place). A segment's key is built once per segment, not once per
/// verdict: each verdict's segment is found by interning its tier and
/// `group_by` values one step at a time (no allocation), and every group's
/// list is allocated at its final size.
fn group_verdicts(
    policy: &Policy,
    sla: &Sla,
    subjects: &[Subject],
    pieces: &[Vec<Verdict>],
    as_of: i64,
) -> BTreeMap<i64, (WindowSlot, BTreeMap<SegKey, Acc>)> {
    use rustc_hash::FxHashMap;
    // (previous step, value) -> step; the first step is keyed by the tier.
    let mut steps: FxHashMap<(u32, Option<&str>), u32> = FxHashMap::default();
    let mut seg_keys: FxHashMap<u32, SegKey> = FxHashMap::default();
    let mut step_of_names: FxHashMap<*const Names, u32> = FxHashMap::default();
    // (window, segment) -> group index
    let mut group_of: FxHashMap<(i64, u32), u32> = FxHashMap::default();
    let mut groups: Vec<(i64, u32, Acc)> = Vec::new(); // (window, segment, tally)
    let positions = pieces.iter().enumerate().flat_map(|(p, piece)| {
        let p = u32::try_from(p).unwrap_or(u32::MAX);
        piece
            .iter()
            .enumerate()
            .map(move |(o, v)| ((p, u32::try_from(o).unwrap_or(u32::MAX)), v))
    });
    for (at, v) in positions {
        let Some(subject) = subjects.get(v.subject as usize) else {
            continue;
        };
        // Subjects of one combination share their names: one lookup of a
        // pointer, not of 1 + group_by strings, per verdict.
        let step = *step_of_names
            .entry(Arc::as_ptr(&subject.names))
            .or_insert_with(|| {
                let mut next = u32::try_from(steps.len()).unwrap_or(u32::MAX);
                let mut step = *steps
                    .entry((u32::MAX, Some(subject.names.tier.as_str())))
                    .or_insert(next);
                for g in &sla.group_by {
                    next = u32::try_from(steps.len()).unwrap_or(u32::MAX);
                    step = *steps.entry((step, subject.names.get(*g))).or_insert(next);
                }
                seg_keys
                    .entry(step)
                    .or_insert_with(|| seg_of(policy, sla, &subject.names));
                step
            });
        let next = u32::try_from(groups.len()).unwrap_or(u32::MAX);
        let gi = *group_of.entry((v.window, step)).or_insert(next);
        if gi == next {
            groups.push((v.window, step, Acc::default()));
        }
        if let Some(g) = groups.get_mut(gi as usize) {
            g.2.add(&v.judged, at);
        }
    }
    let mut windows: BTreeMap<i64, (WindowSlot, BTreeMap<SegKey, Acc>)> = BTreeMap::new();
    for (window, seg, acc) in groups {
        let Some(key) = seg_keys.get(&seg) else {
            continue;
        };
        windows
            .entry(window)
            .or_insert_with(|| (slot_at(sla, as_of, window), BTreeMap::new()))
            .1
            .insert(key.clone(), acc);
    }
    windows
}

fn finish_sla(
    policy: &Policy,
    sla: &Sla,
    world: &World,
    subjects: &[Subject],
    parts: Vec<SlaPart>,
    results: &mut Vec<ResultRow>,
) -> Entries {
    let as_of = world.as_of;
    let mut seen = BTreeSet::new();
    let mut pieces: Vec<Vec<Verdict>> = Vec::with_capacity(parts.len());
    for p in parts {
        seen.extend(p.seen);
        pieces.push(p.verdicts);
    }
    // Change failure rate: charge outages to the most recent change (§6.2),
    // before the verdicts are tallied into rows.
    if sla.kind == SlaKind::ChangeFailureRate {
        charge_failures(sla, world, subjects, &mut pieces);
    }
    // (window start) -> (slot, segments)
    let mut windows = group_verdicts(policy, sla, subjects, &pieces, as_of);

    // Deployment frequency: quiet windows are rows too (§5.2); for a rolling
    // window, every segment seen before it gets a (zero) row.
    if sla.kind == SlaKind::DeploymentFrequency {
        match sla.window {
            Window::Calendar(unit) => fill_quiet_windows(policy, sla, unit, world, &mut windows),
            Window::Rolling(d) => {
                let start = as_of.saturating_sub(d);
                for seg in seen {
                    if retired_before(policy, sla, &seg, start) {
                        continue;
                    }
                    let slot = WindowSlot {
                        start,
                        end: as_of,
                        days: 0,
                        first_day: None,
                        open: true,
                    };
                    windows
                        .entry(start)
                        .or_insert_with(|| (slot, BTreeMap::new()))
                        .1
                        .entry(seg)
                        .or_default();
                }
            }
        }
    }

    for (start, (ws, segs)) in &windows {
        for (seg, acc) in segs {
            results.push(make_row(
                policy,
                sla,
                subjects,
                (*start, ws),
                (seg, acc),
                &mut pieces,
            ));
        }
    }
    drop(windows);

    // The deployments section (after CFR charging), by anchor then id: the
    // subjects' order (one verdict per subject), which `Entries::finish`
    // restores if the pieces are out of it.
    let count = pieces.iter().map(Vec::len).sum();
    let mut entries = Entries::with_capacity(count);
    for piece in pieces {
        for v in piece {
            if (v.subject as usize) < subjects.len() {
                entries.push(v.subject, v.window, v.judged);
            }
        }
    }
    entries.finish()
}

fn charge_failures(sla: &Sla, world: &World, subjects: &[Subject], pieces: &mut [Vec<Verdict>]) {
    // Candidate changes: in-scope deployments of this SLA with a "succeeded" instant.
    // Hashed (FxHash: short names), not ordered: only looked up.
    let mut by_service: rustc_hash::FxHashMap<&str, Vec<(i64, usize)>> =
        rustc_hash::FxHashMap::default();
    for v in pieces.iter().flatten() {
        let di = v.subject as usize;
        if let Some(dep) = subjects.get(di)
            && let (Some(svc), Some(s)) = (dep.names.service.as_deref(), dep.succeeded.as_ref())
        {
            by_service.entry(svc).or_default().push((s.time, di));
        }
    }
    for list in by_service.values_mut() {
        list.sort_unstable();
    }
    // Incident links, by linked deployment (incidents in id order); asked
    // once per measured deployment.
    let mut links: rustc_hash::FxHashMap<&str, Vec<&Incident>> = rustc_hash::FxHashMap::default();
    for inc in &world.incidents {
        for d in &inc.unknown_fields {
            links.entry(d.as_str()).or_default().push(inc);
        }
    }
    // The outages charged to each change, in outage order; hashed, not
    // ordered: only looked up, once per measured deployment.
    let mut outage_charges: rustc_hash::FxHashMap<usize, Vec<String>> =
        rustc_hash::FxHashMap::default();
    for o in world.outages.iter().filter(|o| o.vendor.is_none()) {
        let Some(list) = by_service.get(o.service.as_str()) else {
            continue;
        };
        for (_, di) in charged_changes(list, o.from, sla.attribution_ms) {
            outage_charges.entry(*di).or_default().push(
                o.id.clone()
                    .unwrap_or_else(|| format!("outage@{}", instant::format(o.from))),
            );
        }
    }
    for v in pieces.iter_mut().flatten() {
        let (di, j) = (v.subject as usize, &mut v.judged);
        if !matches!(j.state, State::Succeeded | State::Failed) {
            continue;
        }
        let Some(dep) = subjects.get(di) else {
            continue;
        };
        // The causes, written straight into the reason, a comma between.
        let mut why = String::new();
        let cause = |why: &mut String, text: std::fmt::Arguments<'_>| {
            if !why.is_empty() {
                why.push_str(", ");
            }
            let _ = std::fmt::Write::write_fmt(why, text);
        };
        if j.state == State::Failed {
            why.push_str("the deployment failed");
        }
        for inc in links.get(dep.id.as_str()).into_iter().flatten() {
            cause(&mut why, format_args!("incident `{}`", inc.id));
            j.extra_mut().evidence.push(Evidence {
                kind: "incident".into(),
                id: Some(Text::from(inc.id.as_str())),
                event: None,
                time: Some(instant::format_text(inc.opened)),
                role: "caused".into(),
            });
        }
        if let Some(ids) = outage_charges.get(&di) {
            // The change's "succeeded" instant made it the latest change.
            if let Some(s) = dep.succeeded.as_ref() {
                j.extra_mut().evidence.push(s.evidence());
            }
            for id in ids {
                cause(&mut why, format_args!("outage `{id}`"));
                j.extra_mut().evidence.push(Evidence {
                    kind: "outage".into(),
                    id: Some(Text::from(id.as_str())),
                    event: None,
                    time: None,
                    role: "charged".into(),
                });
            }
        }
        if !why.is_empty() {
            j.caused_failure = true;
            j.extra_mut().reason = Some(why);
        }
    }
}

/// Is the segment's service retired before a window starting at `start`?
/// (`retired` is a local date of the policy zone: windows starting after it have no quiet rows.)
fn retired_before(policy: &Policy, sla: &Sla, seg: &SegKey, start: i64) -> bool {
    let Some(p) = sla.group_by.iter().position(|g| *g == GroupKey::Service) else {
        return false;
    };
    let Some(Some(service)) = seg.1.get(p) else {
        return false;
    };
    let Some(retired) = policy.services.get(service).and_then(|e| e.retired) else {
        return false;
    };
    let after = retired.succ_opt().unwrap_or(retired);
    start >= crate::calendar::local_to_utc(policy.tz, after, 0)
}

fn fill_quiet_windows(
    policy: &Policy,
    sla: &Sla,
    unit: WindowUnit,
    world: &World,
    windows: &mut BTreeMap<i64, (WindowSlot, BTreeMap<SegKey, Acc>)>,
) {
    let as_of = world.as_of;
    // First window of each segment.
    let mut first: BTreeMap<SegKey, i64> = BTreeMap::new();
    for (start, (_, segs)) in windows.iter() {
        for seg in segs.keys() {
            first.entry(seg.clone()).or_insert(*start);
        }
    }
    for (seg, start) in first {
        let mut w = window_of(unit, sla.tz, start);
        let mut guard = 0;
        while w.start <= as_of && guard < 100_000 {
            guard += 1;
            if retired_before(policy, sla, &seg, w.start) {
                break;
            }
            let s = slot(&w, as_of);
            let entry = windows
                .entry(w.start)
                .or_insert_with(|| (s, BTreeMap::new()));
            entry.1.entry(seg.clone()).or_default();
            w = next_window(unit, sla.tz, &w);
        }
    }
}

fn make_row(
    policy: &Policy,
    sla: &Sla,
    subjects: &[Subject],
    (start, ws): (i64, &WindowSlot),
    (seg, acc): (&SegKey, &Acc),
    pieces: &mut [Vec<Verdict>],
) -> ResultRow {
    let tier = if seg.0.1.is_empty() {
        policy.tiers.get(seg.0.0).cloned().unwrap_or_default()
    } else {
        seg.0.1.clone()
    };
    let mut segment: BTreeMap<String, Option<String>> = BTreeMap::new();
    segment.insert("tier".into(), Some(tier.clone()));
    for (k, v) in sla.group_by.iter().zip(seg.1.iter()) {
        segment.insert(k.as_str().into(), v.clone());
    }
    let target = sla.target_for(&tier).copied();
    let window_state = if ws.open { "open" } else { "closed" };
    // The counts were tallied while grouping; the ids are borrowed while
    // collected (most verdicts of a row name the same few).
    let mut exclusions: BTreeSet<&str> = acc
        .pauses
        .iter()
        .flat_map(|list| list.iter().map(Text::as_str))
        .collect();
    let mut exceptions: BTreeSet<&str> = BTreeSet::new();
    for (_, j) in acc.judged(pieces) {
        exclusions.extend(j.exclusion().map(String::as_str));
        exceptions.extend(j.exception().map(String::as_str));
    }
    let exclusions: Vec<String> = exclusions.into_iter().map(str::to_string).collect();
    let exceptions: Vec<String> = exceptions.into_iter().map(str::to_string).collect();
    let id = format!(
        "{}/{}/{}",
        sla.id,
        instant::format(start),
        fmt_segment(&segment)
    );
    let mut row = ResultRow {
        id,
        sla: sla.id.clone(),
        kind: sla.kind.as_str().into(),
        window: WindowInfo {
            start: instant::format(start),
            end: instant::format(ws.end),
            state: window_state.into(),
            unit: window_unit(sla).into(),
            label: window_label(sla, ws),
        },
        segment,
        tier,
        status: "no_data".into(),
        measured: 0,
        met: None,
        breached: None,
        succeeded: None,
        failed: None,
        in_progress: None,
        caused_failure: None,
        excluded: acc.count(State::Excluded),
        suspended: acc.count(State::Suspended),
        unmeasured: None,
        cancelled: None,
        in_flight: None,
        at_risk: None,
        value: None,
        target: TargetInfo::default(),
        error_budget: None,
        breaches: Vec::new(),
        exclusions,
        exceptions,
        trend: None,
        policy_version: None,
    };
    let dep_of = |di: usize| subjects.get(di);
    match (sla.kind, target) {
        (
            SlaKind::Duration
            | SlaKind::RollbackTime
            | SlaKind::PostDeployAvailability
            | SlaKind::TimeToRestore,
            Some(Target::Duration { max_ms, objective }),
        ) => {
            let met = acc.count(State::Met);
            let breached = acc.count(State::Breached);
            let measured = met + breached;
            row.measured = measured;
            row.met = Some(met);
            row.breached = Some(breached);
            row.unmeasured = Some(acc.count(State::Unmeasured));
            row.cancelled = Some(acc.count(State::Cancelled));
            row.in_flight = Some(acc.count(State::InFlight));
            row.at_risk = Some(acc.at_risk);
            row.value = ratio6(i128::from(met), i128::from(measured)).and_then(num);
            let obj = i128::from(objective.0);
            let status = if measured == 0 {
                if acc.at_risk > 0 {
                    "at_risk"
                } else {
                    "no_data"
                }
            } else if i128::from(met) * PPM >= obj * i128::from(measured) {
                if acc.at_risk > 0 { "at_risk" } else { "met" }
            } else {
                "breached"
            };
            row.status = status.into();
            let allowed = ((PPM - obj) * i128::from(measured) / PPM) as i64;
            row.error_budget = Some(ErrorBudget {
                allowed,
                remaining: allowed - breached,
            });
            row.target = TargetInfo {
                max_ms: Some(max_ms),
                objective: Some(objective.ratio()),
                ..TargetInfo::default()
            };
            // A verdict's evidence is read by its breach only: moved, not copied.
            let mut breaches: Vec<Breach> = Vec::new();
            for &(p, o) in &acc.at {
                let Some(v) = pieces
                    .get_mut(p as usize)
                    .and_then(|x| x.get_mut(o as usize))
                else {
                    continue;
                };
                let j = &mut v.judged;
                if j.state != State::Breached {
                    continue;
                }
                let Some(dep) = dep_of(v.subject as usize) else {
                    continue;
                };
                let elapsed = j.elapsed().unwrap_or(0);
                let running = j.breach_at().is_some();
                breaches.push(Breach {
                    id: format!("{}/{}", sla.id, dep.id),
                    deployment: Text::from(dep.id.as_str()),
                    service: dep.names.service.as_deref().map(Text::from),
                    elapsed_ms: Some(elapsed),
                    max_ms: Some(max_ms),
                    over_ms: Some(elapsed - max_ms),
                    reason: breach_reason(sla, elapsed, max_ms, running, j.pause_exclusions()),
                    records: j
                        .extra
                        .as_mut()
                        .map(|x| std::mem::take(&mut x.evidence))
                        .unwrap_or_default(),
                    vendor_overlap: Vec::new(),
                });
            }
            breaches.sort_by(|a, b| (b.over_ms, &a.deployment).cmp(&(a.over_ms, &b.deployment)));
            row.breaches = breaches;
        }
        (
            SlaKind::SuccessRate | SlaKind::ChangeFailureRate | SlaKind::DeploymentFrequency,
            Some(t),
        ) => {
            let succeeded = acc.count(State::Succeeded);
            let failed = acc.count(State::Failed);
            let measured = succeeded + failed;
            row.measured = measured;
            row.succeeded = Some(succeeded);
            row.failed = Some(failed);
            row.in_progress = Some(acc.count(State::InProgress));
            let mut breaches = Vec::new();
            match t {
                Target::MinRate(min) => {
                    row.value = ratio6(i128::from(succeeded), i128::from(measured)).and_then(num);
                    row.status = if measured == 0 {
                        "no_data"
                    } else if i128::from(succeeded) * PPM
                        >= i128::from(min.0) * i128::from(measured)
                    {
                        "met"
                    } else {
                        "breached"
                    }
                    .into();
                    row.target.min = Some(min.ratio());
                    for (di, j) in acc.judged(pieces).filter(|(_, j)| j.state == State::Failed) {
                        if let Some(dep) = dep_of(di) {
                            breaches.push(rate_breach(sla, dep, j, "the deployment failed".into()));
                        }
                    }
                }
                Target::MaxRate(max) => {
                    row.caused_failure = Some(acc.caused);
                    row.value = ratio6(i128::from(acc.caused), i128::from(measured)).and_then(num);
                    row.status = if measured == 0 {
                        "no_data"
                    } else if i128::from(acc.caused) * PPM
                        <= i128::from(max.0) * i128::from(measured)
                    {
                        "met"
                    } else {
                        "breached"
                    }
                    .into();
                    row.target.max = Some(max.ratio());
                    for (di, j) in acc.judged(pieces).filter(|(_, j)| j.caused_failure) {
                        if let Some(dep) = dep_of(di) {
                            breaches.push(rate_breach(
                                sla,
                                dep,
                                j,
                                format!(
                                    "caused a failure: {}",
                                    j.reason().cloned().unwrap_or_default()
                                ),
                            ));
                        }
                    }
                }
                Target::MinCount(_) | Target::MinPerDay(_) => {
                    row.value = Some(Value::from(succeeded));
                    let ok = match t {
                        Target::MinCount(n) => {
                            row.target.min = Some(n as f64);
                            succeeded >= n
                        }
                        Target::MinPerDay(pd) => {
                            row.target.min_per_day = Some(pd.0 as f64 / 1_000_000.0);
                            match sla.window {
                                Window::Rolling(d) => {
                                    row.target.required =
                                        ratio6(i128::from(pd.0) * i128::from(d), PPM * 86_400_000);
                                    i128::from(succeeded) * PPM * 86_400_000
                                        >= i128::from(pd.0) * i128::from(d)
                                }
                                Window::Calendar(_) => {
                                    row.target.required =
                                        ratio6(i128::from(pd.0) * i128::from(ws.days), PPM);
                                    i128::from(succeeded) * PPM
                                        >= i128::from(pd.0) * i128::from(ws.days)
                                }
                            }
                        }
                        _ => true,
                    };
                    row.status = if ok {
                        "met"
                    } else if ws.open && matches!(sla.window, Window::Calendar(_)) {
                        "at_risk"
                    } else {
                        "breached"
                    }
                    .into();
                }
                Target::Duration { .. } => {}
            }
            breaches.sort_by(|a, b| a.deployment.cmp(&b.deployment));
            row.breaches = breaches;
        }
        _ => {}
    }
    row
}

fn window_unit(sla: &Sla) -> &'static str {
    match sla.window {
        Window::Calendar(WindowUnit::Day) => "day",
        Window::Calendar(WindowUnit::Week) => "week",
        Window::Calendar(WindowUnit::Month) => "month",
        Window::Calendar(WindowUnit::Quarter) => "quarter",
        Window::Calendar(WindowUnit::Year) => "year",
        Window::Rolling(_) => "rolling",
    }
}

fn window_label(sla: &Sla, ws: &WindowSlot) -> String {
    use chrono::Datelike;
    match (sla.window, ws.first_day) {
        (Window::Rolling(d), _) if d % 86_400_000 == 0 => format!("rolling {}d", d / 86_400_000),
        (Window::Rolling(d), _) => format!("rolling {}", crate::units::format_duration(d)),
        (Window::Calendar(unit), Some(day)) => match unit {
            WindowUnit::Day => day.format("%Y-%m-%d").to_string(),
            WindowUnit::Week => format!("week of {}", day.format("%Y-%m-%d")),
            WindowUnit::Month => day.format("%Y-%m").to_string(),
            WindowUnit::Quarter => format!("{}-Q{}", day.year(), day.month0() / 3 + 1),
            WindowUnit::Year => day.year().to_string(),
        },
        (Window::Calendar(_), None) => instant::format(ws.start),
    }
}

/// A duration-like breach in words, per rule.
fn breach_reason(sla: &Sla, elapsed: i64, max: i64, running: bool, paused_by: &[Text]) -> String {
    use crate::units::format_duration as d;
    let what = match (sla.kind, running) {
        (SlaKind::PostDeployAvailability, _) => format!(
            "{} of outage within {} after the deploy succeeded, against at most {}",
            d(elapsed),
            d(sla.watch_ms),
            d(max)
        ),
        (SlaKind::RollbackTime, true) => {
            format!(
                "no rollback completed {} after the failure, against a target of {}",
                d(elapsed),
                d(max)
            )
        }
        (SlaKind::RollbackTime, false) => format!(
            "the rollback took {} against a target of {}",
            d(elapsed),
            d(max)
        ),
        (SlaKind::TimeToRestore, true) => {
            format!(
                "still unresolved after {} against a target of {}",
                d(elapsed),
                d(max)
            )
        }
        (SlaKind::TimeToRestore, false) => format!(
            "restored after {} against a target of {}",
            d(elapsed),
            d(max)
        ),
        (_, true) => format!(
            "{} elapsed so far (still running) against a target of {}",
            d(elapsed),
            d(max)
        ),
        (_, false) => format!("{} elapsed against a target of {}", d(elapsed), d(max)),
    };
    if paused_by.is_empty() {
        what
    } else {
        format!("{what}; paused by {}", paused_by.join(", "))
    }
}

fn rate_breach(sla: &Sla, dep: &Subject, j: &Judged, reason: String) -> Breach {
    Breach {
        id: format!("{}/{}", sla.id, dep.id),
        deployment: Text::from(dep.id.as_str()),
        service: dep.names.service.as_deref().map(Text::from),
        elapsed_ms: None,
        max_ms: None,
        over_ms: None,
        reason,
        records: j.evidence().to_vec(),
        vendor_overlap: Vec::new(),
    }
}

fn num(x: f64) -> Option<Value> {
    serde_json::Number::from_f64(x).map(Value::Number)
}

// ---------------------------------------------------------------------------
// Findings and in_force
// ---------------------------------------------------------------------------

fn findings(policy: &Policy, world: &World, subjects: &[Subject]) -> Vec<Finding> {
    let as_of = world.as_of;
    let mut out = Vec::new();
    let mut exceptions: Vec<&Exception> = world.exceptions.iter().collect();
    exceptions.sort_by(|a, b| (a.from, &a.id).cmp(&(b.from, &b.id)));
    for x in exceptions.iter().filter(|x| x.emergency) {
        let deadline = x.to.saturating_add(policy.justify_within_ms);
        if deadline > as_of {
            continue;
        }
        let justified = x.justified_at.is_some_and(|j| j <= deadline && j <= as_of);
        if !justified {
            let mut details = BTreeMap::new();
            details.insert("exception".into(), Value::from(x.id.clone()));
            details.insert("deadline".into(), Value::from(instant::format(deadline)));
            out.push(Finding {
                kind: "unjustified_emergency".into(),
                message: format!(
                    "emergency exception `{}` ended {} and has no justification filed by {}",
                    x.id,
                    instant::format(x.to),
                    instant::format(deadline)
                ),
                details,
            });
        }
    }
    if let Some((max, per)) = policy.exception_review {
        // The services of the deployments that exceptions list.
        let listed: BTreeSet<&str> = exceptions
            .iter()
            .flat_map(|x| x.deployments.iter().flatten())
            .map(String::as_str)
            .collect();
        let service_of: BTreeMap<&str, Option<&str>> = subjects
            .iter()
            .filter(|s| listed.contains(s.id.as_str()))
            .map(|s| (s.id.as_str(), s.names.service.as_deref()))
            .collect();
        let mut counts: BTreeMap<(i64, String), Vec<String>> = BTreeMap::new();
        for x in &exceptions {
            let mut keys: BTreeSet<String> = x.services.iter().flatten().cloned().collect();
            for d in x.deployments.iter().flatten() {
                if let Some(service) = service_of.get(d.as_str()) {
                    keys.extend(service.map(str::to_string));
                }
            }
            if x.services.is_none() && x.deployments.is_none() {
                keys.insert("*".into());
            }
            let w = window_of(per, policy.tz, x.from);
            for k in keys {
                counts.entry((w.start, k)).or_default().push(x.id.clone());
            }
        }
        for ((start, service), ids) in counts {
            if ids.len() as u64 > u64::from(max) {
                let mut details = BTreeMap::new();
                details.insert("service".into(), Value::from(service.clone()));
                details.insert("period_start".into(), Value::from(instant::format(start)));
                details.insert("count".into(), Value::from(ids.len()));
                details.insert("max".into(), Value::from(max));
                details.insert("exceptions".into(), Value::from(ids.clone()));
                let who = if service == "*" {
                    "the whole organisation".to_string()
                } else {
                    format!("service `{service}`")
                };
                out.push(Finding {
                    kind: "exception_frequency".into(),
                    message: format!("{who} had {} exceptions in the period from {}, more than the {max} allowed", ids.len(), instant::format(start)),
                    details,
                });
            }
        }
    }
    out
}

fn in_force(world: &World) -> InForce {
    let t = world.as_of;
    let mut exclusions = Vec::new();
    for x in &world.exclusions {
        let stretch = match &x.span {
            Span::Interval { from, to } => (*from <= t && t < *to).then_some((*from, *to)),
            Span::Calendar { calendar, .. } => x.stretch_start(t).map(|s| {
                let end = calendar
                    .open_intervals(t, t.saturating_add(31 * 86_400_000))
                    .first()
                    .map_or(t, |iv| iv.1);
                (s, end)
            }),
        };
        if let Some((from, to)) = stretch {
            exclusions.push(InForceExclusion {
                id: x.id.clone(),
                reason: x.reason.clone(),
                effect: match x.effect {
                    Effect::Pause => "pause".into(),
                    Effect::Exclude => "exclude".into(),
                },
                from: instant::format(from),
                to: instant::format(to),
                services: x.services.clone(),
                vendor: x.vendor.clone(),
            });
        }
    }
    exclusions.sort_by(|a, b| (&a.from, &a.id).cmp(&(&b.from, &b.id)));
    let mut exceptions: Vec<InForceException> = world
        .exceptions
        .iter()
        .filter(|x| x.from <= t && t < x.to)
        .map(|x| InForceException {
            id: x.id.clone(),
            from: instant::format(x.from),
            to: instant::format(x.to),
            emergency: x.emergency,
            services: x.services.clone(),
            deployments: x.deployments.clone(),
            approved_by: x.approved_by.clone(),
        })
        .collect();
    exceptions.sort_by(|a, b| (&a.from, &a.id).cmp(&(&b.from, &b.id)));
    InForce {
        exclusions,
        exceptions,
    }
}

/// The latest lifecycle event time in the records (the CLI's default as_of).
pub fn latest_event_time(records: &[Record]) -> Option<i64> {
    records
        .iter()
        .filter_map(|r| match r {
            Record::Event(e) => Some(e.time),
            _ => None,
        })
        .max()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(10_000))]
        /// Deployments are put in id order by prefix first: the same order
        /// as comparing the ids, for ids that share a prefix, hold NULs or
        /// are shorter than eight bytes.
        #[test]
        fn comparing_id_prefixes_first_is_comparing_ids(
            a in "(d-|d-1|)[0-9\\x00é]{0,10}",
            b in "(d-|d-1|)[0-9\\x00é]{0,10}",
        ) {
            let by_prefix = id_prefix(&a).cmp(&id_prefix(&b)).then_with(|| a.cmp(&b));
            proptest::prop_assert_eq!(by_prefix, a.cmp(&b));
            let by_key = (id_key(&a, 7) >> 32).cmp(&(id_key(&b, 3) >> 32)).then_with(|| a.cmp(&b));
            proptest::prop_assert_eq!(by_key, a.cmp(&b));
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]
        /// Unique ids put in order by 16-byte keys, or by (head, place)
        /// pairs, on one core or several: their byte order. Ids share heads
        /// of twelve bytes and more, hold NULs, or are empty.
        #[test]
        fn ids_are_put_in_their_byte_order(
            ids in proptest::collection::btree_set("(deployment-0|d-1|)[0-9\\x00é]{0,14}", 0..300),
        ) {
            let mut ids: Vec<String> = ids.into_iter().collect();
            // Not in order in the input.
            ids.reverse();
            let third = ids.len() / 3;
            ids.rotate_left(third);
            let mut expected: Vec<usize> = (0..ids.len()).collect();
            expected.sort_by(|a, b| ids[*a].cmp(&ids[*b]));
            let id_at = |i: usize| ids.get(i).map(String::as_str);
            for (parallel, pack) in [(false, true), (true, true), (false, false), (true, false)] {
                let order = order_by_id(id_at, ids.len(), parallel, pack);
                proptest::prop_assert_eq!(&order, &expected);
            }
        }
    }

    /// The inputs digest by its definition (§10): every record's canonical
    /// line, put in order by §1.5 key and then by text, hashed.
    fn digest_by_definition(records: &[Record]) -> String {
        use sha2::Digest;
        let mut lines: Vec<_> = records
            .iter()
            .map(|r| (r.sort_key(), r.canonical_json()))
            .collect();
        lines.sort();
        let mut sha = sha2::Sha256::new();
        for (_, line) in lines {
            sha.update(line.as_bytes());
            sha.update(b"\n");
        }
        crate::report::hex_digest(sha)
    }

    proptest::proptest! {
        /// The inputs digest is the same whether instants and positions are
        /// packed into one integer or sorted as pairs, and is the digest's
        /// definition: for records whose instants tie, whose §1.5 keys tie
        /// (then ordered by text), that have no instant (a calendar
        /// exclusion) or span millennia.
        #[test]
        fn the_inputs_digest_orders_records_by_key_then_text(
            events in proptest::collection::vec(
                (0usize..4, 0usize..3, 0usize..3, 0usize..3, proptest::bool::ANY),
                0..60,
            ),
            far in proptest::bool::ANY,
            calendar in proptest::bool::ANY,
        ) {
            let times = ["2026-03-02T10:00:00Z", "2026-03-02T10:00:00.001Z", "2026-03-02T10:00:01Z",
                if far { "9999-12-31T23:59:59Z" } else { "2026-03-02T10:00:00Z" }];
            let mut text = String::new();
            for (t, name, id, dep, service) in events {
                let id = ["", ",\"id\":\"e1\"", ",\"id\":\"e2\""][id];
                let service = if service { ",\"service\":\"api\"" } else { "" };
                text.push_str(&format!(
                    "{{\"deployment\":\"d{dep}\",\"event\":\"{}\",\"time\":\"{}\"{id}{service}}}\n",
                    ["merged", "started", "succeeded"][name],
                    times[t],
                ));
            }
            text.push_str("{\"kind\":\"outage\",\"service\":\"api\",\"from\":\"2026-03-02T10:00:00Z\",\"to\":\"2026-03-02T11:00:00Z\"}\n");
            if calendar {
                text.push_str("{\"kind\":\"exclusion\",\"id\":\"weekly\",\"calendar\":\"sunday\"}\n");
            }
            let records = crate::record::parse_records(&text).unwrap();
            let expected = digest_by_definition(&records);
            proptest::prop_assert_eq!(inputs_digest_by(&records, true), expected.clone());
            proptest::prop_assert_eq!(inputs_digest_by(&records, false), expected);
        }
    }

    proptest::proptest! {
        /// Putting items in an order in place is gathering them into a new
        /// list in that order, for any permutation (cycles of every length,
        /// items already in place).
        #[test]
        fn an_order_applied_in_place_is_the_items_gathered_in_it(
            order in proptest::strategy::Strategy::prop_flat_map(0usize..40, |n| {
                use proptest::prelude::*;
                Just((0..n).collect::<Vec<usize>>()).prop_shuffle()
            }),
        ) {
            use proptest::prelude::*;
            let items: Vec<String> = (0..order.len()).map(|i| format!("item {i}")).collect();
            let gathered: Vec<String> = order.iter().map(|&i| items[i].clone()).collect();
            let mut moved = items.clone();
            apply_order(&mut moved, order);
            prop_assert_eq!(moved, gathered);
        }
    }

    proptest::proptest! {
        /// The union of intervals is the sorted runs of the instants they
        /// cover (touching intervals make one run; empty ones cover none).
        #[test]
        fn a_union_is_the_runs_of_what_its_intervals_cover(
            iv in proptest::collection::vec((0i64..40, 0i64..40), 0..12),
        ) {
            let covered: Vec<bool> = (0..41)
                .map(|t| iv.iter().any(|&(a, b)| a <= t && t < b))
                .collect();
            let mut runs = Vec::new();
            let mut open = None;
            for (t, c) in covered.iter().enumerate() {
                match (open, *c) {
                    (None, true) => open = Some(t as i64),
                    (Some(a), false) => {
                        runs.push((a, t as i64));
                        open = None;
                    }
                    _ => {}
                }
            }
            proptest::prop_assert_eq!(union(iv.iter().copied()), runs);
        }
    }

    /// A pending entry stays small: there is one per deployment and SLA.
    #[test]
    fn a_pending_entry_is_8_bytes_and_keeps_what_it_packs() {
        assert!(std::mem::size_of::<PendingEntry>() <= 8);
        for (i, state) in STATES.into_iter().enumerate() {
            assert_eq!(state as usize, i);
            for flags in [
                0,
                CAUSED,
                HAS_CLOCK | HAS_NOTES,
                CAUSED | HAS_CLOCK | HAS_NOTES,
            ] {
                let window = WINDOW_BITS - i as u32;
                let e = PendingEntry::new(7, window, state, flags);
                assert_eq!((e.subject, e.window(), e.state()), (7, window, state));
                assert_eq!(e.caused_failure(), flags & CAUSED != 0);
                assert_eq!(e.has_clock(), flags & HAS_CLOCK != 0);
                assert_eq!(e.has_notes(), flags & HAS_NOTES != 0);
            }
        }
    }

    /// Entries added out of subject order (as merged partials may give)
    /// keep their clocks, running numbers and notes; formatting from any
    /// position (across the marks) reads the same entry as from the start.
    #[test]
    fn entries_keep_their_clocks_and_notes_in_any_order_from_any_position() {
        let n: u32 = 10_007;
        let mut entries = Entries::with_capacity(n as usize);
        for i in 0..n {
            let subject = (i * 7_919) % n;
            let s = i64::from(subject);
            let mut j = if subject.is_multiple_of(3) {
                Judged::measured(State::InFlight, 10_000, s, s + 1)
            } else {
                Judged::new(State::Met)
            };
            if subject.is_multiple_of(6) {
                j.running(Some(s * 1_000), None, None);
            }
            if subject.is_multiple_of(7) {
                j.extra_mut().reason = Some(format!("r{subject}"));
            }
            entries.push(subject, s % 5 * 86_400_000, j);
        }
        let entries = entries.finish();
        let names = Arc::new(Names::new(Some("svc"), None, None, "default", None));
        let subjects: Vec<Subject> = (0..n)
            .map(|i| Subject {
                id: Text::from(format!("d{i}")),
                anchor: 0,
                names: Arc::clone(&names),
                succeeded: None,
            })
            .collect();
        let pending = PendingSla {
            sla: "s".into(),
            kind: SlaKind::Duration,
            incidents: None,
            entries,
        };
        let all: Vec<DeploymentEntry> = pending.entries(&subjects).collect();
        assert_eq!(all.len(), n as usize);
        for (k, e) in all.iter().enumerate() {
            let s = k as i64;
            assert_eq!(e.deployment, format!("d{k}"));
            assert_eq!(e.elapsed_ms, (k % 3 == 0).then_some(s), "{k}");
            assert_eq!(e.actual_elapsed_ms, (k % 3 == 0).then_some(s + 1), "{k}");
            assert_eq!(e.breach_at.is_some(), k % 6 == 0, "{k}");
            assert_eq!(e.reason, (k % 7 == 0).then(|| format!("r{k}")), "{k}");
            assert_eq!(e.window_start, instant::format_text(s % 5 * 86_400_000));
        }
        for start in [1, 4_095, 4_096, 4_097, 9_000] {
            let tail: Vec<DeploymentEntry> =
                pending.entries_in(&subjects, start..n as usize).collect();
            assert_eq!(tail.as_slice(), all.get(start..).unwrap(), "{start}");
        }
        // Kept in part (as a text view keeps what it lists), each entry
        // keeps its own clock, running numbers and notes, from any position.
        for state in ["in_flight", "met"] {
            let mut kept = pending.clone();
            kept.retain(|s, caused| s == state && !caused);
            let expected: Vec<&DeploymentEntry> = all.iter().filter(|e| e.state == state).collect();
            assert!(expected.len() > 3_000, "{state}");
            let got: Vec<DeploymentEntry> = kept.entries(&subjects).collect();
            assert_eq!(got.iter().collect::<Vec<_>>(), expected, "{state}");
            for start in [1, 3_000, 4_095, 4_096, 4_097] {
                let tail: Vec<DeploymentEntry> =
                    kept.entries_in(&subjects, start..kept.len()).collect();
                assert_eq!(
                    tail.as_slice(),
                    got.get(start..).unwrap_or_default(),
                    "{state} {start}"
                );
            }
        }
    }

    /// A verdict stays small too (one per deployment and SLA while an SLA
    /// is finished), and a partial's wire keeps the flat shape, boxed parts,
    /// sentinels and all, through a round trip.
    #[test]
    fn a_verdict_is_48_bytes_and_its_wire_is_flat() {
        assert!(std::mem::size_of::<Judged>() <= 48);
        assert!(std::mem::size_of::<Verdict>() <= 64);
        let mut j = Judged::measured(State::InFlight, 10, 5, 7);
        j.running(None, Some(0.5), Some(400_000));
        j.extra_mut().reason = Some("why".into());
        j.extra_mut().span = Some((1, 2));
        j.paused_by("x-1");
        j.paused_by("x-2");
        j.paused_by("x-1");
        let wire = serde_json::to_value(&j).unwrap();
        assert_eq!(wire["pause_exclusions"], serde_json::json!(["x-1", "x-2"]));
        assert_eq!(wire["reason"], "why");
        assert_eq!(wire["span"], serde_json::json!([1, 2]));
        assert_eq!(
            [
                &wire["elapsed"],
                &wire["actual"],
                &wire["remaining"],
                &wire["max_ms"]
            ],
            [5, 7, 5, 10].map(serde_json::Value::from).each_ref()
        );
        // Running with no breach instant (`Some(None)`) is not "not running".
        assert_eq!(wire["breach_at"], serde_json::Value::Null);
        assert_eq!(j.breach_at(), Some(None));
        assert_eq!((j.consumed(), j.warn()), (Some(0.5), Some(400_000)));
        // A partial's bytes (postcard) tell the two apart; JSON's null does not.
        let bytes = postcard::to_allocvec(&j).unwrap();
        assert_eq!(postcard::from_bytes::<Judged>(&bytes).unwrap(), j);
        let plain = Judged::new(State::Met);
        assert_eq!(
            (
                plain.elapsed(),
                plain.breach_at(),
                plain.consumed(),
                plain.max_ms()
            ),
            (None, None, None, None)
        );
        let back: Judged = serde_json::from_value(serde_json::to_value(&plain).unwrap()).unwrap();
        assert_eq!((back.extra.is_none(), back), (true, plain));
        let mut due = Judged::measured(State::InFlight, 10, 5, 5);
        due.running(Some(1_000), None, None);
        assert_eq!(due.breach_at(), Some(Some(1_000)));
        assert_ne!(due, j);
    }

    /// Verdicts with equal pause lists share one list; others keep theirs.
    #[test]
    fn equal_pause_lists_are_shared() {
        let mut lists = Shared::default();
        let judged = |ids: &[&str]| {
            let mut j = Judged::new(State::Met);
            for id in ids {
                j.paused_by(id);
            }
            j
        };
        let (mut a, mut b, mut c, mut none) = (
            judged(&["w", "x"]),
            judged(&["w", "x"]),
            judged(&["x", "w"]),
            judged(&[]),
        );
        for j in [&mut a, &mut b, &mut c, &mut none] {
            if let Some(list) = &mut j.pause_exclusions {
                lists.share(list);
            }
        }
        let ptr = |j: &Judged| j.pause_exclusions.as_ref().map(Arc::as_ptr);
        assert_eq!(ptr(&a), ptr(&b));
        assert_ne!(ptr(&a), ptr(&c));
        assert_eq!((ptr(&none), none.pause_exclusions()), (None, &[][..]));
        assert_eq!(c.pause_exclusions(), ["x", "w"]);
    }

    /// SLAs with include and exempt scope lists, and one without a scope.
    const SCOPES: &str = r#"
slakit: 1
name: scopes
tiers: [tier1, tier2]
services:
  a: {tier: tier1}
  b: {tier: tier2}
slas:
  - id: include
    clock: {start: merged, stop: succeeded}
    window: month
    scope: {services: [a, b], environments: [production], tiers: [tier1]}
    targets: {default: {max: 4h, objective: 90%}}
  - id: exempt
    clock: {start: merged, stop: succeeded}
    window: month
    scope: {services: {exempt: [a]}, release_types: {exempt: [hotfix]}}
    targets: {tier2: {max: 4h, objective: 90%}}
  - id: none
    clock: {start: merged, stop: succeeded}
    window: month
    targets: {default: {max: 4h, objective: 90%}}
"#;

    /// The hash-set scope answers as the scope lists do (`ScopeList::admits`,
    /// one value at a time), for include and exempt lists, present and
    /// missing attributes, and `in_scope` adds the target for the tier.
    #[test]
    fn scope_sets_agree_with_the_scope_lists() {
        let policy = Policy::from_yaml(SCOPES).unwrap();
        let values = [None, Some("a"), Some("b"), Some("c")];
        let envs = [None, Some("production"), Some("staging")];
        let types = [None, Some("hotfix"), Some("minor")];
        let mut admitted = 0;
        for sla in &policy.slas {
            let compiled = Scope::of(&sla.scope);
            for service in values {
                for environment in envs {
                    for release_type in types {
                        for tier in ["tier1", "tier2", "tier9"] {
                            let names = Names::new(service, environment, release_type, tier, None);
                            let dep =
                                Deployment::new("d".into(), Vec::new(), 0, Arc::new(names), NO_SIG);
                            let lists = &sla.scope;
                            let expected = lists
                                .environments
                                .as_ref()
                                .is_none_or(|l| l.admits(environment))
                                && lists
                                    .release_types
                                    .as_ref()
                                    .is_none_or(|l| l.admits(release_type))
                                && lists.services.as_ref().is_none_or(|l| l.admits(service))
                                && lists.tiers.as_ref().is_none_or(|l| l.admits(Some(tier)))
                                && sla.target_for(tier).is_some();
                            assert_eq!(
                                target_if_in_scope(&compiled, sla, &dep).is_some(),
                                expected,
                                "{} {service:?} {environment:?} {release_type:?} {tier}",
                                sla.id
                            );
                            assert_eq!(in_scope(sla, &dep), expected);
                            admitted += usize::from(expected);
                        }
                    }
                }
            }
        }
        // Neither always nor never: the lists decide.
        assert!(admitted > 0 && admitted < 3 * 4 * 3 * 3 * 3, "{admitted}");
    }

    /// Events grouped by deployment: the ids in order, each group the
    /// deployment's events in input order, whether a group's number is a
    /// `u32` or a `usize` (the latter only for more than 2^32 events).
    #[test]
    fn events_are_grouped_by_deployment_in_id_order_and_input_order() {
        let mut lines = Vec::new();
        for i in 0..60 {
            let dep = ["d-9", "d-10", "d-1", "a", "d-10x"][i * 7 % 5];
            lines.push(format!(
                r#"{{"deployment":"{dep}","event":"e{i}","time":"2026-01-01T00:00:{:02}Z","service":"s"}}"#,
                59 - i
            ));
            if i % 9 == 0 {
                lines.push(
                    r#"{"kind":"outage","service":"s","from":"2026-01-01T00:00:00Z"}"#.into(),
                );
            }
        }
        let records = crate::parse_records(&lines.join("\n")).unwrap();
        let events = || {
            records.iter().filter_map(|r| match r {
                Record::Event(e) => Some(e),
                _ => None,
            })
        };
        let flat = |g: &Groups<'_>| {
            let mut out = Vec::new();
            for (k, id) in g.ids.iter().enumerate() {
                let (a, b) = (g.starts[k], g.starts[k + 1]);
                let names: Vec<String> =
                    g.events[a..b].iter().map(|e| e.event.to_string()).collect();
                out.push((id.to_string(), names));
            }
            out
        };
        let small = Groups::of::<u32>(events(), 60, false);
        let large = Groups::of::<usize>(events(), 60, false);
        assert_eq!(flat(&small), flat(&large));
        let mut expected: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for e in events() {
            expected
                .entry(e.deployment.to_string())
                .or_default()
                .push(e.event.to_string());
        }
        let expected: Vec<(String, Vec<String>)> = expected.into_iter().collect();
        assert_eq!(flat(&small), expected);
        assert_eq!(small.starts.last(), Some(&60));
        // Split: each id with its own events, none left over.
        let mut g = Groups::of::<u32>(events(), 60, true);
        let split: Vec<(String, usize)> = g
            .split()
            .map(|(id, ev)| (id.to_string(), ev.len()))
            .collect();
        let lens: Vec<(String, usize)> = expected
            .iter()
            .map(|(id, ev)| (id.clone(), ev.len()))
            .collect();
        assert_eq!(split, lens);
        // No events: no groups.
        let none = Groups::of::<u32>(std::iter::empty(), 0, false);
        assert!(none.ids.is_empty() && none.events.is_empty());
        assert_eq!(none.starts, vec![0]);
    }

    /// Deployments are shaped on every core a chunk at a time (a chunk's
    /// names taken in while the next is shaped), and put in order on every
    /// core: the same world as on one, with its names numbered alike and
    /// the same first error.
    #[cfg(feature = "parallel")]
    #[test]
    fn a_world_built_on_every_core_is_the_world_built_on_one() {
        let policy = Policy::from_yaml(SCOPES).unwrap();
        let n = 3 * SHAPE_CHUNK + 123;
        let mut lines = Vec::new();
        for i in 0..n {
            // Ids out of order in the input; names, teams and ids vary; some
            // deployments lie wholly after as_of, some start late.
            let k = (i * 7919) % n;
            let service = ["a", "b", "c"][k % 3];
            let team = ["", r#","team":"t1""#, r#","team":"t2""#][k % 5 % 3];
            let day = if k.is_multiple_of(11) { 9 } else { 1 + k % 7 };
            let id = if k.is_multiple_of(2) {
                format!(r#","id":"e{k}""#)
            } else {
                String::new()
            };
            for (event, hour) in [("merged", 10), ("started", 11 + k % 3), ("succeeded", 14)] {
                lines.push(format!(
                    r#"{{"deployment":"d{k}","event":"{event}","time":"2026-01-0{day}T{hour}:00:00Z","service":"{service}"{team}{id}}}"#
                ));
            }
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(3)
            .build()
            .unwrap();
        let as_of = crate::instant::parse("2026-01-08T00:00:00Z").unwrap();
        let built = |records: &[Record]| {
            let one = build_world_in(&policy, records, as_of, false);
            let every = pool.install(|| build_world_in(&policy, records, as_of, true));
            (one, every)
        };
        let records = crate::record::parse_records(&lines.join("\n")).unwrap();
        let (one, every) = built(&records);
        let (one, every) = (one.ok().unwrap(), every.ok().unwrap());
        assert!(!one.future_only.is_empty());
        assert_eq!(one.future_only, every.future_only);
        // Every deployment, once.
        assert_eq!(one.deployments.len() + one.future_only.len(), n);
        assert_eq!(
            format!("{:?}", one.deployments),
            format!("{:?}", every.deployments)
        );
        let sigs = |w: &World| w.deployments.iter().map(|d| d.sig).collect::<Vec<_>>();
        assert_eq!(sigs(&one), sigs(&every));
        // Two conflicts in different chunks, the later one first in the
        // input: the first in id order is reported.
        let mut ids: Vec<String> = (0..n).map(|k| format!("d{k}")).collect();
        ids.sort();
        let (early, late) = (&ids[SHAPE_CHUNK / 2], &ids[2 * SHAPE_CHUNK + 7]);
        for id in [late, early] {
            lines.push(format!(
                r#"{{"deployment":"{id}","event":"merged","time":"2026-01-01T09:00:00Z","service":"z"}}"#
            ));
        }
        let records = crate::record::parse_records(&lines.join("\n")).unwrap();
        let (one, every) = built(&records);
        let (one, every) = (one.err().unwrap(), every.err().unwrap());
        assert!(
            one.message.contains(&format!("`{early}`")),
            "{}",
            one.message
        );
        assert_eq!(one, every);
    }

    /// Judging asks an SLA's scope and target once per (environment,
    /// release type, service, tier, team): deployments numbered alike by
    /// `build_world` have those alike, and the answer kept for their number
    /// is the one asked of each deployment.
    #[test]
    fn one_answer_per_combination_is_each_deployments_answer() {
        let policy = Policy::from_yaml(SCOPES).unwrap();
        let mut lines = Vec::new();
        let mut n = 0;
        for round in 0..3 {
            for service in ["a", "b", "c"] {
                for env in [
                    "",
                    r#","environment":"production""#,
                    r#","environment":"staging""#,
                ] {
                    for rt in [
                        "",
                        r#","release_type":"hotfix""#,
                        r#","release_type":"minor""#,
                    ] {
                        for team in ["", r#","team":"t1""#] {
                            n += 1;
                            lines.push(format!(
                                r#"{{"deployment":"d{n}","event":"merged","time":"2026-01-0{}T10:00:00Z","service":"{service}"{env}{rt}{team}}}"#,
                                round + 1
                            ));
                        }
                    }
                }
            }
        }
        let records = crate::record::parse_records(&lines.join("\n")).unwrap();
        let world = build_world(&policy, &records, i64::MAX / 2).unwrap();
        assert_eq!(world.deployments.len(), n);
        let mut seen: BTreeMap<u32, &Arc<Names>> = BTreeMap::new();
        for d in &world.deployments {
            assert_ne!(d.sig, NO_SIG);
            // One number, one shared Names, and they are its events' attributes.
            let first = seen.entry(d.sig).or_insert(&d.names);
            assert!(Arc::ptr_eq(first, &d.names), "{}", d.id);
            let e = records
                .iter()
                .find_map(|r| match r {
                    Record::Event(e) if e.deployment == d.id => Some(e),
                    _ => None,
                })
                .unwrap();
            assert_eq!(
                (d.service(), d.environment(), d.release_type(), d.team()),
                (e.service(), e.environment(), e.release_type(), e.team()),
                "{}",
                d.id
            );
        }
        let distinct: BTreeSet<String> = seen.values().map(|n| format!("{n:?}")).collect();
        assert_eq!(
            distinct.len(),
            seen.len(),
            "numbers name distinct combinations"
        );
        assert_eq!(seen.len(), n / 3, "each combination is numbered once");
        let mut admitted = 0;
        for sla in &policy.slas {
            let scope = Scope::of(&sla.scope);
            let targets = targets_by_sig(&scope, sla, &world.deployments);
            for d in &world.deployments {
                let asked = target_if_in_scope(&scope, sla, d);
                assert_eq!(targets[d.sig as usize], Some(asked), "{} {}", sla.id, d.id);
                admitted += usize::from(asked.is_some());
            }
        }
        assert!(admitted > 0 && admitted < 3 * n, "{admitted}");
    }
}
