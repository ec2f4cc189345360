//! How import treats each stored kind: its list, duplicate key and defaults.

use serde_json::{Map, Value};

use super::{text, Kind};
use crate::repo::rules::RuleDef;
use crate::repo::state_machines::StateMachineDef;
use crate::repo::webhooks::WebhookDef;
use crate::repo::workflows::WorkflowDef;

impl Kind for RuleDef {
    const LIST: &'static str = "rules";
    /// Entity, hook, type and the definition as a JSON value (key order insensitive).
    type Key = (String, String, String, Value);
    fn key(&self) -> Self::Key {
        (
            self.entity.clone(),
            self.hook.clone(),
            self.kind.clone(),
            self.definition.clone(),
        )
    }
    fn label(item: &Map<String, Value>) -> String {
        format!("Rule ({})", Self::name(item))
    }
    fn name(item: &Map<String, Value>) -> String {
        format!("{}/{}", text(item, "entity"), text(item, "hook"))
    }
    fn normalize(&mut self) {
        if self.hook.is_empty() {
            self.hook = "before_write".into();
        }
    }
}

impl Kind for StateMachineDef {
    const LIST: &'static str = "state_machines";
    type Key = (String, String);
    fn key(&self) -> Self::Key {
        (self.entity.clone(), self.field.clone())
    }
    fn label(item: &Map<String, Value>) -> String {
        format!("State machine ({})", Self::name(item))
    }
    fn name(item: &Map<String, Value>) -> String {
        format!("{}/{}", text(item, "entity"), text(item, "field"))
    }
}

impl Kind for WorkflowDef {
    const LIST: &'static str = "workflows";
    type Key = String;
    fn key(&self) -> Self::Key {
        self.name.clone()
    }
    fn label(item: &Map<String, Value>) -> String {
        format!("Workflow {}", Self::name(item))
    }
    fn name(item: &Map<String, Value>) -> String {
        text(item, "name").to_string()
    }
    fn skip(&self) -> bool {
        self.name.is_empty()
    }
}

impl Kind for WebhookDef {
    const LIST: &'static str = "webhooks";
    type Key = (String, String, String);
    fn key(&self) -> Self::Key {
        (self.entity.clone(), self.hook.clone(), self.url.clone())
    }
    fn label(item: &Map<String, Value>) -> String {
        format!("Webhook ({})", Self::name(item))
    }
    fn name(item: &Map<String, Value>) -> String {
        format!(
            "{}/{}/{}",
            text(item, "entity"),
            text(item, "hook"),
            text(item, "url")
        )
    }
    fn normalize(&mut self) {
        if self.hook.is_empty() {
            self.hook = "after_write".into();
        }
        if self.method.is_empty() {
            self.method = "POST".into();
        }
    }
}
