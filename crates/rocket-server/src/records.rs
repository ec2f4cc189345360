//! The five entity operations (spec 04): list, get, create, update, delete, with
//! includes (§5), nested writes (spec 05) and cascades (§8).

use std::collections::{HashMap, HashSet};

use rocket_meta::{Entity, Field, FieldType, OnDelete, RelationKind, Resolved, Schema, WriteMode};
use rocket_sql::{Cond, Select, SqlValue, Write};
use rocket_store::{Cell, DbError, Dialect, Param, Row, Sql, Store, Tx};
use serde_json::{json, Map, Value};

use crate::error::{ApiError, ApiResult, Detail};
use crate::listquery::ListQuery;
use crate::permissions::Access;
use crate::slug;
use crate::values::{key_param, render, text_form, to_param};

/// Where statements run: directly on the store, or inside a request transaction.
pub enum Exec<'a> {
    Store(&'a Store),
    Tx(&'a mut Tx),
}

impl Exec<'_> {
    async fn query(&mut self, sql: &Sql) -> Result<Vec<Row>, DbError> {
        match self {
            Exec::Store(s) => s.query(sql).await,
            Exec::Tx(t) => t.query(sql).await,
        }
    }
}

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

pub struct Listed {
    pub data: Vec<Map<String, Value>>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl Listed {
    pub fn into_json(self) -> Value {
        json!({
            "data": self.data,
            "meta": {"page": self.page, "per_page": self.per_page, "total": self.total},
        })
    }
}

pub async fn list(
    store: &Store,
    access: &Access<'_>,
    e: &Entity,
    mut q: ListQuery,
    extra: Vec<Cond>,
) -> ApiResult<Listed> {
    let d = store.dialect();
    q.conds.extend(extra);
    let select = Select {
        table: e.table.clone(),
        columns: record_columns(e, true),
        conds: q.conds,
        order: q.order,
        limit: Some(q.per_page),
        offset: Some((q.page - 1).saturating_mul(q.per_page)),
    };
    let (rows, count) = store
        .query_pair(&select.to_sql(d), &select.count_sql(d))
        .await
        .map_err(filter_error)?;
    let total = count
        .first()
        .and_then(|r| r.first())
        .and_then(Cell::as_i64)
        .unwrap_or(0);
    let keys = KeyCols::of(e, &rows);
    let mut data: Vec<Map<String, Value>> = rows.into_iter().map(|r| render_row(e, r, d)).collect();
    load_includes(
        &mut Exec::Store(store),
        d,
        access,
        e,
        &keys,
        &mut data,
        &q.include,
    )
    .await?;
    Ok(Listed {
        data,
        total,
        page: q.page,
        per_page: q.per_page,
    })
}

/// A value the database refused while filtering was a bad filter value.
fn filter_error(e: DbError) -> ApiError {
    match e {
        DbError::InvalidValue(_) => ApiError::InvalidPayload("Invalid filter value".into()),
        other => other.into(),
    }
}

pub async fn get(
    store: &Store,
    access: &Access<'_>,
    e: &Entity,
    id: &str,
    include: &[String],
    extra: &[Cond],
) -> ApiResult<Map<String, Value>> {
    let d = store.dialect();
    let schema = access.schema;
    let mut exec = Exec::Store(store);
    let Some(row) = find(&mut exec, d, e, id, extra).await? else {
        return Err(not_found(e, id));
    };
    let rows = vec![row];
    let keys = KeyCols::of(e, &rows);
    let mut data: Vec<Map<String, Value>> = rows.into_iter().map(|r| render_row(e, r, d)).collect();
    let known: Vec<String> = include
        .iter()
        .filter(|t| schema.resolve(t, &e.name).is_some())
        .cloned()
        .collect();
    load_includes(&mut exec, d, access, e, &keys, &mut data, &known).await?;
    data.pop().ok_or_else(|| not_found(e, id))
}

/// String forms of every column of the parent rows, for include key matching.
struct KeyCols {
    cols: HashMap<String, Vec<Option<String>>>,
}

impl KeyCols {
    fn of(e: &Entity, rows: &[Row]) -> KeyCols {
        let mut cols = HashMap::new();
        for (i, f) in e.fields.iter().enumerate() {
            cols.insert(
                f.name.clone(),
                rows.iter()
                    .map(|r| r.get(i).and_then(Cell::key_string))
                    .collect(),
            );
        }
        KeyCols { cols }
    }

    fn get(&self, name: &str) -> Option<&Vec<Option<String>>> {
        self.cols.get(name)
    }
}

fn distinct(values: &[Option<String>]) -> Vec<String> {
    let mut seen = HashSet::new();
    values
        .iter()
        .flatten()
        .filter(|v| seen.insert(v.as_str()))
        .cloned()
        .collect()
}

fn in_cond(col: &str, kind: FieldType, keys: &[String]) -> Cond {
    Cond::In {
        col: col.to_string(),
        ty: kind,
        values: keys.iter().filter_map(|k| key_param(k, kind)).collect(),
        negate: false,
    }
}

/// Reads related rows of `target` whose `col` is among `keys`, keyed by that column.
async fn related(
    exec: &mut Exec<'_>,
    d: Dialect,
    target: &Entity,
    col: &str,
    keys: &[String],
    filters: &[Cond],
) -> ApiResult<Vec<(Option<String>, Map<String, Value>)>> {
    let Some(f) = target.field(col) else {
        return Ok(Vec::new());
    };
    let q = Select {
        table: target.table.clone(),
        columns: record_columns(target, false),
        conds: live(
            target,
            std::iter::once(in_cond(col, f.kind, keys))
                .chain(filters.iter().cloned())
                .collect(),
        ),
        ..Default::default()
    }
    .to_sql(d);
    let idx = target
        .fields
        .iter()
        .position(|x| x.name == col)
        .unwrap_or(0);
    let rows = exec.query(&q).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let k = r.get(idx).and_then(Cell::key_string);
            (k, render_row(target, r, d))
        })
        .collect())
}

/// Loads every include token for a page of rows with one query per token (two for
/// many-to-many), never a query per row (spec 04 §5).
async fn load_includes(
    exec: &mut Exec<'_>,
    d: Dialect,
    access: &Access<'_>,
    e: &Entity,
    keys: &KeyCols,
    data: &mut [Map<String, Value>],
    tokens: &[String],
) -> ApiResult<()> {
    if data.is_empty() {
        return Ok(());
    }
    let schema = access.schema;
    for token in tokens {
        let Some(Resolved {
            relation: r,
            forward,
        }) = schema.resolve(token, &e.name)
        else {
            continue;
        };
        let (Some(src), Some(tgt)) = (schema.entity(&r.source), schema.entity(&r.target)) else {
            continue;
        };
        // The included entity needs `read` too, and its rows obey the same filters.
        let filters = access.read_filters(if forward { tgt } else { src })?;
        if forward {
            let Some(parent_keys) = keys.get(e.pk_name()) else {
                continue;
            };
            let ids = distinct(parent_keys);
            if ids.is_empty() {
                continue;
            }
            match r.kind() {
                RelationKind::ManyToMany => {
                    let sk_kind = e
                        .field(&r.source_key)
                        .map(|f| f.kind)
                        .unwrap_or(e.pk().kind);
                    let q = Select {
                        table: r.join_table.clone(),
                        columns: vec![r.source_join_key.clone(), r.target_join_key.clone()],
                        conds: vec![in_cond(&r.source_join_key, sk_kind, &ids)],
                        ..Default::default()
                    }
                    .to_sql(d);
                    let links = exec.query(&q).await?;
                    let pairs: Vec<(String, String)> = links
                        .into_iter()
                        .filter_map(|l| {
                            let mut it = l.into_iter();
                            Some((it.next()?.key_string()?, it.next()?.key_string()?))
                        })
                        .collect();
                    let mut by_id = HashMap::new();
                    if !pairs.is_empty() {
                        let tids: Vec<Option<String>> =
                            pairs.iter().map(|p| Some(p.1.clone())).collect();
                        for (k, rec) in
                            related(exec, d, tgt, tgt.pk_name(), &distinct(&tids), &filters).await?
                        {
                            if let Some(k) = k {
                                by_id.insert(k, rec);
                            }
                        }
                    }
                    for (row, pk) in data.iter_mut().zip(parent_keys) {
                        let items: Vec<Value> = match pk {
                            Some(pk) => pairs
                                .iter()
                                .filter(|(s, _)| s == pk)
                                .filter_map(|(_, t)| by_id.get(t).cloned().map(Value::Object))
                                .collect(),
                            None => Vec::new(),
                        };
                        row.insert(token.clone(), Value::Array(items));
                    }
                }
                kind => {
                    let children = related(exec, d, tgt, &r.target_key, &ids, &filters).await?;
                    let mut groups: HashMap<&str, Vec<&Map<String, Value>>> = HashMap::new();
                    for (k, rec) in &children {
                        if let Some(k) = k {
                            groups.entry(k.as_str()).or_default().push(rec);
                        }
                    }
                    for (row, pk) in data.iter_mut().zip(parent_keys) {
                        let found = pk.as_deref().and_then(|k| groups.get(k));
                        let v = if kind == RelationKind::OneToOne {
                            found
                                .and_then(|g| g.first())
                                .map(|m| Value::Object((*m).clone()))
                                .unwrap_or(Value::Null)
                        } else {
                            Value::Array(
                                found
                                    .map(|g| {
                                        g.iter().map(|m| Value::Object((*m).clone())).collect()
                                    })
                                    .unwrap_or_default(),
                            )
                        };
                        row.insert(token.clone(), v);
                    }
                }
            }
        } else {
            // Belongs-to: this entity holds the key (`target_key`) of the source.
            let Some(fks) = keys.get(&r.target_key) else {
                continue;
            };
            let vals = distinct(fks);
            if vals.is_empty() {
                continue;
            }
            let parents = related(exec, d, src, &r.source_key, &vals, &filters).await?;
            let by_key: HashMap<&str, &Map<String, Value>> = parents
                .iter()
                .filter_map(|(k, m)| k.as_deref().map(|k| (k, m)))
                .collect();
            for (row, fk) in data.iter_mut().zip(fks) {
                let v = fk
                    .as_deref()
                    .and_then(|k| by_key.get(k))
                    .map(|m| Value::Object((*m).clone()))
                    .unwrap_or(Value::Null);
                row.insert(token.clone(), v);
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- writes

/// A nested relation write found in a body (spec 05 §1).
struct NestedWrite<'b> {
    key: String,
    resolved: Resolved,
    mode: Option<WriteMode>,
    rows: Vec<&'b Map<String, Value>>,
}

struct Split<'b> {
    fields: Vec<(&'b str, &'b Value)>,
    nested: Vec<NestedWrite<'b>>,
}

fn unknown(key: &str) -> Detail {
    Detail::new(key, "unknown", format!("Unknown field or relation: {key}"))
}

/// Splits a body into field values and relation writes; unknown keys fail first.
fn split<'b>(schema: &Schema, e: &Entity, body: &'b Map<String, Value>) -> ApiResult<Split<'b>> {
    let mut out = Split {
        fields: Vec::new(),
        nested: Vec::new(),
    };
    let mut unknowns = Vec::new();
    for (k, v) in body {
        if e.has_field(k) {
            out.fields.push((k.as_str(), v));
            continue;
        }
        let nested = schema
            .resolve(k, &e.name)
            .filter(|r| r.forward)
            .and_then(|resolved| {
                let obj = v.as_object()?;
                let data = obj.get("data")?.as_array()?;
                let rows: Option<Vec<&Map<String, Value>>> =
                    data.iter().map(Value::as_object).collect();
                let mode = obj
                    .get("_write_mode")
                    .and_then(Value::as_str)
                    .map(WriteMode::parse);
                Some(NestedWrite {
                    key: k.clone(),
                    resolved,
                    mode,
                    rows: rows?,
                })
            });
        match nested {
            Some(n) => out.nested.push(n),
            None => unknowns.push(unknown(k)),
        }
    }
    if !unknowns.is_empty() {
        return Err(ApiError::Validation(unknowns));
    }
    Ok(out)
}

fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        _ => false,
    }
}

/// Field validation (spec 04 §6.3): required (create only), enum, then the type of
/// every value, converted once into parameters.
fn validate<'b>(
    e: &'b Entity,
    fields: &[(&'b str, &'b Value)],
    create: bool,
    d: Dialect,
) -> ApiResult<Vec<(&'b str, FieldType, Param)>> {
    let mut details = Vec::new();
    let get = |name: &str| fields.iter().find(|(k, _)| *k == name).map(|(_, v)| *v);
    let slug_exempt = e
        .slug
        .as_ref()
        .filter(|s| s.source_field().is_some())
        .map(|s| s.field.as_str());
    for f in &e.fields {
        let is_pk = f.name == e.primary_key.field;
        let exempt = (is_pk && e.primary_key.generated)
            || f.is_auto()
            || slug_exempt == Some(f.name.as_str());
        if exempt {
            continue;
        }
        let must = if create {
            f.is_required() || is_pk
        } else {
            // A required column cannot become NULL; "" stays allowed as on create.
            f.is_required() && matches!(get(&f.name), Some(Value::Null))
        };
        if must && (if create { is_blank(get(&f.name)) } else { true }) {
            details.push(Detail::new(
                &f.name,
                "required",
                format!("{} is required", f.name),
            ));
        }
    }
    for f in &e.fields {
        if f.enum_values.is_empty() {
            continue;
        }
        if let Some(v) = get(&f.name).filter(|v| !v.is_null()) {
            let s = text_form(v).unwrap_or_default();
            if !f.enum_values.contains(&s) {
                details.push(Detail::new(
                    &f.name,
                    "enum",
                    format!("{} must be one of: {}", f.name, f.enum_values.join(", ")),
                ));
            }
        }
    }
    let mut params = Vec::with_capacity(fields.len());
    for (k, v) in fields {
        let Some(f) = e.field(k) else { continue };
        match to_param(v, f.kind, d) {
            Ok(p) => params.push((f.name.as_str(), f.kind, p)),
            Err(_) => {
                if !details.iter().any(|x| x.field == f.name) {
                    details.push(type_detail(&f.name, f));
                }
            }
        }
    }
    if details.is_empty() {
        Ok(params)
    } else {
        Err(ApiError::Validation(details))
    }
}

fn type_detail(path: &str, f: &Field) -> Detail {
    Detail::new(
        path,
        "type",
        format!("{} must be {}", f.name, f.kind.describe()),
    )
}

/// Column values of an INSERT for `e` (spec 04 §6.5). Returns them and the
/// application-generated key, if any.
fn insert_values<'a>(
    e: &'a Entity,
    given: &[(&'a str, FieldType, Param)],
    d: Dialect,
) -> (Vec<(&'a str, FieldType, SqlValue)>, Option<String>) {
    let mut cols = Vec::with_capacity(e.fields.len());
    let mut generated = None;
    for f in &e.fields {
        let is_pk = f.name == e.primary_key.field;
        if is_pk && e.primary_key.generated {
            if e.pk_app_generated() {
                let id = crate::sys::new_id();
                cols.push((
                    f.name.as_str(),
                    f.kind,
                    SqlValue::Param(Param::Text(id.clone())),
                ));
                generated = Some(id);
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
        if let Some((_, _, p)) = given.iter().find(|(k, _, _)| *k == f.name) {
            cols.push((f.name.as_str(), f.kind, SqlValue::Param(p.clone())));
        } else if let Some(def) = &f.default {
            if let Ok(p) = to_param(def, f.kind, d) {
                cols.push((f.name.as_str(), f.kind, SqlValue::Param(p)));
            }
        }
    }
    (cols, generated)
}

fn update_values<'a>(
    e: &'a Entity,
    given: &[(&'a str, FieldType, Param)],
) -> Vec<(&'a str, FieldType, SqlValue)> {
    let mut sets: Vec<(&str, FieldType, SqlValue)> = Vec::new();
    for (k, kind, p) in given {
        let Some(f) = e.field(k) else { continue };
        if f.name == e.primary_key.field || f.is_auto() || f.name == "deleted_at" {
            continue;
        }
        sets.push((f.name.as_str(), *kind, SqlValue::Param(p.clone())));
    }
    if !sets.is_empty() {
        for f in e.fields.iter().filter(|f| f.is_auto_update()) {
            sets.push((f.name.as_str(), f.kind, SqlValue::Now));
        }
    }
    sets
}

fn pk_cond(e: &Entity, key: &str) -> ApiResult<Cond> {
    let p =
        key_param(key, e.pk().kind).ok_or_else(|| ApiError::internal("unusable primary key"))?;
    Ok(Cond::eq(e.pk_name(), e.pk().kind, p))
}

/// The slug to generate on create, if the entity has a source and the body gives
/// no slug of its own (spec 03 §1.3).
fn slug_source<'b>(e: &Entity, body: &'b Map<String, Value>) -> Option<&'b str> {
    let s = e.slug.as_ref()?;
    let src = s.source_field()?;
    if !is_blank(body.get(&s.field)) {
        return None;
    }
    body.get(src)
        .filter(|v| !is_blank(Some(v)))
        .and_then(Value::as_str)
}

fn first_row(rows: Vec<Row>) -> ApiResult<Row> {
    rows.into_iter()
        .next()
        .ok_or_else(|| ApiError::internal("write returned no row"))
}

pub async fn create(
    store: &Store,
    schema: &Schema,
    e: &Entity,
    body: &Map<String, Value>,
) -> ApiResult<Map<String, Value>> {
    let d = store.dialect();
    let parts = split(schema, e, body)?;
    let mut given = validate(e, &parts.fields, true, d)?;
    let returning = record_columns(e, true);
    let slug_text = slug_source(e, body);
    if parts.nested.is_empty() && slug_text.is_none() {
        // One INSERT … RETURNING is atomic by itself: one round trip, no BEGIN/COMMIT.
        let (cols, _) = insert_values(e, &given, d);
        let row = first_row(
            store
                .query_write(&Write::insert(d, &e.table, &cols, &returning))
                .await?,
        )?;
        return Ok(render_row(e, row, d));
    }
    let mut tx = store.begin().await?;
    if let (Some(s), Some(text)) = (&e.slug, slug_text) {
        let value = slug::unique(&mut tx, e, &slug::slugify(text), None).await?;
        given.retain(|(k, _, _)| *k != s.field);
        given.push((s.field.as_str(), FieldType::Text, Param::Text(value)));
    }
    let (cols, _) = insert_values(e, &given, d);
    let row = first_row(
        tx.query(&Write::insert(d, &e.table, &cols, &returning))
            .await?,
    )?;
    let key = pk_cell(e, &row)
        .key_string()
        .ok_or_else(|| ApiError::internal("insert returned no key"))?;
    for n in &parts.nested {
        nested_write(&mut tx, d, schema, e, &key, n).await?;
    }
    tx.commit().await?;
    Ok(render_row(e, row, d))
}

/// Current record for update/delete: fetched before the body is parsed, so a
/// missing record is 404 whatever the body says (spec 06 §5).
pub async fn current(
    store: &Store,
    e: &Entity,
    id: &str,
    extra: &[Cond],
) -> ApiResult<(String, Map<String, Value>)> {
    let d = store.dialect();
    let Some(row) = find(&mut Exec::Store(store), d, e, id, extra).await? else {
        return Err(not_found(e, id));
    };
    let key = pk_cell(e, &row)
        .key_string()
        .ok_or_else(|| not_found(e, id))?;
    Ok((key, render_row(e, row, d)))
}

/// The slug to regenerate on update, if configured and the source changed.
fn slug_update<'b>(
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

pub async fn update(
    store: &Store,
    schema: &Schema,
    e: &Entity,
    key: &str,
    old: &Map<String, Value>,
    body: &Map<String, Value>,
) -> ApiResult<Map<String, Value>> {
    let d = store.dialect();
    let parts = split(schema, e, body)?;
    let mut given = validate(e, &parts.fields, false, d)?;
    let returning = record_columns(e, true);
    let slug_text = slug_update(e, old, body);
    let cond = live(e, vec![pk_cond(e, key)?]);
    if parts.nested.is_empty() && slug_text.is_none() {
        let sets = update_values(e, &given);
        if sets.is_empty() {
            return Ok(old.clone());
        }
        // A single UPDATE … RETURNING: atomic, one round trip.
        let q = Write::update_returning(d, &e.table, &sets, &cond, &returning);
        let row = store
            .query_write(&q)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| not_found(e, key))?;
        return Ok(render_row(e, row, d));
    }
    let mut tx = store.begin().await?;
    if let (Some(s), Some(text)) = (&e.slug, slug_text) {
        let value = slug::unique(&mut tx, e, &slug::slugify(text), Some(key)).await?;
        given.retain(|(k, _, _)| *k != s.field);
        given.push((s.field.as_str(), FieldType::Text, Param::Text(value)));
    }
    let sets = update_values(e, &given);
    let mut row = None;
    if !sets.is_empty() {
        let q = Write::update_returning(d, &e.table, &sets, &cond, &returning);
        row = Some(
            tx.query(&q)
                .await?
                .into_iter()
                .next()
                .ok_or_else(|| not_found(e, key))?,
        );
    }
    for n in &parts.nested {
        nested_write(&mut tx, d, schema, e, key, n).await?;
    }
    let row = match row {
        Some(r) => r,
        None => find(&mut Exec::Tx(&mut tx), d, e, key, &[])
            .await?
            .ok_or_else(|| not_found(e, key))?,
    };
    tx.commit().await?;
    Ok(render_row(e, row, d))
}

pub async fn delete(
    store: &Store,
    schema: &Schema,
    e: &Entity,
    key: &str,
    id: &str,
) -> ApiResult<()> {
    let d = store.dialect();
    let mut tx = store.begin().await?;
    cascade(&mut tx, d, schema, e, key).await?;
    let cond = vec![pk_cond(e, key)?];
    let n = if e.soft_delete {
        let q = Write::update(
            d,
            &e.table,
            &[("deleted_at", FieldType::Timestamp, SqlValue::Now)],
            &live(e, cond),
        );
        tx.execute(&q).await?
    } else {
        tx.execute(&Write::delete(d, &e.table, &cond)).await?
    };
    if n == 0 {
        return Err(not_found(e, id));
    }
    tx.commit().await?;
    Ok(())
}

/// `on_delete` policies of every relation whose source is `e`, in name order, in the
/// delete transaction (spec 04 §8). Not recursive.
async fn cascade(tx: &mut Tx, d: Dialect, schema: &Schema, e: &Entity, key: &str) -> ApiResult<()> {
    let relations: Vec<_> = schema.relations_from(&e.name).cloned().collect();
    for r in relations {
        let Some(tgt) = schema.entity(&r.target) else {
            continue;
        };
        let policy = r.on_delete();
        if r.kind() == RelationKind::ManyToMany {
            let sk_kind = e
                .field(&r.source_key)
                .map(|f| f.kind)
                .unwrap_or(e.pk().kind);
            let Some(p) = key_param(key, sk_kind) else {
                continue;
            };
            let cond = vec![Cond::eq(&r.source_join_key, sk_kind, p)];
            match policy {
                OnDelete::Cascade | OnDelete::Detach => {
                    tx.execute(&Write::delete(d, &r.join_table, &cond)).await?;
                }
                OnDelete::Restrict => {
                    let n = count(tx, &Write::count(d, &r.join_table, &cond)).await?;
                    if n > 0 {
                        return Err(restrict(n, &tgt.name));
                    }
                }
                OnDelete::SetNull | OnDelete::Nothing => {}
            }
            continue;
        }
        let Some(fk) = tgt.field(&r.target_key) else {
            continue;
        };
        let Some(p) = key_param(key, fk.kind) else {
            continue;
        };
        let cond = Cond::eq(&fk.name, fk.kind, p);
        match policy {
            OnDelete::Cascade => {
                let q = if tgt.soft_delete {
                    Write::update(
                        d,
                        &tgt.table,
                        &[("deleted_at", FieldType::Timestamp, SqlValue::Now)],
                        &live(tgt, vec![cond]),
                    )
                } else {
                    Write::delete(d, &tgt.table, &[cond])
                };
                tx.execute(&q).await?;
            }
            OnDelete::SetNull => {
                let q = Write::update(
                    d,
                    &tgt.table,
                    &[(&fk.name, fk.kind, SqlValue::Param(Param::Null))],
                    &[cond],
                );
                tx.execute(&q).await.map_err(|err| match err {
                    DbError::NotNull | DbError::InvalidValue(_) => ApiError::Conflict(format!(
                        "Cannot delete: {} records reference it with a required {}",
                        tgt.name, fk.name
                    )),
                    other => other.into(),
                })?;
            }
            OnDelete::Restrict => {
                let n = count(tx, &Write::count(d, &tgt.table, &live(tgt, vec![cond]))).await?;
                if n > 0 {
                    return Err(restrict(n, &tgt.name));
                }
            }
            OnDelete::Detach | OnDelete::Nothing => {}
        }
    }
    Ok(())
}

fn restrict(n: i64, target: &str) -> ApiError {
    ApiError::Conflict(format!("Cannot delete: {n} related {target} records exist"))
}

async fn count(tx: &mut Tx, q: &Sql) -> ApiResult<i64> {
    Ok(tx
        .query(q)
        .await?
        .first()
        .and_then(|r| r.first())
        .and_then(Cell::as_i64)
        .unwrap_or(0))
}

/// Converts a child row's known fields, reporting bad values as
/// `<relation>[<index>].<field>` (children are otherwise not validated, spec 05 §1).
fn child_values<'a>(
    t: &'a Entity,
    row: &'a Map<String, Value>,
    key: &str,
    index: usize,
    d: Dialect,
) -> ApiResult<Vec<(&'a str, FieldType, Param)>> {
    let mut out = Vec::new();
    let mut details = Vec::new();
    for (k, v) in row {
        let Some(f) = t.field(k) else { continue };
        match to_param(v, f.kind, d) {
            Ok(p) => out.push((f.name.as_str(), f.kind, p)),
            Err(_) => details.push(type_detail(&format!("{key}[{index}].{}", f.name), f)),
        }
    }
    if details.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::Validation(details))
    }
}

fn row_pk(t: &Entity, row: &Map<String, Value>) -> Option<String> {
    row.get(t.pk_name())
        .filter(|v| !v.is_null())
        .and_then(text_form)
}

fn marked_delete(row: &Map<String, Value>) -> bool {
    matches!(row.get("_delete"), Some(Value::Bool(true)))
}

/// Removes a child: soft delete when the target has it, else a hard delete.
fn remove_sql(t: &Entity, d: Dialect, pk: &str) -> ApiResult<Sql> {
    let c = pk_cond(t, pk)?;
    Ok(if t.soft_delete {
        Write::update(
            d,
            &t.table,
            &[("deleted_at", FieldType::Timestamp, SqlValue::Now)],
            &live(t, vec![c]),
        )
    } else {
        Write::delete(d, &t.table, &[c])
    })
}

async fn nested_write(
    tx: &mut Tx,
    d: Dialect,
    schema: &Schema,
    parent: &Entity,
    parent_key: &str,
    n: &NestedWrite<'_>,
) -> ApiResult<()> {
    let r = &n.resolved.relation;
    let Some(t) = schema.entity(&r.target) else {
        return Err(ApiError::internal(format!(
            "target entity {} not registered",
            r.target
        )));
    };
    let mode = n.mode.unwrap_or_else(|| r.write_mode());
    if r.kind() == RelationKind::ManyToMany {
        return link_write(tx, d, parent, parent_key, t, n, mode).await;
    }
    let fk = t.field(&r.target_key);
    let parent_param = fk.and_then(|f| key_param(parent_key, f.kind).map(|p| (f, p)));
    // Children of this parent, by key: removals and updates are limited to them, so a
    // body cannot touch another parent's rows (spec 05 §7).
    let current: HashSet<String> = if mode == WriteMode::Append {
        HashSet::new()
    } else if let Some((f, p)) = &parent_param {
        let q = Select {
            table: t.table.clone(),
            columns: vec![t.pk_name().to_string()],
            conds: live(t, vec![Cond::eq(&f.name, f.kind, p.clone())]),
            ..Default::default()
        }
        .to_sql(d);
        tx.query(&q)
            .await?
            .iter()
            .filter_map(|row| row[0].key_string())
            .collect()
    } else {
        HashSet::new()
    };
    let canon = |pk: &str| key_param(pk, t.pk().kind).and_then(|p| p.to_pg_text());
    let mut seen = HashSet::new();
    for (i, row) in n.rows.iter().enumerate() {
        let pk = row_pk(t, row);
        let known = pk
            .as_deref()
            .and_then(canon)
            .filter(|k| current.contains(k));
        match mode {
            WriteMode::Diff if marked_delete(row) => {
                if let Some(k) = known {
                    tx.execute(&remove_sql(t, d, &k)?).await?;
                }
                continue;
            }
            WriteMode::Append if pk.is_some() => continue,
            _ => {}
        }
        if pk.is_some() {
            if let Some(k) = known {
                seen.insert(k.clone());
                let vals = child_values(t, row, &n.key, i, d)?;
                let sets = update_values(t, &vals);
                if !sets.is_empty() {
                    tx.execute(&Write::update(
                        d,
                        &t.table,
                        &sets,
                        &live(t, vec![pk_cond(t, &k)?]),
                    ))
                    .await?;
                }
            }
            continue;
        }
        let mut vals = child_values(t, row, &n.key, i, d)?;
        if let Some((f, p)) = &parent_param {
            vals.retain(|(k, _, _)| *k != f.name);
            vals.push((f.name.as_str(), f.kind, p.clone()));
        }
        let (cols, _) = insert_values(t, &vals, d);
        tx.execute(&Write::insert(d, &t.table, &cols, &[])).await?;
    }
    if mode == WriteMode::Replace {
        for k in current.difference(&seen) {
            tx.execute(&remove_sql(t, d, k)?).await?;
        }
    }
    Ok(())
}

async fn link_write(
    tx: &mut Tx,
    d: Dialect,
    parent: &Entity,
    parent_key: &str,
    t: &Entity,
    n: &NestedWrite<'_>,
    mode: WriteMode,
) -> ApiResult<()> {
    let r = &n.resolved.relation;
    let sk_kind = parent
        .field(&r.source_key)
        .map(|f| f.kind)
        .unwrap_or(parent.pk().kind);
    let tk_kind = t.pk().kind;
    let sp =
        key_param(parent_key, sk_kind).ok_or_else(|| ApiError::internal("unusable parent key"))?;
    let parent_cond = Cond::eq(&r.source_join_key, sk_kind, sp.clone());
    // Target ids in payload order, deduplicated (duplicates would be spurious 409s).
    let mut ids: Vec<(String, Param, bool)> = Vec::new();
    let mut details = Vec::new();
    for (i, row) in n.rows.iter().enumerate() {
        let raw = row
            .get(t.pk_name())
            .filter(|v| !v.is_null())
            .or_else(|| row.get("id"))
            .filter(|v| !v.is_null());
        let Some(tid) = raw.and_then(text_form) else {
            continue;
        };
        let Some(p) = key_param(&tid, tk_kind) else {
            details.push(Detail::new(
                format!("{}[{i}].id", n.key),
                "type",
                format!("id must be {}", tk_kind.describe()),
            ));
            continue;
        };
        let canon = p.to_pg_text().unwrap_or_default();
        if !ids.iter().any(|(c, _, _)| *c == canon) {
            ids.push((canon, p, marked_delete(row)));
        }
    }
    if !details.is_empty() {
        return Err(ApiError::Validation(details));
    }
    let insert = |tp: Param| {
        vec![
            (
                r.source_join_key.as_str(),
                sk_kind,
                SqlValue::Param(sp.clone()),
            ),
            (r.target_join_key.as_str(), tk_kind, SqlValue::Param(tp)),
        ]
    };
    match mode {
        WriteMode::Diff => {
            let q = Select {
                table: r.join_table.clone(),
                columns: vec![r.target_join_key.clone()],
                conds: vec![parent_cond.clone()],
                ..Default::default()
            }
            .to_sql(d);
            let linked: HashSet<String> = tx
                .query(&q)
                .await?
                .iter()
                .filter_map(|x| x[0].key_string())
                .collect();
            for (canon, p, del) in ids {
                if del {
                    let conds = vec![
                        parent_cond.clone(),
                        Cond::eq(&r.target_join_key, tk_kind, p),
                    ];
                    tx.execute(&Write::delete(d, &r.join_table, &conds)).await?;
                } else if !linked.contains(&canon) {
                    tx.execute(&Write::insert(d, &r.join_table, &insert(p), &[]))
                        .await?;
                }
            }
        }
        WriteMode::Replace => {
            tx.execute(&Write::delete(
                d,
                &r.join_table,
                std::slice::from_ref(&parent_cond),
            ))
            .await?;
            for (_, p, _) in ids {
                tx.execute(&Write::insert(d, &r.join_table, &insert(p), &[]))
                    .await?;
            }
        }
        WriteMode::Append => {
            for (_, p, _) in ids {
                tx.execute(&Write::insert_ignore(d, &r.join_table, &insert(p)))
                    .await?;
            }
        }
    }
    Ok(())
}
