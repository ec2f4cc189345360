//! The webhook admin API (spec 12 §11) and the logs API (§10.3). Validation in the
//! spec's order, then ours: the condition compiles for its context, header values
//! are strings, `retry.max_attempts` is a small integer, and a signing secret of at
//! least 16 characters (generated when absent, shown only in the answer that set it).

use chrono::{DateTime, Utc};
use rocket_expr::ContextKind;
use rocket_store::Exec;
use serde_json::{json, Value};

use crate::admin::{self, Body, Collection, Fields};
use crate::app::App;
use crate::error::{EngineError, Result};
use crate::logic::compiled::check;
use crate::platform::Platform;
use crate::repo::webhook_logs::{self as logs, LogRow};
use crate::repo::webhooks::{set_secret, WebhookDef, WebhookRow};
use crate::repo::{self, random_secret};

const METHODS: [&str; 5] = ["POST", "PUT", "PATCH", "GET", "DELETE"];
/// Largest `retry.max_attempts` accepted.
pub const MAX_ATTEMPTS: i64 = 20;

fn invalid(m: impl Into<String>) -> EngineError {
    EngineError::Invalid(m.into())
}

/// Reads and validates a webhook body; missing keys take the defaults of §6 on
/// create and on update alike (Rust contract of §11).
pub fn parse(b: &Body) -> Result<WebhookDef> {
    let f = Fields(b);
    let d = WebhookDef::default();
    let text_or = |k: &str, default: String| -> Result<String> {
        let v = f.text(k)?;
        Ok(if b.get(k).is_some_and(|v| !v.is_null()) {
            v
        } else {
            default
        })
    };
    let def = WebhookDef {
        entity: f.text("entity")?,
        hook: text_or("hook", d.hook)?,
        url: f.text("url")?,
        method: text_or("method", d.method)?,
        headers: f.object("headers")?,
        condition: f.text("condition")?,
        is_async: f.flag("async", true)?,
        retry: match b.get("retry").filter(|v| !v.is_null()) {
            None => d.retry,
            Some(v) => f.object("retry").map(|_| v.clone())?,
        },
        active: f.flag("active", true)?,
    };
    if def.entity.is_empty() {
        return Err(invalid("entity is required"));
    }
    if super::Hook::parse(&def.hook).is_none() {
        return Err(invalid(
            "hook must be after_write, before_write, after_delete, or before_delete",
        ));
    }
    if def.url.is_empty() {
        return Err(invalid("url is required"));
    }
    if !(def.url.starts_with("http://") || def.url.starts_with("https://")) {
        return Err(invalid("url must start with http:// or https://"));
    }
    if !METHODS.contains(&def.method.as_str()) {
        return Err(invalid("method must be POST, PUT, PATCH, GET, or DELETE"));
    }
    check_ours(&def)?;
    Ok(def)
}

fn check_ours(def: &WebhookDef) -> Result<()> {
    if reqwest::Url::parse(&def.url).is_err() {
        return Err(invalid("url is not a valid URL"));
    }
    let headers = def.headers.as_object().into_iter().flatten();
    if headers.into_iter().any(|(_, v)| !v.is_string()) {
        return Err(invalid("header values must be strings"));
    }
    match def.retry.get("max_attempts") {
        None | Some(Value::Null) => {}
        Some(v) if v.as_i64().is_some_and(|n| (0..=MAX_ATTEMPTS).contains(&n)) => {}
        Some(_) => {
            return Err(invalid(format!(
                "retry.max_attempts must be an integer from 0 to {MAX_ATTEMPTS}"
            )))
        }
    }
    let condition = Value::String(def.condition.clone());
    check(ContextKind::WebhookCondition, Some(&condition)).map_err(invalid)?;
    let hook = super::Hook::parse(&def.hook);
    if hook.is_some_and(|h| h.is_sync() == def.is_async) {
        tracing::warn!(
            entity = %def.entity,
            hook = %def.hook,
            "webhook saved with async = {}: it never fires (spec 12 §7)",
            def.is_async
        );
    }
    Ok(())
}

/// The secret a body sets: its `secret` (16+ characters), or on create a new one.
fn secret_of(b: &Body, creating: bool) -> Result<Option<String>> {
    match Fields(b).text("secret")? {
        s if s.chars().count() >= 16 => Ok(Some(s)),
        s if !s.is_empty() => Err(invalid("secret must be at least 16 characters")),
        _ if creating => random_secret()
            .map(|s| Some(format!("whsec_{s}")))
            .map_err(EngineError::internal),
        _ => Ok(None),
    }
}

/// `/_admin/webhooks` (spec 12 §11).
pub struct Webhooks;

impl Collection for Webhooks {
    type Row = WebhookRow;

    const NOUN: &'static str = "Webhook";

    async fn put(p: &Platform, app: &App, id: Option<&str>, body: Body) -> Result<Value> {
        let def = parse(&body)?;
        let secret = secret_of(&body, id.is_none())?;
        let mut tx = app.store.begin().await?;
        let x = &mut Exec::Tx(&mut tx);
        let id = match id {
            Some(id) => {
                repo::update(x, id, &def).await?;
                id.to_ascii_lowercase()
            }
            None => repo::insert_new(x, &def).await?,
        };
        if let Some(s) = &secret {
            set_secret(x, &id, s).await?;
        }
        tx.commit().await?;
        p.metadata_changed(app).await?;
        let mut out = admin::answer(admin::get::<Self>(app, &id).await?)?;
        if let (Some(s), Value::Object(m)) = (secret, &mut out) {
            m.insert("secret".into(), Value::String(s));
        }
        Ok(out)
    }

    async fn delete(p: &Platform, app: &App, id: &str) -> Result<Value> {
        admin::delete_row::<Self>(p, app, id, "_webhooks").await
    }
}

fn log_not_found(id: &str) -> EngineError {
    EngineError::NotFound(format!("Webhook log not found: {id}"))
}

/// `GET /_admin/webhook-logs` with its exact-match filters (§10.3).
pub async fn list_logs(
    app: &App,
    webhook_id: Option<&str>,
    status: Option<&str>,
    entity: Option<&str>,
) -> Result<Vec<LogRow>> {
    let x = &mut Exec::Store(&app.store);
    Ok(logs::list(x, webhook_id, status, entity).await?)
}

/// `GET /_admin/webhook-logs/{id}`.
pub async fn get_log(app: &App, id: &str) -> Result<LogRow> {
    logs::get(&mut Exec::Store(&app.store), id)
        .await?
        .ok_or_else(|| log_not_found(id))
}

/// `POST /_admin/webhook-logs/{id}/retry` (§10.3): due now, delivered by the
/// worker right away (the reference waits for the next scheduler tick).
pub async fn retry_log(app: &App, id: &str, now: DateTime<Utc>) -> Result<Value> {
    let row = get_log(app, id).await?;
    if !matches!(row.status, logs::Status::Failed | logs::Status::Retrying) {
        return Err(invalid("Can only retry failed or retrying webhook logs"));
    }
    logs::schedule_retry(&mut Exec::Store(&app.store), &row.id, now).await?;
    let row = get_log(app, id).await?;
    app.deliveries.notify_one();
    Ok(json!({
        "id": row.id, "webhook_id": row.webhook_id, "entity": row.entity, "hook": row.hook,
        "url": row.url, "method": row.method, "status": row.status, "attempt": row.attempt,
        "max_attempts": row.max_attempts, "next_retry_at": row.next_retry_at,
        "updated_at": row.updated_at,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(v: Value) -> Body {
        v.as_object().cloned().unwrap_or_default()
    }

    fn err(v: Value) -> String {
        parse(&body(v)).unwrap_err().to_string()
    }

    #[test]
    fn validation_in_the_spec_order() {
        assert_eq!(err(json!({})), "entity is required");
        assert_eq!(
            err(json!({"entity": "a", "hook": "after"})),
            "hook must be after_write, before_write, after_delete, or before_delete"
        );
        assert_eq!(err(json!({"entity": "a"})), "url is required");
        assert_eq!(
            err(json!({"entity": "a", "url": "ftp://x"})),
            "url must start with http:// or https://"
        );
        assert_eq!(
            err(json!({"entity": "a", "url": "http://x", "method": "post"})),
            "method must be POST, PUT, PATCH, GET, or DELETE"
        );
        assert!(matches!(
            parse(&body(
                json!({"entity": "a", "url": "http://x", "headers": []})
            )),
            Err(EngineError::BadInput(_))
        ));
    }

    #[test]
    fn our_checks_after_the_spec() {
        let base = |extra: Value| {
            let mut b = json!({"entity": "a", "url": "http://x"});
            for (k, v) in extra.as_object().unwrap() {
                b[k] = v.clone();
            }
            b
        };
        assert!(err(base(json!({"condition": "record.a ==="}))).starts_with("invalid expression"));
        assert!(err(base(json!({"condition": "context.a"}))).starts_with("invalid expression"));
        assert_eq!(
            err(base(json!({"headers": {"X": 1}}))),
            "header values must be strings"
        );
        assert!(err(base(json!({"retry": {"max_attempts": 21}}))).starts_with("retry.max_attempts"));
        assert!(
            err(base(json!({"retry": {"max_attempts": "3"}}))).starts_with("retry.max_attempts")
        );
        assert_eq!(
            err(base(json!({"url": "http://"}))),
            "url is not a valid URL"
        );
        assert!(parse(&body(base(
            json!({"condition": "changes.status != nil && event == 'after_write'"})
        )))
        .is_ok());
    }

    #[test]
    fn defaults_apply_to_missing_keys() {
        let d = parse(&body(json!({"entity": "a", "url": "https://x/y"}))).unwrap();
        assert_eq!(d.hook, "after_write");
        assert_eq!(d.method, "POST");
        assert!(d.is_async && d.active);
        assert_eq!(
            d.retry,
            json!({"max_attempts": 3, "backoff": "exponential"})
        );
        assert_eq!(d.headers, json!({}));
    }

    #[test]
    fn secrets_are_generated_or_checked() {
        let made = secret_of(&body(json!({})), true).unwrap().unwrap();
        assert!(made.starts_with("whsec_") && made.len() == 70, "{made}");
        assert_eq!(secret_of(&body(json!({})), false).unwrap(), None);
        assert!(secret_of(&body(json!({"secret": "short"})), true).is_err());
        assert_eq!(
            secret_of(&body(json!({"secret": "0123456789abcdef"})), false)
                .unwrap()
                .as_deref(),
            Some("0123456789abcdef")
        );
    }
}
