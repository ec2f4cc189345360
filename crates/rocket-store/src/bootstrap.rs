//! System tables (spec 02 §3, §4). Every statement is idempotent and runs at every
//! boot and app open, so databases made by older versions gain what they lack.

use rocket_sql::Dialect;

/// Management database: `_apps`, `_platform_users`, `_platform_refresh_tokens`.
pub fn platform_bootstrap_sql(d: Dialect) -> Vec<String> {
    let t = Types::of(d);
    let Types {
        id, uuid, ts, now, ..
    } = t;
    vec![
        format!(
            "CREATE TABLE IF NOT EXISTS _apps (name TEXT PRIMARY KEY, display_name TEXT NOT NULL, \
             db_name TEXT NOT NULL UNIQUE, db_driver TEXT NOT NULL DEFAULT '{driver}', jwt_secret TEXT NOT NULL, \
             status TEXT NOT NULL DEFAULT 'active', created_at {ts} DEFAULT {now}, updated_at {ts} DEFAULT {now})",
            driver = t.driver
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS _platform_users (id {id}, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, \
             roles {roles} DEFAULT {proles}, active {boolean} DEFAULT {true_}, \
             created_at {ts} DEFAULT {now}, updated_at {ts} DEFAULT {now})",
            roles = t.text_array,
            proles = t.platform_roles,
            boolean = t.boolean,
            true_ = t.true_
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS _platform_refresh_tokens (id {id}, \
             user_id {uuid} NOT NULL REFERENCES _platform_users(id) ON DELETE CASCADE, \
             token {uuid} NOT NULL UNIQUE{tokdef}, expires_at {ts} NOT NULL, created_at {ts} DEFAULT {now})",
            tokdef = t.uuid_default
        ),
        "CREATE INDEX IF NOT EXISTS idx_platform_refresh_tokens_token ON _platform_refresh_tokens (token)".into(),
        "CREATE INDEX IF NOT EXISTS idx_platform_refresh_tokens_expires ON _platform_refresh_tokens (expires_at)".into(),
        // Rust addition: server-wide settings such as the generated platform secret.
        "CREATE TABLE IF NOT EXISTS _platform_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)".into(),
    ]
}

struct Types {
    id: &'static str,
    uuid: &'static str,
    uuid_default: &'static str,
    ts: &'static str,
    now: &'static str,
    json: &'static str,
    text_array: &'static str,
    empty_array: &'static str,
    platform_roles: &'static str,
    boolean: &'static str,
    true_: &'static str,
    driver: &'static str,
}

impl Types {
    fn of(d: Dialect) -> Types {
        match d {
            Dialect::Postgres => Types {
                id: "UUID PRIMARY KEY DEFAULT gen_random_uuid()",
                uuid: "UUID",
                uuid_default: " DEFAULT gen_random_uuid()",
                ts: "TIMESTAMPTZ",
                now: "NOW()",
                json: "JSONB",
                text_array: "TEXT[]",
                empty_array: "'{}'",
                platform_roles: "'{platform_admin}'",
                boolean: "BOOLEAN",
                true_: "true",
                driver: "postgres",
            },
            Dialect::Sqlite => Types {
                id: "TEXT PRIMARY KEY",
                uuid: "TEXT",
                uuid_default: "",
                ts: "TEXT",
                now: "(datetime('now'))",
                json: "TEXT",
                text_array: "TEXT",
                empty_array: "'[]'",
                platform_roles: "'[\"platform_admin\"]'",
                boolean: "INTEGER",
                true_: "1",
                driver: "sqlite",
            },
        }
    }
}

/// Per-app system tables, in the order of spec 02 §4.
pub fn app_bootstrap_sql(d: Dialect) -> Vec<String> {
    let t = Types::of(d);
    let Types {
        id,
        uuid,
        ts,
        now,
        json,
        text_array: arr,
        empty_array: earr,
        boolean,
        true_,
        ..
    } = t;
    let tok_default = t.uuid_default;
    let stamps = format!("created_at {ts} DEFAULT {now}, updated_at {ts} DEFAULT {now}");
    vec![
        format!(
            "CREATE TABLE IF NOT EXISTS _entities (name TEXT PRIMARY KEY, table_name TEXT NOT NULL UNIQUE, \
             definition {json} NOT NULL, {stamps})"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS _relations (name TEXT PRIMARY KEY, \
             source TEXT NOT NULL REFERENCES _entities(name) ON DELETE CASCADE, \
             target TEXT NOT NULL REFERENCES _entities(name) ON DELETE CASCADE, definition {json} NOT NULL, {stamps})"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS _rules (id {id}, entity TEXT NOT NULL REFERENCES _entities(name) ON DELETE CASCADE, \
             hook TEXT NOT NULL DEFAULT 'before_write', type TEXT NOT NULL, definition {json} NOT NULL, \
             priority INTEGER NOT NULL DEFAULT 0, active {boolean} NOT NULL DEFAULT {true_}, {stamps})"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS _state_machines (id {id}, entity TEXT NOT NULL REFERENCES _entities(name) ON DELETE CASCADE, \
             field TEXT NOT NULL, definition {json} NOT NULL, active {boolean} NOT NULL DEFAULT {true_}, {stamps})"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS _workflows (id {id}, name TEXT NOT NULL UNIQUE, trigger {json} NOT NULL, \
             context {json} NOT NULL DEFAULT '{{}}', steps {json} NOT NULL DEFAULT '[]', \
             active {boolean} NOT NULL DEFAULT {true_}, {stamps})"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS _workflow_instances (id {id}, \
             workflow_id {uuid} NOT NULL REFERENCES _workflows(id) ON DELETE CASCADE, workflow_name TEXT NOT NULL, \
             status TEXT NOT NULL DEFAULT 'running', current_step TEXT, current_step_deadline {ts}, \
             context {json} NOT NULL DEFAULT '{{}}', history {json} NOT NULL DEFAULT '[]', {stamps})"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS _users (id {id}, email TEXT NOT NULL UNIQUE, password_hash TEXT NOT NULL, \
             roles {arr} DEFAULT {earr}, active {boolean} DEFAULT {true_}, {stamps})"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS _refresh_tokens (id {id}, \
             user_id {uuid} NOT NULL REFERENCES _users(id) ON DELETE CASCADE, \
             token {uuid} NOT NULL UNIQUE{tok_default}, expires_at {ts} NOT NULL, created_at {ts} DEFAULT {now})"
        ),
        "CREATE INDEX IF NOT EXISTS idx_refresh_tokens_token ON _refresh_tokens (token)".into(),
        "CREATE INDEX IF NOT EXISTS idx_refresh_tokens_expires ON _refresh_tokens (expires_at)".into(),
        format!(
            "CREATE TABLE IF NOT EXISTS _permissions (id {id}, entity TEXT NOT NULL, action TEXT NOT NULL, \
             roles {arr} NOT NULL DEFAULT {earr}, conditions {json} DEFAULT '[]', {stamps})"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS _webhooks (id {id}, entity TEXT NOT NULL, hook TEXT NOT NULL DEFAULT 'after_write', \
             url TEXT NOT NULL, method TEXT NOT NULL DEFAULT 'POST', headers {json} DEFAULT '{{}}', \
             condition TEXT DEFAULT '', async {boolean} NOT NULL DEFAULT {true_}, \
             retry {json} DEFAULT '{{\"max_attempts\": 3, \"backoff\": \"exponential\"}}', \
             active {boolean} NOT NULL DEFAULT {true_}, {stamps})"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS _webhook_logs (id {id}, \
             webhook_id {uuid} NOT NULL REFERENCES _webhooks(id) ON DELETE CASCADE, entity TEXT NOT NULL, \
             hook TEXT NOT NULL, url TEXT NOT NULL, method TEXT NOT NULL, request_headers {json} DEFAULT '{{}}', \
             request_body {json} DEFAULT '{{}}', response_status INTEGER, response_body TEXT DEFAULT '', \
             status TEXT NOT NULL DEFAULT 'pending', attempt INTEGER NOT NULL DEFAULT 0, \
             max_attempts INTEGER NOT NULL DEFAULT 3, next_retry_at {ts}, error TEXT DEFAULT '', \
             idempotency_key TEXT NOT NULL, {stamps})"
        ),
        "CREATE INDEX IF NOT EXISTS idx_webhook_logs_status ON _webhook_logs (status)".into(),
        "CREATE INDEX IF NOT EXISTS idx_webhook_logs_retry ON _webhook_logs (next_retry_at) WHERE status = 'retrying'".into(),
        // Rust additions (issue 10): the log row is the outbox row, so pending rows are
        // claimed by due time too; signing secrets live beside the definitions.
        "CREATE INDEX IF NOT EXISTS idx_webhook_logs_due ON _webhook_logs (next_retry_at) \
         WHERE status IN ('pending', 'retrying')".into(),
        format!(
            "CREATE TABLE IF NOT EXISTS _outbox (id {id}, source TEXT NOT NULL, url TEXT NOT NULL, \
             method TEXT NOT NULL, body {json} DEFAULT '{{}}', status TEXT NOT NULL DEFAULT 'pending', \
             attempt INTEGER NOT NULL DEFAULT 0, next_attempt_at {ts}, response_status INTEGER, \
             error TEXT DEFAULT '', {stamps})"
        ),
        "CREATE INDEX IF NOT EXISTS idx_outbox_due ON _outbox (next_attempt_at) WHERE status = 'pending'".into(),
        format!(
            "CREATE TABLE IF NOT EXISTS _webhook_secrets (webhook_id {uuid} PRIMARY KEY \
             REFERENCES _webhooks(id) ON DELETE CASCADE, secret TEXT NOT NULL)"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS _files (id {pk}, filename TEXT NOT NULL, storage_path TEXT NOT NULL, \
             mime_type TEXT NOT NULL DEFAULT 'application/octet-stream', size {big} NOT NULL DEFAULT 0, \
             uploaded_by {uuid}, created_at {ts} DEFAULT {now})",
            pk = match d {
                Dialect::Postgres => "UUID PRIMARY KEY",
                Dialect::Sqlite => "TEXT PRIMARY KEY",
            },
            big = match d {
                Dialect::Postgres => "BIGINT",
                Dialect::Sqlite => "INTEGER",
            }
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS _ui_configs (id {id}, entity TEXT NOT NULL, scope TEXT NOT NULL DEFAULT 'default', \
             config {json} NOT NULL DEFAULT '{{}}', {stamps}, UNIQUE(entity, scope))"
        ),
        format!(
            "CREATE TABLE IF NOT EXISTS _events (id {id}, trace_id {uuid} NOT NULL, span_id {uuid} NOT NULL, \
             parent_span_id {uuid}, event_type TEXT NOT NULL, source TEXT NOT NULL, component TEXT NOT NULL, \
             action TEXT NOT NULL, entity TEXT, record_id TEXT, user_id {uuid}, duration_ms {dbl}, status TEXT, \
             metadata {json}, created_at {ts} NOT NULL DEFAULT {now})",
            dbl = match d {
                Dialect::Postgres => "DOUBLE PRECISION",
                Dialect::Sqlite => "REAL",
            }
        ),
        "CREATE INDEX IF NOT EXISTS idx_events_trace ON _events (trace_id)".into(),
        "CREATE INDEX IF NOT EXISTS idx_events_entity_created ON _events (entity, created_at DESC)".into(),
        "CREATE INDEX IF NOT EXISTS idx_events_created ON _events (created_at DESC)".into(),
        "CREATE INDEX IF NOT EXISTS idx_events_type_source ON _events (event_type, source)".into(),
        format!(
            "CREATE TABLE IF NOT EXISTS _invites (id {id}, email TEXT NOT NULL, roles {arr} DEFAULT {earr}, \
             token TEXT NOT NULL UNIQUE, expires_at {ts} NOT NULL, accepted_at {ts}, invited_by {uuid}, \
             created_at {ts} DEFAULT {now})"
        ),
        "CREATE INDEX IF NOT EXISTS idx_invites_token ON _invites (token)".into(),
        "CREATE INDEX IF NOT EXISTS idx_invites_email ON _invites (email)".into(),
    ]
}
