//! The trace of one request (15 §1–§3): a task-local context the server opens
//! around an app route, so engine code anywhere below starts spans with [`span`]
//! and never passes a handle around. Spans form a proper tree (a stack: the span
//! current when one starts is its parent, 15 §2.1); every span and business event
//! carries the authenticated user (§2.2). The events collect in the trace and go
//! to the app's buffer once the response is known.

use std::sync::{Arc, Mutex};
use std::time::Instant;

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use super::{new_id, Event, Kind};

tokio::task_local! {
    static CURRENT: Arc<Trace>;
}

/// One traced request.
#[derive(Debug)]
pub struct Trace {
    pub id: String,
    root: String,
    start: DateTime<Utc>,
    started: Instant,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    user_id: Option<String>,
    /// Open spans, innermost last; the root at the bottom.
    stack: Vec<String>,
    events: Vec<Event>,
}

impl Trace {
    /// A trace with its root span open (15 §2 step 5).
    pub fn new(id: String) -> Arc<Trace> {
        let root = new_id();
        Arc::new(Trace {
            id,
            root: root.clone(),
            start: Utc::now(),
            started: Instant::now(),
            inner: Mutex::new(Inner {
                stack: vec![root],
                ..Inner::default()
            }),
        })
    }

    fn with<R>(&self, f: impl FnOnce(&mut Inner) -> R) -> Option<R> {
        self.inner.lock().ok().map(|mut i| f(&mut i))
    }

    /// Ends the root span `http / handler / request` (15 §3.1) and returns every
    /// event of the trace.
    pub fn finish(&self, method: &str, path: &str, status_code: u16) -> Vec<Event> {
        let ms = self.started.elapsed().as_secs_f64() * 1000.0;
        self.with(|i| {
            let mut meta = Map::new();
            meta.insert("method".into(), method.into());
            meta.insert("path".into(), path.into());
            meta.insert("status_code".into(), status_code.into());
            if let Some(u) = &i.user_id {
                meta.insert("user_id".into(), u.clone().into());
            }
            let root = Event {
                id: new_id(),
                trace_id: self.id.clone(),
                span_id: self.root.clone(),
                parent_span_id: None,
                kind: Kind::System,
                source: "http",
                component: "handler",
                action: "request".into(),
                entity: None,
                record_id: None,
                user_id: uuid_only(i.user_id.as_deref()),
                duration_ms: Some(round3(ms)),
                status: Some(if status_code >= 400 { "error" } else { "ok" }),
                metadata: Some(Value::Object(meta)),
                created_at: self.start,
            };
            let mut all = Vec::with_capacity(i.events.len() + 1);
            all.push(root);
            all.append(&mut i.events);
            all
        })
        .unwrap_or_default()
    }
}

/// `user_id` is a UUID column: anything else is stored as null (15 §2.2).
fn uuid_only(id: Option<&str>) -> Option<String> {
    id.filter(|s| rocket_meta::looks_like_uuid(s))
        .map(str::to_ascii_lowercase)
}

fn round3(ms: f64) -> f64 {
    (ms * 1000.0).round() / 1000.0
}

/// Runs `f` with `t` as the current trace.
pub async fn scope<F: std::future::Future>(t: Arc<Trace>, f: F) -> F::Output {
    CURRENT.scope(t, f).await
}

/// The current trace, if the request is traced.
pub fn current() -> Option<Arc<Trace>> {
    CURRENT.try_with(Arc::clone).ok()
}

/// Records the authenticated user of the current request.
pub fn set_user(id: &str) {
    if let Some(t) = current() {
        t.with(|i| i.user_id = Some(id.to_string()));
    }
}

/// Queues a business event in the current trace, under its root span (15 §5.1);
/// `false` when the request is not traced (the event is dropped).
pub fn emit(
    action: &str,
    entity: Option<String>,
    record_id: Option<String>,
    metadata: Option<Value>,
) -> bool {
    let Some(t) = current() else {
        return false;
    };
    t.with(|i| {
        let e = Event {
            id: new_id(),
            trace_id: t.id.clone(),
            span_id: new_id(),
            parent_span_id: Some(t.root.clone()),
            kind: Kind::Business,
            source: "business",
            component: "api",
            action: action.to_string(),
            entity,
            record_id,
            user_id: uuid_only(i.user_id.as_deref()),
            duration_ms: None,
            status: None,
            metadata,
            created_at: Utc::now(),
        };
        i.events.push(e);
    })
    .is_some()
}

/// An open span; ends when dropped. Does nothing outside a traced request.
#[must_use = "a span ends when dropped"]
pub struct Span(Option<Open>);

struct Open {
    trace: Arc<Trace>,
    id: String,
    parent: Option<String>,
    source: &'static str,
    component: &'static str,
    action: &'static str,
    entity: Option<String>,
    record_id: Option<String>,
    metadata: Map<String, Value>,
    failed: bool,
    start: DateTime<Utc>,
    started: Instant,
}

/// Starts a span `source / component / action` as a child of the current one.
pub fn span(source: &'static str, component: &'static str, action: &'static str) -> Span {
    let Some(trace) = current() else {
        return Span(None);
    };
    let id = new_id();
    let parent = trace.with(|i| {
        let parent = i.stack.last().cloned();
        i.stack.push(id.clone());
        parent
    });
    Span(Some(Open {
        trace,
        id,
        parent: parent.flatten(),
        source,
        component,
        action,
        entity: None,
        record_id: None,
        metadata: Map::new(),
        failed: false,
        start: Utc::now(),
        started: Instant::now(),
    }))
}

impl Span {
    /// The entity (and record) the span concerns.
    pub fn on(mut self, entity: &str, record_id: Option<&str>) -> Span {
        if let Some(o) = &mut self.0 {
            o.entity = Some(entity.to_string());
            o.record_id = record_id.map(String::from);
        }
        self
    }

    pub fn meta(&mut self, key: &str, value: impl Into<Value>) {
        if let Some(o) = &mut self.0 {
            o.metadata.insert(key.to_string(), value.into());
        }
    }

    /// Marks the span failed with `error` in its metadata.
    pub fn fail(&mut self, error: &str) {
        if let Some(o) = &mut self.0 {
            o.failed = true;
            o.metadata.insert("error".into(), error.into());
        }
    }

    /// Marks the span failed when `r` is an error; returns `r`.
    pub fn result<T, E: std::fmt::Display>(&mut self, r: Result<T, E>) -> Result<T, E> {
        if let Err(e) = &r {
            self.fail(&e.to_string());
        }
        r
    }
}

impl Drop for Span {
    fn drop(&mut self) {
        let Some(o) = self.0.take() else { return };
        let ms = round3(o.started.elapsed().as_secs_f64() * 1000.0);
        let trace = o.trace.clone();
        trace.with(|i| {
            if let Some(pos) = i.stack.iter().rposition(|s| *s == o.id) {
                i.stack.remove(pos);
            }
            let e = Event {
                id: new_id(),
                trace_id: trace.id.clone(),
                span_id: o.id,
                parent_span_id: o.parent,
                kind: Kind::System,
                source: o.source,
                component: o.component,
                action: o.action.to_string(),
                entity: o.entity,
                record_id: o.record_id,
                user_id: uuid_only(i.user_id.as_deref()),
                duration_ms: Some(ms),
                status: Some(if o.failed { "error" } else { "ok" }),
                metadata: (!o.metadata.is_empty()).then_some(Value::Object(o.metadata)),
                created_at: o.start,
            };
            i.events.push(e);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn spans_form_a_tree_under_the_root() {
        let t = Trace::new("f47ac10b-58cc-4372-a567-0e02b2c3d479".into());
        let uid = "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5";
        let events = scope(t.clone(), async {
            set_user(uid);
            let outer = span("engine", "handler", "record.create").on("order", None);
            {
                let mut inner = span("engine", "rules", "rules.evaluate");
                inner.meta("rule_count", 2);
                let _leaf = span("auth", "permissions", "permission.check");
            }
            let failed: Result<(), &str> =
                span("engine", "writer", "nested_write.execute").result(Err("boom"));
            assert!(failed.is_err());
            drop(outer);
            assert!(emit("order.confirmed", Some("order".into()), None, None));
            t.finish("POST", "/api/a/order", 201)
        })
        .await;
        let by = |a: &str| events.iter().find(|e| e.action == a).unwrap();
        let root = by("request");
        assert_eq!(root.parent_span_id, None);
        assert_eq!(root.metadata.as_ref().unwrap()["user_id"], uid);
        assert_eq!(root.status, Some("ok"));
        let create = by("record.create");
        assert_eq!(
            create.parent_span_id.as_deref(),
            Some(root.span_id.as_str())
        );
        assert_eq!(create.entity.as_deref(), Some("order"));
        let rules = by("rules.evaluate");
        assert_eq!(
            rules.parent_span_id.as_deref(),
            Some(create.span_id.as_str())
        );
        assert_eq!(
            by("permission.check").parent_span_id.as_deref(),
            Some(rules.span_id.as_str())
        );
        let nested = by("nested_write.execute");
        assert_eq!(
            nested.parent_span_id.as_deref(),
            Some(create.span_id.as_str())
        );
        assert_eq!(nested.status, Some("error"));
        assert_eq!(nested.metadata.as_ref().unwrap()["error"], "boom");
        let business = by("order.confirmed");
        assert_eq!(
            (business.kind, business.source, business.component),
            (Kind::Business, "business", "api")
        );
        assert_eq!(
            business.parent_span_id.as_deref(),
            Some(root.span_id.as_str())
        );
        assert_eq!((business.duration_ms, business.status), (None, None));
        assert!(events
            .iter()
            .all(|e| e.user_id.as_deref() == Some(uid) && e.trace_id == t.id));
    }

    #[tokio::test]
    async fn nothing_is_recorded_outside_a_trace_and_odd_users_are_null() {
        let s = span("engine", "handler", "record.get");
        drop(s);
        assert!(!emit("x", None, None, None));
        let t = Trace::new("t".into());
        let events = scope(t.clone(), async {
            set_user("admin");
            drop(span("engine", "handler", "record.get"));
            t.finish("GET", "/", 404)
        })
        .await;
        assert_eq!(events.len(), 2);
        assert!(events.iter().all(|e| e.user_id.is_none()));
        assert_eq!(events[0].status, Some("error"));
    }
}
