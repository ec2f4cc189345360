//! Typed rows of the system tables (spec 02 §3–4). A table is its name and a
//! column spec; a row type's serde field names are its column names, so a row
//! decodes into its struct and a struct binds as the parameters of its INSERT
//! without code per table. Repositories add only their WHERE and ORDER BY clauses.
//!
//! Column spec: space-separated `name` or `name:kind`, kinds `uuid`, `json`, `int`,
//! `bool`, `time` (read in RFC 3339 UTC, written by the database default) and `list`
//! (a string array); no kind is text.

use rocket_store::{Cell, DbError, Dialect, Exec, Param, Row};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Number, Value};

use super::{list_param, new_id, run, sql, Reader};

/// How a column is stored and read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Text,
    Uuid,
    Json,
    Int,
    Float,
    Bool,
    Time,
    List,
}

impl Kind {
    fn parse(s: &str) -> Kind {
        match s {
            "uuid" => Kind::Uuid,
            "json" => Kind::Json,
            "int" => Kind::Int,
            "float" => Kind::Float,
            "bool" => Kind::Bool,
            "time" => Kind::Time,
            "list" => Kind::List,
            _ => Kind::Text,
        }
    }

    /// The template marker of a parameter for this column (`rocket_sql::template`).
    fn placeholder(self, n: usize) -> String {
        match self {
            Kind::Text => format!("{{{n}}}"),
            Kind::Uuid => format!("{{{n}:uuid}}"),
            Kind::Json => format!("{{{n}:jsonb}}"),
            Kind::Int => format!("{{{n}:int4}}"),
            Kind::Float => format!("{{{n}:float8}}"),
            Kind::Bool => format!("{{{n}:bool}}"),
            Kind::Time => format!("{{{n}:timestamptz}}"),
            Kind::List => format!("{{{n}:list}}"),
        }
    }

    /// The template form of the column in a SELECT list.
    fn read(self, name: &str) -> String {
        match self {
            Kind::Text | Kind::Int | Kind::Float | Kind::Bool => name.to_string(),
            Kind::Uuid | Kind::Json | Kind::Time => format!("[{name}]"),
            Kind::List => format!("[{name}:list]"),
        }
    }
}

/// A system table: its name, columns, lookup key and listing order.
#[derive(Debug, Clone, Copy)]
pub struct Table {
    pub name: &'static str,
    spec: &'static str,
    key: &'static str,
    order: &'static str,
}

impl Table {
    /// A table keyed by `id` (a uuid), listed in that order.
    pub(crate) const fn new(name: &'static str, spec: &'static str) -> Table {
        Table {
            name,
            spec,
            key: "id",
            order: "id",
        }
    }

    /// The column [`find`] looks rows up by.
    pub(crate) const fn key(self, key: &'static str) -> Table {
        Table { key, ..self }
    }

    /// The ORDER BY of [`all`].
    pub(crate) const fn order(self, order: &'static str) -> Table {
        Table { order, ..self }
    }

    fn kind_of(&self, col: &str) -> Kind {
        self.columns()
            .find(|(n, _)| *n == col)
            .map_or(Kind::Text, |(_, k)| k)
    }

    fn columns(&self) -> impl Iterator<Item = (&'static str, Kind)> {
        self.spec
            .split_whitespace()
            .map(|c| match c.split_once(':') {
                Some((name, kind)) => (name, Kind::parse(kind)),
                None => (c, Kind::Text),
            })
    }

    /// Every column as read, comma-separated (a SELECT or RETURNING list), as a template.
    pub(crate) fn column_list(&self) -> String {
        let cols: Vec<String> = self.columns().map(|(n, k)| k.read(n)).collect();
        cols.join(", ")
    }

    /// `SELECT <every column> FROM <table>`, as a template.
    pub(crate) fn select(&self) -> String {
        format!("SELECT {} FROM {}", self.column_list(), self.name)
    }

    /// A row decoded by the column kinds (`cols`: [`Table::columns`], parsed once
    /// per query); a NULL column is left out, so the row type's serde defaults apply.
    fn decode<T: DeserializeOwned>(&self, cols: &[(&str, Kind)], row: Row) -> Result<T, DbError> {
        let mut r = Reader::new(row);
        let mut m = Map::new();
        for &(name, kind) in cols {
            if let Some(v) = read(&mut r, kind) {
                m.insert(name.to_string(), v);
            }
        }
        serde_json::from_value(Value::Object(m))
            .map_err(|e| DbError::Other(format!("{}: {e}", self.name)))
    }

    /// `INSERT` of the uuid `id` and the columns a row binds (time columns take
    /// their defaults).
    fn insert<T: Serialize>(
        &self,
        d: Dialect,
        id: String,
        row: &T,
    ) -> Result<(String, Vec<Param>), DbError> {
        let Value::Object(fields) =
            serde_json::to_value(row).map_err(|e| DbError::Other(e.to_string()))?
        else {
            return Err(DbError::Other(format!("{}: not a row", self.name)));
        };
        let mut cols = Vec::new();
        let mut marks = Vec::new();
        let mut params = Vec::new();
        let given = ("id", Kind::Uuid, Value::String(id));
        let bound = self
            .columns()
            .filter(|(_, k)| *k != Kind::Time)
            .map(|(n, k)| (n, k, fields.get(n).cloned().unwrap_or(Value::Null)));
        for (name, kind, value) in std::iter::once(given).chain(bound) {
            params.push(bind(d, kind, value));
            cols.push(name);
            marks.push(kind.placeholder(params.len()));
        }
        let sql = format!(
            "INSERT INTO {} ({}) VALUES ({})",
            self.name,
            cols.join(", "),
            marks.join(", ")
        );
        Ok((sql, params))
    }
}

impl Table {
    /// `UPDATE` of the columns a row binds (not `id`, not time columns) and
    /// `updated_at`, by `id`.
    fn update<T: Serialize>(
        &self,
        d: Dialect,
        id: &str,
        row: &T,
    ) -> Result<(String, Vec<Param>), DbError> {
        let (_, params) = self.insert(d, id.to_ascii_lowercase(), row)?;
        let sets: Vec<String> = self
            .columns()
            .filter(|(n, k)| *k != Kind::Time && *n != "id")
            .enumerate()
            .map(|(i, (n, k))| format!("{n} = {}", k.placeholder(i + 2)))
            .collect();
        let sql = format!(
            "UPDATE {} SET {}, updated_at = {{now}} WHERE id = {{1:uuid}}",
            self.name,
            sets.join(", ")
        );
        Ok((sql, params))
    }
}

fn read(r: &mut Reader, kind: Kind) -> Option<Value> {
    match kind {
        Kind::Text | Kind::Uuid => r.opt_text().map(Value::String),
        Kind::Time => r.time().map(Value::String),
        Kind::Json => Some(r.json()).filter(|v| !v.is_null()),
        Kind::Int => match r.cell() {
            Cell::Int(i) => Some(Value::Number(i.into())),
            Cell::Text(s) => s
                .trim()
                .parse::<i64>()
                .ok()
                .map(Number::from)
                .map(Value::Number),
            _ => None,
        },
        Kind::Float => match r.cell() {
            Cell::Float(f) => Number::from_f64(f).map(Value::Number),
            Cell::Int(i) => Some(Value::Number(i.into())),
            Cell::Text(s) => s
                .trim()
                .parse::<f64>()
                .ok()
                .and_then(Number::from_f64)
                .map(Value::Number),
            Cell::Null => None,
        },
        Kind::Bool => r.opt_flag().map(Value::Bool),
        Kind::List => Some(Value::from(r.list())),
    }
}

fn bind(d: Dialect, kind: Kind, v: Value) -> Param {
    match (kind, v) {
        (_, Value::Null) if kind != Kind::Json => Param::Null,
        (Kind::Json, v) => Param::Text(v.to_string()),
        (Kind::Int, v) => v.as_i64().map_or(Param::Null, Param::Int),
        (Kind::Float, v) => v.as_f64().map_or(Param::Null, Param::Float),
        (Kind::Bool, v) => v.as_bool().map_or(Param::Null, Param::Bool),
        (Kind::List, v) => {
            let items: Vec<String> = v
                .as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|x| x.as_str().map(String::from))
                        .collect()
                })
                .unwrap_or_default();
            list_param(d, &items)
        }
        (_, Value::String(s)) => Param::Text(s),
        (_, v) => Param::Text(v.to_string()),
    }
}

/// When a row was created and last changed (RFC 3339 UTC), as the admin API
/// shows them.
#[derive(Debug, Clone, Default, Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Stamps {
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

/// A row type of one system table.
pub trait Stored: Serialize + DeserializeOwned {
    const TABLE: Table;

    /// A decoded row with legacy or stray values made sound; as read by default.
    fn loaded(self) -> Self {
        self
    }
}

/// The rows of `T`'s table matching `clause` (`WHERE … ORDER BY …`, a template
/// with `params`).
pub(crate) async fn select<T: Stored>(
    x: &mut Exec<'_>,
    clause: &str,
    params: Vec<Param>,
) -> Result<Vec<T>, DbError> {
    let tpl = format!("{} {clause}", T::TABLE.select());
    let rows = x.query(&sql(x.dialect(), &tpl, params)).await?;
    decode_all(rows)
}

/// The rows a data-changing template returns (`… RETURNING <T's column list>`).
pub(crate) async fn write_returning<T: Stored>(
    x: &mut Exec<'_>,
    tpl: &str,
    params: Vec<Param>,
) -> Result<Vec<T>, DbError> {
    let rows = x.query_write(&sql(x.dialect(), tpl, params)).await?;
    decode_all(rows)
}

fn decode_all<T: Stored>(rows: Vec<Row>) -> Result<Vec<T>, DbError> {
    let cols: Vec<_> = T::TABLE.columns().collect();
    rows.into_iter()
        .map(|row| T::TABLE.decode::<T>(&cols, row).map(T::loaded))
        .collect()
}

/// The first row of `T`'s table matching `clause`.
pub(crate) async fn select_one<T: Stored>(
    x: &mut Exec<'_>,
    clause: &str,
    params: Vec<Param>,
) -> Result<Option<T>, DbError> {
    Ok(select(x, clause, params).await?.into_iter().next())
}

/// Every row of `T`'s table, in its order.
pub(crate) async fn all<T: Stored>(x: &mut Exec<'_>) -> Result<Vec<T>, DbError> {
    select(x, &format!("ORDER BY {}", T::TABLE.order), vec![]).await
}

/// The row of `T`'s table whose key is `key` (a uuid key that is no uuid finds
/// nothing).
pub(crate) async fn find<T: Stored>(x: &mut Exec<'_>, key: &str) -> Result<Option<T>, DbError> {
    let t = T::TABLE;
    let kind = t.kind_of(t.key);
    let key = match kind {
        Kind::Uuid if !rocket_meta::looks_like_uuid(key) => return Ok(None),
        Kind::Uuid => key.to_ascii_lowercase(),
        _ => key.to_string(),
    };
    let clause = format!("WHERE {} = {}", t.key, kind.placeholder(1));
    select_one(x, &clause, vec![Param::Text(key)]).await
}

/// Inserts `row` under a fresh uuid `id`; returns the id.
pub(crate) async fn insert_new<T: Stored>(x: &mut Exec<'_>, row: &T) -> Result<String, DbError> {
    let id = new_id();
    let (tpl, params) = T::TABLE.insert(x.dialect(), id.clone(), row)?;
    run(x, &tpl, params).await?;
    Ok(id)
}

/// Replaces the row with uuid `id` by `row`; returns the affected row count.
pub(crate) async fn update<T: Stored>(x: &mut Exec<'_>, id: &str, row: &T) -> Result<u64, DbError> {
    let (tpl, params) = T::TABLE.update(x.dialect(), id, row)?;
    run(x, &tpl, params).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;
    use serde_json::json;

    #[derive(Debug, Default, PartialEq, Serialize, Deserialize)]
    #[serde(default)]
    struct Probe {
        name: String,
        #[serde(rename = "type")]
        kind: String,
        def: Value,
        n: i64,
        on: bool,
        tags: Vec<String>,
        at: Option<String>,
        who: Option<String>,
    }

    const T: Table = Table::new(
        "_probe",
        "name type def:json n:int on:bool tags:list at:time who:uuid",
    );

    #[test]
    fn selects_with_the_template_casts() {
        assert_eq!(
            T.select(),
            "SELECT name, type, [def], n, on, [tags:list], [at], [who] FROM _probe"
        );
    }

    #[test]
    fn rows_decode_by_kind_and_nulls_take_defaults() {
        let row = vec![
            Cell::Text("a".into()),
            Cell::Text("rule".into()),
            Cell::Text("{\"k\":[1]}".into()),
            Cell::Text("7".into()),
            Cell::Text("t".into()),
            Cell::Text("{x,y}".into()),
            Cell::Text("2025-01-15 10:30:00+00".into()),
            Cell::Null,
        ];
        let cols: Vec<_> = T.columns().collect();
        let p: Probe = T.decode(&cols, row).unwrap();
        assert_eq!(
            p,
            Probe {
                name: "a".into(),
                kind: "rule".into(),
                def: json!({"k": [1]}),
                n: 7,
                on: true,
                tags: vec!["x".into(), "y".into()],
                at: Some("2025-01-15T10:30:00Z".into()),
                who: None,
            }
        );
        let empty: Probe = T.decode(&cols, vec![Cell::Null; 8]).unwrap();
        assert_eq!(empty, Probe::default());
    }

    #[test]
    fn rows_bind_by_kind_without_time_columns() {
        let p = Probe {
            name: "a".into(),
            kind: "rule".into(),
            def: json!({"k": 1}),
            n: 3,
            on: true,
            tags: vec!["x".into()],
            at: Some("ignored".into()),
            who: None,
        };
        let (sql, params) = T.insert(Dialect::Sqlite, "id-1".into(), &p).unwrap();
        assert_eq!(
            sql,
            "INSERT INTO _probe (id, name, type, def, n, on, tags, who) VALUES \
             ({1:uuid}, {2}, {3}, {4:jsonb}, {5:int4}, {6:bool}, {7:list}, {8:uuid})"
        );
        assert_eq!(
            params,
            vec![
                Param::Text("id-1".into()),
                Param::Text("a".into()),
                Param::Text("rule".into()),
                Param::Text("{\"k\":1}".into()),
                Param::Int(3),
                Param::Bool(true),
                Param::Text("[\"x\"]".into()),
                Param::Null,
            ]
        );
        let (up, params) = T.update(Dialect::Sqlite, "ID-1", &p).unwrap();
        assert_eq!(
            up,
            "UPDATE _probe SET name = {2}, type = {3}, def = {4:jsonb}, n = {5:int4}, on = {6:bool}, \
             tags = {7:list}, who = {8:uuid}, updated_at = {now} WHERE id = {1:uuid}"
        );
        assert_eq!(params[0], Param::Text("id-1".into()));
        let (_, pg) = T.insert(Dialect::Postgres, "id-1".into(), &p).unwrap();
        assert_eq!(pg[6], Param::TextList(vec!["x".into()]));
    }
}
