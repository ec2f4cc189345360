//! The AI schema generator (spec 16 part B): status (§6) and generate (§7) against
//! an OpenAI-compatible chat-completions endpoint (§9). The answer is a schema
//! document for the client to review and import; nothing is applied here. The API
//! key is sent only to the configured provider, never logged or returned.

mod prompt;

use std::time::Duration;

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::config::AiConfig;
use crate::error::{EngineError, Result};

pub use prompt::system_prompt;

/// Longest prompt, in Unicode scalar values (§7).
pub const MAX_PROMPT_CHARS: usize = 5000;
/// The provider's whole answer must arrive within this (§9, Rust).
const TIMEOUT: Duration = Duration::from_secs(120);

/// `{"configured", "model"}` (§6).
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Status {
    pub configured: bool,
    pub model: String,
}

/// The provider settings when all three are set (§5).
struct Provider<'a> {
    base_url: &'a str,
    api_key: &'a str,
    model: &'a str,
}

fn provider(c: &AiConfig) -> Option<Provider<'_>> {
    let base_url = c.base_url.trim().trim_end_matches('/');
    let (key, model) = (c.api_key.expose().trim(), c.model.trim());
    (!base_url.is_empty() && !key.is_empty() && !model.is_empty()).then_some(Provider {
        base_url,
        api_key: key,
        model,
    })
}

/// Whether the generator is configured, and with which model.
pub fn status(c: &AiConfig) -> Status {
    match provider(c) {
        Some(p) => Status {
            configured: true,
            model: p.model.to_string(),
        },
        None => Status {
            configured: false,
            model: String::new(),
        },
    }
}

fn failed(m: impl Into<String>) -> EngineError {
    EngineError::AiFailed(m.into())
}

/// The prompt of a request body (§7's checks in order after "configured").
pub fn prompt_of(bytes: &[u8]) -> Result<String> {
    let body: Value = serde_json::from_slice(bytes)
        .map_err(|_| EngineError::BadInput("Invalid request body".into()))?;
    let Some(body) = body.as_object() else {
        return Err(EngineError::BadInput("Invalid request body".into()));
    };
    match body.get("prompt") {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            if s.chars().count() > MAX_PROMPT_CHARS {
                Err(EngineError::BadInput(format!(
                    "prompt must be {MAX_PROMPT_CHARS} characters or fewer"
                )))
            } else {
                Ok(s.clone())
            }
        }
        _ => Err(EngineError::BadInput("prompt is required".into())),
    }
}

/// `POST /_admin/ai/generate` (§7): asks the provider for a schema document built
/// around the app's existing entities.
pub async fn generate(c: &AiConfig, app: &App, body: &[u8]) -> Result<Value> {
    let p = provider(c).ok_or_else(|| {
        EngineError::FeatureOff(
            "AI not configured. Set ROCKET_AI_BASE_URL, ROCKET_AI_API_KEY, and ROCKET_AI_MODEL environment variables."
                .into(),
        )
    })?;
    let prompt = prompt_of(body)?;
    let schema = app.schema();
    let existing: Vec<&str> = schema.entities().map(|e| e.name.as_str()).collect();
    let content = complete(&p, &system_prompt(&existing), &prompt).await?;
    let mut doc = parse_schema(&content)?;
    doc.entry("version").or_insert(json!(1));
    Ok(json!({"schema": doc}))
}

/// The generated document: a JSON object (§7 step 4).
fn parse_schema(content: &str) -> Result<Map<String, Value>> {
    match serde_json::from_str::<Value>(strip_fences(content)) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(failed(
            "AI returned invalid JSON. Try rephrasing your prompt.",
        )),
    }
}

/// Content without a surrounding Markdown code fence (some models add one even in
/// JSON mode).
fn strip_fences(s: &str) -> &str {
    let t = s.trim();
    let Some(rest) = t.strip_prefix("```") else {
        return t;
    };
    let rest = rest.strip_prefix("json").unwrap_or(rest);
    rest.strip_suffix("```").unwrap_or(rest).trim()
}

/// One chat completion (§9); the message content.
async fn complete(p: &Provider<'_>, system: &str, user: &str) -> Result<String> {
    let client = reqwest::Client::builder()
        .timeout(TIMEOUT)
        .build()
        .map_err(EngineError::internal)?;
    let request = json!({
        "model": p.model,
        "temperature": 0.3,
        "response_format": {"type": "json_object"},
        "messages": [
            {"role": "system", "content": system},
            {"role": "user", "content": user},
        ],
    });
    let resp = client
        .post(format!("{}/chat/completions", p.base_url))
        .bearer_auth(p.api_key)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(request.to_string())
        .send()
        .await
        .map_err(|e| {
            failed(format!(
                "Failed to connect to AI provider: {}",
                without_url(&e)
            ))
        })?;
    let status = resp.status();
    let text = read_bounded(resp).await?;
    if !status.is_success() {
        // A proxy that echoes the request must not carry the key into our answer.
        let detail = error_detail(&text).replace(p.api_key, "<api key>");
        return Err(failed(format!(
            "AI provider returned {}: {detail}",
            status.as_u16()
        )));
    }
    content_of(&text)
}

/// Largest provider answer read.
const MAX_ANSWER: usize = 8 * 1024 * 1024;

/// The answer's body, at most [`MAX_ANSWER`] bytes.
async fn read_bounded(mut resp: reqwest::Response) -> Result<String> {
    let mut body = Vec::new();
    loop {
        let chunk = resp.chunk().await.map_err(|e| {
            failed(format!(
                "Failed to connect to AI provider: {}",
                without_url(&e)
            ))
        })?;
        let Some(chunk) = chunk else { break };
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(failed(format!(
                "AI provider answer larger than {} MiB",
                MAX_ANSWER / 1024 / 1024
            )));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// A transport error's text without the URL (it may carry credentials in a query).
fn without_url(e: &reqwest::Error) -> String {
    let mut text = e.to_string();
    if let Some(url) = e.url() {
        text = text.replace(url.as_str(), "<provider>");
    }
    if e.is_timeout() {
        format!("no answer within {} s", TIMEOUT.as_secs())
    } else {
        text
    }
}

/// `error.message` of a JSON error body, else the body text (bounded).
fn error_detail(body: &str) -> String {
    let from_json = serde_json::from_str::<Value>(body).ok().and_then(|v| {
        v.pointer("/error/message")
            .and_then(Value::as_str)
            .map(str::to_string)
    });
    let text = from_json.unwrap_or_else(|| body.trim().to_string());
    text.chars().take(2000).collect()
}

/// `choices[0].message.content` of a completion body.
fn content_of(body: &str) -> Result<String> {
    let v: Value = serde_json::from_str(body).map_err(|_| failed("Failed to parse AI response"))?;
    match v
        .pointer("/choices/0/message/content")
        .and_then(Value::as_str)
    {
        Some(s) if !s.trim().is_empty() => Ok(s.to_string()),
        _ => Err(failed("AI provider returned empty response")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Secret;

    fn cfg(url: &str, key: &str, model: &str) -> AiConfig {
        AiConfig {
            base_url: url.into(),
            api_key: Secret::new(key),
            model: model.into(),
        }
    }

    #[test]
    fn configured_only_with_all_three() {
        assert_eq!(
            status(&cfg("http://x/v1/", "k", "m")),
            Status {
                configured: true,
                model: "m".into()
            }
        );
        for c in [cfg("", "k", "m"), cfg("u", "", "m"), cfg("u", "k", " ")] {
            assert_eq!(
                status(&c),
                Status {
                    configured: false,
                    model: String::new()
                }
            );
        }
        let c = cfg("http://x/v1//", "k", "m");
        assert_eq!(provider(&c).map(|p| p.base_url), Some("http://x/v1"));
    }

    #[test]
    fn prompts_are_checked_in_order() {
        let e = |b: &str| prompt_of(b.as_bytes()).unwrap_err().to_string();
        assert_eq!(e("nope"), "Invalid request body");
        assert_eq!(e("[1]"), "Invalid request body");
        assert_eq!(e("{}"), "prompt is required");
        assert_eq!(e(r#"{"prompt": ""}"#), "prompt is required");
        assert_eq!(e(r#"{"prompt": 5}"#), "prompt is required");
        let long = format!(r#"{{"prompt": "{}"}}"#, "é".repeat(5001));
        assert_eq!(e(&long), "prompt must be 5000 characters or fewer");
        let ok = format!(r#"{{"prompt": "{}"}}"#, "é".repeat(5000));
        assert_eq!(prompt_of(ok.as_bytes()).unwrap().chars().count(), 5000);
    }

    #[test]
    fn provider_answers_are_read() {
        assert_eq!(
            content_of(r#"{"choices":[{"message":{"content":"{\"a\":1}"}}]}"#).unwrap(),
            "{\"a\":1}"
        );
        for body in [
            r#"{"choices":[]}"#,
            r#"{"choices":[{"message":{"content":""}}]}"#,
        ] {
            assert_eq!(
                content_of(body).unwrap_err().to_string(),
                "AI provider returned empty response"
            );
        }
        assert_eq!(
            content_of("<html>").unwrap_err().to_string(),
            "Failed to parse AI response"
        );
        assert_eq!(
            error_detail(r#"{"error":{"message":"bad key"}}"#),
            "bad key"
        );
        assert_eq!(error_detail(" overloaded "), "overloaded");
    }

    #[test]
    fn schemas_must_be_objects() {
        assert!(parse_schema("```json\n{\"entities\": []}\n```").is_ok());
        assert_eq!(
            parse_schema("[1]").unwrap_err().to_string(),
            "AI returned invalid JSON. Try rephrasing your prompt."
        );
        assert!(parse_schema("not json").is_err());
    }
}
