//! Timestamps (spec 04 §2.4, Rust contract): lenient input, one UTC storage form,
//! one rendering.
//!
//! Input: RFC 3339 with any offset, `YYYY-MM-DDTHH:MM` (HTML date-time pickers), a
//! space instead of `T`, no offset (taken as UTC), or a bare date (midnight UTC).
//! Every value is normalised to UTC on write. SQLite keeps the text
//! `YYYY-MM-DDTHH:MM:SS.ffffffZ` with a fixed six-digit fraction, so text order is
//! time order and range filters compare instants. Rendering trims the fraction:
//! `2025-01-15T10:30:00.123456Z`, `2025-01-15T10:30:00Z`.

use chrono::{DateTime, NaiveDate, NaiveDateTime, SecondsFormat, Utc};

/// Parses any accepted input form into an instant.
pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.len() < 10 || s.len() > 64 {
        return None;
    }
    let t: String;
    let s = if s.len() > 10 && s.as_bytes()[10] == b' ' && s.is_char_boundary(11) {
        t = format!("{}T{}", &s[..10], &s[11..]);
        t.as_str()
    } else {
        s
    };
    if let Ok(d) = DateTime::parse_from_rfc3339(s) {
        return Some(d.with_timezone(&Utc));
    }
    for f in ["%Y-%m-%dT%H:%M:%S%.f%#z", "%Y-%m-%dT%H:%M%#z"] {
        if let Ok(d) = DateTime::parse_from_str(s, f) {
            return Some(d.with_timezone(&Utc));
        }
    }
    let naive = s.strip_suffix(['Z', 'z']).unwrap_or(s);
    for f in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"] {
        if let Ok(d) = NaiveDateTime::parse_from_str(naive, f) {
            return Some(d.and_utc());
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|d| d.and_utc())
}

/// The stored text form on SQLite (and the bound text on Postgres).
pub fn storage(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// The rendered form: RFC 3339 UTC, fraction trimmed.
pub fn render(t: DateTime<Utc>) -> String {
    let s = t.to_rfc3339_opts(SecondsFormat::Micros, true);
    trim_fraction(&s)
}

/// `…:SS.120000Z` → `…:SS.12Z`; `…:SS.000000Z` → `…:SS Z`-less form `…:SSZ`.
fn trim_fraction(s: &str) -> String {
    match (s.find('.'), s.strip_suffix('Z')) {
        (Some(dot), Some(body)) => {
            let frac = body[dot + 1..].trim_end_matches('0');
            if frac.is_empty() {
                format!("{}Z", &body[..dot])
            } else {
                format!("{}.{frac}Z", &body[..dot])
            }
        }
        _ => s.to_string(),
    }
}

/// Renders stored text of either dialect (or of another implementation). The
/// canonical stored form is trimmed without parsing; anything else is parsed.
pub fn render_stored(s: &str) -> String {
    let b = s.as_bytes();
    if b.len() == 27 && b[10] == b'T' && b[19] == b'.' && b[26] == b'Z' {
        return trim_fraction(s);
    }
    match parse(s) {
        Some(t) => render(t),
        None => s.to_string(),
    }
}

/// The text a date field stores: the calendar date as written (a timestamp keeps
/// its own date part, as a Postgres cast would).
pub fn date(s: &str) -> Option<String> {
    let s = s.trim();
    let day = s.get(..10)?;
    NaiveDate::parse_from_str(day, "%Y-%m-%d").ok()?;
    (s.len() == 10 || parse(s).is_some()).then(|| day.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canon(s: &str) -> Option<String> {
        parse(s).map(render)
    }

    #[test]
    fn accepted_inputs_normalise_to_utc() {
        let cases = [
            ("2024-05-01T10:00:00+02:00", "2024-05-01T08:00:00Z"),
            ("2024-05-01T09:00:00Z", "2024-05-01T09:00:00Z"),
            ("2024-05-01T10:30", "2024-05-01T10:30:00Z"),
            ("2024-05-01 10:30", "2024-05-01T10:30:00Z"),
            ("2024-05-01 10:30:15.5", "2024-05-01T10:30:15.5Z"),
            (
                "2024-05-01T10:30:15.123456789Z",
                "2024-05-01T10:30:15.123456Z",
            ),
            (
                "2025-01-15 10:30:00.123456+00",
                "2025-01-15T10:30:00.123456Z",
            ),
            ("2025-01-15 10:30:00-0130", "2025-01-15T12:00:00Z"),
            ("2024-05-01", "2024-05-01T00:00:00Z"),
            ("2024-05-01T10:30:00", "2024-05-01T10:30:00Z"),
        ];
        for (input, want) in cases {
            assert_eq!(canon(input).as_deref(), Some(want), "{input}");
        }
    }

    #[test]
    fn rejected_inputs() {
        for bad in [
            "",
            "yesterday",
            "2024-13-01",
            "2024-02-30T10:00",
            "10:30",
            "2024-05-01T25:00",
            "2024-05-01Tgarbage",
        ] {
            assert!(parse(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn storage_sorts_as_text_in_time_order() {
        let a = storage(parse("2024-05-01T10:00:00+02:00").unwrap());
        let b = storage(parse("2024-05-01T09:00:00Z").unwrap());
        let c = storage(parse("2024-05-01T09:00:00.5Z").unwrap());
        assert_eq!(a, "2024-05-01T08:00:00.000000Z");
        assert!(a < b && b < c, "{a} {b} {c}");
        assert_eq!(render_stored(&c), "2024-05-01T09:00:00.5Z");
        assert_eq!(render_stored("2026-12-02 04:27:58"), "2026-12-02T04:27:58Z");
    }

    #[test]
    fn dates() {
        assert_eq!(date("2024-05-01").as_deref(), Some("2024-05-01"));
        assert_eq!(
            date("2024-05-01T23:30:00-05:00").as_deref(),
            Some("2024-05-01")
        );
        assert!(date("2024-02-30").is_none());
        assert!(date("2024-05-01Tjunk").is_none());
    }
}
