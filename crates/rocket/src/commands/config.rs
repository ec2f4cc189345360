//! `rocket check-config`: the configuration in effect (defaults, file and
//! environment merged; secrets shown as `***`), the file it came from and its
//! warnings on standard error; exits with 1 when the server would refuse it.

use std::io::Write;
use std::net::IpAddr;
use std::path::Path;

use rocket_engine::config::Loaded;
use rocket_engine::Config;

use crate::args::Format;
use crate::error::{CliError, CliResult};

pub fn check(file: Option<&Path>, format: Format) -> CliResult {
    let Loaded {
        config,
        file,
        warnings,
    } = Config::read(file)?;
    match &file {
        Some(f) => eprintln!("configuration file: {}", f.display()),
        None => eprintln!("configuration file: none (built-in defaults and the environment)"),
    }
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let effective = config.effective();
    let text = match format {
        Format::Yaml => serde_saphyr::to_string(&effective).map_err(|e| e.to_string()),
        Format::Json => serde_json::to_string_pretty(&effective)
            .map(|s| s + "\n")
            .map_err(|e| e.to_string()),
    }
    .map_err(|e| CliError::Failed(format!("cannot print the configuration: {e}")))?;
    let _ = std::io::stdout().write_all(text.as_bytes());
    refused(&config)
}

/// What the server would refuse at startup beyond parsing: an unknown driver, an
/// insecure platform secret, a host that is not an IP address.
fn refused(config: &Config) -> CliResult {
    config.check()?;
    config.check_secrets()?;
    if config.server.host.parse::<IpAddr>().is_err() {
        return Err(CliError::Failed(format!(
            "server.host {:?} is not an IP address",
            config.server.host
        )));
    }
    Ok(())
}
