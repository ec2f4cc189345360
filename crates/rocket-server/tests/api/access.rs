//! Users, the permission admin API and the permission engine (spec 11 §7, §8, §10).

use serde_json::{json, Value};

use crate::both;
use crate::common::T;

async fn users_crud(t: T) {
    let created = t
        .post(
            "/_admin/users",
            json!({"email": "b@x.io", "password": "pw1", "roles": ["viewer"], "active": true}),
        )
        .await
        .data(201)
        .clone();
    let keys: Vec<&String> = created.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["id", "email", "roles", "active", "created_at", "updated_at"]
    );
    let id = created["id"].as_str().unwrap().to_string();
    t.post(
        "/_admin/users",
        json!({"email": "a@x.io", "password": "pw"}),
    )
    .await
    .expect(201);
    let list = t.get("/_admin/users").await.data(200).clone();
    let emails: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        ["a@x.io", "admin@localhost", "b@x.io"],
        "ordered by email"
    );
    assert!(list
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u.get("password_hash").is_none()));
    let a = list
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == json!("a@x.io"))
        .unwrap();
    assert_eq!(a["roles"], json!([]));
    assert_eq!(a["active"], json!(true));
    assert_eq!(
        t.get(&format!("/_admin/users/{id}")).await.data(200)["email"],
        json!("b@x.io")
    );
    t.get("/_admin/users/not-a-uuid")
        .await
        .error(404, "NOT_FOUND");
    let nf = t
        .get(&format!("/_admin/users/{}", uuid::Uuid::new_v4()))
        .await;
    assert!(nf.error(404, "NOT_FOUND")["message"]
        .as_str()
        .unwrap()
        .starts_with("User not found: "));
    t.login("b@x.io", "pw1").await;
    // Update: email and roles replaced, `active` omitted keeps its value, password optional.
    let u = t
        .put(&format!("/_admin/users/{id}"), json!({"email": "b2@x.io"}))
        .await
        .data(200)
        .clone();
    assert_eq!(
        u["roles"],
        json!([]),
        "roles are replaced, missing means []"
    );
    assert_eq!(
        u["active"],
        json!(true),
        "absent active keeps the stored value"
    );
    t.login("b2@x.io", "pw1").await;
    t.put(
        &format!("/_admin/users/{id}"),
        json!({"email": "b2@x.io", "password": "new", "roles": ["x"]}),
    )
    .await
    .expect(200);
    let old = t
        .anon()
        .post(
            "/auth/login",
            json!({"email": "b2@x.io", "password": "pw1"}),
        )
        .await;
    old.error(401, "UNAUTHORIZED");
    t.login("b2@x.io", "new").await;
    // Errors.
    let m = |r: &crate::common::Resp, st: u16, code: &str| r.error(st, code)["message"].clone();
    assert_eq!(
        m(
            &t.post("/_admin/users", json!({"password": "x"})).await,
            422,
            "VALIDATION_FAILED"
        ),
        json!("email is required")
    );
    assert_eq!(
        m(
            &t.post("/_admin/users", json!({"email": "z@x.io"})).await,
            422,
            "VALIDATION_FAILED"
        ),
        json!("password is required")
    );
    assert_eq!(
        m(
            &t.post("/_admin/users", json!({"email": "a@x.io", "password": "x"}))
                .await,
            409,
            "CONFLICT"
        ),
        json!("A user with this email already exists")
    );
    t.post("/_admin/users", json!({"email": 5, "password": "x"}))
        .await
        .error(400, "INVALID_PAYLOAD");
    t.post(
        "/_admin/users",
        json!({"email": "q@x.io", "password": "x", "roles": "admin"}),
    )
    .await
    .error(400, "INVALID_PAYLOAD");
    t.post(
        "/_admin/users",
        json!({"email": "q@x.io", "password": "x", "active": "yes"}),
    )
    .await
    .error(400, "INVALID_PAYLOAD");
    t.put(&format!("/_admin/users/{id}"), json!({"email": "a@x.io"}))
        .await
        .error(409, "CONFLICT");
    t.put(&format!("/_admin/users/{id}"), json!({"email": ""}))
        .await
        .error(422, "VALIDATION_FAILED");
    t.put(
        &format!("/_admin/users/{}", uuid::Uuid::new_v4()),
        json!({"email": "n@x.io"}),
    )
    .await
    .error(404, "NOT_FOUND");
    let del = t.delete(&format!("/_admin/users/{id}")).await;
    assert_eq!(del.data(200), &json!({"id": id, "deleted": true}));
    t.get(&format!("/_admin/users/{id}"))
        .await
        .error(404, "NOT_FOUND");
    t.delete(&format!("/_admin/users/{id}"))
        .await
        .error(404, "NOT_FOUND");
}

async fn disabled_users_cannot_login_or_refresh(t: T) {
    let r = t
        .post(
            "/_admin/users",
            json!({"email": "d@x.io", "password": "pw", "roles": ["viewer"]}),
        )
        .await;
    let id = r.data(201)["id"].as_str().unwrap().to_string();
    let pair = t
        .anon()
        .post("/auth/login", json!({"email": "d@x.io", "password": "pw"}))
        .await
        .data(200)
        .clone();
    t.put(
        &format!("/_admin/users/{id}"),
        json!({"email": "d@x.io", "roles": ["viewer"], "active": false}),
    )
    .await
    .expect(200);
    let l = t
        .anon()
        .post("/auth/login", json!({"email": "d@x.io", "password": "pw"}))
        .await;
    assert_eq!(
        l.error(401, "UNAUTHORIZED")["message"],
        json!("Account is disabled")
    );
    let rf = t
        .anon()
        .post(
            "/auth/refresh",
            json!({"refresh_token": pair["refresh_token"]}),
        )
        .await;
    assert_eq!(
        rf.error(401, "UNAUTHORIZED")["message"],
        json!("Account is disabled")
    );
    // Re-enabled: the same refresh token still works (it was not consumed).
    t.put(
        &format!("/_admin/users/{id}"),
        json!({"email": "d@x.io", "active": true}),
    )
    .await
    .expect(200);
    t.anon()
        .post(
            "/auth/refresh",
            json!({"refresh_token": pair["refresh_token"]}),
        )
        .await
        .expect(200);
}

async fn permission_admin_validation(t: T) {
    t.entity("doc", json!([{"name": "status", "type": "string"}]))
        .await;
    let r = t
        .post(
            "/_admin/permissions",
            json!({"entity": "doc", "action": "read", "roles": ["v"]}),
        )
        .await;
    let p = r.data(201).clone();
    assert_eq!(p["conditions"], json!([]));
    let keys: Vec<&String> = p.as_object().unwrap().keys().collect();
    assert_eq!(keys, ["id", "entity", "action", "roles", "conditions"]);
    let id = p["id"].as_str().unwrap().to_string();
    let got = t
        .get(&format!("/_admin/permissions/{id}"))
        .await
        .data(200)
        .clone();
    assert_eq!(got["roles"], json!(["v"]));
    assert!(got["created_at"].is_string());
    assert_eq!(
        perm_err(&t, json!({"action": "read"})).await,
        json!("entity is required")
    );
    assert_eq!(
        perm_err(&t, json!({"entity": "doc"})).await,
        json!("action is required")
    );
    assert_eq!(
        perm_err(&t, json!({"entity": "doc", "action": "write"})).await,
        json!("action must be read, create, update, or delete")
    );
    let bad_op = json!({"entity": "doc", "action": "read", "conditions": [{"field": "status", "operator": "regex", "value": "x"}]});
    assert!(perm_err(&t, bad_op)
        .await
        .as_str()
        .unwrap()
        .contains("operator"));
    let bad_field = json!({"entity": "doc", "action": "read", "conditions": [{"field": "nope", "operator": "eq", "value": "x"}]});
    assert!(perm_err(&t, bad_field)
        .await
        .as_str()
        .unwrap()
        .contains("nope"));
    // Arrays and (Rust contract, spec 11 §7.4) comma strings are lists; numbers are not.
    let bad_in = json!({"entity": "doc", "action": "read", "conditions": [{"field": "status", "operator": "in", "value": 3}]});
    perm_err(&t, bad_in).await;
    t.post(
        "/_admin/permissions",
        json!({"entity": "doc", "action": "read", "roles": "v"}),
    )
    .await
    .error(400, "INVALID_PAYLOAD");
    // PUT validates the action too.
    t.put(
        &format!("/_admin/permissions/{id}"),
        json!({"entity": "doc", "action": "wrte"}),
    )
    .await
    .error(422, "VALIDATION_FAILED");
    let up = t
        .put(
            &format!("/_admin/permissions/{id}"),
            json!({"entity": "doc", "action": "create", "roles": ["a", "b"]}),
        )
        .await;
    assert_eq!(up.data(200)["action"], json!("create"));
    t.get("/_admin/permissions/nope")
        .await
        .error(404, "NOT_FOUND");
    t.put(
        &format!("/_admin/permissions/{}", uuid::Uuid::new_v4()),
        json!({"entity": "doc", "action": "read"}),
    )
    .await
    .error(404, "NOT_FOUND");
    // A policy for an entity that does not exist yet is accepted (and inert).
    t.post("/_admin/permissions", json!({"entity": "later", "action": "read", "conditions": [{"field": "x", "operator": "eq", "value": 1}]}))
        .await
        .expect(201);
    let list = t.get("/_admin/permissions").await.data(200).clone();
    let ents: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["entity"].as_str().unwrap())
        .collect();
    assert_eq!(ents, ["doc", "later"]);
    assert_eq!(
        t.delete(&format!("/_admin/permissions/{id}"))
            .await
            .data(200),
        &json!({"id": id, "deleted": true})
    );
    t.get(&format!("/_admin/permissions/{id}"))
        .await
        .error(404, "NOT_FOUND");
}

async fn perm_err(t: &T, v: Value) -> Value {
    t.post("/_admin/permissions", v)
        .await
        .error(422, "VALIDATION_FAILED")["message"]
        .clone()
}

async fn whitelist_roles_and_admin_bypass(t: T) {
    t.entity("note", json!([{"name": "title", "type": "string"}]))
        .await;
    let rec = t.create("note", json!({"title": "a"})).await;
    let rid = rec["id"].as_str().unwrap();
    let (_, tok) = t.user("v@x.io", json!(["Viewer"])).await;
    let v = t.with_token(Some(&tok));
    assert_eq!(
        v.get("/note").await.error(403, "FORBIDDEN")["message"],
        json!("No permission for read on note")
    );
    t.permission("note", "read", json!(["other"]), json!([]))
        .await;
    assert_eq!(
        v.get("/note").await.error(403, "FORBIDDEN")["message"],
        json!("Permission denied for read on note")
    );
    // Role matching is case-insensitive.
    t.permission("note", "read", json!(["VIEWER"]), json!([]))
        .await;
    t.permission("note", "create", json!(["viewer"]), json!([]))
        .await;
    v.get("/note").await.expect(200);
    v.get(&format!("/note/{rid}")).await.expect(200);
    v.post("/note", json!({"title": "mine"})).await.expect(201);
    assert_eq!(
        v.put(&format!("/note/{rid}"), json!({"title": "x"}))
            .await
            .error(403, "FORBIDDEN")["message"],
        json!("No permission for update on note")
    );
    v.delete(&format!("/note/{rid}"))
        .await
        .error(403, "FORBIDDEN");
    v.get("/_admin/entities").await.error(403, "FORBIDDEN");
    // Missing records are 404 before the permission check.
    v.put(&format!("/note/{}", uuid::Uuid::new_v4()), json!({}))
        .await
        .error(404, "NOT_FOUND");
    // Admins need no policy at all.
    t.entity("free", json!([{"name": "x", "type": "string"}]))
        .await;
    let f = t.create("free", json!({"x": "1"})).await;
    t.put(
        &format!("/free/{}", f["id"].as_str().unwrap()),
        json!({"x": "2"}),
    )
    .await
    .expect(200);
    t.delete(&format!("/free/{}", f["id"].as_str().unwrap()))
        .await
        .expect(200);
}

async fn row_level_filters_everywhere(t: T) {
    t.entity(
        "dept",
        json!([{"name": "name", "type": "string"}, {"name": "region", "type": "string"}]),
    )
    .await;
    t.entity(
        "deal",
        json!([
            {"name": "name", "type": "string"}, {"name": "department", "type": "string"},
            {"name": "amount", "type": "int"}, {"name": "dept_id", "type": "uuid"},
        ]),
    )
    .await;
    t.relation(
        json!({"name": "deals", "type": "one_to_many", "source": "dept", "target": "deal",
        "source_key": "id", "target_key": "dept_id"}),
    )
    .await;
    let d = t
        .create("dept", json!({"name": "Sales", "region": "eu"}))
        .await;
    let did = d["id"].as_str().unwrap().to_string();
    let mut ids = std::collections::HashMap::new();
    for (n, dep, amt) in [
        ("s1", "sales", 10),
        ("s2", "sales", 500),
        ("e1", "engineering", 20),
    ] {
        let r = t
            .create(
                "deal",
                json!({"name": n, "department": dep, "amount": amt, "dept_id": did}),
            )
            .await;
        ids.insert(n, r["id"].as_str().unwrap().to_string());
    }
    t.permission(
        "deal",
        "read",
        json!(["rep"]),
        json!([{"field": "department", "operator": "eq", "value": "sales"}]),
    )
    .await;
    let (_, tok) = t.user("rep@x.io", json!(["rep"])).await;
    let rep = t.with_token(Some(&tok));
    let l = rep.list("deal", "sort=name").await;
    assert_eq!(T::col(&l, "name"), vec![json!("s1"), json!("s2")]);
    assert_eq!(l["meta"]["total"], json!(2), "total counts filtered rows");
    // The same filter applies to get-by-id: a hidden row does not exist for this user.
    rep.get(&format!("/deal/{}", ids["e1"]))
        .await
        .error(404, "NOT_FOUND");
    rep.get(&format!("/deal/{}", ids["s1"])).await.expect(200);
    // Include of an entity without read permission is refused.
    t.permission(
        "deal",
        "read",
        json!(["manager"]),
        json!([{"field": "amount", "operator": "gte", "value": 100}]),
    )
    .await;
    let (_, mtok) = t.user("m@x.io", json!(["rep", "manager"])).await;
    let mgr = t.with_token(Some(&mtok));
    // Conditions of several matching policies are AND-ed.
    assert_eq!(
        T::col(&mgr.list("deal", "").await, "name"),
        vec![json!("s2")]
    );
    t.permission("dept", "read", json!(["rep"]), json!([]))
        .await;
    let inc = rep
        .get(&format!("/dept/{did}?include=deals"))
        .await
        .data(200)
        .clone();
    let mut names: Vec<&str> = inc["deals"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["s1", "s2"], "included rows obey the same filters");
    let inc = rep.list("dept", "include=deals").await;
    assert_eq!(inc["data"][0]["deals"].as_array().unwrap().len(), 2);
    // Reverse include: deal → dept needs read on dept.
    let (_, otok) = t.user("o@x.io", json!(["only_deals"])).await;
    t.permission("deal", "read", json!(["only_deals"]), json!([]))
        .await;
    let o = t.with_token(Some(&otok));
    o.get(&format!("/deal/{}?include=deals", ids["s1"]))
        .await
        .error(403, "FORBIDDEN");
    o.get("/deal?include=deals").await.error(403, "FORBIDDEN");
    o.get(&format!("/deal/{}", ids["e1"])).await.expect(200);
    // Admin sees everything.
    assert_eq!(t.list("deal", "").await["meta"]["total"], json!(3));
}

async fn write_conditions_use_the_stored_record(t: T) {
    t.entity(
        "article",
        json!([{"name": "title", "type": "string"}, {"name": "status", "type": "string"}]),
    )
    .await;
    let draft = t
        .create("article", json!({"title": "d", "status": "draft"}))
        .await;
    let published = t
        .create("article", json!({"title": "p", "status": "published"}))
        .await;
    t.permission("article", "read", json!(["editor"]), json!([]))
        .await;
    t.permission(
        "article",
        "update",
        json!(["editor"]),
        json!([{"field": "status", "operator": "eq", "value": "draft"}]),
    )
    .await;
    t.permission(
        "article",
        "delete",
        json!(["editor"]),
        json!([{"field": "status", "operator": "in", "value": ["draft"]}]),
    )
    .await;
    let (_, tok) = t.user("e@x.io", json!(["editor"])).await;
    let e = t.with_token(Some(&tok));
    let (did, pid) = (
        draft["id"].as_str().unwrap(),
        published["id"].as_str().unwrap(),
    );
    e.put(&format!("/article/{did}"), json!({"title": "d2"}))
        .await
        .expect(200);
    let r = e
        .put(&format!("/article/{pid}"), json!({"title": "p2"}))
        .await;
    assert_eq!(
        r.error(403, "FORBIDDEN")["message"],
        json!("Permission denied for update on article")
    );
    e.delete(&format!("/article/{pid}"))
        .await
        .error(403, "FORBIDDEN");
    // The new values are not checked: a draft may be published by the editor.
    e.put(&format!("/article/{did}"), json!({"status": "published"}))
        .await
        .expect(200);
    e.delete(&format!("/article/{did}"))
        .await
        .error(403, "FORBIDDEN");
    assert_eq!(
        t.get(&format!("/article/{pid}")).await.data(200)["title"],
        json!("p")
    );
}

/// For random policies over random rows, no read path returns a row the policy hides.
async fn random_policies_never_leak(t: T) {
    t.entity("box", json!([{"name": "label", "type": "string"}]))
        .await;
    t.entity("item", json!([
        {"name": "color", "type": "string"}, {"name": "size", "type": "int"}, {"name": "box_id", "type": "uuid"},
    ]))
    .await;
    t.relation(
        json!({"name": "items", "type": "one_to_many", "source": "box", "target": "item",
        "source_key": "id", "target_key": "box_id"}),
    )
    .await;
    t.permission("box", "read", json!(["r"]), json!([])).await;
    let b = t.create("box", json!({"label": "b"})).await;
    let bid = b["id"].as_str().unwrap().to_string();
    let colors = ["red", "green", "blue"];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15 ^ (t.app.len() as u64);
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let mut rows = Vec::new();
    for _ in 0..24 {
        let color = colors[next(3) as usize];
        let size = next(10) as i64;
        let r = t
            .create("item", json!({"color": color, "size": size, "box_id": bid}))
            .await;
        rows.push((r["id"].as_str().unwrap().to_string(), color, size));
    }
    let ops = ["eq", "neq", "gt", "gte", "lt", "lte", "in", "not_in"];
    for round in 0..6 {
        let mut conds = Vec::new();
        for _ in 0..(1 + next(2)) {
            let op = ops[next(ops.len() as u64) as usize];
            let c = if next(2) == 0 {
                let v = colors[next(3) as usize];
                match op {
                    "in" | "not_in" => {
                        json!({"field": "color", "operator": op, "value": [v, colors[next(3) as usize]]})
                    }
                    "eq" | "neq" => json!({"field": "color", "operator": op, "value": v}),
                    _ => json!({"field": "size", "operator": op, "value": next(10)}),
                }
            } else {
                match op {
                    "in" | "not_in" => {
                        json!({"field": "size", "operator": op, "value": [next(10), next(10)]})
                    }
                    _ => json!({"field": "size", "operator": op, "value": next(10)}),
                }
            };
            conds.push(c);
        }
        let role = format!("role{round}");
        t.permission("item", "read", json!([role]), Value::Array(conds.clone()))
            .await;
        t.permission("box", "read", json!([role]), json!([])).await;
        let (_, tok) = t.user(&format!("u{round}@x.io"), json!([role])).await;
        let u = t.with_token(Some(&tok));
        let visible = |color: &str, size: i64| {
            conds.iter().all(|c| {
                let (f, op, v) = (
                    c["field"].as_str().unwrap(),
                    c["operator"].as_str().unwrap(),
                    &c["value"],
                );
                let (a_num, a_txt) = (size as f64, color.to_string());
                let is_color = f == "color";
                let eqv = |x: &Value| {
                    if is_color {
                        x.as_str() == Some(color)
                    } else {
                        x.as_f64() == Some(a_num)
                    }
                };
                match op {
                    "eq" => eqv(v),
                    "neq" => !eqv(v),
                    "in" => v.as_array().unwrap().iter().any(eqv),
                    "not_in" => !v.as_array().unwrap().iter().any(eqv),
                    _ => {
                        let b = v.as_f64().unwrap();
                        let _ = &a_txt;
                        match op {
                            "gt" => a_num > b,
                            "gte" => a_num >= b,
                            "lt" => a_num < b,
                            _ => a_num <= b,
                        }
                    }
                }
            })
        };
        let expected: std::collections::BTreeSet<String> = rows
            .iter()
            .filter(|(_, c, s)| visible(c, *s))
            .map(|(id, _, _)| id.clone())
            .collect();
        let listed: std::collections::BTreeSet<String> = u.list("item", "per_page=100").await
            ["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(listed, expected, "list under {conds:?}");
        let inc: std::collections::BTreeSet<String> =
            u.get(&format!("/box/{bid}?include=items")).await.data(200)["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["id"].as_str().unwrap().to_string())
                .collect();
        assert_eq!(inc, expected, "include under {conds:?}");
        for (id, c, s) in &rows {
            let st = u.get(&format!("/item/{id}")).await.status.as_u16();
            assert_eq!(
                st,
                if visible(c, *s) { 200 } else { 404 },
                "get {id} ({c}, {s}) under {conds:?}"
            );
        }
    }
}

both!(
    users_crud,
    disabled_users_cannot_login_or_refresh,
    permission_admin_validation,
    whitelist_roles_and_admin_bypass,
    row_level_filters_everywhere,
    write_conditions_use_the_stored_record,
    random_policies_never_leak,
);
