//! Regression tests for the hostile probe of issue 7 (docs/security.md): each test
//! names the finding it covers and runs on both dialects.

use std::time::{Duration, Instant};

use reqwest::Method;
use rocket_server::config::Secret;
use rocket_server::{Config, Server};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::common::{self, id, many_to_many, one_to_many, push_field, sign, sorted, Db, T};
use crate::{both, both_with};

fn far_future() -> i64 {
    chrono::Utc::now().timestamp() + 3600
}

/// Finding 1: the published sample secret signs nothing.
async fn default_secrets_forge_nothing(t: T) {
    for secret in ["changeme-platform-secret", "changeme-secret"] {
        let forged = sign(
            secret.as_bytes(),
            json!({"sub": "x", "roles": [], "iat": 1, "exp": far_future()}),
        );
        let f = t.with_token(Some(&forged));
        f.get("/api/_platform/apps")
            .await
            .error(401, "UNAUTHORIZED");
        f.get("/_admin/entities").await.error(401, "UNAUTHORIZED");
    }
    // Each app signs with its own random secret: one app's token is nothing elsewhere.
    let other = t.new_app(&format!("o{}", common::rand_suffix())).await;
    t.with_token(other.token.as_deref())
        .get("/_admin/entities")
        .await
        .error(401, "UNAUTHORIZED");
    t.drop_app(&other.app).await;
}

/// Finding 1: a configured sample or short secret stops the server from starting;
/// the development flag allows it.
#[tokio::test]
async fn insecure_configured_secrets_refuse_to_start() {
    let dir = tempfile::tempdir().unwrap();
    let addr = "127.0.0.1:0".parse().unwrap();
    for bad in ["changeme-platform-secret", "too-short"] {
        let mut c = common::sqlite_config(dir.path());
        c.platform_jwt_secret = Secret::new(bad);
        let err = Server::build(c, addr).await.err().expect("refused");
        assert!(err.to_string().contains("platform_jwt_secret"), "{err}");
    }
    let mut c = common::sqlite_config(dir.path());
    c.platform_jwt_secret = Secret::new("changeme-platform-secret");
    c.allow_insecure_defaults = true;
    assert!(Server::build(c, addr).await.is_ok());
}

/// Finding 1: the generated secret is kept, so a restart keeps tokens valid.
async fn generated_secret_survives_restart(db: Db) {
    let Some(tdb) = common::TestDb::new(db).await else {
        return;
    };
    let config: Config = tdb.config.clone();
    let first = common::start(config.clone()).await;
    let http = reqwest::Client::new();
    let token = common::platform_login(&http, &first.base).await;
    first.stop().await;
    let second = common::start(config).await;
    let apps = http.get(format!("{}/api/_platform/apps", second.base));
    let st = apps.bearer_auth(&token).send().await.unwrap().status();
    assert_eq!(st.as_u16(), 200, "token signed before the restart");
    second.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_secret_survives_restart_sqlite() {
    generated_secret_survives_restart(Db::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn generated_secret_survives_restart_postgres() {
    generated_secret_survives_restart(Db::Postgres).await;
}

/// Findings 2 and 10: no table, column or join table may name a catalog or a system
/// table, in the admin API and in import.
async fn catalog_and_system_names_are_refused(t: T) {
    let entity = |table: &str, field: &str| {
        json!({"name": "evil", "table": table,
               "primary_key": {"field": "id", "type": "uuid", "generated": true},
               "fields": [{"name": "id", "type": "uuid"}, {"name": field, "type": "string"}]})
    };
    for table in [
        "pg_authid",
        "pg_database",
        "pg_stat_activity",
        "sqlite_master",
        "_users",
        "_apps",
    ] {
        let r = t.post("/_admin/entities", entity(table, "name")).await;
        assert!(
            r.error(422, "VALIDATION_FAILED")["message"]
                .as_str()
                .unwrap()
                .contains("table name"),
            "{table}: {}",
            r.body
        );
    }
    for field in ["pg_x", "_secret", "sqlite_y"] {
        t.post("/_admin/entities", entity("evil", field))
            .await
            .error(422, "VALIDATION_FAILED");
    }
    t.entities(json!({
        "doc": [{"name": "title", "type": "string"}],
        "tag": [{"name": "label", "type": "string"}],
    }))
    .await;
    let m2m = |join: &str| many_to_many("tags", "doc", "tag", join);
    for join in ["_users", "pg_authid", "sqlite_master", "doc"] {
        t.post("/_admin/relations", m2m(join))
            .await
            .error(422, "VALIDATION_FAILED");
    }
    // Import refuses them the same way and creates nothing.
    let r = t
        .post(
            "/_admin/import",
            json!({"version": 1, "entities": [entity("pg_database", "name")],
                   "relations": [m2m("_users")]}),
        )
        .await;
    let data = r.data(200);
    assert_eq!(data["summary"]["entities"], json!(0));
    assert_eq!(data["summary"]["relations"], json!(0));
    assert_eq!(data["errors"].as_array().map(Vec::len), Some(2), "{data}");
    t.get("/evil").await.error(404, "UNKNOWN_ENTITY");
    // A definition planted in the database by other means is never served.
    let def = entity("pg_authid", "rolname")
        .to_string()
        .replace('\'', "''");
    t.exec_sql(&format!(
        "INSERT INTO _entities (name, table_name, definition) VALUES ('evil', 'pg_authid', '{def}')"
    ))
    .await;
    t.entity("other", json!([{"name": "x", "type": "string"}]))
        .await;
    t.get("/evil").await.error(404, "UNKNOWN_ENTITY");
}

/// Finding 2: the server runs with a role that is not a superuser (CREATEDB, owner
/// of the databases it creates).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_least_privilege_role() {
    if !common::pg_available().await {
        return;
    }
    let suffix = common::rand_suffix();
    let role = format!("rt_lp_{suffix}");
    let mgmt = format!("{role}_mgmt");
    let app = format!("lp{suffix}");
    common::pg_admin_sync(vec![format!(
        "CREATE ROLE \"{role}\" LOGIN CREATEDB NOSUPERUSER NOCREATEROLE"
    )]);
    struct Cleanup(String, String, String);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            common::pg_admin_sync(vec![
                format!("DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)", self.1),
                format!("DROP DATABASE IF EXISTS \"rocket_{}\" WITH (FORCE)", self.2),
                format!("DROP ROLE IF EXISTS \"{}\"", self.0),
            ]);
        }
    }
    let _cleanup = Cleanup(role.clone(), mgmt.clone(), app.clone());
    let dir = tempfile::tempdir().unwrap();
    let mut config = common::pg_config_for(dir.path(), &mgmt);
    config.database.user = role.clone();
    let server = common::start(config).await;
    let http = reqwest::Client::new();
    let base = server.base.clone();
    let ptok = common::platform_login(&http, &base).await;
    let t = T {
        data_dir: std::path::PathBuf::new(),
        http: http.clone(),
        base: base.clone(),
        app: app.clone(),
        token: Some(ptok.clone()),
        platform_token: ptok.clone(),
        db: Db::Postgres,
    };
    t.post("/api/_platform/apps", json!({"name": app}))
        .await
        .expect(201);
    let note = json!([{"name": "body", "type": "string", "unique": true}]);
    t.entity("note", note).await;
    let n = t.create("note", json!({"body": "hello"})).await;
    t.update(&format!("/note/{}", id(&n)), json!({"body": "again"}))
        .await;
    assert_eq!(t.total("note", "").await, json!(1));
    t.delete(&format!("/api/_platform/apps/{app}"))
        .await
        .expect(200);
    server.stop().await;
}

fn tight(c: &mut Config) {
    c.limits.statement_timeout_ms = 1_500;
    c.limits.include_rows = 10;
    c.server.header_read_timeout_ms = 400;
    c.server.write_timeout_ms = 600;
}

/// Finding 5: long filter values are refused; a runaway statement is cancelled by
/// the statement timeout while the rest of the server keeps answering.
async fn runaway_queries_are_bounded(t: T) {
    t.entity("blob", json!([{"name": "body", "type": "text"}]))
        .await;
    t.create("blob", json!({"body": "a".repeat(2_000)})).await;
    let long = format!("%{}", "a".repeat(1_000));
    t.get(&format!(
        "/blob?filter[body.like]={}",
        long.replace('%', "%25")
    ))
    .await
    .error(400, "INVALID_PAYLOAD");
    // An endless view mapped as an entity: counting it never finishes by itself.
    t.exec_sql(match t.db {
        Db::Postgres => {
            "CREATE VIEW endless AS SELECT gen_random_uuid() AS id, 'x'::text AS body \
             FROM generate_series(1::bigint, 9000000000000000000::bigint)"
        }
        Db::Sqlite => {
            "CREATE VIEW endless AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) \
             SELECT lower(hex(randomblob(16))) AS id, 'x' AS body FROM c"
        }
    })
    .await;
    t.post(
        "/_admin/entities",
        json!({"name": "endless", "table": "endless",
               "primary_key": {"field": "id", "type": "uuid", "generated": true},
               "fields": [{"name": "id", "type": "uuid"}, {"name": "body", "type": "text"}]}),
    )
    .await
    .expect(201);
    let slow: Vec<_> = (0..5)
        .map(|_| {
            let t = t.clone();
            tokio::spawn(async move { t.get("/endless").await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let started = Instant::now();
    t.anon().get("/health").await.expect(200);
    assert!(
        started.elapsed() < Duration::from_millis(1_000),
        "/health is not stuck behind the slow statements ({:?})",
        started.elapsed()
    );
    for s in slow {
        let r = tokio::time::timeout(Duration::from_secs(20), s)
            .await
            .expect("the statement timeout ends the request")
            .unwrap();
        r.error(504, "TIMEOUT");
    }
    // The app's connections are usable again.
    t.get("/blob").await.expect(200);
}

/// Finding 7: includes are bounded per parent and say so; long key lists never hit
/// SQLite's variable limit.
async fn includes_are_bounded(t: T) {
    t.entities(json!({
        "doc": [{"name": "title", "type": "string"}],
        "tag": [{"name": "label", "type": "string"}],
        "line": [{"name": "doc_id", "type": "uuid"}, {"name": "n", "type": "int"}],
    }))
    .await;
    t.relations([
        many_to_many("tags", "doc", "tag", "doc_tags"),
        one_to_many("lines", "doc", "line", "doc_id"),
    ])
    .await;
    let mut tags = Vec::new();
    for i in 0..25 {
        tags.push(json!({"id": t.create("tag", json!({"label": format!("t{i}")})).await["id"]}));
    }
    let lines: Vec<Value> = (0..12).map(|i| json!({"n": i})).collect();
    let doc = t
        .create(
            "doc",
            json!({"title": "big", "tags": {"data": tags}, "lines": {"data": lines}}),
        )
        .await;
    t.create("doc", json!({"title": "small"})).await;
    let one = t
        .get(&format!("/doc/{}?include=tags,lines", id(&doc)))
        .await;
    let body = one.expect(200);
    assert_eq!(body["data"]["tags"].as_array().unwrap().len(), 10);
    assert_eq!(body["data"]["lines"].as_array().unwrap().len(), 10);
    assert_eq!(
        body["meta"]["truncated_includes"],
        json!({"tags": 10, "lines": 10})
    );
    // A cut keeps the first rows by key, for one parent as for a page of them.
    let keys = |v: &Value| {
        let mut k: Vec<String> = v.as_array().unwrap().iter().map(id).collect();
        k.sort();
        k
    };
    let mut first = keys(&t.list("line", "per_page=100").await["data"]);
    first.truncate(10);
    assert_eq!(keys(&body["data"]["lines"]), first);
    let list = t
        .list("doc", "include=tags,lines&per_page=100&sort=title")
        .await;
    assert_eq!(keys(&list["data"][0]["lines"]), first);
    assert_eq!(list["data"][0]["tags"].as_array().unwrap().len(), 10);
    assert_eq!(list["data"][1]["tags"], json!([]));
    assert_eq!(
        list["meta"]["truncated_includes"],
        json!({"tags": 10, "lines": 10})
    );
    // Nothing cut: no extra meta.
    let small = t.list("doc", "filter[title]=small&include=tags").await;
    assert!(small["meta"].get("truncated_includes").is_none());
    assert_eq!(
        small["meta"].as_object().unwrap().len(),
        3,
        "exactly page, per_page, total"
    );
    // Exactly the limit: every row, no cut reported.
    let ten: Vec<Value> = (0..10).map(|i| json!({"n": i})).collect();
    let full = t
        .create("doc", json!({"title": "ten", "lines": {"data": ten}}))
        .await;
    let full = t.get(&format!("/doc/{}?include=lines", id(&full))).await;
    let full = full.expect(200);
    assert_eq!(full["data"]["lines"].as_array().unwrap().len(), 10);
    assert!(full["meta"].get("truncated_includes").is_none());
    // A long `in` list binds as one parameter on SQLite.
    let ids: Vec<String> = (0..150).map(|i| i.to_string()).collect();
    let r = t
        .list("line", &format!("filter[n.in]={}", ids.join(",")))
        .await;
    assert_eq!(r["meta"]["total"], json!(22));
}

/// Finding 8: query shapes are bounded (400, never 500).
async fn query_shapes_are_bounded(t: T) {
    t.entity("item", json!([{"name": "name", "type": "string"}]))
        .await;
    t.get(&format!("/item?sort={}", ["name"; 11].join(",")))
        .await
        .error(400, "INVALID_PAYLOAD");
    t.get(&format!("/item?sort={}", vec!["-name"; 2_000].join(",")))
        .await
        .error(400, "INVALID_PAYLOAD");
    t.get(&format!("/item?sort={}", ["name"; 10].join(",")))
        .await
        .expect(200);
    let filters: Vec<String> = (0..51).map(|i| format!("filter[name{i}]=x")).collect();
    // Unknown fields are 400 anyway; the count check comes first.
    let r = t.get(&format!("/item?{}", filters.join("&"))).await;
    let m = r.error(400, "INVALID_PAYLOAD")["message"].clone();
    assert!(m.as_str().unwrap().contains("Too many filters"), "{m}");
    let r = t
        .get(&format!(
            "/item?{}",
            (0..1_000)
                .map(|i| format!("filter[x{i}.eq]=1"))
                .collect::<Vec<_>>()
                .join("&")
        ))
        .await;
    r.error(400, "INVALID_PAYLOAD");
    t.get(&format!("/item?include={}", ["x"; 11].join(",")))
        .await
        .error(400, "INVALID_PAYLOAD");
}

async fn raw_request(t: &T, head: &[u8]) -> (u16, String, Value) {
    let addr = t.base.trim_start_matches("http://").to_string();
    let mut s = tokio::net::TcpStream::connect(addr).await.unwrap();
    s.write_all(head).await.unwrap();
    let mut buf = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut buf)).await;
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text.get(9..12).and_then(|x| x.parse().ok()).unwrap_or(0);
    let body = text.split("\r\n\r\n").nth(1).unwrap_or("");
    let v = serde_json::from_str(body).unwrap_or(Value::Null);
    (status, text, v)
}

/// Finding 9: requests rejected before routing still get the error envelope.
async fn oversized_requests_use_the_envelope(t: T) {
    let long = format!(
        "GET /api/{}/x?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
        t.app,
        "a".repeat(70_000)
    );
    let (st, text, v) = raw_request(&t, long.as_bytes()).await;
    assert_eq!(st, 414, "{}", &text[..text.len().min(300)]);
    assert!(text
        .to_ascii_lowercase()
        .contains("content-type: application/json"));
    assert_eq!(v["error"]["code"], json!("URI_TOO_LONG"));
    let mut head = String::from("GET /health HTTP/1.1\r\nHost: x\r\n");
    for i in 0..150 {
        head.push_str(&format!("x-h{i}: v\r\n"));
    }
    head.push_str("\r\n");
    let (st, _, v) = raw_request(&t, head.as_bytes()).await;
    assert_eq!(st, 431);
    assert_eq!(v["error"]["code"], json!("HEADERS_TOO_LARGE"));
    let (st, _, v) = raw_request(&t, b"BLAH\x01 / HTTP/1.1\r\n\r\n").await;
    assert_eq!(st, 400);
    assert!(v["error"]["message"].is_string());
}

/// Finding 13: half-sent heads, idle keep-alive connections and clients that stop
/// reading their response are dropped.
async fn slow_clients_are_dropped(t: T) {
    let addr = t.base.trim_start_matches("http://").to_string();
    t.entity("big", json!([{"name": "body", "type": "text"}]))
        .await;
    let chunk = "x".repeat(250_000);
    for _ in 0..60 {
        t.create("big", json!({"body": chunk})).await;
    }
    let mut stuck = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let head = format!(
        "GET /api/{}/big?per_page=100 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\r\n",
        t.app,
        t.token.clone().unwrap()
    );
    stuck.write_all(head.as_bytes()).await.unwrap();
    // Wait until the answer starts arriving (it is complete in memory then, however
    // long a loaded machine took to build it); from here on nothing reads it.
    let mut first_byte = [0u8; 1];
    tokio::time::timeout(Duration::from_secs(60), stuck.peek(&mut first_byte))
        .await
        .expect("the response started")
        .unwrap();
    let mut half = tokio::net::TcpStream::connect(&addr).await.unwrap();
    half.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let mut idle = tokio::net::TcpStream::connect(&addr).await.unwrap();
    idle.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 512];
    let n = idle.read(&mut first).await.unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"));
    // Let every deadline pass before reading anything more.
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    for s in [&mut half, &mut idle, &mut stuck] {
        let mut buf = vec![0u8; 64 * 1024];
        let mut got = 0usize;
        let closed = tokio::time::timeout(Duration::from_secs(5), async {
            loop {
                match s.read(&mut buf).await {
                    Ok(0) | Err(_) => return,
                    Ok(n) => got += n,
                }
            }
        })
        .await;
        assert!(closed.is_ok(), "the server closed the connection");
        assert!(
            got < 15_000_000,
            "the stuck response was cut short ({got} bytes)"
        );
    }
}

/// Finding 6: a failed migration leaves definition and table as they were.
async fn failed_migrations_change_nothing(t: T) {
    t.entity("acct", json!([{"name": "code", "type": "string"}]))
        .await;
    t.create("acct", json!({"code": "a"})).await;
    t.create("acct", json!({"code": "a"})).await;
    let definition = || async { t.fetch("/_admin/entities/acct").await["definition"].clone() };
    let before = definition().await;
    let mut def = before.clone();
    let big = json!({"name": "big", "type": "int", "required": true, "default": 3_000_000_000i64});
    push_field(&mut def, big);
    t.put("/_admin/entities/acct", def)
        .await
        .error(422, "VALIDATION_FAILED");
    let mut def = before.clone();
    def["fields"][1]["unique"] = json!(true);
    push_field(&mut def, json!({"name": "extra", "type": "string"}));
    t.put("/_admin/entities/acct", def)
        .await
        .error(409, "CONFLICT");
    assert_eq!(definition().await, before, "definition unchanged");
    // Rows are reachable, the column was not added, duplicates are still allowed.
    let rows = t.list("acct", "").await;
    assert_eq!(rows["meta"]["total"], json!(2));
    assert!(rows["data"][0].get("extra").is_none());
    t.create("acct", json!({"code": "a"})).await;
    // The same change with a declared composite unique index fails the same way.
    let mut def = before.clone();
    def["indexes"] = json!([{"fields": ["code"], "unique": true}]);
    t.put("/_admin/entities/acct", def)
        .await
        .error(409, "CONFLICT");
    assert_eq!(definition().await, before);
}

/// Finding 11: bcrypt's 72-byte limit is refused, never a silent cut.
async fn passwords_over_72_bytes_are_refused(t: T) {
    let p72 = "p".repeat(72);
    let p73 = "p".repeat(73);
    t.post(
        "/_admin/users",
        json!({"email": "long@x.io", "password": p73}),
    )
    .await
    .error(422, "VALIDATION_FAILED");
    let id = t
        .post(
            "/_admin/users",
            json!({"email": "long@x.io", "password": p72}),
        )
        .await
        .data(201)["id"]
        .as_str()
        .unwrap()
        .to_string();
    t.login("long@x.io", &p72).await;
    t.anon()
        .post(
            "/auth/login",
            json!({"email": "long@x.io", "password": format!("{p72}-extra")}),
        )
        .await
        .error(401, "UNAUTHORIZED");
    t.put(
        &format!("/_admin/users/{id}"),
        json!({"email": "long@x.io", "password": p73}),
    )
    .await
    .error(422, "VALIDATION_FAILED");
    let inv = t
        .post("/_admin/invites", json!({"email": "inv@x.io"}))
        .await
        .data(201)["token"]
        .clone();
    t.anon()
        .post(
            "/auth/accept-invite",
            json!({"token": inv, "password": "é".repeat(37)}),
        )
        .await
        .error(422, "VALIDATION_FAILED");
}

/// Finding 12: both dialects answer edge values alike.
async fn dialects_agree_on_edge_values(t: T) {
    t.post(
        "/_admin/entities",
        json!({"name": "tag", "table": "tag",
               "primary_key": {"field": "id", "type": "int", "generated": true},
               "fields": [{"name": "id", "type": "int"}, {"name": "n", "type": "int"},
                          {"name": "s", "type": "string"}, {"name": "j", "type": "json"}]}),
    )
    .await
    .expect(201);
    let row = t.create("tag", json!({"n": 1})).await;
    assert!(row["id"].is_number());
    t.get("/tag/2147483648").await.error(404, "NOT_FOUND");
    t.get("/tag/99999999999999999999")
        .await
        .error(404, "NOT_FOUND");
    t.put("/tag/2147483648", json!({"n": 2}))
        .await
        .error(404, "NOT_FOUND");
    t.delete("/tag/2147483648").await.error(404, "NOT_FOUND");
    for bad in [
        json!({"n": 3_000_000_000i64}),
        json!({"n": -2_147_483_649i64}),
        json!({"s": "nul\u{0}byte"}),
        json!({"j": {"k": "nul\u{0}"}}),
    ] {
        let r = t.post("/tag", bad.clone()).await;
        r.error(422, "VALIDATION_FAILED");
    }
    t.get("/tag?filter[s]=a%00b")
        .await
        .error(400, "INVALID_PAYLOAD");
    t.get("/tag/1%00").await.error(404, "NOT_FOUND");
    t.anon()
        .post(
            "/auth/login",
            json!({"email": "admin@localhost\u{0}", "password": "changeme"}),
        )
        .await
        .error(401, "UNAUTHORIZED");
    assert_eq!(t.list("tag", "").await["meta"]["total"], json!(1));
}

both!(
    default_secrets_forge_nothing,
    catalog_and_system_names_are_refused,
    query_shapes_are_bounded,
    oversized_requests_use_the_envelope,
    failed_migrations_change_nothing,
    passwords_over_72_bytes_are_refused,
    dialects_agree_on_edge_values,
);

both_with!(
    tight;
    runaway_queries_are_bounded,
    includes_are_bounded,
    slow_clients_are_dropped,
);

/// The probe's `viewer`: `doc` read where `department = sales`, update where `status
/// = draft`, create; `note` read where `private = false`; `tag` read where `visible`.
async fn viewer_setup(t: &T) -> T {
    t.entities(json!({
        "doc": [{"name": "title", "type": "string"}, {"name": "department", "type": "string"},
                {"name": "status", "type": "string"}],
        "note": [{"name": "doc_id", "type": "uuid"}, {"name": "body", "type": "string"},
                 {"name": "private", "type": "boolean"}],
        "tag": [{"name": "label", "type": "string"}, {"name": "visible", "type": "boolean"}],
    }))
    .await;
    t.relations([
        one_to_many("notes", "doc", "note", "doc_id"),
        many_to_many("tags", "doc", "tag", "doc_tags"),
    ])
    .await;
    let eq = |f: &str, v: Value| json!([{"field": f, "operator": "eq", "value": v}]);
    for (entity, action, conditions) in [
        ("doc", "read", eq("department", json!("sales"))),
        ("doc", "update", eq("status", json!("draft"))),
        ("doc", "delete", eq("status", json!("draft"))),
        ("doc", "create", json!([])),
        ("note", "read", eq("private", json!(false))),
        ("tag", "read", eq("visible", json!(true))),
    ] {
        t.permission(entity, action, json!(["viewer"]), conditions)
            .await;
    }
    t.as_user("viewer@x.io", json!(["viewer"])).await
}

/// Finding 3: a row the caller cannot read is 404 for update and delete too, and a
/// write never answers with a row its caller cannot read.
async fn read_filters_guard_writes(t: T) {
    let v = viewer_setup(&t).await;
    let doc = |title: &str, department: &str, status: &str| json!({"title": title, "department": department, "status": status});
    let hidden = t.create("doc", doc("h", "hr", "draft")).await;
    let hidden = format!("/doc/{}", id(&hidden));
    v.put(&hidden, json!({})).await.error(404, "NOT_FOUND");
    v.not_found(&hidden, json!({"title": "x"})).await;
    assert_eq!(t.fetch(&hidden).await["title"], json!("h"), "untouched");
    // A visible draft moved out of the caller's sight: written, answered by key only.
    let mine = t.create("doc", doc("m", "sales", "draft")).await;
    let mid = id(&mine);
    let moved = v
        .update(&format!("/doc/{mid}"), json!({"department": "hr"}))
        .await;
    assert_eq!(moved, json!({"id": mid}));
    let stored = t.fetch(&format!("/doc/{mid}")).await;
    assert_eq!(stored["department"], json!("hr"));
    // The same for a create the caller cannot read back.
    let made = v
        .post("/doc", doc("c", "hr", "draft"))
        .await
        .data(201)
        .clone();
    assert_eq!(made.as_object().unwrap().len(), 1, "{made}");
    let seen = v.post("/doc", doc("s", "sales", "draft")).await;
    let why = "readable rows come back whole";
    assert_eq!(seen.data(201)["title"], json!("s"), "{why}");
    // Write conditions still apply to readable rows.
    let published = t.create("doc", doc("p", "sales", "published")).await;
    let published = format!("/doc/{}", id(&published));
    let r = v.put(&published, json!({"title": "x"})).await;
    r.error(403, "FORBIDDEN");
    v.delete(&published).await.error(403, "FORBIDDEN");
}

/// Finding 4: nested writes are checked against the child entity's policies and its
/// read filters; a denied child fails the whole request.
async fn nested_writes_check_child_permissions(t: T) {
    let v = viewer_setup(&t).await;
    let docs_before = t.total("doc", "").await;
    v.post(
        "/doc",
        json!({"title": "n", "department": "sales", "status": "draft",
               "notes": {"data": [{"body": "x", "private": true}]}}),
    )
    .await
    .error(403, "FORBIDDEN");
    assert_eq!(t.total("doc", "").await, docs_before, "rolled back");
    assert_eq!(t.total("note", "").await, json!(0));
    // Admin prepares a visible draft with a private and a public note.
    let doc = t
        .create(
            "doc",
            json!({"title": "d", "department": "sales", "status": "draft",
                   "notes": {"data": [{"body": "secret", "private": true}, {"body": "open", "private": false}]}}),
        )
        .await;
    let path = format!("/doc/{}", id(&doc));
    let notes = t.list("note", "sort=body").await;
    let secret = id(&notes["data"][1]);
    let open = id(&notes["data"][0]);
    // A PUT to the draft as the viewer.
    let as_viewer = |body: Value| {
        let (v, path) = (v.clone(), path.clone());
        async move { v.put(&path, body).await }
    };
    // Replacing would remove the public note: no note delete permission → 403.
    let replace_notes = json!({"notes": {"_write_mode": "replace", "data": []}});
    as_viewer(replace_notes.clone())
        .await
        .error(403, "FORBIDDEN");
    // A hidden note is as absent as an unknown one: its _delete is ignored.
    let delete_secret = json!({"notes": {"data": [{"id": secret, "_delete": true}]}});
    as_viewer(delete_secret).await.expect(200);
    // Updating a visible note needs note update permission.
    let change_open = json!({"notes": {"data": [{"id": open, "body": "changed"}]}});
    as_viewer(change_open).await.error(403, "FORBIDDEN");
    assert_eq!(t.total("note", "").await, json!(2));
    // With note delete permission, replace removes only what the viewer can see.
    t.permission("note", "delete", json!(["viewer"]), json!([]))
        .await;
    as_viewer(replace_notes).await.expect(200);
    let left = t.list("note", "").await;
    assert_eq!(left["meta"]["total"], json!(1));
    let why = "the private note survived";
    assert_eq!(left["data"][0]["id"], json!(secret), "{why}");
    // Links: only targets the viewer can read; replace keeps links to hidden ones.
    let shown = t
        .create("tag", json!({"label": "s", "visible": true}))
        .await;
    let hid = t
        .create("tag", json!({"label": "h", "visible": false}))
        .await;
    let (sid, hid) = (shown["id"].clone(), hid["id"].clone());
    t.update(&path, json!({"tags": {"data": [{"id": hid}]}}))
        .await;
    as_viewer(json!({"tags": {"data": [{"id": hid}]}}))
        .await
        .error(403, "FORBIDDEN");
    let unlink_hidden = json!({"tags": {"data": [{"id": hid, "_delete": true}]}});
    as_viewer(unlink_hidden).await.error(403, "FORBIDDEN");
    let replace_tags = json!({"tags": {"_write_mode": "replace", "data": [{"id": sid}]}});
    as_viewer(replace_tags).await.expect(200);
    let linked = t.fetch(&format!("{path}?include=tags")).await;
    let why = "the hidden link survived the viewer's replace";
    assert_eq!(sorted(&linked["tags"], "label"), ["h", "s"], "{why}");
}

/// One counter record, read and written with the admin's token.
#[derive(Clone)]
struct Counter {
    http: reqwest::Client,
    url: String,
    token: String,
}

impl Counter {
    /// The current ETag and `n`.
    async fn read(&self) -> (String, i64) {
        let r = self.http.get(&self.url).bearer_auth(&self.token);
        let r = r.send().await.unwrap();
        let tag = r.headers()["etag"].to_str().unwrap().to_string();
        let v: Value = r.json().await.unwrap();
        (tag, v["data"]["n"].as_i64().unwrap())
    }

    /// Sends `m` with the precondition header `header: tag` and, for a PUT, `n`.
    async fn send(&self, m: Method, header: &str, tag: &str, n: Option<i64>) -> reqwest::Response {
        let rb = self.http.request(m, &self.url).bearer_auth(&self.token);
        let rb = rb.header(header, tag);
        let rb = match n {
            Some(n) => rb.json(&json!({ "n": n })),
            None => rb,
        };
        rb.send().await.unwrap()
    }
}

/// Optimistic concurrency: records carry an ETag, `If-Match` guards PUT and DELETE.
async fn etags_guard_concurrent_writes(t: T) {
    t.entity("counter", json!([{"name": "n", "type": "int"}]))
        .await;
    let c = t.create("counter", json!({"n": 0})).await;
    let counter = Counter {
        http: t.http.clone(),
        url: t.url(&format!("/counter/{}", id(&c))),
        token: t.token.clone().unwrap(),
    };
    let (tag, _) = counter.read().await;
    let r = counter.send(Method::GET, "if-none-match", &tag, None).await;
    assert_eq!(r.status().as_u16(), 304);
    // 20 clients × 3 read-modify-write increments, retrying on 412.
    let mut workers = Vec::new();
    for _ in 0..20 {
        let counter = counter.clone();
        workers.push(tokio::spawn(async move {
            let mut done = 0;
            while done < 3 {
                let (tag, n) = counter.read().await;
                let r = counter
                    .send(Method::PUT, "if-match", &tag, Some(n + 1))
                    .await;
                match r.status().as_u16() {
                    200 => done += 1,
                    412 => {}
                    s => panic!("unexpected {s}: {}", r.text().await.unwrap()),
                }
            }
        }));
    }
    for w in workers {
        w.await.unwrap();
    }
    let (tag, n) = counter.read().await;
    assert_eq!(n, 60, "no lost update");
    let stale = "\"00000000000000000000000000000000\"";
    let r = counter.send(Method::DELETE, "if-match", stale, None).await;
    assert_eq!(r.status().as_u16(), 412);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["error"]["code"], json!("PRECONDITION_FAILED"));
    let r = counter.send(Method::DELETE, "if-match", &tag, None).await;
    assert_eq!(r.status().as_u16(), 200);
}

/// A record read with `include` holds other records too: its tag (the record's own,
/// for `If-Match`) never answers 304, so a changed child is never served stale.
async fn includes_are_never_not_modified(t: T) {
    t.entities(json!({"invoice": [{"name": "no", "type": "string"}],
                      "item": [{"name": "sku", "type": "string"}, {"name": "invoice_id", "type": "uuid"}]}))
        .await;
    t.relation(
        json!({"name": "items", "type": "one_to_many", "source": "invoice", "target": "item",
                      "source_key": "id", "target_key": "invoice_id", "ownership": "source"}),
    )
    .await;
    let inv = t.create("invoice", json!({"no": "A-1"})).await;
    let token = t.token.clone().unwrap();
    let get = |path: String, tag: Option<String>| {
        let mut rb = t.http.get(t.url(&path)).bearer_auth(&token);
        if let Some(tag) = tag {
            rb = rb.header("if-none-match", tag);
        }
        rb.send()
    };
    let with_items = format!("/invoice/{}?include=items", id(&inv));
    let r = get(with_items.clone(), None).await.unwrap();
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    let put = json!({"items": {"data": [{"sku": "NEW-9"}]}});
    t.update(&format!("/invoice/{}", id(&inv)), put).await;
    let r = get(with_items, Some(tag)).await.unwrap();
    assert_eq!(
        r.status().as_u16(),
        200,
        "a changed child is not 'not modified'"
    );
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["data"]["items"][0]["sku"], json!("NEW-9"));
    // Without includes the record's own tag still answers 304.
    let plain = format!("/invoice/{}", id(&inv));
    let r = get(plain.clone(), None).await.unwrap();
    let tag = r.headers()["etag"].to_str().unwrap().to_string();
    let r = get(plain, Some(tag)).await.unwrap();
    assert_eq!(r.status().as_u16(), 304);
}

both!(
    read_filters_guard_writes,
    nested_writes_check_child_permissions,
    etags_guard_concurrent_writes,
    includes_are_never_not_modified,
);
