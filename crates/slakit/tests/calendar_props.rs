//! Property tests for business time (SPEC §4): additivity, bounds, the
//! `breach_at` inverse, `is_open` / `open_intervals` consistency, and
//! agreement with a slow day-by-day reference without the week shortcut.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly on purpose"
)]

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Days, NaiveDate, NaiveDateTime};
use chrono_tz::Tz;
use proptest::prelude::*;
use slakit::calendar::{Calendar, local_date, local_to_utc};

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;
/// 2010-01-01T00:00:00Z and 2030-01-01T00:00:00Z.
const FROM_2010: i64 = 1_262_304_000_000;
const TO_2030: i64 = 1_893_456_000_000;

const ZONES: [&str; 10] = [
    "America/New_York",
    "Australia/Lord_Howe",
    "Europe/Dublin",
    "Asia/Kolkata",
    "Pacific/Apia",
    "America/Havana",
    "America/Sao_Paulo",
    "Asia/Gaza",
    "Europe/Moscow",
    "UTC",
];

/// Instants near odd transitions, to land spans on them more often.
const NEAR: [&str; 9] = [
    "2011-12-30T10:00:00Z", // Apia skips 2011-12-30
    "2024-03-10T07:00:00Z", // New York spring forward
    "2024-11-03T06:00:00Z", // New York fall back
    "2024-03-31T01:00:00Z", // Dublin
    "2024-10-27T01:00:00Z", // Dublin
    "2024-04-06T15:00:00Z", // Lord Howe fold (30 min)
    "2024-10-05T15:30:00Z", // Lord Howe gap (30 min)
    "2018-11-04T03:00:00Z", // Sao Paulo DST at midnight
    "2014-10-25T22:00:00Z", // Moscow
];

fn ms(rfc3339: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap()
        .timestamp_millis()
}

/// A random calendar, kept as raw parts so failures print readably.
#[derive(Clone, Debug)]
struct Spec {
    zone: &'static str,
    week: [Vec<(u32, u32)>; 7],
    /// Holidays as day offsets from the UTC date of the span start.
    holiday_offsets: Vec<i64>,
}

impl Spec {
    fn tz(&self) -> Tz {
        self.zone.parse().unwrap()
    }

    fn holidays(&self, anchor: i64) -> BTreeSet<NaiveDate> {
        let base = DateTime::from_timestamp_millis(anchor)
            .unwrap()
            .date_naive();
        self.holiday_offsets
            .iter()
            .map(|&k| {
                if k >= 0 {
                    base.checked_add_days(Days::new(k as u64)).unwrap()
                } else {
                    base.checked_sub_days(Days::new(k.unsigned_abs())).unwrap()
                }
            })
            .collect()
    }

    fn calendar(&self, anchor: i64) -> Calendar {
        Calendar::new(self.tz(), self.week.clone(), self.holidays(anchor))
    }
}

fn minute() -> impl Strategy<Value = u32> {
    prop_oneof![
        prop::sample::select(vec![
            0u32, 30, 60, 90, 120, 150, 180, 540, 1020, 1380, 1410, 1440
        ]),
        0u32..=1440,
    ]
}

fn range() -> impl Strategy<Value = (u32, u32)> {
    (minute(), minute()).prop_map(|(x, y)| {
        let (s, e) = (x.min(y), x.max(y));
        if s == e {
            if e == 1440 { (1439, 1440) } else { (s, s + 1) }
        } else {
            (s, e)
        }
    })
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::sample::select(ZONES.to_vec()),
        prop::array::uniform7(prop::collection::vec(range(), 0..3)),
        prop::collection::vec(-3i64..130, 0..6),
    )
        .prop_map(|(zone, week, holiday_offsets)| Spec {
            zone,
            week,
            holiday_offsets,
        })
}

/// An instant in 2010..2030, often within ten days of an odd transition.
fn instant() -> impl Strategy<Value = i64> {
    prop_oneof![
        2 => FROM_2010..TO_2030,
        1 => (prop::sample::select(NEAR.to_vec()), -10 * DAY..10 * DAY)
            .prop_map(|(near, delta)| ms(near) + delta),
    ]
}

/// A span length up to ~120 days, often a round number of hours.
fn span() -> impl Strategy<Value = i64> {
    prop_oneof![
        0..120 * DAY,
        (0i64..120 * 24).prop_map(|h| h * HOUR),
        0..2 * DAY,
    ]
}

/// Unions half-open intervals.
fn union(mut intervals: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    intervals.retain(|(s, e)| s < e);
    intervals.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (s, e) in intervals {
        match out.last_mut() {
            Some(last) if last.1 >= s => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// The slow reference: every local date around [a, b), every raw range
/// mapped end by end, all unioned, clipped to [a, b). No week shortcut, no
/// merging of ranges before conversion.
fn reference(spec: &Spec, holidays: &BTreeSet<NaiveDate>, a: i64, b: i64) -> i64 {
    if b <= a {
        return 0;
    }
    let tz = spec.tz();
    let first = local_date(tz, a).checked_sub_days(Days::new(2)).unwrap();
    let last = local_date(tz, b).checked_add_days(Days::new(2)).unwrap();
    let mut intervals = Vec::new();
    for d in first.iter_days().take_while(|d| *d <= last) {
        if holidays.contains(&d) {
            continue;
        }
        for &(s, e) in &spec.week[d.weekday().num_days_from_monday() as usize] {
            intervals.push((local_to_utc(tz, d, s), local_to_utc(tz, d, e)));
        }
    }
    union(intervals)
        .into_iter()
        .map(|(s, e)| (e.min(b) - s.max(a)).max(0))
        .sum()
}

/// The wall clock of `tz` at instant `t`, at millisecond precision.
fn wall(tz: Tz, t: i64) -> NaiveDateTime {
    DateTime::from_timestamp_millis(t)
        .unwrap()
        .with_timezone(&tz)
        .naive_local()
}

proptest! {
    #[test]
    fn business_is_additive(spec in spec(), a in instant(), x in span(), y in span()) {
        let cal = spec.calendar(a);
        let (b, c) = (a + x, a + x + y);
        prop_assert_eq!(cal.business(a, c), cal.business(a, b) + cal.business(b, c));
    }

    #[test]
    fn business_is_bounded_by_wall_time(spec in spec(), a in instant(), x in span()) {
        let cal = spec.calendar(a);
        let b = a + x;
        let t = cal.business(a, b);
        prop_assert!((0..=b - a).contains(&t), "business {} of a {} ms span", t, b - a);
        prop_assert_eq!(cal.business(b, a), if b > a { 0 } else { t });
    }

    #[test]
    fn business_matches_the_slow_reference(spec in spec(), a in instant(), x in span()) {
        let cal = spec.calendar(a);
        let b = a + x;
        prop_assert_eq!(cal.business(a, b), reference(&spec, &spec.holidays(a), a, b));
    }

    #[test]
    fn breach_at_inverts_business(spec in spec(), a in instant(), x in span()) {
        let cal = spec.calendar(a);
        let b = a + x;
        let amount = cal.business(a, b);
        let t = cal.breach_at(a, amount);
        prop_assert!(t.is_some(), "breach_at({}, {}) is None", a, amount);
        let t = t.unwrap();
        prop_assert!(a <= t && t <= b, "breach_at {} outside [{}, {}]", t, a, b);
        prop_assert_eq!(cal.business(a, t), amount);
        if amount > 0 {
            // The smallest such instant.
            prop_assert!(cal.business(a, t - 1) < amount);
        } else {
            prop_assert_eq!(t, a);
        }
    }

    #[test]
    fn business_of_breach_at_is_the_amount(
        spec in spec(),
        a in instant(),
        amount in prop_oneof![0..400 * HOUR, (0i64..400).prop_map(|h| h * HOUR)],
    ) {
        let cal = spec.calendar(a);
        match cal.breach_at(a, amount) {
            Some(t) => {
                prop_assert!(t >= a);
                prop_assert_eq!(cal.business(a, t), amount);
                if amount > 0 {
                    prop_assert!(cal.business(a, t - 1) < amount);
                    // The deadline is an open instant's end: open just before it.
                    prop_assert!(cal.is_open(t - 1));
                }
            }
            None => {
                // Only a calendar without any hours never opens here.
                prop_assert!(spec.week.iter().all(Vec::is_empty), "None for {:?}", spec);
            }
        }
    }

    #[test]
    fn open_intervals_agree_with_business_and_is_open(
        spec in spec(),
        a in instant(),
        x in span(),
        probes in prop::collection::vec(0.0f64..1.0, 0..16),
    ) {
        let cal = spec.calendar(a);
        let b = a + x;
        let intervals = cal.open_intervals(a, b);
        let total: i64 = intervals.iter().map(|(s, e)| e - s).sum();
        prop_assert_eq!(total, cal.business(a, b));
        for w in intervals.windows(2) {
            prop_assert!(w[0].1 < w[1].0, "not merged or not ordered: {:?}", w);
        }
        for &(s, e) in &intervals {
            prop_assert!(a <= s && s < e && e <= b);
            prop_assert!(cal.is_open(s));
            prop_assert!(cal.is_open(e - 1));
            if s > a {
                prop_assert!(!cal.is_open(s - 1));
            }
            if e < b {
                prop_assert!(!cal.is_open(e));
            }
        }
        for p in probes {
            let t = a + ((b - a) as f64 * p) as i64;
            if t < b {
                let inside = intervals.iter().any(|&(s, e)| s <= t && t < e);
                prop_assert_eq!(cal.is_open(t), inside, "at {}", t);
                prop_assert_eq!(cal.business(t, t + 1), i64::from(inside));
            }
        }
    }

    #[test]
    fn local_to_utc_is_the_first_instant_at_or_after_the_wall_time(
        zone in prop::sample::select(ZONES.to_vec()),
        a in instant(),
        minute in 0u32..=1440,
    ) {
        let tz: Tz = zone.parse().unwrap();
        let day = local_date(tz, a);
        let t = local_to_utc(tz, day, minute);
        let target = day.and_hms_opt(0, 0, 0).unwrap() + chrono::Duration::minutes(i64::from(minute));
        // At t the wall clock has reached the target; just before, it had not.
        prop_assert!(wall(tz, t) >= target, "{} {} {}: wall {}", zone, day, minute, wall(tz, t));
        prop_assert!(wall(tz, t - 1) < target, "{} {} {}: not the first instant", zone, day, minute);
        if minute < 1440 {
            prop_assert!(t <= local_to_utc(tz, day, minute + 1));
        }
    }

    #[test]
    fn far_future_dates_keep_their_local_date(
        zone in prop::sample::select(ZONES.to_vec()),
        days in 0i64..2_900_000,
        minute in 0u32..1440,
    ) {
        // 2100-01-01 onwards, past chrono-tz's tables: no panic, monotone,
        // and the instant falls on its own local date.
        let tz: Tz = zone.parse().unwrap();
        let day = NaiveDate::from_ymd_opt(2100, 1, 1).unwrap() + Days::new(days as u64);
        let t = local_to_utc(tz, day, minute);
        prop_assert!(t <= local_to_utc(tz, day, minute + 1));
        prop_assert!(local_to_utc(tz, day, 0) <= t);
        prop_assert_eq!(local_date(tz, t), day);
    }
}
