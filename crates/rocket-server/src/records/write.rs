//! Creates, updates and deletes: body splitting, field validation, INSERT/UPDATE
//! construction (spec 04 §6–§7).

use super::*;

/// A nested relation write found in a body (spec 05 §1).
pub(super) struct NestedWrite<'b> {
    pub(super) key: String,
    pub(super) resolved: Resolved,
    pub(super) mode: Option<WriteMode>,
    pub(super) rows: Vec<&'b Map<String, Value>>,
}

pub(super) struct Split<'b> {
    pub(super) fields: Vec<(&'b str, &'b Value)>,
    pub(super) nested: Vec<NestedWrite<'b>>,
}

pub(super) fn unknown(key: &str) -> Detail {
    Detail::new(key, "unknown", format!("Unknown field or relation: {key}"))
}

/// Splits a body into field values and relation writes; unknown keys fail first.
pub(super) fn split<'b>(
    schema: &Schema,
    e: &Entity,
    body: &'b Map<String, Value>,
) -> ApiResult<Split<'b>> {
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

pub(super) fn is_blank(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => true,
        Some(Value::String(s)) => s.is_empty(),
        _ => false,
    }
}

/// Field validation (spec 04 §6.3): required (create only), enum, then the type of
/// every value, converted once into parameters.
pub(super) fn validate<'b>(
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
            Err(m) => {
                if !details.iter().any(|x| x.field == f.name) {
                    details.push(type_detail(&f.name, f, m));
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

pub(super) fn type_detail(path: &str, f: &Field, m: Mismatch) -> Detail {
    let message = match m {
        Mismatch::Type => format!("{} must be {}", f.name, f.kind.describe()),
        Mismatch::Nul => format!("{} must not contain NUL characters", f.name),
    };
    Detail::new(path, "type", message)
}

/// Column values of an INSERT for `e` (spec 04 §6.5). Returns them and the
/// application-generated key, if any.
pub(super) fn insert_values<'a>(
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

pub(super) fn update_values<'a>(
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

pub(super) fn pk_cond(e: &Entity, key: &str) -> ApiResult<Cond> {
    let p =
        key_param(key, e.pk().kind).ok_or_else(|| ApiError::internal("unusable primary key"))?;
    Ok(Cond::eq(e.pk_name(), e.pk().kind, p))
}

/// The slug to generate on create, if the entity has a source and the body gives
/// no slug of its own (spec 03 §1.3).
pub(super) fn slug_source<'b>(e: &Entity, body: &'b Map<String, Value>) -> Option<&'b str> {
    let s = e.slug.as_ref()?;
    let src = s.source_field()?;
    if !is_blank(body.get(&s.field)) {
        return None;
    }
    body.get(src)
        .filter(|v| !is_blank(Some(v)))
        .and_then(Value::as_str)
}

pub(super) fn first_row(rows: Vec<Row>) -> ApiResult<Row> {
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
pub(super) fn slug_update<'b>(
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
