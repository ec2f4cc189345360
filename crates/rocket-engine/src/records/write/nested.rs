//! Relation writes (spec 05) inside the parent's transaction, to any depth. Every
//! child create, update, removal and link is checked against the child entity's
//! policies, and only rows the caller may read are touched: a hidden child is as
//! absent as an unknown one (Rust contract, docs/security.md).

use std::future::Future;
use std::pin::Pin;

use rocket_meta::{Action, Entity, Relation, WriteMode};
use rocket_sql::{Cond, Select, SqlValue, Write};
use rocket_store::{Exec, Param, Tx};
use serde_json::{Map, Value};

use super::exec;
use super::plan::{ChildPlan, FieldValue, RelationPlan};
use crate::access::ReadScope;
use crate::error::{EngineError, Result};
use crate::records::values::key_param;
use crate::records::{live, pk_text, record_columns, render_row, Caller};

type Step<'a> = Pin<Box<dyn Future<Output = Result<()>> + Send + 'a>>;

/// Writes the relation plans of one row whose key is `key`.
pub(super) fn write<'a>(
    tx: &'a mut Tx,
    c: &'a Caller<'_>,
    parent: &'a Entity,
    key: &'a str,
    relations: &'a [RelationPlan<'_>],
) -> Step<'a> {
    Box::pin(async move {
        if relations.is_empty() {
            return Ok(());
        }
        let mut span = crate::events::span("engine", "writer", "nested_write.execute")
            .on(&parent.name, Some(key));
        span.result(write_all(tx, c, parent, key, relations).await)
    })
}

async fn write_all(
    tx: &mut Tx,
    c: &Caller<'_>,
    parent: &Entity,
    key: &str,
    relations: &[RelationPlan<'_>],
) -> Result<()> {
    {
        for rp in relations {
            if rp.relation.kind() == rocket_meta::RelationKind::ManyToMany {
                links(tx, c, parent, key, rp).await?;
            } else {
                rows(tx, c, key, rp).await?;
            }
        }
        Ok(())
    }
}

/// The current children of the parent that the caller may read, by canonical key,
/// in database order (none in append mode, which reads nothing).
async fn current(
    tx: &mut Tx,
    c: &Caller<'_>,
    t: &Entity,
    parent: Option<&FieldValue>,
    mode: WriteMode,
) -> Result<Vec<(String, Map<String, Value>)>> {
    let (Some(p), false) = (parent, mode == WriteMode::Append) else {
        return Ok(Vec::new());
    };
    let Some(filters) = c.access().read_scope(t).filters().map(<[Cond]>::to_vec) else {
        return Ok(Vec::new());
    };
    let mut conds = vec![Cond::eq(&p.name, p.kind, p.param.clone())];
    conds.extend(filters);
    let d = tx.dialect();
    let q = Select {
        table: t.table.clone(),
        columns: record_columns(t, false),
        conds: live(t, conds),
        for_update: true,
        ..Default::default()
    }
    .to_sql(d);
    Ok(tx
        .query(&q)
        .await?
        .into_iter()
        .filter_map(|r| Some((pk_text(t, &r)?, render_row(t, r, d))))
        .collect())
}

/// One-to-many / one-to-one rows: diff, replace, append (spec 05 §3).
async fn rows(tx: &mut Tx, c: &Caller<'_>, parent_key: &str, rp: &RelationPlan<'_>) -> Result<()> {
    let (t, r) = (&rp.target, &rp.relation);
    let access = c.access();
    let fk = t.field(&r.target_key).and_then(|f| {
        key_param(parent_key, f.kind).map(|param| FieldValue {
            name: f.name.clone(),
            kind: f.kind,
            param,
        })
    });
    let current = current(tx, c, t, fk.as_ref(), rp.mode).await?;
    let find = |k: &str| current.iter().find(|(key, _)| key == k).map(|(_, rec)| rec);
    let mut seen: Vec<&str> = Vec::new();
    for child in &rp.rows {
        match child {
            ChildPlan::Remove { key } => {
                if let Some(rec) = find(key) {
                    access.check_record(t, Action::Delete, rec)?;
                    exec::remove(&mut Exec::Tx(tx), t, key).await?;
                }
            }
            ChildPlan::Update { key, row } => {
                let Some(rec) = find(key) else { continue };
                seen.push(key);
                access.check_record(t, Action::Update, rec)?;
                exec::update(&mut Exec::Tx(tx), row, key, rec).await?;
                write(tx, c, t, key, &row.relations).await?;
            }
            ChildPlan::Insert(row) => {
                access.check(t, Action::Create)?;
                let written = exec::insert(&mut Exec::Tx(tx), row, fk.clone()).await?;
                let key = pk_text(t, &written)
                    .ok_or_else(|| EngineError::internal("insert returned no key"))?;
                write(tx, c, t, &key, &row.relations).await?;
            }
            ChildPlan::Link { .. } => {}
        }
    }
    if rp.mode == WriteMode::Replace {
        for (key, rec) in current.iter().filter(|(k, _)| !seen.contains(&k.as_str())) {
            access.check_record(t, Action::Delete, rec)?;
            exec::remove(&mut Exec::Tx(tx), t, key).await?;
        }
    }
    Ok(())
}

/// Of `keys` of `t`, the ones the caller may read (all of them for an unrestricted
/// reader; 403 when the caller may read nothing of `t`).
async fn visible(tx: &mut Tx, c: &Caller<'_>, t: &Entity, keys: &[String]) -> Result<Vec<String>> {
    if keys.is_empty() {
        return Ok(Vec::new());
    }
    let filters = match c.access().read_scope(t) {
        ReadScope::All => return Ok(keys.to_vec()),
        ReadScope::Nothing => {
            c.access().read_filters(t)?;
            return Ok(Vec::new());
        }
        ReadScope::Filtered(f) => f,
    };
    let kind = t.pk().kind;
    let mut conds = vec![Cond::In {
        col: t.pk_name().to_string(),
        ty: kind,
        values: keys.iter().filter_map(|k| key_param(k, kind)).collect(),
        negate: false,
    }];
    conds.extend(filters);
    first_column(tx, &t.table, t.pk_name(), live(t, conds)).await
}

/// The values of one column over the rows matching `conds`, as text.
async fn first_column(
    tx: &mut Tx,
    table: &str,
    col: &str,
    conds: Vec<Cond>,
) -> Result<Vec<String>> {
    let q = Select {
        table: table.to_string(),
        columns: vec![col.to_string()],
        conds,
        ..Default::default()
    }
    .to_sql(tx.dialect());
    Ok(tx
        .query(&q)
        .await?
        .into_iter()
        .filter_map(|r| r.first().and_then(|c| c.key_string()))
        .collect())
}

/// Many-to-many links (spec 05 §4): only targets the caller may read can be linked
/// or unlinked, and `replace` leaves links to hidden targets alone.
async fn links(
    tx: &mut Tx,
    c: &Caller<'_>,
    parent: &Entity,
    parent_key: &str,
    rp: &RelationPlan<'_>,
) -> Result<()> {
    let (t, r) = (&rp.target, &rp.relation);
    let sk_kind = parent
        .field(&r.source_key)
        .map_or(parent.pk().kind, |f| f.kind);
    let tk_kind = t.pk().kind;
    let sp = key_param(parent_key, sk_kind)
        .ok_or_else(|| EngineError::internal("unusable parent key"))?;
    let named: Vec<(&Param, &String, bool)> = rp
        .rows
        .iter()
        .filter_map(|row| match row {
            ChildPlan::Link { id, key, remove } => Some((id, key, *remove)),
            _ => None,
        })
        .collect();
    let keys: Vec<String> = named.iter().map(|(_, k, _)| (*k).clone()).collect();
    let seen = visible(tx, c, t, &keys).await?;
    if keys.iter().any(|k| !seen.contains(k)) {
        return Err(EngineError::Forbidden(format!(
            "Permission denied for read on {}",
            t.name
        )));
    }
    let join = Join {
        r,
        sk_kind,
        tk_kind,
        parent: sp,
    };
    let linked = join.linked(tx).await?;
    match rp.mode {
        WriteMode::Append => {
            for (id, _, _) in &named {
                tx.execute(&join.insert(tx.dialect(), (*id).clone(), true))
                    .await?;
            }
        }
        WriteMode::Diff => {
            for (id, key, remove) in &named {
                if *remove {
                    tx.execute(&join.delete(tx.dialect(), (*id).clone()))
                        .await?;
                } else if !linked.contains(key) {
                    tx.execute(&join.insert(tx.dialect(), (*id).clone(), false))
                        .await?;
                }
            }
        }
        WriteMode::Replace => {
            let removable = visible(tx, c, t, &linked).await?;
            for old in removable.iter().filter(|k| !keys.contains(k)) {
                if let Some(p) = key_param(old, tk_kind) {
                    tx.execute(&join.delete(tx.dialect(), p)).await?;
                }
            }
            for (id, key, _) in &named {
                if !linked.contains(key) {
                    tx.execute(&join.insert(tx.dialect(), (*id).clone(), false))
                        .await?;
                }
            }
        }
    }
    Ok(())
}

/// The join rows of one parent.
struct Join<'r> {
    r: &'r Relation,
    sk_kind: rocket_meta::FieldType,
    tk_kind: rocket_meta::FieldType,
    parent: Param,
}

impl Join<'_> {
    fn parent_cond(&self) -> Cond {
        Cond::eq(&self.r.source_join_key, self.sk_kind, self.parent.clone())
    }

    async fn linked(&self, tx: &mut Tx) -> Result<Vec<String>> {
        let (table, col) = (&self.r.join_table, &self.r.target_join_key);
        first_column(tx, table, col, vec![self.parent_cond()]).await
    }

    fn insert(&self, d: rocket_store::Dialect, target: Param, ignore: bool) -> rocket_store::Sql {
        let cols = [
            (
                self.r.source_join_key.as_str(),
                self.sk_kind,
                SqlValue::Param(self.parent.clone()),
            ),
            (
                self.r.target_join_key.as_str(),
                self.tk_kind,
                SqlValue::Param(target),
            ),
        ];
        if ignore {
            Write::insert_ignore(d, &self.r.join_table, &cols)
        } else {
            Write::insert(d, &self.r.join_table, &cols, &[])
        }
    }

    fn delete(&self, d: rocket_store::Dialect, target: Param) -> rocket_store::Sql {
        let conds = [
            self.parent_cond(),
            Cond::eq(&self.r.target_join_key, self.tk_kind, target),
        ];
        Write::delete(d, &self.r.join_table, &conds)
    }
}
