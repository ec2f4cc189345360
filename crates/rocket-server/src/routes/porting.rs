//! `/api/{app}/_admin/{export,import}` (spec 14).

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use rocket_engine::porting;

use crate::error::ApiResult;
use crate::extract::{Admin, Shared};
use crate::http::{self, RawBody};

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/api/{app}/_admin/export", get(export))
        .route("/api/{app}/_admin/import", post(import))
}

async fn export(a: Admin) -> ApiResult<Response> {
    Ok(http::ok(porting::export(&a.app).await?))
}

async fn import(State(p): State<Shared>, a: Admin, body: RawBody) -> ApiResult<Response> {
    let b = body.object("Invalid JSON body")?;
    Ok(http::ok(porting::import(&p, &a.app, b).await?))
}
