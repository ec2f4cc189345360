//! UI configs (spec 16 part A): the admin collection and the two reads of every
//! authenticated user; the AI generator's status and generate (part B §6–7).

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use rocket_engine::ai;
use rocket_engine::ui_configs::{self, UiConfigs};
use serde::Deserialize;

use super::admin::crud;
use crate::error::ApiResult;
use crate::extract::{Actor, Admin, Shared, P};
use crate::http::{self, RawBody};

pub fn router() -> Router<Shared> {
    crud::<UiConfigs>("/api/{app}/_admin/ui-configs")
        .route("/api/{app}/_ui/configs", get(defaults))
        .route("/api/{app}/_ui/config/{entity}", get(default_of))
        .route("/api/{app}/_admin/ai/status", get(ai_status))
        .route("/api/{app}/_admin/ai/generate", post(ai_generate))
}

async fn defaults(u: Actor) -> ApiResult<Response> {
    Ok(http::ok(ui_configs::defaults(&u.app).await?))
}

#[derive(Deserialize)]
struct Entity {
    entity: String,
}

/// `{"data": null}` when the entity has no default config (16 §3).
async fn default_of(u: Actor, P(e): P<Entity>) -> ApiResult<Response> {
    Ok(http::ok(ui_configs::default_of(&u.app, &e.entity).await?))
}

async fn ai_status(State(p): State<Shared>, _: Admin) -> ApiResult<Response> {
    Ok(http::ok(ai::status(&p.config.ai)))
}

async fn ai_generate(State(p): State<Shared>, a: Admin, body: RawBody) -> ApiResult<Response> {
    Ok(http::ok(
        ai::generate(&p.config.ai, &a.app, &body.bytes).await?,
    ))
}
