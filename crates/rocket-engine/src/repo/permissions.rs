//! `_permissions` (spec 02 §4.11, spec 11 §10): policy rows.

use rocket_meta::{Action, Condition, Policy};
use rocket_store::{DbError, Exec, Param};
use serde::Serialize;
use serde_json::Value;

use super::{delete_by_id, fetch, fetch_one, list_param, run, Reader};

/// A policy as the admin API shows it (`conditions` always an array).
#[derive(Debug, Clone, Serialize)]
pub struct PermissionRow {
    pub id: String,
    pub entity: String,
    pub action: String,
    pub roles: Vec<String>,
    pub conditions: Value,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

impl PermissionRow {
    /// The policy the engine enforces; `None` when the stored row is unusable
    /// (unknown action, unreadable conditions): it must not widen access.
    pub fn policy(&self) -> Option<Policy> {
        let action = Action::parse(&self.action)?;
        let conditions: Vec<Condition> = serde_json::from_value(self.conditions.clone()).ok()?;
        Some(Policy {
            id: self.id.clone(),
            entity: self.entity.clone(),
            action,
            roles: self.roles.iter().map(|r| r.to_lowercase()).collect(),
            conditions,
        })
    }
}

/// What a create/update writes.
#[derive(Debug, Clone)]
pub struct PermissionDef {
    pub entity: String,
    pub action: Action,
    pub roles: Vec<String>,
    pub conditions: Vec<Condition>,
}

const SELECT: &str = "SELECT [id], entity, action, [roles:list], [conditions], [created_at], [updated_at] FROM _permissions";

fn decode(r: &mut Reader) -> PermissionRow {
    PermissionRow {
        id: r.text(),
        entity: r.text(),
        action: r.text(),
        roles: r.list(),
        conditions: match r.json() {
            Value::Array(a) => Value::Array(a),
            _ => Value::Array(Vec::new()),
        },
        created_at: r.time(),
        updated_at: r.time(),
    }
}

/// Ordered by entity, action, then age: the load order of policies.
pub async fn list(x: &mut Exec<'_>) -> Result<Vec<PermissionRow>, DbError> {
    fetch(
        x,
        &format!("{SELECT} ORDER BY entity, action, created_at"),
        vec![],
        decode,
    )
    .await
}

pub async fn get(x: &mut Exec<'_>, id: &str) -> Result<Option<PermissionRow>, DbError> {
    if !rocket_meta::looks_like_uuid(id) {
        return Ok(None);
    }
    let p = vec![Param::Text(id.to_ascii_lowercase())];
    fetch_one(x, &format!("{SELECT} WHERE id = {{1:uuid}}"), p, decode).await
}

fn params(x: &Exec<'_>, id: &str, p: &PermissionDef) -> Result<Vec<Param>, DbError> {
    Ok(vec![
        Param::Text(id.to_ascii_lowercase()),
        Param::Text(p.entity.clone()),
        Param::Text(p.action.as_str().into()),
        list_param(x.dialect(), &p.roles),
        Param::Text(
            serde_json::to_string(&p.conditions).map_err(|e| DbError::Other(e.to_string()))?,
        ),
    ])
}

pub async fn insert(x: &mut Exec<'_>, id: &str, p: &PermissionDef) -> Result<(), DbError> {
    let params = params(x, id, p)?;
    run(
        x,
        "INSERT INTO _permissions (id, entity, action, roles, conditions) VALUES ({1:uuid}, {2}, {3}, {4:list}, {5:jsonb})",
        params,
    )
    .await
    .map(|_| ())
}

pub async fn update(x: &mut Exec<'_>, id: &str, p: &PermissionDef) -> Result<(), DbError> {
    let params = params(x, id, p)?;
    run(
        x,
        "UPDATE _permissions SET entity = {2}, action = {3}, roles = {4:list}, conditions = {5:jsonb}, updated_at = {now} WHERE id = {1:uuid}",
        params,
    )
    .await
    .map(|_| ())
}

pub async fn delete(x: &mut Exec<'_>, id: &str) -> Result<u64, DbError> {
    delete_by_id(x, "_permissions", id).await
}
