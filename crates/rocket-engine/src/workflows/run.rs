//! Starting instances and moving them on (spec 09 §3–§6): the advancement loop with
//! its step cap, the actions, and approve/reject with the assignee enforced.

use chrono::{DateTime, Utc};
use rocket_meta::Schema;
use rocket_sql::{Cond, SqlValue, Write};
use rocket_store::Exec;
use serde_json::{json, Map, Value};

use super::def::{Assignee, Goto, StepKind, Workflow};
use super::instances::{self, entry, Instance, Status};
use super::{LEASE, MAX_STEPS};
use crate::app::App;
use crate::auth::User;
use crate::error::{EngineError, Result};
use crate::logic::compiled::Compiled;
use crate::logic::machines::resolve_value;
use crate::records::values::{key_param, text_form, to_param};
use crate::webhooks::deliver::{Outbound, Request};

/// Walks a dot path through objects; anything missing is `null` (09 §3.2).
pub fn resolve_path<'v>(root: &'v Value, path: &str) -> &'v Value {
    let mut v = root;
    for part in path.split('.') {
        match v.get(part) {
            Some(next) => v = next,
            None => return &Value::Null,
        }
    }
    v
}

/// The context of a new instance from its mappings (09 §3.2).
pub fn context(wf: &Workflow, record: &Map<String, Value>, key: &Value) -> Value {
    let record = Value::Object(record.clone());
    let data = json!({
        "trigger": {"record_id": key, "record": record},
        "record": record,
        "record_id": key,
    });
    Value::Object(
        wf.context
            .iter()
            .map(|(k, path)| (k.clone(), resolve_path(&data, path).clone()))
            .collect(),
    )
}

/// Creates an instance of `wf` for the record just written, in the write's
/// transaction (so a committed write never loses the workflow it started, 09 §3.3),
/// and "enters" its first step. The caller advances it after the commit
/// ([`advance_if_due`]); `None` when the workflow has no steps.
pub async fn begin(
    x: &mut Exec<'_>,
    wf: &Workflow,
    record: &Map<String, Value>,
    key: &Value,
    now: DateTime<Utc>,
) -> Result<Option<Instance>> {
    let Some(first) = wf.steps.first() else {
        tracing::error!(workflow = %wf.name, "workflow has no steps; not started");
        return Ok(None);
    };
    let ctx = context(wf, record, key);
    let inst = instances::insert(x, &wf.id, &wf.name, &first.id, &ctx).await?;
    persist(x, wf, &inst, now).await?;
    Ok(Some(inst))
}

/// The deadline stored with an instance at its current step: an approval step's
/// timeout; for any other step of a running instance a lease (the step is in flight:
/// if its process dies, the timeout job resumes it once the lease ran out); none
/// once the instance ended.
fn deadline(wf: &Workflow, inst: &Instance, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    if inst.status != Status::Running || inst.current_step.is_empty() {
        return None;
    }
    let lease = || chrono::Duration::from_std(LEASE).ok().map(|d| now + d);
    match wf.step(&inst.current_step).map(|s| &s.kind) {
        Some(StepKind::Approval { timeout, .. }) => timeout
            .and_then(|d| chrono::Duration::from_std(d).ok())
            .map(|d| now + d),
        _ => lease(),
    }
}

/// Writes the instance's state (09 §4 "persist") with its [`deadline`].
pub async fn persist(
    x: &mut Exec<'_>,
    wf: &Workflow,
    inst: &Instance,
    now: DateTime<Utc>,
) -> Result<()> {
    instances::persist(x, inst, deadline(wf, inst, now)).await?;
    Ok(())
}

/// True when the instance waits at an approval step (or ended): nothing to run.
pub fn paused(wf: &Workflow, inst: &Instance) -> bool {
    inst.status != Status::Running
        || matches!(
            wf.step(&inst.current_step).map(|s| &s.kind),
            Some(StepKind::Approval { .. })
        )
}

/// After a commit: advances an instance that is not paused, outside any
/// transaction (its steps may call receivers that read back what was committed).
pub async fn advance_if_due(
    x: &mut Exec<'_>,
    schema: &Schema,
    out: &Outbound,
    wf: &Workflow,
    inst: &mut Instance,
) {
    if paused(wf, inst) {
        return;
    }
    let mut span = crate::events::span("workflow", "engine", "workflow.advance");
    span.meta("workflow", wf.name.as_str());
    span.meta("instance_id", inst.id.as_str());
    if let Err(e) = span.result(advance(x, schema, out, wf, inst, Utc::now()).await) {
        tracing::error!(instance = %inst.id, workflow = %wf.name, "workflow advancement failed: {e}");
    }
    span.meta("result", inst.status.as_str());
    if inst.status == Status::Running {
        span.meta("paused_at", inst.current_step.as_str());
    }
}

fn fail(inst: &mut Instance, why: &str) {
    tracing::warn!(instance = %inst.id, workflow = %inst.workflow_name, step = %inst.current_step, "workflow failed: {why}");
    inst.status = Status::Failed;
}

/// The advancement loop (09 §4) from the instance's current step. Each statement
/// commits on its own and no transaction is held across a webhook call; after an
/// action step the state is saved when the loop goes on to a step that is not an
/// approval (a checkpoint, so a crash resumes after the last completed action step),
/// and the final state always.
pub async fn advance(
    x: &mut Exec<'_>,
    schema: &Schema,
    out: &Outbound,
    wf: &Workflow,
    inst: &mut Instance,
    now: DateTime<Utc>,
) -> Result<()> {
    let mut steps = 0;
    while inst.status == Status::Running {
        steps += 1;
        if steps > MAX_STEPS {
            fail(
                inst,
                &format!("more than {MAX_STEPS} steps in one advancement"),
            );
            break;
        }
        let Some(step) = wf.step(&inst.current_step) else {
            fail(inst, "step not found");
            break;
        };
        let next = match &step.kind {
            StepKind::Action { actions, then } => {
                match run_actions(x, schema, out, actions, &inst.context, now).await {
                    Ok(()) => {
                        inst.history.push(entry(&step.id, "completed", None, now));
                        goto(inst, then.clone());
                        if !paused(wf, inst) {
                            persist(x, wf, inst, now).await?;
                        }
                        continue;
                    }
                    Err(e) => {
                        fail(inst, &e);
                        break;
                    }
                }
            }
            StepKind::Condition {
                expr,
                on_true,
                on_false,
            } => {
                let Compiled::Program(p) = expr else {
                    fail(inst, "condition has no valid expression");
                    break;
                };
                match p.eval_bool(&[("context", &inst.context)]) {
                    Ok(true) => {
                        inst.history.push(entry(&step.id, "on_true", None, now));
                        on_true.clone()
                    }
                    Ok(false) => {
                        inst.history.push(entry(&step.id, "on_false", None, now));
                        on_false.clone()
                    }
                    Err(e) => {
                        fail(inst, &e.to_string());
                        break;
                    }
                }
            }
            StepKind::Approval { .. } => break,
            StepKind::Unknown => {
                fail(inst, "unknown step type");
                break;
            }
        };
        goto(inst, next);
    }
    persist(x, wf, inst, now).await
}

/// Moves to `next`: `end` completes the instance.
fn goto(inst: &mut Instance, next: Goto) {
    match next {
        Goto::End => {
            inst.status = Status::Completed;
            inst.current_step.clear();
        }
        Goto::Step(s) => inst.current_step = s,
    }
}

async fn run_actions(
    x: &mut Exec<'_>,
    schema: &Schema,
    out: &Outbound,
    actions: &[Value],
    ctx: &Value,
    now: DateTime<Utc>,
) -> std::result::Result<(), String> {
    for a in actions {
        let kind = a.get("type").and_then(Value::as_str).unwrap_or_default();
        match kind {
            "set_field" => set_field(x, schema, a, ctx, now).await?,
            "webhook" => webhook(out, a, ctx).await?,
            "create_record" | "send_event" => {
                tracing::info!("workflow action {kind} is not yet implemented");
            }
            other => tracing::warn!("unknown workflow action type {other:?} skipped"),
        }
    }
    Ok(())
}

fn text<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or_default()
}

/// `set_field` (09 §5.1): one column of one record, no rules, machines or
/// triggers; the field must be a declared, non-key field (Rust note).
async fn set_field(
    x: &mut Exec<'_>,
    schema: &Schema,
    a: &Value,
    ctx: &Value,
    now: DateTime<Utc>,
) -> std::result::Result<(), String> {
    let entity = text(a, "entity");
    if entity.is_empty() {
        return Err("set_field action missing entity".into());
    }
    let e = schema
        .entity(entity)
        .ok_or_else(|| format!("entity not found: {entity}"))?;
    let path = text(a, "record_id");
    let scope = json!({ "context": ctx });
    let id = text_form(resolve_path(&scope, path))
        .ok_or_else(|| format!("could not resolve record_id: {path}"))?;
    let field = text(a, "field");
    let f = e
        .field(field)
        .filter(|f| f.name != e.pk_name())
        .ok_or_else(|| format!("unknown field: {field}"))?;
    let value = resolve_value(a.get("value").unwrap_or(&Value::Null), now);
    let param = to_param(&value, f.kind, x.dialect())
        .map_err(|_| format!("set_field {field}: value does not fit the field type"))?;
    let Some(key) = key_param(&id, e.pk().kind) else {
        return Ok(()); // no such record: zero rows is not an error (09 §5.1)
    };
    let q = Write::update(
        x.dialect(),
        &e.table,
        &[(f.name.as_str(), f.kind, SqlValue::Param(param))],
        &[Cond::eq(e.pk_name(), e.pk().kind, key)],
    );
    // Outside any transaction: a refused statement (a constraint) fails the step.
    x.execute(&q)
        .await
        .map_err(|e| format!("set_field {field}: {e}"))?;
    Ok(())
}

/// `webhook` (09 §5.2): the context as the body; non-2xx or no answer fails the step.
/// Sent through the app's outbound client (its target policy and timeout apply).
async fn webhook(out: &Outbound, a: &Value, ctx: &Value) -> std::result::Result<(), String> {
    let url = text(a, "url");
    let method = match text(a, "method") {
        "" => "POST".to_string(),
        m => m.to_ascii_uppercase(),
    };
    let o = out
        .send(&Request {
            method: &method,
            url,
            headers: &Value::Null,
            body: ctx,
            secret: None,
            delivery: None,
        })
        .await;
    match o.status {
        _ if o.ok() => Ok(()),
        0 => Err(format!(
            "workflow webhook {method} {url} failed: {}",
            o.error
        )),
        s => Err(format!("workflow webhook {method} {url} returned HTTP {s}")),
    }
}

/// Whether `user` may act on an approval step with `assignee` (Rust contract,
/// 09 §6.3); admins always may.
fn may_act(user: &User, assignee: &Assignee, ctx: &Value) -> bool {
    if user.is_admin() {
        return true;
    }
    match assignee {
        Assignee::Anyone => true,
        Assignee::Role(r) => user.roles.iter().any(|h| h.eq_ignore_ascii_case(r)),
        Assignee::Fixed(id) => user.id.eq_ignore_ascii_case(id),
        Assignee::Relation(path) => {
            let scope = json!({ "context": ctx });
            let p = path.strip_prefix("context.").unwrap_or(path);
            let v = resolve_path(&scope["context"], p);
            let v = if v.is_null() {
                resolve_path(&scope, path)
            } else {
                v
            };
            text_form(v).is_some_and(|id| id.eq_ignore_ascii_case(&user.id))
        }
    }
}

fn refuse(m: String) -> EngineError {
    EngineError::Invalid(m)
}

/// Approve (`approve`) or reject the approval step an instance waits at (09 §6.3),
/// then advance; the stored instance afterwards.
pub async fn decide(app: &App, user: &User, id: &str, approve: bool) -> Result<Instance> {
    let action = if approve {
        "workflow.approve"
    } else {
        "workflow.reject"
    };
    let mut span = crate::events::span("workflow", "handler", action);
    span.meta("instance_id", id);
    span.meta("user_id", user.id.as_str());
    span.result(decide_now(app, user, id, approve).await)
}

async fn decide_now(app: &App, user: &User, id: &str, approve: bool) -> Result<Instance> {
    let now = Utc::now();
    let (schema, logic) = (app.schema(), app.logic());
    let mut tx = app.store.begin().await?;
    let x = &mut Exec::Tx(&mut tx);
    let mut inst = instances::lock(x, id)
        .await?
        .ok_or_else(|| refuse(format!("workflow instance not found: {id}")))?;
    if inst.status != Status::Running {
        return Err(refuse(format!(
            "workflow instance is not running (status: {})",
            inst.status.as_str()
        )));
    }
    let wf = logic
        .workflow(&inst.workflow_name)
        .ok_or_else(|| {
            refuse(format!(
                "workflow definition not found: {}",
                inst.workflow_name
            ))
        })?
        .clone();
    let step = wf
        .step(&inst.current_step)
        .ok_or_else(|| refuse(format!("current step not found: {}", inst.current_step)))?;
    let StepKind::Approval {
        assignee,
        on_approve,
        on_reject,
        ..
    } = &step.kind
    else {
        return Err(refuse("current step is not an approval step".into()));
    };
    if !may_act(user, assignee, &inst.context) {
        return Err(EngineError::Forbidden(
            "Not allowed to act on this approval step".into(),
        ));
    }
    let status = if approve { "approved" } else { "rejected" };
    inst.history
        .push(entry(&step.id, status, Some(&user.id), now));
    let next = if approve { on_approve } else { on_reject }.clone();
    goto(&mut inst, next);
    persist(x, &wf, &inst, now).await?;
    tx.commit().await?;
    let store = &mut Exec::Store(&app.store);
    advance_if_due(store, &schema, &app.outbound, &wf, &mut inst).await;
    instances::get(store, &inst.id)
        .await?
        .ok_or_else(|| EngineError::NotFound(format!("Workflow instance not found: {id}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_context() {
        let v = json!({"a": {"b": [1], "c": null}});
        assert_eq!(resolve_path(&v, "a.b"), &json!([1]));
        assert_eq!(resolve_path(&v, "a.x.y"), &Value::Null);
        assert_eq!(resolve_path(&v, "a.b.c"), &Value::Null);
        let wf = Workflow::new(
            "w".into(),
            crate::repo::workflows::WorkflowDef {
                name: "w".into(),
                context: json!({"rid": "trigger.record_id", "amount": "trigger.record.amount",
                                "same": "record.amount", "lit": "purchase_order"}),
                ..Default::default()
            },
        );
        let rec = json!({"id": "k1", "amount": "10.50"});
        let ctx = context(&wf, rec.as_object().unwrap(), &json!("k1"));
        assert_eq!(
            ctx,
            json!({"rid": "k1", "amount": "10.50", "same": "10.50", "lit": null})
        );
    }

    #[test]
    fn assignees() {
        let u = |id: &str, roles: &[&str]| User {
            id: id.into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
        };
        let ctx = json!({"requester": "u1", "record": {"owner": "u2"}});
        let role = Assignee::Role("Finance".into());
        assert!(may_act(&u("x", &["finance"]), &role, &ctx));
        assert!(!may_act(&u("x", &["sales"]), &role, &ctx));
        assert!(may_act(&u("x", &["admin"]), &role, &ctx));
        let fixed = Assignee::Fixed("u1".into());
        assert!(may_act(&u("u1", &[]), &fixed, &ctx));
        assert!(!may_act(&u("u2", &[]), &fixed, &ctx));
        assert!(may_act(
            &u("u1", &[]),
            &Assignee::Relation("requester".into()),
            &ctx
        ));
        assert!(may_act(
            &u("u2", &[]),
            &Assignee::Relation("context.record.owner".into()),
            &ctx
        ));
        assert!(!may_act(
            &u("u1", &[]),
            &Assignee::Relation("record.owner".into()),
            &ctx
        ));
        assert!(may_act(&u("anyone", &[]), &Assignee::Anyone, &ctx));
    }
}
