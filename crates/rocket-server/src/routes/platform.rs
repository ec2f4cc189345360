//! `/api/_platform/...` (spec 12 part A): platform auth (and the Rust addition
//! `PUT /auth/password`), apps, AI status.

use axum::extract::State;
use axum::response::Response;
use axum::routing::{get, post, put};
use axum::Router;
use rocket_engine::auth::{accounts, tokens};
use rocket_engine::platform::apps;

use crate::error::ApiResult;
use crate::extract::{Name, PlatformUser, Shared, P};
use crate::http::{self, RawBody};

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/api/_platform/auth/login", post(login))
        .route("/api/_platform/auth/refresh", post(refresh))
        .route("/api/_platform/auth/logout", post(logout))
        .route("/api/_platform/auth/password", put(change_password))
        .route("/api/_platform/apps", get(list).post(create))
        .route("/api/_platform/apps/{name}", get(one).delete(delete))
        .route("/api/_platform/ai/status", get(ai_status))
}

const BAD: &str = "Invalid request body";

async fn login(State(p): State<Shared>, body: RawBody) -> ApiResult<Response> {
    let b = body.object(BAD)?;
    Ok(http::ok(
        tokens::login(&p.mgmt, tokens::PLATFORM, &p.platform_secret, &b).await?,
    ))
}

async fn refresh(State(p): State<Shared>, body: RawBody) -> ApiResult<Response> {
    let b = body.object(BAD)?;
    Ok(http::ok(
        tokens::refresh(&p.mgmt, tokens::PLATFORM, &p.platform_secret, &b).await?,
    ))
}

async fn logout(State(p): State<Shared>, body: RawBody) -> ApiResult<Response> {
    let b = body.object(BAD)?;
    tokens::logout(&p.mgmt, tokens::PLATFORM, &b).await?;
    Ok(http::message("Logged out"))
}

/// The signed-in platform user changes their own password; the answer is a fresh
/// token pair (every other session of the user ends).
async fn change_password(
    State(p): State<Shared>,
    PlatformUser(user): PlatformUser,
    body: RawBody,
) -> ApiResult<Response> {
    let b = body.object(BAD)?;
    let pair =
        accounts::change_password(&p.mgmt, tokens::PLATFORM, &p.platform_secret, &user.id, &b)
            .await?;
    Ok(http::ok(pair))
}

async fn list(State(p): State<Shared>, _: PlatformUser) -> ApiResult<Response> {
    Ok(http::ok(apps::list(&p).await?))
}

async fn one(State(p): State<Shared>, _: PlatformUser, P(n): P<Name>) -> ApiResult<Response> {
    Ok(http::ok(apps::get(&p, &n.name).await?))
}

async fn create(State(p): State<Shared>, _: PlatformUser, body: RawBody) -> ApiResult<Response> {
    let b = body.object(BAD)?;
    Ok(http::created(apps::create(&p, b).await?))
}

async fn delete(State(p): State<Shared>, _: PlatformUser, P(n): P<Name>) -> ApiResult<Response> {
    apps::delete(&p, &n.name).await?;
    Ok(http::message("App deleted"))
}

async fn ai_status(State(p): State<Shared>, _: PlatformUser) -> ApiResult<Response> {
    Ok(http::ok(rocket_engine::ai::status(&p.config.ai)))
}
