//! Entity tags of records (optimistic concurrency, docs/api.md): a 128-bit XXH3
//! hash of the record's own fields as rendered, so any change of any field changes
//! it, and every server process (of any version) computes the same tag for the same
//! row. A tag guards against lost updates, not against forgery: no secret is needed.

use serde_json::{Map, Value};
use xxhash_rust::xxh3::Xxh3;

/// A strong validator: `"<32 hex digits>"`.
pub fn etag(record: &Map<String, Value>) -> String {
    let mut h = Xxh3::new();
    object(&mut h, record);
    format!("\"{:032x}\"", h.digest128())
}

fn bytes(h: &mut Xxh3, b: &[u8]) {
    h.update(&(b.len() as u64).to_le_bytes());
    h.update(b);
}

fn object(h: &mut Xxh3, m: &Map<String, Value>) {
    h.update(b"{");
    for (k, v) in m {
        bytes(h, k.as_bytes());
        value(h, v);
    }
    h.update(b"}");
}

/// Every value with a tag of its kind, so `"1"` and `1` differ.
fn value(h: &mut Xxh3, v: &Value) {
    match v {
        Value::Null => h.update(b"n"),
        Value::Bool(b) => h.update(if *b { b"t" } else { b"f" }),
        Value::Number(n) => {
            h.update(b"#");
            bytes(h, n.to_string().as_bytes());
        }
        Value::String(s) => {
            h.update(b"s");
            bytes(h, s.as_bytes());
        }
        Value::Array(a) => {
            h.update(b"[");
            for x in a {
                value(h, x);
            }
            h.update(b"]");
        }
        Value::Object(m) => object(h, m),
    }
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
    use serde_json::json;

    fn rec(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn tags_follow_every_field() {
        let a = etag(&rec(json!({"id": 1, "n": "x"})));
        assert_eq!(a, etag(&rec(json!({"id": 1, "n": "x"}))), "stable");
        assert_ne!(a, etag(&rec(json!({"id": 1, "n": "y"}))));
        assert_ne!(a, etag(&rec(json!({"id": "1", "n": "x"}))), "types count");
        assert_ne!(
            etag(&rec(json!({"a": "bc", "d": ""}))),
            etag(&rec(json!({"a": "b", "d": "c"}))),
            "lengths separate values"
        );
        assert_ne!(
            etag(&rec(json!({"j": [1, [2]]}))),
            etag(&rec(json!({"j": [[1], 2]})))
        );
        // Pinned: the same row has the same tag on every server version.
        assert_eq!(a, "\"3ba7b0d1641cff6c9cf0739f39680bc9\"");
        assert_eq!(a.len(), 34);
        assert!(a.starts_with('"') && a.ends_with('"'));
    }

    #[test]
    fn if_match_lists() {
        assert!(matches("*", "\"a\""));
        assert!(matches("\"b\", \"a\"", "\"a\""));
        assert!(!matches("\"b\"", "\"a\""));
        assert!(!matches("W/\"a\"", "\"a\""), "weak tags never match");
    }
}
