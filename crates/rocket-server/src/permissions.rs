//! The permission engine (spec 11 §7): a whitelist of policies per (entity, action),
//! `admin` bypass, case-insensitive roles, write conditions checked against the
//! stored record, and row-level read filters compiled into typed conditions — applied
//! to lists, to get-by-id and to includes alike.

use std::cmp::Ordering;

use rocket_meta::{Condition, Entity, Schema};
use rocket_sql::{CmpOp, Cond};
use rocket_store::{Dialect, Param};
use serde_json::{Map, Value};

use crate::auth::User;
use crate::error::{ApiError, ApiResult};
use crate::values::{text_form, to_param};

/// What one request may see: the user and the policies of the current snapshot.
pub struct Access<'a> {
    pub user: &'a User,
    pub schema: &'a Schema,
    pub dialect: Dialect,
}

impl Access<'_> {
    /// `create` / `read` check without a record; returns the read filters (empty for
    /// `create` and for admins).
    pub fn check(&self, e: &Entity, action: &str) -> ApiResult<Vec<Cond>> {
        if self.user.is_admin() {
            return Ok(Vec::new());
        }
        let policies = self.schema.policies(&e.name, action);
        if policies.is_empty() {
            return Err(no_permission(action, &e.name));
        }
        let matching: Vec<_> = policies
            .iter()
            .filter(|p| p.matches_roles(&self.user.roles))
            .collect();
        if matching.is_empty() {
            return Err(ApiError::Forbidden(format!(
                "Permission denied for {action} on {}",
                e.name
            )));
        }
        if action != "read" {
            return Ok(Vec::new());
        }
        // Conditions of every matching policy are AND-ed (spec 11 §7.4).
        Ok(matching
            .iter()
            .flat_map(|p| p.conditions.iter())
            .map(|c| compile(e, c, self.dialect))
            .collect())
    }

    /// Read filters for an included entity: `read` is required there too.
    pub fn read_filters(&self, e: &Entity) -> ApiResult<Vec<Cond>> {
        self.check(e, "read")
    }

    /// `update` / `delete` against the stored record (conditions hold on the record
    /// before the change).
    pub fn check_record(
        &self,
        e: &Entity,
        action: &str,
        record: &Map<String, Value>,
    ) -> ApiResult<()> {
        if self.user.is_admin() {
            return Ok(());
        }
        let policies = self.schema.policies(&e.name, action);
        if policies.is_empty() {
            return Err(no_permission(action, &e.name));
        }
        let allowed = policies
            .iter()
            .filter(|p| p.matches_roles(&self.user.roles))
            .any(|p| p.conditions.iter().all(|c| holds(c, record)));
        if allowed {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!(
                "Permission denied for {action} on {}",
                e.name
            )))
        }
    }
}

fn no_permission(action: &str, entity: &str) -> ApiError {
    ApiError::Forbidden(format!("No permission for {action} on {entity}"))
}

/// A condition that can never hold, for conditions that no longer fit the entity:
/// failing closed hides rows instead of leaking them.
fn nothing() -> Cond {
    Cond::In {
        col: String::new(),
        ty: rocket_meta::FieldType::String,
        values: Vec::new(),
        negate: false,
    }
}

/// Compiles a read condition into a typed condition (never SQL text).
pub fn compile(e: &Entity, c: &Condition, d: Dialect) -> Cond {
    let Some(f) = e.field(&c.field) else {
        return nothing();
    };
    let param = |v: &Value| to_param(v, f.kind, d).ok();
    let cmp = |op: CmpOp| match param(&c.value) {
        Some(value) => Cond::Cmp {
            col: f.name.clone(),
            ty: f.kind,
            op,
            value,
        },
        None => nothing(),
    };
    match c.operator.as_str() {
        "neq" => cmp(CmpOp::Neq),
        "gt" => cmp(CmpOp::Gt),
        "gte" => cmp(CmpOp::Gte),
        "lt" => cmp(CmpOp::Lt),
        "lte" => cmp(CmpOp::Lte),
        "in" | "not_in" => {
            let negate = c.operator == "not_in";
            let Some(items) = c.value.as_array() else {
                return if negate {
                    Cond::In {
                        col: String::new(),
                        ty: f.kind,
                        values: vec![],
                        negate: true,
                    }
                } else {
                    nothing()
                };
            };
            let values: Option<Vec<Param>> = items.iter().map(param).collect();
            match values {
                Some(values) => Cond::In {
                    col: f.name.clone(),
                    ty: f.kind,
                    values,
                    negate,
                },
                None => nothing(),
            }
        }
        "like" => match c.value.as_str() {
            Some(p) => Cond::Like {
                col: f.name.clone(),
                ty: f.kind,
                pattern: p.to_string(),
            },
            None => nothing(),
        },
        _ => cmp(CmpOp::Eq),
    }
}

fn text(v: &Value) -> String {
    text_form(v).unwrap_or_else(|| "null".into())
}

fn number(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap_or(0.0),
        Value::String(s) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Evaluates a write condition on a stored record (spec 11 §7.3).
pub fn holds(c: &Condition, record: &Map<String, Value>) -> bool {
    let Some(v) = record.get(&c.field) else {
        return false;
    };
    let ord = || {
        number(v)
            .partial_cmp(&number(&c.value))
            .unwrap_or(Ordering::Equal)
    };
    match c.operator.as_str() {
        "eq" => text(v) == text(&c.value),
        "neq" => text(v) != text(&c.value),
        "in" => c
            .value
            .as_array()
            .is_some_and(|a| a.iter().any(|x| text(x) == text(v))),
        "not_in" => !c
            .value
            .as_array()
            .is_some_and(|a| a.iter().any(|x| text(x) == text(v))),
        "gt" => ord() == Ordering::Greater,
        "gte" => ord() != Ordering::Less,
        "lt" => ord() == Ordering::Less,
        "lte" => ord() != Ordering::Greater,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cond(op: &str, value: Value) -> Condition {
        Condition {
            field: "f".into(),
            operator: op.into(),
            value,
        }
    }

    #[test]
    fn write_conditions() {
        let rec = json!({"f": "1500.00", "s": "draft", "b": true, "n": null})
            .as_object()
            .unwrap()
            .clone();
        assert!(holds(&cond("gt", json!(1000)), &rec));
        assert!(
            !holds(&cond("eq", json!(1500)), &rec),
            "text comparison for eq"
        );
        assert!(holds(&cond("lte", json!("1500")), &rec));
        let on = |field: &str, op: &str, v: Value| {
            holds(
                &Condition {
                    field: field.into(),
                    operator: op.into(),
                    value: v,
                },
                &rec,
            )
        };
        assert!(on("s", "in", json!(["draft", "sent"])));
        assert!(
            on("s", "not_in", json!("x")),
            "non-array value makes not_in hold"
        );
        assert!(on("b", "eq", json!("true")));
        assert!(on("n", "eq", json!(null)));
        assert!(!on("missing", "eq", json!(1)));
        assert!(!on("s", "weird", json!("draft")));
    }
}
