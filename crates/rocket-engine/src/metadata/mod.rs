//! Metadata admin (spec 03 §3, §4): entities and relations; permissions in
//! [`permissions`]; what a non-admin may read of it in [`visible`]. Every change
//! stores the definition and migrates the database in one transaction, then rebuilds
//! the snapshot and tells the other processes.

pub mod permissions;
pub mod visible;

use rocket_meta::{Entity, Relation, RelationKind, Schema};
use rocket_store::{migrate, DbError, Exec, Store};
use serde_json::{json, Map, Value};

use crate::admin::{Body, Collection};
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

/// `/_admin/entities` (spec 03 §3).
pub struct Entities;

impl Collection for Entities {
    type Row = EntityRow;

    const NOUN: &'static str = "Entity";

    /// From the snapshot: no query.
    async fn require(app: &App, name: &str) -> Result<()> {
        let known = app.schema().entity(name).is_some();
        known.then_some(()).ok_or_else(|| Self::not_found(name))
    }

    /// Validate (the body's name is ignored on update), check names are free, store
    /// and migrate in one transaction, announce.
    async fn put(p: &Platform, app: &App, name: Option<&str>, body: Body) -> Result<Value> {
        let mut e = parse_entity(body)?;
        if let Some(n) = name {
            e.name = n.to_string();
        }
        e.validate().map_err(EngineError::Invalid)?;
        let _lock = app.admin_lock.lock().await;
        let schema = app.schema();
        match name {
            Some(n) => Self::require(app, n).await?,
            None if schema.entity(&e.name).is_some() => return Err(Self::taken(&e.name)),
            None => {}
        }
        check_table_free(&schema, &e)?;
        let def = save_entity(&app.store, &e, &schema, name.is_none()).await?;
        p.metadata_changed(app).await?;
        Ok(def)
    }

    /// The definition and every relation touching it; the table stays.
    async fn delete(p: &Platform, app: &App, name: &str) -> Result<Value> {
        let _lock = app.admin_lock.lock().await;
        Self::require(app, name).await?;
        let mut tx = app.store.begin().await?;
        repo::entities::delete(&mut Exec::Tx(&mut tx), name).await?;
        tx.commit().await?;
        p.metadata_changed(app).await?;
        Ok(json!({"name": name, "deleted": true}))
    }
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

/// `/_admin/relations` (spec 03 §4).
pub struct Relations;

impl Collection for Relations {
    type Row = RelationRow;

    const NOUN: &'static str = "Relation";

    /// From the snapshot: no query.
    async fn require(app: &App, name: &str) -> Result<()> {
        let known = app.schema().relation(name).is_some();
        known.then_some(()).ok_or_else(|| Self::not_found(name))
    }

    async fn put(p: &Platform, app: &App, name: Option<&str>, body: Body) -> Result<Value> {
        let mut r = parse_relation(body)?;
        if let Some(n) = name {
            r.name = n.to_string();
        }
        let _lock = app.admin_lock.lock().await;
        let schema = app.schema();
        if let Some(n) = name {
            Self::require(app, n).await?;
        }
        check_relation(&schema, &r).map_err(EngineError::Invalid)?;
        if name.is_none() && schema.relation(&r.name).is_some() {
            return Err(Self::taken(&r.name));
        }
        let def = save_relation(&app.store, &r, &schema, name.is_none()).await?;
        p.metadata_changed(app).await?;
        Ok(def)
    }

    async fn delete(p: &Platform, app: &App, name: &str) -> Result<Value> {
        let _lock = app.admin_lock.lock().await;
        Self::require(app, name).await?;
        repo::relations::delete(&mut Exec::Store(&app.store), name).await?;
        p.metadata_changed(app).await?;
        Ok(json!({"name": name, "deleted": true}))
    }
}
