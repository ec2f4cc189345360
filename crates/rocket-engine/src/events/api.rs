//! The business event API (spec 15 §5): emit (any authenticated user), and for
//! admins the filtered, paginated query, the trace waterfall and the stats.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use rocket_store::{Dialect, Exec, Param};
use serde_json::{json, Map, Value};

use super::store::{self, time_param, EventRow};
use crate::admin::Body;
use crate::app::App;
use crate::error::{EngineError, Result};

/// `POST /_events`: queued in the request's trace (dropped, still `ok`, when the
/// request is not traced).
pub fn emit(b: &Body) -> Result<Value> {
    let bad = || EngineError::BadInput("Invalid JSON body".into());
    let text = |k: &str| -> Result<Option<String>> {
        match b.get(k) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) if s.is_empty() => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(bad()),
        }
    };
    let metadata = match b.get("metadata") {
        None | Some(Value::Null) => None,
        Some(v @ Value::Object(_)) => Some(v.clone()),
        Some(_) => return Err(bad()),
    };
    let (entity, record_id) = (text("entity")?, text("record_id")?);
    let Some(action) = text("action")? else {
        return Err(EngineError::Invalid("action is required".into()));
    };
    super::trace::emit(&action, entity, record_id, metadata);
    Ok(json!({"status": "ok"}))
}

/// The WHERE clause of the query and stats filters (15 §5.2); `None` when a
/// malformed UUID filter can match nothing.
struct Filter {
    clause: String,
    params: Vec<Param>,
}

const EXACT: [&str; 8] = [
    "source",
    "component",
    "action",
    "entity",
    "event_type",
    "trace_id",
    "user_id",
    "status",
];

fn filter(d: Dialect, q: &HashMap<String, String>, keys: &[&str]) -> Result<Option<Filter>> {
    let mut f = Filter {
        clause: "WHERE 1 = 1".into(),
        params: Vec::new(),
    };
    for k in keys {
        let Some(v) = q.get(*k) else { continue };
        let uuid = matches!(*k, "trace_id" | "user_id");
        if uuid && !rocket_meta::looks_like_uuid(v) {
            return Ok(None);
        }
        f.params.push(Param::Text(if uuid {
            v.to_ascii_lowercase()
        } else {
            v.clone()
        }));
        let cast = if uuid { ":uuid" } else { "" };
        f.clause
            .push_str(&format!(" AND {k} = {{{}{cast}}}", f.params.len()));
    }
    for (k, op) in [("from", ">="), ("to", "<=")] {
        let Some(v) = q.get(k) else { continue };
        let t = parse_time(v)
            .ok_or_else(|| EngineError::BadInput(format!("Invalid timestamp for {k}")))?;
        f.params.push(time_param(d, t));
        f.clause.push_str(&format!(
            " AND created_at {op} {{{}:timestamptz}}",
            f.params.len()
        ));
    }
    Ok(Some(f))
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
        .or_else(|| crate::records::timestamp::parse(s))
}

fn number(q: &HashMap<String, String>, k: &str, default: i64) -> i64 {
    q.get(k)
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|n| *n >= 1)
        .unwrap_or(default)
}

/// `GET /_events`: `{"data": [...], "pagination": {page, per_page, total}}`.
pub async fn query(app: &App, q: &HashMap<String, String>) -> Result<Value> {
    let page = number(q, "page", 1);
    let per_page = number(q, "per_page", 50).min(100);
    let x = &mut Exec::Store(&app.store);
    let (rows, total) = match filter(x.dialect(), q, &EXACT)? {
        None => (Vec::new(), 0),
        Some(f) => {
            let dir = if q.get("sort").map(String::as_str) == Some("created_at") {
                "ASC"
            } else {
                "DESC"
            };
            let total = store::count(x, &f.clause, f.params.clone()).await?;
            let offset = (page - 1).saturating_mul(per_page);
            let clause = format!(
                "{} ORDER BY created_at {dir}, id {dir} LIMIT {per_page} OFFSET {offset}",
                f.clause
            );
            (store::rows(x, &clause, f.params).await?, total)
        }
    };
    Ok(json!({
        "data": rows,
        "pagination": {"page": page, "per_page": per_page, "total": total},
    }))
}

/// `GET /_events/trace/{trace_id}` (15 §5.3).
pub async fn trace(app: &App, trace_id: &str) -> Result<Value> {
    let not_found = || EngineError::NotFound(format!("Trace not found: {trace_id}"));
    if !rocket_meta::looks_like_uuid(trace_id) {
        return Err(not_found());
    }
    let x = &mut Exec::Store(&app.store);
    let rows = store::rows(
        x,
        "WHERE trace_id = {1:uuid} ORDER BY created_at, span_id",
        vec![Param::Text(trace_id.to_ascii_lowercase())],
    )
    .await?;
    if rows.is_empty() {
        return Err(not_found());
    }
    let root = rows
        .iter()
        .find(|r| r.parent_span_id.is_none())
        .unwrap_or(&rows[0]);
    let tree = waterfall(&rows, root);
    Ok(json!({
        "trace_id": trace_id.to_ascii_lowercase(),
        "root_span": tree,
        "spans": rows,
        "total_duration_ms": root.duration_ms,
    }))
}

/// `root` with its descendants nested under `children`, in row order (each span
/// once, whatever the parent links say).
fn waterfall(rows: &[EventRow], root: &EventRow) -> Value {
    let mut kids: HashMap<&str, Vec<&EventRow>> = HashMap::new();
    for r in rows {
        if let Some(p) = &r.parent_span_id {
            kids.entry(p.as_str()).or_default().push(r);
        }
    }
    let mut seen = HashSet::new();
    node(root, &kids, &mut seen)
}

fn node<'a>(
    r: &'a EventRow,
    kids: &HashMap<&str, Vec<&'a EventRow>>,
    seen: &mut HashSet<&'a str>,
) -> Value {
    seen.insert(r.id.as_str());
    let mut v = serde_json::to_value(r).unwrap_or(Value::Null);
    let mut children = Vec::new();
    for c in kids.get(r.span_id.as_str()).into_iter().flatten() {
        if !seen.contains(c.id.as_str()) {
            children.push(node(c, kids, seen));
        }
    }
    if let Value::Object(m) = &mut v {
        m.insert("children".into(), Value::Array(children));
    }
    v
}

/// `GET /_events/stats` (15 §5.4): percentiles interpolated between closest ranks
/// (as Postgres's `percentile_cont`) on both dialects.
pub async fn stats(app: &App, q: &HashMap<String, String>) -> Result<Value> {
    let x = &mut Exec::Store(&app.store);
    let Some(f) = filter(x.dialect(), q, &["entity"])? else {
        return Ok(summary(0, 0, &[]));
    };
    let total = store::count(x, &f.clause, f.params.clone()).await?;
    let errors_where = format!("{} AND status = 'error'", f.clause);
    let errors = store::count(x, &errors_where, f.params.clone()).await?;
    let durations = store::durations(x, &f.clause, f.params).await?;
    Ok(summary(total, errors, &durations))
}

/// The stats document from the totals and the sorted `(source, ms, error)` rows.
fn summary(total: i64, errors: i64, rows: &[(String, f64, bool)]) -> Value {
    let mut all: Vec<f64> = rows.iter().map(|r| r.1).collect();
    all.sort_by(f64::total_cmp);
    let mut by: Vec<(String, Vec<f64>, i64)> = Vec::new();
    for (source, ms, err) in rows {
        match by.last_mut() {
            Some((s, v, e)) if s == source => {
                v.push(*ms);
                *e += i64::from(*err);
            }
            _ => by.push((source.clone(), vec![*ms], i64::from(*err))),
        }
    }
    by.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| a.0.cmp(&b.0)));
    let by_source: Vec<Value> = by
        .iter()
        .map(|(s, v, e)| {
            json!({"source": s, "count": v.len(), "avg_duration_ms": avg(v),
                "p95_duration_ms": p95(v), "error_count": e})
        })
        .collect();
    let rate = if total == 0 {
        0.0
    } else {
        errors as f64 / total as f64
    };
    let mut m = Map::new();
    m.insert("total_events".into(), total.into());
    m.insert("avg_latency_ms".into(), json!(avg(&all)));
    m.insert("p95_latency_ms".into(), json!(p95(&all)));
    m.insert(
        "error_rate".into(),
        json!((rate * 10_000.0).round() / 10_000.0),
    );
    m.insert("by_source".into(), Value::Array(by_source));
    Value::Object(m)
}

fn avg(v: &[f64]) -> Option<f64> {
    (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
}

/// The 95th percentile of sorted `v`, interpolated between the closest ranks.
fn p95(v: &[f64]) -> Option<f64> {
    let last = v.len().checked_sub(1)?;
    let rank = 0.95 * last as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    Some(v[lo] + (v[hi.min(last)] - v[lo]) * (rank - lo as f64))
}

/// The retention job (15 §8): deletes events older than `retention_days` at `now`
/// when instrumentation is on; how many.
pub async fn cleanup(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let Some(days) = app.events.as_ref().map(|b| b.retention_days) else {
        return Ok(0);
    };
    let n = store::delete_older(&mut Exec::Store(&app.store), now, days).await?;
    if n > 0 {
        tracing::info!(app = %app.name, deleted = n, "old events deleted");
    }
    Ok(n as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate_like_percentile_cont() {
        assert_eq!(p95(&[]), None);
        assert_eq!(p95(&[4.0]), Some(4.0));
        // rank 0.95 × 1 = 0.95 → 1 + 0.95 × (3 − 1)
        assert!((p95(&[1.0, 3.0]).unwrap() - 2.9).abs() < 1e-9);
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert!((p95(&v).unwrap() - 95.05).abs() < 1e-9);
    }

    #[test]
    fn summary_groups_sources_by_count() {
        let rows = vec![
            ("engine".to_string(), 1.0, false),
            ("engine".to_string(), 3.0, true),
            ("http".to_string(), 10.0, false),
            ("http".to_string(), 20.0, false),
            ("http".to_string(), 30.0, true),
        ];
        let s = summary(6, 2, &rows);
        assert_eq!(s["total_events"], 6);
        assert_eq!(s["error_rate"], 0.3333);
        assert_eq!(s["avg_latency_ms"], 12.8);
        assert_eq!(s["by_source"][0]["source"], "http");
        assert_eq!(s["by_source"][0]["count"], 3);
        assert_eq!(s["by_source"][0]["error_count"], 1);
        assert_eq!(s["by_source"][1]["avg_duration_ms"], 2.0);
        let empty = summary(0, 0, &[]);
        assert_eq!(
            (empty["avg_latency_ms"].is_null(), &empty["error_rate"]),
            (true, &json!(0.0))
        );
    }

    #[test]
    fn emit_checks_its_body() {
        let body = |v: Value| v.as_object().cloned().unwrap();
        assert!(
            matches!(emit(&body(json!({}))), Err(EngineError::Invalid(m)) if m == "action is required")
        );
        assert!(matches!(
            emit(&body(json!({"action": ""}))),
            Err(EngineError::Invalid(_))
        ));
        assert!(matches!(
            emit(&body(json!({"action": "a", "metadata": []}))),
            Err(EngineError::BadInput(_))
        ));
        assert!(matches!(
            emit(&body(json!({"action": 5}))),
            Err(EngineError::BadInput(_))
        ));
        assert_eq!(
            emit(&body(json!({"action": "a"}))).unwrap(),
            json!({"status": "ok"})
        );
    }
}
