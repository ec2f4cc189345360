//! Admin API of workflows (spec 09 §8) and the runtime endpoints' reads (§6.1–6.2).

use rocket_expr::ContextKind;
use rocket_store::{DbError, Exec};
use serde_json::{json, Value};

use super::def::validate;
use super::instances::{self, Instance};
use crate::admin::{self, with_id, Body, Collection, Fields};
use crate::app::App;
use crate::error::{EngineError, Result};
use crate::logic::compiled::check;
use crate::platform::Platform;
use crate::repo::workflows::{WorkflowDef, WorkflowRow};

/// Reads and validates a workflow body (09 §8); condition expressions must compile.
pub fn parse(b: &Body) -> Result<WorkflowDef> {
    let f = Fields(b);
    let context = f.object("context")?;
    if context
        .as_object()
        .is_some_and(|m| m.values().any(|v| !v.is_string()))
    {
        return Err(EngineError::BadInput("Invalid JSON body".into()));
    }
    let def = WorkflowDef {
        name: f.text("name")?,
        trigger: f.object("trigger")?,
        context,
        steps: f.array("steps")?,
        active: f.flag("active", true)?,
    };
    // Wrong JSON types inside the typed model are 400 too (09 §8, Go's typed
    // decoding): trigger keys and step ids, types, expressions and timeouts are
    // strings, `actions` an array, `assignee` an object.
    let texts = |v: &Value, keys: &[&str]| {
        keys.iter()
            .all(|k| matches!(v.get(*k), None | Some(Value::Null | Value::String(_))))
    };
    let step_ok = |s: &Value| {
        s.is_object()
            && texts(s, &["id", "type", "expression", "timeout"])
            && matches!(s.get("actions"), None | Some(Value::Null | Value::Array(_)))
            && matches!(
                s.get("assignee"),
                None | Some(Value::Null | Value::Object(_))
            )
    };
    if !texts(&def.trigger, &["type", "entity", "field", "to"])
        || def.steps.as_array().is_some_and(|s| !s.iter().all(step_ok))
    {
        return Err(EngineError::BadInput("Invalid JSON body".into()));
    }
    validate(&def).map_err(EngineError::Invalid)?;
    for s in def.steps.as_array().into_iter().flatten() {
        if s.get("type").and_then(Value::as_str) == Some("condition") {
            check(ContextKind::WorkflowCondition, s.get("expression"))
                .map_err(EngineError::Invalid)?;
        }
    }
    Ok(def)
}

/// `/_admin/workflows` (spec 09 §8).
pub struct Workflows;

impl Collection for Workflows {
    type Row = WorkflowRow;

    const NOUN: &'static str = "Workflow";

    async fn put(p: &Platform, app: &App, id: Option<&str>, body: Body) -> Result<Value> {
        let def = parse(&body)?;
        let id = match admin::store_row(app, id, &def).await {
            Err(EngineError::Conflict(_)) => return Err(Self::taken(&def.name)),
            other => other?,
        };
        p.metadata_changed(app).await?;
        with_id(&id, &def)
    }

    async fn delete(p: &Platform, app: &App, id: &str) -> Result<Value> {
        admin::delete_row::<Self>(p, app, id, "_workflows").await
    }
}

/// `GET /_workflows/pending` (09 §6.1).
pub async fn pending(app: &App) -> Result<Vec<Instance>> {
    instances::pending(&mut Exec::Store(&app.store))
        .await
        .map_err(|e: DbError| match e {
            DbError::Unavailable(m) => EngineError::Unavailable(m),
            _ => EngineError::InternalWith("Failed to list pending instances".into()),
        })
}

fn not_found(id: &str) -> EngineError {
    EngineError::NotFound(format!("Workflow instance not found: {id}"))
}

/// `GET /_workflows/{id}` (09 §6.2).
pub async fn instance(app: &App, id: &str) -> Result<Instance> {
    instances::get(&mut Exec::Store(&app.store), id)
        .await?
        .ok_or_else(|| not_found(id))
}

/// `DELETE /_workflows/{id}`: 200 whether or not a row matched; 404 for a
/// malformed id (09 §6.2).
pub async fn delete_instance(app: &App, id: &str) -> Result<Value> {
    if instances::delete(&mut Exec::Store(&app.store), id).await? {
        Ok(json!({"deleted": true}))
    } else {
        Err(not_found(id))
    }
}
