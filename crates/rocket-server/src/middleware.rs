//! Middleware around every route: a trace id per request (`X-Trace-ID`, an incoming
//! one is kept when it is a UUID, spec 15), request logging, panics as the generic
//! 500, CORS for the configured origins, gzip above a size threshold, and the
//! request timeout.

use std::time::Duration;

use axum::extract::Request;
use axum::http::{HeaderName, HeaderValue, Method};
use axum::middleware::{from_fn, Next};
use axum::response::{IntoResponse, Response};
use axum::Router;
use rocket_engine::Config;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{Predicate, SizeAbove};
use tower_http::compression::{CompressionLayer, DefaultPredicate};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::TraceLayer;

use crate::error::ApiError;
use crate::extract::Shared;
use crate::http;

pub const TRACE_HEADER: HeaderName = HeaderName::from_static("x-trace-id");

/// The trace id of the current request (request extension), for events and logs.
#[derive(Debug, Clone)]
// Read by the events and webhooks work (spec 15), which records it per request.
#[allow(dead_code)]
pub struct TraceId(pub String);

/// A random v4 UUID from a thread-local generator (no system call per request).
fn fresh_trace_id() -> String {
    let mut b = [0u8; 16];
    fastrand::fill(&mut b);
    uuid::Builder::from_random_bytes(b).into_uuid().to_string()
}

/// The trace id (an incoming UUID is kept) and the request timeout, in one layer:
/// a request that outlives `limit` ends with the envelope (dropping its future also
/// rolls back any open transaction). An import may rightly run long: its body read
/// has its own limit (`RawBody`).
async fn trace_and_limit(limit: Duration, mut req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(&TRACE_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|s| rocket_meta::looks_like_uuid(s))
        .map(str::to_ascii_lowercase)
        .unwrap_or_else(fresh_trace_id);
    req.extensions_mut().insert(TraceId(id.clone()));
    let unbounded = req.uri().path().ends_with("/_admin/import");
    let mut resp = if unbounded {
        next.run(req).await
    } else {
        match tokio::time::timeout(limit, next.run(req)).await {
            Ok(r) => r,
            Err(_) => ApiError::RequestTimeout.into_response(),
        }
    };
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut().insert(TRACE_HEADER, v);
    }
    resp
}

fn cors(config: &Config) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = config
        .server
        .cors_origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    if origins.is_empty() {
        return None;
    }
    let allow = if config.server.cors_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins)
    };
    Some(
        CorsLayer::new()
            .allow_origin(allow)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::DELETE,
                Method::OPTIONS,
            ])
            .allow_headers([
                axum::http::header::AUTHORIZATION,
                axum::http::header::CONTENT_TYPE,
                axum::http::header::IF_MATCH,
                axum::http::header::IF_NONE_MATCH,
                TRACE_HEADER,
            ])
            .expose_headers([axum::http::header::ETAG, TRACE_HEADER])
            .max_age(Duration::from_secs(600)),
    )
}

/// Wraps the routes; the last layer added runs first.
pub fn wrap(routes: Router<Shared>, config: &Config) -> Router<Shared> {
    let limit = Duration::from_millis(config.server.request_timeout_ms.max(1));
    let compress = CompressionLayer::new().gzip(true).compress_when(
        DefaultPredicate::new().and(SizeAbove::new(config.server.compress_min_bytes)),
    );
    routes
        .layer(compress)
        .layer(tower::util::option_layer(cors(config)))
        .layer(CatchPanicLayer::custom(http::panic_response))
        // Request logging (spec 01 §3 step 6): `ROCKET_LOG=tower_http=debug` shows it.
        .layer(TraceLayer::new_for_http())
        .layer(from_fn(move |req, next| trace_and_limit(limit, req, next)))
}
