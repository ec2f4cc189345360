use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::common::T;

async fn framework_errors_use_the_envelope(t: T) {
    t.entity("item", json!([{"name": "name", "type": "string"}]))
        .await;
    t.anon().get("/api").await.error(404, "NOT_FOUND");
    t.anon()
        .get("/api/x/nothing/here/at/all")
        .await
        .error(404, "NOT_FOUND");
    let r = t.req(Method::PATCH, "/item/1", Some(json!({}))).await;
    assert_eq!(r.status.as_u16(), 405);
    assert!(r.body["error"]["code"].is_string());
    let bad = [
        (Some("application/json"), b"{not json".to_vec()),
        (Some("application/json"), b"".to_vec()),
        (Some("application/json"), b"[1,2]".to_vec()),
        (Some("application/json"), b"\"str\"".to_vec()),
        (Some("text/plain"), b"{\"name\": \"x\"}".to_vec()),
        (None, b"{\"name\": \"x\"}".to_vec()),
    ];
    for (ct, body) in bad {
        let r = t.raw(Method::POST, "/item", ct, body).await;
        assert_eq!(
            r.error(400, "INVALID_PAYLOAD")["message"],
            json!("Invalid JSON body")
        );
    }
    // Over the 4 MiB limit: 413 in the envelope. The server may answer before the
    // client finished sending, in which case the client sees the connection close.
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(5 * 1024 * 1024));
    let sent = reqwest::Client::new()
        .post(t.url("/item"))
        .bearer_auth(t.token.clone().unwrap())
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await;
    if let Ok(r) = sent {
        assert_eq!(r.status().as_u16(), 413);
        assert_eq!(
            r.headers().get("connection").map(|v| v.as_bytes()),
            Some(&b"close"[..])
        );
        let v: serde_json::Value = r.json().await.unwrap();
        assert!(v["error"]["code"].is_string(), "{v}");
    }
    // Nothing was written by any of the above.
    assert_eq!(t.list("item", "").await["meta"]["total"], json!(0));
}

async fn hostile_inputs_are_4xx(t: T) {
    t.entity(
        "acct",
        json!([
            {"name": "name", "type": "string"}, {"name": "score", "type": "int"},
            {"name": "ok", "type": "boolean"}, {"name": "at", "type": "timestamp"},
            {"name": "amount", "type": "decimal", "precision": 2}, {"name": "meta", "type": "json"},
        ]),
    )
    .await;
    t.create(
        "acct",
        json!({"name": "Robert'); DROP TABLE acct;--", "score": 1}),
    )
    .await;
    let queries = [
        ("filter[name]=x%27%20OR%20%271%27%3D%271", 200),
        ("filter[score]=1%20OR%201%3D1", 400),
        ("filter[score.gt]=abc", 400),
        ("filter[score.in]=1,abc", 400),
        ("filter[ok]=maybe", 400),
        ("filter[at.gte]=yesterday", 400),
        ("filter[amount.lt]=lots", 400),
        ("filter[id]=abc", 400),
        ("filter[meta]=%7Bbad", 400),
        ("filter[nope]=1", 400),
        ("filter[name;drop]=1", 400),
        ("sort=name;DROP%20TABLE%20acct", 400),
        ("sort=-nope", 400),
        ("sort=name,", 400),
        ("include=nothing", 400),
        ("page=-1&per_page=100000", 200),
        ("page=99999999999999999999999&per_page=abc", 200),
        ("page=9223372036854775807&per_page=100", 200),
        ("filter[score]=99999999999", 400),
        ("filter[name.like]=%25Robert%25", 200),
        ("filter[score.like]=1", 200),
    ];
    for (q, st) in queries {
        let r = t.get(&format!("/acct?{q}")).await;
        if st == 200 {
            r.expect(200);
        } else {
            let code = r.body["error"]["code"].as_str().unwrap_or("").to_string();
            assert_eq!(r.status.as_u16(), st, "{q}: {}", r.body);
            assert!(
                code == "INVALID_PAYLOAD" || code == "UNKNOWN_FIELD",
                "{q}: {}",
                r.body
            );
        }
    }
    let l = t.list("acct", "page=-1&per_page=100000").await;
    assert_eq!(l["meta"], json!({"page": 1, "per_page": 100, "total": 1}));
    let bodies = [
        json!({"score": "abc"}),
        json!({"score": 1.5}),
        json!({"score": 3_000_000_000i64}),
        json!({"ok": "yes"}),
        json!({"at": "not a time"}),
        json!({"amount": "1e999999"}),
        json!({"amount": {"x": 1}}),
        json!({"name": {"nested": true}}),
        json!({"id": "not-a-uuid", "name": "x"}),
        json!({"colour": "red"}),
    ];
    for b in bodies {
        let r = t.post("/acct", b.clone()).await;
        assert_eq!(r.status.as_u16(), 422, "{b}: {}", r.body);
        r.error(422, "VALIDATION_FAILED");
    }
    for id in [
        "abc",
        "1%20OR%201=1",
        "%27",
        "00000000-0000-0000-0000-00000000000g",
    ] {
        t.not_found(&format!("/acct/{id}"), json!({"name": "x"}))
            .await;
    }
    // The table survived every attempt.
    assert_eq!(t.list("acct", "").await["meta"]["total"], json!(1));
}

both!(framework_errors_use_the_envelope, hostile_inputs_are_4xx);
