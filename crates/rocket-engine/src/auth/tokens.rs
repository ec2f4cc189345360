//! Login, refresh (rotation) and logout for app users and platform users alike
//! (spec 11 §3, §4): the same flow over two pairs of tables and two secrets.

use rocket_store::{DbError, Exec, Store};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::auth::{jwt, password};
use crate::error::{EngineError, Result};
use crate::repo::tokens::{self as repo, Tables};
use crate::repo::{new_id, now_secs};

pub use crate::repo::tokens::{APP, PLATFORM};

/// Refresh-token lifetime.
const REFRESH_DAYS: i64 = 7;

#[derive(Debug, Serialize)]
pub struct Pair {
    pub access_token: String,
    pub refresh_token: String,
}

fn unauthorized(m: &str) -> EngineError {
    EngineError::Unauthorized(m.into())
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
) -> Result<Pair> {
    let refresh = new_id();
    let expires = chrono::Utc::now() + chrono::Duration::days(REFRESH_DAYS);
    repo::insert_refresh(&mut Exec::Store(store), t, user_id, &refresh, expires).await?;
    Ok(Pair {
        access_token: jwt::sign(secret, user_id, roles, now_secs()),
        refresh_token: refresh,
    })
}

pub async fn login(
    store: &Store,
    t: Tables,
    secret: &[u8],
    body: &Map<String, Value>,
) -> Result<Pair> {
    let (email, pw) = (str_field(body, "email"), str_field(body, "password"));
    if email.is_empty() || pw.is_empty() {
        return Err(unauthorized("Email and password are required"));
    }
    // A NUL byte cannot be in any stored e-mail (Postgres would refuse the text):
    // answer like any unknown address, on both dialects.
    let found = if email.contains('\0') {
        None
    } else {
        repo::credentials(&mut Exec::Store(store), t, email).await?
    };
    let Some(user) = found else {
        // Same cost as a real check, so timing does not reveal which e-mails exist.
        password::dummy_verify(pw).await?;
        return Err(unauthorized("Invalid email or password"));
    };
    if !user.active {
        return Err(unauthorized("Account is disabled"));
    }
    if !password::verify(pw, &user.password_hash).await? {
        return Err(unauthorized("Invalid email or password"));
    }
    issue(store, t, secret, &user.id, &user.roles).await
}

pub async fn refresh(
    store: &Store,
    t: Tables,
    secret: &[u8],
    body: &Map<String, Value>,
) -> Result<Pair> {
    let token = str_field(body, "refresh_token");
    if token.is_empty() {
        return Err(unauthorized("Refresh token is required"));
    }
    if !rocket_meta::looks_like_uuid(token) {
        return Err(unauthorized("Invalid refresh token"));
    }
    let x = &mut Exec::Store(store);
    let Some(found) = repo::find_refresh(x, t, token).await? else {
        return Err(unauthorized("Invalid refresh token"));
    };
    if found.expires_at.is_none_or(|e| e <= chrono::Utc::now()) {
        repo::delete_refresh(x, t, &found.id).await?;
        return Err(unauthorized("Refresh token expired"));
    }
    if !found.active {
        return Err(unauthorized("Account is disabled"));
    }
    // Only the request that actually deletes the token may use it: a concurrent
    // replay of the same token loses the race and is refused.
    if !repo::delete_refresh(x, t, &found.id).await? {
        return Err(unauthorized("Invalid refresh token"));
    }
    issue(store, t, secret, &found.user_id, &found.roles).await
}

pub async fn logout(store: &Store, t: Tables, body: &Map<String, Value>) -> Result<()> {
    let token = str_field(body, "refresh_token");
    if token.is_empty() {
        return Err(unauthorized("Refresh token is required"));
    }
    if rocket_meta::looks_like_uuid(token) {
        repo::revoke(&mut Exec::Store(store), t, token).await?;
    }
    Ok(())
}

/// The password of seeded users until someone changes it.
pub const DEFAULT_PASSWORD: &str = "changeme";

/// True when `email` is an active user that still has [`DEFAULT_PASSWORD`].
pub async fn has_default_password(store: &Store, t: Tables, email: &str) -> Result<bool> {
    let Some(user) = repo::credentials(&mut Exec::Store(store), t, email).await? else {
        return Ok(false);
    };
    Ok(user.active && password::verify(DEFAULT_PASSWORD, &user.password_hash).await?)
}

/// Seeds one user with the password `changeme` when the table is empty (spec 01 §3
/// step 3, 02 §4.17). Returns whether it did.
pub async fn seed(store: &Store, t: Tables, email: &str, roles: &[String]) -> Result<bool> {
    let x = &mut Exec::Store(store);
    if repo::count_users(x, t).await? > 0 {
        return Ok(false);
    }
    let hash = password::hash(DEFAULT_PASSWORD).await?;
    let user = repo::NewUser {
        id: &new_id(),
        email,
        password_hash: &hash,
        roles,
        active: true,
    };
    match repo::insert_user(x, t, &user).await {
        Ok(_) => Ok(true),
        // Another process seeded it between our count and insert.
        Err(DbError::Unique) => Ok(false),
        Err(e) => Err(e.into()),
    }
}
