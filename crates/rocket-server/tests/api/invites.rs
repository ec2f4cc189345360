//! Invites and accept-invite (spec 11 §3.4, §9).

use serde_json::{json, Value};

use crate::both;
use crate::common::{keys, pluck, Resp, T};

/// POSTs an invite; asserts 201 and returns it.
async fn invite(t: &T, body: Value) -> Value {
    t.post("/_admin/invites", body).await.data(201).clone()
}

/// POSTs `body` to accept-invite without a token.
async fn accept(t: &T, body: Value) -> Resp {
    t.anon().post("/auth/accept-invite", body).await
}

/// The invites as listed by the admin API.
async fn invites(t: &T) -> Vec<Value> {
    t.fetch("/_admin/invites").await.as_array().unwrap().clone()
}

async fn create_list_delete(t: T) {
    let inv = invite(&t, json!({"email": "New@X.io", "roles": ["editor"]})).await;
    let want = "id email roles token expires_at invited_by created_at";
    assert_eq!(keys(&inv).join(" "), want);
    assert_eq!(inv["email"], json!("New@X.io"), "stored as given");
    assert!(inv["invited_by"].is_string(), "the creating admin: {inv}");
    let exp = chrono::DateTime::parse_from_rfc3339(inv["expires_at"].as_str().unwrap()).unwrap();
    let hours = (exp.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_minutes() as f64 / 60.0;
    assert!(
        (71.5..=72.1).contains(&hours),
        "expires in 72 h, got {hours}"
    );
    let r = t
        .post("/_admin/invites", json!({"email": "New@X.io"}))
        .await;
    r.error_is(
        409,
        "CONFLICT",
        "A pending invite already exists for this email",
    );
    let existing = json!({"email": "admin@localhost"});
    let r = t.post("/_admin/invites", existing).await;
    r.error_is(409, "CONFLICT", "A user with this email already exists");
    let r = t.post("/_admin/invites", json!({"roles": []})).await;
    r.error_is(422, "VALIDATION_FAILED", "email is required");
    t.post("/_admin/invites", json!({"email": 3}))
        .await
        .error(400, "INVALID_PAYLOAD");
    let second = invite(&t, json!({"email": "other@x.io"})).await;
    let list = invites(&t).await;
    assert_eq!(list.len(), 2);
    assert!(list[0].get("accepted_at").is_some_and(|v| v.is_null()));
    let id = second["id"].as_str().unwrap();
    let path = format!("/_admin/invites/{id}");
    let deleted = t.delete(&path).await;
    assert_eq!(deleted.data(200), &json!({"id": id, "deleted": true}));
    t.delete(&path).await.error(404, "NOT_FOUND");
    t.delete("/_admin/invites/garbage")
        .await
        .error(404, "NOT_FOUND");
    // A deleted invite is revoked.
    let r = accept(&t, json!({"token": second["token"], "password": "pw"})).await;
    r.error_is(404, "NOT_FOUND", "Invalid invite token");
    // Non-admins cannot invite.
    let plain = t.as_user("plain@x.io", json!(["viewer"])).await;
    plain
        .post("/_admin/invites", json!({"email": "q@x.io"}))
        .await
        .error(403, "FORBIDDEN");
}

async fn accept_flow(t: T) {
    let inv = invite(&t, json!({"email": "joiner@x.io", "roles": ["editor"]})).await;
    let invalid = "VALIDATION_FAILED";
    let r = accept(&t, json!({"password": "pw"})).await;
    r.error_is(422, invalid, "token is required");
    let r = accept(&t, json!({"token": inv["token"]})).await;
    r.error_is(422, invalid, "password is required");
    let r = accept(&t, json!({"token": "nope", "password": "pw"})).await;
    r.error_is(404, "NOT_FOUND", "Invalid invite token");
    let bad = t.anon().post_bytes("/auth/accept-invite", b"{").await;
    bad.error_is(400, "INVALID_PAYLOAD", "Invalid JSON body");
    let ok = accept(&t, json!({"token": inv["token"], "password": "s3cret"})).await;
    let ok = ok.data(201).clone();
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
    let refresh = json!({"refresh_token": ok["refresh_token"]});
    t.anon().post("/auth/refresh", refresh).await.expect(200);
    t.login("joiner@x.io", "s3cret").await;
    let again = accept(&t, json!({"token": inv["token"], "password": "x"})).await;
    again.error_is(400, invalid, "Invite has already been accepted");
    assert!(invites(&t).await[0]["accepted_at"].is_string());
}

async fn expired_and_conflicting_invites(t: T) {
    let inv = invite(&t, json!({"email": "late@x.io"})).await;
    let id = inv["id"].as_str().unwrap();
    t.exec_sql(&format!(
        "UPDATE _invites SET expires_at = '2000-01-01 00:00:00' WHERE id = '{id}'"
    ))
    .await;
    let r = accept(&t, json!({"token": inv["token"], "password": "pw"})).await;
    r.error_is(400, "VALIDATION_FAILED", "Invite has expired");
    // An expired invite no longer blocks a new one.
    invite(&t, json!({"email": "late@x.io"})).await;
    // The user was created meanwhile: accepting now conflicts, and nothing is half-done.
    let inv2 = invite(&t, json!({"email": "race@x.io"})).await;
    let user = json!({"email": "race@x.io", "password": "pw"});
    t.post("/_admin/users", user).await.expect(201);
    let r = accept(&t, json!({"token": inv2["token"], "password": "pw"})).await;
    r.error_is(409, "CONFLICT", "A user with this email already exists");
    let list = invites(&t).await;
    let row = list.iter().find(|i| i["id"] == inv2["id"]).unwrap();
    assert!(row["accepted_at"].is_null(), "rolled back: {row}");
}

async fn bulk_invites(t: T) {
    invite(&t, json!({"email": "pending@co.com"})).await;
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
    let created = pluck(&d["created"], "email");
    assert_eq!(created, [json!("alice@co.com"), json!("bob@co.com")]);
    assert_eq!(
        keys(&d["created"][0]),
        ["id", "email", "token", "expires_at"]
    );
    assert_eq!(
        d["skipped"][0],
        json!({"email": "admin@localhost", "reason": "A user with this email already exists"})
    );
    assert_eq!(
        d["skipped"][1]["reason"],
        json!("A pending invite already exists for this email")
    );
    let bulk = |body: Value| t.post("/_admin/invites/bulk", body);
    let invalid = |r: Resp, message: &str| r.error_is(422, "VALIDATION_FAILED", message);
    let required = "emails is required and must be a non-empty array";
    invalid(bulk(json!({"emails": []})).await, required);
    invalid(bulk(json!({})).await, required);
    let blank = bulk(json!({"emails": ["a@b.c", "  "]})).await;
    invalid(blank, "emails must not contain blank entries");
    bulk(json!({"emails": ["a@b.c", 5]}))
        .await
        .error(400, "INVALID_PAYLOAD");
    // A rejected bulk request created nothing.
    assert_eq!(invites(&t).await.len(), 3);
}

both!(
    create_list_delete,
    accept_flow,
    expired_and_conflicting_invites,
    bulk_invites
);
