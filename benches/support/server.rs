//! Starts groupwork in-process on a loopback port against a fresh database (a SQLite file in a
//! temporary directory, or a new PostgreSQL database) and removes that database afterwards.

use actix_web::dev::ServerHandle;
use actix_web::web;
use diesel::{Connection, PgConnection, RunQueryDsl};
use groupwork::{build_state, run_server, AppState, Config, SystemClock};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;
use std::thread::JoinHandle;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub const ALL: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Backend::Sqlite => "SQLite",
            Backend::Postgres => "PostgreSQL",
        }
    }
}

pub enum StartError {
    /// The database server is not there: report it and carry on.
    Unavailable(String),
    Failed(String),
}

pub struct BenchApp {
    pub backend: Backend,
    pub base: String,
    pub state: web::Data<AppState>,
    server: ServerHandle,
    thread: Option<JoinHandle<std::io::Result<()>>>,
    db: Db,
}

enum Db {
    Sqlite(PathBuf),
    Postgres { admin_url: String, name: String },
}

/// The settings a deployment would use (`GROUPWORK_POOL_SIZE`, `GROUPWORK_WORKERS`, … are read
/// as the server reads them), except the database, a fixed secret and no login throttling,
/// which would otherwise slow the seeding.
pub fn config() -> Result<Config, String> {
    let mut c = Config::from_env()?;
    c.jwt_secret = Some("bench-secret-0123456789abcdef0123456789abcdef".into());
    c.login_failures_per_account = 1000;
    c.login_attempts_per_address = 100_000;
    Ok(c)
}

pub fn start(backend: Backend) -> Result<BenchApp, StartError> {
    let mut config = config().map_err(StartError::Failed)?;
    let db = match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("groupwork_bench_{}", std::process::id()));
            std::fs::create_dir_all(&dir)
                .map_err(|e| StartError::Failed(format!("cannot create {}: {e}", dir.display())))?;
            config.database_url = dir.join("groupwork.db").to_string_lossy().into_owned();
            Db::Sqlite(dir)
        }
        Backend::Postgres => {
            let admin_url = std::env::var("GROUPWORK_TEST_POSTGRES_URL")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
            // libpq's message spans lines; one line reads better in the report.
            let mut admin = PgConnection::establish(&admin_url).map_err(|e| {
                let why = e
                    .to_string()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                StartError::Unavailable(format!("cannot connect to {admin_url}: {why}"))
            })?;
            let name = format!("groupwork_bench_{}", std::process::id());
            for sql in [
                format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
                format!("CREATE DATABASE {name}"),
            ] {
                diesel::sql_query(sql)
                    .execute(&mut admin)
                    .map_err(|e| StartError::Failed(format!("cannot create {name}: {e}")))?;
            }
            config.database_url = replace_db_name(&admin_url, &name);
            Db::Postgres { admin_url, name }
        }
    };
    // From here on, dropping `guard` removes the database if start-up fails.
    let guard = DbGuard(Some(db));
    let state = build_state(config, Arc::new(SystemClock)).map_err(StartError::Failed)?;
    let listener = TcpListener::bind("127.0.0.1:0")
        .map_err(|e| StartError::Failed(format!("cannot bind a loopback port: {e}")))?;
    let port = listener
        .local_addr()
        .map_err(|e| StartError::Failed(e.to_string()))?
        .port();
    let server = run_server(state.clone(), listener)
        .map_err(|e| StartError::Failed(format!("cannot start the server: {e}")))?;
    let handle = server.handle();
    let thread = std::thread::spawn(move || actix_web::rt::System::new().block_on(server));
    Ok(BenchApp {
        backend,
        base: format!("http://127.0.0.1:{port}"),
        state,
        server: handle,
        thread: Some(thread),
        db: guard.take(),
    })
}

pub fn replace_db_name(url: &str, name: &str) -> String {
    let (head, tail) = url.rsplit_once('/').unwrap_or((url, ""));
    let query = tail
        .split_once('?')
        .map(|(_, q)| format!("?{q}"))
        .unwrap_or_default();
    format!("{head}/{name}{query}")
}

impl Drop for BenchApp {
    fn drop(&mut self) {
        // Not graceful: the clients are done, and idle keep-alive connections would hold a
        // graceful stop for the whole shutdown timeout.
        drop(self.server.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        remove(&self.db);
    }
}

struct DbGuard(Option<Db>);

impl DbGuard {
    fn take(mut self) -> Db {
        self.0.take().expect("taken once")
    }
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        if let Some(db) = &self.0 {
            remove(db);
        }
    }
}

fn remove(db: &Db) {
    match db {
        Db::Sqlite(dir) => {
            let _ = std::fs::remove_dir_all(dir);
        }
        Db::Postgres { admin_url, name } => {
            // FORCE: the app's pool may still hold connections.
            if let Ok(mut c) = PgConnection::establish(admin_url) {
                let _ = diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                    .execute(&mut c);
            }
        }
    }
}
