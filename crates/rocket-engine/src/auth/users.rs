//! App user admin (spec 11 §8). Password hashes never leave the repository.

use rocket_store::{DbError, Exec, Store};
use serde_json::{json, Map, Value};

use crate::admin::{self, Collection};
use crate::app::App;
use crate::auth::password;
use crate::error::{EngineError, Result};
use crate::platform::Platform;
use crate::repo::tokens::{insert_user, NewUser, APP};
use crate::repo::users::UserRow;
use crate::repo::{self, new_id};

fn bad_body() -> EngineError {
    EngineError::BadInput("Invalid JSON body".into())
}

fn conflict(e: DbError) -> EngineError {
    match e {
        DbError::Unique => EngineError::Conflict("A user with this email already exists".into()),
        other => other.into(),
    }
}

/// The typed user body; a property of the wrong JSON type is a 400.
struct UserBody {
    email: String,
    password: Option<String>,
    roles: Option<Vec<String>>,
    active: Option<bool>,
}

fn parse(b: &Map<String, Value>) -> Result<UserBody> {
    let opt_str = |k: &str| -> Result<Option<String>> {
        match b.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if !s.contains('\0') => Ok(Some(s.clone())),
            _ => Err(bad_body()),
        }
    };
    let roles = match b.get("roles") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) => Some(
            a.iter()
                .map(|v| v.as_str().map(String::from).ok_or_else(bad_body))
                .collect::<Result<Vec<_>>>()?,
        ),
        _ => return Err(bad_body()),
    };
    let active = match b.get("active") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(x)) => Some(*x),
        _ => return Err(bad_body()),
    };
    let body = UserBody {
        email: opt_str("email")?.unwrap_or_default(),
        password: opt_str("password")?,
        roles,
        active,
    };
    if body.email.is_empty() {
        return Err(EngineError::Invalid("email is required".into()));
    }
    Ok(body)
}

/// `/_admin/users` (spec 11 §8).
pub struct Users;

impl Collection for Users {
    type Row = UserRow;

    const NOUN: &'static str = "User";

    async fn put(_: &Platform, app: &App, id: Option<&str>, body: admin::Body) -> Result<Value> {
        let row = match id {
            Some(id) => update(&app.store, id, &body).await?,
            None => create(&app.store, &body).await?,
        };
        admin::answer(row)
    }

    async fn delete(_: &Platform, app: &App, id: &str) -> Result<Value> {
        delete(&app.store, id).await
    }
}

async fn get(store: &Store, id: &str) -> Result<UserRow> {
    repo::find(&mut Exec::Store(store), id)
        .await?
        .ok_or_else(|| Users::not_found(id))
}

pub async fn create(store: &Store, body: &Map<String, Value>) -> Result<UserRow> {
    let b = parse(body)?;
    let pw = b.password.unwrap_or_default();
    if pw.is_empty() {
        return Err(EngineError::Invalid("password is required".into()));
    }
    password::check_length(&pw)?;
    let hash = password::hash(&pw).await?;
    let id = new_id();
    let user = NewUser {
        id: &id,
        email: &b.email,
        password_hash: &hash,
        roles: &b.roles.unwrap_or_default(),
        active: b.active.unwrap_or(true),
    };
    insert_user(&mut Exec::Store(store), APP, &user)
        .await
        .map_err(conflict)?;
    get(store, &id).await
}

/// Replaces email and roles; an absent `active` keeps the stored value (the other
/// implementations write NULL and lock the user out). The caller checked that the
/// user exists (404 before the body is read).
pub async fn update(store: &Store, id: &str, body: &Map<String, Value>) -> Result<UserRow> {
    let b = parse(body)?;
    let hash = match b.password.filter(|p| !p.is_empty()) {
        Some(pw) => {
            password::check_length(&pw)?;
            Some(password::hash(&pw).await?)
        }
        None => None,
    };
    repo::users::update(
        &mut Exec::Store(store),
        id,
        &b.email,
        &b.roles.unwrap_or_default(),
        b.active,
        hash.as_deref(),
    )
    .await
    .map_err(conflict)?;
    get(store, id).await
}

pub async fn delete(store: &Store, id: &str) -> Result<Value> {
    get(store, id).await?;
    repo::users::delete(&mut Exec::Store(store), id).await?;
    Ok(json!({"id": id, "deleted": true}))
}
