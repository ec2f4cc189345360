//! Server state: the management store, the cache of open apps, and each app's
//! context (store, secret, metadata snapshot).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use arc_swap::ArcSwap;
use rocket_meta::{Condition, Entity, Policy, Relation, Schema};
use rocket_store::{
    app_bootstrap_sql, platform_bootstrap_sql, LiteStore, Param, PgConnect, PgStore, Store,
};
use serde_json::Value;

use crate::config::{Config, Driver};
use crate::error::{ApiError, ApiResult};
use crate::{migrate, sys, tokens};

/// Channel on the management database that announces metadata changes.
pub const METADATA_CHANNEL: &str = "rocket_metadata";

pub struct AppCtx {
    pub name: String,
    pub store: Store,
    pub secret: Vec<u8>,
    schema: ArcSwap<Schema>,
    /// Serialises metadata changes of this app (check-then-insert races).
    pub admin_lock: tokio::sync::Mutex<()>,
}

impl AppCtx {
    pub fn schema(&self) -> Arc<Schema> {
        self.schema.load_full()
    }

    /// Rebuilds the whole snapshot from the database and swaps it in at once.
    pub async fn reload(&self) -> ApiResult<()> {
        let d = self.store.dialect();
        let (ents, rels) = self
            .store
            .query_pair(
                &sys::sql(
                    d,
                    "SELECT name, [definition] FROM _entities ORDER BY name",
                    vec![],
                ),
                &sys::sql(
                    d,
                    "SELECT name, [definition] FROM _relations ORDER BY name",
                    vec![],
                ),
            )
            .await?;
        let mut entities = Vec::with_capacity(ents.len());
        for r in ents {
            match Entity::from_value(sys::json_cell(&r[1])) {
                Ok(e) if e.validate().is_ok() => entities.push(e),
                Ok(e) => {
                    tracing::warn!(app = %self.name, entity = %e.name, "skipping invalid entity definition")
                }
                Err(err) => {
                    tracing::warn!(app = %self.name, "skipping unreadable entity definition: {err}")
                }
            }
        }
        let mut relations = Vec::with_capacity(rels.len());
        for r in rels {
            match Relation::from_value(sys::json_cell(&r[1])) {
                Ok(rel) => relations.push(rel),
                Err(err) => {
                    tracing::warn!(app = %self.name, "skipping unreadable relation definition: {err}")
                }
            }
        }
        let perms = self
            .store
            .query(&sys::sql(
                d,
                "SELECT [id], entity, action, [roles:list], [conditions] FROM _permissions ORDER BY entity, action, created_at",
                vec![],
            ))
            .await?;
        let mut policies = Vec::with_capacity(perms.len());
        for r in perms {
            let conditions = match sys::json_cell(&r[4]) {
                Value::Null => Vec::new(),
                v => match serde_json::from_value::<Vec<Condition>>(v) {
                    Ok(c) => c,
                    Err(err) => {
                        // Unreadable conditions must not widen access: keep the policy out.
                        tracing::warn!(app = %self.name, "skipping permission with unreadable conditions: {err}");
                        continue;
                    }
                },
            };
            policies.push(Policy {
                id: sys::text_cell(&r[0]),
                entity: sys::text_cell(&r[1]),
                action: sys::text_cell(&r[2]),
                roles: sys::list_cell(&r[3])
                    .into_iter()
                    .map(|x| x.to_lowercase())
                    .collect(),
                conditions,
            });
        }
        self.schema.store(Arc::new(
            Schema::new(entities, relations).with_policies(policies),
        ));
        Ok(())
    }
}

pub struct AppState {
    pub config: Config,
    pub mgmt: Store,
    pub pg: PgConnect,
    pub driver: Driver,
    pub platform_secret: Vec<u8>,
    apps: RwLock<HashMap<String, Arc<AppCtx>>>,
    init_lock: tokio::sync::Mutex<()>,
    /// Serialises app creation and deletion.
    pub platform_lock: tokio::sync::Mutex<()>,
}

pub struct AppRow {
    pub db_name: String,
    pub db_driver: Driver,
    pub secret: String,
}

impl AppState {
    /// Connects the management database, bootstraps and seeds it, opens all apps.
    pub async fn start(config: Config) -> anyhow::Result<Arc<AppState>> {
        config.check_secrets()?;
        let driver = config.database.driver();
        let db = &config.database;
        let pg = PgConnect {
            host: db.host.clone(),
            port: db.port,
            user: db.user.clone(),
            password: db.password.expose().to_string(),
        };
        let mgmt = match driver {
            Driver::Postgres => {
                ensure_pg_database(&pg, &db.name).await?;
                Store::Pg(PgStore::connect(
                    &pg,
                    &db.name,
                    db.pool_size,
                    config.store_options(),
                )?)
            }
            Driver::Sqlite => Store::Lite(LiteStore::open(
                &db.data_dir().join(format!("{}.db", db.name)),
                config.store_options(),
            )?),
        };
        mgmt.batch_exclusive(&platform_bootstrap_sql(mgmt.dialect()))
            .await
            .map_err(|e| anyhow::anyhow!("platform bootstrap: {e}"))?;
        let cols = migrate::columns(&mut rocket_store::Exec::Store(&mgmt), "_apps").await?;
        if !cols.iter().any(|c| c == "db_driver") {
            mgmt.batch(&[format!(
                "ALTER TABLE _apps ADD COLUMN db_driver TEXT NOT NULL DEFAULT '{}'",
                driver.as_str()
            )])
            .await?;
        }
        if tokens::seed(
            &mgmt,
            tokens::PLATFORM,
            "platform@localhost",
            &["platform_admin".into()],
        )
        .await
        .map_err(|e| anyhow::anyhow!("seeding platform admin: {e}"))?
        {
            tracing::warn!(
                "seeded platform admin platform@localhost / changeme: change this password"
            );
        }
        let platform_secret = platform_secret(&config, &mgmt)
            .await
            .map_err(|e| anyhow::anyhow!("platform secret: {e}"))?;
        let state = Arc::new(AppState {
            platform_secret,
            config,
            mgmt,
            pg,
            driver,
            apps: RwLock::new(HashMap::new()),
            init_lock: tokio::sync::Mutex::new(()),
            platform_lock: tokio::sync::Mutex::new(()),
        });
        // Apps open lazily on their first request (spec 01 §3.1 with the bootstrap
        // of the Rust note): a server with many quiet apps holds nothing for them.
        Ok(state)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.config.database.data_dir()
    }

    pub fn sqlite_path(&self, db_name: &str) -> PathBuf {
        self.data_dir().join(format!("{db_name}.db"))
    }

    pub fn cached(&self, name: &str) -> Option<Arc<AppCtx>> {
        self.apps.read().ok().and_then(|m| m.get(name).cloned())
    }

    pub fn cached_apps(&self) -> Vec<Arc<AppCtx>> {
        self.apps
            .read()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    pub fn evict(&self, name: &str) -> Option<Arc<AppCtx>> {
        self.apps.write().ok().and_then(|mut m| m.remove(name))
    }

    pub async fn app_row(&self, name: &str) -> ApiResult<Option<(AppRow, String)>> {
        let q = sys::sql(
            self.mgmt.dialect(),
            "SELECT db_name, db_driver, jwt_secret, status FROM _apps WHERE name = {1}",
            vec![Param::Text(name.to_string())],
        );
        Ok(self.mgmt.query(&q).await?.into_iter().next().map(|r| {
            let driver = match r[1].as_str() {
                Some(s) if !s.is_empty() => Driver::parse(s),
                _ => Driver::Postgres,
            };
            (
                AppRow {
                    db_name: sys::text_cell(&r[0]),
                    db_driver: driver,
                    secret: sys::text_cell(&r[2]),
                },
                sys::text_cell(&r[3]),
            )
        }))
    }

    /// The app's context: from the cache, else opened lazily (once, even under
    /// concurrent first requests) with the idempotent bootstrap.
    pub async fn app(&self, name: &str) -> ApiResult<Arc<AppCtx>> {
        if let Some(a) = self.cached(name) {
            return Ok(a);
        }
        let not_found = || ApiError::AppNotFound(format!("App not found: {name}"));
        if name.is_empty() {
            return Err(ApiError::AppNotFound("App name is required".into()));
        }
        let _guard = self.init_lock.lock().await;
        if let Some(a) = self.cached(name) {
            return Ok(a);
        }
        let Some((row, status)) = self.app_row(name).await? else {
            return Err(not_found());
        };
        if status != "active" {
            return Err(not_found());
        }
        let ctx = match self.open_app(name, &row).await {
            Ok(c) => c,
            Err(e) => {
                tracing::warn!(app = %name, "cannot open app database: {e}");
                return Err(not_found());
            }
        };
        let ctx = Arc::new(ctx);
        if let Ok(mut m) = self.apps.write() {
            m.insert(name.to_string(), ctx.clone());
        }
        Ok(ctx)
    }

    pub async fn open_app(&self, name: &str, row: &AppRow) -> ApiResult<AppCtx> {
        let store = match row.db_driver {
            Driver::Postgres => Store::Pg(PgStore::connect(
                &self.pg,
                &row.db_name,
                self.config.app_pool_size,
                self.config.store_options(),
            )?),
            Driver::Sqlite => Store::Lite(LiteStore::open(
                &self.sqlite_path(&row.db_name),
                self.config.store_options(),
            )?),
        };
        store
            .batch_exclusive(&app_bootstrap_sql(store.dialect()))
            .await?;
        if tokens::seed(&store, tokens::APP, "admin@localhost", &["admin".into()]).await? {
            tracing::warn!(app = %name, "seeded app admin admin@localhost / changeme: change this password");
        }
        let ctx = AppCtx {
            name: name.to_string(),
            store,
            secret: row.secret.as_bytes().to_vec(),
            schema: ArcSwap::from_pointee(Schema::default()),
            admin_lock: tokio::sync::Mutex::new(()),
        };
        if let Err(e) = ctx.reload().await {
            tracing::warn!(app = %name, "metadata load failed: {e}");
        }
        Ok(ctx)
    }

    pub fn insert_app(&self, ctx: Arc<AppCtx>) {
        if let Ok(mut m) = self.apps.write() {
            m.insert(ctx.name.clone(), ctx);
        }
    }

    /// After a metadata write: rebuild this process's snapshot, then tell the others.
    pub async fn metadata_changed(&self, app: &AppCtx) -> ApiResult<()> {
        app.reload().await?;
        self.announce(&app.name).await;
        Ok(())
    }

    /// Tells other server processes that an app's metadata changed.
    pub async fn announce(&self, app: &str) {
        if let Store::Pg(_) = &self.mgmt {
            let q = sys::sql(
                self.mgmt.dialect(),
                &format!("SELECT pg_notify('{METADATA_CHANNEL}', {{1}})"),
                vec![Param::Text(app.to_string())],
            );
            if let Err(e) = self.mgmt.query(&q).await {
                tracing::warn!(app, "metadata notify failed: {e}");
            }
        }
    }

    /// Reacts to announcements: reload one app (or all after a reconnect gap).
    pub fn spawn_listener(self: &Arc<Self>) {
        if !matches!(self.mgmt, Store::Pg(_)) {
            return;
        }
        let mut rx = rocket_store::listen(
            self.pg.clone(),
            self.config.database.name.clone(),
            METADATA_CHANNEL.to_string(),
        );
        let weak = Arc::downgrade(self);
        tokio::spawn(async move {
            while let Some(app) = rx.recv().await {
                let Some(state) = weak.upgrade() else { return };
                let targets = if app.is_empty() {
                    state.cached_apps()
                } else {
                    state.cached(&app).into_iter().collect()
                };
                for a in targets {
                    // A deleted app: forget it instead of reloading a dropped database.
                    if matches!(state.app_row(&a.name).await, Ok(None)) {
                        if let Some(ctx) = state.evict(&a.name) {
                            ctx.store.close();
                        }
                        continue;
                    }
                    if let Err(e) = a.reload().await {
                        tracing::warn!(app = %a.name, "metadata reload after notify failed: {e}");
                    }
                }
            }
        });
    }

    pub fn close(&self) {
        for a in self.cached_apps() {
            a.store.close();
        }
        self.mgmt.close();
    }
}

/// Key of the generated platform secret in `_platform_settings`.
const SECRET_KEY: &str = "platform_jwt_secret";

/// The configured platform secret, or the one generated on the first start and kept
/// in the management database, so restarts and other instances sign alike. The
/// insert cannot race: the first writer wins and everyone reads its value.
async fn platform_secret(config: &Config, mgmt: &Store) -> Result<Vec<u8>, ApiError> {
    let configured = config.platform_jwt_secret.expose();
    if !configured.is_empty() {
        return Ok(configured.as_bytes().to_vec());
    }
    let d = mgmt.dialect();
    let fresh = sys::random_secret().map_err(ApiError::internal)?;
    mgmt.execute(&sys::sql(
        d,
        "INSERT INTO _platform_settings (key, value) VALUES ({1}, {2}) ON CONFLICT (key) DO NOTHING",
        vec![Param::Text(SECRET_KEY.into()), Param::Text(fresh)],
    ))
    .await?;
    let rows = mgmt
        .query(&sys::sql(
            d,
            "SELECT value FROM _platform_settings WHERE key = {1}",
            vec![Param::Text(SECRET_KEY.into())],
        ))
        .await?;
    let stored = rows
        .first()
        .map(|r| sys::text_cell(&r[0]))
        .unwrap_or_default();
    if stored.len() < crate::config::MIN_SECRET_BYTES {
        return Err(ApiError::internal("stored platform secret is too short"));
    }
    Ok(stored.into_bytes())
}

/// Creates the management database on first start so Postgres needs no manual setup.
async fn ensure_pg_database(pg: &PgConnect, name: &str) -> anyhow::Result<()> {
    if !rocket_meta::is_safe_ident(name) {
        anyhow::bail!("database.name {name:?} must match ^[a-z_][a-z0-9_]*$");
    }
    if !pg.database_exists(name).await.map_err(|e| {
        anyhow::anyhow!("cannot connect to Postgres at {}:{}: {e}", pg.host, pg.port)
    })? {
        match pg.admin_batch(&format!("CREATE DATABASE \"{name}\"")).await {
            Ok(()) => tracing::info!("created management database {name}"),
            Err(e) if pg.database_exists(name).await.unwrap_or(false) => {
                tracing::debug!("management database appeared concurrently: {e}")
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
