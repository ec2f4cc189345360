//! The five entity operations (spec 04): list, get, create, update, delete, with
//! includes (§5), nested writes (spec 05) and cascades (§8).

mod cascade;
mod nested;
mod read;
mod write;

pub use read::{get, list};
pub use write::{create, current, delete, update};

use cascade::*;
use nested::*;
use write::*;

use std::collections::{HashMap, HashSet};

use rocket_meta::{Entity, Field, FieldType, OnDelete, RelationKind, Resolved, Schema, WriteMode};
use rocket_sql::{Cond, PerGroup, Select, SqlValue, Write};
use rocket_store::{Cell, DbError, Dialect, Exec, Param, Row, Sql, Store, Tx};
use serde_json::{json, Map, Value};

use crate::error::{ApiError, ApiResult, Detail};
use crate::listquery::ListQuery;
use crate::permissions::Access;
use crate::slug;
use crate::values::{key_param, render, text_form, to_param, Mismatch};

/// Columns read for a record: declared fields, then `deleted_at` when it is extra.
fn record_columns(e: &Entity, with_deleted: bool) -> Vec<String> {
    let mut cols: Vec<String> = e.fields.iter().map(|f| f.name.clone()).collect();
    if with_deleted && e.extra_deleted_at() {
        cols.push("deleted_at".into());
    }
    cols
}

fn render_row(e: &Entity, row: Row, d: Dialect) -> Map<String, Value> {
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

fn pk_cell<'r>(e: &Entity, row: &'r Row) -> &'r Cell {
    let i = e
        .fields
        .iter()
        .position(|f| f.name == e.primary_key.field)
        .unwrap_or(0);
    &row[i]
}

fn live(e: &Entity, mut conds: Vec<Cond>) -> Vec<Cond> {
    if e.soft_delete {
        conds.insert(0, Cond::IsNull("deleted_at".into()));
    }
    conds
}

fn not_found(e: &Entity, id: &str) -> ApiError {
    ApiError::NotFound(format!("{} with id {} not found", e.name, id))
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

/// Fetches one live record by id or slug (spec 04 §4.2). `extra` are row-level
/// conditions (permission filters) the record must also satisfy.
pub async fn find(
    exec: &mut Exec<'_>,
    d: Dialect,
    e: &Entity,
    id: &str,
    extra: &[Cond],
) -> ApiResult<Option<Row>> {
    let select = |cond: Cond| {
        let mut conds = live(e, vec![cond]);
        conds.extend_from_slice(extra);
        Select {
            table: e.table.clone(),
            columns: record_columns(e, true),
            conds,
            limit: Some(1),
            ..Default::default()
        }
        .to_sql(d)
    };
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
            if let Some(r) = exec.query(&q).await?.into_iter().next() {
                return Ok(Some(r));
            }
        }
    }
    let Some(pk) = pk.or_else(|| key_param(id, e.pk().kind)) else {
        return Ok(None);
    };
    let q = select(Cond::eq(e.pk_name(), e.pk().kind, pk));
    Ok(exec.query(&q).await?.into_iter().next())
}
