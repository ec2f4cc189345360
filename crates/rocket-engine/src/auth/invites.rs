//! Invites (spec 11 §9) and the public accept-invite endpoint (§3.4).

use rocket_store::{DbError, Exec};
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::auth::{password, tokens, User};
use crate::error::{EngineError, Result};
use crate::repo::invites::InviteRow;
use crate::repo::tokens::{insert_user, NewUser, APP};
use crate::repo::{self, new_id};

/// Invite lifetime (spec 11 §9.1).
const TTL_HOURS: i64 = 72;

const USER_EXISTS: &str = "A user with this email already exists";
const PENDING_EXISTS: &str = "A pending invite already exists for this email";

/// Create responses carry every key but `accepted_at` (spec 11 §9.2).
fn created_json(r: &InviteRow) -> Value {
    json!({
        "id": r.id, "email": r.email, "roles": r.roles, "token": r.token,
        "expires_at": r.expires_at, "invited_by": r.invited_by, "created_at": r.created_at,
    })
}

fn bad_body() -> EngineError {
    EngineError::BadInput("Invalid JSON body".into())
}

fn roles_of(b: &Map<String, Value>) -> Result<Vec<String>> {
    match b.get("roles") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(v) => serde_json::from_value(v.clone()).map_err(|_| bad_body()),
    }
}

/// Why an e-mail cannot be invited now, if it cannot.
async fn blocked(x: &mut Exec<'_>, email: &str) -> Result<Option<&'static str>> {
    if repo::users::email_taken(x, email).await? {
        return Ok(Some(USER_EXISTS));
    }
    if repo::invites::pending_for(x, email).await? {
        return Ok(Some(PENDING_EXISTS));
    }
    Ok(None)
}

/// Inserts one invite; returns its row.
async fn insert(
    x: &mut Exec<'_>,
    email: &str,
    roles: &[String],
    expires: chrono::DateTime<chrono::Utc>,
    by: &User,
) -> Result<InviteRow, DbError> {
    let id = new_id();
    // Platform users have ids too, but `invited_by` is a uuid column: keep only uuids.
    let by = rocket_meta::looks_like_uuid(&by.id).then_some(by.id.as_str());
    repo::invites::insert(x, &id, email, roles, &new_id(), expires, by).await?;
    repo::find::<repo::invites::InviteRow>(x, &id)
        .await?
        .ok_or_else(|| DbError::Other("invite vanished after insert".into()))
}

fn expiry() -> chrono::DateTime<chrono::Utc> {
    chrono::Utc::now() + chrono::Duration::hours(TTL_HOURS)
}

pub async fn create(app: &App, by: &User, body: &Map<String, Value>) -> Result<Value> {
    let email = match body.get("email") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        _ => return Err(bad_body()),
    };
    let roles = roles_of(body)?;
    if email.is_empty() {
        return Err(EngineError::Invalid("email is required".into()));
    }
    let x = &mut Exec::Store(&app.store);
    if let Some(reason) = blocked(x, &email).await? {
        return Err(EngineError::Conflict(reason.into()));
    }
    let row = insert(x, &email, &roles, expiry(), by).await?;
    Ok(created_json(&row))
}

/// Trimmed, lower-cased, de-duplicated e-mails of a bulk request (spec 11 §9.4).
fn bulk_emails(body: &Map<String, Value>) -> Result<Vec<String>> {
    let items = match body.get("emails") {
        Some(Value::Array(a)) if !a.is_empty() => a,
        _ => {
            return Err(EngineError::Invalid(
                "emails is required and must be a non-empty array".into(),
            ))
        }
    };
    let mut emails: Vec<String> = Vec::with_capacity(items.len());
    for it in items {
        let e = it.as_str().ok_or_else(bad_body)?.trim().to_lowercase();
        if e.is_empty() {
            return Err(EngineError::Invalid(
                "emails must not contain blank entries".into(),
            ));
        }
        if !emails.contains(&e) {
            emails.push(e);
        }
    }
    Ok(emails)
}

pub async fn bulk(app: &App, by: &User, body: &Map<String, Value>) -> Result<Value> {
    let emails = bulk_emails(body)?;
    let roles = roles_of(body)?;
    let x = &mut Exec::Store(&app.store);
    let expires = expiry();
    let (mut created, mut skipped) = (Vec::new(), Vec::new());
    for email in &emails {
        let reason = match blocked(x, email).await? {
            Some(r) => Some(r.to_string()),
            None => match insert(x, email, &roles, expires, by).await {
                Ok(r) => {
                    created.push(json!({"id": r.id, "email": r.email, "token": r.token, "expires_at": r.expires_at}));
                    None
                }
                Err(DbError::Unique) => Some("Insert failed: duplicate".into()),
                Err(_) => Some("Insert failed: database error".into()),
            },
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

pub async fn list(app: &App) -> Result<Vec<InviteRow>> {
    Ok(repo::all::<repo::invites::InviteRow>(&mut Exec::Store(&app.store)).await?)
}

pub async fn delete(app: &App, id: &str) -> Result<Value> {
    let nf = || EngineError::NotFound(format!("Invite not found: {id}"));
    if !rocket_meta::looks_like_uuid(id) {
        return Err(nf());
    }
    if repo::invites::delete(&mut Exec::Store(&app.store), id).await? == 0 {
        return Err(nf());
    }
    Ok(json!({"id": id, "deleted": true}))
}

/// `POST /auth/accept-invite`: creates the user and logs it in; the invite is
/// claimed and the user created in one transaction.
pub async fn accept(app: &App, body: &Map<String, Value>) -> Result<Value> {
    let s = |k: &str| body.get(k).and_then(Value::as_str).unwrap_or("");
    let (token, pw) = (s("token"), s("password"));
    if token.is_empty() {
        return Err(EngineError::Invalid("token is required".into()));
    }
    if pw.is_empty() {
        return Err(EngineError::Invalid("password is required".into()));
    }
    password::check_length(pw)?;
    let store = &app.store;
    let Some(inv) = repo::invites::by_token(&mut Exec::Store(store), token).await? else {
        return Err(EngineError::NotFound("Invalid invite token".into()));
    };
    let already = || EngineError::Rejected("Invite has already been accepted".into());
    if inv.accepted_at.is_some() {
        return Err(already());
    }
    if inv.expired(chrono::Utc::now()) {
        return Err(EngineError::Rejected("Invite has expired".into()));
    }
    let hash = password::hash(pw).await?;
    let user_id = new_id();
    let mut tx = store.begin().await?;
    let x = &mut Exec::Tx(&mut tx);
    // Claim the invite first: of two concurrent accepts only one changes the row.
    if !repo::invites::claim(x, &inv.id).await? {
        return Err(already());
    }
    let user = NewUser {
        id: &user_id,
        email: &inv.email,
        password_hash: &hash,
        roles: &inv.roles,
        active: true,
    };
    insert_user(x, APP, &user).await.map_err(|e| match e {
        DbError::Unique => EngineError::Conflict(USER_EXISTS.into()),
        other => other.into(),
    })?;
    tx.commit().await?;
    let pair = tokens::issue(store, tokens::APP, &app.secret, &user_id, &inv.roles).await?;
    Ok(json!({
        "access_token": pair.access_token,
        "refresh_token": pair.refresh_token,
        "user": {"id": user_id, "email": inv.email, "roles": inv.roles},
    }))
}
