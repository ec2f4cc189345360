//! Background WAL checkpoints for SQLite.
//!
//! By default SQLite checkpoints inside the commit that pushes the WAL past 1000
//! pages: that one request copies the WAL into the database file and fsyncs both
//! while every other writer waits behind the single writer connection — the write
//! stalls at p99 measured in issue 8. Here the writer never checkpoints
//! (`wal_autocheckpoint = 0`); it only marks its store dirty after a commit, and one
//! process-wide thread runs `PRAGMA wal_checkpoint(PASSIVE)` on a connection of its
//! own for every dirty store, every [`TICK`]. A passive checkpoint takes no writer
//! lock, so commits carry on while it copies and syncs.
//!
//! The WAL file only starts over once a checkpoint has copied *all* of it, which a
//! passive pass never does while commits keep arriving: left alone, the WAL would
//! grow without bound under steady writes. So when it passes
//! [`Thresholds::restart`] pages the job holds the writer for one `RESTART`
//! checkpoint: it copies only the tail the passive passes have not (a few ms, once
//! per few hundred MB written) and the next commit writes from the start of the file
//! again. The file keeps its size while it is reused (shrinking it under load, as
//! `journal_size_limit` does, cost 50–100 ms stalls at p99 in the benchmark); once
//! writes pause, an oversized WAL is truncated.
//!
//! Both passes that hold the writer wait at most [`READER_WAIT`] for readers on an
//! old snapshot; if they are still there, the next run tries again.
//!
//! The thread holds stores weakly: a closed store drops out of the list, an idle one
//! costs one flag read per tick.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::Mutex as AsyncMutex;

use crate::error::DbError;
use crate::lite::LiteConn;

/// How often the checkpoint thread looks for dirty stores.
const TICK: Duration = Duration::from_millis(50);

/// How long a pass that holds the writer waits for readers of an old snapshot.
const READER_WAIT: Duration = Duration::from_millis(20);

/// WAL sizes, in pages (4 KiB), that make the job act.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Thresholds {
    /// Past this the WAL starts over (under the writer).
    pub restart: i64,
    /// Past this the WAL file is truncated once writes pause.
    pub shrink: i64,
}

impl Thresholds {
    /// 256 MiB before a restart, truncation above 64 MiB.
    pub(crate) const DEFAULT: Thresholds = Thresholds {
        restart: 65_536,
        shrink: 16_384,
    };
}

/// What one checkpoint did: WAL frames in the log and frames copied into the
/// database (equal when nothing pinned older frames); `busy` when readers or a
/// writer kept it from finishing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Checkpointed {
    pub busy: bool,
    pub log: i64,
    pub copied: i64,
}

/// The checkpoint connection and whether the WAL file grew past the shrink size.
struct Checkpointer {
    conn: Connection,
    oversized: bool,
}

/// One store's checkpoint side: its own connection, the writer's dirty flag and
/// the writer itself (held only to restart or truncate the WAL).
pub(crate) struct Wal {
    state: Mutex<Checkpointer>,
    dirty: Arc<AtomicBool>,
    writer: Arc<AsyncMutex<LiteConn>>,
}

impl Wal {
    /// Opens the checkpoint connection and (when `watched`) registers it with the
    /// checkpoint thread.
    pub(crate) fn open(
        path: &Path,
        dirty: Arc<AtomicBool>,
        writer: Arc<AsyncMutex<LiteConn>>,
        watched: bool,
    ) -> Result<Arc<Wal>, DbError> {
        let conn = Connection::open(path)?;
        conn.busy_timeout(READER_WAIT)?;
        let wal = Arc::new(Wal {
            state: Mutex::new(Checkpointer {
                conn,
                oversized: false,
            }),
            dirty,
            writer,
        });
        if watched {
            register(Arc::downgrade(&wal));
        }
        Ok(wal)
    }

    /// The checkpoint job. After commits: a passive pass, and a restart past
    /// `at.restart` pages. With no commit since the last run: truncates a WAL that
    /// grew past `at.shrink`, else nothing (`None`). Blocks: call it from a plain
    /// thread, never from an async task.
    pub(crate) fn run(&self, at: Thresholds) -> Result<Option<Checkpointed>, DbError> {
        let mut st = self
            .state
            .lock()
            .map_err(|_| DbError::Other("checkpoint connection poisoned".into()))?;
        if !self.dirty.swap(false, Ordering::AcqRel) {
            if !st.oversized {
                return Ok(None);
            }
            let _writer = self.writer.blocking_lock();
            let done = checkpoint(&st.conn, "TRUNCATE")?;
            st.oversized = done.busy;
            return Ok(Some(done));
        }
        let done = checkpoint(&st.conn, "PASSIVE")?;
        st.oversized |= done.log >= at.shrink;
        if done.log < at.restart {
            return Ok(Some(done));
        }
        // No commit may land between copying the tail and starting over.
        let _writer = self.writer.blocking_lock();
        let done = checkpoint(&st.conn, "RESTART")?;
        if done.busy {
            // Readers held on; try again on the next run.
            self.dirty.store(true, Ordering::Release);
        }
        Ok(Some(done))
    }
}

/// One `PRAGMA wal_checkpoint(<mode>)`; `mode` is one of the fixed names above.
fn checkpoint(c: &Connection, mode: &str) -> Result<Checkpointed, DbError> {
    let (busy, log, copied) = c.query_row(&format!("PRAGMA wal_checkpoint({mode})"), [], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, i64>(2)?,
        ))
    })?;
    Ok(Checkpointed {
        busy: busy != 0,
        log,
        copied,
    })
}

/// Sets the writer connection up for background checkpoints.
pub(crate) fn configure_writer(c: &Connection) -> Result<(), DbError> {
    c.pragma_update(None, "wal_autocheckpoint", 0)?;
    Ok(())
}

fn registry() -> &'static Mutex<Vec<Weak<Wal>>> {
    static STORES: OnceLock<Mutex<Vec<Weak<Wal>>>> = OnceLock::new();
    STORES.get_or_init(|| {
        // The thread lives as long as the process; it only ever sleeps or checkpoints.
        if let Err(e) = std::thread::Builder::new()
            .name("sqlite-checkpoint".into())
            .spawn(checkpoint_loop)
        {
            tracing::error!("cannot start the SQLite checkpoint thread: {e}");
        }
        Mutex::new(Vec::new())
    })
}

fn register(w: Weak<Wal>) {
    if let Ok(mut list) = registry().lock() {
        list.push(w);
    }
}

fn checkpoint_loop() {
    loop {
        std::thread::sleep(TICK);
        let live: Vec<Arc<Wal>> = match registry().lock() {
            Ok(mut list) => {
                list.retain(|w| w.strong_count() > 0);
                list.iter().filter_map(Weak::upgrade).collect()
            }
            Err(_) => return,
        };
        for wal in live {
            if let Err(e) = wal.run(Thresholds::DEFAULT) {
                // The next tick retries; SQLite still checkpoints on close.
                wal.dirty.store(true, Ordering::Release);
                tracing::warn!("SQLite checkpoint failed: {e}");
            }
        }
    }
}
