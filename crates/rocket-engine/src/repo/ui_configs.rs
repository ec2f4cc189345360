//! `_ui_configs` (spec 02 §4.16, spec 16 part A).

use rocket_store::{DbError, Exec, Param};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::table::{select, select_one, Stamps, Stored, Table};
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

/// A stored UI config as the API shows it (16 §2: `config` an object).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UiConfigRow {
    pub id: String,
    #[serde(flatten)]
    pub def: UiConfigDef,
    #[serde(flatten)]
    pub stamps: Stamps,
}

impl Stored for UiConfigRow {
    const TABLE: Table = Table::new(
        "_ui_configs",
        "id:uuid entity scope config:json created_at:time updated_at:time",
    )
    .order("entity, scope");
}

/// The row of (entity, scope).
pub async fn by_key(
    x: &mut Exec<'_>,
    entity: &str,
    scope: &str,
) -> Result<Option<UiConfigRow>, DbError> {
    select_one(
        x,
        "WHERE entity = {1} AND scope = {2}",
        vec![Param::Text(entity.into()), Param::Text(scope.into())],
    )
    .await
}

/// Every row of one scope, by entity (16 §3).
pub async fn of_scope(x: &mut Exec<'_>, scope: &str) -> Result<Vec<UiConfigRow>, DbError> {
    select(
        x,
        "WHERE scope = {1} ORDER BY entity",
        vec![Param::Text(scope.into())],
    )
    .await
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
