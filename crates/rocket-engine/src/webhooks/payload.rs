//! The payload of a webhook event (spec 12 §8, §9.1) and the environment its
//! condition sees (§9.4, 10 §5.3).

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{json, Map, Value};

use super::Hook;
use crate::auth::User;

/// One event: what happened to which record.
pub struct Event<'a> {
    pub hook: Hook,
    pub entity: &'a str,
    /// `create`, `update` or `delete`.
    pub action: &'a str,
    pub record: &'a Map<String, Value>,
    /// What the write sent (after its logic) when `record` is the full row of a
    /// create: `changes` lists these keys only (12 §8).
    pub sent: Option<&'a Map<String, Value>>,
    /// The stored row before an update (`None` on create and delete).
    pub old: Option<&'a Map<String, Value>>,
    pub user: Option<&'a User>,
}

/// `"wh_"` + a random UUID: shared by every webhook of one event (12 §9.1).
pub fn idempotency_key() -> String {
    format!("wh_{}", uuid::Uuid::new_v4())
}

/// The payload of §9.1: `old` only when non-empty (never on create or delete),
/// `changes` on create and update when non-empty, `user` when there is one.
pub fn build(ev: &Event<'_>, now: DateTime<Utc>, key: &str) -> Value {
    let mut m = Map::new();
    m.insert("event".into(), ev.hook.as_str().into());
    m.insert("entity".into(), ev.entity.into());
    m.insert("action".into(), ev.action.into());
    m.insert("record".into(), Value::Object(ev.record.clone()));
    let old = ev.old.filter(|o| !o.is_empty() && ev.action == "update");
    if let Some(o) = old {
        m.insert("old".into(), Value::Object(o.clone()));
    }
    if ev.action != "delete" {
        let ch = changes(ev.sent.unwrap_or(ev.record), old);
        if !ch.is_empty() {
            m.insert("changes".into(), Value::Object(ch));
        }
    }
    if let Some(u) = ev.user {
        m.insert("user".into(), json!({"id": u.id, "roles": u.roles}));
    }
    m.insert(
        "timestamp".into(),
        now.to_rfc3339_opts(SecondsFormat::Secs, true).into(),
    );
    m.insert("idempotency_key".into(), key.into());
    Value::Object(m)
}

/// Every field of `record` absent from `old` or not deep-equal to it, as
/// `{"old": <old or null>, "new": <new>}` (Rust contract of §9.1).
pub fn changes(
    record: &Map<String, Value>,
    old: Option<&Map<String, Value>>,
) -> Map<String, Value> {
    let mut out = Map::new();
    for (k, new) in record {
        let before = old.and_then(|o| o.get(k));
        if before != Some(new) {
            out.insert(
                k.clone(),
                json!({"old": before.cloned().unwrap_or(Value::Null), "new": new}),
            );
        }
    }
    out
}

/// The variables of a webhook condition (10 §5.3): the payload's keys, with `old`
/// and `changes` as `{}` when the payload has none.
pub fn condition_env(payload: &Value) -> Value {
    let mut env = payload.as_object().cloned().unwrap_or_default();
    for k in ["old", "changes"] {
        env.entry(k).or_insert_with(|| Value::Object(Map::new()));
    }
    env.entry("user").or_insert(Value::Null);
    Value::Object(env)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn map(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    fn at() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 15, 10, 30, 0).unwrap()
    }

    #[test]
    fn create_payload_has_changes_without_old() {
        let rec = map(json!({"id": "1", "n": 2}));
        let u = User {
            id: "u1".into(),
            roles: vec!["admin".into()],
        };
        let empty = Map::new();
        let ev = Event {
            hook: Hook::AfterWrite,
            entity: "order",
            action: "create",
            record: &rec,
            sent: None,
            old: Some(&empty),
            user: Some(&u),
        };
        assert_eq!(
            build(&ev, at(), "wh_k"),
            json!({
                "event": "after_write", "entity": "order", "action": "create",
                "record": {"id": "1", "n": 2},
                "changes": {"id": {"old": null, "new": "1"}, "n": {"old": null, "new": 2}},
                "user": {"id": "u1", "roles": ["admin"]},
                "timestamp": "2025-01-15T10:30:00Z", "idempotency_key": "wh_k"
            })
        );
    }

    #[test]
    fn update_payload_diffs_deeply_and_omits_empty_changes() {
        let old = map(json!({"id": "1", "s": "sent", "tags": [1, 2]}));
        let rec = map(json!({"id": "1", "s": "paid", "tags": [1, 2], "x": null}));
        let ev = Event {
            hook: Hook::AfterWrite,
            entity: "order",
            action: "update",
            record: &rec,
            sent: None,
            old: Some(&old),
            user: None,
        };
        let p = build(&ev, at(), "k");
        assert_eq!(p["old"], json!({"id": "1", "s": "sent", "tags": [1, 2]}));
        assert_eq!(
            p["changes"],
            json!({"s": {"old": "sent", "new": "paid"}, "x": {"old": null, "new": null}})
        );
        assert!(p.get("user").is_none());
        let same = Event { record: &old, ..ev };
        assert!(build(&same, at(), "k").get("changes").is_none());
    }

    #[test]
    fn delete_payload_has_neither_old_nor_changes() {
        let rec = map(json!({"id": "1"}));
        let ev = Event {
            hook: Hook::BeforeDelete,
            entity: "order",
            action: "delete",
            record: &rec,
            sent: None,
            old: Some(&rec),
            user: None,
        };
        let p = build(&ev, at(), "k");
        assert!(p.get("old").is_none() && p.get("changes").is_none());
        assert_eq!(p["event"], "before_delete");
        assert!(idempotency_key().starts_with("wh_"));
        let env = condition_env(&p);
        assert_eq!(env["old"], json!({}));
        assert_eq!(env["changes"], json!({}));
        assert_eq!(env["user"], Value::Null);
        assert_eq!(env["action"], json!("delete"));
    }
}
