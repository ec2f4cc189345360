//! Webhooks at engine level, on both dialects, against a real loopback receiver
//! (spec 12 part B, issue 10). The delivery worker is driven with a chosen `now`
//! (`deliver_on_commit` off), so retries and backoff are tested without sleeping.

use chrono::{DateTime, Duration, Utc};
use rocket_engine::admin::Collection;
use rocket_engine::logic::admin::StateMachines;
use rocket_engine::records::{self, Caller, JsonBody};
use rocket_engine::repo::webhook_logs::{LogRow, Status};
use rocket_engine::webhooks::admin::{self as hooks, Webhooks};
use rocket_engine::webhooks::worker::run_once;
use rocket_engine::{Config, EngineError, Platform};
use rocket_testkit::{both_dialects, obj, Db, Harness, Receiver};
use serde_json::{json, Map, Value};

fn manual(c: &mut Config) {
    c.webhooks.deliver_on_commit = false;
}

async fn order_entity(h: &Harness) {
    h.entity(
        "order",
        json!([{"name": "status", "type": "string"}, {"name": "total", "type": "integer"}]),
    )
    .await;
}

/// Creates a webhook; returns the answer (with the secret).
async fn hook(h: &Harness, def: Value) -> Value {
    Webhooks::put(&h.platform, &h.app, None, obj(def))
        .await
        .expect("webhook created")
}

async fn create(h: &Harness, v: Value) -> Result<Map<String, Value>, EngineError> {
    let c = Caller::new(&h.app, &h.admin);
    let b = serde_json::to_vec(&v).unwrap();
    let body = JsonBody {
        is_json: true,
        bytes: &b,
    };
    records::create(&c, "order", body).await.map(|w| w.data)
}

async fn update(h: &Harness, id: &str, v: Value) -> Result<Map<String, Value>, EngineError> {
    let c = Caller::new(&h.app, &h.admin);
    let b = serde_json::to_vec(&v).unwrap();
    let body = JsonBody {
        is_json: true,
        bytes: &b,
    };
    records::update(&c, "order", id, body, None)
        .await
        .map(|w| w.data)
}

async fn delete(h: &Harness, id: &str) -> Result<(), EngineError> {
    let c = Caller::new(&h.app, &h.admin);
    records::delete(&c, "order", id, None).await
}

async fn count(h: &Harness) -> usize {
    let c = Caller::new(&h.app, &h.admin);
    records::list(&c, "order", None)
        .await
        .expect("list")
        .data
        .len()
}

async fn logs(h: &Harness) -> Vec<LogRow> {
    hooks::list_logs(&h.app, None, None, None)
        .await
        .expect("logs")
}

fn id_of(m: &Map<String, Value>) -> String {
    m["id"].as_str().unwrap().to_string()
}

fn at(s: &Option<String>) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s.as_deref().expect("a time"))
        .expect("rfc3339")
        .with_timezone(&Utc)
}

async fn async_payloads(h: Harness) {
    order_entity(&h).await;
    let rx = Receiver::start().await;
    let w = hook(&h, json!({"entity": "order", "url": rx.url("/w")})).await;
    let secret = w["secret"].as_str().expect("secret shown once").to_string();
    hook(
        &h,
        json!({"entity": "order", "hook": "after_delete", "url": rx.url("/d")}),
    )
    .await;
    let listed = hooks::list_logs(&h.app, None, None, None).await.unwrap();
    assert!(listed.is_empty());
    let shown = rocket_engine::admin::get::<Webhooks>(&h.app, w["id"].as_str().unwrap())
        .await
        .unwrap();
    assert!(serde_json::to_value(shown).unwrap().get("secret").is_none());

    let rec = create(&h, json!({"status": "draft", "total": 5}))
        .await
        .unwrap();
    let id = id_of(&rec);
    // Committed, not yet delivered: the outbox row waits.
    let queued = logs(&h).await;
    assert_eq!(queued.len(), 1);
    assert_eq!((queued[0].status, queued[0].attempt), (Status::Pending, 0));
    assert!(rx.got("/w").is_empty());
    assert_eq!(run_once(&h.app, Utc::now()).await.unwrap(), 1);
    let got = rx.got("/w");
    assert_eq!(got.len(), 1);
    assert!(
        got[0].signed_with(&secret),
        "the receiver verifies the signature"
    );
    assert!(!got[0].signed_with("another-secret-entirely"));
    let p = got[0].json();
    assert_eq!(
        (p["event"].as_str(), p["action"].as_str()),
        (Some("after_write"), Some("create"))
    );
    assert_eq!(p["entity"], "order");
    assert_eq!(p["record"]["id"], json!(id));
    assert_eq!(p["record"]["total"], json!(5));
    // (Postgres stores the outbox body as JSONB: key order is its own.)
    let mut keys: Vec<_> = p["record"].as_object().unwrap().keys().cloned().collect();
    keys.sort();
    assert_eq!(keys, ["id", "status", "total"], "the full re-read record");
    assert!(p.get("old").is_none());
    assert_eq!(
        p["changes"],
        json!({"status": {"old": null, "new": "draft"}, "total": {"old": null, "new": 5}}),
        "a create's changes are the keys it sent"
    );
    assert_eq!(p["user"], json!({"id": "admin", "roles": ["admin"]}));
    assert!(p["idempotency_key"].as_str().unwrap().starts_with("wh_"));
    let log = &logs(&h).await[0];
    assert_eq!(got[0].header("x-rocket-delivery"), Some(log.id.as_str()));
    assert_eq!(
        (log.status, log.attempt, log.response_status),
        (Status::Delivered, 1, Some(200))
    );
    assert_eq!(log.request_body, p);

    update(&h, &id, json!({"status": "paid"})).await.unwrap();
    run_once(&h.app, Utc::now()).await.unwrap();
    let p = rx.got("/w")[1].json();
    assert_eq!(p["action"], "update");
    assert_eq!(p["old"]["status"], "draft");
    assert_eq!(p["record"]["status"], "paid");
    assert_eq!(
        p["changes"]["status"],
        json!({"old": "draft", "new": "paid"})
    );
    assert!(
        p["changes"].get("total").is_none(),
        "unchanged fields are left out"
    );

    delete(&h, &id).await.unwrap();
    run_once(&h.app, Utc::now()).await.unwrap();
    let d = rx.got("/d");
    assert_eq!(d.len(), 1);
    let p = d[0].json();
    assert_eq!(
        (p["event"].as_str(), p["action"].as_str()),
        (Some("after_delete"), Some("delete"))
    );
    assert_eq!(p["record"]["status"], "paid");
    assert!(p.get("old").is_none() && p.get("changes").is_none());
    assert_eq!(rx.got("/w").len(), 2, "after_write does not fire on delete");
}

async fn conditions_methods_and_headers(h: Harness) {
    order_entity(&h).await;
    let rx = Receiver::start().await;
    std::env::set_var("ROCKET_TEST_HOOK_KEY", "k-123");
    hook(&h, json!({"entity": "order", "url": rx.url("/big"), "condition": "record.total > 100",
        "method": "PUT", "headers": {"X-Key": "Bearer {{env.ROCKET_TEST_HOOK_KEY}}", "X-Plain": "p"}}))
    .await;
    hook(
        &h,
        json!({"entity": "order", "url": rx.url("/off"), "active": false}),
    )
    .await;
    hook(
        &h,
        json!({"entity": "order", "url": rx.url("/never"), "hook": "before_write"}),
    )
    .await;
    hook(
        &h,
        json!({"entity": "order", "url": rx.url("/get"), "method": "GET",
        "condition": "changes.status != nil"}),
    )
    .await;
    create(&h, json!({"status": "a", "total": 5}))
        .await
        .unwrap();
    create(&h, json!({"total": 500})).await.unwrap();
    run_once(&h.app, Utc::now()).await.unwrap();
    let big = rx.got("/big");
    assert_eq!(big.len(), 1, "only the record over 100");
    assert_eq!(big[0].method, "PUT");
    assert_eq!(big[0].json()["record"]["total"], json!(500));
    assert_eq!(big[0].header("x-key"), Some("Bearer k-123"));
    assert_eq!(big[0].header("x-plain"), Some("p"));
    assert_eq!(big[0].header("content-type"), Some("application/json"));
    let get = rx.got("/get");
    assert_eq!(get.len(), 1, "only the record whose status changed");
    assert_eq!(get[0].method, "GET");
    assert!(get[0].body.is_empty(), "GET carries no body");
    assert!(rx.got("/off").is_empty() && rx.got("/never").is_empty());
    // The log keeps the template, not the secret it resolved to (12 §10.4).
    let l = hooks::list_logs(&h.app, None, None, None).await.unwrap();
    let put = l.iter().find(|l| l.method == "PUT").unwrap();
    assert_eq!(
        put.request_headers["X-Key"],
        "Bearer {{env.ROCKET_TEST_HOOK_KEY}}"
    );
}

async fn retries_back_off_then_fail(h: Harness) {
    order_entity(&h).await;
    let rx = Receiver::start().await;
    rx.answer("/w", 500, "down");
    hook(&h, json!({"entity": "order", "url": rx.url("/w")})).await;
    create(&h, json!({"status": "a"})).await.unwrap();
    let t0 = Utc::now();
    run_once(&h.app, t0).await.unwrap();
    let l = &logs(&h).await[0];
    assert_eq!((l.status, l.attempt), (Status::Retrying, 1));
    assert_eq!(
        (
            l.response_status,
            l.error.as_str(),
            l.response_body.as_str()
        ),
        (Some(500), "HTTP 500", "down")
    );
    let next = at(&l.next_retry_at);
    assert!(
        (next - (t0 + Duration::seconds(30))).num_seconds().abs() <= 1,
        "{next} vs {t0}"
    );
    assert_eq!(
        run_once(&h.app, t0 + Duration::seconds(10)).await.unwrap(),
        0,
        "not due yet"
    );
    let t1 = t0 + Duration::seconds(31);
    assert_eq!(run_once(&h.app, t1).await.unwrap(), 1);
    let l = &logs(&h).await[0];
    assert_eq!((l.status, l.attempt), (Status::Retrying, 2));
    let next = at(&l.next_retry_at);
    assert!((next - (t1 + Duration::seconds(120))).num_seconds().abs() <= 1);
    let t2 = t1 + Duration::seconds(121);
    assert_eq!(run_once(&h.app, t2).await.unwrap(), 1);
    let l = &logs(&h).await[0];
    assert_eq!(
        (l.status, l.attempt, l.next_retry_at.as_deref()),
        (Status::Failed, 3, None)
    );
    assert_eq!(rx.got("/w").len(), 3);
    let keys: Vec<_> = rx
        .got("/w")
        .iter()
        .map(|r| r.json()["idempotency_key"].clone())
        .collect();
    assert!(
        keys.windows(2).all(|w| w[0] == w[1]),
        "retries resend the stored body"
    );
    assert_eq!(
        run_once(&h.app, t2 + Duration::days(1)).await.unwrap(),
        0,
        "failed is final"
    );

    // A manual retry: one more attempt, now answered.
    rx.answer("/w", 204, "");
    let r = hooks::retry_log(&h.app, &l.id, Utc::now()).await.unwrap();
    assert_eq!(
        (r["status"].as_str(), r["attempt"].as_i64()),
        (Some("retrying"), Some(3))
    );
    assert_eq!(
        run_once(&h.app, Utc::now() + Duration::seconds(1))
            .await
            .unwrap(),
        1
    );
    let l = &logs(&h).await[0];
    assert_eq!(
        (l.status, l.attempt, l.response_status),
        (Status::Delivered, 4, Some(204))
    );
    let again = hooks::retry_log(&h.app, &l.id, Utc::now())
        .await
        .unwrap_err();
    assert_eq!(
        again.to_string(),
        "Can only retry failed or retrying webhook logs"
    );
    let missing =
        hooks::retry_log(&h.app, "00000000-0000-4000-8000-000000000000", Utc::now()).await;
    assert!(matches!(missing, Err(EngineError::NotFound(_))));
}

async fn unreachable_receivers_fail_with_the_transport_error(h: Harness) {
    order_entity(&h).await;
    let rx = Receiver::start().await;
    let url = rx.url("/gone");
    rx.stop();
    drop(rx);
    hook(
        &h,
        json!({"entity": "order", "url": url, "retry": {"max_attempts": 1}}),
    )
    .await;
    create(&h, json!({"status": "a"})).await.unwrap();
    run_once(&h.app, Utc::now()).await.unwrap();
    let l = &logs(&h).await[0];
    assert_eq!(
        (l.status, l.attempt, l.response_status),
        (Status::Failed, 1, Some(0))
    );
    assert!(l.error.starts_with("http call: "), "{}", l.error);
}

async fn sync_hooks_veto_and_log_outside(h: Harness) {
    order_entity(&h).await;
    let rx = Receiver::start().await;
    rx.answer(
        "/check",
        422,
        r#"{"error": {"message": "credit limit exceeded"}}"#,
    );
    let w = hook(
        &h,
        json!({"entity": "order", "hook": "before_write", "async": false,
        "url": rx.url("/check"), "condition": "record.total > 100"}),
    )
    .await;
    let ok = create(&h, json!({"total": 5})).await.unwrap();
    let e = create(&h, json!({"total": 500})).await.unwrap_err();
    assert!(
        matches!(&e, EngineError::WebhookRejected(m) if m == "credit limit exceeded"),
        "{e:?}"
    );
    assert_eq!(count(&h).await, 1, "nothing of the vetoed write persisted");
    let p = rx.got("/check")[0].json();
    assert_eq!(
        (p["event"].as_str(), p["action"].as_str()),
        (Some("before_write"), Some("create"))
    );
    assert_eq!(
        p["record"],
        json!({"total": 500}),
        "the payload's field map"
    );
    let l = logs(&h).await;
    assert_eq!(
        l.len(),
        1,
        "the failed delivery is logged after the rollback"
    );
    assert_eq!(
        (l[0].status, l[0].response_status),
        (Status::Failed, Some(422))
    );
    assert_eq!(l[0].webhook_id, w["id"].as_str().unwrap());

    // Update: vetoed by a 503, the record keeps its value.
    rx.answer("/check", 503, "");
    let e = update(&h, &id_of(&ok), json!({"total": 900}))
        .await
        .unwrap_err();
    assert!(
        matches!(&e, EngineError::WebhookFailed(m) if m.contains(w["id"].as_str().unwrap())),
        "{e:?}"
    );
    let p = rx.got("/check")[1].json();
    assert_eq!(p["old"]["total"], json!(5));
    assert_eq!(p["changes"]["total"], json!({"old": 5, "new": 900}));
    let c = Caller::new(&h.app, &h.admin);
    let rec = records::get(&c, "order", &id_of(&ok), None).await.unwrap();
    assert_eq!(rec.data["total"], json!(5));

    // Accepted: logged as delivered inside the transaction.
    rx.answer("/check", 200, "{}");
    update(&h, &id_of(&ok), json!({"total": 700}))
        .await
        .unwrap();
    let delivered = hooks::list_logs(&h.app, None, Some("delivered"), None)
        .await
        .unwrap();
    assert_eq!(delivered.len(), 1);

    // Delete: a before_delete veto keeps the row (and its cascade) in place.
    rx.answer("/del", 409, "no");
    hook(
        &h,
        json!({"entity": "order", "hook": "before_delete", "async": false, "url": rx.url("/del")}),
    )
    .await;
    let e = delete(&h, &id_of(&ok)).await.unwrap_err();
    assert!(
        matches!(&e, EngineError::WebhookRejected(m) if m.ends_with("rejected the write")),
        "{e:?}"
    );
    assert_eq!(count(&h).await, 1);
    let p = rx.got("/del")[0].json();
    assert_eq!(p["record"]["total"], json!(700));
    rx.answer("/del", 200, "{}");
    delete(&h, &id_of(&ok)).await.unwrap();
    assert_eq!(count(&h).await, 0);
}

async fn logs_filter_and_not_found(h: Harness) {
    order_entity(&h).await;
    let rx = Receiver::start().await;
    let a = hook(&h, json!({"entity": "order", "url": rx.url("/a")})).await;
    hook(&h, json!({"entity": "order", "url": rx.url("/b")})).await;
    create(&h, json!({"status": "x"})).await.unwrap();
    let a_id = a["id"].as_str().unwrap();
    assert_eq!(
        hooks::list_logs(&h.app, Some(a_id), None, None)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        hooks::list_logs(&h.app, None, None, Some("order"))
            .await
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        hooks::list_logs(&h.app, None, None, Some("other"))
            .await
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        hooks::list_logs(&h.app, Some("nope"), None, None)
            .await
            .unwrap()
            .len(),
        0
    );
    let e = hooks::get_log(&h.app, "nope").await.unwrap_err();
    assert_eq!(e.to_string(), "Webhook log not found: nope");
    // Deleting a webhook deletes its logs (cascade).
    Webhooks::delete(&h.platform, &h.app, a_id).await.unwrap();
    assert_eq!(logs(&h).await.len(), 1);
}

async fn machine_calls_go_through_the_outbox(h: Harness) {
    order_entity(&h).await;
    let rx = Receiver::start().await;
    rx.answer("/sm-bad", 500, "");
    let machine = json!({"entity": "order", "field": "status", "active": true, "definition": {
        "transitions": [
            {"from": "new", "to": "sent", "actions": [{"type": "webhook", "url": rx.url("/sm"), "method": "PUT"}]},
            {"from": "sent", "to": "bad", "actions": [{"type": "webhook", "url": rx.url("/sm-bad")}]}]}});
    StateMachines::put(&h.platform, &h.app, None, obj(machine))
        .await
        .expect("machine created");
    let rec = create(&h, json!({"status": "new", "total": 1}))
        .await
        .unwrap();
    update(&h, &id_of(&rec), json!({"status": "sent"}))
        .await
        .unwrap();
    assert!(
        rx.got("/sm").is_empty(),
        "queued in the write's transaction, not sent yet"
    );
    assert_eq!(run_once(&h.app, Utc::now()).await.unwrap(), 1);
    let got = rx.got("/sm");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].method, "PUT");
    assert_eq!(got[0].json()["status"], "sent");
    update(&h, &id_of(&rec), json!({"status": "bad"}))
        .await
        .unwrap();
    assert_eq!(run_once(&h.app, Utc::now()).await.unwrap(), 1);
    assert_eq!(rx.got("/sm-bad").len(), 1);
    // One attempt only (08 §4.1: no retries), however late the next run.
    assert_eq!(
        run_once(&h.app, Utc::now() + Duration::days(1))
            .await
            .unwrap(),
        0
    );
    assert!(logs(&h).await.is_empty(), "not webhook logs");
}

fn blocking(c: &mut Config) {
    manual(c);
    c.webhooks.block_private_networks = true;
}

async fn private_targets_are_refused_when_configured(h: Harness) {
    order_entity(&h).await;
    let rx = Receiver::start().await;
    let by_name = rx.url("/w").replace("127.0.0.1", "localhost");
    hook(
        &h,
        json!({"entity": "order", "url": rx.url("/w"), "retry": {"max_attempts": 1}}),
    )
    .await;
    hook(
        &h,
        json!({"entity": "order", "url": by_name, "retry": {"max_attempts": 1}}),
    )
    .await;
    create(&h, json!({"total": 1})).await.unwrap();
    run_once(&h.app, Utc::now()).await.unwrap();
    assert!(rx.got("/w").is_empty());
    let l = logs(&h).await;
    assert_eq!(l.len(), 2);
    for log in &l {
        assert_eq!(log.status, Status::Failed);
        assert!(
            log.error.contains("blocked by webhook policy"),
            "{}",
            log.error
        );
    }
}

both_dialects!(config crate::blocking; private_targets_are_refused_when_configured);

/// Exports carry no secret; an imported webhook gets a new one, so its deliveries
/// are signed too.
async fn imported_webhooks_sign_their_deliveries(h: Harness) {
    order_entity(&h).await;
    let rx = Receiver::start().await;
    let doc = json!({"version": 1, "webhooks": [{"entity": "order", "url": rx.url("/imp")}]});
    rocket_engine::porting::import(&h.platform, &h.app, obj(doc))
        .await
        .expect("imported");
    let exported = rocket_engine::porting::export(&h.app).await.unwrap();
    assert!(
        exported["webhooks"][0].get("secret").is_none(),
        "{exported}"
    );
    create(&h, json!({"total": 1})).await.unwrap();
    run_once(&h.app, Utc::now()).await.unwrap();
    let got = rx.got("/imp");
    assert_eq!(got.len(), 1);
    let sig = got[0].header("x-rocket-signature").unwrap_or_default();
    assert!(sig.starts_with("sha256=") && sig.len() == 71, "{sig}");
}

both_dialects!(config crate::manual;
    imported_webhooks_sign_their_deliveries,
    machine_calls_go_through_the_outbox,
    async_payloads,
    conditions_methods_and_headers,
    retries_back_off_then_fail,
    unreachable_receivers_fail_with_the_transport_error,
    sync_hooks_veto_and_log_outside,
    logs_filter_and_not_found,
);

/// Two platforms (as two server processes would) on one Postgres database claim
/// the same 120 due deliveries at once: each is delivered exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_platforms_deliver_each_once() {
    let Some(h) = Harness::start_with(Db::Postgres, manual).await else {
        return;
    };
    order_entity(&h).await;
    let rx = Receiver::start().await;
    hook(&h, json!({"entity": "order", "url": rx.url("/w")})).await;
    const N: usize = 120;
    for i in 0..N {
        create(&h, json!({"total": i})).await.unwrap();
    }
    let other = Platform::start(h.platform.config.clone())
        .await
        .expect("second platform starts");
    let other_app = other.app(&h.app.name).await.expect("app opens there");
    let now = Utc::now();
    let (a, b) = (h.app.clone(), other_app.clone());
    let (ra, rb) = tokio::join!(
        tokio::spawn(async move { run_once(&a, now).await }),
        tokio::spawn(async move { run_once(&b, now).await }),
    );
    let (da, db) = (ra.unwrap().unwrap(), rb.unwrap().unwrap());
    assert_eq!(da + db, N, "delivered {da} + {db}");
    let got = rx.got("/w");
    let mut ids: Vec<_> = got
        .iter()
        .map(|r| r.header("x-rocket-delivery").unwrap().to_string())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!((got.len(), ids.len()), (N, N));
    assert!(logs(&h)
        .await
        .iter()
        .all(|l| l.status == Status::Delivered && l.attempt == 1));
    other.close();
}
