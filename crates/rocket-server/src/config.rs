//! Configuration: `app.yaml` (when present) over built-in defaults, then environment
//! overrides (spec 01). With nothing configured the server runs on SQLite in `./data`.

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct Config {
    pub server: ServerConfig,
    pub jwt_secret: String,
    pub platform_jwt_secret: String,
    pub app_pool_size: usize,
    pub storage: StorageConfig,
    pub database: DatabaseConfig,
    pub ai: AiConfig,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct ServerConfig {
    pub port: u16,
    pub host: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct StorageConfig {
    pub driver: String,
    pub local_path: String,
    pub max_file_size: u64,
}

#[derive(Debug, Clone, Deserialize, Default)]
#[serde(default)]
pub struct AiConfig {
    pub base_url: String,
    pub api_key: String,
    pub model: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(default)]
pub struct DatabaseConfig {
    pub driver: String,
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
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
            jwt_secret: "changeme-secret".into(),
            platform_jwt_secret: "changeme-platform-secret".into(),
            app_pool_size: 5,
            storage: StorageConfig::default(),
            database: DatabaseConfig::default(),
            ai: AiConfig::default(),
        }
    }
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            port: 8080,
            host: "0.0.0.0".into(),
        }
    }
}

impl Default for StorageConfig {
    fn default() -> Self {
        StorageConfig {
            driver: "local".into(),
            local_path: "./uploads".into(),
            max_file_size: 10 * 1024 * 1024,
        }
    }
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            // Zero-setup default: embedded SQLite. Postgres is one setting away.
            driver: "sqlite".into(),
            host: "localhost".into(),
            port: 5432,
            user: "rocket".into(),
            password: "rocket".into(),
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

impl DatabaseConfig {
    pub fn driver(&self) -> Driver {
        Driver::parse(&self.driver)
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

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {0}: {1}")]
    Read(PathBuf, std::io::Error),
    #[error("invalid YAML in {0}: {1}")]
    Yaml(PathBuf, String),
    #[error("invalid value for {0}: {1:?}")]
    Env(&'static str, String),
}

impl Config {
    /// Loads `explicit` (or the first of `./app.yaml`, `../../app.yaml`), then applies
    /// the environment. Returns the config and the file used, if any.
    pub fn load(explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>), ConfigError> {
        let candidates: Vec<PathBuf> = match explicit {
            Some(p) => vec![p.to_path_buf()],
            None => vec!["app.yaml".into(), "../../app.yaml".into()],
        };
        let mut cfg = Config::default();
        let mut used = None;
        for p in candidates {
            if explicit.is_none() && !p.exists() {
                continue;
            }
            let text = std::fs::read_to_string(&p).map_err(|e| ConfigError::Read(p.clone(), e))?;
            cfg = Config::from_yaml(&text).map_err(|e| ConfigError::Yaml(p.clone(), e))?;
            used = Some(p);
            break;
        }
        cfg.apply_env(|k| std::env::var(k).ok())?;
        Ok((cfg, used))
    }

    pub fn from_yaml(text: &str) -> Result<Config, String> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let mut cfg: Config = serde_saphyr::from_str(text).map_err(|e| e.to_string())?;
        // A file that names no driver keeps the documented Postgres default.
        if !has_database_driver(text) {
            cfg.database.driver = "postgres".into();
        }
        Ok(cfg)
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
            "ROCKET_DATABASE_PASSWORD" => d.password,
            "ROCKET_DATABASE_NAME" => d.name,
            "JWT_SECRET" => self.jwt_secret,
            "ROCKET_JWT_SECRET" => self.jwt_secret,
            "PLATFORM_JWT_SECRET" => self.platform_jwt_secret,
            "ROCKET_PLATFORM_JWT_SECRET" => self.platform_jwt_secret,
            "ROCKET_STORAGE_LOCAL_PATH" => self.storage.local_path,
            "ROCKET_SERVER_HOST" => self.server.host,
            "ROCKET_AI_BASE_URL" => self.ai.base_url,
            "ROCKET_AI_API_KEY" => self.ai.api_key,
            "ROCKET_AI_MODEL" => self.ai.model,
        );
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
        if let Some(v) = get("ROCKET_STORAGE_MAX_FILE_SIZE") {
            self.storage.max_file_size = num("ROCKET_STORAGE_MAX_FILE_SIZE", v)?;
        }
        Ok(())
    }
}

/// True when a `driver:` key appears inside the `database:` block.
fn has_database_driver(text: &str) -> bool {
    let mut in_db = false;
    for line in text.lines() {
        let trimmed = line.trim_end();
        if !trimmed.starts_with(' ') && !trimmed.starts_with('\t') && !trimmed.is_empty() {
            in_db = trimmed.starts_with("database:");
            continue;
        }
        if in_db && trimmed.trim_start().starts_with("driver:") {
            return true;
        }
    }
    false
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
        assert_eq!(c.platform_jwt_secret, "s2");
        assert_eq!(c.database.driver(), Driver::Sqlite);
        assert_eq!(c.app_pool_size, 7);
        assert!(c
            .apply_env(|k| (k == "APP_POOL_SIZE").then(|| "x".into()))
            .is_err());
    }

    #[test]
    fn bad_yaml_is_an_error() {
        assert!(Config::from_yaml("server: [1, 2").is_err());
        assert!(Config::from_yaml("server:\n  port: notanumber\n").is_err());
    }
}
