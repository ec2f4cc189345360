//! Tokens, passwords and the authenticated user of a request.

pub mod jwt;
pub mod password;

use axum::http::HeaderMap;

use crate::error::ApiError;

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

/// Extracts the bearer token (spec 11 §5.1): split at the first space, scheme
/// case-insensitive, nothing else trimmed.
pub fn bearer(headers: &HeaderMap) -> Result<&str, ApiError> {
    let v = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if v.is_empty() {
        return Err(ApiError::Unauthorized("Missing auth token".into()));
    }
    match v.split_once(' ') {
        Some((scheme, tok)) if scheme.eq_ignore_ascii_case("bearer") && !tok.is_empty() => Ok(tok),
        _ => Err(ApiError::Unauthorized("Invalid auth header format".into())),
    }
}

pub fn invalid_token() -> ApiError {
    ApiError::Unauthorized("Invalid or expired token".into())
}
