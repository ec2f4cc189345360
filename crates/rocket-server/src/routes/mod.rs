//! The router: one `router()` per resource, composed in the order of spec 01 §3 step
//! 6 (health, platform, app routes, entity routes last), then the middleware.

mod auth;
mod metadata;
mod platform;
mod porting;
mod records;
mod users;

use std::time::Duration;

use axum::middleware::from_fn;
use axum::routing::get;
use axum::Router;
use serde_json::json;

use crate::extract::Shared;
use crate::{http, middleware};

pub fn router(p: Shared) -> Router {
    let limit = Duration::from_millis(p.config.server.request_timeout_ms.max(1));
    let t = || from_fn(middleware::timeout(limit));
    let routes = Router::new()
        .route(
            "/health",
            get(|| async { http::ok_raw(json!({"status": "ok"})) }),
        )
        .merge(platform::router().route_layer(t()))
        .merge(auth::router().route_layer(t()))
        .merge(metadata::router().route_layer(t()))
        .merge(users::router().route_layer(t()))
        // An import may rightly run long; its body still arrives within the limit.
        .merge(porting::router())
        .merge(records::router().route_layer(t()))
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::method_not_allowed);
    middleware::wrap(routes, &p.config).with_state(p)
}
