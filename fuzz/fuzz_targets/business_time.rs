//! Business time, differentially: `Calendar::business` against a slow
//! day-by-day reference (every local date, every range end mapped on its own,
//! unioned — no week shortcut), and `breach_at` as its inverse. Any zone, any
//! weekly hours, any holidays; spans up to ~400 days around 1900..2200 so the
//! reference stays cheap, plus unbounded `i64` instants for no-panic checks.
#![no_main]

use std::collections::BTreeSet;

use arbitrary::Arbitrary;
use chrono::{Datelike, Days, NaiveDate};
use chrono_tz::{TZ_VARIANTS, Tz};
use libfuzzer_sys::fuzz_target;
use slakit::calendar::{Calendar, local_date, local_to_utc};

/// 1900-01-01T00:00:00Z.
const FROM_1900: i64 = -2_208_988_800_000;
/// 300 years in ms (to 2200).
const SPAN_300Y: u64 = 9_467_280_000_000;

#[derive(Debug, Arbitrary)]
struct Input {
    zone: u16,
    /// Per weekday (Mon..Sun), up to a few raw (start, end) minute pairs.
    week: [Vec<(u16, u16)>; 7],
    /// Holidays as day offsets from the local date of `start`.
    holidays: Vec<i16>,
    start: u64,
    span: u32,
    amount: u32,
    /// Unbounded instants: only "no panic, sane bounds" is checked.
    wild: (i64, i64, i64),
}

fn range((x, y): (u16, u16)) -> Option<(u32, u32)> {
    let (x, y) = (u32::from(x) % 1441, u32::from(y) % 1441);
    let (s, e) = (x.min(y), x.max(y));
    (s < e).then_some((s, e))
}

fn union(mut v: Vec<(i64, i64)>) -> Vec<(i64, i64)> {
    v.retain(|(s, e)| s < e);
    v.sort_unstable();
    let mut out: Vec<(i64, i64)> = Vec::new();
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if last.1 >= s => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

fn reference(
    tz: Tz,
    week: &[Vec<(u32, u32)>; 7],
    holidays: &BTreeSet<NaiveDate>,
    a: i64,
    b: i64,
) -> i64 {
    if b <= a {
        return 0;
    }
    let first = local_date(tz, a).checked_sub_days(Days::new(2)).unwrap();
    let last = local_date(tz, b).checked_add_days(Days::new(2)).unwrap();
    let mut intervals = Vec::new();
    for d in first.iter_days().take_while(|d| *d <= last) {
        if holidays.contains(&d) {
            continue;
        }
        for &(s, e) in &week[d.weekday().num_days_from_monday() as usize] {
            intervals.push((local_to_utc(tz, d, s), local_to_utc(tz, d, e)));
        }
    }
    union(intervals)
        .into_iter()
        .map(|(s, e)| (e.min(b) - s.max(a)).max(0))
        .sum()
}

fuzz_target!(|input: Input| {
    let tz = TZ_VARIANTS[usize::from(input.zone) % TZ_VARIANTS.len()];
    let week: [Vec<(u32, u32)>; 7] = input
        .week
        .map(|day| day.into_iter().take(4).filter_map(range).collect());
    let a = FROM_1900 + (input.start % SPAN_300Y) as i64;
    let b = a + i64::from(input.span % (400 * 86_400)) * 1000;
    let base = local_date(tz, a);
    let holidays: BTreeSet<NaiveDate> = input
        .holidays
        .iter()
        .take(32)
        .filter_map(|&k| {
            let k = i64::from(k % 500);
            if k >= 0 {
                base.checked_add_days(Days::new(k as u64))
            } else {
                base.checked_sub_days(Days::new(k.unsigned_abs()))
            }
        })
        .collect();
    let cal = Calendar::new(tz, week.clone(), holidays.clone());

    // business == the reference, and never more than wall time.
    let got = cal.business(a, b);
    assert_eq!(
        got,
        reference(tz, &week, &holidays, a, b),
        "business({a}, {b}) in {tz}"
    );
    assert!(0 <= got && got <= b - a);

    // breach_at is the inverse: business(a, t) == amount, and t is the first such.
    let amount = i64::from(input.amount % (30 * 86_400)) * 1000;
    if amount > 0 && amount <= got {
        let t = cal
            .breach_at(a, amount)
            .expect("the amount is reached inside [a, b)");
        assert!(
            a < t && t <= b,
            "breach_at({a}, {amount}) = {t} outside ({a}, {b}]"
        );
        assert_eq!(reference(tz, &week, &holidays, a, t), amount);
        assert!(reference(tz, &week, &holidays, a, t - 1) < amount);
    }

    // Any i64 instant (far outside years 0..10000 too): no panic, results
    // within bounds. Spans stay under ~2 years: a walk over the whole
    // supported range costs ~1 s and would stall the fuzzer (the engine
    // bounds the spans it walks, see docs/hardening.md).
    let (x, y, z) = input.wild;
    let y = x.saturating_add(y.rem_euclid(2 * 366 * 86_400_000));
    let w = cal.business(x, y);
    assert!(w >= 0 && w as i128 <= y as i128 - x as i128);
    if let Some(t) = cal.breach_at(x, z.rem_euclid(86_400_000)) {
        assert!(t >= x);
    }
    let _ = cal.is_open(x);
    let _ = cal.open_intervals(x, y);
});
