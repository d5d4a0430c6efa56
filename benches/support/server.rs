//! Starts groupwork in-process on a loopback port against a fresh database (a [`FreshDb`]: a
//! SQLite file in a temporary directory, or a PostgreSQL database copied from the migrated
//! template) and removes that database afterwards.

use super::child::FreshDb;
use actix_web::dev::ServerHandle;
use actix_web::web;
use groupwork::{build_state, run_server, AppState, Config, SystemClock};
use std::net::TcpListener;
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
    /// Removed after the server has stopped (fields drop after `Drop::drop`).
    _db: FreshDb,
}

/// The settings a deployment would use (`GROUPWORK_POOL_SIZE`, `GROUPWORK_WORKERS`, … are read
/// as the server reads them), except the database, a fixed secret and no login throttling,
/// which would otherwise slow the seeding.
pub fn config() -> Result<Config, String> {
    let mut c = Config::from_env()?;
    c.jwt_secret = Some("bench-secret-0123456789abcdef0123456789abcdef".into());
    c.login_failures_per_account = 1000;
    c.login_attempts_per_address = 100_000;
    c.registrations_per_address = 100_000;
    Ok(c)
}

pub fn start(backend: Backend) -> Result<BenchApp, StartError> {
    start_with(backend, |_| {})
}

/// As [`start`], with some settings changed first.
pub fn start_with(
    backend: Backend,
    change: impl FnOnce(&mut Config),
) -> Result<BenchApp, StartError> {
    let mut config = config().map_err(StartError::Failed)?;
    change(&mut config);
    // Removed again when `db` is dropped, also if start-up fails below.
    let db = FreshDb::create(backend, "inproc")?;
    config.database_url = db.url().to_string();
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
        _db: db,
    })
}

impl Drop for BenchApp {
    fn drop(&mut self) {
        // Not graceful: the clients are done, and idle keep-alive connections would hold a
        // graceful stop for the whole shutdown timeout.
        drop(self.server.stop(false));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
