//! The write pipeline and the platform at engine level, without HTTP, on both
//! dialects (rocket-testkit).

use rocket_engine::records::{self, Caller, JsonBody};
use rocket_engine::EngineError;
use rocket_store::Store;
use rocket_testkit::{both_dialects, user, Db, Harness, TestDb};
use serde_json::{json, Value};

fn body(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

fn json_body(bytes: &[u8]) -> JsonBody<'_> {
    JsonBody {
        is_json: true,
        bytes,
    }
}

async fn orders(h: &Harness) {
    h.entity(
        "order",
        json!([{"name": "number", "type": "string", "required": true}, {"name": "status", "type": "string"}]),
    )
    .await;
    h.entity(
        "line",
        json!([{"name": "order_id", "type": "uuid"}, {"name": "qty", "type": "int", "required": true}]),
    )
    .await;
    h.relation(
        json!({"name": "lines", "type": "one_to_many", "source": "order", "target": "line",
        "source_key": "id", "target_key": "order_id", "on_delete": "restrict"}),
    )
    .await;
}

async fn create_update_delete(h: Harness) {
    orders(&h).await;
    let c = Caller::new(&h.app, &h.admin);
    // Plain create: one statement; nested create: a transaction. Same record shape.
    let b = body(&json!({"number": "A"}));
    let a = records::create(&c, "order", json_body(&b)).await.unwrap();
    let b = body(&json!({"number": "B", "lines": {"data": [{"qty": 1}, {"qty": 2}]}}));
    let with_lines = records::create(&c, "order", json_body(&b)).await.unwrap();
    assert_eq!(
        a.data.keys().collect::<Vec<_>>(),
        with_lines.data.keys().collect::<Vec<_>>()
    );
    assert!(a.etag.is_some());
    let id = with_lines.data["id"].as_str().unwrap().to_string();
    let lines = records::list(&c, "line", Some(&format!("filter[order_id]={id}")))
        .await
        .unwrap();
    assert_eq!(lines.total, 2);
    // If-Match with a stale tag: nothing changes.
    let b = body(&json!({"status": "paid"}));
    let stale = records::update(&c, "order", &id, json_body(&b), Some("\"0\"")).await;
    assert!(matches!(stale, Err(EngineError::PreconditionFailed(_))));
    let tag = records::get(&c, "order", &id, None).await.unwrap().etag;
    let done = records::update(&c, "order", &id, json_body(&b), Some(&tag))
        .await
        .unwrap();
    assert_eq!(done.data["status"], json!("paid"));
    assert_ne!(
        done.etag.as_deref(),
        Some(tag.as_str()),
        "a new version, a new tag"
    );
    // Restrict blocks the delete and changes nothing.
    let blocked = records::delete(&c, "order", &id, None).await;
    assert!(
        matches!(blocked, Err(EngineError::Conflict(m)) if m == "Cannot delete: 2 related line records exist")
    );
    records::get(&c, "order", &id, None).await.unwrap();
    let aid = a.data["id"].as_str().unwrap();
    records::delete(&c, "order", aid, None).await.unwrap();
    assert!(matches!(
        records::get(&c, "order", aid, None).await,
        Err(EngineError::NotFound(_))
    ));
}

async fn failures_roll_back_everything(h: Harness) {
    orders(&h).await;
    let c = Caller::new(&h.app, &h.admin);
    // A bad second child: the plan refuses before anything is written.
    let b = body(&json!({"number": "X", "lines": {"data": [{"qty": 1}, {"qty": "many"}]}}));
    match records::create(&c, "order", json_body(&b)).await {
        Err(EngineError::Validation(d)) => assert_eq!(d[0].field, "lines[1].qty"),
        other => panic!("{other:?}"),
    }
    // Unknown keys first, everything else after (spec 06 §5).
    let b = body(&json!({"colour": "red"}));
    match records::create(&c, "order", json_body(&b)).await {
        Err(EngineError::Validation(d)) => {
            assert_eq!(d.len(), 1);
            assert_eq!(d[0].rule, "unknown");
        }
        other => panic!("{other:?}"),
    }
    let not_json = JsonBody {
        is_json: false,
        bytes: b"{}",
    };
    assert!(matches!(
        records::create(&c, "order", not_json).await,
        Err(EngineError::BadInput(_))
    ));
    assert_eq!(records::list(&c, "order", None).await.unwrap().total, 0);
    assert_eq!(records::list(&c, "line", None).await.unwrap().total, 0);
}

async fn answers_never_show_unreadable_rows(h: Harness) {
    orders(&h).await;
    let eq = |f: &str, v: &str| json!([{"field": f, "operator": "eq", "value": v}]);
    h.permission(json!({"entity": "order", "action": "read", "roles": ["clerk"], "conditions": eq("status", "open")}))
        .await;
    h.permission(json!({"entity": "order", "action": "create", "roles": ["clerk"]}))
        .await;
    h.permission(json!({"entity": "order", "action": "update", "roles": ["clerk"]}))
        .await;
    let clerk = user("clerk-1", &["clerk"]);
    let c = Caller::new(&h.app, &clerk);
    let b = body(&json!({"number": "1", "status": "open"}));
    let open = records::create(&c, "order", json_body(&b)).await.unwrap();
    assert_eq!(open.data["status"], json!("open"));
    let b = body(&json!({"number": "2", "status": "closed"}));
    let closed = records::create(&c, "order", json_body(&b)).await.unwrap();
    assert_eq!(closed.data.len(), 1, "key only: {:?}", closed.data);
    assert!(closed.etag.is_none());
    // Hidden rows are absent for updates.
    let hid = closed.data["id"].as_str().unwrap();
    let b = body(&json!({"number": "3"}));
    assert!(matches!(
        records::update(&c, "order", hid, json_body(&b), None).await,
        Err(EngineError::NotFound(_))
    ));
    // Entities the clerk may not read at all: 403 on reads.
    assert!(matches!(
        records::list(&c, "line", None).await,
        Err(EngineError::Forbidden(_))
    ));
}

both_dialects!(
    create_update_delete,
    failures_roll_back_everything,
    answers_never_show_unreadable_rows,
);

/// Apps open lazily, and idle pooled connections are closed (issue 7 "per-app
/// connection pools").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_pools_open_lazily_and_shrink_when_idle() {
    let Some(mut tdb) = TestDb::new(Db::Postgres).await else {
        return;
    };
    // No delivery worker: its first run at app open would hold a connection.
    tdb.config.webhooks.deliver_on_commit = false;
    let name = {
        let p = rocket_engine::Platform::start(tdb.config.clone())
            .await
            .unwrap();
        let name = format!("t{}", rocket_testkit::suffix());
        let mut b = serde_json::Map::new();
        b.insert("name".into(), json!(name));
        rocket_engine::platform::apps::create(&p, b).await.unwrap();
        p.close();
        name
    };
    let p = rocket_engine::Platform::start(tdb.config.clone())
        .await
        .unwrap();
    assert!(p.cached_apps().is_empty(), "nothing opened at start");
    let app = p.app(&name).await.unwrap();
    let Store::Pg(pg) = &app.store else {
        panic!("a Postgres app")
    };
    let admin = user("a", &["admin"]);
    records::list(&Caller::new(&app, &admin), "x", None)
        .await
        .ok();
    assert!(pg.size() >= 1, "in use after a request");
    pg.reap_idle(std::time::Duration::ZERO);
    assert_eq!(pg.size(), 0, "idle connections closed");
    p.close();
}
