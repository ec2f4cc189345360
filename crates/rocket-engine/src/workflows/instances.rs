//! `_workflow_instances` (spec 02 §4.6, 09 §2): typed rows in the API's shape and
//! the statements of the engine. Every change of a running instance happens in a
//! transaction holding its row ([`lock`]), so approvals, rejections and timeouts of
//! several server processes never act on the same step twice.

use chrono::{DateTime, Utc};
use rocket_store::{DbError, Exec, Param};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::repo::table::{select, select_one, Stored, Table};
use crate::repo::{json_param, new_id, run, time_param};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Running,
    Completed,
    Failed,
    Cancelled,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Running => "running",
            Status::Completed => "completed",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
        }
    }
}

/// An instance as the runtime API shows it (09 §2).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Instance {
    pub id: String,
    pub workflow_id: String,
    pub workflow_name: String,
    pub status: Status,
    /// `""` when none.
    pub current_step: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_step_deadline: Option<String>,
    pub context: Value,
    pub history: Vec<Value>,
    pub created_at: Option<String>,
    pub updated_at: Option<String>,
}

impl Stored for Instance {
    const TABLE: Table = Table::new(
        "_workflow_instances",
        "id:uuid workflow_id:uuid workflow_name status current_step current_step_deadline:time \
         context:json history:json created_at:time updated_at:time",
    )
    .order("created_at DESC, id");
}

/// A history entry (09 §2): `at` in whole seconds, `by` only for approvals.
pub fn entry(step: &str, status: &str, by: Option<&str>, at: DateTime<Utc>) -> Value {
    let mut m = serde_json::Map::new();
    m.insert("step".into(), step.into());
    m.insert("status".into(), status.into());
    if let Some(by) = by {
        m.insert("by".into(), by.into());
    }
    m.insert(
        "at".into(),
        at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into(),
    );
    Value::Object(m)
}

/// Inserts a new running instance at `step`; returns it.
pub async fn insert(
    x: &mut Exec<'_>,
    workflow_id: &str,
    workflow_name: &str,
    step: &str,
    context: &Value,
) -> Result<Instance, DbError> {
    let id = new_id();
    run(
        x,
        "INSERT INTO _workflow_instances (id, workflow_id, workflow_name, status, current_step, context, history) \
         VALUES ({1:uuid}, {2:uuid}, {3}, 'running', {4}, {5:jsonb}, {6:jsonb})",
        vec![
            Param::Text(id.clone()),
            Param::Text(workflow_id.to_string()),
            Param::Text(workflow_name.to_string()),
            Param::Text(step.to_string()),
            json_param(context),
            // Bound: a literal `[]` would read as a column marker of the template.
            Param::Text("[]".into()),
        ],
    )
    .await?;
    Ok(Instance {
        id,
        workflow_id: workflow_id.to_string(),
        workflow_name: workflow_name.to_string(),
        current_step: step.to_string(),
        context: context.clone(),
        ..Default::default()
    })
}

fn uuid_or_none(id: &str) -> Option<String> {
    rocket_meta::looks_like_uuid(id).then(|| id.to_ascii_lowercase())
}

/// One instance (a malformed id finds nothing).
pub async fn get(x: &mut Exec<'_>, id: &str) -> Result<Option<Instance>, DbError> {
    crate::repo::find::<Instance>(x, id).await
}

/// One instance, its row held until the transaction ends (`FOR UPDATE` on
/// Postgres; SQLite's write transaction already excludes other writers).
pub async fn lock(x: &mut Exec<'_>, id: &str) -> Result<Option<Instance>, DbError> {
    let Some(id) = uuid_or_none(id) else {
        return Ok(None);
    };
    let clause = format!("WHERE id = {{1:uuid}}{}", for_update(x, false));
    select_one(x, &clause, vec![Param::Text(id)]).await
}

fn for_update(x: &Exec<'_>, skip_locked: bool) -> &'static str {
    match (x.dialect(), skip_locked) {
        (rocket_store::Dialect::Postgres, false) => " FOR UPDATE",
        (rocket_store::Dialect::Postgres, true) => " FOR UPDATE SKIP LOCKED",
        (rocket_store::Dialect::Sqlite, _) => "",
    }
}

/// The next running instance whose deadline passed at `now`, claimed: held until
/// the transaction ends and skipped by every other claimer meanwhile (`SKIP
/// LOCKED`; on SQLite the claimer holds the file's single write lock).
/// `skip`: ids this claimer already passed over.
pub async fn claim_due(
    x: &mut Exec<'_>,
    now: DateTime<Utc>,
    skip: &[String],
) -> Result<Option<Instance>, DbError> {
    let d = x.dialect();
    let mut params = vec![time_param(d, now)];
    let mut not_in = String::new();
    for id in skip {
        params.push(Param::Text(id.clone()));
        let sep = if not_in.is_empty() {
            " AND id NOT IN ("
        } else {
            ", "
        };
        not_in.push_str(&format!("{sep}{{{}:uuid}}", params.len()));
    }
    if !not_in.is_empty() {
        not_in.push(')');
    }
    let clause = format!(
        "WHERE status = 'running' AND current_step_deadline IS NOT NULL \
         AND current_step_deadline < {{1:timestamptz}}{not_in} ORDER BY current_step_deadline, id LIMIT 1{}",
        for_update(x, true)
    );
    select_one(x, &clause, params).await
}

/// Running instances paused at a step, newest first (09 §6.1).
pub async fn pending(x: &mut Exec<'_>) -> Result<Vec<Instance>, DbError> {
    select(
        x,
        "WHERE status = 'running' AND current_step IS NOT NULL ORDER BY created_at DESC, id",
        vec![],
    )
    .await
}

/// Writes the state of an instance (09 §4 "persist").
pub async fn persist(
    x: &mut Exec<'_>,
    i: &Instance,
    deadline: Option<DateTime<Utc>>,
) -> Result<(), DbError> {
    let d = x.dialect();
    let step = if i.current_step.is_empty() {
        Param::Null
    } else {
        Param::Text(i.current_step.clone())
    };
    run(
        x,
        "UPDATE _workflow_instances SET status = {2}, current_step = {3}, \
         current_step_deadline = {4:timestamptz}, history = {5:jsonb}, updated_at = {now} \
         WHERE id = {1:uuid}",
        vec![
            Param::Text(i.id.clone()),
            Param::Text(i.status.as_str().into()),
            step,
            deadline.map_or(Param::Null, |t| time_param(d, t)),
            json_param(&Value::Array(i.history.clone())),
        ],
    )
    .await
    .map(|_| ())
}

/// Deletes an instance; `false` when the id is malformed.
pub async fn delete(x: &mut Exec<'_>, id: &str) -> Result<bool, DbError> {
    let Some(id) = uuid_or_none(id) else {
        return Ok(false);
    };
    crate::repo::delete_by_id(x, "_workflow_instances", &id).await?;
    Ok(true)
}
