//! Database access: one connection enum over SQLite and PostgreSQL, an r2d2 pool whose manager
//! picks the backend from the URL (so libpq's own error reaches the operator), per-connection
//! SQLite pragmas, embedded mirrored migrations, and a write transaction that takes SQLite's write
//! lock up front (`BEGIN IMMEDIATE`).

pub mod backup;
pub mod lock;
pub mod schema;
mod unique;

pub use unique::{unique_violated, Unique};

use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::time::Duration;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgres(PgConnection),
    Sqlite(SqliteConnection),
}

pub type Pool = r2d2::Pool<DbManager>;
pub type PooledConnection = r2d2::PooledConnection<DbManager>;

const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// Serialises migrations when several processes start at once against one PostgreSQL.
const MIGRATION_LOCK_KEY: i64 = 0x6772_6f75_7077;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DbKind {
    Sqlite,
    Postgres,
}

impl DbKind {
    pub fn from_url(url: &str) -> Result<DbKind, String> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(DbKind::Postgres)
        } else if url.starts_with("sqlite://") || !url.contains("://") {
            Ok(DbKind::Sqlite)
        } else {
            Err(format!(
                "database URL {url:?} is neither postgres://… nor a SQLite file path"
            ))
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            DbKind::Sqlite => "sqlite",
            DbKind::Postgres => "postgres",
        }
    }
}

#[derive(Debug)]
pub struct ConnectError(pub String);

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConnectError {}

/// An r2d2 manager that opens the right backend and prepares each SQLite connection.
#[derive(Debug, Clone)]
pub struct DbManager {
    url: String,
    kind: DbKind,
}

impl DbManager {
    pub fn new(url: &str) -> Result<Self, String> {
        Ok(Self {
            kind: DbKind::from_url(url)?,
            url: url.to_string(),
        })
    }

    pub fn kind(&self) -> DbKind {
        self.kind
    }

    pub fn open(&self) -> Result<DbConnection, ConnectError> {
        match self.kind {
            DbKind::Postgres => PgConnection::establish(&self.url)
                .map(DbConnection::Postgres)
                .map_err(|e| ConnectError(format!("cannot connect to PostgreSQL: {e}"))),
            DbKind::Sqlite => {
                let path = self.url.strip_prefix("sqlite://").unwrap_or(&self.url);
                let mut conn = SqliteConnection::establish(path)
                    .map_err(|e| ConnectError(format!("cannot open SQLite file {path}: {e}")))?;
                // busy_timeout first: the other pragmas may themselves need to wait for a lock.
                // synchronous=FULL so a confirmed booking survives a power cut.
                conn.batch_execute(
                    "PRAGMA busy_timeout = 5000; PRAGMA journal_mode = WAL; \
                     PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL;",
                )
                .map_err(|e| ConnectError(format!("cannot prepare SQLite file {path}: {e}")))?;
                Ok(DbConnection::Sqlite(conn))
            }
        }
    }
}

impl r2d2::ManageConnection for DbManager {
    type Connection = DbConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConnection, ConnectError> {
        self.open()
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectError> {
        conn.batch_execute("SELECT 1")
            .map_err(|e| ConnectError(e.to_string()))
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

/// Opens one connection (reporting the backend's own error), runs pending migrations on it and
/// builds the pool.
pub fn connect(url: &str, pool_size: u32, timeout: Duration) -> Result<(Pool, DbKind), String> {
    let manager = DbManager::new(url)?;
    let kind = manager.kind();
    let mut conn = manager.open().map_err(|e| e.0)?;
    run_migrations(&mut conn)?;
    drop(conn);
    let pool = r2d2::Pool::builder()
        .max_size(pool_size)
        .min_idle(Some(1))
        .connection_timeout(timeout)
        // Each wait for a connection, for /metrics (`groupwork_db_pool_wait_seconds`).
        .event_handler(Box::new(crate::instruments::PoolWaits))
        .build(manager)
        .map_err(|e| format!("cannot open the database pool: {e}"))?;
    Ok((pool, kind))
}

pub fn run_migrations(conn: &mut DbConnection) -> Result<(), String> {
    let result = match conn {
        DbConnection::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|_| ()),
        DbConnection::Postgres(c) => {
            diesel::sql_query(format!("SELECT pg_advisory_lock({MIGRATION_LOCK_KEY})"))
                .execute(c)
                .map_err(|e| format!("cannot take the migration lock: {e}"))?;
            let r = c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|_| ());
            let _ = diesel::sql_query(format!("SELECT pg_advisory_unlock({MIGRATION_LOCK_KEY})"))
                .execute(c);
            r
        }
    };
    result.map_err(|e| format!("database migration failed: {e}"))
}

/// Runs `f` in a transaction that holds the write lock from its first statement: `BEGIN
/// IMMEDIATE` on SQLite (a deferred transaction that reads then writes fails with SQLITE_BUSY at
/// once, which busy_timeout does not help), an ordinary transaction on PostgreSQL (where the
/// statements inside take row locks or use conditional updates).
pub fn write_transaction<T, E, F>(conn: &mut DbConnection, f: F) -> Result<T, E>
where
    F: FnOnce(&mut DbConnection) -> Result<T, E>,
    E: From<diesel::result::Error>,
{
    if let DbConnection::Sqlite(inner) = conn {
        // Already inside one (a store function called from a handler's write): the outer
        // transaction holds the lock; nest as a savepoint.
        let depth =
            AnsiTransactionManager::transaction_manager_status_mut(inner).transaction_depth()?;
        if depth.is_some() {
            return conn.transaction(f);
        }
        AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
        type Manager = <DbConnection as Connection>::TransactionManager;
        match f(conn) {
            Ok(value) => {
                Manager::commit_transaction(conn)?;
                Ok(value)
            }
            Err(e) => {
                Manager::rollback_transaction(conn)?;
                Err(e)
            }
        }
    } else {
        conn.transaction(f)
    }
}

#[cfg(test)]
mod migration_tests;

#[cfg(test)]
mod tests {
    use super::*;

    /// A connection to a new SQLite file in its own temporary folder (removed by the caller).
    pub(super) fn temp_sqlite(name: &str) -> (std::path::PathBuf, DbConnection) {
        let dir = std::env::temp_dir().join(format!("gw_{name}_{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = dir.join("test.db").to_string_lossy().into_owned();
        let c = DbManager::new(&url)
            .unwrap()
            .open()
            .map_err(|e| e.0)
            .unwrap();
        (dir, c)
    }

    #[test]
    fn write_transactions_nest_and_an_inner_failure_rolls_back_only_itself() {
        let (dir, mut c) = temp_sqlite("nest");
        c.batch_execute("CREATE TABLE t (n INTEGER NOT NULL)")
            .unwrap();
        let out: Result<(), diesel::result::Error> = write_transaction(&mut c, |c| {
            c.batch_execute("INSERT INTO t VALUES (1)")?;
            let inner: Result<(), diesel::result::Error> = write_transaction(c, |c| {
                c.batch_execute("INSERT INTO t VALUES (2)")?;
                Err(diesel::result::Error::RollbackTransaction)
            });
            assert!(inner.is_err());
            write_transaction(c, |c| c.batch_execute("INSERT INTO t VALUES (3)"))
        });
        out.unwrap();
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = diesel::sql_types::Integer)]
            n: i32,
        }
        let rows: Vec<N> = diesel::sql_query("SELECT n FROM t ORDER BY n")
            .load(&mut c)
            .unwrap();
        assert_eq!(rows.iter().map(|r| r.n).collect::<Vec<_>>(), [1, 3]);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
