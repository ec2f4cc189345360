//! `_workflows` (spec 02 §4.5, spec 09).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::table::{Stored, Table};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct WorkflowDef {
    pub name: String,
    pub trigger: Value,
    pub context: Value,
    pub steps: Value,
    pub active: bool,
}

impl Default for WorkflowDef {
    fn default() -> Self {
        WorkflowDef {
            name: String::new(),
            trigger: json!({}),
            context: json!({}),
            steps: json!([]),
            active: true,
        }
    }
}

impl Stored for WorkflowDef {
    const TABLE: Table = Table::new(
        "_workflows",
        "name trigger:json context:json steps:json active:bool",
    )
    .order("name");
}
