use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Entity;

/// Operators a permission condition may use (spec 11 §7.3, §7.4).
pub const CONDITION_OPERATORS: [&str; 9] = [
    "eq", "neq", "gt", "gte", "lt", "lte", "in", "not_in", "like",
];

pub const ACTIONS: [&str; 4] = ["read", "create", "update", "delete"];

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Condition {
    pub field: String,
    pub operator: String,
    #[serde(default)]
    pub value: Value,
}

/// One `_permissions` row: whitelist entry for (entity, action).
#[derive(Debug, Clone, PartialEq)]
pub struct Policy {
    pub id: String,
    pub entity: String,
    pub action: String,
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

/// Validates a permission's action and, when the entity is known, its conditions.
/// Policies for entities that do not exist yet are allowed (they are inert).
pub fn validate_permission(
    entity: Option<&Entity>,
    action: &str,
    conditions: &[Condition],
) -> Result<(), String> {
    if !ACTIONS.contains(&action) {
        return Err("action must be read, create, update, or delete".into());
    }
    for c in conditions {
        if c.field.is_empty() {
            return Err("condition field is required".into());
        }
        if !CONDITION_OPERATORS.contains(&c.operator.as_str()) {
            return Err(format!(
                "unknown condition operator {:?} (must be one of {})",
                c.operator,
                CONDITION_OPERATORS.join(", ")
            ));
        }
        if matches!(c.operator.as_str(), "in" | "not_in") && !c.value.is_array() {
            return Err(format!(
                "condition on {} with operator {} needs an array value",
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
    Ok(())
}
