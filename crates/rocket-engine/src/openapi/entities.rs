//! The five endpoints of every entity (spec 04): list with its filter, sort, page
//! and include parameters, get, create, update and delete, each with its envelope
//! and the errors it can answer.

use rocket_meta::{Action, Entity, Field, FieldType, Schema};
use serde_json::{json, Map, Value};

use super::common::{errors, ok};
use super::fields::{create_name, record_name, reference, update_name};

/// Filter operators of spec 04 §3.1 (`eq` is also the bare `filter[field]`): those
/// taking one value of the field's type, and those taking text.
const TYPED_OPERATORS: &str = "eq|neq|gt|gte|lt|lte";
const TEXT_OPERATORS: &str = "in|not_in|like";

/// The path items of `e`, with only the operations `allowed` grants.
pub fn paths(e: &Entity, allowed: impl Fn(Action) -> bool) -> Vec<(String, Value)> {
    let mut collection = Map::new();
    let mut item = Map::new();
    let tag = json!([e.name]);
    if allowed(Action::Read) {
        collection.insert("get".into(), list(e, &tag));
        item.insert("get".into(), get(e, &tag));
    }
    if allowed(Action::Create) {
        collection.insert("post".into(), create(e, &tag));
    }
    if allowed(Action::Update) {
        item.insert("put".into(), update(e, &tag));
    }
    if allowed(Action::Delete) {
        item.insert("delete".into(), delete(e, &tag));
    }
    if let Some(post) = collection.get_mut("post") {
        add_links(e, post, &item);
    }
    let mut out = Vec::new();
    if !collection.is_empty() {
        out.push((format!("/{}", e.name), Value::Object(collection)));
    }
    if !item.is_empty() {
        item.insert("parameters".into(), json!([id_param(e)]));
        out.push((format!("/{}/{{id}}", e.name), Value::Object(item)));
    }
    out
}

/// OpenAPI links from a create to the item operations the caller has, with the new
/// record's key: clients (and the fuzzer's stateful phase) follow them.
fn add_links(e: &Entity, post: &mut Value, item: &Map<String, Value>) {
    let key = format!("$response.body#/data/{}", e.pk_name());
    let mut links = Map::new();
    for (method, action) in [("get", "get"), ("put", "update"), ("delete", "delete")] {
        if item.contains_key(method) {
            links.insert(
                format!("{action}_created"),
                json!({"operationId": format!("{action}_{}", e.name), "parameters": {"id": key}}),
            );
        }
    }
    if !links.is_empty() {
        post["responses"]["201"]["links"] = Value::Object(links);
    }
}

fn id_param(e: &Entity) -> Value {
    let slug = e
        .slug
        .as_ref()
        .map(|s| format!(" or its `{}` slug", s.field))
        .unwrap_or_default();
    json!({"name": "id", "in": "path", "required": true,
        "description": format!("The `{}` key{slug}", e.pk_name()),
        "schema": {"type": "string"}})
}

fn include_param(schema_hint: &str) -> Value {
    json!({"name": "include", "in": "query", "required": false,
        "description": format!("Comma-separated relations to load ({schema_hint})"),
        "schema": {"type": "string"}})
}

/// `filter[<field>]` and `filter[<field>.<op>]` as one deep-object parameter: bare
/// fields by name, operators as patterns (a name per operator would make the
/// document ten times larger).
fn filter_param(e: &Entity) -> Value {
    let mut props = Map::new();
    let mut patterns = Map::new();
    for f in &e.fields {
        let typed = filter_value(f);
        props.insert(f.name.clone(), typed.clone());
        if typed["type"] == "string" {
            let ops = format!("^{}\\.({TYPED_OPERATORS}|{TEXT_OPERATORS})$", f.name);
            patterns.insert(ops, typed);
        } else {
            patterns.insert(format!("^{}\\.({TYPED_OPERATORS})$", f.name), typed);
            patterns.insert(
                format!("^{}\\.({TEXT_OPERATORS})$", f.name),
                json!({"type": "string"}),
            );
        }
    }
    json!({"name": "filter", "in": "query", "required": false,
        "style": "deepObject", "explode": true,
        "description": "filter[field]=v or filter[field.op]=v (eq, neq, gt, gte, lt, lte, \
            in, not_in, like; lists comma-separated), AND-ed (spec 04 §3.1)",
        "schema": {"type": "object", "properties": props, "patternProperties": patterns,
            "additionalProperties": false}})
}

/// The query-string value of a one-value filter on `f`.
fn filter_value(f: &Field) -> Value {
    match f.kind {
        FieldType::Int | FieldType::Bigint => json!({"type": "integer"}),
        FieldType::Float | FieldType::Decimal => json!({"type": "number"}),
        FieldType::Boolean => json!({"type": "boolean"}),
        _ => json!({"type": "string"}),
    }
}

fn list(e: &Entity, tag: &Value) -> Value {
    let sortable: Vec<&str> = e.fields.iter().map(|f| f.name.as_str()).collect();
    json!({
        "tags": tag,
        "operationId": format!("list_{}", e.name),
        "summary": format!("List {} records", e.name),
        "parameters": [
            filter_param(e),
            {"name": "sort", "in": "query", "required": false,
             "description": format!("Comma-separated fields, `-` for descending: {}", sortable.join(", ")),
             "schema": {"type": "string"}},
            {"name": "page", "in": "query", "required": false,
             "schema": {"type": "integer", "minimum": 1, "default": 1}},
            {"name": "per_page", "in": "query", "required": false,
             "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 25}},
            include_param("on every record"),
        ],
        "responses": responses(ok("200", list_envelope(e)), &["400", "401", "403", "404"]),
    })
}

fn list_envelope(e: &Entity) -> Value {
    json!({"type": "object", "required": ["data", "meta"], "properties": {
        "data": {"type": "array", "items": reference(&record_name(&e.name))},
        "meta": reference("ListMeta")}})
}

fn one_envelope(e: &Entity) -> Value {
    json!({"type": "object", "required": ["data"], "properties": {
        "data": reference(&record_name(&e.name)),
        "meta": {"type": "object", "description": "Only when an include was cut",
            "properties": {"truncated_includes": {
                "type": "object", "additionalProperties": {"type": "integer"}}}}}})
}

fn get(e: &Entity, tag: &Value) -> Value {
    json!({
        "tags": tag,
        "operationId": format!("get_{}", e.name),
        "summary": format!("Get one {} record", e.name),
        "parameters": [include_param("on the record"), etag_param("If-None-Match")],
        "responses": with_not_modified(responses(ok("200", one_envelope(e)), &["400", "401", "403", "404"])),
    })
}

fn request(name: &str) -> Value {
    json!({"required": true, "content": {"application/json": {"schema": reference(name)}}})
}

/// Errors a write can answer: validation, rules, sync webhooks (spec 06 §3, 12 §7.1).
const WRITE_ERRORS: [&str; 9] = [
    "400", "401", "403", "404", "409", "412", "413", "422", "502",
];

fn create(e: &Entity, tag: &Value) -> Value {
    json!({
        "tags": tag,
        "operationId": format!("create_{}", e.name),
        "summary": format!("Create a {} record (with nested writes)", e.name),
        "requestBody": request(&create_name(&e.name)),
        "responses": responses(ok("201", one_envelope(e)), &WRITE_ERRORS),
    })
}

fn update(e: &Entity, tag: &Value) -> Value {
    json!({
        "tags": tag,
        "operationId": format!("update_{}", e.name),
        "summary": format!("Update a {} record (partial, with nested writes)", e.name),
        "parameters": [etag_param("If-Match")],
        "requestBody": request(&update_name(&e.name)),
        "responses": responses(ok("200", one_envelope(e)), &WRITE_ERRORS),
    })
}

fn delete(e: &Entity, tag: &Value) -> Value {
    let deleted = json!({"type": "object", "required": ["data"], "properties": {
        "data": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}}}});
    json!({
        "tags": tag,
        "operationId": format!("delete_{}", e.name),
        "summary": if e.soft_delete {
            format!("Soft-delete a {} record", e.name)
        } else {
            format!("Delete a {} record (cascade policies apply)", e.name)
        },
        "parameters": [etag_param("If-Match")],
        "responses": responses(ok("200", deleted), &["401", "403", "404", "409", "412", "422", "502"]),
    })
}

/// A conditional-request header with the record's ETag (docs/api.md, optimistic
/// concurrency).
fn etag_param(name: &str) -> Value {
    json!({"name": name, "in": "header", "required": false,
        "description": "A record ETag (`\"…\"`) from an earlier GET",
        "schema": {"type": "string"}})
}

/// A GET with `If-None-Match` naming the current version answers 304, no body.
fn with_not_modified(mut responses: Value) -> Value {
    responses["304"] = json!({"description": "Not modified"});
    responses
}

/// The success response plus the error envelope under each status in `codes`.
pub fn responses(success: (String, Value), codes: &[&str]) -> Value {
    let mut m = Map::new();
    m.insert(success.0, success.1);
    for (k, v) in errors(codes) {
        m.insert(k, v);
    }
    Value::Object(m)
}

/// Entities whose endpoints the caller may use at all, with their allowed actions.
pub fn visible(
    schema: &Schema,
    allowed: impl Fn(&Entity, Action) -> bool + Copy,
) -> impl Iterator<Item = &std::sync::Arc<Entity>> {
    schema
        .entities()
        .filter(move |e| Action::ALL.iter().any(|a| allowed(e, *a)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entity() -> Entity {
        Entity::from_value(json!({"name": "item", "table": "items",
            "primary_key": {"field": "id", "type": "uuid", "generated": true},
            "fields": [{"name": "id", "type": "uuid"}, {"name": "qty", "type": "int"}]}))
        .unwrap()
    }

    #[test]
    fn filters_by_name_and_operator_pattern() {
        let f = filter_param(&entity());
        let s = &f["schema"];
        assert_eq!(s["properties"]["qty"], json!({"type": "integer"}));
        let p = s["patternProperties"].as_object().unwrap();
        assert_eq!(
            p[r"^qty\.(eq|neq|gt|gte|lt|lte)$"],
            json!({"type": "integer"})
        );
        assert_eq!(p[r"^qty\.(in|not_in|like)$"], json!({"type": "string"}));
        assert_eq!(
            p[r"^id\.(eq|neq|gt|gte|lt|lte|in|not_in|like)$"],
            json!({"type": "string"})
        );
        assert_eq!(s["additionalProperties"], false);
    }

    #[test]
    fn operations_follow_the_allowed_actions() {
        let e = entity();
        let only_read = paths(&e, |a| a == Action::Read);
        assert_eq!(only_read.len(), 2);
        assert!(only_read[0].1.get("post").is_none());
        assert!(only_read[1].1.get("put").is_none());
        let none = paths(&e, |_| false);
        assert!(none.is_empty());
        let all = paths(&e, |_| true);
        let links = &all[0].1["post"]["responses"]["201"]["links"];
        assert_eq!(links["update_created"]["operationId"], "update_item");
        assert_eq!(
            links["get_created"]["parameters"]["id"],
            "$response.body#/data/id"
        );
        let create_only = paths(&e, |a| a == Action::Create);
        assert!(create_only[0].1["post"]["responses"]["201"]
            .get("links")
            .is_none());
        assert_eq!(all[1].1["put"]["parameters"][0]["name"], "If-Match");
        assert!(all[1].1["get"]["responses"].get("304").is_some());
    }
}
