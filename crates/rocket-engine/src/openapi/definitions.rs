//! Metadata in canonical form (spec 03 §3.7 entities, §4 relations) as the app
//! documents describe it, and the answer of `GET /_schema` (spec 18 §8 item 2,
//! `crate::metadata::visible`). Exact: the keys the `rocket_meta` types serialize,
//! the optional ones only when set, nothing else.

use rocket_meta::Action;
use serde_json::{json, Map, Value};

use super::common::data;
use super::fields::reference;

fn string() -> Value {
    json!({"type": "string"})
}

fn boolean() -> Value {
    json!({"type": "boolean"})
}

/// An object with exactly these properties, `required` always present.
fn exact(required: &[&str], properties: Value) -> Value {
    json!({"type": "object", "required": required, "additionalProperties": false,
        "properties": properties})
}

fn field() -> Value {
    exact(
        &["name", "type"],
        json!({
            "name": string(),
            "type": {"type": "string", "description": "string, text, int, bigint, float, \
                decimal, boolean, uuid, timestamp, date, json, file (other names are strings)"},
            "required": boolean(),
            "unique": boolean(),
            "nullable": boolean(),
            "index": boolean(),
            "default": {"description": "Any JSON value but null"},
            "enum": {"type": "array", "items": string()},
            "precision": {"type": "integer"},
            "auto": {"type": "string", "description": "create or update"},
        }),
    )
}

fn entity() -> Value {
    let mut e = exact(
        &["name", "table", "primary_key", "soft_delete", "fields"],
        json!({
            "name": string(),
            "table": string(),
            "primary_key": exact(&["field", "type", "generated"], json!({
                "field": string(), "type": string(), "generated": boolean()})),
            "soft_delete": boolean(),
            "slug": exact(&["field", "regenerate_on_update"], json!({
                "field": string(), "source": string(), "regenerate_on_update": boolean()})),
            "fields": {"type": "array", "items": reference("FieldDefinition")},
            "indexes": {"type": "array", "items": exact(&["fields"], json!({
                "fields": {"type": "array", "items": string()}, "unique": boolean()}))},
        }),
    );
    e["description"] = json!("An entity definition in canonical form (spec 03 §3.7)");
    e
}

fn relation() -> Value {
    let mut r = exact(
        &[
            "name",
            "type",
            "source",
            "target",
            "source_key",
            "ownership",
            "on_delete",
        ],
        json!({
            "name": string(),
            "type": {"type": "string", "description": "one_to_one, one_to_many or many_to_many"},
            "source": string(),
            "target": string(),
            "source_key": string(),
            "target_key": string(),
            "join_table": string(),
            "source_join_key": string(),
            "target_join_key": string(),
            "ownership": string(),
            "on_delete": string(),
            "fetch": string(),
            "write_mode": string(),
        }),
    );
    r["description"] = json!("A relation definition in canonical form (spec 03 §4)");
    r
}

/// The components: `EntityDefinition`, `FieldDefinition`, `RelationDefinition`
/// (capitalised: entity names are lower-case, so they never collide).
pub fn schemas() -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("EntityDefinition".into(), entity());
    m.insert("FieldDefinition".into(), field());
    m.insert("RelationDefinition".into(), relation());
    m
}

/// `{"data": {"entities", "relations", "permissions"}}` of `GET /_schema`.
pub fn visible() -> Value {
    let actions: Vec<&str> = Action::ALL.iter().map(|a| a.as_str()).collect();
    data(exact(
        &["entities", "relations", "permissions"],
        json!({
            "entities": {"type": "array", "items": reference("EntityDefinition")},
            "relations": {"type": "array", "items": reference("RelationDefinition")},
            "permissions": {
                "type": "object",
                "description": "Entity name → the actions the caller's roles are granted",
                "additionalProperties": {"type": "array", "minItems": 1, "uniqueItems": true,
                    "items": {"type": "string", "enum": actions}},
            },
        }),
    ))
}
