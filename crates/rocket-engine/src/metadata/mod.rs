//! Metadata admin (spec 03 §3, §4): entities and relations; permissions in
//! [`permissions`]. Every change stores the definition and migrates the database in
//! one transaction, then rebuilds the snapshot and tells the other processes.

pub mod permissions;

use rocket_meta::{Entity, Relation, RelationKind, Schema};
use rocket_store::{migrate, DbError, Exec, Store};
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::error::{EngineError, Result};
use crate::platform::Platform;
use crate::repo;
use crate::repo::entities::EntityRow;
use crate::repo::relations::RelationRow;

fn parse_entity(body: Map<String, Value>) -> Result<Entity> {
    Entity::from_value(Value::Object(body))
        .map_err(|_| EngineError::BadInput("Invalid JSON body".into()))
}

fn parse_relation(body: Map<String, Value>) -> Result<Relation> {
    Relation::from_value(Value::Object(body))
        .map_err(|_| EngineError::BadInput("Invalid JSON body".into()))
}

fn entity_not_found(name: &str) -> EngineError {
    EngineError::NotFound(format!("Entity not found: {name}"))
}

fn relation_not_found(name: &str) -> EngineError {
    EngineError::NotFound(format!("Relation not found: {name}"))
}

/// Stores an entity definition (new or replacing) and migrates its table, in one
/// transaction: a failed migration stores nothing (DDL is transactional on both
/// dialects).
pub async fn save_entity(
    store: &Store,
    e: &Entity,
    schema: &Schema,
    is_new: bool,
) -> Result<Value, DbError> {
    let mut tx = store.begin().await?;
    tx.unbounded().await?;
    let def = repo::entities::save(&mut Exec::Tx(&mut tx), e, is_new).await?;
    migrate::migrate_entity(&mut tx, e, schema).await?;
    tx.commit().await?;
    Ok(def)
}

/// Stores a relation definition and creates what it needs (join table, key index)
/// in one transaction.
pub async fn save_relation(
    store: &Store,
    r: &Relation,
    schema: &Schema,
    is_new: bool,
) -> Result<Value, DbError> {
    let mut tx = store.begin().await?;
    tx.unbounded().await?;
    let def = repo::relations::save(&mut Exec::Tx(&mut tx), r, is_new).await?;
    migrate::migrate_relation(&mut tx, r, schema).await?;
    tx.commit().await?;
    Ok(def)
}

pub async fn list_entities(app: &App) -> Result<Vec<EntityRow>> {
    Ok(repo::entities::list(&mut Exec::Store(&app.store)).await?)
}

pub async fn get_entity(app: &App, name: &str) -> Result<EntityRow> {
    repo::entities::get(&mut Exec::Store(&app.store), name)
        .await?
        .ok_or_else(|| entity_not_found(name))
}

fn check_table_free(schema: &Schema, e: &Entity) -> Result<()> {
    if schema
        .entities()
        .any(|x| x.table == e.table && x.name != e.name)
    {
        return Err(EngineError::Conflict(
            "A record with this value already exists".into(),
        ));
    }
    Ok(())
}

/// Creates an entity (`name` is `None`) or replaces the definition of `name` (the
/// body's name is ignored then): validate, check names are free, store and migrate
/// in one transaction, announce.
pub async fn put_entity(
    p: &Platform,
    app: &App,
    name: Option<&str>,
    body: Map<String, Value>,
) -> Result<Value> {
    let mut e = parse_entity(body)?;
    if let Some(n) = name {
        e.name = n.to_string();
    }
    e.validate().map_err(EngineError::Invalid)?;
    let _lock = app.admin_lock.lock().await;
    let schema = app.schema();
    match name {
        Some(n) => require_entity(app, n)?,
        None if schema.entity(&e.name).is_some() => {
            return Err(EngineError::Conflict(format!(
                "Entity already exists: {}",
                e.name
            )));
        }
        None => {}
    }
    check_table_free(&schema, &e)?;
    let def = save_entity(&app.store, &e, &schema, name.is_none()).await?;
    p.metadata_changed(app).await?;
    Ok(def)
}

/// The entity must exist (404 before the body is looked at, spec 06 §5).
pub fn require_entity(app: &App, name: &str) -> Result<()> {
    match app.schema().entity(name) {
        Some(_) => Ok(()),
        None => Err(entity_not_found(name)),
    }
}

pub async fn delete_entity(p: &Platform, app: &App, name: &str) -> Result<Value> {
    let _lock = app.admin_lock.lock().await;
    require_entity(app, name)?;
    let mut tx = app.store.begin().await?;
    repo::entities::delete(&mut Exec::Tx(&mut tx), name).await?;
    tx.commit().await?;
    p.metadata_changed(app).await?;
    Ok(json!({"name": name, "deleted": true}))
}

pub async fn list_relations(app: &App) -> Result<Vec<RelationRow>> {
    Ok(repo::relations::list(&mut Exec::Store(&app.store)).await?)
}

pub async fn get_relation(app: &App, name: &str) -> Result<RelationRow> {
    repo::relations::get(&mut Exec::Store(&app.store), name)
        .await?
        .ok_or_else(|| relation_not_found(name))
}

/// Relation checks beyond spec 03 §4.1 that need the entities: keys must name
/// fields, or the relation would fail at runtime; a join table is never a business
/// table.
pub fn check_relation(schema: &Schema, r: &Relation) -> std::result::Result<(), String> {
    r.validate(|n| schema.entity(n).is_some())?;
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

/// Creates a relation (`name` is `None`) or replaces the definition of `name`.
pub async fn put_relation(
    p: &Platform,
    app: &App,
    name: Option<&str>,
    body: Map<String, Value>,
) -> Result<Value> {
    let mut r = parse_relation(body)?;
    if let Some(n) = name {
        r.name = n.to_string();
    }
    let _lock = app.admin_lock.lock().await;
    let schema = app.schema();
    if let Some(n) = name {
        require_relation(app, n)?;
    }
    check_relation(&schema, &r).map_err(EngineError::Invalid)?;
    if name.is_none() && schema.relation(&r.name).is_some() {
        return Err(EngineError::Conflict(format!(
            "Relation already exists: {}",
            r.name
        )));
    }
    let def = save_relation(&app.store, &r, &schema, name.is_none()).await?;
    p.metadata_changed(app).await?;
    Ok(def)
}

/// The relation must exist (404 before the body is looked at).
pub fn require_relation(app: &App, name: &str) -> Result<()> {
    match app.schema().relation(name) {
        Some(_) => Ok(()),
        None => Err(relation_not_found(name)),
    }
}

pub async fn delete_relation(p: &Platform, app: &App, name: &str) -> Result<Value> {
    let _lock = app.admin_lock.lock().await;
    require_relation(app, name)?;
    repo::relations::delete(&mut Exec::Store(&app.store), name).await?;
    p.metadata_changed(app).await?;
    Ok(json!({"name": name, "deleted": true}))
}
