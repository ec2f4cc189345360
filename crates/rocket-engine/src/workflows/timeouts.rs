//! The approval-timeout job (spec 09 §7), which also resumes steps whose run
//! was cut short. Every running instance whose deadline passed is claimed (one
//! short transaction per instance, `SKIP LOCKED` on Postgres, the single write
//! lock on SQLite):
//!
//! - at an approval step, it gets a `timed_out` history entry and follows its
//!   `on_timeout`;
//! - at any other step the deadline is the lease of a step in flight
//!   ([`super::LEASE`]): the process running it died, so it is taken over.
//!
//! The claim commits the new state before any step runs, so with several server
//! processes on one database each timeout fires once: a claimed row is skipped by
//! the others and is no longer due once committed. Steps then run outside the
//! transaction, like every advancement.

use chrono::{DateTime, Utc};
use rocket_store::Exec;

use super::def::{Goto, StepKind};
use super::instances::{self, entry, Instance, Status};
use super::run::{advance_if_due, persist};
use super::Workflow;
use crate::app::App;
use crate::error::Result;

/// Most instances one run handles per app (the rest wait for the next run).
pub const BATCH: usize = 500;

/// What claiming one due instance decided.
enum Claimed {
    /// Fired or taken over: advance it after the commit.
    Go(std::sync::Arc<Workflow>, Box<Instance>),
    /// Nothing to do (09 §7 step 2: selected again next run).
    Skip(String),
}

/// Fires the timeouts (and takes over the lapsed steps) due at `now` in `app`; how
/// many instances it handled. An error on one instance is logged and the others go on.
pub async fn run_once(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let mut done = 0;
    let mut skipped: Vec<String> = Vec::new();
    for _ in 0..BATCH {
        match claim(app, now, &skipped).await {
            Ok(None) => break,
            Ok(Some(Claimed::Skip(id))) => skipped.push(id),
            Ok(Some(Claimed::Go(wf, mut inst))) => {
                let store = &mut Exec::Store(&app.store);
                advance_if_due(store, &app.schema(), &app.outbound, &wf, &mut inst).await;
                done += 1;
            }
            Err(e) => {
                // Not retried in this run; a failure to even claim stops it.
                tracing::warn!(app = %app.name, "workflow timeout failed: {e}");
                return if done > 0 { Ok(done) } else { Err(e) };
            }
        }
    }
    Ok(done)
}

/// Claims the next due instance and commits its new state.
async fn claim(app: &App, now: DateTime<Utc>, skipped: &[String]) -> Result<Option<Claimed>> {
    let mut tx = app.store.begin().await?;
    let x = &mut Exec::Tx(&mut tx);
    let Some(mut inst) = instances::claim_due(x, now, skipped).await? else {
        return Ok(None);
    };
    let logic = app.logic();
    let Some(wf) = logic.workflow(&inst.workflow_name).cloned() else {
        tracing::warn!(instance = %inst.id, workflow = %inst.workflow_name, "timeout skipped: workflow not found");
        return Ok(Some(Claimed::Skip(inst.id)));
    };
    let Some(step) = wf.step(&inst.current_step) else {
        tracing::warn!(instance = %inst.id, step = %inst.current_step, "timeout skipped: step not found");
        return Ok(Some(Claimed::Skip(inst.id)));
    };
    if let StepKind::Approval { on_timeout, .. } = &step.kind {
        inst.history.push(entry(&step.id, "timed_out", None, now));
        match on_timeout {
            Some(Goto::Step(s)) => inst.current_step = s.clone(),
            Some(Goto::End) => {
                inst.status = Status::Completed;
                inst.current_step.clear();
            }
            None => {
                inst.status = Status::Failed;
                inst.current_step.clear();
            }
        }
    }
    // Either way the state is saved with a fresh deadline (the next approval's
    // timeout, or a new lease) before anything runs.
    persist(x, &wf, &inst, now).await?;
    tx.commit().await?;
    Ok(Some(Claimed::Go(wf, Box::new(inst))))
}
