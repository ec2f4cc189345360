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
