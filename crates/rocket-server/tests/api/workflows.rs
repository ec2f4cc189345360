//! Workflows over HTTP (spec 09): definitions and their admin validation, starting
//! instances on a state change, every step type and goto form, context resolution,
//! `set_field` and `webhook` actions (against a real local receiver), approve and
//! reject with the assignee enforced, the runtime endpoints and their errors.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use reqwest::Method;
use serde_json::{json, Value};

use crate::both;
use crate::common::{id, keys, Db, T};

/// Every state of the `po.status` machine; `""` (no state yet) may go anywhere.
const STATES: [&str; 7] = [
    "", "draft", "pending", "review", "approved", "rejected", "done",
];

/// Entity `po` and an active machine on `status` allowing every move.
async fn setup(t: &T) {
    t.entity(
        "po",
        json!([
            {"name": "number", "type": "string"},
            {"name": "amount", "type": "decimal", "precision": 2},
            {"name": "status", "type": "string"},
            {"name": "stage", "type": "string"},
            {"name": "note", "type": "string"},
            {"name": "flag", "type": "string"},
            {"name": "approver", "type": "string"},
            {"name": "approved_at", "type": "timestamp"},
        ]),
    )
    .await;
    machine(t, "status", true).await;
}

async fn machine(t: &T, field: &str, active: bool) {
    let transitions: Vec<Value> = STATES[1..]
        .iter()
        .map(|to| json!({"from": STATES, "to": to}))
        .collect();
    let body = json!({"entity": "po", "field": field, "active": active,
        "definition": {"transitions": transitions}});
    t.post("/_admin/state-machines", body).await.expect(201);
}

fn trigger(field: &str, to: &str) -> Value {
    json!({"type": "state_change", "entity": "po", "field": field, "to": to})
}

/// Creates an active workflow started by `po.status → to`; returns its id.
async fn workflow(t: &T, name: &str, to: &str, context: Value, steps: Value) -> String {
    let body =
        json!({"name": name, "trigger": trigger("status", to), "context": context, "steps": steps});
    id(t.post("/_admin/workflows", body).await.data(201))
}

/// The usual context: the record id as `rid`.
fn rid() -> Value {
    json!({"rid": "trigger.record_id"})
}

/// A `set_field` action on the record the instance was started for.
fn set(field: &str, value: Value) -> Value {
    json!({"type": "set_field", "entity": "po", "record_id": "context.rid", "field": field, "value": value})
}

async fn new_po(t: &T, body: Value) -> String {
    id(&t.create("po", body).await)
}

/// `PUT /po/{id}` with `status`; the response record.
async fn move_to(t: &T, id: &str, status: &str) -> Value {
    t.update(&format!("/po/{id}"), json!({"status": status}))
        .await
}

async fn record(t: &T, id: &str) -> Value {
    t.fetch(&format!("/po/{id}")).await
}

/// Ids of the stored instances of `workflow`, read from the app database (there is
/// no endpoint listing finished instances).
async fn instance_ids(t: &T, workflow: &str) -> Vec<String> {
    t.query_texts(&format!(
        "SELECT CAST(id AS TEXT) FROM _workflow_instances WHERE workflow_name = '{workflow}' ORDER BY id"
    ))
    .await
}

/// Every instance of `workflow`, as `GET /_workflows/{id}` shows it.
async fn instances(t: &T, workflow: &str) -> Vec<Value> {
    let mut out = Vec::new();
    for i in instance_ids(t, workflow).await {
        out.push(t.fetch(&format!("/_workflows/{i}")).await);
    }
    out
}

/// The one instance of `workflow`.
#[track_caller]
fn the_one(all: Vec<Value>) -> Value {
    assert_eq!(all.len(), 1, "exactly one instance: {all:?}");
    all.into_iter().next().unwrap()
}

async fn instance(t: &T, workflow: &str) -> Value {
    the_one(instances(t, workflow).await)
}

/// The instance of `workflow` started for record `rec` (context `rid`).
async fn instance_for(t: &T, workflow: &str, rec: &str) -> Value {
    let all = instances(t, workflow).await;
    the_one(
        all.into_iter()
            .filter(|i| i["context"]["rid"] == json!(rec))
            .collect(),
    )
}

async fn pending(t: &T) -> Vec<Value> {
    t.fetch("/_workflows/pending")
        .await
        .as_array()
        .expect("pending is an array")
        .clone()
}

/// `(step, status)` of each history entry, in order.
fn trail(inst: &Value) -> Vec<(String, String)> {
    inst["history"]
        .as_array()
        .unwrap_or_else(|| panic!("history array: {inst}"))
        .iter()
        .map(|h| {
            (
                h["step"].as_str().unwrap().to_string(),
                h["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// The keys of an object, sorted (stored JSON may reorder them).
fn sorted_keys(v: &Value) -> Vec<String> {
    let mut k = keys(v);
    k.sort();
    k
}

/// An RFC 3339 UTC time in whole seconds (`2025-01-15T10:30:00Z`).
#[track_caller]
fn whole_seconds(v: &Value) -> DateTime<Utc> {
    let s = v.as_str().unwrap_or_else(|| panic!("a time string: {v}"));
    assert!(
        s.len() == 20 && s.ends_with('Z') && !s.contains('.'),
        "whole seconds with Z: {s}"
    );
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

#[track_caller]
fn near(t: DateTime<Utc>, expected: DateTime<Utc>) {
    let d = (t - expected).num_seconds().abs();
    assert!(d <= 120, "{t} is not near {expected}");
}

async fn approve(t: &T, inst: &str) -> crate::common::Resp {
    t.post(&format!("/_workflows/{inst}/approve"), json!({}))
        .await
}

async fn reject(t: &T, inst: &str) -> crate::common::Resp {
    t.req(Method::POST, &format!("/_workflows/{inst}/reject"), None)
        .await
}

/// The id of the seeded app admin (the subject of its token).
async fn admin_id(t: &T) -> String {
    let users = t.fetch("/_admin/users").await;
    let admin = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == json!("admin@localhost"))
        .expect("seeded admin");
    id(admin)
}

// ---------------------------------------------------------------------------------
// Steps and gotos

async fn step_types_and_goto_forms(t: T) {
    setup(&t).await;
    // Plain string → step; condition with {"goto": id}; "end".
    workflow(
        &t,
        "a_plain",
        "pending",
        rid(),
        json!([
            {"id": "a1", "type": "action", "actions": [set("note", json!("a1"))], "then": "a2"},
            {"id": "a2", "type": "condition", "expression": "context.rid != nil",
             "on_true": {"goto": "a3"}, "on_false": "end"},
            {"id": "a3", "type": "action", "actions": [set("flag", json!("a3"))], "then": "end"},
            {"id": "a4", "type": "action", "actions": [set("flag", json!("never"))]},
        ]),
    )
    .await;
    // {"goto": "end"} ends: b2 never runs.
    workflow(
        &t,
        "b_goto_end",
        "pending",
        rid(),
        json!([
            {"id": "b1", "type": "action", "actions": [], "then": {"goto": "end"}},
            {"id": "b2", "type": "action", "actions": [set("stage", json!("never"))]},
        ]),
    )
    .await;
    // A missing `then` ends too.
    workflow(
        &t,
        "c_missing",
        "pending",
        rid(),
        json!([
            {"id": "c1", "type": "action", "actions": [set("approver", json!("c1"))]},
            {"id": "c2", "type": "action", "actions": [set("approver", json!("never"))]},
        ]),
    )
    .await;
    // A condition's false branch to a plain string; approval's missing on_approve ends.
    workflow(
        &t,
        "d_approval",
        "pending",
        rid(),
        json!([
            {"id": "d1", "type": "condition", "expression": "context.rid == nil",
             "on_true": "end", "on_false": "d2"},
            {"id": "d2", "type": "approval", "on_reject": {"goto": "end"}},
        ]),
    )
    .await;
    let po = new_po(&t, json!({"number": "P1", "status": "draft"})).await;
    assert!(
        instance_ids(&t, "a_plain").await.is_empty(),
        "draft starts nothing"
    );
    let resp = move_to(&t, &po, "pending").await;
    assert_eq!(
        resp["note"],
        json!(null),
        "the response precedes the workflow"
    );

    let a = instance(&t, "a_plain").await;
    assert_eq!(a["status"], json!("completed"), "{a}");
    assert_eq!(a["current_step"], json!(""));
    assert!(a.get("current_step_deadline").is_none(), "{a}");
    assert_eq!(
        trail(&a),
        pairs(&[("a1", "completed"), ("a2", "on_true"), ("a3", "completed")])
    );
    for h in a["history"].as_array().unwrap() {
        assert_eq!(
            sorted_keys(h),
            ["at", "status", "step"],
            "no `by` here: {h}"
        );
        near(whole_seconds(&h["at"]), Utc::now());
    }
    let b = instance(&t, "b_goto_end").await;
    assert_eq!(b["status"], json!("completed"));
    assert_eq!(trail(&b), pairs(&[("b1", "completed")]));
    let c = instance(&t, "c_missing").await;
    assert_eq!(c["status"], json!("completed"));
    assert_eq!(trail(&c), pairs(&[("c1", "completed")]));
    let rec = record(&t, &po).await;
    assert_eq!(rec["note"], json!("a1"));
    assert_eq!(rec["flag"], json!("a3"));
    assert_eq!(rec["stage"], json!(null), "b2 never ran");
    assert_eq!(rec["approver"], json!("c1"), "c2 never ran");

    let d = instance(&t, "d_approval").await;
    assert_eq!(d["status"], json!("running"));
    assert_eq!(d["current_step"], json!("d2"));
    assert_eq!(
        trail(&d),
        pairs(&[("d1", "on_false")]),
        "entering an approval adds nothing"
    );
    let listed = pending(&t).await;
    assert_eq!(listed.len(), 1, "only the paused instance is pending");
    assert_eq!(listed[0], d);
    let done = approve(&t, d["id"].as_str().unwrap())
        .await
        .data(200)
        .clone();
    assert_eq!(
        done["status"],
        json!("completed"),
        "missing on_approve ends"
    );
    assert_eq!(done["current_step"], json!(""));
    assert_eq!(
        trail(&done),
        pairs(&[("d1", "on_false"), ("d2", "approved")])
    );
    assert!(pending(&t).await.is_empty());
}

async fn instance_shape(t: T) {
    setup(&t).await;
    let wf = workflow(
        &t,
        "shape",
        "pending",
        rid(),
        json!([{"id": "wait", "type": "approval", "timeout": "72h"}]),
    )
    .await;
    let po = new_po(&t, json!({"status": "pending"})).await;
    let i = instance(&t, "shape").await;
    assert_eq!(
        keys(&i),
        [
            "id",
            "workflow_id",
            "workflow_name",
            "status",
            "current_step",
            "current_step_deadline",
            "context",
            "history",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(i["workflow_id"], json!(wf));
    assert_eq!(i["workflow_name"], json!("shape"));
    assert_eq!(i["context"], json!({"rid": po}));
    assert_eq!(i["history"], json!([]));
    assert!(uuid::Uuid::parse_str(i["id"].as_str().unwrap()).is_ok());
    for k in ["created_at", "updated_at"] {
        let s = i[k].as_str().unwrap();
        assert!(s.ends_with('Z') && s.contains('T'), "{k}: {s}");
    }
}

// ---------------------------------------------------------------------------------
// Triggers

async fn starts_on_update_and_on_create(t: T) {
    setup(&t).await;
    workflow(
        &t,
        "on_pending",
        "pending",
        rid(),
        json!([{"id": "wait", "type": "approval"}]),
    )
    .await;
    let a = new_po(&t, json!({"number": "A", "status": "draft"})).await;
    new_po(&t, json!({"number": "no state"})).await;
    assert_eq!(instance_ids(&t, "on_pending").await.len(), 0);
    move_to(&t, &a, "pending").await;
    assert_eq!(
        instance_ids(&t, "on_pending").await.len(),
        1,
        "update into the state"
    );
    // Not a state change: the same state again, or another field.
    move_to(&t, &a, "pending").await;
    t.update(&format!("/po/{a}"), json!({"note": "x"})).await;
    assert_eq!(
        instance_ids(&t, "on_pending").await.len(),
        1,
        "no change, no start"
    );
    // Leaving and re-entering starts another.
    move_to(&t, &a, "draft").await;
    move_to(&t, &a, "pending").await;
    assert_eq!(instance_ids(&t, "on_pending").await.len(), 2);
    // Created directly in the trigger state (old state is "").
    let b = new_po(&t, json!({"number": "B", "status": "pending"})).await;
    let ids = instance_ids(&t, "on_pending").await;
    assert_eq!(ids.len(), 3);
    let started_for_b = instances(&t, "on_pending")
        .await
        .iter()
        .filter(|i| i["context"]["rid"] == json!(b))
        .count();
    assert_eq!(started_for_b, 1, "the create started one for B");
    // Deletes never start anything.
    t.delete(&format!("/po/{b}")).await.expect(200);
    assert_eq!(instance_ids(&t, "on_pending").await.len(), 3);

    // The state a create stores, not the payload's (a default counts, 09 §3.1 Rust).
    t.entity(
        "ticket",
        json!([{"name": "status", "type": "string", "default": "open"}]),
    )
    .await;
    let machine = json!({"entity": "ticket", "field": "status", "active": true,
        "definition": {"initial": "open", "transitions": [{"from": "open", "to": "closed"}]}});
    t.post("/_admin/state-machines", machine).await.expect(201);
    let on_open = json!({"name": "on_open",
        "trigger": {"type": "state_change", "entity": "ticket", "field": "status", "to": "open"},
        "context": rid(), "steps": [{"id": "w", "type": "approval"}]});
    t.post("/_admin/workflows", on_open).await.expect(201);
    let tk = id(&t.create("ticket", json!({})).await);
    let i = instance(&t, "on_open").await;
    assert_eq!(
        i["context"]["rid"],
        json!(tk),
        "started by the default state"
    );
}

async fn never_starts_without_active_machine_or_when_inactive(t: T) {
    setup(&t).await;
    // `note` has no machine; `stage` has an inactive one.
    let no_machine = json!({"name": "on_note", "trigger": trigger("note", "x"),
        "steps": [{"id": "w", "type": "approval"}]});
    t.post("/_admin/workflows", no_machine).await.expect(201);
    machine(&t, "stage", false).await;
    let inactive_machine = json!({"name": "on_stage", "trigger": trigger("stage", "review"),
        "steps": [{"id": "w", "type": "approval"}]});
    t.post("/_admin/workflows", inactive_machine)
        .await
        .expect(201);
    // An inactive workflow beside an active one on the same trigger.
    let off = json!({"name": "off", "trigger": trigger("status", "pending"), "active": false,
        "steps": [{"id": "w", "type": "approval"}]});
    assert_eq!(
        t.post("/_admin/workflows", off).await.data(201)["active"],
        json!(false)
    );
    let on = workflow(
        &t,
        "on",
        "pending",
        rid(),
        json!([{"id": "w", "type": "approval"}]),
    )
    .await;

    let p = new_po(
        &t,
        json!({"note": "x", "stage": "review", "status": "pending"}),
    )
    .await;
    t.update(&format!("/po/{p}"), json!({"note": "y"})).await;
    t.update(&format!("/po/{p}"), json!({"note": "x", "stage": "draft"}))
        .await;
    t.update(&format!("/po/{p}"), json!({"stage": "review"}))
        .await;
    assert!(
        instance_ids(&t, "on_note").await.is_empty(),
        "no machine on note"
    );
    assert!(
        instance_ids(&t, "on_stage").await.is_empty(),
        "machine inactive"
    );
    assert!(
        instance_ids(&t, "off").await.is_empty(),
        "workflow inactive"
    );
    assert_eq!(
        instance_ids(&t, "on").await.len(),
        1,
        "the active sibling started"
    );

    // Deactivating through PUT stops it; reactivating starts again.
    let mut body = t.fetch(&format!("/_admin/workflows/{on}")).await;
    body["active"] = json!(false);
    t.put(&format!("/_admin/workflows/{on}"), body.clone())
        .await
        .expect(200);
    let q = new_po(&t, json!({"status": "pending"})).await;
    assert_eq!(instance_ids(&t, "on").await.len(), 1, "deactivated");
    // A running instance of a deactivated workflow can still finish.
    let running = instance(&t, "on").await;
    let done = approve(&t, running["id"].as_str().unwrap()).await;
    assert_eq!(done.data(200)["status"], json!("completed"));
    body["active"] = json!(true);
    t.put(&format!("/_admin/workflows/{on}"), body)
        .await
        .expect(200);
    move_to(&t, &q, "draft").await;
    move_to(&t, &q, "pending").await;
    assert_eq!(instance_ids(&t, "on").await.len(), 2, "reactivated");
}

// ---------------------------------------------------------------------------------
// Context and actions

async fn context_resolution(t: T) {
    setup(&t).await;
    let ctx = json!({
        "rid": "trigger.record_id",
        "rid2": "record_id",
        "pk": "record.id",
        "number": "trigger.record.number",
        "number2": "record.number",
        "amount": "record.amount",
        "note": "record.note",
        "literal": "purchase_order",
        "deeper": "record.number.x",
        "missing": "record.nope",
        "whole": "trigger.record",
    });
    workflow(
        &t,
        "ctx",
        "pending",
        ctx,
        json!([{"id": "w", "type": "approval"}]),
    )
    .await;
    let po = new_po(
        &t,
        json!({"number": "PO-7", "amount": 25000, "status": "pending"}),
    )
    .await;
    let rec = record(&t, &po).await;
    let c = instance(&t, "ctx").await["context"].clone();
    assert_eq!(c["rid"], json!(po));
    assert_eq!(c["rid2"], json!(po));
    assert_eq!(c["pk"], json!(po));
    assert_eq!(c["number"], json!("PO-7"));
    assert_eq!(c["number2"], json!("PO-7"));
    let amount = match t.db {
        Db::Postgres => json!("25000.00"),
        Db::Sqlite => json!(25000),
    };
    assert_eq!(c["amount"], amount, "rendered as in the record");
    assert_eq!(c["note"], json!(null), "a null field");
    assert_eq!(c["literal"], json!(null), "no literal constants");
    assert_eq!(c["deeper"], json!(null), "through a non-object");
    assert_eq!(c["missing"], json!(null));
    assert_eq!(c["whole"], rec, "the re-read record");
    assert_eq!(keys(&c).len(), 11, "every mapping is a key: {c}");
}

async fn set_field_actions(t: T) {
    setup(&t).await;
    workflow(
        &t,
        "stamp",
        "pending",
        rid(),
        json!([{"id": "s", "type": "action", "then": "end", "actions": [
            set("approved_at", json!("now")),
            set("note", json!("literal")),
            set("amount", json!(12.5)),
            set("status", json!("done")),
        ]}]),
    )
    .await;
    // set_field starts no workflow, even into a trigger state.
    workflow(
        &t,
        "on_done",
        "done",
        rid(),
        json!([{"id": "w", "type": "approval"}]),
    )
    .await;
    let po = new_po(&t, json!({"number": "S", "status": "draft", "amount": 3})).await;
    let resp = move_to(&t, &po, "pending").await;
    assert_eq!(resp["status"], json!("pending"), "the write's own response");
    assert_eq!(resp["note"], json!(null));
    assert_eq!(resp["approved_at"], json!(null));
    let rec = record(&t, &po).await;
    assert_eq!(rec["note"], json!("literal"));
    assert_eq!(
        rec["status"],
        json!("done"),
        "set_field bypasses the machine"
    );
    let amount = match t.db {
        Db::Postgres => json!("12.50"),
        Db::Sqlite => json!(12.5),
    };
    assert_eq!(rec["amount"], amount);
    let at = rec["approved_at"].as_str().expect("approved_at stamped");
    near(
        DateTime::parse_from_rfc3339(at)
            .unwrap()
            .with_timezone(&Utc),
        Utc::now(),
    );
    let i = instance(&t, "stamp").await;
    assert_eq!(i["status"], json!("completed"));
    assert_eq!(trail(&i), pairs(&[("s", "completed")]));
    assert!(
        instance_ids(&t, "on_done").await.is_empty(),
        "set_field never triggers"
    );
}

async fn failing_actions_fail_the_instance(t: T) {
    setup(&t).await;
    let bad = [
        ("unknown_field", set("nope", json!("x"))),
        ("primary_key", set("id", json!("x"))),
        (
            "unknown_entity",
            json!({"type": "set_field", "entity": "ghost", "record_id": "context.rid", "field": "note", "value": "x"}),
        ),
        (
            "no_entity",
            json!({"type": "set_field", "record_id": "context.rid", "field": "note", "value": "x"}),
        ),
        (
            "unresolved_id",
            json!({"type": "set_field", "entity": "po", "record_id": "context.nothing", "field": "note", "value": "x"}),
        ),
        ("wrong_type", set("amount", json!("lots"))),
    ];
    for (name, action) in &bad {
        workflow(
            &t,
            name,
            "pending",
            rid(),
            json!([
                {"id": "first", "type": "action", "actions": [action], "then": "after"},
                {"id": "after", "type": "action", "actions": [set("flag", json!("after ran"))]},
            ]),
        )
        .await;
    }
    // Unknown or no-op action types succeed.
    workflow(
        &t,
        "z_noops",
        "pending",
        rid(),
        json!([{"id": "n", "type": "action", "actions": [
            {"type": "create_record", "entity": "po"}, {"type": "send_event", "event": "x"}, {"type": "teleport"},
            set("note", json!("noops ran"))]}]),
    )
    .await;
    // No such record (a well-formed id, or not even a key): zero rows is no error.
    workflow(
        &t,
        "z_zero_rows",
        "pending",
        json!({"ghost": "record.approver", "junk": "record.number"}),
        json!([{"id": "n", "type": "action", "actions": [
            {"type": "set_field", "entity": "po", "record_id": "context.ghost", "field": "note", "value": "x"},
            {"type": "set_field", "entity": "po", "record_id": "context.junk", "field": "note", "value": "x"}]}]),
    )
    .await;
    // A condition without an expression fails at run time (saved without one).
    workflow(
        &t,
        "z_empty_condition",
        "pending",
        rid(),
        json!([{"id": "c", "type": "condition", "on_true": "end", "on_false": "end"}]),
    )
    .await;
    let ghost = "0b7a6c2e-1111-4222-8333-944455556666";
    let body = json!({"status": "draft", "approver": ghost, "number": "not-a-uuid"});
    let po = new_po(&t, body).await;
    let resp = t
        .put(&format!("/po/{po}"), json!({"status": "pending"}))
        .await;
    assert_eq!(
        resp.data(200)["status"],
        json!("pending"),
        "the write still succeeds"
    );
    let z = instance(&t, "z_zero_rows").await;
    assert_eq!(z["status"], json!("completed"), "{z}");
    for (name, _) in &bad {
        let i = instance(&t, name).await;
        assert_eq!(i["status"], json!("failed"), "{name}: {i}");
        assert_eq!(
            i["current_step"],
            json!("first"),
            "{name}: stays at the failing step"
        );
        assert_eq!(
            i["history"],
            json!([]),
            "{name}: a failing step adds no entry"
        );
    }
    let rec = record(&t, &po).await;
    assert_eq!(rec["flag"], json!(null), "no step after a failure ran");
    assert_eq!(rec["note"], json!("noops ran"));
    assert_eq!(instance(&t, "z_noops").await["status"], json!("completed"));
    let c = instance(&t, "z_empty_condition").await;
    assert_eq!(c["status"], json!("failed"));
    assert_eq!(c["current_step"], json!("c"));
    let msg = "workflow instance is not running (status: failed)";
    approve(&t, &id(&c))
        .await
        .error_is(422, "VALIDATION_FAILED", msg);
    assert!(
        pending(&t).await.is_empty(),
        "failed instances are not pending"
    );
}

async fn condition_branches(t: T) {
    setup(&t).await;
    workflow(
        &t,
        "amount",
        "pending",
        json!({"rid": "trigger.record_id", "amount": "record.amount"}),
        json!([
            {"id": "check", "type": "condition", "expression": "context.amount > 1000",
             "on_true": {"goto": "big"}, "on_false": {"goto": "small"}},
            {"id": "big", "type": "action", "actions": [set("note", json!("big"))], "then": "end"},
            {"id": "small", "type": "action", "actions": [set("note", json!("small"))], "then": "end"},
        ]),
    )
    .await;
    let big = new_po(&t, json!({"amount": 25000, "status": "pending"})).await;
    let small = new_po(&t, json!({"amount": 10, "status": "pending"})).await;
    let edge = new_po(&t, json!({"amount": 1000, "status": "pending"})).await;
    let none = new_po(&t, json!({"status": "pending"})).await;
    assert_eq!(record(&t, &big).await["note"], json!("big"));
    assert_eq!(record(&t, &small).await["note"], json!("small"));
    assert_eq!(
        record(&t, &edge).await["note"],
        json!("small"),
        "1000 is not > 1000"
    );
    let i = instance_for(&t, "amount", &big).await;
    assert_eq!(
        trail(&i),
        pairs(&[("check", "on_true"), ("big", "completed")])
    );
    assert_eq!(i["status"], json!("completed"));
    let i = instance_for(&t, "amount", &small).await;
    assert_eq!(
        trail(&i),
        pairs(&[("check", "on_false"), ("small", "completed")])
    );
    // `null > 1000` is an evaluation error (10 §7): the instance fails.
    let i = instance_for(&t, "amount", &none).await;
    assert_eq!(i["status"], json!("failed"), "{i}");
    assert_eq!(i["current_step"], json!("check"));
    assert_eq!(i["history"], json!([]));
    assert_eq!(record(&t, &none).await["note"], json!(null));
}

async fn cycles_fail(t: T) {
    setup(&t).await;
    workflow(
        &t,
        "self_loop",
        "pending",
        rid(),
        json!([{"id": "spin", "type": "action", "actions": [], "then": {"goto": "spin"}}]),
    )
    .await;
    workflow(
        &t,
        "two_loop",
        "pending",
        rid(),
        json!([
            {"id": "a", "type": "action", "actions": [], "then": "b"},
            {"id": "b", "type": "condition", "expression": "true", "on_true": "a", "on_false": "end"},
        ]),
    )
    .await;
    workflow(
        &t,
        "loop_after_approval",
        "pending",
        rid(),
        json!([
            {"id": "ok", "type": "approval", "on_approve": "spin"},
            {"id": "spin", "type": "action", "actions": [], "then": "spin"},
        ]),
    )
    .await;
    let po = new_po(&t, json!({"status": "draft"})).await;
    let r = t
        .put(&format!("/po/{po}"), json!({"status": "pending"}))
        .await;
    assert_eq!(
        r.data(200)["status"],
        json!("pending"),
        "the write still answers 200"
    );
    let i = instance(&t, "self_loop").await;
    assert_eq!(i["status"], json!("failed"), "{}", i["status"]);
    let i = instance(&t, "two_loop").await;
    assert_eq!(i["status"], json!("failed"), "{}", i["status"]);
    let i = instance(&t, "loop_after_approval").await;
    let after = approve(&t, i["id"].as_str().unwrap()).await;
    assert_eq!(
        after.data(200)["status"],
        json!("failed"),
        "200 even when the run after approval fails"
    );
    assert!(pending(&t).await.is_empty());
}

// ---------------------------------------------------------------------------------
// Approvals

async fn approval_workflow(t: &T) {
    workflow(
        t,
        "review",
        "pending",
        rid(),
        json!([
            {"id": "review", "type": "approval", "on_approve": {"goto": "final"}, "on_reject": "no"},
            {"id": "final", "type": "approval", "timeout": "1h30m",
             "on_approve": {"goto": "ok"}, "on_reject": {"goto": "no"}},
            {"id": "ok", "type": "action", "then": "end",
             "actions": [set("note", json!("approved")), set("approved_at", json!("now"))]},
            {"id": "no", "type": "action", "then": {"goto": "end"}, "actions": [set("note", json!("rejected"))]},
        ]),
    )
    .await;
}

async fn approve_and_reject(t: T) {
    setup(&t).await;
    approval_workflow(&t).await;
    let me = admin_id(&t).await;
    let a = new_po(&t, json!({"number": "A", "status": "pending"})).await;
    let b = new_po(&t, json!({"number": "B", "status": "pending"})).await;
    assert_eq!(pending(&t).await.len(), 2);
    let ia = instance_for(&t, "review", &a).await;
    let ia_id = ia["id"].as_str().unwrap().to_string();
    assert!(
        ia.get("current_step_deadline").is_none(),
        "no timeout, no deadline"
    );

    // Approve, with a spoofed X-User-ID header that must be ignored and a body that is.
    let r = t
        .http
        .post(t.url(&format!("/_workflows/{ia_id}/approve")))
        .bearer_auth(t.token.as_deref().unwrap())
        .header("X-User-ID", "spoofed-user")
        .json(&json!({"by": "someone", "status": "rejected"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let body: Value = r.json().await.unwrap();
    let step1 = body["data"].clone();
    assert_eq!(step1["status"], json!("running"));
    assert_eq!(step1["current_step"], json!("final"));
    let deadline = whole_or_fraction(&step1["current_step_deadline"]);
    near(deadline, Utc::now() + chrono::Duration::minutes(90));
    let h = &step1["history"][0];
    assert_eq!(sorted_keys(h), ["at", "by", "status", "step"]);
    assert_eq!(h["step"], json!("review"));
    assert_eq!(h["status"], json!("approved"));
    assert_eq!(h["by"], json!(me), "the token's subject, not X-User-ID");
    near(whole_seconds(&h["at"]), Utc::now());
    assert_eq!(step1["history"].as_array().unwrap().len(), 1);
    assert_eq!(
        t.fetch(&format!("/_workflows/{ia_id}")).await,
        step1,
        "stored as answered"
    );
    let at_final = pending(&t).await;
    assert!(at_final
        .iter()
        .any(|i| i["id"] == json!(ia_id) && i["current_step"] == json!("final")));
    assert_eq!(
        record(&t, &a).await["note"],
        json!(null),
        "ok has not run yet"
    );

    let done = approve(&t, &ia_id).await.data(200).clone();
    assert_eq!(done["status"], json!("completed"));
    assert_eq!(done["current_step"], json!(""));
    assert!(
        done.get("current_step_deadline").is_none(),
        "deadline cleared: {done}"
    );
    assert_eq!(
        trail(&done),
        pairs(&[
            ("review", "approved"),
            ("final", "approved"),
            ("ok", "completed")
        ])
    );
    assert_eq!(done["history"][1]["by"], json!(me));
    assert!(done["history"][2].get("by").is_none());
    let rec = record(&t, &a).await;
    assert_eq!(rec["note"], json!("approved"));
    assert!(rec["approved_at"].is_string());
    assert!(
        pending(&t).await.iter().all(|i| i["id"] != json!(ia_id)),
        "completed instances leave pending"
    );
    // Acting on a finished instance.
    let msg = "workflow instance is not running (status: completed)";
    approve(&t, &ia_id)
        .await
        .error_is(422, "VALIDATION_FAILED", msg);
    reject(&t, &ia_id)
        .await
        .error_is(422, "VALIDATION_FAILED", msg);

    // Reject path.
    let ib = instance_for(&t, "review", &b).await;
    let ib_id = ib["id"].as_str().unwrap().to_string();
    let rejected = reject(&t, &ib_id).await.data(200).clone();
    assert_eq!(rejected["status"], json!("completed"));
    assert_eq!(
        trail(&rejected),
        pairs(&[("review", "rejected"), ("no", "completed")])
    );
    assert_eq!(rejected["history"][0]["by"], json!(me));
    assert_eq!(record(&t, &b).await["note"], json!("rejected"));
    assert!(pending(&t).await.is_empty());
    approve(&t, &ib_id)
        .await
        .error_is(422, "VALIDATION_FAILED", msg);
}

/// A deadline: RFC 3339 (its precision is not specified beyond that).
#[track_caller]
fn whole_or_fraction(v: &Value) -> DateTime<Utc> {
    let s = v.as_str().unwrap_or_else(|| panic!("a deadline: {v}"));
    assert!(s.ends_with('Z'), "UTC: {s}");
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

async fn deadlines(t: T) {
    setup(&t).await;
    for (name, timeout) in [
        ("t72h", json!("72h")),
        ("t90s", json!("90s")),
        ("t_none", json!(null)),
        ("t_days", json!("3d")),
        ("t_zero", json!("0s")),
        ("t_empty", json!("")),
    ] {
        workflow(
            &t,
            name,
            "pending",
            rid(),
            json!([{"id": "w", "type": "approval", "timeout": timeout, "on_timeout": "end"}]),
        )
        .await;
    }
    new_po(&t, json!({"status": "pending"})).await;
    let now = Utc::now();
    let i = instance(&t, "t72h").await;
    near(
        whole_or_fraction(&i["current_step_deadline"]),
        now + chrono::Duration::hours(72),
    );
    let i = instance(&t, "t90s").await;
    near(
        whole_or_fraction(&i["current_step_deadline"]),
        now + chrono::Duration::seconds(90),
    );
    for name in ["t_none", "t_days", "t_zero", "t_empty"] {
        let i = instance(&t, name).await;
        assert_eq!(i["status"], json!("running"));
        assert!(
            i.get("current_step_deadline").is_none(),
            "{name}: no deadline, the key is omitted: {i}"
        );
    }
    let listed = pending(&t).await;
    assert_eq!(listed.len(), 6);
    let with_deadline = listed
        .iter()
        .filter(|i| i.get("current_step_deadline").is_some())
        .count();
    assert_eq!(with_deadline, 2);
}

async fn runtime_errors(t: T) {
    setup(&t).await;
    let unknown = "0b7a6c2e-1111-4222-8333-944455556666";
    for bad in [unknown, "not-a-uuid"] {
        let msg = format!("workflow instance not found: {bad}");
        approve(&t, bad)
            .await
            .error_is(422, "VALIDATION_FAILED", &msg);
        reject(&t, bad)
            .await
            .error_is(422, "VALIDATION_FAILED", &msg);
        let msg = format!("Workflow instance not found: {bad}");
        t.get(&format!("/_workflows/{bad}"))
            .await
            .error_is(404, "NOT_FOUND", &msg);
    }
    let del = t.delete(&format!("/_workflows/{unknown}")).await;
    assert_eq!(del.data(200), &json!({"deleted": true}));
    t.delete("/_workflows/not-a-uuid").await.error_is(
        404,
        "NOT_FOUND",
        "Workflow instance not found: not-a-uuid",
    );
    assert_eq!(
        t.get("/_workflows/pending").await.expect(200),
        &json!({"data": []})
    );
    // A token is required; any app user's does (no admin role).
    t.anon()
        .get("/_workflows/pending")
        .await
        .error(401, "UNAUTHORIZED");
    workflow(
        &t,
        "w",
        "pending",
        rid(),
        json!([{"id": "w", "type": "approval"}]),
    )
    .await;
    new_po(&t, json!({"status": "pending"})).await;
    let clerk = t.as_user("clerk@x.io", json!(["clerk"])).await;
    let listed = pending(&clerk).await;
    assert_eq!(listed.len(), 1);
    let i = listed[0]["id"].as_str().unwrap().to_string();
    assert_eq!(clerk.fetch(&format!("/_workflows/{i}")).await, listed[0]);
    // Delete an existing instance (as a plain user).
    assert_eq!(
        clerk.delete(&format!("/_workflows/{i}")).await.data(200),
        &json!({"deleted": true})
    );
    t.get(&format!("/_workflows/{i}")).await.error_is(
        404,
        "NOT_FOUND",
        &format!("Workflow instance not found: {i}"),
    );
    assert!(pending(&t).await.is_empty());
    approve(&t, &i).await.error_is(
        422,
        "VALIDATION_FAILED",
        &format!("workflow instance not found: {i}"),
    );
}

async fn assignees_are_enforced(t: T) {
    setup(&t).await;
    let (u1, u1_token) = t.user("u1@x.io", json!(["clerk"])).await;
    let u1c = t.with_token(Some(&u1_token));
    let u2c = t.as_user("u2@x.io", json!(["clerk"])).await;
    let manager = t.as_user("m@x.io", json!(["clerk", "manager"])).await;
    let boss = t.as_user("boss@x.io", json!(["admin"])).await;
    let forbidden = "Not allowed to act on this approval step";
    workflow(
        &t,
        "by_role",
        "pending",
        rid(),
        json!([{"id": "s", "type": "approval", "assignee": {"type": "role", "role": "Manager"}}]),
    )
    .await;
    workflow(
        &t,
        "by_user",
        "pending",
        rid(),
        json!([{"id": "s", "type": "approval", "assignee": {"type": "fixed", "user": u1}}]),
    )
    .await;
    workflow(
        &t,
        "by_relation",
        "pending",
        json!({"rid": "trigger.record_id", "approver": "record.approver"}),
        json!([{"id": "s", "type": "approval",
                "assignee": {"type": "relation", "path": "context.approver"}}]),
    )
    .await;
    let p1 = new_po(&t, json!({"status": "pending", "approver": u1})).await;
    let p2 = new_po(&t, json!({"status": "pending", "approver": u1})).await;
    let inst = |wf: &'static str, p: String| {
        let t = t.clone();
        async move {
            instance_for(&t, wf, &p).await["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };

    // Role: a holder (case ignored) or an admin; nobody else, neither way.
    let r1 = inst("by_role", p1.clone()).await;
    let r2 = inst("by_role", p2.clone()).await;
    approve(&u1c, &r1)
        .await
        .error_is(403, "FORBIDDEN", forbidden);
    reject(&u1c, &r1)
        .await
        .error_is(403, "FORBIDDEN", forbidden);
    let still = t.fetch(&format!("/_workflows/{r1}")).await;
    assert_eq!(
        still["status"],
        json!("running"),
        "a refusal changes nothing"
    );
    assert_eq!(still["history"], json!([]));
    let ok = approve(&manager, &r1).await.data(200).clone();
    assert_eq!(ok["status"], json!("completed"));
    let manager_id = id(t
        .fetch("/_admin/users")
        .await
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == json!("m@x.io"))
        .unwrap());
    assert_eq!(ok["history"][0]["by"], json!(manager_id));
    assert_eq!(
        reject(&boss, &r2).await.data(200)["status"],
        json!("completed")
    );

    // Fixed user: that user or an admin.
    let f1 = inst("by_user", p1.clone()).await;
    let f2 = inst("by_user", p2.clone()).await;
    approve(&u2c, &f1)
        .await
        .error_is(403, "FORBIDDEN", forbidden);
    approve(&manager, &f1)
        .await
        .error_is(403, "FORBIDDEN", forbidden);
    let ok = approve(&u1c, &f1).await.data(200).clone();
    assert_eq!(ok["history"][0]["by"], json!(u1));
    assert_eq!(
        approve(&t, &f2).await.data(200)["status"],
        json!("completed")
    );

    // Relation: the user the context path names.
    let l1 = inst("by_relation", p1.clone()).await;
    let l2 = inst("by_relation", p2.clone()).await;
    assert_eq!(
        t.fetch(&format!("/_workflows/{l1}")).await["context"]["approver"],
        json!(u1)
    );
    reject(&u2c, &l1)
        .await
        .error_is(403, "FORBIDDEN", forbidden);
    approve(&manager, &l1)
        .await
        .error_is(403, "FORBIDDEN", forbidden);
    let ok = reject(&u1c, &l1).await.data(200).clone();
    assert_eq!(ok["history"][0]["status"], json!("rejected"));
    assert_eq!(ok["history"][0]["by"], json!(u1));
    assert_eq!(
        approve(&boss, &l2).await.data(200)["status"],
        json!("completed")
    );
    assert!(pending(&t).await.is_empty());
}

// ---------------------------------------------------------------------------------
// Webhook actions against a real receiver

#[derive(Debug, Clone)]
struct Hit {
    method: String,
    path: String,
    content_type: Option<String>,
    body: Value,
}

/// A local HTTP receiver: `/fail` answers 500, `/created` 201, anything else 200;
/// every request is recorded. Returns its base URL.
async fn receiver() -> (String, Arc<Mutex<Vec<Hit>>>) {
    let hits: Arc<Mutex<Vec<Hit>>> = Arc::default();
    let seen = hits.clone();
    let handler = move |method: axum::http::Method,
                        uri: axum::http::Uri,
                        headers: axum::http::HeaderMap,
                        body: axum::body::Bytes| {
        let seen = seen.clone();
        async move {
            seen.lock().unwrap().push(Hit {
                method: method.to_string(),
                path: uri.path().to_string(),
                content_type: headers
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .map(String::from),
                body: serde_json::from_slice(&body).unwrap_or(Value::Null),
            });
            match uri.path() {
                "/fail" => axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                "/created" => axum::http::StatusCode::CREATED,
                _ => axum::http::StatusCode::OK,
            }
        }
    };
    let app = axum::Router::new().fallback(handler);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (format!("http://{addr}"), hits)
}

/// A port nothing listens on.
async fn closed_port() -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap().port()
}

fn hook(url: &str, method: Option<&str>) -> Value {
    let mut a = json!({"type": "webhook", "url": url});
    if let Some(m) = method {
        a["method"] = json!(m);
    }
    a
}

async fn webhook_actions(t: T) {
    setup(&t).await;
    let (base, hits) = receiver().await;
    let dead = format!("http://127.0.0.1:{}/hook", closed_port().await);
    let ctx = json!({"rid": "trigger.record_id", "number": "record.number"});
    let one = |name: &'static str, action: Value| {
        let (t, ctx) = (t.clone(), ctx.clone());
        async move {
            let steps = json!([
                {"id": "call", "type": "action", "actions": [action], "then": "mark"},
                {"id": "mark", "type": "action", "actions": [set("flag", json!(name))]},
            ]);
            workflow(&t, name, "pending", ctx, steps).await;
        }
    };
    one("h1_ok", hook(&format!("{base}/ok"), None)).await;
    one(
        "h2_created_put",
        hook(&format!("{base}/created"), Some("put")),
    )
    .await;
    one("h3_fail", hook(&format!("{base}/fail"), None)).await;
    one("h4_down", hook(&dead, None)).await;
    let po = new_po(&t, json!({"number": "W-1", "status": "draft"})).await;
    let r = t
        .put(&format!("/po/{po}"), json!({"status": "pending"}))
        .await;
    assert_eq!(
        r.data(200)["status"],
        json!("pending"),
        "failures never change the response"
    );

    let expected_ctx = json!({"rid": po, "number": "W-1"});
    let i = instance(&t, "h1_ok").await;
    assert_eq!(i["status"], json!("completed"), "{i}");
    assert_eq!(
        trail(&i),
        pairs(&[("call", "completed"), ("mark", "completed")])
    );
    let i = instance(&t, "h2_created_put").await;
    assert_eq!(i["status"], json!("completed"), "any 2xx: {i}");
    for name in ["h3_fail", "h4_down"] {
        let i = instance(&t, name).await;
        assert_eq!(i["status"], json!("failed"), "{name}: {i}");
        assert_eq!(i["current_step"], json!("call"));
        assert_eq!(i["history"], json!([]));
    }
    assert_eq!(
        record(&t, &po).await["flag"],
        json!("h2_created_put"),
        "only the successful ones went on (in name order)"
    );
    let hits = hits.lock().unwrap().clone();
    assert_eq!(hits.len(), 3, "{hits:?}");
    let by_path = |p: &str| hits.iter().find(|h| h.path == p).unwrap().clone();
    let ok = by_path("/ok");
    assert_eq!(ok.method, "POST", "POST by default");
    assert_eq!(ok.content_type.as_deref(), Some("application/json"));
    assert_eq!(ok.body, expected_ctx, "the context is the body");
    let put = by_path("/created");
    assert_eq!(put.method, "PUT");
    assert_eq!(put.body, expected_ctx);
    assert_eq!(by_path("/fail").method, "POST");
}

// ---------------------------------------------------------------------------------
// Admin API

fn valid(name: &str) -> Value {
    json!({"name": name, "trigger": trigger("status", "pending"),
        "steps": [{"id": "a", "type": "action"}]})
}

async fn admin_crud_and_validation(t: T) {
    setup(&t).await;
    // Defaults, the answer's shape, gotos stored as received.
    let steps = json!([
        {"id": "a", "type": "action", "actions": [], "then": "b"},
        {"id": "b", "type": "condition", "expression": "context.x > 1",
         "on_true": {"goto": "c"}, "on_false": {"goto": "end"}},
        {"id": "c", "type": "approval", "on_approve": "end", "on_timeout": {"goto": "a"}},
    ]);
    let body = json!({"name": "zeta", "trigger": trigger("status", "pending"), "steps": steps});
    let created = t.post("/_admin/workflows", body).await.data(201).clone();
    assert_eq!(
        keys(&created),
        ["id", "name", "trigger", "context", "steps", "active"]
    );
    assert_eq!(created["context"], json!({}), "context defaults to {{}}");
    assert_eq!(created["active"], json!(true), "active defaults to true");
    assert_eq!(created["steps"], steps, "stored as received");
    let zid = id(&created);
    let alpha = id(t.post("/_admin/workflows", valid("alpha")).await.data(201));
    let row = t.fetch(&format!("/_admin/workflows/{zid}")).await;
    assert_eq!(
        keys(&row),
        [
            "id",
            "name",
            "trigger",
            "context",
            "steps",
            "active",
            "created_at",
            "updated_at"
        ]
    );
    assert_eq!(row["steps"], steps);
    assert_eq!(row["trigger"], trigger("status", "pending"));
    let list = t.fetch("/_admin/workflows").await;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["alpha", "zeta"], "ordered by name");

    // PUT replaces.
    let mut replaced = valid("alpha");
    replaced["context"] = json!({"n": "record.number"});
    replaced["active"] = json!(false);
    let upd = t
        .put(&format!("/_admin/workflows/{alpha}"), replaced.clone())
        .await
        .data(200)
        .clone();
    assert_eq!(upd["id"], json!(alpha));
    assert_eq!(upd["context"], json!({"n": "record.number"}));
    assert_eq!(upd["active"], json!(false));
    assert_eq!(
        t.fetch(&format!("/_admin/workflows/{alpha}")).await["active"],
        json!(false)
    );

    // Wrong JSON types: 400 before any other check.
    for bad in [
        json!({"name": "", "context": {"x": 5}}),
        json!({"name": "x", "trigger": "state_change"}),
        json!({"name": "x", "trigger": trigger("status", "p"), "steps": {"id": "a"}}),
        json!({"name": "x", "trigger": trigger("status", "p"), "steps": ["a"]}),
        json!({"name": 5}),
        json!({"name": "x", "active": "yes"}),
        // Inside the typed model as well.
        json!({"name": "x", "trigger": {"type": "state_change", "entity": 5}}),
        json!({"name": "x", "trigger": trigger("status", "p"), "steps": [{"id": 5, "type": "action"}]}),
        json!({"name": "x", "trigger": trigger("status", "p"), "steps": [{"id": "a", "type": ["action"]}]}),
        json!({"name": "x", "trigger": trigger("status", "p"),
            "steps": [{"id": "a", "type": "condition", "expression": true}]}),
        json!({"name": "x", "trigger": trigger("status", "p"),
            "steps": [{"id": "a", "type": "approval", "timeout": 3600}]}),
        json!({"name": "x", "trigger": trigger("status", "p"),
            "steps": [{"id": "a", "type": "action", "actions": {"type": "webhook"}}]}),
    ] {
        t.post("/_admin/workflows", bad.clone()).await.error_is(
            400,
            "INVALID_PAYLOAD",
            "Invalid JSON body",
        );
    }
    // Validation, in order: each body also fails every later check.
    let st = |steps: Value| json!({"name": "v", "trigger": trigger("status", "p"), "steps": steps});
    let cases = [
        (
            json!({"trigger": {"type": "cron"}}),
            "workflow name is required".to_string(),
        ),
        (
            json!({"name": "v", "trigger": {"entity": "po"}}),
            "trigger type is required".into(),
        ),
        (
            json!({"name": "v", "trigger": {"type": "cron"}}),
            "unsupported trigger type: cron".into(),
        ),
        (
            json!({"name": "v", "trigger": {"type": "state_change"}}),
            "trigger entity is required".into(),
        ),
        (st(json!([])), "at least one step is required".into()),
        (
            json!({"name": "v", "trigger": trigger("status", "p")}),
            "at least one step is required".into(),
        ),
        (st(json!([{"type": "x"}])), "step id is required".into()),
        (
            st(
                json!([{"id": "a", "type": "action"}, {"id": "a", "type": "x"}, {"type": "action"}]),
            ),
            "duplicate step id: a".into(),
        ),
        (
            st(json!([{"id": "b", "type": "x"}, {"type": "action"}])),
            "invalid step type: x (must be action, condition, or approval)".into(),
        ),
        (
            st(json!([{"id": "b", "type": "action", "then": "zz"}])),
            "goto target not found: zz".into(),
        ),
        (
            st(json!([{"id": "b", "type": "approval", "on_timeout": {"goto": "yy"}}])),
            "goto target not found: yy".into(),
        ),
        (
            st(
                json!([{"id": "b", "type": "condition", "expression": "context.a >", "on_true": "end"}]),
            ),
            "invalid expression: ".into(),
        ),
        (
            st(json!([{"id": "b", "type": "condition", "expression": "record.amount > 1"}])),
            "invalid expression: ".into(),
        ),
    ];
    for (body, msg) in &cases {
        let r = t.post("/_admin/workflows", body.clone()).await;
        let e = r.error(422, "VALIDATION_FAILED");
        let got = e["message"].as_str().unwrap();
        if msg.ends_with(": ") {
            assert!(got.starts_with(msg.as_str()), "{body}: {got}");
        } else {
            assert_eq!(got, msg, "{body}");
        }
        assert!(e.get("details").is_none(), "no details: {e}");
        // PUT validates the same way, and changes nothing.
        let r = t
            .put(&format!("/_admin/workflows/{zid}"), body.clone())
            .await;
        assert_eq!(r.error(422, "VALIDATION_FAILED")["message"], json!(got));
    }
    assert_eq!(t.fetch(&format!("/_admin/workflows/{zid}")).await, row);
    // An empty condition expression is accepted at save time.
    let empty = st(json!([{"id": "b", "type": "condition", "on_true": "end"}]));
    t.post("/_admin/workflows", empty).await.expect(201);

    // Names are unique.
    t.post("/_admin/workflows", valid("alpha")).await.error_is(
        409,
        "CONFLICT",
        "Workflow already exists: alpha",
    );
    t.put(&format!("/_admin/workflows/{zid}"), valid("alpha"))
        .await
        .error_is(409, "CONFLICT", "Workflow already exists: alpha");
    // Unknown ids.
    let unknown = "0b7a6c2e-1111-4222-8333-944455556666";
    let msg = format!("Workflow not found: {unknown}");
    let path = format!("/_admin/workflows/{unknown}");
    t.get(&path).await.error_is(404, "NOT_FOUND", &msg);
    t.put(&path, valid("new"))
        .await
        .error_is(404, "NOT_FOUND", &msg);
    t.delete(&path).await.error_is(404, "NOT_FOUND", &msg);
    // Admins only.
    let clerk = t.as_user("c@x.io", json!(["clerk"])).await;
    clerk.get("/_admin/workflows").await.error(403, "FORBIDDEN");
    clerk
        .post("/_admin/workflows", valid("nope"))
        .await
        .error(403, "FORBIDDEN");
    // Delete.
    let del = t.delete(&format!("/_admin/workflows/{alpha}")).await;
    assert_eq!(del.data(200), &json!({"id": alpha, "deleted": true}));
    t.get(&format!("/_admin/workflows/{alpha}")).await.error_is(
        404,
        "NOT_FOUND",
        &format!("Workflow not found: {alpha}"),
    );
}

async fn deleting_a_workflow_deletes_its_instances(t: T) {
    setup(&t).await;
    let gone = workflow(
        &t,
        "gone",
        "pending",
        rid(),
        json!([{"id": "w", "type": "approval"}]),
    )
    .await;
    workflow(
        &t,
        "kept",
        "pending",
        rid(),
        json!([{"id": "w", "type": "approval"}]),
    )
    .await;
    new_po(&t, json!({"status": "pending"})).await;
    new_po(&t, json!({"status": "pending"})).await;
    assert_eq!(pending(&t).await.len(), 4);
    let doomed = instance_ids(&t, "gone").await;
    assert_eq!(doomed.len(), 2);
    t.delete(&format!("/_admin/workflows/{gone}"))
        .await
        .expect(200);
    assert!(
        instance_ids(&t, "gone").await.is_empty(),
        "instances deleted"
    );
    for i in doomed {
        t.get(&format!("/_workflows/{i}"))
            .await
            .error(404, "NOT_FOUND");
    }
    let left = pending(&t).await;
    assert_eq!(left.len(), 2);
    assert!(left.iter().all(|i| i["workflow_name"] == json!("kept")));
}

/// Steps are looked up in the current definition (09 §8): edits under a running
/// instance give the 422s of 09 §6.3.
async fn definition_changes_under_a_running_instance(t: T) {
    setup(&t).await;
    let steps = json!([{"id": "s", "type": "approval", "on_approve": "end"}]);
    let wf = workflow(&t, "edited", "pending", rid(), steps.clone()).await;
    new_po(&t, json!({"status": "pending"})).await;
    let i = id(&instance(&t, "edited").await);
    let path = format!("/_admin/workflows/{wf}");
    let put = |steps: Value, name: &str| json!({"name": name, "trigger": trigger("status", "pending"), "context": rid(), "steps": steps});
    t.put(&path, put(json!([{"id": "s", "type": "action"}]), "edited"))
        .await
        .expect(200);
    let msg = "current step is not an approval step";
    approve(&t, &i)
        .await
        .error_is(422, "VALIDATION_FAILED", msg);
    t.put(
        &path,
        put(json!([{"id": "other", "type": "approval"}]), "edited"),
    )
    .await
    .expect(200);
    let msg = "current step not found: s";
    reject(&t, &i).await.error_is(422, "VALIDATION_FAILED", msg);
    t.put(&path, put(steps.clone(), "renamed"))
        .await
        .expect(200);
    let msg = "workflow definition not found: edited";
    approve(&t, &i)
        .await
        .error_is(422, "VALIDATION_FAILED", msg);
    t.put(&path, put(steps, "edited")).await.expect(200);
    let still = t.fetch(&format!("/_workflows/{i}")).await;
    assert_eq!(still["status"], json!("running"));
    assert_eq!(still["history"], json!([]), "refusals change nothing");
    // Any body is ignored, even one that is not JSON.
    let r = t
        .raw(
            Method::POST,
            &format!("/_workflows/{i}/approve"),
            Some("application/json"),
            b"not json".to_vec(),
        )
        .await;
    assert_eq!(r.data(200)["status"], json!("completed"));
}

/// Spec 04 §6.1 step 18 / 09 §3.1: workflows run after COMMIT ("like Go"), so a
/// workflow webhook's receiver that reads the record back sees the write.
async fn workflow_webhook_sees_the_committed_write(t: T) {
    setup(&t).await;
    let seen: Arc<Mutex<Vec<Value>>> = Arc::default();
    let (log, http, api, token) = (
        seen.clone(),
        t.http.clone(),
        t.url("/po"),
        t.token.clone().unwrap(),
    );
    let handler = move |body: axum::body::Bytes| {
        let (log, http, api, token) = (log.clone(), http.clone(), api.clone(), token.clone());
        async move {
            let ctx: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
            let rid = ctx["rid"].as_str().unwrap_or_default().to_string();
            let read = http
                .get(format!("{api}/{rid}"))
                .bearer_auth(token)
                .timeout(std::time::Duration::from_secs(10))
                .send()
                .await;
            let status = match read {
                Ok(r) => r.json::<Value>().await.unwrap_or(Value::Null)["data"]["status"].clone(),
                Err(e) => json!(format!("read failed: {e}")),
            };
            log.lock().unwrap().push(status);
            axum::http::StatusCode::OK
        }
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, axum::Router::new().fallback(handler)).await;
    });
    workflow(
        &t,
        "notify",
        "pending",
        rid(),
        json!([{"id": "call", "type": "action", "actions": [hook(&url, None)]}]),
    )
    .await;
    let po = new_po(&t, json!({"status": "draft"})).await;
    move_to(&t, &po, "pending").await;
    assert_eq!(instance(&t, "notify").await["status"], json!("completed"));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [json!("pending")],
        "the receiver must see the committed state, not the one before the write"
    );
}

/// Pending is newest first; an approval's answer carries the new `updated_at`.
async fn pending_order_and_updated_at(t: T) {
    setup(&t).await;
    workflow(
        &t,
        "w",
        "pending",
        rid(),
        json!([{"id": "w", "type": "approval"}]),
    )
    .await;
    let first = new_po(&t, json!({"status": "pending"})).await;
    // Timestamps may have whole-second precision (SQLite).
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let second = new_po(&t, json!({"status": "pending"})).await;
    let listed = pending(&t).await;
    let order: Vec<Value> = listed.iter().map(|i| i["context"]["rid"].clone()).collect();
    assert_eq!(order, [json!(second), json!(first)], "newest first");
    let old = &listed[1];
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let done = approve(&t, &id(old)).await.data(200).clone();
    let stamp = |v: &Value| {
        DateTime::parse_from_rfc3339(v.as_str().unwrap())
            .unwrap()
            .with_timezone(&Utc)
    };
    assert_eq!(done["created_at"], old["created_at"]);
    assert!(
        stamp(&done["updated_at"]) > stamp(&old["updated_at"]),
        "the stored row, updated: {done}"
    );
}

/// Nested child writes never start workflows (09 §3.1), even into a trigger state.
async fn nested_writes_never_start_workflows(t: T) {
    setup(&t).await;
    t.entity(
        "line",
        json!([{"name": "po_id", "type": "uuid"}, {"name": "status", "type": "string"}]),
    )
    .await;
    t.relation(crate::common::one_to_many("lines", "po", "line", "po_id"))
        .await;
    let machine = json!({"entity": "line", "field": "status", "active": true,
        "definition": {"transitions": [{"from": ["", "open"], "to": "pending"}]}});
    t.post("/_admin/state-machines", machine).await.expect(201);
    let on_line = json!({"name": "on_line",
        "trigger": {"type": "state_change", "entity": "line", "field": "status", "to": "pending"},
        "context": rid(), "steps": [{"id": "w", "type": "approval"}]});
    t.post("/_admin/workflows", on_line).await.expect(201);
    let po = new_po(
        &t,
        json!({"status": "draft", "lines": {"data": [{"status": "pending"}]}}),
    )
    .await;
    assert!(
        instance_ids(&t, "on_line").await.is_empty(),
        "nested create"
    );
    // The same entity written at the top level does start it.
    let line = id(&t
        .create("line", json!({"po_id": po, "status": "pending"}))
        .await);
    let i = instance(&t, "on_line").await;
    assert_eq!(i["context"]["rid"], json!(line));
}

both!(
    pending_order_and_updated_at,
    nested_writes_never_start_workflows,
    definition_changes_under_a_running_instance,
    workflow_webhook_sees_the_committed_write,
    step_types_and_goto_forms,
    instance_shape,
    starts_on_update_and_on_create,
    never_starts_without_active_machine_or_when_inactive,
    context_resolution,
    set_field_actions,
    failing_actions_fail_the_instance,
    condition_branches,
    cycles_fail,
    approve_and_reject,
    deadlines,
    runtime_errors,
    assignees_are_enforced,
    webhook_actions,
    admin_crud_and_validation,
    deleting_a_workflow_deletes_its_instances,
);
