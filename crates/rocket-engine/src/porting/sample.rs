//! Sample data of an import (spec 14 §2.2 step 11): rows written straight into the
//! tables, bypassing the write pipeline, with generated uuid keys on both dialects.

use std::sync::Arc;

use rocket_meta::{Entity, Relation, RelationKind, Schema};
use rocket_sql::{SqlValue, Write};
use rocket_store::{Dialect, Param, Store};
use serde_json::{Map, Value};

use super::{items, safe, Progress, Report};
use crate::app::App;
use crate::records::values::{text_form, to_param};
use crate::repo::new_id;

/// The record objects of one `sample_data` list.
type Records<'a> = Vec<&'a Map<String, Value>>;

pub(super) async fn import(
    app: &App,
    doc: &Map<String, Value>,
    rep: &mut Report,
    progress: &dyn Progress,
) {
    let Some(sample) = sample_of(doc) else {
        return;
    };
    let schema = app.schema();
    let tables: Vec<(&Entity, Records)> = items(doc, "entities")
        .into_iter()
        .filter_map(|item| {
            let name = item.get("name").and_then(Value::as_str)?;
            Some((schema.entity(name)?.as_ref(), rows_of(sample.get(name)?)))
        })
        .collect();
    let joins: Vec<(Arc<Relation>, Records)> = sample
        .iter()
        .filter(|(key, _)| schema.entity(key).is_none())
        .filter_map(|(key, rows)| Some((join_relation(&schema, doc, key)?, rows_of(rows))))
        .collect();
    let total = tables.iter().map(|(_, r)| r.len()).sum::<usize>()
        + joins.iter().map(|(_, r)| r.len()).sum::<usize>();
    progress.start(total as u64);
    for (e, rows) in tables {
        for rec in rows {
            entity_row(&app.store, e, rec, rep).await;
            progress.advance();
        }
    }
    for (r, rows) in joins {
        join_rows(&app.store, &schema, &r, &rows, rep, progress).await;
    }
}

/// The document's `sample_data`, when it is a non-empty object.
pub(super) fn sample_of(doc: &Map<String, Value>) -> Option<&Map<String, Value>> {
    doc.get("sample_data")
        .and_then(Value::as_object)
        .filter(|m| !m.is_empty())
}

/// The record objects of one `sample_data` list.
pub(super) fn rows_of(rows: &Value) -> Records<'_> {
    rows.as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_object)
        .collect()
}

/// The many-to-many relation of the document whose join table is `key`, as the
/// schema has it (spec 14 §2.2 step 11.2).
pub(super) fn join_relation(
    schema: &Schema,
    doc: &Map<String, Value>,
    key: &str,
) -> Option<Arc<Relation>> {
    let named = |r: &&Map<String, Value>| {
        r.get("join_table").and_then(Value::as_str) == Some(key)
            && r.get("type").and_then(Value::as_str) == Some("many_to_many")
    };
    items(doc, "relations")
        .into_iter()
        .find(named)
        .and_then(|r| schema.relation(r.get("name")?.as_str()?).cloned())
        .filter(|r| r.kind() == RelationKind::ManyToMany)
}

async fn entity_row(store: &Store, e: &Entity, rec: &Map<String, Value>, rep: &mut Report) {
    let d = store.dialect();
    let key = rec.get(e.pk_name()).and_then(text_form).unwrap_or_default();
    let mut cols: Vec<(&str, rocket_meta::FieldType, SqlValue)> = Vec::new();
    for f in &e.fields {
        let Some(v) = rec.get(&f.name) else { continue };
        match to_param(v, f.kind, d) {
            Ok(p) => cols.push((f.name.as_str(), f.kind, SqlValue::Param(p))),
            Err(_) => {
                rep.errors.push(format!(
                    "Record {}/{key}: {} must be {}",
                    e.name,
                    f.name,
                    f.kind.describe()
                ));
                return;
            }
        }
    }
    if cols.is_empty() {
        return;
    }
    if e.pk_app_generated() && !rec.contains_key(e.pk_name()) {
        cols.push((
            e.pk_name(),
            e.pk().kind,
            SqlValue::Param(Param::Text(new_id())),
        ));
    }
    match store
        .execute(&Write::insert_ignore(d, &e.table, &cols))
        .await
    {
        Ok(_) => rep.records += 1,
        Err(err) => rep
            .errors
            .push(format!("Record {}/{key}: {}", e.name, safe(&err))),
    }
}

/// Rows of a join table named by a many-to-many relation of the payload.
async fn join_rows(
    store: &Store,
    schema: &Schema,
    r: &Relation,
    rows: &[&Map<String, Value>],
    rep: &mut Report,
    progress: &dyn Progress,
) {
    let (Some(src), Some(tgt)) = (schema.entity(&r.source), schema.entity(&r.target)) else {
        return;
    };
    let key = &r.join_table;
    let sk = src.field(&r.source_key).map_or(src.pk().kind, |f| f.kind);
    let tk = tgt.pk().kind;
    let d: Dialect = store.dialect();
    for rec in rows {
        progress.advance();
        let (Some(a), Some(b)) = (rec.get(&r.source_join_key), rec.get(&r.target_join_key)) else {
            continue;
        };
        let (Ok(pa), Ok(pb)) = (to_param(a, sk, d), to_param(b, tk, d)) else {
            rep.errors.push(format!("Record {key}: invalid key values"));
            continue;
        };
        let cols = [
            (r.source_join_key.as_str(), sk, SqlValue::Param(pa)),
            (r.target_join_key.as_str(), tk, SqlValue::Param(pb)),
        ];
        match store
            .execute(&Write::insert_ignore(d, &r.join_table, &cols))
            .await
        {
            Ok(_) => rep.records += 1,
            Err(err) => rep.errors.push(format!("Record {key}: {}", safe(&err))),
        }
    }
}
