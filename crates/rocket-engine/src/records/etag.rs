//! Entity tags of records (optimistic concurrency, docs/api.md): a 128-bit XXH3
//! hash of the record's stored columns, each tagged with its kind and length-framed
//! (so `"1"` and `1`, or `"ab","c"` and `"a","bc"`, differ). Any change of any field
//! changes it, and every server process (of any version) computes the same tag for
//! the same row: reads, `RETURNING` answers and the locked row of a conditional write
//! all select the same columns in the same order. A tag guards against lost updates,
//! not against forgery: no secret is needed.

use std::cell::RefCell;

use rocket_store::{Cell, Row};
use xxhash_rust::xxh3::xxh3_128;

/// A strong validator for a record row: `"<32 hex digits>"`.
pub fn etag(row: &Row) -> String {
    thread_local! {
        // One buffer per thread: a tag is computed on every read of a record.
        static BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
    }
    let hash = BUF.with_borrow_mut(|buf| {
        buf.clear();
        for cell in row {
            frame(buf, cell);
        }
        xxh3_128(buf)
    });
    quoted_hex(hash)
}

fn frame(buf: &mut Vec<u8>, cell: &Cell) {
    match cell {
        Cell::Null => buf.push(0),
        Cell::Int(i) => {
            buf.push(1);
            buf.extend_from_slice(&i.to_le_bytes());
        }
        Cell::Float(f) => {
            buf.push(2);
            buf.extend_from_slice(&f.to_bits().to_le_bytes());
        }
        Cell::Text(t) => {
            buf.push(3);
            buf.extend_from_slice(&(t.len() as u64).to_le_bytes());
            buf.extend_from_slice(t.as_bytes());
        }
    }
}

/// `"<32 lowercase hex digits>"` (by hand: `format!("{:032x}")` on a u128 costs
/// more than the hash).
fn quoted_hex(n: u128) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(34);
    out.push('"');
    for i in (0..32).rev() {
        out.push(DIGITS[((n >> (i * 4)) & 0xf) as usize] as char);
    }
    out.push('"');
    out
}

/// `If-Match` semantics (RFC 9110 §13.1.1): `*` or a comma-separated list of tags,
/// compared strongly (a weak `W/` tag never matches).
pub fn matches(if_match: &str, current: &str) -> bool {
    if_match
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t == current)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Cell {
        Cell::Text(s.into())
    }

    #[test]
    fn tags_follow_every_column() {
        let a = etag(&vec![Cell::Int(1), text("x")]);
        assert_eq!(a, etag(&vec![Cell::Int(1), text("x")]), "stable");
        assert_ne!(a, etag(&vec![Cell::Int(1), text("y")]));
        assert_ne!(a, etag(&vec![text("1"), text("x")]), "kinds count");
        assert_ne!(a, etag(&vec![Cell::Float(1.0), text("x")]), "kinds count");
        assert_ne!(
            etag(&vec![text("bc"), text("")]),
            etag(&vec![text("b"), text("c")]),
            "lengths separate values"
        );
        assert_ne!(
            etag(&vec![Cell::Null, text("")]),
            etag(&vec![text(""), Cell::Null])
        );
        assert_ne!(etag(&vec![Cell::Int(1)]), etag(&vec![Cell::Int(256)]));
        // Pinned: the same row has the same tag on every server version.
        assert_eq!(a, "\"14eea0c9b6e2ef2fdba813328beb1011\"");
        assert_eq!(a.len(), 34);
    }

    #[test]
    fn tags_are_quoted_hex() {
        assert_eq!(quoted_hex(0), format!("\"{}\"", "0".repeat(32)));
        assert_eq!(quoted_hex(u128::MAX), format!("\"{}\"", "f".repeat(32)));
        let n = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210_u128;
        assert_eq!(quoted_hex(n), format!("\"{n:032x}\""));
    }

    #[test]
    fn if_match_lists() {
        assert!(matches("*", "\"a\""));
        assert!(matches("\"b\", \"a\"", "\"a\""));
        assert!(!matches("\"b\"", "\"a\""));
        assert!(!matches("W/\"a\"", "\"a\""), "weak tags never match");
    }
}
