//! The endpoints that are not an entity's: auth (spec 11), files (13), events (15),
//! workflows (09), UI configs (16) and, for admins, the admin API of every chapter;
//! and the platform's (12 part A). Their bodies are described loosely where the
//! chapters define them by example; entity records are exact (see `fields`).

use serde_json::{json, Map, Value};

use super::common::{data, errors, message, ok};
use super::fields::{any_object, reference};

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// No token (login and friends).
    Anyone,
    /// Any authenticated user of the app.
    User,
    /// An admin of the app (spec 11 §5.4).
    Admin,
}

/// One operation of the table below.
pub struct Op {
    pub method: &'static str,
    pub path: String,
    pub summary: &'static str,
    pub tag: &'static str,
    pub who: Who,
    pub body: Option<Value>,
    pub ok: (&'static str, Value),
    pub errors: &'static [&'static str],
}

fn list_of_objects() -> Value {
    data(json!({"type": "array", "items": any_object()}))
}

fn object_data() -> Value {
    data(any_object())
}

fn credentials() -> Value {
    json!({"type": "object", "required": ["email", "password"], "properties": {
        "email": {"type": "string"}, "password": {"type": "string"}}})
}

fn refresh_body() -> Value {
    json!({"type": "object", "required": ["refresh_token"],
        "properties": {"refresh_token": {"type": "string"}}})
}

fn password_change() -> Value {
    json!({"type": "object", "required": ["old_password", "new_password"], "properties": {
        "old_password": {"type": "string"}, "new_password": {"type": "string", "minLength": 8}}})
}

const AUTH_ERR: &[&str] = &["400", "401", "404", "422"];
const ADMIN_ERR: &[&str] = &["400", "401", "403", "404", "409", "422"];

/// Login, refresh and logout: the same three operations on an app and on the
/// platform (spec 11 §3–4).
fn session_ops(login: &'static str) -> Vec<Op> {
    let pair = || data(reference("TokenPair"));
    vec![
        op("post", "/auth/login", login, "auth", Who::Anyone)
            .body(credentials())
            .ok("200", pair())
            .errors(AUTH_ERR),
        op(
            "post",
            "/auth/refresh",
            "Exchange a refresh token",
            "auth",
            Who::Anyone,
        )
        .body(refresh_body())
        .ok("200", pair())
        .errors(AUTH_ERR),
        op(
            "post",
            "/auth/logout",
            "Revoke a refresh token",
            "auth",
            Who::Anyone,
        )
        .body(refresh_body())
        .ok("200", message())
        .errors(AUTH_ERR),
    ]
}

/// `/auth/*` of an app.
fn auth_ops() -> Vec<Op> {
    let mut v = session_ops("Log in");
    v.push(
        op(
            "post",
            "/auth/accept-invite",
            "Accept an invite",
            "auth",
            Who::Anyone,
        )
        .body(
            json!({"type": "object", "required": ["token", "password"], "properties": {
                "token": {"type": "string"}, "password": {"type": "string"}}}),
        )
        .ok("201", object_data())
        .errors(&["400", "404", "409", "422"]),
    );
    v
}

/// Files, events, workflows, UI configs and the visible metadata: what any user of
/// the app may call.
fn user_ops() -> Vec<Op> {
    vec![
        op(
            "post",
            "/_files/upload",
            "Upload a file (multipart field `file`)",
            "files",
            Who::User,
        )
        .body(json!({"multipart": true}))
        .ok("201", data(reference("File")))
        .errors(&["400", "401", "413"]),
        op(
            "get",
            "/_files/{id}",
            "Download a file (ranges, thumbnails with ?thumb=WxH)",
            "files",
            Who::User,
        )
        .ok("200", json!({"binary": true}))
        .errors(&["400", "401", "404", "416"]),
        op(
            "post",
            "/_events",
            "Emit a business event",
            "events",
            Who::User,
        )
        .body(any_object())
        .ok("200", object_data())
        .errors(&["400", "401", "422"]),
        op(
            "get",
            "/_workflows/pending",
            "Workflow instances awaiting approval",
            "workflows",
            Who::User,
        )
        .ok("200", list_of_objects())
        .errors(&["401"]),
        op(
            "get",
            "/_workflows/{id}",
            "A workflow instance",
            "workflows",
            Who::User,
        )
        .ok("200", object_data())
        .errors(&["401", "404"]),
        op(
            "post",
            "/_workflows/{id}/approve",
            "Approve the current step",
            "workflows",
            Who::User,
        )
        .ok("200", object_data())
        .errors(&["401", "403", "404", "422"]),
        op(
            "post",
            "/_workflows/{id}/reject",
            "Reject the current step",
            "workflows",
            Who::User,
        )
        .ok("200", object_data())
        .errors(&["401", "403", "404", "422"]),
        op(
            "get",
            "/_ui/configs",
            "Every entity's default UI config",
            "ui",
            Who::User,
        )
        .ok("200", list_of_objects())
        .errors(&["401"]),
        op(
            "get",
            "/_ui/config/{entity}",
            "An entity's default UI config",
            "ui",
            Who::User,
        )
        .ok(
            "200",
            data(json!({"anyOf": [any_object(), {"type": "null"}]})),
        )
        .errors(&["401", "404"]),
        op(
            "get",
            "/_schema",
            "The entities and relations the caller may use, with the actions granted",
            "metadata",
            Who::User,
        )
        .ok("200", super::definitions::visible())
        .errors(&["401", "404"]),
    ]
}

/// The admin collections of an app: five routes each (`rocket_engine::admin`).
const COLLECTIONS: [(&str, &str); 9] = [
    ("entities", "metadata"),
    ("relations", "metadata"),
    ("permissions", "metadata"),
    ("rules", "logic"),
    ("state-machines", "logic"),
    ("workflows", "logic"),
    ("users", "users"),
    ("webhooks", "webhooks"),
    ("ui-configs", "ui"),
];

fn admin_ops() -> Vec<Op> {
    let mut v = Vec::new();
    for (name, tag) in COLLECTIONS {
        let base = format!("/_admin/{name}");
        let item = format!("/_admin/{name}/{{key}}");
        v.push(admin(
            op("get", &base, "List", tag, Who::Admin),
            list_of_objects(),
        ));
        v.push(
            admin(
                op("post", &base, "Create", tag, Who::Admin).body(any_object()),
                object_data(),
            )
            .status("201"),
        );
        v.push(admin(
            op("get", &item, "Get by name or id", tag, Who::Admin),
            object_data(),
        ));
        v.push(admin(
            op("put", &item, "Replace", tag, Who::Admin).body(any_object()),
            object_data(),
        ));
        v.push(admin(
            op("delete", &item, "Delete", tag, Who::Admin),
            any_object(),
        ));
    }
    v.extend([
        admin(op("get", "/_admin/invites", "List invites", "users", Who::Admin), list_of_objects()),
        admin(op("post", "/_admin/invites", "Invite a user", "users", Who::Admin).body(any_object()), object_data()).status("201"),
        admin(op("post", "/_admin/invites/bulk", "Invite several users", "users", Who::Admin).body(any_object()), object_data()),
        admin(op("delete", "/_admin/invites/{id}", "Revoke an invite", "users", Who::Admin), object_data()),
        admin(op("get", "/_admin/webhook-logs", "Webhook delivery logs", "webhooks", Who::Admin), list_of_objects()),
        admin(op("get", "/_admin/webhook-logs/{id}", "A delivery log", "webhooks", Who::Admin), object_data()),
        admin(op("post", "/_admin/webhook-logs/{id}/retry", "Retry a delivery", "webhooks", Who::Admin), object_data()),
        admin(op("get", "/_admin/export", "Export the schema", "porting", Who::Admin), object_data()),
        admin(op("post", "/_admin/import", "Import a schema", "porting", Who::Admin).body(any_object()), object_data()),
        admin(op("get", "/_admin/ai/status", "AI assistant status", "ai", Who::Admin), object_data()),
        admin(op("post", "/_admin/ai/generate", "Generate a schema with the AI assistant", "ai", Who::Admin)
            .body(json!({"type": "object", "required": ["prompt"], "properties": {"prompt": {"type": "string"}}})),
            object_data()).errors(&["400", "401", "403", "404", "422", "501", "502"]),
        admin(op("get", "/_files", "List uploads", "files", Who::Admin), list_of_objects()),
        admin(op("delete", "/_files/{id}", "Delete an upload", "files", Who::Admin), object_data()),
        admin(op("get", "/_events", "Query events", "events", Who::Admin), any_object()),
        admin(op("get", "/_events/stats", "Event statistics", "events", Who::Admin), object_data()),
        admin(op("get", "/_events/trace/{trace_id}", "A trace's spans", "events", Who::Admin), object_data()),
        admin(op("delete", "/_workflows/{id}", "Delete a workflow instance", "workflows", Who::Admin), object_data()),
        admin(op("post", "/_admin/expr/eval", "Evaluate an expression against sample variables", "logic", Who::Admin)
            .body(expr_eval_body()), expr_eval_result()),
    ]);
    v
}

/// The body of `/_admin/expr/eval`: the expression and any variable of spec 10 §5.
fn expr_eval_body() -> Value {
    let object = || json!({"type": ["object", "null"], "additionalProperties": true});
    let text = || json!({"type": ["string", "null"]});
    json!({"type": "object", "required": ["expression"], "additionalProperties": false,
        "properties": {
            "expression": {"type": "string", "maxLength": rocket_expr::limits::MAX_SOURCE_LEN},
            "record": object(), "old": object(), "user": object(), "related": object(),
            "changes": object(), "context": object(), "entity": text(), "event": text(),
            "action": {"enum": ["create", "update", "delete", null]}}})
}

/// Its answer (`rocket_engine::logic::evaluate::Evaluated`).
fn expr_eval_result() -> Value {
    let evaluated = json!({"type": "object", "required": ["result", "type", "truthy"],
        "properties": {
            "result": {"description": "The result as JSON (a date as an RFC 3339 string)"},
            "type": {"type": "string",
                "enum": ["null", "bool", "number", "string", "array", "object", "date"]},
            "truthy": {"type": "boolean",
                "description": "What a rule, guard or condition makes of the result"}}});
    data(evaluated)
}

fn admin(o: Op, ok: Value) -> Op {
    o.ok("200", ok).errors(ADMIN_ERR)
}

/// The app's system operations for a caller who is (or is not) an admin.
pub fn app_ops(is_admin: bool) -> Vec<Op> {
    let mut v = auth_ops();
    v.extend(user_ops());
    if is_admin {
        v.extend(admin_ops());
    }
    v
}

/// The platform's operations (spec 12 part A).
pub fn platform_ops() -> Vec<Op> {
    let pair = || data(reference("TokenPair"));
    let app = json!({"type": "object", "properties": {
        "name": {"type": "string"}, "display_name": {"type": "string"},
        "db_name": {"type": "string"}, "db_driver": {"type": "string", "enum": ["postgres", "sqlite"]},
        "status": {"type": "string"}}});
    let mut v = session_ops("Log in as a platform user");
    v.extend([
        op(
            "put",
            "/auth/password",
            "Change the caller's password",
            "auth",
            Who::User,
        )
        .body(password_change())
        .ok("200", pair())
        .errors(&["400", "401", "422"]),
        op("get", "/apps", "List apps", "apps", Who::User)
            .ok("200", data(json!({"type": "array", "items": app.clone()})))
            .errors(&["401"]),
        op("post", "/apps", "Create an app", "apps", Who::User)
            .body(
                json!({"type": "object", "required": ["name"], "properties": {
                "name": {"type": "string", "pattern": "^[a-z][a-z0-9_-]*$"},
                "display_name": {"type": "string"},
                "db_driver": {"type": "string", "enum": ["postgres", "sqlite"]}}}),
            )
            .ok("201", data(app.clone()))
            .errors(&["400", "401", "409", "422"]),
        op("get", "/apps/{name}", "Get an app", "apps", Who::User)
            .ok("200", data(app))
            .errors(&["401", "404"]),
        op(
            "delete",
            "/apps/{name}",
            "Delete an app and its database",
            "apps",
            Who::User,
        )
        .ok("200", message())
        .errors(&["401", "404"]),
        op("get", "/ai/status", "AI assistant status", "ai", Who::User)
            .ok("200", object_data())
            .errors(&["401"]),
    ]);
    v
}

fn op(method: &'static str, path: &str, summary: &'static str, tag: &'static str, who: Who) -> Op {
    Op {
        method,
        path: path.to_string(),
        summary,
        tag,
        who,
        body: None,
        ok: ("200", json!({})),
        errors: &[],
    }
}

impl Op {
    fn body(mut self, b: Value) -> Op {
        self.body = Some(b);
        self
    }
    fn ok(mut self, status: &'static str, schema: Value) -> Op {
        self.ok = (status, schema);
        self
    }
    fn status(mut self, status: &'static str) -> Op {
        self.ok.0 = status;
        self
    }
    fn errors(mut self, e: &'static [&'static str]) -> Op {
        self.errors = e;
        self
    }

    /// The OpenAPI operation object.
    pub fn operation(&self) -> Value {
        let mut o = Map::new();
        o.insert("tags".into(), json!([self.tag]));
        o.insert("summary".into(), json!(self.summary));
        o.insert(
            "operationId".into(),
            json!(operation_id(self.method, &self.path)),
        );
        if self.who == Who::Anyone {
            o.insert("security".into(), json!([]));
        }
        let params: Vec<Value> = path_params(&self.path)
            .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string"}}))
            .collect();
        if !params.is_empty() {
            o.insert("parameters".into(), json!(params));
        }
        if let Some(b) = &self.body {
            o.insert("requestBody".into(), request_body(b));
        }
        let mut resp = Map::new();
        resp.insert(self.ok.0.to_string(), success(&self.ok.1));
        let mut codes: Vec<&str> = self.errors.to_vec();
        if self.who != Who::Anyone && !codes.contains(&"401") {
            codes.push("401");
        }
        for (k, v) in errors(&codes) {
            resp.insert(k, v);
        }
        o.insert("responses".into(), Value::Object(resp));
        Value::Object(o)
    }
}

fn request_body(b: &Value) -> Value {
    if b.get("multipart").is_some() {
        return json!({"required": true, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file"],
            "properties": {"file": {"type": "string", "format": "binary"}}}}}});
    }
    json!({"required": true, "content": {"application/json": {"schema": b}}})
}

fn success(schema: &Value) -> Value {
    if schema.get("binary").is_some() {
        return json!({"description": "The file's bytes",
            "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}});
    }
    ok("200", schema.clone()).1
}

fn path_params(path: &str) -> impl Iterator<Item = &str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
}

/// `post /_admin/webhook-logs/{id}/retry` → `post__admin_webhook_logs_id_retry`: the
/// double underscore keeps system ids apart from entity ones (`get_<entity>`; entity
/// names cannot start with `_`).
fn operation_id(method: &str, path: &str) -> String {
    let parts: Vec<String> = path
        .split('/')
        .filter(|p| !p.is_empty())
        .map(|part| {
            let clean: String = part
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            clean.trim_matches('_').to_string()
        })
        .collect();
    format!("{method}__{}", parts.join("_"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn operation_ids_are_unique() {
        for ops in [app_ops(true), platform_ops()] {
            let mut seen = std::collections::HashSet::new();
            for o in &ops {
                let id = operation_id(o.method, &o.path);
                assert!(id.contains("__"), "{id}");
                assert!(seen.insert(id.clone()), "{id}");
            }
        }
        assert_eq!(
            operation_id("post", "/_admin/webhook-logs/{id}/retry"),
            "post__admin_webhook_logs_id_retry"
        );
    }

    #[test]
    fn admin_operations_only_for_admins() {
        assert!(app_ops(false).iter().all(|o| o.who != Who::Admin));
        assert!(app_ops(true).iter().any(|o| o.path == "/_admin/entities"));
        let login = op("post", "/auth/login", "", "auth", Who::Anyone).operation();
        assert_eq!(login["security"], json!([]));
        let me = op("get", "/_files/{id}", "", "files", Who::User).operation();
        assert!(me.get("security").is_none());
        assert_eq!(me["parameters"][0]["name"], "id");
        assert!(me["responses"].get("401").is_some());
    }
}
