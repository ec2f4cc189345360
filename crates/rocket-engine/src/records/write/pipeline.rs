//! The write pipeline (spec 04 §6.1, §7) as one ordered function per operation,
//! each step a named call:
//!
//! resolve → plan (pure) → BEGIN → current, locked (read filters: a hidden row is
//! 404) → If-Match → access → related rows → rules → state machines → slug / files
//! → SQL incl. nested → sync webhooks → readable answer → workflow starts → outbox
//! rows (webhooks, state-machine calls) → COMMIT → wake the delivery worker.
//!
//! Errors are reported in the order of spec 06 §5 (404, 403, 400, 422) although the
//! body is planned first. A synchronous webhook's veto rolls everything back (12
//! §7.1). A write that depends on nothing of the stored row and is a single
//! statement skips BEGIN/COMMIT: one `INSERT/UPDATE … RETURNING` is atomic by
//! itself; rules and machines that read nothing stored run before it in memory.

use rocket_meta::{Action, Entity};
use rocket_sql::{Cond, Select};
use rocket_store::{Cell, Dialect, Exec, Param, Row};
use serde_json::{Map, Value};

use super::logic::{self, nothing};
use super::plan::{self, Mode, RowPlan};
use super::{delete as cascade, exec, hooks, nested, JsonBody, Written};
use crate::access::{Access, ReadScope};
use crate::error::{EngineError, Result};
use crate::events;
use crate::records::etag::{self, matches};
use crate::records::values::key_param;
use crate::records::{
    find, find_key, live, not_found, pk_cond, pk_text, record_columns, render_row, Caller,
};

/// `POST /api/{app}/{entity}`, in a `record.create` span (15 §3.2).
pub async fn create(c: &Caller<'_>, entity: &str, body: JsonBody<'_>) -> Result<Written> {
    let mut span = events::span("engine", "handler", "record.create").on(entity, None);
    let r = span.result(create_record(c, entity, body).await);
    let pk = c.schema.entity(entity).map(|e| e.pk_name().to_string());
    if let (Ok(w), Some(pk)) = (&r, pk) {
        span.meta("record_id", w.data.get(&pk).cloned().unwrap_or_default());
    }
    r
}

async fn create_record(c: &Caller<'_>, entity: &str, body: JsonBody<'_>) -> Result<Written> {
    let e = c.entity(entity)?;
    c.access().check(&e, Action::Create)?;
    let body = body.object()?;
    let mut plan = plan_write(c, &e, &body, Mode::Create)?;
    let el = c.logic.entity(&e.name);
    let old = nothing();
    if el.related.is_empty() && alone(el) && exec::insert_alone(&plan) {
        logic::apply(c, el, &mut plan, "create", &old, &Value::Null)?;
        let x = &mut Exec::Store(&c.app.store);
        let row = exec::insert(x, &plan, None).await?;
        return answer(x, c, &e, row).await;
    }
    let mut tx = c.app.store.begin().await?;
    let related = logic::related(
        &mut Exec::Tx(&mut tx),
        c,
        &e,
        el,
        &Value::Object(body.clone()),
    )
    .await?;
    let applied = logic::apply(c, el, &mut plan, "create", &old, &related)?;
    let row = exec::insert(&mut Exec::Tx(&mut tx), &plan, None).await?;
    let key = pk_text(&e, &row).ok_or_else(|| EngineError::internal("insert returned no key"))?;
    nested::write(&mut tx, c, &e, &key, &plan.relations).await?;
    let fields = || applied.fields(&plan);
    if let Some(v) = hooks::before_write(&mut tx, c, &e, "create", fields, None).await? {
        return Err(v.settle(tx, c).await);
    }
    let stored =
        (el.triggers || el.hooks.wants_record()).then(|| render_row(&e, row.clone(), c.dialect()));
    let out = answer(&mut Exec::Tx(&mut tx), c, &e, row).await?;
    let started = match &stored {
        Some(stored) if el.triggers => {
            logic::start_workflows(&mut tx, c, &e, el, &old, stored).await?
        }
        _ => Vec::new(),
    };
    let sent = || Some(applied.fields(&plan));
    let mut queued =
        hooks::after_write(&mut tx, c, &e, "create", stored.as_ref(), sent, None).await?;
    queued += logic::queue_calls(&mut tx, &applied.calls).await?;
    tx.commit().await?;
    after_commit(c, queued);
    logic::advance(c, started).await;
    Ok(out)
}

/// `PUT /api/{app}/{entity}/{id}` (a partial update), in a `record.update` span.
pub async fn update(
    c: &Caller<'_>,
    entity: &str,
    id: &str,
    body: JsonBody<'_>,
    if_match: Option<&str>,
) -> Result<Written> {
    let mut span = events::span("engine", "handler", "record.update").on(entity, Some(id));
    span.result(update_record(c, entity, id, body, if_match).await)
}

async fn update_record(
    c: &Caller<'_>,
    entity: &str,
    id: &str,
    body: JsonBody<'_>,
    if_match: Option<&str>,
) -> Result<Written> {
    let e = c.entity(entity)?;
    let access = c.access();
    let scope = access.read_scope(&e);
    // Parsed and planned once, reported in pipeline order (404, 403, then 400/422).
    let parsed = body.object();
    let plan = match &parsed {
        Ok(b) => plan_write(c, &e, b, Mode::Update).map_err(Some),
        Err(_) => Err(None),
    };
    let el = c.logic.entity(&e.name);
    if let Ok(p) = &plan {
        if if_match.is_none() && direct(&access, &scope, &e) && p.is_flat() && alone(el) {
            let done = if logic::update_is_blind(el, p.body) {
                update_directly(c, &e, id, p).await?
            } else if el.related.is_empty() && c.dialect() == Dialect::Postgres {
                update_checked(c, &e, id, p).await?
            } else {
                None
            };
            if let Some(done) = done {
                return Ok(done);
            }
        }
    }
    let mut tx = c.app.store.begin().await?;
    let (key, old) = current(&mut Exec::Tx(&mut tx), &e, id, &scope, if_match).await?;
    access.check_record(&e, Action::Update, &old)?;
    let mut plan = plan
        .map_err(|err| err.unwrap_or_else(|| EngineError::BadInput("Invalid JSON body".into())))?;
    let old_value = if el.is_empty() {
        Value::Null
    } else {
        Value::Object(old.clone())
    };
    let related = logic::related(&mut Exec::Tx(&mut tx), c, &e, el, &old_value).await?;
    let applied = logic::apply(c, el, &mut plan, "update", &old_value, &related)?;
    let row = exec::update(&mut Exec::Tx(&mut tx), &plan, &key, &old).await?;
    nested::write(&mut tx, c, &e, &key, &plan.relations).await?;
    let fields = || applied.fields(&plan);
    if let Some(v) = hooks::before_write(&mut tx, c, &e, "update", fields, Some(&old)).await? {
        return Err(v.settle(tx, c).await);
    }
    let x = &mut Exec::Tx(&mut tx);
    // An update that set only nested rows returned no row of its own: read it.
    let row = match row {
        Some(row) => row,
        None => find_key(x, &e, &key)
            .await?
            .ok_or_else(|| not_found(&e, &key))?,
    };
    let stored =
        (el.triggers || el.hooks.wants_record()).then(|| render_row(&e, row.clone(), c.dialect()));
    let out = answer(x, c, &e, row).await?;
    let started = match &stored {
        Some(stored) if el.triggers => {
            logic::start_workflows(&mut tx, c, &e, el, &old_value, stored).await?
        }
        _ => Vec::new(),
    };
    let mut queued = hooks::after_write(
        &mut tx,
        c,
        &e,
        "update",
        stored.as_ref(),
        || None,
        Some(&old),
    )
    .await?;
    queued += logic::queue_calls(&mut tx, &applied.calls).await?;
    tx.commit().await?;
    after_commit(c, queued);
    logic::advance(c, started).await;
    Ok(out)
}

/// True when an update of `e` by this caller depends on nothing of the stored row:
/// no slug to regenerate, every row readable, and update access without conditions.
fn direct(access: &Access<'_>, scope: &ReadScope, e: &Entity) -> bool {
    e.slug.is_none() && *scope == ReadScope::All && access.unconditional(e, Action::Update)
}

/// One `UPDATE … WHERE key RETURNING` (atomic by itself): the write and the answer in
/// one round trip. `None` hands over to the full path (no column to set, or an id
/// that is no key: that path answers them in order).
async fn update_directly(
    c: &Caller<'_>,
    e: &Entity,
    id: &str,
    plan: &RowPlan<'_>,
) -> Result<Option<Written>> {
    // Rules and machines that read nothing stored run first, in memory.
    let el = c.logic.entity(&e.name);
    let mut plan_here;
    let plan = if el.is_empty() {
        plan
    } else {
        plan_here = plan.row_only();
        // `old` is read by nothing here (`update_is_blind`). A refusal goes the full
        // way, which reports a missing or hidden record (404) before it (spec 06 §5).
        if logic::apply(c, el, &mut plan_here, "update", &nothing(), &Value::Null).is_err() {
            return Ok(None);
        }
        &plan_here
    };
    let Some(key) = key_param(id, e.pk().kind).and_then(|p| p.to_pg_text()) else {
        return Ok(None);
    };
    let x = &mut Exec::Store(&c.app.store);
    match exec::update_set(x, plan, &key, None).await? {
        exec::Updated::Row(row) => Ok(Some(answer(x, c, e, row).await?)),
        exec::Updated::Missing => Err(not_found(e, id)),
        exec::Updated::NothingToSet | exec::Updated::UnknownFile => Ok(None),
    }
}

/// A flat update whose rules or machines read the stored row, on Postgres: the row
/// read without lock or transaction, the logic run on it, then one UPDATE that
/// applies only if the row still has the version read (`xmin`). Two statements
/// instead of BEGIN, SELECT … FOR UPDATE, UPDATE, COMMIT. `None` hands over to the
/// full path: no such row (it reports the 404), or the row changed in between.
async fn update_checked(
    c: &Caller<'_>,
    e: &Entity,
    id: &str,
    plan: &RowPlan<'_>,
) -> Result<Option<Written>> {
    let Some(key) = key_param(id, e.pk().kind).and_then(|p| p.to_pg_text()) else {
        return Ok(None);
    };
    let x = &mut Exec::Store(&c.app.store);
    let mut columns = record_columns(e, true);
    columns.push("xmin".into());
    let q = Select {
        table: e.table.clone(),
        columns,
        conds: live(e, vec![pk_cond(e, &key)?]),
        limit: Some(1),
        ..Default::default()
    }
    .to_sql(x.dialect());
    let Some(mut row) = x.query_keyed(&q).await?.into_iter().next() else {
        return Ok(None);
    };
    let Some(version) = row.pop().and_then(Cell::into_string) else {
        return Ok(None);
    };
    let old = Value::Object(render_row(e, row, x.dialect()));
    let mut checked = plan.row_only();
    // The row exists and the caller may update any row: the logic's verdict stands.
    let el = c.logic.entity(&e.name);
    logic::apply(c, el, &mut checked, "update", &old, &Value::Null)?;
    match exec::update_set(x, &checked, &key, Some(Param::Text(version))).await? {
        exec::Updated::Row(row) => Ok(Some(answer(x, c, e, row).await?)),
        exec::Updated::Missing | exec::Updated::NothingToSet | exec::Updated::UnknownFile => {
            Ok(None)
        }
    }
}

/// `DELETE /api/{app}/{entity}/{id}`: soft or hard, after the `on_delete` policies,
/// in a `record.delete` span.
pub async fn delete(c: &Caller<'_>, entity: &str, id: &str, if_match: Option<&str>) -> Result<()> {
    let mut span = events::span("engine", "handler", "record.delete").on(entity, Some(id));
    span.result(delete_record(c, entity, id, if_match).await)
}

async fn delete_record(
    c: &Caller<'_>,
    entity: &str,
    id: &str,
    if_match: Option<&str>,
) -> Result<()> {
    let e = c.entity(entity)?;
    let access = c.access();
    let scope = access.read_scope(&e);
    let mut tx = c.app.store.begin().await?;
    let (key, old) = current(&mut Exec::Tx(&mut tx), &e, id, &scope, if_match).await?;
    access.check_record(&e, Action::Delete, &old)?;
    cascade::cascade(&mut tx, &c.schema, &e, &key).await?;
    if exec::remove(&mut Exec::Tx(&mut tx), &e, &key).await? == 0 {
        return Err(not_found(&e, id));
    }
    if let Some(v) = hooks::before_delete(&mut tx, c, &e, &old).await? {
        return Err(v.settle(tx, c).await);
    }
    let queued = hooks::after_delete(&mut tx, c, &e, &old).await?;
    tx.commit().await?;
    after_commit(c, queued);
    Ok(())
}

/// True when a write's logic leaves nothing to do in a transaction besides its own
/// statement: no workflow to start, no webhook, no state-machine call to queue.
fn alone(el: &crate::logic::EntityLogic) -> bool {
    !el.triggers && el.hooks.is_empty() && !el.sends
}

/// After a COMMIT that queued deliveries or calls: wake the delivery worker.
fn after_commit(c: &Caller<'_>, queued: usize) {
    if queued > 0 {
        c.app.deliveries_queued();
    }
}

fn plan_write<'b>(
    c: &Caller<'_>,
    e: &std::sync::Arc<Entity>,
    body: &'b Map<String, Value>,
    mode: Mode,
) -> Result<RowPlan<'b>> {
    plan::plan(
        &c.schema,
        e,
        body,
        mode,
        c.dialect(),
        c.app.limits.nested_depth,
    )
}

/// The current record as the caller may see it, locked until the transaction ends:
/// a row hidden by the read filters, or any row when the caller may read nothing, is
/// 404 as if absent; then `If-Match` against it (412 when it changed). Returns its
/// canonical key and its rendered form.
async fn current(
    x: &mut Exec<'_>,
    e: &Entity,
    id: &str,
    scope: &ReadScope,
    if_match: Option<&str>,
) -> Result<(String, Map<String, Value>)> {
    let Some(filters) = scope.filters() else {
        return Err(not_found(e, id));
    };
    let Some(row) = find(x, e, id, filters, true).await? else {
        return Err(not_found(e, id));
    };
    let key = pk_text(e, &row).ok_or_else(|| not_found(e, id))?;
    if let Some(m) = if_match {
        if !matches(m, &etag::etag(&row)) {
            return Err(EngineError::PreconditionFailed(
                "The record was changed since it was read".into(),
            ));
        }
    }
    Ok((key, render_row(e, row, x.dialect())))
}

/// The answer for a written row: all of it when the caller may read it, else only
/// its key (a write never returns a row its caller cannot read).
async fn answer(x: &mut Exec<'_>, c: &Caller<'_>, e: &Entity, row: Row) -> Result<Written> {
    let key = pk_text(e, &row);
    let tag = etag::etag(&row);
    let data = render_row(e, row, x.dialect());
    let readable = match c.access().read_scope(e) {
        ReadScope::All => true,
        ReadScope::Nothing => false,
        ReadScope::Filtered(f) => match &key {
            Some(k) => still_visible(x, e, k, f).await?,
            None => false,
        },
    };
    if readable {
        return Ok(Written {
            data,
            etag: Some(tag),
        });
    }
    let mut only_key = Map::new();
    only_key.insert(
        e.pk_name().to_string(),
        data.get(e.pk_name()).cloned().unwrap_or(Value::Null),
    );
    Ok(Written {
        data: only_key,
        etag: None,
    })
}

async fn still_visible(
    x: &mut Exec<'_>,
    e: &Entity,
    key: &str,
    filters: Vec<Cond>,
) -> Result<bool> {
    let mut conds = vec![pk_cond(e, key)?];
    conds.extend(filters);
    let q = Select {
        table: e.table.clone(),
        columns: vec![e.pk_name().to_string()],
        conds: live(e, conds),
        limit: Some(1),
        ..Default::default()
    }
    .to_sql(x.dialect());
    Ok(!x.query_keyed(&q).await?.is_empty())
}
