//! `rocket openapi`: the OpenAPI documents of `GET /api/{app}/_openapi.json` and
//! `GET /api/_platform/openapi.json`, without a server.

use std::path::PathBuf;

use rocket_engine::auth::User;
use rocket_engine::openapi::{self, View};
use rocket_engine::Platform;

use super::write_json;
use crate::args::OpenapiTarget;
use crate::error::CliResult;

pub async fn print(
    p: &Platform,
    target: OpenapiTarget,
    roles: Option<Vec<String>>,
    output: Option<PathBuf>,
) -> CliResult {
    let Some(name) = target.app else {
        return write_json(&openapi::platform_document(), output.as_deref());
    };
    let app = p.app(&name).await?;
    // As the server decides for a caller: `admin` among the roles sees everything.
    let view = roles.map_or(View::Admin, |roles| {
        View::of(&User {
            id: String::new(),
            roles,
        })
    });
    let doc = openapi::app_document(&app.name, &app.schema(), app.store.dialect(), &view);
    write_json(&doc, output.as_deref())
}
