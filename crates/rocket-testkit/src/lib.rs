//! Test support for the engine and the server (dev-dependency only).
//!
//! - [`TestDb`]: a configuration on a temporary SQLite directory, or on a Postgres
//!   management database of its own; dropping it drops every Postgres database the
//!   test created (the management database and each app database listed in it),
//!   also when the test panicked.
//! - [`Harness`]: a started [`Platform`] on a [`TestDb`] with a fresh app and its
//!   admin, so engine tests call the pipeline directly.
//!
//! Postgres is `127.0.0.1:5432`, user `postgres` (override with
//! `ROCKET_TEST_PG_HOST/PORT/USER/PASSWORD`). Without a reachable Postgres the
//! Postgres variants are skipped, unless `CI` is set: then they fail.

pub mod receiver;
pub mod s3;
pub use receiver::{Received, Receiver};
pub use s3::S3;

use std::path::Path;
use std::sync::Arc;

use rocket_engine::admin::Collection;
use rocket_engine::auth::User;
use rocket_engine::config::Secret;
use rocket_engine::metadata::permissions::Permissions;
use rocket_engine::metadata::{Entities, Relations};
use rocket_engine::platform::apps;
use rocket_engine::{App, Config, Platform};
use serde_json::{json, Map, Value};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Db {
    Sqlite,
    Postgres,
}

pub fn env(k: &str, d: &str) -> String {
    std::env::var(k).unwrap_or_else(|_| d.to_string())
}

/// Ten random hex digits, for unique names.
pub fn suffix() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..10].to_string()
}

fn pg_config() -> tokio_postgres::Config {
    let mut cfg = tokio_postgres::Config::new();
    cfg.host(env("ROCKET_TEST_PG_HOST", "127.0.0.1"))
        .port(env("ROCKET_TEST_PG_PORT", "5432").parse().unwrap_or(5432))
        .user(env("ROCKET_TEST_PG_USER", "postgres"));
    let pw = env("ROCKET_TEST_PG_PASSWORD", "");
    if !pw.is_empty() {
        cfg.password(&pw);
    }
    cfg
}

/// True when Postgres tests should run; panics under `CI` when Postgres is missing.
pub async fn pg_available() -> bool {
    let host = env("ROCKET_TEST_PG_HOST", "127.0.0.1");
    let port = env("ROCKET_TEST_PG_PORT", "5432");
    if tokio::net::TcpStream::connect(format!("{host}:{port}"))
        .await
        .is_ok()
    {
        return true;
    }
    if std::env::var("CI").is_ok() {
        panic!("CI is set but Postgres is unreachable: Postgres tests must not be skipped");
    }
    eprintln!("skipping Postgres test: no server on {host}:{port} (set CI=1 to make this fatal)");
    false
}

/// Runs SQL on database `db` as the test superuser, on a thread of its own (so it
/// also works from `Drop` while a test panics); returns the rows' first columns.
pub fn pg_sync(db: &str, sqls: Vec<String>) -> Vec<String> {
    let db = db.to_string();
    let run = move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .ok()?;
        rt.block_on(async move {
            let mut cfg = pg_config();
            cfg.dbname(&db);
            let (client, conn) = cfg.connect(tokio_postgres::NoTls).await.ok()?;
            let h = tokio::spawn(conn);
            let mut out = Vec::new();
            for sql in sqls {
                match client.simple_query(&sql).await {
                    Ok(msgs) => out.extend(msgs.into_iter().filter_map(|m| match m {
                        tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(String::from),
                        _ => None,
                    })),
                    Err(e) => eprintln!("test cleanup {sql}: {e}"),
                }
            }
            drop(client);
            let _ = h.await;
            Some(out)
        })
    };
    std::thread::spawn(run)
        .join()
        .ok()
        .flatten()
        .unwrap_or_default()
}

/// A database setup for one test; dropping it removes what the test created.
pub struct TestDb {
    pub db: Db,
    pub config: Config,
    pub dir: tempfile::TempDir,
}

impl TestDb {
    /// `None` when the dialect is unavailable here (Postgres outside CI).
    pub async fn new(db: Db) -> Option<TestDb> {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = match db {
            Db::Sqlite => sqlite_config(dir.path()),
            Db::Postgres => {
                if !pg_available().await {
                    return None;
                }
                pg_config_for(dir.path(), &format!("rt_{}", suffix()))
            }
        };
        Some(TestDb { db, config, dir })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if self.db != Db::Postgres {
            return;
        }
        let mgmt = self.config.database.name.clone();
        // Every app database the platform recorded, then the platform's own.
        let apps = pg_sync(
            &mgmt,
            vec!["SELECT db_name FROM _apps WHERE db_driver = 'postgres'".into()],
        );
        let mut drops: Vec<String> = apps
            .iter()
            .filter(|n| n.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'))
            .map(|n| format!("DROP DATABASE IF EXISTS \"{n}\" WITH (FORCE)"))
            .collect();
        drops.push(format!("DROP DATABASE IF EXISTS \"{mgmt}\" WITH (FORCE)"));
        pg_sync("postgres", drops);
    }
}

pub fn sqlite_config(dir: &Path) -> Config {
    let mut c = Config::default();
    c.database.driver = "sqlite".into();
    c.database.data_dir = Some(dir.display().to_string());
    c
}

/// A Postgres configuration with management database `mgmt`.
pub fn pg_config_for(dir: &Path, mgmt: &str) -> Config {
    let mut c = Config::default();
    c.database.driver = "postgres".into();
    c.database.host = env("ROCKET_TEST_PG_HOST", "127.0.0.1");
    c.database.port = env("ROCKET_TEST_PG_PORT", "5432").parse().unwrap_or(5432);
    c.database.user = env("ROCKET_TEST_PG_USER", "postgres");
    c.database.password = Secret::new(env("ROCKET_TEST_PG_PASSWORD", ""));
    c.database.name = mgmt.to_string();
    c.database.data_dir = Some(dir.display().to_string());
    c.database.pool_size = 4;
    c.app_pool_size = 4;
    c
}

/// A started platform with one fresh app, for engine-level tests.
pub struct Harness {
    pub platform: Arc<Platform>,
    pub app: Arc<App>,
    pub admin: User,
    // Dropped last: the databases go after the platform closed its pools.
    _db: TestDb,
}

impl Harness {
    pub async fn start(db: Db) -> Option<Harness> {
        Harness::start_with(db, |_| {}).await
    }

    pub async fn start_with(db: Db, tweak: impl FnOnce(&mut Config)) -> Option<Harness> {
        let mut tdb = TestDb::new(db).await?;
        tweak(&mut tdb.config);
        let platform = Platform::start(tdb.config.clone())
            .await
            .expect("platform starts");
        let name = format!("t{}", suffix());
        let mut body = Map::new();
        body.insert("name".into(), Value::String(name.clone()));
        apps::create(&platform, body).await.expect("app created");
        let app = platform.app(&name).await.expect("app opens");
        Some(Harness {
            platform,
            app,
            admin: user("admin", &["admin"]),
            _db: tdb,
        })
    }

    /// Creates an entity from `fields` (a generated uuid `id` is added first).
    pub async fn entity(&self, name: &str, fields: Value) {
        let mut all = vec![json!({"name": "id", "type": "uuid"})];
        all.extend(fields.as_array().cloned().unwrap_or_default());
        let def = json!({"name": name, "table": name,
            "primary_key": {"field": "id", "type": "uuid", "generated": true}, "fields": all});
        Entities::put(&self.platform, &self.app, None, obj(def))
            .await
            .expect("entity created");
    }

    pub async fn relation(&self, def: Value) {
        Relations::put(&self.platform, &self.app, None, obj(def))
            .await
            .expect("relation created");
    }

    pub async fn permission(&self, def: Value) {
        Permissions::put(&self.platform, &self.app, None, obj(def))
            .await
            .expect("permission created");
    }
}

impl Drop for Harness {
    fn drop(&mut self) {
        self.platform.close();
    }
}

/// A user with these roles (ids are never looked up by the pipeline).
pub fn user(id: &str, roles: &[&str]) -> User {
    User {
        id: id.to_string(),
        roles: roles.iter().map(|r| r.to_string()).collect(),
    }
}

/// A JSON object literal as a map (panics on anything else: fixtures only).
pub fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        other => panic!("fixture must be an object: {other}"),
    }
}

/// Runs `body` on SQLite and on Postgres (skipped without Postgres outside CI).
#[macro_export]
macro_rules! both_dialects {
    (config $tweak:path; $($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(h) = $crate::Harness::start_with($crate::Db::Sqlite, $tweak).await {
                    super::$name(h).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(h) = $crate::Harness::start_with($crate::Db::Postgres, $tweak).await {
                    super::$name(h).await;
                }
            }
        }
    )*};
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(h) = $crate::Harness::start($crate::Db::Sqlite).await {
                    super::$name(h).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(h) = $crate::Harness::start($crate::Db::Postgres).await {
                    super::$name(h).await;
                }
            }
        }
    )*};
}
