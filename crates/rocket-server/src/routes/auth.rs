//! `/api/{app}/auth/...` (spec 11 §3): login, refresh, logout, accept-invite. The app
//! must exist; no token.

use axum::extract::State;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use rocket_engine::auth::{invites, tokens};

use crate::error::ApiResult;
use crate::extract::{AppRef, Shared};
use crate::http::{self, RawBody};

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/api/{app}/auth/login", post(login))
        .route("/api/{app}/auth/refresh", post(refresh))
        .route("/api/{app}/auth/logout", post(logout))
        .route("/api/{app}/auth/accept-invite", post(accept_invite))
}

const BAD: &str = "Invalid request body";

async fn login(AppRef(app): AppRef, body: RawBody) -> ApiResult<Response> {
    let b = body.object(BAD)?;
    Ok(http::ok(
        tokens::login(&app.store, tokens::APP, &app.secret, &b).await?,
    ))
}

async fn refresh(AppRef(app): AppRef, body: RawBody) -> ApiResult<Response> {
    let b = body.object(BAD)?;
    Ok(http::ok(
        tokens::refresh(&app.store, tokens::APP, &app.secret, &b).await?,
    ))
}

async fn logout(AppRef(app): AppRef, body: RawBody) -> ApiResult<Response> {
    let b = body.object(BAD)?;
    tokens::logout(&app.store, tokens::APP, &b).await?;
    Ok(http::message("Logged out"))
}

async fn accept_invite(
    State(_): State<Shared>,
    AppRef(app): AppRef,
    body: RawBody,
) -> ApiResult<Response> {
    let b = body.object("Invalid JSON body")?;
    Ok(http::created(invites::accept(&app, &b).await?))
}
