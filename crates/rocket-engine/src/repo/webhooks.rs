//! `_webhooks` (spec 02 §4.10, spec 12 §6) and the signing secrets beside them
//! (`_webhook_secrets`, ours: issue 10), kept out of the definition row so no listing,
//! export or log ever shows one.

use rocket_store::{DbError, Exec, Param};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::table::{Stamps, Stored, Table};
use super::{fetch, run};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct WebhookDef {
    pub entity: String,
    pub hook: String,
    pub url: String,
    pub method: String,
    pub headers: Value,
    pub condition: String,
    #[serde(rename = "async")]
    pub is_async: bool,
    pub retry: Value,
    pub active: bool,
}

impl Default for WebhookDef {
    fn default() -> Self {
        WebhookDef {
            entity: String::new(),
            hook: "after_write".into(),
            url: String::new(),
            method: "POST".into(),
            headers: json!({}),
            condition: String::new(),
            is_async: true,
            retry: json!({"max_attempts": 3, "backoff": "exponential"}),
            active: true,
        }
    }
}

impl WebhookDef {
    /// `retry.max_attempts` (0 when missing, spec 12 §10.1).
    pub fn max_attempts(&self) -> i64 {
        self.retry
            .get("max_attempts")
            .and_then(Value::as_i64)
            .unwrap_or(0)
    }
}

impl Stored for WebhookDef {
    const TABLE: Table = Table::new(
        "_webhooks",
        "entity hook url method headers:json condition async:bool retry:json active:bool",
    )
    .order("entity, hook");
}

/// A stored webhook as the admin API shows it (12 §6).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WebhookRow {
    pub id: String,
    #[serde(flatten)]
    pub def: WebhookDef,
    #[serde(flatten)]
    pub stamps: Stamps,
}

impl Stored for WebhookRow {
    const TABLE: Table = Table::new(
        "_webhooks",
        "id:uuid entity hook url method headers:json condition async:bool retry:json active:bool \
         created_at:time updated_at:time",
    )
    .order("entity, hook, created_at, id");
}

/// Every webhook's signing secret, by webhook id.
pub async fn secrets(x: &mut Exec<'_>) -> Result<Vec<(String, String)>, DbError> {
    fetch(
        x,
        "SELECT [webhook_id], secret FROM _webhook_secrets",
        vec![],
        |r| (r.text(), r.text()),
    )
    .await
}

/// Gives every webhook of `ids` that has no signing secret a new one (imported
/// definitions, rows written by other servers); a concurrent writer's secret wins.
/// Returns every secret.
pub async fn ensure_secrets(
    x: &mut Exec<'_>,
    ids: &[String],
) -> Result<Vec<(String, String)>, DbError> {
    let known = secrets(x).await?;
    let missing: Vec<&String> = ids
        .iter()
        .filter(|id| !known.iter().any(|(k, _)| k == *id))
        .collect();
    if missing.is_empty() {
        return Ok(known);
    }
    for id in missing {
        let secret = super::random_secret().map_err(|e| DbError::Other(e.to_string()))?;
        run(
            x,
            "INSERT INTO _webhook_secrets (webhook_id, secret) VALUES ({1:uuid}, {2}) ON CONFLICT (webhook_id) DO NOTHING",
            vec![Param::Text(id.clone()), Param::Text(format!("whsec_{secret}"))],
        )
        .await?;
    }
    secrets(x).await
}

/// Sets the signing secret of webhook `id`.
pub async fn set_secret(x: &mut Exec<'_>, id: &str, secret: &str) -> Result<(), DbError> {
    run(
        x,
        "DELETE FROM _webhook_secrets WHERE webhook_id = {1:uuid}",
        vec![Param::Text(id.into())],
    )
    .await?;
    run(
        x,
        "INSERT INTO _webhook_secrets (webhook_id, secret) VALUES ({1:uuid}, {2})",
        vec![Param::Text(id.into()), Param::Text(secret.into())],
    )
    .await
    .map(|_| ())
}
