//! The router and its handlers: thin adapters from HTTP to the modules below.

use std::sync::Arc;

use axum::extract::{FromRequestParts, Path, RawQuery, State};
use axum::http::request::Parts;
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use serde::de::DeserializeOwned;
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::auth::{self, jwt, User};
use crate::error::{ApiError, ApiResult};
use crate::http::{self, RawBody};
use crate::permissions::Access;
use crate::state::{AppCtx, AppState};
use crate::{
    admin, invites, listquery, permission_admin, platform, porting, records, sys, tokens, users,
};

type St = State<Arc<AppState>>;

/// Path parameters whose decoding failures answer in the envelope.
pub struct P<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for P<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(t)| P(t))
            .map_err(|_| ApiError::InvalidPayload("Invalid path parameter".into()))
    }
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route(
            "/health",
            get(|| async { http::ok_raw(json!({"status": "ok"})) }),
        )
        .route("/api/_platform/auth/login", post(platform_login))
        .route("/api/_platform/auth/refresh", post(platform_refresh))
        .route("/api/_platform/auth/logout", post(platform_logout))
        .route("/api/_platform/apps", get(apps_list).post(apps_create))
        .route(
            "/api/_platform/apps/{name}",
            get(apps_get).delete(apps_delete),
        )
        .route("/api/_platform/ai/status", get(ai_status))
        .route("/api/{app}/auth/login", post(app_login))
        .route("/api/{app}/auth/refresh", post(app_refresh))
        .route("/api/{app}/auth/logout", post(app_logout))
        .route(
            "/api/{app}/_admin/entities",
            get(entities_list).post(entities_create),
        )
        .route(
            "/api/{app}/_admin/entities/{name}",
            get(entities_get)
                .put(entities_update)
                .delete(entities_delete),
        )
        .route(
            "/api/{app}/_admin/relations",
            get(relations_list).post(relations_create),
        )
        .route(
            "/api/{app}/_admin/relations/{name}",
            get(relations_get)
                .put(relations_update)
                .delete(relations_delete),
        )
        .route("/api/{app}/auth/accept-invite", post(accept_invite))
        .route(
            "/api/{app}/_admin/users",
            get(users_list).post(users_create),
        )
        .route(
            "/api/{app}/_admin/users/{id}",
            get(users_get).put(users_update).delete(users_delete),
        )
        .route(
            "/api/{app}/_admin/permissions",
            get(perms_list).post(perms_create),
        )
        .route(
            "/api/{app}/_admin/permissions/{id}",
            get(perms_get).put(perms_update).delete(perms_delete),
        )
        .route(
            "/api/{app}/_admin/invites",
            get(invites_list).post(invites_create),
        )
        .route("/api/{app}/_admin/invites/bulk", post(invites_bulk))
        .route(
            "/api/{app}/_admin/invites/{id}",
            axum::routing::delete(invites_delete),
        )
        .route("/api/{app}/_admin/export", get(export))
        .route("/api/{app}/_admin/import", post(import))
        .route("/api/{app}/{entity}", get(list).post(create))
        .route(
            "/api/{app}/{entity}/{id}",
            get(get_one).put(update).delete(delete),
        )
        .fallback(http::not_found)
        .method_not_allowed_fallback(http::method_not_allowed)
        .layer(CatchPanicLayer::custom(http::panic_response))
        // Request logging (spec 01 §3 step 6): one span per request, responses at DEBUG
        // (`ROCKET_LOG=tower_http=debug` shows them).
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

// ---------------------------------------------------------------- auth helpers

/// Platform routes accept only the platform secret.
fn platform_user(st: &AppState, headers: &HeaderMap) -> ApiResult<User> {
    let tok = auth::bearer(headers)?;
    let c =
        jwt::verify(&st.platform_secret, tok, sys::now_secs()).ok_or_else(auth::invalid_token)?;
    Ok(User {
        id: c.sub,
        roles: c.roles,
    })
}

/// App routes: the app's secret first, then the platform secret (which makes the
/// caller an admin of every app, spec 11 §5.2).
fn app_user(st: &AppState, app: &AppCtx, headers: &HeaderMap) -> ApiResult<User> {
    let tok = auth::bearer(headers)?;
    let now = sys::now_secs();
    if let Some(c) = jwt::verify(&app.secret, tok, now) {
        return Ok(User {
            id: c.sub,
            roles: c.roles,
        });
    }
    if let Some(c) = jwt::verify(&st.platform_secret, tok, now) {
        let mut roles = c.roles;
        if !roles.iter().any(|r| r == "admin") {
            roles.push("admin".into());
        }
        return Ok(User { id: c.sub, roles });
    }
    Err(auth::invalid_token())
}

/// Resolves the app (404 before anything else), authenticates, requires `admin`.
async fn admin_app(st: &AppState, name: &str, headers: &HeaderMap) -> ApiResult<Arc<AppCtx>> {
    Ok(admin_user(st, name, headers).await?.0)
}

async fn admin_user(
    st: &AppState,
    name: &str,
    headers: &HeaderMap,
) -> ApiResult<(Arc<AppCtx>, User)> {
    let app = st.app(name).await?;
    let user = app_user(st, &app, headers)?;
    if !user.is_admin() {
        return Err(ApiError::Forbidden("Admin access required".into()));
    }
    Ok((app, user))
}

// ---------------------------------------------------------------- platform

async fn platform_login(State(st): St, body: RawBody) -> ApiResult<Response> {
    let b = body.object("Invalid request body")?;
    Ok(http::ok(
        tokens::login(&st.mgmt, tokens::PLATFORM, &st.platform_secret, &b).await?,
    ))
}

async fn platform_refresh(State(st): St, body: RawBody) -> ApiResult<Response> {
    let b = body.object("Invalid request body")?;
    Ok(http::ok(
        tokens::refresh(&st.mgmt, tokens::PLATFORM, &st.platform_secret, &b).await?,
    ))
}

async fn platform_logout(State(st): St, body: RawBody) -> ApiResult<Response> {
    let b = body.object("Invalid request body")?;
    tokens::logout(&st.mgmt, tokens::PLATFORM, &b).await?;
    Ok(http::message("Logged out"))
}

async fn apps_list(State(st): St, headers: HeaderMap) -> ApiResult<Response> {
    platform_user(&st, &headers)?;
    Ok(http::ok(platform::list(&st).await?))
}

async fn apps_get(State(st): St, headers: HeaderMap, P(name): P<String>) -> ApiResult<Response> {
    platform_user(&st, &headers)?;
    Ok(http::ok(platform::get(&st, &name).await?))
}

async fn apps_create(State(st): St, headers: HeaderMap, body: RawBody) -> ApiResult<Response> {
    platform_user(&st, &headers)?;
    let b = body.object("Invalid request body")?;
    Ok(http::created(platform::create(&st, b).await?))
}

async fn apps_delete(State(st): St, headers: HeaderMap, P(name): P<String>) -> ApiResult<Response> {
    platform_user(&st, &headers)?;
    platform::delete(&st, &name).await?;
    Ok(http::message("App deleted"))
}

async fn ai_status(State(st): St, headers: HeaderMap) -> ApiResult<Response> {
    platform_user(&st, &headers)?;
    let ai = &st.config.ai;
    let configured = !ai.base_url.is_empty() && !ai.api_key.is_empty() && !ai.model.is_empty();
    Ok(http::ok(
        json!({"configured": configured, "model": ai.model}),
    ))
}

// ---------------------------------------------------------------- app auth

async fn app_login(State(st): St, P(app): P<String>, body: RawBody) -> ApiResult<Response> {
    let app = st.app(&app).await?;
    let b = body.object("Invalid request body")?;
    Ok(http::ok(
        tokens::login(&app.store, tokens::APP, &app.secret, &b).await?,
    ))
}

async fn app_refresh(State(st): St, P(app): P<String>, body: RawBody) -> ApiResult<Response> {
    let app = st.app(&app).await?;
    let b = body.object("Invalid request body")?;
    Ok(http::ok(
        tokens::refresh(&app.store, tokens::APP, &app.secret, &b).await?,
    ))
}

async fn app_logout(State(st): St, P(app): P<String>, body: RawBody) -> ApiResult<Response> {
    let app = st.app(&app).await?;
    let b = body.object("Invalid request body")?;
    tokens::logout(&app.store, tokens::APP, &b).await?;
    Ok(http::message("Logged out"))
}

// ---------------------------------------------------------------- metadata admin

async fn entities_list(
    State(st): St,
    headers: HeaderMap,
    P(app): P<String>,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    Ok(http::ok(admin::list_entities(&app, None).await?))
}

async fn entities_get(
    State(st): St,
    headers: HeaderMap,
    P((app, name)): P<(String, String)>,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    Ok(http::ok(admin::list_entities(&app, Some(&name)).await?))
}

async fn entities_create(
    State(st): St,
    headers: HeaderMap,
    P(app): P<String>,
    body: RawBody,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    let b = body.object("Invalid JSON body")?;
    Ok(http::created(admin::create_entity(&st, &app, b).await?))
}

async fn entities_update(
    State(st): St,
    headers: HeaderMap,
    P((app, name)): P<(String, String)>,
    body: RawBody,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    if app.schema().entity(&name).is_none() {
        return Err(ApiError::NotFound(format!("Entity not found: {name}")));
    }
    let b = body.object("Invalid JSON body")?;
    Ok(http::ok(admin::update_entity(&st, &app, &name, b).await?))
}

async fn entities_delete(
    State(st): St,
    headers: HeaderMap,
    P((app, name)): P<(String, String)>,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    Ok(http::ok(admin::delete_entity(&st, &app, &name).await?))
}

async fn relations_list(
    State(st): St,
    headers: HeaderMap,
    P(app): P<String>,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    Ok(http::ok(admin::list_relations(&app, None).await?))
}

async fn relations_get(
    State(st): St,
    headers: HeaderMap,
    P((app, name)): P<(String, String)>,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    Ok(http::ok(admin::list_relations(&app, Some(&name)).await?))
}

async fn relations_create(
    State(st): St,
    headers: HeaderMap,
    P(app): P<String>,
    body: RawBody,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    let b = body.object("Invalid JSON body")?;
    Ok(http::created(admin::create_relation(&st, &app, b).await?))
}

async fn relations_update(
    State(st): St,
    headers: HeaderMap,
    P((app, name)): P<(String, String)>,
    body: RawBody,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    if app.schema().relation(&name).is_none() {
        return Err(ApiError::NotFound(format!("Relation not found: {name}")));
    }
    let b = body.object("Invalid JSON body")?;
    Ok(http::ok(admin::update_relation(&st, &app, &name, b).await?))
}

async fn relations_delete(
    State(st): St,
    headers: HeaderMap,
    P((app, name)): P<(String, String)>,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    Ok(http::ok(admin::delete_relation(&st, &app, &name).await?))
}

async fn export(State(st): St, headers: HeaderMap, P(app): P<String>) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    Ok(http::ok(porting::export(&app).await?))
}

async fn import(
    State(st): St,
    headers: HeaderMap,
    P(app): P<String>,
    body: RawBody,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    let b = body.object("Invalid JSON body")?;
    Ok(http::ok(porting::import(&st, &app, b).await?))
}

// ---------------------------------------------------------------- users, permissions, invites

async fn accept_invite(State(st): St, P(app): P<String>, body: RawBody) -> ApiResult<Response> {
    let app = st.app(&app).await?;
    let b = body.object("Invalid JSON body")?;
    Ok(http::created(invites::accept(&app, &b).await?))
}

async fn users_list(State(st): St, headers: HeaderMap, P(app): P<String>) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    Ok(http::ok(users::list(&app.store).await?))
}

async fn users_get(
    State(st): St,
    headers: HeaderMap,
    P((app, id)): P<(String, String)>,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    Ok(http::ok(users::get(&app.store, &id).await?))
}

async fn users_create(
    State(st): St,
    headers: HeaderMap,
    P(app): P<String>,
    body: RawBody,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    let b = body.object("Invalid JSON body")?;
    Ok(http::created(users::create(&app.store, &b).await?))
}

async fn users_update(
    State(st): St,
    headers: HeaderMap,
    P((app, id)): P<(String, String)>,
    body: RawBody,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    users::get(&app.store, &id).await?;
    let b = body.object("Invalid JSON body")?;
    Ok(http::ok(users::update(&app.store, &id, &b).await?))
}

async fn users_delete(
    State(st): St,
    headers: HeaderMap,
    P((app, id)): P<(String, String)>,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    Ok(http::ok(users::delete(&app.store, &id).await?))
}

async fn perms_list(State(st): St, headers: HeaderMap, P(app): P<String>) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    Ok(http::ok(permission_admin::list(&app).await?))
}

async fn perms_get(
    State(st): St,
    headers: HeaderMap,
    P((app, id)): P<(String, String)>,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    Ok(http::ok(permission_admin::get(&app, &id).await?))
}

async fn perms_create(
    State(st): St,
    headers: HeaderMap,
    P(app): P<String>,
    body: RawBody,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    let b = body.object("Invalid JSON body")?;
    Ok(http::created(
        permission_admin::create(&st, &app, &b).await?,
    ))
}

async fn perms_update(
    State(st): St,
    headers: HeaderMap,
    P((app, id)): P<(String, String)>,
    body: RawBody,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    permission_admin::get(&app, &id).await?;
    let b = body.object("Invalid JSON body")?;
    Ok(http::ok(
        permission_admin::update(&st, &app, &id, &b).await?,
    ))
}

async fn perms_delete(
    State(st): St,
    headers: HeaderMap,
    P((app, id)): P<(String, String)>,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    Ok(http::ok(permission_admin::delete(&st, &app, &id).await?))
}

async fn invites_list(State(st): St, headers: HeaderMap, P(app): P<String>) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    Ok(http::ok(invites::list(&app).await?))
}

async fn invites_create(
    State(st): St,
    headers: HeaderMap,
    P(app): P<String>,
    body: RawBody,
) -> ApiResult<Response> {
    let (app, user) = admin_user(&st, &app, &headers).await?;
    let b = body.object("Invalid JSON body")?;
    Ok(http::created(invites::create(&app, &user, &b).await?))
}

async fn invites_bulk(
    State(st): St,
    headers: HeaderMap,
    P(app): P<String>,
    body: RawBody,
) -> ApiResult<Response> {
    let (app, user) = admin_user(&st, &app, &headers).await?;
    let b = body.object("Invalid JSON body")?;
    Ok(http::ok(invites::bulk(&app, &user, &b).await?))
}

async fn invites_delete(
    State(st): St,
    headers: HeaderMap,
    P((app, id)): P<(String, String)>,
) -> ApiResult<Response> {
    let app = admin_app(&st, &app, &headers).await?;
    Ok(http::ok(invites::delete(&app, &id).await?))
}

// ---------------------------------------------------------------- entities

/// App → user → entity, in the order of spec 04 §1.
async fn entity_ctx(
    st: &AppState,
    app: &str,
    entity: &str,
    headers: &HeaderMap,
) -> ApiResult<(
    Arc<AppCtx>,
    User,
    Arc<rocket_meta::Schema>,
    Arc<rocket_meta::Entity>,
)> {
    let app = st.app(app).await?;
    let user = app_user(st, &app, headers)?;
    tracing::debug!(app = %app.name, user = %user.id, entity, "entity request");
    let schema = app.schema();
    let e = schema
        .entity(entity)
        .cloned()
        .ok_or_else(|| ApiError::UnknownEntity(format!("Unknown entity: {entity}")))?;
    Ok((app, user, schema, e))
}

async fn list(
    State(st): St,
    headers: HeaderMap,
    P((app, entity)): P<(String, String)>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let (app, user, schema, e) = entity_ctx(&st, &app, &entity, &headers).await?;
    let access = Access {
        user: &user,
        schema: &schema,
        dialect: app.store.dialect(),
    };
    let filters = access.check(&e, "read")?;
    let query = listquery::parse(&e, &schema, q.as_deref(), &st.config.limits)?;
    let listed = records::list(
        &app.store,
        &access,
        &e,
        query,
        filters,
        st.config.limits.include_rows,
    )
    .await?;
    Ok(http::ok_raw(listed.into_json()))
}

async fn get_one(
    State(st): St,
    headers: HeaderMap,
    P((app, entity, id)): P<(String, String, String)>,
    RawQuery(q): RawQuery,
) -> ApiResult<Response> {
    let (app, user, schema, e) = entity_ctx(&st, &app, &entity, &headers).await?;
    let access = Access {
        user: &user,
        schema: &schema,
        dialect: app.store.dialect(),
    };
    // Row-level read filters apply here too: a hidden row is 404, as if absent.
    let filters = access.check(&e, "read")?;
    let include = listquery::get_includes(q.as_deref(), &st.config.limits)?;
    let (record, truncated) = records::get(
        &app.store,
        &access,
        &e,
        &id,
        &include,
        &filters,
        st.config.limits.include_rows,
    )
    .await?;
    Ok(match truncated.to_json() {
        None => http::ok(record),
        Some(t) => http::ok_raw(json!({"data": record, "meta": {"truncated_includes": t}})),
    })
}

async fn create(
    State(st): St,
    headers: HeaderMap,
    P((app, entity)): P<(String, String)>,
    body: RawBody,
) -> ApiResult<Response> {
    let (app, user, schema, e) = entity_ctx(&st, &app, &entity, &headers).await?;
    Access {
        user: &user,
        schema: &schema,
        dialect: app.store.dialect(),
    }
    .check(&e, "create")?;
    let b = body.object("Invalid JSON body")?;
    Ok(http::created(
        records::create(&app.store, &schema, &e, &b).await?,
    ))
}

async fn update(
    State(st): St,
    headers: HeaderMap,
    P((app, entity, id)): P<(String, String, String)>,
    body: RawBody,
) -> ApiResult<Response> {
    let (app, user, schema, e) = entity_ctx(&st, &app, &entity, &headers).await?;
    let (key, old) = records::current(&app.store, &e, &id, &[]).await?;
    Access {
        user: &user,
        schema: &schema,
        dialect: app.store.dialect(),
    }
    .check_record(&e, "update", &old)?;
    let b = body.object("Invalid JSON body")?;
    Ok(http::ok(
        records::update(&app.store, &schema, &e, &key, &old, &b).await?,
    ))
}

async fn delete(
    State(st): St,
    headers: HeaderMap,
    P((app, entity, id)): P<(String, String, String)>,
) -> ApiResult<Response> {
    let (app, user, schema, e) = entity_ctx(&st, &app, &entity, &headers).await?;
    let (key, old) = records::current(&app.store, &e, &id, &[]).await?;
    Access {
        user: &user,
        schema: &schema,
        dialect: app.store.dialect(),
    }
    .check_record(&e, "delete", &old)?;
    records::delete(&app.store, &schema, &e, &key, &id).await?;
    Ok(http::ok(json!({ "id": id })))
}
