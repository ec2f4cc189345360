//! `_entities` (spec 02 §4.1): entity definitions in canonical form.

use rocket_meta::Entity;
use rocket_store::{DbError, Exec, Param};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::table::{Stamps, Stored, Table};
use super::{json_param, run};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct EntityRow {
    pub name: String,
    pub table_name: String,
    pub definition: Value,
    #[serde(flatten)]
    pub stamps: Stamps,
}

impl Stored for EntityRow {
    const TABLE: Table = Table::new(
        "_entities",
        "name table_name definition:json created_at:time updated_at:time",
    )
    .key("name")
    .order("name");
}

/// The canonical stored form of a definition (spec 03 §3.7).
pub fn canonical(e: &Entity) -> Result<Value, DbError> {
    serde_json::to_value(e).map_err(|err| DbError::Other(err.to_string()))
}

/// Inserts (`is_new`) or replaces a definition; returns its canonical form.
pub async fn save(x: &mut Exec<'_>, e: &Entity, is_new: bool) -> Result<Value, DbError> {
    let def = canonical(e)?;
    let tpl = if is_new {
        "INSERT INTO _entities (name, table_name, definition) VALUES ({1}, {2}, {3:jsonb})"
    } else {
        "UPDATE _entities SET table_name = {2}, definition = {3:jsonb}, updated_at = {now} WHERE name = {1}"
    };
    run(
        x,
        tpl,
        vec![
            Param::Text(e.name.clone()),
            Param::Text(e.table.clone()),
            json_param(&def),
        ],
    )
    .await?;
    Ok(def)
}

/// Deletes the definition and every relation touching it.
pub async fn delete(x: &mut Exec<'_>, name: &str) -> Result<(), DbError> {
    let p = || vec![Param::Text(name.into())];
    run(
        x,
        "DELETE FROM _relations WHERE source = {1} OR target = {1}",
        p(),
    )
    .await?;
    run(x, "DELETE FROM _entities WHERE name = {1}", p()).await?;
    Ok(())
}
