//! Business-time calendars (SPEC §4).
//!
//! A [`Calendar`] is either the built-in `24x7` calendar or weekly local
//! opening hours in an IANA time zone, minus holidays (local dates closed the
//! whole day). Instants are `i64` UTC milliseconds since the Unix epoch and
//! durations are `i64` milliseconds.
//!
//! The open time of a local date is the union of its ranges, each range end
//! converted on its own with [`local_to_utc`]: a local time in a DST gap maps
//! to the first instant after the gap, one in a fold to the earlier instant.
//! The UTC spans of consecutive local dates tile the time line, so the open
//! set is the disjoint union of every date's intervals.
//!
//! Limits, chosen so that no input can panic or run for long:
//! - zoned calendars are open only inside `0000-01-01T00:00:00Z` ..
//!   `10000-01-01T00:00:00Z`; instants outside are closed (the `24x7`
//!   calendar is open at every `i64` instant);
//! - chrono-tz's transition tables end in 2099. From 2100 on, a year takes the
//!   transitions of the latest common year in 2089..=2099 whose 1 March falls
//!   on the same weekday, which reproduces every weekday-based DST rule
//!   (`second Sunday in March` and the like) as tzdb's own rules would;
//! - [`local_to_utc`] and [`local_date`] accept any date or instant and clamp
//!   at chrono's representable range.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use chrono::{DateTime, Datelike, Days, LocalResult, NaiveDate, Offset, TimeZone, Weekday};
use chrono_tz::{GapInfo, Tz};

const MINUTE_MS: i64 = 60_000;
const DAY_MS: i64 = 86_400_000;
const WEEK_MS: i64 = 7 * DAY_MS;
const MINUTES_PER_DAY: u32 = 1440;
/// `0000-01-01T00:00:00Z`: zoned calendars are closed before it.
const DOMAIN_START_MS: i64 = -62_167_219_200_000;
/// `10000-01-01T00:00:00Z`: zoned calendars are closed from it on.
const DOMAIN_END_MS: i64 = 253_402_300_800_000;
/// The first year past chrono-tz's transition tables.
const FAR_FUTURE_YEAR: i32 = 2100;
/// `2100-01-01T00:00:00Z` in seconds.
const FAR_FUTURE_SECS: i64 = 4_102_444_800;
/// The first year of the block that far-future years are mapped onto.
const EQUIVALENT_FIRST_YEAR: i32 = 2089;
/// `NaiveDate::num_days_from_ce` of 1970-01-01.
const UNIX_EPOCH_DAYS_FROM_CE: i64 = 719_163;
/// After the last holiday, this many consecutive closed days mean the
/// calendar never opens again (a week with hours can only lose a day to a
/// holiday or a DST gap).
const MAX_CLOSED_RUN_AFTER_HOLIDAYS: u32 = 14;

/// A compiled business-time calendar (SPEC §4.1).
///
/// Immutable after construction, so it is `Send + Sync` and can be shared
/// across threads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Calendar {
    inner: Inner,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Inner {
    Always,
    Zoned(Box<Zoned>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Zoned {
    tz: Tz,
    /// Monday first; each day's ranges sorted, merged and non-empty.
    week: [Vec<(u32, u32)>; 7],
    holidays: BTreeSet<NaiveDate>,
    /// Open length of a week without holidays or UTC offset changes.
    week_ms: i64,
    /// Per-day tables of the years `TABLE_FIRST_YEAR..=TABLE_LAST_YEAR`,
    /// each built on first use (a cache: not part of the calendar's value).
    years: YearTables,
}

/// The first local year with a per-day table.
const TABLE_FIRST_YEAR: i32 = 1970;
/// The last local year with a per-day table (chrono-tz's tables end in 2099).
const TABLE_LAST_YEAR: i32 = 2099;
const TABLE_YEARS: usize = (TABLE_LAST_YEAR - TABLE_FIRST_YEAR + 1) as usize;
/// The mean Gregorian year in ms, to guess the year of an instant.
const MEAN_YEAR_MS: i64 = 31_556_952_000;

/// One local year of a zoned calendar, day by day: each local date's
/// midnight (UTC ms), the open time before it since the year began, and its
/// open intervals. `business` within the table is then two lookups and a
/// subtraction; `breach_at` a binary search: O(1) per week, per day or per
/// query, never a walk.
#[derive(Debug, Clone, PartialEq, Eq)]
struct YearTable {
    /// `midnight[k]`: the start of day k; `midnight[days]`: the next year's.
    midnight: Vec<i64>,
    /// `cum[k]`: open ms of days `0..k`; `cum[days]`: the year's total.
    cum: Vec<i64>,
    /// Day k's intervals are `intervals[first[k]..first[k + 1]]`.
    first: Vec<usize>,
    intervals: Vec<(i64, i64)>,
}

impl YearTable {
    fn start(&self) -> i64 {
        self.midnight.first().copied().unwrap_or(i64::MAX)
    }

    fn end(&self) -> i64 {
        self.midnight.last().copied().unwrap_or(i64::MIN)
    }

    fn total(&self) -> i64 {
        self.cum.last().copied().unwrap_or(0)
    }

    fn day_intervals(&self, k: usize) -> &[(i64, i64)] {
        let lo = self.first.get(k).copied().unwrap_or(0);
        let hi = self.first.get(k + 1).copied().unwrap_or(lo);
        self.intervals.get(lo..hi).unwrap_or_default()
    }

    /// Open ms in `[start(), t)`, for `start() <= t <= end()`.
    fn before(&self, t: i64) -> i64 {
        let days = self.midnight.len().saturating_sub(1);
        // Days are 23 to 25 hours: the guess is at most a step or two off.
        let guess = usize::try_from((t - self.start()) / DAY_MS).unwrap_or(0);
        let mut k = guess.min(days.saturating_sub(1));
        while k > 0 && self.midnight.get(k).is_some_and(|&m| m > t) {
            k -= 1;
        }
        while k + 1 < days && self.midnight.get(k + 1).is_some_and(|&m| m <= t) {
            k += 1;
        }
        let partial: i64 = self
            .day_intervals(k)
            .iter()
            .map(|&(s, e)| (e.min(t) - s).max(0))
            .sum();
        self.cum.get(k).copied().unwrap_or(0) + partial
    }

    /// The smallest instant at which the open time since `start()` reaches
    /// `target`, for `0 < target <= total()`.
    fn reach(&self, target: i64) -> Option<i64> {
        // The day k with cum[k] < target <= cum[k + 1].
        let k = self.cum.partition_point(|&c| c < target).checked_sub(1)?;
        let mut run = self.cum.get(k).copied()?;
        for &(s, e) in self.day_intervals(k) {
            if run + (e - s) >= target {
                return Some(s + (target - run));
            }
            run += e - s;
        }
        None
    }
}

/// The lazily built [`YearTable`]s of a calendar. Equal whatever is cached.
#[derive(Debug, Clone)]
struct YearTables(Box<[OnceLock<YearTable>]>);

impl YearTables {
    fn new() -> YearTables {
        YearTables((0..TABLE_YEARS).map(|_| OnceLock::new()).collect())
    }
}

impl PartialEq for YearTables {
    fn eq(&self, _: &YearTables) -> bool {
        true
    }
}

impl Eq for YearTables {}

impl Calendar {
    /// The built-in `24x7` calendar: always open.
    pub fn always() -> Calendar {
        Calendar {
            inner: Inner::Always,
        }
    }

    /// A calendar open on local weekly ranges in `tz`, closed on `holidays`.
    ///
    /// `week[0]` is Monday .. `week[6]` Sunday; each range is
    /// `(start_minute, end_minute)` with `0 <= start < end <= 1440`
    /// (1440 = 24:00). Overlapping ranges are unioned. Ranges are expected to
    /// come from [`parse_range`]: an end past 1440 is clamped and an empty
    /// range is ignored.
    pub fn new(tz: Tz, week: [Vec<(u32, u32)>; 7], holidays: BTreeSet<NaiveDate>) -> Calendar {
        let week = week.map(merge_ranges);
        let week_ms = week
            .iter()
            .flatten()
            .map(|&(s, e)| i64::from(e - s) * MINUTE_MS)
            .sum();
        Calendar {
            inner: Inner::Zoned(Box::new(Zoned {
                tz,
                week,
                holidays,
                week_ms,
                years: YearTables::new(),
            })),
        }
    }

    /// Whether this is the built-in `24x7` calendar.
    pub fn is_always(&self) -> bool {
        matches!(self.inner, Inner::Always)
    }

    /// The calendar's time zone; `None` for [`Calendar::always`].
    pub fn timezone(&self) -> Option<Tz> {
        match &self.inner {
            Inner::Always => None,
            Inner::Zoned(z) => Some(z.tz),
        }
    }

    /// Length in ms of the open instants in `[a, b)`; 0 when `b <= a`.
    ///
    /// Costs O(1) per whole local week without holidays or offset changes,
    /// O(1) per other day.
    pub fn business(&self, a: i64, b: i64) -> i64 {
        match &self.inner {
            Inner::Always => {
                if b > a {
                    b.saturating_sub(a)
                } else {
                    0
                }
            }
            Inner::Zoned(z) => z.business(a, b),
        }
    }

    /// The smallest instant `t >= from` with `business(from, t) == amount`.
    ///
    /// `amount <= 0` gives `Some(from)`. A target reached exactly at a
    /// closing instant returns that instant. `None` when the calendar never
    /// opens again (no hours, holidays to the end of the supported range) or
    /// the target lies past `10000-01-01T00:00:00Z` (past `i64` for `24x7`).
    pub fn breach_at(&self, from: i64, amount: i64) -> Option<i64> {
        if amount <= 0 {
            return Some(from);
        }
        match &self.inner {
            Inner::Always => from.checked_add(amount),
            Inner::Zoned(z) => z.breach_at(from, amount),
        }
    }

    /// The open sub-intervals of `[a, b)`, merged and in order.
    ///
    /// Costs O(days spanned).
    pub fn open_intervals(&self, a: i64, b: i64) -> Vec<(i64, i64)> {
        match &self.inner {
            Inner::Always => {
                if b > a {
                    vec![(a, b)]
                } else {
                    Vec::new()
                }
            }
            Inner::Zoned(z) => z.open_intervals(a, b),
        }
    }

    /// Whether the instant `t` is open.
    pub fn is_open(&self, t: i64) -> bool {
        match &self.inner {
            Inner::Always => true,
            Inner::Zoned(z) => {
                (DOMAIN_START_MS..DOMAIN_END_MS).contains(&t) && z.business(t, t + 1) == 1
            }
        }
    }
}

impl Zoned {
    /// The instant local date `d` begins (the end of the previous date).
    fn midnight(&self, d: NaiveDate) -> i64 {
        local_to_utc(self.tz, d, 0)
    }

    fn ranges(&self, d: NaiveDate) -> &[(u32, u32)] {
        self.week
            .get(d.weekday().num_days_from_monday() as usize)
            .map_or(&[], Vec::as_slice)
    }

    /// Whether the local date `d` has opening hours and is not a holiday.
    fn may_open(&self, d: NaiveDate) -> bool {
        !self.ranges(d).is_empty() && !self.holidays.contains(&d)
    }

    fn week_has_holiday(&self, monday: NaiveDate) -> bool {
        match monday.checked_add_days(Days::new(6)) {
            Some(sunday) => self.holidays.range(monday..=sunday).next().is_some(),
            None => true,
        }
    }

    /// The first date from `d` on, up to `limit`, that needs looking at: one
    /// that may open, or a Monday starting a week without holidays (a
    /// candidate for the week shortcut). Skips closed days and runs of
    /// holidays without any time zone arithmetic.
    fn next_useful_day(&self, mut d: NaiveDate, limit: NaiveDate) -> Option<NaiveDate> {
        while d <= limit {
            if self.may_open(d) || (d.weekday() == Weekday::Mon && !self.week_has_holiday(d)) {
                return Some(d);
            }
            d = d.succ_opt()?;
        }
        None
    }

    /// The open intervals of local date `d`, whose span is `[m0, m1)`, in
    /// order, clipped to the supported range.
    fn day_intervals(
        &self,
        d: NaiveDate,
        m0: i64,
        m1: i64,
    ) -> impl Iterator<Item = (i64, i64)> + '_ {
        let ranges = if self.holidays.contains(&d) {
            &[]
        } else {
            self.ranges(d)
        };
        let lo = m0.max(DOMAIN_START_MS);
        let hi = m1.min(DOMAIN_END_MS);
        ranges.iter().filter_map(move |&(s, e)| {
            let us = if s == 0 {
                m0
            } else {
                local_to_utc(self.tz, d, s)
            };
            let ue = if e >= MINUTES_PER_DAY {
                m1
            } else {
                local_to_utc(self.tz, d, e)
            };
            let us = us.max(lo).min(hi);
            let ue = ue.max(lo).min(hi);
            (ue > us).then_some((us, ue))
        })
    }

    /// Whether the local week starting on Monday `monday` (at instant `m`)
    /// has its nominal open length: no holiday, a regular midnight, and the
    /// same UTC offset at each of its eight midnights. Transitions of one
    /// zone are at least days apart in tzdb, so a change and its reversal
    /// inside a week (Asia/Gaza, Brazil in 2000) is still caught.
    ///
    /// Returns the week's offset, which is also the offset at the next
    /// Monday's midnight; `known` is the offset at `m` when already known.
    fn nominal_week(&self, monday: NaiveDate, m: i64, known: Option<i64>) -> Option<i64> {
        if self.week_has_holiday(monday) {
            return None;
        }
        let offset = known.unwrap_or_else(|| offset_at(self.tz, m));
        if m + offset != days_from_epoch(monday) * DAY_MS {
            return None;
        }
        (1..=7)
            .all(|k| offset_at(self.tz, m + k * DAY_MS) == offset)
            .then_some(offset)
    }

    /// The table of local year `year`, built on first use.
    fn year(&self, year: i32) -> Option<&YearTable> {
        let i = usize::try_from(year.checked_sub(TABLE_FIRST_YEAR)?).ok()?;
        let cell = self.years.0.get(i)?;
        Some(cell.get_or_init(|| self.build_year(year)))
    }

    fn build_year(&self, year: i32) -> YearTable {
        let (Some(mut d), Some(end)) = (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year + 1, 1, 1),
        ) else {
            return YearTable {
                midnight: Vec::new(),
                cum: Vec::new(),
                first: Vec::new(),
                intervals: Vec::new(),
            };
        };
        let mut t = YearTable {
            midnight: Vec::with_capacity(367),
            cum: Vec::with_capacity(367),
            first: Vec::with_capacity(367),
            intervals: Vec::with_capacity(2 * 262),
        };
        let mut m = self.midnight(d);
        let mut total = 0;
        while d < end {
            let Some(next) = d.succ_opt() else { break };
            let m_next = self.midnight(next);
            t.midnight.push(m);
            t.cum.push(total);
            t.first.push(t.intervals.len());
            for iv in self.day_intervals(d, m, m_next) {
                total += iv.1 - iv.0;
                t.intervals.push(iv);
            }
            d = next;
            m = m_next;
        }
        t.midnight.push(m);
        t.cum.push(total);
        t.first.push(t.intervals.len());
        t
    }

    /// The table whose local year holds instant `t`, when one exists.
    fn year_of(&self, t: i64) -> Option<(i32, &YearTable)> {
        // A guess from the mean year, then at most a step either way.
        let mut y = 1970 + i32::try_from(t.div_euclid(MEAN_YEAR_MS)).ok()?;
        for _ in 0..3 {
            let table = self.year(y)?;
            if t < table.start() {
                y -= 1;
            } else if t >= table.end() {
                y += 1;
            } else {
                return Some((y, table));
            }
        }
        None
    }

    /// `business` through the year tables; `None` outside them.
    fn business_by_table(&self, a: i64, b: i64) -> Option<i64> {
        let (ya, ta) = self.year_of(a)?;
        if b <= ta.end() {
            return Some(ta.before(b) - ta.before(a));
        }
        let (yb, tb) = self.year_of(b.checked_sub(1)?)?;
        let mut total = ta.total() - ta.before(a) + tb.before(b);
        for y in ya + 1..yb {
            total += self.year(y)?.total();
        }
        Some(total)
    }

    /// `breach_at` through the year tables; `None` when the answer is not
    /// inside them (then the day walk decides).
    fn breach_at_by_table(&self, from: i64, amount: i64) -> Option<i64> {
        let (mut y, mut table) = self.year_of(from)?;
        let mut target = table.before(from).checked_add(amount)?;
        loop {
            if target <= table.total() {
                return table.reach(target);
            }
            target -= table.total();
            y += 1;
            table = self.year(y)?;
        }
    }

    fn business(&self, a: i64, b: i64) -> i64 {
        let a = a.max(DOMAIN_START_MS);
        let b = b.min(DOMAIN_END_MS);
        if b <= a || self.week_ms == 0 {
            return 0;
        }
        self.business_by_table(a, b)
            .unwrap_or_else(|| self.business_by_walk(a, b))
    }

    /// `business` day by day (whole weeks at once): outside the year tables.
    fn business_by_walk(&self, a: i64, b: i64) -> i64 {
        // Dates from two days after b's local date start after b.
        let limit = add_days(local_date(self.tz, b), 2);
        let mut total = 0;
        let mut d = pred(local_date(self.tz, a));
        let mut cache = MidnightCache::default();
        let mut known_offset = None;
        while let Some(day) = self.next_useful_day(d, limit) {
            if day != d {
                known_offset = None;
            }
            d = day;
            let m = cache.get(self, d);
            if m >= b {
                break;
            }
            if d.weekday() == Weekday::Mon && m >= a && m + WEEK_MS <= b {
                known_offset = self.nominal_week(d, m, known_offset);
                if known_offset.is_some() {
                    total += self.week_ms;
                    d = add_days(d, 7);
                    cache.set(d, m + WEEK_MS);
                    continue;
                }
            }
            known_offset = None;
            let Some(next) = d.succ_opt() else { break };
            let m_next = cache.get(self, next);
            for (s, e) in self.day_intervals(d, m, m_next) {
                let (s, e) = (s.max(a), e.min(b));
                if e > s {
                    total += e - s;
                }
            }
            d = next;
        }
        total
    }

    fn breach_at(&self, from: i64, amount: i64) -> Option<i64> {
        if self.week_ms == 0 {
            return None;
        }
        let start = from.max(DOMAIN_START_MS);
        // Business time never exceeds wall time.
        if start >= DOMAIN_END_MS || amount > DOMAIN_END_MS - start {
            return None;
        }
        if let Some(t) = self.breach_at_by_table(start, amount) {
            return Some(t);
        }
        self.breach_at_by_walk(start, amount)
    }

    /// `breach_at` day by day (whole weeks at once), from `start` inside
    /// the domain.
    fn breach_at_by_walk(&self, start: i64, amount: i64) -> Option<i64> {
        let limit = add_days(local_date(self.tz, DOMAIN_END_MS), 2);
        let last_holiday = self.holidays.last().copied();
        let mut remaining = amount;
        let mut closed_run = 0u32;
        let mut d = pred(local_date(self.tz, start));
        let mut cache = MidnightCache::default();
        let mut known_offset = None;
        while let Some(day) = self.next_useful_day(d, limit) {
            if day != d {
                known_offset = None;
            }
            d = day;
            let m = cache.get(self, d);
            if m >= DOMAIN_END_MS {
                break;
            }
            if d.weekday() == Weekday::Mon && m >= start && self.week_ms < remaining {
                known_offset = self.nominal_week(d, m, known_offset);
                if known_offset.is_some() {
                    remaining -= self.week_ms;
                    closed_run = 0;
                    d = add_days(d, 7);
                    cache.set(d, m + WEEK_MS);
                    continue;
                }
            }
            known_offset = None;
            let next = d.succ_opt()?;
            let m_next = cache.get(self, next);
            let mut opened = false;
            for (s, e) in self.day_intervals(d, m, m_next) {
                let s = s.max(start);
                if e <= s {
                    continue;
                }
                opened = true;
                if remaining <= e - s {
                    return Some(s + remaining);
                }
                remaining -= e - s;
            }
            if opened {
                closed_run = 0;
            } else if m >= start && self.may_open(d) {
                // Only a DST gap can close a day with hours that is not a
                // holiday; many in a row past the last holiday mean never.
                closed_run += 1;
                if closed_run > MAX_CLOSED_RUN_AFTER_HOLIDAYS && last_holiday.is_none_or(|h| d > h)
                {
                    return None;
                }
            }
            d = next;
        }
        None
    }

    fn open_intervals(&self, a: i64, b: i64) -> Vec<(i64, i64)> {
        let a = a.max(DOMAIN_START_MS);
        let b = b.min(DOMAIN_END_MS);
        if b <= a || self.week_ms == 0 {
            return Vec::new();
        }
        self.open_intervals_by_table(a, b)
            .unwrap_or_else(|| self.open_intervals_by_walk(a, b))
    }

    /// `open_intervals` read off the year tables' per-day intervals (a
    /// binary search, then a slice): `None` when `[a, b)` leaves them. A
    /// weekly exclusion asks this of every clock it may pause; walking the
    /// days converted two local midnights to UTC per day each time.
    fn open_intervals_by_table(&self, a: i64, b: i64) -> Option<Vec<(i64, i64)>> {
        let (mut y, mut table) = self.year_of(a)?;
        let mut out: Vec<(i64, i64)> = Vec::new();
        // Sorted and disjoint, so their ends are sorted too.
        let mut from = table.intervals.partition_point(|&(_, e)| e <= a);
        loop {
            for &(s, e) in table.intervals.get(from..)? {
                if s >= b {
                    return Some(out);
                }
                push_clipped(&mut out, (s, e), (a, b));
            }
            if table.end() >= b {
                return Some(out);
            }
            y += 1;
            table = self.year(y)?;
            from = 0;
        }
    }

    /// `open_intervals` day by day: outside the year tables.
    fn open_intervals_by_walk(&self, a: i64, b: i64) -> Vec<(i64, i64)> {
        let mut out: Vec<(i64, i64)> = Vec::new();
        let limit = add_days(local_date(self.tz, b), 2);
        let mut d = pred(local_date(self.tz, a));
        let mut cache = MidnightCache::default();
        while let Some(day) = self.next_useful_day(d, limit) {
            d = day;
            let m = cache.get(self, d);
            if m >= b {
                break;
            }
            let Some(next) = d.succ_opt() else { break };
            let m_next = cache.get(self, next);
            for iv in self.day_intervals(d, m, m_next) {
                push_clipped(&mut out, iv, (a, b));
            }
            d = next;
        }
        out
    }
}

/// Append `iv` cut to `[a, b)` to a sorted list, joining it to the last
/// interval when they touch (a range to 24:00 and the next day's from 00:00).
fn push_clipped(out: &mut Vec<(i64, i64)>, (s, e): (i64, i64), (a, b): (i64, i64)) {
    let (s, e) = (s.max(a), e.min(b));
    if e <= s {
        return;
    }
    match out.last_mut() {
        Some(last) if last.1 >= s => last.1 = last.1.max(e),
        _ => out.push((s, e)),
    }
}

/// The last midnight computed, so consecutive days convert each once.
#[derive(Default)]
struct MidnightCache {
    last: Option<(NaiveDate, i64)>,
}

impl MidnightCache {
    fn get(&mut self, zoned: &Zoned, d: NaiveDate) -> i64 {
        match self.last {
            Some((day, m)) if day == d => m,
            _ => {
                let m = zoned.midnight(d);
                self.last = Some((d, m));
                m
            }
        }
    }

    fn set(&mut self, d: NaiveDate, m: i64) {
        self.last = Some((d, m));
    }
}

/// Sorts and unions one day's ranges, clamping ends to 1440 and dropping
/// empty ones.
fn merge_ranges(mut ranges: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    ranges.retain(|&(s, e)| s < e.min(MINUTES_PER_DAY));
    for r in &mut ranges {
        r.1 = r.1.min(MINUTES_PER_DAY);
    }
    ranges.sort_unstable();
    let mut merged: Vec<(u32, u32)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if last.1 >= s => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

const DAY_KEYS: [(&str, Weekday); 7] = [
    ("mon", Weekday::Mon),
    ("tue", Weekday::Tue),
    ("wed", Weekday::Wed),
    ("thu", Weekday::Thu),
    ("fri", Weekday::Fri),
    ("sat", Weekday::Sat),
    ("sun", Weekday::Sun),
];

const DAY_KEY_HINT: &str =
    "expected one of mon, tue, wed, thu, fri, sat, sun or a range like `mon-fri`";

fn day_from_key(key: &str) -> Option<Weekday> {
    DAY_KEYS
        .iter()
        .find(|(name, _)| *name == key)
        .map(|&(_, day)| day)
}

/// Parses a day key of `hours`: `mon`..`sun`, or a range such as `mon-fri`
/// (wrap-around allowed: `sun-thu`, `fri-mon`), into its days in order.
///
/// Lowercase only. A range that starts and ends on the same day is an error.
pub fn parse_day_key(key: &str) -> Result<Vec<Weekday>, String> {
    if let Some(day) = day_from_key(key) {
        return Ok(vec![day]);
    }
    let Some((first, last)) = key.split_once('-') else {
        return Err(format!("unknown day `{key}`; {DAY_KEY_HINT}"));
    };
    let Some(start) = day_from_key(first) else {
        return Err(format!(
            "unknown day `{first}` in day range `{key}`; {DAY_KEY_HINT}"
        ));
    };
    let Some(end) = day_from_key(last) else {
        return Err(format!(
            "unknown day `{last}` in day range `{key}`; {DAY_KEY_HINT}"
        ));
    };
    if start == end {
        return Err(format!(
            "day range `{key}` starts and ends on the same day; write `{first}` for one day"
        ));
    }
    let mut days = vec![start];
    let mut day = start;
    while day != end {
        day = day.succ();
        days.push(day);
    }
    Ok(days)
}

/// Parses `HH:MM` into (hour, minute), digits only, exactly two each.
fn parse_hhmm(s: &str) -> Option<(u32, u32)> {
    let (h, m) = s.split_once(':')?;
    let two_digits = |p: &str| {
        (p.len() == 2 && p.bytes().all(|c| c.is_ascii_digit()))
            .then(|| p.parse::<u32>().ok())
            .flatten()
    };
    Some((two_digits(h)?, two_digits(m)?))
}

/// Parses `HH:MM-HH:MM` into minutes of the day `(start, end)`.
///
/// Hours 00..=23, minutes 00..=59; the end may be `24:00`; start < end.
pub fn parse_range(s: &str) -> Result<(u32, u32), String> {
    let format_error =
        || format!("invalid time range `{s}`: expected `HH:MM-HH:MM`, e.g. `09:00-17:00`");
    let (from, to) = s.split_once('-').ok_or_else(format_error)?;
    let (start_h, start_m) = parse_hhmm(from).ok_or_else(format_error)?;
    let (end_h, end_m) = parse_hhmm(to).ok_or_else(format_error)?;
    for (h, m, is_end) in [(start_h, start_m, false), (end_h, end_m, true)] {
        if h == 24 && !(is_end && m == 0) {
            return Err(format!(
                "invalid time range `{s}`: hour 24 is only allowed as the end `24:00`"
            ));
        }
        if h > 24 {
            return Err(format!(
                "invalid time range `{s}`: hour {h} is out of range"
            ));
        }
        if m > 59 {
            return Err(format!(
                "invalid time range `{s}`: minute {m} is out of range"
            ));
        }
    }
    let start = start_h * 60 + start_m;
    let end = end_h * 60 + end_m;
    if start == end {
        return Err(format!(
            "range `{s}` is empty; its end must be after its start"
        ));
    }
    if end < start {
        return Err(format!(
            "range `{s}` ends before it starts; an overnight shift is two ranges on two days"
        ));
    }
    Ok((start, end))
}

/// Converts a local date and minute of the day (0..=1440; 1440 is the
/// midnight ending the date, larger values are clamped) in `tz` to UTC ms.
///
/// A local time in a DST gap maps to the first instant after the gap, one in
/// a fold to the earlier instant (SPEC §4.1). Never panics.
pub fn local_to_utc(tz: Tz, date: NaiveDate, minute_of_day: u32) -> i64 {
    let minute = minute_of_day.min(MINUTES_PER_DAY);
    let mut day = date;
    let mut minute_in_day = minute;
    if minute == MINUTES_PER_DAY
        && let Some(next) = date.succ_opt()
    {
        day = next;
        minute_in_day = 0;
    }
    let shift = far_future_shift_days(day.year());
    let shifted = date_from_days(days_from_epoch(day) - shift);
    if minute_in_day == MINUTES_PER_DAY {
        // Only for the last date chrono can represent before the shift.
        if let Some(next) = shifted.succ_opt() {
            return local_naive_to_utc(tz, next, 0) + shift * DAY_MS;
        }
    }
    local_naive_to_utc(tz, shifted, minute_in_day) + shift * DAY_MS
}

/// [`local_to_utc`] for a date inside chrono-tz's tables, minute 0..=1440.
fn local_naive_to_utc(tz: Tz, day: NaiveDate, minute: u32) -> i64 {
    let naive_ms = days_from_epoch(day) * DAY_MS + i64::from(minute) * MINUTE_MS;
    let clamped = minute.min(MINUTES_PER_DAY - 1);
    let Some(local) = day.and_hms_opt(clamped / 60, clamped % 60, 0) else {
        return naive_ms;
    };
    match tz.offset_from_local_datetime(&local) {
        LocalResult::Single(offset) => naive_ms - offset_ms(&offset),
        LocalResult::Ambiguous(first, second) => {
            naive_ms - offset_ms(&first).max(offset_ms(&second))
        }
        LocalResult::None => match GapInfo::new(&local, &tz).and_then(|gap| gap.end) {
            Some(end) => end.timestamp_millis(),
            None => naive_ms - offset_at(tz, naive_ms),
        },
    }
}

/// The local date of instant `t` in `tz` (clamped to chrono's date range).
pub fn local_date(tz: Tz, t: i64) -> NaiveDate {
    let local = t.saturating_add(offset_at(tz, t));
    date_from_days(local.div_euclid(DAY_MS))
}

/// The UTC offset of `tz` at instant `t`, in ms (0 outside chrono's range).
fn offset_at(tz: Tz, t: i64) -> i64 {
    let mut secs = t.div_euclid(1000);
    if secs >= FAR_FUTURE_SECS {
        let year = date_from_days(secs.div_euclid(86_400)).year();
        secs -= far_future_shift_days(year) * 86_400;
    }
    match DateTime::from_timestamp(secs, 0) {
        Some(utc) => offset_ms(&tz.offset_from_utc_datetime(&utc.naive_utc())),
        None => 0,
    }
}

fn offset_ms(offset: &impl Offset) -> i64 {
    i64::from(offset.fix().local_minus_utc()) * 1000
}

/// Days from 1970-01-01 to `date`.
fn days_from_epoch(date: NaiveDate) -> i64 {
    i64::from(date.num_days_from_ce()) - UNIX_EPOCH_DAYS_FROM_CE
}

/// The date `days` after 1970-01-01, clamped to chrono's range.
fn date_from_days(days: i64) -> NaiveDate {
    let from_ce = days.saturating_add(UNIX_EPOCH_DAYS_FROM_CE);
    i32::try_from(from_ce)
        .ok()
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or(if from_ce < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
}

fn pred(d: NaiveDate) -> NaiveDate {
    d.pred_opt().unwrap_or(d)
}

/// `d` plus `n` days, saturating at chrono's last date.
fn add_days(d: NaiveDate, n: u64) -> NaiveDate {
    d.checked_add_days(Days::new(n)).unwrap_or(NaiveDate::MAX)
}

fn is_leap_year(year: i32) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// For a year past chrono-tz's tables, the days from 1 March of its
/// equivalent year to its own 1 March; 0 for earlier years.
///
/// The equivalent year is the latest common year in 2089..=2099 whose
/// 1 March falls on the same weekday, so March..December have the same
/// layout, which is where every transition of 2090..=2099 lies (January and
/// February have none; a unit test checks it). Common years there have no
/// Ramadan-based predictions either (Africa/Casablanca, Asia/Gaza end in the
/// 2080s), matching what tzdb's own footer rules give.
fn far_future_shift_days(year: i32) -> i64 {
    if year < FAR_FUTURE_YEAR {
        return 0;
    }
    let Some(march1) = NaiveDate::from_ymd_opt(year, 3, 1) else {
        return 0;
    };
    let weekday = march1.weekday();
    (EQUIVALENT_FIRST_YEAR..FAR_FUTURE_YEAR)
        .rev()
        .filter(|&y| !is_leap_year(y))
        .filter_map(|y| NaiveDate::from_ymd_opt(y, 3, 1))
        .find(|d| d.weekday() == weekday)
        .map_or(0, |d| days_from_epoch(march1) - days_from_epoch(d))
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    clippy::indexing_slicing,
    reason = "unit tests fail loudly on purpose"
)]
mod tests {
    use super::*;

    /// The year tables and the day walk agree on `business`, `breach_at`
    /// and `open_intervals`,
    /// in zones with DST (both hemispheres, a 30-minute shift, a skipped
    /// day), with holidays, overnight and midnight-crossing hours, over
    /// intervals from a minute to three years, across year ends.
    #[test]
    fn year_tables_agree_with_the_day_walk() {
        let zones = [
            chrono_tz::America::New_York,
            chrono_tz::Europe::London,
            chrono_tz::Australia::Sydney,
            chrono_tz::Australia::Lord_Howe,
            chrono_tz::Asia::Kolkata,
            chrono_tz::Pacific::Apia,
            chrono_tz::America::Sao_Paulo,
        ];
        let weeks: [[Vec<(u32, u32)>; 7]; 3] = [
            std::array::from_fn(|d| if d < 5 { vec![(540, 1020)] } else { vec![] }),
            std::array::from_fn(|d| if d == 6 { vec![(60, 240)] } else { vec![] }),
            std::array::from_fn(|d| match d {
                0..=4 => vec![(0, 120), (150, 1440)],
                _ => vec![(1320, 1440)],
            }),
        ];
        let holidays: BTreeSet<NaiveDate> =
            [date(2011, 12, 29), date(2025, 12, 25), date(2026, 1, 1)]
                .into_iter()
                .collect();
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = move |m: i64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            i64::try_from(x % u64::try_from(m).unwrap()).unwrap()
        };
        let mut checked = 0;
        for tz in zones {
            for week in &weeks {
                let cal = Calendar::new(tz, week.clone(), holidays.clone());
                let Inner::Zoned(z) = &cal.inner else {
                    unreachable!()
                };
                for _ in 0..120 {
                    // 2010..2028, and now and then near a year end.
                    let a = 1_262_304_000_000 + next(18 * 365 * DAY_MS);
                    let len = match next(3) {
                        0 => next(3 * DAY_MS),
                        1 => next(60 * DAY_MS),
                        _ => next(3 * 365 * DAY_MS),
                    } + 1;
                    let b = a + len;
                    assert_eq!(
                        z.business_by_table(a, b),
                        Some(z.business_by_walk(a, b)),
                        "{tz} {a} {b}"
                    );
                    assert_eq!(
                        z.open_intervals_by_table(a, b),
                        Some(z.open_intervals_by_walk(a, b)),
                        "{tz} {a} {b}"
                    );
                    let amount = next(len) + 1;
                    let walk = z.breach_at_by_walk(a, amount);
                    match z.breach_at_by_table(a, amount) {
                        Some(t) => assert_eq!(Some(t), walk, "{tz} {a} {amount}"),
                        // Past the tables (a Sunday-only calendar, years of
                        // business time): the walk answers.
                        None => assert!(
                            walk.is_none_or(|t| t >= 4_102_358_400_000),
                            "{tz} {a} {amount} {walk:?}"
                        ),
                    }
                    checked += 1;
                }
            }
        }
        assert_eq!(checked, 7 * 3 * 120);
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn ms(s: &str) -> i64 {
        DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis()
    }

    fn nine_to_five(tz: Tz) -> Calendar {
        let day = vec![(540, 1020)];
        Calendar::new(
            tz,
            [
                day.clone(),
                day.clone(),
                day.clone(),
                day.clone(),
                day,
                vec![],
                vec![],
            ],
            BTreeSet::new(),
        )
    }

    #[test]
    fn constants_are_what_they_say() {
        assert_eq!(DOMAIN_START_MS, ms("0000-01-01T00:00:00Z"));
        assert_eq!(DOMAIN_END_MS, ms("9999-12-31T00:00:00Z") + DAY_MS);
        assert_eq!(FAR_FUTURE_SECS * 1000, ms("2100-01-01T00:00:00Z"));
        assert_eq!(days_from_epoch(date(1970, 1, 1)), 0);
        assert_eq!(date_from_days(0), date(1970, 1, 1));
        assert_eq!(date_from_days(i64::MAX), NaiveDate::MAX);
        assert_eq!(date_from_days(i64::MIN), NaiveDate::MIN);
    }

    #[test]
    fn calendar_is_send_sync_clone_debug() {
        fn assert_traits<T: Send + Sync + Clone + std::fmt::Debug>() {}
        assert_traits::<Calendar>();
    }

    #[test]
    fn day_keys() {
        assert_eq!(parse_day_key("mon"), Ok(vec![Weekday::Mon]));
        assert_eq!(
            parse_day_key("mon-fri"),
            Ok(vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri
            ])
        );
        assert_eq!(
            parse_day_key("sun-thu"),
            Ok(vec![
                Weekday::Sun,
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu
            ])
        );
        assert_eq!(
            parse_day_key("fri-mon"),
            Ok(vec![Weekday::Fri, Weekday::Sat, Weekday::Sun, Weekday::Mon])
        );
        assert_eq!(
            parse_day_key("monday"),
            Err("unknown day `monday`; expected one of mon, tue, wed, thu, fri, sat, sun or a range like `mon-fri`".to_string())
        );
        assert_eq!(
            parse_day_key("mon-frii"),
            Err("unknown day `frii` in day range `mon-frii`; expected one of mon, tue, wed, thu, fri, sat, sun or a range like `mon-fri`".to_string())
        );
        for bad in ["Mon", "MON-FRI", "", "-", "mon-", " mon", "mon-tue-wed"] {
            assert!(parse_day_key(bad).is_err(), "{bad}");
        }
        assert_eq!(
            parse_day_key("mon-mon"),
            Err(
                "day range `mon-mon` starts and ends on the same day; write `mon` for one day"
                    .to_string()
            )
        );
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range("09:00-17:00"), Ok((540, 1020)));
        assert_eq!(parse_range("00:00-24:00"), Ok((0, 1440)));
        assert_eq!(parse_range("22:30-23:59"), Ok((1350, 1439)));
        assert_eq!(
            parse_range("25:00-26:00"),
            Err("invalid time range `25:00-26:00`: hour 25 is out of range".to_string())
        );
        assert_eq!(
            parse_range("17:00-09:00"),
            Err("range `17:00-09:00` ends before it starts; an overnight shift is two ranges on two days".to_string())
        );
        assert_eq!(
            parse_range("09:00-09:00"),
            Err("range `09:00-09:00` is empty; its end must be after its start".to_string())
        );
        assert_eq!(
            parse_range("09:60-17:00"),
            Err("invalid time range `09:60-17:00`: minute 60 is out of range".to_string())
        );
        assert_eq!(
            parse_range("24:00-24:00"),
            Err(
                "invalid time range `24:00-24:00`: hour 24 is only allowed as the end `24:00`"
                    .to_string()
            )
        );
        assert_eq!(
            parse_range("22:00-24:30"),
            Err(
                "invalid time range `22:00-24:30`: hour 24 is only allowed as the end `24:00`"
                    .to_string()
            )
        );
        assert_eq!(
            parse_range("9:00-17:00"),
            Err(
                "invalid time range `9:00-17:00`: expected `HH:MM-HH:MM`, e.g. `09:00-17:00`"
                    .to_string()
            )
        );
        for bad in [
            "",
            "-",
            "09:00",
            "09:00-",
            "09:00 - 17:00",
            "+9:00-17:00",
            "09:00-17:00-18:00",
            "09.00-17.00",
            "０９:00-17:00",
            "09:0-17:00",
        ] {
            assert!(parse_range(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ranges_are_merged_and_sanitised() {
        assert_eq!(
            merge_ranges(vec![
                (600, 720),
                (540, 660),
                (720, 780),
                (900, 2000),
                (5, 5)
            ]),
            vec![(540, 780), (900, 1440)]
        );
    }

    #[test]
    fn far_future_years_map_onto_same_calendar() {
        assert_eq!(far_future_shift_days(2099), 0);
        for year in (2100..2600).chain([9999, 10_000, 262_142]) {
            let shift = far_future_shift_days(year);
            assert!(shift > 0, "{year}");
            assert_eq!(shift % 7, 0, "{year}");
            let equivalent = date_from_days(days_from_epoch(date(year, 3, 1)) - shift);
            assert!((2089..2100).contains(&equivalent.year()), "{year}");
            assert!(!is_leap_year(equivalent.year()), "{year}");
            assert_eq!((equivalent.month(), equivalent.day()), (3, 1));
        }
    }

    #[test]
    fn no_zone_changes_offset_from_december_to_february_near_2100() {
        // The far-future mapping aligns March..December only.
        for tz in chrono_tz::TZ_VARIANTS {
            for year in 2088..2100 {
                let from = days_from_epoch(date(year, 12, 1));
                let to = days_from_epoch(date(year + 1, 3, 1));
                let first = offset_at(tz, from * DAY_MS);
                for day in from..to {
                    assert_eq!(offset_at(tz, day * DAY_MS), first, "{tz:?} {year}");
                }
            }
        }
    }

    #[test]
    fn far_future_offsets_follow_tzdb_rules() {
        // Expected values from Python's zoneinfo (tzdb footer rules).
        for (zone, local, expected) in [
            (
                "America/New_York",
                (2150, 3, 7, 720),
                "2150-03-07T12:00:00-05:00",
            ),
            (
                "America/New_York",
                (2150, 3, 15, 720),
                "2150-03-15T12:00:00-04:00",
            ),
            (
                "Australia/Lord_Howe",
                (2123, 4, 4, 720),
                "2123-04-04T12:00:00+10:30",
            ),
            (
                "Australia/Lord_Howe",
                (2123, 4, 3, 720),
                "2123-04-03T12:00:00+11:00",
            ),
            (
                "America/Santiago",
                (2200, 9, 7, 720),
                "2200-09-07T12:00:00-03:00",
            ),
            (
                "Africa/Casablanca",
                (2112, 9, 11, 720),
                "2112-09-11T12:00:00+01:00",
            ),
            ("Asia/Gaza", (2112, 9, 11, 720), "2112-09-11T12:00:00+03:00"),
            (
                "Europe/Dublin",
                (9999, 12, 31, 720),
                "9999-12-31T12:00:00+00:00",
            ),
        ] {
            let tz: Tz = zone.parse().unwrap();
            let (y, m, d, minute) = local;
            assert_eq!(
                local_to_utc(tz, date(y, m, d), minute),
                ms(expected),
                "{zone} {local:?}"
            );
        }
    }

    #[test]
    fn extremes_do_not_panic() {
        let tz: Tz = "America/New_York".parse().unwrap();
        for d in [NaiveDate::MIN, NaiveDate::MAX] {
            for minute in [0, 1, 1439, 1440, u32::MAX] {
                let _ = local_to_utc(tz, d, minute);
            }
        }
        for t in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX - 1, i64::MAX] {
            let _ = local_date(tz, t);
            let cal = nine_to_five(tz);
            let _ = cal.is_open(t);
            let _ = cal.breach_at(t, i64::MAX);
            let _ = cal.breach_at(t, 1);
            let _ = Calendar::always().breach_at(t, i64::MAX);
        }
        assert_eq!(local_date(tz, i64::MAX), NaiveDate::MAX);
        assert_eq!(local_date(tz, i64::MIN), NaiveDate::MIN);
        assert_eq!(Calendar::always().business(i64::MIN, i64::MAX), i64::MAX);
        assert_eq!(Calendar::always().breach_at(i64::MAX, 1), None);
        assert_eq!(Calendar::always().breach_at(5, 0), Some(5));
        assert_eq!(Calendar::always().breach_at(5, -3), Some(5));
    }

    #[test]
    fn zoned_calendar_is_closed_outside_the_supported_range() {
        let all_day = vec![(0, 1440)];
        let cal = Calendar::new(
            Tz::UTC,
            std::array::from_fn(|_| all_day.clone()),
            BTreeSet::new(),
        );
        assert_eq!(cal.business(DOMAIN_END_MS - 10, DOMAIN_END_MS + 10), 10);
        assert_eq!(cal.business(DOMAIN_START_MS - 10, DOMAIN_START_MS + 10), 10);
        assert!(!cal.is_open(DOMAIN_END_MS));
        assert!(cal.is_open(DOMAIN_END_MS - 1));
        assert_eq!(cal.breach_at(DOMAIN_END_MS - 10, 10), Some(DOMAIN_END_MS));
        assert_eq!(cal.breach_at(DOMAIN_END_MS - 10, 11), None);
        assert_eq!(
            cal.open_intervals(DOMAIN_END_MS - 3 * DAY_MS, i64::MAX),
            vec![(DOMAIN_END_MS - 3 * DAY_MS, DOMAIN_END_MS)]
        );
        assert_eq!(
            cal.open_intervals(i64::MIN, DOMAIN_START_MS + 3 * DAY_MS),
            vec![(DOMAIN_START_MS, DOMAIN_START_MS + 3 * DAY_MS)]
        );
    }

    #[test]
    fn week_shortcut_matches_day_by_day() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let cal = nine_to_five(tz);
        let Inner::Zoned(z) = &cal.inner else {
            unreachable!()
        };
        assert_eq!(z.week_ms, 40 * 3_600_000);
        // Weeks containing the 2024 transitions are not nominal.
        let m = z.midnight(date(2024, 3, 4));
        assert_eq!(z.nominal_week(date(2024, 3, 4), m, None), None);
        let m = z.midnight(date(2024, 3, 11));
        assert_eq!(
            z.nominal_week(date(2024, 3, 11), m, None),
            Some(-4 * 3_600_000)
        );
        let m = z.midnight(date(2024, 10, 28));
        assert_eq!(z.nominal_week(date(2024, 10, 28), m, None), None);
        let m = z.midnight(date(2024, 11, 4));
        assert_eq!(
            z.nominal_week(date(2024, 11, 4), m, None),
            Some(-5 * 3_600_000)
        );
        assert_eq!(
            cal.business(
                ms("2015-01-01T00:00:00-05:00"),
                ms("2025-01-01T00:00:00-05:00")
            ),
            20_872 * 3_600_000
        );
    }

    /// Day by day, without the week shortcut.
    fn slow_business(cal: &Calendar, a: i64, b: i64) -> i64 {
        let Inner::Zoned(z) = &cal.inner else {
            unreachable!()
        };
        let mut total = 0;
        let mut d = pred(local_date(z.tz, a));
        while z.midnight(d) < b {
            let next = d.succ_opt().unwrap();
            for (s, e) in z.day_intervals(d, z.midnight(d), z.midnight(next)) {
                total += (e.min(b) - s.max(a)).max(0);
            }
            d = next;
        }
        total
    }

    #[test]
    fn week_shortcut_agrees_with_day_by_day_in_odd_zones() {
        // Asia/Gaza has a predicted six-day DST episode 2040-10-20 -> 10-26;
        // America/Sao_Paulo had DST at midnight until 2019.
        for (zone, from, to) in [
            ("Asia/Gaza", "2040-01-01T00:00:00Z", "2041-01-01T00:00:00Z"),
            (
                "America/Sao_Paulo",
                "2017-06-01T00:00:00Z",
                "2019-06-01T00:00:00Z",
            ),
            (
                "Pacific/Apia",
                "2011-01-01T00:00:00Z",
                "2012-06-01T00:00:00Z",
            ),
            (
                "America/New_York",
                "2099-06-01T00:00:00Z",
                "2101-06-01T00:00:00Z",
            ),
        ] {
            let tz: Tz = zone.parse().unwrap();
            for week in [
                std::array::from_fn(|i| if i < 5 { vec![(540, 1020)] } else { vec![] }),
                std::array::from_fn(|_| vec![(0, 360), (1380, 1440)]),
                std::array::from_fn(|i| {
                    if i % 2 == 0 {
                        vec![(60, 150)]
                    } else {
                        vec![(0, 1440)]
                    }
                }),
            ] {
                let cal = Calendar::new(tz, week, BTreeSet::new());
                let (a, b) = (ms(from), ms(to));
                assert_eq!(cal.business(a, b), slow_business(&cal, a, b), "{zone}");
                for k in 0..40 {
                    let a2 = a + k * 11 * DAY_MS + k * 3_599_999;
                    let b2 = a2 + 60 * DAY_MS + k * 7_000_001;
                    assert_eq!(
                        cal.business(a2, b2),
                        slow_business(&cal, a2, b2),
                        "{zone} {k}"
                    );
                }
            }
        }
    }
}
