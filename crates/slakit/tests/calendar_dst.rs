//! DST tables in the style of jiff, and the business-time cases of
//! ADVERSARIAL.md (items 1-20).
//!
//! Each transition is probed just before, at, inside and after, with the
//! expected UTC instant written as an RFC 3339 string computed by hand.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "tests fail loudly on purpose"
)]

use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate};
use chrono_tz::Tz;
use slakit::calendar::{Calendar, local_date, local_to_utc, parse_day_key, parse_range};

const MINUTE: i64 = 60_000;
const HOUR: i64 = 3_600_000;

fn ms(rfc3339: &str) -> i64 {
    DateTime::parse_from_rfc3339(rfc3339)
        .unwrap_or_else(|e| panic!("bad test instant {rfc3339}: {e}"))
        .timestamp_millis()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn tz(name: &str) -> Tz {
    name.parse().unwrap()
}

/// A calendar built the way a policy is: day keys and `HH:MM-HH:MM` ranges.
fn cal(zone: &str, hours: &[(&str, &[&str])], holidays: &[&str]) -> Calendar {
    let mut week: [Vec<(u32, u32)>; 7] = Default::default();
    for (key, ranges) in hours {
        for day in parse_day_key(key).unwrap() {
            for range in *ranges {
                week[day.num_days_from_monday() as usize].push(parse_range(range).unwrap());
            }
        }
    }
    Calendar::new(tz(zone), week, holidays.iter().map(|d| date(d)).collect())
}

fn nine_to_five(zone: &str) -> Calendar {
    cal(zone, &[("mon-fri", &["09:00-17:00"])], &[])
}

/// Checks `local_to_utc` against (local date, minute of day, expected UTC).
fn check_local_to_utc(zone: &str, probes: &[(&str, u32, &str)]) {
    for &(day, minute, expected) in probes {
        assert_eq!(
            local_to_utc(tz(zone), date(day), minute),
            ms(expected),
            "{zone} {day} minute {minute} should be {expected}"
        );
    }
}

/// Checks the open time of one local date for a range open every day.
fn check_day_business(zone: &str, day: &str, probes: &[(&str, i64)]) {
    let d = date(day);
    let start = local_to_utc(tz(zone), d, 0);
    let end = local_to_utc(tz(zone), d, 1440);
    for &(range, expected) in probes {
        let calendar = cal(zone, &[("mon-sun", &[range])], &[]);
        assert_eq!(
            calendar.business(start, end),
            expected,
            "{zone} {day} {range}: expected {} min",
            expected / MINUTE
        );
        assert_eq!(
            calendar
                .open_intervals(start, end)
                .iter()
                .map(|(s, e)| e - s)
                .sum::<i64>(),
            expected,
            "{zone} {day} {range} intervals"
        );
    }
}

/// Checks business time of explicit spans: (range open daily, from, to, expected).
fn check_spans(zone: &str, probes: &[(&str, &str, &str, i64)]) {
    for &(range, from, to, expected) in probes {
        let calendar = cal(zone, &[("mon-sun", &[range])], &[]);
        assert_eq!(
            calendar.business(ms(from), ms(to)),
            expected,
            "{zone} {range} [{from}, {to})"
        );
    }
}

// ---------------------------------------------------------------------------
// DST tables
// ---------------------------------------------------------------------------

#[test]
fn new_york_2024_03_10_spring_forward_gap() {
    // 02:00 EST jumps to 03:00 EDT at 07:00Z.
    check_local_to_utc(
        "America/New_York",
        &[
            ("2024-03-09", 1440, "2024-03-10T00:00:00-05:00"),
            ("2024-03-10", 0, "2024-03-10T00:00:00-05:00"),
            ("2024-03-10", 119, "2024-03-10T01:59:00-05:00"),
            ("2024-03-10", 120, "2024-03-10T03:00:00-04:00"),
            ("2024-03-10", 150, "2024-03-10T03:00:00-04:00"),
            ("2024-03-10", 179, "2024-03-10T03:00:00-04:00"),
            ("2024-03-10", 180, "2024-03-10T03:00:00-04:00"),
            ("2024-03-10", 181, "2024-03-10T03:01:00-04:00"),
            ("2024-03-10", 1440, "2024-03-11T00:00:00-04:00"),
        ],
    );
    check_day_business(
        "America/New_York",
        "2024-03-10",
        &[
            ("00:00-24:00", 23 * HOUR),
            ("00:00-06:00", 5 * HOUR),
            ("00:00-02:00", 2 * HOUR),
            ("01:00-03:00", HOUR),
            ("01:30-02:30", 30 * MINUTE),
            ("02:00-03:00", 0),
            ("02:00-04:00", HOUR),
            ("02:30-04:00", HOUR),
            ("03:00-04:00", HOUR),
        ],
    );
    check_spans(
        "America/New_York",
        &[
            (
                "00:00-06:00",
                "2024-03-10T01:30:00-05:00",
                "2024-03-10T03:30:00-04:00",
                HOUR,
            ),
            (
                "00:00-06:00",
                "2024-03-10T01:59:59.999-05:00",
                "2024-03-10T03:00:00.001-04:00",
                2,
            ),
            (
                "09:00-17:00",
                "2024-03-08T12:00:00-05:00",
                "2024-03-12T12:00:00-04:00",
                32 * HOUR,
            ),
        ],
    );
}

#[test]
fn new_york_2024_11_03_fall_back_fold() {
    // 02:00 EDT falls back to 01:00 EST at 06:00Z; 01:00-02:00 happens twice.
    check_local_to_utc(
        "America/New_York",
        &[
            ("2024-11-03", 0, "2024-11-03T00:00:00-04:00"),
            ("2024-11-03", 59, "2024-11-03T00:59:00-04:00"),
            ("2024-11-03", 60, "2024-11-03T01:00:00-04:00"),
            ("2024-11-03", 90, "2024-11-03T01:30:00-04:00"),
            ("2024-11-03", 119, "2024-11-03T01:59:00-04:00"),
            ("2024-11-03", 120, "2024-11-03T02:00:00-05:00"),
            ("2024-11-03", 121, "2024-11-03T02:01:00-05:00"),
            ("2024-11-03", 1440, "2024-11-04T00:00:00-05:00"),
        ],
    );
    check_day_business(
        "America/New_York",
        "2024-11-03",
        &[
            ("00:00-24:00", 25 * HOUR),
            ("00:00-06:00", 7 * HOUR),
            ("00:00-01:30", 90 * MINUTE),
            ("01:00-01:30", 30 * MINUTE),
            ("01:00-02:00", 2 * HOUR),
            ("01:30-02:00", 90 * MINUTE),
            ("02:00-03:00", HOUR),
        ],
    );
    check_spans(
        "America/New_York",
        &[
            // From the second 01:30 (EST) to 02:00 EST.
            (
                "00:00-06:00",
                "2024-11-03T01:30:00-05:00",
                "2024-11-03T02:00:00-05:00",
                30 * MINUTE,
            ),
            // First 01:30 to second 01:30: one real hour.
            (
                "00:00-06:00",
                "2024-11-03T01:30:00-04:00",
                "2024-11-03T01:30:00-05:00",
                HOUR,
            ),
            // A range ending inside the fold ends at its first occurrence.
            (
                "00:00-01:30",
                "2024-11-03T01:00:00-05:00",
                "2024-11-03T03:00:00-05:00",
                0,
            ),
        ],
    );
    let ny = tz("America/New_York");
    assert_eq!(
        local_date(ny, ms("2024-11-03T01:30:00-05:00")),
        date("2024-11-03")
    );
    assert_eq!(
        local_date(ny, ms("2024-11-03T23:59:59.999-05:00")),
        date("2024-11-03")
    );
    assert_eq!(
        local_date(ny, ms("2024-11-04T00:00:00-05:00")),
        date("2024-11-04")
    );
}

#[test]
fn dublin_2024_03_31_spring_forward_gap() {
    // Europe/Dublin is negative DST in tzdb (IST is standard time, GMT the
    // winter "DST"); the wall clock still jumps 01:00 GMT -> 02:00 IST at 01:00Z.
    check_local_to_utc(
        "Europe/Dublin",
        &[
            ("2024-03-31", 0, "2024-03-31T00:00:00+00:00"),
            ("2024-03-31", 59, "2024-03-31T00:59:00+00:00"),
            ("2024-03-31", 60, "2024-03-31T02:00:00+01:00"),
            ("2024-03-31", 90, "2024-03-31T02:00:00+01:00"),
            ("2024-03-31", 120, "2024-03-31T02:00:00+01:00"),
            ("2024-03-31", 121, "2024-03-31T02:01:00+01:00"),
            ("2024-03-31", 1440, "2024-04-01T00:00:00+01:00"),
        ],
    );
    check_day_business(
        "Europe/Dublin",
        "2024-03-31",
        &[
            ("00:00-24:00", 23 * HOUR),
            ("00:00-06:00", 5 * HOUR),
            ("01:00-02:00", 0),
            ("00:30-02:30", HOUR),
            ("01:30-03:00", HOUR),
        ],
    );
    check_spans(
        "Europe/Dublin",
        &[(
            "00:00-24:00",
            "2024-03-31T00:30:00+00:00",
            "2024-03-31T02:30:00+01:00",
            HOUR,
        )],
    );
}

#[test]
fn dublin_2024_10_27_fall_back_fold() {
    // 02:00 IST falls back to 01:00 GMT at 01:00Z.
    check_local_to_utc(
        "Europe/Dublin",
        &[
            ("2024-10-27", 0, "2024-10-27T00:00:00+01:00"),
            ("2024-10-27", 59, "2024-10-27T00:59:00+01:00"),
            ("2024-10-27", 60, "2024-10-27T01:00:00+01:00"),
            ("2024-10-27", 90, "2024-10-27T01:30:00+01:00"),
            ("2024-10-27", 120, "2024-10-27T02:00:00+00:00"),
            ("2024-10-27", 121, "2024-10-27T02:01:00+00:00"),
            ("2024-10-27", 1440, "2024-10-28T00:00:00+00:00"),
        ],
    );
    check_day_business(
        "Europe/Dublin",
        "2024-10-27",
        &[
            ("00:00-24:00", 25 * HOUR),
            ("00:00-06:00", 7 * HOUR),
            ("01:00-02:00", 2 * HOUR),
            ("01:30-02:00", 90 * MINUTE),
        ],
    );
    check_spans(
        "Europe/Dublin",
        &[(
            "01:00-02:00",
            "2024-10-27T01:30:00+00:00",
            "2024-10-27T03:00:00+00:00",
            30 * MINUTE,
        )],
    );
}

#[test]
fn lord_howe_2024_04_07_half_hour_fold() {
    // 02:00 +11:00 falls back to 01:30 +10:30 at 2024-04-06T15:00Z.
    check_local_to_utc(
        "Australia/Lord_Howe",
        &[
            ("2024-04-07", 0, "2024-04-07T00:00:00+11:00"),
            ("2024-04-07", 89, "2024-04-07T01:29:00+11:00"),
            ("2024-04-07", 90, "2024-04-07T01:30:00+11:00"),
            ("2024-04-07", 105, "2024-04-07T01:45:00+11:00"),
            ("2024-04-07", 119, "2024-04-07T01:59:00+11:00"),
            ("2024-04-07", 120, "2024-04-07T02:00:00+10:30"),
            ("2024-04-07", 121, "2024-04-07T02:01:00+10:30"),
            ("2024-04-07", 1440, "2024-04-08T00:00:00+10:30"),
        ],
    );
    check_day_business(
        "Australia/Lord_Howe",
        "2024-04-07",
        &[
            ("00:00-24:00", 24 * HOUR + 30 * MINUTE),
            ("00:00-06:00", 6 * HOUR + 30 * MINUTE),
            ("01:30-02:00", HOUR),
            ("01:30-02:15", HOUR + 15 * MINUTE),
            ("01:00-01:45", 45 * MINUTE),
        ],
    );
    check_spans(
        "Australia/Lord_Howe",
        &[(
            "00:00-06:00",
            "2024-04-07T01:45:00+11:00",
            "2024-04-07T01:45:00+10:30",
            30 * MINUTE,
        )],
    );
}

#[test]
fn lord_howe_2024_10_06_half_hour_gap() {
    // 02:00 +10:30 jumps to 02:30 +11:00 at 2024-10-05T15:30Z.
    check_local_to_utc(
        "Australia/Lord_Howe",
        &[
            ("2024-10-06", 0, "2024-10-06T00:00:00+10:30"),
            ("2024-10-06", 119, "2024-10-06T01:59:00+10:30"),
            ("2024-10-06", 120, "2024-10-06T02:30:00+11:00"),
            ("2024-10-06", 135, "2024-10-06T02:30:00+11:00"),
            ("2024-10-06", 150, "2024-10-06T02:30:00+11:00"),
            ("2024-10-06", 151, "2024-10-06T02:31:00+11:00"),
            ("2024-10-06", 1440, "2024-10-07T00:00:00+11:00"),
        ],
    );
    check_day_business(
        "Australia/Lord_Howe",
        "2024-10-06",
        &[
            ("00:00-24:00", 23 * HOUR + 30 * MINUTE),
            ("00:00-06:00", 5 * HOUR + 30 * MINUTE),
            ("01:30-02:15", 30 * MINUTE),
            ("02:00-02:30", 0),
            ("02:15-03:00", 30 * MINUTE),
        ],
    );
}

#[test]
fn apia_2011_12_30_skipped_day() {
    // Samoa crossed the date line: 2011-12-29T23:59:59-10:00 was followed by
    // 2011-12-31T00:00:00+14:00 (at 2011-12-30T10:00Z); 2011-12-30 never existed.
    check_local_to_utc(
        "Pacific/Apia",
        &[
            ("2011-12-29", 0, "2011-12-29T00:00:00-10:00"),
            ("2011-12-29", 1439, "2011-12-29T23:59:00-10:00"),
            ("2011-12-29", 1440, "2011-12-31T00:00:00+14:00"),
            ("2011-12-30", 0, "2011-12-31T00:00:00+14:00"),
            ("2011-12-30", 720, "2011-12-31T00:00:00+14:00"),
            ("2011-12-30", 1440, "2011-12-31T00:00:00+14:00"),
            ("2011-12-31", 0, "2011-12-31T00:00:00+14:00"),
            ("2011-12-31", 1, "2011-12-31T00:01:00+14:00"),
            ("2011-12-31", 1440, "2012-01-01T00:00:00+14:00"),
        ],
    );
    check_day_business(
        "Pacific/Apia",
        "2011-12-29",
        &[("00:00-24:00", 24 * HOUR), ("09:00-17:00", 8 * HOUR)],
    );
    check_day_business(
        "Pacific/Apia",
        "2011-12-30",
        &[("00:00-24:00", 0), ("09:00-17:00", 0)],
    );
    check_day_business(
        "Pacific/Apia",
        "2011-12-31",
        &[("00:00-24:00", 24 * HOUR), ("09:00-17:00", 8 * HOUR)],
    );
    let apia = tz("Pacific/Apia");
    assert_eq!(
        local_date(apia, ms("2011-12-30T09:59:59.999Z")),
        date("2011-12-29")
    );
    assert_eq!(
        local_date(apia, ms("2011-12-30T10:00:00Z")),
        date("2011-12-31")
    );
    let all_day = cal("Pacific/Apia", &[("mon-sun", &["00:00-24:00"])], &[]);
    let (a, b) = (
        ms("2011-12-28T00:00:00-10:00"),
        ms("2012-01-02T00:00:00+14:00"),
    );
    assert_eq!(all_day.business(a, b), b - a);
    assert_eq!(all_day.open_intervals(a, b), vec![(a, b)]);
}

// ---------------------------------------------------------------------------
// ADVERSARIAL.md items 1-20
// ---------------------------------------------------------------------------

#[test]
fn adv01_new_york_midnight_to_six_on_spring_forward_is_5h() {
    let c = cal("America/New_York", &[("mon-sun", &["00:00-06:00"])], &[]);
    assert_eq!(
        c.business(
            ms("2024-03-10T00:00:00-05:00"),
            ms("2024-03-11T00:00:00-04:00")
        ),
        5 * HOUR
    );
}

#[test]
fn adv02_new_york_midnight_to_six_on_fall_back_is_7h() {
    let c = cal("America/New_York", &[("mon-sun", &["00:00-06:00"])], &[]);
    assert_eq!(
        c.business(
            ms("2024-11-03T00:00:00-04:00"),
            ms("2024-11-04T00:00:00-05:00")
        ),
        7 * HOUR
    );
}

#[test]
fn adv03_friday_to_monday_across_spring_forward_is_2h() {
    let c = nine_to_five("America/New_York");
    assert_eq!(
        c.business(
            ms("2024-03-08T16:00:00-05:00"),
            ms("2024-03-11T10:00:00-04:00")
        ),
        2 * HOUR
    );
}

#[test]
fn adv04_ranges_touching_a_gap_or_a_fold_map_each_end() {
    let gap = cal("America/New_York", &[("sun", &["02:00-04:00"])], &[]);
    assert_eq!(
        gap.business(
            ms("2024-03-10T00:00:00-05:00"),
            ms("2024-03-11T00:00:00-04:00")
        ),
        HOUR
    );
    let fold = cal("America/New_York", &[("sun", &["01:00-02:00"])], &[]);
    assert_eq!(
        fold.business(
            ms("2024-11-03T00:00:00-04:00"),
            ms("2024-11-04T00:00:00-05:00")
        ),
        2 * HOUR
    );
}

#[test]
fn adv05_holiday_skipped_by_breach_at_and_business() {
    let c = cal(
        "America/New_York",
        &[("mon-fri", &["09:00-17:00"])],
        &["2014-01-20"],
    );
    let from = ms("2014-01-17T15:00:00-05:00");
    let deadline = c.breach_at(from, 8 * HOUR);
    assert_eq!(deadline, Some(ms("2014-01-21T15:00:00-05:00")));
    assert_eq!(c.business(from, ms("2014-01-21T15:00:00-05:00")), 8 * HOUR);
}

#[test]
fn adv06_start_outside_hours_los_angeles_is_1h() {
    let c = nine_to_five("America/Los_Angeles");
    assert_eq!(
        c.business(
            ms("2013-08-17T00:54:00-07:00"),
            ms("2013-08-19T10:00:00-07:00")
        ),
        HOUR
    );
}

#[test]
fn adv07_pause_outside_hours_deadline_is_tuesday_close() {
    let c = nine_to_five("America/New_York");
    let from = ms("2024-06-03T09:00:00-04:00");
    // The pause Mon 17:00 -> Tue 09:00 covers no business time.
    assert_eq!(
        c.business(
            ms("2024-06-03T17:00:00-04:00"),
            ms("2024-06-04T09:00:00-04:00")
        ),
        0
    );
    let deadline = c.breach_at(from, 16 * HOUR);
    assert_eq!(deadline, Some(ms("2024-06-04T17:00:00-04:00")));
    assert_ne!(deadline, Some(ms("2024-06-05T09:00:00-04:00")));
    assert_eq!(c.business(from, ms("2024-06-04T17:00:00-04:00")), 16 * HOUR);
}

/// Unions half-open intervals (the clock module's job; here to state item 8).
fn union(mut intervals: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
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

#[test]
fn adv08_overlapping_pauses_subtract_their_union() {
    let c = nine_to_five("America/New_York");
    let (start, stop) = (
        ms("2024-06-04T09:00:00-04:00"),
        ms("2024-06-04T17:00:00-04:00"),
    );
    let pauses = union(vec![
        (
            ms("2024-06-04T10:00:00-04:00"),
            ms("2024-06-04T12:00:00-04:00"),
        ),
        (
            ms("2024-06-04T11:00:00-04:00"),
            ms("2024-06-04T13:00:00-04:00"),
        ),
    ]);
    let paused: i64 = pauses.iter().map(|&(s, e)| c.business(s, e)).sum();
    assert_eq!(c.business(start, stop) - paused, 5 * HOUR);

    // A pause overlapping a pause exclusion (16:00-18:00 and 17:30-20:00).
    let pauses = union(vec![
        (
            ms("2024-06-04T16:00:00-04:00"),
            ms("2024-06-04T18:00:00-04:00"),
        ),
        (
            ms("2024-06-04T17:30:00-04:00"),
            ms("2024-06-04T20:00:00-04:00"),
        ),
    ]);
    let paused: i64 = pauses.iter().map(|&(s, e)| c.business(s, e)).sum();
    assert_eq!(c.business(start, stop) - paused, 7 * HOUR);
    assert!(c.business(start, stop) - paused >= 0);
}

#[test]
fn adv09_offset_events_against_a_london_calendar_is_4h30() {
    let c = nine_to_five("Europe/London");
    assert_eq!(
        c.business(
            ms("2024-06-03T09:00:00+05:30"),
            ms("2024-06-03T18:00:00+05:30")
        ),
        4 * HOUR + 30 * MINUTE
    );
}

#[test]
fn adv10_month_windows_are_cut_in_local_time() {
    let ny = tz("America/New_York");
    assert_eq!(
        local_date(ny, ms("2024-02-01T04:30:00Z")),
        date("2024-01-31")
    );
    assert_eq!(
        local_to_utc(ny, date("2024-02-01"), 0),
        ms("2024-02-01T05:00:00Z")
    );
    assert_eq!(
        local_to_utc(ny, date("2024-04-01"), 0),
        ms("2024-04-01T04:00:00Z")
    );
    let kolkata = tz("Asia/Kolkata");
    assert_eq!(
        local_date(kolkata, ms("2024-02-29T20:00:00Z")),
        date("2024-03-01")
    );
    assert_eq!(
        local_to_utc(kolkata, date("2024-03-01"), 0),
        ms("2024-02-29T18:30:00Z")
    );
}

#[test]
fn adv11_apia_skipped_day_is_8h_without_panic() {
    let c = nine_to_five("Pacific/Apia");
    assert_eq!(
        c.business(
            ms("2011-12-29T09:00:00-10:00"),
            ms("2011-12-31T17:00:00+14:00")
        ),
        8 * HOUR
    );
    assert_eq!(
        local_to_utc(tz("Pacific/Apia"), date("2011-12-30"), 540),
        ms("2011-12-30T10:00:00Z")
    );
}

#[test]
fn adv12_moscow_and_lord_howe_midnight_to_six() {
    let moscow = cal("Europe/Moscow", &[("mon-sun", &["00:00-06:00"])], &[]);
    assert_eq!(
        moscow.business(
            ms("2014-10-26T00:00:00+04:00"),
            ms("2014-10-27T00:00:00+03:00")
        ),
        7 * HOUR
    );
    let lord_howe = cal("Australia/Lord_Howe", &[("mon-sun", &["00:00-06:00"])], &[]);
    assert_eq!(
        lord_howe.business(
            ms("2024-04-07T00:00:00+11:00"),
            ms("2024-04-08T00:00:00+10:30")
        ),
        6 * HOUR + 30 * MINUTE
    );
}

#[test]
fn adv13_far_future_new_york_spring_forward_is_5h() {
    // chrono-tz's tables end in 2099; the rules are extended past them.
    let c = cal("America/New_York", &[("mon-sun", &["00:00-06:00"])], &[]);
    assert_eq!(
        c.business(
            ms("2100-03-14T00:00:00-05:00"),
            ms("2100-03-15T00:00:00-04:00")
        ),
        5 * HOUR
    );
    let ny = tz("America/New_York");
    assert_eq!(
        local_to_utc(ny, date("2100-03-14"), 150),
        ms("2100-03-14T03:00:00-04:00")
    );
    // First Sunday of November 2100 falls back; the summer in between is EDT.
    assert_eq!(
        c.business(
            ms("2100-11-07T00:00:00-04:00"),
            ms("2100-11-08T00:00:00-05:00")
        ),
        7 * HOUR
    );
    assert_eq!(
        local_to_utc(ny, date("2100-07-01"), 0),
        ms("2100-07-01T00:00:00-04:00")
    );
    assert_eq!(
        local_to_utc(ny, date("9999-07-01"), 0),
        ms("9999-07-01T00:00:00-04:00")
    );
    assert_eq!(
        local_to_utc(ny, date("9999-12-31"), 1440),
        ms("9999-12-31T23:59:00-05:00") + MINUTE
    );
}

#[test]
fn adv14_24x7_span_across_new_year_is_120s() {
    let c = Calendar::always();
    assert_eq!(
        c.business(ms("2016-12-31T23:59:00Z"), ms("2017-01-01T00:01:00Z")),
        120_000
    );
}

#[test]
fn adv15_ten_years_of_new_york_business_hours_is_20872h() {
    let c = nine_to_five("America/New_York");
    let (a, b) = (
        ms("2015-01-01T00:00:00-05:00"),
        ms("2025-01-01T00:00:00-05:00"),
    );
    assert_eq!(c.business(a, b), 20_872 * HOUR);
    assert_eq!(
        c.breach_at(a, 20_872 * HOUR),
        Some(ms("2024-12-31T17:00:00-05:00"))
    );
}

#[test]
fn adv16_a_calendar_that_never_opens_does_not_hang() {
    let (a, b) = (ms("2024-01-01T00:00:00Z"), ms("2034-01-01T00:00:00Z"));

    let no_hours = cal("America/New_York", &[], &[]);
    assert_eq!(no_hours.business(a, b), 0);
    assert_eq!(no_hours.breach_at(a, HOUR), None);
    assert_eq!(no_hours.breach_at(a, 0), Some(a));
    assert!(no_hours.open_intervals(a, b).is_empty());

    // Open on Mondays only, and every Monday from 2024 to the end of the
    // supported range (year 9999) is a holiday.
    let every_monday: BTreeSet<NaiveDate> = date("2024-01-01")
        .iter_weeks()
        .take_while(|d| *d <= date("9999-12-31"))
        .collect();
    let mut week: [Vec<(u32, u32)>; 7] = Default::default();
    week[0].push((540, 1020));
    let all_holidays = Calendar::new(tz("America/New_York"), week, every_monday);
    assert_eq!(all_holidays.business(a, b), 0);
    assert_eq!(all_holidays.breach_at(a, HOUR), None);

    // A finite run of holidays: the calendar opens again after it.
    let run: Vec<String> = date("2024-01-01")
        .iter_days()
        .take_while(|d| *d <= date("2026-12-31"))
        .map(|d| d.to_string())
        .collect();
    let run: Vec<&str> = run.iter().map(String::as_str).collect();
    let closed_for_three_years = cal("America/New_York", &[("mon-fri", &["09:00-17:00"])], &run);
    assert_eq!(
        closed_for_three_years.business(a, ms("2027-01-01T00:00:00Z")),
        0
    );
    assert_eq!(
        closed_for_three_years.breach_at(a, HOUR),
        Some(ms("2027-01-01T10:00:00-05:00"))
    );
}

#[test]
fn adv17_sunday_to_thursday_week_in_jerusalem_is_40h() {
    let c = cal("Asia/Jerusalem", &[("sun-thu", &["09:00-17:00"])], &[]);
    assert_eq!(
        c.business(
            ms("2024-06-02T00:00:00+03:00"),
            ms("2024-06-08T00:00:00+03:00")
        ),
        40 * HOUR
    );
}

#[test]
fn adv18_overnight_shift_as_two_ranges_in_berlin_is_8h() {
    let c = cal(
        "Europe/Berlin",
        &[("mon-fri", &["22:00-24:00"]), ("tue-sat", &["00:00-06:00"])],
        &[],
    );
    let (a, b) = (
        ms("2024-06-07T20:00:00+02:00"),
        ms("2024-06-09T12:00:00+02:00"),
    );
    assert_eq!(c.business(a, b), 8 * HOUR);
    // Friday 22:00 -> Saturday 06:00 is one merged interval.
    assert_eq!(
        c.open_intervals(a, b),
        vec![(
            ms("2024-06-07T22:00:00+02:00"),
            ms("2024-06-08T06:00:00+02:00")
        )]
    );
}

#[test]
fn adv19_holiday_is_a_local_date_in_sydney() {
    let c = cal(
        "Australia/Sydney",
        &[("mon-sun", &["00:00-24:00"])],
        &["2024-12-25"],
    );
    assert_eq!(
        c.business(ms("2024-12-24T23:00:00Z"), ms("2024-12-25T01:00:00Z")),
        0
    );
    // The holiday is 2024-12-25 local: 2024-12-24T13:00Z .. 2024-12-25T13:00Z.
    assert_eq!(
        c.business(ms("2024-12-24T12:00:00Z"), ms("2024-12-25T14:00:00Z")),
        2 * HOUR
    );
    assert!(!c.is_open(ms("2024-12-24T13:00:00Z")));
    assert!(c.is_open(ms("2024-12-24T12:59:59.999Z")));
}

#[test]
fn adv20_havana_midnight_fold_and_gap_do_not_panic() {
    let havana = tz("America/Havana");
    // 2064-11-02: 01:00 CDT falls back to 00:00 CST, so local midnight
    // happens twice; SPEC §4.1 takes the earlier instant.
    assert_eq!(
        local_to_utc(havana, date("2064-11-02"), 0),
        ms("2064-11-02T00:00:00-04:00")
    );
    assert_eq!(
        local_to_utc(havana, date("2064-11-01"), 1440),
        ms("2064-11-02T00:00:00-04:00")
    );
    assert_eq!(
        local_to_utc(havana, date("2064-11-02"), 60),
        ms("2064-11-02T01:00:00-05:00")
    );
    assert_eq!(
        local_date(havana, ms("2064-11-02T00:30:00-05:00")),
        date("2064-11-02")
    );
    assert_eq!(
        local_date(havana, ms("2064-11-01T23:59:59.999-04:00")),
        date("2064-11-01")
    );
    // Month window cut: November 2064 in Havana.
    assert_eq!(
        local_to_utc(havana, date("2064-11-01"), 0),
        ms("2064-11-01T00:00:00-04:00")
    );
    // 2064-03-09: 00:00 CST jumps to 01:00 CDT; midnight is in the gap.
    assert_eq!(
        local_to_utc(havana, date("2064-03-09"), 0),
        ms("2064-03-09T01:00:00-04:00")
    );
    assert_eq!(
        local_to_utc(havana, date("2064-03-08"), 1440),
        ms("2064-03-09T01:00:00-04:00")
    );
    check_day_business(
        "America/Havana",
        "2064-11-02",
        &[("00:00-24:00", 25 * HOUR), ("00:00-01:00", 2 * HOUR)],
    );
    check_day_business(
        "America/Havana",
        "2064-03-09",
        &[("00:00-24:00", 23 * HOUR), ("00:00-01:00", 0)],
    );
}
