use serde_json::{json, Value};

use crate::both;
use crate::common::{entity_def, keys, many_to_many, on_delete, one_to_many, sorted, T};

const A1: &str = "10000000-0000-4000-8000-000000000001";
const A2: &str = "10000000-0000-4000-8000-000000000002";
const P1: &str = "40000000-0000-4000-8000-000000000001";
const P2: &str = "40000000-0000-4000-8000-000000000002";
const T1: &str = "30000000-0000-4000-8000-000000000001";
const T2: &str = "30000000-0000-4000-8000-000000000002";

/// author 1—n post (`posts`), post n—m tag (`post_tags`, join table `post_tags`).
async fn blog(t: &T) {
    t.entity("author", json!([{"name": "name", "type": "string"}]))
        .await;
    let post = json!([{"name": "author_id", "type": "uuid"}, {"name": "title", "type": "string", "required": true}]);
    t.entity_with("post", post, json!({"soft_delete": true}))
        .await;
    let tag = json!([{"name": "name", "type": "string", "unique": true}]);
    t.entity("tag", tag).await;
    let posts = one_to_many("posts", "author", "post", "author_id");
    t.relation(on_delete(posts, "cascade")).await;
    let post_tags = many_to_many("post_tags", "post", "tag", "post_tags");
    t.relation(on_delete(post_tags, "detach")).await;
}

fn sample() -> Value {
    json!({
        "author": [{"id": A1, "name": "Emily"}, {"id": A2, "name": "Bob"}],
        "post": [{"id": P1, "author_id": A1, "title": "first", "bogus": 1},
                 {"id": P2, "author_id": A2, "title": "second"}],
        "tag": [{"id": T1, "name": "rust"}, {"id": T2, "name": "sql"}],
        "post_tags": [{"post_id": P1, "tag_id": T1, "extra": "dropped"},
                      {"post_id": P1, "tag_id": T2}, {"post_id": P2, "tag_id": T2}],
    })
}

async fn export(t: &T) -> Value {
    t.get("/_admin/export").await.data(200).clone()
}

async fn import(t: &T, body: Value) -> Value {
    t.post("/_admin/import", body).await.data(200).clone()
}

/// Checks the response shape (exactly the nine keys of [`counts`], each an integer)
/// and returns the summary.
#[track_caller]
fn summary(res: &Value) -> Value {
    assert_eq!(res["message"], json!("Import completed"), "{res}");
    let s = res["summary"].clone();
    let mut got = keys(&s);
    got.sort();
    let mut want = keys(&counts(0, 0, 0));
    want.sort();
    assert_eq!(got, want, "summary keys: {res}");
    for k in &want {
        assert!(s[k].is_u64(), "summary.{k} is an integer: {res}");
    }
    s
}

/// The summary of an import that added these counts (and nothing of the other kinds).
fn counts(entities: u64, relations: u64, records: u64) -> Value {
    json!({"entities": entities, "relations": relations, "rules": 0, "state_machines": 0,
        "workflows": 0, "permissions": 0, "webhooks": 0, "ui_configs": 0, "records": records})
}

/// A fresh second app in the same server, with its admin logged in.
async fn second_app(t: &T) -> T {
    t.new_app(&format!("i{}", &t.app[1..])).await
}

async fn export_shape(t: T) {
    blog(&t).await;
    let d = export(&t).await;
    let mut top = keys(&d);
    top.sort();
    let want = "entities exported_at permissions relations rules state_machines ui_configs \
                version webhooks workflows";
    assert_eq!(top.join(" "), want, "exact top-level keys");
    assert_eq!(d["version"], json!(1));
    let at = d["exported_at"].as_str().expect("exported_at string");
    let b = at.as_bytes();
    assert!(
        at.len() == 20
            && b[4] == b'-'
            && b[7] == b'-'
            && b[10] == b'T'
            && b[13] == b':'
            && b[16] == b':'
            && b[19] == b'Z'
            && at[..4].chars().all(|c| c.is_ascii_digit()),
        "RFC 3339 UTC with seconds precision: {at}"
    );
    for k in "rules state_machines workflows permissions webhooks ui_configs".split(' ') {
        assert_eq!(d[k], json!([]), "{k}");
    }
    // Entities by name, each the stored definition object verbatim.
    let ents = d["entities"].as_array().unwrap();
    let en: Vec<&str> = ents.iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(en, ["author", "post", "tag"]);
    for e in ents {
        assert!(e.is_object() && e["fields"].is_array(), "{e}");
        let stored = t
            .get(&format!("/_admin/entities/{}", e["name"].as_str().unwrap()))
            .await
            .data(200)["definition"]
            .clone();
        assert_eq!(e, &stored);
        assert!(e.get("created_at").is_none() && e.get("table_name").is_none());
    }
    let rels = d["relations"].as_array().unwrap();
    let rn: Vec<&str> = rels.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(rn, ["post_tags", "posts"]);
    let listed = t.get("/_admin/relations").await.data(200).clone();
    for (r, row) in rels.iter().zip(listed.as_array().unwrap()) {
        assert!(r.is_object(), "{r}");
        assert_eq!(r, &row["definition"]);
        assert!(r.get("id").is_none() && r.get("created_at").is_none());
    }
    assert_eq!(rels[0]["join_table"], json!("post_tags"));
    assert_eq!(rels[1]["on_delete"], json!("cascade"));
    // Business data is never exported.
    t.create("author", json!({"name": "secret-row"})).await;
    let d = export(&t).await;
    assert!(d.get("sample_data").is_none());
    assert!(!d.to_string().contains("secret-row"));
}

async fn round_trip_into_fresh_app(t: T) {
    blog(&t).await;
    let mut doc = export(&t).await;
    doc["sample_data"] = sample();
    let u = second_app(&t).await;
    let res = import(&u, doc.clone()).await;
    assert_eq!(summary(&res), counts(3, 2, 9), "{res}");
    assert!(res.get("errors").is_none(), "no errors: {res}");
    // Metadata arrived verbatim.
    let back = export(&u).await;
    assert_eq!(back["entities"], doc["entities"]);
    assert_eq!(back["relations"], doc["relations"]);
    // Records, the join table and both include directions work in the new app.
    let authors = u.list("author", "sort=name").await;
    assert_eq!(
        authors["data"],
        json!([{"id": A2, "name": "Bob"}, {"id": A1, "name": "Emily"}])
    );
    let p1 = u.fetch(&format!("/post/{P1}?include=tags,author")).await;
    assert_eq!(p1["title"], json!("first"));
    assert_eq!(p1["author_id"], json!(A1));
    assert_eq!(p1["deleted_at"], json!(null));
    assert_eq!(sorted(&p1["tags"], "name"), ["rust", "sql"]);
    assert_eq!(p1["author"], json!({"id": A1, "name": "Emily"}));
    let l = u.list("post", "include=tags&sort=title").await;
    assert_eq!(l["meta"]["total"], json!(2));
    assert_eq!(sorted(&l["data"][1]["tags"], "name"), ["sql"]);
    // The imported entities are live: normal writes and metadata-driven rules apply.
    u.post("/post", json!({"author_id": A1}))
        .await
        .error(422, "VALIDATION_FAILED");
    u.post("/tag", json!({"name": "rust"}))
        .await
        .error(409, "CONFLICT");
    u.delete(&format!("/author/{A1}")).await.expect(200);
    u.get(&format!("/post/{P1}")).await.error(404, "NOT_FOUND");
    t.drop_app(&u.app).await;
}

async fn reimport_is_idempotent(t: T) {
    blog(&t).await;
    let mut doc = export(&t).await;
    // Into the same app: everything already exists.
    let res = import(&t, doc.clone()).await;
    assert_eq!(summary(&res), counts(0, 0, 0), "{res}");
    assert!(res.get("errors").is_none(), "{res}");
    doc["sample_data"] = sample();
    let u = second_app(&t).await;
    assert_eq!(summary(&import(&u, doc.clone()).await), counts(3, 2, 9));
    let again = import(&u, doc.clone()).await;
    // Every sample statement succeeds again (ON CONFLICT DO NOTHING) and is counted.
    assert_eq!(summary(&again), counts(0, 0, 9), "{again}");
    assert!(again.get("errors").is_none(), "{again}");
    for (e, n) in [("author", 2), ("post", 2), ("tag", 2)] {
        assert_eq!(u.list(e, "").await["meta"]["total"], json!(n), "{e}");
    }
    let p1 = u.fetch(&format!("/post/{P1}?include=tags")).await;
    assert_eq!(
        sorted(&p1["tags"], "name"),
        ["rust", "sql"],
        "join rows not duplicated"
    );
    assert_eq!(
        u.get("/_admin/entities")
            .await
            .data(200)
            .as_array()
            .unwrap()
            .len(),
        3
    );
    assert_eq!(
        u.get("/_admin/relations")
            .await
            .data(200)
            .as_array()
            .unwrap()
            .len(),
        2
    );
    t.drop_app(&u.app).await;
}

async fn summary_has_all_nine_keys(t: T) {
    let res = import(&t, json!({"version": 1})).await;
    assert_eq!(summary(&res), counts(0, 0, 0));
    assert!(res.get("errors").is_none(), "{res}");
    assert_eq!(keys(&res), ["message", "summary"]);
    // exported_at, unknown keys and an empty sample_data are ignored.
    let res = import(
        &t,
        json!({"version": 1, "exported_at": "x", "whatever": [1], "sample_data": {},
               "entities": [entity_def("solo", json!([{"name": "n", "type": "int"}]))]}),
    )
    .await;
    assert_eq!(summary(&res), counts(1, 0, 0));
    assert_eq!(t.create("solo", json!({"n": 4})).await["n"], json!(4));
}

async fn version_errors(t: T) {
    let cases = [
        (json!({}), Some("Unsupported export version: 0")),
        (
            json!({"entities": []}),
            Some("Unsupported export version: 0"),
        ),
        (json!({"version": 2}), Some("Unsupported export version: 2")),
        (json!({"version": 0}), Some("Unsupported export version: 0")),
        (
            json!({"data": {"version": 2}}),
            Some("Unsupported export version: 2"),
        ),
        (json!({"version": "1"}), None),
    ];
    for (body, msg) in cases {
        // A valid entity rides along: it must not be imported when the version is refused.
        let mut b = body.clone();
        if b.get("data").is_none() {
            b["entities"] = json!([entity_def("never", json!([]))]);
        }
        let r = t.post("/_admin/import", b).await;
        let e = r.error(422, "VALIDATION_FAILED");
        let m = e["message"].as_str().unwrap();
        match msg {
            Some(want) => assert_eq!(m, want, "{body}"),
            None => assert!(m.starts_with("Unsupported export version: "), "{body}: {m}"),
        }
        assert!(e.get("details").is_none(), "no details: {}", r.body);
    }
    t.get("/_admin/entities/never")
        .await
        .error(404, "NOT_FOUND");
}

async fn data_wrapper_is_accepted(t: T) {
    blog(&t).await;
    let doc = export(&t).await;
    let u = second_app(&t).await;
    let res = import(&u, json!({ "data": doc })).await;
    assert_eq!(summary(&res), counts(3, 2, 0), "{res}");
    assert_eq!(export(&u).await["entities"], doc["entities"]);
    u.create("author", json!({"name": "x"})).await;
    t.drop_app(&u.app).await;
}

async fn wrong_list_types_are_400(t: T) {
    let good = json!([entity_def("fine", json!([]))]);
    let cases = [
        json!({"version": 1, "entities": "x"}),
        json!({"version": 1, "entities": {"name": "fine"}}),
        json!({"version": 1, "entities": good, "relations": {}}),
        json!({"version": 1, "entities": good, "rules": 5}),
        json!({"version": 1, "entities": good, "permissions": "all"}),
        json!({"version": 1, "entities": good, "ui_configs": true}),
    ];
    for b in cases {
        let r = t.post("/_admin/import", b.clone()).await;
        assert_eq!(
            r.error(400, "INVALID_PAYLOAD")["message"],
            json!("Invalid JSON body"),
            "{b}"
        );
    }
    for raw in [&b"[1, 2]"[..], b"\"x\"", b"{bad"] {
        let r = t.post_bytes("/_admin/import", raw).await;
        r.error(400, "INVALID_PAYLOAD");
    }
    // A pre-check: nothing of the document was imported.
    t.get("/_admin/entities/fine").await.error(404, "NOT_FOUND");
}

async fn invalid_items_are_reported_not_inserted(t: T) {
    let bad = json!({"name": "bad", "table": "bad", "primary_key": {"field": "id"}, "fields": []});
    let good = entity_def("good", json!([{"name": "label", "type": "string"}]));
    let res = import(
        &t,
        json!({"version": 1, "entities": [bad, good],
            "relations": [
                {"name": "ghost_rel", "type": "one_to_many", "source": "ghost", "target": "good",
                 "source_key": "id", "target_key": "label"},
                {"name": "self_rel", "type": "one_to_many", "source": "good", "target": "good",
                 "source_key": "id", "target_key": "label"},
                {"name": "no_key", "type": "one_to_many", "source": "good", "target": "good",
                 "source_key": "id"},
            ],
            "sample_data": {"bad": [{"id": A1}], "good": [{"label": "kept"}]}}),
    )
    .await;
    assert_eq!(summary(&res), counts(1, 1, 1), "{res}");
    let errors: Vec<String> = res["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("errors array: {res}"))
        .iter()
        .map(|e| e.as_str().expect("error strings").to_string())
        .collect();
    assert_eq!(errors.len(), 3, "{res}");
    assert!(errors[0].starts_with("Entity bad: "), "{errors:?}");
    assert!(errors[1].starts_with("Relation ghost_rel: "), "{errors:?}");
    // Rust validates relations with the admin rules (03 §4.1 note: target_key required).
    assert!(errors[2].starts_with("Relation no_key: "), "{errors:?}");
    t.get("/_admin/relations/no_key")
        .await
        .error(404, "NOT_FOUND");
    t.post(
        "/_admin/relations",
        json!({"name": "no_key", "type": "one_to_many", "source": "good", "target": "good",
               "source_key": "id"}),
    )
    .await
    .error(422, "VALIDATION_FAILED");
    t.get("/_admin/entities/bad").await.error(404, "NOT_FOUND");
    t.get("/bad").await.error(404, "UNKNOWN_ENTITY");
    t.get("/_admin/relations/ghost_rel")
        .await
        .error(404, "NOT_FOUND");
    t.get("/_admin/relations/self_rel").await.expect(200);
    assert_eq!(
        T::col(&t.list("good", "").await, "label"),
        vec![json!("kept")]
    );
}

async fn sample_rows_bypass_pipeline_but_get_keys(t: T) {
    // `pre` exists before the import and is not in the payload: its sample rows are ignored.
    t.entity("pre", json!([{"name": "n", "type": "int"}])).await;
    let gen = entity_def(
        "gen",
        json!([{"name": "label", "type": "string"},
               {"name": "n", "type": "int"}]),
    );
    let res = import(
        &t,
        json!({"version": 1, "entities": [gen],
            "sample_data": {"gen": [{"label": "a", "n": 1, "nope": true}, {"n": 2}, {"nope": 1}],
                            "pre": [{"n": 1}], "unrelated_key": [{"x": 1}]}}),
    )
    .await;
    // Rows with no usable keys are skipped; unknown keys are dropped.
    assert_eq!(summary(&res), counts(1, 0, 2), "{res}");
    let l = t.list("gen", "sort=n").await;
    assert_eq!(l["meta"]["total"], json!(2));
    for r in l["data"].as_array().unwrap() {
        let id = r["id"]
            .as_str()
            .unwrap_or_else(|| panic!("generated id: {r}"));
        assert!(uuid::Uuid::parse_str(id).is_ok(), "{r}");
        assert_eq!(t.get(&format!("/gen/{id}")).await.data(200)["n"], r["n"]);
    }
    assert_eq!(l["data"][0]["label"], json!("a"));
    assert_eq!(l["data"][1]["label"], json!(null));
    assert_eq!(t.list("pre", "").await["meta"]["total"], json!(0));
}

async fn sample_values_keep_their_types(t: T) {
    let typed = entity_def(
        "typed",
        json!([{"name": "n", "type": "int"}, {"name": "big", "type": "bigint"},
               {"name": "flag", "type": "boolean"}, {"name": "meta", "type": "json"},
               {"name": "label", "type": "string"}]),
    );
    let res = import(
        &t,
        json!({"version": 1, "entities": [typed],
        "sample_data": {"typed": [
            {"id": A1, "n": 3.0, "big": 9007199254740993i64, "flag": true,
             "meta": {"a": [1, 2]}, "label": "x"},
            {"id": A2, "n": 4, "flag": false, "meta": [1]},
        ]}}),
    )
    .await;
    assert_eq!(summary(&res), counts(1, 0, 2), "{res}");
    let one = t.get(&format!("/typed/{A1}")).await.data(200).clone();
    assert_eq!(
        one,
        json!({"id": A1, "n": 3, "big": 9007199254740993i64, "flag": true,
               "meta": {"a": [1, 2]}, "label": "x"})
    );
    let two = t.get(&format!("/typed/{A2}")).await.data(200).clone();
    assert_eq!(two["flag"], json!(false));
    assert_eq!(two["meta"], json!([1]));
    assert_eq!(
        t.list("typed", "filter[flag]=true").await["meta"]["total"],
        json!(1)
    );
}

async fn sample_data_needs_payload_listing(t: T) {
    blog(&t).await;
    t.create("author", json!({"name": "existing"})).await;
    // Registered entity and join table, but not listed in this payload: ignored.
    let res = import(
        &t,
        json!({"version": 1, "sample_data": {
            "author": [{"id": A1, "name": "Emily"}],
            "post_tags": [{"post_id": P1, "tag_id": T1}],
        }}),
    )
    .await;
    assert_eq!(summary(&res), counts(0, 0, 0), "{res}");
    t.get(&format!("/author/{A1}"))
        .await
        .error(404, "NOT_FOUND");
    // Listed (already existing, so not counted): its sample rows are inserted.
    let doc = export(&t).await;
    let res = import(
        &t,
        json!({"version": 1, "entities": doc["entities"], "relations": doc["relations"],
            "sample_data": {"author": [{"id": A1, "name": "Emily"}],
                            "post": [{"id": P1, "author_id": A1, "title": "t"}],
                            "tag": [{"id": T1, "name": "rust"}],
                            "post_tags": [{"post_id": P1, "tag_id": T1}]}}),
    )
    .await;
    assert_eq!(summary(&res), counts(0, 0, 4), "{res}");
    let p = t
        .get(&format!("/post/{P1}?include=tags"))
        .await
        .data(200)
        .clone();
    assert_eq!(sorted(&p["tags"], "name"), ["rust"]);
    assert_eq!(t.list("author", "").await["meta"]["total"], json!(2));
}

both!(
    export_shape,
    round_trip_into_fresh_app,
    reimport_is_idempotent,
    summary_has_all_nine_keys,
    version_errors,
    data_wrapper_is_accepted,
    wrong_list_types_are_400,
    invalid_items_are_reported_not_inserted,
    sample_rows_bypass_pipeline_but_get_keys,
    sample_values_keep_their_types,
    sample_data_needs_payload_listing,
);
