//! Invites and accept-invite (spec 11 §3.4, §9).

use serde_json::json;

use crate::both;
use crate::common::T;

async fn create_list_delete(t: T) {
    let inv = t
        .post(
            "/_admin/invites",
            json!({"email": "New@X.io", "roles": ["editor"]}),
        )
        .await
        .data(201)
        .clone();
    let keys: Vec<&String> = inv.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "id",
            "email",
            "roles",
            "token",
            "expires_at",
            "invited_by",
            "created_at"
        ]
    );
    assert_eq!(inv["email"], json!("New@X.io"), "stored as given");
    assert!(inv["invited_by"].is_string(), "the creating admin: {inv}");
    let exp = chrono::DateTime::parse_from_rfc3339(inv["expires_at"].as_str().unwrap()).unwrap();
    let hours = (exp.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes() as f64 / 60.0;
    assert!(
        (71.5..=72.1).contains(&hours),
        "expires in 72 h, got {hours}"
    );
    let m = |r: &crate::common::Resp, st: u16, code: &str| r.error(st, code)["message"].clone();
    assert_eq!(
        m(
            &t.post("/_admin/invites", json!({"email": "New@X.io"}))
                .await,
            409,
            "CONFLICT"
        ),
        json!("A pending invite already exists for this email")
    );
    assert_eq!(
        m(
            &t.post("/_admin/invites", json!({"email": "admin@localhost"}))
                .await,
            409,
            "CONFLICT"
        ),
        json!("A user with this email already exists")
    );
    assert_eq!(
        m(
            &t.post("/_admin/invites", json!({"roles": []})).await,
            422,
            "VALIDATION_FAILED"
        ),
        json!("email is required")
    );
    t.post("/_admin/invites", json!({"email": 3}))
        .await
        .error(400, "INVALID_PAYLOAD");
    let second = t
        .post("/_admin/invites", json!({"email": "other@x.io"}))
        .await
        .data(201)
        .clone();
    let list = t.get("/_admin/invites").await.data(200).clone();
    assert_eq!(list.as_array().unwrap().len(), 2);
    assert!(list[0].get("accepted_at").is_some_and(|v| v.is_null()));
    let id = second["id"].as_str().unwrap();
    assert_eq!(
        t.delete(&format!("/_admin/invites/{id}")).await.data(200),
        &json!({"id": id, "deleted": true})
    );
    t.delete(&format!("/_admin/invites/{id}"))
        .await
        .error(404, "NOT_FOUND");
    t.delete("/_admin/invites/garbage")
        .await
        .error(404, "NOT_FOUND");
    // A deleted invite is revoked.
    let r = t
        .anon()
        .post(
            "/auth/accept-invite",
            json!({"token": second["token"], "password": "pw"}),
        )
        .await;
    assert_eq!(
        r.error(404, "NOT_FOUND")["message"],
        json!("Invalid invite token")
    );
    // Non-admins cannot invite.
    let (_, tok) = t.user("plain@x.io", json!(["viewer"])).await;
    t.with_token(Some(&tok))
        .post("/_admin/invites", json!({"email": "q@x.io"}))
        .await
        .error(403, "FORBIDDEN");
}

async fn accept_flow(t: T) {
    let inv = t
        .post(
            "/_admin/invites",
            json!({"email": "joiner@x.io", "roles": ["editor"]}),
        )
        .await
        .data(201)
        .clone();
    let a = t.anon();
    let m = |r: &crate::common::Resp, st: u16, code: &str| r.error(st, code)["message"].clone();
    assert_eq!(
        m(
            &a.post("/auth/accept-invite", json!({"password": "pw"}))
                .await,
            422,
            "VALIDATION_FAILED"
        ),
        json!("token is required")
    );
    assert_eq!(
        m(
            &a.post("/auth/accept-invite", json!({"token": inv["token"]}))
                .await,
            422,
            "VALIDATION_FAILED"
        ),
        json!("password is required")
    );
    assert_eq!(
        m(
            &a.post(
                "/auth/accept-invite",
                json!({"token": "nope", "password": "pw"})
            )
            .await,
            404,
            "NOT_FOUND"
        ),
        json!("Invalid invite token")
    );
    let bad = a
        .raw(
            reqwest::Method::POST,
            "/auth/accept-invite",
            Some("application/json"),
            b"{".to_vec(),
        )
        .await;
    assert_eq!(
        bad.error(400, "INVALID_PAYLOAD")["message"],
        json!("Invalid JSON body")
    );
    let ok = a
        .post(
            "/auth/accept-invite",
            json!({"token": inv["token"], "password": "s3cret"}),
        )
        .await
        .data(201)
        .clone();
    assert_eq!(ok["user"]["email"], json!("joiner@x.io"));
    assert_eq!(ok["user"]["roles"], json!(["editor"]));
    assert!(ok["refresh_token"].is_string());
    // The auto-login tokens work, and so does the new password.
    t.entity("x", json!([{"name": "n", "type": "string"}]))
        .await;
    t.with_token(ok["access_token"].as_str())
        .get("/x")
        .await
        .error(403, "FORBIDDEN");
    a.post(
        "/auth/refresh",
        json!({"refresh_token": ok["refresh_token"]}),
    )
    .await
    .expect(200);
    crate::common::login(&t.http, &t.url("/auth/login"), "joiner@x.io", "s3cret").await;
    let again = a
        .post(
            "/auth/accept-invite",
            json!({"token": inv["token"], "password": "x"}),
        )
        .await;
    assert_eq!(
        again.error(400, "VALIDATION_FAILED")["message"],
        json!("Invite has already been accepted")
    );
    let list = t.get("/_admin/invites").await.data(200).clone();
    assert!(list[0]["accepted_at"].is_string());
}

async fn expired_and_conflicting_invites(t: T) {
    let inv = t
        .post("/_admin/invites", json!({"email": "late@x.io"}))
        .await
        .data(201)
        .clone();
    let id = inv["id"].as_str().unwrap();
    t.exec_sql(&format!(
        "UPDATE _invites SET expires_at = '2000-01-01 00:00:00' WHERE id = '{id}'"
    ))
    .await;
    let r = t
        .anon()
        .post(
            "/auth/accept-invite",
            json!({"token": inv["token"], "password": "pw"}),
        )
        .await;
    assert_eq!(
        r.error(400, "VALIDATION_FAILED")["message"],
        json!("Invite has expired")
    );
    // An expired invite no longer blocks a new one.
    t.post("/_admin/invites", json!({"email": "late@x.io"}))
        .await
        .expect(201);
    // The user was created meanwhile: accepting now conflicts, and nothing is half-done.
    let inv2 = t
        .post("/_admin/invites", json!({"email": "race@x.io"}))
        .await
        .data(201)
        .clone();
    t.post(
        "/_admin/users",
        json!({"email": "race@x.io", "password": "pw"}),
    )
    .await
    .expect(201);
    let r = t
        .anon()
        .post(
            "/auth/accept-invite",
            json!({"token": inv2["token"], "password": "pw"}),
        )
        .await;
    assert_eq!(
        r.error(409, "CONFLICT")["message"],
        json!("A user with this email already exists")
    );
    let list = t.get("/_admin/invites").await.data(200).clone();
    let row = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == inv2["id"])
        .unwrap();
    assert!(row["accepted_at"].is_null(), "rolled back: {row}");
}

async fn bulk_invites(t: T) {
    t.post("/_admin/invites", json!({"email": "pending@co.com"}))
        .await
        .expect(201);
    let r = t
        .post(
            "/_admin/invites/bulk",
            json!({"emails": ["Alice@Co.com", " bob@co.com", "alice@co.com", "admin@localhost", "pending@co.com"], "roles": ["viewer"]}),
        )
        .await;
    let d = r.data(200).clone();
    assert_eq!(
        d["summary"],
        json!({"total": 4, "created": 2, "skipped": 2})
    );
    let created: Vec<&str> = d["created"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["email"].as_str().unwrap())
        .collect();
    assert_eq!(created, ["alice@co.com", "bob@co.com"]);
    let keys: Vec<&String> = d["created"][0].as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "email", "token", "expires_at"]);
    assert_eq!(
        d["skipped"][0],
        json!({"email": "admin@localhost", "reason": "A user with this email already exists"})
    );
    assert_eq!(
        d["skipped"][1]["reason"],
        json!("A pending invite already exists for this email")
    );
    let m = |r: &crate::common::Resp| r.error(422, "VALIDATION_FAILED")["message"].clone();
    assert_eq!(
        m(&t.post("/_admin/invites/bulk", json!({"emails": []})).await),
        json!("emails is required and must be a non-empty array")
    );
    assert_eq!(
        m(&t.post("/_admin/invites/bulk", json!({})).await),
        json!("emails is required and must be a non-empty array")
    );
    assert_eq!(
        m(
            &t.post("/_admin/invites/bulk", json!({"emails": ["a@b.c", "  "]}))
                .await
        ),
        json!("emails must not contain blank entries")
    );
    t.post("/_admin/invites/bulk", json!({"emails": ["a@b.c", 5]}))
        .await
        .error(400, "INVALID_PAYLOAD");
    // A rejected bulk request created nothing.
    let list = t.get("/_admin/invites").await.data(200).clone();
    assert_eq!(list.as_array().unwrap().len(), 3);
}

both!(
    create_list_delete,
    accept_flow,
    expired_and_conflicting_invites,
    bulk_invites
);
