//! The delivery worker of the outbox (spec 12 §7.2, §10.2; issue 10). [`run_once`]
//! claims due log rows (`pending` after their write committed, `retrying` once
//! their backoff passed), delivers them concurrently, and records each outcome:
//! `delivered`, `retrying` after 30 s × 2^attempt (30 s after the first), or
//! `failed` after `max_attempts`. Each app has a worker task woken after every
//! commit that queued deliveries, and the scheduler runs the same job for retries
//! and for rows a stopped process left behind. State-machine webhook calls
//! (`_outbox`) go the same way, with one attempt each (08 §4.1).

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use futures_util::future::join_all;
use rocket_store::Exec;

use super::deliver::Request;
use crate::app::App;
use crate::error::Result;
use crate::repo::outbox::{self, OutboxRow};
use crate::repo::webhook_logs::{self as logs, LogRow, Outcome, Status};
use crate::repo::webhooks::secrets;

/// Rows claimed per statement (12 §10.2: 50).
pub const BATCH: i64 = 50;
/// Batches per run, so one run ends even while writes keep queueing.
const MAX_BATCHES: usize = 20;

/// What a delivery sequence becomes after attempt `attempt` (counted from 1)
/// of `max_attempts`, at `now`.
pub fn next_state(
    ok: bool,
    attempt: i64,
    max_attempts: i64,
    now: DateTime<Utc>,
) -> (Status, Option<DateTime<Utc>>) {
    if ok {
        (Status::Delivered, None)
    } else if attempt >= max_attempts {
        (Status::Failed, None)
    } else {
        (Status::Retrying, Some(now + backoff(attempt)))
    }
}

/// The wait after failed attempt `attempt`: 30 s after the first, 30 s × 2^attempt
/// after later ones (12 §10.2), at most a day.
pub fn backoff(attempt: i64) -> Duration {
    let secs = if attempt <= 1 {
        30
    } else {
        30_i64.saturating_mul(1_i64 << attempt.min(20))
    };
    Duration::seconds(secs.min(86_400))
}

/// How long a claimed attempt is reserved: a claimer gone for longer is replaced.
fn lease(app: &App) -> Duration {
    Duration::from_std(app.outbound.timeout).unwrap_or(Duration::seconds(30))
        + Duration::seconds(30)
}

/// Delivers every due webhook row and state-machine call at `now`; returns how
/// many attempts were made.
pub async fn run_once(app: &App, now: DateTime<Utc>) -> Result<usize> {
    Ok(deliver_logs(app, now).await? + send_calls(app, now).await?)
}

async fn deliver_logs(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let lease = lease(app);
    let mut done = 0;
    for _ in 0..MAX_BATCHES {
        let x = &mut Exec::Store(&app.store);
        // Signing keys first: a failure after the claim would strand the claimed rows
        // until their lease ends (they are retried then, never lost, but late).
        let keys: HashMap<String, String> = secrets(x).await?.into_iter().collect();
        let rows = logs::claim_due(x, now, now + lease, BATCH).await?;
        if rows.is_empty() {
            break;
        }
        let n = rows.len();
        join_all(rows.iter().map(|r| attempt(app, r, &keys, now))).await;
        done += n;
        if (n as i64) < BATCH {
            break;
        }
    }
    Ok(done)
}

/// The queued state-machine calls (08 §4.1): one attempt each, response ignored.
async fn send_calls(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let mut done = 0;
    for _ in 0..MAX_BATCHES {
        let x = &mut Exec::Store(&app.store);
        let rows = outbox::claim_due(x, now, now + lease(app), BATCH).await?;
        let n = rows.len();
        join_all(rows.iter().map(|r| call(app, r))).await;
        done += n;
        if (n as i64) < BATCH {
            break;
        }
    }
    Ok(done)
}

async fn call(app: &App, row: &OutboxRow) {
    let o = app
        .outbound
        .send(&Request {
            method: &row.method,
            url: &row.url,
            headers: &serde_json::Value::Null,
            body: &row.body,
            secret: None,
            delivery: Some(&row.id),
        })
        .await;
    if !o.ok() {
        tracing::warn!(app = %app.name, url = %row.url, "state machine webhook failed: {}", o.error);
    }
    let x = &mut Exec::Store(&app.store);
    if let Err(e) = outbox::finish(x, &row.id, row.attempt, &o).await {
        tracing::warn!(app = %app.name, call = %row.id, "cannot record a state machine call: {e}");
    }
}

/// One attempt of a claimed row, its outcome recorded.
async fn attempt(app: &App, row: &LogRow, keys: &HashMap<String, String>, now: DateTime<Utc>) {
    let o: Outcome = app
        .outbound
        .send(&Request {
            method: &row.method,
            url: &row.url,
            headers: &row.request_headers,
            body: &row.request_body,
            secret: keys.get(&row.webhook_id).map(String::as_str),
            delivery: Some(&row.id),
        })
        .await;
    let (status, at) = next_state(o.ok(), row.attempt, row.max_attempts, now);
    if status != Status::Delivered {
        tracing::info!(app = %app.name, log = %row.id, attempt = row.attempt, "webhook delivery failed: {}", o.error);
    }
    let x = &mut Exec::Store(&app.store);
    if let Err(e) = logs::finish(x, &row.id, row.attempt, status, at, &o).await {
        // The lease ends and another claim retries it: at least once, never lost.
        tracing::warn!(app = %app.name, log = %row.id, "cannot record a webhook delivery: {e}");
    }
}

/// Starts the app's worker task: it runs [`run_once`] whenever a commit queued
/// deliveries (and once now, for rows left from before a restart), and ends with
/// the app.
pub fn spawn(app: &Arc<App>) {
    let weak = Arc::downgrade(app);
    let wake = app.deliveries.clone();
    wake.notify_one();
    tokio::spawn(async move {
        loop {
            wake.notified().await;
            let Some(app) = weak.upgrade() else { break };
            match run_once(&app, Utc::now()).await {
                // A run stops after a bounded number of batches: more may be due.
                Ok(n) if n >= MAX_BATCHES * BATCH as usize => wake.notify_one(),
                Ok(_) => {}
                Err(e) => tracing::warn!(app = %app.name, "webhook deliveries failed: {e}"),
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn schedule_follows_the_spec() {
        let now = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(next_state(true, 3, 3, now), (Status::Delivered, None));
        assert_eq!(
            next_state(false, 1, 3, now),
            (Status::Retrying, Some(now + Duration::seconds(30)))
        );
        assert_eq!(
            next_state(false, 2, 3, now),
            (Status::Retrying, Some(now + Duration::seconds(120)))
        );
        assert_eq!(next_state(false, 3, 3, now), (Status::Failed, None));
        assert_eq!(next_state(false, 1, 1, now), (Status::Failed, None));
        assert_eq!(next_state(false, 1, 0, now), (Status::Failed, None));
        assert_eq!(
            next_state(false, 4, 3, now),
            (Status::Failed, None),
            "a manual retry past the limit"
        );
        assert_eq!(backoff(3), Duration::seconds(240));
        assert_eq!(backoff(4), Duration::seconds(480));
        assert_eq!(backoff(60), Duration::seconds(86_400));
    }
}
