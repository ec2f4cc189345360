//! Middleware around every route: the trace of app requests (`X-Trace-ID`, an
//! incoming one is kept when it is a UUID; spans and events, spec 15), request logging, panics as the generic
//! 500, the request timeout and gzip above a size threshold ([`envelope`]), and CORS
//! for the configured origins.
//!
//! Applied once around the whole router: `Router::layer` would wrap every route in
//! its own boxed copy of the stack, cloned per request.

mod envelope;
pub(crate) mod gzip;

use std::convert::Infallible;
use std::time::Duration;

use axum::http::{HeaderName, HeaderValue, Method, Request};
use axum::response::Response;
use axum::Router;
use hyper::body::Incoming;
use rocket_engine::Config;

use crate::extract::Shared;
use tower::{Service, ServiceBuilder};
use tower_http::cors::{AllowOrigin, CorsLayer};

pub const TRACE_HEADER: HeaderName = HeaderName::from_static("x-trace-id");

/// The routes with the middleware around them.
pub fn wrap(
    routes: Router,
    platform: &Shared,
) -> impl Service<
    Request<Incoming>,
    Response = Response,
    Error = Infallible,
    Future = impl Send + 'static,
> + Clone
       + Send
       + 'static {
    let config = &platform.config;
    let inner = ServiceBuilder::new()
        .option_layer(cors(config))
        .service(routes);
    envelope::Envelope::new(
        inner,
        platform.clone(),
        Duration::from_millis(config.server.request_timeout_ms.max(1)),
        u64::from(config.server.compress_min_bytes),
    )
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
