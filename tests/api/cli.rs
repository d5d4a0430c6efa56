//! The command line, run as the built binary against a temporary SQLite file: create-admin's
//! password rules and duplicate check, migrate, openapi, a bad bind address, and the settings as
//! flags or variables (`--help` naming the variables, never a secret) — each failure a single
//! clear line on stderr, never a panic. `serve --demo` runs on both databases: after
//! create-admin it loads the demo, a second run loads nothing, and a database holding real
//! records is refused and left as it was.

use crate::db_test;
use crate::fixtures::Coordinator;
use crate::helpers::{ok_json, JWT_SECRET, PASSWORD};
use groupwork::db::DbManager;
use groupwork::domain::role::Role;
use groupwork::store;
use std::io::{BufRead, Read};
use std::path::PathBuf;
use std::process::{Command, ExitStatus, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// A temporary directory with a SQLite file in it, removed on drop.
pub(crate) struct TempDb {
    pub(crate) dir: PathBuf,
}

impl TempDb {
    pub(crate) fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "gw_cli_{tag}_{}_{}",
            std::process::id(),
            &groupwork::auth::tokens::random_secret()[..8]
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDb { dir }
    }

    pub(crate) fn url(&self) -> String {
        self.dir.join("groupwork.db").to_string_lossy().into_owned()
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Runs the binary with only the GROUPWORK_* variables given (none inherited), no stdin, and a
/// time limit so a command that should exit cannot hang the test run.
pub(crate) fn groupwork(args: &[&str], vars: &[(&str, &str)]) -> Output {
    let mut child = command(args, vars).spawn().expect("start groupwork");
    // Drain both pipes while waiting: a large output must not block the child.
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let stdout = drain(child.stdout.take().map(|p| Box::new(p) as _));
    let stderr = drain(child.stderr.take().map(|p| Box::new(p) as _));
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "groupwork {args:?} did not exit within 120 s; stderr: {}",
                String::from_utf8_lossy(&stderr.join().unwrap())
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    }
}

/// `groupwork args…` with piped output, no stdin, and only the GROUPWORK_* variables given.
fn command(args: &[&str], vars: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_groupwork"));
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, _) in std::env::vars() {
        if name.starts_with("GROUPWORK_") {
            cmd.env_remove(name);
        }
    }
    cmd.env("GROUPWORK_LOG", "warn");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    cmd
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts a failed run with exactly one non-empty line on stderr, and no panic; returns it.
pub(crate) fn one_line_failure(out: &Output, what: &str) -> String {
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(
        !out.status.success(),
        "{what} should fail; stdout: {stdout}; stderr: {stderr}"
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{what}: an ordinary failure exit, not a signal or panic code"
    );
    for stream in [&stdout, &stderr] {
        assert!(
            !stream.contains("panicked") && !stream.contains("RUST_BACKTRACE"),
            "{what} panicked: {stream}"
        );
    }
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{what}: one line on stderr, got {stderr:?}");
    assert!(lines[0].starts_with("groupwork: "), "{what}: {stderr:?}");
    lines[0].to_string()
}

fn users_with_email(url: &str, email: &str) -> Option<(Role, String)> {
    let mut conn = DbManager::new(url)
        .unwrap()
        .open()
        .map_err(|e| e.0)
        .unwrap();
    store::users::find_by_email(&mut conn, email)
        .unwrap()
        .map(|u| (u.role(), u.display_name))
}

#[test]
fn create_admin_refuses_a_weak_password() {
    let db = TempDb::new("weak");
    let url = db.url();
    let out = groupwork(
        &["create-admin", "--email", "x@y.example"],
        &[
            ("GROUPWORK_DATABASE_URL", &url),
            ("GROUPWORK_ADMIN_PASSWORD", "password1"),
        ],
    );
    let line = one_line_failure(&out, "create-admin with password1");
    assert!(line.contains("password"), "{line}");
    // Nothing was created: a later good run succeeds and it is the only admin.
    let out = groupwork(&["migrate"], &[("GROUPWORK_DATABASE_URL", &url)]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(users_with_email(&url, "x@y.example"), None);
}

#[test]
fn create_admin_once_then_already_exists() {
    let db = TempDb::new("admin");
    let url = db.url();
    let vars = [
        ("GROUPWORK_DATABASE_URL", url.as_str()),
        ("GROUPWORK_ADMIN_PASSWORD", "a long memorable phrase"),
    ];
    let out = groupwork(
        &[
            "create-admin",
            "--email",
            "x@y.example",
            "--name",
            "Centre Admin",
        ],
        &vars,
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "stdout: {stdout}; stderr: {stderr}");
    assert!(stdout.contains("x@y.example"), "{stdout}");
    assert_eq!(
        users_with_email(&url, "x@y.example"),
        Some((Role::Admin, "Centre Admin".to_string()))
    );
    let mut conn = DbManager::new(&url)
        .unwrap()
        .open()
        .map_err(|e| e.0)
        .unwrap();
    let hash = store::users::find_by_email(&mut conn, "x@y.example")
        .unwrap()
        .unwrap()
        .password_hash;
    drop(conn);
    assert!(groupwork::auth::password::verify(
        "a long memorable phrase",
        &hash
    ));
    assert!(!hash.contains("a long memorable phrase"));

    // Again, with the email in another case: the same account.
    let out = groupwork(&["create-admin", "--email", "X@Y.example"], &vars);
    let line = one_line_failure(&out, "second create-admin");
    assert!(line.contains("already exists"), "{line}");
}

#[test]
fn create_admin_refuses_a_password_that_is_the_email() {
    let db = TempDb::new("sameasemail");
    let url = db.url();
    let out = groupwork(
        &["create-admin", "--email", "centre.admin@example.org"],
        &[
            ("GROUPWORK_DATABASE_URL", &url),
            ("GROUPWORK_ADMIN_PASSWORD", "centre.admin@example.org"),
        ],
    );
    one_line_failure(&out, "create-admin with the email as password");
}

#[test]
fn migrate_succeeds_and_can_run_twice() {
    let db = TempDb::new("migrate");
    let url = db.url();
    for run in 1..=2 {
        let out = groupwork(&["migrate"], &[("GROUPWORK_DATABASE_URL", &url)]);
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert!(
            out.status.success(),
            "run {run}: stdout: {stdout}; stderr: {stderr}"
        );
        assert!(stdout.contains("sqlite"), "run {run}: {stdout}");
    }
    assert!(db.dir.join("groupwork.db").exists());
    // The migrated database has the built-in programmes.
    let mut conn = DbManager::new(&url)
        .unwrap()
        .open()
        .map_err(|e| e.0)
        .unwrap();
    let codes: Vec<String> = store::programmes::list(&mut conn)
        .unwrap()
        .into_iter()
        .map(|p| p.code)
        .collect();
    assert!(
        codes.contains(&"cosp".to_string()) && codes.contains(&"together-time".to_string()),
        "{codes:?}"
    );
}

#[test]
fn openapi_prints_the_document() {
    let out = groupwork(&["openapi"], &[]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    let version = doc["openapi"].as_str().expect("openapi field");
    assert!(version.starts_with("3."), "{version}");
    assert!(doc["paths"]["/api/v1/venues"].is_object());
    assert_eq!(
        doc,
        serde_json::to_value(groupwork::api::openapi()).unwrap()
    );
}

#[test]
fn serve_with_a_bad_bind_address_says_so_in_one_line() {
    let db = TempDb::new("bind");
    let url = db.url();
    let out = groupwork(
        &["serve"],
        &[
            ("GROUPWORK_DATABASE_URL", &url),
            ("GROUPWORK_BIND", "nonsense"),
        ],
    );
    let line = one_line_failure(&out, "serve with GROUPWORK_BIND=nonsense");
    assert!(line.contains("HOST:PORT"), "{line}");
    assert!(line.contains("nonsense"), "{line}");

    let out = groupwork(
        &["serve", "--bind", "also nonsense"],
        &[("GROUPWORK_DATABASE_URL", &url)],
    );
    let line = one_line_failure(&out, "serve --bind 'also nonsense'");
    assert!(line.contains("HOST:PORT"), "{line}");
}

#[test]
fn a_bad_database_url_is_one_line() {
    let out = groupwork(
        &["migrate"],
        &[("GROUPWORK_DATABASE_URL", "mysql://localhost/groupwork")],
    );
    one_line_failure(&out, "migrate with a mysql:// URL");
}

#[test]
fn retention_runs_and_dry_runs_from_the_command_line() {
    let db = TempDb::new("retention");
    let url = db.url();
    let out = groupwork(
        &["retention", "--dry-run"],
        &[("GROUPWORK_DATABASE_URL", &url)],
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "stdout: {stdout}; stderr: {stderr}");
    assert!(stdout.contains("would anonymise 0 families"), "{stdout}");
    let out = groupwork(&["retention"], &[("GROUPWORK_DATABASE_URL", &url)]);
    let stdout = text(&out.stdout);
    assert!(
        out.status.success() && stdout.starts_with("anonymise 0 families"),
        "{stdout}"
    );
}

/// What one `groupwork serve --demo` printed: up to the moment it started serving (it is then
/// stopped), or everything, if it exited instead (`exit`).
struct ServeDemo {
    stdout: String,
    stderr: String,
    exit: Option<ExitStatus>,
}

impl ServeDemo {
    fn served(&self) -> bool {
        self.exit.is_none()
    }

    /// The (role, email, password) lines printed under "Demo data loaded".
    fn logins(&self) -> Vec<(String, String, String)> {
        self.stdout
            .lines()
            .skip_while(|l| !l.starts_with("Demo data loaded"))
            .skip(1)
            .take_while(|l| l.starts_with("  "))
            .map(|l| {
                let w: Vec<&str> = l.split_whitespace().collect();
                assert_eq!(w.len(), 3, "a login line is role, email, password: {l:?}");
                (w[0].to_string(), w[1].to_string(), w[2].to_string())
            })
            .collect()
    }
}

impl std::fmt::Display for ServeDemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}; stdout: {}; stderr: {}",
            self.exit, self.stdout, self.stderr
        )
    }
}

/// Runs `groupwork serve --demo` on `url` until it says it is serving (then stops it) or exits.
fn serve_demo(url: &str) -> ServeDemo {
    let vars = [
        ("GROUPWORK_DATABASE_URL", url),
        ("GROUPWORK_JWT_SECRET", JWT_SECRET),
        ("GROUPWORK_WORKERS", "1"),
        ("GROUPWORK_POOL_SIZE", "2"),
        ("GROUPWORK_RETENTION_DAILY", "false"),
    ];
    let args = ["serve", "--demo", "--bind", "127.0.0.1:0"];
    let mut child = command(&args, &vars)
        .spawn()
        .expect("start groupwork serve");
    let (tx, lines) = mpsc::channel();
    let out = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut err = child.stderr.take().expect("stderr");
    let err_reader = std::thread::spawn(move || {
        let mut buf = String::new();
        let _ = err.read_to_string(&mut buf);
        buf
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    let mut stdout = String::new();
    let exit = loop {
        match lines.recv_timeout(Duration::from_millis(50)) {
            Ok(line) => {
                let serving = line.starts_with("groupwork on ");
                stdout.push_str(&line);
                stdout.push('\n');
                if serving {
                    break None;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                break Some(child.wait().expect("wait"));
            }
        }
        if let Some(status) = child.try_wait().expect("wait") {
            break Some(status);
        }
        assert!(
            Instant::now() < deadline,
            "serve --demo neither served nor exited within 120 s: {stdout}"
        );
    };
    if exit.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    reader.join().expect("stdout reader");
    for line in lines.try_iter() {
        stdout.push_str(&line);
        stdout.push('\n');
    }
    ServeDemo {
        stdout,
        stderr: err_reader.join().expect("stderr reader"),
        exit,
    }
}

/// Rows in the tables the demo writes to, and whether the demo marker is set.
fn counts(url: &str) -> Vec<(&'static str, i64)> {
    use diesel::prelude::*;
    use groupwork::db::schema::*;
    let mut c = DbManager::new(url)
        .unwrap()
        .open()
        .map_err(|e| e.0)
        .unwrap();
    let marker: i64 = settings::table
        .filter(settings::key.eq("demo_loaded"))
        .count()
        .get_result(&mut c)
        .unwrap();
    vec![
        ("users", users::table.count().get_result(&mut c).unwrap()),
        ("venues", venues::table.count().get_result(&mut c).unwrap()),
        ("staff", staff::table.count().get_result(&mut c).unwrap()),
        (
            "cohorts",
            cohorts::table.count().get_result(&mut c).unwrap(),
        ),
        (
            "sessions",
            sessions::table.count().get_result(&mut c).unwrap(),
        ),
        (
            "families",
            families::table.count().get_result(&mut c).unwrap(),
        ),
        (
            "children",
            children::table.count().get_result(&mut c).unwrap(),
        ),
        (
            "bookings",
            bookings::table.count().get_result(&mut c).unwrap(),
        ),
        (
            "attendance_marks",
            attendance_marks::table.count().get_result(&mut c).unwrap(),
        ),
        (
            "follow_ups",
            follow_ups::table.count().get_result(&mut c).unwrap(),
        ),
        (
            "audit_events",
            audit_events::table.count().get_result(&mut c).unwrap(),
        ),
        ("demo_loaded marker", marker),
    ]
}

fn create_admin(url: &str) {
    let out = groupwork(
        &[
            "create-admin",
            "--email",
            "centre.admin@example.org",
            "--name",
            "Centre Admin",
        ],
        &[
            ("GROUPWORK_DATABASE_URL", url),
            ("GROUPWORK_ADMIN_PASSWORD", PASSWORD),
        ],
    );
    assert!(out.status.success(), "create-admin: {}", text(&out.stderr));
}

db_test! {
    fn create_admin_then_serve_demo_loads_the_demo(app) {
        let url = app.state.config.database_url.clone();
        create_admin(&url);
        let run = serve_demo(&url);
        assert!(run.served(), "{run}");
        assert!(run.stdout.contains("Demo data loaded"), "{run}");
        let logins = run.logins();
        assert_eq!(logins.len(), 6, "{run}");
        for (role, email, password) in &logins {
            assert!(email.ends_with("@demo.groupwork.example"), "{email}");
            let t = app.login(email, password);
            assert_eq!(t["user"]["role"], role.as_str(), "{email}");
        }
        // The centre's own admin still logs in and sees the demo's venues and accounts.
        let t = app.login("centre.admin@example.org", PASSWORD);
        assert_eq!(t["user"]["role"], "admin");
        let admin = t["access_token"].as_str().unwrap();
        let venues = ok_json(app.get("/api/v1/venues", None), 200);
        assert_eq!(venues["total"], 5, "{venues}");
        let users = ok_json(app.get("/api/v1/users?limit=100", Some(admin)), 200);
        assert_eq!(users["total"], 7, "the six demo logins and the centre's admin: {users}");
    }
}

db_test! {
    fn serve_demo_a_second_time_loads_nothing_and_says_so(app) {
        let url = app.state.config.database_url.clone();
        create_admin(&url);
        let first = serve_demo(&url);
        assert!(first.served() && first.stdout.contains("Demo data loaded"), "{first}");
        let logins = first.logins();
        assert!(!logins.is_empty(), "{first}");
        let before = counts(&url);
        assert!(before.contains(&("demo_loaded marker", 1)), "{before:?}");

        let second = serve_demo(&url);
        assert!(second.served(), "the server still starts: {second}");
        assert!(second.stdout.contains("already loaded"), "{second}");
        assert!(second.stdout.contains("printed"), "says where the passwords went: {second}");
        assert!(!second.stdout.contains("Demo data loaded"), "{second}");
        assert!(second.logins().is_empty(), "no new passwords: {second}");
        for (_, _, password) in &logins {
            assert!(!second.stdout.contains(password.as_str()), "{second}");
        }
        assert_eq!(counts(&url), before, "the second run changed nothing");
        // The passwords printed the first time still work: nothing was replaced.
        for (_, email, password) in &logins {
            app.login(email, password);
        }
    }
}

db_test! {
    fn serve_demo_refuses_a_database_with_real_records_and_leaves_it_alone(app) {
        let url = app.state.config.database_url.clone();
        Coordinator::new(&app).venue("Our Centre", "lambeth-2014:Stockwell", 0);
        let before = counts(&url);
        let run = serve_demo(&url);
        assert!(!run.served(), "a refused demo does not start the server: {run}");
        assert_eq!(run.exit.and_then(|s| s.code()), Some(1), "{run}");
        let lines: Vec<&str> = run.stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        assert_eq!(lines.len(), 1, "one line on stderr: {run}");
        let line = lines[0];
        assert!(line.starts_with("groupwork: "), "{line}");
        assert!(line.contains("1 venue that is not the demo's"), "{line}");
        assert!(line.contains("only loaded into a new database"), "{line}");
        assert!(!run.stdout.contains("Demo data"), "{run}");
        assert_eq!(counts(&url), before, "the refused load changed nothing");

        // A family registers as well: both are named.
        app.register_parent("real.parent@example.org");
        let before = counts(&url);
        let run = serve_demo(&url);
        assert!(!run.served(), "{run}");
        assert!(run.stderr.contains("1 family and 1 venue that are not the demo's"), "{run}");
        assert_eq!(counts(&url), before, "the refused load changed nothing");
        assert_eq!(app.login_status("admin@demo.groupwork.example"), 401);
        assert_eq!(ok_json(app.get("/api/v1/venues", None), 200)["total"], 1);
    }
}

/// The variables in the README's configuration table, read from it.
fn settings() -> Vec<&'static str> {
    include_str!("../../README.md")
        .lines()
        .filter_map(|l| l.strip_prefix("| `")?.split('`').next())
        .filter(|name| name.starts_with("GROUPWORK_"))
        .collect()
}

#[test]
fn help_names_every_variable_and_shows_no_secret() {
    let secret = "a-jwt-secret-nobody-may-read-0123456789";
    let url = "postgres://groupwork:db-password-nobody-may-read@127.0.0.1/groupwork";
    let vars = [
        ("GROUPWORK_JWT_SECRET", secret),
        ("GROUPWORK_DATABASE_URL", url),
        ("GROUPWORK_POOL_SIZE", "12"),
        ("GROUPWORK_METRICS_TOKEN", "metrics-token-nobody-may-read"),
    ];
    for command in ["serve", "migrate", "create-admin", "retention"] {
        let out = groupwork(&[command, "--help"], &vars);
        let help = text(&out.stdout);
        assert!(out.status.success(), "{command}: {}", text(&out.stderr));
        for name in settings() {
            assert!(help.contains(&format!("[env: {name}")), "{command}: {name}");
            let flag = name["GROUPWORK_".len()..]
                .to_ascii_lowercase()
                .replace('_', "-");
            assert!(help.contains(&format!("--{flag} ")), "{command}: --{flag}");
        }
        assert!(help.contains("[env: GROUPWORK_POOL_SIZE=12]"), "{help}");
        assert!(
            !help.contains("nobody-may-read"),
            "{command}: a secret in --help: {help}"
        );
        assert!(!help.contains("UNGUARDED"), "test-only, not advertised");
    }
}

#[test]
fn every_setting_is_also_a_flag_and_the_flag_wins() {
    let db = TempDb::new("flags");
    let url = db.url();
    // The variable alone would be refused; the flag takes its place.
    let out = groupwork(
        &["migrate", "--database-url", &url, "--pool-size", "2"],
        &[("GROUPWORK_DATABASE_URL", "mysql://localhost/groupwork")],
    );
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "stdout: {stdout}; stderr: {stderr}");
    assert!(db.dir.join("groupwork.db").exists());
    // `openapi` reads no settings, so a bad one does not stop it (as before).
    let out = groupwork(&["openapi"], &[("GROUPWORK_BIND", "nonsense")]);
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn a_bad_setting_is_our_one_line_from_a_flag_or_a_variable() {
    let db = TempDb::new("badsetting");
    let url = db.url();
    let cases: [(&str, &str, &str); 4] = [
        (
            "--pool-size",
            "0",
            r#"GROUPWORK_POOL_SIZE="0" must be a whole number from 1 to 200"#,
        ),
        (
            "--retention-daily",
            "maybe",
            "GROUPWORK_RETENTION_DAILY must be true or false",
        ),
        (
            "--jwt-secret",
            "short",
            "GROUPWORK_JWT_SECRET must be at least 32 characters (256 bits); leave it unset to have one generated",
        ),
        (
            "--database-url",
            "mysql://x/y",
            r#"database URL "mysql://x/y" is neither postgres://… nor a SQLite file path"#,
        ),
    ];
    for (flag, value, message) in cases {
        let name = format!(
            "GROUPWORK_{}",
            flag[2..].to_ascii_uppercase().replace('-', "_")
        );
        let by_flag = groupwork(
            &["retention", "--dry-run", flag, value],
            &[("GROUPWORK_DATABASE_URL", &url)],
        );
        let line = one_line_failure(&by_flag, &format!("{flag} {value}"));
        assert_eq!(line, format!("groupwork: {message}"));
        let mut vars = vec![(name.as_str(), value)];
        if name != "GROUPWORK_DATABASE_URL" {
            vars.push(("GROUPWORK_DATABASE_URL", &url));
        }
        let by_variable = groupwork(&["retention", "--dry-run"], &vars);
        let line = one_line_failure(&by_variable, &format!("{name}={value}"));
        assert_eq!(line, format!("groupwork: {message}"));
    }
}

#[test]
fn a_blank_variable_counts_as_unset() {
    let db = TempDb::new("blank");
    let url = db.url();
    let mut vars = vec![("GROUPWORK_DATABASE_URL", url.as_str())];
    for name in settings()
        .iter()
        .filter(|n| **n != "GROUPWORK_DATABASE_URL")
    {
        vars.push((name, " "));
    }
    vars.push(("GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS", ""));
    vars.push(("GROUPWORK_UNGUARDED_OUTBOX_FOR_TESTS", ""));
    let out = groupwork(&["migrate"], &vars);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "stdout: {stdout}; stderr: {stderr}");
}

/// A message waiting in the outbox of the database at `url` (migrated first), to `to`.
fn queue_message(url: &str, to: &str) -> (i32, String) {
    use groupwork::domain::message::{Channel, Language, MessageKind, MessageStatus};
    let mut conn = DbManager::new(url)
        .unwrap()
        .open()
        .map_err(|e| e.0)
        .unwrap();
    groupwork::db::run_migrations(&mut conn).unwrap();
    let reference = groupwork::messages::outbox::new_reference();
    let m = store::messages::NewMessage {
        reference: reference.clone(),
        family_id: None,
        booking_id: None,
        cohort_id: None,
        session_id: None,
        kind: MessageKind::Reminder,
        channel: Channel::Email,
        recipient: to.to_string(),
        language: Language::En,
        subject: "Reminder: Together Time tomorrow".into(),
        body_text: "See you tomorrow at 10:00.".into(),
        body_html: "<p>See you tomorrow at 10:00.</p>".into(),
        calendar: String::new(),
        dedupe_key: None,
        status: MessageStatus::Queued,
        last_error: String::new(),
        resent_from: None,
        staff_id: None,
        user_id: None,
    };
    let at = chrono::Utc::now().naive_utc() - chrono::Duration::seconds(5);
    (
        store::messages::insert(&mut conn, &m, at).unwrap(),
        reference,
    )
}

#[test]
fn deliver_once_sends_what_is_due_writes_files_without_a_mail_server_and_stops() {
    let db = TempDb::new("deliver");
    let url = db.url();
    let mail = db.dir.join("mail");
    let (good, reference) = queue_message(&url, "amy@example.org");
    let (bad, _) = queue_message(&url, "not an address");
    let vars = [
        ("GROUPWORK_DATABASE_URL", url.as_str()),
        ("GROUPWORK_MAIL_DIR", mail.to_str().unwrap()),
    ];
    let out = groupwork(&["deliver", "--once"], &vars);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("written to files in") && said.contains("2 messages taken, 1 sent"),
        "{said}"
    );
    let eml = std::fs::read_to_string(mail.join(format!("{reference}.eml"))).unwrap();
    assert!(
        eml.contains("To: amy@example.org")
            && eml.contains(&format!("Message-ID: <{reference}@localhost>")),
        "{eml}"
    );

    let mut conn = DbManager::new(&url)
        .unwrap()
        .open()
        .map_err(|e| e.0)
        .unwrap();
    let status = |c: &mut groupwork::db::DbConnection, id: i32| {
        let m = store::messages::find(c, id).unwrap().unwrap();
        (m.status.as_str(), m.provider, m.attempts)
    };
    assert_eq!(status(&mut conn, good), ("sent", "folder".to_string(), 1));
    assert_eq!(
        status(&mut conn, bad),
        ("failed", "folder".to_string(), 1),
        "a bad address is final"
    );

    // Nothing more is due: a second pass sends nothing again.
    let out = groupwork(&["deliver", "--once"], &vars);
    assert!(
        text(&out.stdout).contains("0 messages taken, 0 sent"),
        "{}",
        text(&out.stdout)
    );
    assert_eq!(std::fs::read_dir(&mail).unwrap().count(), 1);
}

/// With an SMTP server set, `deliver --once` and `serve` start (lettre's pool spawns a task when
/// made and when dropped: both panicked at start before they entered the runtime first), and a
/// message the server cannot take waits to be tried again.
#[test]
fn deliver_and_serve_start_with_an_smtp_server_set() {
    let db = TempDb::new("smtp");
    let url = db.url();
    let mail = db.dir.join("mail");
    let (id, _) = queue_message(&url, "amy@example.org");
    // Nothing listens on this port once the listener is gone: every send is refused at once.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let smtp = format!("smtp://127.0.0.1:{port}");
    let vars = [
        ("GROUPWORK_DATABASE_URL", url.as_str()),
        ("GROUPWORK_SMTP_URL", smtp.as_str()),
        ("GROUPWORK_MAIL_DIR", mail.to_str().unwrap()),
        ("GROUPWORK_JWT_SECRET", JWT_SECRET),
    ];
    let out = groupwork(&["deliver", "--once"], &vars);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let said = text(&out.stdout);
    assert!(
        said.contains("emails sent by smtp") && said.contains("1 messages taken, 0 sent"),
        "{said}"
    );
    let mut conn = DbManager::new(&url)
        .unwrap()
        .open()
        .map_err(|e| e.0)
        .unwrap();
    let m = store::messages::find(&mut conn, id).unwrap().unwrap();
    assert_eq!(
        (m.status.as_str(), m.provider.as_str(), m.attempts),
        ("queued", "smtp", 1),
        "a refused connection is tried again later: {}",
        m.last_error
    );

    // `serve` makes the worker before it listens: on a port already taken it stops with its
    // one line, the worker (and its pool) dropped on the way out without a panic.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let bind = taken.local_addr().unwrap().to_string();
    let mut serve_vars = vars.to_vec();
    serve_vars.push(("GROUPWORK_BIND", &bind));
    let out = groupwork(&["serve"], &serve_vars);
    let line = one_line_failure(&out, "serve on a port in use, with an SMTP server set");
    assert!(line.contains("cannot listen"), "{line}");
}

/// `serve` with an SMTP server set stops cleanly on SIGTERM: the delivery worker (and lettre's
/// pool, which spawns a task as it goes) ends inside the runtime, not when the runtime is gone
/// (every stop panicked so before).
#[test]
fn serve_with_an_smtp_server_set_stops_cleanly_when_told() {
    let db = TempDb::new("smtp_stop");
    let url = db.url();
    let mail = db.dir.join("mail");
    let vars = [
        ("GROUPWORK_DATABASE_URL", url.as_str()),
        ("GROUPWORK_SMTP_URL", "smtp://127.0.0.1:25"),
        ("GROUPWORK_MAIL_DIR", mail.to_str().unwrap()),
        ("GROUPWORK_JWT_SECRET", JWT_SECRET),
        ("GROUPWORK_WORKERS", "1"),
        ("GROUPWORK_RETENTION_DAILY", "false"),
    ];
    let addr = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let mut child = command(&["serve", "--bind", &addr], &vars)
        .spawn()
        .expect("start groupwork serve");
    let mut err = child.stderr.take().expect("stderr");
    let err_reader = std::thread::spawn(move || {
        let mut buf = String::new();
        let _ = err.read_to_string(&mut buf);
        buf
    });
    let out = child.stdout.take().expect("stdout");
    let mut lines = std::io::BufReader::new(out).lines().map_while(Result::ok);
    let mut said = String::new();
    for line in lines.by_ref() {
        said.push_str(&line);
        said.push('\n');
        if line.starts_with("Messages: ") {
            break;
        }
    }
    assert!(said.contains("emails sent by smtp"), "{said}");
    // Told to stop only once it answers (its signal handlers are set by then).
    let health = format!("http://{addr}/health");
    let deadline = Instant::now() + Duration::from_secs(30);
    while reqwest::blocking::get(&health).map_or(true, |r| !r.status().is_success()) {
        assert!(Instant::now() < deadline, "serve did not answer {health}");
        std::thread::sleep(Duration::from_millis(50));
    }
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(term.success());
    let rest: Vec<String> = lines.collect();
    let status = child.wait().expect("wait");
    let stderr = err_reader.join().expect("stderr reader");
    let all = format!("{said}{}\n{stderr}", rest.join("\n"));
    assert!(!all.contains("panicked"), "{all}");
    assert_eq!(status.code(), Some(0), "{all}");
}
