//! The registry of open apps: opened lazily and once (spec 01 §3.1), reloaded when
//! another process announces a metadata change (Postgres `NOTIFY`), forgotten when
//! the app is deleted.

use std::sync::Arc;

use rocket_store::{app_bootstrap_sql, Exec, LiteStore, Param, PgStore, Store};

use super::Platform;
use crate::app::App;
use crate::auth::tokens;
use crate::config::Driver;
use crate::error::{EngineError, Result};
use crate::repo::{self, apps::AppRow};

/// Channel on the management database that announces metadata changes.
pub const METADATA_CHANNEL: &str = "rocket_metadata";

/// Shortest stored app secret served (a generated one has 64 characters).
const MIN_APP_SECRET: usize = 32;
impl Platform {
    pub fn cached(&self, name: &str) -> Option<Arc<App>> {
        self.apps.read().ok().and_then(|m| m.get(name).cloned())
    }

    pub fn cached_apps(&self) -> Vec<Arc<App>> {
        self.apps
            .read()
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    pub(crate) fn evict(&self, name: &str) -> Option<Arc<App>> {
        self.apps.write().ok().and_then(|mut m| m.remove(name))
    }

    /// Registers an opened app and starts its background tasks (delivery worker,
    /// event flusher) unless the platform runs without them.
    pub(crate) fn insert_app(&self, app: Arc<App>) {
        if self.workers {
            if self.config.webhooks.deliver_on_commit {
                crate::webhooks::worker::spawn(&app);
            }
            crate::events::buffer::spawn(&app);
        }
        if let Ok(mut m) = self.apps.write() {
            m.insert(app.name.clone(), app);
        }
    }

    pub(crate) async fn app_row(&self, name: &str) -> Result<Option<AppRow>> {
        Ok(repo::find::<repo::apps::AppRow>(&mut Exec::Store(&self.mgmt), name).await?)
    }

    /// The app's context: from the registry, else opened (once, even under
    /// concurrent first requests) with the idempotent bootstrap.
    pub async fn app(&self, name: &str) -> Result<Arc<App>> {
        if let Some(a) = self.cached(name) {
            return Ok(a);
        }
        if name.is_empty() {
            return Err(EngineError::AppNotFound("App name is required".into()));
        }
        let not_found = || EngineError::AppNotFound(format!("App not found: {name}"));
        let _guard = self.init_lock.lock().await;
        if let Some(a) = self.cached(name) {
            return Ok(a);
        }
        let row = match self.app_row(name).await? {
            Some(r) if r.status == "active" => r,
            _ => return Err(not_found()),
        };
        let app = match self.open_app(&row).await {
            Ok(a) => Arc::new(a),
            Err(e) => {
                tracing::warn!(app = %name, "cannot open app database: {e}");
                return Err(not_found());
            }
        };
        self.insert_app(app.clone());
        Ok(app)
    }

    /// Opens an app's database, runs its bootstrap, seeds its admin and loads its
    /// metadata.
    pub(crate) async fn open_app(&self, row: &AppRow) -> Result<App> {
        // A short or emptied secret would let anyone sign tokens for the app: refuse
        // to serve it (created apps get 64 hex characters, spec 12 §3).
        if row.jwt_secret.trim().len() < MIN_APP_SECRET {
            return Err(EngineError::internal(format!(
                "app {} has a JWT secret shorter than {MIN_APP_SECRET} characters in _apps;                  set a new random one (docs/deployment.md, rotating the JWT secrets)",
                row.name
            )));
        }
        let opts = self.config.store_options();
        let driver = Driver::parse(&row.db_driver);
        // App creation makes the file; a missing one is a partial restore or another
        // data_dir. Opening would create an empty database with the default admin.
        let file = self.sqlite_path(&row.db_name);
        if driver == Driver::Sqlite && !file.exists() {
            return Err(EngineError::internal(format!(
                "the database file {} of app {} is missing; restore it (docs/deployment.md) \
                 or delete the app",
                file.display(),
                row.name
            )));
        }
        let store = match driver {
            Driver::Postgres => Store::Pg(PgStore::connect(
                &self.pg,
                &row.db_name,
                self.config.app_pool_size,
                opts,
            )?),
            Driver::Sqlite => Store::Lite(LiteStore::open(&self.sqlite_path(&row.db_name), opts)?),
        };
        store
            .batch_exclusive(&app_bootstrap_sql(store.dialect()))
            .await?;
        if tokens::seed(&store, tokens::APP, "admin@localhost", &["admin".into()]).await? {
            tracing::warn!(app = %row.name, "seeded app admin admin@localhost / changeme: change this password");
        }
        let app = App::new(
            &row.name,
            store,
            row.jwt_secret.as_bytes(),
            self.config.limits.clone(),
            self.outbound.clone(),
            self.config.instrumentation.enabled.then(|| {
                Arc::new(crate::events::buffer::Buffer::new(
                    &self.config.instrumentation,
                    self.otlp.clone(),
                ))
            }),
        );
        if let Err(e) = app.reload().await {
            tracing::warn!(app = %row.name, "metadata load failed: {e}");
        }
        Ok(app)
    }

    /// After a metadata write: rebuild this process's snapshot, then tell the others.
    pub async fn metadata_changed(&self, app: &App) -> Result<()> {
        app.reload().await?;
        self.announce(&app.name).await;
        Ok(())
    }

    /// Tells other server processes that an app's metadata changed.
    pub async fn announce(&self, app: &str) {
        if let Store::Pg(_) = &self.mgmt {
            let q = repo::sql(
                self.mgmt.dialect(),
                &format!("SELECT pg_notify('{METADATA_CHANNEL}', {{1}})"),
                vec![Param::Text(app.to_string())],
            );
            if let Err(e) = self.mgmt.query(&q).await {
                tracing::warn!(app, "metadata notify failed: {e}");
            }
        }
    }

    /// Reacts to announcements: reload one app (or all after a reconnect gap);
    /// a deleted app is forgotten instead of reloaded.
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
                let Some(p) = weak.upgrade() else { return };
                let targets = if app.is_empty() {
                    p.cached_apps()
                } else {
                    p.cached(&app).into_iter().collect()
                };
                for a in targets {
                    if matches!(p.app_row(&a.name).await, Ok(None)) {
                        if let Some(gone) = p.evict(&a.name) {
                            gone.store.close();
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
}
