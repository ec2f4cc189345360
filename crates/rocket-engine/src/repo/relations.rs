//! `_relations` (spec 02 §4.2): relation definitions in canonical form.

use rocket_meta::Relation;
use rocket_store::{DbError, Exec, Param};
use serde::Serialize;
use serde_json::Value;

use super::{fetch, fetch_one, json_param, run, Reader};

#[derive(Debug, Clone, Serialize)]
pub struct RelationRow {
    pub name: String,
    pub source: String,
    pub target: String,
    pub definition: Value,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

const SELECT: &str =
    "SELECT name, source, target, [definition], [created_at], [updated_at] FROM _relations";

fn decode(r: &mut Reader) -> RelationRow {
    RelationRow {
        name: r.text(),
        source: r.text(),
        target: r.text(),
        definition: r.json(),
        created_at: r.time(),
        updated_at: r.time(),
    }
}

pub async fn list(x: &mut Exec<'_>) -> Result<Vec<RelationRow>, DbError> {
    fetch(x, &format!("{SELECT} ORDER BY name"), vec![], decode).await
}

pub async fn get(x: &mut Exec<'_>, name: &str) -> Result<Option<RelationRow>, DbError> {
    let p = vec![Param::Text(name.into())];
    fetch_one(x, &format!("{SELECT} WHERE name = {{1}}"), p, decode).await
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
