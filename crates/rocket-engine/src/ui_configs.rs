//! UI configs (spec 16 part A): the admin collection with the checks of §2 and the
//! two reads every authenticated user may make (§3). The `config` document is
//! never interpreted or checked: a missing or null one is `{}`, anything else is
//! stored as given (§2.1: the 422 for a non-object waits for a conformance case).
//! Changes do not reload the metadata snapshot: nothing in the engine reads UI
//! configs.

use rocket_store::Exec;
use serde_json::{json, Map, Value};

use crate::admin::{self, Body, Collection};
use crate::app::App;
use crate::error::{EngineError, Result};
use crate::platform::Platform;
use crate::repo::ui_configs::{UiConfigDef, UiConfigRow};
use crate::repo::{self, ui_configs as rows};

/// The scope the non-admin reads serve.
pub const DEFAULT_SCOPE: &str = "default";

fn invalid(m: impl Into<String>) -> EngineError {
    EngineError::Invalid(m.into())
}

fn taken(d: &UiConfigDef) -> EngineError {
    EngineError::Conflict(format!(
        "UI config already exists for entity {} scope {}",
        d.entity, d.scope
    ))
}

/// Reads a body (§2.1–2.2): `entity` a non-empty string, `scope` defaulting to
/// `default`, `config` defaulting to `{}`.
pub fn parse(b: &Body) -> Result<UiConfigDef> {
    let entity = match b.get("entity") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        _ => return Err(invalid("entity is required")),
    };
    let scope = match b.get("scope") {
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        None | Some(Value::Null) | Some(Value::String(_)) => DEFAULT_SCOPE.to_string(),
        Some(_) => return Err(invalid("scope must be a string")),
    };
    let config = match b.get("config") {
        None | Some(Value::Null) => Value::Object(Map::new()),
        Some(v) => v.clone(),
    };
    Ok(UiConfigDef {
        entity,
        scope,
        config,
    })
}

/// `/_admin/ui-configs` (§2).
pub struct UiConfigs;

impl Collection for UiConfigs {
    type Row = UiConfigRow;

    const NOUN: &'static str = "UI config";

    async fn put(_: &Platform, app: &App, id: Option<&str>, body: Body) -> Result<Value> {
        let def = parse(&body)?;
        // Only a create checks that the entity exists (§2.2: both references skip
        // it on update).
        if id.is_none()
            && !def.entity.starts_with('_')
            && app.schema().entity(&def.entity).is_none()
        {
            return Err(invalid(format!("entity not found: {}", def.entity)));
        }
        let x = &mut Exec::Store(&app.store);
        if let Some(other) = rows::by_key(x, &def.entity, &def.scope).await? {
            if id.is_none_or(|id| !other.id.eq_ignore_ascii_case(id)) {
                return Err(taken(&def));
            }
        }
        // A concurrent writer can still take the pair first: the unique index says so.
        let stored = admin::store_row(app, id, &def).await.map_err(|e| match e {
            EngineError::Conflict(_) => taken(&def),
            e => e,
        })?;
        admin::answer(admin::get::<Self>(app, &stored).await?)
    }

    async fn delete(_: &Platform, app: &App, id: &str) -> Result<Value> {
        admin::get::<Self>(app, id).await?;
        repo::delete_by_id(&mut Exec::Store(&app.store), "_ui_configs", id).await?;
        Ok(json!({"id": id, "deleted": true}))
    }
}

/// `GET /_ui/configs` (§3): the `default` scope of every entity, `_app` included.
pub async fn defaults(app: &App) -> Result<Vec<UiConfigRow>> {
    Ok(rows::of_scope(&mut Exec::Store(&app.store), DEFAULT_SCOPE).await?)
}

/// `GET /_ui/config/{entity}` (§3): the `default` config of `entity`, or `None`.
pub async fn default_of(app: &App, entity: &str) -> Result<Option<UiConfigRow>> {
    Ok(rows::by_key(&mut Exec::Store(&app.store), entity, DEFAULT_SCOPE).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: Value) -> Body {
        v.as_object().cloned().unwrap_or_default()
    }

    fn err(v: Value) -> String {
        parse(&body(v)).unwrap_err().to_string()
    }

    #[test]
    fn bodies_are_checked_in_the_spec_order() {
        assert_eq!(err(json!({})), "entity is required");
        assert_eq!(err(json!({"entity": ""})), "entity is required");
        assert_eq!(err(json!({"entity": 5})), "entity is required");
        assert_eq!(
            err(json!({"entity": "post", "scope": 3})),
            "scope must be a string"
        );
    }

    #[test]
    fn defaults_fill_missing_keys() {
        let d = parse(&body(
            json!({"entity": "post", "scope": "", "config": null}),
        ))
        .unwrap();
        assert_eq!((d.scope.as_str(), d.config), ("default", json!({})));
        let d = parse(&body(json!({"entity": "post", "config": [1]}))).unwrap();
        assert_eq!(d.config, json!([1]), "stored as given (16 §2.1)");
        let d = parse(&body(
            json!({"entity": "_app", "scope": "mobile", "config": {"a": 1}}),
        ))
        .unwrap();
        assert_eq!(
            (d.entity.as_str(), d.scope.as_str(), d.config),
            ("_app", "mobile", json!({"a": 1}))
        );
    }
}
