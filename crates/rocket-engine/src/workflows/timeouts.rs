//! The approval-timeout job (spec 09 §7): every running instance whose deadline
//! passed is claimed (one transaction per instance, `SKIP LOCKED` on Postgres, the
//! single write lock on SQLite), gets a `timed_out` history entry and follows its
//! `on_timeout`. With several server processes on one database each timeout fires
//! once: a claimed row is skipped by the others and no longer due once committed.

use chrono::{DateTime, Utc};
use rocket_store::Exec;

use super::def::{Goto, StepKind};
use super::instances::{self, entry, Status};
use super::run::advance;
use crate::app::App;
use crate::error::Result;

/// Most instances one run handles per app (the rest wait for the next run).
pub const BATCH: usize = 500;

/// Fires the timeouts due at `now` in `app`; how many fired.
pub async fn run_once(app: &App, now: DateTime<Utc>) -> Result<usize> {
    let mut fired = 0;
    let mut skipped: Vec<String> = Vec::new();
    for _ in 0..BATCH {
        let mut tx = app.store.begin().await?;
        let x = &mut Exec::Tx(&mut tx);
        let Some(mut inst) = instances::claim_due(x, now, &skipped).await? else {
            break;
        };
        let (schema, logic) = (app.schema(), app.logic());
        let wf = logic.workflow(&inst.workflow_name).cloned();
        let on_timeout = wf.as_ref().and_then(|w| match w.step(&inst.current_step) {
            Some(s) => match &s.kind {
                StepKind::Approval { on_timeout, .. } => Some(on_timeout.clone()),
                _ => None,
            },
            None => None,
        });
        let (Some(wf), Some(on_timeout)) = (wf, on_timeout) else {
            // Nothing changes; selected again on the next run (09 §7 step 2).
            tracing::warn!(instance = %inst.id, workflow = %inst.workflow_name, "timeout skipped: no approval step to time out");
            skipped.push(inst.id.clone());
            continue;
        };
        inst.history
            .push(entry(&inst.current_step, "timed_out", None, now));
        match on_timeout {
            Some(Goto::Step(s)) => {
                inst.current_step = s;
                advance(x, &schema, &wf, &mut inst, now).await?;
            }
            Some(Goto::End) => {
                inst.status = Status::Completed;
                inst.current_step.clear();
                instances::persist(x, &inst, None).await?;
            }
            None => {
                inst.status = Status::Failed;
                inst.current_step.clear();
                instances::persist(x, &inst, None).await?;
            }
        }
        tx.commit().await?;
        fired += 1;
    }
    Ok(fired)
}
