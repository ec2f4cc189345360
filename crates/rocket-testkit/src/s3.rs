//! A local S3-compatible server for storage tests: `moto_server` (PyPI `moto[server]`,
//! installed by `.ci/run`) started on a free port as a child process, with one
//! bucket. Without moto the S3 tests are skipped with a note, unless `CI` is set:
//! then they fail.

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running moto server; killed when dropped.
pub struct S3 {
    pub endpoint: String,
    pub bucket: String,
    child: Child,
}

impl S3 {
    /// Starts moto and creates a bucket; `None` when moto is not installed (and
    /// `CI` is not set).
    pub async fn start() -> Option<S3> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("a free port");
        let child = match Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        {
            Ok(c) => c,
            Err(e) if std::env::var_os("CI").is_some() => {
                panic!("moto_server is required under CI (pip install 'moto[server]'): {e}")
            }
            Err(e) => {
                eprintln!("note: S3 test skipped, moto_server not available: {e}");
                return None;
            }
        };
        let s3 = S3 {
            endpoint: format!("http://127.0.0.1:{port}"),
            bucket: format!("rocket-{}", crate::suffix()),
            child,
        };
        let http = reqwest::Client::new();
        let started = Instant::now();
        loop {
            let made = http
                .put(format!("{}/{}", s3.endpoint, s3.bucket))
                .send()
                .await;
            if made.is_ok_and(|r| r.status().is_success()) {
                return Some(s3);
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "moto_server did not start"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The keys in the bucket (ListObjectsV2, first page).
    pub async fn keys(&self) -> Vec<String> {
        let url = format!("{}/{}?list-type=2", self.endpoint, self.bucket);
        let text = reqwest::get(url)
            .await
            .expect("list")
            .text()
            .await
            .unwrap_or_default();
        text.split("<Key>")
            .skip(1)
            .filter_map(|s| s.split("</Key>").next())
            .map(str::to_string)
            .collect()
    }
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
