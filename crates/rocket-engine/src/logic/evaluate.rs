//! One expression evaluated on request against variables the caller supplies: the
//! "test expression" panel of the admin UI (spec 17 §5.9, nice to have; a Rust
//! addition, docs/api.md `POST /_admin/expr/eval`). The text is compiled and run as
//! every rule, guard and condition is (spec 10 §6: `rocket_expr::compile` bounds its
//! length and nesting, evaluation its steps and sizes); nothing is read or stored.

use serde::Serialize;
use serde_json::Value;

use crate::admin::Body;
use crate::error::{EngineError, Result};

/// The variables of every context (spec 10 §5): rules and guards see `record`,
/// `old`, `action`, `user` and `related`; webhook conditions `changes`, `entity`
/// and `event` too; workflow conditions only `context`.
const VARIABLES: [(&str, Shape); 9] = [
    ("record", Shape::Object),
    ("old", Shape::Object),
    ("action", Shape::Text),
    ("user", Shape::Object),
    ("related", Shape::Object),
    ("changes", Shape::Object),
    ("entity", Shape::Text),
    ("event", Shape::Text),
    ("context", Shape::Object),
];

/// What a supplied variable must be (`null` always passes: an absent variable is
/// `null` to the expression anyway, spec 10 §3.2).
#[derive(Clone, Copy)]
enum Shape {
    Object,
    Text,
}

/// The answer: the result as JSON, its type in the language and its truthiness
/// (what a rule, guard or condition would make of it).
#[derive(Debug, Serialize)]
pub struct Evaluated {
    pub result: Value,
    #[serde(rename = "type")]
    pub type_name: &'static str,
    pub truthy: bool,
}

fn invalid(m: impl Into<String>) -> EngineError {
    EngineError::Invalid(m.into())
}

fn bad_body() -> EngineError {
    EngineError::BadInput("Invalid JSON body".into())
}

/// Evaluates `body.expression` with the variables of `body`. Checked in the order of
/// spec 06 §5: unknown keys, then each key's type (`400`, as every admin body), then
/// the expression itself; a compile or evaluation error is a `422` that names the
/// error and its line and column.
pub fn evaluate(body: &Body) -> Result<Evaluated> {
    let known = |k: &str| k == "expression" || VARIABLES.iter().any(|(v, _)| *v == k);
    if let Some(k) = body.keys().find(|k| !known(k)) {
        let names: Vec<&str> = VARIABLES.iter().map(|(v, _)| *v).collect();
        return Err(invalid(format!(
            "unknown key: {k} (expected expression, {})",
            names.join(", ")
        )));
    }
    let mut env: Vec<(&str, &Value)> = Vec::with_capacity(VARIABLES.len());
    for (name, shape) in VARIABLES {
        let Some(v) = body.get(name).filter(|v| !v.is_null()) else {
            continue;
        };
        match (shape, v) {
            (Shape::Object, Value::Object(_)) | (Shape::Text, Value::String(_)) => {
                env.push((name, v))
            }
            _ => return Err(bad_body()),
        }
    }
    let source = match body.get("expression") {
        None | Some(Value::Null) => "",
        Some(Value::String(s)) => s.as_str(),
        Some(_) => return Err(bad_body()),
    };
    let action = body.get("action").and_then(Value::as_str);
    if action.is_some_and(|a| !matches!(a, "create" | "update" | "delete")) {
        return Err(invalid("action must be create, update or delete"));
    }
    if source.trim().is_empty() {
        return Err(invalid("expression is required"));
    }
    let program =
        rocket_expr::compile(source).map_err(|e| invalid(format!("compile error: {e}")))?;
    let out = program
        .eval_outcome(env.as_slice())
        .map_err(|e| invalid(format!("evaluation error: {e}")))?;
    Ok(Evaluated {
        result: out.value,
        type_name: out.type_name,
        truthy: out.truthy,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(body: Value) -> Result<Evaluated> {
        match body {
            Value::Object(m) => evaluate(&m),
            _ => panic!("an object"),
        }
    }

    fn message(e: EngineError) -> String {
        match e {
            EngineError::Invalid(m) => m,
            other => panic!("expected a 422, got {other:?}"),
        }
    }

    #[test]
    fn every_context_variable_is_seen() {
        let r = run(
            json!({"expression": "record.total > old.total && action == 'update'",
            "record": {"total": 5}, "old": {"total": 2}, "action": "update"}),
        )
        .unwrap();
        assert_eq!(
            (r.result, r.type_name, r.truthy),
            (json!(true), "bool", true)
        );
        let r =
            run(json!({"expression": "context.amount * 2", "context": {"amount": 21}})).unwrap();
        assert_eq!((r.result, r.type_name), (json!(42), "number"));
        let r = run(
            json!({"expression": "entity + ':' + event + ':' + changes.a.new",
            "entity": "invoice", "event": "after_write", "changes": {"a": {"old": 1, "new": 2}}}),
        )
        .unwrap();
        assert_eq!(r.result, json!("invoice:after_write:2"));
        let r = run(
            json!({"expression": "'admin' in user.roles || related == nil",
            "user": {"id": "u", "roles": ["admin"]}, "old": null}),
        )
        .unwrap();
        assert!(r.truthy);
        let r = run(json!({"expression": "expression"})).unwrap();
        assert_eq!(r.result, Value::Null, "the body's own key is no variable");
    }

    #[test]
    fn refusals_name_what_is_wrong() {
        let m = message(run(json!({"expression": "1", "recrod": {}})).unwrap_err());
        assert!(
            m.starts_with("unknown key: recrod (expected expression, record,"),
            "{m}"
        );
        for body in [
            json!({}),
            json!({"expression": null}),
            json!({"expression": "  "}),
        ] {
            assert_eq!(message(run(body).unwrap_err()), "expression is required");
        }
        let m = message(run(json!({"expression": "record.a = 1"})).unwrap_err());
        assert!(
            m.starts_with("compile error: ") && m.ends_with("line 1, column 10"),
            "{m}"
        );
        let m = message(run(json!({"expression": "record.n < 1", "record": {}})).unwrap_err());
        assert!(
            m.starts_with("evaluation error: cannot compare null"),
            "{m}"
        );
        let long = "1+".repeat(rocket_expr::limits::MAX_SOURCE_LEN) + "1";
        let m = message(run(json!({"expression": long})).unwrap_err());
        assert!(m.contains("expression too long"), "{m}");
        let m = message(run(json!({"expression": "1", "action": "read"})).unwrap_err());
        assert_eq!(m, "action must be create, update or delete");
        for body in [
            json!({"expression": 1}),
            json!({"expression": "1", "record": []}),
            json!({"expression": "1", "entity": 5}),
        ] {
            assert!(matches!(run(body), Err(EngineError::BadInput(_))));
        }
    }
}
