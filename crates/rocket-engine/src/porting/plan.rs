//! The dry run of an import (`rocket import --dry-run`): what every item of a
//! document would become in an app, with the keys and checks of
//! [`super::import`], computed by reading only. Nothing is written.
//!
//! Each item is created, skipped (already stored as given, repeated in the
//! document, or ignored like import ignores it), in conflict (stored under the same
//! key with a different definition: import keeps the stored one), overwritten (UI
//! configs are upserted) or invalid (import would report an error). Sample rows are
//! counted per table: created, skipped (a row with the same key exists, or nothing
//! to insert) or invalid.

use std::collections::{HashMap, HashSet};

use rocket_meta::{Entity, Relation, Schema};
use rocket_sql::{Cond, Write};
use rocket_store::{Cell, Exec};
use serde::Serialize;
use serde_json::{Map, Value};

use super::sample::{join_relation, rows_of, sample_of};
use super::{checked, items, parse, text, Kind};
use crate::app::App;
use crate::error::Result;
use crate::metadata;
use crate::records::values::to_param;
use crate::repo;
use crate::repo::permissions::PermissionRow;
use crate::repo::rules::RuleDef;
use crate::repo::state_machines::StateMachineDef;
use crate::repo::ui_configs::UiConfigDef;
use crate::repo::webhooks::WebhookDef;
use crate::repo::workflows::WorkflowDef;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Would be written.
    Create,
    /// Left alone: already stored as given, repeated in the document, or ignored.
    Skip,
    /// Stored under the same key with a different definition; the stored one stays.
    Conflict,
    /// Stored under the same key and replaced (UI configs).
    Overwrite,
    /// Fails the checks: import would list it in `errors` and store nothing.
    Invalid,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Skip => "skip",
            Action::Conflict => "conflict",
            Action::Overwrite => "overwrite",
            Action::Invalid => "invalid",
        }
    }
}

/// One item of the document and what import would do with it.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    /// The document's list: `entities`, `relations`, …, `ui_configs`.
    pub kind: &'static str,
    pub name: String,
    pub action: Action,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

/// The sample rows of one table (an entity's name or a join table).
#[derive(Debug, Clone, Default, Serialize)]
pub struct Rows {
    pub table: String,
    pub create: usize,
    pub skip: usize,
    pub invalid: usize,
}

#[derive(Debug, Default, Serialize)]
pub struct Plan {
    pub items: Vec<Item>,
    pub sample_data: Vec<Rows>,
}

impl Plan {
    /// How many items of `kind` get `action`.
    pub fn count(&self, kind: &str, action: Action) -> usize {
        self.items
            .iter()
            .filter(|i| i.kind == kind && i.action == action)
            .count()
    }

    /// Conflicts, invalid items and invalid sample rows: what import would not
    /// carry out as the document says.
    pub fn problems(&self) -> usize {
        let items = self
            .items
            .iter()
            .filter(|i| matches!(i.action, Action::Conflict | Action::Invalid))
            .count();
        items + self.sample_data.iter().map(|r| r.invalid).sum::<usize>()
    }

    fn push(&mut self, kind: &'static str, name: &str, action: Action, reason: &str) {
        self.items.push(Item {
            kind,
            name: name.to_string(),
            action,
            reason: reason.to_string(),
        });
    }
}

const EXISTS: &str = "already exists";
const REPEATED: &str = "repeated in the document";
const DIFFERS: &str = "exists with a different definition; the stored one is kept";

/// The schema as the import would leave it: stored definitions plus the entities
/// and relations the document adds.
struct Draft {
    entities: Vec<Entity>,
    relations: Vec<Relation>,
    added: HashSet<String>,
    schema: Schema,
}

impl Draft {
    fn of(schema: &Schema) -> Draft {
        let entities: Vec<Entity> = schema.entities().map(|e| e.as_ref().clone()).collect();
        let relations: Vec<Relation> = schema.relations().iter().map(|r| (**r).clone()).collect();
        Draft {
            schema: Schema::new(entities.clone(), relations.clone()),
            entities,
            relations,
            added: HashSet::new(),
        }
    }

    fn add_entity(&mut self, e: Entity) {
        self.added.insert(format!("e:{}", e.name));
        self.entities.push(e);
        self.rebuild();
    }

    fn add_relation(&mut self, r: Relation) {
        self.added.insert(format!("r:{}", r.name));
        self.relations.push(r);
        self.rebuild();
    }

    fn rebuild(&mut self) {
        self.schema = Schema::new(self.entities.clone(), self.relations.clone());
    }
}

/// What importing `doc` into `app` would do. Fails only where import fails before
/// writing anything (the version check, lists of the wrong type) or on a database
/// error while reading.
pub async fn plan(app: &App, doc: Map<String, Value>) -> Result<Plan> {
    let doc = checked(doc)?;
    let mut plan = Plan::default();
    let mut draft = Draft::of(&app.schema());
    plan_entities(&doc, &mut draft, &mut plan);
    plan_relations(&doc, &mut draft, &mut plan);
    let x = &mut Exec::Store(&app.store);
    plan_kind::<RuleDef>(repo::all(x).await?, &doc, &mut plan);
    plan_kind::<StateMachineDef>(repo::all(x).await?, &doc, &mut plan);
    plan_kind::<WorkflowDef>(repo::all(x).await?, &doc, &mut plan);
    plan_permissions(repo::all(x).await?, &doc, &draft.schema, &mut plan);
    plan_kind::<WebhookDef>(repo::all(x).await?, &doc, &mut plan);
    plan_ui_configs(repo::all(x).await?, &doc, &mut plan);
    plan.sample_data = plan_sample(app, &doc, &draft.schema).await?;
    Ok(plan)
}

/// An entity as stored would be: its definition with every default filled in.
fn canonical(e: &Entity) -> Value {
    serde_json::to_value(e).unwrap_or(Value::Null)
}

fn plan_entities(doc: &Map<String, Value>, draft: &mut Draft, plan: &mut Plan) {
    const KIND: &str = "entities";
    for item in items(doc, KIND) {
        let name = text(item, "name");
        if name.is_empty() || text(item, "table").is_empty() {
            plan.push(KIND, name, Action::Skip, "no name or table: ignored");
            continue;
        }
        let parsed = Entity::from_value(Value::Object(item.clone())).map_err(|e| e.to_string());
        if let Some(stored) = draft.schema.entity(name) {
            let (action, reason) = if draft.added.contains(&format!("e:{name}")) {
                (Action::Skip, REPEATED)
            } else if parsed
                .as_ref()
                .is_ok_and(|e| canonical(e) == canonical(stored))
            {
                (Action::Skip, EXISTS)
            } else {
                (Action::Conflict, DIFFERS)
            };
            plan.push(KIND, name, action, reason);
            continue;
        }
        let e = match parsed.and_then(|e| e.validate().map(|()| e)) {
            Ok(e) => e,
            Err(m) => {
                plan.push(KIND, name, Action::Invalid, &m);
                continue;
            }
        };
        let owner = draft
            .schema
            .entities()
            .find(|x| x.table == e.table)
            .map(|x| x.name.clone());
        match owner {
            Some(owner) => {
                let m = format!("table {} is the table of entity {owner}", e.table);
                plan.push(KIND, name, Action::Invalid, &m);
            }
            None => {
                plan.push(KIND, name, Action::Create, "");
                draft.add_entity(e);
            }
        }
    }
}

fn plan_relations(doc: &Map<String, Value>, draft: &mut Draft, plan: &mut Plan) {
    const KIND: &str = "relations";
    for item in items(doc, KIND) {
        let name = text(item, "name");
        if name.is_empty() {
            plan.push(KIND, name, Action::Skip, "no name: ignored");
            continue;
        }
        let parsed = Relation::from_value(Value::Object(item.clone())).map_err(|e| e.to_string());
        if let Some(stored) = draft.schema.relation(name) {
            let (action, reason) = if draft.added.contains(&format!("r:{name}")) {
                (Action::Skip, REPEATED)
            } else if parsed.as_ref().is_ok_and(|r| r == stored.as_ref()) {
                (Action::Skip, EXISTS)
            } else {
                (Action::Conflict, DIFFERS)
            };
            plan.push(KIND, name, action, reason);
            continue;
        }
        let checked = parsed.and_then(|r| metadata::check_relation(&draft.schema, &r).map(|()| r));
        match checked {
            Err(m) => plan.push(KIND, name, Action::Invalid, &m),
            Ok(r) => {
                plan.push(KIND, name, Action::Create, "");
                draft.add_relation(r);
            }
        }
    }
}

/// Rules, state machines, workflows, webhooks: the import's dedupe key decides
/// whether an item is stored; the whole definition whether it is the same.
fn plan_kind<K: Kind + PartialEq>(stored: Vec<K>, doc: &Map<String, Value>, plan: &mut Plan) {
    let mut added: Vec<K::Key> = Vec::new();
    for item in items(doc, K::LIST) {
        let name = K::name(item);
        let mut def: K = match parse(item) {
            Ok(d) => d,
            Err(m) => {
                plan.push(K::LIST, &name, Action::Invalid, &m);
                continue;
            }
        };
        def.normalize();
        let key = def.key();
        let (action, reason) = if def.skip() {
            (Action::Skip, "no name: ignored")
        } else if added.contains(&key) {
            (Action::Skip, REPEATED)
        } else {
            match stored.iter().find(|s| s.key() == key) {
                Some(s) if *s == def => (Action::Skip, EXISTS),
                Some(_) => (Action::Conflict, DIFFERS),
                None => {
                    added.push(key);
                    (Action::Create, "")
                }
            }
        };
        plan.push(K::LIST, &name, action, reason);
    }
}

/// Permissions: one per `entity|action`, checked against the schema the import
/// would build.
fn plan_permissions(
    stored: Vec<PermissionRow>,
    doc: &Map<String, Value>,
    schema: &Schema,
    plan: &mut Plan,
) {
    const KIND: &str = "permissions";
    let mut added: HashSet<(String, String)> = HashSet::new();
    for item in items(doc, KIND) {
        let key = (
            text(item, "entity").to_string(),
            text(item, "action").to_string(),
        );
        let name = format!("{}/{}", key.0, key.1);
        let parsed = metadata::permissions::parse_in(schema, item);
        let same = |p: &PermissionRow| {
            parsed.as_ref().is_ok_and(|d| {
                let mut a = d.roles.clone();
                let mut b = p.roles.clone();
                a.sort();
                b.sort();
                a == b && serde_json::to_value(&d.conditions).ok().as_ref() == Some(&p.conditions)
            })
        };
        let (action, reason) = if added.contains(&key) {
            (Action::Skip, REPEATED.to_string())
        } else if let Some(p) = stored
            .iter()
            .find(|p| p.entity == key.0 && p.action == key.1)
        {
            if same(p) {
                (Action::Skip, EXISTS.to_string())
            } else {
                (Action::Conflict, DIFFERS.to_string())
            }
        } else {
            match &parsed {
                Err(e) => (Action::Invalid, e.to_string()),
                Ok(_) => {
                    added.insert(key);
                    (Action::Create, String::new())
                }
            }
        };
        plan.push(KIND, &name, action, &reason);
    }
}

/// UI configs are upserted: a different stored config is overwritten.
fn plan_ui_configs(stored: Vec<UiConfigDef>, doc: &Map<String, Value>, plan: &mut Plan) {
    const KIND: &str = "ui_configs";
    let mut configs: HashMap<(String, String), Value> = stored
        .into_iter()
        .map(|c| ((c.entity, c.scope), c.config))
        .collect();
    for item in items(doc, KIND) {
        let name = format!("{}/{}", text(item, "entity"), text(item, "scope"));
        let mut c: UiConfigDef = match parse(item) {
            Ok(c) => c,
            Err(m) => {
                plan.push(KIND, &name, Action::Invalid, &m);
                continue;
            }
        };
        if c.entity.is_empty() {
            plan.push(KIND, &name, Action::Skip, "no entity: ignored");
            continue;
        }
        if c.scope.is_empty() {
            c.scope = "default".into();
        }
        let name = format!("{}/{}", c.entity, c.scope);
        let (action, reason) = match configs.insert((c.entity, c.scope), c.config.clone()) {
            None => (Action::Create, ""),
            Some(old) if old == c.config => (Action::Skip, EXISTS),
            Some(_) => (Action::Overwrite, "replaces the stored config"),
        };
        plan.push(KIND, &name, action, reason);
    }
}

/// Sample rows per table, for the entities of the document the import would know
/// and the join tables of its many-to-many relations.
async fn plan_sample(app: &App, doc: &Map<String, Value>, draft: &Schema) -> Result<Vec<Rows>> {
    let Some(sample) = sample_of(doc) else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for item in items(doc, "entities") {
        let name = text(item, "name");
        if let (Some(e), Some(rows)) = (draft.entity(name), sample.get(name)) {
            out.push(entity_rows(app, e, &rows_of(rows)).await?);
        }
    }
    for (key, rows) in sample {
        if draft.entity(key).is_some() {
            continue;
        }
        if let Some(r) = join_relation(draft, doc, key) {
            out.push(join_rows(app, draft, &r, &rows_of(rows)).await?);
        }
    }
    Ok(out)
}

/// True when `table` exists now and has a row matching every condition.
async fn stored_row(app: &App, table_exists: bool, table: &str, conds: &[Cond]) -> Result<bool> {
    if !table_exists {
        return Ok(false);
    }
    let q = Write::count(app.store.dialect(), table, conds);
    let rows = app.store.query(&q).await?;
    let n = rows
        .first()
        .and_then(|r| r.first())
        .and_then(Cell::as_i64)
        .unwrap_or(0);
    Ok(n > 0)
}

async fn entity_rows(app: &App, e: &Entity, rows: &[&Map<String, Value>]) -> Result<Rows> {
    let d = app.store.dialect();
    let exists = app.schema().entity(&e.name).is_some();
    let mut out = Rows {
        table: e.name.clone(),
        ..Rows::default()
    };
    for rec in rows {
        let typed = e
            .fields
            .iter()
            .filter_map(|f| rec.get(&f.name).map(|v| to_param(v, f.kind, d)))
            .collect::<std::result::Result<Vec<_>, _>>();
        match typed {
            Err(_) => out.invalid += 1,
            Ok(cols) if cols.is_empty() => out.skip += 1,
            Ok(_) => {
                let pk = rec
                    .get(e.pk_name())
                    .and_then(|v| to_param(v, e.pk().kind, d).ok());
                let cond = pk.map(|p| [Cond::eq(e.pk_name(), e.pk().kind, p)]);
                match cond {
                    Some(c) if stored_row(app, exists, &e.table, &c).await? => out.skip += 1,
                    _ => out.create += 1,
                }
            }
        }
    }
    Ok(out)
}

async fn join_rows(
    app: &App,
    schema: &Schema,
    r: &Relation,
    rows: &[&Map<String, Value>],
) -> Result<Rows> {
    let d = app.store.dialect();
    let exists = app.schema().relation(&r.name).is_some();
    let mut out = Rows {
        table: r.join_table.clone(),
        ..Rows::default()
    };
    let (Some(src), Some(tgt)) = (schema.entity(&r.source), schema.entity(&r.target)) else {
        return Ok(out);
    };
    let sk = src.field(&r.source_key).map_or(src.pk().kind, |f| f.kind);
    let tk = tgt.pk().kind;
    for rec in rows {
        let (Some(a), Some(b)) = (rec.get(&r.source_join_key), rec.get(&r.target_join_key)) else {
            out.skip += 1;
            continue;
        };
        let (Ok(pa), Ok(pb)) = (to_param(a, sk, d), to_param(b, tk, d)) else {
            out.invalid += 1;
            continue;
        };
        let conds = [
            Cond::eq(&r.source_join_key, sk, pa),
            Cond::eq(&r.target_join_key, tk, pb),
        ];
        if stored_row(app, exists, &r.join_table, &conds).await? {
            out.skip += 1;
        } else {
            out.create += 1;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn problems_are_conflicts_and_invalid_items_and_rows() {
        let mut p = Plan::default();
        p.push("entities", "a", Action::Create, "");
        p.push("entities", "b", Action::Conflict, DIFFERS);
        p.push("ui_configs", "c/default", Action::Overwrite, "");
        p.push("rules", "c/before_write", Action::Invalid, "bad");
        p.push("rules", "d/before_write", Action::Skip, EXISTS);
        p.sample_data.push(Rows {
            table: "a".into(),
            create: 3,
            skip: 1,
            invalid: 2,
        });
        assert_eq!(p.problems(), 4);
        assert_eq!(p.count("entities", Action::Create), 1);
        assert_eq!(p.count("rules", Action::Create), 0);
        let v = serde_json::to_value(&p).unwrap();
        assert_eq!(
            v["items"][0],
            serde_json::json!({"kind": "entities", "name": "a", "action": "create"})
        );
        assert_eq!(v["items"][1]["action"], "conflict");
    }
}
