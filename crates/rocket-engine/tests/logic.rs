//! Rules in the write pipeline at engine level, on both dialects: no lost update
//! when rules read the stored row and writers race (the optimistic path on Postgres
//! falls back to the locked one when the row changed in between).

use std::sync::Arc;

use rocket_engine::admin::Collection;
use rocket_engine::logic::admin::Rules;
use rocket_engine::records::{self, Caller, JsonBody};
use rocket_testkit::{both_dialects, obj, Harness};
use serde_json::json;

both_dialects!(concurrent_updates_reading_old_lose_nothing);

async fn concurrent_updates_reading_old_lose_nothing(h: Harness) {
    h.entity(
        "counter",
        json!([{"name": "n", "type": "int"}, {"name": "tag", "type": "string"}]),
    )
    .await;
    let rule = json!({"entity": "counter", "hook": "before_write", "type": "computed",
        "definition": {"field": "n", "expression": "action == 'create' ? 0 : old.n + 1"}});
    Rules::put(&h.platform, &h.app, None, obj(rule))
        .await
        .expect("rule created");
    let c = Caller::new(&h.app, &h.admin);
    let body = serde_json::to_vec(&json!({"tag": "new"})).unwrap();
    let json = |b: &[u8]| JsonBody {
        is_json: true,
        bytes: b.to_vec().leak(),
    };
    let created = records::create(&c, "counter", json(&body)).await.unwrap();
    assert_eq!(created.data["n"], json!(0), "computed on create");
    let id = created.data["id"].as_str().unwrap().to_string();
    let h = Arc::new(h);
    let mut tasks = Vec::new();
    for i in 0..24 {
        let (h, id) = (h.clone(), id.clone());
        tasks.push(tokio::spawn(async move {
            let c = Caller::new(&h.app, &h.admin);
            let b = serde_json::to_vec(&json!({"tag": format!("t{i}")})).unwrap();
            records::update(&c, "counter", &id, json(&b), None)
                .await
                .map(|w| w.data["n"].as_i64().unwrap_or(-1))
        }));
    }
    let mut seen = Vec::new();
    for t in tasks {
        seen.push(t.await.unwrap().expect("update succeeds"));
    }
    seen.sort_unstable();
    assert_eq!(
        seen,
        (1..=24).collect::<Vec<i64>>(),
        "each update saw the one before"
    );
    let c = Caller::new(&h.app, &h.admin);
    let now = records::get(&c, "counter", &id, None).await.unwrap();
    assert_eq!(now.data["n"], json!(24));
}
