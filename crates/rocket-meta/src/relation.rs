use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ident::{is_safe_ident, is_user_ident};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RelationKind {
    OneToOne,
    OneToMany,
    ManyToMany,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnDelete {
    Cascade,
    SetNull,
    Restrict,
    Detach,
    Nothing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteMode {
    Diff,
    Replace,
    Append,
}

impl WriteMode {
    /// Any other string behaves as `diff` (spec 05 §1).
    pub fn parse(s: &str) -> WriteMode {
        match s {
            "replace" => WriteMode::Replace,
            "append" => WriteMode::Append,
            _ => WriteMode::Diff,
        }
    }
}

fn empty(s: &str) -> bool {
    s.is_empty()
}

#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
#[serde(default)]
pub struct Relation {
    pub name: String,
    #[serde(rename = "type")]
    pub type_name: String,
    pub source: String,
    pub target: String,
    pub source_key: String,
    #[serde(skip_serializing_if = "empty")]
    pub target_key: String,
    #[serde(skip_serializing_if = "empty")]
    pub join_table: String,
    #[serde(skip_serializing_if = "empty")]
    pub source_join_key: String,
    #[serde(skip_serializing_if = "empty")]
    pub target_join_key: String,
    pub ownership: String,
    pub on_delete: String,
    #[serde(skip_serializing_if = "empty")]
    pub fetch: String,
    #[serde(skip_serializing_if = "empty")]
    pub write_mode: String,
}

impl Relation {
    pub fn from_value(v: Value) -> Result<Relation, serde_json::Error> {
        serde_json::from_value(v)
    }

    pub fn kind(&self) -> RelationKind {
        match self.type_name.as_str() {
            "one_to_one" => RelationKind::OneToOne,
            "many_to_many" => RelationKind::ManyToMany,
            _ => RelationKind::OneToMany,
        }
    }

    pub fn on_delete(&self) -> OnDelete {
        match self.on_delete.as_str() {
            "cascade" => OnDelete::Cascade,
            "set_null" => OnDelete::SetNull,
            "restrict" => OnDelete::Restrict,
            "detach" => OnDelete::Detach,
            _ => OnDelete::Nothing,
        }
    }

    pub fn write_mode(&self) -> WriteMode {
        WriteMode::parse(&self.write_mode)
    }

    /// Validates with the messages of spec 03 §4.1, then the stricter Rust checks.
    /// `entity_exists` answers whether an entity is registered.
    pub fn validate(&self, entity_exists: impl Fn(&str) -> bool) -> Result<(), String> {
        if self.name.is_empty() {
            return Err("relation name is required".into());
        }
        if self.source.is_empty() || self.target.is_empty() {
            return Err("source and target are required".into());
        }
        if !entity_exists(&self.source) {
            return Err(format!("source entity not found: {}", self.source));
        }
        if !entity_exists(&self.target) {
            return Err(format!("target entity not found: {}", self.target));
        }
        if !matches!(
            self.type_name.as_str(),
            "one_to_one" | "one_to_many" | "many_to_many"
        ) {
            return Err(format!("invalid relation type: {}", self.type_name));
        }
        let m2m = self.kind() == RelationKind::ManyToMany;
        if m2m && self.join_table.is_empty() {
            return Err("join_table is required for many_to_many relations".into());
        }
        let mut required: Vec<(&str, &str)> = vec![("source_key", &self.source_key)];
        if m2m {
            required.push(("join_table", &self.join_table));
            required.push(("source_join_key", &self.source_join_key));
            required.push(("target_join_key", &self.target_join_key));
        } else {
            required.push(("target_key", &self.target_key));
        }
        for (what, v) in required {
            if v.is_empty() {
                return Err(format!(
                    "{what} is required for {} relations",
                    self.type_name
                ));
            }
            if !is_safe_ident(v) {
                return Err(format!("{what} {v:?} must match ^[a-z_][a-z0-9_]*$"));
            }
            // Join tables and their columns are created by the migrator: no system
            // or catalog names (spec 02 §5.7, docs/security.md).
            if what != "source_key" && what != "target_key" && !is_user_ident(v) {
                return Err(format!(
                    "{what} {v:?} must not start with _, pg_ or sqlite_"
                ));
            }
        }
        if m2m && self.source_join_key == self.target_join_key {
            return Err("source_join_key and target_join_key must differ".into());
        }
        let allowed: [(&str, &str, &[&str]); 4] = [
            (
                "on_delete",
                &self.on_delete,
                &["cascade", "set_null", "restrict", "detach"],
            ),
            (
                "write_mode",
                &self.write_mode,
                &["diff", "replace", "append"],
            ),
            ("ownership", &self.ownership, &["source", "target", "none"]),
            ("fetch", &self.fetch, &["lazy", "eager"]),
        ];
        for (what, v, ok) in allowed {
            if !v.is_empty() && !ok.contains(&v) {
                return Err(format!(
                    "invalid {what}: {v} (must be one of {})",
                    ok.join(", ")
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rel(v: Value) -> Relation {
        Relation::from_value(v).unwrap()
    }

    #[test]
    fn messages_in_order() {
        let ok = |n: &str| n == "a" || n == "b";
        assert_eq!(
            rel(json!({})).validate(ok).unwrap_err(),
            "relation name is required"
        );
        assert_eq!(
            rel(json!({"name": "r", "source": "a"}))
                .validate(ok)
                .unwrap_err(),
            "source and target are required"
        );
        assert_eq!(
            rel(json!({"name": "r", "source": "x", "target": "b"}))
                .validate(ok)
                .unwrap_err(),
            "source entity not found: x"
        );
        assert_eq!(
            rel(json!({"name": "r", "source": "a", "target": "y"}))
                .validate(ok)
                .unwrap_err(),
            "target entity not found: y"
        );
        assert_eq!(
            rel(json!({"name": "r", "source": "a", "target": "b", "type": "many"}))
                .validate(ok)
                .unwrap_err(),
            "invalid relation type: many"
        );
        assert_eq!(
            rel(json!({"name": "r", "source": "a", "target": "b", "type": "many_to_many", "source_key": "id"}))
                .validate(ok)
                .unwrap_err(),
            "join_table is required for many_to_many relations"
        );
        assert!(rel(json!({"name": "r", "source": "a", "target": "b", "type": "one_to_many", "source_key": "id"}))
            .validate(ok)
            .unwrap_err()
            .contains("target_key"));
        assert!(rel(
            json!({"name": "r", "source": "a", "target": "b", "type": "one_to_many",
            "source_key": "id", "target_key": "a_id", "on_delete": "explode"})
        )
        .validate(ok)
        .unwrap_err()
        .contains("on_delete"));
        rel(
            json!({"name": "r", "source": "a", "target": "b", "type": "one_to_many",
            "source_key": "id", "target_key": "a_id", "on_delete": "cascade"}),
        )
        .validate(ok)
        .unwrap();
    }

    #[test]
    fn join_tables_cannot_name_system_tables() {
        let ok = |_: &str| true;
        for (k, bad) in [
            ("join_table", "_users"),
            ("join_table", "pg_authid"),
            ("join_table", "sqlite_master"),
            ("source_join_key", "_x"),
        ] {
            let mut v = json!({"name": "r", "source": "a", "target": "b", "type": "many_to_many",
                "source_key": "id", "join_table": "a_b", "source_join_key": "a_id", "target_join_key": "b_id"});
            v[k] = json!(bad);
            let e = rel(v).validate(ok).unwrap_err();
            assert!(e.contains(k), "{e}");
        }
    }

    #[test]
    fn canonical_form_keeps_required_keys() {
        let r = rel(
            json!({"name": "r", "type": "one_to_many", "source": "a", "target": "b", "target_key": "a_id"}),
        );
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["source_key"], json!(""));
        assert_eq!(v["on_delete"], json!(""));
        assert!(v.get("join_table").is_none());
        assert_eq!(r.write_mode(), WriteMode::Diff);
        assert_eq!(r.on_delete(), OnDelete::Nothing);
    }
}
