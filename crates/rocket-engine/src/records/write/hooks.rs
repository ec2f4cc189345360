//! The webhook steps of the pipeline (spec 12 §7–8), one call per hook: the event
//! of the write is built only when the entity has webhooks of that hook.

use rocket_meta::Entity;
use rocket_store::Tx;
use serde_json::{Map, Value};

use crate::error::Result;
use crate::records::Caller;
use crate::webhooks::fire::{self, Veto};
use crate::webhooks::payload::Event;
use crate::webhooks::Hook;

type Record = Map<String, Value>;

fn has(c: &Caller<'_>, e: &Entity, hook: Hook) -> bool {
    !c.logic.entity(&e.name).hooks.of(hook).is_empty()
}

fn event<'a>(
    c: &'a Caller<'_>,
    e: &'a Entity,
    hook: Hook,
    action: &'a str,
    record: &'a Record,
    old: Option<&'a Record>,
) -> Event<'a> {
    Event {
        hook,
        entity: &e.name,
        action,
        record,
        sent: None,
        old,
        user: Some(c.user),
    }
}

/// `before_write`: `fields` is the payload field map (built only when needed).
pub(super) async fn before_write(
    tx: &mut Tx,
    c: &Caller<'_>,
    e: &Entity,
    action: &str,
    fields: impl FnOnce() -> Record,
    old: Option<&Record>,
) -> Result<Option<Veto>> {
    if !has(c, e, Hook::BeforeWrite) {
        return Ok(None);
    }
    let record = fields();
    fire::sync(tx, c, &event(c, e, Hook::BeforeWrite, action, &record, old)).await
}

/// `after_write` outbox rows for the written record (`sent`: on create, the
/// payload field map its `changes` list); how many were queued.
pub(super) async fn after_write(
    tx: &mut Tx,
    c: &Caller<'_>,
    e: &Entity,
    action: &str,
    record: Option<&Record>,
    sent: impl FnOnce() -> Option<Record>,
    old: Option<&Record>,
) -> Result<usize> {
    let Some(r) = record.filter(|_| has(c, e, Hook::AfterWrite)) else {
        return Ok(0);
    };
    let sent = sent();
    let ev = Event {
        sent: sent.as_ref(),
        ..event(c, e, Hook::AfterWrite, action, r, old)
    };
    fire::enqueue(tx, c, &ev).await
}

/// `before_delete` on the row as fetched before the delete.
pub(super) async fn before_delete(
    tx: &mut Tx,
    c: &Caller<'_>,
    e: &Entity,
    row: &Record,
) -> Result<Option<Veto>> {
    if !has(c, e, Hook::BeforeDelete) {
        return Ok(None);
    }
    fire::sync(tx, c, &event(c, e, Hook::BeforeDelete, "delete", row, None)).await
}

/// `after_delete` outbox rows; how many were queued.
pub(super) async fn after_delete(
    tx: &mut Tx,
    c: &Caller<'_>,
    e: &Entity,
    row: &Record,
) -> Result<usize> {
    fire::enqueue(tx, c, &event(c, e, Hook::AfterDelete, "delete", row, None)).await
}
