//! Changes to one user's credentials, on either side (app `_users` or platform
//! `_platform_users`): an operator setting a password or disabling an account by
//! e-mail (the `rocket` command line), and a signed-in user changing their own
//! password (`PUT /api/_platform/auth/password`).
//!
//! Each change also ends the user's sessions: every refresh token of the user is
//! deleted in the same transaction, so a stolen refresh token stops working. Access
//! tokens already issued stay valid until they expire (at most 15 minutes, spec 11
//! §2.1). A user changing their own password gets a fresh pair back.

use rocket_store::{Exec, Store};
use serde_json::{Map, Value};

use crate::auth::tokens::{self, Pair};
use crate::auth::{invalid_token, password};
use crate::error::{EngineError, Result};
use crate::repo::tokens::{self as repo, Credentials, Tables};

pub use crate::repo::tokens::Account;

/// Every user of one side, by e-mail (never a password hash).
pub async fn list(store: &Store, t: Tables) -> Result<Vec<Account>> {
    Ok(repo::accounts(&mut Exec::Store(store), t).await?)
}

/// The user with this e-mail, or a not-found naming it.
async fn by_email(store: &Store, t: Tables, email: &str) -> Result<Credentials> {
    let found = if email.is_empty() || email.contains('\0') {
        None
    } else {
        repo::credentials(&mut Exec::Store(store), t, email).await?
    };
    found.ok_or_else(|| EngineError::NotFound(format!("User not found: {email}")))
}

/// A new password must not be empty and must fit bcrypt's 72 bytes.
fn check_new(pw: &str, key: &str) -> Result<()> {
    if pw.is_empty() {
        return Err(EngineError::Invalid(format!("{key} is required")));
    }
    password::check_length(pw)
}

/// Stores `hash` for the user and deletes all their refresh tokens, atomically.
async fn replace_hash(store: &Store, t: Tables, id: &str, hash: &str) -> Result<()> {
    let mut tx = store.begin().await?;
    let x = &mut Exec::Tx(&mut tx);
    repo::set_password_hash(x, t, id, hash).await?;
    repo::revoke_user(x, t, id).await?;
    tx.commit().await?;
    Ok(())
}

/// Sets the password of the user with this e-mail (an operator's reset).
pub async fn set_password(store: &Store, t: Tables, email: &str, new: &str) -> Result<()> {
    check_new(new, "password")?;
    let user = by_email(store, t, email).await?;
    let hash = password::hash(new).await?;
    replace_hash(store, t, &user.id, &hash).await
}

/// Enables or disables the user with this e-mail. Disabling also ends their
/// sessions; login then answers "Account is disabled" (spec 11 §3.1).
pub async fn set_active(store: &Store, t: Tables, email: &str, active: bool) -> Result<()> {
    let user = by_email(store, t, email).await?;
    let mut tx = store.begin().await?;
    let x = &mut Exec::Tx(&mut tx);
    repo::set_active(x, t, &user.id, active).await?;
    if !active {
        repo::revoke_user(x, t, &user.id).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The two passwords of a change request; a property of the wrong JSON type is a 400.
fn change_body(body: &Map<String, Value>) -> Result<(&str, &str)> {
    let text = |k: &str| match body.get(k) {
        None | Some(Value::Null) => Ok(""),
        Some(Value::String(s)) => Ok(s.as_str()),
        _ => Err(EngineError::BadInput("Invalid request body".into())),
    };
    let (old, new) = (text("old_password")?, text("new_password")?);
    if old.is_empty() {
        return Err(EngineError::Invalid("old_password is required".into()));
    }
    Ok((old, new))
}

/// A signed-in user changes their own password: `old_password` must match (a
/// mismatch is a validation failure, not a 401: the caller's token is fine). Every
/// refresh token of the user is revoked and a new pair is returned, so the caller
/// stays signed in while every other session ends.
pub async fn change_password(
    store: &Store,
    t: Tables,
    secret: &[u8],
    user_id: &str,
    body: &Map<String, Value>,
) -> Result<Pair> {
    let (old, new) = change_body(body)?;
    check_new(new, "new_password")?;
    if !rocket_meta::looks_like_uuid(user_id) {
        return Err(invalid_token());
    }
    let x = &mut Exec::Store(store);
    let user = repo::credentials_by_id(x, t, user_id)
        .await?
        .ok_or_else(invalid_token)?;
    if !user.active {
        return Err(EngineError::Unauthorized("Account is disabled".into()));
    }
    if !password::verify(old, &user.password_hash).await? {
        return Err(EngineError::Invalid("old_password is incorrect".into()));
    }
    let hash = password::hash(new).await?;
    replace_hash(store, t, &user.id, &hash).await?;
    tokens::issue(store, t, secret, &user.id, &user.roles).await
}
