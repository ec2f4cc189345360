//! The one error type of the engine. It says what went wrong, never how to answer:
//! the server maps each variant to a status and code of spec 06 in one place.
//! Database errors are classified once, in `rocket-store` (SQLSTATE / SQLite codes).

use rocket_store::DbError;
use serde::Serialize;
use thiserror::Error;

/// One entry of `details` (spec 06 §1.1).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Detail {
    #[serde(skip_serializing_if = "String::is_empty")]
    pub field: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub rule: String,
    pub message: String,
}

impl Detail {
    pub fn new(field: impl Into<String>, rule: &str, message: impl Into<String>) -> Detail {
        Detail {
            field: field.into(),
            rule: rule.to_string(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Error)]
pub enum EngineError {
    /// The app in the path does not exist or is not active.
    #[error("{0}")]
    AppNotFound(String),
    /// The entity in the path is not registered.
    #[error("{0}")]
    UnknownEntity(String),
    /// A record or resource does not exist (or is hidden from the caller).
    #[error("{0}")]
    NotFound(String),
    /// A query names a field, sort key or include that does not exist.
    #[error("{0}")]
    UnknownField(String),
    /// Input that cannot be read at all: malformed body, bad filter value, limits.
    #[error("{0}")]
    BadInput(String),
    /// A definition (metadata, user, permission …) fails validation: one message.
    #[error("{0}")]
    Invalid(String),
    /// Data validation: every failed check of one write.
    #[error("Validation failed")]
    Validation(Vec<Detail>),
    /// The request is well-formed but cannot be honoured in the resource's current
    /// state (an invite already accepted or expired).
    #[error("{0}")]
    Rejected(String),
    #[error("{0}")]
    Conflict(String),
    /// `If-Match` named a version the record no longer has.
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    /// A synchronous webhook's receiver refused the write (4xx; spec 12 §7.1).
    #[error("{0}")]
    WebhookRejected(String),
    /// A synchronous webhook could not be delivered (transport error, timeout, 5xx).
    #[error("{0}")]
    WebhookFailed(String),
    /// A feature needs configuration this server does not have.
    #[error("{0}")]
    NotConfigured(String),
    /// An optional feature is switched off in this server's configuration (the AI
    /// generator without a provider, spec 16 §7).
    #[error("{0}")]
    FeatureOff(String),
    /// An upload over `storage.max_file_size` (spec 13 §2.1): `size` is what was
    /// seen before reading stopped.
    #[error("File too large: {size} bytes (max {max})")]
    FileTooLarge { size: u64, max: u64 },
    /// The AI provider failed or answered unusably (spec 16 §9).
    #[error("{0}")]
    AiFailed(String),
    /// A statement outlived the statement timeout and was cancelled.
    #[error("statement timeout")]
    Timeout,
    /// No database connection in time.
    #[error("unavailable: {0}")]
    Unavailable(String),
    /// A failure whose message is deliberate and safe to show ("Failed to create app: …").
    #[error("{0}")]
    InternalWith(String),
    /// Anything unexpected; the cause is logged, never shown.
    #[error("internal: {0}")]
    Internal(String),
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

impl EngineError {
    pub fn internal(e: impl std::fmt::Display) -> EngineError {
        EngineError::Internal(e.to_string())
    }
}

impl From<DbError> for EngineError {
    fn from(e: DbError) -> Self {
        match e {
            DbError::Unique => {
                EngineError::Conflict("A record with this value already exists".into())
            }
            // A value the database could not convert is the client's mistake.
            DbError::InvalidValue(m) => {
                EngineError::Validation(vec![Detail::new("", "type", invalid_value_text(&m))])
            }
            DbError::NotNull => EngineError::Validation(vec![Detail::new(
                "",
                "required",
                "A required value is missing",
            )]),
            DbError::Timeout => EngineError::Timeout,
            DbError::Unavailable(m) => EngineError::Unavailable(m),
            DbError::Other(m) => EngineError::Internal(m),
        }
    }
}

/// Database conversion messages may quote SQL; keep only a generic, safe text.
fn invalid_value_text(m: &str) -> String {
    if m.contains("out of range") {
        "A value is out of range for its field".into()
    } else {
        "A value has the wrong format for its field".into()
    }
}
