//! The dry run of an import (`porting::plan`) on both dialects: what it predicts
//! matches what import then does, and it writes nothing.

use rocket_engine::porting::{self, Action, Plan};
use rocket_engine::EngineError;
use rocket_testkit::{both_dialects, obj, Harness};
use serde_json::{json, Value};

const A1: &str = "10000000-0000-4000-8000-000000000001";
const A2: &str = "10000000-0000-4000-8000-000000000002";
const P1: &str = "40000000-0000-4000-8000-000000000001";
const T1: &str = "30000000-0000-4000-8000-000000000001";

fn entity(name: &str, fields: Value) -> Value {
    let mut all = vec![json!({"name": "id", "type": "uuid"})];
    all.extend(fields.as_array().cloned().unwrap_or_default());
    json!({"name": name, "table": name,
        "primary_key": {"field": "id", "type": "uuid", "generated": true}, "fields": all})
}

fn blog() -> Value {
    json!({
        "version": 1,
        "entities": [
            entity("author", json!([{"name": "name", "type": "string"}])),
            entity("post", json!([{"name": "author_id", "type": "uuid"},
                                  {"name": "title", "type": "string"}])),
            entity("tag", json!([{"name": "name", "type": "string"}])),
        ],
        "relations": [
            {"name": "posts", "type": "one_to_many", "source": "author", "target": "post",
             "source_key": "id", "target_key": "author_id"},
            {"name": "post_tags", "type": "many_to_many", "source": "post", "target": "tag",
             "source_key": "id", "join_table": "post_tags",
             "source_join_key": "post_id", "target_join_key": "tag_id"},
        ],
        "rules": [{"entity": "post", "hook": "before_write", "type": "field",
                   "definition": {"field": "title", "operator": "min_length", "value": 2},
                   "priority": 1, "active": true}],
        "state_machines": [{"entity": "post", "field": "title",
                            "definition": {"initial": "draft", "transitions": []}, "active": true}],
        "workflows": [{"name": "review", "trigger": {"type": "manual"}, "context": {},
                       "steps": [], "active": false}],
        "permissions": [{"entity": "post", "action": "read", "roles": ["viewer"], "conditions": []}],
        "webhooks": [{"entity": "post", "hook": "after_write", "url": "https://example.com/h",
                      "async": true, "active": false}],
        "ui_configs": [{"entity": "post", "scope": "default", "config": {"columns": ["title"]}}],
        "sample_data": {
            "author": [{"id": A1, "name": "Emily"}, {"id": A2, "name": "Bob"}],
            "post": [{"id": P1, "author_id": A1, "title": "first"}],
            "tag": [{"id": T1, "name": "rust"}],
            "post_tags": [{"post_id": P1, "tag_id": T1}],
        },
    })
}

async fn plan(h: &Harness, doc: &Value) -> Plan {
    porting::plan(&h.app, obj(doc.clone())).await.expect("plan")
}

/// `kind name action` of every item.
fn actions(p: &Plan) -> Vec<String> {
    p.items
        .iter()
        .map(|i| format!("{} {} {}", i.kind, i.name, i.action.as_str()))
        .collect()
}

fn rows(p: &Plan, table: &str) -> (usize, usize, usize) {
    let r = p
        .sample_data
        .iter()
        .find(|r| r.table == table)
        .unwrap_or_else(|| panic!("no rows of {table}"));
    (r.create, r.skip, r.invalid)
}

async fn export(h: &Harness) -> Value {
    let mut doc = porting::export(&h.app).await.expect("export");
    doc.as_object_mut().map(|d| d.remove("exported_at"));
    doc
}

/// Into an empty app everything is created; the plan writes nothing; after the
/// import the same plan skips everything, rows included.
async fn plan_predicts_import(h: Harness) {
    let before = export(&h).await;
    let p = plan(&h, &blog()).await;
    assert_eq!(
        actions(&p),
        [
            "entities author create",
            "entities post create",
            "entities tag create",
            "relations posts create",
            "relations post_tags create",
            "rules post/before_write create",
            "state_machines post/title create",
            "workflows review create",
            "permissions post/read create",
            "webhooks post/after_write/https://example.com/h create",
            "ui_configs post/default create",
        ]
    );
    assert_eq!(rows(&p, "author"), (2, 0, 0));
    assert_eq!(rows(&p, "post_tags"), (1, 0, 0));
    assert_eq!(p.problems(), 0);
    assert_eq!(p.count("entities", Action::Create), 3);
    assert_eq!(export(&h).await, before, "the plan wrote nothing");
    assert!(h.app.schema().entity("author").is_none());

    let report = porting::import(&h.platform, &h.app, obj(blog()))
        .await
        .unwrap();
    assert!(report.get("errors").is_none(), "{report}");
    assert_eq!(report["summary"]["records"], json!(5), "{report}");
    let again = plan(&h, &blog()).await;
    assert!(
        again.items.iter().all(|i| i.action == Action::Skip),
        "{:?}",
        actions(&again)
    );
    assert_eq!(rows(&again, "author"), (0, 2, 0));
    assert_eq!(rows(&again, "post_tags"), (0, 1, 0));
}

/// Changed definitions are conflicts, a changed UI config is overwritten, broken
/// items are invalid, repeated items skipped; items may rely on earlier ones of
/// the same document.
async fn plan_conflicts_and_invalid_items(h: Harness) {
    porting::import(&h.platform, &h.app, obj(blog()))
        .await
        .unwrap();
    let mut doc = blog();
    let mut clash = entity("clash", json!([]));
    clash["table"] = json!("author");
    doc["entities"][2] = entity("tag", json!([{"name": "label", "type": "string"}]));
    doc["entities"].as_array_mut().unwrap().extend([
        entity("note", json!([{"name": "author_id", "type": "uuid"}])),
        entity("note", json!([])),
        json!({"name": "broken", "table": "broken", "fields": [{"name": "x", "type": "nope"}]}),
        clash,
    ]);
    doc["relations"].as_array_mut().unwrap().extend([
        json!({"name": "notes", "type": "one_to_many", "source": "author", "target": "note",
               "source_key": "id", "target_key": "author_id"}),
        json!({"name": "ghost", "type": "one_to_many", "source": "author", "target": "nobody",
               "source_key": "id", "target_key": "x"}),
    ]);
    doc["permissions"][0]["roles"] = json!(["viewer", "editor"]);
    doc["rules"][0]["priority"] = json!(2);
    doc["ui_configs"][0]["config"] = json!({"columns": ["title", "author_id"]});
    doc["sample_data"]["author"][0]["name"] = json!({"not": "a string"});
    let p = plan(&h, &doc).await;
    let got = actions(&p);
    for want in [
        "entities tag conflict",
        "entities note create",
        "entities note skip",
        "entities broken invalid",
        "entities clash invalid",
        "relations posts skip",
        "relations ghost invalid",
        // It targets an entity created earlier in the same document.
        "relations notes create",
        // Same entity, hook, type and definition; another priority.
        "rules post/before_write conflict",
        "permissions post/read conflict",
        "ui_configs post/default overwrite",
    ] {
        assert!(got.contains(&want.to_string()), "{want}: {got:?}");
    }
    assert_eq!(rows(&p, "author"), (0, 1, 1));
    assert_eq!(p.problems(), 7, "{got:?}");
    // A rule with another definition is another rule.
    doc["rules"][0]["definition"]["value"] = json!(3);
    let p = plan(&h, &doc).await;
    assert!(actions(&p).contains(&"rules post/before_write create".to_string()));
}

async fn plan_refuses_what_import_refuses(h: Harness) {
    for (doc, want) in [
        (json!({"version": 2}), "Unsupported export version: 2"),
        (json!({}), "Unsupported export version: 0"),
        (json!({"version": 1, "entities": "x"}), "Invalid JSON body"),
    ] {
        match porting::plan(&h.app, obj(doc)).await {
            Err(e @ (EngineError::Invalid(_) | EngineError::BadInput(_))) => {
                assert_eq!(e.to_string(), want)
            }
            other => panic!("{want}: {other:?}"),
        }
    }
    let empty = plan(&h, &json!({"version": 1})).await;
    assert!(empty.items.is_empty() && empty.sample_data.is_empty());
}

both_dialects!(
    plan_predicts_import,
    plan_conflicts_and_invalid_items,
    plan_refuses_what_import_refuses
);
