//! `_events` (spec 02 §4.14): the batch INSERT of a flush (15 §4) and the reads of
//! the API (§5), in the API's row shape.

use chrono::{DateTime, SecondsFormat, Utc};
use rocket_store::{DbError, Dialect, Exec, Param, Store};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::Event;
use crate::repo::table::{select, Stored, Table};
use crate::repo::{fetch, run, sql};

/// An event row as the API shows it (15 §1).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct EventRow {
    pub id: String,
    pub trace_id: String,
    pub span_id: String,
    pub parent_span_id: Option<String>,
    pub event_type: String,
    pub source: String,
    pub component: String,
    pub action: String,
    pub entity: Option<String>,
    pub record_id: Option<String>,
    pub user_id: Option<String>,
    pub duration_ms: Option<f64>,
    pub status: Option<String>,
    pub metadata: Option<Value>,
    pub created_at: Option<String>,
}

impl Stored for EventRow {
    const TABLE: Table = Table::new(
        "_events",
        "id:uuid trace_id:uuid span_id:uuid parent_span_id:uuid event_type source component action \
         entity record_id user_id:uuid duration_ms:float status metadata:json created_at:time",
    )
    .order("created_at DESC, id");

    /// `created_at` with exactly six fractional digits on both dialects (Postgres
    /// drops trailing zeros), so the texts sort as the instants do.
    fn loaded(mut self) -> Self {
        if let Some(t) = self.created_at.as_deref().and_then(crate::repo::parse_time) {
            self.created_at = Some(t.to_rfc3339_opts(SecondsFormat::Micros, true));
        }
        self
    }
}

/// An instant as stored in `_events.created_at`: microseconds on both dialects
/// (SQLite's text still compares correctly with `datetime('now', …)`).
pub fn time_param(d: Dialect, t: DateTime<Utc>) -> Param {
    Param::Text(match d {
        Dialect::Postgres => t.to_rfc3339_opts(SecondsFormat::Micros, true),
        Dialect::Sqlite => t.format("%Y-%m-%d %H:%M:%S%.6f").to_string(),
    })
}

const COLUMNS: usize = 15;

fn params(d: Dialect, e: &Event) -> [Param; COLUMNS] {
    let text = |s: &Option<String>| s.clone().map_or(Param::Null, Param::Text);
    [
        Param::Text(e.id.clone()),
        Param::Text(e.trace_id.clone()),
        Param::Text(e.span_id.clone()),
        text(&e.parent_span_id),
        Param::Text(e.kind.as_str().into()),
        Param::Text(e.source.into()),
        Param::Text(e.component.into()),
        Param::Text(e.action.clone()),
        text(&e.entity),
        text(&e.record_id),
        text(&e.user_id),
        e.duration_ms.map_or(Param::Null, Param::Float),
        e.status.map_or(Param::Null, |s| Param::Text(s.into())),
        e.metadata
            .as_ref()
            .map_or(Param::Null, |m| Param::Text(m.to_string())),
        time_param(d, e.created_at),
    ]
}

/// Rows per INSERT statement (15 columns each stays far below both dialects'
/// parameter limits).
const ROWS_PER_STATEMENT: usize = 500;

/// Writes `events` with multi-row INSERTs in one transaction; on Postgres without
/// waiting for the WAL flush (15 §4: events may be lost in a crash, never slow a write).
pub async fn insert(store: &Store, events: &[Event]) -> Result<(), DbError> {
    if events.is_empty() {
        return Ok(());
    }
    let d = store.dialect();
    let mut tx = store.begin().await?;
    if d == Dialect::Postgres {
        tx.batch(&["SET LOCAL synchronous_commit = off".to_string()])
            .await?;
    }
    for chunk in events.chunks(ROWS_PER_STATEMENT) {
        let mut all = Vec::with_capacity(chunk.len() * COLUMNS);
        let mut rows = Vec::with_capacity(chunk.len());
        for e in chunk {
            let n = all.len();
            rows.push(format!(
                "({{{}:uuid}}, {{{}:uuid}}, {{{}:uuid}}, {{{}:uuid}}, {{{}}}, {{{}}}, {{{}}}, {{{}}}, {{{}}}, \
                 {{{}}}, {{{}:uuid}}, {{{}:float8}}, {{{}}}, {{{}:jsonb}}, {{{}:timestamptz}})",
                n + 1, n + 2, n + 3, n + 4, n + 5, n + 6, n + 7, n + 8, n + 9, n + 10, n + 11,
                n + 12, n + 13, n + 14, n + 15
            ));
            all.extend(params(d, e));
        }
        let tpl = format!(
            "INSERT INTO _events (id, trace_id, span_id, parent_span_id, event_type, source, component, \
             action, entity, record_id, user_id, duration_ms, status, metadata, created_at) VALUES {}",
            rows.join(", ")
        );
        tx.execute(&sql(d, &tpl, all)).await?;
    }
    tx.commit().await
}

/// Deletes events older than `days` days before `now`; how many (15 §8).
pub async fn delete_older(x: &mut Exec<'_>, now: DateTime<Utc>, days: u32) -> Result<u64, DbError> {
    let cut = now - chrono::Duration::days(i64::from(days));
    let d = x.dialect();
    run(
        x,
        "DELETE FROM _events WHERE created_at < {1:timestamptz}",
        vec![time_param(d, cut)],
    )
    .await
}

/// The rows matching `clause` (a WHERE … template with `params`).
pub async fn rows(
    x: &mut Exec<'_>,
    clause: &str,
    params: Vec<Param>,
) -> Result<Vec<EventRow>, DbError> {
    select(x, clause, params).await
}

/// How many rows match `where_` (a WHERE template).
pub async fn count(x: &mut Exec<'_>, where_: &str, params: Vec<Param>) -> Result<i64, DbError> {
    let tpl = format!("SELECT COUNT(*) FROM _events {where_}");
    Ok(fetch(x, &tpl, params, |r| r.int())
        .await?
        .into_iter()
        .next()
        .unwrap_or(0))
}

/// `(source, duration_ms, is_error)` of the matching rows with a duration, by
/// source then duration: the input of the stats (15 §5.4).
pub async fn durations(
    x: &mut Exec<'_>,
    where_: &str,
    params: Vec<Param>,
) -> Result<Vec<(String, f64, bool)>, DbError> {
    let tpl = format!(
        "SELECT source, duration_ms, status FROM _events {where_} AND duration_ms IS NOT NULL \
         ORDER BY source, duration_ms"
    );
    fetch(x, &tpl, params, |r| {
        let source = r.text();
        let ms = match r.cell() {
            rocket_store::Cell::Float(f) => f,
            rocket_store::Cell::Int(i) => i as f64,
            c => c.into_string().and_then(|s| s.parse().ok()).unwrap_or(0.0),
        };
        (source, ms, r.opt_text().as_deref() == Some("error"))
    })
    .await
}
