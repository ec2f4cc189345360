//! `_webhooks` (spec 02 §4.12, spec 12 part B).

use rocket_store::{DbError, Exec, Param};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{fetch, json_param, new_id, run, Reader};

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

fn decode(r: &mut Reader) -> WebhookDef {
    WebhookDef {
        entity: r.text(),
        hook: r.text(),
        url: r.text(),
        method: r.text(),
        headers: r.json(),
        condition: r.text(),
        is_async: r.flag(true),
        retry: r.json(),
        active: r.flag(true),
    }
}

pub async fn list(x: &mut Exec<'_>) -> Result<Vec<WebhookDef>, DbError> {
    fetch(
        x,
        "SELECT entity, hook, url, method, [headers], condition, async, [retry], active FROM _webhooks ORDER BY entity, hook",
        vec![],
        decode,
    )
    .await
}

pub async fn insert(x: &mut Exec<'_>, w: &WebhookDef) -> Result<String, DbError> {
    let id = new_id();
    run(
        x,
        "INSERT INTO _webhooks (id, entity, hook, url, method, headers, condition, async, retry, active) \
         VALUES ({1:uuid}, {2}, {3}, {4}, {5}, {6:jsonb}, {7}, {8:bool}, {9:jsonb}, {10:bool})",
        vec![
            Param::Text(id.clone()),
            Param::Text(w.entity.clone()),
            Param::Text(w.hook.clone()),
            Param::Text(w.url.clone()),
            Param::Text(w.method.clone()),
            json_param(&w.headers),
            Param::Text(w.condition.clone()),
            Param::Bool(w.is_async),
            json_param(&w.retry),
            Param::Bool(w.active),
        ],
    )
    .await?;
    Ok(id)
}
