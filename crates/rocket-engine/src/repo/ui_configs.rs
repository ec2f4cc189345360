//! `_ui_configs` (spec 02 §4.16, spec 16 part A).

use rocket_store::{DbError, Exec, Param};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::table::{Stored, Table};
use super::{json_param, new_id, run};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct UiConfigDef {
    pub entity: String,
    pub scope: String,
    pub config: Value,
}

impl Default for UiConfigDef {
    fn default() -> Self {
        UiConfigDef {
            entity: String::new(),
            scope: "default".into(),
            config: json!({}),
        }
    }
}

impl Stored for UiConfigDef {
    const TABLE: Table =
        Table::new("_ui_configs", "entity scope config:json").order("entity, scope");
}

/// Inserts or overwrites the config of (entity, scope).
pub async fn upsert(x: &mut Exec<'_>, c: &UiConfigDef) -> Result<(), DbError> {
    run(
        x,
        "INSERT INTO _ui_configs (id, entity, scope, config) VALUES ({1:uuid}, {2}, {3}, {4:jsonb}) \
         ON CONFLICT (entity, scope) DO UPDATE SET config = EXCLUDED.config, updated_at = {now}",
        vec![
            Param::Text(new_id()),
            Param::Text(c.entity.clone()),
            Param::Text(c.scope.clone()),
            json_param(&c.config),
        ],
    )
    .await
    .map(|_| ())
}
