//! Business logic of an app: validation rules (spec 07), state machines (08) and
//! workflow triggers (09 §3), compiled once into a [`Logic`] snapshot when the
//! metadata is (re)loaded and run by the write pipeline.

pub mod admin;
pub mod compiled;
pub mod evaluate;
pub mod machines;
pub mod related;
pub mod rules;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use crate::repo::rules::RuleRow;
use crate::repo::state_machines::StateMachineRow;
use crate::repo::webhooks::WebhookRow;
use crate::repo::workflows::WorkflowRow;
use crate::workflows::Workflow;
use machines::Machine;
use related::RelatedLoad;
use rules::Rule;

/// What runs when one entity is written.
#[derive(Debug, Default)]
pub struct EntityLogic {
    /// Active `before_write` rules by priority, age, id (07 §3.2).
    pub rules: Vec<Rule>,
    /// Active machines, in load order.
    pub machines: Vec<Machine>,
    /// Relations the rules load (07 §5), deduplicated by relation and filter.
    pub related: Vec<RelatedLoad>,
    /// Some active workflow starts on a state change of this entity.
    pub triggers: bool,
    /// Some rule or guard reads `old` (an update must read the stored row).
    pub reads_old: bool,
    /// Some machine may queue webhook calls (a write needs a transaction for them).
    pub sends: bool,
    /// Webhooks that can fire on this entity (spec 12 §7).
    pub hooks: crate::webhooks::EntityHooks,
}

impl EntityLogic {
    /// True when nothing runs: the write pipeline may take its fast paths.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.machines.is_empty() && !self.triggers && self.hooks.is_empty()
    }
}

/// The compiled logic of one app.
#[derive(Debug, Default)]
pub struct Logic {
    entities: HashMap<String, EntityLogic>,
    /// Every workflow by name, active or not (approvals finish on inactive ones, 09 §6.3).
    workflows: HashMap<String, Arc<Workflow>>,
    /// Active workflows by trigger `(entity, field, to)`, in name order.
    by_trigger: HashMap<(String, String, String), Vec<Arc<Workflow>>>,
    /// Webhook signing secrets by webhook id.
    secrets: HashMap<String, String>,
}

static NOTHING: std::sync::LazyLock<EntityLogic> = std::sync::LazyLock::new(EntityLogic::default);

impl Logic {
    /// Compiles the stored rows (already in table order).
    pub fn build(
        rules: Vec<RuleRow>,
        machines: Vec<StateMachineRow>,
        workflows: Vec<WorkflowRow>,
        webhooks: &[WebhookRow],
        secrets: Vec<(String, String)>,
    ) -> Logic {
        let mut logic = Logic {
            secrets: secrets.into_iter().collect(),
            ..Logic::default()
        };
        for (entity, hooks) in crate::webhooks::compile(webhooks) {
            logic.entities.entry(entity).or_default().hooks = hooks;
        }
        let mut rules = rules;
        rules.sort_by(|a, b| {
            (a.def.priority, &a.stamps.created_at, &a.id).cmp(&(
                b.def.priority,
                &b.stamps.created_at,
                &b.id,
            ))
        });
        for r in rules
            .iter()
            .filter(|r| r.def.active && r.def.hook == "before_write")
        {
            let Some(rule) = Rule::new(&r.def.kind, &r.def.definition) else {
                continue;
            };
            let el = logic.entities.entry(r.def.entity.clone()).or_default();
            for l in RelatedLoad::list(&r.def.definition) {
                if !el.related.contains(&l) {
                    el.related.push(l);
                }
            }
            el.reads_old |= rule.program().is_some_and(|p| p.uses_variable("old"));
            el.rules.push(rule);
        }
        for m in machines.iter().filter(|m| m.def.active) {
            let machine = Machine::new(&m.def.field, &m.def.definition);
            let el = logic.entities.entry(m.def.entity.clone()).or_default();
            el.reads_old = true;
            el.sends |= machine.sends;
            el.machines.push(machine);
        }
        for w in workflows {
            let wf = Arc::new(Workflow::new(w.id, w.def));
            if wf.active {
                if let Some(t) = &wf.trigger {
                    logic
                        .by_trigger
                        .entry((t.entity.clone(), t.field.clone(), t.to.clone()))
                        .or_default()
                        .push(wf.clone());
                    logic.entities.entry(t.entity.clone()).or_default().triggers = true;
                }
            }
            logic.workflows.insert(wf.name.clone(), wf);
        }
        for list in logic.by_trigger.values_mut() {
            list.sort_by(|a, b| a.name.cmp(&b.name));
        }
        logic
    }

    /// The logic of entity `name` (empty when it has none).
    pub fn entity(&self, name: &str) -> &EntityLogic {
        self.entities.get(name).unwrap_or(&NOTHING)
    }

    /// The signing secret of webhook `id`, if it has one.
    pub fn webhook_secret(&self, id: &str) -> Option<&str> {
        self.secrets.get(id).map(String::as_str)
    }

    /// A workflow by name, active or not.
    pub fn workflow(&self, name: &str) -> Option<&Arc<Workflow>> {
        self.workflows.get(name)
    }

    /// The active workflows a change of `entity.field` to `to` starts (09 §3.1).
    pub fn triggered(&self, entity: &str, field: &str, to: &str) -> &[Arc<Workflow>] {
        self.by_trigger
            .get(&(entity.to_string(), field.to_string(), to.to_string()))
            .map_or(&[], Vec::as_slice)
    }
}

/// The variables rules and guards see besides `record` (spec 10 §5.1; `user` and
/// `related` are ours).
pub struct Scope<'a> {
    pub old: &'a Value,
    action: Value,
    user: &'a Value,
    related: &'a Value,
    /// The time `"now"` actions write.
    pub now: chrono::DateTime<chrono::Utc>,
}

impl<'a> Scope<'a> {
    pub fn new(old: &'a Value, action: &str, user: &'a Value, related: &'a Value) -> Scope<'a> {
        Scope {
            old,
            action: Value::String(action.to_string()),
            user,
            related,
            now: chrono::Utc::now(),
        }
    }

    pub fn is_create(&self) -> bool {
        self.action == "create"
    }

    /// The environment of one evaluation against `record`.
    pub fn env<'b>(&'b self, record: &'b Value) -> [(&'static str, &'b Value); 5] {
        [
            ("record", record),
            ("old", self.old),
            ("action", &self.action),
            ("user", self.user),
            ("related", self.related),
        ]
    }
}
