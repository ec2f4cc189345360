//! App user admin API (spec 11 §8). Password hashes never leave this module.

use rocket_store::{DbError, Param, Row, Store};
use serde_json::{json, Map, Value};

use crate::auth::password;
use crate::error::{ApiError, ApiResult};
use crate::sys;

const SELECT: &str =
    "SELECT [id], email, [roles:list], active, [created_at], [updated_at] FROM _users";

fn user_json(r: &Row) -> Value {
    json!({
        "id": sys::text_cell(&r[0]),
        "email": sys::text_cell(&r[1]),
        "roles": sys::list_cell(&r[2]),
        // NULL counts as disabled, as at login.
        "active": sys::bool_cell(&r[3]).unwrap_or(false),
        "created_at": sys::time_cell(&r[4]),
        "updated_at": sys::time_cell(&r[5]),
    })
}

fn not_found(id: &str) -> ApiError {
    ApiError::NotFound(format!("User not found: {id}"))
}

fn bad_body() -> ApiError {
    ApiError::InvalidPayload("Invalid JSON body".into())
}

fn conflict(e: DbError) -> ApiError {
    match e {
        DbError::Unique => ApiError::Conflict("A user with this email already exists".into()),
        other => other.into(),
    }
}

/// The typed user body; a property of the wrong JSON type is a 400.
struct Body {
    email: String,
    password: Option<String>,
    roles: Option<Vec<String>>,
    active: Option<bool>,
}

fn parse(b: &Map<String, Value>) -> ApiResult<Body> {
    let opt_str = |k: &str| -> ApiResult<Option<String>> {
        match b.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            _ => Err(bad_body()),
        }
    };
    let roles = match b.get("roles") {
        None | Some(Value::Null) => None,
        Some(Value::Array(a)) => Some(
            a.iter()
                .map(|v| v.as_str().map(String::from).ok_or_else(bad_body))
                .collect::<ApiResult<Vec<_>>>()?,
        ),
        _ => return Err(bad_body()),
    };
    let active = match b.get("active") {
        None | Some(Value::Null) => None,
        Some(Value::Bool(x)) => Some(*x),
        _ => return Err(bad_body()),
    };
    Ok(Body {
        email: opt_str("email")?.unwrap_or_default(),
        password: opt_str("password")?,
        roles,
        active,
    })
}

pub async fn list(store: &Store) -> ApiResult<Value> {
    let rows = store
        .query(&sys::sql(
            store.dialect(),
            &format!("{SELECT} ORDER BY email"),
            vec![],
        ))
        .await?;
    Ok(Value::Array(rows.iter().map(user_json).collect()))
}

pub async fn get(store: &Store, id: &str) -> ApiResult<Value> {
    if !rocket_meta::looks_like_uuid(id) {
        return Err(not_found(id));
    }
    let rows = store
        .query(&sys::sql(
            store.dialect(),
            &format!("{SELECT} WHERE id = {{1:uuid}}"),
            vec![Param::Text(id.to_ascii_lowercase())],
        ))
        .await?;
    rows.first().map(user_json).ok_or_else(|| not_found(id))
}

pub async fn create(store: &Store, body: &Map<String, Value>) -> ApiResult<Value> {
    let b = parse(body)?;
    if b.email.is_empty() {
        return Err(ApiError::Invalid("email is required".into()));
    }
    let pw = b.password.unwrap_or_default();
    if pw.is_empty() {
        return Err(ApiError::Invalid("password is required".into()));
    }
    password::check_length(&pw)?;
    let hash = password::hash(&pw).await?;
    let d = store.dialect();
    let id = sys::new_id();
    store
        .execute(&sys::sql(
            d,
            "INSERT INTO _users (id, email, password_hash, roles, active) VALUES ({1:uuid}, {2}, {3}, {4:list}, {5:bool})",
            vec![
                Param::Text(id.clone()),
                Param::Text(b.email),
                Param::Text(hash),
                sys::list_param(d, &b.roles.unwrap_or_default()),
                Param::Bool(b.active.unwrap_or(true)),
            ],
        ))
        .await
        .map_err(conflict)?;
    get(store, &id).await
}

/// The caller checked that the user exists (404 before the body is read).
pub async fn update(store: &Store, id: &str, body: &Map<String, Value>) -> ApiResult<Value> {
    let b = parse(body)?;
    if b.email.is_empty() {
        return Err(ApiError::Invalid("email is required".into()));
    }
    if let Some(pw) = &b.password {
        password::check_length(pw)?;
    }
    let d = store.dialect();
    let mut params = vec![
        Param::Text(id.to_ascii_lowercase()),
        Param::Text(b.email),
        sys::list_param(d, &b.roles.unwrap_or_default()),
    ];
    let mut sets = String::from("email = {2}, roles = {3:list}, updated_at = {now}");
    // An absent `active` keeps the stored value (the others write NULL and lock
    // the user out).
    if let Some(a) = b.active {
        params.push(Param::Bool(a));
        sets.push_str(&format!(", active = {{{}:bool}}", params.len()));
    }
    if let Some(pw) = b.password.filter(|p| !p.is_empty()) {
        params.push(Param::Text(password::hash(&pw).await?));
        sets.push_str(&format!(", password_hash = {{{}}}", params.len()));
    }
    store
        .execute(&sys::sql(
            d,
            &format!("UPDATE _users SET {sets} WHERE id = {{1:uuid}}"),
            params,
        ))
        .await
        .map_err(conflict)?;
    get(store, id).await
}

pub async fn delete(store: &Store, id: &str) -> ApiResult<Value> {
    get(store, id).await?;
    store
        .execute(&sys::sql(
            store.dialect(),
            "DELETE FROM _users WHERE id = {1:uuid}",
            vec![Param::Text(id.to_ascii_lowercase())],
        ))
        .await?;
    Ok(json!({"id": id, "deleted": true}))
}
