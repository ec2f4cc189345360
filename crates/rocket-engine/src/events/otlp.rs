//! Export of the spans over OTLP/HTTP (issue 10, go-beyond): when
//! `instrumentation.otlp_endpoint` is set, every flushed batch is also posted to
//! `<endpoint>/v1/traces` in OTLP's JSON encoding, so Jaeger, Tempo, Honeycomb or an
//! OpenTelemetry collector show the same traces as `/_events`. Trace ids are the
//! request's UUID (16 bytes, as OTLP's), span ids the first 8 bytes of ours. A
//! failed export is logged and dropped, like a failed flush.

use std::time::Duration;

use serde_json::{json, Value};

use super::{Event, Kind};

pub struct Otlp {
    client: reqwest::Client,
    url: String,
    service: String,
}

impl Otlp {
    /// An exporter to `endpoint` (`…/v1/traces` is appended unless present).
    pub fn new(endpoint: &str) -> Otlp {
        let e = endpoint.trim_end_matches('/');
        let url = if e.ends_with("/v1/traces") {
            e.to_string()
        } else {
            format!("{e}/v1/traces")
        };
        Otlp {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                // Only a TLS backend that cannot start fails here; plain HTTP works.
                .unwrap_or_default(),
            url,
            service: "rocket".into(),
        }
    }

    /// Posts the spans of `events` (business events are not spans); logs failures.
    pub async fn export(&self, app: &str, events: &[Event]) {
        let body = request(&self.service, app, events);
        if body["resourceSpans"][0]["scopeSpans"][0]["spans"]
            .as_array()
            .is_none_or(Vec::is_empty)
        {
            return;
        }
        let req = self
            .client
            .post(&self.url)
            .header("Content-Type", "application/json")
            .body(body.to_string());
        match req.send().await {
            Ok(r) if r.status().is_success() => {}
            Ok(r) => tracing::warn!(app, status = r.status().as_u16(), "OTLP export refused"),
            Err(e) => tracing::warn!(app, "OTLP export failed: {e}"),
        }
    }
}

fn hex(id: &str, bytes: usize) -> String {
    id.chars()
        .filter(char::is_ascii_hexdigit)
        .take(bytes * 2)
        .collect()
}

fn attr(key: &str, v: &Value) -> Option<Value> {
    let value = match v {
        Value::String(s) => json!({"stringValue": s}),
        Value::Bool(b) => json!({"boolValue": b}),
        Value::Number(n) if n.is_i64() => json!({"intValue": n.to_string()}),
        Value::Number(n) => json!({"doubleValue": n.as_f64()}),
        Value::Null => return None,
        other => json!({"stringValue": other.to_string()}),
    };
    Some(json!({"key": key, "value": value}))
}

/// One span in OTLP JSON.
fn span(e: &Event) -> Value {
    let start = e.created_at.timestamp_nanos_opt().unwrap_or(0);
    let end = start + (e.duration_ms.unwrap_or(0.0) * 1_000_000.0) as i64;
    let mut attrs: Vec<Value> = [
        ("rocket.source", Some(e.source.to_string())),
        ("rocket.component", Some(e.component.to_string())),
        ("rocket.entity", e.entity.clone()),
        ("rocket.record_id", e.record_id.clone()),
        ("enduser.id", e.user_id.clone()),
    ]
    .into_iter()
    .filter_map(|(k, v)| attr(k, &Value::from(v?)))
    .collect();
    if let Some(Value::Object(m)) = &e.metadata {
        attrs.extend(
            m.iter()
                .filter_map(|(k, v)| attr(&format!("rocket.{k}"), v)),
        );
    }
    let mut s = json!({
        "traceId": hex(&e.trace_id, 16),
        "spanId": hex(&e.span_id, 8),
        "name": e.action,
        // SERVER for the request, INTERNAL below it.
        "kind": if e.parent_span_id.is_none() { 2 } else { 1 },
        "startTimeUnixNano": start.to_string(),
        "endTimeUnixNano": end.to_string(),
        "attributes": attrs,
        "status": {"code": if e.status == Some("error") { 2 } else { 1 }},
    });
    if let Some(p) = &e.parent_span_id {
        s["parentSpanId"] = Value::String(hex(p, 8));
    }
    s
}

/// The `ExportTraceServiceRequest` of a batch.
pub fn request(service: &str, app: &str, events: &[Event]) -> Value {
    let spans: Vec<Value> = events
        .iter()
        .filter(|e| e.kind == Kind::System)
        .map(span)
        .collect();
    json!({"resourceSpans": [{
        "resource": {"attributes": [
            {"key": "service.name", "value": {"stringValue": service}},
            {"key": "rocket.app", "value": {"stringValue": app}},
        ]},
        "scopeSpans": [{"scope": {"name": "rocket"}, "spans": spans}],
    }]})
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn spans_map_to_otlp_json() {
        let at = chrono::Utc
            .with_ymd_and_hms(2025, 1, 15, 10, 30, 0)
            .unwrap();
        let root = Event {
            id: "x".into(),
            trace_id: "f47ac10b-58cc-4372-a567-0e02b2c3d479".into(),
            span_id: "0a1b2c3d-4e5f-4607-8899-aabbccddeeff".into(),
            parent_span_id: None,
            kind: Kind::System,
            source: "http",
            component: "handler",
            action: "request".into(),
            entity: None,
            record_id: None,
            user_id: None,
            duration_ms: Some(1.5),
            status: Some("error"),
            metadata: Some(json!({"status_code": 500, "path": "/api/a/x"})),
            created_at: at,
        };
        let child = Event {
            span_id: "1b2c3d4e-5f60-4718-9293-a4b5c6d7e8f9".into(),
            parent_span_id: Some(root.span_id.clone()),
            action: "record.get".into(),
            status: Some("ok"),
            entity: Some("order".into()),
            metadata: None,
            ..root.clone()
        };
        let business = Event {
            kind: Kind::Business,
            ..child.clone()
        };
        let r = request("rocket", "demo", &[root, child, business]);
        let spans = r["resourceSpans"][0]["scopeSpans"][0]["spans"]
            .as_array()
            .unwrap();
        assert_eq!(spans.len(), 2, "business events are not spans");
        assert_eq!(spans[0]["traceId"], "f47ac10b58cc4372a5670e02b2c3d479");
        assert_eq!(spans[0]["spanId"], "0a1b2c3d4e5f4607");
        assert_eq!(
            (
                spans[0]["kind"].as_i64(),
                spans[0]["status"]["code"].as_i64()
            ),
            (Some(2), Some(2))
        );
        assert_eq!(spans[0]["startTimeUnixNano"], "1736937000000000000");
        assert_eq!(spans[0]["endTimeUnixNano"], "1736937000001500000");
        assert!(spans[0].get("parentSpanId").is_none());
        assert_eq!(spans[1]["parentSpanId"], "0a1b2c3d4e5f4607");
        assert_eq!(spans[1]["name"], "record.get");
        let attrs = spans[0]["attributes"].to_string();
        assert!(
            attrs.contains(r#"{"key":"rocket.status_code","value":{"intValue":"500"}}"#),
            "{attrs}"
        );
        assert_eq!(
            r["resourceSpans"][0]["resource"]["attributes"][1]["value"]["stringValue"],
            "demo"
        );
    }
}
