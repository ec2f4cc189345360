//! The cost of building an app's OpenAPI document (issue 12): 50 entities of 15
//! fields with a chain of relations, admin and non-admin views, built and
//! serialized. Served documents are cached per snapshot and view, so this is paid
//! once per metadata change. Run with `cargo bench -p rocket-engine --bench openapi`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rocket_engine::openapi::{app_document, View};
use rocket_meta::{Action, Entity, Policy, Relation, Schema};
use rocket_store::Dialect;
use serde_json::json;

const TYPES: [&str; 14] = [
    "string",
    "text",
    "int",
    "bigint",
    "float",
    "decimal",
    "boolean",
    "uuid",
    "timestamp",
    "date",
    "json",
    "file",
    "string",
    "int",
];

fn schema() -> Schema {
    let entities: Vec<Entity> = (0..50)
        .map(|i| {
            let mut fields = vec![json!({"name": "id", "type": "uuid"})];
            fields.extend(
                TYPES
                    .iter()
                    .enumerate()
                    .map(|(j, t)| json!({"name": format!("f{j}"), "type": t, "required": j == 0})),
            );
            fields.push(json!({"name": "parent_id", "type": "uuid"}));
            Entity::from_value(json!({"name": format!("e{i}"), "table": format!("t{i}"),
                "primary_key": {"field": "id", "type": "uuid", "generated": true},
                "fields": fields}))
            .expect("entity")
        })
        .collect();
    let relations: Vec<Relation> = (1..50)
        .map(|i| {
            Relation::from_value(json!({"name": format!("r{i}"), "type": "one_to_many",
                "source": format!("e{}", i - 1), "target": format!("e{i}"),
                "source_key": "id", "target_key": "parent_id"}))
            .expect("relation")
        })
        .collect();
    let policies = (0..50)
        .step_by(2)
        .map(|i| Policy {
            id: format!("p{i}"),
            entity: format!("e{i}"),
            action: Action::Read,
            roles: vec!["viewer".into()],
            conditions: vec![],
        })
        .collect();
    Schema::new(entities, relations).with_policies(policies)
}

fn bench(c: &mut Criterion) {
    let s = schema();
    let viewer = View::Roles(vec!["viewer".into()]);
    c.bench_function("openapi_admin_50_entities", |b| {
        b.iter(|| {
            let d = app_document("shop", black_box(&s), Dialect::Postgres, &View::Admin);
            serde_json::to_vec(&d).expect("serializes").len()
        })
    });
    c.bench_function("openapi_viewer_50_entities", |b| {
        b.iter(|| {
            let d = app_document("shop", black_box(&s), Dialect::Postgres, &viewer);
            serde_json::to_vec(&d).expect("serializes").len()
        })
    });
    let size = serde_json::to_vec(&app_document("shop", &s, Dialect::Postgres, &View::Admin))
        .expect("serializes")
        .len();
    println!("admin document: {size} bytes");
}

criterion_group!(benches, bench);
criterion_main!(benches);
