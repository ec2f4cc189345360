//! Workflow approval timeouts (spec 09 §7) at engine level, on both dialects: the
//! timeout job is called with a chosen `now`, so nothing sleeps. Plus, on Postgres,
//! two platforms on one management database firing the same due timeouts at once.

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use rocket_engine::admin::Collection;
use rocket_engine::logic::admin::StateMachines;
use rocket_engine::records::{self, Caller, JsonBody};
use rocket_engine::workflows::admin::{self as runtime, Workflows};
use rocket_engine::workflows::instances::Status;
use rocket_engine::workflows::run::decide;
use rocket_engine::workflows::timeouts::run_once;
use rocket_engine::workflows::Instance;
use rocket_engine::{scheduler, Platform};
use rocket_testkit::{both_dialects, obj, Db, Harness};
use serde_json::{json, Value};

/// Entity `po` (status, note) with an active machine on `status`.
async fn po_entity(h: &Harness) {
    h.entity(
        "po",
        json!([{"name": "status", "type": "string"}, {"name": "note", "type": "string"}]),
    )
    .await;
    let states = ["", "draft", "pending", "done"];
    let transitions: Vec<Value> = states[1..]
        .iter()
        .map(|to| json!({"from": states, "to": to}))
        .collect();
    let machine = json!({"entity": "po", "field": "status", "active": true,
        "definition": {"transitions": transitions}});
    StateMachines::put(&h.platform, &h.app, None, obj(machine))
        .await
        .expect("machine created");
}

fn definition(name: &str, steps: Value) -> Value {
    json!({"name": name,
        "trigger": {"type": "state_change", "entity": "po", "field": "status", "to": "pending"},
        "context": {"rid": "trigger.record_id"}, "steps": steps})
}

/// Creates workflow `name`; returns its id.
async fn workflow(h: &Harness, name: &str, steps: Value) -> String {
    let w = Workflows::put(&h.platform, &h.app, None, obj(definition(name, steps)))
        .await
        .expect("workflow created");
    w["id"].as_str().unwrap().to_string()
}

fn note(value: &str) -> Value {
    json!({"type": "set_field", "entity": "po", "record_id": "context.rid", "field": "note", "value": value})
}

/// Creates a `po` directly in the trigger state; returns its id.
async fn submit(h: &Harness) -> String {
    let c = Caller::new(&h.app, &h.admin);
    let b = serde_json::to_vec(&json!({"status": "pending"})).unwrap();
    let body = JsonBody {
        is_json: true,
        bytes: &b,
    };
    let rec = records::create(&c, "po", body).await.expect("po created");
    rec.data["id"].as_str().unwrap().to_string()
}

async fn note_of(h: &Harness, id: &str) -> Value {
    let c = Caller::new(&h.app, &h.admin);
    let rec = records::get(&c, "po", id, None).await.expect("po read");
    rec.data["note"].clone()
}

/// The one pending instance.
async fn the_pending(h: &Harness) -> Instance {
    let mut all = runtime::pending(&h.app).await.unwrap();
    assert_eq!(all.len(), 1, "one pending instance: {all:?}");
    all.remove(0)
}

async fn reload(h: &Harness, id: &str) -> Instance {
    runtime::instance(&h.app, id).await.unwrap()
}

fn statuses(i: &Instance) -> Vec<(String, String)> {
    i.history
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

fn deadline(i: &Instance) -> DateTime<Utc> {
    let s = i
        .current_step_deadline
        .as_deref()
        .unwrap_or_else(|| panic!("a deadline: {i:?}"));
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn secs(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[track_caller]
fn near(t: DateTime<Utc>, expected: DateTime<Utc>) {
    let d = (t - expected).num_milliseconds().abs();
    assert!(d <= 2_000, "{t} is not near {expected}");
}

async fn timeout_goes_to_a_step(h: Harness) {
    po_entity(&h).await;
    workflow(
        &h,
        "expiring",
        json!([
            {"id": "wait", "type": "approval", "timeout": "30m", "on_approve": "end",
             "on_timeout": {"goto": "expired"}},
            {"id": "expired", "type": "action", "actions": [note("expired")], "then": "end"},
        ]),
    )
    .await;
    let started = Utc::now();
    let po = submit(&h).await;
    let i = the_pending(&h).await;
    let due = deadline(&i);
    near(due, started + Duration::minutes(30));

    // Before the deadline (and exactly at it: "< now" is strict) nothing fires.
    assert_eq!(
        run_once(&h.app, due - Duration::minutes(1)).await.unwrap(),
        0
    );
    assert_eq!(run_once(&h.app, due).await.unwrap(), 0);
    let same = reload(&h, &i.id).await;
    assert_eq!(same.status, Status::Running);
    assert_eq!(same.current_step, "wait");
    assert!(same.history.is_empty());
    assert_eq!(same.current_step_deadline, i.current_step_deadline);

    let now = due + Duration::seconds(1);
    assert_eq!(run_once(&h.app, now).await.unwrap(), 1);
    let after = reload(&h, &i.id).await;
    assert_eq!(after.status, Status::Completed, "{after:?}");
    assert_eq!(after.current_step, "");
    assert_eq!(after.current_step_deadline, None);
    assert_eq!(
        statuses(&after),
        pairs(&[("wait", "timed_out"), ("expired", "completed")])
    );
    let timed_out = &after.history[0];
    assert_eq!(
        timed_out,
        &json!({"step": "wait", "status": "timed_out", "at": secs(now)}),
        "no `by`; `at` is the job's now"
    );
    assert_eq!(note_of(&h, &po).await, json!("expired"));
    assert!(runtime::pending(&h.app).await.unwrap().is_empty());
    // Fired once: a second run finds nothing.
    assert_eq!(run_once(&h.app, now + Duration::hours(1)).await.unwrap(), 0);
    assert_eq!(reload(&h, &i.id).await.history.len(), 2);
}

async fn timeout_end_completes_and_missing_fails(h: Harness) {
    po_entity(&h).await;
    workflow(
        &h,
        "a_end",
        json!([{"id": "w", "type": "approval", "timeout": "1h", "on_timeout": "end"}]),
    )
    .await;
    workflow(
        &h,
        "b_goto_end",
        json!([{"id": "w", "type": "approval", "timeout": "1h", "on_timeout": {"goto": "end"}}]),
    )
    .await;
    workflow(
        &h,
        "c_missing",
        json!([{"id": "w", "type": "approval", "timeout": "1h", "on_approve": "end"}]),
    )
    .await;
    workflow(
        &h,
        "d_empty",
        json!([{"id": "w", "type": "approval", "timeout": "1h", "on_timeout": ""}]),
    )
    .await;
    workflow(
        &h,
        "e_forever",
        json!([{"id": "w", "type": "approval", "on_timeout": "end"}]),
    )
    .await;
    submit(&h).await;
    let all = runtime::pending(&h.app).await.unwrap();
    assert_eq!(all.len(), 5);
    let now = Utc::now() + Duration::hours(2);
    assert_eq!(
        run_once(&h.app, now).await.unwrap(),
        4,
        "all but the one without deadline"
    );
    for i in &all {
        let after = reload(&h, &i.id).await;
        let expected = match i.workflow_name.as_str() {
            "a_end" | "b_goto_end" => Status::Completed,
            "c_missing" | "d_empty" => Status::Failed,
            _ => {
                assert_eq!(after.status, Status::Running, "no deadline, no timeout");
                assert!(after.history.is_empty());
                continue;
            }
        };
        assert_eq!(after.status, expected, "{}", i.workflow_name);
        assert_eq!(after.current_step, "", "{}", i.workflow_name);
        assert_eq!(after.current_step_deadline, None);
        assert_eq!(
            statuses(&after),
            pairs(&[("w", "timed_out")]),
            "{}",
            i.workflow_name
        );
    }
    assert_eq!(
        run_once(&h.app, now + Duration::days(400)).await.unwrap(),
        0
    );
}

async fn timeout_into_another_approval(h: Harness) {
    po_entity(&h).await;
    workflow(
        &h,
        "escalating",
        json!([
            {"id": "first", "type": "approval", "timeout": "1h", "on_timeout": "second"},
            {"id": "second", "type": "approval", "timeout": "2h", "on_approve": {"goto": "ok"},
             "on_timeout": {"goto": "late"}},
            {"id": "ok", "type": "action", "actions": [note("ok")]},
            {"id": "late", "type": "action", "actions": [note("late")]},
        ]),
    )
    .await;
    let po = submit(&h).await;
    let i = the_pending(&h).await;
    let t1 = deadline(&i) + Duration::seconds(5);
    assert_eq!(run_once(&h.app, t1).await.unwrap(), 1);
    let at_second = reload(&h, &i.id).await;
    assert_eq!(at_second.status, Status::Running);
    assert_eq!(at_second.current_step, "second");
    assert_eq!(
        deadline(&at_second),
        t1 + Duration::hours(2),
        "the next deadline counts from the job's now"
    );
    assert_eq!(statuses(&at_second), pairs(&[("first", "timed_out")]));
    assert_eq!(
        run_once(&h.app, t1 + Duration::minutes(119)).await.unwrap(),
        0
    );
    let t2 = t1 + Duration::hours(3);
    assert_eq!(run_once(&h.app, t2).await.unwrap(), 1);
    let done = reload(&h, &i.id).await;
    assert_eq!(done.status, Status::Completed);
    assert_eq!(
        statuses(&done),
        pairs(&[
            ("first", "timed_out"),
            ("second", "timed_out"),
            ("late", "completed")
        ])
    );
    assert_eq!(note_of(&h, &po).await, json!("late"));
}

async fn decided_instances_never_time_out(h: Harness) {
    po_entity(&h).await;
    workflow(
        &h,
        "w",
        json!([{"id": "w", "type": "approval", "timeout": "10m", "on_approve": {"goto": "ok"},
                "on_timeout": {"goto": "late"}},
               {"id": "ok", "type": "action", "actions": [note("ok")]},
               {"id": "late", "type": "action", "actions": [note("late")]}]),
    )
    .await;
    let po = submit(&h).await;
    let i = the_pending(&h).await;
    let approved = decide(&h.app, &h.admin, &i.id, true).await.unwrap();
    assert_eq!(approved.status, Status::Completed);
    assert_eq!(approved.current_step_deadline, None);
    assert_eq!(
        run_once(&h.app, Utc::now() + Duration::days(1))
            .await
            .unwrap(),
        0
    );
    let after = reload(&h, &i.id).await;
    assert_eq!(
        statuses(&after),
        pairs(&[("w", "approved"), ("ok", "completed")])
    );
    assert_eq!(note_of(&h, &po).await, json!("ok"));
}

async fn replace(h: &Harness, id: &str, body: Value) {
    Workflows::put(&h.platform, &h.app, Some(id), obj(body))
        .await
        .expect("workflow replaced");
}

/// 09 §7 step 2: a due instance whose current step is gone is skipped (unchanged,
/// selected again next time); an inactive definition still times out. Ours: a due
/// instance at a step that is not an approval is a step in flight whose lease ran
/// out (its process died), so the job takes it over and runs it.
async fn edited_definitions(h: Harness) {
    po_entity(&h).await;
    let steps = json!([{"id": "w", "type": "approval", "timeout": "5m", "on_timeout": "end"}]);
    let id = workflow(&h, "edited", steps.clone()).await;
    submit(&h).await;
    let i = the_pending(&h).await;
    let now = Utc::now() + Duration::hours(1);
    replace(
        &h,
        &id,
        definition("edited", json!([{"id": "other", "type": "action"}])),
    )
    .await;
    assert_eq!(run_once(&h.app, now).await.unwrap(), 0, "step gone");
    let same = reload(&h, &i.id).await;
    assert_eq!(same.status, Status::Running);
    assert_eq!(same.current_step, "w");
    assert!(same.history.is_empty());
    assert!(same.current_step_deadline.is_some());
    let mut inactive = definition("edited", steps.clone());
    inactive["active"] = json!(false);
    replace(&h, &id, inactive).await;
    assert_eq!(
        run_once(&h.app, now).await.unwrap(),
        1,
        "inactive still times out"
    );
    let done = reload(&h, &i.id).await;
    assert_eq!(done.status, Status::Completed);
    assert_eq!(statuses(&done), pairs(&[("w", "timed_out")]));
    // Taken over: the approval became an action step.
    let taken = workflow(&h, "taken", steps).await;
    let po = submit(&h).await;
    let i = the_pending(&h).await;
    let action = json!([{"id": "w", "type": "action", "actions": [note("resumed")]}]);
    replace(&h, &taken, definition("taken", action)).await;
    assert_eq!(
        run_once(&h.app, Utc::now()).await.unwrap(),
        0,
        "not due yet"
    );
    assert_eq!(run_once(&h.app, now).await.unwrap(), 1);
    let resumed = reload(&h, &i.id).await;
    assert_eq!(resumed.status, Status::Completed);
    assert_eq!(statuses(&resumed), pairs(&[("w", "completed")]));
    assert_eq!(note_of(&h, &po).await, json!("resumed"));
}

async fn scheduler_tick_runs_the_job(h: Harness) {
    po_entity(&h).await;
    workflow(
        &h,
        "ticked",
        json!([{"id": "w", "type": "approval", "timeout": "90s"}]),
    )
    .await;
    submit(&h).await;
    submit(&h).await;
    let all = runtime::pending(&h.app).await.unwrap();
    assert_eq!(all.len(), 2);
    let now = Utc::now();
    assert_eq!(scheduler::tick(&h.platform, now).await, 0, "not yet due");
    let later = now + Duration::minutes(2);
    assert_eq!(scheduler::tick(&h.platform, later).await, 2);
    assert_eq!(scheduler::tick(&h.platform, later).await, 0);
    for i in all {
        let after = reload(&h, &i.id).await;
        assert_eq!(after.status, Status::Failed, "no on_timeout fails");
        assert_eq!(statuses(&after), pairs(&[("w", "timed_out")]));
    }
}

/// A write committed its workflow instance and the process died before running a
/// step (simulated: the instance is begun in a committed transaction, never
/// advanced). The lease keeps others off for 10 minutes; then the timeout job takes
/// the instance over and runs it: nothing committed is lost.
async fn a_run_cut_short_is_taken_over(h: Harness) {
    po_entity(&h).await;
    let steps = json!([{"id": "a", "type": "action", "actions": [note("ran")], "then": "end"}]);
    workflow(&h, "crash", steps).await;
    let c = Caller::new(&h.app, &h.admin);
    let b = serde_json::to_vec(&json!({"status": "draft"})).unwrap();
    let po = records::create(
        &c,
        "po",
        JsonBody {
            is_json: true,
            bytes: &b,
        },
    )
    .await
    .unwrap();
    let key = po.data["id"].clone();
    let wf = h.app.logic().workflow("crash").cloned().unwrap();
    let start = Utc::now();
    let mut tx = h.app.store.begin().await.unwrap();
    let x = &mut rocket_store::Exec::Tx(&mut tx);
    let begun = rocket_engine::workflows::run::begin(x, &wf, &po.data, &key, start)
        .await
        .unwrap()
        .unwrap();
    tx.commit().await.unwrap();
    let stalled = reload(&h, &begun.id).await;
    assert_eq!(
        (stalled.status, stalled.current_step.as_str()),
        (Status::Running, "a")
    );
    near(deadline(&stalled), start + Duration::minutes(10));
    assert_eq!(
        run_once(&h.app, start + Duration::minutes(5))
            .await
            .unwrap(),
        0,
        "leased"
    );
    assert_eq!(note_of(&h, key.as_str().unwrap()).await, Value::Null);
    assert_eq!(
        run_once(&h.app, start + Duration::minutes(11))
            .await
            .unwrap(),
        1
    );
    let done = reload(&h, &begun.id).await;
    assert_eq!(done.status, Status::Completed);
    assert_eq!(done.current_step_deadline, None);
    assert_eq!(statuses(&done), pairs(&[("a", "completed")]));
    assert_eq!(note_of(&h, key.as_str().unwrap()).await, json!("ran"));
    assert_eq!(
        run_once(&h.app, start + Duration::hours(1)).await.unwrap(),
        0,
        "once"
    );
}

both_dialects!(
    a_run_cut_short_is_taken_over,
    timeout_goes_to_a_step,
    timeout_end_completes_and_missing_fails,
    timeout_into_another_approval,
    decided_instances_never_time_out,
    edited_definitions,
    scheduler_tick_runs_the_job,
);

/// Two platforms (as two server processes would) on one Postgres management
/// database fire the same 40 due timeouts at once: each exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_platforms_fire_each_timeout_once() {
    let Some(h) = Harness::start(Db::Postgres).await else {
        return;
    };
    po_entity(&h).await;
    workflow(
        &h,
        "raced",
        json!([
            {"id": "w", "type": "approval", "timeout": "1m", "on_timeout": {"goto": "after"}},
            {"id": "after", "type": "action", "actions": [note("timed out")]},
        ]),
    )
    .await;
    const N: usize = 40;
    let mut pos = Vec::new();
    for _ in 0..N {
        pos.push(submit(&h).await);
    }
    let ids: Vec<String> = runtime::pending(&h.app)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(ids.len(), N);

    let other = Platform::start(h.platform.config.clone())
        .await
        .expect("second platform starts");
    let other_app = other.app(&h.app.name).await.expect("app opens there");
    let now = Utc::now() + Duration::minutes(5);
    let (a, b) = (h.app.clone(), other_app.clone());
    let (ra, rb) = tokio::join!(
        tokio::spawn(async move { run_once(&a, now).await }),
        tokio::spawn(async move { run_once(&b, now).await }),
    );
    let (fa, fb) = (ra.unwrap().unwrap(), rb.unwrap().unwrap());
    assert_eq!(fa + fb, N, "fired {fa} + {fb}");
    for id in &ids {
        let i = reload(&h, id).await;
        let timeouts = i
            .history
            .iter()
            .filter(|e| e["status"] == json!("timed_out"))
            .count();
        assert_eq!(timeouts, 1, "{i:?}");
        assert_eq!(i.status, Status::Completed);
        assert_eq!(
            statuses(&i),
            pairs(&[("w", "timed_out"), ("after", "completed")])
        );
    }
    for po in &pos {
        assert_eq!(note_of(&h, po).await, json!("timed out"));
    }
    assert_eq!(run_once(&other_app, now).await.unwrap(), 0);
    assert_eq!(run_once(&h.app, now).await.unwrap(), 0);
    other.close();
}
