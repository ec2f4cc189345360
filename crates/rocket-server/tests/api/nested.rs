use serde_json::{json, Value};

use crate::both;
use crate::common::{id, keys, many_to_many, one_to_many, one_to_one, people, pluck, sorted, T};

const Z: &str = "99999999-9999-4999-8999-999999999999";

/// invoice 1—n item (`items`, write mode `mode`), invoice n—m tag (`tags`).
async fn schema(t: &T, mode: &str, soft_items: bool) {
    t.entity("invoice", json!([{"name": "number", "type": "string"}]))
        .await;
    let item = json!([
        {"name": "invoice_id", "type": "uuid"}, {"name": "label", "type": "string"},
        {"name": "qty", "type": "int"}, {"name": "code", "type": "string", "unique": true},
    ]);
    t.entity_with("item", item, json!({"soft_delete": soft_items}))
        .await;
    t.entity("tag", json!([{"name": "name", "type": "string"}]))
        .await;
    let mut items = one_to_many("items", "invoice", "item", "invoice_id");
    if !mode.is_empty() {
        items["write_mode"] = json!(mode);
    }
    t.relation(items).await;
    t.relation(many_to_many("tags", "invoice", "tag", "invoice_tags"))
        .await;
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
    let one = t.fetch(&format!("/invoice/{inv}?include=tags")).await;
    sorted(&one["tags"], "name")
}

/// PUTs `body` to invoice `inv`; asserts 200 and returns `data`.
async fn put_invoice(t: &T, inv: &str, body: Value) -> Value {
    t.update(&format!("/invoice/{inv}"), body).await
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
    assert_eq!(t.total("item", "").await, json!(2));
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
    let details = &r.error(422, "VALIDATION_FAILED")["details"];
    assert_eq!(
        pluck(details, "field"),
        [json!("items[1].bogus"), json!("items[1].items")]
    );
    assert_eq!(t.total("item", "").await, json!(2));
    assert_eq!(t.total("invoice", "filter[number]=bad").await, json!(0));
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
    people(&t, &["passport"]).await;
    t.relation(one_to_one("passport", "person", "passport", "person_id"))
        .await;
    let p = json!({"name": "p", "passport": {"data": [{"no": "X1"}]}});
    let p = t.create("person", p).await;
    assert!(p.get("passport").is_none());
    let one = t
        .fetch(&format!("/person/{}?include=passport", id(&p)))
        .await;
    assert_eq!(one["passport"]["no"], json!("X1"));
    assert_eq!(one["passport"]["person_id"], p["id"]);
}

async fn diff_worked_example(t: T) {
    schema(&t, "", false).await;
    let (inv, a, b, c) = abc(&t, "I").await;
    let r = put_invoice(&t, &inv, example(None, &a, &b)).await;
    assert_eq!(keys(&r), ["id", "number"]);
    let want = kids(&[("A", 5), ("C", 3), ("New", 1)]);
    assert_eq!(children(&t, &inv).await, want);
    t.get(&format!("/item/{b}")).await.error(404, "NOT_FOUND");
    t.get(&format!("/item/{Z}")).await.error(404, "NOT_FOUND");
    assert_eq!(t.fetch(&format!("/item/{c}")).await["qty"], json!(3));
    assert_eq!(t.total("item", "").await, json!(3));
    // The target hard-deletes: B's unique code is free again.
    t.create("item", json!({"code": "I-b"})).await;
}

async fn diff_removes_by_soft_delete(t: T) {
    schema(&t, "", true).await;
    let (inv, a, b, _c) = abc(&t, "I").await;
    put_invoice(&t, &inv, example(None, &a, &b)).await;
    let want = kids(&[("A", 5), ("C", 3), ("New", 1)]);
    assert_eq!(children(&t, &inv).await, want);
    t.get(&format!("/item/{b}")).await.error(404, "NOT_FOUND");
    // The row still exists (soft-deleted), so its unique code is still taken.
    t.post("/item", json!({"code": "I-b"}))
        .await
        .error(409, "CONFLICT");
}

async fn replace_worked_example(t: T) {
    schema(&t, "", false).await;
    let (inv, a, b, c) = abc(&t, "I").await;
    let r = put_invoice(&t, &inv, example(Some("replace"), &a, &b)).await;
    assert_eq!(keys(&r), ["id", "number"]);
    let want = kids(&[("A", 5), ("B", 7), ("New", 1)]);
    assert_eq!(
        children(&t, &inv).await,
        want,
        "B updated and kept, C removed"
    );
    t.get(&format!("/item/{c}")).await.error(404, "NOT_FOUND");
    t.get(&format!("/item/{Z}")).await.error(404, "NOT_FOUND");
    // replace with an empty list removes every child.
    let empty = json!({"items": {"_write_mode": "replace", "data": []}});
    put_invoice(&t, &inv, empty).await;
    assert_eq!(children(&t, &inv).await, kids(&[]));
}

async fn append_worked_example(t: T) {
    schema(&t, "", false).await;
    let (inv, a, b, _c) = abc(&t, "I").await;
    put_invoice(&t, &inv, example(Some("append"), &a, &b)).await;
    let want = kids(&[("A", 1), ("B", 2), ("C", 3), ("New", 1)]);
    assert_eq!(children(&t, &inv).await, want, "append only inserts");
    t.get(&format!("/item/{Z}")).await.error(404, "NOT_FOUND");
}

async fn write_mode_override(t: T) {
    schema(&t, "replace", false).await;
    // The relation's write_mode applies when the payload has none.
    let (i1, ..) = abc(&t, "I1").await;
    put_invoice(
        &t,
        &i1,
        json!({"items": {"data": [{"label": "New", "qty": 1}]}}),
    )
    .await;
    assert_eq!(children(&t, &i1).await, kids(&[("New", 1)]));
    // _write_mode overrides it.
    let (i2, ..) = abc(&t, "I2").await;
    let diff = json!({"items": {"_write_mode": "diff", "data": [{"label": "New", "qty": 1}]}});
    put_invoice(&t, &i2, diff).await;
    let want = kids(&[("A", 1), ("B", 2), ("C", 3), ("New", 1)]);
    assert_eq!(children(&t, &i2).await, want);
    // Any other string behaves as diff; a non-string value is ignored.
    let (i3, _, b3, _) = abc(&t, "I3").await;
    let bogus = json!({"items": {"_write_mode": "bogus", "data": [{"id": b3, "_delete": true}]}});
    put_invoice(&t, &i3, bogus).await;
    assert_eq!(children(&t, &i3).await, kids(&[("A", 1), ("C", 3)]));
    let (i4, ..) = abc(&t, "I4").await;
    let five =
        json!({"items": {"_write_mode": 5, "data": [{"label": "New", "qty": 1}], "extra": 1}});
    put_invoice(&t, &i4, five).await;
    assert_eq!(children(&t, &i4).await, kids(&[("New", 1)]));
}

/// Tags t1, t2, t3; returns their ids.
async fn tags(t: &T) -> (String, String, String) {
    let mut ids = Vec::new();
    for n in ["t1", "t2", "t3"] {
        ids.push(id(&t.create("tag", json!({"name": n})).await));
    }
    (ids[0].clone(), ids[1].clone(), ids[2].clone())
}

async fn many_to_many_modes(t: T) {
    schema(&t, "", false).await;
    let (t1, t2, t3) = tags(&t).await;
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
        let r = put_invoice(&t, &p, json!({"tags": tags_write})).await;
        assert_eq!(keys(&r), ["id", "number"]);
        assert_eq!(links(&t, &p).await, want.to_vec(), "case {n}: {tags_write}");
    }
    // Targets are never created, modified or deleted by link writes.
    assert_eq!(t.total("tag", "").await, json!(3));
}

async fn many_to_many_duplicate_ids_are_deduplicated(t: T) {
    schema(&t, "", false).await;
    let (t1, t2, t3) = tags(&t).await;
    let p = json!({"number": "P", "tags": {"data": [{"id": t1}, {"id": t1}]}});
    let p = id(&t.create("invoice", p).await);
    assert_eq!(links(&t, &p).await, ["t1"]);
    put_invoice(&t, &p, json!({"tags": {"data": [{"id": t2}, {"id": t2}]}})).await;
    assert_eq!(links(&t, &p).await, ["t1", "t2"]);
    let replace =
        json!({"tags": {"_write_mode": "replace", "data": [{"id": t3}, {"id": t3}, {"id": t1}]}});
    put_invoice(&t, &p, replace).await;
    assert_eq!(links(&t, &p).await, ["t1", "t3"]);
    let append =
        json!({"tags": {"_write_mode": "append", "data": [{"id": t2}, {"id": t2}, {"id": t1}]}});
    put_invoice(&t, &p, append).await;
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
    assert_eq!(t.total("invoice", "").await, json!(0));
    assert_eq!(t.total("item", "").await, json!(0));
    // Same on update; nothing changes.
    let inv = id(&t.create("invoice", json!({"number": "keep"})).await);
    let path = format!("/invoice/{inv}");
    let r = t
        .put(&path, json!({"number": "changed", "items": {"data": 5}}))
        .await;
    assert_eq!(
        r.error(422, "VALIDATION_FAILED")["details"],
        unknown("items")
    );
    assert_eq!(t.fetch(&path).await["number"], json!("keep"));
}

async fn other_parents_children_are_untouched(t: T) {
    schema(&t, "", false).await;
    let (p1, a1, _, _) = abc(&t, "P1").await;
    let (p2, a2, b2, _) = abc(&t, "P2").await;
    // diff: _delete and update naming P2's children are ignored.
    let diff =
        json!({"items": {"data": [{"id": a2, "_delete": true}, {"id": b2, "label": "hacked"}]}});
    put_invoice(&t, &p1, diff).await;
    // replace: foreign rows are neither updated nor removed.
    let replace =
        json!({"items": {"_write_mode": "replace", "data": [{"id": a1}, {"id": b2, "qty": 99}]}});
    put_invoice(&t, &p1, replace).await;
    let want = kids(&[("A", 1), ("B", 2), ("C", 3)]);
    let why = "the other parent's children stay untouched";
    assert_eq!(children(&t, &p2).await, want, "{why}");
    assert_eq!(children(&t, &p1).await, kids(&[("A", 1)]));
    let a2row = t.fetch(&format!("/item/{a2}")).await;
    assert_eq!(a2row["invoice_id"], json!(p2));
}

async fn child_failure_rolls_back_parent(t: T) {
    schema(&t, "", false).await;
    t.create("item", json!({"label": "standalone", "code": "dup"}))
        .await;
    let rb = json!({"number": "RB", "items": {"data": [{"label": "ok", "code": "new1"}, {"label": "bad", "code": "dup"}]}});
    let r = t.post("/invoice", rb).await;
    r.error_is(409, "CONFLICT", "A record with this value already exists");
    let parents = t.total("invoice", "filter[number]=RB").await;
    assert_eq!(parents, json!(0), "parent rolled back");
    let earlier = t.total("item", "filter[code]=new1").await;
    assert_eq!(earlier, json!(0), "earlier child rolled back");
    // Duplicates inside one payload too.
    let rb2 = json!({"number": "RB2", "items": {"data": [{"code": "same"}, {"code": "same"}]}});
    t.post("/invoice", rb2).await.error(409, "CONFLICT");
    assert_eq!(t.total("invoice", "").await, json!(0));
    // On update the parent's own changes are rolled back as well.
    let (inv, a, _, _) = abc(&t, "orig").await;
    let path = format!("/invoice/{inv}");
    let both =
        json!({"number": "changed", "items": {"data": [{"id": a, "qty": 50}, {"code": "dup"}]}});
    t.put(&path, both).await.error(409, "CONFLICT");
    assert_eq!(t.fetch(&path).await["number"], json!("orig"));
    let want = kids(&[("A", 1), ("B", 2), ("C", 3)]);
    assert_eq!(children(&t, &inv).await, want);
    assert_eq!(t.total("item", "").await, json!(4));
}

async fn slug_url_writes_children_under_the_real_key(t: T) {
    let slug = json!({"slug": {"field": "slug", "source": "title"}});
    let post = json!([{"name": "title", "type": "string"}, {"name": "slug", "type": "string", "unique": true}]);
    t.entity_with("post", post, slug).await;
    let comment = json!([{"name": "post_id", "type": "uuid"}, {"name": "body", "type": "string"}]);
    t.entity("comment", comment).await;
    t.relation(one_to_many("comments", "post", "comment", "post_id"))
        .await;
    let p = t.create("post", json!({"title": "Hello World"})).await;
    assert_eq!(p["slug"], json!("hello-world"));
    let comments = json!({"comments": {"data": [{"body": "first"}]}});
    t.update("/post/hello-world", comments).await;
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
    let mv = json!({"items": {"data": [{"id": a1, "invoice_id": p2, "qty": 10}]}});
    put_invoice(&t, &p1, mv).await;
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
    let mut labels = many_to_many("labels", "invoice", "label", "invoice_labels");
    labels["target_join_key"] = json!("label_code");
    t.relation(labels).await;
    let inv = t
        .create(
            "invoice",
            json!({"number": "I", "labels": {"data": [
                {"code": "red"}, {"id": "blue"}, {"code": "green", "id": "zzz"}, {"title": "no id"},
            ]}}),
        )
        .await;
    let path = format!("/invoice/{}?include=labels", id(&inv));
    let linked = sorted(&t.fetch(&path).await["labels"], "code");
    assert_eq!(linked, ["blue", "green", "red"]);
    let unlink = json!({"labels": {"data": [{"code": "red", "_delete": true}, {"id": "blue", "_delete": true}]}});
    put_invoice(&t, &id(&inv), unlink).await;
    let linked = sorted(&t.fetch(&path).await["labels"], "code");
    assert_eq!(linked, ["green"]);
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
