//! The cost of the business logic of one write, without I/O: the five rules and the
//! guarded state machine of the load benchmark's `ruled` entity (bench/README.md),
//! on the bodies of W1R (create) and W2R (update). Run with
//! `cargo bench -p rocket-engine --bench logic`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rocket_engine::logic::machines::{self, Machine};
use rocket_engine::logic::rules::{self, Rule};
use rocket_engine::logic::Scope;
use serde_json::{json, Value};

fn ruled() -> (Vec<Rule>, Vec<Machine>) {
    let defs = [
        (
            "field",
            json!({"field": "name", "operator": "min_length", "value": 1}),
        ),
        (
            "field",
            json!({"field": "score", "operator": "min", "value": 0}),
        ),
        (
            "expression",
            json!({"expression": "record.score != nil && record.score > 1000000", "message": "score too large"}),
        ),
        (
            "expression",
            json!({"expression": "record.tier == 'platinum'"}),
        ),
        (
            "computed",
            json!({"field": "label", "expression": "record.name != nil ? upper(record.name) : old.label"}),
        ),
    ];
    let rules = defs.iter().filter_map(|(k, d)| Rule::new(k, d)).collect();
    let machine = Machine::new(
        "status",
        &json!({"initial": "new", "transitions": [
            {"from": "new", "to": "active", "guard": "(record.score != nil ? record.score : old.score) >= 0"},
            {"from": "active", "to": "new"}]}),
    );
    (rules, vec![machine])
}

fn run(rules: &[Rule], ms: &[Machine], action: &str, old: &Value, body: &Value) -> Value {
    let user = json!({"id": "u1", "roles": ["admin"]});
    let scope = Scope::new(old, action, &user, &Value::Null);
    let mut record = body.clone();
    let errors = rules::run(rules, &scope, &mut record);
    assert!(errors.is_empty());
    let out = machines::run(ms, &scope, &["admin".to_string()], &mut record).unwrap();
    assert!(out.errors.is_empty());
    record
}

fn bench(c: &mut Criterion) {
    let (rules, ms) = ruled();
    let create = json!({"name": "Customer 1", "email": "c1@example.com", "tier": "gold", "score": 42, "status": "new"});
    let empty = json!({});
    c.bench_function("W1R logic (create)", |b| {
        b.iter(|| run(&rules, &ms, "create", &empty, black_box(&create)))
    });
    let old = json!({"id": "a", "name": "Customer 1", "email": "c1@example.com", "tier": "gold",
                     "score": 42, "status": "new", "label": "CUSTOMER 1", "created_at": "2025-01-15T10:30:00Z"});
    let update = json!({"score": 7});
    c.bench_function("W2R logic (update)", |b| {
        b.iter(|| run(&rules, &ms, "update", &old, black_box(&update)))
    });
    let transition = json!({"status": "active", "score": 7});
    c.bench_function("transition with guard", |b| {
        b.iter(|| run(&rules, &ms, "update", &old, black_box(&transition)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
