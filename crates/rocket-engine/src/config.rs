//! Configuration: `app.yaml` (when present) over built-in defaults, then environment
//! overrides (spec 01). With nothing configured the server runs on SQLite in `./data`.

use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct Config {
    pub server: ServerConfig,
    /// Legacy key, read for compatibility and never used (each app has its own secret).
    pub jwt_secret: Secret,
    /// Empty: generated on first start and kept in the management database.
    pub platform_jwt_secret: Secret,
    /// Development only: accept well-known or short secrets.
    pub allow_insecure_defaults: bool,
    pub app_pool_size: usize,
    pub storage: StorageConfig,
    pub database: DatabaseConfig,
    pub limits: LimitsConfig,
    pub ai: AiConfig,
    pub scheduler: SchedulerConfig,
    pub webhooks: WebhooksConfig,
    pub instrumentation: InstrumentationConfig,
}

/// Outgoing webhook deliveries (spec 12 part B; docs/webhooks.md).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct WebhooksConfig {
    /// Longest one delivery may take (12 §9.2: 30 s).
    pub timeout_secs: u64,
    /// Refuse targets that resolve to loopback, link-local, private or other
    /// non-public addresses (checked after DNS resolution, for redirects too).
    pub block_private_networks: bool,
    /// When non-empty, only these host names (or `*.suffix`) are delivered to.
    pub allowed_hosts: Vec<String>,
    /// Host names (or `*.suffix`) never delivered to.
    pub denied_hosts: Vec<String>,
    /// Deliver right after the commit that queued a delivery (else only at the
    /// scheduler's ticks; tests drive the worker themselves with a chosen `now`).
    pub deliver_on_commit: bool,
}

impl Default for WebhooksConfig {
    fn default() -> Self {
        WebhooksConfig {
            timeout_secs: 30,
            block_private_networks: false,
            allowed_hosts: Vec::new(),
            denied_hosts: Vec::new(),
            deliver_on_commit: true,
        }
    }
}

/// Traces and business events (spec 01 §2.5, 15).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct InstrumentationConfig {
    pub enabled: bool,
    pub retention_days: u32,
    pub sampling_rate: f64,
    pub buffer_size: usize,
    pub flush_interval_ms: u64,
    /// When set, spans are also exported over OTLP/HTTP to this collector URL.
    pub otlp_endpoint: String,
}

impl Default for InstrumentationConfig {
    fn default() -> Self {
        InstrumentationConfig {
            enabled: true,
            retention_days: 7,
            sampling_rate: 1.0,
            buffer_size: 500,
            flush_interval_ms: 100,
            otlp_endpoint: String::new(),
        }
    }
}

/// Timed background work: workflow approval timeouts (spec 09 §7), webhook
/// retries (12 §10.2), event retention (15 §8).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct SchedulerConfig {
    /// Seconds between runs (the first runs one interval after start); 0 disables
    /// the scheduler in this process (another process on the database runs it).
    pub interval_secs: u64,
}

impl Default for SchedulerConfig {
    fn default() -> Self {
        SchedulerConfig { interval_secs: 30 }
    }
}

/// A secret from the configuration. `Debug` never shows it, so configs can be logged.
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Shown masked wherever a configuration is printed.
impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(if self.0.is_empty() { "" } else { "***" })
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_empty() { "\"\"" } else { "\"***\"" })
    }
}

/// Secrets that ship in sample configurations and documentation: anyone can sign
/// tokens with them.
const KNOWN_SECRETS: [&str; 6] = [
    "changeme-platform-secret",
    "changeme-secret",
    "changeme",
    "secret",
    "rocket",
    "your-secret-key",
];

/// Shortest accepted HMAC secret: 256 bits.
pub const MIN_SECRET_BYTES: usize = 32;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct ServerConfig {
    pub port: u16,
    pub host: String,
    /// A request head must arrive within this time of the server waiting for it;
    /// this also closes idle keep-alive connections.
    pub header_read_timeout_ms: u64,
    /// A client that stops reading its response for this long is disconnected.
    pub write_timeout_ms: u64,
    /// Longest a request may take, body upload included (import excepted: it may
    /// run long, and its body still must arrive within this time).
    pub request_timeout_ms: u64,
    /// Origins allowed to call the API from a browser (CORS); empty: none.
    pub cors_origins: Vec<String>,
    /// Responses larger than this are gzip-compressed for clients that accept it.
    pub compress_min_bytes: u16,
    /// Serve the admin UI under `/admin/` (spec 17 §1); off: `/admin` is an unknown
    /// route.
    pub admin_ui: bool,
}

/// Bounds on what one request may ask for (docs/security.md).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct LimitsConfig {
    /// Longest a single database statement of a request may run; 0 disables.
    pub statement_timeout_ms: u64,
    /// Longest a request waits for a database connection.
    pub pool_wait_ms: u64,
    /// Pooled Postgres connections idle for this long are closed.
    pub idle_connection_ms: u64,
    /// Longest filter value (characters).
    pub filter_value_length: usize,
    /// Most `filter[...]` keys in one list request.
    pub filters: usize,
    /// Most sort terms in one list request.
    pub sort_terms: usize,
    /// Most include tokens in one request.
    pub includes: usize,
    /// Most related rows loaded per parent row and include.
    pub include_rows: usize,
    /// Deepest nesting of relation writes in one body (spec 05 §1, Rust contract).
    pub nested_depth: usize,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        LimitsConfig {
            statement_timeout_ms: 5_000,
            pool_wait_ms: 5_000,
            idle_connection_ms: 300_000,
            filter_value_length: 1_000,
            filters: 50,
            sort_terms: 10,
            includes: 10,
            include_rows: 1_000,
            nested_depth: 5,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct StorageConfig {
    /// `local` (default) or `s3` (any S3-compatible service).
    pub driver: String,
    /// Root of the local driver; empty means `<data_dir>/uploads`.
    pub local_path: String,
    pub max_file_size: u64,
    /// The S3 driver's bucket (required with `driver: s3`).
    pub bucket: String,
    /// The S3 region (`us-east-1` when empty).
    pub region: String,
    /// The S3 endpoint of a non-AWS service (MinIO, R2, …); empty means AWS.
    pub endpoint: String,
    /// Prefix of every object key in the bucket (empty: none).
    pub prefix: String,
    /// S3 credentials; when empty the standard `AWS_*` environment variables (and
    /// the other sources of the AWS SDKs) are used.
    pub access_key_id: String,
    pub secret_access_key: Secret,
}

#[derive(Debug, Clone, Deserialize, Serialize, Default)]
#[serde(default)]
pub struct AiConfig {
    pub base_url: String,
    pub api_key: Secret,
    pub model: String,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(default)]
pub struct DatabaseConfig {
    pub driver: String,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: Secret,
    pub name: String,
    pub pool_size: usize,
    pub data_dir: Option<String>,
    /// Go spelling of `data_dir`; `data_dir` wins when both are set.
    pub path: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            server: ServerConfig::default(),
            jwt_secret: Secret::default(),
            platform_jwt_secret: Secret::default(),
            allow_insecure_defaults: false,
            app_pool_size: 5,
            storage: StorageConfig::default(),
            database: DatabaseConfig::default(),
            limits: LimitsConfig::default(),
            ai: AiConfig::default(),
            scheduler: SchedulerConfig::default(),
            webhooks: WebhooksConfig::default(),
            instrumentation: InstrumentationConfig::default(),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            port: 8080,
            host: "0.0.0.0".into(),
            header_read_timeout_ms: 30_000,
            write_timeout_ms: 30_000,
            request_timeout_ms: 30_000,
            cors_origins: Vec::new(),
            compress_min_bytes: 1024,
            admin_ui: true,
        }
    }
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            driver: "local".into(),
            local_path: String::new(),
            max_file_size: 10 * 1024 * 1024,
            bucket: String::new(),
            region: String::new(),
            endpoint: String::new(),
            prefix: String::new(),
            access_key_id: String::new(),
            secret_access_key: Secret::default(),
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            // Zero-setup default: embedded SQLite, unless a driver or a Postgres host
            // is given (`DatabaseConfig::driver`).
            driver: String::new(),
            host: String::new(),
            port: 5432,
            user: "rocket".into(),
            password: Secret::new("rocket"),
            name: "rocket".into(),
            pool_size: 10,
            data_dir: None,
            path: None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    Postgres,
    Sqlite,
}

impl Driver {
    /// Unknown values mean Postgres (spec 01 §2.3).
    pub fn parse(s: &str) -> Driver {
        if s.eq_ignore_ascii_case("sqlite") {
            Driver::Sqlite
        } else {
            Driver::Postgres
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Driver::Postgres => "postgres",
            Driver::Sqlite => "sqlite",
        }
    }
}

/// The accepted spellings of `database.driver`.
const DRIVERS: [(&str, Driver); 4] = [
    ("sqlite", Driver::Sqlite),
    ("postgres", Driver::Postgres),
    ("postgresql", Driver::Postgres),
    ("pg", Driver::Postgres),
];

impl DatabaseConfig {
    /// The driver: as configured, else Postgres when a host is given, else SQLite.
    /// (An unknown name is refused by [`Config::check`] before anything uses it.)
    pub fn driver(&self) -> Driver {
        let d = self.driver.trim();
        if d.is_empty() {
            return if self.host.trim().is_empty() {
                Driver::Sqlite
            } else {
                Driver::Postgres
            };
        }
        DRIVERS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(d))
            .map_or(Driver::Postgres, |(_, driver)| *driver)
    }

    /// The Postgres host (`localhost` when none is given).
    pub fn host(&self) -> &str {
        match self.host.trim() {
            "" => "localhost",
            h => h,
        }
    }

    pub fn data_dir(&self) -> PathBuf {
        PathBuf::from(
            self.data_dir
                .clone()
                .or_else(|| self.path.clone())
                .unwrap_or_else(|| "./data".into()),
        )
    }
}

/// A loaded configuration: the values, the file they came from, and a warning for
/// every key of the file that means nothing.
#[derive(Debug)]
pub struct Loaded {
    pub config: Config,
    pub file: Option<PathBuf>,
    pub warnings: Vec<String>,
}

/// Warns about every key of `doc` that `known` (the default configuration as JSON)
/// does not have, naming the nearest known key of the same level.
fn unknown_keys(doc: &Value, known: &Value, at: &str, out: &mut Vec<String>) {
    let (Value::Object(doc), Value::Object(known)) = (doc, known) else {
        return;
    };
    for (k, v) in doc {
        let path = if at.is_empty() {
            k.clone()
        } else {
            format!("{at}.{k}")
        };
        match known.get(k) {
            Some(inner) => unknown_keys(v, inner, &path, out),
            None => {
                let nearest = known
                    .keys()
                    .map(|c| (strsim::damerau_levenshtein(k, c), c))
                    .filter(|(d, c)| *d <= 2.max(c.len() / 3))
                    .min_by_key(|(d, _)| *d);
                out.push(match nearest {
                    Some((_, c)) => {
                        let near = if at.is_empty() {
                            c.clone()
                        } else {
                            format!("{at}.{c}")
                        };
                        format!("unknown configuration key {path} (ignored); did you mean {near}?")
                    }
                    None => format!("unknown configuration key {path} (ignored)"),
                });
            }
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("invalid YAML in {0}: {1}")]
    Yaml(PathBuf, String),
    #[error("invalid value for {0}: {1:?}")]
    Env(&'static str, String),
    #[error("{0}")]
    Insecure(String),
    #[error("{0}")]
    Invalid(String),
}

impl Config {
    /// Loads `explicit` (or the first of `./app.yaml`, `../../app.yaml`), then applies
    /// the environment. Returns the config and the file used, if any.
    pub fn load(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
        let loaded = Config::read(explicit)?;
        loaded.config.check()?;
        Ok(loaded)
    }

    /// [`Config::load`] without its final [`Config::check`]: `rocket check-config`
    /// shows the file, the warnings and the values before saying what is wrong.
    pub fn read(explicit: Option<&Path>) -> Result<Loaded, ConfigError> {
        let candidates: Vec<PathBuf> = match explicit {
            Some(p) => vec![p.to_path_buf()],
            None => vec!["app.yaml".into(), "../../app.yaml".into()],
        };
        let mut cfg = Config::default();
        let mut used = None;
        let mut warnings = Vec::new();
        for p in candidates {
            if explicit.is_none() && !p.exists() {
                continue;
            }
            let text = std::fs::read_to_string(&p).map_err(|e| ConfigError::Read(p.clone(), e))?;
            (cfg, warnings) =
                Config::from_yaml_checked(&text).map_err(|e| ConfigError::Yaml(p.clone(), e))?;
            used = Some(p);
            break;
        }
        cfg.apply_env(|k| std::env::var(k).ok())?;
        Ok(Loaded {
            config: cfg,
            file: used,
            warnings,
        })
    }

    /// Refuses values that cannot mean anything: an unknown database driver.
    pub fn check(&self) -> Result<(), ConfigError> {
        let d = self.database.driver.trim();
        if !d.is_empty() && !DRIVERS.iter().any(|(n, _)| n.eq_ignore_ascii_case(d)) {
            return Err(ConfigError::Invalid(format!(
                "database.driver must be sqlite or postgres, not {d:?}"
            )));
        }
        Ok(())
    }

    pub fn from_yaml(text: &str) -> Result<Config, String> {
        Config::from_yaml_checked(text).map(|(c, _)| c)
    }

    /// The configuration of a YAML text and a warning for every key it does not
    /// know, with the nearest known key ("did you mean …").
    pub fn from_yaml_checked(text: &str) -> Result<(Config, Vec<String>), String> {
        if text.trim().is_empty() {
            return Ok((Config::default(), Vec::new()));
        }
        let doc: Value = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
        if doc.is_null() {
            return Ok((Config::default(), Vec::new()));
        }
        let known = serde_json::to_value(Config::default()).map_err(|e| e.to_string())?;
        let mut warnings = Vec::new();
        unknown_keys(&doc, &known, "", &mut warnings);
        let cfg: Config = serde_json::from_value(doc).map_err(|e| e.to_string())?;
        Ok((cfg, warnings))
    }

    /// Environment overrides: the spec's names plus `ROCKET_<SECTION>_<KEY>`.
    pub fn apply_env(&mut self, get: impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        fn num<T: std::str::FromStr>(k: &'static str, v: String) -> Result<T, ConfigError> {
            v.trim().parse().map_err(|_| ConfigError::Env(k, v))
        }
        let d = &mut self.database;
        macro_rules! set_str {
            ($($k:literal => $t:expr),* $(,)?) => {$(
                if let Some(v) = get($k) { $t = v; }
            )*};
        }
        set_str!(
            "ROCKET_DATABASE_DRIVER" => d.driver,
            "ROCKET_DATABASE_HOST" => d.host,
            "ROCKET_DATABASE_USER" => d.user,
            "ROCKET_DATABASE_NAME" => d.name,
            "ROCKET_STORAGE_LOCAL_PATH" => self.storage.local_path,
            "ROCKET_STORAGE_DRIVER" => self.storage.driver,
            "ROCKET_STORAGE_BUCKET" => self.storage.bucket,
            "ROCKET_STORAGE_REGION" => self.storage.region,
            "ROCKET_STORAGE_ENDPOINT" => self.storage.endpoint,
            "ROCKET_STORAGE_PREFIX" => self.storage.prefix,
            "ROCKET_STORAGE_ACCESS_KEY_ID" => self.storage.access_key_id,
            "ROCKET_SERVER_HOST" => self.server.host,
            "ROCKET_AI_BASE_URL" => self.ai.base_url,
            "ROCKET_AI_MODEL" => self.ai.model,
        );
        if let Some(v) = get("ROCKET_DATABASE_PASSWORD") {
            d.password = Secret(v);
        }
        if let Some(v) = get("ROCKET_STORAGE_SECRET_ACCESS_KEY") {
            self.storage.secret_access_key = Secret(v);
        }
        if let Some(v) = get("ROCKET_AI_API_KEY") {
            self.ai.api_key = Secret(v);
        }
        for k in ["PLATFORM_JWT_SECRET", "ROCKET_PLATFORM_JWT_SECRET"] {
            if let Some(v) = get(k) {
                self.platform_jwt_secret = Secret(v);
            }
        }
        for k in ["JWT_SECRET", "ROCKET_JWT_SECRET"] {
            if let Some(v) = get(k) {
                self.jwt_secret = Secret(v);
            }
        }
        if let Some(v) = get("ROCKET_ALLOW_INSECURE_DEFAULTS") {
            self.allow_insecure_defaults = matches!(v.trim(), "1" | "true" | "yes");
        }
        if let Some(v) = get("ROCKET_DATABASE_DATA_DIR") {
            d.data_dir = Some(v);
        }
        if let Some(v) = get("ROCKET_DATABASE_PORT") {
            d.port = num("ROCKET_DATABASE_PORT", v)?;
        }
        if let Some(v) = get("ROCKET_DATABASE_POOL_SIZE") {
            d.pool_size = num("ROCKET_DATABASE_POOL_SIZE", v)?;
        }
        if let Some(v) = get("ROCKET_SERVER_PORT").or_else(|| get("PORT")) {
            self.server.port = num("ROCKET_SERVER_PORT", v)?;
        }
        if let Some(v) = get("APP_POOL_SIZE").or_else(|| get("ROCKET_APP_POOL_SIZE")) {
            self.app_pool_size = num("APP_POOL_SIZE", v)?;
        }
        if let Some(v) = get("ROCKET_SCHEDULER_INTERVAL_SECS") {
            self.scheduler.interval_secs = num("ROCKET_SCHEDULER_INTERVAL_SECS", v)?;
        }
        if let Some(v) = get("ROCKET_WEBHOOKS_TIMEOUT_SECS") {
            self.webhooks.timeout_secs = num("ROCKET_WEBHOOKS_TIMEOUT_SECS", v)?;
        }
        if let Some(v) = get("ROCKET_SERVER_ADMIN_UI") {
            self.server.admin_ui = matches!(v.trim(), "1" | "true" | "yes");
        }
        if let Some(v) = get("ROCKET_WEBHOOKS_BLOCK_PRIVATE_NETWORKS") {
            self.webhooks.block_private_networks = matches!(v.trim(), "1" | "true" | "yes");
        }
        if let Some(v) = get("ROCKET_WEBHOOKS_DELIVER_ON_COMMIT") {
            self.webhooks.deliver_on_commit = matches!(v.trim(), "1" | "true" | "yes");
        }
        if let Some(v) = get("ROCKET_INSTRUMENTATION_ENABLED") {
            self.instrumentation.enabled = matches!(v.trim(), "1" | "true" | "yes");
        }
        if let Some(v) = get("ROCKET_INSTRUMENTATION_SAMPLING_RATE") {
            self.instrumentation.sampling_rate = num("ROCKET_INSTRUMENTATION_SAMPLING_RATE", v)?;
        }
        if let Some(v) = get("ROCKET_INSTRUMENTATION_OTLP_ENDPOINT") {
            self.instrumentation.otlp_endpoint = v;
        }
        if let Some(v) = get("ROCKET_STORAGE_MAX_FILE_SIZE") {
            self.storage.max_file_size = num("ROCKET_STORAGE_MAX_FILE_SIZE", v)?;
        }
        Ok(())
    }
}

impl Config {
    /// The configuration as the server uses it, for `rocket check-config`: the
    /// driver, Postgres host, data directory and upload directory resolved from
    /// their defaults. Secrets stay masked when it is serialized.
    pub fn effective(&self) -> Config {
        let mut c = self.clone();
        let d = &mut c.database;
        d.driver = d.driver().as_str().to_string();
        d.host = d.host().to_string();
        d.data_dir = Some(d.data_dir().display().to_string());
        d.path = None;
        let driver = c.storage.driver.trim();
        let local = driver.is_empty() || driver.eq_ignore_ascii_case("local");
        if local && c.storage.local_path.trim().is_empty() {
            c.storage.local_path = d.data_dir().join("uploads").display().to_string();
        }
        c
    }

    /// The limits every database store enforces.
    pub fn store_options(&self) -> rocket_store::StoreOptions {
        let l = &self.limits;
        rocket_store::StoreOptions {
            statement_timeout: (l.statement_timeout_ms > 0)
                .then(|| std::time::Duration::from_millis(l.statement_timeout_ms)),
            pool_wait: std::time::Duration::from_millis(l.pool_wait_ms.max(1)),
            idle: std::time::Duration::from_millis(l.idle_connection_ms.max(1000)),
        }
    }

    /// Refuses configurations that would let anyone forge tokens: a configured
    /// platform secret must be long and not one of the published samples, unless
    /// `allow_insecure_defaults` is set (development only). An empty secret is fine:
    /// one is generated and kept in the management database.
    pub fn check_secrets(&self) -> Result<(), ConfigError> {
        let s = self.platform_jwt_secret.expose();
        if s.is_empty() || self.allow_insecure_defaults {
            return Ok(());
        }
        let problem = if KNOWN_SECRETS.iter().any(|k| k.eq_ignore_ascii_case(s)) {
            "is a well-known sample value"
        } else if s.len() < MIN_SECRET_BYTES {
            "is shorter than 32 bytes"
        } else {
            return Ok(());
        };
        Err(ConfigError::Insecure(format!(
            "platform_jwt_secret {problem}: anyone could sign platform tokens with it. \
             Remove it to have a random secret generated and stored, set one of at least \
             {MIN_SECRET_BYTES} random bytes (e.g. `openssl rand -hex 32`), or set \
             allow_insecure_defaults: true for local development"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_sqlite_without_a_file() {
        let c = Config::default();
        assert_eq!(c.database.driver(), Driver::Sqlite);
        assert_eq!(c.server.port, 8080);
        assert_eq!(c.database.data_dir(), PathBuf::from("./data"));
    }

    #[test]
    fn yaml_and_env_layering() {
        let mut c = Config::from_yaml(
            "server:\n  port: 9000\nplatform_jwt_secret: s1\ndatabase:\n  host: db\n  path: /tmp/x\nunknown: 1\n",
        )
        .unwrap();
        assert_eq!(c.server.port, 9000);
        assert_eq!(c.database.driver(), Driver::Postgres);
        assert_eq!(c.database.data_dir(), PathBuf::from("/tmp/x"));
        c.apply_env(|k| match k {
            "PLATFORM_JWT_SECRET" => Some("s2".into()),
            "ROCKET_DATABASE_DRIVER" => Some("sqlite".into()),
            "APP_POOL_SIZE" => Some("7".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.platform_jwt_secret.expose(), "s2");
        assert_eq!(c.database.driver(), Driver::Sqlite);
        assert_eq!(c.app_pool_size, 7);
        assert!(c
            .apply_env(|k| (k == "APP_POOL_SIZE").then(|| "x".into()))
            .is_err());
    }

    #[test]
    fn insecure_secrets_are_refused() {
        let mut c = Config::default();
        c.check_secrets().expect("empty means generated");
        for bad in ["changeme-platform-secret", "CHANGEME", "short-but-unique"] {
            c.platform_jwt_secret = Secret::new(bad);
            let err = c.check_secrets().unwrap_err().to_string();
            assert!(err.contains("platform_jwt_secret"), "{err}");
        }
        c.platform_jwt_secret = Secret::new("a".repeat(MIN_SECRET_BYTES - 1));
        assert!(c.check_secrets().is_err(), "31 bytes is too short");
        c.platform_jwt_secret = Secret::new("a".repeat(MIN_SECRET_BYTES));
        c.check_secrets().expect("32 bytes is enough");
        c.platform_jwt_secret = Secret::new("changeme-platform-secret");
        c.allow_insecure_defaults = true;
        c.check_secrets().expect("allowed in development");
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let mut c = Config {
            platform_jwt_secret: Secret::new("super-secret-value-0123456789abcdef"),
            ..Default::default()
        };
        c.database.password = Secret::new("dbpass");
        let shown = format!("{c:?}");
        assert!(!shown.contains("super-secret-value"), "{shown}");
    }

    #[test]
    fn sqlite_stays_the_default_unless_a_driver_or_host_is_given() {
        let driver = |yaml: &str| Config::from_yaml(yaml).unwrap().database.driver();
        assert_eq!(driver("server:\n  port: 18081\n"), Driver::Sqlite);
        assert_eq!(driver("database:\n  name: other\n"), Driver::Sqlite);
        assert_eq!(driver("database:\n  host: db.internal\n"), Driver::Postgres);
        assert_eq!(
            driver("database:\n  driver: PostgreSQL\n"),
            Driver::Postgres
        );
        assert_eq!(
            driver("database:\n  driver: sqlite\n  host: x\n"),
            Driver::Sqlite
        );
        let mut c = Config::default();
        c.apply_env(|k| (k == "ROCKET_DATABASE_HOST").then(|| "10.0.0.5".into()))
            .unwrap();
        assert_eq!(
            (c.database.driver(), c.database.host()),
            (Driver::Postgres, "10.0.0.5")
        );
        assert_eq!(Config::default().database.host(), "localhost");
    }

    #[test]
    fn unknown_drivers_stop_startup() {
        let c = Config::from_yaml("database:\n  driver: mysql\n").unwrap();
        assert_eq!(
            c.check().unwrap_err().to_string(),
            "database.driver must be sqlite or postgres, not \"mysql\""
        );
        Config::from_yaml("database:\n  driver: pg\n")
            .unwrap()
            .check()
            .unwrap();
        Config::default().check().unwrap();
    }

    #[test]
    fn unknown_keys_are_named_with_the_nearest_known_key() {
        let (c, w) = Config::from_yaml_checked(
            "server:\n  prot: 9000\n  port: 9001\ndatabse:\n  x: 1\nstorage:\n  max_file_sise: 5\nzzzzzz: 1\n",
        )
        .unwrap();
        assert_eq!(c.server.port, 9001);
        assert_eq!(
            w,
            [
                "unknown configuration key server.prot (ignored); did you mean server.port?",
                "unknown configuration key databse (ignored); did you mean database?",
                "unknown configuration key storage.max_file_sise (ignored); did you mean storage.max_file_size?",
                "unknown configuration key zzzzzz (ignored)",
            ]
        );
        let (_, none) = Config::from_yaml_checked(
            "server:\n  port: 1\ndatabase:\n  path: /x\n  password: p\nwebhooks:\n  allowed_hosts: [a]\n",
        )
        .unwrap();
        assert!(none.is_empty(), "{none:?}");
    }

    #[test]
    fn printed_configurations_mask_secrets() {
        let mut c = Config::default();
        c.database.password = Secret::new("dbpass");
        c.ai.api_key = Secret::new("sk-1");
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["database"]["password"], "***");
        assert_eq!(v["ai"]["api_key"], "***");
        assert_eq!(v["platform_jwt_secret"], "");
    }

    #[test]
    fn admin_ui_is_on_unless_switched_off() {
        assert!(Config::default().server.admin_ui);
        let mut c = Config::from_yaml("server:\n  admin_ui: false\n").unwrap();
        assert!(!c.server.admin_ui);
        c.apply_env(|k| (k == "ROCKET_SERVER_ADMIN_UI").then(|| "true".into()))
            .unwrap();
        assert!(c.server.admin_ui);
    }

    #[test]
    fn bad_yaml_is_an_error() {
        assert!(Config::from_yaml("server: [1, 2").is_err());
        assert!(Config::from_yaml("server:\n  port: notanumber\n").is_err());
    }
}
