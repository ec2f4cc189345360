//! `_apps` (spec 02 §3.1): the apps of the platform.

use rocket_store::{DbError, Exec, Param};
use serde::Serialize;

use super::{fetch, fetch_one, run, Reader};

#[derive(Debug, Clone, Serialize)]
pub struct AppRow {
    pub name: String,
    pub display_name: String,
    pub db_name: String,
    pub db_driver: String,
    pub status: String,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
    /// Never shown (spec 11 §11).
    #[serde(skip)]
    pub jwt_secret: String,
}

const SELECT: &str = "SELECT name, display_name, db_name, db_driver, status, [created_at], [updated_at], jwt_secret FROM _apps";

fn decode(r: &mut Reader) -> AppRow {
    AppRow {
        name: r.text(),
        display_name: r.text(),
        db_name: r.text(),
        // Rows from before `db_driver` existed are Postgres apps (spec 01 §3).
        db_driver: r
            .opt_text()
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| "postgres".into()),
        status: r.text(),
        created_at: r.time(),
        updated_at: r.time(),
        jwt_secret: r.text(),
    }
}

pub async fn list(x: &mut Exec<'_>) -> Result<Vec<AppRow>, DbError> {
    fetch(x, &format!("{SELECT} ORDER BY name"), vec![], decode).await
}

pub async fn get(x: &mut Exec<'_>, name: &str) -> Result<Option<AppRow>, DbError> {
    let p = vec![Param::Text(name.into())];
    fetch_one(x, &format!("{SELECT} WHERE name = {{1}}"), p, decode).await
}

pub async fn insert(x: &mut Exec<'_>, a: &AppRow) -> Result<(), DbError> {
    run(
        x,
        "INSERT INTO _apps (name, display_name, db_name, db_driver, jwt_secret, status) VALUES ({1}, {2}, {3}, {4}, {5}, {6})",
        vec![
            Param::Text(a.name.clone()),
            Param::Text(a.display_name.clone()),
            Param::Text(a.db_name.clone()),
            Param::Text(a.db_driver.clone()),
            Param::Text(a.jwt_secret.clone()),
            Param::Text(a.status.clone()),
        ],
    )
    .await
    .map(|_| ())
}

pub async fn delete(x: &mut Exec<'_>, name: &str) -> Result<u64, DbError> {
    run(
        x,
        "DELETE FROM _apps WHERE name = {1}",
        vec![Param::Text(name.into())],
    )
    .await
}
