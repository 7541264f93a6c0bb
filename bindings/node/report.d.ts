// Types of the values slakit hands to and returns from JavaScript.
//
// Written by hand from the core's serde types (crates/slakit/src/report.rs,
// explain.rs, gate.rs); __test__/types.test.js checks every interface that
// mirrors docs/report.schema.json against it (same property names, same
// optional ones), so this file cannot drift from the report contract
// unnoticed, and checks real decisions against Decision and GateReason.
//
// Instants are RFC 3339 strings in UTC (`2026-03-09T14:30:00Z`). Durations
// are integer milliseconds (`*_ms`), always below Number.MAX_SAFE_INTEGER:
// the core refuses a policy duration longer than the 9999 years of
// supported instants (E104), so every one crosses as an exact `number`.

/** An instant as RFC 3339 text in UTC, e.g. `2026-03-09T14:30:00Z`. */
export type Instant = string

/** Milliseconds that echo a policy duration (always an exact `number`). */
export type Millis = number

/** The evaluation instant: a `Date`, RFC 3339 text with an offset, or absent (the latest lifecycle event). */
export type AsOf = Date | string | null | undefined

// ---------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------

/** Instants in records: RFC 3339 text with an offset, or a `Date`. */
export type InstantInput = string | Date

/** A deployment lifecycle event (`kind` absent or `'event'`). */
export interface EventRecord {
  kind?: 'event'
  deployment: string
  event: string
  time: InstantInput
  service?: string | null
  environment?: string | null
  release_type?: string | null
  team?: string | null
  id?: string | null
  attrs?: { [key: string]: unknown } | null
}

/** A period when a service was unavailable. */
export interface OutageRecord {
  kind: 'outage'
  id?: string | null
  service: string
  from: InstantInput
  to?: InstantInput | null
  vendor?: string | null
}

/** An incident ticket; several records with one id are one incident. */
export interface IncidentRecord {
  kind: 'incident'
  id: string
  service: string
  opened: InstantInput
  resolved?: InstantInput | null
  deployment?: string | null
  severity?: string | null
}

/** Time that does not count. */
export interface ExclusionRecord {
  kind: 'exclusion'
  id: string
  reason?: string | null
  from?: InstantInput | null
  to?: InstantInput | null
  calendar?: string | null
  services?: string[] | null
  vendor?: string | null
  effect?: 'pause' | 'exclude' | null
}

/** An approved deviation. */
export interface ExceptionRecord {
  kind: 'exception'
  id: string
  services?: string[] | null
  deployments?: string[] | null
  from: InstantInput
  to: InstantInput
  emergency?: boolean | null
  approved_by?: string | null
  justification?: string | null
  justified_at?: InstantInput | null
}

/**
 * One record as a plain object (docs/records.md). Unknown fields are allowed
 * (they are ignored and named in a `W001` warning), so any object is accepted.
 */
export type RecordInput =
  | EventRecord
  | OutageRecord
  | IncidentRecord
  | ExclusionRecord
  | ExceptionRecord
  | { [field: string]: unknown }

/** A policy as a plain object: the document model of docs/policy.md. */
export interface PolicyDocument {
  slakit: number
  name?: string
  description?: string
  timezone?: string
  calendars?: { [name: string]: unknown }
  services?: { [name: string]: unknown }
  tiers?: string[]
  exclusions?: unknown[]
  exceptions?: unknown[]
  justify_within?: string
  exception_review?: { [key: string]: unknown }
  slas?: unknown[]
}

/**
 * The deployment a pipeline proposes to the gate: the attributes of a
 * deployment record (docs/gates.md). Values are strings; `null` means absent.
 * Any other field is an `E202` error (a typo would silently change which
 * gates apply), except `event`, `time`, `kind` and `id`, which are accepted
 * and ignored so that a lifecycle event record can be passed as it is.
 */
export interface Proposed {
  /** Its id (`E201` without it): its `canary_passed` events are looked up by it. */
  deployment: string
  /** The service: its tier and team come from the policy's catalog. */
  service?: string | null
  environment?: string | null
  /** `emergency` may override denials (an `emergency: true` exception). */
  release_type?: string | null
  /** The team, when the catalog names none. */
  team?: string | null
  event?: string | null
  time?: InstantInput | null
  kind?: string | null
  id?: string | null
}

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/**
 * What every slakit function throws (or rejects with): an `Error` whose
 * `code` is the stable code of docs/errors.md.
 */
export interface SlakitError extends Error {
  /** The stable code, e.g. `E104` (`E900`: an internal error, a bug). */
  code: string
  /** Which side of the contract was wrong. */
  kind: 'policy' | 'input' | 'usage'
  /** The file, when read from one. */
  file?: string
  /** 1-based line. */
  line?: number
  /** 1-based column. */
  column?: number
  /** 0-based index of the record. */
  recordIndex?: number
  /** JSON pointer of the offending field, e.g. `/slas/0/targets/default/max`. */
  path?: string
}

// ---------------------------------------------------------------------------
// The report (docs/report.md, docs/report.schema.json)
// ---------------------------------------------------------------------------

/** The evaluation report: the JSON of `slakit evaluate --format json`. */
export interface Report {
  /** The engine that produced it. */
  engine: Engine
  /** The evaluation instant. */
  as_of: Instant
  /** The policy evaluated. */
  policy: PolicyInfo
  /** What the inputs were. */
  inputs: Inputs
  /** One row per (SLA, window, segment), sorted. */
  results: ResultRow[]
  /** One entry per deployment and in-scope SLA, by SLA, anchor, deployment id. */
  deployments: DeploymentEntry[]
  /** One row per vendor and month (§9), by vendor order in the policy, then month. */
  vendors: VendorRow[]
  /** The DORA summary (docs/dora.md); always present in reports of this version. */
  dora?: Dora
  /** Governance findings. */
  findings: Finding[]
  /** Exclusions and exceptions in force at as_of. */
  in_force: InForce
  /** Non-fatal remarks about the inputs. */
  warnings: Warning[]
}

export interface Engine {
  /** Always `slakit`. */
  name: string
  /** The engine version. */
  version: string
}

export interface PolicyInfo {
  /** The policy's `name`. */
  name: string
  /** `sha256:` over the canonical policy document. */
  digest: string
  /** Versioned policy: the `effective_from` of the version in force at as_of (absent under the base policy). */
  version?: Instant
}

export interface Inputs {
  /** Records read. */
  records: number
  /** Deployments with at least one event at or before as_of. */
  deployments: number
  /** Records ignored because they lie after as_of. */
  ignored_future: number
  /** `sha256:` over the canonical records. */
  digest: string
}

export interface WindowInfo {
  /** Start (inclusive). */
  start: Instant
  /** End (exclusive; for a rolling window, as_of, inclusive). */
  end: Instant
  /** `open` (contains as_of) or `closed`. */
  state: 'open' | 'closed'
  unit: 'day' | 'week' | 'month' | 'quarter' | 'year' | 'rolling'
  /** A human name in the SLA's zone: `2026-03`, `2026-Q1`, `rolling 28d`. */
  label: string
}

/** The target a row was judged against; ratios as numbers in [0, 1]. */
export interface TargetInfo {
  /** Duration SLAs: the longest allowed elapsed time. */
  max_ms?: Millis
  /** Duration SLAs: the share that must meet `max_ms`. */
  objective?: number
  /** success_rate: lowest rate; deployment_frequency: lowest count. */
  min?: number
  /** change_failure_rate: highest rate. */
  max?: number
  /** deployment_frequency: lowest count per day. */
  min_per_day?: number
  /** deployment_frequency with `min_per_day`: the count this window needs. */
  required?: number
}

export interface ErrorBudget {
  /** Breaches the objective allows. */
  allowed: number
  /** Allowed minus breached (negative when overspent). */
  remaining: number
}

/** A record that decided a verdict, by its `id` or by kind, event and time. */
export interface Evidence {
  kind: 'event' | 'incident' | 'outage' | 'exclusion' | 'exception'
  id?: string
  event?: string
  time?: Instant
  /** `start`, `stop`, `pause`, `resume`, `failed`, `succeeded`, `caused`, `charged`. */
  role: string
}

export interface Breach {
  /** Stable id: `<sla>/<deployment>`. */
  id: string
  deployment: string
  service?: string
  /** Business elapsed time (clocks). */
  elapsed_ms?: number
  /** The target it exceeded (clocks). */
  max_ms?: Millis
  /** How far over the target (clocks). */
  over_ms?: number
  /** Why, in words. */
  reason: string
  /** The records that decided it. */
  records: Evidence[]
  /** Vendor-attributed outage time inside the breached clock (§9), by vendor; absent when none. */
  vendor_overlap?: VendorOverlap[]
}

/** A row's change against the previous window of its SLA and segment. */
export interface Trend {
  previous_window: Instant
  previous_value: number
  /** value − previous value (6 decimals). */
  delta: number
  direction: 'up' | 'down' | 'flat'
}

/** Vendor outage time that overlapped a breach. */
export interface VendorOverlap {
  vendor: string
  /** Wall-clock milliseconds of its outages inside the breached clock. */
  ms: number
}

/** A vendor's calendar month (policy zone). */
export interface VendorWindow {
  start: Instant
  end: Instant
  /** `open` (contains as_of: the figures can only get worse) or `closed`. */
  state: 'open' | 'closed'
  /** `2026-03`. */
  label: string
}

/** The `dora` section: delivery metrics per window and segment (docs/dora.md). */
export interface Dora {
  /** The window unit (`month` by default). */
  window: string
  /** The zone windows are cut in (the policy's). */
  timezone: string
  /** The breakdowns: `all`, then the configured ones. */
  segments: string[]
  /** Which deployments count, as the `dora.scope` block reads. */
  scope: Record<string, unknown>
  /** Outage attribution to the latest change. */
  attribution_ms: Millis
  /** By window start, then segment, then value (null first). */
  rows: DoraRow[]
}

/** A DORA segment: the whole organisation (`all`) or one value of one breakdown. */
export interface DoraSegment {
  /** `all`, `service`, `team`, `tier`, `environment` or `release_type`. */
  by: string
  /** The value (null for `all`, or where the deployment lacks it). */
  value?: string | null
}

/** Deployment frequency: succeeded deployments in the window. */
export interface Frequency {
  count: number
  /** Local days of the window (the open window: up to and including as_of's day). */
  days: number
  /** count / days (6 decimals). */
  per_day: number
}

/** Lead time for changes: merged → succeeded, nearest-rank percentiles. */
export interface LeadTime {
  samples: number
  /** Succeeded deployments without a `merged` event before their success. */
  unmeasured: number
  p50_ms: number | null
  p90_ms: number | null
}

/** Change failure rate: caused_failure / measured. */
export interface ChangeFailure {
  /** succeeded + failed. */
  measured: number
  caused_failure: number
  /** 6 decimals; null when measured is 0. */
  value: number | null
}

/** Time to restore: incidents opened in the window, opened → resolved. */
export interface Restore {
  incidents: number
  restored: number
  /** Still open at as_of. */
  unresolved: number
  p50_ms: number | null
  p90_ms: number | null
}

/** One window and segment of the DORA summary. */
export interface DoraRow {
  /** `dora/<window start>/<by>=<value>`. */
  id: string
  window: WindowInfo
  segment: DoraSegment
  /** Deployments in scope anchored in the window, whatever their state. */
  deployments: number
  succeeded: number
  failed: number
  in_progress: number
  excluded: number
  suspended: number
  deployment_frequency: Frequency
  lead_time_for_changes: LeadTime
  change_failure_rate: ChangeFailure
  time_to_restore: Restore
}

/** One row of the `vendors` section: a vendor in one month (§9). */
export interface VendorRow {
  vendor: string
  window: VendorWindow
  /** Vendor-attributed outage time in the month (union, minus pauses, up to as_of). */
  down_ms: number
  /** 1 − down / month length, rounded down to 1 ppm. */
  availability: number
  /** The promised availability. */
  promised: number
  met: boolean
  /** The credit owed, as a share of the monthly fee (0 when none). */
  credit: number
  /** monthly_fee × credit, to the cent (only with `monthly_fee`). */
  credit_amount?: number
  /** The vendor outages that touched the month. */
  outages: Evidence[]
}

export type Status = 'met' | 'breached' | 'at_risk' | 'no_data'

/** `duration`, `success_rate`, `change_failure_rate`, `deployment_frequency`, … (docs/policy.md). */
export type SlaKind = string

export interface ResultRow {
  /** Stable id: SLA, window start and segment values. */
  id: string
  sla: string
  kind: SlaKind
  window: WindowInfo
  /** `tier` and each `group_by` key (null where the deployment lacks it). */
  segment: { [key: string]: string | null }
  tier: string
  status: Status
  /** Deployments judged: met + breached (clocks) or succeeded + failed (rates). */
  measured: number
  met?: number
  breached?: number
  succeeded?: number
  failed?: number
  in_progress?: number
  caused_failure?: number
  excluded: number
  suspended: number
  unmeasured?: number
  cancelled?: number
  in_flight?: number
  at_risk?: number
  /** Compliance or rate (6 decimals), or the count for deployment_frequency; null without data. */
  value: number | null
  target: TargetInfo
  error_budget?: ErrorBudget
  /** The breaches, worst first. */
  breaches: Breach[]
  /** Ids of exclusions applied to deployments of this row. */
  exclusions: string[]
  /** Ids of exceptions applied to deployments of this row. */
  exceptions: string[]
  /** Closed windows: the change against the previous consecutive closed window of the same SLA and segment. */
  trend?: Trend
  /** Versioned policy: the `effective_from` of the version that judged this window (absent under the base policy). */
  policy_version?: Instant
}

export interface DeploymentEntry {
  deployment: string
  sla: string
  /** `met`, `breached`, `in_flight`, `unmeasured`, `cancelled`, `excluded`, `suspended`, or a rate outcome. */
  state: string
  /** The anchor instant. */
  anchor: Instant
  /** The window start it belongs to. */
  window_start: Instant
  service?: string
  tier: string
  /** The team (catalog first, else the events'). */
  team?: string
  /** The release type (deployment type), when the events name one. */
  release_type?: string | null
  /** Business elapsed time, where a clock ran. */
  elapsed_ms?: number
  /** Wall time minus pauses. */
  actual_elapsed_ms?: number
  /** max − elapsed (negative once breached). */
  remaining_ms?: Millis
  /** Running clocks: when elapsed reaches max (null if the calendar never opens again). */
  breach_at?: Instant | null
  /** Running clocks: elapsed / max (6 decimals). */
  consumed?: number
  /** Running clocks: the highest `warn_at` threshold reached. */
  warn?: number
  /** change_failure_rate: whether it caused a failure. */
  caused_failure?: boolean
  /** time_to_restore: `incident` — the entry is an incident and `deployment` holds its id. */
  subject?: string
  /** The exclusion that applied. */
  exclusion?: string
  /** The exception that applied. */
  exception?: string
  /** Why, in words. */
  reason?: string
  /** Versioned policy: the version that judged the entry's window, as on its row. */
  policy_version?: Instant
}

export interface Finding {
  /** `unjustified_emergency`, `exception_frequency`, `vendor_exit_clause`, `coverage_gap`, `emergency_override`, `trend_rising`. */
  kind: string
  /** What a person should know. */
  message: string
  /** Structured details (ids, service, period, counts). */
  [detail: string]: unknown
}

export interface InForceExclusion {
  id: string
  reason?: string
  effect: 'pause' | 'exclude'
  from: Instant
  to: Instant
  services?: string[]
  vendor?: string
}

export interface InForceException {
  id: string
  from: Instant
  to: Instant
  emergency: boolean
  services?: string[]
  deployments?: string[]
  approved_by?: string
}

export interface InForce {
  exclusions: InForceExclusion[]
  exceptions: InForceException[]
}

/** A warning: `{code: "W…", message}`. */
export interface Warning {
  code: string
  message: string
}

// ---------------------------------------------------------------------------
// explain (slakit explain)
// ---------------------------------------------------------------------------

/** One deployment's clocks as a timeline. */
export interface Explanation {
  deployment: string
  as_of: Instant
  anchor: Instant
  service: string | null
  tier: string
  team: string | null
  environment: string | null
  release_type: string | null
  /** Its lifecycle events at or before as_of, in order. */
  events: TimelineEvent[]
  /** One entry per SLA of the policy. */
  slas: SlaExplanation[]
}

export interface TimelineEvent {
  time: Instant
  event: string
  id?: string
}

export interface SlaExplanation {
  sla: string
  kind: SlaKind
  /** The state, or `out_of_scope` / `outside_window`. */
  state: string
  /** Why, in words. */
  summary: string
  calendar?: string
  window_start?: Instant
  max_ms?: Millis
  elapsed_ms?: number
  actual_elapsed_ms?: number
  remaining_ms?: Millis
  breach_at?: Instant | null
  /** The steps of the clock, in time order. */
  timeline: Step[]
  /** Versioned policy: the version this SLA was judged under (absent under the base policy). */
  policy_version?: Instant
}

export interface Step {
  from: Instant
  to?: Instant
  /** `start`, `counting`, `closed`, `paused`, `stop`, `as_of`, `breach_at`, `cancel`. */
  kind: string
  detail: string
  counted_ms: number
  elapsed_ms: number
}

// ---------------------------------------------------------------------------
// gate (slakit gate, docs/gates.md)
// ---------------------------------------------------------------------------

/** The gate's decision: the JSON of `slakit gate --format json`. */
export interface Decision {
  /** `allow`: the deployment may proceed (possibly by an emergency override, see `findings`). */
  decision: 'allow' | 'deny'
  /** The proposed deployment id. */
  deployment: string
  /** The instant of the decision. */
  at: Instant
  /** The deployment's tier (from the catalog; `default` when it names none). */
  tier: string
  /** Every gate that denied (empty when allowed). */
  reasons: GateReason[]
  /** `emergency_override` findings: the denials an emergency exception overrode. */
  findings: Finding[]
  /** The policy. */
  policy: PolicyInfo
}

/** One gate that denied. */
export interface GateReason {
  gate: 'blackout' | 'deploy_hours' | 'require_canary' | 'circuit_breaker' | 'error_budget'
  /** The blackout id, calendar name, tier, breaker scope or SLA id. */
  id?: string
  /** Why, in words. */
  message: string
  /** Ids of what decided it: breached rows, breaches. */
  evidence?: string[]
}

// ---------------------------------------------------------------------------
// baseline (slakit baseline, docs/baseline.md)
// ---------------------------------------------------------------------------

/** Suggested targets from history: the JSON of `slakit baseline --format json`. */
export interface Baseline {
  engine: Engine
  as_of: Instant
  policy: { name: string; digest: string; default: boolean }
  /** Always `nearest-rank`. */
  method: string
  /** Rate and frequency suggestions: the share of judged windows that reach them (0.9). */
  window_share: number
  inputs: Inputs
  slas: BaselineSla[]
  warnings: Warning[]
}

/** One SLA's baseline. */
export interface BaselineSla {
  sla: string
  kind: SlaKind
  /** `month`, `week`, `rolling 28d`, ... */
  window: string
  group_by: string[]
  /** Deployments (incidents for time_to_restore) the SLA judged. */
  judged: number
  /** Deployments it did not judge (out of scope or window); absent for time_to_restore. */
  not_judged?: number
  tiers: BaselineSegment[]
  /** Why nothing could be suggested. */
  note?: string
}

/** A tier, or a `group_by` group inside one. */
export interface BaselineSegment {
  tier: string
  /** Groups: their `group_by` values. */
  group?: Record<string, string | null>
  judged: number
  measured: number
  /** The rest, by reason (`in flight`, ``unmeasured: no `merged` event``, `excluded: <id>`, ...). */
  not_measured: Record<string, number>
  /** Duration kinds: nearest-rank percentiles of the stopped clocks. */
  percentiles?: BaselineCandidate[]
  /** Rates and frequency: the judged windows. */
  windows?: { judged: number; overall: number | null; per_week?: number; values: number[] }
  suggestion?: BaselineSuggestion
  /** Groups: how the group fares under its tier's suggestion. */
  under_suggestion?: BaselineCompliance
  groups?: BaselineSegment[]
}

export interface BaselineCandidate {
  /** `p50`, `p90`, `p95`, `p99` or the objective's (`p97.5`). */
  percentile: string
  value_ms: Millis
  /** The target it makes (rounded up), e.g. `7h40m`. */
  max: string
  max_ms: Millis
  compliance: BaselineCompliance
}

export interface BaselineSuggestion {
  /** The target as it goes into the policy: `{max: '7h40m', objective: '90%'}`, `{min: '97.5%'}`, `{min: 3}`. */
  target: Record<string, string | number>
  percentile?: string
  basis: string
  compliance: BaselineCompliance
}

/** How the history would have fared with a target, counted as `evaluate` counts it. */
export interface BaselineCompliance {
  met: number
  of: number
  /** `deployments`, `incidents` or `windows`. */
  unit: string
  ratio: number | null
}
