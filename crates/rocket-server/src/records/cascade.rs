//! `on_delete` policies (spec 04 §8).

use super::*;

/// `on_delete` policies of every relation whose source is `e`, in name order, in the
/// delete transaction (spec 04 §8). Not recursive.
pub(super) async fn cascade(
    tx: &mut Tx,
    d: Dialect,
    schema: &Schema,
    e: &Entity,
    key: &str,
) -> ApiResult<()> {
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

pub(super) fn restrict(n: i64, target: &str) -> ApiError {
    ApiError::Conflict(format!("Cannot delete: {n} related {target} records exist"))
}

pub(super) async fn count(tx: &mut Tx, q: &Sql) -> ApiResult<i64> {
    Ok(tx
        .query(q)
        .await?
        .first()
        .and_then(|r| r.first())
        .and_then(Cell::as_i64)
        .unwrap_or(0))
}
