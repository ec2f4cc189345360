//! Entity tags of records (optimistic concurrency, docs/api.md): a hash of the
//! record's own fields as rendered, so any change of any field changes it, and every
//! server process computes the same tag for the same row.

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

/// A strong validator: `"<32 hex digits>"`.
pub fn etag(record: &Map<String, Value>) -> String {
    let bytes = serde_json::to_vec(record).unwrap_or_default();
    let digest = Sha256::digest(&bytes);
    let mut out = String::with_capacity(34);
    out.push('"');
    for b in &digest[..16] {
        out.push_str(&format!("{b:02x}"));
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
    use serde_json::json;

    fn rec(v: Value) -> Map<String, Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn tags_follow_every_field() {
        let a = etag(&rec(json!({"id": 1, "n": "x"})));
        assert_eq!(a, etag(&rec(json!({"id": 1, "n": "x"}))), "stable");
        assert_ne!(a, etag(&rec(json!({"id": 1, "n": "y"}))));
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
