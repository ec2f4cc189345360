//! The envelope of every request, as one hand-written service (each generic layer
//! it replaces cost an allocation or a body wrapper per request): the trace id, the
//! request timeout, panics as the generic 500, request logging and response
//! compression.

use std::convert::Infallible;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::Request;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use futures_util::FutureExt;
use hyper::body::Incoming;
use tower::Service;

use rocket_engine::events::{self, Trace};
use tracing::Instrument;

use super::{gzip, TRACE_HEADER};
use crate::error::ApiError;
use crate::extract::Shared;
use crate::http;

#[derive(Clone)]
pub struct Envelope<S> {
    inner: S,
    platform: Shared,
    limit: Duration,
    compress_min: u64,
}

impl<S> Envelope<S> {
    pub fn new(inner: S, platform: Shared, limit: Duration, compress_min: u64) -> Envelope<S> {
        Envelope {
            inner,
            platform,
            limit,
            compress_min,
        }
    }
}

impl<S> Service<axum::http::Request<Incoming>> for Envelope<S>
where
    S: Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: axum::http::Request<Incoming>) -> Self::Future {
        // The readied service serves this request; its clone waits for the next
        // `poll_ready` (tower's contract).
        let fresh = self.inner.clone();
        let inner = std::mem::replace(&mut self.inner, fresh);
        Box::pin(handle(
            inner,
            self.platform.clone(),
            self.limit,
            self.compress_min,
            req.map(Body::new),
        ))
    }
}

async fn handle<S>(
    mut inner: S,
    platform: Shared,
    limit: Duration,
    compress_min: u64,
    req: Request,
) -> Result<Response, Infallible>
where
    S: Service<Request, Response = Response, Error = Infallible>,
{
    let started = Instant::now();
    let gzip = gzip::accepted(req.headers());
    // Cheap copies (a shared buffer), kept for the log line and the root span.
    let (method, uri) = (req.method().clone(), req.uri().clone());
    let traced = traced_app(&platform, uri.path()).map(|app| (app, Trace::new(trace_id(&req))));
    // An import, an upload or an AI generation may rightly run long: they have
    // limits of their own (`RawBody`; an upload fails when it stalls or crawls; the
    // AI provider has 120 s, spec 16 §9).
    let path = uri.path();
    let bounded = !(path.ends_with("/_admin/import")
        || path.ends_with("/_files/upload")
        || path.ends_with("/_admin/ai/generate"));
    let call = AssertUnwindSafe(inner.call(req)).catch_unwind();
    let call = async move {
        if bounded {
            tokio::time::timeout(limit, call).await
        } else {
            Ok(call.await)
        }
    };
    let outcome = match &traced {
        Some((_, t)) => {
            let log_span = tracing::info_span!("request", trace_id = %t.id);
            events::scope(t.clone(), call.instrument(log_span)).await
        }
        None => call.await,
    };
    // A request that outlives `limit` ends with the envelope; dropping its future
    // also rolls back any open transaction.
    let mut resp = match outcome {
        Ok(Ok(Ok(r))) => r,
        Ok(Err(panic)) => http::panic_response(panic),
        Err(_) => ApiError::RequestTimeout.into_response(),
    };
    if let Some((app, t)) = traced {
        finish_trace(&platform, &app, &t, &method, uri.path(), &mut resp);
    }
    log(&method, uri.path(), resp.status(), started);
    Ok(gzip::finish(resp, gzip, compress_min).await)
}

/// The app of an app route when this request is to be traced (15 §2): instrumentation
/// on, not a platform route, and sampled in.
fn traced_app(p: &Shared, path: &str) -> Option<String> {
    let c = &p.config.instrumentation;
    if !c.enabled {
        return None;
    }
    let app = path.strip_prefix("/api/")?.split('/').next()?;
    if app.is_empty() || app.starts_with('_') {
        return None;
    }
    if c.sampling_rate < 1.0 && fastrand::f64() > c.sampling_rate {
        return None;
    }
    Some(app.to_string())
}

/// Ends the root span and hands the trace to the app's buffer, then names it in the
/// response. A 401 or an unknown app is not traced (15 §2: they fail before it).
fn finish_trace(
    p: &Shared,
    app: &str,
    t: &Trace,
    method: &axum::http::Method,
    path: &str,
    resp: &mut Response,
) {
    let status = resp.status().as_u16();
    if status == 401 {
        return;
    }
    let Some(app) = p.cached(app) else { return };
    let Some(buffer) = &app.events else { return };
    buffer.push(t.finish(method.as_str(), path, status));
    if let Ok(v) = HeaderValue::from_str(&t.id) {
        resp.headers_mut().insert(TRACE_HEADER, v);
    }
}

/// An incoming UUID (lower-cased), else a fresh one.
fn trace_id(req: &Request) -> String {
    req.headers()
        .get(&TRACE_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|s| rocket_meta::looks_like_uuid(s))
        .map(str::to_ascii_lowercase)
        .unwrap_or_else(fresh_trace_id)
}

/// A random v4 UUID from a thread-local generator (no system call per request).
fn fresh_trace_id() -> String {
    let mut b = [0u8; 16];
    fastrand::fill(&mut b);
    uuid::Builder::from_random_bytes(b).into_uuid().to_string()
}

/// Request logging (spec 01 §3 step 6): server errors always, every request with
/// `ROCKET_LOG=rocket_server=debug`.
fn log(method: &axum::http::Method, path: &str, status: axum::http::StatusCode, started: Instant) {
    let ms = started.elapsed().as_secs_f64() * 1000.0;
    if status.is_server_error() {
        tracing::error!(%method, path, status = status.as_u16(), ms, "request failed");
    } else {
        tracing::debug!(%method, path, status = status.as_u16(), ms, "request");
    }
}
