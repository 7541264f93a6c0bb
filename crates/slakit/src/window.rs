//! Calendar windows cut in a time zone (SPEC §5.2).

use chrono::{Datelike, Months, NaiveDate};
use chrono_tz::Tz;

use crate::calendar::{local_date, local_to_utc};
use crate::policy::WindowUnit;

/// The local date that starts the unit containing `date`.
fn unit_start(unit: WindowUnit, date: NaiveDate) -> NaiveDate {
    match unit {
        WindowUnit::Day => date,
        WindowUnit::Week => date
            .checked_sub_days(chrono::Days::new(u64::from(
                date.weekday().num_days_from_monday(),
            )))
            .unwrap_or(date),
        WindowUnit::Month => date.with_day(1).unwrap_or(date),
        WindowUnit::Quarter => {
            let m0 = (date.month0() / 3) * 3;
            NaiveDate::from_ymd_opt(date.year(), m0 + 1, 1).unwrap_or(date)
        }
        WindowUnit::Year => NaiveDate::from_ymd_opt(date.year(), 1, 1).unwrap_or(date),
    }
}

/// The local date that starts the unit after the one starting at `start`.
fn unit_next(unit: WindowUnit, start: NaiveDate) -> NaiveDate {
    let next = match unit {
        WindowUnit::Day => start.checked_add_days(chrono::Days::new(1)),
        WindowUnit::Week => start.checked_add_days(chrono::Days::new(7)),
        WindowUnit::Month => start.checked_add_months(Months::new(1)),
        WindowUnit::Quarter => start.checked_add_months(Months::new(3)),
        WindowUnit::Year => start.checked_add_months(Months::new(12)),
    };
    next.unwrap_or(NaiveDate::MAX)
}

fn unit_prev(unit: WindowUnit, start: NaiveDate) -> NaiveDate {
    let prev = match unit {
        WindowUnit::Day => start.checked_sub_days(chrono::Days::new(1)),
        WindowUnit::Week => start.checked_sub_days(chrono::Days::new(7)),
        WindowUnit::Month => start.checked_sub_months(Months::new(1)),
        WindowUnit::Quarter => start.checked_sub_months(Months::new(3)),
        WindowUnit::Year => start.checked_sub_months(Months::new(12)),
    };
    prev.unwrap_or(NaiveDate::MIN)
}

/// One calendar window: `[start, end)` and its first and next local dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CalWindow {
    /// UTC start (local midnight of `first_day`, §4.1 rules).
    pub start: i64,
    /// UTC end (local midnight of `next_day`).
    pub end: i64,
    /// The window's first local date.
    pub first_day: NaiveDate,
    /// The first local date after the window.
    pub next_day: NaiveDate,
}

impl CalWindow {
    /// The number of local calendar days in the window.
    pub fn days(&self) -> i64 {
        (self.next_day - self.first_day).num_days()
    }
}

fn make(unit: WindowUnit, tz: Tz, first_day: NaiveDate) -> CalWindow {
    let next_day = unit_next(unit, first_day);
    CalWindow {
        start: local_to_utc(tz, first_day, 0),
        end: local_to_utc(tz, next_day, 0),
        first_day,
        next_day,
    }
}

/// The window of `unit` in `tz` that contains instant `t`. Boundaries are
/// compared as instants, so an instant in a repeated hour lands in one window.
pub fn window_of(unit: WindowUnit, tz: Tz, t: i64) -> CalWindow {
    let mut w = make(unit, tz, unit_start(unit, local_date(tz, t)));
    // Adjust across odd midnights (a fold or gap at 00:00); bounded.
    for _ in 0..3 {
        if t < w.start {
            w = make(unit, tz, unit_prev(unit, w.first_day));
        } else if t >= w.end {
            w = make(unit, tz, w.next_day);
        } else {
            break;
        }
    }
    w
}

/// [`window_of`] asked of many instants, most in the window of the one
/// before (deployments in anchor order): the last window is kept, and an
/// instant inside it needs no time-zone arithmetic. Windows tile the
/// timeline, so the window containing an instant is the one `window_of`
/// gives.
#[derive(Debug, Clone)]
pub(crate) struct WindowCursor {
    unit: WindowUnit,
    tz: Tz,
    last: Option<CalWindow>,
}

impl WindowCursor {
    /// A cursor over the windows of `unit` in `tz`.
    pub(crate) fn new(unit: WindowUnit, tz: Tz) -> Self {
        WindowCursor {
            unit,
            tz,
            last: None,
        }
    }

    /// `window_of(unit, tz, t)`.
    pub(crate) fn at(&mut self, t: i64) -> CalWindow {
        if let Some(w) = self.last
            && w.start <= t
            && t < w.end
        {
            return w;
        }
        let w = window_of(self.unit, self.tz, t);
        // Kept only when it holds `t` (at the ends of the supported years
        // the adjustment may stop short).
        self.last = (w.start <= t && t < w.end).then_some(w);
        w
    }
}

/// The window that follows `w`.
pub fn next_window(unit: WindowUnit, tz: Tz, w: &CalWindow) -> CalWindow {
    make(unit, tz, w.next_day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instant::{format, parse};

    fn at(s: &str) -> i64 {
        parse(s).unwrap_or(0)
    }

    #[test]
    fn local_months() {
        let ny: Tz = chrono_tz::America::New_York;
        let w = window_of(WindowUnit::Month, ny, at("2024-02-01T04:30:00Z"));
        assert_eq!(format(w.start), "2024-01-01T05:00:00Z");
        assert_eq!(format(w.end), "2024-02-01T05:00:00Z");
        let kolkata: Tz = chrono_tz::Asia::Kolkata;
        let w = window_of(WindowUnit::Month, kolkata, at("2024-02-29T20:00:00Z"));
        assert_eq!(format(w.start), "2024-02-29T18:30:00Z");
        let w = window_of(WindowUnit::Month, ny, at("2026-03-15T12:00:00Z"));
        assert_eq!(
            (format(w.start).as_str(), format(w.end).as_str(), w.days()),
            ("2026-03-01T05:00:00Z", "2026-04-01T04:00:00Z", 31)
        );
    }

    #[test]
    fn weeks_start_monday_and_quarters() {
        let utc = chrono_tz::UTC;
        let w = window_of(WindowUnit::Week, utc, at("2026-03-08T23:00:00Z"));
        assert_eq!(format(w.start), "2026-03-02T00:00:00Z");
        let w = window_of(WindowUnit::Quarter, utc, at("2026-05-08T00:00:00Z"));
        assert_eq!(
            (format(w.start).as_str(), format(w.end).as_str()),
            ("2026-04-01T00:00:00Z", "2026-07-01T00:00:00Z")
        );
        let n = next_window(WindowUnit::Year, utc, &w);
        assert_eq!(format(n.start), "2026-07-01T00:00:00Z");
    }

    #[test]
    fn the_cursor_gives_what_window_of_gives() {
        let zones: [Tz; 5] = [
            chrono_tz::America::Havana,
            chrono_tz::America::New_York,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::Asia::Kolkata,
            chrono_tz::UTC,
        ];
        let units = [
            WindowUnit::Day,
            WindowUnit::Week,
            WindowUnit::Month,
            WindowUnit::Quarter,
            WindowUnit::Year,
        ];
        // Ascending in 37-minute steps over the 2064 Havana fold, then a
        // walk that jumps back and forth by up to ~40 days.
        let base = at("2064-10-20T00:00:00Z");
        let ascending = (0..3_000).map(|i| base + i * 37 * 60_000);
        let mut x: i64 = 12_345;
        let jumping = (0..3_000).map(move |_| {
            x = (x * 1_103_515_245 + 12_345) % 2_147_483_648;
            base + (x % 7_000) * 1_000_000 - 3_500_000_000
        });
        let instants: Vec<i64> = ascending.chain(jumping).collect();
        for tz in zones {
            for unit in units {
                let mut cursor = WindowCursor::new(unit, tz);
                for &t in &instants {
                    assert_eq!(cursor.at(t), window_of(unit, tz, t), "{tz} {unit:?} {t}");
                }
            }
        }
    }

    #[test]
    fn havana_midnight_fold_does_not_panic() {
        let havana: Tz = chrono_tz::America::Havana;
        for t in [
            at("2064-11-02T04:00:00Z"),
            at("2064-11-02T05:30:00Z"),
            at("2064-11-03T05:00:00Z"),
        ] {
            let w = window_of(WindowUnit::Day, havana, t);
            assert!(w.start <= t && t < w.end);
        }
    }
}
