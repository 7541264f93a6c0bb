//! Resource limits: every bound on what one call may read or compute, in one
//! place, each refused with its own error code (`docs/hardening.md` lists
//! them with their defaults).
//!
//! | limit | default | code |
//! |---|---|---|
//! | policy text | [`crate::policy::MAX_POLICY_BYTES`] (4 MiB) | `E115` |
//! | YAML aliases / anchors / nodes / events / depth | 1 000 / 1 000 / 200 000 / 500 000 / 64 | `E117` |
//! | JSON nesting (policy and records) | 128 | `E117` / `E200` |
//! | calendars, SLAs, pauses, … | the `MAX_*` constants below | `E118` |
//! | records, line length, record bytes | [`crate::record::Limits`] | `E209` |
//! | years from the earliest record to as_of, with a business calendar | [`MAX_CALENDAR_SPAN_YEARS`] | `E212` |
//!
//! The span limit exists because business time is computed by walking local
//! dates: a clock from year 1 to year 9999 on a business calendar costs about
//! a second and a gigabyte of open intervals for `explain`. No SLA spans a
//! century; a record that does is a typo (`0226` for `2026`) or an attack.

use crate::error::{Error, ErrorCode, Result};
use crate::policy::{Policy, PolicyDoc};
use crate::record::Record;

/// Most calendars in one policy.
pub const MAX_CALENDARS: usize = 1_000;
/// Most opening-hour ranges in one calendar (over all its day keys).
pub const MAX_RANGES_PER_CALENDAR: usize = 1_000;
/// Most holidays in one calendar.
pub const MAX_HOLIDAYS_PER_CALENDAR: usize = 100_000;
/// Most entries in the service catalog.
pub const MAX_SERVICES: usize = 100_000;
/// Most tiers.
pub const MAX_TIERS: usize = 1_000;
/// Most SLAs in one policy.
pub const MAX_SLAS: usize = 1_000;
/// Most pause pairs in one clock.
pub const MAX_PAUSES_PER_CLOCK: usize = 100;
/// Most exclusions declared in the policy.
pub const MAX_EXCLUSIONS: usize = 100_000;
/// Most exceptions declared in the policy.
pub const MAX_EXCEPTIONS: usize = 100_000;
/// Most blackouts in `gates`.
pub const MAX_BLACKOUTS: usize = 100_000;
/// The most years from the earliest record to as_of when the policy defines a
/// business calendar.
pub const MAX_CALENDAR_SPAN_YEARS: i64 = 100;
/// [`MAX_CALENDAR_SPAN_YEARS`] in milliseconds (365.25-day years).
pub const MAX_CALENDAR_SPAN_MS: i64 = MAX_CALENDAR_SPAN_YEARS * 31_557_600_000;

/// `0001-01-01T00:00:00Z` and `9999-12-31T23:59:59.999Z`, the instants SPEC §1.4 accepts.
const MIN_INSTANT_MS: i64 = -62_135_596_800_000;
const MAX_INSTANT_MS: i64 = 253_402_300_799_999;

fn too_many(path: &str, what: &str, n: usize, max: usize) -> Result<()> {
    if n > max {
        return Err(Error::new(
            ErrorCode::PolicyTooManyItems,
            format!("the policy has {n} {what}, more than the limit of {max}"),
        )
        .at_path(path));
    }
    Ok(())
}

/// Count the policy's entries against the `MAX_*` limits (`E118`), before
/// anything is compiled.
pub(crate) fn check_policy(doc: &PolicyDoc) -> Result<()> {
    too_many(
        "/calendars",
        "calendars",
        doc.calendars.0.len(),
        MAX_CALENDARS,
    )?;
    for (name, cal) in &doc.calendars.0 {
        let ranges = cal.hours.0.values().map(Vec::len).sum();
        too_many(
            &format!("/calendars/{name}/hours"),
            &format!("opening-hour ranges in calendar `{name}`"),
            ranges,
            MAX_RANGES_PER_CALENDAR,
        )?;
        too_many(
            &format!("/calendars/{name}/holidays"),
            &format!("holidays in calendar `{name}`"),
            cal.holidays.len(),
            MAX_HOLIDAYS_PER_CALENDAR,
        )?;
    }
    too_many("/services", "services", doc.services.0.len(), MAX_SERVICES)?;
    too_many("/tiers", "tiers", doc.tiers.len(), MAX_TIERS)?;
    too_many("/slas", "SLAs", doc.slas.len(), MAX_SLAS)?;
    for (i, sla) in doc.slas.iter().enumerate() {
        let pauses = sla
            .clock
            .as_ref()
            .and_then(|c| c.pauses.as_ref())
            .map_or(0, Vec::len);
        too_many(
            &format!("/slas/{i}/clock/pauses"),
            &format!("pauses in the clock of SLA `{}`", sla.id),
            pauses,
            MAX_PAUSES_PER_CLOCK,
        )?;
    }
    too_many(
        "/exclusions",
        "exclusions",
        doc.exclusions.len(),
        MAX_EXCLUSIONS,
    )?;
    too_many(
        "/exceptions",
        "exceptions",
        doc.exceptions.len(),
        MAX_EXCEPTIONS,
    )?;
    if let Some(g) = &doc.gates {
        too_many(
            "/gates/blackouts",
            "blackouts",
            g.blackouts.len(),
            MAX_BLACKOUTS,
        )?;
    }
    Ok(())
}

/// [`check_span`] for a policy and each of its versions (a version may
/// bring the first business calendar), over a slice of records.
pub(crate) fn check_spans(policy: &Policy, records: &[Record], as_of: i64) -> Result<()> {
    check_span(policy, records.iter().enumerate(), as_of)?;
    for v in &policy.versions {
        check_span(&v.policy, records.iter().enumerate(), as_of)?;
    }
    Ok(())
}

/// Refuse records (with their input positions) that reach more than
/// [`MAX_CALENDAR_SPAN_YEARS`] back from `as_of` when the policy defines a business calendar (`E212`, at the
/// earliest such record). Records after `as_of` are ignored by evaluation and
/// do not count.
pub(crate) fn check_span<'a>(
    policy: &Policy,
    records: impl IntoIterator<Item = (usize, &'a Record)>,
    as_of: i64,
) -> Result<()> {
    // An as_of outside years 0001-9999 is the evaluation's own error (`E300`).
    if policy.calendars.is_empty() || !(MIN_INSTANT_MS..=MAX_INSTANT_MS).contains(&as_of) {
        return Ok(());
    }
    let floor = as_of.saturating_sub(MAX_CALENDAR_SPAN_MS);
    let earliest = records
        .into_iter()
        .filter_map(|(i, r)| r.instant().map(|t| (t, i, r.origin().line_number())))
        .filter(|&(t, ..)| t < floor)
        .min();
    match earliest {
        None => Ok(()),
        Some((t, i, line)) => Err(Error::new(
            ErrorCode::SpanTooLong,
            format!(
                "record at {} is more than {MAX_CALENDAR_SPAN_YEARS} years before as_of {}; business calendars are walked over at most {MAX_CALENDAR_SPAN_YEARS} years",
                crate::instant::format(t),
                crate::instant::format(as_of),
            ),
        )
        .at_record(i, line)),
    }
}
