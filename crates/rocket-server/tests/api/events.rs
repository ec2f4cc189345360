//! Traces and business events over HTTP (spec 15): the trace header, one tree per
//! request in the waterfall, emit by any user, the admin-only query with its
//! filters and pagination, and stats. Events reach the table through the buffer's
//! periodic flush (100 ms), so reads wait for them.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

use crate::both;
use crate::common::{one_to_many, T};

/// Waits (at most 10 s) until the events query `q` returns at least `n` rows.
async fn events(t: &T, q: &str, n: usize) -> Value {
    let start = Instant::now();
    loop {
        let body = t.get(&format!("/_events{q}")).await.expect(200).clone();
        if body["data"].as_array().is_some_and(|a| a.len() >= n)
            || start.elapsed() > Duration::from_secs(10)
        {
            return body;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A traced request's trace id.
async fn traced(t: &T, m: Method, path: &str, body: Option<Value>) -> (u16, String) {
    let mut rb = t
        .http
        .request(m, t.url(path))
        .bearer_auth(t.token.as_deref().unwrap());
    if let Some(b) = body {
        rb = rb.json(&b);
    }
    let r = rb.send().await.unwrap();
    let id = r.headers()["x-trace-id"].to_str().unwrap().to_string();
    let st = r.status().as_u16();
    let body = r.text().await.unwrap_or_default();
    assert!(st < 500, "{body}");
    (st, id)
}

fn find<'a>(node: &'a Value, action: &str) -> Option<&'a Value> {
    if node["action"] == action {
        return Some(node);
    }
    node["children"]
        .as_array()?
        .iter()
        .find_map(|c| find(c, action))
}

async fn one_request_one_tree(t: T) {
    t.entity("order", json!([{"name": "total", "type": "int"}]))
        .await;
    t.entity(
        "line",
        json!([{"name": "order_id", "type": "uuid"}, {"name": "sku", "type": "string"}]),
    )
    .await;
    t.relation(one_to_many("lines", "order", "line", "order_id"))
        .await;
    t.post(
        "/_admin/rules",
        json!({"entity": "order", "hook": "before_write", "type": "expression",
        "definition": {"expression": "record.total < 0", "message": "no"}}),
    )
    .await
    .expect(201);
    let (st, trace) = traced(
        &t,
        Method::POST,
        "/order",
        Some(json!({"total": 3, "lines": {"data": [{"sku": "a"}]}})),
    )
    .await;
    assert_eq!(st, 201);
    events(&t, &format!("?trace_id={trace}"), 5).await;
    let w = t
        .get(&format!("/_events/trace/{trace}"))
        .await
        .data(200)
        .clone();
    assert_eq!(w["trace_id"], json!(trace));
    let root = &w["root_span"];
    assert_eq!(
        (&root["source"], &root["action"], &root["parent_span_id"]),
        (&json!("http"), &json!("request"), &Value::Null)
    );
    assert_eq!(root["metadata"]["status_code"], json!(201));
    assert_eq!(root["metadata"]["method"], json!("POST"));
    assert!(root["metadata"]["path"]
        .as_str()
        .unwrap()
        .ends_with("/order"));
    assert_eq!(w["total_duration_ms"], root["duration_ms"]);
    let create = find(root, "record.create").expect("record.create under the root");
    assert_eq!(create["parent_span_id"], root["span_id"]);
    assert_eq!(create["entity"], json!("order"));
    for child in ["permission.check", "rules.evaluate", "nested_write.execute"] {
        let c = find(create, child).unwrap_or_else(|| panic!("{child} under record.create: {w}"));
        assert_eq!(c["status"], json!("ok"));
    }
    let spans = w["spans"].as_array().unwrap();
    assert!(spans
        .iter()
        .all(|s| s.get("children").is_none() && s["trace_id"] == json!(trace)));
    let times: Vec<&str> = spans
        .iter()
        .map(|s| s["created_at"].as_str().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|p| p[0] <= p[1]),
        "flat spans by start time"
    );
    let user = root["metadata"]["user_id"].clone();
    assert!(
        spans
            .iter()
            .all(|s| s["user_id"] == user && !user.is_null()),
        "user on every span"
    );

    // A failing write: the handler and rules spans are errors, the root too.
    let (st, failed) = traced(&t, Method::POST, "/order", Some(json!({"total": -1}))).await;
    assert_eq!(st, 422);
    events(&t, &format!("?trace_id={failed}"), 3).await;
    let w = t
        .get(&format!("/_events/trace/{failed}"))
        .await
        .data(200)
        .clone();
    assert_eq!(w["root_span"]["status"], json!("error"));
    assert_eq!(
        find(&w["root_span"], "rules.evaluate").unwrap()["status"],
        json!("error")
    );
    assert_eq!(
        find(&w["root_span"], "record.create").unwrap()["status"],
        json!("error")
    );

    let gone = "0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5";
    t.get(&format!("/_events/trace/{gone}")).await.error_is(
        404,
        "NOT_FOUND",
        &format!("Trace not found: {gone}"),
    );
    t.get("/_events/trace/nope")
        .await
        .error_is(404, "NOT_FOUND", "Trace not found: nope");
}

async fn emit_query_and_stats(t: T) {
    let viewer = t.as_user("viewer@x.io", json!(["viewer"])).await;
    let (st, trace) = traced(
        &viewer,
        Method::POST,
        "/_events",
        Some(json!({"action": "order.confirmed",
        "entity": "order", "record_id": "r-1", "metadata": {"total": 150.5}})),
    )
    .await;
    assert_eq!(st, 200);
    viewer
        .post("/_events", json!({"action": "x", "metadata": [1]}))
        .await
        .error_is(400, "INVALID_PAYLOAD", "Invalid JSON body");
    viewer
        .post("/_events", json!({"entity": "x"}))
        .await
        .error_is(422, "VALIDATION_FAILED", "action is required");
    assert_eq!(
        viewer
            .post("/_events", json!({"action": "y"}))
            .await
            .data(200),
        &json!({"status": "ok"})
    );
    viewer.get("/_events").await.error(403, "FORBIDDEN");
    viewer.get("/_events/stats").await.error(403, "FORBIDDEN");

    let b = events(&t, "?event_type=business&action=order.confirmed", 1).await;
    let e = &b["data"][0];
    assert_eq!(
        (&e["source"], &e["component"], &e["entity"], &e["record_id"]),
        (
            &json!("business"),
            &json!("api"),
            &json!("order"),
            &json!("r-1")
        )
    );
    assert_eq!(
        (&e["duration_ms"], &e["status"], &e["trace_id"]),
        (&Value::Null, &Value::Null, &json!(trace))
    );
    assert_eq!(e["metadata"], json!({"total": 150.5}));
    let w = t
        .get(&format!("/_events/trace/{trace}"))
        .await
        .data(200)
        .clone();
    assert_eq!(
        e["parent_span_id"], w["root_span"]["span_id"],
        "under the request's root span"
    );

    // Pagination, sorting, limits.
    for _ in 0..4 {
        t.get("/_events/stats").await.expect(200);
    }
    let all = events(&t, "?per_page=2&page=2&sort=created_at", 2).await;
    let p = &all["pagination"];
    assert_eq!((&p["page"], &p["per_page"]), (&json!(2), &json!(2)));
    assert!(p["total"].as_i64().unwrap() >= 8, "{all}");
    let asc = events(&t, "?sort=created_at&per_page=100", 1).await["data"].clone();
    let times: Vec<&str> = asc
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["created_at"].as_str().unwrap())
        .collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]));
    let desc = events(&t, "?per_page=100", 1).await["data"].clone();
    assert!(
        desc[0]["created_at"].as_str()
            >= desc[desc.as_array().unwrap().len() - 1]["created_at"].as_str()
    );
    let clamp = t
        .get("/_events?per_page=500&page=x")
        .await
        .expect(200)
        .clone();
    assert_eq!(
        (
            &clamp["pagination"]["per_page"],
            &clamp["pagination"]["page"]
        ),
        (&json!(100), &json!(1))
    );
    assert_eq!(t.get("/_events?trace_id=nope").await.data(200), &json!([]));
    t.get("/_events?from=yesterday").await.error_is(
        400,
        "INVALID_PAYLOAD",
        "Invalid timestamp for from",
    );
    assert_eq!(
        t.get("/_events?from=2999-01-01T00:00:00Z").await.data(200),
        &json!([])
    );

    let s = t.get("/_events/stats").await.data(200).clone();
    assert!(s["total_events"].as_i64().unwrap() >= 8);
    assert!(s["p95_latency_ms"].as_f64().unwrap() >= s["avg_latency_ms"].as_f64().unwrap() * 0.0);
    let sources: Vec<&str> = s["by_source"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["source"].as_str().unwrap())
        .collect();
    assert!(sources.contains(&"http"), "{s}");
    assert!(
        !sources.contains(&"business"),
        "only events with a duration"
    );
    let none = t
        .get("/_events/stats?entity=nothing")
        .await
        .data(200)
        .clone();
    assert_eq!(
        none,
        json!({"total_events": 0, "avg_latency_ms": null, "p95_latency_ms": null,
        "error_rate": 0.0, "by_source": []})
    );
}

both!(one_request_one_tree, emit_query_and_stats);
