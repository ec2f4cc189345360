//! Two real server processes on one Postgres: metadata created through one is served
//! by the other within a second (LISTEN/NOTIFY), without restart.

mod common;

use common::{free_port, postgres_here, spawn, wait_healthy, Api, Cleanup};
use serde_json::json;
use std::time::{Duration, Instant};

#[tokio::test]
async fn entity_created_on_one_process_is_served_by_the_other() {
    if !postgres_here() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = format!("rt_{}", rocket_testkit::suffix());
    let _cleanup = Cleanup(db.clone());
    let (pa, pb) = (free_port(), free_port());
    let a = spawn(&db, pa, dir.path(), &[]);
    let mut api = Api {
        http: reqwest::Client::new(),
        token: None,
    };
    let (ba, bb) = (
        format!("http://127.0.0.1:{pa}"),
        format!("http://127.0.0.1:{pb}"),
    );
    wait_healthy(&api, &ba).await;
    // B starts after A created the management database.
    let b = spawn(&db, pb, dir.path(), &[]);
    wait_healthy(&api, &bb).await;

    let login = json!({"email": "platform@localhost", "password": "changeme"});
    let (_, l) = api
        .post(&format!("{ba}/api/_platform/auth/login"), login)
        .await;
    let ptok = l["data"]["access_token"].as_str().expect("platform token");
    api.token = Some(ptok.to_string());
    let app = format!("t{}", &uuid::Uuid::new_v4().simple().to_string()[..10]);
    let new_app = json!({"name": app, "db_driver": "postgres"});
    let (st, body) = api.post(&format!("{ba}/api/_platform/apps"), new_app).await;
    assert_eq!(st, 201, "{body}");
    // B opens the app (lazily) before the entity exists, so only a notification can
    // tell it about the entity.
    let on_b = format!("{bb}/api/{app}/widget");
    let (st, _) = api.get(&on_b).await;
    assert_eq!(st, 404, "unknown entity on B before creation");
    let def = json!({"name": "widget", "table": "widget", "primary_key": {"field": "id", "type": "uuid", "generated": true},
        "fields": [{"name": "id", "type": "uuid"}, {"name": "name", "type": "string"}]});
    let (st, body) = api
        .post(&format!("{ba}/api/{app}/_admin/entities"), def)
        .await;
    assert_eq!(st, 201, "{body}");
    let created = Instant::now();
    let mut served = false;
    while created.elapsed() < Duration::from_secs(1) {
        if api.get(&on_b).await.0 == 200 {
            served = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(served, "B did not serve the new entity within one second");
    // Writes through B are visible through A.
    let (st, _) = api.post(&on_b, json!({"name": "w"})).await;
    assert_eq!(st, 201);
    let (st, list) = api.get(&format!("{ba}/api/{app}/widget")).await;
    assert_eq!(st, 200);
    assert_eq!(list["meta"]["total"], json!(1));
    let (st, _) = api.delete(&format!("{ba}/api/_platform/apps/{app}")).await;
    assert_eq!(st, 200);
    // The servers stop before their databases are dropped.
    drop(b);
    drop(a);
}
