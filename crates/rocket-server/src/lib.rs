//! The Rocket HTTP server: HTTP only (design §2). Extractors resolve the app and the
//! caller, routes call `rocket-engine`, and every engine error becomes the envelope
//! of spec 06 in one place ([`error`]).

mod error;
mod extract;
mod http;
mod middleware;
mod ranges;
mod routes;
mod serve;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

pub use error::ApiError;
pub use rocket_engine::config;
pub use rocket_engine::Config;
use rocket_engine::Platform;

/// A started server: its platform, for shutdown, and the bound listener.
pub struct Server {
    platform: Arc<Platform>,
    listener: tokio::net::TcpListener,
}

/// Why the server could not start; one line for the operator.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Platform(#[from] rocket_engine::platform::StartError),
    #[error("cannot listen on {0}: {1}")]
    Listen(SocketAddr, std::io::Error),
}

impl Server {
    /// Connects and bootstraps the databases, then binds `addr` (port 0 = any).
    pub async fn build(config: Config, addr: SocketAddr) -> Result<Server, StartError> {
        let platform = Platform::start(config).await?;
        platform.spawn_listener();
        rocket_engine::scheduler::spawn(&platform);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| StartError::Listen(addr, e))?;
        Ok(Server { platform, listener })
    }

    /// The started platform (the binary's banner asks it about default passwords).
    pub fn platform(&self) -> &Arc<Platform> {
        &self.platform
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until `shutdown` resolves, then closes every pool.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send + 'static) {
        let app = middleware::wrap(routes::router(self.platform.clone()), &self.platform);
        let server = &self.platform.config.server;
        let opts = serve::ServeOptions {
            header_read_timeout: Duration::from_millis(server.header_read_timeout_ms.max(1)),
            write_timeout: Duration::from_millis(server.write_timeout_ms.max(1)),
            drain: Duration::from_secs(10),
        };
        serve::serve(self.listener, app, shutdown, opts).await;
        // What the event buffers still hold is written before the pools close (15 §4).
        for app in self.platform.cached_apps() {
            rocket_engine::events::buffer::flush(&app).await;
        }
        self.platform.close();
    }
}
