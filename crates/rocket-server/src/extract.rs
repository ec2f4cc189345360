//! Extractors: the app of the path, the authenticated caller, path parameters. They
//! run in handler-argument order, which is the order of spec 04 §1: the app (404
//! before anything else), then authentication (401), then the admin role (403).

use std::marker::PhantomData;
use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, RawPathParams};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use rocket_engine::auth::{self, User};
use rocket_engine::{App, EngineError, Platform};
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
        // No app name starts with `_`: `/api/_platform/<typo>` and the like are
        // unknown routes, not unknown apps.
        if name.starts_with('_') {
            return Err(ApiError::RouteNotFound);
        }
        let app = p.app(&name).await?;
        parts.extensions.insert(app.clone());
        Ok(AppRef(app))
    }
}

/// A caller of an app's routes, as `R` requires it: the app's secret, then the
/// platform secret.
pub struct Authed<R> {
    pub app: Arc<App>,
    pub user: User,
    _role: PhantomData<R>,
}

/// What a route requires of its caller.
pub trait Role {
    fn check(p: &Platform, app: &App, authorization: Option<&str>) -> Result<User, EngineError>;
}

/// Any authenticated user of the app (record routes).
pub struct AnyUser;

impl Role for AnyUser {
    fn check(p: &Platform, app: &App, authorization: Option<&str>) -> Result<User, EngineError> {
        auth::app_user(p, app, authorization)
    }
}

/// An app admin (admin routes): 403 "Admin access required" otherwise.
pub struct AppAdmin;

impl Role for AppAdmin {
    fn check(p: &Platform, app: &App, authorization: Option<&str>) -> Result<User, EngineError> {
        auth::app_admin(p, app, authorization)
    }
}

pub type Actor = Authed<AnyUser>;
pub type Admin = Authed<AppAdmin>;

impl<R: Role> FromRequestParts<Shared> for Authed<R> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, p: &Shared) -> Result<Self, ApiError> {
        let AppRef(app) = AppRef::from_request_parts(parts, p).await?;
        let user = R::check(p, &app, authorization(&parts.headers))?;
        rocket_engine::events::set_user(&user.id);
        Ok(Authed {
            app,
            user,
            _role: PhantomData,
        })
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
