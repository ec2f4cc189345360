//! Contract corrections of issue 8 (spec updated) and the HTTP middleware: nested
//! writes at any depth, timestamps in UTC, `in` conditions as comma strings, system
//! paths never reaching entities, Postgres apps on a server without Postgres, trace
//! ids, CORS and compression.

use reqwest::Method;
use rocket_server::Config;
use serde_json::{json, Value};

use crate::common::{id, one_to_many, pluck, Db, T};
use crate::{both, both_with};

/// Spec 05 §1 (Rust contract): children and grandchildren are written in the
/// parent's transaction, validated with their position; anything failing at any
/// depth rolls everything back.
async fn nested_writes_at_any_depth(t: T) {
    t.entities(json!({
        "order": [{"name": "name", "type": "string"}],
        "line": [{"name": "title", "type": "string", "required": true}, {"name": "order_id", "type": "uuid"}],
        "tax": [{"name": "rate", "type": "decimal"}, {"name": "line_id", "type": "uuid"}],
    }))
    .await;
    t.relations([
        one_to_many("lines", "order", "line", "order_id"),
        one_to_many("taxes", "line", "tax", "line_id"),
    ])
    .await;
    let o = t
        .create(
            "order",
            json!({"name": "o", "lines": {"data": [
                {"title": "l1", "taxes": {"data": [{"rate": 0.2}, {"rate": 0.1}]}},
                {"title": "l2"},
            ]}}),
        )
        .await;
    let order = format!("/order/{}", id(&o));
    let lines = t.fetch(&format!("{order}?include=lines")).await["lines"].clone();
    let lines = lines.as_array().unwrap();
    assert_eq!(lines.len(), 2);
    let l1 = lines.iter().find(|l| l["title"] == json!("l1")).unwrap();
    let taxes = t.fetch(&format!("/line/{}?include=taxes", id(l1))).await;
    let why = "grandchildren written";
    assert_eq!(taxes["taxes"].as_array().unwrap().len(), 2, "{why}");
    // An update reaches grandchildren through the existing child.
    let deeper = json!({"lines": {"data": [{"id": l1["id"], "taxes": {"data": [{"rate": 0.3}]}}]}});
    t.update(&order, deeper).await;
    assert_eq!(t.total("tax", "").await, json!(3));
    // A bad grandchild fails the whole request, naming its position.
    let r = t
        .post(
            "/order",
            json!({"name": "bad", "lines": {"data": [
                {"title": "ok"},
                {"title": "t", "taxes": {"data": [{"rate": 1}, {"rate": "lots"}]}},
                {}
            ]}}),
        )
        .await;
    let details = &r.error(422, "VALIDATION_FAILED")["details"];
    let fields = pluck(details, "field");
    assert_eq!(fields, ["lines[1].taxes[1].rate", "lines[2].title"]);
    assert_eq!(t.total("order", "filter[name]=bad").await, json!(0));
    assert_eq!(t.total("line", "").await, json!(2));
    // A database failure deep down rolls back the parent too.
    let u = json!([{"name": "order_id", "type": "uuid"}, {"name": "code", "type": "string", "unique": true}]);
    t.entity("u", u).await;
    t.relation(one_to_many("us", "order", "u", "order_id"))
        .await;
    let dup = json!({"name": "dup", "us": {"data": [{"code": "x"}, {"code": "x"}]}});
    t.post("/order", dup).await.error(409, "CONFLICT");
    assert_eq!(t.total("order", "filter[name]=dup").await, json!(0));
}

fn shallow(c: &mut Config) {
    c.limits.nested_depth = 1;
}

/// The nesting depth is bounded (configurable): deeper is a 422.
async fn nested_depth_is_bounded(t: T) {
    t.entity("a", json!([{"name": "n", "type": "string"}]))
        .await;
    for (parent, child) in [("a", "b"), ("b", "c")] {
        let fk = format!("{parent}_id");
        t.entity(child, json!([{"name": fk, "type": "uuid"}])).await;
        let rel = format!("{child}s");
        t.relation(one_to_many(&rel, parent, child, &fk)).await;
    }
    t.create("a", json!({"n": "one level", "bs": {"data": [{}]}}))
        .await;
    let r = t
        .post(
            "/a",
            json!({"n": "two", "bs": {"data": [{"cs": {"data": [{}]}}]}}),
        )
        .await;
    let d = r.error(422, "VALIDATION_FAILED")["details"][0].clone();
    assert_eq!(d["field"], json!("bs[0].cs"));
    assert_eq!(d["rule"], json!("depth"));
    assert_eq!(t.total("b", "").await, json!(1));
}

/// Spec 04 §2.4 (Rust contract): timestamps in any accepted form are stored in UTC
/// on both dialects, so sorting and range filters compare instants.
async fn timestamps_are_utc(t: T) {
    t.entity(
        "ev",
        json!([{"name": "label", "type": "string"}, {"name": "at", "type": "timestamp"},
        {"name": "day", "type": "date"}]),
    )
    .await;
    let a = t
        .create(
            "ev",
            json!({"label": "a", "at": "2024-05-01T10:00:00+02:00"}),
        )
        .await;
    assert_eq!(a["at"], json!("2024-05-01T08:00:00Z"));
    let b = t
        .create("ev", json!({"label": "b", "at": "2024-05-01T09:00:00Z"}))
        .await;
    assert_eq!(b["at"], json!("2024-05-01T09:00:00Z"));
    let c = t
        .create(
            "ev",
            json!({"label": "c", "at": "2024-05-01T10:30", "day": "2024-05-01"}),
        )
        .await;
    assert_eq!(
        c["at"],
        json!("2024-05-01T10:30:00Z"),
        "HTML date-time pickers' form"
    );
    let d = t
        .create(
            "ev",
            json!({"label": "d", "at": "2024-05-01 08:30:00.25-01:00"}),
        )
        .await;
    assert_eq!(d["at"], json!("2024-05-01T09:30:00.25Z"));
    let order = |l: &Value| T::col(l, "label");
    assert_eq!(
        order(&t.list("ev", "sort=at").await),
        vec![json!("a"), json!("b"), json!("d"), json!("c")],
        "sorted by instant"
    );
    assert_eq!(
        order(
            &t.list("ev", "filter[at.gt]=2024-05-01T08:30:00Z&sort=at")
                .await
        ),
        vec![json!("b"), json!("d"), json!("c")]
    );
    assert_eq!(
        order(
            &t.list("ev", "filter[at.lte]=2024-05-01T11:00:00%2B02:00&sort=at")
                .await
        ),
        vec![json!("a"), json!("b")],
        "a filter value with an offset compares as an instant"
    );
    assert_eq!(
        order(&t.list("ev", "filter[at]=2024-05-01T09:00Z").await),
        vec![json!("b")]
    );
    // Engine-written timestamps use the same form: auto fields sort with the rest.
    let got = t.get(&format!("/ev/{}", c["id"].as_str().unwrap())).await;
    assert_eq!(
        got.data(200)["day"],
        json!(if t.db == Db::Postgres {
            "2024-05-01T00:00:00Z"
        } else {
            "2024-05-01"
        })
    );
}

/// Spec 11 §7.4 (Rust contract): an `in` condition given as a comma string.
async fn in_condition_accepts_comma_strings(t: T) {
    t.entity("o", json!([{"name": "status", "type": "string"}]))
        .await;
    for s in ["paid", "shipped", "draft"] {
        t.create("o", json!({"status": s})).await;
    }
    t.permission(
        "o",
        "read",
        json!(["viewer"]),
        json!([{"field": "status", "operator": "in", "value": "paid, shipped"}]),
    )
    .await;
    let stored = t.get("/_admin/permissions").await.data(200)[0]["conditions"][0]["value"].clone();
    assert_eq!(
        stored,
        json!("paid, shipped"),
        "stored and returned as given"
    );
    let (_, tok) = t.user("v@x.io", json!(["viewer"])).await;
    let mut got: Vec<Value> = T::col(&t.with_token(Some(&tok)).list("o", "").await, "status");
    got.sort_by_key(|v| v.to_string());
    assert_eq!(got, vec![json!("paid"), json!("shipped")]);
}

/// System paths never fall through to the entity routes.
async fn system_paths_are_not_entities(t: T) {
    for path in [
        "/_admin/nope",
        "/_admin/nope/1",
        "/_workflows/x/y/z",
        "/_files/x/y",
        "/_ui/nope",
        "/auth/whatever",
    ] {
        let r = t.get(path).await;
        assert_eq!(
            r.error(404, "NOT_FOUND")["message"],
            json!("Route not found"),
            "{path}"
        );
    }
    let r = t.req(Method::POST, "/_anything", Some(json!({}))).await;
    r.error(404, "NOT_FOUND");
    // A typo under the platform's prefix is no app named `_platform`.
    for path in ["/api/_platform/appz", "/api/_platform/apps/x/y"] {
        let url = format!("{}{path}", t.base);
        let (status, body) =
            crate::common::send(&t.http, Method::GET, &url, Some(&t.platform_token), None).await;
        assert_eq!(status, 404, "{path}: {body}");
        assert_eq!(body["error"]["code"], json!("NOT_FOUND"), "{path}");
    }
}

/// A Postgres app on a server whose management database is SQLite: a clear 422.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_apps_need_postgres() {
    crate::common::run(Db::Sqlite, |t: T| async move {
        let r = t
            .with_token(Some(&t.platform_token))
            .post(
                "/api/_platform/apps",
                json!({"name": "pgapp", "db_driver": "postgres"}),
            )
            .await;
        assert_eq!(
            r.error(422, "VALIDATION_FAILED")["message"],
            json!("PostgreSQL is not configured on this server")
        );
    })
    .await;
}

fn with_cors(c: &mut Config) {
    c.server.cors_origins = vec!["https://admin.example".into()];
}

/// Trace ids, CORS for configured origins, gzip above the size threshold.
async fn middleware_headers(t: T) {
    t.entity("n", json!([{"name": "text", "type": "text"}]))
        .await;
    t.create("n", json!({"text": "y".repeat(5_000)})).await;
    // Only traced requests carry a trace id (15 §2): app routes, not /health, and
    // not a request refused before authentication.
    let r = t.http.get(t.url("/health")).send().await.unwrap();
    assert!(r.headers().get("x-trace-id").is_none());
    let mine = "0C1D2E3F-4A5B-4C6D-8E7F-8091A2B3C4D5";
    let token = t.token.clone().unwrap();
    let r = t
        .http
        .get(t.url("/n"))
        .bearer_auth(&token)
        .header("x-trace-id", mine)
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.headers()["x-trace-id"],
        mine.to_ascii_lowercase().as_str(),
        "an incoming trace id is kept (normalised)"
    );
    let r = t
        .http
        .get(t.url("/n/nope"))
        .bearer_auth(&token)
        .header("x-trace-id", "not a uuid")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 404, "errors are traced too");
    let id = r.headers()["x-trace-id"].to_str().unwrap().to_string();
    assert!(
        uuid::Uuid::parse_str(&id).is_ok(),
        "a non-UUID is replaced: {id}"
    );
    let r = t.http.get(t.url("/n")).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 401);
    assert!(
        r.headers().get("x-trace-id").is_none(),
        "401s are not traced"
    );
    // CORS: the configured origin is allowed, others are not.
    let pre = t
        .http
        .request(Method::OPTIONS, t.url("/n"))
        .header("origin", "https://admin.example")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(
        pre.headers()["access-control-allow-origin"],
        "https://admin.example"
    );
    let other = t
        .http
        .get(t.url("/health"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
    // gzip above the threshold (reqwest decodes it transparently).
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    let big = raw
        .get(t.url("/n"))
        .bearer_auth(t.token.clone().unwrap())
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(big.headers()["content-encoding"], "gzip");
    let small = raw
        .get(t.url("/health"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert!(small.headers().get("content-encoding").is_none());
    let list = t.list("n", "").await;
    assert_eq!(list["meta"]["total"], json!(1));
}

both!(
    nested_writes_at_any_depth,
    timestamps_are_utc,
    in_condition_accepts_comma_strings,
    system_paths_are_not_entities,
);

both_with!(shallow; nested_depth_is_bounded);
both_with!(with_cors; middleware_headers);
