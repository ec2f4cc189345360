//! The statements of one row (spec 04 §6.5–6.6): INSERT and UPDATE with `RETURNING`
//! the whole record, slugs (spec 03 §1.3), and soft or hard removal.

use std::borrow::Cow;

use rocket_meta::{Entity, FieldType};
use rocket_sql::{Cond, SqlValue, Write};
use rocket_store::{Dialect, Exec, Param, Row};
use serde_json::{Map, Value};

use super::files;
use super::plan::{FieldValue, RowPlan};
use crate::error::{EngineError, Result};
use crate::records::slug;
use crate::records::values::{text_form, to_param};
use crate::records::{live, pk_cond, record_columns};
use crate::repo::new_id;

fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        _ => false,
    }
}

/// Column values of an INSERT (spec 04 §6.5): generated uuid keys made here, auto
/// fields stamped, defaults for absent keys.
fn insert_values<'a>(
    e: &'a Entity,
    given: &[FieldValue],
    d: Dialect,
) -> Vec<(&'a str, FieldType, SqlValue)> {
    let mut cols = Vec::with_capacity(e.fields.len());
    for f in &e.fields {
        let is_pk = f.name == e.primary_key.field;
        if is_pk && e.primary_key.generated {
            if e.pk_app_generated() {
                cols.push((
                    f.name.as_str(),
                    f.kind,
                    SqlValue::Param(Param::Text(new_id())),
                ));
            }
            continue;
        }
        if f.is_auto() {
            cols.push((f.name.as_str(), f.kind, SqlValue::Now));
            continue;
        }
        if f.name == "deleted_at" {
            continue;
        }
        if let Some(v) = given.iter().find(|v| v.name == f.name) {
            cols.push((f.name.as_str(), f.kind, SqlValue::Param(v.param.clone())));
        } else if let Some(def) = &f.default {
            if let Ok(p) = to_param(def, f.kind, d) {
                cols.push((f.name.as_str(), f.kind, SqlValue::Param(p)));
            }
        }
    }
    cols
}

/// SET list of an UPDATE (spec 04 §6.6): given fields but the key, auto fields and
/// `deleted_at`; `auto: update` fields refreshed when anything changes.
fn update_values<'a>(e: &'a Entity, given: &[FieldValue]) -> Vec<(&'a str, FieldType, SqlValue)> {
    let mut sets: Vec<(&str, FieldType, SqlValue)> = Vec::new();
    for v in given {
        let Some(f) = e.field(&v.name) else { continue };
        if f.name == e.primary_key.field || f.is_auto() || f.name == "deleted_at" {
            continue;
        }
        sets.push((f.name.as_str(), v.kind, SqlValue::Param(v.param.clone())));
    }
    if !sets.is_empty() {
        for f in e.fields.iter().filter(|f| f.is_auto_update()) {
            sets.push((f.name.as_str(), f.kind, SqlValue::Now));
        }
    }
    sets
}

/// The slug source text of a new row, when the body gives no slug of its own.
pub(super) fn create_slug<'b>(e: &Entity, body: &'b Map<String, Value>) -> Option<&'b str> {
    let s = e.slug.as_ref()?;
    let src = s.source_field()?;
    if !is_blank(body.get(&s.field)) {
        return None;
    }
    body.get(src)
        .filter(|v| !is_blank(Some(v)))
        .and_then(Value::as_str)
}

/// The slug source text of an update, when configured and the source changed.
pub(super) fn update_slug<'b>(
    e: &Entity,
    old: &Map<String, Value>,
    body: &'b Map<String, Value>,
) -> Option<&'b str> {
    let s = e.slug.as_ref().filter(|s| s.regenerate_on_update)?;
    let src = s.source_field()?;
    if !is_blank(body.get(&s.field)) {
        return None;
    }
    let text = body
        .get(src)
        .filter(|v| !is_blank(Some(v)))
        .and_then(Value::as_str)?;
    (old.get(src).and_then(text_form).as_deref() != Some(text)).then_some(text)
}

/// The row's values with a generated slug (when `source` asks for one), the
/// parent's key (when `fk` is given) and file ids resolved (spec 13 §4.2) put in;
/// the plan's own values (not a copy) when none applies.
async fn completed<'p>(
    x: &mut Exec<'_>,
    plan: &'p RowPlan<'_>,
    slug_text: Option<&str>,
    except: Option<&str>,
    fk: Option<FieldValue>,
) -> Result<Cow<'p, [FieldValue]>> {
    let e = &plan.entity;
    let slug = match (&e.slug, slug_text) {
        (Some(s), Some(text)) => Some(FieldValue {
            name: s.field.clone(),
            kind: FieldType::Text,
            param: Param::Text(slug::unique(x, e, &slug::slugify(text), except).await?),
        }),
        _ => None,
    };
    if slug.is_none() && fk.is_none() {
        return files::resolve(x, Cow::Borrowed(&plan.values)).await;
    }
    let mut values = plan.values.clone();
    for extra in slug.into_iter().chain(fk) {
        values.retain(|v| v.name != extra.name);
        values.push(extra);
    }
    files::resolve(x, Cow::Owned(values)).await
}

fn first(rows: Vec<Row>) -> Result<Row> {
    rows.into_iter()
        .next()
        .ok_or_else(|| EngineError::internal("write returned no row"))
}

/// INSERT … RETURNING the record; `fk` carries the parent's key for a child row.
pub(super) async fn insert(
    x: &mut Exec<'_>,
    plan: &RowPlan<'_>,
    fk: Option<FieldValue>,
) -> Result<Row> {
    let e = &plan.entity;
    let d = x.dialect();
    let values = completed(x, plan, create_slug(e, plan.body), None, fk).await?;
    let cols = insert_values(e, &values, d);
    let q = Write::insert(d, &e.table, &cols, &record_columns(e, true));
    first(x.query_write(&q).await?)
}

/// UPDATE … RETURNING the record, for the row with `key`; `None` when the body sets
/// nothing (the record is then unchanged).
pub(super) async fn update(
    x: &mut Exec<'_>,
    plan: &RowPlan<'_>,
    key: &str,
    old: &Map<String, Value>,
) -> Result<Option<Row>> {
    let e = &plan.entity;
    let d = x.dialect();
    let values = completed(x, plan, update_slug(e, old, plan.body), Some(key), None).await?;
    let sets = update_values(e, &values);
    if sets.is_empty() {
        return Ok(None);
    }
    let q = Write::update_returning(
        d,
        &e.table,
        &sets,
        &live(e, vec![pk_cond(e, key)?]),
        &record_columns(e, true),
    );
    Ok(x.query_write(&q).await?.into_iter().next())
}

/// What a direct update found.
pub(super) enum Updated {
    Row(Row),
    /// No live row has the key.
    Missing,
    /// The body sets no column of the row itself.
    NothingToSet,
    /// A file id names no upload: the full path reports it after the record's own
    /// 404 (spec 06 §5).
    UnknownFile,
}

/// UPDATE … RETURNING of the row with `key`, for an entity without slug: nothing
/// read first, or (`version`) only if the row still has the version read before
/// (else `Missing`).
pub(super) async fn update_set(
    x: &mut Exec<'_>,
    plan: &RowPlan<'_>,
    key: &str,
    version: Option<Param>,
) -> Result<Updated> {
    let e = &plan.entity;
    let values = match files::resolve(x, Cow::Borrowed(&plan.values)).await {
        Ok(v) => v,
        Err(EngineError::NotFound(_)) => return Ok(Updated::UnknownFile),
        Err(e) => return Err(e),
    };
    let sets = update_values(e, &values);
    if sets.is_empty() {
        return Ok(Updated::NothingToSet);
    }
    let mut conds = live(e, vec![pk_cond(e, key)?]);
    conds.extend(version.map(Cond::RowVersion));
    let q = Write::update_returning(
        x.dialect(),
        &e.table,
        &sets,
        &conds,
        &record_columns(e, true),
    );
    Ok(match x.query_write(&q).await?.into_iter().next() {
        Some(row) => Updated::Row(row),
        None => Updated::Missing,
    })
}

/// True when a new row is one statement: no relations and no slug to look up.
pub(super) fn insert_alone(plan: &RowPlan<'_>) -> bool {
    plan.is_flat() && create_slug(&plan.entity, plan.body).is_none()
}

/// Removes a row: soft delete when the entity has it, else a hard delete. Returns
/// the number of rows affected.
pub(super) async fn remove(x: &mut Exec<'_>, e: &Entity, key: &str) -> Result<u64> {
    let d = x.dialect();
    let c = pk_cond(e, key)?;
    let q = if e.soft_delete {
        Write::update(
            d,
            &e.table,
            &[("deleted_at", FieldType::Timestamp, SqlValue::Now)],
            &live(e, vec![c]),
        )
    } else {
        Write::delete(d, &e.table, &[c])
    };
    Ok(x.execute(&q).await?)
}
