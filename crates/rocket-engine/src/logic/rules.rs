//! Validation rules (spec 07): field checks, expression rules and computed fields of
//! one entity, compiled into the snapshot and run in the write pipeline after the
//! body's own validation (07 §3).

use regex::Regex;
use rocket_expr::Program;
use serde_json::{Map, Value};

use super::compiled::Compiled;
use super::Scope;
use crate::error::Detail;

/// One active `before_write` rule, ready to run.
#[derive(Debug)]
pub struct Rule {
    kind: Kind,
    message: String,
    stop_on_fail: bool,
}

#[derive(Debug)]
enum Kind {
    Field {
        field: String,
        operator: String,
        check: Check,
    },
    Expression(Compiled),
    Computed {
        field: String,
        expr: Compiled,
    },
}

/// A field operator with its threshold read once (07 §2).
#[derive(Debug)]
enum Check {
    Min(Option<f64>),
    Max(Option<f64>),
    MinLength(Option<usize>),
    MaxLength(Option<usize>),
    /// `None`: the pattern does not compile, so every value fails.
    Pattern(Option<Regex>),
    /// Not implemented operators always pass (07 §2).
    Pass,
}

fn text<'a>(d: &'a Value, k: &str) -> &'a str {
    d.get(k).and_then(Value::as_str).unwrap_or_default()
}

/// The numeric view of 07 §2 (Rust): a number, or a trimmed string that is a finite
/// decimal literal.
pub(crate) fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => {
            let t = s.trim();
            let plain = !t.is_empty()
                && t.chars().any(|c| c.is_ascii_digit())
                && t.chars().all(|c| c.is_ascii_digit() || "+-.eE".contains(c));
            t.parse::<f64>().ok().filter(|f| plain && f.is_finite())
        }
        _ => None,
    }
}

fn length(v: &Value) -> Option<usize> {
    // The fraction of a length threshold is truncated; negative means none.
    number(v).filter(|n| *n >= 0.0).map(|n| n.trunc() as usize)
}

impl Check {
    fn new(operator: &str, value: &Value) -> Check {
        match operator {
            "min" => Check::Min(number(value)),
            "max" => Check::Max(number(value)),
            "min_length" => Check::MinLength(length(value)),
            "max_length" => Check::MaxLength(length(value)),
            "pattern" => Check::Pattern(value.as_str().and_then(|p| Regex::new(p).ok())),
            _ => Check::Pass,
        }
    }

    /// True when `v` passes. Absent, null and wrongly typed values pass (07 §2).
    fn passes(&self, v: &Value) -> bool {
        let chars = || v.as_str().map(|s| s.chars().count());
        match self {
            Check::Min(Some(t)) => number(v).is_none_or(|n| n >= *t),
            Check::Max(Some(t)) => number(v).is_none_or(|n| n <= *t),
            Check::MinLength(Some(t)) => chars().is_none_or(|n| n >= *t),
            Check::MaxLength(Some(t)) => chars().is_none_or(|n| n <= *t),
            Check::Pattern(re) => match (v.as_str(), re) {
                (None, _) => true,
                (Some(s), Some(re)) => re.is_match(s),
                (Some(_), None) => false,
            },
            _ => true,
        }
    }
}

impl Rule {
    /// A rule of stored type `kind` with its `definition` (unknown types: `None`,
    /// skipped, 07 §3.2).
    pub fn new(kind: &str, d: &Value) -> Option<Rule> {
        let kind = match kind {
            "field" => {
                let operator = text(d, "operator").to_string();
                let check = Check::new(&operator, d.get("value").unwrap_or(&Value::Null));
                Kind::Field {
                    field: text(d, "field").to_string(),
                    operator,
                    check,
                }
            }
            "expression" => Kind::Expression(Compiled::new(d.get("expression"))),
            "computed" => Kind::Computed {
                field: text(d, "field").to_string(),
                expr: Compiled::new(d.get("expression")),
            },
            _ => return None,
        };
        Some(Rule {
            kind,
            message: text(d, "message").to_string(),
            stop_on_fail: d.get("stop_on_fail").and_then(Value::as_bool) == Some(true),
        })
    }

    /// The programs this rule evaluates (to see which variables a write needs).
    pub(crate) fn program(&self) -> Option<&Program> {
        match &self.kind {
            Kind::Expression(Compiled::Program(p)) => Some(p),
            Kind::Computed {
                expr: Compiled::Program(p),
                ..
            } => Some(p),
            _ => None,
        }
    }

    fn message_or(&self, default: impl FnOnce() -> String) -> String {
        if self.message.is_empty() {
            default()
        } else {
            self.message.clone()
        }
    }

    /// A field rule's failure, if any.
    fn field(&self, record: &Map<String, Value>) -> Option<Detail> {
        let Kind::Field {
            field,
            operator,
            check,
        } = &self.kind
        else {
            return None;
        };
        let v = record.get(field).unwrap_or(&Value::Null);
        if v.is_null() || check.passes(v) {
            return None;
        }
        let message = self.message_or(|| format!("field {field} failed {operator} validation"));
        Some(Detail::new(field, operator, message))
    }

    /// An expression rule's violation, if any (07 §3.4).
    fn expression(&self, scope: &Scope<'_>, record: &Value) -> Option<Detail> {
        let Kind::Expression(expr) = &self.kind else {
            return None;
        };
        let message = match expr {
            Compiled::Empty => return None,
            Compiled::Error(e) => format!("compile error: {e}"),
            Compiled::Program(p) => match p.eval_bool(&scope.env(record)) {
                Ok(false) => return None,
                Ok(true) => self.message_or(|| "Expression rule violated".into()),
                Err(e) => format!("rule evaluation error: {e}"),
            },
        };
        Some(Detail::new("", "expression", message))
    }

    /// Applies a computed rule to `record`; its failure, if any.
    fn compute(&self, scope: &Scope<'_>, record: &mut Value) -> Option<Detail> {
        let Kind::Computed { field, expr } = &self.kind else {
            return None;
        };
        let result = match expr {
            Compiled::Empty => Err("no expression".to_string()),
            Compiled::Error(e) => Err(e.clone()),
            Compiled::Program(p) => p.eval(&scope.env(record)).map_err(|e| e.to_string()),
        };
        match result {
            Ok(v) => {
                if let Some(m) = record.as_object_mut() {
                    m.insert(field.clone(), v);
                }
                None
            }
            Err(e) => Some(Detail::new(
                field,
                "computed",
                format!("evaluate computed field {field}: {e}"),
            )),
        }
    }
}

/// Runs `rules` (already in order, 07 §3.2) on `record`, an object that computed
/// rules write into; every failure, in evaluation order (07 §3.3–3.5).
pub fn run(rules: &[Rule], scope: &Scope<'_>, record: &mut Value) -> Vec<Detail> {
    let mut errors = Vec::new();
    let empty = Map::new();
    for r in rules {
        let fields = record.as_object().unwrap_or(&empty);
        if let Some(d) = r.field(fields) {
            errors.push(d);
            if r.stop_on_fail {
                return errors;
            }
        }
    }
    for r in rules {
        if let Some(d) = r.expression(scope, record) {
            errors.push(d);
            if r.stop_on_fail {
                return errors;
            }
        }
    }
    if !errors.is_empty() {
        return errors;
    }
    for r in rules {
        errors.extend(r.compute(scope, record));
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rule(kind: &str, d: Value) -> Rule {
        Rule::new(kind, &d).unwrap()
    }

    fn check(rules: &[Rule], record: Value) -> (Vec<Detail>, Value) {
        let old = json!({});
        let scope = Scope::new(&old, "create", &Value::Null, &Value::Null);
        let mut r = record;
        (run(rules, &scope, &mut r), r)
    }

    fn fails(kind: &str, d: Value, record: Value) -> bool {
        !check(&[rule(kind, d)], record).0.is_empty()
    }

    #[test]
    fn field_operators() {
        let min = json!({"field": "n", "operator": "min", "value": 0});
        assert!(fails("field", min.clone(), json!({"n": -1})));
        assert!(!fails("field", min.clone(), json!({"n": 0})));
        assert!(
            fails("field", min.clone(), json!({"n": "-5"})),
            "numeric string"
        );
        assert!(
            !fails("field", min.clone(), json!({"n": "abc"})),
            "no numeric view"
        );
        assert!(!fails("field", min.clone(), json!({})), "absent passes");
        assert!(!fails("field", min, json!({"n": null})), "null passes");
        let max = json!({"field": "n", "operator": "max", "value": "10"});
        assert!(fails("field", max.clone(), json!({"n": 10.5})));
        assert!(!fails("field", max, json!({"n": 10})));
        let ten = json!({"field": "n", "operator": "max", "value": "ten"});
        assert!(
            !fails("field", ten, json!({"n": 1e9})),
            "bad threshold passes"
        );
        let minl = json!({"field": "s", "operator": "min_length", "value": 2.9});
        assert!(fails("field", minl.clone(), json!({"s": "é"})));
        assert!(
            !fails("field", minl.clone(), json!({"s": "éé"})),
            "chars, not bytes"
        );
        assert!(!fails("field", minl, json!({"s": 5})), "wrong type passes");
        let maxl = json!({"field": "s", "operator": "max_length", "value": 3});
        assert!(fails("field", maxl.clone(), json!({"s": "abcd"})));
        assert!(!fails("field", maxl, json!({"s": "abc"})));
        let pat = json!({"field": "s", "operator": "pattern", "value": "[0-9]+"});
        assert!(
            !fails("field", pat.clone(), json!({"s": "ab12"})),
            "unanchored"
        );
        assert!(fails("field", pat, json!({"s": "abc"})));
        let broken = json!({"field": "s", "operator": "pattern", "value": "("});
        assert!(fails("field", broken, json!({"s": "abc"})));
        let other = json!({"field": "s", "operator": "required"});
        assert!(
            !fails("field", other, json!({"s": ""})),
            "unimplemented passes"
        );
    }

    #[test]
    fn default_and_custom_messages() {
        let (e, _) = check(
            &[
                rule(
                    "field",
                    json!({"field": "n", "operator": "min", "value": 0}),
                ),
                rule(
                    "field",
                    json!({"field": "n", "operator": "max", "value": -5, "message": "too big"}),
                ),
            ],
            json!({"n": -1}),
        );
        assert_eq!(
            e,
            vec![
                Detail::new("n", "min", "field n failed min validation"),
                Detail::new("n", "max", "too big"),
            ]
        );
    }

    #[test]
    fn passes_in_order_and_stop_on_fail() {
        let a = rule(
            "field",
            json!({"field": "a", "operator": "min", "value": 1}),
        );
        let b = rule(
            "field",
            json!({"field": "b", "operator": "min", "value": 1}),
        );
        let c = rule(
            "field",
            json!({"field": "c", "operator": "min", "value": 1, "stop_on_fail": true}),
        );
        let d = rule("expression", json!({"expression": "true", "message": "D"}));
        let (e, _) = check(&[d, a, b, c], json!({"a": 0, "b": 5, "c": 0}));
        let fields: Vec<&str> = e.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["a", "c"], "field pass first, D never runs");
    }

    #[test]
    fn expression_rules() {
        let r = rule(
            "expression",
            json!({"expression": "record.status == 'paid' && record.payment_date == nil"}),
        );
        let (e, _) = check(std::slice::from_ref(&r), json!({"status": "paid"}));
        assert_eq!(
            e,
            vec![Detail::new("", "expression", "Expression rule violated")]
        );
        assert!(check(&[r], json!({"status": "draft"})).0.is_empty());
        let (e, _) = check(
            &[rule("expression", json!({"expression": "record.x > 1"}))],
            json!({}),
        );
        assert!(e[0]
            .message
            .starts_with("rule evaluation error: cannot compare null"));
        let (e, _) = check(
            &[rule("expression", json!({"expression": "a ="}))],
            json!({}),
        );
        assert!(e[0].message.starts_with("compile error: "));
        assert!(
            check(&[rule("expression", json!({"expression": " "}))], json!({}))
                .0
                .is_empty()
        );
        // Truthiness, not only booleans.
        assert!(!check(
            &[rule("expression", json!({"expression": "'x'"}))],
            json!({})
        )
        .0
        .is_empty());
    }

    #[test]
    fn computed_rules_chain_and_only_run_without_errors() {
        let total = rule(
            "computed",
            json!({"field": "total", "expression": "record.q * record.p"}),
        );
        let label = rule(
            "computed",
            json!({"field": "label", "expression": "'T' + string(record.total)"}),
        );
        let (e, out) = check(&[total, label], json!({"q": 3, "p": 2.5}));
        assert!(e.is_empty(), "{e:?}");
        assert_eq!(
            out,
            json!({"q": 3, "p": 2.5, "total": 7.5, "label": "T7.5"})
        );
        let bad = rule(
            "computed",
            json!({"field": "t", "expression": "record.q * 2"}),
        );
        let (e, _) = check(&[bad], json!({}));
        assert_eq!(e[0].field, "t");
        assert_eq!(e[0].rule, "computed");
        assert!(
            e[0].message.starts_with("evaluate computed field t: "),
            "{e:?}"
        );
        let guard = rule(
            "field",
            json!({"field": "q", "operator": "min", "value": 5}),
        );
        let never = rule("computed", json!({"field": "z", "expression": "1"}));
        let (e, out) = check(&[guard, never], json!({"q": 1}));
        assert_eq!(e.len(), 1);
        assert!(
            out.get("z").is_none(),
            "computed rules do not run after errors"
        );
        let (e, _) = check(&[rule("computed", json!({"field": "z"}))], json!({}));
        assert_eq!(e.len(), 1, "an empty computed expression fails");
    }

    #[test]
    fn unknown_types_are_skipped() {
        assert!(Rule::new("webhook", &json!({})).is_none());
    }

    #[test]
    fn numeric_view_is_a_finite_decimal() {
        assert_eq!(number(&json!(" 2.5 ")), Some(2.5));
        assert_eq!(number(&json!("-1e3")), Some(-1000.0));
        for bad in ["1e999", "-1e999", "inf", "NaN", "", " ", "0x10", "1_000"] {
            assert_eq!(number(&json!(bad)), None, "{bad}");
        }
        assert_eq!(number(&json!(true)), None);
        assert_eq!(number(&json!([1])), None);
        // A value that overflows to infinity has no numeric view, so it passes.
        let max = json!({"field": "n", "operator": "max", "value": 10});
        assert!(!fails("field", max, json!({"n": "1e999"})));
    }

    #[test]
    fn length_thresholds() {
        let zero = json!({"field": "s", "operator": "max_length", "value": 0});
        assert!(
            fails("field", zero.clone(), json!({"s": "a"})),
            "0 is a threshold"
        );
        assert!(!fails("field", zero, json!({"s": ""})));
        let negative = json!({"field": "s", "operator": "max_length", "value": -1});
        assert!(
            !fails("field", negative, json!({"s": "abc"})),
            "negative is no threshold"
        );
    }

    #[test]
    fn programs_of_expression_and_computed_rules() {
        let src = |kind: &str, d: Value| rule(kind, d).program().map(|p| p.source().to_string());
        assert_eq!(
            src("expression", json!({"expression": "old.a > 1"})).as_deref(),
            Some("old.a > 1")
        );
        assert_eq!(
            src("computed", json!({"field": "t", "expression": "old.t"})).as_deref(),
            Some("old.t")
        );
        let field = json!({"field": "n", "operator": "min", "value": 1});
        assert_eq!(src("field", field), None);
        assert_eq!(src("expression", json!({"expression": "a ="})), None);
        assert_eq!(src("computed", json!({"field": "t"})), None);
    }

    #[test]
    fn stop_on_fail_in_the_expression_pass() {
        let expr = |m: &str, stop: bool| {
            rule(
                "expression",
                json!({"expression": "true", "message": m, "stop_on_fail": stop}),
            )
        };
        let field = rule(
            "field",
            json!({"field": "n", "operator": "min", "value": 1}),
        );
        let (e, _) = check(
            &[expr("A", false), field, expr("B", true), expr("C", false)],
            json!({"n": 0}),
        );
        let messages: Vec<&str> = e.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages, ["field n failed min validation", "A", "B"]);
        assert!(e[1].field.is_empty() && e[1].rule == "expression");
        let not_bool = rule(
            "expression",
            json!({"expression": "true", "message": "X", "stop_on_fail": "true"}),
        );
        let (e, _) = check(&[not_bool, expr("Y", false)], json!({}));
        assert_eq!(e.len(), 2, "only a boolean true stops");
    }
}
