use serde_json::json;

use crate::both;
use crate::common::{sign, Resp, T};

async fn login_refresh_rotation_logout(t: T) {
    let a = t.anon();
    let admin = json!({"email": "admin@localhost", "password": "changeme"});
    let pair = a.post("/auth/login", admin).await.data(200).clone();
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
    reused.error_is(401, "UNAUTHORIZED", "Invalid refresh token");
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
    let unauthorized = |r: Resp, message: &str| r.error_is(401, "UNAUTHORIZED", message);
    for body in [
        json!({"email": "admin@localhost"}),
        json!({"password": "x"}),
    ] {
        let r = a.post("/auth/login", body).await;
        unauthorized(r, "Email and password are required");
    }
    // Unknown e-mail: the same text as a wrong password.
    for email in ["admin@localhost", "ghost@x"] {
        let body = json!({"email": email, "password": "nope"});
        unauthorized(
            a.post("/auth/login", body).await,
            "Invalid email or password",
        );
    }
    for token in ["garbage".to_string(), uuid::Uuid::new_v4().to_string()] {
        let body = json!({"refresh_token": token});
        unauthorized(a.post("/auth/refresh", body).await, "Invalid refresh token");
    }
    for path in ["/auth/refresh", "/auth/logout"] {
        let r = a.post(path, json!({})).await;
        unauthorized(r, "Refresh token is required");
    }
    let bad = a.post_bytes("/auth/login", b"{").await;
    bad.error_is(400, "INVALID_PAYLOAD", "Invalid request body");
}

async fn middleware_rejections(t: T) {
    t.entity("thing", json!([{"name": "name", "type": "string"}]))
        .await;
    let unauthorized = |r: Resp, message: &str| r.error_is(401, "UNAUTHORIZED", message);
    unauthorized(t.anon().get("/thing").await, "Missing auth token");
    let r = t
        .get_with("/thing", &[("authorization", "Token abc")])
        .await;
    assert_eq!(r.status(), 401);
    let v: serde_json::Value = r.json().await.unwrap();
    assert_eq!(v["error"]["message"], json!("Invalid auth header format"));
    let r = t.with_token(Some("a.b.c")).get("/thing").await;
    unauthorized(r, "Invalid or expired token");
    // An expired token signed with the right (platform) secret is still refused.
    let claims = json!({"sub": "x", "roles": ["admin"], "iat": 1, "exp": 2});
    let expired = sign(b"changeme-platform-secret", claims);
    let r = t.with_token(Some(&expired)).get("/thing").await;
    unauthorized(r, "Invalid or expired token");
    // Bearer scheme is case-insensitive.
    let bearer = format!("bearer {}", t.token.clone().unwrap());
    let r = t.get_with("/thing", &[("authorization", &bearer)]).await;
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
