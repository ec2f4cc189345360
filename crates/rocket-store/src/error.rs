use thiserror::Error;

/// Database failures, classified once by SQLSTATE (Postgres) or result code (SQLite)
/// so no caller ever looks at message text.
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
    /// The statement ran longer than the statement timeout and was cancelled.
    #[error("statement timeout")]
    Timeout,
    /// No connection could be had in time (pool exhausted, server unreachable).
    #[error("database unavailable: {0}")]
    Unavailable(String),
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
            if *code == SqlState::QUERY_CANCELED {
                return DbError::Timeout;
            }
            // Class 22 is "data exception": the value, not the statement, is wrong.
            if code.code().starts_with("22") {
                return DbError::InvalidValue(db.message().to_string());
            }
            return DbError::Other(format!("{}: {}", code.code(), db.message()));
        }
        // A closed connection, or one that could not be made (refused, timed out: the
        // cause is an I/O error): the database is unreachable, not the request wrong.
        let io = std::error::Error::source(&e).is_some_and(|s| s.is::<std::io::Error>());
        if e.is_closed() || io {
            return DbError::Unavailable(e.to_string());
        }
        DbError::Other(e.to_string())
    }
}

impl From<deadpool_postgres::PoolError> for DbError {
    fn from(e: deadpool_postgres::PoolError) -> Self {
        use deadpool_postgres::PoolError;
        match e {
            PoolError::Backend(b) => b.into(),
            PoolError::Timeout(_) | PoolError::Closed | PoolError::NoRuntimeSpecified => {
                DbError::Unavailable(format!("pool: {e}"))
            }
            PoolError::PostCreateHook(_) => DbError::Unavailable(format!("pool: {e}")),
        }
    }
}

impl From<rusqlite::Error> for DbError {
    fn from(e: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        if let rusqlite::Error::SqliteFailure(f, _) = &e {
            // 2067 = SQLITE_CONSTRAINT_UNIQUE, 1555 = SQLITE_CONSTRAINT_PRIMARYKEY
            if f.extended_code == 2067 || f.extended_code == 1555 {
                return DbError::Unique;
            }
            // 1299 = SQLITE_CONSTRAINT_NOTNULL
            if f.extended_code == 1299 {
                return DbError::NotNull;
            }
            match f.code {
                // Raised by the progress handler when the statement deadline passed.
                ErrorCode::OperationInterrupted => return DbError::Timeout,
                ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => {
                    return DbError::Unavailable(e.to_string())
                }
                _ => {}
            }
        }
        DbError::Other(e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_codes_are_classified() {
        let c = rusqlite::Connection::open_in_memory().unwrap();
        c.execute_batch("CREATE TABLE t (a INTEGER UNIQUE, b TEXT NOT NULL)")
            .unwrap();
        c.execute_batch("INSERT INTO t VALUES (1, 'x')").unwrap();
        let dup = c
            .execute_batch("INSERT INTO t VALUES (1, 'y')")
            .unwrap_err();
        assert!(matches!(DbError::from(dup), DbError::Unique));
        let nul = c
            .execute_batch("INSERT INTO t VALUES (2, NULL)")
            .unwrap_err();
        assert!(matches!(DbError::from(nul), DbError::NotNull));
        let bad = c.execute_batch("SELECT * FROM nope").unwrap_err();
        assert!(matches!(DbError::from(bad), DbError::Other(_)));
    }

    /// Postgres out of reach is `Unavailable` (503), not an internal error.
    #[tokio::test]
    async fn unreachable_postgres_is_unavailable() {
        // A port that was just free: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let refused = tokio_postgres::connect(
            &format!("host=127.0.0.1 port={port} user=postgres connect_timeout=2"),
            tokio_postgres::NoTls,
        )
        .await
        .err()
        .unwrap();
        assert!(matches!(DbError::from(refused), DbError::Unavailable(_)));
    }
}
