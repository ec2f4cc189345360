//! `_relations` (spec 02 §4.2): relation definitions in canonical form.

use rocket_meta::Relation;
use rocket_store::{DbError, Exec, Param};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::table::{Stamps, Stored, Table};
use super::{json_param, run};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RelationRow {
    pub name: String,
    pub source: String,
    pub target: String,
    pub definition: Value,
    #[serde(flatten)]
    pub stamps: Stamps,
}

impl Stored for RelationRow {
    const TABLE: Table = Table::new(
        "_relations",
        "name source target definition:json created_at:time updated_at:time",
    )
    .key("name")
    .order("name");
}

/// Inserts (`is_new`) or replaces a definition; returns its canonical form.
pub async fn save(x: &mut Exec<'_>, r: &Relation, is_new: bool) -> Result<Value, DbError> {
    let def = serde_json::to_value(r).map_err(|err| DbError::Other(err.to_string()))?;
    let tpl = if is_new {
        "INSERT INTO _relations (name, source, target, definition) VALUES ({1}, {2}, {3}, {4:jsonb})"
    } else {
        "UPDATE _relations SET source = {2}, target = {3}, definition = {4:jsonb}, updated_at = {now} WHERE name = {1}"
    };
    run(
        x,
        tpl,
        vec![
            Param::Text(r.name.clone()),
            Param::Text(r.source.clone()),
            Param::Text(r.target.clone()),
            json_param(&def),
        ],
    )
    .await?;
    Ok(def)
}

pub async fn delete(x: &mut Exec<'_>, name: &str) -> Result<u64, DbError> {
    run(
        x,
        "DELETE FROM _relations WHERE name = {1}",
        vec![Param::Text(name.into())],
    )
    .await
}
