//! `_workflows` (spec 02 §4.5, spec 09).

use rocket_store::{DbError, Exec, Param};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{fetch, json_param, new_id, run, Reader};

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

fn decode(r: &mut Reader) -> WorkflowDef {
    WorkflowDef {
        name: r.text(),
        trigger: r.json(),
        context: r.json(),
        steps: r.json(),
        active: r.flag(true),
    }
}

pub async fn list(x: &mut Exec<'_>) -> Result<Vec<WorkflowDef>, DbError> {
    fetch(
        x,
        "SELECT name, [trigger], [context], [steps], active FROM _workflows ORDER BY name",
        vec![],
        decode,
    )
    .await
}

pub async fn insert(x: &mut Exec<'_>, w: &WorkflowDef) -> Result<String, DbError> {
    let id = new_id();
    run(
        x,
        "INSERT INTO _workflows (id, name, trigger, context, steps, active) \
         VALUES ({1:uuid}, {2}, {3:jsonb}, {4:jsonb}, {5:jsonb}, {6:bool})",
        vec![
            Param::Text(id.clone()),
            Param::Text(w.name.clone()),
            json_param(&w.trigger),
            json_param(&w.context),
            json_param(&w.steps),
            Param::Bool(w.active),
        ],
    )
    .await?;
    Ok(id)
}
