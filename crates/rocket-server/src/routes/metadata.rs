//! `/api/{app}/_admin/{entities,relations,permissions}` (spec 03 §3–4, 11 §10).

use axum::extract::State;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use rocket_engine::metadata::{self, permissions};

use crate::error::ApiResult;
use crate::extract::{Admin, Id, Name, Shared, P};
use crate::http::{self, RawBody};

pub fn router() -> Router<Shared> {
    Router::new()
        .route(
            "/api/{app}/_admin/entities",
            get(entities).post(entity_create),
        )
        .route(
            "/api/{app}/_admin/entities/{name}",
            get(entity).put(entity_update).delete(entity_delete),
        )
        .route(
            "/api/{app}/_admin/relations",
            get(relations).post(relation_create),
        )
        .route(
            "/api/{app}/_admin/relations/{name}",
            get(relation).put(relation_update).delete(relation_delete),
        )
        .route(
            "/api/{app}/_admin/permissions",
            get(perms).post(perm_create),
        )
        .route(
            "/api/{app}/_admin/permissions/{id}",
            get(perm).put(perm_update).delete(perm_delete),
        )
}

const BAD: &str = "Invalid JSON body";

async fn entities(a: Admin) -> ApiResult<Response> {
    Ok(http::ok(metadata::list_entities(&a.app).await?))
}

async fn entity(a: Admin, P(n): P<Name>) -> ApiResult<Response> {
    Ok(http::ok(metadata::get_entity(&a.app, &n.name).await?))
}

async fn entity_create(State(p): State<Shared>, a: Admin, body: RawBody) -> ApiResult<Response> {
    let b = body.object(BAD)?;
    Ok(http::created(
        metadata::put_entity(&p, &a.app, None, b).await?,
    ))
}

async fn entity_update(
    State(p): State<Shared>,
    a: Admin,
    P(n): P<Name>,
    body: RawBody,
) -> ApiResult<Response> {
    metadata::require_entity(&a.app, &n.name)?;
    let b = body.object(BAD)?;
    Ok(http::ok(
        metadata::put_entity(&p, &a.app, Some(&n.name), b).await?,
    ))
}

async fn entity_delete(State(p): State<Shared>, a: Admin, P(n): P<Name>) -> ApiResult<Response> {
    Ok(http::ok(
        metadata::delete_entity(&p, &a.app, &n.name).await?,
    ))
}

async fn relations(a: Admin) -> ApiResult<Response> {
    Ok(http::ok(metadata::list_relations(&a.app).await?))
}

async fn relation(a: Admin, P(n): P<Name>) -> ApiResult<Response> {
    Ok(http::ok(metadata::get_relation(&a.app, &n.name).await?))
}

async fn relation_create(State(p): State<Shared>, a: Admin, body: RawBody) -> ApiResult<Response> {
    let b = body.object(BAD)?;
    Ok(http::created(
        metadata::put_relation(&p, &a.app, None, b).await?,
    ))
}

async fn relation_update(
    State(p): State<Shared>,
    a: Admin,
    P(n): P<Name>,
    body: RawBody,
) -> ApiResult<Response> {
    metadata::require_relation(&a.app, &n.name)?;
    let b = body.object(BAD)?;
    Ok(http::ok(
        metadata::put_relation(&p, &a.app, Some(&n.name), b).await?,
    ))
}

async fn relation_delete(State(p): State<Shared>, a: Admin, P(n): P<Name>) -> ApiResult<Response> {
    Ok(http::ok(
        metadata::delete_relation(&p, &a.app, &n.name).await?,
    ))
}

async fn perms(a: Admin) -> ApiResult<Response> {
    Ok(http::ok(permissions::list(&a.app).await?))
}

async fn perm(a: Admin, P(i): P<Id>) -> ApiResult<Response> {
    Ok(http::ok(permissions::get(&a.app, &i.id).await?))
}

async fn perm_create(State(p): State<Shared>, a: Admin, body: RawBody) -> ApiResult<Response> {
    let b = body.object(BAD)?;
    Ok(http::created(permissions::create(&p, &a.app, &b).await?))
}

async fn perm_update(
    State(p): State<Shared>,
    a: Admin,
    P(i): P<Id>,
    body: RawBody,
) -> ApiResult<Response> {
    permissions::get(&a.app, &i.id).await?;
    let b = body.object(BAD)?;
    Ok(http::ok(permissions::update(&p, &a.app, &i.id, &b).await?))
}

async fn perm_delete(State(p): State<Shared>, a: Admin, P(i): P<Id>) -> ApiResult<Response> {
    Ok(http::ok(permissions::delete(&p, &a.app, &i.id).await?))
}
