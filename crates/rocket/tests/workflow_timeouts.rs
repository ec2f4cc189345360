//! Two real server processes on one Postgres, each running the scheduler every
//! second: an approval step with a one-second timeout times out exactly once.

mod common;

use common::{free_port, postgres_here, spawn, wait_healthy, Api, Cleanup};
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};

#[tokio::test]
async fn approval_timeout_fires_once_with_two_schedulers() {
    if !postgres_here() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = format!("rt_{}", rocket_testkit::suffix());
    let _cleanup = Cleanup(db.clone());
    let (pa, pb) = (free_port(), free_port());
    let mut api = Api {
        http: reqwest::Client::new(),
        token: None,
    };
    let (ba, bb) = (
        format!("http://127.0.0.1:{pa}"),
        format!("http://127.0.0.1:{pb}"),
    );
    let a = spawn(
        &db,
        pa,
        dir.path(),
        &[("ROCKET_SCHEDULER_INTERVAL_SECS", "1")],
    );
    wait_healthy(&api, &ba).await;
    let b = spawn(
        &db,
        pb,
        dir.path(),
        &[("ROCKET_SCHEDULER_INTERVAL_SECS", "1")],
    );
    wait_healthy(&api, &bb).await;

    let login = json!({"email": "platform@localhost", "password": "changeme"});
    let (_, l) = api
        .call(
            Method::POST,
            &format!("{ba}/api/_platform/auth/login"),
            Some(login),
        )
        .await;
    api.token = Some(l["data"]["access_token"].as_str().expect("token").into());
    let app = format!("t{}", rocket_testkit::suffix());
    api.create(
        &format!("{ba}/api/_platform/apps"),
        json!({"name": app, "db_driver": "postgres"}),
    )
    .await;
    let on_a = format!("{ba}/api/{app}");
    let po = json!({"name": "po", "table": "po",
        "primary_key": {"field": "id", "type": "uuid", "generated": true},
        "fields": [{"name": "id", "type": "uuid"}, {"name": "status", "type": "string"}]});
    api.create(&format!("{on_a}/_admin/entities"), po).await;
    let machine = json!({"entity": "po", "field": "status", "active": true,
        "definition": {"transitions": [{"from": ["", "draft"], "to": "pending"}]}});
    api.create(&format!("{on_a}/_admin/state-machines"), machine)
        .await;
    let wf = json!({"name": "quick",
        "trigger": {"type": "state_change", "entity": "po", "field": "status", "to": "pending"},
        "steps": [{"id": "w", "type": "approval", "timeout": "1s", "on_timeout": "end"}]});
    api.create(&format!("{on_a}/_admin/workflows"), wf).await;
    // B serves the app too (its scheduler opens every active app anyway).
    let (st, _) = api.get(&format!("{bb}/api/{app}/po")).await;
    assert_eq!(st, 200);

    api.create(&format!("{on_a}/po"), json!({"status": "pending"}))
        .await;
    let (_, pending) = api.get(&format!("{on_a}/_workflows/pending")).await;
    let id = pending["data"][0]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("one pending instance: {pending}"))
        .to_string();
    // Two scheduler runs of each process after the deadline.
    let start = Instant::now();
    let mut inst = Value::Null;
    while start.elapsed() < Duration::from_secs(8) {
        tokio::time::sleep(Duration::from_millis(250)).await;
        inst = api.get(&format!("{bb}/api/{app}/_workflows/{id}")).await.1["data"].clone();
        if inst["status"] != json!("running") {
            break;
        }
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (st, after) = api.get(&format!("{ba}/api/{app}/_workflows/{id}")).await;
    assert_eq!(st, 200, "{after}");
    let after = &after["data"];
    assert_eq!(after["status"], json!("completed"), "{inst}");
    assert_eq!(after["current_step"], json!(""));
    let history = after["history"].as_array().expect("history");
    assert_eq!(history.len(), 1, "exactly one entry: {after}");
    assert_eq!(history[0]["status"], json!("timed_out"));
    assert_eq!(history[0]["step"], json!("w"));
    drop(b);
    drop(a);
}
