//! Vendors (SPEC §9): what third parties promised, what they delivered,
//! the credits they owe, and where their outages touched our own breaches.
//!
//! Everything here is computed in the finishing phase from the interval
//! records (outages, exclusions) and the policy, so it is the same whether
//! the report comes from `evaluate` or from merged partials.
//!
//! - **Availability** of a vendor in a month (calendar month in the policy
//!   zone) = 1 − down / month length, where `down` is the union of the
//!   outage time attributed to the vendor (`outage.vendor`) inside the
//!   month, cut at as_of, minus the `pause` exclusions that apply to the
//!   vendor (those naming it in `vendor`, or naming no vendor and either no
//!   `services` or one of the vendor's services). Held as integer ppm,
//!   rounded down; `met` is `availability >= promised`, exactly.
//! - **Credit**: the credit of the tightest (lowest) `below` threshold that
//!   the availability is strictly under; `credit_amount` = `monthly_fee` ×
//!   credit, to the cent, rounded half-up.
//! - **Exit clause**: `exit_after: {breaches: N, within: M}` is reached in a
//!   month when that month and the M − 1 before it hold N or more breached
//!   months (at exactly N it is reached).
//! - **Coverage gap**: a catalog service whose own `availability` promise is
//!   stricter than the product of the promises of the vendors it depends on.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{ErrorCode, Result};
use crate::evaluate::{World, union};
use crate::instant;
use crate::policy::{Policy, PolicyDoc, Scalar, WindowUnit, perr};
use crate::record::{Effect, Outage};
use crate::report::{Breach, Evidence, Finding, ResultRow, VendorOverlap, VendorRow};
use crate::units::{Ppm, format_duration, parse_decimal_scaled};
use crate::window::{next_window, window_of};

const PPM: i128 = 1_000_000;

/// `vendors:` entry as written.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct VendorDoc {
    /// Unique id; outages name it in their `vendor` field.
    pub id: String,
    /// The internal services that depend on it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<String>,
    /// Promised availability per calendar month (policy zone).
    pub availability: Ppm,
    /// The service-credit schedule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub credits: Vec<CreditDoc>,
    /// The monthly fee (a number with at most 2 decimals), for `credit_amount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_fee: Option<Scalar>,
    /// When the contract may be terminated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_after: Option<ExitAfterDoc>,
}

/// One step of a credit schedule: `{below: 99.9%, credit: 10%}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CreditDoc {
    /// The availability strictly under which the credit is owed.
    pub below: Ppm,
    /// The share of the monthly fee credited.
    pub credit: Ppm,
}

/// `exit_after: {breaches: N, within: M}`.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ExitAfterDoc {
    /// Breached months needed.
    pub breaches: u32,
    /// In the last this many months.
    pub within: u32,
}

/// A compiled vendor.
#[derive(Debug, Clone, PartialEq)]
pub struct Vendor {
    /// Id.
    pub id: String,
    /// Dependent services.
    pub services: Vec<String>,
    /// Promised availability.
    pub availability: Ppm,
    /// `(below, credit)`, by `below` ascending (the tightest first).
    pub credits: Vec<(Ppm, Ppm)>,
    /// The monthly fee in cents.
    pub monthly_fee_cents: Option<i64>,
    /// `(breaches, within)`.
    pub exit_after: Option<(u32, u32)>,
}

/// Validate the `vendors:` section.
pub(crate) fn compile(doc: &PolicyDoc) -> Result<Vec<Vendor>> {
    let mut out: Vec<Vendor> = Vec::new();
    for (i, v) in doc.vendors.iter().enumerate() {
        let base = format!("/vendors/{i}");
        if v.id.trim().is_empty() {
            return Err(perr(
                ErrorCode::InvalidValue,
                format!("{base}/id"),
                "a vendor needs a non-empty `id`",
            ));
        }
        if out.iter().any(|o| o.id == v.id) {
            return Err(perr(
                ErrorCode::DuplicateId,
                format!("{base}/id"),
                format!("vendor `{}` is declared twice", v.id),
            ));
        }
        let ppm_ok = |p: Ppm| (0..=1_000_000).contains(&p.0);
        if !ppm_ok(v.availability) {
            return Err(perr(
                ErrorCode::InvalidPercentage,
                format!("{base}/availability"),
                format!(
                    "vendor `{}` promises an availability outside 0%..100%",
                    v.id
                ),
            ));
        }
        let mut credits = Vec::new();
        for (j, c) in v.credits.iter().enumerate() {
            let path = format!("{base}/credits/{j}");
            if !ppm_ok(c.below) || !ppm_ok(c.credit) {
                return Err(perr(
                    ErrorCode::InvalidPercentage,
                    path,
                    "`below` and `credit` must lie between 0% and 100%",
                ));
            }
            if credits.iter().any(|(b, _)| *b == c.below) {
                return Err(perr(
                    ErrorCode::InvalidValue,
                    format!("{path}/below"),
                    format!(
                        "vendor `{}` has two credit steps below {}",
                        v.id,
                        pct(c.below)
                    ),
                ));
            }
            credits.push((c.below, c.credit));
        }
        credits.sort();
        let monthly_fee_cents = match &v.monthly_fee {
            None => None,
            Some(s) => {
                let text = s.to_string();
                let cents = match s {
                    Scalar::Int(n) if *n >= 0 => n.checked_mul(100).ok_or(false),
                    Scalar::Int(_) => Err(false),
                    _ => parse_decimal_scaled(text.trim(), 2),
                };
                Some(cents.map_err(|fine| {
                    let why = if fine {
                        "has more than 2 decimals"
                    } else {
                        "is not a non-negative amount such as `12000` or `999.50`"
                    };
                    perr(
                        ErrorCode::InvalidValue,
                        format!("{base}/monthly_fee"),
                        format!("`monthly_fee` `{text}` {why}"),
                    )
                })?)
            }
        };
        let exit_after = match &v.exit_after {
            None => None,
            Some(e) => {
                if e.breaches == 0 || e.within < e.breaches {
                    return Err(perr(
                        ErrorCode::InvalidValue,
                        format!("{base}/exit_after"),
                        format!(
                            "`exit_after: {{breaches: {}, within: {}}}` can never be reached or is always reached: write 1 ≤ breaches ≤ within",
                            e.breaches, e.within
                        ),
                    ));
                }
                Some((e.breaches, e.within))
            }
        };
        out.push(Vendor {
            id: v.id.clone(),
            services: v.services.clone(),
            availability: v.availability,
            credits,
            monthly_fee_cents,
            exit_after,
        });
    }
    Ok(out)
}

/// A percentage for messages: `99.9%`.
pub(crate) fn pct(p: Ppm) -> String {
    let whole = p.0 / 10_000;
    let frac = p.0 % 10_000;
    if frac == 0 {
        format!("{whole}%")
    } else {
        let f = format!("{frac:04}");
        format!("{whole}.{}%", f.trim_end_matches('0'))
    }
}

/// The intervals of vendor-attributed outage time, cut at as_of, unioned.
fn vendor_down(world: &World, vendor: &str) -> Vec<(i64, i64)> {
    union(
        world
            .outages
            .iter()
            .filter(|o| o.vendor.as_deref() == Some(vendor))
            .map(|o| (o.from, o.to.unwrap_or(world.as_of).min(world.as_of))),
    )
}

/// Length of the intersection of two sorted disjoint interval lists.
fn overlap(a: &[(i64, i64)], b: &[(i64, i64)]) -> i64 {
    a.iter()
        .map(|&(a0, a1)| {
            b.iter()
                .map(|&(b0, b1)| (a1.min(b1) - a0.max(b0)).max(0))
                .sum::<i64>()
        })
        .sum()
}

/// The vendor's down time inside `[a, b)`, minus the pause exclusions that
/// apply to it.
fn down_in(world: &World, v: &Vendor, down: &[(i64, i64)], a: i64, b: i64) -> i64 {
    let clipped: Vec<(i64, i64)> = down
        .iter()
        .map(|&(x, y)| (x.max(a), y.min(b)))
        .filter(|(x, y)| x < y)
        .collect();
    if clipped.is_empty() {
        return 0;
    }
    let paused = union(
        world
            .exclusions
            .iter()
            .filter(|x| x.effect == Effect::Pause && applies_to(x, v))
            .flat_map(|x| x.intervals(a, b)),
    );
    let total: i64 = clipped.iter().map(|(x, y)| y - x).sum();
    total - overlap(&clipped, &paused)
}

fn applies_to(x: &crate::policy::Exclusion, v: &Vendor) -> bool {
    match &x.vendor {
        Some(id) => *id == v.id,
        None => match &x.services {
            None => true,
            Some(list) => list.iter().any(|s| v.services.contains(s)),
        },
    }
}

/// The report's `vendors` section: one row per vendor and month, from the
/// month of `first` (the earliest deployment anchor) or of the vendor's
/// first outage, whichever is earlier, to the month containing as_of.
pub(crate) fn rows(policy: &Policy, world: &World, first: Option<i64>) -> Vec<VendorRow> {
    let as_of = world.as_of;
    let mut out = Vec::new();
    for v in &policy.vendors {
        let down = vendor_down(world, &v.id);
        let start = match (first, down.first().map(|d| d.0)) {
            (Some(a), Some(b)) => a.min(b),
            (a, b) => match a.or(b) {
                Some(t) => t,
                None => continue,
            },
        };
        let mut w = window_of(WindowUnit::Month, policy.tz, start.min(as_of));
        // At most a century of months: a guard, not a limit anyone meets.
        for _ in 0..1200 {
            if w.start > as_of {
                break;
            }
            let len = w.end - w.start;
            let down_ms = down_in(world, v, &down, w.start, w.end.min(as_of));
            let avail = if len > 0 {
                (i128::from(len - down_ms) * PPM).div_euclid(i128::from(len))
            } else {
                PPM
            };
            let avail = i64::try_from(avail).unwrap_or(0);
            let credit = v
                .credits
                .iter()
                .find(|(below, _)| avail < below.0)
                .map_or(Ppm(0), |c| c.1);
            let credit_amount = v.monthly_fee_cents.map(|fee| {
                let cents = (i128::from(fee) * i128::from(credit.0) * 2 + PPM).div_euclid(2 * PPM);
                cents as f64 / 100.0
            });
            let outages: Vec<Evidence> = world
                .outages
                .iter()
                .filter(|o| {
                    o.vendor.as_deref() == Some(v.id.as_str())
                        && o.from < w.end
                        && o.to.is_none_or(|t| t > w.start)
                })
                .map(|o| Evidence {
                    kind: "outage".into(),
                    id: o.id.as_deref().map(crate::report::Text::from),
                    event: None,
                    time: Some(instant::format_text(o.from)),
                    role: "vendor_outage".into(),
                })
                .collect();
            out.push(VendorRow {
                vendor: v.id.clone(),
                window: crate::report::VendorWindow {
                    start: instant::format(w.start),
                    end: instant::format(w.end),
                    state: if as_of < w.end { "open" } else { "closed" }.into(),
                    label: w.first_day.format("%Y-%m").to_string(),
                },
                down_ms,
                availability: avail as f64 / 1_000_000.0,
                promised: v.availability.ratio(),
                met: avail >= v.availability.0,
                credit: credit.ratio(),
                credit_amount,
                outages,
            });
            w = next_window(WindowUnit::Month, policy.tz, &w);
        }
    }
    out
}

/// `vendor_exit_clause` (reached — at exactly N — in some month; reported
/// once per vendor, at the first month it is reached) and `coverage_gap`.
pub(crate) fn findings(policy: &Policy, rows: &[VendorRow]) -> Vec<Finding> {
    let mut out = Vec::new();
    for v in &policy.vendors {
        let Some((n, m)) = v.exit_after else { continue };
        let mine: Vec<&VendorRow> = rows.iter().filter(|r| r.vendor == v.id).collect();
        for i in 0..mine.len() {
            let from = (i + 1).saturating_sub(m as usize);
            let breached: Vec<&str> = mine
                .get(from..=i)
                .unwrap_or_default()
                .iter()
                .filter(|r| !r.met)
                .map(|r| r.window.label.as_str())
                .collect();
            if breached.len() >= n as usize {
                let month = mine
                    .get(i)
                    .map(|r| r.window.label.clone())
                    .unwrap_or_default();
                let mut details = BTreeMap::new();
                details.insert("vendor".into(), Value::from(v.id.clone()));
                details.insert("month".into(), Value::from(month.clone()));
                details.insert("breaches".into(), Value::from(n));
                details.insert("within".into(), Value::from(m));
                details.insert("breached_months".into(), Value::from(breached.clone()));
                out.push(Finding {
                    kind: "vendor_exit_clause".into(),
                    message: format!(
                        "vendor `{}` missed its {} availability promise in {} of the last {m} months up to {month} ({}): its exit clause ({n} breached months within {m}) is reached",
                        v.id,
                        pct(v.availability),
                        breached.len(),
                        breached.join(", ")
                    ),
                    details,
                });
                break;
            }
        }
    }
    out.extend(coverage_gaps(policy));
    out
}

/// Services promising more than their vendors' promises multiply to.
pub(crate) fn coverage_gaps(policy: &Policy) -> Vec<Finding> {
    let mut out = Vec::new();
    for (name, s) in &policy.doc.services.0 {
        let Some(own) = s.availability else { continue };
        let deps: Vec<&Vendor> = policy
            .vendors
            .iter()
            .filter(|v| v.services.contains(name))
            .collect();
        if deps.is_empty() {
            continue;
        }
        // own / 10^6 > Π p_i / 10^6  ⇔  own · 10^(6(k−1)) > Π p_i, exactly,
        // while it fits; beyond that, the product in ppm rounded down.
        let exact = deps.iter().try_fold((1i128, 1i128), |(prod, scale), v| {
            Some((
                prod.checked_mul(i128::from(v.availability.0))?,
                scale.checked_mul(PPM)?,
            ))
        });
        let (gap, combined) = match exact {
            Some((prod, scale)) => {
                let lhs = i128::from(own.0).checked_mul(scale / PPM);
                (
                    lhs.is_none_or(|l| l > prod),
                    crate::units::ratio6(prod, scale),
                )
            }
            None => {
                let p = deps
                    .iter()
                    .fold(PPM, |acc, v| acc * i128::from(v.availability.0) / PPM);
                (i128::from(own.0) > p, crate::units::ratio6(p, PPM))
            }
        };
        if !gap {
            continue;
        }
        let combined = combined.unwrap_or(0.0);
        let mut details = BTreeMap::new();
        details.insert("service".into(), Value::from(name.clone()));
        details.insert("promised".into(), Value::from(own.ratio()));
        details.insert("combined".into(), Value::from(combined));
        details.insert(
            "vendors".into(),
            Value::from(deps.iter().map(|v| v.id.clone()).collect::<Vec<_>>()),
        );
        out.push(Finding {
            kind: "coverage_gap".into(),
            message: format!(
                "service `{name}` promises {} but depends on {}, whose promises combine to only {:.4}%",
                pct(own),
                deps.iter()
                    .map(|v| format!("`{}` ({})", v.id, pct(v.availability)))
                    .collect::<Vec<_>>()
                    .join(" and "),
                combined * 100.0
            ),
            details,
        });
    }
    out
}

/// Vendor-attributed outage time inside each breached clock: on the
/// breach as `vendor_overlap`, and in words in its reason. An outage is
/// relevant to a deployment when it names a vendor and either its service is
/// the deployment's, or the vendor (declared in `vendors:`) lists that service.
///
/// The vendor outages under every service they concern: built once, read
/// by every SLA's task.
pub(crate) struct VendorIndex<'w> {
    world: &'w World,
    /// Each vendor outage under its own service and those of the vendors
    /// it names (in the outages' order), so that a breach reads only its
    /// service's list.
    by_service: BTreeMap<&'w str, Vec<&'w Outage>>,
}

impl<'w> VendorIndex<'w> {
    pub(crate) fn new(policy: &'w Policy, world: &'w World) -> Self {
        let mut by_service: BTreeMap<&str, Vec<&Outage>> = BTreeMap::new();
        for o in &world.outages {
            let Some(v) = o.vendor.as_deref() else {
                continue;
            };
            let mut services: Vec<&str> = policy
                .vendors
                .iter()
                .filter(|d| d.id == v)
                .flat_map(|d| d.services.iter().map(String::as_str))
                .chain([o.service.as_str()])
                .collect();
            services.sort_unstable();
            services.dedup();
            for s in services {
                by_service.entry(s).or_default().push(o);
            }
        }
        VendorIndex { world, by_service }
    }

    /// Name on each breach of `results` the vendor outages that overlap its
    /// clock's span (`spans`, by breach id; a breach without one is left
    /// alone).
    pub(crate) fn annotate(&self, results: &mut [ResultRow], spans: &BTreeMap<String, (i64, i64)>) {
        if self.by_service.is_empty() {
            return;
        }
        for row in results {
            for b in &mut row.breaches {
                let Some(&(a, z)) = spans.get(&b.id) else {
                    continue;
                };
                let outages = b
                    .service
                    .as_deref()
                    .and_then(|s| self.by_service.get(s))
                    .map_or(&[][..], Vec::as_slice);
                annotate(self.world, b, a, z, outages);
            }
        }
    }
}

/// Name the vendor outages among `outages` (those of the breach's service)
/// that overlap the breached clock's span `[a, z)`.
fn annotate(world: &World, b: &mut Breach, a: i64, z: i64, outages: &[&Outage]) {
    let mut by_vendor: BTreeMap<&str, Vec<(i64, i64)>> = BTreeMap::new();
    for o in outages {
        let Some(v) = o.vendor.as_deref() else {
            continue;
        };
        let (x, y) = (o.from.max(a), o.to.unwrap_or(world.as_of).min(z));
        if x < y {
            by_vendor.entry(v).or_default().push((x, y));
        }
    }
    let mut words = Vec::new();
    for (v, iv) in by_vendor {
        let ms: i64 = union(iv.into_iter()).iter().map(|(x, y)| y - x).sum();
        if ms > 0 {
            words.push(format!("{} of {v} outage", format_duration(ms)));
            b.vendor_overlap.push(VendorOverlap {
                vendor: v.to_string(),
                ms,
            });
        }
    }
    if !words.is_empty() {
        b.reason = format!("{}; overlapped {}", b.reason, words.join(" and "));
    }
}
