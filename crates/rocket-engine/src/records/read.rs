//! Reads (spec 04 §3–§4): list with filters, sort, pages and includes; get one by
//! id or slug. The caller's row-level read filters apply to both (a hidden row is a
//! 404, as if absent) and to every include.

use rocket_sql::Select;
use rocket_store::{Cell, DbError, Exec};
use serde_json::{json, Map, Value};

use super::includes::{self, KeyCols, Truncated};
use super::{find, not_found, query, record_columns, render_row, Caller};
use crate::error::{EngineError, Result};

/// A page of a list.
pub struct Listed {
    pub data: Vec<Map<String, Value>>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub truncated: Truncated,
}

impl Listed {
    /// `{"data": […], "meta": {page, per_page, total[, truncated_includes]}}`.
    pub fn into_json(self) -> Value {
        let mut meta = json!({"page": self.page, "per_page": self.per_page, "total": self.total});
        if let Some(t) = self.truncated.to_json() {
            meta["truncated_includes"] = t;
        }
        json!({"data": self.data, "meta": meta})
    }
}

/// One record with its entity tag (of the record's own fields, before includes).
pub struct Record {
    pub data: Map<String, Value>,
    pub etag: String,
    /// Whether related records were included: the tag then does not describe the
    /// whole answer, so it cannot answer `If-None-Match` (a child may have changed).
    pub included: bool,
    pub truncated: Truncated,
}

/// A value the database refused while filtering was a bad filter value.
fn filter_error(e: DbError) -> EngineError {
    match e {
        DbError::InvalidValue(_) => EngineError::BadInput("Invalid filter value".into()),
        other => other.into(),
    }
}

/// `GET /api/{app}/{entity}`: read check, query string, filters, data and count on
/// one connection, includes.
pub async fn list(c: &Caller<'_>, entity: &str, raw: Option<&str>) -> Result<Listed> {
    let mut span = crate::events::span("engine", "handler", "record.list").on(entity, None);
    let r = span.result(list_records(c, entity, raw).await);
    if let Ok(l) = &r {
        span.meta("count", l.data.len());
    }
    r
}

async fn list_records(c: &Caller<'_>, entity: &str, raw: Option<&str>) -> Result<Listed> {
    let e = c.entity(entity)?;
    let filters = c.access().read_filters(&e)?;
    let limits = &c.app.limits;
    let mut q = query::parse(&e, &c.schema, raw, limits)?;
    q.conds.extend(filters);
    let d = c.dialect();
    let select = Select {
        table: e.table.clone(),
        columns: record_columns(&e, true),
        conds: q.conds,
        order: q.order,
        limit: Some(q.per_page),
        offset: Some((q.page - 1).saturating_mul(q.per_page)),
        ..Default::default()
    };
    let store = &c.app.store;
    let (rows, count) = store
        .query_pair(&select.to_sql(d), &select.count_sql(d))
        .await
        .map_err(filter_error)?;
    let total = count
        .first()
        .and_then(|r| r.first())
        .and_then(Cell::as_i64)
        .unwrap_or(0);
    // Key strings are only needed to attach includes; skip them on the plain path.
    let keys = KeyCols::of(&e, if q.include.is_empty() { &[] } else { &rows });
    let mut data: Vec<Map<String, Value>> =
        rows.into_iter().map(|r| render_row(&e, r, d)).collect();
    let mut truncated = Truncated::new(limits.include_rows);
    let x = &mut Exec::Store(store);
    includes::load(c, x, &e, &keys, &mut data, &q.include, &mut truncated).await?;
    Ok(Listed {
        data,
        total,
        page: q.page,
        per_page: q.per_page,
        truncated,
    })
}

/// `GET /api/{app}/{entity}/{id}`: by id or slug, hidden rows are 404; unknown
/// include tokens are ignored (spec 04 §4.3).
pub async fn get(c: &Caller<'_>, entity: &str, id: &str, raw: Option<&str>) -> Result<Record> {
    let mut span = crate::events::span("engine", "handler", "record.get").on(entity, Some(id));
    span.result(get_record(c, entity, id, raw).await)
}

async fn get_record(c: &Caller<'_>, entity: &str, id: &str, raw: Option<&str>) -> Result<Record> {
    let e = c.entity(entity)?;
    let filters = c.access().read_filters(&e)?;
    let include = query::get_includes(raw, &c.app.limits)?;
    let x = &mut Exec::Store(&c.app.store);
    let Some(row) = find(x, &e, id, &filters, false).await? else {
        return Err(not_found(&e, id));
    };
    let known: Vec<String> = include
        .into_iter()
        .filter(|t| c.schema.resolve(t, &e.name).is_some())
        .collect();
    let etag = super::etag(&row);
    let included = !known.is_empty();
    let rows = vec![row];
    let keys = KeyCols::of(&e, if known.is_empty() { &[] } else { &rows });
    let mut data: Vec<Map<String, Value>> = rows
        .into_iter()
        .map(|r| render_row(&e, r, c.dialect()))
        .collect();
    let mut truncated = Truncated::new(c.app.limits.include_rows);
    includes::load(c, x, &e, &keys, &mut data, &known, &mut truncated).await?;
    let data = data.pop().ok_or_else(|| not_found(&e, id))?;
    Ok(Record {
        data,
        etag,
        included,
        truncated,
    })
}
