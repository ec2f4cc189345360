//! Test harness: a real server per test, a fresh app per test, HTTP over a socket.
//!
//! Databases come from `rocket-testkit`: SQLite in a temp directory; Postgres on
//! 127.0.0.1:5432 (user `postgres`, override with `ROCKET_TEST_PG_HOST/PORT/USER/
//! PASSWORD`) with a management database of the test's own, dropped with every app
//! database when the test ends, also when it fails. When `CI` is set an unreachable
//! Postgres fails the Postgres tests; otherwise they are skipped with a note.

#![allow(dead_code)]

use std::future::Future;
use std::net::SocketAddr;

use reqwest::{Client, Method, StatusCode};
use rocket_server::{Config, Server};
use serde_json::{json, Value};

/// Generates `<name>::sqlite` and `<name>::postgres` tests from `async fn name(t: T)`.
#[macro_export]
macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::common::run($crate::common::Db::Sqlite, super::$name).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::common::run($crate::common::Db::Postgres, super::$name).await;
            }
        }
    )*};
}

/// [`both!`] with a configuration tweak `fn(&mut Config)` defined beside the tests.
#[macro_export]
macro_rules! both_with {
    ($tweak:ident; $($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::common::run_with($crate::common::Db::Sqlite, super::$tweak, super::$name).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::common::run_with($crate::common::Db::Postgres, super::$tweak, super::$name).await;
            }
        }
    )*};
}

pub use rocket_testkit::{
    env, pg_available, pg_config_for, sqlite_config, suffix as rand_suffix, Db, TestDb,
};

/// Runs administrative SQL on the `postgres` database as the test superuser.
pub fn pg_admin_sync(sqls: Vec<String>) {
    rocket_testkit::pg_sync("postgres", sqls);
}

pub struct Running {
    pub base: String,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<()>>,
}

impl Running {
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(h) = self.handle.take() {
            let _ = h.await;
        }
    }
}

/// Starts a server with `config` on 127.0.0.1:0.
pub async fn start(config: Config) -> Running {
    let addr: SocketAddr = "127.0.0.1:0".parse().unwrap();
    let server = Server::build(config, addr).await.expect("server starts");
    let bound = server.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let handle = tokio::spawn(async move {
        server
            .run(async {
                let _ = rx.await;
            })
            .await;
    });
    Running {
        base: format!("http://{bound}"),
        stop: Some(tx),
        handle: Some(handle),
    }
}

/// Runs one test body against a fresh server and a fresh app.
pub async fn run<F, Fut>(db: Db, body: F)
where
    F: FnOnce(T) -> Fut,
    Fut: Future<Output = ()>,
{
    run_with(db, |_| {}, body).await
}

/// [`run`] with a configuration change (short timeouts, small limits).
pub async fn run_with<F, Fut>(db: Db, tweak: impl FnOnce(&mut Config), body: F)
where
    F: FnOnce(T) -> Fut,
    Fut: Future<Output = ()>,
{
    let Some(mut tdb) = TestDb::new(db).await else {
        return;
    };
    tweak(&mut tdb.config);
    let server = start(tdb.config.clone()).await;
    let http = Client::new();
    let platform_token = platform_login(&http, &server.base).await;
    let app = format!("t{}", rand_suffix());
    let platform = T {
        data_dir: tdb.dir.path().to_path_buf(),
        http: http.clone(),
        base: server.base.clone(),
        app: app.clone(),
        token: Some(platform_token.clone()),
        platform_token,
        db,
    };
    let t = platform.new_app(&app).await;
    body(t).await;
    let _ = platform.delete(&format!("/api/_platform/apps/{app}")).await;
    server.stop().await;
}

/// Logs in as the seeded platform admin of the server at `base`.
pub async fn platform_login(http: &Client, base: &str) -> String {
    let url = format!("{base}/api/_platform/auth/login");
    login(http, &url, "platform@localhost", "changeme").await
}

/// Logs in as the seeded admin of `app` on the server at `base`.
pub async fn admin_login(http: &Client, base: &str, app: &str) -> String {
    let url = format!("{base}/api/{app}/auth/login");
    login(http, &url, "admin@localhost", "changeme").await
}

pub async fn login(http: &Client, url: &str, email: &str, password: &str) -> String {
    let (st, v) = send(
        http,
        Method::POST,
        url,
        None,
        Some(json!({"email": email, "password": password})),
    )
    .await;
    assert_eq!(st, StatusCode::OK, "login {email}: {v}");
    v["data"]["access_token"]
        .as_str()
        .expect("access token")
        .to_string()
}

pub async fn send(
    http: &Client,
    m: Method,
    url: &str,
    token: Option<&str>,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let rb = http.request(m, url);
    let rb = match token {
        Some(t) => rb.bearer_auth(t),
        None => rb,
    };
    let rb = match body {
        Some(b) => rb.json(&b),
        None => rb,
    };
    let r = rb.send().await.expect("request sent");
    let st = r.status();
    let text = r.text().await.unwrap_or_default();
    let v = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("non-JSON response ({st}): {text}"))
    };
    (st, v)
}

/// A client bound to one app, with the app admin's token by default.
#[derive(Clone)]
pub struct T {
    pub data_dir: std::path::PathBuf,
    pub http: Client,
    pub base: String,
    pub app: String,
    pub token: Option<String>,
    pub platform_token: String,
    pub db: Db,
}

pub struct Resp {
    pub status: StatusCode,
    pub body: Value,
}

impl Resp {
    /// Asserts the status and returns the body.
    #[track_caller]
    pub fn expect(&self, status: u16) -> &Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        &self.body
    }

    #[track_caller]
    pub fn data(&self, status: u16) -> &Value {
        &self.expect(status)["data"]
    }

    /// Asserts an error envelope with this status and code; returns the error object.
    #[track_caller]
    pub fn error(&self, status: u16, code: &str) -> &Value {
        let e = &self.expect(status)["error"];
        assert_eq!(e["code"], json!(code), "error code; body: {}", self.body);
        assert!(
            e["message"].is_string(),
            "message must be a string: {}",
            self.body
        );
        let keys: Vec<&String> = e.as_object().expect("error object").keys().collect();
        assert!(
            keys.iter()
                .all(|k| ["code", "message", "details"].contains(&k.as_str())),
            "extra keys in error: {}",
            self.body
        );
        if let Some(d) = e.get("details") {
            assert!(
                d.as_array().is_some_and(|a| !a.is_empty()),
                "details must be omitted when empty"
            );
        }
        e
    }

    /// Asserts an error envelope with this status, code and message.
    #[track_caller]
    pub fn error_is(&self, status: u16, code: &str, message: &str) {
        let e = self.error(status, code);
        assert_eq!(e["message"], json!(message), "body: {}", self.body);
    }
}

/// An HS256 JWT over `claims`, signed with `secret`.
pub fn sign(secret: &[u8], claims: Value) -> String {
    use base64::Engine;
    use hmac::Mac;
    let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let h = e.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let p = e.encode(claims.to_string());
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(format!("{h}.{p}").as_bytes());
    format!("{h}.{p}.{}", e.encode(mac.finalize().into_bytes()))
}

/// Appends `field` to the fields of entity definition `def`.
pub fn push_field(def: &mut Value, field: Value) {
    def["fields"]
        .as_array_mut()
        .expect("fields array")
        .push(field);
}

/// An entity definition on table `name`: a generated uuid `id`, then `fields`.
pub fn entity_def(name: &str, fields: Value) -> Value {
    let mut all = vec![json!({"name": "id", "type": "uuid"})];
    all.extend(fields.as_array().cloned().unwrap_or_default());
    json!({"name": name, "table": name,
        "primary_key": {"field": "id", "type": "uuid", "generated": true}, "fields": all})
}

/// The `id` of a record, as a string.
pub fn id(record: &Value) -> String {
    record["id"].as_str().expect("record id").to_string()
}

/// The keys of a JSON object, in order.
pub fn keys(object: &Value) -> Vec<String> {
    object
        .as_object()
        .expect("object")
        .keys()
        .cloned()
        .collect()
}

/// The values of `key` over an array of records, in order.
pub fn pluck(records: &Value, key: &str) -> Vec<Value> {
    let rows = records.as_array();
    let rows = rows.unwrap_or_else(|| panic!("expected an array, got {records}"));
    rows.iter().map(|r| r[key].clone()).collect()
}

/// The string values of `key` over an array of records, sorted.
pub fn sorted(records: &Value, key: &str) -> Vec<String> {
    let mut v: Vec<String> = records
        .as_array()
        .unwrap_or_else(|| panic!("expected an array, got {records}"))
        .iter()
        .map(|r| r[key].as_str().expect("a string value").to_string())
        .collect();
    v.sort();
    v
}

/// Entity `person` (name) and, for each of `documents`, an entity (person_id, no).
pub async fn people(t: &T, documents: &[&str]) {
    t.entity("person", json!([{"name": "name", "type": "string"}]))
        .await;
    for d in documents {
        let fields =
            json!([{"name": "person_id", "type": "uuid"}, {"name": "no", "type": "string"}]);
        t.entity(d, fields).await;
    }
}

/// A `one_to_many` relation: `source.id` 1—n `target.target_key`.
pub fn one_to_many(name: &str, source: &str, target: &str, target_key: &str) -> Value {
    json!({"name": name, "type": "one_to_many", "source": source, "target": target,
        "source_key": "id", "target_key": target_key})
}

/// A `one_to_one` relation: `source.id` 1—1 `target.target_key`.
pub fn one_to_one(name: &str, source: &str, target: &str, target_key: &str) -> Value {
    let mut r = one_to_many(name, source, target, target_key);
    r["type"] = json!("one_to_one");
    r
}

/// A `many_to_many` relation from `source.id` through `join_table`
/// (`<source>_id`, `<target>_id`).
pub fn many_to_many(name: &str, source: &str, target: &str, join_table: &str) -> Value {
    json!({"name": name, "type": "many_to_many", "source": source, "target": target,
        "source_key": "id", "join_table": join_table,
        "source_join_key": format!("{source}_id"), "target_join_key": format!("{target}_id")})
}

/// `relation` with the `on_delete` policy `policy`.
pub fn on_delete(mut relation: Value, policy: &str) -> Value {
    relation["on_delete"] = json!(policy);
    relation
}

impl T {
    pub fn url(&self, path: &str) -> String {
        if path.starts_with("/api") || path == "/health" {
            format!("{}{path}", self.base)
        } else {
            format!("{}/api/{}{path}", self.base, self.app)
        }
    }

    pub fn with_token(&self, token: Option<&str>) -> T {
        let mut t = self.clone();
        t.token = token.map(String::from);
        t
    }

    pub fn anon(&self) -> T {
        self.with_token(None)
    }

    /// This client with the platform admin's token.
    pub fn platform(&self) -> T {
        self.with_token(Some(&self.platform_token))
    }

    /// Creates app `name` as the platform admin; returns a client for that app, with
    /// its seeded admin's token.
    pub async fn new_app(&self, name: &str) -> T {
        let p = self.platform();
        p.post("/api/_platform/apps", json!({"name": name}))
            .await
            .expect(201);
        T {
            app: name.to_string(),
            token: Some(admin_login(&self.http, &self.base, name).await),
            ..self.clone()
        }
    }

    /// Deletes app `name` as the platform admin.
    pub async fn drop_app(&self, name: &str) {
        let path = format!("/api/_platform/apps/{name}");
        self.platform().delete(&path).await.expect(200);
    }

    /// Creates an app user with `roles`; returns a client with its token.
    pub async fn as_user(&self, email: &str, roles: Value) -> T {
        let (_, token) = self.user(email, roles).await;
        self.with_token(Some(&token))
    }

    pub async fn req(&self, m: Method, path: &str, body: Option<Value>) -> Resp {
        let (status, body) =
            send(&self.http, m, &self.url(path), self.token.as_deref(), body).await;
        Resp { status, body }
    }

    pub async fn get(&self, path: &str) -> Resp {
        self.req(Method::GET, path, None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> Resp {
        self.req(Method::POST, path, Some(body)).await
    }
    pub async fn put(&self, path: &str, body: Value) -> Resp {
        self.req(Method::PUT, path, Some(body)).await
    }
    pub async fn delete(&self, path: &str) -> Resp {
        self.req(Method::DELETE, path, None).await
    }

    /// Asserts that GET, PUT `put_body` and DELETE on `path` each answer 404 NOT_FOUND.
    pub async fn not_found(&self, path: &str, put_body: Value) {
        self.get(path).await.error(404, "NOT_FOUND");
        self.put(path, put_body).await.error(404, "NOT_FOUND");
        self.delete(path).await.error(404, "NOT_FOUND");
    }

    /// GETs `path`, asserts 200 and returns `data`.
    pub async fn fetch(&self, path: &str) -> Value {
        self.get(path).await.data(200).clone()
    }

    /// PUTs `body` to `path`, asserts 200 and returns `data`.
    pub async fn update(&self, path: &str, body: Value) -> Value {
        self.put(path, body).await.data(200).clone()
    }

    /// Runs SQL directly on the app's database: only for arranging states the API
    /// cannot produce (an expired invite, say).
    pub async fn exec_sql(&self, sql: &str) {
        match self.db {
            Db::Sqlite => self.sqlite().execute_batch(sql).unwrap(),
            Db::Postgres => {
                let (client, h) = self.postgres().await;
                client.batch_execute(sql).await.unwrap();
                drop(client);
                let _ = h.await;
            }
        }
    }

    /// The first column of every row `sql` selects on the app's database, as text:
    /// only for reading what no endpoint lists.
    pub async fn query_texts(&self, sql: &str) -> Vec<String> {
        match self.db {
            Db::Sqlite => {
                let c = self.sqlite();
                let mut st = c.prepare(sql).unwrap();
                let rows = st.query_map([], |r| r.get::<_, String>(0)).unwrap();
                rows.map(Result::unwrap).collect()
            }
            Db::Postgres => {
                let (client, h) = self.postgres().await;
                let rows = client.query(sql, &[]).await.unwrap();
                drop(client);
                let _ = h.await;
                rows.iter().map(|r| r.get::<_, String>(0)).collect()
            }
        }
    }

    fn sqlite(&self) -> rusqlite::Connection {
        let file = self.data_dir.join(format!("rocket_{}.db", self.app));
        rusqlite::Connection::open(file).unwrap()
    }

    /// A connection to the app's Postgres database and its driver task.
    async fn postgres(&self) -> (tokio_postgres::Client, tokio::task::JoinHandle<()>) {
        let mut cfg = tokio_postgres::Config::new();
        cfg.host(env("ROCKET_TEST_PG_HOST", "127.0.0.1"))
            .port(env("ROCKET_TEST_PG_PORT", "5432").parse().unwrap_or(5432))
            .user(env("ROCKET_TEST_PG_USER", "postgres"))
            .dbname(format!("rocket_{}", self.app));
        let pw = env("ROCKET_TEST_PG_PASSWORD", "");
        if !pw.is_empty() {
            cfg.password(&pw);
        }
        let (client, conn) = cfg.connect(tokio_postgres::NoTls).await.unwrap();
        let h = tokio::spawn(async move {
            let _ = conn.await;
        });
        (client, h)
    }

    /// Creates an app user and returns (id, access token).
    pub async fn user(&self, email: &str, roles: Value) -> (String, String) {
        let r = self
            .post(
                "/_admin/users",
                json!({"email": email, "password": "pw-12345", "roles": roles}),
            )
            .await;
        let id = r.data(201)["id"].as_str().unwrap().to_string();
        (id, self.login(email, "pw-12345").await)
    }

    pub async fn permission(
        &self,
        entity: &str,
        action: &str,
        roles: Value,
        conditions: Value,
    ) -> String {
        let r = self
            .post("/_admin/permissions", json!({"entity": entity, "action": action, "roles": roles, "conditions": conditions}))
            .await;
        r.data(201)["id"].as_str().unwrap().to_string()
    }

    /// Sends raw bytes with a content type (malformed-body tests).
    pub async fn raw(
        &self,
        m: Method,
        path: &str,
        content_type: Option<&str>,
        body: Vec<u8>,
    ) -> Resp {
        let mut rb = self.http.request(m, self.url(path)).body(body);
        if let Some(ct) = content_type {
            rb = rb.header("content-type", ct);
        }
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        let r = rb.send().await.expect("request sent");
        let status = r.status();
        let text = r.text().await.unwrap_or_default();
        let body = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("non-JSON response ({status}): {text}"));
        Resp { status, body }
    }

    /// POSTs `bytes` as `application/json` (malformed-body tests).
    pub async fn post_bytes(&self, path: &str, bytes: &[u8]) -> Resp {
        let json = Some("application/json");
        self.raw(Method::POST, path, json, bytes.to_vec()).await
    }

    /// GETs `path` with `headers` and no token; returns the response as it came.
    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut rb = self.http.get(self.url(path));
        for (name, value) in headers {
            rb = rb.header(*name, *value);
        }
        rb.send().await.expect("request sent")
    }

    /// Logs `email` in to this app; returns the access token.
    pub async fn login(&self, email: &str, password: &str) -> String {
        login(&self.http, &self.url("/auth/login"), email, password).await
    }

    /// Creates an entity; `fields` excludes the generated uuid `id` added here.
    pub async fn entity(&self, name: &str, fields: Value) -> Value {
        self.entity_with(name, fields, json!({})).await
    }

    pub async fn entity_with(&self, name: &str, fields: Value, extra: Value) -> Value {
        let mut body = entity_def(name, fields);
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            body[k] = v;
        }
        self.post("/_admin/entities", body).await.data(201).clone()
    }

    /// Creates one entity per key of `defs` (entity name → fields, as in
    /// [`T::entity`]), in order.
    pub async fn entities(&self, defs: Value) {
        for (name, fields) in defs.as_object().expect("entity name → fields") {
            self.entity(name, fields.clone()).await;
        }
    }

    pub async fn relation(&self, body: Value) {
        self.post("/_admin/relations", body).await.expect(201);
    }

    /// Creates each relation, in order.
    pub async fn relations<const N: usize>(&self, bodies: [Value; N]) {
        for body in bodies {
            self.relation(body).await;
        }
    }

    pub async fn create(&self, entity: &str, body: Value) -> Value {
        self.post(&format!("/{entity}"), body)
            .await
            .data(201)
            .clone()
    }

    pub async fn list(&self, entity: &str, query: &str) -> Value {
        self.get(&format!("/{entity}?{query}"))
            .await
            .expect(200)
            .clone()
    }

    /// For each (query, message): listing `entity` with the query is a 400 with `code`
    /// and that message.
    pub async fn query_errors(&self, entity: &str, code: &str, cases: &[(&str, &str)]) {
        for (q, msg) in cases {
            let r = self.get(&format!("/{entity}?{q}")).await;
            assert_eq!(r.error(400, code)["message"], json!(msg), "?{q}");
        }
    }

    /// `meta.total` of the list of `entity` with `query`.
    pub async fn total(&self, entity: &str, query: &str) -> Value {
        self.list(entity, query).await["meta"]["total"].clone()
    }

    /// Values of one key over the rows of a list response, in response order.
    pub fn col(list: &Value, key: &str) -> Vec<Value> {
        pluck(&list["data"], key)
    }
}
