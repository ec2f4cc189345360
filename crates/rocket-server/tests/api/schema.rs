//! `GET /api/{app}/_schema` (spec 18 §8 item 2): the metadata a user's permissions
//! reach — canonical entity and relation definitions, the actions granted, no
//! policy details — for admins everything; follows metadata changes at once; its
//! answers match the operation's response schema in the app's OpenAPI document.

use serde_json::{json, Value};

use crate::both;
use crate::common::{many_to_many, one_to_many, rand_suffix, T};

const ALL: [&str; 4] = ["read", "create", "update", "delete"];

/// `note` (owner) 1—n `secret` (note_id), and `tag` n—m `note`.
async fn notes(t: &T) {
    t.entity("note", json!([{"name": "owner", "type": "string"}]))
        .await;
    t.entity(
        "secret",
        json!([{"name": "note_id", "type": "uuid"}, {"name": "v", "type": "string"}]),
    )
    .await;
    t.entity("tag", json!([{"name": "label", "type": "string"}]))
        .await;
    t.relation(one_to_many("secrets", "note", "secret", "note_id"))
        .await;
    t.relation(many_to_many("tags", "tag", "note", "tag_notes"))
        .await;
}

/// The caller's `_schema` answer, checked against the response schema of the
/// caller's own OpenAPI document.
async fn schema_of(t: &T) -> Value {
    let body = t.get("/_schema").await.expect(200).clone();
    let doc = t.get("/_openapi.json").await.expect(200).clone();
    let path = format!("/api/{}/_schema", t.app);
    let response = &doc["paths"][&path]["get"]["responses"]["200"];
    assert!(response.is_object(), "{path} is in the caller's document");
    let schema = json!({
        "$ref": "#/$defs/answer",
        "$defs": {"answer": response["content"]["application/json"]["schema"]},
        "components": doc["components"],
    });
    let v = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .build(&schema)
        .unwrap_or_else(|e| panic!("the response schema of {path}: {e}"));
    let errors: Vec<String> = v.iter_errors(&body).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{body}");
    body["data"].clone()
}

fn names(v: &Value) -> Vec<&str> {
    let items = v.as_array().unwrap_or_else(|| panic!("an array: {v}"));
    items.iter().filter_map(|x| x["name"].as_str()).collect()
}

async fn admins_see_everything(t: T) {
    notes(&t).await;
    t.entity_with(
        "article",
        json!([
            {"name": "title", "type": "string", "required": true, "index": true},
            {"name": "slug", "type": "string", "unique": true},
            {"name": "state", "type": "string", "enum": ["draft", "live"], "default": "draft"},
            {"name": "price", "type": "decimal", "precision": 2},
            {"name": "made", "type": "timestamp", "auto": "create"}
        ]),
        json!({"soft_delete": true, "slug": {"field": "slug", "source": "title"},
            "indexes": [{"fields": ["state", "made"]}]}),
    )
    .await;
    t.permission("note", "read", json!(["viewer"]), json!([]))
        .await;
    for admin in [t.clone(), t.platform()] {
        let s = schema_of(&admin).await;
        assert_eq!(names(&s["entities"]), ["article", "note", "secret", "tag"]);
        assert_eq!(names(&s["relations"]), ["secrets", "tags"]);
        for e in ["article", "note", "secret", "tag"] {
            assert_eq!(s["permissions"][e], json!(ALL), "{e}");
        }
        assert_eq!(s["permissions"].as_object().map(|p| p.len()), Some(4));
    }
    // The definitions are the admin API's, byte for byte.
    let s = schema_of(&t).await;
    for e in s["entities"].as_array().unwrap() {
        let stored = t
            .fetch(&format!("/_admin/entities/{}", e["name"].as_str().unwrap()))
            .await;
        assert_eq!(e, &stored["definition"]);
    }
    for r in s["relations"].as_array().unwrap() {
        let stored = t
            .fetch(&format!(
                "/_admin/relations/{}",
                r["name"].as_str().unwrap()
            ))
            .await;
        assert_eq!(r, &stored["definition"]);
    }
}

async fn users_see_what_they_are_granted(t: T) {
    notes(&t).await;
    t.permission(
        "note",
        "read",
        json!(["Viewer"]),
        json!([{"field": "owner", "operator": "eq", "value": "me-only"}]),
    )
    .await;
    t.permission("secret", "read", json!(["other"]), json!([]))
        .await;
    let viewer = t.as_user("v@example.com", json!(["viewer"])).await;
    let s = schema_of(&viewer).await;
    assert_eq!(names(&s["entities"]), ["note"]);
    let note = t.fetch("/_admin/entities/note").await;
    assert_eq!(s["entities"][0], note["definition"]);
    assert_eq!(s["relations"], json!([]), "no relation to a hidden entity");
    assert_eq!(s["permissions"], json!({"note": ["read"]}));
    let text = s.to_string();
    assert!(
        !text.contains("me-only") && !text.contains("conditions") && !text.contains("Viewer"),
        "nothing of the policies: {text}"
    );
    // The admin API stays closed.
    viewer.get("/_admin/entities").await.error(403, "FORBIDDEN");

    let nobody = t.as_user("n@example.com", json!([])).await;
    assert_eq!(
        schema_of(&nobody).await,
        json!({"entities": [], "relations": [], "permissions": {}})
    );
    let stranger = t.as_user("s@example.com", json!(["stranger"])).await;
    assert_eq!(schema_of(&stranger).await["entities"], json!([]));
}

async fn only_users_of_the_app(t: T) {
    t.entity("note", json!([{"name": "owner", "type": "string"}]))
        .await;
    t.anon()
        .get("/_schema")
        .await
        .error_is(401, "UNAUTHORIZED", "Missing auth token");
    t.with_token(Some("not-a-jwt"))
        .get("/_schema")
        .await
        .error_is(401, "UNAUTHORIZED", "Invalid or expired token");
    let other = t.new_app(&format!("o{}", rand_suffix())).await;
    other.get("/_schema").await.expect(200);
    t.with_token(other.token.as_deref())
        .get("/_schema")
        .await
        .error_is(401, "UNAUTHORIZED", "Invalid or expired token");
    t.drop_app(&other.app).await;
    t.anon()
        .get("/api/no_such_app/_schema")
        .await
        .error(404, "APP_NOT_FOUND");
}

async fn answers_follow_metadata_changes(t: T) {
    notes(&t).await;
    t.permission("note", "read", json!(["viewer"]), json!([]))
        .await;
    let viewer = t.as_user("v@example.com", json!(["viewer"])).await;
    let before = schema_of(&viewer).await;
    assert_eq!(names(&before["entities"]), ["note"]);

    t.entity("memo", json!([{"name": "note_id", "type": "uuid"}]))
        .await;
    assert_eq!(
        schema_of(&viewer).await,
        before,
        "no permission on memo yet"
    );
    assert_eq!(
        names(&schema_of(&t).await["entities"]),
        ["memo", "note", "secret", "tag"]
    );

    t.permission("memo", "create", json!(["viewer"]), json!([]))
        .await;
    t.permission("note", "delete", json!(["viewer"]), json!([]))
        .await;
    t.relation(one_to_many("memos", "note", "memo", "note_id"))
        .await;
    let after = schema_of(&viewer).await;
    assert_eq!(names(&after["entities"]), ["memo", "note"]);
    assert_eq!(names(&after["relations"]), ["memos"]);
    assert_eq!(
        after["permissions"],
        json!({"memo": ["create"], "note": ["read", "delete"]})
    );

    t.delete("/_admin/entities/memo").await.expect(200);
    let gone = schema_of(&viewer).await;
    assert_eq!(names(&gone["entities"]), ["note"]);
    assert_eq!(gone["relations"], json!([]));
    assert_eq!(gone["permissions"], json!({"note": ["read", "delete"]}));
}

both!(
    admins_see_everything,
    users_see_what_they_are_granted,
    only_users_of_the_app,
    answers_follow_metadata_changes
);
