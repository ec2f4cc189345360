//! Metadata model of a Rocket app: entities, fields, relations, and the immutable
//! [`Schema`] snapshot the request path reads without locks.
//!
//! Pure: no I/O. Definitions deserialize leniently (missing optional properties take
//! their defaults, unknown properties are ignored) and serialize in the canonical
//! form of spec 03 §3.7 / §4.

mod entity;
mod ident;
mod permission;
mod relation;
mod schema;

pub use entity::{Entity, Field, FieldType, Index, PrimaryKey, Slug};
pub use ident::{is_reserved_ident, is_safe_ident, is_user_ident, quote_ident};
pub use permission::{validate_permission, Action, CmpOp, Condition, FilterOp, Policy};
pub use relation::{OnDelete, Relation, RelationKind, WriteMode};
pub use schema::{looks_like_uuid, Resolved, Schema};
