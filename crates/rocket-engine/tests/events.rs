//! Event storage at engine level on both dialects (spec 15 §4, §8): the buffer's
//! flush writes every column, the bound drops what does not fit, and the retention
//! job deletes by a chosen `now`.

use chrono::{Duration, Utc};
use rocket_engine::config::InstrumentationConfig;
use rocket_engine::events::api::{cleanup, query};
use rocket_engine::events::buffer::{flush, Buffer};
use rocket_engine::events::{new_id, Event, Kind};
use rocket_testkit::{both_dialects, Harness};
use serde_json::json;
use std::collections::HashMap;

fn event(action: &str, age: Duration) -> Event {
    Event {
        id: new_id(),
        trace_id: new_id(),
        span_id: new_id(),
        parent_span_id: None,
        kind: Kind::System,
        source: "engine",
        component: "handler",
        action: action.into(),
        entity: Some("order".into()),
        record_id: Some("r1".into()),
        user_id: Some("0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5".into()),
        duration_ms: Some(1.25),
        status: Some("ok"),
        metadata: Some(json!({"k": [1, 2]})),
        created_at: Utc::now() - age,
    }
}

async fn flush_and_retention(h: Harness) {
    let buffer = h
        .app
        .events
        .as_ref()
        .expect("instrumentation is on by default");
    buffer.push(vec![
        event("old", Duration::days(10)),
        event("recent", Duration::days(1)),
        event("new", Duration::zero()),
    ]);
    flush(&h.app).await;
    let q = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let all = query(&h.app, &q(&[("entity", "order")])).await.unwrap();
    assert_eq!(all["pagination"]["total"], 3);
    let row = &all["data"][0];
    assert_eq!(row["action"], "new", "newest first");
    assert_eq!(
        (&row["duration_ms"], &row["metadata"], &row["record_id"]),
        (&json!(1.25), &json!({"k": [1, 2]}), &json!("r1"))
    );
    assert_eq!(row["user_id"], "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5");
    let at = row["created_at"].as_str().unwrap();
    let frac = at.rsplit('.').next().unwrap();
    assert_eq!(
        frac.len(),
        7,
        "six fractional digits and Z, whatever the dialect: {at}"
    );
    let from = (Utc::now() - Duration::days(2)).to_rfc3339();
    let recent = query(&h.app, &q(&[("from", &from)])).await.unwrap();
    assert_eq!(recent["pagination"]["total"], 2);

    // Retention (7 days by default) at a chosen now.
    assert_eq!(cleanup(&h.app, Utc::now()).await.unwrap(), 1);
    assert_eq!(cleanup(&h.app, Utc::now()).await.unwrap(), 0);
    assert_eq!(
        cleanup(&h.app, Utc::now() + Duration::days(7) - Duration::hours(1))
            .await
            .unwrap(),
        1
    );
    let left = query(&h.app, &q(&[])).await.unwrap();
    assert_eq!(left["data"][0]["action"], "new");
    assert_eq!(left["pagination"]["total"], 1);
}

both_dialects!(flush_and_retention);

#[test]
fn the_buffer_is_bounded() {
    let b = Buffer::new(
        &InstrumentationConfig {
            buffer_size: 2,
            ..Default::default()
        },
        None,
    );
    b.push((0..25).map(|_| event("x", Duration::zero())).collect());
    assert_eq!(b.dropped(), 5, "ten batches fit, the rest is dropped");
}

/// With `otlp_endpoint` set, a flush also posts the spans to the collector (a real
/// local receiver standing in for Jaeger / an OpenTelemetry collector).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn flushed_spans_are_exported_over_otlp() {
    let rx = rocket_testkit::Receiver::start().await;
    let endpoint = rx.url("");
    let Some(h) = Harness::start_with(rocket_testkit::Db::Sqlite, move |c| {
        c.instrumentation.otlp_endpoint = endpoint;
    })
    .await
    else {
        return;
    };
    let buffer = h.app.events.as_ref().unwrap();
    buffer.push(vec![event("record.get", Duration::zero())]);
    flush(&h.app).await;
    let got = rx
        .wait_for("/v1/traces", 1, std::time::Duration::from_secs(5))
        .await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].header("content-type"), Some("application/json"));
    let body = got[0].json();
    let span = &body["resourceSpans"][0]["scopeSpans"][0]["spans"][0];
    assert_eq!(span["name"], "record.get");
    assert_eq!(span["traceId"].as_str().unwrap().len(), 32);
    assert_eq!(span["spanId"].as_str().unwrap().len(), 16);
    assert_eq!(
        body["resourceSpans"][0]["resource"]["attributes"][1]["value"]["stringValue"],
        json!(h.app.name)
    );
}
