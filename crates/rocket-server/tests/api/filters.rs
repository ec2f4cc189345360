use serde_json::json;

use crate::both;
use crate::common::{id, sorted, Db, T};

const U1: &str = "11111111-1111-4111-8111-111111111111";
const U2: &str = "22222222-2222-4222-8222-222222222222";
const U3: &str = "33333333-3333-4333-8333-333333333333";

/// Three rows covering every filterable type; `note` is NULL on "banana".
async fn seed(t: &T) {
    let fields = json!([
        {"name": "name", "type": "string"}, {"name": "qty", "type": "int"},
        {"name": "big", "type": "bigint"}, {"name": "price", "type": "decimal", "precision": 2},
        {"name": "ratio", "type": "float"}, {"name": "active", "type": "boolean"},
        {"name": "ref", "type": "uuid"}, {"name": "at", "type": "timestamp"},
        {"name": "day", "type": "date"}, {"name": "note", "type": "string"},
    ]);
    t.entity("item", fields).await;
    let rows = [
        json!({"name": "apple", "qty": 1, "big": 10_000_000_000i64, "price": 1.5, "ratio": 0.5,
               "active": true, "ref": U1, "at": "2025-01-01T10:00:00Z", "day": "2025-01-01", "note": "x"}),
        json!({"name": "banana", "qty": 2, "big": 20_000_000_000i64, "price": 2.25, "ratio": 1.5,
               "active": false, "ref": U2, "at": "2025-02-01T10:00:00Z", "day": "2025-02-01", "note": null}),
        json!({"name": "cherry", "qty": 3, "big": 30_000_000_000i64, "price": 10, "ratio": 2.5,
               "active": true, "ref": U3, "at": "2025-03-01T10:00:00Z", "day": "2025-03-01", "note": "y"}),
    ];
    for r in rows {
        t.create("item", r).await;
    }
}

/// The string values of `key` over the rows `query` lists, in response order.
async fn column(t: &T, entity: &str, query: &str, key: &str) -> Vec<String> {
    let l = t.list(entity, query).await;
    T::col(&l, key)
        .iter()
        .map(|v| v.as_str().expect("a string value").to_string())
        .collect()
}

/// Sorted names of the `item` rows matching `q`; also checks `meta.total`.
async fn names(t: &T, q: &str) -> Vec<String> {
    let l = t.list("item", q).await;
    let v = sorted(&l["data"], "name");
    assert_eq!(l["meta"]["total"], json!(v.len()), "total for {q}: {l}");
    v
}

#[track_caller]
fn check(q: &str, got: Vec<String>, want: &[&str]) {
    assert_eq!(got, want, "rows for ?{q}");
}

/// (query, sorted names of the matching rows).
type Cases<'a> = &'a [(&'a str, &'a [&'a str])];

/// Seeds the three rows, then checks each case.
async fn seeded_rows(t: &T, cases: Cases<'_>) {
    seed(t).await;
    for (q, want) in cases {
        let got = names(t, q).await;
        check(q, got, want);
    }
}

async fn string_operators(t: T) {
    let cases: Cases = &[
        ("", &["apple", "banana", "cherry"]),
        ("filter[name]=banana", &["banana"]),
        ("filter%5Bname%5D=banana", &["banana"]),
        ("filter[name.eq]=banana", &["banana"]),
        ("filter[name.neq]=banana", &["apple", "cherry"]),
        ("filter[name.gt]=banana", &["cherry"]),
        ("filter[name.gte]=banana", &["banana", "cherry"]),
        ("filter[name.lt]=banana", &["apple"]),
        ("filter[name.lte]=banana", &["apple", "banana"]),
        (
            "filter[name.in]=apple,%20cherry%20,zzz",
            &["apple", "cherry"],
        ),
        ("filter[name.not_in]=apple,banana", &["cherry"]),
        // No IS NULL operator: `null` is the text "null".
        ("filter[note]=null", &[]),
        ("filter[name]=nope", &[]),
        // AND-ed; unrelated parameters are ignored.
        ("filter[name.neq]=apple&filter[note]=y", &["cherry"]),
        ("foo=bar&filter[name]=apple&x[y]=1", &["apple"]),
    ];
    seeded_rows(&t, cases).await;
}

/// Rust contract (spec 04 §3.1): an unknown operator (everything after the first dot)
/// is a 400, never a silent `eq`.
async fn unknown_operators_are_rejected(t: T) {
    seed(&t).await;
    for q in [
        "filter[name.foo]=cherry",
        "filter[name.first.second]=apple",
        "filter[qty.bogus]=1",
        "filter[name.]=x",
    ] {
        let r = t.get(&format!("/item?{q}")).await;
        let msg = r.error(400, "INVALID_PAYLOAD")["message"].clone();
        assert!(
            msg.as_str()
                .unwrap()
                .starts_with("Unknown filter operator: "),
            "{q}: {msg}"
        );
    }
}

async fn int_and_bigint_operators(t: T) {
    let cases: Cases = &[
        ("filter[qty]=2", &["banana"]),
        ("filter[qty.eq]=3", &["cherry"]),
        ("filter[qty.neq]=2", &["apple", "cherry"]),
        ("filter[qty.gt]=1", &["banana", "cherry"]),
        ("filter[qty.gte]=2", &["banana", "cherry"]),
        ("filter[qty.lt]=2", &["apple"]),
        ("filter[qty.lte]=2", &["apple", "banana"]),
        ("filter[qty.in]=1,3", &["apple", "cherry"]),
        ("filter[qty.in]=%201%20,%202", &["apple", "banana"]),
        ("filter[qty.not_in]=1,3", &["banana"]),
        ("filter[qty]=-5", &[]),
        ("filter[big]=20000000000", &["banana"]),
        ("filter[big.neq]=20000000000", &["apple", "cherry"]),
        ("filter[big.gt]=15000000000", &["banana", "cherry"]),
        ("filter[big.gte]=30000000000", &["cherry"]),
        ("filter[big.lt]=20000000000", &["apple"]),
        ("filter[big.lte]=20000000000", &["apple", "banana"]),
        (
            "filter[big.in]=10000000000,30000000000",
            &["apple", "cherry"],
        ),
        ("filter[big.not_in]=10000000000", &["banana", "cherry"]),
    ];
    seeded_rows(&t, cases).await;
}

async fn decimal_and_float_operators(t: T) {
    let cases: Cases = &[
        ("filter[price]=2.25", &["banana"]),
        ("filter[price]=10", &["cherry"]),
        ("filter[price.neq]=2.25", &["apple", "cherry"]),
        ("filter[price.gt]=1.5", &["banana", "cherry"]),
        ("filter[price.gte]=1.5", &["apple", "banana", "cherry"]),
        ("filter[price.lt]=2.25", &["apple"]),
        ("filter[price.lte]=2.25", &["apple", "banana"]),
        ("filter[price.in]=1.5,10", &["apple", "cherry"]),
        ("filter[price.not_in]=1.5,10", &["banana"]),
        ("filter[ratio]=1.5", &["banana"]),
        ("filter[ratio.neq]=1.5", &["apple", "cherry"]),
        ("filter[ratio.gt]=1", &["banana", "cherry"]),
        ("filter[ratio.gte]=1.5", &["banana", "cherry"]),
        ("filter[ratio.lt]=1.5", &["apple"]),
        ("filter[ratio.lte]=0.5", &["apple"]),
        ("filter[ratio.in]=0.5,2.5", &["apple", "cherry"]),
        ("filter[ratio.not_in]=0.5", &["banana", "cherry"]),
    ];
    seeded_rows(&t, cases).await;
}

async fn boolean_spellings(t: T) {
    let cases: Cases = &[
        ("filter[active.in]=t,0", &["apple", "banana", "cherry"]),
        ("filter[active.in]=False", &["banana"]),
        ("filter[active.not_in]=TRUE", &["banana"]),
        ("filter[active]=true&filter[qty.gt]=1", &["cherry"]),
    ];
    seeded_rows(&t, cases).await;
    for s in ["1", "t", "T", "TRUE", "true", "True"] {
        let q = format!("filter[active]={s}");
        check(&q, names(&t, &q).await, &["apple", "cherry"]);
        let q = format!("filter[active.neq]={s}");
        check(&q, names(&t, &q).await, &["banana"]);
    }
    for s in ["0", "f", "F", "FALSE", "false", "False"] {
        let q = format!("filter[active.eq]={s}");
        check(&q, names(&t, &q).await, &["banana"]);
        let q = format!("filter[active.neq]={s}");
        check(&q, names(&t, &q).await, &["apple", "cherry"]);
    }
}

async fn uuid_timestamp_and_date_operators(t: T) {
    let u2 = format!("filter[ref]={U2}");
    let u13 = format!("filter[ref.in]={U1},{U3}");
    let nu1 = format!("filter[ref.not_in]={U1}");
    let ne3 = format!("filter[ref.neq]={U3}");
    let eq3 = format!("filter[ref.eq]={U3}");
    let cases: Cases = &[
        (u2.as_str(), &["banana"]),
        (eq3.as_str(), &["cherry"]),
        (u13.as_str(), &["apple", "cherry"]),
        (nu1.as_str(), &["banana", "cherry"]),
        (ne3.as_str(), &["apple", "banana"]),
        ("filter[at]=2025-02-01T10:00:00Z", &["banana"]),
        ("filter[at.neq]=2025-02-01T10:00:00Z", &["apple", "cherry"]),
        ("filter[at.gt]=2025-01-15T00:00:00Z", &["banana", "cherry"]),
        ("filter[at.gte]=2025-02-01T10:00:00Z", &["banana", "cherry"]),
        ("filter[at.lt]=2025-02-01T10:00:00Z", &["apple"]),
        ("filter[at.lte]=2025-02-01T10:00:00Z", &["apple", "banana"]),
        (
            "filter[at.in]=2025-01-01T10:00:00Z,2025-03-01T10:00:00Z",
            &["apple", "cherry"],
        ),
        (
            "filter[at.not_in]=2025-01-01T10:00:00Z",
            &["banana", "cherry"],
        ),
        ("filter[day]=2025-03-01", &["cherry"]),
        ("filter[day.neq]=2025-03-01", &["apple", "banana"]),
        ("filter[day.gt]=2025-01-01", &["banana", "cherry"]),
        ("filter[day.gte]=2025-02-01", &["banana", "cherry"]),
        ("filter[day.lt]=2025-02-01", &["apple"]),
        ("filter[day.lte]=2025-02-01", &["apple", "banana"]),
        ("filter[day.in]=2025-01-01,2025-03-01", &["apple", "cherry"]),
        ("filter[day.not_in]=2025-01-01", &["banana", "cherry"]),
    ];
    seeded_rows(&t, cases).await;
    if t.db == Db::Postgres {
        // The database converts the text: another offset naming the same instant matches.
        check(
            "offset",
            names(&t, "filter[at]=2025-02-01T11:00:00%2B01:00").await,
            &["banana"],
        );
    }
}

async fn neq_and_not_in_exclude_nulls(t: T) {
    let cases: Cases = &[
        ("filter[note.neq]=x", &["cherry"]),
        ("filter[note.neq]=zzz", &["apple", "cherry"]),
        ("filter[note.not_in]=x", &["cherry"]),
        ("filter[note.not_in]=zzz,www", &["apple", "cherry"]),
        ("filter[note.in]=x,y", &["apple", "cherry"]),
    ];
    seeded_rows(&t, cases).await;
}

async fn repeated_filter_key_last_wins(t: T) {
    let cases: Cases = &[
        ("filter[qty]=1&filter[qty]=3", &["cherry"]),
        ("filter[name]=cherry&filter[name]=apple", &["apple"]),
        // The same field under two different operators is two filters (AND).
        ("filter[qty.gt]=1&filter[qty.lt]=3", &["banana"]),
    ];
    seeded_rows(&t, cases).await;
}

async fn like_operator(t: T) {
    t.entity("word", json!([{"name": "name", "type": "string"}]))
        .await;
    for w in ["Alpha", "alphabet", "beta", "100%"] {
        t.create("word", json!({"name": w})).await;
    }
    let get = |q: &'static str| {
        let t = t.clone();
        async move { sorted(&t.list("word", q).await["data"], "name") }
    };
    assert_eq!(
        get("filter[name.like]=%25pha%25").await,
        ["Alpha", "alphabet"]
    );
    assert_eq!(get("filter[name.like]=b_ta").await, ["beta"]);
    assert_eq!(get("filter[name.like]=beta").await, ["beta"]);
    assert_eq!(get("filter[name.like]=bet").await, Vec::<String>::new());
    assert_eq!(get("filter[name.like]=1%25").await, ["100%"]);
    // Case sensitivity follows the database: Postgres LIKE is case-sensitive,
    // SQLite LIKE is ASCII case-insensitive.
    let al = get("filter[name.like]=al%25").await;
    match t.db {
        Db::Postgres => assert_eq!(al, ["alphabet"]),
        Db::Sqlite => assert_eq!(al, ["Alpha", "alphabet"]),
    }
}

async fn multi_key_sort_and_no_sort(t: T) {
    let entry = json!([{"name": "grp", "type": "string"}, {"name": "rank", "type": "int"},
        {"name": "label", "type": "string"}]);
    t.entity("entry", entry).await;
    for (g, r, l) in [
        ("g1", 2, "a"),
        ("g2", 1, "b"),
        ("g1", 1, "c"),
        ("g2", 3, "d"),
    ] {
        t.create("entry", json!({"grp": g, "rank": r, "label": l}))
            .await;
    }
    let order = |q: &'static str| {
        let t = t.clone();
        async move { column(&t, "entry", q, "label").await }
    };
    assert_eq!(order("sort=-grp,rank").await, ["b", "d", "c", "a"]);
    assert_eq!(order("sort=grp,-rank").await, ["a", "c", "d", "b"]);
    assert_eq!(order("sort=rank,label").await, ["b", "c", "a", "d"]);
    assert_eq!(order("sort=-rank,-grp").await, ["d", "a", "b", "c"]);
    assert_eq!(order("sort=%20-label%20").await, ["d", "c", "b", "a"]);
    assert_eq!(
        order("sort=grp,%20rank&filter[rank.neq]=3").await,
        ["c", "a", "b"]
    );
    // Without sort: every row, in some database order.
    let mut all = order("").await;
    all.sort();
    assert_eq!(all, ["a", "b", "c", "d"]);
}

async fn pagination(t: T) {
    t.entity("seq", json!([{"name": "n", "type": "int"}])).await;
    for n in 1..=7 {
        t.create("seq", json!({"n": n})).await;
    }
    let page = |q: String| {
        let t = t.clone();
        async move {
            let l = t.list("seq", &format!("sort=n&{q}")).await;
            let mut keys: Vec<String> = l["meta"].as_object().unwrap().keys().cloned().collect();
            keys.sort();
            assert_eq!(keys, ["page", "per_page", "total"], "meta keys: {l}");
            let ns: Vec<i64> = T::col(&l, "n")
                .iter()
                .map(|v| v.as_i64().unwrap())
                .collect();
            (ns, l["meta"].clone())
        }
    };
    let m = |p: i64, pp: i64| json!({"page": p, "per_page": pp, "total": 7});
    assert_eq!(page("".into()).await, ((1..=7).collect(), m(1, 25)));
    assert_eq!(
        page("page=1&per_page=3".into()).await,
        (vec![1, 2, 3], m(1, 3))
    );
    assert_eq!(
        page("page=2&per_page=3".into()).await,
        (vec![4, 5, 6], m(2, 3))
    );
    assert_eq!(page("page=3&per_page=3".into()).await, (vec![7], m(3, 3)));
    assert_eq!(page("page=4&per_page=3".into()).await, (vec![], m(4, 3)));
    assert_eq!(page("page=500".into()).await, (vec![], m(500, 25)));
    assert_eq!(page("per_page=2&page=4".into()).await, (vec![7], m(4, 2)));
    // Clamp to 100; invalid values fall back to the defaults silently.
    assert_eq!(
        page("per_page=101".into()).await,
        ((1..=7).collect(), m(1, 100))
    );
    assert_eq!(
        page("per_page=100".into()).await,
        ((1..=7).collect(), m(1, 100))
    );
    assert_eq!(page("per_page=1000000".into()).await.1, m(1, 100));
    for bad in [
        "per_page=0",
        "per_page=-3",
        "per_page=abc",
        "per_page=10abc",
        "per_page=",
        "per_page=2.5",
    ] {
        assert_eq!(
            page(bad.to_string()).await,
            ((1..=7).collect(), m(1, 25)),
            "{bad}"
        );
    }
    for bad in [
        "page=0", "page=-1", "page=abc", "page=2x", "page=", "page=1.5",
    ] {
        assert_eq!(
            page(format!("{bad}&per_page=2")).await,
            (vec![1, 2], m(1, 2)),
            "{bad}"
        );
    }
    // Filters narrow the total.
    let l = t.list("seq", "filter[n.gt]=5&per_page=1&sort=-n").await;
    assert_eq!(l["meta"], json!({"page": 1, "per_page": 1, "total": 2}));
    assert_eq!(T::col(&l, "n"), vec![json!(7)]);
}

async fn unknown_filter_and_sort_fields(t: T) {
    seed(&t).await;
    let cases = [
        ("filter[nope]=1", "Unknown filter field: nope"),
        ("filter[nope.gt]=1", "Unknown filter field: nope"),
        ("filter[customer.name]=x", "Unknown filter field: customer"),
        ("filter[Name]=apple", "Unknown filter field: Name"),
        (
            "filter[name]=apple&filter[ghost.in]=1,2",
            "Unknown filter field: ghost",
        ),
        ("sort=nope", "Unknown sort field: nope"),
        ("sort=-nope", "Unknown sort field: nope"),
        ("sort=name,nope", "Unknown sort field: nope"),
        ("sort=name,", "Unknown sort field: "),
        ("sort=name,,qty", "Unknown sort field: "),
        ("sort=-", "Unknown sort field: "),
        ("filter[]=x", "Unknown filter field: "),
        ("filter[.gt]=1", "Unknown filter field: "),
    ];
    t.query_errors("item", "UNKNOWN_FIELD", &cases).await;
}

async fn bad_filter_values(t: T) {
    seed(&t).await;
    let cases = [
        ("filter[qty]=abc", "qty"),
        ("filter[qty]=", "qty"),
        ("filter[qty.gt]=1.5", "qty"),
        ("filter[qty.in]=1,x", "qty"),
        ("filter[qty.not_in]=x", "qty"),
        ("filter[big]=abc", "big"),
        ("filter[big.lte]=1.5", "big"),
        ("filter[big]=99999999999999999999", "big"),
        ("filter[price]=abc", "price"),
        ("filter[price.gte]=1,5", "price"),
        ("filter[active]=yes", "active"),
        ("filter[active]=2", "active"),
        ("filter[active]=tRuE", "active"),
        ("filter[active.in]=true,maybe", "active"),
    ];
    for (q, field) in cases {
        let r = t.get(&format!("/item?{q}")).await;
        let msg = r.error(400, "INVALID_PAYLOAD")["message"]
            .as_str()
            .unwrap()
            .to_string();
        let prefix = format!("Invalid filter value for {field}");
        assert!(msg.starts_with(&prefix), "?{q}: {msg}");
    }
}

async fn soft_deleted_rows_never_match(t: T) {
    let memo = json!([{"name": "name", "type": "string"}, {"name": "qty", "type": "int"}]);
    t.entity_with("memo", memo, json!({"soft_delete": true}))
        .await;
    let a = t.create("memo", json!({"name": "a", "qty": 1})).await;
    t.create("memo", json!({"name": "b", "qty": 1})).await;
    t.create("memo", json!({"name": "c", "qty": 2})).await;
    t.delete(&format!("/memo/{}", id(&a))).await.expect(200);
    let l = t.list("memo", "filter[qty]=1").await;
    assert_eq!(T::col(&l, "name"), ["b"]);
    assert_eq!(l["meta"]["total"], json!(1));
    let l = t.list("memo", "filter[name.in]=a,c&sort=name").await;
    assert_eq!(T::col(&l, "name"), ["c"]);
    let l = t.list("memo", "filter[name.neq]=zzz&sort=-name").await;
    assert_eq!(T::col(&l, "name"), ["c", "b"]);
    assert_eq!(l["meta"]["total"], json!(2));
}

both!(
    string_operators,
    unknown_operators_are_rejected,
    int_and_bigint_operators,
    decimal_and_float_operators,
    boolean_spellings,
    uuid_timestamp_and_date_operators,
    neq_and_not_in_exclude_nulls,
    repeated_filter_key_last_wins,
    like_operator,
    multi_key_sort_and_no_sort,
    pagination,
    unknown_filter_and_sort_fields,
    bad_filter_values,
    soft_deleted_rows_never_match,
);
