//! Continuity (SPEC §9b): tiers may declare their recovery objectives, and
//! `check` warns (`W010`) when a rollback or restore target allows longer
//! than the tier's recovery time objective.
//!
//! ```yaml
//! tiers:
//!   - {name: tier1, rto: 15m, rpo: 5m}
//!   - tier2
//! ```

use std::fmt;

use serde::de::{self, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::policy::{PolicyDoc, Sla, SlaKind, Target};
use crate::report::Warning;
use crate::units::{Duration, format_duration};

/// A `tiers:` entry: a name, or a name with recovery objectives.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum TierDoc {
    /// `tier1`.
    Name(String),
    /// `{name: tier1, rto: 15m, rpo: 5m}`.
    Full(TierSpec),
}

/// A tier with its recovery objectives.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TierSpec {
    /// The tier's name.
    pub name: String,
    /// Recovery time objective: the longest a service of this tier may stay down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rto: Option<Duration>,
    /// Recovery point objective: the most data it may lose (recorded, not judged).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rpo: Option<Duration>,
}

impl TierDoc {
    /// The tier's name.
    pub fn name(&self) -> &str {
        match self {
            TierDoc::Name(n) => n,
            TierDoc::Full(s) => &s.name,
        }
    }

    /// The tier's RTO, if declared.
    pub fn rto(&self) -> Option<Duration> {
        match self {
            TierDoc::Name(_) => None,
            TierDoc::Full(s) => s.rto,
        }
    }
}

impl<'de> Deserialize<'de> for TierDoc {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TierDoc;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a tier name, or `{name, rto, rpo}`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TierDoc, E> {
                Ok(TierDoc::Name(v.to_string()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<TierDoc, A::Error> {
                TierSpec::deserialize(de::value::MapAccessDeserializer::new(map)).map(TierDoc::Full)
            }
        }
        d.deserialize_any(V)
    }
}

/// `W010`: a rollback_time or time_to_restore target (a tier's own, or the
/// `default` one it falls back to) longer than the tier's RTO.
pub(crate) fn rto_warnings(doc: &PolicyDoc, slas: &[Sla]) -> Vec<Warning> {
    let mut out = Vec::new();
    for tier in &doc.tiers {
        let Some(rto) = tier.rto() else { continue };
        for sla in slas
            .iter()
            .filter(|s| matches!(s.kind, SlaKind::RollbackTime | SlaKind::TimeToRestore))
        {
            let own = sla.targets.contains_key(tier.name());
            let Some(Target::Duration { max_ms, .. }) = sla.target_for(tier.name()) else {
                continue;
            };
            if *max_ms > rto.ms {
                let what = if sla.kind == SlaKind::RollbackTime {
                    "a rollback"
                } else {
                    "a restore"
                };
                let whose = if own {
                    format!("its `{}` target", tier.name())
                } else {
                    "its `default` target".to_string()
                };
                out.push(Warning {
                    code: "W010".into(),
                    message: format!(
                        "SLA `{}` allows {} ({whose}) for tier `{}`, longer than the tier's RTO of {}: {what} that meets the SLA can still miss the recovery objective",
                        sla.id,
                        format_duration(*max_ms),
                        tier.name(),
                        format_duration(rto.ms)
                    ),
                });
            }
        }
    }
    out
}
