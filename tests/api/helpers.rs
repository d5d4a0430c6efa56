//! Starts the real app on a loopback port against a real database: a temporary SQLite file, or a
//! PostgreSQL database per test (on GROUPWORK_TEST_POSTGRES_URL), copied from a migrated template
//! (`tests/common/pg_template.rs`). Without PostgreSQL the PostgreSQL variants say loudly that
//! they did not run; with CI=true they fail instead.

use crate::pg_template::{PgDb, PgError};
use actix_web::web;
use chrono::{DateTime, Utc};
use groupwork::domain::role::Role;
use groupwork::messages::worker::Worker;
use groupwork::{build_state, run_server, store, AppState, Config, ManualClock};
use reqwest::blocking::{Client, RequestBuilder, Response};
use reqwest::Method;
use serde_json::{json, Value};
use std::net::TcpListener;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

pub const JWT_SECRET: &str = "test-secret-0123456789abcdef0123456789abcdef";
pub const PASSWORD: &str = "a long memorable phrase";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub client: Client,
    pub clock: Arc<ManualClock>,
    pub state: web::Data<AppState>,
    /// The delivery worker running beside the server (`Config::delivery`), for tests that also
    /// drive a pass themselves.
    pub worker: Option<Worker>,
    server: actix_web::dev::ServerHandle,
    _db: TestDb,
}

enum TestDb {
    Sqlite(#[allow(dead_code)] tempfile_dir::TempDir),
    Postgres(PgDb),
}

/// A directory removed on drop (enough of `tempfile` for one SQLite file and its WAL).
mod tempfile_dir {
    pub struct TempDir(pub std::path::PathBuf);
    impl TempDir {
        pub fn path(&self) -> &std::path::Path {
            &self.0
        }
    }
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // The database (a PgDb, dropped WITH FORCE) goes after this, with the fields.
        drop(self.server.stop(false));
    }
}

pub use crate::pg_template::admin_url as postgres_admin_url;

fn unique_name() -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    format!(
        "gw_test_{}_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst),
        &groupwork::auth::tokens::random_secret()[..8]
    )
}

/// A folder of the test's own, removed when dropped. Named uniquely per process and call:
/// a test's SQLite and PostgreSQL runs go side by side and must not share one.
pub fn scratch_dir(tag: &str) -> tempfile_dir::TempDir {
    let dir = std::env::temp_dir().join(format!("{}_{tag}", unique_name()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    tempfile_dir::TempDir(dir)
}

/// 2026-03-02, a Monday before the spring clock change: tests start from a fixed instant.
pub fn start_instant() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-03-02T09:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// Runs `test` against `backend`, or reports why it could not.
pub fn run_on(backend: Backend, test: fn(TestApp)) {
    if let Some(app) = spawn(backend, |_| {}) {
        test(app);
    }
}

/// Starts an app; `tune` may change its configuration first. `None` only when PostgreSQL is
/// missing outside CI.
pub fn spawn(backend: Backend, tune: impl FnOnce(&mut Config)) -> Option<TestApp> {
    let mut config = Config {
        jwt_secret: Some(JWT_SECRET.to_string()),
        pool_size: 4,
        workers: 2,
        log: "warn".into(),
        // No delivery worker unless a test asks for one (`c.delivery = true`); its messages
        // then go where the test says (an SMTP server, Notify), or as files in the test's own
        // folder, never into the working tree.
        delivery: false,
        // Tests register many parents from 127.0.0.1; the registration limit has its own test.
        registrations_per_address: 100_000,
        mail_dir: std::env::temp_dir()
            .join(format!("{}_mail", unique_name()))
            .to_string_lossy()
            .into_owned(),
        ..Config::default()
    };
    let db = match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(unique_name());
            std::fs::create_dir_all(&dir).expect("temp dir");
            config.database_url = dir.join("groupwork.db").to_string_lossy().into_owned();
            TestDb::Sqlite(tempfile_dir::TempDir(dir))
        }
        Backend::Postgres => match PgDb::create(&unique_name()) {
            Ok(db) => {
                config.database_url = db.url().to_string();
                TestDb::Postgres(db)
            }
            Err(PgError::Unavailable(why)) => {
                if std::env::var("CI").is_ok_and(|v| v == "true") {
                    panic!("PostgreSQL tests could not run (CI=true): {why}");
                }
                eprintln!("\n!!! PostgreSQL NOT TESTED: {why}\n");
                return None;
            }
            Err(PgError::Failed(e)) => panic!("{e}"),
        },
    };
    tune(&mut config);
    let clock = Arc::new(ManualClock::new(start_instant()));
    let state = build_state(config, clock.clone()).expect("app state");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    let port = listener.local_addr().unwrap().port();
    let server = run_server(state.clone(), listener).expect("server");
    let handle = server.handle();
    // The delivery worker, as `serve` runs it, when the test turned delivery on.
    let worker = state
        .config
        .delivery
        .then(|| Worker::from_config(&state.services, &state.config).expect("delivery worker"));
    let running = worker.clone();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            if let Some(w) = running {
                actix_web::rt::spawn(w.run());
            }
            server.await
        })
    });
    Some(TestApp {
        base: format!("http://127.0.0.1:{port}"),
        client: Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        clock,
        state,
        worker,
        server: handle,
        _db: db,
    })
}

/// Runs `test` against `backend` on an app whose settings `tune` changed first.
pub fn run_tuned_on(backend: Backend, tune: fn(&mut Config), test: fn(TestApp)) {
    if let Some(app) = spawn(backend, tune) {
        test(app);
    }
}

/// Declares a test that runs once on SQLite and once on PostgreSQL; with `with |c| …;` before
/// its body, on an app whose settings that closure changed first.
#[macro_export]
macro_rules! db_test {
    (fn $name:ident($app:ident) with $tune:expr; $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn run($app: $crate::helpers::TestApp) $body
            fn tune(config: &mut groupwork::Config) {
                ($tune)(config)
            }
            #[test]
            fn sqlite() {
                $crate::helpers::run_tuned_on($crate::helpers::Backend::Sqlite, tune, run)
            }
            #[test]
            fn postgres() {
                $crate::helpers::run_tuned_on($crate::helpers::Backend::Postgres, tune, run)
            }
        }
    };
    (fn $name:ident($app:ident) $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn run($app: $crate::helpers::TestApp) $body
            #[test]
            fn sqlite() {
                $crate::helpers::run_on($crate::helpers::Backend::Sqlite, run)
            }
            #[test]
            fn postgres() {
                $crate::helpers::run_on($crate::helpers::Backend::Postgres, run)
            }
        }
    };
}

impl TestApp {
    /// The PostgreSQL database this app runs on, if it is a PostgreSQL test.
    pub fn postgres_database(&self) -> Option<String> {
        match &self._db {
            TestDb::Postgres(db) => Some(db.name().to_string()),
            TestDb::Sqlite(_) => None,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn req(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let r = self.client.request(method, self.url(path));
        match token {
            Some(t) => r.bearer_auth(t),
            None => r,
        }
    }

    pub fn get(&self, path: &str, token: Option<&str>) -> Response {
        self.req(Method::GET, path, token).send().expect("GET")
    }

    pub fn post(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.req(Method::POST, path, token)
            .json(body)
            .send()
            .expect("POST")
    }

    pub fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> Response {
        self.req(Method::PATCH, path, token)
            .json(body)
            .send()
            .expect("PATCH")
    }

    /// Registers a parent through the API; returns the token response.
    pub fn register_parent(&self, email: &str) -> Value {
        let res = self.post(
            "/api/v1/auth/register",
            None,
            &json!({"email": email, "password": PASSWORD, "display_name": "Parent"}),
        );
        assert_eq!(res.status(), 201, "register {email}");
        res.json().unwrap()
    }

    /// The token of the newest link to page `path` (e.g. `account/confirm-email`) queued for
    /// `to`, as its email carries it (read from the outbox row, before delivery forgets it).
    pub fn token_in_outbox(&self, path: &str, to: &str) -> String {
        let mut c = self.state.pool.get().unwrap();
        let filter = groupwork::store::messages::Filter::default();
        let rows = groupwork::store::messages::list(&mut c, &filter, 10_000, 0)
            .unwrap()
            .items;
        let needle = format!("{path}?token=");
        let body = rows
            .iter()
            .filter(|m| m.recipient == to && m.body_text.contains(&needle))
            .max_by_key(|m| m.id)
            .unwrap_or_else(|| panic!("no link to {path} for {to}"))
            .body_text
            .clone();
        let at = body.rfind(&needle).expect("a link") + needle.len();
        body[at..]
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect()
    }

    /// Confirms a parent's address with the newest link sent to it, as they would.
    pub fn confirm_email(&self, email: &str) {
        let token = self.token_in_outbox("account/confirm-email", email);
        let res = self.post(
            "/api/v1/auth/confirm-email",
            None,
            &json!({ "token": token }),
        );
        assert_eq!(res.status(), 204, "confirm {email}");
    }

    /// Makes a user with `role` directly in the store (as `create-admin` would) and logs in.
    pub fn user_token(&self, role: Role) -> String {
        if role == Role::Parent {
            let email = format!("{}@parents.example", unique_name());
            return self.register_parent(&email)["access_token"]
                .as_str()
                .unwrap()
                .to_string();
        }
        let email = format!("{}-{}@staff.example", role.as_str(), unique_name());
        let hash = groupwork::auth::password::hash(PASSWORD).unwrap();
        let mut conn = self.state.pool.get().unwrap();
        let new = store::users::NewUser {
            email: &email,
            password_hash: &hash,
            display_name: "Staff member",
            role,
            now: self.state.now_naive(),
        };
        store::users::insert(&mut conn, new).unwrap();
        self.login(&email, PASSWORD)["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// An access token for `user_id` signed at the app clock's now: tests that move the clock
    /// by days keep acting as the same people without logging in again.
    pub fn token_as(&self, user_id: i64, role: Role) -> String {
        let subject = groupwork::auth::tokens::TokenSubject {
            user_id: user_id as i32,
            role,
        };
        self.state.jwt.issue(subject, self.state.now(), 15).unwrap()
    }

    /// The user id behind a fresh access token.
    pub fn user_id(&self, token: &str) -> i64 {
        self.state
            .jwt
            .verify(token, self.state.now())
            .unwrap()
            .user_id as i64
    }

    /// The status a login with the test password gets (200, or 401 for a gone or disabled one).
    pub fn login_status(&self, email: &str) -> u16 {
        let body = json!({"email": email, "password": PASSWORD});
        self.post("/api/v1/auth/login", None, &body)
            .status()
            .as_u16()
    }

    pub fn login(&self, email: &str, password: &str) -> Value {
        let res = self.post(
            "/api/v1/auth/login",
            None,
            &json!({"email": email, "password": password}),
        );
        assert_eq!(res.status(), 200, "login {email}");
        res.json().unwrap()
    }
}

/// Asserts a problem+json answer with `status`; returns its body.
pub fn problem(res: Response, status: u16) -> Value {
    assert_eq!(res.status().as_u16(), status, "status of {}", res.url());
    let ct = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert_eq!(ct, "application/problem+json", "content type");
    let body: Value = res.json().expect("problem body is JSON");
    assert_eq!(body["status"], status);
    assert!(
        body["type"]
            .as_str()
            .is_some_and(|t| t.starts_with("/problems/")),
        "{body}"
    );
    assert!(
        body["title"].is_string() && body["detail"].is_string(),
        "{body}"
    );
    body
}

/// Asserts `status` and returns the JSON body.
pub fn ok_json(res: Response, status: u16) -> Value {
    let code = res.status().as_u16();
    let text = res.text().unwrap_or_default();
    assert_eq!(code, status, "body: {text}");
    serde_json::from_str(&text).expect("JSON body")
}
