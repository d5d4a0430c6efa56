//! `groupwork backup` and `groupwork restore` (SQLite; README, "Backups"), run as the built
//! binary against real `groupwork serve` processes:
//! - a backup taken during a storm of bookings holds every booking answered before it started,
//!   is consistent and passes `integrity_check`; restored into a new database, the service starts
//!   on it and shows those bookings. The control: a plain copy of the database file taken during
//!   the same storm misses bookings already answered (they were still in the WAL);
//! - restore refuses while a server runs on the database and changes nothing, and works once it
//!   has stopped (killed, leaving its WAL behind). The control: copying the backup over the
//!   database file instead brings the old WAL back over it;
//! - backup refuses an existing file without `--force`; both refuse PostgreSQL, pointing to
//!   pg_dump.

use crate::cli::{groupwork, one_line_failure, text, TempDb};
use crate::fixtures::Coordinator;
use crate::helpers::{self, ok_json, Backend, TestApp, JWT_SECRET};
use crate::races::parents;
use crate::races_processes::{first_session_date, real_clock_tokens};
use crate::serve_child::ServeChild;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text};
use diesel::sqlite::SqliteConnection;
use groupwork::db::DbManager;
use groupwork::domain::role::Role;
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

const COHORTS: usize = 6;
const PARENTS: usize = 40;
/// Requests in flight at once during the storm.
const CLIENTS: usize = 12;
/// Answers received before each plain copy (the control), then before the backup starts.
const PLAIN_COPIES_AT: [usize; 3] = [30, 50, 70];
const BACKUP_AT: usize = 80;

/// A published COSP group (its own venue and team, numbered `i`) with room for every parent.
fn group(co: &Coordinator, i: usize, first: &str) -> i64 {
    let names = [
        format!("Centre {i}"),
        format!("Lead {i}"),
        format!("Cofac {i}"),
        format!("Creche {i}"),
    ];
    co.published_cosp(names.each_ref().map(String::as_str), PARENTS, first)
}

/// One booking's answer and when it arrived.
struct Answer {
    status: u16,
    id: Option<i64>,
    at: Instant,
}

/// The ids of the bookings answered 201 before `moment`.
fn answered_before(answers: &[Answer], moment: Instant) -> BTreeSet<i64> {
    answers
        .iter()
        .filter(|a| a.status == 201 && a.at < moment)
        .filter_map(|a| a.id)
        .collect()
}

#[derive(QueryableByName)]
struct Id {
    #[diesel(sql_type = Integer)]
    id: i32,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    integrity_check: String,
}

#[derive(QueryableByName)]
struct CohortCount {
    #[diesel(sql_type = Integer)]
    id: i32,
    #[diesel(sql_type = Integer)]
    confirmed_count: i32,
    #[diesel(sql_type = BigInt)]
    rows: i64,
}

/// What a database file holds: its bookings' ids, its integrity check, and each cohort's stored
/// count against its confirmed rows. Opened as a plain file (a copy's WAL mode honoured).
struct Contents {
    bookings: BTreeSet<i64>,
    integrity: String,
    counts: Vec<(i32, i32, i64)>,
}

fn contents(path: &Path) -> Result<Contents, String> {
    let mut c = SqliteConnection::establish(&path.to_string_lossy()).map_err(|e| e.to_string())?;
    let integrity: Vec<Line> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut c)
        .map_err(|e| e.to_string())?;
    let ids: Vec<Id> = diesel::sql_query("SELECT id FROM bookings")
        .load(&mut c)
        .map_err(|e| e.to_string())?;
    let counts: Vec<CohortCount> = diesel::sql_query(
        "SELECT c.id, c.confirmed_count, \
         (SELECT count(*) FROM bookings b WHERE b.cohort_id = c.id AND b.status = 'confirmed') AS rows \
         FROM cohorts c ORDER BY c.id",
    )
    .load(&mut c)
    .map_err(|e| e.to_string())?;
    Ok(Contents {
        bookings: ids.into_iter().map(|r| i64::from(r.id)).collect(),
        integrity: integrity
            .into_iter()
            .map(|l| l.integrity_check)
            .collect::<Vec<_>>()
            .join("; "),
        counts: counts
            .into_iter()
            .map(|r| (r.id, r.confirmed_count, r.rows))
            .collect(),
    })
}

/// Why a copy taken at some moment is not a faithful backup of that moment, if it is not: it
/// cannot be read, fails its integrity check, lacks a booking answered before the moment, or
/// has a cohort whose stored count disagrees with its rows.
fn unfaithful(path: &Path, answered: &BTreeSet<i64>) -> Option<String> {
    let c = match contents(path) {
        Ok(c) => c,
        Err(e) => return Some(format!("cannot be read: {e}")),
    };
    if c.integrity != "ok" {
        return Some(format!("integrity_check: {}", c.integrity));
    }
    let missing: Vec<&i64> = answered.difference(&c.bookings).collect();
    if !missing.is_empty() {
        return Some(format!(
            "{} of the {} bookings answered before it are missing: {missing:?}",
            missing.len(),
            answered.len()
        ));
    }
    let torn: Vec<_> = c
        .counts
        .iter()
        .filter(|(_, n, rows)| i64::from(*n) != *rows)
        .collect();
    if !torn.is_empty() {
        return Some(format!("cohort counts disagree with their rows: {torn:?}"));
    }
    None
}

fn file_vars(url: &str) -> Vec<(&'static str, String)> {
    vec![("GROUPWORK_DATABASE_URL", url.to_string())]
}

fn run(args: &[&str], url: &str) -> std::process::Output {
    let vars = file_vars(url);
    let vars: Vec<(&str, &str)> = vars.iter().map(|(k, v)| (*k, v.as_str())).collect();
    groupwork(args, &vars)
}

/// The bookings a running server shows a coordinator, for each cohort.
fn shown(base: &str, token: &str, cohorts: &[i64]) -> BTreeSet<i64> {
    let client = reqwest::blocking::Client::new();
    let mut ids = BTreeSet::new();
    for c in cohorts {
        let res = client
            .get(format!("{base}/api/v1/cohorts/{c}/bookings"))
            .bearer_auth(token)
            .send()
            .unwrap();
        let body = ok_json(res, 200);
        ids.extend(
            body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["id"].as_i64().unwrap()),
        );
    }
    ids
}

fn server_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("GROUPWORK_BOOKINGS_PER_MINUTE", "10000"),
        ("GROUPWORK_POOL_SIZE", "8"),
        ("GROUPWORK_DB_TIMEOUT_SECS", "15"),
    ]
}

/// The storm, the backup in the middle of it, and the restore.
#[test]
fn a_backup_during_a_booking_storm_holds_every_booking_answered_before_it_and_restores() {
    let setup = Instant::now();
    let app = helpers::spawn(Backend::Sqlite, |_| {}).unwrap();
    let db = PathBuf::from(&app.state.config.database_url);
    let dir = db.parent().unwrap().to_path_buf();
    let first = first_session_date();
    let cohorts: Vec<i64> = {
        let co = Coordinator::new(&app);
        (0..COHORTS).map(|i| group(&co, i, &first)).collect()
    };
    let who = real_clock_tokens(&app, parents(&app, PARENTS, "storm"));
    let coordinator = coordinator_token(&app);
    let log_prefix = format!("groupwork-backup-{}", std::process::id());
    let server = ServeChild::start(
        &db.to_string_lossy(),
        JWT_SECRET,
        &server_env(),
        &log_prefix,
        "storm",
    );
    let setup = setup.elapsed();

    // Every parent books every group, from CLIENTS threads at once.
    let jobs: VecDeque<(i64, String)> = who
        .iter()
        .flat_map(|(token, _)| cohorts.iter().map(move |c| (*c, token.clone())))
        .collect();
    let total = jobs.len();
    let jobs = Arc::new(Mutex::new(jobs));
    let answers = Arc::new(Mutex::new(Vec::<Answer>::new()));
    let answered = Arc::new(AtomicUsize::new(0));
    let stormed = Instant::now();
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (jobs, answers, answered) = (jobs.clone(), answers.clone(), answered.clone());
            let base = server.base.clone();
            std::thread::spawn(move || {
                let client = reqwest::blocking::Client::new();
                loop {
                    let Some((cohort, token)) = jobs.lock().unwrap().pop_front() else {
                        return;
                    };
                    let res = client
                        .post(format!("{base}/api/v1/cohorts/{cohort}/bookings"))
                        .bearer_auth(token)
                        .json(&json!({}))
                        .send()
                        .expect("request");
                    let status = res.status().as_u16();
                    let body: serde_json::Value = res.json().unwrap_or_default();
                    let at = Instant::now();
                    answers.lock().unwrap().push(Answer {
                        status,
                        id: body["id"].as_i64(),
                        at,
                    });
                    answered.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    let wait_for = |n: usize| {
        while answered.load(Ordering::SeqCst) < n {
            std::thread::sleep(std::time::Duration::from_millis(2));
        }
    };

    // The control: the database file copied as a file (`cp groupwork.db`), at three moments.
    let mut plain = Vec::new();
    for (i, n) in PLAIN_COPIES_AT.iter().enumerate() {
        wait_for(*n);
        let path = dir.join(format!("plain-{i}.db"));
        let at = Instant::now();
        std::fs::copy(&db, &path).unwrap();
        plain.push((path, at));
    }

    wait_for(BACKUP_AT);
    let copy = dir.join("backup.db");
    let started = Instant::now();
    let out = run(
        &["backup", &copy.to_string_lossy(), "--pages-per-step", "8"],
        &db.to_string_lossy(),
    );
    let ended = Instant::now();
    for c in clients {
        c.join().unwrap();
    }
    let stormed = stormed.elapsed();
    let answers = Arc::try_unwrap(answers).ok().unwrap().into_inner().unwrap();
    let stdout = text(&out.stdout);
    assert!(
        out.status.success(),
        "backup during the storm: {stdout} {}",
        text(&out.stderr)
    );
    assert!(
        stdout.starts_with(&format!("wrote {}: ", copy.display()))
            && stdout.contains(" pages of 4096 bytes")
            && stdout.trim_end().ends_with("integrity_check: ok"),
        "it says what it wrote: {stdout}"
    );

    // The storm: every booking answered, none refused or failed for the backup.
    assert_eq!(answers.len(), total);
    let statuses: BTreeMap<u16, usize> = answers.iter().fold(BTreeMap::new(), |mut m, a| {
        *m.entry(a.status).or_insert(0) += 1;
        m
    });
    assert_eq!(
        statuses,
        BTreeMap::from([(201, total)]),
        "every booking taken"
    );
    let before = answered_before(&answers, started);
    let during = answers
        .iter()
        .filter(|a| a.at >= started && a.at <= ended)
        .count();
    let after = answers.iter().filter(|a| a.at > ended).count();
    eprintln!(
        "backup in a storm: setup {setup:.1?}, {total} bookings in {stormed:.1?}; {} answered \
         before the backup started, {during} while it ran ({:.0?}), {after} after; {}",
        before.len(),
        ended - started,
        stdout.trim()
    );
    assert!(
        before.len() >= BACKUP_AT && during + after > 0,
        "the backup started in the middle of the storm"
    );

    // The copy: every booking answered before it started, consistent, integrity ok.
    assert_eq!(unfaithful(&copy, &before), None, "the backup");
    let in_copy = contents(&copy).unwrap().bookings;
    let all: BTreeSet<i64> = answers.iter().filter_map(|a| a.id).collect();
    assert!(in_copy.is_subset(&all), "no booking the storm did not make");

    // The control: a plain copy of the file misses answered bookings still in the WAL (or is
    // torn); the same check fails for at least one of the three.
    let plain_failures: Vec<String> = plain
        .iter()
        .filter_map(|(path, at)| unfaithful(path, &answered_before(&answers, *at)))
        .collect();
    assert!(
        !plain_failures.is_empty(),
        "a plain file copy during the storm was complete all three times: the check could not \
         tell the backup API from a file copy"
    );
    eprintln!("plain copies: {plain_failures:?}");

    // Restore into a new database (the server stopped), then serve it.
    drop(server);
    let restored_dir = TempDb::new("restored");
    let target = restored_dir.url();
    let out = run(&["restore", &copy.to_string_lossy()], &target);
    let said = text(&out.stdout);
    assert!(
        out.status.success() && said.contains("integrity_check: ok"),
        "restore: {said} {}",
        text(&out.stderr)
    );
    let server = ServeChild::start(&target, JWT_SECRET, &server_env(), &log_prefix, "restored");
    let served = shown(&server.base, &coordinator, &cohorts);
    assert_eq!(
        served, in_copy,
        "the restored service shows the backup's bookings"
    );
    assert!(served.is_superset(&before));
}

/// A coordinator's token at the real time (the in-process app signs on its manual clock).
fn coordinator_token(app: &TestApp) -> String {
    let token = app.user_token(Role::Coordinator);
    real_clock_tokens(app, vec![(token, 0)]).remove(0).0
}

fn admin(url: &str, email: &str) -> bool {
    let mut conn = DbManager::new(url)
        .unwrap()
        .open()
        .map_err(|e| e.0)
        .unwrap();
    groupwork::store::users::find_by_email(&mut conn, email)
        .unwrap()
        .is_some()
}

fn create_admin(url: &str, email: &str) {
    let out = groupwork(
        &["create-admin", "--email", email],
        &[
            ("GROUPWORK_DATABASE_URL", url),
            ("GROUPWORK_ADMIN_PASSWORD", helpers::PASSWORD),
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
}

/// Restore refuses while a server runs on the database (nothing changes), a server does not
/// start while a restore holds the database, and restore works once the server has stopped —
/// killed, with its WAL left behind, which a file copied over the database would have brought
/// back.
#[test]
fn restore_refuses_a_database_in_use_and_works_once_the_server_has_stopped() {
    let db = TempDb::new("restore");
    let url = db.url();
    create_admin(&url, "before@backup.example");
    let copy = db.dir.join("backup.db");
    let out = run(&["backup", &copy.to_string_lossy()], &url);
    assert!(out.status.success(), "{}", text(&out.stderr));

    let log_prefix = format!("groupwork-restore-{}", std::process::id());
    let server = ServeChild::start(&url, JWT_SECRET, &[], &log_prefix, "in-use");
    // A change after the backup, written while the server holds the database open.
    create_admin(&url, "after@backup.example");
    let out = run(&["restore", &copy.to_string_lossy()], &url);
    let line = one_line_failure(&out, "restore while serve runs");
    assert!(
        line.contains("is in use")
            && line.contains(".lock")
            && line.contains("Nothing was changed"),
        "{line}"
    );
    assert!(admin(&url, "after@backup.example"), "nothing was changed");
    let health = reqwest::blocking::get(format!("{}/health", server.base)).unwrap();
    assert_eq!(health.status(), 200, "the server runs on");

    // SIGKILL: the server's WAL (with the change) stays beside the database.
    drop(server);
    let wal = PathBuf::from(format!("{url}-wal"));
    assert!(
        std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0),
        "a killed server leaves its WAL"
    );

    // The control, on a copy of the folder: the backup copied over the database file, the old
    // WAL beside it, is not the backup.
    let scratch = TempDb::new("restore_control");
    let naive = scratch.url();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::copy(format!("{url}{suffix}"), format!("{naive}{suffix}"));
    }
    std::fs::copy(&copy, &naive).unwrap();
    let naive_shows = contents_users(&naive);
    eprintln!("the backup copied over the database beside its old WAL shows {naive_shows:?}");
    let naive_shows_the_backup = naive_shows
        .is_ok_and(|(users, integrity)| integrity == "ok" && users == ["before@backup.example"]);
    assert!(
        !naive_shows_the_backup,
        "a file copied over the database with its old WAL beside it is not the backup"
    );

    // A restore in progress (its lock held here) keeps a server from starting.
    {
        let _restoring = groupwork::db::lock::DbLock::exclusive(Path::new(&url)).unwrap();
        let out = groupwork(
            &["serve", "--bind", "127.0.0.1:0"],
            &[("GROUPWORK_DATABASE_URL", &url)],
        );
        let line = one_line_failure(&out, "serve during a restore");
        assert!(line.contains("is being restored"), "{line}");
    }

    let out = run(&["restore", &copy.to_string_lossy()], &url);
    let said = text(&out.stdout);
    assert!(out.status.success(), "{said} {}", text(&out.stderr));
    assert!(said.starts_with(&format!("restored {url} from ")), "{said}");
    assert!(said.contains("integrity_check: ok"), "{said}");
    assert!(!wal.exists(), "the old WAL was read in and is gone");
    assert_eq!(
        contents_users(&url).unwrap(),
        (vec!["before@backup.example".to_string()], "ok".to_string())
    );
    // The service starts on it (its migrations run as ever).
    let server = ServeChild::start(&url, JWT_SECRET, &[], &log_prefix, "restored");
    let health = reqwest::blocking::get(format!("{}/health", server.base)).unwrap();
    assert_eq!(health.status(), 200);
}

#[derive(QueryableByName)]
struct Email {
    #[diesel(sql_type = Text)]
    email: String,
}

/// The users' emails and the integrity check of a database file.
fn contents_users(path: &str) -> Result<(Vec<String>, String), String> {
    let mut c = SqliteConnection::establish(path).map_err(|e| e.to_string())?;
    let integrity: Vec<Line> = diesel::sql_query("PRAGMA integrity_check")
        .load(&mut c)
        .map_err(|e| e.to_string())?;
    let users: Vec<Email> = diesel::sql_query("SELECT email FROM users ORDER BY email")
        .load(&mut c)
        .map_err(|e| e.to_string())?;
    Ok((
        users.into_iter().map(|u| u.email).collect(),
        integrity
            .into_iter()
            .map(|l| l.integrity_check)
            .collect::<Vec<_>>()
            .join("; "),
    ))
}

#[test]
fn backup_refuses_an_existing_path_without_force() {
    let db = TempDb::new("force");
    let url = db.url();
    create_admin(&url, "one@backup.example");
    let copy = db.dir.join("backup.db");
    std::fs::write(&copy, b"an older backup").unwrap();
    let out = run(&["backup", &copy.to_string_lossy()], &url);
    let line = one_line_failure(&out, "backup over an existing file");
    assert!(
        line.contains("already exists") && line.contains("--force"),
        "{line}"
    );
    assert_eq!(std::fs::read(&copy).unwrap(), b"an older backup");
    let out = run(&["backup", &copy.to_string_lossy(), "--force"], &url);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        contents_users(&copy.to_string_lossy()).unwrap(),
        (vec!["one@backup.example".to_string()], "ok".to_string())
    );
    // Nothing but the backup beside the database: no temporary file left.
    let mut names: Vec<String> = std::fs::read_dir(&db.dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("backup"))
        .collect();
    names.sort();
    assert_eq!(names, ["backup.db"]);
    // Nor over the database itself, with --force or not.
    let out = run(&["backup", &url, "--force"], &url);
    let line = one_line_failure(&out, "backup over the database");
    assert!(line.contains("the database itself"), "{line}");
}

/// On PostgreSQL both commands refuse before touching the database, pointing to pg_dump.
#[test]
fn backup_and_restore_refuse_postgres_and_point_to_pg_dump() {
    let Some(app) = helpers::spawn(Backend::Postgres, |_| {}) else {
        return;
    };
    let url = app.state.config.database_url.clone();
    let dir = TempDb::new("pg");
    let path = dir.dir.join("backup.dump");
    for command in ["backup", "restore"] {
        let out = run(&[command, &path.to_string_lossy()], &url);
        let line = one_line_failure(&out, &format!("{command} on PostgreSQL"));
        assert!(
            line.contains(&format!("groupwork {command} is for SQLite"))
                && line.contains("pg_dump -Fc")
                && line.contains("pg_restore")
                && line.contains("README"),
            "{line}"
        );
    }
    assert!(!path.exists(), "nothing written");
    // Untouched and still served.
    assert_eq!(app.get("/health", None).status(), 200);
}
