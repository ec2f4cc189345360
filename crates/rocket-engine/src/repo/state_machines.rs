//! `_state_machines` (spec 02 §4.4, spec 08).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::table::{Stored, Table};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default)]
pub struct StateMachineDef {
    pub entity: String,
    pub field: String,
    pub definition: Value,
    pub active: bool,
}

impl Default for StateMachineDef {
    fn default() -> Self {
        StateMachineDef {
            entity: String::new(),
            field: String::new(),
            definition: json!({}),
            active: true,
        }
    }
}

impl Stored for StateMachineDef {
    const TABLE: Table = Table::new(
        "_state_machines",
        "entity field definition:json active:bool",
    )
    .order("entity");
}
