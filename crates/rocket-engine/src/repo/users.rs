//! `_users` (spec 02 §4.7, spec 11 §8): app users as the admin API shows them.
//! Password hashes are written here and read only by [`super::tokens`].

use rocket_store::{DbError, Exec, Param};
use serde::Serialize;

use super::{delete_by_id, exists, fetch, fetch_one, list_param, run, Reader};

#[derive(Debug, Clone, Serialize)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub roles: Vec<String>,
    /// NULL counts as disabled, as at login.
    pub active: bool,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

const SELECT: &str =
    "SELECT [id], email, [roles:list], active, [created_at], [updated_at] FROM _users";

fn decode(r: &mut Reader) -> UserRow {
    UserRow {
        id: r.text(),
        email: r.text(),
        roles: r.list(),
        active: r.flag(false),
        created_at: r.time(),
        updated_at: r.time(),
    }
}

pub async fn list(x: &mut Exec<'_>) -> Result<Vec<UserRow>, DbError> {
    fetch(x, &format!("{SELECT} ORDER BY email"), vec![], decode).await
}

pub async fn get(x: &mut Exec<'_>, id: &str) -> Result<Option<UserRow>, DbError> {
    if !rocket_meta::looks_like_uuid(id) {
        return Ok(None);
    }
    let p = vec![Param::Text(id.to_ascii_lowercase())];
    fetch_one(x, &format!("{SELECT} WHERE id = {{1:uuid}}"), p, decode).await
}

pub async fn email_taken(x: &mut Exec<'_>, email: &str) -> Result<bool, DbError> {
    let p = vec![Param::Text(email.into())];
    exists(x, "SELECT 1 FROM _users WHERE email = {1}", p).await
}

pub async fn insert(
    x: &mut Exec<'_>,
    id: &str,
    email: &str,
    password_hash: &str,
    roles: &[String],
    active: bool,
) -> Result<(), DbError> {
    let d = x.dialect();
    run(
        x,
        "INSERT INTO _users (id, email, password_hash, roles, active) VALUES ({1:uuid}, {2}, {3}, {4:list}, {5:bool})",
        vec![
            Param::Text(id.into()),
            Param::Text(email.into()),
            Param::Text(password_hash.into()),
            list_param(d, roles),
            Param::Bool(active),
        ],
    )
    .await
    .map(|_| ())
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
