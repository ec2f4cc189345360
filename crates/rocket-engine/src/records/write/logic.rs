//! The business-logic steps of the write pipeline (spec 04 §6.1): related rows for
//! the rules (07 §5), rules (07 §3), state machines (08 §2), the values they set
//! written back into the plan, and the workflows a committed state change starts
//! (09 §3) — in the write's transaction, so a committed write never loses them.

use rocket_meta::Entity;
use rocket_store::{Exec, Sql, Tx};
use serde_json::{json, Map, Value};

use super::plan::{mismatch_detail, FieldValue, RowPlan};
use crate::error::{EngineError, Result};
use crate::logic::machines::{self, old_state, state_text, Call};
use crate::logic::{related, rules, EntityLogic, Scope};
use crate::records::values::to_param;
use crate::records::Caller;
use crate::workflows::run as workflow;
use crate::workflows::{Instance, Workflow};
use std::sync::Arc;

/// `{}`: the `old` of a create (07 §3.1).
pub(super) fn nothing() -> Value {
    Value::Object(Map::new())
}

/// True when an update of `body` by these rules and machines needs nothing of the
/// stored row (so the one-statement update may be used): no relation to load, no
/// expression reading `old`, no machine whose state the body sets.
pub(super) fn update_is_blind(el: &EntityLogic, body: &Map<String, Value>) -> bool {
    el.related.is_empty()
        && !el.reads_old
        && !el.machines.iter().any(|m| body.contains_key(&m.field))
}

/// The related rows the rules read, loaded in the write's transaction (`null` when
/// no rule asks for any).
pub(super) async fn related(
    x: &mut Exec<'_>,
    c: &Caller<'_>,
    e: &Entity,
    el: &EntityLogic,
    row: &Value,
) -> Result<Value> {
    if el.related.is_empty() {
        return Ok(Value::Null);
    }
    related::load(x, &c.schema, e, &el.related, row).await
}

/// What the logic did to a write's payload.
#[derive(Default)]
pub(super) struct Applied {
    /// State-machine webhook calls to send after the commit.
    pub calls: Vec<Call>,
    /// The payload's declared fields after the logic, when any logic ran.
    pub record: Option<Map<String, Value>>,
}

impl Applied {
    /// The payload field map of the write (spec 12 §8): the logic's result, else the
    /// body's declared fields.
    pub fn fields(&self, plan: &RowPlan<'_>) -> Map<String, Value> {
        match &self.record {
            Some(r) => r.clone(),
            None => declared(plan),
        }
    }
}

fn declared(plan: &RowPlan<'_>) -> Map<String, Value> {
    plan.body
        .iter()
        .filter(|(k, _)| plan.entity.has_field(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// Runs the rules then the state machines on the payload of `plan` and writes what
/// they set back into it (computed fields, `set_field` actions; not re-validated,
/// 07 §3.4).
pub(super) fn apply(
    c: &Caller<'_>,
    el: &EntityLogic,
    plan: &mut RowPlan<'_>,
    action: &str,
    old: &Value,
    related: &Value,
) -> Result<Applied> {
    if el.rules.is_empty() && el.machines.is_empty() {
        return Ok(Applied::default());
    }
    let e = plan.entity.clone();
    let mut record = Value::Object(declared(plan));
    let user = json!({"id": c.user.id, "roles": c.user.roles});
    let scope = Scope::new(old, action, &user, related);
    if !el.rules.is_empty() {
        let mut span = crate::events::span("engine", "rules", "rules.evaluate").on(&e.name, None);
        span.meta("hook", "before_write");
        span.meta("rule_count", el.rules.len());
        let errors = rules::run(&el.rules, &scope, &mut record);
        span.meta("error_count", errors.len());
        if !errors.is_empty() {
            return span.result(Err(EngineError::Validation(errors)));
        }
    }
    let out = run_machines(c, el, &e, &scope, &mut record)?;
    write_back(&e, plan, &record, c.dialect())?;
    Ok(Applied {
        calls: out.calls,
        record: match record {
            Value::Object(m) => Some(m),
            _ => None,
        },
    })
}

/// The state machines of the write, in a `state.transition` span (15 §3.2).
fn run_machines(
    c: &Caller<'_>,
    el: &EntityLogic,
    e: &Entity,
    scope: &Scope<'_>,
    record: &mut Value,
) -> Result<machines::Outcome> {
    if el.machines.is_empty() {
        return Ok(machines::Outcome::default());
    }
    let mut span =
        crate::events::span("engine", "state_machine", "state.transition").on(&e.name, None);
    span.meta("machine_count", el.machines.len());
    let out = span.result(machines::run(&el.machines, scope, &c.user.roles, record))?;
    span.meta("error_count", out.errors.len());
    if !out.errors.is_empty() {
        return span.result(Err(EngineError::Validation(out.errors)));
    }
    Ok(out)
}

/// Every declared field whose value the logic changed becomes a column value.
fn write_back(
    e: &Entity,
    plan: &mut RowPlan<'_>,
    record: &Value,
    d: rocket_store::Dialect,
) -> Result<()> {
    let Some(m) = record.as_object() else {
        return Ok(());
    };
    let mut invalid = Vec::new();
    for (k, v) in m {
        let Some(f) = e.field(k) else { continue };
        if plan.body.get(k) == Some(v) {
            continue;
        }
        match to_param(v, f.kind, d) {
            Ok(param) => {
                let fv = FieldValue {
                    name: f.name.clone(),
                    kind: f.kind,
                    param,
                };
                match plan.values.iter_mut().find(|x| x.name == f.name) {
                    Some(slot) => *slot = fv,
                    None => plan.values.push(fv),
                }
            }
            Err(mm) => invalid.push(mismatch_detail(k, k, f.kind, mm)),
        }
    }
    if invalid.is_empty() {
        Ok(())
    } else {
        Err(EngineError::Validation(invalid))
    }
}

fn statement(text: &str) -> Sql {
    Sql {
        text: text.to_string(),
        params: Vec::new(),
    }
}

/// Instances started by a write, to advance once it committed.
pub(super) type Started = Vec<(Arc<Workflow>, Instance)>;

/// Starts the workflows a state change of the written record triggers (09 §3.1):
/// `old` is `{}` on create, `row` the record as stored. The instances are inserted
/// in the write's transaction (nothing committed is lost); their steps run after the
/// commit ([`advance`]). Each start runs under a savepoint: a failing one is logged
/// and undone without touching the write.
pub(super) async fn start_workflows(
    tx: &mut Tx,
    c: &Caller<'_>,
    e: &Entity,
    el: &EntityLogic,
    old: &Value,
    row: &Map<String, Value>,
) -> Result<Started> {
    let mut started = Vec::new();
    if !el.triggers {
        return Ok(started);
    }
    let key = row.get(e.pk_name()).cloned().unwrap_or(Value::Null);
    let now = chrono::Utc::now();
    for m in &el.machines {
        let new = match row.get(&m.field) {
            None | Some(Value::Null) => continue,
            Some(v) => state_text(v),
        };
        if new.is_empty() || new == old_state(old, &m.field) {
            continue;
        }
        for wf in c.logic.triggered(&e.name, &m.field, &new) {
            let key_text = key
                .as_str()
                .map(String::from)
                .unwrap_or_else(|| key.to_string());
            let mut span = crate::events::span("workflow", "engine", "workflow.trigger")
                .on(&e.name, Some(&key_text));
            span.meta("field", m.field.as_str());
            span.meta("to_state", new.as_str());
            span.meta("workflow", wf.name.as_str());
            let x = &mut Exec::Tx(tx);
            x.execute(&statement("SAVEPOINT rocket_workflow")).await?;
            match workflow::begin(x, wf, row, &key, now).await {
                Ok(inst) => {
                    x.execute(&statement("RELEASE SAVEPOINT rocket_workflow"))
                        .await?;
                    started.extend(inst.map(|i| (wf.clone(), i)));
                }
                Err(err) => {
                    tracing::error!(workflow = %wf.name, "workflow start failed: {err}");
                    x.execute(&statement("ROLLBACK TO SAVEPOINT rocket_workflow"))
                        .await?;
                }
            }
        }
    }
    Ok(started)
}

/// Runs the started instances after the commit, before the answer (09 §3.1: Rust
/// runs them synchronously); failures are the instances' own, never the write's.
pub(super) async fn advance(c: &Caller<'_>, started: Started) {
    let x = &mut Exec::Store(&c.app.store);
    for (wf, mut inst) in started {
        workflow::advance_if_due(x, &c.schema, &c.app.outbound, &wf, &mut inst).await;
    }
}

/// Queues the state-machine webhook calls of a write in its transaction (08 §4.1,
/// issue 10: sent after the commit by the delivery worker, never lost to a crash);
/// how many were queued.
pub(super) async fn queue_calls(tx: &mut Tx, calls: &[Call]) -> Result<usize> {
    let now = chrono::Utc::now();
    for c in calls {
        let x = &mut Exec::Tx(tx);
        crate::repo::outbox::insert(x, "state_machine", &c.url, &c.method, &c.body, now).await?;
    }
    Ok(calls.len())
}
