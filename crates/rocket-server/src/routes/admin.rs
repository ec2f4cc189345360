//! The five routes of an admin collection (`rocket_engine::admin`), the same for
//! every collection: list, create (201), get, update and delete by key. An update
//! answers 404 for a missing item before its body is read (spec 06 §5).

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use rocket_engine::admin::{self, Collection};
use serde::Deserialize;

use crate::error::ApiResult;
use crate::extract::{Admin, Shared, P};
use crate::http::{self, RawBody};

const BAD: &str = "Invalid JSON body";

#[derive(Deserialize)]
struct Key {
    key: String,
}

/// The routes of collection `C` under `path` (`/api/{app}/_admin/<name>`).
pub fn crud<C: Collection>(path: &str) -> Router<Shared> {
    Router::new()
        .route(path, get(list::<C>).post(create::<C>))
        .route(
            &format!("{path}/{{key}}"),
            get(one::<C>).put(update::<C>).delete(remove::<C>),
        )
}

async fn list<C: Collection>(a: Admin) -> ApiResult<Response> {
    Ok(http::ok(admin::list::<C>(&a.app).await?))
}

async fn one<C: Collection>(a: Admin, P(k): P<Key>) -> ApiResult<Response> {
    Ok(http::ok(admin::get::<C>(&a.app, &k.key).await?))
}

async fn create<C: Collection>(
    State(p): State<Shared>,
    a: Admin,
    body: RawBody,
) -> ApiResult<Response> {
    let b = body.object(BAD)?;
    Ok(http::created(C::put(&p, &a.app, None, b).await?))
}

async fn update<C: Collection>(
    State(p): State<Shared>,
    a: Admin,
    P(k): P<Key>,
    body: RawBody,
) -> ApiResult<Response> {
    C::require(&a.app, &k.key).await?;
    let b = body.object(BAD)?;
    Ok(http::ok(C::put(&p, &a.app, Some(&k.key), b).await?))
}

async fn remove<C: Collection>(
    State(p): State<Shared>,
    a: Admin,
    P(k): P<Key>,
) -> ApiResult<Response> {
    Ok(http::ok(C::delete(&p, &a.app, &k.key).await?))
}
