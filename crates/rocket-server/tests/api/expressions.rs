//! `POST /api/{app}/_admin/expr/eval` (docs/api.md): one expression evaluated
//! against sample variables for the admin UI, bounded as every rule, guard and
//! condition is (spec 10 §6), answering in the envelope of spec 06.

use serde_json::{json, Value};

use crate::both;
use crate::common::{Resp, T};

const EVAL: &str = "/_admin/expr/eval";

/// Asserts `422 VALIDATION_FAILED` without details; returns the message.
#[track_caller]
fn refused(r: &Resp) -> String {
    let e = r.error(422, "VALIDATION_FAILED");
    assert!(e.get("details").is_none(), "{}", r.body);
    e["message"].as_str().unwrap_or_default().to_string()
}

async fn evaluates_against_sample_variables(t: T) {
    // An expression rule against a sample record (a decimal as Postgres renders it).
    let body = json!({"expression": "record.status == 'paid' && record.total > 1000",
        "record": {"status": "paid", "total": "1500.00"}, "old": {}, "action": "create"});
    let r = t.post(EVAL, body).await;
    assert_eq!(
        r.data(200),
        &json!({"result": true, "type": "bool", "truthy": true})
    );
    // A computed field.
    let body = json!({"expression": "record.qty * record.price + 1",
        "record": {"qty": 3, "price": "2.50"}});
    let r = t.post(EVAL, body).await;
    assert_eq!(
        r.data(200),
        &json!({"result": 8.5, "type": "number", "truthy": true})
    );
    // A guard reading the stored row, a workflow condition, a webhook condition.
    let guard = json!({"expression": "old.status == 'sent' && action == 'update'",
        "old": {"status": "draft"}, "action": "update"});
    assert_eq!(t.post(EVAL, guard).await.data(200)["truthy"], json!(false));
    let wf = json!({"expression": "context.amount > 10000", "context": {"amount": 20000}});
    assert_eq!(t.post(EVAL, wf).await.data(200)["result"], json!(true));
    let hook = json!({"expression": "changes.status.new", "action": "update",
        "entity": "invoice", "event": "after_write",
        "changes": {"status": {"old": "draft", "new": "sent"}},
        "user": {"id": "u1", "roles": ["admin"]}});
    let r = t.post(EVAL, hook).await;
    assert_eq!(
        r.data(200),
        &json!({"result": "sent", "type": "string", "truthy": true})
    );
    // Absent variables are null; a date keeps its type name.
    let r = t
        .post(EVAL, json!({"expression": "record.x ?? 'none'"}))
        .await;
    assert_eq!(r.data(200)["result"], json!("none"));
    let date = json!({"expression": "new Date('2025-01-15T10:30:00Z')"});
    let r = t.post(EVAL, date).await;
    assert_eq!(
        r.data(200),
        &json!({"result": "2025-01-15T10:30:00Z", "type": "date", "truthy": true})
    );
    // The admin UI signs in as a platform user.
    let r = t
        .platform()
        .post(EVAL, json!({"expression": "1 + 1"}))
        .await;
    assert_eq!(r.data(200)["result"], json!(2));
}

async fn bad_expressions_are_422(t: T) {
    let m = refused(&t.post(EVAL, json!({"expression": "record.a = 1"})).await);
    assert!(m.starts_with("compile error: "), "{m}");
    assert!(m.ends_with("at line 1, column 10"), "the position: {m}");
    let multi = json!({"expression": "record.a == 1 &&\n  (record.b >"});
    let m = refused(&t.post(EVAL, multi).await);
    assert!(m.contains("at line 2, column"), "{m}");
    let m = refused(&t.post(EVAL, json!({"expression": "sum(1)"})).await);
    assert!(m.starts_with("compile error: unknown function: sum"), "{m}");

    let runtime = json!({"expression": "record.total > 5", "record": {"total": null}});
    let m = refused(&t.post(EVAL, runtime).await);
    assert!(
        m.starts_with("evaluation error: cannot compare null"),
        "{m}"
    );
    assert!(m.ends_with("at line 1, column 14"), "{m}");
    let m = refused(&t.post(EVAL, json!({"expression": "1 / 0"})).await);
    assert!(m.starts_with("evaluation error: division by zero"), "{m}");

    // The bounds of every expression (rocket-expr's limits, spec 10 §6).
    // 4,096 characters (here 2-byte ones) is the longest text.
    let fits = format!("'{}'", "é".repeat(4094));
    let r = t.post(EVAL, json!({"expression": fits})).await;
    assert_eq!(r.data(200)["type"], json!("string"));
    let long = format!("'{}'", "é".repeat(4095));
    let m = refused(&t.post(EVAL, json!({"expression": long})).await);
    assert_eq!(
        m,
        "compile error: expression too long (limit 4096 characters) at line 1, column 1"
    );
    let deep = format!("{}1{}", "(".repeat(100), ")".repeat(100));
    let m = refused(&t.post(EVAL, json!({"expression": deep})).await);
    assert!(m.starts_with("compile error: "), "{m}");
    let chain = format!("{}1", "1+".repeat(300));
    let m = refused(&t.post(EVAL, json!({"expression": chain})).await);
    assert!(
        m.starts_with("compile error: expression too complex"),
        "{m}"
    );
    let list: Vec<Value> = (0..20_000).map(|i| json!(i)).collect();
    let busy = json!({"expression": "-1 in record.list", "record": {"list": list}});
    let m = refused(&t.post(EVAL, busy).await);
    assert!(
        m.starts_with("evaluation error: evaluation step budget exceeded"),
        "{m}"
    );

    // The body.
    for body in [
        json!({}),
        json!({"expression": "   "}),
        json!({"record": {}}),
    ] {
        let m = refused(&t.post(EVAL, body).await);
        assert_eq!(m, "expression is required");
    }
    let m = refused(&t.post(EVAL, json!({"expression": "1", "recrod": {}})).await);
    assert!(m.starts_with("unknown key: recrod (expected expression, record, old, action, user, related, changes, entity, event, context)"), "{m}");
    let m = refused(
        &t.post(EVAL, json!({"expression": "1", "action": "read"}))
            .await,
    );
    assert_eq!(m, "action must be create, update or delete");
    for body in [
        json!({"expression": 5}),
        json!({"expression": "1", "record": [1]}),
        json!({"expression": "1", "user": "me"}),
        json!(["record.a"]),
    ] {
        let r = t.post(EVAL, body).await;
        r.error_is(400, "INVALID_PAYLOAD", "Invalid JSON body");
    }
}

async fn admins_only(t: T) {
    let body = json!({"expression": "1"});
    let user = t.as_user("viewer@x.io", json!(["viewer"])).await;
    let r = user.post(EVAL, body.clone()).await;
    r.error_is(403, "FORBIDDEN", "Admin access required");
    let r = t.anon().post(EVAL, body.clone()).await;
    r.error(401, "UNAUTHORIZED");
    let r = t.post("/api/nope/_admin/expr/eval", body.clone()).await;
    r.error(404, "APP_NOT_FOUND");
    let r = t.get(EVAL).await;
    r.error(405, "METHOD_NOT_ALLOWED");
}

/// The admin document describes the route as it answers (schemathesis checks the
/// same in scripts/openapi.sh).
async fn openapi_describes_it(t: T) {
    let doc = t.get("/_openapi.json").await.expect(200).clone();
    let op = &doc["paths"][format!("/api/{}/_admin/expr/eval", t.app)]["post"];
    let schema = |s: &Value| {
        let s = json!({"allOf": [s], "components": doc["components"]});
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&s)
            .unwrap_or_else(|e| panic!("{e}: {s}"))
    };
    let body = schema(&op["requestBody"]["content"]["application/json"]["schema"]);
    let ok = schema(&op["responses"]["200"]["content"]["application/json"]["schema"]);
    for sent in [
        json!({"expression": "record.a", "record": {"a": [1, {"b": null}]}}),
        json!({"expression": "new Date('2025-01-15')", "old": null, "action": "delete"}),
        json!({"expression": "context", "context": {}}),
        json!({"expression": "entity == 'x'", "entity": "x", "event": "after_write"}),
    ] {
        assert!(body.is_valid(&sent), "{sent}");
        let r = t.post(EVAL, sent.clone()).await;
        assert!(ok.is_valid(r.expect(200)), "{sent} → {}", r.body);
    }
    for refused in [
        json!({}),
        json!({"expression": "1", "x": 1}),
        json!({"expression": 1}),
    ] {
        assert!(!body.is_valid(&refused), "{refused}");
        let status = t.post(EVAL, refused).await.status.as_u16();
        let documented = &op["responses"][status.to_string()];
        assert!(documented.is_object(), "{status} is documented");
    }
}

both!(
    evaluates_against_sample_variables,
    bad_expressions_are_422,
    admins_only,
    openapi_describes_it,
);
