use std::time::Duration;

use deadpool_postgres::Object;
use rocket_sql::{Dialect, Sql};

use crate::error::DbError;
use crate::lite::{self, LiteStore, On, WriterGuard};
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
        self.read(sql, On::WorkerFirst).await
    }

    /// A read whose work an index bounds (a record by key, the related rows of one
    /// record): on SQLite it runs on the calling worker, not the blocking pool.
    pub async fn query_keyed(&self, sql: &Sql) -> Result<Vec<Row>, DbError> {
        self.read(sql, On::Worker).await
    }

    async fn read(&self, sql: &Sql, on: On) -> Result<Vec<Row>, DbError> {
        match self {
            Store::Pg(p) => pg::query(&p.client().await?, sql).await,
            Store::Lite(l) => {
                let sql = sql.clone();
                l.read(on, move |c| lite::query(c, &sql)).await
            }
        }
    }

    /// Two independent reads; pipelined on one Postgres connection.
    pub async fn query_pair(&self, a: &Sql, b: &Sql) -> Result<(Vec<Row>, Vec<Row>), DbError> {
        match self {
            Store::Pg(p) => pg::query_pair(&p.client().await?, a, b).await,
            Store::Lite(l) => {
                let (a, b) = (a.clone(), b.clone());
                l.read(On::WorkerFirst, move |c| {
                    Ok((lite::query(c, &a)?, lite::query(c, &b)?))
                })
                .await
            }
        }
    }

    /// A single data-changing statement that returns rows (`INSERT … RETURNING`),
    /// atomic on its own; on SQLite it goes through the one writer connection.
    pub async fn query_write(&self, sql: &Sql) -> Result<Vec<Row>, DbError> {
        match self {
            Store::Pg(p) => pg::query(&p.client().await?, sql).await,
            Store::Lite(l) => {
                let sql = sql.clone();
                l.write(l.timeout(), On::Worker, move |c| lite::query(c, &sql))
                    .await
            }
        }
    }

    /// A write outside any request transaction (system rows).
    pub async fn execute(&self, sql: &Sql) -> Result<u64, DbError> {
        match self {
            Store::Pg(p) => pg::execute(&p.client().await?, sql).await,
            Store::Lite(l) => {
                let sql = sql.clone();
                l.write(l.timeout(), On::Worker, move |c| lite::execute(c, &sql))
                    .await
            }
        }
    }

    /// Runs parameterless statements (DDL) in order, outside a transaction and
    /// without a statement timeout.
    pub async fn batch(&self, stmts: &[String]) -> Result<(), DbError> {
        match self {
            Store::Pg(p) => {
                let c = p.client().await?;
                c.batch_execute("SET statement_timeout = 0").await?;
                let res = pg_batch(&c, stmts).await;
                c.batch_execute("RESET statement_timeout").await?;
                res
            }
            Store::Lite(l) => {
                let stmts = stmts.to_vec();
                l.write(None, On::Blocking, move |c| lite::batch(c, &stmts))
                    .await
            }
        }
    }

    /// Runs idempotent DDL under a database-wide advisory lock: `CREATE … IF NOT
    /// EXISTS` is not safe against itself, and several servers may boot at once.
    pub async fn batch_exclusive(&self, stmts: &[String]) -> Result<(), DbError> {
        match self {
            Store::Pg(p) => {
                let c = p.client().await?;
                c.batch_execute("SET statement_timeout = 0; SELECT pg_advisory_lock(7262070)")
                    .await?;
                let res = pg_batch(&c, stmts).await;
                let unlocked = c
                    .batch_execute("SELECT pg_advisory_unlock(7262070); RESET statement_timeout")
                    .await;
                res?;
                Ok(unlocked?)
            }
            Store::Lite(_) => self.batch(stmts).await,
        }
    }

    pub async fn begin(&self) -> Result<Tx, DbError> {
        match self {
            // BEGIN goes out with the first statement (pipelined, no round trip of
            // its own): see `PgTx::begun`.
            Store::Pg(p) => Ok(Tx::Pg(Box::new(PgTx {
                client: Some(p.client().await?),
                begun: false,
            }))),
            Store::Lite(l) => {
                let g = l.writer().await;
                let (g, res) = lite::on_writer(g, l.timeout(), On::Worker, |c| {
                    c.execute_batch("BEGIN IMMEDIATE")?;
                    Ok(())
                })
                .await;
                res?;
                Ok(Tx::Lite(LiteTx {
                    conn: g,
                    timeout: l.timeout(),
                    on: On::Worker,
                }))
            }
        }
    }

    pub fn close(&self) {
        if let Store::Pg(p) = self {
            p.close();
        }
    }
}

async fn pg_batch(c: &Object, stmts: &[String]) -> Result<(), DbError> {
    for s in stmts {
        c.batch_execute(s).await?;
    }
    Ok(())
}

/// A request transaction: one connection held from BEGIN to COMMIT. Dropping it
/// without `commit` rolls back.
pub enum Tx {
    Pg(Box<PgTx>),
    Lite(LiteTx),
}

pub struct PgTx {
    client: Option<Object>,
    /// BEGIN was sent. It is sent together with the first statement: both futures
    /// are polled in order on one connection, so Postgres receives BEGIN first and
    /// the pair costs one round trip.
    begun: bool,
}

impl PgTx {
    /// Runs `op` on the connection inside the transaction, sending BEGIN ahead of it
    /// the first time.
    async fn run<'a, T, F>(&'a mut self, op: impl FnOnce(&'a Object) -> F) -> Result<T, DbError>
    where
        F: std::future::Future<Output = Result<T, DbError>> + 'a,
    {
        let first = !self.begun;
        self.begun = true;
        let c = self.client.as_ref().ok_or_else(Tx::gone)?;
        if !first {
            return op(c).await;
        }
        let (began, out) = tokio::join!(c.batch_execute("BEGIN"), op(c));
        // BEGIN fails only with the connection; the caller drops the transaction
        // and its ROLLBACK, failing too, discards the connection.
        began?;
        out
    }
}

pub struct LiteTx {
    conn: Option<WriterGuard>,
    timeout: Option<Duration>,
    on: On,
}

impl LiteTx {
    /// Runs `f` on the held writer; a lost task leaves the transaction finished.
    async fn run<T: Send + 'static>(
        &mut self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, DbError> {
        let g = self.conn.take().ok_or_else(Tx::gone)?;
        let (g, res) = lite::on_writer(g, self.timeout, self.on, f).await;
        self.conn = g;
        res
    }
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
            Tx::Pg(t) => t.run(|c| pg::query(c, sql)).await,
            Tx::Lite(t) => {
                let sql = sql.clone();
                t.run(move |c| lite::query(c, &sql)).await
            }
        }
    }

    pub async fn execute(&mut self, sql: &Sql) -> Result<u64, DbError> {
        match self {
            Tx::Pg(t) => t.run(|c| pg::execute(c, sql)).await,
            Tx::Lite(t) => {
                let sql = sql.clone();
                t.run(move |c| lite::execute(c, &sql)).await
            }
        }
    }

    /// Parameterless statements (DDL) inside the transaction.
    pub async fn batch(&mut self, stmts: &[String]) -> Result<(), DbError> {
        match self {
            Tx::Pg(t) => t.run(|c| pg_batch(c, stmts)).await,
            Tx::Lite(t) => {
                let stmts = stmts.to_vec();
                t.run(move |c| lite::batch(c, &stmts)).await
            }
        }
    }

    /// Lifts the statement timeout for the rest of this transaction: migrations
    /// (an index over a large table) may rightly take long.
    pub async fn unbounded(&mut self) -> Result<(), DbError> {
        match self {
            Tx::Pg(t) => {
                t.run(|c| async move {
                    Ok(c.batch_execute("SET LOCAL statement_timeout = 0").await?)
                })
                .await
            }
            Tx::Lite(t) => {
                t.timeout = None;
                t.on = On::Blocking;
                Ok(())
            }
        }
    }

    pub async fn commit(mut self) -> Result<(), DbError> {
        match &mut self {
            Tx::Pg(t) => {
                let c = t.client.take().ok_or_else(Self::gone)?;
                if !t.begun {
                    return Ok(()); // nothing ran: the connection goes back as it was
                }
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
                // A failed COMMIT leaves the transaction open; the writer guard rolls
                // it back when dropped.
                t.run(|c| Ok(c.execute_batch("COMMIT")?)).await?;
                t.conn.take();
                Ok(())
            }
        }
    }
}

impl Drop for PgTx {
    fn drop(&mut self) {
        if let Some(c) = self.client.take().filter(|_| self.begun) {
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

/// Where statements run: directly on the store, or inside a transaction.
pub enum Exec<'a> {
    Store(&'a Store),
    Tx(&'a mut Tx),
}

impl Exec<'_> {
    pub fn dialect(&self) -> Dialect {
        match self {
            Exec::Store(s) => s.dialect(),
            Exec::Tx(t) => t.dialect(),
        }
    }

    pub async fn query(&mut self, sql: &Sql) -> Result<Vec<Row>, DbError> {
        self.rows(sql, Rows::Read).await
    }

    /// A read whose work an index bounds ([`Store::query_keyed`]).
    pub async fn query_keyed(&mut self, sql: &Sql) -> Result<Vec<Row>, DbError> {
        self.rows(sql, Rows::Keyed).await
    }

    /// A data-changing statement that returns rows.
    pub async fn query_write(&mut self, sql: &Sql) -> Result<Vec<Row>, DbError> {
        self.rows(sql, Rows::Write).await
    }

    /// A data-changing statement: on its own (atomic by itself), or in the transaction.
    pub async fn execute(&mut self, sql: &Sql) -> Result<u64, DbError> {
        match self {
            Exec::Store(s) => s.execute(sql).await,
            Exec::Tx(t) => t.execute(sql).await,
        }
    }

    /// Inside a transaction every statement runs on its connection; on the store
    /// the kind of statement picks where.
    async fn rows(&mut self, sql: &Sql, kind: Rows) -> Result<Vec<Row>, DbError> {
        match (self, kind) {
            (Exec::Tx(t), _) => t.query(sql).await,
            (Exec::Store(s), Rows::Read) => s.query(sql).await,
            (Exec::Store(s), Rows::Keyed) => s.query_keyed(sql).await,
            (Exec::Store(s), Rows::Write) => s.query_write(sql).await,
        }
    }
}

/// What a statement that returns rows does.
#[derive(Clone, Copy)]
enum Rows {
    Read,
    Keyed,
    Write,
}
