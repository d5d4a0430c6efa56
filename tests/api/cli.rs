//! The command line, run as the built binary against a temporary SQLite file: create-admin's
//! password rules and duplicate check, migrate, openapi, a bad bind address, and the settings as
//! flags or variables (`--help` naming the variables, never a secret) — each failure a single
//! clear line on stderr, never a panic.

use groupwork::db::DbManager;
use groupwork::domain::role::Role;
use groupwork::store;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A temporary directory with a SQLite file in it, removed on drop.
struct TempDb {
    dir: PathBuf,
}

impl TempDb {
    fn new(tag: &str) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "gw_cli_{tag}_{}_{}",
            std::process::id(),
            &groupwork::auth::tokens::random_secret()[..8]
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDb { dir }
    }

    fn url(&self) -> String {
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
fn groupwork(args: &[&str], vars: &[(&str, &str)]) -> Output {
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
    let mut child = cmd.spawn().expect("start groupwork");
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

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Asserts a failed run with exactly one non-empty line on stderr, and no panic; returns it.
fn one_line_failure(out: &Output, what: &str) -> String {
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

/// The variables in the README's configuration table.
const SETTINGS: [&str; 21] = [
    "GROUPWORK_DATABASE_URL",
    "GROUPWORK_BIND",
    "GROUPWORK_JWT_SECRET",
    "GROUPWORK_LOG",
    "GROUPWORK_POOL_SIZE",
    "GROUPWORK_WORKERS",
    "GROUPWORK_DB_TIMEOUT_SECS",
    "GROUPWORK_ACCESS_TOKEN_MINUTES",
    "GROUPWORK_REFRESH_TOKEN_DAYS",
    "GROUPWORK_BODY_LIMIT",
    "GROUPWORK_LOGIN_FAILURES_PER_ACCOUNT",
    "GROUPWORK_LOGIN_ATTEMPTS_PER_ADDRESS",
    "GROUPWORK_LOGIN_WINDOW_SECS",
    "GROUPWORK_BOOKINGS_PER_MINUTE",
    "GROUPWORK_CORS_ORIGINS",
    "GROUPWORK_SUPERVISOR_COHORT_LIMIT",
    "GROUPWORK_MARKING_WINDOW_DAYS",
    "GROUPWORK_RETENTION_MONTHS",
    "GROUPWORK_AUDIT_RETENTION_MONTHS",
    "GROUPWORK_NOTIFICATION_RETENTION_MONTHS",
    "GROUPWORK_RETENTION_DAILY",
];

#[test]
fn help_names_every_variable_and_shows_no_secret() {
    let secret = "a-jwt-secret-nobody-may-read-0123456789";
    let url = "postgres://groupwork:db-password-nobody-may-read@127.0.0.1/groupwork";
    let vars = [
        ("GROUPWORK_JWT_SECRET", secret),
        ("GROUPWORK_DATABASE_URL", url),
        ("GROUPWORK_POOL_SIZE", "12"),
    ];
    for command in ["serve", "migrate", "create-admin", "retention"] {
        let out = groupwork(&[command, "--help"], &vars);
        let help = text(&out.stdout);
        assert!(out.status.success(), "{command}: {}", text(&out.stderr));
        for name in SETTINGS {
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
    for name in SETTINGS.iter().filter(|n| **n != "GROUPWORK_DATABASE_URL") {
        vars.push((name, " "));
    }
    vars.push(("GROUPWORK_UNGUARDED_CAPACITY_FOR_TESTS", ""));
    let out = groupwork(&["migrate"], &vars);
    let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
    assert!(out.status.success(), "stdout: {stdout}; stderr: {stderr}");
}
