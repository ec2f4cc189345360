//! Dialect-aware SQL building. Every identifier comes from validated metadata and is
//! double-quoted; every value is a bound parameter. Pure: no I/O.
//!
//! On Postgres every scalar is bound as text and cast in SQL (`$1::text::int4`), so the
//! client never has to guess parameter types and a bad value surfaces as a typed cast
//! error rather than a protocol failure. Lists bind as one `text[]` parameter.

mod builder;
mod ddl;
mod query;
pub mod template;

pub use builder::{Builder, Dialect, Param, Sql};
pub use ddl::{
    add_column, add_deleted_at, column_type, create_indexes, create_join_table, create_table,
    fk_index,
};
pub use query::{CmpOp, Cond, Order, PerGroup, Select, Value as SqlValue, Write};
