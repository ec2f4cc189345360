//! Events and instrumentation (spec 15): per-request traces whose spans form a
//! tree ([`trace`]), business events emitted by clients, the bounded per-app buffer
//! flushed in batches off the request path ([`buffer`]), and the query, waterfall
//! and stats API ([`api`]) over the app's `_events` table ([`store`]).

pub mod api;
pub mod buffer;
pub mod otlp;
pub mod store;
pub mod trace;

pub use trace::{current, scope, set_user, span, Span, Trace};

use chrono::{DateTime, Utc};
use serde_json::Value;

/// `system` (spans) or `business` (emitted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    System,
    Business,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::System => "system",
            Kind::Business => "business",
        }
    }
}

/// One row of `_events` about to be written (15 §1).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub id: String,
    pub trace_id: String,
    pub span_id: String,
    pub parent_span_id: Option<String>,
    pub kind: Kind,
    pub source: &'static str,
    pub component: &'static str,
    pub action: String,
    pub entity: Option<String>,
    pub record_id: Option<String>,
    pub user_id: Option<String>,
    pub duration_ms: Option<f64>,
    /// `ok` / `error` for spans; `None` for business events.
    pub status: Option<&'static str>,
    pub metadata: Option<Value>,
    /// When it started (spans) or was emitted (15 §4, Rust).
    pub created_at: DateTime<Utc>,
}

/// A random v4 UUID from a thread-local generator (no system call per span).
pub fn new_id() -> String {
    uuid::Builder::from_random_bytes(rand_bytes())
        .into_uuid()
        .to_string()
}

fn rand_bytes() -> [u8; 16] {
    let mut b = [0u8; 16];
    for chunk in b.chunks_mut(8) {
        chunk.copy_from_slice(&fastrand::u64(..).to_le_bytes());
    }
    b
}
