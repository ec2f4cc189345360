//! The OpenAPI documents (issue 12) against the running server: for every field type
//! and relation kind, the document's schemas accept what the server answers and
//! refuse what it refuses (checked with a JSON Schema validator); documents follow
//! the caller's roles and the metadata of the moment.

use serde_json::{json, Value};

use crate::both;
use crate::common::{id, many_to_many, one_to_many, one_to_one, T};

/// A validator for component `name` of `doc` (JSON Schema 2020-12, formats checked).
fn validator(doc: &Value, name: &str) -> jsonschema::Validator {
    let schema = json!({
        "$ref": format!("#/components/schemas/{name}"),
        "components": doc["components"],
    });
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("schema {name}: {e}"))
}

/// The whole body of a 200 (documents have no `data` envelope).
async fn body(t: &T, path: &str) -> Value {
    t.get(path).await.expect(200).clone()
}

#[track_caller]
fn accepts(v: &jsonschema::Validator, what: &str, value: &Value) {
    let errors: Vec<String> = v.iter_errors(value).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{what} should validate: {errors:?}\n{value}"
    );
}

async fn item_app(t: &T) {
    t.entity(
        "item",
        json!([
            {"name": "name", "type": "string", "required": true},
            {"name": "tier", "type": "string", "enum": ["gold", "silver"]},
            {"name": "notes", "type": "text"},
            {"name": "qty", "type": "int"},
            {"name": "big", "type": "bigint"},
            {"name": "ratio", "type": "float"},
            {"name": "price", "type": "decimal", "precision": 2},
            {"name": "paid", "type": "boolean"},
            {"name": "ref", "type": "uuid"},
            {"name": "at", "type": "timestamp"},
            {"name": "due", "type": "date"},
            {"name": "meta", "type": "json"},
            {"name": "scan", "type": "file"},
            {"name": "email", "type": "email"},
            {"name": "made", "type": "timestamp", "auto": "create"}
        ]),
    )
    .await;
    t.entity("part", json!([{"name": "item_id", "type": "uuid"}, {"name": "n", "type": "int", "required": true}]))
        .await;
    t.entity(
        "spec",
        json!([{"name": "item_id", "type": "uuid"}, {"name": "text", "type": "text"}]),
    )
    .await;
    t.entity("label", json!([{"name": "name", "type": "string"}]))
        .await;
    t.relation(one_to_many("parts", "item", "part", "item_id"))
        .await;
    t.relation(one_to_one("spec", "item", "spec", "item_id"))
        .await;
    t.relation(many_to_many("labels", "item", "label", "item_labels"))
        .await;
}

async fn schemas_match_the_server(t: T) {
    item_app(&t).await;
    let doc = body(&t, "/_openapi.json").await;
    let record = validator(&doc, "item");
    let create = validator(&doc, "item.create");
    let update = validator(&doc, "item.update");

    let file = crate::files::upload(&t, "a.txt", "text/plain", b"hello".to_vec()).await;
    let label = t.create("label", json!({"name": "red"})).await;
    let body = json!({
        "name": "first", "tier": "gold", "notes": "long", "qty": 3, "big": 9007199254740993i64,
        "ratio": 0.5, "price": "12.50", "paid": true, "ref": "5F0C2B1E-8D3A-4C6F-9B2E-1A7D4E3F6C80",
        "at": "2026-12-03T10:00:00+01:00", "due": "2026-12-31", "meta": {"a": [1, null]},
        "scan": file["id"], "email": "a@b.c",
        "parts": {"data": [{"n": 1}, {"n": 2}]},
        "spec": {"data": [{"text": "s"}]},
        "labels": {"_write_mode": "replace", "data": [{"id": label["id"]}]},
    });
    accepts(&create, "the create body", &body);
    let made = t.create("item", body).await;
    accepts(&record, "the created record", &made);
    let path = format!("/item/{}?include=parts,spec,labels", id(&made));
    accepts(&record, "the record with includes", &t.fetch(&path).await);
    let sparse = t.create("item", json!({"name": "second"})).await;
    accepts(&record, "a record of nulls", &sparse);
    let list = t.list("item", "include=parts,spec,labels&sort=name").await;
    for r in list["data"].as_array().unwrap() {
        accepts(&record, "a listed record", r);
    }
    let changed = json!({"qty": null, "price": 7, "scan": {"id": "x", "filename": "elsewhere"}});
    accepts(&update, "the update body", &changed);
    let after = t.update(&format!("/item/{}", id(&sparse)), changed).await;
    accepts(&record, "the updated record", &after);

    // What the server refuses, the document refuses.
    let refused = [
        json!({"name": "x", "qty": "three"}),
        json!({"name": "x", "qty": 2147483648i64}),
        json!({"name": "x", "paid": "yes"}),
        json!({"name": "x", "tier": "bronze"}),
        json!({"name": "x", "ref": "not-a-uuid"}),
        json!({"name": "x", "at": "yesterday"}),
        json!({"name": "x", "scan": 7}),
        json!({"name": "x", "colour": "red"}),
        json!({"qty": 1}),
        json!({"name": ""}),
        json!({"name": "x", "parts": [1]}),
        json!({"name": "x", "parts": {"data": [{"nope": 1}]}}),
        json!({"name": "x", "parts": {"data": [{"n": "many"}]}}),
    ];
    for body in refused {
        assert!(!create.is_valid(&body), "the document should refuse {body}");
        let r = t.post("/item", body.clone()).await;
        assert_eq!(
            r.status.as_u16(),
            422,
            "the server should refuse {body}: {}",
            r.body
        );
        accepts(&validator(&doc, "Error"), "the error envelope", &r.body);
    }
    assert!(!update.is_valid(&json!({"name": null})));
    t.put(&format!("/item/{}", id(&made)), json!({"name": null}))
        .await
        .error(422, "VALIDATION_FAILED");
}

async fn documents_follow_roles_and_metadata(t: T) {
    t.entity("note", json!([{"name": "owner", "type": "string"}]))
        .await;
    t.entity("secret", json!([{"name": "v", "type": "string"}]))
        .await;
    t.permission("note", "read", json!(["reader"]), json!([]))
        .await;
    t.permission(
        "note",
        "update",
        json!(["reader"]),
        json!([{"field": "owner", "operator": "eq", "value": "me"}]),
    )
    .await;
    let reader = t.as_user("r@example.com", json!(["reader"])).await;
    let mine = body(&reader, "/_openapi.json").await;
    let paths = mine["paths"].as_object().unwrap();
    let app = &t.app;
    assert!(
        paths.keys().all(|p| !p.contains("/_admin/")),
        "no admin API"
    );
    assert!(!paths.contains_key(&format!("/api/{app}/secret")));
    let note = &paths[&format!("/api/{app}/note")];
    assert!(note.get("get").is_some() && note.get("post").is_none());
    let one = &paths[&format!("/api/{app}/note/{{id}}")];
    assert!(one.get("put").is_some() && one.get("delete").is_none());
    assert!(paths.contains_key(&format!("/api/{app}/auth/login")));

    let admin = body(&t, "/_openapi.json").await;
    assert!(admin["paths"]
        .as_object()
        .unwrap()
        .contains_key(&format!("/api/{app}/_admin/entities")));
    // A metadata change shows at once (the cache is per snapshot).
    t.entity("fresh", json!([{"name": "x", "type": "int"}]))
        .await;
    let again = body(&t, "/_openapi.json").await;
    assert!(again["paths"].get(format!("/api/{app}/fresh")).is_some());
    assert!(admin["paths"].get(format!("/api/{app}/fresh")).is_none());

    t.anon()
        .get("/_openapi.json")
        .await
        .error(401, "UNAUTHORIZED");
    t.get("/api/_platform/openapi.json")
        .await
        .error(401, "UNAUTHORIZED");
    let platform = body(&t.platform(), "/api/_platform/openapi.json").await;
    assert_eq!(platform["openapi"], "3.1.0");
    assert!(platform["paths"].get("/api/_platform/apps").is_some());
}

both!(
    schemas_match_the_server,
    documents_follow_roles_and_metadata
);
