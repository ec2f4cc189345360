//! Request/response plumbing shared by every handler: JSON bodies that fail into the
//! envelope, JSON responses, and the fallbacks for unknown routes and methods.

use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::ApiError;
use rocket_engine::records::JsonBody;

/// Largest accepted request body (spec 04 §2.2).
pub const BODY_LIMIT: usize = 4 * 1024 * 1024;

pub fn json_response<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response {
    match serde_json::to_vec(body) {
        Ok(bytes) => raw_json(status, bytes),
        Err(e) => {
            tracing::error!("response serialization failed: {e}");
            raw_json(
                StatusCode::INTERNAL_SERVER_ERROR,
                br#"{"error":{"code":"INTERNAL_ERROR","message":"Internal server error"}}"#
                    .to_vec(),
            )
        }
    }
}

pub fn raw_json(status: StatusCode, bytes: impl Into<Body>) -> Response {
    let mut r = Response::new(bytes.into());
    *r.status_mut() = status;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    r
}

/// `{"data": value}` with a status.
pub fn data(status: StatusCode, value: impl Serialize) -> Response {
    #[derive(Serialize)]
    struct D<T> {
        data: T,
    }
    json_response(status, &D { data: value })
}

pub fn ok(value: impl Serialize) -> Response {
    data(StatusCode::OK, value)
}

pub fn created(value: impl Serialize) -> Response {
    data(StatusCode::CREATED, value)
}

pub fn message(text: &str) -> Response {
    json_response(StatusCode::OK, &serde_json::json!({ "message": text }))
}

async fn read_body(req: Request, limit: std::time::Duration) -> Result<(bool, Bytes), ApiError> {
    let is_json = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            let mime = v
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            mime == "application/json"
                || (mime.starts_with("application/") && mime.ends_with("+json"))
        })
        .unwrap_or(false);
    // A body that never finishes arriving must not hold the request forever.
    let bytes = tokio::time::timeout(limit, axum::body::to_bytes(req.into_body(), BODY_LIMIT))
        .await
        .map_err(|_| ApiError::RequestTimeout)?
        .map_err(|_| ApiError::TooLarge)?;
    Ok((is_json, bytes))
}

/// The raw body, parsed later so that earlier pipeline steps (404, 403) win over a
/// bad body (spec 06 §5).
pub struct RawBody {
    pub is_json: bool,
    pub bytes: Bytes,
}

impl RawBody {
    /// The body for the engine, which parses it when the pipeline gets to it.
    pub fn json(&self) -> JsonBody<'_> {
        JsonBody {
            is_json: self.is_json,
            bytes: &self.bytes,
        }
    }

    /// The body as a JSON object now; anything else is a 400 with `msg`.
    pub fn object(&self, msg: &str) -> Result<Map<String, Value>, ApiError> {
        self.json()
            .object()
            .map_err(|_| ApiError::Engine(rocket_engine::EngineError::BadInput(msg.into())))
    }
}

impl FromRequest<crate::extract::Shared> for RawBody {
    type Rejection = ApiError;

    async fn from_request(
        req: Request,
        p: &crate::extract::Shared,
    ) -> Result<Self, Self::Rejection> {
        let limit = std::time::Duration::from_millis(p.config.server.request_timeout_ms.max(1));
        let (is_json, bytes) = read_body(req, limit).await?;
        Ok(RawBody { is_json, bytes })
    }
}

pub async fn not_found() -> Response {
    ApiError::RouteNotFound.into_response()
}

pub async fn method_not_allowed() -> Response {
    ApiError::MethodNotAllowed.into_response()
}

/// Turns a panic into the generic 500 envelope.
pub fn panic_response(_: Box<dyn std::any::Any + Send + 'static>) -> Response {
    ApiError::Engine(rocket_engine::EngineError::internal("handler panicked")).into_response()
}

/// Adds an `ETag` header (records, spec-extension of docs/api.md).
pub fn with_etag(mut r: Response, etag: Option<&str>) -> Response {
    if let Some(v) = etag.and_then(|t| HeaderValue::from_str(t).ok()) {
        r.headers_mut().insert(header::ETAG, v);
    }
    r
}

/// A prepared JSON value with status 200 (no extra `data` wrapper).
pub fn ok_raw(v: Value) -> Response {
    json_response(StatusCode::OK, &v)
}
