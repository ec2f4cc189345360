//! The five entity endpoints (spec 04), last among the app routes so static paths
//! win. Records carry an `ETag`; `If-Match` on PUT/DELETE answers 412 when the row
//! changed, `If-None-Match` on GET answers 304 when it did not.

use axum::extract::RawQuery;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use rocket_engine::records::{self, Caller};
use serde_json::json;

use crate::error::{ApiError, ApiResult};
use crate::extract::{Actor, EntityPath, RecordPath, Shared, P};
use crate::http::{self, RawBody};

pub fn router() -> Router<Shared> {
    Router::new()
        .route("/api/{app}/{entity}", get(list).post(create))
        .route(
            "/api/{app}/{entity}/{id}",
            get(one).put(update).delete(delete),
        )
}

/// System paths never reach the entity routes: `_`-prefixed segments (entities
/// cannot start with `_`) and `auth` are routes of their own (spec 04 §1).
fn entity_segment(name: &str) -> ApiResult<&str> {
    if name.starts_with('_') || name == "auth" {
        return Err(ApiError::RouteNotFound);
    }
    Ok(name)
}

fn header(h: &HeaderMap, name: header::HeaderName) -> Option<&str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

async fn list(a: Actor, P(p): P<EntityPath>, RawQuery(q): RawQuery) -> ApiResult<Response> {
    let entity = entity_segment(&p.entity)?;
    let c = Caller::new(&a.app, &a.user);
    Ok(http::ok_raw(
        records::list(&c, entity, q.as_deref()).await?.into_json(),
    ))
}

async fn one(
    a: Actor,
    P(p): P<RecordPath>,
    RawQuery(q): RawQuery,
    h: HeaderMap,
) -> ApiResult<Response> {
    let entity = entity_segment(&p.entity)?;
    let c = Caller::new(&a.app, &a.user);
    let r = records::get(&c, entity, &p.id, q.as_deref()).await?;
    // The tag is the record's own (what `If-Match` guards); with includes the answer
    // also holds other records, so it is always sent in full.
    let fresh =
        header(&h, header::IF_NONE_MATCH).is_some_and(|m| m.split(',').any(|t| t.trim() == r.etag));
    if fresh && !r.included {
        return Ok(http::with_etag(
            StatusCode::NOT_MODIFIED.into_response(),
            Some(&r.etag),
        ));
    }
    let body = match r.truncated.to_json() {
        None => http::ok(r.data),
        Some(t) => http::ok_raw(json!({"data": r.data, "meta": {"truncated_includes": t}})),
    };
    Ok(http::with_etag(body, Some(&r.etag)))
}

async fn create(a: Actor, P(p): P<EntityPath>, body: RawBody) -> ApiResult<Response> {
    let entity = entity_segment(&p.entity)?;
    let c = Caller::new(&a.app, &a.user);
    let w = records::create(&c, entity, body.json()).await?;
    Ok(http::with_etag(http::created(w.data), w.etag.as_deref()))
}

async fn update(a: Actor, P(p): P<RecordPath>, h: HeaderMap, body: RawBody) -> ApiResult<Response> {
    let entity = entity_segment(&p.entity)?;
    let c = Caller::new(&a.app, &a.user);
    let w = records::update(&c, entity, &p.id, body.json(), header(&h, header::IF_MATCH)).await?;
    Ok(http::with_etag(http::ok(w.data), w.etag.as_deref()))
}

async fn delete(a: Actor, P(p): P<RecordPath>, h: HeaderMap) -> ApiResult<Response> {
    let entity = entity_segment(&p.entity)?;
    let c = Caller::new(&a.app, &a.user);
    records::delete(&c, entity, &p.id, header(&h, header::IF_MATCH)).await?;
    Ok(http::ok(json!({ "id": p.id })))
}
