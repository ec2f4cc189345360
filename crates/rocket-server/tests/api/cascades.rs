use serde_json::{json, Value};

use crate::both;
use crate::common::{id, on_delete, one_to_many, one_to_one, people, sorted, T};

/// author 1—n `child` through relation `rel` with `on_delete` = `policy` (omitted
/// when empty).
async fn author_children(
    t: &T,
    parent_soft: bool,
    child: &str,
    child_soft: bool,
    rel: &str,
    policy: &str,
) {
    if t.get("/_admin/entities/author").await.status.as_u16() == 404 {
        t.entity_with(
            "author",
            json!([{"name": "name", "type": "string"}]),
            json!({"soft_delete": parent_soft}),
        )
        .await;
    }
    let fields = json!([
        {"name": "author_id", "type": "uuid"}, {"name": "title", "type": "string"},
        {"name": "code", "type": "string", "unique": true},
    ]);
    t.entity_with(child, fields, json!({"soft_delete": child_soft}))
        .await;
    let r = one_to_many(rel, "author", child, "author_id");
    t.relation(with_policy(r, policy)).await;
}

/// `relation` with the `on_delete` policy `policy`, or without one when it is empty.
fn with_policy(relation: Value, policy: &str) -> Value {
    if policy.is_empty() {
        relation
    } else {
        on_delete(relation, policy)
    }
}

async fn author(t: &T, name: &str) -> String {
    id(&t.create("author", json!({"name": name})).await)
}

async fn child(t: &T, entity: &str, author: &str, code: &str) -> String {
    id(&t
        .create(
            entity,
            json!({"author_id": author, "title": code, "code": code}),
        )
        .await)
}

/// Live rows of `entity` as (title, author_id), sorted by title.
async fn rows(t: &T, entity: &str) -> Vec<(String, Value)> {
    let l = t.list(entity, "sort=title").await;
    l["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["title"].as_str().unwrap().to_string(),
                r["author_id"].clone(),
            )
        })
        .collect()
}

fn want(v: &[(&str, Option<&str>)]) -> Vec<(String, Value)> {
    v.iter()
        .map(|(t, a)| (t.to_string(), a.map_or(Value::Null, |s| json!(s))))
        .collect()
}

async fn delete_ok(t: &T, path: &str, id: &str) {
    let r = t.delete(&format!("{path}/{id}")).await;
    assert_eq!(r.data(200), &json!({"id": id}));
}

/// Asserts that deleting `path` is a 409: "Cannot delete: `n` related `entity` records exist".
async fn delete_blocked(t: &T, path: &str, n: usize, entity: &str) {
    let message = format!("Cannot delete: {n} related {entity} records exist");
    t.delete(path).await.error_is(409, "CONFLICT", &message);
}

/// Authors a1 and a2 with books b1, b2 (by a1) and b3 (by a2); returns (a1, a2, b1).
async fn two_authors_three_books(t: &T) -> (String, String, String) {
    let a1 = author(t, "a1").await;
    let a2 = author(t, "a2").await;
    let b1 = child(t, "book", &a1, "b1").await;
    child(t, "book", &a1, "b2").await;
    child(t, "book", &a2, "b3").await;
    (a1, a2, b1)
}

async fn cascade_hard_deletes_children(t: T) {
    author_children(&t, false, "book", false, "books", "cascade").await;
    let (a1, a2, b1) = two_authors_three_books(&t).await;
    delete_ok(&t, "/author", &a1).await;
    t.get(&format!("/author/{a1}"))
        .await
        .error(404, "NOT_FOUND");
    t.get(&format!("/book/{b1}")).await.error(404, "NOT_FOUND");
    assert_eq!(rows(&t, "book").await, want(&[("b3", Some(&a2))]));
    // Hard delete: the unique code is free again.
    child(&t, "book", &a2, "b1").await;
}

async fn cascade_soft_deletes_soft_children(t: T) {
    author_children(&t, false, "book", true, "books", "cascade").await;
    let a1 = author(&t, "a1").await;
    let a2 = author(&t, "a2").await;
    let b1 = child(&t, "book", &a1, "b1").await;
    child(&t, "book", &a2, "b3").await;
    delete_ok(&t, "/author", &a1).await;
    t.get(&format!("/book/{b1}")).await.error(404, "NOT_FOUND");
    assert_eq!(rows(&t, "book").await, want(&[("b3", Some(&a2))]));
    // Soft delete: the row still exists, so its unique code is still taken.
    t.post("/book", json!({"code": "b1"}))
        .await
        .error(409, "CONFLICT");
}

async fn set_null_clears_foreign_keys(t: T) {
    author_children(&t, false, "book", false, "books", "set_null").await;
    let (a1, a2, b1) = two_authors_three_books(&t).await;
    delete_ok(&t, "/author", &a1).await;
    assert_eq!(
        rows(&t, "book").await,
        want(&[("b1", None), ("b2", None), ("b3", Some(&a2))])
    );
    assert_eq!(
        t.get(&format!("/book/{b1}")).await.data(200)["author_id"],
        json!(null)
    );
}

async fn restrict_blocks_while_live_children_exist(t: T) {
    author_children(&t, false, "book", true, "books", "restrict").await;
    let a1 = author(&t, "a1").await;
    let b1 = child(&t, "book", &a1, "b1").await;
    let b2 = child(&t, "book", &a1, "b2").await;
    let b3 = child(&t, "book", &a1, "b3").await;
    // Soft-deleted children do not count; deleting a target ignores the relation.
    delete_ok(&t, "/book", &b3).await;
    delete_blocked(&t, &format!("/author/{a1}"), 2, "book").await;
    assert_eq!(
        t.get(&format!("/author/{a1}")).await.data(200)["name"],
        json!("a1")
    );
    assert_eq!(
        rows(&t, "book").await,
        want(&[("b1", Some(&a1)), ("b2", Some(&a1))])
    );
    delete_ok(&t, "/book", &b1).await;
    delete_blocked(&t, &format!("/author/{a1}"), 1, "book").await;
    delete_ok(&t, "/book", &b2).await;
    delete_ok(&t, "/author", &a1).await;
    // An author without children is never blocked.
    let a2 = author(&t, "a2").await;
    delete_ok(&t, "/author", &a2).await;
}

async fn detach_and_no_policy_leave_children(t: T) {
    author_children(&t, false, "book", false, "books", "detach").await;
    author_children(&t, false, "essay", false, "essays", "").await;
    let a1 = author(&t, "a1").await;
    child(&t, "book", &a1, "b1").await;
    child(&t, "essay", &a1, "e1").await;
    delete_ok(&t, "/author", &a1).await;
    assert_eq!(rows(&t, "book").await, want(&[("b1", Some(&a1))]));
    assert_eq!(rows(&t, "essay").await, want(&[("e1", Some(&a1))]));
}

async fn cascades_are_not_recursive(t: T) {
    author_children(&t, false, "book", false, "books", "cascade").await;
    let page = json!([{"name": "book_id", "type": "uuid"}, {"name": "no", "type": "int"}]);
    t.entity("page", page).await;
    let pages = one_to_many("pages", "book", "page", "book_id");
    t.relation(on_delete(pages, "cascade")).await;
    let a1 = author(&t, "a1").await;
    let b1 = child(&t, "book", &a1, "b1").await;
    let b2 = child(&t, "book", &a1, "b2").await;
    let p = t.create("page", json!({"book_id": b1, "no": 1})).await;
    let p2 = t.create("page", json!({"book_id": b2, "no": 2})).await;
    delete_ok(&t, "/author", &a1).await;
    assert_eq!(rows(&t, "book").await, want(&[]));
    assert_eq!(t.get(&format!("/page/{}", id(&p))).await.data(200), &p);
    let l = t.list("page", "sort=no").await;
    assert_eq!(l["data"], json!([p, p2]), "grandchildren untouched");
    // Deleting a book directly does cascade to its pages.
    let b3 = child(&t, "book", &author(&t, "a2").await, "b3").await;
    t.create("page", json!({"book_id": b3, "no": 3})).await;
    delete_ok(&t, "/book", &b3).await;
    let left = t.total("page", &format!("filter[book_id]={b3}")).await;
    assert_eq!(left, json!(0));
}

async fn soft_deleted_parent_runs_policies(t: T) {
    author_children(&t, true, "book", false, "books", "cascade").await;
    author_children(&t, true, "fan", false, "fans", "set_null").await;
    let a1 = author(&t, "a1").await;
    let a2 = author(&t, "a2").await;
    child(&t, "book", &a1, "b1").await;
    child(&t, "book", &a2, "b2").await;
    child(&t, "fan", &a1, "f1").await;
    delete_ok(&t, "/author", &a1).await;
    t.get(&format!("/author/{a1}"))
        .await
        .error(404, "NOT_FOUND");
    assert_eq!(rows(&t, "book").await, want(&[("b2", Some(&a2))]));
    assert_eq!(rows(&t, "fan").await, want(&[("f1", None)]));
    t.delete(&format!("/author/{a1}"))
        .await
        .error(404, "NOT_FOUND");
}

async fn restrict_rolls_back_earlier_cascades(t: T) {
    // Policies run in relation-name order: a_books (cascade) before b_awards (restrict).
    author_children(&t, true, "book", false, "a_books", "cascade").await;
    author_children(&t, true, "award", false, "b_awards", "restrict").await;
    let a1 = author(&t, "a1").await;
    child(&t, "book", &a1, "b1").await;
    let w = child(&t, "award", &a1, "w1").await;
    delete_blocked(&t, &format!("/author/{a1}"), 1, "award").await;
    assert_eq!(
        rows(&t, "book").await,
        want(&[("b1", Some(&a1))]),
        "cascade rolled back"
    );
    t.get(&format!("/author/{a1}")).await.expect(200);
    delete_ok(&t, "/award", &w).await;
    delete_ok(&t, "/author", &a1).await;
    assert_eq!(rows(&t, "book").await, want(&[]));
}

/// Entity `tag` (name) with tags t1 and t2; returns their ids.
async fn tags(t: &T) -> (String, String) {
    t.entity("tag", json!([{"name": "name", "type": "string"}]))
        .await;
    let t1 = id(&t.create("tag", json!({"name": "t1"})).await);
    let t2 = id(&t.create("tag", json!({"name": "t2"})).await);
    (t1, t2)
}

/// A string-keyed source so a deleted post can be re-created with the same key,
/// which reveals whether its join rows survived.
async fn post_entity(t: &T, name: &str) {
    let body = json!({"name": name, "table": name,
        "primary_key": {"field": "code", "type": "string"},
        "fields": [{"name": "code", "type": "string"}, {"name": "title", "type": "string"}]});
    t.post("/_admin/entities", body).await.expect(201);
}

async fn m2m(t: &T, source: &str, policy: &str) {
    post_entity(t, source).await;
    let r = json!({"name": format!("{source}_tags"), "type": "many_to_many", "source": source,
        "target": "tag", "source_key": "code", "join_table": format!("{source}_tag_links"),
        "source_join_key": "post_code", "target_join_key": "tag_id"});
    t.relation(with_policy(r, policy)).await;
}

/// Sorted names of the tags linked to `source` record `code`.
async fn linked_tags(t: &T, source: &str, code: &str) -> Vec<String> {
    let one = t.fetch(&format!("/{source}/{code}?include=tags")).await;
    sorted(&one["tags"], "name")
}

async fn many_to_many_policies(t: T) {
    let (t1, t2) = tags(&t).await;
    // (source entity, policy, links left after delete + re-create)
    let cases: [(&str, &str, &[&str]); 4] = [
        ("pc", "cascade", &[]),
        ("pd", "detach", &[]),
        ("ps", "set_null", &["t1", "t2"]),
        ("pn", "", &["t1", "t2"]),
    ];
    for (src, policy, _) in cases {
        m2m(&t, src, policy).await;
        let p1 = json!({"code": "p1", "tags": {"data": [{"id": t1}, {"id": t2}]}});
        t.create(src, p1).await;
        let p2 = json!({"code": "p2", "tags": {"data": [{"id": t1}]}});
        t.create(src, p2).await;
        assert_eq!(linked_tags(&t, src, "p1").await, ["t1", "t2"]);
    }
    for (src, policy, left) in cases {
        delete_ok(&t, &format!("/{src}"), "p1").await;
        t.create(src, json!({"code": "p1"})).await;
        assert_eq!(linked_tags(&t, src, "p1").await, left.to_vec(), "{policy}");
        let other = linked_tags(&t, src, "p2").await;
        assert_eq!(other, ["t1"], "{policy}: other source");
    }
    // Targets are never touched.
    assert_eq!(t.total("tag", "").await, json!(2));
}

async fn many_to_many_restrict_counts_join_rows(t: T) {
    let (t1, t2) = tags(&t).await;
    m2m(&t, "pr", "restrict").await;
    let p1 = json!({"code": "p1", "tags": {"data": [{"id": t1}, {"id": t2}]}});
    t.create("pr", p1).await;
    t.create("pr", json!({"code": "p2"})).await;
    delete_blocked(&t, "/pr/p1", 2, "tag").await;
    assert_eq!(linked_tags(&t, "pr", "p1").await, ["t1", "t2"]);
    // A deleted target's join row still counts (the join table is counted).
    t.delete(&format!("/tag/{t2}")).await.expect(200);
    delete_blocked(&t, "/pr/p1", 2, "tag").await;
    t.update(
        "/pr/p1",
        json!({"tags": {"_write_mode": "replace", "data": []}}),
    )
    .await;
    delete_ok(&t, "/pr", "p1").await;
    delete_ok(&t, "/pr", "p2").await;
}

async fn slug_url_delete_uses_resolved_key(t: T) {
    let writer = json!([{"name": "name", "type": "string"}, {"name": "handle", "type": "string", "unique": true}]);
    let slug = json!({"slug": {"field": "handle", "source": "name"}});
    t.entity_with("writer", writer, slug).await;
    let work = json!([{"name": "writer_id", "type": "uuid"}, {"name": "title", "type": "string"}]);
    t.entity("work", work).await;
    let works = one_to_many("works", "writer", "work", "writer_id");
    t.relation(on_delete(works, "cascade")).await;
    let w = t.create("writer", json!({"name": "Ann Lee"})).await;
    assert_eq!(w["handle"], json!("ann-lee"));
    let other = t.create("writer", json!({"name": "Bo"})).await;
    for (wr, title) in [(&w, "w1"), (&w, "w2"), (&other, "w3")] {
        t.create("work", json!({"writer_id": wr["id"], "title": title}))
            .await;
    }
    // The response echoes the URL value; the cascade runs with the real PK.
    delete_ok(&t, "/writer", "ann-lee").await;
    t.get(&format!("/writer/{}", id(&w)))
        .await
        .error(404, "NOT_FOUND");
    let l = t.list("work", "").await;
    assert_eq!(T::col(&l, "title"), vec![json!("w3")]);
}

async fn one_to_one_uses_the_same_policies(t: T) {
    people(&t, &["passport", "visa"]).await;
    let passport = one_to_one("passport", "person", "passport", "person_id");
    t.relation(on_delete(passport, "restrict")).await;
    let visa = one_to_one("visa", "person", "visa", "person_id");
    t.relation(on_delete(visa, "set_null")).await;
    let p = id(&t.create("person", json!({"name": "p"})).await);
    let pass = id(&t
        .create("passport", json!({"person_id": p, "no": "P1"}))
        .await);
    let visa = id(&t.create("visa", json!({"person_id": p, "no": "V1"})).await);
    delete_blocked(&t, &format!("/person/{p}"), 1, "passport").await;
    let visa = format!("/visa/{visa}");
    let why = "set_null rolled back with the failed delete";
    assert_eq!(t.fetch(&visa).await["person_id"], json!(p), "{why}");
    delete_ok(&t, "/passport", &pass).await;
    delete_ok(&t, "/person", &p).await;
    assert_eq!(t.fetch(&visa).await["person_id"], json!(null));
}

both!(
    cascade_hard_deletes_children,
    cascade_soft_deletes_soft_children,
    set_null_clears_foreign_keys,
    restrict_blocks_while_live_children_exist,
    detach_and_no_policy_leave_children,
    cascades_are_not_recursive,
    soft_deleted_parent_runs_policies,
    restrict_rolls_back_earlier_cascades,
    many_to_many_policies,
    many_to_many_restrict_counts_join_rows,
    slug_url_delete_uses_resolved_key,
    one_to_one_uses_the_same_policies,
);
