//! `/api/{app}/_admin/{entities,relations,permissions}` (spec 03 §3–4, 11 §10).

use axum::Router;
use rocket_engine::metadata::permissions::Permissions;
use rocket_engine::metadata::{Entities, Relations};

use super::admin::crud;
use crate::extract::Shared;

pub fn router() -> Router<Shared> {
    crud::<Entities>("/api/{app}/_admin/entities")
        .merge(crud::<Relations>("/api/{app}/_admin/relations"))
        .merge(crud::<Permissions>("/api/{app}/_admin/permissions"))
}
