//! The policy (SPEC §3): one serde model read from YAML or JSON, then
//! compiled into checked, ready-to-evaluate form.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::calendar::{self, Calendar};
use crate::error::{Error, ErrorCode, Result};
use crate::instant;
use crate::record::Effect;
use crate::report::Warning;
use crate::units::{self, Duration, PerDay, Ppm, tagged};

/// Largest policy document accepted, in bytes.
pub const MAX_POLICY_BYTES: usize = 4 << 20;

// ---------------------------------------------------------------------------
// The document model (what YAML and JSON deserialize into)
// ---------------------------------------------------------------------------

/// A map that refuses duplicate keys (serde's default keeps the last one).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(transparent)]
pub struct UniqueMap<V>(pub BTreeMap<String, V>);

impl<V> Default for UniqueMap<V> {
    fn default() -> Self {
        UniqueMap(BTreeMap::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for UniqueMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = UniqueMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = BTreeMap::new();
                while let Some(key) = map.next_key::<String>()? {
                    if out.contains_key(&key) {
                        return Err(de::Error::custom(tagged(
                            ErrorCode::DuplicateKey,
                            format!("duplicate key `{key}`"),
                        )));
                    }
                    let value = map.next_value::<V>()?;
                    out.insert(key, value);
                }
                Ok(UniqueMap(out))
            }
        }
        d.deserialize_map(MapVisitor(PhantomData))
    }
}

/// The policy document, exactly as written (§3).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyDoc {
    /// Policy format version; must be 1.
    pub slakit: u32,
    /// The policy's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Default IANA zone for windows and calendars (absent: UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Named business calendars.
    #[serde(default, skip_serializing_if = "is_empty_map")]
    pub calendars: UniqueMap<CalendarDoc>,
    /// The service catalog.
    #[serde(default, skip_serializing_if = "is_empty_map")]
    pub services: UniqueMap<ServiceDoc>,
    /// Criticality tiers, most critical first: names, or `{name, rto, rpo}`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<crate::continuity::TierDoc>,
    /// Static exclusion windows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclusions: Vec<ExclusionDoc>,
    /// Exceptions declared in the policy (records may add more).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exceptions: Vec<ExceptionDoc>,
    /// How long after an emergency exception ends its justification may arrive (default 5d).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justify_within: Option<Duration>,
    /// Flags services with too many exceptions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception_review: Option<ExceptionReviewDoc>,
    /// The SLAs.
    #[serde(default)]
    pub slas: Vec<SlaDoc>,
    /// Pipeline gates (§9a): may a deployment proceed now?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gates: Option<GatesDoc>,
    /// Third parties the services depend on, their promises and credits (§9).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vendors: Vec<crate::vendors::VendorDoc>,
    /// `trend_rising` needs a failure rate rising over this many consecutive
    /// closed windows (default 3, at least 2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend_windows: Option<u32>,
    /// The DORA summary's window, breakdowns, scope and outage attribution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dora: Option<crate::dora::DoraDoc>,
    /// Dated revisions of the policy (§9b): each replaces the sections it
    /// names from its `effective_from` on.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<VersionDoc>,
    /// Periods in which no version may be approved (§9b).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub audit_freezes: Vec<AuditFreezeDoc>,
}

/// One entry of `versions:` (§9b): when it takes effect, when it was
/// approved, and the top-level sections it replaces (each optional).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VersionDoc {
    /// From this instant on, windows starting here or later use this version.
    pub effective_from: String,
    /// When the version was approved (refused inside an audit freeze).
    pub approved_at: String,
    /// Replaces `description`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Replaces `timezone`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Replaces `calendars`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendars: Option<UniqueMap<CalendarDoc>>,
    /// Replaces `services`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<UniqueMap<ServiceDoc>>,
    /// Replaces `tiers`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<crate::continuity::TierDoc>>,
    /// Replaces `exclusions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exclusions: Option<Vec<ExclusionDoc>>,
    /// Replaces `exceptions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exceptions: Option<Vec<ExceptionDoc>>,
    /// Replaces `justify_within`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justify_within: Option<Duration>,
    /// Replaces `exception_review`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exception_review: Option<ExceptionReviewDoc>,
    /// Replaces `slas`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slas: Option<Vec<SlaDoc>>,
    /// Replaces `gates`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gates: Option<GatesDoc>,
    /// Replaces `vendors`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendors: Option<Vec<crate::vendors::VendorDoc>>,
    /// Replaces `trend_windows`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trend_windows: Option<u32>,
    /// Refused (`E131`): a version cannot change the format version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub slakit: Option<serde_json::Value>,
    /// Refused (`E131`): a version cannot rename the policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<serde_json::Value>,
    /// Refused (`E131`): versions do not nest.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub versions: Option<serde_json::Value>,
    /// Refused (`E131`): freezes govern the whole file, not one version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audit_freezes: Option<serde_json::Value>,
}

impl VersionDoc {
    /// The sections this version names, in document order.
    pub fn sections(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut add = |named: bool, s: &'static str| {
            if named {
                out.push(s);
            }
        };
        add(self.description.is_some(), "description");
        add(self.timezone.is_some(), "timezone");
        add(self.calendars.is_some(), "calendars");
        add(self.services.is_some(), "services");
        add(self.tiers.is_some(), "tiers");
        add(self.exclusions.is_some(), "exclusions");
        add(self.exceptions.is_some(), "exceptions");
        add(self.justify_within.is_some(), "justify_within");
        add(self.exception_review.is_some(), "exception_review");
        add(self.slas.is_some(), "slas");
        add(self.gates.is_some(), "gates");
        add(self.vendors.is_some(), "vendors");
        add(self.trend_windows.is_some(), "trend_windows");
        out
    }

    /// The policy in force from this version on: `prior` with the sections
    /// this version names replaced.
    fn apply(&self, prior: &PolicyDoc) -> PolicyDoc {
        let mut d = prior.clone();
        fn set<T: Clone>(slot: &mut T, v: &Option<T>) {
            if let Some(v) = v {
                *slot = v.clone();
            }
        }
        fn set_opt<T: Clone>(slot: &mut Option<T>, v: &Option<T>) {
            if v.is_some() {
                *slot = v.clone();
            }
        }
        set_opt(&mut d.description, &self.description);
        set_opt(&mut d.timezone, &self.timezone);
        set(&mut d.calendars, &self.calendars);
        set(&mut d.services, &self.services);
        set(&mut d.tiers, &self.tiers);
        set(&mut d.exclusions, &self.exclusions);
        set(&mut d.exceptions, &self.exceptions);
        set_opt(&mut d.justify_within, &self.justify_within);
        set_opt(&mut d.exception_review, &self.exception_review);
        set(&mut d.slas, &self.slas);
        set_opt(&mut d.gates, &self.gates);
        set(&mut d.vendors, &self.vendors);
        set_opt(&mut d.trend_windows, &self.trend_windows);
        d
    }
}

/// One entry of `audit_freezes:` (§9b): `[from, to)`, no version may be
/// approved inside it.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AuditFreezeDoc {
    /// A name for messages (absent: the freeze is named by its bounds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Start (inclusive).
    pub from: String,
    /// End (exclusive).
    pub to: String,
    /// Free text (an audit, a quarter close).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `gates:` (§9a).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GatesDoc {
    /// Periods when deployments are denied.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blackouts: Vec<BlackoutDoc>,
    /// Deployments only while a calendar is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deploy_hours: Option<DeployHoursDoc>,
    /// Tiers whose deployments need a `canary_passed` event first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub require_canary: Vec<String>,
    /// Deny when too many deployments are breached in open windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub circuit_breaker: Option<CircuitBreakerDoc>,
    /// `deny_when_exhausted`: deny while an applicable error budget is spent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_budget: Option<ErrorBudgetGate>,
}

/// A blackout: a fixed interval, or the last local days of each month or quarter.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BlackoutDoc {
    /// Unique id, named in every denial.
    pub id: String,
    /// Why (shown to the pipeline).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Start of a fixed blackout (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// End of a fixed blackout (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The last N local days of every month (policy zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_last_days: Option<u32>,
    /// The last N local days of every quarter (policy zone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quarterly_last_days: Option<u32>,
    /// Tiers it applies to (absent: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<String>>,
}

/// `deploy_hours: {calendar, tiers}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeployHoursDoc {
    /// The calendar whose open time allows deployments.
    pub calendar: String,
    /// Tiers it applies to (absent: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<String>>,
}

/// The scope a circuit breaker counts breaches in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum BreakerScope {
    /// The whole organisation.
    #[default]
    Org,
    /// The proposed deployment's team.
    Team,
    /// The proposed deployment's service.
    Service,
}

/// `circuit_breaker: {max_breached, scope}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CircuitBreakerDoc {
    /// The breaker opens when this many deployments are breached in open windows.
    pub max_breached: u32,
    /// Where breaches are counted (default `org`).
    #[serde(default)]
    pub scope: BreakerScope,
}

/// `error_budget:` gate modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorBudgetGate {
    /// Deny while a duration row of the open window has remaining < 0, or a rate row is breached.
    DenyWhenExhausted,
}

fn is_empty_map<V>(m: &UniqueMap<V>) -> bool {
    m.0.is_empty()
}

/// A named calendar (§4.1).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarDoc {
    /// IANA zone (absent: the policy's).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Day keys (`mon`, `mon-fri`) to lists of `HH:MM-HH:MM`.
    pub hours: UniqueMap<Vec<String>>,
    /// Local dates closed the whole day.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holidays: Vec<String>,
}

/// A service catalog entry (§3.2).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceDoc {
    /// Criticality tier.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tier: Option<String>,
    /// Owning team (wins over a team named in events).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Local date (policy zone) after which no quiet frequency rows are reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retired: Option<String>,
    /// The service's own promised availability (§9).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub availability: Option<Ppm>,
}

/// An exclusion (§3.5).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExclusionDoc {
    /// Unique id.
    pub id: String,
    /// Why the time does not count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Start (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// End (RFC 3339).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// A calendar whose open time is excluded (recurring).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// Services it applies to (absent: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<String>>,
    /// Vendor the time is attributed to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor: Option<String>,
    /// `pause` (default) or `exclude`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effect: Option<Effect>,
}

/// An exception declared in the policy (§2.5, §8).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionDoc {
    /// Unique id.
    pub id: String,
    /// Services covered by anchor time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<Vec<String>>,
    /// Deployments covered whatever their time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployments: Option<Vec<String>>,
    /// Start.
    pub from: String,
    /// End.
    pub to: String,
    /// Emergency change.
    #[serde(default)]
    pub emergency: bool,
    /// Approver.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approved_by: Option<String>,
    /// Justification text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justification: Option<String>,
    /// When the justification was filed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub justified_at: Option<String>,
}

/// `exception_review: {max: N, per: quarter}` (§8).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExceptionReviewDoc {
    /// Most exceptions allowed per service and period.
    pub max: u32,
    /// The period (default `quarter`).
    #[serde(default = "default_quarter")]
    pub per: WindowUnit,
}

fn default_quarter() -> WindowUnit {
    WindowUnit::Quarter
}

/// The SLA kinds (§3.3).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize, Default,
)]
#[serde(rename_all = "snake_case")]
pub enum SlaKind {
    /// A clock against a `max` (§6.1).
    #[default]
    Duration,
    /// Succeeded / (succeeded + failed) (§6.2).
    SuccessRate,
    /// Deployments that caused a failure / measured (§6.2).
    ChangeFailureRate,
    /// Succeeded deployments per window (§6.2).
    DeploymentFrequency,
    /// Failed → rollback completed (§6.3).
    RollbackTime,
    /// Outage time after a deploy (§6.3).
    PostDeployAvailability,
    /// Incident opened → resolved (§6.3).
    TimeToRestore,
}

impl SlaKind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            SlaKind::Duration => "duration",
            SlaKind::SuccessRate => "success_rate",
            SlaKind::ChangeFailureRate => "change_failure_rate",
            SlaKind::DeploymentFrequency => "deployment_frequency",
            SlaKind::RollbackTime => "rollback_time",
            SlaKind::PostDeployAvailability => "post_deploy_availability",
            SlaKind::TimeToRestore => "time_to_restore",
        }
    }
}

/// Calendar window units (§5.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WindowUnit {
    /// A local day.
    Day,
    /// A local week starting Monday.
    Week,
    /// A local month.
    Month,
    /// A local quarter.
    Quarter,
    /// A local year.
    Year,
}

/// `window:` — a calendar unit or `{rolling: D}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum WindowDoc {
    /// A calendar window.
    Calendar(WindowUnit),
    /// The single window ending at as_of.
    Rolling {
        /// Its length.
        rolling: Duration,
    },
}

impl<'de> Deserialize<'de> for WindowDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WindowDoc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`day`, `week`, `month`, `quarter`, `year` or `{rolling: 28d}`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<WindowDoc, E> {
                let unit = match v {
                    "day" => WindowUnit::Day,
                    "week" => WindowUnit::Week,
                    "month" => WindowUnit::Month,
                    "quarter" => WindowUnit::Quarter,
                    "year" => WindowUnit::Year,
                    _ => {
                        return Err(E::custom(tagged(
                            ErrorCode::InvalidValue,
                            format!(
                                "unknown window `{v}`; expected day, week, month, quarter, year or `{{rolling: 28d}}`"
                            ),
                        )));
                    }
                };
                Ok(WindowDoc::Calendar(unit))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WindowDoc, A::Error> {
                let mut rolling = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key != "rolling" {
                        return Err(de::Error::custom(tagged(
                            ErrorCode::UnknownField,
                            format!("unknown field `{key}` in window; expected `rolling`"),
                        )));
                    }
                    if rolling.is_some() {
                        return Err(de::Error::custom(tagged(
                            ErrorCode::DuplicateKey,
                            "duplicate key `rolling`",
                        )));
                    }
                    rolling = Some(map.next_value::<Duration>()?);
                }
                match rolling {
                    Some(rolling) => Ok(WindowDoc::Rolling { rolling }),
                    None => Err(de::Error::custom(tagged(
                        ErrorCode::MissingField,
                        "window map needs `rolling`",
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// A scope list: include only these, or `{exempt: [...]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ScopeList {
    /// Only these values.
    Include(Vec<String>),
    /// All but these values.
    Exempt {
        /// The exempted values.
        exempt: Vec<String>,
    },
}

impl<'de> Deserialize<'de> for ScopeList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ScopeList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of values or `{exempt: [...]}`")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ScopeList, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = seq.next_element::<String>()? {
                    out.push(s);
                }
                Ok(ScopeList::Include(out))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ScopeList, A::Error> {
                let mut exempt = None;
                while let Some(key) = map.next_key::<String>()? {
                    if key != "exempt" {
                        return Err(de::Error::custom(tagged(
                            ErrorCode::UnknownField,
                            format!("unknown field `{key}` in scope; expected a list or `exempt`"),
                        )));
                    }
                    if exempt.is_some() {
                        return Err(de::Error::custom(tagged(
                            ErrorCode::DuplicateKey,
                            "duplicate key `exempt`",
                        )));
                    }
                    exempt = Some(map.next_value::<Vec<String>>()?);
                }
                Ok(ScopeList::Exempt {
                    exempt: exempt.unwrap_or_default(),
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl ScopeList {
    /// Does a deployment with this attribute value fall in scope?
    /// Without the attribute it is outside an include list and not exempted.
    pub fn admits(&self, value: Option<&str>) -> bool {
        match (self, value) {
            (ScopeList::Include(list), Some(v)) => list.iter().any(|x| x == v),
            (ScopeList::Include(_), None) => false,
            (ScopeList::Exempt { exempt }, Some(v)) => !exempt.iter().any(|x| x == v),
            (ScopeList::Exempt { .. }, None) => true,
        }
    }
}

/// `scope:` (§3.4).
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeDoc {
    /// Environments.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environments: Option<ScopeList>,
    /// Release types.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_types: Option<ScopeList>,
    /// Services.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub services: Option<ScopeList>,
    /// Tiers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tiers: Option<ScopeList>,
}

/// A pause pair of event names.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PauseDoc {
    /// The event that opens the pause.
    pub from: String,
    /// The event that closes it.
    pub to: String,
}

/// `clock:` (§4.3).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ClockDoc {
    /// Event that starts the clock (required for `duration`; `rollback_time`
    /// defaults to `failed`; `time_to_restore` always runs from `opened`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<String>,
    /// Event that stops it (`rollback_time` defaults to `rollback_completed`;
    /// `time_to_restore` always stops at `resolved`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop: Option<String>,
    /// Pause pairs (absent: the approval pair; `[]`: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pauses: Option<Vec<PauseDoc>>,
    /// Calendar name (default `24x7`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calendar: Option<String>,
    /// Events that cancel the clock.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub cancel: Vec<String>,
}

/// A scalar kept as written, interpreted once the SLA kind is known.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Scalar {
    /// A string such as `4h` or `95%`.
    Text(String),
    /// A whole number.
    Int(i64),
    /// A number with a fraction.
    Float(f64),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string or a number")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar, E> {
                i64::try_from(v).map(Scalar::Int).map_err(|_| {
                    E::custom(tagged(
                        ErrorCode::InvalidValue,
                        format!("number `{v}` is too large"),
                    ))
                })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar, E> {
                if v.is_finite() {
                    Ok(Scalar::Float(v))
                } else {
                    Err(E::custom(tagged(
                        ErrorCode::InvalidValue,
                        format!("number `{v}` is not finite"),
                    )))
                }
            }
        }
        d.deserialize_any(V)
    }
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Text(s) => f.write_str(s),
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Float(x) => write!(f, "{x}"),
        }
    }
}

/// One tier's target; which fields apply depends on the SLA kind.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TargetDoc {
    /// Duration kinds: the longest allowed clock; change_failure_rate: the highest rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Scalar>,
    /// Duration kinds: the share of deployments that must meet `max`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub objective: Option<Scalar>,
    /// success_rate: the lowest rate; deployment_frequency: the lowest count per window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Scalar>,
    /// deployment_frequency: the lowest count per local day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_per_day: Option<PerDay>,
    /// post_deploy_availability: the most outage time allowed within `watch`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_unavailable: Option<Scalar>,
}

/// One SLA (§3).
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct SlaDoc {
    /// Unique id.
    pub id: String,
    /// Free text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The rule (default `duration`).
    #[serde(default)]
    pub kind: SlaKind,
    /// Which deployments count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<ScopeDoc>,
    /// The clock (duration kinds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<ClockDoc>,
    /// The measurement window.
    pub window: WindowDoc,
    /// Overrides the policy zone for this SLA's windows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    /// Extra segment keys.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub group_by: Vec<GroupKey>,
    /// Targets per tier; `default` for the rest.
    pub targets: UniqueMap<TargetDoc>,
    /// In-flight consumption thresholds.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warn_at: Vec<Ppm>,
    /// change_failure_rate: how long after `succeeded` an outage is charged (default 1h).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attribution: Option<Duration>,
    /// post_deploy_availability: how long after `succeeded` outages count (default 1h).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch: Option<Duration>,
}

/// A `group_by` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupKey {
    /// The service.
    Service,
    /// The team.
    Team,
    /// The tier (always split; accepted for clarity).
    Tier,
    /// The environment.
    Environment,
    /// The release type.
    ReleaseType,
}

impl GroupKey {
    /// The key's name in segments.
    pub fn as_str(self) -> &'static str {
        match self {
            GroupKey::Service => "service",
            GroupKey::Team => "team",
            GroupKey::Tier => "tier",
            GroupKey::Environment => "environment",
            GroupKey::ReleaseType => "release_type",
        }
    }
}

// ---------------------------------------------------------------------------
// The compiled policy
// ---------------------------------------------------------------------------

/// A service's catalog facts.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceEntry {
    /// Tier (`None`: tier `default`).
    pub tier: Option<String>,
    /// Team.
    pub team: Option<String>,
    /// Retirement date (policy zone).
    pub retired: Option<NaiveDate>,
}

/// The time an exclusion covers.
#[derive(Debug, Clone)]
pub enum Span {
    /// A one-off interval `[from, to)`.
    Interval {
        /// Start.
        from: i64,
        /// End.
        to: i64,
    },
    /// The open time of a calendar (recurring).
    Calendar {
        /// The calendar's name.
        name: String,
        /// The compiled calendar.
        calendar: Arc<Calendar>,
    },
}

/// An exclusion from the policy or a record, ready to apply.
#[derive(Debug, Clone)]
pub struct Exclusion {
    /// Unique id.
    pub id: String,
    /// Why.
    pub reason: Option<String>,
    /// When.
    pub span: Span,
    /// Services (`None`: all).
    pub services: Option<Vec<String>>,
    /// Attributed vendor.
    pub vendor: Option<String>,
    /// What it does.
    pub effect: Effect,
    /// `policy` or `records`.
    pub source: &'static str,
}

impl Exclusion {
    /// Does it apply to a deployment of this service?
    pub fn matches_service(&self, service: Option<&str>) -> bool {
        match (&self.services, service) {
            (None, _) => true,
            (Some(list), Some(s)) => list.iter().any(|x| x == s),
            (Some(_), None) => false,
        }
    }

    /// The excluded intervals inside `[a, b)`, in order.
    pub fn intervals(&self, a: i64, b: i64) -> Vec<(i64, i64)> {
        match &self.span {
            Span::Interval { from, to } => {
                let (s, e) = ((*from).max(a), (*to).min(b));
                if s < e { vec![(s, e)] } else { Vec::new() }
            }
            Span::Calendar { calendar, .. } => calendar.open_intervals(a, b),
        }
    }

    /// The start of the excluded stretch containing `t`, if `t` is inside.
    pub fn stretch_start(&self, t: i64) -> Option<i64> {
        match &self.span {
            Span::Interval { from, to } => (*from <= t && t < *to).then_some(*from),
            Span::Calendar { calendar, .. } => {
                if !calendar.is_open(t) {
                    return None;
                }
                // Walk back over the open stretch (bounded: a stretch is at most a few weeks).
                let day = 86_400_000;
                let mut lo = t;
                for _ in 0..400 {
                    let iv = calendar.open_intervals(lo.saturating_sub(day), t.saturating_add(1));
                    match iv.last() {
                        Some(&(s, e)) if e > t && s < lo => lo = s,
                        _ => break,
                    }
                    if lo > t.saturating_sub(day) {
                        break;
                    }
                }
                Some(lo)
            }
        }
    }
}

/// An exception from the policy or a record, ready to apply.
#[derive(Debug, Clone, PartialEq)]
pub struct Exception {
    /// Unique id.
    pub id: String,
    /// Services (by anchor).
    pub services: Option<Vec<String>>,
    /// Deployments (whatever their time).
    pub deployments: Option<Vec<String>>,
    /// Start.
    pub from: i64,
    /// End.
    pub to: i64,
    /// Emergency.
    pub emergency: bool,
    /// Approver.
    pub approved_by: Option<String>,
    /// Justification text.
    pub justification: Option<String>,
    /// When justified.
    pub justified_at: Option<i64>,
    /// `policy` or `records`.
    pub source: &'static str,
}

/// A compiled clock.
#[derive(Debug, Clone)]
pub struct Clock {
    /// Start event.
    pub start: String,
    /// Stop event.
    pub stop: String,
    /// Pause pairs.
    pub pauses: Vec<(String, String)>,
    /// Calendar name (`24x7` by default).
    pub calendar_name: String,
    /// The calendar.
    pub calendar: Arc<Calendar>,
    /// Cancel events.
    pub cancel: Vec<String>,
}

/// A compiled window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Calendar windows in the SLA zone.
    Calendar(WindowUnit),
    /// One window `[as_of − D, as_of]`.
    Rolling(i64),
}

/// A compiled target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// `{max, objective}` for clocks.
    Duration {
        /// Longest allowed elapsed.
        max_ms: i64,
        /// Share that must meet it.
        objective: Ppm,
    },
    /// success_rate `min`.
    MinRate(Ppm),
    /// change_failure_rate `max`.
    MaxRate(Ppm),
    /// deployment_frequency `min` per window.
    MinCount(i64),
    /// deployment_frequency `min_per_day`.
    MinPerDay(PerDay),
}

/// A compiled SLA.
#[derive(Debug, Clone)]
pub struct Sla {
    /// Unique id.
    pub id: String,
    /// Kind.
    pub kind: SlaKind,
    /// Scope.
    pub scope: ScopeDoc,
    /// Clock (duration kinds).
    pub clock: Option<Clock>,
    /// Window.
    pub window: Window,
    /// Zone that cuts the windows.
    pub tz: Tz,
    /// Group keys (beyond tier).
    pub group_by: Vec<GroupKey>,
    /// Targets by tier.
    pub targets: BTreeMap<String, Target>,
    /// Warn thresholds, ascending.
    pub warn_at: Vec<Ppm>,
    /// CFR attribution.
    pub attribution_ms: i64,
    /// post_deploy_availability watch.
    pub watch_ms: i64,
}

impl Sla {
    /// The target for a tier: its own, else `default`, else none (out of scope).
    pub fn target_for(&self, tier: &str) -> Option<&Target> {
        self.targets
            .get(tier)
            .or_else(|| self.targets.get("default"))
    }
}

/// When a blackout applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlackoutSpan {
    /// `[from, to)`.
    Fixed {
        /// Start.
        from: i64,
        /// End.
        to: i64,
    },
    /// The last N local days of each month.
    MonthlyLast(u32),
    /// The last N local days of each quarter.
    QuarterlyLast(u32),
}

/// A compiled blackout.
#[derive(Debug, Clone, PartialEq)]
pub struct Blackout {
    /// Id.
    pub id: String,
    /// Why.
    pub reason: Option<String>,
    /// When.
    pub span: BlackoutSpan,
    /// Tiers (`None`: all).
    pub tiers: Option<Vec<String>>,
}

/// Compiled `gates:` (§9a).
#[derive(Debug, Clone, Default)]
pub struct Gates {
    /// Blackouts.
    pub blackouts: Vec<Blackout>,
    /// `deploy_hours`: calendar name, calendar, tiers.
    pub deploy_hours: Option<(String, Arc<Calendar>, Option<Vec<String>>)>,
    /// Tiers that need a passed canary.
    pub require_canary: Vec<String>,
    /// `circuit_breaker`.
    pub circuit_breaker: Option<(u32, BreakerScope)>,
    /// `error_budget: deny_when_exhausted`.
    pub error_budget: bool,
}

/// A validated, compiled policy. Cheap to share across threads.
#[derive(Debug, Clone)]
pub struct Policy {
    /// The document as written.
    pub doc: PolicyDoc,
    /// `sha256:<hex>` of the canonical document.
    pub digest: String,
    /// Name.
    pub name: String,
    /// Policy zone.
    pub tz: Tz,
    /// Named calendars.
    pub calendars: BTreeMap<String, Arc<Calendar>>,
    /// The catalog.
    pub services: BTreeMap<String, ServiceEntry>,
    /// Declared tiers.
    pub tiers: Vec<String>,
    /// Policy exclusions.
    pub exclusions: Vec<Exclusion>,
    /// Policy exceptions.
    pub exceptions: Vec<Exception>,
    /// SLAs in order.
    pub slas: Vec<Sla>,
    /// §8 justify_within.
    pub justify_within_ms: i64,
    /// §8 exception_review.
    pub exception_review: Option<(u32, WindowUnit)>,
    /// Lint warnings found while compiling.
    pub warnings: Vec<Warning>,
    /// Pipeline gates.
    pub gates: Gates,
    /// Vendors (§9).
    pub vendors: Vec<crate::vendors::Vendor>,
    /// The DORA summary's settings.
    pub dora: crate::dora::DoraConfig,
    /// Dated versions (§9b) in `effective_from` order, each compiled with
    /// every earlier section it does not replace; empty when the file has
    /// no `versions`. This policy itself is the base, in force before the first.
    pub versions: Vec<PolicyVersion>,
    /// Audit freezes (§9b).
    pub audit_freezes: Vec<AuditFreeze>,
}

/// A compiled policy version (§9b).
#[derive(Debug, Clone)]
pub struct PolicyVersion {
    /// The instant it takes effect (UTC ms).
    pub effective_from: i64,
    /// The instant it was approved (UTC ms).
    pub approved_at: i64,
    /// `effective_from` as RFC 3339 UTC: the rows' `policy_version`.
    pub label: String,
    /// The whole policy in force from `effective_from` on.
    pub policy: Arc<Policy>,
}

/// A compiled audit freeze: `[from, to)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditFreeze {
    /// How messages name it: its `id`, else `audit_freezes[i]`.
    pub name: String,
    /// Start (inclusive, UTC ms).
    pub from: i64,
    /// End (exclusive, UTC ms).
    pub to: i64,
}

/// Most entries in `versions`: each is a policy compiled and evaluated on its own.
pub const MAX_VERSIONS: usize = 100;

/// One stretch of time under one policy: `[from, to)`, the version's label
/// (`None`: the base policy) and the compiled policy in force.
#[derive(Debug, Clone, Copy)]
pub struct Era<'p> {
    /// Start (inclusive); `i64::MIN` for the base.
    pub from: i64,
    /// End (exclusive); `i64::MAX` for the last version.
    pub to: i64,
    /// The version's `effective_from` label, `None` for the base policy.
    pub label: Option<&'p str>,
    /// The policy in force.
    pub policy: &'p Policy,
}

impl<'p> Era<'p> {
    /// Whether `t` lies in `[from, to)`.
    pub fn holds(&self, t: i64) -> bool {
        self.from <= t && t < self.to
    }
}

impl Policy {
    /// Read a policy from YAML.
    pub fn from_yaml(text: &str) -> Result<Policy> {
        Policy::compile(load_yaml(text)?)
    }

    /// Read a policy from JSON.
    pub fn from_json(text: &str) -> Result<Policy> {
        Policy::compile(load_json(text)?)
    }

    /// Read a policy from an already-parsed JSON value (a binding's native
    /// object). Errors carry the JSON pointer of the field, but no line.
    pub fn from_value(value: serde_json::Value) -> Result<Policy> {
        let doc: PolicyDoc = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = pointer(e.path());
            let (code, message) = classify(&e.into_inner().to_string());
            let mut err = Error::new(code, message);
            if !path.is_empty() {
                err.location.path = Some(path);
            }
            err
        })?;
        Policy::compile(doc)
    }

    /// Read a policy from text, YAML or JSON (JSON is YAML, but JSON errors are clearer,
    /// so text starting with `{` is read as JSON).
    pub fn from_text(text: &str) -> Result<Policy> {
        if text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with('{')
        {
            Policy::from_json(text)
        } else {
            Policy::from_yaml(text)
        }
    }

    /// Validate a document and compile it.
    pub fn compile(doc: PolicyDoc) -> Result<Policy> {
        compile(doc)
    }

    /// The lint warnings of `check` (§3.1 and §8): of the base policy and
    /// of every version, sorted, each once.
    pub fn check(&self) -> Vec<Warning> {
        let mut all = self.warnings.clone();
        for v in &self.versions {
            all.extend(v.policy.warnings.iter().cloned());
        }
        all.sort();
        all.dedup();
        all
    }

    /// The stretches of time each version governs, base first, in order.
    /// An unversioned policy is one era over all time.
    pub fn eras(&self) -> Vec<Era<'_>> {
        let mut out = Vec::with_capacity(self.versions.len() + 1);
        let mut from = i64::MIN;
        let mut label = None;
        let mut policy = self;
        for v in &self.versions {
            out.push(Era {
                from,
                to: v.effective_from,
                label,
                policy,
            });
            from = v.effective_from;
            label = Some(v.label.as_str());
            policy = &v.policy;
        }
        out.push(Era {
            from,
            to: i64::MAX,
            label,
            policy,
        });
        out
    }

    /// The era in force at `t` (the base policy before the first version).
    pub fn era_at(&self, t: i64) -> Era<'_> {
        let eras = self.eras();
        let i = eras.iter().rposition(|e| e.from <= t).unwrap_or(0);
        eras.get(i).copied().unwrap_or(Era {
            from: i64::MIN,
            to: i64::MAX,
            label: None,
            policy: self,
        })
    }

    /// The compiled policy in force at `t`.
    pub fn in_force_at(&self, t: i64) -> &Policy {
        self.era_at(t).policy
    }

    /// SLA ids in report order: the base policy's, then those each later
    /// version adds, in the order they first appear.
    pub fn sla_order(&self) -> Vec<String> {
        let mut out: Vec<String> = self.slas.iter().map(|s| s.id.clone()).collect();
        for v in &self.versions {
            for s in &v.policy.slas {
                if !out.contains(&s.id) {
                    out.push(s.id.clone());
                }
            }
        }
        out
    }

    /// The whole `check` document (what `slakit check --format json` prints).
    pub fn check_report(&self) -> crate::report::CheckReport {
        crate::report::CheckReport {
            ok: true,
            policy: crate::report::PolicyInfo {
                name: self.name.clone(),
                digest: self.digest.clone(),
                version: None,
            },
            slas: self.sla_order(),
            warnings: self.check(),
        }
    }

    /// A calendar by name (`24x7` is built in).
    pub fn calendar(&self, name: &str) -> Option<Arc<Calendar>> {
        if name == "24x7" {
            return Some(Arc::new(Calendar::always()));
        }
        self.calendars.get(name).cloned()
    }

    /// A deployment's tier and catalog team.
    pub fn service_entry(&self, service: Option<&str>) -> Option<&ServiceEntry> {
        service.and_then(|s| self.services.get(s))
    }

    /// A service's tier: the catalog's, else `default`.
    pub fn tier_of(&self, service: Option<&str>) -> &str {
        self.service_entry(service)
            .and_then(|s| s.tier.as_deref())
            .unwrap_or("default")
    }

    /// Sort position of a tier: declared ones in order, then the rest by name.
    pub fn tier_rank(&self, tier: &str) -> (usize, String) {
        match self.tiers.iter().position(|t| t == tier) {
            Some(i) => (i, String::new()),
            None => (self.tiers.len(), tier.to_string()),
        }
    }
}

// ---------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------

fn check_size(text: &str) -> Result<()> {
    if text.len() > MAX_POLICY_BYTES {
        return Err(Error::new(
            ErrorCode::PolicyTooLarge,
            format!(
                "the policy is {} bytes, more than the limit of {MAX_POLICY_BYTES}",
                text.len()
            ),
        ));
    }
    if text.contains('\0') {
        return Err(Error::new(
            ErrorCode::PolicySyntax,
            "the policy contains a NUL character",
        ));
    }
    if text
        .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .is_empty()
    {
        return Err(Error::new(ErrorCode::EmptyPolicy, "the policy is empty"));
    }
    Ok(())
}

fn pointer(path: &serde_path_to_error::Path) -> String {
    use serde_path_to_error::Segment;
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            Segment::Seq { index } => out.push_str(&format!("/{index}")),
            Segment::Map { key } => {
                out.push_str(&format!("/{}", key.replace('~', "~0").replace('/', "~1")))
            }
            Segment::Enum { variant } => out.push_str(&format!("/{variant}")),
            Segment::Unknown => {}
        }
    }
    out
}

/// Turn a serde message into a coded, well-phrased error.
fn classify(raw: &str) -> (ErrorCode, String) {
    if let Some(tagged) = units::untag(raw) {
        return tagged;
    }
    let first = raw.lines().next().unwrap_or(raw).trim();
    let msg = strip_position(first);
    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or("");
        let expected: Vec<&str> = rest
            .split_once("expected one of ")
            .or_else(|| rest.split_once("expected "))
            .map(|(_, list)| {
                list.split(", ")
                    .map(|s| s.trim().trim_matches('`'))
                    .filter(|s| !s.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        let mut m = format!("unknown field `{field}`");
        if let Some(best) = suggest(field, &expected) {
            m.push_str(&format!("; did you mean `{best}`?"));
        } else if !expected.is_empty() {
            m.push_str(&format!(
                "; expected one of {}",
                expected
                    .iter()
                    .map(|e| format!("`{e}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        return (ErrorCode::UnknownField, m);
    }
    if let Some(rest) = msg.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or("");
        return (
            ErrorCode::MissingField,
            format!("missing required field `{field}`"),
        );
    }
    if let Some(rest) = msg.strip_prefix("duplicate mapping key: ") {
        let key = rest.split(',').next().unwrap_or(rest).trim();
        return (ErrorCode::DuplicateKey, format!("duplicate key `{key}`"));
    }
    if msg.starts_with("duplicate field") || msg.contains("duplicate key") {
        return (ErrorCode::DuplicateKey, msg.to_string());
    }
    if let Some(rest) = msg.strip_prefix("non-finite float `") {
        let value = rest.split('`').next().unwrap_or("");
        return (
            ErrorCode::InvalidValue,
            format!("`{value}` is not a finite number"),
        );
    }
    if msg.starts_with("invalid type")
        || msg.starts_with("invalid value")
        || msg.starts_with("unknown variant")
        || msg.starts_with("invalid length")
    {
        return (ErrorCode::InvalidValue, msg.to_string());
    }
    if msg.contains("budget")
        || msg.contains("alias")
        || msg.contains("recursion limit")
        || msg.contains("depth")
    {
        return (ErrorCode::PolicyTooDeep, reader_limit(msg));
    }
    (ErrorCode::PolicySyntax, msg.to_string())
}

/// A YAML budget or JSON depth message in the house style. serde-saphyr
/// writes `budget breached: Aliases { aliases: 1001 }`.
fn reader_limit(msg: &str) -> String {
    let what = match msg.split_once("budget breached: ") {
        Some((_, rest)) => match rest.split([' ', '{']).next().unwrap_or("") {
            "Aliases" => "more than 1000 aliases (`*name`)",
            "Anchors" => "more than 1000 anchors (`&name`)",
            "Nodes" => "more than 200000 nodes",
            "Events" => "more than 500000 parser events",
            "Depth" => "nesting deeper than 64",
            _ => "a YAML reader budget",
        },
        None if msg.contains("recursion limit") => "nesting deeper than 128",
        None => return format!("the policy exceeds a reader limit: {msg}"),
    };
    format!("the policy exceeds a reader limit: {what}")
}

fn strip_position(msg: &str) -> &str {
    // serde-saphyr: "error: line 1 column 14: <message>"
    let msg = match msg.strip_prefix("error: line ") {
        Some(rest) => rest.split_once(": ").map_or(msg, |(_, m)| m),
        None => msg,
    };
    match msg.find(" at line ") {
        Some(i) => msg.get(..i).unwrap_or(msg),
        None => msg,
    }
}

/// The closest candidate by edit distance, if it is close.
pub(crate) fn suggest<'a>(word: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = edit_distance(word, c);
        if d <= 2.max(word.len() / 4) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev.get(j).copied().unwrap_or(0) + usize::from(ca != *cb);
            let del = prev.get(j + 1).copied().unwrap_or(0) + 1;
            let ins = cur.get(j).copied().unwrap_or(0) + 1;
            cur.push(sub.min(del).min(ins));
        }
        prev = cur;
    }
    prev.last().copied().unwrap_or(0)
}

/// Parse YAML into the document model (budgets guard against alias bombs).
pub fn load_yaml(text: &str) -> Result<PolicyDoc> {
    check_size(text)?;
    let mut path = None;
    let mut options = serde_saphyr::options::Options::default();
    options.with_snippet = false;
    if let Some(budget) = options.budget.as_mut() {
        budget.max_aliases = 1_000;
        budget.max_anchors = 1_000;
        budget.max_events = 500_000;
        budget.max_nodes = 200_000;
        budget.max_depth = 64;
    }
    let res = serde_saphyr::with_deserializer_from_str_with_options(text, options, |de| {
        serde_path_to_error::deserialize::<_, PolicyDoc>(de).map_err(|e| {
            path = Some(pointer(e.path()));
            e.into_inner()
        })
    });
    res.map_err(|e| {
        let raw = e.to_string();
        let (code, message) = classify(&raw);
        let mut err = Error::new(code, message);
        if let Some(loc) = e.location() {
            err.location.line = Some(loc.line());
            err.location.column = Some(loc.column());
        }
        if let Some(p) = path.filter(|p| !p.is_empty()) {
            err.location.path = Some(p);
        }
        err
    })
}

/// Parse JSON into the document model.
pub fn load_json(text: &str) -> Result<PolicyDoc> {
    check_size(text)?;
    let mut de = serde_json::Deserializer::from_str(text);
    let doc: PolicyDoc = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = pointer(e.path());
        let inner = e.into_inner();
        let (code, message) = classify(&inner.to_string());
        let mut err = Error::new(code, message);
        err.location.line = Some(inner.line() as u64);
        err.location.column = Some(inner.column() as u64);
        if !path.is_empty() {
            err.location.path = Some(path);
        }
        err
    })?;
    de.end().map_err(|e| {
        let mut err = Error::new(
            ErrorCode::PolicySyntax,
            format!(
                "trailing characters after the policy: {}",
                strip_position(&e.to_string())
            ),
        );
        err.location.line = Some(e.line() as u64);
        err.location.column = Some(e.column() as u64);
        err
    })?;
    Ok(doc)
}

// ---------------------------------------------------------------------------
// Compiling
// ---------------------------------------------------------------------------

pub(crate) fn perr(code: ErrorCode, path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::new(code, message).at_path(path)
}

/// Resolve an IANA zone name.
pub fn parse_tz(name: &str, path: &str) -> Result<Tz> {
    name.parse::<Tz>().map_err(|_| {
        perr(
            ErrorCode::UnknownTimeZone,
            path,
            format!("unknown time zone `{name}`; use an IANA name such as `America/New_York`"),
        )
    })
}

fn policy_instant(text: &str, path: &str) -> Result<i64> {
    instant::parse(text).map_err(|e| perr(ErrorCode::InvalidPolicyInstant, path, e.message(text)))
}

fn parse_date(text: &str, path: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| {
        perr(
            ErrorCode::InvalidHours,
            path,
            format!("invalid date `{text}`; write a local date as `YYYY-MM-DD`"),
        )
    })
}

fn compile_calendar(name: &str, doc: &CalendarDoc, policy_tz: Tz) -> Result<Calendar> {
    let base = format!("/calendars/{name}");
    let tz = match &doc.timezone {
        Some(z) => parse_tz(z, &format!("{base}/timezone"))?,
        None => policy_tz,
    };
    let mut week: [Vec<(u32, u32)>; 7] = Default::default();
    for (key, ranges) in &doc.hours.0 {
        let days = calendar::parse_day_key(key).map_err(|m| {
            perr(
                ErrorCode::InvalidHours,
                format!("{base}/hours/{key}"),
                format!("in `hours`: {m}"),
            )
        })?;
        for (i, r) in ranges.iter().enumerate() {
            let range = calendar::parse_range(r).map_err(|m| {
                perr(
                    ErrorCode::InvalidHours,
                    format!("{base}/hours/{key}/{i}"),
                    format!("in `hours` of calendar `{name}`: {m}"),
                )
            })?;
            for d in &days {
                if let Some(slot) = week.get_mut(d.num_days_from_monday() as usize) {
                    slot.push(range);
                }
            }
        }
    }
    let mut holidays = BTreeSet::new();
    for (i, h) in doc.holidays.iter().enumerate() {
        holidays.insert(parse_date(h, &format!("{base}/holidays/{i}"))?);
    }
    Ok(Calendar::new(tz, week, holidays))
}

pub(crate) fn percentage(s: &Scalar, path: &str) -> Result<Ppm> {
    let text = s.to_string();
    units::parse_percentage(&text).map_err(|m| perr(ErrorCode::InvalidPercentage, path, m))
}

fn duration(s: &Scalar, path: &str) -> Result<Duration> {
    match s {
        Scalar::Text(t) => {
            units::parse_duration(t).map_err(|m| perr(ErrorCode::InvalidDuration, path, m))
        }
        other => Err(perr(
            ErrorCode::InvalidDuration,
            path,
            format!("invalid duration `{other}`: a duration needs a unit, as in `4h`"),
        )),
    }
}

fn compile_target(
    kind: SlaKind,
    tier: &str,
    t: &TargetDoc,
    base: &str,
    warnings: &mut Vec<(String, Duration)>,
) -> Result<Target> {
    let p = |f: &str| format!("{base}/targets/{tier}/{f}");
    let refuse = |field: &str| {
        perr(
            ErrorCode::InvalidTarget,
            p(field),
            format!("`{field}` does not apply to a `{}` SLA", kind.as_str()),
        )
    };
    if kind != SlaKind::PostDeployAvailability && t.max_unavailable.is_some() {
        return Err(refuse("max_unavailable"));
    }
    match kind {
        SlaKind::Duration
        | SlaKind::RollbackTime
        | SlaKind::TimeToRestore
        | SlaKind::PostDeployAvailability => {
            if t.min.is_some() {
                return Err(refuse("min"));
            }
            if t.min_per_day.is_some() {
                return Err(refuse("min_per_day"));
            }
            // post_deploy_availability names its limit `max_unavailable`.
            let (field, given) = if kind == SlaKind::PostDeployAvailability {
                if t.max.is_some() {
                    return Err(refuse("max"));
                }
                ("max_unavailable", t.max_unavailable.as_ref())
            } else {
                ("max", t.max.as_ref())
            };
            let max = given.ok_or_else(|| {
                perr(
                    ErrorCode::InvalidTarget,
                    format!("{base}/targets/{tier}"),
                    format!("target `{tier}` needs `{field}` (a duration such as `4h`)"),
                )
            })?;
            let max = duration(max, &p(field))?;
            if max.ms <= 0 {
                return Err(perr(
                    ErrorCode::InvalidDuration,
                    p(field),
                    format!(
                        "`{field}` must be greater than `0s`, not `{}`",
                        given.map(ToString::to_string).unwrap_or_default()
                    ),
                ));
            }
            // The reliability rules default to "every one": objective 100%.
            let objective = match (&t.objective, kind) {
                (Some(o), _) => percentage(o, &p("objective"))?,
                (None, SlaKind::Duration) => {
                    return Err(perr(
                        ErrorCode::InvalidTarget,
                        format!("{base}/targets/{tier}"),
                        format!("target `{tier}` needs `objective` (a percentage such as `95%`)"),
                    ));
                }
                (None, _) => Ppm(1_000_000),
            };
            if max.uses_days {
                warnings.push((p(field), max));
            }
            Ok(Target::Duration {
                max_ms: max.ms,
                objective,
            })
        }
        SlaKind::SuccessRate => {
            for (f, present) in [
                ("max", t.max.is_some()),
                ("objective", t.objective.is_some()),
                ("min_per_day", t.min_per_day.is_some()),
            ] {
                if present {
                    return Err(refuse(f));
                }
            }
            let min = t.min.as_ref().ok_or_else(|| {
                perr(
                    ErrorCode::InvalidTarget,
                    format!("{base}/targets/{tier}"),
                    format!("target `{tier}` needs `min` (a percentage)"),
                )
            })?;
            Ok(Target::MinRate(percentage(min, &p("min"))?))
        }
        SlaKind::ChangeFailureRate => {
            for (f, present) in [
                ("min", t.min.is_some()),
                ("objective", t.objective.is_some()),
                ("min_per_day", t.min_per_day.is_some()),
            ] {
                if present {
                    return Err(refuse(f));
                }
            }
            let max = t.max.as_ref().ok_or_else(|| {
                perr(
                    ErrorCode::InvalidTarget,
                    format!("{base}/targets/{tier}"),
                    format!("target `{tier}` needs `max` (a percentage)"),
                )
            })?;
            Ok(Target::MaxRate(percentage(max, &p("max"))?))
        }
        SlaKind::DeploymentFrequency => {
            for (f, present) in [
                ("max", t.max.is_some()),
                ("objective", t.objective.is_some()),
            ] {
                if present {
                    return Err(refuse(f));
                }
            }
            match (&t.min, t.min_per_day) {
                (Some(_), Some(_)) => Err(perr(
                    ErrorCode::InvalidTarget,
                    format!("{base}/targets/{tier}"),
                    format!("target `{tier}` gives both `min` and `min_per_day`; use one"),
                )),
                (Some(Scalar::Int(n)), None) if *n >= 0 => Ok(Target::MinCount(*n)),
                (Some(other), None) => Err(perr(
                    ErrorCode::InvalidTarget,
                    p("min"),
                    format!(
                        "`min` of a deployment_frequency SLA is a whole count per window, not `{other}`"
                    ),
                )),
                (None, Some(pd)) => Ok(Target::MinPerDay(pd)),
                (None, None) => Err(perr(
                    ErrorCode::InvalidTarget,
                    format!("{base}/targets/{tier}"),
                    format!("target `{tier}` needs `min` or `min_per_day`"),
                )),
            }
        }
    }
}

/// The clock of an SLA: required for `duration`, implied for `rollback_time`
/// (failed → rollback_completed, no pauses) and `time_to_restore` (opened →
/// resolved), absent for the rate kinds and `post_deploy_availability`.
fn compile_clock(
    s: &SlaDoc,
    base: &str,
    lookup_calendar: &dyn Fn(&str, &str) -> Result<Arc<Calendar>>,
) -> Result<Option<Clock>> {
    let (start, stop, default_pauses): (Option<&str>, Option<&str>, bool) = match s.kind {
        SlaKind::Duration => (None, None, true),
        SlaKind::RollbackTime => (Some("failed"), Some("rollback_completed"), false),
        SlaKind::TimeToRestore => (Some("opened"), Some("resolved"), false),
        kind => {
            if s.clock.is_some() {
                return Err(perr(
                    ErrorCode::InvalidValue,
                    format!("{base}/clock"),
                    format!("`clock` does not apply to a `{}` SLA", kind.as_str()),
                ));
            }
            return Ok(None);
        }
    };
    let empty = ClockDoc {
        start: None,
        stop: None,
        pauses: None,
        calendar: None,
        cancel: Vec::new(),
    };
    let c = match (&s.clock, s.kind) {
        (Some(c), _) => c,
        (None, SlaKind::Duration) => {
            return Err(perr(
                ErrorCode::MissingField,
                base,
                format!(
                    "the `duration` SLA `{}` needs a `clock` with `start` and `stop`",
                    s.id
                ),
            ));
        }
        (None, _) => &empty,
    };
    if s.kind == SlaKind::TimeToRestore
        && (c.start.is_some() || c.stop.is_some() || c.pauses.is_some() || !c.cancel.is_empty())
    {
        return Err(perr(
            ErrorCode::InvalidValue,
            format!("{base}/clock"),
            "a `time_to_restore` clock always runs from `opened` to `resolved`; only `calendar` may be set",
        ));
    }
    let need = |given: &Option<String>, default: Option<&str>, field: &str| -> Result<String> {
        given
            .clone()
            .or_else(|| default.map(str::to_string))
            .ok_or_else(|| {
                perr(
                    ErrorCode::MissingField,
                    format!("{base}/clock"),
                    format!("the clock of SLA `{}` needs `{field}`", s.id),
                )
            })
    };
    let calendar_name = c.calendar.clone().unwrap_or_else(|| "24x7".to_string());
    let calendar = lookup_calendar(&calendar_name, &format!("{base}/clock/calendar"))?;
    let pauses = match &c.pauses {
        None if default_pauses => vec![(
            "approval_requested".to_string(),
            "approval_granted".to_string(),
        )],
        None => Vec::new(),
        Some(list) => list
            .iter()
            .map(|p| (p.from.clone(), p.to.clone()))
            .collect(),
    };
    Ok(Some(Clock {
        start: need(&c.start, start, "start")?,
        stop: need(&c.stop, stop, "stop")?,
        pauses,
        calendar_name,
        calendar,
        cancel: c.cancel.clone(),
    }))
}

fn compile_gates(
    g: &GatesDoc,
    lookup_calendar: &dyn Fn(&str, &str) -> Result<Arc<Calendar>>,
    check_tier: &dyn Fn(&str, &str) -> Result<()>,
) -> Result<Gates> {
    let tiers = |list: &Option<Vec<String>>, path: &str| -> Result<()> {
        for (i, t) in list.iter().flatten().enumerate() {
            check_tier(t, &format!("{path}/{i}"))?;
        }
        Ok(())
    };
    let mut ids = BTreeSet::new();
    let mut blackouts = Vec::new();
    for (i, b) in g.blackouts.iter().enumerate() {
        let base = format!("/gates/blackouts/{i}");
        if !ids.insert(b.id.clone()) {
            return Err(perr(
                ErrorCode::DuplicateId,
                format!("{base}/id"),
                format!("duplicate blackout id `{}`", b.id),
            ));
        }
        tiers(&b.tiers, &format!("{base}/tiers"))?;
        let days = |n: u32, field: &str, most: u32| -> Result<u32> {
            if (1..=most).contains(&n) {
                Ok(n)
            } else {
                Err(perr(
                    ErrorCode::InvalidValue,
                    format!("{base}/{field}"),
                    format!("`{field}` must be between 1 and {most}, not `{n}`"),
                ))
            }
        };
        let span = match (&b.from, &b.to, b.monthly_last_days, b.quarterly_last_days) {
            (Some(from), Some(to), None, None) => {
                let from = policy_instant(from, &format!("{base}/from"))?;
                let to = policy_instant(to, &format!("{base}/to"))?;
                if to <= from {
                    return Err(perr(
                        ErrorCode::InvalidPolicyInstant,
                        format!("{base}/to"),
                        format!("blackout `{}` ends before or when it starts", b.id),
                    ));
                }
                BlackoutSpan::Fixed { from, to }
            }
            (None, None, Some(n), None) => {
                BlackoutSpan::MonthlyLast(days(n, "monthly_last_days", 28)?)
            }
            (None, None, None, Some(n)) => {
                BlackoutSpan::QuarterlyLast(days(n, "quarterly_last_days", 89)?)
            }
            _ => {
                return Err(perr(
                    ErrorCode::InvalidValue,
                    base,
                    format!(
                        "blackout `{}` needs exactly one of `from`/`to`, `monthly_last_days` or `quarterly_last_days`",
                        b.id
                    ),
                ));
            }
        };
        blackouts.push(Blackout {
            id: b.id.clone(),
            reason: b.reason.clone(),
            span,
            tiers: b.tiers.clone(),
        });
    }
    let deploy_hours = match &g.deploy_hours {
        Some(d) => {
            tiers(&d.tiers, "/gates/deploy_hours/tiers")?;
            let cal = lookup_calendar(&d.calendar, "/gates/deploy_hours/calendar")?;
            Some((d.calendar.clone(), cal, d.tiers.clone()))
        }
        None => None,
    };
    tiers(&Some(g.require_canary.clone()), "/gates/require_canary")?;
    if let Some(cb) = &g.circuit_breaker
        && cb.max_breached == 0
    {
        return Err(perr(
            ErrorCode::InvalidValue,
            "/gates/circuit_breaker/max_breached",
            "`max_breached` must be at least 1",
        ));
    }
    Ok(Gates {
        blackouts,
        deploy_hours,
        require_canary: g.require_canary.clone(),
        circuit_breaker: g
            .circuit_breaker
            .as_ref()
            .map(|c| (c.max_breached, c.scope)),
        error_budget: g.error_budget.is_some(),
    })
}

/// Compile a document: an unversioned one directly; a versioned one as its
/// base plus one compiled policy per version (§9b).
fn compile(doc: PolicyDoc) -> Result<Policy> {
    if doc.versions.is_empty() && doc.audit_freezes.is_empty() {
        return compile_one(doc);
    }
    if doc.slakit != 1 {
        return compile_one(doc);
    }
    let freezes = compile_freezes(&doc.audit_freezes)?;
    if doc.versions.len() > MAX_VERSIONS {
        return Err(perr(
            ErrorCode::PolicyTooManyItems,
            "/versions",
            format!(
                "the policy has {} versions, more than the limit of {MAX_VERSIONS}",
                doc.versions.len()
            ),
        ));
    }
    let mut dated: Vec<(i64, i64)> = Vec::with_capacity(doc.versions.len());
    let mut lint: Vec<Warning> = Vec::new();
    for (i, v) in doc.versions.iter().enumerate() {
        let at = format!("/versions/{i}");
        for (named, field, why) in [
            (
                v.slakit.is_some(),
                "slakit",
                "the format version is the file's",
            ),
            (
                v.name.is_some(),
                "name",
                "a policy keeps its name across versions",
            ),
            (v.versions.is_some(), "versions", "versions do not nest"),
            (
                v.audit_freezes.is_some(),
                "audit_freezes",
                "audit freezes govern the whole file; declare them at the top level",
            ),
        ] {
            if named {
                return Err(perr(
                    ErrorCode::VersionSection,
                    format!("{at}/{field}"),
                    format!("a version cannot set `{field}`: {why}"),
                ));
            }
        }
        let eff = policy_instant(&v.effective_from, &format!("{at}/effective_from"))?;
        let appr = policy_instant(&v.approved_at, &format!("{at}/approved_at"))?;
        if let Some(&(prev, _)) = dated.last()
            && eff <= prev
        {
            return Err(perr(
                ErrorCode::VersionOrder,
                format!("{at}/effective_from"),
                format!(
                    "versions must be in increasing `effective_from` order: `{}` is {} the previous version's `{}`",
                    v.effective_from,
                    if eff == prev { "the same as" } else { "before" },
                    instant::format(prev)
                ),
            ));
        }
        if let Some(f) = freezes.iter().find(|f| f.from <= appr && appr < f.to) {
            return Err(perr(
                ErrorCode::ApprovedInFreeze,
                format!("{at}/approved_at"),
                format!(
                    "version effective from {} was approved at {}, inside audit freeze `{}` [{}, {}): no policy change may be approved during a freeze",
                    instant::format(eff),
                    instant::format(appr),
                    f.name,
                    instant::format(f.from),
                    instant::format(f.to)
                ),
            ));
        }
        if appr > eff {
            lint.push(Warning {
                code: "W020".into(),
                message: format!(
                    "version effective from {} was approved later, at {}: windows starting between the two are judged by rules nobody had approved when they started (a retroactive change)",
                    instant::format(eff),
                    instant::format(appr)
                ),
            });
        }
        dated.push((eff, appr));
    }
    let digest = crate::report::sha256_hex(&canonical_json(&doc));
    let mut current = doc.clone();
    current.versions.clear();
    current.audit_freezes.clear();
    let mut base = compile_one(current.clone())?;
    let mut versions = Vec::with_capacity(dated.len());
    for (i, (v, &(effective_from, approved_at))) in doc.versions.iter().zip(&dated).enumerate() {
        current = v.apply(&current);
        let mut p = compile_one(current.clone()).map_err(|e| relocate(e, i, v))?;
        p.digest = digest.clone();
        p.warnings.extend(lint.iter().cloned());
        p.warnings.sort();
        p.warnings.dedup();
        p.audit_freezes = freezes.clone();
        versions.push(PolicyVersion {
            effective_from,
            approved_at,
            label: instant::format(effective_from),
            policy: Arc::new(p),
        });
    }
    base.digest = digest;
    base.warnings.extend(lint);
    base.warnings.sort();
    base.warnings.dedup();
    base.doc = doc;
    base.versions = versions;
    base.audit_freezes = freezes;
    Ok(base)
}

/// `audit_freezes` compiled: `[from, to)` with `from < to` (`E114`).
fn compile_freezes(docs: &[AuditFreezeDoc]) -> Result<Vec<AuditFreeze>> {
    let mut out = Vec::with_capacity(docs.len());
    for (i, f) in docs.iter().enumerate() {
        let at = format!("/audit_freezes/{i}");
        let from = policy_instant(&f.from, &format!("{at}/from"))?;
        let to = policy_instant(&f.to, &format!("{at}/to"))?;
        if to <= from {
            return Err(perr(
                ErrorCode::InvalidPolicyInstant,
                format!("{at}/to"),
                format!(
                    "audit freeze ends at `{}`, not after it starts at `{}`",
                    f.to, f.from
                ),
            ));
        }
        out.push(AuditFreeze {
            name: f
                .id
                .clone()
                .unwrap_or_else(|| format!("audit_freezes[{i}]")),
            from,
            to,
        });
    }
    Ok(out)
}

/// An error in the policy a version produces: located in the version when
/// the section it names is at fault, else said to arise under it.
fn relocate(mut e: Error, i: usize, v: &VersionDoc) -> Error {
    let inside = e.location.path.as_deref().and_then(|p| {
        v.sections()
            .into_iter()
            .find(|s| p == format!("/{s}") || p.starts_with(&format!("/{s}/")))
            .map(|_| format!("/versions/{i}{p}"))
    });
    match inside {
        Some(p) => e.location.path = Some(p),
        None => {
            e.message = format!(
                "{} (in the policy in force from `{}`, `/versions/{i}`)",
                e.message, v.effective_from
            )
        }
    }
    e
}

fn compile_one(doc: PolicyDoc) -> Result<Policy> {
    if doc.slakit != 1 {
        return Err(perr(
            ErrorCode::UnsupportedVersion,
            "/slakit",
            format!(
                "unsupported policy format `slakit: {}`; this version reads `slakit: 1`",
                doc.slakit
            ),
        ));
    }
    crate::limits::check_policy(&doc)?;
    let tz = match &doc.timezone {
        Some(z) => parse_tz(z, "/timezone")?,
        None => Tz::UTC,
    };

    let mut calendars = BTreeMap::new();
    for (name, c) in &doc.calendars.0 {
        if name == "24x7" {
            return Err(perr(
                ErrorCode::InvalidHours,
                format!("/calendars/{name}"),
                "calendar `24x7` is built in and cannot be redefined",
            ));
        }
        calendars.insert(name.clone(), Arc::new(compile_calendar(name, c, tz)?));
    }
    let lookup_calendar = |name: &str, path: &str| -> Result<Arc<Calendar>> {
        if name == "24x7" {
            return Ok(Arc::new(Calendar::always()));
        }
        calendars.get(name).cloned().ok_or_else(|| {
            let known: Vec<&str> = calendars.keys().map(String::as_str).collect();
            let hint = match suggest(name, &known) {
                Some(s) => format!("; did you mean `{s}`?"),
                None if known.is_empty() => {
                    "; the policy defines no calendars (only `24x7` is built in)".to_string()
                }
                None => format!(
                    "; defined: `24x7`, {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            };
            perr(
                ErrorCode::UnknownCalendar,
                path,
                format!("unknown calendar `{name}`{hint}"),
            )
        })
    };

    let declared: BTreeSet<&str> = doc.tiers.iter().map(|t| t.name()).collect();
    let check_tier = |tier: &str, path: &str| -> Result<()> {
        if declared.is_empty() || tier == "default" || declared.contains(tier) {
            Ok(())
        } else {
            Err(perr(
                ErrorCode::UnknownTier,
                path,
                format!("tier `{tier}` is not declared in `tiers`"),
            ))
        }
    };
    let mut seen_tiers = BTreeSet::new();
    for (i, t) in doc.tiers.iter().map(|t| t.name()).enumerate() {
        if !seen_tiers.insert(t) {
            return Err(perr(
                ErrorCode::DuplicateId,
                format!("/tiers/{i}"),
                format!("tier `{t}` is declared twice"),
            ));
        }
    }

    let mut services = BTreeMap::new();
    for (name, s) in &doc.services.0 {
        if let Some(t) = &s.tier {
            check_tier(t, &format!("/services/{name}/tier"))?;
        }
        let retired = match &s.retired {
            Some(d) => Some(parse_date(d, &format!("/services/{name}/retired"))?),
            None => None,
        };
        services.insert(
            name.clone(),
            ServiceEntry {
                tier: s.tier.clone(),
                team: s.team.clone(),
                retired,
            },
        );
    }

    let mut ids = BTreeSet::new();
    let mut exclusions = Vec::new();
    for (i, x) in doc.exclusions.iter().enumerate() {
        let base = format!("/exclusions/{i}");
        if !ids.insert(x.id.clone()) {
            return Err(perr(
                ErrorCode::DuplicateId,
                format!("{base}/id"),
                format!("exclusion id `{}` is used twice", x.id),
            ));
        }
        let span = match (&x.calendar, &x.from, &x.to) {
            (Some(name), None, None) => Span::Calendar {
                name: name.clone(),
                calendar: lookup_calendar(name, &format!("{base}/calendar"))?,
            },
            (None, Some(from), Some(to)) => {
                let from = policy_instant(from, &format!("{base}/from"))?;
                let to = policy_instant(to, &format!("{base}/to"))?;
                if to < from {
                    return Err(perr(
                        ErrorCode::InvalidPolicyInstant,
                        format!("{base}/to"),
                        format!("exclusion `{}` ends before it starts", x.id),
                    ));
                }
                Span::Interval { from, to }
            }
            (Some(_), _, _) => {
                return Err(perr(
                    ErrorCode::InvalidValue,
                    base,
                    format!(
                        "exclusion `{}` gives both `calendar` and `from`/`to`; use one",
                        x.id
                    ),
                ));
            }
            (None, _, _) => {
                return Err(perr(
                    ErrorCode::MissingField,
                    base,
                    format!(
                        "exclusion `{}` needs `from` and `to`, or a `calendar`",
                        x.id
                    ),
                ));
            }
        };
        exclusions.push(Exclusion {
            id: x.id.clone(),
            reason: x.reason.clone(),
            span,
            services: x.services.clone(),
            vendor: x.vendor.clone(),
            effect: x.effect.unwrap_or(Effect::Pause),
            source: "policy",
        });
    }
    let mut exceptions = Vec::new();
    let mut lint: Vec<Warning> = Vec::new();
    for (i, x) in doc.exceptions.iter().enumerate() {
        let base = format!("/exceptions/{i}");
        if !ids.insert(x.id.clone()) {
            return Err(perr(
                ErrorCode::DuplicateId,
                format!("{base}/id"),
                format!("exception id `{}` is used twice", x.id),
            ));
        }
        let from = policy_instant(&x.from, &format!("{base}/from"))?;
        let to = policy_instant(&x.to, &format!("{base}/to"))?;
        if to < from {
            return Err(perr(
                ErrorCode::InvalidPolicyInstant,
                format!("{base}/to"),
                format!("exception `{}` ends before it starts", x.id),
            ));
        }
        let justified_at = match &x.justified_at {
            Some(t) => Some(policy_instant(t, &format!("{base}/justified_at"))?),
            None => None,
        };
        let ex = Exception {
            id: x.id.clone(),
            services: x.services.clone(),
            deployments: x.deployments.clone(),
            from,
            to,
            emergency: x.emergency,
            approved_by: x.approved_by.clone(),
            justification: x.justification.clone(),
            justified_at,
            source: "policy",
        };
        if let Some(w) = org_wide_warning(&ex) {
            lint.push(w);
        }
        exceptions.push(ex);
    }

    let mut slas = Vec::new();
    let mut sla_ids = BTreeSet::new();
    let mut day_units: Vec<(String, Duration, String)> = Vec::new();
    for (i, s) in doc.slas.iter().enumerate() {
        let base = format!("/slas/{i}");
        if !sla_ids.insert(s.id.clone()) {
            return Err(perr(
                ErrorCode::DuplicateId,
                format!("{base}/id"),
                format!("duplicate SLA id `{}`", s.id),
            ));
        }
        let sla_tz = match &s.timezone {
            Some(z) => parse_tz(z, &format!("{base}/timezone"))?,
            None => tz,
        };
        let clock = compile_clock(s, &base, &lookup_calendar)?;
        if s.watch.is_some_and(|w| w.ms <= 0) {
            return Err(perr(
                ErrorCode::InvalidDuration,
                format!("{base}/watch"),
                "`watch` must be longer than `0s`",
            ));
        }
        if s.watch.is_some() && s.kind != SlaKind::PostDeployAvailability {
            return Err(perr(
                ErrorCode::InvalidValue,
                format!("{base}/watch"),
                "`watch` applies only to a `post_deploy_availability` SLA",
            ));
        }
        let window = match s.window {
            WindowDoc::Calendar(u) => Window::Calendar(u),
            WindowDoc::Rolling { rolling } => {
                if rolling.ms <= 0 {
                    return Err(perr(
                        ErrorCode::InvalidDuration,
                        format!("{base}/window/rolling"),
                        "a rolling window must be longer than `0s`",
                    ));
                }
                Window::Rolling(rolling.ms)
            }
        };
        let mut targets = BTreeMap::new();
        let mut days = Vec::new();
        if s.targets.0.is_empty() {
            return Err(perr(
                ErrorCode::InvalidTarget,
                format!("{base}/targets"),
                format!("the SLA `{}` has no targets", s.id),
            ));
        }
        for (tier, t) in &s.targets.0 {
            check_tier(tier, &format!("{base}/targets/{tier}"))?;
            targets.insert(
                tier.clone(),
                compile_target(s.kind, tier, t, &base, &mut days)?,
            );
        }
        if let Some(c) = &clock
            && !c.calendar.is_always()
        {
            for (p, d) in days {
                day_units.push((p, d, c.calendar_name.clone()));
            }
        }
        if let Some(scope) = &s.scope
            && let Some(ScopeList::Include(list) | ScopeList::Exempt { exempt: list }) =
                &scope.tiers
        {
            for (j, t) in list.iter().enumerate() {
                check_tier(t, &format!("{base}/scope/tiers/{j}"))?;
            }
        }
        let mut warn_at = s.warn_at.clone();
        warn_at.sort();
        warn_at.dedup();
        if !warn_at.is_empty()
            && !matches!(
                s.kind,
                SlaKind::Duration | SlaKind::RollbackTime | SlaKind::TimeToRestore
            )
        {
            return Err(perr(
                ErrorCode::InvalidValue,
                format!("{base}/warn_at"),
                format!(
                    "`warn_at` applies to clocks, not to a `{}` SLA",
                    s.kind.as_str()
                ),
            ));
        }
        if s.attribution.is_some() && s.kind != SlaKind::ChangeFailureRate {
            return Err(perr(
                ErrorCode::InvalidValue,
                format!("{base}/attribution"),
                "`attribution` applies only to a `change_failure_rate` SLA",
            ));
        }
        slas.push(Sla {
            id: s.id.clone(),
            kind: s.kind,
            scope: s.scope.clone().unwrap_or_default(),
            clock,
            window,
            tz: sla_tz,
            group_by: s
                .group_by
                .iter()
                .copied()
                .filter(|g| *g != GroupKey::Tier)
                .fold(Vec::new(), |mut v, g| {
                    if !v.contains(&g) {
                        v.push(g);
                    }
                    v
                }),
            targets,
            warn_at,
            attribution_ms: s.attribution.map_or(3_600_000, |d| d.ms),
            watch_ms: s.watch.map_or(3_600_000, |d| d.ms),
        });
    }

    for (path, d, cal) in &day_units {
        lint.push(day_unit_warning(path, d, cal, &calendars));
    }
    lint.extend(crate::continuity::rto_warnings(&doc, &slas));
    lint.sort();
    let gates = match &doc.gates {
        Some(g) => compile_gates(g, &lookup_calendar, &check_tier)?,
        None => Gates::default(),
    };
    let justify_within_ms = doc.justify_within.map_or(5 * 86_400_000, |d| d.ms);
    let exception_review = doc.exception_review.as_ref().map(|r| (r.max, r.per));
    let vendors = crate::vendors::compile(&doc)?;
    let dora = crate::dora::compile(&doc)?;
    if doc.trend_windows.is_some_and(|n| n < 2) {
        return Err(perr(
            ErrorCode::InvalidValue,
            "/trend_windows",
            "`trend_windows` must be at least 2: a rise needs two windows",
        ));
    }
    let digest = crate::report::sha256_hex(&canonical_json(&doc));
    Ok(Policy {
        vendors,
        dora,
        name: doc.name.clone().unwrap_or_default(),
        digest,
        tz,
        calendars,
        services,
        tiers: doc.tiers.iter().map(|t| t.name().to_string()).collect(),
        exclusions,
        exceptions,
        slas,
        justify_within_ms,
        exception_review,
        warnings: lint,
        gates,
        doc,
        versions: Vec::new(),
        audit_freezes: Vec::new(),
    })
}

/// The warning for an exception that suspends the whole organisation.
pub fn org_wide_warning(ex: &Exception) -> Option<Warning> {
    (ex.services.is_none() && ex.deployments.is_none()).then(|| Warning {
        code: "W003".into(),
        message: format!(
            "exception `{}` names neither `services` nor `deployments`: it suspends every deployment of the organisation from {} to {}",
            ex.id,
            instant::format(ex.from),
            instant::format(ex.to)
        ),
    })
}

fn day_unit_warning(
    path: &str,
    d: &Duration,
    cal: &str,
    calendars: &BTreeMap<String, Arc<Calendar>>,
) -> Warning {
    let hours = d.ms / 3_600_000;
    // A reference week (Mon 2024-06-03, no DST change anywhere) gives the usual working day.
    let monday = 1_717_372_800_000_i64;
    let day_ms = 86_400_000_i64;
    let (total, open_days) = calendars.get(cal).map_or((0, 0), |c| {
        (0..7).fold((0, 0), |(t, n), i| {
            let b = c.business(monday + i * day_ms, monday + (i + 1) * day_ms);
            (t + b, n + i64::from(b > 0))
        })
    });
    let per_day = if open_days > 0 { total / open_days } else { 0 };
    let approx = if per_day > 0 {
        let days = (d.ms as f64 / per_day as f64).round() as i64;
        format!(" ≈ {days} working days")
    } else {
        String::new()
    };
    let days = d.ms / 86_400_000;
    let suggestion = if per_day > 0 {
        format!(
            "; write {} for {days} working day(s) of {}",
            units::format_duration(per_day * days.max(1)),
            units::format_duration(per_day)
        )
    } else {
        String::new()
    };
    Warning {
        code: "W002".into(),
        message: format!(
            "`{}` at `{path}` on calendar `{cal}` means {hours} business hours{approx}, not {days} working day(s){suggestion}",
            as_days(d.ms),
        ),
    }
}

/// A duration written with days, as the user wrote it: `2d`, `1d4h`.
fn as_days(ms: i64) -> String {
    let day = 86_400_000;
    match (ms / day, ms % day) {
        (d, 0) => format!("{d}d"),
        (0, _) => units::format_duration(ms),
        (d, rest) => format!("{d}d{}", units::format_duration(rest)),
    }
}

/// Canonical JSON (sorted keys, compact) of the document.
pub fn canonical_json(doc: &PolicyDoc) -> String {
    serde_json::to_value(doc)
        .map(|v| v.to_string())
        .unwrap_or_default()
}
