//! Rules, state machines and workflows: their admin collections (spec 07 §6, 08 §7,
//! 09 §8), the workflow runtime endpoints (09 §6) and the evaluation of one
//! expression for the admin UI (spec 10; docs/api.md). Thin: the engine decides.

use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use rocket_engine::logic::admin::{Rules, StateMachines};
use rocket_engine::logic::evaluate;
use rocket_engine::workflows::admin::{self as wf, Workflows};
use rocket_engine::workflows::run::decide;

use super::admin::crud;
use crate::error::ApiResult;
use crate::extract::{Actor, Admin, Id, Shared, P};
use crate::http::{self, RawBody};

pub fn router() -> Router<Shared> {
    crud::<Rules>("/api/{app}/_admin/rules")
        .merge(crud::<StateMachines>("/api/{app}/_admin/state-machines"))
        .merge(crud::<Workflows>("/api/{app}/_admin/workflows"))
        .route("/api/{app}/_workflows/pending", get(pending))
        .route("/api/{app}/_workflows/{id}", get(one).delete(remove))
        .route("/api/{app}/_workflows/{id}/approve", post(approve))
        .route("/api/{app}/_workflows/{id}/reject", post(reject))
        .route("/api/{app}/_admin/expr/eval", post(eval_expr))
}

/// One expression against the variables of the body; nothing of the app is read.
async fn eval_expr(_: Admin, body: RawBody) -> ApiResult<Response> {
    let b = body.object("Invalid JSON body")?;
    Ok(http::ok(evaluate::evaluate(&b)?))
}

async fn pending(a: Actor) -> ApiResult<Response> {
    Ok(http::ok(wf::pending(&a.app).await?))
}

async fn one(a: Actor, P(i): P<Id>) -> ApiResult<Response> {
    Ok(http::ok(wf::instance(&a.app, &i.id).await?))
}

async fn remove(a: Actor, P(i): P<Id>) -> ApiResult<Response> {
    Ok(http::ok(wf::delete_instance(&a.app, &i.id).await?))
}

/// The body is ignored (09 §6.3); the approver is the token's subject.
async fn approve(a: Actor, P(i): P<Id>) -> ApiResult<Response> {
    Ok(http::ok(decide(&a.app, &a.user, &i.id, true).await?))
}

async fn reject(a: Actor, P(i): P<Id>) -> ApiResult<Response> {
    Ok(http::ok(decide(&a.app, &a.user, &i.id, false).await?))
}
