//! One app's context (design §1): its store, its secret, its limits and the metadata
//! snapshot (entities, relations, compiled policies) the request path reads without
//! locks.

use std::sync::Arc;

use arc_swap::ArcSwap;
use rocket_meta::{Entity, Relation, Schema};
use rocket_store::{Exec, Store};

use crate::config::LimitsConfig;
use crate::error::Result;
use crate::logic::Logic;
use crate::repo;
use crate::webhooks::deliver::Outbound;

pub struct App {
    pub name: String,
    pub store: Store,
    pub secret: Vec<u8>,
    pub limits: LimitsConfig,
    /// Where webhook deliveries go out (shared by the platform's apps).
    pub outbound: Arc<Outbound>,
    /// Wakes the app's delivery worker after a commit queued deliveries.
    pub deliveries: Arc<tokio::sync::Notify>,
    /// The event buffer (spec 15 §4); `None` when instrumentation is off.
    pub events: Option<Arc<crate::events::buffer::Buffer>>,
    schema: ArcSwap<Schema>,
    /// Rules, state machines and workflows compiled for `schema`.
    logic: ArcSwap<Logic>,
    /// The OpenAPI documents of the current snapshot, by view.
    pub openapi: crate::openapi::Cache,
    /// Serialises metadata changes of this app (check-then-insert races).
    pub admin_lock: tokio::sync::Mutex<()>,
    /// Serialises reloads: a reload that read older metadata must not store its
    /// snapshot after one that read newer (a change here racing a NOTIFY reload).
    reload_lock: tokio::sync::Mutex<()>,
}

impl App {
    /// A context with an empty snapshot; [`App::reload`] fills it.
    pub fn new(
        name: &str,
        store: Store,
        secret: &[u8],
        limits: LimitsConfig,
        outbound: Arc<Outbound>,
        events: Option<Arc<crate::events::buffer::Buffer>>,
    ) -> App {
        App {
            name: name.to_string(),
            store,
            secret: secret.to_vec(),
            limits,
            outbound,
            deliveries: Arc::new(tokio::sync::Notify::new()),
            events,
            schema: ArcSwap::from_pointee(Schema::default()),
            logic: ArcSwap::from_pointee(Logic::default()),
            openapi: crate::openapi::Cache::default(),
            admin_lock: tokio::sync::Mutex::new(()),
            reload_lock: tokio::sync::Mutex::new(()),
        }
    }

    pub fn schema(&self) -> Arc<Schema> {
        self.schema.load_full()
    }

    pub fn logic(&self) -> Arc<Logic> {
        self.logic.load_full()
    }

    /// Rebuilds the whole snapshot from the database and swaps it in at once, so a
    /// reader never sees new entities with old relations (spec 03 §5). Definitions
    /// that do not validate are left out with a warning.
    pub async fn reload(&self) -> Result<()> {
        let _serial = self.reload_lock.lock().await;
        let x = &mut Exec::Store(&self.store);
        let mut entities = Vec::new();
        for row in repo::all::<repo::entities::EntityRow>(x).await? {
            match Entity::from_value(row.definition) {
                Ok(e) => match e.validate() {
                    Ok(()) => entities.push(e),
                    Err(m) => {
                        tracing::warn!(app = %self.name, entity = %row.name, "skipping invalid entity definition: {m}")
                    }
                },
                Err(err) => {
                    tracing::warn!(app = %self.name, entity = %row.name, "skipping unreadable entity definition: {err}")
                }
            }
        }
        let mut relations = Vec::new();
        for row in repo::all::<repo::relations::RelationRow>(x).await? {
            match Relation::from_value(row.definition) {
                Ok(r) => relations.push(r),
                Err(err) => {
                    tracing::warn!(app = %self.name, relation = %row.name, "skipping unreadable relation definition: {err}")
                }
            }
        }
        let mut policies = Vec::new();
        for row in repo::all::<repo::permissions::PermissionRow>(x).await? {
            match row.policy() {
                Some(p) => policies.push(p),
                // An unusable policy must not widen access: it is left out.
                None => {
                    tracing::warn!(app = %self.name, permission = %row.id, "skipping unusable permission")
                }
            }
        }
        let webhooks = repo::all::<repo::webhooks::WebhookRow>(x).await?;
        let webhook_ids: Vec<String> = webhooks.iter().map(|w| w.id.clone()).collect();
        // Expressions are compiled here, once per snapshot (spec 10 §6).
        let logic = Logic::build(
            repo::all::<repo::rules::RuleRow>(x).await?,
            repo::all::<repo::state_machines::StateMachineRow>(x).await?,
            repo::all::<repo::workflows::WorkflowRow>(x).await?,
            &webhooks,
            repo::webhooks::ensure_secrets(x, &webhook_ids).await?,
        );
        self.schema.store(Arc::new(
            Schema::new(entities, relations).with_policies(policies),
        ));
        self.logic.store(Arc::new(logic));
        Ok(())
    }
}

impl App {
    /// Wakes the delivery worker: a commit queued webhook deliveries.
    pub fn deliveries_queued(&self) {
        self.deliveries.notify_one();
    }
}

impl Drop for App {
    /// The worker task holds the app weakly: woken, it finds it gone and ends.
    fn drop(&mut self) {
        self.deliveries.notify_one();
    }
}
