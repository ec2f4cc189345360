//! The `rocket` command line (docs/cli.md) on both dialects: apps, export and
//! import (with the dry run), users and platform users checked by logging in over
//! HTTP against `rocket serve` on the same databases, check-config, exit codes.

mod common;

use common::cli::{Dialect, Out, Setup};
use common::{free_port, wait_healthy, Api};
use serde_json::{json, Value};

macro_rules! both {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                if let Some(s) = super::Setup::new(super::Dialect::Sqlite) {
                    super::$name(s).await;
                }
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(s) = super::Setup::new(super::Dialect::Postgres) {
                    super::$name(s).await;
                }
            }
        }
    )*};
}

both!(
    apps_lifecycle,
    export_import_round_trip,
    dry_run_changes_nothing,
    users_and_platform_users_log_in,
    unknown_app_is_one_line,
    openapi_documents,
    banner_names_urls_and_default_password,
);

/// The startup banner: the bound address, the admin UI first, the API and OpenAPI
/// URLs, and the default platform credentials for the admin UI only while that
/// password is unchanged.
async fn banner_names_urls_and_default_password(s: Setup) {
    let port = free_port();
    let b = s.banner(port);
    assert!(
        b.contains(&format!("Rocket is listening on 127.0.0.1:{port}")),
        "{b}"
    );
    let base = format!("http://127.0.0.1:{port}");
    let urls: Vec<&str> = b.lines().filter(|l| l.starts_with("  ")).collect();
    assert_eq!(
        urls.first().copied(),
        Some(format!("  Admin UI: {base}/admin/").as_str()),
        "{b}"
    );
    assert!(
        b.contains("Admin UI sign-in: platform@localhost / changeme"),
        "{b}"
    );
    assert!(
        b.contains(&format!("{base}/api/<app>/_openapi.json")),
        "{b}"
    );
    assert!(
        b.contains(&format!("{base}/api/_platform/openapi.json")),
        "{b}"
    );
    assert!(
        b.contains("WARNING: the platform admin still has the default password"),
        "{b}"
    );
    s.ok(&[
        "platform-user",
        "set-password",
        "--email",
        "platform@localhost",
        "--password",
        "a-new-secret-1",
    ]);
    let b = s.banner(free_port());
    assert!(b.contains("Rocket is listening"), "{b}");
    assert!(!b.contains("platform@localhost / changeme"), "{b}");
}

fn app_names(s: &Setup) -> Vec<String> {
    let list = s.json(&["app", "list", "--json"]);
    list.as_array()
        .expect("an array of apps")
        .iter()
        .map(|a| a["name"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn apps_lifecycle(s: Setup) {
    let name = s.new_app();
    assert!(app_names(&s).contains(&name));
    let table = s.ok(&["app", "list"]);
    assert!(table.starts_with("NAME"), "{table}");
    assert!(
        table.contains(&name) && table.contains(s.driver()),
        "{table}"
    );

    let again = s.run(&["app", "create", &name]);
    assert_eq!(again.code, 1, "{again:?}");
    assert!(
        again.error_line().contains("App already exists"),
        "{again:?}"
    );
    let bad = s.run(&["app", "create", "Bad Name"]);
    assert_eq!(bad.code, 1, "{bad:?}");
    assert!(bad.error_line().contains("lowercase"), "{bad:?}");

    // Without a terminal to ask on, deleting needs --yes: a usage error.
    let unconfirmed = s.run(&["app", "delete", &name]);
    assert_eq!(unconfirmed.code, 2, "{unconfirmed:?}");
    assert!(unconfirmed.error_line().contains("--yes"));
    assert!(app_names(&s).contains(&name), "not deleted without --yes");

    s.ok(&["app", "delete", &name, "--yes"]);
    assert!(!app_names(&s).contains(&name));
    let gone = s.run(&["app", "delete", &name, "--yes"]);
    assert_eq!(gone.code, 1);
    assert_eq!(gone.error_line(), format!("error: App not found: {name}"));
}

const A1: &str = "10000000-0000-4000-8000-000000000001";
const A2: &str = "10000000-0000-4000-8000-000000000002";
const P1: &str = "40000000-0000-4000-8000-000000000001";
const T1: &str = "30000000-0000-4000-8000-000000000001";

fn entity(name: &str, fields: Value) -> Value {
    let mut all = vec![json!({"name": "id", "type": "uuid"})];
    all.extend(fields.as_array().cloned().unwrap_or_default());
    json!({"name": name, "table": name,
        "primary_key": {"field": "id", "type": "uuid", "generated": true}, "fields": all})
}

/// author 1—n post, post n—m tag; one of every other kind; sample rows.
fn blog() -> Value {
    json!({
        "version": 1,
        "entities": [
            entity("author", json!([{"name": "name", "type": "string"}])),
            entity("post", json!([{"name": "author_id", "type": "uuid"},
                                  {"name": "title", "type": "string", "required": true}])),
            entity("tag", json!([{"name": "name", "type": "string"}])),
        ],
        "relations": [
            {"name": "posts", "type": "one_to_many", "source": "author", "target": "post",
             "source_key": "id", "target_key": "author_id"},
            {"name": "post_tags", "type": "many_to_many", "source": "post", "target": "tag",
             "source_key": "id", "join_table": "post_tags",
             "source_join_key": "post_id", "target_join_key": "tag_id"},
        ],
        "rules": [{"entity": "post", "hook": "before_write", "type": "field",
                   "definition": {"field": "title", "operator": "min_length", "value": 2,
                                  "message": "Title too short"},
                   "priority": 1, "active": true}],
        "permissions": [{"entity": "post", "action": "read", "roles": ["viewer"], "conditions": []}],
        "ui_configs": [{"entity": "post", "scope": "default", "config": {"columns": ["title"]}}],
        "sample_data": {
            "author": [{"id": A1, "name": "Emily"}, {"id": A2, "name": "Bob"}],
            "post": [{"id": P1, "author_id": A1, "title": "first"}],
            "tag": [{"id": T1, "name": "rust"}],
            "post_tags": [{"post_id": P1, "tag_id": T1}],
        },
    })
}

/// The app's export without its time stamp.
fn export(s: &Setup, app: &str) -> Value {
    let mut doc = s.json(&["export", "--app", app]);
    doc.as_object_mut()
        .expect("an export object")
        .remove("exported_at");
    doc
}

fn write(s: &Setup, name: &str, doc: &Value) -> String {
    let path = s.path(name);
    std::fs::write(&path, doc.to_string()).expect("document written");
    path.display().to_string()
}

/// The dry-run plan of importing `file` into `app`, as JSON.
fn plan(s: &Setup, app: &str, file: &str) -> (Out, Value) {
    let out = s.run(&["import", "--app", app, file, "--dry-run", "--json"]);
    let v = serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    (out, v)
}

fn actions(plan: &Value) -> Vec<String> {
    plan["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| format!("{} {} {}", i["kind"], i["name"], i["action"]).replace('"', ""))
        .collect()
}

/// Sample rows of `table` in the plan: (create, skip, invalid).
fn rows(plan: &Value, table: &str) -> (u64, u64, u64) {
    let r = plan["sample_data"]
        .as_array()
        .expect("sample_data")
        .iter()
        .find(|r| r["table"] == json!(table))
        .unwrap_or_else(|| panic!("no rows of {table}: {plan}"));
    let n = |k: &str| r[k].as_u64().unwrap_or(99);
    (n("create"), n("skip"), n("invalid"))
}

async fn export_import_round_trip(s: Setup) {
    let (src, dst) = (s.new_app(), s.new_app());
    let doc = write(&s, "blog.json", &blog());
    let report = s.json(&["import", "--app", &src, &doc, "--json"]);
    assert!(report.get("errors").is_none(), "{report}");
    assert_eq!(report["summary"]["records"], json!(5), "{report}");

    // Imported rows are there: a second dry run finds every one.
    let (out, again) = plan(&s, &src, &doc);
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        actions(&again).iter().all(|a| a.ends_with(" skip")),
        "{again}"
    );
    assert_eq!(rows(&again, "author"), (0, 2, 0));
    assert_eq!(rows(&again, "post_tags"), (0, 1, 0));

    let file = s.path("src.json").display().to_string();
    s.ok(&["export", "--app", &src, "-o", &file]);
    let human = s.ok(&["import", "--app", &dst, &file]);
    assert!(human.starts_with("Import completed"), "{human}");
    assert_eq!(export(&s, &dst), export(&s, &src), "round trip");
    assert_eq!(
        export(&s, &src)["entities"].as_array().map(Vec::len),
        Some(3)
    );

    // The same document again: nothing new, exit 0.
    let twice = s.json(&["import", "--app", &dst, &file, "--json"]);
    assert_eq!(twice["summary"]["entities"], json!(0), "{twice}");
}

async fn dry_run_changes_nothing(s: Setup) {
    let app = s.new_app();
    let doc = write(&s, "blog.json", &blog());
    let before = export(&s, &app);

    let (out, p) = plan(&s, &app, &doc);
    assert_eq!(out.code, 0, "{out:?}");
    let want = [
        "entities author create",
        "entities post create",
        "entities tag create",
        "relations posts create",
        "relations post_tags create",
        "rules post/before_write create",
        "permissions post/read create",
        "ui_configs post/default create",
    ];
    assert_eq!(actions(&p), want, "{p}");
    assert_eq!(rows(&p, "author"), (2, 0, 0));
    assert_eq!(rows(&p, "post_tags"), (1, 0, 0));
    assert_eq!(export(&s, &app), before, "a dry run writes nothing");

    let human = s.ok(&["import", "--app", &app, &doc, "--dry-run"]);
    assert!(human.contains("entities:\n  create    author"), "{human}");
    assert!(human.contains("Nothing was changed."), "{human}");
    assert_eq!(export(&s, &app), before, "a dry run writes nothing");

    // Stored, then changed in the document: a conflict, reported by the dry run
    // (exit 1) and by the import, which keeps the stored definition.
    s.ok(&["import", "--app", &app, &doc]);
    let stored = export(&s, &app);
    let mut changed = blog();
    changed["entities"][2] = entity("tag", json!([{"name": "label", "type": "string"}]));
    changed["sample_data"]["author"][0]["name"] = json!({"not": "a string"});
    let changed = write(&s, "changed.json", &changed);
    let (out, p) = plan(&s, &app, &changed);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.error_line().contains("2 conflict(s) or invalid"),
        "{out:?}"
    );
    assert!(
        actions(&p).contains(&"entities tag conflict".to_string()),
        "{p}"
    );
    assert_eq!(rows(&p, "author"), (0, 1, 1));
    let real = s.run(&["import", "--app", &app, &changed]);
    assert_eq!(real.code, 1, "{real:?}");
    assert!(real
        .stderr
        .contains("warning: entities tag: exists with a different definition"));
    assert_eq!(export(&s, &app), stored, "the stored definition is kept");
}

async fn users_and_platform_users_log_in(s: Setup) {
    let app = s.new_app();
    let port = free_port();
    let _server = s.serve(port);
    let base = format!("http://127.0.0.1:{port}");
    let api = Api {
        http: reqwest::Client::new(),
        token: None,
    };
    wait_healthy(&api, &base).await;
    let app_login = format!("{base}/api/{app}/auth/login");
    let login = |url: String, email: &'static str, pw: &'static str| {
        let api = &api;
        async move {
            let (st, body) = api
                .post(&url, json!({"email": email, "password": pw}))
                .await;
            (st, body["error"]["message"].clone())
        }
    };
    const ANN: &str = "ann@example.com";

    s.ok(&[
        "user",
        "create",
        "--app",
        &app,
        "--email",
        ANN,
        "--password",
        "first-pass",
        "--roles",
        "editor,viewer",
    ]);
    assert_eq!(login(app_login.clone(), ANN, "first-pass").await.0, 200);
    let dup = s.run(&[
        "user",
        "create",
        "--app",
        &app,
        "--email",
        ANN,
        "--password",
        "x",
    ]);
    assert_eq!(dup.code, 1);
    assert!(dup
        .error_line()
        .contains("A user with this email already exists"));
    let listed = s.json(&["user", "list", "--app", &app, "--json"]);
    let ann = listed
        .as_array()
        .and_then(|a| a.iter().find(|u| u["email"] == json!(ANN)))
        .cloned()
        .unwrap_or_default();
    assert_eq!(ann["roles"], json!(["editor", "viewer"]), "{listed}");
    assert!(ann.get("password_hash").is_none());

    let set = ["user", "set-password", "--app", &app, "--email", ANN];
    s.ok(&[&set[..], &["--password", "second-pass"]].concat());
    assert_eq!(login(app_login.clone(), ANN, "first-pass").await.0, 401);
    assert_eq!(login(app_login.clone(), ANN, "second-pass").await.0, 200);
    let piped = s.run_with_input(&[&set[..], &["--password-stdin"]].concat(), "third-pass\n");
    assert_eq!(piped.code, 0, "{piped:?}");
    assert_eq!(login(app_login.clone(), ANN, "second-pass").await.0, 401);
    assert_eq!(login(app_login.clone(), ANN, "third-pass").await.0, 200);

    s.ok(&["user", "disable", "--app", &app, "--email", ANN]);
    let refused = login(app_login.clone(), ANN, "third-pass").await;
    assert_eq!(refused, (401, json!("Account is disabled")));
    s.ok(&["user", "enable", "--app", &app, "--email", ANN]);
    assert_eq!(login(app_login.clone(), ANN, "third-pass").await.0, 200);
    let nobody = s.run(&[
        "user",
        "disable",
        "--app",
        &app,
        "--email",
        "nobody@example.com",
    ]);
    assert_eq!(nobody.code, 1);
    assert_eq!(
        nobody.error_line(),
        "error: User not found: nobody@example.com"
    );

    let platform_login = format!("{base}/api/_platform/auth/login");
    const PLATFORM: &str = "platform@localhost";
    assert_eq!(
        login(platform_login.clone(), PLATFORM, "changeme").await.0,
        200
    );
    s.ok(&[
        "platform-user",
        "set-password",
        "--email",
        PLATFORM,
        "--password",
        "a-better-one",
    ]);
    assert_eq!(
        login(platform_login.clone(), PLATFORM, "changeme").await.0,
        401
    );
    assert_eq!(login(platform_login, PLATFORM, "a-better-one").await.0, 200);
    let platform_users = s.json(&["platform-user", "list", "--json"]);
    assert_eq!(
        platform_users[0]["email"],
        json!(PLATFORM),
        "{platform_users}"
    );
    assert_eq!(platform_users[0]["roles"], json!(["platform_admin"]));
}

async fn unknown_app_is_one_line(s: Setup) {
    for args in [
        vec!["export", "--app", "nope"],
        vec!["user", "list", "--app", "nope"],
        vec!["import", "--app", "nope", "-"],
    ] {
        let out = s.run_with_input(&args, "{\"version\": 1}");
        assert_eq!(out.code, 1, "{args:?}: {out:?}");
        assert_eq!(out.error_line(), "error: App not found: nope");
        assert!(out.stdout.is_empty(), "{out:?}");
    }
    let app = s.new_app();
    let not_json = s.run_with_input(&["import", "--app", &app, "-"], "nope");
    assert_eq!(not_json.code, 1);
    assert!(not_json.error_line().contains("- is not valid JSON"));
    let old = s.run_with_input(&["import", "--app", &app, "-"], "{\"version\": 2}");
    assert_eq!(old.code, 1);
    assert_eq!(old.error_line(), "error: Unsupported export version: 2");
}

/// `rocket openapi`: an admin's view, a role's view, the platform's document.
async fn openapi_documents(s: Setup) {
    let app = s.new_app();
    s.ok(&["import", "--app", &app, &write(&s, "blog.json", &blog())]);
    let paths = |doc: &Value| -> Vec<String> {
        doc["paths"]
            .as_object()
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default()
    };
    let admin = s.json(&["openapi", "--app", &app]);
    assert_eq!(admin["openapi"], json!("3.1.0"));
    let all = paths(&admin);
    for p in ["post", "tag", "_admin/entities"] {
        assert!(all.contains(&format!("/api/{app}/{p}")), "{p}: {all:?}");
    }
    let file = s.path("viewer.json");
    s.ok(&[
        "openapi",
        "--app",
        &app,
        "--roles",
        "viewer",
        "-o",
        &file.display().to_string(),
    ]);
    let viewer: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
    let seen = paths(&viewer);
    assert!(seen.contains(&format!("/api/{app}/post")), "{seen:?}");
    assert!(!seen.contains(&format!("/api/{app}/tag")), "{seen:?}");
    assert!(!seen.iter().any(|p| p.contains("_admin")), "{seen:?}");
    let platform = paths(&s.json(&["openapi", "--platform"]));
    assert!(
        platform.contains(&"/api/_platform/apps".to_string()),
        "{platform:?}"
    );
    assert_eq!(s.run(&["openapi"]).code, 2);
}

fn rocket(dir: &std::path::Path, args: &[&str]) -> Out {
    let mut c =
        assert_cmd::Command::from_std(std::process::Command::new(env!("CARGO_BIN_EXE_rocket")));
    c.current_dir(dir)
        .args(args)
        .env_remove("ROCKET_LOG")
        .timeout(std::time::Duration::from_secs(60));
    let out = c.output().expect("binary ran");
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

#[test]
fn usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        vec!["frobnicate"],
        vec!["app"],
        vec!["app", "create"],
        vec!["app", "create", "x", "--driver", "mysql"],
        vec!["import", "--app", "x"],
        vec!["user", "create", "--app", "x", "--email", "e"],
        vec![
            "user",
            "set-password",
            "--app",
            "x",
            "--email",
            "e",
            "--password",
            "p",
            "--password-stdin",
        ],
        vec!["check-config", "--format", "toml"],
    ] {
        let out = rocket(dir.path(), &args);
        assert_eq!(out.code, 2, "{args:?}: {out:?}");
        assert!(!out.stderr.contains("backtrace"), "{out:?}");
    }
    assert_eq!(rocket(dir.path(), &["--help"]).code, 0);
    // Nothing was created by refused command lines.
    assert!(!dir.path().join("data").exists());
}

#[test]
fn check_config_masks_secrets_and_warns() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = "server:\n  prot: 9000\n  port: 9001\n\
        platform_jwt_secret: a-long-enough-secret-of-more-than-32-bytes\n\
        database:\n  driver: postgres\n  password: hunter2\n\
        ai:\n  api_key: sk-secret\n";
    let file = dir.path().join("app.yaml");
    std::fs::write(&file, yaml).unwrap();
    let out = rocket(dir.path(), &["check-config"]);
    assert_eq!(out.code, 0, "{out:?}");
    for secret in ["hunter2", "sk-secret", "a-long-enough"] {
        assert!(
            !out.stdout.contains(secret),
            "{secret} shown: {}",
            out.stdout
        );
    }
    assert!(out.stdout.contains("***"), "{}", out.stdout);
    assert!(out.stdout.contains("9001"), "{}", out.stdout);
    assert!(
        out.stderr.contains("configuration file: app.yaml"),
        "{out:?}"
    );
    assert!(
        out.stderr.contains(
            "warning: unknown configuration key server.prot (ignored); did you mean server.port?"
        ),
        "{out:?}"
    );

    let json_out = rocket(dir.path(), &["check-config", "--format", "json"]);
    assert_eq!(json_out.code, 0, "{json_out:?}");
    let v: Value = serde_json::from_str(&json_out.stdout).expect("JSON");
    assert_eq!(v["database"]["password"], json!("***"));
    assert_eq!(v["database"]["driver"], json!("postgres"));
    assert_eq!(v["platform_jwt_secret"], json!("***"));

    // Defaults only: SQLite in ./data, named as such.
    let empty = tempfile::tempdir().unwrap();
    let v: Value =
        serde_json::from_str(&rocket(empty.path(), &["check-config", "--format", "json"]).stdout)
            .expect("JSON");
    assert_eq!(v["database"]["driver"], json!("sqlite"));
    assert_eq!(v["database"]["data_dir"], json!("./data"));
}

#[test]
fn invalid_configuration_is_one_line_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app.yaml");
    let cases = [
        (
            "database:\n  driver: mysql\n",
            "database.driver must be sqlite or postgres",
        ),
        (
            "platform_jwt_secret: changeme\n",
            "platform_jwt_secret is a well-known sample value",
        ),
        (
            "server:\n  host: localhost\n",
            "server.host \"localhost\" is not an IP address",
        ),
        ("server:\n  port: [1\n", "invalid YAML in"),
    ];
    for (yaml, message) in cases {
        std::fs::write(&file, yaml).unwrap();
        let out = rocket(dir.path(), &["check-config"]);
        assert_eq!(out.code, 1, "{yaml}: {out:?}");
        assert!(out.error_line().contains(message), "{yaml}: {out:?}");
        // The server refuses the same configuration with the same single line.
        let serve = rocket(dir.path(), &["serve", "--port", "0"]);
        assert_eq!(serve.code, 1, "{yaml}: {serve:?}");
        assert!(serve.error_line().contains(message), "{yaml}: {serve:?}");
    }
    // check-config still shows the warnings of a configuration it refuses.
    std::fs::write(&file, "server:\n  prot: 1\ndatabase:\n  driver: mysql\n").unwrap();
    let both = rocket(dir.path(), &["check-config"]);
    assert_eq!(both.code, 1, "{both:?}");
    assert!(
        both.stderr.contains("did you mean server.port?"),
        "{both:?}"
    );
    assert!(
        both.error_line().contains("database.driver must be"),
        "{both:?}"
    );
    let missing = rocket(dir.path(), &["--config", "nowhere.yaml", "app", "list"]);
    assert_eq!(missing.code, 1);
    assert!(missing
        .error_line()
        .starts_with("error: cannot read nowhere.yaml"));
}

#[test]
fn unreachable_postgres_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let yaml = "database:\n  driver: postgres\n  host: 127.0.0.1\n  port: 1\n";
    std::fs::write(dir.path().join("app.yaml"), yaml).unwrap();
    let out = rocket(dir.path(), &["app", "list"]);
    assert_eq!(out.code, 1, "{out:?}");
    assert!(
        out.error_line()
            .starts_with("error: cannot connect to Postgres at 127.0.0.1:1"),
        "{out:?}"
    );
}
