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

/// What a case expects.
enum Want {
    /// This result.
    Value(Value),
    /// An evaluation error whose message starts with this.
    EvalError(String),
    /// A compile error whose message starts with this.
    CompileError(String),
}

impl Want {
    /// A JSON value, `error: <prefix>` or `compile error: <prefix>`.
    fn parse(text: &str) -> Result<Want, String> {
        if let Some(prefix) = text.strip_prefix("compile error: ") {
            return Ok(Want::CompileError(prefix.into()));
        }
        if let Some(prefix) = text.strip_prefix("error: ") {
            return Ok(Want::EvalError(prefix.into()));
        }
        serde_json::from_str(text)
            .map(Want::Value)
            .map_err(|e| format!("bad expected value {text:?}: {e}"))
    }
}

/// Runs one case; `Err` says what went wrong.
fn run_case(src: &str, want: &Want) -> Result<(), String> {
    match want {
        Want::Value(v) => match ev(src) {
            Ok(got) if got == *v => Ok(()),
            got => Err(format!("expected {v}, got {got:?}")),
        },
        Want::EvalError(prefix) => match ev(src) {
            Err(m) if m.starts_with(prefix.as_str()) && !m.starts_with("compile:") => Ok(()),
            got => Err(format!("expected eval error {prefix:?}, got {got:?}")),
        },
        Want::CompileError(prefix) => match compile(src) {
            Err(e) if e.message.starts_with(prefix.as_str()) => Ok(()),
            Err(e) => Err(format!("expected compile error {prefix:?}, got {e}")),
            Ok(_) => Err(format!("expected compile error {prefix:?}, compiled")),
        },
    }
}

/// Checks a table of cases, one a line: `source => expected`, where
/// `expected` is a JSON value, `error: <message prefix>` (an evaluation
/// error) or `compile error: <message prefix>`. Sources are written as a
/// user would type them (no Rust escaping) and end at the last ` => `.
/// Every failing row is reported, not only the first.
#[track_caller]
fn check(table: &str) {
    let mut rows = 0;
    let mut failures = Vec::new();
    for row in table.lines().map(str::trim).filter(|l| !l.is_empty()) {
        rows += 1;
        let outcome = match row.rsplit_once(" => ") {
            Some((src, want)) => Want::parse(want.trim()).and_then(|w| run_case(src.trim(), &w)),
            None => Err("malformed row: no ` => `".into()),
        };
        if let Err(why) = outcome {
            failures.push(format!("  {row}\n    {why}"));
        }
    }
    assert!(rows > 0, "empty table");
    assert!(
        failures.is_empty(),
        "{} of {rows} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn literals() {
    check(
        r#"
        123                        => 123
        12.5                       => 12.5
        0.5                        => 0.5
        1e3                        => 1000
        2.5E-2                     => 0.025
        'paid'                     => "paid"
        "paid"                     => "paid"
        'a\'b\"c\\d\n\t\r'         => "a'b\"c\\d\n\t\r"
        '\u00e9\uD83D\uDE00'       => "é😀"
        true                       => true
        false                      => false
        nil                        => null
        null                       => null
        undefined                  => null
        [1, 'a', [true]]           => [1, "a", [true]]
        {a: 1, 'b c': 2, "d": [3]} => {"a": 1, "b c": 2, "d": [3]}
        {a: 1, a: 2}               => {"a": 2}
        []                         => []
        [1, 2,]                    => [1, 2]
        "#,
    );
}

#[test]
fn lexical_errors() {
    check(
        r#"
        .5           => compile error: a number must start with a digit
        'abc         => compile error: unterminated string
        record.x = 1 => compile error: unexpected '='
        0x10         => compile error: invalid number literal
        1_000        => compile error: invalid number literal
        1e           => compile error: malformed number exponent
        '\q'         => compile error: invalid escape
        a # b        => compile error: unexpected character
        `tpl`        => compile error: unexpected character
        "#,
    );
    // Blank sources cannot be written in a table.
    for blank in ["", "   "] {
        let want = Want::CompileError("empty expression".into());
        assert_eq!(run_case(blank, &want), Ok(()), "{blank:?}");
    }
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
    check(
        r#"
        1 + 2 * 3                => 7
        (1 + 2) * 3              => 9
        2 ** 3 ** 2              => 512
        -2 ** 2                  => -4
        (-2) ** 2                => 4
        2 ** -1                  => 0.5
        10 - 4 - 3               => 3
        true || false && false   => true
        1 < 2 == true            => true
        nil ?? 1 ? 'y' : 'n'     => "y"
        false ? 1 : true ? 2 : 3 => 2
        null ?? null ?? 3        => 3
        !true || true            => true
        not true or true         => true
        1 + 2 in [3]             => true
        'a' + 'b' == 'ab'        => true
        false && true || true    => true
        7 % 4 * 2                => 6
        -record.total            => -1500
        "#,
    );
}

#[test]
fn member_and_index() {
    check(
        r#"
        record.status               => "paid"
        record?.status              => "paid"
        record['status']            => "paid"
        record.missing              => null
        record.missing.deeper.still => null
        record.n?.x                 => null
        record.nested.x.y           => 1
        record.name.length          => 12
        record.uni.length           => 5
        record.tags.length          => 3
        record.tags[0]              => "a"
        record.tags[-1]             => 3
        record.tags[5]              => null
        record.tags[-4]             => null
        record?.tags?.[1]           => "b"
        {length: 4}.length          => 4
        unknown_var                 => null
        unknown_var.x[3]            => null
        5 .x                        => error: cannot access x on number
        'abc'.x                     => error: cannot access x on string
        record.total.x              => error: cannot access x on number
        record.tags['a']            => error: array index must be an integer
        'abc'[0]                    => error: cannot access 0 on string
        "#,
    );
}

#[test]
fn equality() {
    check(
        r#"
        null == null                     => true
        null == 0                        => false
        null == ''                       => false
        1 == 1.0                         => true
        record.price == 1500             => true
        1500 === record.price            => true
        ' 12 ' == 12                     => true
        '12abc' == 12                    => false
        '1' == '1.0'                     => false
        'Paid' == 'paid'                 => false
        true == true                     => true
        '1' == true                      => false
        1 == true                        => false
        [1, 'a'] == [1.0, 'a']           => true
        [1] == [1, 2]                    => false
        {a: 1, b: [2]} == {b: [2], a: 1} => true
        {a: 1} == {a: 1, b: 2}           => false
        record.tags == ['a', 'b', 3]     => true
        record.nested == {x: {y: 1}}     => true
        new Date('2025-01-15') == new Date('2025-01-15T00:00:00Z') => true
        new Date('x') == new Date('x')   => false
        record.status != 'draft'         => true
        record.status !== 'paid'         => false
        "#,
    );
}

#[test]
fn ordering() {
    check(
        r#"
        1 < 2                          => true
        2.5 >= 2.5                     => true
        record.price > 1000            => true
        999 < record.price             => true
        '2025-01-15' < '2025-02-01'    => true
        '10' < '9'                     => true
        'b' > 'a'                      => true
        new Date('2025-01-15') < new Date('2025-01-16') => true
        new Date('x') < new Date('2025-01-16') => false
        new Date('x') >= new Date('x') => false
        null < 1                       => error: cannot compare null
        1 >= record.missing            => error: cannot compare null
        1 < 'abc'                      => error: cannot compare number and string
        true < false                   => error: cannot compare bool and bool
        [1] < [2]                      => error: cannot compare array and array
        new Date('2025-01-01') < '2025-01-02' => error: cannot compare date and string
        "#,
    );
}

#[test]
fn arithmetic() {
    check(
        r#"
        1 + 2                   => 3
        1.5 + 1                 => 2.5
        record.price + 1        => 1501
        1 + record.price        => 1501
        'a' + 'b'               => "ab"
        '1' + '2'               => "12"
        'n' + 1                 => "n1"
        1 + 'n'                 => "1n"
        'n' + 1.5               => "n1.5"
        'n' + true              => "ntrue"
        [1] + [2, 3]            => [1, 2, 3]
        null + 1                => error: invalid operation: null + number
        1 + record.missing      => error: invalid operation: number + null
        true + 1                => error: invalid operation
        {} + {}                 => error: invalid operation
        7 / 2                   => 3.5
        6 / 2                   => 3
        7 % 3                   => 1
        -7 % 3                  => -1
        7 % -3                  => 1
        2 ** 10                 => 1024
        10 - 2.5                => 7.5
        record.price * 2        => 3000
        record.price - '500'    => 1000
        +'42'                   => 42
        -'1.5'                  => -1.5
        1 / 0                   => error: division by zero
        1 % 0                   => error: division by zero
        7.5 % 2                 => error: % requires integer operands
        'a' - 1                 => error: invalid operation
        +'abc'                  => error: invalid operation
        -null                   => error: invalid operation
        10 ** 400               => error: numeric overflow
        1e308 * 10              => error: numeric overflow
        9223372036854775807 + 1 => 9223372036854775808.0
        "#,
    );
}

#[test]
fn logical_and_truthiness() {
    check(
        r#"
        1 && 'x'                             => true
        0 || ''                              => false
        record.missing && record.missing > 5 => false
        true || record.missing > 5           => true
        !record.missing                      => true
        ![]                                  => false
        !{}                                  => false
        !'0'                                 => false
        !'false'                             => false
        !0                                   => true
        !-0.0                                => true
        !''                                  => true
        !new Date('x')                       => false
        true and false                       => false
        false or 1                           => true
        not 1                                => false
        record.total ? 'y' : 'n'             => "y"
        record.zero ? 1 / 0 : 'safe'         => "safe"
        record.status ?? 'x'                 => "paid"
        record.flag ?? 'x'                   => false
        record.missing ?? 10                 => 10
        "#,
    );
    let p = compile("record.list").unwrap();
    assert!(p.eval_bool(&env()).unwrap());
    let p = compile("record.empty").unwrap();
    assert!(!p.eval_bool(&env()).unwrap());
}

#[test]
fn membership_and_string_predicates() {
    check(
        r#"
        'a' in record.tags                 => true
        3 in record.tags                   => true
        '3' in record.tags                 => true
        'z' in record.tags                 => false
        'status' in record                 => true
        'nope' in record                   => false
        1 in {'1': true}                   => true
        'ell' in 'hello'                   => true
        'a' in record.missing              => false
        'z' not in record.tags             => true
        'a' not in record.tags             => false
        1 in 5                             => error: cannot use in on number
        1 in 'abc'                         => error: cannot use in with number and string
        record.name contains 'Love'        => true
        record.tags contains 'b'           => true
        record.missing contains 'a'        => false
        record.name startsWith 'Ada'       => true
        record.name endsWith 'lace'        => true
        record.missing startsWith 'a'      => false
        1 startsWith 'a'                   => error: startsWith expects strings
        'abc' endsWith 1                   => error: endsWith expects strings
        record.name matches '^Ada\\s'      => true
        record.name matches 'Love'         => true
        record.name matches '^Love'        => false
        record.missing matches 'x'         => false
        1 matches 'x'                      => error: matches expects a string
        'a' matches '('                    => compile error: invalid regular expression
        'abc' matches record.status + '|b' => true
        'abc' matches '(' + ''             => error: invalid regular expression
        "#,
    );
}

#[test]
fn functions() {
    check(
        r#"
        len('héllo')                   => 5
        len(record.tags)               => 3
        len(record)                    => 15
        len(record.missing)            => 0
        len(5)                         => error: invalid argument for len
        abs(-3)                        => 3
        abs('-2.5')                    => 2.5
        abs(null)                      => error: invalid argument for abs
        lower('AbC')                   => "abc"
        upper('abc')                   => "ABC"
        trim('  x \n')                 => "x"
        lower(null)                    => null
        upper(true)                    => "TRUE"
        lower(12)                      => "12"
        contains('abc', 'b')           => true
        contains(record.tags, 3)       => true
        contains(null, 3)              => false
        startsWith('abc', 'a')         => true
        endsWith('abc', 'c')           => true
        matches('abc', 'b+')           => true
        string(1.0)                    => "1"
        string(0.1)                    => "0.1"
        string(1e21)                   => "1e+21"
        string(true)                   => "true"
        string(null)                   => ""
        string([1, 'a', {b: null}])    => "[1,\"a\",{\"b\":null}]"
        string(record.nested)          => "{\"x\":{\"y\":1}}"
        string(new Date('2025-01-15')) => "2025-01-15T00:00:00Z"
        number('12.50')                => 12.5
        number(3)                      => 3
        number(null)                   => error: cannot convert null to number
        number('abc')                  => error: cannot convert string to number
        int(3.9)                       => 3
        int(-3.9)                      => -3
        int('42')                      => 42
        int('7.8')                     => 7
        int('x')                       => error: cannot convert string to int
        sum(record.tags)               => compile error: unknown function: sum
        round(1.5)                     => compile error: unknown function: round
        len()                          => compile error: wrong number of arguments for len
        len(1, 2)                      => compile error: wrong number of arguments for len
        now(1)                         => compile error: wrong number of arguments for now
        now() > new Date('2020-01-01') => true
        now() == now()                 => true
        "#,
    );
    let p = compile("now()").unwrap();
    let v = p.eval(&env()).unwrap();
    assert!(
        v.as_str()
            .is_some_and(|s| s.ends_with('Z') && s.len() >= 20),
        "{v}"
    );
}

#[test]
fn js_compat() {
    check(
        r#"
        record.name.includes('Love')     => true
        record.name.contains('Love')     => true
        record.tags.includes('b')        => true
        record.tags.contains(3)          => true
        record.name.startsWith('Ada')    => true
        record.name.endsWith('x')        => false
        record.name.toLowerCase()        => "ada lovelace"
        record.name.toUpperCase()        => "ADA LOVELACE"
        '  x  '.trim()                   => "x"
        record.missing.toLowerCase()     => null
        record.missing.whatever(1, 2)    => null
        record.name.foo()                => error: unknown method foo
        record.total.toLowerCase()       => error: cannot call toLowerCase on number
        record.obj.includes(1)           => error: cannot call includes on object
        record.name.toLowerCase(1)       => compile error: wrong number of arguments for method toLowerCase
        new Date('2025-01-15')           => "2025-01-15T00:00:00Z"
        new Date('2025-01-15T10:30:00Z') => "2025-01-15T10:30:00Z"
        new Date('2025-01-15 10:30:00')  => "2025-01-15T10:30:00Z"
        new Date('2025-01-15T12:30:00+02:00') => "2025-01-15T10:30:00Z"
        new Date(0)                      => "1970-01-01T00:00:00Z"
        new Date(1736937000000)          => "2025-01-15T10:30:00Z"
        new Date(record.date)            => "2025-01-15T10:30:00Z"
        new Date(null)                   => null
        new Date('garbage')              => null
        new Date(new Date(0))            => "1970-01-01T00:00:00Z"
        new Foo()                        => compile error: 'new' must be followed by Date
        new Date                         => compile error: 'new' must be followed by Date
        new Date(1, 2)                   => compile error: new Date takes at most one argument
        Math.max(1, 2)                   => compile error: the JavaScript global Math
        Date.now()                       => compile error: the JavaScript global Date
        typeof x                         => compile error: unexpected 'x'
        x => x                           => compile error: unexpected '='
        function(x)                      => compile error: unknown function: function
        /ab+c/.test(x)                   => compile error: unexpected '/'
        a; b                             => compile error: unexpected character ';'
        a++                              => compile error: unexpected end of expression
        (a)(1)                           => compile error: only named functions
        "#,
    );
    let p = compile("new Date()").unwrap();
    assert!(p.eval(&env()).unwrap().is_string());
}

#[test]
fn cheat_sheet() {
    // Spec 10 §7, `x` absent.
    check(
        r#"
        record.x == nil                 => true
        record.x == null                => true
        record.x === undefined          => true
        record.x != nil && record.x > 5 => false
        record.x > 5                    => error: cannot compare null
        record.x.y                      => null
        len(record.x)                   => 0
        record.x + 1                    => error: invalid operation
        'a' in record.x                 => false
        record.x ?? 10                  => 10
        !record.x                       => true
        record.x.contains("a")          => null
        "#,
    );
}

#[test]
fn results_leaving_the_evaluator() {
    check(
        r#"
        2.0 * 3                      => 6
        0.1 + 0.2                    => 0.30000000000000004
        record.nested                => {"x": {"y": 1}}
        [new Date(0), new Date('x')] => ["1970-01-01T00:00:00Z", null]
        "#,
    );
    assert!(ev("2.0 * 3").unwrap().is_i64());
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
        assert!(compile_for(kind, "user.id == 'x' && len(related.items) > 0").is_ok());
        let e = compile_for(kind, "record.a == 1 && users.id == 'x'").unwrap_err();
        assert!(e.message.starts_with("unknown variable users"), "{e}");
        assert_eq!(e.offset, 17);
        assert!(compile_for(kind, "context.a").is_err());
    }
    assert!(compile_for(WorkflowCondition, "context.amount > 1").is_ok());
    let p = compile("record.a > old.b.c && {old: 1}.old == 1").unwrap();
    assert!(p.uses_variable("old") && p.uses_variable("record"));
    assert!(!p.uses_variable("b") && !p.uses_variable("c") && !p.uses_variable("user"));
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
    assert_eq!(
        Guard.variables(),
        &["record", "old", "action", "user", "related"]
    );
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

#[test]
fn outcome_names_type_and_truthiness() {
    let out = |src: &str| compile(src).unwrap().eval_outcome(&env()).unwrap();
    let o = out("record.total * 2");
    assert_eq!(
        (o.value, o.type_name, o.truthy),
        (json!(3000), "number", true)
    );
    let o = out("record.status == 'open'");
    assert_eq!(
        (o.value, o.type_name, o.truthy),
        (json!(false), "bool", false)
    );
    let o = out("new Date('2025-01-15T10:30:00Z')");
    assert_eq!(o.type_name, "date", "a date keeps its type name");
    assert_eq!(o.value, json!("2025-01-15T10:30:00Z"));
    let o = out("record.missing");
    assert_eq!(
        (o.value, o.type_name, o.truthy),
        (Value::Null, "null", false)
    );
    assert_eq!(out("record.tags").type_name, "array");
    assert!(!out("record.empty").truthy);
    let e = compile("record.n < 1")
        .unwrap()
        .eval_outcome(&env())
        .unwrap_err();
    assert!(e.message.starts_with("cannot compare null"), "{e}");
}
