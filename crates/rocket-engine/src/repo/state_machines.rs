//! `_state_machines` (spec 02 §4.4, spec 08).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::table::{Stamps, Stored, Table};

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

/// A stored row as the admin API lists it: the definition with its id and stamps.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct StateMachineRow {
    pub id: String,
    #[serde(flatten)]
    pub def: StateMachineDef,
    #[serde(flatten)]
    pub stamps: Stamps,
}

impl Stored for StateMachineRow {
    const TABLE: Table = Table::new(
        "_state_machines",
        "id:uuid entity field definition:json active:bool created_at:time updated_at:time",
    )
    .order("entity, created_at, id");
}
