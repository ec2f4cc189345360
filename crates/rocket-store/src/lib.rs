//! Database execution for both dialects behind one [`Store`] type.
//!
//! Postgres runs through tokio-postgres + deadpool with a statement cache per pooled
//! connection. SQLite runs through rusqlite with one writer connection (a tokio mutex,
//! so waiting writers do not block threads) and a few reader connections in WAL mode.
//! SQLite statements execute inline on the async worker: they take microseconds, and
//! hopping to a blocking thread would cost more than the query.

mod bootstrap;
mod error;
mod lite;
mod notify;
mod pg;
mod row;
mod store;

pub use bootstrap::{app_bootstrap_sql, platform_bootstrap_sql};
pub use error::DbError;
pub use lite::LiteStore;
pub use notify::listen;
pub use pg::{PgConnect, PgStore};
pub use rocket_sql::{Dialect, Param, Sql};
pub use row::{Cell, Row};
pub use store::{Store, Tx};
