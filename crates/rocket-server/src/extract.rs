//! Extractors: the app of the path, the authenticated caller, path parameters. They
//! run in handler-argument order, which is the order of spec 04 §1: the app (404
//! before anything else), then authentication (401), then the admin role (403).

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, RawPathParams};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use rocket_engine::auth::{self, User};
use rocket_engine::{App, Platform};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::ApiError;

pub type Shared = Arc<Platform>;

fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
}

/// The app named by `{app}`, resolved (and opened) before authentication.
pub struct AppRef(pub Arc<App>);

impl FromRequestParts<Shared> for AppRef {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, p: &Shared) -> Result<Self, ApiError> {
        if let Some(app) = parts.extensions.get::<Arc<App>>() {
            return Ok(AppRef(app.clone()));
        }
        let params = RawPathParams::from_request_parts(parts, p)
            .await
            .map_err(|_| ApiError::BadPath)?;
        let name = params
            .iter()
            .find(|(k, _)| *k == "app")
            .map(|(_, v)| v.to_string())
            .unwrap_or_default();
        let app = p.app(&name).await?;
        parts.extensions.insert(app.clone());
        Ok(AppRef(app))
    }
}

/// An authenticated user of the app: the app's secret, then the platform secret.
pub struct Actor {
    pub app: Arc<App>,
    pub user: User,
}

impl FromRequestParts<Shared> for Actor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, p: &Shared) -> Result<Self, ApiError> {
        let AppRef(app) = AppRef::from_request_parts(parts, p).await?;
        let user = auth::app_user(p, &app, authorization(&parts.headers))?;
        Ok(Actor { app, user })
    }
}

/// An app admin (admin routes): 403 "Admin access required" otherwise.
pub struct Admin {
    pub app: Arc<App>,
    pub user: User,
}

impl FromRequestParts<Shared> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, p: &Shared) -> Result<Self, ApiError> {
        let AppRef(app) = AppRef::from_request_parts(parts, p).await?;
        let user = auth::app_admin(p, &app, authorization(&parts.headers))?;
        Ok(Admin { app, user })
    }
}

/// A platform user (platform routes accept only the platform secret).
pub struct PlatformUser(#[allow(dead_code)] pub User);

impl FromRequestParts<Shared> for PlatformUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, p: &Shared) -> Result<Self, ApiError> {
        Ok(PlatformUser(auth::platform_user(
            p,
            authorization(&parts.headers),
        )?))
    }
}

/// Path parameters (percent-decoded) whose failures answer in the envelope.
pub struct P<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for P<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(t)| P(t))
            .map_err(|_| ApiError::BadPath)
    }
}

#[derive(Deserialize)]
pub struct Name {
    pub name: String,
}

#[derive(Deserialize)]
pub struct Id {
    pub id: String,
}

#[derive(Deserialize)]
pub struct EntityPath {
    pub entity: String,
}

#[derive(Deserialize)]
pub struct RecordPath {
    pub entity: String,
    pub id: String,
}
