//! Permission policies (spec 11 §7): actions, condition operators, validation.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Entity;

/// What a policy grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    Read,
    Create,
    Update,
    Delete,
}

impl Action {
    pub const ALL: [Action; 4] = [Action::Read, Action::Create, Action::Update, Action::Delete];

    pub fn parse(s: &str) -> Option<Action> {
        Some(match s {
            "read" => Action::Read,
            "create" => Action::Create,
            "update" => Action::Update,
            "delete" => Action::Delete,
            _ => return None,
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Action::Read => "read",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }

    pub(crate) fn index(self) -> usize {
        self as usize
    }
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Neq,
    Gt,
    Gte,
    Lt,
    Lte,
}

/// The operators of list filters (spec 04 §3.1) and permission conditions (spec 11
/// §7.3–7.4): one vocabulary, parsed once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FilterOp {
    Cmp(CmpOp),
    In,
    NotIn,
    Like,
}

impl FilterOp {
    pub const ALL: [FilterOp; 9] = [
        FilterOp::Cmp(CmpOp::Eq),
        FilterOp::Cmp(CmpOp::Neq),
        FilterOp::Cmp(CmpOp::Gt),
        FilterOp::Cmp(CmpOp::Gte),
        FilterOp::Cmp(CmpOp::Lt),
        FilterOp::Cmp(CmpOp::Lte),
        FilterOp::In,
        FilterOp::NotIn,
        FilterOp::Like,
    ];

    pub fn parse(s: &str) -> Option<FilterOp> {
        FilterOp::ALL.into_iter().find(|o| o.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FilterOp::Cmp(CmpOp::Eq) => "eq",
            FilterOp::Cmp(CmpOp::Neq) => "neq",
            FilterOp::Cmp(CmpOp::Gt) => "gt",
            FilterOp::Cmp(CmpOp::Gte) => "gte",
            FilterOp::Cmp(CmpOp::Lt) => "lt",
            FilterOp::Cmp(CmpOp::Lte) => "lte",
            FilterOp::In => "in",
            FilterOp::NotIn => "not_in",
            FilterOp::Like => "like",
        }
    }

    /// `in` / `not_in` take a list.
    pub fn is_list(self) -> bool {
        matches!(self, FilterOp::In | FilterOp::NotIn)
    }
}

/// One stored condition, as written (`operator` kept as text so a condition stored
/// by another implementation round-trips unchanged).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Condition {
    pub field: String,
    pub operator: String,
    #[serde(default)]
    pub value: Value,
}

impl Condition {
    /// The operator; `None` for one this server does not know (it never holds).
    pub fn op(&self) -> Option<FilterOp> {
        FilterOp::parse(&self.operator)
    }

    /// The list of an `in` / `not_in` condition: an array, or (Rust contract, spec 11
    /// §7.4) a string split on `,` with items trimmed. `None` for any other value.
    pub fn list(&self) -> Option<Vec<Value>> {
        match &self.value {
            Value::Array(a) => Some(a.clone()),
            Value::String(s) => Some(
                s.split(',')
                    .map(|x| Value::String(x.trim().to_string()))
                    .collect(),
            ),
            _ => None,
        }
    }
}

/// One `_permissions` row: whitelist entry for (entity, action).
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub id: String,
    pub entity: String,
    pub action: Action,
    /// Lower-cased: role matching is case-insensitive.
    pub roles: Vec<String>,
    pub conditions: Vec<Condition>,
}

impl Policy {
    pub fn matches_roles(&self, user_roles: &[String]) -> bool {
        user_roles
            .iter()
            .any(|r| self.roles.iter().any(|p| p.eq_ignore_ascii_case(r)))
    }
}

/// Validates a permission's action and conditions; condition fields are checked when
/// the entity is known. Policies for entities that do not exist yet are allowed (they
/// are inert).
pub fn validate_permission(
    entity: Option<&Entity>,
    action: &str,
    conditions: &[Condition],
) -> Result<Action, String> {
    let Some(action) = Action::parse(action) else {
        return Err("action must be read, create, update, or delete".into());
    };
    for c in conditions {
        if c.field.is_empty() {
            return Err("condition field is required".into());
        }
        let Some(op) = c.op() else {
            let names: Vec<&str> = FilterOp::ALL.iter().map(|o| o.as_str()).collect();
            return Err(format!(
                "unknown condition operator {:?} (must be one of {})",
                c.operator,
                names.join(", ")
            ));
        };
        if op.is_list() && c.list().is_none() {
            return Err(format!(
                "condition on {} with operator {} needs an array or a comma-separated string",
                c.field, c.operator
            ));
        }
        if let Some(e) = entity {
            if !e.has_field(&c.field) {
                return Err(format!(
                    "condition field {} is not a field of {}",
                    c.field, e.name
                ));
            }
        }
    }
    Ok(action)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn cond(op: &str, value: Value) -> Condition {
        Condition {
            field: "status".into(),
            operator: op.into(),
            value,
        }
    }

    #[test]
    fn actions_and_operators_round_trip() {
        for a in Action::ALL {
            assert_eq!(Action::parse(a.as_str()), Some(a));
        }
        for o in FilterOp::ALL {
            assert_eq!(FilterOp::parse(o.as_str()), Some(o));
        }
        assert_eq!(Action::parse("Read"), None);
        assert_eq!(FilterOp::parse("foo"), None);
    }

    #[test]
    fn in_accepts_arrays_and_comma_strings() {
        assert_eq!(
            cond("in", json!("paid, shipped")).list(),
            Some(vec![json!("paid"), json!("shipped")])
        );
        assert_eq!(cond("in", json!(["a"])).list(), Some(vec![json!("a")]));
        assert_eq!(cond("in", json!(3)).list(), None);
        assert!(validate_permission(None, "read", &[cond("in", json!("a,b"))]).is_ok());
        assert!(validate_permission(None, "read", &[cond("not_in", json!(1))]).is_err());
    }

    #[test]
    fn validation_messages() {
        assert_eq!(
            validate_permission(None, "write", &[]).unwrap_err(),
            "action must be read, create, update, or delete"
        );
        assert!(
            validate_permission(None, "read", &[cond("between", json!(1))])
                .unwrap_err()
                .contains("unknown condition operator")
        );
        let mut c = cond("eq", json!(1));
        c.field.clear();
        assert_eq!(
            validate_permission(None, "read", &[c]).unwrap_err(),
            "condition field is required"
        );
        assert_eq!(
            validate_permission(None, "delete", &[]).unwrap(),
            Action::Delete
        );
    }
}
