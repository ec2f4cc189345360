use std::time::Duration;

use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use rocket_sql::{Param, Sql};
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::NoTls;

use crate::error::DbError;
use crate::options::StoreOptions;
use crate::row::{Cell, Row};

/// Where a Postgres server is; the database name is chosen per store.
#[derive(Debug, Clone)]
pub struct PgConnect {
    pub host: String,
    pub port: u16,
    pub user: String,
    pub password: String,
}

impl PgConnect {
    pub fn config(&self, dbname: &str) -> tokio_postgres::Config {
        self.config_with(dbname, None)
    }

    /// Connection settings; `statement_timeout` bounds every statement of the
    /// connection (a runaway query is cancelled with SQLSTATE 57014).
    fn config_with(
        &self,
        dbname: &str,
        statement_timeout: Option<Duration>,
    ) -> tokio_postgres::Config {
        let mut c = tokio_postgres::Config::new();
        // Text output of timestamps is converted to RFC 3339 UTC; pin the zone.
        let mut options = String::from("-c TimeZone=UTC");
        if let Some(t) = statement_timeout {
            options.push_str(&format!(" -c statement_timeout={}", t.as_millis().max(1)));
        }
        c.host(&self.host)
            .port(self.port)
            .user(&self.user)
            .dbname(dbname)
            .options(&options)
            .connect_timeout(Duration::from_secs(5));
        if !self.password.is_empty() {
            c.password(&self.password);
        }
        c
    }
}

#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
}

impl PgStore {
    /// A pool that opens connections on demand and closes the ones idle longer than
    /// `opts.idle`, so an app nobody uses holds no connection.
    pub fn connect(
        conn: &PgConnect,
        dbname: &str,
        pool_size: usize,
        opts: StoreOptions,
    ) -> Result<PgStore, DbError> {
        let mgr = Manager::from_config(
            conn.config_with(dbname, opts.statement_timeout),
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(mgr)
            .max_size(pool_size.max(1))
            .wait_timeout(Some(opts.pool_wait))
            .create_timeout(Some(Duration::from_secs(5)))
            .runtime(deadpool_postgres::Runtime::Tokio1)
            .build()
            .map_err(|e| DbError::Other(format!("pool: {e}")))?;
        spawn_reaper(&pool, opts.idle);
        Ok(PgStore { pool })
    }

    pub async fn client(&self) -> Result<Object, DbError> {
        Ok(self.pool.get().await?)
    }

    pub fn close(&self) {
        self.pool.close();
    }
}

/// Closes connections unused for `idle`, checking a few times per period; ends with
/// the pool.
fn spawn_reaper(pool: &Pool, idle: Duration) {
    let Ok(rt) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let weak = pool.weak();
    let every = (idle / 4).max(Duration::from_millis(50));
    rt.spawn(async move {
        loop {
            tokio::time::sleep(every).await;
            let Some(pool) = weak.upgrade() else { return };
            if pool.is_closed() {
                return;
            }
            reap(&pool, idle);
        }
    });
}

/// Closes the pooled connections unused for at least `idle`.
fn reap(pool: &Pool, idle: Duration) {
    pool.retain(|_, m| m.last_used() < idle);
}

impl PgStore {
    /// Open connections (idle and in use).
    pub fn size(&self) -> usize {
        self.pool.status().size
    }

    /// The reaper's job, callable with any idle limit (tests use zero).
    pub fn reap_idle(&self, idle: Duration) {
        reap(&self.pool, idle);
    }
}

/// Owned forms of parameters, borrowed as `&dyn ToSql` at execution.
enum Arg {
    Text(Option<String>),
    List(Vec<String>),
}

fn args(params: &[Param]) -> Vec<Arg> {
    params
        .iter()
        .map(|p| match p {
            Param::TextList(v) => Arg::List(v.clone()),
            other => Arg::Text(other.to_pg_text()),
        })
        .collect()
}

fn refs(args: &[Arg]) -> Vec<&(dyn ToSql + Sync)> {
    args.iter()
        .map(|a| match a {
            Arg::Text(s) => s as &(dyn ToSql + Sync),
            Arg::List(v) => v as &(dyn ToSql + Sync),
        })
        .collect()
}

fn decode(row: &tokio_postgres::Row) -> Row {
    let mut out = Vec::with_capacity(row.len());
    for (i, col) in row.columns().iter().enumerate() {
        let ty = col.type_();
        let cell = if *ty == Type::INT8 {
            row.try_get::<_, Option<i64>>(i)
                .ok()
                .flatten()
                .map(Cell::Int)
        } else if *ty == Type::INT4 {
            row.try_get::<_, Option<i32>>(i)
                .ok()
                .flatten()
                .map(|v| Cell::Int(v.into()))
        } else if *ty == Type::BOOL {
            row.try_get::<_, Option<bool>>(i)
                .ok()
                .flatten()
                .map(|v| Cell::Int(v.into()))
        } else if *ty == Type::FLOAT8 {
            row.try_get::<_, Option<f64>>(i)
                .ok()
                .flatten()
                .map(Cell::Float)
        } else {
            row.try_get::<_, Option<String>>(i)
                .ok()
                .flatten()
                .map(Cell::Text)
        };
        out.push(cell.unwrap_or(Cell::Null));
    }
    out
}

pub(crate) async fn query(client: &Object, sql: &Sql) -> Result<Vec<Row>, DbError> {
    let stmt = client.prepare_cached(&sql.text).await?;
    let a = args(&sql.params);
    let rows = client.query(&stmt, &refs(&a)).await?;
    Ok(rows.iter().map(decode).collect())
}

pub(crate) async fn execute(client: &Object, sql: &Sql) -> Result<u64, DbError> {
    let stmt = client.prepare_cached(&sql.text).await?;
    let a = args(&sql.params);
    Ok(client.execute(&stmt, &refs(&a)).await?)
}

/// Two queries on one connection, pipelined (one round trip instead of two).
pub(crate) async fn query_pair(
    client: &Object,
    a: &Sql,
    b: &Sql,
) -> Result<(Vec<Row>, Vec<Row>), DbError> {
    let (sa, sb) = tokio::try_join!(
        client.prepare_cached(&a.text),
        client.prepare_cached(&b.text)
    )?;
    let (aa, ab) = (args(&a.params), args(&b.params));
    let (ra, rb) = (refs(&aa), refs(&ab));
    let (x, y) = tokio::try_join!(client.query(&sa, &ra), client.query(&sb, &rb))?;
    Ok((
        x.iter().map(decode).collect(),
        y.iter().map(decode).collect(),
    ))
}

impl PgConnect {
    /// Runs one statement on the `postgres` maintenance database (CREATE/DROP
    /// DATABASE cannot run inside a pool's transaction-capable connection reuse).
    pub async fn admin_batch(&self, sql: &str) -> Result<(), DbError> {
        let (client, conn) = self.config("postgres").connect(NoTls).await?;
        let driver = tokio::spawn(conn);
        let res = client.batch_execute(sql).await;
        drop(client);
        let _ = driver.await;
        Ok(res?)
    }

    pub async fn database_exists(&self, name: &str) -> Result<bool, DbError> {
        let (client, conn) = self.config("postgres").connect(NoTls).await?;
        let driver = tokio::spawn(conn);
        let res = client
            .query_opt("SELECT 1 FROM pg_database WHERE datname = $1", &[&name])
            .await;
        drop(client);
        let _ = driver.await;
        Ok(res?.is_some())
    }
}
