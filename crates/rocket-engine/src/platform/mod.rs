//! The platform (spec 12 part A, spec 01 §3): the management database, the registry
//! of open apps ([`registry`]), the apps lifecycle ([`apps`]) and metadata reloads
//! announced between processes.

pub mod apps;
mod registry;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use rocket_store::{migrate, platform_bootstrap_sql, Exec, LiteStore, PgConnect, PgStore, Store};

use crate::app::App;
use crate::auth::tokens;
use crate::config::{Config, Driver};
use crate::error::EngineError;
use crate::repo;

pub use registry::METADATA_CHANNEL;

pub struct Platform {
    pub config: Config,
    pub mgmt: Store,
    pub pg: PgConnect,
    /// Driver of the management database: the default for new apps, and Postgres
    /// apps need it to be Postgres (`CREATE DATABASE` runs there).
    pub driver: Driver,
    pub platform_secret: Vec<u8>,
    /// The outgoing HTTP side of every app (webhooks: client, policy, timeout).
    pub outbound: Arc<crate::webhooks::deliver::Outbound>,
    /// Where uploaded files live (spec 13; local directory or S3).
    pub storage: crate::files::storage::Storage,
    /// The OTLP exporter of spans, when `instrumentation.otlp_endpoint` is set.
    pub otlp: Option<Arc<crate::events::otlp::Otlp>>,
    apps: RwLock<HashMap<String, Arc<App>>>,
    init_lock: tokio::sync::Mutex<()>,
    /// Serialises app creation and deletion.
    pub platform_lock: tokio::sync::Mutex<()>,
    /// Whether opened apps get their background tasks (webhook delivery worker,
    /// event flusher). One-shot commands run without them.
    workers: bool,
}

/// Why the platform could not start; shown to the operator as one line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct StartError(pub String);

impl From<rocket_store::DbError> for StartError {
    fn from(e: rocket_store::DbError) -> Self {
        StartError(e.to_string())
    }
}

fn start_err<E: std::fmt::Display>(what: &str) -> impl Fn(E) -> StartError + '_ {
    move |e| StartError(format!("{what}: {e}"))
}

impl Platform {
    /// Connects the management database, bootstraps and seeds it. Apps open lazily
    /// on their first request (spec 01 §3.1 with the bootstrap of the Rust note): a
    /// server with many quiet apps holds nothing for them.
    pub async fn start(config: Config) -> Result<Arc<Platform>, StartError> {
        Platform::start_with(config, true).await
    }

    /// A platform for one-shot commands (the `rocket` command line): apps opened
    /// through it start no background task, so nothing runs after the command's
    /// work and no webhook is delivered by it. [`Platform::shutdown`] then writes
    /// buffered events and closes the pools.
    pub async fn start_without_workers(config: Config) -> Result<Arc<Platform>, StartError> {
        Platform::start_with(config, false).await
    }

    async fn start_with(config: Config, workers: bool) -> Result<Arc<Platform>, StartError> {
        config.check().map_err(start_err("configuration"))?;
        config.check_secrets().map_err(start_err("configuration"))?;
        let driver = config.database.driver();
        let db = &config.database;
        let pg = PgConnect {
            host: db.host().to_string(),
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
        bootstrap(&mgmt, driver).await?;
        let platform_secret = platform_secret(&config, &mgmt)
            .await
            .map_err(start_err("platform secret"))?;
        let storage =
            crate::files::storage::Storage::open(&config.storage, &config.database.data_dir())
                .map_err(start_err("file storage"))?;
        Ok(Arc::new(Platform {
            platform_secret,
            storage,
            outbound: Arc::new(crate::webhooks::deliver::Outbound::new(&config.webhooks)),
            otlp: (!config.instrumentation.otlp_endpoint.trim().is_empty()).then(|| {
                Arc::new(crate::events::otlp::Otlp::new(
                    &config.instrumentation.otlp_endpoint,
                ))
            }),
            config,
            mgmt,
            pg,
            driver,
            apps: RwLock::new(HashMap::new()),
            init_lock: tokio::sync::Mutex::new(()),
            platform_lock: tokio::sync::Mutex::new(()),
            workers,
        }))
    }

    /// True while the seeded platform admin still has the default password (the
    /// startup banner shows the credentials only then).
    pub async fn default_admin_password(&self) -> bool {
        tokens::has_default_password(&self.mgmt, tokens::PLATFORM, "platform@localhost")
            .await
            .unwrap_or(false)
    }

    pub fn data_dir(&self) -> PathBuf {
        self.config.database.data_dir()
    }

    pub fn sqlite_path(&self, db_name: &str) -> PathBuf {
        self.data_dir().join(format!("{db_name}.db"))
    }

    pub fn close(&self) {
        for a in self.cached_apps() {
            a.store.close();
        }
        self.mgmt.close();
    }

    /// Writes what the apps' event buffers still hold, then closes every pool.
    pub async fn shutdown(&self) {
        for app in self.cached_apps() {
            crate::events::buffer::flush(&app).await;
        }
        self.close();
    }
}

/// Platform tables (idempotent, under an advisory lock), the legacy `db_driver`
/// column, and the seeded platform admin (spec 01 §3 step 3).
async fn bootstrap(mgmt: &Store, driver: Driver) -> Result<(), StartError> {
    mgmt.batch_exclusive(&platform_bootstrap_sql(mgmt.dialect()))
        .await
        .map_err(start_err("platform bootstrap"))?;
    let cols = migrate::columns(&mut Exec::Store(mgmt), "_apps").await?;
    if !cols.iter().any(|c| c == "db_driver") {
        mgmt.batch(&[format!(
            "ALTER TABLE _apps ADD COLUMN db_driver TEXT NOT NULL DEFAULT '{}'",
            driver.as_str()
        )])
        .await?;
    }
    let seeded = tokens::seed(
        mgmt,
        tokens::PLATFORM,
        "platform@localhost",
        &["platform_admin".into()],
    )
    .await
    .map_err(start_err("seeding platform admin"))?;
    if seeded {
        tracing::warn!("seeded platform admin platform@localhost / changeme: change this password");
    }
    Ok(())
}

/// Key of the generated platform secret in `_platform_settings`.
const SECRET_KEY: &str = "platform_jwt_secret";

/// The configured platform secret, or the one generated on the first start and kept
/// in the management database, so restarts and other instances sign alike.
async fn platform_secret(config: &Config, mgmt: &Store) -> Result<Vec<u8>, EngineError> {
    let configured = config.platform_jwt_secret.expose();
    if !configured.is_empty() {
        return Ok(configured.as_bytes().to_vec());
    }
    let fresh = repo::random_secret().map_err(EngineError::internal)?;
    let stored = repo::settings::get_or_init(&mut Exec::Store(mgmt), SECRET_KEY, &fresh).await?;
    if stored.len() < crate::config::MIN_SECRET_BYTES {
        return Err(EngineError::internal("stored platform secret is too short"));
    }
    Ok(stored.into_bytes())
}

/// Creates the management database on first start so Postgres needs no manual setup.
async fn ensure_pg_database(pg: &PgConnect, name: &str) -> Result<(), StartError> {
    if !rocket_meta::is_safe_ident(name) {
        return Err(StartError(format!(
            "database.name {name:?} must match ^[a-z_][a-z0-9_]*$"
        )));
    }
    let unreachable = |e: rocket_store::DbError| {
        StartError(format!(
            "cannot connect to Postgres at {}:{}: {e}",
            pg.host, pg.port
        ))
    };
    if pg.database_exists(name).await.map_err(unreachable)? {
        return Ok(());
    }
    match pg.admin_batch(&format!("CREATE DATABASE \"{name}\"")).await {
        Ok(()) => tracing::info!("created management database {name}"),
        Err(e) if pg.database_exists(name).await.unwrap_or(false) => {
            tracing::debug!("management database appeared concurrently: {e}")
        }
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
