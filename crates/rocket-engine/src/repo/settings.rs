//! `_platform_settings` (Rust addition to the management database): server-wide
//! values such as the generated platform secret.

use rocket_store::{DbError, Exec, Param};

use super::{fetch_one, run};

/// Stores `value` under `key` unless a value is there already, then returns the
/// stored one: of several processes starting at once, the first writer wins.
pub async fn get_or_init(x: &mut Exec<'_>, key: &str, value: &str) -> Result<String, DbError> {
    run(
        x,
        "INSERT INTO _platform_settings (key, value) VALUES ({1}, {2}) ON CONFLICT (key) DO NOTHING",
        vec![Param::Text(key.into()), Param::Text(value.into())],
    )
    .await?;
    let tpl = "SELECT value FROM _platform_settings WHERE key = {1}";
    let stored = fetch_one(x, tpl, vec![Param::Text(key.into())], |r| r.text()).await?;
    Ok(stored.unwrap_or_default())
}
