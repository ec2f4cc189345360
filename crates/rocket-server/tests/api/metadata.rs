use serde_json::json;

use crate::both;
use crate::common::T;

fn entity(name: &str) -> serde_json::Value {
    json!({"name": name, "table": name, "primary_key": {"field": "id", "type": "uuid", "generated": true},
           "fields": [{"name": "id", "type": "uuid"}, {"name": "title", "type": "string", "required": true}]})
}

async fn entity_crud_and_canonical_form(t: T) {
    let def = t
        .post("/_admin/entities", entity("post"))
        .await
        .data(201)
        .clone();
    assert_eq!(def["soft_delete"], json!(false));
    assert_eq!(
        def["fields"][1],
        json!({"name": "title", "type": "string", "required": true})
    );
    let list = t.get("/_admin/entities").await.data(200).clone();
    assert_eq!(list[0]["name"], json!("post"));
    assert_eq!(list[0]["table_name"], json!("post"));
    assert!(list[0]["definition"].is_object(), "definition is an object");
    let one = t.get("/_admin/entities/post").await.data(200).clone();
    assert_eq!(one["definition"]["name"], json!("post"));
    t.get("/_admin/entities/nope").await.error(404, "NOT_FOUND");
    let dup = t.post("/_admin/entities", entity("post")).await;
    assert_eq!(
        dup.error(409, "CONFLICT")["message"],
        json!("Entity already exists: post")
    );
    let mut other = entity("post2");
    other["table"] = json!("post");
    t.post("/_admin/entities", other)
        .await
        .error(409, "CONFLICT");
    // Update: the URL name wins over the body's.
    let mut upd = entity("ignored");
    upd["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "views", "type": "int"}));
    let out = t.put("/_admin/entities/post", upd).await.data(200).clone();
    assert_eq!(out["name"], json!("post"));
    t.put("/_admin/entities/nope", entity("nope"))
        .await
        .error(404, "NOT_FOUND");
    let del = t.delete("/_admin/entities/post").await;
    assert_eq!(del.data(200), &json!({"name": "post", "deleted": true}));
    t.delete("/_admin/entities/post")
        .await
        .error(404, "NOT_FOUND");
    t.get("/post").await.error(404, "UNKNOWN_ENTITY");
}

async fn entity_validation_messages(t: T) {
    let cases: Vec<(serde_json::Value, &str)> = vec![
        (
            json!({"table": "x", "primary_key": {"field": "id"}, "fields": [{"name": "id", "type": "uuid"}]}),
            "entity name is required",
        ),
        (
            json!({"name": "x", "primary_key": {"field": "id"}, "fields": [{"name": "id", "type": "uuid"}]}),
            "table name is required",
        ),
        (
            json!({"name": "x", "table": "x", "primary_key": {"field": "id"}, "fields": []}),
            "entity must have at least one field",
        ),
        (
            json!({"name": "x", "table": "x", "fields": [{"name": "id", "type": "uuid"}]}),
            "primary key field is required",
        ),
        (
            json!({"name": "x", "table": "x", "primary_key": {"field": "pk"}, "fields": [{"name": "id", "type": "uuid"}]}),
            "primary key field pk not found in fields",
        ),
        (
            json!({"name": "x", "table": "x", "primary_key": {"field": "id"}, "fields": [{"name": "id", "type": "uuid"}], "slug": {"field": "s"}}),
            "slug field \"s\" not found in fields",
        ),
    ];
    for (body, msg) in cases {
        let r = t.post("/_admin/entities", body.clone()).await;
        let e = r.error(422, "VALIDATION_FAILED");
        assert_eq!(e["message"], json!(msg), "{body}");
        assert!(
            e.get("details").is_none(),
            "metadata errors carry no details"
        );
    }
    // Identifiers that would break or inject DDL are refused.
    for bad in ["_files", "Bad", "x;drop", "a b", "1x"] {
        let mut b = entity("x");
        b["name"] = json!(bad);
        t.post("/_admin/entities", b)
            .await
            .error(422, "VALIDATION_FAILED");
    }
    let mut b = entity("y");
    b["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "x\"; DROP TABLE y; --", "type": "string"}));
    t.post("/_admin/entities", b)
        .await
        .error(422, "VALIDATION_FAILED");
    let mut b = entity("z");
    b["soft_delete"] = json!("yes");
    t.post("/_admin/entities", b)
        .await
        .error(400, "INVALID_PAYLOAD");
    t.post("/_admin/entities", json!([1, 2]))
        .await
        .error(400, "INVALID_PAYLOAD");
}

async fn reserved_words_and_quotes_work(t: T) {
    // `order` and `user` are reserved in SQL; a default with a quote must be escaped.
    t.entity(
        "order",
        json!([
            {"name": "group", "type": "string", "default": "it's"},
            {"name": "select", "type": "int"},
        ]),
    )
    .await;
    let r = t.create("order", json!({"select": 1})).await;
    assert_eq!(r["group"], json!("it's"));
    let l = t.list("order", "sort=-select&filter[group]=it%27s").await;
    assert_eq!(l["meta"]["total"], json!(1));
}

async fn migration_adds_columns_and_keeps_data(t: T) {
    t.entity("note", json!([{"name": "body", "type": "text"}]))
        .await;
    let rec = t.create("note", json!({"body": "kept"})).await;
    let id = rec["id"].as_str().unwrap().to_string();
    let def = json!({"name": "note", "table": "note", "primary_key": {"field": "id", "type": "uuid", "generated": true},
        "soft_delete": true,
        "fields": [{"name": "id", "type": "uuid"}, {"name": "body", "type": "text"},
                   {"name": "stars", "type": "int"}, {"name": "title", "type": "string", "required": true},
                   {"name": "score", "type": "int", "required": true}]});
    t.put("/_admin/entities/note", def).await.expect(200);
    let got = t.get(&format!("/note/{id}")).await.data(200).clone();
    assert_eq!(got["body"], json!("kept"));
    assert_eq!(got["stars"], json!(null));
    assert_eq!(
        got["title"],
        json!(""),
        "required text column added with DEFAULT ''"
    );
    assert!(got.get("deleted_at").is_some());
    // Removing a field hides it; the data stays in the table.
    let def = json!({"name": "note", "table": "note", "primary_key": {"field": "id", "type": "uuid", "generated": true},
        "fields": [{"name": "id", "type": "uuid"}, {"name": "stars", "type": "int"}]});
    t.put("/_admin/entities/note", def).await.expect(200);
    let got = t.get(&format!("/note/{id}")).await.data(200).clone();
    assert!(got.get("body").is_none());
    let def = json!({"name": "note", "table": "note", "primary_key": {"field": "id", "type": "uuid", "generated": true},
        "fields": [{"name": "id", "type": "uuid"}, {"name": "body", "type": "text"}]});
    t.put("/_admin/entities/note", def).await.expect(200);
    assert_eq!(
        t.get(&format!("/note/{id}")).await.data(200)["body"],
        json!("kept")
    );
}

async fn relation_crud_and_validation(t: T) {
    t.entity("author", json!([{"name": "name", "type": "string"}]))
        .await;
    t.entity("book", json!([{"name": "author_id", "type": "uuid"}]))
        .await;
    let rel = json!({"name": "books", "type": "one_to_many", "source": "author", "target": "book",
                     "source_key": "id", "target_key": "author_id", "on_delete": "cascade"});
    let def = t
        .post("/_admin/relations", rel.clone())
        .await
        .data(201)
        .clone();
    assert_eq!(def["ownership"], json!(""));
    t.post("/_admin/relations", rel.clone())
        .await
        .error(409, "CONFLICT");
    let list = t.get("/_admin/relations").await.data(200).clone();
    assert_eq!(list[0]["source"], json!("author"));
    assert!(list[0]["definition"].is_object());
    t.get("/_admin/relations/books").await.expect(200);
    t.get("/_admin/relations/nope")
        .await
        .error(404, "NOT_FOUND");
    let msgs = [
        (
            json!({"type": "one_to_many", "source": "author", "target": "book"}),
            "relation name is required",
        ),
        (
            json!({"name": "r", "type": "one_to_many", "source": "author"}),
            "source and target are required",
        ),
        (
            json!({"name": "r", "type": "one_to_many", "source": "ghost", "target": "book"}),
            "source entity not found: ghost",
        ),
        (
            json!({"name": "r", "type": "one_to_many", "source": "author", "target": "ghost"}),
            "target entity not found: ghost",
        ),
        (
            json!({"name": "r", "type": "many", "source": "author", "target": "book"}),
            "invalid relation type: many",
        ),
        (
            json!({"name": "r", "type": "many_to_many", "source": "author", "target": "book", "source_key": "id"}),
            "join_table is required for many_to_many relations",
        ),
    ];
    for (b, m) in msgs {
        assert_eq!(
            t.post("/_admin/relations", b.clone())
                .await
                .error(422, "VALIDATION_FAILED")["message"],
            json!(m),
            "{b}"
        );
    }
    let mut bad = rel.clone();
    bad["name"] = json!("r2");
    bad["target_key"] = json!("nope");
    t.post("/_admin/relations", bad)
        .await
        .error(422, "VALIDATION_FAILED");
    let mut bad = rel.clone();
    bad["name"] = json!("r3");
    bad["on_delete"] = json!("explode");
    t.post("/_admin/relations", bad)
        .await
        .error(422, "VALIDATION_FAILED");
    let mut upd = rel.clone();
    upd["on_delete"] = json!("restrict");
    assert_eq!(
        t.put("/_admin/relations/books", upd.clone())
            .await
            .data(200)["on_delete"],
        json!("restrict")
    );
    t.put("/_admin/relations/nope", upd)
        .await
        .error(404, "NOT_FOUND");
    assert_eq!(
        t.delete("/_admin/relations/books").await.data(200),
        &json!({"name": "books", "deleted": true})
    );
    t.delete("/_admin/relations/books")
        .await
        .error(404, "NOT_FOUND");
    // Deleting an entity removes its relations.
    t.post("/_admin/relations", rel).await.expect(201);
    t.delete("/_admin/entities/book").await.expect(200);
    assert_eq!(t.get("/_admin/relations").await.data(200), &json!([]));
}

async fn non_admin_is_refused_on_admin_routes(t: T) {
    t.anon()
        .get("/_admin/entities")
        .await
        .error(401, "UNAUTHORIZED");
    t.with_token(Some("x"))
        .get("/_admin/entities")
        .await
        .error(401, "UNAUTHORIZED");
}

both!(
    entity_crud_and_canonical_form,
    entity_validation_messages,
    reserved_words_and_quotes_work,
    migration_adds_columns_and_keeps_data,
    relation_crud_and_validation,
    non_admin_is_refused_on_admin_routes,
);

async fn declared_indexes(t: T) {
    t.entity_with(
        "slot",
        json!([{"name": "room", "type": "string", "index": true}, {"name": "hour", "type": "int"}]),
        json!({"indexes": [{"fields": ["room", "hour"], "unique": true}]}),
    )
    .await;
    let def = t.get("/_admin/entities/slot").await.data(200).clone();
    assert_eq!(
        def["definition"]["indexes"],
        json!([{"fields": ["room", "hour"], "unique": true}])
    );
    assert_eq!(def["definition"]["fields"][1]["index"], json!(true));
    t.create("slot", json!({"room": "a", "hour": 9})).await;
    t.create("slot", json!({"room": "a", "hour": 10})).await;
    // The composite unique index holds.
    t.post("/slot", json!({"room": "a", "hour": 9}))
        .await
        .error(409, "CONFLICT");
    let bad = json!({"name": "bad", "table": "bad", "primary_key": {"field": "id", "type": "uuid", "generated": true},
        "fields": [{"name": "id", "type": "uuid"}], "indexes": [{"fields": ["nope"]}]});
    assert_eq!(
        t.post("/_admin/entities", bad)
            .await
            .error(422, "VALIDATION_FAILED")["message"],
        json!("index field nope not found in fields")
    );
}

both!(declared_indexes);
