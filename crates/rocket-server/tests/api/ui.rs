//! UI configs (spec 16 part A) and the AI generator (part B) over HTTP; the
//! generator talks to a local stub of the provider protocol (§9), never the network.

use rocket_testkit::Receiver;
use serde_json::{json, Value};

use crate::both;
use crate::common::{self, id, keys, Db, T};

async fn ui_configs_crud(t: T) {
    t.entity("post", json!([{"name": "title", "type": "string"}]))
        .await;
    let config =
        json!({"list": {"title": "Posts", "columns": ["title"]}, "sidebar": {"icon": "file"}});
    let made = t
        .post(
            "/_admin/ui-configs",
            json!({"entity": "post", "config": config}),
        )
        .await
        .data(201)
        .clone();
    assert_eq!(
        keys(&made),
        [
            "id",
            "entity",
            "scope",
            "config",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(
        (&made["scope"], &made["config"]),
        (&json!("default"), &config)
    );
    let app = t
        .post("/_admin/ui-configs", json!({"entity": "_app"}))
        .await
        .data(201)
        .clone();
    assert_eq!(app["config"], json!({}));
    t.post(
        "/_admin/ui-configs",
        json!({"entity": "post", "scope": "mobile", "config": {"a": 1}}),
    )
    .await
    .expect(201);

    t.post("/_admin/ui-configs", json!({"entity": "post"}))
        .await
        .error_is(
            409,
            "CONFLICT",
            "UI config already exists for entity post scope default",
        );
    t.post("/_admin/ui-configs", json!({"scope": "x"}))
        .await
        .error_is(422, "VALIDATION_FAILED", "entity is required");
    t.post("/_admin/ui-configs", json!({"entity": "ghost"}))
        .await
        .error_is(422, "VALIDATION_FAILED", "entity not found: ghost");
    let odd = t
        .post(
            "/_admin/ui-configs",
            json!({"entity": "post", "scope": "s", "config": [1]}),
        )
        .await
        .data(201)
        .clone();
    assert_eq!(odd["config"], json!([1]), "stored as given (16 §2.1)");
    t.delete(&format!("/_admin/ui-configs/{}", id(&odd)))
        .await
        .data(200);
    t.post_bytes("/_admin/ui-configs", b"[").await.error_is(
        400,
        "INVALID_PAYLOAD",
        "Invalid JSON body",
    );

    let all = t.get("/_admin/ui-configs").await.data(200).clone();
    let order: Vec<(Value, Value)> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["entity"].clone(), r["scope"].clone()))
        .collect();
    assert_eq!(
        order,
        [
            (json!("_app"), json!("default")),
            (json!("post"), json!("default")),
            (json!("post"), json!("mobile"))
        ]
    );
    let path = format!("/_admin/ui-configs/{}", id(&made));
    assert_eq!(t.get(&path).await.data(200)["config"], config);
    let replaced = t
        .put(&path, json!({"entity": "post", "config": {"b": 2}}))
        .await
        .data(200)
        .clone();
    assert_eq!(
        (&replaced["config"], &replaced["scope"]),
        (&json!({"b": 2}), &json!("default"))
    );
    t.put(&path, json!({"entity": "post", "scope": "mobile"}))
        .await
        .error_is(
            409,
            "CONFLICT",
            "UI config already exists for entity post scope mobile",
        );
    t.put(&path, json!({"entity": ""}))
        .await
        .error(422, "VALIDATION_FAILED");
    let unknown = "/_admin/ui-configs/5f0c2b1e-8d3a-4c6f-9b2e-1a7d4e3f6c80";
    t.put(unknown, json!({})).await.error_is(
        404,
        "NOT_FOUND",
        "UI config not found: 5f0c2b1e-8d3a-4c6f-9b2e-1a7d4e3f6c80",
    );
    assert_eq!(
        t.delete(&path).await.data(200),
        &json!({"id": id(&made), "deleted": true})
    );
    t.delete(&path).await.error(404, "NOT_FOUND");
}

async fn ui_reads_for_everyone(t: T) {
    t.entity("post", json!([{"name": "title", "type": "string"}]))
        .await;
    for (entity, scope) in [("post", "default"), ("post", "admin"), ("_app", "default")] {
        t.post(
            "/_admin/ui-configs",
            json!({"entity": entity, "scope": scope, "config": {"s": scope}}),
        )
        .await
        .expect(201);
    }
    let user = t.as_user("viewer@x.io", json!(["viewer"])).await;
    let all = user.get("/_ui/configs").await.data(200).clone();
    let entities: Vec<&Value> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|r| &r["entity"])
        .collect();
    assert_eq!(
        entities,
        [&json!("_app"), &json!("post")],
        "default scope only"
    );
    let one = user.get("/_ui/config/post").await.data(200).clone();
    assert_eq!(one["config"], json!({"s": "default"}));
    assert_eq!(
        user.get("/_ui/config/unknown").await.data(200),
        &Value::Null
    );
    user.get("/_admin/ui-configs").await.error(403, "FORBIDDEN");
    t.anon()
        .get("/_ui/configs")
        .await
        .error(401, "UNAUTHORIZED");

    // Export and import carry them.
    let doc = t.get("/_admin/export").await.data(200).clone();
    assert_eq!(
        doc["ui_configs"].as_array().unwrap().len(),
        3,
        "{}",
        doc["ui_configs"]
    );
    let other = t.new_app(&format!("u{}", common::rand_suffix())).await;
    other.post("/_admin/import", doc).await.expect(200);
    assert_eq!(
        other
            .get("/_admin/ui-configs")
            .await
            .data(200)
            .as_array()
            .unwrap()
            .len(),
        3
    );
    t.drop_app(&other.app).await;
}

async fn ai_not_configured(t: T) {
    assert_eq!(
        t.get("/_admin/ai/status").await.data(200),
        &json!({"configured": false, "model": ""})
    );
    t.post("/_admin/ai/generate", json!({"prompt": "a blog"})).await.error_is(
        501,
        "NOT_CONFIGURED",
        "AI not configured. Set ROCKET_AI_BASE_URL, ROCKET_AI_API_KEY, and ROCKET_AI_MODEL environment variables.",
    );
    let user = t.as_user("u@x.io", json!(["user"])).await;
    user.get("/_admin/ai/status").await.error(403, "FORBIDDEN");
}

both!(ui_configs_crud, ui_reads_for_everyone, ai_not_configured);

/// A provider answer whose content is `content`.
fn completion(content: &str) -> String {
    json!({"choices": [{"message": {"role": "assistant", "content": content}}]}).to_string()
}

async fn ai_against_a_stub(db: Db) {
    let rx = Receiver::start().await;
    let base = rx.url("/v1/");
    let tweak = move |c: &mut rocket_server::Config| {
        c.ai.base_url = base;
        c.ai.api_key = rocket_server::config::Secret::new("sk-test-key");
        c.ai.model = "gpt-test".into();
    };
    common::run_with(db, tweak, |t: T| async move {
        assert_eq!(
            t.get("/_admin/ai/status").await.data(200),
            &json!({"configured": true, "model": "gpt-test"})
        );
        assert_eq!(
            t.platform().get("/api/_platform/ai/status").await.data(200),
            &json!({"configured": true, "model": "gpt-test"})
        );
        t.entity("customer", json!([{"name": "name", "type": "string"}]))
            .await;
        let schema = json!({"entities": [{"name": "ticket"}], "relations": []});
        rx.answer(
            "/v1/chat/completions",
            200,
            &completion(&schema.to_string()),
        );
        let out = t
            .post(
                "/_admin/ai/generate",
                json!({"prompt": "A helpdesk with tickets"}),
            )
            .await
            .data(200)
            .clone();
        assert_eq!(out["schema"]["version"], json!(1));
        assert_eq!(out["schema"]["entities"], schema["entities"]);
        let sent = rx.got("/v1/chat/completions");
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].header("authorization"), Some("Bearer sk-test-key"));
        let req = sent[0].json();
        assert_eq!(req["model"], json!("gpt-test"));
        assert_eq!(req["response_format"], json!({"type": "json_object"}));
        assert_eq!(
            req["messages"][1],
            json!({"role": "user", "content": "A helpdesk with tickets"})
        );
        let system = req["messages"][0]["content"].as_str().unwrap();
        assert!(system.contains("customer"), "existing entities are named");

        // A version the model set is kept.
        rx.answer(
            "/v1/chat/completions",
            200,
            &completion(r#"{"version": 2}"#),
        );
        let out = t
            .post("/_admin/ai/generate", json!({"prompt": "x"}))
            .await
            .data(200)
            .clone();
        assert_eq!(out["schema"]["version"], json!(2));

        let fail = |status: u16, msg: &str| (status, msg.to_string());
        let cases = [
            (
                500,
                r#"{"error": {"message": "quota exceeded"}}"#.to_string(),
                fail(502, "AI provider returned 500: quota exceeded"),
            ),
            (
                429,
                "slow down".to_string(),
                fail(502, "AI provider returned 429: slow down"),
            ),
            (
                200,
                "x".repeat(8 * 1024 * 1024 + 1),
                fail(502, "AI provider answer larger than 8 MiB"),
            ),
            (
                400,
                "bad key sk-test-key".to_string(),
                fail(502, "AI provider returned 400: bad key <api key>"),
            ),
            (
                200,
                completion("not json"),
                fail(502, "AI returned invalid JSON. Try rephrasing your prompt."),
            ),
            (
                200,
                completion("[1, 2]"),
                fail(502, "AI returned invalid JSON. Try rephrasing your prompt."),
            ),
            (
                200,
                json!({"choices": []}).to_string(),
                fail(502, "AI provider returned empty response"),
            ),
            (
                200,
                "<html>".to_string(),
                fail(502, "Failed to parse AI response"),
            ),
        ];
        for (status, body, (code, msg)) in cases {
            rx.answer("/v1/chat/completions", status, &body);
            t.post("/_admin/ai/generate", json!({"prompt": "x"}))
                .await
                .error_is(code, "AI_REQUEST_FAILED", &msg);
        }
        t.post("/_admin/ai/generate", json!({})).await.error_is(
            400,
            "INVALID_PAYLOAD",
            "prompt is required",
        );
        t.post_bytes("/_admin/ai/generate", b"{").await.error_is(
            400,
            "INVALID_PAYLOAD",
            "Invalid request body",
        );
        let long = "x".repeat(5001);
        t.post("/_admin/ai/generate", json!({"prompt": long}))
            .await
            .error_is(
                400,
                "INVALID_PAYLOAD",
                "prompt must be 5000 characters or fewer",
            );
        rx.stop();
        let e = t.post("/_admin/ai/generate", json!({"prompt": "x"})).await;
        let m = e.error(502, "AI_REQUEST_FAILED")["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(m.starts_with("Failed to connect to AI provider: "), "{m}");
        assert!(!m.contains("sk-test-key"));
    })
    .await;
}

mod ai_generate {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::ai_against_a_stub(crate::common::Db::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::ai_against_a_stub(crate::common::Db::Postgres).await;
    }
}

/// A provider that answers after `delay` (one request).
async fn sleepy_provider(delay: std::time::Duration) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let Ok((mut s, _)) = listener.accept().await else {
            return;
        };
        let mut buf = vec![0u8; 65536];
        let mut got = Vec::new();
        // Read the head and the JSON body (it ends with the closing brace).
        while !got.ends_with(b"}") {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        tokio::time::sleep(delay).await;
        let body = completion(r#"{"entities": []}"#);
        let answer = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        let _ = s.write_all(answer.as_bytes()).await;
    });
    url
}

/// The provider has 120 s (spec 16 §9), more than the request timeout.
async fn ai_outlives_the_request_timeout(db: Db) {
    let url = sleepy_provider(std::time::Duration::from_millis(2500)).await;
    let tweak = move |c: &mut rocket_server::Config| {
        c.ai.base_url = url;
        c.ai.api_key = rocket_server::config::Secret::new("k");
        c.ai.model = "m".into();
        c.server.request_timeout_ms = 1500;
    };
    common::run_with(db, tweak, |t: T| async move {
        let out = t
            .post("/_admin/ai/generate", json!({"prompt": "slow"}))
            .await
            .data(200)
            .clone();
        assert_eq!(out["schema"], json!({"entities": [], "version": 1}));
    })
    .await;
}

mod ai_slow_provider {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::ai_outlives_the_request_timeout(crate::common::Db::Sqlite).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::ai_outlives_the_request_timeout(crate::common::Db::Postgres).await;
    }
}
