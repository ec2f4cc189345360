//! `_webhooks` (spec 02 §4.12, spec 12 part B).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::table::{Stored, Table};

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

impl Stored for WebhookDef {
    const TABLE: Table = Table::new(
        "_webhooks",
        "entity hook url method headers:json condition async:bool retry:json active:bool",
    )
    .order("entity, hook");
}
