//! Apps lifecycle on the management database (spec 12 part A).

use std::sync::Arc;

use rocket_store::Param;
use serde_json::{json, Map, Value};

use crate::config::Driver;
use crate::error::{ApiError, ApiResult};
use crate::state::{AppRow, AppState};
use crate::sys;

const NAME_MSG: &str =
    "App name must be lowercase letters, numbers, hyphens, underscores (start with letter)";

fn app_json(r: &rocket_store::Row) -> Value {
    let driver = match r[3].as_str() {
        Some(s) if !s.is_empty() => s.to_string(),
        _ => "postgres".into(),
    };
    json!({
        "name": sys::text_cell(&r[0]),
        "display_name": sys::text_cell(&r[1]),
        "db_name": sys::text_cell(&r[2]),
        "db_driver": driver,
        "status": sys::text_cell(&r[4]),
        "created_at": sys::time_cell(&r[5]),
        "updated_at": sys::time_cell(&r[6]),
    })
}

const SELECT: &str =
    "SELECT name, display_name, db_name, db_driver, status, [created_at], [updated_at] FROM _apps";

pub async fn list(state: &AppState) -> ApiResult<Value> {
    let rows = state
        .mgmt
        .query(&sys::sql(
            state.mgmt.dialect(),
            &format!("{SELECT} ORDER BY name"),
            vec![],
        ))
        .await?;
    Ok(Value::Array(rows.iter().map(app_json).collect()))
}

pub async fn get(state: &AppState, name: &str) -> ApiResult<Value> {
    let rows = state
        .mgmt
        .query(&sys::sql(
            state.mgmt.dialect(),
            &format!("{SELECT} WHERE name = {{1}}"),
            vec![Param::Text(name.into())],
        ))
        .await?;
    rows.first()
        .map(app_json)
        .ok_or_else(|| ApiError::NotFound("App not found".into()))
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

pub async fn create(state: &Arc<AppState>, body: Map<String, Value>) -> ApiResult<Value> {
    let wrong_type = |k: &str| body.get(k).is_some_and(|v| !v.is_string() && !v.is_null());
    if wrong_type("name") || wrong_type("display_name") || wrong_type("db_driver") {
        return Err(ApiError::InvalidPayload("Invalid request body".into()));
    }
    let s = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (name, display, driver_s) = (s("name"), s("display_name"), s("db_driver"));
    if name.is_empty() {
        return Err(ApiError::Invalid("App name is required".into()));
    }
    if !valid_name(&name) {
        return Err(ApiError::Invalid(NAME_MSG.into()));
    }
    let driver = match driver_s.as_str() {
        "" => state.driver,
        "postgres" => Driver::Postgres,
        "sqlite" => Driver::Sqlite,
        _ => {
            return Err(ApiError::Invalid(
                "db_driver must be 'postgres' or 'sqlite'".into(),
            ))
        }
    };
    // Postgres database names allow no '-' and `rocket_` + name must fit in 63.
    if driver == Driver::Postgres && (name.contains('-') || name.len() > 56) {
        return Err(ApiError::Invalid(NAME_MSG.into()));
    }
    let display = if display.is_empty() {
        name.clone()
    } else {
        display
    };
    let _guard = state.platform_lock.lock().await;
    if state.app_row(&name).await?.is_some() {
        return Err(ApiError::Conflict(format!("App already exists: {name}")));
    }
    let db_name = format!("rocket_{name}");
    let secret = sys::random_secret()
        .map_err(|e| ApiError::InternalWith(format!("Failed to create app: {e}")))?;
    let fail = |e: String| ApiError::InternalWith(format!("Failed to create app: {e}"));
    create_database(state, driver, &db_name)
        .await
        .map_err(fail)?;
    let insert = sys::sql(
        state.mgmt.dialect(),
        "INSERT INTO _apps (name, display_name, db_name, db_driver, jwt_secret, status) VALUES ({1}, {2}, {3}, {4}, {5}, 'active')",
        vec![
            Param::Text(name.clone()),
            Param::Text(display.clone()),
            Param::Text(db_name.clone()),
            Param::Text(driver.as_str().into()),
            Param::Text(secret.clone()),
        ],
    );
    if let Err(e) = state.mgmt.execute(&insert).await {
        let _ = drop_database(state, driver, &db_name).await;
        return Err(fail(e.to_string()));
    }
    let row = AppRow {
        db_name: db_name.clone(),
        db_driver: driver,
        secret,
    };
    match state.open_app(&name, &row).await {
        Ok(ctx) => state.insert_app(Arc::new(ctx)),
        Err(e) => return Err(fail(e.to_string())),
    }
    Ok(json!({
        "name": name,
        "display_name": display,
        "db_name": db_name,
        "db_driver": driver.as_str(),
        "status": "active",
    }))
}

pub async fn delete(state: &AppState, name: &str) -> ApiResult<()> {
    let _guard = state.platform_lock.lock().await;
    if let Some(ctx) = state.evict(name) {
        ctx.store.close();
    }
    let Some((row, _)) = state.app_row(name).await? else {
        return Err(ApiError::NotFound(format!(
            "App not found or failed to delete: app not found: {name}"
        )));
    };
    state
        .mgmt
        .execute(&sys::sql(
            state.mgmt.dialect(),
            "DELETE FROM _apps WHERE name = {1}",
            vec![Param::Text(name.into())],
        ))
        .await?;
    // Other instances drop their cached context when told (see the listener).
    state.announce(name).await;
    drop_database(state, row.db_driver, &row.db_name)
        .await
        .map_err(|e| ApiError::InternalWith(format!("Failed to delete app database: {e}")))?;
    Ok(())
}

async fn create_database(state: &AppState, driver: Driver, db_name: &str) -> Result<(), String> {
    match driver {
        Driver::Postgres => {
            if !rocket_meta::is_safe_ident(db_name) {
                return Err(format!("invalid database name {db_name}"));
            }
            if state
                .pg
                .database_exists(db_name)
                .await
                .map_err(|e| e.to_string())?
            {
                return Err(format!("database {db_name} already exists"));
            }
            state
                .pg
                .admin_batch(&format!("CREATE DATABASE \"{db_name}\""))
                .await
                .map_err(|e| e.to_string())
        }
        Driver::Sqlite => {
            let path = state.sqlite_path(db_name);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            }
            if path.exists() {
                return Err(format!("database file {} already exists", path.display()));
            }
            std::fs::File::create(&path)
                .map(|_| ())
                .map_err(|e| e.to_string())
        }
    }
}

async fn drop_database(state: &AppState, driver: Driver, db_name: &str) -> Result<(), String> {
    match driver {
        Driver::Postgres => {
            if !rocket_meta::is_safe_ident(db_name) {
                return Err(format!("invalid database name {db_name}"));
            }
            state
                .pg
                .admin_batch(&format!(
                    "DROP DATABASE IF EXISTS \"{db_name}\" WITH (FORCE)"
                ))
                .await
                .map_err(|e| e.to_string())
        }
        Driver::Sqlite => {
            let path = state.sqlite_path(db_name);
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
