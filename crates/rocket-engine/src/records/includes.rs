//! Includes (spec 04 §5): related records loaded for a page of rows with one query
//! per token (two for many-to-many), never a query per row. The included entity
//! needs `read` and its rows obey the caller's filters; at most `include_rows` rows
//! per parent and token are attached, and cut tokens are reported.

use std::collections::{HashMap, HashSet};

use rocket_meta::{Entity, FieldType, Relation, RelationKind, Resolved};
use rocket_sql::{Cond, Order, PerGroup, Select};
use rocket_store::{Cell, Exec, Row};
use serde_json::{Map, Value};

use super::values::key_param;
use super::{live, record_columns, render_row, Caller};
use crate::error::Result;

/// Include tokens that had more related rows for some parent than the limit allows.
#[derive(Debug, Default)]
pub struct Truncated {
    limit: usize,
    tokens: Vec<String>,
}

impl Truncated {
    pub(super) fn new(limit: usize) -> Truncated {
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

    /// `{"<token>": <limit>, …}` for `meta.truncated_includes`; `None` when nothing
    /// was cut.
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

/// String forms of every column of the parent rows, for key matching.
pub(super) struct KeyCols {
    cols: HashMap<String, Vec<Option<String>>>,
}

impl KeyCols {
    pub(super) fn of(e: &Entity, rows: &[Row]) -> KeyCols {
        let mut cols = HashMap::new();
        if rows.is_empty() {
            return KeyCols { cols };
        }
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

    /// One column of the page, and its distinct non-null values; `None` when there
    /// are none (nothing to load then).
    fn column(&self, name: &str) -> Option<(&[Option<String>], Vec<String>)> {
        let col = self.cols.get(name)?;
        let ids = distinct(col);
        (!ids.is_empty()).then_some((col.as_slice(), ids))
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

/// At most `n` rows per value of `col`, the first by `order`: a window over the rows
/// of several keys; one key needs no window, LIMIT bounds its rows (ORDER BY only when
/// `sorted`, see [`related`]).
fn bound(keys: usize, col: &str, order: &str, n: i64, sorted: bool) -> Bounded {
    if keys == 1 {
        let by_key = Order {
            col: order.to_string(),
            desc: false,
        };
        return Bounded {
            order: if sorted { vec![by_key] } else { Vec::new() },
            limit: Some(n),
            per_group: None,
        };
    }
    Bounded {
        order: Vec::new(),
        limit: None,
        per_group: Some(PerGroup {
            col: col.to_string(),
            order: order.to_string(),
            limit: n,
        }),
    }
}

/// How many related rows one key may bring, and whether they must come in key order
/// even when they all fit (one-to-one: its first child).
#[derive(Clone, Copy)]
struct Cap {
    rows: i64,
    sorted: bool,
}

/// How a related-rows query is bounded.
#[derive(Default)]
struct Bounded {
    order: Vec<Order>,
    limit: Option<i64>,
    per_group: Option<PerGroup>,
}

/// Related rows of `target` whose `col` is among `keys`, keyed by that column; with
/// `cap`, at most that many rows per key value.
///
/// One key's rows are read unordered (a sort costs Postgres about a sixth of a get with
/// include) and only read again in key order when they reach the cap: a cut keeps the
/// first rows by key, as the window does for several keys.
async fn related(
    x: &mut Exec<'_>,
    target: &Entity,
    col: &str,
    keys: &[String],
    filters: &[Cond],
    cap: Option<Cap>,
) -> Result<Vec<(Option<String>, Map<String, Value>)>> {
    let Some(f) = target.field(col) else {
        return Ok(Vec::new());
    };
    let d = x.dialect();
    let conds: Vec<Cond> = std::iter::once(in_cond(col, f.kind, keys))
        .chain(filters.iter().cloned())
        .collect();
    let select = |sorted: bool| {
        let b = match cap {
            Some(c) => bound(keys.len(), col, target.pk_name(), c.rows, sorted),
            None => Bounded::default(),
        };
        Select {
            table: target.table.clone(),
            columns: record_columns(target, false),
            conds: live(target, conds.clone()),
            order: b.order,
            limit: b.limit,
            per_group: b.per_group,
            ..Default::default()
        }
        .to_sql(d)
    };
    let rows = match cap {
        // The rows of one key through its index (relation keys are indexed, at most
        // `cap` of them) are a bounded read; anything wider goes to the pool.
        Some(c) if keys.len() == 1 => {
            let rows = x.query_keyed(&select(c.sorted)).await?;
            if c.sorted || (rows.len() as i64) < c.rows {
                rows
            } else {
                x.query_keyed(&select(true)).await?
            }
        }
        _ => x.query(&select(false)).await?,
    };
    let idx = target
        .fields
        .iter()
        .position(|x| x.name == col)
        .unwrap_or(0);
    Ok(rows
        .into_iter()
        .map(|r| {
            let k = r.get(idx).and_then(Cell::key_string);
            (k, render_row(target, r, d))
        })
        .collect())
}

/// What one include token needs: the page of rows of `e` and their keys, the
/// relation, the caller's read filters on the rows it brings, where to report cuts.
struct Page<'p> {
    e: &'p Entity,
    r: &'p Relation,
    filters: Vec<Cond>,
    keys: &'p KeyCols,
    data: &'p mut [Map<String, Value>],
    token: &'p str,
    truncated: &'p mut Truncated,
}

/// Loads every include token for a page of rows of `e`.
pub(super) async fn load(
    c: &Caller<'_>,
    x: &mut Exec<'_>,
    e: &Entity,
    keys: &KeyCols,
    data: &mut [Map<String, Value>],
    tokens: &[String],
    truncated: &mut Truncated,
) -> Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    let access = c.access();
    for token in tokens {
        let Some(Resolved {
            relation: r,
            forward,
        }) = c.schema.resolve(token, &e.name)
        else {
            continue;
        };
        let (Some(src), Some(tgt)) = (c.schema.entity(&r.source), c.schema.entity(&r.target))
        else {
            continue;
        };
        let mut page = Page {
            e,
            r: &r,
            filters: access.read_filters(if forward { tgt } else { src })?,
            keys,
            data: &mut *data,
            token,
            truncated: &mut *truncated,
        };
        match (forward, r.kind()) {
            (true, RelationKind::ManyToMany) => linked(x, tgt, &mut page).await?,
            (true, kind) => children(x, tgt, kind, &mut page).await?,
            (false, _) => owner(x, src, &mut page).await?,
        }
    }
    Ok(())
}

/// Forward one-to-many / one-to-one: children by `target_key` (spec 04 §5.1).
async fn children(
    x: &mut Exec<'_>,
    tgt: &Entity,
    kind: RelationKind,
    p: &mut Page<'_>,
) -> Result<()> {
    let Some((parent_keys, ids)) = p.keys.column(p.e.pk_name()) else {
        return Ok(());
    };
    let limit = p.truncated.limit;
    // One row more than the limit tells whether a parent has more.
    let more = Some(Cap {
        rows: limit as i64 + 1,
        sorted: kind == RelationKind::OneToOne,
    });
    let rows = related(x, tgt, &p.r.target_key, &ids, &p.filters, more).await?;
    let mut groups: HashMap<&str, Vec<&Map<String, Value>>> = HashMap::new();
    for (k, rec) in &rows {
        if let Some(k) = k {
            groups.entry(k.as_str()).or_default().push(rec);
        }
    }
    for (row, pk) in p.data.iter_mut().zip(parent_keys) {
        let found = pk.as_deref().and_then(|k| groups.get(k));
        let v = if kind == RelationKind::OneToOne {
            // The first child only (spec 04 §5.1): never a cut.
            found
                .and_then(|g| g.first())
                .map_or(Value::Null, |m| Value::Object((*m).clone()))
        } else {
            let g = found.map(Vec::as_slice).unwrap_or(&[]);
            if g.len() > limit {
                p.truncated.mark(p.token);
            }
            Value::Array(
                g.iter()
                    .take(limit)
                    .map(|m| Value::Object((*m).clone()))
                    .collect(),
            )
        };
        row.insert(p.token.to_string(), v);
    }
    Ok(())
}

/// Forward many-to-many: join rows, then the linked targets (spec 04 §5.2).
async fn linked(x: &mut Exec<'_>, tgt: &Entity, p: &mut Page<'_>) -> Result<()> {
    let (e, r) = (p.e, p.r);
    let Some((parent_keys, ids)) = p.keys.column(e.pk_name()) else {
        return Ok(());
    };
    let limit = p.truncated.limit;
    let sk_kind = e.field(&r.source_key).map_or(e.pk().kind, |f| f.kind);
    let b = bound(
        ids.len(),
        &r.source_join_key,
        &r.target_join_key,
        limit as i64 + 1,
        true,
    );
    let q = Select {
        table: r.join_table.clone(),
        columns: vec![r.source_join_key.clone(), r.target_join_key.clone()],
        conds: vec![in_cond(&r.source_join_key, sk_kind, &ids)],
        order: b.order,
        limit: b.limit,
        per_group: b.per_group,
        ..Default::default()
    }
    .to_sql(x.dialect());
    let pairs: Vec<(String, String)> = x
        .query(&q)
        .await?
        .into_iter()
        .filter_map(|l| {
            let mut it = l.into_iter();
            Some((it.next()?.key_string()?, it.next()?.key_string()?))
        })
        .collect();
    let mut by_id = HashMap::new();
    if !pairs.is_empty() {
        let tids: Vec<Option<String>> = pairs.iter().map(|p| Some(p.1.clone())).collect();
        let targets = related(x, tgt, tgt.pk_name(), &distinct(&tids), &p.filters, None).await?;
        for (k, rec) in targets {
            if let Some(k) = k {
                by_id.insert(k, rec);
            }
        }
    }
    for (row, pk) in p.data.iter_mut().zip(parent_keys) {
        let mine: Vec<&String> = match pk {
            Some(pk) => pairs
                .iter()
                .filter(|(s, _)| s == pk)
                .map(|(_, t)| t)
                .collect(),
            None => Vec::new(),
        };
        if mine.len() > limit {
            p.truncated.mark(p.token);
        }
        let items: Vec<Value> = mine
            .into_iter()
            .take(limit)
            .filter_map(|t| by_id.get(t).cloned().map(Value::Object))
            .collect();
        row.insert(p.token.to_string(), Value::Array(items));
    }
    Ok(())
}

/// Reverse ("belongs-to"): this entity holds the source's key in `target_key`
/// (spec 04 §5.3).
async fn owner(x: &mut Exec<'_>, src: &Entity, p: &mut Page<'_>) -> Result<()> {
    let r = p.r;
    let Some((fks, vals)) = p.keys.column(&r.target_key) else {
        return Ok(());
    };
    let parents = related(x, src, &r.source_key, &vals, &p.filters, None).await?;
    let by_key: HashMap<&str, &Map<String, Value>> = parents
        .iter()
        .filter_map(|(k, m)| k.as_deref().map(|k| (k, m)))
        .collect();
    for (row, fk) in p.data.iter_mut().zip(fks) {
        let v = fk
            .as_deref()
            .and_then(|k| by_key.get(k))
            .map_or(Value::Null, |m| Value::Object((*m).clone()));
        row.insert(p.token.to_string(), v);
    }
    Ok(())
}
