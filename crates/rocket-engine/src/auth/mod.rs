//! Tokens, passwords, users, invites and the authenticated user of a request
//! (spec 11).

pub mod accounts;
pub mod invites;
pub mod jwt;
pub mod password;
pub mod tokens;
pub mod users;

use crate::app::App;
use crate::error::EngineError;
use crate::platform::Platform;
use crate::repo::now_secs;

/// Who is calling. Platform tokens used on app routes gain `admin` (spec 11 §5.2).
#[derive(Debug, Clone)]
pub struct User {
    pub id: String,
    pub roles: Vec<String>,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.roles.iter().any(|r| r == "admin")
    }
}

/// Extracts the bearer token from an `Authorization` value (spec 11 §5.1): split at
/// the first space, scheme case-insensitive, nothing else trimmed.
pub fn bearer(authorization: Option<&str>) -> Result<&str, EngineError> {
    let v = authorization.unwrap_or("");
    if v.is_empty() {
        return Err(EngineError::Unauthorized("Missing auth token".into()));
    }
    match v.split_once(' ') {
        Some((scheme, tok)) if scheme.eq_ignore_ascii_case("bearer") && !tok.is_empty() => Ok(tok),
        _ => Err(EngineError::Unauthorized(
            "Invalid auth header format".into(),
        )),
    }
}

pub fn invalid_token() -> EngineError {
    EngineError::Unauthorized("Invalid or expired token".into())
}

/// Platform routes accept only the platform secret.
pub fn platform_user(p: &Platform, authorization: Option<&str>) -> Result<User, EngineError> {
    let tok = bearer(authorization)?;
    let c = jwt::verify(&p.platform_secret, tok, now_secs()).ok_or_else(invalid_token)?;
    Ok(User {
        id: c.sub,
        roles: c.roles,
    })
}

/// App routes: the app's secret first, then the platform secret (which makes the
/// caller an admin of every app, spec 11 §5.2).
pub fn app_user(p: &Platform, app: &App, authorization: Option<&str>) -> Result<User, EngineError> {
    let tok = bearer(authorization)?;
    let now = now_secs();
    if let Some(c) = jwt::verify(&app.secret, tok, now) {
        return Ok(User {
            id: c.sub,
            roles: c.roles,
        });
    }
    if let Some(c) = jwt::verify(&p.platform_secret, tok, now) {
        let mut roles = c.roles;
        if !roles.iter().any(|r| r == "admin") {
            roles.push("admin".into());
        }
        return Ok(User { id: c.sub, roles });
    }
    Err(invalid_token())
}

/// An app user who must be an admin (admin routes).
pub fn app_admin(
    p: &Platform,
    app: &App,
    authorization: Option<&str>,
) -> Result<User, EngineError> {
    let user = app_user(p, app, authorization)?;
    if !user.is_admin() {
        return Err(EngineError::Forbidden("Admin access required".into()));
    }
    Ok(user)
}
