//! Permission admin API (spec 11 §10). Every mutation reloads the app's snapshot.

use rocket_meta::{validate_permission, Condition};
use rocket_store::{Param, Row};
use serde_json::{json, Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::state::{AppCtx, AppState};
use crate::sys;

const SELECT: &str = "SELECT [id], entity, action, [roles:list], [conditions], [created_at], [updated_at] FROM _permissions";

fn conditions_of(c: &rocket_store::Cell) -> Value {
    match sys::json_cell(c) {
        Value::Array(a) => Value::Array(a),
        _ => json!([]),
    }
}

fn row_json(r: &Row) -> Value {
    json!({
        "id": sys::text_cell(&r[0]),
        "entity": sys::text_cell(&r[1]),
        "action": sys::text_cell(&r[2]),
        "roles": sys::list_cell(&r[3]),
        "conditions": conditions_of(&r[4]),
        "created_at": sys::time_cell(&r[5]),
        "updated_at": sys::time_cell(&r[6]),
    })
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("Permission not found: {id}"))
}

struct Body {
    entity: String,
    action: String,
    roles: Vec<String>,
    conditions: Vec<Condition>,
}

fn parse(app: &AppCtx, b: &Map<String, Value>) -> ApiResult<Body> {
    let bad = || ApiError::InvalidPayload("Invalid JSON body".into());
    let text = |k: &str| -> ApiResult<String> {
        match b.get(k) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            _ => Err(bad()),
        }
    };
    let roles: Vec<String> = match b.get("roles") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|_| bad())?,
    };
    let conditions: Vec<Condition> = match b.get("conditions") {
        None | Some(Value::Null) => Vec::new(),
        Some(v) => serde_json::from_value(v.clone()).map_err(|_| bad())?,
    };
    let body = Body {
        entity: text("entity")?,
        action: text("action")?,
        roles,
        conditions,
    };
    if body.entity.is_empty() {
        return Err(ApiError::Invalid("entity is required".into()));
    }
    if body.action.is_empty() {
        return Err(ApiError::Invalid("action is required".into()));
    }
    // Checked on create and update: a typo would silently create a dead policy, and a
    // bad condition field would only fail later at query time.
    let schema = app.schema();
    validate_permission(
        schema.entity(&body.entity).map(|e| e.as_ref()),
        &body.action,
        &body.conditions,
    )
    .map_err(ApiError::Invalid)?;
    Ok(body)
}

/// Parameters 1–5 of both the INSERT and the UPDATE: id, entity, action, roles, conditions.
fn row_params(d: rocket_store::Dialect, id: &str, b: &Body) -> ApiResult<Vec<Param>> {
    Ok(vec![
        Param::Text(id.to_string()),
        Param::Text(b.entity.clone()),
        Param::Text(b.action.clone()),
        sys::list_param(d, &b.roles),
        Param::Text(serde_json::to_string(&b.conditions).map_err(ApiError::internal)?),
    ])
}

fn echo(id: &str, b: &Body) -> Value {
    json!({"id": id, "entity": b.entity, "action": b.action, "roles": b.roles, "conditions": b.conditions})
}

pub async fn list(app: &AppCtx) -> ApiResult<Value> {
    let rows = app
        .store
        .query(&sys::sql(
            app.store.dialect(),
            &format!("{SELECT} ORDER BY entity, action"),
            vec![],
        ))
        .await?;
    Ok(Value::Array(rows.iter().map(row_json).collect()))
}

pub async fn get(app: &AppCtx, id: &str) -> ApiResult<Value> {
    if !rocket_meta::looks_like_uuid(id) {
        return Err(not_found(id));
    }
    let rows = app
        .store
        .query(&sys::sql(
            app.store.dialect(),
            &format!("{SELECT} WHERE id = {{1:uuid}}"),
            vec![Param::Text(id.to_ascii_lowercase())],
        ))
        .await?;
    rows.first().map(row_json).ok_or_else(|| not_found(id))
}

pub async fn create(state: &AppState, app: &AppCtx, body: &Map<String, Value>) -> ApiResult<Value> {
    let b = parse(app, body)?;
    let d = app.store.dialect();
    let id = sys::new_id();
    app.store
        .execute(&sys::sql(
            d,
            "INSERT INTO _permissions (id, entity, action, roles, conditions) VALUES ({1:uuid}, {2}, {3}, {4:list}, {5:jsonb})",
            row_params(d, &id, &b)?,
        ))
        .await?;
    state.metadata_changed(app).await?;
    Ok(echo(&id, &b))
}

pub async fn update(
    state: &AppState,
    app: &AppCtx,
    id: &str,
    body: &Map<String, Value>,
) -> ApiResult<Value> {
    // The caller checked that the permission exists (404 before the body is read).
    let b = parse(app, body)?;
    let d = app.store.dialect();
    app.store
        .execute(&sys::sql(
            d,
            "UPDATE _permissions SET entity = {2}, action = {3}, roles = {4:list}, conditions = {5:jsonb}, updated_at = {now} WHERE id = {1:uuid}",
            row_params(d, &id.to_ascii_lowercase(), &b)?,
        ))
        .await?;
    state.metadata_changed(app).await?;
    Ok(echo(id, &b))
}

pub async fn delete(state: &AppState, app: &AppCtx, id: &str) -> ApiResult<Value> {
    get(app, id).await?;
    app.store
        .execute(&sys::sql(
            app.store.dialect(),
            "DELETE FROM _permissions WHERE id = {1:uuid}",
            vec![Param::Text(id.to_ascii_lowercase())],
        ))
        .await?;
    state.metadata_changed(app).await?;
    Ok(json!({"id": id, "deleted": true}))
}
