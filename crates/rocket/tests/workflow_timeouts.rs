//! Two real server processes on one Postgres, each running the scheduler every
//! second: an approval step with a one-second timeout times out exactly once.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};

struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(18998)
}

fn spawn(db: &str, port: u16, dir: &std::path::Path) -> Proc {
    let child = Command::new(env!("CARGO_BIN_EXE_rocket"))
        .current_dir(dir)
        .env("ROCKET_DATABASE_DRIVER", "postgres")
        .env("ROCKET_DATABASE_HOST", "127.0.0.1")
        .env("ROCKET_DATABASE_USER", "postgres")
        .env("ROCKET_DATABASE_PASSWORD", "")
        .env("ROCKET_DATABASE_NAME", db)
        .env("ROCKET_SERVER_HOST", "127.0.0.1")
        .env("ROCKET_SERVER_PORT", port.to_string())
        .env("ROCKET_SCHEDULER_INTERVAL_SECS", "1")
        .env("ROCKET_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("binary starts");
    Proc(child)
}

struct Api {
    http: reqwest::Client,
    token: Option<String>,
}

impl Api {
    async fn call(&self, m: Method, url: &str, body: Option<Value>) -> (u16, Value) {
        let rb = self.http.request(m, url);
        let rb = match &self.token {
            Some(t) => rb.bearer_auth(t),
            None => rb,
        };
        let rb = match body {
            Some(b) => rb.json(&b),
            None => rb,
        };
        match rb.send().await {
            Ok(r) => {
                let st = r.status().as_u16();
                (st, r.json().await.unwrap_or(Value::Null))
            }
            Err(_) => (0, Value::Null),
        }
    }

    async fn get(&self, url: &str) -> (u16, Value) {
        self.call(Method::GET, url, None).await
    }

    /// POSTs `body`; asserts `201` and returns `data`.
    async fn create(&self, url: &str, body: Value) -> Value {
        let (st, v) = self.call(Method::POST, url, Some(body)).await;
        assert_eq!(st, 201, "POST {url}: {v}");
        v["data"].clone()
    }
}

async fn wait_healthy(api: &Api, base: &str) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if api.get(&format!("{base}/health")).await.0 == 200 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server at {base} did not become healthy");
}

#[tokio::test]
async fn approval_timeout_fires_once_with_two_schedulers() {
    if std::net::TcpStream::connect("127.0.0.1:5432").is_err() {
        assert!(
            std::env::var("CI").is_err(),
            "CI is set but Postgres is unreachable"
        );
        eprintln!("skipping: no Postgres on 127.0.0.1:5432");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = format!("rt_{}", rocket_testkit::suffix());
    struct Cleanup(String);
    impl Drop for Cleanup {
        fn drop(&mut self) {
            let apps = rocket_testkit::pg_sync(&self.0, vec!["SELECT db_name FROM _apps".into()]);
            let mut sqls: Vec<String> = apps
                .iter()
                .map(|a| format!("DROP DATABASE IF EXISTS \"{a}\" WITH (FORCE)"))
                .collect();
            sqls.push(format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.0
            ));
            rocket_testkit::pg_sync("postgres", sqls);
        }
    }
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
    let a = spawn(&db, pa, dir.path());
    wait_healthy(&api, &ba).await;
    let b = spawn(&db, pb, dir.path());
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
