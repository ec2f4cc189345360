use deadpool_postgres::Object;
use rocket_sql::{Dialect, Sql};
use rusqlite::Connection;
use tokio::sync::OwnedMutexGuard;

use crate::error::DbError;
use crate::lite::{self, LiteStore};
use crate::pg::{self, PgStore};
use crate::row::Row;

/// A database of either dialect.
#[derive(Clone)]
pub enum Store {
    Pg(PgStore),
    Lite(LiteStore),
}

impl Store {
    pub fn dialect(&self) -> Dialect {
        match self {
            Store::Pg(_) => Dialect::Postgres,
            Store::Lite(_) => Dialect::Sqlite,
        }
    }

    pub async fn query(&self, sql: &Sql) -> Result<Vec<Row>, DbError> {
        match self {
            Store::Pg(p) => pg::query(&p.client().await?, sql).await,
            Store::Lite(l) => l.read(|c| lite::query(c, sql)).await,
        }
    }

    /// Two independent reads; pipelined on one Postgres connection.
    pub async fn query_pair(&self, a: &Sql, b: &Sql) -> Result<(Vec<Row>, Vec<Row>), DbError> {
        match self {
            Store::Pg(p) => pg::query_pair(&p.client().await?, a, b).await,
            Store::Lite(l) => {
                l.read(|c| Ok((lite::query(c, a)?, lite::query(c, b)?)))
                    .await
            }
        }
    }

    /// A single data-changing statement that returns rows (`INSERT … RETURNING`),
    /// atomic on its own; on SQLite it goes through the one writer connection.
    pub async fn query_write(&self, sql: &Sql) -> Result<Vec<Row>, DbError> {
        match self {
            Store::Pg(p) => pg::query(&p.client().await?, sql).await,
            Store::Lite(l) => lite::query(&*l.writer().await, sql),
        }
    }

    /// A write outside any request transaction (DDL helpers, system rows).
    pub async fn execute(&self, sql: &Sql) -> Result<u64, DbError> {
        match self {
            Store::Pg(p) => pg::execute(&p.client().await?, sql).await,
            Store::Lite(l) => lite::execute(&*l.writer().await, sql),
        }
    }

    /// Runs parameterless statements (DDL) in order, outside a transaction.
    pub async fn batch(&self, stmts: &[String]) -> Result<(), DbError> {
        match self {
            Store::Pg(p) => {
                let c = p.client().await?;
                for s in stmts {
                    c.batch_execute(s).await?;
                }
                Ok(())
            }
            Store::Lite(l) => {
                let c = l.writer().await;
                for s in stmts {
                    c.execute_batch(s)?;
                }
                Ok(())
            }
        }
    }

    /// Runs idempotent DDL under a database-wide advisory lock: `CREATE … IF NOT
    /// EXISTS` is not safe against itself, and several servers may boot at once.
    pub async fn batch_exclusive(&self, stmts: &[String]) -> Result<(), DbError> {
        match self {
            Store::Pg(p) => {
                let c = p.client().await?;
                c.batch_execute("SELECT pg_advisory_lock(7262070)").await?;
                let mut res: Result<(), DbError> = Ok(());
                for s in stmts {
                    if let Err(e) = c.batch_execute(s).await {
                        res = Err(e.into());
                        break;
                    }
                }
                let unlocked = c.batch_execute("SELECT pg_advisory_unlock(7262070)").await;
                res?;
                Ok(unlocked?)
            }
            Store::Lite(_) => self.batch(stmts).await,
        }
    }

    pub async fn begin(&self) -> Result<Tx, DbError> {
        match self {
            Store::Pg(p) => {
                let c = p.client().await?;
                c.batch_execute("BEGIN").await?;
                Ok(Tx::Pg(Box::new(PgTx { client: Some(c) })))
            }
            Store::Lite(l) => {
                let c = l.writer().await;
                c.execute_batch("BEGIN IMMEDIATE")?;
                Ok(Tx::Lite(LiteTx { conn: Some(c) }))
            }
        }
    }

    pub fn close(&self) {
        if let Store::Pg(p) = self {
            p.close();
        }
    }
}

/// A request transaction: one connection held from BEGIN to COMMIT. Dropping it
/// without `commit` rolls back.
pub enum Tx {
    Pg(Box<PgTx>),
    Lite(LiteTx),
}

pub struct PgTx {
    client: Option<Object>,
}

pub struct LiteTx {
    conn: Option<OwnedMutexGuard<Connection>>,
}

impl Tx {
    pub fn dialect(&self) -> Dialect {
        match self {
            Tx::Pg(_) => Dialect::Postgres,
            Tx::Lite(_) => Dialect::Sqlite,
        }
    }

    fn gone() -> DbError {
        DbError::Other("transaction already finished".into())
    }

    pub async fn query(&mut self, sql: &Sql) -> Result<Vec<Row>, DbError> {
        match self {
            Tx::Pg(t) => pg::query(t.client.as_ref().ok_or_else(Self::gone)?, sql).await,
            Tx::Lite(t) => lite::query(t.conn.as_ref().ok_or_else(Self::gone)?, sql),
        }
    }

    pub async fn execute(&mut self, sql: &Sql) -> Result<u64, DbError> {
        match self {
            Tx::Pg(t) => pg::execute(t.client.as_ref().ok_or_else(Self::gone)?, sql).await,
            Tx::Lite(t) => lite::execute(t.conn.as_ref().ok_or_else(Self::gone)?, sql),
        }
    }

    pub async fn commit(mut self) -> Result<(), DbError> {
        match &mut self {
            Tx::Pg(t) => {
                let c = t.client.take().ok_or_else(Self::gone)?;
                match c.batch_execute("COMMIT").await {
                    Ok(()) => Ok(()),
                    Err(e) => {
                        // Unknown connection state: do not return it to the pool.
                        let _ = Object::take(c);
                        Err(e.into())
                    }
                }
            }
            Tx::Lite(t) => {
                let c = t.conn.take().ok_or_else(Self::gone)?;
                if let Err(e) = c.execute_batch("COMMIT") {
                    let _ = c.execute_batch("ROLLBACK");
                    return Err(e.into());
                }
                Ok(())
            }
        }
    }
}

impl Drop for PgTx {
    fn drop(&mut self) {
        if let Some(c) = self.client.take() {
            // Roll back before the connection goes back to the pool; if that fails
            // the connection is discarded instead of being reused mid-transaction.
            tokio::spawn(async move {
                if c.batch_execute("ROLLBACK").await.is_err() {
                    let _ = Object::take(c);
                }
            });
        }
    }
}

impl Drop for LiteTx {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            let _ = c.execute_batch("ROLLBACK");
        }
    }
}
