//! The webhook steps of the write pipeline (spec 12 §7–8): synchronous hooks inside
//! the write's transaction, and the outbox rows of the asynchronous ones written in
//! the same transaction (so a committed write never loses its deliveries).

use chrono::Utc;
use rocket_store::{Exec, Tx};
use serde_json::Value;

use super::deliver::Request;
use super::payload::{self, Event};
use super::Webhook;
use crate::error::{EngineError, Result};
use crate::logic::compiled::Compiled;
use crate::records::Caller;
use crate::repo::webhook_logs::{self as logs, NewLog, Outcome, Status};

/// A synchronous webhook refused the write: the transaction must roll back, then
/// the failed delivery is logged outside it (Rust contract of 12 §7.1).
pub struct Veto {
    webhook: std::sync::Arc<Webhook>,
    payload: Value,
    key: String,
    outcome: Outcome,
}

impl Veto {
    /// Rolls the transaction back, logs the failed delivery, and returns the
    /// client's error: `422 WEBHOOK_REJECTED` for a 4xx (with the receiver's
    /// message when its body has one), else `502 WEBHOOK_FAILED`.
    pub async fn settle(self, tx: Tx, c: &Caller<'_>) -> EngineError {
        drop(tx);
        let w = &self.webhook;
        let log = new_log(w, &self.payload, &self.key);
        let x = &mut Exec::Store(&c.app.store);
        if let Err(e) = logs::insert(x, &log, Status::Failed, 1, None, Some(&self.outcome)).await {
            tracing::warn!(webhook = %w.id, "cannot log a vetoing webhook delivery: {e}");
        }
        let o = &self.outcome;
        if (400..500).contains(&o.status) {
            let msg = receiver_message(&o.body)
                .unwrap_or_else(|| format!("Webhook {} rejected the write", w.id));
            EngineError::WebhookRejected(msg)
        } else {
            EngineError::WebhookFailed(format!("Webhook {} failed", w.id))
        }
    }
}

/// `{"error": {"message": m}}`, `{"message": m}` or `{"error": m}` (12 §7.1).
fn receiver_message(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    let m = v
        .pointer("/error/message")
        .or_else(|| v.get("message"))
        .or_else(|| v.get("error").filter(|e| e.is_string()))?;
    m.as_str().filter(|s| !s.is_empty()).map(String::from)
}

fn new_log<'a>(w: &'a Webhook, payload: &'a Value, key: &'a str) -> NewLog<'a> {
    NewLog {
        webhook_id: &w.id,
        entity: &w.entity,
        hook: w.hook.as_str(),
        url: &w.url,
        method: &w.method,
        headers: &w.headers,
        body: payload,
        max_attempts: w.max_attempts,
        idempotency_key: key,
    }
}

/// `webhook / dispatcher / webhook.dispatch` (15 §3.3); for an asynchronous hook it
/// covers queueing the delivery (the worker sends it outside the request).
fn dispatch_span(w: &Webhook) -> crate::events::Span {
    let mut span =
        crate::events::span("webhook", "dispatcher", "webhook.dispatch").on(&w.entity, None);
    span.meta("url", w.url.as_str());
    span.meta("method", w.method.as_str());
    span.meta("hook", w.hook.as_str());
    span.meta("webhook_id", w.id.as_str());
    span.meta("async", !w.hook.is_sync());
    span
}

/// Whether `w` fires for `payload`: an empty condition always does; an evaluation
/// error is `Err` (its text).
fn fires(w: &Webhook, payload: &Value) -> std::result::Result<bool, String> {
    match &w.condition {
        Compiled::Empty => Ok(true),
        Compiled::Error(e) => Err(format!("compile error: {e}")),
        Compiled::Program(p) => p
            .eval_bool(&payload::condition_env(payload))
            .map_err(|e| e.to_string()),
    }
}

/// Runs the synchronous webhooks of the event's hook, in order, inside the write's
/// transaction (12 §7.1): each success is logged in it; the first failure is a
/// [`Veto`]. A condition that cannot be evaluated fails the request.
pub async fn sync(tx: &mut Tx, c: &Caller<'_>, ev: &Event<'_>) -> Result<Option<Veto>> {
    let hooks = c.logic.entity(ev.entity).hooks.of(ev.hook);
    if hooks.is_empty() {
        return Ok(None);
    }
    let key = payload::idempotency_key();
    let payload = payload::build(ev, Utc::now(), &key);
    for w in hooks {
        match fires(w, &payload) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                return Err(EngineError::Internal(format!(
                    "webhook {} condition: {e}",
                    w.id
                )))
            }
        }
        let mut span = dispatch_span(w);
        let outcome = c
            .app
            .outbound
            .send(&Request {
                method: &w.method,
                url: &w.url,
                headers: &w.headers,
                body: &payload,
                secret: c.logic.webhook_secret(&w.id),
                delivery: None,
            })
            .await;
        span.meta("status_code", outcome.status);
        if !outcome.ok() {
            span.fail(&outcome.error);
        }
        if !outcome.ok() {
            return Ok(Some(Veto {
                webhook: w.clone(),
                payload,
                key,
                outcome,
            }));
        }
        let log = new_log(w, &payload, &key);
        logs::insert(
            &mut Exec::Tx(tx),
            &log,
            Status::Delivered,
            1,
            None,
            Some(&outcome),
        )
        .await?;
    }
    Ok(None)
}

/// Writes the outbox rows of the event's asynchronous webhooks whose condition holds
/// (12 §7.2; an evaluation error is logged and that webhook skipped). Returns how
/// many were written: the caller wakes the delivery worker after the commit.
pub async fn enqueue(tx: &mut Tx, c: &Caller<'_>, ev: &Event<'_>) -> Result<usize> {
    let hooks = c.logic.entity(ev.entity).hooks.of(ev.hook);
    if hooks.is_empty() {
        return Ok(0);
    }
    let now = Utc::now();
    let key = payload::idempotency_key();
    let payload = payload::build(ev, now, &key);
    let mut n = 0;
    for w in hooks {
        match fires(w, &payload) {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(webhook = %w.id, "webhook condition failed, skipped: {e}");
                continue;
            }
        }
        let _span = dispatch_span(w);
        let log = new_log(w, &payload, &key);
        logs::insert(&mut Exec::Tx(tx), &log, Status::Pending, 0, Some(now), None).await?;
        n += 1;
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receiver_messages_are_read_from_the_usual_shapes() {
        assert_eq!(
            receiver_message(r#"{"error": {"message": "credit limit"}}"#).as_deref(),
            Some("credit limit")
        );
        assert_eq!(
            receiver_message(r#"{"message": "no"}"#).as_deref(),
            Some("no")
        );
        assert_eq!(
            receiver_message(r#"{"error": "bad"}"#).as_deref(),
            Some("bad")
        );
        assert_eq!(receiver_message(r#"{"error": {"code": 1}}"#), None);
        assert_eq!(receiver_message(r#"{"message": ""}"#), None);
        assert_eq!(receiver_message("plain text"), None);
    }
}
