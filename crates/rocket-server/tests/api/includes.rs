use serde_json::{json, Value};

use crate::both;
use crate::common::{id, keys, many_to_many, one_to_many, one_to_one, sorted, T};

/// customer (soft delete) 1—n invoice 1—n item (soft delete); customer 1—1 profile;
/// invoice n—m tag (soft delete) through `invoice_tags`.
async fn schema(t: &T) {
    let soft = || json!({"soft_delete": true});
    let name = json!([{"name": "name", "type": "string"}]);
    t.entity_with("customer", name.clone(), soft()).await;
    let invoice =
        json!([{"name": "number", "type": "string"}, {"name": "customer_id", "type": "uuid"}]);
    t.entity("invoice", invoice).await;
    let item = json!([{"name": "invoice_id", "type": "uuid"}, {"name": "label", "type": "string"}]);
    t.entity_with("item", item, soft()).await;
    let profile =
        json!([{"name": "customer_id", "type": "uuid"}, {"name": "bio", "type": "string"}]);
    t.entity("profile", profile).await;
    t.entity_with("tag", name, soft()).await;
    for r in [
        one_to_many("invoices", "customer", "invoice", "customer_id"),
        one_to_many("items", "invoice", "item", "invoice_id"),
        one_to_one("profile", "customer", "profile", "customer_id"),
        many_to_many("invoice_tags", "invoice", "tag", "invoice_tags"),
    ] {
        t.relation(r).await;
    }
}

async fn invoice(t: &T, number: &str, customer: Option<&str>) -> String {
    id(&t
        .create(
            "invoice",
            json!({"number": number, "customer_id": customer}),
        )
        .await)
}

async fn item(t: &T, inv: &str, label: &str) -> String {
    id(&t
        .create("item", json!({"invoice_id": inv, "label": label}))
        .await)
}

async fn one_to_many_arrays_grouped_per_parent(t: T) {
    schema(&t).await;
    let i1 = invoice(&t, "I1", None).await;
    let i2 = invoice(&t, "I2", None).await;
    let _i3 = invoice(&t, "I3", None).await;
    item(&t, &i1, "a").await;
    item(&t, &i2, "c").await;
    item(&t, &i1, "b").await;
    let gone = item(&t, &i1, "deleted").await;
    t.delete(&format!("/item/{gone}")).await.expect(200);
    let l = t.list("invoice", "include=items&sort=number").await;
    let rows = l["data"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(sorted(&rows[0]["items"], "label"), ["a", "b"]);
    assert_eq!(sorted(&rows[1]["items"], "label"), ["c"]);
    assert_eq!(rows[2]["items"], json!([]), "no children → []");
    for child in rows[0]["items"].as_array().unwrap() {
        assert_eq!(child["invoice_id"], json!(i1));
        assert_eq!(
            keys(child),
            ["id", "invoice_id", "label"],
            "included records carry only declared fields (no deleted_at)"
        );
    }
    assert_eq!(keys(&rows[0]), ["id", "number", "customer_id", "items"]);
    assert_eq!(l["meta"], json!({"page": 1, "per_page": 25, "total": 3}));
    // Includes over a later page only concern that page's parents.
    let l = t
        .list("invoice", "include=items&sort=-number&per_page=2&page=2")
        .await;
    assert_eq!(T::col(&l, "number"), vec![json!("I1")]);
    assert_eq!(sorted(&l["data"][0]["items"], "label"), ["a", "b"]);
    let l = t
        .list("invoice", "include=items&sort=-number&per_page=2")
        .await;
    assert_eq!(T::col(&l, "number"), vec![json!("I3"), json!("I2")]);
    assert_eq!(l["data"][0]["items"], json!([]));
    assert_eq!(sorted(&l["data"][1]["items"], "label"), ["c"]);
}

async fn one_to_one_object_or_null(t: T) {
    schema(&t).await;
    let c1 = id(&t.create("customer", json!({"name": "c1"})).await);
    t.create("customer", json!({"name": "c2"})).await;
    let p = t
        .create("profile", json!({"customer_id": c1, "bio": "hello"}))
        .await;
    let l = t.list("customer", "include=profile&sort=name").await;
    assert_eq!(l["data"][0]["profile"], p, "one_to_one → the child object");
    assert_eq!(l["data"][1]["profile"], json!(null), "no child → null");
    assert_eq!(
        keys(&l["data"][0]),
        ["id", "name", "deleted_at", "profile"],
        "fields, then deleted_at, then include keys"
    );
    let one = t.fetch(&format!("/customer/{c1}?include=profile")).await;
    assert_eq!(one["profile"]["bio"], json!("hello"));
}

async fn many_to_many_through_join_rows(t: T) {
    schema(&t).await;
    let t1 = id(&t.create("tag", json!({"name": "t1"})).await);
    let t2 = id(&t.create("tag", json!({"name": "t2"})).await);
    let t3 = id(&t.create("tag", json!({"name": "t3"})).await);
    for i in [
        json!({"number": "I1", "invoice_tags": {"data": [{"id": t1}, {"id": t2}]}}),
        json!({"number": "I2", "invoice_tags": {"data": [{"id": t2}]}}),
        json!({"number": "I3"}),
    ] {
        t.create("invoice", i).await;
    }
    let l = t.list("invoice", "include=invoice_tags&sort=number").await;
    assert_eq!(sorted(&l["data"][0]["invoice_tags"], "name"), ["t1", "t2"]);
    assert_eq!(sorted(&l["data"][1]["invoice_tags"], "name"), ["t2"]);
    assert_eq!(l["data"][2]["invoice_tags"], json!([]));
    assert_eq!(keys(&l["data"][0]["invoice_tags"][0]), ["id", "name"]);
    assert!(!l.to_string().contains(&t3), "unlinked tag never appears");
    // A soft-deleted target vanishes from every parent; its join rows stay invisible.
    t.delete(&format!("/tag/{t2}")).await.expect(200);
    let l = t.list("invoice", "include=invoice_tags&sort=number").await;
    assert_eq!(sorted(&l["data"][0]["invoice_tags"], "name"), ["t1"]);
    assert_eq!(l["data"][1]["invoice_tags"], json!([]));
    assert_eq!(l["data"][2]["invoice_tags"], json!([]));
}

async fn reverse_include_object_null_or_absent(t: T) {
    schema(&t).await;
    let c1 = t.create("customer", json!({"name": "c1"})).await;
    let c2 = id(&t.create("customer", json!({"name": "c2"})).await);
    let i1 = invoice(&t, "I1", Some(&id(&c1))).await;
    invoice(&t, "I2", Some("99999999-9999-4999-8999-999999999999")).await;
    let i3 = invoice(&t, "I3", None).await;
    invoice(&t, "I4", Some(&c2)).await;
    t.delete(&format!("/customer/{c2}")).await.expect(200);
    let l = t.list("invoice", "include=customer&sort=number").await;
    let mut want = c1.clone();
    want.as_object_mut().unwrap().remove("deleted_at");
    assert_eq!(l["data"][0]["customer"], want, "declared fields only");
    assert_eq!(l["data"][1]["customer"], json!(null), "dangling FK → null");
    assert_eq!(l["data"][2]["customer"], json!(null), "null FK → null");
    assert_eq!(
        l["data"][3]["customer"],
        json!(null),
        "soft-deleted source → null"
    );
    // Only null FKs on the page: the key is not added at all.
    let l = t
        .list("invoice", &format!("include=customer&filter[id]={i3}"))
        .await;
    assert_eq!(l["meta"]["total"], json!(1));
    assert!(l["data"][0].get("customer").is_none(), "{l}");
    let one = t.fetch(&format!("/invoice/{i3}?include=customer")).await;
    assert!(one.get("customer").is_none(), "{one}");
    // By relation name from the target side: reverse, key = token as written.
    let one = t.fetch(&format!("/invoice/{i1}?include=invoices")).await;
    assert_eq!(one["invoices"], want);
}

async fn token_resolution_and_key_names(t: T) {
    schema(&t).await;
    let tg = id(&t.create("tag", json!({"name": "red"})).await);
    let inv = json!({"number": "I1", "invoice_tags": {"data": [{"id": tg}]}});
    let inv = id(&t.create("invoice", inv).await);
    item(&t, &inv, "a").await;
    let l = t
        .list("invoice", "include=items,item,tags,tag,%20invoice_tags%20")
        .await;
    let r = &l["data"][0];
    assert_eq!(
        keys(r),
        [
            "id",
            "number",
            "customer_id",
            "items",
            "item",
            "tags",
            "tag",
            "invoice_tags"
        ],
        "one key per token, named as written (trimmed)"
    );
    assert_eq!(sorted(&r["items"], "label"), ["a"], "by relation name");
    assert_eq!(r["item"], r["items"], "by target entity name");
    assert_eq!(
        sorted(&r["tags"], "name"),
        ["red"],
        "by <entity>_<token> relation name"
    );
    assert_eq!(r["tag"], r["tags"], "by target entity name (m2m)");
    assert_eq!(r["invoice_tags"], r["tags"]);
    // From the customer side: the target entity name `invoice` resolves `invoices`.
    let c = id(&t.create("customer", json!({"name": "c"})).await);
    t.update(&format!("/invoice/{inv}"), json!({"customer_id": c}))
        .await;
    let one = t.fetch(&format!("/customer/{c}?include=invoice")).await;
    assert_eq!(sorted(&one["invoice"], "number"), ["I1"]);
    assert!(one.get("invoices").is_none());
}

async fn token_of_unrelated_relation_adds_no_key(t: T) {
    schema(&t).await;
    // Named invoice_<x> but between customer and profile: rule 3 finds it, nothing loads.
    t.relation(one_to_many(
        "invoice_weird",
        "customer",
        "profile",
        "customer_id",
    ))
    .await;
    invoice(&t, "I1", None).await;
    let l = t.list("invoice", "include=weird").await;
    assert_eq!(keys(&l["data"][0]), ["id", "number", "customer_id"]);
}

async fn get_one_ignores_unknown_tokens(t: T) {
    schema(&t).await;
    let c = id(&t.create("customer", json!({"name": "c"})).await);
    let inv = invoice(&t, "I1", Some(&c)).await;
    item(&t, &inv, "a").await;
    let path = format!("/invoice/{inv}");
    let one = t
        .fetch(&format!("{path}?include=nope,items,,number,customer,"))
        .await;
    let want = ["id", "number", "customer_id", "items", "customer"];
    assert_eq!(keys(&one), want);
    assert_eq!(sorted(&one["items"], "label"), ["a"]);
    assert_eq!(one["customer"]["id"], json!(c));
    let one = t.fetch(&format!("{path}?include=nope")).await;
    assert_eq!(keys(&one), ["id", "number", "customer_id"]);
    // Without include nothing is loaded (fetch: eager is not implemented either).
    let one = t.fetch(&path).await;
    assert_eq!(keys(&one), ["id", "number", "customer_id"]);
}

async fn list_rejects_unknown_tokens(t: T) {
    schema(&t).await;
    invoice(&t, "I1", None).await;
    t.query_errors(
        "invoice",
        "UNKNOWN_FIELD",
        &[
            ("include=nope", "Unknown include: nope"),
            ("include=items,nope", "Unknown include: nope"),
            ("include=items,", "Unknown include: "),
            ("include=number", "Unknown include: number"),
            ("include=Items", "Unknown include: Items"),
        ],
    )
    .await;
}

async fn includes_respect_filters_and_many_parents(t: T) {
    schema(&t).await;
    let mut invs = Vec::new();
    for n in 0..6 {
        let inv = invoice(&t, &format!("I{n}"), None).await;
        for k in 0..n {
            item(&t, &inv, &format!("I{n}-{k}")).await;
        }
        invs.push(inv);
    }
    let l = t
        .list(
            "invoice",
            "include=items&filter[number.in]=I1,I3,I5&sort=number",
        )
        .await;
    let rows = l["data"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    for (row, n) in rows.iter().zip([1, 3, 5]) {
        let want: Vec<String> = (0..n).map(|k| format!("I{n}-{k}")).collect();
        assert_eq!(sorted(&row["items"], "label"), want);
        for child in row["items"].as_array().unwrap() {
            assert_eq!(child["invoice_id"], row["id"]);
        }
    }
}

async fn integer_keys_group_by_string_form(t: T) {
    let body = json!({"name": "shelf", "table": "shelf",
        "primary_key": {"field": "id", "type": "int", "generated": true},
        "fields": [{"name": "id", "type": "int"}, {"name": "label", "type": "string"}]});
    t.post("/_admin/entities", body).await.expect(201);
    let box_fields =
        json!([{"name": "shelf_id", "type": "int"}, {"name": "label", "type": "string"}]);
    t.entity("box", box_fields).await;
    t.relation(one_to_many("boxes", "shelf", "box", "shelf_id"))
        .await;
    // Children written through a nested create get the generated integer key.
    let s1 = t
        .create(
            "shelf",
            json!({"label": "s1", "boxes": {"data": [{"label": "b1"}, {"label": "b2"}]}}),
        )
        .await;
    let s2 = t.create("shelf", json!({"label": "s2"})).await;
    t.create("box", json!({"shelf_id": s2["id"], "label": "b3"}))
        .await;
    let l = t.list("shelf", "include=boxes&sort=label").await;
    assert_eq!(sorted(&l["data"][0]["boxes"], "label"), ["b1", "b2"]);
    assert_eq!(sorted(&l["data"][1]["boxes"], "label"), ["b3"]);
    assert_eq!(l["data"][0]["boxes"][0]["shelf_id"], s1["id"]);
    let l = t.list("box", "include=shelf&sort=label").await;
    let got: Vec<Value> = T::col(&l, "shelf")
        .iter()
        .map(|s| s["label"].clone())
        .collect();
    assert_eq!(got, [json!("s1"), json!("s1"), json!("s2")]);
    assert_eq!(l["data"][2]["shelf"], s2);
}

both!(
    one_to_many_arrays_grouped_per_parent,
    one_to_one_object_or_null,
    many_to_many_through_join_rows,
    reverse_include_object_null_or_absent,
    token_resolution_and_key_names,
    token_of_unrelated_relation_adds_no_key,
    get_one_ignores_unknown_tokens,
    list_rejects_unknown_tokens,
    includes_respect_filters_and_many_parents,
    integer_keys_group_by_string_form,
);
