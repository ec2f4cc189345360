//! `_apps` (spec 02 §3.1): the apps of the platform.

use rocket_store::{DbError, Exec, Param};
use serde::{Deserialize, Serialize};

use super::run;
use super::table::{Stamps, Stored, Table};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct AppRow {
    pub name: String,
    pub display_name: String,
    pub db_name: String,
    pub db_driver: String,
    pub status: String,
    #[serde(flatten)]
    pub stamps: Stamps,
    /// Never shown (spec 11 §11); read from the row.
    #[serde(skip_serializing)]
    pub jwt_secret: String,
}

impl Stored for AppRow {
    const TABLE: Table = Table::new(
        "_apps",
        "name display_name db_name db_driver status created_at:time updated_at:time jwt_secret",
    )
    .key("name")
    .order("name");

    /// Rows from before `db_driver` existed are Postgres apps (spec 01 §3).
    fn loaded(mut self) -> Self {
        if self.db_driver.is_empty() {
            self.db_driver = "postgres".into();
        }
        self
    }
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
