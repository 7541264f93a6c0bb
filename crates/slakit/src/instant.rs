//! Instants: UTC milliseconds (`i64`), parsed from and printed as RFC 3339.

use chrono::{DateTime, Datelike, Timelike, Utc};

/// The earliest instant slakit accepts: `0001-01-01T00:00:00Z`.
pub const MIN_INSTANT: i64 = -62_135_596_800_000;
/// The latest instant slakit accepts: `9999-12-31T23:59:59.999Z`.
pub const MAX_INSTANT: i64 = 253_402_300_799_999;

/// Why a text is not an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InstantError {
    /// A date and time without a UTC offset.
    NoOffset,
    /// A leap second (`:60`).
    LeapSecond,
    /// Outside years 0001–9999.
    OutOfRange,
    /// Not RFC 3339 at all (chrono's reason).
    Invalid(String),
}

impl InstantError {
    /// A lowercase message that quotes the value.
    pub fn message(&self, value: &str) -> String {
        match self {
            InstantError::NoOffset => format!(
                "instant `{value}` has no UTC offset; write it as RFC 3339 with `Z` or `+hh:mm`"
            ),
            InstantError::LeapSecond => {
                format!("instant `{value}` is a leap second, which slakit does not accept")
            }
            InstantError::OutOfRange => {
                format!("instant `{value}` is outside the supported years 0001-9999")
            }
            InstantError::Invalid(why) => {
                format!("`{value}` is not an RFC 3339 instant ({why})")
            }
        }
    }
}

/// Parse an RFC 3339 instant with an offset. Sub-millisecond digits are truncated.
pub fn parse(text: &str) -> Result<i64, InstantError> {
    parse_utc(text).map_or_else(|| parse_rfc3339(text), Ok)
}

/// [`parse`] through chrono: every RFC 3339 form, and the errors.
fn parse_rfc3339(text: &str) -> Result<i64, InstantError> {
    match DateTime::parse_from_rfc3339(text) {
        Ok(dt) => {
            if dt.nanosecond() >= 1_000_000_000 {
                return Err(InstantError::LeapSecond);
            }
            let utc = dt.with_timezone(&Utc);
            if !(1..=9999).contains(&utc.year()) {
                return Err(InstantError::OutOfRange);
            }
            let ms = utc
                .timestamp()
                .checked_mul(1000)
                .and_then(|s| s.checked_add(i64::from(utc.timestamp_subsec_millis())))
                .ok_or(InstantError::OutOfRange)?;
            Ok(ms)
        }
        Err(e) => {
            // Distinguish the common "no offset" mistake for a clearer message.
            if looks_offsetless(text) {
                Err(InstantError::NoOffset)
            } else if text.contains(":60") && leap_second_shape(text) {
                Err(InstantError::LeapSecond)
            } else {
                Err(InstantError::Invalid(e.to_string()))
            }
        }
    }
}

/// The common shape, `YYYY-MM-DDTHH:MM:SSZ` or `YYYY-MM-DDTHH:MM:SS.mmmZ`
/// with a valid date and time of years 0001-9999, read directly; `None` for
/// anything else, which chrono then reads (a test compares the two).
fn parse_utc(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let milli = match b.len() {
        20 => 0,
        24 if b.get(19) == Some(&b'.') => digits(b, 20, 3)?,
        _ => return None,
    };
    let shape = [(4, b'-'), (7, b'-'), (10, b'T'), (13, b':'), (16, b':')];
    if b.last() != Some(&b'Z') || shape.iter().any(|&(i, c)| b.get(i) != Some(&c)) {
        return None;
    }
    let (y, m, d) = (digits(b, 0, 4)?, digits(b, 5, 2)?, digits(b, 8, 2)?);
    let (h, mi, s) = (digits(b, 11, 2)?, digits(b, 14, 2)?, digits(b, 17, 2)?);
    if y == 0 || h > 23 || mi > 59 || s > 59 {
        return None;
    }
    // chrono validates the date and numbers its day (days since 0001-01-01).
    let date = chrono::NaiveDate::from_ymd_opt(
        i32::try_from(y).ok()?,
        u32::try_from(m).ok()?,
        u32::try_from(d).ok()?,
    )?;
    let days = i64::from(date.num_days_from_ce()) - DAYS_TO_EPOCH;
    Some(((days * 24 + h) * 60 + mi) * 60_000 + s * 1000 + milli)
}

/// 1970-01-01 as chrono numbers days from the common era (0001-01-01 is 1).
const DAYS_TO_EPOCH: i64 = 719_163;

/// The `n` ASCII digits at `at` as a number.
fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    b.get(at..at + n)?.iter().try_fold(0i64, |v, c| {
        c.is_ascii_digit().then(|| v * 10 + i64::from(c - b'0'))
    })
}

fn looks_offsetless(text: &str) -> bool {
    // `YYYY-MM-DDTHH:MM:SS[.fff]` with nothing after the seconds.
    let t = text.trim();
    if t.len() < 19 {
        return false;
    }
    let tail = t.get(19..).unwrap_or("");
    let date_time_ok = t.get(..19).is_some_and(|h| {
        h.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            10 => b == b'T' || b == b't' || b == b' ',
            13 | 16 => b == b':',
            _ => b.is_ascii_digit(),
        })
    });
    date_time_ok
        && (tail.is_empty()
            || (tail.starts_with('.') && tail.bytes().skip(1).all(|b| b.is_ascii_digit())))
}

fn leap_second_shape(text: &str) -> bool {
    text.get(16..19) == Some(":60")
}

/// Format an instant as RFC 3339 UTC: `Z`, and `.sss` only when the
/// millisecond part is non-zero. (Hand-written: it is on the hot path of
/// every report, and chrono's formatter allocates and interprets a pattern.)
pub fn format(ms: i64) -> String {
    let mut out = String::with_capacity(24);
    write(&mut out, ms);
    out
}

/// [`format()`] as a [`Text`](crate::report::Text): held inline, no allocation.
pub fn format_text(ms: i64) -> crate::report::Text {
    let mut out = crate::report::Text::default();
    write(&mut out, ms);
    out
}

/// Append [`format`]'s text to a byte buffer.
pub(crate) fn write_bytes(out: &mut Vec<u8>, ms: i64) {
    if let Some((text, len)) = compose(ms) {
        out.extend_from_slice(text.get(..len).unwrap_or_default());
    } else {
        out.extend_from_slice(format(ms).as_bytes());
    }
}

/// Write [`format`]'s text into any string (`String`, `Text`).
fn write(out: &mut impl std::fmt::Write, ms: i64) {
    // Writing into a string cannot fail.
    let _ = match compose(ms) {
        // ASCII digits and separators only.
        Some((text, len)) => out.write_str(
            std::str::from_utf8(text.get(..len).unwrap_or_default()).unwrap_or_default(),
        ),
        None => match DateTime::<Utc>::from_timestamp_millis(ms) {
            Some(dt) => write!(out, "{}", dt.format("%Y-%m-%dT%H:%M:%S%.3fZ")),
            None => write!(out, "{ms}ms"),
        },
    };
}

/// An instant of the supported years as `YYYY-MM-DDTHH:MM:SS[.mmm]Z` in a
/// stack buffer, and its length; `None` outside them.
fn compose(ms: i64) -> Option<([u8; 24], usize)> {
    if !(MIN_INSTANT..=MAX_INSTANT).contains(&ms) {
        return None;
    }
    let days = ms.div_euclid(86_400_000);
    // In [0, 86_400_000): unsigned arithmetic from here on (years 1-9999).
    let in_day = ms.rem_euclid(86_400_000) as u32;
    let (y, m, d) = civil_from_days(days);
    let (y, m, d) = (y as u32, m as u32, d as u32);
    let (h, mi, s, milli) = (
        in_day / 3_600_000,
        in_day / 60_000 % 60,
        in_day / 1000 % 60,
        in_day % 1000,
    );
    let mut buf = *b"0000-00-00T00:00:00.000Z";
    put_pair(&mut buf, 0, y / 100);
    put_pair(&mut buf, 2, y);
    put_pair(&mut buf, 5, m);
    put_pair(&mut buf, 8, d);
    put_pair(&mut buf, 11, h);
    put_pair(&mut buf, 14, mi);
    put_pair(&mut buf, 17, s);
    if milli != 0 {
        if let Some(b) = buf.get_mut(20) {
            *b = b'0' + (milli / 100) as u8;
        }
        put_pair(&mut buf, 21, milli);
        Some((buf, 24))
    } else {
        if let Some(b) = buf.get_mut(19) {
            *b = b'Z';
        }
        Some((buf, 20))
    }
}

/// "00" to "99", each number's two digits at twice its place.
const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// The last two decimal digits of `v` (non-negative) at `out[at..at + 2]`:
/// one copy from [`PAIRS`] (a division per digit took most of [`compose`]).
fn put_pair(out: &mut [u8; 24], at: usize, v: u32) {
    let i = (v % 100) as usize * 2;
    if let (Some(to), Some(from)) = (out.get_mut(at..at + 2), PAIRS.get(i..i + 2)) {
        to.copy_from_slice(from);
    }
}

/// Days since 1970-01-01 → (year, month, day) in the proleptic Gregorian
/// calendar (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// The direct reading of `YYYY-MM-DDTHH:MM:SS[.mmm]Z` gives what
        /// chrono gives, or leaves the text to chrono: months 0-13, days
        /// 0-32 (29 February of every kind of year), hours to 25, minutes
        /// and seconds to 61, year 0000, and a character sometimes replaced.
        #[test]
        fn the_direct_reading_agrees_with_chrono(
            (y, m, d) in (prop_oneof![0i64..=9999, (0i64..=99).prop_map(|c| c * 100)], 0i64..=13, 0i64..=32),
            (h, mi, sec) in (0i64..=25, 0i64..=61, 0i64..=61),
            milli in proptest::option::of(0i64..1000),
            swap in proptest::option::of((0usize..24, "[-T:Z.tz+ 0-9]")),
        ) {
            let mut text = format!("{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{sec:02}");
            if let Some(milli) = milli {
                text.push_str(&format!(".{milli:03}"));
            }
            text.push('Z');
            if let Some((at, c)) = swap {
                let at = at.min(text.len() - 1);
                text.replace_range(at..at + 1, &c);
            }
            if let Some(ms) = parse_utc(&text) {
                prop_assert_eq!(Ok(ms), parse_rfc3339(&text), "{}", text);
            }
        }

        /// Every instant of the supported years, formatted, is read
        /// directly and back to itself.
        #[test]
        fn every_formatted_instant_is_read_directly(ms in MIN_INSTANT..=MAX_INSTANT) {
            let text = format(ms);
            prop_assert_eq!(parse_utc(&text), Some(ms), "{}", text);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]
        /// Any instant of the supported years is formatted as chrono
        /// formats it: `.sss` only when the milliseconds are not zero.
        #[test]
        fn any_instant_is_formatted_as_chrono_formats_it(ms in MIN_INSTANT..=MAX_INSTANT) {
            let chrono = DateTime::<Utc>::from_timestamp_millis(ms).map(|dt| {
                if ms.rem_euclid(1000) == 0 {
                    dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
                } else {
                    dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
                }
            });
            prop_assert_eq!(Some(format(ms)), chrono);
        }
    }

    #[test]
    fn round_trips_and_truncates() {
        assert_eq!(parse("2026-03-01T00:00:00Z"), Ok(1_772_323_200_000));
        assert_eq!(parse("2026-03-01T00:00:00.0019Z"), Ok(1_772_323_200_001));
        assert_eq!(parse("2026-02-28T19:00:00-05:00"), Ok(1_772_323_200_000));
        assert_eq!(format(1_772_323_200_000), "2026-03-01T00:00:00Z");
        assert_eq!(format(1_772_323_200_010), "2026-03-01T00:00:00.010Z");
    }

    #[test]
    fn fast_format_agrees_with_chrono() {
        let mut t = MIN_INSTANT;
        let step = 7_919_993_337_i64; // ~92 days and some ms, prime-ish
        while t <= MAX_INSTANT {
            let chrono = DateTime::<Utc>::from_timestamp_millis(t).map(|dt| {
                if t.rem_euclid(1000) == 0 {
                    dt.format("%Y-%m-%dT%H:%M:%SZ").to_string()
                } else {
                    dt.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
                }
            });
            assert_eq!(Some(format(t)), chrono, "{t}");
            assert_eq!(parse(&format(t)), Ok(t));
            t += step;
        }
        for t in [0, -1, 951_782_400_000, 4_107_542_400_000, 1_709_164_800_123] {
            assert_eq!(parse(&format(t)), Ok(t), "{t}");
        }
    }

    #[test]
    fn refuses_bad_instants() {
        assert_eq!(parse("2026-03-01T00:00:00"), Err(InstantError::NoOffset));
        assert_eq!(parse("2016-12-31T23:59:60Z"), Err(InstantError::LeapSecond));
        assert!(matches!(
            parse("2024-02-30T00:00:00Z"),
            Err(InstantError::Invalid(_))
        ));
        assert!(matches!(
            parse("2024-02-01T24:00:00Z"),
            Err(InstantError::Invalid(_))
        ));
        assert!(matches!(
            parse("2024-02-01T00:00:00+25:00"),
            Err(InstantError::Invalid(_))
        ));
        assert_eq!(parse("9999-12-31T23:59:59Z"), Ok(253_402_300_799_000));
        assert_eq!(format(MAX_INSTANT), "9999-12-31T23:59:59.999Z");
        assert_eq!(format(MIN_INSTANT), "0001-01-01T00:00:00Z");
    }
}
