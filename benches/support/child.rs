//! Servers as child processes: groupwork (`target/release/groupwork serve`) on a fresh database,
//! and the reference server (this bench binary run again with `reference-server`). A child has
//! its own runtime, so the load generator does not share it, and its peak RSS can be read.

use super::pg_template::{PgDb, PgError};
use super::server::{Backend, StartError};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const JWT_SECRET: &str = "bench-secret-0123456789abcdef0123456789abcdef";

/// A fresh database for one backend, removed on drop: a SQLite file in a temporary directory, or
/// a PostgreSQL database copied from the migrated template (`tests/common/pg_template.rs`).
pub enum FreshDb {
    Sqlite { dir: PathBuf, url: String },
    Postgres(PgDb),
}

impl FreshDb {
    /// `StartError::Unavailable`: PostgreSQL is not there (not measured).
    pub fn create(backend: Backend, tag: &str) -> Result<FreshDb, StartError> {
        let name = format!("groupwork_bench_{tag}_{}", std::process::id());
        match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).map_err(|e| {
                    StartError::Failed(format!("cannot create {}: {e}", dir.display()))
                })?;
                let url = dir.join("groupwork.db").to_string_lossy().into_owned();
                Ok(FreshDb::Sqlite { dir, url })
            }
            Backend::Postgres => match PgDb::create(&name) {
                Ok(db) => Ok(FreshDb::Postgres(db)),
                Err(PgError::Unavailable(why)) => Err(StartError::Unavailable(why)),
                Err(PgError::Failed(e)) => Err(StartError::Failed(e)),
            },
        }
    }

    pub fn url(&self) -> &str {
        match self {
            FreshDb::Sqlite { url, .. } => url,
            FreshDb::Postgres(db) => db.url(),
        }
    }
}

impl Drop for FreshDb {
    fn drop(&mut self) {
        // A PgDb drops its database itself (WITH FORCE: a pool may still hold connections).
        if let FreshDb::Sqlite { dir, .. } = self {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A server child process on a loopback port, killed on drop.
pub struct ServerChild {
    pub addr: String,
    child: Child,
}

impl ServerChild {
    pub fn base(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Starts the peak resident set size (VmHWM) again from the current one (Linux: writing 5
    /// to `/proc/PID/clear_refs`), so the next peak is that of what runs after.
    pub fn reset_peak_rss(&self) -> Result<(), String> {
        std::fs::write(format!("/proc/{}/clear_refs", self.child.id()), "5")
            .map_err(|e| format!("cannot reset the peak RSS: {e}"))
    }

    /// Peak resident set size so far (VmHWM), in MiB.
    pub fn peak_rss_mib(&self) -> Option<f64> {
        self.status_mib("VmHWM:")
    }

    /// Resident set size now (VmRSS), in MiB.
    pub fn rss_mib(&self) -> Option<f64> {
        self.status_mib("VmRSS:")
    }

    fn status_mib(&self, field: &str) -> Option<f64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id())).ok()?;
        let kb: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix(field))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kb / 1024.0)
    }
}

impl Drop for ServerChild {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free loopback port (released just before the child binds it).
pub fn free_addr() -> Result<String, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.to_string())
}

/// `groupwork serve` on `db` with `workers` HTTP workers, rate limits out of the way.
pub fn groupwork(db: &FreshDb, workers: usize, pool: u32) -> Result<ServerChild, String> {
    groupwork_on(db.url(), workers, pool)
}

/// `groupwork serve` on the database at `url` (one another process may share, on PostgreSQL).
pub fn groupwork_on(url: &str, workers: usize, pool: u32) -> Result<ServerChild, String> {
    let addr = free_addr()?;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_groupwork"));
    cmd.arg("serve")
        .env("GROUPWORK_DATABASE_URL", url)
        .env("GROUPWORK_BIND", &addr)
        .env("GROUPWORK_JWT_SECRET", JWT_SECRET)
        .env("GROUPWORK_LOG", "warn")
        .env("GROUPWORK_WORKERS", workers.to_string())
        .env("GROUPWORK_POOL_SIZE", pool.to_string())
        .env("GROUPWORK_LOGIN_FAILURES_PER_ACCOUNT", "1000")
        .env("GROUPWORK_LOGIN_ATTEMPTS_PER_ADDRESS", "100000")
        .env("GROUPWORK_REGISTRATIONS_PER_ADDRESS", "100000")
        .env("GROUPWORK_BOOKINGS_PER_MINUTE", "10000")
        .env("GROUPWORK_RETENTION_DAILY", "false")
        // The confirmations a burst causes are written as files (no mail server here), outside
        // the working tree.
        .env(
            "GROUPWORK_MAIL_DIR",
            std::env::temp_dir().join(format!("gw-bench-mail-{}", std::process::id())),
        );
    spawn(cmd, addr, "/health")
}

/// The reference server: this bench binary again, answering `GET /` with `size` bytes of JSON.
pub fn reference(size: usize, workers: usize) -> Result<ServerChild, String> {
    let addr = free_addr()?;
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(exe);
    cmd.args([
        "reference-server",
        &addr,
        &size.to_string(),
        &workers.to_string(),
    ]);
    spawn(cmd, addr, "/")
}

fn spawn(mut cmd: Command, addr: String, ready: &str) -> Result<ServerChild, String> {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot start {:?}: {e}", cmd.get_program()))?;
    let mut server = ServerChild { addr, child };
    let until = Instant::now() + Duration::from_secs(30);
    while Instant::now() < until {
        if let Ok(Some(status)) = server.child.try_wait() {
            return Err(format!("{:?} exited: {status}", cmd.get_program()));
        }
        if TcpStream::connect(&server.addr).is_ok()
            && super::load::body_length(&server.addr, ready).is_ok()
        {
            return Ok(server);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = server.child.kill();
    Err(format!(
        "{:?} did not answer {ready} within 30 s",
        cmd.get_program()
    ))
}
