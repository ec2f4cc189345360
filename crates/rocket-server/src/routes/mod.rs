//! The router: one `router()` per resource, composed in the order of spec 01 §3 step
//! 6 (health, platform, app routes, entity routes last) and the admin UI (spec 17
//! §1), then the middleware.

mod admin;
mod admin_ui;
mod auth;
mod events;
mod files;
mod logic;
mod metadata;
mod openapi;
mod platform;
mod porting;
mod records;
mod schema;
mod ui;
mod users;
mod webhooks;

use axum::routing::get;
use axum::Router;
use serde_json::json;

use crate::extract::Shared;
use crate::http;

/// The routes, with the platform as their state (the middleware goes around them
/// in `middleware::wrap`).
pub fn router(p: Shared) -> Router {
    let routes = Router::new()
        .route(
            "/health",
            get(|| async { http::ok_raw(json!({"status": "ok"})) }),
        )
        .merge(platform::router())
        .merge(openapi::router())
        .merge(auth::router())
        .merge(metadata::router())
        .merge(schema::router())
        .merge(users::router())
        .merge(logic::router())
        .merge(webhooks::router())
        .merge(events::router())
        .merge(files::router(p.config.storage.max_file_size))
        .merge(ui::router())
        .merge(porting::router())
        .merge(records::router())
        .merge(admin_ui::router(p.config.server.admin_ui))
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::method_not_allowed);
    routes.with_state(p)
}
