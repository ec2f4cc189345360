//! Spec 10 §2–§7 rule by rule (the corpus covers §8).

use rocket_expr::{compile, compile_for, ContextKind, EvalErrorKind};
use serde_json::{json, Value};

fn env() -> Value {
    json!({
        "record": {
            "status": "paid", "total": 1500, "price": "1500.00", "rate": 0.25,
            "name": "Ada Lovelace", "tags": ["a", "b", 3], "nested": {"x": {"y": 1}},
            "empty": "", "zero": 0, "flag": false, "list": [], "obj": {}, "n": null,
            "uni": "héllo", "date": "2025-01-15T10:30:00Z"
        },
        "old": {},
        "action": "update"
    })
}

fn ev(src: &str) -> Result<Value, String> {
    let p = compile(src).map_err(|e| format!("compile: {e}"))?;
    p.eval(&env()).map_err(|e| e.message)
}

#[track_caller]
fn ok(src: &str, want: Value) {
    assert_eq!(ev(src), Ok(want), "{src}");
}

#[track_caller]
fn err(src: &str, prefix: &str) {
    match ev(src) {
        Err(m) if m.starts_with(prefix) && !m.starts_with("compile:") => {}
        other => panic!("{src}: expected eval error {prefix:?}, got {other:?}"),
    }
}

#[track_caller]
fn cerr(src: &str, prefix: &str) {
    match compile(src) {
        Err(e) if e.message.starts_with(prefix) => {}
        Err(e) => panic!("{src}: expected compile error {prefix:?}, got {e}"),
        Ok(_) => panic!("{src}: expected compile error {prefix:?}, compiled"),
    }
}

#[test]
fn literals() {
    ok("123", json!(123));
    ok("12.5", json!(12.5));
    ok("0.5", json!(0.5));
    ok("1e3", json!(1000));
    ok("2.5E-2", json!(0.025));
    ok("'paid'", json!("paid"));
    ok("\"paid\"", json!("paid"));
    ok(r#"'a\'b\"c\\d\n\t\r'"#, json!("a'b\"c\\d\n\t\r"));
    ok(r"'\u00e9\uD83D\uDE00'", json!("é😀"));
    ok("true", json!(true));
    ok("false", json!(false));
    ok("nil", Value::Null);
    ok("null", Value::Null);
    ok("undefined", Value::Null);
    ok("[1, 'a', [true]]", json!([1, "a", [true]]));
    ok(
        "{a: 1, 'b c': 2, \"d\": [3]}",
        json!({"a": 1, "b c": 2, "d": [3]}),
    );
    ok("{a: 1, a: 2}", json!({"a": 2}));
    ok("[]", json!([]));
    ok("[1, 2,]", json!([1, 2]));
}

#[test]
fn lexical_errors() {
    cerr(".5", "a number must start with a digit");
    cerr("'abc", "unterminated string");
    cerr("record.x = 1", "unexpected '='");
    cerr("0x10", "invalid number literal");
    cerr("1_000", "invalid number literal");
    cerr("1e", "malformed number exponent");
    cerr("'\\q'", "invalid escape");
    cerr("a # b", "unexpected character");
    cerr("`tpl`", "unexpected character");
    cerr("", "empty expression");
    cerr("   ", "empty expression");
}

#[test]
fn compile_error_positions() {
    let e = compile("record.total >\n  = 5").unwrap_err();
    assert_eq!((e.line, e.column, e.offset), (2, 3, 17));
    assert!(e.to_string().contains("line 2, column 3"), "{e}");
    let e = compile("foo(1)").unwrap_err();
    assert_eq!(e.message, "unknown function: foo");
    assert_eq!(e.offset, 0);
    let e = compile("1 + (2").unwrap_err();
    assert_eq!(e.offset, 6);
}

#[test]
fn eval_error_positions() {
    let p = compile("record.status == 'paid' && record.missing > 5").unwrap();
    let e = p.eval(&env()).unwrap_err();
    assert_eq!(e.kind, EvalErrorKind::Type);
    assert_eq!(e.message, "cannot compare null");
    assert_eq!(e.offset, 42);
    assert_eq!((e.line, e.column), (1, 43));
}

#[test]
fn precedence() {
    ok("1 + 2 * 3", json!(7));
    ok("(1 + 2) * 3", json!(9));
    ok("2 ** 3 ** 2", json!(512));
    ok("-2 ** 2", json!(-4));
    ok("(-2) ** 2", json!(4));
    ok("2 ** -1", json!(0.5));
    ok("10 - 4 - 3", json!(3));
    ok("true || false && false", json!(true));
    ok("1 < 2 == true", json!(true));
    ok("nil ?? 1 ? 'y' : 'n'", json!("y"));
    ok("false ? 1 : true ? 2 : 3", json!(2));
    ok("null ?? null ?? 3", json!(3));
    ok("!true || true", json!(true));
    ok("not true or true", json!(true));
    ok("1 + 2 in [3]", json!(true));
    ok("'a' + 'b' == 'ab'", json!(true));
    ok("false && true || true", json!(true));
    ok("7 % 4 * 2", json!(6));
    ok("-record.total", json!(-1500));
}

#[test]
fn member_and_index() {
    ok("record.status", json!("paid"));
    ok("record?.status", json!("paid"));
    ok("record['status']", json!("paid"));
    ok("record.missing", Value::Null);
    ok("record.missing.deeper.still", Value::Null);
    ok("record.n?.x", Value::Null);
    ok("record.nested.x.y", json!(1));
    ok("record.name.length", json!(12));
    ok("record.uni.length", json!(5));
    ok("record.tags.length", json!(3));
    ok("record.tags[0]", json!("a"));
    ok("record.tags[-1]", json!(3));
    ok("record.tags[5]", Value::Null);
    ok("record.tags[-4]", Value::Null);
    ok("record?.tags?.[1]", json!("b"));
    ok("{length: 4}.length", json!(4));
    ok("unknown_var", Value::Null);
    ok("unknown_var.x[3]", Value::Null);
    err("5 .x", "cannot access x on number");
    err("'abc'.x", "cannot access x on string");
    err("record.total.x", "cannot access x on number");
    err("record.tags['a']", "array index must be an integer");
    err("'abc'[0]", "cannot access 0 on string");
}

#[test]
fn equality() {
    ok("null == null", json!(true));
    ok("null == 0", json!(false));
    ok("null == ''", json!(false));
    ok("1 == 1.0", json!(true));
    ok("record.price == 1500", json!(true));
    ok("1500 === record.price", json!(true));
    ok("' 12 ' == 12", json!(true));
    ok("'12abc' == 12", json!(false));
    ok("'1' == '1.0'", json!(false));
    ok("'Paid' == 'paid'", json!(false));
    ok("true == true", json!(true));
    ok("'1' == true", json!(false));
    ok("1 == true", json!(false));
    ok("[1, 'a'] == [1.0, 'a']", json!(true));
    ok("[1] == [1, 2]", json!(false));
    ok("{a: 1, b: [2]} == {b: [2], a: 1}", json!(true));
    ok("{a: 1} == {a: 1, b: 2}", json!(false));
    ok("record.tags == ['a', 'b', 3]", json!(true));
    ok("record.nested == {x: {y: 1}}", json!(true));
    ok(
        "new Date('2025-01-15') == new Date('2025-01-15T00:00:00Z')",
        json!(true),
    );
    ok("new Date('x') == new Date('x')", json!(false));
    ok("record.status != 'draft'", json!(true));
    ok("record.status !== 'paid'", json!(false));
}

#[test]
fn ordering() {
    ok("1 < 2", json!(true));
    ok("2.5 >= 2.5", json!(true));
    ok("record.price > 1000", json!(true));
    ok("999 < record.price", json!(true));
    ok("'2025-01-15' < '2025-02-01'", json!(true));
    ok("'10' < '9'", json!(true));
    ok("'b' > 'a'", json!(true));
    ok(
        "new Date('2025-01-15') < new Date('2025-01-16')",
        json!(true),
    );
    ok("new Date('x') < new Date('2025-01-16')", json!(false));
    ok("new Date('x') >= new Date('x')", json!(false));
    err("null < 1", "cannot compare null");
    err("1 >= record.missing", "cannot compare null");
    err("1 < 'abc'", "cannot compare number and string");
    err("true < false", "cannot compare bool and bool");
    err("[1] < [2]", "cannot compare array and array");
    err(
        "new Date('2025-01-01') < '2025-01-02'",
        "cannot compare date and string",
    );
}

#[test]
fn arithmetic() {
    ok("1 + 2", json!(3));
    ok("1.5 + 1", json!(2.5));
    ok("record.price + 1", json!(1501));
    ok("1 + record.price", json!(1501));
    ok("'a' + 'b'", json!("ab"));
    ok("'1' + '2'", json!("12"));
    ok("'n' + 1", json!("n1"));
    ok("1 + 'n'", json!("1n"));
    ok("'n' + 1.5", json!("n1.5"));
    ok("'n' + true", json!("ntrue"));
    ok("[1] + [2, 3]", json!([1, 2, 3]));
    err("null + 1", "invalid operation: null + number");
    err("1 + record.missing", "invalid operation: number + null");
    err("true + 1", "invalid operation");
    err("{} + {}", "invalid operation");
    ok("7 / 2", json!(3.5));
    ok("6 / 2", json!(3));
    ok("7 % 3", json!(1));
    ok("-7 % 3", json!(-1));
    ok("7 % -3", json!(1));
    ok("2 ** 10", json!(1024));
    ok("10 - 2.5", json!(7.5));
    ok("record.price * 2", json!(3000));
    ok("record.price - '500'", json!(1000));
    ok("+'42'", json!(42));
    ok("-'1.5'", json!(-1.5));
    err("1 / 0", "division by zero");
    err("1 % 0", "division by zero");
    err("7.5 % 2", "% requires integer operands");
    err("'a' - 1", "invalid operation");
    err("+'abc'", "invalid operation");
    err("-null", "invalid operation");
    err("10 ** 400", "numeric overflow");
    err("1e308 * 10", "numeric overflow");
    ok("9223372036854775807 + 1", json!(9223372036854775808.0));
}

#[test]
fn logical_and_truthiness() {
    ok("1 && 'x'", json!(true));
    ok("0 || ''", json!(false));
    ok("record.missing && record.missing > 5", json!(false));
    ok("true || record.missing > 5", json!(true));
    ok("!record.missing", json!(true));
    ok("![]", json!(false));
    ok("!{}", json!(false));
    ok("!'0'", json!(false));
    ok("!'false'", json!(false));
    ok("!0", json!(true));
    ok("!-0.0", json!(true));
    ok("!''", json!(true));
    ok("!new Date('x')", json!(false));
    ok("true and false", json!(false));
    ok("false or 1", json!(true));
    ok("not 1", json!(false));
    ok("record.total ? 'y' : 'n'", json!("y"));
    ok("record.zero ? 1 / 0 : 'safe'", json!("safe"));
    ok("record.status ?? 'x'", json!("paid"));
    ok("record.flag ?? 'x'", json!(false));
    ok("record.missing ?? 10", json!(10));
    let p = compile("record.list").unwrap();
    assert!(p.eval_bool(&env()).unwrap());
    let p = compile("record.empty").unwrap();
    assert!(!p.eval_bool(&env()).unwrap());
}

#[test]
fn membership_and_string_predicates() {
    ok("'a' in record.tags", json!(true));
    ok("3 in record.tags", json!(true));
    ok("'3' in record.tags", json!(true));
    ok("'z' in record.tags", json!(false));
    ok("'status' in record", json!(true));
    ok("'nope' in record", json!(false));
    ok("1 in {'1': true}", json!(true));
    ok("'ell' in 'hello'", json!(true));
    ok("'a' in record.missing", json!(false));
    ok("'z' not in record.tags", json!(true));
    ok("'a' not in record.tags", json!(false));
    err("1 in 5", "cannot use in on number");
    err("1 in 'abc'", "cannot use in with number and string");
    ok("record.name contains 'Love'", json!(true));
    ok("record.tags contains 'b'", json!(true));
    ok("record.missing contains 'a'", json!(false));
    ok("record.name startsWith 'Ada'", json!(true));
    ok("record.name endsWith 'lace'", json!(true));
    ok("record.missing startsWith 'a'", json!(false));
    err("1 startsWith 'a'", "startsWith expects strings");
    err("'abc' endsWith 1", "endsWith expects strings");
    ok("record.name matches '^Ada\\\\s'", json!(true));
    ok("record.name matches 'Love'", json!(true));
    ok("record.name matches '^Love'", json!(false));
    ok("record.missing matches 'x'", json!(false));
    err("1 matches 'x'", "matches expects a string");
    cerr("'a' matches '('", "invalid regular expression");
    ok("'abc' matches record.status + '|b'", json!(true));
    err("'abc' matches '(' + ''", "invalid regular expression");
}

#[test]
fn functions() {
    ok("len('héllo')", json!(5));
    ok("len(record.tags)", json!(3));
    ok("len(record)", json!(15));
    ok("len(record.missing)", json!(0));
    err("len(5)", "invalid argument for len");
    ok("abs(-3)", json!(3));
    ok("abs('-2.5')", json!(2.5));
    err("abs(null)", "invalid argument for abs");
    ok("lower('AbC')", json!("abc"));
    ok("upper('abc')", json!("ABC"));
    ok("trim('  x \\n')", json!("x"));
    ok("lower(null)", Value::Null);
    ok("upper(true)", json!("TRUE"));
    ok("lower(12)", json!("12"));
    ok("contains('abc', 'b')", json!(true));
    ok("contains(record.tags, 3)", json!(true));
    ok("contains(null, 3)", json!(false));
    ok("startsWith('abc', 'a')", json!(true));
    ok("endsWith('abc', 'c')", json!(true));
    ok("matches('abc', 'b+')", json!(true));
    ok("string(1.0)", json!("1"));
    ok("string(0.1)", json!("0.1"));
    ok("string(1e21)", json!("1e+21"));
    ok("string(true)", json!("true"));
    ok("string(null)", json!(""));
    ok(
        "string([1, 'a', {b: null}])",
        json!(r#"[1,"a",{"b":null}]"#),
    );
    ok("string(record.nested)", json!(r#"{"x":{"y":1}}"#));
    ok(
        "string(new Date('2025-01-15'))",
        json!("2025-01-15T00:00:00Z"),
    );
    ok("number('12.50')", json!(12.5));
    ok("number(3)", json!(3));
    err("number(null)", "cannot convert null to number");
    err("number('abc')", "cannot convert string to number");
    ok("int(3.9)", json!(3));
    ok("int(-3.9)", json!(-3));
    ok("int('42')", json!(42));
    ok("int('7.8')", json!(7));
    err("int('x')", "cannot convert string to int");
    cerr("sum(record.tags)", "unknown function: sum");
    cerr("round(1.5)", "unknown function: round");
    cerr("len()", "wrong number of arguments for len");
    cerr("len(1, 2)", "wrong number of arguments for len");
    cerr("now(1)", "wrong number of arguments for now");
    let p = compile("now()").unwrap();
    let v = p.eval(&env()).unwrap();
    assert!(
        v.as_str()
            .is_some_and(|s| s.ends_with('Z') && s.len() >= 20),
        "{v}"
    );
    ok("now() > new Date('2020-01-01')", json!(true));
    ok("now() == now()", json!(true));
}

#[test]
fn js_compat() {
    ok("record.name.includes('Love')", json!(true));
    ok("record.name.contains('Love')", json!(true));
    ok("record.tags.includes('b')", json!(true));
    ok("record.tags.contains(3)", json!(true));
    ok("record.name.startsWith('Ada')", json!(true));
    ok("record.name.endsWith('x')", json!(false));
    ok("record.name.toLowerCase()", json!("ada lovelace"));
    ok("record.name.toUpperCase()", json!("ADA LOVELACE"));
    ok("'  x  '.trim()", json!("x"));
    ok("record.missing.toLowerCase()", Value::Null);
    ok("record.missing.whatever(1, 2)", Value::Null);
    err("record.name.foo()", "unknown method foo");
    err(
        "record.total.toLowerCase()",
        "cannot call toLowerCase on number",
    );
    err("record.obj.includes(1)", "cannot call includes on object");
    cerr(
        "record.name.toLowerCase(1)",
        "wrong number of arguments for method toLowerCase",
    );
    ok("new Date('2025-01-15')", json!("2025-01-15T00:00:00Z"));
    ok(
        "new Date('2025-01-15T10:30:00Z')",
        json!("2025-01-15T10:30:00Z"),
    );
    ok(
        "new Date('2025-01-15 10:30:00')",
        json!("2025-01-15T10:30:00Z"),
    );
    ok(
        "new Date('2025-01-15T12:30:00+02:00')",
        json!("2025-01-15T10:30:00Z"),
    );
    ok("new Date(0)", json!("1970-01-01T00:00:00Z"));
    ok("new Date(1736937000000)", json!("2025-01-15T10:30:00Z"));
    ok("new Date(record.date)", json!("2025-01-15T10:30:00Z"));
    ok("new Date(null)", Value::Null);
    ok("new Date('garbage')", Value::Null);
    ok("new Date(new Date(0))", json!("1970-01-01T00:00:00Z"));
    let p = compile("new Date()").unwrap();
    assert!(p.eval(&env()).unwrap().is_string());
    cerr("new Foo()", "'new' must be followed by Date");
    cerr("new Date", "'new' must be followed by Date");
    cerr("new Date(1, 2)", "new Date takes at most one argument");
    cerr("Math.max(1, 2)", "the JavaScript global Math");
    cerr("Date.now()", "the JavaScript global Date");
    cerr("typeof x", "unexpected 'x'");
    cerr("x => x", "unexpected '='");
    cerr("function(x)", "unknown function: function");
    cerr("/ab+c/.test(x)", "unexpected '/'");
    cerr("a; b", "unexpected character ';'");
    cerr("a++", "unexpected end of expression");
    cerr("(a)(1)", "only named functions");
}

#[test]
fn cheat_sheet() {
    // Spec 10 §7, `x` absent.
    ok("record.x == nil", json!(true));
    ok("record.x == null", json!(true));
    ok("record.x === undefined", json!(true));
    ok("record.x != nil && record.x > 5", json!(false));
    err("record.x > 5", "cannot compare null");
    ok("record.x.y", Value::Null);
    ok("len(record.x)", json!(0));
    err("record.x + 1", "invalid operation");
    ok("'a' in record.x", json!(false));
    ok("record.x ?? 10", json!(10));
    ok("!record.x", json!(true));
    ok("record.x.contains(\"a\")", Value::Null);
}

#[test]
fn results_leaving_the_evaluator() {
    ok("2.0 * 3", json!(6));
    assert!(ev("2.0 * 3").unwrap().is_i64());
    ok("0.1 + 0.2", json!(0.30000000000000004));
    ok("record.nested", json!({"x": {"y": 1}}));
    ok(
        "[new Date(0), new Date('x')]",
        json!(["1970-01-01T00:00:00Z", null]),
    );
}

#[test]
fn env_kinds() {
    let record = json!({"total": 5});
    let old = json!({});
    let action = json!("create");
    let p = compile("record.total > 1 && action == 'create' && old != nil").unwrap();
    let pairs = [("record", &record), ("old", &old), ("action", &action)];
    assert!(p.eval_bool(&pairs).unwrap());
    assert!(p.eval_bool(&pairs[..]).unwrap());
    let map = env().as_object().cloned().unwrap();
    assert!(compile("record.total > 1")
        .unwrap()
        .eval_bool(&map)
        .unwrap());
    // A non-object environment has no variables.
    assert!(!compile("record").unwrap().eval_bool(&json!(5)).unwrap());
}

#[test]
fn static_check() {
    use ContextKind::*;
    for kind in [ExpressionRule, ComputedRule, Guard] {
        assert!(compile_for(kind, "record.a == old.a && action == 'update'").is_ok());
        let e = compile_for(kind, "record.a == 1 && user.id == 'x'").unwrap_err();
        assert!(e.message.starts_with("unknown variable user"), "{e}");
        assert_eq!(e.offset, 17);
        assert!(compile_for(kind, "context.a").is_err());
    }
    assert!(compile_for(WorkflowCondition, "context.amount > 1").is_ok());
    assert!(compile_for(WorkflowCondition, "record.amount > 1").is_err());
    assert!(compile_for(
        WebhookCondition,
        "record.a != old.a && changes.a != nil && action == 'x' && entity == 'e' && event == 'after_write' && 'admin' in user.roles"
    )
    .is_ok());
    assert!(compile_for(WebhookCondition, "context.x").is_err());
    // Names after a dot and object keys are not variables.
    assert!(compile_for(Guard, "record.user.context == {user: 1}").is_ok());
    // Unknown functions are refused by compile() itself, whatever the context.
    assert!(compile_for(Guard, "sum(record.x)")
        .unwrap_err()
        .message
        .starts_with("unknown function"));
    assert_eq!(Guard.variables(), &["record", "old", "action"]);
}

#[test]
fn program_is_shareable() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<rocket_expr::Program>();
    let p = std::sync::Arc::new(compile("record.total * 2").unwrap());
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let p = p.clone();
            std::thread::spawn(move || p.eval(&json!({"record": {"total": i}})).unwrap())
        })
        .collect();
    let results: Vec<Value> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(results, vec![json!(0), json!(2), json!(4), json!(6)]);
}

#[test]
fn readme_examples_compile() {
    let readme = include_str!("../README.md");
    let block = readme
        .split("## Examples")
        .nth(1)
        .and_then(|s| s.split("```text").nth(1))
        .and_then(|s| s.split("```").next())
        .expect("README has an Examples block");
    let mut n = 0;
    for line in block.lines().filter(|l| !l.trim().is_empty()) {
        let src = line.split("  //").next().unwrap_or(line).trim();
        assert!(
            compile(src).is_ok(),
            "README example does not compile: {src}"
        );
        n += 1;
    }
    assert!(n >= 10);
    let p = compile("record.name.contains(\"acme\") || record.email matches '@example\\\\.com$'")
        .unwrap();
    assert!(p
        .eval_bool(&json!({"record": {"name": "x", "email": "a@example.com"}}))
        .unwrap());
    assert!(!p
        .eval_bool(&json!({"record": {"name": "x", "email": "a@exampleXcom"}}))
        .unwrap());
}
