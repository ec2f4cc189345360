use thiserror::Error;

#[derive(Debug, Error)]
pub enum DbError {
    /// A unique index or primary key rejected the write.
    #[error("unique violation")]
    Unique,
    /// A NOT NULL column was given no value.
    #[error("not null violation")]
    NotNull,
    /// The database could not convert a value (bad number, uuid, date ...).
    #[error("invalid value: {0}")]
    InvalidValue(String),
    #[error("database error: {0}")]
    Other(String),
}

impl From<tokio_postgres::Error> for DbError {
    fn from(e: tokio_postgres::Error) -> Self {
        use tokio_postgres::error::SqlState;
        if let Some(db) = e.as_db_error() {
            let code = db.code();
            if *code == SqlState::UNIQUE_VIOLATION {
                return DbError::Unique;
            }
            if *code == SqlState::NOT_NULL_VIOLATION {
                return DbError::NotNull;
            }
            // Class 22 is "data exception": the value, not the statement, is wrong.
            if code.code().starts_with("22") {
                return DbError::InvalidValue(db.message().to_string());
            }
            return DbError::Other(format!("{}: {}", code.code(), db.message()));
        }
        DbError::Other(e.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for DbError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        DbError::Other(format!("pool: {e}"))
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        if let rusqlite::Error::SqliteFailure(f, msg) = &e {
            // 2067 = SQLITE_CONSTRAINT_UNIQUE, 1555 = SQLITE_CONSTRAINT_PRIMARYKEY
            if f.extended_code == 2067 || f.extended_code == 1555 {
                return DbError::Unique;
            }
            // 1299 = SQLITE_CONSTRAINT_NOTNULL
            if f.extended_code == 1299 {
                return DbError::NotNull;
            }
            if let Some(m) = msg {
                if m.contains("UNIQUE constraint failed") {
                    return DbError::Unique;
                }
            }
        }
        DbError::Other(e.to_string())
    }
}
