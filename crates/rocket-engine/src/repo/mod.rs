//! Typed repositories of the system tables (spec 02 §3–4): one module per table
//! holds its SQL and maps its rows to a struct and back. Admin APIs, import and the
//! snapshot loader all go through them; nothing else decodes a system row.
//!
//! SQL is written once for both dialects as templates (`rocket_sql::template`).

pub mod apps;
pub mod entities;
pub mod files;
pub mod invites;
pub mod outbox;
pub mod permissions;
pub mod relations;
pub mod rules;
pub mod settings;
pub mod state_machines;
pub mod table;

pub(crate) use table::{all, find, insert_new, update};
pub mod tokens;
pub mod ui_configs;
pub mod users;
pub mod webhook_logs;
pub mod webhooks;
pub mod workflows;

use rocket_sql::template;
use rocket_store::{Cell, DbError, Dialect, Exec, Param, Row, Sql};
use serde_json::Value;

use crate::records::values::rfc3339;

/// Renders a system-SQL template with its parameters.
pub(crate) fn sql(d: Dialect, tpl: &str, params: Vec<Param>) -> Sql {
    Sql {
        text: template::render(d, tpl),
        params,
    }
}

/// Runs a template query and decodes every row with `decode`.
pub(crate) async fn fetch<T>(
    x: &mut Exec<'_>,
    tpl: &str,
    params: Vec<Param>,
    decode: impl Fn(&mut Reader) -> T,
) -> Result<Vec<T>, DbError> {
    let rows = x.query(&sql(x.dialect(), tpl, params)).await?;
    Ok(rows
        .into_iter()
        .map(|r| decode(&mut Reader::new(r)))
        .collect())
}

/// Runs a template query expected to find at most one row.
pub(crate) async fn fetch_one<T>(
    x: &mut Exec<'_>,
    tpl: &str,
    params: Vec<Param>,
    decode: impl Fn(&mut Reader) -> T,
) -> Result<Option<T>, DbError> {
    Ok(fetch(x, tpl, params, decode).await?.into_iter().next())
}

/// True when the template query finds a row.
pub(crate) async fn exists(
    x: &mut Exec<'_>,
    tpl: &str,
    params: Vec<Param>,
) -> Result<bool, DbError> {
    Ok(fetch_one(x, tpl, params, |_| ()).await?.is_some())
}

/// Deletes the row of `table` with this uuid `id`; returns the affected row count.
pub(crate) async fn delete_by_id(x: &mut Exec<'_>, table: &str, id: &str) -> Result<u64, DbError> {
    let tpl = format!("DELETE FROM {table} WHERE id = {{1:uuid}}");
    run(x, &tpl, vec![Param::Text(id.to_ascii_lowercase())]).await
}

/// Runs a template statement; returns the affected row count.
pub(crate) async fn run(x: &mut Exec<'_>, tpl: &str, params: Vec<Param>) -> Result<u64, DbError> {
    let d = x.dialect();
    x.execute(&sql(d, tpl, params)).await
}

/// Reads the cells of one row in SELECT order. Every repository decodes its rows
/// right beside the SELECT that produced them.
pub(crate) struct Reader {
    cells: std::vec::IntoIter<Cell>,
}

impl Reader {
    pub(crate) fn new(row: Row) -> Reader {
        Reader {
            cells: row.into_iter(),
        }
    }

    /// The next cell (NULL past the end).
    pub(crate) fn cell(&mut self) -> Cell {
        self.cells.next().unwrap_or(Cell::Null)
    }

    pub(crate) fn text(&mut self) -> String {
        self.cell().into_string().unwrap_or_default()
    }

    pub(crate) fn opt_text(&mut self) -> Option<String> {
        self.cell().into_string()
    }

    pub(crate) fn int(&mut self) -> i64 {
        self.cell().as_i64().unwrap_or(0)
    }

    /// A JSON column (JSONB read as text on Postgres, TEXT or BLOB on SQLite).
    pub(crate) fn json(&mut self) -> Value {
        match self.cell() {
            Cell::Text(s) => serde_json::from_str(&s).unwrap_or(Value::Null),
            _ => Value::Null,
        }
    }

    /// A string array: JSON text on both dialects (Postgres via `array_to_json`),
    /// tolerating the `{a,b}` text other writers may have left (spec 02 §2).
    pub(crate) fn list(&mut self) -> Vec<String> {
        let Cell::Text(s) = self.cell() else {
            return Vec::new();
        };
        if let Ok(v) = serde_json::from_str::<Vec<String>>(&s) {
            return v;
        }
        let inner = s.trim().trim_start_matches('{').trim_end_matches('}');
        inner
            .split(',')
            .map(|x| x.trim().trim_matches('"').to_string())
            .filter(|x| !x.is_empty())
            .collect()
    }

    /// A boolean column (`0/1` on SQLite, `t/f` text on Postgres); NULL → `None`.
    pub(crate) fn opt_flag(&mut self) -> Option<bool> {
        match self.cell() {
            Cell::Int(i) => Some(i != 0),
            Cell::Text(s) => match s.as_str() {
                "t" | "true" | "1" => Some(true),
                "f" | "false" | "0" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    pub(crate) fn flag(&mut self, default: bool) -> bool {
        self.opt_flag().unwrap_or(default)
    }

    /// A timestamp rendered in RFC 3339 UTC, whoever wrote it.
    pub(crate) fn time(&mut self) -> Option<String> {
        self.cell().into_string().map(|s| rfc3339(&s))
    }

    /// A timestamp as an instant.
    pub(crate) fn instant(&mut self) -> Option<chrono::DateTime<chrono::Utc>> {
        self.cell().into_string().and_then(|s| parse_time(&s))
    }
}

/// Parses a stored timestamp of either dialect (or of another implementation).
pub(crate) fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    crate::records::timestamp::parse(&rfc3339(s))
}

/// A string array for a `TEXT[]` (Postgres) / JSON-text (SQLite) column.
pub(crate) fn list_param(d: Dialect, items: &[String]) -> Param {
    match d {
        Dialect::Postgres => Param::TextList(items.to_vec()),
        Dialect::Sqlite => Param::Text(Value::from(items.to_vec()).to_string()),
    }
}

/// A JSON value for a JSONB / TEXT column.
pub(crate) fn json_param(v: &Value) -> Param {
    Param::Text(v.to_string())
}

/// An instant as a parameter of a system table: RFC 3339 for Postgres, SQLite's own
/// `YYYY-MM-DD HH:MM:SS` so SQL comparisons with `datetime('now')` stay correct.
pub(crate) fn time_param(d: Dialect, t: chrono::DateTime<chrono::Utc>) -> Param {
    Param::Text(match d {
        Dialect::Postgres => t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        Dialect::Sqlite => t.format("%Y-%m-%d %H:%M:%S").to_string(),
    })
}

/// ` FOR UPDATE SKIP LOCKED` on Postgres (claims that skip rows another claimer
/// holds); nothing on SQLite, whose single writer already serialises claims.
pub(crate) fn skip_locked(d: Dialect) -> &'static str {
    match d {
        Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        Dialect::Sqlite => "",
    }
}

pub(crate) fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub(crate) fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// 32 random bytes, hex-encoded: app and platform secrets (spec 12 §2).
pub(crate) fn random_secret() -> Result<String, getrandom::Error> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b)?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reader_decodes_cells_in_order() {
        let mut r = Reader::new(vec![
            Cell::Text("a".into()),
            Cell::Text("[\"x\",\"y\"]".into()),
            Cell::Text("{p,q}".into()),
            Cell::Int(0),
            Cell::Text("t".into()),
            Cell::Null,
            Cell::Text("2025-01-15 10:30:00+00".into()),
            Cell::Text("{\"k\":1}".into()),
        ]);
        assert_eq!(r.text(), "a");
        assert_eq!(r.list(), ["x", "y"]);
        assert_eq!(r.list(), ["p", "q"]);
        assert!(!r.flag(true));
        assert!(r.flag(false));
        assert_eq!(r.opt_flag(), None);
        assert_eq!(r.time().as_deref(), Some("2025-01-15T10:30:00Z"));
        assert_eq!(r.json(), serde_json::json!({"k": 1}));
        assert_eq!(r.text(), "", "past the end reads as NULL");
    }
}
