//! The webhook outbox with real server processes (issue 10): a delivery committed
//! by a process that is killed before delivering arrives after a restart, and two
//! processes on one Postgres deliver each of 200 writes exactly once.

mod common;

use common::{free_port, postgres_here, spawn, wait_healthy, Api, Cleanup};
use rocket_testkit::Receiver;
use serde_json::json;
use std::collections::HashSet;
use std::time::Duration;

/// Logs in as the platform admin at `base`; creates app, entity `order` and an
/// `after_write` webhook to `url`. Returns the app's API root.
async fn setup(api: &mut Api, base: &str, driver: &str, url: &str) -> String {
    let login = json!({"email": "platform@localhost", "password": "changeme"});
    let (_, l) = api
        .post(&format!("{base}/api/_platform/auth/login"), login)
        .await;
    api.token = Some(l["data"]["access_token"].as_str().expect("token").into());
    let app = format!("t{}", rocket_testkit::suffix());
    api.create(
        &format!("{base}/api/_platform/apps"),
        json!({"name": app, "db_driver": driver}),
    )
    .await;
    let root = format!("{base}/api/{app}");
    let order = json!({"name": "order", "table": "orders",
        "primary_key": {"field": "id", "type": "uuid", "generated": true},
        "fields": [{"name": "id", "type": "uuid"}, {"name": "n", "type": "int"}]});
    api.create(&format!("{root}/_admin/entities"), order).await;
    api.create(
        &format!("{root}/_admin/webhooks"),
        json!({"entity": "order", "url": url}),
    )
    .await;
    app
}

async fn killed_after_commit(driver: &str) {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("rt_{}", rocket_testkit::suffix());
    let _cleanup = (driver == "postgres").then(|| Cleanup(db.clone()));
    let (port, rx_port) = (free_port(), free_port());
    let base = format!("http://127.0.0.1:{port}");
    let url = format!("http://127.0.0.1:{rx_port}/w");
    let mut api = Api {
        http: reqwest::Client::new(),
        token: None,
    };
    // The first process never delivers by itself: it dies between COMMIT and delivery.
    let quiet = [
        ("ROCKET_DATABASE_DRIVER", driver),
        ("ROCKET_WEBHOOKS_DELIVER_ON_COMMIT", "false"),
        ("ROCKET_SCHEDULER_INTERVAL_SECS", "0"),
    ];
    let mut first = spawn(&db, port, dir.path(), &quiet);
    wait_healthy(&api, &base).await;
    let app = setup(&mut api, &base, driver, &url).await;
    let rec = api
        .create(&format!("{base}/api/{app}/order"), json!({"n": 7}))
        .await;
    first.kill();

    let rx = Receiver::start_on(rx_port).await;
    let _second = spawn(&db, port, dir.path(), &[("ROCKET_DATABASE_DRIVER", driver)]);
    wait_healthy(&api, &base).await;
    // Any request opens the app; its worker delivers what the first process left.
    let (st, _) = api.get(&format!("{base}/api/{app}/order")).await;
    assert_eq!(st, 200);
    let got = rx.wait_for("/w", 1, Duration::from_secs(15)).await;
    assert_eq!(
        got.len(),
        1,
        "the committed delivery arrives after the restart"
    );
    assert_eq!(got[0].json()["record"]["id"], rec["id"]);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rx.got("/w").len(), 1, "and only once");
}

#[tokio::test]
async fn delivery_survives_sigkill_sqlite() {
    killed_after_commit("sqlite").await;
}

#[tokio::test]
async fn delivery_survives_sigkill_postgres() {
    if postgres_here() {
        killed_after_commit("postgres").await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_deliver_each_write_once() {
    if !postgres_here() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = format!("rt_{}", rocket_testkit::suffix());
    let _cleanup = Cleanup(db.clone());
    let (pa, pb) = (free_port(), free_port());
    let (ba, bb) = (
        format!("http://127.0.0.1:{pa}"),
        format!("http://127.0.0.1:{pb}"),
    );
    let rx = Receiver::start().await;
    let mut api = Api {
        http: reqwest::Client::new(),
        token: None,
    };
    let fast = [("ROCKET_SCHEDULER_INTERVAL_SECS", "1")];
    let _a = spawn(&db, pa, dir.path(), &fast);
    wait_healthy(&api, &ba).await;
    let _b = spawn(&db, pb, dir.path(), &fast);
    wait_healthy(&api, &bb).await;
    let app = setup(&mut api, &ba, "postgres", &rx.url("/w")).await;

    const N: usize = 200;
    let api = std::sync::Arc::new(api);
    let mut tasks = Vec::new();
    for w in 0..8 {
        let (api, url) = (
            api.clone(),
            format!("{}/api/{app}/order", if w % 2 == 0 { &ba } else { &bb }),
        );
        tasks.push(tokio::spawn(async move {
            for i in 0..N / 8 {
                api.create(&url, json!({"n": w * 1000 + i})).await;
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    // Normally a second or two. A delivery whose attempt could not be recorded on a
    // loaded machine is retried when its lease ends (the webhook timeout + 30 s, here
    // 60 s): allow for one such retry.
    let got = rx.wait_for("/w", N, Duration::from_secs(90)).await;
    // A short grace period in which a duplicate would show up.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let got_all = rx.got("/w");
    if got_all.len() != N {
        let (_, logs) = api
            .get(&format!("{ba}/api/{app}/_admin/webhook-logs"))
            .await;
        let odd: Vec<_> = logs["data"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|l| l["status"] != "delivered" || l["attempt"] != 1)
            .map(|l| format!("{} attempt {} {}", l["status"], l["attempt"], l["error"]))
            .collect();
        panic!(
            "{} of {N} delivered ({} before the grace period): {odd:?}",
            got_all.len(),
            got.len()
        );
    }
    let ids: HashSet<_> = got_all
        .iter()
        .map(|r| {
            r.header("x-rocket-delivery")
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(ids.len(), N);
    let records: HashSet<_> = got_all
        .iter()
        .map(|r| r.json()["record"]["id"].to_string())
        .collect();
    assert_eq!(records.len(), N);
    let (_, logs) = api
        .get(&format!(
            "{ba}/api/{app}/_admin/webhook-logs?status=delivered"
        ))
        .await;
    let logs = logs["data"].as_array().unwrap().clone();
    assert_eq!(logs.len(), N.min(200));
    assert!(
        logs.iter().all(|l| l["attempt"] == 1),
        "first attempts only"
    );
}
