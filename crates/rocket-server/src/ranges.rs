//! HTTP conditional and range requests of served files (RFC 9110 §13–14): strong
//! `ETag`s, `If-None-Match` → 304, one `bytes` range (`a-b`, `a-`, `-n`) → 206,
//! an unsatisfiable one → 416, `If-Range` naming another version → the whole
//! file. Several ranges at once are answered with the whole file (allowed by §14.2).

use std::ops::Range;

/// What a `Range` header asks of a representation of `size` bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Wanted {
    /// No (usable) range: the whole representation.
    All,
    /// One satisfiable range, end exclusive.
    Part(Range<u64>),
    /// A range that selects nothing: 416.
    Unsatisfiable,
}

/// Reads a `Range` header value against `size`.
pub fn wanted(header: Option<&str>, size: u64) -> Wanted {
    // Range units are case-insensitive (RFC 9110 §14.1).
    let Some(spec) = header
        .map(str::trim)
        .filter(|h| h.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("bytes=")))
        .and_then(|h| h.get(6..))
    else {
        return Wanted::All;
    };
    if spec.contains(',') {
        return Wanted::All;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return Wanted::All;
    };
    let num = |s: &str| -> Option<u64> {
        let s = s.trim();
        (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse().ok())
            .flatten()
    };
    match (first.trim().is_empty(), num(first), num(last)) {
        // `-n`: the last n bytes.
        (true, _, Some(n)) => {
            if n == 0 || size == 0 {
                Wanted::Unsatisfiable
            } else {
                Wanted::Part(size.saturating_sub(n)..size)
            }
        }
        (false, Some(a), None) if last.trim().is_empty() => {
            if a >= size {
                Wanted::Unsatisfiable
            } else {
                Wanted::Part(a..size)
            }
        }
        (false, Some(a), Some(b)) if a <= b => {
            if a >= size {
                Wanted::Unsatisfiable
            } else {
                Wanted::Part(a..b.saturating_add(1).min(size))
            }
        }
        _ => Wanted::All,
    }
}

/// True when an `If-None-Match` value names `etag` (weak comparison, `*` matches).
pub fn none_match(header: Option<&str>, etag: &str) -> bool {
    let Some(h) = header else { return false };
    h.split(',').map(str::trim).any(|t| {
        t == "*" || t.strip_prefix("W/").unwrap_or(t) == etag.strip_prefix("W/").unwrap_or(etag)
    })
}

/// True when a range may be honoured under `If-Range` (strong comparison; a date is
/// not a validator of ours, so it never matches).
pub fn if_range_holds(header: Option<&str>, etag: &str) -> bool {
    header.is_none_or(|h| h.trim() == etag && !etag.starts_with("W/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_ranges() {
        let w = |h: &str, n| wanted(Some(h), n);
        assert_eq!(w("bytes=0-99", 1000), Wanted::Part(0..100));
        assert_eq!(w("bytes=900-", 1000), Wanted::Part(900..1000));
        assert_eq!(w("bytes=-100", 1000), Wanted::Part(900..1000));
        assert_eq!(w("bytes=-5000", 1000), Wanted::Part(0..1000));
        assert_eq!(w("bytes=990-5000", 1000), Wanted::Part(990..1000));
        assert_eq!(w("bytes=999-999", 1000), Wanted::Part(999..1000));
        assert_eq!(w("bytes= 5 - 9 ", 1000), Wanted::Part(5..10));
        assert_eq!(w("Bytes=0-0", 1000), Wanted::Part(0..1));
    }

    #[test]
    fn unsatisfiable_and_ignored_ranges() {
        let w = |h: &str, n| wanted(Some(h), n);
        assert_eq!(w("bytes=1000-", 1000), Wanted::Unsatisfiable);
        assert_eq!(w("bytes=1000-2000", 1000), Wanted::Unsatisfiable);
        assert_eq!(w("bytes=-0", 1000), Wanted::Unsatisfiable);
        assert_eq!(w("bytes=0-", 0), Wanted::Unsatisfiable);
        assert_eq!(w("bytes=-1", 0), Wanted::Unsatisfiable);
        for ignored in [
            "bytes=5-1",
            "bytes=a-b",
            "items=0-1",
            "bytes=0-1,5-9",
            "bytes=",
            "bytes=-",
            "bytes=+1-2",
        ] {
            assert_eq!(w(ignored, 1000), Wanted::All, "{ignored}");
        }
        assert_eq!(wanted(None, 10), Wanted::All);
        assert_eq!(w("bytes=0-18446744073709551615", 10), Wanted::Part(0..10));
    }

    #[test]
    fn validators() {
        let tag = "\"abc\"";
        assert!(none_match(Some("\"abc\""), tag));
        assert!(none_match(Some("\"x\", W/\"abc\""), tag));
        assert!(none_match(Some("*"), tag));
        assert!(!none_match(Some("\"abd\""), tag));
        assert!(!none_match(None, tag));
        assert!(if_range_holds(None, tag));
        assert!(if_range_holds(Some("\"abc\""), tag));
        assert!(!if_range_holds(Some("\"old\""), tag));
        assert!(!if_range_holds(Some("Wed, 21 Oct 2015 07:28:00 GMT"), tag));
    }
}
