//! Webhooks: the admin collection (spec 12 §11) and the delivery logs with manual
//! retry (§10.3). Thin: the engine validates, stores and delivers.

use axum::extract::RawQuery;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use rocket_engine::webhooks::admin::{self as hooks, Webhooks};

use super::admin::crud;
use crate::error::ApiResult;
use crate::extract::{Admin, Id, Shared, P};
use crate::http;

pub fn router() -> Router<Shared> {
    crud::<Webhooks>("/api/{app}/_admin/webhooks")
        .route("/api/{app}/_admin/webhook-logs", get(logs))
        .route("/api/{app}/_admin/webhook-logs/{id}", get(log))
        .route("/api/{app}/_admin/webhook-logs/{id}/retry", post(retry))
}

/// Exact-match filters `webhook_id`, `status`, `entity` (the last of a repeated key).
async fn logs(a: Admin, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let (mut webhook, mut status, mut entity) = (None, None, None);
    for (k, v) in form_urlencoded::parse(q.unwrap_or_default().as_bytes()) {
        match k.as_ref() {
            "webhook_id" => webhook = Some(v.into_owned()),
            "status" => status = Some(v.into_owned()),
            "entity" => entity = Some(v.into_owned()),
            _ => {}
        }
    }
    let rows = hooks::list_logs(
        &a.app,
        webhook.as_deref(),
        status.as_deref(),
        entity.as_deref(),
    )
    .await?;
    Ok(http::ok(rows))
}

async fn log(a: Admin, P(i): P<Id>) -> ApiResult<Response> {
    Ok(http::ok(hooks::get_log(&a.app, &i.id).await?))
}

async fn retry(a: Admin, P(i): P<Id>) -> ApiResult<Response> {
    Ok(http::ok(
        hooks::retry_log(&a.app, &i.id, chrono::Utc::now()).await?,
    ))
}
