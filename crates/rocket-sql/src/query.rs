pub use rocket_meta::CmpOp;
use rocket_meta::{FieldType, FilterOp};

use crate::builder::{Builder, Dialect, Param, Sql};

fn cmp_sql(op: CmpOp) -> &'static str {
    match op {
        CmpOp::Eq => " = ",
        CmpOp::Neq => " != ",
        CmpOp::Gt => " > ",
        CmpOp::Gte => " >= ",
        CmpOp::Lt => " < ",
        CmpOp::Lte => " <= ",
    }
}

/// One WHERE condition. Column names come from metadata, never from input.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    Cmp {
        col: String,
        ty: FieldType,
        op: CmpOp,
        value: Param,
    },
    In {
        col: String,
        ty: FieldType,
        values: Vec<Param>,
        negate: bool,
    },
    Like {
        col: String,
        ty: FieldType,
        pattern: String,
    },
    IsNull(String),
    /// The row still has the version read before (Postgres: its `xmin`, as text):
    /// an optimistic check that nothing changed the row in between. SQLite has no
    /// row version (its writer is single anyway): there it matches nothing.
    RowVersion(Param),
}

impl Cond {
    /// The one mapping from a filter operator to a condition, shared by list filters
    /// and permission read conditions. `values` holds one value, or the list of
    /// `in` / `not_in`; `like` takes its pattern as text.
    pub fn from_op(col: &str, ty: FieldType, op: FilterOp, mut values: Vec<Param>) -> Cond {
        match op {
            FilterOp::Cmp(op) => Cond::Cmp {
                col: col.to_string(),
                ty,
                op,
                value: values.pop().unwrap_or(Param::Null),
            },
            FilterOp::In | FilterOp::NotIn => Cond::In {
                col: col.to_string(),
                ty,
                values,
                negate: op == FilterOp::NotIn,
            },
            FilterOp::Like => Cond::Like {
                col: col.to_string(),
                ty,
                pattern: match values.pop() {
                    Some(Param::Text(t)) => t,
                    Some(other) => other.to_pg_text().unwrap_or_default(),
                    None => String::new(),
                },
            },
        }
    }

    /// A condition no row satisfies.
    pub fn never() -> Cond {
        Cond::In {
            col: String::new(),
            ty: FieldType::String,
            values: Vec::new(),
            negate: false,
        }
    }

    pub fn eq(col: &str, ty: FieldType, value: Param) -> Cond {
        Cond::Cmp {
            col: col.to_string(),
            ty,
            op: CmpOp::Eq,
            value,
        }
    }

    fn render(&self, b: &mut Builder) {
        match self {
            Cond::Cmp { col, ty, op, value } => {
                if matches!(value, Param::Null) {
                    // `= NULL` never matches; spell the intent out instead.
                    b.ident(col);
                    b.push(if *op == CmpOp::Neq {
                        " IS NOT NULL"
                    } else {
                        " IS NULL"
                    });
                    return;
                }
                b.ident(col).push(cmp_sql(*op)).bind(value.clone(), *ty);
            }
            Cond::In {
                col,
                ty,
                values,
                negate,
            } => {
                if values.is_empty() {
                    b.push(if *negate { "1=1" } else { "1=0" });
                    return;
                }
                match b.dialect {
                    Dialect::Postgres => {
                        let texts = values
                            .iter()
                            .map(|p| p.to_pg_text().unwrap_or_default())
                            .collect();
                        b.ident(col)
                            .push(if *negate { " != ALL(" } else { " = ANY(" });
                        b.bind_pg_list(texts, *ty).push(")");
                    }
                    Dialect::Sqlite if values.len() > INLINE_LIST => {
                        // One JSON parameter instead of thousands of placeholders: the
                        // variable limit is never reached whatever the list length.
                        b.ident(col).push(if *negate {
                            " NOT IN (SELECT value FROM json_each("
                        } else {
                            " IN (SELECT value FROM json_each("
                        });
                        b.bind(Param::Text(json_list(values)), FieldType::Text)
                            .push("))");
                    }
                    Dialect::Sqlite => {
                        b.ident(col)
                            .push(if *negate { " NOT IN (" } else { " IN (" });
                        for (i, v) in values.iter().enumerate() {
                            if i > 0 {
                                b.push(", ");
                            }
                            b.bind(v.clone(), *ty);
                        }
                        b.push(")");
                    }
                }
            }
            Cond::Like { col, ty, pattern } => {
                b.ident(col);
                // LIKE needs text; cast non-text Postgres columns instead of failing.
                if b.dialect == Dialect::Postgres && !ty.is_textual() {
                    b.push("::text");
                }
                b.push(" LIKE ")
                    .bind(Param::Text(pattern.clone()), FieldType::Text);
            }
            Cond::IsNull(col) => {
                b.ident(col).push(" IS NULL");
            }
            Cond::RowVersion(v) => match b.dialect {
                Dialect::Postgres => {
                    b.push("xmin::text = ").bind(v.clone(), FieldType::Text);
                }
                Dialect::Sqlite => {
                    b.push("1=0");
                }
            },
        }
    }
}

/// Longest list bound as one placeholder per item on SQLite; longer lists travel as
/// one JSON array.
const INLINE_LIST: usize = 64;

/// A list of parameters as a JSON array whose items compare like the bound values.
fn json_list(values: &[Param]) -> String {
    let items: Vec<serde_json::Value> = values
        .iter()
        .map(|p| match p {
            Param::Null => serde_json::Value::Null,
            Param::Bool(b) => serde_json::Value::from(i64::from(*b)),
            Param::Int(i) => serde_json::Value::from(*i),
            Param::Float(f) => serde_json::Value::from(*f),
            Param::Text(t) => serde_json::Value::from(t.as_str()),
            Param::TextList(v) => serde_json::Value::from(v.join(",")),
        })
        .collect();
    serde_json::Value::Array(items).to_string()
}

pub(crate) fn render_where(b: &mut Builder, conds: &[Cond]) {
    for (i, c) in conds.iter().enumerate() {
        b.push(if i == 0 { " WHERE " } else { " AND " });
        c.render(b);
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    pub col: String,
    pub desc: bool,
}

/// At most `limit` rows per distinct value of `col` (ordered by `order`): bounds
/// includes per parent row.
#[derive(Debug, Clone, PartialEq)]
pub struct PerGroup {
    pub col: String,
    pub order: String,
    pub limit: i64,
}

/// A SELECT of named columns from one table.
#[derive(Debug, Clone, Default)]
pub struct Select {
    pub table: String,
    pub columns: Vec<String>,
    pub conds: Vec<Cond>,
    pub order: Vec<Order>,
    pub limit: Option<i64>,
    pub offset: Option<i64>,
    pub per_group: Option<PerGroup>,
    /// Lock the selected rows until the transaction ends (`FOR UPDATE` on Postgres;
    /// SQLite's single writer already excludes concurrent writes).
    pub for_update: bool,
}

impl Select {
    pub fn to_sql(&self, dialect: Dialect) -> Sql {
        let mut b = Builder::new(dialect);
        b.push("SELECT ");
        for (i, c) in self.columns.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.select_col(c);
        }
        b.push(" FROM ");
        match &self.per_group {
            None => {
                b.table(&self.table);
                render_where(&mut b, &self.conds);
            }
            Some(g) => {
                // Rows numbered within each group by a window function, then cut.
                b.push("(SELECT ");
                for c in &self.columns {
                    b.ident(c).push(", ");
                }
                b.push("ROW_NUMBER() OVER (PARTITION BY ").ident(&g.col);
                b.push(" ORDER BY ")
                    .ident(&g.order)
                    .push(") AS \"_rn\" FROM ");
                b.table(&self.table);
                render_where(&mut b, &self.conds);
                b.push(") AS ")
                    .ident(&self.table)
                    .push(" WHERE \"_rn\" <= ");
                b.bind_int(g.limit);
            }
        }
        for (i, o) in self.order.iter().enumerate() {
            b.push(if i == 0 { " ORDER BY " } else { ", " });
            // Qualified: a bare name would sort by the selected `"col"::text` output
            // column on Postgres (text order: "10" < "9"), not by the column itself.
            b.ident(&self.table).push(".").ident(&o.col);
            b.push(if o.desc { " DESC" } else { " ASC" });
        }
        if let Some(l) = self.limit {
            b.push(" LIMIT ").row_count(l);
        }
        if let Some(o) = self.offset {
            b.push(" OFFSET ").row_count(o);
        }
        if self.for_update && dialect == Dialect::Postgres {
            b.push(" FOR UPDATE");
        }
        b.finish()
    }

    /// `SELECT COUNT(*) AS count` over the same conditions (always aliased, spec 04 §3.5).
    pub fn count_sql(&self, dialect: Dialect) -> Sql {
        count(dialect, &self.table, &self.conds)
    }
}

pub(crate) fn count(dialect: Dialect, table: &str, conds: &[Cond]) -> Sql {
    let mut b = Builder::new(dialect);
    b.push("SELECT COUNT(*) AS count FROM ").table(table);
    render_where(&mut b, conds);
    b.finish()
}

/// A value written into a column.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Param(Param),
    Now,
}

fn returning_clause(b: &mut Builder, cols: &[String]) {
    for (i, c) in cols.iter().enumerate() {
        b.push(if i == 0 { " RETURNING " } else { ", " });
        b.select_col(c);
    }
}

/// Data-changing statements.
pub enum Write {}

impl Write {
    /// `INSERT INTO t (cols) VALUES (...) [RETURNING cols]`.
    pub fn insert(
        dialect: Dialect,
        table: &str,
        cols: &[(&str, FieldType, Value)],
        returning: &[String],
    ) -> Sql {
        let mut b = Builder::new(dialect);
        b.push("INSERT INTO ").table(table);
        if cols.is_empty() {
            b.push(" DEFAULT VALUES");
        } else {
            b.push(" (");
            for (i, (c, _, _)) in cols.iter().enumerate() {
                if i > 0 {
                    b.push(", ");
                }
                b.ident(c);
            }
            b.push(") VALUES (");
            for (i, (_, ty, v)) in cols.iter().enumerate() {
                if i > 0 {
                    b.push(", ");
                }
                match v {
                    Value::Param(p) => b.bind(p.clone(), *ty),
                    Value::Now => b.now(),
                };
            }
            b.push(")");
        }
        returning_clause(&mut b, returning);
        b.finish()
    }

    /// `INSERT ... ON CONFLICT DO NOTHING` (join rows, sample data).
    pub fn insert_ignore(dialect: Dialect, table: &str, cols: &[(&str, FieldType, Value)]) -> Sql {
        let mut s = Write::insert(dialect, table, cols, &[]);
        s.text.push_str(" ON CONFLICT DO NOTHING");
        s
    }

    pub fn update(
        dialect: Dialect,
        table: &str,
        sets: &[(&str, FieldType, Value)],
        conds: &[Cond],
    ) -> Sql {
        Write::update_returning(dialect, table, sets, conds, &[])
    }

    /// UPDATE that hands back the changed rows, saving a re-read.
    pub fn update_returning(
        dialect: Dialect,
        table: &str,
        sets: &[(&str, FieldType, Value)],
        conds: &[Cond],
        returning: &[String],
    ) -> Sql {
        let mut b = Builder::new(dialect);
        b.push("UPDATE ").table(table).push(" SET ");
        for (i, (c, ty, v)) in sets.iter().enumerate() {
            if i > 0 {
                b.push(", ");
            }
            b.ident(c).push(" = ");
            match v {
                Value::Param(p) => b.bind(p.clone(), *ty),
                Value::Now => b.now(),
            };
        }
        render_where(&mut b, conds);
        returning_clause(&mut b, returning);
        b.finish()
    }

    pub fn delete(dialect: Dialect, table: &str, conds: &[Cond]) -> Sql {
        let mut b = Builder::new(dialect);
        b.push("DELETE FROM ").table(table);
        render_where(&mut b, conds);
        b.finish()
    }

    pub fn count(dialect: Dialect, table: &str, conds: &[Cond]) -> Sql {
        count(dialect, table, conds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel() -> Select {
        Select {
            table: "order".into(),
            columns: vec!["id".into(), "total".into()],
            conds: vec![
                Cond::IsNull("deleted_at".into()),
                Cond::In {
                    col: "status".into(),
                    ty: FieldType::String,
                    values: vec![Param::Text("a".into()), Param::Text("b".into())],
                    negate: false,
                },
                Cond::Like {
                    col: "score".into(),
                    ty: FieldType::Int,
                    pattern: "%1%".into(),
                },
            ],
            order: vec![Order {
                col: "total".into(),
                desc: true,
            }],
            limit: Some(25),
            offset: Some(50),
            per_group: None,
            for_update: false,
        }
    }

    #[test]
    fn per_group_limits_use_a_window() {
        let s = Select {
            table: "orders".into(),
            columns: vec!["id".into(), "customer_id".into()],
            conds: vec![Cond::eq("customer_id", FieldType::Int, Param::Int(1))],
            per_group: Some(PerGroup {
                col: "customer_id".into(),
                order: "id".into(),
                limit: 3,
            }),
            ..Default::default()
        };
        assert_eq!(
            s.to_sql(Dialect::Sqlite).text,
            "SELECT \"id\", \"customer_id\" FROM (SELECT \"id\", \"customer_id\", ROW_NUMBER() OVER (PARTITION BY \"customer_id\" ORDER BY \"id\") AS \"_rn\" FROM \"main\".\"orders\" WHERE \"customer_id\" = ?1) AS \"orders\" WHERE \"_rn\" <= ?2"
        );
    }

    #[test]
    fn row_version_checks_xmin_on_postgres_only() {
        let conds = [Cond::RowVersion(Param::Text("812".into()))];
        let mut pg = Builder::new(Dialect::Postgres);
        render_where(&mut pg, &conds);
        let pg = pg.finish();
        assert_eq!(pg.text, " WHERE xmin::text = $1::text");
        assert_eq!(pg.params, vec![Param::Text("812".into())]);
        let mut lite = Builder::new(Dialect::Sqlite);
        render_where(&mut lite, &conds);
        assert_eq!(lite.finish().text, " WHERE 1=0");
    }

    #[test]
    fn long_sqlite_lists_bind_one_json_array() {
        let values: Vec<Param> = (0..100).map(Param::Int).collect();
        let mut b = Builder::new(Dialect::Sqlite);
        render_where(
            &mut b,
            &[Cond::In {
                col: "a".into(),
                ty: FieldType::Int,
                values,
                negate: false,
            }],
        );
        let s = b.finish();
        assert_eq!(s.text, " WHERE \"a\" IN (SELECT value FROM json_each(?1))");
        assert_eq!(s.params.len(), 1);
        assert!(matches!(&s.params[0], Param::Text(t) if t.starts_with("[0,1,2")));
    }

    #[test]
    fn select_postgres() {
        let s = sel().to_sql(Dialect::Postgres);
        assert_eq!(
            s.text,
            "SELECT \"id\"::text, \"total\"::text FROM \"public\".\"order\" WHERE \"deleted_at\" IS NULL AND \"status\" = ANY($1::text[]) AND \"score\"::text LIKE $2::text ORDER BY \"order\".\"total\" DESC LIMIT $3::text::int8 OFFSET $4::text::int8"
        );
        assert_eq!(s.params.len(), 4);
        assert_eq!(s.params[0], Param::TextList(vec!["a".into(), "b".into()]));
    }

    #[test]
    fn select_sqlite() {
        let s = sel().to_sql(Dialect::Sqlite);
        assert_eq!(
            s.text,
            "SELECT \"id\", \"total\" FROM \"main\".\"order\" WHERE \"deleted_at\" IS NULL AND \"status\" IN (?1, ?2) AND \"score\" LIKE ?3 ORDER BY \"order\".\"total\" DESC LIMIT 25 OFFSET 50"
        );
        assert_eq!(s.params.len(), 3, "row counts are written out on SQLite");
        let c = sel().count_sql(Dialect::Sqlite);
        assert!(c
            .text
            .starts_with("SELECT COUNT(*) AS count FROM \"main\".\"order\" WHERE"));
    }

    #[test]
    fn empty_lists_become_constants() {
        let mut b = Builder::new(Dialect::Sqlite);
        render_where(
            &mut b,
            &[
                Cond::In {
                    col: "a".into(),
                    ty: FieldType::String,
                    values: vec![],
                    negate: false,
                },
                Cond::In {
                    col: "a".into(),
                    ty: FieldType::String,
                    values: vec![],
                    negate: true,
                },
            ],
        );
        assert_eq!(b.finish().text, " WHERE 1=0 AND 1=1");
    }

    #[test]
    fn hostile_identifiers_stay_quoted() {
        let s = Write::delete(Dialect::Postgres, "x\"; DROP TABLE y; --", &[]);
        assert_eq!(s.text, "DELETE FROM \"public\".\"x\"\"; DROP TABLE y; --\"");
    }

    #[test]
    fn writes() {
        let s = Write::insert(
            Dialect::Postgres,
            "t",
            &[
                ("a", FieldType::Int, Value::Param(Param::Int(1))),
                ("c", FieldType::Timestamp, Value::Now),
            ],
            &["id".to_string()],
        );
        assert_eq!(s.text, "INSERT INTO \"public\".\"t\" (\"a\", \"c\") VALUES ($1::text::int4, NOW()) RETURNING \"id\"::text");
        let s = Write::update(
            Dialect::Sqlite,
            "t",
            &[
                ("a", FieldType::Int, Value::Param(Param::Null)),
                ("u", FieldType::Timestamp, Value::Now),
            ],
            &[Cond::eq("id", FieldType::Uuid, Param::Text("x".into()))],
        );
        assert_eq!(
            s.text,
            "UPDATE \"main\".\"t\" SET \"a\" = ?1, \"u\" = (strftime('%Y-%m-%dT%H:%M:%f', 'now') || '000Z') WHERE \"id\" = ?2"
        );
        let s = Write::insert_ignore(
            Dialect::Sqlite,
            "j",
            &[("a", FieldType::String, Value::Param(Param::Null))],
        );
        assert!(s.text.ends_with("ON CONFLICT DO NOTHING"));
    }
}
