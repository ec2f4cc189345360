//! The per-app event buffer (15 §4): appending never blocks a request; a flusher
//! task writes what is buffered every `flush_interval_ms`, or at once when
//! `buffer_size` events wait, with one multi-row INSERT. The buffer is bounded (ten
//! batches): beyond that new events are dropped and counted (Rust note of §4).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use super::otlp::Otlp;
use super::{store, Event};
use crate::app::App;
use crate::config::InstrumentationConfig;

pub struct Buffer {
    queue: Mutex<Vec<Event>>,
    batch: usize,
    cap: usize,
    interval: Duration,
    wake: tokio::sync::Notify,
    dropped: AtomicU64,
    /// Events older than this many days are deleted by the retention job.
    pub retention_days: u32,
    /// Where spans are also exported, when configured.
    otlp: Option<Arc<Otlp>>,
}

impl Buffer {
    pub fn new(c: &InstrumentationConfig, otlp: Option<Arc<Otlp>>) -> Buffer {
        let batch = c.buffer_size.max(1);
        Buffer {
            queue: Mutex::new(Vec::with_capacity(batch)),
            batch,
            cap: batch.saturating_mul(10),
            interval: Duration::from_millis(c.flush_interval_ms.max(1)),
            wake: tokio::sync::Notify::new(),
            dropped: AtomicU64::new(0),
            retention_days: c.retention_days,
            otlp,
        }
    }

    /// Appends events; wakes the flusher when a batch is full.
    pub fn push(&self, events: Vec<Event>) {
        let Ok(mut q) = self.queue.lock() else { return };
        let room = self.cap.saturating_sub(q.len());
        let n = events.len();
        q.extend(events.into_iter().take(room));
        if n > room {
            let total =
                self.dropped.fetch_add((n - room) as u64, Ordering::Relaxed) + (n - room) as u64;
            tracing::warn!(dropped = total, "event buffer full: events dropped");
        }
        if q.len() >= self.batch {
            self.wake.notify_one();
        }
    }

    /// Events dropped because the buffer was full, since start.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    fn take(&self) -> Vec<Event> {
        self.queue
            .lock()
            .map(|mut q| std::mem::take(&mut *q))
            .unwrap_or_default()
    }
}

/// Writes everything buffered for `app` now (also what tests and shutdown call). A
/// failed flush is logged and its batch dropped (15 §4).
pub async fn flush(app: &App) -> usize {
    let Some(b) = &app.events else { return 0 };
    let events = b.take();
    let n = events.len();
    if let Some(o) = &b.otlp {
        o.export(&app.name, &events).await;
    }
    if let Err(e) = store::insert(&app.store, &events).await {
        tracing::warn!(app = %app.name, events = n, "event flush failed, batch dropped: {e}");
        return 0;
    }
    n
}

/// Starts the app's flusher task; it ends with the app.
pub fn spawn(app: &Arc<App>) {
    let Some(b) = &app.events else { return };
    let weak: Weak<App> = Arc::downgrade(app);
    let (interval, buffer) = (b.interval, Arc::clone(b));
    tokio::spawn(async move {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(interval) => {}
                _ = buffer.wake.notified() => {}
            }
            let Some(app) = weak.upgrade() else { break };
            flush(&app).await;
        }
    });
}
