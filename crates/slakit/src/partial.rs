//! Partial evaluation: evaluate subsets of the records anywhere (threads,
//! Dask or Spark workers), merge the partials, finish into the report.
//!
//! `evaluate(policy, records, as_of)` is exactly
//! `finish(evaluate_partial(policy, records, as_of))`: one code path. A
//! [`Partial`] holds what phase 1 found — each deployment's verdict under each
//! SLA (clocks already run, precedence applied), never its events — plus the
//! figures the report's `inputs` need. [`Partial::merge`] is associative and
//! commutative, and [`Partial::finish`] aggregates verdicts into rows,
//! charges outages to changes (change_failure_rate), judges incidents
//! (time_to_restore), fills quiet windows and builds findings, so the report
//! is byte-identical to the one `evaluate` gives on all the records.
//!
//! Partition rules (see `docs/scale-out.md`):
//! - every lifecycle event of one deployment goes to the same partial
//!   (partition by deployment id, or by service);
//! - interval records (outages, incidents, exclusions, exceptions) go to every
//!   partial that may need them — all of them, or those of their service.
//!   Merging counts an identical interval record once per copy in the partial
//!   that holds the most copies, so broadcasting never double counts.
//!
//! ```
//! # use slakit::{Policy, parse_records, partial::{evaluate_partial, Partial}};
//! let policy = Policy::from_yaml(r#"
//! slakit: 1
//! name: demo
//! slas:
//!   - id: lead-time
//!     clock: {start: merged, stop: succeeded}
//!     window: month
//!     targets: {default: {max: 4h, objective: 90%}}
//! "#).unwrap();
//! let records = parse_records(r#"
//! {"deployment":"d1","event":"merged","time":"2026-03-02T10:00:00Z","service":"checkout"}
//! {"deployment":"d1","event":"succeeded","time":"2026-03-02T12:00:00Z"}
//! {"deployment":"d2","event":"merged","time":"2026-03-03T10:00:00Z","service":"search"}
//! {"deployment":"d2","event":"succeeded","time":"2026-03-03T19:00:00Z"}
//! "#).unwrap();
//! let as_of = slakit::instant::parse("2026-03-31T00:00:00Z").unwrap();
//! let (left, right) = records.split_at(2);
//! let a = evaluate_partial(&policy, left, as_of).unwrap();
//! let b = evaluate_partial(&policy, right, as_of).unwrap();
//! // Partials travel as bytes between processes.
//! let b = Partial::from_bytes(&b.to_bytes().unwrap()).unwrap();
//! let report = a.merge(b).unwrap().finish(&policy).unwrap();
//! assert_eq!(report, policy.evaluate(&records, as_of).unwrap());
//! ```

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorCode, Result};
use crate::evaluate::{
    ALL_TIME, Names, Parts, Shared, SlaPart, Subject, Totals, build_world, check_as_of,
    finish_report, join2, judge_world,
};
use crate::evaluation::Evaluation;
use crate::policy::Policy;
use crate::record::{Origin, Record, record_from_value};
use crate::report::{Inputs, Report};

/// The version of the byte format of [`Partial::to_bytes`]. Bytes of another
/// version are refused with `E310`.
pub const FORMAT_VERSION: u16 = 4;

const MAGIC: &[u8; 4] = b"SLKP";
const HEAD: usize = 4 + 2 + 8;
const CHECKSUM: usize = 32;

/// What makes two partials mergeable: the same engine, policy, as_of and
/// digest setting.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct Header {
    engine: String,
    policy_digest: String,
    as_of: i64,
    /// Whether event lines are kept for the inputs digest.
    digest: bool,
}

/// One record's line in the inputs digest, with its §1.5 sort key encoded so
/// that byte order is key order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
struct Line {
    key: Vec<u8>,
    text: String,
}

impl Line {
    fn of(r: &Record) -> Line {
        Line {
            key: sort_key_bytes(r),
            text: r.canonical_json(),
        }
    }
}

/// The §1.5 key (time, event name, record id, deployment id) as bytes whose
/// lexicographic order is the tuple's order: the time big-endian with the
/// sign bit flipped, each string with NUL escaped as `00 FF` and ended by `00 01`.
fn sort_key_bytes(r: &Record) -> Vec<u8> {
    let (t, a, b, c) = r.sort_key();
    let mut k = Vec::with_capacity(8 + a.len() + b.len() + c.len() + 6);
    k.extend_from_slice(&((t as u64) ^ (1 << 63)).to_be_bytes());
    for s in [a, b, c] {
        for &byte in s.as_bytes() {
            k.push(byte);
            if byte == 0 {
                k.push(0xff);
            }
        }
        k.extend_from_slice(&[0, 1]);
    }
    k
}

/// The result of evaluating a subset of the records: mergeable, serializable,
/// and finished into the report with [`Partial::finish`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Partial {
    header: Header,
    /// How many `evaluate_partial` results were merged into this one.
    parts: u64,
    /// Event records read, and those after as_of.
    events: u64,
    events_future: u64,
    /// Canonical event lines, sorted (empty without digest).
    event_lines: Vec<Line>,
    /// Canonical interval records, with their count.
    intervals: BTreeMap<String, u64>,
    unknown_fields: BTreeSet<String>,
    /// Deployments with an event at or before as_of, by (anchor, id).
    subjects: Vec<Subject>,
    /// Deployments whose every event lies after as_of, by id.
    future_only: Vec<String>,
    /// Per SLA of the policy, in order.
    slas: Vec<SlaPart>,
    /// Per service of the judged deployments: the interval records naming it
    /// (or every service) that the partition saw, as sorted line hashes.
    coverage: BTreeMap<String, Vec<u64>>,
    /// Per judged deployment listed by an exception record: the hashes of
    /// the exception records listing it that its partition saw.
    listed: BTreeMap<String, Vec<u64>>,
    /// The DORA facts of the deployments in the DORA scope, by (anchor, id).
    dora: Vec<crate::dora::Fact>,
    /// A versioned policy (§9b): the same records judged under each later
    /// version in force by as_of, in version order (this partial itself is
    /// the base policy's). Empty for an unversioned policy.
    versions: Vec<Partial>,
}

impl Partial {
    /// One [`Names`] per combination again, as evaluation built them: read
    /// from bytes, every subject and fact holds its own copy.
    fn share_names(&mut self, seen: &mut Shared<Names>) {
        let subjects = self.subjects.iter_mut().map(|s| &mut s.names);
        for names in subjects.chain(self.dora.iter_mut().map(|f| &mut f.names)) {
            seen.share(names);
        }
        for v in &mut self.versions {
            v.share_names(seen);
        }
    }
}

/// A stable 64-bit hash of a canonical line (the first 8 bytes of its SHA-256).
fn line_hash(line: &str) -> u64 {
    let d = Sha256::digest(line.as_bytes());
    let mut b = [0u8; 8];
    b.copy_from_slice(d.get(..8).unwrap_or(&[0; 8]));
    u64::from_be_bytes(b)
}

/// Does phase 1 read this interval record for the deployments of `service`?
/// Outages of the service (availability), exclusions naming it or no
/// service, exceptions by service or organisation-wide (those listing
/// deployments are checked per deployment).
fn concerns(r: &Record, service: &str) -> bool {
    let names =
        |list: &Option<Vec<String>>| list.as_ref().is_none_or(|l| l.iter().any(|s| s == service));
    match r {
        Record::Outage(o) => o.service == service,
        Record::Exclusion(x) => names(&x.services),
        Record::Exception(x) => x.deployments.is_none() && names(&x.services),
        Record::Event(_) | Record::Incident(_) => false,
    }
}

/// The coverage and listing of one partition (see [`Partial`]).
fn coverage_of(
    intervals: &[(&Record, u64)],
    subjects: &[Subject],
) -> (BTreeMap<String, Vec<u64>>, BTreeMap<String, Vec<u64>>) {
    let services: BTreeSet<&str> = subjects
        .iter()
        .filter_map(|s| s.names.service.as_deref())
        .collect();
    let mut coverage = BTreeMap::new();
    for service in services {
        let mut seen: Vec<u64> = intervals
            .iter()
            .filter(|(r, _)| concerns(r, service))
            .map(|(_, h)| *h)
            .collect();
        seen.sort_unstable();
        seen.dedup();
        coverage.insert(service.to_string(), seen);
    }
    let mut wanted: BTreeMap<&str, Vec<u64>> = BTreeMap::new();
    for (r, h) in intervals {
        if let Record::Exception(x) = r {
            for d in x.deployments.iter().flatten() {
                wanted.entry(d.as_str()).or_default().push(*h);
            }
        }
    }
    let mut listed = BTreeMap::new();
    if !wanted.is_empty() {
        for s in subjects {
            if let Some(hs) = wanted.get(s.id.as_str()) {
                let mut hs = hs.clone();
                hs.sort_unstable();
                hs.dedup();
                listed.insert(s.id.to_string(), hs);
            }
        }
    }
    (coverage, listed)
}

fn uncovered(service_or_deployment: &str, line: Option<&String>) -> Error {
    Error::new(
        ErrorCode::PartitionMissesRecords,
        format!(
            "a partition with {service_or_deployment} did not receive the interval record {}: give every partition the outages, exclusions and exceptions that name its services or deployments (or all of them)",
            line.map_or_else(
                || "held by another partition".to_string(),
                |l| format!("`{l}`")
            )
        ),
    )
}

/// Evaluate a subset of the records (every event of each of its deployments,
/// and the interval records its deployments may need) at `as_of`.
pub fn evaluate_partial(policy: &Policy, records: &[Record], as_of: i64) -> Result<Partial> {
    crate::limits::check_spans(policy, records, as_of)?;
    partial_of(policy, records, as_of, true, false)
}

/// Phase 1 over any collection of records. `digest: false` keeps no event
/// lines and finishes with an empty inputs digest. `parallel`: judge the
/// SLAs on the current rayon pool (the result is the same).
pub(crate) fn partial_of<'a, I>(
    policy: &'a Policy,
    records: I,
    as_of: i64,
    digest: bool,
    parallel: bool,
) -> Result<Partial>
where
    I: IntoIterator<Item = &'a Record> + Clone,
    I::IntoIter: Clone,
{
    check_as_of(as_of)?;
    let world = build_world(policy, records.clone(), as_of)?;
    let eras = policy.eras();
    let era = |i: usize| eras.get(i).map_or(ALL_TIME, |e| (e.from, e.to));
    let mut p = partial_of_world(policy, records.clone(), &world, digest, era(0), parallel);
    // Each later version in force by as_of judges the same records under its
    // own rules; the finish keeps each version's windows (crate::versions).
    for (i, v) in policy.versions.iter().enumerate() {
        if v.effective_from > as_of {
            break;
        }
        let world = build_world(&v.policy, records.clone(), as_of)?;
        // The inputs figures are the base partial's: no event lines here.
        p.versions.push(partial_of_world(
            &v.policy,
            records.clone(),
            &world,
            false,
            era(i + 1),
            parallel,
        ));
    }
    Ok(p)
}

/// Phase 1 over an already-built world of `records`.
pub(crate) fn partial_of_world<'a>(
    policy: &Policy,
    records: impl IntoIterator<Item = &'a Record>,
    world: &crate::evaluate::World,
    digest: bool,
    era: (i64, i64),
    parallel: bool,
) -> Partial {
    let as_of = world.as_of;
    let (mut events, mut events_future) = (0u64, 0u64);
    let mut event_lines = Vec::new();
    let mut intervals: BTreeMap<String, u64> = BTreeMap::new();
    let mut hashed: Vec<(&Record, u64)> = Vec::new();
    for r in records {
        if let Record::Event(e) = r {
            events += 1;
            if e.time > as_of {
                events_future += 1;
            }
            if digest {
                event_lines.push(Line::of(r));
            }
        } else {
            let line = r.canonical_json();
            hashed.push((r, line_hash(&line)));
            *intervals.entry(line).or_default() += 1;
        }
    }
    event_lines.sort_unstable();
    let (subjects, slas) = judge_world(policy, world, era, parallel);
    let (coverage, listed) = coverage_of(&hashed, &subjects);
    let mut future_only: Vec<String> = world.future_only.iter().map(|s| s.to_string()).collect();
    future_only.sort_unstable();
    Partial {
        header: Header {
            engine: crate::VERSION.to_string(),
            policy_digest: policy.digest.clone(),
            as_of,
            digest,
        },
        parts: 1,
        events,
        events_future,
        event_lines,
        intervals,
        unknown_fields: world.unknown_fields.clone(),
        subjects,
        future_only,
        slas,
        coverage,
        listed,
        dora: crate::dora::facts(policy, world),
        versions: Vec::new(),
    }
}

fn invalid(message: impl Into<String>) -> Error {
    Error::new(ErrorCode::InvalidPartial, message)
}

impl Partial {
    /// The evaluation instant (UTC ms) the partial was computed at.
    pub fn as_of(&self) -> i64 {
        self.header.as_of
    }

    /// The `sha256:` digest of the policy it was computed under.
    pub fn policy_digest(&self) -> &str {
        &self.header.policy_digest
    }

    /// Deployments judged (with an event at or before as_of).
    pub fn deployments(&self) -> usize {
        self.subjects.len()
    }

    /// Records read (events, plus interval records counted as in the merged report).
    pub fn records(&self) -> u64 {
        self.events + self.intervals.values().sum::<u64>()
    }

    /// Combine two partials of disjoint deployments (`E311` when they were
    /// computed under different policies, as_of or engine versions). The
    /// result does not depend on the order or grouping of merges.
    pub fn merge(self, other: Partial) -> Result<Partial> {
        if self.header != other.header {
            let (a, b) = (&self.header, &other.header);
            let what = if a.policy_digest != b.policy_digest {
                format!("policies `{}` and `{}`", a.policy_digest, b.policy_digest)
            } else if a.as_of != b.as_of {
                format!(
                    "as_of {} and {}",
                    crate::instant::format(a.as_of),
                    crate::instant::format(b.as_of)
                )
            } else if a.engine != b.engine {
                format!("slakit {} and {}", a.engine, b.engine)
            } else {
                "with and without the inputs digest".to_string()
            };
            return Err(Error::new(
                ErrorCode::IncompatiblePartials,
                format!(
                    "cannot merge partials computed under {what}; evaluate every partition with the same policy and as_of"
                ),
            ));
        }
        let Partial {
            header,
            parts,
            events,
            events_future,
            mut event_lines,
            mut intervals,
            mut unknown_fields,
            subjects,
            mut future_only,
            slas,
            mut coverage,
            mut listed,
            mut dora,
            versions,
        } = self;
        if versions.len() != other.versions.len() {
            return Err(Error::new(
                ErrorCode::IncompatiblePartials,
                format!(
                    "cannot merge partials that judged {} and {} policy versions; evaluate every partition with the same policy and as_of",
                    versions.len() + 1,
                    other.versions.len() + 1
                ),
            ));
        }
        let versions = versions
            .into_iter()
            .zip(other.versions)
            .map(|(a, b)| a.merge(b))
            .collect::<Result<Vec<_>>>()?;
        for (service, seen) in other.coverage {
            match coverage.get(&service) {
                Some(mine) if *mine != seen => {
                    // Name a record one side has and the other lacks.
                    let missing = mine
                        .iter()
                        .chain(&seen)
                        .find(|h| !(mine.contains(h) && seen.contains(h)))
                        .and_then(|h| {
                            intervals
                                .keys()
                                .chain(other.intervals.keys())
                                .find(|l| line_hash(l) == *h)
                        });
                    return Err(uncovered(
                        &format!("deployments of service `{service}`"),
                        missing,
                    ));
                }
                Some(_) => {}
                None => {
                    coverage.insert(service, seen);
                }
            }
        }
        listed.extend(other.listed);
        event_lines.extend(other.event_lines);
        event_lines.sort(); // two sorted runs: a linear merge
        for (line, n) in other.intervals {
            let m = intervals.entry(line).or_default();
            *m = (*m).max(n);
        }
        unknown_fields.extend(other.unknown_fields);
        future_only.extend(other.future_only);
        future_only.sort();
        dora.extend(other.dora);
        dora.sort_by(|a, b| (a.anchor, &a.id).cmp(&(b.anchor, &b.id)));

        // Subjects in (anchor, id) order; verdicts renumbered to match.
        let offset = subjects.len();
        let mut tagged: Vec<(Subject, usize)> = subjects
            .into_iter()
            .chain(other.subjects)
            .enumerate()
            .map(|(i, s)| (s, i))
            .collect();
        tagged.sort_by(|a, b| (a.0.anchor, &a.0.id).cmp(&(b.0.anchor, &b.0.id)));
        let mut new_of_old = vec![u32::MAX; tagged.len()];
        for (new, (_, old)) in tagged.iter().enumerate() {
            if let (Some(slot), Ok(new)) = (new_of_old.get_mut(*old), u32::try_from(new)) {
                *slot = new;
            }
        }
        let renumber = |old: usize| new_of_old.get(old).copied().unwrap_or(u32::MAX);
        let mut merged_slas = Vec::with_capacity(slas.len());
        for (mut a, b) in slas.into_iter().zip(other.slas) {
            for v in &mut a.verdicts {
                v.subject = renumber(v.subject as usize);
            }
            a.verdicts.extend(b.verdicts.into_iter().map(|mut v| {
                v.subject = renumber(offset + v.subject as usize);
                v
            }));
            a.verdicts.sort_by_key(|v| v.subject);
            a.seen.extend(b.seen);
            merged_slas.push(a);
        }
        Ok(Partial {
            header,
            parts: parts + other.parts,
            events: events + other.events,
            events_future: events_future + other.events_future,
            event_lines,
            intervals,
            unknown_fields,
            subjects: tagged.into_iter().map(|(s, _)| s).collect(),
            future_only,
            slas: merged_slas,
            coverage,
            listed,
            dora,
            versions,
        })
    }

    /// The report. `policy` must be the policy the partials were computed
    /// under (the same digest; else `E311`).
    pub fn finish(self, policy: &Policy) -> Result<Report> {
        finish_with(policy, self, false).map(Evaluation::into_report)
    }

    /// The compact, versioned byte form: `SLKP`, the format version (u16 LE),
    /// the payload length (u64 LE), the payload, and its SHA-256.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let payload = postcard::to_allocvec(self).map_err(|e| {
            Error::new(ErrorCode::Internal, format!("cannot encode a partial: {e}"))
        })?;
        let mut out = Vec::with_capacity(HEAD + payload.len() + CHECKSUM);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&payload);
        out.extend_from_slice(&Sha256::digest(&payload));
        Ok(out)
    }

    /// Read bytes written by [`Partial::to_bytes`]: `E310` when they are of
    /// another format or engine version, truncated, or corrupt.
    pub fn from_bytes(bytes: &[u8]) -> Result<Partial> {
        let (Some(magic), Some(version), Some(len)) =
            (bytes.get(0..4), bytes.get(4..6), bytes.get(6..HEAD))
        else {
            return Err(invalid(format!(
                "a partial is at least {} bytes; these are {} (truncated?)",
                HEAD + CHECKSUM,
                bytes.len()
            )));
        };
        if magic != MAGIC {
            return Err(invalid(
                "these bytes are not a slakit partial (they do not start with `SLKP`)",
            ));
        }
        let version = u16::from_le_bytes([
            version.first().copied().unwrap_or(0),
            version.get(1).copied().unwrap_or(0),
        ]);
        if version != FORMAT_VERSION {
            return Err(invalid(format!(
                "partial format version {version}; slakit {} reads version {FORMAT_VERSION}: evaluate the partition again with this version",
                crate::VERSION
            )));
        }
        let mut len8 = [0u8; 8];
        len8.copy_from_slice(len);
        let len = u64::from_le_bytes(len8);
        let expected = usize::try_from(len)
            .ok()
            .and_then(|l| l.checked_add(HEAD + CHECKSUM));
        if expected != Some(bytes.len()) {
            return Err(invalid(format!(
                "the partial is {} bytes but its header announces {} bytes of payload (truncated or padded)",
                bytes.len(),
                len
            )));
        }
        let payload = bytes.get(HEAD..bytes.len() - CHECKSUM).unwrap_or_default();
        let sum = bytes.get(bytes.len() - CHECKSUM..).unwrap_or_default();
        if Sha256::digest(payload).as_slice() != sum {
            return Err(invalid(
                "the partial is corrupt: its checksum does not match",
            ));
        }
        let mut p: Partial = postcard::from_bytes(payload)
            .map_err(|e| invalid(format!("the partial is corrupt: {e}")))?;
        p.share_names(&mut Shared::default());
        if p.header.engine != crate::VERSION {
            return Err(invalid(format!(
                "the partial was computed by slakit {}; this is slakit {}: evaluate the partition again with this version",
                p.header.engine,
                crate::VERSION
            )));
        }
        Ok(p)
    }
}

/// Phase 2 under an already-compiled policy.
/// `parallel`: finish the SLAs, and hash the inputs digest, on the current
/// rayon pool (the result is the same).
pub(crate) fn finish_with(policy: &Policy, mut p: Partial, parallel: bool) -> Result<Evaluation> {
    if policy.versions.is_empty() && p.versions.is_empty() {
        return finish_one(policy, p, parallel);
    }
    let as_of = p.header.as_of;
    let eras: Vec<_> = policy
        .eras()
        .into_iter()
        .filter(|e| e.from <= as_of)
        .collect();
    if p.header.policy_digest != policy.digest || p.versions.len() + 1 != eras.len() {
        return Err(Error::new(
            ErrorCode::IncompatiblePartials,
            format!(
                "the partial was computed under policy `{}` ({} versions in force), not `{}` ({} in force)",
                p.header.policy_digest,
                p.versions.len() + 1,
                policy.digest,
                eras.len()
            ),
        ));
    }
    let nested = std::mem::take(&mut p.versions);
    let mut reports = Vec::with_capacity(eras.len());
    let mut parts = std::iter::once(p).chain(nested);
    for era in eras {
        let Some(part) = parts.next() else { break };
        reports.push((era, finish_one(era.policy, part, parallel)?.into_report()));
    }
    Ok(Evaluation::of_report(crate::versions::compose(
        policy, as_of, reports,
    )))
}

/// Phase 2 of one policy (unversioned, or one version of a versioned one).
fn finish_one(policy: &Policy, mut p: Partial, parallel: bool) -> Result<Evaluation> {
    if p.header.policy_digest != policy.digest || p.slas.len() != policy.slas.len() {
        return Err(Error::new(
            ErrorCode::IncompatiblePartials,
            format!(
                "the partial was computed under policy `{}`, not `{}`",
                p.header.policy_digest, policy.digest
            ),
        ));
    }
    let as_of = p.header.as_of;
    check_as_of(as_of)?;
    if p.parts > 1 {
        let mut ids: Vec<&str> = p
            .subjects
            .iter()
            .map(|s| s.id.as_str())
            .chain(p.future_only.iter().map(String::as_str))
            .collect();
        ids.sort_unstable();
        if let Some(w) = ids.windows(2).find(|w| w.first() == w.get(1)) {
            return Err(Error::new(
                ErrorCode::OverlappingPartials,
                format!(
                    "deployment `{}` is in two of the merged partials; give every record of one deployment to the same partition, and merge each partition once",
                    w.first().copied().unwrap_or_default()
                ),
            ));
        }
    }
    // The interval records of every partition, each counted once per copy.
    let mut records = Vec::new();
    let mut interval_lines = Vec::new();
    for (i, (line, n)) in p.intervals.iter().enumerate() {
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| invalid(format!("the partial holds an unreadable record: {e}")))?;
        let r = record_from_value(
            value,
            Origin {
                index: i,
                line: None,
            },
        )?;
        for _ in 0..*n {
            if p.header.digest {
                interval_lines.push(Line::of(&r));
            }
            records.push(r.clone());
        }
    }
    interval_lines.sort_unstable();
    check_coverage(&p, &records)?;
    let world = build_world(policy, &records, as_of)?;
    let intervals_future = records
        .iter()
        .filter(|r| r.instant().is_some_and(|t| t > as_of))
        .count() as u64;
    let digest = || {
        if p.header.digest {
            digest_of(&p.event_lines, &interval_lines)
        } else {
            String::new()
        }
    };
    let totals = Totals {
        inputs: Inputs {
            records: p.events + records.len() as u64,
            deployments: p.subjects.len() as u64,
            ignored_future: p.events_future + intervals_future,
            digest: String::new(),
        },
        unknown_fields: std::mem::take(&mut p.unknown_fields),
    };
    let parts = Parts::Judged {
        slas: std::mem::take(&mut p.slas),
        dora: std::mem::take(&mut p.dora),
    };
    let (world, subjects) = (&world, &p.subjects);
    let finish = move |totals| finish_report(policy, world, subjects, parts, totals, parallel);
    let (digest, (mut report, pending)) = join2(parallel, digest, || finish(totals));
    report.inputs.digest = digest;
    Ok(Evaluation::new(
        report,
        std::mem::take(&mut p.subjects),
        pending,
    ))
}

/// Every partition saw the interval records its deployments need (`E313`).
fn check_coverage(p: &Partial, records: &[Record]) -> Result<()> {
    let lines: Vec<(&Record, u64, &String)> = records
        .iter()
        .zip(
            p.intervals
                .iter()
                .flat_map(|(l, n)| std::iter::repeat_n(l, *n as usize)),
        )
        .map(|(r, l)| (r, line_hash(l), l))
        .collect();
    for (service, seen) in &p.coverage {
        for (r, h, l) in &lines {
            if concerns(r, service) && seen.binary_search(h).is_err() {
                return Err(uncovered(
                    &format!("deployments of service `{service}`"),
                    Some(l),
                ));
            }
        }
    }
    let ids: BTreeSet<&str> = p.subjects.iter().map(|s| s.id.as_str()).collect();
    for (r, h, l) in &lines {
        if let Record::Exception(x) = r {
            for d in x
                .deployments
                .iter()
                .flatten()
                .filter(|d| ids.contains(d.as_str()))
            {
                if p.listed
                    .get(d)
                    .is_none_or(|hs| hs.binary_search(h).is_err())
                {
                    return Err(uncovered(&format!("deployment `{d}`"), Some(l)));
                }
            }
        }
    }
    Ok(())
}

/// SHA-256 over two sorted line lists merged: the inputs digest (§10).
fn digest_of(a: &[Line], b: &[Line]) -> String {
    let mut h = Sha256::new();
    let (mut a, mut b) = (a.iter().peekable(), b.iter().peekable());
    loop {
        let next = match (a.peek(), b.peek()) {
            (Some(x), Some(y)) if y < x => b.next(),
            (Some(_), _) => a.next(),
            (None, _) => b.next(),
        };
        let Some(line) = next else { break };
        h.update(line.text.as_bytes());
        h.update(b"\n");
    }
    crate::report::hex_digest(h)
}

/// Evaluate on the current rayon pool: one world built from the records,
/// then each SLA judged and finished as its own task, and the inputs digest
/// hashed beside them. The report is byte-identical to
/// [`crate::evaluate::evaluate`]'s at any thread count (every SLA's rows and
/// entries are put back in policy order); an input error is the one
/// `evaluate` reports. To spread one evaluation over several machines, use
/// partials ([`evaluate_partial`], [`Partial::merge`], [`Partial::finish`]).
#[cfg(feature = "parallel")]
pub fn evaluate_parallel(policy: &Policy, records: &[Record], as_of: i64) -> Result<Report> {
    evaluate_deferred(policy, records, as_of).map(Evaluation::into_report)
}

/// The report of [`crate::evaluate::evaluate`] on the current rayon pool,
/// the deployments section left unformatted until it is written
/// ([`Evaluation::write_json`]) or materialised
/// ([`Evaluation::into_report`]): the same bytes, a fraction of the memory
/// on a large workload. On one thread without the `parallel` feature.
pub fn evaluate_deferred(policy: &Policy, records: &[Record], as_of: i64) -> Result<Evaluation> {
    let parallel = on_a_pool();
    crate::evaluate::evaluate_with(policy, records, as_of, parallel)
}

/// [`evaluate_deferred`], the records handed over and freed once read.
pub fn evaluate_owned(policy: &Policy, records: Vec<Record>, as_of: i64) -> Result<Evaluation> {
    let parallel = on_a_pool();
    crate::evaluate::evaluate_owned(policy, records, as_of, parallel)
}

/// [`evaluate_owned`] up to the judging, which [`crate::Streamed::write_json`]
/// does while it writes the report.
pub fn evaluate_streamed(
    policy: &Policy,
    records: Vec<Record>,
    as_of: i64,
) -> Result<crate::evaluation::Streamed<'_>> {
    let parallel = on_a_pool();
    crate::evaluate::read_owned(policy, records, as_of, parallel)
}

/// Whether an evaluation spreads over a pool: the current rayon pool's,
/// when it has more than one thread. Never without the `parallel` feature.
fn on_a_pool() -> bool {
    #[cfg(feature = "parallel")]
    return rayon::current_num_threads() > 1;
    #[cfg(not(feature = "parallel"))]
    false
}

/// Serde adapters for report types whose JSON form skips absent fields (which
/// a compact, non-self-describing format cannot read back).
pub(crate) mod wire {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use crate::report::{Evidence, Text};

    // Text encodes as a string: the same bytes as before it was inline.
    type Ev = (Text, Option<Text>, Option<Text>, Option<Text>, Text);

    fn to_wire(e: &Evidence) -> Ev {
        (
            e.kind.clone(),
            e.id.clone(),
            e.event.clone(),
            e.time.clone(),
            e.role.clone(),
        )
    }

    fn from_wire((kind, id, event, time, role): Ev) -> Evidence {
        Evidence {
            kind,
            id,
            event,
            time,
            role,
        }
    }

    pub(crate) mod evidence_list {
        use super::*;

        pub(crate) fn serialize<S: Serializer>(v: &[Evidence], s: S) -> Result<S::Ok, S::Error> {
            v.iter().map(to_wire).collect::<Vec<_>>().serialize(s)
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Vec<Evidence>, D::Error> {
            Ok(Vec::<Ev>::deserialize(d)?
                .into_iter()
                .map(from_wire)
                .collect())
        }
    }

    pub(crate) mod succeeded {
        use super::*;

        use crate::evaluate::Succeeded;

        // Written as its instant and evidence, as when subjects held those.
        pub(crate) fn serialize<S: Serializer>(
            v: &Option<Succeeded>,
            s: S,
        ) -> Result<S::Ok, S::Error> {
            v.as_ref()
                .map(|x| (x.time, to_wire(&x.evidence())))
                .serialize(s)
        }

        pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> Result<Option<Succeeded>, D::Error> {
            Ok(
                Option::<(i64, Ev)>::deserialize(d)?.map(|(time, (_, id, event, _, _))| {
                    Succeeded::new(time, event.as_deref().unwrap_or_default(), id.as_deref())
                }),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::expect_used)]
    use super::*;
    use std::sync::Arc;

    /// Read back from bytes, a partial equals what was written, and its
    /// subjects and facts share one `Names` per combination again.
    #[test]
    fn names_are_shared_again_after_reading_bytes() {
        let policy = Policy::from_yaml(include_str!("../../../examples/policy-versions.yaml"))
            .expect("policy");
        let records =
            crate::parse_records(include_str!("../../../examples/records.jsonl")).expect("records");
        let as_of = crate::evaluate::latest_event_time(&records).expect("events");
        let p = evaluate_partial(&policy, &records, as_of).expect("partial");
        let back = Partial::from_bytes(&p.to_bytes().expect("bytes")).expect("read");
        assert_eq!(back, p);
        assert!(
            !back.versions.is_empty(),
            "the versioned policy has later versions"
        );
        for q in std::iter::once(&back).chain(&back.versions) {
            let all = q
                .subjects
                .iter()
                .map(|s| &s.names)
                .chain(q.dora.iter().map(|f| &f.names));
            let mut by_value: BTreeMap<String, &Arc<Names>> = BTreeMap::new();
            let mut n = 0;
            for names in all {
                n += 1;
                let first = by_value.entry(format!("{names:?}")).or_insert(names);
                assert!(Arc::ptr_eq(first, names), "{names:?} is held twice");
            }
            assert!(
                n > by_value.len(),
                "{n} subjects and facts, {} names",
                by_value.len()
            );
        }
    }
}
