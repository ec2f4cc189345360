//! `_outbox` (ours, issue 10): the state-machine webhook calls of a write (spec 08
//! §4.1), inserted in the write's transaction and sent once after it commits by the
//! delivery worker. The spec's semantics stay (one attempt, no retries, response
//! ignored); what changes is that a committed call is never lost to a crash. Claims
//! work as for `_webhook_logs`: one statement marks the attempt and leases the row.

use chrono::{DateTime, Utc};
use rocket_store::{DbError, Exec, Param};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::table::{write_returning, Stored, Table};
use super::webhook_logs::{Outcome, Status};
use super::{json_param, new_id, run, time_param};

/// A queued call.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct OutboxRow {
    pub id: String,
    /// What queued it (`state_machine`).
    pub source: String,
    pub url: String,
    pub method: String,
    pub body: Value,
    pub status: Status,
    pub attempt: i64,
}

impl Stored for OutboxRow {
    const TABLE: Table = Table::new(
        "_outbox",
        "id:uuid source url method body:json status attempt:int",
    );
}

/// Queues a call, due at `now`.
pub async fn insert(
    x: &mut Exec<'_>,
    source: &str,
    url: &str,
    method: &str,
    body: &Value,
    now: DateTime<Utc>,
) -> Result<(), DbError> {
    let d = x.dialect();
    run(
        x,
        "INSERT INTO _outbox (id, source, url, method, body, status, attempt, next_attempt_at) \
         VALUES ({1:uuid}, {2}, {3}, {4}, {5:jsonb}, 'pending', 0, {6:timestamptz})",
        vec![
            Param::Text(new_id()),
            Param::Text(source.into()),
            Param::Text(url.into()),
            Param::Text(method.into()),
            json_param(body),
            time_param(d, now),
        ],
    )
    .await
    .map(|_| ())
}

/// Up to `limit` due calls, claimed for one attempt and leased until `lease_end`.
pub async fn claim_due(
    x: &mut Exec<'_>,
    now: DateTime<Utc>,
    lease_end: DateTime<Utc>,
    limit: i64,
) -> Result<Vec<OutboxRow>, DbError> {
    let d = x.dialect();
    let lock = super::skip_locked(d);
    let tpl = format!(
        "UPDATE _outbox SET attempt = attempt + 1, next_attempt_at = {{2:timestamptz}}, updated_at = {{now}} \
         WHERE id IN (SELECT id FROM _outbox WHERE status = 'pending' AND next_attempt_at <= {{1:timestamptz}} \
         ORDER BY next_attempt_at, id LIMIT {{3:int4}}{lock}) RETURNING {}",
        OutboxRow::TABLE.column_list()
    );
    let params = vec![
        time_param(d, now),
        time_param(d, lease_end),
        Param::Int(limit),
    ];
    write_returning(x, &tpl, params).await
}

/// Records the outcome of attempt `attempt`: `delivered` or `failed` (no retries,
/// 08 §4.1).
pub async fn finish(x: &mut Exec<'_>, id: &str, attempt: i64, o: &Outcome) -> Result<u64, DbError> {
    let status = if o.ok() {
        Status::Delivered
    } else {
        Status::Failed
    };
    run(
        x,
        "UPDATE _outbox SET status = {3}, response_status = {4:int4}, error = {5}, next_attempt_at = NULL, \
         updated_at = {now} WHERE id = {1:uuid} AND attempt = {2:int4}",
        vec![
            Param::Text(id.into()),
            Param::Int(attempt),
            Param::Text(status.as_str().into()),
            Param::Int(o.status),
            Param::Text(o.error.clone()),
        ],
    )
    .await
}
