//! The five entity operations (spec 04): list and get ([`read`], with [`includes`]),
//! create and update with nested writes (spec 05) and delete with cascades (§8),
//! all through the write pipeline of [`write`]. Every operation starts from a
//! [`Caller`]: one user in one app, on one metadata snapshot.

mod etag;
mod includes;
pub mod query;
mod read;
pub mod slug;
pub mod timestamp;
pub mod values;
mod write;

pub use etag::etag;
pub use includes::Truncated;
pub use read::{get, list, Listed, Record};
pub use write::{create, delete, update, JsonBody, Written};

use std::sync::Arc;

use rocket_meta::{Entity, FieldType, Schema};
use rocket_sql::{Cond, Select};
use rocket_store::{Cell, Dialect, Exec, Param, Row};
use serde_json::{Map, Value};

use crate::access::Access;
use crate::app::App;
use crate::auth::User;
use crate::error::{EngineError, Result};
use values::{key_param, render};

/// One user in one app, on the metadata snapshot taken when the request began.
pub struct Caller<'a> {
    pub app: &'a App,
    pub user: &'a User,
    pub schema: Arc<Schema>,
    /// Rules, machines and workflows of the same snapshot.
    pub logic: Arc<crate::logic::Logic>,
}

impl<'a> Caller<'a> {
    pub fn new(app: &'a App, user: &'a User) -> Caller<'a> {
        Caller {
            app,
            user,
            schema: app.schema(),
            logic: app.logic(),
        }
    }

    pub fn access(&self) -> Access<'_> {
        Access {
            user: self.user,
            schema: &self.schema,
            dialect: self.dialect(),
        }
    }

    pub fn dialect(&self) -> Dialect {
        self.app.store.dialect()
    }

    /// The entity of the path (spec 04 §1 step 4).
    pub fn entity(&self, name: &str) -> Result<Arc<Entity>> {
        self.schema
            .entity(name)
            .cloned()
            .ok_or_else(|| EngineError::UnknownEntity(format!("Unknown entity: {name}")))
    }
}

/// Columns read for a record: declared fields, then `deleted_at` when it is extra.
pub(crate) fn record_columns(e: &Entity, with_deleted: bool) -> Vec<String> {
    let mut cols: Vec<String> = e.fields.iter().map(|f| f.name.clone()).collect();
    if with_deleted && e.extra_deleted_at() {
        cols.push("deleted_at".into());
    }
    cols
}

/// A row read with [`record_columns`] as a record (spec 04 §2.3–2.4).
pub(crate) fn render_row(e: &Entity, row: Row, d: Dialect) -> Map<String, Value> {
    let mut m = Map::with_capacity(row.len() + 1);
    let mut cells = row.into_iter();
    for f in &e.fields {
        let c = cells.next().unwrap_or(Cell::Null);
        m.insert(f.name.clone(), render(c, f.kind, d));
    }
    if let Some(c) = cells.next() {
        // Soft-deleted rows are never returned, so this is always null; render anyway.
        m.insert("deleted_at".into(), render(c, FieldType::Timestamp, d));
    }
    m
}

/// The primary key of a row read with [`record_columns`], as text.
pub(crate) fn pk_text(e: &Entity, row: &Row) -> Option<String> {
    let i = e
        .fields
        .iter()
        .position(|f| f.name == e.primary_key.field)
        .unwrap_or(0);
    row.get(i).and_then(Cell::key_string)
}

/// `deleted_at IS NULL` first for soft-deleting entities.
pub(crate) fn live(e: &Entity, mut conds: Vec<Cond>) -> Vec<Cond> {
    if e.soft_delete {
        conds.insert(0, Cond::IsNull("deleted_at".into()));
    }
    conds
}

pub(crate) fn not_found(e: &Entity, id: &str) -> EngineError {
    EngineError::NotFound(format!("{} with id {} not found", e.name, id))
}

/// "Looks like a PK" (spec 04 §4.2) and, if so, the key as a parameter.
fn pk_param(e: &Entity, id: &str) -> Option<Param> {
    let kind = e.pk().kind;
    let looks = match kind {
        FieldType::Uuid => rocket_meta::looks_like_uuid(id),
        FieldType::Int | FieldType::Bigint => {
            !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit())
        }
        _ => false,
    };
    if looks || e.slug.is_none() {
        key_param(id, kind)
    } else {
        None
    }
}

/// Fetches one live record by id or slug (spec 04 §4.2) that also satisfies `extra`
/// (the caller's read filters); `lock` holds it until the transaction ends.
pub(crate) async fn find(
    x: &mut Exec<'_>,
    e: &Entity,
    id: &str,
    extra: &[Cond],
    lock: bool,
) -> Result<Option<Row>> {
    let d = x.dialect();
    let select = |cond: Cond| one_record(e, cond, extra, lock).to_sql(d);
    let pk = pk_param(e, id);
    if let Some(slug) = &e.slug {
        let looks_like_pk =
            pk.is_some() && !matches!(e.pk().kind, FieldType::String | FieldType::Text);
        if !looks_like_pk {
            let q = select(Cond::eq(
                &slug.field,
                FieldType::Text,
                Param::Text(id.to_string()),
            ));
            if let Some(r) = x.query_keyed(&q).await?.into_iter().next() {
                return Ok(Some(r));
            }
        }
    }
    let Some(pk) = pk.or_else(|| key_param(id, e.pk().kind)) else {
        return Ok(None);
    };
    let q = select(Cond::eq(e.pk_name(), e.pk().kind, pk));
    Ok(x.query_keyed(&q).await?.into_iter().next())
}

/// Fetches one live record by its canonical primary key (no slug lookup, no
/// filters, no lock).
pub(crate) async fn find_key(x: &mut Exec<'_>, e: &Entity, key: &str) -> Result<Option<Row>> {
    let q = one_record(e, pk_cond(e, key)?, &[], false).to_sql(x.dialect());
    Ok(x.query_keyed(&q).await?.into_iter().next())
}

/// The SELECT of one live record matching `cond` and `extra`.
fn one_record(e: &Entity, cond: Cond, extra: &[Cond], lock: bool) -> Select {
    let mut conds = live(e, vec![cond]);
    conds.extend_from_slice(extra);
    Select {
        table: e.table.clone(),
        columns: record_columns(e, true),
        conds,
        limit: Some(1),
        for_update: lock,
        ..Default::default()
    }
}

/// The condition selecting one row by its (canonical) key.
pub(crate) fn pk_cond(e: &Entity, key: &str) -> Result<Cond> {
    let p =
        key_param(key, e.pk().kind).ok_or_else(|| EngineError::internal("unusable primary key"))?;
    Ok(Cond::eq(e.pk_name(), e.pk().kind, p))
}
