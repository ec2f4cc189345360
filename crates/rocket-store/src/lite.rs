//! SQLite: one writer connection (serialised, so a transaction never interleaves with
//! another request's statements) and a few readers, in WAL mode.
//!
//! Every statement runs on tokio's blocking pool, never on an async worker: a slow
//! query must not stall unrelated requests (or `/health`). Each connection carries a
//! deadline that a progress handler checks, which is how the statement timeout
//! cancels a runaway query.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rocket_sql::{Param, Sql};
use rusqlite::types::{ToSqlOutput, Value as LiteValue, ValueRef};
use rusqlite::Connection;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard, Semaphore};

use crate::checkpoint::{self, Wal};
use crate::error::DbError;
use crate::options::StoreOptions;
use crate::row::{Cell, Row};

const READERS: usize = 4;
const BUSY_TIMEOUT: Duration = Duration::from_millis(5000);
const STATEMENT_CACHE: usize = 256;
/// VM instructions between two deadline checks (a check is one clock read).
const PROGRESS_OPS: i32 = 2_000;
/// How long a list query may run on an async worker before it moves to the
/// blocking pool ([`On::WorkerFirst`]).
const WORKER_BUDGET: Duration = Duration::from_millis(2);

/// Microseconds since the first use; the deadline clock of every connection.
fn now_micros() -> u64 {
    static START: OnceLock<Instant> = OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_micros() as u64 + 1
}

/// A connection with a statement deadline (0 = none) watched by its progress handler.
pub(crate) struct LiteConn {
    conn: Connection,
    deadline: Arc<AtomicU64>,
    /// The writer's mark for the checkpoint thread (`None` on readers).
    dirty: Option<Arc<AtomicBool>>,
}

impl LiteConn {
    fn open(path: &Path) -> Result<LiteConn, DbError> {
        let c = Connection::open(path)?;
        c.busy_timeout(BUSY_TIMEOUT)?;
        c.pragma_update(None, "journal_mode", "WAL")?;
        c.pragma_update(None, "foreign_keys", "ON")?;
        c.pragma_update(None, "synchronous", "NORMAL")?;
        c.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let deadline = Arc::new(AtomicU64::new(0));
        let watched = deadline.clone();
        c.progress_handler(
            PROGRESS_OPS,
            Some(move || {
                let d = watched.load(Ordering::Relaxed);
                d != 0 && now_micros() > d
            }),
        );
        Ok(LiteConn {
            conn: c,
            deadline,
            dirty: None,
        })
    }

    /// The writer: it never checkpoints itself and marks `dirty` after commits.
    fn open_writer(path: &Path, dirty: Arc<AtomicBool>) -> Result<LiteConn, DbError> {
        let mut w = LiteConn::open(path)?;
        checkpoint::configure_writer(&w.conn)?;
        w.dirty = Some(dirty);
        Ok(w)
    }

    /// Runs `f` with a deadline of `timeout` from now (`None`: unbounded).
    pub(crate) fn run<T>(
        &self,
        timeout: Option<Duration>,
        f: impl FnOnce(&Connection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let d = timeout.map_or(0, |t| now_micros() + t.as_micros() as u64);
        self.deadline.store(d, Ordering::Relaxed);
        let res = f(&self.conn);
        self.deadline.store(0, Ordering::Relaxed);
        if let Some(dirty) = &self.dirty {
            // Outside a transaction every change so far is committed.
            if self.conn.is_autocommit() {
                dirty.store(true, Ordering::Release);
            }
        }
        res
    }

    pub(crate) fn in_transaction(&self) -> bool {
        !self.conn.is_autocommit()
    }
}

/// Exclusive use of the writer. Dropped inside an open transaction (a cancelled
/// request, a lost blocking task), it rolls back first, so the next user of the
/// writer never runs inside someone else's transaction.
pub(crate) struct WriterGuard(OwnedMutexGuard<LiteConn>);

impl WriterGuard {
    pub(crate) fn conn(&self) -> &LiteConn {
        &self.0
    }
}

impl Drop for WriterGuard {
    fn drop(&mut self) {
        if self.0.in_transaction() {
            let _ = self.0.conn.execute_batch("ROLLBACK");
        }
    }
}

#[derive(Clone)]
pub struct LiteStore {
    writer: Arc<AsyncMutex<LiteConn>>,
    readers: Arc<Mutex<Vec<LiteConn>>>,
    permits: Arc<Semaphore>,
    path: PathBuf,
    timeout: Option<Duration>,
    /// Owned here so the checkpoint thread (which holds it weakly) stops
    /// checkpointing once the store is gone.
    #[cfg_attr(not(test), allow(dead_code))]
    wal: Arc<Wal>,
}

/// A reader lent out of the pool. It goes back (and frees its permit) when dropped —
/// on the blocking thread that used it, so a request cancelled while its statement
/// runs cannot lose the connection.
struct Lent {
    conn: Option<LiteConn>,
    pool: Arc<Mutex<Vec<LiteConn>>>,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl Lent {
    fn run<T>(
        &self,
        timeout: Option<Duration>,
        f: impl FnOnce(&Connection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        match &self.conn {
            Some(c) => c.run(timeout, f),
            None => Err(DbError::Other("no reader connection".into())),
        }
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        if let (Some(c), Ok(mut pool)) = (self.conn.take(), self.pool.lock()) {
            pool.push(c);
        }
    }
}

impl LiteStore {
    pub fn open(path: &Path, opts: StoreOptions) -> Result<LiteStore, DbError> {
        LiteStore::open_inner(path, opts, true)
    }

    /// `watched`: whether the background thread checkpoints this store (tests run
    /// the job themselves).
    fn open_inner(path: &Path, opts: StoreOptions, watched: bool) -> Result<LiteStore, DbError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| DbError::Other(format!("create {}: {e}", dir.display())))?;
        }
        let dirty = Arc::new(AtomicBool::new(false));
        let writer = LiteConn::open_writer(path, dirty.clone())?;
        let writer = Arc::new(AsyncMutex::new(writer));
        let wal = Wal::open(path, dirty, writer.clone(), watched)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            readers.push(LiteConn::open(path)?);
        }
        Ok(LiteStore {
            writer,
            readers: Arc::new(Mutex::new(readers)),
            permits: Arc::new(Semaphore::new(READERS)),
            path: path.to_path_buf(),
            timeout: opts.statement_timeout,
            wal,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub(crate) fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Runs the checkpoint job now, as the background thread does every tick.
    #[cfg(test)]
    async fn checkpoint(
        &self,
        at: checkpoint::Thresholds,
    ) -> Result<Option<checkpoint::Checkpointed>, DbError> {
        let wal = self.wal.clone();
        tokio::task::spawn_blocking(move || wal.run(at))
            .await
            .map_err(|e| DbError::Other(e.to_string()))?
    }

    /// Runs `f` on a reader connection, where `on` says.
    pub(crate) async fn read<T, F>(&self, on: On, f: F) -> Result<T, DbError>
    where
        T: Send + 'static,
        F: Fn(&Connection) -> Result<T, DbError> + Send + 'static,
    {
        let lent = self.lend().await?;
        let timeout = self.timeout;
        match on {
            On::Worker => return lent.run(timeout, &f),
            On::WorkerFirst => match lent.run(Some(WORKER_BUDGET), &f) {
                // Over budget: start over on the pool, with the whole timeout.
                Err(DbError::Timeout) => {}
                done => return done,
            },
            On::Blocking => {}
        }
        tokio::task::spawn_blocking(move || lent.run(timeout, &f))
            .await
            .map_err(|e| DbError::Other(e.to_string()))?
    }

    /// A reader connection and its permit, returned to the pool when dropped.
    async fn lend(&self) -> Result<Lent, DbError> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| DbError::Unavailable("store closed".into()))?;
        let conn = self
            .readers
            .lock()
            .map_err(|_| DbError::Other("reader pool poisoned".into()))?
            .pop();
        // A permit guarantees a connection: a missing one was lost to a panic.
        let conn = match conn {
            Some(c) => c,
            None => LiteConn::open(&self.path)?,
        };
        Ok(Lent {
            conn: Some(conn),
            pool: self.readers.clone(),
            _permit: permit,
        })
    }

    pub(crate) async fn writer(&self) -> WriterGuard {
        WriterGuard(self.writer.clone().lock_owned().await)
    }

    /// Runs `f` on the writer, outside any request transaction.
    pub(crate) async fn write<T: Send + 'static>(
        &self,
        timeout: Option<Duration>,
        on: On,
        f: impl FnOnce(&Connection) -> Result<T, DbError> + Send + 'static,
    ) -> Result<T, DbError> {
        let guard = self.writer().await;
        on_writer(guard, timeout, on, f).await.1
    }
}

/// Where a statement runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum On {
    /// On the calling async worker: statements whose work an index bounds (keyed
    /// reads, request writes). A hop to the blocking pool and back costs more than
    /// they do: per statement it cut keyed reads by a fifth and, with the writer
    /// held across both wake-ups, halved write throughput. The statement timeout
    /// still bounds them.
    Worker,
    /// On the calling worker for at most [`WORKER_BUDGET`], then, started over, on
    /// the blocking pool: list queries (any filter, any sort). Almost all finish
    /// within the budget; a slow one stalls its worker no longer than that.
    WorkerFirst,
    /// On the blocking pool: DDL and migrations, which may rightly run long without
    /// stalling other requests.
    Blocking,
}

/// Runs `f` on a held writer and hands the writer back (or `None` when a blocking
/// task was lost; the guard then rolled back on drop).
pub(crate) async fn on_writer<T: Send + 'static>(
    guard: WriterGuard,
    timeout: Option<Duration>,
    on: On,
    f: impl FnOnce(&Connection) -> Result<T, DbError> + Send + 'static,
) -> (Option<WriterGuard>, Result<T, DbError>) {
    if on == On::Worker {
        let r = guard.conn().run(timeout, f);
        return (Some(guard), r);
    }
    let joined = tokio::task::spawn_blocking(move || {
        let r = guard.conn().run(timeout, f);
        (guard, r)
    })
    .await;
    match joined {
        Ok((g, r)) => (Some(g), r),
        Err(e) => (None, Err(DbError::Other(e.to_string()))),
    }
}

fn bind_value(p: &Param) -> ToSqlOutput<'_> {
    match p {
        Param::Null => ToSqlOutput::Owned(LiteValue::Null),
        Param::Bool(b) => ToSqlOutput::Owned(LiteValue::Integer(i64::from(*b))),
        Param::Int(i) => ToSqlOutput::Owned(LiteValue::Integer(*i)),
        Param::Float(f) => ToSqlOutput::Owned(LiteValue::Real(*f)),
        Param::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        // Lists are never bound on SQLite: the builder expands them or binds JSON.
        Param::TextList(v) => ToSqlOutput::Owned(LiteValue::Text(v.join(","))),
    }
}

fn decode(r: &rusqlite::Row<'_>, n: usize) -> Result<Row, rusqlite::Error> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        out.push(match r.get_ref(i)? {
            ValueRef::Null => Cell::Null,
            ValueRef::Integer(i) => Cell::Int(i),
            ValueRef::Real(f) => Cell::Float(f),
            ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
            ValueRef::Blob(b) => Cell::Text(String::from_utf8_lossy(b).into_owned()),
        });
    }
    Ok(out)
}

pub(crate) fn query(c: &Connection, sql: &Sql) -> Result<Vec<Row>, DbError> {
    let mut stmt = c.prepare_cached(&sql.text)?;
    for (i, p) in sql.params.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, bind_value(p))?;
    }
    let n = stmt.column_count();
    let mut rows = stmt.raw_query();
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(decode(r, n)?);
    }
    Ok(out)
}

pub(crate) fn execute(c: &Connection, sql: &Sql) -> Result<u64, DbError> {
    let mut stmt = c.prepare_cached(&sql.text)?;
    for (i, p) in sql.params.iter().enumerate() {
        stmt.raw_bind_parameter(i + 1, bind_value(p))?;
    }
    Ok(stmt.raw_execute()? as u64)
}

pub(crate) fn batch(c: &Connection, stmts: &[String]) -> Result<(), DbError> {
    for s in stmts {
        c.execute_batch(s)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::checkpoint::Thresholds;

    /// Passive passes only.
    const NEVER: Thresholds = Thresholds {
        restart: i64::MAX,
        shrink: i64::MAX,
    };

    fn restart_at(pages: i64) -> Thresholds {
        Thresholds {
            restart: pages,
            ..NEVER
        }
    }

    fn temp_store(opts: StoreOptions) -> (tempfile::TempDir, LiteStore) {
        let dir = tempfile::tempdir().unwrap();
        let s = LiteStore::open(&dir.path().join("t.db"), opts).unwrap();
        (dir, s)
    }

    /// A query counting to `n` (none: forever), for reads that take a while.
    fn count_to(n: Option<u32>) -> String {
        let stop = n.map_or(String::new(), |n| format!(" WHERE x < {n}"));
        format!("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c{stop}) SELECT count(*) FROM c")
    }

    async fn rows(s: &LiteStore, on: On, text: &str) -> Result<Vec<Row>, DbError> {
        let q = sql(text);
        s.read(on, move |c| query(c, &q)).await
    }

    fn sql(text: &str) -> Sql {
        Sql {
            text: text.into(),
            params: vec![],
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn runaway_statements_are_cancelled() {
        let (_dir, s) = temp_store(StoreOptions {
            statement_timeout: Some(Duration::from_millis(200)),
            ..StoreOptions::default()
        });
        // An endless recursive CTE: only the deadline can stop it.
        let started = Instant::now();
        let err = rows(&s, On::Blocking, &count_to(None)).await.unwrap_err();
        assert!(matches!(err, DbError::Timeout), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(3));
        // The connection is usable afterwards.
        assert_eq!(rows(&s, On::Blocking, "SELECT 1").await.unwrap().len(), 1);
    }

    /// A list read over its worker budget starts over on the pool and completes.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn slow_reads_move_to_the_pool() {
        let (_dir, s) = temp_store(StoreOptions::default());
        let started = Instant::now();
        let counted = rows(&s, On::WorkerFirst, &count_to(Some(2_000_000)))
            .await
            .unwrap();
        assert_eq!(counted[0][0], Cell::Int(2_000_000));
        assert!(
            started.elapsed() > WORKER_BUDGET,
            "too fast to test the budget"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cancelled_reads_keep_their_connections() {
        let (_dir, s) = temp_store(StoreOptions::default());
        let long = count_to(Some(300_000));
        for _ in 0..(READERS * 3) {
            // Dropped while the statement runs on the blocking pool.
            let slow = rows(&s, On::Blocking, &long);
            let _ = tokio::time::timeout(Duration::from_millis(1), slow).await;
        }
        for _ in 0..(READERS * 2) {
            assert_eq!(rows(&s, On::Blocking, "SELECT 1").await.unwrap().len(), 1);
        }
    }

    async fn insert(s: &LiteStore, rows: u32) {
        let ins = sql(&format!(
            "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {rows}) \
             INSERT INTO t SELECT hex(randomblob(1000)) FROM n"
        ));
        s.write(None, On::Worker, move |c| execute(c, &ins))
            .await
            .unwrap();
    }

    /// A commit through a writer the test already holds (marks the store dirty).
    fn insert_raw(w: &WriterGuard, rows: u32) {
        let ins = sql(&format!(
            "INSERT INTO t SELECT hex(randomblob(1000)) FROM (SELECT 1 UNION ALL SELECT {rows}) LIMIT {rows}"
        ));
        w.conn().run(None, |c| execute(c, &ins)).unwrap();
    }

    fn wal_bytes(dir: &tempfile::TempDir) -> u64 {
        std::fs::metadata(dir.path().join("t.db-wal"))
            .unwrap()
            .len()
    }

    async fn count(s: &LiteStore) -> Cell {
        let q = sql("SELECT count(*) FROM t");
        s.read(On::Blocking, move |c| query(c, &q)).await.unwrap()[0][0].clone()
    }

    /// A store the background thread does not watch (only the test runs the job),
    /// with ~1500 pages written in 300 commits: past the 1000 pages at which SQLite
    /// would checkpoint inside a commit by default. Returns the WAL size.
    async fn grown_store() -> (tempfile::TempDir, LiteStore, u64) {
        let dir = tempfile::tempdir().unwrap();
        let s = LiteStore::open_inner(&dir.path().join("t.db"), StoreOptions::default(), false)
            .unwrap();
        let ddl = vec!["CREATE TABLE t (a TEXT)".to_string()];
        s.write(None, On::Worker, move |c| batch(c, &ddl))
            .await
            .unwrap();
        assert!(s.checkpoint(NEVER).await.unwrap().is_some());
        assert_eq!(s.checkpoint(NEVER).await.unwrap(), None, "no commit since");
        for _ in 0..300 {
            insert(&s, 10).await;
        }
        let grown = wal_bytes(&dir);
        assert!(
            grown > 1200 * 4096,
            "the writer checkpointed: WAL is {grown} bytes"
        );
        (dir, s, grown)
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn commits_leave_checkpoints_to_the_job() {
        let (dir, s, grown) = grown_store().await;
        // With no commit in between, a passive pass copies everything and the next
        // commit writes from the start of the file again.
        let passive = s.checkpoint(NEVER).await.unwrap().unwrap();
        assert!(
            passive.log > 1200 && passive.copied == passive.log,
            "{passive:?}"
        );
        insert(&s, 1).await;
        let small = s.checkpoint(NEVER).await.unwrap().unwrap();
        assert!(small.log < 10, "{small:?}");
        assert_eq!(wal_bytes(&dir), grown, "reused in place");
        assert_eq!(count(&s).await, Cell::Int(3001));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn pinned_frames_wait_for_a_restart_under_the_writer() {
        let (dir, s, _) = grown_store().await;
        // A reader on an old snapshot pins what a passive pass may copy; once it is
        // gone, a restart pass copies the rest and the WAL starts over.
        let reader = Connection::open(dir.path().join("t.db")).unwrap();
        reader
            .execute_batch("BEGIN; SELECT count(*) FROM t;")
            .unwrap();
        insert(&s, 10).await;
        let pinned = s.checkpoint(NEVER).await.unwrap().unwrap();
        assert!(pinned.copied < pinned.log, "{pinned:?}");
        reader.execute_batch("COMMIT").unwrap();
        insert(&s, 1).await;
        let restart = s.checkpoint(restart_at(pinned.log)).await.unwrap().unwrap();
        assert!(
            !restart.busy && restart.log > pinned.log && restart.copied == restart.log,
            "{restart:?}"
        );
        insert(&s, 1).await;
        let after = s.checkpoint(NEVER).await.unwrap().unwrap();
        assert!(after.log < 10, "{after:?}");

        // Only the restart pass waits for the writer.
        let held = s.writer().await;
        insert_raw(&held, 1);
        assert!(s.checkpoint(NEVER).await.unwrap().is_some());
        insert_raw(&held, 1);
        let job = tokio::spawn({
            let s = s.clone();
            async move { s.checkpoint(restart_at(1)).await }
        });
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(!job.is_finished(), "the restart pass ran beside a writer");
        drop(held);
        let restarted = job.await.unwrap().unwrap().unwrap();
        assert_eq!(restarted.copied, restarted.log);
        assert_eq!(count(&s).await, Cell::Int(3014));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_oversized_wal_shrinks_once_writes_pause() {
        let (dir, s, grown) = grown_store().await;
        let shrink_at = |pages| Thresholds {
            shrink: pages,
            ..NEVER
        };
        let passive = s.checkpoint(shrink_at(1000)).await.unwrap().unwrap();
        assert!(!passive.busy && passive.log > 1000, "{passive:?}");
        assert_eq!(wal_bytes(&dir), grown, "kept while writes go on");
        let truncated = s.checkpoint(shrink_at(1000)).await.unwrap().unwrap();
        assert!(!truncated.busy, "{truncated:?}");
        assert_eq!(wal_bytes(&dir), 0);
        assert_eq!(s.checkpoint(shrink_at(1000)).await.unwrap(), None);
        // Below the shrink size nothing is truncated.
        insert(&s, 1).await;
        assert!(s.checkpoint(shrink_at(1000)).await.unwrap().is_some());
        assert_eq!(s.checkpoint(shrink_at(1000)).await.unwrap(), None);
        assert!(wal_bytes(&dir) > 0);
        assert_eq!(count(&s).await, Cell::Int(3001));
    }

    #[tokio::test]
    async fn a_dropped_writer_guard_rolls_back() {
        let dir = tempfile::tempdir().unwrap();
        let s = LiteStore::open(&dir.path().join("t.db"), StoreOptions::default()).unwrap();
        s.write(None, On::Worker, |c| {
            batch(c, &["CREATE TABLE t (a INTEGER)".into()])
        })
        .await
        .unwrap();
        {
            let g = s.writer().await;
            g.conn()
                .conn
                .execute_batch("BEGIN IMMEDIATE; INSERT INTO t VALUES (1)")
                .unwrap();
        }
        let q = Sql {
            text: "SELECT count(*) FROM t".into(),
            params: vec![],
        };
        let rows = s
            .write(None, On::Worker, move |c| query(c, &q))
            .await
            .unwrap();
        assert_eq!(
            rows[0][0],
            Cell::Int(0),
            "the abandoned insert was rolled back"
        );
    }

    /// The statements the engine sends for a page, a record and its related rows
    /// are prepared once per connection, whatever values they are run with (a bound
    /// LIMIT made SQLite re-prepare on every run).
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn cached_reads_are_not_reprepared() {
        use rocket_meta::FieldType;
        use rocket_sql::{Cond, Dialect, Order, PerGroup, Select};
        let dir = tempfile::tempdir().unwrap();
        let s = LiteStore::open(&dir.path().join("t.db"), StoreOptions::default()).unwrap();
        let ddl = vec![
            "CREATE TABLE \"orders\" (\"id\" TEXT PRIMARY KEY, \"customer_id\" TEXT)".into(),
            "CREATE INDEX \"ix\" ON \"orders\" (\"customer_id\")".into(),
        ];
        s.write(None, On::Worker, move |c| batch(c, &ddl))
            .await
            .unwrap();
        let by = |key: &str| Cond::eq("customer_id", FieldType::Text, Param::Text(key.into()));
        let shapes = move |key: &str, n: i64| {
            let base = Select {
                table: "orders".into(),
                columns: vec!["id".into()],
                conds: vec![by(key)],
                ..Default::default()
            };
            vec![
                Select {
                    order: vec![Order {
                        col: "id".into(),
                        desc: false,
                    }],
                    limit: Some(n),
                    offset: Some(n * 2),
                    ..base.clone()
                },
                Select {
                    per_group: Some(PerGroup {
                        col: "customer_id".into(),
                        order: "id".into(),
                        limit: n,
                    }),
                    ..base
                },
            ]
        };
        let reprepared = s
            .read(On::Worker, move |c| {
                let mut total = 0;
                for shape in 0..2 {
                    for (i, key) in ["a", "b", "c"].iter().enumerate() {
                        let q = shapes(key, 10 + i as i64)
                            .remove(shape)
                            .to_sql(Dialect::Sqlite);
                        query(c, &q)?;
                        total += c
                            .prepare_cached(&q.text)?
                            .get_status(rusqlite::StatementStatus::RePrepare);
                    }
                }
                Ok(total)
            })
            .await
            .unwrap();
        assert_eq!(reprepared, 0);
    }
}
