//! The pieces every fault test needs: a real `groupwork serve` child process, a database of its
//! own (a temporary SQLite file, or a PostgreSQL database copied from the migrated template of
//! `tests/common/pg_template.rs`), an HTTP client with a timeout, and the NOT TESTED rule (say so
//! loudly; fail when CI=true).

use crate::pg_template::{PgDb, PgError};
use std::path::PathBuf;
use std::time::Duration;

pub const JWT_SECRET: &str = "fault-secret-0123456789abcdef0123456789abcdef";

/// A blocking client that never waits more than 10 s for an answer: a hang is a failure.
pub fn client() -> reqwest::blocking::Client {
    groupwork::install_tls_provider();
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .expect("HTTP client")
}

/// A test that could not run: a failure in CI, a loud line elsewhere. Returns `None`.
pub fn not_tested<T>(why: &str) -> Option<T> {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("NOT TESTED (CI=true, so this fails): {why}");
    }
    eprintln!("\n!!! NOT TESTED: {why}\n");
    None
}

fn unique(tag: &str) -> String {
    format!(
        "gw_fault_{tag}_{}_{}",
        std::process::id(),
        &groupwork::auth::tokens::random_secret()[..8]
    )
}

/// A database of the test's own, removed on drop.
pub enum TestDb {
    Sqlite { dir: PathBuf, url: String },
    Postgres(PgDb),
}

impl TestDb {
    pub fn sqlite(tag: &str) -> TestDb {
        let dir = std::env::temp_dir().join(unique(tag));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = dir.join("groupwork.db").to_string_lossy().into_owned();
        TestDb::Sqlite { dir, url }
    }

    /// A migrated database on GROUPWORK_TEST_POSTGRES_URL; `None` (NOT TESTED) without
    /// PostgreSQL.
    pub fn postgres(tag: &str) -> Option<TestDb> {
        match PgDb::create(&unique(tag)) {
            Ok(db) => Some(TestDb::Postgres(db)),
            Err(PgError::Unavailable(why)) => not_tested(&format!("PostgreSQL: {why}")),
            Err(PgError::Failed(e)) => panic!("{e}"),
        }
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } => url,
            TestDb::Postgres(db) => db.url(),
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // A PgDb drops its database itself.
        if let TestDb::Sqlite { dir, .. } = self {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// A real `groupwork serve` child; SIGKILLed (and its log removed) when dropped.
pub use crate::serve_child::ServeChild as Server;

/// Starts `groupwork serve` with the fault tests' secret, the daily retention job off and `env`
/// on top; see [`Server::start`].
pub fn start_server(database_url: &str, env: &[(&str, &str)], name: &str) -> Server {
    let mut all = vec![("GROUPWORK_RETENTION_DAILY", "false")];
    all.extend_from_slice(env);
    Server::start(database_url, JWT_SECRET, &all, &unique("log"), name)
}

/// One answer, read whole so its body can be checked after the fact.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    pub retry_after: Option<String>,
    pub body: serde_json::Value,
}

impl Answer {
    pub fn of(res: reqwest::blocking::Response) -> Answer {
        let header = |name: &str| {
            res.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        let (content_type, retry_after) = (header("content-type"), header("retry-after"));
        Answer {
            status: res.status().as_u16(),
            content_type: content_type.unwrap_or_default(),
            retry_after,
            body: res.json().unwrap_or_default(),
        }
    }

    /// A problem+json answer with `Retry-After`, whose body repeats the status.
    pub fn is_retryable_problem(&self) -> bool {
        self.content_type == "application/problem+json"
            && self.retry_after.is_some()
            && self.body["status"] == self.status
            && self.body["type"]
                .as_str()
                .is_some_and(|t| t.starts_with("/problems/"))
            && self.body["title"].is_string()
    }
}
