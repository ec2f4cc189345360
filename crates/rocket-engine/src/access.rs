//! The permission engine (spec 11 §7): a whitelist of policies per (entity, action),
//! `admin` bypass, case-insensitive roles, write conditions checked against the
//! stored record, and row-level read filters compiled into typed conditions —
//! applied to lists, get-by-id, includes, update, delete and nested writes alike.

use std::cmp::Ordering;

use rocket_meta::{Action, CmpOp, Condition, Entity, FilterOp, Policy, Schema};
use rocket_sql::Cond;
use rocket_store::{Dialect, Param};
use serde_json::{Map, Value};

use crate::auth::User;
use crate::error::{EngineError, Result};
use crate::records::values::{text_form, to_param};

/// What the caller may read of an entity.
#[derive(Debug, Clone, PartialEq)]
pub enum ReadScope {
    /// Every row (admins, or a matching policy without conditions only).
    All,
    /// Rows satisfying every condition (AND-ed, spec 11 §7.4).
    Filtered(Vec<Cond>),
    /// Nothing: no matching `read` policy.
    Nothing,
}

impl ReadScope {
    /// The extra conditions a row must satisfy; `None` when no row may be read.
    pub fn filters(&self) -> Option<&[Cond]> {
        match self {
            ReadScope::All => Some(&[]),
            ReadScope::Filtered(f) => Some(f),
            ReadScope::Nothing => None,
        }
    }
}

/// What one request may see and do: the user and the policies of one snapshot.
pub struct Access<'a> {
    pub user: &'a User,
    pub schema: &'a Schema,
    pub dialect: Dialect,
}

fn no_permission(action: Action, entity: &str) -> EngineError {
    EngineError::Forbidden(format!("No permission for {} on {entity}", action.as_str()))
}

fn denied(action: Action, entity: &str) -> EngineError {
    EngineError::Forbidden(format!(
        "Permission denied for {} on {entity}",
        action.as_str()
    ))
}

impl Access<'_> {
    /// The policies of (entity, action) that match the user's roles; 403 when there
    /// are none (spec 11 §7.2 steps 3–5). Admins never get here.
    fn matching(&self, e: &Entity, action: Action) -> Result<Vec<&Policy>> {
        let policies = self.schema.policies(&e.name, action);
        if policies.is_empty() {
            return Err(no_permission(action, &e.name));
        }
        let m: Vec<&Policy> = policies
            .iter()
            .filter(|p| p.matches_roles(&self.user.roles))
            .collect();
        if m.is_empty() {
            return Err(denied(action, &e.name));
        }
        Ok(m)
    }

    /// True when some policy grants `action` on `e` to the user (conditions aside),
    /// or the user is an admin: [`Access::check`] without the span and the error.
    pub fn allows(&self, e: &Entity, action: Action) -> bool {
        self.user.is_admin() || self.matching(e, action).is_ok()
    }

    /// `create` / `read` check without a record.
    pub fn check(&self, e: &Entity, action: Action) -> Result<()> {
        let mut span =
            crate::events::span("auth", "permissions", "permission.check").on(&e.name, None);
        span.meta("action", action.as_str());
        if self.user.is_admin() {
            span.meta("bypass", "admin");
            return Ok(());
        }
        span.result(self.matching(e, action).map(|_| ()))
    }

    /// The row filters of `read` on `e`; 403 when the user may read nothing (list,
    /// get, includes). Conditions of every matching policy are AND-ed (spec 11 §7.4).
    pub fn read_filters(&self, e: &Entity) -> Result<Vec<Cond>> {
        if self.user.is_admin() {
            return Ok(Vec::new());
        }
        Ok(self
            .matching(e, Action::Read)?
            .iter()
            .flat_map(|p| p.conditions.iter())
            .map(|c| compile(e, c, self.dialect))
            .collect())
    }

    /// The read scope without failing (writes use it to decide what they touch).
    pub fn read_scope(&self, e: &Entity) -> ReadScope {
        match self.read_filters(e) {
            Ok(f) if f.is_empty() => ReadScope::All,
            Ok(f) => ReadScope::Filtered(f),
            Err(_) => ReadScope::Nothing,
        }
    }

    /// `update` / `delete` against the stored record (conditions hold on the record
    /// before the change).
    pub fn check_record(
        &self,
        e: &Entity,
        action: Action,
        record: &Map<String, Value>,
    ) -> Result<()> {
        if self.user.is_admin() {
            return Ok(());
        }
        let allowed = self
            .matching(e, action)?
            .iter()
            .any(|p| p.conditions.iter().all(|c| holds(c, record)));
        if allowed {
            Ok(())
        } else {
            Err(denied(action, &e.name))
        }
    }

    /// True when `action` on `e` does not depend on the stored record (admin, or a
    /// matching policy without conditions): no re-check inside a transaction needed.
    pub fn unconditional(&self, e: &Entity, action: Action) -> bool {
        self.user.is_admin()
            || self
                .matching(e, action)
                .is_ok_and(|m| m.iter().any(|p| p.conditions.is_empty()))
    }
}

/// Compiles a read condition into a typed condition (never SQL text). Conditions that
/// no longer fit the entity fail closed: they hide rows instead of leaking them.
pub fn compile(e: &Entity, c: &Condition, d: Dialect) -> Cond {
    let (Some(f), Some(op)) = (e.field(&c.field), c.op()) else {
        return Cond::never();
    };
    let param = |v: &Value| to_param(v, f.kind, d).ok();
    let values: Option<Vec<Param>> = if op.is_list() {
        c.list()
            .map(|items| items.iter().filter_map(param).collect())
    } else if op == FilterOp::Like {
        c.value.as_str().map(|p| vec![Param::Text(p.to_string())])
    } else {
        param(&c.value).map(|p| vec![p])
    };
    match values {
        Some(v) => Cond::from_op(&f.name, f.kind, op, v),
        None => Cond::never(),
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
    let listed = || {
        c.list()
            .is_some_and(|a| a.iter().any(|x| text(x) == text(v)))
    };
    match c.op() {
        Some(FilterOp::Cmp(CmpOp::Eq)) => text(v) == text(&c.value),
        Some(FilterOp::Cmp(CmpOp::Neq)) => text(v) != text(&c.value),
        Some(FilterOp::In) => listed(),
        Some(FilterOp::NotIn) => !listed(),
        Some(FilterOp::Cmp(CmpOp::Gt)) => ord() == Ordering::Greater,
        Some(FilterOp::Cmp(CmpOp::Gte)) => ord() != Ordering::Less,
        Some(FilterOp::Cmp(CmpOp::Lt)) => ord() == Ordering::Less,
        Some(FilterOp::Cmp(CmpOp::Lte)) => ord() != Ordering::Greater,
        Some(FilterOp::Like) | None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn on(rec: &Map<String, Value>, field: &str, op: &str, v: Value) -> bool {
        holds(
            &Condition {
                field: field.into(),
                operator: op.into(),
                value: v,
            },
            rec,
        )
    }

    #[test]
    fn write_conditions() {
        let rec = json!({"f": "1500.00", "s": "draft", "b": true, "n": null})
            .as_object()
            .unwrap()
            .clone();
        assert!(on(&rec, "f", "gt", json!(1000)));
        assert!(!on(&rec, "f", "gt", json!(1500)));
        assert!(on(&rec, "f", "gte", json!(1500)));
        assert!(on(&rec, "f", "lt", json!(2000)));
        assert!(!on(&rec, "f", "lt", json!(1500)));
        assert!(!on(&rec, "f", "eq", json!(1500)), "text comparison for eq");
        assert!(on(&rec, "f", "neq", json!(1500)));
        assert!(on(&rec, "f", "lte", json!("1500")));
        assert!(on(&rec, "s", "in", json!(["draft", "sent"])));
        assert!(on(&rec, "s", "in", json!("sent, draft")), "comma string");
        assert!(!on(&rec, "s", "in", json!(["sent"])));
        assert!(!on(&rec, "s", "not_in", json!(["draft"])));
        assert!(
            on(&rec, "s", "not_in", json!(7)),
            "a non-list makes not_in hold"
        );
        assert!(on(&rec, "b", "eq", json!("true")));
        assert!(on(&rec, "n", "eq", json!(null)));
        assert!(!on(&rec, "missing", "eq", json!(1)));
        assert!(!on(&rec, "s", "weird", json!("draft")));
        assert!(
            !on(&rec, "s", "like", json!("dr%")),
            "like never holds on writes"
        );
    }

    #[test]
    fn read_conditions_compile_to_typed_conditions() {
        let e = Entity::from_value(json!({"name": "doc", "table": "doc",
            "primary_key": {"field": "id", "type": "uuid", "generated": true},
            "fields": [{"name": "id", "type": "uuid"}, {"name": "n", "type": "int"},
                       {"name": "s", "type": "string"}]}))
        .unwrap();
        let c = |f: &str, op: &str, v: Value| Condition {
            field: f.into(),
            operator: op.into(),
            value: v,
        };
        let d = Dialect::Sqlite;
        assert_eq!(
            compile(&e, &c("s", "in", json!("a, b")), d),
            Cond::from_op(
                "s",
                rocket_meta::FieldType::String,
                FilterOp::In,
                vec![Param::Text("a".into()), Param::Text("b".into())]
            )
        );
        assert_eq!(compile(&e, &c("nope", "eq", json!(1)), d), Cond::never());
        assert_eq!(compile(&e, &c("n", "bogus", json!(1)), d), Cond::never());
        assert_eq!(compile(&e, &c("n", "eq", json!("x")), d), Cond::never());
        assert_eq!(
            compile(&e, &c("n", "gte", json!(3)), d),
            Cond::from_op(
                "n",
                rocket_meta::FieldType::Int,
                FilterOp::Cmp(CmpOp::Gte),
                vec![Param::Int(3)]
            )
        );
    }
}
