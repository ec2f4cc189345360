use serde_json::{json, Value};

use crate::both;
use crate::common::{pg_admin_sync, Db, T};

/// Drops a Postgres database a test created outside the platform, also when the
/// test fails.
struct DropOnExit(String);

impl Drop for DropOnExit {
    fn drop(&mut self) {
        pg_admin_sync(vec![format!(
            "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
            self.0
        )]);
    }
}

/// A database left behind under a new app's name is a 409, never adopted.
async fn leftover_database_is_a_conflict(t: T) {
    let name = format!("{}orphan", t.app);
    let db_name = format!("rocket_{name}");
    let _cleanup = match t.db {
        Db::Postgres => {
            pg_admin_sync(vec![format!("CREATE DATABASE \"{db_name}\"")]);
            Some(DropOnExit(db_name.clone()))
        }
        Db::Sqlite => {
            std::fs::write(t.data_dir.join(format!("{db_name}.db")), b"").unwrap();
            None
        }
    };
    let p = t.with_token(Some(&t.platform_token));
    let e = p.post("/api/_platform/apps", json!({"name": name})).await;
    let msg = e.error(409, "CONFLICT")["message"].as_str().unwrap();
    assert!(msg.contains(&db_name), "{msg}");
    p.get(&format!("/api/_platform/apps/{name}"))
        .await
        .error(404, "NOT_FOUND");
}

async fn health_and_apps_lifecycle(t: T) {
    let r = t.anon().get("/health").await;
    assert_eq!(r.expect(200), &json!({"status": "ok"}));
    let p = t.with_token(Some(&t.platform_token));
    let apps = p.get("/api/_platform/apps").await.data(200).clone();
    assert!(apps
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["name"] == json!(t.app)));
    let one = p
        .get(&format!("/api/_platform/apps/{}", t.app))
        .await
        .data(200)
        .clone();
    assert_eq!(one["db_name"], json!(format!("rocket_{}", t.app)));
    assert!(
        one.get("jwt_secret").is_none(),
        "secret must never be returned"
    );
    for k in [
        "name",
        "display_name",
        "db_name",
        "db_driver",
        "status",
        "created_at",
        "updated_at",
    ] {
        assert!(one.get(k).is_some(), "app object lacks {k}");
    }
    p.get("/api/_platform/apps/nope")
        .await
        .error(404, "NOT_FOUND");

    let name = format!("{}x", t.app);
    let created = p
        .post(
            "/api/_platform/apps",
            json!({"name": name, "display_name": "X"}),
        )
        .await
        .data(201)
        .clone();
    assert_eq!(created["status"], json!("active"));
    assert_eq!(created["display_name"], json!("X"));
    p.post("/api/_platform/apps", json!({"name": name}))
        .await
        .error(409, "CONFLICT");
    // The new app has its own seeded admin and its own secret.
    let admin = t
        .anon()
        .post(
            &format!("/api/{name}/auth/login"),
            json!({"email": "admin@localhost", "password": "changeme"}),
        )
        .await;
    let tok = admin.data(200)["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    t.with_token(Some(&tok))
        .get("/_admin/entities")
        .await
        .error(401, "UNAUTHORIZED");
    t.with_token(Some(&tok))
        .get(&format!("/api/{name}/_admin/entities"))
        .await
        .expect(200);
    let del = p.delete(&format!("/api/_platform/apps/{name}")).await;
    assert_eq!(del.expect(200), &json!({"message": "App deleted"}));
    p.delete(&format!("/api/_platform/apps/{name}"))
        .await
        .error(404, "NOT_FOUND");
    t.anon()
        .post(
            &format!("/api/{name}/auth/login"),
            json!({"email": "a", "password": "b"}),
        )
        .await
        .error(404, "APP_NOT_FOUND");
}

async fn app_creation_validation(t: T) {
    let p = t.with_token(Some(&t.platform_token));
    let cases = [
        (json!({}), "App name is required"),
        (json!({"name": ""}), "App name is required"),
        (
            json!({"name": "Bad"}),
            "App name must be lowercase letters, numbers, hyphens, underscores (start with letter)",
        ),
        (
            json!({"name": "1abc"}),
            "App name must be lowercase letters, numbers, hyphens, underscores (start with letter)",
        ),
        (
            json!({"name": "a; drop database x"}),
            "App name must be lowercase letters, numbers, hyphens, underscores (start with letter)",
        ),
        (
            json!({"name": "okname", "db_driver": "mysql"}),
            "db_driver must be 'postgres' or 'sqlite'",
        ),
        (
            json!({"name": "my-app", "db_driver": "postgres"}),
            "App name must be lowercase letters, numbers, hyphens, underscores (start with letter)",
        ),
        (
            json!({"name": "a".repeat(57), "db_driver": "postgres"}),
            "App name must be lowercase letters, numbers, hyphens, underscores (start with letter)",
        ),
    ];
    for (body, msg) in cases {
        let e = p.post("/api/_platform/apps", body.clone()).await;
        assert_eq!(
            e.error(422, "VALIDATION_FAILED")["message"],
            json!(msg),
            "{body}"
        );
    }
    p.post("/api/_platform/apps", json!({"name": 5}))
        .await
        .error(400, "INVALID_PAYLOAD");
    p.post_bytes("/api/_platform/apps", b"{oops")
        .await
        .error(400, "INVALID_PAYLOAD");
    // SQLite apps accept the whole name pattern, hyphens included.
    let name = format!("{}-dash", t.app);
    p.post(
        "/api/_platform/apps",
        json!({"name": name, "db_driver": "sqlite"}),
    )
    .await
    .expect(201);
    p.delete(&format!("/api/_platform/apps/{name}"))
        .await
        .expect(200);
}

async fn platform_routes_need_platform_token(t: T) {
    t.anon()
        .get("/api/_platform/apps")
        .await
        .error(401, "UNAUTHORIZED");
    // An app token is not a platform token.
    t.get("/api/_platform/apps")
        .await
        .error(401, "UNAUTHORIZED");
    let p = t.with_token(Some(&t.platform_token));
    let st = p.get("/api/_platform/ai/status").await.data(200).clone();
    assert_eq!(st["configured"], json!(false));
    // A platform token is admin inside every app.
    p.get("/_admin/entities").await.expect(200);
}

async fn platform_login_refresh_logout(t: T) {
    let a = t.anon();
    let r = a
        .post(
            "/api/_platform/auth/login",
            json!({"email": "platform@localhost", "password": "changeme"}),
        )
        .await;
    let pair = r.data(200).clone();
    let refresh = pair["refresh_token"].as_str().unwrap();
    let r2 = a
        .post(
            "/api/_platform/auth/refresh",
            json!({"refresh_token": refresh}),
        )
        .await;
    let new = r2.data(200).clone();
    a.post(
        "/api/_platform/auth/refresh",
        json!({"refresh_token": refresh}),
    )
    .await
    .error(401, "UNAUTHORIZED");
    let out = a
        .post(
            "/api/_platform/auth/logout",
            json!({"refresh_token": new["refresh_token"]}),
        )
        .await;
    assert_eq!(out.expect(200), &json!({"message": "Logged out"}));
    a.post(
        "/api/_platform/auth/refresh",
        json!({"refresh_token": new["refresh_token"]}),
    )
    .await
    .error(401, "UNAUTHORIZED");
    let bad = a
        .post(
            "/api/_platform/auth/login",
            json!({"email": "platform@localhost", "password": "x"}),
        )
        .await;
    assert_eq!(
        bad.error(401, "UNAUTHORIZED")["message"],
        json!("Invalid email or password")
    );
}

/// `PUT /api/_platform/auth/password` (Rust addition): the signed-in platform user
/// changes their own password; the answer is a fresh pair and every other session
/// of the user ends.
async fn platform_password_change(t: T) {
    let a = t.anon();
    let login = |pw: &'static str| {
        let a = a.clone();
        async move {
            a.post(
                "/api/_platform/auth/login",
                json!({"email": "platform@localhost", "password": pw}),
            )
            .await
        }
    };
    let mine = login("changeme").await.data(200).clone();
    let other = login("changeme").await.data(200).clone();
    let me = t.with_token(mine["access_token"].as_str());
    let path = "/api/_platform/auth/password";
    let good = json!({"old_password": "changeme", "new_password": "next-password"});
    a.put(path, good.clone()).await.error(401, "UNAUTHORIZED");
    // An app admin's token is not a platform token.
    t.put(path, good.clone()).await.error(401, "UNAUTHORIZED");
    let refused = [
        (
            json!({"old_password": 1, "new_password": "x"}),
            400,
            "INVALID_PAYLOAD",
            "Invalid request body",
        ),
        (
            json!({"new_password": "x"}),
            422,
            "VALIDATION_FAILED",
            "old_password is required",
        ),
        (
            json!({"old_password": "changeme"}),
            422,
            "VALIDATION_FAILED",
            "new_password is required",
        ),
        (
            json!({"old_password": "changeme", "new_password": "p".repeat(73)}),
            422,
            "VALIDATION_FAILED",
            "password must be at most 72 bytes",
        ),
        (
            json!({"old_password": "wrong", "new_password": "x"}),
            422,
            "VALIDATION_FAILED",
            "old_password is incorrect",
        ),
    ];
    for (body, status, code, message) in refused {
        me.put(path, body).await.error_is(status, code, message);
    }
    me.req(reqwest::Method::PUT, path, None)
        .await
        .error(400, "INVALID_PAYLOAD");
    login("changeme").await.data(200);

    let pair = me.put(path, good).await.data(200).clone();
    assert!(pair["access_token"].is_string() && pair["refresh_token"].is_string());
    login("changeme").await.error(401, "UNAUTHORIZED");
    login("next-password").await.data(200);
    // Every earlier session ended; the returned pair goes on.
    let refresh = |token: &Value| json!({"refresh_token": token});
    a.post(
        "/api/_platform/auth/refresh",
        refresh(&other["refresh_token"]),
    )
    .await
    .error_is(401, "UNAUTHORIZED", "Invalid refresh token");
    a.post(
        "/api/_platform/auth/refresh",
        refresh(&mine["refresh_token"]),
    )
    .await
    .error(401, "UNAUTHORIZED");
    a.post(
        "/api/_platform/auth/refresh",
        refresh(&pair["refresh_token"]),
    )
    .await
    .data(200);
    t.with_token(pair["access_token"].as_str())
        .get("/api/_platform/apps")
        .await
        .expect(200);
}

both!(
    platform_password_change,
    health_and_apps_lifecycle,
    leftover_database_is_a_conflict,
    app_creation_validation,
    platform_routes_need_platform_token,
    platform_login_refresh_logout
);

/// A TCP relay to Postgres that can be cut: the server's database going away.
struct Relay {
    port: u16,
    tasks: std::sync::Arc<std::sync::Mutex<Vec<tokio::task::AbortHandle>>>,
}

impl Relay {
    async fn to(upstream: (String, u16)) -> Relay {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let tasks = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let held = tasks.clone();
        let accept = tokio::spawn(async move {
            while let Ok((mut client, _)) = listener.accept().await {
                let up = upstream.clone();
                let conn = tokio::spawn(async move {
                    if let Ok(mut server) = tokio::net::TcpStream::connect(up).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
                held.lock().unwrap().push(conn.abort_handle());
            }
        });
        tasks.lock().unwrap().push(accept.abort_handle());
        Relay { port, tasks }
    }

    /// Closes the listener and every relayed connection.
    fn cut(&self) {
        for t in self.tasks.lock().unwrap().drain(..) {
            t.abort();
        }
    }
}

/// Postgres out of reach after start: creating a Postgres app is a 503 in the
/// envelope, never a 500 (issue 8: "503 when configured but unreachable").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_postgres_is_unavailable() {
    let Some(mut tdb) = crate::common::TestDb::new(Db::Postgres).await else {
        return;
    };
    let db = &mut tdb.config.database;
    let relay = Relay::to((db.host.clone(), db.port)).await;
    db.host = "127.0.0.1".into();
    db.port = relay.port;
    let server = crate::common::start(tdb.config.clone()).await;
    let http = reqwest::Client::new();
    let token = crate::common::platform_login(&http, &server.base).await;
    relay.cut();
    let (status, body) = crate::common::send(
        &http,
        reqwest::Method::POST,
        &format!("{}/api/_platform/apps", server.base),
        Some(&token),
        Some(json!({"name": "gone", "db_driver": "postgres"})),
    )
    .await;
    assert_eq!(status, reqwest::StatusCode::SERVICE_UNAVAILABLE, "{body}");
    assert_eq!(body["error"]["code"], json!("UNAVAILABLE"));
    server.stop().await;
}
