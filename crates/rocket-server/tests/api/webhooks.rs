//! Webhooks over HTTP (spec 12 §7–§11): the admin and logs APIs, vetoes as the
//! client sees them, and deliveries by the server's own worker to a real loopback
//! receiver (the engine tests drive the worker with a chosen `now`).

use std::time::{Duration, Instant};

use rocket_testkit::Receiver;
use serde_json::{json, Value};

use crate::both;
use crate::common::{id, keys, T};

async fn orders(t: &T) {
    t.entity(
        "order",
        json!([{"name": "status", "type": "string"}, {"name": "total", "type": "int"}]),
    )
    .await;
}

/// Waits (at most 10 s) until `check` holds for the logs list; returns it.
async fn logs_until(t: &T, query: &str, check: impl Fn(&Value) -> bool) -> Value {
    let start = Instant::now();
    loop {
        let l = t
            .get(&format!("/_admin/webhook-logs{query}"))
            .await
            .data(200)
            .clone();
        if check(&l) || start.elapsed() > Duration::from_secs(10) {
            return l;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

async fn admin_api(t: T) {
    let made = t
        .post(
            "/_admin/webhooks",
            json!({"entity": "order", "url": "https://erp.example.com/h"}),
        )
        .await
        .data(201)
        .clone();
    assert_eq!(
        keys(&made),
        [
            "id",
            "entity",
            "hook",
            "url",
            "method",
            "headers",
            "condition",
            "async",
            "retry",
            "active",
            "created_at",
            "updated_at",
            "secret"
        ]
    );
    assert_eq!(
        (
            &made["hook"],
            &made["method"],
            &made["async"],
            &made["active"]
        ),
        (
            &json!("after_write"),
            &json!("POST"),
            &json!(true),
            &json!(true)
        )
    );
    assert_eq!(
        made["retry"],
        json!({"max_attempts": 3, "backoff": "exponential"})
    );
    assert!(made["secret"].as_str().unwrap().starts_with("whsec_"));
    let wid = id(&made);
    let shown = t
        .get(&format!("/_admin/webhooks/{wid}"))
        .await
        .data(200)
        .clone();
    assert!(shown.get("secret").is_none(), "the secret is shown once");
    assert_eq!(shown["url"], made["url"]);

    // PUT applies the defaults to missing keys (Rust contract of §11).
    let put = t
        .put(&format!("/_admin/webhooks/{wid}"),
            json!({"entity": "order", "url": "http://x/y", "hook": "before_delete", "async": false}))
        .await
        .data(200)
        .clone();
    assert_eq!(
        (&put["hook"], &put["method"], &put["condition"]),
        (&json!("before_delete"), &json!("POST"), &json!(""))
    );
    assert!(put.get("secret").is_none());
    let put = t
        .put(
            &format!("/_admin/webhooks/{wid}"),
            json!({"entity": "order", "url": "http://x/y"}),
        )
        .await
        .data(200)
        .clone();
    assert_eq!(
        (&put["hook"], &put["async"]),
        (&json!("after_write"), &json!(true))
    );
    t.post(
        "/_admin/webhooks",
        json!({"entity": "a_first", "url": "http://x"}),
    )
    .await
    .expect(201);
    let list = t.get("/_admin/webhooks").await.data(200).clone();
    let entities: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["entity"].clone())
        .collect();
    assert_eq!(entities, [json!("a_first"), json!("order")]);

    for (body, msg) in [
        (json!({"url": "http://x"}), "entity is required"),
        (
            json!({"entity": "o", "hook": "later", "url": "http://x"}),
            "hook must be after_write, before_write, after_delete, or before_delete",
        ),
        (json!({"entity": "o"}), "url is required"),
        (
            json!({"entity": "o", "url": "x.com"}),
            "url must start with http:// or https://",
        ),
        (
            json!({"entity": "o", "url": "http://x", "method": "get"}),
            "method must be POST, PUT, PATCH, GET, or DELETE",
        ),
        (
            json!({"entity": "o", "url": "http://x", "secret": "short"}),
            "secret must be at least 16 characters",
        ),
    ] {
        t.post("/_admin/webhooks", body)
            .await
            .error_is(422, "VALIDATION_FAILED", msg);
    }
    let bad = t
        .post(
            "/_admin/webhooks",
            json!({"entity": "o", "url": "http://x", "condition": "record.a =="}),
        )
        .await;
    assert!(bad.error(422, "VALIDATION_FAILED")["message"]
        .as_str()
        .unwrap()
        .starts_with("invalid expression"));
    t.post("/_admin/webhooks", json!([1])).await.error_is(
        400,
        "INVALID_PAYLOAD",
        "Invalid JSON body",
    );
    t.post(
        "/_admin/webhooks",
        json!({"entity": "o", "url": "http://x", "headers": "h"}),
    )
    .await
    .error_is(400, "INVALID_PAYLOAD", "Invalid JSON body");

    let gone = "00000000-0000-4000-8000-000000000000";
    t.get(&format!("/_admin/webhooks/{gone}")).await.error_is(
        404,
        "NOT_FOUND",
        &format!("Webhook not found: {gone}"),
    );
    let del = t
        .delete(&format!("/_admin/webhooks/{wid}"))
        .await
        .data(200)
        .clone();
    assert_eq!(del, json!({"id": wid, "deleted": true}));
    t.get(&format!("/_admin/webhooks/{wid}")).await.expect(404);
    t.get(&format!("/_admin/webhook-logs/{gone}"))
        .await
        .error_is(404, "NOT_FOUND", &format!("Webhook log not found: {gone}"));
    let viewer = t.as_user("v@x.io", json!(["viewer"])).await;
    viewer.get("/_admin/webhooks").await.error(403, "FORBIDDEN");
    viewer
        .get("/_admin/webhook-logs")
        .await
        .error(403, "FORBIDDEN");
}

async fn delivered_by_the_server(t: T) {
    orders(&t).await;
    let rx = Receiver::start().await;
    let made = t
        .post(
            "/_admin/webhooks",
            json!({"entity": "order", "url": rx.url("/w"), "secret": "a-shared-secret-of-ours"}),
        )
        .await
        .data(201)
        .clone();
    assert_eq!(made["secret"], "a-shared-secret-of-ours");
    let rec = t
        .create("order", json!({"status": "new", "total": 3}))
        .await;
    let got = rx.wait_for("/w", 1, Duration::from_secs(10)).await;
    assert_eq!(got.len(), 1, "delivered right after the commit");
    assert!(got[0].signed_with("a-shared-secret-of-ours"));
    let p = got[0].json();
    assert_eq!(p["record"]["id"], rec["id"]);
    let logs = logs_until(&t, "", |l| l[0]["status"] == "delivered").await;
    let log = &logs[0];
    assert_eq!(
        keys(log),
        [
            "id",
            "webhook_id",
            "entity",
            "hook",
            "url",
            "method",
            "request_headers",
            "request_body",
            "response_status",
            "response_body",
            "status",
            "attempt",
            "max_attempts",
            "next_retry_at",
            "error",
            "idempotency_key",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(
        (&log["attempt"], &log["response_status"], &log["error"]),
        (&json!(1), &json!(200), &json!(""))
    );
    assert_eq!(
        log["request_body"]["idempotency_key"],
        log["idempotency_key"]
    );
    assert_eq!(got[0].header("x-rocket-delivery"), log["id"].as_str());
    let lid = id(log);
    t.get(&format!("/_admin/webhook-logs/{lid}"))
        .await
        .data(200);
    t.post(&format!("/_admin/webhook-logs/{lid}/retry"), json!({}))
        .await
        .error_is(
            422,
            "VALIDATION_FAILED",
            "Can only retry failed or retrying webhook logs",
        );
    let wid = made["id"].as_str().unwrap();
    for (q, n) in [
        (format!("?webhook_id={wid}"), 1),
        ("?status=delivered".to_string(), 1),
        ("?status=failed".to_string(), 0),
        ("?entity=order&status=delivered".to_string(), 1),
        ("?entity=other".to_string(), 0),
    ] {
        let l = t
            .get(&format!("/_admin/webhook-logs{q}"))
            .await
            .data(200)
            .clone();
        assert_eq!(l.as_array().unwrap().len(), n, "{q}");
    }
}

async fn failed_then_retried_by_hand(t: T) {
    orders(&t).await;
    let rx = Receiver::start().await;
    rx.answer("/w", 500, "{\"oops\": true}");
    t.post(
        "/_admin/webhooks",
        json!({"entity": "order", "url": rx.url("/w"), "retry": {"max_attempts": 1}}),
    )
    .await
    .expect(201);
    t.create("order", json!({"status": "new"})).await;
    let l = logs_until(&t, "", |l| l[0]["status"] == "failed").await;
    assert_eq!(
        (&l[0]["status"], &l[0]["error"], &l[0]["response_body"]),
        (
            &json!("failed"),
            &json!("HTTP 500"),
            &json!("{\"oops\": true}")
        )
    );
    rx.answer("/w", 200, "fine");
    let lid = id(&l[0]);
    let r = t
        .post(&format!("/_admin/webhook-logs/{lid}/retry"), json!({}))
        .await
        .data(200)
        .clone();
    assert_eq!(
        keys(&r),
        [
            "id",
            "webhook_id",
            "entity",
            "hook",
            "url",
            "method",
            "status",
            "attempt",
            "max_attempts",
            "next_retry_at",
            "updated_at"
        ]
    );
    assert_eq!(
        (&r["status"], &r["attempt"]),
        (&json!("retrying"), &json!(1))
    );
    let l = logs_until(&t, "", |l| l[0]["status"] == "delivered").await;
    assert_eq!(
        (&l[0]["status"], &l[0]["attempt"], &l[0]["response_body"]),
        (&json!("delivered"), &json!(2), &json!("fine"))
    );
    assert_eq!(rx.got("/w").len(), 2);
}

async fn vetoes_as_the_client_sees_them(t: T) {
    orders(&t).await;
    let rx = Receiver::start().await;
    rx.answer("/v", 400, r#"{"message": "total too high"}"#);
    t.post(
        "/_admin/webhooks",
        json!({"entity": "order", "url": rx.url("/v"), "hook": "before_write", "async": false}),
    )
    .await
    .expect(201);
    t.post("/order", json!({"total": 1}))
        .await
        .error_is(422, "WEBHOOK_REJECTED", "total too high");
    rx.answer("/v", 500, "");
    let e = t.post("/order", json!({"total": 1})).await;
    assert!(e.error(502, "WEBHOOK_FAILED")["message"]
        .as_str()
        .unwrap()
        .ends_with(" failed"));
    assert_eq!(t.total("order", "").await, json!(0), "nothing persisted");
    let failed = t
        .get("/_admin/webhook-logs?status=failed")
        .await
        .data(200)
        .clone();
    assert_eq!(failed.as_array().unwrap().len(), 2, "both failures logged");
    rx.answer("/v", 200, "{}");
    let rec = t.create("order", json!({"total": 1})).await;
    rx.answer("/v", 403, "{}");
    t.put(&format!("/order/{}", id(&rec)), json!({"total": 2}))
        .await
        .error(422, "WEBHOOK_REJECTED");
    assert_eq!(
        t.fetch(&format!("/order/{}", id(&rec))).await["total"],
        json!(1)
    );
}

both!(
    admin_api,
    delivered_by_the_server,
    failed_then_retried_by_hand,
    vetoes_as_the_client_sees_them
);
