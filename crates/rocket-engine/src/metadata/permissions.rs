//! Permission admin (spec 11 §10). Every mutation rebuilds the app's snapshot.

use rocket_meta::{validate_permission, Condition};
use rocket_store::Exec;
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::error::{EngineError, Result};
use crate::platform::Platform;
use crate::repo::permissions::{PermissionDef, PermissionRow};
use crate::repo::{self, new_id};

fn not_found(id: &str) -> EngineError {
    EngineError::NotFound(format!("Permission not found: {id}"))
}

fn bad_body() -> EngineError {
    EngineError::BadInput("Invalid JSON body".into())
}

/// Reads and validates a permission body; wrong JSON types are a 400.
pub fn parse(app: &App, b: &Map<String, Value>) -> Result<PermissionDef> {
    let text = |k: &str| -> Result<String> {
        match b.get(k) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            _ => Err(bad_body()),
        }
    };
    let roles: Vec<String> = match b.get("roles") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|_| bad_body())?,
    };
    let conditions: Vec<Condition> = match b.get("conditions") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|_| bad_body())?,
    };
    let (entity, action) = (text("entity")?, text("action")?);
    if entity.is_empty() {
        return Err(EngineError::Invalid("entity is required".into()));
    }
    if action.is_empty() {
        return Err(EngineError::Invalid("action is required".into()));
    }
    // Checked on create and update: a typo would silently create a dead policy, and
    // a bad condition field would only fail later at query time.
    let schema = app.schema();
    let action = validate_permission(
        schema.entity(&entity).map(|e| e.as_ref()),
        &action,
        &conditions,
    )
    .map_err(EngineError::Invalid)?;
    Ok(PermissionDef {
        entity,
        action,
        roles,
        conditions,
    })
}

fn echo(id: &str, p: &PermissionDef) -> Value {
    json!({"id": id, "entity": p.entity, "action": p.action.as_str(), "roles": p.roles, "conditions": p.conditions})
}

pub async fn list(app: &App) -> Result<Vec<PermissionRow>> {
    Ok(repo::permissions::list(&mut Exec::Store(&app.store)).await?)
}

pub async fn get(app: &App, id: &str) -> Result<PermissionRow> {
    repo::permissions::get(&mut Exec::Store(&app.store), id)
        .await?
        .ok_or_else(|| not_found(id))
}

pub async fn create(p: &Platform, app: &App, body: &Map<String, Value>) -> Result<Value> {
    let def = parse(app, body)?;
    let id = new_id();
    repo::permissions::insert(&mut Exec::Store(&app.store), &id, &def).await?;
    p.metadata_changed(app).await?;
    Ok(echo(&id, &def))
}

/// The caller checked that the permission exists (404 before the body is read).
pub async fn update(p: &Platform, app: &App, id: &str, body: &Map<String, Value>) -> Result<Value> {
    let def = parse(app, body)?;
    repo::permissions::update(&mut Exec::Store(&app.store), id, &def).await?;
    p.metadata_changed(app).await?;
    Ok(echo(id, &def))
}

pub async fn delete(p: &Platform, app: &App, id: &str) -> Result<Value> {
    get(app, id).await?;
    repo::permissions::delete(&mut Exec::Store(&app.store), id).await?;
    p.metadata_changed(app).await?;
    Ok(json!({"id": id, "deleted": true}))
}
