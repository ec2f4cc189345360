//! `_permissions` (spec 02 §4.11, spec 11 §10): policy rows.

use rocket_meta::{Action, Condition, Policy};
use rocket_store::{DbError, Exec, Param};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::table::{Stamps, Stored, Table};
use super::{delete_by_id, list_param, run};

/// A policy as the admin API shows it (`conditions` always an array).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct PermissionRow {
    pub id: String,
    pub entity: String,
    pub action: String,
    pub roles: Vec<String>,
    pub conditions: Value,
    #[serde(flatten)]
    pub stamps: Stamps,
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

impl Stored for PermissionRow {
    /// Ordered by entity, action, then age: the load order of policies.
    const TABLE: Table = Table::new(
        "_permissions",
        "id:uuid entity action roles:list conditions:json created_at:time updated_at:time",
    )
    .order("entity, action, created_at");

    /// `conditions` is always an array.
    fn loaded(mut self) -> Self {
        if !self.conditions.is_array() {
            self.conditions = Value::Array(Vec::new());
        }
        self
    }
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
