//! The report (SPEC §10): serde types that are the JSON contract.
//!
//! Every collection is sorted or built in a fixed order, so the same inputs
//! give byte-identical JSON. A JSON Schema generated from these types is
//! committed as `docs/report.schema.json`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The evaluation report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// The engine that produced it.
    pub engine: Engine,
    /// The evaluation instant (RFC 3339 UTC).
    pub as_of: String,
    /// The policy evaluated.
    pub policy: PolicyInfo,
    /// What the inputs were.
    pub inputs: Inputs,
    /// One entry per deployment and in-scope SLA, by SLA, anchor, deployment
    /// id. Before `results`, so that a report can be written while its SLAs
    /// are judged ([`crate::Streamed`]).
    pub deployments: Vec<DeploymentEntry>,
    /// One row per (SLA, window, segment), sorted (§5.4).
    pub results: Vec<ResultRow>,
    /// One row per vendor and month (§9), by vendor order in the policy, then month.
    pub vendors: Vec<VendorRow>,
    /// The DORA summary: delivery metrics per window and segment (`docs/dora.md`).
    #[serde(default)]
    pub dora: crate::dora::Dora,
    /// Governance findings (§8).
    pub findings: Vec<Finding>,
    /// Exclusions and exceptions in force at as_of.
    pub in_force: InForce,
    /// Non-fatal remarks about the inputs.
    pub warnings: Vec<Warning>,
}

/// `engine`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Engine {
    /// Always `slakit`.
    pub name: String,
    /// The crate version.
    pub version: String,
}

/// `policy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct PolicyInfo {
    /// The policy's `name`.
    pub name: String,
    /// `sha256:` over the canonical policy document.
    pub digest: String,
    /// A versioned policy (§9b): the `effective_from` of the version in
    /// force at as_of; absent when the base policy (the file's top-level
    /// sections) is in force, or the policy has no versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

/// `inputs`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Inputs {
    /// Records read.
    pub records: u64,
    /// Deployments with at least one event at or before as_of.
    pub deployments: u64,
    /// Records ignored because they lie after as_of.
    pub ignored_future: u64,
    /// `sha256:` over the canonical records (see `docs/report.md`).
    pub digest: String,
}

/// A window of a result row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WindowInfo {
    /// Start (inclusive).
    pub start: String,
    /// End (exclusive; for a rolling window, as_of, inclusive).
    pub end: String,
    /// `open` (contains as_of) or `closed`.
    pub state: String,
    /// `day`, `week`, `month`, `quarter`, `year` or `rolling`.
    pub unit: String,
    /// A human name in the SLA's zone: `2026-03-02`, `week of 2026-03-02`,
    /// `2026-03`, `2026-Q1`, `2026`, `rolling 28d`.
    pub label: String,
}

/// The target a row was judged against; ratios as numbers in [0, 1].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
pub struct TargetInfo {
    /// Duration SLAs: the longest allowed elapsed time.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_ms: Option<i64>,
    /// Duration SLAs: the share that must meet `max_ms`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub objective: Option<f64>,
    /// success_rate: lowest rate; deployment_frequency: lowest count.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min: Option<f64>,
    /// change_failure_rate: highest rate.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max: Option<f64>,
    /// deployment_frequency: lowest count per day.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_per_day: Option<f64>,
    /// deployment_frequency with `min_per_day`: the count this window needs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub required: Option<f64>,
}

/// `error_budget` of a duration row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ErrorBudget {
    /// Breaches the objective allows.
    pub allowed: i64,
    /// Allowed minus breached (negative when overspent).
    pub remaining: i64,
}

/// A record that decided a verdict: by its `id` when given, else by kind,
/// event name and time — never by input position.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct Evidence {
    /// The record kind (`event`, `incident`, `outage`, `exclusion`, `exception`).
    #[schemars(with = "String")]
    pub kind: Text,
    /// The record id, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub id: Option<Text>,
    /// The lifecycle event name, for events.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub event: Option<Text>,
    /// The record's instant.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub time: Option<Text>,
    /// What the record did (`start`, `stop`, `pause`, `failed`, ...).
    #[schemars(with = "String")]
    pub role: Text,
}

/// One breach in a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Breach {
    /// Stable id: `<sla>/<deployment>`.
    pub id: String,
    /// The deployment.
    #[schemars(with = "String")]
    pub deployment: Text,
    /// Its service.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub service: Option<Text>,
    /// Business elapsed time (clocks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<i64>,
    /// The target it exceeded (clocks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_ms: Option<i64>,
    /// How far over the target (clocks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub over_ms: Option<i64>,
    /// Why, in words.
    pub reason: String,
    /// The records that decided it.
    pub records: Vec<Evidence>,
    /// Vendor-attributed outage time inside the breached clock (§9), by vendor.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vendor_overlap: Vec<VendorOverlap>,
}

/// Vendor outage time that overlapped a breach.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct VendorOverlap {
    /// The vendor id.
    pub vendor: String,
    /// Wall-clock milliseconds of its outages inside the breached clock.
    pub ms: i64,
}

/// A vendor's month (§9).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct VendorWindow {
    /// Month start (inclusive), policy zone.
    pub start: String,
    /// Month end (exclusive).
    pub end: String,
    /// `open` (contains as_of: the figures can only get worse) or `closed`.
    pub state: String,
    /// `2026-03`.
    pub label: String,
}

/// One row of the `vendors` section: a vendor in one month.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct VendorRow {
    /// The vendor id.
    pub vendor: String,
    /// The month.
    pub window: VendorWindow,
    /// Vendor-attributed outage time in the month (union, minus pauses, up to as_of).
    pub down_ms: i64,
    /// 1 − down / month length, rounded down to 1 ppm.
    pub availability: f64,
    /// The promised availability.
    pub promised: f64,
    /// Whether availability ≥ promised.
    pub met: bool,
    /// The credit owed, as a share of the monthly fee (0 when none).
    pub credit: f64,
    /// monthly_fee × credit, to the cent (only with `monthly_fee`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credit_amount: Option<f64>,
    /// The vendor outages that touched the month.
    pub outages: Vec<Evidence>,
}

/// One result row (§5.4, §10).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ResultRow {
    /// Stable id: SLA, window start and segment values.
    pub id: String,
    /// The SLA id.
    pub sla: String,
    /// The SLA kind.
    pub kind: String,
    /// The window.
    pub window: WindowInfo,
    /// `tier` and each `group_by` key (null where the deployment lacks it).
    pub segment: BTreeMap<String, Option<String>>,
    /// The tier (also in `segment`).
    pub tier: String,
    /// `met`, `breached`, `at_risk` or `no_data`.
    pub status: String,
    /// Deployments judged: met + breached (clocks) or succeeded + failed (rates).
    pub measured: i64,
    /// Clocks: met.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub met: Option<i64>,
    /// Clocks: breached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub breached: Option<i64>,
    /// Rates: succeeded.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub succeeded: Option<i64>,
    /// Rates: failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failed: Option<i64>,
    /// Rates: neither succeeded nor failed yet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_progress: Option<i64>,
    /// change_failure_rate: deployments that caused a failure.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caused_failure: Option<i64>,
    /// Excluded deployments.
    pub excluded: i64,
    /// Suspended deployments.
    pub suspended: i64,
    /// Clocks: no start event.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unmeasured: Option<i64>,
    /// Clocks: cancelled.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled: Option<i64>,
    /// Clocks: still running, not yet past max.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<i64>,
    /// Clocks: in-flight deployments at or past a `warn_at` threshold.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at_risk: Option<i64>,
    /// Compliance or rate (6 decimals), or the count for deployment_frequency; null without data.
    pub value: Option<Value>,
    /// The target.
    pub target: TargetInfo,
    /// Clocks: the error budget.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_budget: Option<ErrorBudget>,
    /// The breaches, worst first.
    pub breaches: Vec<Breach>,
    /// Ids of exclusions applied to deployments of this row.
    pub exclusions: Vec<String>,
    /// Ids of exceptions applied to deployments of this row.
    pub exceptions: Vec<String>,
    /// Closed windows: the change against the previous (consecutive, closed)
    /// window of the same SLA and segment, when both have a value.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trend: Option<Trend>,
    /// A versioned policy (§9b): the `effective_from` of the version this
    /// window was judged under (the one in force at the window's start);
    /// absent under the base policy, or when the policy has no versions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_version: Option<String>,
}

/// A row's change against the previous window of its SLA and segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Trend {
    /// The previous window's start.
    pub previous_window: String,
    /// The previous window's value.
    pub previous_value: f64,
    /// value − previous value (6 decimals).
    pub delta: f64,
    /// `up`, `down` or `flat`.
    pub direction: String,
}

/// A string of up to 24 bytes held inline, longer ones on the heap
/// (`compact_str`): lifecycle events and the report's deployment entries
/// use it for their ids, names and instants. It derefs to `&str` and serialises as a JSON string.
pub use compact_str::CompactString as Text;

// Its short strings (ids, instants, names) are `Text`, held inline: a
// report has one entry per deployment and SLA.
/// One deployment under one SLA.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DeploymentEntry {
    /// Deployment id.
    #[schemars(with = "String")]
    pub deployment: Text,
    /// SLA id.
    #[schemars(with = "String")]
    pub sla: Text,
    /// The state (§5.5, §6.2).
    #[schemars(with = "String")]
    pub state: Text,
    /// The anchor instant (§5.1).
    #[schemars(with = "String")]
    pub anchor: Text,
    /// The window start it belongs to.
    #[schemars(with = "String")]
    pub window_start: Text,
    /// The service.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub service: Option<Text>,
    /// The tier.
    #[schemars(with = "String")]
    pub tier: Text,
    /// The team (catalog first, else the events').
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub team: Option<Text>,
    /// The release type (deployment type), when the events name one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub release_type: Option<Text>,
    /// Business elapsed time, where a clock ran.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub elapsed_ms: Option<i64>,
    /// Wall time minus pauses (the 24x7 clock beside the business one).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub actual_elapsed_ms: Option<i64>,
    /// max − elapsed (negative once breached).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining_ms: Option<i64>,
    /// Running clocks: when elapsed reaches max (null if the calendar never opens again).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    #[schemars(with = "Option<Option<String>>")]
    pub breach_at: Option<Option<Text>>,
    /// Running clocks: elapsed / max (6 decimals).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consumed: Option<f64>,
    /// Running clocks: the highest `warn_at` threshold reached.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warn: Option<f64>,
    /// change_failure_rate: whether it caused a failure (failed, a linked
    /// incident, or a charged outage; `reason` says which).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub caused_failure: Option<bool>,
    /// time_to_restore: `incident` — the entry is an incident and
    /// `deployment` holds its id.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub subject: Option<Text>,
    /// The exclusion that applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub exclusion: Option<Text>,
    /// The exception that applied.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub exception: Option<Text>,
    /// Why, in words: `preflight_failed`, ``no `merged` event`` (unmeasured),
    /// ``cancelled by `rollback_completed` ``, or what a change caused (CFR).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// A versioned policy (§9b): the version its window was judged under,
    /// as on the row; absent under the base policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<String>")]
    pub policy_version: Option<Text>,
}

/// A governance finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// `unjustified_emergency`, `exception_frequency`, ...
    pub kind: String,
    /// What a person should know.
    pub message: String,
    /// Structured details (ids, service, period, counts).
    #[serde(flatten)]
    pub details: BTreeMap<String, Value>,
}

/// An exclusion in force at as_of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InForceExclusion {
    /// Id.
    pub id: String,
    /// Reason.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// `pause` or `exclude`.
    pub effect: String,
    /// Start of the stretch in force.
    pub from: String,
    /// End of the stretch in force.
    pub to: String,
    /// Services (absent: all).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<String>>,
    /// Vendor.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
}

/// An exception in force at as_of.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct InForceException {
    /// Id.
    pub id: String,
    /// Start.
    pub from: String,
    /// End.
    pub to: String,
    /// Emergency.
    pub emergency: bool,
    /// Services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<String>>,
    /// Deployments.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deployments: Option<Vec<String>>,
    /// Approver.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
}

/// `in_force`: what to tell stakeholders now.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema, Default)]
pub struct InForce {
    /// Exclusions whose time contains as_of.
    pub exclusions: Vec<InForceExclusion>,
    /// Exceptions whose interval contains as_of.
    pub exceptions: Vec<InForceException>,
}

/// The document of `slakit check --format json`: the policy is valid, its
/// SLAs, and its lint warnings.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
pub struct CheckReport {
    /// Always true: an invalid policy is an error, not a report.
    pub ok: bool,
    /// The policy.
    pub policy: PolicyInfo,
    /// The SLA ids, in policy order.
    pub slas: Vec<String>,
    /// The lint warnings (`W…`).
    pub warnings: Vec<Warning>,
}

/// A warning: `{code: "W…", message}`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct Warning {
    /// Stable code.
    pub code: String,
    /// Message.
    pub message: String,
}

impl Report {
    /// The report as pretty JSON (2-space indent, no trailing newline):
    /// the exact bytes of `slakit evaluate --format json`, minus its newline.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
    }

    /// Write the report as pretty JSON (the bytes of [`Report::to_json`])
    /// to `out`, without holding the text in memory: the way to write a
    /// large report to a file or socket.
    pub fn write_json<W: std::io::Write>(&self, out: W) -> std::io::Result<()> {
        serde_json::to_writer_pretty(out, self).map_err(std::io::Error::from)
    }

    /// The report as a JSON value.
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or(Value::Null)
    }

    /// True when any result row is breached (`--fail-on-breach`).
    pub fn has_breach(&self) -> bool {
        self.results.iter().any(|r| r.status == "breached")
    }
}

impl Report {
    /// Read a report back from its JSON (`slakit evaluate --format json`,
    /// [`Report::to_json`]): what the Node and C bindings hand out, and what
    /// a stored report is. A document that is not a slakit report is a
    /// usage error `E303` located by the JSON pointer of the first field
    /// that does not fit.
    pub fn from_json(text: &str) -> crate::Result<Report> {
        let mut de = serde_json::Deserializer::from_str(text);
        let report = serde_path_to_error::deserialize(&mut de).map_err(not_a_report)?;
        de.end().map_err(|e| not_a_report_syntax(&e))?;
        Ok(report)
    }

    /// [`Report::from_json`] for a JSON value (a binding's native object).
    pub fn from_value(value: Value) -> crate::Result<Report> {
        serde_path_to_error::deserialize(value).map_err(not_a_report)
    }
}

fn not_a_report(e: serde_path_to_error::Error<serde_json::Error>) -> crate::Error {
    let pointer = pointer_of(e.path());
    let inner = e.into_inner();
    if inner.is_syntax() || inner.is_eof() {
        return not_a_report_syntax(&inner);
    }
    let message = inner.to_string();
    // serde's message without its ` at line L column C` suffix.
    let message = match message.rfind(" at line ") {
        Some(i) => message.get(..i).unwrap_or(&message).to_string(),
        None => message,
    };
    let err = crate::Error::new(
        crate::ErrorCode::InvalidArguments,
        format!("not a slakit report: {}", message.replace('`', "'")),
    );
    if pointer.is_empty() {
        err
    } else {
        err.at_path(pointer)
    }
}

fn not_a_report_syntax(e: &serde_json::Error) -> crate::Error {
    let mut err = crate::Error::new(
        crate::ErrorCode::InvalidArguments,
        format!("the report is not valid JSON: {e}"),
    );
    if e.line() > 0 {
        err.location.line = Some(e.line() as u64);
        err.location.column = Some(e.column() as u64);
    }
    err
}

/// A serde path as a JSON pointer: `/results/3/window/start`.
fn pointer_of(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push('/');
                out.push_str(&key.replace('~', "~0").replace('/', "~1"));
            }
            Segment::Enum { variant } => {
                out.push('/');
                out.push_str(variant);
            }
            Segment::Unknown => out.push_str("/?"),
        }
    }
    out
}

/// `breach_at`: a present `null` is `Some(None)` (the calendar never opens
/// again), an absent field `None` (not a running clock).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// The JSON Schema of the report.
pub fn report_schema() -> Value {
    serde_json::to_value(schemars::schema_for!(Report)).unwrap_or(Value::Null)
}

/// `sha256:<hex>` of a text.
pub fn sha256_hex(text: &str) -> String {
    let mut h = Sha256::new();
    h.update(text.as_bytes());
    hex_digest(h)
}

/// `sha256:` and the lowercase hex of a finished hash.
pub(crate) fn hex_digest(h: Sha256) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(71);
    out.push_str("sha256:");
    for b in h.finalize().iter() {
        let _ = write!(out, "{b:02x}");
    }
    out
}
