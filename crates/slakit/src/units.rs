//! Durations and percentages as policy scalars (SPEC §3.1).
//!
//! Durations are integer milliseconds; percentages are integer parts per
//! million, so no float rounding can flip a verdict.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

use crate::error::ErrorCode;

/// Wrap a message so that the code survives serde's string-only errors.
pub(crate) fn tagged(code: ErrorCode, message: impl fmt::Display) -> String {
    format!("⟨slakit:{}⟩{}⟨/slakit⟩", code.as_str(), message)
}

/// Pull a code and message back out of a serde error text (see [`tagged`]).
pub(crate) fn untag(text: &str) -> Option<(ErrorCode, String)> {
    const OPEN: &str = "⟨slakit:";
    const CLOSE: &str = "⟨/slakit⟩";
    let start = text.find(OPEN)?;
    let rest = text.get(start + OPEN.len()..)?;
    let mid = rest.find('⟩')?;
    let code = rest.get(..mid)?;
    let body = rest.get(mid + '⟩'.len_utf8()..)?;
    let end = body.find(CLOSE).unwrap_or(body.len());
    let code = ErrorCode::ALL
        .iter()
        .copied()
        .find(|c| c.as_str() == code)?;
    Some((code, body.get(..end).unwrap_or(body).to_string()))
}

/// A duration in milliseconds, remembering whether a `d` unit was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    /// The length in milliseconds.
    pub ms: i64,
    /// True when the text used a day unit (`2d`, `P2D`): worth a warning on a business calendar.
    pub uses_days: bool,
}

impl Duration {
    /// A duration of `ms` milliseconds.
    pub fn from_ms(ms: i64) -> Duration {
        Duration {
            ms,
            uses_days: false,
        }
    }
}

fn duration_error(value: &str) -> String {
    format!(
        "invalid duration `{value}`: write a whole number and a unit, as in `45s`, `90m`, `4h`, `1h30m`, `2d`, or ISO 8601 `PT4H`"
    )
}

/// The longest duration accepted: the span of the supported instants.
pub const MAX_DURATION_MS: i64 = crate::instant::MAX_INSTANT - crate::instant::MIN_INSTANT;
const _: () = assert!(
    MAX_DURATION_MS < (1_i64 << 53),
    "durations must stay exact as JavaScript Numbers"
);

/// Parse `45s`, `90m`, `4h`, `1h30m`, `2d`, `500ms` or ISO 8601 `PT4H` / `P1DT2H`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    if t.starts_with('-') {
        return Err(format!(
            "invalid duration `{text}`: a duration cannot be negative"
        ));
    }
    let too_large =
        || format!("duration `{text}` is too large (at most the 9999 years of supported instants)");
    let (ms, uses_days) = if let Some(iso) = t.strip_prefix('P').or_else(|| t.strip_prefix('p')) {
        parse_iso(iso).ok_or_else(|| duration_error(text))?
    } else {
        parse_compact(t).ok_or_else(|| duration_error(text))?
    };
    // Longer than the supported instant range (years 0001-9999) is never
    // meaningful, and this bound keeps every duration below 2^53 ms, so it
    // crosses into JavaScript as an exact Number.
    let ms = i64::try_from(ms)
        .ok()
        .filter(|ms| *ms <= MAX_DURATION_MS)
        .ok_or_else(too_large)?;
    Ok(Duration { ms, uses_days })
}

const UNIT_MS: [(&str, u128); 5] = [
    ("ms", 1),
    ("s", 1_000),
    ("m", 60_000),
    ("h", 3_600_000),
    ("d", 86_400_000),
];

fn parse_compact(t: &str) -> Option<(u128, bool)> {
    if t.is_empty() {
        return None;
    }
    let mut rest = t;
    let mut total: u128 = 0;
    let mut uses_days = false;
    let mut last_rank = usize::MAX;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 || digits > 20 {
            return None;
        }
        let n: u128 = rest.get(..digits)?.parse().ok()?;
        rest = rest.get(digits..)?;
        // Longest unit first so `ms` is not read as `m`.
        let (rank, unit, mul) = [0usize, 1, 2, 3, 4]
            .iter()
            .filter_map(|&i| UNIT_MS.get(i).map(|(u, m)| (i, *u, *m)))
            .filter(|(_, u, _)| rest.starts_with(u))
            .max_by_key(|(_, u, _)| u.len())?;
        // Units must go from larger to smaller, each once: `1h30m`, not `30m1h`.
        if rank >= last_rank {
            return None;
        }
        last_rank = rank;
        if unit == "d" {
            uses_days = true;
        }
        total = total.checked_add(n.checked_mul(mul)?)?;
        rest = rest.get(unit.len()..)?;
    }
    Some((total, uses_days))
}

fn parse_iso(iso: &str) -> Option<(u128, bool)> {
    let (date, time) = match iso.find(['T', 't']) {
        Some(i) => (iso.get(..i)?, Some(iso.get(i + 1..)?)),
        None => (iso, None),
    };
    let mut total: u128 = 0;
    let mut uses_days = false;
    let mut any = false;
    let mut take = |part: &str, units: &[(char, u128)]| -> Option<()> {
        let mut rest = part;
        let mut last = usize::MAX;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || digits > 20 {
                return None;
            }
            let n: u128 = rest.get(..digits)?.parse().ok()?;
            let unit = rest.get(digits..)?.chars().next()?.to_ascii_uppercase();
            let rank = units.iter().position(|(u, _)| *u == unit)?;
            if last != usize::MAX && rank <= last {
                return None;
            }
            last = rank;
            let (_, mul) = units.get(rank)?;
            if unit == 'D' || unit == 'W' {
                uses_days = true;
            }
            total = total.checked_add(n.checked_mul(*mul)?)?;
            any = true;
            rest = rest.get(digits + 1..)?;
        }
        Some(())
    };
    take(date, &[('W', 7 * 86_400_000), ('D', 86_400_000)])?;
    if let Some(time) = time {
        if time.is_empty() {
            return None;
        }
        take(time, &[('H', 3_600_000), ('M', 60_000), ('S', 1_000)])?;
    }
    any.then_some((total, uses_days))
}

/// Format milliseconds the way a person writes them: `1h30m`, `45s`, `0s`.
/// Hours are the largest unit, because a "day" of business time is ambiguous.
pub fn format_duration(ms: i64) -> String {
    if ms == 0 {
        return "0s".to_string();
    }
    let sign = if ms < 0 { "-" } else { "" };
    let mut rest = ms.unsigned_abs();
    let mut out = String::from(sign);
    for (unit, mul) in [("h", 3_600_000u64), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
        let n = rest / mul;
        if n > 0 {
            out.push_str(&format!("{n}{unit}"));
            rest -= n * mul;
        }
    }
    out
}

impl<'de> Deserialize<'de> for Duration {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Duration;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a duration such as `4h` or `PT4H`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Duration, E> {
                parse_duration(v).map_err(|m| E::custom(tagged(ErrorCode::InvalidDuration, m)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Duration, E> {
                Err(E::custom(tagged(
                    ErrorCode::InvalidDuration,
                    format!(
                        "invalid duration `{v}`: a duration needs a unit, as in `{v}s` or `{v}m`"
                    ),
                )))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Duration, E> {
                Err(E::custom(tagged(
                    ErrorCode::InvalidDuration,
                    format!(
                        "invalid duration `{v}`: a duration needs a unit, as in `{v}s` or `{v}m`"
                    ),
                )))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Duration, E> {
                Err(E::custom(tagged(
                    ErrorCode::InvalidDuration,
                    format!("invalid duration `{v}`: a duration needs a unit, as in `4h`"),
                )))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Duration {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.ms)
    }
}

/// A fraction held exactly as parts per million (`99.95%` = 999 500).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ppm(pub i64);

impl Ppm {
    /// As a float ratio in [0, 1] (for output only).
    pub fn ratio(self) -> f64 {
        self.0 as f64 / 1_000_000.0
    }
}

/// Parse a percentage text: `95%`, `99.95%`, `0.95`, `1`.
pub fn parse_percentage(text: &str) -> Result<Ppm, String> {
    let t = text.trim();
    let bad = || {
        format!(
            "invalid percentage `{text}`: write a percentage such as `95%` or a number between 0 and 1"
        )
    };
    let (num, scale_pow) = match t.strip_suffix('%') {
        Some(n) => (n.trim(), 4u32), // ppm = percent × 10^4
        None => (t, 6u32),           // ppm = fraction × 10^6
    };
    let ppm = parse_decimal_scaled(num, scale_pow).map_err(|fine| {
        if fine {
            format!(
                "percentage `{text}` is finer than 1 ppm (0.0001%); slakit never rounds a target"
            )
        } else {
            bad()
        }
    })?;
    if !(0..=1_000_000).contains(&ppm) {
        return Err(format!("percentage `{text}` is outside 0%-100%"));
    }
    Ok(Ppm(ppm))
}

/// Parse a non-negative decimal and scale by 10^pow exactly.
/// Err(true) when it has more decimals than the scale allows; Err(false) when unreadable.
pub(crate) fn parse_decimal_scaled(num: &str, pow: u32) -> Result<i64, bool> {
    if num.is_empty() || num.len() > 40 {
        return Err(false);
    }
    let (int, frac) = match num.split_once('.') {
        Some((i, f)) => (i, f),
        None => (num, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return Err(false);
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return Err(false);
    }
    let frac_trim = frac.trim_end_matches('0');
    if frac_trim.len() > pow as usize {
        return Err(true);
    }
    let int_v: i64 = if int.is_empty() {
        0
    } else {
        int.parse().map_err(|_| false)?
    };
    let mut frac_v: i64 = if frac_trim.is_empty() {
        0
    } else {
        frac_trim.parse().map_err(|_| false)?
    };
    for _ in frac_trim.len()..pow as usize {
        frac_v = frac_v.checked_mul(10).ok_or(false)?;
    }
    int_v
        .checked_mul(10i64.checked_pow(pow).ok_or(false)?)
        .and_then(|v| v.checked_add(frac_v))
        .ok_or(false)
}

/// Scale a float that arrived as a number (YAML or JSON) to an integer
/// multiple of 10^-6, refusing anything finer. The text of the number is
/// recovered with Rust's shortest round-trip formatting, so `0.1` is exact.
fn float_to_micro(v: f64) -> Result<i64, bool> {
    if !v.is_finite() || v < 0.0 {
        return Err(false);
    }
    let text = format!("{v}");
    if text.contains(['e', 'E']) {
        return Err(v != 0.0 && v < 1.0);
    }
    parse_decimal_scaled(&text, 6)
}

impl<'de> Deserialize<'de> for Ppm {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Ppm;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a percentage such as `95%` or a number in [0, 1]")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Ppm, E> {
                parse_percentage(v).map_err(|m| E::custom(tagged(ErrorCode::InvalidPercentage, m)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Ppm, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Ppm, E> {
                self.visit_str(&v.to_string())
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Ppm, E> {
                if !v.is_finite() {
                    return Err(E::custom(tagged(
                        ErrorCode::InvalidPercentage,
                        format!(
                            "invalid percentage `{v}`: it must be a finite number between 0 and 1"
                        ),
                    )));
                }
                self.visit_str(&format!("{v}"))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Ppm {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

/// A count per day with at most 6 decimals, held as millionths (`0.1` = 100 000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PerDay(pub i64);

impl<'de> Deserialize<'de> for PerDay {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        fn refuse<E: de::Error>(shown: &str, fine: bool) -> E {
            let msg = if fine {
                format!("`min_per_day` value `{shown}` has more than 6 decimals")
            } else {
                format!(
                    "invalid `min_per_day` value `{shown}`: write a non-negative number such as `0.5`"
                )
            };
            E::custom(tagged(ErrorCode::InvalidValue, msg))
        }
        impl Visitor<'_> for V {
            type Value = PerDay;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a non-negative number with at most 6 decimals")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<PerDay, E> {
                i64::try_from(v)
                    .ok()
                    .and_then(|v| v.checked_mul(1_000_000))
                    .map(PerDay)
                    .ok_or_else(|| refuse(&v.to_string(), false))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<PerDay, E> {
                match u64::try_from(v) {
                    Ok(u) => self.visit_u64(u),
                    Err(_) => Err(refuse(&v.to_string(), false)),
                }
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<PerDay, E> {
                float_to_micro(v)
                    .map(PerDay)
                    .map_err(|fine| refuse(&format!("{v}"), fine))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<PerDay, E> {
                parse_decimal_scaled(v.trim(), 6)
                    .map(PerDay)
                    .map_err(|fine| refuse(v, fine))
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for PerDay {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.0)
    }
}

/// Round `num / den` half-up to 6 decimals and return it as a float (output only).
pub fn ratio6(num: i128, den: i128) -> Option<f64> {
    if den == 0 {
        return None;
    }
    let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
    let scaled = num.checked_mul(2_000_000)?;
    // floor((2·n·10^6 + d) / (2·d)) = round-half-up(n·10^6/d)
    let micro = (scaled + den).div_euclid(2 * den);
    Some(micro as f64 / 1_000_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let ms = |t: &str| parse_duration(t).map(|d| d.ms);
        assert_eq!(ms("45s"), Ok(45_000));
        assert_eq!(ms("90m"), Ok(5_400_000));
        assert_eq!(ms("1h30m"), Ok(5_400_000));
        assert_eq!(ms("2d"), Ok(172_800_000));
        assert_eq!(ms("PT4H"), Ok(14_400_000));
        assert_eq!(ms("P1DT2H"), Ok(93_600_000));
        assert_eq!(ms("250ms"), Ok(250));
        assert_eq!(ms("0s"), Ok(0));
        assert!(parse_duration("2d").is_ok_and(|d| d.uses_days));
        for bad in ["4 hours", "", "h", "-5m", "30m1h", "1.5h", "PT", "P", "4x"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
        assert!(parse_duration("99999999999999999999d").is_err_and(|e| e.contains("too large")));
        // Every accepted duration is below 2^53 ms (exact as a JavaScript Number).
        assert!(parse_duration("200000000d").is_err_and(|e| e.contains("too large")));
        assert!(parse_duration("3600000d").is_ok());
        assert_eq!(format_duration(5_400_000), "1h30m");
        assert_eq!(format_duration(-1_500), "-1s500ms");
        assert_eq!(format_duration(99_600_000), "27h40m");
    }

    #[test]
    fn percentages() {
        assert_eq!(parse_percentage("95%"), Ok(Ppm(950_000)));
        assert_eq!(parse_percentage("99.95%"), Ok(Ppm(999_500)));
        assert_eq!(parse_percentage("0.9995"), Ok(Ppm(999_500)));
        assert_eq!(parse_percentage("1"), Ok(Ppm(1_000_000)));
        assert_eq!(parse_percentage("99.9999%"), Ok(Ppm(999_999)));
        assert!(parse_percentage("99.99995%").is_err_and(|e| e.contains("finer")));
        assert!(parse_percentage("120%").is_err_and(|e| e.contains("120%")));
        assert!(parse_percentage("abc").is_err());
        assert!(parse_percentage("-5%").is_err());
    }

    #[test]
    fn ratios_round_half_up() {
        assert_eq!(ratio6(2, 3), Some(0.666667));
        assert_eq!(ratio6(1_000_001, 2_000_000), Some(0.500001));
        assert_eq!(ratio6(0, 3), Some(0.0));
        assert_eq!(ratio6(1, 0), None);
    }

    #[test]
    fn tags_survive() {
        let t = format!(
            "prefix {} suffix",
            tagged(ErrorCode::InvalidDuration, "bad `x`")
        );
        assert_eq!(
            untag(&t),
            Some((ErrorCode::InvalidDuration, "bad `x`".to_string()))
        );
    }
}
