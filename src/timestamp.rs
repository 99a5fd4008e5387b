//! RFC 3339 timestamps in UTC, as Foundry writes them (`2026-12-31T23:59:59Z`).
//!
//! A tiny hand-written parser instead of `time`/`chrono`: the app needs only parse, print,
//! compare and "how long from now", and every kilobyte counts in the WASM bundle.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;

/// Seconds since the Unix epoch, UTC. Sub-second digits are accepted on input and dropped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(i64);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an RFC 3339 timestamp (expected e.g. 2026-12-31T23:59:59Z): {0:?}")]
pub struct TimestampError(pub String);

const SECS_PER_DAY: i64 = 86_400;

impl Timestamp {
    pub const fn from_unix(secs: i64) -> Self {
        Self(secs)
    }

    pub const fn unix(self) -> i64 {
        self.0
    }

    /// Now, by the browser's clock (the page's or a worker's): the core itself has no clock.
    #[cfg(feature = "web")]
    pub fn browser_now() -> Self {
        Self((js_sys::Date::now() / 1000.0) as i64)
    }

    /// Midnight UTC of a calendar date.
    pub fn from_date(year: i64, month: u32, day: u32) -> Option<Self> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Self(days_from_civil(year, month, day) * SECS_PER_DAY))
    }

    /// Parses `YYYY-MM-DDTHH:MM:SS[.frac](Z|±HH:MM)`; a bare `YYYY-MM-DD` means midnight UTC
    /// (the list grammar's date literals, e.g. `gte(created_at,2026-01-01)`).
    pub fn parse(text: &str) -> Result<Self, TimestampError> {
        parse_rfc3339(text).ok_or_else(|| TimestampError(text.to_owned()))
    }

    /// The calendar date (year, month, day) in UTC.
    pub fn date(self) -> (i64, u32, u32) {
        civil_from_days(self.0.div_euclid(SECS_PER_DAY))
    }

    /// Midnight UTC of the same day: what the grammar's `date()` cast compares.
    pub fn start_of_day(self) -> Self {
        Self(self.0.div_euclid(SECS_PER_DAY) * SECS_PER_DAY)
    }

    pub fn plus_seconds(self, secs: i64) -> Self {
        Self(self.0.saturating_add(secs))
    }
}

impl fmt::Display for Timestamp {
    /// Always `YYYY-MM-DDTHH:MM:SSZ`, the form Foundry sends.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.date();
        let secs = self.0.rem_euclid(SECS_PER_DAY);
        write!(
            f,
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

impl std::str::FromStr for Timestamp {
    type Err = TimestampError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

fn is_leap(year: i64) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

// Howard Hinnant's days_from_civil / civil_from_days (public domain algorithms).
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn digits(bytes: &[u8], at: usize, n: usize) -> Option<i64> {
    let slice = bytes.get(at..at + n)?;
    slice.iter().try_fold(0i64, |acc, b| {
        b.is_ascii_digit().then(|| acc * 10 + i64::from(b - b'0'))
    })
}

fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    let year = digits(b, 0, 4)?;
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let month = u32::try_from(digits(b, 5, 2)?).ok()?;
    let day = u32::try_from(digits(b, 8, 2)?).ok()?;
    let midnight = Timestamp::from_date(year, month, day)?;
    if b.len() == 10 {
        return Some(midnight);
    }
    if !matches!(b.get(10), Some(b'T' | b't' | b' '))
        || b.get(13) != Some(&b':')
        || b.get(16) != Some(&b':')
    {
        return None;
    }
    let (hour, minute, second) = (digits(b, 11, 2)?, digits(b, 14, 2)?, digits(b, 17, 2)?);
    // 60 allows a leap second, folded into the next minute.
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut at = 19;
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == start {
            return None;
        }
    }
    let offset = match b.get(at)? {
        b'Z' | b'z' if b.len() == at + 1 => 0,
        sign @ (b'+' | b'-') if b.len() == at + 6 && b.get(at + 3) == Some(&b':') => {
            let (oh, om) = (digits(b, at + 1, 2)?, digits(b, at + 4, 2)?);
            if oh > 23 || om > 59 {
                return None;
            }
            let secs = oh * 3600 + om * 60;
            if *sign == b'+' { secs } else { -secs }
        }
        _ => return None,
    };
    Some(Timestamp(
        midnight.0 + hour * 3600 + minute * 60 + second - offset,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_foundry_timestamps() {
        let t = Timestamp::parse("2026-12-31T23:59:59Z").map(|t| t.unix());
        assert_eq!(t, Ok(1_798_761_599));
        assert_eq!(
            Timestamp::from_unix(1_798_761_599).to_string(),
            "2026-12-31T23:59:59Z"
        );
    }

    #[test]
    fn accepts_fractions_offsets_and_bare_dates() {
        let z = Timestamp::parse("2026-01-01T00:00:00Z");
        assert_eq!(Timestamp::parse("2026-01-01T00:00:00.123456Z"), z);
        assert_eq!(Timestamp::parse("2026-01-01T01:30:00+01:30"), z);
        assert_eq!(Timestamp::parse("2026-01-01"), z);
        assert_eq!(
            Timestamp::parse("1969-12-31T23:00:00-01:00").map(|t| t.unix()),
            Ok(0)
        );
    }

    #[test]
    fn refuses_malformed_input() {
        for bad in [
            "",
            "2026",
            "2026-13-01",
            "2026-02-30",
            "2026-01-01T",
            "2026-01-01T24:00:00Z",
            "2026-01-01T00:00:00",
            "2026-01-01T00:00:00.Z",
            "2026-01-01T00:00:00+0100",
            "2026-01-01T00:00:00Zjunk",
            "2O26-01-01",
            "2026-01-01T00:00:00+99:00",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "accepted {bad:?}");
        }
    }

    #[test]
    fn leap_years_and_round_trip_across_eras() {
        assert!(Timestamp::parse("2024-02-29").is_ok());
        assert!(Timestamp::parse("2100-02-29").is_err());
        assert!(Timestamp::parse("2000-02-29").is_ok());
        for secs in [-86_401, 0, 951_782_400, 1_798_761_599, 4_102_444_800] {
            let t = Timestamp::from_unix(secs);
            assert_eq!(Timestamp::parse(&t.to_string()), Ok(t));
        }
    }

    #[test]
    fn start_of_day_truncates() {
        let t = Timestamp::parse("2026-05-04T13:14:15Z").map(Timestamp::start_of_day);
        assert_eq!(t, Timestamp::parse("2026-05-04"));
    }
}
