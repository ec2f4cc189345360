//! Limits every store enforces (docs/security.md): a statement that runs too long is
//! cancelled, a request that cannot get a connection in time is refused, and idle
//! pooled connections are closed so many quiet apps do not pin many connections.

use std::time::Duration;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StoreOptions {
    /// Longest one statement may run; `None` means no limit.
    pub statement_timeout: Option<Duration>,
    /// Longest a caller waits for a pooled connection.
    pub pool_wait: Duration,
    /// Pooled Postgres connections unused for this long are closed.
    pub idle: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            statement_timeout: Some(Duration::from_secs(5)),
            pool_wait: Duration::from_secs(5),
            idle: Duration::from_secs(300),
        }
    }
}
