//! Compile and evaluation time of representative corpus expressions
//! (spec 10 §8). Run with `cargo bench --bench eval`.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use rocket_expr::compile;
use serde_json::{json, Value};

fn cases() -> Vec<(&'static str, &'static str, Value)> {
    let rule = json!({
        "record": {"status": "paid", "payment_date": null, "total": 1500, "subtotal": 100,
                   "tax_rate": 0.1, "first_name": "John", "last_name": "Doe",
                   "end_date": "2025-03-10", "start_date": "2025-03-01", "name": "the acme corp"},
        "old": {"status": "sent"},
        "action": "update"
    });
    let wf = json!({"context": {"amount": "50000.00", "department": "engineering"}});
    vec![
        (
            "E1",
            "record.status == 'paid' && record.payment_date == nil",
            rule.clone(),
        ),
        (
            "E2",
            "action == 'update' && record.status == 'cancelled' && old.status == 'paid'",
            rule.clone(),
        ),
        (
            "E3",
            "record.subtotal * (1 + record.tax_rate)",
            rule.clone(),
        ),
        (
            "E4",
            "record.first_name + ' ' + record.last_name",
            rule.clone(),
        ),
        ("E5", "record.total > 0", rule.clone()),
        ("E6", "context.amount > 10000", wf.clone()),
        (
            "E14",
            "action == 'update' && old.status != record.status && !('admin' in user.roles)",
            rule.clone(),
        ),
        (
            "E18",
            "new Date(record.end_date) >= new Date(record.start_date)",
            rule.clone(),
        ),
        (
            "E23",
            "record.status == 'paid' && (old == nil || old.status != 'paid')",
            rule.clone(),
        ),
        ("E46", "record.name.contains(\"acme\")", rule.clone()),
        ("E34", "context.department == 'engineering'", wf),
    ]
}

fn bench(c: &mut Criterion) {
    let cases = cases();
    let mut g = c.benchmark_group("compile");
    for (id, src, _) in &cases {
        g.bench_function(*id, |b| b.iter(|| compile(black_box(src))));
    }
    g.finish();
    let mut g = c.benchmark_group("eval");
    for (id, src, env) in &cases {
        let Ok(p) = compile(src) else { continue };
        g.bench_function(*id, |b| b.iter(|| p.eval_bool(black_box(env))));
    }
    g.finish();
    let mut g = c.benchmark_group("eval_json");
    for (id, src, env) in cases
        .iter()
        .filter(|(id, _, _)| matches!(*id, "E3" | "E4" | "E18"))
    {
        let Ok(p) = compile(src) else { continue };
        g.bench_function(*id, |b| b.iter(|| p.eval(black_box(env))));
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(300))
        .measurement_time(std::time::Duration::from_secs(1));
    targets = bench
}
criterion_main!(benches);
