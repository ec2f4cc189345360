//! Outbound HTTP calls of the business logic (state-machine webhook actions, 08
//! §4.1; workflow webhook actions, 09 §5.2) through one shared `reqwest` client:
//! asynchronous, so a slow receiver never blocks a runtime thread, and bounded by a
//! timeout.

use std::sync::OnceLock;
use std::time::Duration;

use serde_json::Value;

/// The timeout of one call (spec 08 §4.1, 09 §5.2).
pub const TIMEOUT: Duration = Duration::from_secs(30);

fn client() -> &'static reqwest::Client {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    CLIENT.get_or_init(|| {
        reqwest::Client::builder()
            .timeout(TIMEOUT)
            .connect_timeout(Duration::from_secs(10))
            .build()
            // Building fails only when the TLS backend cannot initialise; a plain
            // client still serves http:// receivers.
            .unwrap_or_default()
    })
}

/// Sends `body` as JSON with `method` to `url`; the response status, or why there
/// is none.
pub async fn send(method: &str, url: &str, body: &Value) -> Result<u16, String> {
    let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let resp = client()
        .request(method, url)
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    Ok(resp.status().as_u16())
}

/// Fires calls in the background (after a commit), logging failures (08 §4.1).
pub fn fire_and_forget(calls: Vec<crate::logic::machines::Call>) {
    for c in calls {
        tokio::spawn(async move {
            match send(&c.method, &c.url, &c.body).await {
                Ok(s) if (200..300).contains(&s) => {}
                Ok(s) => {
                    tracing::warn!(url = %c.url, status = s, "state machine webhook answered non-2xx")
                }
                Err(e) => tracing::warn!(url = %c.url, "state machine webhook failed: {e}"),
            }
        });
    }
}
