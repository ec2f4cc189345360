//! `_state_machines` (spec 02 §4.4, spec 08).

use rocket_store::{DbError, Exec, Param};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{fetch, json_param, new_id, run, Reader};

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

fn decode(r: &mut Reader) -> StateMachineDef {
    StateMachineDef {
        entity: r.text(),
        field: r.text(),
        definition: r.json(),
        active: r.flag(true),
    }
}

pub async fn list(x: &mut Exec<'_>) -> Result<Vec<StateMachineDef>, DbError> {
    fetch(
        x,
        "SELECT entity, field, [definition], active FROM _state_machines ORDER BY entity",
        vec![],
        decode,
    )
    .await
}

pub async fn insert(x: &mut Exec<'_>, m: &StateMachineDef) -> Result<String, DbError> {
    let id = new_id();
    run(
        x,
        "INSERT INTO _state_machines (id, entity, field, definition, active) VALUES ({1:uuid}, {2}, {3}, {4:jsonb}, {5:bool})",
        vec![
            Param::Text(id.clone()),
            Param::Text(m.entity.clone()),
            Param::Text(m.field.clone()),
            json_param(&m.definition),
            Param::Bool(m.active),
        ],
    )
    .await?;
    Ok(id)
}
