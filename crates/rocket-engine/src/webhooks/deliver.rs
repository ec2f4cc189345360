//! One HTTP delivery (spec 12 §9.2–9.3): method and URL of the webhook, the payload
//! as body (none for `GET`), `Content-Type: application/json`, the configured headers
//! with `{{env.NAME}}` resolved in one pass, and ours (issue 10): an
//! `X-Rocket-Signature: sha256=<hex>` HMAC of the exact body bytes with the
//! webhook's secret, and `X-Rocket-Delivery: <log id>` for de-duplication. The
//! response body is kept up to 64 KiB.

use std::sync::Arc;
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::policy::{Policy, Resolver};
use crate::config::WebhooksConfig;
use crate::repo::webhook_logs::Outcome;

/// How much of a response body is kept (12 §9.2).
pub const MAX_RESPONSE: usize = 64 * 1024;

/// The outgoing HTTP side of an app: one client, the target policy, the timeout.
pub struct Outbound {
    client: reqwest::Client,
    policy: Arc<Policy>,
    pub timeout: Duration,
}

/// One request to send.
pub struct Request<'a> {
    pub method: &'a str,
    pub url: &'a str,
    /// Header name → value template.
    pub headers: &'a Value,
    pub body: &'a Value,
    pub secret: Option<&'a str>,
    /// The log row's id (`X-Rocket-Delivery`), when there is one.
    pub delivery: Option<&'a str>,
}

impl Outbound {
    pub fn new(c: &WebhooksConfig) -> Outbound {
        let policy = Arc::new(Policy::new(c));
        let timeout = Duration::from_secs(c.timeout_secs.max(1));
        let redirects = policy.clone();
        let mut b = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .redirect(reqwest::redirect::Policy::custom(move |a| {
                if a.previous().len() >= 10 {
                    return a.error("too many redirects");
                }
                match redirects.check_url(a.url()) {
                    Ok(()) => a.follow(),
                    Err(e) => a.error(e),
                }
            }));
        if policy.block_private {
            b = b.dns_resolver(Arc::new(Resolver(policy.clone())));
        }
        // Building fails only when the TLS backend cannot initialise; a plain client
        // still serves http:// receivers.
        let client = b.build().unwrap_or_default();
        Outbound {
            client,
            policy,
            timeout,
        }
    }

    /// Sends one request; never fails, the outcome says what happened.
    pub async fn send(&self, r: &Request<'_>) -> Outcome {
        match self.try_send(r).await {
            Ok(o) => o,
            Err(error) => Outcome {
                status: 0,
                body: String::new(),
                error,
            },
        }
    }

    async fn try_send(&self, r: &Request<'_>) -> Result<Outcome, String> {
        let url = reqwest::Url::parse(r.url).map_err(|e| format!("invalid url: {e}"))?;
        self.policy.check_url(&url)?;
        let method = reqwest::Method::from_bytes(r.method.as_bytes()).map_err(|e| e.to_string())?;
        let is_get = method == reqwest::Method::GET;
        let body = r.body.to_string();
        let mut req = self
            .client
            .request(method, url)
            .header("Content-Type", "application/json");
        for (k, v) in resolved_headers(r.headers) {
            req = req.header(k, v);
        }
        if let Some(secret) = r.secret {
            req = req.header("X-Rocket-Signature", signature(secret, body.as_bytes()));
        }
        if let Some(id) = r.delivery {
            req = req.header("X-Rocket-Delivery", id);
        }
        if !is_get {
            req = req.body(body);
        }
        // A pooled keep-alive connection the receiver just closed fails the request
        // before it is answered: such a failure is tried once more on a new
        // connection (a timeout is not).
        let again = req.try_clone();
        let sent = match (req.send().await, again) {
            (Err(e), Some(again)) if !e.is_timeout() => again.send().await,
            (r, _) => r,
        };
        let mut resp = sent.map_err(|e| format!("http call: {}", chain(&e)))?;
        let status = resp.status().as_u16();
        let mut kept = Vec::new();
        while let Ok(Some(chunk)) = resp.chunk().await {
            let room = MAX_RESPONSE - kept.len();
            kept.extend_from_slice(&chunk[..chunk.len().min(room)]);
            if kept.len() >= MAX_RESPONSE {
                break;
            }
        }
        let body = String::from_utf8_lossy(&kept).into_owned();
        let error = if (200..300).contains(&status) {
            String::new()
        } else {
            format!("HTTP {status}")
        };
        Ok(Outcome {
            status: i64::from(status),
            body,
            error,
        })
    }
}

/// An error with its causes ("error sending request: … : connection refused").
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// `sha256=<hex of HMAC-SHA256(secret, body)>`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    // HMAC takes keys of any length: `new_from_slice` cannot fail for it.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(m) => m,
        Err(_) => return String::new(),
    };
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

/// The configured headers with `{{env.NAME}}` replaced (12 §9.3); values that are
/// not strings are skipped, as are names or values HTTP cannot carry.
pub fn resolved_headers(
    headers: &Value,
) -> Vec<(reqwest::header::HeaderName, reqwest::header::HeaderValue)> {
    let Some(m) = headers.as_object() else {
        return Vec::new();
    };
    m.iter()
        .filter_map(|(k, v)| {
            let v = expand_env(v.as_str()?, |n| std::env::var(n).ok());
            Some((
                reqwest::header::HeaderName::from_bytes(k.as_bytes()).ok()?,
                reqwest::header::HeaderValue::from_str(&v).ok()?,
            ))
        })
        .collect()
}

/// Replaces every `{{env.NAME}}` by the variable's value (empty when unset) in one
/// left-to-right pass: a value containing a placeholder is not expanded again.
pub fn expand_env(s: &str, get: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("{{env.") {
        let after = &rest[i + 6..];
        let Some(j) = after.find("}}") else { break };
        out.push_str(&rest[..i]);
        out.push_str(&get(&after[..j]).unwrap_or_default());
        rest = &after[j + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn env_placeholders_expand_once() {
        let get = |n: &str| match n {
            "A" => Some("x".to_string()),
            "LOOP" => Some("{{env.A}}".to_string()),
            _ => None,
        };
        assert_eq!(expand_env("Bearer {{env.A}}", get), "Bearer x");
        assert_eq!(expand_env("{{env.A}}-{{env.A}}", get), "x-x");
        assert_eq!(expand_env("{{env.LOOP}}", get), "{{env.A}}");
        assert_eq!(expand_env("{{env.NONE}}!", get), "!");
        assert_eq!(expand_env("{{ env.A }}", get), "{{ env.A }}");
        assert_eq!(expand_env("{{env.A", get), "{{env.A");
    }

    #[test]
    fn signature_is_hmac_sha256_hex() {
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn headers_skip_what_http_cannot_carry() {
        let h = resolved_headers(&json!({"X-A": "1", "X-N": 5, "bad name": "v", "X-B": "a\nb"}));
        let names: Vec<_> = h.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(names, ["x-a"]);
    }
}
