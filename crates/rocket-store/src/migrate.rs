//! The migrator (spec 02 §5): CREATE TABLE for new entities, ADD COLUMN for new
//! fields, never a drop; indexes for unique fields, soft delete and relation keys.
//!
//! Migrations run inside the transaction that stores the metadata (DDL is
//! transactional on both dialects), so a failed migration leaves neither a new
//! definition nor half a table behind.

use rocket_meta::{Entity, Relation, RelationKind, Schema};
use rocket_sql::{
    add_column, add_deleted_at, create_indexes, create_join_table, create_table, fk_index,
};
use rocket_sql::{template, Dialect, Param, Sql};

use crate::error::DbError;
use crate::row::{Cell, Row};
use crate::store::{Exec, Tx};

fn sql(d: Dialect, tpl: &str, params: Vec<Param>) -> Sql {
    Sql {
        text: template::render(d, tpl),
        params,
    }
}

fn text(c: &Cell) -> String {
    c.key_string().unwrap_or_default()
}

/// A catalog query about `table` (`{1}`), written for each dialect.
async fn catalog(
    x: &mut Exec<'_>,
    table: &str,
    postgres: &str,
    sqlite: &str,
) -> Result<Vec<Row>, DbError> {
    let d = x.dialect();
    let tpl = match d {
        Dialect::Postgres => postgres,
        Dialect::Sqlite => sqlite,
    };
    x.query(&sql(d, tpl, vec![Param::Text(table.into())])).await
}

pub async fn columns(x: &mut Exec<'_>, table: &str) -> Result<Vec<String>, DbError> {
    let rows = catalog(
        x,
        table,
        "SELECT column_name::text FROM information_schema.columns WHERE table_schema = 'public' AND table_name = {1}",
        "SELECT name FROM pragma_table_info({1}, 'main')",
    )
    .await?;
    Ok(rows.iter().map(|r| text(&r[0])).collect())
}

/// Tables and views: an entity may be mapped onto a view.
pub async fn table_exists(x: &mut Exec<'_>, table: &str) -> Result<bool, DbError> {
    let rows = catalog(
        x,
        table,
        "SELECT 1 FROM information_schema.tables WHERE table_schema = 'public' AND table_name = {1}",
        "SELECT 1 FROM main.sqlite_master WHERE type IN ('table', 'view') AND name = {1}",
    )
    .await?;
    Ok(!rows.is_empty())
}

/// Brings the entity's table up to its definition. `schema` supplies the relations
/// whose key columns live in this table and deserve an index.
pub async fn migrate_entity(tx: &mut Tx, e: &Entity, schema: &Schema) -> Result<(), DbError> {
    let d = tx.dialect();
    let mut stmts = Vec::new();
    if !table_exists(&mut Exec::Tx(tx), &e.table).await? {
        stmts = create_table(e, d);
    } else {
        let existing = columns(&mut Exec::Tx(tx), &e.table).await?;
        for f in &e.fields {
            if !existing.iter().any(|c| c == &f.name) {
                let (s, relaxed) = add_column(e, f, d);
                if relaxed {
                    tracing::warn!(
                        entity = %e.name, field = %f.name,
                        "required field added as a nullable column: existing rows have no value"
                    );
                }
                stmts.push(s);
            }
        }
        if e.extra_deleted_at() && !existing.iter().any(|c| c == "deleted_at") {
            stmts.push(add_deleted_at(e, d));
        }
        stmts.extend(create_indexes(e, d));
    }
    for r in schema.relations() {
        if r.target == e.name && r.kind() != RelationKind::ManyToMany && e.has_field(&r.target_key)
        {
            stmts.push(fk_index(d, &e.table, &r.target_key));
        }
    }
    tx.batch(&stmts).await
}

/// Creates the join table of a many-to-many relation if absent, and the key index of
/// a one-to-many/one-to-one relation.
pub async fn migrate_relation(tx: &mut Tx, r: &Relation, schema: &Schema) -> Result<(), DbError> {
    let (Some(src), Some(tgt)) = (schema.entity(&r.source), schema.entity(&r.target)) else {
        return Ok(());
    };
    let d = tx.dialect();
    match r.kind() {
        RelationKind::ManyToMany => {
            if table_exists(&mut Exec::Tx(tx), &r.join_table).await? {
                return Ok(());
            }
            let Some(stmts) = create_join_table(r, src, tgt, d) else {
                return Err(DbError::Other(format!(
                    "cannot resolve key types for join table {}",
                    r.join_table
                )));
            };
            tx.batch(&stmts).await
        }
        _ => {
            if tgt.has_field(&r.target_key) && table_exists(&mut Exec::Tx(tx), &tgt.table).await? {
                tx.batch(&[fk_index(d, &tgt.table, &r.target_key)]).await
            } else {
                Ok(())
            }
        }
    }
}
