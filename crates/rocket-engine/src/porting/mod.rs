//! Schema export and import (spec 14), through the same repositories as the admin
//! APIs. Import is one small function per kind, run in the order of spec 14 §2.2;
//! it is not transactional: each item is written on its own and failures are
//! reported, never hidden. [`plan()`] is its dry run: what import would do with
//! each item, found by reading only.

mod kinds;
pub mod plan;
mod sample;

pub use plan::{plan, Action, Plan};

use std::collections::HashSet;

use rocket_meta::{Entity, Relation};
use rocket_store::Exec;
use serde::de::DeserializeOwned;
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::error::{EngineError, Result};
use crate::metadata;
use crate::platform::Platform;
use crate::repo;
use crate::repo::rules::RuleDef;
use crate::repo::state_machines::StateMachineDef;
use crate::repo::table::Stored;
use crate::repo::webhooks::WebhookDef;
use crate::repo::workflows::WorkflowDef;

pub async fn export(app: &App) -> Result<Value> {
    let x = &mut Exec::Store(&app.store);
    let defs = |rows: Vec<Value>| Value::Array(rows);
    let entities = repo::all::<repo::entities::EntityRow>(x)
        .await?
        .into_iter()
        .map(|r| r.definition)
        .collect();
    let relations = repo::all::<repo::relations::RelationRow>(x)
        .await?
        .into_iter()
        .map(|r| r.definition)
        .collect();
    let permissions: Vec<Value> = repo::all::<repo::permissions::PermissionRow>(x)
        .await?
        .into_iter()
        .map(|p| json!({"entity": p.entity, "action": p.action, "roles": p.roles, "conditions": p.conditions}))
        .collect();
    Ok(json!({
        "version": 1,
        "exported_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "entities": defs(entities),
        "relations": defs(relations),
        "rules": repo::all::<RuleDef>(x).await?,
        "state_machines": repo::all::<StateMachineDef>(x).await?,
        "workflows": repo::all::<WorkflowDef>(x).await?,
        "permissions": permissions,
        "webhooks": repo::all::<WebhookDef>(x).await?,
        "ui_configs": repo::all::<repo::ui_configs::UiConfigDef>(x).await?,
    }))
}

const KINDS: [&str; 8] = [
    "entities",
    "relations",
    "rules",
    "state_machines",
    "workflows",
    "permissions",
    "webhooks",
    "ui_configs",
];

/// Counts per kind and the collected error lines (spec 14 §2.3).
#[derive(Default)]
pub(crate) struct Report {
    entities: i64,
    relations: i64,
    rules: i64,
    state_machines: i64,
    workflows: i64,
    permissions: i64,
    webhooks: i64,
    ui_configs: i64,
    pub(crate) records: i64,
    pub(crate) errors: Vec<String>,
}

impl Report {
    fn into_json(self) -> Value {
        let mut out = json!({
            "message": "Import completed",
            "summary": {
                "entities": self.entities, "relations": self.relations, "rules": self.rules,
                "state_machines": self.state_machines, "workflows": self.workflows,
                "permissions": self.permissions, "webhooks": self.webhooks,
                "ui_configs": self.ui_configs, "records": self.records,
            },
        });
        if !self.errors.is_empty() {
            out["errors"] = json!(self.errors);
        }
        out
    }
}

/// The items of one list of the document, as objects.
pub(crate) fn items<'a>(doc: &'a Map<String, Value>, key: &str) -> Vec<&'a Map<String, Value>> {
    doc.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default()
}

fn text<'a>(m: &'a Map<String, Value>, k: &str) -> &'a str {
    m.get(k).and_then(Value::as_str).unwrap_or("")
}

/// An item read into its definition type (defaults for absent keys, spec 14 §2.2).
fn parse<T: DeserializeOwned>(item: &Map<String, Value>) -> std::result::Result<T, String> {
    serde_json::from_value(Value::Object(item.clone())).map_err(|e| e.to_string())
}

/// Error text for the report: never database internals.
pub(crate) fn safe(e: &dyn std::fmt::Display) -> String {
    let m = e.to_string();
    if m.starts_with("unique") {
        "a record with this value already exists".into()
    } else if m.starts_with("invalid value") {
        "a value has the wrong format".into()
    } else {
        tracing::warn!("import step failed: {m}");
        "database error (see server log)".into()
    }
}

/// Checks the envelope: version 1, lists where lists belong; unwraps `{"data": …}`.
fn checked(mut doc: Map<String, Value>) -> Result<Map<String, Value>> {
    if !doc.contains_key("version") {
        if let Some(Value::Object(inner)) = doc.remove("data") {
            doc = inner;
        }
    }
    match doc.get("version") {
        Some(Value::Number(n)) if n.as_i64() == Some(1) => {}
        other => {
            let shown = match other {
                None => "0".to_string(),
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
            };
            return Err(EngineError::Invalid(format!(
                "Unsupported export version: {shown}"
            )));
        }
    }
    let bad_list = KINDS
        .iter()
        .any(|k| doc.get(*k).is_some_and(|v| !v.is_array() && !v.is_null()));
    let bad_sample = doc
        .get("sample_data")
        .is_some_and(|v| !v.is_object() && !v.is_null());
    if bad_list || bad_sample {
        return Err(EngineError::BadInput("Invalid JSON body".into()));
    }
    Ok(doc)
}

/// Told how far the sample data of an import got (the command line draws a bar
/// with it; the HTTP route passes [`Quiet`]).
pub trait Progress: Send + Sync {
    /// Sample rows are about to be written: `rows` in all.
    fn start(&self, rows: u64);
    /// One more row was handled (written, skipped or refused).
    fn advance(&self);
}

/// No progress reporting.
pub struct Quiet;

impl Progress for Quiet {
    fn start(&self, _: u64) {}
    fn advance(&self) {}
}

pub async fn import(p: &Platform, app: &App, doc: Map<String, Value>) -> Result<Value> {
    import_with(p, app, doc, &Quiet).await
}

/// [`import`], reporting the progress of the sample data to `progress`.
pub async fn import_with(
    p: &Platform,
    app: &App,
    doc: Map<String, Value>,
    progress: &dyn Progress,
) -> Result<Value> {
    let doc = checked(doc)?;
    let _lock = app.admin_lock.lock().await;
    let mut rep = Report::default();
    import_entities(app, &doc, &mut rep).await?;
    import_relations(app, &doc, &mut rep).await?;
    rep.rules = import_kind::<RuleDef>(app, &doc, &mut rep.errors).await?;
    rep.state_machines = import_kind::<StateMachineDef>(app, &doc, &mut rep.errors).await?;
    rep.workflows = import_kind::<WorkflowDef>(app, &doc, &mut rep.errors).await?;
    import_permissions(app, &doc, &mut rep).await?;
    rep.webhooks = import_kind::<WebhookDef>(app, &doc, &mut rep.errors).await?;
    import_ui_configs(app, &doc, &mut rep).await?;
    app.reload().await?;
    sample::import(app, &doc, &mut rep, progress).await;
    p.announce(&app.name).await;
    Ok(rep.into_json())
}

/// Entities, validated like the admin API; existing names are skipped.
async fn import_entities(app: &App, doc: &Map<String, Value>, rep: &mut Report) -> Result<()> {
    for item in items(doc, "entities") {
        let name = text(item, "name");
        if name.is_empty() || text(item, "table").is_empty() || app.schema().entity(name).is_some()
        {
            continue;
        }
        let checked = Entity::from_value(Value::Object(item.clone()))
            .map_err(|e| e.to_string())
            .and_then(|e| e.validate().map(|()| e));
        let e = match checked {
            Ok(e) => e,
            Err(m) => {
                rep.errors.push(format!("Entity {name}: {m}"));
                continue;
            }
        };
        match metadata::save_entity(&app.store, &e, &app.schema(), true).await {
            Ok(_) => rep.entities += 1,
            Err(err) => rep.errors.push(format!("Entity {name}: {}", safe(&err))),
        }
        // A repeated name later in the payload is then skipped like an existing one.
        app.reload().await?;
    }
    Ok(())
}

async fn import_relations(app: &App, doc: &Map<String, Value>, rep: &mut Report) -> Result<()> {
    for item in items(doc, "relations") {
        let name = text(item, "name");
        let schema = app.schema();
        if name.is_empty() || schema.relation(name).is_some() {
            continue;
        }
        let checked = Relation::from_value(Value::Object(item.clone()))
            .map_err(|e| e.to_string())
            .and_then(|r| metadata::check_relation(&schema, &r).map(|()| r));
        let r = match checked {
            Ok(r) => r,
            Err(m) => {
                rep.errors.push(format!("Relation {name}: {m}"));
                continue;
            }
        };
        match metadata::save_relation(&app.store, &r, &schema, true).await {
            Ok(_) => rep.relations += 1,
            Err(err) => rep.errors.push(format!("Relation {name}: {}", safe(&err))),
        }
    }
    app.reload().await?;
    Ok(())
}

/// A kind of stored definition import dedupes and inserts (spec 14 §2.2 steps 4–8).
trait Kind: Stored + Sized {
    /// The document's list of this kind.
    const LIST: &'static str;
    type Key: PartialEq;
    fn key(&self) -> Self::Key;
    /// How an error line names an item (the Go formats of spec 14 §2.3).
    fn label(item: &Map<String, Value>) -> String;
    /// How a dry run names an item (its key, without the kind).
    fn name(item: &Map<String, Value>) -> String;
    /// Fills the defaults an explicit empty string stands for.
    fn normalize(&mut self) {}
    /// Items that are skipped silently (a workflow without a name).
    fn skip(&self) -> bool {
        false
    }
}

/// Imports every item of `K`'s list not already stored; returns how many it wrote.
async fn import_kind<K: Kind>(
    app: &App,
    doc: &Map<String, Value>,
    errors: &mut Vec<String>,
) -> Result<i64> {
    let x = &mut Exec::Store(&app.store);
    let existing: Vec<K> = repo::all(x).await?;
    let mut seen: Vec<K::Key> = existing.iter().map(K::key).collect();
    let mut written = 0;
    for item in items(doc, K::LIST) {
        let mut def: K = match parse(item) {
            Ok(d) => d,
            Err(m) => {
                errors.push(format!("{}: {m}", K::label(item)));
                continue;
            }
        };
        def.normalize();
        let key = def.key();
        if def.skip() || seen.contains(&key) {
            continue;
        }
        match repo::insert_new(x, &def).await {
            Ok(_) => {
                written += 1;
                seen.push(key);
            }
            Err(err) => errors.push(format!("{}: {}", K::label(item), safe(&err))),
        }
    }
    Ok(written)
}

/// Permissions, validated like the admin API; one per (entity, action) (spec 14 §2.2).
async fn import_permissions(app: &App, doc: &Map<String, Value>, rep: &mut Report) -> Result<()> {
    let x = &mut Exec::Store(&app.store);
    let mut seen: HashSet<(String, String)> = repo::all::<repo::permissions::PermissionRow>(x)
        .await?
        .into_iter()
        .map(|p| (p.entity, p.action))
        .collect();
    for item in items(doc, "permissions") {
        let key = (
            text(item, "entity").to_string(),
            text(item, "action").to_string(),
        );
        if seen.contains(&key) {
            continue;
        }
        let def = match metadata::permissions::parse(app, item) {
            Ok(d) => d,
            Err(e) => {
                rep.errors
                    .push(format!("Permission ({}/{}): {e}", key.0, key.1));
                continue;
            }
        };
        match repo::permissions::insert(x, &repo::new_id(), &def).await {
            Ok(()) => {
                rep.permissions += 1;
                seen.insert(key);
            }
            Err(err) => {
                rep.errors
                    .push(format!("Permission ({}/{}): {}", key.0, key.1, safe(&err)))
            }
        }
    }
    Ok(())
}

/// UI configs are upserted: existing ones are overwritten (spec 14 §2.2 step 9).
async fn import_ui_configs(app: &App, doc: &Map<String, Value>, rep: &mut Report) -> Result<()> {
    let x = &mut Exec::Store(&app.store);
    for item in items(doc, "ui_configs") {
        let mut c: repo::ui_configs::UiConfigDef = match parse(item) {
            Ok(c) => c,
            Err(e) => {
                rep.errors.push(format!(
                    "UI config ({}/{}): {e}",
                    text(item, "entity"),
                    text(item, "scope")
                ));
                continue;
            }
        };
        if c.entity.is_empty() {
            continue;
        }
        if c.scope.is_empty() {
            c.scope = "default".into();
        }
        match repo::ui_configs::upsert(x, &c).await {
            Ok(()) => rep.ui_configs += 1,
            Err(err) => rep.errors.push(format!(
                "UI config ({}/{}): {}",
                c.entity,
                c.scope,
                safe(&err)
            )),
        }
    }
    Ok(())
}
