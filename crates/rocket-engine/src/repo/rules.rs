//! `_rules` (spec 02 §4.3, spec 07).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::table::{Stamps, Stored, Table};

/// A rule as exported and imported (spec 14 §1).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct RuleDef {
    pub entity: String,
    pub hook: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub definition: Value,
    pub priority: i64,
    pub active: bool,
}

impl Default for RuleDef {
    fn default() -> Self {
        RuleDef {
            entity: String::new(),
            hook: "before_write".into(),
            kind: String::new(),
            definition: json!({}),
            priority: 0,
            active: true,
        }
    }
}

impl Stored for RuleDef {
    const TABLE: Table = Table::new(
        "_rules",
        "entity hook type definition:json priority:int active:bool",
    )
    .order("entity, priority");
}

/// A stored row as the admin API lists it: the definition with its id and stamps.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct RuleRow {
    pub id: String,
    #[serde(flatten)]
    pub def: RuleDef,
    #[serde(flatten)]
    pub stamps: Stamps,
}

impl Stored for RuleRow {
    const TABLE: Table = Table::new(
        "_rules",
        "id:uuid entity hook type definition:json priority:int active:bool created_at:time updated_at:time",
    )
    .order("entity, priority, created_at, id");
}
