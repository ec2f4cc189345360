//! JSON Schemas (2020-12, as OpenAPI 3.1 uses) of an entity's records and request
//! bodies, derived from its fields (spec 04 §2.3–2.4, §6.2–6.3) and forward
//! relations (spec 05 §1).
//!
//! Responses follow the Rust rendering column of spec 04 §2.4, per dialect (a
//! Postgres `decimal` is a string, a SQLite one a number; a Postgres `date` is a
//! midnight timestamp). Every response field but the key may be `null`: a column
//! added to a table that already had rows holds NULL whatever `required` says.
//! Bodies document the canonical JSON type of each field; the server also accepts
//! the lenient forms of spec 04 (numbers as text, …), a superset.

use rocket_meta::{Entity, Field, FieldType, RelationKind, Schema};
use rocket_store::Dialect;
use serde_json::{json, Map, Value};

/// A `$ref` to a component schema.
pub fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

/// Component names of one entity's schemas.
pub fn record_name(entity: &str) -> String {
    entity.to_string()
}
pub fn create_name(entity: &str) -> String {
    format!("{entity}.create")
}
pub fn update_name(entity: &str) -> String {
    format!("{entity}.update")
}
/// A related record inside an include.
pub fn included_name(entity: &str) -> String {
    format!("{entity}.included")
}
/// A row inside a nested write (insert, update or `_delete` by key).
pub fn nested_name(entity: &str) -> String {
    format!("{entity}.nested")
}

/// `s` or `null`.
pub fn nullable(mut s: Value) -> Value {
    let simple = s.get("$ref").is_none() && s.get("enum").is_none() && s.get("anyOf").is_none();
    match s.get("type").cloned() {
        Some(Value::String(t)) if simple => {
            s["type"] = json!([t, "null"]);
            s
        }
        None if s.as_object().is_some_and(Map::is_empty) => s,
        _ => json!({"anyOf": [s, {"type": "null"}]}),
    }
}

/// A stored value of `f` as responses render it.
pub fn output(f: &Field, d: Dialect) -> Value {
    match f.kind {
        FieldType::String | FieldType::Text => text(f),
        FieldType::Int => json!({"type": "integer", "format": "int32"}),
        FieldType::Bigint => json!({"type": "integer", "format": "int64"}),
        FieldType::Float => json!({"type": "number", "format": "double"}),
        FieldType::Decimal => match d {
            Dialect::Postgres => json!({"type": "string", "format": "decimal",
                "pattern": "^-?[0-9]+(\\.[0-9]+)?$"}),
            Dialect::Sqlite => json!({"type": "number"}),
        },
        FieldType::Boolean => json!({"type": "boolean"}),
        FieldType::Uuid => json!({"type": "string", "format": "uuid"}),
        FieldType::Timestamp => json!({"type": "string", "format": "date-time"}),
        FieldType::Date => match d {
            Dialect::Postgres => json!({"type": "string", "format": "date-time"}),
            Dialect::Sqlite => json!({"type": "string", "format": "date"}),
        },
        FieldType::Json => json!({}),
        // An upload's metadata, or the object a client stored as given (spec 13 §4.2).
        FieldType::File => json!({"anyOf": [reference("File"), any_object()]}),
    }
}

/// A value of `f` in a request body.
pub fn input(f: &Field) -> Value {
    match f.kind {
        FieldType::String | FieldType::Text => text(f),
        FieldType::Int => json!({"type": "integer", "format": "int32",
            "minimum": i32::MIN, "maximum": i32::MAX}),
        FieldType::Bigint => json!({"type": "integer", "format": "int64",
            "minimum": i64::MIN, "maximum": i64::MAX}),
        FieldType::Float => json!({"type": "number", "format": "double"}),
        FieldType::Decimal => json!({"anyOf": [{"type": "number"},
            {"type": "string", "format": "decimal", "pattern": "^\\s*-?[0-9]+(\\.[0-9]+)?\\s*$"}]}),
        FieldType::Boolean => json!({"type": "boolean"}),
        FieldType::Uuid => json!({"type": "string", "format": "uuid"}),
        FieldType::Timestamp => json!({"type": "string", "format": "date-time"}),
        FieldType::Date => json!({"type": "string", "format": "date"}),
        FieldType::Json => json!({}),
        FieldType::File => json!({
            "description": "The id of an upload (POST /_files/upload), or an object stored as given",
            "anyOf": [{"type": "string", "format": "uuid"}, any_object()]}),
    }
}

/// Any JSON object (typed clients see a record of unknowns, not an empty object).
pub fn any_object() -> Value {
    json!({"type": "object", "additionalProperties": true})
}

/// Text, with its enum values when it has some (spec 04 §6.3).
fn text(f: &Field) -> Value {
    if f.enum_values.is_empty() {
        json!({"type": "string"})
    } else {
        json!({"type": "string", "enum": f.enum_values})
    }
}

/// The record of `e` as list and get return it: its fields, `deleted_at` with soft
/// delete, and include keys (one per forward or reverse relation name; other
/// include tokens add further keys).
pub fn record(schema: &Schema, e: &Entity, d: Dialect) -> Value {
    let mut props = Map::new();
    for f in &e.fields {
        let s = output(f, d);
        let s = if f.name == e.primary_key.field {
            s
        } else {
            nullable(s)
        };
        props.insert(f.name.clone(), s);
    }
    if e.soft_delete && !e.has_field("deleted_at") {
        props.insert("deleted_at".into(), json!({"type": "null"}));
    }
    for r in schema.relations() {
        if props.contains_key(&r.name) {
            continue;
        }
        let related = |name: &str| match schema.entity(name) {
            Some(_) => reference(&included_name(name)),
            None => any_object(),
        };
        let included = if r.source == e.name {
            let row = related(&r.target);
            match r.kind() {
                RelationKind::OneToOne => nullable(row),
                _ => json!({"type": "array", "items": row}),
            }
        } else if r.target == e.name {
            nullable(related(&r.source))
        } else {
            continue;
        };
        let mut s = included;
        s["description"] = json!(format!("With ?include={}", r.name));
        props.insert(r.name.clone(), s);
    }
    json!({
        "type": "object",
        "required": [e.primary_key.field],
        "properties": props,
    })
}

/// A related record inside an include: declared fields only (spec 04 §2.3).
pub fn included(e: &Entity, d: Dialect) -> Value {
    let props: Map<String, Value> = e
        .fields
        .iter()
        .map(|f| (f.name.clone(), nullable(output(f, d))))
        .collect();
    json!({"type": "object", "properties": props})
}

/// Fields the engine fills itself on create: a generated key, a slug with a source.
fn engine_filled(e: &Entity, f: &Field) -> bool {
    (f.name == e.primary_key.field && e.primary_key.generated)
        || e.slug
            .as_ref()
            .is_some_and(|s| s.source_field().is_some() && s.field == f.name)
}

/// Which body a schema is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Body {
    Create,
    Update,
    /// A child row of a nested write: insert or update, so nothing is required.
    Nested,
}

/// A create, update or nested body of `e`: its fields, its forward relations as
/// nested writes, nothing else (unknown keys are `422`).
pub fn body(schema: &Schema, e: &Entity, kind: Body) -> Value {
    let mut props = Map::new();
    let mut required = Vec::new();
    for f in &e.fields {
        let mut s = input(f);
        if f.is_auto() {
            s["readOnly"] = json!(true);
            s["description"] = json!(format!("Set by the server on {}", f.auto));
        }
        let must = kind == Body::Create
            && (f.is_required() || f.name == e.primary_key.field)
            && !engine_filled(e, f)
            && !f.is_auto();
        if must {
            if f.kind.is_textual() {
                s["minLength"] = json!(1);
            }
            required.push(f.name.clone());
        }
        if !f.is_required() && f.name != e.primary_key.field {
            s = nullable(s);
        }
        props.insert(f.name.clone(), s);
    }
    for r in schema.relations().iter().filter(|r| r.source == e.name) {
        if props.contains_key(&r.name) || schema.entity(&r.target).is_none() {
            continue;
        }
        let item = if r.kind() == RelationKind::ManyToMany {
            json!({"type": "object", "properties": {
                "id": {"description": "The key of the target record to link"},
                "_delete": {"type": "boolean", "description": "Unlink (diff mode)"}}})
        } else {
            reference(&nested_name(&r.target))
        };
        props.insert(
            r.name.clone(),
            json!({
                "type": "object",
                "description": format!("Nested write of {} records (spec 05)", r.target),
                "required": ["data"],
                "properties": {
                    "data": {"type": "array", "items": item},
                    "_write_mode": {"type": "string", "enum": ["diff", "replace", "append"]},
                },
            }),
        );
    }
    if kind == Body::Nested {
        props.insert(
            "_delete".into(),
            json!({"type": "boolean", "description": "Remove this child (diff mode, with its key)"}),
        );
    }
    let mut s = json!({"type": "object", "properties": props, "additionalProperties": false});
    if !required.is_empty() {
        s["required"] = json!(required);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(v: Value) -> Field {
        let e = Entity::from_value(json!({"name": "t", "table": "t",
            "primary_key": {"field": "id", "type": "uuid", "generated": true},
            "fields": [{"name": "id", "type": "uuid"}, v]}))
        .unwrap();
        e.fields[1].clone()
    }

    #[test]
    fn nullable_forms() {
        assert_eq!(
            nullable(json!({"type": "string"})),
            json!({"type": ["string", "null"]})
        );
        assert_eq!(nullable(json!({})), json!({}));
        let e = json!({"type": "string", "enum": ["a"]});
        assert_eq!(nullable(e.clone()), json!({"anyOf": [e, {"type": "null"}]}));
        let r = reference("File");
        assert_eq!(nullable(r.clone()), json!({"anyOf": [r, {"type": "null"}]}));
    }

    #[test]
    fn output_per_dialect() {
        let dec = field(json!({"name": "d", "type": "decimal"}));
        assert_eq!(output(&dec, Dialect::Postgres)["type"], "string");
        assert_eq!(output(&dec, Dialect::Sqlite)["type"], "number");
        let date = field(json!({"name": "d", "type": "date"}));
        assert_eq!(output(&date, Dialect::Postgres)["format"], "date-time");
        assert_eq!(output(&date, Dialect::Sqlite)["format"], "date");
        let other = field(json!({"name": "d", "type": "email"}));
        assert_eq!(output(&other, Dialect::Sqlite), json!({"type": "string"}));
    }

    #[test]
    fn create_requires_what_the_planner_requires() {
        let e = Entity::from_value(json!({"name": "post", "table": "posts",
            "primary_key": {"field": "id", "type": "uuid", "generated": true},
            "slug": {"field": "slug", "source": "title"},
            "fields": [{"name": "id", "type": "uuid"},
                {"name": "title", "type": "string", "required": true},
                {"name": "slug", "type": "string", "required": true},
                {"name": "n", "type": "int", "required": true, "nullable": true},
                {"name": "at", "type": "timestamp", "required": true, "auto": "create"}]}))
        .unwrap();
        let s = Schema::new(vec![e.clone()], vec![]);
        let c = body(&s, &e, Body::Create);
        assert_eq!(c["required"], json!(["title"]));
        assert_eq!(c["properties"]["title"]["minLength"], 1);
        assert_eq!(c["properties"]["n"]["type"], json!(["integer", "null"]));
        assert_eq!(c["properties"]["at"]["readOnly"], true);
        assert_eq!(c["additionalProperties"], false);
        let u = body(&s, &e, Body::Update);
        assert!(u.get("required").is_none());
        assert!(u["properties"].get("_delete").is_none());
        assert!(body(&s, &e, Body::Nested)["properties"]
            .get("_delete")
            .is_some());
    }
}
