//! Database execution for both dialects behind one [`Store`] type.
//!
//! Postgres runs through tokio-postgres + deadpool with a statement cache per pooled
//! connection. SQLite runs through rusqlite with one writer connection (a tokio mutex,
//! so waiting writers do not block threads) and a few reader connections in WAL mode;
//! its statements run on the blocking pool, never on the async workers. Both dialects
//! cancel statements that outlive the statement timeout ([`StoreOptions`]).

mod bootstrap;
mod checkpoint;
mod error;
mod lite;
pub mod migrate;
mod notify;
mod options;
mod pg;
mod row;
mod store;

pub use bootstrap::{app_bootstrap_sql, platform_bootstrap_sql};
pub use error::DbError;
pub use lite::LiteStore;
pub use notify::listen;
pub use options::StoreOptions;
pub use pg::{PgConnect, PgStore};
pub use rocket_sql::{Dialect, Param, Sql};
pub use row::{Cell, Row};
pub use store::{Exec, Store, Tx};
