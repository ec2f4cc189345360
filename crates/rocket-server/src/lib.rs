//! The Rocket HTTP server: platform and apps, tokens, metadata admin and the
//! metadata-driven entity API, over PostgreSQL or SQLite.

pub mod config;

mod admin;
mod auth;
mod error;
mod http;
mod invites;
mod listquery;
mod migrate;
mod permission_admin;
mod permissions;
mod platform;
mod porting;
mod records;
mod routes;
mod serve;
mod slug;
mod state;
mod sys;
mod timestamp;
mod tokens;
mod users;
mod values;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

pub use config::Config;
pub use error::ApiError;

/// A started server: its state, for shutdown, and the bound address.
pub struct Server {
    state: Arc<state::AppState>,
    listener: tokio::net::TcpListener,
}

impl Server {
    /// Connects and bootstraps the databases, then binds `addr` (port 0 = any).
    pub async fn build(config: Config, addr: SocketAddr) -> anyhow::Result<Server> {
        let state = state::AppState::start(config).await?;
        state.spawn_listener();
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {addr}: {e}"))?;
        Ok(Server { state, listener })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves, then closes every pool.
    pub async fn run(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let app = routes::router(self.state.clone());
        let server = &self.state.config.server;
        let opts = serve::ServeOptions {
            header_read_timeout: std::time::Duration::from_millis(
                server.header_read_timeout_ms.max(1),
            ),
            write_timeout: std::time::Duration::from_millis(server.write_timeout_ms.max(1)),
            drain: std::time::Duration::from_secs(10),
        };
        serve::serve(self.listener, app, shutdown, opts).await;
        self.state.close();
        Ok(())
    }
}
