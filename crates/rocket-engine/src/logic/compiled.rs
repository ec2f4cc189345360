//! An expression of a rule, guard or workflow condition, compiled once when the
//! metadata snapshot is built (spec 10 §6), never per request. Definitions saved
//! through the admin API were checked at save time; imported or older ones that do
//! not compile keep their error, reported when they are used (07 §3.4).

use std::sync::Arc;

use rocket_expr::{ContextKind, Program};
use serde_json::Value;

/// What an expression text compiled to.
#[derive(Debug, Clone)]
pub enum Compiled {
    /// Absent, empty or blank text: nothing to evaluate.
    Empty,
    Program(Arc<Program>),
    /// The compile error's text.
    Error(String),
}

impl Compiled {
    /// Compiles `src` for evaluation (unknown variables are `null` then, spec 10 §3.2).
    pub fn new(src: Option<&Value>) -> Compiled {
        match src.and_then(Value::as_str).map(str::trim) {
            None | Some("") => Compiled::Empty,
            Some(_) => {
                let text = src.and_then(Value::as_str).unwrap_or_default();
                match rocket_expr::compile(text) {
                    Ok(p) => Compiled::Program(Arc::new(p)),
                    Err(e) => Compiled::Error(e.to_string()),
                }
            }
        }
    }
}

/// The save-time check (Rust contract, 07 §6.2 note; issue 9): a non-empty
/// expression must compile and name only variables of its context. The message names
/// the error and its position.
pub fn check(kind: ContextKind, src: Option<&Value>) -> Result<(), String> {
    match src {
        None | Some(Value::Null) => Ok(()),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(()),
        Some(Value::String(s)) => rocket_expr::compile_for(kind, s)
            .map(|_| ())
            .map_err(|e| format!("invalid expression: {e}")),
        Some(_) => Err("invalid expression: not a string".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn blank_is_empty_and_errors_are_kept() {
        assert!(matches!(Compiled::new(None), Compiled::Empty));
        assert!(matches!(Compiled::new(Some(&json!("  "))), Compiled::Empty));
        assert!(matches!(Compiled::new(Some(&json!(5))), Compiled::Empty));
        assert!(matches!(
            Compiled::new(Some(&json!("record.a > 1"))),
            Compiled::Program(_)
        ));
        match Compiled::new(Some(&json!("record.a = 1"))) {
            Compiled::Error(m) => assert!(m.contains("line 1"), "{m}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn save_check_names_error_and_position() {
        let rule = ContextKind::ExpressionRule;
        assert!(check(rule, None).is_ok());
        assert!(check(rule, Some(&json!(""))).is_ok());
        assert!(check(rule, Some(&json!("user.id != nil"))).is_ok());
        let e = check(rule, Some(&json!("record.a ==="))).unwrap_err();
        assert!(e.starts_with("invalid expression: "), "{e}");
        assert!(e.contains("line 1, column"), "{e}");
        let e = check(rule, Some(&json!("context.a"))).unwrap_err();
        assert!(e.contains("unknown variable context"), "{e}");
        assert!(check(rule, Some(&json!(["x"]))).is_err());
        let deep = format!("{}1{}", "(".repeat(200), ")".repeat(200));
        assert!(check(rule, Some(&json!(deep))).is_err());
    }
}
