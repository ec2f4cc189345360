//! The admin collections of an app (entities, relations and permissions of spec 03
//! §3–4 and 11 §10, users of 11 §8): what each of their five routes does, so the
//! server mounts every collection the same way and each further one (rules, state
//! machines, workflows, webhooks, UI configs) is one implementation.

use std::future::Future;

use rocket_store::Exec;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::app::App;
use crate::error::{EngineError, Result};
use crate::platform::Platform;
use crate::repo;
use crate::repo::table::Stored;

/// A request body: a JSON object.
pub type Body = Map<String, Value>;

/// One admin collection, keyed by name or id.
pub trait Collection: Sized + Send + Sync + 'static {
    /// What list and get answer.
    type Row: Stored + Serialize + Send;
    /// What an item is called in messages ("Entity", "User", …).
    const NOUN: &'static str;

    /// The 404 of a key that names nothing.
    fn not_found(key: &str) -> EngineError {
        EngineError::NotFound(format!("{} not found: {key}", Self::NOUN))
    }

    /// The 409 of a create whose key is taken.
    fn taken(key: &str) -> EngineError {
        EngineError::Conflict(format!("{} already exists: {key}", Self::NOUN))
    }

    /// 404 for a missing item, before an update's body is read (spec 06 §5).
    fn require(app: &App, key: &str) -> impl Future<Output = Result<()>> + Send {
        async move { get::<Self>(app, key).await.map(|_| ()) }
    }

    /// Creates an item (`key` is `None`) or replaces the item `key`; the caller
    /// checked [`Collection::require`] first then.
    fn put(
        p: &Platform,
        app: &App,
        key: Option<&str>,
        body: Body,
    ) -> impl Future<Output = Result<Value>> + Send;

    fn delete(p: &Platform, app: &App, key: &str) -> impl Future<Output = Result<Value>> + Send;
}

/// Every item, in the table's order.
pub async fn list<C: Collection>(app: &App) -> Result<Vec<C::Row>> {
    Ok(repo::all(&mut Exec::Store(&app.store)).await?)
}

/// One item; 404 when `key` names nothing.
pub async fn get<C: Collection>(app: &App, key: &str) -> Result<C::Row> {
    repo::find(&mut Exec::Store(&app.store), key)
        .await?
        .ok_or_else(|| C::not_found(key))
}

/// A written row as the answer of create or update.
pub(crate) fn answer<T: Serialize>(row: T) -> Result<Value> {
    serde_json::to_value(row).map_err(EngineError::internal)
}

/// Typed reads of a request body's keys: a key of the wrong JSON type is the
/// `400 Invalid JSON body` of the admin APIs; absent or null is the default.
pub(crate) struct Fields<'a>(pub &'a Body);

fn bad_body() -> EngineError {
    EngineError::BadInput("Invalid JSON body".into())
}

impl Fields<'_> {
    fn get(&self, k: &str) -> Option<&Value> {
        self.0.get(k).filter(|v| !v.is_null())
    }

    pub(crate) fn text(&self, k: &str) -> Result<String> {
        match self.get(k) {
            None => Ok(String::new()),
            Some(Value::String(s)) => Ok(s.clone()),
            Some(_) => Err(bad_body()),
        }
    }

    pub(crate) fn flag(&self, k: &str, default: bool) -> Result<bool> {
        match self.get(k) {
            None => Ok(default),
            Some(Value::Bool(b)) => Ok(*b),
            Some(_) => Err(bad_body()),
        }
    }

    pub(crate) fn int(&self, k: &str) -> Result<i64> {
        match self.get(k) {
            None => Ok(0),
            Some(v) => v.as_i64().ok_or_else(bad_body),
        }
    }

    /// An object (`{}` when absent).
    pub(crate) fn object(&self, k: &str) -> Result<Value> {
        match self.get(k) {
            None => Ok(Value::Object(Map::new())),
            Some(v @ Value::Object(_)) => Ok(v.clone()),
            Some(_) => Err(bad_body()),
        }
    }

    /// An array (`[]` when absent).
    pub(crate) fn array(&self, k: &str) -> Result<Value> {
        match self.get(k) {
            None => Ok(Value::Array(Vec::new())),
            Some(v @ Value::Array(_)) => Ok(v.clone()),
            Some(_) => Err(bad_body()),
        }
    }
}

/// `{"id": …}` followed by the keys of `row` (the create/update answers).
pub(crate) fn with_id<T: Serialize>(id: &str, row: &T) -> Result<Value> {
    let mut m = Map::new();
    m.insert("id".into(), Value::String(id.to_string()));
    if let Value::Object(rest) = serde_json::to_value(row).map_err(EngineError::internal)? {
        m.extend(rest);
    }
    Ok(Value::Object(m))
}

/// Stores a definition row: a new one under a fresh id, or over `id`.
pub(crate) async fn store_row<T: Stored + Sync>(
    app: &App,
    id: Option<&str>,
    row: &T,
) -> Result<String> {
    let x = &mut Exec::Store(&app.store);
    match id {
        Some(id) => {
            repo::update(x, id, row).await?;
            Ok(id.to_ascii_lowercase())
        }
        None => Ok(repo::insert_new(x, row).await?),
    }
}

/// Deletes the row `id` of table `T` after checking it exists (404), then reloads
/// the snapshot.
pub(crate) async fn delete_row<C: Collection>(
    p: &Platform,
    app: &App,
    id: &str,
    table: &str,
) -> Result<Value> {
    get::<C>(app, id).await?;
    repo::delete_by_id(&mut Exec::Store(&app.store), table, id).await?;
    p.metadata_changed(app).await?;
    Ok(serde_json::json!({"id": id, "deleted": true}))
}
