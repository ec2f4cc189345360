//! Hostile inputs (spec 10 §6): each must come back as an error value, fast,
//! without a panic, stack overflow or hang.

use rocket_expr::{compile, limits, EvalErrorKind};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// Generous for debug builds on a loaded CI machine; real times are far lower.
const BUDGET: Duration = Duration::from_millis(50);

const DEEP: &str = "expression nested too deeply";
const COMPLEX: &str = "expression too complex";

#[track_caller]
fn compile_fails(src: &str, prefix: &str) {
    let t = Instant::now();
    let r = compile(src);
    let took = t.elapsed();
    match r {
        Err(e) => assert!(
            e.message.starts_with(prefix),
            "expected {prefix:?}, got {e} for {}…",
            &src[..src.len().min(40)]
        ),
        Ok(_) => panic!("compiled: {}…", &src[..src.len().min(40)]),
    }
    assert!(took < BUDGET, "compile took {took:?}");
}

#[track_caller]
fn eval_fails(src: &str, env: &Value, kind: EvalErrorKind) -> String {
    let p = compile(src).unwrap_or_else(|e| panic!("compile: {e}"));
    let t = Instant::now();
    let r = p.eval(env);
    let took = t.elapsed();
    assert!(took < BUDGET, "eval took {took:?}");
    match r {
        Err(e) => {
            assert_eq!(e.kind, kind, "{e}");
            e.message
        }
        Ok(v) => panic!("evaluated to {}", short(&v)),
    }
}

/// `core` with `open` repeated `n` times before it and `close` after it.
fn nest(open: &str, core: &str, close: &str, n: usize) -> String {
    format!("{}{core}{}", open.repeat(n), close.repeat(n))
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    s[..s.len().min(80)].to_string()
}

#[test]
fn ten_thousand_nested_parentheses() {
    compile_fails(&nest("(", "1", ")", 10_000), "expression too long");
    // The same shape within the length limit exercises the depth guard itself.
    compile_fails(&nest("(", "1", ")", 2_000), DEEP);
    compile_fails(&nest("(", "1", "", 4_000), DEEP);
}

#[test]
fn nesting_limit_is_exact_enough() {
    let ok = nest("(", "1", ")", 60);
    assert_eq!(compile(&ok).unwrap().eval(&json!({})).unwrap(), json!(1));
    compile_fails(&nest("(", "1", ")", 65), DEEP);
}

#[test]
fn other_deep_nesting() {
    // (open, core, close, n) as for `nest`.
    let deep = [
        ("[", "1", "]", 2000),
        ("{a:", "1", "}", 800),
        ("!", "x", "", 4000),
        ("- ", "x", "", 2000),
        ("not ", "x", "", 900),
        ("", "2", " ** 2", 700),
        ("x ? 1 : ", "1", "", 500),
        ("len(", "1", ")", 800),
    ];
    for (open, core, close, n) in deep {
        compile_fails(&nest(open, core, close, n), DEEP);
    }
    compile_fails(&nest("", "x", "[0]", 1300), COMPLEX);
}

#[test]
fn long_operator_chains() {
    // Left-deep chains are built without recursion; the AST height cap keeps
    // the evaluator's recursion bounded.
    compile_fails(&nest("", "1", " + 1", 1000), COMPLEX);
    let p = compile(&nest("", "1", " + 1", 200)).unwrap();
    assert_eq!(p.eval(&json!({})).unwrap(), json!(201));
    // `||` / `&&` chains are flattened, so long allow-lists work.
    let list = (0..300)
        .map(|i| format!("x == {i}"))
        .collect::<Vec<_>>()
        .join(" || ");
    let p = compile(&list).unwrap();
    assert!(p.eval_bool(&json!({"x": 299})).unwrap());
    assert!(!p.eval_bool(&json!({"x": 300})).unwrap());
}

#[test]
fn deep_member_chains() {
    compile_fails(&nest("", "record", ".a", 2000), COMPLEX);
    for link in [".a", "?.a"] {
        let ok = nest("", "record", link, 200);
        let v = compile(&ok).unwrap().eval(&json!({})).unwrap();
        assert_eq!(v, Value::Null, "record{link}…");
    }
}

#[test]
fn max_height_expression_evaluates_on_a_small_stack() {
    // The tallest tree the parser admits must evaluate on a small stack:
    // 256 KiB in release, 1 MiB in unoptimised builds (whose frames are
    // several times larger); the default thread stack is 2 MiB.
    let inner = nest("", "1", " + 1", limits::MAX_AST_HEIGHT - 70);
    let src = nest("-(", &inner, ")", 30);
    let p = compile(&src).unwrap();
    let h = std::thread::Builder::new()
        .stack_size(if cfg!(debug_assertions) { 1024 } else { 256 } * 1024)
        .spawn(move || p.eval(&json!({})))
        .unwrap();
    assert!(h.join().unwrap().is_ok());
}

#[test]
fn huge_sources() {
    compile_fails(&"a".repeat(5000), "expression too long");
    compile_fails(&"x + ".repeat(1 << 20), "expression too long");
    compile_fails(&"é".repeat(4097), "expression too long");
    assert!(compile(&format!("'{}'", "é".repeat(4094))).is_ok());
}

#[test]
fn ranges_and_repeats_do_not_exist() {
    compile_fails("1..1000000000", "a number must start with a digit");
    compile_fails("x..y", "expected a property name");
    compile_fails("repeat('a', 1000000000)", "unknown function: repeat");
    compile_fails("map(items, x * 2)", "unknown function: map");
    compile_fails("map(1..1000000, # * 2)", "a number must start");
    let env = json!({});
    let msg = eval_fails("'a' * 1000000000", &env, EvalErrorKind::Type);
    assert!(msg.starts_with("invalid operation"));
}

#[test]
fn long_strings_hit_the_size_cap() {
    let big = "x".repeat(600 * 1024);
    let env = json!({"record": {"s": big, "arr": vec![big.clone(); 4]}});
    let msg = eval_fails("record.s + record.s", &env, EvalErrorKind::Limit);
    assert!(msg.starts_with("string result too long"), "{msg}");
    eval_fails(
        "record.s + record.s + record.s + record.s",
        &env,
        EvalErrorKind::Limit,
    );
    eval_fails("string(record.arr)", &env, EvalErrorKind::Limit);
    eval_fails("string(record)", &env, EvalErrorKind::Limit);
    // Reading a large input string is fine; only produced strings are capped.
    let p = compile("len(record.s) > 0 && record.s.length == len(record.s)").unwrap();
    assert!(p.eval_bool(&env).unwrap());
    assert_eq!(
        compile("upper(record.s)")
            .unwrap()
            .eval(&env)
            .unwrap()
            .as_str()
            .map(str::len),
        Some(600 * 1024)
    );
}

#[test]
fn big_inputs_hit_the_step_budget() {
    let big: Vec<i64> = (0..200_000).collect();
    let env = json!({"record": {"big": big, "map": {"k": 1}}});
    let msg = eval_fails("-1 in record.big", &env, EvalErrorKind::Limit);
    assert!(msg.starts_with("evaluation step budget exceeded"), "{msg}");
    eval_fails("record.big == record.big", &env, EvalErrorKind::Limit);
    eval_fails("record.big contains -1", &env, EvalErrorKind::Limit);
    eval_fails("record.big + record.big", &env, EvalErrorKind::Limit);
    eval_fails("string(record.big)", &env, EvalErrorKind::Limit);
    // Cheap operations on the same input stay cheap.
    let p = compile("len(record.big) == 200000 && record.big[-1] == 199999 && 0 in record.big")
        .unwrap();
    let t = Instant::now();
    assert!(p.eval_bool(&env).unwrap());
    assert!(t.elapsed() < BUDGET);
}

#[test]
fn step_budget_is_cumulative() {
    // Each comparison alone fits the budget; together they do not.
    let x: Vec<i64> = (0..4_000).collect();
    let env = json!({"x": x});
    assert!(compile("x == x").unwrap().eval_bool(&env).unwrap());
    let msg = eval_fails("x == x && x == x && x == x", &env, EvalErrorKind::Limit);
    assert!(msg.starts_with("evaluation step budget exceeded"));
    // Without inputs, work is linear in the (capped) source: the widest
    // literal comparison the length limit allows still fits the budget.
    let arr = format!("[{}]", vec!["1"; 1000].join(","));
    assert!(compile(&format!("{arr} == {arr}"))
        .unwrap()
        .eval_bool(&json!({}))
        .unwrap());
}

#[test]
fn array_concat_cap() {
    let big: Vec<i64> = (0..6_000).collect();
    let env = json!({"a": big});
    let msg = eval_fails("a + a", &env, EvalErrorKind::Limit);
    assert!(msg.starts_with("array result too long"), "{msg}");
}

#[test]
fn hostile_regexes() {
    compile_fails("x matches 'a{1000}{1000}'", "regular expression too large");
    compile_fails(
        &format!("x matches '{}'", "(".repeat(100)),
        "invalid regular expression",
    );
    let s = format!("{}b", "a".repeat(100_000));
    let env = json!({"s": s, "p": "(a+)+$", "big": "a{1000}{1000}"});
    let p = compile("s matches '(a+)+$' && s matches '(x+x+)+y'").unwrap();
    let t = Instant::now();
    assert!(!p.eval_bool(&env).unwrap());
    assert!(t.elapsed() < BUDGET * 4, "{:?}", t.elapsed());
    let msg = eval_fails("'x' matches big", &env, EvalErrorKind::Regex);
    assert!(msg.contains("too large"), "{msg}");
    let long_pattern = json!({"p": "a".repeat(10_000)});
    eval_fails("'x' matches p", &long_pattern, EvalErrorKind::Limit);
    let huge = json!({"s": "a".repeat(4 << 20)});
    eval_fails("s matches 'b'", &huge, EvalErrorKind::Limit);
}

#[test]
fn deep_json_input() {
    let mut v = json!(1);
    for _ in 0..60 {
        v = json!({"a": [v]});
    }
    let env = json!({"x": v.clone(), "y": v});
    let p = compile("x == y && string(x) != ''").unwrap();
    assert!(p.eval_bool(&env).unwrap());
    let mut w = json!(1);
    for _ in 0..200 {
        w = json!([w]);
    }
    let env = json!({"x": w.clone(), "y": w});
    eval_fails("x == y", &env, EvalErrorKind::Limit);
}

#[test]
fn garbage_never_panics() {
    let samples = [
        "(",
        ")",
        "[",
        "]",
        "{",
        "}",
        "?",
        ":",
        "?.",
        "??",
        "a.",
        "a?.",
        "a[",
        "a(",
        "new",
        "new Date(",
        "'",
        "\"",
        "\\",
        "1e+",
        "1.",
        "1..2",
        "!",
        "-",
        "a not",
        "a not b",
        "a ? b",
        "a ? b :",
        "{a}",
        "{a:}",
        "{:1}",
        "[,]",
        "f(,)",
        "len(,1)",
        "x.1",
        "x[]",
        "'\\u12'",
        "'\\uD800'",
        "'\\uD800\\u0041'",
        "&",
        "|",
        "a & b",
        "a | b",
        "a === ",
        "=== a",
        "\u{0}",
        "é",
        "a.é",
    ];
    for s in samples {
        let r = std::panic::catch_unwind(|| compile(s).map(|p| p.eval(&json!({}))));
        assert!(r.is_ok(), "panicked on {s:?}");
    }
}
