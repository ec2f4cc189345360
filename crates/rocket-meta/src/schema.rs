use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use crate::{Action, Entity, Policy, Relation};

/// One app's metadata at one moment. Built whole and swapped atomically, so a reader
/// never sees new entities with old relations (spec 03 §5).
#[derive(Debug, Default)]
pub struct Schema {
    entities: BTreeMap<String, Arc<Entity>>,
    /// Sorted by name: this is also the cascade order (spec 04 §8).
    relations: Vec<Arc<Relation>>,
    relation_index: HashMap<String, usize>,
    /// entity → policies per action (indexed by [`Action`]), in load order.
    policies: HashMap<String, [Vec<Policy>; 4]>,
}

/// A relation found for a token, with the direction it has from the asking entity.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub relation: Arc<Relation>,
    /// `true` when the asking entity is the relation's source.
    pub forward: bool,
}

impl Schema {
    pub fn new(entities: Vec<Entity>, mut relations: Vec<Relation>) -> Schema {
        relations.sort_by(|a, b| a.name.cmp(&b.name));
        let entities = entities
            .into_iter()
            .map(|e| (e.name.clone(), Arc::new(e)))
            .collect();
        let relations: Vec<Arc<Relation>> = relations.into_iter().map(Arc::new).collect();
        let relation_index = relations
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.clone(), i))
            .collect();
        Schema {
            entities,
            relations,
            relation_index,
            policies: HashMap::new(),
        }
    }

    /// Adds the permission policies (kept in the given order).
    pub fn with_policies(mut self, policies: Vec<Policy>) -> Schema {
        for p in policies {
            let i = p.action.index();
            self.policies.entry(p.entity.clone()).or_default()[i].push(p);
        }
        self
    }

    pub fn policies(&self, entity: &str, action: Action) -> &[Policy] {
        self.policies
            .get(entity)
            .map(|p| p[action.index()].as_slice())
            .unwrap_or(&[])
    }

    pub fn entity(&self, name: &str) -> Option<&Arc<Entity>> {
        self.entities.get(name)
    }

    /// Entities ordered by name.
    pub fn entities(&self) -> impl Iterator<Item = &Arc<Entity>> {
        self.entities.values()
    }

    pub fn relation(&self, name: &str) -> Option<&Arc<Relation>> {
        self.relation_index.get(name).map(|&i| &self.relations[i])
    }

    /// Relations ordered by name.
    pub fn relations(&self) -> &[Arc<Relation>] {
        &self.relations
    }

    /// Relations whose source is `entity`, in name order.
    pub fn relations_from<'a>(
        &'a self,
        entity: &'a str,
    ) -> impl Iterator<Item = &'a Arc<Relation>> {
        self.relations.iter().filter(move |r| r.source == entity)
    }

    /// Relation lookup by include / nested-write token (spec 03 §6).
    pub fn resolve(&self, token: &str, entity: &str) -> Option<Resolved> {
        let direction = |r: &Arc<Relation>| -> Option<Resolved> {
            if r.source == entity {
                Some(Resolved {
                    relation: r.clone(),
                    forward: true,
                })
            } else if r.target == entity {
                Some(Resolved {
                    relation: r.clone(),
                    forward: false,
                })
            } else {
                None
            }
        };
        if let Some(r) = self.relation(token) {
            if let Some(res) = direction(r) {
                return Some(res);
            }
        }
        for r in &self.relations {
            if (r.source == entity && r.target == token)
                || (r.target == entity && r.source == token)
            {
                return direction(r);
            }
        }
        let combined = format!("{entity}_{token}");
        // Rule 3 matches regardless of direction; a relation that does not touch the
        // entity resolves but loads nothing (spec 04 §5), which callers see as `None`.
        self.relation(&combined).and_then(direction)
    }

    /// True when rule 3 of the lookup finds a relation that does not involve the
    /// entity: the include token is known but loads nothing.
    pub fn resolves_elsewhere(&self, token: &str, entity: &str) -> bool {
        self.relation(&format!("{entity}_{token}")).is_some()
    }
}

/// `8-4-4-4-12` hexadecimal, any case (spec 04 §4.2).
pub fn looks_like_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() != 36 {
        return false;
    }
    b.iter().enumerate().all(|(i, c)| match i {
        8 | 13 | 18 | 23 => *c == b'-',
        _ => c.is_ascii_hexdigit(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ent(name: &str) -> Entity {
        Entity::from_value(json!({"name": name, "table": name,
            "primary_key": {"field": "id", "type": "uuid", "generated": true},
            "fields": [{"name": "id", "type": "uuid"}]}))
        .unwrap()
    }

    fn rel(name: &str, s: &str, t: &str) -> Relation {
        Relation::from_value(
            json!({"name": name, "type": "one_to_many", "source": s, "target": t,
            "source_key": "id", "target_key": format!("{s}_id")}),
        )
        .unwrap()
    }

    #[test]
    fn resolution_order() {
        let s = Schema::new(
            vec![ent("post"), ent("tag"), ent("author")],
            vec![
                rel("post_tags", "post", "tag"),
                rel("writes", "author", "post"),
                rel("zz", "tag", "author"),
            ],
        );
        let r = s.resolve("post_tags", "post").unwrap();
        assert!(r.forward);
        let r = s.resolve("author", "post").unwrap();
        assert_eq!(r.relation.name, "writes");
        assert!(!r.forward);
        let r = s.resolve("tags", "post").unwrap();
        assert_eq!(r.relation.name, "post_tags");
        assert!(s.resolve("nothing", "post").is_none());
        assert_eq!(s.relations_from("post").count(), 1);
    }

    #[test]
    fn uuid_shape() {
        assert!(looks_like_uuid("7B0C4A52-1c0e-4d4e-9a57-0f3c1d2e8a11"));
        assert!(!looks_like_uuid("inv-001"));
        assert!(!looks_like_uuid("7b0c4a52x1c0e-4d4e-9a57-0f3c1d2e8a11"));
    }
}
