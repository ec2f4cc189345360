//! Nested relation writes: diff, replace, append (spec 05).

use super::*;

/// Converts a child row's known fields, reporting bad values as
/// `<relation>[<index>].<field>` (children are otherwise not validated, spec 05 §1).
pub(super) fn child_values<'a>(
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
            Err(m) => details.push(type_detail(&format!("{key}[{index}].{}", f.name), f, m)),
        }
    }
    if details.is_empty() {
        Ok(out)
    } else {
        Err(ApiError::Validation(details))
    }
}

pub(super) fn row_pk(t: &Entity, row: &Map<String, Value>) -> Option<String> {
    row.get(t.pk_name())
        .filter(|v| !v.is_null())
        .and_then(text_form)
}

pub(super) fn marked_delete(row: &Map<String, Value>) -> bool {
    matches!(row.get("_delete"), Some(Value::Bool(true)))
}

/// Removes a child: soft delete when the target has it, else a hard delete.
pub(super) fn remove_sql(t: &Entity, d: Dialect, pk: &str) -> ApiResult<Sql> {
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

pub(super) async fn nested_write(
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

pub(super) async fn link_write(
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
