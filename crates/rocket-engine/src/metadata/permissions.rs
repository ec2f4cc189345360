//! Permission admin (spec 11 §10). Every mutation rebuilds the app's snapshot.

use rocket_meta::{validate_permission, Condition};
use rocket_store::Exec;
use serde_json::{json, Map, Value};

use crate::admin::{self, Body, Collection};
use crate::app::App;
use crate::error::{EngineError, Result};
use crate::platform::Platform;
use crate::repo::permissions::{PermissionDef, PermissionRow};
use crate::repo::{self, new_id};

fn bad_body() -> EngineError {
    EngineError::BadInput("Invalid JSON body".into())
}

/// Reads and validates a permission body; wrong JSON types are a 400.
pub fn parse(app: &App, b: &Map<String, Value>) -> Result<PermissionDef> {
    parse_in(&app.schema(), b)
}

/// [`parse`] against a given schema (an import's dry run checks against the
/// schema the import would build).
pub fn parse_in(schema: &rocket_meta::Schema, b: &Map<String, Value>) -> Result<PermissionDef> {
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

/// `/_admin/permissions` (spec 11 §10).
pub struct Permissions;

impl Collection for Permissions {
    type Row = PermissionRow;

    const NOUN: &'static str = "Permission";

    async fn put(p: &Platform, app: &App, id: Option<&str>, body: Body) -> Result<Value> {
        let def = parse(app, &body)?;
        let x = &mut Exec::Store(&app.store);
        let id = match id {
            Some(id) => {
                repo::permissions::update(x, id, &def).await?;
                id.to_string()
            }
            None => {
                let id = new_id();
                repo::permissions::insert(x, &id, &def).await?;
                id
            }
        };
        p.metadata_changed(app).await?;
        Ok(echo(&id, &def))
    }

    async fn delete(p: &Platform, app: &App, id: &str) -> Result<Value> {
        admin::get::<Self>(app, id).await?;
        repo::permissions::delete(&mut Exec::Store(&app.store), id).await?;
        p.metadata_changed(app).await?;
        Ok(json!({"id": id, "deleted": true}))
    }
}
