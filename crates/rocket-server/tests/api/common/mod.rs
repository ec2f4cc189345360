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
    let platform_token = login(
        &http,
        &format!("{}/api/_platform/auth/login", server.base),
        "platform@localhost",
        "changeme",
    )
    .await;
    let app = format!("t{}", rand_suffix());
    let (st, body_json) = send(
        &http,
        Method::POST,
        &format!("{}/api/_platform/apps", server.base),
        Some(&platform_token),
        Some(json!({"name": app})),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "create app: {body_json}");
    let admin_token = login(
        &http,
        &format!("{}/api/{app}/auth/login", server.base),
        "admin@localhost",
        "changeme",
    )
    .await;
    let t = T {
        data_dir: tdb.dir.path().to_path_buf(),
        http: http.clone(),
        base: server.base.clone(),
        app: app.clone(),
        token: Some(admin_token),
        platform_token: platform_token.clone(),
        db,
    };
    body(t).await;
    let _ = send(
        &http,
        Method::DELETE,
        &format!("{}/api/_platform/apps/{app}", server.base),
        Some(&platform_token),
        None,
    )
    .await;
    server.stop().await;
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
    let mut rb = http.request(m, url);
    if let Some(t) = token {
        rb = rb.bearer_auth(t);
    }
    if let Some(b) = body {
        rb = rb.json(&b);
    }
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
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.body
        );
        let e = &self.body["error"];
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

    /// Runs SQL directly on the app's database: only for arranging states the API
    /// cannot produce (an expired invite, say).
    pub async fn exec_sql(&self, sql: &str) {
        let db = format!("rocket_{}", self.app);
        match self.db {
            Db::Sqlite => {
                let c = rusqlite::Connection::open(self.data_dir.join(format!("{db}.db"))).unwrap();
                c.execute_batch(sql).unwrap();
            }
            Db::Postgres => {
                let mut cfg = tokio_postgres::Config::new();
                cfg.host(env("ROCKET_TEST_PG_HOST", "127.0.0.1"))
                    .port(env("ROCKET_TEST_PG_PORT", "5432").parse().unwrap_or(5432))
                    .user(env("ROCKET_TEST_PG_USER", "postgres"))
                    .dbname(&db);
                let pw = env("ROCKET_TEST_PG_PASSWORD", "");
                if !pw.is_empty() {
                    cfg.password(&pw);
                }
                let (client, conn) = cfg.connect(tokio_postgres::NoTls).await.unwrap();
                let h = tokio::spawn(conn);
                client.batch_execute(sql).await.unwrap();
                drop(client);
                let _ = h.await;
            }
        }
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
        let tok = login(&self.http, &self.url("/auth/login"), email, "pw-12345").await;
        (id, tok)
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

    /// Creates an entity; `fields` excludes the generated uuid `id` added here.
    pub async fn entity(&self, name: &str, fields: Value) -> Value {
        self.entity_with(name, fields, json!({})).await
    }

    pub async fn entity_with(&self, name: &str, fields: Value, extra: Value) -> Value {
        let mut fl = vec![json!({"name": "id", "type": "uuid"})];
        fl.extend(fields.as_array().cloned().unwrap_or_default());
        let mut body = json!({
            "name": name, "table": name,
            "primary_key": {"field": "id", "type": "uuid", "generated": true},
            "fields": fl,
        });
        for (k, v) in extra.as_object().cloned().unwrap_or_default() {
            body[k] = v;
        }
        self.post("/_admin/entities", body).await.data(201).clone()
    }

    pub async fn relation(&self, body: Value) {
        self.post("/_admin/relations", body).await.expect(201);
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

    /// Sorted values of one key over the rows of a list response.
    pub fn col(list: &Value, key: &str) -> Vec<Value> {
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r[key].clone())
            .collect()
    }
}
