//! Rules (spec 07), state machines (08) and their admin APIs, over HTTP: what a write
//! is refused with, in which order, what the logic writes, and what the admin routes
//! answer and refuse at save time.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use crate::both;
use crate::common::{id, keys, one_to_many, Resp, T};

// ---------------------------------------------------------------- helpers

/// Entity `item`: qty (int), price (decimal), name, code and status (strings).
async fn items(t: &T) {
    let fields = json!([
        {"name": "qty", "type": "int"}, {"name": "price", "type": "decimal", "precision": 2},
        {"name": "name", "type": "string"}, {"name": "code", "type": "string"},
        {"name": "status", "type": "string"},
    ]);
    t.entity("item", fields).await;
}

/// The body of a `before_write` rule.
fn rule_body(entity: &str, kind: &str, priority: i64, definition: Value) -> Value {
    json!({"entity": entity, "hook": "before_write", "type": kind, "priority": priority,
        "definition": definition})
}

/// POSTs a `before_write` rule; asserts 201 and returns the rule.
async fn add_rule(t: &T, entity: &str, kind: &str, priority: i64, definition: Value) -> Value {
    let body = rule_body(entity, kind, priority, definition);
    t.post("/_admin/rules", body).await.data(201).clone()
}

/// POSTs a `before_write` rule on `item` without asserting anything.
async fn try_rule(t: &T, kind: &str, definition: Value) -> Resp {
    t.post("/_admin/rules", rule_body("item", kind, 0, definition))
        .await
}

/// A field rule definition.
fn field(f: &str, operator: &str, value: Value) -> Value {
    json!({"field": f, "operator": operator, "value": value})
}

/// `definition` with `key` set to `value`.
fn with(mut definition: Value, key: &str, value: Value) -> Value {
    definition[key] = value;
    definition
}

/// An expression rule definition.
fn expr(expression: &str, message: &str) -> Value {
    json!({"expression": expression, "message": message})
}

/// A field-rule detail.
fn detail(f: &str, rule: &str, message: &str) -> Value {
    json!({"field": f, "rule": rule, "message": message})
}

/// A field-rule detail with the default message.
fn default_detail(f: &str, operator: &str) -> Value {
    detail(
        f,
        operator,
        &format!("field {f} failed {operator} validation"),
    )
}

/// An expression-rule detail.
fn violated(message: &str) -> Value {
    json!({"rule": "expression", "message": message})
}

/// The details of one state-machine failure on `status`.
fn sm(message: &str) -> Value {
    json!([{"field": "status", "rule": "state_machine", "message": message}])
}

/// Asserts `422 VALIDATION_FAILED "Validation failed"` with exactly `details`.
#[track_caller]
fn failed(r: &Resp, details: Value) {
    let e = r.error(422, "VALIDATION_FAILED");
    assert_eq!(e["message"], json!("Validation failed"), "{}", r.body);
    assert_eq!(e["details"], details, "{}", r.body);
}

/// Asserts a `422 VALIDATION_FAILED` without details (an admin refusal); returns
/// its message.
#[track_caller]
fn refused(r: &Resp) -> String {
    let e = r.error(422, "VALIDATION_FAILED");
    assert!(e.get("details").is_none(), "no details: {}", r.body);
    e["message"].as_str().unwrap().to_string()
}

/// The only detail of a 422 write refusal.
#[track_caller]
fn only_detail(r: &Resp) -> Value {
    let d = r.error(422, "VALIDATION_FAILED")["details"].clone();
    assert_eq!(
        d.as_array().map(Vec::len),
        Some(1),
        "one detail: {}",
        r.body
    );
    d[0].clone()
}

/// A number or a numeric string (decimals render as strings on PostgreSQL).
fn num(v: &Value) -> f64 {
    v.as_f64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or_else(|| panic!("not a number: {v}"))
}

/// `row` without its timestamps.
fn untimed(row: &Value) -> Value {
    let mut r = row.clone();
    for k in ["created_at", "updated_at"] {
        let at = r.as_object_mut().unwrap().remove(k);
        assert!(at.is_some_and(|a| a.is_string()), "{k} is a string: {row}");
    }
    r
}

/// The keys of `object`, sorted.
fn key_set(object: &Value) -> Vec<String> {
    let mut k = keys(object);
    k.sort();
    k
}

async fn grant(t: &T, entity: &str, roles: Value) {
    for action in ["read", "create", "update"] {
        t.permission(entity, action, roles.clone(), json!([])).await;
    }
}

const MISSING: &str = "00000000-0000-4000-8000-000000000000";

// ---------------------------------------------------------------- rules

async fn field_operators_on_create_and_update(t: T) {
    items(&t).await;
    add_rule(&t, "item", "field", 0, field("qty", "min", json!(1))).await;
    add_rule(&t, "item", "field", 0, field("qty", "max", json!(10))).await;
    add_rule(
        &t,
        "item",
        "field",
        0,
        field("name", "min_length", json!(2)),
    )
    .await;
    add_rule(
        &t,
        "item",
        "field",
        0,
        field("name", "max_length", json!(5)),
    )
    .await;
    add_rule(
        &t,
        "item",
        "field",
        0,
        field("code", "pattern", json!("[0-9]{2}")),
    )
    .await;
    let cases = [
        // Equal passes; lengths count characters, not bytes; the pattern is unanchored.
        (json!({"qty": 1, "name": "éé", "code": "x12y"}), None),
        (json!({"qty": 10, "name": "ééééé"}), None),
        (json!({}), None),
        (json!({"qty": null, "name": null, "code": null}), None),
        (json!({"qty": 0}), Some(("qty", "min"))),
        (json!({"qty": 11}), Some(("qty", "max"))),
        (json!({"name": "é"}), Some(("name", "min_length"))),
        (json!({"name": "abcdef"}), Some(("name", "max_length"))),
        (json!({"code": "x1y2"}), Some(("code", "pattern"))),
    ];
    let base = t.create("item", json!({"qty": 5, "name": "base"})).await;
    let path = format!("/item/{}", id(&base));
    for (body, fails) in cases {
        let before = t.fetch(&path).await;
        let created = t.post("/item", body.clone()).await;
        let updated = t.put(&path, body.clone()).await;
        match fails {
            None => {
                created.expect(201);
                updated.expect(200);
            }
            Some((f, op)) => {
                failed(&created, json!([default_detail(f, op)]));
                failed(&updated, json!([default_detail(f, op)]));
                assert_eq!(t.fetch(&path).await, before, "nothing written: {body}");
            }
        }
    }
    assert_eq!(
        t.total("item", "").await,
        json!(5),
        "4 passing creates + base"
    );
}

async fn numeric_strings_messages_and_other_operators(t: T) {
    items(&t).await;
    let small = with(
        field("code", "min", json!("10")),
        "message",
        json!("code too small"),
    );
    add_rule(&t, "item", "field", 0, small).await;
    let big = with(field("code", "max", json!(99.5)), "message", json!(""));
    add_rule(&t, "item", "field", 0, big).await;
    add_rule(&t, "item", "field", 0, field("price", "min", json!(0))).await;
    // Operators that are not implemented never fail.
    add_rule(&t, "item", "field", 0, field("qty", "eq", json!(3))).await;
    add_rule(
        &t,
        "item",
        "field",
        0,
        field("name", "required", json!(true)),
    )
    .await;
    let low = json!([detail("code", "min", "code too small")]);
    failed(&t.post("/item", json!({"code": "9"})).await, low);
    let high = json!([default_detail("code", "max")]);
    failed(&t.post("/item", json!({"code": "100"})).await, high);
    let negative = json!([default_detail("price", "min")]);
    failed(&t.post("/item", json!({"price": "-0.5"})).await, negative);
    for ok in [
        json!({"code": " 12 "}),
        json!({"code": "abc"}),
        json!({"price": "0.00"}),
        json!({"qty": 7}),
        json!({}),
    ] {
        t.post("/item", ok.clone()).await.expect(201);
    }
}

async fn all_errors_in_evaluation_order(t: T) {
    items(&t).await;
    add_rule(&t, "item", "expression", 1, expr("record.qty > 5", "E1")).await;
    let f2 = with(
        field("name", "min_length", json!(3)),
        "message",
        json!("F2"),
    );
    add_rule(&t, "item", "field", 2, f2).await;
    add_rule(&t, "item", "field", 0, field("qty", "max", json!(3))).await;
    add_rule(
        &t,
        "item",
        "expression",
        0,
        expr("record.name == 'x'", "E0"),
    )
    .await;
    // Fails for the refused bodies below (name 'x'): it must not even run for them.
    let stamp =
        json!({"field": "code", "expression": "record.name == 'x' ? record.nope * 2 : 'computed'"});
    add_rule(&t, "item", "computed", 0, stamp).await;
    let r = t.post("/item", json!({"qty": 9, "name": "x"})).await;
    let all = json!([
        default_detail("qty", "max"),
        detail("name", "min_length", "F2"),
        violated("E0"),
        violated("E1")
    ]);
    failed(&r, all);
    let r = t.post("/item", json!({"qty": 2, "name": "x"})).await;
    failed(
        &r,
        json!([detail("name", "min_length", "F2"), violated("E0")]),
    );
    assert_eq!(t.total("item", "").await, json!(0), "nothing written");
    // Without errors the computed pass runs.
    let ok = t.create("item", json!({"qty": 2, "name": "xyz"})).await;
    assert_eq!(ok["code"], json!("computed"));
}

async fn stop_on_fail_stops_at_once(t: T) {
    items(&t).await;
    let stop = |d: Value| with(d, "stop_on_fail", json!(true));
    add_rule(&t, "item", "field", 1, field("qty", "min", json!(5))).await; // A
    add_rule(
        &t,
        "item",
        "field",
        2,
        field("name", "min_length", json!(1)),
    )
    .await; // B
    let c = stop(field("code", "min_length", json!(3)));
    add_rule(&t, "item", "field", 3, c).await; // C
    add_rule(&t, "item", "expression", 0, expr("true", "D")).await;
    add_rule(
        &t,
        "item",
        "expression",
        1,
        stop(expr("record.qty == 1", "E")),
    )
    .await;
    add_rule(&t, "item", "expression", 2, expr("true", "F")).await;
    let a = default_detail("qty", "min");
    let r = t
        .post("/item", json!({"qty": 1, "name": "ok", "code": "x"}))
        .await;
    failed(&r, json!([a, default_detail("code", "min_length")]));
    let r = t
        .post("/item", json!({"qty": 1, "name": "ok", "code": "xyz"}))
        .await;
    failed(&r, json!([a, violated("D"), violated("E")]));
    let r = t.post("/item", json!({"qty": 2, "code": "xyz"})).await;
    failed(&r, json!([a, violated("D"), violated("F")]));
}

async fn expression_rules(t: T) {
    items(&t).await;
    let paid = json!({"expression": "record.status == 'paid' && record.code == nil"});
    add_rule(&t, "item", "expression", 0, paid).await;
    add_rule(&t, "item", "expression", 1, expr("record.name", "no names")).await;
    let fin = expr(
        "action == 'update' && old.status == 'paid'",
        "Paid items are final",
    );
    add_rule(&t, "item", "expression", 2, fin).await;
    add_rule(&t, "item", "expression", 3, json!({"expression": "  "})).await;
    let r = t.post("/item", json!({"status": "paid"})).await;
    failed(&r, json!([violated("Expression rule violated")]));
    // Truthiness: a non-empty string violates, "" does not.
    failed(
        &t.post("/item", json!({"name": "bob"})).await,
        json!([violated("no names")]),
    );
    t.create("item", json!({"name": ""})).await;
    let p = t
        .create("item", json!({"status": "paid", "code": "C1"}))
        .await;
    let path = format!("/item/{}", id(&p));
    failed(
        &t.put(&path, json!({"qty": 1})).await,
        json!([violated("Paid items are final")]),
    );
    // A run-time error is a violation too.
    add_rule(
        &t,
        "item",
        "expression",
        4,
        expr("record.qty > 5", "never shown"),
    )
    .await;
    let d = only_detail(&t.post("/item", json!({"name": ""})).await);
    assert_eq!(d["rule"], json!("expression"));
    let m = d["message"].as_str().unwrap();
    assert!(m.starts_with("rule evaluation error: "), "{m}");
    t.create("item", json!({"qty": 1})).await;
}

async fn computed_fields_are_written(t: T) {
    let fields = json!([{"name": "qty", "type": "int"}, {"name": "price", "type": "int"},
        {"name": "total", "type": "int"}, {"name": "label", "type": "string"}]);
    t.entity("line", fields).await;
    let total = json!({"field": "total", "expression": "record.qty * record.price"});
    add_rule(&t, "line", "computed", 0, total).await;
    let label = json!({"field": "label", "expression": "'T' + string(record.total)"});
    add_rule(&t, "line", "computed", 1, label).await;
    let ghost = json!({"field": "ghost", "expression": "1"});
    add_rule(&t, "line", "computed", 2, ghost).await;
    let rec = t
        .create("line", json!({"qty": 3, "price": 4, "total": 1}))
        .await;
    assert_eq!((&rec["total"], &rec["label"]), (&json!(12), &json!("T12")));
    assert!(
        rec.get("ghost").is_none(),
        "undeclared targets are not written"
    );
    let path = format!("/line/{}", id(&rec));
    assert_eq!(t.fetch(&path).await, rec);
    let upd = t.update(&path, json!({"qty": 5, "price": 2})).await;
    assert_eq!((&upd["total"], &upd["label"]), (&json!(10), &json!("T10")));
    // A partial update: the computed rule reads a field that was not sent.
    let r = t.put(&path, json!({"qty": 7})).await;
    let d = r.error(422, "VALIDATION_FAILED")["details"][0].clone();
    assert_eq!(
        (&d["field"], &d["rule"]),
        (&json!("total"), &json!("computed"))
    );
    let m = d["message"].as_str().unwrap();
    assert!(m.starts_with("evaluate computed field total: "), "{m}");
    assert_eq!(t.fetch(&path).await, upd, "nothing written");
}

async fn rules_see_the_user(t: T) {
    items(&t).await;
    grant(&t, "item", json!(["clerk"])).await;
    let edit = "action == 'update' && !('admin' in user.roles)";
    add_rule(
        &t,
        "item",
        "expression",
        0,
        expr(edit, "Only admins may edit"),
    )
    .await;
    let mine = "record.code != nil && record.code != user.id";
    add_rule(
        &t,
        "item",
        "expression",
        1,
        expr(mine, "code must be your id"),
    )
    .await;
    let (clerk_id, token) = t.user("clerk@x.io", json!(["clerk"])).await;
    let clerk = t.with_token(Some(&token));
    let rec = clerk
        .create("item", json!({"name": "a", "code": clerk_id}))
        .await;
    let r = clerk.post("/item", json!({"code": "someone else"})).await;
    failed(&r, json!([violated("code must be your id")]));
    let path = format!("/item/{}", id(&rec));
    let r = clerk.put(&path, json!({"name": "b"})).await;
    failed(&r, json!([violated("Only admins may edit")]));
    assert_eq!(clerk.fetch(&path).await["name"], json!("a"));
    assert_eq!(
        t.update(&path, json!({"name": "b"})).await["name"],
        json!("b")
    );
}

/// `project` 1—n `task` (relation `tasks`; a task has a status).
async fn projects(t: &T) {
    t.entity("project", json!([{"name": "name", "type": "string"}]))
        .await;
    let task =
        json!([{"name": "project_id", "type": "uuid"}, {"name": "status", "type": "string"}]);
    t.entity("task", task).await;
    t.relation(one_to_many("tasks", "project", "task", "project_id"))
        .await;
}

/// A nested `tasks` write of `n` tasks with `status`.
fn tasks(n: usize, status: &str) -> Value {
    json!({"data": vec![json!({"status": status}); n]})
}

async fn related_load_sees_open_children(t: T) {
    projects(&t).await;
    let load = json!([{"relation": "tasks", "filter": {"status.in": ["open"]}}]);
    let busy = with(
        expr("len(related.tasks) > 2", "Too many open tasks"),
        "related_load",
        load,
    );
    add_rule(&t, "project", "expression", 0, busy).await;
    // On create nothing is loaded: the nested children are written after the rules.
    let p = t
        .create(
            "project",
            json!({"name": "busy", "tasks": tasks(3, "open")}),
        )
        .await;
    let path = format!("/project/{}", id(&p));
    let r = t.put(&path, json!({"name": "renamed"})).await;
    failed(&r, json!([violated("Too many open tasks")]));
    // Closed children do not count.
    let mut five = tasks(2, "open");
    five["data"]
        .as_array_mut()
        .unwrap()
        .extend(vec![json!({"status": "closed"}); 3]);
    let calm = t
        .create("project", json!({"name": "calm", "tasks": five}))
        .await;
    t.update(&format!("/project/{}", id(&calm)), json!({"name": "ok"}))
        .await;
    let open = t
        .list(
            "task",
            &format!("filter[project_id]={}&filter[status]=open", id(&p)),
        )
        .await;
    let task = format!("/task/{}", id(&open["data"][0]));
    t.update(&task, json!({"status": "closed"})).await;
    assert_eq!(
        t.update(&path, json!({"name": "renamed"})).await["name"],
        json!("renamed")
    );
}

async fn related_load_refuses_over_1000_rows(t: T) {
    projects(&t).await;
    let load = json!([{"relation": "tasks"}]);
    let never = with(
        expr("len(related.tasks) > 5000", "never"),
        "related_load",
        load,
    );
    add_rule(&t, "project", "expression", 0, never).await;
    let p = t
        .create(
            "project",
            json!({"name": "big", "tasks": tasks(1001, "open")}),
        )
        .await;
    let path = format!("/project/{}", id(&p));
    assert_eq!(t.total("task", "").await, json!(1001));
    let r = t.put(&path, json!({"name": "x"})).await;
    let msg = "related_load tasks: more than 1000 related rows";
    failed(&r, json!([{"rule": "related_load", "message": msg}]));
    // Exactly 1000 rows load.
    let one = t.list("task", "per_page=1").await;
    t.delete(&format!("/task/{}", id(&one["data"][0])))
        .await
        .expect(200);
    assert_eq!(
        t.update(&path, json!({"name": "x"})).await["name"],
        json!("x")
    );
}

async fn nested_children_skip_their_rules(t: T) {
    projects(&t).await;
    let never_open = expr("record.status == 'open'", "no open tasks");
    add_rule(&t, "task", "expression", 0, never_open).await;
    failed(
        &t.post("/task", json!({"status": "open"})).await,
        json!([violated("no open tasks")]),
    );
    let p = t
        .create("project", json!({"name": "p", "tasks": tasks(2, "open")}))
        .await;
    let q = format!("filter[project_id]={}&filter[status]=open", id(&p));
    let open = t.total("task", &q).await;
    assert_eq!(open, json!(2), "rules run for the top-level record only");
}

async fn missing_record_is_404_before_rules(t: T) {
    items(&t).await;
    add_rule(&t, "item", "field", 0, field("qty", "min", json!(1))).await;
    for key in [MISSING, "not-a-uuid"] {
        let r = t.put(&format!("/item/{key}"), json!({"qty": 0})).await;
        r.error(404, "NOT_FOUND");
    }
}

// ---------------------------------------------------------------- rules admin

async fn rules_admin_shapes(t: T) {
    items(&t).await;
    t.entity("alpha", json!([{"name": "x", "type": "string"}]))
        .await;
    let def = json!({"field": "qty", "operator": "min", "value": 0, "message": "m",
        "custom": {"nested": [1, "two"]}});
    let r = add_rule(&t, "item", "field", 5, def.clone()).await;
    let rid = id(&r);
    let want = json!({"id": rid, "entity": "item", "hook": "before_write", "type": "field",
        "definition": def, "priority": 5, "active": true});
    assert_eq!(r, want);
    assert_eq!(key_set(&r), key_set(&want), "exactly seven keys");
    let path = format!("/_admin/rules/{rid}");
    assert_eq!(untimed(&t.fetch(&path).await), want);
    // Defaults: definition {}, priority 0, active true.
    let bare = json!({"entity": "item", "hook": "before_write", "type": "expression"});
    let b = t.post("/_admin/rules", bare).await.data(201).clone();
    assert_eq!(
        (&b["definition"], &b["priority"], &b["active"]),
        (&json!({}), &json!(0), &json!(true))
    );
    let body = json!({"entity": "alpha", "hook": "before_delete", "type": "field", "priority": -1});
    t.post("/_admin/rules", body).await.expect(201);
    // Listed by entity, then priority.
    let list = t.fetch("/_admin/rules").await;
    let order: Vec<(Value, Value)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["entity"].clone(), r["priority"].clone()))
        .collect();
    assert_eq!(
        order,
        [
            (json!("alpha"), json!(-1)),
            (json!("item"), json!(0)),
            (json!("item"), json!(5))
        ]
    );
    assert_eq!(untimed(&list[2]), want);
    // PUT replaces the whole rule.
    let put = json!({"entity": "item", "hook": "before_delete", "type": "expression",
        "definition": {"expression": "true"}});
    let u = t.update(&path, put).await;
    let replaced = json!({"id": rid, "entity": "item", "hook": "before_delete", "type": "expression",
        "definition": {"expression": "true"}, "priority": 0, "active": true});
    assert_eq!(u, replaced);
    assert_eq!(untimed(&t.fetch(&path).await), replaced);
    let gone = t.delete(&path).await.data(200).clone();
    assert_eq!(gone, json!({"id": rid, "deleted": true}));
    let msg = format!("Rule not found: {rid}");
    t.get(&path).await.error_is(404, "NOT_FOUND", &msg);
}

async fn rules_admin_validation(t: T) {
    items(&t).await;
    let ok = rule_body("item", "field", 0, json!({}));
    let set = |k: &str, v: Value| with(ok.clone(), k, v);
    let bad_types = [
        json!([1]),
        json!("rule"),
        set("priority", json!("high")),
        set("priority", json!(1.5)),
        set("definition", json!("x")),
        set("active", json!(1)),
        set("entity", json!(5)),
        json!({"priority": "high"}),
    ];
    for b in bad_types {
        let r = t.post("/_admin/rules", b.clone()).await;
        r.error_is(400, "INVALID_PAYLOAD", "Invalid JSON body");
    }
    let no_hook = json!({"entity": "item", "type": "bad"});
    let cases = [
        (json!({"hook": "bad", "type": "bad"}), "entity is required"),
        (set("entity", json!("")), "entity is required"),
        (
            json!({"entity": "x", "hook": "bad", "type": "bad"}),
            "entity not found: x",
        ),
        (
            json!({"entity": "item", "hook": "after_write", "type": "bad"}),
            "invalid hook: after_write (must be before_write or before_delete)",
        ),
        (
            no_hook,
            "invalid hook:  (must be before_write or before_delete)",
        ),
        (
            set("type", json!("x")),
            "invalid rule type: x (must be field, expression, or computed)",
        ),
    ];
    for (b, msg) in cases {
        assert_eq!(
            refused(&t.post("/_admin/rules", b.clone()).await),
            msg,
            "{b}"
        );
    }
    assert_eq!(t.fetch("/_admin/rules").await, json!([]), "nothing stored");
    for key in [MISSING, "not-a-uuid"] {
        let path = format!("/_admin/rules/{key}");
        let msg = format!("Rule not found: {key}");
        t.get(&path).await.error_is(404, "NOT_FOUND", &msg);
        // 404 before the body is validated.
        t.put(&path, json!({"priority": "high"}))
            .await
            .error_is(404, "NOT_FOUND", &msg);
        t.put(&path, json!({}))
            .await
            .error_is(404, "NOT_FOUND", &msg);
        t.delete(&path).await.error_is(404, "NOT_FOUND", &msg);
    }
}

async fn rules_admin_checks_definitions_at_save_time(t: T) {
    items(&t).await;
    let m = refused(&try_rule(&t, "expression", json!({"expression": "record.qty = 1"})).await);
    assert!(
        m.starts_with("invalid expression:") && m.contains("line 1, column"),
        "{m}"
    );
    let m = refused(&try_rule(&t, "expression", json!({"expression": "context.x > 1"})).await);
    assert!(
        m.starts_with("invalid expression:") && m.contains("unknown variable context"),
        "{m}"
    );
    let m = refused(
        &try_rule(
            &t,
            "computed",
            json!({"field": "qty", "expression": "sum(record.qty)"}),
        )
        .await,
    );
    assert!(
        m.starts_with("invalid expression:") && m.contains("unknown function: sum"),
        "{m}"
    );
    let deep = format!("{}1{}", "(".repeat(500), ")".repeat(500));
    let huge = format!("record.name == '{}'", "x".repeat(100_000));
    for hostile in [deep, huge] {
        let m = refused(&try_rule(&t, "expression", json!({"expression": hostile})).await);
        assert!(m.starts_with("invalid expression:"), "{m}");
    }
    let m = refused(&try_rule(&t, "field", field("code", "pattern", json!("("))).await);
    assert!(m.starts_with("invalid pattern: "), "{m}");
    let load = |l: Value| with(json!({"expression": "true"}), "related_load", l);
    let m = refused(&try_rule(&t, "expression", load(json!([{"relation": "nope"}]))).await);
    assert!(m.contains("nope"), "{m}");
    assert_eq!(t.fetch("/_admin/rules").await, json!([]), "nothing stored");
    // PUT checks the same; the stored rule is kept.
    let r = add_rule(&t, "item", "expression", 0, expr("record.qty > 100", "big")).await;
    let path = format!("/_admin/rules/{}", id(&r));
    refused(
        &t.put(
            &path,
            rule_body("item", "expression", 0, expr("record.qty >", "x")),
        )
        .await,
    );
    assert_eq!(untimed(&t.fetch(&path).await), r);
}

async fn rule_changes_apply_to_the_next_request(t: T) {
    items(&t).await;
    let r = add_rule(&t, "item", "field", 0, field("qty", "min", json!(5))).await;
    let path = format!("/_admin/rules/{}", id(&r));
    let min = json!([default_detail("qty", "min")]);
    failed(&t.post("/item", json!({"qty": 1})).await, min.clone());
    t.update(
        &path,
        rule_body("item", "field", 0, field("qty", "min", json!(0))),
    )
    .await;
    t.create("item", json!({"qty": 1})).await;
    failed(&t.post("/item", json!({"qty": -1})).await, min.clone());
    // Inactive: ignored.
    let inactive = with(
        rule_body("item", "field", 0, field("qty", "min", json!(0))),
        "active",
        json!(false),
    );
    t.update(&path, inactive).await;
    t.create("item", json!({"qty": -1})).await;
    // before_delete rules never run: neither on writes nor on deletes.
    let mut on_delete = rule_body("item", "expression", 0, expr("true", "never"));
    on_delete["hook"] = json!("before_delete");
    t.update(&path, on_delete).await;
    let rec = t.create("item", json!({"qty": -1})).await;
    t.delete(&format!("/item/{}", id(&rec))).await.expect(200);
    t.update(
        &path,
        rule_body("item", "field", 0, field("qty", "min", json!(0))),
    )
    .await;
    failed(&t.post("/item", json!({"qty": -1})).await, min);
    t.delete(&path).await.expect(200);
    t.create("item", json!({"qty": -1})).await;
}

// ---------------------------------------------------------------- state machines

/// Entity `doc` of spec 08 §6: status, total (decimal), sent_at (string), name
/// (required), and a unique code.
async fn docs(t: &T) {
    let fields = json!([
        {"name": "status", "type": "string"}, {"name": "total", "type": "decimal", "precision": 2},
        {"name": "sent_at", "type": "string"}, {"name": "name", "type": "string", "required": true},
        {"name": "code", "type": "string", "unique": true}, {"name": "stage", "type": "string"},
    ]);
    t.entity("doc", fields).await;
}

/// POSTs an active machine; asserts 201 and returns it.
async fn add_machine(t: &T, f: &str, definition: Value) -> Value {
    let body = json!({"entity": "doc", "field": f, "definition": definition});
    t.post("/_admin/state-machines", body)
        .await
        .data(201)
        .clone()
}

/// The machine of spec 08 §6.
fn walk_machine() -> Value {
    json!({"initial": "draft", "transitions": [
        {"from": "draft", "to": "sent", "guard": "record.total > 0",
         "actions": [{"type": "set_field", "field": "sent_at", "value": "now"}]},
        {"from": "sent", "to": "paid"}]})
}

/// Creates a doc; returns its path.
async fn doc(t: &T, body: Value) -> String {
    format!("/doc/{}", id(&t.create("doc", body).await))
}

/// Asserts an RFC 3339 UTC time in whole seconds, within a minute of now.
#[track_caller]
fn recent_utc_seconds(v: &Value) {
    let s = v
        .as_str()
        .unwrap_or_else(|| panic!("a timestamp string: {v}"));
    assert!(s.len() == 20 && s.ends_with('Z'), "{s}");
    let at = chrono::DateTime::parse_from_rfc3339(s).expect("RFC 3339");
    let age = chrono::Utc::now().signed_duration_since(at).num_seconds();
    assert!((-5..60).contains(&age), "{s} is now");
}

async fn walk_through(t: T) {
    docs(&t).await;
    add_machine(&t, "status", walk_machine()).await;
    let a = doc(&t, json!({"status": "draft", "total": 100, "name": "A"})).await;
    let sent = t.update(&a, json!({"status": "sent", "total": 100})).await;
    assert_eq!(sent["status"], json!("sent"));
    recent_utc_seconds(&sent["sent_at"]);
    assert_eq!(t.fetch(&a).await["sent_at"], sent["sent_at"]);
    assert_eq!(
        t.update(&a, json!({"status": "paid"})).await["status"],
        json!("paid")
    );
    let b = doc(&t, json!({"status": "draft", "total": 0, "name": "B"})).await;
    let r = t.put(&b, json!({"status": "sent", "total": 0})).await;
    failed(&r, sm("Transition from 'draft' to 'sent' blocked by guard"));
    let r = t.put(&b, json!({"status": "paid"})).await;
    failed(&r, sm("Invalid transition from 'draft' to 'paid'"));
    let r = t
        .post("/doc", json!({"status": "sent", "total": 50, "name": "C"}))
        .await;
    failed(&r, sm("Initial state must be 'draft', got 'sent'"));
    // No status key, or the same status: no check (paid has no way out).
    assert_eq!(
        t.update(&a, json!({"total": 5})).await["status"],
        json!("paid")
    );
    assert_eq!(
        t.update(&b, json!({"total": 5})).await["status"],
        json!("draft")
    );
    t.update(&b, json!({"status": "draft"})).await;
    let stored = t.fetch(&b).await;
    assert_eq!(
        (&stored["status"], &stored["sent_at"]),
        (&json!("draft"), &json!(null))
    );
    assert_eq!(num(&stored["total"]), 5.0);
    assert_eq!(t.total("doc", "").await, json!(2), "C was not created");
}

async fn from_lists_empty_states_guard_errors_and_inactive_machines(t: T) {
    docs(&t).await;
    add_machine(
        &t,
        "status",
        json!({"initial": "draft", "transitions": [
        {"from": ["draft", "sent"], "to": "void"},
        {"from": "", "to": "draft"},
        {"from": "draft", "to": "sent", "guard": "record.total > 0"}]}),
    )
    .await;
    // An inactive machine that would refuse everything.
    let off = json!({"entity": "doc", "field": "status", "active": false,
        "definition": {"initial": "zzz", "transitions": [{"from": "x", "to": "y"}]}});
    t.post("/_admin/state-machines", off).await.expect(201);
    let n = t.create("doc", json!({"name": "N"})).await;
    assert_eq!(n["status"], json!(null), "absent state: no check on create");
    let n = format!("/doc/{}", id(&n));
    assert_eq!(
        t.update(&n, json!({"status": "draft"})).await["status"],
        json!("draft")
    );
    let d = only_detail(&t.put(&n, json!({"status": "sent"})).await);
    assert_eq!(
        (&d["field"], &d["rule"]),
        (&json!("status"), &json!("state_machine"))
    );
    let m = d["message"].as_str().unwrap();
    assert!(m.starts_with("Guard evaluation error: "), "{m}");
    t.update(&n, json!({"status": "sent", "total": 3})).await;
    assert_eq!(
        t.update(&n, json!({"status": "void"})).await["status"],
        json!("void")
    );
    let other = doc(&t, json!({"name": "O", "status": "draft"})).await;
    assert_eq!(
        t.update(&other, json!({"status": "void"})).await["status"],
        json!("void")
    );
    let r = t.put(&n, json!({"status": "draft"})).await;
    failed(&r, sm("Invalid transition from 'void' to 'draft'"));
}

async fn transition_roles(t: T) {
    docs(&t).await;
    grant(&t, "doc", json!(["clerk", "Manager"])).await;
    let void = json!({"initial": "draft", "transitions": [{"from": "draft", "to": "void", "roles": ["manager"]}]});
    add_machine(&t, "status", void).await;
    let clerk = t.as_user("clerk@x.io", json!(["clerk"])).await;
    let boss = t.as_user("boss@x.io", json!(["Manager"])).await;
    let one = doc(&clerk, json!({"status": "draft", "name": "one"})).await;
    let r = clerk
        .put(&one, json!({"status": "void", "name": "changed"}))
        .await;
    let msg = "Transition from 'draft' to 'void' not allowed for your role";
    r.error_is(403, "FORBIDDEN", msg);
    let kept = clerk.fetch(&one).await;
    assert_eq!(
        (&kept["status"], &kept["name"]),
        (&json!("draft"), &json!("one")),
        "nothing written"
    );
    assert_eq!(
        clerk.update(&one, json!({"name": "renamed"})).await["name"],
        json!("renamed")
    );
    assert_eq!(
        boss.update(&one, json!({"status": "void"})).await["status"],
        json!("void")
    );
    let two = doc(&clerk, json!({"status": "draft", "name": "two"})).await;
    assert_eq!(
        t.update(&two, json!({"status": "void"})).await["status"],
        json!("void")
    );
}

async fn machines_admin_shapes(t: T) {
    docs(&t).await;
    t.entity("alpha", json!([{"name": "state", "type": "string"}]))
        .await;
    let def = json!({"initial": "draft", "x-note": "kept",
        "transitions": [{"from": "draft", "to": "sent", "extra": 1}]});
    let m = add_machine(&t, "status", def.clone()).await;
    let mid = id(&m);
    let want =
        json!({"id": mid, "entity": "doc", "field": "status", "definition": def, "active": true});
    assert_eq!(m, want);
    assert_eq!(key_set(&m), key_set(&want), "exactly five keys");
    let path = format!("/_admin/state-machines/{mid}");
    assert_eq!(untimed(&t.fetch(&path).await), want);
    let alpha =
        json!({"entity": "alpha", "field": "state", "definition": {"transitions": [{"to": "a"}]}});
    t.post("/_admin/state-machines", alpha).await.expect(201);
    let list = t.fetch("/_admin/state-machines").await;
    let entities: Vec<Value> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["entity"].clone())
        .collect();
    assert_eq!(entities, [json!("alpha"), json!("doc")]);
    let put = json!({"entity": "doc", "field": "stage", "active": false,
        "definition": {"transitions": [{"from": ["a", "b"], "to": "c"}]}});
    let u = t.update(&path, put.clone()).await;
    assert_eq!(u, with(put, "id", json!(mid)));
    assert_eq!(untimed(&t.fetch(&path).await), u);
    let gone = t.delete(&path).await.data(200).clone();
    assert_eq!(gone, json!({"id": mid, "deleted": true}));
    for key in [mid.as_str(), "not-a-uuid"] {
        let path = format!("/_admin/state-machines/{key}");
        let msg = format!("State machine not found: {key}");
        t.get(&path).await.error_is(404, "NOT_FOUND", &msg);
        t.put(&path, json!({}))
            .await
            .error_is(404, "NOT_FOUND", &msg);
        t.delete(&path).await.error_is(404, "NOT_FOUND", &msg);
    }
}

async fn machines_admin_validation(t: T) {
    docs(&t).await;
    let body =
        |definition: Value| json!({"entity": "doc", "field": "status", "definition": definition});
    let one = |t: Value| body(json!({"transitions": [t]}));
    let bad = [
        json!([1]),
        one(json!({"from": 5, "to": "x"})),
        one(json!({"from": ["a", 1], "to": "x"})),
        json!({"definition": {"transitions": [{"from": 5}]}}),
        body(json!("x")),
        with(
            body(json!({"transitions": [{"to": "x"}]})),
            "active",
            json!("yes"),
        ),
    ];
    for b in bad {
        let r = t.post("/_admin/state-machines", b.clone()).await;
        r.error_is(400, "INVALID_PAYLOAD", "Invalid JSON body");
    }
    let cases = [
        (json!({}), "entity is required"),
        (json!({"entity": "x"}), "entity not found: x"),
        (json!({"entity": "doc"}), "field is required"),
        (
            json!({"entity": "doc", "field": "status"}),
            "at least one transition is required",
        ),
        (
            body(json!({"transitions": []})),
            "at least one transition is required",
        ),
    ];
    for (b, msg) in cases {
        assert_eq!(
            refused(&t.post("/_admin/state-machines", b.clone()).await),
            msg,
            "{b}"
        );
    }
    for guard in ["record.total >", "context.x > 1"] {
        let b = one(json!({"from": "a", "to": "b", "guard": guard}));
        let m = refused(&t.post("/_admin/state-machines", b).await);
        assert!(m.starts_with("invalid expression: "), "{m}");
    }
    assert_eq!(
        t.fetch("/_admin/state-machines").await,
        json!([]),
        "nothing stored"
    );
    let path = format!("/_admin/state-machines/{MISSING}");
    let msg = format!("State machine not found: {MISSING}");
    t.put(&path, json!([1]))
        .await
        .error_is(404, "NOT_FOUND", &msg);
}

// ---------------------------------------------------------------- webhook action

/// One request a [`receiver`] got.
#[derive(Debug, Clone)]
struct Hit {
    method: String,
    path: String,
    content_type: String,
    body: Value,
}

type Hits = Arc<Mutex<Vec<Hit>>>;

async fn record_hit(
    axum::extract::State(hits): axum::extract::State<Hits>,
    method: axum::http::Method,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> &'static str {
    let content_type = headers.get("content-type").and_then(|v| v.to_str().ok());
    hits.lock().unwrap().push(Hit {
        method: method.to_string(),
        path: uri.path().to_string(),
        content_type: content_type.unwrap_or_default().to_string(),
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    });
    "ok"
}

/// A local HTTP server that records every request; returns its base URL.
async fn receiver() -> (String, Hits) {
    let hits = Hits::default();
    let app = axum::Router::new()
        .fallback(record_hit)
        .with_state(hits.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (base, hits)
}

/// The requests received once `n` arrived (waiting up to 5 s for the delivery),
/// after a short grace for any that should not come.
async fn received(hits: &Hits, n: usize) -> Vec<Hit> {
    for _ in 0..100 {
        if hits.lock().unwrap().len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    hits.lock().unwrap().clone()
}

async fn webhook_action_is_sent_after_commit_only(t: T) {
    docs(&t).await;
    let (base, hits) = receiver().await;
    let hook = format!("{base}/hook");
    add_machine(
        &t,
        "status",
        json!({"initial": "draft", "transitions": [
        {"from": "draft", "to": "sent", "actions": [
            {"type": "set_field", "field": "sent_at", "value": "now"},
            {"type": "webhook", "url": hook}]},
        {"from": "sent", "to": "paid", "actions": [
            {"type": "webhook", "url": format!("{base}/paid"), "method": "put"}]}]}),
    )
    .await;
    add_machine(
        &t,
        "stage",
        json!({"transitions": [{"from": "a", "to": "b"}]}),
    )
    .await;
    add_rule(
        &t,
        "doc",
        "expression",
        0,
        expr("record.total == 13", "unlucky"),
    )
    .await;
    t.create("doc", json!({"name": "taken", "code": "DUP"}))
        .await;
    let d = doc(&t, json!({"name": "D", "status": "draft", "stage": "a"})).await;
    // Writes that fail after the transition ran: another machine, a rule, the database.
    let r = t.put(&d, json!({"status": "sent", "stage": "z"})).await;
    let stage = "Invalid transition from 'a' to 'z'";
    failed(
        &r,
        json!([{"field": "stage", "rule": "state_machine", "message": stage}]),
    );
    let r = t.put(&d, json!({"status": "sent", "total": 13})).await;
    failed(&r, json!([violated("unlucky")]));
    t.put(&d, json!({"status": "sent", "code": "DUP"}))
        .await
        .error(409, "CONFLICT");
    let ok = t.update(&d, json!({"status": "sent", "total": 7})).await;
    let got = received(&hits, 1).await;
    assert_eq!(
        got.len(),
        1,
        "only the committed write is announced: {got:?}"
    );
    let h = &got[0];
    assert_eq!((h.method.as_str(), h.path.as_str()), ("POST", "/hook"));
    assert!(
        h.content_type.starts_with("application/json"),
        "{}",
        h.content_type
    );
    let want = json!({"status": "sent", "total": 7, "sent_at": ok["sent_at"]});
    assert_eq!(h.body, want);
    recent_utc_seconds(&h.body["sent_at"]);
    t.update(&d, json!({"status": "paid"})).await;
    let got = received(&hits, 2).await;
    assert_eq!(got.len(), 2, "{got:?}");
    let h = &got[1];
    assert_eq!((h.method.as_str(), h.path.as_str()), ("PUT", "/paid"));
    assert_eq!(h.body, json!({"status": "paid"}));
}

// ---------------------------------------------------------------- export / import

async fn export_import_carries_rules_and_machines(t: T) {
    docs(&t).await;
    add_rule(&t, "doc", "field", 0, field("total", "min", json!(0))).await;
    add_machine(&t, "status", walk_machine()).await;
    let doc_export = t.get("/_admin/export").await.data(200).clone();
    assert_eq!(doc_export["rules"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        doc_export["state_machines"].as_array().map(Vec::len),
        Some(1)
    );
    let u = t.new_app(&format!("i{}", &t.app[1..])).await;
    let res = u
        .post("/_admin/import", doc_export.clone())
        .await
        .data(200)
        .clone();
    assert_eq!(
        (&res["summary"]["rules"], &res["summary"]["state_machines"]),
        (&json!(1), &json!(1)),
        "{res}"
    );
    let back = u.get("/_admin/export").await.data(200).clone();
    assert_eq!(
        (&back["rules"], &back["state_machines"]),
        (&doc_export["rules"], &doc_export["state_machines"])
    );
    // Enforced at once in the new app.
    let r = u.post("/doc", json!({"name": "A", "total": -1})).await;
    failed(&r, json!([default_detail("total", "min")]));
    let r = u.post("/doc", json!({"name": "A", "status": "sent"})).await;
    failed(&r, sm("Initial state must be 'draft', got 'sent'"));
    // Machines do not run when a rule failed: never both kinds of detail.
    let r = u
        .post("/doc", json!({"name": "A", "total": -1, "status": "sent"}))
        .await;
    failed(&r, json!([default_detail("total", "min")]));
    let a = doc(&u, json!({"name": "A", "status": "draft", "total": 0})).await;
    let r = u.put(&a, json!({"status": "sent", "total": 0})).await;
    failed(&r, sm("Transition from 'draft' to 'sent' blocked by guard"));
    let sent = u.update(&a, json!({"status": "sent", "total": 1})).await;
    recent_utc_seconds(&sent["sent_at"]);
    t.drop_app(&u.app).await;
}

/// Imports `doc` (version 1) into `t`; asserts 200.
async fn import(t: &T, mut doc: Value) {
    doc["version"] = json!(1);
    t.post("/_admin/import", doc).await.expect(200);
}

async fn imported_broken_expressions_fail_when_run(t: T) {
    docs(&t).await;
    let guard = json!({"initial": "draft", "transitions": [{"from": "draft", "to": "sent", "guard": "record.total ="}]});
    let machine = json!({"entity": "doc", "field": "status", "definition": guard});
    import(&t, json!({"state_machines": [machine]})).await;
    let d = doc(&t, json!({"name": "A", "status": "draft"})).await;
    let detail = only_detail(&t.put(&d, json!({"status": "sent"})).await);
    let m = detail["message"].as_str().unwrap();
    assert!(m.starts_with("Guard evaluation error: "), "{m}");
    let rule = rule_body(
        "doc",
        "expression",
        0,
        expr("record.total =", "never shown"),
    );
    import(&t, json!({"rules": [rule]})).await;
    let detail = only_detail(&t.post("/doc", json!({"name": "B"})).await);
    assert_eq!(detail["rule"], json!("expression"));
    let m = detail["message"].as_str().unwrap();
    assert!(m.starts_with("compile error: "), "{m}");
}

both!(
    field_operators_on_create_and_update,
    numeric_strings_messages_and_other_operators,
    all_errors_in_evaluation_order,
    stop_on_fail_stops_at_once,
    expression_rules,
    computed_fields_are_written,
    rules_see_the_user,
    related_load_sees_open_children,
    related_load_refuses_over_1000_rows,
    nested_children_skip_their_rules,
    missing_record_is_404_before_rules,
    rules_admin_shapes,
    rules_admin_validation,
    rules_admin_checks_definitions_at_save_time,
    rule_changes_apply_to_the_next_request,
    walk_through,
    from_lists_empty_states_guard_errors_and_inactive_machines,
    transition_roles,
    machines_admin_shapes,
    machines_admin_validation,
    webhook_action_is_sent_after_commit_only,
    export_import_carries_rules_and_machines,
    imported_broken_expressions_fail_when_run,
);
