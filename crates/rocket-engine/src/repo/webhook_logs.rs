//! `_webhook_logs` (spec 02 §4.11, 12 §10): one row per delivery sequence. A row is
//! also the outbox entry of its delivery (issue 10): it is written `pending` in the
//! transaction of the write that fired it, and a delivery worker claims it when due.
//! A claim bumps `attempt` and moves `next_retry_at` to the end of a lease, both in
//! one statement, so two claimers never take the same attempt, and a claimer that
//! dies leaves the row to be claimed again once the lease ends.

use chrono::{DateTime, Utc};
use rocket_store::{DbError, Exec, Param};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::table::{select, Stored, Table};
use super::{json_param, new_id, run, time_param};

/// Where a delivery sequence stands (12 §10.1; `pending`: not tried yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Pending,
    Delivered,
    Retrying,
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Delivered => "delivered",
            Status::Retrying => "retrying",
            Status::Failed => "failed",
        }
    }
}

/// A log row in the API's shape (12 §10.3).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct LogRow {
    pub id: String,
    pub webhook_id: String,
    pub entity: String,
    pub hook: String,
    pub url: String,
    pub method: String,
    pub request_headers: Value,
    pub request_body: Value,
    pub response_status: Option<i64>,
    pub response_body: String,
    pub status: Status,
    pub attempt: i64,
    pub max_attempts: i64,
    pub next_retry_at: Option<String>,
    pub error: String,
    pub idempotency_key: String,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

impl Stored for LogRow {
    const TABLE: Table = Table::new(
        "_webhook_logs",
        "id:uuid webhook_id:uuid entity hook url method request_headers:json request_body:json \
         response_status:int response_body status attempt:int max_attempts:int next_retry_at:time \
         error idempotency_key created_at:time updated_at:time",
    )
    .order("created_at DESC, id");
}

/// What one attempt came to.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// The response status; 0 when there was no response.
    pub status: i64,
    /// Up to 64 KiB of the response body.
    pub body: String,
    /// `""` on success, else why it failed (12 §10.1).
    pub error: String,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        (200..300).contains(&self.status) && self.error.is_empty()
    }
}

/// A delivery about to be written: the webhook's fields and the payload.
pub struct NewLog<'a> {
    pub webhook_id: &'a str,
    pub entity: &'a str,
    pub hook: &'a str,
    pub url: &'a str,
    pub method: &'a str,
    /// The header templates, unresolved (12 §10.4 note: no secret in the log).
    pub headers: &'a Value,
    pub body: &'a Value,
    pub max_attempts: i64,
    pub idempotency_key: &'a str,
}

/// Inserts a log row; returns its id. `pending` rows are due at `due`.
pub async fn insert(
    x: &mut Exec<'_>,
    l: &NewLog<'_>,
    status: Status,
    attempt: i64,
    due: Option<DateTime<Utc>>,
    outcome: Option<&Outcome>,
) -> Result<String, DbError> {
    let d = x.dialect();
    let id = new_id();
    let (code, body, error) = match outcome {
        Some(o) => (Param::Int(o.status), o.body.clone(), o.error.clone()),
        None => (Param::Null, String::new(), String::new()),
    };
    run(
        x,
        "INSERT INTO _webhook_logs (id, webhook_id, entity, hook, url, method, request_headers, request_body, \
         status, attempt, max_attempts, next_retry_at, idempotency_key, response_status, response_body, error) \
         VALUES ({1:uuid}, {2:uuid}, {3}, {4}, {5}, {6}, {7:jsonb}, {8:jsonb}, {9}, {10:int4}, {11:int4}, \
         {12:timestamptz}, {13}, {14:int4}, {15}, {16})",
        vec![
            Param::Text(id.clone()),
            Param::Text(l.webhook_id.into()),
            Param::Text(l.entity.into()),
            Param::Text(l.hook.into()),
            Param::Text(l.url.into()),
            Param::Text(l.method.into()),
            json_param(l.headers),
            json_param(l.body),
            Param::Text(status.as_str().into()),
            Param::Int(attempt),
            Param::Int(l.max_attempts),
            due.map_or(Param::Null, |t| time_param(d, t)),
            Param::Text(l.idempotency_key.into()),
            code,
            Param::Text(body),
            Param::Text(error),
        ],
    )
    .await?;
    Ok(id)
}

/// Newest first, at most 200, filtered by exact matches (12 §10.3).
pub async fn list(
    x: &mut Exec<'_>,
    webhook_id: Option<&str>,
    status: Option<&str>,
    entity: Option<&str>,
) -> Result<Vec<LogRow>, DbError> {
    let mut clause = String::from("WHERE 1 = 1");
    let mut params = Vec::new();
    if let Some(w) = webhook_id {
        if !rocket_meta::looks_like_uuid(w) {
            return Ok(Vec::new());
        }
        params.push(Param::Text(w.to_ascii_lowercase()));
        clause.push_str(&format!(" AND webhook_id = {{{}:uuid}}", params.len()));
    }
    for (col, v) in [("status", status), ("entity", entity)] {
        if let Some(v) = v {
            params.push(Param::Text(v.into()));
            clause.push_str(&format!(" AND {col} = {{{}}}", params.len()));
        }
    }
    clause.push_str(" ORDER BY created_at DESC, id LIMIT 200");
    select(x, &clause, params).await
}

/// The ids of up to `limit` due deliveries at `now`, claimed for one attempt: the
/// attempt counted and the row leased until `lease_end`.
pub async fn claim_due(
    x: &mut Exec<'_>,
    now: DateTime<Utc>,
    lease_end: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<LogRow>, DbError> {
    let d = x.dialect();
    let lock = super::skip_locked(d);
    let due = format!(
        "SELECT id FROM _webhook_logs WHERE status IN ('pending', 'retrying') \
         AND next_retry_at <= {{1:timestamptz}} ORDER BY next_retry_at, id LIMIT {{3:int4}}{lock}"
    );
    claim(
        x,
        &due,
        vec![
            time_param(d, now),
            time_param(d, lease_end),
            Param::Int(limit),
        ],
    )
    .await
}

/// Claims the rows `ids` when they are still due at `now` (the deliveries a write
/// just committed: no scan).
pub async fn claim_ids(
    x: &mut Exec<'_>,
    ids: &[String],
    now: DateTime<Utc>,
    lease_end: DateTime<Utc>,
) -> Result<Vec<LogRow>, DbError> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let d = x.dialect();
    let mut params = vec![time_param(d, now), time_param(d, lease_end)];
    let mut marks = Vec::new();
    for id in ids {
        params.push(Param::Text(id.clone()));
        marks.push(format!("{{{}:uuid}}", params.len()));
    }
    let lock = super::skip_locked(d);
    let due = format!(
        "SELECT id FROM _webhook_logs WHERE id IN ({}) AND status IN ('pending', 'retrying') \
         AND next_retry_at <= {{1:timestamptz}}{lock}",
        marks.join(", ")
    );
    claim(x, &due, params).await
}

/// `UPDATE … WHERE id IN (<due>) RETURNING …`: one atomic statement per claim.
async fn claim(x: &mut Exec<'_>, due: &str, params: Vec<Param>) -> Result<Vec<LogRow>, DbError> {
    let tpl = format!(
        "UPDATE _webhook_logs SET attempt = attempt + 1, next_retry_at = {{2:timestamptz}}, \
         updated_at = {{now}} WHERE id IN ({due}) RETURNING {}",
        LogRow::TABLE.column_list()
    );
    super::table::write_returning::<LogRow>(x, &tpl, params).await
}

/// Records the outcome of attempt `attempt` of row `id`: `delivered`, `retrying`
/// until `retry_at`, or `failed`. A claimer whose lease ran out and whose attempt was
/// taken over writes nothing (the attempt no longer matches).
pub async fn finish(
    x: &mut Exec<'_>,
    id: &str,
    attempt: i64,
    status: Status,
    retry_at: Option<DateTime<Utc>>,
    o: &Outcome,
) -> Result<u64, DbError> {
    let d = x.dialect();
    run(
        x,
        "UPDATE _webhook_logs SET status = {3}, next_retry_at = {4:timestamptz}, response_status = {5:int4}, \
         response_body = {6}, error = {7}, updated_at = {now} WHERE id = {1:uuid} AND attempt = {2:int4}",
        vec![
            Param::Text(id.into()),
            Param::Int(attempt),
            Param::Text(status.as_str().into()),
            retry_at.map_or(Param::Null, |t| time_param(d, t)),
            Param::Int(o.status),
            Param::Text(o.body.clone()),
            Param::Text(o.error.clone()),
        ],
    )
    .await
}

/// A manual retry (12 §10.3): the row becomes due at `now`, attempt unchanged.
pub async fn schedule_retry(
    x: &mut Exec<'_>,
    id: &str,
    now: DateTime<Utc>,
) -> Result<u64, DbError> {
    let d = x.dialect();
    run(
        x,
        "UPDATE _webhook_logs SET status = 'retrying', next_retry_at = {2:timestamptz}, updated_at = {now} \
         WHERE id = {1:uuid} AND status IN ('failed', 'retrying')",
        vec![Param::Text(id.to_ascii_lowercase()), time_param(d, now)],
    )
    .await
}

/// One row (a malformed id finds nothing).
pub async fn get(x: &mut Exec<'_>, id: &str) -> Result<Option<LogRow>, DbError> {
    super::find(x, id).await
}
