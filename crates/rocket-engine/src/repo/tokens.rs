//! Credentials and refresh tokens (spec 02 §3.2–3.3, §4.7–4.8): the same shape in
//! the management database (platform users) and in every app (app users).

use chrono::{DateTime, Utc};
use rocket_store::{DbError, Exec, Param};

use super::{fetch, fetch_one, list_param, new_id, run, time_param, Reader};

/// The user and token tables of one side.
#[derive(Debug, Clone, Copy)]
pub struct Tables {
    pub users: &'static str,
    pub tokens: &'static str,
}

pub const APP: Tables = Tables {
    users: "_users",
    tokens: "_refresh_tokens",
};

pub const PLATFORM: Tables = Tables {
    users: "_platform_users",
    tokens: "_platform_refresh_tokens",
};

/// What login needs of a user.
pub struct Credentials {
    pub id: String,
    pub password_hash: String,
    pub roles: Vec<String>,
    /// NULL counts as disabled.
    pub active: bool,
}

pub async fn credentials(
    x: &mut Exec<'_>,
    t: Tables,
    email: &str,
) -> Result<Option<Credentials>, DbError> {
    let tpl = format!(
        "SELECT [id], password_hash, [roles:list], active FROM {} WHERE email = {{1}}",
        t.users
    );
    fetch_one(x, &tpl, vec![Param::Text(email.into())], |r| Credentials {
        id: r.text(),
        password_hash: r.text(),
        roles: r.list(),
        active: r.flag(false),
    })
    .await
}

/// A user as an operator sees it (`rocket platform-user list`): never the hash.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Account {
    pub id: String,
    pub email: String,
    pub roles: Vec<String>,
    pub active: bool,
}

/// The user with this id, with what a password change needs.
pub async fn credentials_by_id(
    x: &mut Exec<'_>,
    t: Tables,
    id: &str,
) -> Result<Option<Credentials>, DbError> {
    let tpl = format!(
        "SELECT [id], password_hash, [roles:list], active FROM {} WHERE id = {{1:uuid}}",
        t.users
    );
    fetch_one(x, &tpl, vec![Param::Text(id.to_ascii_lowercase())], |r| {
        Credentials {
            id: r.text(),
            password_hash: r.text(),
            roles: r.list(),
            active: r.flag(false),
        }
    })
    .await
}

/// Every user of one side, by e-mail.
pub async fn accounts(x: &mut Exec<'_>, t: Tables) -> Result<Vec<Account>, DbError> {
    let tpl = format!(
        "SELECT [id], email, [roles:list], active FROM {} ORDER BY email",
        t.users
    );
    fetch(x, &tpl, vec![], |r| Account {
        id: r.text(),
        email: r.text(),
        roles: r.list(),
        active: r.flag(false),
    })
    .await
}

/// Replaces a user's password hash; returns whether the user exists.
pub async fn set_password_hash(
    x: &mut Exec<'_>,
    t: Tables,
    id: &str,
    hash: &str,
) -> Result<bool, DbError> {
    let tpl = format!(
        "UPDATE {} SET password_hash = {{2}}, updated_at = {{now}} WHERE id = {{1:uuid}}",
        t.users
    );
    let params = vec![
        Param::Text(id.to_ascii_lowercase()),
        Param::Text(hash.into()),
    ];
    Ok(run(x, &tpl, params).await? == 1)
}

/// Enables or disables a user; returns whether the user exists.
pub async fn set_active(
    x: &mut Exec<'_>,
    t: Tables,
    id: &str,
    active: bool,
) -> Result<bool, DbError> {
    let tpl = format!(
        "UPDATE {} SET active = {{2:bool}}, updated_at = {{now}} WHERE id = {{1:uuid}}",
        t.users
    );
    let params = vec![Param::Text(id.to_ascii_lowercase()), Param::Bool(active)];
    Ok(run(x, &tpl, params).await? == 1)
}

/// Deletes every refresh token of a user; returns how many there were.
pub async fn revoke_user(x: &mut Exec<'_>, t: Tables, user_id: &str) -> Result<u64, DbError> {
    run(
        x,
        &format!("DELETE FROM {} WHERE user_id = {{1:uuid}}", t.tokens),
        vec![Param::Text(user_id.to_ascii_lowercase())],
    )
    .await
}

pub async fn count_users(x: &mut Exec<'_>, t: Tables) -> Result<i64, DbError> {
    let rows = fetch(
        x,
        &format!("SELECT COUNT(*) AS count FROM {}", t.users),
        vec![],
        Reader::int,
    )
    .await?;
    Ok(rows.into_iter().next().unwrap_or(0))
}

/// A user to insert, on either side.
pub struct NewUser<'a> {
    pub id: &'a str,
    pub email: &'a str,
    pub password_hash: &'a str,
    pub roles: &'a [String],
    pub active: bool,
}

pub async fn insert_user(x: &mut Exec<'_>, t: Tables, u: &NewUser<'_>) -> Result<(), DbError> {
    let d = x.dialect();
    let tpl = format!(
        "INSERT INTO {} (id, email, password_hash, roles, active) \
         VALUES ({{1:uuid}}, {{2}}, {{3}}, {{4:list}}, {{5:bool}})",
        t.users
    );
    let params = vec![
        Param::Text(u.id.into()),
        Param::Text(u.email.into()),
        Param::Text(u.password_hash.into()),
        list_param(d, u.roles),
        Param::Bool(u.active),
    ];
    run(x, &tpl, params).await.map(|_| ())
}

pub async fn insert_refresh(
    x: &mut Exec<'_>,
    t: Tables,
    user_id: &str,
    token: &str,
    expires: DateTime<Utc>,
) -> Result<(), DbError> {
    let d = x.dialect();
    run(
        x,
        &format!(
            "INSERT INTO {} (id, user_id, token, expires_at) VALUES ({{1:uuid}}, {{2:uuid}}, {{3:uuid}}, {{4:timestamptz}})",
            t.tokens
        ),
        vec![
            Param::Text(new_id()),
            Param::Text(user_id.into()),
            Param::Text(token.into()),
            time_param(d, expires),
        ],
    )
    .await
    .map(|_| ())
}

/// A stored refresh token with what refreshing needs of its user.
pub struct Refresh {
    pub id: String,
    pub user_id: String,
    pub expires_at: Option<DateTime<Utc>>,
    pub roles: Vec<String>,
    pub active: bool,
}

pub async fn find_refresh(
    x: &mut Exec<'_>,
    t: Tables,
    token: &str,
) -> Result<Option<Refresh>, DbError> {
    let tpl = format!(
        "SELECT [t.id], [t.user_id], [t.expires_at], [u.roles:list], u.active FROM {} t \
         JOIN {} u ON u.id = t.user_id WHERE t.token = {{1:uuid}}",
        t.tokens, t.users
    );
    fetch_one(
        x,
        &tpl,
        vec![Param::Text(token.to_ascii_lowercase())],
        |r| Refresh {
            id: r.text(),
            user_id: r.text(),
            expires_at: r.instant(),
            roles: r.list(),
            active: r.flag(false),
        },
    )
    .await
}

/// Deletes one refresh token by row id; returns whether this call deleted it.
pub async fn delete_refresh(x: &mut Exec<'_>, t: Tables, id: &str) -> Result<bool, DbError> {
    let n = run(
        x,
        &format!("DELETE FROM {} WHERE id = {{1:uuid}}", t.tokens),
        vec![Param::Text(id.into())],
    )
    .await?;
    Ok(n == 1)
}

pub async fn revoke(x: &mut Exec<'_>, t: Tables, token: &str) -> Result<(), DbError> {
    run(
        x,
        &format!("DELETE FROM {} WHERE token = {{1:uuid}}", t.tokens),
        vec![Param::Text(token.to_ascii_lowercase())],
    )
    .await
    .map(|_| ())
}
