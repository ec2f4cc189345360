//! `/api/{app}/_admin/{users,invites}` (spec 11 §8–9).

use axum::response::Response;
use axum::routing::{delete, get, post};
use axum::Router;
use rocket_engine::auth::invites;
use rocket_engine::auth::users::Users;

use super::admin::crud;

use crate::error::ApiResult;
use crate::extract::{Admin, Id, Shared, P};
use crate::http::{self, RawBody};

pub fn router() -> Router<Shared> {
    crud::<Users>("/api/{app}/_admin/users")
        .route(
            "/api/{app}/_admin/invites",
            get(invite_list).post(invite_create),
        )
        .route("/api/{app}/_admin/invites/bulk", post(invite_bulk))
        .route("/api/{app}/_admin/invites/{id}", delete(invite_delete))
}

const BAD: &str = "Invalid JSON body";

async fn invite_list(a: Admin) -> ApiResult<Response> {
    Ok(http::ok(invites::list(&a.app).await?))
}

async fn invite_create(a: Admin, body: RawBody) -> ApiResult<Response> {
    let b = body.object(BAD)?;
    Ok(http::created(invites::create(&a.app, &a.user, &b).await?))
}

async fn invite_bulk(a: Admin, body: RawBody) -> ApiResult<Response> {
    let b = body.object(BAD)?;
    Ok(http::ok(invites::bulk(&a.app, &a.user, &b).await?))
}

async fn invite_delete(a: Admin, P(i): P<Id>) -> ApiResult<Response> {
    Ok(http::ok(invites::delete(&a.app, &i.id).await?))
}
