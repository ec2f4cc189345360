//! `GET /api/{app}/_schema`: the read-only metadata any user of the app may read
//! (spec 18 §8 item 2) — the entities their permissions reach, the relations between
//! them and the actions granted. Built by `rocket_engine::metadata::visible` from the
//! current snapshot: no query beyond authentication.

use axum::response::Response;
use axum::routing::get;
use axum::Router;
use rocket_engine::metadata::visible;
use rocket_engine::records::Caller;

use crate::extract::{Actor, Shared};
use crate::http;

pub fn router() -> Router<Shared> {
    Router::new().route("/api/{app}/_schema", get(schema))
}

async fn schema(a: Actor) -> Response {
    let c = Caller::new(&a.app, &a.user);
    http::ok(visible::of(&c.access()))
}
