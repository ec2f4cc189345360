use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rocket_sql::{Param, Sql};
use rusqlite::types::{ToSqlOutput, Value as LiteValue, ValueRef};
use rusqlite::Connection;
use tokio::sync::{Mutex as AsyncMutex, OwnedMutexGuard, Semaphore};

use crate::error::DbError;
use crate::row::{Cell, Row};

const READERS: usize = 4;
const BUSY_TIMEOUT: Duration = Duration::from_millis(5000);
const STATEMENT_CACHE: usize = 256;

/// One SQLite file: one writer (serialised, so a transaction never interleaves with
/// another request's statements) and a few readers.
#[derive(Clone)]
pub struct LiteStore {
    writer: Arc<AsyncMutex<Connection>>,
    readers: Arc<Mutex<Vec<Connection>>>,
    permits: Arc<Semaphore>,
    path: PathBuf,
}

fn open(path: &Path) -> Result<Connection, DbError> {
    let c = Connection::open(path)?;
    c.busy_timeout(BUSY_TIMEOUT)?;
    c.pragma_update(None, "journal_mode", "WAL")?;
    c.pragma_update(None, "foreign_keys", "ON")?;
    c.pragma_update(None, "synchronous", "NORMAL")?;
    c.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    Ok(c)
}

impl LiteStore {
    pub fn open(path: &Path) -> Result<LiteStore, DbError> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)
                .map_err(|e| DbError::Other(format!("create {}: {e}", dir.display())))?;
        }
        let writer = open(path)?;
        let mut readers = Vec::with_capacity(READERS);
        for _ in 0..READERS {
            readers.push(open(path)?);
        }
        Ok(LiteStore {
            writer: Arc::new(AsyncMutex::new(writer)),
            readers: Arc::new(Mutex::new(readers)),
            permits: Arc::new(Semaphore::new(READERS)),
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` on a reader connection.
    pub(crate) async fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, DbError>,
    ) -> Result<T, DbError> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| DbError::Other("store closed".into()))?;
        let conn = {
            let mut pool = self
                .readers
                .lock()
                .map_err(|_| DbError::Other("reader pool poisoned".into()))?;
            pool.pop()
        };
        let Some(conn) = conn else {
            return Err(DbError::Other("no reader connection".into()));
        };
        let res = f(&conn);
        if let Ok(mut pool) = self.readers.lock() {
            pool.push(conn);
        }
        res
    }

    pub(crate) async fn writer(&self) -> OwnedMutexGuard<Connection> {
        self.writer.clone().lock_owned().await
    }
}

fn bind_value(p: &Param) -> ToSqlOutput<'_> {
    match p {
        Param::Null => ToSqlOutput::Owned(LiteValue::Null),
        Param::Bool(b) => ToSqlOutput::Owned(LiteValue::Integer(i64::from(*b))),
        Param::Int(i) => ToSqlOutput::Owned(LiteValue::Integer(*i)),
        Param::Float(f) => ToSqlOutput::Owned(LiteValue::Real(*f)),
        Param::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
        // Lists are expanded into one placeholder per item by the builder on SQLite.
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
