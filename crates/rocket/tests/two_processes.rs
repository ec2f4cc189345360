//! Two real server processes on one Postgres: metadata created through one is served
//! by the other within a second (LISTEN/NOTIFY), without restart.

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
        .unwrap_or(18999)
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
        .env("ROCKET_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("binary starts");
    Proc(child)
}

/// An HTTP client with an optional bearer token; a failed connection is status 0.
struct Api {
    http: reqwest::Client,
    token: Option<String>,
}

impl Api {
    /// Sends `body` (if any) to `url`; returns the status and the JSON body (or null).
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

    async fn post(&self, url: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, url, Some(body)).await
    }

    async fn delete(&self, url: &str) -> (u16, Value) {
        self.call(Method::DELETE, url, None).await
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
async fn entity_created_on_one_process_is_served_by_the_other() {
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
    // Drops the management database and the app's, also when an assertion fails.
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
    let a = spawn(&db, pa, dir.path());
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
    let b = spawn(&db, pb, dir.path());
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
