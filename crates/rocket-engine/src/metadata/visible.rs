//! What an app user may know of the metadata: `GET /api/{app}/_schema`, the read-only
//! metadata of spec 18 §8 item 2 for users who cannot call the admin API (spec 11
//! §5.4). Entities on which the caller's roles hold some permission (spec 11 §7.1;
//! admins: all, spec 11 §6), the relations between them, and the actions granted —
//! never the policies' roles or conditions. Built from one snapshot, no query.

use std::collections::BTreeMap;

use rocket_meta::{Action, Entity, Relation};
use serde::Serialize;

use crate::access::Access;

/// The caller's view of one snapshot, in the canonical definition forms (spec 03
/// §3.7, §4) the admin API stores and returns.
#[derive(Debug, Serialize)]
pub struct Visible<'a> {
    /// Ordered by name.
    pub entities: Vec<&'a Entity>,
    /// Ordered by name; both ends among `entities`.
    pub relations: Vec<&'a Relation>,
    /// Entity name → the actions granted, in the order read, create, update, delete.
    pub permissions: BTreeMap<&'a str, Vec<&'static str>>,
}

/// The view of `access`'s user on `access`'s snapshot.
pub fn of<'a>(access: &Access<'a>) -> Visible<'a> {
    let mut entities = Vec::new();
    let mut permissions = BTreeMap::new();
    for e in access.schema.entities() {
        let granted: Vec<&'static str> = Action::ALL
            .into_iter()
            .filter(|a| access.allows(e, *a))
            .map(Action::as_str)
            .collect();
        if !granted.is_empty() {
            entities.push(e.as_ref());
            permissions.insert(e.name.as_str(), granted);
        }
    }
    let relations = access
        .schema
        .relations()
        .iter()
        .filter(|r| permissions.contains_key(r.source.as_str()))
        .filter(|r| permissions.contains_key(r.target.as_str()))
        .map(|r| r.as_ref())
        .collect();
    Visible {
        entities,
        relations,
        permissions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::User;
    use rocket_meta::{Condition, Policy, Schema};
    use rocket_store::Dialect;
    use serde_json::{json, Value};

    fn ent(name: &str) -> Entity {
        Entity::from_value(json!({"name": name, "table": name,
            "primary_key": {"field": "id", "type": "uuid", "generated": true},
            "fields": [{"name": "id", "type": "uuid"}, {"name": "s", "type": "string"},
                       {"name": "a_id", "type": "uuid"}]}))
        .unwrap()
    }

    fn policy(entity: &str, action: Action, role: &str) -> Policy {
        Policy {
            id: format!("{entity}-{}", action.as_str()),
            entity: entity.into(),
            action,
            roles: vec![role.into()],
            conditions: vec![Condition {
                field: "s".into(),
                operator: "eq".into(),
                value: json!("x"),
            }],
        }
    }

    fn schema() -> Schema {
        let rel = |name: &str, s: &str, t: &str| {
            Relation::from_value(json!({"name": name, "type": "one_to_many", "source": s,
                "target": t, "source_key": "id", "target_key": "a_id"}))
            .unwrap()
        };
        Schema::new(
            vec![ent("c"), ent("a"), ent("b")],
            vec![
                rel("ab", "a", "b"),
                rel("ac", "a", "c"),
                rel("ca", "c", "a"),
            ],
        )
        .with_policies(vec![
            policy("a", Action::Update, "Viewer"),
            policy("a", Action::Read, "viewer"),
            policy("c", Action::Read, "viewer"),
            policy("b", Action::Delete, "other"),
            policy("ghost", Action::Read, "viewer"),
        ])
    }

    fn view(roles: &[&str]) -> Value {
        let user = User {
            id: "u".into(),
            roles: roles.iter().map(|r| r.to_string()).collect(),
        };
        let s = schema();
        let access = Access {
            user: &user,
            schema: &s,
            dialect: Dialect::Sqlite,
        };
        serde_json::to_value(of(&access)).unwrap()
    }

    fn names(v: &Value, key: &str) -> Vec<String> {
        let items = v[key].as_array().unwrap();
        items
            .iter()
            .map(|x| x["name"].as_str().unwrap().into())
            .collect()
    }

    #[test]
    fn a_user_sees_what_their_roles_are_granted() {
        let v = view(&["VIEWER"]);
        assert_eq!(names(&v, "entities"), ["a", "c"]);
        assert_eq!(names(&v, "relations"), ["ac", "ca"], "not ab: b is hidden");
        assert_eq!(
            v["permissions"],
            json!({"a": ["read", "update"], "c": ["read"]})
        );
        assert_eq!(v["entities"][0], serde_json::to_value(ent("a")).unwrap());
        assert!(!v.to_string().contains("conditions"));
    }

    #[test]
    fn admins_see_everything_and_strangers_nothing() {
        let v = view(&["admin"]);
        assert_eq!(names(&v, "entities"), ["a", "b", "c"]);
        assert_eq!(names(&v, "relations"), ["ab", "ac", "ca"]);
        let all = json!(["read", "create", "update", "delete"]);
        assert_eq!(v["permissions"], json!({"a": all, "b": all, "c": all}));
        assert_eq!(
            view(&["nobody"]),
            json!({"entities": [], "relations": [], "permissions": {}})
        );
    }
}
