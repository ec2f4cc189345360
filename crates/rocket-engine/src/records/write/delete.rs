//! `on_delete` policies (spec 04 §8): run for every relation whose source is the
//! deleted entity, in relation-name order, inside the delete transaction. Not
//! recursive.

use rocket_meta::{Entity, OnDelete, Relation, RelationKind, Schema};
use rocket_sql::{Cond, SqlValue, Write};
use rocket_store::{Cell, DbError, Param, Sql, Tx};

use crate::error::{EngineError, Result};
use crate::records::live;
use crate::records::values::key_param;

pub(super) async fn cascade(tx: &mut Tx, schema: &Schema, e: &Entity, key: &str) -> Result<()> {
    for r in schema.relations_from(&e.name) {
        let Some(tgt) = schema.entity(&r.target) else {
            continue;
        };
        if r.kind() == RelationKind::ManyToMany {
            links(tx, e, r, tgt, key).await?;
        } else {
            children(tx, r, tgt, key).await?;
        }
    }
    Ok(())
}

fn restrict(n: i64, target: &str) -> EngineError {
    EngineError::Conflict(format!("Cannot delete: {n} related {target} records exist"))
}

async fn count(tx: &mut Tx, q: &Sql) -> Result<i64> {
    Ok(tx
        .query(q)
        .await?
        .first()
        .and_then(|r| r.first())
        .and_then(Cell::as_i64)
        .unwrap_or(0))
}

/// Join rows of a many-to-many relation: `cascade`/`detach` drop them, `restrict`
/// blocks while any exist, `set_null` does nothing (Rust notes of spec 04 §8).
async fn links(tx: &mut Tx, e: &Entity, r: &Relation, tgt: &Entity, key: &str) -> Result<()> {
    let d = tx.dialect();
    let sk_kind = e.field(&r.source_key).map_or(e.pk().kind, |f| f.kind);
    let Some(p) = key_param(key, sk_kind) else {
        return Ok(());
    };
    let cond = [Cond::eq(&r.source_join_key, sk_kind, p)];
    match r.on_delete() {
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
    Ok(())
}

/// Children of a one-to-many / one-to-one relation, by `target_key`.
async fn children(tx: &mut Tx, r: &Relation, tgt: &Entity, key: &str) -> Result<()> {
    let d = tx.dialect();
    let Some(fk) = tgt.field(&r.target_key) else {
        return Ok(());
    };
    let Some(p) = key_param(key, fk.kind) else {
        return Ok(());
    };
    let cond = Cond::eq(&fk.name, fk.kind, p);
    match r.on_delete() {
        OnDelete::Cascade => {
            let q = if tgt.soft_delete {
                let stamp = [(
                    "deleted_at",
                    rocket_meta::FieldType::Timestamp,
                    SqlValue::Now,
                )];
                Write::update(d, &tgt.table, &stamp, &live(tgt, vec![cond]))
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
                DbError::NotNull | DbError::InvalidValue(_) => EngineError::Conflict(format!(
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
    Ok(())
}
