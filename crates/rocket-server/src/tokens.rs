//! Login, refresh (rotation) and logout for app users and platform users alike
//! (spec 11 §3, §4): the same flow over two pairs of tables and two secrets.

use rocket_store::{Param, Store};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::auth::{jwt, password};
use crate::error::{ApiError, ApiResult};
use crate::sys;

/// Refresh-token lifetime.
const REFRESH_DAYS: i64 = 7;

#[derive(Clone, Copy)]
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

#[derive(Serialize)]
pub struct Pair {
    pub access_token: String,
    pub refresh_token: String,
}

fn unauthorized(m: &str) -> ApiError {
    ApiError::Unauthorized(m.into())
}

fn str_field<'a>(body: &'a Map<String, Value>, key: &str) -> &'a str {
    body.get(key).and_then(Value::as_str).unwrap_or("")
}

/// Issues an access token and stores a fresh refresh token for the user.
pub async fn issue(
    store: &Store,
    t: Tables,
    secret: &[u8],
    user_id: &str,
    roles: &[String],
) -> ApiResult<Pair> {
    let d = store.dialect();
    let refresh = sys::new_id();
    let expires = chrono::Utc::now() + chrono::Duration::days(REFRESH_DAYS);
    let q = sys::sql(
        d,
        &format!(
            "INSERT INTO {} (id, user_id, token, expires_at) VALUES ({{1:uuid}}, {{2:uuid}}, {{3:uuid}}, {{4:timestamptz}})",
            t.tokens
        ),
        vec![
            Param::Text(sys::new_id()),
            Param::Text(user_id.to_string()),
            Param::Text(refresh.clone()),
            sys::time_param(d, expires),
        ],
    );
    store.execute(&q).await?;
    Ok(Pair {
        access_token: jwt::sign(secret, user_id, roles, sys::now_secs()),
        refresh_token: refresh,
    })
}

pub async fn login(
    store: &Store,
    t: Tables,
    secret: &[u8],
    body: &Map<String, Value>,
) -> ApiResult<Pair> {
    let (email, pw) = (str_field(body, "email"), str_field(body, "password"));
    if email.is_empty() || pw.is_empty() {
        return Err(unauthorized("Email and password are required"));
    }
    let q = sys::sql(
        store.dialect(),
        &format!(
            "SELECT [id], password_hash, [roles:list], active FROM {} WHERE email = {{1}}",
            t.users
        ),
        vec![Param::Text(email.to_string())],
    );
    // A NUL byte cannot be in any stored e-mail (Postgres would refuse the text):
    // answer like any unknown address, on both dialects.
    let rows = if email.contains('\0') {
        Vec::new()
    } else {
        store.query(&q).await?
    };
    let Some(row) = rows.into_iter().next() else {
        // Same cost as a real check, so timing does not reveal which e-mails exist.
        password::dummy_verify(pw).await?;
        return Err(unauthorized("Invalid email or password"));
    };
    if sys::bool_cell(&row[3]) != Some(true) {
        return Err(unauthorized("Account is disabled"));
    }
    if !password::verify(pw, &sys::text_cell(&row[1])).await? {
        return Err(unauthorized("Invalid email or password"));
    }
    let roles = sys::list_cell(&row[2]);
    issue(store, t, secret, &sys::text_cell(&row[0]), &roles).await
}

pub async fn refresh(
    store: &Store,
    t: Tables,
    secret: &[u8],
    body: &Map<String, Value>,
) -> ApiResult<Pair> {
    let token = str_field(body, "refresh_token");
    if token.is_empty() {
        return Err(unauthorized("Refresh token is required"));
    }
    if !rocket_meta::looks_like_uuid(token) {
        return Err(unauthorized("Invalid refresh token"));
    }
    let d = store.dialect();
    let q = sys::sql(
        d,
        &format!(
            "SELECT [t.id], [t.user_id], [t.expires_at], [u.roles:list], u.active FROM {} t \
             JOIN {} u ON u.id = t.user_id WHERE t.token = {{1:uuid}}",
            t.tokens, t.users
        ),
        vec![Param::Text(token.to_ascii_lowercase())],
    );
    let Some(row) = store.query(&q).await?.into_iter().next() else {
        return Err(unauthorized("Invalid refresh token"));
    };
    let id = sys::text_cell(&row[0]);
    let delete = sys::sql(
        d,
        &format!("DELETE FROM {} WHERE id = {{1:uuid}}", t.tokens),
        vec![Param::Text(id)],
    );
    let expired = row[2]
        .as_str()
        .and_then(sys::parse_time)
        .is_none_or(|e| e <= chrono::Utc::now());
    if expired {
        store.execute(&delete).await?;
        return Err(unauthorized("Refresh token expired"));
    }
    if sys::bool_cell(&row[4]) != Some(true) {
        return Err(unauthorized("Account is disabled"));
    }
    // Only the request that actually deletes the token may use it: a concurrent
    // replay of the same token loses the race and is refused.
    if store.execute(&delete).await? != 1 {
        return Err(unauthorized("Invalid refresh token"));
    }
    let roles = sys::list_cell(&row[3]);
    issue(store, t, secret, &sys::text_cell(&row[1]), &roles).await
}

pub async fn logout(store: &Store, t: Tables, body: &Map<String, Value>) -> ApiResult<()> {
    let token = str_field(body, "refresh_token");
    if token.is_empty() {
        return Err(unauthorized("Refresh token is required"));
    }
    if rocket_meta::looks_like_uuid(token) {
        let q = sys::sql(
            store.dialect(),
            &format!("DELETE FROM {} WHERE token = {{1:uuid}}", t.tokens),
            vec![Param::Text(token.to_ascii_lowercase())],
        );
        store.execute(&q).await?;
    }
    Ok(())
}

/// Seeds one user when the table is empty (spec 01 §3 step 3, 02 §4.17).
pub async fn seed(store: &Store, t: Tables, email: &str, roles: &[String]) -> ApiResult<bool> {
    let d = store.dialect();
    let count = store
        .query(&sys::sql(
            d,
            &format!("SELECT COUNT(*) AS count FROM {}", t.users),
            vec![],
        ))
        .await?;
    if count.first().and_then(|r| r[0].as_i64()).unwrap_or(0) > 0 {
        return Ok(false);
    }
    let hash = password::hash("changeme").await?;
    let q = sys::sql(
        d,
        &format!(
            "INSERT INTO {} (id, email, password_hash, roles) VALUES ({{1:uuid}}, {{2}}, {{3}}, {{4:list}})",
            t.users
        ),
        vec![
            Param::Text(sys::new_id()),
            Param::Text(email.into()),
            Param::Text(hash),
            sys::list_param(d, roles),
        ],
    );
    match store.execute(&q).await {
        Ok(_) => Ok(true),
        // Another process seeded it between our count and insert.
        Err(rocket_store::DbError::Unique) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
