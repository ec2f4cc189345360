//! Reads: list and get, and includes loaded per page (spec 04 §3–§5).

use super::*;

pub struct Listed {
    pub data: Vec<Map<String, Value>>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
    pub truncated: Truncated,
}

impl Listed {
    pub fn into_json(self) -> Value {
        let mut meta = json!({"page": self.page, "per_page": self.per_page, "total": self.total});
        if let Some(t) = self.truncated.to_json() {
            meta["truncated_includes"] = t;
        }
        json!({"data": self.data, "meta": meta})
    }
}

/// Include tokens that had more related rows for some parent than the include limit
/// allows, with that limit (docs/api.md "Include limits").
#[derive(Debug, Default)]
pub struct Truncated {
    limit: usize,
    tokens: Vec<String>,
}

impl Truncated {
    fn new(limit: usize) -> Truncated {
        Truncated {
            limit,
            tokens: Vec::new(),
        }
    }

    fn mark(&mut self, token: &str) {
        if !self.tokens.iter().any(|t| t == token) {
            self.tokens.push(token.to_string());
        }
    }

    /// `{"<token>": <limit>, …}`, or `None` when nothing was cut.
    pub fn to_json(&self) -> Option<Value> {
        if self.tokens.is_empty() {
            return None;
        }
        Some(Value::Object(
            self.tokens
                .iter()
                .map(|t| (t.clone(), Value::from(self.limit)))
                .collect(),
        ))
    }
}

pub async fn list(
    store: &Store,
    access: &Access<'_>,
    e: &Entity,
    mut q: ListQuery,
    extra: Vec<Cond>,
    include_rows: usize,
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
        per_group: None,
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
    // Key strings are only needed to attach includes; skip them on the plain list path.
    let keys = KeyCols::of(e, if q.include.is_empty() { &[] } else { &rows });
    let mut data: Vec<Map<String, Value>> = rows.into_iter().map(|r| render_row(e, r, d)).collect();
    let mut truncated = Truncated::new(include_rows);
    load_includes(
        &mut Exec::Store(store),
        access,
        e,
        &keys,
        &mut data,
        &q.include,
        &mut truncated,
    )
    .await?;
    Ok(Listed {
        data,
        total,
        page: q.page,
        per_page: q.per_page,
        truncated,
    })
}

/// A value the database refused while filtering was a bad filter value.
pub(super) fn filter_error(e: DbError) -> ApiError {
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
    include_rows: usize,
) -> ApiResult<(Map<String, Value>, Truncated)> {
    let d = store.dialect();
    let schema = access.schema;
    let mut exec = Exec::Store(store);
    let Some(row) = find(&mut exec, d, e, id, extra).await? else {
        return Err(not_found(e, id));
    };
    let rows = vec![row];
    let known: Vec<String> = include
        .iter()
        .filter(|t| schema.resolve(t, &e.name).is_some())
        .cloned()
        .collect();
    let keys = KeyCols::of(e, if known.is_empty() { &[] } else { &rows });
    let mut data: Vec<Map<String, Value>> = rows.into_iter().map(|r| render_row(e, r, d)).collect();
    let mut truncated = Truncated::new(include_rows);
    load_includes(
        &mut exec,
        access,
        e,
        &keys,
        &mut data,
        &known,
        &mut truncated,
    )
    .await?;
    Ok((data.pop().ok_or_else(|| not_found(e, id))?, truncated))
}

/// String forms of every column of the parent rows, for include key matching.
pub(super) struct KeyCols {
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

pub(super) fn distinct(values: &[Option<String>]) -> Vec<String> {
    let mut seen = HashSet::new();
    values
        .iter()
        .flatten()
        .filter(|v| seen.insert(v.as_str()))
        .cloned()
        .collect()
}

pub(super) fn in_cond(col: &str, kind: FieldType, keys: &[String]) -> Cond {
    Cond::In {
        col: col.to_string(),
        ty: kind,
        values: keys.iter().filter_map(|k| key_param(k, kind)).collect(),
        negate: false,
    }
}

/// Reads related rows of `target` whose `col` is among `keys`, keyed by that column;
/// with `per_key`, at most that many rows per key value.
pub(super) async fn related(
    exec: &mut Exec<'_>,
    target: &Entity,
    col: &str,
    keys: &[String],
    filters: &[Cond],
    per_key: Option<i64>,
) -> ApiResult<Vec<(Option<String>, Map<String, Value>)>> {
    let d = exec.dialect();
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
        per_group: per_key.map(|limit| PerGroup {
            col: col.to_string(),
            order: target.pk_name().to_string(),
            limit,
        }),
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
pub(super) async fn load_includes(
    exec: &mut Exec<'_>,
    access: &Access<'_>,
    e: &Entity,
    keys: &KeyCols,
    data: &mut [Map<String, Value>],
    tokens: &[String],
    truncated: &mut Truncated,
) -> ApiResult<()> {
    if data.is_empty() {
        return Ok(());
    }
    let d = exec.dialect();
    // One row more than the limit tells whether a parent has more.
    let limit = truncated.limit;
    let fetch = Some(limit as i64 + 1);
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
                        per_group: Some(PerGroup {
                            col: r.source_join_key.clone(),
                            order: r.target_join_key.clone(),
                            limit: limit as i64 + 1,
                        }),
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
                            related(exec, tgt, tgt.pk_name(), &distinct(&tids), &filters, None)
                                .await?
                        {
                            if let Some(k) = k {
                                by_id.insert(k, rec);
                            }
                        }
                    }
                    for (row, pk) in data.iter_mut().zip(parent_keys) {
                        let linked: Vec<&String> = match pk {
                            Some(pk) => pairs
                                .iter()
                                .filter(|(s, _)| s == pk)
                                .map(|(_, t)| t)
                                .collect(),
                            None => Vec::new(),
                        };
                        if linked.len() > limit {
                            truncated.mark(token);
                        }
                        let items: Vec<Value> = linked
                            .into_iter()
                            .take(limit)
                            .filter_map(|t| by_id.get(t).cloned().map(Value::Object))
                            .collect();
                        row.insert(token.clone(), Value::Array(items));
                    }
                }
                kind => {
                    let children = related(exec, tgt, &r.target_key, &ids, &filters, fetch).await?;
                    let mut groups: HashMap<&str, Vec<&Map<String, Value>>> = HashMap::new();
                    for (k, rec) in &children {
                        if let Some(k) = k {
                            groups.entry(k.as_str()).or_default().push(rec);
                        }
                    }
                    for (row, pk) in data.iter_mut().zip(parent_keys) {
                        let found = pk.as_deref().and_then(|k| groups.get_mut(k));
                        // A one-to-one include shows the first child only (spec 04 §5.1).
                        if kind != RelationKind::OneToOne
                            && found.as_ref().is_some_and(|g| g.len() > limit)
                        {
                            truncated.mark(token);
                        }
                        let found = found.map(|g| {
                            g.truncate(limit);
                            &*g
                        });
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
            let parents = related(exec, src, &r.source_key, &vals, &filters, None).await?;
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
