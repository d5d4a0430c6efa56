//! The pieces every fault test needs: a real `groupwork serve` child process, a database of its
//! own (a temporary SQLite file or a fresh PostgreSQL database), an HTTP client with a timeout,
//! and the NOT TESTED rule (say so loudly; fail when CI=true).

use diesel::{Connection, PgConnection, RunQueryDsl};
use std::fs::File;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const JWT_SECRET: &str = "fault-secret-0123456789abcdef0123456789abcdef";

/// A blocking client that never waits more than 10 s for an answer: a hang is a failure.
pub fn client() -> reqwest::blocking::Client {
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
    Sqlite {
        dir: PathBuf,
        url: String,
    },
    Postgres {
        admin: String,
        name: String,
        url: String,
    },
}

impl TestDb {
    pub fn sqlite(tag: &str) -> TestDb {
        let dir = std::env::temp_dir().join(unique(tag));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let url = dir.join("groupwork.db").to_string_lossy().into_owned();
        TestDb::Sqlite { dir, url }
    }

    /// A fresh database on GROUPWORK_TEST_POSTGRES_URL; `None` (NOT TESTED) without PostgreSQL.
    pub fn postgres(tag: &str) -> Option<TestDb> {
        let admin = std::env::var("GROUPWORK_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
        let mut conn = match PgConnection::establish(&admin) {
            Ok(c) => c,
            Err(e) => return not_tested(&format!("PostgreSQL: cannot connect to {admin}: {e}")),
        };
        let name = unique(tag);
        diesel::sql_query(format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .expect("create test database");
        let (head, tail) = admin.rsplit_once('/').expect("URL names a database");
        let query = tail.split_once('?').map(|(_, q)| format!("?{q}"));
        let url = format!("{head}/{name}{}", query.unwrap_or_default());
        Some(TestDb::Postgres { admin, name, url })
    }

    pub fn url(&self) -> &str {
        match self {
            TestDb::Sqlite { url, .. } | TestDb::Postgres { url, .. } => url,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match self {
            TestDb::Sqlite { dir, .. } => {
                let _ = std::fs::remove_dir_all(dir);
            }
            TestDb::Postgres { admin, name, .. } => {
                if let Ok(mut c) = PgConnection::establish(admin) {
                    let _ =
                        diesel::sql_query(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut c);
                }
            }
        }
    }
}

/// A real `groupwork serve` child; SIGKILLed (and its log removed) when dropped.
pub struct Server {
    child: Child,
    pub base: String,
    log: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_file(&self.log);
    }
}

impl Server {
    /// Starts `groupwork serve` on a free loopback port with `env` on top of the defaults below,
    /// and waits (30 s at most) until `/health` answers. A port taken between probing and
    /// binding is retried on another.
    pub fn start(database_url: &str, env: &[(&str, &str)], name: &str) -> Server {
        for _ in 0..3 {
            let mut server = Self::spawn(database_url, env, name);
            if server.ready() {
                return server;
            }
            if !server.log_text().contains("cannot listen") {
                panic!("server {name} did not start:\n{}", server.log_text());
            }
        }
        panic!("server {name}: no free port in three tries");
    }

    fn spawn(database_url: &str, env: &[(&str, &str)], name: &str) -> Server {
        // Port 0 finds a free port; the listener is dropped so the child can bind it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free loopback port")
            .port();
        let log = std::env::temp_dir().join(format!("{}-{name}-{port}.log", unique("log")));
        let out = File::create(&log).expect("server log file");
        let err = out.try_clone().expect("server log file");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_groupwork"));
        // The developer's own GROUPWORK_* settings must not leak into the children.
        for (key, _) in std::env::vars().filter(|(k, _)| k.starts_with("GROUPWORK_")) {
            cmd.env_remove(key);
        }
        cmd.arg("serve")
            .env("GROUPWORK_DATABASE_URL", database_url)
            .env("GROUPWORK_BIND", format!("127.0.0.1:{port}"))
            .env("GROUPWORK_JWT_SECRET", JWT_SECRET)
            .env("GROUPWORK_LOG", "warn")
            .env("GROUPWORK_WORKERS", "2")
            .env("GROUPWORK_RETENTION_DAILY", "false");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.stdin(Stdio::null()).stdout(out).stderr(err);
        Server {
            child: cmd.spawn().expect("start groupwork serve"),
            base: format!("http://127.0.0.1:{port}"),
            log,
        }
    }

    /// Whether `/health` answered 200 within 30 s; false as soon as the process has exited.
    fn ready(&mut self) -> bool {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(2))
            .build()
            .expect("client");
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return false;
            }
            let health = client.get(format!("{}/health", self.base)).send();
            if health.is_ok_and(|r| r.status() == 200) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        panic!(
            "{} did not answer /health within 30 s:\n{}",
            self.base,
            self.log_text()
        );
    }

    /// SIGKILL (what `Child::kill` sends on Unix): no shutdown hook, no flush, no goodbye.
    pub fn kill9(&mut self) {
        self.child.kill().expect("SIGKILL the server");
        self.child.wait().expect("reap the server");
    }

    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
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
