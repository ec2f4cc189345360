//! `_users` (spec 02 §4.7, spec 11 §8): app users as the admin API shows them.
//! Password hashes are written here and read only by [`super::tokens`].

use rocket_store::{DbError, Exec, Param};
use serde::{Deserialize, Serialize};

use super::table::{Stamps, Stored, Table};
use super::{delete_by_id, exists, list_param, run};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub roles: Vec<String>,
    /// NULL counts as disabled, as at login.
    pub active: bool,
    #[serde(flatten)]
    pub stamps: Stamps,
}

impl Stored for UserRow {
    const TABLE: Table = Table::new(
        "_users",
        "id:uuid email roles:list active:bool created_at:time updated_at:time",
    )
    .order("email");
}

pub async fn email_taken(x: &mut Exec<'_>, email: &str) -> Result<bool, DbError> {
    let p = vec![Param::Text(email.into())];
    exists(x, "SELECT 1 FROM _users WHERE email = {1}", p).await
}

/// Replaces email and roles; `active` and the password hash only when given.
pub async fn update(
    x: &mut Exec<'_>,
    id: &str,
    email: &str,
    roles: &[String],
    active: Option<bool>,
    password_hash: Option<&str>,
) -> Result<(), DbError> {
    let d = x.dialect();
    let mut params = vec![
        Param::Text(id.to_ascii_lowercase()),
        Param::Text(email.into()),
        list_param(d, roles),
    ];
    let mut sets = String::from("email = {2}, roles = {3:list}, updated_at = {now}");
    if let Some(a) = active {
        params.push(Param::Bool(a));
        sets.push_str(&format!(", active = {{{}:bool}}", params.len()));
    }
    if let Some(h) = password_hash {
        params.push(Param::Text(h.into()));
        sets.push_str(&format!(", password_hash = {{{}}}", params.len()));
    }
    run(
        x,
        &format!("UPDATE _users SET {sets} WHERE id = {{1:uuid}}"),
        params,
    )
    .await
    .map(|_| ())
}

pub async fn delete(x: &mut Exec<'_>, id: &str) -> Result<u64, DbError> {
    delete_by_id(x, "_users", id).await
}
