//! `_rules` (spec 02 §4.3, spec 07).

use rocket_store::{DbError, Exec, Param};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{fetch, json_param, new_id, run, Reader};

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

fn decode(r: &mut Reader) -> RuleDef {
    RuleDef {
        entity: r.text(),
        hook: r.text(),
        kind: r.text(),
        definition: r.json(),
        priority: r.int(),
        active: r.flag(true),
    }
}

pub async fn list(x: &mut Exec<'_>) -> Result<Vec<RuleDef>, DbError> {
    fetch(
        x,
        "SELECT entity, hook, type, [definition], priority, active FROM _rules ORDER BY entity, priority",
        vec![],
        decode,
    )
    .await
}

pub async fn insert(x: &mut Exec<'_>, r: &RuleDef) -> Result<String, DbError> {
    let id = new_id();
    run(
        x,
        "INSERT INTO _rules (id, entity, hook, type, definition, priority, active) \
         VALUES ({1:uuid}, {2}, {3}, {4}, {5:jsonb}, {6:int4}, {7:bool})",
        vec![
            Param::Text(id.clone()),
            Param::Text(r.entity.clone()),
            Param::Text(r.hook.clone()),
            Param::Text(r.kind.clone()),
            json_param(&r.definition),
            Param::Int(r.priority),
            Param::Bool(r.active),
        ],
    )
    .await?;
    Ok(id)
}
