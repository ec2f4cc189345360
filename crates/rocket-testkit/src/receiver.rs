//! A real webhook receiver on loopback (design §6): records every request (method,
//! path, headers, body) and answers each path with the status and body set for it
//! (200 `{}` by default). It can be started on a chosen port, so a test can bring
//! a receiver "back up" where deliveries were failing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::Router;
use serde_json::Value;

/// One request the receiver got.
#[derive(Debug, Clone)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub headers: HashMap<String, String>,
    pub body: Vec<u8>,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// What a receiver checks: `X-Rocket-Signature` is `sha256=` and the hex
    /// HMAC-SHA256 of the raw body with `secret` (computed here independently of the
    /// server's code).
    pub fn signed_with(&self, secret: &str) -> bool {
        use hmac::{Hmac, Mac};
        let Ok(mut mac) = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()) else {
            return false;
        };
        mac.update(&self.body);
        let hex: String = mac
            .finalize()
            .into_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        self.header("x-rocket-signature") == Some(format!("sha256={hex}").as_str())
    }
}

#[derive(Default)]
struct Inner {
    got: Vec<Received>,
    answers: HashMap<String, (u16, String)>,
}

#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Inner>>);

pub struct Receiver {
    pub port: u16,
    shared: Shared,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    /// A receiver on a free port.
    pub async fn start() -> Receiver {
        Receiver::start_on(0).await
    }

    /// A receiver on `port` (0: any free port).
    pub async fn start_on(port: u16) -> Receiver {
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("receiver binds");
        let port = listener.local_addr().expect("receiver address").port();
        let shared = Shared::default();
        let app = Router::new().fallback(record).with_state(shared.clone());
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver { port, shared, task }
    }

    /// The URL of `path` on this receiver.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Answer requests to `path` with `status` and `body` from now on.
    pub fn answer(&self, path: &str, status: u16, body: &str) {
        if let Ok(mut i) = self.shared.0.lock() {
            i.answers
                .insert(path.to_string(), (status, body.to_string()));
        }
    }

    /// Every request so far to `path`, in arrival order.
    pub fn got(&self, path: &str) -> Vec<Received> {
        self.shared
            .0
            .lock()
            .map(|i| i.got.iter().filter(|r| r.path == path).cloned().collect())
            .unwrap_or_default()
    }

    /// Waits until `path` got `n` requests (at most `within`); returns them all.
    pub async fn wait_for(&self, path: &str, n: usize, within: Duration) -> Vec<Received> {
        let start = Instant::now();
        loop {
            let got = self.got(path);
            if got.len() >= n || start.elapsed() > within {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    }

    /// Stops listening (connections are refused afterwards).
    pub fn stop(&self) {
        self.task.abort();
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(
    State(s): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    let path = uri.path().to_string();
    let headers = headers
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    let Ok(mut i) = s.0.lock() else {
        return (StatusCode::INTERNAL_SERVER_ERROR, String::new());
    };
    i.got.push(Received {
        method: method.to_string(),
        path: path.clone(),
        headers,
        body: body.to_vec(),
    });
    let (status, body) = i
        .answers
        .get(&path)
        .cloned()
        .unwrap_or((200, "{}".to_string()));
    (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), body)
}
