//! The OpenAPI documents (issue 12): `GET /api/{app}/_openapi.json` for any user of
//! the app (what they may call; admins everything) and `GET
//! /api/_platform/openapi.json` for platform users. Built by
//! `rocket_engine::openapi`, cached per metadata snapshot.

use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use rocket_engine::openapi::{self, View};

use crate::extract::{Actor, PlatformUser, Shared};
use crate::http;

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/api/_platform/openapi.json", get(platform))
        .route("/api/{app}/_openapi.json", get(app))
}

async fn app(u: Actor) -> Response {
    let doc = u.app.openapi.get(&u.app, &View::of(&u.user));
    http::raw_json(StatusCode::OK, doc)
}

async fn platform(_: PlatformUser) -> Response {
    http::json_response(StatusCode::OK, &openapi::platform_document())
}
