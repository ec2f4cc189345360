use serde_json::{json, Value};

use crate::both;
use crate::common::T;

const Z: &str = "99999999-9999-4999-8999-999999999999";

/// invoice 1—n item (`items`, write mode `mode`), invoice n—m tag (`tags`).
async fn schema(t: &T, mode: &str, soft_items: bool) {
    t.entity("invoice", json!([{"name": "number", "type": "string"}]))
        .await;
    t.entity_with(
        "item",
        json!([
            {"name": "invoice_id", "type": "uuid"},
            {"name": "label", "type": "string"},
            {"name": "qty", "type": "int"},
            {"name": "code", "type": "string", "unique": true},
        ]),
        json!({"soft_delete": soft_items}),
    )
    .await;
    t.entity("tag", json!([{"name": "name", "type": "string"}]))
        .await;
    let mut rel = json!({"name": "items", "type": "one_to_many", "source": "invoice",
        "target": "item", "source_key": "id", "target_key": "invoice_id"});
    if !mode.is_empty() {
        rel["write_mode"] = json!(mode);
    }
    t.relation(rel).await;
    t.relation(
        json!({"name": "tags", "type": "many_to_many", "source": "invoice",
        "target": "tag", "source_key": "id", "join_table": "invoice_tags",
        "source_join_key": "invoice_id", "target_join_key": "tag_id"}),
    )
    .await;
}

fn id(v: &Value) -> String {
    v["id"].as_str().expect("record id").to_string()
}

fn keys(v: &Value) -> Vec<String> {
    v.as_object().expect("object").keys().cloned().collect()
}

/// Live children of `inv` as (label, qty), sorted by label; checks the FK of each.
async fn children(t: &T, inv: &str) -> Vec<(String, Option<i64>)> {
    let l = t
        .list("item", &format!("filter[invoice_id]={inv}&sort=label"))
        .await;
    l["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["invoice_id"], json!(inv));
            (r["label"].as_str().unwrap().to_string(), r["qty"].as_i64())
        })
        .collect()
}

fn kids(v: &[(&str, i64)]) -> Vec<(String, Option<i64>)> {
    v.iter().map(|(l, q)| (l.to_string(), Some(*q))).collect()
}

/// Sorted tag names linked to `inv`.
async fn links(t: &T, inv: &str) -> Vec<String> {
    let one = t
        .get(&format!("/invoice/{inv}?include=tags"))
        .await
        .data(200)
        .clone();
    let mut v: Vec<String> = one["tags"]
        .as_array()
        .unwrap_or_else(|| panic!("tags array: {one}"))
        .iter()
        .map(|r| r["name"].as_str().unwrap().to_string())
        .collect();
    v.sort();
    v
}

/// An invoice with children A (qty 1), B (qty 2), C (qty 3); returns (invoice, A, B, C).
async fn abc(t: &T, number: &str) -> (String, String, String, String) {
    let inv = t
        .create(
            "invoice",
            json!({"number": number, "items": {"data": [
                {"label": "A", "qty": 1, "code": format!("{number}-a")},
                {"label": "B", "qty": 2, "code": format!("{number}-b")},
                {"label": "C", "qty": 3, "code": format!("{number}-c")},
            ]}}),
        )
        .await;
    let inv = id(&inv);
    let l = t
        .list("item", &format!("filter[invoice_id]={inv}&sort=label"))
        .await;
    let ids: Vec<String> = l["data"].as_array().unwrap().iter().map(id).collect();
    assert_eq!(ids.len(), 3, "{l}");
    (inv, ids[0].clone(), ids[1].clone(), ids[2].clone())
}

/// The body of the worked example of spec 05 §3.5 (B's row also carries qty 7).
fn example(mode: Option<&str>, a: &str, b: &str) -> Value {
    let mut items = json!({"data": [
        {"id": a, "qty": 5},
        {"label": "New", "qty": 1},
        {"id": b, "_delete": true, "qty": 7},
        {"id": Z, "qty": 99},
    ]});
    if let Some(m) = mode {
        items["_write_mode"] = json!(m);
    }
    json!({ "items": items })
}

async fn create_with_children_propagates_fk(t: T) {
    schema(&t, "", false).await;
    let other = t.create("invoice", json!({"number": "other"})).await;
    let other = id(&other);
    let rec = t
        .create(
            "invoice",
            json!({"number": "I1", "items": {"data": [
                {"label": "a", "qty": 1, "invoice_id": other},
                {"label": "b"},
                {"label": "skipped", "_delete": true},
            ]}}),
        )
        .await;
    assert_eq!(
        keys(&rec),
        ["id", "number"],
        "response never contains children"
    );
    let inv = id(&rec);
    let mut got = children(&t, &inv).await;
    got.sort();
    assert_eq!(
        got,
        vec![("a".to_string(), Some(1)), ("b".to_string(), None)],
        "FK propagated over the client value; _delete row without PK ignored"
    );
    assert_eq!(children(&t, &other).await, kids(&[]));
    assert_eq!(t.list("item", "").await["meta"]["total"], json!(2));
    // Rust contract (spec 05 §1): a child row is checked like a top-level body, so
    // unknown keys at any depth are a 422 naming their position; nothing is written.
    let r = t
        .post(
            "/invoice",
            json!({"number": "bad", "items": {"data": [
                {"label": "ok"},
                {"label": "b", "bogus": 1, "items": {"data": [{"label": "grandchild"}]}},
            ]}}),
        )
        .await;
    let fields: Vec<Value> = r.error(422, "VALIDATION_FAILED")["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].clone())
        .collect();
    assert_eq!(
        fields,
        vec![json!("items[1].bogus"), json!("items[1].items")]
    );
    assert_eq!(t.list("item", "").await["meta"]["total"], json!(2));
    assert_eq!(
        t.list("invoice", "filter[number]=bad").await["meta"]["total"],
        json!(0)
    );
    // A one_to_many relation reached through the target entity name works the same.
    let rec = t
        .create(
            "invoice",
            json!({"number": "I2", "item": {"data": [{"label": "x", "qty": 9}]}}),
        )
        .await;
    assert_eq!(keys(&rec), ["id", "number"]);
    assert_eq!(children(&t, &id(&rec)).await, kids(&[("x", 9)]));
}

async fn one_to_one_nested_create(t: T) {
    t.entity("person", json!([{"name": "name", "type": "string"}]))
        .await;
    t.entity(
        "passport",
        json!([{"name": "person_id", "type": "uuid"}, {"name": "no", "type": "string"}]),
    )
    .await;
    t.relation(
        json!({"name": "passport", "type": "one_to_one", "source": "person",
        "target": "passport", "source_key": "id", "target_key": "person_id"}),
    )
    .await;
    let p = t
        .create(
            "person",
            json!({"name": "p", "passport": {"data": [{"no": "X1"}]}}),
        )
        .await;
    assert!(p.get("passport").is_none());
    let one = t
        .get(&format!("/person/{}?include=passport", id(&p)))
        .await
        .data(200)
        .clone();
    assert_eq!(one["passport"]["no"], json!("X1"));
    assert_eq!(one["passport"]["person_id"], p["id"]);
}

async fn diff_worked_example(t: T) {
    schema(&t, "", false).await;
    let (inv, a, b, c) = abc(&t, "I").await;
    let r = t
        .put(&format!("/invoice/{inv}"), example(None, &a, &b))
        .await
        .data(200)
        .clone();
    assert_eq!(keys(&r), ["id", "number"]);
    assert_eq!(
        children(&t, &inv).await,
        kids(&[("A", 5), ("C", 3), ("New", 1)])
    );
    t.get(&format!("/item/{b}")).await.error(404, "NOT_FOUND");
    t.get(&format!("/item/{Z}")).await.error(404, "NOT_FOUND");
    assert_eq!(
        t.get(&format!("/item/{c}")).await.data(200)["qty"],
        json!(3)
    );
    assert_eq!(t.list("item", "").await["meta"]["total"], json!(3));
    // The target hard-deletes: B's unique code is free again.
    t.create("item", json!({"code": "I-b"})).await;
}

async fn diff_removes_by_soft_delete(t: T) {
    schema(&t, "", true).await;
    let (inv, a, b, _c) = abc(&t, "I").await;
    t.put(&format!("/invoice/{inv}"), example(None, &a, &b))
        .await
        .expect(200);
    assert_eq!(
        children(&t, &inv).await,
        kids(&[("A", 5), ("C", 3), ("New", 1)])
    );
    t.get(&format!("/item/{b}")).await.error(404, "NOT_FOUND");
    // The row still exists (soft-deleted), so its unique code is still taken.
    t.post("/item", json!({"code": "I-b"}))
        .await
        .error(409, "CONFLICT");
}

async fn replace_worked_example(t: T) {
    schema(&t, "", false).await;
    let (inv, a, b, c) = abc(&t, "I").await;
    let r = t
        .put(&format!("/invoice/{inv}"), example(Some("replace"), &a, &b))
        .await
        .data(200)
        .clone();
    assert_eq!(keys(&r), ["id", "number"]);
    assert_eq!(
        children(&t, &inv).await,
        kids(&[("A", 5), ("B", 7), ("New", 1)]),
        "B updated and kept, C removed"
    );
    t.get(&format!("/item/{c}")).await.error(404, "NOT_FOUND");
    t.get(&format!("/item/{Z}")).await.error(404, "NOT_FOUND");
    // replace with an empty list removes every child.
    t.put(
        &format!("/invoice/{inv}"),
        json!({"items": {"_write_mode": "replace", "data": []}}),
    )
    .await
    .expect(200);
    assert_eq!(children(&t, &inv).await, kids(&[]));
}

async fn append_worked_example(t: T) {
    schema(&t, "", false).await;
    let (inv, a, b, _c) = abc(&t, "I").await;
    t.put(&format!("/invoice/{inv}"), example(Some("append"), &a, &b))
        .await
        .expect(200);
    assert_eq!(
        children(&t, &inv).await,
        kids(&[("A", 1), ("B", 2), ("C", 3), ("New", 1)]),
        "append only inserts"
    );
    t.get(&format!("/item/{Z}")).await.error(404, "NOT_FOUND");
}

async fn write_mode_override(t: T) {
    schema(&t, "replace", false).await;
    // The relation's write_mode applies when the payload has none.
    let (i1, ..) = abc(&t, "I1").await;
    t.put(
        &format!("/invoice/{i1}"),
        json!({"items": {"data": [{"label": "New", "qty": 1}]}}),
    )
    .await
    .expect(200);
    assert_eq!(children(&t, &i1).await, kids(&[("New", 1)]));
    // _write_mode overrides it.
    let (i2, ..) = abc(&t, "I2").await;
    t.put(
        &format!("/invoice/{i2}"),
        json!({"items": {"_write_mode": "diff", "data": [{"label": "New", "qty": 1}]}}),
    )
    .await
    .expect(200);
    assert_eq!(
        children(&t, &i2).await,
        kids(&[("A", 1), ("B", 2), ("C", 3), ("New", 1)])
    );
    // Any other string behaves as diff; a non-string value is ignored.
    let (i3, _, b3, _) = abc(&t, "I3").await;
    t.put(
        &format!("/invoice/{i3}"),
        json!({"items": {"_write_mode": "bogus", "data": [{"id": b3, "_delete": true}]}}),
    )
    .await
    .expect(200);
    assert_eq!(children(&t, &i3).await, kids(&[("A", 1), ("C", 3)]));
    let (i4, ..) = abc(&t, "I4").await;
    t.put(
        &format!("/invoice/{i4}"),
        json!({"items": {"_write_mode": 5, "data": [{"label": "New", "qty": 1}], "extra": 1}}),
    )
    .await
    .expect(200);
    assert_eq!(children(&t, &i4).await, kids(&[("New", 1)]));
}

async fn many_to_many_modes(t: T) {
    schema(&t, "", false).await;
    let mut tags = Vec::new();
    for n in ["t1", "t2", "t3"] {
        tags.push(id(&t.create("tag", json!({"name": n})).await));
    }
    let (t1, t2, t3) = (&tags[0], &tags[1], &tags[2]);
    let cases: Vec<(Value, &[&str])> = vec![
        (
            json!({"data": [{"id": t1}, {"id": t3}]}),
            &["t1", "t2", "t3"],
        ),
        (
            json!({"_write_mode": "replace", "data": [{"id": t1}, {"id": t3}]}),
            &["t1", "t3"],
        ),
        (
            json!({"_write_mode": "append", "data": [{"id": t1}, {"id": t3}]}),
            &["t1", "t2", "t3"],
        ),
        (
            json!({"data": [{"id": t1}, {"id": t3}, {"id": t2, "_delete": true}]}),
            &["t1", "t3"],
        ),
        (
            json!({"_write_mode": "replace", "data": [{"id": t2, "_delete": true}]}),
            &["t2"],
        ),
        (
            json!({"_write_mode": "append", "data": [{"id": t1, "_delete": true}]}),
            &["t1", "t2"],
        ),
        (json!({"data": [{"name": "no id"}]}), &["t1", "t2"]),
        (json!({"_write_mode": "replace", "data": []}), &[]),
    ];
    for (n, (tags_write, want)) in cases.into_iter().enumerate() {
        let p = t
            .create(
                "invoice",
                json!({"number": format!("P{n}"), "tags": {"data": [{"id": t1}, {"id": t2}]}}),
            )
            .await;
        let p = id(&p);
        assert_eq!(links(&t, &p).await, ["t1", "t2"]);
        let r = t
            .put(&format!("/invoice/{p}"), json!({"tags": tags_write}))
            .await
            .data(200)
            .clone();
        assert_eq!(keys(&r), ["id", "number"]);
        assert_eq!(links(&t, &p).await, want.to_vec(), "case {n}: {tags_write}");
    }
    // Targets are never created, modified or deleted by link writes.
    assert_eq!(t.list("tag", "").await["meta"]["total"], json!(3));
}

async fn many_to_many_duplicate_ids_are_deduplicated(t: T) {
    schema(&t, "", false).await;
    let mut tags = Vec::new();
    for n in ["t1", "t2", "t3"] {
        tags.push(id(&t.create("tag", json!({"name": n})).await));
    }
    let (t1, t2, t3) = (&tags[0], &tags[1], &tags[2]);
    let p = t
        .create(
            "invoice",
            json!({"number": "P", "tags": {"data": [{"id": t1}, {"id": t1}]}}),
        )
        .await;
    let p = id(&p);
    assert_eq!(links(&t, &p).await, ["t1"]);
    let path = format!("/invoice/{p}");
    t.put(&path, json!({"tags": {"data": [{"id": t2}, {"id": t2}]}}))
        .await
        .expect(200);
    assert_eq!(links(&t, &p).await, ["t1", "t2"]);
    t.put(
        &path,
        json!({"tags": {"_write_mode": "replace", "data": [{"id": t3}, {"id": t3}, {"id": t1}]}}),
    )
    .await
    .expect(200);
    assert_eq!(links(&t, &p).await, ["t1", "t3"]);
    t.put(
        &path,
        json!({"tags": {"_write_mode": "append", "data": [{"id": t2}, {"id": t2}, {"id": t1}]}}),
    )
    .await
    .expect(200);
    assert_eq!(links(&t, &p).await, ["t1", "t2", "t3"]);
}

async fn malformed_relation_writes_are_unknown_keys(t: T) {
    schema(&t, "", false).await;
    let unknown = |f: &str| json!([{"field": f, "rule": "unknown", "message": format!("Unknown field or relation: {f}")}]);
    let bad = [
        json!({"number": "x", "items": [{"label": "a"}]}),
        json!({"number": "x", "items": {"rows": [{"label": "a"}]}}),
        json!({"number": "x", "items": {"data": {"label": "a"}}}),
        json!({"number": "x", "items": {"data": [{"label": "a"}, 1]}}),
        json!({"number": "x", "items": {"data": ["x"]}}),
        json!({"number": "x", "items": "x"}),
        json!({"number": "x", "items": null}),
        json!({"number": "x", "items": {"_write_mode": "diff"}}),
    ];
    for b in bad {
        let r = t.post("/invoice", b.clone()).await;
        let e = r.error(422, "VALIDATION_FAILED");
        assert_eq!(e["message"], json!("Validation failed"));
        assert_eq!(e["details"], unknown("items"), "{b}");
    }
    let r = t
        .post("/invoice", json!({"colour": 1, "tags": {"data": "t1"}}))
        .await;
    assert_eq!(
        r.error(422, "VALIDATION_FAILED")["details"],
        json!([
            {"field": "colour", "rule": "unknown", "message": "Unknown field or relation: colour"},
            {"field": "tags", "rule": "unknown", "message": "Unknown field or relation: tags"},
        ])
    );
    // Reverse relations cannot be written, by entity name or by relation name.
    for key in ["invoice", "items"] {
        let mut body = json!({"label": "c"});
        body[key] = json!({"data": [{"number": "N"}]});
        let r = t.post("/item", body).await;
        assert_eq!(r.error(422, "VALIDATION_FAILED")["details"], unknown(key));
    }
    assert_eq!(t.list("invoice", "").await["meta"]["total"], json!(0));
    assert_eq!(t.list("item", "").await["meta"]["total"], json!(0));
    // Same on update; nothing changes.
    let inv = id(&t.create("invoice", json!({"number": "keep"})).await);
    let r = t
        .put(
            &format!("/invoice/{inv}"),
            json!({"number": "changed", "items": {"data": 5}}),
        )
        .await;
    assert_eq!(
        r.error(422, "VALIDATION_FAILED")["details"],
        unknown("items")
    );
    assert_eq!(
        t.get(&format!("/invoice/{inv}")).await.data(200)["number"],
        json!("keep")
    );
}

async fn other_parents_children_are_untouched(t: T) {
    schema(&t, "", false).await;
    let (p1, a1, _, _) = abc(&t, "P1").await;
    let (p2, a2, b2, _) = abc(&t, "P2").await;
    let path = format!("/invoice/{p1}");
    // diff: _delete and update naming P2's children are ignored.
    t.put(
        &path,
        json!({"items": {"data": [{"id": a2, "_delete": true}, {"id": b2, "label": "hacked"}]}}),
    )
    .await
    .expect(200);
    // replace: foreign rows are neither updated nor removed.
    t.put(
        &path,
        json!({"items": {"_write_mode": "replace", "data": [{"id": a1}, {"id": b2, "qty": 99}]}}),
    )
    .await
    .expect(200);
    assert_eq!(
        children(&t, &p2).await,
        kids(&[("A", 1), ("B", 2), ("C", 3)]),
        "the other parent's children stay untouched"
    );
    assert_eq!(children(&t, &p1).await, kids(&[("A", 1)]));
    let a2row = t.get(&format!("/item/{a2}")).await.data(200).clone();
    assert_eq!(a2row["invoice_id"], json!(p2));
}

async fn child_failure_rolls_back_parent(t: T) {
    schema(&t, "", false).await;
    t.create("item", json!({"label": "standalone", "code": "dup"}))
        .await;
    let r = t
        .post(
            "/invoice",
            json!({"number": "RB", "items": {"data": [{"label": "ok", "code": "new1"}, {"label": "bad", "code": "dup"}]}}),
        )
        .await;
    assert_eq!(
        r.error(409, "CONFLICT")["message"],
        json!("A record with this value already exists")
    );
    assert_eq!(
        t.list("invoice", "filter[number]=RB").await["meta"]["total"],
        json!(0),
        "parent rolled back"
    );
    assert_eq!(
        t.list("item", "filter[code]=new1").await["meta"]["total"],
        json!(0),
        "earlier child rolled back"
    );
    // Duplicates inside one payload too.
    t.post(
        "/invoice",
        json!({"number": "RB2", "items": {"data": [{"code": "same"}, {"code": "same"}]}}),
    )
    .await
    .error(409, "CONFLICT");
    assert_eq!(t.list("invoice", "").await["meta"]["total"], json!(0));
    // On update the parent's own changes are rolled back as well.
    let (inv, a, _, _) = abc(&t, "orig").await;
    t.put(
        &format!("/invoice/{inv}"),
        json!({"number": "changed", "items": {"data": [{"id": a, "qty": 50}, {"code": "dup"}]}}),
    )
    .await
    .error(409, "CONFLICT");
    assert_eq!(
        t.get(&format!("/invoice/{inv}")).await.data(200)["number"],
        json!("orig")
    );
    assert_eq!(
        children(&t, &inv).await,
        kids(&[("A", 1), ("B", 2), ("C", 3)])
    );
    assert_eq!(t.list("item", "").await["meta"]["total"], json!(4));
}

async fn slug_url_writes_children_under_the_real_key(t: T) {
    t.entity_with(
        "post",
        json!([{"name": "title", "type": "string"}, {"name": "slug", "type": "string", "unique": true}]),
        json!({"slug": {"field": "slug", "source": "title"}}),
    )
    .await;
    t.entity(
        "comment",
        json!([{"name": "post_id", "type": "uuid"}, {"name": "body", "type": "string"}]),
    )
    .await;
    t.relation(
        json!({"name": "comments", "type": "one_to_many", "source": "post",
        "target": "comment", "source_key": "id", "target_key": "post_id"}),
    )
    .await;
    let p = t.create("post", json!({"title": "Hello World"})).await;
    assert_eq!(p["slug"], json!("hello-world"));
    t.put(
        "/post/hello-world",
        json!({"comments": {"data": [{"body": "first"}]}}),
    )
    .await
    .expect(200);
    let l = t.list("comment", "").await;
    assert_eq!(l["meta"]["total"], json!(1));
    assert_eq!(l["data"][0]["post_id"], p["id"]);
    assert_eq!(l["data"][0]["body"], json!("first"));
}

async fn diff_update_can_move_a_child(t: T) {
    schema(&t, "", false).await;
    let (p1, a1, _, _) = abc(&t, "P1").await;
    let p2 = id(&t.create("invoice", json!({"number": "P2"})).await);
    // The FK is not forced on child updates: sending target_key moves the child.
    t.put(
        &format!("/invoice/{p1}"),
        json!({"items": {"data": [{"id": a1, "invoice_id": p2, "qty": 10}]}}),
    )
    .await
    .expect(200);
    assert_eq!(children(&t, &p1).await, kids(&[("B", 2), ("C", 3)]));
    assert_eq!(children(&t, &p2).await, kids(&[("A", 10)]));
}

async fn many_to_many_target_id_uses_target_pk_name(t: T) {
    t.entity("invoice", json!([{"name": "number", "type": "string"}]))
        .await;
    let body = json!({"name": "label", "table": "label",
        "primary_key": {"field": "code", "type": "string"},
        "fields": [{"name": "code", "type": "string"}, {"name": "title", "type": "string"}]});
    t.post("/_admin/entities", body).await.expect(201);
    for c in ["red", "blue", "green", "zzz"] {
        t.create("label", json!({"code": c, "title": c})).await;
    }
    t.relation(
        json!({"name": "labels", "type": "many_to_many", "source": "invoice",
        "target": "label", "source_key": "id", "join_table": "invoice_labels",
        "source_join_key": "invoice_id", "target_join_key": "label_code"}),
    )
    .await;
    let inv = t
        .create(
            "invoice",
            json!({"number": "I", "labels": {"data": [
                {"code": "red"}, {"id": "blue"}, {"code": "green", "id": "zzz"}, {"title": "no id"},
            ]}}),
        )
        .await;
    let path = format!("/invoice/{}", id(&inv));
    let linked = |t: T, path: String| async move {
        let one = t
            .get(&format!("{path}?include=labels"))
            .await
            .data(200)
            .clone();
        let mut v: Vec<String> = one["labels"]
            .as_array()
            .unwrap_or_else(|| panic!("labels: {one}"))
            .iter()
            .map(|r| r["code"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        linked(t.clone(), path.clone()).await,
        ["blue", "green", "red"]
    );
    t.put(
        &path,
        json!({"labels": {"data": [{"code": "red", "_delete": true}, {"id": "blue", "_delete": true}]}}),
    )
    .await
    .expect(200);
    assert_eq!(linked(t.clone(), path.clone()).await, ["green"]);
}

both!(
    create_with_children_propagates_fk,
    one_to_one_nested_create,
    diff_worked_example,
    diff_removes_by_soft_delete,
    replace_worked_example,
    append_worked_example,
    write_mode_override,
    many_to_many_modes,
    many_to_many_duplicate_ids_are_deduplicated,
    malformed_relation_writes_are_unknown_keys,
    other_parents_children_are_untouched,
    child_failure_rolls_back_parent,
    slug_url_writes_children_under_the_real_key,
    diff_update_can_move_a_child,
    many_to_many_target_id_uses_target_pk_name,
);
