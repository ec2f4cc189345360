//! The one error type of the HTTP layer and its mapping to the envelope of spec 06.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use rocket_store::DbError;
use serde::Serialize;
use thiserror::Error;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Detail {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub field: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub rule: String,
    pub message: String,
}

impl Detail {
    pub fn new(field: impl Into<String>, rule: &str, message: impl Into<String>) -> Detail {
        Detail {
            field: field.into(),
            rule: rule.to_string(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Error)]
pub enum ApiError {
    #[error("{0}")]
    AppNotFound(String),
    #[error("{0}")]
    UnknownEntity(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    UnknownField(String),
    #[error("{0}")]
    InvalidPayload(String),
    /// 422 with a specific message and no details (metadata validation).
    #[error("{0}")]
    Invalid(String),
    /// 422 "Validation failed" with details (data validation).
    #[error("Validation failed")]
    Validation(Vec<Detail>),
    /// `VALIDATION_FAILED` with status 400 (two invite paths, spec 11 §3.4).
    #[error("{0}")]
    BadRequestValidation(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("route not found")]
    RouteNotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("payload too large")]
    TooLarge,
    /// A statement outlived the statement timeout and was cancelled.
    #[error("timeout")]
    Timeout,
    /// No database connection in time: the server is saturated.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A 500 whose message is deliberate and safe to show ("Failed to create app: …").
    #[error("{0}")]
    InternalWith(String),
    #[error("internal: {0}")]
    Internal(String),
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn internal(e: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(e.to_string())
    }

    fn parts(&self) -> (StatusCode, &'static str, String) {
        use ApiError::*;
        match self {
            AppNotFound(m) => (StatusCode::NOT_FOUND, "APP_NOT_FOUND", m.clone()),
            UnknownEntity(m) => (StatusCode::NOT_FOUND, "UNKNOWN_ENTITY", m.clone()),
            NotFound(m) => (StatusCode::NOT_FOUND, "NOT_FOUND", m.clone()),
            UnknownField(m) => (StatusCode::BAD_REQUEST, "UNKNOWN_FIELD", m.clone()),
            InvalidPayload(m) => (StatusCode::BAD_REQUEST, "INVALID_PAYLOAD", m.clone()),
            Invalid(m) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "VALIDATION_FAILED",
                m.clone(),
            ),
            Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                "VALIDATION_FAILED",
                "Validation failed".into(),
            ),
            BadRequestValidation(m) => (StatusCode::BAD_REQUEST, "VALIDATION_FAILED", m.clone()),
            Conflict(m) => (StatusCode::CONFLICT, "CONFLICT", m.clone()),
            Unauthorized(m) => (StatusCode::UNAUTHORIZED, "UNAUTHORIZED", m.clone()),
            Forbidden(m) => (StatusCode::FORBIDDEN, "FORBIDDEN", m.clone()),
            RouteNotFound => (StatusCode::NOT_FOUND, "NOT_FOUND", "Route not found".into()),
            MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "Method not allowed".into(),
            ),
            TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                "Request body too large".into(),
            ),
            Timeout => (
                StatusCode::GATEWAY_TIMEOUT,
                "TIMEOUT",
                "The database did not answer in time; the request was cancelled".into(),
            ),
            Unavailable(_) => (
                StatusCode::SERVICE_UNAVAILABLE,
                "UNAVAILABLE",
                "The server is busy; try again shortly".into(),
            ),
            InternalWith(m) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_ERROR",
                m.clone(),
            ),
            Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL_ERROR",
                "Internal server error".into(),
            ),
        }
    }
}

impl From<DbError> for ApiError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unique => ApiError::Conflict("A record with this value already exists".into()),
            // A value the database could not convert is the client's mistake.
            DbError::InvalidValue(m) => {
                ApiError::Validation(vec![Detail::new("", "type", invalid_value_text(&m))])
            }
            DbError::NotNull => ApiError::Validation(vec![Detail::new(
                "",
                "required",
                "A required value is missing",
            )]),
            DbError::Timeout => ApiError::Timeout,
            DbError::Unavailable(m) => ApiError::Unavailable(m),
            DbError::Other(m) => ApiError::Internal(m),
        }
    }
}

/// Database conversion messages may quote SQL; keep only a generic, safe text.
fn invalid_value_text(m: &str) -> String {
    if m.contains("out of range") {
        "A value is out of range for its field".into()
    } else {
        "A value has the wrong format for its field".into()
    }
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: Body<'a>,
}

#[derive(Serialize)]
struct Body<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<&'a [Detail]>,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code, message) = self.parts();
        match &self {
            ApiError::Internal(cause) => tracing::error!(%cause, "internal error"),
            ApiError::Unavailable(cause) => tracing::warn!(%cause, "database unavailable"),
            ApiError::Timeout => tracing::warn!("statement timeout"),
            _ => {}
        }
        let details = match &self {
            ApiError::Validation(d) if !d.is_empty() => Some(d.as_slice()),
            _ => None,
        };
        let body = Envelope {
            error: Body {
                code,
                message,
                details,
            },
        };
        let mut resp = crate::http::json_response(status, &body);
        if matches!(self, ApiError::Unavailable(_)) {
            resp.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        if matches!(self, ApiError::TooLarge) {
            // The rest of the body is never read, so the connection cannot be reused;
            // say so, or a keep-alive client would send its next request into it.
            resp.headers_mut().insert(
                axum::http::header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
        }
        resp
    }
}
