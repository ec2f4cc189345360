//! Admin APIs of rules (spec 07 §6) and state machines (08 §7): validation in the
//! spec's order, then ours: every expression compiles for its context and a rule's
//! `related_load` names real relations and filters (issue 9), so a broken
//! definition is refused at save time, never discovered at request time.

use rocket_expr::ContextKind;
use serde_json::Value;

use super::compiled::check;
use super::related::RelatedLoad;
use crate::admin::{self, with_id, Body, Collection, Fields};
use crate::app::App;
use crate::error::{EngineError, Result};
use crate::platform::Platform;
use crate::repo::rules::{RuleDef, RuleRow};
use crate::repo::state_machines::{StateMachineDef, StateMachineRow};

fn invalid(m: impl Into<String>) -> EngineError {
    EngineError::Invalid(m.into())
}

/// `entity is required` / `entity not found: <entity>`.
fn check_entity(app: &App, entity: &str) -> Result<()> {
    if entity.is_empty() {
        return Err(invalid("entity is required"));
    }
    if app.schema().entity(entity).is_none() {
        return Err(invalid(format!("entity not found: {entity}")));
    }
    Ok(())
}

/// Reads and validates a rule body (07 §6.2).
pub fn parse_rule(app: &App, b: &Body) -> Result<RuleDef> {
    let f = Fields(b);
    let def = RuleDef {
        entity: f.text("entity")?,
        hook: f.text("hook")?,
        kind: f.text("type")?,
        definition: f.object("definition")?,
        priority: f.int("priority")?,
        active: f.flag("active", true)?,
    };
    check_entity(app, &def.entity)?;
    if !matches!(def.hook.as_str(), "before_write" | "before_delete") {
        return Err(invalid(format!(
            "invalid hook: {} (must be before_write or before_delete)",
            def.hook
        )));
    }
    let kind = match def.kind.as_str() {
        "field" => None,
        "expression" => Some(ContextKind::ExpressionRule),
        "computed" => Some(ContextKind::ComputedRule),
        other => {
            return Err(invalid(format!(
                "invalid rule type: {other} (must be field, expression, or computed)"
            )))
        }
    };
    check_definition(app, &def, kind).map_err(invalid)?;
    Ok(def)
}

/// Our save-time checks inside `definition`.
fn check_definition(
    app: &App,
    def: &RuleDef,
    kind: Option<ContextKind>,
) -> std::result::Result<(), String> {
    let d = &def.definition;
    if let Some(kind) = kind {
        check(kind, d.get("expression"))?;
    }
    if def.kind == "field" && d.get("operator").and_then(Value::as_str) == Some("pattern") {
        if let Some(p) = d.get("value").and_then(Value::as_str) {
            regex::Regex::new(p).map_err(|e| format!("invalid pattern: {e}"))?;
        }
    }
    RelatedLoad::parse(&app.schema(), &def.entity, d)
}

/// `/_admin/rules` (spec 07 §6).
pub struct Rules;

impl Collection for Rules {
    type Row = RuleRow;

    const NOUN: &'static str = "Rule";

    async fn put(p: &Platform, app: &App, id: Option<&str>, body: Body) -> Result<Value> {
        let def = parse_rule(app, &body)?;
        let id = admin::store_row(app, id, &def).await?;
        p.metadata_changed(app).await?;
        with_id(&id, &def)
    }

    async fn delete(p: &Platform, app: &App, id: &str) -> Result<Value> {
        admin::delete_row::<Self>(p, app, id, "_rules").await
    }
}

fn bad_body() -> EngineError {
    EngineError::BadInput("Invalid JSON body".into())
}

/// Wrong JSON types inside a machine definition are a 400 (08 §7).
fn check_shapes(d: &Value) -> Result<()> {
    let Some(ts) = d.get("transitions").filter(|v| !v.is_null()) else {
        return Ok(());
    };
    let ts = ts.as_array().ok_or_else(bad_body)?;
    for t in ts {
        let t = t.as_object().ok_or_else(bad_body)?;
        let strings = |v: &Value| v.as_array().is_some_and(|a| a.iter().all(Value::is_string));
        let ok = match t.get("from") {
            None | Some(Value::Null) | Some(Value::String(_)) => true,
            Some(v) => strings(v),
        } && t.get("to").is_none_or(|v| v.is_string() || v.is_null())
            && t.get("guard").is_none_or(|v| v.is_string() || v.is_null())
            && t.get("roles").is_none_or(|v| v.is_null() || strings(v))
            && t.get("actions").is_none_or(|v| v.is_null() || v.is_array());
        if !ok {
            return Err(bad_body());
        }
    }
    if d.get("initial")
        .is_some_and(|v| !v.is_string() && !v.is_null())
    {
        return Err(bad_body());
    }
    Ok(())
}

/// Reads and validates a state machine body (08 §7).
pub fn parse_machine(app: &App, b: &Body) -> Result<StateMachineDef> {
    let f = Fields(b);
    let def = StateMachineDef {
        entity: f.text("entity")?,
        field: f.text("field")?,
        definition: f.object("definition")?,
        active: f.flag("active", true)?,
    };
    check_shapes(&def.definition)?;
    check_entity(app, &def.entity)?;
    if def.field.is_empty() {
        return Err(invalid("field is required"));
    }
    let transitions = def.definition.get("transitions").and_then(Value::as_array);
    let Some(transitions) = transitions.filter(|t| !t.is_empty()) else {
        return Err(invalid("at least one transition is required"));
    };
    for t in transitions {
        check(ContextKind::Guard, t.get("guard")).map_err(invalid)?;
    }
    Ok(def)
}

/// `/_admin/state-machines` (spec 08 §7).
pub struct StateMachines;

impl Collection for StateMachines {
    type Row = StateMachineRow;

    const NOUN: &'static str = "State machine";

    async fn put(p: &Platform, app: &App, id: Option<&str>, body: Body) -> Result<Value> {
        let def = parse_machine(app, &body)?;
        let id = admin::store_row(app, id, &def).await?;
        p.metadata_changed(app).await?;
        with_id(&id, &def)
    }

    async fn delete(p: &Platform, app: &App, id: &str) -> Result<Value> {
        admin::delete_row::<Self>(p, app, id, "_state_machines").await
    }
}
