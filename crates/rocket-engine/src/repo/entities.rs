//! `_entities` (spec 02 §4.1): entity definitions in canonical form.

use rocket_meta::Entity;
use rocket_store::{DbError, Exec, Param};
use serde::Serialize;
use serde_json::Value;

use super::{fetch, fetch_one, json_param, run, Reader};

#[derive(Debug, Clone, Serialize)]
pub struct EntityRow {
    pub name: String,
    pub table_name: String,
    pub definition: Value,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

const SELECT: &str =
    "SELECT name, table_name, [definition], [created_at], [updated_at] FROM _entities";

fn decode(r: &mut Reader) -> EntityRow {
    EntityRow {
        name: r.text(),
        table_name: r.text(),
        definition: r.json(),
        created_at: r.time(),
        updated_at: r.time(),
    }
}

pub async fn list(x: &mut Exec<'_>) -> Result<Vec<EntityRow>, DbError> {
    fetch(x, &format!("{SELECT} ORDER BY name"), vec![], decode).await
}

pub async fn get(x: &mut Exec<'_>, name: &str) -> Result<Option<EntityRow>, DbError> {
    let p = vec![Param::Text(name.into())];
    fetch_one(x, &format!("{SELECT} WHERE name = {{1}}"), p, decode).await
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
