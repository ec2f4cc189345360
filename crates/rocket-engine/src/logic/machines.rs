//! State machines (spec 08): the initial state on create, allowed transitions on
//! update with roles (Rust contract, 08 §3.3), guards and actions.

use serde_json::Value;

use super::compiled::Compiled;
use super::Scope;
use crate::error::{Detail, EngineError};

/// One active machine of an entity.
#[derive(Debug)]
pub struct Machine {
    pub field: String,
    /// Some transition has a webhook action (its calls go through the outbox).
    pub sends: bool,
    initial: String,
    transitions: Vec<Transition>,
}

#[derive(Debug)]
struct Transition {
    from: Vec<String>,
    to: String,
    /// Lower-cased.
    roles: Vec<String>,
    guard: Compiled,
    actions: Vec<Action>,
}

/// A transition action (08 §4); other types do nothing.
#[derive(Debug, Clone)]
enum Action {
    SetField { field: String, value: Value },
    Webhook { url: String, method: String },
    Other,
}

/// A webhook call a transition asked for, sent after the write commits (08 §4.1
/// note): the payload map as it was when the action ran.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub url: String,
    pub method: String,
    pub body: Value,
}

/// What the machines of one write decided.
#[derive(Debug, Default)]
pub struct Outcome {
    pub errors: Vec<Detail>,
    pub calls: Vec<Call>,
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect(),
        _ => Vec::new(),
    }
}

fn text<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or_default()
}

/// The text of a state value (08 §3): strings as is, numbers in shortest form,
/// booleans, `null` as `null`.
pub fn state_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => "null".into(),
        other => other.to_string(),
    }
}

/// The stored state: `""` when absent or null (08 §3.2).
pub fn old_state(old: &Value, field: &str) -> String {
    match old.get(field) {
        None | Some(Value::Null) => String::new(),
        Some(v) => state_text(v),
    }
}

impl Action {
    fn new(a: &Value) -> Action {
        match text(a, "type") {
            "set_field" => Action::SetField {
                field: text(a, "field").to_string(),
                value: a.get("value").cloned().unwrap_or(Value::Null),
            },
            "webhook" => Action::Webhook {
                url: text(a, "url").to_string(),
                method: match text(a, "method") {
                    "" => "POST".into(),
                    m => m.to_ascii_uppercase(),
                },
            },
            _ => Action::Other,
        }
    }
}

/// `"now"` as the current UTC time in whole seconds (08 §4), anything else as is.
pub fn resolve_value(v: &Value, now: chrono::DateTime<chrono::Utc>) -> Value {
    match v.as_str() {
        Some("now") => Value::String(now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        _ => v.clone(),
    }
}

impl Machine {
    /// A machine on `field` from its stored `definition`.
    pub fn new(field: &str, d: &Value) -> Machine {
        let transitions: Vec<Transition> = d
            .get("transitions")
            .and_then(Value::as_array)
            .map(|ts| {
                ts.iter()
                    .map(|t| Transition {
                        from: strings(t.get("from")),
                        to: text(t, "to").to_string(),
                        roles: strings(t.get("roles"))
                            .into_iter()
                            .map(|r| r.to_lowercase())
                            .collect(),
                        guard: Compiled::new(t.get("guard")),
                        actions: t
                            .get("actions")
                            .and_then(Value::as_array)
                            .map(|a| a.iter().map(Action::new).collect())
                            .unwrap_or_default(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let sends = transitions.iter().any(|t| {
            t.actions
                .iter()
                .any(|a| matches!(a, Action::Webhook { .. }))
        });
        Machine {
            field: field.to_string(),
            sends,
            initial: text(d, "initial").to_string(),
            transitions,
        }
    }

    fn detail(&self, message: String) -> Detail {
        Detail::new(&self.field, "state_machine", message)
    }

    /// Checks one write against this machine, applying its actions to `record`.
    fn check(
        &self,
        scope: &Scope<'_>,
        roles: &[String],
        record: &mut Value,
        out: &mut Outcome,
    ) -> Result<(), EngineError> {
        let Some(new) = record.get(&self.field).map(state_text) else {
            return Ok(()); // the write does not touch the state (08 §2)
        };
        if scope.is_create() {
            if !self.initial.is_empty() && new != self.initial {
                let m = format!("Initial state must be '{}', got '{new}'", self.initial);
                out.errors.push(self.detail(m));
            }
            return Ok(());
        }
        let old = old_state(scope.old, &self.field);
        if old == new {
            return Ok(());
        }
        let Some(t) = self
            .transitions
            .iter()
            .find(|t| t.to == new && t.from.contains(&old))
        else {
            let m = format!("Invalid transition from '{old}' to '{new}'");
            out.errors.push(self.detail(m));
            return Ok(());
        };
        let admin = roles.iter().any(|r| r == "admin");
        if !t.roles.is_empty()
            && !admin
            && !roles.iter().any(|r| t.roles.contains(&r.to_lowercase()))
        {
            return Err(EngineError::Forbidden(format!(
                "Transition from '{old}' to '{new}' not allowed for your role"
            )));
        }
        let blocked = match &t.guard {
            Compiled::Empty => None,
            Compiled::Error(e) => Some(format!("Guard evaluation error: {e}")),
            Compiled::Program(p) => match p.eval_bool(&scope.env(record)) {
                Ok(true) => None,
                Ok(false) => Some(format!(
                    "Transition from '{old}' to '{new}' blocked by guard"
                )),
                Err(e) => Some(format!("Guard evaluation error: {e}")),
            },
        };
        if let Some(m) = blocked {
            out.errors.push(self.detail(m));
            return Ok(());
        }
        for a in &t.actions {
            match a {
                Action::SetField { field, value } => {
                    let v = resolve_value(value, scope.now);
                    if let Some(m) = record.as_object_mut() {
                        m.insert(field.clone(), v);
                    }
                }
                Action::Webhook { url, method } => out.calls.push(Call {
                    url: url.clone(),
                    method: method.clone(),
                    body: record.clone(),
                }),
                Action::Other => {}
            }
        }
        Ok(())
    }
}

/// Runs every machine in order on `record` (08 §2). A role refusal is an error at
/// once (403 before 422, spec 06 §5); failed checks are collected.
pub fn run(
    machines: &[Machine],
    scope: &Scope<'_>,
    roles: &[String],
    record: &mut Value,
) -> Result<Outcome, EngineError> {
    let mut out = Outcome::default();
    for m in machines {
        m.check(scope, roles, record, &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn doc() -> Machine {
        Machine::new(
            "status",
            &json!({
                "initial": "draft",
                "transitions": [
                    {"from": "draft", "to": "sent", "guard": "record.total > 0",
                     "actions": [{"type": "set_field", "field": "sent_at", "value": "now"},
                                 {"type": "webhook", "url": "http://x/hook"}]},
                    {"from": ["sent", ""], "to": "paid"},
                    {"from": "draft", "to": "void", "roles": ["Manager"]},
                    {"from": "sent", "to": "draft", "guard": "record.x ="}
                ]
            }),
        )
    }

    fn go(old: Value, mut record: Value, roles: &[&str]) -> (Result<Outcome, EngineError>, Value) {
        let roles: Vec<String> = roles.iter().map(|r| r.to_string()).collect();
        let action = if old == json!({}) { "create" } else { "update" };
        let scope = Scope::new(&old, action, &Value::Null, &Value::Null);
        let out = run(&[doc()], &scope, &roles, &mut record);
        (out, record)
    }

    fn messages(old: Value, record: Value) -> Vec<String> {
        let out = go(old, record, &[]).0.unwrap();
        out.errors.into_iter().map(|d| d.message).collect()
    }

    #[test]
    fn create_checks_only_the_initial_state() {
        assert!(messages(json!({}), json!({"status": "draft"})).is_empty());
        assert!(messages(json!({}), json!({"name": "x"})).is_empty());
        assert_eq!(
            messages(json!({}), json!({"status": "sent"})),
            ["Initial state must be 'draft', got 'sent'"]
        );
        assert_eq!(
            messages(json!({}), json!({"status": 2})),
            ["Initial state must be 'draft', got '2'"]
        );
    }

    #[test]
    fn transitions_guards_and_actions() {
        let (out, rec) = go(
            json!({"status": "draft"}),
            json!({"status": "sent", "total": 5}),
            &[],
        );
        let out = out.unwrap();
        assert!(out.errors.is_empty());
        let at = rec["sent_at"].as_str().unwrap();
        assert!(at.ends_with('Z') && at.len() == 20, "{at}");
        assert_eq!(out.calls.len(), 1);
        assert_eq!(out.calls[0].method, "POST");
        assert_eq!(
            out.calls[0].body["sent_at"], rec["sent_at"],
            "body as at the action"
        );
        assert_eq!(
            messages(
                json!({"status": "draft"}),
                json!({"status": "sent", "total": 0})
            ),
            ["Transition from 'draft' to 'sent' blocked by guard"]
        );
        let m = messages(json!({"status": "draft"}), json!({"status": "sent"}));
        assert!(
            m[0].starts_with("Guard evaluation error: cannot compare null"),
            "{m:?}"
        );
        let m = messages(json!({"status": "sent"}), json!({"status": "draft"}));
        assert!(m[0].starts_with("Guard evaluation error: "), "{m:?}");
        assert_eq!(
            messages(json!({"status": "draft"}), json!({"status": "paid"})),
            ["Invalid transition from 'draft' to 'paid'"]
        );
        assert!(messages(json!({"status": "sent"}), json!({"status": "paid"})).is_empty());
        assert!(
            messages(json!({"status": null}), json!({"status": "paid"})).is_empty(),
            "'' matches null"
        );
        assert!(messages(json!({"status": "draft"}), json!({"status": "draft"})).is_empty());
        assert!(messages(json!({"status": "draft"}), json!({"total": 1})).is_empty());
    }

    #[test]
    fn roles_are_enforced() {
        let old = json!({"status": "draft"});
        let rec = json!({"status": "void"});
        match go(old.clone(), rec.clone(), &["clerk"]).0 {
            Err(EngineError::Forbidden(m)) => {
                assert_eq!(
                    m,
                    "Transition from 'draft' to 'void' not allowed for your role"
                )
            }
            other => panic!("{other:?}"),
        }
        assert!(
            go(old.clone(), rec.clone(), &["manager"]).0.is_ok(),
            "case-insensitive"
        );
        assert!(go(old.clone(), rec.clone(), &["admin"]).0.is_ok());
        assert!(go(old, rec, &[]).0.is_err());
    }

    #[test]
    fn actions_run_in_order_and_later_machines_see_them() {
        let m = |field: &str, d: Value| Machine::new(field, &d);
        let status = m(
            "status",
            json!({"transitions": [{"from": "a", "to": "b", "actions": [
                {"type": "set_field", "field": "stage", "value": "y"},
                {"type": "webhook", "url": "http://x/1", "method": "put"},
                {"type": "set_field", "field": "n", "value": 5},
                {"type": "send_event", "event": "e"}
            ]}]}),
        );
        let stage = m(
            "stage",
            json!({"transitions": [{"from": "x", "to": "y", "guard": "record.n == nil"}]}),
        );
        let old = json!({"status": "a", "stage": "x"});
        let scope = Scope::new(&old, "update", &Value::Null, &Value::Null);
        let mut rec = json!({"status": "b"});
        let out = run(&[status, stage], &scope, &[], &mut rec).unwrap();
        assert_eq!(
            rec,
            json!({"status": "b", "stage": "y", "n": 5}),
            "verbatim value"
        );
        assert_eq!(
            out.calls,
            [Call {
                url: "http://x/1".into(),
                method: "PUT".into(),
                body: json!({"status": "b", "stage": "y"}),
            }]
        );
        assert_eq!(out.errors.len(), 1, "the stage machine saw n");
        assert_eq!(out.errors[0].field, "stage");
        assert_eq!(out.errors[0].rule, "state_machine");
    }

    #[test]
    fn no_initial_and_user_role_case() {
        let free = Machine::new("s", &json!({"transitions": []}));
        let old = json!({});
        let scope = Scope::new(&old, "create", &Value::Null, &Value::Null);
        let out = run(&[free], &scope, &[], &mut json!({"s": "any"})).unwrap();
        assert!(out.errors.is_empty(), "no initial, no check");
        let (out, _) = go(
            json!({"status": "draft"}),
            json!({"status": "void"}),
            &["MANAGER"],
        );
        assert!(out.is_ok(), "user roles compare case-insensitively");
    }

    #[test]
    fn state_texts() {
        assert_eq!(state_text(&json!(2.5)), "2.5");
        assert_eq!(state_text(&json!(true)), "true");
        assert_eq!(state_text(&json!(null)), "null");
        assert_eq!(old_state(&json!({"s": null}), "s"), "");
        assert_eq!(old_state(&json!({}), "s"), "");
    }
}
