//! `related_load` (spec 07 §5, documented intent, built here): a rule names a
//! relation of its entity and optionally a list filter; the related rows of the
//! record being written are read inside the write transaction and exposed to the
//! rule's expressions as `related.<relation>`. Bounded: more than
//! [`MAX_ROWS`] rows for one relation is a 422.

use rocket_meta::{Entity, RelationKind, Schema};
use rocket_sql::{Cond, Select};
use rocket_store::Exec;
use serde_json::{Map, Value};

use crate::error::{Detail, EngineError, Result};
use crate::records::query::condition;
use crate::records::values::{key_param, text_form};
use crate::records::{live, record_columns, render_row};

/// Most rows one relation may load for one write.
pub const MAX_ROWS: usize = 1_000;

/// One `{"relation": …, "filter": {…}}` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct RelatedLoad {
    pub relation: String,
    /// `(field[.op], value as list-filter text)`.
    pub filter: Vec<(String, String)>,
}

/// A filter value in the list-filter text form: arrays comma-joined.
fn filter_text(v: &Value) -> Option<String> {
    match v {
        Value::Array(items) => items
            .iter()
            .map(text_form)
            .collect::<Option<Vec<_>>>()
            .map(|t| t.join(",")),
        other => text_form(other),
    }
}

impl RelatedLoad {
    /// The entries of a definition; entries that cannot be read are left out (the
    /// admin API refuses them, see [`RelatedLoad::parse`]).
    pub fn list(definition: &Value) -> Vec<RelatedLoad> {
        let Some(items) = definition.get("related_load").and_then(Value::as_array) else {
            return Vec::new();
        };
        items.iter().filter_map(|i| Self::one(i).ok()).collect()
    }

    fn one(item: &Value) -> std::result::Result<RelatedLoad, String> {
        let relation = item
            .get("relation")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
            .ok_or("related_load: every entry needs a relation")?;
        let mut filter = Vec::new();
        match item.get("filter") {
            None | Some(Value::Null) => {}
            Some(Value::Object(m)) => {
                for (k, v) in m {
                    let text = filter_text(v).ok_or_else(|| {
                        format!("related_load: filter {k} needs a scalar or a list")
                    })?;
                    filter.push((k.clone(), text));
                }
            }
            Some(_) => return Err("related_load: filter must be an object".into()),
        }
        Ok(RelatedLoad {
            relation: relation.to_string(),
            filter,
        })
    }

    /// The save-time check: every entry names a relation of `entity` and a filter
    /// valid for the related entity.
    pub fn parse(
        schema: &Schema,
        entity: &str,
        definition: &Value,
    ) -> std::result::Result<(), String> {
        let items = match definition.get("related_load") {
            None | Some(Value::Null) => return Ok(()),
            Some(Value::Array(a)) => a,
            Some(_) => return Err("related_load must be an array".into()),
        };
        for item in items {
            let l = Self::one(item)?;
            let other = related_entity(schema, entity, &l.relation).ok_or_else(|| {
                format!("related_load: unknown relation {} of {entity}", l.relation)
            })?;
            l.conds(&other).map_err(|e| format!("related_load: {e}"))?;
        }
        Ok(())
    }

    fn conds(&self, e: &Entity) -> Result<Vec<Cond>> {
        let mut out = Vec::new();
        for (k, raw) in &self.filter {
            let (name, op) = k.split_once('.').unwrap_or((k.as_str(), "eq"));
            let f = e
                .field(name)
                .ok_or_else(|| EngineError::Invalid(format!("unknown filter field {name}")))?;
            out.push(condition(&f.name, f.kind, op, raw)?);
        }
        Ok(out)
    }
}

fn related_entity(schema: &Schema, entity: &str, relation: &str) -> Option<std::sync::Arc<Entity>> {
    let r = schema.resolve(relation, entity)?;
    let other = if r.forward {
        &r.relation.target
    } else {
        &r.relation.source
    };
    schema.entity(other).cloned()
}

fn too_many(relation: &str) -> EngineError {
    EngineError::Validation(vec![Detail::new(
        "",
        "related_load",
        format!("related_load {relation}: more than {MAX_ROWS} related rows"),
    )])
}

/// Loads every entry for the record `row` (the stored row on update, the payload
/// on create) of entity `e`: `{"<relation>": [record, …]}`.
pub async fn load(
    x: &mut Exec<'_>,
    schema: &Schema,
    e: &Entity,
    loads: &[RelatedLoad],
    row: &Value,
) -> Result<Value> {
    let mut out = Map::new();
    for l in loads {
        let rows = match schema.resolve(&l.relation, &e.name) {
            Some(r) => rows_of(x, schema, e, &r, l, row).await?,
            None => Vec::new(),
        };
        out.insert(l.relation.clone(), Value::Array(rows));
    }
    Ok(Value::Object(out))
}

/// The rows of one relation for `row`.
async fn rows_of(
    x: &mut Exec<'_>,
    schema: &Schema,
    e: &Entity,
    r: &rocket_meta::Resolved,
    l: &RelatedLoad,
    row: &Value,
) -> Result<Vec<Value>> {
    let rel = &r.relation;
    let Some(other) = related_entity(schema, &e.name, &rel.name) else {
        return Ok(Vec::new());
    };
    let (own_key, other_key) = if r.forward {
        (&rel.source_key, &rel.target_key)
    } else {
        (&rel.target_key, &rel.source_key)
    };
    let Some(value) = row.get(own_key.as_str()).and_then(text_form) else {
        return Ok(Vec::new()); // nothing to match (e.g. a create without the key)
    };
    let mut conds = l.conds(&other)?;
    if rel.kind() == RelationKind::ManyToMany {
        let (mine, theirs) = if r.forward {
            (&rel.source_join_key, &rel.target_join_key)
        } else {
            (&rel.target_join_key, &rel.source_join_key)
        };
        let ids = linked(x, &rel.join_table, mine, theirs, &value, e, &other).await?;
        let kind = other.pk().kind;
        conds.push(Cond::In {
            col: other.pk_name().to_string(),
            ty: kind,
            values: ids.iter().filter_map(|k| key_param(k, kind)).collect(),
            negate: false,
        });
    } else {
        let Some(f) = other.field(other_key) else {
            return Ok(Vec::new());
        };
        let Some(p) = key_param(&value, f.kind) else {
            return Ok(Vec::new());
        };
        conds.push(Cond::eq(&f.name, f.kind, p));
    }
    let q = Select {
        table: other.table.clone(),
        columns: record_columns(&other, false),
        conds: live(&other, conds),
        limit: Some(MAX_ROWS as i64 + 1),
        ..Default::default()
    }
    .to_sql(x.dialect());
    let rows = x.query(&q).await?;
    if rows.len() > MAX_ROWS {
        return Err(too_many(&rel.name));
    }
    let d = x.dialect();
    Ok(rows
        .into_iter()
        .map(|row| Value::Object(render_row(&other, row, d)))
        .collect())
}

/// The target keys linked to `value` through a join table (at most MAX_ROWS + 1).
async fn linked(
    x: &mut Exec<'_>,
    table: &str,
    mine: &str,
    theirs: &str,
    value: &str,
    e: &Entity,
    other: &Entity,
) -> Result<Vec<String>> {
    let Some(p) = key_param(value, e.pk().kind) else {
        return Ok(Vec::new());
    };
    let q = Select {
        table: table.to_string(),
        columns: vec![theirs.to_string()],
        conds: vec![Cond::eq(mine, e.pk().kind, p)],
        limit: Some(MAX_ROWS as i64 + 1),
        ..Default::default()
    }
    .to_sql(x.dialect());
    let rows = x.query(&q).await?;
    if rows.len() > MAX_ROWS {
        return Err(too_many(table));
    }
    let _ = other;
    Ok(rows
        .into_iter()
        .filter_map(|r| r.into_iter().next().and_then(|c| c.key_string()))
        .collect())
}
