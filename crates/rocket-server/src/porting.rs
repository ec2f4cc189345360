//! Schema export and import (spec 14).

use std::collections::HashSet;

use rocket_meta::{Entity, Relation, RelationKind};
use rocket_sql::{SqlValue, Write};
use rocket_store::{Param, Row};
use serde_json::{json, Map, Value};

use crate::error::{ApiError, ApiResult};
use crate::state::{AppCtx, AppState};
use crate::sys;
use crate::values::to_param;

async fn rows(app: &AppCtx, tpl: &str) -> ApiResult<Vec<Row>> {
    Ok(app
        .store
        .query(&sys::sql(app.store.dialect(), tpl, vec![]))
        .await?)
}

fn b(c: &rocket_store::Cell) -> Value {
    Value::Bool(sys::bool_cell(c).unwrap_or(true))
}

fn t(c: &rocket_store::Cell) -> Value {
    Value::String(sys::text_cell(c))
}

pub async fn export(app: &AppCtx) -> ApiResult<Value> {
    let entities: Vec<Value> = rows(app, "SELECT [definition] FROM _entities ORDER BY name")
        .await?
        .iter()
        .map(|r| sys::json_cell(&r[0]))
        .collect();
    let relations: Vec<Value> = rows(app, "SELECT [definition] FROM _relations ORDER BY name")
        .await?
        .iter()
        .map(|r| sys::json_cell(&r[0]))
        .collect();
    let rules: Vec<Value> = rows(
        app,
        "SELECT entity, hook, type, [definition], priority, active FROM _rules ORDER BY entity, priority",
    )
    .await?
    .iter()
    .map(|r| {
        json!({"entity": t(&r[0]), "hook": t(&r[1]), "type": t(&r[2]), "definition": sys::json_cell(&r[3]),
               "priority": r[4].as_i64().unwrap_or(0), "active": b(&r[5])})
    })
    .collect();
    let machines: Vec<Value> = rows(app, "SELECT entity, field, [definition], active FROM _state_machines ORDER BY entity")
        .await?
        .iter()
        .map(|r| json!({"entity": t(&r[0]), "field": t(&r[1]), "definition": sys::json_cell(&r[2]), "active": b(&r[3])}))
        .collect();
    let workflows: Vec<Value> = rows(
        app,
        "SELECT name, [trigger], [context], [steps], active FROM _workflows ORDER BY name",
    )
    .await?
    .iter()
    .map(|r| {
        json!({"name": t(&r[0]), "trigger": sys::json_cell(&r[1]), "context": sys::json_cell(&r[2]),
                   "steps": sys::json_cell(&r[3]), "active": b(&r[4])})
    })
    .collect();
    let permissions: Vec<Value> = rows(
        app,
        "SELECT entity, action, [roles:list], [conditions] FROM _permissions ORDER BY entity, action",
    )
    .await?
    .iter()
    .map(|r| {
        let conds = match sys::json_cell(&r[3]) {
            Value::Null => json!([]),
            v => v,
        };
        json!({"entity": t(&r[0]), "action": t(&r[1]), "roles": sys::list_cell(&r[2]), "conditions": conds})
    })
    .collect();
    let webhooks: Vec<Value> = rows(
        app,
        "SELECT entity, hook, url, method, [headers], condition, async, [retry], active FROM _webhooks ORDER BY entity, hook",
    )
    .await?
    .iter()
    .map(|r| {
        json!({"entity": t(&r[0]), "hook": t(&r[1]), "url": t(&r[2]), "method": t(&r[3]),
               "headers": sys::json_cell(&r[4]), "condition": t(&r[5]), "async": b(&r[6]),
               "retry": sys::json_cell(&r[7]), "active": b(&r[8])})
    })
    .collect();
    let ui: Vec<Value> = rows(
        app,
        "SELECT entity, scope, [config] FROM _ui_configs ORDER BY entity, scope",
    )
    .await?
    .iter()
    .map(|r| json!({"entity": t(&r[0]), "scope": t(&r[1]), "config": sys::json_cell(&r[2])}))
    .collect();
    Ok(json!({
        "version": 1,
        "exported_at": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "entities": entities,
        "relations": relations,
        "rules": rules,
        "state_machines": machines,
        "workflows": workflows,
        "permissions": permissions,
        "webhooks": webhooks,
        "ui_configs": ui,
    }))
}

const KINDS: [&str; 8] = [
    "entities",
    "relations",
    "rules",
    "state_machines",
    "workflows",
    "permissions",
    "webhooks",
    "ui_configs",
];

#[derive(Default)]
struct Summary {
    counts: [i64; 9],
    errors: Vec<String>,
}

fn list<'a>(doc: &'a Map<String, Value>, key: &str) -> Vec<&'a Map<String, Value>> {
    doc.get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default()
}

fn s<'a>(m: &'a Map<String, Value>, k: &str) -> &'a str {
    m.get(k).and_then(Value::as_str).unwrap_or("")
}

fn jtext(m: &Map<String, Value>, k: &str, default: Value) -> Param {
    Param::Text(
        m.get(k)
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or(default)
            .to_string(),
    )
}

fn flag(m: &Map<String, Value>, k: &str) -> Param {
    Param::Bool(m.get(k).and_then(Value::as_bool).unwrap_or(true))
}

pub async fn import(
    state: &AppState,
    app: &AppCtx,
    mut doc: Map<String, Value>,
) -> ApiResult<Value> {
    if !doc.contains_key("version") {
        if let Some(Value::Object(inner)) = doc.remove("data") {
            doc = inner;
        }
    }
    match doc.get("version") {
        Some(Value::Number(n)) if n.as_i64() == Some(1) => {}
        other => {
            let shown = match other {
                None => "0".to_string(),
                Some(Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
            };
            return Err(ApiError::Invalid(format!(
                "Unsupported export version: {shown}"
            )));
        }
    }
    for k in KINDS {
        if doc.get(k).is_some_and(|v| !v.is_array() && !v.is_null()) {
            return Err(ApiError::InvalidPayload("Invalid JSON body".into()));
        }
    }
    if doc
        .get("sample_data")
        .is_some_and(|v| !v.is_object() && !v.is_null())
    {
        return Err(ApiError::InvalidPayload("Invalid JSON body".into()));
    }
    let _lock = app.admin_lock.lock().await;
    let d = app.store.dialect();
    let store = &app.store;
    let mut sum = Summary::default();

    // 1. Entities.
    for item in list(&doc, "entities") {
        let (name, table) = (s(item, "name"), s(item, "table"));
        if name.is_empty() || table.is_empty() || app.schema().entity(name).is_some() {
            continue;
        }
        let e = match Entity::from_value(Value::Object(item.clone())) {
            Ok(e) => e,
            Err(err) => {
                sum.errors.push(format!("Entity {name}: {}", safe(&err)));
                continue;
            }
        };
        if let Err(m) = e.validate() {
            sum.errors.push(format!("Entity {name}: {m}"));
            continue;
        }
        match crate::admin::save_entity(store, &e, &app.schema(), true).await {
            Ok(_) => sum.counts[0] += 1,
            Err(err) => sum.errors.push(format!("Entity {name}: {}", safe(&err))),
        }
        // Reloaded per entity so a repeated name later in the same payload is skipped
        // like an existing one; this also makes the new entities visible to step 3.
        app.reload().await?;
    }

    // 3. Relations.
    for item in list(&doc, "relations") {
        let name = s(item, "name");
        let schema = app.schema();
        if name.is_empty() || schema.relation(name).is_some() {
            continue;
        }
        let r = match Relation::from_value(Value::Object(item.clone())) {
            Ok(r) => r,
            Err(err) => {
                sum.errors.push(format!("Relation {name}: {}", safe(&err)));
                continue;
            }
        };
        if let Err(m) = r
            .validate(|n| schema.entity(n).is_some())
            .and_then(|()| crate::admin::check_relation_keys(&schema, &r))
        {
            sum.errors.push(format!("Relation {name}: {m}"));
            continue;
        }
        match crate::admin::save_relation(store, &r, &schema, true).await {
            Ok(_) => sum.counts[1] += 1,
            Err(err) => sum.errors.push(format!("Relation {name}: {}", safe(&err))),
        }
    }
    app.reload().await?;

    // 4. Rules, deduplicated by entity|hook|type|definition (JSON value equality).
    let mut existing: Vec<(String, String, String, Value)> =
        rows(app, "SELECT entity, hook, type, [definition] FROM _rules")
            .await?
            .iter()
            .map(|r| {
                (
                    sys::text_cell(&r[0]),
                    sys::text_cell(&r[1]),
                    sys::text_cell(&r[2]),
                    sys::json_cell(&r[3]),
                )
            })
            .collect();
    for item in list(&doc, "rules") {
        let hook = match s(item, "hook") {
            "" => "before_write",
            h => h,
        };
        let key = (
            s(item, "entity").to_string(),
            hook.to_string(),
            s(item, "type").to_string(),
            item.get("definition").cloned().unwrap_or(Value::Null),
        );
        if existing.contains(&key) {
            continue;
        }
        let q = sys::sql(
            d,
            "INSERT INTO _rules (id, entity, hook, type, definition, priority, active) \
             VALUES ({1:uuid}, {2}, {3}, {4}, {5:jsonb}, {6:int4}, {7:bool})",
            vec![
                Param::Text(sys::new_id()),
                Param::Text(key.0.clone()),
                Param::Text(key.1.clone()),
                Param::Text(key.2.clone()),
                jtext(item, "definition", json!({})),
                Param::Int(item.get("priority").and_then(Value::as_i64).unwrap_or(0)),
                flag(item, "active"),
            ],
        );
        match store.execute(&q).await {
            Ok(_) => {
                sum.counts[2] += 1;
                existing.push(key);
            }
            Err(err) => sum
                .errors
                .push(format!("Rule ({}/{}): {}", key.0, key.1, safe(&err))),
        }
    }

    // 5. State machines by entity|field.
    let mut machines: HashSet<(String, String)> =
        rows(app, "SELECT entity, field FROM _state_machines")
            .await?
            .iter()
            .map(|r| (sys::text_cell(&r[0]), sys::text_cell(&r[1])))
            .collect();
    for item in list(&doc, "state_machines") {
        let key = (s(item, "entity").to_string(), s(item, "field").to_string());
        if machines.contains(&key) {
            continue;
        }
        let q = sys::sql(
            d,
            "INSERT INTO _state_machines (id, entity, field, definition, active) VALUES ({1:uuid}, {2}, {3}, {4:jsonb}, {5:bool})",
            vec![
                Param::Text(sys::new_id()),
                Param::Text(key.0.clone()),
                Param::Text(key.1.clone()),
                jtext(item, "definition", json!({})),
                flag(item, "active"),
            ],
        );
        match store.execute(&q).await {
            Ok(_) => {
                sum.counts[3] += 1;
                machines.insert(key);
            }
            Err(err) => sum.errors.push(format!(
                "State machine ({}/{}): {}",
                key.0,
                key.1,
                safe(&err)
            )),
        }
    }

    // 6. Workflows by name.
    let mut flows: HashSet<String> = rows(app, "SELECT name FROM _workflows")
        .await?
        .iter()
        .map(|r| sys::text_cell(&r[0]))
        .collect();
    for item in list(&doc, "workflows") {
        let name = s(item, "name").to_string();
        if name.is_empty() || flows.contains(&name) {
            continue;
        }
        let q = sys::sql(
            d,
            "INSERT INTO _workflows (id, name, trigger, context, steps, active) \
             VALUES ({1:uuid}, {2}, {3:jsonb}, {4:jsonb}, {5:jsonb}, {6:bool})",
            vec![
                Param::Text(sys::new_id()),
                Param::Text(name.clone()),
                jtext(item, "trigger", json!({})),
                jtext(item, "context", json!({})),
                jtext(item, "steps", json!([])),
                flag(item, "active"),
            ],
        );
        match store.execute(&q).await {
            Ok(_) => {
                sum.counts[4] += 1;
                flows.insert(name);
            }
            Err(err) => sum.errors.push(format!("Workflow {name}: {}", safe(&err))),
        }
    }

    // 7. Permissions by entity|action.
    let mut perms: HashSet<(String, String)> = rows(app, "SELECT entity, action FROM _permissions")
        .await?
        .iter()
        .map(|r| (sys::text_cell(&r[0]), sys::text_cell(&r[1])))
        .collect();
    for item in list(&doc, "permissions") {
        let key = (s(item, "entity").to_string(), s(item, "action").to_string());
        if perms.contains(&key) {
            continue;
        }
        let conditions: Vec<rocket_meta::Condition> = match item.get("conditions") {
            None | Some(Value::Null) => Vec::new(),
            Some(v) => match serde_json::from_value(v.clone()) {
                Ok(c) => c,
                Err(_) => {
                    sum.errors.push(format!(
                        "Permission ({}/{}): invalid conditions",
                        key.0, key.1
                    ));
                    continue;
                }
            },
        };
        let schema = app.schema();
        if let Err(m) = rocket_meta::validate_permission(
            schema.entity(&key.0).map(|e| e.as_ref()),
            &key.1,
            &conditions,
        ) {
            sum.errors
                .push(format!("Permission ({}/{}): {m}", key.0, key.1));
            continue;
        }
        let roles: Vec<String> = item
            .get("roles")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default();
        let q = sys::sql(
            d,
            "INSERT INTO _permissions (id, entity, action, roles, conditions) VALUES ({1:uuid}, {2}, {3}, {4:list}, {5:jsonb})",
            vec![
                Param::Text(sys::new_id()),
                Param::Text(key.0.clone()),
                Param::Text(key.1.clone()),
                sys::list_param(d, &roles),
                jtext(item, "conditions", json!([])),
            ],
        );
        match store.execute(&q).await {
            Ok(_) => {
                sum.counts[5] += 1;
                perms.insert(key);
            }
            Err(err) => {
                sum.errors
                    .push(format!("Permission ({}/{}): {}", key.0, key.1, safe(&err)))
            }
        }
    }

    // 8. Webhooks by entity|hook|url.
    let mut hooks: HashSet<(String, String, String)> =
        rows(app, "SELECT entity, hook, url FROM _webhooks")
            .await?
            .iter()
            .map(|r| {
                (
                    sys::text_cell(&r[0]),
                    sys::text_cell(&r[1]),
                    sys::text_cell(&r[2]),
                )
            })
            .collect();
    for item in list(&doc, "webhooks") {
        let hook = match s(item, "hook") {
            "" => "after_write",
            h => h,
        };
        let key = (
            s(item, "entity").to_string(),
            hook.to_string(),
            s(item, "url").to_string(),
        );
        if hooks.contains(&key) {
            continue;
        }
        let method = match s(item, "method") {
            "" => "POST",
            m => m,
        };
        let q = sys::sql(
            d,
            "INSERT INTO _webhooks (id, entity, hook, url, method, headers, condition, async, retry, active) \
             VALUES ({1:uuid}, {2}, {3}, {4}, {5}, {6:jsonb}, {7}, {8:bool}, {9:jsonb}, {10:bool})",
            vec![
                Param::Text(sys::new_id()),
                Param::Text(key.0.clone()),
                Param::Text(key.1.clone()),
                Param::Text(key.2.clone()),
                Param::Text(method.into()),
                jtext(item, "headers", json!({})),
                Param::Text(s(item, "condition").into()),
                flag(item, "async"),
                jtext(item, "retry", json!({"max_attempts": 3, "backoff": "exponential"})),
                flag(item, "active"),
            ],
        );
        match store.execute(&q).await {
            Ok(_) => {
                sum.counts[6] += 1;
                hooks.insert(key);
            }
            Err(err) => sum.errors.push(format!(
                "Webhook ({}/{}/{}): {}",
                key.0,
                key.1,
                key.2,
                safe(&err)
            )),
        }
    }

    // 9. UI configs: upsert.
    for item in list(&doc, "ui_configs") {
        let entity = s(item, "entity");
        if entity.is_empty() {
            continue;
        }
        let scope = match s(item, "scope") {
            "" => "default",
            x => x,
        };
        let q = sys::sql(
            d,
            "INSERT INTO _ui_configs (id, entity, scope, config) VALUES ({1:uuid}, {2}, {3}, {4:jsonb}) \
             ON CONFLICT (entity, scope) DO UPDATE SET config = EXCLUDED.config, updated_at = {now}",
            vec![
                Param::Text(sys::new_id()),
                Param::Text(entity.into()),
                Param::Text(scope.into()),
                jtext(item, "config", json!({})),
            ],
        );
        match store.execute(&q).await {
            Ok(_) => sum.counts[7] += 1,
            Err(err) => sum
                .errors
                .push(format!("UI config ({entity}/{scope}): {}", safe(&err))),
        }
    }
    app.reload().await?;

    // 11. Sample data, bypassing the write pipeline.
    if let Some(sample) = doc
        .get("sample_data")
        .and_then(Value::as_object)
        .filter(|m| !m.is_empty())
    {
        let schema = app.schema();
        for item in list(&doc, "entities") {
            let Some(e) = schema.entity(s(item, "name")) else {
                continue;
            };
            let Some(records) = sample.get(&e.name).and_then(Value::as_array) else {
                continue;
            };
            for rec in records.iter().filter_map(Value::as_object) {
                let mut cols: Vec<(&str, rocket_meta::FieldType, SqlValue)> = Vec::new();
                let mut bad = None;
                for f in &e.fields {
                    let Some(v) = rec.get(&f.name) else { continue };
                    match to_param(v, f.kind, d) {
                        Ok(p) => cols.push((f.name.as_str(), f.kind, SqlValue::Param(p))),
                        Err(_) => bad = Some(f.name.clone()),
                    }
                }
                let key = rec
                    .get(e.pk_name())
                    .and_then(crate::values::text_form)
                    .unwrap_or_default();
                if let Some(f) = bad {
                    sum.errors.push(format!(
                        "Record {}/{key}: {f} must be {}",
                        e.name,
                        e.field(&f)
                            .map(|x| x.kind.describe())
                            .unwrap_or("a valid value")
                    ));
                    continue;
                }
                if cols.is_empty() {
                    continue;
                }
                if e.pk_app_generated() && !rec.contains_key(e.pk_name()) {
                    cols.push((
                        e.pk_name(),
                        e.pk().kind,
                        SqlValue::Param(Param::Text(sys::new_id())),
                    ));
                }
                match store
                    .execute(&Write::insert_ignore(d, &e.table, &cols))
                    .await
                {
                    Ok(_) => sum.counts[8] += 1,
                    Err(err) => sum
                        .errors
                        .push(format!("Record {}/{key}: {}", e.name, safe(&err))),
                }
            }
        }
        for (key, records) in sample {
            if schema.entity(key).is_some() {
                continue;
            }
            let Some(r) = list(&doc, "relations")
                .into_iter()
                .find(|r| s(r, "join_table") == key && s(r, "type") == "many_to_many")
                .and_then(|r| schema.relation(s(r, "name")).cloned())
                .filter(|r| r.kind() == RelationKind::ManyToMany)
            else {
                continue;
            };
            let (Some(src), Some(tgt)) = (schema.entity(&r.source), schema.entity(&r.target))
            else {
                continue;
            };
            let sk = src
                .field(&r.source_key)
                .map(|f| f.kind)
                .unwrap_or(src.pk().kind);
            let tk = tgt.pk().kind;
            for rec in records
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_object)
            {
                let (Some(a), Some(bv)) =
                    (rec.get(&r.source_join_key), rec.get(&r.target_join_key))
                else {
                    continue;
                };
                let (Ok(pa), Ok(pb)) = (to_param(a, sk, d), to_param(bv, tk, d)) else {
                    sum.errors.push(format!("Record {key}: invalid key values"));
                    continue;
                };
                let cols = [
                    (r.source_join_key.as_str(), sk, SqlValue::Param(pa)),
                    (r.target_join_key.as_str(), tk, SqlValue::Param(pb)),
                ];
                match store
                    .execute(&Write::insert_ignore(d, &r.join_table, &cols))
                    .await
                {
                    Ok(_) => sum.counts[8] += 1,
                    Err(err) => sum.errors.push(format!("Record {key}: {}", safe(&err))),
                }
            }
        }
    }
    state.announce(&app.name).await;

    let c = sum.counts;
    let mut out = json!({
        "message": "Import completed",
        "summary": {
            "entities": c[0], "relations": c[1], "rules": c[2], "state_machines": c[3],
            "workflows": c[4], "permissions": c[5], "webhooks": c[6], "ui_configs": c[7], "records": c[8],
        },
    });
    if !sum.errors.is_empty() {
        out["errors"] = json!(sum.errors);
    }
    Ok(out)
}

/// Error text for the import report: never database internals.
fn safe(e: &dyn std::fmt::Display) -> String {
    let m = e.to_string();
    if m.starts_with("unique") {
        "a record with this value already exists".into()
    } else if m.starts_with("invalid value") {
        "a value has the wrong format".into()
    } else if m.contains("missing field") || m.contains("invalid type") {
        m
    } else {
        tracing::warn!("import step failed: {m}");
        "database error (see server log)".into()
    }
}
