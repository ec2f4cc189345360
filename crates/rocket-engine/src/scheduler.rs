//! Timed background work of every app: each job is a function `run_once(app, now)`
//! that claims its due rows atomically (so several server processes on one
//! database never run the same item twice) and that tests call directly with a
//! chosen `now`. The loop here only calls the jobs at an interval. Used by the
//! workflow approval timeouts (spec 09 §7) and webhook deliveries due for a retry
//! or left by a stopped process (12 §10.2), and event retention (15 §8).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::app::App;
use crate::error::Result;
use crate::platform::{apps, Platform};

type Run =
    for<'a> fn(&'a App, DateTime<Utc>) -> Pin<Box<dyn Future<Output = Result<usize>> + Send + 'a>>;

/// One kind of timed work.
pub struct Job {
    pub name: &'static str,
    pub run_once: Run,
}

/// Every job, in the order they run.
pub const JOBS: &[Job] = &[
    Job {
        name: "workflow_timeouts",
        run_once: |app, now| Box::pin(crate::workflows::timeouts::run_once(app, now)),
    },
    Job {
        name: "webhook_deliveries",
        run_once: |app, now| Box::pin(crate::webhooks::worker::run_once(app, now)),
    },
    Job {
        name: "event_retention",
        run_once: |app, now| Box::pin(crate::events::api::cleanup(app, now)),
    },
];

/// Runs every job once over every active app at `now`; how many items each app
/// and job handled (failures are logged and do not stop the others).
pub async fn tick(p: &Platform, now: DateTime<Utc>) -> usize {
    let names = match apps::list(p).await {
        Ok(rows) => rows
            .into_iter()
            .filter(|a| a.status == "active")
            .map(|a| a.name)
            .collect::<Vec<_>>(),
        Err(e) => {
            tracing::warn!("scheduler: cannot list apps: {e}");
            return 0;
        }
    };
    let mut done = 0;
    for name in names {
        let app = match p.app(&name).await {
            Ok(a) => a,
            Err(e) => {
                tracing::warn!(app = %name, "scheduler: cannot open app: {e}");
                continue;
            }
        };
        for job in JOBS {
            match (job.run_once)(&app, now).await {
                Ok(n) => done += n,
                Err(e) => tracing::warn!(app = %name, job = job.name, "scheduler job failed: {e}"),
            }
        }
    }
    done
}

/// Starts the loop (none when the interval is 0); the first run is one interval
/// after start (09 §7).
pub fn spawn(p: &Arc<Platform>) {
    let secs = p.config.scheduler.interval_secs;
    if secs == 0 {
        return;
    }
    let weak = Arc::downgrade(p);
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(secs));
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        every.tick().await;
        loop {
            every.tick().await;
            // The platform is gone: the server shut down.
            let Some(p) = weak.upgrade() else { break };
            tick(&p, Utc::now()).await;
        }
    });
}
