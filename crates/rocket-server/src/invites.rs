//! Invites (spec 11 §9) and the public accept-invite endpoint (§3.4).

use rocket_store::{DbError, Param, Row, Store};
use serde_json::{json, Map, Value};

use crate::auth::{password, User};
use crate::error::{ApiError, ApiResult};
use crate::state::AppCtx;
use crate::{sys, tokens};

/// Invite lifetime (spec 11 §9.1).
const TTL_HOURS: i64 = 72;

const SELECT: &str =
    "SELECT [id], email, [roles:list], token, [expires_at], [accepted_at], [invited_by], [created_at] FROM _invites";

fn invite_json(r: &Row, with_accepted: bool) -> Value {
    let mut v = json!({
        "id": sys::text_cell(&r[0]),
        "email": sys::text_cell(&r[1]),
        "roles": sys::list_cell(&r[2]),
        "token": sys::text_cell(&r[3]),
        "expires_at": sys::time_cell(&r[4]),
        "invited_by": r[6].key_string().map(Value::String).unwrap_or(Value::Null),
        "created_at": sys::time_cell(&r[7]),
    });
    if with_accepted {
        v["accepted_at"] = sys::time_cell(&r[5]);
    }
    v
}

fn bad_body() -> ApiError {
    ApiError::InvalidPayload("Invalid JSON body".into())
}

fn roles_of(b: &Map<String, Value>) -> ApiResult<Vec<String>> {
    match b.get("roles") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(v) => serde_json::from_value(v.clone()).map_err(|_| bad_body()),
    }
}

async fn user_exists(store: &Store, email: &str) -> ApiResult<bool> {
    let q = sys::sql(
        store.dialect(),
        "SELECT 1 FROM _users WHERE email = {1}",
        vec![Param::Text(email.into())],
    );
    Ok(!store.query(&q).await?.is_empty())
}

async fn pending_exists(store: &Store, email: &str) -> ApiResult<bool> {
    let q = sys::sql(
        store.dialect(),
        "SELECT 1 FROM _invites WHERE email = {1} AND accepted_at IS NULL AND expires_at > {now}",
        vec![Param::Text(email.into())],
    );
    Ok(!store.query(&q).await?.is_empty())
}

/// Inserts one invite; returns its row.
async fn insert(
    store: &Store,
    email: &str,
    roles: &[String],
    expires: chrono::DateTime<chrono::Utc>,
    by: &User,
) -> Result<Row, DbError> {
    let d = store.dialect();
    let id = sys::new_id();
    // Platform users have ids too, but `invited_by` is a uuid column: keep only uuids.
    let by = if rocket_meta::looks_like_uuid(&by.id) {
        Param::Text(by.id.clone())
    } else {
        Param::Null
    };
    store
        .execute(&sys::sql(
            d,
            "INSERT INTO _invites (id, email, roles, token, expires_at, invited_by) \
             VALUES ({1:uuid}, {2}, {3:list}, {4}, {5:timestamptz}, {6:uuid})",
            vec![
                Param::Text(id.clone()),
                Param::Text(email.into()),
                sys::list_param(d, roles),
                Param::Text(sys::new_id()),
                sys::time_param(d, expires),
                by,
            ],
        ))
        .await?;
    let rows = store
        .query(&sys::sql(
            d,
            &format!("{SELECT} WHERE id = {{1:uuid}}"),
            vec![Param::Text(id)],
        ))
        .await?;
    rows.into_iter()
        .next()
        .ok_or_else(|| DbError::Other("invite vanished after insert".into()))
}

pub async fn create(app: &AppCtx, by: &User, body: &Map<String, Value>) -> ApiResult<Value> {
    let email = match body.get("email") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        _ => return Err(bad_body()),
    };
    let roles = roles_of(body)?;
    if email.is_empty() {
        return Err(ApiError::Invalid("email is required".into()));
    }
    let store = &app.store;
    if user_exists(store, &email).await? {
        return Err(ApiError::Conflict(
            "A user with this email already exists".into(),
        ));
    }
    if pending_exists(store, &email).await? {
        return Err(ApiError::Conflict(
            "A pending invite already exists for this email".into(),
        ));
    }
    let expires = chrono::Utc::now() + chrono::Duration::hours(TTL_HOURS);
    let row = insert(store, &email, &roles, expires, by).await?;
    Ok(invite_json(&row, false))
}

pub async fn bulk(app: &AppCtx, by: &User, body: &Map<String, Value>) -> ApiResult<Value> {
    let items = match body.get("emails") {
        Some(Value::Array(a)) if !a.is_empty() => a,
        _ => {
            return Err(ApiError::Invalid(
                "emails is required and must be a non-empty array".into(),
            ))
        }
    };
    let roles = roles_of(body)?;
    let mut emails: Vec<String> = Vec::with_capacity(items.len());
    for it in items {
        let Some(s) = it.as_str() else {
            return Err(bad_body());
        };
        let e = s.trim().to_lowercase();
        if e.is_empty() {
            return Err(ApiError::Invalid(
                "emails must not contain blank entries".into(),
            ));
        }
        if !emails.contains(&e) {
            emails.push(e);
        }
    }
    let store = &app.store;
    let expires = chrono::Utc::now() + chrono::Duration::hours(TTL_HOURS);
    let (mut created, mut skipped) = (Vec::new(), Vec::new());
    for email in &emails {
        let reason = if user_exists(store, email).await? {
            Some("A user with this email already exists".to_string())
        } else if pending_exists(store, email).await? {
            Some("A pending invite already exists for this email".to_string())
        } else {
            match insert(store, email, &roles, expires, by).await {
                Ok(r) => {
                    created.push(json!({
                        "id": sys::text_cell(&r[0]),
                        "email": sys::text_cell(&r[1]),
                        "token": sys::text_cell(&r[3]),
                        "expires_at": sys::time_cell(&r[4]),
                    }));
                    None
                }
                Err(e) => Some(format!(
                    "Insert failed: {}",
                    if matches!(e, DbError::Unique) {
                        "duplicate"
                    } else {
                        "database error"
                    }
                )),
            }
        };
        if let Some(reason) = reason {
            skipped.push(json!({"email": email, "reason": reason}));
        }
    }
    Ok(json!({
        "summary": {"total": emails.len(), "created": created.len(), "skipped": skipped.len()},
        "created": created,
        "skipped": skipped,
    }))
}

pub async fn list(app: &AppCtx) -> ApiResult<Value> {
    let rows = app
        .store
        .query(&sys::sql(
            app.store.dialect(),
            &format!("{SELECT} ORDER BY created_at DESC"),
            vec![],
        ))
        .await?;
    Ok(Value::Array(
        rows.iter().map(|r| invite_json(r, true)).collect(),
    ))
}

pub async fn delete(app: &AppCtx, id: &str) -> ApiResult<Value> {
    let nf = || ApiError::NotFound(format!("Invite not found: {id}"));
    if !rocket_meta::looks_like_uuid(id) {
        return Err(nf());
    }
    let n = app
        .store
        .execute(&sys::sql(
            app.store.dialect(),
            "DELETE FROM _invites WHERE id = {1:uuid}",
            vec![Param::Text(id.to_ascii_lowercase())],
        ))
        .await?;
    if n == 0 {
        return Err(nf());
    }
    Ok(json!({"id": id, "deleted": true}))
}

/// `POST /auth/accept-invite`: creates the user and logs it in, in one transaction.
pub async fn accept(app: &AppCtx, body: &Map<String, Value>) -> ApiResult<Value> {
    let s = |k: &str| {
        body.get(k)
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string()
    };
    let (token, pw) = (s("token"), s("password"));
    if token.is_empty() {
        return Err(ApiError::Invalid("token is required".into()));
    }
    if pw.is_empty() {
        return Err(ApiError::Invalid("password is required".into()));
    }
    password::check_length(&pw)?;
    let store = &app.store;
    let d = store.dialect();
    let rows = store
        .query(&sys::sql(
            d,
            &format!("{SELECT} WHERE token = {{1}}"),
            vec![Param::Text(token)],
        ))
        .await?;
    let Some(inv) = rows.into_iter().next() else {
        return Err(ApiError::NotFound("Invalid invite token".into()));
    };
    if !inv[5].is_null() {
        return Err(ApiError::BadRequestValidation(
            "Invite has already been accepted".into(),
        ));
    }
    let expired = inv[4]
        .as_str()
        .and_then(sys::parse_time)
        .is_none_or(|t| t <= chrono::Utc::now());
    if expired {
        return Err(ApiError::BadRequestValidation("Invite has expired".into()));
    }
    let hash = password::hash(&pw).await?;
    let (invite_id, email, roles) = (
        sys::text_cell(&inv[0]),
        sys::text_cell(&inv[1]),
        sys::list_cell(&inv[2]),
    );
    let user_id = sys::new_id();
    let mut tx = store.begin().await?;
    // Claim the invite first: of two concurrent accepts only one changes the row.
    let claimed = tx
        .execute(&sys::sql(
            d,
            "UPDATE _invites SET accepted_at = {now} WHERE id = {1:uuid} AND accepted_at IS NULL",
            vec![Param::Text(invite_id)],
        ))
        .await?;
    if claimed != 1 {
        return Err(ApiError::BadRequestValidation(
            "Invite has already been accepted".into(),
        ));
    }
    tx.execute(&sys::sql(
        d,
        "INSERT INTO _users (id, email, password_hash, roles, active) VALUES ({1:uuid}, {2}, {3}, {4:list}, {5:bool})",
        vec![
            Param::Text(user_id.clone()),
            Param::Text(email.clone()),
            Param::Text(hash),
            sys::list_param(d, &roles),
            Param::Bool(true),
        ],
    ))
    .await
    .map_err(|e| match e {
        DbError::Unique => ApiError::Conflict("A user with this email already exists".into()),
        other => other.into(),
    })?;
    tx.commit().await?;
    let pair = tokens::issue(store, tokens::APP, &app.secret, &user_id, &roles).await?;
    Ok(json!({
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "user": {"id": user_id, "email": email, "roles": roles},
    }))
}
