//! `_workflows` (spec 02 §4.5, spec 09).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::table::{Stamps, Stored, Table};

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

/// A stored row as the admin API lists it: the definition with its id and stamps.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkflowRow {
    pub id: String,
    #[serde(flatten)]
    pub def: WorkflowDef,
    #[serde(flatten)]
    pub stamps: Stamps,
}

impl Stored for WorkflowRow {
    const TABLE: Table = Table::new(
        "_workflows",
        "id:uuid name trigger:json context:json steps:json active:bool created_at:time updated_at:time",
    )
    .order("name");
}
