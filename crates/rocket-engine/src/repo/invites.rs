//! `_invites` (spec 02 §4.18, spec 11 §9).

use chrono::{DateTime, Utc};
use rocket_store::{DbError, Exec, Param};
use serde::{Deserialize, Serialize};

use super::table::{self, Stored, Table};
use super::{delete_by_id, exists, list_param, run, time_param};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct InviteRow {
    pub id: String,
    pub email: String,
    pub roles: Vec<String>,
    pub token: String,
    pub expires_at: Option<String>,
    pub accepted_at: Option<String>,
    pub invited_by: Option<String>,
    pub created_at: Option<String>,
}

impl InviteRow {
    pub fn expired(&self, now: DateTime<Utc>) -> bool {
        self.expires_at
            .as_deref()
            .and_then(super::parse_time)
            .is_none_or(|t| t <= now)
    }
}

impl Stored for InviteRow {
    /// Newest first.
    const TABLE: Table = Table::new(
        "_invites",
        "id:uuid email roles:list token expires_at:time accepted_at:time invited_by:uuid created_at:time",
    )
    .order("created_at DESC");
}

pub async fn by_token(x: &mut Exec<'_>, token: &str) -> Result<Option<InviteRow>, DbError> {
    table::select_one(x, "WHERE token = {1}", vec![Param::Text(token.into())]).await
}

pub async fn pending_for(x: &mut Exec<'_>, email: &str) -> Result<bool, DbError> {
    let tpl =
        "SELECT 1 FROM _invites WHERE email = {1} AND accepted_at IS NULL AND expires_at > {now}";
    exists(x, tpl, vec![Param::Text(email.into())]).await
}

pub async fn insert(
    x: &mut Exec<'_>,
    id: &str,
    email: &str,
    roles: &[String],
    token: &str,
    expires: DateTime<Utc>,
    invited_by: Option<&str>,
) -> Result<(), DbError> {
    let d = x.dialect();
    run(
        x,
        "INSERT INTO _invites (id, email, roles, token, expires_at, invited_by) \
         VALUES ({1:uuid}, {2}, {3:list}, {4}, {5:timestamptz}, {6:uuid})",
        vec![
            Param::Text(id.into()),
            Param::Text(email.into()),
            list_param(d, roles),
            Param::Text(token.into()),
            time_param(d, expires),
            invited_by.map_or(Param::Null, |b| Param::Text(b.into())),
        ],
    )
    .await
    .map(|_| ())
}

/// Marks the invite accepted; of two concurrent calls only one returns `true`.
pub async fn claim(x: &mut Exec<'_>, id: &str) -> Result<bool, DbError> {
    let n = run(
        x,
        "UPDATE _invites SET accepted_at = {now} WHERE id = {1:uuid} AND accepted_at IS NULL",
        vec![Param::Text(id.into())],
    )
    .await?;
    Ok(n == 1)
}

pub async fn delete(x: &mut Exec<'_>, id: &str) -> Result<u64, DbError> {
    delete_by_id(x, "_invites", id).await
}
