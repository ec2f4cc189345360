//! Metadata admin API (spec 03 §3, §4): entities and relations.

use rocket_meta::{Entity, Relation, RelationKind, Schema};
use rocket_store::{DbError, Param, Store};
use serde_json::{json, Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::migrate;
use crate::state::{AppCtx, AppState};
use crate::sys;

fn meta_row(r: &rocket_store::Row, extra: &[&str]) -> Value {
    // Columns: name, <extra text columns…>, definition, created_at, updated_at.
    let mut m = Map::new();
    m.insert("name".into(), Value::String(sys::text_cell(&r[0])));
    for (i, k) in extra.iter().enumerate() {
        m.insert((*k).into(), Value::String(sys::text_cell(&r[1 + i])));
    }
    let base = 1 + extra.len();
    m.insert("definition".into(), sys::json_cell(&r[base]));
    m.insert("created_at".into(), sys::time_cell(&r[base + 1]));
    m.insert("updated_at".into(), sys::time_cell(&r[base + 2]));
    Value::Object(m)
}

fn parse_entity(body: Map<String, Value>) -> ApiResult<Entity> {
    Entity::from_value(Value::Object(body))
        .map_err(|_| ApiError::InvalidPayload("Invalid JSON body".into()))
}

fn parse_relation(body: Map<String, Value>) -> ApiResult<Relation> {
    Relation::from_value(Value::Object(body))
        .map_err(|_| ApiError::InvalidPayload("Invalid JSON body".into()))
}

/// Stores an entity definition (canonical form; a new one when `is_new`) and
/// migrates its table, in one transaction: a failed migration stores nothing.
pub async fn save_entity(
    store: &Store,
    e: &Entity,
    schema: &Schema,
    is_new: bool,
) -> Result<Value, DbError> {
    let def = serde_json::to_value(e).map_err(|err| DbError::Other(err.to_string()))?;
    let tpl = if is_new {
        "INSERT INTO _entities (name, table_name, definition) VALUES ({1}, {2}, {3:jsonb})"
    } else {
        "UPDATE _entities SET table_name = {2}, definition = {3:jsonb}, updated_at = {now} WHERE name = {1}"
    };
    let mut tx = store.begin().await?;
    tx.unbounded().await?;
    tx.execute(&sys::sql(
        store.dialect(),
        tpl,
        vec![
            Param::Text(e.name.clone()),
            Param::Text(e.table.clone()),
            Param::Text(def.to_string()),
        ],
    ))
    .await?;
    migrate::migrate_entity(&mut tx, e, schema).await?;
    tx.commit().await?;
    Ok(def)
}

/// Stores a relation definition (canonical form) and creates what it needs (join
/// table, key index) in one transaction.
pub async fn save_relation(
    store: &Store,
    r: &Relation,
    schema: &Schema,
    is_new: bool,
) -> Result<Value, DbError> {
    let def = serde_json::to_value(r).map_err(|err| DbError::Other(err.to_string()))?;
    let tpl = if is_new {
        "INSERT INTO _relations (name, source, target, definition) VALUES ({1}, {2}, {3}, {4:jsonb})"
    } else {
        "UPDATE _relations SET source = {2}, target = {3}, definition = {4:jsonb}, updated_at = {now} WHERE name = {1}"
    };
    let mut tx = store.begin().await?;
    tx.unbounded().await?;
    tx.execute(&sys::sql(
        store.dialect(),
        tpl,
        vec![
            Param::Text(r.name.clone()),
            Param::Text(r.source.clone()),
            Param::Text(r.target.clone()),
            Param::Text(def.to_string()),
        ],
    ))
    .await?;
    migrate::migrate_relation(&mut tx, r, schema).await?;
    tx.commit().await?;
    Ok(def)
}

pub async fn list_entities(app: &AppCtx, name: Option<&str>) -> ApiResult<Value> {
    let d = app.store.dialect();
    let (tpl, params) = match name {
        Some(n) => (
            "SELECT name, table_name, [definition], [created_at], [updated_at] FROM _entities WHERE name = {1}",
            vec![Param::Text(n.into())],
        ),
        None => (
            "SELECT name, table_name, [definition], [created_at], [updated_at] FROM _entities ORDER BY name",
            vec![],
        ),
    };
    let rows = app.store.query(&sys::sql(d, tpl, params)).await?;
    let items: Vec<Value> = rows.iter().map(|r| meta_row(r, &["table_name"])).collect();
    match name {
        Some(n) => items
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::NotFound(format!("Entity not found: {n}"))),
        None => Ok(Value::Array(items)),
    }
}

pub async fn create_entity(
    state: &AppState,
    app: &AppCtx,
    body: Map<String, Value>,
) -> ApiResult<Value> {
    let e = parse_entity(body)?;
    e.validate().map_err(ApiError::Invalid)?;
    let _lock = app.admin_lock.lock().await;
    let schema = app.schema();
    if schema.entity(&e.name).is_some() {
        return Err(ApiError::Conflict(format!(
            "Entity already exists: {}",
            e.name
        )));
    }
    if schema.entities().any(|x| x.table == e.table) {
        return Err(ApiError::Conflict(
            "A record with this value already exists".into(),
        ));
    }
    let def = save_entity(&app.store, &e, &schema, true).await?;
    state.metadata_changed(app).await?;
    Ok(def)
}

pub async fn update_entity(
    state: &AppState,
    app: &AppCtx,
    name: &str,
    body: Map<String, Value>,
) -> ApiResult<Value> {
    let _lock = app.admin_lock.lock().await;
    let schema = app.schema();
    if schema.entity(name).is_none() {
        return Err(ApiError::NotFound(format!("Entity not found: {name}")));
    }
    let mut e = parse_entity(body)?;
    e.name = name.to_string();
    e.validate().map_err(ApiError::Invalid)?;
    if schema
        .entities()
        .any(|x| x.table == e.table && x.name != e.name)
    {
        return Err(ApiError::Conflict(
            "A record with this value already exists".into(),
        ));
    }
    let def = save_entity(&app.store, &e, &schema, false).await?;
    state.metadata_changed(app).await?;
    Ok(def)
}

pub async fn delete_entity(state: &AppState, app: &AppCtx, name: &str) -> ApiResult<Value> {
    let _lock = app.admin_lock.lock().await;
    if app.schema().entity(name).is_none() {
        return Err(ApiError::NotFound(format!("Entity not found: {name}")));
    }
    let d = app.store.dialect();
    let mut tx = app.store.begin().await?;
    tx.execute(&sys::sql(
        d,
        "DELETE FROM _relations WHERE source = {1} OR target = {1}",
        vec![Param::Text(name.into())],
    ))
    .await?;
    tx.execute(&sys::sql(
        d,
        "DELETE FROM _entities WHERE name = {1}",
        vec![Param::Text(name.into())],
    ))
    .await?;
    tx.commit().await?;
    state.metadata_changed(app).await?;
    Ok(json!({"name": name, "deleted": true}))
}

pub async fn list_relations(app: &AppCtx, name: Option<&str>) -> ApiResult<Value> {
    let d = app.store.dialect();
    let (tpl, params) = match name {
        Some(n) => (
            "SELECT name, source, target, [definition], [created_at], [updated_at] FROM _relations WHERE name = {1}",
            vec![Param::Text(n.into())],
        ),
        None => (
            "SELECT name, source, target, [definition], [created_at], [updated_at] FROM _relations ORDER BY name",
            vec![],
        ),
    };
    let rows = app.store.query(&sys::sql(d, tpl, params)).await?;
    let items: Vec<Value> = rows
        .iter()
        .map(|r| meta_row(r, &["source", "target"]))
        .collect();
    match name {
        Some(n) => items
            .into_iter()
            .next()
            .ok_or_else(|| ApiError::NotFound(format!("Relation not found: {n}"))),
        None => Ok(Value::Array(items)),
    }
}

/// Relation checks beyond spec 03 §4.1 that need the entities: keys must name fields,
/// or the relation would fail at runtime.
pub fn check_relation_keys(schema: &rocket_meta::Schema, r: &Relation) -> Result<(), String> {
    let (Some(src), Some(tgt)) = (schema.entity(&r.source), schema.entity(&r.target)) else {
        return Ok(());
    };
    if !src.has_field(&r.source_key) {
        return Err(format!(
            "source_key {} is not a field of {}",
            r.source_key, r.source
        ));
    }
    if r.kind() != RelationKind::ManyToMany && !tgt.has_field(&r.target_key) {
        return Err(format!(
            "target_key {} is not a field of {}",
            r.target_key, r.target
        ));
    }
    if r.kind() == RelationKind::ManyToMany {
        if let Some(owner) = schema.entities().find(|e| e.table == r.join_table) {
            return Err(format!(
                "join_table {} is the table of entity {}",
                r.join_table, owner.name
            ));
        }
    }
    Ok(())
}

fn check_keys(app: &AppCtx, r: &Relation) -> ApiResult<()> {
    check_relation_keys(&app.schema(), r).map_err(ApiError::Invalid)
}

pub async fn create_relation(
    state: &AppState,
    app: &AppCtx,
    body: Map<String, Value>,
) -> ApiResult<Value> {
    let r = parse_relation(body)?;
    let _lock = app.admin_lock.lock().await;
    let schema = app.schema();
    r.validate(|n| schema.entity(n).is_some())
        .map_err(ApiError::Invalid)?;
    check_keys(app, &r)?;
    if schema.relation(&r.name).is_some() {
        return Err(ApiError::Conflict(format!(
            "Relation already exists: {}",
            r.name
        )));
    }
    let def = save_relation(&app.store, &r, &schema, true).await?;
    state.metadata_changed(app).await?;
    Ok(def)
}

pub async fn update_relation(
    state: &AppState,
    app: &AppCtx,
    name: &str,
    body: Map<String, Value>,
) -> ApiResult<Value> {
    let _lock = app.admin_lock.lock().await;
    let schema = app.schema();
    if schema.relation(name).is_none() {
        return Err(ApiError::NotFound(format!("Relation not found: {name}")));
    }
    let mut r = parse_relation(body)?;
    r.name = name.to_string();
    r.validate(|n| schema.entity(n).is_some())
        .map_err(ApiError::Invalid)?;
    check_keys(app, &r)?;
    let def = save_relation(&app.store, &r, &schema, false).await?;
    state.metadata_changed(app).await?;
    Ok(def)
}

pub async fn delete_relation(state: &AppState, app: &AppCtx, name: &str) -> ApiResult<Value> {
    let _lock = app.admin_lock.lock().await;
    if app.schema().relation(name).is_none() {
        return Err(ApiError::NotFound(format!("Relation not found: {name}")));
    }
    let d = app.store.dialect();
    app.store
        .execute(&sys::sql(
            d,
            "DELETE FROM _relations WHERE name = {1}",
            vec![Param::Text(name.into())],
        ))
        .await?;
    state.metadata_changed(app).await?;
    Ok(json!({"name": name, "deleted": true}))
}
