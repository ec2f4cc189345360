//! `rocket serve` (the default command): the HTTP server with its background
//! work, the startup banner, and a clean stop on Ctrl-C or SIGTERM.

use std::net::{IpAddr, SocketAddr};

use rocket_server::{Config, Server};

use crate::error::{CliError, CliResult};

pub async fn run(mut config: Config, port: Option<u16>) -> CliResult {
    if let Some(p) = port {
        config.server.port = p;
    }
    let ip: IpAddr = config.server.host.parse().map_err(|_| {
        CliError::Failed(format!(
            "server.host {:?} is not an IP address",
            config.server.host
        ))
    })?;
    let addr = SocketAddr::new(ip, config.server.port);
    tracing::info!("database: {}", database_label(&config));
    let server = Server::build(config, addr).await?;
    let bound = server
        .local_addr()
        .map_err(|e| CliError::Failed(format!("cannot read the bound address: {e}")))?;
    banner(&server, ip, bound).await;
    server.run(shutdown_signal()).await;
    Ok(())
}

/// Which database the server uses, for the log.
pub fn database_label(config: &Config) -> String {
    let db = &config.database;
    match db.driver() {
        rocket_server::config::Driver::Sqlite => {
            format!("SQLite in {}", db.data_dir().display())
        }
        rocket_server::config::Driver::Postgres => format!(
            "PostgreSQL {}@{}:{}/{}",
            db.user,
            db.host(),
            db.port,
            db.name
        ),
    }
}

async fn banner(server: &Server, ip: IpAddr, bound: SocketAddr) {
    let shown = if ip.is_unspecified() {
        format!("http://127.0.0.1:{}", bound.port())
    } else {
        format!("http://{bound}")
    };
    let admin_ui = server.platform().config.server.admin_ui;
    println!("Rocket is listening on {bound}");
    if admin_ui {
        println!("  Admin UI: {shown}/admin/");
    }
    println!("  API:      {shown}/api/<app>/…  (platform: {shown}/api/_platform)");
    println!("  OpenAPI:  {shown}/api/<app>/_openapi.json  (platform: {shown}/api/_platform/openapi.json)");
    println!("  health:   {shown}/health");
    if server.platform().default_admin_password().await {
        let sign_in = if admin_ui {
            "Admin UI sign-in"
        } else {
            "Platform sign-in"
        };
        println!(
            "WARNING: the platform admin still has the default password. Change it before exposing this server.\n\
             \x20        {sign_in}: platform@localhost / changeme  (API: POST {shown}/api/_platform/auth/login)"
        );
    }
    println!("New apps get the admin admin@localhost / changeme: change it in each app.");
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
