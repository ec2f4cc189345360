//! Business events and traces (spec 15 §5): emit for any authenticated user; query,
//! trace waterfall and stats for admins. Thin: the engine answers.

use std::collections::HashMap;

use axum::extract::RawQuery;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use rocket_engine::events::api;
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{Actor, Admin, Shared, P};
use crate::http::{self, RawBody};

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/api/{app}/_events", get(query).post(emit))
        .route("/api/{app}/_events/stats", get(stats))
        .route("/api/{app}/_events/trace/{trace_id}", get(trace))
}

/// The query string as a map (the last of a repeated key wins).
fn params(q: Option<String>) -> HashMap<String, String> {
    form_urlencoded::parse(q.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

/// `200 {"data": {"status": "ok"}}` (not 201, 15 §5.1).
async fn emit(_a: Actor, body: RawBody) -> ApiResult<Response> {
    let b = body.object("Invalid JSON body")?;
    Ok(http::ok(api::emit(&b)?))
}

/// `{"data": [...], "pagination": {...}}` (15 §5.2).
async fn query(a: Admin, RawQuery(q): RawQuery) -> ApiResult<Response> {
    Ok(http::ok_raw(api::query(&a.app, &params(q)).await?))
}

async fn stats(a: Admin, RawQuery(q): RawQuery) -> ApiResult<Response> {
    Ok(http::ok(api::stats(&a.app, &params(q)).await?))
}

#[derive(Deserialize)]
struct TraceId {
    trace_id: String,
}

async fn trace(a: Admin, P(t): P<TraceId>) -> ApiResult<Response> {
    Ok(http::ok(api::trace(&a.app, &t.trace_id).await?))
}
