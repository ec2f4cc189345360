//! The one mapping from errors to responses: every [`EngineError`] and the few
//! errors of HTTP itself become the envelope of spec 06 with their status.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use rocket_engine::{Detail, EngineError};
use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Engine(#[from] EngineError),
    #[error("route not found")]
    RouteNotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("payload too large")]
    TooLarge,
    #[error("invalid path parameter")]
    BadPath,
    /// The whole request outlived the request timeout.
    #[error("request timeout")]
    RequestTimeout,
}

pub type ApiResult<T> = Result<T, ApiError>;

fn parts(e: &EngineError) -> (StatusCode, &'static str, String) {
    use EngineError::*;
    let m = |s: &String| s.clone();
    match e {
        AppNotFound(s) => (StatusCode::NOT_FOUND, "APP_NOT_FOUND", m(s)),
        UnknownEntity(s) => (StatusCode::NOT_FOUND, "UNKNOWN_ENTITY", m(s)),
        NotFound(s) => (StatusCode::NOT_FOUND, "NOT_FOUND", m(s)),
        UnknownField(s) => (StatusCode::BAD_REQUEST, "UNKNOWN_FIELD", m(s)),
        BadInput(s) => (StatusCode::BAD_REQUEST, "INVALID_PAYLOAD", m(s)),
        Invalid(s) | NotConfigured(s) => {
            (StatusCode::UNPROCESSABLE_ENTITY, "VALIDATION_FAILED", m(s))
        }
        Validation(_) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            "VALIDATION_FAILED",
            "Validation failed".into(),
        ),
        // Two invite paths use this code with 400 (spec 06 §3, 11 §3.4).
        Rejected(s) => (StatusCode::BAD_REQUEST, "VALIDATION_FAILED", m(s)),
        Conflict(s) => (StatusCode::CONFLICT, "CONFLICT", m(s)),
        WebhookRejected(s) => (StatusCode::UNPROCESSABLE_ENTITY, "WEBHOOK_REJECTED", m(s)),
        WebhookFailed(s) => (StatusCode::BAD_GATEWAY, "WEBHOOK_FAILED", m(s)),
        FeatureOff(s) => (StatusCode::NOT_IMPLEMENTED, "NOT_CONFIGURED", m(s)),
        FileTooLarge { .. } => (
            StatusCode::PAYLOAD_TOO_LARGE,
            "FILE_TOO_LARGE",
            e.to_string(),
        ),
        AiFailed(s) => (StatusCode::BAD_GATEWAY, "AI_REQUEST_FAILED", m(s)),
        PreconditionFailed(s) => (StatusCode::PRECONDITION_FAILED, "PRECONDITION_FAILED", m(s)),
        Unauthorized(s) => (StatusCode::UNAUTHORIZED, "UNAUTHORIZED", m(s)),
        Forbidden(s) => (StatusCode::FORBIDDEN, "FORBIDDEN", m(s)),
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
        InternalWith(s) => (StatusCode::INTERNAL_SERVER_ERROR, "INTERNAL_ERROR", m(s)),
        Internal(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL_ERROR",
            "Internal server error".into(),
        ),
    }
}

impl ApiError {
    fn parts(&self) -> (StatusCode, &'static str, String) {
        match self {
            ApiError::Engine(e) => parts(e),
            ApiError::RouteNotFound => {
                (StatusCode::NOT_FOUND, "NOT_FOUND", "Route not found".into())
            }
            ApiError::MethodNotAllowed => (
                StatusCode::METHOD_NOT_ALLOWED,
                "METHOD_NOT_ALLOWED",
                "Method not allowed".into(),
            ),
            ApiError::TooLarge => (
                StatusCode::PAYLOAD_TOO_LARGE,
                "PAYLOAD_TOO_LARGE",
                "Request body too large".into(),
            ),
            ApiError::BadPath => (
                StatusCode::BAD_REQUEST,
                "INVALID_PAYLOAD",
                "Invalid path parameter".into(),
            ),
            ApiError::RequestTimeout => (
                StatusCode::GATEWAY_TIMEOUT,
                "TIMEOUT",
                "The request took too long and was cancelled".into(),
            ),
        }
    }

    fn log(&self) {
        match self {
            ApiError::Engine(EngineError::Internal(cause)) => {
                tracing::error!(%cause, "internal error")
            }
            ApiError::Engine(EngineError::Unavailable(cause)) => {
                tracing::warn!(%cause, "database unavailable")
            }
            ApiError::Engine(EngineError::Timeout) => tracing::warn!("statement timeout"),
            ApiError::RequestTimeout => tracing::warn!("request timeout"),
            _ => {}
        }
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
        self.log();
        let (status, code, message) = self.parts();
        let details = match &self {
            ApiError::Engine(EngineError::Validation(d)) if !d.is_empty() => Some(d.as_slice()),
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
        let headers = resp.headers_mut();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            headers.insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        if matches!(self, ApiError::TooLarge) {
            // The rest of the body is never read, so the connection cannot be reused;
            // say so, or a keep-alive client would send its next request into it.
            headers.insert(header::CONNECTION, HeaderValue::from_static("close"));
        }
        resp
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_engine_error_has_its_status_and_code() {
        let cases: Vec<(EngineError, u16, &str)> = vec![
            (EngineError::AppNotFound("a".into()), 404, "APP_NOT_FOUND"),
            (
                EngineError::UnknownEntity("a".into()),
                404,
                "UNKNOWN_ENTITY",
            ),
            (EngineError::NotFound("a".into()), 404, "NOT_FOUND"),
            (EngineError::UnknownField("a".into()), 400, "UNKNOWN_FIELD"),
            (EngineError::BadInput("a".into()), 400, "INVALID_PAYLOAD"),
            (EngineError::Invalid("a".into()), 422, "VALIDATION_FAILED"),
            (
                EngineError::NotConfigured("a".into()),
                422,
                "VALIDATION_FAILED",
            ),
            (EngineError::Validation(vec![]), 422, "VALIDATION_FAILED"),
            (EngineError::Rejected("a".into()), 400, "VALIDATION_FAILED"),
            (EngineError::Conflict("a".into()), 409, "CONFLICT"),
            (
                EngineError::PreconditionFailed("a".into()),
                412,
                "PRECONDITION_FAILED",
            ),
            (EngineError::Unauthorized("a".into()), 401, "UNAUTHORIZED"),
            (EngineError::Forbidden("a".into()), 403, "FORBIDDEN"),
            (EngineError::Timeout, 504, "TIMEOUT"),
            (EngineError::Unavailable("a".into()), 503, "UNAVAILABLE"),
            (EngineError::InternalWith("a".into()), 500, "INTERNAL_ERROR"),
            (
                EngineError::Internal("secret cause".into()),
                500,
                "INTERNAL_ERROR",
            ),
        ];
        for (e, status, code) in cases {
            let (s, c, m) = parts(&e);
            assert_eq!((s.as_u16(), c), (status, code), "{e:?}");
            assert!(!m.contains("secret"), "causes never leak");
        }
    }
}
