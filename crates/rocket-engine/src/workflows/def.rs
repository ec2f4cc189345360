//! A workflow definition (spec 09 §1) read once into typed steps, and the admin
//! validation of §8.

use std::collections::HashSet;
use std::time::Duration;

use serde_json::Value;

use crate::logic::compiled::Compiled;
use crate::repo::workflows::WorkflowDef;

/// Where a goto leads (09 §1.2).
#[derive(Debug, Clone, PartialEq)]
pub enum Goto {
    End,
    Step(String),
}

impl Goto {
    /// `"end"`, `{"goto": "end"}`, missing, null or empty → end; a step id as a
    /// string or `{"goto": id}` → that step.
    pub fn read(v: Option<&Value>) -> Goto {
        Goto::target(v).map_or(Goto::End, Goto::Step)
    }

    /// The step id a goto names, if any (not `end`).
    fn target(v: Option<&Value>) -> Option<String> {
        let s = match v? {
            Value::String(s) => s.as_str(),
            Value::Object(m) => m.get("goto")?.as_str()?,
            _ => return None,
        };
        (!s.is_empty() && s != "end").then(|| s.to_string())
    }

    /// `on_timeout`: missing or empty is `None` (the instance fails, 09 §7).
    fn timeout(v: Option<&Value>) -> Option<Goto> {
        let named = match v {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.as_str()),
            Some(Value::Object(m)) => m.get("goto").and_then(Value::as_str),
            Some(_) => None,
        };
        match named {
            None | Some("") => None,
            Some("end") => Some(Goto::End),
            Some(s) => Some(Goto::Step(s.to_string())),
        }
    }
}

/// Who may act on an approval step (Rust contract, 09 §6.3).
#[derive(Debug, Clone, PartialEq)]
pub enum Assignee {
    Anyone,
    Role(String),
    Fixed(String),
    /// A dot path resolved against the instance context (and its `record`).
    Relation(String),
}

impl Assignee {
    fn read(v: Option<&Value>) -> Assignee {
        let text = |k: &str| {
            v.and_then(|a| a.get(k))
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        match text("type").as_str() {
            "role" if !text("role").is_empty() => Assignee::Role(text("role")),
            "fixed" if !text("user").is_empty() => Assignee::Fixed(text("user")),
            "relation" if !text("path").is_empty() => Assignee::Relation(text("path")),
            _ => Assignee::Anyone,
        }
    }
}

#[derive(Debug)]
pub enum StepKind {
    Action {
        actions: Vec<Value>,
        then: Goto,
    },
    Condition {
        expr: Compiled,
        on_true: Goto,
        on_false: Goto,
    },
    Approval {
        assignee: Assignee,
        timeout: Option<Duration>,
        on_approve: Goto,
        on_reject: Goto,
        on_timeout: Option<Goto>,
    },
    Unknown,
}

#[derive(Debug)]
pub struct Step {
    pub id: String,
    pub kind: StepKind,
}

/// The `state_change` trigger (09 §1).
#[derive(Debug, Clone, PartialEq)]
pub struct Trigger {
    pub entity: String,
    pub field: String,
    pub to: String,
}

#[derive(Debug)]
pub struct Workflow {
    pub id: String,
    pub name: String,
    pub active: bool,
    /// `None` unless a `state_change` trigger names an entity.
    pub trigger: Option<Trigger>,
    /// Context mappings: key → dot path (09 §3.2).
    pub context: Vec<(String, String)>,
    pub steps: Vec<Step>,
}

fn text<'a>(v: &'a Value, k: &str) -> &'a str {
    v.get(k).and_then(Value::as_str).unwrap_or_default()
}

impl Step {
    fn read(v: &Value) -> Step {
        let kind = match text(v, "type") {
            "action" => StepKind::Action {
                actions: v
                    .get("actions")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
                then: Goto::read(v.get("then")),
            },
            "condition" => StepKind::Condition {
                expr: Compiled::new(v.get("expression")),
                on_true: Goto::read(v.get("on_true")),
                on_false: Goto::read(v.get("on_false")),
            },
            "approval" => StepKind::Approval {
                assignee: Assignee::read(v.get("assignee")),
                timeout: v.get("timeout").and_then(Value::as_str).and_then(duration),
                on_approve: Goto::read(v.get("on_approve")),
                on_reject: Goto::read(v.get("on_reject")),
                on_timeout: Goto::timeout(v.get("on_timeout")),
            },
            _ => StepKind::Unknown,
        };
        Step {
            id: text(v, "id").to_string(),
            kind,
        }
    }
}

impl Workflow {
    pub fn new(id: String, def: WorkflowDef) -> Workflow {
        let t = &def.trigger;
        let trigger =
            (text(t, "type") == "state_change" && !text(t, "entity").is_empty()).then(|| Trigger {
                entity: text(t, "entity").to_string(),
                field: text(t, "field").to_string(),
                to: text(t, "to").to_string(),
            });
        let context = def
            .context
            .as_object()
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| v.as_str().map(|p| (k.clone(), p.to_string())))
                    .collect()
            })
            .unwrap_or_default();
        let steps = def
            .steps
            .as_array()
            .map(|a| a.iter().map(Step::read).collect())
            .unwrap_or_default();
        Workflow {
            id,
            name: def.name,
            active: def.active,
            trigger,
            context,
            steps,
        }
    }

    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }
}

/// A duration (Rust, 09 §1.3): one or more `<decimal><unit>` with units h, m, s,
/// ms. Unparseable, zero or negative → `None` (no deadline).
pub fn duration(s: &str) -> Option<Duration> {
    let s = s.trim();
    let mut rest = s;
    let mut total = 0f64;
    if rest.is_empty() {
        return None;
    }
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let (unit, secs) = if let Some(r) = rest.strip_prefix("ms") {
            (r, 0.001)
        } else if let Some(r) = rest.strip_prefix('h') {
            (r, 3600.0)
        } else if let Some(r) = rest.strip_prefix('m') {
            (r, 60.0)
        } else if let Some(r) = rest.strip_prefix('s') {
            (r, 1.0)
        } else {
            return None;
        };
        total += n * secs;
        rest = unit;
    }
    // Bounded: a century is plenty and keeps the deadline arithmetic in range.
    (total > 0.0 && total < 3.2e9).then(|| Duration::from_secs_f64(total))
}

/// The admin validation of 09 §8, in order; the first failing check's message.
pub fn validate(def: &WorkflowDef) -> Result<(), String> {
    if def.name.is_empty() {
        return Err("workflow name is required".into());
    }
    let ttype = text(&def.trigger, "type");
    if ttype.is_empty() {
        return Err("trigger type is required".into());
    }
    if ttype != "state_change" {
        return Err(format!("unsupported trigger type: {ttype}"));
    }
    if text(&def.trigger, "entity").is_empty() {
        return Err("trigger entity is required".into());
    }
    let steps = def.steps.as_array().map(Vec::as_slice).unwrap_or_default();
    if steps.is_empty() {
        return Err("at least one step is required".into());
    }
    let mut ids = HashSet::new();
    for s in steps {
        let id = text(s, "id");
        if id.is_empty() {
            return Err("step id is required".into());
        }
        if !ids.insert(id) {
            return Err(format!("duplicate step id: {id}"));
        }
        let t = text(s, "type");
        if !matches!(t, "action" | "condition" | "approval") {
            return Err(format!(
                "invalid step type: {t} (must be action, condition, or approval)"
            ));
        }
    }
    for s in steps {
        for k in [
            "then",
            "on_true",
            "on_false",
            "on_approve",
            "on_reject",
            "on_timeout",
        ] {
            if let Some(target) = Goto::target(s.get(k)) {
                if !ids.contains(target.as_str()) {
                    return Err(format!("goto target not found: {target}"));
                }
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn goto_forms() {
        assert_eq!(Goto::read(Some(&json!("end"))), Goto::End);
        assert_eq!(Goto::read(Some(&json!({"goto": "end"}))), Goto::End);
        assert_eq!(Goto::read(None), Goto::End);
        assert_eq!(Goto::read(Some(&json!(null))), Goto::End);
        assert_eq!(Goto::read(Some(&json!("x"))), Goto::Step("x".into()));
        assert_eq!(
            Goto::read(Some(&json!({"goto": "x"}))),
            Goto::Step("x".into())
        );
        assert_eq!(Goto::timeout(None), None);
        assert_eq!(Goto::timeout(Some(&json!(""))), None);
        assert_eq!(Goto::timeout(Some(&json!("end"))), Some(Goto::End));
        assert_eq!(
            Goto::timeout(Some(&json!({"goto": "r"}))),
            Some(Goto::Step("r".into()))
        );
        // Empty names and other JSON types are not step ids.
        for v in [json!(""), json!({"goto": ""}), json!({"goto": 5}), json!(5)] {
            assert_eq!(Goto::read(Some(&v)), Goto::End, "{v}");
        }
        assert_eq!(Goto::timeout(Some(&json!(null))), None);
        assert_eq!(Goto::timeout(Some(&json!({"goto": ""}))), None);
        assert_eq!(Goto::timeout(Some(&json!(5))), None);
        assert_eq!(
            Goto::timeout(Some(&json!("r"))),
            Some(Goto::Step("r".into()))
        );
    }

    #[test]
    fn assignee_forms() {
        let read = |v: Value| Assignee::read(Some(&v));
        assert_eq!(
            read(json!({"type": "role", "role": "m"})),
            Assignee::Role("m".into())
        );
        assert_eq!(
            read(json!({"type": "fixed", "user": "u1"})),
            Assignee::Fixed("u1".into())
        );
        assert_eq!(
            read(json!({"type": "relation", "path": "record.owner"})),
            Assignee::Relation("record.owner".into())
        );
        // A type without its key, or an unknown type, lets anyone act.
        for v in [
            json!({"type": "role"}),
            json!({"type": "fixed", "user": ""}),
            json!({"type": "relation"}),
            json!({"type": "group", "role": "m"}),
        ] {
            assert_eq!(read(v.clone()), Assignee::Anyone, "{v}");
        }
        assert_eq!(Assignee::read(None), Assignee::Anyone);
    }

    #[test]
    fn durations() {
        assert_eq!(duration("72h"), Some(Duration::from_secs(72 * 3600)));
        assert_eq!(duration("1h30m"), Some(Duration::from_secs(5400)));
        assert_eq!(duration("1.5h"), Some(Duration::from_secs(5400)));
        assert_eq!(duration("90s"), Some(Duration::from_secs(90)));
        assert_eq!(duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(duration("2h45m10s"), Some(Duration::from_secs(9910)));
        for bad in ["", "0s", "3d", "h", "-1h", "1w", "1h 2m", "1e9h", "abc"] {
            assert_eq!(duration(bad), None, "{bad}");
        }
        assert_eq!(duration(" 1m "), Some(Duration::from_secs(60)));
        // Bounded below a century: 3.2e9 s itself is refused.
        assert_eq!(
            duration("3199999999s"),
            Some(Duration::from_secs(3_199_999_999))
        );
        assert_eq!(duration("3200000000s"), None);
    }

    fn def(steps: Value) -> WorkflowDef {
        WorkflowDef {
            name: "w".into(),
            trigger: json!({"type": "state_change", "entity": "e", "field": "s", "to": "x"}),
            steps,
            ..Default::default()
        }
    }

    #[test]
    fn validation_order_and_messages() {
        let ok = json!([{"id": "a", "type": "action", "then": {"goto": "b"}},
                        {"id": "b", "type": "approval", "on_approve": "end", "on_timeout": "a"}]);
        assert_eq!(validate(&def(ok)), Ok(()));
        let mut d = def(json!([]));
        d.name.clear();
        assert_eq!(validate(&d).unwrap_err(), "workflow name is required");
        let mut d = def(json!([{"id": "a", "type": "action"}]));
        d.trigger = json!({});
        assert_eq!(validate(&d).unwrap_err(), "trigger type is required");
        d.trigger = json!({"type": "cron", "entity": "e"});
        assert_eq!(validate(&d).unwrap_err(), "unsupported trigger type: cron");
        d.trigger = json!({"type": "state_change"});
        assert_eq!(validate(&d).unwrap_err(), "trigger entity is required");
        let cases = [
            (json!([]), "at least one step is required"),
            (json!([{"type": "action"}]), "step id is required"),
            (
                json!([{"id": "a", "type": "action"}, {"id": "a", "type": "action"}]),
                "duplicate step id: a",
            ),
            (
                json!([{"id": "a", "type": "wait"}]),
                "invalid step type: wait (must be action, condition, or approval)",
            ),
            (
                json!([{"id": "a", "type": "action", "then": "zz"}]),
                "goto target not found: zz",
            ),
            (
                json!([{"id": "a", "type": "condition", "on_false": {"goto": "q"}}]),
                "goto target not found: q",
            ),
        ];
        for (steps, msg) in cases {
            assert_eq!(validate(&def(steps)).unwrap_err(), msg);
        }
    }

    #[test]
    fn reads_steps_and_trigger() {
        let w = Workflow::new(
            "id".into(),
            WorkflowDef {
                name: "w".into(),
                trigger: json!({"type": "state_change", "entity": "po", "field": "status", "to": "pending"}),
                context: json!({"rid": "trigger.record_id", "bad": 5}),
                steps: json!([{"id": "a", "type": "approval", "timeout": "1h",
                               "assignee": {"type": "role", "role": "manager"}}]),
                active: true,
            },
        );
        assert_eq!(w.trigger.as_ref().unwrap().to, "pending");
        assert_eq!(
            w.context,
            vec![("rid".to_string(), "trigger.record_id".to_string())]
        );
        match &w.step("a").unwrap().kind {
            StepKind::Approval {
                assignee,
                timeout,
                on_timeout,
                ..
            } => {
                assert_eq!(assignee, &Assignee::Role("manager".into()));
                assert_eq!(*timeout, Some(Duration::from_secs(3600)));
                assert_eq!(on_timeout, &None);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_action_condition_and_unknown_steps() {
        let w = Workflow::new(
            "id".into(),
            def(json!([
                {"id": "a", "type": "action", "actions": [{"type": "set_field"}], "then": "c"},
                {"id": "c", "type": "condition", "expression": "context.n > 1",
                 "on_true": {"goto": "a"}, "on_false": "end"},
                {"id": "u", "type": "wait"}
            ])),
        );
        match &w.step("a").unwrap().kind {
            StepKind::Action { actions, then } => {
                assert_eq!(actions, &vec![json!({"type": "set_field"})]);
                assert_eq!(then, &Goto::Step("c".into()));
            }
            other => panic!("{other:?}"),
        }
        match &w.step("c").unwrap().kind {
            StepKind::Condition {
                expr,
                on_true,
                on_false,
            } => {
                assert!(matches!(expr, Compiled::Program(_)), "{expr:?}");
                assert_eq!(on_true, &Goto::Step("a".into()));
                assert_eq!(on_false, &Goto::End);
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(w.step("u").unwrap().kind, StepKind::Unknown));
        assert!(w.step("zz").is_none());
    }

    #[test]
    fn trigger_needs_state_change_and_entity() {
        let trigger = |t: Value| {
            let mut d = def(json!([]));
            d.trigger = t;
            Workflow::new("id".into(), d).trigger
        };
        assert_eq!(
            trigger(json!({"type": "state_change", "entity": "e", "field": "s", "to": "x"})),
            Some(Trigger {
                entity: "e".into(),
                field: "s".into(),
                to: "x".into()
            })
        );
        assert_eq!(trigger(json!({"type": "cron", "entity": "e"})), None);
        assert_eq!(trigger(json!({"type": "state_change", "entity": ""})), None);
    }
}
