//! Real `rocket` server processes on one Postgres, for the process-level tests.
#![allow(dead_code)]

pub mod cli;

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;

pub struct Proc(pub Child);

impl Proc {
    /// SIGKILL: the process gets no chance to finish anything.
    pub fn kill(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .unwrap_or(18999)
}

/// Starts the binary on Postgres management database `db` (unless `extra` says
/// otherwise, e.g. `ROCKET_DATABASE_DRIVER=sqlite`), in `dir`.
pub fn spawn(db: &str, port: u16, dir: &std::path::Path, extra: &[(&str, &str)]) -> Proc {
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
        // Last: a test's own settings win over the defaults above.
        .envs(extra.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("binary starts");
    Proc(child)
}

/// An HTTP client with an optional bearer token; a failed connection is status 0.
pub struct Api {
    pub http: reqwest::Client,
    pub token: Option<String>,
}

impl Api {
    /// Sends `body` (if any) to `url`; returns the status and the JSON body (or null).
    pub async fn call(&self, m: Method, url: &str, body: Option<Value>) -> (u16, Value) {
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

    pub async fn get(&self, url: &str) -> (u16, Value) {
        self.call(Method::GET, url, None).await
    }

    pub async fn post(&self, url: &str, body: Value) -> (u16, Value) {
        self.call(Method::POST, url, Some(body)).await
    }

    pub async fn delete(&self, url: &str) -> (u16, Value) {
        self.call(Method::DELETE, url, None).await
    }

    /// POSTs `body`; asserts `201` and returns `data`.
    pub async fn create(&self, url: &str, body: Value) -> Value {
        let (st, v) = self.call(Method::POST, url, Some(body)).await;
        assert_eq!(st, 201, "POST {url}: {v}");
        v["data"].clone()
    }
}

pub async fn wait_healthy(api: &Api, base: &str) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if api.get(&format!("{base}/health")).await.0 == 200 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server at {base} did not become healthy");
}

/// True when Postgres answers; outside CI a missing Postgres skips the test, in CI
/// it fails it.
pub fn postgres_here() -> bool {
    if std::net::TcpStream::connect("127.0.0.1:5432").is_ok() {
        return true;
    }
    assert!(
        std::env::var("CI").is_err(),
        "CI is set but Postgres is unreachable"
    );
    eprintln!("skipping: no Postgres on 127.0.0.1:5432");
    false
}

/// Drops the management database and the apps' databases, also when an assertion
/// fails.
pub struct Cleanup(pub String);

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
