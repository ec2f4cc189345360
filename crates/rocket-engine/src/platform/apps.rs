//! Apps lifecycle on the management database (spec 12 part A).

use std::sync::Arc;

use rocket_store::{DbError, Exec};
use serde_json::{json, Map, Value};

use crate::config::Driver;
use crate::error::{EngineError, Result};
use crate::platform::Platform;
use crate::repo::{self, apps::AppRow};

const NAME_MSG: &str =
    "App name must be lowercase letters, numbers, hyphens, underscores (start with letter)";

pub async fn list(p: &Platform) -> Result<Vec<AppRow>> {
    Ok(repo::all::<repo::apps::AppRow>(&mut Exec::Store(&p.mgmt)).await?)
}

pub async fn get(p: &Platform, name: &str) -> Result<AppRow> {
    p.app_row(name)
        .await?
        .ok_or_else(|| EngineError::NotFound("App not found".into()))
}

/// `^[a-z][a-z0-9_-]{0,62}$`
fn valid_name(n: &str) -> bool {
    let b = n.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b[0].is_ascii_lowercase()
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-')
}

/// The validated create request.
struct NewApp {
    name: String,
    display: String,
    driver: Driver,
}

fn parse_new(p: &Platform, body: &Map<String, Value>) -> Result<NewApp> {
    let wrong_type = |k: &str| body.get(k).is_some_and(|v| !v.is_string() && !v.is_null());
    if wrong_type("name") || wrong_type("display_name") || wrong_type("db_driver") {
        return Err(EngineError::BadInput("Invalid request body".into()));
    }
    let s = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (name, display, driver_s) = (s("name"), s("display_name"), s("db_driver"));
    if name.is_empty() {
        return Err(EngineError::Invalid("App name is required".into()));
    }
    if !valid_name(&name) {
        return Err(EngineError::Invalid(NAME_MSG.into()));
    }
    let driver = match driver_s.as_str() {
        "" => p.driver,
        "postgres" => Driver::Postgres,
        "sqlite" => Driver::Sqlite,
        _ => {
            return Err(EngineError::Invalid(
                "db_driver must be 'postgres' or 'sqlite'".into(),
            ))
        }
    };
    // Postgres database names allow no '-' and `rocket_` + name must fit in 63.
    if driver == Driver::Postgres && (name.contains('-') || name.len() > 56) {
        return Err(EngineError::Invalid(NAME_MSG.into()));
    }
    // `CREATE DATABASE` runs on the management database: a server whose management
    // database is SQLite has no Postgres to create app databases on.
    if driver == Driver::Postgres && p.driver != Driver::Postgres {
        return Err(EngineError::NotConfigured(
            "PostgreSQL is not configured on this server".into(),
        ));
    }
    let display = if display.is_empty() {
        name.clone()
    } else {
        display
    };
    Ok(NewApp {
        name,
        display,
        driver,
    })
}

/// A failed step of app creation: an unreachable database is a 503, anything else
/// a 500 whose cause is only logged.
fn create_failed(e: DbError) -> EngineError {
    match e {
        DbError::Unavailable(m) => EngineError::Unavailable(m),
        other => {
            tracing::error!("app creation failed: {other}");
            EngineError::InternalWith("Failed to create app".into())
        }
    }
}

/// Creates the database, the `_apps` row and opens the app. The response has
/// exactly the five keys of spec 12 §4.
pub async fn create(p: &Arc<Platform>, body: Map<String, Value>) -> Result<Value> {
    let new = parse_new(p, &body)?;
    let _guard = p.platform_lock.lock().await;
    if p.app_row(&new.name).await?.is_some() {
        return Err(EngineError::Conflict(format!(
            "App already exists: {}",
            new.name
        )));
    }
    let row = AppRow {
        db_name: format!("rocket_{}", new.name),
        name: new.name,
        display_name: new.display,
        db_driver: new.driver.as_str().into(),
        status: "active".into(),
        stamps: Default::default(),
        jwt_secret: repo::random_secret().map_err(EngineError::internal)?,
    };
    create_database(p, new.driver, &row.db_name).await?;
    if let Err(e) = repo::apps::insert(&mut Exec::Store(&p.mgmt), &row).await {
        let _ = drop_database(p, new.driver, &row.db_name).await;
        return Err(create_failed(e));
    }
    let app = p.open_app(&row).await.map_err(|e| {
        tracing::error!(app = %row.name, "opening the new app failed: {e}");
        EngineError::InternalWith("Failed to create app".into())
    })?;
    p.insert_app(Arc::new(app));
    Ok(json!({
        "name": row.name, "display_name": row.display_name, "db_name": row.db_name,
        "db_driver": row.db_driver, "status": row.status,
    }))
}

pub async fn delete(p: &Platform, name: &str) -> Result<()> {
    let _guard = p.platform_lock.lock().await;
    if let Some(app) = p.evict(name) {
        app.store.close();
    }
    let Some(row) = p.app_row(name).await? else {
        return Err(EngineError::NotFound(format!(
            "App not found or failed to delete: app not found: {name}"
        )));
    };
    repo::apps::delete(&mut Exec::Store(&p.mgmt), name).await?;
    // Other instances drop their cached context when told (see the listener).
    p.announce(name).await;
    drop_database(p, Driver::parse(&row.db_driver), &row.db_name)
        .await
        .map_err(|e| {
            tracing::error!(app = %name, "dropping the app database failed: {e}");
            EngineError::InternalWith("Failed to delete app database".into())
        })?;
    // Uploads go with their app (a new app of the same name starts empty).
    crate::files::delete_app(p, name);
    Ok(())
}

/// Creates the app's database. One that already exists (left behind by something
/// other than this server: apps are deleted with their database) is a 409, never
/// adopted or overwritten.
async fn create_database(p: &Platform, driver: Driver, db_name: &str) -> Result<()> {
    let other = |m: String| create_failed(DbError::Other(m));
    let exists = || {
        EngineError::Conflict(format!(
            "Database {db_name} already exists; drop it or choose another app name"
        ))
    };
    match driver {
        Driver::Postgres => {
            if !rocket_meta::is_safe_ident(db_name) {
                return Err(other(format!("invalid database name {db_name}")));
            }
            if p.pg.database_exists(db_name).await.map_err(create_failed)? {
                return Err(exists());
            }
            p.pg.admin_batch(&format!("CREATE DATABASE \"{db_name}\""))
                .await
                .map_err(create_failed)
        }
        Driver::Sqlite => {
            let path = p.sqlite_path(db_name);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| other(e.to_string()))?;
            }
            if path.exists() {
                return Err(exists());
            }
            std::fs::File::create(&path)
                .map(|_| ())
                .map_err(|e| other(e.to_string()))
        }
    }
}

async fn drop_database(p: &Platform, driver: Driver, db_name: &str) -> Result<(), String> {
    match driver {
        Driver::Postgres => {
            if !rocket_meta::is_safe_ident(db_name) {
                return Err(format!("invalid database name {db_name}"));
            }
            p.pg.admin_batch(&format!(
                "DROP DATABASE IF EXISTS \"{db_name}\" WITH (FORCE)"
            ))
            .await
            .map_err(|e| e.to_string())
        }
        Driver::Sqlite => {
            let path = p.sqlite_path(db_name);
            for suffix in ["", "-wal", "-shm"] {
                let p = format!("{}{suffix}", path.display());
                match std::fs::remove_file(&p) {
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(format!("{p}: {e}")),
                }
            }
            Ok(())
        }
    }
}
