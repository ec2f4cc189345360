//! Small helpers for system-table SQL shared by every module.

use rocket_sql::template;
use rocket_store::{Cell, Dialect, Param, Sql};
use serde_json::Value;

/// Renders a system-SQL template (see `rocket_sql::template`) with its parameters.
pub fn sql(d: Dialect, tpl: &str, params: Vec<Param>) -> Sql {
    Sql {
        text: template::render(d, tpl),
        params,
    }
}

/// A string array for a `TEXT[]` (Postgres) / JSON-text (SQLite) column.
pub fn list_param(d: Dialect, items: &[String]) -> Param {
    match d {
        Dialect::Postgres => Param::TextList(items.to_vec()),
        Dialect::Sqlite => {
            Param::Text(serde_json::to_string(items).unwrap_or_else(|_| "[]".into()))
        }
    }
}

/// Reads a roles-like column: JSON text on both dialects (Postgres via
/// `array_to_json`), tolerating the `{a,b}` array text other writers may have left.
pub fn list_cell(c: &Cell) -> Vec<String> {
    let Some(s) = c.as_str() else {
        return Vec::new();
    };
    if let Ok(v) = serde_json::from_str::<Vec<String>>(s) {
        return v;
    }
    let inner = s.trim().trim_start_matches('{').trim_end_matches('}');
    inner
        .split(',')
        .map(|x| x.trim().trim_matches('"').to_string())
        .filter(|x| !x.is_empty())
        .collect()
}

pub fn bool_cell(c: &Cell) -> Option<bool> {
    match c {
        Cell::Int(i) => Some(*i != 0),
        Cell::Text(s) => match s.as_str() {
            "t" | "true" | "1" => Some(true),
            "f" | "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

pub fn text_cell(c: &Cell) -> String {
    c.key_string().unwrap_or_default()
}

pub fn json_cell(c: &Cell) -> Value {
    match c {
        Cell::Text(s) => serde_json::from_str(s).unwrap_or(Value::Null),
        _ => Value::Null,
    }
}

pub fn time_cell(c: &Cell) -> Value {
    match c.as_str() {
        Some(s) => Value::String(crate::values::rfc3339(s)),
        None => Value::Null,
    }
}

/// Parses a stored timestamp of either dialect (or of another implementation).
pub fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let norm = crate::values::rfc3339(s);
    chrono::DateTime::parse_from_rfc3339(&norm)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// A future timestamp as a parameter: RFC 3339 for Postgres, SQLite's own
/// `YYYY-MM-DD HH:MM:SS` so SQL comparisons with `datetime('now')` stay correct.
pub fn time_param(d: Dialect, t: chrono::DateTime<chrono::Utc>) -> Param {
    Param::Text(match d {
        Dialect::Postgres => t.to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
        Dialect::Sqlite => t.format("%Y-%m-%d %H:%M:%S").to_string(),
    })
}

pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

pub fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

/// 32 random bytes, hex-encoded: per-app JWT secrets (spec 12 §2).
pub fn random_secret() -> Result<String, getrandom::Error> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b)?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}
