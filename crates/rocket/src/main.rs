//! `rocket`: the Rocket Backend server and its command line (docs/cli.md).
//!
//! `serve` (the default) runs the HTTP server. Every other command works on the
//! configured databases directly through `rocket-engine`, without a server and
//! without background work, logs only warnings (to standard error) and exits: 0 on
//! success, 1 when it failed (one `error: …` line on standard error), 2 on a usage
//! error.

mod args;
mod commands;
mod error;
mod progress;
mod serve;
mod session;

use std::io::{IsTerminal, Write};
use std::time::Duration;

use clap::Parser;
use rocket_engine::config::Loaded;
use rocket_engine::Config;
use tracing_subscriber::EnvFilter;

use args::{Cli, Command};
use error::{CliError, CliResult};

fn main() {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Serve { port: None });
    let serving = matches!(command, Command::Serve { .. });
    init_logging(serving);
    let code = match run(cli.config, command, serving) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: {}", e.line());
            e.exit_code()
        }
    };
    let _ = std::io::stdout().flush();
    std::process::exit(code);
}

/// The server logs to standard output from `info`; other commands log warnings to
/// standard error, so their output stays clean. `ROCKET_LOG` overrides the level.
fn init_logging(serving: bool) {
    let default = if serving { "info" } else { "warn" };
    let filter = EnvFilter::try_from_env("ROCKET_LOG").unwrap_or_else(|_| EnvFilter::new(default));
    let fmt = tracing_subscriber::fmt().with_env_filter(filter);
    // Colour codes only for a terminal: logs collected from a pipe stay plain text.
    if serving {
        fmt.with_ansi(std::io::stdout().is_terminal()).init();
    } else {
        fmt.with_writer(std::io::stderr)
            .with_ansi(std::io::stderr().is_terminal())
            .without_time()
            .with_target(false)
            .init();
    }
}

fn run(config: Option<std::path::PathBuf>, command: Command, serving: bool) -> CliResult {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start the async runtime: {e}")))?;
    let outcome = rt.block_on(async {
        if let Command::CheckConfig { format } = command {
            return commands::config::check(config.as_deref(), format);
        }
        let loaded = load_config(config.as_deref(), serving)?;
        dispatch(loaded, command).await
    });
    rt.shutdown_timeout(Duration::from_secs(5));
    outcome
}

/// The configuration, with its warnings logged and its file named.
fn load_config(file: Option<&std::path::Path>, serving: bool) -> CliResult<Config> {
    let Loaded {
        config,
        file,
        warnings,
    } = Config::load(file)?;
    for w in &warnings {
        tracing::warn!("{w}");
    }
    match &file {
        Some(f) => tracing::info!("configuration from {}", f.display()),
        // The server names the database it uses next (the environment may have
        // chosen Postgres); commands stay quiet about it.
        None if serving => {
            tracing::warn!("no app.yaml found: using built-in defaults and the environment")
        }
        None => tracing::info!("no app.yaml found: using built-in defaults and the environment"),
    }
    Ok(config)
}

async fn dispatch(config: Config, command: Command) -> CliResult {
    if let Command::Serve { port } = command {
        return serve::run(config, port).await;
    }
    let p = session::open(config).await?;
    let outcome = match command {
        Command::App(c) => commands::apps::run(&p, c).await,
        Command::Export { app, output } => commands::porting::export(&p, &app, output).await,
        Command::Import {
            app,
            file,
            dry_run,
            json,
        } => commands::porting::import(&p, &app, &file, dry_run, json).await,
        Command::User(c) => commands::users::app(&p, c).await,
        Command::PlatformUser(c) => commands::users::platform(&p, c).await,
        Command::Openapi {
            target,
            roles,
            output,
        } => commands::openapi::print(&p, target, roles, output).await,
        Command::Serve { .. } | Command::CheckConfig { .. } => Ok(()),
    };
    session::close(p, outcome).await
}
