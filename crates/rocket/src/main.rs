//! `rocket`: the Rocket Backend server.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, Subcommand};
use rocket_server::{Config, Server};
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "rocket", version, about = "Metadata-driven backend engine")]
struct Cli {
    /// Configuration file (default: ./app.yaml, then ../../app.yaml, when present).
    #[arg(long, short, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP server (the default).
    Serve {
        /// Port to listen on; overrides the configuration.
        #[arg(long)]
        port: Option<u16>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    // Colour codes only for a terminal: logs collected from a pipe stay plain text.
    tracing_subscriber::fmt()
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout()))
        .with_env_filter(
            EnvFilter::try_from_env("ROCKET_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();
    let cli = Cli::parse();
    let loaded = Config::load(cli.config.as_deref()).context("loading configuration")?;
    let (mut config, file) = (loaded.config, loaded.file);
    for w in &loaded.warnings {
        tracing::warn!("{w}");
    }
    match &file {
        Some(f) => tracing::info!("configuration from {}", f.display()),
        // The next line names the database actually used (the environment may
        // have chosen Postgres).
        None => tracing::warn!("no app.yaml found: using built-in defaults and the environment"),
    }
    let Some(Command::Serve { port }) = cli.command.or(Some(Command::Serve { port: None })) else {
        return Ok(());
    };
    if let Some(p) = port {
        config.server.port = p;
    }
    let ip: IpAddr =
        config.server.host.parse().with_context(|| {
            format!("server.host {:?} is not an IP address", config.server.host)
        })?;
    let addr = SocketAddr::new(ip, config.server.port);
    let target = match config.database.driver() {
        rocket_server::config::Driver::Sqlite => {
            format!("SQLite in {}", config.database.data_dir().display())
        }
        rocket_server::config::Driver::Postgres => format!(
            "PostgreSQL {}@{}:{}/{}",
            config.database.user,
            config.database.host(),
            config.database.port,
            config.database.name
        ),
    };
    tracing::info!("database: {target}");
    let server = Server::build(config, addr).await?;
    let bound = server.local_addr()?;
    let shown = if ip.is_unspecified() {
        format!("http://127.0.0.1:{}", bound.port())
    } else {
        format!("http://{bound}")
    };
    println!("Rocket is listening on {bound}");
    println!("  API:     {shown}/api/<app>/…  (platform: {shown}/api/_platform)");
    println!("  health:  {shown}/health");
    if server.platform().default_admin_password().await {
        println!(
            "WARNING: the platform admin still has the default password: platform@localhost / changeme\n\
             \x20        (POST {shown}/api/_platform/auth/login). Change it before exposing this server."
        );
    }
    println!("New apps get the admin admin@localhost / changeme: change it in each app.");
    server.run(shutdown_signal()).await;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}
