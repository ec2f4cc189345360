//! Minimal date support for `new Date(…)` / `now()`.
//!
//! Dates are milliseconds since the Unix epoch (JavaScript's model); `None` is
//! the "invalid date". Hand-written instead of pulling in chrono because only a
//! handful of ISO 8601 shapes and one output format are needed.

/// JavaScript's time value range (±100,000,000 days).
const MAX_MS: i64 = 8_640_000_000_000_000;
const MS_PER_DAY: i64 = 86_400_000;

pub(crate) fn now_ms() -> i64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_millis()).unwrap_or(MAX_MS),
        Err(e) => -i64::try_from(e.duration().as_millis()).unwrap_or(MAX_MS),
    }
}

/// Milliseconds from a JavaScript number, applying JS's TimeClip.
pub(crate) fn from_number(n: f64) -> Option<i64> {
    if !n.is_finite() || n.abs() > MAX_MS as f64 {
        return None;
    }
    Some(n.trunc() as i64)
}

// Howard Hinnant's algorithms: exact for the whole proleptic Gregorian range.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (i64::from(m) + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: u32) -> u32 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

struct Cursor<'s> {
    b: &'s [u8],
    i: usize,
}

impl Cursor<'_> {
    fn digits(&mut self, n: usize) -> Option<u32> {
        let end = self.i.checked_add(n)?;
        let part = self.b.get(self.i..end)?;
        let mut v = 0u32;
        for &c in part {
            if !c.is_ascii_digit() {
                return None;
            }
            v = v * 10 + u32::from(c - b'0');
        }
        self.i = end;
        Some(v)
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
}

/// Parses the ISO 8601 / RFC 3339 shapes the spec lists (`2025-01-15`,
/// `2025-01-15T10:30:00Z`, `2025-01-15 10:30:00`, with optional fraction and
/// offset). A text without an offset is taken as UTC: the server has no
/// meaningful local time zone.
pub(crate) fn parse(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.len() > 64 {
        return None;
    }
    let mut c = Cursor {
        b: s.as_bytes(),
        i: 0,
    };
    let year = i64::from(c.digits(4)?);
    let (mut month, mut day) = (1, 1);
    if c.eat(b'-') {
        month = c.digits(2)?;
        if c.eat(b'-') {
            day = c.digits(2)?;
        }
    }
    let (mut hour, mut minute, mut second, mut milli) = (0, 0, 0, 0);
    let mut offset_min: i64 = 0;
    if matches!(c.peek(), Some(b'T' | b't' | b' ')) {
        c.i += 1;
        hour = c.digits(2)?;
        if !c.eat(b':') {
            return None;
        }
        minute = c.digits(2)?;
        if c.eat(b':') {
            second = c.digits(2)?;
            if c.eat(b'.') || c.eat(b',') {
                let start = c.i;
                let mut scale = 100;
                while let Some(d) = c.peek().filter(u8::is_ascii_digit) {
                    milli += u32::from(d - b'0') * scale;
                    scale /= 10;
                    c.i += 1;
                }
                if c.i == start || c.i - start > 9 {
                    return None;
                }
            }
        }
        match c.peek() {
            Some(b'Z' | b'z') => c.i += 1,
            Some(sign @ (b'+' | b'-')) => {
                c.i += 1;
                let oh = c.digits(2)?;
                c.eat(b':');
                let om = c.digits(2)?;
                if oh > 23 || om > 59 {
                    return None;
                }
                let total = i64::from(oh * 60 + om);
                offset_min = if sign == b'+' { total } else { -total };
            }
            _ => {}
        }
    }
    if c.i != c.b.len()
        || !(1..=12).contains(&month)
        || day < 1
        || day > days_in_month(year, month)
        || hour > 23
        || minute > 59
        || second > 59
    {
        return None;
    }
    let days = days_from_civil(year, month, day);
    let ms = days * MS_PER_DAY
        + i64::from(hour) * 3_600_000
        + i64::from(minute) * 60_000
        + i64::from(second) * 1000
        + i64::from(milli)
        - offset_min * 60_000;
    if ms.abs() > MAX_MS {
        return None;
    }
    Some(ms)
}

/// RFC 3339 in UTC, milliseconds only when present (`2025-01-15T10:30:00Z`).
pub(crate) fn format(ms: i64) -> String {
    let days = ms.div_euclid(MS_PER_DAY);
    let rem = ms.rem_euclid(MS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let (h, mi, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    let year = if (0..=9999).contains(&y) {
        format!("{y:04}")
    } else {
        format!("{y:+07}")
    };
    if milli == 0 {
        format!("{year}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z")
    } else {
        format!("{year}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{milli:03}Z")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        assert_eq!(parse("1970-01-01"), Some(0));
        assert_eq!(format(0), "1970-01-01T00:00:00Z");
        let t = parse("2025-01-15T10:30:00Z");
        assert_eq!(t.map(format).as_deref(), Some("2025-01-15T10:30:00Z"));
        assert_eq!(parse("2025-01-15 10:30:00"), t);
        assert_eq!(parse("2025-01-15T12:30:00+02:00"), t);
        assert_eq!(
            parse("2025-01-15T10:30:00.5Z").map(format).as_deref(),
            Some("2025-01-15T10:30:00.500Z")
        );
        assert_eq!(format(-1), "1969-12-31T23:59:59.999Z");
        assert_eq!(
            parse("2024-02-29").map(format).as_deref(),
            Some("2024-02-29T00:00:00Z")
        );
    }

    #[test]
    fn rejects_garbage() {
        for s in [
            "",
            "x",
            "2025-13-01",
            "2025-02-30",
            "2023-02-29",
            "2025-01-15T25:00",
            "2025-1-1",
            "20250115",
        ] {
            assert_eq!(parse(s), None, "{s}");
        }
    }
}
