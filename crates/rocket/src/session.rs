//! The platform of a one-shot command: started without background work (no
//! scheduler, no delivery worker, no NOTIFY listener), shut down when the command
//! is done.

use std::sync::Arc;

use rocket_engine::{Config, Platform};

use crate::error::CliResult;

pub async fn open(config: Config) -> CliResult<Arc<Platform>> {
    Ok(Platform::start_without_workers(config).await?)
}

/// Shuts the platform down, whatever the command's outcome, and passes it on.
pub async fn close<T>(p: Arc<Platform>, outcome: CliResult<T>) -> CliResult<T> {
    p.shutdown().await;
    outcome
}
