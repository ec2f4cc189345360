use serde_json::json;

use crate::both;
use crate::common::T;

async fn login_refresh_rotation_logout(t: T) {
    let a = t.anon();
    let pair = a
        .post(
            "/auth/login",
            json!({"email": "admin@localhost", "password": "changeme"}),
        )
        .await
        .data(200)
        .clone();
    let access = pair["access_token"].as_str().unwrap().to_string();
    let refresh = pair["refresh_token"].as_str().unwrap().to_string();
    assert!(
        uuid::Uuid::parse_str(&refresh).is_ok(),
        "refresh token is a uuid"
    );
    // Claims: sub, roles, iat, exp = iat + 900, HS256.
    let parts: Vec<&str> = access.split('.').collect();
    assert_eq!(parts.len(), 3);
    use base64::Engine;
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["roles"], json!(["admin"]));
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        900
    );
    t.with_token(Some(&access))
        .get("/_admin/entities")
        .await
        .expect(200);

    let next = a
        .post("/auth/refresh", json!({"refresh_token": refresh}))
        .await
        .data(200)
        .clone();
    assert_ne!(next["refresh_token"], json!(refresh));
    let reused = a
        .post("/auth/refresh", json!({"refresh_token": refresh}))
        .await;
    assert_eq!(
        reused.error(401, "UNAUTHORIZED")["message"],
        json!("Invalid refresh token")
    );
    t.with_token(next["access_token"].as_str())
        .get("/_admin/entities")
        .await
        .expect(200);
    assert_eq!(
        a.post(
            "/auth/logout",
            json!({"refresh_token": next["refresh_token"]})
        )
        .await
        .expect(200),
        &json!({"message": "Logged out"})
    );
    a.post(
        "/auth/refresh",
        json!({"refresh_token": next["refresh_token"]}),
    )
    .await
    .error(401, "UNAUTHORIZED");
    // Logout ignores unknown and malformed tokens.
    a.post("/auth/logout", json!({"refresh_token": "not-a-uuid"}))
        .await
        .expect(200);
}

async fn login_failures(t: T) {
    let a = t.anon();
    let msg = |r: &crate::common::Resp| r.error(401, "UNAUTHORIZED")["message"].clone();
    assert_eq!(
        msg(&a
            .post("/auth/login", json!({"email": "admin@localhost"}))
            .await),
        json!("Email and password are required")
    );
    assert_eq!(
        msg(&a.post("/auth/login", json!({"password": "x"})).await),
        json!("Email and password are required")
    );
    assert_eq!(
        msg(&a
            .post(
                "/auth/login",
                json!({"email": "admin@localhost", "password": "nope"})
            )
            .await),
        json!("Invalid email or password")
    );
    // Unknown e-mail: the same text as a wrong password.
    assert_eq!(
        msg(&a
            .post(
                "/auth/login",
                json!({"email": "ghost@x", "password": "nope"})
            )
            .await),
        json!("Invalid email or password")
    );
    assert_eq!(
        msg(&a.post("/auth/refresh", json!({})).await),
        json!("Refresh token is required")
    );
    assert_eq!(
        msg(&a
            .post("/auth/refresh", json!({"refresh_token": "garbage"}))
            .await),
        json!("Invalid refresh token")
    );
    assert_eq!(
        msg(&a
            .post(
                "/auth/refresh",
                json!({"refresh_token": uuid::Uuid::new_v4().to_string()})
            )
            .await),
        json!("Invalid refresh token")
    );
    assert_eq!(
        msg(&a.post("/auth/logout", json!({})).await),
        json!("Refresh token is required")
    );
    let bad = a
        .raw(
            reqwest::Method::POST,
            "/auth/login",
            Some("application/json"),
            b"{".to_vec(),
        )
        .await;
    assert_eq!(
        bad.error(400, "INVALID_PAYLOAD")["message"],
        json!("Invalid request body")
    );
}

async fn middleware_rejections(t: T) {
    t.entity("thing", json!([{"name": "name", "type": "string"}]))
        .await;
    let m = |r: &crate::common::Resp| r.error(401, "UNAUTHORIZED")["message"].clone();
    assert_eq!(
        m(&t.anon().get("/thing").await),
        json!("Missing auth token")
    );
    let r = t
        .http
        .get(t.url("/thing"))
        .header("authorization", "Token abc")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["message"], json!("Invalid auth header format"));
    assert_eq!(
        m(&t.with_token(Some("a.b.c")).get("/thing").await),
        json!("Invalid or expired token")
    );
    // An expired token signed with the right (platform) secret is still refused.
    let expired = {
        use base64::Engine;
        use hmac::Mac;
        let e = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let h = e.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let p = e.encode(br#"{"sub":"x","roles":["admin"],"iat":1,"exp":2}"#);
        let mut mac =
            hmac::Hmac::<sha2::Sha256>::new_from_slice(b"changeme-platform-secret").unwrap();
        mac.update(format!("{h}.{p}").as_bytes());
        format!("{h}.{p}.{}", e.encode(mac.finalize().into_bytes()))
    };
    assert_eq!(
        m(&t.with_token(Some(&expired)).get("/thing").await),
        json!("Invalid or expired token")
    );
    // Bearer scheme is case-insensitive.
    let r = t
        .http
        .get(t.url("/thing"))
        .header(
            "authorization",
            format!("bearer {}", t.token.clone().unwrap()),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    // Unknown apps answer 404 before authentication.
    t.anon()
        .get("/api/nosuchapp/thing")
        .await
        .error(404, "APP_NOT_FOUND");
}

both!(
    login_refresh_rotation_logout,
    login_failures,
    middleware_rejections
);
