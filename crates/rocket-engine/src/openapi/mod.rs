//! OpenAPI 3.1 documents (issue 12; the HTTP contract of specs 04–16 as a machine
//! readable description): one per app, generated from its metadata snapshot, and one
//! for the platform.
//!
//! An app's document has the five endpoints of every entity the caller may use
//! (admins: all; other users: the actions a policy grants one of their roles, spec
//! 11 §7), with exact record and body schemas ([`fields`]), and the system endpoints
//! ([`system`]); the admin API only for admins. Documents are cached per snapshot
//! and view: a metadata change swaps the snapshot, so the next request rebuilds.

mod common;
mod definitions;
mod entities;
pub mod fields;
mod system;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use rocket_meta::{Action, Entity, Schema};
use rocket_store::Dialect;
use serde_json::{json, Map, Value};

use crate::app::App;
use crate::auth::User;
use fields::{
    body, create_name, included, included_name, nested_name, record, record_name, update_name, Body,
};
use system::Op;

/// Who a document is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    /// Every endpoint (admins, the CLI).
    Admin,
    /// A user with these roles: the entity endpoints their policies allow, no admin API.
    Roles(Vec<String>),
}

impl View {
    pub fn of(user: &User) -> View {
        if user.is_admin() {
            View::Admin
        } else {
            View::Roles(user.roles.clone())
        }
    }

    fn allows(&self, schema: &Schema, e: &Entity, a: Action) -> bool {
        match self {
            View::Admin => true,
            View::Roles(r) => schema
                .policies(&e.name, a)
                .iter()
                .any(|p| p.matches_roles(r)),
        }
    }

    /// The cache key: `admin`, or the sorted lower-cased roles.
    fn key(&self) -> String {
        match self {
            View::Admin => "\u{0}admin".into(),
            View::Roles(r) => {
                let mut r: Vec<String> = r.iter().map(|s| s.to_lowercase()).collect();
                r.sort();
                r.dedup();
                r.join(",")
            }
        }
    }
}

/// The document of `app` for `view`, built from `schema`.
pub fn app_document(app: &str, schema: &Schema, d: Dialect, view: &View) -> Value {
    let base = format!("/api/{app}");
    let mut paths = Map::new();
    let allowed = |e: &Entity, a: Action| view.allows(schema, e, a);
    let mut shown: Vec<&Arc<Entity>> = entities::visible(schema, allowed).collect();
    shown.sort_by(|a, b| a.name.cmp(&b.name));
    let mut schemas = common::schemas();
    schemas.extend(definitions::schemas());
    for e in &shown {
        for (p, item) in entities::paths(e, |a| allowed(e, a)) {
            paths.insert(format!("{base}{p}"), item);
        }
    }
    // Bodies reference nested rows of related entities the caller may not list:
    // every entity's schemas are components (a schema is no permission).
    for e in schema.entities() {
        schemas.insert(record_name(&e.name), record(schema, e, d));
        schemas.insert(included_name(&e.name), included(e, d));
        schemas.insert(create_name(&e.name), body(schema, e, Body::Create));
        schemas.insert(update_name(&e.name), body(schema, e, Body::Update));
        schemas.insert(nested_name(&e.name), body(schema, e, Body::Nested));
    }
    add_ops(&mut paths, &base, system::app_ops(*view == View::Admin));
    paths.insert(
        format!("{base}/_openapi.json"),
        openapi_path("This document"),
    );
    let title = format!("Rocket app {app}");
    let mut tags: Vec<Value> = shown
        .iter()
        .map(|e| json!({"name": e.name, "description": format!("Records of {}", e.name)}))
        .collect();
    tags.extend(system_tags());
    document(&title, paths, schemas, tags)
}

/// The platform's document.
pub fn platform_document() -> Value {
    let mut paths = Map::new();
    add_ops(&mut paths, "/api/_platform", system::platform_ops());
    paths.insert(
        "/api/_platform/openapi.json".into(),
        openapi_path("This document"),
    );
    let tags = vec![
        json!({"name": "auth", "description": "Platform users (spec 11 §4)"}),
        json!({"name": "apps", "description": "Apps and their databases (spec 12)"}),
        json!({"name": "ai"}),
        json!({"name": "openapi"}),
    ];
    document("Rocket platform", paths, common::schemas(), tags)
}

fn system_tags() -> Vec<Value> {
    [
        "auth",
        "files",
        "events",
        "workflows",
        "ui",
        "metadata",
        "logic",
        "users",
        "webhooks",
        "porting",
        "ai",
        "openapi",
    ]
    .iter()
    .map(|t| json!({"name": t}))
    .collect()
}

fn add_ops(paths: &mut Map<String, Value>, base: &str, ops: Vec<Op>) {
    for o in ops {
        let item = paths
            .entry(format!("{base}{}", o.path))
            .or_insert_with(|| json!({}));
        item[o.method] = o.operation();
    }
}

fn openapi_path(summary: &str) -> Value {
    let (code, ok) = common::ok("200", json!({"type": "object", "required": ["openapi"]}));
    let mut responses = Map::new();
    responses.insert(code, ok);
    for (k, v) in common::errors(&["401", "404"]) {
        responses.insert(k, v);
    }
    json!({"get": {"tags": ["openapi"], "summary": summary, "operationId": "get__openapi",
        "responses": responses}})
}

fn document(
    title: &str,
    paths: Map<String, Value>,
    schemas: Map<String, Value>,
    tags: Vec<Value>,
) -> Value {
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": title,
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Generated by Rocket Backend from the app's metadata. Errors use the \
                envelope {\"error\": {\"code\", \"message\", \"details\"}} (spec 06).",
        },
        "tags": tags,
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "responses": common::responses(),
            "securitySchemes": common::security_schemes(),
        },
    })
}

/// Most views cached per snapshot (distinct role sets); beyond it, the cache restarts.
const MAX_VIEWS: usize = 64;

/// The snapshot documents were built from, and them by view key.
type Docs = (Arc<Schema>, HashMap<String, Bytes>);

/// Serialized documents of one snapshot, by view.
#[derive(Default)]
pub struct Cache {
    inner: Mutex<Option<Docs>>,
}

impl Cache {
    /// The serialized document of `app` for `view`: cached until the snapshot changes.
    pub fn get(&self, app: &App, view: &View) -> Bytes {
        let schema = app.schema();
        let key = view.key();
        {
            // A poisoned lock only means another builder panicked: the map is intact.
            let guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
            if let Some((s, docs)) = guard.as_ref() {
                if Arc::ptr_eq(s, &schema) {
                    if let Some(d) = docs.get(&key) {
                        return d.clone();
                    }
                }
            }
        }
        let doc = app_document(&app.name, &schema, app.store.dialect(), view);
        // Serializing a `Value` cannot fail (string keys only).
        let bytes = Bytes::from(serde_json::to_vec(&doc).unwrap_or_default());
        let mut guard = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let fresh = match guard.as_ref() {
            Some((s, docs)) => !Arc::ptr_eq(s, &schema) || docs.len() >= MAX_VIEWS,
            None => true,
        };
        if fresh {
            *guard = Some((schema, HashMap::new()));
        }
        if let Some((_, docs)) = guard.as_mut() {
            docs.insert(key, bytes.clone());
        }
        bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rocket_meta::{Policy, Relation};

    fn schema() -> Schema {
        let ent = |v: Value| Entity::from_value(v).unwrap();
        let post = ent(json!({"name": "post", "table": "posts",
            "primary_key": {"field": "id", "type": "uuid", "generated": true},
            "fields": [{"name": "id", "type": "uuid"},
                {"name": "title", "type": "string", "required": true}]}));
        let note = ent(json!({"name": "note", "table": "notes",
            "primary_key": {"field": "id", "type": "uuid", "generated": true},
            "fields": [{"name": "id", "type": "uuid"}, {"name": "post_id", "type": "uuid"}]}));
        let rel = Relation::from_value(json!({"name": "notes", "type": "one_to_many",
            "source": "post", "target": "note", "source_key": "id", "target_key": "post_id"}))
        .unwrap();
        let read = Policy {
            id: "p1".into(),
            entity: "post".into(),
            action: Action::Read,
            roles: vec!["reader".into()],
            conditions: vec![],
        };
        Schema::new(vec![post, note], vec![rel]).with_policies(vec![read])
    }

    #[test]
    fn admins_see_everything() {
        let d = app_document("shop", &schema(), Dialect::Sqlite, &View::Admin);
        let paths = d["paths"].as_object().unwrap();
        for p in [
            "/api/shop/post",
            "/api/shop/post/{id}",
            "/api/shop/note",
            "/api/shop/_admin/entities",
        ] {
            assert!(paths.contains_key(p), "{p}");
        }
        assert_eq!(d["openapi"], "3.1.0");
        let post = &paths["/api/shop/post"];
        assert!(post.get("get").is_some() && post.get("post").is_some());
        assert_eq!(
            d["components"]["schemas"]["post.create"]["properties"]["notes"]["properties"]["data"]
                ["items"],
            json!({"$ref": "#/components/schemas/note.nested"})
        );
    }

    #[test]
    fn users_see_what_their_roles_allow() {
        let d = app_document(
            "shop",
            &schema(),
            Dialect::Sqlite,
            &View::Roles(vec!["reader".into()]),
        );
        let paths = d["paths"].as_object().unwrap();
        assert!(!paths.keys().any(|p| p.contains("/_admin/")));
        assert!(!paths.contains_key("/api/shop/note"));
        let post = &paths["/api/shop/post"];
        assert!(post.get("get").is_some());
        assert!(post.get("post").is_none(), "no create policy");
        assert!(paths["/api/shop/post/{id}"].get("delete").is_none());
        let none = app_document("shop", &schema(), Dialect::Sqlite, &View::Roles(vec![]));
        assert!(!none["paths"]
            .as_object()
            .unwrap()
            .contains_key("/api/shop/post"));
    }

    #[test]
    fn view_keys() {
        assert_eq!(
            View::Roles(vec!["b".into(), "A".into(), "a".into()]).key(),
            "a,b"
        );
        assert_ne!(View::Admin.key(), View::Roles(vec!["admin".into()]).key());
    }
}
