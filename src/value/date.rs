//! [`Date`]: a JavaScript time value and its ISO form.

use std::fmt;

/// A JavaScript `Date`: milliseconds since the epoch, or NaN for an invalid date.
///
/// Formatting follows `Date.prototype.toISOString` exactly, including the
/// six-digit signed years outside 0000–9999.
///
/// ```
/// use flight_codec::value::Date;
/// let d = Date::from_millis(5.0);
/// assert_eq!(d.to_iso_string().unwrap(), "1970-01-01T00:00:00.005Z");
/// assert_eq!(Date::parse_iso("+010000-01-01T00:00:00.000Z").unwrap().to_iso_string().unwrap(),
///            "+010000-01-01T00:00:00.000Z");
/// assert!(Date::invalid().to_iso_string().is_none());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct Date(f64);

/// The largest time value a `Date` can hold (±100,000,000 days).
const MAX_TIME: f64 = 8.64e15;

impl Date {
    /// A date from a time value; values that are not finite integers within
    /// ±8.64e15 give an invalid date, as `new Date(ms)` does (`TimeClip`).
    ///
    /// ```
    /// use flight_codec::value::Date;
    /// assert_eq!(Date::from_millis(1.9).millis(), 1.0);
    /// assert!(!Date::from_millis(9e15).is_valid());
    /// ```
    pub fn from_millis(ms: f64) -> Self {
        if !ms.is_finite() || ms.abs() > MAX_TIME {
            Date(f64::NAN)
        } else {
            Date(ms.trunc() + 0.0)
        }
    }

    /// An invalid date (`new Date(NaN)`).
    ///
    /// ```
    /// use flight_codec::value::Date;
    /// assert!(Date::invalid().millis().is_nan());
    /// assert_eq!(Date::invalid(), Date::from_millis(f64::INFINITY));
    /// ```
    pub fn invalid() -> Self {
        Date(f64::NAN)
    }

    /// The time value (NaN when invalid).
    ///
    /// ```
    /// use flight_codec::value::Date;
    /// assert_eq!(Date::parse_iso("1970-01-01T00:00:01.000Z").unwrap().millis(), 1000.0);
    /// ```
    pub fn millis(self) -> f64 {
        self.0
    }

    /// `true` unless this is an invalid date.
    ///
    /// ```
    /// use flight_codec::value::Date;
    /// assert!(Date::from_millis(0.0).is_valid());
    /// assert!(!Date::from_millis(f64::NAN).is_valid());
    /// ```
    pub fn is_valid(self) -> bool {
        !self.0.is_nan()
    }

    /// `toISOString()`, or `None` for an invalid date (where JavaScript throws
    /// and `toJSON` returns `null`).
    ///
    /// ```
    /// use flight_codec::value::Date;
    /// assert_eq!(Date::from_millis(-1.0).to_iso_string().as_deref(), Some("1969-12-31T23:59:59.999Z"));
    /// assert_eq!(Date::invalid().to_iso_string(), None);
    /// ```
    pub fn to_iso_string(self) -> Option<String> {
        let mut out = Vec::with_capacity(27);
        self.write_iso(&mut out).then(|| String::from_utf8(out).unwrap_or_default())
    }

    /// Appends `toISOString()` to `out` without allocating; `false` (and
    /// nothing written) for an invalid date.
    ///
    /// ```
    /// use flight_codec::value::Date;
    /// let mut out = Vec::new();
    /// assert!(Date::from_millis(0.0).write_iso(&mut out));
    /// assert_eq!(out, b"1970-01-01T00:00:00.000Z");
    /// assert!(!Date::invalid().write_iso(&mut out));
    /// ```
    pub fn write_iso(self, out: &mut Vec<u8>) -> bool {
        if !self.is_valid() {
            return false;
        }
        let ms = self.0 as i64;
        let days = ms.div_euclid(86_400_000);
        let rem = ms.rem_euclid(86_400_000);
        let (y, m, d) = civil_from_days(days);
        let (h, mi, s, milli) = (rem / 3_600_000, rem / 60_000 % 60, rem / 1000 % 60, rem % 1000);
        // Written into a buffer, then appended once. `put` writes `v` in
        // `width` digits at `at`, then `then`, and returns where it stopped.
        let mut buf = [0u8; 27];
        let put = |buf: &mut [u8; 27], at: usize, v: i64, width: usize, then: u8| {
            let mut v = v;
            for i in (at..at + width).rev() {
                buf[i] = b'0' + (v % 10) as u8;
                v /= 10;
            }
            buf[at + width] = then;
            at + width + 1
        };
        let mut at = if (0..=9999).contains(&y) {
            put(&mut buf, 0, y, 4, b'-')
        } else {
            buf[0] = if y < 0 { b'-' } else { b'+' };
            put(&mut buf, 1, y.abs(), 6, b'-')
        };
        for (v, width, then) in
            [(m, 2, b'-'), (d, 2, b'T'), (h, 2, b':'), (mi, 2, b':'), (s, 2, b'.'), (milli, 3, b'Z')]
        {
            at = put(&mut buf, at, v, width, then);
        }
        out.extend_from_slice(&buf[..at]);
        true
    }

    /// Parses exactly the form `toISOString` produces. Returns `None` for any
    /// other text (including other forms `Date.parse` would accept).
    ///
    /// ```
    /// use flight_codec::value::Date;
    /// assert_eq!(Date::parse_iso("2024-02-29T12:00:00.000Z").unwrap().millis(), 1_709_208_000_000.0);
    /// assert!(Date::parse_iso("2024-02-29").is_none());
    /// assert!(Date::parse_iso("2023-02-29T12:00:00.000Z").is_none());
    /// ```
    pub fn parse_iso(s: &str) -> Option<Self> {
        Self::parse_iso_bytes(s.as_bytes())
    }

    /// [`Date::parse_iso`] of bytes (anything but ASCII is `None`).
    pub(crate) fn parse_iso_bytes(b: &[u8]) -> Option<Self> {
        // Four-digit years (0000–9999), the form of every date in that
        // range, are the only 24-byte form: read in three words.
        match <&[u8; 24]>::try_from(b) {
            Ok(b) => Self::parse_iso_24(b),
            Err(_) => Self::parse_iso_general(b),
        }
    }

    /// [`Date::parse_iso_bytes`] of `YYYY-MM-DDTHH:MM:SS.sssZ`, a word at a
    /// time: the separators checked with a mask per word, then replaced by
    /// `0` so that every byte must be a digit, then the two-digit values of
    /// all byte pairs at once.
    fn parse_iso_24(b: &[u8; 24]) -> Option<Self> {
        use crate::swar::{non_digits, ONES};
        // Per word: the separators' bytes and their values (memory order is
        // little-endian: the first byte is the lowest).
        const SEPARATORS: [(u64, u64); 3] = [
            // `YYYY-MM-`
            (0xff00_00ff_0000_0000, 0x2d00_002d_0000_0000),
            // `DDTHH:MM`
            (0x0000_ff00_00ff_0000, 0x0000_3a00_0054_0000),
            // `:SS.sssZ`
            (0xff00_0000_ff00_00ff, 0x5a00_0000_2e00_003a),
        ];
        let mut t = [0u64; 3];
        let mut not_digits = 0;
        for (k, (mask, seps)) in SEPARATORS.into_iter().enumerate() {
            let w = b.get(8 * k..8 * k + 8).and_then(|c| <[u8; 8]>::try_from(c).ok()).map_or(0, u64::from_le_bytes);
            if w & mask != seps {
                return None;
            }
            // Digit values 0..=9 per byte (separators now 0).
            let v = ((w & !mask) | ((ONES * 0x30) & mask)).wrapping_sub(ONES * 0x30);
            not_digits |= non_digits(v);
            t[k] = v;
        }
        if not_digits != 0 {
            return None;
        }
        // Byte i of `pairs(v)` is 10 * digit i + digit i+1 (at most 99: no
        // carries between bytes).
        let pairs = |v: u64| v.wrapping_mul(10).wrapping_add(v >> 8);
        let at = |v: u64, i: u32| ((v >> (8 * i)) & 0xff) as i64;
        let (p0, p1, p2) = (pairs(t[0]), pairs(t[1]), pairs(t[2]));
        let year = at(p0, 0) * 100 + at(p0, 2);
        let month = at(p0, 5);
        let day = at(p1, 0);
        let hour = at(p1, 3);
        let min = at(p1, 6);
        let sec = at(p2, 1);
        let milli = at(p2, 4) * 10 + at(t[2], 6);
        if !fields_in_range(year, month, day, hour, min, sec) {
            return None;
        }
        // Within ±2^53: exact, and always a valid time value.
        let ms = days_from_civil_0_9999(year, month, day) * 86_400_000
            + hour * 3_600_000
            + min * 60_000
            + sec * 1000
            + milli;
        Some(Date(ms as f64))
    }

    /// [`Date::parse_iso_bytes`] of any length.
    fn parse_iso_general(b: &[u8]) -> Option<Self> {
        let (year, rest) = match b.first()? {
            b'+' | b'-' => {
                let y = digits(b.get(1..7)?)? as i64;
                let y = if b[0] == b'-' { -y } else { y };
                // Six-digit years are only written outside 0000–9999 (so never `-000000`).
                if (0..=9999).contains(&y) {
                    return None;
                }
                (y, &b[7..])
            }
            _ => (digits(b.get(0..4)?)? as i64, &b[4..]),
        };
        if rest.len() != 20 {
            return None;
        }
        let sep = |i: usize, c: u8| rest[i] == c;
        if !(sep(0, b'-')
            && sep(3, b'-')
            && sep(6, b'T')
            && sep(9, b':')
            && sep(12, b':')
            && sep(15, b'.')
            && sep(19, b'Z'))
        {
            return None;
        }
        let month = digits(&rest[1..3])? as i64;
        let day = digits(&rest[4..6])? as i64;
        let hour = digits(&rest[7..9])? as i64;
        let min = digits(&rest[10..12])? as i64;
        let sec = digits(&rest[13..15])? as i64;
        let milli = digits(&rest[16..19])? as i64;
        if !fields_in_range(year, month, day, hour, min, sec) {
            return None;
        }
        let days = days_from_civil(year, month, day);
        let ms = days as f64 * 86_400_000.0 + (hour * 3_600_000 + min * 60_000 + sec * 1000 + milli) as f64;
        // Out of range (beyond ±8.64e15 ms) is not a date `toISOString` can write.
        let d = Date::from_millis(ms);
        d.is_valid().then_some(d)
    }
}

impl PartialEq for Date {
    /// Two dates are equal when their time values are, and all invalid dates are equal.
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0 || (self.0.is_nan() && other.0.is_nan())
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.to_iso_string() {
            Some(s) => f.write_str(&s),
            None => f.write_str("Invalid Date"),
        }
    }
}

fn digits(b: &[u8]) -> Option<u32> {
    let mut v = 0u32;
    for &c in b {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as u32;
    }
    Some(v)
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// Whether a date's fields name a real day and time (no leap seconds, as
/// `Date.parse`).
#[inline(always)]
fn fields_in_range(year: i64, month: i64, day: i64, hour: i64, min: i64, sec: i64) -> bool {
    (1..=12).contains(&month) && day >= 1 && day <= days_in_month(year, month) && hour <= 23 && min <= 59 && sec <= 59
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// [`days_from_civil`] for years 0–9999 and valid months: the same count
/// in unsigned arithmetic (divisions by constants, a table for the months),
/// with the year moved on by 400 years (146,097 days) to stay positive.
fn days_from_civil_0_9999(y: i64, m: i64, d: i64) -> i64 {
    /// Days from March 1 to the first of each month (index: month 1–12).
    const BEFORE: [u64; 13] = [0, 306, 337, 0, 31, 61, 92, 122, 153, 184, 214, 245, 275];
    let y = (y + 400 - i64::from(m <= 2)) as u64;
    let days = 365 * y + y / 4 - y / 100 + y / 400 + BEFORE[(m & 15) as usize % 13] + d as u64 - 1;
    days as i64 - 719_468 - 146_097
}

/// Howard Hinnant's civil-from-days: (year, month, day) of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `toISOString` as chrono writes it (years 0–9999), for 20,000 time values.
    #[test]
    fn iso_text_matches_chrono() {
        for x in crate::test_rng::xorshift(0x9e37_79b9_7f4a_7c15).take(20_000) {
            let ms = (x % 315_537_897_600_000) as i64 - 62_167_219_200_000;
            let mut out = Vec::new();
            assert!(Date::from_millis(ms as f64).write_iso(&mut out));
            let want =
                chrono::DateTime::from_timestamp_millis(ms).unwrap().format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string();
            assert_eq!(String::from_utf8(out).unwrap(), want, "{ms}");
        }
    }

    /// The word-at-a-time reader of 24-byte dates agrees with the general
    /// one: on the texts of 20,000 time values across years 0000–9999, and on
    /// 400,000 of them with bytes replaced (digits, separators, the bytes
    /// next to digits and separators, high bytes) or fields pushed past
    /// their ranges (month 13, day 32, hour 24, February 29 in other years).
    #[test]
    fn dates_read_by_words_agree_with_the_general_reader() {
        let alphabet = b"0123456789-T:.Z/+ \x00\x2c\x2f\x3a\x3b\x53\x55\x59\x5b\x7f\x80\xb0\xff";
        let mut rng = crate::test_rng::xorshift(0x2545_f491_4f6c_dd1d);
        let mut next = move || rng.next().unwrap_or_default();
        let check = |b: &[u8; 24]| {
            assert_eq!(
                Date::parse_iso_24(b).map(Date::millis),
                Date::parse_iso_general(b).map(Date::millis),
                "{:?}",
                String::from_utf8_lossy(b)
            );
        };
        for round in 0..420_000u64 {
            let x = next();
            let ms = (x % 315_537_897_600_000) as i64 - 62_167_219_200_000;
            let mut out = Vec::new();
            assert!(Date::from_millis(ms as f64).write_iso(&mut out));
            let mut b: [u8; 24] = out.as_slice().try_into().unwrap();
            if round < 20_000 {
                assert_eq!(Date::parse_iso_24(&b).map(Date::millis), Some(ms as f64));
                continue;
            }
            match next() % 4 {
                0 | 1 => {
                    for _ in 0..1 + next() % 2 {
                        b[(next() % 24) as usize] = alphabet[(next() % alphabet.len() as u64) as usize];
                    }
                }
                2 => {
                    // A field's digits set to anything.
                    let (at, len) = [(0, 4), (5, 2), (8, 2), (11, 2), (14, 2), (17, 2), (20, 3)][(next() % 7) as usize];
                    let mut v = next() % 10u64.pow(len as u32);
                    for i in (at..at + len).rev() {
                        b[i] = b'0' + (v % 10) as u8;
                        v /= 10;
                    }
                }
                _ => {
                    // February 29 or the 30th/31st of any month.
                    b[5..10].copy_from_slice(match next() % 3 {
                        0 => b"02-29",
                        1 => b"02-30",
                        _ => b"04-31",
                    });
                }
            }
            check(&b);
        }
    }

    #[test]
    fn day_counts_of_years_0_to_9999_agree() {
        for y in 0..=9999 {
            for m in 1..=12 {
                for d in 1..=days_in_month(y, m) {
                    assert_eq!(days_from_civil_0_9999(y, m, d), days_from_civil(y, m, d), "{y}-{m}-{d}");
                }
            }
        }
    }

    #[test]
    fn iso_round_trips_across_the_range() {
        for ms in [
            0.0,
            -1.0,
            1_700_000_000_123.0,
            -62_198_755_200_000.0,
            253_402_300_800_000.0,
            8.64e15,
            -8.64e15,
            -62_167_219_200_000.0,
        ] {
            let d = Date::from_millis(ms);
            let s = d.to_iso_string().unwrap();
            assert_eq!(Date::parse_iso(&s), Some(d), "{s}");
        }
        assert_eq!(Date::from_millis(-1.0).to_iso_string().unwrap(), "1969-12-31T23:59:59.999Z");
        assert_eq!(Date::from_millis(8.64e15).to_iso_string().unwrap(), "+275760-09-13T00:00:00.000Z");
        assert_eq!(Date::from_millis(-62_198_755_200_000.0).to_iso_string().unwrap(), "-000001-01-01T00:00:00.000Z");
    }

    #[test]
    fn parse_rejects_non_canonical_text() {
        for s in [
            "2024-02-30T00:00:00.000Z",
            "2024-01-01",
            "2024-01-01T00:00:00Z",
            "-000000-01-01T00:00:00.000Z",
            "+002024-01-01T00:00:00.000Z",
            "Jan 1 2000",
            "",
        ] {
            assert!(Date::parse_iso(s).is_none(), "{s}");
        }
    }
}

#[cfg(test)]
mod canonical {
    use super::Date;

    /// `parse_iso` accepts exactly what `to_iso_string` writes.
    #[test]
    fn parse_accepts_exactly_the_canonical_form() {
        for x in crate::test_rng::xorshift(0x1234_5678_9abc_def1).take(20_000) {
            let ms = (x % 17_280_000_000_000_001) as f64 - 8.64e15;
            let d = Date::from_millis(ms);
            let s = d.to_iso_string().unwrap();
            assert_eq!(Date::parse_iso(&s), Some(d), "{s}");
            // Flip a digit of the year form: `+00xxxx` / 4-digit vs 6-digit spellings.
            if let Some(rest) = s.strip_prefix('+') {
                assert_eq!(Date::parse_iso(rest), None);
            }
        }
        assert_eq!(Date::parse_iso("+275760-09-13T00:00:00.001Z"), None);
        assert_eq!(Date::parse_iso("-271821-04-19T23:59:59.999Z"), None);
        assert!(Date::parse_iso("-271821-04-20T00:00:00.000Z").is_some());
    }
}

#[cfg(feature = "chrono")]
impl From<chrono::DateTime<chrono::Utc>> for Date {
    /// The time value of a `chrono` instant (to the millisecond, rounding
    /// toward negative infinity as JavaScript's `Date` holds no more).
    ///
    /// ```
    /// use chrono::TimeZone;
    /// let d = flight_codec::value::Date::from(chrono::Utc.with_ymd_and_hms(2024, 5, 1, 12, 0, 0).unwrap());
    /// assert_eq!(d.to_iso_string().unwrap(), "2024-05-01T12:00:00.000Z");
    /// ```
    fn from(t: chrono::DateTime<chrono::Utc>) -> Self {
        Date::from_millis(t.timestamp_millis() as f64)
    }
}

#[cfg(feature = "chrono")]
impl TryFrom<Date> for chrono::DateTime<chrono::Utc> {
    type Error = crate::Error;

    /// The `chrono` instant of a valid date.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidDate`](crate::ErrorKind::InvalidDate) for an invalid date.
    ///
    /// ```
    /// use flight_codec::value::Date;
    /// let t = chrono::DateTime::<chrono::Utc>::try_from(Date::from_millis(1000.0))?;
    /// assert_eq!(t.timestamp(), 1);
    /// assert!(chrono::DateTime::<chrono::Utc>::try_from(Date::invalid()).is_err());
    /// # Ok::<(), flight_codec::Error>(())
    /// ```
    fn try_from(d: Date) -> Result<Self, Self::Error> {
        if !d.is_valid() {
            return Err(crate::ErrorKind::InvalidDate.into());
        }
        chrono::DateTime::from_timestamp_millis(d.millis() as i64).ok_or_else(|| crate::ErrorKind::InvalidDate.into())
    }
}
