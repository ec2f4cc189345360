use serde_json::json;

use crate::both;
use crate::common::{id, Db, T};

async fn crud_round_trip_and_envelopes(t: T) {
    t.entity("invoice", json!([
        {"name": "number", "type": "string", "required": true, "unique": true},
        {"name": "status", "type": "string", "default": "draft", "enum": ["draft", "sent", "paid"]},
        {"name": "total", "type": "decimal", "precision": 2},
        {"name": "paid", "type": "boolean"},
        {"name": "meta", "type": "json"},
        {"name": "qty", "type": "int"},
        {"name": "big", "type": "bigint"},
        {"name": "due", "type": "date"},
        {"name": "sent_at", "type": "timestamp"},
        {"name": "created_at", "type": "timestamp", "auto": "create"},
        {"name": "updated_at", "type": "timestamp", "auto": "update"},
    ]))
    .await;
    let rec = t
        .create("invoice", json!({"number": "INV-1", "total": 1500, "paid": true, "meta": {"a": [1, 2]},
            "qty": 3, "big": 9007199254740993i64, "due": "2025-01-15", "sent_at": "2025-01-15T10:30:00Z",
            "created_at": "1999-01-01T00:00:00Z"}))
        .await;
    let id = id(&rec);
    assert!(uuid::Uuid::parse_str(&id).is_ok());
    assert_eq!(rec["status"], json!("draft"), "default applied");
    assert_eq!(rec["paid"], json!(true), "booleans render as JSON booleans");
    assert_eq!(rec["meta"], json!({"a": [1, 2]}), "json renders as a value");
    assert_eq!(rec["qty"], json!(3));
    assert_eq!(
        rec["big"],
        json!(9007199254740993i64),
        "integers above 2^53 stay exact"
    );
    assert_ne!(
        rec["created_at"],
        json!("1999-01-01T00:00:00Z"),
        "auto fields ignore client values"
    );
    let keys: Vec<&String> = rec.as_object().unwrap().keys().collect();
    assert_eq!(keys[0], "id");
    assert_eq!(keys[1], "number", "fields in definition order");
    match t.db {
        Db::Postgres => {
            assert_eq!(rec["total"], json!("1500.00"));
            assert_eq!(rec["due"], json!("2025-01-15T00:00:00Z"));
            assert_eq!(rec["sent_at"], json!("2025-01-15T10:30:00Z"));
            let c = rec["created_at"].as_str().unwrap();
            assert!(c.ends_with('Z') && c.contains('T'), "RFC 3339 UTC: {c}");
        }
        Db::Sqlite => {
            assert_eq!(rec["total"], json!(1500));
            assert_eq!(rec["due"], json!("2025-01-15"));
        }
    }
    let path = format!("/invoice/{id}");
    assert_eq!(t.fetch(&path).await, rec);
    let upd = t
        .update(&path, json!({"status": "paid", "qty": null}))
        .await;
    assert_eq!(upd["status"], json!("paid"));
    assert_eq!(upd["qty"], json!(null));
    let why = "partial update keeps other fields";
    assert_eq!(upd["number"], json!("INV-1"), "{why}");
    let l = t.list("invoice", "").await;
    assert_eq!(l["meta"], json!({"page": 1, "per_page": 25, "total": 1}));
    assert_eq!(t.delete(&path).await.data(200), &json!({"id": id}));
    t.get(&path).await.error(404, "NOT_FOUND");
    t.delete(&path).await.error(404, "NOT_FOUND");
    let nf = t.put(&path, json!({"status": "paid"})).await;
    nf.error_is(404, "NOT_FOUND", &format!("invoice with id {id} not found"));
    t.get("/nope").await.error(404, "UNKNOWN_ENTITY");
}

async fn validation_details(t: T) {
    t.entity(
        "task",
        json!([
            {"name": "title", "type": "string", "required": true},
            {"name": "note", "type": "string", "required": true, "nullable": true},
            {"name": "prio", "type": "string", "enum": ["low", "high"]},
            {"name": "level", "type": "int", "enum": ["1", "2"]},
        ]),
    )
    .await;
    let r = t.post("/task", json!({"prio": "mid", "level": 3})).await;
    let e = r.error(422, "VALIDATION_FAILED");
    assert_eq!(e["message"], json!("Validation failed"));
    assert_eq!(
        e["details"],
        json!([
            {"field": "title", "rule": "required", "message": "title is required"},
            {"field": "prio", "rule": "enum", "message": "prio must be one of: low, high"},
            {"field": "level", "rule": "enum", "message": "level must be one of: 1, 2"},
        ])
    );
    // Unknown keys are reported alone, in body order.
    let r = t.post("/task", json!({"zeta": 1, "alpha": 2})).await;
    assert_eq!(
        r.error(422, "VALIDATION_FAILED")["details"],
        json!([
            {"field": "zeta", "rule": "unknown", "message": "Unknown field or relation: zeta"},
            {"field": "alpha", "rule": "unknown", "message": "Unknown field or relation: alpha"},
        ])
    );
    t.post("/task", json!({"title": ""}))
        .await
        .error(422, "VALIDATION_FAILED");
    let ok = t.create("task", json!({"title": " ", "level": 2})).await;
    // Update has no required check, but a required column cannot become null.
    let id = ok["id"].as_str().unwrap();
    t.put(&format!("/task/{id}"), json!({"prio": "low"}))
        .await
        .expect(200);
    t.put(&format!("/task/{id}"), json!({"title": null}))
        .await
        .error(422, "VALIDATION_FAILED");
    t.put(&format!("/task/{id}"), json!({"prio": "mid"}))
        .await
        .error(422, "VALIDATION_FAILED");
}

async fn unique_violation_is_409(t: T) {
    t.entity(
        "member",
        json!([{"name": "email", "type": "string", "unique": true}]),
    )
    .await;
    t.create("member", json!({"email": "a@b.c"})).await;
    let r = t.post("/member", json!({"email": "a@b.c"})).await;
    assert_eq!(
        r.error(409, "CONFLICT")["message"],
        json!("A record with this value already exists")
    );
    let other = t.create("member", json!({"email": "x@y.z"})).await;
    let r = t
        .put(
            &format!("/member/{}", other["id"].as_str().unwrap()),
            json!({"email": "a@b.c"}),
        )
        .await;
    r.error(409, "CONFLICT");
    assert_eq!(t.list("member", "").await["meta"]["total"], json!(2));
}

async fn soft_delete_hides_rows(t: T) {
    t.entity_with(
        "doc",
        json!([{"name": "title", "type": "string"}]),
        json!({"soft_delete": true}),
    )
    .await;
    let a = t.create("doc", json!({"title": "a"})).await;
    t.create("doc", json!({"title": "b"})).await;
    assert!(a.get("deleted_at").is_some_and(|v| v.is_null()));
    let path = format!("/doc/{}", id(&a));
    t.delete(&path).await.expect(200);
    t.not_found(&path, json!({"title": "x"})).await;
    let l = t.list("doc", "").await;
    assert_eq!(l["meta"]["total"], json!(1));
    assert_eq!(l["data"][0]["title"], json!("b"));
}

async fn slugs_generate_and_resolve(t: T) {
    t.entity_with(
        "article",
        json!([{"name": "title", "type": "string", "required": true},
               {"name": "slug", "type": "string", "unique": true, "required": true}]),
        json!({"slug": {"field": "slug", "source": "title", "regenerate_on_update": true}}),
    )
    .await;
    let a = t
        .create("article", json!({"title": "Héllo, Wörld! 2024"}))
        .await;
    assert_eq!(a["slug"], json!("hello-world-2024"));
    let b = t
        .create("article", json!({"title": "Hello World 2024"}))
        .await;
    assert_eq!(b["slug"], json!("hello-world-2024-2"));
    let c = t
        .create("article", json!({"title": "x", "slug": "Custom Slug"}))
        .await;
    assert_eq!(c["slug"], json!("Custom Slug"), "explicit slug wins");
    let got = t.get("/article/hello-world-2024-2").await.data(200).clone();
    assert_eq!(got["id"], b["id"]);
    // Update through the slug uses the resolved key and regenerates the slug.
    let u = t
        .put("/article/hello-world-2024-2", json!({"title": "Brand New"}))
        .await
        .data(200)
        .clone();
    assert_eq!(u["id"], b["id"]);
    assert_eq!(u["slug"], json!("brand-new"));
    t.delete("/article/brand-new").await.expect(200);
    t.get(&format!("/article/{}", b["id"].as_str().unwrap()))
        .await
        .error(404, "NOT_FOUND");
}

async fn integer_and_string_keys(t: T) {
    let body = json!({"name": "counter", "table": "counter",
        "primary_key": {"field": "id", "type": "int", "generated": true},
        "fields": [{"name": "id", "type": "int"}, {"name": "label", "type": "string"}]});
    t.post("/_admin/entities", body).await.expect(201);
    let a = t.create("counter", json!({"label": "a"})).await;
    let b = t.create("counter", json!({"label": "b"})).await;
    assert!(
        a["id"].is_i64() && b["id"].as_i64() > a["id"].as_i64(),
        "{a} {b}"
    );
    let id = a["id"].as_i64().unwrap();
    assert_eq!(
        t.get(&format!("/counter/{id}")).await.data(200)["label"],
        json!("a")
    );
    assert_eq!(
        t.delete(&format!("/counter/{id}")).await.data(200),
        &json!({"id": id.to_string()})
    );
    let body = json!({"name": "code", "table": "code",
        "primary_key": {"field": "code", "type": "string"},
        "fields": [{"name": "code", "type": "string"}, {"name": "label", "type": "string"}]});
    t.post("/_admin/entities", body).await.expect(201);
    t.create("code", json!({"code": "EUR", "label": "Euro"}))
        .await;
    let r = t.post("/code", json!({"label": "no key"})).await;
    assert_eq!(
        r.error(422, "VALIDATION_FAILED")["details"][0]["field"],
        json!("code")
    );
    t.post("/code", json!({"code": "EUR"}))
        .await
        .error(409, "CONFLICT");
    assert_eq!(t.get("/code/EUR").await.data(200)["label"], json!("Euro"));
}

both!(
    crud_round_trip_and_envelopes,
    validation_details,
    unique_violation_is_409,
    soft_delete_hides_rows,
    slugs_generate_and_resolve,
    integer_and_string_keys,
);

async fn sort_is_by_value_not_by_text(t: T) {
    t.entity(
        "reading",
        json!([
            {"name": "n", "type": "int"}, {"name": "amount", "type": "decimal", "precision": 2},
            {"name": "big", "type": "bigint"}, {"name": "label", "type": "string"},
        ]),
    )
    .await;
    for (n, a, b, l) in [
        (9, 9.5, 9, "b"),
        (100, 100.0, 100, "a"),
        (10, 10.25, 10, "c"),
    ] {
        t.create(
            "reading",
            json!({"n": n, "amount": a, "big": b, "label": l}),
        )
        .await;
    }
    assert_eq!(
        T::col(&t.list("reading", "sort=n").await, "n"),
        vec![json!(9), json!(10), json!(100)]
    );
    assert_eq!(
        T::col(&t.list("reading", "sort=-big").await, "big"),
        vec![json!(100), json!(10), json!(9)]
    );
    assert_eq!(
        T::col(&t.list("reading", "sort=-amount").await, "label"),
        vec![json!("a"), json!("c"), json!("b")]
    );
    assert_eq!(
        T::col(&t.list("reading", "sort=label").await, "n"),
        vec![json!(100), json!(9), json!(10)]
    );
    assert_eq!(
        T::col(
            &t.list("reading", "filter[n.gte]=10&sort=-n&per_page=1&page=2")
                .await,
            "n"
        ),
        vec![json!(10)]
    );
}

both!(sort_is_by_value_not_by_text);
